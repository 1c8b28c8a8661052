// What test/runtime/bodyless.test.ts compares: the decision to accept a
// module without function bodies, as the runtime alone makes it
// (runtime/bodyless.ts) and as the compiler makes it, and instantiation on
// the runtime against native V8, with import objects built alike for both
// from the module's import types (read by the compiler's decoder) and
// the instances described as plain data that can be compared with toEqual.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../compiler/index.js';
import { decode } from '../../compiler/decode.js';
import { decodeValidated } from '../../compiler/validate.js';
import { decodeBodyless } from '../../runtime/bodyless.js';
import { CompileError, WebAssembly as Ours } from '../../runtime/index.js';
import { head, parseScript } from '../spec/sexpr.js';

export type Decision = 'accept' | 'reject' | 'bodies';

function decided(run: () => Decision): Decision {
  try {
    return run();
  } catch (error) {
    if (error instanceof CompileError) return 'reject';
    throw error;
  }
}

/** The runtime alone: a descriptor, null (function bodies: precompile), or a CompileError. */
export function runtimeDecision(bytes: Uint8Array): Decision {
  return decided(() => (decodeBodyless(bytes) === null ? 'bodies' : 'accept'));
}

/**
 * The compiler's: decodeValidated, and for a valid module without
 * functions, whether the compiler can generate it (it refuses what it
 * cannot run, as SIMD until issue 15), as the `wasm2es` package's own
 * validate and compile do.
 */
export function compilerDecision(bytes: Uint8Array): Decision {
  return decided(() => {
    if (decodeValidated(bytes).funcTypeIndices.length > 0) return 'bodies';
    compile(bytes, { format: 'body' });
    return 'accept';
  });
}

