// The little binary-format work the runner needs without trusting the engine
// under test: reading the types of a module's exports (functions and
// globals), and encoding the wrapper modules that carry floats (as bits),
// v128 values (as 4 i32 words) and exnref values (as ref.is_null's i32)
// across the JS boundary (see values.js). It reads what valid 3.0 modules
// hold before their export section: the type section's recursive groups,
// subtypes, struct and array types, every reference type, tables with
// initialisers, and the constant instructions of global initialisers
// (extended constants and GC's). Anything else gives up with an Error.
//
// Value types are named as the text format spells them: i32 ... v128, the
// nullable abstract references by their shorthands (funcref, externref,
// exnref, anyref, eqref, i31ref, structref, arrayref, nullref,
// nullfuncref, nullexternref, nullexnref), and other references in full:
// `(ref func)`, `(ref null 3)`, `(ref 3)` (a type index).
//
// References cross the JS boundary as they are (the JS API converts them,
// checking their types), except exnref and its kin, so a signature of
// references and integers needs no wrapper. One that also has a float or
// v128 does, and its wrapper imports the function at its exact type: type
// imports match by type equivalence, which for a type in a rec group, a
// subtype or a type that refers to other types means the same definitions.
// So such a wrapper copies the module's whole type section and appends its
// own type after it (typeSectionFor); the 2.0 signatures keep the one-type
// wrappers, the same bytes across modules (compiled once per engine).

const NUMBER_TYPES = new Map([
  [0x7f, 'i32'],
  [0x7e, 'i64'],
  [0x7d, 'f32'],
  [0x7c, 'f64'],
  [0x7b, 'v128'],
]);
/** The abstract heap types, by their byte (a negative s33 in one byte). */
const ABSTRACT_HEAP_TYPES = new Map([
  [0x74, 'noexn'],
  [0x73, 'nofunc'],
  [0x72, 'noextern'],
  [0x71, 'none'],
  [0x70, 'func'],
  [0x6f, 'extern'],
  [0x6e, 'any'],
  [0x6d, 'eq'],
  [0x6c, 'i31'],
  [0x6b, 'struct'],
  [0x6a, 'array'],
  [0x69, 'exn'],
]);
const HEAP_TYPE_CODES = new Map([...ABSTRACT_HEAP_TYPES].map(([code, name]) => [name, code]));
/** `(ref null ht)` by its shorthand, for the abstract heap types. */
const SHORTHANDS = new Map([
  ['noexn', 'nullexnref'],
  ['nofunc', 'nullfuncref'],
  ['noextern', 'nullexternref'],
  ['none', 'nullref'],
  ['func', 'funcref'],
  ['extern', 'externref'],
  ['any', 'anyref'],
  ['eq', 'eqref'],
  ['i31', 'i31ref'],
  ['struct', 'structref'],
  ['array', 'arrayref'],
  ['exn', 'exnref'],
]);
const SHORTHAND_HEAP_TYPES = new Map([...SHORTHANDS].map(([heap, name]) => [name, heap]));
const NUMBER_TYPE_CODES = new Map([...NUMBER_TYPES].map(([code, name]) => [name, code]));

const REF_NULL = 0x63;
const REF = 0x64;
/** Type section forms (comptype and the rec and sub wrappers). */
const FORM = { rec: 0x4e, sub: 0x50, subFinal: 0x4f, func: 0x60, struct: 0x5f, array: 0x5e };
/** Packed storage types of struct and array fields. */
const PACKED_TYPES = new Set([0x78, 0x77]);

/** Import and export kinds (externtype), by their byte. */
const EXTERN_KINDS = ['function', 'table', 'memory', 'global', 'tag'];

/**
 * The immediates of the constant instructions after the 0xfb (GC) prefix:
 * how many u32 (type indices, array.new_fixed's length) each takes.
 */
const GC_CONSTANT_IMMEDIATES = new Map([
  [0x00, 1], // struct.new
  [0x01, 1], // struct.new_default
  [0x06, 1], // array.new
  [0x07, 1], // array.new_default
  [0x08, 2], // array.new_fixed
  [0x1a, 0], // any.convert_extern
  [0x1b, 0], // extern.convert_any
  [0x1c, 0], // ref.i31
]);

