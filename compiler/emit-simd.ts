// Code generation for v128 (fixed-width and relaxed SIMD).
//
// A v128 value is four i32 words, each a JS number like any i32: word k
// holds bytes 4k..4k+3 of the vector, little-endian (runtime/simd.ts draws
// the lane layout). The function emitter (emit-func.ts) treats each word as
// a stack entry of type V128, so a v128 local is four JS locals, a v128
// param four JS params, a v128 result four results, and blocks, branches,
// calls, select and drop move words like any other values; only the
// instructions here see the lanes.
//
// Chosen by measurement (scratch micro-benchmarks, 2026-11): plain int32
// words beat small typed arrays and per-function typed-array frames for
// integer lanes, by far under --jitless. f32 lanes are floats wherever
// arithmetic made them and arithmetic reads them (pending, settled, in
// float locals: ROUNDED, floatLocals); elsewhere a one-element
// Float32Array turns bits into a float and back.
//
// Three forms of lowering:
// - word-wise: output word k is an expression of word k of each operand
//   (bitwise ops, i32x4 and f32x4 arithmetic, i8x16/i16x8 adds as SWAR
//   arithmetic, or a runtime word helper such as `i8x16_min_u(a, b)`).
//   The four words stay lazy entries and fold into what consumes them.
// - cross-lane: words built from other words of the operands (shuffles,
//   extends, narrows, splats). Their operands are read more than once, so
//   they are first settled into variables, and the results are written to
//   temporaries above the stack (so that no word reads a variable below its
//   own depth, the emitter's invariant).
// - vector helpers (i64x2 and f64x2 arithmetic, 64-bit products): a call
//   that writes four words to `simdOut`, read into temporaries right after.
//
// The expression builders over words are in emit-simd-words.ts, the f32
// lanes kept as floats in emit-simd-float.ts.

import { F32_LOAD_FOR_ARITHMETIC, global as builtin, literalU32, u32 } from './emit-ops.js';
import {
  H16, H8, L16, L8, LANES16, and, bin, byteS, byteU, constWordValues, demand, halfS, halfU, halves, i32, isLiteral, isSimple,
  isStackVariable, lanesOf, literalI32, mask, not, num, or, packLanes, possibleBits, readsAny, shiftLanes, shl, shrS, shrU,
  times, withLanes, xor,
} from './emit-simd-words.js';
import { exactFloat, floatOperand, noteFloatRead, roundedWord, storedFloat } from './emit-simd-float.js';
import { Instr, ValType } from './ir.js';
import { OPS } from './opcodes.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

/** An operand stack entry, opaque here. */
export type SimdEntry = object;

/** Operands of one instruction: per parameter its words (4 for v128, 1 for a scalar) and their entries. */
export interface SimdOperands {
  values: JsNode[][];
  entries: SimdEntry[][];
}

/** What the function emitter offers the SIMD lowering. */
export interface SimdHost {
  helper(name: string): JsNode;
  /**
   * Pops the operands of `params`. With `reuse`, each word that is not a
   * constant or a variable is settled into its stack variable first, so it
   * can be read more than once; with 'reads', each that reads memory (for
   * stores, which must not run before any of their operands' reads).
   * Entries with an effect other than a memory read are always settled.
   */
  operands(params: readonly ValType[], reuse: boolean | 'reads'): SimdOperands;
  /** The expression of the operand `fromTop` entries below the top (0: the top). */
  peek(fromTop: number): JsNode;
  /** Pushes one v128 as four word entries computed from `from`, with extra flags (memory reads). */
  pushWord(expr: JsNode, from: readonly SimdEntry[], flags?: number): void;
  pushScalar(type: ValType, expr: JsNode, from: readonly SimdEntry[], isBool?: boolean): void;
  /**
   * Writes the expressions, in order and nothing between, to fresh
   * variables above the stack; returns them. Pending effects below go
   * first (the expressions may read memory or globals, or trap) unless
   * `from` says the expressions are pure operations on these entries only.
   */
  temporaries(exprs: JsNode[], type: ValType, from?: readonly SimdEntry[]): JsNode[];
  /** A read of memory `memory` by the scalar load `op` (e.g. `i32.load`) at `address`. */
  memoryLoad(address: JsNode, op: string, memory: number): JsNode;
  /** Settles what a store must not overtake. */
  beforeStore(): void;
  /** A store statement to memory `memory` by DataView `method`. */
  memoryStore(method: string, address: JsNode, value: JsNode, memory: number): void;
  /** Flags of a memory read, for pushWord. */
  readonly memoryReadFlags: number;
  /** An address operand of memory `memory` as an unsigned Number (an i32 `>>> 0`, a memory64 i64 through addr64). */
  addressNumber(base: JsNode, memory: number): JsNode;
  /** Whether memory `memory` is a memory64 one. */
  memory64(memory: number): boolean;
}

/** The i16x8 operations done lane by lane when an operand has known lanes. */
const LANE_OPS16: Record<string, (a: JsNode, b: JsNode) => JsNode> = {
  'i16x8.add': (a, b) => bin('+', a, b),
  'i16x8.sub': (a, b) => bin('-', a, b),
  'i16x8.mul': (a, b) => js.call(builtin('Math', 'imul'), [a, b]),
};

