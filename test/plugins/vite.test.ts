// wasm2es/vite, with Vite itself (whose bundler is Rolldown) and with plain
// Rollup: each builds the app of app.ts and the bundle runs under
// `node --jitless`.

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { build, createServer } from 'vite';
import { rollup } from 'rollup';
import {
  assemble, INIT, INIT_OUTPUT, MAIN, MAIN_OUTPUT, root, runJitless, SOURCE, SOURCE_OUTPUT, URL_GLUE, URL_OUTPUT, waitFor, wasmFiles, writeApp,
} from './app.js';

const { default: wasm2es } = await import(pathToFileURL(join(root, 'dist/plugins/vite.js')).href);

/** The Vite config that builds `entry` of `dir` into dir/dist/app.js, an ES module node runs. */
function viteConfig(dir: string, entry: string, options: object, extra: object = {}) {
  const outDir = join(dir, 'dist');
  return {
    root: dir, configFile: false, logLevel: 'silent', base: './',
    plugins: [wasm2es(options)],
    build: {
      outDir, emptyOutDir: true, minify: false, assetsInlineLimit: 0, modulePreload: false,
      rollupOptions: { input: join(dir, entry), output: { entryFileNames: 'app.js', format: 'es' } },
      ...extra,
    },
  } as const;
}

/** Builds with viteConfig(); returns the output directory. */
async function viteBuild(dir: string, entry: string, options: object = {}): Promise<string> {
  await build(viteConfig(dir, entry, options));
  return join(dir, 'dist');
}

const wasmOutputs = (outDir: string) => readdirSync(outDir, { recursive: true }).map(String).filter((file) => file.endsWith('.wasm'));

