// Typing of typed function references' and GC's instructions (3.0): the
// handlers validate-code.ts registers for them. Each follows the spec's
// typing rule; operands match through subtyping (validate-types.ts), and
// a reference popped from an unreachable stack is `(ref bot)`, which
// matches every reference type.

import { CONCRETE, HeapType, NON_NULL, Packed, TypeKind, ValType, isNullable, isRef, refType, typeKind } from './ir.js';
import type { FieldType, FuncType, Instr } from './ir.js';
import { PREFIX_FB } from './opcodes.js';
import { typeListName, typeName } from './validate-context.js';
import type { CodeValidator, Handler } from './validate-code.js';
import { tailCallResults } from './validate-code.js';
import { defaultable, matches, topHeap, unpacked } from './validate-types.js';
import { LIMITS } from './decode-limits.js';

/** The validator's unknown type (validate-code.ts). */
const UNKNOWN = 0;
const BOTTOM_REF = HeapType.Bottom + NON_NULL;

/** Pops a reference of any type; `(ref bot)` from an unreachable stack. */
function popRef(v: CodeValidator): number {
  const type = v.popAny();
  if (type === UNKNOWN) return BOTTOM_REF;
  if (!isRef(type)) v.fail('type mismatch', `expected a reference, got ${typeName(type)}`);
  return type;
}

function nonNull(type: number): number {
  return type | NON_NULL;
}

/** A struct or array type index's definition, which must be of that kind. */
function compositeAt(v: CodeValidator, index: number, kind: TypeKind): FuncType {
  const type = v.definedType(index);
  if (typeKind(type) !== kind) v.fail('type mismatch', `type ${index} is not ${kind === TypeKind.Struct ? 'a struct' : 'an array'} type`);
  return type;
}

function fieldAt(v: CodeValidator, type: FuncType, index: number, field: number): FieldType {
  const fields = type.def!.fields;
  if (field >>> 0 !== field || field >= fields.length) v.fail(`unknown field ${field}`, `type ${index} has ${fields.length} fields`);
  return fields[field];
}

function isPacked(type: number): boolean {
  return type === Packed.I8 || type === Packed.I16;
}

/** get reads unpacked fields only, get_s and get_u packed ones only. */
function checkPacking(v: CodeValidator, field: FieldType, signed: boolean | null): void {
  if (signed === null ? isPacked(field.type) : !isPacked(field.type)) {
    v.fail('type mismatch', signed === null ? 'a packed field or element is read with get_s or get_u' : 'get_s and get_u read packed fields and elements only');
  }
}

function checkDefaultable(v: CodeValidator, type: FuncType, index: number): void {
  for (const field of type.def!.fields) {
    if (!defaultable(field.type)) v.fail('type mismatch', `type ${index} has a field of non-defaultable type ${typeName(field.type)}`);
  }
}

/** Pops `count` i32 operands (offsets, indices, lengths). */
function popI32s(v: CodeValidator, count: number): void {
  for (let k = 0; k < count; k++) v.popExpect(ValType.I32);
}

function ref(index: number, nullable: boolean): number {
  return refType(CONCRETE + index, nullable);
}

/** The label's types for br_on_non_null and br_on_cast*: at least one, the last a reference type matching `branched`. */
function branchTypes(v: CodeValidator, label: number, branched: number): readonly ValType[] {
  const types = v.labelTypes(label);
  const last = types[types.length - 1];
  if (types.length === 0 || !isRef(last)) v.fail('type mismatch', `label ${label} takes ${typeListName(types)}, which does not end in a reference`);
  if (!matches(v.types, branched, last)) v.fail('type mismatch', `the branch carries ${typeName(branched)}, label ${label} takes ${typeName(last)}`);
  // The values under the reference pass through.
  const rest = types.slice(0, -1);
  v.popTypes(rest);
  v.pushTypes(rest);
  return types;
}

/** ref.test, ref.cast: the operand must be in the target type's hierarchy. */
function castOperand(v: CodeValidator, target: number): void {
  v.popExpect(refType(topHeap(v.types, target & ~NON_NULL), true));
}

function brOnCast(v: CodeValidator, instr: Instr, fail: boolean): void {
  const [source, target] = instr.types!;
  if (!matches(v.types, target, source)) v.fail('type mismatch', `the cast's target ${typeName(target)} is not a subtype of its source ${typeName(source)}`);
  v.popExpect(source);
  // What is left after a failed cast: null passes to the target if it is nullable.
  const rest = isNullable(target) ? nonNull(source) : source;
  branchTypes(v, instr.index, fail ? rest : target);
  v.push(fail ? target : rest);
}

