#!/usr/bin/env node
// The mutation fuzzer for malformed and hostile input. It takes valid
// modules (corpus.js), applies seeded mutations (bit flips, byte changes,
// truncation, insertion, deletion, section duplication, reordering and
// removal, overlong LEB128s, huge counts, stray opcodes) and checks that
// compile() ends in one of two ways: JavaScript, or a CompileError whose
// message names a byte offset. Anything else is an unexpected outcome:
// another exception type, a compile slower than 2 s, or memory out of
// proportion to the input. It also asks the engine's WebAssembly.validate
// and reports each module one accepts and the other rejects (a validation
// bug, unless wasm2es's message says the feature is not supported yet).
//
//   node test/mutate/mutate.js [--count N] [--seed S] [--start I] [--save DIR] [--small] [--without NAME]... [--verbose]
//
// A (seed, index) pair names one mutant on any machine with the same
// corpus: `--seed S --start I --count 1 --verbose` reruns it, and `--save
// DIR` writes every finding to DIR/<seed>-<index>.wasm. The CLI
// compiles with dist/ (run `npm run build` first) in a worker thread, so a
// compile that never returns is stopped and reported as a hang.
// test/mutate.test.ts runs a short seeded batch in-process.

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { decode } from '../../dist/compiler/decode.js';
import { loadCorpus } from './corpus.js';
import { createMutant, MUTATION_NAMES } from './mutations.js';

// The engine judges with the proposals wasm2es implements that Node 20's V8
// keeps behind flags (they only make more modules valid): a mutant that
// turns a constant into extended-constant arithmetic is valid on both sides.
// Later V8s (Node 24's 13.6) ship all three and no longer know the flags.
if (Number(process.versions.v8.split('.')[0]) < 12) {
  setFlagsFromString('--experimental-wasm-extended-const');
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  setFlagsFromString('--experimental-wasm-return-call');
}

/**
 * A compile that takes more CPU time than this is reported. CPU time, not
 * wall time: the fuzzer often shares the machine, and a compile that waits
 * for a core is not slow.
 */
export const SLOW_MS = 2000;
/**
 * ...and more than this many times what its unmutated base takes, measured
 * again at once: a big module near 2 s on a loaded machine is not a finding.
 */
export const SLOW_FACTOR = 3;
/** Memory a compile may take: this plus MEMORY_PER_BYTE for each input byte. */
export const MEMORY_BASE = 64 * 1024 * 1024;
export const MEMORY_PER_BYTE = 100;
/**
 * The CLI's worker is presumed hung after this long (wall time) on one
 * mutant; the mutant is then tried once more in a new worker before it is
 * reported.
 */
const HANG_MS = 20_000;

// ---------------------------------------------------------------------------
// Judging one mutant.

/**
 * Compiles `bytes` and classifies the outcome: 'compiled', 'rejected' (a
 * located CompileError), 'unsupported' (rejected, naming a feature the
 * engine has), '3.0 only' (compiled, using multi-memory or exception
 * handling's final encoding, which the engine rejects: see beyondEngine),
 * or one of the unexpected kinds 'exception', 'no offset', 'slow',
 * 'memory', or a disagreement with the engine: 'accepts invalid', 'rejects
 * valid'.
 */
