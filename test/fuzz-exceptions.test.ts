// The differential fuzzer with exception handling (test/fuzz/): binaryen's
// "fuzzing-support" throw, wasmtag and jstag imports as its fuzz_shell.js
// provides them, each engine with its own Tag, Exception and JSTag; a wasm
// exception that reaches JavaScript compared by class (and by payload when
// it carries the host's tag); modules the native engine cannot run counted
// as 'beyond-native', never as divergences; and the binary reader the
// reducer cuts along knows both encodings.

import { describe, it, expect, beforeAll } from 'vitest';
import wabtInit from 'wabt';
import { assembleWith } from './helpers/configs.js';
import { decode } from '../compiler/decode.js';
// @ts-ignore -- plain JavaScript modules of the fuzzer
import { nativeEngine, wasm2esEngines } from './fuzz/configs.js';
// @ts-ignore
import { runModule } from './fuzz/execute.js';
// @ts-ignore
import { parseModule, decodeBody, usedTags } from './fuzz/wasm-binary.js';
// @ts-ignore
import { createTally, summary } from './fuzz/tally.js';
// @ts-ignore
import { DEFAULT_FEATURES } from './fuzz/features.js';

const native = nativeEngine({ decode });
let engines: Record<string, any>;
let wabt: Awaited<ReturnType<typeof wabtInit>>;

beforeAll(async () => {
  wabt = await wabtInit();
  engines = await wasm2esEngines();
});

const assemble = (text: string): Uint8Array => assembleWith(wabt, text, { multi_value: true, bulk_memory: true, reference_types: true, exceptions: true });

const call = (name: string, ...args: string[]) => ({ export: name, args });
const statuses = (result: any) => Object.values(result.configs).map((config: any) => config.status);
/** Native V8 as it is, but rejecting every module, as Node 20's V8 does the final encoding. */
const rejecting = { ...native, compile: () => { throw new WebAssembly.CompileError('unknown opcode'); } };

const legacy = `(module
  (import "fuzzing-support" "throw" (func $throw (param i32)))
  (import "fuzzing-support" "wasmtag" (tag $wasmtag (param i32)))
  (import "fuzzing-support" "jstag" (tag $jstag (param externref)))
  (tag $own (param i32))
  (func (export "caught") (param i32) (result i32)
    (try (result i32)
      (do (call $throw (local.get 0)) (i32.const 1))
      (catch $wasmtag)
      (catch_all (i32.const -1))))
  (func (export "escapes") (param i32) (call $throw (local.get 0)))
  (func (export "own") (param i32) (throw $own (local.get 0))))`;

const final = `(module
  (import "fuzzing-support" "throw" (func $throw (param i32)))
  (import "fuzzing-support" "wasmtag" (tag $wasmtag (param i32)))
  (func (export "caught") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $wasmtag $h) (call $throw (local.get 0)))
      (i32.const 1))))`;

describe('the host', () => {
  it("throws as fuzz_shell.js does, and every engine agrees on what escapes", () => {
    const plan = [call('caught', '0'), call('caught', '5'), call('escapes', '0'), call('escapes', '7'), call('own', '3')];
    const result = runModule(assemble(legacy), plan, native, engines, { trace: true });
    expect(result.trace.calls.map((step: any) => step.outcome)).toEqual([
      'returns -1', // a JS Error, caught by catch_all
      'returns 5', // an Exception of wasmtag, caught with its payload
      'throws Error',
      'throws Exception wasmtag(7)',
      'throws Exception',
    ]);
    expect(new Set(statuses(result))).toEqual(new Set(['same']));
  });

  it('sees an exception of another class or payload', () => {
    const broken = (payload: number) => ({
      ...native,
      name: 'broken',
      instantiate: (module: any, imports: any) => {
        const instance = new WebAssembly.Instance(module, imports);
        const tag = imports['fuzzing-support'].wasmtag;
        const escapes = (x: number) => {
          try {
            instance.exports.escapes(x);
          } catch {
            throw new (WebAssembly as any).Exception(tag, [payload]);
          }
        };
        return { exports: { ...instance.exports, escapes } };
      },
    });
    const plan = [call('escapes', '7')];
    expect(runModule(assemble(legacy), plan, native, { broken: broken(7) }).configs.broken.status).toBe('same');
    expect(runModule(assemble(legacy), plan, native, { broken: broken(8) }).configs.broken.divergence.detail).toMatch(/throws Exception wasmtag\(8\), expected throws Exception wasmtag\(7\)/);
  });
});

