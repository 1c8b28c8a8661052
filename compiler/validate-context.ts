// What module validation (validate.ts) learns about a module's index spaces
// and hands to function-body validation (validate-code.ts), plus the one
// helper through which every validation error is thrown, so each message
// carries its byte offset and where in the module it was found.

import { CompileError } from '../runtime/errors.js';
import { ValType, isRef, valTypeName } from './ir.js';
import type { FuncType, GlobalType, Instr, Module, TableType } from './ir.js';

/** The spec's context C (section 3.1.1), with every index space flattened: imports first. */
export interface ValidationContext {
  module: Module;
  types: FuncType[];
  /** Type of every function in the function index space, and its (canonical) type index. */
  funcTypes: FuncType[];
  funcTypeIndices: number[];
  tables: TableType[];
  memoryCount: number;
  /** Whether each memory is a memory64 one (i64 addresses), and whether any is. */
  memory64: boolean[];
  anyMemory64: boolean;
  /** Whether any table is a 64-bit one (memory64's tables: i64 indices). */
  anyTable64: boolean;
  globals: GlobalType[];
  /** Type of every tag in the tag index space (exception handling): params only, no results. */
  tags: FuncType[];
  /** Constant expressions may only read these (the first globals, all imported). */
  importedGlobalCount: number;
  /** Element type of every element segment. */
  elemTypes: ValType[];
  /** Number of data segments, as announced by the data count section; null without one. */
  dataCount: number | null;
  /**
   * C.refs: 1 for each function that may appear in `ref.func` inside a
   * function body, because an export, element segment or global initialiser
   * mentions it.
   */
  declaredRefs: Uint8Array;
}

/**
 * Throws the CompileError for a validation failure. `message` starts with
 * the spec testsuite's wording ("type mismatch", "unknown local", ...), so a
 * prefix match against the testsuite works; `where` names the section and
 * entity. A negative offset means the IR has no byte offset for the entity.
 */
export function invalid(message: string, offset: number, where: string): never {
  const at = offset >= 0 ? `at 0x${offset.toString(16)}, ` : '';
  throw new CompileError(`${message} (${at}${where})`);
}

/** Formats a value type, including the validator's "unknown" (bottom) type 0. */
export function typeName(type: number): string {
  return type === 0 ? 'unknown' : valTypeName(type as ValType);
}

export function typeListName(types: ArrayLike<number>): string {
  const names: string[] = [];
  for (let i = 0; i < types.length; i++) names.push(typeName(types[i]));
  return `[${names.join(' ')}]`;
}

export function funcTypeName(type: FuncType): string {
  return `${typeListName(type.params)} -> ${typeListName(type.results)}`;
}

export function isRefType(type: number): boolean {
  return isRef(type);
}

/**
 * The reference type a ref.null instruction pushes. decode puts it in
 * `types` (as for select t); `index` is the fallback for hand-built IR.
 */
export function refNullType(instr: Instr): ValType {
  return instr.types !== null && instr.types.length === 1 ? instr.types[0] : (instr.index as ValType);
}
