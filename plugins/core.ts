// What every bundler plugin shares: reading and compiling a .wasm, the
// JavaScript module generated for each way of importing it, the error a
// bundler reports for a module that does not compile (file and byte offset),
// and finding `new URL('./x.wasm', import.meta.url)` in glue code. The
// per-bundler files (vite.ts, esbuild.ts, webpack.ts, metro.ts) only map
// their bundler's hooks onto these.
//
// One .wasm file becomes up to three modules, told apart by a query:
//   x.wasm                 default: the WebAssembly.Module; named exports:
//                          the instance's exports (ESM integration), when
//                          the module's imports can be resolved (below)
//   x.wasm?init            default: init(imports) -> Promise<Instance> (Vite's form)
//   x.wasm?source          default: the Module (what Vite makes of `import source`)
//   x.wasm?wasm2es=module  the compiled output itself (default: the Module);
//                          loading it registers the module by its bytes' hash
// The first two import the third, so the compiled code is in a bundle once
// whichever forms the app uses.

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileObserved } from '../compiler/index.js';
import { sha256Hex } from '../runtime/sha256.js';
import { ExternKind, type Module } from '../compiler/ir.js';
import { wasmImportDeclarationText } from '../compiler/dts.js';
import { jsString } from '../compiler/js.js';

export interface Wasm2esPluginOptions {
  /**
   * Tune the generated code for engines with a JIT (`'jit'`, default) or
   * for engines that only interpret (`'interpreter'`: Hermes, QuickJS,
   * `node --jitless`, iOS Lockdown Mode). Both are exact everywhere.
   */
  tune?: 'jit' | 'interpreter';
  /**
   * When `import { add } from './x.wasm'` instantiates the module (ESM
   * integration). `'auto'` (default): when every import of the module names
   * a relative or absolute specifier (`./math.js`, `../lib/other.wasm`), or
   * it has none; a module importing `env` or `wasi_snapshot_preview1` needs
   * its toolchain's glue and only exports the Module. `true`: always (bare
   * names are resolved as packages). `false`: never.
   */
  esmIntegration?: 'auto' | boolean;
  /** Also put the original .wasm into the output (it is, anyway, where glue refers to it with `new URL(..., import.meta.url)`). Default false. */
  emitWasm?: boolean;
  /** The specifier generated code imports the runtime from. Default: this package's runtime, resolved by the plugin. */
  runtimeImport?: string;
  /** Indent the generated code, for reading. */
  pretty?: boolean;
  /**
   * Write `x.d.wasm.ts` beside each `x.wasm` the app imports (not those in
   * node_modules): the types of what the import gives, which TypeScript reads
   * for `import ... from './x.wasm'` with `allowArbitraryExtensions`.
   * Written only when its text changes. Default true.
   */
  dts?: boolean;
}

/** The query naming the compiled module itself. */
export const MODULE_QUERY = '?wasm2es=module';
/** Vite's query for an init function. */
export const INIT_QUERY = '?init';
/** The query Vite gives `import source mod from './x.wasm'` (a source phase import: the Module). */
export const SOURCE_QUERY = '?source';
/** The specifier generated code names the runtime with, mapped by each plugin to the files below. */
export const RUNTIME_SPECIFIER = 'wasm2es/runtime';

/** This package's runtime bundles, next to dist/plugins/. */
export function runtimePath(format: 'esm' | 'cjs'): string {
  return fileURLToPath(new URL(format === 'esm' ? '../runtime.mjs' : '../runtime.cjs', import.meta.url));
}

/** Which module a request for a .wasm asks for, from its query. */
export type WasmForm = 'main' | 'init' | 'module' | 'source';