/** i16x8 add, sub or mul lane by lane, when some operand word has known lanes; false when none has. */
function laneArithmetic16(l: Lowering, name: string): boolean {
  const op = LANE_OPS16[name];
  let known = 0;
  for (let i = 0; i < 8; i++) {
    const word = l.host.peek(i);
    if (LANES16.has(word)) known++;
    else if (literalI32(word) !== undefined) continue;
    else if (!isSimple(word)) known = -8;
  }
  if (known <= 0) return false;
  // Words without lanes are read twice; those with lanes once, lane by lane.
  const ops = l.host.operands([ValType.V128, ValType.V128], false);
  const [a, b] = ops.values;
  for (let k = 0; k < 4; k++) {
    const [a0, a1] = lanesOf(a[k]);
    const [b0, b1] = lanesOf(b[k]);
    l.host.pushWord(packLanes(op(a0, b0), op(a1, b1)), [ops.entries[0][k], ops.entries[1][k]]);
  }
  return true;
}

/** Everything one lowering needs: the host and the builtins and helpers it names. */
class Lowering {
  /** Variables written by temporaries(): above the stack, so any word may read them. */
  private readonly fresh = new WeakSet<JsNode>();
  constructor(readonly host: SimdHost) {}
  temporaries(exprs: JsNode[], type = ValType.V128, from?: readonly SimdEntry[]): JsNode[] {
    const vars = this.host.temporaries(exprs, type, from);
    for (const v of vars) this.fresh.add(v);
    return vars;
  }
  /**
   * Pushes result words that may read any operand word. Result word k lands
   * at the depth of operand word k; one that reads a stack variable of an
   * earlier operand word (below its own depth) goes to a temporary first.
   * `operands` are the operand words in stack order.
   */
  pushCross(words: JsNode[], operands: readonly JsNode[], from: readonly SimdEntry[]): void {
    const needsMove = words.map((word, k) => !isLiteral(word) && !this.fresh.has(word) && readsAny(word, operands.slice(0, k).filter(isStackVariable)));
    const moved = this.temporaries(words.filter((_, k) => needsMove[k]), ValType.V128, from);
    let next = 0;
    words.forEach((word, k) => this.host.pushWord(needsMove[k] ? moved[next++] : word, from));
  }
  h(name: string): JsNode {
    return this.host.helper(name);
  }
  /**
   * Word w as an f32, for arithmetic and comparisons only (a signalling NaN
   * comes out quiet, and a NaN's payload may change, as arithmetic allows).
   * The word of a result not yet stored is that result rounded, `fround(x)`,
   * without the trip through the scratch array.
   */
  f32(w: JsNode): JsNode {
    return floatOperand(w) ?? js.seq([js.assign(js.index(this.h('simdI32'), num(0)), w), js.index(this.h('simdF32'), num(0))]);
  }
  /** The bits of x rounded to f32. */
  bits(x: JsNode): JsNode {
    return roundedWord((name) => this.h(name), x);
  }
  math(name: string, ...args: JsNode[]): JsNode {
    return js.call(builtin('Math', name), args);
  }
}

/** Word k of the result from word k of each operand (a scalar operand is the same in every word). */
type WordOp = (l: Lowering, a: JsNode, b: JsNode, c: JsNode, k: number) => JsNode;

/** Word-wise operations: [reads an operand word more than once, word k of the result]. */
const WORDWISE = new Map<string, [boolean, WordOp]>();
function wordwise(names: string, reuse: boolean, op: WordOp): void {
  for (const name of names.split(' ')) WORDWISE.set(name, [reuse, op]);
}

wordwise('v128.not', false, (_, a) => not(a));
wordwise('v128.and', false, (_, a, b) => and(a, b));
wordwise('v128.or', false, (_, a, b) => or(a, b));
wordwise('v128.xor', false, (_, a, b) => xor(a, b));
wordwise('v128.andnot', false, (_, a, b) => and(a, not(b)));
wordwise('v128.bitselect i8x16.relaxed_laneselect i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect', true,
  (_, a, b, c) => or(and(a, c), and(b, not(c))));
