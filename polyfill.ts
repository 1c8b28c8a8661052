// Side-effect import: installs wasm2es's complete WebAssembly (with the
// run-time compiler) on globalThis when the engine has none, e.g. under
// `node --jitless`, iOS Lockdown Mode or QuickJS. An engine's own
// WebAssembly is left alone.

import { WebAssembly } from './index.js';

const target = globalThis as { WebAssembly?: unknown };
if (typeof target.WebAssembly === 'undefined') {
  Object.defineProperty(target, 'WebAssembly', { value: WebAssembly, writable: true, configurable: true, enumerable: false });
}

export { WebAssembly };
