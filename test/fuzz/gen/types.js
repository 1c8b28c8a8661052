// Value types, feature names and the type section's interning table for the
// module generator. Types are their binary-format bytes so the encoder writes
// them as they are.

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export const FUNCREF = 0x70;
export const EXTERNREF = 0x6f;

export const NUMBER_TYPES = [I32, I64, F32, F64];
/** @type {Record<number, string>} */
export const TYPE_NAMES = { [I32]: 'i32', [I64]: 'i64', [F32]: 'f32', [F64]: 'f64', [V128]: 'v128', [FUNCREF]: 'funcref', [EXTERNREF]: 'externref' };

/**
 * A small dense index per value type, for per-type arrays (locals by type,
 * operations by result type) instead of maps keyed by the type byte.
 */
export const SLOT = new Int8Array(128).fill(-1);
SLOT[I32] = 0;
SLOT[I64] = 1;
SLOT[F32] = 2;
SLOT[F64] = 3;
SLOT[FUNCREF] = 4;
SLOT[EXTERNREF] = 5;
SLOT[V128] = 6;
export const SLOT_COUNT = 7;

/** i32, i64, f32 or f64 (not v128: no log import, no JS value, its own instructions). @param {number} type */
export function isNumber(type) {
  return type >= F64 && type <= I32;
}

/** A type a function signature may carry: a number or a vector. @param {number} type */
export function isNumeric(type) {
  return isNumber(type) || type === V128;
}

/** @param {number} type */
export function isReference(type) {
  return type === FUNCREF || type === EXTERNREF;
}

/**
 * The proposals that make up WebAssembly 2.0, by the names binaryen and the
 * fuzz harness use. Every instruction and module shape the generator writes
 * names the feature it needs, so a run can turn families off, and 3.0
 * proposals can later add instructions under their own names without
 * touching the choice logic. Without 'simd' a module is the same, byte for
 * byte, as before SIMD was generated: no random draw depends on it.
 */
export const WASM2_FEATURES = ['sign-ext', 'mutable-globals', 'nontrapping-float-to-int', 'bulk-memory', 'reference-types', 'multivalue', 'simd'];

/**
 * The enabled features: the MVP plus the requested ones, or all of 2.0 when
 * nothing is requested. Names no generator knows yet (tail-call, ...) are
 * kept in the set and have no effect until instructions name them.
 * @param {readonly string[] | undefined} requested
 * @returns {Set<string>}
 */
export function featureSet(requested) {
  const enabled = new Set(requested ?? WASM2_FEATURES);
  enabled.add('mvp');
  // reference-types is specified on top of bulk-memory (the segment
  // encodings, table.init); validators reject it alone.
  if (!enabled.has('bulk-memory')) enabled.delete('reference-types');
  return enabled;
}

/**
 * @param {readonly number[]} a
 * @param {readonly number[]} b
 */
export function sameTypes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The type section under construction: function types are interned as they
 * are needed (signatures, block types, call_indirect types), each once.
 */
export class TypeTable {
  constructor() {
    /** @type {{params: number[], results: number[]}[]} */
    this.list = [];
    /** @type {Map<string, number>} */
    this.byKey = new Map();
  }

  /**
   * @param {readonly number[]} params
   * @param {readonly number[]} results
   * @returns {number} the type index
   */
  intern(params, results) {
    const key = String.fromCharCode(...params) + '>' + String.fromCharCode(...results);
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.list.length;
      this.list.push({ params: params.slice(), results: results.slice() });
      this.byKey.set(key, index);
    }
    return index;
  }
}