/** Splits `x.wasm?query` into the file and the form it asks for; null if it is not a .wasm request of ours. */
export function parseWasmRequest(id: string): { file: string; form: WasmForm } | null {
  const question = id.indexOf('?');
  const file = question < 0 ? id : id.slice(0, question);
  if (!/\.wasm$/i.test(file)) return null;
  const query = question < 0 ? '' : id.slice(question);
  if (query === '') return { file, form: 'main' };
  if (query === INIT_QUERY) return { file, form: 'init' };
  if (query === SOURCE_QUERY) return { file, form: 'source' };
  if (query === MODULE_QUERY) return { file, form: 'module' };
  return null;
}

/** A compile or read failure, reduced to what a bundler shows: a one-line message naming the file and byte offset. */
export class WasmBuildError extends Error {
  constructor(message: string, readonly file: string, readonly offset: number | undefined) {
    super(message);
    this.name = 'WasmBuildError';
  }
}

/** The file as messages name it: relative to the working directory when it is below it. */
export function displayPath(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown === '' || shown.startsWith('..') ? file : shown;
}

function buildError(file: string, error: unknown): WasmBuildError {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown })?.code;
  const reason = typeof code === 'string' && code.startsWith('E') ? `cannot read: ${text}` : text;
  const at = /\(at 0x([0-9a-f]+)/i.exec(text);
  return new WasmBuildError(`${displayPath(file)}: ${reason}`, file, at === null ? undefined : parseInt(at[1], 16));
}

export interface WasmImport {
  module: string;
  name: string;
}

export interface CompiledWasm {
  file: string;
  bytes: Uint8Array;
  /** compile()'s output: the ES module, or the module body alone for bundlers that wrap it themselves (Metro). */
  code: string;
  hash: string;
  imports: WasmImport[];
  /** Export names, in order. */
  exports: string[];
  /** The names of exported globals, which ESM integration exports as their values. */
  globalExports: Set<string>;
  /** The decoded module, without function bodies: for the declarations. */
  module: Module;
}

/**
 * Reads and compiles `file`. Throws WasmBuildError, whose message names the
 * file and the byte offset. `bytes` may be given when the bundler read them.
 */
export function compileWasmFile(
  file: string, options: Wasm2esPluginOptions, format: 'esm' | 'body' = 'esm', bytes?: Uint8Array,
): CompiledWasm {
  let input: Uint8Array;
  try {
    input = bytes ?? new Uint8Array(readFileSync(file));
  } catch (error) {
    throw buildError(file, error);
  }
  try {
    // The compiler's decoded module (without function bodies) gives the imports, exports and declarations.
    let decoded: Module | undefined;
    const { code, hash } = compileObserved(input, sha256Hex(input), {
      format, tune: options.tune ?? 'jit', pretty: options.pretty === true, runtimeImport: options.runtimeImport ?? RUNTIME_SPECIFIER,
    }, { phase: (_name, _milliseconds, detail) => (decoded = detail.module) });
    const module = decoded!;
    return {
      file, bytes: input, code, hash, module,
      imports: module.imports.map(({ module: name, name: field }) => ({ module: name, name: field })),
      exports: module.exports.map((entry) => entry.name),
      globalExports: new Set(module.exports.filter((entry) => entry.kind === ExternKind.Global).map((entry) => entry.name)),
    };
  } catch (error) {
    throw buildError(file, error);
  }
}

/**
 * Compiles each file once per change: a .wasm imported in several forms,
 * and the rebuilds of watch mode, reuse the result while the file's size and
 * modification time stay the same.
 */
export function createCompileCache(options: Wasm2esPluginOptions, format: 'esm' | 'body' = 'esm') {
  const cache = new Map<string, { stamp: string; compiled: CompiledWasm }>();
  return (file: string): CompiledWasm => {
    let stamp = '';
    try {
      const stats = statSync(file);
      stamp = `${stats.size}:${stats.mtimeMs}`;
    } catch {
      // Unreadable: compileWasmFile reports why.
    }
    const hit = cache.get(file);
    if (hit !== undefined && stamp !== '' && hit.stamp === stamp) return hit.compiled;
    const compiled = compileWasmFile(file, options, format);
    writeDeclarations(compiled, options);
    cache.set(file, { stamp, compiled });
    return compiled;
  };
}