/**
 * A module's defined types, as much as a wrapper needs: the type section's
 * entries (the bytes after its count), how many rec groups and types they
 * make, each type's kind, and whether the section is 2.0's (only plain
 * function types: then a type means the same in any module).
 * @typedef {{ entries: Uint8Array, groupCount: number, kinds: ('func' | 'struct' | 'array')[], plain: boolean }} DefinedTypes
 *
 * A function type; `typeIndex` and `definedTypes` say where it is defined.
 * @typedef {{ params: string[], results: string[], typeIndex?: number, definedTypes?: DefinedTypes }} FuncType
 *
 * @typedef {{ kind: 'function', type: FuncType } | { kind: 'global', type: string, mutable: boolean }
 *   | { kind: 'table' | 'memory' | 'tag' }} ExportInfo
 */

/**
 * The types of a module's exports, by export name.
 * @param {Uint8Array} bytes a valid module
 * @returns {Map<string, ExportInfo>}
 */
export function readExports(bytes) {
  let pos = 8;
  const byte = () => {
    if (pos >= bytes.length) throw new Error('unexpected end');
    return bytes[pos++];
  };
  const u32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const skipLeb = () => {
    while (byte() & 0x80);
  };
  /** A heap type (s33): an abstract type's name, or a type index. */
  const heapType = () => {
    const code = bytes[pos];
    if (ABSTRACT_HEAP_TYPES.has(code)) return (pos++, ABSTRACT_HEAP_TYPES.get(code));
    const index = u32(); // a non-negative s33 below 2^32 reads as its u32
    if (index >= 2 ** 32 || (bytes[pos - 1] & 0x40) !== 0) throw new Error(`unknown heap type 0x${code.toString(16)}`);
    return index;
  };
  const valueType = () => {
    const code = byte();
    if (NUMBER_TYPES.has(code)) return NUMBER_TYPES.get(code);
    if (ABSTRACT_HEAP_TYPES.has(code)) return SHORTHANDS.get(ABSTRACT_HEAP_TYPES.get(code));
    if (code === REF_NULL || code === REF) return referenceTypeName(heapType(), code === REF_NULL);
    throw new Error(`unknown value type 0x${code.toString(16)}`);
  };
  const fieldType = () => {
    if (PACKED_TYPES.has(bytes[pos])) pos++;
    else valueType();
    byte(); // mutability
  };
  const name = () => {
    const length = u32();
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(pos, pos + length));
    pos += length;
    return text;
  };
  const limits = () => {
    const flags = byte();
    u32();
    if (flags & 1) u32();
  };
  const skipConstExpr = () => {
    for (;;) {
      const op = byte();
      if (op === 0x0b) return;
      if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) skipLeb();
      else if (op === 0x43) pos += 4;
      else if (op === 0x44) pos += 8;
      else if (op === 0xd0) heapType();
      else if (op === 0xfd) (skipLeb(), (pos += 16)); // v128.const, the one constant SIMD instruction
      else if (op === 0xfb) {
        const gcOp = u32();
        if (!GC_CONSTANT_IMMEDIATES.has(gcOp)) throw new Error(`unsupported constant instruction 0xfb ${gcOp}`);
        for (let i = GC_CONSTANT_IMMEDIATES.get(gcOp); i > 0; i--) u32();
      } else if ((op >= 0x6a && op <= 0x6c) || (op >= 0x7c && op <= 0x7e)) continue; // extended constants: i32/i64 add, sub, mul
      else throw new Error(`unsupported constant instruction 0x${op.toString(16)}`);
    }
  };
  /** One subtype of the type section: its kind, and for a function type its params and results. */
  const subType = (definedTypes) => {
    let form = byte();
    if (form === FORM.sub || form === FORM.subFinal) {
      for (let count = u32(); count > 0; count--) u32(); // supertypes
      form = byte();
      definedTypes.plain = false;
    }
    if (form === FORM.func) {
      const params = Array.from({ length: u32() }, valueType);
      const results = Array.from({ length: u32() }, valueType);
      definedTypes.kinds.push('func');
      return { params, results, typeIndex: definedTypes.kinds.length - 1, definedTypes };
    }
    definedTypes.plain = false;
    if (form === FORM.struct) {
      for (let count = u32(); count > 0; count--) fieldType();
      definedTypes.kinds.push('struct');
    } else if (form === FORM.array) {
      fieldType();
      definedTypes.kinds.push('array');
    } else {
      throw new Error(`unknown type form 0x${form.toString(16)}`);
    }
    return null;
  };

  /** @type {(FuncType | null)[]} by type index; null for struct and array types */
  const types = [];
  /** @type {FuncType[]} */
  const functions = [];
  /** @type {{ type: string, mutable: boolean }[]} */
  const globals = [];
  /** @type {Map<string, ExportInfo>} */
  const exports = new Map();

  while (pos < bytes.length) {
    const id = byte();
    const size = u32();
    const end = pos + size;
    if (id === 1) {
      const groupCount = u32();
      /** @type {DefinedTypes} */
      const definedTypes = { entries: bytes.subarray(pos, end), groupCount, kinds: [], plain: true };
      for (let count = groupCount; count > 0; count--) {
        if (bytes[pos] === FORM.rec) {
          pos++;
          definedTypes.plain = false;
          for (let members = u32(); members > 0; members--) types.push(subType(definedTypes));
        } else {
          types.push(subType(definedTypes));
        }
      }
    } else if (id === 2) {
      for (let count = u32(); count > 0; count--) {
        name();
        name();
        const kind = byte();
        if (kind === 0) functions.push(functionType(types, u32()));
        else if (kind === 1) (valueType(), limits());
        else if (kind === 2) limits();
        else if (kind === 3) globals.push({ type: valueType(), mutable: byte() === 1 });
        else if (kind === 4) (byte(), u32()); // a tag: attribute 0 (exception), type index
        else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 3) {
      for (let count = u32(); count > 0; count--) functions.push(functionType(types, u32()));
    } else if (id === 6) {
      for (let count = u32(); count > 0; count--) {
        globals.push({ type: valueType(), mutable: byte() === 1 });
        skipConstExpr();
      }
    } else if (id === 7) {
      for (let count = u32(); count > 0; count--) {
        const exportName = name();
        const kind = byte();
        const index = u32();
        if (kind === 0) exports.set(exportName, { kind: 'function', type: functions[index] });
        else if (kind === 3) exports.set(exportName, { kind: 'global', ...globals[index] });
        else if (EXTERN_KINDS[kind]) exports.set(exportName, { kind: EXTERN_KINDS[kind] });
        else throw new Error(`unknown export kind ${kind}`);
      }
      return exports;
    }
    // Other sections go by unread: tables (initialisers included), memories
    // and tags (section 13) need no more than their export kind.
    pos = end;
  }
  return exports;
}

