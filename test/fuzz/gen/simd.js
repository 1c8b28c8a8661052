// Fixed-width SIMD for the module generator: v128 values made and used in
// every shape the body generator has (operands pending on the stack,
// locals, globals, parameters and results, blocks, select), from a table
// of every WebAssembly 2.0 SIMD instruction with its stack signature.
// Operands lean on what goes wrong in a translation that keeps a v128 as
// four i32 words: lanes that cross word boundaries (i8x16 and i16x8 lanes,
// i64x2 and f64x2 lanes split over two words), shift counts at and past the
// lane width, shuffle and swizzle indices out of range, NaN and -0 lanes,
// saturating and narrowing edges, and loads and stores of 1 to 16 bytes at
// the end of memory and past it.
//
// Relaxed SIMD is not generated: its results are implementation-defined, so
// a differential fuzzer cannot hold two engines to one answer (and Node 20's
// V8 validates it only behind a flag).

import { address, memarg } from './memory.js';
import * as calls from './calls.js';
import * as control from './control.js';
import { Op } from './instructions.js';
import { F32, F64, I32, I64, SLOT, SLOT_COUNT, V128, isNumber } from './types.js';

/** @typedef {import('./body.js').FunctionGenerator} FunctionGenerator */

/**
 * @typedef {object} SimdOp
 * @property {string} name
 * @property {number} sub       the sub-opcode after 0xfd
 * @property {number[]} params
 * @property {number} result    0 for none
 * @property {number} lanes     a lane index immediate below this follows (0: none)
 * @property {boolean} shuffle  sixteen lane indices below 32 follow
 * @property {boolean} shift    the second operand is a shift count
 */

export const SIMD_PREFIX = 0xfd;

/** @type {Record<string, number>} */
const SIGNATURE = { v: V128, i: I32, I: I64, f: F32, F: F64 };

/** @type {SimdOp[]} */
const OPS = [];

/**
 * @param {number} sub
 * @param {string} name
 * @param {string} signature  e.g. 'vv>v', 'v>i', 'F>v'
 * @param {number} [lanes]
 */
function add(sub, name, signature, lanes = 0) {
  const [params, result] = signature.split('>');
  OPS.push({
    name,
    sub,
    params: [...params].map((c) => SIGNATURE[c]),
    result: result ? SIGNATURE[result] : 0,
    lanes,
    shuffle: name === 'i8x16.shuffle',
    shift: /\.sh[lr]/.test(name),
  });
}

/**
 * Consecutive sub-opcodes from `start`, each "name signature"; '' skips one.
 * @param {number} start
 * @param {string[]} entries
 */
function group(start, entries) {
  entries.forEach((entry, i) => {
    if (!entry) return;
    const [name, signature] = entry.split(' ');
    add(start + i, name, signature);
  });
}

/** @param {string} shape @param {string} names @param {string} signature */
const each = (shape, names, signature) => names.split(' ').map((name) => `${shape}.${name} ${signature}`);

