// The implementations under comparison and how each one loads a workload.
// A loader returns what the workload runs on: a kernel's exports object, or
// sql.js's SQL namespace. Everything a loader does counts as startup: the
// timer starts before the first import of the implementation.

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

async function nativeKernel(name) {
  const { instance } = await WebAssembly.instantiate(readFileSync(paths.kernelWasm(name)), {});
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
    kernel: nativeKernel,
    sqljs: sqljsGlue,
  },
  'wasm2es-aot': {
    label: 'wasm2es AOT',
    async kernel(name) {
      const { WebAssembly: runtime } = await import('wasm2es/runtime');
      const { default: module } = await importFile(paths.kernelWasm2es(name, aotTune));
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
    async kernel(name) {
      const polyfill = await installPolyfill();
      const { instance } = await polyfill.instantiate(readFileSync(paths.kernelWasm(name)), {});
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
    kernel: (name) => importFile(paths.kernelWasm2js(name)),
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
    async kernel(name) {
      const { WebAssembly: polywasm } = await import('polywasm');
      const { instance } = await polywasm.instantiate(readFileSync(paths.kernelWasm(name)), {});
      return instance.exports;
    },
    async sqljs() {
      globalThis.WebAssembly = (await import('polywasm')).WebAssembly;
      return sqljsGlue();
    },
  },
};
