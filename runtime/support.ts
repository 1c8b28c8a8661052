// `rt`, the support library that module bodies receive (SupportLib in
// runtime/abi.ts). Generated code destructures what it needs once, so this
// is a plain object of standalone functions: none of them uses `this`.

import type { SupportLib } from './abi.js';
import { base64Decode } from './base64.js';
import { FuncRef, lazyFuncRef, setRaw, typeId } from './boundary.js';
import {
  addr64, callIndirect, callIndirectTrap, idx64, memoryCopy, memoryCopy64, memoryFill, memoryFill64, memoryGrow64, memoryInit,
  memoryInit64, tableCopy, tableFill, tableGet, tableInit, tableSet,
} from './bulk.js';
import { Global, makeGlobal } from './global.js';
import { Memory } from './memory.js';
import * as numeric from './numeric.js';
import * as simd from './simd.js';
import { Table } from './table.js';
import { catchable, newException, throwRef } from './exception.js';
import { makeTag } from './tag.js';
import { TAIL, tailCall, tailLoop, tailOut, tailTo } from './tail.js';
import * as gc from './gc.js';
import { recGroup, refName } from './types.js';
import { makeTypedTable } from './table.js';

/** Helpers beyond SupportLib in runtime/abi.ts (additions the compiler may use). */
export interface SupportLibExtras {
  /** Sets the quiet bit of a NaN (keeping sign and payload); other values unchanged. */
  fQuiet(a: number): number;
  /** BigInt.asUintN, or an exact replacement where the engine's is wrong (QuickJS). */
  asUintN(bits: number, value: bigint): bigint;
  /** A FuncRef whose raw function is a lazy stub (run-time compiler). */
  lazyFuncRef: typeof lazyFuncRef;
  /** Replaces a lazy FuncRef's stub by the generated function. */
  setRaw: typeof setRaw;
  /** Tail calls (runtime/tail.ts): what a tail body returns to hand over a pending call. */
  TAIL: object;
  tailTo: typeof tailTo;
  tailCall: typeof tailCall;
  tailLoop: typeof tailLoop;
  tailOut: typeof tailOut;
  /** A Global of type v128 holding `value`, four i32 words (JS cannot make one). */
  v128Global(mutable: boolean, value: readonly number[]): Global;
  /** A Global of a type JavaScript cannot make (exnref, typed references), holding an internal value. */
  internalGlobal(type: string, mutable: boolean, value: unknown): Global;
  /** Typed references and GC (runtime/types.ts, runtime/gc.ts, compiler/emit-gc.ts). */
  recGroup: typeof recGroup;
  refName: typeof refName;
  makeTypedTable: typeof makeTypedTable;
  /** memory64 (runtime/bulk.ts). */
  addr64: typeof addr64;
  memoryFill64: typeof memoryFill64;
  memoryCopy64: typeof memoryCopy64;
  memoryInit64: typeof memoryInit64;
  memoryGrow64: typeof memoryGrow64;
  idx64: typeof idx64;
  /** Exception handling (runtime/exception.ts, compiler/emit-exceptions.ts). */
  makeTag: typeof makeTag;
  catchable: typeof catchable;
  throwRef: typeof throwRef;
  newException: typeof newException;
  [simdHelper: string]: unknown;
}

