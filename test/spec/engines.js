// The engines a script can run on, behind one small interface, so that the
// runner itself can be checked on the engine's native WebAssembly
// (`--engine native`) and then used, unchanged, on wasm2es.
//
// wasm2es runs every module through the ahead-of-time path: compile() turns
// the bytes into an ES module (format "esm") whose runtime import is the
// absolute file URL of dist/runtime/index.js; the runner imports that text
// from a data: URL, takes its default export (the runtime's Module) and
// instantiates it with the runtime's Instance. Importing the runtime by the
// same URL here gives the one runtime instance that generated modules link
// against, so spectest's Memory/Table/Global are its classes. A data: URL
// import costs about as much as new Function() and needs no temp files; its
// only price is that Node keeps every imported module alive, which a worker
// bounds by recycling itself (see run.js).

import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Node 20's V8 has relaxed SIMD behind a flag; V8 reads it at each compile,
// so setting it here (for the whole process) lets the native engine run
// proposals/relaxed-simd. It only adds opcodes: nothing valid before changes.
// Extended constants likewise: they only make more constant expressions valid.
// And tail calls (return_call, return_call_indirect): new opcodes only.
// V8 12 and later ship all three, and no longer know the flags (setting an
// unknown flag prints an error), so only older V8s are given them.
const v8Major = Number(process.versions.v8.split('.')[0]);
if (v8Major < 12) {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  setFlagsFromString('--experimental-wasm-extended-const');
  setFlagsFromString('--experimental-wasm-return-call');
}
// Node 20's V8 (11.3) has no multi-memory at all, not even behind a flag:
// `--engine native` fails proposals/multi-memory.
// Exception handling: V8 11.3 ships the legacy encoding (try, catch,
// catch_all, delegate, rethrow) unflagged, and has neither try_table,
// throw_ref nor exnref, not even behind a flag (later V8s have them); the
// native failures of proposals/exception-handling are listed, with reasons,
// in known-failures.native.txt. Node 24's V8 (13.6) has them behind
// --experimental-wasm-exnref (new opcodes and a type only), and ships GC,
// typed function references, multi-memory and memory64: it is the native
// engine that checks the runner on proposals/gc and function-references.
if (v8Major >= 13) setFlagsFromString('--experimental-wasm-exnref');

// `npm run spec -- --split-threshold N` (or WASM2ES_SPLIT_THRESHOLD) compiles with a low
// function-splitting threshold, so the suite exercises compiler/split.ts on
// functions far smaller than the ones it is meant for.
const splitThreshold = process.env.WASM2ES_SPLIT_THRESHOLD ? Number(process.env.WASM2ES_SPLIT_THRESHOLD) : undefined;
// `--flatten-height N` (or WASM2ES_FLATTEN_HEIGHT) rewrites every function
// nesting deeper than N as a state machine (compiler/flatten.ts).
const flattenHeight = process.env.WASM2ES_FLATTEN_HEIGHT ? Number(process.env.WASM2ES_FLATTEN_HEIGHT) : undefined;
// `--tune interpreter` (or WASM2ES_TUNE) compiles for interpreters: typed-array memory reads.
const tune = process.env.WASM2ES_TUNE || undefined;

const ROOT = new URL('../../', import.meta.url);

/**
 * @typedef {object} Engine
 * @property {string} name
 * @property {Function} CompileError
 * @property {Function} LinkError
 * @property {Function} RuntimeError
 * @property {Function} RangeError
 * @property {Function} Exception WebAssembly.Exception, what a wasm exception that reaches JS is (assert_exception)
 * @property {(bytes: Uint8Array) => Promise<any>} compile bytes -> a Module of this engine
 * @property {(module: any, imports: object) => any} instantiate -> an Instance
 * @property {() => object} spectest a fresh `spectest` host module (exports object)
 * @property {Map<string, any>} wrapperCache compiled wrapper modules, by bytes (script.js)
 */

/** @returns {Promise<Engine>} */
export async function createEngine(name, options = {}) {
  if (name === 'native') return nativeEngine();
  if (name === 'wasm2es') return wasm2esEngine(options);
  if (name === 'wasm2es-compile') return wasm2esCompileEngine();
  throw new Error(`unknown engine ${name} (native, wasm2es, wasm2es-compile)`);
}

function nativeEngine() {
  const WA = globalThis.WebAssembly;
  return {
    name: 'native',
    CompileError: WA.CompileError,
    LinkError: WA.LinkError,
    RuntimeError: WA.RuntimeError,
    RangeError,
    Exception: WA.Exception,
    compile: async (bytes) => new WA.Module(bytes),
    instantiate: (module, imports) => new WA.Instance(module, imports),
    spectest: () => spectest(WA),
    wrapperCache: new Map(),
  };
}

