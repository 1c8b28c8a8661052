// The numeric helpers of `rt`, compared with the engine's own WebAssembly on
// tricky inputs (boundaries, ties, NaN signs, double-rounding traps), plus
// the spec's trap messages.

import { describe, expect, it, vi } from 'vitest';
import { rt, RuntimeError } from '../../runtime/index.js';
import { nativeInstance } from './helpers.js';

type Outcome = { value: unknown } | { trap: string };

const I32 = [
  0, 1, -1, 2, -2, 3, -3, 7, -7, 31, 32, 33, 63, 64, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678,
  0x55555555, 0xaaaaaaaa | 0, 0x80000000 | 0, 0x0000ffff, 0xffff0000 | 0, 1000000007,
];
const I64 = [
  0n, 1n, -1n, 2n, -2n, 3n, -3n, 7n, -7n, 63n, 64n, 65n, 0x7fffffffffffffffn, -0x8000000000000000n,
  0x123456789abcdef0n, -0x123456789abcdef0n, 0x100000000n, 0xffffffffn, -0x100000000n, 0x80000000n,
  1n << 53n, (1n << 53n) + 1n, -(1n << 53n) - 1n, 0x5555555555555555n, BigInt.asIntN(64, 0xaaaaaaaaaaaaaaaan),
];
const FLOATS = [
  0, -0, 0.1, -0.1, 0.5, -0.5, 0.9, -0.9, 1, -1, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5, 4.5, -4.5,
  0.49999999999999994, -0.49999999999999994, 4503599627370495.5, -4503599627370495.5, 4503599627370496, 4503599627370497,
  8388607.5, -8388607.5, 8388608.5, 8388609, 16777217, 1e300, -1e300, 1.401298464324817e-45, 5e-324,
  Infinity, -Infinity, NaN, 2147483647, 2147483647.5, 2147483648, 2147483520, -2147483648, -2147483648.5, -2147483649,
  -2147483904, -2147483776, 4294967295, 4294967295.5, 4294967296, -0.99999, 9223372036854775807, -9223372036854775808,
  9223372036854774784, -9223372036854774784, -9223372036854777856, 18446744073709551616, 18446744073709549568,
  9223371487098961920, -9223373136366403584, 18446742974197923840, 3.4028234663852886e38, -3.4028234663852886e38,
];

/** Deterministic pseudo-random i64 values of every magnitude. */
function randomI64(count: number): bigint[] {
  let state = 0x2545f4914f6cdd1dn;
  const values: bigint[] = [];
  for (let i = 0; i < count; i++) {
    state ^= state << 13n; state &= 0xffffffffffffffffn;
    state ^= state >> 7n;
    state ^= state << 17n; state &= 0xffffffffffffffffn;
    const shift = BigInt(i % 64);
    values.push(BigInt.asIntN(64, state >> shift));
  }
  return values;
}

// Edge cases for i64 -> f32, where rounding through f64 first would round twice.
const CONVERT_I64 = [
  ...I64, (1n << 53n) + (1n << 29n) + 1n, (1n << 53n) + (1n << 29n), (1n << 53n) + (1n << 30n) + (1n << 29n),
  (1n << 63n) - 1n, (1n << 62n) + (1n << 38n) + 1n, -((1n << 53n) + (1n << 29n) + 1n), 0x7fffff4000000001n,
  BigInt.asIntN(64, 0xffffff7fffffffffn), BigInt.asIntN(64, 0x8000008000000001n), 0x0020000020000001n,
  ...randomI64(3000),
];

function outcome(fn: () => unknown, isTrap: (error: unknown) => boolean, message: (error: any) => string): Outcome {
  try {
    return { value: fn() };
  } catch (error) {
    if (isTrap(error)) return { trap: message(error) };
    throw error;
  }
}

const NativeRuntimeError = (globalThis as any).WebAssembly.RuntimeError;

// V8's trap messages, mapped to the spec's (the reference interpreter's).
function nativeTrapMessage(error: any, inputs: unknown[]): string {
  const message = String(error.message);
  if (/divide by zero|remainder by zero/.test(message)) return 'integer divide by zero';
  if (/divide result unrepresentable/.test(message)) return 'integer overflow';
  if (/float unrepresentable/.test(message)) return inputs.some((x) => x !== x) ? 'invalid conversion to integer' : 'integer overflow';
  return message;
}

