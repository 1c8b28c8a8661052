// The configs of docs/bundlers.md, run as a user would run them: each code
// block is written verbatim to a project holding the app of app.ts, the
// bundler builds it (its own CLI where it has one), and the bundle runs
// under `node --jitless`. The project is inside this package, so
// `wasm2es/vite` and the rest resolve to it by name, as an installed
// wasm2es would. Metro's block needs `@react-native/metro-config`, which
// is not a dependency here; metro.test.ts covers the same calls.

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MAIN, MAIN_OUTPUT, root, runJitless, wasmFiles, writeApp } from './app.js';

const docs = readFileSync(join(root, 'docs/bundlers.md'), 'utf8');

/** The first js code block under the `## heading` of docs/bundlers.md. */
function block(heading: string): string {
  const section = docs.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  const match = section && /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`docs/bundlers.md has no js block under ## ${heading}`);
  return match[1];
}

const bin = (name: string) => join(root, 'node_modules/.bin', name);

/** Runs a command in `dir`; resolves to its stdout, or rejects with its stderr. */
async function run(dir: string, file: string, args: string[]): Promise<string> {
  try {
    return (await promisify(execFile)(file, args, { cwd: dir, encoding: 'utf8', timeout: 60_000 })).stdout;
  } catch (error) {
    throw new Error(`${file} ${args.join(' ')}: ${(error as { stderr?: string }).stderr ?? error}`);
  }
}

const app = async () => ({ ...(await wasmFiles()), 'main.js': MAIN });

describe('docs/bundlers.md configs, verbatim', { timeout: 90_000 }, () => {
  it('Vite: vite build of an index.html app', async () => {
    const dir = writeApp('docs-vite', {
      ...(await app()),
      'vite.config.mjs': block('Vite'),
      'index.html': '<!doctype html>\n<script type="module" src="./main.js"></script>\n',
      // What `vite build` runs, with the one setting node needs: no modulepreload polyfill, which reads `document`.
      'build.mjs': "import { build } from 'vite';\nawait build({ logLevel: 'silent', build: { modulePreload: false } });\n",
    });
    await run(dir, process.execPath, ['build.mjs']);
    const scripts = readdirSync(join(dir, 'dist/assets')).filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBe(1);
    expect(runJitless(join(dir, 'dist/assets', scripts[0]))).toBe(MAIN_OUTPUT);
  });

  it('Rollup: rollup -c', async () => {
    const dir = writeApp('docs-rollup', { ...(await app()), 'rollup.config.mjs': block('Rollup') });
    await run(dir, bin('rollup'), ['-c', '--silent']);
    expect(runJitless(join(dir, 'dist/main.js'))).toBe(MAIN_OUTPUT);
  });

  it('esbuild: the build script', async () => {
    const dir = writeApp('docs-esbuild', { ...(await app()), 'build.mjs': block('esbuild') });
    await run(dir, process.execPath, ['build.mjs']);
    expect(runJitless(join(dir, 'dist/main.js'))).toBe(MAIN_OUTPUT);
  });

  it('webpack: the config, built by webpack', async () => {
    const dir = writeApp('docs-webpack', {
      ...(await app()),
      'webpack.config.mjs': block('webpack'),
      // webpack-cli is not a dependency: the few lines it would run. The config has no mode: production, webpack's default.
      'build.mjs': `import webpack from 'webpack';
import config from './webpack.config.mjs';
webpack({ mode: 'production', ...config }, (error, stats) => {
  if (error || stats.hasErrors()) {
    console.error(error ?? stats.toString('errors-only'));
    process.exitCode = 1;
  }
});
`,
    });
    await run(dir, process.execPath, ['build.mjs']);
    expect(runJitless(join(dir, 'dist/main.js'))).toBe(MAIN_OUTPUT);
  });
});

