// Word arithmetic for the SIMD lowering (emit-simd.ts): builders of JS
// expressions over the i32 words of a v128, which fold constants and drop
// what a consumer cannot see (possibleBits, demand), byte and half-word
// access, and i16 lane views (LANES16). Nothing here knows instructions.

import { literalU32 } from './emit-ops.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

export const num = js.num;
export const bin = js.bin;
export const H8 = 0x80808080 | 0;
export const L8 = 0x7f7f7f7f;
export const H16 = 0x80008000 | 0;
export const L16 = 0x7fff7fff;
/** `a | b`; an or with zero is the other operand when that is an int32 already (a bitwise result). */
export const or = (a: JsNode, b: JsNode): JsNode => {
  if (literalI32(b) === 0 && isInt32(a)) return a;
  if (literalI32(a) === 0 && isInt32(b)) return b;
  return bin('|', a, b);
};
const INT32_OPERATORS = new Set(['&', '|', '^', '<<', '>>']);
/** Is `e` an int32 already: a constant, a bitwise result, or an unsigned shift by 1..31 (below 2^31)? */
const isInt32 = (e: JsNode): boolean => literalI32(e) !== undefined
  || (e.type === 'BinaryExpression' && (INT32_OPERATORS.has(e.operator) || (e.operator === '>>>' && ((literalI32(e.right) ?? 0) & 31) !== 0)));
export const xor = (a: JsNode, b: JsNode): JsNode => bin('^', a, b);
/** `a & b`; with a constant mask, `a` keeps only what reaches the mask. */
export const and = (a: JsNode, b: JsNode): JsNode => {
  const mask = literalI32(b);
  if (mask === undefined) return bin('&', a, b);
  // A mask that clears nothing `a` may have set is not needed (and then
  // `a` must keep every bit: demand() may change those outside the mask).
  return (possibleBits(a) & ~mask) === 0 ? a : bin('&', demand(a, mask), b);
};
/** `a << k`: only the low 32 - k bits of `a` matter. */
export const shl = (a: JsNode, k: number): JsNode => (k === 0 ? a : bin('<<', demand(a, -1 >>> k), num(k)));

export function literalI32(e: JsNode): number | undefined {
  const value = literalU32(e);
  return value === undefined ? undefined : value | 0;
}

/** The bits `e` may have set (as an int32 mask), from its shape; -1 when unknown. */
export function possibleBits(e: JsNode): number {
  const constant = literalI32(e);
  if (constant !== undefined) return constant;
  if (e.type !== 'BinaryExpression') return -1;
  const k = literalI32(e.right);
  switch (e.operator) {
    case '|': return possibleBits(e.left) | possibleBits(e.right);
    case '&': return possibleBits(e.left) & possibleBits(e.right);
    case '<<': return k === undefined ? -1 : possibleBits(e.left) << k;
    case '>>>': return k === undefined || (k & 31) === 0 ? -1 : (possibleBits(e.left) >>> k) | 0;
  }
  return -1;
}

/**
 * `e`, rewritten for a consumer that reads only the bits of `mask` (through
 * a bitwise operator, which takes its operand ToInt32 anyway): parts of an
 * or that cannot reach those bits are dropped, masks that keep all of them
 * go. Shuffles and extends build words of many such parts, and the shift or
 * mask that follows usually needs one of them.
 */
export function demand(e: JsNode, mask: number): JsNode {
  if (e.type !== 'BinaryExpression') return e;
  const k = literalI32(e.right);
  switch (e.operator) {
    case '|': {
      const left = demand(e.left, mask);
      const right = demand(e.right, mask);
      if ((possibleBits(right) & mask) === 0) return left;
      if ((possibleBits(left) & mask) === 0) return right;
      return left === e.left && right === e.right ? e : bin('|', left, right);
    }
    case '&': {
      if (k === undefined) return e;
      if ((k & mask) === mask) return demand(e.left, mask);
      if ((k & mask) === 0) return num(0);
      const left = demand(e.left, mask & k);
      return left === e.left ? e : bin('&', left, e.right);
    }
    case '<<': {
      if (k === undefined || (k & 31) === 0) return e;
      const left = demand(e.left, mask >>> k);
      return left === e.left ? e : bin('<<', left, e.right);
    }
    case '>>>': {
      if (k === undefined || (k & 31) === 0) return e;
      const left = demand(e.left, mask << k);
      return left === e.left ? e : bin('>>>', left, e.right);
    }
  }
  return e;
}
export const shrS = (a: JsNode, k: number): JsNode => (k === 0 ? a : bin('>>', a, num(k)));
export const shrU = (a: JsNode, k: number): JsNode => (k === 0 ? a : bin('>>>', a, num(k)));
export const i32 = (a: JsNode): JsNode => bin('|', a, num(0));
export const mask = (test: JsNode): JsNode => js.cond(test, num(-1), num(0));
export const not = (a: JsNode): JsNode => js.un('~', a);
/** Stack variables are named s<type><depth> (emit-func.ts); locals l<index>. */
export const isStackVariable = (e: JsNode): boolean => e.type === 'Identifier' && e.name.startsWith('s');
/** Does the tree `node` contain one of `targets` (by identity: builders embed operand nodes as they are)? */
export function readsAny(node: JsNode, targets: readonly JsNode[]): boolean {
  if (targets.length === 0) return false;
  const pending: unknown[] = [node];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || typeof item !== 'object') continue;
    if (targets.includes(item as JsNode)) return true;
    for (const value of Object.values(item)) if (value !== null && typeof value === 'object') pending.push(value);
  }
  return false;
}
export const isSimple = js.isSimple;
export const isLiteral = js.isLiteral;

