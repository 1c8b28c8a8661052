// Just enough of the wasm binary format for the fuzzer: the module's
// interface (types, imports, exports and their signatures, which the JS API
// does not reflect), raw sections to rebuild a module from, and instruction
// boundaries in function bodies, which the reducer cuts along. Reads what
// WebAssembly 2.0 defines, fixed-width SIMD included (and the relaxed SIMD
// opcodes, which have no immediates), tail calls, and exception handling in
// both encodings: tags (imported, exported, the tag section), exnref, the
// final try_table and throw_ref and the legacy try, catch, catch_all,
// delegate and rethrow. Anything else is an Error, since the fuzzer only
// looks at modules the native engine has already accepted.

import { leb as u32, name, vec as vector, concat } from '../helpers/wasm-bytes.js';

export const SECTION = { custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, element: 9, code: 10, data: 11, datacount: 12, tag: 13 };

const VALUE_TYPES = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref', 0x69: 'exnref' };
/** Value type name -> its byte. */
export const TYPE_BYTE = Object.fromEntries(Object.entries(VALUE_TYPES).map(([byte, type]) => [type, Number(byte)]));
const EXTERNAL_KINDS = ['function', 'table', 'memory', 'global', 'tag'];

/** A byte cursor over `bytes`, from `offset`. */
export function reader(bytes, offset = 0) {
  const r = {
    bytes,
    offset,
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
      const b = r.byte();
      if (!(b in VALUE_TYPES)) throw new Error(`unknown value type 0x${b.toString(16)}`);
      return VALUE_TYPES[b];
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
  const module = { sections: [], types: [], imports: [], functions: [], tables: [], memories: [], globals: [], tags: [], exports: [], bodies: [] };
  while (r.offset < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.offset;
    module.sections.push({ id, payload: bytes.subarray(start, start + size) });
    readSection(module, id, reader(bytes.subarray(0, start + size), start));
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
      if (r.byte() !== 0x60) throw new Error('only function types are supported');
      const params = Array.from({ length: r.u32() }, () => r.valueType());
      const results = Array.from({ length: r.u32() }, () => r.valueType());
      module.types.push({ params, results });
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
      module.tables.push({ element: r.valueType(), ...r.limits() });
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
 * Covers WebAssembly 2.0, tail calls and exception handling.
 */
function skipImmediates(r, op) {
  if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x06) return r.skipLeb(); // block type: 0x40, a value type or an s33 type index
  // br, br_if, call, return_call, ref.func, locals and globals; throw, catch (a tag), rethrow, delegate (a label)
  if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12 || op === 0xd2 || (op >= 0x20 && op <= 0x26) || (op >= 0x07 && op <= 0x09) || op === 0x18) return r.u32();
  if (op === 0x1f) {
    // try_table: a block type, then catch clauses: kind (catch, catch_ref, catch_all, catch_all_ref), a tag for the first two, a label
    r.skipLeb();
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
  if (op === 0xd0) return r.byte();
  if (op === 0xfd) return skipSimdImmediates(r, r.u32());
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
 * 0xfc and 0xfd instructions the sub-opcode.
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
    const sub = op === 0xfc || op === 0xfd ? reader(body, r.offset).u32() : undefined;
    skipImmediates(r, op);
    const role = OPENS.has(op) ? 'open' : CONTINUES.has(op) ? 'else' : op === 0x0b || op === 0x18 ? 'end' : 'plain';
    instructions.push({ op, sub, start, end: r.offset, role });
  }
  return { localsEnd, instructions };
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
      r.skipLeb();
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

/** A body's local declarations as [count, type byte] groups, and where its instructions start. */
export function localGroups(body) {
  const r = reader(body);
  const groups = [];
  for (let n = r.u32(); n > 0; n--) groups.push([r.u32(), r.byte()]);
  return { groups, instructionsStart: r.offset };
}

// --- writing -------------------------------------------------------------------------

// The LEB128, name, vector and concatenation encoders are the shared ones.
export { u32, name, vector, concat };

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
  return vector(types.map(({ params, results }) => [0x60, ...vector(params.map((type) => [TYPE_BYTE[type]])), ...vector(results.map((type) => [TYPE_BYTE[type]]))]));
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
