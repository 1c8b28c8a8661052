// Turns one .wast script into the body of a self-contained engine program:
// the commands, in order, as calls into wast-checker.js, which runs them in
// the engine. Everything that needs Node happens here, with the spec
// runner's own pieces (test/spec): the script model (readCommands,
// commandKind), assembly (assembleModule: wabt, and wasm-tools for
// typed-reference and GC text once spec.js has loaded it), literals
// (parseArgument, parseExpected), export types and the wrappers that carry
// floats as bits and v128 values as 4 i32 words (binary.js). The in-engine
// comparison is values.js's mismatch/describe (v128 lane by lane, GC
// references by what JS sees of them), shipped as source text.
//
// The commands are data, not code: one JSON text that the checker parses
// and runs (`__wast.run`), with BigInts, module references and host
// references as tagged objects (toData). As code, thousands of calls full
// of object and BigInt literals cost Hermes -O tens of seconds to compile
// (over 30 s for simd_f64x2_pmin_pmax.wast, which now compiles and runs in
// 0.2 s); a string literal costs it nothing.
//
// assert_invalid and assert_malformed are not engine commands: rejecting a
// module is the compiler's job, which runs in Node at build time (test/spec
// checks it); the runtime alone only ever sees precompiled modules. They are
// counted apart, as `compilerOnly`.

import { readCommands, commandKind, assembleModule } from '../spec/script.js';
import { stringValue, head } from '../spec/sexpr.js';
import { parseArgument, parseExpected, mismatch, describe, v128Lanes, laneText, hex32, hex64, F32_CANONICAL, F64_CANONICAL, U64_MASK } from '../spec/values.js';
import { readExports, needsWrapper, functionWrapper, globalWrapper, isReference, referenceHierarchy } from '../spec/binary.js';
import { readFileSync } from 'node:fs';
import { spectest } from '../spec/engines.js';

const CHECKER = readFileSync(new URL('./wast-checker.js', import.meta.url), 'utf8');

/** values.js's comparison and the runner's spectest, as source for the engine (they use nothing else). */
const COMPARISON = [
  spectest.toString(),
  `var F32_CANONICAL = ${F32_CANONICAL};`,
  `var F64_CANONICAL = ${F64_CANONICAL}n;`,
  `var U64_MASK = ${U64_MASK}n;`,
  mismatch.toString(),
  describe.toString(),
  v128Lanes.toString(),
  laneText.toString(),
  hex32.toString(),
  hex64.toString(),
].join('\n');

/**
 * @typedef {object} WastProgram
 * @property {string} body the checker and the commands, for after the prelude and the generated modules
 * @property {Uint8Array[]} modules every distinct module the body compiles (to precompile under wasm2es)
 * @property {number} compilerOnly assert_invalid / assert_malformed commands left to the compiler
 */

/**
 * @param {string} text the .wast script, latin1
 * @param {any} wabt an initialised wabt instance
 * @returns {WastProgram}
 */