// SWAR: the low 7 (15) bits of each lane add without carrying into the
// next lane; the top bit is the xor of the operands' top bits and that carry.
wordwise('i8x16.add', true, (_, a, b) => xor(bin('+', and(a, num(L8)), and(b, num(L8))), and(xor(a, b), num(H8))));
wordwise('i16x8.add', true, (_, a, b) => xor(bin('+', and(a, num(L16)), and(b, num(L16))), and(xor(a, b), num(H16))));
// Each lane of `a | H` minus a lane below 0x80 (0x8000) cannot borrow from the next lane.
wordwise('i8x16.sub', true, (_, a, b) => xor(bin('-', or(a, num(H8)), and(b, num(L8))), and(xor(a, not(b)), num(H8))));
wordwise('i16x8.sub', true, (_, a, b) => xor(bin('-', or(a, num(H16)), and(b, num(L16))), and(xor(a, not(b)), num(H16))));
wordwise('i8x16.neg', true, (_, a) => xor(bin('-', num(H8), and(a, num(L8))), and(not(a), num(H8))));
wordwise('i16x8.neg', true, (_, a) => xor(bin('-', num(H16), and(a, num(L16))), and(not(a), num(H16))));
wordwise('i16x8.mul', true, (l, a, b) => or(and(l.math('imul', a, b), num(0xffff)), shl(l.math('imul', shrU(a, 16), shrU(b, 16)), 16)));
wordwise('i32x4.add', false, (_, a, b) => i32(bin('+', a, b)));
wordwise('i32x4.sub', false, (_, a, b) => i32(bin('-', a, b)));
wordwise('i32x4.mul', false, (l, a, b) => l.math('imul', a, b));
wordwise('i32x4.neg', false, (_, a) => i32(js.un('-', a)));
wordwise('i32x4.abs', true, (_, a) => js.cond(bin('<', a, num(0)), i32(js.un('-', a)), a));
wordwise('i32x4.min_s', true, (_, a, b) => js.cond(bin('<', a, b), a, b));
wordwise('i32x4.max_s', true, (_, a, b) => js.cond(bin('>', a, b), a, b));
wordwise('i32x4.min_u', true, (_, a, b) => js.cond(bin('<', u32(a), u32(b)), a, b));
wordwise('i32x4.max_u', true, (_, a, b) => js.cond(bin('>', u32(a), u32(b)), a, b));
for (const [suffix, operator] of [['eq', '==='], ['ne', '!=='], ['lt', '<'], ['gt', '>'], ['le', '<='], ['ge', '>=']]) {
  const signed = suffix === 'eq' || suffix === 'ne' ? suffix : `${suffix}_s`;
  wordwise(`i32x4.${signed}`, false, (_, a, b) => mask(bin(operator, a, b)));
  if (signed !== suffix) wordwise(`i32x4.${suffix}_u`, false, (_, a, b) => mask(bin(operator, u32(a), u32(b))));
  wordwise(`f32x4.${suffix}`, false, (l, a, b) => mask(bin(operator, l.f32(a), l.f32(b))));
}
wordwise('i32x4.dot_i16x8_s', true, (_, a, b) => i32(bin('+', times(halfS(a, 0), halfS(b, 0)), times(halfS(a, 1), halfS(b, 1)))));
wordwise('i32x4.extadd_pairwise_i16x8_s', true, (_, a) => bin('+', halfS(a, 0), halfS(a, 1)));
wordwise('i32x4.extadd_pairwise_i16x8_u', true, (_, a) => bin('+', halfU(a, 0), halfU(a, 1)));
wordwise('i16x8.extadd_pairwise_i8x16_s', true, (_, a) => halves(bin('+', byteS(a, 0), byteS(a, 1)), bin('+', byteS(a, 2), byteS(a, 3))));
wordwise('i16x8.extadd_pairwise_i8x16_u', true, (_, a) => halves(bin('+', byteU(a, 0), byteU(a, 1)), bin('+', byteU(a, 2), byteU(a, 3))));
// Relaxed dot products: the second operand read as signed bytes, products summed exactly.
const bytePair = (a: JsNode, b: JsNode, j: number): JsNode =>
  bin('+', times(byteS(a, j), byteS(b, j)), times(byteS(a, j + 1), byteS(b, j + 1)));
wordwise('i16x8.relaxed_dot_i8x16_i7x16_s', true, (_, a, b) => halves(bytePair(a, b, 0), bytePair(a, b, 2)));
wordwise('i32x4.relaxed_dot_i8x16_i7x16_add_s', true, (_, a, b, c) => i32(bin('+', bin('+', bytePair(a, b, 0), bytePair(a, b, 2)), c)));

// f32x4: through the scratch Float32Array, which rounds each result to f32.
for (const [name, operator] of [['add', '+'], ['sub', '-'], ['mul', '*'], ['div', '/']]) {
  wordwise(`f32x4.${name}`, false, (l, a, b) => l.bits(bin(operator, l.f32(a), l.f32(b))));
}
for (const name of ['min', 'max']) {
  wordwise(`f32x4.${name} f32x4.relaxed_${name}`, false, (l, a, b) => l.bits(l.math(name, l.f32(a), l.f32(b))));
}
for (const name of ['sqrt', 'ceil', 'floor', 'trunc']) wordwise(`f32x4.${name}`, false, (l, a) => l.bits(l.math(name, l.f32(a))));
wordwise('f32x4.nearest', false, (l, a) => l.bits(js.call(l.h('fNearest'), [l.f32(a)])));
wordwise('f32x4.abs', false, (_, a) => and(a, num(0x7fffffff)));
wordwise('f32x4.neg', false, (_, a) => xor(a, num(-0x80000000)));
// pmin/pmax pick an operand, bits and all.
wordwise('f32x4.pmin', true, (l, a, b) => js.cond(bin('<', l.f32(b), l.f32(a)), b, a));
wordwise('f32x4.pmax', true, (l, a, b) => js.cond(bin('<', l.f32(a), l.f32(b)), b, a));
wordwise('f32x4.convert_i32x4_s', false, (l, a) => l.bits(a));
wordwise('f32x4.convert_i32x4_u', false, (l, a) => l.bits(u32(a)));
wordwise('i32x4.trunc_sat_f32x4_s i32x4.relaxed_trunc_f32x4_s', false, (l, a) => js.call(l.h('truncSatS32'), [l.f32(a)]));
wordwise('i32x4.trunc_sat_f32x4_u i32x4.relaxed_trunc_f32x4_u', false, (l, a) => js.call(l.h('truncSatU32'), [l.f32(a)]));
// relaxed_madd rounds the product, then the sum: never fused.
wordwise('f32x4.relaxed_madd', false, (l, a, b, c) => l.bits(bin('+', l.math('fround', bin('*', l.f32(a), l.f32(b))), l.f32(c))));
wordwise('f32x4.relaxed_nmadd', false, (l, a, b, c) => l.bits(bin('+', l.math('fround', js.un('-', bin('*', l.f32(a), l.f32(b)))), l.f32(c))));
// f64x2 sign operations touch only the high words.
wordwise('f64x2.abs', false, (_, a, _b, _c, k) => ((k & 1) === 0 ? a : and(a, num(0x7fffffff))));
wordwise('f64x2.neg', false, (_, a, _b, _c, k) => ((k & 1) === 0 ? a : xor(a, num(-0x80000000))));

