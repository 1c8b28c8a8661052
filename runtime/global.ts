// WebAssembly.Global: the JS API class. Compiled code reads and writes the
// internal field `_v` (the value in the internal representation, see
// runtime/abi.ts) directly; `value` converts at the JS boundary.

import type { ValueTypeName } from './abi.js';
import { defaultValue, toJSValue, toWasmValue } from './boundary.js';
import { asWebIDLInterface, member, toDictionary, toDOMString } from './webidl.js';

const globals: WeakSet<object> = new WeakSet();

export function isGlobal(value: unknown): value is Global {
  return typeof value === 'object' && value !== null && globals.has(value);
}

function brand(value: unknown, what: string): Global {
  if (!isGlobal(value)) throw new TypeError(`${what} called on an object that is not a WebAssembly.Global`);
  return value;
}

/** ValueType of the JS API ("anyfunc" is funcref; "funcref" is accepted too); `what` names the caller in the TypeError. */
export function toValueType(value: unknown, what = 'WebAssembly.Global()'): ValueTypeName {
  const name = toDOMString(value);
  switch (name) {
    case 'i32': case 'i64': case 'f32': case 'f64': case 'v128': case 'externref': case 'funcref':
    // GC (3.0): the abstract types of the any hierarchy.
    case 'anyref': case 'eqref': case 'i31ref': case 'structref': case 'arrayref':
      return name;
    case 'anyfunc':
      return 'funcref';
  }
  throw new TypeError(`${what}: invalid value type ${JSON.stringify(name)}`);
}

export class Global {
  /** The value, internal representation (internal API). */
  _v: any;
  _type: ValueTypeName;
  _mutable: boolean;

  /**
   * A missing or undefined `value` gives the type's default: 0, 0n, null for
   * funcref, undefined for externref. Compiled code that needs a Global for
   * an internal value constructs it without `value` and assigns `_v`.
   */
  constructor(descriptor: { value: string; mutable?: boolean }, value?: unknown) {
    // Dictionary members in lexicographic order: mutable, value.
    const dictionary = toDictionary(descriptor, 'WebAssembly.Global()');
    const mutable = !!member(dictionary, 'mutable');
    const typeValue = member(dictionary, 'value');
    if (typeValue === undefined) throw new TypeError('WebAssembly.Global(): the descriptor needs a `value` type');
    const type = toValueType(typeValue);
    if (type === 'v128') throw new TypeError('WebAssembly.Global(): v128 globals cannot be created from JavaScript');
    this._v = value === undefined ? (type === 'externref' ? undefined : defaultValue(type)) : toWasmValue(value, type);
    this._type = type;
    this._mutable = mutable;
    globals.add(this);
  }

  get value(): any {
    const global = brand(this, 'WebAssembly.Global.prototype.value');
    return toJSValue(global._v, global._type);
  }

  set value(value: any) {
    const global = brand(this, 'WebAssembly.Global.prototype.value');
    if (global._type === 'v128' || global._type === 'exnref') throw new TypeError(`WebAssembly.Global.prototype.value: ${global._type} globals cannot be set from JavaScript`);
    if (!global._mutable) throw new TypeError('WebAssembly.Global.prototype.value: cannot set the value of an immutable global');
    global._v = toWasmValue(value, global._type);
  }

  valueOf(): any {
    const global = brand(this, 'WebAssembly.Global.prototype.valueOf');
    return toJSValue(global._v, global._type);
  }
}

asWebIDLInterface(Global, 'WebAssembly.Global', 1);

/** A Global holding an internal value, e.g. a plain number imported as an immutable global. */
export function makeGlobal(type: ValueTypeName, mutable: boolean, internalValue: any): Global {
  // v128, exnref and typed reference Globals exist only for wasm: JavaScript cannot make one.
  const global = new Global({ value: 'i32', mutable });
  global._type = type;
  global._v = internalValue;
  return global;
}
