// TypeScript declarations (.d.ts) for compiled output: the exact types of a
// module's exports and of the import object it needs, in the shape of each
// output format. Reads the validated IR only. The types it names (Module,
// Instance's exports, Memory, Table, Global, the WebAssembly namespace) are
// the runtime's (runtime/index.ts), whose Module<Exports, Imports> carries
// them through `new WebAssembly.Instance` and `WebAssembly.instantiate`.
//
// Every type says what the runtime does at the boundary (runtime/boundary.ts):
// i32, f32 and f64 are Numbers, i64 BigInts, an externref any value, a
// funcref null or an exported wasm function. v128 and exnref cannot cross
// (the call throws TypeError), so a function with either in its type cannot
// be called from TypeScript. A tag is a Tag.

import type { CompileOptions } from './index.js';
import {
  ExternKind, HeapType, ValType, heapOf, isNullable, isRef, valTypeName, type FuncType, type GlobalType, type ImportDesc, type MemoryType, type Module, type TableType,
} from './ir.js';
import { jsString } from './js.js';

export interface DeclarationOptions {
  /** The output format the declarations describe: 'esm' (default), 'cjs' or 'iife' ('body' has no file to declare). */
  format?: CompileOptions['format'];
  /** Where the types of the runtime come from (esm, cjs; iife takes them from there too). Default "wasm2es/runtime". */
  runtimeImport?: string;
  /** iife: the global the output stores the Module in; declared as a global variable. */
  globalName?: string;
}

const DEFAULT_RUNTIME = 'wasm2es/runtime';

/** The TypeScript type of a value of each type, both ways across the boundary; v128 is apart. */
const VALUE_TYPE: ReadonlyMap<ValType, string> = new Map([
  [ValType.I32, 'number'],
  [ValType.I64, 'bigint'],
  [ValType.F32, 'number'],
  [ValType.F64, 'number'],
  // Exported functions come out; only they (or null) go in: anything else is a TypeError.
  [ValType.FuncRef, 'Function | null'],
  [ValType.ExternRef, 'unknown'],
]);

/** Calling throws TypeError before the function runs: no call type-checks. */
const V128_EXPORT = '(...args: never) => never';
/** Any function links; the runtime throws instead of calling it. */
const V128_IMPORT = '(...args: never) => unknown';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Words that cannot name a parameter or a global variable in a declaration file (strict mode). */
const RESERVED = new Set([
  'arguments', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do',
  'else', 'enum', 'eval', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in',
  'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private', 'protected', 'public', 'return', 'static',
  'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
]);

const isBindingName = (name: string): boolean => IDENTIFIER.test(name) && !RESERVED.has(name);

/** A property name: bare when it is an identifier (reserved words are fine there), else a string literal. */
const propertyKey = (name: string): string => (IDENTIFIER.test(name) ? name : jsString(name));

/** v128 is `never`: only Global<never> uses it, a global whose value JavaScript can neither read nor write (both throw). */
const valueType = (type: ValType): string => VALUE_TYPE.get(type) ?? referenceType(type);

/**
 * Typed references and GC (3.0): function references are Exported
 * Functions; structs and arrays opaque objects, i31 references numbers,
 * externrefs anything, so the rest is `unknown` (a defined type may be a
 * function type too); the null types are null; exnref never crosses.
 */
function referenceType(type: ValType): string {
  if (!isRef(type)) return 'never';
  const heap = heapOf(type);
  const orNull = (text: string): string => (isNullable(type) ? `${text} | null` : text);
  switch (heap) {
    case HeapType.Func: return orNull('Function');
    case HeapType.None: case HeapType.NoFunc: case HeapType.NoExtern: return 'null';
    case HeapType.Exn: case HeapType.NoExn: return 'never';
  }
  return 'unknown';
}

// --- wasm types, as comments -------------------------------------------------------

const limitsText = (min: number, max: number | null): string => (max === null ? `${min}` : `${min} ${max}`);

function watFunc(type: FuncType): string {
  const params = type.params.length > 0 ? ` (param ${type.params.map(valTypeName).join(' ')})` : '';
  const results = type.results.length > 0 ? ` (result ${type.results.map(valTypeName).join(' ')})` : '';
  return `(func${params}${results})`;
}

const watTable = (type: TableType): string => `(table ${limitsText(type.limits.min, type.limits.max)} ${valTypeName(type.elemType)})`;
const watMemory = (type: MemoryType): string => `(memory ${limitsText(type.limits.min, type.limits.max)}${type.shared ? ' shared' : ''})`;
const watGlobal = (type: GlobalType): string => `(global ${type.mutable ? `(mut ${valTypeName(type.valType)})` : valTypeName(type.valType)})`;

// --- TypeScript types ------------------------------------------------------------------

