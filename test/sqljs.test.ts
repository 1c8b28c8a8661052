// sql.js 1.16, unmodified, on wasm2es in `node --jitless` (no native
// WebAssembly), both ways:
//   aot       the CLI compiles sql-wasm.wasm ahead of time; the generated
//             module is loaded first and wasm2es/runtime, which has no
//             compiler, finds it by its bytes. The one-function modules the
//             glue builds at run time for addFunction (user functions,
//             aggregates, the update hook) have no function bodies, and the
//             runtime loads them from their bytes: nothing else is
//             precompiled;
//   polyfill  wasm2es/polyfill compiles sql-wasm.wasm at run time.
// Every scenario of test/helpers/sqljs-program.js must give exactly what it
// gives on native WebAssembly.

import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compileWithCli, freshDirectory, runReport, withoutTiming } from './helpers/sqljs-harness.js';

const program = 'test/helpers/sqljs-program.js';

const scenarios = [
  'create tables',
  'insert',
  'update',
  'delete',
  'transactions',
  'prepared statements and binding types',
  'aggregates',
  'joins',
  'like',
  'user-defined functions',
  'export and re-open',
  'errors',
];

type Result = { ok?: any; error?: string; ms?: number };
type Report = { fatal?: string; hadNativeWebAssembly?: boolean; implementation?: string; results: Record<string, Result> };

let native: Report;
const wasm2es: Record<'aot' | 'polyfill', Report> = {} as any;

beforeAll(async () => {
  const directory = freshDirectory('sqljs');
  const [nativeReport, generated] = await Promise.all([
    runReport(program, ['native']),
    compileWithCli('node_modules/sql.js/dist/sql-wasm.wasm', join(directory, 'sql-wasm.js')),
  ]);
  native = nativeReport;
  [wasm2es.aot, wasm2es.polyfill] = await Promise.all([
    runReport(program, ['aot', generated], { jitless: true }),
    runReport(program, ['polyfill'], { jitless: true }),
  ]);
}, 300_000);

describe('sql.js on native WebAssembly (the expected results)', () => {
  it('runs every scenario', () => {
    expect(native.fatal).toBeUndefined();
    for (const name of scenarios) expect(native.results[name], name).toHaveProperty('ok');
  });

  it('reports bad SQL as sql.js errors', () => {
    const errors = native.results.errors.ok;
    expect(errors.syntax).toEqual({ name: 'Error', message: 'near "SELEC": syntax error' });
    expect(errors.unique.message).toBe('UNIQUE constraint failed: t.v');
    expect(errors.stillWorks[0].values).toEqual([[1, 'a']]);
  });

  it('calls JS functions added to the table at run time', () => {
    const udf = native.results['user-defined functions'].ok;
    expect(udf.redefined[0].values).toEqual([[42]]);
    expect(udf.hooked.map((entry: unknown[]) => entry[0])).toEqual(['insert', 'update', 'delete']);
  });
});

for (const way of ['aot', 'polyfill'] as const) {
  describe(`sql.js on wasm2es (${way}) under node --jitless`, () => {
    it('loads without native WebAssembly', () => {
      expect(wasm2es[way].fatal).toBeUndefined();
      expect(wasm2es[way].hadNativeWebAssembly).toBe(false);
    });

    it.each(scenarios)('%s: same results as native', (name) => {
      expect(withoutTiming(wasm2es[way].results[name])).toEqual(withoutTiming(native.results[name]));
    });
  });
}
