// v128 helpers for generated code (compiler/emit-simd.ts). A v128 value is
// four i32 words in JS variables, word 0 holding bytes 0..3 of the vector,
// each little-endian: i8 lane j is byte j & 3 of word j >> 2, i16 lane j
// half j & 1 of word j >> 1, i64 and f64 lane j the words 2j (low) and
// 2j + 1 (high). Lanes are taken apart with shifts, never through typed
// views of the words, so nothing here depends on the host's byte order.
//
// The compiler inlines the common operations. What is left here comes in
// two kinds:
// - word helpers, `(a, b) => word`, for lane-wise operations on i8 and i16
//   lanes: output word k depends only on word k of each operand;
// - vector helpers that take all four words of each operand and write the
//   four result words to `simdOut`, which the generated code reads right
//   after the call (i64x2 and f64x2 arithmetic, and what moves lanes).
//
// Relaxed SIMD gets one deterministic choice everywhere, the one the
// corresponding exact instruction makes: relaxed_swizzle is swizzle,
// relaxed_trunc is trunc_sat, relaxed_madd rounds twice (no fused
// multiply-add), relaxed_min/max are min/max, laneselect is bitselect,
// relaxed_q15mulr is q15mulr_sat, and the relaxed dot products read the
// second operand as signed bytes.

import { fNearest, fQuiet, truncSatS32, truncSatU32 } from './numeric.js';

/** The four result words of a vector helper. */
export const simdOut = new Int32Array(4);

/**
 * Scratch for f32 lanes in generated code: `(simdI32[0] = w, simdF32[0])`
 * reads word w as an f32 (a signalling NaN comes out quiet, which only
 * arithmetic does), and `(simdF32[0] = x, simdI32[0])` rounds x to f32 and
 * takes its bits.
 */
export const simdF32 = new Float32Array(1);
export const simdI32 = new Int32Array(simdF32.buffer);

const f64Scratch = new Float64Array(1);
const i32Pair = new Int32Array(f64Scratch.buffer);
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

// ---- lanes of a word -------------------------------------------------------------

/** Builds a word helper from a lane operation on the four i8 lanes (signed or unsigned) of two words. */
function bytewise(op: (x: number, y: number) => number, signed: boolean): (a: number, b: number) => number {
  return (a, b) => {
    let r = 0;
    for (let s = 0; s < 32; s += 8) {
      const x = signed ? (a << (24 - s)) >> 24 : (a >>> s) & 255;
      const y = signed ? (b << (24 - s)) >> 24 : (b >>> s) & 255;
      r |= (op(x, y) & 255) << s;
    }
    return r;
  };
}

/** The same for the two i16 lanes of a word. */
function halfwise(op: (x: number, y: number) => number, signed: boolean): (a: number, b: number) => number {
  return (a, b) => {
    const x0 = signed ? (a << 16) >> 16 : a & 0xffff;
    const y0 = signed ? (b << 16) >> 16 : b & 0xffff;
    const x1 = signed ? a >> 16 : a >>> 16;
    const y1 = signed ? b >> 16 : b >>> 16;
    return (op(x0, y0) & 0xffff) | (op(x1, y1) << 16);
  };
}

const clamp = (x: number, low: number, high: number): number => (x < low ? low : x > high ? high : x);
const min = (x: number, y: number): number => (x < y ? x : y);
const max = (x: number, y: number): number => (x > y ? x : y);
const avgr = (x: number, y: number): number => (x + y + 1) >>> 1;
const mask = (test: boolean): number => (test ? -1 : 0);
/** Rounding, saturating Q15 multiplication. */
const q15mulr = (x: number, y: number): number => clamp((x * y + 0x4000) >> 15, -0x8000, 0x7fff);