export function registerReferenceHandlers(handle: (op: number, name: string, handler: Handler) => void): void {
  handle(0xd4, 'ref.as_non_null', (v) => v.push(nonNull(popRef(v))));
  handle(0xd5, 'br_on_null', (v, instr) => {
    const type = popRef(v);
    const types = v.labelTypes(instr.index);
    v.popTypes(types);
    v.pushTypes(types);
    v.push(nonNull(type));
  });
  handle(0xd6, 'br_on_non_null', (v, instr) => {
    const type = popRef(v);
    branchTypes(v, instr.index, nonNull(type));
  });
  handle(0x14, 'call_ref', (v, instr) => {
    const type = v.typeAt(instr.index);
    v.popExpect(ref(instr.index, true));
    v.popTypes(type.params);
    v.pushTypes(type.results);
  });
  handle(0x15, 'return_call_ref', (v, instr) => {
    const type = v.typeAt(instr.index);
    tailCallResults(v, type, `type ${instr.index}`);
    v.popExpect(ref(instr.index, true));
    v.popTypes(type.params);
    v.markUnreachable();
  });

  // ---- structs ----
  handle(PREFIX_FB | 0, 'struct.new', (v, instr) => {
    const fields = compositeAt(v, instr.index, TypeKind.Struct).def!.fields;
    for (let f = fields.length - 1; f >= 0; f--) v.popExpect(unpacked(fields[f].type));
    v.push(ref(instr.index, false));
  });
  handle(PREFIX_FB | 1, 'struct.new_default', (v, instr) => {
    checkDefaultable(v, compositeAt(v, instr.index, TypeKind.Struct), instr.index);
    v.push(ref(instr.index, false));
  });
  const structGet = (signed: boolean | null) => (v: CodeValidator, instr: Instr): void => {
    const field = fieldAt(v, compositeAt(v, instr.index, TypeKind.Struct), instr.index, instr.index2);
    checkPacking(v, field, signed);
    v.popExpect(ref(instr.index, true));
    v.push(unpacked(field.type));
  };
  handle(PREFIX_FB | 2, 'struct.get', structGet(null));
  handle(PREFIX_FB | 3, 'struct.get_s', structGet(true));
  handle(PREFIX_FB | 4, 'struct.get_u', structGet(false));
  handle(PREFIX_FB | 5, 'struct.set', (v, instr) => {
    const field = fieldAt(v, compositeAt(v, instr.index, TypeKind.Struct), instr.index, instr.index2);
    if (!field.mutable) v.fail('field is immutable', `field ${instr.index2} of type ${instr.index}`);
    v.popExpect(unpacked(field.type));
    v.popExpect(ref(instr.index, true));
  });

  // ---- arrays ----
  const element = (v: CodeValidator, index: number): FieldType => compositeAt(v, index, TypeKind.Array).def!.fields[0];
  const mutableElement = (v: CodeValidator, index: number): FieldType => {
    const field = element(v, index);
    if (!field.mutable) v.fail('array is immutable', `type ${index}`);
    return field;
  };
  const numericElement = (v: CodeValidator, field: FieldType, index: number): void => {
    if (isRef(field.type)) v.fail('array type is not numeric or vector', `type ${index} holds ${typeName(field.type)}`);
  };
  const refElement = (v: CodeValidator, field: FieldType, index: number, segment: number): void => {
    const segmentType = v.elemTypeAt(segment);
    if (isPacked(field.type) || !matches(v.types, segmentType, field.type)) {
      v.fail('type mismatch', `element segment ${segment} of ${typeName(segmentType)} for an array of type ${index}`);
    }
  };
  handle(PREFIX_FB | 6, 'array.new', (v, instr) => {
    const field = element(v, instr.index);
    v.popExpect(ValType.I32);
    v.popExpect(unpacked(field.type));
    v.push(ref(instr.index, false));
  });
  handle(PREFIX_FB | 7, 'array.new_default', (v, instr) => {
    checkDefaultable(v, compositeAt(v, instr.index, TypeKind.Array), instr.index);
    v.popExpect(ValType.I32);
    v.push(ref(instr.index, false));
  });
  handle(PREFIX_FB | 8, 'array.new_fixed', (v, instr) => {
    const field = element(v, instr.index);
    const count = instr.index2;
    if (count > LIMITS.arrayNewFixed) v.fail(`array.new_fixed of ${count} elements`, `the limit is ${LIMITS.arrayNewFixed}`);
    for (let k = 0; k < count; k++) v.popExpect(unpacked(field.type));
    v.push(ref(instr.index, false));
  });
  handle(PREFIX_FB | 9, 'array.new_data', (v, instr) => {
    numericElement(v, element(v, instr.index), instr.index);
    v.checkData(instr.index2);
    popI32s(v, 2);
    v.push(ref(instr.index, false));
  });
  handle(PREFIX_FB | 10, 'array.new_elem', (v, instr) => {
    refElement(v, element(v, instr.index), instr.index, instr.index2);
    popI32s(v, 2);
    v.push(ref(instr.index, false));
  });
  const arrayGet = (signed: boolean | null) => (v: CodeValidator, instr: Instr): void => {
    const field = element(v, instr.index);
    checkPacking(v, field, signed);
    v.popExpect(ValType.I32);
    v.popExpect(ref(instr.index, true));
    v.push(unpacked(field.type));
  };
  handle(PREFIX_FB | 11, 'array.get', arrayGet(null));
  handle(PREFIX_FB | 12, 'array.get_s', arrayGet(true));
  handle(PREFIX_FB | 13, 'array.get_u', arrayGet(false));
  handle(PREFIX_FB | 14, 'array.set', (v, instr) => {
    const field = mutableElement(v, instr.index);
    v.popExpect(unpacked(field.type));
    v.popExpect(ValType.I32);
    v.popExpect(ref(instr.index, true));
  });
  handle(PREFIX_FB | 16, 'array.fill', (v, instr) => {
    const field = mutableElement(v, instr.index);
    v.popExpect(ValType.I32);
    v.popExpect(unpacked(field.type));
    v.popExpect(ValType.I32);
    v.popExpect(ref(instr.index, true));
  });
  handle(PREFIX_FB | 17, 'array.copy', (v, instr) => {
    const destination = mutableElement(v, instr.index);
    const source = element(v, instr.index2);
    const compatible = isPacked(destination.type) || isPacked(source.type) ? destination.type === source.type : matches(v.types, source.type, destination.type);
    if (!compatible) v.fail('array types do not match', `copy from type ${instr.index2} to type ${instr.index}`);
    popI32s(v, 2);
    v.popExpect(ref(instr.index2, true));
    v.popExpect(ValType.I32);
    v.popExpect(ref(instr.index, true));
  });
  handle(PREFIX_FB | 18, 'array.init_data', (v, instr) => {
    numericElement(v, mutableElement(v, instr.index), instr.index);
    v.checkData(instr.index2);
    popI32s(v, 3);
    v.popExpect(ref(instr.index, true));
  });
  handle(PREFIX_FB | 19, 'array.init_elem', (v, instr) => {
    refElement(v, mutableElement(v, instr.index), instr.index, instr.index2);
    popI32s(v, 3);
    v.popExpect(ref(instr.index, true));
  });

  // ---- casts and conversions ----
  const test = (v: CodeValidator, instr: Instr): void => {
    castOperand(v, instr.types![0]);
    v.push(ValType.I32);
  };
  const cast = (v: CodeValidator, instr: Instr): void => {
    castOperand(v, instr.types![0]);
    v.push(instr.types![0]);
  };
  handle(PREFIX_FB | 20, 'ref.test', test);
  handle(PREFIX_FB | 21, 'ref.test', test);
  handle(PREFIX_FB | 22, 'ref.cast', cast);
  handle(PREFIX_FB | 23, 'ref.cast', cast);
  handle(PREFIX_FB | 24, 'br_on_cast', (v, instr) => brOnCast(v, instr, false));
  handle(PREFIX_FB | 25, 'br_on_cast_fail', (v, instr) => brOnCast(v, instr, true));
  handle(PREFIX_FB | 26, 'any.convert_extern', (v) => {
    const type = v.popExpect(ValType.ExternRef);
    v.push(refType(HeapType.Any, type !== UNKNOWN && isNullable(type)));
  });
  handle(PREFIX_FB | 27, 'extern.convert_any', (v) => {
    const type = v.popExpect(ValType.AnyRef);
    v.push(refType(HeapType.Extern, type !== UNKNOWN && isNullable(type)));
  });
}
