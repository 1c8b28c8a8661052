// Compiles one .wasm with a build's compile() in a process of its own, so
// that the process's peak memory is the compiler's (plus Node's ~45 MB and
// the input), and writes the output. Prints one line of JSON.
//
//   node compile-child.js <dist/index.js of a build> <in.wasm> <out.mjs> <jit|interpreter>

import { readFileSync, writeFileSync } from 'node:fs';
import { peakMB } from './peak.js';
import { pathToFileURL } from 'node:url';

const [entry, input, output, tune] = process.argv.slice(2);
const { compile } = await import(pathToFileURL(entry).href);
const bytes = new Uint8Array(readFileSync(input));
const before = { wall: performance.now(), cpu: process.cpuUsage() };
const { code } = compile(bytes, { tune });
const cpu = process.cpuUsage(before.cpu);
const wall = performance.now() - before.wall;
writeFileSync(output, code);
process.stdout.write(`${JSON.stringify({
  compile: { wall: Math.round(wall), cpu: Math.round((cpu.user + cpu.system) / 1000) },
  maxRssMB: peakMB(),
  outputBytes: code.length,
})}\n`);
