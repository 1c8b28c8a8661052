// wasm2es/metro with Metro itself: a real Metro bundle of the app of app.ts
// (Metro.runBuild on a scratch project, the transformer running in Metro's
// worker pipeline, Babel and dependency collection included), run under
// `node --jitless` and on Hermes; once with Metro's experimentalImportSupport
// turning the ES modules into its CommonJS, once with React Native's own
// Babel preset from the app's babel.config.js, as a React Native app has it.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Metro from 'metro';
import { getDefaultConfig, mergeConfig } from 'metro-config';
import { describe, expect, it } from 'vitest';
import { assemble, MAIN, MAIN_OUTPUT, root, runJitless, SOURCE, waitFor, wasmFiles, writeApp } from './app.js';

const { default: wasm2es } = await import(pathToFileURL(join(root, 'dist/plugins/metro.js')).href);

/** Metro's config for the app in `dir`, with the plugin. */
async function metroConfig(dir: string, options: object = {}, extra: object = {}) {
  const base = await getDefaultConfig(dir);
  return wasm2es(options)(mergeConfig(base, {
    projectRoot: dir,
    // The app's own folder and, as node_modules would be in an app, Metro's module system.
    watchFolders: [dir, join(root, 'node_modules/metro-runtime'), join(root, 'node_modules/@babel/runtime')],
    maxWorkers: 1,
    resetCache: true,
    cacheStores: [],
    resolver: { useWatchman: false },
    reporter: { update() {} },
    transformer: {
      // What React Native's Babel preset does for an app: ES modules become Metro's CommonJS.
      getTransformOptions: async () => ({ transform: { experimentalImportSupport: true, inlineRequires: false } }),
    },
  }, extra));
}

/** Bundles `entry` of `dir` with Metro into dir/dist/bundle.js (a script); returns its path. */
async function metroBuild(dir: string, entry: string, options: object = {}, extra: object = {}): Promise<string> {
  const config = await metroConfig(dir, options, extra);
  const out = join(dir, 'dist/bundle.js');
  mkdirSync(dirname(out), { recursive: true });
  await Metro.runBuild(config, { entry: join(dir, entry), out, minify: false, dev: false, platform: 'ios' });
  return out;
}

const hermes = join(root, 'node_modules/hermes-engine-cli/linux64-bin/hermes');
const hasHermes = process.platform === 'linux' && process.arch === 'x64';

/** Runs a bundle on Hermes, with console.log over print; returns what it printed. */
function runHermes(bundle: string): string {
  const script = join(dirname(bundle), 'hermes.js');
  writeFileSync(script, `var console = { log: function () { print(Array.prototype.join.call(arguments, ' ')); } };\n${readFileSync(bundle, 'utf8')}`);
  const run = spawnSync(hermes, ['-w', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return run.stdout;
}

describe('wasm2es/metro', { timeout: 60_000 }, () => {
  let mainBundle: string | undefined;
  const buildMain = async () => (mainBundle ??= await metroBuild(writeApp('metro-main', { ...(await wasmFiles()), 'main.js': MAIN }), 'main.js'));

  it('bundles default imports as Modules and named imports as instance exports', async () => {
    expect(runJitless(await buildMain())).toBe(MAIN_OUTPUT);
  });

  it.skipIf(!hasHermes)('the same bundle runs on Hermes (React Native\'s engine), with console.log over print', async () => {
    expect(runHermes(await buildMain())).toBe(MAIN_OUTPUT);
  });

  it('bundles an app transformed by React Native\'s own Babel preset, as an app\'s babel.config.js sets it', async () => {
    const dir = writeApp('metro-rn-preset', {
      ...(await wasmFiles()),
      'main.js': MAIN,
      'babel.config.js': "module.exports = { presets: ['module:@react-native/babel-preset'] };\n",
      'package.json': '{ "name": "rn-app", "private": true }\n', // CommonJS, as an app's babel.config.js is
    });
    const bundle = await metroBuild(dir, 'main.js', {}, { transformer: { getTransformOptions: async () => ({ transform: { experimentalImportSupport: false, inlineRequires: true } }) } });
    expect(runJitless(bundle)).toBe(MAIN_OUTPUT);
    if (hasHermes) expect(runHermes(bundle)).toBe(MAIN_OUTPUT);
  });

  it('refuses import source: Babel, as Metro runs it, does not parse it', async () => {
    const dir = writeApp('metro-source', { ...(await wasmFiles()), 'main.js': SOURCE });
    await expect(metroBuild(dir, 'main.js')).rejects.toThrow(/sourcePhaseImports/);
  });

  it('the dev server serves the bundle, and serves it anew once a .wasm changes', async () => {
    const dir = writeApp('metro-server', {
      'add.wasm': (await wasmFiles())['add.wasm'],
      'main.js': "import { add } from './add.wasm';\nconsole.log(add(2, 3));\n",
    });
    const port = await freePort();
    const config = await metroConfig(dir, {}, { server: { port } });
    const { httpServer } = await Metro.runServer(config, { host: '127.0.0.1', watch: true });
    const bundle = join(dir, 'dist/served.js');
    mkdirSync(dirname(bundle), { recursive: true });
    const fetchBundle = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/main.bundle?platform=ios&dev=false&minify=false`);
      writeFileSync(bundle, await response.text());
      return response.status;
    };
    try {
      expect(await fetchBundle()).toBe(200);
      expect(runJitless(bundle)).toBe('5\n');
      writeFileSync(join(dir, 'add.wasm'), await assemble(`(module
        (func (export "add") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))`));
      // Metro's file watcher sees the change; the next request gets the new code.
      let output = '';
      await waitFor(async () => (await fetchBundle(), (output = runJitless(bundle)) === '-1\n'), 20_000).catch(() => {});
      expect(output).toBe('-1\n');
    } finally {
      await new Promise((done) => httpServer.close(done));
    }
  });

  it('reports a malformed .wasm with its file and byte offset', async () => {
    const dir = writeApp('metro-error', { ...(await wasmFiles()), 'main.js': "import m from './truncated.wasm';\nconsole.log(m);\n" });
    const failure = await metroBuild(dir, 'main.js').then(() => null, (error: Error) => error);
    expect(failure?.message).toMatch(/truncated\.wasm: .*\(at 0x[0-9a-f]+/);
    expect(failure?.message).not.toMatch(/\n\s+at /);
  });
});

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
