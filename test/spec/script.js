// The interpreter of .wast commands: modules (text, binary, quote), named
// modules, register, invoke, get, every assertion of the 2.0 script format,
// and the exception-handling proposal's assert_exception. It runs each
// command against a pluggable engine (engines.js) and records one result per
// command; deciding which failures are known is left to run.js.
//
// Text modules are assembled by wabt, or binaryen for typed references and
// GC (assemble.js; the only things we borrow); assembly is not validation,
// so invalid modules reach the engine under test intact.

import { parseScript, stringValue, head } from './sexpr.js';
import { parseArgument, parseExpected, mismatch, describe, NON_NULL_EXNREF } from './values.js';
import { readExports, needsWrapper, wireTypes, functionWrapper, globalWrapper, isReference, referenceHierarchy, isExceptionReference } from './binary.js';
import { assembleModule } from './assemble.js';

// test/engines builds its programs with the runner's assembly.
export { assembleModule };

const MODULE_FIELDS = new Set(['type', 'import', 'func', 'table', 'memory', 'global', 'tag', 'export', 'start', 'elem', 'data']);

/** The assertion kinds of the report, in its column order. */
export const ASSERTION_KINDS = [
  'assert_return',
  'assert_trap',
  'assert_exhaustion',
  'assert_exception',
  'assert_invalid',
  'assert_malformed',
  'assert_unlinkable',
  'assert_uninstantiable',
];

/**
 * One command's outcome. kind is an assertion kind, or 'module' (a module
 * that must compile and instantiate) or 'action' (a bare invoke/get/register).
 * @typedef {{ line: number, kind: string, status: 'pass' | 'fail' | 'skip', message?: string,
 *   trapMessage?: { expected: string, actual: string } }} CommandResult
 */

/** A failure of the command under test, with what was seen. */
class Failure extends Error {}
/** A command the runner does not test, with the reason. */
class Skip extends Error {}

/**
 * Runs one script.
 * @param {object} options
 * @param {string} options.source the script, latin1
 * @param {import('./engines.js').Engine} options.engine
 * @param {any} options.wabt an initialised wabt instance
 * @param {(line: number) => void} [options.onCommand] called before each command (watchdog)
 * @param {Set<number>} [options.skipLines] commands not to run (they hung before); recorded as failures
 * @returns {Promise<CommandResult[]>}
 */
export async function runScript({ source: text, engine, wabt, binaryen = null, onCommand = () => {}, skipLines = new Set() }) {
  const { source, commands } = readCommands(text);
  const state = new ScriptState(source, engine, wabt, binaryen);
  /** @type {CommandResult[]} */
  const results = [];
  for (const command of commands) {
    const kind = commandKind(command);
    const line = command.line;
    onCommand(line);
    if (skipLines.has(line)) {
      results.push({ line, kind, status: 'fail', message: 'did not finish (timed out or crashed the worker)' });
      continue;
    }
    /** @type {CommandResult} */
    const result = { line, kind, status: 'pass' };
    try {
      const trapMessage = await state.run(command);
      if (trapMessage) result.trapMessage = trapMessage;
    } catch (error) {
      if (error instanceof Skip) {
        result.status = 'skip';
        result.message = error.message;
      } else {
        result.status = 'fail';
        result.message = error instanceof Failure ? error.message : `runner: ${errorText(error)}`;
      }
    }
    results.push(result);
  }
  return results;
}

/**
 * The commands of a script, and the source their positions refer to: a
 * script of bare module fields is one inline module (inline-module.wast).
 * @param {string} source the script, latin1
 */
export function readCommands(source) {
  let commands = parseScript(source);
  if (commands.some((command) => MODULE_FIELDS.has(head(command)))) {
    source = `(module ${source})`;
    commands = parseScript(source);
  }
  return { source, commands };
}

/** What a command is: an assertion kind, 'module' or 'action'. */
export function commandKind(command) {
  const name = head(command);
  if (name === 'module') return 'module';
  if (name === 'invoke' || name === 'get' || name === 'register') return 'action';
  return name ?? 'unknown';
}

/**
 * @typedef {{ instance: any, bytes: Uint8Array, exports?: Map<string, any>, wrappers: Map<string, any> }} LoadedModule
 */

