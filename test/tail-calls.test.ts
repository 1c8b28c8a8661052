// Tail calls (WebAssembly 3.0, compiler/emit-tail.ts, runtime/tail.ts):
// return_call and return_call_indirect run in constant JS stack space, in
// one module, through tables, and across modules through imported wasm
// functions; results and traps match native V8's, in every configuration
// wasm2es ships; and a module without tail calls compiles as before.

import { describe, it, expect, beforeAll } from 'vitest';
import wabtInit from 'wabt';
import { parse } from 'acorn';
import { compile } from '../compiler/index.js';
import { WebAssembly as Ours } from '../index.js';
import { assembleWith, CONFIGS } from './helpers/configs.js';
import type { Loader } from './helpers/configs.js';

const Native = globalThis.WebAssembly;
let wabt: Awaited<ReturnType<typeof wabtInit>>;
beforeAll(async () => {
  wabt = await wabtInit();
});

const assemble = (text: string): Uint8Array => assembleWith(wabt, text, { multi_value: true, reference_types: true, simd: true, tail_call: true });

type Outcome = { value: unknown } | { trap: string } | { error: string };
function outcome(fn: () => unknown, runtimeError: Function): Outcome {
  try {
    return { value: fn() };
  } catch (error) {
    if (error instanceof runtimeError) return { trap: (error as Error).message };
    return { error: `${(error as Error)?.constructor?.name}: ${(error as Error)?.message}` };
  }
}

/** Native V8's outcome of each call, then each configuration's, which must be the same (trap messages: the spec's). */
function differential(text: string, calls: [string, unknown[]][], imports: (ns: any) => object = () => ({})): void {
  const bytes = assemble(text);
  expect(() => parse(compile(bytes, { format: 'esm' }).code, { ecmaVersion: 'latest', sourceType: 'module' })).not.toThrow();
  const native = new Native.Instance(new Native.Module(bytes), imports(Native) as any);
  const expectations = calls.map(([name, args]) => outcome(() => (native.exports[name] as Function)(...args), Native.RuntimeError));
  for (const [config, load] of CONFIGS) {
    const ours = new Ours.Instance(load(bytes), imports(Ours) as any);
    for (const [i, [name, args]] of calls.entries()) {
      const expected = expectations[i];
      const actual = outcome(() => (ours.exports[name] as Function)(...args), Ours.RuntimeError);
      if ('trap' in expected && 'trap' in actual) continue; // V8's messages are its own
      expect(actual, `${config}: ${name}(${args.map(String).join(', ')})`).toEqual(expected);
    }
  }
}

const EVEN_ODD = `(module
  (type $t (func (param i64) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $even_indirect $odd_indirect)
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 44))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 99))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
  (func $even_indirect (export "even_indirect") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 44))
      (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))
  (func $odd_indirect (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 99))
      (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
  (func $count (export "count") (param i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
      (else (return_call $count (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (i64.const 3)))))))`;

const TEN_MILLION = 10_000_000n;
const TEN_MILLION_NUMBER = 10_000_000;

