// Regression fixtures: a reduced divergent module, `<name>.wasm`, beside
// `<name>.json` with its call plan, where it came from, which
// configurations diverged and how, and the expected behaviour: what native
// V8 does with it (outcome, host calls and state after instantiation and
// after each call), recomputed from the reduced module when it is saved.
// Replaying a fixture runs it on native and every configuration: all must
// agree, and native must still do what the file says.

import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runModule } from './execute.js';

export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The native behaviour of bytes under plan, as a fixture stores it. */
export function expectedBehaviour(bytes, plan, native) {
  return runModule(bytes, plan, native, {}, { trace: true }).trace;
}

/**
 * @param {string} dir
 * @param {string} name
 * @param {{ bytes: Uint8Array, plan: object[], source: object, diverged: Record<string, string> }} fixture
 * @param {import('./configs.js').Engine} native
 */
export function saveFixture(dir, name, { bytes, plan, source, diverged }, native) {
  mkdirSync(dir, { recursive: true });
  const json = { source, diverged, plan, expected: expectedBehaviour(bytes, plan, native) };
  writeFileSync(join(dir, `${name}.wasm`), bytes);
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  return { wasm: join(dir, `${name}.wasm`), json: join(dir, `${name}.json`) };
}

/** Fixture names in dir (a .wasm without its .json is an error: it would be replayed against nothing). */
export function listFixtures(dir = FIXTURES_DIR) {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir);
  const names = files.filter((file) => file.endsWith('.wasm')).map((file) => file.slice(0, -5)).sort();
  for (const name of names) if (!files.includes(`${name}.json`)) throw new Error(`fixture ${name}.wasm has no ${name}.json`);
  for (const file of files) if (file.endsWith('.json') && !names.includes(file.slice(0, -5))) throw new Error(`fixture ${file} has no .wasm`);
  return names;
}

export function loadFixture(name, dir = FIXTURES_DIR) {
  return {
    name,
    bytes: new Uint8Array(readFileSync(join(dir, `${name}.wasm`))),
    ...JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')),
  };
}

/**
 * Replays a fixture. Problems are strings: empty means every configuration
 * agrees with native, and native agrees with the stored expectation. A
 * fixture beyond this native engine (one saved under Node 24 with
 * --experimental-wasm-exnref, replayed under Node 20) cannot be checked:
 * `beyondNative` says why, and there are no problems.
 * @returns {{ problems: string[], configs: Record<string, import('./execute.js').ConfigResult>, beyondNative?: string }}
 */
export function replayFixture(fixture, native, engines) {
  const result = runModule(fixture.bytes, fixture.plan, native, engines, { trace: true });
  if (result.beyondNative) {
    const problems = Object.entries(result.configs).filter(([, config]) => config.status === 'diverged').map(([name, config]) => `${name}: ${config.divergence.detail}`);
    return { problems, configs: result.configs, beyondNative: result.beyondNative };
  }
  const problems = [];
  const difference = firstDifference(fixture.expected, result.trace);
  if (difference) problems.push(`native V8 no longer behaves as ${fixture.name}.json expects: ${difference}`);
  const nativeExhausted = result.trace.calls.some((call) => call.outcome === 'throws exhaustion');
  for (const [name, config] of Object.entries(result.configs)) {
    if (config.status === 'same' || (config.status === 'exhausted' && nativeExhausted)) continue;
    problems.push(`${name}: ${config.status}${config.divergence ? `: ${config.divergence.detail}` : config.message ? `: ${config.message}` : ''}`);
  }
  return { problems, configs: result.configs };
}

function firstDifference(want, got, path = '') {
  if (typeof want !== 'object' || want === null || typeof got !== 'object' || got === null) {
    return want === got ? null : `${path || 'value'}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
  }
  for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
    const difference = firstDifference(want[key], got[key], `${path}.${key}`);
    if (difference) return difference;
  }
  return null;
}
