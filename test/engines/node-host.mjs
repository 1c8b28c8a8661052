// Runs one engine test program on Node as a classic script in the global
// scope (vm.runInThisContext), the way a browser runs a <script>:
//
//   node test/engines/node-host.mjs program.js             native WebAssembly (the reference)
//   node --jitless test/engines/node-host.mjs program.js   no WebAssembly: wasm2es's runtime stands in
//   node test/engines/node-host.mjs --check program.js     only parse it (exit 1 on a syntax error)
//
// The host gives the program `print` (a line on stdout) and, because glue
// that finds itself on Node (Emscripten's ENVIRONMENT_IS_NODE) uses them,
// what a CommonJS module sees: `require`, `__dirname`, `__filename`.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Script, runInThisContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

// Node 20's V8 has relaxed SIMD behind a flag, read at each compile: set so
// that the reference runs proposals/relaxed-simd (as test/spec/engines.js
// does). It only adds opcodes; under --jitless there is no WebAssembly to set it for.
// V8 12 and later (node 22) ship it and no longer know the flag, which they
// would report on stderr.
const v8Major = Number(process.versions.v8.split('.')[0]);
if (typeof WebAssembly !== 'undefined' && v8Major < 12) setFlagsFromString('--experimental-wasm-relaxed-simd');

const check = process.argv[2] === '--check';
const program = resolve(process.argv[check ? 3 : 2]);
if (check) {
  try {
    new Script(readFileSync(program, 'utf8'), { filename: program });
  } catch (error) {
    process.stderr.write(`${error}\n`);
    process.exit(1);
  }
  process.exit(0);
}
globalThis.print = (...texts) => process.stdout.write(`${texts.join(" ")}\n`);
globalThis.require = createRequire(program);
globalThis.__filename = program;
globalThis.__dirname = dirname(program);
runInThisContext(readFileSync(program, 'utf8'), { filename: program });