export function buildWastProgram(text, wabt) {
  const { source, commands } = readCommands(text);
  /** base64 -> index into the module table */
  const table = new Map();
  const modules = [];
  /** [checker method, ...arguments] per command, as values for toData */
  const calls = [];
  let compilerOnly = 0;
  /** bytes of the current module and of named ones, as the script goes (undefined: none or broken) */
  let currentBytes;
  const namedBytes = new Map();
  const exportsOf = new Map();

  const moduleRef = (bytes) => {
    const base64 = Buffer.from(bytes).toString('base64');
    if (!table.has(base64)) {
      table.set(base64, table.size);
      modules.push(bytes);
    }
    return { [MODULE]: table.get(base64) };
  };
  const emit = (method, ...args) => calls.push([method, ...args]);

  /** An action node -> the checker's spec, or throws a message for a command that cannot run. */
  const actionSpec = (node) => {
    const items = node.items;
    let index = 1;
    let moduleName;
    if (items[index]?.type === 'atom') moduleName = items[index++].value;
    const name = stringValue(items[index++]);
    const bytes = moduleName === undefined ? currentBytes : namedBytes.get(moduleName);
    const spec = { module: moduleName, name };
    // No bytes: there is no module, or it is broken; the checker says which when it looks.
    if (!bytes) return { ...spec, args: [], results: [] };
    if (!exportsOf.has(bytes)) exportsOf.set(bytes, readExports(bytes));
    const info = exportsOf.get(bytes).get(name);
    if (!info) throw new Error(`no export "${name}"`);
    if (head(node) === 'get') {
      if (info.kind !== 'global') throw new Error(`export "${name}" is not a global`);
      const wrapped = needsWrapper({ params: [], results: [info.type] });
      return { ...spec, get: true, type: info.type, wrapper: wrapped ? moduleRef(globalWrapper(info.type, info.mutable)) : undefined };
    }
    if (info.kind !== 'function') throw new Error(`export "${name}" is not a function`);
    const args = items.slice(index).map(parseArgument);
    const { params, results } = info.type;
    if (args.length !== params.length || args.some((arg, i) => !argumentFits(arg, params[i], info.type.definedTypes))) {
      throw new Error(`arguments (${args.map((a) => a.type)}) do not match parameters (${params})`);
    }
    return {
      ...spec,
      // In wire types (binary.js): f64 bits as a signed i64, a v128 as its 4 words.
      args: args.flatMap((arg) => (arg.type === 'f64' ? [BigInt.asIntN(64, arg.value)] : arg.type === 'v128' ? arg.value : [arg.value])),
      results,
      wrapper: needsWrapper(info.type) ? moduleRef(functionWrapper(info.type)) : undefined,
    };
  };

  /** Emits `method(line, spec, ...rest)`, or a failure of `kind` when the action cannot be built. */
  const withAction = (line, kind, node, method, ...rest) => {
    let spec;
    try {
      spec = actionSpec(node);
    } catch (error) {
      emit('fail', line, kind, error.message);
      return;
    }
    emit(method, line, spec, ...rest);
  };

  for (const command of commands) {
    const kind = commandKind(command);
    const line = command.line;
    const items = command.items;
    switch (head(command)) {
      case 'module': {
        const { name, bytes, assemblyError, definition } = assembleModule(command, source, wabt);
        if (definition && !assemblyError) {
          // `(module definition ...)` only has to compile; it becomes neither the current module nor a named one.
          emit('moduleDefinition', line, moduleRef(bytes));
          break;
        }
        if (assemblyError) emit('brokenModule', line, name, `cannot assemble this module: ${assemblyError}`);
        else emit('module', line, name, moduleRef(bytes));
        currentBytes = assemblyError ? undefined : bytes;
        if (name) namedBytes.set(name, currentBytes);
        break;
      }
      case 'register': {
        const as = stringValue(items[1]);
        const target = items[2]?.type === 'atom' ? items[2].value : undefined;
        emit('register', line, as, target);
        break;
      }
      case 'invoke':
      case 'get':
        withAction(line, kind, command, 'action');
        break;
      case 'assert_return': {
        let expected;
        try {
          expected = items.slice(2).map(parseExpected);
        } catch (error) {
          emit('fail', line, kind, `runner: ${error.message}`);
          break;
        }
        const unsupported = expected.find((e) => e.type === 'unsupported');
        if (unsupported) emit('skip', line, kind, unsupported.reason);
        else withAction(line, kind, items[1], 'assertReturn', expected);
        break;
      }
      case 'assert_trap':
        if (items[1] && head(items[1]) === 'module') instantiation(line, kind, items[1], 'RuntimeError');
        else withAction(line, kind, items[1], 'assertTrap');
        break;
      case 'assert_exhaustion':
        withAction(line, kind, items[1], 'assertExhaustion');
        break;
      case 'assert_invalid':
      case 'assert_malformed':
        compilerOnly++;
        break;
      case 'assert_unlinkable':
        instantiation(line, kind, items[1], 'LinkError');
        break;
      case 'assert_uninstantiable':
        instantiation(line, kind, items[1], 'RuntimeError');
        break;
      default:
        emit('fail', line, kind, `runner: unsupported command ${head(command)}`);
    }
  }

  function instantiation(line, kind, node, className) {
    const { bytes, assemblyError } = assembleModule(node, source, wabt);
    if (assemblyError) emit('fail', line, kind, `cannot assemble this module: ${assemblyError}`);
    else emit('assertInstantiation', line, kind, moduleRef(bytes), className);
  }

  const data = JSON.stringify({ modules: [...table.keys()], commands: calls.map(toData) });
  // As a string literal; U+2028/9 escaped for engines that predate them in literals.
  const literal = JSON.stringify(data).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const body = [COMPARISON, CHECKER, `__wast.run(${literal});`, ''].join('\n');
  return { body, modules, compilerOnly };
}

/**
 * Can an argument be passed for a parameter: the same type, or a reference
 * of the parameter's hierarchy (`(ref.null any)` for a `(ref null $t)` of a
 * struct type, `(ref.host 1)` for an eqref)? Whether the value is of the
 * type is the engine's to check, as the JS API converts it. The rule of
 * test/spec/script.js's argumentFits, which that module does not export.
 */
function argumentFits(arg, param, definedTypes) {
  if (arg.type === param) return true;
  if (!isReference(arg.type) || !isReference(param)) return false;
  const hierarchy = referenceHierarchy(param, definedTypes);
  return hierarchy === undefined || hierarchy === referenceHierarchy(arg.type);
}

/** Marks a module reference: the index of its bytes in the program's module table. */
const MODULE = Symbol('module index');

/**
 * A value as JSON data for the checker's decode(): what JSON has no form
 * for becomes a one-key tagged object, `{ "$bigint": "-5" }`, `{ "$number":
 * "-0" }` (and NaN, Infinity), `{ "$undefined": 1 }`, `{ "$module": 3 }`,
 * `{ "$externref": 1 }` (the checker's ext(1)). Undefined properties are
 * left out.
 */
function toData(value) {
  if (value === undefined) return { $undefined: 1 };
  if (value === null) return null;
  switch (typeof value) {
    case 'bigint':
      return { $bigint: String(value) };
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : { $number: String(Object.is(value, -0) ? '-0' : value) };
    case 'string':
    case 'boolean':
      return value;
  }
  if (Array.isArray(value)) return value.map(toData);
  if (MODULE in value) return { $module: value[MODULE] };
  const keys = Object.keys(value).filter((key) => value[key] !== undefined);
  if (keys.length === 1 && keys[0] === 'externref') return { $externref: value.externref };
  if (keys.some((key) => key.startsWith('$'))) throw new Error(`toData: a $ key would read as a tag (${keys})`);
  return Object.fromEntries(keys.map((key) => [key, toData(value[key])]));
}
