// Garbage collection (WebAssembly 3.0) on the host's own collector: structs
// and arrays are JavaScript objects, i31 references are JavaScript numbers,
// and nothing here manages memory.
//
// - A struct is an instance of a constructor function per canonical struct
//   type, which takes every field: `new S(f0, f1)` sets `this.f0`,
//   `this.f1`, so V8 gives all of a type's instances one shape. The first
//   module that declares a type supplies the function (compiler/emit-types.ts,
//   `structClass(id) ?? defineStruct(id, function (a0, a1) {...})`); others
//   reuse it. Packed fields hold their value sign-extended. (Functions, not
//   classes: Hermes has no classes.)
// - An array is an instance of a class per canonical array type holding
//   its elements in `a`: a typed array for packed and numeric elements
//   (Int8Array, Int16Array, Int32Array, BigInt64Array, Float64Array), a
//   plain Array for references and f32 (a Float32Array would round a
//   signalling NaN through the FPU).
// - Every struct and array carries its type id on its prototype (`$t`),
//   and its prototype inherits its supertype's: a cast to a defined type
//   is `instanceof` its constructor.
// - An i31 is the number itself, -2^30 <= v < 2^30 (never -0). An anyref
//   is any of those, or a host value (from any.convert_extern): numbers
//   that are not i31 (-0 among them) stay host values. So
//   any.convert_extern and extern.convert_any change nothing.
// - At the JS boundary a struct or array is an opaque object (the JS API):
//   a Proxy with no properties and a null prototype, one per object
//   (toJSRef), that becomes the object again on the way back (fromJSRef).

import { trap } from './numeric.js';
import { isSubId } from './types.js';

/** The base class of every struct: `$t` (the type id) lives on each subclass's prototype. */
export class GCStruct {
  declare $t: number;
}

/** The base class of every array. */
export class GCArray {
  declare $t: number;
  a: any;
  constructor(elements: any) {
    this.a = elements;
  }
}

/** Whether any struct or array type exists yet: until then no conversion at the boundary can meet one. */
export let gcActive = false;

type StructConstructor = new (...fields: any[]) => GCStruct;
type ArrayConstructor = new (elements: any) => GCArray;

const structClasses: Map<number, StructConstructor> = new Map();
const arrayClasses: Map<number, ArrayConstructor> = new Map();

/** The constructor of struct type `id`, if a module has defined it. */
export function structClass(id: number): StructConstructor | undefined {
  return structClasses.get(id);
}

/** A prototype for instances of type `id` under `base`'s: `$t` is the id. */
function prototypeOf(base: object, id: number): object {
  return Object.create(base, { $t: { value: id }, constructor: { value: undefined } });
}

/**
 * Records the constructor a module made for struct type `id` (the first
 * wins: see structClass). Its prototype inherits its supertype's (the
 * supertype's constructor, made before it), so the prototype chains are
 * the subtyping and a cast to a defined type is `instanceof`.
 */
export function defineStruct(id: number, constructor: StructConstructor, supertype?: StructConstructor): StructConstructor {
  const existing = structClasses.get(id);
  if (existing !== undefined) return existing;
  constructor.prototype = prototypeOf((supertype ?? GCStruct).prototype, id);
  structClasses.set(id, constructor);
  gcActive = true;
  return constructor;
}

/** The constructor of array type `id`, whose prototype inherits its supertype's (as for structs). */
export function arrayClass(id: number, supertype?: ArrayConstructor): ArrayConstructor {
  let constructor = arrayClasses.get(id);
  if (constructor === undefined) {
    const made = function (this: GCArray, elements: any): void {
      this.a = elements;
    } as unknown as ArrayConstructor;
    made.prototype = prototypeOf((supertype ?? GCArray).prototype, id);
    constructor = made;
    arrayClasses.set(id, constructor);
    gcActive = true;
  }
  return constructor;
}

// --- traps ------------------------------------------------------------------------------

export function nullStruct(): never {
  trap('null structure reference', nullStruct);
}

export function nullArray(): never {
  trap('null array reference', nullArray);
}

export function nullI31(): never {
  trap('null i31 reference', nullI31);
}

export function nullFunc(): never {
  trap('null function reference', nullFunc);
}

export function nullRef(): never {
  trap('null reference', nullRef);
}

export function castFailure(): never {
  trap('cast failure', castFailure);
}

function arrayOutOfBounds(helper: (...args: never[]) => unknown): never {
  trap('out of bounds array access', helper);
}

/** ref.as_non_null of a value that may be undefined (an extern or any reference): only null traps. */
export function asNonNull<T>(value: T): T {
  if (value === null) nullRef();
  return value;
}

