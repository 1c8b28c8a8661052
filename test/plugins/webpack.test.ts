// wasm2es/webpack with webpack 5: builds the app of app.ts for node (a
// CommonJS bundle) and runs it under `node --jitless`.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import webpack from 'webpack';
import { describe, expect, it } from 'vitest';
import { assemble, INIT, INIT_OUTPUT, MAIN, MAIN_OUTPUT, root, runJitless, SOURCE, SOURCE_OUTPUT, URL_GLUE, URL_OUTPUT, waitFor, wasmFiles, writeApp } from './app.js';

const { default: wasm2es } = await import(pathToFileURL(join(root, 'dist/plugins/webpack.js')).href);

/** Builds `entry` of `dir` into dir/dist/app.cjs; resolves to the output directory, or rejects with the errors webpack reports. */
function webpackBuild(dir: string, entry: string, options: object = {}, extra: object = {}): Promise<string> {
  const outDir = join(dir, 'dist');
  const compiler = webpack({
    mode: 'production', target: 'node', context: dir, entry: join(dir, entry), devtool: false,
    output: { path: outDir, filename: 'app.cjs', clean: true },
    optimization: { minimize: false },
    plugins: [wasm2es(options)],
    ...extra,
  });
  return new Promise((resolve, reject) => {
    compiler.run((error, stats) => {
      compiler.close(() => {});
      if (error) reject(error);
      else if (stats!.hasErrors()) reject(new Error(stats!.toJson({ all: false, errors: true }).errors!.map((entry) => entry.message).join('\n')));
      else resolve(outDir);
    });
  });
}

const wasmOutputs = (outDir: string) => readdirSync(outDir).filter((file) => file.endsWith('.wasm'));

describe('wasm2es/webpack', { timeout: 60_000 }, () => {
  it('builds default imports as Modules and named imports as instance exports; no .wasm in the output', async () => {
    const dir = writeApp('webpack-main', { ...(await wasmFiles()), 'main.js': MAIN });
    const outDir = await webpackBuild(dir, 'main.js', { tune: 'interpreter' });
    expect(runJitless(join(outDir, 'app.cjs'))).toBe(MAIN_OUTPUT);
    expect(wasmOutputs(outDir)).toEqual([]);
  });

  it('puts the .wasm in the output when asked (emitWasm); ?init gives init(imports)', async () => {
    const dir = writeApp('webpack-init', { ...(await wasmFiles()), 'main.js': INIT });
    const outDir = await webpackBuild(dir, 'main.js', { emitWasm: true });
    expect(runJitless(join(outDir, 'app.cjs'))).toBe(INIT_OUTPUT);
    expect(wasmOutputs(outDir)).toEqual(['simple.wasm']);
  });

  it('import source gives the Module (with experiments.sourceImport)', async () => {
    const dir = writeApp('webpack-source', { ...(await wasmFiles()), 'main.js': SOURCE });
    const outDir = await webpackBuild(dir, 'main.js', {}, { experiments: { sourceImport: true } });
    expect(runJitless(join(outDir, 'app.cjs'))).toBe(SOURCE_OUTPUT);
  });

  it('glue fetching the .wasm by URL: webpack emits the file, the plugin registers the compiled module first', async () => {
    const dir = writeApp('webpack-url', { ...(await wasmFiles()), 'main.js': URL_GLUE });
    const outDir = await webpackBuild(dir, 'main.js');
    expect(wasmOutputs(outDir).length).toBe(1);
    expect(runJitless(join(outDir, 'app.cjs'))).toBe(URL_OUTPUT);
  });

  it('rebuilds in watch mode when a .wasm changes, and reports a broken one without stopping', async () => {
    const dir = writeApp('webpack-watch', {
      'add.wasm': (await wasmFiles())['add.wasm'],
      'main.js': "import { add } from './add.wasm';\nconsole.log(add(2, 3));\n",
    });
    const bundle = join(dir, 'dist/app.cjs');
    const compiler = webpack({
      mode: 'development', target: 'node', context: dir, entry: join(dir, 'main.js'), devtool: false,
      output: { path: join(dir, 'dist'), filename: 'app.cjs' },
      plugins: [wasm2es()],
    });
    const errors: string[] = [];
    let builds = 0;
    const watching = compiler.watch({ aggregateTimeout: 50 }, (error, stats) => {
      builds++;
      if (error) errors.push(error.message);
      else if (stats!.hasErrors()) errors.push(...stats!.toJson({ all: false, errors: true }).errors!.map((entry) => entry.message));
    });
    try {
      await waitFor(() => builds >= 1 && existsSync(bundle));
      expect(errors).toEqual([]);
      expect(runJitless(bundle)).toBe('5\n');
      writeFileSync(join(dir, 'add.wasm'), readFileSync(join(root, 'fixtures/truncated.wasm')));
      await waitFor(() => errors.length > 0);
      expect(errors.join('\n')).toMatch(/add\.wasm: .*\(at 0x[0-9a-f]+/);
      const before = builds;
      writeFileSync(join(dir, 'add.wasm'), await assemble(`(module
        (func (export "add") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))`));
      await waitFor(() => builds > before && runJitless(bundle) === '-1\n');
    } finally {
      await new Promise((done) => watching.close(done));
    }
  });

  it('reports a malformed .wasm as a module build error with its file and byte offset, in one line', async () => {
    const dir = writeApp('webpack-error', { ...(await wasmFiles()), 'main.js': "import m from './truncated.wasm';\nconsole.log(m);\n" });
    const failure = await webpackBuild(dir, 'main.js').then(() => null, (error: Error) => error);
    expect(failure?.message).toMatch(/truncated\.wasm: .*\(at 0x[0-9a-f]+/);
    expect(failure?.message).not.toMatch(/\n\s+at /);
  });
});
