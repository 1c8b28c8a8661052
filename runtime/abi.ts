// The contract between generated code and the runtime. The compiler emits a
// *module body*: JavaScript statements that run with one free variable, `rt`
// (an object of type SupportLib below), and `return` a ModuleDescriptor.
// Output formats only differ in how they obtain `rt` and what they do with
// the descriptor:
//
//   ESM   import { rt, defineModule } from "wasm2es/runtime";
//         export default defineModule((function (rt) { BODY })(rt));
//   run time (polyfill):   new Function("rt", BODY)(rt)
//
// defineModule registers the module under `hash` so that a later
// `new WebAssembly.Module(bytes)` with the same bytes finds it.
//
// Values inside compiled code ("internal" representation):
//   i32      JS number, always an int32 (x | 0)
//   i64      BigInt, always signed 64-bit (BigInt.asIntN(64, x))
//   f32      JS number, always exactly representable as float32
//   f64      JS number
//   funcref  FuncRef or null
//   externref any JS value; ref.null extern is JS null
// The runtime converts to and from JS values at every boundary (exported
// function calls, host function calls, Global.value, Table.get/set).

/**
 * Value type names as they appear in descriptors and the JS API; typed
 * references and GC (3.0) add the other reference types: "anyref",
 * "(ref func)", "(ref null #12)" (#12 a type id, runtime/types.ts).
 */
export type ValueTypeName = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | 'exnref' | (string & {});

export interface FuncTypeDesc {
  params: ValueTypeName[];
  results: ValueTypeName[];
}

export type ImportDescriptor =
  | { module: string; name: string; kind: 'function'; type: FuncTypeDesc; /** The canonical type id, where the signature key is not enough (typed references, GC). */ typeId?: number }
  | { module: string; name: string; kind: 'table'; element: 'funcref' | 'anyfunc' | 'externref' | 'exnref'; initial: number; maximum?: number; address?: 'i64' }
  | { module: string; name: string; kind: 'memory'; initial: number; maximum?: number; shared?: boolean; address?: 'i64' }
  | { module: string; name: string; kind: 'global'; value: ValueTypeName; mutable: boolean }
  | { module: string; name: string; kind: 'tag'; type: FuncTypeDesc };

export interface ExportDescriptor {
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

export interface CustomSectionDescriptor {
  name: string;
  /** Section contents, base64 (generated code), or the bytes (modules the runtime decodes itself, runtime/bodyless.ts). */
  data: string | Uint8Array;
}

/**
 * What a module body returns. `link` is called once per instantiation with
 * the resolved imports, in import order, already checked and converted by
 * the runtime:
 *   function -> FuncRef (a host function wrapped; an exported wasm function's own FuncRef)
 *   table    -> Table (the runtime's)
 *   memory   -> Memory (the runtime's; a native WebAssembly.Memory is adapted)
 *   global   -> Global (the runtime's; numbers for immutable globals are boxed)
 * link allocates the instance, initialises globals, applies active element
 * and data segments in order, runs the start function, and returns the
 * export values in export order (FuncRef | Table | Memory | Global). A trap
 * during any of that is thrown out of link; the runtime turns stray engine
 * errors into RuntimeError (see convertError).
 */
export interface ModuleDescriptor {
  /** SHA-256 of the original .wasm bytes, lowercase hex ("" when compiled at run time without hashing). */
  hash: string;
  /**
   * Length of the original .wasm bytes: bytes of another length need no
   * hashing to know they are not this module. Missing in older output.
   */
  size?: number;
  imports: ImportDescriptor[];
  exports: ExportDescriptor[];
  customSections: CustomSectionDescriptor[];
  link(imports: unknown[]): unknown[];
}

/**
 * A function reference: the internal value of funcref, and what every
 * function table holds. `raw` takes and returns internal values; a function
 * with several results returns a JS array that holds them first. It may
 * hold more: compiled code appends a null where a result is a float, so that
 * V8 keeps the array one of tagged values and does not quiet a signalling
 * NaN, as it does storing one into an array of doubles. `typeId` is a canonical
 * signature id from rt.typeId, equal across modules for equal signatures, so
 * call_indirect checks one integer. The JS-visible function (the "Exported
 * Function" of the JS API) is made once, on demand, by the runtime.
 */
export interface FuncRefShape {
  /**
   * The function itself. When the wasm function makes tail calls, `raw`
   * carries its tail body as `raw.$t` (runtime/tail.ts): a tail call
   * through a table or an import hands that over to the trampoline.
   */
  raw: (...args: any[]) => any;
  typeId: number;
  type: FuncTypeDesc;
  /** Index in the defining module's function index space; the exported function's `name`. */
  index: number;
}

/**
 * The helper library that generated code may use, passed as `rt`. Generated
 * code destructures what it needs into local constants once, at module body
 * level. Every trap helper throws RuntimeError with the spec's message.
 */
export interface SupportLib {
  // Classes of the JS API (the runtime's own, also exposed on its WebAssembly namespace).
  Memory: any;
  Table: any;
  Global: any;
  FuncRef: new (raw: (...args: any[]) => any, typeId: number, type: FuncTypeDesc, index: number) => FuncRefShape;

