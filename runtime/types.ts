// Canonical type ids. Every distinct defined type gets one small integer,
// the same in every module of the realm's runtime, so a check between two
// types is a comparison of integers, never a structural walk:
//
// - A plain function type (final, no supertype, alone in its recursive
//   group, no defined type in its signature; all 2.0 types) is interned by
//   its signature key, `typeId("i32,i64->f32")`.
// - Any other type comes with its recursive group, `recGroup(key, ...)`,
//   whose key the compiler writes with the group's references to earlier
//   types as placeholders `#k` for the ids it passes (compiler/emit-types.ts).
//   Substituted, the key names the group up to iso-recursive equivalence
//   (the WebAssembly 3.0 rule), and equal keys get the same ids.
//
// Subtyping is declared, so each id has one chain of supertypes: `supers`
// holds it from the root down to the id itself, and `a <: b` is
// `supers[a][depth(b)] === b`.

/** Kinds of defined types. */
export const enum Kind {
  Func = 0,
  Struct = 1,
  Array = 2,
}

const ids: Map<string, number> = new Map();
/** For each id: its supertypes from the root, ending with itself. */
const supers: number[][] = [];
const kinds: Kind[] = [];

/** Interns a plain function type's signature key, e.g. "i32,i64->f32" or "->". */
export function typeId(key: string): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = supers.length;
    ids.set(key, id);
    supers.push([id]);
    kinds.push(Kind.Func);
  }
  return id;
}

const KIND_CODES: Record<string, Kind> = { f: Kind.Func, s: Kind.Struct, a: Kind.Array };

/**
 * The ids of a recursive group's types. `key` is the group's shape, with
 * `#k` for `externals[k]`; `kindCodes` has one letter per type (f, s, a);
 * `superRefs` one entry per type: "" (no supertype), "@k" (type k of the
 * group) or "#k" (externals[k]).
 */
export function recGroup(key: string, externals: readonly number[], kindCodes: string, superRefs: readonly string[]): number[] {
  const full = 'rec ' + key.replace(/#(\d+)/g, (_, k: string) => `#${externals[Number(k)]}`);
  const count = kindCodes.length;
  let first = ids.get(full);
  if (first === undefined) {
    first = supers.length;
    ids.set(full, first);
    for (let k = 0; k < count; k++) {
      const ref = superRefs[k];
      const id = first + k;
      let chain: number[] = [id];
      if (ref !== '') {
        const index = Number(ref.slice(1));
        const sup = ref[0] === '@' ? first + index : externals[index];
        chain = [...supers[sup], id];
      }
      supers.push(chain);
      kinds.push(KIND_CODES[kindCodes[k]]);
    }
  }
  const result: number[] = [];
  for (let k = 0; k < count; k++) result.push(first + k);
  return result;
}

/** Whether type id `a` is `b` or one of its subtypes. */
export function isSubId(a: number, b: number): boolean {
  if (a === b) return true;
  const chain = supers[b];
  const sa = supers[a];
  return sa.length > chain.length - 1 && sa[chain.length - 1] === b;
}

export function kindOf(id: number): Kind {
  return kinds[id];
}

// --- reference type names ------------------------------------------------------------------
//
// The value type names of descriptors and the JS API: "funcref", "anyref",
// ..., and for the others "(ref func)", "(ref null #12)" (#12: a type id,
// written by refName when the module body runs).

/** An abstract heap type's name, or a type id. */
export type Heap = string | number;

export interface RefTypeInfo {
  nullable: boolean;
  heap: Heap;
  /** any, func, extern or exn. */
  top: string;
}

const SHORTHANDS: Record<string, string> = {
  funcref: 'func', externref: 'extern', anyref: 'any', eqref: 'eq', i31ref: 'i31', structref: 'struct', arrayref: 'array',
  exnref: 'exn', nullref: 'none', nullfuncref: 'nofunc', nullexternref: 'noextern', nullexnref: 'noexn',
};
const TOPS: Record<string, string> = {
  func: 'func', nofunc: 'func', extern: 'extern', noextern: 'extern', exn: 'exn', noexn: 'exn',
  any: 'any', eq: 'any', i31: 'any', struct: 'any', array: 'any', none: 'any',
};
const infoCache: Map<string, RefTypeInfo | null> = new Map();

/** `(ref null #id)` or `(ref #id)`. */
export function refName(id: number, nullable: boolean): string {
  return nullable ? `(ref null #${id})` : `(ref #${id})`;
}

/** What a reference type name says, or null for a number or vector type (or a name that is none). */
export function refTypeInfo(name: string): RefTypeInfo | null {
  let info = infoCache.get(name);
  if (info !== undefined) return info;
  info = null;
  const short = SHORTHANDS[name];
  if (short !== undefined) {
    info = { nullable: true, heap: short, top: TOPS[short] };
  } else {
    const match = /^\(ref (null )?(?:#(\d+)|([a-z0-9]+))\)$/.exec(name);
    if (match !== null) {
      const heap: Heap = match[2] !== undefined ? Number(match[2]) : match[3];
      const top = typeof heap === 'number' ? (kinds[heap] === Kind.Func ? 'func' : 'any') : TOPS[heap];
      if (top !== undefined && (typeof heap === 'string' || heap < supers.length)) info = { nullable: match[1] !== undefined, heap, top };
    }
  }
  infoCache.set(name, info);
  return info;
}

/** Whether heap type `a` is a subtype of heap type `b`. */
export function heapMatches(a: Heap, b: Heap): boolean {
  if (a === b) return true;
  if (typeof a === 'number') {
    if (typeof b === 'number') return isSubId(a, b);
    const kind = kinds[a];
    if (kind === Kind.Func) return b === 'func';
    return b === 'any' || b === 'eq' || b === (kind === Kind.Struct ? 'struct' : 'array');
  }
  if (typeof b === 'number') return a === (kinds[b] === Kind.Func ? 'nofunc' : 'none');
  switch (b) {
    case 'any': return a === 'eq' || a === 'i31' || a === 'struct' || a === 'array' || a === 'none';
    case 'eq': return a === 'i31' || a === 'struct' || a === 'array' || a === 'none';
    case 'i31': case 'struct': case 'array': return a === 'none';
    case 'func': return a === 'nofunc';
    case 'extern': return a === 'noextern';
    case 'exn': return a === 'noexn';
  }
  return false;
}

/** Whether value type name `a` matches `b` (import checks of globals and functions). */
export function valueTypeMatches(a: string, b: string): boolean {
  if (a === b) return true;
  const ra = refTypeInfo(a);
  const rb = refTypeInfo(b);
  if (ra === null || rb === null) return false;
  if (ra.nullable && !rb.nullable) return false;
  return heapMatches(ra.heap, rb.heap);
}