export function judge(compile, bytes, tune = 'jit', slowMs = SLOW_MS) {
  const heapBefore = process.memoryUsage();
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const cpuBefore = process.cpuUsage();
  let error = null;
  try {
    compile(bytes, { tune });
  } catch (caught) {
    error = caught;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const ms = (cpu.user + cpu.system) / 1000;
  const heapAfter = process.memoryUsage();
  const growth = Math.max(
    heapAfter.heapUsed + heapAfter.external - heapBefore.heapUsed - heapBefore.external,
    process.resourceUsage().maxRSS * 1024 - peakBefore,
  );
  const message = error === null ? '' : `${error?.name}: ${error?.message}`;
  const engineAccepts = WebAssembly.validate(bytes);
  const outcome = (kind) => ({ kind, message, ms: Math.round(ms), growth, engineAccepts });
  if (error !== null && error?.name !== 'CompileError') return outcome('exception');
  if (error !== null && !/\(at 0x[0-9a-f]+[,)]/.test(error.message)) return outcome('no offset');
  if (ms > slowMs) return outcome('slow');
  if (growth > MEMORY_BASE + MEMORY_PER_BYTE * bytes.length) return outcome('memory');
  if (error === null && !engineAccepts && beyondEngine(bytes)) return outcome('3.0 only');
  if (error === null) return outcome(engineAccepts ? 'compiled' : 'accepts invalid');
  if (!engineAccepts) return outcome('rejected');
  return outcome(/not supported/.test(error.message) ? 'unsupported' : 'rejects valid');
}

/**
 * Whether the module uses a 3.0 feature that Node 20's V8 (11.3) does not
 * have even behind a flag: multi-memory (a memory index after a load's
 * flags or where 2.0 has a 0x00 byte, which a mutation easily writes, or a
 * second memory), or exception handling's final encoding (try_table,
 * throw_ref, the exnref type; V8 11.3 has only the legacy try, whose
 * mutants it still judges), memory64's 64-bit memories and tables, or typed
 * references and GC (a draft in another encoding). V8 cannot judge such a module; the spec
 * suite's proposals/multi-memory and proposals/exception-handling hold
 * wasm2es to the spec's decisions on them instead ('3.0 only'). Under
 * Node 24 with --experimental-wasm-exnref, V8 validates the final encoding
 * and judges those mutants itself.
 */
function beyondEngine(bytes) {
  try {
    const module = decode(bytes);
    if (module.multiMemory !== null || module.exnref !== null || module.gc !== null) return true;
    // memory64: a limits flag of 4 or 5 (a mutation writes one easily); V8 11.3 has only a draft behind a flag.
    const types = [...module.memories, ...module.tables, ...module.imports.filter((entry) => entry.desc.kind === 1 || entry.desc.kind === 2).map((entry) => entry.desc.type)];
    return types.some((type) => type.address64 === true);
  } catch {
    return false;
  }
}

export const UNEXPECTED = new Set(['exception', 'no offset', 'slow', 'memory', 'hang', 'crash']);
export const DISAGREEMENTS = new Set(['accepts invalid', 'rejects valid']);

/** CPU milliseconds `run` takes, whether it throws or not. */
function cpuTime(run) {
  const before = process.cpuUsage();
  try {
    run();
  } catch {
    // Only the time matters.
  }
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / 1000;
}

/**
 * Runs mutants start..start+count-1 in this thread. A slow compile or
 * memory spike is judged a second time before it is reported, since other
 * work on the machine can cause either. `onResult` sees every mutant.
 */
export function runMutants({ compile, corpus, seed, start = 0, count, without = [], onResult = () => {} }) {
  const counts = {};
  const findings = [];
  for (let index = start; index < start + count; index++) {
    const mutant = createMutant(corpus, seed, index, without);
    let outcome = judge(compile, mutant.bytes, mutant.tune);
    if (outcome.kind === 'slow') {
      const baseMs = cpuTime(() => compile(corpus.find((base) => base.name === mutant.base).bytes, { tune: mutant.tune }));
      outcome = judge(compile, mutant.bytes, mutant.tune, Math.max(SLOW_MS, SLOW_FACTOR * baseMs));
    } else if (outcome.kind === 'memory') {
      outcome = judge(compile, mutant.bytes, mutant.tune);
    }
    counts[outcome.kind] = (counts[outcome.kind] ?? 0) + 1;
    const { bytes, ...described } = mutant;
    if (UNEXPECTED.has(outcome.kind) || DISAGREEMENTS.has(outcome.kind)) findings.push({ ...described, size: bytes.length, ...outcome });
    onResult(mutant, outcome);
  }
  return { counts, findings };
}

// ---------------------------------------------------------------------------
// The command line: a worker runs the mutants and reports each one, the
// main thread watches for hangs and crashes and restarts the worker after
// the mutant that caused them.

function parseArguments(argv) {
  const options = { count: 1000, seed: 1, start: 0, save: null, small: false, without: [], verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--count') options.count = Number(value());
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--start') options.start = Number(value());
    else if (arg === '--save') options.save = value();
    else if (arg === '--small') options.small = true;
    else if (arg === '--without') {
      const name = value();
      if (!MUTATION_NAMES.includes(name)) usage(`unknown mutation "${name}"; the mutations are: ${MUTATION_NAMES.join(', ')}`);
      options.without.push(name);
    }
    else if (arg === '--verbose' || arg === '-v') options.verbose = true;
    else usage(`unknown argument ${arg}`);
  }
  for (const key of ['count', 'seed', 'start']) {
    if (!Number.isInteger(options[key]) || options[key] < 0 || options[key] >= 2 ** 32) usage(`--${key} must be an integer from 0 to 2^32-1`);
  }
  return options;
}

function usage(problem) {
  console.error(`mutate: ${problem}
usage: node test/mutate/mutate.js [--count N] [--seed S] [--start I] [--save DIR] [--small] [--without NAME]... [--verbose]
  --count N   mutants to try (default 1000)
  --seed S    the run's seed (default 1); mutant I of seed S is the same on any machine
  --start I   first mutant index (default 0)
  --save DIR  write every unexpected or disagreeing mutant to DIR/<seed>-<index>.wasm
  --small     leave the C benchmarks out of the corpus (faster)
  --without M leave out mutation M (repeatable; changes which mutant an index names):
              ${MUTATION_NAMES.join(', ')}
  --verbose   print every mutant's outcome`);
  process.exit(2);
}

async function loadWabt() {
  try {
    const { default: init } = await import('wabt');
    return await init();
  } catch {
    return undefined;
  }
}

async function workerMain() {
  const { compile } = await import('../../dist/index.js');
  const corpus = loadCorpus({ wabt: await loadWabt(), large: !workerData.small });
  parentPort.postMessage({ ready: true });
  runMutants({
    compile,
    corpus,
    seed: workerData.seed,
    start: workerData.start,
    count: workerData.count,
    without: workerData.without,
    onResult: (mutant, outcome) => {
      const { bytes, ...described } = mutant;
      parentPort.postMessage({ mutant: { ...described, size: bytes.length }, outcome, bytes: UNEXPECTED.has(outcome.kind) || DISAGREEMENTS.has(outcome.kind) ? bytes : null });
    },
  });
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const end = options.start + options.count;
  const counts = {};
  const findings = [];
  let next = options.start;
  // The worker loads the same corpus; this copy describes the mutants it hangs or crashes on.
  const corpus = loadCorpus({ wabt: await loadWabt(), large: !options.small });
  const began = performance.now();

  const record = (mutant, outcome, bytes) => {
    counts[outcome.kind] = (counts[outcome.kind] ?? 0) + 1;
    if (options.verbose) console.log(`${mutant.index} ${outcome.kind} ${outcome.ms ?? '-'} ms CPU ${mutant.base}: ${mutant.steps.join('; ')}${outcome.message ? ` -> ${outcome.message}` : ''}`);
    if (UNEXPECTED.has(outcome.kind) || DISAGREEMENTS.has(outcome.kind)) {
      findings.push({ ...mutant, ...outcome });
      if (options.save !== null && bytes !== null) {
        mkdirSync(options.save, { recursive: true });
        writeFileSync(join(options.save, `${options.seed}-${mutant.index}.wasm`), bytes);
      }
    }
    if (!options.verbose && (mutant.index + 1 - options.start) % 1000 === 0) {
      console.log(`${mutant.index + 1 - options.start}/${options.count} mutants, ${((performance.now() - began) / 1000).toFixed(0)} s`);
    }
  };

  // One worker at a time; a hang or crash ends it, and the next starts at
  // the culprit, which is reported if it fails a second time.
  let suspect = -1;
  while (next < end) {
    await new Promise((resolve) => {
      const worker = new Worker(fileURLToPath(import.meta.url), {
        workerData: { mutateWorker: true, seed: options.seed, start: next, count: end - next, small: options.small, without: options.without },
        // A runaway allocation ends the worker, not the machine.
        resourceLimits: { maxOldGenerationSizeMb: 2048 },
      });
      let last = performance.now();
      let finished = false;
      const finish = (kind, message) => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        if (kind !== null && next < end) {
          if (suspect === next) {
            const { bytes, ...mutant } = createMutant(corpus, options.seed, next, options.without);
            record({ ...mutant, size: bytes.length }, { kind, message, ms: null, growth: 0, engineAccepts: WebAssembly.validate(bytes) }, bytes);
            next++;
          } else {
            suspect = next;
          }
        }
        resolve();
      };
      const watchdog = setInterval(() => {
        if (performance.now() - last > HANG_MS) {
          worker.terminate();
          finish('hang', `no result after ${HANG_MS / 1000} s`);
        }
      }, 1000);
      worker.on('message', (message) => {
        last = performance.now();
        if (message.ready) return;
        record(message.mutant, message.outcome, message.bytes);
        next = message.mutant.index + 1;
      });
      worker.on('error', (error) => finish('crash', `the worker died: ${error?.message}`));
      worker.on('exit', (code) => finish(next < end ? 'crash' : null, `the worker exited with code ${code}`));
    });
  }

  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  const without = options.without.map((name) => ` --without "${name}"`).join('');
  console.log(`\nseed ${options.seed}, mutants ${options.start}..${end - 1} (${options.count})${without} over a corpus of ${corpus.length} modules, ${seconds} s`);
  for (const [kind, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) console.log(`  ${kind.padEnd(16)} ${n}`);
  const unexpected = findings.filter((f) => UNEXPECTED.has(f.kind));
  const disagreements = findings.filter((f) => DISAGREEMENTS.has(f.kind));
  const show = (title, list) => {
    console.log(`\n${title}: ${list.length}`);
    for (const f of list.slice(0, 50)) console.log(`  #${f.index} ${f.kind} (${f.base}; ${f.steps.join('; ')}; ${f.ms ?? '-'} ms CPU, ${(f.growth / 1e6).toFixed(0)} MB): ${f.message}`);
  };
  show('unexpected outcomes', unexpected);
  show('disagreements with the engine\'s WebAssembly.validate', disagreements);
  process.exitCode = unexpected.length + disagreements.length > 0 ? 1 : 0;
}

const isCli = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (!isMainThread && workerData?.mutateWorker === true) await workerMain();
else if (isMainThread && isCli) await main();
