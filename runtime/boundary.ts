// The wasm/JS boundary: function references (FuncRef) and their signature
// ids, the JS API's value conversions (ToWebAssemblyValue / ToJSValue), the
// JS functions that stand for wasm functions ("Exported Functions"), the
// wrappers that let wasm call JS ("host functions"), the mapping of engine
// errors to traps, and the list of objects whose views in compiled code an
// exception left stale, which both kinds of wrapper bring up to date.
// Wrappers are specialised by arity because every call between JS and wasm
// goes through them.

import type { FuncTypeDesc, ValueTypeName } from './abi.js';
import { markTrap, RuntimeError } from './errors.js';
import { describe, isObject, passThroughErrors } from './webidl.js';
import { isSubId, refTypeInfo } from './types.js';
import type { RefTypeInfo } from './types.js';
import { fromJSRef, isArray, isEq, isGC, isI31, isStruct, toJSRef } from './gc.js';

// --- signatures ------------------------------------------------------------------

// Signature ids (runtime/types.ts): equal signatures get equal ids in every
// module, so call_indirect compares two integers.
export { typeId } from './types.js';

/** The key rt.typeId interns for a signature: params and results joined by ",", separated by "->". */
export function typeKey(type: FuncTypeDesc): string {
  return `${type.params.join(',')}->${type.results.join(',')}`;
}

// --- stale views ---------------------------------------------------------------------

// Compiled code keeps views of memories and tables in its own variables: the
// DataView, typed arrays and bound methods its `_watch` callbacks refresh,
// and call_indirect's call views. Updating them takes many steps, and any
// step can throw when the stack runs out (a call, a builtin, an allocation).
// So an object whose views are about to change first goes on the stale list
// (plain stores, which cannot throw), and comes off it once every view is up
// to date. If an exception leaves it there, its views are brought up to date
// before compiled code runs again: wasm 2.0 cannot catch, so the exception
// unwinds every wasm frame up to JS, and wasm runs again only when JS calls
// an Exported Function, instantiates a module, or a host function returns to
// wasm, and each of these first empties the list. A stale view costs nothing
// on the paths that access memory; one comparison per crossing of the
// boundary, and two calls per growth or table write.

/** An object whose views compiled code keeps (Memory, NativeMemoryAdapter, Table). */
export interface ViewOwner {
  /** On the stale list. */
  _stale: boolean;
  /** The next object on the stale list. */
  _staleNext: ViewOwner | null;
  /** Brings every view of the object up to date; may throw, and then the object stays on the list. */
  _updateViews(): void;
}

let staleHead: ViewOwner | null = null;

/**
 * Puts `owner` on the stale list before its views change; true if it was
 * not on it already, and then the caller takes it off with markFresh.
 * Nothing here can throw but the call itself, before anything changed.
 */
export function markStale(owner: ViewOwner): boolean {
  if (owner._stale) return false;
  owner._staleNext = staleHead;
  owner._stale = true;
  staleHead = owner;
  return true;
}

/**
 * Takes `owner` off the stale list once all its views are up to date. Only
 * from the head: an object further down stays until updateStaleViews, which
 * updates it once more (harmless; it happens only after an exception).
 */
export function markFresh(owner: ViewOwner): void {
  if (staleHead === owner) {
    staleHead = owner._staleNext;
    owner._staleNext = null;
    owner._stale = false;
  }
}

/** Brings every stale object's views up to date (each wrapper tests `staleHead !== null` first). */
export function updateStaleViews(): void {
  while (staleHead !== null) {
    const owner = staleHead;
    owner._updateViews();
    markFresh(owner);
  }
}

// --- function references -----------------------------------------------------------

/** The internal value of funcref (see FuncRefShape in runtime/abi.ts). */
export class FuncRef {
  raw: (...args: any[]) => any;
  typeId: number;
  type: FuncTypeDesc;
  index: number;
  /** The Exported Function, made on first use. */
  _js: Function | undefined;
  /**
   * While `raw` is a lazy stub (see lazyFuncRef): the call views holding the
   * stub, as pairs (view, slot), for setRaw to update. Otherwise null.
   */
  _slots: any[] | null;