function functionType(types, index) {
  const type = types[index];
  if (!type) throw new Error(`type ${index} is not a function type`);
  return type;
}

/** A reference type's name (see the top of this file). */
function referenceTypeName(heap, nullable) {
  if (nullable && typeof heap === 'string') return SHORTHANDS.get(heap);
  return `(ref ${nullable ? 'null ' : ''}${heap})`;
}

/** A reference type's heap type and nullability, or null for a number or vector type. */
function referenceParts(t) {
  if (SHORTHAND_HEAP_TYPES.has(t)) return { heap: SHORTHAND_HEAP_TYPES.get(t), nullable: true };
  const match = /^\(ref (null )?(\w+)\)$/.exec(t);
  if (!match) return null;
  return { heap: /^\d+$/.test(match[2]) ? Number(match[2]) : match[2], nullable: match[1] !== undefined };
}

export function isReference(t) {
  return referenceParts(t) !== null;
}

/**
 * The hierarchy a reference type belongs to: 'func', 'extern', 'any' or
 * 'exn' (a type index by its kind, from `definedTypes`); undefined for a
 * number or vector type, or an index it cannot look up.
 * @param {string} t
 * @param {DefinedTypes} [definedTypes]
 */
export function referenceHierarchy(t, definedTypes) {
  const parts = referenceParts(t);
  if (!parts) return undefined;
  const { heap } = parts;
  if (typeof heap === 'number') {
    const kind = definedTypes?.kinds[heap];
    return kind === undefined ? undefined : kind === 'func' ? 'func' : 'any';
  }
  if (heap === 'func' || heap === 'nofunc') return 'func';
  if (heap === 'extern' || heap === 'noextern') return 'extern';
  if (heap === 'exn' || heap === 'noexn') return 'exn';
  return 'any';
}

