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
export const sqlWasm2es = (tune = 'jit') => join(outDir, 'sqljs', `sql-wasm.wasm2es${tune === 'jit' ? '' : '-' + tune}.js`);
export const tunes = ['jit', 'interpreter'];
