// The differential fuzzer with SIMD (test/fuzz/): a v128 cannot cross into
// JavaScript, so the harness looks at vectors through i32 lanes, which keep
// every bit: wrappers of exports with v128 in their type, getters of v128
// globals, and a wasm forwarder for imports that take a v128 ("log-v128").
// NaN lanes that arithmetic makes are canonicalised lane by lane, and only
// those. And the binary reader the reducer cuts along knows every SIMD
// instruction's immediates.

import { describe, it, expect, beforeAll } from 'vitest';
import wabtInit from 'wabt';
import { assembleWith } from './helpers/configs.js';
import { decode } from '../compiler/decode.js';
// @ts-ignore -- plain JavaScript modules of the fuzzer
import { exposeState, LANES_PREFIX, VALUE_PREFIX } from './fuzz/expose.js';
// @ts-ignore
import { nativeEngine, wasm2esEngines } from './fuzz/configs.js';
// @ts-ignore
import { runModule } from './fuzz/execute.js';
// @ts-ignore
import { canonicalizeNaNs, hasArithmeticNaNs, isCanonical } from './fuzz/canonicalize.js';
// @ts-ignore
import { parseModule, decodeBody } from './fuzz/wasm-binary.js';
// @ts-ignore
import { makePlan } from './fuzz/plan.js';
// @ts-ignore
import { DEFAULT_FEATURES, parseFeatures } from './fuzz/features.js';
import { generateModule } from './fuzz/generator.js';

const native = nativeEngine();
let engines: Record<string, any>;
let wabt: Awaited<ReturnType<typeof wabtInit>>;

beforeAll(async () => {
  wabt = await wabtInit();
  engines = await wasm2esEngines();
});

const assemble = (text: string): Uint8Array => assembleWith(wabt, text, { multi_value: true, bulk_memory: true, reference_types: true, simd: true });

const call = (name: string, ...args: string[]) => ({ export: name, args });
const statuses = (result: any) => Object.values(result.configs).map((config: any) => config.status);

/** Runs `bytes` on native against native V8 with `breakage` applied to each instance. */
function divergenceWith(bytes: Uint8Array, plan: object[], breakage: (instance: any) => any) {
  const broken = { ...native, name: 'broken', instantiate: (module: any, imports: any) => breakage(new WebAssembly.Instance(module, imports)) };
  return runModule(bytes, plan, native, { broken }).configs.broken;
}
const withExports = (instance: any, changes: object) => ({ exports: { ...instance.exports, ...changes } });

describe('features', () => {
  it('SIMD is on by default, and default,-simd takes it out', () => {
    expect(DEFAULT_FEATURES).toContain('simd');
    expect(parseFeatures('default,-simd')).toEqual(DEFAULT_FEATURES.filter((name: string) => name !== 'simd'));
    expect(parseFeatures('simd,multivalue')).toEqual(['simd', 'multivalue']);
  });
});

describe('v128 results and parameters, as i32 lanes', () => {
  const wat = `(module
    (func (export "splat") (param i32) (result v128) (i32x4.replace_lane 3 (i32x4.splat (local.get 0)) (i32.const -1)))
    (func (export "swap") (param v128 i64) (result i64 v128) (local.get 1) (local.get 0))
    (func (export "plain") (result i32) (i32.const 7)))`;
  const bytes = () => exposeState(assemble(wat));

  it('exports a wrapper for each export with a v128 in its type, and the plan calls it', () => {
    const module = parseModule(bytes());
    const names = module.exports.map((entry: any) => entry.name);
    expect(names).toEqual(['splat', 'swap', 'plain', `${LANES_PREFIX}splat`, `${LANES_PREFIX}swap`]);
    const types = module.exports.slice(3).map((entry: any) => module.functionTypes[entry.index]);
    expect(types).toEqual([
      { params: ['i32'], results: ['i32', 'i32', 'i32', 'i32'] },
      { params: ['i32', 'i32', 'i32', 'i32', 'i64'], results: ['i64', 'i32', 'i32', 'i32', 'i32'] },
    ]);
    expect(makePlan(module, 1, 0, { rounds: 1 }).map((step: any) => step.export)).toEqual(names);
  });

  it('every engine agrees on the lanes, and on the TypeError of the v128 export itself', () => {
    const plan = [call('splat', '5'), call(`${LANES_PREFIX}splat`, '5'), call(`${LANES_PREFIX}swap`, '1', '-2', '3', '2147483647', '9n')];
    const result = runModule(bytes(), plan, native, engines, { trace: true });
    expect(result.trace.calls.map((step: any) => step.outcome)).toEqual([
      'throws TypeError',
      'returns [5, 5, 5, -1]',
      'returns [9n, 1, -2, 3, 2147483647]',
    ]);
    expect(new Set(statuses(result))).toEqual(new Set(['same']));
  });

  it('sees one wrong lane', () => {
    const plan = [call(`${LANES_PREFIX}splat`, '5')];
    const wrongLane = (instance: any) => withExports(instance, {
      [`${LANES_PREFIX}splat`]: (x: number) => instance.exports[`${LANES_PREFIX}splat`](x).map((lane: number, i: number) => (i === 2 ? lane ^ 1 : lane)),
    });
    expect(divergenceWith(bytes(), plan, wrongLane).divergence.detail).toMatch(/returns \[5, 5, 4, -1\], expected returns \[5, 5, 5, -1\]/);
  });
});

