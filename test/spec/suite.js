// Where the testsuite is and which of its files a run covers. Kept apart from
// run.js so that test/spec.test.ts can ask without starting a run.

import { readdirSync, statSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** $WASM_TESTSUITE, else ../shared/testsuite next to the project; undefined if neither exists. */
export function findTestsuite() {
  if (process.env.WASM_TESTSUITE && !existsSync(process.env.WASM_TESTSUITE)) {
    console.warn(`spec: WASM_TESTSUITE=${process.env.WASM_TESTSUITE} does not exist`);
  }
  const candidates = process.env.WASM_TESTSUITE ? [resolve(process.env.WASM_TESTSUITE)] : [];
  candidates.push(resolve(ROOT, '../shared/testsuite'));
  return candidates.find((dir) => existsSync(dir) && statSync(dir).isDirectory());
}

/**
 * The top-level .wast files except simd_*, or those that `names` select: a
 * name picks the file with that stem (i32, memory_grow), else every file
 * whose name contains it.
 */
export function selectFiles(dir, names = []) {
  const all = readdirSync(dir).filter((file) => file.endsWith('.wast') && !file.startsWith('simd_')).sort();
  if (names.length === 0) return all;
  const selected = new Set();
  for (const name of names) {
    const exact = all.filter((file) => file === `${name}.wast`);
    const matches = exact.length ? exact : all.filter((file) => file.includes(name));
    if (matches.length === 0) throw new Error(`no file matches ${name}`);
    matches.forEach((file) => selected.add(file));
  }
  return [...selected].sort();
}
