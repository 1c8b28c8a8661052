// Values at the JS boundary: ToWebAssemblyValue / ToJSValue in exported
// function calls, host function calls, Global.value and Table.get/set; the
// shape of Exported Functions; and which errors come out of compiled code.

import { describe, expect, it } from 'vitest';
import { WebAssembly as WA, RuntimeError, rt } from '../../runtime/index.js';
import { exportingFunction, funcRef, handModule, sig } from './helpers.js';

function exported(type: Parameters<typeof exportingFunction>[0], raw: (...args: any[]) => any, index = 0): any {
  return new WA.Instance(exportingFunction(type, raw, index).module).exports.f;
}

/** A module importing env.f with `type` and exporting `call`, which forwards its arguments to it. */
function importing(type: ReturnType<typeof sig>, host: unknown): any {
  const { module } = handModule({
    imports: [{ module: 'env', name: 'f', kind: 'function', type }],
    exports: [{ name: 'call', kind: 'function' }, { name: 'f', kind: 'function' }],
    link: ([f]) => [funcRef((...args: any[]) => f.raw(...args), type, 1), f],
  });
  return new WA.Instance(module, { env: { f: host } }).exports;
}

describe('Exported Functions', () => {
  it('are functions named by their index, with length = parameter count, not constructors', () => {
    const f = exported(sig(['i32', 'f64', 'i64'], ['i32']), () => 0, 7);
    expect(typeof f).toBe('function');
    expect(f.name).toBe('7');
    expect(f.length).toBe(3);
    expect(Object.getOwnPropertyDescriptor(f, 'name')).toEqual({ value: '7', writable: false, enumerable: false, configurable: true });
    expect(Object.getOwnPropertyDescriptor(f, 'length')).toEqual({ value: 3, writable: false, enumerable: false, configurable: true });
    expect(() => new f()).toThrow(TypeError);
  });

  it('are made once per function reference', () => {
    const ref = funcRef(() => 1, sig([], ['i32']), 0);
    const table = new WA.Table({ element: 'anyfunc', initial: 1 });
    const { module } = handModule({
      exports: [{ name: 'a', kind: 'function' }, { name: 'b', kind: 'function' }],
      link: () => { table._elems[0] = ref; return [ref, ref]; },
    });
    const { exports } = new WA.Instance(module);
    expect(exports.a).toBe(exports.b);
    expect(table.get(0)).toBe(exports.a);
  });

  it('convert i32 arguments with ToInt32', () => {
    const seen: number[] = [];
    const f = exported(sig(['i32']), (x) => { seen.push(x); });
    for (const value of [3, '3', 2 ** 32 + 5, -1.9, undefined, null, true, { valueOf: () => 9 }, NaN, Infinity]) f(value);
    expect(seen).toEqual([3, 3, 5, -1, 0, 0, 1, 9, 0, 0]);
    expect(() => f(1n)).toThrow(TypeError);
    expect(() => f(Symbol())).toThrow(TypeError);
  });

  it('convert i64 arguments with ToBigInt64: numbers are a TypeError', () => {
    const seen: bigint[] = [];
    const f = exported(sig(['i64']), (x) => { seen.push(x); });
    for (const value of [5n, '5', true, 2n ** 63n, -(2n ** 64n) - 1n, { valueOf: () => 9n }]) f(value);
    expect(seen).toEqual([5n, 5n, 1n, -(2n ** 63n), -1n, 9n]);
    for (const value of [5, undefined, null, Symbol(), { valueOf: () => 8 }]) expect(() => f(value)).toThrow(TypeError);
    expect(() => f('x')).toThrow(SyntaxError);
  });

  it('convert f32 arguments with ToNumber and round them to float32, f64 with ToNumber', () => {
    const seen: number[] = [];
    const f = exported(sig(['f32', 'f64']), (x, y) => { seen.push(x, y); });
    f(0.1, 0.1);
    f('1.5', '2.5');
    expect(seen).toEqual([Math.fround(0.1), 0.1, 1.5, 2.5]);
    expect(() => f(1n, 0)).toThrow(TypeError);
    expect(() => f(0, 1n)).toThrow(TypeError);
  });

  it('return undefined, one value, or an array for several results', () => {
    expect(exported(sig([]), () => undefined)()).toBe(undefined);
    expect(exported(sig([], ['i64']), () => -5n)()).toBe(-5n);
    const internal = [1, 2n, 3.5];
    const multi = exported(sig([], ['i32', 'i64', 'f64']), () => internal);
    const result = multi();
    expect(result).toEqual([1, 2n, 3.5]);
    expect(Array.isArray(result)).toBe(true);
    expect(result).not.toBe(internal);
  });

  it('convert funcref arguments and results through exported functions', () => {
    const target = exported(sig([], ['i32']), () => 42);
    const identity = exported(sig(['funcref'], ['funcref']), (ref) => ref);
    expect(identity(target)).toBe(target);
    expect(identity(null)).toBe(null);
    expect(() => identity(() => 1)).toThrow(TypeError);
    expect(() => identity(undefined)).toThrow(TypeError);
    const pair = exported(sig([], ['funcref', 'externref']), () => [null, 'x']);
    expect(pair()).toEqual([null, 'x']);
  });

  it('pass any value as externref, undefined included', () => {
    const identity = exported(sig(['externref'], ['externref']), (x) => x);
    const object = {};
    for (const value of [undefined, null, 0, -0, 'x', object, Symbol.iterator]) expect(Object.is(identity(value), value)).toBe(true);
  });

  it('throw TypeError on every call when the signature has v128', () => {
    const f = exported(sig(['v128']), () => undefined);
    expect(() => f()).toThrow(TypeError);
  });

  it('convert arguments before calling, in order, and outside the trap mapping', () => {
    const order: string[] = [];
    let called = false;
    const f = exported(sig(['i32', 'i32']), () => { called = true; });
    expect(() => f({ valueOf() { order.push('a'); return 1; } }, { valueOf() { order.push('b'); throw new RangeError('mine'); } })).toThrow(RangeError);
    expect(order).toEqual(['a', 'b']);
    expect(called).toBe(false);
  });

  it('handle every arity', () => {
    for (let arity = 0; arity <= 9; arity++) {
      const params = new Array(arity).fill('i32');
      const sum = exported(sig(params, ['i32']), (...args: number[]) => args.reduce((a, b) => a + b, 0));
      expect(sum.length).toBe(arity);
      expect(sum(...params.map((_, i) => `${i + 1}`))).toBe((arity * (arity + 1)) / 2);
      const mixed = exported(sig([...params, 'f64'], ['f64']), (...args: number[]) => args.reduce((a, b) => a + b, 0));
      expect(mixed(...params.map(() => 1), 0.5)).toBe(arity + 0.5);
    }
  });
});

