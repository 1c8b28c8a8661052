// validate(module): the WebAssembly 2.0 validation rules of spec chapter 3
// for everything outside function bodies (types, limits, imports, exports,
// globals, segments, start, constant expressions). Function bodies are typed
// by validate-code.ts. The IR is assumed well-formed, as decode guarantees
// (binary-format errors are the decoder's); everything else is checked here
// and reported as a CompileError with a byte offset.

import { ExternKind, SegmentMode, TypeKind, ValType, typeKind } from './ir.js';
import type { ConstExpr, FuncType, GlobalType, Limits, Module, TableType } from './ir.js';
import { CodeValidator } from './validate-code.js';
import { decode } from './decode.js';
import { LIMITS } from './decode-limits.js';
import { CompileError } from '../runtime/errors.js';
import { funcTypeName, invalid, isRefType, typeName } from './validate-context.js';
import type { ValidationContext } from './validate-context.js';
import { validateConstExpr } from './validate-const.js';
import { defaultable, matches, validateTypes } from './validate-types.js';

/** 65536 pages of 64KiB: the 4GiB a 32-bit address can reach. */
const MAX_MEMORY_PAGES = 65536;
/** memory64: 2^48 pages, the 2^64 bytes a 64-bit address can reach. */
const MAX_MEMORY64_PAGES = 2 ** 48;
const MAX_TABLE_SIZE = 0xffffffff;

/** Throws a CompileError at the first rule the module breaks. */
export function validate(module: Module): void {
  const context = validateOutsideCode(module, true);
  const code = new CodeValidator(context);
  for (let i = 0; i < module.funcs.length; i++) code.validateFunction(module.funcs[i], module.importedFuncs + i);
}

/** Everything but the function bodies, in validate's order; `complete` once the whole module is decoded. */
function validateOutsideCode(module: Module, complete: boolean): ValidationContext {
  validateTypes(module);
  const context = buildContext(module, complete);
  validateTables(context);
  validateGlobals(context);
  validateElems(context);
  if (complete) validateDatas(context);
  validateStart(context);
  validateExports(context);
  return context;
}

/**
 * decode(bytes) and validate() in one pass over the bytes, for the
 * compiler: each function body is validated as soon as it is decoded, in
 * decode's reused pool of instructions, and not kept (DecodeOptions.onBody),
 * so no object is made per instruction and no module's instructions are all
 * alive at once. The errors are the same, in the same order: a body's
 * validation error waits until decoding has found no malformed byte and the
 * rest of the module has validated (the data section comes after the code).
 * The module's function bodies are decoded again from `bytes` when read, so
 * the caller must keep `bytes` unchanged while it uses the module.
 */
export function decodeValidated(bytes: Uint8Array): Module {
  let code: CodeValidator | null | undefined;
  const deferred: unknown[] = []; // the first body's validation error, if any
  const module = decode(bytes, {
    onBody(partial, func, funcIndex, instrs, count) {
      if (deferred.length > 0) return;
      if (code === undefined) {
        // What precedes the code section validates now; if it fails, that
        // failure comes first anyway, and the bodies are left for it.
        try {
          code = new CodeValidator(validateOutsideCode(partial, false));
        } catch (error) {
          if (!(error instanceof CompileError)) throw error;
          code = null;
        }
      }
      if (code === null) return;
      try {
        code.validateFunction(func, funcIndex, instrs, count);
      } catch (error) {
        deferred.push(error);
      }
    },
  });
  validateOutsideCode(module, true);
  if (deferred.length > 0) throw deferred[0];
  return module;
}

/**
 * Resolves the index spaces, checking imports, the function section, tables
 * and memories on the way, since each entry is validated as it is added.
 */
