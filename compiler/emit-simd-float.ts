// f32 lanes kept as floats (emit-simd.ts): a v128 word is i32 bits, but a
// word that f32 arithmetic made is also known as the float it was rounded
// from, so that arithmetic, stores and settling read the float and skip
// the trip through the scratch Float32Array; v128 locals that only ever
// hold such words keep floats (floatLocals). NaN rule: only words that
// arithmetic made are ever read as floats, since arithmetic may quiet a
// NaN and change its payload but a move of bits may not.

import { global as builtin, isRoundedF32 } from './emit-ops.js';
import { Instr, ValType } from './ir.js';
import { OPS } from './opcodes.js';
import * as js from './js.js';
import type { JsNode } from './js.js';
import { constWordValues, literalI32 } from './emit-simd-words.js';

const num = js.num;

/** Words made by Lowering.bits(x) or floatWord(x), with their x. */
const ROUNDED = new WeakMap<JsNode, JsNode>();
/** Words of floatWord: their x is an f32 already (a variable), so fround(x) is x. */
const EXACT = new WeakSet<JsNode>();

/**
 * The f32 value of a word that f32 arithmetic made (Lowering.bits), rounded;
 * undefined for any other word. Settling such a word into an f32 variable
 * (emit-stack.ts) spares the trip through the scratch array both ways when
 * f32 arithmetic or a store reads it.
 */
export function floatOfWord(word: JsNode): JsNode | undefined {
  const x = ROUNDED.get(word);
  if (x === undefined || EXACT.has(word)) return x;
  return isRoundedF32(x) ? x : js.call(builtin('Math', 'fround'), [x]);
}

/** Words read from a 'dual' float local (floatLocals): the bits, with the same lane as an f32 beside them. */
const SHADOWS = new WeakMap<JsNode, JsNode>();

/** Records that the word `bits` is the f32 `float` too; returns `bits`. */
export function shadowedWord(bits: JsNode, float: JsNode): JsNode {
  SHADOWS.set(bits, float);
  return bits;
}

/** The word (its bits, through the scratch array) of `value`, an f32 variable written with floatOfWord. */
export function floatWord(helper: (name: string) => JsNode, value: JsNode): JsNode {
  const word = js.seq([js.assign(js.index(helper('simdF32'), num(0)), value), js.index(helper('simdI32'), num(0))]);
  ROUNDED.set(word, value);
  EXACT.add(word);
  return word;
}

/** Words loaded from memory, with how to read the same 4 bytes as an f32 (for arithmetic: F32_LOAD_FOR_ARITHMETIC). */
const FLOAT_READS = new WeakMap<JsNode, () => JsNode>();

/** Records how to read the loaded word `word` as an f32 for arithmetic. */
export function noteFloatRead(word: JsNode, read: () => JsNode): void {
  FLOAT_READS.set(word, read);
}

/** The word of an f32 result `x` (not yet rounded): its bits through the scratch array, and x remembered. */
export function roundedWord(helper: (name: string) => JsNode, x: JsNode): JsNode {
  const word = js.seq([js.assign(js.index(helper('simdF32'), num(0)), x), js.index(helper('simdI32'), num(0))]);
  ROUNDED.set(word, x);
  return word;
}

/** What a store of `word` may write with setFloat32 (which rounds): the f32 result it is made of, if any. */
export const storedFloat = (word: JsNode): JsNode | undefined => ROUNDED.get(word);

/**
 * Word w as an f32 for arithmetic without the scratch array, where that
 * keeps the rules: an f32 result, a float local's lane, a constant that is
 * not a NaN, or a load read with getFloat32. undefined otherwise.
 */
export function floatOperand(w: JsNode): JsNode | undefined {
  const unrounded = ROUNDED.get(w);
  if (unrounded !== undefined) return EXACT.has(w) || isRoundedF32(unrounded) ? unrounded : js.call(builtin('Math', 'fround'), [unrounded]);
  return SHADOWS.get(w) ?? floatOfConstant(w) ?? FLOAT_READS.get(w)?.();
}

/** The f32 of an extracted lane that is one already (an f32 result or a float local's lane). */
export const exactFloat = (w: JsNode): JsNode | undefined => floatOfWord(w) ?? SHADOWS.get(w);

/** Instructions whose four words are all f32 results (Lowering.bits): what floatLocals looks for. */
const FLOAT_RESULTS = new Set([
  ...['add', 'sub', 'mul', 'div', 'min', 'max', 'relaxed_min', 'relaxed_max', 'sqrt', 'ceil', 'floor', 'trunc', 'nearest',
    'convert_i32x4_s', 'convert_i32x4_u', 'relaxed_madd', 'relaxed_nmadd'].map((name) => `f32x4.${name}`),
]);