// --- tests -------------------------------------------------------------------------------

/** An i31: an integral Number in [-2^30, 2^30), but not -0 (a host value, as in V8 and SpiderMonkey). */
export function isI31(value: unknown): boolean {
  return typeof value === 'number' && ((value << 1) >> 1) === value && (value !== 0 || 1 / value > 0);
}

export function isEq(value: unknown): boolean {
  return value instanceof GCStruct || value instanceof GCArray || isI31(value);
}

export function isStruct(value: unknown): boolean {
  return value instanceof GCStruct;
}

export function isArray(value: unknown): boolean {
  return value instanceof GCArray;
}

/** A struct or array of type `id` or a subtype (the JS boundary's check; compiled casts use instanceof). */
export function isGC(value: any, id: number): boolean {
  return (value instanceof GCStruct || value instanceof GCArray) && isSubId(value.$t, id);
}

/** A function reference of type `id` or a subtype (a FuncRef: its typeId). */
export function isFunc(value: any, id: number): boolean {
  return value !== null && isSubId(value.typeId, id);
}

// --- arrays ------------------------------------------------------------------------------

/** Element storage kinds, as compiled code names them. */
export const enum Storage {
  Plain = 0,
  I8 = 1,
  I16 = 2,
  I32 = 3,
  I64 = 4,
  F64 = 5,
}

/** More elements than any engine allocates: array.new of more traps (V8: 2^26 elements of any size). */
const MAX_ELEMENTS = 1 << 26;

function storage(kind: Storage, length: number, helper: (...args: never[]) => unknown): any {
  if (length > MAX_ELEMENTS) trap('out of memory: array too large', helper);
  switch (kind) {
    case Storage.I8: return new Int8Array(length);
    case Storage.I16: return new Int16Array(length);
    case Storage.I32: return new Int32Array(length);
    case Storage.I64: return new BigInt64Array(length);
    case Storage.F64: return new Float64Array(length);
  }
  return new Array(length);
}

/** array.new: `length` (an i32, unsigned) copies of `value`. */
export function arrayNew(cls: new (elements: any) => GCArray, kind: Storage, value: any, length: number): GCArray {
  const elements = storage(kind, length >>> 0, arrayNew);
  elements.fill(value);
  return new cls(elements);
}

/** array.new_default: zeros, or nulls for references (`value`). */
export function arrayNewDefault(cls: new (elements: any) => GCArray, kind: Storage, value: any, length: number): GCArray {
  const elements = storage(kind, length >>> 0, arrayNewDefault);
  if (kind === Storage.Plain) elements.fill(value);
  return new cls(elements);
}

/** array.new_fixed: the values, in a new storage of `kind`. */
export function arrayOf(cls: new (elements: any) => GCArray, kind: Storage, values: any[]): GCArray {
  if (kind === Storage.Plain) return new cls(values);
  const elements = storage(kind, values.length, arrayOf);
  elements.set(values);
  return new cls(elements);
}

const EMPTY: any[] = [];
const EMPTY_BYTES = new Uint8Array(0);

/** Reads `length` elements of `size` bytes from a data segment, little-endian, into `elements` from `at`. */
function readData(elements: any, at: number, kind: Storage, size: number, bytes: Uint8Array, offset: number, length: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < length; i++) {
    const p = offset + i * size;
    let value: any;
    switch (size) {
      case 1: value = view.getInt8(p); break;
      case 2: value = view.getInt16(p, true); break;
      case 4: value = kind === Storage.Plain ? view.getFloat32(p, true) : view.getInt32(p, true); break;
      case 16: value = [view.getInt32(p, true), view.getInt32(p + 4, true), view.getInt32(p + 8, true), view.getInt32(p + 12, true)]; break;
      default: value = kind === Storage.I64 ? view.getBigInt64(p, true) : view.getFloat64(p, true);
    }
    elements[at + i] = value;
  }
}

/**
 * array.new_data: elements of `size` bytes read from a data segment (null
 * once dropped). f32 elements (size 4, Plain storage) are read as floats,
 * v128 ones (size 16) as arrays of four i32 words.
 */
export function arrayNewData(cls: new (elements: any) => GCArray, kind: Storage, size: number, segment: Uint8Array | null, offset: number, length: number): GCArray {
  const bytes = segment ?? EMPTY_BYTES;
  offset >>>= 0;
  length >>>= 0;
  if (offset + length * size > bytes.length) trap('out of bounds memory access', arrayNewData);
  const elements = storage(kind, length, arrayNewData);
  readData(elements, 0, kind, size, bytes, offset, length);
  return new cls(elements);
}