/** Word helpers of the runtime (runtime/simd.ts), by instruction: `helper(a_k, b_k)`. */
const WORD_HELPERS = new Set<string>();
for (const shape of ['i8x16', 'i16x8']) {
  for (const name of ['add_sat_s', 'add_sat_u', 'sub_sat_s', 'sub_sat_u', 'min_s', 'min_u', 'max_s', 'max_u', 'avgr_u', 'abs',
    'eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u']) WORD_HELPERS.add(`${shape}.${name}`);
}
WORD_HELPERS.add('i8x16.popcnt').add('i16x8.q15mulr_sat_s');
const WORD_HELPER_ALIASES: Record<string, string> = { 'i16x8.relaxed_q15mulr_s': 'i16x8.q15mulr_sat_s' };

/** Vector helpers of the runtime: they write four words to simdOut. */
const VECTOR_HELPERS = new Set<string>([
  ...'add sub mul neg abs shl shr_s shr_u eq ne lt_s gt_s le_s ge_s extmul_low_i32x4_s extmul_high_i32x4_s extmul_low_i32x4_u extmul_high_i32x4_u'
    .split(' ').map((name) => `i64x2.${name}`),
  ...'add sub mul div min max relaxed_min relaxed_max sqrt ceil floor trunc nearest relaxed_madd relaxed_nmadd pmin pmax eq ne lt gt le ge convert_low_i32x4_s convert_low_i32x4_u promote_low_f32x4'
    .split(' ').map((name) => `f64x2.${name}`),
  'f32x4.demote_f64x2_zero', 'i32x4.trunc_sat_f64x2_s_zero', 'i32x4.trunc_sat_f64x2_u_zero',
  'i32x4.relaxed_trunc_f64x2_s_zero', 'i32x4.relaxed_trunc_f64x2_u_zero',
]);

const helperName = (name: string): string => name.replace('.', '_');

/** Emits one SIMD instruction (opcode 0xFD prefix). */
export function emitSimd(host: SimdHost, instr: Instr): void {
  const info = OPS.get(instr.op)!;
  const name = info.name;
  const l = new Lowering(host);
  const params = info.params!;

  if (name in LANE_OPS16 && laneArithmetic16(l, name)) return;
  const wordOp = WORDWISE.get(name);
  if (wordOp !== undefined) {
    const [reuse, op] = wordOp;
    const ops = host.operands(params, reuse);
    const [a, b, c] = ops.values;
    for (let k = 0; k < 4; k++) {
      const word = (values: JsNode[] | undefined): JsNode => values?.[values.length === 1 ? 0 : k] as JsNode;
      host.pushWord(op(l, word(a), word(b), word(c), k), ops.entries.map((entries) => entries[entries.length === 1 ? 0 : k]));
    }
    return;
  }
  const wordHelper = WORD_HELPER_ALIASES[name] ?? name;
  if (WORD_HELPERS.has(wordHelper)) {
    const ops = host.operands(params, false);
    const helper = l.h(helperName(wordHelper));
    for (let k = 0; k < 4; k++) host.pushWord(js.call(helper, ops.values.map((words) => words[k])), ops.entries.map((entries) => entries[k]));
    return;
  }
  if (VECTOR_HELPERS.has(name)) return vectorHelper(l, name, params);
  if (name.startsWith('v128.load') || name.startsWith('v128.store')) return memory(l, instr, name);
  if (name.includes('.shl') || name.includes('.shr_')) return shift(l, name);
  if (name.includes('.narrow_')) return narrow(l, name);
  crossLane(l, instr, name);
}

/** A vector helper: the call, then its four words from simdOut into temporaries. */
function vectorHelper(l: Lowering, name: string, params: readonly ValType[]): void {
  const ops = l.host.operands(params, true);
  const out = l.h('simdOut');
  const call = js.call(l.h(helperName(name)), ops.values.flat());
  const words = l.temporaries([0, 1, 2, 3].map((k) => {
    const read = js.index(out, num(k));
    return k === 0 ? js.seq([call, read]) : read;
  }));
  for (const word of words) l.host.pushWord(word, []);
}