describe('errors leaving compiled code', () => {
  it('a RangeError from a DataView bounds check becomes RuntimeError("out of bounds memory access")', () => {
    const dv = new DataView(new ArrayBuffer(8));
    const f = exported(sig(['i32'], ['i32']), (address) => dv.getInt32(address >>> 0, true));
    expect(f(4)).toBe(0);
    expect(() => f(5)).toThrow(new RuntimeError('out of bounds memory access'));
    expect(() => f(-1)).toThrow(RuntimeError);
  });

  it('traps from rt helpers come out as they are', () => {
    const f = exported(sig(['i32', 'i32'], ['i32']), rt.i32DivS);
    expect(() => f(1, 0)).toThrow(new RuntimeError('integer divide by zero'));
  });

  it('errors thrown by host functions pass through wasm unchanged, RangeErrors included', () => {
    const mine = new RangeError('mine');
    const { call } = importing(sig([]), () => { throw mine; });
    let caught: unknown;
    try { call(); } catch (error) { caught = error; }
    expect(caught).toBe(mine);
    const thrown = { not: 'an error' };
    expect(() => importing(sig([]), () => { throw thrown; }).call()).toThrow(expect.objectContaining({ not: 'an error' }));
  });

  it('stack exhaustion stays the engine\'s own error', () => {
    let recurse: (n: number) => number;
    const f = exported(sig(['i32'], ['i32']), (recurse = (n: number): number => recurse(n + 1) + 1));
    expect(() => f(0)).toThrow(RangeError);
    try { f(0); } catch (error) {
      expect(error).not.toBeInstanceOf(RuntimeError);
    }
  });
});