describe('modules beyond the native engine', () => {
  it("the final encoding is compared where V8 has it, and counted apart where it does not", () => {
    const bytes = assemble(final);
    const plan = [call('caught', '0'), call('caught', '9')];
    const result = runModule(bytes, plan, native, engines);
    if (WebAssembly.validate(bytes)) {
      expect(result.beyondNative).toBeUndefined();
      expect(new Set(statuses(result))).toEqual(new Set(['same']));
    } else {
      expect(result.beyondNative).toMatch(/final encoding/);
      expect(new Set(statuses(result))).toEqual(new Set(['beyond-native']));
    }
    const rejected = runModule(bytes, plan, rejecting, engines);
    expect(rejected.beyondNative).toMatch(/^uses exception handling's final encoding \(try_table, throw_ref or exnref; first at 0x[0-9a-f]+, code section, function 1\)/);
    expect(new Set(statuses(rejected))).toEqual(new Set(['beyond-native']));
  });

  it('a module both reject is not beyond native, nor is a legacy one', () => {
    const invalid = assemble('(module (func (export "f") (i32.const 1)))').map((byte, i, all) => (i === all.length - 2 ? 0x6a : byte));
    expect(runModule(invalid, [], rejecting, engines).beyondNative).toBeUndefined();
    expect(runModule(assemble(legacy), [], native, engines).beyondNative).toBeUndefined();
  });

  it('"jstag" needs a WebAssembly.JSTag only where it is thrown or caught', () => {
    const catching = legacy.replace('(catch $wasmtag)', '(catch $wasmtag) (catch $jstag (drop) (i32.const 2))');
    const result = runModule(assemble(catching), [call('caught', '0')], native, engines);
    if ('JSTag' in WebAssembly) expect(new Set(statuses(result))).toEqual(new Set(['same']));
    else expect(result.beyondNative).toMatch(/"jstag"/);
  });

  it('are counted in the summary', () => {
    const options = { configs: ['jit'], seed: 1, jobs: 1, features: DEFAULT_FEATURES, rounds: 2 };
    const tally = createTally(options, ['ttf']);
    tally.add({ generator: 'ttf', index: 0, calls: 0, nativeCompile: 'throws CompileError', beyondNative: 'uses several memories (first at 0x20, memory section), which this engine does not validate', configs: { jit: { status: 'beyond-native', calls: 0 } } });
    tally.add({ generator: 'ttf', index: 1, calls: 3, nativeCompile: 'ok', configs: { jit: { status: 'same', calls: 3 } } });
    expect(summary(tally, options)).toMatch(/^fuzz: 2 modules \(seed 1, indices ttf 0\.\.1\), 3 calls, 0 divergences, 0 rejected as unsupported, 0 exhausted, 1 beyond native\n  jit: 1 modules, 3 calls compared, 0 divergences, 0 unsupported, 1 beyond native, [^\n]*\n  1 modules were beyond native V8 \([^)]*\): 1 uses several memories, which this engine does not validate\n/);
  });
});

describe('wasm-binary.js', () => {
  it('reads tags, exnref and both encodings, in the roles the reducer cuts along', () => {
    const module = parseModule(assemble(`(module
      (import "env" "tag" (tag (param i32)))
      (tag $t (param exnref))
      (export "t" (tag $t))
      (func (param exnref)
        (block $out
          (try (do (try (do (throw 0 (i32.const 1))) (delegate 0))) (catch 0 (drop)) (catch_all (rethrow 0)))
          (try_table (catch 0 $out) (catch_all_ref 1) (nop)))))`));
    expect(module.tagTypes.map((index: number) => module.types[index].params)).toEqual([['i32'], ['exnref']]);
    expect(module.exports).toEqual([{ name: 't', kind: 'tag', index: 1 }]);
    const roles = decodeBody(module.bodies[0]).instructions.map((instruction: any) => `${instruction.op.toString(16)} ${instruction.role}`);
    expect(roles).toEqual([
      '2 open', '6 open', '6 open', '41 plain', '8 plain', '18 end', '7 else', '1a plain', '19 else', '9 plain', 'b end',
      '1f open', '1 plain', 'b end', 'b end', 'b end',
    ]);
    expect([...usedTags(module.bodies)].sort()).toEqual([0]);
  });
});
