// Opcode tables of the module generator: every numeric, conversion and
// memory instruction of WebAssembly 2.0 with its stack signature and the
// feature it needs. The body generator only looks instructions up here
// (by result type, by operand types), so adding a proposal's instructions
// is adding rows.

import { F32, F64, I32, I64, SLOT, SLOT_COUNT } from './types.js';

/**
 * @typedef {object} NumericOp
 * @property {string} name
 * @property {number[]} code      opcode bytes; a 0xfc prefix is followed by a u32
 * @property {number[]} params
 * @property {number} result
 * @property {string} feature
 * @property {boolean} traps      can trap on some operands (division, truncation)
 */

/** @type {NumericOp[]} */
const NUMERIC = [];

/**
 * @param {string} name
 * @param {number | number[]} code
 * @param {number[]} params
 * @param {number} result
 * @param {string} [feature]
 * @param {boolean} [traps]
 */
function add(name, code, params, result, feature = 'mvp', traps = false) {
  NUMERIC.push({ name, code: typeof code === 'number' ? [code] : code, params, result, feature, traps });
}

/**
 * A run of consecutive opcodes sharing a signature, e.g. the ten i32
 * comparisons 0x46..0x4f.
 * @param {number} first
 * @param {string[]} names
 * @param {number[]} params
 * @param {number} result
 * @param {readonly string[]} [trapping]
 */
function run(first, names, params, result, trapping = []) {
  names.forEach((name, i) => add(name, first + i, params, result, 'mvp', trapping.includes(name)));
}

