// Valid modules nested far deeper than JavaScript engines parse: the shapes
// C compilers and parser generators emit (LLVM's switch lowering, thousands
// of nested blocks that each carry a branch, nested ifs and loops). They must
// compile, print and run exactly as natively, in every tuning, with no walk
// of ours recursing as deep as the input (compiler/flatten.ts). Built as
// bytes here: wabt's text parser recurses on nesting itself.

import { describe, it, expect } from 'vitest';
import { compile } from '../compiler/index.js';
import { defineModule, Instance, rt } from '../runtime/index.js';
import { listHeight, MAX_HEIGHT } from '../compiler/flatten.js';
import { moduleOf, nestedBranches, sleb, switchLowering } from './helpers/wasm-bytes.js';

const Native = globalThis.WebAssembly;

const I32_CONST = 0x41;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;

/** n nested `if (x != i)` with an else arm, each adding one to x. */
function nestedIfs(n: number): Uint8Array {
  const code: number[] = [];
  for (let i = 0; i < n; i++) code.push(LOCAL_GET, 0, I32_CONST, ...sleb(i), 0x47, 0x04, 0x40, LOCAL_GET, 0, I32_CONST, 1, 0x6a, LOCAL_SET, 0);
  for (let i = 0; i < n; i++) code.push(0x05, LOCAL_GET, 0, I32_CONST, ...sleb(2 * i), 0x6a, LOCAL_SET, 0, 0x0b);
  code.push(LOCAL_GET, 0);
  return moduleOf(code);
}

/** n nested loops; each counts local 1 up and branches back to itself while it is below a bound that grows outwards. */
function nestedLoops(n: number): Uint8Array {
  const code: number[] = [];
  for (let i = 0; i < n; i++) code.push(0x03, 0x40);
  for (let i = n - 1; i >= 0; i--) {
    code.push(LOCAL_GET, 1, I32_CONST, 1, 0x6a, LOCAL_SET, 1);
    code.push(LOCAL_GET, 1, LOCAL_GET, 0, I32_CONST, ...sleb(i % 3), 0x6a, 0x48, 0x0d, 0); // br_if 0 while l1 < x + i % 3
    code.push(0x0b);
  }
  code.push(LOCAL_GET, 1);
  return moduleOf(code);
}

type Tuning = { tune?: 'jit' | 'interpreter'; splitThreshold?: number };
const TUNINGS: [string, Tuning][] = [['jit', {}], ['interpreter', { tune: 'interpreter' }], ['split', { splitThreshold: 200 }]];

function expectSameAsNative(bytes: Uint8Array, inputs: number[]): void {
  const native = new Native.Instance(new Native.Module(bytes)).exports.f as (x: number) => number;
  for (const [name, options] of TUNINGS) {
    const { code } = compile(bytes, { format: 'body', ...options });
    const ours = new Instance(defineModule(new Function('rt', code)(rt))).exports.f as (x: number) => number;
    for (const x of inputs) expect(ours(x), `${name}: f(${x})`).toBe(native(x));
  }
}

describe('deep nesting', () => {
  it('a 10,000-case switch lowering compiles and runs', () => {
    expectSameAsNative(switchLowering(10_000), [0, 1, 2, 5000, 9999, 10_000, 10_001, -1]);
  }, 60_000);

  it('10,000 nested blocks, each with a branch', () => {
    expectSameAsNative(nestedBranches(10_000), [0, 1, 77, 9999, 10_000, 20_000, -5]);
  }, 60_000);

  it('10,000 nested ifs with else arms', () => {
    expectSameAsNative(nestedIfs(10_000), [0, 1, 3, 9999, 10_000, -1]);
  }, 60_000);

  it('10,000 nested loops, each branching back to itself', () => {
    expectSameAsNative(nestedLoops(10_000), [0, 1, 5, 30]);
  }, 60_000);

  it('flattens only what nests too deeply, and leaves no statement nested deeper than the bound', () => {
    // The bound holds for the printed code too: re-parse it and measure.
    const deep = compile(switchLowering(2000), { format: 'body', pretty: true }).code;
    expect(deep).toContain('dispatch: while (true) switch (st)');
    const shallow = compile(switchLowering(100), { format: 'body', pretty: true }).code;
    expect(shallow).not.toContain('dispatch');
    const fn = (code: string) => code.slice(code.indexOf('function fn0'));
    // Indentation is two spaces a level: the deepest line tells the nesting.
    const deepest = (code: string) => Math.max(...fn(code).split('\n').map((line) => line.length - line.trimStart().length)) / 2;
    expect(deepest(deep)).toBeLessThan(2 * 100 + 20);
    expect(MAX_HEIGHT).toBeGreaterThan(600); // SQLite's interpreter loop (587) stays structured
    expect(listHeight([])).toBe(0);
  });
});