/** The CompileError message of `run`, or null if it does not throw one. */
export function compileErrorOf(run: () => unknown): string | null {
  try {
    run();
  } catch (error) {
    if (error instanceof CompileError) return error.message;
    throw error;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Every module of the spec testsuite's scripts (binary ones as they are,
// text ones assembled by wabt without validation).

const WABT_FEATURES = { multi_value: true, bulk_memory: true, reference_types: true, sign_extension: true, sat_float_to_int: true, mutable_globals: true };

export function specModules(testsuite: string, wabt: any): { name: string; bytes: Uint8Array }[] {
  const modules: { name: string; bytes: Uint8Array }[] = [];
  for (const file of readdirSync(testsuite).filter((f) => f.endsWith('.wast') && !f.startsWith('simd_')).sort()) {
    const source = readFileSync(join(testsuite, file), 'latin1');
    const visit = (node: any): void => {
      if (node.type !== 'list') return;
      if (head(node) !== 'module') {
        for (const item of node.items) visit(item);
        return;
      }
      const items = node.items;
      let i = 1;
      if (items[i]?.type === 'atom' && items[i].value.startsWith('$')) i++;
      const form = items[i]?.type === 'atom' ? items[i].value : 'text';
      const strings = () => Buffer.concat(items.slice(i + 1).map((item: any) => item.bytes));
      if (form === 'binary') {
        modules.push({ name: `${file}:${node.line}`, bytes: new Uint8Array(strings()) });
        return;
      }
      const text = form === 'quote' ? Buffer.concat([Buffer.from('(module '), strings(), Buffer.from(')')]) : Buffer.from(source.slice(node.start, node.end), 'latin1');
      let parsed: any;
      try {
        parsed = wabt.parseWat('module.wat', new Uint8Array(text), WABT_FEATURES);
        modules.push({ name: `${file}:${node.line}`, bytes: new Uint8Array(parsed.toBinary({}).buffer) });
      } catch {
        // Text the assembler refuses: a test of the text format.
      } finally {
        parsed?.destroy();
      }
    };
    parseScript(source).forEach(visit);
  }
  return modules;
}

// ---------------------------------------------------------------------------
// Instantiation on both sides.

const TYPE_NAMES: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x70: 'funcref', 0x6f: 'externref' };

/** An externref both sides pass around; described by name. */
const EXTERN_VALUE = { externref: true };

/** Arguments a test calls an exported function with: each needs a conversion (ToInt32, ToBigInt64, float rounding, ToNumber). */
const ARGUMENTS: Record<string, unknown> = { i32: '-7.9', i64: 2n ** 63n + 5n, f32: 1.1, f64: '0.1', funcref: null, externref: EXTERN_VALUE };
/** Arguments each of the wrong kind for its type (a TypeError). */
const WRONG_ARGUMENTS: Record<string, unknown> = { i32: 1n, i64: 1, f32: 2n, f64: 3n, funcref: () => 0, externref: undefined };
/** What host functions return, needing conversion too. */
const RESULTS: Record<string, unknown> = { i32: 2 ** 32 + 3.7, i64: 2n ** 64n - 1n, f32: 1 / 3, f64: -0, funcref: null, externref: 'x' };

type Types = { params: string[]; results: string[] };

interface ImportPlan {
  module: string;
  name: string;
  kind: number;
  /** Function type, or the table/memory/global type. */
  func?: Types;
  element?: string;
  min?: number;
  max?: number | null;
  value?: string;
  mutable?: boolean;
}

/** The imports of `bytes` with their types, and the parameter types of its exported functions, from the compiler's decoder. */
export function importPlan(bytes: Uint8Array): { plan: ImportPlan[]; exportParams: Record<string, string[]> } {
  const module = decode(bytes);
  const names = (types: readonly number[]) => types.map((type) => TYPE_NAMES[type]);
  const plan = module.imports.map((imp): ImportPlan => {
    const desc: any = imp.desc;
    const base = { module: imp.module, name: imp.name, kind: desc.kind as number };
    switch (desc.kind) {
      case 0: {
        const type = module.types[desc.typeIndex];
        return { ...base, func: { params: names(type.params), results: names(type.results) } };
      }
      case 1: return { ...base, element: TYPE_NAMES[desc.type.elemType], min: desc.type.limits.min, max: desc.type.limits.max };
      case 2: return { ...base, min: desc.type.limits.min, max: desc.type.limits.max };
      default: return { ...base, value: TYPE_NAMES[desc.type.valType], mutable: desc.type.mutable };
    }
  });
  const functions = plan.filter((imp) => imp.kind === 0);
  const exportParams: Record<string, string[]> = {};
  for (const exp of module.exports) if (exp.kind === 0) exportParams[exp.name] = functions[exp.index].func!.params;
  return { plan, exportParams };
}

/** Too big to make in a test run (the spec's tests of limits): tables over 100,000 elements, memories over 256 pages, imported or not. */
export function tooBig(bytes: Uint8Array): boolean {
  const module = decode(bytes);
  const limits = [
    ...module.imports.flatMap((imp: any) => (imp.desc.kind === 1 || imp.desc.kind === 2 ? [[imp.desc.kind, imp.desc.type.limits.min]] : [])),
    ...module.tables.map((table) => [1, table.limits.min]),
    ...module.memories.map((memory) => [2, memory.limits.min]),
  ];
  return limits.some(([kind, min]) => min > (kind === 1 ? 100_000 : 256));
}

/** A way to break one import: what the import object holds instead. */
export type Breakage = 'missing' | 'wrong kind' | 'too small' | 'no maximum' | 'larger maximum' | 'other type' | 'other mutability' | 'plain value';

interface Side {
  name: 'native' | 'ours';
  WebAssembly: any;
  /** Host function calls and the start function, in order. */
  log: unknown[];
  /** Values handed out, to describe exports by which one they are. */
  known: unknown[];
}

export function side(name: 'native' | 'ours'): Side {
  return { name, WebAssembly: name === 'native' ? globalThis.WebAssembly : Ours, log: [], known: [EXTERN_VALUE] };
}

/** Bytes of a module re-exporting an imported function of `type`: how a test gets a wasm function of any type. */
function providerBytes(type: Types): Uint8Array {
  const codes = Object.fromEntries(Object.entries(TYPE_NAMES).map(([code, name]) => [name, Number(code)]));
  const body = [0x60, type.params.length, ...type.params.map((t) => codes[t]), type.results.length, ...type.results.map((t) => codes[t])];
  return new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, body.length + 1, 1, ...body, 2, 7, 1, 1, 0x70, 1, 0x66, 0, 0, 7, 5, 1, 1, 0x66, 0, 0]);
}

function hostFunction(on: Side, label: string, type: Types): Function {
  return (...args: unknown[]) => {
    on.log.push([label, args.map((arg) => describeValue(on, arg))]);
    if (type.results.length === 0) return undefined;
    if (type.results.length === 1) return RESULTS[type.results[0]];
    return type.results.map((t) => RESULTS[t]);
  };
}

/** A wasm function of `type` (on this side) that calls a recording host function. */
function wasmFunction(on: Side, label: string, type: Types): Function {
  const WA = on.WebAssembly;
  return new WA.Instance(new WA.Module(providerBytes(type)), { p: { f: hostFunction(on, label, type) } }).exports.f;
}

