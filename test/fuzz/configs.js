// The engines a fuzzed module runs on: the native WebAssembly of V8, the
// reference, and wasm2es in every configuration that ships. Each engine is
// a small interface: compile bytes to a Module, instantiate it, and the JS
// API classes that imports are made of and errors are told apart by.
//
// The native engine also says which modules it cannot judge (`beyond`):
// proposals wasm2es implements that this V8 lacks. Node 20's V8 (11.3) has
// exception handling only in its legacy encoding, without try_table,
// throw_ref, exnref or WebAssembly.JSTag, and no multi-memory at all; under
// Node 24 with --experimental-wasm-exnref (see README.md) it has the final
// encoding and JSTag too. Node 20's V8 has GC and typed function references
// only as drafts behind a flag, with other encodings; Node 24's ships them.
// Such modules are counted apart ('beyond-native'), neither compared nor
// dropped.
//
// Ahead-of-time configurations load the module body (format 'body') the way
// the polyfill does, through new Function and the runtime's defineModule,
// rather than by importing ESM text from a data: URL: Node never frees an
// imported module, and a fuzz run loads thousands. The descriptor's hash is
// cleared first, so the module is not registered: the registry would keep
// it alive too, and the run-time configuration would find it there instead
// of compiling the bytes itself.

import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';

import { pathToFileURL } from 'node:url';
import { usedTags, gcUse } from './wasm-binary.js';

const ROOT = new URL('../../', import.meta.url);

// Node 20's V8 validates extended constants and tail calls only behind
// flags, read at each compile; they only make more modules valid. Later
// V8s ship both and no longer know the flags (and say so on stderr), so a
// flag is set only where a module that needs it does not validate.
const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const needsFlag = (section) => !WebAssembly.validate(Uint8Array.from([...header, ...section]));
// (global i32 (i32.add (i32.const 1) (i32.const 1)))
if (needsFlag([0x06, 0x09, 0x01, 0x7f, 0x00, 0x41, 0x01, 0x41, 0x01, 0x6a, 0x0b])) setFlagsFromString('--experimental-wasm-extended-const');
// (func (return_call 0))
if (needsFlag([0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x12, 0x00, 0x0b])) setFlagsFromString('--experimental-wasm-return-call');

/** Every wasm2es configuration, in the order they run and are reported. */
export const CONFIGS = {
  jit: { aot: { tune: 'jit' }, about: 'ahead-of-time output tuned for a JIT (the default)' },
  interpreter: { aot: { tune: 'interpreter' }, about: "ahead-of-time output, tune: 'interpreter'" },
  split: { aot: { tune: 'jit', splitThreshold: 1 }, about: 'ahead-of-time output with every function split (splitThreshold: 1)' },
  flatten: { aot: { tune: 'jit', flattenHeight: 1 }, about: 'ahead-of-time output with every function flattened into a state machine (flattenHeight: 1)' },
  runtime: { aot: null, about: "run-time compile: WebAssembly from the package main (import { WebAssembly } from 'wasm2es'), functions generated on first call" },
  'runtime-interpreter': {
    aot: null,
    lazy: { tune: 'interpreter' },
    about: "run-time compile tuned for interpreters, as the package main does on an engine without WebAssembly (compileLazy, tune: 'interpreter')",
  },
};

export const CONFIG_NAMES = Object.keys(CONFIGS);

/**
 * @param {{ decode?: (bytes: Uint8Array) => any }} [options] wasm2es's decode (`loadDecode`):
 *   without it, no module counts as beyond native
 * @returns {Engine} V8's own WebAssembly.
 */
export function nativeEngine({ decode } = {}) {
  const WA = globalThis.WebAssembly;
  return {
    name: 'native',
    WebAssembly: WA,
    compile: (bytes) => new WA.Module(bytes),
    instantiate: (module, imports) => new WA.Instance(module, imports),
    beyond: (bytes, { compiled, module }) => beyondNative(WA, decode, bytes, compiled, module),
  };
}

/**
 * Why this V8 cannot be the reference for a module, or null. `compiled`:
 * whether it compiled the module; `module`: parseModule's reading of it
 * (null when it could not be read). A module it rejects is beyond it when
 * wasm2es's decode finds it valid and using the final exception-handling
 * encoding, several memories or memory64, or when it uses GC or typed
 * function references and wasm2es finds nothing wrong with it but that it
 * does not support them yet (a decode that succeeds once it does); one it
 * compiles, when it throws or catches
 * with binaryen's "jstag" import and there is no WebAssembly.JSTag to give
 * it. A "jstag" imported and never used links to a stand-in tag of the
 * same type (host.js), which no instruction can tell apart.
 */
