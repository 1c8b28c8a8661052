// Start-up of one large module, in its own process: the bytes are already in
// memory (read, and stub imports made, before the clock starts), then
// `new WebAssembly.Module(bytes)` and `new WebAssembly.Instance(module,
// stubs)`, with wasm2es's run-time compiling namespace (`import('wasm2es')`,
// whose import is timed too) or V8's own. Prints one JSON line.
//
//   node [--jitless] bench/large-startup.js '{"implementation":"wasm2es","file":"node_modules/.../x.wasm"}'

import { readFileSync } from 'node:fs';
import { stubImports } from './lib/stub-imports.js';
import { reportAndExit } from './lib/child-report.js';

const spec = JSON.parse(process.argv[2]);

async function main() {
  const bytes = readFileSync(spec.file);
  const native = globalThis.WebAssembly;
  if (spec.implementation === 'native' && !native) throw new Error('no native WebAssembly in this engine');
  const began = performance.now();
  const WebAssembly = spec.implementation === 'native' ? native : (await import('wasm2es')).WebAssembly;
  const loaded = performance.now();
  const module = new WebAssembly.Module(bytes);
  const compiled = performance.now();
  const imports = stubImports(WebAssembly, bytes);
  const stubbed = performance.now();
  let instantiate = 'ok';
  try {
    new WebAssembly.Instance(module, imports);
  } catch (error) {
    if (!/stub import called/.test(String(error?.message))) throw error;
    instantiate = 'start function needs real imports';
  }
  const instantiated = performance.now();
  const instanceMs = instantiated - stubbed;
  return {
    loadMs: loaded - began,
    moduleMs: compiled - loaded,
    instanceMs: instantiate === 'ok' ? instanceMs : null,
    // Stub creation (microseconds) is left out; a failed instantiation is too.
    totalMs: compiled - began + (instantiate === 'ok' ? instanceMs : 0),
    instantiate,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

await reportAndExit(main);