function buildContext(module: Module, complete: boolean): ValidationContext {
  const types = module.types;
  const funcTypes: FuncType[] = [];
  const funcTypeIndices: number[] = [];
  const tables: TableType[] = [];
  const globals: GlobalType[] = [];
  const tags: FuncType[] = [];
  let memoryCount = 0;
  const memory64: boolean[] = [];

  const typeAt = (typeIndex: number, offset: number, where: string): FuncType => {
    if (typeIndex >>> 0 !== typeIndex || typeIndex >= types.length) invalid(`unknown type ${typeIndex}`, offset, where);
    const type = types[typeIndex];
    if (typeKind(type) !== TypeKind.Func) invalid(`type mismatch: type ${typeIndex} is not a function type`, offset, where);
    return type;
  };
  const addFunc = (typeIndex: number, offset: number, where: string): void => {
    funcTypes.push(typeAt(typeIndex, offset, where));
    funcTypeIndices.push(typeIndex);
  };
  // `offset` is the import's, or the limits' for a memory or table of the module's own.
  const addMemory = (limits: Limits, shared: boolean, address64: boolean, offset: number, where: string): void => {
    // Several memories are 3.0's multi-memory; the JS API allows 100.
    if (++memoryCount > LIMITS.memories) invalid(`too many memories: more than ${LIMITS.memories}, imports included (the JS API's limit)`, offset, where);
    memory64.push(address64);
    if (address64) checkLimits(limits, MAX_MEMORY64_PAGES, 'memory size must be at most 2^48 pages (a 64-bit memory)', where);
    else checkLimits(limits, MAX_MEMORY_PAGES, 'memory size must be at most 65536 pages (4GiB)', where);
    if (shared) {
      if (limits.max === null) invalid('shared memory must have maximum', offset, where);
      invalid('shared memories are not supported: they belong to the threads proposal', offset, where);
    }
  };
  // Exception handling (3.0): a tag's type is a function type without results.
  const addTag = (typeIndex: number, offset: number, where: string): void => {
    const type = typeAt(typeIndex, offset, where);
    if (type.results.length !== 0) invalid(`non-empty tag result type: type ${typeIndex} is ${funcTypeName(type)}`, offset, where);
    tags.push(type);
  };
  const addTable = (type: TableType, offset: number, where: string): void => {
    if (!isRefType(type.elemType)) invalid(`type mismatch: table element type must be a reference type, got ${typeName(type.elemType)}`, offset, where);
    // A 64-bit table's limits may be any u64.
    if (type.address64 === true) checkLimits(type.limits, Infinity, '', where);
    else checkLimits(type.limits, MAX_TABLE_SIZE, 'table size must be at most 2^32-1', where);
    tables.push(type);
  };

  for (let i = 0; i < module.imports.length; i++) {
    const { desc, offset } = module.imports[i];
    const where = `import section, import ${i}`;
    switch (desc.kind) {
      case ExternKind.Func: addFunc(desc.typeIndex, offset, where); break;
      case ExternKind.Table: addTable(desc.type, offset, where); break;
      case ExternKind.Memory: addMemory(desc.type.limits, desc.type.shared, desc.type.address64, offset, where); break;
      case ExternKind.Global: globals.push(desc.type); break;
      case ExternKind.Tag: addTag(desc.typeIndex, offset, where); break;
    }
  }

  // This and the data count check below only catch hand-built IR: decode
  // has already rejected such bytes, with offsets.
  if (complete && module.funcTypeIndices.length !== module.funcs.length) {
    invalid('function and code section have inconsistent lengths', -1, 'code section');
  }
  for (let i = 0; i < module.funcTypeIndices.length; i++) {
    // The function section has no offsets in the IR; point at the function's body instead.
    const index = module.importedFuncs + i;
    // Before the code section is decoded (decodeValidated) no body has an offset yet.
    addFunc(module.funcTypeIndices[i], module.funcs[i]?.offset ?? -1, `function section type of function ${index}, whose body is here`);
  }
  for (let i = 0; i < module.tables.length; i++) {
    const table = module.tables[i];
    addTable(table, table.limits.offset, `table section, table ${tables.length}`);
  }
  for (let i = 0; i < module.memories.length; i++) {
    const memory = module.memories[i];
    addMemory(memory.limits, memory.shared, memory.address64, memory.limits.offset, `memory section, memory ${memoryCount}`);
  }
  for (const tag of module.tags) addTag(tag.typeIndex, tag.offset, `tag section, tag ${tags.length}`);
  const importedGlobalCount = globals.length;
  for (const global of module.globals) globals.push(global.type);

  if (complete && module.dataCount !== null && module.dataCount !== module.datas.length) {
    invalid('data count and data section have inconsistent lengths', -1, 'data count section');
  }

  return {
    module,
    types,
    funcTypes,
    funcTypeIndices,
    tables,
    memoryCount,
    memory64,
    anyMemory64: memory64.includes(true),
    anyTable64: tables.some((table) => table.address64 === true),
    globals,
    tags,
    importedGlobalCount,
    elemTypes: module.elems.map((elem) => elem.elemType),
    dataCount: module.dataCount,
    declaredRefs: new Uint8Array(funcTypes.length),
  };
}

/**
 * Spec 3.2.1: min <= range, max <= range, min <= max (in that order, as the
 * reference interpreter reports them), each at the offending field.
 */
