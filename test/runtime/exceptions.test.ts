// WebAssembly.Tag and WebAssembly.Exception (exception handling, 3.0) of the
// runtime, side by side with V8's own where V8 follows the JS API, and
// against the API's text where Node 20's V8 (11.3) does not.

import { describe, expect, it } from 'vitest';
import { WebAssembly as Ours } from '../../runtime/index.js';
import { WebAssembly as Main } from '../../index.js';

const Native = globalThis.WebAssembly as any;
const WA = Ours as any;

/** The error class (or 'ok') of running `run` on both sides, which must be the same. */
function sameOutcome(run: (ns: any) => unknown): string {
  const outcome = (ns: any): string => {
    try {
      run(ns);
      return 'ok';
    } catch (error) {
      return (error as Error).constructor.name;
    }
  };
  const native = outcome(Native);
  expect(outcome(WA)).toBe(native);
  return native;
}

describe('WebAssembly.Tag', () => {
  it('is an interface like the engine\'s', () => {
    for (const ns of [WA, Main]) {
      expect(ns.Tag.length).toBe(1);
      expect(ns.Tag.name).toBe('Tag');
      expect(Object.getOwnPropertyDescriptor(ns, 'Tag')).toMatchObject({ writable: true, enumerable: false, configurable: true });
      expect(Object.prototype.toString.call(new ns.Tag({ parameters: [] }))).toBe('[object WebAssembly.Tag]');
    }
    expect(() => WA.Tag({ parameters: [] })).toThrow(TypeError);
  });

  it('takes a sequence of value types, as V8 does', () => {
    const cases: unknown[] = [
      { parameters: [] }, { parameters: ['i32', 'i64', 'f32', 'f64', 'externref', 'anyfunc'] },
      { parameters: ['x'] }, { parameters: [{ toString: () => 'f64' }] }, {}, undefined, null, 5, { parameters: null },
    ];
    for (const type of cases) sameOutcome((ns) => new ns.Tag(type));
  });

  it('reads `parameters` as a Web IDL sequence (where Node 20\'s V8 reads an array-like)', () => {
    expect(new WA.Tag({ parameters: new Set(['i32', 'f64']) }).type()).toEqual({ parameters: ['i32', 'f64'] });
    expect(() => new WA.Tag({ parameters: 'i32' })).toThrow(TypeError);
    expect(() => new WA.Tag({ parameters: { length: 1, 0: 'i32' } })).toThrow(/iterable/);
    // v128 and funcref are value types; V8 11.3 refuses both in a tag.
    expect(new WA.Tag({ parameters: ['v128', 'funcref'] }).type()).toEqual({ parameters: ['v128', 'anyfunc'] });
  });

  it('gives its type back (type reflection), funcref spelled anyfunc', () => {
    const tag = new WA.Tag({ parameters: ['i32', 'funcref', 'externref', 'v128'] });
    expect(tag.type()).toEqual({ parameters: ['i32', 'anyfunc', 'externref', 'v128'] });
    expect(() => WA.Tag.prototype.type.call({})).toThrow(TypeError);
  });
});

