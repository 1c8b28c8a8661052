// decode(): the bytes of a WebAssembly 2.0 binary -> ir.Module. Checks
// everything the binary format requires (header, section order and sizes,
// vector lengths, encodings, UTF-8 names, matching function/code and data
// count/data lengths) and raises CompileErrors with their byte offsets; what
// the format leaves to validation (types, index ranges, constant-expression
// rules) is validate's job. Function bodies are decoded by decode-code.ts,
// type encodings by decode-types.ts.

import {
  ConstExpr, CustomSection, DataSegment, ElemSegment, Export, ExternKind, Func, Global,
  ImportDesc, Instr, LocalRun, Module, NameSection, SegmentMode, ValType,
  FeatureUse, HeapType, refType,
} from './ir.js';
import { CodeContext, decodeInstrs } from './decode-code.js';
import { readGlobalType, readMemoryType, readRefType, readTableType, readTypeSection, readValType } from './decode-types.js';
import { LIMITS } from './decode-limits.js';
import { Reader } from './reader.js';
import { CompileError } from '../runtime/errors.js';

const MAGIC = 0x6d736100; // "\0asm", little-endian
const VERSION = 1;

const enum SectionId {
  Custom = 0,
  Type = 1,
  Import = 2,
  Function = 3,
  Table = 4,
  Memory = 5,
  Global = 6,
  Export = 7,
  Start = 8,
  Element = 9,
  Code = 10,
  Data = 11,
  DataCount = 12,
  Tag = 13,
}

interface SectionInfo {
  name: string;
  /** Position in the required order; data count sits between element and code. */
  order: number;
  decode: (reader: Reader, state: DecodeState) => void;
}

/** How decode treats function bodies. */
export interface DecodeOptions {
  /**
   * Called with each function's instructions as soon as they are decoded,
   * in a pool of Instr objects reused for the next function (the first
   * `count` are this function's). With it, decode keeps no instructions:
   * each read of `func.body` decodes them again from `bytes`, which must
   * not change meanwhile. The run-time compiler validates this way
   * (validate.ts, decodeValidated) and emits each function from a fresh
   * decode, so a module's instructions are never all alive at once.
   */
  onBody?: (module: Module, func: Func, funcIndex: number, instrs: Instr[], count: number) => void;
}

/** The Instr objects onBody receives, reused from function to function and module to module. */
const bodyPool: Instr[] = [];
/** A pool grown past this by one huge function is dropped after the module. */
const MAX_KEPT_POOL = 1 << 16;

/** The module being built plus what decoding later sections needs to know. */
interface DecodeState {
  module: Module;
  onBody: DecodeOptions['onBody'];
  context: CodeContext;
  /** Offset of the code section's count, or -1 before the code section. */
  codeCountOffset: number;
  codeCount: number;
  dataSectionSeen: boolean;
}

const OP_REF_FUNC = 0xd2;
const OP_END = 0x0b;

// ---------------------------------------------------------------------------
// Sections, in their required order.

function decodeTypeSection(reader: Reader, state: DecodeState): void {
  readTypeSection(reader, state.module.types);
}

function decodeImportSection(reader: Reader, state: DecodeState): void {
  const module = state.module;
  const count = reader.count('imports', LIMITS.imports);
  for (let i = 0; i < count; i++) {
    const offset = reader.pos;
    const moduleName = reader.name();
    const name = reader.name();
    const kindOffset = reader.pos;
    const kind = reader.u8();
    let desc: ImportDesc;
    switch (kind) {
      case ExternKind.Func:
        desc = { kind, typeIndex: reader.typeIndex() };
        module.importedFuncs++;
        break;
      case ExternKind.Table:
        desc = { kind, type: readTableType(reader) };
        module.importedTables++;
        break;
      case ExternKind.Memory:
        desc = { kind, type: readMemoryType(reader) };
        module.importedMemories++;
        state.context.memory64.push(desc.type.address64);
        break;
      case ExternKind.Global:
        desc = { kind, type: readGlobalType(reader) };
        module.importedGlobals++;
        break;
      case ExternKind.Tag:
        desc = { kind, typeIndex: readTagType(reader) };
        module.importedTags++;
        break;
      default:
        externKindError(reader, 'import', kind, kindOffset);
    }
    module.imports.push({ module: moduleName, name, desc, offset });
  }
}