/**
 * Parameter names: the name section's local names where they are usable
 * identifiers, `p<index>` otherwise; made unique.
 */
function parameterNames(count: number, localNames: Map<number, string> | undefined): string[] {
  const names: string[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < count; i++) {
    const local = localNames?.get(i);
    let name = local !== undefined && isBindingName(local) ? local : `p${i}`;
    while (taken.has(name)) name += '_';
    taken.add(name);
    names.push(name);
  }
  return names;
}

/** Several results are an array: a tuple, readonly where the host returns it (any iterable of that length is read). */
function resultType(results: ValType[], readonlyTuple: boolean): string {
  if (results.length === 0) return 'void';
  if (results.length === 1) return valueType(results[0]);
  return `${readonlyTuple ? 'readonly ' : ''}[${results.map(valueType).join(', ')}]`;
}

/** The type in a function's signature that cannot cross to JavaScript (v128, exnref), or null. */
function uncrossable(type: FuncType): string | null {
  for (const valType of [...type.params, ...type.results]) {
    if (valType === ValType.V128 || (isRef(valType) && (heapOf(valType) === HeapType.Exn || heapOf(valType) === HeapType.NoExn))) return valTypeName(valType);
  }
  return null;
}

/** The comment of a function: its wasm type, and why it cannot be called when it cannot. */
function funcComment(type: FuncType): string {
  const blocked = uncrossable(type);
  return blocked === null ? watFunc(type) : `${watFunc(type)}: ${blocked} cannot cross to JavaScript, a call throws TypeError`;
}

const watTag = (type: FuncType): string => `(tag${type.params.length > 0 ? ` (param ${type.params.map(valTypeName).join(' ')})` : ''})`;

function functionType(type: FuncType, names: string[], side: 'export' | 'import'): string {
  if (uncrossable(type) !== null) return side === 'export' ? V128_EXPORT : V128_IMPORT;
  const params = type.params.map((param, i) => `${names[i]}: ${valueType(param)}`).join(', ');
  return `(${params}) => ${resultType(type.results, side === 'import')}`;
}

function globalExportType(type: GlobalType): string {
  const global = `Global<${valueType(type.valType)}>`;
  return type.mutable ? global : `Readonly<${global}>`;
}

/**
 * An imported global: a Global of this runtime, or for an immutable one
 * also a plain value (a Number or a BigInt, or any reference), which the
 * runtime wraps. Mutable ones must be a Global, to be shared.
 */
function globalImportType(type: GlobalType): string {
  const value = valueType(type.valType);
  if (type.mutable || type.valType === ValType.V128) return `Global<${value}>`;
  if (type.valType === ValType.ExternRef) return 'unknown';
  return `${value} | Global<${value}>`;
}

/** The runtime type names the declarations use, collected as they are written. */
class RuntimeTypes {
  readonly used = new Set<string>();

  use(name: 'Global' | 'Memory' | 'Module' | 'Table' | 'Tag', text: string): string {
    this.used.add(name);
    return text;
  }
}

interface Member {
  comment: string;
  key: string;
  type: string;
}

function memberLines(members: Member[], indent: string, readonly: boolean): string[] {
  const lines: string[] = [];
  for (const member of members) {
    lines.push(`${indent}/** ${member.comment} */`);
    lines.push(`${indent}${readonly ? 'readonly ' : ''}${member.key}: ${member.type};`);
  }
  return lines;
}

/** The index spaces of functions, tables, memories, globals and tags, imports first. */
class IndexSpaces {
  readonly funcs: FuncType[] = [];
  readonly tables: TableType[] = [];
  readonly memories: MemoryType[] = [];
  readonly globals: GlobalType[] = [];
  readonly tags: FuncType[] = [];

  constructor(module: Module) {
    for (const { desc } of module.imports) this.add(module, desc);
    for (const typeIndex of module.funcTypeIndices) this.funcs.push(module.types[typeIndex]);
    this.tables.push(...module.tables);
    this.memories.push(...module.memories);
    for (const global of module.globals) this.globals.push(global.type);
    for (const tag of module.tags) this.tags.push(module.types[tag.typeIndex]);
  }

  private add(module: Module, desc: ImportDesc): void {
    switch (desc.kind) {
      case ExternKind.Func: this.funcs.push(module.types[desc.typeIndex]); break;
      case ExternKind.Table: this.tables.push(desc.type); break;
      case ExternKind.Memory: this.memories.push(desc.type); break;
      case ExternKind.Global: this.globals.push(desc.type); break;
      case ExternKind.Tag: this.tags.push(module.types[desc.typeIndex]); break;
    }
  }
}

