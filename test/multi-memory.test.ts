// Multi-memory (WebAssembly 3.0): several memories, each with its own views,
// bounds, growth, imports and exports, and the bulk instructions between
// them, in every configuration wasm2es ships. Node 20's V8 has no
// multi-memory, so these check expected values directly (the spec suite's
// proposals/multi-memory is the broader check).

import { describe, it, expect, beforeAll } from 'vitest';
import wabtInit from 'wabt';
import { parse } from 'acorn';
import { compile } from '../compiler/index.js';
import { WebAssembly as Ours } from '../index.js';
import { assembleWith, CONFIGS } from './helpers/configs.js';

let wabt: Awaited<ReturnType<typeof wabtInit>>;
beforeAll(async () => {
  wabt = await wabtInit();
});

const assemble = (text: string): Uint8Array => assembleWith(wabt, text, { multi_memory: true, bulk_memory: true, simd: true });

function trapOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof Ours.RuntimeError) return error.message;
    throw error;
  }
}

const TWO = `(module
  (memory $a (export "a") 1)
  (memory $b (export "b") 1 3)
  (data $hello "hello")
  (func (export "store") (param $m i32) (param $at i32) (param $v i32)
    (if (local.get $m) (then (i32.store $b (local.get $at) (local.get $v))) (else (i32.store $a (local.get $at) (local.get $v)))))
  (func (export "load") (param $m i32) (param $at i32) (result i32)
    (if (result i32) (local.get $m) (then (i32.load $b (local.get $at))) (else (i32.load $a (local.get $at)))))
  (func (export "load8") (param $at i32) (result i32) (i32.load8_u $b offset=1 (local.get $at)))
  (func (export "grow") (param $delta i32) (result i32) (memory.grow $b (local.get $delta)))
  (func (export "sizes") (result i32 i32) (memory.size $a) (memory.size $b))
  (func (export "copy_ab") (param $dst i32) (param $src i32) (param $n i32) (memory.copy $b $a (local.get $dst) (local.get $src) (local.get $n)))
  (func (export "copy_ba") (param $dst i32) (param $src i32) (param $n i32) (memory.copy $a $b (local.get $dst) (local.get $src) (local.get $n)))
  (func (export "init") (param $dst i32) (memory.init $b $hello (local.get $dst) (i32.const 0) (i32.const 5)))
  (func (export "fill") (param $dst i32) (param $n i32) (memory.fill $b (local.get $dst) (i32.const 0x2a) (local.get $n)))
  (func (export "copy64") (param $dst i32) (param $src i32) (i64.store $b (local.get $dst) (i64.load $a (local.get $src))))
  (func (export "load64") (param $m i32) (param $at i32) (result i64)
    (if (result i64) (local.get $m) (then (i64.load $b (local.get $at))) (else (i64.load $a (local.get $at)))))
  (func (export "vector") (param $at i32)
    (v128.store $b (local.get $at) (i32x4.add (v128.load $a (local.get $at)) (v128.load $b (local.get $at))))))`;

