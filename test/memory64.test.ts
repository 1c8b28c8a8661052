// memory64 (WebAssembly 3.0), its 64-bit memories: i64 addresses, offsets
// and sizes in loads, stores, SIMD, memory.size, grow, fill, copy (also
// between a 32-bit and a 64-bit memory) and init, data segments at i64
// offsets, and the JS API's BigInt sizes; in every configuration wasm2es
// ships. Node 20's V8 has only an older draft behind a flag, so the
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

const assemble = (text: string): Uint8Array => assembleWith(wabt, text, { memory64: true, multi_memory: true, simd: true, bulk_memory: true });

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
