// The module body's type declarations: `T<i>`, the runtime's canonical id
// of type i (runtime/types.ts), `TY<i>`, a function type's descriptor, and
// for GC the class of each struct type (`S<i>`) and array type (`A<i>`).
//
// A module without typed references or GC declares, as it always has, the
// ids of the function types it uses, interned by signature:
// `T3 = rt.typeId("i32,i64->f32")`. A module with them declares every type,
// a recursive group at a time, in order:
//
//   var G4 = rt.recGroup("s:m#0,i32;s:@0,i8", [T2], "ss", ["", "@0"]);
//   var T4 = G4[0], T5 = G4[1];
//
// The key spells the group's shape with references out of the group as
// `#k` (the k-th id passed) and into it as `@k`; the runtime substitutes
// the ids, so equal keys are equivalent groups across modules (3.0's
// iso-recursive type equivalence). A plain function type (final, no
// supertype, alone in its group) whose signature names no defined type is
// interned by its signature as before, so it is one type with the same
// signature in a module without GC.

import { Packed, TypeKind, ValType, isNullable, typeIndexOf, valTypeName } from './ir.js';
import type { FieldType, FuncType, Module } from './ir.js';
import * as js from './js.js';
import { Storage } from '../runtime/gc.js';
import type { JsNode } from './js.js';

/** The runtime's name of a value type: a string, or for a defined type `refName(T<i>, nullable)`. */
export function typeNameJs(type: ValType, helper: (name: string) => JsNode): JsNode {
  const index = typeIndexOf(type);
  if (index < 0) return js.str(valTypeName(type));
  return js.call(helper('refName'), [js.id(`T${index}`), js.bool(isNullable(type))]);
}

/** `{params: [...], results: [...]}`, a function type's descriptor. */
export function typeDescJs(type: FuncType, helper: (name: string) => JsNode): JsNode {
  return js.obj([
    ['params', js.arr(type.params.map((t) => typeNameJs(t, helper)))],
    ['results', js.arr(type.results.map((t) => typeNameJs(t, helper)))],
  ]);
}

/** The signature key of a plain function type, e.g. "i32,i64->f32". */
export function signatureKey(type: FuncType): string {
  return `${type.params.map(valTypeName).join(',')}->${type.results.map(valTypeName).join(',')}`;
}

function namesDefinedType(type: FuncType): boolean {
  return type.params.some((t) => typeIndexOf(t) >= 0) || type.results.some((t) => typeIndexOf(t) >= 0);
}

/** Whether a type is interned by its signature (typeId) rather than with its group (recGroup). */
export function isPlainSignature(type: FuncType): boolean {
  return type.def === undefined && !namesDefinedType(type);
}

/** An array's element storage (runtime/gc.ts): how emit-gc.ts reads and writes it. */
export function storageOf(field: FieldType): Storage {
  switch (field.type) {
    case Packed.I8: return Storage.I8;
    case Packed.I16: return Storage.I16;
    case ValType.I32: return Storage.I32;
    case ValType.I64: return Storage.I64;
    case ValType.F64: return Storage.F64;
  }
  return Storage.Plain;
}

/** Bytes per element of a numeric storage type (array.new_data, array.init_data). */
export function storageSize(field: FieldType): number {
  switch (field.type) {
    case Packed.I8: return 1;
    case Packed.I16: return 2;
    case ValType.I32: case ValType.F32: return 4;
    case ValType.V128: return 16;
  }
  return 8;
}

/**
 * Declarations of every type of a module with typed references or GC, in
 * order: ids (T), function descriptors (TY), struct classes (S) and array
 * classes (A).
 */