  constructor(raw: (...args: any[]) => any, typeId: number, type: FuncTypeDesc, index: number) {
    this.raw = raw;
    this.typeId = typeId;
    this.type = type;
    this.index = index;
    this._js = undefined;
    this._slots = null;
  }
}

/**
 * A FuncRef whose raw function is, for now, a stub that generates the real
 * one on its first call (the run-time compiler's lazy mode, compiler/emit.ts).
 */
export function lazyFuncRef(stub: (...args: any[]) => any, typeId: number, type: FuncTypeDesc, index: number): FuncRef {
  const ref = new FuncRef(stub, typeId, type, index);
  ref._slots = [];
  return ref;
}

/**
 * Replaces a lazy FuncRef's stub by the generated function, in the FuncRef
 * and in every call view slot that still holds the stub, so that calls
 * through tables and from JS no longer pass through it.
 */
export function setRaw(ref: FuncRef, raw: (...args: any[]) => any): void {
  const stub = ref.raw;
  const slots = ref._slots;
  ref.raw = raw;
  ref._slots = null;
  if (slots === null) return;
  for (let i = 0; i < slots.length; i += 2) {
    const view = slots[i];
    if (view[slots[i + 1]] === stub) view[slots[i + 1]] = raw;
  }
}

/** Exported Function -> its FuncRef: how the runtime recognises wasm functions coming back from JS. */
const funcRefs: WeakMap<Function, FuncRef> = new WeakMap();

export function funcRefOf(value: unknown): FuncRef | undefined {
  return typeof value === 'function' ? funcRefs.get(value) : undefined;
}

/** The JS function for a FuncRef; one per FuncRef, so its identity is stable. */
export function toJSFunction(ref: FuncRef): Function {
  let fn = ref._js;
  if (fn === undefined) {
    fn = makeExportedFunction(ref);
    // The map first: if its call throws (stack exhaustion), nothing is cached.
    funcRefs.set(fn, ref);
    ref._js = fn;
  }
  return fn;
}

// --- value conversions -----------------------------------------------------------------

type Converter = (value: any) => any;

const toI32: Converter = (value) => value | 0; // ToInt32; throws TypeError for BigInt and Symbol
const toI64: Converter = (value) => BigInt.asIntN(64, value); // ToBigInt64: Numbers throw TypeError
const toF32: Converter = Math.fround; // ToNumber, then round to float32
const toF64: Converter = (value) => +value; // ToNumber
/** externref: the value itself, but an opaque GC object is its struct or array again. */
const toExternRef: Converter = fromJSRef;

function toFuncRefValue(value: unknown): FuncRef | null {
  if (value === null) return null;
  const ref = funcRefOf(value);
  if (ref === undefined) throw new TypeError(`expected null or an exported WebAssembly function, got ${describe(value)}`);
  return ref;
}

/** The TypeError of a value that cannot cross the JavaScript boundary: v128, exnref. */
function v128Error(type: ValueTypeName = 'v128'): TypeError {
  return new TypeError(`${type} values cannot cross the JavaScript boundary`);
}

function toV128(): never {
  throw v128Error();
}

function toExnRef(): never {
  throw v128Error('exnref');
}

/** ToWebAssemblyValue(value, type), as a function of the value. */
export function toWasmConverter(type: ValueTypeName): Converter {
  switch (type) {
    case 'i32': return toI32;
    case 'i64': return toI64;
    case 'f32': return toF32;
    case 'f64': return toF64;
    case 'funcref': return toFuncRefValue;
    case 'externref': return toExternRef;
    case 'exnref': return toExnRef;
  }
  const found = refTypeInfo(type);
  if (found === null) return toV128;
  const info = found;
  switch (info.top) {
    case 'func': return (value) => toTypedFuncRef(value, info, type);
    case 'any': return (value) => toAnyRef(value, info, type);
    case 'extern': return (value) => {
      if (value === null) return nullFor(info, type);
      if (info.heap === 'noextern') throw new TypeError(`expected null for ${type}, got ${describe(value)}`);
      return fromJSRef(value);
    };
  }
  return toExnRef;
}

