#!/usr/bin/env node
// `npm run spec`: runs the official testsuite's top-level .wast scripts
// (except simd_*) on wasm2es, or with --engine native on the engine's own
// WebAssembly, in a pool of worker threads, and checks the outcome against
// known-failures.txt. Exit status 1 on any unexpected failure or pass.
//
//   npm run spec -- [name...] [--engine wasm2es|native|wasm2es-compile] [--format esm|lazy|body]
//                   [--verbose] [--report] [--jobs N] [--timeout SECONDS]
//                   [--update-known-failures]
//
// A name selects files by stem (`i32`, `memory_grow`), else by substring;
// the SIMD scripts only by name: `simd` (simd_*.wast), `relaxed-simd`
// (proposals/relaxed-simd), or a stem or part of one (`simd_lane`, `i8x16`);
// a 3.0 proposal's folder by its name (`extended-const`, `exception-handling`),
// one of its scripts by its path (`proposals/exception-handling/legacy/throw`).

import { Worker } from 'node:worker_threads';
import { statSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { findTestsuite, selectFiles, PROPOSALS, ROOT } from './suite.js';
import { readKnownFailures, classify, updateKnownFailures, readHeader, oneLine } from './known-failures.js';
import { tally, ALL_KINDS, conformanceTable, writeReadmeRegion } from './report.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

const HELP = `usage: npm run spec -- [name...] [options]
  name                  run only these files (stem, e.g. i32 memory_grow; else substring);
                        the SIMD scripts run only when named: simd, relaxed-simd, simd_lane, ...;
                        so do the 3.0 proposals' folders: ${PROPOSALS.join(', ')},
                        and their scripts by path: proposals/exception-handling/legacy/throw
  --engine E            wasm2es (default), native (the runner checked on V8 itself), or
                        wasm2es-compile (diagnostic: wasm2es's compile() decides validity, V8 runs)
  --format F            wasm2es loading: esm (default, the ahead-of-time output), lazy (the polyfill: functions
                        generated on first call) or body (the whole body through new Function)
  --verbose             print every failure with its message, and trap messages that differ from the spec's
  --report              run every file, SIMD included, and write the conformance table into README.md
  --jobs N              worker threads (default: min(2, cores))
  --split-threshold N   compile with function splitting from N syntax-tree nodes (tests compiler/split.ts)
  --flatten-height N    flatten functions nesting deeper than N statements into state machines (tests compiler/flatten.ts)
  --tune T              compile tuned for jit (default) or interpreter (typed-array memory reads, no splitting)
  --timeout S           seconds one command may run before it is stopped (default 30)
  --update-known-failures  rewrite the known-failures list from this run (new entries are UNTRIAGED)`;

function parseArguments(argv) {
  const options = { names: [], engine: 'wasm2es', format: 'esm', verbose: false, report: false, jobs: Math.min(2, availableParallelism()), timeout: 30, update: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--engine') options.engine = value();
    else if (arg === '--format') options.format = value();
    else if (arg === '--verbose' || arg === '-v') options.verbose = true;
    else if (arg === '--report') options.report = true;
    else if (arg === '--split-threshold') process.env.WASM2ES_SPLIT_THRESHOLD = String(Math.max(1, Number(value())));
    else if (arg === '--flatten-height') process.env.WASM2ES_FLATTEN_HEIGHT = String(Math.max(1, Number(value())));
    else if (arg === '--tune') {
      const tune = value();
      if (tune !== 'jit' && tune !== 'interpreter') fail(`unknown tune ${tune}`);
      process.env.WASM2ES_TUNE = tune;
    } else if (arg === '--jobs' || arg === '-j') options.jobs = Math.max(1, Number(value()));
    else if (arg === '--timeout') options.timeout = Number(value());
    else if (arg === '--update-known-failures') options.update = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (arg.startsWith('-')) fail(`unknown option ${arg}\n${HELP}`);
    else options.names.push(arg.replace(/\.wast$/, ''));
  }
  if (!['wasm2es', 'native', 'wasm2es-compile'].includes(options.engine)) fail(`unknown engine ${options.engine}`);
  if (!['esm', 'lazy', 'body'].includes(options.format)) fail(`unknown format ${options.format}`);
  if (options.report && options.names.length) fail('--report needs a full run (no file names)');
  return options;
}

function fail(message) {
  console.error(`spec: ${message}`);
  process.exit(2);
}

/** How often one file may be restarted after hung or crashed commands. */
const MAX_RESTARTS = 8;
/** A worker whose heap grew past this is replaced after its file (imported modules are never freed). */
const RECYCLE_HEAP_BYTES = 1024 ** 3;

/**
 * Runs the files in a pool of workers. A command that runs longer than the
 * timeout (or crashes its worker) is stopped with the worker; the file then
 * runs again from the start, with that command recorded as failed and not run.
 * @returns {Promise<Map<string, { results: any[], ms: number }>>}
 */
function runPool(files, dir, options) {
  const queue = files
    .map((file) => ({ file, path: join(dir, file), skipLines: [], restarts: 0, size: statSync(join(dir, file)).size }))
    .sort((a, b) => b.size - a.size); // largest first, for a balanced finish
  const outcomes = new Map();
  let active = 0;

  return new Promise((resolveAll, rejectAll) => {
    const startWorker = () => {
      const progress = new SharedArrayBuffer(8);
      const counters = new Int32Array(progress);
      const worker = new Worker(new URL('./worker.js', import.meta.url), {
        workerData: { engine: options.engine, format: options.format, progress },
        stdout: false,
        stderr: false,
      });
      active++;
      let job;
      let lastCount = -1;
      let lastChange = Date.now();
      let finished = false;

      const watchdog = setInterval(() => {
        if (!job) return;
        const count = Atomics.load(counters, 1);
        if (count !== lastCount) {
          lastCount = count;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > options.timeout * 1000) {
          abandon(`timed out after ${options.timeout}s`);
        }
      }, 250);

      const next = () => {
        job = queue.shift();
        lastCount = -1;
        lastChange = Date.now();
        if (job) worker.postMessage({ file: job.file, path: job.path, skipLines: job.skipLines });
        else {
          stop();
          doneIfIdle();
        }
      };
      const stop = () => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        worker.terminate();
        active--;
      };
      const doneIfIdle = () => {
        if (active === 0 && queue.length === 0) resolveAll(outcomes);
      };
      /** The current command hung or crashed the worker: requeue its file without it, on a new worker. */
      const abandon = (why) => {
        const current = job;
        job = undefined;
        stop();
        if (current) {
          const line = Atomics.load(counters, 0);
          console.error(`spec: ${current.file}:${line} ${why}; running the file again without it`);
          current.skipLines.push(line);
          current.restarts++;
          if (current.restarts > MAX_RESTARTS) {
            outcomes.set(current.file, { results: [], ms: 0, error: `gave up after ${MAX_RESTARTS} hung or crashed commands` });
          } else {
            queue.unshift(current);
          }
        }
        if (queue.length) startWorker();
        else doneIfIdle();
      };

      worker.on('message', (message) => {
        if (message.fatal) {
          stop();
          rejectAll(new Error(message.fatal));
        } else if (message.ready) {
          next();
        } else {
          outcomes.set(message.file, message);
          const recycle = message.heapUsed > RECYCLE_HEAP_BYTES && queue.length > 0;
          if (recycle) {
            job = undefined;
            stop();
            startWorker();
          } else {
            next();
          }
        }
      });
      worker.on('error', (error) => {
        if (!finished) abandon(`crashed the worker (${oneLine(error?.message)})`);
      });
      worker.on('exit', () => {
        if (!finished) abandon('crashed the worker');
      });
    };
    const count = Math.min(options.jobs, queue.length);
    if (count === 0) resolveAll(outcomes);
    for (let i = 0; i < count; i++) startWorker();
  });
}

