// A second toolchain: C compiled by clang 14 + lld + wasi-libc for
// wasm32-wasi (bench/c/, built by bench/c/build.sh; the .wasm files are
// committed). Unlike Emscripten output these modules have no JS glue, import
// WASI, export their memory, start through _start or _initialize, pass i64
// across the boundary and trap through abort(). Each runs on wasm2es under
// `node --jitless`, ahead of time and through the polyfill, and must match
// native WebAssembly exactly (trap messages aside, which engines word
// differently).

import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compileWithCli, freshDirectory, repoRoot, runReport, withoutTiming } from './helpers/sqljs-harness.js';

const program = 'test/helpers/toolchain-program.js';
const modules = ['lz', 'hash', 'numeric', 'reactor'];
const cases = [
  'lz 256 KiB',
  'lz 40 KiB',
  'hash with env and stdin',
  'numeric',
  'numeric exit 7',
  'numeric abort traps',
  'numeric division by zero traps',
  'reactor exports',
];

type Result = { ok?: any; error?: string; ms?: number };
type Report = { fatal?: string; hadNativeWebAssembly?: boolean; results: Record<string, Result> };

let native: Report;
const wasm2es: Record<'aot' | 'polyfill', Report> = {} as any;

/** Trap and error messages are engine wording; everything else must match. */
function comparable(result: Result | undefined): unknown {
  return JSON.parse(JSON.stringify(withoutTiming(result) ?? null), (key, value) => (key === 'message' ? undefined : value));
}

beforeAll(async () => {
  const directory = freshDirectory('toolchain');
  const generated = await Promise.all(modules.map((name) =>
    compileWithCli(join(repoRoot, 'bench/c', name + '.wasm'), join(directory, name + '.js'))));
  [native, wasm2es.aot, wasm2es.polyfill] = await Promise.all([
    runReport(program, ['native']),
    runReport(program, ['aot', ...generated], { jitless: true }),
    runReport(program, ['polyfill'], { jitless: true }),
  ]);
}, 300_000);

describe('clang + wasi-libc modules on native WebAssembly (the expected results)', () => {
  it('runs every case', () => {
    expect(native.fatal).toBeUndefined();
    for (const name of cases) expect(native.results[name], name).toHaveProperty('ok');
    expect(native.results['lz 256 KiB'].ok.stdout).toContain('round trip ok');
    expect(native.results['hash with env and stdin'].ok.stdout).toContain(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(native.results['numeric exit 7'].ok.exitCode).toBe(7);
    expect(native.results['numeric abort traps'].ok.trap).toMatchObject({ name: 'RuntimeError', runtimeError: true });
  });
});

for (const way of ['aot', 'polyfill'] as const) {
  describe(`clang + wasi-libc modules on wasm2es (${way}) under node --jitless`, () => {
    it('loads without native WebAssembly', () => {
      expect(wasm2es[way].fatal).toBeUndefined();
      expect(wasm2es[way].hadNativeWebAssembly).toBe(false);
    });

    it.each(cases)('%s: same results as native', (name) => {
      expect(comparable(wasm2es[way].results[name])).toEqual(comparable(native.results[name]));
    });
  });
}