add(0x0d, 'i8x16.shuffle', 'vv>v');
group(0x0e, ['i8x16.swizzle vv>v', 'i8x16.splat i>v', 'i16x8.splat i>v', 'i32x4.splat i>v', 'i64x2.splat I>v', 'f32x4.splat f>v', 'f64x2.splat F>v']);
add(0x15, 'i8x16.extract_lane_s', 'v>i', 16);
add(0x16, 'i8x16.extract_lane_u', 'v>i', 16);
add(0x17, 'i8x16.replace_lane', 'vi>v', 16);
add(0x18, 'i16x8.extract_lane_s', 'v>i', 8);
add(0x19, 'i16x8.extract_lane_u', 'v>i', 8);
add(0x1a, 'i16x8.replace_lane', 'vi>v', 8);
add(0x1b, 'i32x4.extract_lane', 'v>i', 4);
add(0x1c, 'i32x4.replace_lane', 'vi>v', 4);
add(0x1d, 'i64x2.extract_lane', 'v>I', 2);
add(0x1e, 'i64x2.replace_lane', 'vI>v', 2);
add(0x1f, 'f32x4.extract_lane', 'v>f', 4);
add(0x20, 'f32x4.replace_lane', 'vf>v', 4);
add(0x21, 'f64x2.extract_lane', 'v>F', 2);
add(0x22, 'f64x2.replace_lane', 'vF>v', 2);
group(0x23, each('i8x16', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u', 'vv>v'));
group(0x2d, each('i16x8', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u', 'vv>v'));
group(0x37, each('i32x4', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u', 'vv>v'));
group(0x41, each('f32x4', 'eq ne lt gt le ge', 'vv>v'));
group(0x47, each('f64x2', 'eq ne lt gt le ge', 'vv>v'));
group(0x4d, ['v128.not v>v', 'v128.and vv>v', 'v128.andnot vv>v', 'v128.or vv>v', 'v128.xor vv>v', 'v128.bitselect vvv>v', 'v128.any_true v>i']);
group(0x5e, ['f32x4.demote_f64x2_zero v>v', 'f64x2.promote_low_f32x4 v>v']);
group(0x60, [
  'i8x16.abs v>v', 'i8x16.neg v>v', 'i8x16.popcnt v>v', 'i8x16.all_true v>i', 'i8x16.bitmask v>i',
  'i8x16.narrow_i16x8_s vv>v', 'i8x16.narrow_i16x8_u vv>v',
  'f32x4.ceil v>v', 'f32x4.floor v>v', 'f32x4.trunc v>v', 'f32x4.nearest v>v',
  'i8x16.shl vi>v', 'i8x16.shr_s vi>v', 'i8x16.shr_u vi>v',
  'i8x16.add vv>v', 'i8x16.add_sat_s vv>v', 'i8x16.add_sat_u vv>v', 'i8x16.sub vv>v', 'i8x16.sub_sat_s vv>v', 'i8x16.sub_sat_u vv>v',
  'f64x2.ceil v>v', 'f64x2.floor v>v',
  'i8x16.min_s vv>v', 'i8x16.min_u vv>v', 'i8x16.max_s vv>v', 'i8x16.max_u vv>v',
  'f64x2.trunc v>v', 'i8x16.avgr_u vv>v',
  'i16x8.extadd_pairwise_i8x16_s v>v', 'i16x8.extadd_pairwise_i8x16_u v>v', 'i32x4.extadd_pairwise_i16x8_s v>v', 'i32x4.extadd_pairwise_i16x8_u v>v',
]);
group(0x80, [
  'i16x8.abs v>v', 'i16x8.neg v>v', 'i16x8.q15mulr_sat_s vv>v', 'i16x8.all_true v>i', 'i16x8.bitmask v>i',
  'i16x8.narrow_i32x4_s vv>v', 'i16x8.narrow_i32x4_u vv>v',
  'i16x8.extend_low_i8x16_s v>v', 'i16x8.extend_high_i8x16_s v>v', 'i16x8.extend_low_i8x16_u v>v', 'i16x8.extend_high_i8x16_u v>v',
  'i16x8.shl vi>v', 'i16x8.shr_s vi>v', 'i16x8.shr_u vi>v',
  'i16x8.add vv>v', 'i16x8.add_sat_s vv>v', 'i16x8.add_sat_u vv>v', 'i16x8.sub vv>v', 'i16x8.sub_sat_s vv>v', 'i16x8.sub_sat_u vv>v',
  'f64x2.nearest v>v', 'i16x8.mul vv>v',
  'i16x8.min_s vv>v', 'i16x8.min_u vv>v', 'i16x8.max_s vv>v', 'i16x8.max_u vv>v', '', 'i16x8.avgr_u vv>v',
  'i16x8.extmul_low_i8x16_s vv>v', 'i16x8.extmul_high_i8x16_s vv>v', 'i16x8.extmul_low_i8x16_u vv>v', 'i16x8.extmul_high_i8x16_u vv>v',
]);
group(0xa0, [
  'i32x4.abs v>v', 'i32x4.neg v>v', '', 'i32x4.all_true v>i', 'i32x4.bitmask v>i', '', '',
  'i32x4.extend_low_i16x8_s v>v', 'i32x4.extend_high_i16x8_s v>v', 'i32x4.extend_low_i16x8_u v>v', 'i32x4.extend_high_i16x8_u v>v',
  'i32x4.shl vi>v', 'i32x4.shr_s vi>v', 'i32x4.shr_u vi>v',
  'i32x4.add vv>v', '', '', 'i32x4.sub vv>v', '', '', '', 'i32x4.mul vv>v',
  'i32x4.min_s vv>v', 'i32x4.min_u vv>v', 'i32x4.max_s vv>v', 'i32x4.max_u vv>v', 'i32x4.dot_i16x8_s vv>v', '',
  'i32x4.extmul_low_i16x8_s vv>v', 'i32x4.extmul_high_i16x8_s vv>v', 'i32x4.extmul_low_i16x8_u vv>v', 'i32x4.extmul_high_i16x8_u vv>v',
]);
group(0xc0, [
  'i64x2.abs v>v', 'i64x2.neg v>v', '', 'i64x2.all_true v>i', 'i64x2.bitmask v>i', '', '',
  'i64x2.extend_low_i32x4_s v>v', 'i64x2.extend_high_i32x4_s v>v', 'i64x2.extend_low_i32x4_u v>v', 'i64x2.extend_high_i32x4_u v>v',
  'i64x2.shl vi>v', 'i64x2.shr_s vi>v', 'i64x2.shr_u vi>v',
  'i64x2.add vv>v', '', '', 'i64x2.sub vv>v', '', '', '', 'i64x2.mul vv>v',
  ...each('i64x2', 'eq ne lt_s gt_s le_s ge_s', 'vv>v'),
  'i64x2.extmul_low_i32x4_s vv>v', 'i64x2.extmul_high_i32x4_s vv>v', 'i64x2.extmul_low_i32x4_u vv>v', 'i64x2.extmul_high_i32x4_u vv>v',
]);
group(0xe0, ['f32x4.abs v>v', 'f32x4.neg v>v', '', 'f32x4.sqrt v>v', ...each('f32x4', 'add sub mul div min max pmin pmax', 'vv>v')]);
group(0xec, ['f64x2.abs v>v', 'f64x2.neg v>v', '', 'f64x2.sqrt v>v', ...each('f64x2', 'add sub mul div min max pmin pmax', 'vv>v')]);
group(0xf8, [
  'i32x4.trunc_sat_f32x4_s v>v', 'i32x4.trunc_sat_f32x4_u v>v', 'f32x4.convert_i32x4_s v>v', 'f32x4.convert_i32x4_u v>v',
  'i32x4.trunc_sat_f64x2_s_zero v>v', 'i32x4.trunc_sat_f64x2_u_zero v>v', 'f64x2.convert_low_i32x4_s v>v', 'f64x2.convert_low_i32x4_u v>v',
]);

/**
 * @typedef {object} SimdMemoryOp
 * @property {string} name
 * @property {number} sub
 * @property {number} size   bytes accessed
 * @property {number} lanes  for the lane forms, the lane count (the lane immediate is below it)
 */

/** @type {(name: string, sub: number, size: number, lanes?: number) => SimdMemoryOp} */
const memoryOp = (name, sub, size, lanes = 0) => ({ name, sub, size, lanes });

/** Loads that make a v128 from an address alone. */
const LOADS = [
  memoryOp('v128.load', 0x00, 16),
  memoryOp('v128.load8x8_s', 0x01, 8), memoryOp('v128.load8x8_u', 0x02, 8),
  memoryOp('v128.load16x4_s', 0x03, 8), memoryOp('v128.load16x4_u', 0x04, 8),
  memoryOp('v128.load32x2_s', 0x05, 8), memoryOp('v128.load32x2_u', 0x06, 8),
  memoryOp('v128.load8_splat', 0x07, 1), memoryOp('v128.load16_splat', 0x08, 2),
  memoryOp('v128.load32_splat', 0x09, 4), memoryOp('v128.load64_splat', 0x0a, 8),
  memoryOp('v128.load32_zero', 0x5c, 4), memoryOp('v128.load64_zero', 0x5d, 8),
];
const STORE = memoryOp('v128.store', 0x0b, 16);
const LOAD_LANES = [1, 2, 4, 8].map((size, i) => memoryOp(`v128.load${size * 8}_lane`, 0x54 + i, size, 16 / size));
const STORE_LANES = [1, 2, 4, 8].map((size, i) => memoryOp(`v128.store${size * 8}_lane`, 0x58 + i, size, 16 / size));

/** Every SIMD instruction the generator writes, by name: the census in the tests checks them against the decoder. */
export const SIMD_NAMES = [...OPS, ...LOADS, STORE, ...LOAD_LANES, ...STORE_LANES].map((op) => op.name).concat('v128.const');

const VECTOR_OPS = OPS.filter((op) => op.result === V128);
/** By the shape of their operands, for the value kinds below. */
const UNARY = VECTOR_OPS.filter((op) => op.params.length === 1 && op.params[0] === V128);
const BINARY = VECTOR_OPS.filter((op) => op.params.length === 2 && op.params[1] === V128);
const SHIFTS = VECTOR_OPS.filter((op) => op.shift);
const SPLATS = VECTOR_OPS.filter((op) => op.params.length === 1 && op.params[0] !== V128);
const REPLACES = VECTOR_OPS.filter((op) => op.lanes > 0);
const BITSELECT = /** @type {SimdOp} */ (OPS.find((op) => op.name === 'v128.bitselect'));
/** @type {SimdOp[][]} v128 -> scalar (extract_lane, any_true, all_true, bitmask), by result type slot */
const TO_SCALAR = Array.from({ length: SLOT_COUNT }, () => []);
for (const op of OPS) if (op.result && op.result !== V128) TO_SCALAR[SLOT[op.result]].push(op);
/** @type {SimdOp[][]} scalar -> v128 splats, by operand type slot */
const FROM_SCALAR = Array.from({ length: SLOT_COUNT }, () => []);
for (const op of SPLATS) FROM_SCALAR[SLOT[op.params[0]]].push(op);

/** Shift counts: the lane widths and their neighbours, and counts the modulo must wrap. */
const SHIFT_COUNTS = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255, -1, -8, 0x7fffffff, -0x80000000];
/** Every extract_lane, for logging a vector. */
const EXTRACTS = OPS.filter((op) => op.lanes && op.result !== V128);

// ---- writing one instruction ----

/**
 * Writes `op` with its immediates and updates the stack (its operands are on it).
 * @param {FunctionGenerator} g
 * @param {SimdOp} op
 */
export function writeSimd(g, op) {
  const r = g.rng;
  const w = g.w;
  w.byte(SIMD_PREFIX);
  w.u32(op.sub);
  if (op.lanes) w.byte(r.chance(0.3) ? r.pick([0, op.lanes - 1, op.lanes >> 1]) : r.int(op.lanes));
  if (op.shuffle) writeShuffle(g);
  g.pop(op.params.length);
  if (op.result) g.push(op.result);
}

/**
 * i8x16.shuffle's sixteen lane indices (0-15 the first operand, 16-31 the
 * second): the patterns a compiler emits for interleaves, broadcasts,
 * reversals and byte swaps, and random ones.
 * @param {FunctionGenerator} g
 */
function writeShuffle(g) {
  const r = g.rng;
  const w = g.w;
  const pattern = r.int(8);
  const lane = r.int(32);
  const width = 1 << r.int(4); // 1, 2, 4 or 8 bytes moved together
  for (let i = 0; i < 16; i++) {
    let index;
    if (pattern === 0) index = i; // identity
    else if (pattern === 1) index = 15 - i + (r.chance(0.5) ? 16 : 0); // reversal
    else if (pattern === 2) index = (lane & ~(width - 1)) + (i % width); // broadcast of one lane of `width` bytes
    else if (pattern === 3) index = (i >> 1) + ((i & 1) << 4); // interleave the low halves
    else if (pattern === 4) index = ((i / width) | 0) * width + (width - 1 - (i % width)); // byte swap within lanes
    else if (pattern === 5) index = (i + lane) & 31; // rotation across both operands
    else index = r.int(32);
    w.byte(index);
  }
}

/**
 * A shift count: a constant around a lane width, or any i32.
 * @param {FunctionGenerator} g
 * @param {number} depth
 */
function shiftCount(g, depth) {
  if (g.rng.chance(0.6)) {
    g.w.byte(Op.i32_const);
    g.w.s32(g.rng.pick(SHIFT_COUNTS));
    g.push(I32);
  } else {
    g.genValue(I32, depth);
  }
}

/**
 * Operands of `op`, reusing values on the stack when asked, then `op`.
 * @param {FunctionGenerator} g
 * @param {SimdOp} op
 * @param {number} depth
 * @param {boolean} reuse
 */
function apply(g, op, depth, reuse) {
  if (op.shift) {
    g.ensureArgs([V128], reuse, depth);
    shiftCount(g, depth);
  } else {
    g.ensureArgs(op.params, reuse, depth);
  }
  writeSimd(g, op);
}

// ---- memory ----

/**
 * Writes a SIMD memory instruction after its operands: the address and, for
 * the lane forms and the store, the vector.
 * @param {FunctionGenerator} g
 * @param {SimdMemoryOp} op
 * @param {number} slack  in-bounds bytes past address + size (see memory.address)
 */
function writeMemory(g, op, slack) {
  g.w.byte(SIMD_PREFIX);
  g.w.u32(op.sub);
  memarg(g, op.size, slack, g.rng.chance(g.p.trapRate));
  if (op.lanes) g.w.byte(g.rng.int(op.lanes));
}

/**
 * A v128 from memory: a plain, extending, splatting or zero-filling load,
 * or a lane load into another vector.
 * @param {FunctionGenerator} g
 * @param {number} depth
 */
function valueLoad(g, depth) {
  const r = g.rng;
  if (r.chance(0.75)) {
    const op = r.pick(LOADS);
    const slack = address(g, op.size, depth);
    writeMemory(g, op, slack);
    g.pop(1);
  } else {
    const op = r.pick(LOAD_LANES);
    const slack = address(g, op.size, depth);
    g.genValue(V128, depth);
    writeMemory(g, op, slack);
    g.pop(2);
  }
  g.push(V128);
}

/**
 * A SIMD memory statement: v128.store or a lane store (at the trap rate of
 * an address and vector already on the stack), or a load left on the stack.
 * @param {FunctionGenerator} g
 */
export function stepSimdMemory(g) {
  const r = g.rng;
  const d = g.p.exprDepth;
  const roll = r.int(10);
  if (roll < 3) {
    valueLoad(g, d);
    return;
  }
  const op = roll < 7 ? STORE : r.pick(STORE_LANES);
  let slack = 0;
  if (!(g.avail() >= 2 && g.topMatches([I32, V128], 2) && r.chance(g.p.trapRate * 4))) {
    slack = address(g, op.size, d);
    g.genValue(V128, d);
  }
  writeMemory(g, op, slack);
  g.pop(2);
}

// ---- values and steps ----

/**
 * Ways to make a v128 value, with weights. The generic ones (calls, select,
 * local.tee, blocks) are the body generator's own.
 * @type {[number, (g: FunctionGenerator, depth: number) => void][]}
 */
const VECTOR_KINDS = [
  [6, (g) => g.leaf(V128)],
  [3, (g, d) => apply(g, g.rng.pick(UNARY), d, false)],
  [5, (g, d) => apply(g, g.rng.pick(BINARY), d, false)],
  [0.7, (g, d) => apply(g, BITSELECT, d, false)],
  [1.2, (g, d) => apply(g, g.rng.pick(SHIFTS), d, false)],
  [1.5, (g, d) => apply(g, g.rng.pick(SPLATS), d, false)],
  [1.2, (g, d) => apply(g, g.rng.pick(REPLACES), d, false)],
  [1.5, (g, d) => valueLoad(g, d)],
  [0.8, (g, d) => calls.valueCall(g, V128, d)],
  [0.2, (g, d) => calls.valueCallIndirect(g, V128, d)],
  [0.5, (g, d) => g.valueSelect(V128, d)],
  [0.5, (g, d) => g.valueTee(V128, d)],
  [0.3, (g, d) => control.valueBlock(g, V128, d)],
];
const VECTOR_WEIGHTS = VECTOR_KINDS.map(([weight]) => weight);

/**
 * Pushes one v128 (genValue's choice for the type, with `depth` left).
 * @param {FunctionGenerator} g
 * @param {number} depth
 */
export function valueVector(g, depth) {
  VECTOR_KINDS[g.rng.weighted(VECTOR_WEIGHTS)][1](g, depth);
}

/**
 * A scalar taken from a vector: a lane, any_true, all_true or bitmask (a
 * value kind of the body generator, for number types).
 * @param {FunctionGenerator} g
 * @param {number} type
 * @param {number} depth
 */
export function valueScalar(g, type, depth) {
  const ops = isNumber(type) ? TO_SCALAR[SLOT[type]] : [];
  if (ops.length === 0) g.leaf(type);
  else apply(g, g.rng.pick(ops), depth, false);
}

/**
 * A SIMD instruction as a statement: any of them, its operands from the
 * stack where the types line up; the result stays there for later steps.
 * @param {FunctionGenerator} g
 */
export function stepSimd(g) {
  apply(g, g.rng.pick(OPS), g.p.exprDepth, g.rng.chance(g.p.reuse));
}

/**
 * Turns the v128 on top into a `to` (a lane, a test) or the scalar on top
 * into a v128 (a splat); false when there is no such instruction.
 * @param {FunctionGenerator} g
 * @param {number} from
 * @param {number} to
 */
export function convert(g, from, to) {
  const ops = from === V128 ? (isNumber(to) ? TO_SCALAR[SLOT[to]] : []) : isNumber(from) ? FROM_SCALAR[SLOT[from]] : [];
  if (ops.length === 0) return false;
  writeSimd(g, g.rng.pick(ops));
  return true;
}

/**
 * Consumes the v128 on top by logging one of its lanes (or a test of it)
 * through the log import of the lane's type.
 * @param {FunctionGenerator} g
 */
export function logVector(g) {
  const op = g.rng.pick(g.rng.chance(0.8) ? EXTRACTS : TO_SCALAR[SLOT[I32]]);
  writeSimd(g, op);
  g.w.byte(Op.call);
  g.w.u32(g.m.logFunction[SLOT[op.result]]);
  g.pop(1);
}

/**
 * Combines the two v128s on top into one.
 * @param {FunctionGenerator} g
 */
export function combineVectors(g) {
  writeSimd(g, g.rng.pick(BINARY));
}