/** Shifts: by a constant, inline per word; by a variable, i8/i16 through word helpers. */
function shift(l: Lowering, name: string): void {
  const [shape, op] = name.split('.');
  if (shape === 'i64x2') return vectorHelper(l, name, [ValType.V128, ValType.I32]);
  const laneBits = shape === 'i8x16' ? 8 : shape === 'i16x8' ? 16 : 32;
  // By a constant, most shifts read each word once and need nothing settled.
  const known = literalU32(l.host.peek(0));
  const readsOnce = known !== undefined && (laneBits === 32 || op !== 'shr_s' || (known & (laneBits - 1)) === 0);
  const ops = l.host.operands([ValType.V128, ValType.I32], !readsOnce);
  const [a, [count]] = ops.values;
  const constant = literalU32(count);
  for (let k = 0; k < 4; k++) {
    const from = [ops.entries[0][k], ops.entries[1][0]];
    const w = a[k];
    if (laneBits === 32) {
      const operator = op === 'shl' ? '<<' : op === 'shr_s' ? '>>' : '>>>';
      // By a constant k, the word's bits that are shifted out do not matter.
      const needed = constant === undefined ? w : demand(w, op === 'shl' ? -1 >>> (constant & 31) : -1 << (constant & 31));
      const shifted = bin(operator, needed, constant === undefined ? count : num(constant & 31));
      l.host.pushWord(op === 'shr_u' && (constant === undefined || (constant & 31) === 0) ? i32(shifted) : shifted, from);
    } else if (constant === undefined) {
      l.host.pushWord(js.call(l.h(helperName(name)), [w, count]), from);
    } else {
      const word = constantShift(w, op, constant & (laneBits - 1), laneBits);
      if (laneBits === 16 && (LANES16.has(w) || isSimple(w))) shiftLanes(word, lanesOf(w), op, constant & 15);
      l.host.pushWord(word, from);
    }
  }
}

/** One word of an i8x16/i16x8 shift by k (below the lane width). */
function constantShift(w: JsNode, op: string, k: number, laneBits: number): JsNode {
  const lane = laneBits === 8 ? 0xff : 0xffff;
  const repeat = laneBits === 8 ? 0x01010101 : 0x10001;
  if (k === 0) return w;
  if (op === 'shl') return and(shl(w, k), num(((lane << k) & lane) * repeat | 0));
  if (op === 'shr_u') return and(shrU(w, k), num((lane >>> k) * repeat | 0));
  if (laneBits === 16) return or(and(shrS(w, k), num(-0x10000)), and(shrS(shl(w, 16), 16 + k), num(0xffff)));
  let word: JsNode | null = null;
  for (let j = 0; j < 4; j++) {
    const byte = shl(and(shrS(shl(w, 24 - 8 * j), 24 + k), num(255)), 8 * j);
    word = word === null ? byte : or(word, byte);
  }
  return word!;
}

/** The four words of a v128.const (or shuffle mask) from its bytes. */
function constWords(bytes: Uint8Array): JsNode[] {
  return constWordValues(bytes).map(num);
}

/** Instructions whose result words read several operand words. */
function crossLane(l: Lowering, instr: Instr, name: string): void {
  const host = l.host;
  const info = OPS.get(instr.op)!;
  if (name === 'v128.const') {
    for (const word of constWords(instr.v128!)) host.pushWord(word, []);
    return;
  }
  // A lane extraction reads one word once; the others are dropped, after
  // their memory reads.
  const ops = host.operands(info.params!, name.includes('extract_lane') ? 'reads' : true);
  const all = ops.entries.flat();
  const [a, b] = ops.values;
  const lane = instr.index;
  const operandWords = ops.values.flat();
  const push = (words: JsNode[]): void => l.pushCross(words, operandWords, all);
  const [shape, op] = name.split('.');
  switch (name) {
    case 'i8x16.shuffle': return push(shuffle(a, b, instr.v128!));
    case 'i8x16.swizzle':
    case 'i8x16.relaxed_swizzle': return push(b.map((index) => js.call(l.h('simdSwizzle'), [...a, index])));
    case 'v128.any_true': return host.pushScalar(ValType.I32, bin('!==', or(or(a[0], a[1]), or(a[2], a[3])), num(0)), all, true);
  }
  switch (op) {
    case 'splat': return push(splat(l, shape, a[0]));
    case 'extract_lane_s':
    case 'extract_lane_u':
    case 'extract_lane': return extractLane(l, shape, op, a, lane, all);
    case 'replace_lane': return push(replaceLane(l, shape, a, b[0], lane));
    case 'all_true': return host.pushScalar(ValType.I32, allTrue(l, shape, a), all, shape !== 'i8x16' && shape !== 'i16x8');
    case 'bitmask': return host.pushScalar(ValType.I32, bitmask(l, shape, a), all);
  }
  if (op.startsWith('extend_')) return push(extend(shape, op, a));
  if (op.startsWith('extmul_')) return push(extmul(l, shape, op, a, b));
  throw new Error(`emit: no code generation for ${name}`);
}

/**
 * i8x16.shuffle, a word at a time: the output bytes that come from the same
 * source word moved by the same distance are one shift and one mask
 * (`a << 16 & 0xff0000`), a whole word that moves is itself.
 */
function shuffle(a: JsNode[], b: JsNode[], lanes: Uint8Array): JsNode[] {
  const source = [...a, ...b];
  const words: JsNode[] = [];
  for (let k = 0; k < 4; k++) {
    const index = lanes[4 * k];
    if (lanes[4 * k + 1] === index && lanes[4 * k + 2] === index && lanes[4 * k + 3] === index) {
      // One byte four times (an alpha broadcast).
      words.push(js.call(builtin('Math', 'imul'), [byteU(source[index >> 2], index & 3), num(0x01010101)]));
      continue;
    }
    // (source word, shift in bytes, left is positive) -> mask of output bytes
    const groups = new Map<string, { word: number; shift: number; mask: number }>();
    for (let j = 0; j < 4; j++) {
      const index = lanes[4 * k + j];
      const key = `${index >> 2},${j - (index & 3)}`;
      const group = groups.get(key) ?? { word: index >> 2, shift: j - (index & 3), mask: 0 };
      group.mask |= 0xff << (8 * j);
      groups.set(key, group);
    }
    let word: JsNode | null = null;
    for (const { word: from, shift, mask } of groups.values()) {
      const moved = shift >= 0 ? shl(source[from], 8 * shift) : shrU(source[from], -8 * shift);
      // The mask is needed unless the shift already cleared every other bit.
      const cleared = shift >= 0 ? (-1 << (8 * shift)) : (-1 >>> (-8 * shift));
      const part = (cleared & ~mask) === 0 ? moved : and(moved, num(mask | 0));
      word = word === null ? part : or(word, part);
    }
    words.push(word!);
  }
  return words;
}