const VALUES: Record<string, unknown> = { i32: 5, i64: -5n, f32: 0.5, f64: -0.25, funcref: null, externref: EXTERN_VALUE };

/** The import object for `plan` on one side, with import `broken` (if any) broken as `breakage` says. */
export function importObject(on: Side, plan: ImportPlan[], useWasmFunctions: boolean, broken = -1, breakage?: Breakage): Record<string, any> {
  const WA = on.WebAssembly;
  const object: Record<string, any> = {};
  plan.forEach((imp, i) => {
    const breakIt = i === broken;
    let value: unknown;
    switch (imp.kind) {
      case 0: {
        const type = breakIt && breakage === 'other type' ? { params: [...imp.func!.params, 'i32'], results: imp.func!.results } : imp.func!;
        value = useWasmFunctions || (breakIt && breakage === 'other type') ? wasmFunction(on, `import ${i}`, type) : hostFunction(on, `import ${i}`, type);
        if (breakIt && breakage === 'wrong kind') value = 1;
        break;
      }
      case 1:
      case 2: {
        let min = imp.min!;
        let max = imp.max ?? undefined;
        if (breakIt && breakage === 'too small') min = Math.max(0, min - 1);
        if (breakIt && breakage === 'no maximum') max = undefined;
        if (breakIt && breakage === 'larger maximum') max = Math.min((max ?? min) + 1, imp.kind === 1 ? 2 ** 32 - 1 : 65536);
        if (breakIt && breakage === 'wrong kind') value = imp.kind === 1 ? new WA.Memory({ initial: 0 }) : new WA.Table({ element: 'anyfunc', initial: 0 });
        else if (imp.kind === 1) {
          const element = breakIt && breakage === 'other type' ? (imp.element === 'funcref' ? 'externref' : 'anyfunc') : imp.element === 'funcref' ? 'anyfunc' : 'externref';
          value = new WA.Table(max === undefined ? { element, initial: min } : { element, initial: min, maximum: max });
        } else {
          value = new WA.Memory(max === undefined ? { initial: min } : { initial: min, maximum: max });
          new Uint8Array((value as any).buffer).fill(0xa5, 0, Math.min(64, min * 65536));
        }
        break;
      }
      default: {
        let type = imp.value!;
        let mutable = imp.mutable!;
        if (breakIt && breakage === 'other type') type = type === 'i32' ? 'f64' : 'i32';
        if (breakIt && breakage === 'other mutability') mutable = !mutable;
        const initial = VALUES[type];
        value = breakIt && breakage === 'plain value' ? (type === 'i32' ? 5n : 5) : breakIt && breakage === 'wrong kind' ? {} : new WA.Global({ value: type === 'funcref' ? 'anyfunc' : type, mutable }, initial);
      }
    }
    if (breakIt && breakage === 'missing') value = undefined;
    on.known.push(value);
    (object[imp.module] ??= {})[imp.name] = value;
  });
  return object;
}

/** A value as data: numbers exactly, references by which known value they are. */
function describeValue(on: Side, value: unknown): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : Number.isNaN(value) ? 'NaN' : value;
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((element) => describeValue(on, element));
  let index = on.known.indexOf(value);
  if (index < 0) {
    on.known.push(value);
    index = on.known.length - 1;
  }
  return `#${index}`;
}

function outcomeOf(on: Side, run: () => unknown): unknown {
  try {
    return describeValue(on, run());
  } catch (error: any) {
    return { error: error?.name ?? String(error) };
  }
}

/** An instance's exports (and what the imports hold after instantiation) as data. */
export function describeInstance(on: Side, imports: Record<string, any>, exportParams: Record<string, string[]>, run: () => any): unknown {
  const log = on.log;
  let exports: Record<string, any>;
  try {
    exports = run().exports;
  } catch (error: any) {
    return { error: error?.name, log, imports: describeImports(on, imports) };
  }
  const described: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value === 'function') {
      const identity = describeValue(on, value);
      const params = exportParams[name];
      described[name] = {
        identity, name: value.name, length: value.length,
        call: outcomeOf(on, () => value(...params.map((t) => ARGUMENTS[t]))),
        wrong: params.length === 0 ? null : outcomeOf(on, () => value(...params.map((t) => WRONG_ARGUMENTS[t]))),
      };
    } else if (value instanceof on.WebAssembly.Global) {
      // V8 11.3 makes a new Global object for each export of a global the module
      // defines; the JS API's Global object cache makes them one (as generated
      // code does, and bodyless.test.ts checks). Only imports are compared by identity.
      const imported = on.known.indexOf(value);
      described[name] = { identity: imported >= 0 ? `#${imported}` : 'defined', ...describeExtern(on, value) };
    } else {
      described[name] = { identity: describeValue(on, value), ...describeExtern(on, value) };
    }
  }
  return { exports: described, frozen: Object.isFrozen(exports), log, imports: describeImports(on, imports) };
}

