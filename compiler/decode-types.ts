// Decodes the binary encodings of types: value, heap and reference types,
// the type section's recursive groups of function, struct and array types
// (canonicalised as they are read), limits, table, memory and global types.
// Shared by the section decoder and the instruction decoder. v128, exnref
// and typed references are noted (Reader.noteSimd, noteExnRef, noteGC).

import { CONCRETE, HeapType, Packed, TypeKind, ValType, heapOf, isNullable, refType, typeIndexOf } from './ir.js';
import type { FieldType, FuncType, GlobalType, Limits, MemoryType, TableType } from './ir.js';
import { LIMITS } from './decode-limits.js';
import { Reader } from './reader.js';

/** Raises the CompileError for a construct of a proposal we do not compile yet. */
export function unsupported(reader: Reader, feature: string, offset: number = reader.pos): never {
  reader.fail(`${feature} is not supported yet`, offset);
}

// Value type bytes. v128 and exnref are noted (Module.simd, Module.exnref).
const VALUE_TYPES = new Map<number, ValType>([
  [0x7f, ValType.I32],
  [0x7e, ValType.I64],
  [0x7d, ValType.F32],
  [0x7c, ValType.F64],
  [0x7b, ValType.V128],
]);
/** The abstract heap types, which are also the bytes of their nullable reference types' shorthands. */
const ABSTRACT_HEAP_TYPES = new Set<number>([
  HeapType.Func, HeapType.Extern, HeapType.Any, HeapType.Eq, HeapType.I31, HeapType.Struct, HeapType.Array,
  HeapType.Exn, HeapType.None, HeapType.NoExtern, HeapType.NoFunc, HeapType.NoExn,
]);
const REF_NULL_PREFIX = 0x63;
const REF_PREFIX = 0x64;

function hexByte(byte: number): string {
  return '0x' + byte.toString(16).padStart(2, '0');
}

/** Notes what a reference type needs: exnref's final EH encoding, or typed references and GC beyond 2.0's two types. */
function noteRefType(reader: Reader, type: number, offset: number): void {
  const heap = heapOf(type);
  if (heap === HeapType.Exn || heap === HeapType.NoExn) reader.noteExnRef(offset);
  if (type !== ValType.FuncRef && type !== ValType.ExternRef && type !== ValType.ExnRef) reader.noteGC(offset);
}

/**
 * A heap type (s33): an abstract one's byte, or a type index, which must
 * name a type already read (or one of the recursive group being read).
 */
export function readHeapType(reader: Reader): number {
  const offset = reader.pos;
  const byte = reader.peek();
  if ((byte & 0xc0) === 0x40) {
    reader.pos++;
    if (!ABSTRACT_HEAP_TYPES.has(byte)) reader.fail(`malformed heap type ${hexByte(byte)}`, offset);
    return byte;
  }
  const index = reader.s33();
  if (index < 0) reader.fail('malformed heap type', offset);
  if (index >= reader.typeLimit) reader.fail(`unknown type ${index}`, offset);
  return CONCRETE + reader.typeCanon[index];
}

/** The reference type after its first byte (0x63 or 0x64, or a shorthand), which has been read. */
function readRefTypeAfter(reader: Reader, byte: number, offset: number): ValType | -1 {
  let type: number;
  if (byte === REF_NULL_PREFIX || byte === REF_PREFIX) type = refType(readHeapType(reader), byte === REF_NULL_PREFIX);
  else if (ABSTRACT_HEAP_TYPES.has(byte)) type = byte;
  else return -1;
  noteRefType(reader, type, offset);
  return type as ValType;
}

/** A value type; `what` names the construct in the "malformed" message. */
export function readValType(reader: Reader, what = 'value type'): ValType {
  const offset = reader.pos;
  const byte = reader.u8();
  const type = VALUE_TYPES.get(byte);
  if (type !== undefined) {
    if (type === ValType.V128) reader.noteSimd(offset);
    return type;
  }
  const ref = readRefTypeAfter(reader, byte, offset);
  if (ref !== -1) return ref;
  reader.fail(`malformed ${what} ${hexByte(byte)}`, offset);
}

/** A reference type. */
export function readRefType(reader: Reader): ValType {
  const offset = reader.pos;
  const byte = reader.u8();
  const ref = readRefTypeAfter(reader, byte, offset);
  if (ref !== -1) return ref;
  reader.fail(`malformed reference type ${hexByte(byte)}`, offset);
}

const FORM_FUNC = 0x60;
const FORM_STRUCT = 0x5f;
const FORM_ARRAY = 0x5e;
const FORM_SUB = 0x50;
const FORM_SUB_FINAL = 0x4f;
const FORM_REC = 0x4e;

