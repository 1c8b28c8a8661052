// Turns one .wast script into the body of a self-contained engine program:
// the commands, in order, as calls into wast-checker.js, which runs them in
// the engine. Everything that needs Node happens here, with the spec
// runner's own pieces (test/spec): the script model (readCommands,
// commandKind), wabt assembly (assembleModule), literals (parseArgument,
// parseExpected), export types and float wrappers (binary.js). The in-engine
// comparison is values.js's mismatch/describe, shipped as their source text.
//
// assert_invalid and assert_malformed are not engine commands: rejecting a
// module is the compiler's job, which runs in Node at build time (test/spec
// checks it); the runtime alone only ever sees precompiled modules. They are
// counted apart, as `compilerOnly`.

import { readCommands, commandKind, assembleModule } from '../spec/script.js';
import { stringValue, head } from '../spec/sexpr.js';
import { parseArgument, parseExpected, mismatch, describe, v128Lanes, laneText, hex32, hex64, F32_CANONICAL, F64_CANONICAL, U64_MASK } from '../spec/values.js';
import { readExports, needsWrapper, functionWrapper, globalWrapper } from '../spec/binary.js';
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
 * An action the engine programs do not run: v128 values. The runner's
 * wrappers carry each as 4 i32 words, which wast-checker.js does not
 * regroup; the SIMD scripts are test/spec's (--engine native).
 */
class Unsupported extends Error {}