function describeExtern(on: Side, value: any): Record<string, unknown> {
  const WA = on.WebAssembly;
  if (value instanceof WA.Table) {
    const elements = [];
    for (let i = 0; i < Math.min(value.length, 64); i++) elements.push(describeValue(on, value.get(i)));
    return { kind: 'table', length: value.length, elements };
  }
  if (value instanceof WA.Memory) {
    const bytes = new Uint8Array(value.buffer);
    let sum = 0;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) sum = (sum * 31 + bytes[i] * (i + 1)) % 1000000007;
    // (Memories are at most 256 pages here: see tooBig.)
    return { kind: 'memory', byteLength: bytes.length, checksum: sum };
  }
  if (value instanceof WA.Global) {
    const current = value.value;
    let mutable = true;
    try {
      value.value = current;
    } catch {
      mutable = false;
    }
    const f64 = typeof current === 'number' ? [...new Uint8Array(new Float64Array([current]).buffer)] : null;
    return { kind: 'global', value: describeValue(on, current), bits: Number.isNaN(current) ? null : f64, mutable };
  }
  return { kind: typeof value };
}

function describeImports(on: Side, imports: Record<string, any>): unknown {
  const out: unknown[] = [];
  for (const namespace of Object.values(imports)) {
    for (const value of Object.values(namespace)) {
      if (typeof value === 'object' && value !== null && !(value instanceof on.WebAssembly.Global)) out.push(describeExtern(on, value));
    }
  }
  return out;
}

/**
 * Whether a valid module has several memories (3.0 multi-memory), which
 * Node 20's V8 (11.3) does not have at all, not even behind a flag: there
 * V8 rejects what wasm2es accepts, and V8 cannot be the reference.
 */
export function hasSeveralMemories(bytes: Uint8Array): boolean {
  try {
    const module = decode(bytes);
    const imported = module.imports.filter((imp) => (imp.desc.kind as number) === 2).length;
    return imported + module.memories.length > 1;
  } catch {
    return false;
  }
}

const EXNREF = 0x69;

/**
 * Whether a module has what Node 20's V8 (11.3) lacks of WebAssembly 3.0:
 * several memories (multi-memory), exnref (exception handling's final
 * encoding; V8 11.3 has only the legacy one), or a memory64 memory or
 * table (only behind a flag there).
 */
export function beyondNode20(bytes: Uint8Array): boolean {
  if (hasSeveralMemories(bytes)) return true;
  try {
    const module = decode(bytes);
    if (module.memories.some((memory) => memory.address64)) return true;
    if (module.imports.some((imp) => imp.desc.kind === 2 && imp.desc.type.address64)) return true;
    if (module.tables.some((table) => table.address64 === true)) return true;
    if (module.imports.some((imp) => imp.desc.kind === 1 && imp.desc.type.address64 === true)) return true;
    const types = [
      ...module.types.flatMap((type) => [...type.params, ...type.results]),
      ...module.globals.map((global) => global.type.valType),
      ...module.tables.map((table) => table.elemType),
      ...module.imports.flatMap((imp) => (imp.desc.kind === 1 ? [imp.desc.type.elemType] : imp.desc.kind === 3 ? [imp.desc.type.valType] : [])),
      ...module.elems.map((elem) => elem.elemType),
    ];
    if (types.some((type) => (type as number) === EXNREF)) return true;
    // 3.0: constant expressions may read globals the module defines (V8 11.3 allows imported ones only).
    const exprs = [...module.globals.map((global) => global.init), ...module.elems.flatMap((elem) => (elem.offsetExpr === null ? [] : [elem.offsetExpr])), ...module.datas.flatMap((data) => (data.offsetExpr === null ? [] : [data.offsetExpr]))];
    return exprs.some((expr) => expr.instrs.some((instr) => instr.op === 0x23 && instr.index >= module.importedGlobals));
  } catch {
    return false;
  }
}
