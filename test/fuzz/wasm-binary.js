// Just enough of the wasm binary format for the fuzzer: the module's
// interface (types, imports, exports and their signatures, which the JS API
// does not reflect), raw sections to rebuild a module from, and instruction
// boundaries in function bodies, which the reducer cuts along. Reads what
// WebAssembly 2.0 defines, fixed-width SIMD included (and the relaxed SIMD
// opcodes, which have no immediates), tail calls, exception handling in
// both encodings (tags, exnref, the final try_table and throw_ref and the
// legacy try, catch, catch_all, delegate and rethrow), and garbage
// collection with typed function references: rec groups, subtypes, struct
// and array types, (ref null? ht) value types, tables with an initialiser,
// and the 0xfb instructions, call_ref, br_on_null and the rest. Anything
// else is an Error, since the fuzzer only looks at modules the native
// engine has already accepted.
//
// Value types are strings: 'i32', ..., 'v128', a reference type by its
// text-format shorthand where it has one ('funcref', 'anyref', 'nullref',
// ...), otherwise '(ref null 3)', '(ref 3)', '(ref any)'.

import { leb as u32, sleb, name, vec as vector, concat } from '../helpers/wasm-bytes.js';

export const SECTION = { custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, element: 9, code: 10, data: 11, datacount: 12, tag: 13 };
const SECTION_NAMES = Object.fromEntries(Object.entries(SECTION).map(([section, id]) => [id, section]));

const NUMERIC_TYPES = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };
/** Abstract heap types by their byte. */
const HEAP_TYPES = { 0x73: 'nofunc', 0x72: 'noextern', 0x71: 'none', 0x70: 'func', 0x6f: 'extern', 0x6e: 'any', 0x6d: 'eq', 0x6c: 'i31', 0x6b: 'struct', 0x6a: 'array', 0x69: 'exn', 0x74: 'noexn' };
const HEAP_BYTE = Object.fromEntries(Object.entries(HEAP_TYPES).map(([byte, heap]) => [heap, Number(byte)]));
/** The shorthand of (ref null ht) for each abstract heap type: the same byte stands for both. */
const NULLABLE = { func: 'funcref', extern: 'externref', any: 'anyref', eq: 'eqref', i31: 'i31ref', struct: 'structref', array: 'arrayref', exn: 'exnref', none: 'nullref', nofunc: 'nullfuncref', noextern: 'nullexternref', noexn: 'nullexnref' };
/** Value type name -> its byte, for the types that are one byte. */
export const TYPE_BYTE = {
  ...Object.fromEntries(Object.entries(NUMERIC_TYPES).map(([byte, type]) => [type, Number(byte)])),
  ...Object.fromEntries(Object.entries(NULLABLE).map(([heap, type]) => [type, HEAP_BYTE[heap]])),
};
/** The value types of the proposals before GC: any other is a GC or typed function reference type. */
const PRE_GC_TYPES = new Set(['i32', 'i64', 'f32', 'f64', 'v128', 'funcref', 'externref', 'exnref']);
const EXTERNAL_KINDS = ['function', 'table', 'memory', 'global', 'tag'];
const REF = 0x64, REF_NULL = 0x63;
/** Type section forms: rec group, sub, sub final, and the composite types func, struct, array. */
const REC = 0x4e, SUB = 0x50, SUB_FINAL = 0x4f, FUNC = 0x60, STRUCT = 0x5f, ARRAY = 0x5e;
/** Packed field types, which only structs and arrays store. */
const PACKED_TYPES = { 0x78: 'i8', 0x77: 'i16' };

/** True for a value type of GC or typed function references (anything but 2.0's and exnref). */
export function isGcType(type) {
  return !PRE_GC_TYPES.has(type);
}

/**
 * A byte cursor over `bytes`, from `offset`. `gcAt` is the offset of the
 * first GC or typed-reference construct it read (a type, heap type or
 * composite type form), or null.
 */