export const rt: SupportLib & SupportLibExtras = {
  Memory,
  Table,
  Global,
  FuncRef,

  typeId,
  lazyFuncRef,
  setRaw,
  trap: numeric.trap,
  asUintN: numeric.asUintN,
  base64: base64Decode,

  memoryFill,
  memoryCopy,
  memoryInit,
  tableGet,
  tableSet,
  tableFill,
  tableCopy,
  tableInit,
  callIndirect,
  callIndirectTrap,

  // memory64 (compiler/emit-memory.ts)
  addr64,
  memoryFill64,
  memoryCopy64,
  memoryInit64,
  memoryGrow64,
  idx64,

  i32DivS: numeric.i32DivS,
  i32DivU: numeric.i32DivU,
  i32RemS: numeric.i32RemS,
  i32RemU: numeric.i32RemU,
  i32Ctz: numeric.i32Ctz,
  i32Popcnt: numeric.i32Popcnt,
  i32Rotl: numeric.i32Rotl,
  i32Rotr: numeric.i32Rotr,
  i64DivS: numeric.i64DivS,
  i64DivU: numeric.i64DivU,
  i64RemS: numeric.i64RemS,
  i64RemU: numeric.i64RemU,
  i64Clz: numeric.i64Clz,
  i64Ctz: numeric.i64Ctz,
  i64Popcnt: numeric.i64Popcnt,
  i64Rotl: numeric.i64Rotl,
  i64Rotr: numeric.i64Rotr,

  fNearest: numeric.fNearest,
  fQuiet: numeric.fQuiet,
  fCopysign: numeric.fCopysign,
  fAbs: numeric.fAbs,
  fNeg: numeric.fNeg,
  f32ConvertI64S: numeric.f32ConvertI64S,
  f32ConvertI64U: numeric.f32ConvertI64U,
  f64ConvertI64U: numeric.f64ConvertI64U,

  truncS32: numeric.truncS32,
  truncU32: numeric.truncU32,
  truncS64: numeric.truncS64,
  truncU64: numeric.truncU64,
  truncSatS32: numeric.truncSatS32,
  truncSatU32: numeric.truncSatU32,
  truncSatS64: numeric.truncSatS64,
  truncSatU64: numeric.truncSatU64,

  i64Bits: numeric.i64Bits,
  lowBits: numeric.lowBits,
  highBits: numeric.highBits,
  pow2: numeric.pow2,
  i64ShrU: numeric.i64ShrU,
  i64ShrS: numeric.i64ShrS,
  i32ReinterpretF32: numeric.i32ReinterpretF32,
  f32ReinterpretI32: numeric.f32ReinterpretI32,
  i64ReinterpretF64: numeric.i64ReinterpretF64,
  f64ReinterpretI64: numeric.f64ReinterpretI64,

  // tail calls (compiler/emit-tail.ts)
  TAIL,
  tailTo,
  tailCall,
  tailLoop,
  tailOut,

  // exception handling (compiler/emit-exceptions.ts)
  makeTag,
  catchable,
  throwRef,
  newException,
  internalGlobal: (type, mutable, value) => makeGlobal(type, mutable, value),

  // typed references and GC (compiler/emit-refs.ts, emit-gc.ts, emit-types.ts)
  recGroup,
  refName,
  makeTypedTable,
  structClass: gc.structClass,
  defineStruct: gc.defineStruct,
  arrayClass: gc.arrayClass,
  nullStruct: gc.nullStruct,
  nullArray: gc.nullArray,
  nullI31: gc.nullI31,
  nullFunc: gc.nullFunc,
  nullRef: gc.nullRef,
  castFailure: gc.castFailure,
  asNonNull: gc.asNonNull,
  isI31: gc.isI31,
  isEq: gc.isEq,
  isStruct: gc.isStruct,
  isArray: gc.isArray,
  isFunc: gc.isFunc,
  arrayNew: gc.arrayNew,
  arrayNewDefault: gc.arrayNewDefault,
  arrayOf: gc.arrayOf,
  arrayNewData: gc.arrayNewData,
  arrayNewElem: gc.arrayNewElem,
  arrayIndexTrap: gc.arrayIndexTrap,
  arrayFill: gc.arrayFill,
  arrayCopy: gc.arrayCopy,
  arrayInitData: gc.arrayInitData,
  arrayInitElem: gc.arrayInitElem,

  // v128 (compiler/emit-simd.ts)
  v128Global: (mutable, value) => makeGlobal('v128', mutable, value),
  f64Bits: numeric.f64Bits,
  simdOut: simd.simdOut,
  simdF32: simd.simdF32,
  simdI32: simd.simdI32,
  simdSwizzle: simd.simdSwizzle,
  simdBitmask8: simd.simdBitmask8,
  simdAllTrue8: simd.simdAllTrue8,
  simdAllTrue16: simd.simdAllTrue16,
  ...simd.simdWordHelpers,
  ...simd.simdVectorHelpers,
};