function compare(name: string, native: (...args: any[]) => unknown, ours: (...args: any[]) => unknown, inputs: unknown[][]): void {
  for (const args of inputs) {
    const expected = outcome(() => native(...args), (e) => e instanceof NativeRuntimeError, (e) => nativeTrapMessage(e, args));
    const actual = outcome(() => ours(...args), (e) => e instanceof RuntimeError, (e) => e.message);
    if ('value' in expected && 'value' in actual && Object.is(expected.value, actual.value)) continue;
    expect({ name, args, result: actual }).toEqual({ name, args, result: expected });
  }
}

const pairs = <T>(values: T[]): T[][] => values.flatMap((a) => values.map((b) => [a, b]));
const singles = <T>(values: T[]): T[][] => values.map((a) => [a]);

function unary(op: string, param: string, result: string): string {
  return `(func (export "${op}") (param ${param}) (result ${result}) (${op} (local.get 0)))`;
}
function binary(op: string, type: string): string {
  return `(func (export "${op}") (param ${type} ${type}) (result ${type}) (${op} (local.get 0) (local.get 1)))`;
}

const native = nativeInstance(`(module
  ${['i32.div_s', 'i32.div_u', 'i32.rem_s', 'i32.rem_u', 'i32.rotl', 'i32.rotr'].map((op) => binary(op, 'i32')).join('\n')}
  ${['i64.div_s', 'i64.div_u', 'i64.rem_s', 'i64.rem_u', 'i64.rotl', 'i64.rotr'].map((op) => binary(op, 'i64')).join('\n')}
  ${unary('i32.ctz', 'i32', 'i32')} ${unary('i32.popcnt', 'i32', 'i32')}
  ${unary('i64.clz', 'i64', 'i64')} ${unary('i64.ctz', 'i64', 'i64')} ${unary('i64.popcnt', 'i64', 'i64')}
  ${unary('f32.nearest', 'f32', 'f32')} ${unary('f64.nearest', 'f64', 'f64')}
  ${unary('f32.convert_i64_s', 'i64', 'f32')} ${unary('f32.convert_i64_u', 'i64', 'f32')} ${unary('f64.convert_i64_u', 'i64', 'f64')}
  ${['s', 'u'].flatMap((sign) => [
    unary(`i32.trunc_f32_${sign}`, 'f32', 'i32'), unary(`i32.trunc_f64_${sign}`, 'f64', 'i32'),
    unary(`i64.trunc_f32_${sign}`, 'f32', 'i64'), unary(`i64.trunc_f64_${sign}`, 'f64', 'i64'),
    unary(`i32.trunc_sat_f32_${sign}`, 'f32', 'i32'), unary(`i32.trunc_sat_f64_${sign}`, 'f64', 'i32'),
    unary(`i64.trunc_sat_f32_${sign}`, 'f32', 'i64'), unary(`i64.trunc_sat_f64_${sign}`, 'f64', 'i64'),
  ]).join('\n')}
  (func (export "f32.copysign.bits") (param i32 i32) (result i32)
    (i32.reinterpret_f32 (f32.copysign (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  (func (export "f64.copysign.bits") (param i64 i64) (result i64)
    (i64.reinterpret_f64 (f64.copysign (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)))))
  (func (export "f32.abs.bits") (param i32) (result i32) (i32.reinterpret_f32 (f32.abs (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f32.neg.bits") (param i32) (result i32) (i32.reinterpret_f32 (f32.neg (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f64.abs.bits") (param i64) (result i64) (i64.reinterpret_f64 (f64.abs (f64.reinterpret_i64 (local.get 0)))))
  (func (export "f64.neg.bits") (param i64) (result i64) (i64.reinterpret_f64 (f64.neg (f64.reinterpret_i64 (local.get 0)))))
  (func (export "f64.bits") (param f64) (result i64) (i64.reinterpret_f64 (local.get 0)))
  (func (export "f64.from_bits") (param i64) (result f64) (f64.reinterpret_i64 (local.get 0)))
)`).exports;

