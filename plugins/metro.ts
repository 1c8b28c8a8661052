// wasm2es/metro: what a React Native app's metro.config.js adds so that a
// `.wasm` in the app compiles with wasm2es. `.wasm` becomes a source
// extension (not an asset), the transformer (metro-transformer.ts) compiles
// it to a CommonJS module before Metro's own transformer and Babel see it,
// and `wasm2es/runtime` resolves to this package's runtime. Metro offers
// neither `import.meta.url` nor query-named modules, so the forms are the
// default import (the Module) and named imports (ESM integration, see
// core.ts); the default tuning is `'interpreter'`, since Hermes has no JIT.

import { dirname, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimePath, RUNTIME_SPECIFIER, type Wasm2esPluginOptions } from './core.js';

export type { Wasm2esPluginOptions };

/** The transformer module (Metro's `transformerPath`), which hands everything but `.wasm` to the one it replaces. */
export const transformerPath = fileURLToPath(new URL('./metro-transformer.js', import.meta.url));

/** What the transformer reads from Metro's `transformer` config (which Metro passes to its workers). */
export interface Wasm2esMetroSettings {
  options: Wasm2esPluginOptions;
  /** The transformer this one wraps: the config's `transformerPath` before, or Metro's default. */
  upstreamTransformerPath: string | null;
}

/** The part of a Metro config this changes (typed structurally, so Metro is not needed to compile against). */
export interface MetroConfig {
  projectRoot?: string;
  watchFolders?: readonly string[];
  transformerPath?: string;
  resolver?: {
    sourceExts?: readonly string[];
    assetExts?: readonly string[];
    // Method syntax, so Metro's own resolver type (whose context has more members) is accepted.
    resolveRequest?: { resolver(context: ResolutionContext, moduleName: string, platform: string | null): unknown }['resolver'] | null;
    [key: string]: unknown;
  };
  transformer?: Record<string, unknown>;
  [key: string]: unknown;
}

interface ResolutionContext {
  resolveRequest(context: ResolutionContext, moduleName: string, platform: string | null): unknown;
}

function isInside(folder: string, path: string): boolean {
  const between = relative(folder, path);
  return between === '' || (!between.startsWith('..') && !isAbsolute(between));
}

/** Returns `config` set up for wasm2es. */
export function withWasm2es<T extends MetroConfig>(config: T, options: Wasm2esPluginOptions = {}): T {
  const resolver = config.resolver ?? {};
  const upstreamResolve = resolver.resolveRequest ?? null;
  const settings: Wasm2esMetroSettings = {
    options: { tune: 'interpreter', ...options },
    upstreamTransformerPath: config.transformerPath ?? null,
  };
  const runtimeFile = runtimePath('cjs');
  const watchFolders = [...(config.watchFolders ?? [])];
  const runtimeFolder = dirname(runtimeFile);
  if (![config.projectRoot, ...watchFolders].some((folder) => folder !== undefined && isInside(folder, runtimeFolder))) {
    // The runtime must be in a folder Metro watches to be bundled; in an installed package it is under node_modules already.
    watchFolders.push(runtimeFolder);
  }
  return {
    ...config,
    watchFolders,
    transformerPath,
    resolver: {
      ...resolver,
      sourceExts: [...new Set([...(resolver.sourceExts ?? ['js', 'jsx', 'json', 'ts', 'tsx']), 'wasm'])],
      assetExts: (resolver.assetExts ?? []).filter((extension) => extension !== 'wasm'),
      resolveRequest(context: ResolutionContext, moduleName: string, platform: string | null) {
        if (moduleName === RUNTIME_SPECIFIER && options.runtimeImport === undefined) return { type: 'sourceFile', filePath: runtimeFile };
        return upstreamResolve !== null ? upstreamResolve(context, moduleName, platform) : context.resolveRequest(context, moduleName, platform);
      },
    },
    transformer: { ...config.transformer, wasm2es: settings },
  };
}

/** `module.exports = wasm2es(options)(config)`: the config transform, as Metro plugins are written. */
export default function wasm2es(options: Wasm2esPluginOptions = {}): <T extends MetroConfig>(config: T) => T {
  return (config) => withWasm2es(config, options);
}
