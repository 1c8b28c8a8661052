// Runs one MDN seed example verbatim, the way a browser page would run it,
// on a `node --jitless` that has no WebAssembly of its own.
//
//   node --jitless seed-harness.mjs precompiled <script> <generated.js>...
//     imports the wasm2es output for the fixtures, then sets
//     globalThis.WebAssembly to the runtime alone (no compiler), so the
//     example only works if its bytes were compiled ahead of time;
//   node --jitless seed-harness.mjs polyfill <script>
//     imports wasm2es/polyfill, which compiles at run time.
//
// The script runs as a classic script in this realm (vm.runInThisContext),
// with a stand-in for fetch that serves fixtures/*.wasm.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';

const [mode, scriptPath, ...generated] = process.argv.slice(2);

if (typeof WebAssembly !== 'undefined') {
  throw new Error('seed-harness: this engine has a WebAssembly of its own; run node with --jitless');
}

if (mode === 'precompiled') {
  for (const file of generated) await import(pathToFileURL(file).href);
  const runtime = await import('wasm2es/runtime');
  globalThis.WebAssembly = runtime.WebAssembly;
} else if (mode === 'polyfill') {
  await import('wasm2es/polyfill');
} else {
  throw new Error(`seed-harness: unknown mode ${mode}`);
}

// A Response-like object rather than Node's Response: under --jitless,
// touching Node's fetch/Response makes Node compile its own wasm HTTP parser
// and fail. It has what instantiateStreaming/compileStreaming read.
const fixtures = new URL('../../fixtures/', import.meta.url);
globalThis.fetch = (resource) => {
  const url = new URL(String(resource), fixtures);
  const bytes = readFileSync(url);
  return Promise.resolve({
    ok: true,
    status: 200,
    statusText: 'OK',
    url: url.href,
    headers: {
      get: (name) => (String(name).toLowerCase() === 'content-type' ? 'application/wasm' : null),
    },
    arrayBuffer: () => Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
  });
};

runInThisContext(readFileSync(scriptPath, 'utf8'), { filename: scriptPath });
