// Where the benchmark's inputs and generated files live. Everything built
// goes to bench/.out (gitignored); it is inside the package, so generated
// modules importing `wasm2es/runtime` resolve it by self-reference.

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const benchDir = join(repoRoot, 'bench');
export const outDir = join(benchDir, '.out');
export const sqljsDist = join(repoRoot, 'node_modules/sql.js/dist');
export const sqlWasm = join(sqljsDist, 'sql-wasm.wasm');
export const binaryenBin = join(repoRoot, 'node_modules/binaryen/bin');

export const kernelSource = (name) => join(benchDir, 'kernels', name + '.wat');
export const kernelWasm = (name) => join(outDir, 'kernels', name + '.wasm');
export const kernelWasm2js = (name) => join(outDir, 'kernels', name + '.wasm2js.js');
/** wasm2es's ahead-of-time output, tuned for a JIT or (`--tune interpreter`) for --jitless runs. */
export const kernelWasm2es = (name, tune = 'jit') => join(outDir, 'kernels', `${name}.wasm2es${tune === 'jit' ? '' : '-' + tune}.js`);
/** What each implementation loads for a kernel (bench/lib/implementations.js). */
export const kernelFiles = (name) => ({ wasm: kernelWasm(name), wasm2js: kernelWasm2js(name), wasm2es: (tune) => kernelWasm2es(name, tune) });

/** The same for a committed C build in bench/c (`file` without .wasm); what is built from it goes to bench/.out/c. */
export const cFiles = (file) => ({
  wasm: join(benchDir, 'c', file + '.wasm'),
  wasm2js: join(outDir, 'c', file + '.wasm2js.js'),
  wasm2es: (tune = 'jit') => join(outDir, 'c', `${file}.wasm2es${tune === 'jit' ? '' : '-' + tune}.js`),
});
export const sqlWasm2es = (tune = 'jit') => join(outDir, 'sqljs', `sql-wasm.wasm2es${tune === 'jit' ? '' : '-' + tune}.js`);
export const tunes = ['jit', 'interpreter'];