function beyondNative(WA, decode, bytes, compiled, module) {
  if (compiled) return !WA.JSTag && module && throwsOrCatchesJsTag(module) ? 'throws or catches with "jstag", and this engine has no WebAssembly.JSTag' : null;
  if (!decode) return null;
  const gc = module && gcUse(module);
  const gcReason = `uses GC or typed function references (first ${gc}), which this engine does not validate`;
  let decoded;
  try {
    decoded = decode(bytes);
  } catch (error) {
    // wasm2es rejects it too; for not supporting GC, which says nothing about the module.
    return gc && /not supported/.test(error?.message) ? gcReason : null;
  }
  if (decoded.exnref) return `uses exception handling's final encoding (try_table, throw_ref or exnref; first ${decoded.exnref.where}), which this engine does not validate`;
  if (decoded.multiMemory) return `uses several memories (first ${decoded.multiMemory.where}), which this engine does not validate`;
  const wide = [...decoded.memories, ...decoded.tables, ...decoded.imports.filter((entry) => entry.desc.kind === 1 || entry.desc.kind === 2).map((entry) => entry.desc.type)]
    .some((type) => type.address64 === true);
  if (wide) return 'has a 64-bit memory or table (memory64), which this engine does not validate';
  return gc ? gcReason : null;
}

function throwsOrCatchesJsTag(module) {
  const tags = module.imports.filter((entry) => entry.kind === 'tag');
  const index = tags.findIndex((entry) => entry.module === 'fuzzing-support' && entry.name === 'jstag');
  return index >= 0 && usedTags(module.bodies).has(index);
}

/** wasm2es's decode(), from `dist` (default: this checkout's dist/), for nativeEngine. */
export async function loadDecode(dist) {
  const distUrl = dist ? pathToFileURL(`${dist.replace(/\/$/, '')}/`) : new URL('dist/', ROOT);
  return (await import(new URL('compiler/decode.js', distUrl).href)).decode;
}

/**
 * @typedef {object} Engine
 * @property {string} name
 * @property {any} WebAssembly the namespace whose classes build imports and classify errors
 * @property {(bytes: Uint8Array) => any} compile throws the namespace's CompileError
 * @property {(module: any, imports: object) => any} instantiate
 */

/**
 * @param {string[]} [names] configurations (default: all)
 * @param {string} [dist] another build's dist/ directory (`npm run fuzz -- --dist`), e.g. an
 *   older commit's, to check that the fuzzer finds a bug fixed since
 * @returns {Promise<Record<string, Engine>>}
 */
export async function wasm2esEngines(names = CONFIG_NAMES, dist) {
  const distUrl = dist ? pathToFileURL(`${dist.replace(/\/$/, '')}/`) : new URL('dist/', ROOT);
  const compilerUrl = new URL('index.js', distUrl);
  const runtimeUrl = new URL('runtime/index.js', distUrl);
  for (const url of [compilerUrl, runtimeUrl]) {
    if (!existsSync(fileURLToPath(url))) throw new Error(`${fileURLToPath(url)} is missing: run npm run build`);
  }
  const main = await import(compilerUrl.href);
  const runtime = await import(runtimeUrl.href);
  const compiler = await import(new URL('compiler/index.js', distUrl).href);
  const engines = {};
  for (const name of names) {
    const config = CONFIGS[name];
    if (!config) throw new Error(`unknown configuration ${name} (${CONFIG_NAMES.join(', ')})`);
    const WA = config.aot ? runtime.WebAssembly : main.WebAssembly;
    const compile = config.lazy
      ? (bytes) => {
          const { body, functionSource } = compiler.compileLazy(bytes, '', Object.keys(runtime.rt), config.lazy);
          return runtime.defineModule(new Function('rt', '$text', body)(runtime.rt, functionSource));
        }
      : config.aot
      ? (bytes) => {
          const { code } = main.compile(bytes, { format: 'body', ...config.aot });
          const descriptor = new Function('rt', code)(runtime.rt);
          descriptor.hash = ''; // not registered: see the top of this file
          return runtime.defineModule(descriptor);
        }
      : (bytes) => new WA.Module(bytes);
    engines[name] = { name, WebAssembly: WA, compile, instantiate: (module, imports) => new WA.Instance(module, imports) };
  }
  return engines;
}
