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
  const [before, after] = wrapping(options);
  return before + body + after;
}

/**
 * The text before and after the module body in `options.format`. With a
 * source map file name (and a source map), esm, cjs and iife output ends
 * with the `//# sourceMappingURL` comment that points engines at the map.
 */
export function wrapping(options: CompileOptions): [string, string] {
  const format = options.format ?? 'esm';
  if (format === 'body') return ['', ''];
  const factory = '(function (rt) {\n';
  const runtime = options.runtimeImport ?? DEFAULT_RUNTIME;
  const inline = options.inlineRuntime;
  const mapComment = options.sourceMap === true && options.sourceMapFile !== undefined
    ? `//# sourceMappingURL=${sourceMapURL(options.sourceMapFile)}\n`
    : '';
  switch (format) {
    case 'esm': {
      const head = inline !== undefined
        ? `${inline}\nconst { rt, defineModule, WebAssembly } = wasm2esRuntime;\nexport { WebAssembly };\n`
        : `import { rt, defineModule } from ${jsString(runtime)};\nexport { WebAssembly } from ${jsString(runtime)};\n`;
      return [`${head}export default defineModule(${factory}`, `\n})(rt));\n${mapComment}`];
    }
    case 'cjs': {
      const head = inline !== undefined
        ? `${inline}\n${PUBLISH_INLINE}const { rt, defineModule } = wasm2esRuntime;\n`
        : `const { rt, defineModule } = require(${jsString(runtime)});\n`;
      return [`"use strict";\n${head}module.exports = defineModule(${factory}`, `\n})(rt));\n${mapComment}`];
    }
    case 'iife': {
      const runtimeRef = inline !== undefined ? `${inline}\n${PUBLISH_INLINE}` : 'var wasm2esRuntime = globalThis.wasm2esRuntime;\n';
      const assign = options.globalName !== undefined ? `globalThis[${jsString(options.globalName)}] = module;\n` : '';
      const before = `(function () {\n"use strict";\n${runtimeRef}if (!wasm2esRuntime) throw new Error("wasm2es: load the runtime script (dist/runtime.iife.js) before this file, or compile with --inline-runtime");\nvar module = wasm2esRuntime.defineModule(${factory}`;
      return [before, `\n})(wasm2esRuntime.rt));\n${assign}})();\n${mapComment}`];
    }
  }
  throw new TypeError(`unknown output format ${JSON.stringify(format)}: expected esm, cjs, iife or body`);
}

/** A file name as the comment's URL: ASCII, and nothing that would end the comment or start a fragment. */
function sourceMapURL(file: string): string {
  return encodeURI(file).replace(/#/g, '%23');
}