function splat(l: Lowering, shape: string, x: JsNode): JsNode[] {
  let word: JsNode;
  switch (shape) {
    case 'i8x16': word = i32(bin('*', and(x, num(255)), num(0x01010101))); break;
    case 'i16x8': word = i32(bin('*', and(x, num(0xffff)), num(0x10001))); break;
    case 'i32x4': word = x; break;
    case 'f32x4': word = js.call(l.h('i32ReinterpretF32'), [x]); break;
    default: {
      const [low, high] = l.temporaries(split64(l, shape, x));
      return [low, high, low, high];
    }
  }
  return repeat(isLiteral(word) ? word : l.temporaries([word])[0]);
}

/** Four copies of a word, computed once. */
function repeat(word: JsNode): JsNode[] {
  return [word, word, word, word];
}

/** The low and high words of an i64 or f64 scalar, to be read in this order with nothing between. */
function split64(l: Lowering, shape: string, x: JsNode): JsNode[] {
  const store = shape === 'i64x2' ? 'i64Bits' : 'f64Bits';
  return [js.seq([js.assign(js.index(l.h(store), num(0)), x), js.index(l.h('lowBits'), num(0))]), js.index(l.h('highBits'), num(0))];
}

/** The scalar of words lo, hi as an i64 or f64, in one expression. */
function join64(l: Lowering, shape: string, lo: JsNode, hi: JsNode): JsNode {
  const load = shape === 'i64x2' ? 'i64Bits' : 'f64Bits';
  return js.seq([js.assign(js.index(l.h('lowBits'), num(0)), lo), js.assign(js.index(l.h('highBits'), num(0)), hi), js.index(l.h(load), num(0))]);
}

function extractLane(l: Lowering, shape: string, op: string, a: JsNode[], lane: number, from: SimdEntry[]): void {
  const signed = op === 'extract_lane_s';
  switch (shape) {
    case 'i8x16': {
      const w = a[lane >> 2];
      return l.host.pushScalar(ValType.I32, signed ? byteS(w, lane & 3) : byteU(w, lane & 3), from);
    }
    case 'i16x8': {
      const w = a[lane >> 1];
      return l.host.pushScalar(ValType.I32, signed ? halfS(w, lane & 1) : halfU(w, lane & 1), from);
    }
    case 'i32x4': return l.host.pushScalar(ValType.I32, a[lane], from);
    // An f32 that arithmetic made is that f32, its bits read or not.
    case 'f32x4': return l.host.pushScalar(ValType.F32, exactFloat(a[lane]) ?? js.call(l.h('f32ReinterpretI32'), [a[lane]]), from);
  }
  l.host.pushScalar(shape === 'i64x2' ? ValType.I64 : ValType.F64, join64(l, shape, a[2 * lane], a[2 * lane + 1]), from);
}

function replaceLane(l: Lowering, shape: string, a: JsNode[], x: JsNode, lane: number): JsNode[] {
  const words = [...a];
  switch (shape) {
    case 'i8x16': {
      const s = 8 * (lane & 3);
      words[lane >> 2] = or(and(a[lane >> 2], num(~(255 << s))), shl(and(x, num(255)), s));
      return words;
    }
    case 'i16x8': {
      const s = 16 * (lane & 1);
      words[lane >> 1] = or(and(a[lane >> 1], num(~(0xffff << s))), shl(and(x, num(0xffff)), s));
      return words;
    }
    case 'i32x4':
      words[lane] = x;
      return words;
    case 'f32x4':
      words[lane] = js.call(l.h('i32ReinterpretF32'), [x]);
      return words;
  }
  const [low, high] = l.temporaries(split64(l, shape, x));
  words[2 * lane] = low;
  words[2 * lane + 1] = high;
  return words;
}

function allTrue(l: Lowering, shape: string, a: JsNode[]): JsNode {
  if (shape === 'i8x16') return js.call(l.h('simdAllTrue8'), a);
  if (shape === 'i16x8') return js.call(l.h('simdAllTrue16'), a);
  const nonZero = (w: JsNode): JsNode => bin('!==', w, num(0));
  if (shape === 'i32x4') return js.logical('&&', js.logical('&&', nonZero(a[0]), nonZero(a[1])), js.logical('&&', nonZero(a[2]), nonZero(a[3])));
  return js.logical('&&', nonZero(or(a[0], a[1])), nonZero(or(a[2], a[3])));
}

function bitmask(l: Lowering, shape: string, a: JsNode[]): JsNode {
  if (shape === 'i8x16') return js.call(l.h('simdBitmask8'), a);
  const bits: JsNode[] = [];
  if (shape === 'i16x8') {
    a.forEach((w, k) => {
      bits.push(shl(and(shrU(w, 15), num(1)), 2 * k));
      bits.push(shl(shrU(w, 31), 2 * k + 1));
    });
  } else if (shape === 'i32x4') {
    a.forEach((w, k) => bits.push(shl(shrU(w, 31), k)));
  } else {
    bits.push(shrU(a[1], 31), shl(shrU(a[3], 31), 1));
  }
  return bits.reduce(or);
}

