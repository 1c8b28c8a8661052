// The GC workloads (issue 18): WebAssembly GC (structs, arrays, i31, casts,
// typed function references), one module made by a real WasmGC compiler and
// one written by hand for the instructions that compiler does not emit.
//
// - gc-moonbit: bench/gc/moonbit.mbt, compiled by MoonBit's wasm-gc backend
//   (bench/gc/build-moonbit.js; the .wasm is committed): binary trees of
//   nullable struct references, an enum (final subtypes of one struct, told
//   apart by ref.cast), closures called by call_ref, trait objects, and
//   FixedArray copies.
// - gc-wat: bench/gc/binary-trees.wat, assembled by binaryen at bench time:
//   binary trees, arrays of i32, i8 and references (array.fill, array.copy,
//   array.new_fixed, packed reads), i31 references and br_on_cast,
//   br_on_cast_fail, ref.test and ref.cast on a small subtype hierarchy,
//   call_ref through an array of typed function references, closures as
//   structs, and return_call_ref.
//
// `size` is the binary trees' depth; every other phase gets 2^(size+4)
// items. Each export is one phase returning an i32 checksum; the result is
// their wrapping sum (what `run(size)` returns), and each phase is timed.
// `expected(size)` recomputes every checksum in plain JavaScript, so native
// WebAssembly's answer is checked by an independent method before anything
// is compared with it.
//
// Node 20's V8 (11.3) has only a pre-standard GC encoding behind a flag;
// these modules use the final one, so their rows run on a Node whose V8 has
// it (bench/lib/gc-node.js), every implementation on that same Node.

import { join } from 'node:path';
import * as paths from '../lib/paths.js';

/** Depth: native wasm takes roughly 100-200 ms per call with the JIT; under --jitless, 1/16 of the work. */
const sizes = { jit: 15, jitless: 11 };
const firstSize = 4;

const nodes = (depth) => 2 ** (depth + 1) - 1;
const items = (size) => 2 ** (size + 4);

/** The binary trees' node count: a stretch tree of depth size + 1, 2^(size - d + 4) trees of each even depth d from 4, and the long-lived tree. */
function trees(size) {
  let sum = nodes(size + 1) + nodes(size);
  for (let depth = 4; depth <= size; depth += 2) sum += 2 ** (size - depth + 4) * nodes(depth);
  return sum | 0;
}

/** moonbit.mbt's phases, in the order of its run(). */
const moonbit = {
  trees,
  shapes(size) {
    const n = items(size);
    const area = (i) => [3 * (i % 7) * (i % 7), (i % 5) * (i % 3), (i % 11) + (i % 13) + 1, 1][i % 4];
    let sum = 0;
    for (let pass = 0; pass < 4; pass++) for (let i = 0; i < n; i++) sum = (sum + area((i + pass) % n)) | 0;
    return sum;
  },
  closures(size) {
    const n = items(size) * 4;
    let acc = 1;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      // The closures are made afresh every 64 calls, capturing k + i.
      acc = (Math.imul(acc, 3) + (i & 7) + (i & ~63)) & 0xffff;
      sum = (Math.imul(sum, 31) + acc) | 0;
    }
    return sum;
  },
  traits(size) {
    const n = items(size);
    let sum = 0;
    for (let i = 0; i < n; i++) sum = (Math.imul(sum, 31) + (i % 3 === 0 ? 2 * i + 1 : i)) | 0;
    return sum;
  },
  arrays(size) {
    const n = items(size);
    let sum = 0;
    for (let round = 0; round < 4; round++) {
      const b = new Array(2 * n).fill(round);
      for (let i = 0; i < n; i++) b[(n >> 1) + i] = (i * 7 + round) % 1000;
      for (const value of b) sum = (sum + value) | 0;
    }
    return sum;
  },
};

