// Turns samples into figures and figures into markdown: bench/results.md
// (everything) and the README's bench region (the headline tables).

import { cpus, totalmem, type, release } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as paths from './paths.js';

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * One cell's figure from its samples (one per round). A sample that failed
 * or disagrees with the reference result makes the whole cell a failure:
 * a wrong result is never shown as a time.
 */
export function summarize(samples, reference) {
  const failed = samples.find((sample) => sample.error);
  if (failed) return { status: 'error', message: failed.error };
  const wrong = samples.find((sample) => sample.result !== reference);
  if (wrong) return { status: 'wrong', message: `result ${wrong.result}, expected ${reference}` };
  const phases = {};
  for (const name of Object.keys(samples[0].phases ?? {})) phases[name] = median(samples.map((s) => s.phases[name]));
  return {
    status: 'ok',
    startupMs: median(samples.map((s) => s.startupMs)),
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
      if (figure && figure.status !== 'ok') {
        notes.push(`- ${workload.title}, ${impl.label}: ${figure.status === 'wrong' ? 'wrong result' : 'error'}: ` +
          '`' + figure.message.split('\n')[0].slice(0, 300).replace(/`/g, "'") + '`');
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
  const side = (stats) => stats.error
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
      if (id === 'sqljs') continue;
      const mine = figures['wasm2es-aot'];
      check(`JIT: ${id} on wasm2es AOT faster than wasm2js`,
        ok(mine) && ok(figures.wasm2js) && mine.steadyMs < figures.wasm2js.steadyMs,
        ok(mine) && ok(figures.wasm2js) ? `${ms(mine.steadyMs)} vs ${ms(figures.wasm2js.steadyMs)}` : mine?.status ?? 'not run');
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
  return out.join('\n');
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
  if (results.compile) parts.push('## Compile speed and output size', '', compileTable(results.compile), '');
  return parts.join('\n');
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
  if (results.compile) parts.push('Compile speed and output size:', '', compileTable(results.compile), '');
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