const integerCompare = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
const floatCompare = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
const integerBinary = ['add', 'sub', 'mul', 'div_s', 'div_u', 'rem_s', 'rem_u', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr'];
const integerTrapping = ['div_s', 'div_u', 'rem_s', 'rem_u'].flatMap((n) => [`i32.${n}`, `i64.${n}`]);
const floatUnary = ['abs', 'neg', 'ceil', 'floor', 'trunc', 'nearest', 'sqrt'];
const floatBinary = ['add', 'sub', 'mul', 'div', 'min', 'max', 'copysign'];

/** @param {string} prefix @param {string[]} names */
const prefixed = (prefix, names) => names.map((n) => `${prefix}.${n}`);

add('i32.eqz', 0x45, [I32], I32);
run(0x46, prefixed('i32', integerCompare), [I32, I32], I32);
add('i64.eqz', 0x50, [I64], I32);
run(0x51, prefixed('i64', integerCompare), [I64, I64], I32);
run(0x5b, prefixed('f32', floatCompare), [F32, F32], I32);
run(0x61, prefixed('f64', floatCompare), [F64, F64], I32);
run(0x67, ['i32.clz', 'i32.ctz', 'i32.popcnt'], [I32], I32);
run(0x6a, prefixed('i32', integerBinary), [I32, I32], I32, integerTrapping);
run(0x79, ['i64.clz', 'i64.ctz', 'i64.popcnt'], [I64], I64);
run(0x7c, prefixed('i64', integerBinary), [I64, I64], I64, integerTrapping);
run(0x8b, prefixed('f32', floatUnary), [F32], F32);
run(0x92, prefixed('f32', floatBinary), [F32, F32], F32);
run(0x99, prefixed('f64', floatUnary), [F64], F64);
run(0xa0, prefixed('f64', floatBinary), [F64, F64], F64);

add('i32.wrap_i64', 0xa7, [I64], I32);
add('i32.trunc_f32_s', 0xa8, [F32], I32, 'mvp', true);
add('i32.trunc_f32_u', 0xa9, [F32], I32, 'mvp', true);
add('i32.trunc_f64_s', 0xaa, [F64], I32, 'mvp', true);
add('i32.trunc_f64_u', 0xab, [F64], I32, 'mvp', true);
add('i64.extend_i32_s', 0xac, [I32], I64);
add('i64.extend_i32_u', 0xad, [I32], I64);
add('i64.trunc_f32_s', 0xae, [F32], I64, 'mvp', true);
add('i64.trunc_f32_u', 0xaf, [F32], I64, 'mvp', true);
add('i64.trunc_f64_s', 0xb0, [F64], I64, 'mvp', true);
add('i64.trunc_f64_u', 0xb1, [F64], I64, 'mvp', true);
add('f32.convert_i32_s', 0xb2, [I32], F32);
add('f32.convert_i32_u', 0xb3, [I32], F32);
add('f32.convert_i64_s', 0xb4, [I64], F32);
add('f32.convert_i64_u', 0xb5, [I64], F32);
add('f32.demote_f64', 0xb6, [F64], F32);
add('f64.convert_i32_s', 0xb7, [I32], F64);
add('f64.convert_i32_u', 0xb8, [I32], F64);
add('f64.convert_i64_s', 0xb9, [I64], F64);
add('f64.convert_i64_u', 0xba, [I64], F64);
add('f64.promote_f32', 0xbb, [F32], F64);
add('i32.reinterpret_f32', 0xbc, [F32], I32);
add('i64.reinterpret_f64', 0xbd, [F64], I64);
add('f32.reinterpret_i32', 0xbe, [I32], F32);
add('f64.reinterpret_i64', 0xbf, [I64], F64);

add('i32.extend8_s', 0xc0, [I32], I32, 'sign-ext');
add('i32.extend16_s', 0xc1, [I32], I32, 'sign-ext');
add('i64.extend8_s', 0xc2, [I64], I64, 'sign-ext');
add('i64.extend16_s', 0xc3, [I64], I64, 'sign-ext');
add('i64.extend32_s', 0xc4, [I64], I64, 'sign-ext');

const saturating = [
  ['i32.trunc_sat_f32_s', F32, I32], ['i32.trunc_sat_f32_u', F32, I32],
  ['i32.trunc_sat_f64_s', F64, I32], ['i32.trunc_sat_f64_u', F64, I32],
  ['i64.trunc_sat_f32_s', F32, I64], ['i64.trunc_sat_f32_u', F32, I64],
  ['i64.trunc_sat_f64_s', F64, I64], ['i64.trunc_sat_f64_u', F64, I64],
];
saturating.forEach(([name, from, to], i) => add(/** @type {string} */ (name), [0xfc, i], [/** @type {number} */ (from)], /** @type {number} */ (to), 'nontrapping-float-to-int'));

/**
 * @typedef {object} MemoryOp
 * @property {string} name
 * @property {number} code
 * @property {number} type       the value loaded or stored
 * @property {number} size       bytes accessed
 * @property {string} feature
 */

/** @type {MemoryOp[]} */
const LOADS = [
  ['i32.load', 0x28, I32, 4], ['i64.load', 0x29, I64, 8], ['f32.load', 0x2a, F32, 4], ['f64.load', 0x2b, F64, 8],
  ['i32.load8_s', 0x2c, I32, 1], ['i32.load8_u', 0x2d, I32, 1], ['i32.load16_s', 0x2e, I32, 2], ['i32.load16_u', 0x2f, I32, 2],
  ['i64.load8_s', 0x30, I64, 1], ['i64.load8_u', 0x31, I64, 1], ['i64.load16_s', 0x32, I64, 2], ['i64.load16_u', 0x33, I64, 2],
  ['i64.load32_s', 0x34, I64, 4], ['i64.load32_u', 0x35, I64, 4],
].map(([name, code, type, size]) => ({ name: /** @type {string} */ (name), code: /** @type {number} */ (code), type: /** @type {number} */ (type), size: /** @type {number} */ (size), feature: 'mvp' }));

/** @type {MemoryOp[]} */
const STORES = [
  ['i32.store', 0x36, I32, 4], ['i64.store', 0x37, I64, 8], ['f32.store', 0x38, F32, 4], ['f64.store', 0x39, F64, 8],
  ['i32.store8', 0x3a, I32, 1], ['i32.store16', 0x3b, I32, 2],
  ['i64.store8', 0x3c, I64, 1], ['i64.store16', 0x3d, I64, 2], ['i64.store32', 0x3e, I64, 4],
].map(([name, code, type, size]) => ({ name: /** @type {string} */ (name), code: /** @type {number} */ (code), type: /** @type {number} */ (type), size: /** @type {number} */ (size), feature: 'mvp' }));

/** Opcodes the body generator writes directly. */
export const Op = {
  unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b,
  br: 0x0c, br_if: 0x0d, br_table: 0x0e, return: 0x0f, call: 0x10, call_indirect: 0x11, return_call: 0x12, return_call_indirect: 0x13,
  drop: 0x1a, select: 0x1b, select_typed: 0x1c,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22, global_get: 0x23, global_set: 0x24,
  table_get: 0x25, table_set: 0x26, memory_size: 0x3f, memory_grow: 0x40,
  i32_const: 0x41, i64_const: 0x42, f32_const: 0x43, f64_const: 0x44,
  i32_eqz: 0x45, i32_gt_s: 0x4a, i32_sub: 0x6b, i32_add: 0x6a, i32_mul: 0x6c, i32_and: 0x71,
  ref_null: 0xd0, ref_is_null: 0xd1, ref_func: 0xd2,
  prefix: 0xfc,
};

/** Sub-opcodes after the 0xfc prefix (bulk memory and tables). */
export const Prefixed = {
  memory_init: 8, data_drop: 9, memory_copy: 10, memory_fill: 11,
  table_init: 12, elem_drop: 13, table_copy: 14, table_grow: 15, table_size: 16, table_fill: 17,
};

/**
 * The instruction tables restricted to a feature set, indexed the ways the
 * body generator asks: by result type, by (operand, result) for
 * conversions, binary operations that keep their type.
 */
export class InstructionSet {
  /** @param {Set<string>} features */
  constructor(features) {
    this.features = features;
    this.numeric = NUMERIC.filter((op) => features.has(op.feature));
    this.loads = LOADS.filter((op) => features.has(op.feature));
    this.stores = STORES.filter((op) => features.has(op.feature));
    /** @type {NumericOp[][]} one operand, by result type */
    this.unaryByResult = Array.from({ length: SLOT_COUNT }, () => []);
    /** @type {NumericOp[][]} two operands, by result type */
    this.binaryByResult = Array.from({ length: SLOT_COUNT }, () => []);
    /** @type {NumericOp[][]} unary operations from slot a to slot b at [a * SLOT_COUNT + b] */
    this.unary = Array.from({ length: SLOT_COUNT * SLOT_COUNT }, () => []);
    /** @type {NumericOp[][]} [t, t] -> t */
    this.sameBinary = Array.from({ length: SLOT_COUNT }, () => []);
    /** @type {MemoryOp[][]} */
    this.loadsByType = Array.from({ length: SLOT_COUNT }, () => []);
    /** @type {MemoryOp[][]} */
    this.storesByType = Array.from({ length: SLOT_COUNT }, () => []);
    for (const op of this.numeric) {
      (op.params.length === 1 ? this.unaryByResult : this.binaryByResult)[SLOT[op.result]].push(op);
      if (op.params.length === 1) this.unary[SLOT[op.params[0]] * SLOT_COUNT + SLOT[op.result]].push(op);
      if (op.params.length === 2 && op.params[0] === op.result && op.params[1] === op.result) this.sameBinary[SLOT[op.result]].push(op);
    }
    for (const op of this.loads) this.loadsByType[SLOT[op.type]].push(op);
    for (const op of this.stores) this.storesByType[SLOT[op.type]].push(op);
  }

  /**
   * Conversions from one type to another.
   * @param {number} from
   * @param {number} to
   */
  conversions(from, to) {
    return this.unary[SLOT[from] * SLOT_COUNT + SLOT[to]];
  }
}

/** @type {Map<string, InstructionSet>} */
const cache = new Map();

/**
 * One InstructionSet per distinct feature set, built once: the fuzzer
 * generates thousands of modules with the same features.
 * @param {Set<string>} features
 */
export function instructionSet(features) {
  const key = [...features].sort().join(',');
  let set = cache.get(key);
  if (!set) {
    set = new InstructionSet(features);
    cache.set(key, set);
  }
  return set;
}

/** log2 of an access size: the natural (maximum) alignment exponent (sizes 1 to 16). */
export const NATURAL_ALIGN = [0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4];
