// Subtyping (WebAssembly 3.0: typed references and GC) and the validation
// of the type section's declared subtypes. Value types are numbers
// (ir.ts): reference types carry their heap type and nullability, and
// defined types are canonical type indices (decode-types.ts), so equal
// types are equal numbers and a defined type's supertypes are a chain of
// indices (TypeDef.supertype) to walk.

import { CONCRETE, HeapType, NON_NULL, Packed, TypeKind, isRef, typeKind } from './ir.js';
import type { FieldType, FuncType, Module } from './ir.js';
import { LIMITS } from './decode-limits.js';
import { invalid } from './validate-context.js';

/** The top of a heap type's hierarchy: any, func, extern or exn (abstract types and defined types alike). */
export function topHeap(types: readonly FuncType[], heap: number): number {
  if (heap >= CONCRETE) return typeKind(types[heap - CONCRETE]) === TypeKind.Func ? HeapType.Func : HeapType.Any;
  switch (heap) {
    case HeapType.Func: case HeapType.NoFunc: return HeapType.Func;
    case HeapType.Extern: case HeapType.NoExtern: return HeapType.Extern;
    case HeapType.Exn: case HeapType.NoExn: return HeapType.Exn;
    case HeapType.Bottom: return HeapType.Bottom;
  }
  return HeapType.Any;
}

/** The bottom of a heap type's hierarchy: none, nofunc, noextern or noexn. */
export function bottomHeap(types: readonly FuncType[], heap: number): number {
  switch (topHeap(types, heap)) {
    case HeapType.Func: return HeapType.NoFunc;
    case HeapType.Extern: return HeapType.NoExtern;
    case HeapType.Exn: return HeapType.NoExn;
    case HeapType.Bottom: return HeapType.Bottom;
  }
  return HeapType.None;
}

/** Whether heap type `a` matches (is a subtype of) heap type `b`. */
export function heapMatches(types: readonly FuncType[], a: number, b: number): boolean {
  if (a === b || a === HeapType.Bottom) return true;
  if (a >= CONCRETE) {
    const def = types[a - CONCRETE].def;
    if (b >= CONCRETE) {
      // Walk the declared supertypes (canonical indices).
      let index = def?.supertype ?? -1;
      while (index >= 0) {
        if (CONCRETE + index === b) return true;
        index = types[index].def?.supertype ?? -1;
      }
      return false;
    }
    const kind = def === undefined ? TypeKind.Func : def.kind;
    switch (b) {
      case HeapType.Func: return kind === TypeKind.Func;
      case HeapType.Any: case HeapType.Eq: return kind !== TypeKind.Func;
      case HeapType.Struct: return kind === TypeKind.Struct;
      case HeapType.Array: return kind === TypeKind.Array;
    }
    return false;
  }
  if (b >= CONCRETE) return a === bottomHeap(types, b);
  switch (b) {
    case HeapType.Any: return a === HeapType.Eq || a === HeapType.I31 || a === HeapType.Struct || a === HeapType.Array || a === HeapType.None;
    case HeapType.Eq: return a === HeapType.I31 || a === HeapType.Struct || a === HeapType.Array || a === HeapType.None;
    case HeapType.I31: case HeapType.Struct: case HeapType.Array: return a === HeapType.None;
    case HeapType.Func: return a === HeapType.NoFunc;
    case HeapType.Extern: return a === HeapType.NoExtern;
    case HeapType.Exn: return a === HeapType.NoExn;
  }
  return false;
}

/** Whether value type `a` matches `b` (0, the validator's unknown type, matches everything). */
export function matches(types: readonly FuncType[], a: number, b: number): boolean {
  if (a === b || a === 0 || b === 0) return true;
  if (!isRef(a) || !isRef(b)) return false;
  // A nullable type never matches a non-nullable one.
  if ((a & NON_NULL) === 0 && (b & NON_NULL) !== 0) return false;
  return heapMatches(types, a & ~NON_NULL, b & ~NON_NULL);
}

export function allMatch(types: readonly FuncType[], a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!matches(types, a[i], b[i])) return false;
  return true;
}

/** Whether a local of this type has a default value (numbers, vectors, nullable references) and needs no initialisation. */
export function defaultable(type: number): boolean {
  return !isRef(type) || (type & NON_NULL) === 0;
}

/** The value type a struct field or array element is read as: packed types read as i32. */
export function unpacked(type: number): number {
  return type === Packed.I8 || type === Packed.I16 ? 0x7f : type;
}

function fieldMatches(types: readonly FuncType[], sub: FieldType, sup: FieldType): boolean {
  if (sub.mutable !== sup.mutable) return false;
  // Mutable fields are invariant, immutable ones covariant.
  if (sub.type === Packed.I8 || sub.type === Packed.I16 || sup.type === Packed.I8 || sup.type === Packed.I16) return sub.type === sup.type;
  return sup.mutable ? sub.type === sup.type : matches(types, sub.type, sup.type);
}

/** Whether a defined type's own shape matches its declared supertype's (spec 3.2, sub types). */
function compositeMatches(types: readonly FuncType[], sub: FuncType, sup: FuncType): boolean {
  const kind = typeKind(sub);
  if (kind !== typeKind(sup)) return false;
  if (kind === TypeKind.Func) {
    // Params contravariant, results covariant.
    return allMatch(types, sup.params, sub.params) && allMatch(types, sub.results, sup.results);
  }
  const subFields = sub.def!.fields;
  const supFields = sup.def!.fields;
  if (subFields.length < supFields.length) return false;
  if (kind === TypeKind.Array && subFields.length !== 1) return false;
  for (let i = 0; i < supFields.length; i++) if (!fieldMatches(types, subFields[i], supFields[i])) return false;
  return true;
}

/**
 * The type section's declared subtypes: at most one supertype, not final,
 * of the same kind and a matching shape, at most LIMITS.subtypeDepth deep.
 * Types of a group canonicalised onto an earlier one are that one and were
 * checked with it.
 */
export function validateTypes(module: Module): void {
  const types = module.types;
  for (let i = 0; i < types.length; i++) {
    const type = types[i];
    const def = type.def;
    if (def === undefined || def.index !== i || def.supertype === -1) continue;
    const where = `type section, type ${i}`;
    if (def.supertype === -2) invalid(`sub type ${i} has more than one supertype`, def.offset, where);
    const sup = types[def.supertype];
    if (sup.def === undefined || sup.def.final) invalid(`sub type ${i} has a final supertype ${def.supertype}`, def.offset, where);
    if (!compositeMatches(types, type, sup)) invalid(`sub type ${i} does not match its supertype ${def.supertype}`, def.offset, where);
    if (def.depth > LIMITS.subtypeDepth) invalid(`sub type ${i} is more than ${LIMITS.subtypeDepth} subtypes deep`, def.offset, where);
  }
}