/** The bytes of a value type named as readExports names them. */
function encodeValueType(t) {
  if (NUMBER_TYPE_CODES.has(t)) return [NUMBER_TYPE_CODES.get(t)];
  const parts = referenceParts(t);
  if (!parts) throw new Error(`unknown value type ${t}`);
  if (parts.nullable && typeof parts.heap === 'string') return [HEAP_TYPE_CODES.get(parts.heap)];
  return [parts.nullable ? REF_NULL : REF, ...encodeHeapType(parts.heap)];
}

function encodeHeapType(heap) {
  return typeof heap === 'number' ? sleb(heap) : [HEAP_TYPE_CODES.get(heap)];
}

/** exnref and its kin: references the JS API lets through in neither direction. */
export function isExceptionReference(t) {
  return referenceHierarchy(t) === 'exn';
}

/**
 * Does a signature need a wrapper: has it an f32 or f64 (which must not pass
 * through JS as numbers), or a v128 or exnref (which cannot pass through JS
 * at all)?
 */
export function needsWrapper(type) {
  return [...type.params, ...type.results].some((t) => t === 'f32' || t === 'f64' || t === 'v128' || isExceptionReference(t));
}

/**
 * The types a wrapper uses in place of one type: a float's bits as an
 * integer, a v128's 4 little-endian 32-bit words, an exnref's ref.is_null
 * (1 for null); any other reference as itself.
 */
export function wireTypes(t) {
  if (t === 'f32') return ['i32'];
  if (t === 'f64') return ['i64'];
  if (t === 'v128') return ['i32', 'i32', 'i32', 'i32'];
  if (isExceptionReference(t)) return ['i32'];
  return [t];
}

const OP = {
  localGet: 0x20,
  localSet: 0x21,
  globalGet: 0x23,
  call: 0x10,
  end: 0x0b,
  i32ReinterpretF32: 0xbc,
  i64ReinterpretF64: 0xbd,
  f32ReinterpretI32: 0xbe,
  f64ReinterpretI64: 0xbf,
  refNull: 0xd0,
  refIsNull: 0xd1,
  simdPrefix: 0xfd,
};
// After the 0xfd prefix, as LEB128 u32 (all below 0x80, so one byte); the lane is a byte immediate.
const SIMD_OP = {
  i32x4Splat: 0x11,
  i32x4ExtractLane: 0x1b,
  i32x4ReplaceLane: 0x1c,
};

/**
 * Code that reads wrapper parameters `first`.. (wire types) and leaves one
 * value of type `t`. An exnref is always null (the script format writes no
 * other exnref argument), so its parameter goes unread.
 */
function fromWire(t, first) {
  if (isExceptionReference(t)) return [OP.refNull, ...encodeHeapType(referenceParts(t).heap)];
  if (t === 'v128') {
    const code = [OP.localGet, ...leb(first), OP.simdPrefix, SIMD_OP.i32x4Splat];
    for (let lane = 1; lane < 4; lane++) code.push(OP.localGet, ...leb(first + lane), OP.simdPrefix, SIMD_OP.i32x4ReplaceLane, lane);
    return code;
  }
  const code = [OP.localGet, ...leb(first)];
  if (t === 'f32') code.push(OP.f32ReinterpretI32);
  if (t === 'f64') code.push(OP.f64ReinterpretI64);
  return code;
}

/** Code that turns the value of type `t` that `get` pushes into its wire types. */
function toWire(t, get) {
  if (t === 'v128') return [0, 1, 2, 3].flatMap((lane) => [...get, OP.simdPrefix, SIMD_OP.i32x4ExtractLane, lane]);
  if (isExceptionReference(t)) return [...get, OP.refIsNull];
  if (t === 'f32') return [...get, OP.i32ReinterpretF32];
  if (t === 'f64') return [...get, OP.i64ReinterpretF64];
  return get;
}

