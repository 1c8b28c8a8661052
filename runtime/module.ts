// WebAssembly.Module and WebAssembly.Instance over ModuleDescriptors (the
// product of a module body, see runtime/abi.ts), the registry of
// precompiled modules keyed by the SHA-256 of their original bytes, and the
// JS API's "read the imports" algorithm, which checks and converts every
// import before the descriptor's `link` runs.

import type { ExportDescriptor, ImportDescriptor, ModuleDescriptor } from './abi.js';
import { base64Decode } from './base64.js';
import { decodeBodyless } from './bodyless.js';
import { isTag } from './tag.js';
import {
  convertError, FuncRef, funcRefOf, hostFunctionRaw, toJSFunction, toWasmValue, typeId, typeKey, updateStaleViews,
} from './boundary.js';
import { CompileError, LinkError } from './errors.js';
import { Global, isGlobal, makeGlobal } from './global.js';
import { adaptNativeMemory, isMemory, isNativeMemory, memoryToJS, type MemoryLike } from './memory.js';
import { sha256Hex } from './sha256.js';
import { isTable, type Table } from './table.js';
import { isSubId, valueTypeMatches } from './types.js';
import { asWebIDLInterface, bufferSourceBytes, enumerableStatics, isObject, toDOMString } from './webidl.js';

/** Turns .wasm bytes into a ModuleDescriptor, or throws CompileError. */
/** Compiles bytes whose SHA-256 (hex) the runtime has already computed for its registry. */
export type Compiler = (bytes: Uint8Array, hash: string) => ModuleDescriptor;

// --- registry ---------------------------------------------------------------------

const registry: Map<string, ModuleDescriptor> = new Map();
/** Byte lengths of the registered modules, which descriptors carry as `size`. */
const registeredSizes: Set<number> = new Set();
/** Registered descriptors without a `size` (older output): with any, every lookup hashes. */
let unsizedRegistered = 0;

export function registerModule(descriptor: ModuleDescriptor): void {
  const hash = typeof descriptor.hash === 'string' ? descriptor.hash.toLowerCase() : '';
  if (hash === '' || registry.has(hash)) return;
  registry.set(hash, descriptor);
  if (typeof descriptor.size === 'number') registeredSizes.add(descriptor.size);
  else unsizedRegistered++;
}

export function lookupModule(hash: string): ModuleDescriptor | undefined {
  return registry.get(hash.toLowerCase());
}

/**
 * Whether a registered module may have these bytes. When none has their
 * length, the bytes need no hashing: SHA-256 in JavaScript costs ~0.2 s for
 * SQLite's 660 KB without a JIT, more than the rest of its start-up.
 */
export function mayBeRegistered(byteLength: number): boolean {
  return unsizedRegistered > 0 || registeredSizes.has(byteLength);
}

export const PRECOMPILE_HINT =
  'run `npx wasm2es module.wasm -o module.js` and load the output before instantiating, ' +
  'or use the `wasm2es` package, which compiles at run time';

/**
 * The descriptor for `bytes`: a registered (precompiled) module, else the
 * compiler's result. Without a compiler, a module without function bodies
 * is decoded here (bodyless.ts), and other unknown bytes are a CompileError
 * that says how to precompile. `hash` is the bytes' SHA-256 when the caller
 * has it; it is computed only when a registered module may match, so
 * modules compiled at run time are not registered (each compile of the
 * same bytes compiles again, as engines without a code cache do).
 */
export function resolveModule(bytes: Uint8Array, compiler: Compiler | undefined, hash?: string): ModuleDescriptor {
  if (hash === undefined && mayBeRegistered(bytes.length)) hash = sha256Hex(bytes);
  const known = hash === undefined ? undefined : registry.get(hash);
  if (known !== undefined) return known;
  if (compiler !== undefined) return compiler(bytes, hash ?? '');
  const bodyless = decodeBodyless(bytes);
  if (bodyless === null) throw new CompileError(`module not precompiled (sha256 ${hash ?? sha256Hex(bytes)}): ${PRECOMPILE_HINT}`);
  return bodyless;
}

