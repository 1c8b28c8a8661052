// Compile speed and output size: the wasm2es CLI against binaryen's
// `wasm2js -O3` on the same inputs. Each tool runs as its own process (both
// are Node programs: binaryen's npm package is binaryen compiled to wasm),
// timed from spawn to exit; peak memory is the child's maximum resident set
// size from GNU time when /usr/bin/time exists.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { firstMeaningfulLine, wasm2jsFeatures } from './build.js';
import * as paths from './paths.js';

const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function measure(command, args) {
  const [program, programArgs] = gnuTime ? [gnuTime, ['-f', '@@%M', command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const result = spawnSync(program, programArgs, { cwd: paths.repoRoot, encoding: 'utf8', maxBuffer: 256 << 20 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const match = gnuTime && /@@(\d+)\s*$/.exec(result.stderr);
  const peakMiB = match ? Number(match[1]) / 1024 : null;
  const stderr = match ? result.stderr.slice(0, match.index) : result.stderr;
  if (result.error || result.status !== 0) return { error: result.error?.message ?? firstMeaningfulLine(stderr) };
  return { ms, peakMiB };
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

function tool(name, command, args, output, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const sample = measure(command, args);
    if (sample.error) return { tool: name, error: sample.error };
    samples.push(sample);
  }
  const bytes = readFileSync(output);
  return {
    tool: name,
    ms: median(samples.map((s) => s.ms)),
    peakMiB: samples[0].peakMiB === null ? null : Math.max(...samples.map((s) => s.peakMiB)),
    bytes: bytes.length,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
  };
}

/**
 * inputs: [{ label, file, wasm2js }]; `wasm2js: false` for a module it
 * cannot read by design (GC), whose cell says so instead of timing a
 * failure. Returns one row per input.
 */
export function compileStats(inputs, { runs = 3, log = () => {} } = {}) {
  const directory = join(paths.outDir, 'compile');
  mkdirSync(directory, { recursive: true });
  return inputs.map(({ label, file, wasm2js = true }) => {
    log(`compile: ${label}`);
    const stem = join(directory, basename(file, '.wasm'));
    return {
      label,
      wasmBytes: statSync(file).size,
      wasm2es: tool('wasm2es', process.execPath, [join(paths.repoRoot, 'bin/wasm2es.js'), file, '-o', stem + '.wasm2es.js'], stem + '.wasm2es.js', runs),
      wasm2js: !wasm2js ? { tool: 'wasm2js -O3', unsupported: 'n/a (no GC support)' } : tool('wasm2js -O3', join(paths.binaryenBin, 'wasm2js'), ['-O3', ...wasm2jsFeatures, file, '-o', stem + '.wasm2js.js'], stem + '.wasm2js.js', runs),
    };
  });
}
