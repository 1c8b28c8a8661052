// Numeric instructions that trap, or that have no exact one-expression JS
// form: integer division, bit counts and rotations, i64 on BigInt, float
// sign-bit operations that must keep NaN signs, correctly rounded
// conversions, truncations and reinterpretations. Values use the internal
// representation of runtime/abi.ts (i32 = int32 number, i64 = signed BigInt).

import { markTrap, RuntimeError } from './errors.js';

/**
 * Throws RuntimeError(message). Where the engine has
 * Error.captureStackTrace (V8, JavaScriptCore), the stack leaves out
 * `helper`, the runtime function that generated code called, and what it
 * called, so that a trap's stack starts at the wasm function.
 */
export function trap(message: string, helper: (...args: never[]) => unknown = trap): never {
  const error = new RuntimeError(message);
  markTrap(error);
  if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(error, helper);
  throw error;
}

// Scratch memory for bit-level work. Float64Array/Uint32Array use the
// platform's byte order, so the index of the high word is detected.
const scratch = new ArrayBuffer(8);
const f64 = new Float64Array(scratch);
const f32 = new Float32Array(scratch, 0, 1);
const u32 = new Uint32Array(scratch);
const i32 = new Int32Array(scratch, 0, 1);
const i64: BigInt64Array | null = typeof BigInt64Array === 'function' ? new BigInt64Array(scratch) : null;
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/**
 * The two words of an i64, for generated code: `(i64Bits[0] = x,
 * lowBits[0])` is i32.wrap_i64 and `highBits[0]` the top word after the
 * same store. V8 converts a BigInt to a Number in its C++ runtime, so
 * `Number(BigInt.asIntN(32, x))` costs ~4x more with the JIT on and ~1.7x
 * more in its interpreter. Where BigInt64Array is missing, a setter splits
 * the value the slow way.
 */
const words = new ArrayBuffer(8);
export const lowBits = new Int32Array(words, LO * 4, 1);
export const highBits = new Int32Array(words, HI * 4, 1);
/** The same eight bytes as an f64: `(lowBits[0] = lo, highBits[0] = hi, f64Bits[0])` (v128 lanes). */
export const f64Bits = new Float64Array(words);
export const i64Bits: { [index: number]: bigint } = typeof BigInt64Array === 'function' ? new BigInt64Array(words) : {
  set 0(value: bigint) {
    lowBits[0] = Number(BigInt.asIntN(32, value));
    highBits[0] = Number(BigInt.asIntN(32, value >> 32n));
  },
  get 0(): bigint {
    return BigInt.asIntN(64, (BigInt(highBits[0]) << 32n) | BigInt(lowBits[0] >>> 0));
  },
};

/**
 * Shifts by a count that is not a constant, for output tuned for JITs
 * (`x << (n & 63n)` runs in V8's C++ runtime; these inline): 2^k as an
 * i64, so that `x << k` is `BigInt.asIntN(64, x * pow2[k])`, and right
 * shifts done on the two words. k is 0..63.
 */
export const pow2: readonly bigint[] = Object.freeze(Array.from({ length: 64 }, (_, k) => BigInt.asIntN(64, 1n << BigInt(k))));

export function i64ShrU(x: bigint, k: number): bigint {
  i64Bits[0] = x;
  const lo = lowBits[0], hi = highBits[0];
  if (k >= 32) {
    lowBits[0] = hi >>> (k - 32);
    highBits[0] = 0;
  } else if (k !== 0) {
    lowBits[0] = (lo >>> k) | (hi << (32 - k));
    highBits[0] = hi >>> k;
  }
  return i64Bits[0];
}

export function i64ShrS(x: bigint, k: number): bigint {
  i64Bits[0] = x;
  const lo = lowBits[0], hi = highBits[0];
  if (k >= 32) {
    lowBits[0] = hi >> (k - 32);
    highBits[0] = hi >> 31;
  } else if (k !== 0) {
    lowBits[0] = (lo >>> k) | (hi << (32 - k));
    highBits[0] = hi >> k;
  }
  return i64Bits[0];
}