describe('integer helpers, against the engine', () => {
  it.each([
    ['i32.div_s', rt.i32DivS], ['i32.div_u', rt.i32DivU], ['i32.rem_s', rt.i32RemS], ['i32.rem_u', rt.i32RemU],
    ['i32.rotl', rt.i32Rotl], ['i32.rotr', rt.i32Rotr],
  ] as const)('%s', (op, helper) => compare(op, native[op], helper, pairs(I32)));

  it.each([
    ['i64.div_s', rt.i64DivS], ['i64.div_u', rt.i64DivU], ['i64.rem_s', rt.i64RemS], ['i64.rem_u', rt.i64RemU],
    ['i64.rotl', rt.i64Rotl], ['i64.rotr', rt.i64Rotr],
  ] as const)('%s', (op, helper) => compare(op, native[op], helper, pairs(I64)));

  it.each([['i32.ctz', rt.i32Ctz], ['i32.popcnt', rt.i32Popcnt]] as const)('%s', (op, helper) => {
    compare(op, native[op], helper, singles(I32));
  });

  it.each([['i64.clz', rt.i64Clz], ['i64.ctz', rt.i64Ctz], ['i64.popcnt', rt.i64Popcnt]] as const)('%s', (op, helper) => {
    compare(op, native[op], helper, singles([...I64, ...randomI64(500)]));
  });

  it('traps with the spec messages', () => {
    expect(() => rt.i32DivS(1, 0)).toThrow(new RuntimeError('integer divide by zero'));
    expect(() => rt.i32DivS(-0x80000000, -1)).toThrow(new RuntimeError('integer overflow'));
    expect(() => rt.i32RemU(1, 0)).toThrow(new RuntimeError('integer divide by zero'));
    expect(() => rt.i64DivS(-0x8000000000000000n, -1n)).toThrow(new RuntimeError('integer overflow'));
    expect(() => rt.i64RemS(1n, 0n)).toThrow(new RuntimeError('integer divide by zero'));
    expect(rt.i32RemS(-0x80000000, -1)).toBe(0);
    expect(Object.is(rt.i32RemS(-4, 2), 0)).toBe(true); // no -0 for an i32
    expect(rt.i64RemS(-0x8000000000000000n, -1n)).toBe(0n);
  });

  it('returns signed i64 values', () => {
    expect(rt.i64DivU(-1n, 1n)).toBe(-1n);
    expect(rt.i64RemU(-1n, 0x10000000000000000n - 2n)).toBe(1n);
    expect(rt.i64Rotl(1n, 63n)).toBe(-0x8000000000000000n);
  });
});

