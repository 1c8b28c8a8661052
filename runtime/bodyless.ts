// Modules without function bodies, loaded from their bytes by the runtime
// alone (no compiler, no eval): what glue builds at run time to put a JS
// function into a table (Emscripten's addFunction, sqlite-wasm's
// jsFuncToWasm: one type, an import "e" "f", an export "f"), and any other
// module made only of types, imports, tables, memories, tags, globals,
// exports, a start function that is an import, element and data segments
// and custom sections. One pass over the bytes decodes and validates them, with the
// decisions of the compiler's decodeValidated (compiler/validate.ts;
// test/runtime/bodyless.test.ts holds them to it, and to V8), and builds the
// ModuleDescriptor a module body would: `link` makes the memories, tables
// and globals and applies the segments with the helpers generated code uses.
// A module that declares functions gives null: the caller's CompileError
// says how to precompile it. Errors name the problem and the byte offset in
// fewer words than the compiler's, since every byte here ships.

import type { ExportDescriptor, FuncTypeDesc, ImportDescriptor, ModuleDescriptor, ValueTypeName } from './abi.js';
import { addr64, idx64, memoryInit, memoryInit64, tableInit } from './bulk.js';
import { CompileError } from './errors.js';
import { makeGlobal } from './global.js';
import { Memory } from './memory.js';
import { f32ReinterpretI32, f64ReinterpretI64 } from './numeric.js';
import { makeTypedTable, Table } from './table.js';
import { makeTag } from './tag.js';

const VALUE_TYPES: Record<number, ValueTypeName> = {
  127: 'i32', 126: 'i64', 125: 'f32', 124: 'f64', 123: 'v128', 112: 'funcref', 111: 'externref', 105: 'exnref',
};
const KINDS = ['function', 'table', 'memory', 'global', 'tag'] as const;
/** Reference type bytes and type forms of typed references and GC, which need the compiler. */
const GC_BYTES = new Set([0x63, 0x64, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x71, 0x72, 0x73, 0x74]);
const GC_FORMS = new Set([0x4e, 0x4f, 0x50, 0x5e, 0x5f]);
const GC_UNSUPPORTED = 'typed references and GC need the compiler (wasm2es) or a precompiled module';
/** Where each section id must stand: data count (12) between element and code, tags (13) between memory and global. */
const SECTION_ORDER = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10, 5.5];

/** A constant expression: its value, given an instance's index spaces (FuncRefs, Tables, Memories, Globals). */
type Constant = (instance: any[][]) => any;

