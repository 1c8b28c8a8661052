// `npm run bench`: wasm2es against native WebAssembly, binaryen's wasm2js
// and polywasm on sql.js, five micro kernels, a C image pipeline built
// with and without SIMD (bench/workloads/image.js) and two WebAssembly GC
// workloads (bench/workloads/gc.js), with the JIT and under
// `node --jitless`; then compile speed and output size against wasm2js -O3.
// Writes bench/results.md, bench/results.json and the README's bench region.
//
// Method. Every sample is a fresh child process (bench/worker.js) that loads
// one workload on one implementation (startup: load + instantiate), gets a
// first result from a tiny first operation (start-up to first result), runs
// it `warmup` times, then `iterations` timed times (steady work: their median).
// Rounds interleave implementations (the order rotates every round) so
// drift in machine load spreads over all of them; a figure is the median
// over rounds. Every sample's result is checked against native
// WebAssembly's result for the same input; a mismatch is reported as a
// wrong result, never as a time.
//
// Large modules (bench/lib/large.js): CLI compile time and peak memory, and
// run-time start-up, for sql-wasm.wasm and four big npm-packaged modules.
// Part of the full run; --quick leaves them out unless --large is given.
// `--workloads large` (alone) runs only them; --large-modules picks some.
// `--workloads image` stands for both builds of the image pipeline
// (image-simd,image-scalar), `--workloads gc` for both GC workloads
// (gc-moonbit,gc-wat).
//
// The GC workloads use the final GC encoding, which Node 20 cannot run:
// their samples, every implementation's alike, run on a Node that can
// (bench/lib/gc-node.js; `--gc-node <path>` picks one), and their titles
// name it when it is not the Node running the bench. wasm2js and polywasm
// have no GC: their cells say so instead of failing.
//
//   node bench/run.js [--quick] [--rounds N] [--modes jit,jitless]
//                     [--workloads sqljs,calls,...,image,large] [--implementations native,wasm2js,...]
//                     [--large | --no-large] [--large-modules sqljs,resvg,tiktoken,esbuild,lightningcss]
//                     [--gc-node <path>] [--no-compile] [--no-write]

import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAll } from './lib/build.js';
import { compileStats } from './lib/compile-stats.js';
import { findGcNode } from './lib/gc-node.js';
import { implementations } from './lib/implementations.js';
import { largeModules, largeStats } from './lib/large.js';
import * as paths from './lib/paths.js';
import { machine, notSupportedYet, renderReadmeRegion, renderResults, summarize, updateReadme } from './lib/report.js';
import { expectedGc, gcFiles, gcWorkloads } from './workloads/gc.js';
import { imageFiles, images } from './workloads/image.js';
import { kernels } from './workloads/kernels.js';
import { sizes as sqljsSizes } from './workloads/sqljs.js';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    modes: { type: 'string', default: 'jit,jitless' },
    workloads: { type: 'string' },
    implementations: { type: 'string' },
    compile: { type: 'boolean', default: true },
    'no-compile': { type: 'boolean', default: false },
    write: { type: 'boolean', default: true },
    'no-write': { type: 'boolean', default: false },
    large: { type: 'boolean' },
    'no-large': { type: 'boolean', default: false },
    'large-modules': { type: 'string' },
    'gc-node': { type: 'string' },
  },
});

const log = (message) => process.stderr.write(message + '\n');
const modes = options.modes.split(',');
const selected = (list, all) => (list ? list.split(',').filter((id) => all.includes(id)) : all);
const expandAliases = (list) => list
  ?.replace(/\bimage\b(?!-)/g, Object.keys(images).join(','))
  .replace(/(?<!-)\bgc\b(?!-)/g, Object.keys(gcWorkloads).join(','));

