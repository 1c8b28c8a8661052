// memory64 (WebAssembly 3.0): 64-bit memories, i64 addresses, offsets and
// sizes in loads, stores, SIMD, memory.size, grow, fill, copy (also between
// a 32-bit and a 64-bit memory) and init, data segments at i64 offsets; and
// 64-bit tables, i64 indices in call_indirect, return_call_indirect and
// every table instruction, element segments at i64 offsets; the JS API's
// BigInt sizes; in every configuration wasm2es ships. Node 20's V8 has only an older draft behind a flag, so the
// expected outcomes are the spec's (checked against Node 24's V8 when they
// were written).

import { describe, it, expect, beforeAll } from 'vitest';
import wabtInit from 'wabt';
import { WebAssembly as Ours } from '../index.js';
import { assembleWith, CONFIGS } from './helpers/configs.js';

let wabt: Awaited<ReturnType<typeof wabtInit>>;
beforeAll(async () => {
  wabt = await wabtInit();
});

const assemble = (text: string): Uint8Array => assembleWith(wabt, text, { memory64: true, multi_memory: true, simd: true, bulk_memory: true, tail_call: true });

type Outcome = { value: unknown } | { trap: string };
function outcome(fn: () => unknown): Outcome {
  try {
    return { value: fn() };
  } catch (error) {
    if (error instanceof Ours.RuntimeError) return { trap: (error as Error).message };
    throw error;
  }
}

const OOB = { trap: 'out of bounds memory access' };

const MEMORY64 = `(module
  (memory $m (export "mem") i64 1 3)
  (memory $small 1)
  (data (i64.const 16) "\\01\\02\\03\\04")
  (data $passive "\\aa\\bb")
  (func (export "load") (param i64) (result i32) (i32.load (local.get 0)))
  (func (export "load_offset") (param i64) (result i32) (i32.load offset=8 (local.get 0)))
  (func (export "load_huge_offset") (param i64) (result i32) (i32.load offset=0x100000000 (local.get 0)))
  (func (export "store") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store64") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "load64") (param i64) (result i64) (i64.load (local.get 0)))
  (func (export "size") (result i64) (memory.size))
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i64 i64 i64) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_in") (param i32 i64 i32) (memory.copy $small $m (local.get 0) (local.get 1) (local.get 2)))
  (func (export "small") (param i32) (result i32) (i32.load8_u $small (local.get 0)))
  (func (export "init") (param i64 i32 i32) (memory.init $passive (local.get 0) (local.get 1) (local.get 2)))
  (func (export "lane") (param i64) (result i32) (i32x4.extract_lane 1 (v128.load (local.get 0))))
  (func (export "lane_store") (param i64) (v128.store (local.get 0) (v128.const i32x4 1 2 3 4))))`;