export function declareAllTypes(module: Module, helper: (name: string) => JsNode): JsNode[] {
  const types = module.types;
  const out: JsNode[] = [];
  const seen = new Set<FuncType>();
  for (let i = 0; i < types.length; i++) {
    const type = types[i];
    if (seen.has(type)) continue; // an equivalent type's index, canonicalised away (decode-types.ts)
    const def = type.def;
    if (def !== undefined && def.groupStart !== i) continue; // declared with its group
    if (isPlainSignature(type)) {
      seen.add(type);
      out.push(js.decl([[`T${i}`, js.call(js.member(js.id('rt'), 'typeId'), [js.str(signatureKey(type))])]]));
      continue;
    }
    const size = def === undefined ? 1 : def.groupSize;
    for (let k = 0; k < size; k++) seen.add(types[i + k]);
    out.push(...declareGroup(types, i, size));
  }
  const declared = new Set<FuncType>();
  for (let i = 0; i < types.length; i++) {
    const type = types[i];
    if (declared.has(type)) continue;
    declared.add(type);
    const def = type.def;
    if (def === undefined || def.kind === TypeKind.Func) out.push(js.decl([[`TY${i}`, typeDescJs(type, helper)]]));
    else if (def.kind === TypeKind.Struct) out.push(js.decl([[`S${i}`, structClass(i, def.fields.length, def.supertype, helper)]]));
    else out.push(js.decl([[`A${i}`, js.call(helper('arrayClass'), def.supertype < 0 ? [js.id(`T${i}`)] : [js.id(`T${i}`), js.id(`A${def.supertype}`)])]]));
  }
  return out;
}

function declareGroup(types: readonly FuncType[], start: number, size: number): JsNode[] {
  const externals: number[] = [];
  const ref = (index: number): string => {
    if (index >= start && index < start + size) return `@${index - start}`;
    let k = externals.indexOf(index);
    if (k < 0) k = externals.push(index) - 1;
    return `#${k}`;
  };
  const value = (t: number): string => {
    const index = typeIndexOf(t);
    if (index < 0) return t === Packed.I8 ? 'i8' : t === Packed.I16 ? 'i16' : valTypeName(t as ValType);
    return `${isNullable(t) ? 'null ' : ''}${ref(index)}`;
  };
  const parts: string[] = [];
  let kinds = '';
  const supers: string[] = [];
  for (let k = 0; k < size; k++) {
    const type = types[start + k];
    const def = type.def;
    const kind = def?.kind ?? TypeKind.Func;
    const sup = def !== undefined && def.supertype >= 0 ? ref(def.supertype) : '';
    supers.push(sup);
    kinds += kind === TypeKind.Func ? 'f' : kind === TypeKind.Struct ? 's' : 'a';
    const head = `${def === undefined || def.final ? 'final' : 'open'}${sup === '' ? '' : ` <: ${sup}`}`;
    if (kind === TypeKind.Func) parts.push(`${head} func(${type.params.map(value).join(',')})->(${type.results.map(value).join(',')})`);
    else parts.push(`${head} ${kind === TypeKind.Struct ? 'struct' : 'array'}(${def!.fields.map((f) => `${f.mutable ? 'mut ' : ''}${value(f.type)}`).join(',')})`);
  }
  const group = `G${start}`;
  const call = js.call(js.member(js.id('rt'), 'recGroup'), [
    js.str(parts.join('; ')),
    js.arr(externals.map((index) => js.id(`T${index}`))),
    js.str(kinds),
    js.arr(supers.map((s) => js.str(s))),
  ]);
  const ids: [string, JsNode][] = [];
  for (let k = 0; k < size; k++) ids.push([`T${start + k}`, js.index(js.id(group), js.num(k))]);
  return [js.decl([[group, call]]), js.decl(ids)];
}

/**
 * `structClass(T5) ?? defineStruct(T5, function (a0, a1) { this.f0 = a0; this.f1 = a1; }, S3)`:
 * the runtime's constructor for the type if a module made it already, else
 * this one (a function, not a class: Hermes has no classes), with its
 * supertype's (declared before it) to inherit from.
 */
function structClass(index: number, fields: number, supertype: number, helper: (name: string) => JsNode): JsNode {
  const params: string[] = [];
  const body: JsNode[] = [];
  for (let f = 0; f < fields; f++) {
    params.push(`a${f}`);
    body.push(js.exprStmt(js.assign(js.member({ type: 'ThisExpression' }, `f${f}`), js.id(`a${f}`))));
  }
  const id = js.id(`T${index}`);
  const args = [id, js.fn(null, params, body)];
  if (supertype >= 0) args.push(js.id(`S${supertype}`));
  return js.logical('??', js.call(helper('structClass'), [id]), js.call(helper('defineStruct'), args));
}
