// Type-checked by types.test.ts: each plugin fits where its bundler's own config types take a plugin.

import { defineConfig } from 'vite';
import type { RollupOptions } from 'rollup';
import type { BuildOptions } from 'esbuild';
import type { Configuration } from 'webpack';
import viteWasm from '../../plugins/vite.js';
import esbuildWasm from '../../plugins/esbuild.js';
import webpackWasm from '../../plugins/webpack.js';
import metroWasm, { withWasm2es } from '../../plugins/metro.js';
import { getDefaultConfig } from 'metro-config';

export const vite = defineConfig({ plugins: [viteWasm({ tune: 'interpreter' })] });
export const rollup: RollupOptions = { input: 'main.js', plugins: [viteWasm()] };
export const esbuild: BuildOptions = { plugins: [esbuildWasm()] };
export const webpack: Configuration = { plugins: [webpackWasm()] };
export const metro = async () => withWasm2es(await getDefaultConfig('.'));
export const metro2 = async () => metroWasm()(await getDefaultConfig('.'));