// --- Module ------------------------------------------------------------------------

const moduleDescriptors: WeakMap<object, ModuleDescriptor> = new WeakMap();

export function isModule(value: unknown): boolean {
  return typeof value === 'object' && value !== null && moduleDescriptors.has(value);
}

export function moduleDescriptor(value: unknown, what: string): ModuleDescriptor {
  const descriptor = typeof value === 'object' && value !== null ? moduleDescriptors.get(value) : undefined;
  if (descriptor === undefined) throw new TypeError(`${what}: the argument must be a WebAssembly.Module`);
  return descriptor;
}

/** A Module object for `descriptor` with the given prototype (Module.prototype, or a subclass's). */
export function createModuleObject(descriptor: ModuleDescriptor, prototype: object): Module {
  const module = Object.create(prototype) as Module;
  moduleDescriptors.set(module, descriptor);
  return module;
}

/**
 * The runtime's WebAssembly.Module. `new Module(bytes)` finds precompiled
 * modules by the SHA-256 of `bytes`; namespaces made with a compiler get
 * their own constructor (see makeModuleConstructor) sharing this prototype,
 * so every Module object is `instanceof` every namespace's Module.
 *
 * `Exports` and `Imports` exist for the type checker only: the .d.ts that
 * wasm2es writes beside compiled output (compiler/dts.ts) declares its
 * Module with the types of its instances' exports and of its import object,
 * and InstanceConstructor and `instantiate` carry them.
 */
export class Module<Exports = Record<string, any>, Imports = object> {
  constructor(bytes: ArrayBuffer | ArrayBufferView) {
    const view = bufferSourceBytes(bytes, 'WebAssembly.Module()');
    moduleDescriptors.set(this, resolveModule(view, undefined));
  }

  static exports(module: Module): { name: string; kind: string }[] {
    const descriptor = moduleDescriptor(module, 'WebAssembly.Module.exports()');
    return descriptor.exports.map((e: ExportDescriptor) => ({ name: e.name, kind: e.kind }));
  }

  static imports(module: Module): { module: string; name: string; kind: string }[] {
    const descriptor = moduleDescriptor(module, 'WebAssembly.Module.imports()');
    return descriptor.imports.map((i: ImportDescriptor) => ({ module: i.module, name: i.name, kind: i.kind }));
  }

