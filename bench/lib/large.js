// Large real-world modules: CLI compile speed and memory, and run-time
// (polyfill) start-up. The inputs are sql.js's sql-wasm.wasm and the .wasm
// files of four npm packages installed as devDependencies for this bench
// only: @resvg/resvg-wasm, tiktoken, esbuild-wasm (Go) and lightningcss-wasm.
//
// Compile: `node bench/lib/cli-rss.js in.wasm -o out.js [--tune
// interpreter]`, i.e. the CLI itself in a fresh process, timed from spawn to
// exit (Node's own start-up included, as a user of the CLI sees it); peak
// memory is that process's maximum resident set size. MB/s is 10^6 bytes of
// .wasm per second of that wall time. Output sizes: raw, and gzip level 9.
//
// Start-up: bench/large-startup.js in a fresh process, with the JIT and under
// --jitless: `new WebAssembly.Module(bytes)` + `new WebAssembly.Instance`
// with stub imports, on wasm2es's run-time compiler (`import('wasm2es')`,
// timed) and, with the JIT, on V8's own WebAssembly for reference.
//
// Runs right: for the modules whose npm glue the bench can drive
// (bench/large-check.js: resvg renders an SVG, tiktoken tokenizes, lightningcss
// minifies), the result's digest under --jitless, from the CLI's
// `--tune interpreter` output and from the polyfill, must equal V8's.
//
// Every child runs in its own process group and is killed whole after
// `timeoutMs`; a timeout is reported as such.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { firstMeaningfulLine } from './build.js';
import * as paths from './paths.js';

const modulePath = (...parts) => join(paths.repoRoot, 'node_modules', ...parts);

export const largeModules = [
  { id: 'sqljs', label: 'sql.js sql-wasm.wasm (C, Emscripten)', file: paths.sqlWasm },
  { id: 'resvg', label: '@resvg/resvg-wasm index_bg.wasm (Rust)', file: modulePath('@resvg/resvg-wasm/index_bg.wasm'), check: true },
  { id: 'tiktoken', label: 'tiktoken tiktoken_bg.wasm (Rust)', file: modulePath('tiktoken/tiktoken_bg.wasm'), check: true },
  { id: 'esbuild', label: 'esbuild-wasm esbuild.wasm (Go)', file: modulePath('esbuild-wasm/esbuild.wasm') },
  { id: 'lightningcss', label: 'lightningcss-wasm lightningcss_node.wasm (Rust)', file: modulePath('lightningcss-wasm/lightningcss_node.wasm'), check: true },
];

export const defaultTimeoutMs = 600_000;

/** Runs a child in its own process group; resolves { ms, code, signal, stdout, stderr, timedOut }. */
function run(args, timeoutMs) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: paths.repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-65536)));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ms: 0, code: null, signal: null, stdout, stderr: error.message, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, signal, stdout, stderr, timedOut });
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function compileOnce(file, output, tune, timeoutMs) {
  const args = [join(paths.benchDir, 'lib/cli-rss.js'), file, '-o', output, ...(tune === 'jit' ? [] : ['--tune', tune])];
  const result = await run(args, timeoutMs);
  if (result.timedOut) return { error: `timed out after ${timeoutMs / 1000} s`, timeout: true };
  const match = /@@maxrss=(\d+)\s*$/.exec(result.stderr);
  if (result.code !== 0) {
    const stderr = match ? result.stderr.slice(0, match.index) : result.stderr;
    return { error: `${result.signal ? 'killed by ' + result.signal : 'exit ' + result.code}: ${firstMeaningfulLine(stderr)}` };
  }
  return { ms: result.ms, peakKiB: match ? Number(match[1]) : null };
}

async function compileModule(module, tune, { runs, timeoutMs }) {
  const directory = join(paths.outDir, 'large');
  mkdirSync(directory, { recursive: true });
  const output = join(directory, `${module.id}${tune === 'jit' ? '' : '-' + tune}.js`);
  rmSync(output, { force: true });
  const wasmBytes = statSync(module.file).size;
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const sample = await compileOnce(module.file, output, tune, timeoutMs);
    if (sample.error) return { tune, ...sample };
    samples.push(sample);
    if (sample.ms > 30_000) break; // one sample of a slow compile is enough
  }
  const ms = median(samples.map((s) => s.ms));
  const peakBytes = samples[0].peakKiB === null ? null : Math.max(...samples.map((s) => s.peakKiB)) * 1024;
  const bytes = readFileSync(output);
  return {
    tune,
    runs: samples.length,
    ms,
    mbPerSecond: wasmBytes / 1e6 / (ms / 1000),
    peakMiB: peakBytes === null ? null : peakBytes / 2 ** 20,
    peakRatio: peakBytes === null ? null : peakBytes / wasmBytes,
    bytes: bytes.length,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
  };
}

