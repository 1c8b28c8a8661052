// Emits a validated module as a module body (runtime/abi.ts): statements that
// run with `rt` in scope and return a ModuleDescriptor whose `link` builds one
// instance. Everything per-module (type ids, decoded data segments) is
// computed once in the body; everything per-instance lives inside `link`.
// Names from the module (imports, exports, custom sections) only ever appear
// as string literals or property names, never as identifiers: a function
// that the name section names is a method of that name (see namedFunction),
// so stack traces show the wasm name.

import {
  ConstExpr, ExternKind, FuncType, Instr, Module, SegmentMode, ValType, isRef, valTypeName,
} from './ir.js';
import { emitFunction, ModuleEnv } from './emit-func.js';
import { allBuiltins, LOAD_METHODS, RUNTIME_BUILTINS, STORE_METHODS, takeBuiltins } from './emit-ops.js';
import { INDIRECT_TABLE_SCALE } from './decode-code.js';
import { PREFIX_FD } from './opcodes.js';
import { printFunction, rawCode } from './print.js';
import { printCompactCounted } from './print-compact.js';
import * as js from './js.js';
import type { JsNode } from './js.js';
import { base64Encode } from '../runtime/base64.js';
import { DEFAULT_SPLIT_THRESHOLD, splitFunction } from './split.js';
import { MAX_HEIGHT, flattenFunction } from './flatten.js';
import { expandV128 } from './emit-simd.js';
import { shiftMarks } from './sourcemap.js';
import { constExprJs } from './emit-const.js';
import { lazyTailStub, tailBodyName, tailLink, tailWrapper } from './emit-tail.js';
import { declareAllTypes, signatureKey, typeDescJs, typeNameJs } from './emit-types.js';
import { gcConstInstr } from './emit-gc.js';

const KIND_NAMES = ['function', 'table', 'memory', 'global', 'tag'] as const;

/** The JS API's name for a table element type. */
function tableElementName(type: ValType): string {
  return type === ValType.FuncRef ? 'anyfunc' : 'externref';
}

/** Whether the JS API can make a Table or Global of this type itself (rt.Table, rt.Global). */
function jsApiType(type: ValType): boolean {
  return type === ValType.FuncRef || type === ValType.ExternRef || !isRef(type);
}

export interface EmitOptions {
  /** Functions larger than this (in ESTree nodes) are split into closures; see split.ts. */
  splitThreshold?: number;
  /** Read memory through typed arrays (fast without a JIT) instead of DataView calls; i64 always is. */
  typedMemory?: boolean;
  /** Functions whose statements nest deeper than this become state machines; see flatten.ts. */
  flattenHeight?: number;
  /** Indent the output (two spaces a level) instead of printing it compactly. */
  pretty?: boolean;
  /** Emit the module for lazy code generation at run time (see LazyOptions). */
  lazy?: LazyOptions;
  /** Called after each function is emitted and printed (eager mode): for a progress display. */
  onFunction?: (done: number, total: number) => void;
  /**
   * Record where each function's statements are in its text, with the wasm
   * byte offset each comes from (`marks` of the RawCode nodes; see print.ts).
   */
  sourceMap?: boolean;
}

/**
 * Lazy mode, for the run-time compiler: the body's functions are stubs that
 * generate the real function the first time they are called. The body is
 * then a function of `rt` and `$text`, where `$text(i)` (the emitted
 * module's functionSource) returns function i's source, an assignment
 * `fnI = function fnI(...) {...}` that a direct eval runs inside `link`, so
 * the new function sees the instance's state exactly as an eagerly
 * compiled one does. Everything a function may use is declared up front:
 * every helper, builtin, memory view, type id and call view.
 *
 * The eval runs in a parameterless arrow function: a function with its own
 * variables would put a context between `link`'s and the new function's,
 * and every access to instance state would walk one more level (10%
 * slower under --jitless on state-heavy code).
 */
export interface LazyOptions {
  /** The names of every helper `rt` has (Object.keys(rt)): the body destructures them all. */
  helpers: readonly string[];
}

export interface EmittedModule {
  /** The module body. */
  program: JsNode;
  /** Lazy mode: the source of function `funcIndex` (a defined function's index in the function index space). */
  functionSource(funcIndex: number): string;
}

/** What the descriptor says of the original bytes: the registry finds precompiled modules by them. */
export interface ModuleIdentity {
  /** SHA-256, lowercase hex, or "" when not computed. */
  hash: string;
  /** Byte length. */
  size: number;
}