function pad(text, width) {
  return String(text).padEnd(width);
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const dir = findTestsuite();
  if (!dir) {
    console.log('spec testsuite not found, skipping (set WASM_TESTSUITE or put it at ../shared/testsuite)');
    return 0;
  }
  let files;
  try {
    // The report covers everything: the 2.0 files, and the SIMD and 3.0 proposals' ones, which run only when named.
    files = options.report ? [...selectFiles(dir, []), ...selectFiles(dir, ['simd', 'relaxed-simd', ...PROPOSALS])] : selectFiles(dir, options.names);
  } catch (error) {
    fail(error.message);
  }
  const knownPath = join(HERE, options.engine === 'wasm2es' ? 'known-failures.txt' : `known-failures.${options.engine}.txt`);
  const known = readKnownFailures(knownPath);

  console.log(`spec: ${files.length} files from ${dir}, engine ${options.engine}${options.engine === 'wasm2es' ? ` (${options.format})` : ''}, ${options.jobs} workers`);
  const started = performance.now();
  const outcomes = await runPool(files, dir, options);
  const seconds = (performance.now() - started) / 1000;

  /** @type {Map<string, any[]>} */
  const resultsByFile = new Map();
  const brokenFiles = [];
  for (const file of files) {
    const outcome = outcomes.get(file);
    if (!outcome || outcome.error) {
      brokenFiles.push(`${file}: ${outcome?.error ?? 'no result'}`);
      continue;
    }
    resultsByFile.set(file, outcome.results);
  }
  const { unexpectedFailures, expectedFailures, unexpectedPasses, stale } = classify(resultsByFile, known);
  // The proposals' scripts run only when named, so a full run's files are not
  // all the files a list may name: ask the testsuite.
  if (options.names.length === 0) {
    for (const entry of known.values()) {
      if (!existsSync(join(dir, entry.file))) stale.push({ ...entry, why: 'names a file that is not in the testsuite' });
    }
  }

  // Per-file summaries.
  console.log('');
  const fileWidth = Math.max(34, ...[...resultsByFile.keys()].map((file) => file.length + 1));
  for (const [file, results] of resultsByFile) {
    const counts = { pass: 0, fail: 0, skip: 0 };
    results.forEach((result) => counts[result.status]++);
    const unexpected = unexpectedFailures.filter((f) => f.file === file).length;
    const ms = outcomes.get(file).ms;
    console.log(
      `${pad(file, fileWidth)} ${pad(`${counts.pass}/${counts.pass + counts.fail}`, 12)}` +
        `${counts.skip ? pad(`${counts.skip} skipped`, 13) : pad('', 13)}` +
        `${unexpected ? pad(`${unexpected} unexpected`, 16) : pad('', 16)}${(ms / 1000).toFixed(1)}s`,
    );
  }

  // Totals per kind.
  const all = [...resultsByFile.values()].flat();
  const counts = tally(all);
  console.log(`\n${pad('kind', 24)}${pad('passed', 10)}${pad('failed', 10)}${pad('(known)', 10)}${pad('skipped', 10)}`);
  for (const kind of ALL_KINDS) {
    const c = counts[kind];
    if (!c) continue;
    const knownCount = expectedFailures.filter((f) => f.kind === kind).length;
    console.log(`${pad(kind, 24)}${pad(c.pass, 10)}${pad(c.fail, 10)}${pad(knownCount, 10)}${pad(c.skip, 10)}`);
  }
  const trapResults = [...resultsByFile].flatMap(([file, results]) => results.filter((r) => r.trapMessage).map((r) => ({ file, ...r })));
  const matching = trapResults.filter((r) => r.trapMessage.actual.includes(r.trapMessage.expected)).length;
  console.log(`\ntrap messages containing the spec's text: ${matching}/${trapResults.length} (informational)`);

  // Failures.
  const limit = options.verbose ? Infinity : 60;
  const show = (title, list, describe) => {
    if (!list.length) return;
    console.log(`\n${title} (${list.length}):`);
    list.slice(0, limit).forEach((item) => console.log(`  ${describe(item)}`));
    if (list.length > limit) console.log(`  ... ${list.length - limit} more (--verbose shows all)`);
  };
  show('unexpected failures', unexpectedFailures, (f) => `${f.key}  ${f.kind}: ${oneLine(f.message)}`);
  show('unexpected passes (remove from the list)', unexpectedPasses, (f) => `${f.key}  ${f.kind} (listed: ${f.reason})`);
  show('stale entries in the known-failures list', stale, (e) => `${e.key} ${e.why}`);
  show('files that did not run', brokenFiles, (text) => text);
  if (options.verbose) {
    show('known failures', expectedFailures, (f) => `${f.key}  ${f.kind}: ${oneLine(f.message)}  [${f.reason}]`);
    const differing = trapResults.filter((r) => !r.trapMessage.actual.includes(r.trapMessage.expected));
    show('trap messages that differ from the spec text', differing, (r) => `${r.file}:${r.line}  expected "${r.trapMessage.expected}", got "${oneLine(r.trapMessage.actual)}"`);
    const skipped = [...resultsByFile].flatMap(([file, results]) => results.filter((r) => r.status === 'skip').map((r) => ({ file, ...r })));
    show('skipped', skipped, (s) => `${s.file}:${s.line}  ${s.kind}: ${oneLine(s.message)}`);
  }

  if (options.update) {
    const entries = updateKnownFailures(knownPath, resultsByFile, known, readHeader(knownPath));
    console.log(`\nwrote ${entries} entries to ${knownPath}`);
  }
  if (options.report) {
    writeReadmeRegion(join(ROOT, 'README.md'), conformanceTable(resultsByFile, { engine: options.engine, fileCount: files.length }));
    console.log('\nwrote the conformance table into README.md');
  }

  const bad = unexpectedFailures.length + unexpectedPasses.length + stale.length + brokenFiles.length;
  console.log(
    `\n${files.length} files, ${all.length} commands: ${all.filter((r) => r.status === 'pass').length} passed, ` +
      `${all.filter((r) => r.status === 'fail').length} failed (${expectedFailures.length} known), ` +
      `${all.filter((r) => r.status === 'skip').length} skipped, in ${seconds.toFixed(1)}s` +
      (bad && !options.update ? ` -- FAILED: ${unexpectedFailures.length} unexpected failures, ${unexpectedPasses.length} unexpected passes, ${stale.length} stale entries, ${brokenFiles.length} files not run` : ''),
  );
  return bad && !options.update ? 1 : 0;
}

// exitCode rather than exit(): let buffered output drain first.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error?.stack ?? error);
    process.exitCode = 2;
  },
);
