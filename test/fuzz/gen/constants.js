// Constants for the module generator: the boundary values where
// translations to JavaScript go wrong (sign bits, INT_MIN, NaN payloads,
// -0, infinities, subnormals, the edges of float-to-int truncation), mixed
// with small and random values. Floats are written by bit pattern, so a
// signalling NaN keeps its payload in the module.

import { F32, F64, I32, I64, V128 } from './types.js';

const I32_BOUNDARY = [
  0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 0x7ffffffe, -0x7fffffff, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x100,
  0x7fff, 0x8000, 0xffff, 0x10000, 0x10001, -0x8000, -0x8001, -0x80, -0x81, 0x55555555, -0x55555556, 0x0f0f0f0f,
  65535, 65536, 131072, 1 << 24, 16777217, -16777217,
];

/** [lo, hi] word pairs. */
const I64_BOUNDARY = [
  [0, 0], [1, 0], [-1, -1], [2, 0], [-2, -1], [0, 0x80000000], [-1, 0x7fffffff], [1, 0x80000000], [-2, 0x7fffffff],
  [-1, 0], [0, 1], [1, 1], [0x80000000, 0], [0x7fffffff, 0], [0x80000000, -1], [0x7fffffff, -1],
  [0, 0x200000], [1, 0x200000], [-1, 0x1fffff], [0, -0x200000], [-1, -0x200001], [63, 0], [64, 0], [32, 0], [31, 0],
  [0x55555555, 0x55555555], [0xf0f0f0f0, 0x0f0f0f0f], [0, 0x40000000], [-1, 0x3fffffff],
];

const F32_BOUNDARY = [
  0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000, 0x7f800001, 0xff800001,
  0x7fffffff, 0xffffffff, 0x7fc00001, 0x7f812345, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000,
  0x80800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3f000000, 0xbf000000, 0x3fc00000, 0xbfc00000,
  0x40200000, 0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001, 0x4f800000, 0x4f7fffff, 0x5f000000, 0xdf000000,
  0x5effffff, 0xdf000001, 0x5f800000, 0x5f7fffff, 0xbf7fffff, 0x3f7fffff, 0x4b000000, 0x4b000001, 0x34000000,
  0x4cffffff, 0x4d000000,
];

/** [lo, hi] word pairs. */
const F64_BOUNDARY = [
  [0, 0], [0, 0x80000000], [0, 0x7ff00000], [0, 0xfff00000], [0, 0x7ff80000], [0, 0xfff80000], [1, 0x7ff40000],
  [1, 0x7ff00000], [-1, 0x7fffffff], [-1, -1], [0x12345678, 0x7ff81234], [1, 0], [1, 0x80000000], [-1, 0x000fffff],
  [0, 0x00100000], [-1, 0x7fefffff], [-1, 0xffefffff], [0, 0x3ff00000], [0, 0xbff00000], [0, 0x3fe00000],
  [0, 0xbfe00000], [0, 0x3ff80000], [0, 0xbff80000], [0, 0x40040000], [0, 0x41e00000], [0, 0xc1e00000],
  [0xffc00000, 0x41dfffff], [0x00200000, 0xc1e00000], [0x00100000, 0xc1e00000], [0, 0x41f00000], [0xffe00000, 0x41efffff],
  [0xfff00000, 0x41efffff], [0, 0x43e00000], [0, 0xc3e00000], [-1, 0x43dfffff], [1, 0xc3e00000], [0, 0x43f00000],
  [-1, 0x43efffff], [0, 0x43400000], [1, 0x43400000], [-1, 0x433fffff], [0, 0x43300000], [-1, 0x3fefffff],
  [-1, 0xbfefffff], [0, 0x36a00000], [0xe0000000, 0x47efffff], [0xe0000001, 0x47efffff], [0, 0x38100000],
];

const scratch = new DataView(new ArrayBuffer(8));

/**
 * f32 bits of a value; setFloat32 rounds to nearest-even everywhere.
 * @param {number} value
 */
export function f32Bits(value) {
  scratch.setFloat32(0, value, true);
  return scratch.getUint32(0, true);
}

/**
 * f64 bits of a value as [lo, hi].
 * @param {number} value
 * @returns {[number, number]}
 */
export function f64Bits(value) {
  scratch.setFloat64(0, value, true);
  return [scratch.getUint32(0, true), scratch.getUint32(4, true)];
}

/**
 * A "nice" float: a small integer or simple fraction, which is what real
 * programs compute with and what survives rounding in both directions.
 * Integer division by a power of two is exact, so the value is the same on
 * every machine.
 * @param {import('./random.js').Random} rng
 */
function niceFloat(rng) {
  const numerator = rng.range(-300, 300);
  const denominator = 1 << rng.int(4);
  return numerator / denominator;
}

/**
 * Writes an i32.const, i64.const, f32.const or f64.const of the given type.
 * The mix: boundary values, small values, random bit patterns.
 * @param {import('./bytes.js').ByteWriter} w
 * @param {import('./random.js').Random} rng
 * @param {number} type
 */