function externKindError(reader: Reader, what: 'import' | 'export', kind: number, offset: number): never {
  reader.fail(`malformed ${what} kind 0x${kind.toString(16)}`, offset);
}

/**
 * A tag type (exception handling, 3.0): an attribute byte, 0 (an
 * exception) the only one there is, then a function type index.
 */
function readTagType(reader: Reader): number {
  const offset = reader.pos;
  const attribute = reader.u8();
  if (attribute !== 0) reader.fail(`malformed tag attribute 0x${attribute.toString(16)}`, offset);
  return reader.typeIndex();
}

function decodeFunctionSection(reader: Reader, state: DecodeState): void {
  const count = reader.count('functions', LIMITS.functions);
  for (let i = 0; i < count; i++) state.module.funcTypeIndices.push(reader.typeIndex());
}

/**
 * Tables; with typed references (3.0) a table may start 0x40 0x00 and end
 * with the constant expression its elements start as.
 */
function decodeTableSection(reader: Reader, state: DecodeState): void {
  const count = reader.count('tables', LIMITS.tables);
  for (let i = 0; i < count; i++) {
    if (reader.peek() !== TABLE_WITH_INIT) {
      state.module.tables.push(readTableType(reader));
      continue;
    }
    const offset = reader.pos;
    reader.pos++;
    const reserved = reader.u8();
    if (reserved !== 0) reader.fail(`malformed table: 0x40 must be followed by 0x00, got 0x${reserved.toString(16)}`, offset + 1);
    reader.noteGC(offset);
    const table = readTableType(reader);
    table.init = readConstExpr(reader, state);
    state.module.tables.push(table);
  }
}
const TABLE_WITH_INIT = 0x40;

function decodeMemorySection(reader: Reader, state: DecodeState): void {
  // More memories than LIMITS.memories, imports included, is validate's
  // error; here only the bytes bound the count.
  const count = reader.count('memories');
  for (let i = 0; i < count; i++) {
    const memory = readMemoryType(reader);
    state.module.memories.push(memory);
    state.context.memory64.push(memory.address64);
  }
}

function decodeGlobalSection(reader: Reader, state: DecodeState): void {
  const count = reader.count('globals', LIMITS.globals);
  for (let i = 0; i < count; i++) {
    const type = readGlobalType(reader);
    const global: Global = { type, init: readConstExpr(reader, state) };
    state.module.globals.push(global);
  }
}

function decodeExportSection(reader: Reader, state: DecodeState): void {
  const count = reader.count('exports', LIMITS.exports);
  for (let i = 0; i < count; i++) {
    const offset = reader.pos;
    const name = reader.name();
    const kindOffset = reader.pos;
    const kind = reader.u8();
    if (kind > ExternKind.Tag) externKindError(reader, 'export', kind, kindOffset);
    const exported: Export = { name, kind, index: reader.u32(), offset };
    state.module.exports.push(exported);
  }
}

function decodeStartSection(reader: Reader, state: DecodeState): void {
  state.module.startOffset = reader.pos;
  state.module.start = reader.u32();
}

function decodeElementSection(reader: Reader, state: DecodeState): void {
  const count = reader.count('element segments', LIMITS.elementSegments);
  for (let i = 0; i < count; i++) state.module.elems.push(readElemSegment(reader, state));
}

// Element segment flags: bit 0 passive or declarative (with bit 1), bit 1
// an explicit table index (when active) or declarative (when not), bit 2
// expressions instead of function indices.
const ELEM_PASSIVE_OR_DECLARATIVE = 1;
const ELEM_EXPLICIT_TABLE_OR_DECLARATIVE = 2;
const ELEM_EXPRESSIONS = 4;