/**
 * Writes `x.d.wasm.ts` beside `x.wasm` (see Wasm2esPluginOptions.dts), when
 * its text is not there already: rewriting an unchanged file would wake
 * the watchers of a watch build for nothing.
 */
export function writeDeclarations(compiled: CompiledWasm, options: Wasm2esPluginOptions): void {
  if (options.dts === false || /[\\/]node_modules[\\/]/.test(compiled.file) || !/\.wasm$/i.test(compiled.file)) return;
  const path = compiled.file.replace(/\.wasm$/i, '.d.wasm.ts');
  const text = wasmImportDeclarationText(compiled.module, { instantiated: usesEsmIntegration(compiled, options) });
  let existing: string | undefined;
  try {
    existing = readFileSync(path, 'utf8');
  } catch {
    existing = undefined;
  }
  if (existing === text) return;
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new WasmBuildError(`${displayPath(path)}: cannot write the declarations (set dts: false to do without): ${error instanceof Error ? error.message : String(error)}`, path, undefined);
  }
}

/** Whether an import module name is a specifier ESM integration resolves without a package lookup. */
function isPathSpecifier(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../') || name.startsWith('/');
}

/** Whether `import { ... } from './x.wasm'` instantiates this module (see Wasm2esPluginOptions.esmIntegration). */
export function usesEsmIntegration(compiled: CompiledWasm, options: Wasm2esPluginOptions): boolean {
  const mode = options.esmIntegration ?? 'auto';
  if (mode === false) return false;
  if (mode === true) return true;
  return compiled.imports.every((entry) => isPathSpecifier(entry.module));
}