/** Lane-wise operations per shape and signedness, each for `bytewise`/`halfwise`. */
const LANE_OPS: [string, (x: number, y: number) => number, boolean][] = [
  ['add_sat_s', (x, y) => clamp(x + y, -0x80, 0x7f), true],
  ['add_sat_u', (x, y) => min(x + y, 0xff), false],
  ['sub_sat_s', (x, y) => clamp(x - y, -0x80, 0x7f), true],
  ['sub_sat_u', (x, y) => max(x - y, 0), false],
  ['min_s', min, true], ['min_u', min, false], ['max_s', max, true], ['max_u', max, false],
  ['avgr_u', avgr, false],
  ['eq', (x, y) => mask(x === y), false], ['ne', (x, y) => mask(x !== y), false],
  ['lt_s', (x, y) => mask(x < y), true], ['lt_u', (x, y) => mask(x < y), false],
  ['gt_s', (x, y) => mask(x > y), true], ['gt_u', (x, y) => mask(x > y), false],
  ['le_s', (x, y) => mask(x <= y), true], ['le_u', (x, y) => mask(x <= y), false],
  ['ge_s', (x, y) => mask(x >= y), true], ['ge_u', (x, y) => mask(x >= y), false],
];
const HALF_ONLY: [string, (x: number, y: number) => number, boolean][] = [
  ['add_sat_s', (x, y) => clamp(x + y, -0x8000, 0x7fff), true],
  ['add_sat_u', (x, y) => min(x + y, 0xffff), false],
  ['sub_sat_s', (x, y) => clamp(x - y, -0x8000, 0x7fff), true],
  ['sub_sat_u', (x, y) => max(x - y, 0), false],
  ['q15mulr_sat_s', q15mulr, true],
];

/**
 * Word helpers by name (`i8x16_min_s`), for the rt object: each maps word k
 * of each operand to word k of the result. Shifts take the count as `b`.
 */
export const simdWordHelpers: Record<string, (a: number, b: number) => number> = {};
for (const [name, op, signed] of LANE_OPS) {
  simdWordHelpers[`i8x16_${name}`] = bytewise(op, signed);
  simdWordHelpers[`i16x8_${name}`] = halfwise(op, signed);
}
for (const [name, op, signed] of HALF_ONLY) simdWordHelpers[`i16x8_${name}`] = halfwise(op, signed);
Object.assign(simdWordHelpers, {
  i8x16_abs: bytewise((x) => (x < 0 ? -x : x), true),
  i8x16_popcnt: bytewise((x) => {
    x -= (x >> 1) & 0x55;
    x = (x & 0x33) + ((x >> 2) & 0x33);
    return (x + (x >> 4)) & 0x0f;
  }, false),
  i16x8_abs: halfwise((x) => (x < 0 ? -x : x), true),
  // Shifts: `b` is the count, the same for every lane.
  i8x16_shl: (a: number, k: number) => (a << (k & 7)) & (((0xff << (k & 7)) & 0xff) * 0x01010101),
  i8x16_shr_u: (a: number, k: number) => (a >>> (k & 7)) & ((0xff >>> (k & 7)) * 0x01010101),
  i8x16_shr_s: (a: number, k: number) => {
    let r = 0;
    for (let s = 0; s < 32; s += 8) r |= ((((a << (24 - s)) >> 24) >> (k & 7)) & 255) << s;
    return r;
  },
  i16x8_shl: (a: number, k: number) => (a << (k & 15)) & (((0xffff << (k & 15)) & 0xffff) * 0x10001),
  i16x8_shr_u: (a: number, k: number) => (a >>> (k & 15)) & ((0xffff >>> (k & 15)) * 0x10001),
  i16x8_shr_s: (a: number, k: number) => ((a >> (k & 15)) & -0x10000) | (((a << 16) >> (16 + (k & 15))) & 0xffff),
  // Narrowing: one output word from two input words.
  narrow8_s: (a: number, b: number) => narrow(a, b, -0x80, 0x7f),
  narrow8_u: (a: number, b: number) => narrow(a, b, 0, 0xff),
  narrow16_s: (a: number, b: number) => (clamp(a, -0x8000, 0x7fff) & 0xffff) | (clamp(b, -0x8000, 0x7fff) << 16),
  narrow16_u: (a: number, b: number) => (clamp(a, 0, 0xffff) & 0xffff) | (clamp(b, 0, 0xffff) << 16),
});

