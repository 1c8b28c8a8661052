// The modules of test/limits.test.ts and test/limits/measure.js: valid input
// at the sizes users bring (issue 12), built as bytes, each with the steps
// that probe it (test/limits/probe.js runs them). Every builder takes its
// size, so a test can run a smaller copy of a shape whose full size is
// measured by the script.

import {
  concat, exportEntry, F64, funcBody, funcType, I32, I64, leb, nestedBranches, section, sleb, sleb64, switchLowering, vec,
  wasmModule,
} from '../helpers/wasm-bytes.js';

/** xorshift32: the same bytes on every machine. */
function random(seed) {
  let state = seed | 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

const call = (name, ...args) => ({ call: name, args });

/**
 * `count` functions, each calling the one at half its index; the first
 * `inTable` in a table that `dispatch(index, x)` calls through.
 */
export function manyFunctions(count, inTable = count) {
  const bodies = [];
  bodies.push(funcBody([], [0x20, 0])); // function 0: x
  for (let i = 1; i < count; i++) {
    // f_i(x) = f_(i >> 1)(rotl(x, i % 31 + 1) ^ i)
    bodies.push(funcBody([], [0x20, 0, 0x41, ...sleb((i % 31) + 1), 0x77, 0x41, ...sleb(i), 0x73, 0x10, ...leb(i >> 1)]));
  }
  bodies.push(funcBody([], [0x20, 1, 0x20, 0, 0x11, 0, 0])); // dispatch: call_indirect (type 0) x by index
  const indices = [];
  for (let i = 0; i < inTable; i++) indices.push(leb(i));
  const bytes = wasmModule([
    section(1, vec([funcType([I32], [I32]), funcType([I32, I32], [I32])])),
    section(3, vec([...Array.from({ length: count }, () => [0]), [1]])),
    section(4, [1, 0x70, 0, ...leb(inTable)]),
    section(7, vec([exportEntry('dispatch', 0, count), exportEntry('first', 0, 0), exportEntry('last', 0, count - 1)])),
    section(9, concat([[1, 0, 0x41, 0, 0x0b], vec(indices)])),
    section(10, vec(bodies)),
  ]);
  const steps = [
    call('first', 7), call('last', 12345), call('last', -1),
    ...[0, 1, 2, inTable >> 1, inTable - 2, inTable - 1].map((index) => call('dispatch', index, 0x5eed + index)),
    call('dispatch', inTable, 1), call('dispatch', -1, 1),
  ];
  return { bytes, steps };
}

/**
 * One function with `total` locals, the parameter included (the JS API's
 * limit is 50,000): i32, i64 and f64 runs, each local computed from the one
 * before it, and some read before anything writes them.
 */
export function manyLocals(total) {
  const locals = total - 1;
  const i32Count = Math.floor(locals * 0.4);
  const i64Count = Math.floor(locals * 0.3);
  const f64Count = locals - i32Count - i64Count;
  const firstI64 = 1 + i32Count;
  const firstF64 = firstI64 + i64Count;
  const last = total - 1;
  const code = [];
  // Locals start at zero: x += wrap(lastI64) + (lastF64 == 0).
  code.push(0x20, ...leb(firstF64 - 1), 0xa7, 0x20, 0, 0x6a, 0x21, 0);
  code.push(0x20, ...leb(last), 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x20, 0, 0x6a, 0x21, 0);
  for (let j = 1; j < firstI64; j++) code.push(0x20, ...leb(j - 1), 0x41, 31, 0x6c, 0x41, ...sleb(j), 0x6a, 0x21, ...leb(j));
  for (let k = firstI64; k < firstF64; k++) {
    code.push(0x20, ...leb(k - 1));
    if (k === firstI64) code.push(0xac);
    code.push(0x42, 3, 0x7e, 0x42, ...sleb64(BigInt(k)), 0x85, 0x21, ...leb(k));
  }
  for (let m = firstF64; m <= last; m++) {
    code.push(0x20, ...leb(m - 1));
    if (m === firstF64) code.push(0xb9);
    code.push(0x99, 0x9f, 0x20, 0, 0xb7, 0xa0, 0x21, ...leb(m)); // sqrt(|prev|) + x
  }
  code.push(0x20, ...leb(firstI64 - 1), 0x20, ...leb(firstF64 - 1), 0xa7, 0x73, 0x20, ...leb(last), 0xfc, 2, 0x73);
  code.push(0x20, ...leb(firstI64 >> 1), 0x73, 0x20, 0, 0x73);
  const bytes = wasmModule([
    section(1, vec([funcType([I32], [I32])])),
    section(3, [1, 0]),
    section(7, vec([exportEntry('f', 0, 0)])),
    section(10, vec([funcBody([[i32Count, I32], [i64Count, I64], [f64Count, F64]], code)])),
  ]);
  return { bytes, steps: [0, 1, -7, 123456, 0x7fffffff].map((x) => call('f', x)) };
}

/** A module with one function whose locals (the parameter included) number `total` and nothing else. */
export function localsOnly(total) {
  return wasmModule([
    section(1, vec([funcType([I32], [])])),
    section(3, [1, 0]),
    section(10, vec([funcBody([[total - 1, I32]], [])])),
  ]);
}

export function deepBranches(depth) {
  return { bytes: nestedBranches(depth), steps: [0, 1, 77, depth - 1, depth, 2 * depth, -5].map((x) => call('f', x)) };
}

export function switchCases(cases) {
  return { bytes: switchLowering(cases), steps: [0, 1, 2, cases >> 1, cases - 1, cases, cases + 1, -1].map((x) => call('f', x)) };
}

/**
 * A br_table of `targets` entries (65,520 is V8's limit) over `depth` + 1
 * nested blocks, entries spread over the labels; the code after each block's
 * end returns a number of its own.
 */
export function bigBrTable(targets, depth = 32) {
  const code = [];
  for (let i = 0; i <= depth; i++) code.push(0x02, 0x40);
  code.push(0x20, 0, 0x0e, ...leb(targets));
  for (let i = 0; i < targets; i++) code.push(...leb((Math.imul(i, 0x9e3779b1) >>> 0) % (depth + 1)));
  code.push(...leb(depth));
  for (let label = 0; label < depth; label++) code.push(0x0b, 0x41, ...sleb(label * 7 + 3), 0x0f);
  code.push(0x0b, 0x41, ...sleb(-1));
  const bytes = wasmModule([
    section(1, vec([funcType([I32], [I32])])),
    section(3, [1, 0]),
    section(7, vec([exportEntry('f', 0, 0)])),
    section(10, vec([funcBody([], code)])),
  ]);
  const inputs = [0, 1, 2, 3, 100, 32767, targets - 1, targets, targets + 1, -1, 40000 % targets, 0x7fffffff];
  return { bytes, steps: inputs.map((x) => call('f', x)) };
}

/**
 * `size` bytes of data in one active segment at an unaligned address, the
 * last section of the module: runs of zeros, text, small integers and random
 * bytes, as C programs' data is. A passive segment too, for memory.init.
 */
export function bigData(size) {
  const address = 1001;
  const data = new Uint8Array(size);
  const next = random(0x5eed);
  const words = ['the ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'lazy ', 'dog ', 'SELECT ', 'FROM ', 'error: ', '%s\n'];
  const text = new TextEncoder().encode(Array.from({ length: 8192 }, () => words[next() % words.length]).join(''));
  for (let block = 0; block * 65536 < size; block++) {
    const start = block * 65536;
    const end = Math.min(size, start + 65536);
    switch (block % 4) {
      case 0: break; // zeros
      case 1: data.set(text.subarray(0, end - start), start); break;
      case 2: for (let i = start; i < end; i += 4) data[i] = next() & 0x3f; break;
      case 3: for (let i = start; i < end; i++) data[i] = next(); break;
    }
  }
  const pages = Math.ceil((address + size) / 65536);
  const passive = new Uint8Array(4096).map((_, i) => (i * 7) & 255);
  const segments = vec([
    concat([[1], leb(passive.length), passive]),
    concat([[0, 0x41], sleb(address), [0x0b], leb(size), data]),
  ]);
  const bytes = wasmModule([
    section(1, vec([funcType([I32], [I32]), funcType([I32, I32], [I32]), funcType([I32], [])])),
    section(3, [4, 0, 0, 1, 2]),
    section(5, [1, 0, ...leb(pages)]),
    section(7, vec([
      exportEntry('memory', 2, 0), exportEntry('load8', 0, 0), exportEntry('load32', 0, 1),
      exportEntry('sum', 0, 2), exportEntry('initPassive', 0, 3),
    ])),
    section(12, [2]),
    section(10, vec([
      funcBody([], [0x20, 0, 0x2d, 0, 0]),
      funcBody([], [0x20, 0, 0x28, 0, 0]),
      // sum(address, length): the bytes' sum
      funcBody([[1, I32]], [
        0x02, 0x40, 0x03, 0x40, 0x20, 1, 0x45, 0x0d, 1,
        0x20, 2, 0x20, 0, 0x2d, 0, 0, 0x6a, 0x21, 2,
        0x20, 0, 0x41, 1, 0x6a, 0x21, 0, 0x20, 1, 0x41, 1, 0x6b, 0x21, 1, 0x0c, 0, 0x0b, 0x0b, 0x20, 2,
      ]),
      funcBody([], [0x20, 0, 0x41, 0, 0x41, ...sleb(passive.length), 0xfc, 8, 0, 0]), // memory.init 0
    ])),
    section(11, segments),
  ]);
  const end = address + size;
  const steps = [
    { memoryMatches: { fileOffset: bytes.length - size, address, length: size } },
    call('load8', address - 1), call('load8', address), call('load32', address + 3), call('load32', end - 4),
    call('load32', end - 2), call('load8', end), call('load32', pages * 65536 - 4), call('load32', pages * 65536 - 3),
    call('sum', address, Math.min(size, 1 << 16)), call('sum', end - (1 << 16), 1 << 16),
    call('initPassive', 0), call('sum', 0, passive.length), call('initPassive', pages * 65536 - 100),
  ];
  return { bytes, steps };
}

/**
 * One function of at least `size` bytes of straight-line code of the kinds
 * compilers emit: i32, i64 and f64 arithmetic on locals, loads and stores,
 * small ifs and blocks, selects, calls. Returns an i64 of all its locals;
 * the memory is compared too.
 */
export function bigFunction(size) {
  const next = random(0xb0d7);
  const pick = (list) => list[next() % list.length];
  const i32Local = () => next() % 8; // 0, 1 params; 2..7
  const i64Local = () => 8 + (next() % 3);
  const F = 11;
  const binops = [0x6a, 0x6b, 0x6c, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78];
  const code = [];
  const arithmetic = () => [0x20, i32Local(), 0x20, i32Local(), pick(binops), 0x21, i32Local()];
  const withConstant = () => [0x20, i32Local(), 0x41, ...sleb(next() | 0), pick(binops), 0x21, i32Local()];
  const statements = [
    arithmetic, withConstant,
    () => [0x20, i32Local(), 0x41, ...sleb(0xfff8), 0x71, 0x20, i32Local(), 0x36, 2, next() % 4], // i32.store offset 0..3
    () => [0x20, i32Local(), 0x41, ...sleb(0xffff), 0x71, 0x20, i32Local(), 0x3a, 0, 0], // i32.store8
    () => [0x20, i32Local(), 0x41, ...sleb(0xfff8), 0x71, 0x20, i64Local(), 0x37, 3, 0], // i64.store
    () => [0x20, i32Local(), 0x41, ...sleb(0xfffc), 0x71, 0x28, 2, 0, 0x21, i32Local()], // i32.load
    () => [0x20, i32Local(), 0x41, ...sleb(0xfff8), 0x71, 0x29, 3, 0, 0x21, i64Local()], // i64.load
    () => [0x20, i32Local(), 0x41, ...sleb(0xffff), 0x71, 0x2c, 0, 0, 0x21, i32Local()], // i32.load8_s
    () => [0x20, i64Local(), 0x20, i32Local(), 0xad, pick([0x7c, 0x7e, 0x85, 0x89]), 0x21, i64Local()],
    () => [0x20, i32Local(), 0x41, 1, 0x71, 0x04, 0x40, ...arithmetic(), 0x05, ...withConstant(), 0x0b],
    () => [0x02, 0x40, 0x20, i32Local(), 0x45, 0x0d, 0, ...arithmetic(), 0x0b],
    () => [0x20, i32Local(), 0x20, i32Local(), 0x41, 1, 0x72, 0x6e, 0x21, i32Local()], // div_u by an odd number
    () => [0x20, F, 0x20, i32Local(), 0xb7, 0xa0, 0x21, F],
    () => [0x20, i32Local(), 0x20, i32Local(), 0x20, i32Local(), 0x1b, 0x21, i32Local()],
    () => [0x20, i32Local(), 0x20, i32Local(), 0x10, 1, 0x21, i32Local()],
  ];
  while (code.length < size) code.push(...pick(statements)());
  // Result: i64 locals and the i32 ones, and the f64 saturated to i64.
  code.push(0x20, 8, 0x20, 9, 0x85, 0x20, 10, 0x7c);
  for (let local = 0; local < 8; local++) code.push(0x20, local, 0xac, 0x42, ...sleb64(BigInt(local * 13 + 1)), 0x86, 0x85);
  code.push(0x20, F, 0xfc, 6, 0x7c);
  const bytes = wasmModule([
    section(1, vec([funcType([I32, I32], [I64]), funcType([I32, I32], [I32])])),
    section(3, [2, 0, 1]),
    section(5, [1, 0, 1]),
    section(7, vec([exportEntry('f', 0, 0), exportEntry('memory', 2, 0)])),
    section(10, vec([
      funcBody([[6, I32], [3, I64], [1, F64]], code),
      funcBody([], [0x20, 0, 0x20, 1, 0x6c, 0x20, 0, 0x41, 3, 0x76, 0x73]), // x * y ^ x >>> 3
    ])),
  ]);
  const steps = [call('f', 1, 2), call('f', -5, 1000), call('f', 0x7fffffff, 3), { memoryHash: { address: 0, length: 65536 } }];
  return { bytes, steps };
}

/** rec(n) recurses n deep, counting frames in one global and summing n in another, storing each in memory. */
function recursionModule() {
  return wasmModule([
    section(1, vec([funcType([I32], [I32]), funcType([], [I32]), funcType([], [I64]), funcType([], [])])),
    section(3, [6, 0, 1, 0, 2, 3, 2]),
    section(5, [1, 0, 1]),
    section(6, vec([[I32, 1, 0x41, 0, 0x0b], [I64, 1, 0x42, 0, 0x0b]])),
    section(7, vec([
      exportEntry('rec', 0, 0), exportEntry('depth', 0, 1), exportEntry('load32', 0, 2), exportEntry('load64', 0, 3),
      exportEntry('reset', 0, 4), exportEntry('sum', 0, 5), exportEntry('memory', 2, 0),
      exportEntry('depthGlobal', 3, 0), exportEntry('sumGlobal', 3, 1),
    ])),
    section(10, vec([
      funcBody([], [
        0x23, 0, 0x41, 1, 0x6a, 0x24, 0, // depth += 1
        0x41, 16, 0x23, 0, 0x36, 2, 0, // mem[16] = depth
        0x23, 1, 0x20, 0, 0xad, 0x7c, 0x24, 1, // sum += n
        0x41, 24, 0x23, 1, 0x37, 3, 0, // mem[24] = sum
        0x20, 0, 0x45, 0x04, I32, 0x23, 0, 0x05, 0x20, 0, 0x41, 1, 0x6b, 0x10, 0, 0x41, 1, 0x6a, 0x0b,
      ]),
      funcBody([], [0x23, 0]),
      funcBody([], [0x20, 0, 0x28, 2, 0]),
      funcBody([], [0x41, 24, 0x29, 3, 0]),
      funcBody([], [0x41, 0, 0x24, 0, 0x42, 0, 0x24, 1, 0x41, 16, 0x41, 0, 0x36, 2, 0, 0x41, 24, 0x42, 0, 0x37, 3, 0]),
      funcBody([], [0x23, 1]),
    ])),
  ]);
}

const EXHAUST = { exhaust: 'rec', args: [0x7fffffff] };

/**
 * Recursion until the stack runs out, twice: afterwards wasm and JS see the
 * same globals and memory, and the instance works.
 */
export function deepRecursion() {
  const viewsAgree = [
    { agree: [call('depth'), { global: 'depthGlobal' }] },
    { agree: [call('load32', 16), { memoryI32: 16 }] },
    { agree: [call('sum'), { global: 'sumGlobal' }] },
    { agree: [call('load64'), { memoryI64: 24 }] },
  ];
  const steps = [
    EXHAUST, ...viewsAgree,
    call('reset'), call('rec', 1000), call('depth'), call('load64'), { global: 'sumGlobal' },
    EXHAUST, ...viewsAgree,
    call('reset'), call('rec', 10), { memoryI64: 24 },
  ];
  return { bytes: recursionModule(), steps };
}

/**
 * Natively the stack runs out only as a function is entered, so every frame
 * before the deepest ran up to its call: each global equals what the same
 * frame stored. `trials` exhaustions, each from a few more JS frames deep.
 */
export function frameAtomicity(trials) {
  const steps = [];
  for (let trial = 0; trial < trials; trial++) {
    steps.push(
      { ...EXHAUST, padding: trial * 3 },
      { agree: [call('depth'), call('load32', 16)] },
      { agree: [call('sum'), call('load64')] },
      call('reset'),
    );
  }
  return { bytes: recursionModule(), steps };
}

/** The cases at the sizes the issue names (test/limits/measure.js runs these). */
export const FULL = {
  'functions 100,000, 1,000 in a table': () => manyFunctions(100_000, 1_000),
  'functions 100,000, all in a table': () => manyFunctions(100_000),
  'locals 50,000': () => manyLocals(50_000),
  'nested blocks 10,000': () => deepBranches(10_000),
  'switch 10,000 cases': () => switchCases(10_000),
  'br_table 65,520 targets': () => bigBrTable(65_520),
  'data segment 50 MB': () => bigData(50 * 2 ** 20),
  'function body 1 MB': () => bigFunction(2 ** 20),
  'stack exhaustion': () => deepRecursion(),
  'stack exhaustion, deepest frame whole': () => frameAtomicity(16),
};