describe('float helpers, against the engine', () => {
  it('fNearest rounds ties to even and keeps the sign of zero (f64)', () => {
    compare('f64.nearest', native['f64.nearest'], rt.fNearest, singles(FLOATS));
    expect(Object.is(rt.fNearest(-0.5), -0)).toBe(true);
    expect(Object.is(rt.fNearest(-0.4), -0)).toBe(true);
    expect(Object.is(rt.fNearest(0.5), 0)).toBe(true);
    expect(rt.fNearest(2.5)).toBe(2);
    expect(rt.fNearest(-3.5)).toBe(-4);
  });

  it('fNearest returns quiet NaNs, as an arithmetic NaN must be', () => {
    const signalling64 = rt.f64ReinterpretI64(BigInt.asIntN(64, 0xfff4000000000000n));
    expect(rt.i64ReinterpretF64(rt.fNearest(signalling64))).toBe(BigInt.asIntN(64, 0xfffc000000000000n));
    expect(rt.i32ReinterpretF32(rt.fNearest(rt.f32ReinterpretI32(0x7fa00000)))).toBe(0x7fe00000);
    expect(rt.i32ReinterpretF32(rt.fNearest(rt.f32ReinterpretI32(0x7fc00001)))).toBe(0x7fc00001);
  });

  it('fQuiet sets the quiet bit of NaNs only', () => {
    expect(rt.i32ReinterpretF32(rt.fQuiet(rt.f32ReinterpretI32(0xff800001 | 0)))).toBe(0xffc00001 | 0);
    expect(Object.is(rt.fQuiet(-0), -0)).toBe(true);
    expect(rt.fQuiet(-Infinity)).toBe(-Infinity);
  });

  it('fNearest on f32 values', () => {
    compare('f32.nearest', native['f32.nearest'], (x: number) => rt.fNearest(Math.fround(x)), singles(FLOATS));
  });

  it('f32ConvertI64S/U round once, straight to float32', () => {
    compare('f32.convert_i64_s', native['f32.convert_i64_s'], rt.f32ConvertI64S, singles(CONVERT_I64));
    compare('f32.convert_i64_u', native['f32.convert_i64_u'], rt.f32ConvertI64U, singles(CONVERT_I64));
    // 2^53 + 2^29 + 1 is just above the midpoint of two floats; via f64 it would land on it and round down.
    expect(rt.f32ConvertI64S((1n << 53n) + (1n << 29n) + 1n)).toBe(2 ** 53 + 2 ** 30);
  });

  it('f64ConvertI64U', () => {
    compare('f64.convert_i64_u', native['f64.convert_i64_u'], rt.f64ConvertI64U, singles(CONVERT_I64));
  });

  // Signalling NaNs included: the reinterpret helpers keep f32 NaN payloads exact.
  const F32_BITS = [
    0, 0x80000000 | 0, 0x3f800000, 0xbf800000 | 0, 0x7f800000, 0xff800000 | 0, 0x7fc00000, 0xffc00000 | 0,
    0x7fe00001, 0xffe00001 | 0, 0x00000001, 0x807fffff | 0, 0x7fa00000, 0xffa00000 | 0, 0x7f800001, 0x7f80f1e2,
    0xff80f1e2 | 0, 0x7fbfffff, 0x7fffffff,
  ];
  const F64_BITS = [
    0n, -0x8000000000000000n, 0x3ff0000000000000n, BigInt.asIntN(64, 0xbff0000000000000n), 0x7ff0000000000000n,
    BigInt.asIntN(64, 0xfff0000000000000n), 0x7ff8000000000000n, BigInt.asIntN(64, 0xfff8000000000000n),
    0x7ff0000000000001n, 0x7ff4000000000001n, BigInt.asIntN(64, 0xfff4000000000001n), 0x0000000000000001n,
  ];
  const f32 = (bits: number) => rt.f32ReinterpretI32(bits);
  const f64 = (bits: bigint) => rt.f64ReinterpretI64(bits);

  it('fCopysign is bit-exact, NaNs included', () => {
    compare('f32.copysign', native['f32.copysign.bits'], (a: number, b: number) => rt.i32ReinterpretF32(rt.fCopysign(f32(a), f32(b))), pairs(F32_BITS));
    compare('f64.copysign', native['f64.copysign.bits'], (a: bigint, b: bigint) => rt.i64ReinterpretF64(rt.fCopysign(f64(a), f64(b))), pairs(F64_BITS));
  });

  it('fAbs and fNeg change only the sign bit, NaNs included', () => {
    compare('f32.abs', native['f32.abs.bits'], (a: number) => rt.i32ReinterpretF32(rt.fAbs(f32(a))), singles(F32_BITS));
    compare('f32.neg', native['f32.neg.bits'], (a: number) => rt.i32ReinterpretF32(rt.fNeg(f32(a))), singles(F32_BITS));
    compare('f64.abs', native['f64.abs.bits'], (a: bigint) => rt.i64ReinterpretF64(rt.fAbs(f64(a))), singles(F64_BITS));
    compare('f64.neg', native['f64.neg.bits'], (a: bigint) => rt.i64ReinterpretF64(rt.fNeg(f64(a))), singles(F64_BITS));
  });

  it('reinterpretations round-trip bit patterns', () => {
    compare('f64 bits', native['f64.bits'], rt.i64ReinterpretF64, singles(FLOATS));
    for (const bits of F64_BITS) expect(rt.i64ReinterpretF64(rt.f64ReinterpretI64(bits))).toBe(bits);
    for (const bits of F32_BITS) expect(rt.i32ReinterpretF32(rt.f32ReinterpretI32(bits))).toBe(bits);
    // An f32 signalling NaN is held as the double with the same payload, as the hardware widens it.
    expect(rt.i64ReinterpretF64(rt.f32ReinterpretI32(0x7fa00000))).toBe(0x7ff4000000000000n);
    expect(rt.i32ReinterpretF32(rt.f64ReinterpretI64(0x7ff0000000000001n))).toBe(0x7fc00000);
    expect(rt.f32ReinterpretI32(0x3f800000)).toBe(1);
    expect(rt.i32ReinterpretF32(-0)).toBe(0x80000000 | 0);
  });
});