const I64_MIN = -0x8000000000000000n;
const TWO_63 = 9223372036854775808; // 2^63 as a double
const TWO_64 = 18446744073709551616;

// --- i32 -------------------------------------------------------------------

export function i32DivS(a: number, b: number): number {
  if (b === 0) trap('integer divide by zero', i32DivS);
  if (a === -2147483648 && b === -1) trap('integer overflow', i32DivS);
  return (a / b) | 0;
}

export function i32DivU(a: number, b: number): number {
  if (b === 0) trap('integer divide by zero', i32DivU);
  return ((a >>> 0) / (b >>> 0)) | 0;
}

export function i32RemS(a: number, b: number): number {
  if (b === 0) trap('integer divide by zero', i32RemS);
  return (a % b) | 0; // also right for MIN % -1 (0) and keeps no -0
}

export function i32RemU(a: number, b: number): number {
  if (b === 0) trap('integer divide by zero', i32RemU);
  return ((a >>> 0) % (b >>> 0)) | 0;
}

export function i32Ctz(a: number): number {
  return a === 0 ? 32 : 31 - Math.clz32(a & -a);
}

export function i32Popcnt(a: number): number {
  a = a - ((a >>> 1) & 0x55555555);
  a = (a & 0x33333333) + ((a >>> 2) & 0x33333333);
  return Math.imul((a + (a >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

export function i32Rotl(a: number, b: number): number {
  return (a << (b & 31)) | (a >>> ((32 - b) & 31));
}

export function i32Rotr(a: number, b: number): number {
  return (a >>> (b & 31)) | (a << ((32 - b) & 31));
}

// --- i64 -------------------------------------------------------------------

const U64_MASK = 0xffffffffffffffffn;
/**
 * An i64 read as unsigned: `a & (2^64 - 1)`, not BigInt.asUintN(64, a),
 * which QuickJS gets wrong when bit 63 is set (it returns `a` signed;
 * bellard/quickjs issue 557).
 */
const u64 = (a: bigint): bigint => a & U64_MASK;

/**
 * BigInt.asUintN itself where the engine gets it right, else an exact
 * replacement (QuickJS, see u64). Generated code tuned for a JIT takes its
 * `BigInt_asUintN` from here: V8 then sees the builtin it optimizes.
 */
export const asUintN: (bits: number, value: bigint) => bigint = BigInt.asUintN(64, -1n) === U64_MASK
  ? BigInt.asUintN
  : (bits, value) => value & ((1n << BigInt(bits)) - 1n);

export function i64DivS(a: bigint, b: bigint): bigint {
  if (b === 0n) trap('integer divide by zero', i64DivS);
  if (a === I64_MIN && b === -1n) trap('integer overflow', i64DivS);
  return a / b; // BigInt division truncates, and the quotient fits
}

export function i64DivU(a: bigint, b: bigint): bigint {
  if (b === 0n) trap('integer divide by zero', i64DivU);
  return BigInt.asIntN(64, u64(a) / u64(b));
}

export function i64RemS(a: bigint, b: bigint): bigint {
  if (b === 0n) trap('integer divide by zero', i64RemS);
  return a % b; // sign of the dividend, as wasm; MIN % -1 is 0
}

export function i64RemU(a: bigint, b: bigint): bigint {
  if (b === 0n) trap('integer divide by zero', i64RemU);
  return BigInt.asIntN(64, u64(a) % u64(b));
}

function low32(a: bigint): number {
  return Number(BigInt.asIntN(32, a));
}

function high32(a: bigint): number {
  return Number(BigInt.asIntN(32, a >> 32n));
}

export function i64Clz(a: bigint): bigint {
  const high = high32(a);
  return BigInt(high !== 0 ? Math.clz32(high) : 32 + Math.clz32(low32(a)));
}

export function i64Ctz(a: bigint): bigint {
  const low = low32(a);
  return BigInt(low !== 0 ? i32Ctz(low) : 32 + i32Ctz(high32(a)));
}

export function i64Popcnt(a: bigint): bigint {
  return BigInt(i32Popcnt(low32(a)) + i32Popcnt(high32(a)));
}

export function i64Rotl(a: bigint, b: bigint): bigint {
  const k = b & 63n;
  const x = u64(a);
  return BigInt.asIntN(64, (x << k) | (x >> ((64n - k) & 63n)));
}

export function i64Rotr(a: bigint, b: bigint): bigint {
  const k = b & 63n;
  const x = u64(a);
  return BigInt.asIntN(64, (x >> k) | (x << ((64n - k) & 63n)));
}

// --- floats ----------------------------------------------------------------

/**
 * A NaN with its quiet bit set (payload and sign kept); other values as they
 * are. Wasm operators that produce an "arithmetic NaN" must not return a
 * signalling NaN operand unchanged, which Math.floor/ceil/trunc/min/max and
 * a plain f32 -> f64 promotion do.
 */
export function fQuiet(a: number): number {
  if (a === a) return a;
  f64[0] = a;
  u32[HI] |= 0x80000;
  return f64[0];
}

/** nearest: round half to even, keeping -0 and the sign of zero results; NaNs come out quiet. */
export function fNearest(a: number): number {
  if (a !== a) return fQuiet(a);
  // Infinities, zeros, and values of 2^52 and above (already integers).
  if (!(Math.abs(a) < 4503599627370496) || a === 0) return a;
  let r = Math.round(a); // ties go toward +Infinity
  if (r - a === 0.5 && r % 2 !== 0) r -= 1; // a tie rounded up to an odd number: take the even one below
  return r === 0 && a < 0 ? -0 : r;
}

function signBit(a: number): number {
  f64[0] = a;
  return u32[HI] & 0x80000000;
}

/** copysign, bit-exact: NaN operands keep their payload and take/give their sign bit. */
export function fCopysign(a: number, b: number): number {
  if (a === a && b === b) {
    const aNegative = a < 0 || (a === 0 && 1 / a < 0);
    const bNegative = b < 0 || (b === 0 && 1 / b < 0);
    return aNegative === bNegative ? a : -a;
  }
  const sign = signBit(b);
  f64[0] = a;
  u32[HI] = (u32[HI] & 0x7fffffff) | sign;
  return f64[0];
}

export function fAbs(a: number): number {
  if (a === a) return Math.abs(a);
  f64[0] = a;
  u32[HI] &= 0x7fffffff;
  return f64[0];
}

export function fNeg(a: number): number {
  if (a === a) return -a;
  f64[0] = a;
  u32[HI] ^= 0x80000000;
  return f64[0];
}

/**
 * An unsigned 64-bit integer rounded once to float32. Below 2^53 Number() is
 * exact; above, the value is first cut to 53 bits with round-to-odd (a sticky
 * low bit), which makes the final rounding to 24 bits the correct single
 * rounding (rounding to odd with at least two extra bits is innocuous).
 */
function f32FromU64(m: bigint): number {
  if (m < 0x20000000000000n) return Math.fround(Number(m));
  const bits = 64 - Math.clz32(Number(m >> 32n)); // bit length, 54..64
  const shift = BigInt(bits - 53);
  let q = m >> shift;
  if (q << shift !== m) q |= 1n;
  return Math.fround(Number(q) * 2 ** (bits - 53));
}

export function f32ConvertI64S(a: bigint): number {
  if (a >= -0x20000000000000n && a <= 0x20000000000000n) return Math.fround(Number(a));
  return a < 0n ? -f32FromU64(-a) : f32FromU64(a);
}

export function f32ConvertI64U(a: bigint): number {
  return f32FromU64(u64(a));
}

/**
 * Number(bigint) rounds to nearest, ties to even; but Hermes 0.12 gets it
 * wrong from 2^63 up (Number(2n ** 63n) is negative there). The two 32-bit
 * halves convert exactly, the high one scaled exactly, so their sum is the
 * one correct rounding.
 */
export function f64ConvertI64U(a: bigint): number {
  const x = u64(a);
  return x < 0x8000000000000000n ? Number(x) : Number(x >> 32n) * 4294967296 + Number(x & 0xffffffffn);
}

// --- truncation ---------------------------------------------------------------

export function truncS32(a: number): number {
  if (a !== a) trap('invalid conversion to integer', truncS32);
  const t = Math.trunc(a);
  if (t < -2147483648 || t > 2147483647) trap('integer overflow', truncS32);
  return t | 0;
}

export function truncU32(a: number): number {
  if (a !== a) trap('invalid conversion to integer', truncU32);
  const t = Math.trunc(a);
  if (t <= -1 || t > 4294967295) trap('integer overflow', truncU32);
  return t | 0;
}

export function truncS64(a: number): bigint {
  if (a !== a) trap('invalid conversion to integer', truncS64);
  const t = Math.trunc(a);
  if (t < -TWO_63 || t >= TWO_63) trap('integer overflow', truncS64);
  return BigInt(t);
}

export function truncU64(a: number): bigint {
  if (a !== a) trap('invalid conversion to integer', truncU64);
  const t = Math.trunc(a);
  if (t <= -1 || t >= TWO_64) trap('integer overflow', truncU64);
  return BigInt.asIntN(64, BigInt(t));
}

export function truncSatS32(a: number): number {
  if (a !== a) return 0;
  if (a <= -2147483648) return -2147483648;
  if (a >= 2147483647) return 2147483647;
  return Math.trunc(a) | 0;
}

export function truncSatU32(a: number): number {
  if (a !== a || a <= 0) return 0;
  if (a >= 4294967295) return -1;
  return Math.trunc(a) | 0;
}

export function truncSatS64(a: number): bigint {
  if (a !== a) return 0n;
  if (a < -TWO_63) return I64_MIN;
  if (a >= TWO_63) return 0x7fffffffffffffffn;
  return BigInt(Math.trunc(a));
}

export function truncSatU64(a: number): bigint {
  if (a !== a || a <= 0) return 0n;
  if (a >= TWO_64) return -1n;
  return BigInt.asIntN(64, BigInt(Math.trunc(a)));
}

// --- reinterpretation -----------------------------------------------------------

// An f32 value is held as the JS number (a double) of the same value. For
// NaNs, converting through Float32Array would quiet signalling NaNs (the
// hardware float<->double conversion sets the quiet bit), so NaN bit
// patterns are moved by hand: the 23 payload bits of the f32 become the top
// 23 of the double's 52, as the hardware conversion places them.

export function i32ReinterpretF32(a: number): number {
  if (a === a) {
    f32[0] = a;
    return i32[0];
  }
  f64[0] = a;
  const high = u32[HI];
  let payload = ((high & 0xfffff) << 3) | (u32[LO] >>> 29);
  if (payload === 0) payload = 0x400000; // a double NaN with only low payload bits: keep it a NaN
  return (high & 0x80000000) | 0x7f800000 | payload;
}

export function f32ReinterpretI32(a: number): number {
  if ((a & 0x7f800000) !== 0x7f800000 || (a & 0x7fffff) === 0) {
    i32[0] = a;
    return f32[0];
  }
  u32[HI] = ((a & 0x80000000) | 0x7ff00000 | ((a & 0x7fffff) >>> 3)) >>> 0;
  u32[LO] = (a & 7) << 29;
  return f64[0];
}

export function i64ReinterpretF64(a: number): bigint {
  f64[0] = a;
  if (i64 !== null) return i64[0];
  return BigInt.asIntN(64, (BigInt(u32[HI]) << 32n) | BigInt(u32[LO]));
}

export function f64ReinterpretI64(a: bigint): number {
  if (i64 !== null) {
    i64[0] = a;
  } else {
    u32[HI] = Number((a >> 32n) & 0xffffffffn);
    u32[LO] = Number(a & 0xffffffffn);
  }
  return f64[0];
}
