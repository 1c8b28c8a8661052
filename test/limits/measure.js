// Records the figures of docs/reliability.md ("Limits at scale"): every case
// of test/limits/cases.js at full size, compiled in both tunings, each
// compile in a process of its own (time, peak memory, output size), then
// loaded, instantiated and run with the JIT and under `node --jitless`, the
// results compared with native V8's. Run `npm run build` first.
//
//   node test/limits/measure.js [--root <checkout>] [--json <file>] [--module <file.wasm>]... [case name substrings...]
//
// --module adds a module of your own (sql.js's, say), measured compiling and
// loading only (its imports are not provided, so it is not instantiated).
//
// --root measures another checkout's build (its dist/ compiles, its runtime
// loads the output), e.g. the commit before a change. Wall times depend on
// what else the machine runs; CPU times (user + system) less so.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL } from './cases.js';
import { runSteps } from './probe.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
let root = resolve(here, '../..');
let jsonFile = null;
const filters = [];
const modules = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--root') root = resolve(args[++i]);
  else if (args[i] === '--module') modules.push(resolve(args[++i]));
  else if (args[i] === '--json') jsonFile = resolve(args[++i]);
  else filters.push(args[i]);
}
const outDir = join(root, 'test/.out/limits-measure');
mkdirSync(outDir, { recursive: true });

function node(flags, script, scriptArgs, env = {}) {
  const run = spawnSync(process.execPath, [...flags, '--max-old-space-size=4096', script, ...scriptArgs], {
    encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26,
  });
  const line = run.stdout.trim().split('\n').pop();
  if (run.status !== 0 || !line) {
    // The error's own line and where it was thrown.
    const lines = (run.stderr || run.stdout).split('\n');
    const at = lines.findIndex((text) => /^\w*Error\b/.test(text));
    return { error: at < 0 ? lines.slice(0, 2).join(' ') : `${lines[at]} ${lines[at + 1]?.trim() ?? ''}` };
  }
  return JSON.parse(line);
}

const slug = (name) => name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
const mb = (bytes) => (bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1);

const cases = Object.entries(FULL).filter(([name]) => (filters.length === 0 ? modules.length === 0 : filters.some((filter) => name.includes(filter))));
for (const file of modules) cases.push([basename(file), () => ({ bytes: new Uint8Array(readFileSync(file)), steps: null })]);

const rows = [];
for (const [name, build] of cases) {
  const { bytes, steps } = build();
  const wasm = join(outDir, `${slug(name)}.wasm`);
  writeFileSync(wasm, bytes);
  const caseFile = join(outDir, `${slug(name)}.json`);
  writeFileSync(caseFile, JSON.stringify({ steps, wasm }));

  const nativeStart = performance.now();
  const nativeModule = new WebAssembly.Module(bytes);
  const nativeInstance = steps === null ? null : new WebAssembly.Instance(nativeModule, {});
  const nativeMs = Math.round(performance.now() - nativeStart);
  const expected = steps === null ? [] : runSteps(nativeInstance, steps, bytes).map((result) => JSON.stringify(result));

  for (const tune of ['jit', 'interpreter']) {
    const output = join(outDir, `${slug(name)}-${tune}.mjs`);
    const compiled = node([], join(here, 'compile-child.js'), [join(root, 'dist/index.js'), wasm, output, tune]);
    const row = { name, tune, wasmBytes: bytes.length, nativeMs, ...compiled };
    if (!compiled.error) {
      const runs = [['jit', []], ['jitless', ['--jitless']]];
      if (name.startsWith('data') || steps === null) runs.push(['jitlessNoBuffer', ['--jitless']]);
      for (const [engine, flags] of runs) {
        const env = engine === 'jitlessNoBuffer' ? { LIMITS_HIDE_BUFFER: '1' } : {};
        const ran = node(flags, join(here, 'child.js'), [output, caseFile], env);
        if (!ran.error && ran.results !== null) {
          const differing = ran.results.flatMap((result, i) => (JSON.stringify(result) === expected[i] ? [] : [`step ${i}: ${JSON.stringify(result)}, native ${expected[i]}`]));
          ran.matches = differing.length === 0 || differing;
        }
        delete ran.results;
        row[engine] = ran;
      }
    }
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
}

const machine = `${cpus().length} cores (nproc ${execFileSync('nproc').toString().trim()}), ${(readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
const timing = (phase) => (phase ? `${phase.wall} (${phase.cpu})` : '-');
const engineCells = (ran) => {
  if (!ran) return ['', ''];
  if (ran.error) return [`error: ${ran.error}`, ''];
  const verdict = ran.matches === undefined || ran.matches === true ? '' : ` **${ran.matches.length} of the steps differ from native**`;
  return [`${timing(ran.load)} / ${timing(ran.instantiate)} / ${timing(ran.run)}${verdict}`, `${ran.maxRssMB}`];
};
const lines = [
  machine, '',
  '| case | .wasm MB | tune | compile s | compile peak MB | output MB | JIT: load / instantiate / run ms | JIT peak MB | --jitless: load / instantiate / run ms | --jitless peak MB | native compile+instantiate ms |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const row of rows) {
  const compile = row.error ? `error: ${row.error}` : `${(row.compile.wall / 1000).toFixed(1)} (${(row.compile.cpu / 1000).toFixed(1)})`;
  lines.push(`| ${row.name} | ${mb(row.wasmBytes)} | ${row.tune} | ${compile} | ${row.maxRssMB ?? ''} | ${row.outputBytes ? mb(row.outputBytes) : ''} | ${engineCells(row.jit).join(' | ')} | ${engineCells(row.jitless).join(' | ')} | ${row.nativeMs} |`);
  if (row.jitlessNoBuffer) lines.push(`| ${row.name}, runtime without Buffer | | ${row.tune} | | | | | | ${engineCells(row.jitlessNoBuffer).join(' | ')} | |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ machine, rows }, null, 2));