class ScriptState {
  constructor(source, engine, wabt, binaryen) {
    this.source = source;
    this.engine = engine;
    this.wabt = wabt;
    this.binaryen = binaryen;
    this.spectest = engine.spectest();
    /** @type {LoadedModule | Error | undefined} the most recent module (an Error if it failed) */
    this.current = undefined;
    /** @type {Map<string, LoadedModule | Error>} */
    this.named = new Map();
    /** @type {Map<string, any>} registered exports objects */
    this.registered = new Map();
  }

  /** Runs one command; returns the trap message pair for assert_trap. */
  async run(command) {
    const items = command.items;
    switch (head(command)) {
      case 'module':
        return this.defineModule(command);
      case 'register': {
        const name = stringValue(items[1]);
        const target = this.target(items[2]?.type === 'atom' ? items[2].value : undefined);
        this.registered.set(name, target.instance.exports);
        return;
      }
      case 'invoke':
      case 'get':
        await this.action(command);
        return;
      case 'assert_return':
        return this.assertReturn(command);
      case 'assert_trap':
        return items[1] && head(items[1]) === 'module'
          ? this.assertInstantiationError(items[1], 'RuntimeError', items[2])
          : this.assertActionError(items[1], ['RuntimeError'], items[2]);
      case 'assert_exhaustion':
        return this.assertActionError(items[1], ['RuntimeError', 'RangeError'], items[2]);
      case 'assert_exception':
        return this.assertException(items[1]);
      case 'assert_invalid':
        return this.assertCompileError(items[1], 'invalid');
      case 'assert_malformed':
        return this.assertCompileError(items[1], 'malformed');
      case 'assert_unlinkable':
        return this.assertInstantiationError(items[1], 'LinkError', items[2]);
      case 'assert_uninstantiable':
        return this.assertInstantiationError(items[1], 'RuntimeError', items[2]);
      default:
        throw new Failure(`runner: unsupported command ${head(command)}`);
    }
  }

  // ---- modules

  moduleBytes(node, options) {
    return assembleModule(node, this.source, this.wabt, this.binaryen, options);
  }

  async defineModule(node) {
    const { name, bytes, assemblyError, definition } = this.moduleBytes(node);
    let loaded;
    try {
      if (assemblyError) throw new Failure(`cannot assemble this module: ${assemblyError}`);
      const module = await this.compile(bytes, 'module');
      // A definition only has to compile (the scripts use it for modules too big to instantiate).
      if (definition) return;
      loaded = { instance: this.instantiate(module, 'module'), bytes, wrappers: new Map() };
    } catch (error) {
      loaded = error;
    }
    this.current = loaded;
    if (name) this.named.set(name, loaded);
    if (loaded instanceof Error) throw loaded;
  }

  /** Compiles with the engine; any error is a Failure naming `what`. */
  async compile(bytes, what) {
    try {
      return await this.engine.compile(bytes);
    } catch (error) {
      throw new Failure(`${what} failed to compile: ${errorText(error)}`);
    }
  }

  instantiate(module, what) {
    try {
      return this.engine.instantiate(module, this.importObject());
    } catch (error) {
      throw new Failure(`${what} failed to instantiate: ${errorText(error)}`);
    }
  }

  importObject() {
    const imports = { spectest: this.spectest };
    for (const [name, exports] of this.registered) imports[name] = exports;
    return imports;
  }

  /** The module an action names ($name), or the current one. */
  target(name) {
    const loaded = name === undefined ? this.current : this.named.get(name);
    if (loaded === undefined) throw new Failure(`no module ${name ?? ''}`.trim());
    if (loaded instanceof Error) throw new Failure(`module ${name ?? ''} did not load (${loaded.message})`.replace('  ', ' '));
    return loaded;
  }

  // ---- actions

