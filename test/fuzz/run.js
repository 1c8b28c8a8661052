#!/usr/bin/env node
// `npm run fuzz`: differential fuzzing of wasm2es against native V8 (see
// options.js for the flags). The main thread hands out (generator, index)
// pairs in order to a pool of workers (worker.js), so a run always covers a
// contiguous range of indices; it prints every divergence with the command
// that reproduces it, reduces the first few into fixtures, and ends with a
// summary. Exit status: 0 when nothing diverged, 1 otherwise, 2 on a usage
// error.

import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { parseOptions, UsageError } from './options.js';
import { ownGeneratorPresent } from './generators.js';
import { createWorkerHandle } from './pool.js';
import { FIXTURES_DIR } from './fixtures.js';
import { reduceAndSave, writeUnreduced, divergenceName } from './save-divergence.js';
import { createTally, summary } from './tally.js';
import { DEFAULT_FEATURES } from './features.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROGRESS_EVERY_MS = 15000;

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    (error.status ? console.error : console.log)(error.status ? `fuzz: ${error.message}` : error.message);
    process.exit(error.status);
  }
  const generators = chooseGenerators(options);
  const print = (text) => console.log(text);
  const tally = await fuzz(options, generators, print);
  print(summary(tally, options));
  process.exit(tally.divergences + tally.hung + tally.errors > 0 ? 1 : 0);
}

function chooseGenerators(options) {
  if (options.generator !== 'ttf' && !ownGeneratorPresent()) {
    const message = "generator 'own' is not there yet (test/fuzz/generator.js does not exist)";
    if (options.generator === 'own') {
      console.error(`fuzz: ${message}`);
      process.exit(2);
    }
    console.log(`fuzz: ${message}; running 'ttf' only`);
    return ['ttf'];
  }
  return options.generator === 'both' ? ['ttf', 'own'] : [options.generator];
}

/** The command that reruns one module. */
function reproduce(options, generator, index, configName) {
  const features = options.features.join(',') === DEFAULT_FEATURES.join(',') ? '' : ` --features ${options.features.join(',') || 'mvp'}`;
  const configs = configName ? ` --configs ${configName}` : '';
  const dist = options.dist ? ` --dist ${options.dist}` : '';
  return `npm run fuzz -- --seed ${options.seed} --generator ${generator} --start ${index} --count 1${configs}${features} --rounds ${options.rounds}${dist}`;
}

/**
 * Runs the fuzz loop; resolves with the tally once every handed-out module
 * is done and every reduction finished.
 */
export async function fuzz(options, generators, print) {
  const settings = { seed: options.seed, features: options.features, configs: options.configs, rounds: options.rounds, dist: options.dist };
  const tally = createTally(options, generators);
  const fixturesDir = options.fixtures ?? FIXTURES_DIR;
  const outDir = options.out ?? `${ROOT}test/.out/fuzz`;
  const started = Date.now();
  const deadline = options.seconds === undefined ? Infinity : started + options.seconds * 1000;
  let nextSlot = 0; // slot k is index start + floor(k / generators), generator k % generators
  const slots = options.count === undefined ? Infinity : options.count * generators.length;
  // Reductions run one at a time, beside the fuzzing: each keeps a worker or two busy.
  let reductionQueue = Promise.resolve();
  let reductionsLeft = options.reduce;

  print(`fuzz: seed ${options.seed}, generators ${generators.join('+')}, configurations ${options.configs.join(',')}, ${options.jobs} job(s)${options.seconds ? `, ${options.seconds} s` : ''}${options.count ? `, ${options.count} indices` : ''}`);
  let lastProgress = Date.now();

  async function workerLoop() {
    const handle = createWorkerHandle(settings, options.timeout);
    try {
      while (nextSlot < slots && Date.now() < deadline) {
        const slot = nextSlot++;
        const generator = generators[slot % generators.length];
        const index = options.start + Math.floor(slot / generators.length);
        const report = await handle.request({ type: 'module', generator, index });
        Object.assign(report, { generator, index, seed: options.seed, reproduce: reproduce(options, generator, index) });
        record(report);
        if (!options.quiet && Date.now() - lastProgress > PROGRESS_EVERY_MS) {
          lastProgress = Date.now();
          print(`fuzz: ${Math.round((Date.now() - started) / 1000)} s, ${tally.modules} modules, ${tally.calls} calls, ${tally.divergences} divergences`);
        }
      }
    } finally {
      await handle.close();
    }
  }

  function record(report) {
    tally.add(report);
    if (report.type === 'timeout' || report.type === 'crashed') {
      print(`HUNG ${report.generator} seed ${options.seed} index ${report.index}: the module ${report.type === 'timeout' ? `ran over ${options.timeout} s` : `crashed its worker: ${report.error}`}\n  reproduce: ${report.reproduce}`);
      return;
    }
    if (report.generatorError) {
      print(`GENERATOR ${report.generator} seed ${options.seed} index ${report.index}: ${report.generatorError}\n  reproduce: ${report.reproduce}`);
      return;
    }
    if (report.error) {
      print(`ERROR ${report.generator} seed ${options.seed} index ${report.index}: ${report.error}\n  reproduce: ${report.reproduce}`);
      return;
    }
    const diverged = Object.keys(report.configs).filter((name) => report.configs[name].status === 'diverged');
    for (const configName of diverged) {
      const config = report.configs[configName];
      const path = writeUnreduced(outDir, divergenceName(report, configName), report, configName);
      const canonical = config.module === 'canonical' ? ' (with NaNs canonicalised)' : '';
      print(`DIVERGENCE ${report.generator} seed ${options.seed} index ${report.index} [${configName}] ${config.divergence.kind}${canonical}: ${config.divergence.detail}`);
      print(`  reproduce: ${reproduce(options, report.generator, report.index, configName)}\n  module: ${relative(process.cwd(), path)}`);
    }
    // One reduction per module: the fixture records every configuration that diverges on the result.
    if (diverged.length && reductionsLeft > 0) {
      reductionsLeft--;
      reductionQueue = reductionQueue.then(() => reduceOne(report, diverged[0]));
    }
  }

  async function reduceOne(report, configName) {
    const name = divergenceName(report, configName);
    try {
      const saved = await reduceAndSave(report, configName, { settings, fixtures: fixturesDir, seconds: options.reduceSeconds, print: (text) => print(`${name}: ${text.trim()}`) });
      if (saved.problem) return print(`${name}: not reduced: ${saved.problem}`);
      tally.fixtures.push(relative(process.cwd(), saved.fixture.wasm));
      print(`${name}: fixture ${relative(process.cwd(), saved.fixture.wasm)} (+ .json); diverges in ${Object.keys(saved.diverged).join(', ') || 'no configuration any more'}`);
      if (saved.wat && saved.wat.split('\n').length <= 120) print(saved.wat.trimEnd());
    } catch (error) {
      print(`${name}: reduction failed: ${error?.stack ?? error}`);
    }
  }

  await Promise.all(Array.from({ length: options.jobs }, workerLoop));
  tally.seconds = (Date.now() - started) / 1000;
  await reductionQueue;
  return tally;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error?.stack ?? error);
    process.exit(1);
  });
}