describe('v128 globals, as state', () => {
  const wat = `(module
    (global $v (mut v128) (v128.const i32x4 1 2 3 4))
    (func (export "bump") (global.set $v (i32x4.add (global.get $v) (v128.const i32x4 0 0 0 0x7fffffff)))))`;
  const bytes = () => exposeState(assemble(wat));

  it('are read through a getter after every step, which the plan does not call', () => {
    const module = parseModule(bytes());
    expect(module.exports.map((entry: any) => entry.name)).toEqual(['bump', '__fuzz_global0', `${VALUE_PREFIX}__fuzz_global0`]);
    const plan = makePlan(module, 1, 0, { rounds: 2 });
    expect(plan.map((step: any) => step.export)).toEqual(['bump', 'bump']);
    const result = runModule(bytes(), plan, native, engines, { trace: true });
    expect(result.trace.calls.map((step: any) => step.state[`${VALUE_PREFIX}__fuzz_global0`])).toEqual(['[1, 2, 3, -2147483645]', '[1, 2, 3, 2]']);
    expect(result.trace.calls[0].state.__fuzz_global0).toBe('throws TypeError');
    expect(new Set(statuses(result))).toEqual(new Set(['same']));
  });

  it('a wrong lane in a global is a divergence', () => {
    const getter = `${VALUE_PREFIX}__fuzz_global0`;
    const wrong = (instance: any) => withExports(instance, { [getter]: () => [1, 2, 3, 0] });
    expect(divergenceWith(bytes(), [call('bump')], wrong).divergence.kind).toBe('global');
  });
});

describe('imports that take a v128', () => {
  it('log their lanes through a wasm forwarder, the same on every engine', () => {
    const wat = `(module
      (import "fuzzing-support" "log-v128" (func $log (param v128)))
      (import "fuzzing-support" "log-mixed" (func $mixed (param i32 v128 f64) (result i32)))
      (func (export "f") (result i32)
        (call $log (v128.const i32x4 1 -1 0 0x7fffffff))
        (call $mixed (i32.const 9) (v128.const f32x4 -0 nan:0x200000 1.5 inf) (f64.const -0.5))))`;
    const result = runModule(assemble(wat), [call('f')], native, engines, { trace: true });
    expect(result.trace.calls[0].log).toEqual(['log-v128(1, -1, 0, 2147483647)', `log-mixed(9, ${0x80000000 | 0}, ${0x7fa00000}, ${0x3fc00000}, ${0x7f800000}, -0.5)`]);
    expect(result.trace.calls[0].outcome).toBe('returns 0');
    expect(new Set(statuses(result))).toEqual(new Set(['same']));
  });
});

describe('NaN lanes', () => {
  // f32x4.add keeps a NaN lane's payload natively; the spec allows any arithmetic NaN there.
  const wat = `(module (memory (export "memory") 1)
    (func (export "f")
      (v128.store (i32.const 0) (f32x4.add (v128.const f32x4 nan:0x200000 1 -nan:0x1234 2) (v128.const f32x4 0 0 0 0)))
      (v128.store (i32.const 16) (f32x4.neg (v128.const f32x4 nan:0x200000 1 -nan:0x1234 2)))
      (v128.store (i32.const 32) (f64x2.pmin (v128.const f64x2 nan:0x4 3) (v128.const f64x2 1 -nan:0x5)))
      (v128.store (i32.const 48) (f64x2.mul (v128.const f64x2 -nan:0x4 3) (v128.const f64x2 1 2)))))`;

  it('arithmetic lanes that are NaN become the canonical NaN, counted; other lanes and bit-moving instructions keep their bits', () => {
    const bytes = assemble(wat);
    expect(hasArithmeticNaNs(bytes)).toBe(true);
    expect(isCanonical(bytes)).toBe(false);
    const canonical = canonicalizeNaNs(bytes);
    expect(isCanonical(canonical)).toBe(true);
    const result = runModule(canonical, [call('f')], native, engines);
    expect(result.nans).toBe(2);
    expect(new Set(statuses(result))).toEqual(new Set(['same']));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(canonical), {});
    (instance.exports.f as () => void)();
    const words = Array.from(new Uint32Array((instance.exports.memory as WebAssembly.Memory).buffer, 0, 16), (word) => word.toString(16));
    expect(words).toEqual([
      '7fc00000', '3f800000', '7fc00000', '40000000', // add: NaN lanes canonical
      'ffa00000', 'bf800000', '7f801234', 'c0000000', // neg: bits kept
      '4', '7ff00000', '0', '40080000', // pmin: picks an operand, bits kept (a signalling NaN, 3)
      '0', '7ff80000', '0', '40180000', // mul: NaN lane canonical
    ]);
  });
});

describe('wasm-binary.js', () => {
  it('reads every SIMD instruction as the compiler decodes it (the reducer cuts along these boundaries)', () => {
    for (let index = 0; index < 40; index++) {
      const bytes = generateModule(5, index);
      const ours = parseModule(bytes).bodies.map((body: Uint8Array) => decodeBody(body).instructions.filter((instruction: any) => instruction.op === 0xfd).map((instruction: any) => instruction.sub));
      const compiler = decode(bytes).funcs.map((func) => func.body.filter((instruction) => instruction.op >= 0xfd000 && instruction.op < 0xfe000).map((instruction) => instruction.op - 0xfd000));
      expect(ours).toEqual(compiler);
    }
  });
});