const workloads = selected(expandAliases(options.workloads), ['sqljs', ...Object.keys(kernels), ...Object.keys(images), ...Object.keys(gcWorkloads)]).map((id) => ({
  id,
  title: id === 'sqljs' ? 'sql.js (insert, aggregate, join, lookups)' : (kernels[id] ?? images[id] ?? gcWorkloads[id]).title,
  size: (mode) => (id === 'sqljs' ? sqljsSizes[mode] : (kernels[id] ?? images[id] ?? gcWorkloads[id]).sizes[mode]),
  simd: images[id]?.simd ?? false,
  gc: id in gcWorkloads,
}));
const implementationIds = selected(options.implementations, Object.keys(implementations));
const runLarge = !options['no-large'] && (options.large ?? (options.workloads ? options.workloads.split(',').includes('large') : !options.quick));
const largeIds = selected(options['large-modules'], largeModules.map((m) => m.id));

/** Per mode: rounds, and warm-up / timed iterations inside each sample. */
const plan = options.quick
  ? { jit: { rounds: 1, warmup: 1, iterations: 2 }, jitless: { rounds: 1, warmup: 0, iterations: 1 } }
  : { jit: { rounds: 5, warmup: 2, iterations: 5 }, jitless: { rounds: 3, warmup: 1, iterations: 3 } };
if (options.rounds) for (const mode of modes) plan[mode].rounds = Number(options.rounds);

const sampleTimeoutMs = 600_000;

/** The Node that runs the GC workloads: { path, version } or { error }; set once their modules are built. */
let gcNode = null;

function sample(mode, implementation, workload, { warmup, iterations }, size = workload.size(mode)) {
  if (workload.gc && gcNode.error) return Promise.resolve({ error: gcNode.error });
  const spec = { implementation, workload: workload.id, size, warmup, iterations };
  const args = [...(mode === 'jitless' ? ['--jitless'] : []), join(paths.benchDir, 'worker.js'), JSON.stringify(spec)];
  return new Promise((resolve) => {
    execFile(workload.gc ? gcNode.path : process.execPath, args, { cwd: paths.repoRoot, timeout: sampleTimeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        const reason = error?.killed ? `timed out after ${sampleTimeoutMs / 1000} s` : `crashed (${error?.code ?? error?.signal ?? 'no output'})`;
        resolve({ error: `${reason}: ${stderr.split('\n').filter(Boolean).slice(-3).join(' / ').slice(0, 500)}` });
      }
    });
  });
}

