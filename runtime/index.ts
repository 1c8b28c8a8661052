// wasm2es/runtime: the WebAssembly JS API for precompiled modules, and `rt`,
// the support library of module bodies. No compiler here: `WebAssembly`
// accepts only modules that were compiled ahead of time and loaded
// (registered by `defineModule`); createWebAssembly({ compile }) makes a
// namespace that compiles at run time.
//
// One runtime per JavaScript realm. Several copies can be loaded at once (the
// ESM and CommonJS builds of the package, runtimes inlined into generated
// files), and generated code must find modules registered by any of them and
// pass objects between them. So the first copy to load publishes its API
// under a global symbol and every later copy of the same ABI exports that
// same API instead of its own.

import { convertError as convertErrorImpl, FuncRef as FuncRefImpl, typeKey as typeKeyImpl } from './boundary.js';
import {
  CompileError as CompileErrorImpl, LinkError as LinkErrorImpl, RuntimeError as RuntimeErrorImpl,
} from './errors.js';
import { Global as GlobalImpl } from './global.js';
import { Exception as ExceptionImpl } from './exception.js';
import { Tag as TagImpl } from './tag.js';
import { sharedInRealm } from './realm.js';
import { Memory as MemoryImpl } from './memory.js';
import {
  defineModule as defineModuleImpl, Instance as InstanceImpl, type InstanceConstructor, Module as ModuleImpl,
} from './module.js';
import {
  createWebAssembly as createWebAssemblyImpl, installWebAssembly as installWebAssemblyImpl,
  type WebAssemblyNamespace, type WebAssemblyOptions,
} from './namespace.js';
import { sha256Hex as sha256HexImpl } from './sha256.js';
import { rt as rtImpl } from './support.js';
import { Table as TableImpl } from './table.js';

export type {
  CustomSectionDescriptor, ExportDescriptor, FuncRefShape, FuncTypeDesc, ImportDescriptor, ModuleDescriptor,
  SupportLib, ValueTypeName,
} from './abi.js';
export type { WebAssemblyNamespace, WebAssemblyOptions };
export type { InstanceConstructor, ModuleExports, ModuleImports } from './module.js';

/** Bump when the runtime's internal API (runtime/abi.ts) changes incompatibly. */
const ABI_VERSION = 6; // 6: typed references and GC (recGroup, refName, structClass, arrayNew, ...); 5: exception handling (catchable, throwRef, newException, makeTag, ...), memory64 (addr64, idx64, ...); 4: tail calls

function buildApi() {
  return {
    ABI_VERSION,
    rt: rtImpl,
    defineModule: defineModuleImpl,
    createWebAssembly: createWebAssemblyImpl,
    installWebAssembly: installWebAssemblyImpl,
    WebAssembly: createWebAssemblyImpl(),
    sha256Hex: sha256HexImpl,
    typeKey: typeKeyImpl,
    convertError: convertErrorImpl,
    Memory: MemoryImpl,
    Table: TableImpl,
    Global: GlobalImpl,
    Tag: TagImpl,
    Exception: ExceptionImpl,
    Module: ModuleImpl,
    // Typed as the namespace types it: a typed Module's imports are checked (a type, no wrapper).
    Instance: InstanceImpl as InstanceConstructor,
    FuncRef: FuncRefImpl,
    CompileError: CompileErrorImpl,
    LinkError: LinkErrorImpl,
    RuntimeError: RuntimeErrorImpl,
  };
}

type RuntimeApi = ReturnType<typeof buildApi>;

const api: RuntimeApi = sharedInRealm(`wasm2es.runtime.abi${ABI_VERSION}`, buildApi, (existing) => existing.ABI_VERSION === ABI_VERSION);

/** The support library module bodies run with (SupportLib in runtime/abi.ts). */
export const rt = api.rt;
/** Registers a module body's descriptor under its hash and returns its WebAssembly.Module. */
export const defineModule = api.defineModule;
/** Builds a WebAssembly namespace; `compile` makes it accept modules that were not precompiled. */
export const createWebAssembly = api.createWebAssembly;
/** Sets globalThis.WebAssembly to the given namespace. */
export const installWebAssembly = api.installWebAssembly;
/** The namespace for precompiled modules only. */
export const WebAssembly = api.WebAssembly;
/** SHA-256 of bytes, lowercase hex: the registry key. */
export const sha256Hex = api.sha256Hex;
/** The signature key rt.typeId interns, e.g. "i32,i64->f32". */
export const typeKey = api.typeKey;
/** Maps an error leaving compiled code to the JS API's (RangeError from DataView -> RuntimeError). */
export const convertError = api.convertError;

export const Memory = api.Memory;
export type Memory = MemoryImpl;
export const Table = api.Table;
export type Table = TableImpl;
export const Global = api.Global;
/** A Global whose value is a T: what .d.ts files of compiled modules declare for their globals. */
export interface Global<T = any> extends GlobalImpl {
  value: T;
  valueOf(): T;
}
export const Tag = api.Tag;
export type Tag = TagImpl;
export const Exception = api.Exception;
export type Exception = ExceptionImpl;
export const Module = api.Module;
export type Module<Exports = Record<string, any>, Imports = object> = ModuleImpl<Exports, Imports>;
export const Instance = api.Instance;
export type Instance<Exports = Record<string, any>> = InstanceImpl<Exports>;
export const FuncRef = api.FuncRef;
export type FuncRef = FuncRefImpl;
export const CompileError = api.CompileError;
export type CompileError = CompileErrorImpl;
export const LinkError = api.LinkError;
export type LinkError = LinkErrorImpl;
export const RuntimeError = api.RuntimeError;
export type RuntimeError = RuntimeErrorImpl;
