// WebAssembly.Table: the JS API class, plus the internal API that compiled
// code uses (see runtime/abi.ts): `_elems`, the element array in the
// internal representation (FuncRef | null, or any JS value for externref),
// whose identity never changes (growth appends), `_grow(delta, init)`, and
// the call views below.
//
// Call views make call_indirect one array read: for each function type that
// a module calls through a funcref table, `_callView(typeId)` gives an array
// parallel to `_elems` holding, per slot, the function to call: the
// element's raw function when its type matches, else a function that traps
// ("uninitialized element" for null, "indirect call type mismatch"). A slot
// past the end reads undefined ("undefined element"). Whatever changes
// `_elems` does it between `markStale(table)` and `table._changed(start,
// end, marked)`, which updates the views and takes the table off the stale
// list (see boundary.ts): if the stack runs out before the views follow,
// they are updated before wasm runs again.

import { type FuncRef, markFresh, markStale, toJSValue, toWasmValue, type ViewOwner } from './boundary.js';
import { trap } from './numeric.js';
import { isSubId } from './types.js';
import { apiRangeError, asWebIDLInterface, enforceRangeU32, enforceRangeU64, member, toDictionary, toDOMString } from './webidl.js';

/** The JS API's limit on table sizes. */
export const MAX_TABLE_SIZE = 10000000;

/**
 * Element types; tables of exnref and of typed references are made by
 * wasm only (makeTypedTable).
 */
export type ReferenceTypeName = 'funcref' | 'externref' | 'exnref' | (string & {});

const tables: WeakSet<object> = new WeakSet();

export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && tables.has(value);
}

function brand(value: unknown, what: string): Table {
  if (!isTable(value)) throw new TypeError(`${what} called on an object that is not a WebAssembly.Table`);
  return value;
}

/** TableKind of the JS API ("anyfunc", "externref"), plus the type reflection spelling "funcref". */
export function toReferenceType(value: unknown, what: string): ReferenceTypeName {
  const name = toDOMString(value);
  if (name === 'anyfunc' || name === 'funcref') return 'funcref';
  if (name === 'externref') return 'externref';
  // GC (3.0): the abstract types of the any hierarchy.
  if (name === 'anyref' || name === 'eqref' || name === 'i31ref' || name === 'structref' || name === 'arrayref') return name;
  throw new TypeError(`${what}: invalid element type ${JSON.stringify(name)}`);
}

// Called by wasm code in place of the function: the trap's stack starts at the caller.
function uninitializedElement(): never {
  trap('uninitialized element', uninitializedElement);
}

function indirectCallTypeMismatch(): never {
  trap('indirect call type mismatch', indirectCallTypeMismatch);
}

/** What a call view holds for `ref` when called with type `typeId`. */
function callTarget(ref: FuncRef | null, typeId: number): (...args: any[]) => any {
  if (ref === null) return uninitializedElement;
  return isSubId(ref.typeId, typeId) ? ref.raw : indirectCallTypeMismatch;
}

/**
 * callTarget for slot `slot` of `view`. A lazy FuncRef's stub is recorded
 * with its slot, so the generated function replaces it there (setRaw).
 */
function slotTarget(view: ((...args: any[]) => any)[], slot: number, ref: FuncRef | null, typeId: number): (...args: any[]) => any {
  const target = callTarget(ref, typeId);
  if (ref !== null && ref._slots !== null && target === ref.raw) {
    const slots = ref._slots;
    // Table writes in a loop could record the same stub without end: past
    // 256 pairs, each doubling first drops the pairs it has left.
    if (slots.length >= 512 && (slots.length & (slots.length - 1)) === 0) {
      let kept = 0;
      for (let i = 0; i < slots.length; i += 2) {
        if (slots[i][slots[i + 1]] === target) { slots[kept++] = slots[i]; slots[kept++] = slots[i + 1]; }
      }
      slots.length = kept;
    }
    slots.push(view, slot);
  }
  return target;
}

