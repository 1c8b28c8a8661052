// Every way wasm2es runs a module, for tests that check a feature in all of
// them: the ahead-of-time output tuned for a JIT and for interpreters, with
// every function split and flattened, and the run-time compiler (the
// package main's WebAssembly, functions generated on first call).

import { compile } from '../../compiler/index.js';
import type { CompileOptions } from '../../compiler/index.js';
import { WebAssembly as Ours } from '../../index.js';
import { defineModule, rt } from '../../runtime/index.js';

/** Bytes to a WebAssembly.Module of the runtime. */
export type Loader = (bytes: Uint8Array) => any;

/** The module body compiled with `options`, evaluated and registered. */
export const fromBody = (options: CompileOptions): Loader => (bytes) => {
  const { code } = compile(bytes, { ...options, format: 'body' });
  return defineModule(new Function('rt', code)(rt));
};

export const CONFIGS: [string, Loader][] = [
  ['jit', fromBody({})],
  ['interpreter', fromBody({ tune: 'interpreter' })],
  ['split', fromBody({ splitThreshold: 1 })],
  ['flatten', fromBody({ flattenHeight: 1 })],
  ['runtime', (bytes) => new Ours.Module(bytes)],
];

/** wabt's text to bytes with the given features (nothing validated: invalid modules get through). */
export function assembleWith(wabt: any, text: string, features: Record<string, boolean>): Uint8Array {
  const module = wabt.parseWat('test.wat', text, features);
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