/** The descriptor of a module without function bodies; null if it declares functions; CompileError if invalid. */
export function decodeBodyless(bytes: Uint8Array): ModuleDescriptor | null {
  let pos = 0;
  let end = bytes.length;

  const fail = (message: string, at = pos - 1): never => {
    throw new CompileError(`${message} (at 0x${at.toString(16)})`);
  };
  const byte = (): number => (pos < end ? bytes[pos++] : fail('unexpected end', pos));
  /**
   * LEB128 of `bits` bits, as the spec bounds it: at most ceil(bits / 7)
   * bytes, the unused high bits of the last one zero (unsigned) or copies
   * of the sign bit (signed).
   */
  const leb = (bits: number, signed: number): bigint => {
    const last = Math.ceil(bits / 7) * 7 - 7; // the last byte's shift
    const unused = 127 & (-1 << (bits - last - signed));
    let result = 0n;
    for (let shift = 0; ; shift += 7) {
      const b = byte();
      const high = b & unused;
      if (shift === last && (b > 127 || (high > 0 && !(signed && high === unused)))) fail('integer too large');
      result |= BigInt(b & 127) << BigInt(shift);
      if (b < 128) return signed && b & 64 ? result - (1n << BigInt(shift + 7)) : result;
    }
  };
  const u32 = (): number => (pos < end && bytes[pos] < 128 ? bytes[pos++] : Number(leb(32, 0)));
  /** A little-endian number of `size` bytes (float constants). */
  const fixed = (size: number): bigint => {
    let value = 0n;
    for (let shift = 0n; shift < size * 8; shift += 8n) value |= BigInt(byte()) << shift;
    return value;
  };
  /** A vector: its count, at most `limit` (the JS API's) and the bytes left, then its entries. */
  const vec = <T>(limit: number, read: () => T): T[] => {
    const count = u32();
    if (count > limit || count > end - pos) fail('too many entries');
    const entries: T[] = [];
    while (entries.length < count) entries.push(read());
    return entries;
  };
  const byteVec = (): Uint8Array => {
    const length = u32();
    return length > end - pos ? fail('unexpected end') : bytes.slice(pos, (pos += length));
  };
  /** A UTF-8 name: decodeURIComponent refuses exactly what UTF-8 forbids (overlong forms, surrogates, past U+10FFFF). */
  const name = (): string => {
    const at = pos;
    let escaped = '';
    for (const b of byteVec()) escaped += '%' + (b + 256).toString(16).slice(1);
    try {
      return decodeURIComponent(escaped);
    } catch {
      return fail('malformed UTF-8', at);
    }
  };
  /** A byte that must be at most `max` (an enumeration: kinds, flags). */
  const flag = (max: number): number => {
    const b = byte();
    return b > max ? fail(`malformed byte ${b}`) : b;
  };
  /** Typed references and GC (3.0) are the compiler's: this loader names them apart from malformed bytes. */
  const gc = (b: number): never => fail(GC_BYTES.has(b) ? GC_UNSUPPORTED : 'malformed or unsupported type');
  const valueType = (): ValueTypeName => {
    const b = byte();
    return VALUE_TYPES[b] ?? gc(b);
  };
  const refType = (): ValueTypeName => {
    const type = valueType();
    return type === 'funcref' || type === 'externref' || type === 'exnref' ? type : fail('malformed or unsupported type');
  };
  /** `index` if the index space of `kind` has it. */
  const known = (index: number, kind: number): number => (index < spaces[kind].length ? index : fail(`unknown ${KINDS[kind]} ${index}`));

  let types: FuncTypeDesc[] = [];
  /** The index spaces' types (function types, table types, memory limits, global types), imports first. */
  const spaces: any[][] = [[], [], [], [], []];
  /** How many of each were imported. */
  const imported = [0, 0, 0, 0, 0];
  const imports: ImportDescriptor[] = [];
  const importKinds: number[] = [];
  const globalInits: Constant[] = [];
  const exports: ExportDescriptor[] = [];
  const exportNames = new Set<string>();
  /** Each export's index space and index. */
  const exported: number[][] = [];
  const customSections: { name: string; data: Uint8Array }[] = [];
  /** Active segments in order (elements before data): index space, index, offset, entries or bytes. */
  const segments: [number, number, Constant, Constant[] | Uint8Array][] = [];
  let start = -1;
  let dataCount = -1;
  let dataSegments = 0;

  /** Tag, table, memory and global types; limits flags 2-7 (shared, memory64) are refused, as the compiler does. */
  const externType = (kind: number): any => {
    if (kind === 4) { // a tag: attribute 0, a function type without results
      flag(0);
      const type = types[u32()] ?? fail('unknown type');
      return type.results.length > 0 ? fail('non-empty tag result type') : type;
    }
    if (kind === 3) return { value: valueType(), mutable: flag(1) > 0 };
    const type: any = kind === 1 ? { element: refType() } : {};
    // Bit 0: a maximum; bit 2: memory64, whose limits are u64 (a memory's pages up to 2^48).
    const flags = flag(5);
    if (flags & 2) fail(`malformed byte ${flags}`, pos - 1);
    const size = flags & 4 ? () => Number(leb(64, 0)) : u32;
    type.initial = size();
    if (flags & 1) type.maximum = size();
    if (flags & 4) type.address = 'i64';
    const pages = flags & 4 ? 2 ** 48 : 65536;
    if (kind === 2 && spaces[2].length >= 100) fail('too many memories'); // 3.0: any number up to the JS API's 100
    if (type.initial > type.maximum || (kind === 2 && (type.initial > pages || type.maximum > pages))) fail('invalid limits');
    return type;
  };
  const funcRef = (): Constant => {
    const index = known(u32(), 0);
    return (instance) => instance[0][index];
  };
  /**
   * A constant expression of type `expected`. WebAssembly 2.0's constant
   * instructions push one value and pop none, so the only valid ones are a
   * single instruction and `end`.
   */
  const constant = (expected: ValueTypeName): Constant => {
    const op = byte();
    let type: ValueTypeName = 'funcref';
    let value: any = null;
    let read: Constant | null = null;
    if (op === 0x41) { type = 'i32'; value = Number(leb(32, 1)); }
    else if (op === 0x42) { type = 'i64'; value = leb(64, 1); }
    else if (op === 0x43) { type = 'f32'; value = f32ReinterpretI32(Number(fixed(4)) | 0); }
    else if (op === 0x44) { type = 'f64'; value = f64ReinterpretI64(BigInt.asIntN(64, fixed(8))); }
    else if (op === 0xfd && u32() === 0x0c) { type = 'v128'; value = [0, 0, 0, 0].map(() => Number(fixed(4)) | 0); } // v128.const: four words
    else if (op === 0xd0) type = refType(); // ref.null
    else if (op === 0xd2) read = funcRef(); // ref.func
    else if (op === 0x23) { // global.get, of an immutable global declared before (3.0: not only an imported one)
      const index = u32();
      const global = spaces[3][index];
      if (index >= spaces[3].length || global.mutable) fail('constant expression required: global.get');
      type = global.value;
      read = (instance) => instance[3][index]._v;
    } else fail('constant expression required');
    if (byte() !== 0x0b) fail('constant expression required');
    if (type !== expected) fail(`type mismatch: ${type}, expected ${expected}`);
    return read ?? (() => value);
  };

  /** Section decoders by id. The function section's returns true if there are functions. */
  const sections: (() => unknown)[] = [
    () => customSections.push({ name: name(), data: bytes.slice(pos, (pos = end)) }),
    () => {
      types = vec(1e6, () => {
        const form = byte();
        if (form !== 0x60) fail(GC_FORMS.has(form) ? GC_UNSUPPORTED : 'malformed');
        return { params: vec(1000, valueType), results: vec(1000, valueType) };
      });
    },
    () => vec(1e5, () => {
      const descriptor: any = { module: name(), name: name() };
      const kind = flag(4);
      const type = kind > 0 ? externType(kind) : types[u32()] ?? fail('unknown type');
      imports.push(Object.assign(descriptor, kind === 0 || kind === 4 ? { type } : type, { kind: KINDS[kind] }));
      importKinds.push(kind);
      spaces[kind].push(type);
      imported[kind]++;
    }),
    () => u32() > 0,
    () => vec(1e5, () => spaces[1].push(externType(1))),
    () => vec(Infinity, () => spaces[2].push(externType(2))),
    () => vec(1e6, () => {
      const type = externType(3);
      globalInits.push(constant(type.value));
      spaces[3].push(type);
    }),
    () => vec(1e5, () => {
      const exportName = name();
      const kind = flag(4);
      exported.push([kind, known(u32(), kind)]);
      if (exportNames.has(exportName)) fail('duplicate export name');
      exportNames.add(exportName);
      exports.push({ name: exportName, kind: KINDS[kind] });
    }),
    () => {
      const type = spaces[0][(start = known(u32(), 0))];
      if (type.params.length + type.results.length > 0) fail('type mismatch: start function');
    },
    () => vec(1e7, () => {
      // Flags: bit 0 passive or declarative, bit 1 an explicit table (active) or declarative, bit 2 expressions.
      const flags = u32();
      if (flags > 7) fail('malformed');
      const index = flags === 2 || flags === 6 ? u32() : 0;
      const offset = flags & 1 ? null : constant(spaces[1][index]?.address === 'i64' ? 'i64' : 'i32');
      let element: ValueTypeName = 'funcref';
      if (flags & 3) {
        if (flags & 4) element = refType();
        else flag(0); // elemkind funcref
      }
      const entries = vec(1e7, flags & 4 ? () => constant(element) : funcRef);
      if (offset !== null) {
        if (spaces[1][known(index, 1)].element !== element) fail('type mismatch: table');
        segments.push([1, index, offset, entries]);
      }
    }),
    () => u32() > 0 && fail('inconsistent function and code section lengths'),
    () => {
      dataSegments = vec(1e5, () => {
        const flags = u32();
        if (flags > 2) fail('malformed');
        const index = flags === 2 ? u32() : 0;
        const offset = flags === 1 ? null : constant(spaces[2][index]?.address === 'i64' ? 'i64' : 'i32');
        const data = byteVec();
        if (offset !== null) segments.push([2, known(index, 2), offset, data]);
      }).length;
    },
    () => (dataCount = u32()) > 1e5 && fail('too many entries'),
    () => vec(1e6, () => spaces[4].push(externType(4))),
  ];

  for (const b of [0, 97, 115, 109, 1, 0, 0, 0]) if (byte() !== b) fail('magic header not detected');
  if (end > 2 ** 30) fail('module too large');
  let lastOrder = 0;
  while (pos < bytes.length) {
    const id = byte();
    const order = SECTION_ORDER[id];
    if (order === undefined || (id > 0 && order <= lastOrder)) fail(`unexpected section ${id}`);
    if (id > 0) lastOrder = order;
    const size = u32();
    if (size > end - pos) fail('unexpected end');
    end = pos + size;
    if (sections[id]() === true) return null;
    if (pos !== end) fail('section size mismatch', pos);
    end = bytes.length;
  }
  if (dataCount >= 0 && dataCount !== dataSegments) fail('inconsistent data count');

  return {
    hash: '',
    imports,
    exports,
    customSections,
    // As a module body's link (compiler/emit.ts): imports, memories, tables, globals, then the segments in order and the start function.
    link(values: any[]): any[] {
      const instance: any[][] = [[], [], [], [], []];
      for (let i = 0; i < values.length; i++) instance[importKinds[i]].push(values[i]);
      for (const kind of [2, 1, 4, 3]) {
        for (let i = imported[kind]; i < spaces[kind].length; i++) {
          const type = spaces[kind][i];
          // A 64-bit memory's or table's sizes are BigInts at the JS API.
          const sizes = type.address ? { ...type, initial: BigInt(type.initial), maximum: type.maximum === undefined ? undefined : BigInt(type.maximum) } : type;
          instance[kind].push(kind === 2 ? new Memory(sizes)
            : kind === 1 ? (type.element === 'exnref' ? makeTypedTable('exnref', type.initial, type.maximum, !!type.address, null) : new Table(sizes, null))
              : kind === 4 ? makeTag(type)
                : makeGlobal(type.value, type.mutable, globalInits[i - imported[3]](instance)));
        }
      }
      for (const [kind, index, offset, entries] of segments) {
        const values = kind === 1 ? (entries as Constant[]).map((entry) => entry(instance)) : entries;
        // A 64-bit memory's or table's offset is an i64.
        const at = offset(instance);
        if (kind === 1) tableInit(instance[1][index], values as any[], typeof at === 'bigint' ? idx64(at) : at, 0, values.length);
        else if (typeof at === 'bigint') memoryInit64(instance[2][index], values as Uint8Array, addr64(at), 0, values.length);
        else memoryInit(instance[2][index], values as Uint8Array, at, 0, values.length);
      }
      if (start >= 0) instance[0][start].raw();
      return exported.map(([kind, index]) => instance[kind][index]);
    },
  };
}
