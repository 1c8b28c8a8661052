// Builds what the benchmark runs, into bench/.out: the kernels assembled
// with wabt (the GC workload's text with binaryen), their binaryen
// `wasm2js -O3` versions, and wasm2es's ahead-of-time output for the
// kernels, the C programs of bench/c, the GC modules of bench/gc and
// sql-wasm.wasm (with the built CLI, as a user would). A tool that fails
// leaves an error message in place of the file, and that implementation's
// cells report it. A SIMD or GC module is not given to wasm2js, which has
// neither.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import wabtInit from 'wabt';
import * as paths from './paths.js';

/** The feature flags given to wasm2js for every input (what the inputs use). */
export const wasm2jsFeatures = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals'];

export async function assembleKernels(names) {
  const wabt = await wabtInit();
  mkdirSync(join(paths.outDir, 'kernels'), { recursive: true });
  for (const name of names) {
    const source = readFileSync(paths.kernelSource(name), 'utf8');
    const module = wabt.parseWat(name + '.wat', source, { bulk_memory: true });
    module.validate();
    writeFileSync(paths.kernelWasm(name), module.toBinary({}).buffer);
    module.destroy();
  }
}

/** Runs a command; returns null on success, else a one-line reason. */
function run(command, args) {
  const result = spawnSync(command, args, { cwd: paths.repoRoot, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (result.error) return result.error.message;
  if (result.status === 0) return null;
  return `exit ${result.status}: ${firstMeaningfulLine(result.stderr)}`;
}

/** The first short line of a tool's stderr (binaryen's aborts dump megabytes of its own source). */
export function firstMeaningfulLine(text) {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line && line.length < 300);
  return lines.find((line) => /error|invalid|fatal|unreachable|abort/i.test(line)) ?? lines[0] ?? '(no message)';
}

/**
 * Assembles WebAssembly text with binaryen's wasm-as, which reads what wabt
 * does not (GC types and instructions); returns null or a one-line reason.
 */
export function assembleWithBinaryen(source, output) {
  mkdirSync(dirname(output), { recursive: true });
  rmSync(output, { force: true });
  return run(join(paths.binaryenBin, 'wasm-as'), ['--enable-gc', '--enable-reference-types', '--enable-tail-call', '--enable-bulk-memory', source, '-o', output]);
}

export function wasm2js(input, output) {
  mkdirSync(dirname(output), { recursive: true });
  rmSync(output, { force: true });
  return run(join(paths.binaryenBin, 'wasm2js'), ['-O3', ...wasm2jsFeatures, input, '-o', output]);
}

export function wasm2es(input, output, tune = 'jit') {
  mkdirSync(dirname(output), { recursive: true });
  rmSync(output, { force: true });
  return run(process.execPath, [join(paths.repoRoot, 'bin/wasm2es.js'), input, '--tune', tune, '-o', output]);
}

/**
 * Builds everything; returns { [implementation]: { [workload]: reason } }
 * for the builds that failed. `programs`: [{ id, files, simd, gc }], the
 * workloads built from a committed .wasm (paths.cFiles) or, where
 * `files.source` names one, from text assembled first. wasm2js, which has
 * neither SIMD nor GC, is given neither kind.
 */
export async function buildAll(kernelNames, programs, log) {
  const failures = { 'wasm2es-aot': {}, wasm2js: {} };
  await assembleKernels(kernelNames);
  const modules = [
    ...kernelNames.map((name) => ({ id: name, files: paths.kernelFiles(name), simd: false })),
    ...programs,
  ];
  for (const { id, files, simd, gc } of modules) {
    if (files.source) {
      const assembled = assembleWithBinaryen(files.source, files.wasm);
      if (assembled) log(`build: ${id}: wasm-as failed: ${assembled}`);
    }
    if (!simd && !gc) {
      const w2js = wasm2js(files.wasm, files.wasm2js);
      if (w2js) failures.wasm2js[id] = `wasm2js failed: ${w2js}`;
    }
    for (const tune of paths.tunes) {
      const w2es = wasm2es(files.wasm, files.wasm2es(tune), tune);
      if (w2es) failures['wasm2es-aot'][id] ??= `wasm2es --tune ${tune} failed: ${w2es}`;
    }
  }
  for (const tune of paths.tunes) {
    const w2es = wasm2es(paths.sqlWasm, paths.sqlWasm2es(tune), tune);
    if (w2es) failures['wasm2es-aot'].sqljs = `wasm2es --tune ${tune} failed: ${w2es}`;
  }
  for (const [implementation, list] of Object.entries(failures)) {
    for (const [workload, reason] of Object.entries(list)) log(`build: ${implementation} ${workload}: ${reason}`);
  }
  if (!existsSync(join(paths.repoRoot, 'dist/index.js'))) log('build: dist/ is missing (run `npm run build`)');
  return failures;
}
