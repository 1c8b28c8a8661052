// The package's main entry: the compiler, and a complete WebAssembly
// namespace whose compile step runs that compiler at run time and evaluates
// the module body (runtime/abi.ts) with `new Function`. Precompiled modules
// (loaded ahead-of-time output) are found first, by the hash of their bytes.

import { compile, compileHashed } from './compiler/index.js';
import { decode } from './compiler/decode.js';
import { validate } from './compiler/validate.js';
import { createWebAssembly, rt } from './runtime/index.js';
import type { ModuleDescriptor } from './runtime/abi.js';

export { compile };
export type { CompileOptions, CompileResult } from './compiler/index.js';

/**
 * An engine without WebAssembly of its own is, in practice, one without a
 * JIT too (QuickJS, Hermes, `node --jitless`, iOS Lockdown Mode): compile
 * for an interpreter there. Decided once, when this module loads, before the
 * polyfill installs anything.
 */
const tune = typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'undefined' ? 'interpreter' : 'jit';

function compileToDescriptor(bytes: Uint8Array, hash: string): ModuleDescriptor {
  const body = compileHashed(bytes, hash, { format: 'body', tune }).code;
  return new Function('rt', body)(rt) as ModuleDescriptor;
}

function validateBytes(bytes: Uint8Array): void {
  validate(decode(bytes));
}

export const WebAssembly = createWebAssembly({ compile: compileToDescriptor, validate: validateBytes });
export default WebAssembly;