async function runMode(mode, buildFailures) {
  const { rounds } = plan[mode];
  const ids = implementationIds.filter((id) => mode === 'jit' || implementations[id].jitless !== false);
  const samples = {};
  const references = {};
  const firstReferences = {};
  const failedReferences = {};
  for (const workload of workloads) {
    samples[workload.id] = Object.fromEntries(ids.map((id) => [id, []]));
    // The reference result: native WebAssembly, JIT on, same input.
    const reference = await sample('jit', 'native', workload, { warmup: 0, iterations: 1 }, workload.size(mode));
    if (reference.error && workload.gc) {
      // No Node to run it natively: every cell says why, the rest goes on.
      log(`${workload.id}: native reference failed: ${reference.error}`);
      failedReferences[workload.id] = `native reference failed: ${reference.error}`;
      continue;
    }
    if (reference.error) throw new Error(`native reference for ${workload.id} failed: ${reference.error}`);
    references[workload.id] = reference.result;
    firstReferences[workload.id] = reference.firstResult;
    // A GC workload's checksums are computed without WebAssembly too, so
    // native's answer is known right before the others are held to it.
    if (workload.gc) {
      const expected = [expectedGc(workload.id, workload.size(mode)), expectedGc(workload.id, gcWorkloads[workload.id].firstSize)];
      if (reference.result !== expected[0] || reference.firstResult !== expected[1]) {
        throw new Error(`${workload.id}: native wasm gives ${reference.result} (first result ${reference.firstResult}), ` +
          `the JavaScript formulas ${expected[0]} (${expected[1]})`);
      }
    }
  }
  // Both builds of the image pipeline are one C source: native WebAssembly
  // must give the same checksum for each (the host build prints it too).
  const [simdBuild, scalarBuild] = Object.keys(images).map((id) => references[id]);
  if (simdBuild !== undefined && scalarBuild !== undefined && simdBuild !== scalarBuild) {
    throw new Error(`image pipeline: the SIMD build's checksum ${simdBuild} differs from the scalar build's ${scalarBuild}`);
  }
  for (let round = 0; round < rounds; round++) {
    for (const workload of workloads) {
      const order = ids.map((_, i) => ids[(i + round) % ids.length]);
      for (const id of order) {
        const failure = failedReferences[workload.id] ?? buildFailures[id]?.[workload.id];
        const result = workload.simd && implementations[id].simd === false ? { unsupported: `${implementations[id].label} has no SIMD`, cell: 'no SIMD' }
          : workload.gc && implementations[id].gc === false ? { unsupported: `${implementations[id].label} has no GC support`, cell: 'n/a (no GC support)' }
          : failure ? { error: failure } : await sample(mode, id, workload, plan[mode]);
        samples[workload.id][id].push(result);
        const shown = result.unsupported ? `not run: ${result.unsupported}`
          : notSupportedYet(result.error) ? `${implementations[id].label}: not supported yet: ${notSupportedYet(result.error)}`
          : result.error ? `error: ${result.error.split('\n')[0].slice(0, 160)}`
          : result.result !== references[workload.id] ? `WRONG RESULT ${result.result}`
          : `startup ${result.startupMs.toFixed(1)} ms, ` +
            (result.firstResultError ? `first result error: ${result.firstResultError.slice(0, 160)}`
              : result.firstResult !== firstReferences[workload.id] ? `WRONG FIRST RESULT ${result.firstResult}`
              : `first result ${result.firstResultMs.toFixed(1)} ms`) +
            `, steady ${result.steadyMedianMs.toFixed(1)} ms`;
        log(`[${mode} ${round + 1}/${rounds}] ${workload.id} ${id}: ${shown}`);
      }
    }
  }
  const figures = {};
  for (const workload of workloads) {
    figures[workload.id] = {};
    for (const id of ids) figures[workload.id][id] = summarize(samples[workload.id][id], references[workload.id], firstReferences[workload.id]);
  }
  return {
    implementations: ids.map((id) => ({
      id,
      label: implementations[id].sqljsLabel ? `${implementations[id].label} (sql.js: ${implementations[id].sqljsLabel})` : implementations[id].label,
    })),
    workloads: workloads.map(({ id, title, simd, gc }) => ({ id, title: gc && gcNode.path && gcNode.path !== process.execPath ? `${title}, on Node ${gcNode.version.replace(/^v/, '')}` : title, simd, gc })),
    sizes: Object.fromEntries(workloads.map((w) => [w.id, w.size(mode)])),
    plan: plan[mode],
    references,
    firstReferences,
    figures,
    samples,
    baseline: mode === 'jit' ? () => 'native' : () => 'wasm2js',
  };
}