/** null for a nullable reference type; a TypeError for another. */
function nullFor(info: RefTypeInfo, type: string): null {
  if (!info.nullable) throw new TypeError(`null is not a value of the non-nullable type ${type}`);
  return null;
}

/** A function reference of a typed function reference type: an Exported Function of a matching type. */
function toTypedFuncRef(value: unknown, info: RefTypeInfo, type: string): FuncRef | null {
  if (value === null) return nullFor(info, type);
  const ref = funcRefOf(value);
  const heap = info.heap;
  if (ref === undefined || heap === 'nofunc' || (typeof heap === 'number' && !isSubId(ref.typeId, heap))) {
    throw new TypeError(`expected ${info.nullable ? 'null or ' : ''}an exported WebAssembly function of type ${type}, got ${describe(value)}`);
  }
  return ref;
}

/**
 * A reference of the any hierarchy (JS API, GC): an integral Number in
 * i31's range is an i31, an opaque GC object its struct or array, anything
 * else a host value; then it must be of `type`.
 */
function toAnyRef(value: unknown, info: RefTypeInfo, type: string): any {
  if (value === null) return nullFor(info, type);
  const internal = fromJSRef(value);
  const heap = info.heap;
  let ok: boolean;
  switch (heap) {
    case 'any': ok = true; break;
    case 'eq': ok = isEq(internal); break;
    case 'i31': ok = isI31(internal); break;
    case 'struct': ok = isStruct(internal); break;
    case 'array': ok = isArray(internal); break;
    case 'none': ok = false; break;
    default: ok = isGC(internal, heap as number);
  }
  if (!ok) throw new TypeError(`expected a value of type ${type}, got ${describe(value)}`);
  return internal;
}

export function toWasmValue(value: unknown, type: ValueTypeName): any {
  return toWasmConverter(type)(value);
}

/** ToJSValue, as a function of the value; null when it is the identity (numbers). */
function toJSConverter(type: ValueTypeName): Converter | null {
  switch (type) {
    case 'i32': case 'i64': case 'f32': case 'f64': return null;
    case 'funcref': return funcRefToJS;
    case 'externref': return toJSRef;
    case 'v128': case 'exnref': return () => { throw v128Error(type); };
  }
  const info = refTypeInfo(type);
  if (info === null || info.top === 'exn') return () => { throw v128Error(type); };
  return info.top === 'func' ? funcRefToJS : toJSRef;
}

/** ToJSValue: function references become their Exported Function, structs and arrays opaque objects. */
export function toJSValue(value: any, type: ValueTypeName): any {
  const convert = toJSConverter(type);
  return convert === null ? value : convert(value);
}

function funcRefToJS(value: FuncRef | null): Function | null {
  return value === null ? null : toJSFunction(value);
}

/** The zero value of a type (ref.null for references) in the internal representation. */
export function defaultValue(type: ValueTypeName): any {
  switch (type) {
    case 'i64': return 0n;
    case 'i32': case 'f32': case 'f64': case 'v128': return 0;
  }
  return null;
}

// --- errors crossing the boundary -------------------------------------------------------

const STACK_OVERFLOW = /call stack|recursion|stack overflow/i;

/**
 * Maps an error thrown out of compiled code to what the JS API specifies.
 * Compiled code accesses memory through DataView, whose bounds check throws
 * RangeError: that becomes RuntimeError("out of bounds memory access").
 * Errors thrown by host functions (marked on their way into wasm) and by the
 * JS API itself pass unchanged, and so does stack exhaustion, which stays the
 * engine's own error, as for JavaScript (JS API, "Stack Overflow").
 */