describe('host functions (imported JS functions)', () => {
  it('are called with this = undefined and JS values', () => {
    let receiver: unknown = 'unset';
    let args: unknown[] = [];
    const { call } = importing(sig(['i32', 'i64', 'f32', 'externref']), function (this: unknown, ...a: unknown[]) { receiver = this; args = a; });
    call(1, 2n, 0.5, 'x');
    expect(receiver).toBe(undefined);
    expect(args).toEqual([1, 2n, 0.5, 'x']);
  });

  it('get funcref arguments as exported functions', () => {
    const target = exported(sig([]), () => undefined);
    let received: unknown;
    const { call } = importing(sig(['funcref', 'i32']), (f: unknown) => { received = f; });
    call(target, 0);
    expect(received).toBe(target);
  });

  it('have their result converted to the declared type', () => {
    expect(importing(sig([], ['i32']), () => '7').call()).toBe(7);
    expect(importing(sig([], ['i32']), () => 2 ** 32 + 1).call()).toBe(1);
    expect(importing(sig([], ['f32']), () => 0.1).call()).toBe(Math.fround(0.1));
    expect(importing(sig([], ['i64']), () => 2n ** 64n + 3n).call()).toBe(3n);
    expect(() => importing(sig([], ['i64']), () => 3).call()).toThrow(TypeError);
    expect(importing(sig([]), () => 'ignored').call()).toBe(undefined);
  });

  it('return several results as any iterable of exactly that many values', () => {
    const type = sig([], ['i32', 'f64']);
    expect(importing(type, () => ['1', 2.5]).call()).toEqual([1, 2.5]);
    expect(importing(type, () => new Set([3, 4])).call()).toEqual([3, 4]);
    expect(importing(type, function* () { yield 5; yield 6; }).call()).toEqual([5, 6]);
    expect(() => importing(type, () => [1]).call()).toThrow(TypeError);
    expect(() => importing(type, () => [1, 2, 3]).call()).toThrow(TypeError);
    expect(() => importing(type, () => 1).call()).toThrow(TypeError);
    expect(() => importing(type, () => undefined).call()).toThrow(TypeError);
  });

  it('get the iterator method once', () => {
    let gets = 0;
    const result = { get [Symbol.iterator]() { gets++; return function* () { yield 1; yield 2; }; } };
    importing(sig([], ['i32', 'i32']), () => result).call();
    expect(gets).toBe(1);
  });

  it('re-exported, become new Exported Functions named by their import index', () => {
    const host = () => 1;
    const { f } = importing(sig([], ['i32']), host);
    expect(f).not.toBe(host);
    expect(f.name).toBe('0');
    expect(f()).toBe(1);
  });
});