/** Is a word's bit pattern a NaN as an f32 (whose payload a JS number may not keep)? */
const isNaNBits = (w: number): boolean => (w & 0x7f800000) === 0x7f800000 && (w & 0x7fffff) !== 0;

/** Instructions that read their v128 operands' lanes as f32 values (Lowering.f32). */
const FLOAT_OPERANDS = new Set([
  ...['add', 'sub', 'mul', 'div', 'min', 'max', 'relaxed_min', 'relaxed_max', 'sqrt', 'ceil', 'floor', 'trunc', 'nearest',
    'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'pmin', 'pmax', 'relaxed_madd', 'relaxed_nmadd', 'extract_lane'].map((name) => `f32x4.${name}`),
  'i32x4.trunc_sat_f32x4_s', 'i32x4.trunc_sat_f32x4_u', 'i32x4.relaxed_trunc_f32x4_s', 'i32x4.relaxed_trunc_f32x4_u',
]);

/**
 * How a v128 local holds its lanes: 'float', as four f32 values instead of
 * bits; 'dual', as bits and, beside them, the same lanes as f32 values.
 */
export type FloatLocalForm = 'float' | 'dual';

/**
 * The v128 locals (wasm indices, params excluded) that can keep their lanes
 * as f32 values too: every local.set and local.tee of them stores the
 * result of f32x4 arithmetic or a constant with no NaN lane, so no bits are
 * lost, and f32x4 arithmetic reads them. Such a local is 'float' when
 * nothing else reads it (an accumulator then never goes through the
 * scratch array), else 'dual': its bits are written too, once per set, so
 * integer reads cost nothing. Uses are found by simulating the operand
 * stack over straight-line code (an instruction typed by context forgets
 * what it holds, counted as a read of the bits). One pass over the body.
 */
export function floatLocals(body: readonly Instr[], localType: (local: number) => ValType, paramCount: number): Map<number, FloatLocalForm> {
  const candidates = new Set<number>();
  const excluded = new Set<number>();
  for (let i = 0; i < body.length; i++) {
    const instr = body[i];
    if (instr.op !== 0x21 && instr.op !== 0x22) continue;
    const local = instr.index;
    if (local < paramCount || localType(local) !== ValType.V128 || excluded.has(local)) continue;
    const before = i > 0 ? body[i - 1] : null;
    const producer = before === null ? undefined : OPS.get(before.op)?.name;
    const fits = producer !== undefined
      && (FLOAT_RESULTS.has(producer) || (producer === 'v128.const' && !constWordValues(before!.v128!).some(isNaNBits)));
    if (fits) candidates.add(local);
    else {
      excluded.add(local);
      candidates.delete(local);
    }
  }
  const forms = new Map<number, FloatLocalForm>();
  if (candidates.size === 0) return forms;
  const floatUses = new Map<number, number>();
  const bitUses = new Map<number, number>();
  const count = (uses: Map<number, number>, local: number): void => {
    if (local >= 0) uses.set(local, (uses.get(local) ?? 0) + 1);
  };
  // The local each operand was read from (-1: anything else).
  const stack: number[] = [];
  for (const instr of body) {
    const info = OPS.get(instr.op)!;
    if (instr.op === 0x20) stack.push(candidates.has(instr.index) ? instr.index : -1);
    else if (instr.op === 0x21) stack.pop();
    else if (instr.op === 0x22 || instr.op === 0x23) {
      if (instr.op === 0x22) stack.pop();
      stack.push(-1);
    } else if (info.params !== null && info.results !== null) {
      const uses = FLOAT_OPERANDS.has(info.name) ? floatUses : info.name === 'v128.store' ? null : bitUses;
      for (let p = 0; p < info.params.length; p++) {
        const local = stack.pop();
        if (uses !== null && local !== undefined) count(uses, local);
      }
      for (let r = 0; r < info.results.length; r++) stack.push(-1);
    } else {
      for (const local of stack) count(bitUses, local);
      stack.length = 0;
    }
  }
  for (const local of candidates) {
    if ((floatUses.get(local) ?? 0) > 0) forms.set(local, (bitUses.get(local) ?? 0) > 0 ? 'dual' : 'float');
  }
  return forms;
}

/** The f32 value of a constant word that is not a NaN: for a float local, or as an f32 operand. */
export function floatOfConstant(word: JsNode): JsNode | undefined {
  const bits = literalI32(word);
  if (bits === undefined || isNaNBits(bits)) return undefined;
  return num(new Float32Array(new Int32Array([bits]).buffer)[0]);
}
