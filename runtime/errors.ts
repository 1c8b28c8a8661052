// The three error classes of the WebAssembly JS API. They behave like the
// engine's NativeError constructors: callable with `new`, a `message`, and
// `name` on the prototype, so `String(e)` reads "CompileError: ...".
//
// Every copy of the runtime loaded in a realm (ESM and CommonJS builds,
// runtimes inlined into generated files; see runtime/index.ts) uses the same
// three classes, published under a global symbol by the first copy, so
// `instanceof WebAssembly.CompileError` holds whichever copy threw.

class CompileErrorClass extends Error {}
class LinkErrorClass extends Error {}
class RuntimeErrorClass extends Error {}

interface ErrorClasses {
  CompileError: typeof CompileErrorClass;
  LinkError: typeof LinkErrorClass;
  RuntimeError: typeof RuntimeErrorClass;
}

function sharedErrorClasses(): ErrorClasses {
  const key = Symbol.for('wasm2es.runtime.errors1');
  const holder = globalThis as any;
  const existing = holder[key];
  if (existing !== undefined && existing !== null) return existing;
  const classes: ErrorClasses = { CompileError: CompileErrorClass, LinkError: LinkErrorClass, RuntimeError: RuntimeErrorClass };
  for (const [name, ctor] of Object.entries(classes)) {
    Object.defineProperty(ctor.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(ctor, 'name', { value: name, configurable: true });
  }
  try {
    Object.defineProperty(holder, key, { value: classes, configurable: true });
  } catch {
    // A frozen global object: this copy keeps its own classes.
  }
  return classes;
}

const classes = sharedErrorClasses();

export const CompileError = classes.CompileError;
export type CompileError = CompileErrorClass;
export const LinkError = classes.LinkError;
export type LinkError = LinkErrorClass;
export const RuntimeError = classes.RuntimeError;
export type RuntimeError = RuntimeErrorClass;