/** extend_low/high: each lane widened to twice its bits. */
function extend(shape: string, op: string, a: JsNode[]): JsNode[] {
  const signed = op.endsWith('_s');
  const high = op.startsWith('extend_high') ? 2 : 0;
  const words: JsNode[] = [];
  for (let k = 0; k < 4; k++) {
    if (shape === 'i16x8') {
      const w = a[(k >> 1) + high];
      const j = 2 * (k & 1);
      const byte = signed ? byteS : byteU;
      words.push(withLanes(signed ? halves(byteS(w, j), byteS(w, j + 1)) : or(byteU(w, j), shl(byteU(w, j + 1), 16)), byte(w, j), byte(w, j + 1)));
    } else if (shape === 'i32x4') {
      const w = a[(k >> 1) + high];
      words.push(signed ? halfS(w, k & 1) : halfU(w, k & 1));
    } else {
      const w = a[(k >> 1) + high];
      words.push((k & 1) === 0 ? w : signed ? shrS(w, 31) : num(0));
    }
  }
  return words;
}

/**
 * narrow: two words of wide lanes into one of narrow lanes, saturating.
 * Lanes that already fit (the operands' bits say so, as after a shift
 * right and a mask) are packed with shifts; the others go through the
 * runtime's word helpers.
 */
function narrow(l: Lowering, name: string): void {
  const host = l.host;
  const [shape, op] = name.split('.');
  const signed = op.endsWith('_s');
  const bytes = shape === 'i8x16';
  const outside = bytes ? (signed ? 0xff80ff80 : 0xff00ff00) : signed ? 0xffff8000 : 0xffff0000;
  let fits = true;
  for (let i = 0; i < 8; i++) if ((possibleBits(host.peek(i)) & outside) !== 0) fits = false;
  const ops = host.operands([ValType.V128, ValType.V128], bytes || !fits);
  const source = ops.values.flat();
  const helper = fits ? null : l.h(`narrow${bytes ? 8 : 16}_${signed ? 's' : 'u'}`);
  const words = [0, 1, 2, 3].map((k) => {
    const [low, high] = [source[2 * k], source[2 * k + 1]];
    if (helper !== null) return js.call(helper, [low, high]);
    if (!bytes) return or(low, shl(high, 16));
    return or(or(and(low, num(255)), and(shrU(low, 8), num(0xff00))), or(and(shl(high, 16), num(0xff0000)), and(shl(high, 8), num(0xff000000 | 0))));
  });
  // Word k reads operand words 2k and 2k + 1, at or above its own depth.
  l.pushCross(words, source, ops.entries.flat());
}

/** extmul for i16x8 and i32x4 results (i64x2 is a vector helper). */
function extmul(l: Lowering, shape: string, op: string, a: JsNode[], b: JsNode[]): JsNode[] {
  const signed = op.endsWith('_s');
  const high = op.startsWith('extmul_high') ? 2 : 0;
  const words: JsNode[] = [];
  for (let k = 0; k < 4; k++) {
    const x = a[(k >> 1) + high];
    const y = b[(k >> 1) + high];
    if (shape === 'i16x8') {
      const j = 2 * (k & 1);
      const lane = (i: number): JsNode => times(signed ? byteS(x, i) : byteU(x, i), signed ? byteS(y, i) : byteU(y, i));
      // A product of two u8 fits its 16 bits; a signed one needs the mask.
      words.push(withLanes(signed ? halves(lane(j), lane(j + 1)) : or(lane(j), shl(lane(j + 1), 16)), lane(j), lane(j + 1)));
    } else {
      const half = signed ? halfS : halfU;
      words.push(i32(times(half(x, k & 1), half(y, k & 1))));
    }
  }
  return words;
}

// ---- memory ------------------------------------------------------------------------

/** `u32(base) + offset` (an i32 address), folded for constants. */
function effectiveAddress(base: JsNode, offset: number): JsNode {
  const constant = literalU32(base);
  if (constant !== undefined) return num(constant + offset);
  return offset === 0 ? u32(base) : bin('+', u32(base), num(offset));
}

