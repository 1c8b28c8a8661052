// The WebAssembly namespace object: validate, compile, instantiate, the
// streaming variants (which take any Response-like object, so the runtime
// never touches the global Response), and the classes. createWebAssembly()
// builds one; with a `compile` option unknown bytes are compiled at run time,
// without one only precompiled (registered) modules are accepted.

import type { ModuleDescriptor } from './abi.js';
import { decodeBodyless } from './bodyless.js';
import { CompileError, LinkError, RuntimeError } from './errors.js';
import { Global } from './global.js';
import { Exception, JSTag } from './exception.js';
import { Tag } from './tag.js';
import { Memory } from './memory.js';
import {
  type Compiler, createModuleObject, type ImportObjectArgument, Instance, type InstanceConstructor, instantiateAsync, isModule,
  lookupModule, makeModuleConstructor, mayBeRegistered, Module, type ModuleExports, resolveModule,
} from './module.js';
import { sha256Hex, sha256HexAsync } from './sha256.js';
import { Table } from './table.js';
import { bufferSourceBytes, describe, isObject } from './webidl.js';

export interface WebAssemblyOptions {
  /** Compiles .wasm bytes into a ModuleDescriptor (throwing CompileError); without it only precompiled modules load. */
  compile?: Compiler;
  /**
   * Validates .wasm bytes without generating code, for WebAssembly.validate:
   * invalid bytes make it throw a CompileError or return false. Optional:
   * without it validate() tries `compile`.
   */
  validate?: (bytes: Uint8Array) => boolean | void;
}

/**
 * The namespace's type. From bytes, the types of the exports and imports
 * can be given, `instantiate<Exports, Imports>(bytes, imports)` (a .d.ts
 * that wasm2es wrote exports both); from a typed Module they follow.
 */
export interface WebAssemblyNamespace {
  Module: typeof Module;
  Instance: InstanceConstructor;
  Memory: typeof Memory;
  Table: typeof Table;
  Global: typeof Global;
  Tag: typeof Tag;
  Exception: typeof Exception;
  /** The tag of JavaScript exceptions in wasm (a Tag of one externref). */
  readonly JSTag: Tag;
  CompileError: typeof CompileError;
  LinkError: typeof LinkError;
  RuntimeError: typeof RuntimeError;
  validate(bytes: ArrayBuffer | ArrayBufferView): boolean;
  compile<Exports = Record<string, any>, Imports = object>(bytes: ArrayBuffer | ArrayBufferView): Promise<Module<Exports, Imports>>;
  instantiate<Exports = Record<string, any>, Imports extends object = object>(
    bytes: ArrayBuffer | ArrayBufferView, importObject?: Imports,
  ): Promise<{ module: Module<Exports, Imports>; instance: Instance<Exports> }>;
  instantiate<M extends Module<any, any>>(module: M, ...importObject: ImportObjectArgument<M>): Promise<Instance<ModuleExports<M>>>;
  compileStreaming<Exports = Record<string, any>, Imports = object>(source: unknown): Promise<Module<Exports, Imports>>;
  instantiateStreaming<Exports = Record<string, any>, Imports extends object = object>(
    source: unknown, importObject?: Imports,
  ): Promise<{ module: Module<Exports, Imports>; instance: Instance<Exports> }>;
}

/** Strips HTTP whitespace (tab, space) from both ends. */
function trimHTTPWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(start, end);
}

/**
 * The body of a Response-like object, after the Web API's checks: the
 * Content-Type must be exactly application/wasm (no parameters) and the
 * status ok. Anything with `arrayBuffer()` and `headers.get()` works.
 * Called only inside `then` callbacks, so a throw here rejects the promise
 * (not `async`: Hermes, one of the engines the runtime serves, has none).
 */
function responseBytes(response: any, what: string): Promise<ArrayBuffer> {
  if (!isObject(response) || typeof response.arrayBuffer !== 'function') {
    throw new TypeError(`${what}: the argument must be a Response or a promise of one, got ${describe(response)}`);
  }
  const headers = response.headers;
  const contentType = isObject(headers) && typeof headers.get === 'function' ? headers.get('Content-Type') : null;
  if (contentType === null || contentType === undefined) {
    throw new TypeError(`${what}: the response has no Content-Type; it must be application/wasm`);
  }
  if (trimHTTPWhitespace(String(contentType)).toLowerCase() !== 'application/wasm') {
    throw new TypeError(`${what}: incorrect response MIME type ${JSON.stringify(String(contentType))}, expected "application/wasm"`);
  }
  if (response.ok === false || (typeof response.status === 'number' && (response.status < 200 || response.status > 299))) {
    throw new TypeError(`${what}: the response status is not ok (${response.status})`);
  }
  return response.arrayBuffer();
}

