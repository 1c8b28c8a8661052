// The micro kernels: hand-written WebAssembly text in bench/kernels/, each
// exporting run(n) with an i32/f64-only signature (i64 stays inside, so
// wasm2js's boundary legalization does not change what is measured) and a
// checkable result. `n` per mode is sized so native WebAssembly takes
// roughly 10-30 ms per call with the JIT, and wasm2js a second or less per
// call under --jitless. `firstSize` is a tiny input for the first call
// timed as "start-up to first result".

export const kernels = {
  'i32-memory': {
    title: 'i32 + memory (sieve, hashes)',
    sizes: { jit: 4_000_000, jitless: 1_000_000 },
    firstSize: 4096,
  },
  'i64-arith': {
    title: 'i64 arithmetic (xorshift64*, mul-mod)',
    sizes: { jit: 2_000_000, jitless: 40_000 },
    firstSize: 100,
  },
  'f64-nbody': {
    title: 'f64 (n-body)',
    sizes: { jit: 500_000, jitless: 25_000 },
    firstSize: 10,
  },
  calls: {
    title: 'calls + call_indirect',
    sizes: { jit: 2_000_000, jitless: 1_000_000 },
    firstSize: 100,
  },
  'memory-bulk': {
    title: 'memory.grow + bulk memory',
    sizes: { jit: 300, jitless: 300 },
    firstSize: 1,
  },
};

/** A kernel result as a string that compares exactly (f64 results included). */
export function kernelResult(value) {
  return typeof value === 'number' && !Number.isInteger(value) ? value.toPrecision(17) : String(value);
}
