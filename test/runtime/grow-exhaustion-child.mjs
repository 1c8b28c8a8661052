// Run by grow-exhaustion.test.ts in a child process (`node [--jitless]`):
// exhausts the stack while memories and tables grow or change, from wasm
// and from JS, then checks that wasm and JS still see the same memory and
// the same table, and that the instance still works.
//
//   node [--jitless] grow-exhaustion-child.mjs <runtime.mjs> <module body file> <trials> <scenario>...
//
// A scenario is `memory-` or `table-` followed by who recurses and changes:
// `wasm` (memory.grow, or table.grow and table.set, in wasm), `host` (wasm
// recursion calling a host function that changes from JS), `js` (a JS
// recursion), `catch` (wasm calls a host function whose JS recursion runs
// out of stack and catches that; wasm then carries on). Prints one JSON
// line: { [scenario]: { trials, failures, examples, depth } }.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [runtimePath, bodyPath, trialsText, ...scenarios] = process.argv.slice(2);
const { rt, defineModule, WebAssembly: WA } = await import(pathToFileURL(runtimePath).href);
const module = defineModule(new Function('rt', readFileSync(bodyPath, 'utf8'))(rt));
const trials = Number(trialsText);

const isStackOverflow = (error) => error instanceof RangeError && /call stack|recursion|stack overflow/i.test(error.message);

// Padding: `pads[k](depth, body)` calls `body` under `depth` extra frames of
// a function with k more locals, so that trial after trial the stack runs
// out k interpreter registers (8 bytes) further on: at another instruction
// of the runtime or of the compiled view updates.
const pads = [];
for (let k = 0; k < 16; k++) {
  const locals = Array.from({ length: k }, (_, i) => `a${i}`);
  const declare = k === 0 ? '' : `var ${locals.map((name, i) => `${name} = depth + ${i}`).join(', ')};`;
  pads.push(new Function('body', `return function pad(depth) { ${declare}
    return depth === 0 ? body() : pad(depth - 1) + ${k === 0 ? '0' : locals.join(' + ')}; };`));
}
function padded(trial, body) {
  return pads[trial % 16](body)((trial >> 4) % 4);
}

/** A fresh instance; the host functions change the memory or table from JS. */
function instantiate(state) {
  const host = {
    grow: () => change(state, state.exports.reached()),
    deep: () => {
      try { jsDeep(state, 0); } catch (error) { if (!isStackOverflow(error)) throw error; }
    },
  };
  const instance = new WA.Instance(module, { host });
  state.exports = instance.exports;
  state.memory = instance.exports.memory;
  state.table = instance.exports.table;
  return instance.exports;
}

/** The JS side's change in a frame at `depth`: the same as wasm's. */
function change(state, depth) {
  if (state.what === 'table') {
    state.table.grow(1, state.exports.two);
    state.table.set(0, depth & 1 ? state.exports.one : state.exports.two);
  } else {
    state.memory.grow(depth >= state.growFrom && depth % 8 === 0 ? state.growBy : 0);
  }
}

function jsDeep(state, depth) {
  state.reached = depth;
  if (depth >= state.threshold) change(state, depth);
  return jsDeep(state, depth + 1) + 1;
}

function setThresholds(state, threshold, growFrom) {
  state.threshold = threshold;
  state.growFrom = growFrom;
  state.exports.setThresholds(threshold, growFrom, state.growBy);
}

/** How deep a plain recursion of the same shape gets, with nothing changing. */
function measureDepth(state, run) {
  setThresholds(state, 0x7fffffff, 0x7fffffff);
  state.reached = 0;
  try { run(); } catch (error) { if (!isStackOverflow(error)) throw error; }
  return Math.max(state.exports.reached(), state.reached);
}

