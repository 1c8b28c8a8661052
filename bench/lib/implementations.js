// The implementations under comparison and how each one loads a workload.
// A loader returns what the workload runs on: a module's exports object
// (a kernel or a C program, from its files: paths.kernelFiles, paths.cFiles), or
// sql.js's SQL namespace. Everything a loader does counts as startup: the
// timer starts before the first import of the implementation. `simd: false`
// marks an implementation without 128-bit SIMD, whose cells for a SIMD
// build are shown as unsupported rather than run; `gc: false` one without
// WebAssembly GC, likewise for the GC workloads.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as paths from './paths.js';

const require = createRequire(import.meta.url);

/**
 * The ahead-of-time output a user would ship for this engine: without
 * WebAssembly (--jitless) the one compiled with `--tune interpreter`, as the
 * polyfill does by itself at run time.
 */
const aotTune = typeof globalThis.WebAssembly === 'undefined' ? 'interpreter' : 'jit';
const importFile = (file) => import(pathToFileURL(file).href);

async function nativeInstance(files) {
  const { instance } = await WebAssembly.instantiate(readFileSync(files.wasm), {});
  return instance.exports;
}

/**
 * `import 'wasm2es/polyfill'`, which installs wasm2es's compiling
 * WebAssembly when the engine has none (--jitless). With the JIT on, the
 * engine's own WebAssembly is left in place, so it is replaced explicitly.
 */
async function installPolyfill() {
  const hadNative = typeof globalThis.WebAssembly !== 'undefined';
  await import('wasm2es/polyfill');
  if (hadNative) globalThis.WebAssembly = (await import('wasm2es')).WebAssembly;
  return globalThis.WebAssembly;
}

/** sql.js's own glue with whatever WebAssembly is installed. */
async function sqljsGlue() {
  const initSqlJs = require('sql.js/dist/sql-wasm.js');
  return initSqlJs();
}

export const implementations = {
  native: {
    label: 'native wasm',
    jitless: false,
    instance: nativeInstance,
    sqljs: sqljsGlue,
  },
  'wasm2es-aot': {
    label: 'wasm2es AOT',
    async instance(files) {
      const { WebAssembly: runtime } = await import('wasm2es/runtime');
      const { default: module } = await importFile(files.wasm2es(aotTune));
      return new runtime.Instance(module, {}).exports;
    },
    async sqljs() {
      const { WebAssembly: runtime } = await import('wasm2es/runtime');
      await importFile(paths.sqlWasm2es(aotTune));
      globalThis.WebAssembly = runtime;
      return sqljsGlue();
    },
  },
  'wasm2es-polyfill': {
    label: 'wasm2es polyfill',
    async instance(files) {
      const polyfill = await installPolyfill();
      const { instance } = await polyfill.instantiate(readFileSync(files.wasm), {});
      return instance.exports;
    },
    async sqljs() {
      await installPolyfill();
      return sqljsGlue();
    },
  },
  wasm2js: {
    label: 'wasm2js',
    sqljsLabel: 'sql-asm.js',
    simd: false,
    gc: false,
    instance: (files) => importFile(files.wasm2js),
    async sqljs() {
      // sql.js's asm.js build: the same SQLite through Emscripten's wasm2js.
      const warn = console.warn;
      console.warn = () => {}; // its deprecation notice
      try {
        const initSqlJs = require('sql.js/dist/sql-asm.js');
        return await initSqlJs();
      } finally {
        console.warn = warn;
      }
    },
  },
  polywasm: {
    label: 'polywasm',
    simd: false,
    gc: false,
    async instance(files) {
      const { WebAssembly: polywasm } = await import('polywasm');
      const { instance } = await polywasm.instantiate(readFileSync(files.wasm), {});
      return instance.exports;
    },
    async sqljs() {
      globalThis.WebAssembly = (await import('polywasm')).WebAssembly;
      return sqljsGlue();
    },
  },
};