  static customSections(module: Module, sectionName: string): ArrayBuffer[] {
    const descriptor = moduleDescriptor(module, 'WebAssembly.Module.customSections()');
    if (arguments.length < 2) throw new TypeError('WebAssembly.Module.customSections(): a section name is required');
    const name = toDOMString(sectionName);
    const sections: ArrayBuffer[] = [];
    for (const section of descriptor.customSections) {
      if (section.name === name) {
        const bytes = typeof section.data === 'string' ? base64Decode(section.data) : section.data;
        sections.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
    }
    return sections;
  }
}

asWebIDLInterface(Module, 'WebAssembly.Module', 1);
enumerableStatics(Module, ['exports', 'imports', 'customSections']);

/**
 * A Module constructor that compiles unknown bytes with `compiler`. It is a
 * plain function sharing Module.prototype (rather than a subclass) so that
 * precompiled modules pass `instanceof` for it too.
 */
export function makeModuleConstructor(compiler: Compiler): typeof Module {
  const ModuleWithCompiler = function Module(this: unknown, bytes: ArrayBuffer | ArrayBufferView): Module {
    if (new.target === undefined) throw new TypeError("Constructor WebAssembly.Module requires 'new'");
    const view = bufferSourceBytes(bytes, 'WebAssembly.Module()');
    return createModuleObject(resolveModule(view, compiler), new.target.prototype);
  } as unknown as typeof Module;
  Object.defineProperty(ModuleWithCompiler, 'prototype', { value: Module.prototype, writable: false });
  for (const name of ['exports', 'imports', 'customSections'] as const) {
    Object.defineProperty(ModuleWithCompiler, name, {
      value: Module[name], writable: true, enumerable: true, configurable: true,
    });
  }
  return ModuleWithCompiler;
}

// --- reading the imports -------------------------------------------------------------

function linkError(imp: ImportDescriptor, reason: string, value: unknown): LinkError {
  const what = `${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)}`;
  const prefix = value === undefined ? 'unknown import' : 'incompatible import type';
  return new LinkError(`${prefix}: import ${what} (${imp.kind}): ${reason}`);
}

function limitsMatch(
  size: number, maximum: number | undefined, declaredInitial: number, declaredMaximum: number | undefined,
): string | null {
  if (size < declaredInitial) return `its size ${size} is below the declared minimum ${declaredInitial}`;
  if (declaredMaximum !== undefined) {
    if (maximum === undefined) return `it has no maximum, but the module declares a maximum of ${declaredMaximum}`;
    if (maximum > declaredMaximum) return `its maximum ${maximum} exceeds the declared maximum ${declaredMaximum}`;
  }
  return null;
}

/** An engine-native WebAssembly.Global: read through its own `value` getter. */
function nativeGlobalValue(value: unknown): { ok: boolean; value?: unknown } {
  const native: any = (globalThis as any).WebAssembly;
  if (!native || typeof native.Global !== 'function') return { ok: false };
  const getter = Object.getOwnPropertyDescriptor(native.Global.prototype, 'value')?.get;
  if (getter === undefined || isGlobal(value)) return { ok: false };
  try {
    return { ok: true, value: getter.call(value) };
  } catch {
    return { ok: false };
  }
}

/**
 * A global import: a Global as it is, or a plain value (Number, BigInt,
 * reference) boxed into an immutable Global. Type and mutability
 * mismatches are reported through `mismatch` (core matching, after reading).
 */
function readGlobalImport(
  imp: Extract<ImportDescriptor, { kind: 'global' }>, value: unknown, mismatch: (error: LinkError) => void,
): Global {
  if (isGlobal(value)) {
    // A mutable global's type must be the same; an immutable one's may be a subtype (3.0).
    if (imp.mutable ? value._type !== imp.value : !valueTypeMatches(value._type, imp.value)) {
      mismatch(linkError(imp, `the global has type ${value._type}, expected ${imp.value}`, value));
    } else if (value._mutable !== imp.mutable) {
      mismatch(linkError(imp, `the global is ${value._mutable ? 'mutable' : 'immutable'}, expected ${imp.mutable ? 'mutable' : 'immutable'}`, value));
    }
    return value;
  }
  let v = value;
  const native = nativeGlobalValue(value);
  if (native.ok) v = native.value;
  switch (imp.value) {
    case 'i64':
      if (typeof v !== 'bigint') throw linkError(imp, 'an i64 global import requires a BigInt or a WebAssembly.Global', value);
      break;
    case 'i32': case 'f32': case 'f64':
      if (typeof v !== 'number') throw linkError(imp, `an ${imp.value} global import requires a Number or a WebAssembly.Global`, value);
      break;
    case 'v128':
      throw linkError(imp, 'v128 globals cannot be imported from JavaScript', value);
  }
  let internal: unknown;
  try {
    internal = toWasmValue(v, imp.value);
  } catch (error) {
    if (error instanceof TypeError) throw linkError(imp, error.message, value);
    throw error;
  }
  if (imp.mutable) {
    mismatch(linkError(imp, native.ok
      ? 'a native WebAssembly.Global cannot be shared as a mutable global with precompiled code'
      : 'a mutable global import requires a WebAssembly.Global', value));
  }
  return makeGlobal(imp.value, false, internal);
}

/**
 * "Read the imports": looks up every import in `importObject`, checks its
 * kind and type, and converts it for `link` (FuncRef, Table, MemoryLike,
 * Global). TypeError for a missing import object or a non-object module
 * namespace, LinkError for anything that does not match. As in the spec,
 * every import is read (and checked for its kind) before any type or
 * limits mismatch is reported, so reading errors take precedence.
 */
export function readImports(descriptor: ModuleDescriptor, importObject: unknown): unknown[] {
  const imports = descriptor.imports;
  if (imports.length > 0 && importObject === undefined) {
    throw new TypeError('WebAssembly.Instance(): the module has imports, but no import object was given');
  }
  const resolved: unknown[] = new Array(imports.length);
  let firstMismatch: LinkError | null = null;
  const mismatch = (error: LinkError): void => {
    if (firstMismatch === null) firstMismatch = error;
  };
  let functionIndex = 0;
  for (let i = 0; i < imports.length; i++) {
    const imp = imports[i];
    const namespace = (importObject as any)[imp.module];
    if (!isObject(namespace)) {
      throw new TypeError(`WebAssembly.Instance(): import module ${JSON.stringify(imp.module)} must be an object`);
    }
    const value = namespace[imp.name];
    switch (imp.kind) {
      case 'function': {
        if (typeof value !== 'function') throw linkError(imp, 'a function import requires a callable', value);
        const id = imp.typeId ?? typeId(typeKey(imp.type));
        const ref = funcRefOf(value);
        if (ref !== undefined) {
          if (!isSubId(ref.typeId, id)) {
            mismatch(linkError(imp, `the exported function has type ${typeKey(ref.type)}, expected ${typeKey(imp.type)}`, value));
          }
          resolved[i] = ref;
        } else {
          resolved[i] = new FuncRef(hostFunctionRaw(value, imp.type), id, imp.type, functionIndex);
        }
        functionIndex++;
        break;
      }
      case 'global':
        resolved[i] = readGlobalImport(imp, value, mismatch);
        break;
      case 'memory': {
        let memory: MemoryLike & { _pages: number; _maximum: number | undefined };
        if (isMemory(value)) memory = value;
        else if (isNativeMemory(value)) memory = adaptNativeMemory(value as object);
        else throw linkError(imp, 'a memory import requires a WebAssembly.Memory', value);
        // A native memory whose maximum the engine does not reflect gets the benefit of the doubt.
        const maximum = memory._maximum === undefined && !isMemory(value) ? imp.maximum : memory._maximum;
        const address64 = (memory as { _address64?: boolean })._address64 === true;
        const problem = imp.shared
          ? 'shared memories (threads) are not supported'
          : address64 !== (imp.address === 'i64')
            ? `the memory has ${address64 ? '64' : '32'}-bit addresses, expected ${imp.address === 'i64' ? '64' : '32'}-bit ones`
            : limitsMatch(memory._pages, maximum, imp.initial, imp.maximum);
        if (problem !== null) mismatch(linkError(imp, problem, value));
        resolved[i] = memory;
        break;
      }
      case 'table': {
        if (!isTable(value)) throw linkError(imp, 'a table import requires a WebAssembly.Table of this runtime', value);
        const table = value as Table;
        const element = (imp.element as string) === 'anyfunc' ? 'funcref' : imp.element; // the JS API's spelling, accepted too
        const address64 = table._address64 === true;
        const problem = table._type !== element
          ? `the table holds ${table._type}, expected ${element}`
          : address64 !== (imp.address === 'i64')
            ? `the table has ${address64 ? '64' : '32'}-bit indices, expected ${imp.address === 'i64' ? '64' : '32'}-bit ones`
            : limitsMatch(table._elems.length, table._maximum, imp.initial, imp.maximum);
        if (problem !== null) mismatch(linkError(imp, problem, value));
        resolved[i] = table;
        break;
      }
      case 'tag': {
        // Exceptions match by tag identity, so only this runtime's Tags will do.
        if (!isTag(value)) throw linkError(imp, 'a tag import requires a WebAssembly.Tag of this runtime', value);
        if (typeKey(value._type) !== typeKey(imp.type)) {
          mismatch(linkError(imp, `the tag has type ${typeKey(value._type)}, expected ${typeKey(imp.type)}`, value));
        }
        resolved[i] = value;
        break;
      }
      default:
        throw linkError(imp, `unsupported import kind ${JSON.stringify((imp as ImportDescriptor).kind)}`, value);
    }
  }
  if (firstMismatch !== null) throw firstMismatch;
  return resolved;
}

// --- Instance --------------------------------------------------------------------------

const instanceExports: WeakMap<object, object> = new WeakMap();

/** Runs `link` and builds the frozen, null-prototype exports object. */
function instantiateCore(descriptor: ModuleDescriptor, imports: unknown[]): object {
  // link may run wasm (segments, the start function) that shares memories and tables with other instances.
  updateStaleViews();
  let values: unknown[];
  try {
    values = descriptor.link(imports);
  } catch (error) {
    throw convertError(error);
  }
  const exportsObject = Object.create(null);
  const exports = descriptor.exports;
  for (let i = 0; i < exports.length; i++) {
    const value = values[i];
    let js: unknown;
    switch (exports[i].kind) {
      case 'function': js = toJSFunction(value as FuncRef); break;
      case 'memory': js = memoryToJS(value as MemoryLike); break;
      default: js = value;
    }
    Object.defineProperty(exportsObject, exports[i].name, { value: js, writable: true, enumerable: true, configurable: true });
  }
  return Object.freeze(exportsObject);
}

function checkImportObject(importObject: unknown): void {
  if (importObject !== undefined && !isObject(importObject)) {
    throw new TypeError('WebAssembly.Instance(): the import object must be an object');
  }
}

export class Instance<Exports = Record<string, any>> {
  constructor(module: Module<Exports, any>, importObject?: object) {
    const descriptor = moduleDescriptor(module, 'WebAssembly.Instance()');
    checkImportObject(importObject);
    const imports = readImports(descriptor, importObject);
    instanceExports.set(this, instantiateCore(descriptor, imports));
  }

