// One benchmark sample, in its own process (so startup is cold and no
// implementation's JIT state leaks into another's): load one workload on one
// implementation, get its first result (a tiny first operation: sql.js's
// first query, a kernel's call with `firstSize`), run it warmup + iterations
// times, print one JSON line.
//
//   node [--jitless] bench/worker.js '{"implementation":"native","workload":"calls","size":2000000,"warmup":2,"iterations":5}'

import { implementations } from './lib/implementations.js';
import { kernelResult, kernels } from './workloads/kernels.js';
import { firstQuery, runSqljs } from './workloads/sqljs.js';
import { reportAndExit } from './lib/child-report.js';

const spec = JSON.parse(process.argv[2]);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  const implementation = implementations[spec.implementation];
  const isSqljs = spec.workload === 'sqljs';
  const began = performance.now();
  const target = isSqljs ? await implementation.sqljs() : await implementation.kernel(spec.workload);
  const startupMs = performance.now() - began;
  // Start-up to first result: from the same origin, through the first small
  // operation (checked: sql.js's answer here, a kernel's against native's by
  // the caller). A failure here is reported with the sample and does not
  // stop the workload, so steady figures survive a first-result bug.
  let firstResult;
  let firstResultError;
  try {
    firstResult = isSqljs ? firstQuery(target) : kernelResult(target.run(kernels[spec.workload].firstSize));
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
    let value;
    if (isSqljs) {
      const run = runSqljs(target, spec.size);
      value = run.result;
      if (i >= spec.warmup) for (const [name, ms] of Object.entries(run.phases)) (phases[name] ??= []).push(ms);
    } else {
      value = kernelResult(target.run(spec.size));
    }
    const elapsed = performance.now() - started;
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