/**
 * The type section: recursive groups of subtypes of function, struct and
 * array types (GC, 3.0). Each group is canonicalised as it is read: a
 * group equivalent to an earlier one (the same shape, with references out
 * of the group to the same types) gets that group's indices in
 * `reader.typeCanon`, and its entries in `types` are that group's objects,
 * so later references to it, and `===` between value types, see one type.
 */
export function readTypeSection(reader: Reader, types: FuncType[]): void {
  const count = reader.count('types', LIMITS.types);
  const groups = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const offset = reader.pos;
    let size = 1;
    if (reader.peek() === FORM_REC) {
      reader.pos++;
      size = reader.count('types in a recursive group', LIMITS.types);
      reader.noteGC(offset);
    }
    const start = types.length;
    if (start + size > LIMITS.types) reader.fail(`too many types: more than ${LIMITS.types}`, offset);
    // Types of the group may refer to each other: their indices are valid, and their own, while it is read.
    for (let k = 0; k < size; k++) reader.typeCanon.push(start + k);
    reader.typeLimit = start + size;
    for (let k = 0; k < size; k++) types.push(readSubType(reader, start, size, start + k));
    canonicaliseGroup(reader, types, start, size, groups);
  }
}

function readSubType(reader: Reader, groupStart: number, groupSize: number, index: number): FuncType {
  const offset = reader.pos;
  const form = reader.peek();
  let final = true;
  let supertype = -1;
  if (form === FORM_SUB || form === FORM_SUB_FINAL) {
    reader.pos++;
    reader.noteGC(offset);
    final = form === FORM_SUB_FINAL;
    const count = reader.count('supertypes');
    // More than one supertype is invalid, not malformed; validate says so (supertype -2).
    for (let i = 0; i < count; i++) {
      const superOffset = reader.pos;
      const superIndex = reader.u32();
      if (superIndex >= index) reader.fail(`unknown type ${superIndex}: a supertype must be defined before its subtype`, superOffset);
      supertype = i === 0 ? reader.typeCanon[superIndex] : -2;
    }
  }
  const composite = readCompositeType(reader);
  if (composite.def === undefined && (!final || supertype !== -1 || groupSize > 1)) {
    composite.def = { kind: TypeKind.Func, fields: [], supertype, final, groupStart, groupSize, index, depth: 0, offset };
  } else if (composite.def !== undefined) {
    Object.assign(composite.def, { supertype, final, groupStart, groupSize, index, offset });
  }
  return composite;
}

function readCompositeType(reader: Reader): FuncType {
  const offset = reader.pos;
  const form = reader.u8();
  switch (form) {
    case FORM_FUNC:
      return { params: readValTypes(reader, 'parameters', LIMITS.params), results: readValTypes(reader, 'results', LIMITS.results) };
    case FORM_STRUCT: {
      reader.noteGC(offset);
      const count = reader.count('struct fields', LIMITS.structFields);
      const fields: FieldType[] = [];
      for (let i = 0; i < count; i++) fields.push(readFieldType(reader));
      return gcType(TypeKind.Struct, fields);
    }
    case FORM_ARRAY:
      reader.noteGC(offset);
      return gcType(TypeKind.Array, [readFieldType(reader)]);
  }
  // The form is a signed LEB128 in the spec; a continuation bit makes it overlong.
  if ((form & 0x80) !== 0) reader.fail('integer representation too long: type form', offset);
  reader.fail(`malformed type form ${hexByte(form)}`, offset);
}

const NO_TYPES: ValType[] = [];

function gcType(kind: TypeKind, fields: FieldType[]): FuncType {
  return { params: NO_TYPES, results: NO_TYPES, def: { kind, fields, supertype: -1, final: true, groupStart: 0, groupSize: 1, index: 0, depth: 0, offset: 0 } };
}

function readFieldType(reader: Reader): FieldType {
  const byte = reader.peek();
  let type: number;
  if (byte === Packed.I8 || byte === Packed.I16) {
    reader.pos++;
    type = byte;
  } else {
    type = readValType(reader, 'storage type');
  }
  const mutOffset = reader.pos;
  const mutability = reader.u8();
  if (mutability > 1) reader.fail(`malformed mutability ${hexByte(mutability)}`, mutOffset);
  return { type, mutable: mutability === 1 };
}

