// Typed function references and GC (WebAssembly 3.0): structs, arrays,
// i31, casts, call_ref, return_call_ref, br_on_null/non_null, table
// initialisers, non-defaultable locals, type canonicalisation across
// modules and the JS boundary, in every configuration wasm2es ships. Node
// 20's V8 cannot run the final encoding, so the expected outcomes are the
// spec's (checked against Node 24's V8 when they were written). Modules are
// assembled by wasm-tools (the `wat` crate, through jco-transpile), which
// writes exactly what the text says.

import { describe, it, expect, beforeAll } from 'vitest';
import { WebAssembly as Ours } from '../index.js';
import { CONFIGS } from './helpers/configs.js';

let parse: (text: string) => Promise<Uint8Array>;
beforeAll(async () => {
  ({ parse } = await import('@bytecodealliance/jco-transpile/wasm-tools'));
});

type Outcome = { value: unknown } | { trap: string } | { typeError: true };
function outcome(fn: () => unknown): Outcome {
  try {
    return { value: fn() };
  } catch (error) {
    if (error instanceof Ours.RuntimeError) return { trap: (error as Error).message };
    if (error instanceof TypeError) return { typeError: true };
    throw error;
  }
}

const GC = `(module
  (type $pt (struct (field $x (mut i32)) (field $y f64) (field $b (mut i8)) (field $h (mut i16)) (field $l (mut i64))))
  (type $arr (array (mut i32)))
  (type $barr (array (mut i8)))
  (type $farr (array (mut f32)))
  (type $larr (array (mut i64)))
  (type $rarr (array (mut (ref null $pt))))
  (type $shape (sub (struct (field i32))))
  (type $circle (sub final $shape (struct (field i32) (field f64))))
  (type $square (sub final $shape (struct (field i32) (field i64))))
  (type $fn (func (param i32) (result i32)))
  (global $g (ref $pt) (struct.new $pt (i32.const 7) (f64.const 2.5) (i32.const 300) (i32.const -1) (i64.const -2)))
  (data $d "\\01\\02\\03\\04\\05\\06\\07\\08")
  (elem $e func $inc $inc)
  (elem declare func $inc)
  (func $inc (type $fn) (i32.add (local.get 0) (i32.const 1)))
  (func (export "structs") (result i32)
    (local $p (ref null $pt))
    (local.set $p (struct.new $pt (i32.const 1) (f64.const 1.5) (i32.const 255) (i32.const 65535) (i64.const 9)))
    (struct.set $pt $x (local.get $p) (i32.add (struct.get $pt $x (local.get $p)) (i32.const 41)))
    (struct.set $pt $h (local.get $p) (i32.const 0x18000))
    (i32.add (i32.add (struct.get $pt $x (local.get $p)) (struct.get_s $pt $b (local.get $p)))
      (i32.add (struct.get_u $pt $b (global.get $g)) (i32.add (struct.get_s $pt $h (local.get $p)) (struct.get_u $pt $h (global.get $g))))))
  (func (export "struct_default") (result i64)
    (struct.get $pt $l (struct.new_default $pt)))
  (func (export "arrays") (param $n i32) (result i32)
    (local $a (ref $arr)) (local $i i32) (local $s i32)
    (local.set $a (array.new $arr (i32.const 3) (local.get $n)))
    (array.set $arr (local.get $a) (i32.const 0) (i32.const 100))
    (array.fill $arr (local.get $a) (i32.const 1) (i32.const 5) (i32.const 2))
    (array.copy $arr $arr (local.get $a) (i32.const 3) (local.get $a) (i32.const 0) (i32.const 2))
    (loop $l
      (local.set $s (i32.add (local.get $s) (array.get $arr (local.get $a) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (array.len (local.get $a)))))
    (local.get $s))
  (func (export "get") (param i32) (result i32) (array.get $arr (array.new_default $arr (i32.const 2)) (local.get 0)))
  (func (export "set") (param i32) (array.set $arr (array.new_default $arr (i32.const 2)) (local.get 0) (i32.const 1)))
  (func (export "bytes") (result i32)
    (local $b (ref $barr))
    (local.set $b (array.new_fixed $barr 3 (i32.const 200) (i32.const 1) (i32.const -1)))
    (i32.add (array.get_s $barr (local.get $b) (i32.const 0)) (array.get_u $barr (local.get $b) (i32.const 2))))
  (func (export "data") (param i32 i32) (result i64)
    (array.get $larr (array.new_data $larr $d (local.get 0) (local.get 1)) (i32.const 0)))
  (func (export "elem") (param i32) (result i32)
    (call_ref $fn (i32.const 1) (ref.cast (ref $fn) (array.get $rarrf (array.new_elem $rarrf $e (i32.const 0) (i32.const 2)) (local.get 0)))))
  (type $rarrf (array (mut funcref)))
  (func (export "floats") (result f32)
    (local $f (ref $farr))
    (local.set $f (array.new $farr (f32.const 1.5) (i32.const 2)))
    (array.set $farr (local.get $f) (i32.const 1) (f32.const 0.25))
    (f32.add (array.get $farr (local.get $f) (i32.const 0)) (array.get $farr (local.get $f) (i32.const 1))))
  (func (export "nulls") (param i32) (result i32)
    (local $r (ref $rarr))
    (local.set $r (array.new_default $rarr (i32.const 2)))
    (array.set $rarr (local.get $r) (i32.const 1) (global.get $g))
    (struct.get $pt $x (array.get $rarr (local.get $r) (local.get 0))))
  (func (export "ref_get") (param i32) (result anyref) (array.get $rarr (array.new_default $rarr (i32.const 2)) (local.get 0)))
  (func (export "ref_set") (param i32) (array.set $rarr (array.new_default $rarr (i32.const 2)) (local.get 0) (ref.null $pt)))
  (func (export "null_array") (param i32) (result i32) (array.len (ref.null $arr)))
  (func (export "null_array_set") (param i32) (array.set $rarr (ref.null $rarr) (local.get 0) (ref.null $pt)))
  (func $area (param $s (ref $shape)) (result f64)
    (block $c (result (ref $circle))
      (br_on_cast $c (ref $shape) (ref $circle) (local.get $s))
      (drop)
      (return (f64.const -1)))
    (struct.get $circle 1))
  (func (export "casts") (result f64)
    (f64.add (call $area (struct.new $circle (i32.const 1) (f64.const 3.25)))
             (call $area (struct.new $square (i32.const 1) (i64.const 3)))))
  (func (export "cast_fail") (param anyref) (result i32)
    (block $f (result anyref)
      (br_on_cast_fail $f anyref (ref $shape) (local.get 0))
      (return (struct.get $shape 0)))
    (drop) (i32.const -1))
  (func (export "tests") (param $x anyref) (result i32)
    (i32.add (ref.test (ref i31) (local.get $x))
    (i32.add (i32.mul (i32.const 2) (ref.test (ref $shape) (local.get $x)))
    (i32.add (i32.mul (i32.const 4) (ref.test (ref null eq) (local.get $x)))
    (i32.add (i32.mul (i32.const 8) (ref.test (ref struct) (local.get $x)))
             (i32.mul (i32.const 16) (ref.test (ref array) (local.get $x))))))))
  (func (export "make") (param i32) (result anyref)
    (if (result anyref) (i32.eqz (local.get 0)) (then (ref.i31 (i32.const -5)))
      (else (if (result anyref) (i32.eq (local.get 0) (i32.const 1))
        (then (struct.new $circle (i32.const 1) (f64.const 2)))
        (else (array.new_default $arr (i32.const 1)))))))
  (func (export "i31") (param i32) (result i32 i32)
    (i31.get_s (ref.i31 (local.get 0))) (i31.get_u (ref.i31 (local.get 0))))
  (func (export "i31_null") (result i32) (i31.get_s (ref.null i31)))
  (func (export "call_ref") (param i32) (result i32)
    (call_ref $fn (local.get 0) (ref.func $inc)))
  (func (export "call_null") (result i32)
    (call_ref $fn (i32.const 1) (ref.null $fn)))
  (func (export "eq") (result i32)
    (local $p (ref $pt))
    (local.set $p (global.get $g))
    (i32.add (ref.eq (local.get $p) (global.get $g))
      (i32.add (i32.mul (i32.const 2) (ref.eq (ref.i31 (i32.const 3)) (ref.i31 (i32.const 3))))
               (i32.mul (i32.const 4) (ref.eq (struct.new_default $pt) (struct.new_default $pt))))))
  (func (export "bad_cast") (result i32)
    (struct.get $circle 0 (ref.cast (ref $circle) (struct.new $square (i32.const 1) (i64.const 3)))))
  (func (export "null_struct") (result i32) (struct.get $pt $x (ref.null $pt)))
  (func (export "as_non_null") (param anyref) (result anyref) (ref.as_non_null (local.get 0)))
  (func (export "on_null") (param anyref) (result i32)
    (block $l (br_on_null $l (local.get 0)) (drop) (return (i32.const 1)))
    (i32.const 0))
  (func (export "on_non_null") (param anyref) (result i32)
    (drop (block $l (result (ref any)) (br_on_non_null $l (local.get 0)) (return (i32.const 0))))
    (i32.const 1))
  (func (export "convert") (param externref) (result externref)
    (extern.convert_any (any.convert_extern (local.get 0))))
  (func (export "identity") (param anyref) (result anyref) (local.get 0))
)`;