describe('multi-memory', () => {
  it('keeps each memory apart: loads, stores, sizes, growth and bounds', () => {
    for (const [config, load] of CONFIGS) {
      const { exports } = new Ours.Instance(load(assemble(TWO)), {}) as any;
      exports.store(0, 8, 11);
      exports.store(1, 8, 22);
      expect([exports.load(0, 8), exports.load(1, 8)], config).toEqual([11, 22]);
      expect(new Int32Array(exports.b.buffer)[2], config).toBe(22);
      expect(exports.sizes(), config).toEqual([1, 1]);
      // Memory 1 grows; memory 0 keeps its size and bounds.
      expect(trapOf(() => exports.store(1, 65536 + 4, 33)), config).toBe('out of bounds memory access');
      expect(exports.grow(1), config).toBe(1);
      expect(exports.sizes(), config).toEqual([1, 2]);
      exports.store(1, 65536 + 4, 33);
      expect(exports.load(1, 65536 + 4), config).toBe(33);
      expect(exports.load8(65536 + 3), config).toBe(33);
      expect(exports.load(1, 8), config).toBe(22);
      expect(trapOf(() => exports.load(0, 65536 + 4)), config).toBe('out of bounds memory access');
      expect(exports.grow(2), config).toBe(-1); // beyond memory 1's maximum of 3
      expect(exports.b.buffer.byteLength, config).toBe(2 * 65536);
    }
  });

  it('copies, fills and initialises between memories, trapping on each memory\'s own bounds', () => {
    for (const [config, load] of CONFIGS) {
      const { exports } = new Ours.Instance(load(assemble(TWO)), {}) as any;
      new Uint8Array(exports.a.buffer).set([1, 2, 3, 4, 5, 6, 7, 8], 100);
      exports.copy_ab(200, 100, 8);
      expect([...new Uint8Array(exports.b.buffer, 200, 8)], config).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(new Uint8Array(exports.a.buffer)[200], config).toBe(0);
      exports.init(300);
      expect(Buffer.from(new Uint8Array(exports.b.buffer, 300, 5)).toString(), config).toBe('hello');
      exports.copy_ba(0, 300, 5);
      expect(Buffer.from(new Uint8Array(exports.a.buffer, 0, 5)).toString(), config).toBe('hello');
      exports.fill(400, 3);
      expect([...new Uint8Array(exports.b.buffer, 399, 5)], config).toEqual([0, 42, 42, 42, 0]);
      expect(trapOf(() => exports.copy_ab(65535, 0, 2)), config).toBe('out of bounds memory access');
      expect(trapOf(() => exports.copy_ba(0, 65535, 2)), config).toBe('out of bounds memory access');
      exports.grow(1);
      // Memory 1 is larger now, memory 0 is not.
      exports.copy_ab(65535, 0, 2);
      exports.copy_ba(0, 65535, 2);
      expect(trapOf(() => exports.copy_ba(65535, 0, 2)), config).toBe('out of bounds memory access');
      // An i64 copied from memory 0 into memory 1, and v128 arithmetic across both.
      new BigInt64Array(exports.a.buffer)[64] = -0x123456789abcdefn;
      exports.copy64(1000, 512);
      expect(exports.load64(1, 1000), config).toBe(-0x123456789abcdefn);
      expect(exports.load64(0, 1000), config).toBe(0n);
      new Int32Array(exports.a.buffer).set([1, 2, 3, 4], 1024 / 4);
      new Int32Array(exports.b.buffer).set([10, 20, 30, 40], 1024 / 4);
      exports.vector(1024);
      expect([...new Int32Array(exports.b.buffer, 1024, 4)], config).toEqual([11, 22, 33, 44]);
      expect([...new Int32Array(exports.a.buffer, 1024, 4)], config).toEqual([1, 2, 3, 4]);
    }
  });

  it('imports several memories, and sees growth from JS in each', () => {
    const bytes = assemble(`(module
      (import "env" "x" (memory $x 1))
      (import "env" "y" (memory $y 1))
      (memory $z 1)
      (func (export "sum") (param $at i32) (result i32)
        (i32.add (i32.add (i32.load $x (local.get $at)) (i32.load $y (local.get $at))) (i32.load $z (local.get $at))))
      (func (export "put") (param $at i32) (param $v i32) (i32.store $z (local.get $at) (local.get $v))))`);
    for (const [config, load] of CONFIGS) {
      const x = new Ours.Memory({ initial: 1 });
      const y = new Ours.Memory({ initial: 1 });
      const { exports } = new Ours.Instance(load(bytes), { env: { x, y } }) as any;
      new Int32Array(x.buffer)[1] = 100;
      new Int32Array(y.buffer)[1] = 20;
      exports.put(4, 3);
      expect(exports.sum(4), config).toBe(123);
      y.grow(1);
      new Int32Array(y.buffer)[16384 + 1] = 7;
      expect(trapOf(() => exports.sum(65536 + 4)), config).toBe('out of bounds memory access');
      x.grow(1);
      expect(trapOf(() => exports.sum(65536 + 4)), config).toBe('out of bounds memory access'); // memory $z is still one page
    }
    expect(() => new Ours.Instance(new Ours.Module(bytes), { env: { x: new Ours.Memory({ initial: 1 }) } })).toThrow(Ours.LinkError);
  });

  it('compiles single-memory modules as before: memory 0 only, nothing for others', () => {
    const { code } = compile(assemble('(module (memory 1) (func (export "f") (param i32) (result i32) (i32.load (local.get 0))))'), { format: 'esm' });
    expect(code).not.toMatch(/\b(dv|mem|i32v)1\b/);
    const two = compile(assemble(TWO), { format: 'esm' }).code;
    expect(() => parse(two, { ecmaVersion: 'latest', sourceType: 'module' })).not.toThrow();
    expect(two).toMatch(/\bdv1\b/);
  });

  it('rejects what the spec rejects, naming the memory', () => {
    const invalid: [string, RegExp][] = [
      ['(module (memory 1) (func (drop (i32.load 1 (i32.const 0)))))', /unknown memory 1/],
      ['(module (memory 1) (memory 1) (func (memory.copy 0 2 (i32.const 0) (i32.const 0) (i32.const 0))))', /unknown memory 2/],
      [`(module ${'(memory 0)'.repeat(101)})`, /too many memories/],
    ];
    for (const [text, message] of invalid) {
      const bytes = assemble(text);
      expect(Ours.validate(bytes), text.slice(0, 60)).toBe(false);
      expect(() => new Ours.Module(bytes)).toThrow(message);
    }
  });
});
