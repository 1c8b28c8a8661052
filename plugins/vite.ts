// wasm2es/vite: a Vite plugin, which is also a Rollup plugin (Rollup and
// Vite share the hooks used here). `.wasm` imports load as JavaScript
// compiled by wasm2es (core.ts says which module each form gets); glue that
// fetches a .wasm with `new URL('./x.wasm', import.meta.url)` gets the
// compiled module imported first, so the runtime finds it by the bytes.
// Vite emits such a .wasm as an asset itself; under plain Rollup the plugin
// emits it and rewrites the URL.

import { basename } from 'node:path';
import {
  createCompileCache, esmModule, findWasmUrls, parseWasmRequest, registerImports, runtimePath, RUNTIME_SPECIFIER,
  WasmBuildError, type Wasm2esPluginOptions,
} from './core.js';

export type { Wasm2esPluginOptions };

/** The part of Rollup's and Vite's plugin context this plugin uses. */
interface PluginContext {
  resolve(source: string, importer?: string, options?: { skipSelf?: boolean }): Promise<{ id: string; external?: boolean | string } | null>;
  addWatchFile(id: string): void;
  emitFile(file: { type: 'asset'; name?: string; source: Uint8Array }): string;
  error(error: Error & { id?: string; pos?: number; loc?: { file: string; line: number; column: number } }): never;
}

/** A Rollup/Vite plugin object (typed structurally, so neither package is needed to compile against). */
export interface Wasm2esVitePlugin {
  name: string;
  enforce: 'pre';
  configResolved(): void;
  resolveId(this: PluginContext, source: string, importer: string | undefined): Promise<string | { id: string; moduleSideEffects: boolean } | null>;
  load(this: PluginContext, id: string): { code: string; map: typeof NO_MAP; moduleType: 'js' } | null;
  transform(this: PluginContext, code: string, id: string): Promise<{ code: string; map: null } | null>;
}

/** The source map of generated code that maps to no source (Rollup then neither warns nor guesses). */
const NO_MAP = { version: 3, sources: [] as string[], names: [] as string[], mappings: '' };

const SCRIPT = /\.(?:[cm]?[jt]sx?|vue|svelte)$/i;

/**
 * The error handed to this.error: the file, and a location whose column is
 * the byte offset (a .wasm is one line of bytes). Its stack has no frames:
 * Rolldown prints the stack, and the frames would only be the plugin's own.
 */
function bundlerError(error: WasmBuildError, file: string) {
  const loc = error.offset === undefined ? undefined : { file, line: 1, column: error.offset };
  const reported = Object.assign(new Error(error.message), { id: file, pos: error.offset, loc });
  reported.stack = `${reported.name}: ${error.message}`;
  return reported;
}

export default function wasm2es(options: Wasm2esPluginOptions = {}): Wasm2esVitePlugin {
  const compileCached = createCompileCache(options);
  // Vite calls configResolved; plain Rollup does not, and does not handle
  // `new URL(..., import.meta.url)` assets either.
  let underVite = false;

  return {
    name: 'wasm2es',
    // Before Vite's own wasm plugin, which would take `?init` and plain `.wasm` imports and instantiate them with the engine's WebAssembly.
    enforce: 'pre',

    configResolved() {
      underVite = true;
    },

    async resolveId(source, importer) {
      if (source === RUNTIME_SPECIFIER && options.runtimeImport === undefined) return runtimePath('esm');
      const request = parseWasmRequest(source);
      if (request === null) return null;
      const resolved = await this.resolve(request.file, importer, { skipSelf: true });
      // Not found, or external: the resolvers after this one say so again.
      if (resolved === null || resolved.external) return null;
      const question = resolved.id.indexOf('?');
      const file = question < 0 ? resolved.id : resolved.id.slice(0, question);
      // The compiled module registers itself: never drop it as side-effect free.
      return { id: file + source.slice(request.file.length), moduleSideEffects: true };
    },

    load(id) {
      const request = parseWasmRequest(id);
      if (request === null) return null;
      this.addWatchFile(request.file);
      try {
        const compiled = compileCached(request.file);
        if (request.form === 'module' && options.emitWasm === true) {
          this.emitFile({ type: 'asset', name: basename(request.file), source: compiled.bytes });
        }
        // moduleType: Vite 8 (Rolldown) would otherwise take a .wasm id for binary.
        return { code: esmModule(compiled, request.form, options), map: NO_MAP, moduleType: 'js' };
      } catch (error) {
        if (!(error instanceof WasmBuildError)) throw error;
        return this.error(bundlerError(error, request.file));
      }
    },

    async transform(code, id) {
      if (id.startsWith('\0') || !SCRIPT.test(id.split('?')[0])) return null;
      const references = findWasmUrls(code);
      if (references.length === 0) return null;
      let output = code;
      if (!underVite) {
        // Rollup: emit each .wasm and point the URL at the emitted file; from the end, so earlier offsets hold.
        for (const reference of [...references].reverse()) {
          const resolved = await this.resolve(reference.specifier, id, { skipSelf: true });
          if (resolved === null || resolved.external) continue;
          const request = parseWasmRequest(resolved.id);
          if (request === null) continue;
          let compiled;
          try {
            compiled = compileCached(request.file);
          } catch (error) {
            if (!(error instanceof WasmBuildError)) throw error;
            return this.error(bundlerError(error, request.file));
          }
          const referenceId = this.emitFile({ type: 'asset', name: basename(request.file), source: compiled.bytes });
          output = `${output.slice(0, reference.start)}import.meta.ROLLUP_FILE_URL_${referenceId}${output.slice(reference.end)}`;
        }
      }
      return { code: output + registerImports(references.map((reference) => reference.specifier)), map: null };
    },
  };
}