function readElemSegment(reader: Reader, state: DecodeState): ElemSegment {
  const offset = reader.pos;
  const flags = reader.u32();
  if (flags > 7) reader.fail(`malformed elements segment kind ${flags}`, offset);
  let mode: SegmentMode;
  let table = 0;
  let offsetExpr: ConstExpr | null = null;
  if ((flags & ELEM_PASSIVE_OR_DECLARATIVE) === 0) {
    mode = SegmentMode.Active;
    if ((flags & ELEM_EXPLICIT_TABLE_OR_DECLARATIVE) !== 0) table = reader.u32();
    offsetExpr = readConstExpr(reader, state);
  } else {
    mode = (flags & ELEM_EXPLICIT_TABLE_OR_DECLARATIVE) !== 0 ? SegmentMode.Declarative : SegmentMode.Passive;
  }
  // Flags 0 and 4 have an implicit type; the others spell it out.
  const typed = flags !== 0 && flags !== ELEM_EXPRESSIONS;
  let elemType = ValType.FuncRef;
  const init: ConstExpr[] = [];
  if ((flags & ELEM_EXPRESSIONS) !== 0) {
    if (typed) elemType = readRefType(reader);
    const count = reader.count('elements in a segment', LIMITS.elementSegmentEntries);
    for (let i = 0; i < count; i++) init.push(readConstExpr(reader, state));
  } else {
    // Function indices are `(ref func)` (3.0; 2.0 said funcref, a supertype).
    elemType = refType(HeapType.Func, false);
    if (typed) {
      const kindOffset = reader.pos;
      const elemKind = reader.u8();
      if (elemKind !== 0) reader.fail(`malformed element kind 0x${elemKind.toString(16)}`, kindOffset);
    }
    const count = reader.count('elements in a segment', LIMITS.elementSegmentEntries);
    for (let i = 0; i < count; i++) {
      const indexOffset = reader.pos;
      init.push(refFuncExpr(reader.u32(), indexOffset));
    }
  }
  return { mode, table, offsetExpr, elemType, init, offset };
}

/** The constant expression `ref.func index end` that a function index in an element segment stands for. */
function refFuncExpr(index: number, offset: number): ConstExpr {
  const instrs: Instr[] = [
    { op: OP_REF_FUNC, offset, index, index2: 0, value: 0, bits: 0, align: 0, memOffset: 0, blockType: null, targets: null, types: null, v128: null },
    { op: OP_END, offset, index: 0, index2: 0, value: 0, bits: 0, align: 0, memOffset: 0, blockType: null, targets: null, types: null, v128: null },
  ];
  return { instrs, offset };
}

function decodeDataCountSection(reader: Reader, state: DecodeState): void {
  // A promise about the data section, not a vector: only the limit applies.
  const offset = reader.pos;
  const count = reader.u32();
  if (count > LIMITS.dataSegments) reader.fail(`too many data segments: ${count} (the limit is ${LIMITS.dataSegments})`, offset);
  state.module.dataCount = count;
  state.context.dataCount = count;
}

function decodeCodeSection(reader: Reader, state: DecodeState): void {
  const module = state.module;
  state.codeCountOffset = reader.pos;
  // A count that differs from the function section's fails once the whole
  // module is read, as in the spec interpreter, so that a repeated section
  // is reported as such.
  const count = reader.count('function bodies');
  state.codeCount = count;
  const sectionEnd = reader.end;
  for (let i = 0; i < count; i++) {
    reader.functionIndex = module.importedFuncs + i;
    const offset = reader.pos;
    const size = reader.u32();
    if (size > LIMITS.functionBodySize) {
      reader.fail(`function body too large: ${size} bytes (the limit is ${LIMITS.functionBodySize})`, offset);
    }
    if (size > sectionEnd - reader.pos) reader.fail('length out of bounds: function body size exceeds the code section', offset);
    reader.end = reader.pos + size;
    const typeIndex = module.funcTypeIndices[i] ?? -1;
    // An unknown type index is validate's error; its parameters count for nothing here.
    const paramCount = module.types[typeIndex]?.params.length ?? 0;
    const locals = readLocals(reader, paramCount);
    const onBody = state.onBody;
    let func: Func;
    let count = 0;
    state.context.tailCalls = false;
    if (onBody === undefined) {
      func = { typeIndex, locals, body: [], offset };
      decodeInstrs(reader, state.context, func.body, true);
    } else {
      func = bodyOnDemand(reader, state.context, typeIndex, locals, offset, reader.pos);
      count = decodeInstrs(reader, state.context, bodyPool, true);
    }
    if (reader.pos !== reader.end) {
      reader.fail(`section size mismatch: ${reader.end - reader.pos} bytes after the function body's final END opcode`);
    }
    if (state.context.tailCalls) func.tailCalls = true;
    reader.end = sectionEnd;
    module.funcs.push(func);
    if (onBody !== undefined) onBody(module, func, module.importedFuncs + i, bodyPool, count);
  }
  reader.functionIndex = -1;
}