const method = [
  'Method: every sample is a fresh `node` process that loads one workload on one implementation (startup = load + instantiate,',
  'including importing the implementation itself), then times start-up to first result (from the same origin through a tiny',
  'first operation: for sql.js `new SQL.Database()`, one `exec` of a CREATE/INSERT/SELECT script checked to give [[3,"x,y"]],',
  'and `close()`; for a kernel, `run(n)` with a tiny n, checked against native), runs it `warmup` times, then `iterations`',
  'timed times; steady work is the median of those. Rounds interleave the implementations in a rotating order; each figure',
  'is the median over rounds. The C image pipeline (bench/c/image.c, clang 14 -O3) is one source built with and without',
  '`-msimd128`; its first operation also fills its input images, and wasm2js and polywasm, which have no SIMD, run only the',
  'scalar build.',
  'Results are checked against native WebAssembly (JIT on, same input); a mismatch is reported as a wrong result.',
  `With the JIT: ${plan.jit.rounds} rounds × (${plan.jit.warmup} warm-up + ${plan.jit.iterations} timed). ` +
    `Under --jitless: ${plan.jitless.rounds} rounds × (${plan.jitless.warmup} warm-up + ${plan.jitless.iterations} timed), smaller inputs.`,
  'Implementations: native = V8\'s WebAssembly; wasm2es AOT = the CLI\'s ES module output with wasm2es/runtime (under --jitless the',
  'output of `--tune interpreter`, as one would ship for engines without a JIT); wasm2es polyfill = run-time compilation after',
  '`import \'wasm2es/polyfill\'` (with the JIT on, its WebAssembly replaces the engine\'s; under --jitless it compiles tuned for',
  'interpreters by itself); wasm2js = binaryen 132',
  '`wasm2js -O3` for the kernels and sql.js\'s own sql-asm.js for sql.js; polywasm 0.2.0. sql.js runs its unmodified glue on each',
  'WebAssembly implementation.',
  'GC workloads (bench/workloads/gc.js): a MoonBit program compiled by its wasm-gc backend (bench/gc/moonbit.mbt) and a hand-written',
  'module (bench/gc/binary-trees.wat); their checksums are also computed in plain JavaScript and native\'s must equal them. They use the',
  'final GC encoding, which Node 20\'s V8 cannot run, so all their samples, every implementation\'s, run on a Node that can (named in',
  'their title when it is not the one running the bench); their ratios are within that Node. wasm2js and polywasm have no GC.',
].join('\n');

const compileInputs = () => [
  { label: 'sql.js sql-wasm.wasm', file: paths.sqlWasm },
  ...Object.keys(kernels).map((name) => ({ label: `kernel ${name}`, file: paths.kernelWasm(name) })),
  ...['lz', 'hash', 'numeric', 'reactor', 'image', 'image-simd'].map((name) => ({ label: `clang ${name}.wasm`, file: join(paths.benchDir, 'c', name + '.wasm') })),
  ...Object.keys(gcWorkloads).map((id) => ({ label: `gc ${basename(gcFiles(id).wasm)}`, file: gcFiles(id).wasm, wasm2js: false })).filter(({ file }) => existsSync(file)),
];

// `--workloads large` alone: only the large modules, nothing to build.
const programs = [
  ...Object.entries(images).map(([id, image]) => ({ id, files: imageFiles(id), simd: image.simd })),
  ...Object.keys(gcWorkloads).map((id) => ({ id, files: gcFiles(id), simd: false, gc: true })),
];
const buildFailures = workloads.length ? await buildAll(Object.keys(kernels), programs, log) : {};
const gcSelected = workloads.filter((w) => w.gc);
if (gcSelected.length) {
  gcNode = findGcNode(gcSelected.map((w) => gcFiles(w.id).wasm), { requested: options['gc-node'], log });
  log(gcNode.error ? `gc: ${gcNode.error}` : `gc: the GC workloads run on ${gcNode.path} (${gcNode.version})`);
}
const results = { date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', machine: machine(), method, runs: {} };
if (gcNode) results.gcNode = gcNode;
if (workloads.length) {
  for (const mode of modes) {
    log(`== ${mode}`);
    results.runs[mode] = await runMode(mode, buildFailures);
  }
}
if (options.compile && !options['no-compile'] && workloads.length) results.compile = compileStats(compileInputs(), { runs: options.quick ? 1 : 3, log });
if (runLarge) {
  log('== large modules');
  results.large = await largeStats({ ids: largeIds, runs: options.quick ? 1 : 3, log });
}

const markdown = renderResults(results);
process.stdout.write(markdown + '\n');
if (options.write && !options['no-write']) {
  writeFileSync(join(paths.benchDir, 'results.md'), markdown + '\n');
  writeFileSync(join(paths.benchDir, 'results.json'), JSON.stringify(results, (key, value) => (key === 'baseline' ? undefined : value), 1) + '\n');
  updateReadme(renderReadmeRegion(results));
  log('wrote bench/results.md, bench/results.json and the README bench region');
}
