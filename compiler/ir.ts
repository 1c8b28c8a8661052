// The plain IR that decode produces and validate and emit consume: types
// only, no behaviour. It mirrors the binary format's structure (spec
// chapter 5) closely, so offsets in error messages map straight back to bytes.
// Function bodies stay flat instruction lists, with block/loop/if/else/end
// markers in binary order; consumers keep their own control stack.

/** Value types, numbered by their binary encoding. */
export const enum ValType {
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
  ExternRef = 0x6f,
  /** Exception handling (3.0): a caught exception, or null. */
  ExnRef = 0x69,
  // GC (3.0): the other nullable abstract reference types, by their shorthand bytes.
  AnyRef = 0x6e,
  EqRef = 0x6d,
  I31Ref = 0x6c,
  StructRef = 0x6b,
  ArrayRef = 0x6a,
  NullRef = 0x71,
  NullExternRef = 0x72,
  NullFuncRef = 0x73,
  NullExnRef = 0x74,
}

// Reference types (3.0, typed references and GC) are numbers too, so the
// validator's typed-array stacks and every `===` on value types keep
// working: a reference type is its heap type plus NON_NULL when it is not
// nullable. An abstract heap type is its byte (func 0x70, extern 0x6f, any
// 0x6e, eq 0x6d, i31 0x6c, struct 0x6b, array 0x6a, exn 0x69, none 0x71,
// noextern 0x72, nofunc 0x73, noexn 0x74), so `(ref null func)` is
// ValType.FuncRef as before; a defined type's heap type is CONCRETE plus its
// type index. decode canonicalises type indices within a module (equivalent
// recursive groups share the first one's indices, decode-types.ts), so two
// reference types are equal exactly when their numbers are.

/** Added to a heap type for the non-nullable reference type `(ref ht)`. */
export const NON_NULL = 0x40000000;
/** The heap type of type index i is CONCRETE + i. */
export const CONCRETE = 0x200;

export const enum HeapType {
  Func = 0x70,
  Extern = 0x6f,
  Any = 0x6e,
  Eq = 0x6d,
  I31 = 0x6c,
  Struct = 0x6b,
  Array = 0x6a,
  Exn = 0x69,
  None = 0x71,
  NoExtern = 0x72,
  NoFunc = 0x73,
  NoExn = 0x74,
  /** The validator's bottom heap type (of a reference popped from an unreachable stack): below every other. */
  Bottom = 0x01,
}

/** The reference type of heap type `heap`. */
export function refType(heap: number, nullable: boolean): ValType {
  return (nullable ? heap : heap + NON_NULL) as ValType;
}

/** Whether `type` is a reference type. */
export function isRef(type: number): boolean {
  const heap = type & ~NON_NULL;
  return heap >= CONCRETE || (heap >= HeapType.Exn && heap <= HeapType.NoExn) || heap === HeapType.Bottom;
}

export function heapOf(type: number): number {
  return type & ~NON_NULL;
}

export function isNullable(type: number): boolean {
  return (type & NON_NULL) === 0;
}

/** The type index of a defined heap type, or -1 for an abstract one. */
export function typeIndexOf(type: number): number {
  const heap = type & ~NON_NULL;
  return heap >= CONCRETE ? heap - CONCRETE : -1;
}

const HEAP_NAMES = new Map<number, string>([
  [HeapType.Func, 'func'], [HeapType.Extern, 'extern'], [HeapType.Any, 'any'], [HeapType.Eq, 'eq'],
  [HeapType.I31, 'i31'], [HeapType.Struct, 'struct'], [HeapType.Array, 'array'], [HeapType.Exn, 'exn'],
  [HeapType.None, 'none'], [HeapType.NoExtern, 'noextern'], [HeapType.NoFunc, 'nofunc'], [HeapType.NoExn, 'noexn'],
  [HeapType.Bottom, 'bot'],
]);

export function heapTypeName(heap: number): string {
  return heap >= CONCRETE ? `$${heap - CONCRETE}` : HEAP_NAMES.get(heap) ?? `0x${heap.toString(16)}`;
}

export function valTypeName(type: ValType): string {
  switch (type) {
    case ValType.I32: return 'i32';
    case ValType.I64: return 'i64';
    case ValType.F32: return 'f32';
    case ValType.F64: return 'f64';
    case ValType.V128: return 'v128';
    case ValType.FuncRef: return 'funcref';
    case ValType.ExternRef: return 'externref';
    case ValType.ExnRef: return 'exnref';
  }
  if (isRef(type)) {
    const heap = heapOf(type);
    // Nullable abstract types have shorthands: anyref, nullfuncref, ...
    if (isNullable(type) && heap < CONCRETE && heap !== HeapType.Bottom) {
      const name = HEAP_NAMES.get(heap)!;
      return name.startsWith('no') ? `null${name.slice(name === 'none' ? 4 : 2)}ref` : `${name}ref`;
    }
    return `(ref ${isNullable(type) ? 'null ' : ''}${heapTypeName(heap)})`;
  }
  return `0x${(type as number).toString(16)}`;
}