export function reader(bytes, offset = 0) {
  const r = {
    bytes,
    offset,
    gcAt: null,
    peek() {
      if (r.offset >= bytes.length) throw new Error(`unexpected end at 0x${r.offset.toString(16)}`);
      return bytes[r.offset];
    },
    noteGc(at) {
      r.gcAt ??= at;
    },
    byte() {
      if (r.offset >= bytes.length) throw new Error(`unexpected end at 0x${r.offset.toString(16)}`);
      return bytes[r.offset++];
    },
    u32() {
      let result = 0;
      for (let shift = 0; ; shift += 7) {
        const b = r.byte();
        result += (b & 0x7f) * 2 ** shift;
        if (!(b & 0x80)) return result;
      }
    },
    /** A signed LEB128 of any width, skipped (immediates the fuzzer never reads). */
    skipLeb() {
      while (r.byte() & 0x80);
    },
    name() {
      const length = r.u32();
      const text = new TextDecoder().decode(bytes.subarray(r.offset, r.offset + length));
      r.offset += length;
      return text;
    },
    valueType() {
      const start = r.offset;
      const b = r.byte();
      let type;
      if (b in NUMERIC_TYPES) type = NUMERIC_TYPES[b];
      else if (b in HEAP_TYPES) type = NULLABLE[HEAP_TYPES[b]];
      else if (b === REF_NULL || b === REF) {
        const heap = r.heapType(false); // noted below, from the type's first byte
        type = b === REF_NULL && heap in NULLABLE ? NULLABLE[heap] : `(ref ${b === REF_NULL ? 'null ' : ''}${heap})`;
      } else throw new Error(`unknown value type 0x${b.toString(16)} at 0x${start.toString(16)}`);
      if (isGcType(type)) r.noteGc(start);
      return type;
    },
    /** An abstract heap type's name, or a type index (a non-negative s33); `note`: noted as GC unless func, extern or exn. */
    heapType(note = true) {
      const start = r.offset;
      const b = r.peek();
      if (b in HEAP_TYPES) {
        r.offset++;
        if (note && !['func', 'extern', 'exn'].includes(HEAP_TYPES[b])) r.noteGc(start);
        return HEAP_TYPES[b];
      }
      if (b & 0x40 && !(b & 0x80)) throw new Error(`unknown heap type 0x${b.toString(16)} at 0x${start.toString(16)}`);
      if (note) r.noteGc(start);
      return r.u32();
    },
    /** A block type: empty (0x40), a value type, or a type index (s33). */
    blockType() {
      const b = r.peek();
      if (b === 0x40) r.offset++;
      else if (b in NUMERIC_TYPES || b in HEAP_TYPES || b === REF || b === REF_NULL) r.valueType();
      else r.u32();
    },
    limits() {
      const flags = r.byte();
      const initial = r.u32();
      return flags & 1 ? { initial, maximum: r.u32() } : { initial };
    },
  };
  return r;
}

/**
 * The module's sections (raw payloads, in order) and its interface.
 * @param {Uint8Array} bytes
 */
export function parseModule(bytes) {
  const r = reader(bytes, 8);
  const module = { sections: [], types: [], typeEntries: [], imports: [], functions: [], tables: [], memories: [], globals: [], tags: [], exports: [], bodies: [], gc: null };
  while (r.offset < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.offset;
    module.sections.push({ id, payload: bytes.subarray(start, start + size) });
    const sectionReader = reader(bytes.subarray(0, start + size), start);
    readSection(module, id, sectionReader);
    if (sectionReader.gcAt !== null) module.gc ??= `at 0x${sectionReader.gcAt.toString(16)}, ${SECTION_NAMES[id]} section`;
    r.offset = start + size;
  }
  // Function index space: imports first.
  const importedFunctions = module.imports.filter((entry) => entry.kind === 'function').map((entry) => entry.typeIndex);
  module.functionTypes = [...importedFunctions, ...module.functions].map((typeIndex) => module.types[typeIndex]);
  module.importedFunctionCount = importedFunctions.length;
  module.globalTypes = [...module.imports.filter((entry) => entry.kind === 'global').map((entry) => entry.global), ...module.globals];
  module.tableTypes = [...module.imports.filter((entry) => entry.kind === 'table').map((entry) => entry.table), ...module.tables];
  module.memoryCount = module.imports.filter((entry) => entry.kind === 'memory').length + module.memories.length;
  // Tag index space, imports first: each tag's function type index.
  module.tagTypes = [...module.imports.filter((entry) => entry.kind === 'tag').map((entry) => entry.typeIndex), ...module.tags];
  return module;
}

