// The little binary-format work the runner needs without trusting the engine
// under test: reading the types of a module's exports (functions and
// globals), and encoding the wrapper modules that carry floats (as bits),
// v128 values (as 4 i32 words) and exnref values (as ref.is_null's i32)
// across the JS boundary (see values.js). Only what valid 2.0 modules
// contain, and the tags and exnref of exception handling, is read; anything
// else gives up with an Error.

const VALUE_TYPES = new Map([
  [0x7f, 'i32'],
  [0x7e, 'i64'],
  [0x7d, 'f32'],
  [0x7c, 'f64'],
  [0x7b, 'v128'],
  [0x70, 'funcref'],
  [0x6f, 'externref'],
  [0x69, 'exnref'],
]);
const TYPE_CODES = new Map([...VALUE_TYPES].map(([code, name]) => [name, code]));
/** `(ref null ht)`: a nullable reference to an abstract heap type, the long form of funcref, externref, exnref. */
const REF_NULL = 0x63;

/** Import and export kinds (externtype), by their byte. */
const EXTERN_KINDS = ['function', 'table', 'memory', 'global', 'tag'];

/**
 * @typedef {{ params: string[], results: string[] }} FuncType
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
  const valueType = () => {
    let code = byte();
    if (code === REF_NULL) code = byte(); // the same types as the one-byte forms, which the heap type's byte spells
    const name = VALUE_TYPES.get(code);
    if (!name) throw new Error(`unknown value type 0x${code.toString(16)}`);
    return name;
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
      else if (op === 0xd0) byte();
      else if (op === 0xfd) (skipLeb(), (pos += 16)); // v128.const, the one constant SIMD instruction
      else if ((op >= 0x6a && op <= 0x6c) || (op >= 0x7c && op <= 0x7e)) continue; // extended constants: i32/i64 add, sub, mul
      else throw new Error(`unsupported constant instruction 0x${op.toString(16)}`);
    }
  };

  /** @type {FuncType[]} */
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
      for (let count = u32(); count > 0; count--) {
        if (byte() !== 0x60) throw new Error('not a function type');
        const params = Array.from({ length: u32() }, valueType);
        const results = Array.from({ length: u32() }, valueType);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let count = u32(); count > 0; count--) {
        name();
        name();
        const kind = byte();
        if (kind === 0) functions.push(types[u32()]);
        else if (kind === 1) (valueType(), limits());
        else if (kind === 2) limits();
        else if (kind === 3) globals.push({ type: valueType(), mutable: byte() === 1 });
        else if (kind === 4) (byte(), u32()); // a tag: attribute 0 (exception), type index
        else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 3) {
      for (let count = u32(); count > 0; count--) functions.push(types[u32()]);
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
    // Other sections go by unread: tables, memories and tags (section 13) need
    // no more than their export kind.
    pos = end;
  }
  return exports;
}

/**
 * Does a signature need a wrapper: has it an f32 or f64 (which must not pass
 * through JS as numbers), or a v128 or exnref (which cannot pass through JS
 * at all)?
 */
export function needsWrapper(type) {
  return [...type.params, ...type.results].some((t) => t === 'f32' || t === 'f64' || t === 'v128' || t === 'exnref');
}

/**
 * The types a wrapper uses in place of one type: a float's bits as an
 * integer, a v128's 4 little-endian 32-bit words, an exnref's ref.is_null
 * (1 for null).
 */
export function wireTypes(t) {
  if (t === 'f32') return ['i32'];
  if (t === 'f64') return ['i64'];
  if (t === 'v128') return ['i32', 'i32', 'i32', 'i32'];
  if (t === 'exnref') return ['i32'];
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
  if (t === 'exnref') return [OP.refNull, TYPE_CODES.get('exnref')];
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
  if (t === 'exnref') return [...get, OP.refIsNull];
  if (t === 'f32') return [...get, OP.i32ReinterpretF32];
  if (t === 'f64') return [...get, OP.i64ReinterpretF64];
  return get;
}

/**
 * A module importing `m.f` of type `type` and exporting `w`, which takes the
 * same parameters in wire types (floats as bits, v128 as 4 words, exnref as
 * ref.is_null), calls f, and returns its results in wire types.
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
  const locals = vec(type.results.map((t) => [1, TYPE_CODES.get(t)]));
  return module([type, wrapperType], importEntry('f', [0x00, 0]), 1, 1, [...locals, ...code]);
}

/** A module importing global `m.g` and exporting `w`, which returns its value in wire types. */
export function globalWrapper(type, mutable) {
  const code = [...toWire(type, [OP.globalGet, 0]), OP.end];
  const getterType = { params: [], results: wireTypes(type) };
  return module([getterType], importEntry('g', [0x03, TYPE_CODES.get(type), mutable ? 1 : 0]), 0, 0, [0, ...code]);
}

function importEntry(field, description) {
  return [...nameBytes('m'), ...nameBytes(field), ...description];
}

/** One import, one defined function (type index, function index) exported as `w`, its body (locals + code). */
function module(types, importBytes, functionType, functionIndex, body) {
  const typeSection = vec(
    types.map((t) => [0x60, ...vec(t.params.map((p) => TYPE_CODES.get(p))), ...vec(t.results.map((r) => TYPE_CODES.get(r)))]),
  );
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, typeSection),
    ...section(2, vec([importBytes])),
    ...section(3, vec([[functionType]])),
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