async function startupOnce(module, implementation, mode, timeoutMs) {
  const spec = JSON.stringify({ implementation, file: module.file });
  const result = await run([...(mode === 'jitless' ? ['--jitless'] : []), join(paths.benchDir, 'large-startup.js'), spec], timeoutMs);
  if (result.timedOut) return { error: `timed out after ${timeoutMs / 1000} s`, timeout: true };
  try {
    return JSON.parse(result.stdout.trim().split('\n').pop());
  } catch {
    return { error: `${result.signal ? 'killed by ' + result.signal : 'exit ' + result.code}: ${firstMeaningfulLine(result.stderr)}` };
  }
}

async function startup(module, implementation, mode, { runs, timeoutMs }) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const sample = await startupOnce(module, implementation, mode, timeoutMs);
    if (sample.error) return { implementation, mode, ...sample };
    samples.push(sample);
    if (sample.totalMs > 30_000) break;
  }
  const pick = (field) => (samples[0][field] === null ? null : median(samples.map((s) => s[field])));
  return {
    implementation,
    mode,
    runs: samples.length,
    loadMs: pick('loadMs'),
    moduleMs: pick('moduleMs'),
    instanceMs: pick('instanceMs'),
    totalMs: pick('totalMs'),
    instantiate: samples[0].instantiate,
    maxRssMiB: Math.max(...samples.map((s) => s.maxRssMiB)),
  };
}

async function checkOnce(module, how, mode, output, timeoutMs) {
  const spec = JSON.stringify({ id: module.id, how, output });
  const result = await run([...(mode === 'jitless' ? ['--jitless'] : []), join(paths.benchDir, 'large-check.js'), spec], timeoutMs);
  if (result.timedOut) return { how, mode, error: `timed out after ${timeoutMs / 1000} s`, timeout: true };
  try {
    return { how, mode, ...JSON.parse(result.stdout.trim().split('\n').pop()) };
  } catch {
    return { how, mode, error: `${result.signal ? 'killed by ' + result.signal : 'exit ' + result.code}: ${firstMeaningfulLine(result.stderr)}` };
  }
}

/** The module's work on V8, then on wasm2es under --jitless (AOT output, polyfill): same digest or not. */
async function runsRight(module, { timeoutMs }) {
  const output = join(paths.outDir, 'large', `${module.id}-interpreter.js`);
  const native = await checkOnce(module, 'native', 'jit', null, timeoutMs);
  const runs = [native];
  for (const how of ['aot', 'polyfill']) runs.push(await checkOnce(module, how, 'jitless', output, timeoutMs));
  for (const run of runs.slice(1)) {
    if (!run.error) run.same = !native.error && run.digest === native.digest;
  }
  return runs;
}

/**
 * Measures every selected module (ids from largeModules; all by default).
 * Returns { modules: [{ id, label, file, wasmBytes, compile: [per tune],
 * startup: [per implementation and mode] }], timeoutMs }.
 */
export async function largeStats({ ids, runs = 3, timeoutMs = defaultTimeoutMs, log = () => {} } = {}) {
  const selected = ids ? largeModules.filter((m) => ids.includes(m.id)) : largeModules;
  const modules = [];
  for (const module of selected) {
    const row = { id: module.id, label: module.label, file: module.file.slice(paths.repoRoot.length), compile: [], startup: [] };
    try {
      row.wasmBytes = statSync(module.file).size;
    } catch {
      row.error = `${module.file.slice(paths.repoRoot.length)} is missing (npm install)`;
      log(`large: ${module.id}: ${row.error}`);
      modules.push(row);
      continue;
    }
    for (const tune of ['jit', 'interpreter']) {
      const stats = await compileModule(module, tune, { runs, timeoutMs });
      log(`large: ${module.id} compile --tune ${tune}: ` +
        (stats.error ? stats.error : `${stats.ms.toFixed(0)} ms, ${stats.mbPerSecond.toFixed(2)} MB/s, peak ${stats.peakMiB?.toFixed(0)} MiB`));
      row.compile.push(stats);
    }
    if (module.check && row.compile.some((c) => c.tune === 'interpreter' && !c.error)) {
      row.check = await runsRight(module, { timeoutMs });
      for (const run of row.check) {
        log(`large: ${module.id} runs right (${run.how}, ${run.mode}): ` +
          (run.error ? run.error : `${run.digest}${run.same === undefined ? '' : run.same ? ' (same as native)' : ' (DIFFERS from native)'} in ${run.ms.toFixed(0)} ms`));
      }
    }
    for (const [implementation, mode] of [['native', 'jit'], ['wasm2es', 'jit'], ['wasm2es', 'jitless']]) {
      const stats = await startup(module, implementation, mode, { runs, timeoutMs });
      log(`large: ${module.id} start-up ${implementation} ${mode}: ` +
        (stats.error ? stats.error : `${stats.totalMs.toFixed(0)} ms (${stats.instantiate})`));
      row.startup.push(stats);
    }
    modules.push(row);
  }
  return { timeoutMs, runs, modules };
}