function readSection(module, id, r) {
  if (![SECTION.type, SECTION.import, SECTION.function, SECTION.table, SECTION.memory, SECTION.global, SECTION.export, SECTION.code, SECTION.tag].includes(id)) return;
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    if (id === SECTION.type) {
      const start = r.offset;
      module.types.push(...recursiveTypes(r));
      module.typeEntries.push(r.bytes.subarray(start, r.offset));
    } else if (id === SECTION.import) {
      const entry = { module: r.name(), name: r.name(), kind: EXTERNAL_KINDS[r.byte()] };
      if (entry.kind === 'function') entry.typeIndex = r.u32();
      else if (entry.kind === 'table') entry.table = { element: r.valueType(), ...r.limits() };
      else if (entry.kind === 'memory') entry.memory = r.limits();
      else if (entry.kind === 'global') entry.global = { value: r.valueType(), mutable: r.byte() === 1 };
      else if (entry.kind === 'tag') entry.typeIndex = tagType(r);
      else throw new Error('unknown import kind');
      module.imports.push(entry);
    } else if (id === SECTION.function) {
      module.functions.push(r.u32());
    } else if (id === SECTION.table) {
      // 0x40 0x00: a table with an initialiser expression (typed function references).
      const initialised = r.peek() === 0x40;
      if (initialised && (r.byte(), r.byte()) !== 0) throw new Error(`unknown table encoding at 0x${(r.offset - 1).toString(16)}`);
      module.tables.push({ element: r.valueType(), ...r.limits() });
      if (initialised) skipConstantExpression(r);
    } else if (id === SECTION.memory) {
      module.memories.push(r.limits());
    } else if (id === SECTION.global) {
      module.globals.push({ value: r.valueType(), mutable: r.byte() === 1 });
      skipConstantExpression(r);
    } else if (id === SECTION.tag) {
      module.tags.push(tagType(r));
    } else if (id === SECTION.export) {
      module.exports.push({ name: r.name(), kind: EXTERNAL_KINDS[r.byte()], index: r.u32() });
    } else if (id === SECTION.code) {
      const size = r.u32();
      module.bodies.push(r.bytes.subarray(r.offset, r.offset + size));
      r.offset += size;
    }
  }
}

/**
 * One entry of the type section: a function type (2.0), or with GC a
 * composite type, a subtype (sub, sub final) or a rec group of subtypes.
 * Each type it defines, in index order: a function type as { params,
 * results } (as before GC), { kind: 'struct', fields } or { kind: 'array',
 * fields: [field] }, a field being { type, mutable } with type 'i8' or
 * 'i16' where it is packed.
 */
function recursiveTypes(r) {
  if (r.peek() !== REC) return [subType(r)];
  r.noteGc(r.offset);
  r.byte();
  return Array.from({ length: r.u32() }, () => subType(r));
}

function subType(r) {
  const form = r.peek();
  if (form === SUB || form === SUB_FINAL) {
    r.noteGc(r.offset);
    r.byte();
    for (let n = r.u32(); n > 0; n--) r.u32(); // supertypes
  }
  const start = r.offset;
  const kind = r.byte();
  if (kind === FUNC) {
    const params = Array.from({ length: r.u32() }, () => r.valueType());
    const results = Array.from({ length: r.u32() }, () => r.valueType());
    return { params, results };
  }
  r.noteGc(start);
  if (kind === STRUCT) return { kind: 'struct', fields: Array.from({ length: r.u32() }, () => fieldType(r)) };
  if (kind === ARRAY) return { kind: 'array', fields: [fieldType(r)] };
  throw new Error(`unknown type form 0x${kind.toString(16)} at 0x${start.toString(16)}`);
}