export function convertError(error: unknown): unknown {
  if (error instanceof RangeError && !passThroughErrors.has(error) && !STACK_OVERFLOW.test(error.message)) {
    const trap = new RuntimeError('out of bounds memory access');
    markTrap(trap);
    // The access threw where it happened, inside the wasm function: keep
    // those frames (V8's format; other engines' stacks are left as made),
    // less the engine's own accessor frame on top.
    const stack = typeof error.stack === 'string' ? error.stack : '';
    const frames = stack.indexOf('\n    at ');
    if (frames >= 0) trap.stack = `${trap.name}: ${trap.message}${stack.slice(frames).replace(ACCESSOR_FRAME, '')}`;
    return trap;
  }
  return error;
}

/**
 * The frames above the wasm function's (V8): the DataView or typed-array
 * method that threw, and the slow-path loader that called it (`L0_i32`,
 * generated beside the functions; see slowLoader in compiler/emit-stack.ts).
 */
const ACCESSOR_FRAME = /^(?:\n {4}at (?:DataView|[A-Z][A-Za-z0-9]*Array)\.\w+ \(<anonymous>\))?(?:\n {4}at L\d+_\w+ \([^\n]*\))?/;

function markHostError(error: unknown): void {
  if (isObject(error)) passThroughErrors.add(error);
}

// --- Exported Functions ------------------------------------------------------------------

function hasV128(type: FuncTypeDesc): boolean {
  return uncrossable(type) !== null;
}

/** The type in a signature that cannot cross the JavaScript boundary (v128, exnref), or null: such functions throw TypeError when called. */
function uncrossable(type: FuncTypeDesc): ValueTypeName | null {
  for (const name of ['v128', 'exnref'] as const) {
    if (type.params.indexOf(name) >= 0 || type.results.indexOf(name) >= 0) return name;
  }
  for (const name of [...type.params, ...type.results]) if (refTypeInfo(name)?.top === 'exn') return name;
  return null;
}

/**
 * Converts `raw`'s internal result(s) to JS, or null when that is the
 * identity (numbers, BigInts and externrefs are JS values already). Several
 * results always make a fresh array, so compiled code may reuse its own.
 */
function resultsToJS(results: ValueTypeName[]): Converter | null {
  if (results.length > 1) {
    // Compiled code may return more elements than results (see abi.ts).
    const converters = results.map(toJSConverter);
    return (values: any[]) => results.map((_, i) => {
      const convert = converters[i];
      return convert === null ? values[i] : convert(values[i]);
    });
  }
  return results.length === 0 ? null : toJSConverter(results[0]);
}

/**
 * Arguments are converted before the call, outside the try, so a throwing
 * valueOf is not taken for a trap; then stale views are updated (a valueOf,
 * or the JS that called, may have caught an exhaustion mid-update). The
 * call reads `ref.raw` each time: a function generated lazily replaces its
 * stub there (see setRaw). It calls it as `(0, ref.raw)(...)`, not as a
 * method, so a stack trace names the wasm function (`at my_function`), not
 * `FuncRef.my_function`.
 */
function allI32Wrapper(ref: FuncRef, arity: number): Function {
  switch (arity) {
    case 0: return () => {
      if (staleHead !== null) updateStaleViews();
      try { return (0, ref.raw)(); } catch (e) { throw convertError(e); }
    };
    case 1: return (a: any) => {
      const x = a | 0;
      if (staleHead !== null) updateStaleViews();
      try { return (0, ref.raw)(x); } catch (e) { throw convertError(e); }
    };
    case 2: return (a: any, b: any) => {
      const x = a | 0, y = b | 0;
      if (staleHead !== null) updateStaleViews();
      try { return (0, ref.raw)(x, y); } catch (e) { throw convertError(e); }
    };
    case 3: return (a: any, b: any, c: any) => {
      const x = a | 0, y = b | 0, z = c | 0;
      if (staleHead !== null) updateStaleViews();
      try { return (0, ref.raw)(x, y, z); } catch (e) { throw convertError(e); }
    };
    case 4: return (a: any, b: any, c: any, d: any) => {
      const x = a | 0, y = b | 0, z = c | 0, w = d | 0;
      if (staleHead !== null) updateStaleViews();
      try { return (0, ref.raw)(x, y, z, w); } catch (e) { throw convertError(e); }
    };
    case 5: return (a: any, b: any, c: any, d: any, e: any) => {
      const x = a | 0, y = b | 0, z = c | 0, w = d | 0, v = e | 0;
      if (staleHead !== null) updateStaleViews();
      try { return (0, ref.raw)(x, y, z, w, v); } catch (err) { throw convertError(err); }
    };
  }
  return genericWrapper(ref, new Array(arity).fill(toI32), null);
}

