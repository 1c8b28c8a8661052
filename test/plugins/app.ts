// A small app that imports .wasm files in every form, written to a scratch
// directory for a bundler test to build, and the run of its bundle under
// `node --jitless` (no WebAssembly there: only wasm2es's output can work).
// Each bundler's test builds the same app and expects the same output.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import wabtInit from 'wabt';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

export async function assemble(text: string): Promise<Uint8Array> {
  wabt ??= await wabtInit();
  const module = wabt.parseWat('test.wat', text);
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The .wasm files of the app: no imports, imports of a JS module and of another .wasm, a bare-named import (fixtures/memory.wasm), one fetched by URL. */
export async function wasmFiles(): Promise<Record<string, Uint8Array | string>> {
  return {
    'add.wasm': await assemble(`(module
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (global (export "answer") i32 (i32.const 42)))`),
    // ESM integration: imports named by specifiers, relative to this file.
    'quad.wasm': await assemble(`(module
      (import "./math.js" "double" (func $double (param i32) (result i32)))
      (import "./add.wasm" "add" (func $add (param i32 i32) (result i32)))
      (func (export "quad") (param i32) (result i32)
        (call $add (call $double (local.get 0)) (call $double (local.get 0)))))`),
    'math.js': 'export function double(x) { return x * 2; }\n',
    'memory.wasm': join(root, 'fixtures/memory.wasm'),
    'simple.wasm': join(root, 'fixtures/simple.wasm'),
    'truncated.wasm': join(root, 'fixtures/truncated.wasm'),
  };
}

/**
 * Default import (the Module), named imports (the instance's exports; a
 * global as its value), a bare-named import left to the app. Prints
 * [true,5,42,20,45].
 */
export const MAIN = `import addModule, { add, answer } from './add.wasm';
import { quad } from './quad.wasm';
import memoryModule from './memory.wasm';
import { WebAssembly } from 'wasm2es/runtime';

const memory = new WebAssembly.Memory({ initial: 1 });
new Uint32Array(memory.buffer).set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
const accumulate = new WebAssembly.Instance(memoryModule, { js: { mem: memory } }).exports.accumulate;
console.log(JSON.stringify([addModule instanceof WebAssembly.Module, add(2, 3), answer, quad(5), accumulate(0, 10)]));
`;
export const MAIN_OUTPUT = '[true,5,42,20,45]\n';

/** Glue that fetches the .wasm by URL, written as Emscripten writes it (no `./`), and instantiates the bytes; prints "url 42". */
export const URL_GLUE = `import { WebAssembly } from 'wasm2es/runtime';

const url = new URL('simple.wasm', import.meta.url);
WebAssembly.instantiateStreaming(fetch(url), { imports: { imported_func: (x) => console.log('url', x) } })
  .then(({ instance }) => instance.exports.exported_func());
`;
export const URL_OUTPUT = 'url 42\n';

/** Vite's ?init form; prints "init 42". */
export const INIT = `import init from './simple.wasm?init';

init({ imports: { imported_func: (x) => console.log('init', x) } }).then((instance) => instance.exports.exported_func());
`;
export const INIT_OUTPUT = 'init 42\n';

/** A source phase import, where the bundler parses it; prints "true add,answer". */
export const SOURCE = `import source addModule from './add.wasm';
import { WebAssembly } from 'wasm2es/runtime';

console.log(addModule instanceof WebAssembly.Module, WebAssembly.Module.exports(addModule).map((entry) => entry.name).join());
`;
export const SOURCE_OUTPUT = 'true add,answer\n';

/** Writes `files` (text, bytes, or a path to copy) into a fresh directory test/.out/plugins/<name>. */
export function writeApp(name: string, files: Record<string, Uint8Array | string>): string {
  const dir = join(root, 'test/.out/plugins', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    const target = join(dir, file);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof content === 'string' && content.startsWith(root)) copyFileSync(content, target);
    else writeFileSync(target, content);
  }
  return dir;
}

/**
 * A fetch for node --jitless, where Node's own needs WebAssembly for its HTTP
 * parser: reads file: and data: URLs into a Response-like object, which is
 * what the runtime's instantiateStreaming takes.
 */
const FETCH_SHIM = `import { readFileSync } from 'node:fs';
globalThis.fetch = (url) => {
  const href = String(url);
  const bytes = href.startsWith('data:') ? Buffer.from(href.slice(href.indexOf(',') + 1), 'base64') : readFileSync(new URL(href));
  return Promise.resolve({
    ok: true, status: 200, headers: { get: () => 'application/wasm' },
    arrayBuffer: () => Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
  });
};
`;

/** Runs a bundle under `node --jitless` (with the fetch shim) and returns what it printed. */
export function runJitless(bundle: string): string {
  const shim = join(dirname(bundle), 'fetch-shim.mjs');
  writeFileSync(shim, FETCH_SHIM);
  return execFileSync(process.execPath, ['--jitless', '--import', pathToFileURL(shim).href, bundle], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
}

/** Polls `ready` (for a watcher's rebuild) until it returns something truthy, or fails after `timeout` ms. */
export async function waitFor(ready: () => unknown, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      if (await ready()) return;
    } catch {
      // Not written yet.
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for a rebuild');
    await new Promise((done) => setTimeout(done, 50));
  }
}