/**
 * A Func whose `body` is decoded from the bytes at each read (they were
 * checked when the module was decoded, so this cannot fail).
 */
function bodyOnDemand(reader: Reader, context: CodeContext, typeIndex: number, locals: LocalRun[], offset: number, start: number): Func {
  const { bytes, end, typeCanon, typeLimit } = reader;
  const functionIndex = reader.functionIndex;
  return {
    typeIndex,
    locals,
    offset,
    get body(): Instr[] {
      const again = new Reader(bytes, start, end);
      again.section = 'code';
      again.functionIndex = functionIndex;
      again.typeCanon = typeCanon;
      again.typeLimit = typeLimit;
      const instrs: Instr[] = [];
      decodeInstrs(again, context, instrs, true);
      return instrs;
    },
  };
}

/**
 * Locals are run-length encoded as (count, type) pairs, and stay so in the
 * IR. The total, with the function's parameters (the JS API limit counts
 * them, as V8 does), is checked as each count is read.
 */
function readLocals(reader: Reader, paramCount: number): LocalRun[] {
  const pairCount = reader.count('local declarations');
  const runs: LocalRun[] = [];
  let total = paramCount;
  for (let i = 0; i < pairCount; i++) {
    const countOffset = reader.pos;
    const count = reader.u32();
    total += count;
    if (total > LIMITS.locals) {
      const params = paramCount === 0 ? '' : `, ${paramCount} of them parameters`;
      reader.fail(`too many locals: ${total}${params} (the limit is ${LIMITS.locals})`, countOffset);
    }
    const type = readValType(reader);
    if (count > 0) runs.push({ count, type });
  }
  return runs;
}

function decodeDataSection(reader: Reader, state: DecodeState): void {
  const module = state.module;
  const countOffset = reader.pos;
  const count = reader.count('data segments', LIMITS.dataSegments);
  state.dataSectionSeen = true;
  if (module.dataCount !== null && module.dataCount !== count) {
    reader.fail(`data count and data section have inconsistent lengths (data count ${module.dataCount}, ${count} segments)`, countOffset);
  }
  for (let i = 0; i < count; i++) {
    const offset = reader.pos;
    const flags = reader.u32();
    let segment: DataSegment;
    switch (flags) {
      case 0:
        segment = { mode: SegmentMode.Active, memory: 0, offsetExpr: readConstExpr(reader, state), bytes: reader.byteVec(), offset };
        break;
      case 1:
        segment = { mode: SegmentMode.Passive, memory: 0, offsetExpr: null, bytes: reader.byteVec(), offset };
        break;
      case 2: {
        // A memory index other than 0 is validate's "unknown memory".
        const memory = reader.u32();
        segment = { mode: SegmentMode.Active, memory, offsetExpr: readConstExpr(reader, state), bytes: reader.byteVec(), offset };
        break;
      }
      default:
        reader.fail(`malformed data segment kind ${flags}`, offset);
    }
    module.datas.push(segment);
  }
}

function decodeTagSection(reader: Reader, state: DecodeState): void {
  const count = reader.count('tags', LIMITS.tags);
  for (let i = 0; i < count; i++) {
    const offset = reader.pos;
    state.module.tags.push({ typeIndex: readTagType(reader), offset });
  }
}

/** A constant expression: any instructions up to the matching `end`, which is included. */
function readConstExpr(reader: Reader, state: DecodeState): ConstExpr {
  const offset = reader.pos;
  const instrs: Instr[] = [];
  decodeInstrs(reader, state.context, instrs, false);
  return { instrs, offset };
}