/**
 * A function type, and the entry of every defined type: a struct or array
 * type (GC) is one too, with no params or results and its fields in `def`.
 * `def` is absent for a function type that is final, has no supertype and
 * is alone in its recursive group, as every 2.0 type is.
 */
export interface FuncType {
  params: ValType[];
  results: ValType[];
  def?: TypeDef;
}

export const enum TypeKind {
  Func = 0,
  Struct = 1,
  Array = 2,
}

/** Storage types of struct fields and array elements: a value type, or a packed i8 or i16. */
export const enum Packed {
  I8 = 0x78,
  I16 = 0x77,
}

export interface FieldType {
  /** A ValType, or Packed.I8 / Packed.I16. */
  type: number;
  mutable: boolean;
}

/** What GC adds to a defined type: its kind, fields, supertype and recursive group. */
export interface TypeDef {
  kind: TypeKind;
  /** A struct's fields; an array's one element type; none for a function type. */
  fields: FieldType[];
  /** The declared supertype's (canonical) index, or -1. */
  supertype: number;
  final: boolean;
  /** The (canonical) index of its group's first type, and the group's size. */
  groupStart: number;
  groupSize: number;
  /** Its own canonical index, and the number of supertypes above it. */
  index: number;
  depth: number;
  /** Byte offset of its definition, for validation errors. */
  offset: number;
}

/** The kind of a type section entry. */
export function typeKind(type: FuncType): TypeKind {
  return type.def === undefined ? TypeKind.Func : type.def.kind;
}

export interface Limits {
  min: number;
  /** null when the limits have no maximum. */
  max: number | null;
  /** Byte offsets of the min and max fields, for validation errors (maxOffset is -1 without a max). */
  offset: number;
  maxOffset: number;
  /**
   * memory64's u64 limits when one is past 2^53 (min and max are then
   * rounded): the exact values, for validate's comparison.
   */
  exact?: { min: bigint; max: bigint | null };
}

export interface TableType {
  elemType: ValType; // a reference type
  limits: Limits;
  /** Typed references (3.0): the constant expression every element starts as; null when they start null. */
  init?: ConstExpr | null;
  /** memory64's 64-bit tables: i64 indices and sizes. Optional: IR made by hand may leave it out. */
  address64?: boolean;
}

export interface MemoryType {
  limits: Limits;
  shared: boolean;
  /** memory64 (3.0): i64 addresses, sizes and offsets; limits in pages up to 2^48. */
  address64: boolean;
}

export interface GlobalType {
  valType: ValType;
  mutable: boolean;
}

export const enum ExternKind {
  Func = 0,
  Table = 1,
  Memory = 2,
  Global = 3,
  /** Exception handling (3.0). */
  Tag = 4,
}

export type ImportDesc =
  | { kind: ExternKind.Func; typeIndex: number }
  | { kind: ExternKind.Table; type: TableType }
  | { kind: ExternKind.Memory; type: MemoryType }
  | { kind: ExternKind.Global; type: GlobalType }
  | { kind: ExternKind.Tag; typeIndex: number };

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
  offset: number;
}

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
  offset: number;
}

/**
 * One instruction. Only the immediates of its opcode's kind are set (see
 * opcodes.ts); `offset` is the byte offset of the opcode's first byte.
 * Prefixed opcodes are folded into one number: 0xFC xx is 0xFC00 | xx,
 * 0xFD xx (SIMD, xx a u32 below 0x1000) is 0xFD000 | xx.
 */
export interface Instr {
  op: number;
  offset: number;
  /** First index immediate: local, global, function, table, label, type, data, elem or memory index; a SIMD lane index. */
  index: number;
  /** Second index immediate: call_indirect's table, memory.copy's source memory, table.copy's source table, table.init's table, memory.init's memory. */
  index2: number;
  /** i32.const: signed int32 as a number; i64.const: signed BigInt; f32/f64.const: the value as a JS number. */
  value: number | bigint;
  /** f32.const: the raw u32 bits; f64.const: the raw u64 bits as BigInt. Keeps NaN payloads exact. */
  bits: number | bigint;
  /** Memory access: log2 of the alignment, and the static offset. */
  align: number;
  memOffset: number;
  /** block, loop, if: the block type, resolved. */
  blockType: FuncType | null;
  /**
   * br_table: the label indices; the default target is `index`.
   * try_table: its catch clauses, three numbers each: the kind (CatchKind),
   * the tag index (0 for catch_all and catch_all_ref) and the label.
   */
  targets: number[] | null;
  /** select t: the value types. ref.null: a one-element array holding the reference type (shared; do not mutate), which is also in `index`. */
  types: ValType[] | null;
  /**
   * v128.const: its 16 bytes (lane 0 first, little-endian lanes);
   * i8x16.shuffle: its 16 lane indices. A view into the module's bytes.
   */
  v128: Uint8Array | null;
}