export function emitModule(module: Module, identity: ModuleIdentity, options: EmitOptions = {}): EmittedModule {
  const splitThreshold = options.splitThreshold ?? DEFAULT_SPLIT_THRESHOLD;
  const flattenHeight = options.flattenHeight ?? MAX_HEIGHT;
  const pretty = options.pretty ?? false;
  const mapped = options.sourceMap === true;
  const names = module.names?.functions ?? null;
  const lazy = options.lazy ?? null;
  const lazyHelpers = new Set(lazy?.helpers ?? []);
  /** Lazy mode: the source of each function generated so far. */
  const sources: (string | undefined)[] = [];
  const helpers = new Set<string>();
  takeBuiltins(); // forget any left over from an emission that threw
  const typedMemory = options.typedMemory ?? false;
  /** Typed-array views used, by constructor name (memory 0: the only one 2.0 has). */
  const usedViews = new Set<string>();
  /** DataView store methods bound for the interpreter tuning (memory 0). */
  const boundStores = new Set<string>();
  /** DataView load methods behind slow-path loader functions (memory 0). */
  const slowLoaders = new Set<string>();
  const watchers: MemoryWatch[] = [];
  const callViews = new Map<string, [number, number]>();
  const usedTypeIds = new Set<number>();
  const usedFuncRefs = new Set<number>();
  const funcTypes: FuncType[] = [];
  const globalTypes: { type: ValType; mutable: boolean }[] = [];
  const tableTypes: ValType[] = [];
  /** The type of each tag (exception handling), imports first. */
  const tagTypes: FuncType[] = [];
  /** Whether each memory, imports first, is a memory64 one; and each table. */
  const memory64: boolean[] = [];
  const table64: boolean[] = [];
  const importIndexOfGlobal = new Map<number, number>();

  module.imports.forEach((imp, importIndex) => {
    switch (imp.desc.kind) {
      case ExternKind.Func: funcTypes.push(module.types[imp.desc.typeIndex]); break;
      case ExternKind.Table:
        tableTypes.push(imp.desc.type.elemType);
        table64.push(imp.desc.type.address64 === true);
        break;
      case ExternKind.Global:
        importIndexOfGlobal.set(globalTypes.length, importIndex);
        globalTypes.push({ type: imp.desc.type.valType, mutable: imp.desc.type.mutable });
        break;
      case ExternKind.Tag: tagTypes.push(module.types[imp.desc.typeIndex]); break;
      case ExternKind.Memory: memory64.push(imp.desc.type.address64); break;
      default: break;
    }
  });
  for (const tag of module.tags) tagTypes.push(module.types[tag.typeIndex]);
  for (const memory of module.memories) memory64.push(memory.address64);
  for (const typeIndex of module.funcTypeIndices) funcTypes.push(module.types[typeIndex]);
  for (const table of module.tables) {
    tableTypes.push(table.elemType);
    table64.push(table.address64 === true);
  }
  for (const global of module.globals) globalTypes.push({ type: global.type.valType, mutable: global.type.mutable });

  const exportedGlobals = new Set<number>();
  for (const exp of module.exports) if (exp.kind === ExternKind.Global) exportedGlobals.add(exp.index);

  // A global lives in a Global object ("cell") when JS can see it change.
  const isCell = (index: number): boolean => globalTypes[index].mutable && (importIndexOfGlobal.has(index) || exportedGlobals.has(index));

  // An f32/f64 global that is not a cell and may hold a NaN other than the
  // canonical one lives in a slot of one Float64Array, `gf`, not in a
  // variable. V8's optimizing compiler takes a variable no function assigns
  // for a constant, and a constant NaN for the canonical NaN: code reading
  // such a global lost the NaN's sign and payload once it was optimized
  // (fuzz seed 20270104). A typed array's elements are never constants to it.
  const floatSlots = new Map<number, number>();
  const mayHoldPayloadNaN = (index: number): boolean => {
    const at = index - importIndexOfGlobal.size;
    if (at < 0) return true; // an imported immutable global: any value
    const instr = module.globals[at].init.instrs[0];
    if (instr.op === 0x43) return (instr.value as number) !== (instr.value as number) && ((instr.bits as number) | 0) !== 0x7fc00000;
    if (instr.op === 0x44) return (instr.value as number) !== (instr.value as number) && BigInt.asUintN(64, instr.bits as bigint) !== 0x7ff8000000000000n;
    return true; // global.get of an imported global
  };
  globalTypes.forEach(({ type }, index) => {
    if ((type === ValType.F32 || type === ValType.F64) && !isCell(index) && mayHoldPayloadNaN(index)) floatSlots.set(index, floatSlots.size);
  });
  /** Where a global that is not a cell is kept: `gN`, or its slot `gf[k]`. */
  const globalVariable = (index: number): JsNode => {
    const slot = floatSlots.get(index);
    return slot === undefined ? js.id(`g${index}`) : js.index(js.id('gf'), js.num(slot));
  };
  /** `var gN = value`, or `gf[k] = value` for a global kept in a slot. */
  const declareGlobal = (index: number, value: JsNode): JsNode =>
    floatSlots.has(index) ? js.exprStmt(js.assign(globalVariable(index), value)) : js.decl([[`g${index}`, value]]);

  const helper = (name: string): JsNode => {
    if (lazy !== null && !lazyHelpers.has(name)) throw new Error(`emit: rt has no helper ${name}`);
    helpers.add(name);
    return js.id(name);
  };

  const typeDesc = (type: FuncType): JsNode => typeDescJs(type, helper);
  const typeName = (type: ValType): JsNode => typeNameJs(type, helper);
  /** Typed references or GC: every type is declared (emit-types.ts), with its class. */
  const gc = module.gc !== null;

  const env: ModuleEnv = {
    types: module.types,
    structClass: (index) => `S${index}`,
    arrayClass: (index) => `A${index}`,
    funcType: (index) => funcTypes[index],
    funcName: (index) => {
      calledFuncs.add(index);
      return `fn${index}`;
    },
    tailBody: (index) => {
      if (index < module.importedFuncs) return undefined;
      return module.funcs[index - module.importedFuncs].tailCalls === true ? tailBodyName(index) : null;
    },
    funcRef: (index) => {
      usedFuncRefs.add(index);
      return js.index(js.id('rf'), js.num(index));
    },
    globalType: (index) => globalTypes[index],
    globalRead: (index) => {
      if (isCell(index)) return { expr: js.member(js.id(`G${index}`), '_v'), constant: false };
      return { expr: globalVariable(index), constant: !globalTypes[index].mutable };
    },
    globalTarget: (index) => (isCell(index) ? js.member(js.id(`G${index}`), '_v') : globalVariable(index)),
    typeIdName: (index) => {
      usedTypeIds.add(index);
      return `T${index}`;
    },
    helper,
    memoryView: (index) => `dv${index}`,
    memory64: (index) => memory64[index] === true,
    table64: (index) => table64[index] === true,
    storeCallee: (index, method) => {
      if (!typedMemory) return js.member(js.id(`dv${index}`), method);
      boundStores.add(method);
      return js.id(`dv${index}_${method}`);
    },
    typedView: (index, view) => {
      usedViews.add(view);
      return `${VIEW_PREFIX[view]}${index}`;
    },
    slowLoader: (index, method) => {
      slowLoaders.add(method);
      return loaderName(index, method);
    },
    jit: !typedMemory,
    memoryObject: (index) => `mem${index}`,
    tableObject: (index) => `tab${index}`,
    tableElems: (index) => `el${index}`,
    callView: (table, typeIndex) => {
      usedTypeIds.add(typeIndex);
      const name = `ct${table}_${typeIndex}`;
      callViews.set(name, [table, typeIndex]);
      return name;
    },
    tableElemType: (index) => tableTypes[index],
    tagName: (index) => `tag${index}`,
    tagType: (index) => tagTypes[index],
    dataName: (index) => `data${index}`,
    elemName: (index) => `elem${index}`,
    sourceMap: mapped,
  };

  const constExpr = (expr: ConstExpr): JsNode => constExprJs(expr, constInstr);
  /** One constant instruction that pushes a value (emit-const.ts does the arithmetic). */
  const constInstr = (instr: Instr, stack: JsNode[]): JsNode => {
    switch (instr.op) {
      case 0x41: return js.num(instr.value as number);
      case 0x42: return js.big(instr.value as bigint);
      case 0x43:
      case 0x44: {
        const value = instr.value as number;
        if (value === value) return js.num(value);
        return instr.op === 0x43
          ? js.call(helper('f32ReinterpretI32'), [js.num((instr.bits as number) | 0)])
          : js.call(helper('f64ReinterpretI64'), [js.big(BigInt.asIntN(64, instr.bits as bigint))]);
      }
      case 0xd0: return js.nul();
      case 0xd2: return env.funcRef(instr.index);
      case 0x23: return env.globalRead(instr.index).expr;
      case PREFIX_FD | 0x0c: { // v128.const: its four words (runtime/simd.ts)
        const b = instr.v128!;
        return js.arr([0, 4, 8, 12].map((i) => js.num(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24))));
      }
    }
    const made = gcConstInstr(env, instr, stack);
    if (made !== null) return made;
    throw new Error(`emit: unexpected constant instruction 0x${instr.op.toString(16)}`);
  };

  // FuncRefs live in one array, `rf`, not a variable each: a module may
  // have 100,000 imports and a million functions, and a function with a
  // variable for each of 80,000 table entries overflows V8's stack as soon
  // as it is entered.
  const link: JsNode[] = [js.decl([['rf', js.arr([])]])];
  if (floatSlots.size > 0) link.push(js.decl([['gf', js.newExpr(js.id('Float64Array'), [js.num(floatSlots.size)])]]));
  /** Functions called by index (imported ones get a variable holding their raw function). */
  const calledFuncs = new Set<number>();
  const functionDecls: JsNode[] = [];

  // Imports, in import order.
  let funcIndex = 0;
  let tableIndex = 0;
  let memoryIndex = 0;
  let globalIndex = 0;
  let tagIndex = 0;
  const importDescs: JsNode[] = [];
  module.imports.forEach((imp, importIndex) => {
    const value = js.index(js.id('imports'), js.num(importIndex));
    const fields: [string, JsNode][] = [['module', js.str(imp.module)], ['name', js.str(imp.name)], ['kind', js.str(KIND_NAMES[imp.desc.kind])]];
    switch (imp.desc.kind) {
      case ExternKind.Func: {
        const index = funcIndex++;
        fields.push(['type', typeDesc(module.types[imp.desc.typeIndex])]);
        if (gc) fields.push(['typeId', js.id(`T${imp.desc.typeIndex}`)]);
        link.push(js.exprStmt(js.assign(js.index(js.id('rf'), js.num(index)), value)));
        break;
      }
      case ExternKind.Table: {
        const index = tableIndex++;
        const limits = imp.desc.type.limits;
        fields.push(['element', typeName(imp.desc.type.elemType)], ['initial', js.num(limits.min)]);
        if (limits.max !== null) fields.push(['maximum', js.num(limits.max)]);
        if (imp.desc.type.address64 === true) fields.push(['address', js.str('i64')]);
        link.push(js.decl([[`tab${index}`, value]]));
        link.push(js.decl([[`el${index}`, js.member(js.id(`tab${index}`), '_elems')]]));
        break;
      }
      case ExternKind.Memory: {
        const index = memoryIndex++;
        const limits = imp.desc.type.limits;
        fields.push(['initial', js.num(limits.min)]);
        if (limits.max !== null) fields.push(['maximum', js.num(limits.max)]);
        if (imp.desc.type.shared) fields.push(['shared', js.bool(true)]);
        if (imp.desc.type.address64) fields.push(['address', js.str('i64')]);
        link.push(js.decl([[`mem${index}`, value]]));
        watchers.push(watchMemory(link, index));
        break;
      }
      case ExternKind.Global: {
        const index = globalIndex++;
        fields.push(['value', typeName(imp.desc.type.valType)], ['mutable', js.bool(imp.desc.type.mutable)]);
        link.push(js.decl([[`G${index}`, value]]));
        if (!imp.desc.type.mutable) link.push(declareGlobal(index, js.member(js.id(`G${index}`), '_v')));
        break;
      }
      case ExternKind.Tag: {
        // A Tag, checked by the runtime: exceptions match by its identity.
        fields.push(['type', typeDesc(module.types[imp.desc.typeIndex])]);
        link.push(js.decl([[`tag${tagIndex++}`, value]]));
        break;
      }
    }
    importDescs.push(js.obj(fields));
  });

  // Defined memories and tables.
  module.memories.forEach((memory) => {
    const index = memoryIndex++;
    // A memory64 memory's sizes are BigInts at the JS API.
    const size = memory.address64 ? (pages: number): JsNode => js.big(BigInt(pages)) : js.num;
    const fields: [string, JsNode][] = [['initial', size(memory.limits.min)]];
    if (memory.limits.max !== null) fields.push(['maximum', size(memory.limits.max)]);
    if (memory.address64) fields.push(['address', js.str('i64')]);
    link.push(js.decl([[`mem${index}`, js.newExpr(js.member(js.id('rt'), 'Memory'), [js.obj(fields)])]]));
    watchers.push(watchMemory(link, index));
  });
  /** Typed references: tables filled with their initialiser's value. */
  const tableFills: JsNode[] = [];
  module.tables.forEach((table) => {
    const index = tableIndex++;
    let made: JsNode;
    const wide = table.address64 === true;
    if (table.init != null || !jsApiType(table.elemType)) {
      // A type JavaScript cannot name (exnref, typed references), or elements that start as an initialiser's value (3.0).
      // The elements get the initialiser's value once the FuncRefs it may name exist (tableFills).
      const max = table.limits.max === null ? js.id('undefined') : js.num(table.limits.max);
      made = js.call(helper('makeTypedTable'), [typeName(table.elemType), js.num(table.limits.min), max, js.bool(wide), js.nul()]);
      if (table.init != null) {
        const length = js.member(js.id(`el${index}`), 'length');
        tableFills.push(js.exprStmt(js.call(helper('tableFill'), [js.id(`tab${index}`), js.num(0), constExpr(table.init), length])));
      }
    } else {
      // A 64-bit table's sizes are BigInts at the JS API (exact ones: they may be past 2^53).
      const exact = table.limits.exact;
      const size = (value: number, big: bigint | null | undefined): JsNode => (wide ? js.big(big ?? BigInt(value)) : js.num(value));
      const fields: [string, JsNode][] = [['element', js.str(tableElementName(table.elemType))], ['initial', size(table.limits.min, exact?.min)]];
      if (table.limits.max !== null) fields.push(['maximum', size(table.limits.max, exact?.max)]);
      if (wide) fields.push(['address', js.str('i64')]);
      made = js.newExpr(js.member(js.id('rt'), 'Table'), [js.obj(fields), js.nul()]);
    }
    link.push(js.decl([[`tab${index}`, made]]));
    link.push(js.decl([[`el${index}`, js.member(js.id(`tab${index}`), '_elems')]]));
  });
  // The module's own tags: new ones for each instance.
  module.tags.forEach(({ typeIndex }) => {
    usedTypeIds.add(typeIndex);
    link.push(js.decl([[`tag${tagIndex++}`, js.call(helper('makeTag'), [js.id(`TY${typeIndex}`)])]]));
  });

  const tablesDeclared = link.length;

  /**
   * A function's declaration, emitted, flattened, split and printed (its
   * tree is garbage at once). Whether to split is decided by the node count
   * the compact printer learns while printing: nearly every function is far
   * below the threshold, and counting its tree again cost a tenth of a
   * compile. Only the few that are split are printed twice.
   */
  const functionText = (funcIndex: number, level: number, marks: number[] | null = null): string => {
    const decl = emitFunction(env, funcIndex, module.funcs[funcIndex - module.importedFuncs]);
    flattenFunction(decl, flattenHeight);
    if (splitThreshold < Infinity || !pretty) {
      const compact = printCompactCounted(decl, pretty ? null : marks);
      if (compact.nodes <= splitThreshold) return pretty ? printFunction(decl, true, level, marks) : compact.text;
      if (marks !== null) marks.length = 0;
      splitFunction(decl, splitThreshold);
    }
    return printFunction(decl, pretty, level, marks);
  };

  // Function bodies (declarations are hoisted, so order does not matter;
  // named functions are variables, defined before anything runs, in
  // namedDecls). Lazy: stubs, and everything any function may use declared now.
  const namedDecls: JsNode[] = [];
  /** `fnN.$t = fnN$t` for each function that makes tail calls. */
  const tailLinks: JsNode[] = [];
  const paramCount = (funcIndex: number): number => expandV128(funcTypes[funcIndex].params).length;
  if (lazy === null) {
    const onFunction = options.onFunction;
    for (let i = 0; i < module.funcs.length; i++) {
      const index = module.importedFuncs + i;
      const marks = mapped ? [] : null;
      const text = functionText(index, 2, marks);
      const name = names === null ? undefined : names.get(index);
      // A function that makes tail calls: this is its tail body, and its wrapper is fnN (emit-tail.ts).
      const tail = env.tailBody(index);
      const own = tail ?? `fn${index}`;
      if (name === undefined || name === '') functionDecls.push(rawCode(text, marks));
      else namedDecls.push(rawCode(namedFunction(`var ${own}${pretty ? ' = ' : '='}`, own, name, text, marks, ';'), marks));
      if (typeof tail === 'string') {
        functionDecls.push(tailWrapper(index, paramCount(index), helper));
        tailLinks.push(tailLink(index));
      }
      if (onFunction !== undefined) onFunction(i + 1, module.funcs.length);
    }
  } else {
    declareEverything();
    for (let i = 0; i < module.funcs.length; i++) {
      const index = module.importedFuncs + i;
      functionDecls.push(lazyStub(index));
      if (module.funcs[i].tailCalls === true) {
        functionDecls.push(lazyTailStub(index, paramCount(index)));
        tailLinks.push(tailLink(index));
      }
    }
  }

  // call_indirect's call views, once the tables exist.
  const viewDecls = [...callViews].map(([name, [table, typeIndex]]): [string, JsNode] =>
    [name, js.call(js.member(js.id(`tab${table}`), '_callView'), [js.id(`T${typeIndex}`)])]);
  if (viewDecls.length > 0) link.splice(tablesDeclared, 0, js.decl(viewDecls));
  if (lazy !== null) link.splice(1, 0, ...lazyGenerator());

  // Typed views of memory, for what the functions read through them, and
  // the bound store methods.
  for (const [index, watch] of watchers.entries()) {
    // `function (a) { return dvN.getInt32(a, true); }`: reads the view current at the call.
    for (const method of [...slowLoaders].sort()) {
      const args = [js.id('a')];
      if (LOAD_METHODS.get(method)) args.push(js.bool(true));
      const loader = js.fn(null, ['a'], [js.ret(js.call(js.member(js.id(`dv${index}`), method), args))]);
      watch.declaration.declarations.push(js.decl([[loaderName(index, method), loader]]).declarations[0]);
    }
    for (const method of [...boundStores].sort()) {
      const name = `dv${index}_${method}`;
      const dataView = js.id(`dv${index}`);
      watch.declaration.declarations.push(js.decl([[name, js.nul()]]).declarations[0]);
      watch.callback.push(js.exprStmt(js.assign(js.id(name), js.call(js.member(js.member(dataView, method), 'bind'), [dataView]))));
    }
    for (const view of [...usedViews].sort()) {
      const name = `${VIEW_PREFIX[view]}${index}`;
      watch.declaration.declarations.push(js.decl([[name, js.nul()]]).declarations[0]);
      // `new Int32Array(littleEndian_ ? buffer : 0)`: see littleEndian_ below.
      const source = js.cond(js.id('littleEndian_'), js.id('buffer'), js.num(0));
      watch.callback.push(js.exprStmt(js.assign(js.id(name), js.newExpr(js.id(view), [source]))));
    }
  }

  // Defined globals, in order (an initialiser may read earlier imported globals).
  const globalDecls: JsNode[] = [];
  module.globals.forEach((global) => {
    const index = globalIndex++;
    const init = constExpr(global.init);
    const type = global.type;
    if (type.valType === ValType.V128 || !jsApiType(type.valType)) {
      // JS cannot construct a v128, exnref or typed reference Global; the runtime makes one holding the value (a v128's words).
      const made = (mutable: boolean, value: JsNode): JsNode => (type.valType === ValType.V128
        ? js.call(helper('v128Global'), [js.bool(mutable), value])
        : js.call(helper('internalGlobal'), [typeName(type.valType), js.bool(mutable), value]));
      if (isCell(index)) {
        globalDecls.push(js.decl([[`G${index}`, made(true, init)]]));
      } else {
        globalDecls.push(js.decl([[`g${index}`, init]]));
        if (exportedGlobals.has(index)) globalDecls.push(js.decl([[`G${index}`, made(false, js.id(`g${index}`))]]));
      }
    } else if (isCell(index)) {
      globalDecls.push(js.decl([[`G${index}`, newGlobal(type.valType, true)]]));
      globalDecls.push(js.exprStmt(js.assign(js.member(js.id(`G${index}`), '_v'), init)));
    } else {
      globalDecls.push(declareGlobal(index, init));
      if (exportedGlobals.has(index)) {
        globalDecls.push(js.decl([[`G${index}`, newGlobal(type.valType, false)]]));
        globalDecls.push(js.exprStmt(js.assign(js.member(js.id(`G${index}`), '_v'), globalVariable(index))));
      }
    }
  });

  // Segments: element segments as arrays of references, data as bytes decoded once per module.
  const moduleConsts: JsNode[] = [];
  const segmentDecls: JsNode[] = [];
  const initialisers: JsNode[] = [];
  module.elems.forEach((segment, i) => {
    segmentDecls.push(js.decl([[`elem${i}`, js.arr(segment.init.map(constExpr))]]));
    if (segment.mode === SegmentMode.Active) {
      // A 64-bit table's offset is an i64.
      let offset = constExpr(segment.offsetExpr!);
      if (table64[segment.table] === true) offset = js.call(helper('idx64'), [offset]);
      initialisers.push(js.exprStmt(js.call(helper('tableInit'), [
        js.id(`tab${segment.table}`), js.id(`elem${i}`), offset, js.num(0), js.num(segment.init.length),
      ])));
    }
    // Active and declarative segments are dropped once instantiation has used them.
    if (segment.mode !== SegmentMode.Passive) initialisers.push(js.exprStmt(js.assign(js.id(`elem${i}`), js.nul())));
  });
  module.datas.forEach((segment, i) => {
    moduleConsts.push(js.decl([[`D${i}`, js.call(js.member(js.id('rt'), 'base64'), [base64Text(segment.bytes)])]]));
    segmentDecls.push(js.decl([[`data${i}`, js.id(`D${i}`)]]));
    if (segment.mode === SegmentMode.Active) {
      // A memory64 memory's offset is an i64.
      const offset = constExpr(segment.offsetExpr!);
      initialisers.push(js.exprStmt(memory64[segment.memory] === true
        ? js.call(helper('memoryInit64'), [js.id(`mem${segment.memory}`), js.id(`data${i}`), js.call(helper('addr64'), [offset]), js.num(0), js.num(segment.bytes.length)])
        : js.call(helper('memoryInit'), [js.id(`mem${segment.memory}`), js.id(`data${i}`), offset, js.num(0), js.num(segment.bytes.length)])));
      initialisers.push(js.exprStmt(js.assign(js.id(`data${i}`), js.nul())));
    }
  });

  // Exports.
  const exportDescs: JsNode[] = [];
  const exportValues: JsNode[] = [];
  for (const exp of module.exports) {
    exportDescs.push(js.obj([['name', js.str(exp.name)], ['kind', js.str(KIND_NAMES[exp.kind])]]));
    switch (exp.kind) {
      case ExternKind.Func: exportValues.push(env.funcRef(exp.index)); break;
      case ExternKind.Table: exportValues.push(js.id(`tab${exp.index}`)); break;
      case ExternKind.Memory: exportValues.push(js.id(`mem${exp.index}`)); break;
      case ExternKind.Global: exportValues.push(js.id(`G${exp.index}`)); break;
      case ExternKind.Tag: exportValues.push(js.id(`tag${exp.index}`)); break;
    }
  }
  if (module.start !== null) initialisers.push(js.exprStmt(js.call(js.id(env.funcName(module.start)), [])));

  // FuncRefs of defined functions that are referenced (imported ones are the imports themselves).
  const funcRefDecls: JsNode[] = [];
  for (const index of [...usedFuncRefs].sort((a, b) => a - b)) {
    if (index < module.importedFuncs) continue;
    const typeIndex = module.funcTypeIndices[index - module.importedFuncs];
    usedTypeIds.add(typeIndex);
    const args = [js.id(`fn${index}`), js.id(`T${typeIndex}`), js.id(`TY${typeIndex}`), js.num(index)];
    funcRefDecls.push(js.exprStmt(js.assign(env.funcRef(index), lazy === null ? js.newExpr(helper('FuncRef'), args) : js.call(helper('lazyFuncRef'), args))));
  }
  // Imported functions that code calls, by their raw function.
  const importedCallees: [string, JsNode][] = [];
  for (const index of [...calledFuncs].sort((a, b) => a - b)) {
    if (index < module.importedFuncs) importedCallees.push([`fn${index}`, js.member(env.funcRef(index), 'raw')]);
  }
  if (importedCallees.length > 0) funcRefDecls.push(js.decl(importedCallees));

  // Pushed one by one: a spread of 150,000 statements overflows the stack.
  for (const list of [namedDecls, tailLinks, funcRefDecls, tableFills, globalDecls, segmentDecls, initialisers, [js.ret(js.arr(exportValues))], functionDecls]) {
    for (const statement of list) link.push(statement);
  }

  // Type ids and descriptors (emit-types.ts); before the helpers are listed, since they use some.
  const typeDecls: JsNode[] = [];
  if (gc) {
    for (const statement of declareAllTypes(module, helper)) typeDecls.push(statement);
  } else {
    for (const typeIndex of [...usedTypeIds].sort((a, b) => a - b)) {
      const type = module.types[typeIndex];
      typeDecls.push(js.decl([[`TY${typeIndex}`, typeDesc(type)], [`T${typeIndex}`, js.call(js.member(js.id('rt'), 'typeId'), [js.str(signatureKey(type))])]]));
    }
  }
  const body: JsNode[] = [js.exprStmt(js.str('use strict'))];
  (body[0] as any).directive = 'use strict';
  if (helpers.size > 0) {
    body.push({
      type: 'VariableDeclaration', kind: 'var',
      declarations: [{
        type: 'VariableDeclarator',
        id: { type: 'ObjectPattern', properties: [...helpers].sort().map((name) => ({ type: 'Property', key: js.id(name), value: js.id(name), kind: 'init', computed: false, method: false, shorthand: true })) },
        init: js.id('rt'),
      }],
    });
  }
  const builtins = lazy === null ? takeBuiltins() : allBuiltins();
  if (usedViews.size > 0) {
    // Typed arrays use the host's byte order, wasm memory is little-endian:
    // on a big-endian host the memory views are empty, so every read misses
    // and falls back to the DataView.
    body.push(js.decl([['littleEndian_', js.bin('===', js.index(js.newExpr(js.id('Uint8Array'), [js.member(js.newExpr(js.id('Uint16Array'), [js.arr([js.num(1)])]), 'buffer')]), js.num(0)), js.num(1))]]));
  }
  if (builtins.length > 0) {
    body.push(js.decl(builtins.map(([name, path]): [string, JsNode] => {
      const [namespace, property] = path.split('.');
      if (RUNTIME_BUILTINS[path] !== undefined) return [name, js.member(js.id('rt'), RUNTIME_BUILTINS[path])];
      return [name, property === undefined ? js.id(namespace) : js.member(js.id(namespace), property)];
    })));
  }
  for (const statement of typeDecls) body.push(statement);
  for (const statement of moduleConsts) body.push(statement);
  const customSections = module.customSections.map((section) => js.obj([['name', js.str(section.name)], ['data', base64Text(section.bytes)]]));
  body.push(js.ret(js.obj([
    ['hash', js.str(identity.hash)],
    ['size', js.num(identity.size)],
    ['imports', js.arr(importDescs)],
    ['exports', js.arr(exportDescs)],
    ['customSections', js.arr(customSections)],
    ['link', js.fn(null, ['imports'], link)],
  ])));
  return {
    program: js.program(body),
    functionSource(funcIndex: number): string {
      if (lazy === null) throw new Error('emit: functionSource() is for lazy mode');
      // Kept: every later instance generates the same function from it.
      let source = sources[funcIndex];
      if (source === undefined) {
        const name = names === null ? undefined : names.get(funcIndex);
        const text = functionText(funcIndex, 0);
        const tail = env.tailBody(funcIndex);
        const own = tail ?? `fn${funcIndex}`;
        source = name === undefined || name === '' ? `${own} = ${text}` : namedFunction(`${own} = `, own, name, text, null, '');
        // `fnN$t = ..., fnN = <wrapper>, fnN.$t = fnN$t, fnN`: the eval's value is the raw function.
        if (typeof tail === 'string') {
          const wrapper = printFunction(tailWrapper(funcIndex, paramCount(funcIndex), helper), pretty, 0);
          source = `${source}, fn${funcIndex} = ${wrapper}, fn${funcIndex}.$t = ${tail}, fn${funcIndex}`;
        }
        sources[funcIndex] = source;
      }
      return source;
    },
  };

  /** Lazy mode: declares what any function body may use, before any is emitted. */
  function declareEverything(): void {
    for (const name of lazyHelpers) helpers.add(name);
    for (let i = 0; i < module.types.length; i++) usedTypeIds.add(i);
    for (let i = 0; i < module.importedFuncs; i++) calledFuncs.add(i);
    for (const key of module.indirectCalls) env.callView(Math.floor(key / INDIRECT_TABLE_SCALE), key % INDIRECT_TABLE_SCALE);
    // Both tunings read i64 through a typed view.
    if (watchers.length > 0) for (const view of Object.keys(VIEW_PREFIX)) usedViews.add(view);
    if (watchers.length > 0) for (const method of LOAD_METHODS.keys()) slowLoaders.add(method);
    if (typedMemory && watchers.length > 0) for (const method of STORE_METHODS) boundStores.add(method);
  }

  /** `function fnI(l0, l1) { return $gen(I)(l0, l1); }` */
  function lazyStub(funcIndex: number): JsNode {
    const params = expandV128(funcTypes[funcIndex].params).map((_, i) => `l${i}`);
    const generated = js.call(js.id('$gen'), [js.num(funcIndex)]);
    return js.fn(`fn${funcIndex}`, params, [js.ret(js.call(generated, params.map((name) => js.id(name))))]);
  }

  /**
   * `$gen(i)`: function i, generated on its first call. The eval is direct,
   * in `$lz`, a parameterless arrow (see LazyOptions). The generated source
   * assigns the new function to `fnI`, so later calls skip the stub; its
   * FuncRef's raw function (and the call views that hold the stub) follow.
   */
  function lazyGenerator(): JsNode[] {
    const i = js.id('$i');
    const f = js.id('$f');
    const ref = js.index(js.id('rf'), i);
    const lz: JsNode = { type: 'ArrowFunctionExpression', params: [], body: js.call(js.id('eval'), [js.id('$src')]), expression: true };
    return [
      js.decl([['$src', js.nul()], ['$fns', js.arr([])], ['$lz', lz]]),
      js.fn('$gen', ['$i'], [
        js.decl([['$f', js.index(js.id('$fns'), i)]]),
        js.ifStmt(js.bin('===', f, js.id('undefined')), js.block([
          js.exprStmt(js.assign(js.id('$src'), js.call(js.id('$text'), [i]))),
          js.exprStmt(js.assign(f, js.call(js.id('$lz'), []))),
          js.exprStmt(js.assign(js.id('$src'), js.nul())),
          js.ifStmt(js.bin('!==', ref, js.id('undefined')), js.exprStmt(js.call(helper('setRaw'), [ref, f])), null),
          js.exprStmt(js.assign(js.index(js.id('$fns'), i), f)),
        ]), null),
        js.ret(f),
      ]),
    ];
  }
}

