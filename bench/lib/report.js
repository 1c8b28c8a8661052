// Turns samples into figures and figures into markdown: bench/results.md
// (everything) and the README's bench region (the headline tables).

import { cpus, totalmem, type, release } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as paths from './paths.js';
import { gcWorkloads } from '../workloads/gc.js';
import { imagePhases, images } from '../workloads/image.js';

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * What a failure says when wasm2es rejected the module for a feature it
 * does not have yet (a CompileError "... is not supported yet", from the
 * CLI or at run time): that message, without the tool's prefixes; else null.
 */
export function notSupportedYet(error) {
  if (typeof error !== 'string' || !/is not supported yet/.test(error)) return null;
  const parts = error.split('\n')[0].split(': ');
  return parts.slice(parts.findIndex((part) => /is not supported yet/.test(part))).join(': ');
}

/**
 * One cell's figure from its samples (one per round). A sample that failed
 * or disagrees with the reference result makes the whole cell a failure:
 * a wrong result is never shown as a time. A cell the implementation cannot
 * run at all (a SIMD build on one without SIMD, a GC module on one without
 * GC) is `unsupported`, shown as the sample's `cell` text; one that wasm2es
 * rejects for a feature it does not have yet is `not-supported`.
 */
export function summarize(samples, reference, firstReference) {
  const unsupported = samples.find((sample) => sample.unsupported);
  if (unsupported) return { status: 'unsupported', message: unsupported.unsupported, cell: unsupported.cell };
  const failed = samples.find((sample) => sample.error);
  if (failed && notSupportedYet(failed.error)) return { status: 'not-supported', message: notSupportedYet(failed.error) };
  if (failed) return { status: 'error', message: failed.error };
  const wrong = samples.find((sample) => sample.result !== reference);
  if (wrong) return { status: 'wrong', message: `result ${wrong.result}, expected ${reference}` };
  // The first result is judged on its own: its failure leaves the other figures standing.
  const firstFailed = samples.find((sample) => sample.firstResultError);
  const wrongFirst = firstReference === undefined ? undefined : samples.find((sample) => sample.firstResult !== firstReference);
  const first = firstFailed ? { firstStatus: 'error', firstMessage: firstFailed.firstResultError }
    : wrongFirst ? { firstStatus: 'wrong', firstMessage: `first result ${wrongFirst.firstResult}, expected ${firstReference}` }
    : { firstStatus: 'ok', firstResultMs: median(samples.map((s) => s.firstResultMs)) };
  const phases = {};
  for (const name of Object.keys(samples[0].phases ?? {})) phases[name] = median(samples.map((s) => s.phases[name]));
  return {
    status: 'ok',
    startupMs: median(samples.map((s) => s.startupMs)),
    ...first,
    firstMs: median(samples.map((s) => s.firstMs)),
    steadyMs: median(samples.map((s) => s.steadyMedianMs)),
    phases,
    rounds: samples.length,
  };
}

export function machine() {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'} (${cpu.length} threads), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ` +
    `${type()} ${release()}, Node ${process.version} (V8 ${process.versions.v8})`;
}

const ms = (value) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)) + ' ms';
const ratio = (value) => (value >= 10 ? value.toFixed(0) : value.toFixed(2)) + '×';
const kib = (bytes) => (bytes / 1024).toFixed(bytes < 10240 ? 1 : 0) + ' KiB';

function cell(figure, field, baseline) {
  if (!figure) return '–';
  if (figure.status === 'unsupported') return figure.cell ?? 'no SIMD';
  if (figure.status === 'not-supported') return 'not supported yet';
  if (figure.status === 'error') return 'error';
  if (figure.status === 'wrong') return '**wrong result**';
  const value = figure[field];
  const base = baseline?.status === 'ok' ? baseline[field] : null;
  return base ? `${ms(value)} (${ratio(value / base)})` : ms(value);
}