function fieldType(r) {
  const packed = PACKED_TYPES[r.peek()];
  if (packed) r.byte();
  const type = packed ?? r.valueType();
  const mutability = r.byte();
  if (mutability > 1) throw new Error(`unknown mutability ${mutability} at 0x${(r.offset - 1).toString(16)}`);
  return { type, mutable: mutability === 1 };
}

/** A tag type: the attribute byte (0, an exception) and the index of its function type. */
function tagType(r) {
  const attribute = r.byte();
  if (attribute !== 0) throw new Error(`unknown tag attribute ${attribute}`);
  return r.u32();
}

function skipConstantExpression(r) {
  for (;;) {
    const op = r.byte();
    if (op === 0x0b) return;
    skipImmediates(r, op);
  }
}

/**
 * Skips the immediates of the instruction whose opcode byte was just read.
 * Covers WebAssembly 2.0, tail calls, exception handling, and GC with typed
 * function references.
 */
function skipImmediates(r, op) {
  if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x06) return r.blockType();
  // br, br_if, call, return_call, ref.func, locals and globals; throw, catch (a tag), rethrow, delegate (a label)
  if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12 || op === 0xd2 || (op >= 0x20 && op <= 0x26) || (op >= 0x07 && op <= 0x09) || op === 0x18) return r.u32();
  // call_ref and return_call_ref (a type), br_on_null and br_on_non_null (a label)
  if (op === 0x14 || op === 0x15 || op === 0xd5 || op === 0xd6) return (r.noteGc(r.offset - 1), r.u32());
  if (op === 0xd3 || op === 0xd4) return r.noteGc(r.offset - 1); // ref.eq, ref.as_non_null
  if (op === 0x1f) {
    // try_table: a block type, then catch clauses: kind (catch, catch_ref, catch_all, catch_all_ref), a tag for the first two, a label
    r.blockType();
    for (let n = r.u32(); n > 0; n--) {
      const kind = r.byte();
      if (kind > 3) throw new Error(`unknown catch kind ${kind} at 0x${(r.offset - 1).toString(16)}`);
      if (kind < 2) r.u32();
      r.u32();
    }
    return;
  }
  if (op === 0x0e) {
    const n = r.u32();
    for (let i = 0; i <= n; i++) r.u32();
    return;
  }
  if (op === 0x11 || op === 0x13) return (r.u32(), r.u32());
  if (op === 0x1c) {
    const n = r.u32();
    for (let i = 0; i < n; i++) r.valueType();
    return;
  }
  if (op >= 0x28 && op <= 0x3e) return (r.u32(), r.u32());
  if (op === 0x3f || op === 0x40) return r.byte();
  if (op === 0x41 || op === 0x42) return r.skipLeb();
  if (op === 0x43) return void (r.offset += 4);
  if (op === 0x44) return void (r.offset += 8);
  if (op === 0xd0) return r.heapType();
  if (op === 0xfd) return skipSimdImmediates(r, r.u32());
  if (op === 0xfb) {
    r.noteGc(r.offset - 1);
    return skipGcImmediates(r, r.u32());
  }
  if (op === 0xfc) {
    const sub = r.u32();
    if (sub <= 7) return;
    if (sub === 8) return (r.u32(), r.byte());
    if (sub === 10) return (r.byte(), r.byte());
    if (sub === 11) return r.byte();
    if (sub === 12 || sub === 14) return (r.u32(), r.u32());
    if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) return r.u32();
    throw new Error(`unknown 0xfc instruction ${sub}`);
  }
  if (op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0a || op === 0x0b || op === 0x0f || op === 0x19 || op === 0x1a || op === 0x1b || op === 0xd1) return;
  if (op >= 0x45 && op <= 0xc4) return;
  throw new Error(`unknown opcode 0x${op.toString(16)} at 0x${(r.offset - 1).toString(16)}`);
}

/**
 * After 0xfb and its sub-opcode: struct.new and struct.new_default (a
 * type), struct.get, get_s, get_u and set (a type and a field), array.new,
 * new_default, get, get_s, get_u, set and fill (a type), array.new_fixed (a
 * type and a length), array.new_data, new_elem, init_data and init_elem (a
 * type and a segment), array.copy (two types), array.len (nothing), ref.test
 * and ref.cast (a heap type), br_on_cast and br_on_cast_fail (flags, a
 * label, two heap types); nothing for any.convert_extern,
 * extern.convert_any, ref.i31, i31.get_s and i31.get_u.
 */
