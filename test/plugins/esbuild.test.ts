// wasm2es/esbuild with the native esbuild: builds the app of app.ts and runs
// the bundle under `node --jitless`.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { assemble, INIT, INIT_OUTPUT, MAIN, MAIN_OUTPUT, root, runJitless, SOURCE, URL_GLUE, URL_OUTPUT, waitFor, wasmFiles, writeApp } from './app.js';

const { default: wasm2es } = await import(pathToFileURL(join(root, 'dist/plugins/esbuild.js')).href);

async function esbuildBuild(dir: string, entry: string, options: object = {}): Promise<string> {
  const outdir = join(dir, 'dist');
  await esbuild.build({
    entryPoints: { app: join(dir, entry) }, bundle: true, format: 'esm', platform: 'neutral', outdir,
    logLevel: 'silent', plugins: [wasm2es(options)],
  });
  return outdir;
}

const wasmOutputs = (outDir: string) => readdirSync(outDir).filter((file) => file.endsWith('.wasm'));

describe('wasm2es/esbuild', { timeout: 60_000 }, () => {
  it('builds default imports as Modules and named imports as instance exports; no .wasm in the output', async () => {
    const dir = writeApp('esbuild-main', { ...(await wasmFiles()), 'main.js': MAIN });
    const outdir = await esbuildBuild(dir, 'main.js', { tune: 'interpreter' });
    expect(runJitless(join(outdir, 'app.js'))).toBe(MAIN_OUTPUT);
    expect(wasmOutputs(outdir)).toEqual([]);
  });

  it('puts the .wasm in the output when asked (emitWasm)', async () => {
    const dir = writeApp('esbuild-emit', { ...(await wasmFiles()), 'main.js': MAIN });
    const outdir = await esbuildBuild(dir, 'main.js', { emitWasm: true });
    expect(runJitless(join(outdir, 'app.js'))).toBe(MAIN_OUTPUT);
    expect(wasmOutputs(outdir).length).toBeGreaterThan(0);
  });

  it('?init gives init(imports), resolving to an Instance', async () => {
    const dir = writeApp('esbuild-init', { ...(await wasmFiles()), 'main.js': INIT });
    expect(runJitless(join(await esbuildBuild(dir, 'main.js'), 'app.js'))).toBe(INIT_OUTPUT);
  });

  it('glue fetching the .wasm by URL gets a copy in the output and finds the precompiled module', async () => {
    const dir = writeApp('esbuild-url', { ...(await wasmFiles()), 'main.js': URL_GLUE });
    const outdir = await esbuildBuild(dir, 'main.js');
    expect(wasmOutputs(outdir).length).toBe(1);
    expect(runJitless(join(outdir, 'app.js'))).toBe(URL_OUTPUT);
  });

  it('refuses import source, which esbuild bundles only for external modules', async () => {
    const dir = writeApp('esbuild-source', { ...(await wasmFiles()), 'main.js': SOURCE });
    await expect(esbuildBuild(dir, 'main.js')).rejects.toThrow(/source phase imports is not supported/);
  });

  it('rebuilds in watch mode when a .wasm changes (watchFiles)', async () => {
    const dir = writeApp('esbuild-watch', {
      'add.wasm': (await wasmFiles())['add.wasm'],
      'main.js': "import { add } from './add.wasm';\nconsole.log(add(2, 3));\n",
    });
    const bundle = join(dir, 'dist/app.js');
    const context = await esbuild.context({
      entryPoints: { app: join(dir, 'main.js') }, bundle: true, format: 'esm', platform: 'neutral', outdir: join(dir, 'dist'),
      logLevel: 'silent', plugins: [wasm2es()],
    });
    try {
      await context.watch();
      await waitFor(() => existsSync(bundle) && readFileSync(bundle, 'utf8'));
      expect(runJitless(bundle)).toBe('5\n');
      const before = readFileSync(bundle, 'utf8');
      writeFileSync(join(dir, 'add.wasm'), await assemble(`(module
        (func (export "add") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))`));
      await waitFor(() => readFileSync(bundle, 'utf8') !== before);
      expect(runJitless(bundle)).toBe('-1\n');
    } finally {
      await context.dispose();
    }
  });

  it('reports a malformed .wasm as an esbuild error with its file and byte offset', async () => {
    const dir = writeApp('esbuild-error', { ...(await wasmFiles()), 'main.js': "import m from './truncated.wasm';\nconsole.log(m);\n" });
    const failure = await esbuildBuild(dir, 'main.js').then(() => null, (error: esbuild.BuildFailure) => error);
    expect(failure?.errors).toHaveLength(1);
    const [error] = failure!.errors;
    expect(error.text).toMatch(/truncated\.wasm: .*\(at 0x([0-9a-f]+)/);
    expect(error.location?.file).toMatch(/truncated\.wasm$/);
    expect(error.location?.column).toBe(parseInt(/\(at 0x([0-9a-f]+)/.exec(error.text)![1], 16));
  });
});
