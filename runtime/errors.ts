// The three error classes of the WebAssembly JS API. They behave like the
// engine's NativeError constructors: callable with or without `new` (both
// make an error), `length` 1, a `message` and `cause` taken from the
// arguments, `name` and an empty `message` on the prototype (so `String(e)`
// reads "CompileError: ..."), Error as their prototype, and subclassable.
//
// Every copy of the runtime loaded in a realm (ESM and CommonJS builds,
// runtimes inlined into generated files; see runtime/index.ts) uses the same
// three classes, published under a global symbol by the first copy, so
// `instanceof WebAssembly.CompileError` holds whichever copy threw.

import { sharedInRealm } from './realm.js';

/** A constructor like the engine's NativeErrors: `new` is optional. */
export interface WasmErrorConstructor<T extends Error> {
  new (message?: string, options?: ErrorOptions): T;
  (message?: string, options?: ErrorOptions): T;
  readonly prototype: T;
}

// Instance types: plain Errors, told apart by their constructor.
export interface CompileError extends Error {}
export interface LinkError extends Error {}
export interface RuntimeError extends Error {}

interface ErrorClasses {
  CompileError: WasmErrorConstructor<CompileError>;
  LinkError: WasmErrorConstructor<LinkError>;
  RuntimeError: WasmErrorConstructor<RuntimeError>;
}

/**
 * A function rather than a class, since a class can't be called without
 * `new`. Error itself builds the object, so it has the engine's stack and
 * `cause` handling; `new.target` gives the prototype (a subclass's, when
 * one is constructed).
 */
function errorClass<T extends Error>(name: string): WasmErrorConstructor<T> {
  const ctor = function (this: unknown): T {
    return Reflect.construct(Error, arguments, new.target ?? ctor) as T;
  };
  Object.setPrototypeOf(ctor, Error);
  const hidden = { writable: true, configurable: true, enumerable: false };
  ctor.prototype = Object.create(Error.prototype, {
    constructor: { value: ctor, ...hidden },
    name: { value: name, ...hidden },
    message: { value: '', ...hidden },
  });
  Object.defineProperty(ctor, 'prototype', { writable: false });
  Object.defineProperty(ctor, 'name', { value: name, writable: false, configurable: true });
  Object.defineProperty(ctor, 'length', { value: 1, writable: false, configurable: true });
  return ctor as unknown as WasmErrorConstructor<T>;
}

const classes = sharedInRealm('wasm2es.runtime.errors1', (): ErrorClasses => ({
  CompileError: errorClass('CompileError'),
  LinkError: errorClass('LinkError'),
  RuntimeError: errorClass('RuntimeError'),
}));

export const CompileError = classes.CompileError;
export const LinkError = classes.LinkError;
export const RuntimeError = classes.RuntimeError;

/**
 * The RuntimeErrors that are traps (made by the runtime for compiled code),
 * as opposed to ones JavaScript constructed: wasm's exception handlers
 * never catch a trap, even after it passed through JavaScript and back
 * (runtime/exception.ts, catchable), as in V8.
 */
const traps: WeakSet<object> = new WeakSet();

/** Marks `error` as a trap. */
export function markTrap(error: object): void {
  traps.add(error);
}

export function isTrap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && traps.has(value);
}
