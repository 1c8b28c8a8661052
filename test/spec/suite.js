// Where the testsuite is and which of its files a run covers. Kept apart from
// run.js so that test/spec.test.ts can ask without starting a run.

import { readdirSync, statSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

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

const fileName = (path) => path.slice(path.lastIndexOf('/') + 1);

/** Where the relaxed SIMD proposal's scripts are, inside the testsuite. */
export const RELAXED_SIMD_DIR = 'proposals/relaxed-simd';

/**
 * The SIMD scripts: the top-level simd_*.wast (WebAssembly 2.0) and the
 * relaxed SIMD proposal's, as paths relative to the testsuite.
 */
export function simdFiles(dir) {
  const fixedWidth = readdirSync(dir).filter((file) => file.endsWith('.wast') && file.startsWith('simd_'));
  const relaxedDir = join(dir, RELAXED_SIMD_DIR);
  const relaxed = existsSync(relaxedDir)
    ? readdirSync(relaxedDir).filter((file) => file.endsWith('.wast')).map((file) => `${RELAXED_SIMD_DIR}/${file}`)
    : [];
  return [...fixedWidth.sort(), ...relaxed.sort()];
}

/** The 3.0 proposals whose folders (proposals/<name>) a run selects by name. */
export const PROPOSALS = ['extended-const', 'tail-call', 'multi-memory', 'exception-handling', 'memory64', 'function-references', 'gc'];

/** A proposal's scripts, subfolders included (exception-handling/legacy), relative to the testsuite. */
export function proposalFiles(dir, name) {
  const base = join(dir, 'proposals', name);
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true }).map(String).filter((file) => file.endsWith('.wast')).sort().map((file) => `proposals/${name}/${file}`);
}

/**
 * The top-level .wast files except simd_*, or those that `names` select: a
 * name picks the file with that stem (i32, memory_grow, simd_lane), else
 * every non-SIMD file whose name contains it, else every SIMD file (simd_*
 * and proposals/relaxed-simd) whose file name contains it: `simd` selects
 * the 2.0 SIMD scripts, `relaxed` those of relaxed SIMD, and so does
 * `relaxed-simd`. A proposal's name selects its folder, and one of its
 * scripts goes by its path without .wast
 * (`proposals/exception-handling/legacy/throw`).
 */
export function selectFiles(dir, names = []) {
  const all = readdirSync(dir).filter((file) => file.endsWith('.wast') && !file.startsWith('simd_')).sort();
  if (names.length === 0) return all;
  const simd = simdFiles(dir);
  const selected = new Set();
  for (const name of names) {
    // A script of any proposal's folder by its path, the proposals wasm2es does not run yet included
    // (proposals/gc/struct): for measuring work in progress.
    const proposals = name.startsWith('proposals/') ? proposalFiles(dir, name.split('/')[1]) : [];
    const exact = [...all, ...simd, ...proposals].filter((file) => file === `${name}.wast`);
    let matches = exact.length ? exact : all.filter((file) => file.includes(name));
    if (matches.length === 0 && name === 'relaxed-simd') matches = simd.filter((file) => file.startsWith(`${RELAXED_SIMD_DIR}/`));
    if (matches.length === 0 && PROPOSALS.includes(name)) matches = proposalFiles(dir, name);
    if (matches.length === 0) matches = simd.filter((file) => fileName(file).includes(name));
    if (matches.length === 0) throw new Error(`no file matches ${name}`);
    matches.forEach((file) => selected.add(file));
  }
  return [...selected].sort();
}