function memory(l: Lowering, instr: Instr, name: string): void {
  const host = l.host;
  const load = (address: JsNode, op: string): JsNode => host.memoryLoad(address, op, instr.index2);
  const info = OPS.get(instr.op)!;
  // A store of several words must not write before every operand word is
  // read, and a lane access drops words whose reads (and traps) must happen.
  const ops = host.operands(info.params!, name.startsWith('v128.store') || name.endsWith('_lane') ? 'reads' : false);
  const [[base]] = ops.values;
  // The address is read once per word: unless it is a constant or a local,
  // its unsigned value goes to a temporary (above the stack, where every
  // result word may read it).
  const wide = host.memory64(instr.index2);
  const simple = !wide && (isLiteral(base) || (base.type === 'Identifier' && !isStackVariable(base)));
  const unsigned = simple ? null : l.temporaries([host.addressNumber(base, instr.index2)], ValType.F64, ops.entries[0])[0];
  const at = (extra: number): JsNode => {
    const offset = instr.memOffset + extra;
    if (unsigned === null) return effectiveAddress(base, offset);
    return offset === 0 ? unsigned : bin('+', unsigned, num(offset));
  };
  const addressEntries = ops.entries[0];
  const pushLoaded = (words: JsNode[]): void => {
    for (const word of words) host.pushWord(word, addressEntries, isLiteral(word) ? 0 : host.memoryReadFlags);
  };
  const word = (extra: number): JsNode => {
    const loaded = load(at(extra), 'i32.load');
    noteFloatRead(loaded, () => load(at(extra), F32_LOAD_FOR_ARITHMETIC));
    return loaded;
  };
  const op = name.slice('v128.'.length);
  switch (op) {
    case 'load': return pushLoaded([word(0), word(4), word(8), word(12)]);
    case 'load32_zero': return pushLoaded([word(0), num(0), num(0), num(0)]);
    case 'load64_zero': return pushLoaded([word(0), word(4), num(0), num(0)]);
    case 'store': {
      const value = ops.values[1];
      host.beforeStore();
      const store = (method: string, address: JsNode, value: JsNode): void => host.memoryStore(method, address, value, instr.index2);
      // The last word first: if any byte is out of bounds, that one is, and
      // nothing is written. An f32 result not yet stored is stored as a float
      // (setFloat32 rounds as the scratch array does).
      for (let k = 3; k >= 0; k--) {
        const rounded = storedFloat(value[k]);
        if (rounded !== undefined) store('setFloat32', at(4 * k), rounded);
        else store('setInt32', at(4 * k), value[k]);
      }
      return;
    }
  }
  if (op.endsWith('_lane')) return laneAccess(l, instr, op, at, ops);
  // The rest read a scalar into temporaries, then spread it.
  let words: JsNode[];
  if (op.endsWith('_splat')) {
    const bits = Number(op.slice(4, op.indexOf('_')));
    if (bits === 64) {
      const [low, high] = l.temporaries([word(0), word(4)]);
      words = [low, high, low, high];
    } else {
      const scalar = bits === 32 ? word(0) : load(at(0), bits === 8 ? 'i32.load8_u' : 'i32.load16_u');
      words = repeat(l.temporaries([bits === 32 ? scalar : i32(bin('*', scalar, num(bits === 8 ? 0x01010101 : 0x10001)))])[0]);
    }
  } else {
    // load8x8_s/u, load16x4_s/u, load32x2_s/u: two words, then extend_low.
    const [low, high] = l.temporaries([word(0), word(4)]);
    const shape = op.startsWith('load8') ? 'i16x8' : op.startsWith('load16') ? 'i32x4' : 'i64x2';
    words = extend(shape, `extend_low_${op.slice(-1)}`, [low, high, num(0), num(0)]);
  }
  for (const w of words) host.pushWord(w, []);
}

/** load*_lane and store*_lane. */
function laneAccess(l: Lowering, instr: Instr, op: string, at: (extra: number) => JsNode, ops: SimdOperands): void {
  const host = l.host;
  const load = (address: JsNode, loadOp: string): JsNode => host.memoryLoad(address, loadOp, instr.index2);
  const store = (method: string, address: JsNode, value: JsNode): void => host.memoryStore(method, address, value, instr.index2);
  const bits = Number(op.slice(op.startsWith('load') ? 4 : 5, op.indexOf('_')));
  const lane = instr.index;
  const a = ops.values[1];
  if (op.startsWith('store')) {
    host.beforeStore();
    switch (bits) {
      case 8: return store('setInt8', at(0), byteU(a[lane >> 2], lane & 3));
      case 16: return store('setInt16', at(0), halfU(a[lane >> 1], lane & 1));
      case 32: return store('setInt32', at(0), a[lane]);
    }
    store('setInt32', at(4), a[2 * lane + 1]); // the high word first, as for v128.store
    return store('setInt32', at(0), a[2 * lane]);
  }
  // Word k of the vector sits above result word k (the address is below
  // it), and the loaded value in a temporary: the words may read both.
  const words = [...a];
  if (bits === 64) {
    const [low, high] = l.temporaries([load(at(0), 'i32.load'), load(at(4), 'i32.load')]);
    words[2 * lane] = low;
    words[2 * lane + 1] = high;
  } else {
    const [value] = l.temporaries([load(at(0), bits === 8 ? 'i32.load8_u' : bits === 16 ? 'i32.load16_u' : 'i32.load')]);
    const perWord = 32 / bits;
    const k = Math.floor(lane / perWord);
    const s = bits * (lane % perWord);
    words[k] = bits === 32 ? value : or(and(a[k], num(~((bits === 8 ? 255 : 0xffff) << s))), shl(value, s));
  }
  for (let k = 0; k < 4; k++) host.pushWord(words[k], [ops.entries[1][k]]);
}

/** The JS parameter list of a wasm value type list: a v128 is four words. */
export function expandV128(types: readonly ValType[]): ValType[] {
  if (!types.includes(ValType.V128)) return types as ValType[];
  const out: ValType[] = [];
  for (const type of types) {
    if (type === ValType.V128) out.push(ValType.V128, ValType.V128, ValType.V128, ValType.V128);
    else out.push(type);
  }
  return out;
}

export { floatLocals, floatOfConstant, floatOfWord, floatWord, shadowedWord } from './emit-simd-float.js';
export type { FloatLocalForm } from './emit-simd-float.js';