/** What differs between wasm's and JS's view of the memory and the table, as a list of strings. */
function inconsistencies(exports, memory, table) {
  const problems = [];
  const expect = (what, actual, expected) => {
    if (!Object.is(actual, expected)) problems.push(`${what}: ${String(actual)}, expected ${String(expected)}`);
  };
  const buffer = memory.buffer;
  const size = buffer.byteLength;
  expect('memory.size', exports.size(), size / 65536);
  const dv = new DataView(buffer);
  // wasm writes, JS reads
  exports.store64(8, 0x0102030405060708n);
  expect('i64.store', dv.getBigInt64(8, true), 0x0102030405060708n);
  exports.store64(17, -2n);
  expect('unaligned i64.store', dv.getBigInt64(17, true), -2n);
  exports.store32(32, 0x11223344);
  expect('i32.store', dv.getInt32(32, true), 0x11223344);
  exports.store16(40, 0xbeef);
  expect('i32.store16', dv.getUint16(40, true), 0xbeef);
  exports.store8(42, 0x7f);
  expect('i32.store8', dv.getUint8(42), 0x7f);
  exports.storef64(48, 1.5);
  expect('f64.store', dv.getFloat64(48, true), 1.5);
  exports.storef32(56, 2.5);
  expect('f32.store', dv.getFloat32(56, true), 2.5);
  exports.store32(size - 4, 77);
  expect('i32.store at the end', dv.getInt32(size - 4, true), 77);
  // JS writes, wasm reads
  dv.setBigInt64(64, -3n, true);
  expect('i64.load', exports.load64(64), -3n);
  dv.setInt32(72, -123456, true);
  expect('i32.load', exports.load32(72), -123456);
  expect('i64.load32_u', exports.load32u64(72), 4294843840n);
  dv.setInt16(80, -2, true);
  expect('i32.load16_s', exports.load16s(80), -2);
  expect('i32.load16_u', exports.load16u(80), 0xfffe);
  dv.setInt8(84, -5);
  expect('i32.load8_s', exports.load8s(84), -5);
  expect('i32.load8_u', exports.load8u(84), 251);
  dv.setFloat64(88, -0.25, true);
  expect('f64.load', exports.loadf64(88), -0.25);
  dv.setFloat32(96, 0.75, true);
  expect('f32.load', exports.loadf32(96), 0.75);
  dv.setInt32(size - 8, 99, true);
  expect('i32.load at the end', exports.load32(size - 8), 99);
  expect('i64.load at the end', exports.load64(size - 8), BigInt(99) + (BigInt(77) << 32n));
  let trapped = 'no trap';
  try { exports.load32(size - 2); } catch (error) { trapped = error instanceof WA.RuntimeError ? 'RuntimeError' : String(error); }
  expect('i32.load past the end', trapped, 'RuntimeError');
  // call_indirect against Table.prototype.get
  const length = table.length;
  expect('table.size', exports.tableSize(), length);
  for (let i = 0; i < length; i++) {
    const element = table.get(i);
    let result;
    try { result = exports.callAt(i); } catch (error) { result = error instanceof WA.RuntimeError ? error.message : String(error); }
    const expected = element === null ? 'uninitialized element' : element();
    if (result !== expected) { problems.push(`call_indirect ${i} of ${length}: ${result}, expected ${expected}`); break; }
  }
  let past;
  try { past = exports.callAt(length); } catch (error) { past = error instanceof WA.RuntimeError ? error.message : String(error); }
  expect('call_indirect past the end', past, 'undefined element');
  return problems;
}

function runScenario(scenario) {
  const [what, side] = scenario.split('-');
  const result = { trials, failures: 0, examples: [], depth: 0 };
  for (let trial = 0; trial < trials; trial++) {
    // Every fourth trial also changes the memory's size (a page in every
    // eighth of the last 100 frames); the others grow it by 0 pages.
    const state = { what, growBy: trial % 4 === 0 ? 1 : 0, threshold: 0, growFrom: 0, reached: 0 };
    const exports = instantiate(state);
    const run = {
      wasm: () => (what === 'memory' ? exports.deep(0) : exports.tableDeep(0)),
      host: () => exports.hostDeep(0),
      js: () => jsDeep(state, 0),
      catch: () => exports.afterHostDeep(200, 0x55n),
    }[side];
    let problems = [];
    try {
      let depth = 0;
      padded(trial, () => { depth = measureDepth(state, run); return 0; });
      result.depth = depth;
      // Change things only in the last several hundred frames: engines
      // behave differently once a few hundred buffers have been made, and
      // fewer frames keep a trial fast.
      setThresholds(state, Math.max(0, depth - 600 - (trial * 97) % 400), depth - 100);
      try {
        let value;
        padded(trial, () => { value = run(); return 0; });
        if (side === 'catch') {
          // wasm carried on after the host function caught the exhaustion:
          // its store and its call_indirect must have used what JS sees.
          const stored = new DataView(state.memory.buffer).getBigInt64(200, true);
          if (stored !== 0x55n) problems.push(`i64.store after the host caught: JS reads ${stored}`);
          const expected = state.table.get(0)();
          if (value !== expected) problems.push(`call_indirect after the host caught: ${value}, expected ${expected}`);
        }
      } catch (error) {
        if (!isStackOverflow(error)) throw error;
      }
      problems.push(...inconsistencies(exports, state.memory, state.table));
    } catch (error) {
      problems = [`unexpected ${error && error.stack ? error.stack.split('\n').slice(0, 3).join(' / ') : String(error)}`];
    }
    if (problems.length > 0) {
      result.failures++;
      if (result.examples.length < 3) result.examples.push(`trial ${trial}: ${problems.slice(0, 3).join('; ')}`);
    }
  }
  return result;
}

const report = {};
for (const scenario of scenarios) report[scenario] = runScenario(scenario);
console.log(JSON.stringify(report));