/** The distinct import module names, in first-use order. */
function importModules(compiled: CompiledWasm): string[] {
  return [...new Set(compiled.imports.map((entry) => entry.module))];
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set([
  'default', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return',
  'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static',
  'implements', 'interface', 'package', 'private', 'protected', 'public', 'arguments', 'eval',
]);

/**
 * An export's value as ESM integration gives it: a global's value (read
 * once, as Vite's own ESM integration does; a v128 global, which JS cannot
 * read, stays undefined), anything else as the instance exports it.
 */
function exportValue(compiled: CompiledWasm, name: string, source: string): string {
  const read = `${source}[${jsString(name)}]`;
  return compiled.globalExports.has(name) ? `(function () { try { return ${read}.value; } catch (error) { return undefined; } })()` : read;
}

/**
 * The named exports of an instantiated module, as `export { e0 as add }`
 * statements. A wasm export named `default` is left out: the default export
 * is the Module. Names that are not identifiers use ES2022 string export
 * names (`export { e1 as "a-b" }`).
 */
function namedExports(compiled: CompiledWasm, source: string): string {
  const lines: string[] = [];
  compiled.exports.forEach((name, index) => {
    if (name === 'default') return;
    const exported = IDENTIFIER.test(name) && !RESERVED.has(name) ? name : jsString(name);
    lines.push(`const e${index} = ${exportValue(compiled, name, source)};\nexport { e${index} as ${exported} };\n`);
  });
  return lines.join('');
}

/** `./x.wasm?...`: how generated modules name their siblings, relative to the .wasm, so every bundler resolves them as it resolves the file. */
function selfSpecifier(file: string, query: string): string {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  return jsString(`./${base}${query}`);
}

/** The ES module for `form`. Import specifiers are left as they are, to be resolved relative to the .wasm. */
export function esmModule(compiled: CompiledWasm, form: WasmForm, options: Wasm2esPluginOptions): string {
  const runtime = jsString(options.runtimeImport ?? RUNTIME_SPECIFIER);
  const compiledModule = `import wasmModule from ${selfSpecifier(compiled.file, MODULE_QUERY)};\n`;
  switch (form) {
    case 'module':
      return compiled.code;
    case 'init':
      return `${compiledModule}import { WebAssembly } from ${runtime};\n`
        + 'export default function init(imports) {\nreturn WebAssembly.instantiate(wasmModule, imports);\n}\n';
    case 'source':
      return `${compiledModule}export default wasmModule;\n`;
    case 'main': {
      if (!usesEsmIntegration(compiled, options)) return `${compiledModule}export default wasmModule;\n`;
      const modules = importModules(compiled);
      const importLines = modules.map((name, index) => `import * as i${index} from ${jsString(name)};\n`).join('');
      const importObject = modules.map((name, index) => `${jsString(name)}: i${index}`).join(', ');
      return `${compiledModule}import { Instance } from ${runtime};\n${importLines}`
        + `const wasmExports = new Instance(wasmModule, { ${importObject} }).exports;\n`
        + `export default wasmModule;\n${namedExports(compiled, 'wasmExports')}`;
    }
  }
}

/**
 * The CommonJS module for Metro: one file (Metro has no query-named
 * variants), marked `__esModule` so `import mod from './x.wasm'` gives the
 * Module and `import { add } from './x.wasm'` an export, as elsewhere.
 */
export function commonJsModule(compiled: CompiledWasm, options: Wasm2esPluginOptions): string {
  const runtime = jsString(options.runtimeImport ?? RUNTIME_SPECIFIER);
  let code = `"use strict";\nvar runtime = require(${runtime});\n`
    + `var wasmModule = runtime.defineModule((function (rt) {\n${compiled.code}\n})(runtime.rt));\n`
    + 'Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = wasmModule;\n';
  if (usesEsmIntegration(compiled, options)) {
    const importObject = importModules(compiled).map((name) => `${jsString(name)}: require(${jsString(name)})`).join(', ');
    code += `var wasmExports = new runtime.Instance(wasmModule, { ${importObject} }).exports;\n`;
    compiled.exports.forEach((name) => {
      if (name !== 'default') code += `exports[${jsString(name)}] = ${exportValue(compiled, name, 'wasmExports')};\n`;
    });
  }
  return code;
}

/** One `new URL('<x>.wasm', import.meta.url)` in glue code. */
export interface WasmUrlReference {
  /** The file as an import specifier: `./x.wasm` for `'./x.wasm'`, and for `'x.wasm'`, which a URL reads relative to the glue too. */
  specifier: string;
  /** Where the quoted specifier starts and ends in the code (quotes included). */
  start: number;
  end: number;
}

const WASM_URL = /new\s+URL\s*\(\s*(['"`])([^'"`\n]+?\.wasm)\1\s*,\s*import\.meta\.url\s*\)/g;

/** Finds the `.wasm` files glue code fetches by URL, so the plugin can register their compiled modules before it runs. */
export function findWasmUrls(code: string): WasmUrlReference[] {
  if (!code.includes('.wasm') || !code.includes('import.meta.url')) return [];
  const found: WasmUrlReference[] = [];
  for (const match of code.matchAll(WASM_URL)) {
    const written = match[2];
    // An absolute URL (https:, data:) is not a file of the app.
    if (/^[a-z][a-z\d+.-]*:/i.test(written)) continue;
    const specifier = written.startsWith('./') || written.startsWith('../') || written.startsWith('/') ? written : `./${written}`;
    const start = match.index + match[0].indexOf(match[1]);
    found.push({ specifier, start, end: start + written.length + 2 });
  }
  return found;
}

/**
 * The statements that load (and so register) the compiled modules of the
 * given .wasm specifiers. ES imports are hoisted, so appending them at the
 * end of the glue runs them first and moves none of its positions.
 */
export function registerImports(specifiers: string[]): string {
  return [...new Set(specifiers)].map((specifier) => `\nimport ${jsString(specifier + MODULE_QUERY)};`).join('');
}
