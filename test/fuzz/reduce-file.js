#!/usr/bin/env node
// Reduces a divergent module that a fuzz run wrote out (test/.out/fuzz/
// <name>.wasm with <name>.plan.json) and saves it as a fixture: for when the
// generator that made it has changed since, so (seed, index) no longer
// names it.
//
//   node test/fuzz/reduce-file.js <module.wasm> <plan.json> [--config jit] [--name NAME]
//        [--seconds 120] [--fixtures DIR] [--dist DIR]

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createWorkerHandle } from './pool.js';
import { reduceAndSave } from './save-divergence.js';
import { DEFAULT_FEATURES } from './features.js';
import { CONFIG_NAMES } from './configs.js';
import { FIXTURES_DIR } from './fixtures.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : fallback;
};
const config = option('--config', 'jit');
const seconds = Number(option('--seconds', '120'));
const fixtures = option('--fixtures', FIXTURES_DIR);
const dist = option('--dist', undefined);
const [wasmPath, planPath] = args;
const name = option('--name', basename(wasmPath ?? '', '.wasm').replace(/\.canonical$/, ''));
if (!wasmPath || !planPath || !CONFIG_NAMES.includes(config)) {
  console.error(`usage: node test/fuzz/reduce-file.js <module.wasm> <plan.json> [--config ${CONFIG_NAMES.join('|')}] [--name NAME] [--seconds N] [--fixtures DIR] [--dist DIR]`);
  process.exit(2);
}

const bytes = new Uint8Array(readFileSync(wasmPath));
const plan = JSON.parse(readFileSync(planPath, 'utf8'));
const settings = { seed: 0, features: DEFAULT_FEATURES, configs: CONFIG_NAMES, rounds: 2, dist };
const evaluator = createWorkerHandle({ ...settings, configs: [config] }, 60);
const answer = await evaluator.evaluate(bytes, plan);
await evaluator.close();
const result = answer.result?.configs[config];
if (result?.status !== 'diverged') {
  console.log(`${wasmPath}: ${config} does not diverge (${result?.status ?? answer.type})`);
  process.exit(1);
}
console.log(`${config}: ${result.divergence.detail}`);
// A module written out as .canonical.wasm is canonical already: classification says so again.
const report = { ...answer.result, bytes, plan, generator: 'file', seed: 0, index: 0, reproduce: `node test/fuzz/reduce-file.js ${wasmPath} ${planPath} --config ${config}` };
const saved = await reduceAndSave(report, config, { settings, fixtures, seconds, name, print: console.log });
if (saved.problem) {
  console.log(`not reduced: ${saved.problem}`);
  process.exit(1);
}
console.log(`fixture ${saved.fixture.wasm}; diverges in ${Object.keys(saved.diverged).join(', ')}`);
if (saved.wat) console.log(saved.wat);