/** Four signed i16 lanes (two words) saturated to bytes. */
function narrow(a: number, b: number, low: number, high: number): number {
  const l0 = clamp((a << 16) >> 16, low, high) & 255;
  const l1 = clamp(a >> 16, low, high) & 255;
  const l2 = clamp((b << 16) >> 16, low, high) & 255;
  const l3 = clamp(b >> 16, low, high) & 255;
  return l0 | (l1 << 8) | (l2 << 16) | (l3 << 24);
}

/**
 * i8x16.swizzle, one output word: byte j of it is byte `b`'s lane j of
 * the vector a0..a3, or 0 for an index of 16 or more.
 */
export function simdSwizzle(a0: number, a1: number, a2: number, a3: number, b: number): number {
  let r = 0;
  for (let s = 0; s < 32; s += 8) {
    const index = (b >>> s) & 255;
    if (index < 16) {
      const word = index < 8 ? (index < 4 ? a0 : a1) : index < 12 ? a2 : a3;
      r |= ((word >>> ((index & 3) << 3)) & 255) << s;
    }
  }
  return r;
}

/** i8x16.bitmask: the sign bits of the 16 bytes. */
export function simdBitmask8(a0: number, a1: number, a2: number, a3: number): number {
  let r = 0;
  const words = [a0, a1, a2, a3];
  for (let j = 0; j < 16; j++) r |= ((words[j >> 2] >>> (((j & 3) << 3) + 7)) & 1) << j;
  return r;
}

/** i8x16.all_true: every byte non-zero. */
export function simdAllTrue8(a0: number, a1: number, a2: number, a3: number): number {
  const hasZeroByte = (w: number): number => (w - 0x01010101) & ~w & 0x80808080;
  return hasZeroByte(a0) | hasZeroByte(a1) | hasZeroByte(a2) | hasZeroByte(a3) ? 0 : 1;
}

/** i16x8.all_true: every half non-zero. */
export function simdAllTrue16(a0: number, a1: number, a2: number, a3: number): number {
  const halvesNonZero = (w: number): boolean => (w & 0xffff) !== 0 && w >>> 16 !== 0;
  return halvesNonZero(a0) && halvesNonZero(a1) && halvesNonZero(a2) && halvesNonZero(a3) ? 1 : 0;
}

// ---- 64-bit lanes -------------------------------------------------------------------