/**
 * @typedef {object} WastProgram
 * @property {string} body the commands, for after the prelude and the generated modules
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
  /** base64 -> index into the module table M */
  const table = new Map();
  const modules = [];
  const lines = [];
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
    return `M[${table.get(base64)}]`;
  };
  const emit = (call) => lines.push(`W.${call};`);

  /** An action node -> the checker's spec as source, or throws a message for a command that cannot run. */
  const actionSpec = (node) => {
    const items = node.items;
    let index = 1;
    let moduleName;
    if (items[index]?.type === 'atom') moduleName = items[index++].value;
    const name = stringValue(items[index++]);
    const bytes = moduleName === undefined ? currentBytes : namedBytes.get(moduleName);
    const spec = { module: moduleName, name };
    // No bytes: there is no module, or it is broken; the checker says which when it looks.
    if (!bytes) return toSource({ ...spec, args: [], results: [] });
    if (!exportsOf.has(bytes)) exportsOf.set(bytes, readExports(bytes));
    const info = exportsOf.get(bytes).get(name);
    if (!info) throw new Error(`no export "${name}"`);
    if (info.kind === 'global' ? info.type === 'v128' : info.kind === 'function' && [...info.type.params, ...info.type.results].includes('v128')) {
      throw new Unsupported('v128 (SIMD) value across the JS boundary: not in engine programs');
    }
    if (head(node) === 'get') {
      if (info.kind !== 'global') throw new Error(`export "${name}" is not a global`);
      const float = info.type === 'f32' || info.type === 'f64';
      return toSource({ ...spec, get: true, type: info.type, wrapper: float ? raw(moduleRef(globalWrapper(info.type, info.mutable))) : undefined });
    }
    if (info.kind !== 'function') throw new Error(`export "${name}" is not a function`);
    const args = items.slice(index).map(parseArgument);
    const { params, results } = info.type;
    if (args.length !== params.length || args.some((arg, i) => arg.type !== params[i])) {
      throw new Error(`arguments (${args.map((a) => a.type)}) do not match parameters (${params})`);
    }
    return toSource({
      ...spec,
      args: args.map((arg) => (arg.type === 'f64' ? BigInt.asIntN(64, arg.value) : arg.value)),
      results,
      wrapper: needsWrapper(info.type) ? raw(moduleRef(functionWrapper(info.type))) : undefined,
    });
  };

  /** Emits `call(specSource)`, or a failure (a skip, if unsupported) of `kind` when the action cannot be built. */
  const withAction = (line, kind, node, call) => {
    let spec;
    try {
      spec = actionSpec(node);
    } catch (error) {
      emit(`${error instanceof Unsupported ? 'skip' : 'fail'}(${line}, ${JSON.stringify(kind)}, ${JSON.stringify(error.message)})`);
      return;
    }
    emit(call(spec));
  };

  for (const command of commands) {
    const kind = commandKind(command);
    const line = command.line;
    const items = command.items;
    const quoted = (value) => JSON.stringify(value);
    switch (head(command)) {
      case 'module': {
        const { name, bytes, assemblyError } = assembleModule(command, source, wabt);
        if (assemblyError) {
          emit(`brokenModule(${line}, ${quoted(name)}, ${quoted(`wabt cannot assemble this module: ${assemblyError}`)})`);
          currentBytes = undefined;
        } else {
          emit(`module(${line}, ${quoted(name)}, ${moduleRef(bytes)})`);
          currentBytes = bytes;
        }
        if (name) namedBytes.set(name, currentBytes);
        break;
      }
      case 'register': {
        const as = stringValue(items[1]);
        const target = items[2]?.type === 'atom' ? items[2].value : undefined;
        emit(`register(${line}, ${quoted(as)}, ${quoted(target)})`);
        break;
      }
      case 'invoke':
      case 'get':
        withAction(line, kind, command, (spec) => `action(${line}, ${spec})`);
        break;
      case 'assert_return': {
        let expected;
        try {
          expected = items.slice(2).map(parseExpected);
        } catch (error) {
          emit(`fail(${line}, ${quoted(kind)}, ${quoted(`runner: ${error.message}`)})`);
          break;
        }
        const unsupported = expected.find((e) => e.type === 'unsupported');
        if (unsupported) emit(`skip(${line}, ${quoted(kind)}, ${quoted(unsupported.reason)})`);
        else withAction(line, kind, items[1], (spec) => `assertReturn(${line}, ${spec}, ${toSource(expected)})`);
        break;
      }
      case 'assert_trap':
        if (items[1] && head(items[1]) === 'module') instantiation(line, kind, items[1], 'RuntimeError');
        else withAction(line, kind, items[1], (spec) => `assertTrap(${line}, ${spec})`);
        break;
      case 'assert_exhaustion':
        withAction(line, kind, items[1], (spec) => `assertExhaustion(${line}, ${spec})`);
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
        emit(`fail(${line}, ${quoted(kind)}, ${quoted(`runner: unsupported command ${head(command)}`)})`);
    }
  }

  function instantiation(line, kind, node, className) {
    const { bytes, assemblyError } = assembleModule(node, source, wabt);
    if (assemblyError) emit(`fail(${line}, ${JSON.stringify(kind)}, ${JSON.stringify(`wabt cannot assemble this module: ${assemblyError}`)})`);
    else emit(`assertInstantiation(${line}, ${JSON.stringify(kind)}, ${moduleRef(bytes)}, ${JSON.stringify(className)})`);
  }

  const moduleTable = `var M = [\n${[...table.keys()].map((base64) => JSON.stringify(base64)).join(',\n')}\n];`;
  const body = [COMPARISON, CHECKER, '(function () {', 'var W = __wast;', moduleTable, ...lines, 'W.finish();', '})();', ''].join('\n');
  return { body, modules, compilerOnly };
}

/** Marks a string as source to paste, not a string literal. */
const RAW = Symbol('raw source');
function raw(text) {
  return { [RAW]: text };
}

/**
 * A value as JavaScript source: BigInts as literals, externrefs as the
 * checker's W.ext(n), undefined properties left out.
 */
function toSource(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'bigint':
      return `${value}n`;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(toSource).join(', ')}]`;
  if (RAW in value) return value[RAW];
  const keys = Object.keys(value).filter((key) => value[key] !== undefined);
  if (keys.length === 1 && keys[0] === 'externref') return `W.ext(${value.externref})`;
  return `{ ${keys.map((key) => `${JSON.stringify(key)}: ${toSource(value[key])}`).join(', ')} }`;
}