describe('WebAssembly.Table', () => {
  it('has name, length and toStringTag', () => {
    expect(WA.Table.name).toBe('Table');
    expect(WA.Table.length).toBe(1);
    expect(Object.prototype.toString.call(new WA.Table({ element: 'anyfunc', initial: 0 }))).toBe('[object WebAssembly.Table]');
  });

  it('checks the descriptor like the JS API', () => {
    for (const descriptor of [undefined, null, false, true, '', 'test', Symbol(), 1, NaN, {}]) {
      expect(() => new WA.Table(descriptor as any)).toThrow(TypeError);
    }
    expect(() => (WA.Table as any)({ element: 'anyfunc', initial: 0 })).toThrow(TypeError);
    expect(() => new WA.Table({ element: 'anyfunc', initial: undefined } as any)).toThrow(TypeError);
    expect(() => new WA.Table({ element: undefined, initial: 0 } as any)).toThrow(TypeError);
    expect(() => new WA.Table({ element: 'i32', initial: 0 })).toThrow(TypeError);
    for (const value of [NaN, Infinity, -Infinity, -1, 0x100000000]) {
      expect(() => new WA.Table({ element: 'anyfunc', initial: value })).toThrow(TypeError);
      expect(() => new WA.Table({ element: 'anyfunc', initial: 0, maximum: value })).toThrow(TypeError);
    }
    expect(() => new WA.Table({ element: 'anyfunc', initial: 10, maximum: 9 })).toThrow(RangeError);
    expect(() => new WA.Table({ element: 'anyfunc', initial: 10000001 })).toThrow(RangeError);
    expect(new WA.Table({ element: { toString: () => 'anyfunc' } as any, initial: 1 }).length).toBe(1);
    expect(new WA.Table({ element: 'funcref', initial: 2 }).length).toBe(2);
  });

  it('reads the descriptor in the spec order', () => {
    const order: string[] = [];
    new WA.Table({
      get maximum() { order.push('maximum'); return { valueOf() { order.push('maximum valueOf'); return 1; } }; },
      get initial() { order.push('initial'); return { valueOf() { order.push('initial valueOf'); return 1; } }; },
      get element() { order.push('element'); return { toString() { order.push('element toString'); return 'anyfunc'; } }; },
    } as any);
    expect(order).toEqual(['element', 'element toString', 'initial', 'initial valueOf', 'maximum', 'maximum valueOf']);
  });

  it('fills with null (funcref) or undefined (externref), or the given value', () => {
    expect(new WA.Table({ element: 'anyfunc', initial: 2 }).get(1)).toBe(null);
    const externs = new WA.Table({ element: 'externref', initial: 2 });
    expect(externs.get(0)).toBe(undefined);
    expect(externs._elems).toEqual([undefined, undefined]);
    expect(new WA.Table({ element: 'externref', initial: 1 }, null).get(0)).toBe(null);
    const object = {};
    expect(new WA.Table({ element: 'externref', initial: 3 }, object).get(2)).toBe(object);
    const f = exported(sig([]), () => undefined);
    const funcs = new WA.Table({ element: 'anyfunc', initial: 3 }, f);
    expect(funcs.get(2)).toBe(f);
  });

  it('stores only exported wasm functions or null in a funcref table', () => {
    const table = new WA.Table({ element: 'anyfunc', initial: 1 });
    for (const value of [{}, 'x', 37, () => 1]) {
      expect(() => new WA.Table({ element: 'anyfunc', initial: 1 }, value)).toThrow(TypeError);
      expect(() => table.set(0, value)).toThrow(TypeError);
      expect(() => table.grow(1, value)).toThrow(TypeError);
    }
    const f = exported(sig([]), () => undefined);
    table.set(0, f);
    expect(table.get(0)).toBe(f);
    expect(table._elems[0].raw).toBeTypeOf('function');
    table.set(0);
    expect(table.get(0)).toBe(null);
  });

  it('get/set check the index: TypeError for bad numbers, RangeError out of bounds', () => {
    const table = new WA.Table({ element: 'externref', initial: 2 });
    expect(() => table.get(2)).toThrow(RangeError);
    expect(() => table.set(2, 1)).toThrow(RangeError);
    expect(() => table.get(-1)).toThrow(TypeError);
    expect(() => (table as any).get()).toThrow(TypeError);
    expect(() => table.set(0x100000000, 1)).toThrow(TypeError);
    table.set('1' as any, 'x');
    expect(table.get(1)).toBe('x');
  });

  it('grow returns the old length, appends to the same element array, and respects the maximum', () => {
    const table = new WA.Table({ element: 'externref', initial: 1, maximum: 3 });
    const elems = table._elems;
    expect(table.grow(1, 'a')).toBe(1);
    expect(table.grow(0)).toBe(2);
    expect(table._elems).toBe(elems);
    expect(elems).toEqual([undefined, 'a']);
    expect(() => table.grow(2)).toThrow(RangeError);
    expect(table._grow(2, null)).toBe(-1);
    expect(table._grow(1, null)).toBe(2);
    expect(table.length).toBe(3);
  });

  it('checks receivers', () => {
    const proto = WA.Table.prototype as any;
    for (const receiver of [undefined, {}, proto]) {
      expect(() => proto.get.call(receiver, 0)).toThrow(TypeError);
      expect(() => Object.getOwnPropertyDescriptor(proto, 'length')!.get!.call(receiver)).toThrow(TypeError);
    }
  });
});

