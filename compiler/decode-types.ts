// Decodes the binary encodings of types: value and reference types, function
// types, limits, table, memory and global types. Shared by the section
// decoder and the instruction decoder. Encodings that belong to proposals we
// do not decode (typed references, GC) are CompileErrors naming
// the feature rather than "malformed". v128 and exnref are decoded, and
// noted (Reader.noteSimd, noteExnRef).

import { FuncType, GlobalType, Limits, MemoryType, TableType, ValType } from './ir.js';
import { LIMITS } from './decode-limits.js';
import { Reader } from './reader.js';

/** Raises the CompileError for a construct of a proposal we do not compile yet. */
export function unsupported(reader: Reader, feature: string, offset: number = reader.pos): never {
  reader.fail(`${feature} is not supported yet`, offset);
}

// Value type bytes, and the bytes of later proposals' types with the feature to name.
const VALUE_TYPES = new Map<number, ValType>([
  [0x7f, ValType.I32],
  [0x7e, ValType.I64],
  [0x7d, ValType.F32],
  [0x7c, ValType.F64],
  [0x7b, ValType.V128],
  [0x70, ValType.FuncRef],
  [0x6f, ValType.ExternRef],
  [0x69, ValType.ExnRef],
]);
const REFERENCE_TYPES = new Set<number>([0x70, 0x6f, 0x69]);

const UNSUPPORTED_TYPES = new Map<number, string>([
  [0x64, 'typed function references ((ref ht) type)'],
  [0x63, 'typed function references ((ref null ht) type)'],
  [0x74, 'typed references (nullexnref type)'],
  [0x73, 'garbage collection (nullfuncref type)'],
  [0x72, 'garbage collection (nullexternref type)'],
  [0x71, 'garbage collection (nullref type)'],
  [0x6e, 'garbage collection (anyref type)'],
  [0x6d, 'garbage collection (eqref type)'],
  [0x6c, 'garbage collection (i31ref type)'],
  [0x6b, 'garbage collection (structref type)'],
  [0x6a, 'garbage collection (arrayref type)'],
]);

function hexByte(byte: number): string {
  return '0x' + byte.toString(16).padStart(2, '0');
}

/** A value type; `what` names the construct in the "malformed" message. */
export function readValType(reader: Reader, what = 'value type'): ValType {
  const offset = reader.pos;
  const byte = reader.u8();
  const type = VALUE_TYPES.get(byte);
  if (type !== undefined) {
    if (type === ValType.V128) reader.noteSimd(offset);
    else if (type === ValType.ExnRef) reader.noteExnRef(offset);
    return type;
  }
  const feature = UNSUPPORTED_TYPES.get(byte);
  if (feature !== undefined) unsupported(reader, feature, offset);
  reader.fail(`malformed ${what} ${hexByte(byte)}`, offset);
}

/** funcref or externref. */
export function readRefType(reader: Reader): ValType {
  const offset = reader.pos;
  const byte = reader.u8();
  if (REFERENCE_TYPES.has(byte)) {
    if (byte === ValType.ExnRef) reader.noteExnRef(offset);
    return byte as ValType;
  }
  const feature = UNSUPPORTED_TYPES.get(byte);
  if (feature !== undefined) unsupported(reader, feature, offset);
  reader.fail(`malformed reference type ${hexByte(byte)}`, offset);
}

// Composite type forms of the GC proposal, which may stand where 0x60 does.
const GC_TYPE_FORMS = new Map<number, string>([
  [0x4e, 'garbage collection (rec type group)'],
  [0x50, 'garbage collection (sub type)'],
  [0x4f, 'garbage collection (final sub type)'],
  [0x5f, 'garbage collection (struct type)'],
  [0x5e, 'garbage collection (array type)'],
]);

export function readFuncType(reader: Reader): FuncType {
  const offset = reader.pos;
  const form = reader.u8();
  if (form !== 0x60) {
    // The form is a signed LEB128 (-0x20) in the spec; a continuation bit makes it overlong.
    if ((form & 0x80) !== 0) reader.fail('integer representation too long: function type form', offset);
    const feature = GC_TYPE_FORMS.get(form);
    if (feature !== undefined) unsupported(reader, feature, offset);
    reader.fail(`malformed function type ${hexByte(form)}`, offset);
  }
  return { params: readValTypes(reader, 'parameters', LIMITS.params), results: readValTypes(reader, 'results', LIMITS.results) };
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