function skipGcImmediates(r, sub) {
  if (sub === 0 || sub === 1 || (sub >= 6 && sub <= 7) || (sub >= 11 && sub <= 14) || sub === 16) return r.u32();
  if ((sub >= 2 && sub <= 5) || (sub >= 8 && sub <= 10) || sub === 17 || sub === 18 || sub === 19) return (r.u32(), r.u32());
  if (sub === 15 || (sub >= 26 && sub <= 30)) return;
  if (sub >= 20 && sub <= 23) return r.heapType();
  if (sub === 24 || sub === 25) return (r.byte(), r.u32(), r.heapType(), r.heapType());
  throw new Error(`unknown 0xfb instruction ${sub} at 0x${(r.offset - 1).toString(16)}`);
}

/**
 * After 0xfd and its sub-opcode: a memarg for the loads and stores
 * (0x00-0x0b, 0x5c, 0x5d), a memarg and a lane for the lane loads and
 * stores (0x54-0x5b), 16 bytes for v128.const and i8x16.shuffle, a lane
 * for extract_lane and replace_lane (0x15-0x22); nothing for the rest.
 */
function skipSimdImmediates(r, sub) {
  if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) return (r.u32(), r.u32());
  if (sub >= 0x54 && sub <= 0x5b) return (r.u32(), r.u32(), r.byte());
  if (sub === 0x0c || sub === 0x0d) return void (r.offset += 16);
  if (sub >= 0x15 && sub <= 0x22) return r.byte();
  if (sub > 0x113) throw new Error(`unknown SIMD instruction 0x${sub.toString(16)} at 0x${(r.offset - 1).toString(16)}`);
}

/** Opcodes that open a block (block, loop, if, try, try_table), and that continue one (else, catch, catch_all). */
const OPENS = new Set([0x02, 0x03, 0x04, 0x06, 0x1f]);
const CONTINUES = new Set([0x05, 0x07, 0x19]);

/**
 * A function body's locals declaration and its instructions, each as the
 * byte range it occupies in `body`, with its structural role: 'open'
 * (block, loop, if, try, try_table), 'else' (else, catch, catch_all), 'end'
 * (end, and delegate, which closes a try in its place) or 'plain', and for
 * 0xfb, 0xfc and 0xfd instructions the sub-opcode. `gcAt`: the offset of
 * the first GC or typed-reference construct (a local's type, an
 * instruction, a block or select type), or null.
 * @param {Uint8Array} body one entry of the code section, without its size
 */
export function decodeBody(body) {
  const r = reader(body);
  const groups = r.u32();
  for (let i = 0; i < groups; i++) (r.u32(), r.valueType());
  const localsEnd = r.offset;
  const instructions = [];
  while (r.offset < body.length) {
    const start = r.offset;
    const op = r.byte();
    // A prefixed instruction's sub-opcode, for those that look it up (canonicalize.js).
    const sub = op === 0xfb || op === 0xfc || op === 0xfd ? reader(body, r.offset).u32() : undefined;
    skipImmediates(r, op);
    const role = OPENS.has(op) ? 'open' : CONTINUES.has(op) ? 'else' : op === 0x0b || op === 0x18 ? 'end' : 'plain';
    instructions.push({ op, sub, start, end: r.offset, role });
  }
  return { localsEnd, instructions, gcAt: r.gcAt };
}

/**
 * Where the module first uses GC or typed function references (a type, an
 * import, table or global of such a type, an instruction), or null.
 * @param {ReturnType<typeof parseModule>} module
 */
export function gcUse(module) {
  if (module.gc) return module.gc;
  for (let index = 0; index < module.bodies.length; index++) {
    const { gcAt } = decodeBody(module.bodies[index]);
    if (gcAt !== null) return `at 0x${gcAt.toString(16)} of function ${module.importedFunctionCount + index}`;
  }
  return null;
}