function checkLimits(limits: Limits, range: number, rangeMessage: string, where: string): void {
  if (limits.min > range) invalid(`${rangeMessage}: the minimum is ${limits.min}`, limits.offset, where);
  if (limits.max !== null) {
    if (limits.max > range) invalid(`${rangeMessage}: the maximum is ${limits.max}`, limits.maxOffset, where);
    // u64 limits past 2^53 are compared exactly.
    const exact = limits.exact;
    if (exact !== undefined ? exact.min > exact.max! : limits.min > limits.max) {
      invalid(`size minimum must not be greater than maximum (${exact?.min ?? limits.min} > ${exact?.max ?? limits.max})`, limits.maxOffset, where);
    }
  }
}

/**
 * Typed references (3.0): a table of a non-nullable type needs an
 * initialiser; one with an initialiser starts every element as its value.
 */
function validateTables(context: ValidationContext): void {
  const { module } = context;
  for (let i = 0; i < module.tables.length; i++) {
    const table = module.tables[i];
    const where = `table section, table ${module.importedTables + i}`;
    if (table.init != null) validateConstExpr(context, table.init, table.elemType, where, context.importedGlobalCount);
    else if (!defaultable(table.elemType)) invalid(`type mismatch: a table of ${typeName(table.elemType)} needs an initialiser`, table.limits.offset, where);
  }
}

function validateGlobals(context: ValidationContext): void {
  const { module } = context;
  for (let i = 0; i < module.globals.length; i++) {
    const global = module.globals[i];
    // A global's initialiser may read the globals before it (3.0).
    const index = context.importedGlobalCount + i;
    validateConstExpr(context, global.init, global.type.valType, `global section, global ${index}`, index);
  }
}

function validateElems(context: ValidationContext): void {
  const { module } = context;
  for (let i = 0; i < module.elems.length; i++) {
    const elem = module.elems[i];
    const where = `element section, segment ${i}`;
    if (!isRefType(elem.elemType)) invalid(`type mismatch: element type must be a reference type, got ${typeName(elem.elemType)}`, elem.offset, where);
    if (elem.mode === SegmentMode.Active) {
      const table = context.tables[elem.table];
      if (table === undefined) invalid(`unknown table ${elem.table}`, elem.offset, where);
      if (!matches(context.types, elem.elemType, table.elemType)) {
        invalid(`type mismatch: segment of ${typeName(elem.elemType)} for table ${elem.table} of ${typeName(table.elemType)}`, elem.offset, where);
      }
      if (elem.offsetExpr === null) invalid('active element segment without an offset', elem.offset, where);
      validateConstExpr(context, elem.offsetExpr, table.address64 === true ? ValType.I64 : ValType.I32, where, context.globals.length);
    }
    for (let j = 0; j < elem.init.length; j++) validateConstExpr(context, elem.init[j], elem.elemType, where, context.globals.length);
  }
}

function validateDatas(context: ValidationContext): void {
  const { module } = context;
  for (let i = 0; i < module.datas.length; i++) {
    const data = module.datas[i];
    if (data.mode !== SegmentMode.Active) continue;
    const where = `data section, segment ${i}`;
    if (data.memory >= context.memoryCount) invalid(`unknown memory ${data.memory}`, data.offset, where);
    if (data.offsetExpr === null) invalid('active data segment without an offset', data.offset, where);
    validateConstExpr(context, data.offsetExpr, context.memory64[data.memory] ? ValType.I64 : ValType.I32, where, context.globals.length);
  }
}

function validateStart(context: ValidationContext): void {
  const start = context.module.start;
  if (start === null) return;
  const offset = context.module.startOffset;
  const type = context.funcTypes[start];
  if (type === undefined) invalid(`unknown function ${start}`, offset, 'start section');
  if (type.params.length !== 0 || type.results.length !== 0) {
    invalid(`start function must have type [] -> [], function ${start} has ${funcTypeName(type)}`, offset, 'start section');
  }
}

const EXTERN_KIND_NAMES = ['function', 'table', 'memory', 'global', 'tag'];

function validateExports(context: ValidationContext): void {
  const { module } = context;
  const spaceSizes = [context.funcTypes.length, context.tables.length, context.memoryCount, context.globals.length, context.tags.length];
  const names = new Set<string>();
  for (let i = 0; i < module.exports.length; i++) {
    const { name, kind, index, offset } = module.exports[i];
    const where = `export section, export ${i}`;
    if (names.has(name)) invalid(`duplicate export name ${JSON.stringify(name)}`, offset, where);
    names.add(name);
    if (index >= spaceSizes[kind]) invalid(`unknown ${EXTERN_KIND_NAMES[kind]} ${index}`, offset, where);
    if (kind === ExternKind.Func) context.declaredRefs[index] = 1;
  }
}

