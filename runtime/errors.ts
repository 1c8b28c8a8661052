// The three error classes of the WebAssembly JS API. They behave like the
// engine's NativeError constructors: callable with `new`, a `message`, and
// `name` on the prototype, so `String(e)` reads "CompileError: ...".
//
// Every copy of the runtime loaded in a realm (ESM and CommonJS builds,
// runtimes inlined into generated files; see runtime/index.ts) uses the same
// three classes, published under a global symbol by the first copy, so
// `instanceof WebAssembly.CompileError` holds whichever copy threw.

import { sharedInRealm } from './realm.js';

class CompileErrorClass extends Error {}
class LinkErrorClass extends Error {}
class RuntimeErrorClass extends Error {}

interface ErrorClasses {
  CompileError: typeof CompileErrorClass;
  LinkError: typeof LinkErrorClass;
  RuntimeError: typeof RuntimeErrorClass;
}

function buildErrorClasses(): ErrorClasses {
  const classes: ErrorClasses = { CompileError: CompileErrorClass, LinkError: LinkErrorClass, RuntimeError: RuntimeErrorClass };
  for (const [name, ctor] of Object.entries(classes)) {
    Object.defineProperty(ctor.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(ctor, 'name', { value: name, configurable: true });
  }
  return classes;
}

const classes = sharedInRealm('wasm2es.runtime.errors1', buildErrorClasses);

export const CompileError = classes.CompileError;
export type CompileError = CompileErrorClass;
export const LinkError = classes.LinkError;
export type LinkError = LinkErrorClass;
export const RuntimeError = classes.RuntimeError;
export type RuntimeError = RuntimeErrorClass;
