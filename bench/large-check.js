// Runs one large module's real work through its own npm glue and prints a
// digest of the result, so the bench can check that wasm2es's output gives
// the same answer as V8's WebAssembly. One JSON line: { digest, ms } or
// { error }.
//
//   node [--jitless] bench/large-check.js '{"id":"resvg","how":"native|polyfill|aot","output":"/path/out.js"}'
//
// native: the engine's own WebAssembly. polyfill: `import 'wasm2es/polyfill'`
// (replacing the engine's WebAssembly when it has one), compiling at run
// time. aot: the CLI's output loaded first, then the polyfill, which finds
// the module precompiled (and compiles Node's own llhttp, which fetch pulls
// in, at run time): the setup the README gives for Node under --jitless.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as paths from './lib/paths.js';
import { reportAndExit } from './lib/child-report.js';

const require = createRequire(import.meta.url);
const spec = JSON.parse(process.argv[2]);
const digest = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

const checks = {
  /** Renders an SVG with a gradient, curves and strokes to PNG. */
  async resvg() {
    const { initWasm, Resvg } = await import('@resvg/resvg-wasm');
    await initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="160" viewBox="0 0 240 160">
      <defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#f06"/><stop offset="1" stop-color="#3cf"/></linearGradient></defs>
      <rect x="10" y="10" width="220" height="140" rx="18" fill="url(#g)" stroke="#222" stroke-width="4"/>
      <circle cx="80" cy="80" r="40" fill="rgba(255,255,255,0.6)"/><path d="M140 40 C 200 10, 230 120, 150 130 Z" fill="#0a4" opacity="0.8"/>
      <polyline points="20,150 60,100 100,140 140,90 180,130 220,70" fill="none" stroke="#fff" stroke-width="3" stroke-linejoin="round"/></svg>`;
    return digest(new Resvg(svg, { fitTo: { mode: 'width', value: 480 } }).render().asPng());
  },
  /** Tokenizes mixed-script text with cl100k_base and decodes it back. */
  async tiktoken() {
    const { get_encoding } = require('tiktoken');
    const encoding = get_encoding('cl100k_base');
    const text = 'WebAssembly to JavaScript, exactly: ' + 'ünïcödé 漢字 emoji 🎉 0x7fffffff '.repeat(40);
    const tokens = encoding.encode(text);
    const back = new TextDecoder().decode(encoding.decode(tokens));
    encoding.free();
    if (back !== text) throw new Error('decode(encode(text)) differs from the text');
    return digest(Buffer.from(tokens.buffer, tokens.byteOffset, tokens.byteLength));
  },
  /** Minifies CSS for an old Safari (prefixes, :is() lowering, colour conversion). */
  async lightningcss() {
    // The synchronous Node loader (new WebAssembly.Module + Instance), which the package's exports map hides.
    const { transform } = await import(pathToFileURL(join(paths.repoRoot, 'node_modules/lightningcss-wasm/wasm-node.mjs')).href);
    const css = '.a { color: rgba(255, 0, 0, 0.5); transition: all 1s; } .b:is(.c, .d) > .e { margin: 0 0 0 0; display: flex; } ' +
      '@media (min-width: 100px) { .f { background: linear-gradient(red, blue) } }';
    const { code } = transform({ filename: 'x.css', code: new TextEncoder().encode(css.repeat(10)), minify: true, targets: { safari: 13 << 16 } });
    return digest(code);
  },
};

async function main() {
  const check = checks[spec.id];
  if (!check) throw new Error(`no check for ${spec.id}`);
  if (spec.how === 'aot') {
    await import(pathToFileURL(spec.output).href);
    await import('wasm2es/polyfill');
  } else if (spec.how === 'polyfill') {
    const hadNative = typeof globalThis.WebAssembly !== 'undefined';
    await import('wasm2es/polyfill');
    if (hadNative) globalThis.WebAssembly = (await import('wasm2es')).WebAssembly;
  }
  const started = performance.now();
  const result = await check();
  return { digest: result, ms: performance.now() - started };
}

await reportAndExit(main);