  get exports(): Exports {
    const exports = typeof this === 'object' && this !== null ? instanceExports.get(this) : undefined;
    if (exports === undefined) throw new TypeError('WebAssembly.Instance.prototype.exports called on an object that is not a WebAssembly.Instance');
    return exports as Exports;
  }
}

/** The exports of a Module<Exports, Imports>'s instances; a Module typed by no .d.ts gives Record<string, any>. */
export type ModuleExports<M> = M extends Module<infer Exports, any> ? (unknown extends Exports ? Record<string, any> : Exports) : never;
/** The import object a Module<Exports, Imports> needs. */
export type ModuleImports<M> = M extends Module<any, infer Imports> ? (unknown extends Imports ? object : Imports) : never;
/** The import object as arguments: optional only where the module needs no imports (Imports is `object`). */
export type ImportObjectArgument<M> = {} extends ModuleImports<M> ? [importObject?: ModuleImports<M>] : [importObject: ModuleImports<M>];

/**
 * Instance's constructor as the WebAssembly namespace types it: the import
 * object is checked against the Module's Imports, and the instance's
 * exports are the Module's Exports. The Module fixes both, so neither is
 * inferred from the import object.
 */
export interface InstanceConstructor {
  new <M extends Module<any, any>>(module: M, ...importObject: ImportObjectArgument<M>): Instance<ModuleExports<M>>;
  readonly prototype: Instance;
}

asWebIDLInterface(Instance, 'WebAssembly.Instance', 1);

/**
 * The JS API's "asynchronously instantiate a WebAssembly module": imports
 * are read now (errors reject), the instance is made in a later job.
 */
export function instantiateAsync(module: unknown, importObject: unknown): Promise<Instance> {
  return new Promise<unknown[]>((resolve) => {
    const descriptor = moduleDescriptor(module, 'WebAssembly.instantiate()');
    checkImportObject(importObject);
    resolve(readImports(descriptor, importObject));
  }).then((imports) => {
    const instance = Object.create(Instance.prototype) as Instance;
    instanceExports.set(instance, instantiateCore(moduleDescriptors.get(module as object)!, imports));
    return instance;
  });
}

/** Registers a module body's descriptor and returns its Module: the default export of generated code. */
export function defineModule(descriptor: ModuleDescriptor): Module {
  registerModule(descriptor);
  return createModuleObject(descriptor, Module.prototype);
}
