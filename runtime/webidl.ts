// The few Web IDL conversions the JS API classes need ([EnforceRange]
// unsigned long, enums, dictionaries, BufferSource) and the polish that makes
// a TypeScript class look like a Web IDL interface (enumerable members,
// Symbol.toStringTag, constructor `length`). Pure ECMAScript, no host APIs.

/** Marks errors that must cross the wasm/JS boundary unchanged (see convertError). */
export const passThroughErrors: WeakSet<object> = new WeakSet();

/** A RangeError thrown by the JS API itself: it is never mistaken for a memory trap. */
export function apiRangeError(message: string): RangeError {
  const error = new RangeError(message);
  passThroughErrors.add(error);
  return error;
}

export function isObject(value: unknown): value is Record<PropertyKey, any> {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * A dictionary argument: undefined and null read as an empty dictionary, any
 * other non-object is a TypeError. Members are then read with plain [[Get]]
 * (never [[HasProperty]]), in lexicographic order, by the caller.
 */
export function toDictionary(value: unknown, what: string): Record<PropertyKey, any> | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new TypeError(`${what}: the descriptor must be an object`);
  return value;
}

export function member(dictionary: Record<PropertyKey, any> | null, key: string): any {
  return dictionary === null ? undefined : dictionary[key];
}

/** [EnforceRange] unsigned long: ToNumber, reject NaN/Infinity, truncate, require 0..2^32-1. */
export function enforceRangeU32(value: unknown, what: string): number {
  const number = +(value as number); // ToNumber; throws TypeError for BigInt and Symbol
  if (number !== number || number === Infinity || number === -Infinity) {
    throw new TypeError(`${what} must be a finite number, got ${describe(value)}`);
  }
  const integer = Math.trunc(number);
  if (integer < 0 || integer > 4294967295) {
    throw new TypeError(`${what} must be in the range 0 to 4294967295, got ${describe(value)}`);
  }
  return integer + 0; // -0 -> +0
}

/**
 * A 64-bit address value of the JS API (memory64): ToBigInt (a Number is a
 * TypeError, as for i64 values), in 0..2^64-1, as a Number (exact to 2^53,
 * beyond any size an engine can allocate).
 */
export function enforceRangeU64(value: unknown, what: string): number {
  if (typeof value === 'number') throw new TypeError(`${what} must be a BigInt for a 64-bit memory or table, got ${describe(value)}`);
  const big = BigInt(value as bigint); // ToBigInt: strings and booleans convert, Symbols and undefined throw
  if (big < 0n || big > 0xffffffffffffffffn) throw new TypeError(`${what} must be in the range 0 to 2^64-1, got ${describe(value)}`);
  return Number(big);
}

/** DOMString conversion (ToString; Symbols throw TypeError). */
export function toDOMString(value: unknown): string {
  return `${value as string}`;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

const toStringTagOf = Object.prototype.toString;

/**
 * The bytes of a BufferSource (an ArrayBuffer or a view on one), without
 * copying. Checked by internal slot, not instanceof, so buffers from other
 * realms are accepted; SharedArrayBuffers are not (no [AllowShared]).
 */
export function bufferSourceBytes(source: unknown, what: string): Uint8Array {
  if (ArrayBuffer.isView(source)) {
    if (toStringTagOf.call(source.buffer) !== '[object ArrayBuffer]') {
      throw new TypeError(`${what}: the argument must not be backed by a SharedArrayBuffer`);
    }
    return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  }
  if (toStringTagOf.call(source) === '[object ArrayBuffer]') return new Uint8Array(source as ArrayBuffer);
  throw new TypeError(`${what}: the argument must be an ArrayBuffer or a typed array`);
}

/**
 * Makes a class look like a Web IDL interface object: prototype members
 * enumerable, `Symbol.toStringTag` set to e.g. "WebAssembly.Memory", the
 * constructor's `length` as declared in IDL.
 */
export function asWebIDLInterface(ctor: Function, tag: string, length: number): void {
  const proto = ctor.prototype;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor' || key.charCodeAt(0) === 95 /* _internal */) continue;
    const descriptor = Object.getOwnPropertyDescriptor(proto, key)!;
    descriptor.enumerable = true;
    Object.defineProperty(proto, key, descriptor);
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: tag, configurable: true });
  Object.defineProperty(ctor, 'length', { value: length, configurable: true });
}

/** Web IDL static operations are enumerable too. */
export function enumerableStatics(ctor: Function, names: string[]): void {
  for (const name of names) {
    const descriptor = Object.getOwnPropertyDescriptor(ctor, name)!;
    descriptor.enumerable = true;
    Object.defineProperty(ctor, name, descriptor);
  }
}

/**
 * A Web IDL sequence: any iterable object, read to the end with its
 * iterator (a string or other primitive is a TypeError, as is an object
 * without Symbol.iterator).
 */
export function toSequence(value: unknown, what: string): unknown[] {
  if (!isObject(value)) throw new TypeError(`${what} must be an iterable object, got ${describe(value)}`);
  const method = (value as any)[Symbol.iterator];
  if (method === undefined || method === null) throw new TypeError(`${what} must be an iterable object, got ${describe(value)}`);
  const iterator = method.call(value);
  if (!isObject(iterator)) throw new TypeError(`${what}: the iterator is not an object`);
  const next = iterator.next;
  const items: unknown[] = [];
  for (;;) {
    const step = next.call(iterator);
    if (!isObject(step)) throw new TypeError(`${what}: the iterator returned a non-object`);
    if (step.done) return items;
    items.push(step.value);
  }
}