describe('memory64', () => {
  it('addresses, offsets and sizes are i64, and every access past the end traps', () => {
    const bytes = assemble(MEMORY64);
    const calls: [string, unknown[], Outcome][] = [
      ['load', [16n], { value: 0x04030201 }],
      ['load_offset', [8n], { value: 0x04030201 }],
      ['load', [65532n], { value: 0 }],
      ['load', [65533n], OOB],
      ['load', [-1n], OOB], // 2^64-1
      ['load', [2n ** 53n], OOB],
      ['load_huge_offset', [0n], OOB],
      ['store', [65536n, 1], OOB],
      ['store64', [65529n, -1n], OOB], // the high word is past the end: nothing is written
      ['load', [65528n], { value: 0 }],
      ['store64', [24n, -2n], { value: undefined }],
      ['load64', [24n], { value: -2n }],
      ['size', [], { value: 1n }],
      ['grow', [1n], { value: 1n }],
      ['size', [], { value: 2n }],
      ['load', [131068n], { value: 0 }],
      ['grow', [2n], { value: -1n }],
      ['grow', [-1n], { value: -1n }],
      ['grow', [2n ** 40n], { value: -1n }],
      ['fill', [100n, 7, 4n], { value: undefined }],
      ['load', [100n], { value: 0x07070707 }],
      ['fill', [131070n, 7, 4n], OOB],
      ['fill', [0n, 7, -1n], OOB],
      ['copy', [200n, 16n, 4n], { value: undefined }],
      ['load', [200n], { value: 0x04030201 }],
      ['copy', [0n, -4n, 4n], OOB],
      ['copy_in', [10, 16n, 4], { value: undefined }],
      ['small', [11], { value: 2 }],
      ['copy_in', [65535, 16n, 2], OOB],
      ['init', [300n, 0, 2], { value: undefined }],
      ['load', [300n], { value: 0xbbaa }],
      ['init', [-1n, 0, 0], OOB],
      ['lane', [12n], { value: 0x04030201 }],
      ['lane', [131062n], OOB],
      ['lane_store', [131056n], { value: undefined }],
      ['load', [131060n], { value: 2 }],
    ];
    for (const [config, load] of CONFIGS) {
      const { exports } = new Ours.Instance(load(bytes), {}) as any;
      for (const [name, args, expected] of calls) {
        expect(outcome(() => exports[name](...args)), `${config}: ${name}(${args.map(String).join(', ')})`).toEqual(expected);
      }
      expect(exports.mem.buffer.byteLength, config).toBe(2 * 65536);
      expect(exports.mem.grow(1n), config).toBe(2n);
      expect(() => exports.mem.grow(1), config).toThrow(TypeError);
    }
  });

  it('indexes 64-bit tables with i64s, in calls and every table instruction', () => {
    const bytes = assemble(`(module
      (type $f (func (result i32)))
      (table $t (export "tab") i64 3 10 funcref)
      (table $s 2 funcref)
      (elem (table $t) (i64.const 1) func $one $two)
      (elem $e func $two)
      (func $one (result i32) (i32.const 1))
      (func $two (result i32) (i32.const 2))
      (func (export "call") (param i64) (result i32) (call_indirect $t (type $f) (local.get 0)))
      (func (export "size") (result i64) (table.size $t))
      (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
      (func (export "isnull") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0))))
      (func (export "set") (param i64) (table.set $t (local.get 0) (ref.null func)))
      (func (export "fill") (param i64 i64) (table.fill $t (local.get 0) (ref.func $one) (local.get 1)))
      (func (export "copy") (param i64 i64 i64) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
      (func (export "copy_out") (param i32 i64 i32) (table.copy $s $t (local.get 0) (local.get 1) (local.get 2)))
      (func (export "call_s") (param i32) (result i32) (call_indirect $s (type $f) (local.get 0)))
      (func (export "init") (param i64 i32 i32) (table.init $t $e (local.get 0) (local.get 1) (local.get 2)))
      (func (export "tail") (param i64) (result i32) (return_call_indirect $t (type $f) (local.get 0))))`);
    const TABLE_OOB = { trap: 'out of bounds table access' };
    const calls: [string, unknown[], Outcome][] = [
      ['call', [1n], { value: 1 }],
      ['call', [2n], { value: 2 }],
      ['call', [0n], { trap: 'uninitialized element' }],
      ['call', [3n], { trap: 'undefined element' }],
      ['call', [-1n], { trap: 'undefined element' }],
      ['call', [2n ** 32n + 1n], { trap: 'undefined element' }],
      ['size', [], { value: 3n }],
      ['grow', [2n], { value: 3n }],
      ['size', [], { value: 5n }],
      ['grow', [100n], { value: -1n }],
      ['grow', [-1n], { value: -1n }],
      ['isnull', [4n], { value: 1 }],
      ['isnull', [5n], TABLE_OOB],
      ['set', [1n], { value: undefined }],
      ['call', [1n], { trap: 'uninitialized element' }],
      ['fill', [3n, 2n], { value: undefined }],
      ['call', [4n], { value: 1 }],
      ['fill', [4n, 2n], TABLE_OOB],
      ['copy', [0n, 2n, 2n], { value: undefined }],
      ['call', [0n], { value: 2 }],
      ['copy', [0n, 4n, 2n], TABLE_OOB],
      ['copy_out', [0, 2n, 2], { value: undefined }],
      ['call_s', [1], { value: 1 }],
      ['copy_out', [1, 2n, 2], TABLE_OOB],
      ['init', [0n, 0, 1], { value: undefined }],
      ['call', [0n], { value: 2 }],
      ['init', [5n, 0, 1], TABLE_OOB],
      ['tail', [2n], { value: 2 }],
      ['tail', [9n], { trap: 'undefined element' }],
    ];
    for (const [config, load] of CONFIGS) {
      const { exports } = new Ours.Instance(load(bytes), {}) as any;
      for (const [name, args, expected] of calls) {
        expect(outcome(() => exports[name](...args)), `${config}: ${name}(${args.map(String).join(', ')})`).toEqual(expected);
      }
      expect(exports.tab.length, config).toBe(5n);
      expect(exports.tab.grow(1n), config).toBe(5n);
      expect(exports.tab.get(2n), config).toBeTypeOf('function');
      expect(() => exports.tab.get(2), config).toThrow(TypeError);
    }
    const table = new Ours.Table({ element: 'anyfunc', initial: 2n, maximum: 2n ** 64n - 1n, address: 'i64' } as any);
    expect(table.length).toBe(2n);
    expect(() => new Ours.Table({ element: 'anyfunc', initial: 2, address: 'i64' } as any)).toThrow(TypeError);
    const imports = assemble('(module (import "js" "t" (table i64 1 funcref)))');
    for (const [config, load] of CONFIGS) {
      expect(() => new Ours.Instance(load(imports), { js: { t: table } }), config).not.toThrow();
      expect(() => new Ours.Instance(load(imports), { js: { t: new Ours.Table({ element: 'anyfunc', initial: 2 }) } }), config).toThrow(Ours.LinkError);
    }
  });

  it('imports 64-bit memories only where 64-bit ones are declared', () => {
    const bytes = assemble(`(module (import "js" "m" (memory i64 1)) (func (export "size") (result i64) (memory.size)))`);
    for (const [config, load] of CONFIGS) {
      const memory = new Ours.Memory({ initial: 2n, address: 'i64' } as any);
      const { exports } = new Ours.Instance(load(bytes), { js: { m: memory } }) as any;
      expect(exports.size(), config).toBe(2n);
      expect(() => new Ours.Instance(load(bytes), { js: { m: new Ours.Memory({ initial: 2 }) } }), config).toThrow(Ours.LinkError);
      const narrow = assemble(`(module (import "js" "m" (memory 1)))`);
      expect(() => new Ours.Instance(load(narrow), { js: { m: memory } }), config).toThrow(Ours.LinkError);
    }
  });

  it('validates i64 operands and the 2^48-page limit', () => {
    expect(Ours.validate(assemble('(module (memory i64 1) (func (drop (i32.load (i32.const 0)))))'))).toBe(false);
    expect(Ours.validate(assemble('(module (memory i64 1) (func (drop (i32.load (i64.const 0)))))'))).toBe(true);
    expect(Ours.validate(assemble('(module (memory i64 0 0x1000000000000))'))).toBe(true);
    expect(Ours.validate(assemble('(module (memory i64 0 0x1000000000001))'))).toBe(false);
    expect(Ours.validate(assemble('(module (memory i64 1) (data (i32.const 0) "x"))'))).toBe(false);
    // A copy between a 32-bit and a 64-bit memory takes an i32 length.
    expect(Ours.validate(assemble('(module (memory i64 1) (memory 1) (func (memory.copy 0 1 (i64.const 0) (i32.const 0) (i32.const 0))))'))).toBe(true);
    expect(Ours.validate(assemble('(module (memory i64 1) (memory 1) (func (memory.copy 0 1 (i64.const 0) (i32.const 0) (i64.const 0))))'))).toBe(false);
  });
});