describe('wasm2es/vite under Vite', { timeout: 60_000 }, () => {
  it('builds default imports as Modules and named imports as instance exports; no .wasm in the output', async () => {
    const dir = writeApp('vite-main', { ...(await wasmFiles()), 'main.js': MAIN });
    const outDir = await viteBuild(dir, 'main.js');
    expect(runJitless(join(outDir, 'app.js'))).toBe(MAIN_OUTPUT);
    expect(wasmOutputs(outDir)).toEqual([]);
  });

  it('puts the .wasm in the output when asked (emitWasm)', async () => {
    const dir = writeApp('vite-emit', { ...(await wasmFiles()), 'main.js': MAIN });
    const outDir = await viteBuild(dir, 'main.js', { emitWasm: true, tune: 'interpreter' });
    expect(runJitless(join(outDir, 'app.js'))).toBe(MAIN_OUTPUT);
    expect(wasmOutputs(outDir).length).toBeGreaterThan(0);
  });

  it('?init gives init(imports), resolving to an Instance', async () => {
    const dir = writeApp('vite-init', { ...(await wasmFiles()), 'main.js': INIT });
    expect(runJitless(join(await viteBuild(dir, 'main.js'), 'app.js'))).toBe(INIT_OUTPUT);
  });

  it('import source gives the Module', async () => {
    const dir = writeApp('vite-source', { ...(await wasmFiles()), 'main.js': SOURCE });
    expect(runJitless(join(await viteBuild(dir, 'main.js'), 'app.js'))).toBe(SOURCE_OUTPUT);
  });

  it('glue fetching the .wasm by URL finds the precompiled module', async () => {
    const dir = writeApp('vite-url', { ...(await wasmFiles()), 'main.js': URL_GLUE });
    const outDir = await viteBuild(dir, 'main.js');
    expect(wasmOutputs(outDir).length).toBe(1);
    expect(runJitless(join(outDir, 'app.js'))).toBe(URL_OUTPUT);
  });

  it('reports a malformed .wasm with its file and byte offset', async () => {
    const dir = writeApp('vite-error', { ...(await wasmFiles()), 'main.js': "import m from './truncated.wasm';\nconsole.log(m);\n" });
    const failure = await viteBuild(dir, 'main.js').then(() => null, (error: Error) => error);
    expect(failure?.message).toMatch(/truncated\.wasm: .*\(at 0x[0-9a-f]+/);
    expect(failure?.message).not.toMatch(/\n\s+at /);
  });

  it('rebuilds in watch mode when a .wasm changes', async () => {
    const dir = writeApp('vite-watch', {
      'add.wasm': (await wasmFiles())['add.wasm'],
      'main.js': "import { add } from './add.wasm';\nconsole.log(add(2, 3));\n",
    });
    const bundle = join(dir, 'dist/app.js');
    const watcher = await build(viteConfig(dir, 'main.js', {}, { watch: {} })) as unknown as { close(): Promise<void> };
    try {
      await waitFor(() => existsSync(bundle) && readFileSync(bundle, 'utf8'));
      expect(runJitless(bundle)).toBe('5\n');
      const before = readFileSync(bundle, 'utf8');
      writeFileSync(join(dir, 'add.wasm'), await assemble(`(module
        (func (export "add") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))`));
      await waitFor(() => readFileSync(bundle, 'utf8') !== before);
      expect(runJitless(bundle)).toBe('-1\n');
    } finally {
      await watcher.close();
    }
  });
});

describe('wasm2es/vite in the Vite dev server', { timeout: 60_000 }, () => {
  /**
   * Serves `dir` with the dev server and runs `entry` as a browser would get
   * it (Vite's rewritten imports, `?import` requests, /@fs/ paths), loaded
   * over HTTP by `node --jitless --experimental-network-imports`; `between`
   * runs after the first run, before a second one.
   */
  async function serve(dir: string, entry: string, between?: () => Promise<void>): Promise<string[]> {
    const server = await createServer({ root: dir, configFile: false, logLevel: 'silent', plugins: [wasm2es()], server: { port: 0, host: '127.0.0.1' } });
    await server.listen();
    const url = new URL(entry, server.resolvedUrls!.local[0]).href;
    // Asynchronously: the server answers from this process's event loop.
    const run = async () => {
      const args = ['--jitless', '--experimental-network-imports', '--no-warnings', '--input-type=module', '-e', `await import(${JSON.stringify(url)})`];
      try {
        return (await promisify(execFile)(process.execPath, args, { encoding: 'utf8', timeout: 20_000 })).stdout;
      } catch (error) {
        return `failed: ${(error as { stderr?: string }).stderr ?? error}`;
      }
    };
    try {
      const outputs = [await run()];
      if (between) {
        await between();
        outputs.push(await run());
      }
      return outputs;
    } finally {
      await server.close();
    }
  }

  it('serves default and named imports and ?init as compiled JavaScript', async () => {
    const dir = writeApp('vite-dev', { ...(await wasmFiles()), 'main.js': MAIN, 'init.js': INIT });
    expect(await serve(dir, 'main.js')).toEqual([MAIN_OUTPUT]);
    expect(await serve(dir, 'init.js')).toEqual([INIT_OUTPUT]);
  });

  it('serves the new code once a .wasm changes', async () => {
    const dir = writeApp('vite-dev-change', {
      'add.wasm': (await wasmFiles())['add.wasm'],
      'main.js': "import { add } from './add.wasm';\nconsole.log(add(2, 3));\n",
    });
    const outputs = await serve(dir, 'main.js', async () => {
      writeFileSync(join(dir, 'add.wasm'), await assemble(`(module
        (func (export "add") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))`));
      // The dev server's watcher sees the change, then the module graph drops the old code.
      await new Promise((done) => setTimeout(done, 1000));
    });
    expect(outputs).toEqual(['5\n', '-1\n']);
  });

  it('answers a malformed .wasm with its file and byte offset, on every request', async () => {
    const dir = writeApp('vite-dev-error', { ...(await wasmFiles()), 'main.js': "import m from './truncated.wasm';\nconsole.log(m);\n" });
    const [output] = await serve(dir, 'main.js');
    expect(output).toMatch(/^failed: /);
    const server = await createServer({ root: dir, configFile: false, logLevel: 'silent', plugins: [wasm2es()], server: { port: 0, host: '127.0.0.1' } });
    await server.listen();
    try {
      for (let request = 0; request < 2; request++) {
        const response = await fetch(new URL('truncated.wasm?import', server.resolvedUrls!.local[0]));
        expect(response.status).toBe(500);
        expect(await response.text()).toMatch(/truncated\.wasm: [^"]*\(at 0x[0-9a-f]+/);
      }
    } finally {
      await server.close();
    }
  });
});

describe('wasm2es/vite under plain Rollup', { timeout: 60_000 }, () => {
  async function rollupBuild(dir: string, entry: string): Promise<string> {
    const bundle = await rollup({
      input: join(dir, entry), plugins: [wasm2es()],
      onwarn: (warning) => { throw new Error(warning.message); },
    });
    const outDir = join(dir, 'dist');
    await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'app.js' });
    await bundle.close();
    return outDir;
  }

  it('builds default and named imports', async () => {
    const dir = writeApp('rollup-main', { ...(await wasmFiles()), 'main.js': MAIN });
    const outDir = await rollupBuild(dir, 'main.js');
    expect(runJitless(join(outDir, 'app.js'))).toBe(MAIN_OUTPUT);
    expect(wasmOutputs(outDir)).toEqual([]);
  });

  it('?init gives init(imports)', async () => {
    const dir = writeApp('rollup-init', { ...(await wasmFiles()), 'main.js': INIT });
    expect(runJitless(join(await rollupBuild(dir, 'main.js'), 'app.js'))).toBe(INIT_OUTPUT);
  });

  it('emits the .wasm that glue fetches by URL, and registers it first', async () => {
    const dir = writeApp('rollup-url', { ...(await wasmFiles()), 'main.js': URL_GLUE });
    const outDir = await rollupBuild(dir, 'main.js');
    expect(wasmOutputs(outDir).length).toBe(1);
    expect(runJitless(join(outDir, 'app.js'))).toBe(URL_OUTPUT);
  });

  it('refuses import source, which Rollup bundles only for external modules', async () => {
    const dir = writeApp('rollup-source', { ...(await wasmFiles()), 'main.js': SOURCE });
    await expect(rollupBuild(dir, 'main.js')).rejects.toThrow(/Source phase imports are only supported for external modules/);
  });

  it('reports a malformed .wasm through this.error', async () => {
    const dir = writeApp('rollup-error', { ...(await wasmFiles()), 'main.js': "import m from './truncated.wasm';\nconsole.log(m);\n" });
    await expect(rollupBuild(dir, 'main.js')).rejects.toThrow(/truncated\.wasm: .*\(at 0x[0-9a-f]+/);
  });
});