export class Table {
  /** Elements, internal representation (internal API). */
  _elems: any[];
  _type: ReferenceTypeName;
  /** Declared maximum, or undefined. */
  _maximum: number | undefined;
  /** Call views by type id (funcref tables), made on first request. */
  _views: Map<number, ((...args: any[]) => any)[]> | null;
  /** On the stale list (see boundary.ts). */
  _stale: boolean;
  _staleNext: ViewOwner | null;
  /** memory64's 64-bit tables: indices and sizes cross the JS API as BigInts. */
  _address64: boolean;

  /**
   * `value` fills the table; when missing (or undefined) funcref tables hold
   * null and externref tables hold undefined, as the JS API says. Compiled
   * code creating a module's own externref table passes null explicitly.
   */
  constructor(descriptor: { element: string; initial: number; maximum?: number }, value?: unknown) {
    // Dictionary members in lexicographic order: address, element, initial, maximum.
    const dictionary = toDictionary(descriptor, 'WebAssembly.Table()');
    const address = member(dictionary, 'address');
    let address64 = false;
    if (address !== undefined) {
      const addressType = toDOMString(address);
      if (addressType !== 'i32' && addressType !== 'i64') throw new TypeError(`WebAssembly.Table(): invalid address type ${JSON.stringify(addressType)}`);
      address64 = addressType === 'i64';
    }
    const addressValue = address64 ? enforceRangeU64 : enforceRangeU32;
    const elementValue = member(dictionary, 'element');
    if (elementValue === undefined) throw new TypeError('WebAssembly.Table(): the descriptor needs an `element` type');
    const type = toReferenceType(elementValue, 'WebAssembly.Table()');
    const initialValue = member(dictionary, 'initial');
    if (initialValue === undefined) throw new TypeError('WebAssembly.Table(): the descriptor needs an `initial` size');
    const initial = addressValue(initialValue, 'WebAssembly.Table(): descriptor.initial');
    const maximumValue = member(dictionary, 'maximum');
    const maximum = maximumValue === undefined ? undefined : addressValue(maximumValue, 'WebAssembly.Table(): descriptor.maximum');
    if (maximum !== undefined && maximum < initial) {
      throw apiRangeError(`WebAssembly.Table(): maximum size ${maximum} is below the initial size ${initial}`);
    }
    if (initial > MAX_TABLE_SIZE) {
      throw apiRangeError(`WebAssembly.Table(): initial size ${initial} exceeds the limit of ${MAX_TABLE_SIZE} elements`);
    }
    const init = value === undefined ? (type === 'externref' ? undefined : null) : toWasmValue(value, type);
    this._elems = new Array(initial).fill(init);
    this._type = type;
    this._maximum = maximum;
    this._views = null;
    this._stale = false;
    this._staleNext = null;
    this._address64 = address64;
    tables.add(this);
  }

  get length(): number | bigint {
    const table = brand(this, 'WebAssembly.Table.prototype.length');
    return table._address64 ? BigInt(table._elems.length) : table._elems.length;
  }

  get(index: number | bigint): any {
    const table = brand(this, 'WebAssembly.Table.prototype.get');
    const i = (table._address64 ? enforceRangeU64 : enforceRangeU32)(index, 'WebAssembly.Table.prototype.get(): index');
    if (i >= table._elems.length) {
      throw apiRangeError(`WebAssembly.Table.prototype.get(): index ${i} is out of bounds (length ${table._elems.length})`);
    }
    return toJSValue(table._elems[i], table._type);
  }

  set(index: number | bigint, value?: unknown): void {
    const table = brand(this, 'WebAssembly.Table.prototype.set');
    const i = (table._address64 ? enforceRangeU64 : enforceRangeU32)(index, 'WebAssembly.Table.prototype.set(): index');
    const ref = value === undefined ? (table._type === 'externref' ? undefined : null) : toWasmValue(value, table._type);
    if (i >= table._elems.length) {
      throw apiRangeError(`WebAssembly.Table.prototype.set(): index ${i} is out of bounds (length ${table._elems.length})`);
    }
    const marked = markStale(table);
    table._elems[i] = ref;
    table._changed(i, i + 1, marked);
  }

