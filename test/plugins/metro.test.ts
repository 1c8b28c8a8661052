// wasm2es/metro with Metro itself: a real Metro bundle of the app of app.ts
// (Metro.runBuild on a scratch project, the transformer running in Metro's
// worker pipeline, Babel and dependency collection included), run under
// `node --jitless` and on Hermes. Not a React Native app: no React Native
// Babel preset (Metro's experimentalImportSupport turns the ES modules into
// its CommonJS instead).

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Metro from 'metro';
import { getDefaultConfig, mergeConfig } from 'metro-config';
import { describe, expect, it } from 'vitest';
import { MAIN, MAIN_OUTPUT, root, runJitless, SOURCE, wasmFiles, writeApp } from './app.js';

const { default: wasm2es } = await import(pathToFileURL(join(root, 'dist/plugins/metro.js')).href);

/** Bundles `entry` of `dir` with Metro into dir/dist/bundle.js (a script); returns its path. */
async function metroBuild(dir: string, entry: string, options: object = {}): Promise<string> {
  const base = await getDefaultConfig(dir);
  const config = wasm2es(options)(mergeConfig(base, {
    projectRoot: dir,
    // The app's own folder and, as node_modules would be in an app, Metro's module system.
    watchFolders: [dir, join(root, 'node_modules/metro-runtime')],
    maxWorkers: 1,
    resetCache: true,
    cacheStores: [],
    resolver: { useWatchman: false },
    reporter: { update() {} },
    transformer: {
      // What React Native's Babel preset does for an app: ES modules become Metro's CommonJS.
      getTransformOptions: async () => ({ transform: { experimentalImportSupport: true, inlineRequires: false } }),
    },
  }));
  const out = join(dir, 'dist/bundle.js');
  mkdirSync(dirname(out), { recursive: true });
  await Metro.runBuild(config, { entry: join(dir, entry), out, minify: false, dev: false, platform: 'ios' });
  return out;
}

const hermes = join(root, 'node_modules/hermes-engine-cli/linux64-bin/hermes');

describe('wasm2es/metro', { timeout: 60_000 }, () => {
  let mainBundle: string | undefined;
  const buildMain = async () => (mainBundle ??= await metroBuild(writeApp('metro-main', { ...(await wasmFiles()), 'main.js': MAIN }), 'main.js'));

  it('bundles default imports as Modules and named imports as instance exports', async () => {
    expect(runJitless(await buildMain())).toBe(MAIN_OUTPUT);
  });

  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('the same bundle runs on Hermes (React Native\'s engine), with console.log over print', async () => {
    const bundle = await buildMain();
    const script = join(dirname(bundle), 'hermes.js');
    writeFileSync(script, `var console = { log: function () { print(Array.prototype.join.call(arguments, ' ')); } };\n${readFileSync(bundle, 'utf8')}`);
    const run = spawnSync(hermes, ['-w', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(MAIN_OUTPUT);
  });

  it('refuses import source: Babel, as Metro runs it, does not parse it', async () => {
    const dir = writeApp('metro-source', { ...(await wasmFiles()), 'main.js': SOURCE });
    await expect(metroBuild(dir, 'main.js')).rejects.toThrow(/sourcePhaseImports/);
  });

  it('reports a malformed .wasm with its file and byte offset', async () => {
    const dir = writeApp('metro-error', { ...(await wasmFiles()), 'main.js': "import m from './truncated.wasm';\nconsole.log(m);\n" });
    const failure = await metroBuild(dir, 'main.js').then(() => null, (error: Error) => error);
    expect(failure?.message).toMatch(/truncated\.wasm: .*\(at 0x[0-9a-f]+/);
    expect(failure?.message).not.toMatch(/\n\s+at /);
  });
});
