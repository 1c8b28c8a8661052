// A fuzz worker thread. Messages in:
//   { type: 'module', generator, index }  generate module (seed, index) and run it
//   { type: 'evaluate', id, bytes, plan } run given bytes (the reducer's candidates)
// Messages out: { type: 'ready' }, { type: 'result', ... }, { type: 'evaluated', id, result }.
// The main thread times every message and replaces a worker that hangs.
// A worker asks to be replaced ({ type: 'recycle' }) once its heap is
// large: the run-time configuration's registry keeps every module it
// compiled, by design.

import { parentPort, workerData } from 'node:worker_threads';
import { nativeEngine, wasm2esEngines, loadDecode } from './configs.js';
import { loadGenerator } from './generators.js';
import { makePlan } from './plan.js';
import { parseModule, gcUse } from './wasm-binary.js';
import { classifiedRun } from './classify.js';
import { GeneratorError } from './ttf.js';

const RECYCLE_HEAP_BYTES = 768 * 1024 ** 2;

const { seed, features, configs, rounds, dist } = workerData;
const native = nativeEngine({ decode: await loadDecode(dist) });
const engines = await wasm2esEngines(configs, dist);
const generators = new Map();

parentPort.on('message', async (message) => {
  if (message.type === 'module') parentPort.postMessage(await fuzzOne(message.generator, message.index));
  else if (message.type === 'evaluate') parentPort.postMessage({ type: 'evaluated', id: message.id, result: classifiedRun(message.bytes, message.plan, native, engines) });
  if (process.memoryUsage().heapUsed > RECYCLE_HEAP_BYTES) parentPort.postMessage({ type: 'recycle' });
});
parentPort.postMessage({ type: 'ready' });

async function fuzzOne(generatorName, index) {
  const report = { type: 'result', generator: generatorName, index };
  try {
    if (!generators.has(generatorName)) generators.set(generatorName, await loadGenerator(generatorName));
    const bytes = await generators.get(generatorName).generate(seed, index, { features });
    let plan = [];
    try {
      const module = parseModule(bytes);
      plan = makePlan(module, seed, index, { rounds });
      // Counted apart in the summary: how many modules a GC campaign has compared.
      if (features.includes('gc')) report.gc = gcUse(module) !== null;
    } catch {
      // A module this harness cannot read (invalid, or of a proposal it does not know): the
      // engines must still agree on compiling it, and one that wasm2es compiles fails in runModule.
    }
    const result = classifiedRun(bytes, plan, native, engines);
    Object.assign(report, result);
    if (Object.values(result.configs).some((config) => config.status === 'diverged')) Object.assign(report, { bytes, plan });
  } catch (error) {
    if (error instanceof GeneratorError) report.generatorError = error.message;
    else report.error = String(error?.stack ?? (typeof error === 'object' ? JSON.stringify(error) : error));
  }
  return report;
}