  /** Interns a signature, e.g. typeId("i32,i64->f32") or typeId("->"). */
  typeId(key: string): number;
  /** Throws RuntimeError(message). */
  trap(message: string): never;
  /** Decodes base64 into bytes (data segments, custom sections). */
  base64(text: string): Uint8Array;

  // Memory (Memory objects) -- internal API, see memory.ts:
  //   mem._watch(callback(buffer: ArrayBuffer)): calls it now and after every growth;
  //     it may be called again with the same buffer (after an exhaustion, see boundary.ts)
  //   mem._grow(deltaPages: number /* u32 */): old page count, or -1; throws only
  //     stack exhaustion, which compiled code lets through (it has no try)
  //   mem._buf: the current ArrayBuffer
  memoryFill(mem: any, dest: number, value: number, length: number): void;
  memoryCopy(destMem: any, srcMem: any, dest: number, src: number, length: number): void;
  /** segment is null once dropped (treated as empty). */
  memoryInit(mem: any, segment: Uint8Array | null, dest: number, src: number, length: number): void;

  // Tables (Table objects) -- internal API, see table.ts:
  //   table._elems: the element array; its identity never changes, growth appends
  //   table._grow(delta: number /* u32 */, init: any): old size, or -1; as mem._grow
  //   table._callView(typeId): call_indirect's array of functions for one type
  //     (a trapping function where the element is null or of another type)
  tableGet(table: any, index: number): any;
  tableSet(table: any, index: number, value: any): void;
  tableFill(table: any, index: number, value: any, length: number): void;
  tableCopy(destTable: any, srcTable: any, dest: number, src: number, length: number): void;
  /** segment is null once dropped (treated as empty). */
  tableInit(table: any, segment: any[] | null, dest: number, src: number, length: number): void;
  /**
   * call_indirect: returns the `raw` function of elems[index] after checking
   * bounds ("undefined element"), null ("uninitialized element") and typeId
   * ("indirect call type mismatch").
   */
  callIndirect(elems: any[], index: number, typeId: number): (...args: any[]) => any;
  /** call_indirect past the end of the table (its call view read undefined): traps. */
  callIndirectTrap(): never;

  // Integer arithmetic that can trap or has no one-expression JS form.
  i32DivS(a: number, b: number): number;
  i32DivU(a: number, b: number): number;
  i32RemS(a: number, b: number): number;
  i32RemU(a: number, b: number): number;
  i32Ctz(a: number): number;
  i32Popcnt(a: number): number;
  i32Rotl(a: number, b: number): number;
  i32Rotr(a: number, b: number): number;
  i64DivS(a: bigint, b: bigint): bigint;
  i64DivU(a: bigint, b: bigint): bigint;
  i64RemS(a: bigint, b: bigint): bigint;
  i64RemU(a: bigint, b: bigint): bigint;
  i64Clz(a: bigint): bigint;
  i64Ctz(a: bigint): bigint;
  i64Popcnt(a: bigint): bigint;
  i64Rotl(a: bigint, b: bigint): bigint;
  i64Rotr(a: bigint, b: bigint): bigint;

  // Floats. f32 and f64 values are both JS numbers, so one helper serves both
  // where the result is exact; f32 variants round to float32.
  fNearest(a: number): number; // ties to even; keeps -0
  fCopysign(a: number, b: number): number; // bit-exact, also for NaN signs
  fAbs(a: number): number; // clears the sign bit, also of NaN
  fNeg(a: number): number; // flips the sign bit, also of NaN
  fQuiet(a: number): number; // sets the quiet bit of a NaN, other values unchanged
  f32ConvertI64S(a: bigint): number; // single rounding to float32
  f32ConvertI64U(a: bigint): number;
  f64ConvertI64U(a: bigint): number;

  // Float -> integer truncation (input is an f32 or f64 value; traps on NaN / out of range).
  truncS32(a: number): number;
  truncU32(a: number): number; // result as int32 bits
  truncS64(a: number): bigint;
  truncU64(a: number): bigint; // result as signed i64 bits
  truncSatS32(a: number): number;
  truncSatU32(a: number): number;
  truncSatS64(a: number): bigint;
  truncSatU64(a: number): bigint;

  // The words of an i64: store it in i64Bits[0], then read lowBits[0] / highBits[0].
  i64Bits: { [index: number]: bigint };
  lowBits: Int32Array;
  highBits: Int32Array;
  // Variable i64 shifts (count 0..63), for output tuned for JITs.
  pow2: readonly bigint[];
  i64ShrU(x: bigint, k: number): bigint;
  i64ShrS(x: bigint, k: number): bigint;

  // Reinterpretation, through a scratch buffer.
  i32ReinterpretF32(a: number): number;
  f32ReinterpretI32(a: number): number;
  i64ReinterpretF64(a: number): bigint;
  f64ReinterpretI64(a: bigint): number;
}