/** A property name that needs no quotes, and can follow a `.`. */
const IDENTIFIER_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * `{name(l0){...}}.name`: the printed FunctionDeclaration `text`, declared
 * as `identifier`, as a method named by the name section, behind `prefix`
 * and before `suffix`. Engines take the name a stack frame shows from the
 * function's source (V8, JavaScriptCore and SpiderMonkey alike; a later
 * `name` property is not seen everywhere), and only a property name can
 * hold any string: `foo::bar<T>` and `$x.y` are methods `"foo::bar<T>"`
 * and `"$x.y"`, and two functions may share a name. The function is still
 * called through its variable `fnN`; a method is called as fast as a
 * function declaration. Marks (source map positions in `text`) are moved
 * with it.
 */
function namedFunction(prefix: string, identifier: string, name: string, text: string, marks: number[] | null, suffix: string): string {
  const head = `function ${identifier}`;
  if (!text.startsWith(head)) throw new Error(`emit: expected the declaration of ${identifier}`);
  const plain = IDENTIFIER_NAME.test(name);
  const key = plain ? name : js.jsString(name);
  const open = `${prefix}{${key}`;
  if (marks !== null) shiftMarks(marks, open.length - head.length);
  const named = `${open}${text.slice(head.length)}}${plain ? `.${name}` : `[${key}]`}${suffix}`;
  named.charCodeAt(0); // one flat string, as printFunction makes it
  return named;
}