describe('GC', () => {
  for (const [config, load] of CONFIGS) {
    it(`computes what the spec says: ${config}`, async () => {
      const module = load(await parse(GC));
      const e = new Ours.Instance(module, {}).exports as any;
      const calls: [string, unknown[], Outcome][] = [
        ['structs', [], { value: 42 + -1 + 44 + -32768 + 65535 }],
        ['struct_default', [], { value: 0n }],
        ['arrays', [5], { value: 100 + 5 + 5 + 100 + 5 }],
        ['get', [1], { value: 0 }],
        ['get', [2], { trap: 'out of bounds array access' }],
        ['get', [-1], { trap: 'out of bounds array access' }],
        ['set', [2], { trap: 'out of bounds array access' }],
        ['bytes', [], { value: -56 + 255 }],
        ['data', [0, 1], { value: 0x0807060504030201n }],
        ['data', [1, 1], { trap: 'out of bounds memory access' }],
        ['elem', [1], { value: 2 }],
        ['floats', [], { value: 1.75 }],
        ['nulls', [1], { value: 7 }],
        ['nulls', [0], { trap: 'null structure reference' }],
        ['ref_get', [1], { value: null }],
        ['ref_get', [2], { trap: 'out of bounds array access' }],
        ['ref_get', [-1], { trap: 'out of bounds array access' }],
        ['ref_set', [1], { value: undefined }],
        ['ref_set', [2], { trap: 'out of bounds array access' }],
        ['null_array', [0], { trap: 'null array reference' }],
        ['null_array_set', [5], { trap: 'null array reference' }],
        ['casts', [], { value: 2.25 }],
        ['cast_fail', [null], { value: -1 }],
        ['tests', [5], { value: 1 + 4 }],
        ['tests', [null], { value: 4 }],
        ['tests', [{}], { value: 0 }],
        ['tests', [1.5], { value: 0 }],
        ['tests', [2 ** 30], { value: 0 }],
        ['i31', [-1], { value: [-1, 0x7fffffff] }],
        ['i31', [0x40000000], { value: [-0x40000000, 0x40000000] }],
        ['i31_null', [], { trap: 'null i31 reference' }],
        ['call_ref', [41], { value: 42 }],
        ['call_null', [], { trap: 'null function reference' }],
        ['eq', [], { value: 3 }],
        ['bad_cast', [], { trap: 'cast failure' }],
        ['null_struct', [], { trap: 'null structure reference' }],
        ['as_non_null', [null], { trap: 'null reference' }],
        ['as_non_null', [undefined], { value: undefined }],
        ['on_null', [null], { value: 0 }],
        ['on_null', [3], { value: 1 }],
        ['on_non_null', [null], { value: 0 }],
        ['on_non_null', [{}], { value: 1 }],
        ['convert', [-0], { value: -0 }], // -0 is no i31 (as in V8 and SpiderMonkey): a host value
        ['tests', [-0], { value: 0 }],
        ['convert', ['text'], { value: 'text' }],
      ];
      for (const [name, args, expected] of calls) {
        const got = outcome(() => e[name](...args));
        expect({ call: `${name}(${args.map(String).join(', ')})`, ...got }).toEqual({ call: `${name}(${args.map(String).join(', ')})`, ...expected });
      }
      // Structs and arrays reach JS as opaque objects, the same one each time, and come back as themselves.
      const circle = e.make(1);
      const array = e.make(2);
      expect(e.tests(circle)).toBe(2 + 4 + 8);
      expect(e.tests(array)).toBe(4 + 16);
      expect(e.cast_fail(circle)).toBe(1);
      expect(e.identity(circle)).toBe(circle);
      expect(e.convert(circle)).toBe(circle);
      expect(e.make(0)).toBe(-5);
      for (const object of [circle, array]) {
        expect(typeof object).toBe('object');
        expect(Object.getPrototypeOf(object)).toBe(null);
        expect(Reflect.ownKeys(object)).toEqual([]);
        expect(object.f0).toBe(undefined);
        expect(Object.isExtensible(object)).toBe(false);
        // Every change throws, as in V8 (Reflect's too, which return false for an ordinary frozen object).
        expect(() => { 'use strict'; object.f0 = 1; }).toThrow(TypeError);
        expect(() => Reflect.set(object, 'f0', 1)).toThrow(TypeError);
        expect(() => delete object.f0).toThrow(TypeError);
        expect(() => Object.defineProperty(object, 'x', { value: 1 })).toThrow(TypeError);
        expect(() => Object.setPrototypeOf(object, null)).toThrow(TypeError);
        expect(() => Object.preventExtensions(object)).toThrow(TypeError);
        expect(Object.isFrozen(object)).toBe(true);
      }
    });
  }

  it('v128 fields and elements: four words, written whole', async () => {
    const text = `(module
      (type $s (struct (field (mut v128)) (field i32)))
      (type $a (array (mut v128)))
      (data $d "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00")
      (func (export "field") (param i32) (result i32)
        (local $x (ref $s))
        (local.set $x (struct.new $s (v128.const i32x4 1 2 3 4) (i32.const 9)))
        (struct.set $s 0 (local.get $x) (i32x4.add (struct.get $s 0 (local.get $x)) (v128.const i32x4 10 20 30 40)))
        (i32.add (struct.get $s 1 (local.get $x)) (i32x4.extract_lane 3 (struct.get $s 0 (local.get $x)))))
      (func (export "default") (result i32) (i32x4.extract_lane 2 (struct.get $s 0 (struct.new_default $s))))
      (func (export "elements") (param i32) (result i32)
        (local $a (ref $a))
        (local.set $a (array.new $a (v128.const i32x4 5 6 7 8) (i32.const 3)))
        (array.set $a (local.get $a) (i32.const 1) (v128.const i32x4 -1 -1 -1 -1))
        (array.fill $a (local.get $a) (i32.const 2) (v128.const i32x4 0 0 0 100) (i32.const 1))
        (i32x4.extract_lane 3 (array.get $a (local.get $a) (local.get 0))))
      (func (export "data") (result i32) (i32x4.extract_lane 2 (array.get $a (array.new_data $a $d (i32.const 0) (i32.const 1)) (i32.const 0))))
      (func (export "fixed") (result i32)
        (i32x4.extract_lane 0 (array.get $a (array.new_fixed $a 2 (v128.const i32x4 1 1 1 1) (v128.const i32x4 7 7 7 7)) (i32.const 1)))))`;
    for (const [config, load] of CONFIGS) {
      const e = new Ours.Instance(load(await parse(text)), {}).exports as any;
      expect([config, e.field(0), e.default(), e.elements(0), e.elements(1), e.elements(2), e.data(), e.fixed()]).toEqual([config, 9 + 44, 0, 8, -1, 100, 3, 7]);
      expect(outcome(() => e.elements(3))).toEqual({ trap: 'out of bounds array access' });
    }
  });

  it('types are canonical across modules: a struct made in one module passes a cast in another', async () => {
    const maker = `(module
      (rec (type $a (struct (field i32) (field (ref null $b)))) (type $b (struct (field f64))))
      (func (export "make") (result anyref) (struct.new $a (i32.const 1) (ref.null $b))))`;
    const tester = `(module
      (type $x (struct (field i64)))
      (rec (type $a (struct (field i32) (field (ref null $b)))) (type $b (struct (field f64))))
      (rec (type $c (struct (field i32) (field (ref null $d)))) (type $d (struct (field f32))))
      (func (export "is_a") (param anyref) (result i32) (ref.test (ref $a) (local.get 0)))
      (func (export "is_c") (param anyref) (result i32) (ref.test (ref $c) (local.get 0))))`;
    for (const [config, load] of CONFIGS) {
      const made = (new Ours.Instance(load(await parse(maker)), {}).exports as any).make();
      const test = new Ours.Instance(load(await parse(tester)), {}).exports as any;
      expect([config, test.is_a(made), test.is_c(made)]).toEqual([config, 1, 0]);
    }
  });

  it('the JS boundary checks reference types', async () => {
    const text = `(module
      (type $f (func (param i32) (result i32)))
      (type $g (func))
      (type $s (struct))
      (func $id (export "id") (type $f) (local.get 0))
      (func (export "g") (type $g))
      (func (export "take_f") (param (ref $f)) (result i32) (call_ref $f (i32.const 5) (local.get 0)))
      (func (export "take_eq") (param eqref) (result i32) (ref.is_null (local.get 0)))
      (func (export "take_s") (param (ref null $s)) (result i32) (ref.is_null (local.get 0)))
      (func (export "take_i31") (param (ref i31)) (result i32) (i31.get_s (local.get 0)))
      (func (export "make_s") (result anyref) (struct.new $s))
      (global (export "glob") (mut anyref) (ref.null any))
      (table (export "tab") 2 (ref null $f) (ref.func $id)))`;
    for (const [config, load] of CONFIGS) {
      const e = new Ours.Instance(load(await parse(text)), {}).exports as any;
      const check = (fn: () => unknown): Outcome => outcome(fn);
      expect([config, check(() => e.take_f(e.id))]).toEqual([config, { value: 5 }]);
      expect([config, check(() => e.take_f(e.g))]).toEqual([config, { typeError: true }]);
      expect([config, check(() => e.take_f(null))]).toEqual([config, { typeError: true }]);
      expect([config, check(() => e.take_f(() => 1))]).toEqual([config, { typeError: true }]);
      expect([config, check(() => e.take_eq(7))]).toEqual([config, { value: 0 }]);
      expect([config, check(() => e.take_eq({}))]).toEqual([config, { typeError: true }]);
      expect([config, check(() => e.take_eq(null))]).toEqual([config, { value: 1 }]);
      expect([config, check(() => e.take_s(e.make_s()))]).toEqual([config, { value: 0 }]);
      expect([config, check(() => e.take_s(7))]).toEqual([config, { typeError: true }]);
      expect([config, check(() => e.take_i31(-3))]).toEqual([config, { value: -3 }]);
      expect([config, check(() => e.take_i31(2 ** 30))]).toEqual([config, { typeError: true }]);
      const s = e.make_s();
      e.glob.value = s;
      expect(e.glob.value).toBe(s);
      e.glob.value = 12;
      expect(e.glob.value).toBe(12);
      expect(e.tab.get(1)).toBe(e.id);
      expect(check(() => e.tab.set(0, e.g))).toEqual({ typeError: true });
      e.tab.set(0, null);
      expect(e.tab.get(0)).toBe(null);
    }
  });

  it('typed function references: return_call_ref loops without stack, locals must be set before they are read', async () => {
    const text = `(module
      (type $f (func (param i64 i64) (result i64)))
      (elem declare func $sum)
      (func $sum (type $f)
        (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
          (else (return_call_ref $f (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (local.get 0)) (ref.func $sum)))))
      (func (export "sum") (param i64) (result i64) (call $sum (local.get 0) (i64.const 0)))
      (func (export "local") (param $p (ref extern)) (result externref)
        (local $x (ref extern))
        (local.set $x (local.get $p))
        (local.get $x)))`;
    for (const [config, load] of CONFIGS) {
      const e = new Ours.Instance(load(await parse(text)), {}).exports as any;
      expect([config, e.sum(1000000n)]).toEqual([config, 500000500000n]);
      expect(e.local('x')).toBe('x');
    }
    const uninitialised = `(module (func (local $x (ref extern)) (drop (local.get $x))))`;
    await expect((async () => new Ours.Module(await parse(uninitialised)))()).rejects.toThrow(/uninitialized local/);
  });
});