describe('tail calls', () => {
  it('run ten million mutual tail calls, direct and through a table, without growing the stack', () => {
    const bytes = assemble(EVEN_ODD);
    for (const [config, load] of CONFIGS) {
      const { exports } = new Ours.Instance(load(bytes), {}) as any;
      expect(exports.even(TEN_MILLION), config).toBe(44);
      expect(exports.odd(TEN_MILLION), config).toBe(99);
      expect(exports.even_indirect(TEN_MILLION + 1n), config).toBe(99);
      expect(exports.count(TEN_MILLION, 0n), config).toBe(3n * TEN_MILLION);
    }
  }, 120_000);

  it('run ten million mutual tail calls across two modules, through an imported function and an imported table', () => {
    const b = assemble(`(module
      (type $t (func (param i64) (result i32)))
      (table (export "table") 1 funcref)
      (func (export "odd") (param i64) (result i32)
        (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 99))
          (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0))))))`);
    const a = assemble(`(module
      (type $t (func (param i64) (result i32)))
      (import "b" "odd" (func $odd (type $t)))
      (import "b" "table" (table 1 funcref))
      (elem (i32.const 0) $even)
      (func $even (export "even") (param i64) (result i32)
        (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 44))
          (else (return_call $odd (i64.sub (local.get 0) (i64.const 1)))))))`);
    // Each configuration with itself, and the ahead-of-time output with the run-time compiler's.
    const pairs: [string, Loader, Loader][] = CONFIGS.map(([name, load]) => [name, load, load]);
    pairs.push(['jit with runtime', CONFIGS[0][1], CONFIGS[4][1]], ['runtime with jit', CONFIGS[4][1], CONFIGS[0][1]]);
    for (const [config, loadA, loadB] of pairs) {
      const instanceB = new Ours.Instance(loadB(b), {}) as any;
      const instanceA = new Ours.Instance(loadA(a), { b: instanceB.exports }) as any;
      expect(instanceA.exports.even(TEN_MILLION), config).toBe(44);
      expect(instanceA.exports.even(TEN_MILLION + 1n), config).toBe(99);
      expect(instanceB.exports.odd(TEN_MILLION), config).toBe(99);
    }
  }, 120_000);

  it('give the results of native V8 for calls, results and traps', () => {
    differential(EVEN_ODD, [['even', [0n]], ['even', [7n]], ['odd', [1000n]], ['even_indirect', [12345n]], ['count', [100000n, -5n]]]);
    differential(`(module
      (type $pair (func (param i32) (result i32 f64)))
      (type $other (func (param i64) (result i32 f64)))
      (table 4 funcref)
      (elem (i32.const 0) $pair $fail)
      (func $pair (param i32) (result i32 f64)
        (local.get 0) (f64.const -nan:0x4000000000001))
      (func $fail (param i64) (result i32 f64) unreachable)
      (func (export "direct") (param i32) (result i32 f64)
        (return_call $pair (i32.add (local.get 0) (i32.const 1))))
      (func (export "indirect") (param i32 i32) (result i32 f64)
        (return_call_indirect (type $pair) (local.get 0) (local.get 1)))
      (func (export "mismatch") (param i32) (result i32 f64)
        (return_call_indirect (type $other) (i64.const 1) (local.get 0)))
      (func (export "bits") (param i32) (result i64)
        (call $pair (local.get 0)) (i64.reinterpret_f64) (return)))`,
    [['direct', [5]], ['indirect', [9, 0]], ['indirect', [9, 1]], ['indirect', [9, 2]], ['indirect', [9, 4]], ['indirect', [9, -1]],
      ['mismatch', [1]], ['mismatch', [0]], ['bits', [3]]]);
  });

  it('evaluate arguments and pending effects before the call, and traps in order', () => {
    differential(`(module
      (memory 1)
      (global $g (mut i32) (i32.const 0))
      (table 1 funcref)
      (elem (i32.const 0) $sum)
      (type $t (func (param i32 i32) (result i32)))
      (func $sum (param i32 i32) (result i32)
        (i32.add (i32.mul (local.get 0) (i32.const 1000)) (i32.add (local.get 1) (global.get $g))))
      (func $bump (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g))
      (func (export "order") (param i32) (result i32)
        (i32.store (i32.const 0) (i32.const 5))
        (return_call $sum (call $bump) (i32.div_s (i32.load (i32.const 0)) (local.get 0))))
      (func (export "order_indirect") (param i32 i32) (result i32)
        (return_call_indirect (type $t) (call $bump) (i32.div_s (i32.const 10) (local.get 0)) (local.get 1)))
      (func (export "dropped") (param i32) (result i32)
        (i32.div_u (i32.const 1) (local.get 0))
        (return_call $sum (i32.const 1) (i32.const 2)))
      (func (export "g") (result i32) (global.get $g)))`,
    [['order', [1]], ['g', []], ['order', [0]], ['g', []], ['order_indirect', [2, 0]], ['order_indirect', [0, 0]], ['order_indirect', [1, 3]], ['g', []],
      ['dropped', [0]], ['dropped', [1]]]);
  });

  it('call host functions in tail position, and keep working after a host function throws', () => {
    const imports = () => ({
      env: {
        twice: (x: number) => x * 2,
        fail: () => {
          throw new TypeError('from the host');
        },
      },
    });
    const text = `(module
      (import "env" "twice" (func $twice (param i32) (result i32)))
      (import "env" "fail" (func $fail (param i32) (result i32)))
      (func $down (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (return_call $twice (i32.const 21)))
          (else (return_call $down (i32.sub (local.get 0) (i32.const 1))))))
      (func (export "host") (param i32) (result i32) (return_call $down (local.get 0)))
      (func (export "throws") (param i32) (result i32) (return_call $fail (local.get 0))))`;
    differential(text, [['host', [100000]], ['throws', [1]], ['host', [3]]], imports);
    for (const [config, load] of CONFIGS) {
      const { exports } = new Ours.Instance(load(assemble(text)), imports()) as any;
      expect(() => exports.throws(1), config).toThrow(TypeError);
      expect(exports.host(10), config).toBe(42);
    }
  });

  it('nest: a tail-calling function reached from a host function inside another chain', () => {
    // The host function re-enters wasm, whose chain runs its own trampoline
    // to the end before the outer chain goes on.
    let instance: any;
    const imports = () => ({ env: { inner: (n: number) => instance.exports.loop(n, 0) } });
    const text = `(module
      (import "env" "inner" (func $inner (param i32) (result i32)))
      (func $loop (export "loop") (param i32 i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
          (else (return_call $loop (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 1))))))
      (func $outer (export "outer") (param i32 i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
          (else (return_call $outer (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (call $inner (local.get 0))))))))`;
    for (const [config, load] of CONFIGS) {
      instance = new Ours.Instance(load(assemble(text)), imports());
      expect(instance.exports.outer(1000, 0), config).toBe(500500);
    }
  });

  it('loop on self tail calls: params swap and take constants, locals start from zero again', () => {
    const text = `(module
      (func $swap (export "swap") (param $a i32) (param $b i32) (param $n i32) (result i32)
        (if (result i32) (i32.eqz (local.get $n)) (then (i32.sub (i32.mul (local.get $a) (i32.const 1000)) (local.get $b)))
          (else (return_call $swap (local.get $b) (local.get $a) (i32.sub (local.get $n) (i32.const 1))))))
      (func $const (export "const") (param $a i32) (param $b i32) (result i32)
        (if (result i32) (i32.eq (local.get $a) (i32.const 7)) (then (local.get $b))
          (else (return_call $const (i32.const 7) (i32.add (local.get $a) (local.get $b))))))
      (func $fresh (export "fresh") (param $n i32) (result i32) (local $seen i32) (local $v v128) (local $f f64)
        ;; $seen, $v and $f must be zero on every entry, the looped ones too.
        (if (i32.or (i32.or (local.get $seen) (i32x4.extract_lane 3 (local.get $v))) (i32.trunc_f64_s (local.get $f)))
          (then (return (i32.const -1))))
        (local.set $seen (i32.const 1))
        (local.set $v (i32x4.splat (local.get $n)))
        (local.set $f (f64.const 2.5))
        (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 100))
          (else (return_call $fresh (i32.sub (local.get $n) (i32.const 1))))))
      (func $f32 (export "f32") (param $x f32) (param $n i32) (result f32)
        (if (result f32) (i32.eqz (local.get $n)) (then (local.get $x))
          (else (return_call $f32 (f32.add (local.get $x) (f32.const 0.1)) (i32.sub (local.get $n) (i32.const 1)))))))`;
    differential(text, [['swap', [1, 2, 0]], ['swap', [1, 2, 1]], ['swap', [1, 2, 99999]], ['const', [0, 5]], ['const', [7, 5]],
      ['fresh', [0]], ['fresh', [5]], ['f32', [1, 0]], ['f32', [1, 1000]]]);
    const { code } = compile(assemble(text), { format: 'body' });
    expect(code).toMatch(/tail:\s*while\s*\(true\)/);
    expect(code).not.toMatch(/tailTo\(fn\d+\$t/); // every tail call here is to itself
    const { exports } = new Ours.Instance(new Ours.Module(assemble(text)), {}) as any;
    expect(exports.fresh(TEN_MILLION_NUMBER)).toBe(100);
  });

  it('pass v128 arguments and results', () => {
    differential(`(module
      (func $add (param v128 v128 i32) (result v128)
        (if (result v128) (i32.eqz (local.get 2)) (then (local.get 0))
          (else (return_call $add (i32x4.add (local.get 0) (local.get 1)) (local.get 1) (i32.sub (local.get 2) (i32.const 1))))))
      (func (export "lanes") (param i32) (result i32 i32 i32 i32)
        (local $v v128)
        (local.set $v (call $add (v128.const i32x4 1 2 3 4) (v128.const i32x4 10 20 -30 0x7fffffff) (local.get 0)))
        (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v))
        (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v))))`,
    [['lanes', [0]], ['lanes', [3]], ['lanes', [100000]]]);
  });

  it('leave modules without tail calls as they were: no wrapper, no trampoline', () => {
    const bytes = assemble(`(module
      (func $f (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func (export "g") (param i32) (result i32) (call $f (local.get 0))))`);
    for (const tune of ['jit', 'interpreter'] as const) {
      const { code } = compile(bytes, { format: 'body', tune });
      expect(code).not.toMatch(/\$t\b|TAIL|tailLoop|tailTo|tailCall/);
    }
    // A function that makes tail calls gets them; one that does not, beside it, does not.
    const { code } = compile(assemble(`(module
      (func $plain (param i32) (result i32) (local.get 0))
      (func (export "t") (param i32) (result i32) (return_call $plain (local.get 0))))`), { format: 'body' });
    expect(code).toContain('function fn1$t(');
    expect(code).not.toContain('fn0$t');
    expect(code).toMatch(/return fn0\(l0\)/);
  });

  it('are validated: the callee must return what the caller returns', () => {
    const invalid = [
      '(module (func (result i32) (return_call 1)) (func))',
      '(module (func (result i32) (return_call 1)) (func (result i64) (i64.const 1)))',
      '(module (type $t (func (result i64))) (table 1 funcref) (func (result i32) (return_call_indirect (type $t) (i32.const 0))))',
      '(module (func (return_call 1 (i32.const 1))) (func (param f64)))',
      '(module (table 1 externref) (func (return_call_indirect (i32.const 0))))',
    ];
    for (const text of invalid) {
      const bytes = assemble(text);
      expect(Native.validate(bytes), text).toBe(false);
      expect(Ours.validate(bytes), text).toBe(false);
      expect(() => new Ours.Module(bytes), text).toThrow(/type mismatch/);
    }
  });
});