/**
 * The tag indices that function bodies throw or catch: throw, the legacy
 * catch, and try_table's catch and catch_ref clauses.
 * @param {Uint8Array[]} bodies
 * @returns {Set<number>}
 */
export function usedTags(bodies) {
  const tags = new Set();
  for (const body of bodies) {
    for (const { op, start } of decodeBody(body).instructions) {
      if (op !== 0x07 && op !== 0x08 && op !== 0x1f) continue;
      const r = reader(body, start + 1);
      if (op !== 0x1f) {
        tags.add(r.u32());
        continue;
      }
      r.blockType();
      for (let n = r.u32(); n > 0; n--) {
        const kind = r.byte();
        if (kind < 2) tags.add(r.u32());
        r.u32();
      }
    }
  }
  return tags;
}

/** The data section's segments, each as its raw bytes (the reducer drops them one by one). */
export function dataSegments(payload) {
  const r = reader(payload);
  const segments = [];
  for (let n = r.u32(); n > 0; n--) {
    const start = r.offset;
    const flags = r.u32();
    if (flags === 2) r.u32();
    if (flags !== 1) skipConstantExpression(r);
    const length = r.u32();
    r.offset += length;
    segments.push(payload.subarray(start, r.offset));
  }
  return segments;
}

/** A body's local declarations as [count, type bytes] groups, and where its instructions start. */
export function localGroups(body) {
  const r = reader(body);
  const groups = [];
  for (let n = r.u32(); n > 0; n--) {
    const count = r.u32();
    const start = r.offset;
    r.valueType();
    groups.push([count, body.subarray(start, r.offset)]);
  }
  return { groups, instructionsStart: r.offset };
}

// --- writing -------------------------------------------------------------------------

// The LEB128, name, vector and concatenation encoders are the shared ones.
export { u32, name, vector, concat };

/** A value type's encoding (the inverse of reader.valueType). */
export function encodeValueType(type) {
  if (type in TYPE_BYTE) return [TYPE_BYTE[type]];
  const match = /^\(ref (null )?(\w+)\)$/.exec(type);
  if (!match) throw new Error(`unknown value type ${type}`);
  const heap = match[2] in HEAP_BYTE ? [HEAP_BYTE[match[2]]] : sleb(Number(match[2]));
  return [match[1] ? REF_NULL : REF, ...heap];
}

/** A module from sections ({ id, payload }), in the order given. */
export function encodeModule(sections) {
  const header = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  return concat([header, ...sections.flatMap(({ id, payload }) => [Uint8Array.from([id, ...u32(payload.length)]), payload])]);
}

export function encodeExports(exports) {
  return vector(exports.map((entry) => [...name(entry.name), EXTERNAL_KINDS.indexOf(entry.kind), ...u32(entry.index)]));
}

/** A type section's payload: function types of value type names. */
export function encodeTypes(types) {
  return vector(types.map(encodeFunctionType));
}

function encodeFunctionType({ params, results }) {
  return [FUNC, ...vector(params.map(encodeValueType)), ...vector(results.map(encodeValueType))];
}

/**
 * The type section of `module` with function types appended: its own
 * entries (rec groups included) as they were, so its type indices stay, and
 * the new types from index module.types.length on.
 */
export function appendTypes(module, types) {
  return concat([u32(module.typeEntries.length + types.length), ...module.typeEntries, ...types.map((type) => Uint8Array.from(encodeFunctionType(type)))]);
}

/** A function section's payload: the type index of each defined function. */
export function encodeFunctions(typeIndices) {
  return vector(typeIndices.map((index) => u32(index)));
}

export function encodeCode(bodies) {
  return vector(bodies.map((body) => [...u32(body.length), ...body]));
}

/** Replaces the section with id `id` (or inserts it in its canonical place). */
export function withSection(sections, id, payload) {
  const out = sections.filter((section) => section.id !== id);
  const order = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
  const rank = (sectionId) => order.indexOf(sectionId);
  let at = out.findIndex((section) => section.id !== 0 && rank(section.id) > rank(id));
  if (at < 0) at = out.length;
  out.splice(at, 0, { id, payload });
  return out;
}
