// The run-time compiler's lazy mode (compileLazy, LazyOptions in
// compiler/emit.ts): functions are generated on their first call, through
// every way a function can be reached before it exists (exports, tables and
// call_indirect, ref.func, start, another module's import), and once
// generated nothing passes through the stub any more.

import { describe, expect, it } from 'vitest';
import { compileLazy } from '../compiler/index.js';
import { defineModule, Instance, rt, WebAssembly as WA } from '../runtime/index.js';
import { WebAssembly as Polyfill } from '../index.js';
import { wat } from './runtime/helpers.js';

const helpers = Object.keys(rt);

/** Compiles `text` lazily; `generated` lists the function indices in the order their sources were emitted. */
function lazyModule(text: string, tune: 'jit' | 'interpreter' = 'jit') {
  const generated: number[] = [];
  const { body, functionSource } = compileLazy(wat(text), '', helpers, { tune });
  const source = (i: number) => {
    generated.push(i);
    return functionSource(i);
  };
  const module = defineModule(new Function('rt', '$text', body)(rt, source));
  return { module, generated };
}

const TABLE_MODULE = `(module
  (type $i2i (func (param i32) (result i32)))
  (table (export "table") 4 funcref)
  (elem (i32.const 0) $double $square $twice)
  (func $double (type $i2i) (i32.mul (local.get 0) (i32.const 2)))
  (func $square (type $i2i) (i32.mul (local.get 0) (local.get 0)))
  (func $twice (type $i2i) (call_indirect (type $i2i) (call_indirect (type $i2i) (local.get 0) (i32.const 0)) (i32.const 0)))
  (func (export "apply") (param i32 i32) (result i32) (call_indirect (type $i2i) (local.get 1) (local.get 0)))
  (func (export "unused") (result i32) (i32.const 7)))`;

describe('lazy code generation', () => {
  for (const tune of ['jit', 'interpreter'] as const) {
    it(`generates a function on its first call and only then (${tune})`, () => {
      const { module, generated } = lazyModule(TABLE_MODULE, tune);
      const { exports } = new Instance(module, {}) as any;
      expect(generated).toEqual([]);
      expect(exports.apply(1, 5)).toBe(25);
      expect(generated).toEqual([3, 1]);
      expect(exports.apply(2, 5)).toBe(20); // $twice calls $double twice through the table
      expect(generated).toEqual([3, 1, 2, 0]);
      expect(exports.apply(0, 6)).toBe(12);
      expect(() => exports.apply(3, 1)).toThrow(/uninitialized element/);
      expect(generated).toEqual([3, 1, 2, 0]);
    });
  }

  it('replaces the stub in the FuncRef and in every call view once a function exists', () => {
    const { module } = lazyModule(TABLE_MODULE);
    const { exports } = new Instance(module, {}) as any;
    const table = exports.table;
    const ref = table._elems[1];
    const stub = ref.raw;
    expect(exports.apply(1, 3)).toBe(9);
    expect(ref.raw).not.toBe(stub);
    expect(ref._slots).toBeNull();
    const views = [...table._views.values()];
    expect(views.length).toBeGreaterThan(0);
    for (const view of views) expect(view[1]).toBe(ref.raw);
    // The exported function (made when the instance was) follows too.
    expect(table.get(1)(4)).toBe(16);
  });

  it('a function placed in a table after generation, and a stub placed later, both resolve', () => {
    const { module } = lazyModule(TABLE_MODULE);
    const { exports } = new Instance(module, {}) as any;
    const table = exports.table;
    expect(exports.apply(0, 1)).toBe(2); // $double generated
    table.set(3, table.get(1)); // $square, not generated yet, into a new slot
    expect(exports.apply(3, 7)).toBe(49);
    table.set(2, table.get(0));
    expect(exports.apply(2, 7)).toBe(14);
    expect(table._views.values().next().value[3]).toBe(table._elems[1].raw);
  });

  it('runs the start function, ref.func and globals holding references before anything else is generated', () => {
    const { module, generated } = lazyModule(`(module
      (global $g (mut i32) (i32.const 0))
      (global $r funcref (ref.func $seven))
      (table 1 funcref)
      (elem declare func $seven)
      (func $seven (result i32) (i32.const 7))
      (func $start (global.set $g (i32.const 42)))
      (func (export "g") (result i32) (global.get $g))
      (func (export "viaRef") (result i32)
        (table.set (i32.const 0) (ref.func $seven))
        (call_indirect (result i32) (i32.const 0)))
      (func (export "viaGlobal") (result funcref) (global.get $r))
      (start $start))`);
    const { exports } = new Instance(module, {}) as any;
    expect(generated).toEqual([1]);
    expect(exports.g()).toBe(42);
    expect(exports.viaRef()).toBe(7);
    expect(exports.viaGlobal()()).toBe(7);
  });

  it("another module's import of a function not generated yet, and each instance's own state", () => {
    const { module: counter } = lazyModule(`(module
      (global $n (mut i32) (i32.const 0))
      (func (export "next") (result i32) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))`);
    const a = new Instance(counter, {}) as any;
    const b = new Instance(counter, {}) as any;
    const { module: user } = lazyModule(`(module
      (import "c" "next" (func $next (result i32)))
      (func (export "twice") (result i32) (drop (call $next)) (call $next)))`);
    const u = new Instance(user, { c: { next: a.exports.next } }) as any;
    expect(u.exports.twice()).toBe(2);
    expect(u.exports.twice()).toBe(4);
    expect(a.exports.next()).toBe(5);
    expect(b.exports.next()).toBe(1);
  });

  it('is what the package main compiles with: a module from bytes runs, traps stay RuntimeErrors', async () => {
    const bytes = wat(`(module
      (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func (export "fact") (param i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
          (else (i64.mul (local.get 0) (call 1 (i64.sub (local.get 0) (i64.const 1))))))))`);
    const { instance } = await Polyfill.instantiate(bytes, {});
    const exports = instance.exports as any;
    expect(exports.fact(20n)).toBe(2432902008176640000n);
    expect(exports.div(7, 2)).toBe(3);
    expect(() => exports.div(1, 0)).toThrow(Polyfill.RuntimeError);
    expect(() => exports.div(1, 0)).toThrow(/divide by zero/);
    expect(WA.RuntimeError).toBe(Polyfill.RuntimeError);
  });

  it('still rejects an invalid module at compile time, before any function runs', () => {
    const bytes = wat(`(module (func (export "f") (result i32) (i32.const 1)))`);
    const broken = bytes.slice();
    // The body's i32.const (0x41) becomes i64.const: a type error inside the function.
    broken[broken.lastIndexOf(0x41)] = 0x42;
    expect(() => compileLazy(broken, '', helpers)).toThrow(/type mismatch/);
    expect(() => new Polyfill.Module(broken)).toThrow(Polyfill.CompileError);
  });
});