  grow(delta: number | bigint, value?: unknown): number | bigint {
    const table = brand(this, 'WebAssembly.Table.prototype.grow');
    const count = (table._address64 ? enforceRangeU64 : enforceRangeU32)(delta, 'WebAssembly.Table.prototype.grow(): delta');
    const ref = value === undefined ? (table._type === 'externref' ? undefined : null) : toWasmValue(value, table._type);
    const old = count > MAX_TABLE_SIZE ? -1 : table._grow(count, ref);
    if (old < 0) {
      throw apiRangeError(`WebAssembly.Table.prototype.grow(): cannot grow by ${count} from ${table._elems.length} (maximum ${table._maximum ?? MAX_TABLE_SIZE})`);
    }
    return table._address64 ? BigInt(old) : old;
  }

  /**
   * table.grow: the old size, or -1 past the maximum or when the engine
   * refuses, the table unchanged (internal API). Throws only when the stack
   * runs out: before anything changed, or after the growth, with the table
   * on the stale list until its views follow.
   */
  _grow(delta: number, init: any): number {
    const elems = this._elems;
    const old = elems.length;
    delta >>>= 0;
    // A 64-bit table's maximum may be far beyond what is ever allocated.
    if (delta > Math.min(this._maximum ?? MAX_TABLE_SIZE, MAX_TABLE_SIZE) - old) return -1;
    const marked = markStale(this);
    try {
      for (let i = 0; i < delta; i++) elems[old + i] = init;
    } catch {
      elems.length = old;
      if (marked) markFresh(this);
      return -1;
    }
    this._changed(old, old + delta, marked);
    return old;
  }

  /** The call view for functions of type `typeId` (internal API; funcref tables). */
  _callView(typeId: number): ((...args: any[]) => any)[] {
    const views = (this._views ??= new Map());
    let view = views.get(typeId);
    if (view === undefined) {
      const elems = this._elems;
      const made: ((...args: any[]) => any)[] = [];
      for (let i = 0; i < elems.length; i++) made.push(slotTarget(made, i, elems[i], typeId));
      view = made;
      views.set(typeId, view);
    }
    return view;
  }

  /**
   * Brings the call views up to date after `_elems[start..end)` changed or
   * was appended, then takes the table off the stale list if `marked` (what
   * markStale returned before the change).
   */
  _changed(start: number, end: number, marked: boolean): void {
    const views = this._views;
    if (views !== null) {
      const elems = this._elems;
      for (const [typeId, view] of views) {
        for (let i = start; i < end; i++) view[i] = slotTarget(view, i, elems[i], typeId);
      }
    }
    if (marked) markFresh(this);
  }

  /** Rebuilds every call view from `_elems` (after an update threw; see boundary.ts). */
  _updateViews(): void {
    const views = this._views;
    if (views === null) return;
    const elems = this._elems;
    for (const [typeId, view] of views) {
      for (let i = 0; i < elems.length; i++) view[i] = slotTarget(view, i, elems[i], typeId);
      view.length = elems.length;
    }
  }
}

asWebIDLInterface(Table, 'WebAssembly.Table', 1);

/**
 * A module's own table of a reference type JavaScript cannot name (exnref,
 * whose elements JavaScript can neither read nor write; typed references),
 * its elements starting as `init` (an internal value).
 */
export function makeTypedTable(type: string, initial: number, maximum: number | undefined, address64: boolean, init: unknown): Table {
  const table = new Table({ element: 'externref', initial }, null);
  if (maximum !== undefined && maximum < initial) throw apiRangeError(`WebAssembly.Table(): maximum size ${maximum} is below the initial size ${initial}`);
  table._maximum = maximum;
  table._type = type;
  table._address64 = address64;
  if (init !== null) table._elems.fill(init);
  return table;
}
