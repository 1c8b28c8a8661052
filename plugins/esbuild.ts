// wasm2es/esbuild: an esbuild plugin. `.wasm` imports load as JavaScript
// compiled by wasm2es (core.ts says which module each form gets). Glue that
// fetches a .wasm with `new URL('./x.wasm', import.meta.url)` is rewritten
// to point at a copy of the .wasm in the output (esbuild's `file` loader)
// and to import the compiled module first, so the runtime finds it by the
// bytes. That rewrite loads such glue files itself, so other plugins'
// onLoad callbacks do not see them.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import {
  createCompileCache, esmModule, findWasmUrls, parseWasmRequest, registerImports, runtimePath, RUNTIME_SPECIFIER,
  WasmBuildError, type Wasm2esPluginOptions,
} from './core.js';
import { jsString } from '../compiler/js.js';

export type { Wasm2esPluginOptions };

/** The part of esbuild's plugin API this plugin uses (typed structurally, so esbuild is not needed to compile against). */
type ImportKind = 'entry-point' | 'import-statement' | 'require-call' | 'dynamic-import' | 'require-resolve' | 'import-rule' | 'composes-from' | 'url-token';
interface ResolveArgs { path: string; importer: string; namespace: string; resolveDir: string; kind: ImportKind; pluginData?: unknown }
interface LoadArgs { path: string; namespace: string }
interface Message { text: string; location?: { file: string; line: number; column: number; lineText?: string } | null }
interface PluginBuild {
  onResolve(options: { filter: RegExp; namespace?: string }, callback: (args: ResolveArgs) => unknown): void;
  onLoad(options: { filter: RegExp; namespace?: string }, callback: (args: LoadArgs) => unknown): void;
  onStart(callback: () => void): void;
  onEnd(callback: (result: { errors: Message[] }) => unknown): void;
  initialOptions: { outdir?: string; outfile?: string; write?: boolean };
  resolve(path: string, options: { kind?: ImportKind; resolveDir?: string; importer?: string; pluginData?: unknown }): Promise<{ path: string; errors: Message[]; external: boolean }>;
}

export interface Wasm2esEsbuildPlugin {
  name: string;
  setup(build: PluginBuild): void;
}

const NAMESPACE = 'wasm2es';
/** The query naming the copy of a .wasm that glue fetches by URL. */
const URL_QUERY = '?wasm2es=url';
const SKIP = { wasm2esSkip: true };
const LOADERS: Record<string, string> = { js: 'js', mjs: 'js', cjs: 'js', jsx: 'jsx', ts: 'ts', mts: 'ts', cts: 'ts', tsx: 'tsx' };

/** A compile failure as esbuild reports it: an error whose location is the file, line 1, the byte offset as the column (a .wasm is one line of bytes). */
function failure(error: unknown, file: string) {
  if (!(error instanceof WasmBuildError)) throw error;
  const location = { file, line: 1, column: error.offset ?? 0, lineText: '' };
  return { errors: [{ text: error.message, location }], watchFiles: [file] };
}

export default function wasm2es(options: Wasm2esPluginOptions = {}): Wasm2esEsbuildPlugin {
  const compileCached = createCompileCache(options);
  return {
    name: 'wasm2es',
    setup(build) {
      if (options.runtimeImport === undefined) {
        build.onResolve({ filter: /^wasm2es\/runtime$/ }, () => ({ path: runtimePath('esm') }));
      }

      build.onResolve({ filter: /\.wasm(\?[\w=]+)?$/i }, async (args) => {
        if ((args.pluginData as typeof SKIP | undefined)?.wasm2esSkip) return undefined;
        const urlCopy = args.path.endsWith(URL_QUERY);
        const source = urlCopy ? args.path.slice(0, -URL_QUERY.length) : args.path;
        const request = parseWasmRequest(source);
        if (request === null) return undefined;
        let file: string;
        if (isAbsolute(request.file)) file = request.file;
        else if (request.file.startsWith('./') || request.file.startsWith('../')) file = resolve(args.resolveDir, request.file);
        else {
          // A package path: esbuild resolves it (without this plugin, which would ask again).
          const resolved = await build.resolve(request.file, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: SKIP });
          if (resolved.errors.length > 0) return { errors: resolved.errors };
          if (resolved.external) return { path: args.path, external: true };
          file = resolved.path;
        }
        // A namespace per form: esbuild tells modules apart by namespace and path, and names output files by the path.
        return { path: file, namespace: urlCopy ? `${NAMESPACE}-url` : `${NAMESPACE}-${request.form}` };
      });

      // Copies for emitWasm, written when the build ends (esbuild drops a file-loader module nothing reads).
      const copies = new Map<string, Uint8Array>();
      build.onStart(() => {
        copies.clear();
      });
      build.onEnd(async (result) => {
        const { outdir, outfile, write } = build.initialOptions;
        const target = outdir ?? (outfile === undefined ? undefined : dirname(outfile));
        if (result.errors.length > 0 || write === false || target === undefined) return;
        await mkdir(target, { recursive: true });
        await Promise.all([...copies].map(([name, bytes]) => writeFile(join(target, name), bytes)));
      });

      build.onLoad({ filter: /.*/, namespace: `${NAMESPACE}-url` }, (args) => {
        try {
          return { contents: compileCached(args.path).bytes, loader: 'file', watchFiles: [args.path] };
        } catch (error) {
          return failure(error, args.path);
        }
      });

      for (const form of ['main', 'init', 'module', 'source'] as const) {
        build.onLoad({ filter: /.*/, namespace: `${NAMESPACE}-${form}` }, (args) => {
          try {
            const compiled = compileCached(args.path);
            if (form === 'module' && options.emitWasm === true) {
              copies.set(`${basename(args.path, '.wasm')}-${compiled.hash.slice(0, 8)}.wasm`, compiled.bytes);
            }
            return { contents: esmModule(compiled, form, options), loader: 'js', resolveDir: dirname(args.path), watchFiles: [args.path] };
          } catch (error) {
            return failure(error, args.path);
          }
        });
      }

      // Glue fetching a .wasm by URL: point the URL at the copy in the output, and register the compiled module first.
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (args.namespace !== 'file') return undefined;
        const code = await readFile(args.path, 'utf8');
        const references = findWasmUrls(code);
        if (references.length === 0) return undefined;
        let contents = code;
        let imports = '';
        references.forEach((reference, index) => {
          imports += `\nimport __wasm2es_url${index} from ${jsString(reference.specifier + URL_QUERY)};`;
        });
        for (let index = references.length - 1; index >= 0; index--) {
          const reference = references[index];
          contents = `${contents.slice(0, reference.start)}__wasm2es_url${index}${contents.slice(reference.end)}`;
        }
        contents += imports + registerImports(references.map((reference) => reference.specifier));
        return { contents, loader: LOADERS[args.path.slice(args.path.lastIndexOf('.') + 1)] ?? 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}