describe('truncation, against the engine', () => {
  const cases = [
    ['i32.trunc_f32_s', rt.truncS32, true], ['i32.trunc_f64_s', rt.truncS32, false],
    ['i32.trunc_f32_u', rt.truncU32, true], ['i32.trunc_f64_u', rt.truncU32, false],
    ['i64.trunc_f32_s', rt.truncS64, true], ['i64.trunc_f64_s', rt.truncS64, false],
    ['i64.trunc_f32_u', rt.truncU64, true], ['i64.trunc_f64_u', rt.truncU64, false],
    ['i32.trunc_sat_f32_s', rt.truncSatS32, true], ['i32.trunc_sat_f64_s', rt.truncSatS32, false],
    ['i32.trunc_sat_f32_u', rt.truncSatU32, true], ['i32.trunc_sat_f64_u', rt.truncSatU32, false],
    ['i64.trunc_sat_f32_s', rt.truncSatS64, true], ['i64.trunc_sat_f64_s', rt.truncSatS64, false],
    ['i64.trunc_sat_f32_u', rt.truncSatU64, true], ['i64.trunc_sat_f64_u', rt.truncSatU64, false],
  ] as const;

  it.each(cases)('%s', (op, helper, isF32) => {
    const inputs = isF32 ? FLOATS.map(Math.fround) : FLOATS;
    compare(op, native[op], helper as (x: number) => unknown, singles(inputs));
  });

  it('handles the exact boundaries', () => {
    expect(() => rt.truncS32(Math.fround(-2147483904.0))).toThrow(new RuntimeError('integer overflow'));
    expect(rt.truncS32(Math.fround(-2147483648.0))).toBe(-2147483648);
    expect(rt.truncS32(-2147483648.9)).toBe(-2147483648);
    expect(() => rt.truncS32(2147483648)).toThrow(new RuntimeError('integer overflow'));
    expect(() => rt.truncS32(NaN)).toThrow(new RuntimeError('invalid conversion to integer'));
    expect(rt.truncU32(4294967295.9)).toBe(-1);
    expect(rt.truncU32(-0.9)).toBe(0);
    expect(() => rt.truncU32(-1)).toThrow(new RuntimeError('integer overflow'));
    expect(rt.truncS64(-9223372036854775808)).toBe(-0x8000000000000000n);
    expect(() => rt.truncS64(9223372036854775808)).toThrow(new RuntimeError('integer overflow'));
    expect(rt.truncU64(18446744073709549568)).toBe(BigInt.asIntN(64, 18446744073709549568n));
    expect(() => rt.truncU64(18446744073709551616)).toThrow(new RuntimeError('integer overflow'));
    expect(rt.truncSatU32(Infinity)).toBe(-1);
    expect(rt.truncSatS64(-Infinity)).toBe(-0x8000000000000000n);
    expect(rt.truncSatU64(NaN)).toBe(0n);
  });
});

describe('trap', () => {
  it('throws RuntimeError with the message', () => {
    expect(() => rt.trap('unreachable')).toThrow(new RuntimeError('unreachable'));
    try { rt.trap('unreachable'); } catch (error) {
      expect(String(error)).toBe('RuntimeError: unreachable');
    }
  });
});

describe('i64 words', () => {
  const words = (x: bigint): [number, number] => [Number(BigInt.asIntN(32, x)), Number(BigInt.asIntN(32, x >> 32n))];

  it('i64Bits, lowBits and highBits split an i64 into its signed words', () => {
    for (const x of I64) {
      rt.i64Bits[0] = x;
      expect([rt.lowBits[0], rt.highBits[0]], String(x)).toEqual(words(x));
    }
  });

  it('without BigInt64Array, i64Bits is a setter that splits the value the same way', async () => {
    vi.resetModules();
    vi.stubGlobal('BigInt64Array', undefined);
    try {
      const numeric = await import('../../runtime/numeric.js');
      expect(ArrayBuffer.isView(numeric.i64Bits)).toBe(false);
      for (const x of I64) {
        numeric.i64Bits[0] = x;
        expect([numeric.lowBits[0], numeric.highBits[0]], String(x)).toEqual(words(x));
        expect(numeric.i64Bits[0], String(x)).toBe(x);
      }
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