/** A defined type's shape for the group key: references into the group are relative, others canonical. */
function typeKey(type: FuncType, groupStart: number): string {
  const ref = (t: number): string => {
    const index = typeIndexOf(t);
    if (index < 0) return String(t);
    const heap = index >= groupStart ? `r${index - groupStart}` : `c${index}`;
    return `${isNullable(t) ? 'n' : ''}${heap}`;
  };
  const def = type.def;
  if (def === undefined) return `f${type.params.map(ref).join(',')}>${type.results.map(ref).join(',')}`;
  const supertype = def.supertype < 0 ? String(def.supertype) : def.supertype >= groupStart ? `r${def.supertype - groupStart}` : `c${def.supertype}`;
  const head = `${def.final ? 'F' : 'O'}${supertype}:`;
  if (def.kind === TypeKind.Func) return `${head}f${type.params.map(ref).join(',')}>${type.results.map(ref).join(',')}`;
  return `${head}${def.kind === TypeKind.Struct ? 's' : 'a'}${def.fields.map((f) => `${f.mutable ? 'm' : ''}${ref(f.type)}`).join(',')}`;
}

function canonicaliseGroup(reader: Reader, types: FuncType[], start: number, size: number, groups: Map<string, number>): void {
  let key = '';
  for (let k = 0; k < size; k++) key += typeKey(types[start + k], start) + ';';
  const first = groups.get(key);
  if (first === undefined) {
    groups.set(key, start);
    for (let k = 0; k < size; k++) {
      const def = types[start + k].def;
      if (def !== undefined && def.supertype >= 0) def.depth = (types[def.supertype].def?.depth ?? 0) + 1;
    }
    return;
  }
  for (let k = 0; k < size; k++) {
    reader.typeCanon[start + k] = first + k;
    types[start + k] = types[first + k];
  }
}

function readValTypes(reader: Reader, what: string, limit: number): ValType[] {
  const count = reader.count(what, limit);
  const types: ValType[] = [];
  for (let i = 0; i < count; i++) types.push(readValType(reader));
  return types;
}

const LIMITS_HAS_MAX = 1;
const LIMITS_SHARED = 2;
const LIMITS_64 = 4;

/**
 * The limits flags byte. The spec reads it as a LEB128 integer of one bit
 * (two with threads), so a continuation bit is "integer representation too
 * long" and a high bit "integer too large".
 */
function readLimitsFlags(reader: Reader, allowShared: boolean): number {
  const offset = reader.pos;
  const flags = reader.u8();
  if ((flags & 0x80) !== 0) reader.fail('integer representation too long: limits flags', offset);
  const valid = allowShared ? LIMITS_HAS_MAX | LIMITS_SHARED | LIMITS_64 : LIMITS_HAS_MAX | LIMITS_64;
  if ((flags & ~valid) !== 0) reader.fail(`integer too large: limits flags ${hexByte(flags)}`, offset);
  return flags;
}

/** Limits: u32 values, or with memory64's flag u64 ones (Reader.u64: exact to 2^53, beyond any valid size). */
function readLimits(reader: Reader, flags: number): Limits {
  const offset = reader.pos;
  if ((flags & LIMITS_64) === 0) {
    const min = reader.u32();
    if ((flags & LIMITS_HAS_MAX) === 0) return { min, max: null, offset, maxOffset: -1 };
    const maxOffset = reader.pos;
    return { min, max: reader.u32(), offset, maxOffset };
  }
  const min = reader.u64Exact();
  const maxOffset = (flags & LIMITS_HAS_MAX) === 0 ? -1 : reader.pos;
  const max = maxOffset < 0 ? null : reader.u64Exact();
  const limits: Limits = { min: Number(min), max: max === null ? null : Number(max), offset, maxOffset };
  if (min > SAFE || (max !== null && max > SAFE)) limits.exact = { min, max };
  return limits;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function readTableType(reader: Reader): TableType {
  const elemType = readRefType(reader);
  const flags = readLimitsFlags(reader, false);
  return { elemType, limits: readLimits(reader, flags), address64: (flags & LIMITS_64) !== 0 };
}

/**
 * Flags 2 and 3 are the threads proposal's shared memories; whether a shared
 * memory has the maximum it needs is left to validate.
 */
export function readMemoryType(reader: Reader): MemoryType {
  const flags = readLimitsFlags(reader, true);
  return { limits: readLimits(reader, flags), shared: (flags & LIMITS_SHARED) !== 0, address64: (flags & LIMITS_64) !== 0 };
}

export function readGlobalType(reader: Reader): GlobalType {
  const valType = readValType(reader);
  const offset = reader.pos;
  const mutability = reader.u8();
  if (mutability > 1) reader.fail(`malformed mutability ${hexByte(mutability)}`, offset);
  return { valType, mutable: mutability === 1 };
}