function i64(lo: number, hi: number): bigint {
  return (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
}

function putI64(lane: number, value: bigint): void {
  simdOut[2 * lane] = Number(value & 0xffffffffn) | 0;
  simdOut[2 * lane + 1] = Number((value >> 32n) & 0xffffffffn) | 0;
}

function f64(lo: number, hi: number): number {
  i32Pair[LO] = lo;
  i32Pair[HI] = hi;
  return f64Scratch[0];
}

function putF64(lane: number, value: number): void {
  f64Scratch[0] = value;
  simdOut[2 * lane] = i32Pair[LO];
  simdOut[2 * lane + 1] = i32Pair[HI];
}

type Vector2Op = (a0: number, a1: number, a2: number, a3: number, b0: number, b1: number, b2: number, b3: number, c0: number, c1: number, c2: number, c3: number) => void;

/** A vector helper applying `op` to the two i64 lanes (as BigInts, the result wrapped to 64 bits). */
function i64x2(op: (x: bigint, y: bigint) => bigint): Vector2Op {
  return (a0, a1, a2, a3, b0, b1, b2, b3) => {
    putI64(0, op(i64(a0, a1), i64(b0, b1)));
    putI64(1, op(i64(a2, a3), i64(b2, b3)));
  };
}

/** A vector helper applying `op` to the two f64 lanes, each result an f64. */
function f64x2(op: (x: number, y: number, z: number) => number): Vector2Op {
  return (a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3) => {
    const r0 = op(f64(a0, a1), f64(b0, b1), f64(c0, c1));
    const r1 = op(f64(a2, a3), f64(b2, b3), f64(c2, c3));
    putF64(0, r0);
    putF64(1, r1);
  };
}

/** A vector helper shifting both i64 lanes by b0 (an i32 count, taken mod 64), made once per operation. */
function i64x2Shift(op: (x: bigint, k: bigint) => bigint): Vector2Op {
  return (a0, a1, a2, a3, count) => {
    const k = BigInt(count & 63);
    putI64(0, op(i64(a0, a1), k));
    putI64(1, op(i64(a2, a3), k));
  };
}

/** A vector helper whose f64 lanes compare into all-ones or zero masks. */
function f64x2Compare(test: (x: number, y: number) => boolean): Vector2Op {
  return (a0, a1, a2, a3, b0, b1, b2, b3) => {
    simdOut[0] = simdOut[1] = test(f64(a0, a1), f64(b0, b1)) ? -1 : 0;
    simdOut[2] = simdOut[3] = test(f64(a2, a3), f64(b2, b3)) ? -1 : 0;
  };
}

/** pmin/pmax: the operand the comparison picks, its bits unchanged. */
function f64x2Pick(pickB: (x: number, y: number) => boolean): Vector2Op {
  return (a0, a1, a2, a3, b0, b1, b2, b3) => {
    const first = pickB(f64(a0, a1), f64(b0, b1));
    const second = pickB(f64(a2, a3), f64(b2, b3));
    simdOut[0] = first ? b0 : a0;
    simdOut[1] = first ? b1 : a1;
    simdOut[2] = second ? b2 : a2;
    simdOut[3] = second ? b3 : a3;
  };
}


/** The f32 value of word w (signalling NaNs come out quiet: only for arithmetic). */
function f32(w: number): number {
  simdI32[0] = w;
  return simdF32[0];
}

function f32Bits(x: number): number {
  simdF32[0] = x;
  return simdI32[0];
}

/** Vector helpers by name (`f64x2_add`), for the rt object: they write `simdOut`. */
export const simdVectorHelpers: Record<string, Vector2Op> = {
  i64x2_add: i64x2((x, y) => x + y),
  i64x2_sub: i64x2((x, y) => x - y),
  i64x2_mul: i64x2((x, y) => x * y),
  i64x2_neg: i64x2((x) => -x),
  i64x2_abs: i64x2((x) => (x < 0n ? -x : x)),
  // Shifts: b0 is the count (an i32), as a BigInt.
  i64x2_shl: i64x2Shift((x, k) => x << k),
  i64x2_shr_s: i64x2Shift((x, k) => x >> k),
  i64x2_shr_u: i64x2Shift((x, k) => (x & 0xffffffffffffffffn) >> k),
  i64x2_eq: i64x2((x, y) => (x === y ? -1n : 0n)),
  i64x2_ne: i64x2((x, y) => (x !== y ? -1n : 0n)),
  i64x2_lt_s: i64x2((x, y) => (x < y ? -1n : 0n)),
  i64x2_gt_s: i64x2((x, y) => (x > y ? -1n : 0n)),
  i64x2_le_s: i64x2((x, y) => (x <= y ? -1n : 0n)),
  i64x2_ge_s: i64x2((x, y) => (x >= y ? -1n : 0n)),
  // extmul: the i32 lanes 0, 1 (low) or 2, 3 (high) of each operand, multiplied to 64 bits.
  i64x2_extmul_low_i32x4_s: (a0, a1, _a2, _a3, b0, b1) => extmul64(a0, b0, a1, b1, true),
  i64x2_extmul_high_i32x4_s: (_a0, _a1, a2, a3, _b0, _b1, b2, b3) => extmul64(a2, b2, a3, b3, true),
  i64x2_extmul_low_i32x4_u: (a0, a1, _a2, _a3, b0, b1) => extmul64(a0, b0, a1, b1, false),
  i64x2_extmul_high_i32x4_u: (_a0, _a1, a2, a3, _b0, _b1, b2, b3) => extmul64(a2, b2, a3, b3, false),

  f64x2_add: f64x2((x, y) => x + y),
  f64x2_sub: f64x2((x, y) => x - y),
  f64x2_mul: f64x2((x, y) => x * y),
  f64x2_div: f64x2((x, y) => x / y),
  f64x2_min: f64x2((x, y) => Math.min(x, y)),
  f64x2_max: f64x2((x, y) => Math.max(x, y)),
  f64x2_relaxed_min: f64x2((x, y) => Math.min(x, y)),
  f64x2_relaxed_max: f64x2((x, y) => Math.max(x, y)),
  f64x2_sqrt: f64x2(Math.sqrt),
  // Math.ceil and its kin return a NaN as it is; wasm's come out quiet.
  f64x2_ceil: f64x2((x) => fQuiet(Math.ceil(x))),
  f64x2_floor: f64x2((x) => fQuiet(Math.floor(x))),
  f64x2_trunc: f64x2((x) => fQuiet(Math.trunc(x))),
  f64x2_nearest: f64x2(fNearest),
  f64x2_relaxed_madd: f64x2((x, y, z) => x * y + z),
  f64x2_relaxed_nmadd: f64x2((x, y, z) => -(x * y) + z),
  f64x2_pmin: f64x2Pick((x, y) => y < x),
  f64x2_pmax: f64x2Pick((x, y) => x < y),
  f64x2_eq: f64x2Compare((x, y) => x === y),
  f64x2_ne: f64x2Compare((x, y) => x !== y),
  f64x2_lt: f64x2Compare((x, y) => x < y),
  f64x2_gt: f64x2Compare((x, y) => x > y),
  f64x2_le: f64x2Compare((x, y) => x <= y),
  f64x2_ge: f64x2Compare((x, y) => x >= y),
  f64x2_convert_low_i32x4_s: (a0, a1) => {
    putF64(0, a0);
    putF64(1, a1);
  },
  f64x2_convert_low_i32x4_u: (a0, a1) => {
    putF64(0, a0 >>> 0);
    putF64(1, a1 >>> 0);
  },
  f64x2_promote_low_f32x4: (a0, a1) => {
    const x = f32(a0);
    const y = f32(a1);
    putF64(0, x);
    putF64(1, y);
  },
  f32x4_demote_f64x2_zero: (a0, a1, a2, a3) => {
    const x = f32Bits(f64(a0, a1));
    const y = f32Bits(f64(a2, a3));
    simdOut[0] = x;
    simdOut[1] = y;
    simdOut[2] = simdOut[3] = 0;
  },
  i32x4_trunc_sat_f64x2_s_zero: (a0, a1, a2, a3) => truncZero(truncSatS32(f64(a0, a1)), truncSatS32(f64(a2, a3))),
  i32x4_trunc_sat_f64x2_u_zero: (a0, a1, a2, a3) => truncZero(truncSatU32(f64(a0, a1)), truncSatU32(f64(a2, a3))),
  i32x4_relaxed_trunc_f64x2_s_zero: (a0, a1, a2, a3) => truncZero(truncSatS32(f64(a0, a1)), truncSatS32(f64(a2, a3))),
  i32x4_relaxed_trunc_f64x2_u_zero: (a0, a1, a2, a3) => truncZero(truncSatU32(f64(a0, a1)), truncSatU32(f64(a2, a3))),
};

function truncZero(x: number, y: number): void {
  simdOut[0] = x;
  simdOut[1] = y;
  simdOut[2] = simdOut[3] = 0;
}

function extmul64(x0: number, y0: number, x1: number, y1: number, signed: boolean): void {
  const wide = (v: number): bigint => BigInt(signed ? v : v >>> 0);
  putI64(0, wide(x0) * wide(y0));
  putI64(1, wide(x1) * wide(y1));
}
