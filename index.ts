// The package's main entry: the compiler, and a complete WebAssembly
// namespace whose compile step runs that compiler at run time and evaluates
// the module body (runtime/abi.ts) with `new Function`. Precompiled modules
// (loaded ahead-of-time output) are found first, by the hash of their bytes.

import { compile, compileHashed, compileLazy } from './compiler/index.js';
import { decodeValidated } from './compiler/validate.js';
import { createWebAssembly, rt } from './runtime/index.js';
import type { ModuleDescriptor } from './runtime/abi.js';

export { compile };
export type { CompileOptions, CompileResult } from './compiler/index.js';
export { declarations, type DeclarationOptions } from './compiler/index.js';

/**
 * An engine without WebAssembly of its own is, in practice, one without a
 * JIT too (QuickJS, Hermes, `node --jitless`, iOS Lockdown Mode): compile
 * for an interpreter there. Decided once, when this module loads, before the
 * polyfill installs anything.
 */
const tune = typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'undefined' ? 'interpreter' : 'jit';

/**
 * Whether a direct eval inside a function sees that function's variables,
 * which lazy code generation needs (Hermes's eval, for one, only sees
 * globals). Without it every function is generated when the module compiles.
 */
const lazyCodegen = ((): boolean => {
  try {
    return new Function('"use strict"; var probe$ = 1; var lz$ = () => eval("probe$"); return lz$();')() === 1;
  } catch {
    return false;
  }
})();

const helperNames = Object.keys(rt);

/**
 * Compiles at run time: decodes and validates now, and generates each
 * function's JavaScript on its first call (see LazyOptions in
 * compiler/emit.ts), so start-up costs what the program runs, not what it
 * contains.
 */
function compileToDescriptor(bytes: Uint8Array, hash: string): ModuleDescriptor {
  if (lazyCodegen) {
    const { body, functionSource } = compileLazy(bytes, hash, helperNames, { tune });
    return new Function('rt', '$text', body)(rt, functionSource) as ModuleDescriptor;
  }
  const body = compileHashed(bytes, hash, { format: 'body', tune }).code;
  return new Function('rt', body)(rt) as ModuleDescriptor;
}

/**
 * Valid, and compilable here: feature detection validates a probe module
 * (wasm-feature-detect's SIMD probe, for one) and must not pick a build
 * that compile() then refuses. Everything valid compiles.
 */
function validateBytes(bytes: Uint8Array): void {
  decodeValidated(bytes);
}

export const WebAssembly = createWebAssembly({ compile: compileToDescriptor, validate: validateBytes });
export default WebAssembly;