/** A markdown table: rows = workloads, columns = implementations. */
export function figureTable(run, field) {
  const { implementations, workloads, figures, baseline } = run;
  const header = ['workload', ...implementations.map((impl) => impl.label)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i ? '---:' : '---')).join('|')}|`];
  for (const workload of workloads) {
    const base = figures[workload.id][baseline(workload.id)];
    const cells = implementations.map((impl) => cell(figures[workload.id][impl.id], field, base));
    lines.push(`| ${workload.title} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function failureNotes(run) {
  const notes = [];
  for (const workload of run.workloads) {
    for (const impl of run.implementations) {
      const figure = run.figures[workload.id][impl.id];
      if (figure?.status === 'unsupported') continue; // said in the table
      if (figure && figure.status !== 'ok') {
        const what = { wrong: 'wrong result', 'not-supported': 'not supported yet' }[figure.status] ?? 'error';
        notes.push(`- ${workload.title}, ${impl.label}: ${what}: ` +
          '`' + figure.message.split('\n')[0].slice(0, 300).replace(/`/g, "'") + '`');
      } else if (figure?.firstStatus && figure.firstStatus !== 'ok') {
        notes.push(`- ${workload.title}, ${impl.label}: first result: ${figure.firstStatus === 'wrong' ? 'wrong result' : 'error'}: ` +
          '`' + figure.firstMessage.slice(0, 300).replace(/`/g, "'") + '`');
      }
    }
  }
  return notes.length ? notes.join('\n') : '- none';
}

function phaseTable(run) {
  const figures = run.figures.sqljs;
  if (!figures) return '';
  const phaseNames = ['insert', 'aggregate', 'join', 'lookup'];
  const lines = [`| implementation | ${phaseNames.join(' | ')} |`, `|---|${phaseNames.map(() => '---:').join('|')}|`];
  for (const impl of run.implementations) {
    const figure = figures[impl.id];
    if (figure?.status !== 'ok') continue;
    lines.push(`| ${impl.label} | ${phaseNames.map((name) => ms(figure.phases[name] ?? NaN)).join(' | ')} |`);
  }
  return lines.join('\n');
}

export function compileTable(rows) {
  const lines = [
    '| input | .wasm | wasm2es time | wasm2es peak | wasm2es output (gzip) | wasm2js -O3 time | wasm2js peak | wasm2js output (gzip) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const side = (stats) => stats.unsupported ? [stats.unsupported, '–', '–'] : stats.error
    ? ['fails', '–', '`' + stats.error.slice(0, 120).replace(/`/g, "'") + '`']
    : [ms(stats.ms), stats.peakMiB === null ? '–' : stats.peakMiB.toFixed(0) + ' MiB', `${kib(stats.bytes)} (${kib(stats.gzipBytes)})`];
  for (const row of rows) lines.push(`| ${row.label} | ${kib(row.wasmBytes)} | ${side(row.wasm2es).join(' | ')} | ${side(row.wasm2js).join(' | ')} |`);
  const runtime = join(paths.repoRoot, 'dist/runtime.iife.js');
  if (existsSync(runtime)) {
    const bytes = readFileSync(runtime);
    lines.push('', `wasm2es output excludes its runtime, shared by all modules: dist/runtime.iife.js is ${kib(bytes.length)} (${kib(gzipSync(bytes, { level: 9 }).length)} gzipped), unminified.`);
  }
  return lines.join('\n');
}

/**
 * Start-up to first result, both modes in one table: rows = workload × mode,
 * columns = implementations. Ratios: to native wasm with the JIT (under
 * --jitless too, where native does not exist: what the engine would do with
 * WebAssembly) and to wasm2js (sql.js: sql-asm.js) in the same mode.
 */
export function firstResultTable(results) {
  const runs = [['JIT', results.runs.jit], ['--jitless', results.runs.jitless]].filter(([, run]) => run);
  if (!runs.length) return '';
  const columns = [];
  for (const [, run] of runs) for (const impl of run.implementations) if (!columns.some((c) => c.id === impl.id)) columns.push(impl);
  const header = ['workload', 'mode', ...columns.map((impl) => impl.label)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i > 1 ? '---:' : '---')).join('|')}|`];
  const workloads = runs[0][1].workloads;
  for (const workload of workloads) {
    const native = results.runs.jit?.figures[workload.id]?.native;
    for (const [mode, run] of runs) {
      const figures = run.figures[workload.id];
      if (!figures) continue;
      const w2js = figures.wasm2js;
      const cells = columns.map((impl) => {
        const figure = figures[impl.id];
        if (!figure) return '–';
        if (figure.status === 'unsupported') return figure.cell ?? 'no SIMD';
        if (figure.status === 'not-supported') return 'not supported yet';
        if (figure.status === 'error' || figure.firstStatus === 'error') return 'error';
        if (figure.status === 'wrong' || figure.firstStatus === 'wrong') return '**wrong result**';
        const value = figure.firstResultMs;
        const against = [];
        const usable = (base) => base?.status === 'ok' && base.firstStatus === 'ok';
        if (impl.id !== 'native' && usable(native)) against.push(`${ratio(value / native.firstResultMs)} native`);
        if (impl.id !== 'wasm2js' && usable(w2js)) against.push(`${ratio(value / w2js.firstResultMs)} wasm2js`);
        return against.length ? `${ms(value)} (${against.join(', ')})` : ms(value);
      });
      lines.push(`| ${workload.title} | ${mode} | ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

const firstResultNote =
  'From before the implementation\'s first import to the first result of a tiny first operation (sql.js: `new SQL.Database()`, ' +
  'one `exec` of `CREATE TABLE t(a,b); INSERT INTO t VALUES (1,\'x\'),(2,\'y\'); SELECT sum(a), group_concat(b) FROM t`, checked ' +
  'to be [[3,"x,y"]], and `close()`; a kernel: `run(n)` with a tiny n, checked against native), median over rounds. Ratios are to ' +
  'native wasm with the JIT (also for --jitless rows, where native wasm does not exist) and to wasm2js (sql.js: sql-asm.js) in the same mode.';

const mb = (bytes) => (bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 2 : 1) + ' MiB';
const failureCell = (stats) => (stats.timeout ? `**${stats.error}**` : 'fails: `' + String(stats.error).split('\n')[0].slice(0, 120).replace(/`/g, "'") + '`');

/** Large modules, CLI compile: one row per module and tune. */
export function largeCompileTable(large) {
  const lines = [
    '| module | .wasm | --tune | CLI time | MB/s | peak RSS | peak / .wasm | output | gzipped |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of large.modules) {
    if (row.error) {
      lines.push(`| ${row.label} | – | – | ${failureCell(row)} | | | | | |`);
      continue;
    }
    for (const stats of row.compile) {
      const cells = stats.error
        ? [failureCell(stats), '', '', '', '', '']
        : [ms(stats.ms), stats.mbPerSecond.toFixed(2), stats.peakMiB === null ? '–' : stats.peakMiB.toFixed(0) + ' MiB',
          stats.peakRatio === null ? '–' : stats.peakRatio.toFixed(0) + '×', mb(stats.bytes), mb(stats.gzipBytes)];
      lines.push(`| ${row.label} | ${mb(row.wasmBytes)} | ${stats.tune} | ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

/** Large modules, start-up: one row per module; columns = implementation and mode. */
export function largeStartupTable(large) {
  const columns = [['native', 'jit', 'native wasm, JIT'], ['wasm2es', 'jit', 'wasm2es, JIT'], ['wasm2es', 'jitless', 'wasm2es, --jitless']];
  const lines = [`| module | .wasm | ${columns.map((c) => c[2]).join(' | ')} |`, `|---|---:|${columns.map(() => '---:').join('|')}|`];
  const notes = [];
  for (const row of large.modules) {
    if (row.error) continue;
    const cells = columns.map(([implementation, mode]) => {
      const stats = row.startup.find((s) => s.implementation === implementation && s.mode === mode);
      if (!stats) return '–';
      if (stats.error) return failureCell(stats);
      const parts = [...(implementation === 'native' ? [] : [`import ${ms(stats.loadMs)}`]), `Module ${ms(stats.moduleMs)}`,
        stats.instanceMs === null ? 'Instance: –' : `Instance ${ms(stats.instanceMs)}`];
      if (stats.instantiate !== 'ok') notes.push(`- ${row.label}, ${columns.find((c) => c[0] === implementation && c[1] === mode)[2]}: instantiate: ${stats.instantiate}; the time is import + Module only.`);
      return `**${ms(stats.totalMs)}** (${parts.join(', ')}; peak ${stats.maxRssMiB.toFixed(0)} MiB)`;
    });
    lines.push(`| ${row.label} | ${mb(row.wasmBytes)} | ${cells.join(' | ')} |`);
  }
  if (notes.length) lines.push('', ...notes);
  return lines.join('\n');
}

/** Large modules whose glue the bench drives: does wasm2es's answer under --jitless equal V8's? */
export function largeCheckTable(large) {
  const rows = large.modules.filter((row) => row.check);
  if (rows.length === 0) return null;
  const cell = (run) => {
    if (!run) return '–';
    if (run.error) return failureCell(run);
    return `${run.same ? 'same' : '**differs**'} (${ms(run.ms)})`;
  };
  const lines = [
    '| module | work | V8 (JIT) | wasm2es AOT, --jitless | wasm2es polyfill, --jitless |',
    '|---|---|---:|---:|---:|',
  ];
  const work = { resvg: 'render an SVG to PNG', tiktoken: 'tokenize and decode mixed-script text', lightningcss: 'minify CSS for Safari 13' };
  for (const row of rows) {
    const [native, aot, polyfill] = ['native', 'aot', 'polyfill'].map((how) => row.check.find((run) => run.how === how));
    const nativeCell = native.error ? failureCell(native) : `\`${native.digest}\` (${ms(native.ms)})`;
    lines.push(`| ${row.label} | ${work[row.id] ?? ''} | ${nativeCell} | ${cell(aot)} | ${cell(polyfill)} |`);
  }
  return lines.join('\n');
}

const largeNote = (large) =>
  'CLI time: `node bin/wasm2es.js in.wasm -o out.js [--tune interpreter]` in a fresh process, spawn to exit (Node start-up ' +
  'included), median of ' + large.runs + '; MB/s = 10^6 bytes of .wasm per second; peak RSS = the process\'s maximum resident set ' +
  '(`process.resourceUsage().maxRSS`, bench/lib/cli-rss.js); gzipped = zlib level 9; the output excludes the shared runtime. ' +
  'Start-up: a fresh process with the bytes in memory times `import(\'wasm2es\')` + `new WebAssembly.Module(bytes)` + ' +
  '`new WebAssembly.Instance(module, stubs)` (every function import a stub that throws, memories/tables/globals made to fit; ' +
  'bench/large-startup.js); native = V8\'s WebAssembly for reference. Each child is killed after ' + large.timeoutMs / 1000 + ' s.';

/** sql.js's own builds, gzipped at level 9, for the size target. */
function sqljsSizes() {
  const gz = (name) => {
    const file = join(paths.sqljsDist, name);
    return existsSync(file) ? gzipSync(readFileSync(file), { level: 9 }).length : null;
  };
  const runtimeFile = join(paths.repoRoot, 'dist/runtime.iife.js');
  return { asm: gz('sql-asm.js'), glue: gz('sql-wasm.js'), runtime: existsSync(runtimeFile) ? gzipSync(readFileSync(runtimeFile), { level: 9 }).length : null };
}

/** The targets of the benchmark issue, checked against the figures. */
export function targets(results) {
  const out = [];
  const jit = results.runs.jit?.figures;
  const jitless = results.runs.jitless?.figures;
  const ok = (figure) => figure?.status === 'ok';
  const check = (label, pass, detail) => out.push(`- [${pass ? 'x' : ' '}] ${label}${detail ? ` (${detail})` : ''}`);
  if (jit) {
    const s = jit.sqljs;
    const aot = s?.['wasm2es-aot'];
    check('JIT: sql.js on wasm2es AOT within 2.5× of native',
      ok(aot) && ok(s.native) && aot.steadyMs <= 2.5 * s.native.steadyMs,
      ok(aot) && ok(s.native) ? ratio(aot.steadyMs / s.native.steadyMs) : aot?.status);
    check('JIT: sql.js on wasm2es AOT faster than sql-asm.js',
      ok(aot) && ok(s.wasm2js) && aot.steadyMs < s.wasm2js.steadyMs,
      ok(aot) && ok(s.wasm2js) ? `${ms(aot.steadyMs)} vs ${ms(s.wasm2js.steadyMs)}` : aot?.status);
    for (const [id, figures] of Object.entries(jit)) {
      if (id === 'sqljs' || images[id] || gcWorkloads[id]) continue; // the image pipeline's and GC's targets are their own, below
      const mine = figures['wasm2es-aot'];
      check(`JIT: ${id} on wasm2es AOT faster than wasm2js`,
        ok(mine) && ok(figures.wasm2js) && mine.steadyMs < figures.wasm2js.steadyMs,
        ok(mine) && ok(figures.wasm2js) ? `${ms(mine.steadyMs)} vs ${ms(figures.wasm2js.steadyMs)}` : mine?.status ?? 'not run');
    }
  }
  const firstOf = (figures) => (ok(figures) && figures.firstStatus === 'ok' ? figures.firstResultMs : null);
  if (jit?.sqljs) {
    const polyfill = firstOf(jit.sqljs['wasm2es-polyfill']);
    check('JIT: sql.js on wasm2es polyfill, start-up to first query result ≤ 80 ms', polyfill !== null && polyfill <= 80,
      polyfill !== null ? ms(polyfill) : jit.sqljs['wasm2es-polyfill']?.status ?? 'not run');
  }
  if (jitless?.sqljs) {
    const polyfill = firstOf(jitless.sqljs['wasm2es-polyfill']);
    check('--jitless: sql.js on wasm2es polyfill, start-up to first query result ≤ 150 ms', polyfill !== null && polyfill <= 150,
      polyfill !== null ? ms(polyfill) : jitless.sqljs['wasm2es-polyfill']?.status ?? 'not run');
  }
  for (const [mode, figures] of [['JIT', jit], ['--jitless', jitless]]) {
    const s = figures?.sqljs;
    if (!s) continue;
    const aot = s['wasm2es-aot'];
    const asm = s.wasm2js;
    check(`${mode}: sql.js on wasm2es AOT loads (import + instantiate) no slower than sql-asm.js`,
      ok(aot) && ok(asm) && aot.startupMs <= asm.startupMs,
      ok(aot) && ok(asm) ? `${ms(aot.startupMs)} vs ${ms(asm.startupMs)}` : aot?.status ?? 'not run');
  }
  const large = results.large?.modules;
  const sqlCompile = large?.find((m) => m.id === 'sqljs')?.compile.find((c) => c.tune === 'jit');
  const sizes = sqljsSizes();
  const aotGzip = sqlCompile && !sqlCompile.error ? sqlCompile.gzipBytes
    : results.compile?.find((row) => row.label.startsWith('sql.js'))?.wasm2es?.gzipBytes;
  if (aotGzip && sizes.asm) {
    const total = aotGzip + (sizes.runtime ?? 0) + (sizes.glue ?? 0);
    check('AOT: sql.js output ≤ sql-asm.js gzipped', total <= sizes.asm,
      `${kib(aotGzip)} output + ${kib(sizes.runtime ?? 0)} runtime + ${kib(sizes.glue ?? 0)} sql-wasm.js glue = ${kib(total)} vs sql-asm.js ${kib(sizes.asm)}, gzip -9`);
  }
  if (sqlCompile) {
    check('CLI: sql.js compiles in ≤ 350 ms with ≤ 150 MB peak',
      !sqlCompile.error && sqlCompile.ms <= 350 && sqlCompile.peakMiB !== null && sqlCompile.peakMiB * 2 ** 20 <= 150e6,
      sqlCompile.error ?? `${ms(sqlCompile.ms)}, ${(sqlCompile.peakMiB * 2 ** 20 / 1e6).toFixed(0)} MB`);
  }
  for (const module of large ?? []) {
    if (module.id === 'sqljs') continue;
    if (module.error) {
      check(`CLI: ${module.id} compiles at ≥ 1 MB/s with peak ≤ 50× .wasm`, false, module.error);
      continue;
    }
    for (const stats of module.compile) {
      check(`CLI: ${module.id} (--tune ${stats.tune}) compiles at ≥ 1 MB/s with peak ≤ 50× .wasm`,
        !stats.error && stats.mbPerSecond >= 1 && stats.peakRatio !== null && stats.peakRatio <= 50,
        stats.error ?? `${stats.mbPerSecond.toFixed(2)} MB/s, ${stats.peakRatio?.toFixed(0)}×`);
    }
  }
  for (const module of large ?? []) {
    for (const run of (module.check ?? []).filter((r) => r.how !== 'native')) {
      check(`CLI: ${module.id}'s output runs right under --jitless (${run.how === 'aot' ? 'AOT' : 'polyfill'})`,
        !run.error && run.same === true, run.error ?? (run.same ? 'same digest as V8' : 'digest differs from V8'));
    }
  }
  const resvg = large?.find((m) => m.id === 'resvg')?.startup.find((s) => s.implementation === 'wasm2es' && s.mode === 'jitless');
  if (resvg) {
    check('--jitless: a 2-5 MB Rust module (resvg) starts on wasm2es polyfill in ≤ 3 s (Module + Instance, stub imports)',
      !resvg.error && resvg.totalMs <= 3000, resvg.error ?? `${ms(resvg.totalMs)}${resvg.instantiate === 'ok' ? '' : ', ' + resvg.instantiate}`);
  }
  for (const [mode, figures] of [['JIT', jit], ['--jitless', jitless]]) {
    const [simd, scalar] = [figures?.['image-simd'], figures?.['image-scalar']];
    if (!simd || !scalar) continue;
    for (const id of ['wasm2es-aot', 'wasm2es-polyfill']) {
      const [mine, base] = [simd[id], scalar[id]];
      check(`${mode}: C image pipeline, SIMD build on ${id === 'wasm2es-aot' ? 'wasm2es AOT' : 'wasm2es polyfill'} no slower than its scalar build`,
        ok(mine) && ok(base) && mine.steadyMs <= base.steadyMs,
        ok(mine) && ok(base) ? `${ms(mine.steadyMs)} vs ${ms(base.steadyMs)}` : `SIMD build: ${mine?.status ?? 'not run'}`);
    }
  }
  if (jitless) {
    const s = jitless.sqljs;
    for (const id of ['wasm2es-aot', 'wasm2es-polyfill']) {
      const mine = s?.[id];
      check(`--jitless: sql.js on ${id === 'wasm2es-aot' ? 'wasm2es AOT' : 'wasm2es polyfill'} faster than sql-asm.js`,
        ok(mine) && ok(s.wasm2js) && mine.steadyMs < s.wasm2js.steadyMs,
        ok(mine) && ok(s.wasm2js) ? `${ms(mine.steadyMs)} vs ${ms(s.wasm2js.steadyMs)}` : mine?.status ?? 'not run');
    }
  }
  // Issue 18: GC code on wasm2es within 3x of the engine's own WasmGC (both on the Node that runs the GC rows).
  for (const id of Object.keys(gcWorkloads)) {
    const figures = jit?.[id];
    if (!figures) continue;
    const [mine, native] = [figures['wasm2es-aot'], figures.native];
    check(`JIT: ${id} on wasm2es AOT within 3× of native`,
      ok(mine) && ok(native) && mine.steadyMs <= 3 * native.steadyMs,
      ok(mine) && ok(native) ? ratio(mine.steadyMs / native.steadyMs) : mine?.status === 'not-supported' ? 'not supported yet' : mine?.status ?? 'not run');
  }
  return out.join('\n');
}

/** The GC workloads' phases (steady medians), per mode and implementation; ratios to native's phase with the JIT. */
export function gcPhaseTable(results) {
  const lines = ['| workload | mode | implementation | phases (ratio to native) |', '|---|---|---|---|'];
  for (const [mode, run] of [['JIT', results.runs.jit], ['--jitless', results.runs.jitless]]) {
    for (const id of Object.keys(gcWorkloads)) {
      const native = results.runs.jit?.figures[id]?.native;
      const sameSize = results.runs.jit?.sizes[id] === run?.sizes[id];
      for (const impl of run?.implementations ?? []) {
        const figure = run.figures[id]?.[impl.id];
        if (figure?.status !== 'ok') continue;
        const phases = gcWorkloads[id].phases.map((name) => {
          const base = native?.status === 'ok' && sameSize && impl.id !== 'native' ? native.phases[name] : null;
          return `${name} ${ms(figure.phases[name] ?? NaN)}${base ? ` (${ratio(figure.phases[name] / base)})` : ''}`;
        });
        lines.push(`| ${id} | ${mode} | ${impl.label} | ${phases.join(', ')} |`);
      }
    }
  }
  return lines.join('\n');
}

function gcSection(results) {
  const runs = [results.runs.jit, results.runs.jitless].filter(Boolean);
  if (!runs.some((run) => Object.keys(gcWorkloads).some((id) => run.figures[id]))) return [];
  const node = results.gcNode;
  return [
    '## WebAssembly GC', '',
    'bench/workloads/gc.js. gc-moonbit: bench/gc/moonbit.mbt compiled by MoonBit\'s wasm-gc backend (@moonbit/moonc-worker from npm, ' +
      'bench/gc/build-moonbit.js): binary trees, an enum matched by ref.cast, closures through call_ref, trait objects, FixedArray copies. ' +
      'gc-wat: bench/gc/binary-trees.wat: binary trees, arrays (i32, packed i8, references; fill, copy, new_fixed), i31 and ' +
      'br_on_cast/br_on_cast_fail/ref.test/ref.cast over a subtype hierarchy, call_ref, closures as structs, return_call_ref. ' +
      'The size is the trees\' depth; the other phases get 2^(size+4) items. Every checksum is also computed in plain JavaScript, and ' +
      'native\'s must equal it. ' +
      (node?.error ? `No Node here runs WasmGC's final encoding: ${node.error}.`
        : node ? `Every implementation's GC samples ran on ${node.path} (${node.version}), whose V8 has the final GC encoding (Node 20's has not).` : ''),
    '',
    gcPhaseTable(results), '',
  ];
}

/**
 * The image pipeline's two builds side by side (issue 15): per mode and
 * implementation, steady time of each build, SIMD / scalar, and SIMD against
 * native SIMD. Under --jitless native is the JIT run's figure scaled per row
 * (the work is linear in rows: whole frames), as in the first-result table.
 */
export function simdTable(results) {
  const [simdId, scalarId] = Object.keys(images);
  const native = results.runs.jit?.figures[simdId]?.native;
  const nativePerRow = native?.status === 'ok' ? native.steadyMs / results.runs.jit.sizes[simdId] : null;
  const lines = [
    '| mode | implementation | SIMD build | scalar build | SIMD / scalar | SIMD / native SIMD |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const [mode, run] of [['JIT', results.runs.jit], ['--jitless', results.runs.jitless]]) {
    if (!run?.figures[simdId] || !run.figures[scalarId]) continue;
    for (const impl of run.implementations) {
      const simd = run.figures[simdId][impl.id];
      const scalar = run.figures[scalarId][impl.id];
      const show = (figure) => (!figure ? '–' : figure.status === 'ok' ? ms(figure.steadyMs) : figure.status === 'unsupported' ? 'no SIMD'
        : figure.status === 'wrong' ? '**wrong result**' : 'error');
      const both = simd?.status === 'ok' && scalar?.status === 'ok';
      const againstNative = simd?.status === 'ok' && nativePerRow && impl.id !== 'native'
        ? ratio(simd.steadyMs / run.sizes[simdId] / nativePerRow) : '–';
      lines.push(`| ${mode} | ${impl.label} | ${show(simd)} | ${show(scalar)} | ${both ? ratio(simd.steadyMs / scalar.steadyMs) : '–'} | ${againstNative} |`);
    }
  }
  return lines.join('\n');
}

/** The image pipeline's phases (steady medians), per mode, implementation and build. */
export function imagePhaseTable(results) {
  const lines = [`| mode | implementation | build | ${imagePhases.join(' | ')} |`, `|---|---|---|${imagePhases.map(() => '---:').join('|')}|`];
  for (const [mode, run] of [['JIT', results.runs.jit], ['--jitless', results.runs.jitless]]) {
    for (const impl of run?.implementations ?? []) {
      for (const [id, image] of Object.entries(images)) {
        const figure = run.figures[id]?.[impl.id];
        if (figure?.status !== 'ok') continue;
        lines.push(`| ${mode} | ${impl.label} | ${image.simd ? 'SIMD' : 'scalar'} | ${imagePhases.map((name) => ms(figure.phases[name] ?? NaN)).join(' | ')} |`);
      }
    }
  }
  return lines.join('\n');
}

function simdSection(results) {
  const runs = [results.runs.jit, results.runs.jitless].filter(Boolean);
  if (!runs.some((run) => Object.keys(images).every((id) => run.figures[id]))) return [];
  const sizes = runs.map((run) => `${run === results.runs.jit ? 'JIT' : '--jitless'} ${run.sizes[Object.keys(images)[0]]} rows`).join(', ');
  return [
    '## SIMD: one C source built with and without -msimd128', '',
    'bench/c/image.c, an image pipeline over 1024-pixel RGBA rows (alpha blend, luma, 3x3 box blur, Sobel edges: u8/i16/i32 ' +
      'lanes; and an f32 phase), built by clang 14 -O3 with `-msimd128` (image-simd.wasm) and without (image.wasm); both builds ' +
      `must give the same checksum. Steady work per iteration (${sizes}). SIMD / native SIMD: against native wasm's SIMD build ` +
      'with the JIT, per row (under --jitless too, where native wasm does not exist). wasm2js and polywasm have no SIMD.', '',
    simdTable(results), '',
    '### Phases (steady medians)', '',
    'blend: alpha blend and luma; blur; edges; shade: the f32 phase. Each includes hashing what it wrote.', '',
    imagePhaseTable(results), '',
  ];
}

function runSection(run, title, baselineText) {
  return [
    `### ${title}: steady work (median per iteration; ratio to ${baselineText})`,
    '', figureTable(run, 'steadyMs'), '',
    `### ${title}: startup (load + instantiate; ratio to ${baselineText})`,
    '', figureTable(run, 'startupMs'), '',
    `### ${title}: sql.js phases (steady medians)`,
    '', phaseTable(run), '',
    `### ${title}: failures`,
    '', failureNotes(run), '',
  ].join('\n');
}

export function renderResults(results) {
  const parts = [
    '# Benchmark results',
    '',
    `Run ${results.date} on ${results.machine}. \`npm run bench\` (bench/run.js) regenerates this file and the README table.`,
    '',
    results.method,
    '',
    '## Targets',
    '',
    targets(results),
    '',
  ];
  if (results.runs.jit) parts.push('## With the JIT', '', runSection(results.runs.jit, 'JIT', 'native wasm'));
  if (results.runs.jitless) parts.push('## node --jitless (no native WebAssembly)', '', runSection(results.runs.jitless, '--jitless', 'wasm2js / sql-asm.js'));
  if (results.runs.jit || results.runs.jitless) parts.push(...simdSection(results));
  if (results.runs.jit || results.runs.jitless) parts.push(...gcSection(results));
  if (results.runs.jit || results.runs.jitless) parts.push('## Start-up to first result', '', firstResultNote, '', firstResultTable(results), '');
  if (results.compile) parts.push('## Compile speed and output size', '', compileTable(results.compile), '');
  if (results.large) parts.push(...largeSection(results.large, '##'));
  return parts.join('\n');
}

function largeSection(large, level) {
  const checks = largeCheckTable(large);
  return [
    `${level} Large modules: compile and start-up`, '', largeNote(large), '',
    `${level}# CLI compile`, '', largeCompileTable(large), '',
    ...(checks === null ? [] : [
      `${level}# Runs right under --jitless`, '',
      'Each package\'s own glue doing real work (bench/large-check.js); the digest of the result must be V8\'s. AOT: the CLI\'s ' +
        '`--tune interpreter` output loaded, then `wasm2es/polyfill` (which compiles Node\'s own llhttp, pulled in by fetch, at run time).', '',
      checks, '',
    ]),
    `${level}# Run-time compile and start-up (new Module + new Instance)`, '', largeStartupTable(large), '',
  ];
}

export function renderReadmeRegion(results) {
  const parts = [
    '## Performance',
    '',
    `Latest \`npm run bench\`, ${results.date}, on ${results.machine}. Steady work is the median time per iteration after warm-up; ` +
      'the ratio is to native WebAssembly (with the JIT) or to wasm2js (under `--jitless`, where there is no native WebAssembly). ' +
      'The sql.js column for wasm2js is sql.js\'s own asm.js build (sql-asm.js). A wrong result is shown as such, never as a time. ' +
      'Details, startup times and method: [bench/results.md](bench/results.md).',
    '',
  ];
  if (results.runs.jit) parts.push('With the JIT:', '', figureTable(results.runs.jit, 'steadyMs'), '');
  if (results.runs.jitless) parts.push('Under `node --jitless`:', '', figureTable(results.runs.jitless, 'steadyMs'), '');
  if (results.runs.jit || results.runs.jitless) {
    parts.push('Start-up to first result, with the JIT and under `node --jitless`. ' + firstResultNote, '', firstResultTable(results), '');
  }
  if (results.compile) parts.push('Compile speed and output size:', '', compileTable(results.compile), '');
  if (results.large) parts.push(...largeSection(results.large, '###'));
  return parts.join('\n');
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/** Replaces only the marked region of README.md (adding the markers at the end if missing). */
export function updateReadme(region) {
  const file = join(paths.repoRoot, 'README.md');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!text.includes(START) || !text.includes(END)) {
    text = text.replace(/\n*$/, '\n\n') + `${START}\n${END}\n`;
  }
  const start = text.indexOf(START) + START.length;
  const end = text.indexOf(END);
  writeFileSync(file, text.slice(0, start) + '\n' + region.trim() + '\n' + text.slice(end));
}