/** binary-trees.wat's phases, in the order of its run(). Its loops test at the bottom: each runs at least once. */
const wat = {
  trees,
  arrays(size) {
    const n = items(size);
    let sum = 0;
    for (let round = 0; round < 4; round++) {
      const b = new Array(2 * n).fill(0).fill(3, 0, n);
      for (let i = 0; i < n; i++) b[(n >>> 1) + i] = (i * 7 + round) % 1000;
      for (const value of b) sum = (sum + value) | 0;
    }
    const bytes = new Int8Array(256);
    let i = 0;
    do {
      bytes[i & 255] = Math.imul(i, 37);
      sum = (sum + (bytes[i & 255] & 255) - bytes[(i + 128) & 255]) | 0;
      i++;
    } while (i < n >>> 2);
    // The forest: slots 0-3 hold trees of depth 0-3; an odd slot past them
    // shares the tree four slots back (+100 for ref.eq); an even one is null.
    const forest = (slot) => (slot < 4 ? nodes(slot) : slot % 2 ? nodes(slot % 4) : null);
    i = 0;
    do {
      const slot = i & 63;
      if (forest(slot) !== null) sum = (sum + forest(slot) + (slot >= 4 ? 100 : 0)) | 0;
      i++;
    } while (i < n);
    return (sum + 3) | 0;
  },
  casts(size) {
    const n = items(size);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let value;
      if (i % 3 === 0) {
        // i31 of i - 1000: signed and unsigned 31-bit views.
        const bits = (i - 1000) & 0x7fffffff;
        value = ((bits << 1) >> 1) ^ (bits >>> 3);
      } else if (i % 3 === 1) {
        value = (i % 10) * (i % 10);
      } else {
        // A rect's i16 and i8 fields, read signed and unsigned.
        const w = (((i % 70000) - 30000) << 16) >> 16;
        const h = (((i % 50) - 25) << 24) >> 24;
        value = i + w + 3 * (h + (h & 255));
      }
      sum = (Math.imul(sum, 31) + value) | 0;
      if (i % 3 !== 1) sum = (sum + 1) | 0;
    }
    return sum;
  },
  calls(size) {
    const n = items(size);
    const ops = [(x) => Math.imul(x, 3) + 1, (x) => x + 7, (x) => Math.imul(x, x), (x) => x ^ (x >>> 5)];
    let acc = 1;
    let sum = 0;
    let i = 0;
    do {
      acc = ops[i & 3](acc) & 0xffff;
      const env = i & ~63;
      acc = ((i >>> 2) & 1 ? acc ^ env : acc + env) & 0xffff;
      sum = (Math.imul(sum, 31) + acc) | 0;
      i++;
    } while (i < n);
    const countdown = n & 1023;
    return (sum + (countdown * (countdown + 1)) / 2) | 0;
  },
};

export const gcWorkloads = {
  'gc-moonbit': {
    title: 'GC, MoonBit (binary trees, enums, closures, trait objects, arrays)',
    phases: Object.keys(moonbit),
    formulas: moonbit,
    sizes,
    firstSize,
  },
  'gc-wat': {
    title: 'GC, hand-written (binary trees, arrays, i31, casts, call_ref)',
    phases: Object.keys(wat),
    formulas: wat,
    sizes,
    firstSize,
  },
};

/** The checksum every implementation must return for `size`, computed without WebAssembly. */
export function expectedGc(id, size) {
  const { phases, formulas } = gcWorkloads[id];
  return String(phases.reduce((sum, phase) => (sum + formulas[phase](size)) | 0, 0));
}

/** What each implementation loads: the .wasm (committed, or assembled into bench/.out) and what bench/lib/build.js makes of it. */
export function gcFiles(id) {
  const stem = id === 'gc-moonbit' ? 'moonbit' : 'binary-trees';
  return {
    wasm: id === 'gc-moonbit' ? join(paths.benchDir, 'gc', 'moonbit.wasm') : join(paths.outDir, 'gc', 'binary-trees.wasm'),
    source: id === 'gc-wat' ? join(paths.benchDir, 'gc', 'binary-trees.wat') : undefined,
    wasm2js: join(paths.outDir, 'gc', stem + '.wasm2js.js'),
    wasm2es: (tune = 'jit') => join(paths.outDir, 'gc', `${stem}.wasm2es${tune === 'jit' ? '' : '-' + tune}.js`),
  };
}

/** Runs every phase at `size` on an instance's exports; returns { result, phases }. */
export function runGc(exports, size, id) {
  const phases = {};
  let sum = 0;
  for (const phase of gcWorkloads[id].phases) {
    const started = performance.now();
    const value = exports[phase](phase === 'trees' ? size : items(size) * (phase === 'closures' ? 4 : 1));
    phases[phase] = performance.now() - started;
    sum = (sum + value) | 0;
  }
  return { result: String(sum), phases };
}