  /**
   * Runs `(invoke $M? "name" args...)` or `(get $M? "name")`.
   * @returns {Promise<{ values: unknown[], types: string[] }>} results, floats as bits, v128 as 4 u32 words
   */
  async action(node) {
    const items = node.items;
    let index = 1;
    let moduleName;
    if (items[index]?.type === 'atom') moduleName = items[index++].value;
    const target = this.target(moduleName);
    const name = stringValue(items[index++]);
    target.exports ??= readExports(target.bytes);
    const info = target.exports.get(name);
    const exported = target.instance.exports[name];
    if (!info) throw new Failure(`no export "${name}"`);

    if (head(node) === 'get') {
      if (info.kind !== 'global') throw new Failure(`export "${name}" is not a global`);
      const types = [info.type];
      if (!needsWrapper({ params: [], results: types })) return { values: [exported.value], types };
      const wrapper = await this.wrapper(target, name, () => globalWrapper(info.type, info.mutable), { g: exported });
      return { values: fromWire(wrapper(), types), types };
    }

    if (info.kind !== 'function' || typeof exported !== 'function') throw new Failure(`export "${name}" is not a function`);
    const args = items.slice(index).map(parseArgument);
    const { params, results } = info.type;
    if (args.length !== params.length || args.some((arg, i) => !argumentFits(arg, params[i], info.type.definedTypes))) {
      throw new Failure(`arguments (${args.map((a) => a.type)}) do not match parameters (${params})`);
    }
    const jsArgs = args.flatMap(toJs);
    let returned;
    if (needsWrapper(info.type)) {
      const wrapper = await this.wrapper(target, name, () => functionWrapper(info.type), { f: exported });
      returned = wrapper(...jsArgs);
    } else {
      returned = exported(...jsArgs);
    }
    return { values: fromWire(returned, results), types: results };
  }

  /** The wrapper function for one export (see values.js), compiled once per shape and engine. */
  async wrapper(target, name, build, imports) {
    let wrapper = target.wrappers.get(name);
    if (!wrapper) {
      const bytes = build();
      const key = bytes.join(',');
      let module = this.engine.wrapperCache.get(key);
      if (!module) {
        module = await this.compile(bytes, 'wrapper module');
        this.engine.wrapperCache.set(key, module);
      }
      wrapper = this.instantiateWrapper(module, imports);
      target.wrappers.set(name, wrapper);
    }
    return wrapper;
  }

  instantiateWrapper(module, imports) {
    try {
      return this.engine.instantiate(module, { m: imports }).exports.w;
    } catch (error) {
      throw new Failure(`wrapper failed to instantiate: ${errorText(error)}`);
    }
  }

  // ---- assertions

  async assertReturn(node) {
    const expected = node.items.slice(2).map(parseExpected);
    const unsupported = expected.find((e) => e.type === 'unsupported');
    if (unsupported) throw new Skip(unsupported.reason);
    let outcome;
    try {
      outcome = await this.action(node.items[1]);
    } catch (error) {
      if (error instanceof Failure || error instanceof Skip) throw error;
      throw new Failure(`threw ${errorText(error)}`);
    }
    const { values, types } = outcome;
    if (values.length !== expected.length) {
      throw new Failure(`expected ${expected.length} results, got ${values.length}`);
    }
    const problems = [];
    values.forEach((value, i) => {
      const problem = mismatch(value, expected[i]);
      if (problem) problems.push(`result ${i}: ${problem}, got ${describe(value, types[i], expected[i])}`);
    });
    if (problems.length) throw new Failure(problems.join('; '));
  }

  /** assert_trap / assert_exhaustion on an action: it must throw one of `classes`. */
  async assertActionError(actionNode, classes, messageNode) {
    let outcome;
    try {
      outcome = await this.action(actionNode);
    } catch (error) {
      if (error instanceof Failure || error instanceof Skip) throw error;
      return this.expectError(error, classes, messageNode);
    }
    throw new Failure(`expected ${classes.join(' or ')}, returned ${outcome.values.map((v, i) => describe(v, outcome.types[i])).join(', ') || 'nothing'}`);
  }

  /**
   * assert_exception: the action must throw a WebAssembly.Exception of the
   * engine under test (a wasm exception that reached JS); a trap, any other
   * error, or a return fails.
   */
  async assertException(actionNode) {
    const { Exception } = this.engine;
    if (typeof Exception !== 'function') throw new Failure(`engine ${this.engine.name} has no WebAssembly.Exception`);
    let outcome;
    try {
      outcome = await this.action(actionNode);
    } catch (error) {
      if (error instanceof Failure || error instanceof Skip) throw error;
      if (error instanceof Exception) return;
      // Say so when it is an exception all the same, of another WebAssembly (V8's where wasm2es's is expected, say).
      const foreign = Object.prototype.toString.call(error) === '[object WebAssembly.Exception]' ? ', not the engine\'s' : '';
      throw new Failure(`expected a WebAssembly.Exception, got ${errorText(error)}${foreign}`);
    }
    throw new Failure(`expected a WebAssembly.Exception, returned ${outcome.values.map((v, i) => describe(v, outcome.types[i])).join(', ') || 'nothing'}`);
  }