describe('WebAssembly.Global', () => {
  it('has name, length, toStringTag', () => {
    expect(WA.Global.name).toBe('Global');
    expect(WA.Global.length).toBe(1);
    expect(Object.prototype.toString.call(new WA.Global({ value: 'i32' }))).toBe('[object WebAssembly.Global]');
  });

  it('checks the descriptor', () => {
    for (const descriptor of [undefined, null, false, true, '', 'test', Symbol(), 1, NaN, {}]) {
      expect(() => new WA.Global(descriptor as any)).toThrow(TypeError);
    }
    for (const value of ['i16', 'i128', 'f16', 'u32', 'i32\0', 'v128']) {
      expect(() => new WA.Global({ value })).toThrow(TypeError);
    }
    expect(() => (WA.Global as any)({ value: 'i32' })).toThrow(TypeError);
  });

  it('reads mutable, then value, then converts the initial value', () => {
    const order: string[] = [];
    new WA.Global({
      get value() { order.push('value'); return { toString() { order.push('value toString'); return 'f64'; } }; },
      get mutable() { order.push('mutable'); return false; },
    } as any, { valueOf() { order.push('valueOf'); return 1; } });
    expect(order).toEqual(['mutable', 'value', 'value toString', 'valueOf']);
  });

  it('defaults to zero, 0n, null, or undefined for externref', () => {
    expect(new WA.Global({ value: 'i32' }).value).toBe(0);
    expect(new WA.Global({ value: 'i64' }).value).toBe(0n);
    expect(new WA.Global({ value: 'i64' }, undefined).value).toBe(0n);
    expect(new WA.Global({ value: 'f32' }).value).toBe(0);
    expect(new WA.Global({ value: 'anyfunc' }).value).toBe(null);
    expect(new WA.Global({ value: 'externref' }).value).toBe(undefined);
  });

  it('converts values like ToWebAssemblyValue', () => {
    expect(new WA.Global({ value: 'i32' }, '3').value).toBe(3);
    expect(new WA.Global({ value: 'i32' }, { toString: () => '5' }).value).toBe(5);
    expect(new WA.Global({ value: 'f32' }, 0.1).value).toBe(Math.fround(0.1));
    expect(new WA.Global({ value: 'i64' }, { valueOf: () => 9n }).value).toBe(9n);
    expect(new WA.Global({ value: 'i64' }, '3').value).toBe(3n);
    for (const value of [null, 666, { valueOf: () => 8 }, Symbol()]) {
      expect(() => new WA.Global({ value: 'i64' }, value)).toThrow(TypeError);
    }
    for (const type of ['i32', 'f32', 'f64']) expect(() => new WA.Global({ value: type }, 0n)).toThrow(TypeError);
    const object = {};
    expect(new WA.Global({ value: 'externref' }, object).valueOf()).toBe(object);
  });

  it('sets mutable globals, and refuses immutable ones before converting', () => {
    const immutable = new WA.Global({ value: 'i32' }, 1);
    expect(() => { immutable.value = { valueOf() { throw new Error('converted'); } }; }).toThrow(TypeError);
    expect(immutable.value).toBe(1);
    const mutable = new WA.Global({ value: 'i64', mutable: true });
    mutable.value = 2n ** 63n;
    expect(mutable.value).toBe(-(2n ** 63n));
    for (const value of [undefined, null, 0, 4.2, Symbol()]) expect(() => { mutable.value = value; }).toThrow(TypeError);
    const i32 = new WA.Global({ value: 'i32', mutable: 1 } as any);
    const setter = Object.getOwnPropertyDescriptor(WA.Global.prototype, 'value')!.set!;
    setter.call(i32, 5);
    expect(i32.value).toBe(5);
    setter.call(i32);
    expect(i32.value).toBe(0);
  });

  it('holds funcrefs as FuncRefs internally and exported functions outside', () => {
    const f = exported(sig([]), () => undefined);
    const global = new WA.Global({ value: 'anyfunc', mutable: true }, f);
    expect(global.value).toBe(f);
    expect(global._v).toBeInstanceOf(rt.FuncRef);
    expect(() => { global.value = () => 1; }).toThrow(TypeError);
    global.value = null;
    expect(global._v).toBe(null);
  });

  it('checks receivers', () => {
    const { get, set } = Object.getOwnPropertyDescriptor(WA.Global.prototype, 'value')!;
    for (const receiver of [undefined, null, {}, 1, WA.Global.prototype]) {
      expect(() => get!.call(receiver)).toThrow(TypeError);
      expect(() => set!.call(receiver, 1)).toThrow(TypeError);
      expect(() => WA.Global.prototype.valueOf.call(receiver)).toThrow(TypeError);
    }
  });
});