const SECTIONS = new Map<number, SectionInfo>([
  [SectionId.Type, { name: 'type', order: 1, decode: decodeTypeSection }],
  [SectionId.Import, { name: 'import', order: 2, decode: decodeImportSection }],
  [SectionId.Function, { name: 'function', order: 3, decode: decodeFunctionSection }],
  [SectionId.Table, { name: 'table', order: 4, decode: decodeTableSection }],
  [SectionId.Memory, { name: 'memory', order: 5, decode: decodeMemorySection }],
  [SectionId.Tag, { name: 'tag', order: 6, decode: decodeTagSection }],
  [SectionId.Global, { name: 'global', order: 7, decode: decodeGlobalSection }],
  [SectionId.Export, { name: 'export', order: 8, decode: decodeExportSection }],
  [SectionId.Start, { name: 'start', order: 9, decode: decodeStartSection }],
  [SectionId.Element, { name: 'element', order: 10, decode: decodeElementSection }],
  [SectionId.DataCount, { name: 'data count', order: 11, decode: decodeDataCountSection }],
  [SectionId.Code, { name: 'code', order: 12, decode: decodeCodeSection }],
  [SectionId.Data, { name: 'data', order: 13, decode: decodeDataSection }],
]);

// ---------------------------------------------------------------------------
// Custom sections and the name section.

function decodeCustomSection(reader: Reader, module: Module): void {
  const offset = reader.pos;
  const name = reader.name();
  const payloadStart = reader.pos;
  const section: CustomSection = { name, bytes: reader.bytes.subarray(payloadStart, reader.end), offset };
  module.customSections.push(section);
  if (name === 'name' && module.names === null) module.names = decodeNameSection(reader.bytes, payloadStart, reader.end);
  reader.pos = reader.end;
}

const NAME_MODULE = 0;
const NAME_FUNCTIONS = 1;
const NAME_LOCALS = 2;

/**
 * The name section is a custom section, which the spec says is never
 * validated: broken name data must not fail the module. Each subsection is
 * decoded on its own; one that is malformed is dropped, and if the
 * subsection framing itself is broken the rest of the section is ignored.
 */
function decodeNameSection(bytes: Uint8Array, start: number, end: number): NameSection | null {
  const names: NameSection = { module: null, functions: new Map(), locals: new Map() };
  const reader = new Reader(bytes, start, end);
  reader.section = 'name';
  let found = false;
  while (reader.pos < end) {
    let subsectionEnd: number;
    let id: number;
    try {
      id = reader.u8();
      const size = reader.u32();
      if (size > end - reader.pos) break;
      subsectionEnd = reader.pos + size;
    } catch (error) {
      if (error instanceof CompileError) break;
      throw error;
    }
    reader.end = subsectionEnd;
    try {
      if (id === NAME_MODULE) {
        const moduleName = reader.name();
        if (reader.pos === subsectionEnd) names.module = moduleName;
      } else if (id === NAME_FUNCTIONS) {
        const functions = readNameMap(reader);
        if (reader.pos === subsectionEnd) names.functions = functions;
      } else if (id === NAME_LOCALS) {
        const locals = new Map<number, Map<number, string>>();
        const count = reader.count('local name maps');
        for (let i = 0; i < count; i++) {
          const functionIndex = reader.u32();
          locals.set(functionIndex, readNameMap(reader));
        }
        if (reader.pos === subsectionEnd) names.locals = locals;
      }
      // Other subsections (labels, types, fields, ...) are not used.
      found = true;
    } catch (error) {
      if (!(error instanceof CompileError)) throw error;
    }
    reader.pos = subsectionEnd;
    reader.end = end;
  }
  return found ? names : null;
}

function readNameMap(reader: Reader): Map<number, string> {
  const map = new Map<number, string>();
  const count = reader.count('names');
  for (let i = 0; i < count; i++) {
    const index = reader.u32();
    map.set(index, reader.name());
  }
  return map;
}

// ---------------------------------------------------------------------------
// The module.