/** The kinds of a try_table catch clause, as encoded. */
export const enum CatchKind {
  Catch = 0,
  CatchRef = 1,
  CatchAll = 2,
  CatchAllRef = 3,
}

export interface ConstExpr {
  /** The instructions, including the final `end` (as in function bodies). */
  instrs: Instr[];
  offset: number;
}

/** A tag of the tag section: its function type (no results), and where it is, for errors. */
export interface TagType {
  typeIndex: number;
  offset: number;
}

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export const enum SegmentMode {
  Active = 0,
  Passive = 1,
  Declarative = 2,
}

export interface ElemSegment {
  mode: SegmentMode;
  table: number;
  /** Active segments only. */
  offsetExpr: ConstExpr | null;
  elemType: ValType;
  /** One constant expression per element (function indices become ref.func). */
  init: ConstExpr[];
  offset: number;
}

export interface DataSegment {
  mode: SegmentMode; // Active or Passive
  memory: number;
  offsetExpr: ConstExpr | null;
  bytes: Uint8Array;
  offset: number;
}

/** `count` locals of one type, as declared: a body of a few bytes may declare 50,000 locals. */
export interface LocalRun {
  count: number;
  type: ValType;
}

export interface Func {
  typeIndex: number;
  /**
   * Declared locals (parameters are not included), run-length encoded as
   * in the binary, so the IR stays proportional to the bytes; validate and
   * emit expand one function's at a time.
   */
  locals: LocalRun[];
  body: Instr[];
  /** Byte offset of the function body (its size field) in the module. */
  offset: number;
  /** Whether the body makes tail calls (return_call, return_call_indirect): see emit-tail.ts. */
  tailCalls?: boolean;
}

export interface CustomSection {
  name: string;
  bytes: Uint8Array;
  offset: number;
}

export interface NameSection {
  module: string | null;
  functions: Map<number, string>;
  locals: Map<number, Map<number, string>>;
}

/** The first place a module uses a feature. */
export interface FeatureUse {
  offset: number;
  /** The location as error messages give it: "at 0x26, code section, function 0". */
  where: string;
}

export interface Module {
  types: FuncType[];
  imports: Import[];
  /** Type index of each defined (non-imported) function, from the function section. */
  funcTypeIndices: number[];
  tables: TableType[];
  memories: MemoryType[];
  /** Each defined tag (exception handling, 3.0), from the tag section. */
  tags: TagType[];
  globals: Global[];
  exports: Export[];
  start: number | null;
  /** Byte offset of the start function's index; -1 without a start section. */
  startOffset: number;
  elems: ElemSegment[];
  dataCount: number | null;
  /** Defined functions, in order (imported functions come first in the index space). */
  funcs: Func[];
  datas: DataSegment[];
  customSections: CustomSection[];
  names: NameSection | null;
  /**
   * The (table, type index) pairs that call_indirect uses, as
   * `table * 2^20 + type` (a valid type index is below 2^20): the run-time
   * compiler declares these call views before it has seen any function.
   */
  indirectCalls: Set<number>;
  /**
   * Where the module first uses v128, a v128 value type or a 0xFD-prefixed
   * instruction, or null if it never does: the emitter treats such modules
   * apart (emit-simd.ts).
   */
  simd: FeatureUse | null;
  /**
   * Where the module first uses multi-memory (3.0): a second memory, a
   * memory index in a load or store, or one that is not a single 0x00 byte
   * after memory.size, grow, fill, copy or init; null if it never does.
   */
  multiMemory: FeatureUse | null;
  /**
   * Where the module first uses exception handling's final encoding, which
   * the legacy one lacks (and Node 20's V8 with it): try_table, throw_ref
   * or the exnref type; null if it never does.
   */
  exnref: FeatureUse | null;
  /**
   * Where the module first uses typed references or GC (3.0): a reference
   * type other than funcref, externref and exnref, a defined type other
   * than a plain function type, a table initialiser, or one of their
   * instructions; null if it never does.
   */
  gc: FeatureUse | null;
  /** Counts of imported entities, so index spaces can be split. */
  importedFuncs: number;
  importedTables: number;
  importedMemories: number;
  importedGlobals: number;
  importedTags: number;
}