/** array.new_elem: references from an element segment (null once dropped). */
export function arrayNewElem(cls: new (elements: any) => GCArray, segment: any[] | null, offset: number, length: number): GCArray {
  const from = segment ?? EMPTY;
  offset >>>= 0;
  length >>>= 0;
  if (offset + length > from.length) trap('out of bounds table access', arrayNewElem);
  return new cls(from.slice(offset, offset + length));
}

/** array.get or array.set past an array's end (compiled code checks the bounds, or reads undefined). */
export function arrayIndexTrap(): never {
  arrayOutOfBounds(arrayIndexTrap);
}

export function arrayFill(array: GCArray | null, offset: number, value: any, length: number): void {
  if (array === null) nullArray();
  const elements = array.a;
  offset >>>= 0;
  length >>>= 0;
  if (offset + length > elements.length) arrayOutOfBounds(arrayFill);
  elements.fill(value, offset, offset + length);
}

export function arrayCopy(to: GCArray | null, dest: number, from: GCArray | null, src: number, length: number): void {
  if (to === null || from === null) nullArray();
  const target = to.a;
  const source = from.a;
  dest >>>= 0;
  src >>>= 0;
  length >>>= 0;
  if (dest + length > target.length || src + length > source.length) arrayOutOfBounds(arrayCopy);
  if (length === 0) return;
  if (target === source) target.copyWithin(dest, src, src + length);
  else if (ArrayBuffer.isView(target)) (target as Int32Array).set((source as Int32Array).subarray(src, src + length), dest);
  else for (let i = 0; i < length; i++) target[dest + i] = source[src + i];
}

export function arrayInitData(array: GCArray | null, kind: Storage, size: number, segment: Uint8Array | null, dest: number, offset: number, length: number): void {
  if (array === null) nullArray();
  const elements = array.a;
  const bytes = segment ?? EMPTY_BYTES;
  dest >>>= 0;
  offset >>>= 0;
  length >>>= 0;
  if (dest + length > elements.length) arrayOutOfBounds(arrayInitData);
  if (offset + length * size > bytes.length) trap('out of bounds memory access', arrayInitData);
  readData(elements, dest, kind, size, bytes, offset, length);
}

export function arrayInitElem(array: GCArray | null, segment: any[] | null, dest: number, offset: number, length: number): void {
  if (array === null) nullArray();
  const elements = array.a;
  const from = segment ?? EMPTY;
  dest >>>= 0;
  offset >>>= 0;
  length >>>= 0;
  if (dest + length > elements.length) arrayOutOfBounds(arrayInitElem);
  if (offset + length > from.length) trap('out of bounds table access', arrayInitElem);
  for (let i = 0; i < length; i++) elements[dest + i] = from[offset + i];
}

// --- the JS boundary ----------------------------------------------------------------------

/**
 * What JavaScript sees of a struct or array (JS API, "GC objects"): an
 * object with no properties, a null prototype, not extensible, on which
 * every attempt to change anything throws TypeError (as in V8: set,
 * delete, define, setPrototypeOf, preventExtensions, in sloppy code too).
 */
function refuse(): never {
  throw new TypeError('WebAssembly struct and array objects cannot be changed from JavaScript');
}
const OPAQUE: ProxyHandler<object> = {
  getPrototypeOf: () => null,
  setPrototypeOf: refuse,
  isExtensible: () => false,
  preventExtensions: refuse,
  getOwnPropertyDescriptor: () => undefined,
  defineProperty: refuse,
  has: () => false,
  get: () => undefined,
  set: refuse,
  deleteProperty: refuse,
  ownKeys: () => [],
};

const wrappers: WeakMap<object, object> = new WeakMap();
const wrapped: WeakMap<object, object> = new WeakMap();

/** ToJSValue of an any or extern reference: a struct or array becomes its opaque object; anything else is itself. */
export function toJSRef(value: any): any {
  if (!gcActive || !(value instanceof GCStruct || value instanceof GCArray)) return value;
  const existing = wrappers.get(value);
  if (existing !== undefined) return existing;
  const proxy = new Proxy(Object.preventExtensions(Object.create(null)), OPAQUE);
  wrappers.set(value, proxy);
  wrapped.set(proxy, value);
  return proxy;
}

/**
 * The internal value of a JavaScript value as an any or extern reference:
 * an opaque object is its struct or array again; anything else itself.
 */
export function fromJSRef(value: any): any {
  if (typeof value === 'object' && value !== null && gcActive) {
    const raw = wrapped.get(value);
    if (raw !== undefined) return raw;
  }
  return value;
}