/**
 * Bytes as base64 text (runtime/base64.ts says why base64): one string
 * literal, or for more than 768 KB literals of 1 MB joined when the body runs.
 * V8 grows the buffer it scans a string literal into by 1 MB at a time once
 * it is large, copying it each time: one 67 MB literal (a 50 MB segment) took
 * 2.8-3.5 s to parse under `node --jitless`, 1 MB pieces 0.25-0.35 s.
 */
function base64Text(bytes: Uint8Array): JsNode {
  if (bytes.length <= BASE64_PIECE) return base64Literal(bytes);
  const pieces: JsNode[] = [];
  for (let start = 0; start < bytes.length; start += BASE64_PIECE) pieces.push(base64Literal(bytes.subarray(start, start + BASE64_PIECE)));
  return js.call(js.member(js.arr(pieces), 'join'), [js.str('')]);
}

/** Bytes per piece: a multiple of 3, so the pieces' texts join into the whole text. */
const BASE64_PIECE = 3 << 18;

/** A literal of the base64 text: nothing in its alphabet needs escaping (js.str would copy 67 MB twice to find that out). */
function base64Literal(bytes: Uint8Array): JsNode {
  const text = base64Encode(bytes);
  return { type: 'Literal', value: text, raw: `"${text}"` };
}

