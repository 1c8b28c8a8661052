// Loads one generated ES module (compiled by wasm2es, importing the runtime
// from dist/ as `wasm2es/runtime`), instantiates it and runs a case's steps;
// prints one line of JSON: the results, the times of each phase and the
// process's peak memory. Run as `node [--jitless] child.js <output.mjs> <case.json>`,
// where case.json holds { steps, wasm } (wasm: the .wasm file, for steps
// that compare memory with it; steps null: load only). With LIMITS_HIDE_BUFFER=1 in the
// environment the runtime does not see Node's Buffer and decodes data
// segments as QuickJS and Hermes do, in JavaScript.

import { readFileSync } from 'node:fs';
import { peakMB } from './peak.js';
import { pathToFileURL } from 'node:url';
import { runSteps } from './probe.js';

const [output, caseFile] = process.argv.slice(2);
const { steps, wasm } = JSON.parse(readFileSync(caseFile, 'utf8'));
const wasmBytes = wasm ? readFileSync(wasm) : null;

const clock = () => {
  const { user, system } = process.cpuUsage();
  return { wall: performance.now(), cpu: (user + system) / 1000 };
};
const since = (start) => {
  const now = clock();
  return { wall: Math.round(now.wall - start.wall), cpu: Math.round(now.cpu - start.cpu) };
};

if (process.env.LIMITS_HIDE_BUFFER === '1') globalThis.Buffer = undefined;

const start = clock();
const { default: module, WebAssembly } = await import(pathToFileURL(output).href);
const load = since(start);
let instantiate = null;
let run = null;
let results = null;
if (steps !== null) { // null: a module with imports, measured loading only
  const instantiating = clock();
  const instance = new WebAssembly.Instance(module, {});
  instantiate = since(instantiating);
  const running = clock();
  results = runSteps(instance, steps, wasmBytes);
  run = since(running);
}
process.stdout.write(`${JSON.stringify({ results, load, instantiate, run, maxRssMB: peakMB() })}\n`);
