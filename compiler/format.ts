// Wraps a module body (runtime/abi.ts) in an output format. The body is the
// same in every format; only how it reaches the runtime differs.

import type { CompileOptions } from './index.js';
import { jsString } from './js.js';

const DEFAULT_RUNTIME = 'wasm2es/runtime';

// Self-contained cjs and iife output hand out only the Module, so the inlined
// runtime (and with it its WebAssembly namespace, to instantiate with) is
// published as globalThis.wasm2esRuntime unless a runtime is there already.
// A native WebAssembly global is never touched.
const PUBLISH_INLINE = 'if (typeof globalThis.wasm2esRuntime === "undefined") globalThis.wasm2esRuntime = wasm2esRuntime;\n';

export function wrapBody(body: string, options: CompileOptions): string {
  const format = options.format ?? 'esm';
  if (format === 'body') return body;
  const factory = `(function (rt) {\n${body}\n})`;
  const runtime = options.runtimeImport ?? DEFAULT_RUNTIME;
  const inline = options.inlineRuntime;
  switch (format) {
    case 'esm': {
      const head = inline !== undefined
        ? `${inline}\nconst { rt, defineModule, WebAssembly } = wasm2esRuntime;\nexport { WebAssembly };\n`
        : `import { rt, defineModule } from ${jsString(runtime)};\nexport { WebAssembly } from ${jsString(runtime)};\n`;
      return `${head}export default defineModule(${factory}(rt));\n`;
    }
    case 'cjs': {
      const head = inline !== undefined
        ? `${inline}\n${PUBLISH_INLINE}const { rt, defineModule } = wasm2esRuntime;\n`
        : `const { rt, defineModule } = require(${jsString(runtime)});\n`;
      return `"use strict";\n${head}module.exports = defineModule(${factory}(rt));\n`;
    }
    case 'iife': {
      const runtimeRef = inline !== undefined ? `${inline}\n${PUBLISH_INLINE}` : 'var wasm2esRuntime = globalThis.wasm2esRuntime;\n';
      const assign = options.globalName !== undefined ? `globalThis[${jsString(options.globalName)}] = module;\n` : '';
      return `(function () {\n"use strict";\n${runtimeRef}if (!wasm2esRuntime) throw new Error("wasm2es: load the runtime script (dist/runtime.iife.js) before this file, or compile with --inline-runtime");\nvar module = wasm2esRuntime.defineModule(${factory}(wasm2esRuntime.rt));\n${assign}})();\n`;
    }
  }
  throw new TypeError(`unknown output format ${JSON.stringify(format)}: expected esm, cjs, iife or body`);
}