function newGlobal(type: ValType, mutable: boolean): JsNode {
  const value = type === ValType.FuncRef ? 'anyfunc' : valTypeName(type);
  return js.newExpr(js.member(js.id('rt'), 'Global'), [js.obj([['value', js.str(value)], ['mutable', js.bool(mutable)]])]);
}

/** `getInt32` of memory 0 -> `L0_i32`. */
function loaderName(index: number, method: string): string {
  const type = method.replace(/^get(Big)?/, '').replace(/^Int/, 'i').replace(/^Uint/, 'u').replace(/^Float/, 'f');
  return `L${index}_${type}`;
}

const VIEW_PREFIX: Record<string, string> = {
  Int8Array: 'i8v', Uint8Array: 'u8v', Int16Array: 'i16v', Uint16Array: 'u16v', Int32Array: 'i32v',
  Uint32Array: 'u32v', BigInt64Array: 'i64v', Float32Array: 'f32v', Float64Array: 'f64v',
};

/** A memory's view declaration and `_watch` callback body, which typed views are added to once known. */
interface MemoryWatch {
  declaration: JsNode;
  callback: JsNode[];
}

/** `var dvN = null; memN._watch(function (buffer) { dvN = new DataView(buffer); });` */
function watchMemory(link: JsNode[], index: number): MemoryWatch {
  const declaration = js.decl([[`dv${index}`, js.nul()]]);
  const callback = [js.exprStmt(js.assign(js.id(`dv${index}`), js.newExpr(js.id('DataView'), [js.id('buffer')])))];
  link.push(declaration, js.exprStmt(js.call(js.member(js.id(`mem${index}`), '_watch'), [js.fn(null, ['buffer'], callback)])));
  return { declaration, callback };
}