function emptyModule(): Module {
  return {
    types: [],
    imports: [],
    funcTypeIndices: [],
    tables: [],
    memories: [],
    tags: [],
    globals: [],
    exports: [],
    start: null,
    startOffset: -1,
    elems: [],
    dataCount: null,
    funcs: [],
    datas: [],
    customSections: [],
    names: null,
    indirectCalls: new Set(),
    simd: null,
    multiMemory: null,
    exnref: null,
    gc: null,
    importedFuncs: 0,
    importedTables: 0,
    importedMemories: 0,
    importedGlobals: 0,
    importedTags: 0,
  };
}

/**
 * Decodes a WebAssembly binary into the IR. Throws CompileError for
 * malformed input and for features we do not compile yet. Data segments'
 * and custom sections' `bytes` are views into `bytes`, not copies: copy
 * them to keep them past a change to the input.
 */
export function decode(bytes: Uint8Array, options: DecodeOptions = {}): Module {
  const reader = new Reader(bytes);
  // Zero bytes is a failed fetch or build step rather than a truncated module;
  // the message still starts as the spec's tests expect.
  if (bytes.length === 0) reader.fail('unexpected end: the input is empty, expected a WebAssembly module (\\0asm)', 0);
  if (reader.u32le() !== MAGIC) reader.fail('magic header not detected', 0);
  if (reader.u32le() !== VERSION) reader.fail('unknown binary version', 4);
  if (bytes.length > LIMITS.moduleSize) {
    reader.fail(`module too large: ${bytes.length} bytes (the limit is ${LIMITS.moduleSize})`, LIMITS.moduleSize);
  }

  const module = emptyModule();
  const state: DecodeState = {
    module,
    onBody: options.onBody,
    context: { types: module.types, dataCount: null, indirectCalls: module.indirectCalls, tailCalls: false, memory64: [] },
    codeCountOffset: -1,
    codeCount: 0,
    dataSectionSeen: false,
  };
  let lastOrder = 0;
  while (reader.pos < bytes.length) {
    const idOffset = reader.pos;
    const id = reader.u8();
    const info = SECTIONS.get(id);
    if (info !== undefined) {
      // The spec's tests expect this message for both repeated and misplaced sections.
      if (info.order <= lastOrder) reader.fail(`unexpected content after last section: ${info.name} section out of order or repeated`, idOffset);
      lastOrder = info.order;
    } else if (id !== SectionId.Custom) {
      reader.fail(`malformed section id ${id}`, idOffset);
    }
    reader.section = info === undefined ? 'custom' : info.name;
    const sizeOffset = reader.pos;
    const size = reader.u32();
    if (size > bytes.length - reader.pos) reader.fail('length out of bounds: section size exceeds the module', sizeOffset);
    reader.end = reader.pos + size;
    if (info === undefined) decodeCustomSection(reader, module);
    else info.decode(reader, state);
    if (reader.pos !== reader.end) {
      reader.fail(`section size mismatch: ${reader.end - reader.pos} bytes left over in a section of ${size}`);
    }
    reader.section = null;
    reader.end = bytes.length;
  }

  if (state.codeCount !== module.funcTypeIndices.length) {
    const offset = state.codeCountOffset < 0 ? bytes.length : state.codeCountOffset;
    reader.fail(`function and code section have inconsistent lengths (${module.funcTypeIndices.length} functions, ${state.codeCount} bodies)`, offset);
  }
  if (!state.dataSectionSeen && module.dataCount !== null && module.dataCount !== 0) {
    reader.fail(`data count and data section have inconsistent lengths (data count ${module.dataCount}, no data section)`);
  }
  if (bodyPool.length > MAX_KEPT_POOL) bodyPool.length = 0;
  module.simd = reader.simdUse;
  module.multiMemory = reader.multiMemoryUse ?? secondMemory(module);
  module.exnref = reader.exnrefUse;
  module.gc = reader.gcUse;
  return module;
}

/** Where a module declares its second memory, imports first (multi-memory), or null. */
function secondMemory(module: Module): FeatureUse | null {
  let count = 0;
  for (const imp of module.imports) {
    if (imp.desc.kind === ExternKind.Memory && ++count === 2) return { offset: imp.offset, where: `at 0x${imp.offset.toString(16)}, import section` };
  }
  const second = module.memories[1 - count];
  if (second === undefined) return null;
  return { offset: second.limits.offset, where: `at 0x${second.limits.offset.toString(16)}, memory section` };
}
