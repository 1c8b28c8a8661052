// What happens to a divergence: the module is written out unreduced, then
// reduced (reduce.js) against the configuration that diverged, with each
// candidate run in a worker under a time limit, and saved as a fixture whose
// expected behaviour is recomputed on native V8. The reduced module is
// printed as text, instruction by instruction as in the binary (wabt's
// wasm2wat; binaryen's wasm-dis folds it into expressions, and the stack
// shape is often the point).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkerHandle } from './pool.js';
import { reduce } from './reduce.js';
import { saveFixture } from './fixtures.js';
import { loadTool } from './binaryen-tool.js';
import { ttfFeatureFlags } from './ttf.js';
import { nativeEngine } from './configs.js';
import { generatorVersion } from './generators.js';

/**
 * Seconds one reducer candidate may run: candidates can loop forever once a
 * loop's exit is cut. Generous, since the fuzzing goes on beside it.
 */
const CANDIDATE_TIMEOUT = 20;

/** Binaryen cleanups tried as reduction candidates. */
const CLEANUPS = [['--remove-unused-module-elements'], ['--dce', '--vacuum', '--remove-unused-names', '--remove-unused-module-elements'], ['--remove-unused-brs', '--merge-blocks', '--vacuum']];

let wasmOpt = null;
let wasmDis = null;
let wabt = null;

/** The name under which a divergence's files are saved. */
export function divergenceName(report, configName) {
  return `${report.generator}-s${report.seed}-i${report.index}-${configName}`;
}

/** The bytes that diverged in a configuration: the module as generated, or with its NaNs canonicalised (classify.js). */
export function divergentBytes(report, configName) {
  return report.configs[configName].module === 'canonical' ? report.canonicalBytes : report.bytes;
}

/** Writes the unreduced module that diverged and its plan; returns the .wasm path. */
export function writeUnreduced(dir, name, report, configName) {
  mkdirSync(dir, { recursive: true });
  const suffix = report.configs[configName].module === 'canonical' ? '.canonical' : '';
  writeFileSync(join(dir, `${name}${suffix}.wasm`), divergentBytes(report, configName));
  writeFileSync(join(dir, `${name}.plan.json`), `${JSON.stringify(report.plan, null, 2)}\n`);
  return join(dir, `${name}${suffix}.wasm`);
}

/**
 * @param {object} report the worker's report of the divergent module (bytes, plan, configs)
 * @param {string} configName
 * @param {{ settings: object, fixtures: string, seconds: number, name?: string, print: (text: string) => void }} options
 * @returns {Promise<{ fixture?: { wasm: string, json: string }, wat?: string, diverged?: Record<string, string>, problem?: string }>}
 */
export async function reduceAndSave(report, configName, { settings, fixtures, seconds, name, print }) {
  const target = report.configs[configName].divergence;
  const sameDivergence = (config) => config?.status === 'diverged' && config.divergence.kind === target.kind && Boolean(config.divergence.nanOnly) === Boolean(target.nanOnly);
  const evaluator = createWorkerHandle({ ...settings, configs: [configName] }, CANDIDATE_TIMEOUT);
  const all = createWorkerHandle(settings, CANDIDATE_TIMEOUT * 4);
  try {
    let last = null;
    const stillDiverges = async (bytes, plan) => {
      last = await evaluator.evaluate(bytes, plan);
      return last.type === 'evaluated' && sameDivergence(last.result.configs[configName]);
    };
    // Calls after the divergent one cannot matter.
    const plan = target.call === undefined ? [] : report.plan.slice(0, target.call + 1);
    const bytes = divergentBytes(report, configName);
    if (!(await stillDiverges(bytes, plan))) {
      const again = last.type === 'evaluated' ? JSON.stringify(last.result.configs[configName]) : last.type;
      return { problem: `it does not diverge the same way when run again in a fresh worker: ${again}` };
    }
    const passes = await binaryenCleanups(settings.features);
    const reduced = await reduce({ bytes, plan }, stillDiverges, { seconds, binaryenPasses: passes });
    print(`  reduced ${bytes.length} -> ${reduced.bytes.length} bytes, ${report.plan.length} -> ${reduced.plan.length} calls (${reduced.tests} runs${reduced.timedOut ? ', stopped at the time limit' : ''})`);

    const answer = await all.evaluate(reduced.bytes, reduced.plan);
    const diverged = {};
    for (const [name, config] of Object.entries(answer.result?.configs ?? {})) if (config.status === 'diverged') diverged[name] = config.divergence.detail;
    const source = {
      generator: report.generator,
      generatorVersion: generatorVersion(report.generator),
      seed: report.seed,
      index: report.index,
      features: settings.features,
      nansCanonicalized: report.configs[configName].module === 'canonical',
      reproduce: report.reproduce,
    };
    const fixture = saveFixture(fixtures, name ?? divergenceName(report, configName), { bytes: reduced.bytes, plan: reduced.plan, source, diverged }, nativeEngine());
    return { fixture, diverged, wat: await disassemble(reduced.bytes) };
  } finally {
    await evaluator.close();
    await all.close();
  }
}

/** A function giving binaryen-cleaned variants of a module, or undefined without binaryen. */
async function binaryenCleanups(features) {
  try {
    wasmOpt ??= await loadTool('wasm-opt');
  } catch {
    return undefined;
  }
  return (bytes) => {
    const variants = [];
    for (const passes of CLEANUPS) {
      if (!wasmOpt.ready) return variants; // reloading is async; the next round gets them
      const result = wasmOpt.run(['in.wasm', ...ttfFeatureFlags(features), ...passes, '-o', 'out.wasm'], { 'in.wasm': bytes }, ['out.wasm']);
      if (result.status === 0 && result.files['out.wasm']) variants.push(result.files['out.wasm']);
    }
    return variants;
  };
}

/** The module as text (wabt, else binaryen's wasm-dis), or undefined. */
export async function disassemble(bytes) {
  try {
    const { default: wabtInit } = await import('wabt');
    wabt ??= await wabtInit();
    // check: false, since wabt's reader rejects some modules V8 validates
    const module = wabt.readWasm(bytes, { check: false, multi_value: true, bulk_memory: true, reference_types: true, sign_extension: true, sat_float_to_int: true, mutable_globals: true, simd: true });
    try {
      module.generateNames();
      module.applyNames();
      return module.toText({ foldExprs: false, inlineExport: true });
    } finally {
      module.destroy();
    }
  } catch {
    // wabt is a devDependency; fall back to binaryen
  }
  try {
    wasmDis ??= await loadTool('wasm-dis');
    if (!wasmDis.ready) await wasmDis.reload();
    const result = wasmDis.run(['in.wasm', '-o', 'out.wat'], { 'in.wasm': bytes }, ['out.wat']);
    return result.files['out.wat'] ? new TextDecoder().decode(result.files['out.wat']) : undefined;
  } catch {
    return undefined;
  }
}
