// The Metro transformer behind wasm2es/metro (Metro's `transformerPath`,
// run in its workers). A `.wasm` file's bytes are compiled to the CommonJS
// module core.ts generates, and that JavaScript goes on to the transformer
// this one wraps (metro-transform-worker unless the config named another),
// so Babel, dependency collection and minification treat it as any source
// file. Every other file goes straight to the wrapped transformer. A module
// that does not compile throws, with the file and byte offset, which Metro
// reports as the build's error.

import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { commonJsModule, compileWasmFile, WasmBuildError, writeDeclarations } from './core.js';
import type { Wasm2esMetroSettings } from './metro.js';

interface Transformer {
  transform(config: TransformerConfig, projectRoot: string, filename: string, data: Buffer, options: unknown): Promise<unknown>;
  getCacheKey?(config: TransformerConfig): string;
}

type TransformerConfig = Record<string, unknown> & { wasm2es?: Wasm2esMetroSettings };

const require = createRequire(import.meta.url);
const loaded = new Map<string, Transformer>();

/** The wrapped transformer, resolved from the project first (Metro's default is a package name), then from here. */
function upstream(config: TransformerConfig, projectRoot: string = process.cwd()): Transformer {
  const name = config.wasm2es?.upstreamTransformerPath ?? 'metro-transform-worker';
  let transformer = loaded.get(name);
  if (transformer === undefined) {
    let path: string;
    try {
      path = createRequire(resolve(projectRoot, 'package.json')).resolve(name);
    } catch {
      path = require.resolve(name);
    }
    transformer = require(path) as Transformer;
    loaded.set(name, transformer);
  }
  return transformer;
}

/** The configuration the wrapped transformer sees: its own, without ours. */
function upstreamConfig(config: TransformerConfig): TransformerConfig {
  const { wasm2es: _settings, ...rest } = config;
  return rest;
}

export async function transform(
  config: TransformerConfig, projectRoot: string, filename: string, data: Buffer, options: unknown,
): Promise<unknown> {
  const next = upstream(config, projectRoot);
  if (!/\.wasm$/i.test(filename)) return next.transform(upstreamConfig(config), projectRoot, filename, data, options);
  const file = resolve(projectRoot, filename);
  let code: string;
  try {
    const pluginOptions = config.wasm2es?.options ?? {};
    const compiled = compileWasmFile(file, pluginOptions, 'body', new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    writeDeclarations(compiled, pluginOptions);
    code = commonJsModule(compiled, config.wasm2es?.options ?? {});
  } catch (error) {
    if (!(error instanceof WasmBuildError)) throw error;
    // Metro prints the message; the stack would only show this file.
    const failure = new Error(error.message);
    failure.stack = `${failure.name}: ${failure.message}`;
    throw failure;
  }
  return next.transform(upstreamConfig(config), projectRoot, filename, Buffer.from(code, 'utf8'), options);
}

export function getCacheKey(config: TransformerConfig): string {
  const next = upstream(config);
  const own = JSON.stringify(config.wasm2es ?? null);
  return [next.getCacheKey?.(upstreamConfig(config)) ?? '', 'wasm2es', require('../../package.json').version, own].join('$');
}