/**
 * A module importing `m.f` of type `type` and exporting `w`, which takes the
 * same parameters in wire types (floats as bits, v128 as 4 words, exnref as
 * ref.is_null), calls f, and returns its results in wire types.
 * @param {FuncType} type
 */
export function functionWrapper(type) {
  const wrapperType = { params: type.params.flatMap(wireTypes), results: type.results.flatMap(wireTypes) };
  const code = [];
  let param = 0;
  for (const t of type.params) {
    code.push(...fromWire(t, param));
    param += wireTypes(t).length;
  }
  code.push(OP.call, 0);
  // f's results, one local each (after the wrapper's parameters), to take apart in order.
  const firstResultLocal = wrapperType.params.length;
  for (let i = type.results.length - 1; i >= 0; i--) code.push(OP.localSet, ...leb(firstResultLocal + i));
  type.results.forEach((t, i) => code.push(...toWire(t, [OP.localGet, ...leb(firstResultLocal + i)])));
  code.push(OP.end);
  const locals = vec(type.results.map((t) => [1, ...encodeValueType(t)]));
  if (needsDefinedTypes(type)) {
    // The module's own types first, at their indices; the wrapper's after them.
    const { entries, groupCount, kinds } = type.definedTypes;
    const typeSection = [...leb(groupCount + 1), ...entries, ...encodeFuncType(wrapperType)];
    return module(typeSection, importEntry('f', [0x00, ...leb(type.typeIndex)]), kinds.length, 1, [...locals, ...code]);
  }
  return module(vec([type, wrapperType].map(encodeFuncType)), importEntry('f', [0x00, 0]), 1, 1, [...locals, ...code]);
}

/**
 * Must a wrapper of this function type copy its module's types: is the type
 * part of a 3.0 type section (rec groups, subtypes, structs, arrays), or
 * does it name a type by index?
 * @param {FuncType} type
 */
function needsDefinedTypes(type) {
  if (!type.definedTypes) return false;
  return !type.definedTypes.plain || [...type.params, ...type.results].some((t) => typeof referenceParts(t)?.heap === 'number');
}

/** A module importing global `m.g` and exporting `w`, which returns its value in wire types. */
export function globalWrapper(type, mutable) {
  const code = [...toWire(type, [OP.globalGet, 0]), OP.end];
  const getterType = { params: [], results: wireTypes(type) };
  return module(vec([encodeFuncType(getterType)]), importEntry('g', [0x03, ...encodeValueType(type), mutable ? 1 : 0]), 0, 0, [0, ...code]);
}

function encodeFuncType({ params, results }) {
  return [FORM.func, ...vec(params.map(encodeValueType)), ...vec(results.map(encodeValueType))];
}

function importEntry(field, description) {
  return [...nameBytes('m'), ...nameBytes(field), ...description];
}

/** One import, one defined function (type index, function index) exported as `w`, its body (locals + code). */
function module(typeSection, importBytes, functionType, functionIndex, body) {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, typeSection),
    ...section(2, vec([importBytes])),
    ...section(3, vec([leb(functionType)])),
    ...section(7, vec([[...nameBytes('w'), 0x00, functionIndex]])),
    ...section(10, vec([[...leb(body.length), ...body]])),
  ]);
}

function section(id, contents) {
  return [id, ...leb(contents.length), ...contents];
}

/** A vector: LEB count, then the items' bytes. */
function vec(items) {
  return [...leb(items.length), ...items.flat()];
}

function nameBytes(text) {
  const bytes = new TextEncoder().encode(text);
  return [...leb(bytes.length), ...bytes];
}

function leb(value) {
  const out = [];
  do {
    let b = value & 0x7f;
    value >>>= 7;
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

/** A non-negative type index as a signed LEB128 (s33, as heap types are). */
function sleb(value) {
  const out = [];
  for (;;) {
    const b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value === 0 && (b & 0x40) === 0) return [...out, b];
    out.push(b | 0x80);
  }
}
