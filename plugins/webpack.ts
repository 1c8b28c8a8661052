// wasm2es/webpack: a webpack 5 plugin that sets up the rules for `.wasm`
// files: imports load through wasm2es's loader (webpack-loader.ts) as
// JavaScript (core.ts says which module each form gets), while
// `new URL('./x.wasm', import.meta.url)` stays webpack's own asset (the
// file is emitted and the URL points at it) and the glue that holds it gets
// the compiled module imported first, so the runtime finds it by the bytes.
// `wasm2es/runtime` is aliased to this package's runtime.

import { fileURLToPath } from 'node:url';
import { runtimePath, RUNTIME_SPECIFIER, type Wasm2esPluginOptions } from './core.js';

export type { Wasm2esPluginOptions };

/** The loader, for configs that write the rule themselves: `{ test: /\.wasm$/, type: 'javascript/auto', use: loader }`. */
export const loader = fileURLToPath(new URL('./webpack-loader.js', import.meta.url));

type Rule = Record<string, unknown>;

/** The module rules the plugin adds. */
export function rules(options: Wasm2esPluginOptions = {}): Rule[] {
  return [
    // `new URL('./x.wasm', import.meta.url)`: the file itself, as webpack emits any asset.
    { test: /\.wasm$/i, dependency: 'url', type: 'asset/resource' },
    {
      test: /\.wasm$/i,
      dependency: { not: ['url'] },
      resourceQuery: { not: [/^\?(?!init$|wasm2es=module$)/] },
      type: 'javascript/auto',
      use: [{ loader, options: { ...options } }],
    },
    // Glue, after every other loader has made it JavaScript; in dependencies
    // too, where toolchain glue (Emscripten's, wasm-bindgen's) usually is. A
    // file without `.wasm` and `import.meta.url` in it costs a string search.
    {
      test: /\.[cm]?[jt]sx?$/i,
      enforce: 'post',
      use: [{ loader, options: { glue: true } }],
    },
  ];
}

/** The part of webpack's Compiler this plugin uses (typed structurally, so webpack is not needed to compile against). */
interface Compiler {
  options: {
    module?: { rules?: unknown[] };
    resolve?: { alias?: Record<string, unknown> | { name: string; alias: unknown; onlyModule?: boolean }[] };
  };
}

export interface Wasm2esWebpackPlugin {
  apply(compiler: Compiler): void;
}

export default function wasm2es(options: Wasm2esPluginOptions = {}): Wasm2esWebpackPlugin {
  return {
    apply(compiler) {
      // Plugins are applied before webpack reads the rules and resolve options, so adding to them here takes effect.
      const module = (compiler.options.module ??= {});
      (module.rules ??= []).push(...rules(options));
      if (options.runtimeImport !== undefined) return;
      const resolve = (compiler.options.resolve ??= {});
      if (Array.isArray(resolve.alias)) resolve.alias.push({ name: RUNTIME_SPECIFIER, alias: runtimePath('esm'), onlyModule: true });
      else resolve.alias = { ...resolve.alias, [`${RUNTIME_SPECIFIER}$`]: runtimePath('esm') };
    },
  };
}