function genericWrapper(ref: FuncRef, params: Converter[], out: Converter | null): Function {
  const arity = params.length;
  const p0 = params[0], p1 = params[1], p2 = params[2], p3 = params[3];
  switch (arity) {
    case 0: return () => {
      if (staleHead !== null) updateStaleViews();
      let r; try { r = (0, ref.raw)(); } catch (e) { throw convertError(e); }
      return out === null ? r : out(r);
    };
    case 1: return (a: any) => {
      const x = p0(a);
      if (staleHead !== null) updateStaleViews();
      let r; try { r = (0, ref.raw)(x); } catch (e) { throw convertError(e); }
      return out === null ? r : out(r);
    };
    case 2: return (a: any, b: any) => {
      const x = p0(a), y = p1(b);
      if (staleHead !== null) updateStaleViews();
      let r; try { r = (0, ref.raw)(x, y); } catch (e) { throw convertError(e); }
      return out === null ? r : out(r);
    };
    case 3: return (a: any, b: any, c: any) => {
      const x = p0(a), y = p1(b), z = p2(c);
      if (staleHead !== null) updateStaleViews();
      let r; try { r = (0, ref.raw)(x, y, z); } catch (e) { throw convertError(e); }
      return out === null ? r : out(r);
    };
    case 4: return (a: any, b: any, c: any, d: any) => {
      const x = p0(a), y = p1(b), z = p2(c), w = p3(d);
      if (staleHead !== null) updateStaleViews();
      let r; try { r = (0, ref.raw)(x, y, z, w); } catch (e) { throw convertError(e); }
      return out === null ? r : out(r);
    };
  }
  return (...args: any[]) => {
    const values = new Array(arity);
    for (let i = 0; i < arity; i++) values[i] = params[i](args[i]);
    if (staleHead !== null) updateStaleViews();
    let r; try { r = (0, ref.raw)(...values); } catch (e) { throw convertError(e); }
    return out === null ? r : out(r);
  };
}

/**
 * The Exported Function of a FuncRef: a non-constructor function whose
 * `name` is the function index and `length` the parameter count. Arguments
 * go through ToWebAssemblyValue, results through ToJSValue (several results
 * make an array).
 */
function makeExportedFunction(ref: FuncRef): Function {
  const type = ref.type;
  let fn: Function;
  if (hasV128(type)) {
    const blocked = uncrossable(type)!;
    fn = () => { throw v128Error(blocked); };
  } else {
    const out = resultsToJS(type.results);
    const params = type.params;
    fn = out === null && params.every((t) => t === 'i32')
      ? allI32Wrapper(ref, params.length)
      : genericWrapper(ref, params.map(toWasmConverter), out);
  }
  Object.defineProperty(fn, 'length', { value: type.params.length, configurable: true });
  Object.defineProperty(fn, 'name', { value: String(ref.index), configurable: true });
  return fn;
}

// --- host functions -------------------------------------------------------------------------

/**
 * Converts a host function's return value to wasm: nothing for no results,
 * ToWebAssemblyValue for one, and for several an iterable of exactly that
 * many values (read with the iterator protocol, as the JS API does).
 */