  /** assert_invalid / assert_malformed: compilation must throw CompileError. */
  async assertCompileError(node, what) {
    const { form, bytes, assemblyError, assembledValid } = this.moduleBytes(node, { checkValidity: what === 'invalid' });
    if (form === 'quote' && what === 'malformed') throw new Skip('text format (quote): a test of the text parser');
    if (assemblyError) {
      if (what === 'malformed') throw new Skip(`text format: the assembler rejects it (${assemblyError})`);
      throw new Skip(`cannot assemble it: ${assemblyError}`);
    }
    if (assembledValid) throw new Skip('binaryen writes it as a valid module (it drops unreachable code, infers types: assemble.js)');
    try {
      await this.engine.compile(bytes);
    } catch (error) {
      return this.expectError(error, ['CompileError']);
    }
    throw new Failure(`expected CompileError (${what} module), compiled`);
  }

  /** assert_unlinkable / assert_uninstantiable / assert_trap on a module: compiles, instantiation throws `className`. */
  async assertInstantiationError(node, className, messageNode) {
    const { bytes, assemblyError } = this.moduleBytes(node);
    if (assemblyError) throw new Failure(`cannot assemble this module: ${assemblyError}`);
    const module = await this.compile(bytes, 'module');
    try {
      this.engine.instantiate(module, this.importObject());
    } catch (error) {
      return this.expectError(error, [className], messageNode);
    }
    throw new Failure(`expected ${className}, instantiated`);
  }

  expectError(error, classes, messageNode) {
    const ok = classes.some((name) => error instanceof this.engine[name]);
    if (!ok) throw new Failure(`expected ${classes.join(' or ')}, got ${errorText(error)}`);
    if (messageNode) return { expected: stringValue(messageNode), actual: String(error?.message) };
  }
}

/**
 * Can an argument be passed for a parameter: the same type, or a reference
 * of the parameter's hierarchy (`(ref.null func)` for `(ref null $t)`, a
 * host reference for an anyref)? Whether the value is of the type is the
 * engine's to check, as the JS API converts it.
 */
function argumentFits(arg, param, definedTypes) {
  if (arg.type === param) return true;
  if (!isReference(arg.type) || !isReference(param)) return false;
  const hierarchy = referenceHierarchy(param, definedTypes);
  return hierarchy === undefined || hierarchy === referenceHierarchy(arg.type);
}

/**
 * JS values for an argument, in wire types: floats as bits (f64 bits as
 * signed i64), a v128 as its 4 words, an exnref (always null: the script
 * format writes no other) as 1, ref.is_null's answer.
 */
function toJs(arg) {
  if (arg.type === 'f64') return [BigInt.asIntN(64, arg.value)];
  if (arg.type === 'v128') return arg.value;
  if (isExceptionReference(arg.type)) return [1];
  return [arg.value];
}

/**
 * What a call returned (nothing, one value, or an array), in the wire types
 * of `types`, as one runner value per type: f32 bits as u32, f64 bits as u64,
 * a v128 as its 4 words as u32, an exnref as null or NON_NULL_EXNREF (from
 * ref.is_null's 1 or 0; anything else is kept, for the comparison to reject).
 */
function fromWire(returned, types) {
  const count = types.flatMap(wireTypes).length;
  const wire = count === 0 ? [] : count === 1 ? [returned] : Array.from(returned);
  let next = 0;
  return types.map((type) => {
    if (type === 'v128') return wire.slice(next, (next += 4)).map((word) => (typeof word === 'number' ? word >>> 0 : word));
    const value = wire[next++];
    if (isExceptionReference(type)) return value === 1 ? null : value === 0 ? NON_NULL_EXNREF : value;
    if (type === 'f32' && typeof value === 'number') return value >>> 0;
    if (type === 'f64' && typeof value === 'bigint') return BigInt.asUintN(64, value);
    return value;
  });
}

function errorText(error) {
  if (error instanceof Error) return `${error.constructor?.name ?? error.name}: ${error.message}`;
  return String(error);
}
