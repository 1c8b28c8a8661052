// The spec runner's side of exception handling, checked on the engine's
// native WebAssembly: assert_exception accepts only the engine's own
// WebAssembly.Exception, and exnref results are read inside wasm (binary.js's
// wrappers, with ref.is_null). Node 20's V8 has the legacy encoding (throw,
// try/catch) but no exnref, so the exnref checks run with exnref spelled
// externref in every module the engine compiles (the script's own and the
// wrappers): to ref.null, ref.is_null and an import of a global the two are
// alike, and the runner still reads exnref from the script's bytes.

import { describe, it, expect, beforeAll } from 'vitest';
// @ts-ignore -- plain JavaScript modules of the runner
import { runScript } from './script.js';
// @ts-ignore
import { createEngine } from './engines.js';
// @ts-ignore
import { findTestsuite, selectFiles } from './suite.js';
import wabtInit from 'wabt';

let wabt: any;
let native: any;
beforeAll(async () => {
  wabt = await wabtInit();
  native = await createEngine('native');
});

/** The status of each command of a script on `engine`: pass, fail or skip. */
async function statuses(engine: any, script: string): Promise<string[]> {
  const results = await runScript({ source: script, engine, wabt });
  return results.map((result: { status: string }) => result.status);
}

/** The native engine with `spectest.throw_type_error`, a host function that throws a TypeError. */
function withTypeError(engine: any) {
  const throwTypeError = () => {
    throw new TypeError('not a wasm exception');
  };
  return { ...engine, spectest: () => ({ ...engine.spectest(), throw_type_error: throwTypeError }) };
}

/** The native engine compiling every module with exnref spelled externref (see the top of this file). */
function exnrefAsExternref(engine: any) {
  const respell = (bytes: Uint8Array) => {
    const read = wabt.readWasm(bytes, { exceptions: true, reference_types: true, multi_value: true });
    const text = read.toText({}).replace(/\bexnref\b/g, 'externref').replace(/ref\.null exn\b/g, 'ref.null extern');
    read.destroy();
    const parsed = wabt.parseWat('respelled.wat', text, { reference_types: true, multi_value: true });
    try {
      return parsed.toBinary({}).buffer;
    } finally {
      parsed.destroy();
    }
  };
  return {
    ...engine,
    compile: (bytes: Uint8Array) => engine.compile(respell(bytes)),
    spectest: () => ({ ...engine.spectest(), exnref_non_null: new WebAssembly.Global({ value: 'externref' }, { exn: true }) }),
    wrapperCache: new Map(),
  };
}

describe('spec runner: exception handling', () => {
  it('passes assert_exception only on a WebAssembly.Exception of the engine under test', async () => {
    const script = `
      (module
        (import "spectest" "throw_type_error" (func $throw_type_error))
        (tag $e (param f32))
        (func (export "throw") (param f32) (local.get 0) (throw $e))
        (func (export "caught") (result i32)
          (try (result i32) (do (f32.const 1) (throw $e)) (catch $e (drop) (i32.const 7))))
        (func (export "trap") unreachable)
        (func (export "ok") (result i32) (i32.const 1))
        (func (export "type-error") (call $throw_type_error)))
      (assert_exception (invoke "throw" (f32.const nan:0x1)))
      (assert_exception (invoke "caught"))
      (assert_return (invoke "caught") (i32.const 7))
      (assert_exception (invoke "trap"))
      (assert_exception (invoke "ok"))
      (assert_exception (invoke "type-error"))
      (assert_trap (invoke "throw" (f32.const 0)) "unreachable")`;
    expect(await statuses(withTypeError(native), script)).toEqual(['pass', 'pass', 'fail', 'pass', 'fail', 'fail', 'fail', 'fail']);

    // Another namespace's Exception (wasm2es's runtime, say) is not the engine's.
    const throws = '(module (tag $e) (func (export "throw") (throw $e))) (assert_exception (invoke "throw"))';
    expect(await statuses({ ...native, Exception: class Exception {} }, throws)).toEqual(['pass', 'fail']);
    expect(await statuses({ ...native, Exception: undefined }, throws)).toEqual(['pass', 'fail']);
  });

  it('reads exnref results inside wasm: (ref.null exn) and (ref.exn)', async () => {
    const script = `
      (module
        (import "spectest" "exnref_non_null" (global $non-null exnref))
        (global (export "null-global") exnref (ref.null exn))
        (func (export "null") (result exnref) (ref.null exn))
        (func (export "non-null") (result exnref) (global.get $non-null))
        (func (export "echo") (param exnref f32) (result i32 exnref f32)
          (i32.const 7) (local.get 0) (local.get 1)))
      (assert_return (invoke "null") (ref.null exn))
      (assert_return (invoke "null") (ref.exn))
      (assert_return (invoke "non-null") (ref.exn))
      (assert_return (invoke "non-null") (ref.null exn))
      (assert_return (get "null-global") (ref.null exn))
      (assert_return (invoke "echo" (ref.null exn) (f32.const -nan:0x1)) (i32.const 7) (ref.null exn) (f32.const -nan:0x1))
      (assert_return (invoke "echo" (ref.null exn) (f32.const 0)) (i32.const 7) (ref.exn) (f32.const 0))`;
    expect(await statuses(exnrefAsExternref(native), script)).toEqual(['pass', 'pass', 'fail', 'pass', 'fail', 'pass', 'pass', 'fail']);
  });

  const testsuite = findTestsuite();
  it.skipIf(!testsuite)('selects the proposal\'s scripts, legacy ones included, and one by its path', () => {
    const files = selectFiles(testsuite, ['exception-handling']);
    expect(files).toContain('proposals/exception-handling/try_table.wast');
    expect(files).toContain('proposals/exception-handling/legacy/try_delegate.wast');
    expect(selectFiles(testsuite, ['proposals/exception-handling/legacy/throw'])).toEqual(['proposals/exception-handling/legacy/throw.wast']);
  });
});