function hostResults(results: ValueTypeName[]): Converter {
  if (results.length === 0) return () => undefined;
  if (results.length === 1) return toWasmConverter(results[0]);
  const converters = results.map(toWasmConverter);
  return (value: any) => {
    const method = value === null || value === undefined ? undefined : value[Symbol.iterator];
    if (method === undefined || method === null) {
      throw new TypeError(`a host function returning ${results.length} values must return an iterable, got ${describe(value)}`);
    }
    const iterator = method.call(value);
    if (!isObject(iterator)) throw new TypeError('the result iterator is not an object');
    const next = iterator.next;
    const values: any[] = [];
    for (;;) {
      const step = next.call(iterator);
      if (!isObject(step)) throw new TypeError('the result iterator returned a non-object');
      if (step.done) break;
      values.push(step.value);
    }
    if (values.length !== results.length) {
      throw new TypeError(`a host function must return ${results.length} values, got ${values.length}`);
    }
    for (let i = 0; i < values.length; i++) values[i] = converters[i](values[i]);
    return values;
  };
}

/**
 * The `raw` function of a FuncRef that calls the JS function `fn` (the JS
 * API's "host function"): arguments become JS values, the result becomes
 * wasm values, `this` is undefined. Anything thrown, including by the
 * conversions, is marked so that it leaves wasm unchanged. Before returning
 * to wasm, stale views are updated: the JS may have caught an exhaustion
 * that interrupted an update.
 */
export function hostFunctionRaw(fn: Function, type: FuncTypeDesc): (...args: any[]) => any {
  const call = fn as (...args: any[]) => any;
  if (hasV128(type)) {
    const blocked = uncrossable(type)!;
    return () => { const error = v128Error(blocked); markHostError(error); throw error; };
  }
  const params = type.params;
  const out = hostResults(type.results);
  const converters = params.map(toJSConverter);
  if (converters.every((convert) => convert === null)) {
    // Internal numbers and BigInts are already JS values.
    switch (params.length) {
      case 0: return () => {
        try {
          const r = out(call());
          if (staleHead !== null) updateStaleViews();
          return r;
        } catch (e) { markHostError(e); throw e; }
      };
      case 1: return (a: any) => {
        try {
          const r = out(call(a));
          if (staleHead !== null) updateStaleViews();
          return r;
        } catch (e) { markHostError(e); throw e; }
      };
      case 2: return (a: any, b: any) => {
        try {
          const r = out(call(a, b));
          if (staleHead !== null) updateStaleViews();
          return r;
        } catch (e) { markHostError(e); throw e; }
      };
      case 3: return (a: any, b: any, c: any) => {
        try {
          const r = out(call(a, b, c));
          if (staleHead !== null) updateStaleViews();
          return r;
        } catch (e) { markHostError(e); throw e; }
      };
      case 4: return (a: any, b: any, c: any, d: any) => {
        try {
          const r = out(call(a, b, c, d));
          if (staleHead !== null) updateStaleViews();
          return r;
        } catch (e) { markHostError(e); throw e; }
      };
    }
    return (...args: any[]) => {
      try {
        const r = out(call(...args));
        if (staleHead !== null) updateStaleViews();
        return r;
      } catch (e) { markHostError(e); throw e; }
    };
  }
  // References become JS values (externrefs too: a struct or array becomes its opaque object).
  const identity: Converter = (value) => value;
  const c = converters.map((convert) => convert ?? identity);
  const c0 = c[0], c1 = c[1], c2 = c[2];
  switch (params.length) {
    case 1: return (a: any) => {
      try {
        const r = out(call(c0(a)));
        if (staleHead !== null) updateStaleViews();
        return r;
      } catch (e) { markHostError(e); throw e; }
    };
    case 2: return (a: any, b: any) => {
      try {
        const r = out(call(c0(a), c1(b)));
        if (staleHead !== null) updateStaleViews();
        return r;
      } catch (e) { markHostError(e); throw e; }
    };
    case 3: return (a: any, b: any, d: any) => {
      try {
        const r = out(call(c0(a), c1(b), c2(d)));
        if (staleHead !== null) updateStaleViews();
        return r;
      } catch (e) { markHostError(e); throw e; }
    };
  }
  return (...args: any[]) => {
    try {
      for (let i = 0; i < args.length; i++) args[i] = c[i](args[i]);
      const r = out(call(...args));
      if (staleHead !== null) updateStaleViews();
      return r;
    } catch (e) {
      markHostError(e);
      throw e;
    }
  };
}