export function writeConst(w, rng, type) {
  const roll = rng.int(100);
  switch (type) {
    case I32:
      w.byte(0x41);
      w.s32(roll < 45 ? rng.pick(I32_BOUNDARY) : roll < 80 ? rng.range(-20, 300) : rng.int32());
      return;
    case I64: {
      w.byte(0x42);
      if (roll < 45) {
        const [lo, hi] = rng.pick(I64_BOUNDARY);
        w.s64(lo, hi);
      } else if (roll < 80) {
        const small = rng.range(-20, 300);
        w.s64(small, small < 0 ? -1 : 0);
      } else {
        w.s64(rng.int32(), rng.chance(0.5) ? rng.int32() : rng.chance(0.5) ? 0 : -1);
      }
      return;
    }
    case F32:
      w.byte(0x43);
      w.f32(roll < 45 ? rng.pick(F32_BOUNDARY) : roll < 85 ? f32Bits(niceFloat(rng)) : rng.next());
      return;
    case F64: {
      w.byte(0x44);
      if (roll < 45) {
        const [lo, hi] = rng.pick(F64_BOUNDARY);
        w.f64(lo, hi);
      } else if (roll < 85) {
        const [lo, hi] = f64Bits(niceFloat(rng));
        w.f64(lo, hi);
      } else {
        w.f64(rng.next(), rng.next());
      }
      return;
    }
    case V128:
      w.byte(0xfd);
      w.u32(0x0c);
      writeVectorBytes(w, rng, roll);
      return;
    default:
      throw new Error(`no constant of type 0x${type.toString(16)}`);
  }
}

const I16_BOUNDARY = [0, 1, -1, 0x7fff, -0x8000, 0x7ffe, -0x7fff, 0x7f, 0x80, 0xff, 0x100, -0x80, -0x81, 0x5555];
const I8_BOUNDARY = [0, 1, -1, 0x7f, -0x80, 0x7e, -0x7f, 0x40, 0x55, 0x0f, 0x10, 0x1f, 0x20];

/**
 * A v128.const's sixteen bytes: zeros or ones, lanes of one shape (i8x16 ..
 * f64x2) from that shape's boundary values, often all the same as a splat
 * would make them, or random bytes.
 * @param {import('./bytes.js').ByteWriter} w
 * @param {import('./random.js').Random} rng
 * @param {number} roll  0..99
 */
function writeVectorBytes(w, rng, roll) {
  if (roll < 10) {
    const byte = rng.chance(0.6) ? 0 : 0xff;
    for (let i = 0; i < 16; i++) w.byte(byte);
    return;
  }
  if (roll >= 85) {
    for (let i = 0; i < 4; i++) w.f32(rng.next());
    return;
  }
  const shape = rng.int(6);
  const uniform = rng.chance(0.35);
  const boundary = rng.chance(0.7);
  const small = () => rng.range(-20, 300);
  /** @returns {number | [number, number]} a lane: its bits, or [lo, hi] words for the 64-bit shapes */
  const lane = () => {
    const edge = boundary ? rng.chance(0.8) : rng.chance(0.2);
    if (shape === 0) return edge ? rng.pick(I8_BOUNDARY) : small();
    if (shape === 1) return edge ? rng.pick(I16_BOUNDARY) : small();
    if (shape === 2) return edge ? rng.pick(I32_BOUNDARY) : small();
    if (shape === 3) {
      if (edge) return rng.pick(I64_BOUNDARY);
      const low = small();
      return [low, low < 0 ? -1 : 0];
    }
    if (shape === 4) return edge ? rng.pick(F32_BOUNDARY) : f32Bits(niceFloat(rng));
    return edge ? rng.pick(F64_BOUNDARY) : f64Bits(niceFloat(rng));
  };
  let value = lane();
  for (let i = 0, count = 16 >> [0, 1, 2, 3, 2, 3][shape]; i < count; i++) {
    if (i > 0 && !uniform) value = lane();
    if (typeof value !== 'number') w.f64(value[0], value[1]);
    else if (shape === 0) w.byte(value & 0xff);
    else if (shape === 1) {
      w.byte(value & 0xff);
      w.byte((value >> 8) & 0xff);
    } else w.f32(value);
  }
}

/**
 * A zero of a number type, e.g. the results of a function that gives up
 * when its fuel runs out.
 * @param {import('./bytes.js').ByteWriter} w
 * @param {number} type
 */
export function writeZero(w, type) {
  switch (type) {
    case I32: w.byte(0x41); w.byte(0); return;
    case I64: w.byte(0x42); w.byte(0); return;
    case F32: w.byte(0x43); w.f32(0); return;
    case F64: w.byte(0x44); w.f64(0, 0); return;
    case V128: w.byte(0xfd); w.u32(0x0c); w.f64(0, 0); w.f64(0, 0); return;
    default: w.byte(0xd0); w.byte(type); // ref.null
  }
}

/**
 * Random bytes for a data segment: mostly small numbers and zeros, with the
 * bytes of boundary constants so loads see NaNs and INT_MINs.
 * @param {import('./random.js').Random} rng
 * @param {number} length
 */
export function dataBytes(rng, length) {
  const bytes = new Uint8Array(length);
  let i = 0;
  while (i < length) {
    const roll = rng.int(10);
    if (roll < 3) {
      bytes[i++] = 0;
    } else if (roll < 6) {
      bytes[i++] = rng.int(256);
    } else {
      const bits = roll < 8 ? rng.pick(F32_BOUNDARY) : rng.pick(I32_BOUNDARY);
      for (let k = 0; k < 4 && i < length; k++) bytes[i++] = (bits >>> (8 * k)) & 0xff;
    }
  }
  return bytes;
}
