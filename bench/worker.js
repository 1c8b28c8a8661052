// One benchmark sample, in its own process (so startup is cold and no
// implementation's JIT state leaks into another's): load one workload on one
// implementation, get its first result (a tiny first operation: sql.js's
// first query, a kernel's, the image pipeline's or a GC workload's run with
// `firstSize`), run it warmup + iterations times, print one JSON line.
//
//   node [--jitless] bench/worker.js '{"implementation":"native","workload":"calls","size":2000000,"warmup":2,"iterations":5}'

import { implementations } from './lib/implementations.js';
import { kernelFiles } from './lib/paths.js';
import { imageFiles, images, runImage } from './workloads/image.js';
import { kernelResult, kernels } from './workloads/kernels.js';
import { firstQuery, runSqljs } from './workloads/sqljs.js';
import { gcFiles, gcWorkloads, runGc } from './workloads/gc.js';
import { reportAndExit } from './lib/child-report.js';

const spec = JSON.parse(process.argv[2]);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** How to load and run each kind of workload; `run` returns { result, phases? }. */
const kinds = {
  sqljs: {
    load: (implementation) => implementation.sqljs(),
    first: (target) => firstQuery(target),
    run: runSqljs,
  },
  kernel: {
    load: (implementation, id) => implementation.instance(kernelFiles(id)),
    first: (target, id) => kernelResult(target.run(kernels[id].firstSize)),
    run: (target, size) => ({ result: kernelResult(target.run(size)) }),
  },
  image: {
    load: (implementation, id) => implementation.instance(imageFiles(id)),
    first: (target, id) => runImage(target, images[id].firstSize).result,
    run: runImage,
  },
  gc: {
    load: (implementation, id) => implementation.instance(gcFiles(id)),
    first: (target, id) => runGc(target, gcWorkloads[id].firstSize, id).result,
    run: (target, size, id) => runGc(target, size, id),
  },
};

async function main() {
  const implementation = implementations[spec.implementation];
  const kind = kinds[spec.workload === 'sqljs' ? 'sqljs' : images[spec.workload] ? 'image' : gcWorkloads[spec.workload] ? 'gc' : 'kernel'];
  const began = performance.now();
  const target = await kind.load(implementation, spec.workload);
  const startupMs = performance.now() - began;
  // Start-up to first result: from the same origin, through the first small
  // operation (checked: sql.js's answer here, the others' against native's
  // by the caller). A failure here is reported with the sample and does not
  // stop the workload, so steady figures survive a first-result bug.
  let firstResult;
  let firstResultError;
  try {
    firstResult = kind.first(target, spec.workload);
  } catch (error) {
    firstResultError = String(error?.message ?? error).split('\n')[0];
  }
  const firstResultMs = performance.now() - began;

  const steadyMs = [];
  const phases = {};
  let result;
  let firstMs;
  for (let i = 0; i < spec.warmup + spec.iterations; i++) {
    const started = performance.now();
    const run = kind.run(target, spec.size, spec.workload);
    const value = run.result;
    const elapsed = performance.now() - started;
    if (i >= spec.warmup) for (const [name, ms] of Object.entries(run.phases ?? {})) (phases[name] ??= []).push(ms);
    if (i === 0) firstMs = elapsed;
    if (result !== undefined && value !== result) {
      throw new Error(`result changed between iterations: ${result} then ${value}`);
    }
    result = value;
    if (i >= spec.warmup) steadyMs.push(elapsed);
  }
  const phaseMedians = Object.fromEntries(Object.entries(phases).map(([name, list]) => [name, median(list)]));
  return { startupMs, firstResultMs, firstResult, firstResultError, firstMs, steadyMs, steadyMedianMs: median(steadyMs), phases: phaseMedians, result };
}

await reportAndExit(main, 6);