describe('WebAssembly.Exception', () => {
  it('is an interface like the engine\'s, not an Error', () => {
    const tag = new WA.Tag({ parameters: ['i32'] });
    const exception = new WA.Exception(tag, [1]);
    expect(WA.Exception.length).toBe(2); // constructor(Tag, sequence<any>, optional options): V8 11.3 says 1
    expect(Object.prototype.toString.call(exception)).toBe('[object WebAssembly.Exception]');
    expect(exception instanceof Error).toBe(false);
    expect(Object.keys(WA.Exception.prototype).sort()).toEqual(['getArg', 'is']);
    expect(() => WA.Exception(tag, [1])).toThrow(TypeError);
  });

  it('converts the payload to the tag\'s types and back, as V8 does', () => {
    const params = ['i32', 'i64', 'f32', 'f64', 'externref', 'anyfunc'];
    const marker = { marker: true };
    const payload = [2 ** 32 + 7.9, -5n, 1.1, -0, marker, null];
    const nativeTag = new Native.Tag({ parameters: params });
    const ourTag = new WA.Tag({ parameters: params });
    const native = new Native.Exception(nativeTag, payload);
    const ours = new WA.Exception(ourTag, payload);
    for (let i = 0; i < params.length; i++) expect(Object.is(ours.getArg(ourTag, i), native.getArg(nativeTag, i)), params[i]).toBe(true);
    expect(ours.getArg(ourTag, 4)).toBe(marker);
    for (const bad of [[1, 1, 1, 1, 1, 1], ['x', 1n, 1, 1, 1, null]]) {
      sameOutcome((ns) => new ns.Exception(new ns.Tag({ parameters: params }), bad));
    }
    // A funcref is null or an exported wasm function (ToWebAssemblyValue); V8 11.3 takes any function here.
    expect(() => new WA.Exception(ourTag, [1, 1n, 1, 1, 1, () => 0])).toThrow(TypeError);
  });

  it('gives its values only with its own tag, in range', () => {
    const tag = new WA.Tag({ parameters: ['i32', 'i32'] });
    const twin = new WA.Tag({ parameters: ['i32', 'i32'] });
    const exception = new WA.Exception(tag, [1, 2]);
    expect(exception.is(tag)).toBe(true);
    expect(exception.is(twin)).toBe(false);
    expect(exception.getArg(tag, 1)).toBe(2);
    for (const run of [
      (ns: any) => { const t = new ns.Tag({ parameters: ['i32'] }); new ns.Exception(t, [1]).getArg(new ns.Tag({ parameters: ['i32'] }), 0); },
      (ns: any) => { const t = new ns.Tag({ parameters: ['i32'] }); new ns.Exception(t, [1]).getArg(t, 1); },
      (ns: any) => { const t = new ns.Tag({ parameters: ['i32'] }); new ns.Exception(t, [1]).getArg(t, -1); },
      (ns: any) => { const t = new ns.Tag({ parameters: ['i32'] }); new ns.Exception(t, [1]).getArg(t, 2 ** 32); },
      (ns: any) => { const t = new ns.Tag({ parameters: ['i32'] }); new ns.Exception(t, [1]).getArg({}, 0); },
      (ns: any) => { const t = new ns.Tag({ parameters: ['i32'] }); new ns.Exception(t, [1]).is({}); },
      (ns: any) => { const t = new ns.Tag({ parameters: ['i32'] }); ns.Exception.prototype.is.call({}, t); },
      (ns: any) => new ns.Exception({}, []),
      (ns: any) => new ns.Exception(new ns.Tag({ parameters: [] }), 5),
      (ns: any) => new ns.Exception(new ns.Tag({ parameters: [] }), [], 5),
    ]) sameOutcome(run);
  });

  it('refuses a payload of the wrong length (the JS API\'s TypeError; Node 20\'s V8 accepts it)', () => {
    const tag = new WA.Tag({ parameters: ['i32'] });
    expect(() => new WA.Exception(tag, [])).toThrow(TypeError);
    expect(() => new WA.Exception(tag, [1, 2])).toThrow(/takes 1 value\(s\), the payload has 2/);
    expect(() => new WA.Exception(new WA.Tag({ parameters: ['v128'] }), [0])).toThrow(TypeError);
  });

  it('has a stack only when asked (traceStack), as V8 makes it', () => {
    const tag = new WA.Tag({ parameters: [] });
    expect(new WA.Exception(tag, []).stack).toBe(undefined);
    expect('stack' in new WA.Exception(tag, [], { traceStack: false })).toBe(false);
    const traced = new WA.Exception(tag, [], { traceStack: true });
    expect(traced.stack).toMatch(/^Error(: )?\n {4}at /); // vitest formats stacks as "Error: \n"
    expect(traced.stack).not.toMatch(/new Exception/);
    expect(Object.getOwnPropertyDescriptor(traced, 'stack')).toMatchObject({ enumerable: false });
    const nativeTraced = new Native.Exception(new Native.Tag({ parameters: [] }), [], { traceStack: true });
    expect(Object.getOwnPropertyDescriptor(nativeTraced, 'stack')).toMatchObject({ enumerable: false });
  });
});