/** Byte j (0..3) of word w, sign- or zero-extended. */
export const byteS = (w: JsNode, j: number): JsNode => shrS(shl(w, 24 - 8 * j), 24);
export const byteU = (w: JsNode, j: number): JsNode => (j === 3 ? shrU(w, 24) : and(shrU(w, 8 * j), num(255)));
/** Half j (0..1) of word w. */
export const halfS = (w: JsNode, j: number): JsNode => (j === 0 ? shrS(shl(w, 16), 16) : shrS(w, 16));
export const halfU = (w: JsNode, j: number): JsNode => (j === 0 ? and(w, num(0xffff)) : shrU(w, 16));
/** Two i16 values into a word. */
export const halves = (low: JsNode, high: JsNode): JsNode => or(and(low, num(0xffff)), shl(high, 16));

/**
 * i16x8 words also known lane by lane: their two lanes, each right in its
 * low 16 bits (the bits above may be anything, a carry or a sign). Words
 * built from lanes (extend, extmul, and the adds, subtractions, products
 * and constant shifts of such words) keep them, so that a chain of i16x8
 * arithmetic adds lanes with one `+` each and packs them once at its end,
 * where SWAR arithmetic on packed words costs six operations a word at
 * each step (blend in bench/c/image.c: u8 products summed and rounded).
 * No lane expression reads a non-constant, non-variable expression that
 * another lane reads too.
 */
export const LANES16 = new WeakMap<JsNode, [JsNode, JsNode]>();

/** A word of two i16 lanes, packed, that remembers them. */
export function packLanes(low: JsNode, high: JsNode): JsNode {
  const word = (possibleBits(low) & ~0xffff) === 0 ? or(low, shl(high, 16)) : halves(low, high);
  LANES16.set(word, [low, high]);
  return word;
}

/** `word`, recorded as having the lanes `low` and `high` (its operands are variables or constants). */
export function withLanes(word: JsNode, low: JsNode, high: JsNode): JsNode {
  LANES16.set(word, [low, high]);
  return word;
}

/** The lanes of a word that has them, or of a constant. */
export function knownLanes(word: JsNode): [JsNode, JsNode] | undefined {
  const lanes = LANES16.get(word);
  if (lanes !== undefined) return lanes;
  const constant = literalI32(word);
  return constant === undefined ? undefined : [num((constant << 16) >> 16), num(constant >> 16)];
}

/** The lanes of any word: its own, or (for a variable or constant, read twice) the word and its high half. */
export const lanesOf = (word: JsNode): [JsNode, JsNode] => knownLanes(word) ?? [word, shrU(word, 16)];

// Products of 8- and 16-bit lanes are exact doubles: `*`, which an
// interpreter runs as one bytecode, where Math.imul is a call.
export const times = (a: JsNode, b: JsNode): JsNode => bin('*', a, b);

/** Records the lanes of `word`, an i16x8 shift by k of a word of `lanes`. */
export function shiftLanes(word: JsNode, lanes: [JsNode, JsNode], op: string, k: number): void {
  const shifted = lanes.map((lane) => {
    if (k === 0) return lane;
    if (op === 'shl') return shl(lane, k);
    if (op === 'shr_u') return shrU(and(lane, num(0xffff)), k);
    return shrS(shl(lane, 16), 16 + k);
  });
  withLanes(word, shifted[0], shifted[1]);
}

/** The four words of 16 bytes (a v128.const or a shuffle mask), little-endian. */
export function constWordValues(bytes: Uint8Array): number[] {
  const words: number[] = [];
  for (let k = 0; k < 4; k++) words.push((bytes[4 * k] | (bytes[4 * k + 1] << 8) | (bytes[4 * k + 2] << 16) | (bytes[4 * k + 3] << 24)) | 0);
  return words;
}
