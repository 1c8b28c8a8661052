// Runs the clang + wasi-libc modules of bench/c/ (the second toolchain: no
// generated JS glue, WASI imports, memory exported rather than imported,
// _start / _initialize entry points) on one WebAssembly implementation and
// prints every observable result as JSON. test/toolchain.test.ts runs it on
// native WebAssembly and under `node --jitless` on wasm2es, and compares.
//
//   node test/helpers/toolchain-program.js native
//   node --jitless test/helpers/toolchain-program.js aot <generated.js>...
//   node --jitless test/helpers/toolchain-program.js polyfill

import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { createWasi } from '../../bench/c/wasi.js';
import { printReport, runCases } from './report-cases.js';

const [mode, ...aotFiles] = process.argv.slice(2);
const hadNativeWebAssembly = typeof globalThis.WebAssembly !== 'undefined';
const directory = fileURLToPath(new URL('../../bench/c/', import.meta.url));

async function webAssembly() {
  if (mode === 'native') {
    if (!hadNativeWebAssembly) throw new Error('native mode needs an engine with WebAssembly');
    return globalThis.WebAssembly;
  }
  if (mode === 'aot') {
    const runtime = await import('wasm2es/runtime');
    for (const file of aotFiles) await import(pathToFileURL(resolve(file)).href);
    return runtime.WebAssembly;
  }
  if (mode === 'polyfill') {
    await import('wasm2es/polyfill');
    return hadNativeWebAssembly ? (await import('wasm2es')).WebAssembly : globalThis.WebAssembly;
  }
  throw new Error(`unknown mode ${mode}`);
}

function describeError(error, WA) {
  return {
    name: error?.constructor?.name ?? typeof error,
    runtimeError: error instanceof WA.RuntimeError,
    // Engines word trap messages differently; kept for the report, not compared.
    message: String(error?.message ?? error),
  };
}

async function command(WA, name, args = [], { env, stdin } = {}) {
  const module = new WA.Module(readFileSync(directory + name + '.wasm'));
  const wasi = createWasi({ args: [name, ...args], env, stdin });
  const instance = await WA.instantiate(module, wasi.imports);
  const out = {};
  try {
    out.exitCode = wasi.start(instance);
  } catch (error) {
    out.trap = describeError(error, WA);
  }
  out.stdout = wasi.stdout();
  out.stderr = wasi.stderr();
  return out;
}

async function reactor(WA) {
  const wasi = createWasi({ args: ['reactor'] });
  const { instance } = await WA.instantiate(readFileSync(directory + 'reactor.wasm'), wasi.imports);
  wasi.initialize(instance);
  const e = instance.exports;
  const memory = () => new Uint8Array(e.memory.buffer);
  const text = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
  const pointer = e.alloc(text.length + 1);
  memory().set(text, pointer);
  memory()[pointer + text.length] = 0;
  const reversedPointer = e.reverse(pointer);
  const reversedEnd = memory().indexOf(0, reversedPointer);
  const reversed = new TextDecoder().decode(memory().slice(reversedPointer, reversedEnd));
  const remainderPointer = e.alloc(8);
  const quotient = e.udivmod(-1n, 10n, remainderPointer);
  const remainder = new DataView(e.memory.buffer).getBigUint64(remainderPointer, true);
  const floats = new Float32Array([3.5, -1, 1e30, -0, 0.1, Number.NaN, 2]);
  const floatsPointer = e.alloc(floats.byteLength);
  memory().set(new Uint8Array(floats.buffer), floatsPointer);
  e.sort_floats(floatsPointer, floats.length);
  const sorted = Array.from(new Float32Array(e.memory.buffer.slice(floatsPointer, floatsPointer + floats.byteLength)), String);
  const grewFrom = e.memory.buffer.byteLength;
  const big = e.alloc(8 << 20); // forces memory.grow inside malloc
  const grewTo = e.memory.buffer.byteLength;
  memory()[big + (8 << 20) - 1] = 7;
  e.release(big);
  return {
    initialized: e.initialized() >>> 0,
    fnv1a64: String(e.fnv1a64(pointer, text.length)),
    mulhi: [String(e.mulhi(0x7fffffffffffffffn, 0x7fffffffffffffffn)), String(e.mulhi(-5n, 3n))],
    udivmod: [String(quotient), String(remainder)],
    mix: String(e.mix(1.1, 2.5, 123456789012345678n, -7)),
    fnvTruncation: String(e.fnv1a64(pointer, 2 ** 32 + 3 /* wraps to 3 as an i32 */)),
    reversed,
    sorted,
    grew: grewTo > grewFrom,
    bigintArgument: describeError((() => { try { e.mulhi(1, 2); } catch (error) { return error; } })(), WA),
  };
}

const report = { hadNativeWebAssembly, results: {} };
await printReport(report, async () => {
  const WA = await webAssembly();
  const cases = {
    'lz 256 KiB': () => command(WA, 'lz'),
    'lz 40 KiB': () => command(WA, 'lz', ['40']),
    'hash with env and stdin': () => command(WA, 'hash', ['20000'], { env: { WHO: 'wasm2es' }, stdin: 'first line\nsecond, longer line\n\nlast' }),
    'numeric': () => command(WA, 'numeric'),
    'numeric exit 7': () => command(WA, 'numeric', ['exit', '7']),
    'numeric abort traps': () => command(WA, 'numeric', ['abort']),
    'numeric division by zero traps': () => command(WA, 'numeric', ['divzero']),
    'reactor exports': () => reactor(WA),
  };
  await runCases(report, cases);
});