function exportMembers(module: Module, spaces: IndexSpaces, runtime: RuntimeTypes): Member[] {
  return module.exports.map((exp) => {
    const key = propertyKey(exp.name);
    switch (exp.kind) {
      case ExternKind.Func: {
        const type = spaces.funcs[exp.index];
        const names = parameterNames(type.params.length, module.names?.locals.get(exp.index));
        return { comment: funcComment(type), key, type: functionType(type, names, 'export') };
      }
      case ExternKind.Table:
        return { comment: watTable(spaces.tables[exp.index]), key, type: runtime.use('Table', 'Table') };
      case ExternKind.Memory:
        return { comment: watMemory(spaces.memories[exp.index]), key, type: runtime.use('Memory', 'Memory') };
      case ExternKind.Global: {
        const type = spaces.globals[exp.index];
        return { comment: watGlobal(type), key, type: runtime.use('Global', globalExportType(type)) };
      }
      case ExternKind.Tag:
        return { comment: watTag(spaces.tags[exp.index]), key, type: runtime.use('Tag', 'Tag') };
    }
  });
}

function importMember(module: Module, desc: ImportDesc, funcIndex: number, runtime: RuntimeTypes): Omit<Member, 'key'> {
  switch (desc.kind) {
    case ExternKind.Func: {
      const type = module.types[desc.typeIndex];
      const names = parameterNames(type.params.length, module.names?.locals.get(funcIndex));
      return { comment: funcComment(type), type: functionType(type, names, 'import') };
    }
    case ExternKind.Table:
      return { comment: watTable(desc.type), type: runtime.use('Table', 'Table') };
    case ExternKind.Memory:
      return { comment: watMemory(desc.type), type: runtime.use('Memory', 'Memory') };
    case ExternKind.Global: {
      const type = globalImportType(desc.type);
      return { comment: watGlobal(desc.type), type: type === 'unknown' ? type : runtime.use('Global', type) };
    }
    case ExternKind.Tag:
      return { comment: watTag(module.types[desc.typeIndex]), type: runtime.use('Tag', 'Tag') };
  }
}

/**
 * The import object's type, grouped by module name in order of first
 * appearance. A name imported twice must satisfy both imports (the runtime
 * reads one value for both), so its type is their intersection.
 */
function importLines(module: Module, runtime: RuntimeTypes, indent: string): string[] {
  const modules = new Map<string, Map<string, Omit<Member, 'key'>[]>>();
  let funcIndex = 0;
  for (const imp of module.imports) {
    const member = importMember(module, imp.desc, funcIndex, runtime);
    if (imp.desc.kind === ExternKind.Func) funcIndex++;
    let fields = modules.get(imp.module);
    if (fields === undefined) modules.set(imp.module, fields = new Map());
    const same = fields.get(imp.name);
    if (same === undefined) fields.set(imp.name, [member]);
    else same.push(member);
  }
  const lines: string[] = [];
  for (const [moduleName, fields] of modules) {
    lines.push(`${indent}${propertyKey(moduleName)}: {`);
    const members = [...fields].map(([name, parts]): Member => ({
      comment: parts.map((part) => part.comment).join(' and '),
      key: propertyKey(name),
      type: parts.length === 1 ? parts[0].type : parts.map((part) => `(${part.type})`).join(' & '),
    }));
    lines.push(...memberLines(members, `${indent}  `, false), `${indent}};`);
  }
  return lines;
}

/** The declarations of `Exports` and `Imports`, at `indent`. */
function typeDeclarations(module: Module, runtime: RuntimeTypes, indent: string): string[] {
  const spaces = new IndexSpaces(module);
  const lines = [
    `${indent}/** What an instance of this module exports (\`instance.exports\`, a frozen object). */`,
    `${indent}export interface Exports {`,
    ...memberLines(exportMembers(module, spaces, runtime), `${indent}  `, true),
    `${indent}}`,
    '',
  ];
  if (module.imports.length === 0) {
    lines.push(`${indent}/** The module imports nothing: the import object may be left out. */`);
    lines.push(`${indent}export type Imports = object;`);
  } else {
    lines.push(`${indent}/** The import object instances of this module need; every import is required. */`);
    lines.push(`${indent}export interface Imports {`, ...importLines(module, runtime, `${indent}  `), `${indent}}`);
  }
  return lines;
}

/** The type-only import of the runtime types used; none (an iife without a global may need none): no line. */
function importTypesLines(runtime: RuntimeTypes, specifier: string): string[] {
  if (runtime.used.size === 0) return [];
  return [`import type { ${[...runtime.used].sort().join(', ')} } from ${specifier};`];
}

/** What the bundler plugins' `import ... from './x.wasm'` gives, for wasmImportDeclarationText. */
export interface WasmImportDeclarationOptions {
  /** Where the runtime's types come from. Default "wasm2es/runtime". */
  runtimeImport?: string;
  /** The module is instantiated on import (ESM integration): its exports are also named exports, globals as their values. */
  instantiated: boolean;
}