/** Builds a WebAssembly namespace object. */
export function createWebAssembly(options: WebAssemblyOptions = {}): WebAssemblyNamespace {
  const compiler: Compiler | undefined = options.compile;
  const validator = options.validate;
  const ModuleConstructor = compiler === undefined ? Module : makeModuleConstructor(compiler);

  /** "Asynchronously compile": the bytes are copied now, compiled in a later job. */
  function compileBytes(bytes: unknown, what: string): Promise<Module> {
    let stable: Uint8Array;
    try {
      stable = bufferSourceBytes(bytes, what).slice();
    } catch (error) {
      return Promise.reject(error);
    }
    // Hashing is only for finding a precompiled module (see mayBeRegistered);
    // without one of this length, resolveModule decodes a module without
    // bodies, or hashes for its CompileError's message.
    const hashing = mayBeRegistered(stable.length) ? sha256HexAsync(stable) : Promise.resolve(undefined);
    return hashing.then((hash) => createModuleObject(resolveModule(stable, compiler, hash), Module.prototype));
  }

  function instantiateModulePromise(modulePromise: Promise<Module>, importObject: unknown) {
    return modulePromise.then((module) => instantiateAsync(module, importObject).then((instance) => ({ module, instance })));
  }

  const operations = {
    /**
     * Without a compiler, true only for registered (precompiled) modules and
     * valid modules without function bodies (bodyless.ts): the runtime
     * cannot validate code it has not compiled, and false keeps feature
     * detection (which validates tiny probe modules) conservative.
     */
    validate(bytes: ArrayBuffer | ArrayBufferView): boolean {
      const view = bufferSourceBytes(bytes, 'WebAssembly.validate()');
      if (mayBeRegistered(view.length) && lookupModule(sha256Hex(view)) !== undefined) return true;
      try {
        if (validator !== undefined) return validator(view.slice()) !== false;
        if (compiler === undefined) return decodeBodyless(view) !== null;
        resolveModule(view.slice(), compiler);
        return true;
      } catch (error) {
        if (error instanceof CompileError) return false;
        throw error;
      }
    },

    compile(bytes: ArrayBuffer | ArrayBufferView): Promise<Module> {
      return compileBytes(bytes, 'WebAssembly.compile()');
    },

    instantiate(source: any, ...rest: any[]): Promise<any> {
      const importObject = rest[0];
      if (isModule(source)) return instantiateAsync(source, importObject);
      return instantiateModulePromise(compileBytes(source, 'WebAssembly.instantiate()'), importObject);
    },

    compileStreaming(source: unknown): Promise<Module> {
      return Promise.resolve(source)
        .then((response) => responseBytes(response, 'WebAssembly.compileStreaming()'))
        .then((bytes) => compileBytes(bytes, 'WebAssembly.compileStreaming()'));
    },

    instantiateStreaming(source: unknown, ...rest: any[]): Promise<{ module: Module; instance: Instance }> {
      const importObject = rest[0];
      const modulePromise = Promise.resolve(source)
        .then((response) => responseBytes(response, 'WebAssembly.instantiateStreaming()'))
        .then((bytes) => compileBytes(bytes, 'WebAssembly.instantiateStreaming()'));
      return instantiateModulePromise(modulePromise, importObject);
    },
  };

  const namespace = {} as WebAssemblyNamespace;
  // Web IDL: namespace operations are enumerable; interface objects and the
  // error constructors are not.
  for (const name of Object.keys(operations) as (keyof typeof operations)[]) {
    Object.defineProperty(namespace, name, { value: operations[name], writable: true, enumerable: true, configurable: true });
  }
  const members: [string, unknown][] = [
    ['Module', ModuleConstructor], ['Instance', Instance], ['Memory', Memory], ['Table', Table], ['Global', Global],
    ['Tag', Tag], ['Exception', Exception], ['CompileError', CompileError], ['LinkError', LinkError], ['RuntimeError', RuntimeError],
  ];
  for (const [name, value] of members) {
    Object.defineProperty(namespace, name, { value, writable: true, enumerable: false, configurable: true });
  }
  // A namespace attribute (Web IDL): a getter, enumerable.
  const jsTag = Object.getOwnPropertyDescriptor({ get JSTag() { return JSTag; } }, 'JSTag')!.get;
  Object.defineProperty(namespace, 'JSTag', { get: jsTag, enumerable: true, configurable: true });
  Object.defineProperty(namespace, Symbol.toStringTag, { value: 'WebAssembly', configurable: true });
  return namespace;
}

/** Sets globalThis.WebAssembly (writable, configurable, not enumerable, like the engine's own) and returns it. */
export function installWebAssembly<T extends object>(namespace: T): T {
  Object.defineProperty(globalThis, 'WebAssembly', { value: namespace, writable: true, enumerable: false, configurable: true });
  return namespace;
}