/**
 * The paths the wasm2es engine loads: the compiler (package main entry) and
 * the runtime, both from dist/ (npm run build).
 */
export function wasm2esPaths() {
  return {
    compiler: new URL('dist/index.js', ROOT),
    runtime: new URL('dist/runtime/index.js', ROOT),
  };
}

async function wasm2esEngine({ format = 'esm' } = {}) {
  const paths = wasm2esPaths();
  for (const url of Object.values(paths)) {
    if (!existsSync(fileURLToPath(url))) throw new Error(`${fileURLToPath(url)} is missing: run npm run build`);
  }
  const { compile } = await import(paths.compiler.href);
  const runtime = await import(paths.runtime.href);
  const WA = runtime.WebAssembly ?? runtime.createWebAssembly?.();
  if (!WA) throw new Error('dist/runtime/index.js exports neither WebAssembly nor createWebAssembly');
  const runtimeImport = paths.runtime.href;

  /** ESM text -> its default export, by a data: URL import (see the top of this file). */
  const loadEsm = async (bytes) => {
    const { code } = compile(bytes, { format: 'esm', runtimeImport, splitThreshold, flattenHeight, tune });
    const namespace = await import('data:text/javascript;base64,' + Buffer.from(code).toString('base64'));
    return namespace.default;
  };
  /**
   * The polyfill's way: the body with lazy stubs through new Function, each
   * function generated on its first call (compileLazy).
   */
  const loadLazy = async (bytes) => {
    const { compileLazy } = await import(new URL('dist/compiler/index.js', ROOT).href);
    const { body, functionSource } = compileLazy(bytes, 'spec', Object.keys(runtime.rt), { splitThreshold, flattenHeight, tune });
    return runtime.defineModule(new Function('rt', '$text', body)(runtime.rt, functionSource));
  };
  /** Eager run-time compilation (engines without local eval): the whole body through new Function. */
  const loadBody = async (bytes) => {
    const { code } = compile(bytes, { format: 'body', splitThreshold, flattenHeight, tune });
    return runtime.defineModule(new Function('rt', code)(runtime.rt));
  };


  return {
    name: 'wasm2es',
    CompileError: WA.CompileError,
    LinkError: WA.LinkError,
    RuntimeError: WA.RuntimeError,
    RangeError,
    // The runtime's own class: an exception thrown by generated code must be an instance of it, not of V8's.
    Exception: WA.Exception,
    compile: format === 'body' ? loadBody : format === 'lazy' ? loadLazy : loadEsm,
    instantiate: (module, imports) => new WA.Instance(module, imports),
    spectest: () => spectest(WA),
    wrapperCache: new Map(),
  };
}

/**
 * A diagnostic hybrid: wasm2es's compile() alone decides whether a module is
 * valid (CompileError or JavaScript that parses), and the native engine runs
 * it. Failures here are the decoder's and validator's, not the emitter's or
 * the runtime's.
 */
async function wasm2esCompileEngine() {
  const { compile } = await import(new URL('dist/compiler/index.js', ROOT).href);
  const { CompileError } = await import(new URL('dist/runtime/errors.js', ROOT).href);
  const native = nativeEngine();
  return {
    ...native,
    name: 'wasm2es-compile',
    CompileError,
    compile: async (bytes) => {
      const { code } = compile(bytes, { format: 'body', splitThreshold, flattenHeight, tune });
      new Function('rt', code); // syntax check only
      return new WebAssembly.Module(bytes);
    },
    wrapperCache: new Map(),
  };
}

/**
 * The spec interpreter's `spectest` module, built from an engine's JS API
 * classes. test/engines ships this function's source to other engines, so
 * it uses only what they all have.
 */
export function spectest(WA) {
  const print = () => {};
  return {
    print,
    print_i32: print,
    print_i64: print,
    print_f32: print,
    print_f64: print,
    print_i32_f32: print,
    print_f64_f64: print,
    global_i32: new WA.Global({ value: 'i32' }, 666),
    global_i64: new WA.Global({ value: 'i64' }, 666n),
    global_f32: new WA.Global({ value: 'f32' }, 666.6),
    global_f64: new WA.Global({ value: 'f64' }, 666.6),
    table: new WA.Table({ initial: 10, maximum: 20, element: 'anyfunc' }),
    memory: new WA.Memory({ initial: 1, maximum: 2 }),
    // 3.0's spectest also has a 64-bit table (memory64); engines without one leave it out.
    ...(() => {
      try {
        return { table64: new WA.Table({ initial: 10n, maximum: 20n, element: 'anyfunc', address: 'i64' }) };
      } catch {
        return {};
      }
    })(),
  };
}