/**
 * The declarations of a `.wasm` as the bundler plugins (plugins/) import it,
 * for `x.d.wasm.ts` beside `x.wasm` (what TypeScript reads for
 * `import ... from './x.wasm'` with `allowArbitraryExtensions`): the default
 * export is the Module; an instantiated module also has a named export per
 * export that is an identifier, a global as its value (read once, as the
 * plugins do; a v128 global's is undefined) and anything else as the
 * instance exports it.
 */
export function wasmImportDeclarationText(module: Module, options: WasmImportDeclarationOptions): string {
  const runtime = new RuntimeTypes();
  const types = typeDeclarations(module, runtime, '');
  runtime.use('Module', 'Module');
  const named: string[] = [];
  if (options.instantiated) {
    const spaces = new IndexSpaces(module);
    for (const exp of module.exports) {
      if (!isBindingName(exp.name)) continue;
      const global = exp.kind === ExternKind.Global ? spaces.globals[exp.index] : undefined;
      const type = global === undefined ? `Exports[${jsString(exp.name)}]`
        : global.valType === ValType.V128 ? 'undefined' : valueType(global.valType);
      named.push(`export declare const ${exp.name}: ${type};`);
    }
  }
  return [
    '// Types of a WebAssembly module as the wasm2es bundler plugins import it.',
    ...importTypesLines(runtime, jsString(options.runtimeImport ?? DEFAULT_RUNTIME)),
    '',
    ...types,
    '',
    '/** The compiled module. */',
    'declare const wasmModule: Module<Exports, Imports>;',
    'export default wasmModule;',
    ...(named.length > 0 ? ['', '// The exports of the instance made on import (ESM integration).', ...named] : []),
    '',
  ].join('\n');
}

/**
 * The .d.ts text for the output of compile(bytes, options) in `format`:
 * - esm: `Exports` and `Imports` types, the default export (a
 *   Module<Exports, Imports>) and the re-exported `WebAssembly`;
 * - cjs: `export =` the Module, with `Exports` and `Imports` in a namespace
 *   of the same name;
 * - iife: `Exports` and `Imports` types (a type-only import of the file
 *   gets them) and, with `globalName`, the global holding the Module, and the
 *   global `wasm2esRuntime` the output runs on.
 */
export function declarationText(module: Module, options: DeclarationOptions = {}): string {
  const format = options.format ?? 'esm';
  const specifier = jsString(options.runtimeImport ?? DEFAULT_RUNTIME);
  const runtime = new RuntimeTypes();
  const header = `// Types of a WebAssembly module compiled by wasm2es (format ${format}).`;
  switch (format) {
    case 'esm': {
      const types = typeDeclarations(module, runtime, '');
      runtime.use('Module', 'Module');
      return [
        header,
        ...importTypesLines(runtime, specifier),
        '',
        ...types,
        '',
        '/** The compiled module: instantiate it with the `WebAssembly` exported here. */',
        'declare const wasmModule: Module<Exports, Imports>;',
        'export default wasmModule;',
        `export { WebAssembly } from ${specifier};`,
        '',
      ].join('\n');
    }
    case 'cjs': {
      const types = typeDeclarations(module, runtime, '  ');
      runtime.use('Module', 'Module');
      return [
        header,
        ...importTypesLines(runtime, specifier),
        '',
        '/** The compiled module (`module.exports`): instantiate it with the `WebAssembly` of the runtime. */',
        'declare const wasmModule: Module<wasmModule.Exports, wasmModule.Imports>;',
        'declare namespace wasmModule {',
        ...types,
        '}',
        'export = wasmModule;',
        '',
      ].join('\n');
    }
    case 'iife': {
      const types = typeDeclarations(module, runtime, '');
      const globals: string[] = [];
      if (options.globalName !== undefined) {
        if (!isBindingName(options.globalName)) {
          throw new TypeError(`declarations(): the global name ${jsString(options.globalName)} is not an identifier, so TypeScript cannot declare it`);
        }
        runtime.use('Module', 'Module');
        globals.push(
          '',
          'declare global {',
          '  /** The runtime the output runs on: dist/runtime.iife.js, loaded first, or the one inlined in the output. */',
          `  var wasm2esRuntime: typeof import(${specifier});`,
          '  /** The compiled module: instantiate it with `wasm2esRuntime.WebAssembly`. */',
          `  var ${options.globalName}: Module<Exports, Imports>;`,
          '}',
        );
      } else {
        globals.push('', '// Without a global name the output only registers the module, for WebAssembly.instantiate(bytes).');
      }
      return [header, ...importTypesLines(runtime, specifier), '', ...types, ...globals, ''].join('\n');
    }
  }
  throw new TypeError(`declarations(): no declarations for format ${JSON.stringify(format)}: expected esm, cjs or iife`);
}
