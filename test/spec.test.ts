// Conformance as part of `npm test`: runs the spec runner (test/spec/run.js)
// over the official testsuite on wasm2es and fails on any unexpected failure
// or pass against test/spec/known-failures.txt. Skips, loudly, when the
// testsuite is not there. First, a few scripts check that the runner itself
// is strict, on the engine's native WebAssembly.

import { describe, it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
// @ts-ignore -- plain JavaScript modules of the runner
import { findTestsuite, PROPOSALS, ROOT } from './spec/suite.js';
// @ts-ignore
import { runScript } from './spec/script.js';
// @ts-ignore
import { createEngine } from './spec/engines.js';
// @ts-ignore
import { parseFloatBits } from './spec/values.js';
import wabtInit from 'wabt';

const RUNNER = fileURLToPath(new URL('./spec/run.js', import.meta.url));

describe('spec runner on the native engine', () => {
  let wabt: any;
  let engine: any;
  beforeAll(async () => {
    wabt = await wabtInit();
    engine = await createEngine('native');
  });

  /** The status of each command of a script: pass, fail or skip. */
  async function statuses(script: string): Promise<string[]> {
    const results = await runScript({ source: script, engine, wabt });
    return results.map((result: { status: string }) => result.status);
  }

  it('compares floats by bit pattern, NaN payloads included', async () => {
    const script = `
      (module (func (export "f") (result f32) (f32.const nan:0x200000))
              (func (export "id") (param f64) (result f64) (local.get 0)))
      (assert_return (invoke "f") (f32.const nan:0x200000))
      (assert_return (invoke "f") (f32.const nan:0x200001))
      (assert_return (invoke "f") (f32.const nan:arithmetic))
      (assert_return (invoke "f") (f32.const nan:canonical))
      (assert_return (invoke "id" (f64.const -nan:0x4)) (f64.const -nan:0x4))
      (assert_return (invoke "id" (f64.const -0)) (f64.const 0))
      (assert_return (invoke "id" (f64.const nan)) (f64.const nan:canonical))`;
    expect(await statuses(script)).toEqual(['pass', 'pass', 'fail', 'fail', 'fail', 'pass', 'fail', 'pass']);
  });

  it('accepts only the error class each assertion names', async () => {
    const script = `
      (module (func (export "trap") unreachable) (func (export "ok")))
      (assert_trap (invoke "trap") "unreachable")
      (assert_trap (invoke "ok") "unreachable")
      (assert_exhaustion (invoke "ok") "call stack exhausted")
      (assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
      (assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")
      (assert_malformed (module binary "\\00asm\\02\\00\\00\\00") "unknown binary version")
      (assert_malformed (module quote "(func") "unexpected end")
      (assert_unlinkable (module (import "spectest" "nothing" (func))) "unknown import")
      (assert_unlinkable (module (import "spectest" "print_i32" (func (param i32)))) "unknown import")`;
    expect(await statuses(script)).toEqual(['pass', 'pass', 'fail', 'fail', 'pass', 'fail', 'pass', 'skip', 'pass', 'fail']);
  });

  it('links registered modules and spectest, and checks references', async () => {
    const script = `
      (module $A (global (export "g") (mut f32) (f32.const -nan:0x1)) (func (export "r") (result externref) (ref.null extern)))
      (register "A" $A)
      (module (import "A" "g" (global (mut f32))) (import "spectest" "global_i32" (global i32))
              (func (export "get") (result i32) (global.get 1))
              (func (export "echo") (param externref) (result externref) (local.get 0)))
      (assert_return (get $A "g") (f32.const -nan:0x1))
      (assert_return (invoke "get") (i32.const 666))
      (assert_return (invoke "echo" (ref.extern 1)) (ref.extern 1))
      (assert_return (invoke "echo" (ref.extern 1)) (ref.extern 2))
      (assert_return (invoke $A "r") (ref.null extern))`;
    expect(await statuses(script)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail', 'pass']);
  });

  it('rounds float literals exactly', () => {
    expect(parseFloatBits('0x1.fffffefffffffffffp127', 'f32')).toBe(0x7f7fffff);
    expect(parseFloatBits('0x1.ffffffp127', 'f32')).toBe(0x7f800000);
    expect(parseFloatBits('1.00000017881393432617187499', 'f32')).toBe(0x3f800001);
    expect(parseFloatBits('1.00000017881393432617187501', 'f32')).toBe(0x3f800002);
    expect(parseFloatBits('0x0.00000100000000000p-126', 'f32')).toBe(0);
    expect(parseFloatBits('-0x1p-149', 'f32')).toBe(0x80000001);
    expect(parseFloatBits('1e308', 'f64')).toBe(0x7fe1ccf385ebc8a0n);
    expect(parseFloatBits('4.9406564584124654e-324', 'f64')).toBe(1n);
  });
});

const testsuite = findTestsuite();

// Without the testsuite (a clone that has no ../shared beside it), `npm test`
// would pass with conformance silently untested: say so at collection time,
// and as a skipped test whose name is the warning.
const SUITE_MISSING = `SPEC SUITE NOT FOUND at ${join(ROOT, '../shared/testsuite')}: set WASM_TESTSUITE to a checkout of https://github.com/WebAssembly/testsuite; conformance is NOT tested`;
if (!testsuite) console.warn(`\n*** ${SUITE_MISSING} ***\n`);

describe('WebAssembly 2.0 testsuite', () => {
  if (!testsuite) it.skip(SUITE_MISSING, () => {});

  const runSuite = (args: string[]) =>
    new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, [RUNNER, ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
      });
    });

  it.skipIf(!testsuite)(
    'passes on wasm2es, apart from test/spec/known-failures.txt',
    async () => {
      const { code, output } = await runSuite([]);
      // On failure, the runner's summary says which assertions and why.
      expect(code, output.split('\n').slice(-120).join('\n')).toBe(0);
    },
    15 * 60 * 1000,
  );

  // Function splitting (compiler/split.ts) only kicks in for very large
  // functions, which the suite does not have; with a threshold of one node
  // every function is split as far as it goes, and must behave the same.
  it.skipIf(!testsuite)(
    'passes with every function split into closures (--split-threshold 1)',
    async () => {
      const { code, output } = await runSuite(['--split-threshold', '1']);
      expect(code, output.split('\n').slice(-120).join('\n')).toBe(0);
    },
    15 * 60 * 1000,
  );

  // Flattening (compiler/flatten.ts) only kicks in for functions nested
  // hundreds of statements deep; at height 1 every compound statement of
  // every function becomes states of a dispatch loop, and must behave the same.
  it.skipIf(!testsuite)(
    'passes with every function flattened into a state machine (--flatten-height 1)',
    async () => {
      const { code, output } = await runSuite(['--flatten-height', '1']);
      expect(code, output.split('\n').slice(-120).join('\n')).toBe(0);
    },
    15 * 60 * 1000,
  );

  // Output tuned for interpreters reads memory through typed arrays, with
  // DataView only for unaligned and out-of-bounds addresses: the suite's
  // address and alignment edge cases must come out the same. The lazy
  // format is what the polyfill does on an engine without WebAssembly:
  // each function generated on its first call.
  // The SIMD scripts (simd_*.wast, proposals/relaxed-simd) and the 3.0
  // proposals' folders wasm2es implements (suite.js, PROPOSALS) run only when
  // named. v128 results are checked inside wasm, lane by lane; each
  // configuration that changes how v128 words are emitted runs them.
  it.skipIf(!testsuite).each([
    [[]],
    [['--tune', 'interpreter', '--format', 'lazy']],
    [['--split-threshold', '1']],
    [['--flatten-height', '1']],
  ])('passes the SIMD scripts and the 3.0 proposals\' with %j', async (args: string[]) => {
    const { code, output } = await runSuite(['simd', 'relaxed-simd', ...PROPOSALS, ...args]);
    expect(code, output.split('\n').slice(-120).join('\n')).toBe(0);
  }, 15 * 60 * 1000);

  it.skipIf(!testsuite)(
    'passes when compiled at run time for interpreters (--tune interpreter, lazy format)',
    async () => {
      const { code, output } = await runSuite(['--tune', 'interpreter', '--format', 'lazy']);
      expect(code, output.split('\n').slice(-120).join('\n')).toBe(0);
    },
    15 * 60 * 1000,
  );
});
