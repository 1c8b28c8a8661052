// The webpack loader behind wasm2es/webpack. For a .wasm file (a raw
// loader: it gets the bytes) it returns the module core.ts generates for the
// request's form. For glue (options.glue) it appends imports of the compiled
// modules of the .wasm files the glue fetches by URL.

import {
  type CompiledWasm, compileWasmFile, esmModule, writeDeclarations, findWasmUrls, parseWasmRequest, registerImports, type Wasm2esPluginOptions, WasmBuildError,
} from './core.js';

/** The part of webpack's loader context used here. */
interface LoaderContext {
  resourcePath: string;
  resourceQuery: string;
  getOptions(): Wasm2esPluginOptions & { glue?: boolean };
  emitFile(name: string, content: Buffer): void;
  callback(error: Error | null, content?: string): void;
}

export const raw = true;

/**
 * The last compilation of each file, reused while its bytes and the options
 * stay the same: webpack runs the loader once per form a .wasm is imported
 * in (the plain import and the compiled module it imports), and again on
 * every watch rebuild.
 */
const compilations = new Map<string, { options: string; compiled: CompiledWasm }>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function compileCached(file: string, options: Wasm2esPluginOptions, bytes: Uint8Array): CompiledWasm {
  const key = JSON.stringify(options);
  const hit = compilations.get(file);
  if (hit !== undefined && hit.options === key && sameBytes(hit.compiled.bytes, bytes)) return hit.compiled;
  const compiled = compileWasmFile(file, options, 'esm', bytes.slice());
  writeDeclarations(compiled, options);
  compilations.set(file, { options: key, compiled });
  return compiled;
}

export default function wasm2esLoader(this: LoaderContext, source: Uint8Array | string): void {
  const { glue, ...options } = this.getOptions();
  if (glue === true) {
    const code = typeof source === 'string' ? source : Buffer.from(source).toString('utf8');
    const references = findWasmUrls(code);
    this.callback(null, references.length === 0 ? code : code + registerImports(references.map((reference) => reference.specifier)));
    return;
  }
  const request = parseWasmRequest(this.resourcePath + this.resourceQuery);
  if (request === null) {
    this.callback(new Error(`wasm2es: ${this.resourcePath}${this.resourceQuery}: not a .wasm request this loader handles`));
    return;
  }
  const bytes = typeof source === 'string' ? new TextEncoder().encode(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  try {
    // The file is the loader's resource, which webpack watches.
    const compiled = compileCached(request.file, options, bytes);
    if (request.form === 'module' && options.emitWasm === true) this.emitFile(request.file.split(/[\\/]/).pop()!, Buffer.from(bytes));
    this.callback(null, esmModule(compiled, request.form, options));
  } catch (error) {
    if (!(error instanceof WasmBuildError)) throw error;
    // One line: webpack prints the message (with the module's path) and no stack.
    const failure = new Error(error.message) as Error & { hideStack?: boolean };
    failure.hideStack = true;
    this.callback(failure);
  }
}
