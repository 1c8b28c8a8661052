// Exception handling (WebAssembly 3.0, compiler/emit-exceptions.ts,
// runtime/exception.ts): try_table with its four catch clauses, throw,
// throw_ref and exnref, and the legacy try/catch/catch_all/delegate/rethrow,
// in every configuration wasm2es ships; against native V8 where Node 20's
// V8 has the feature (the legacy encoding), against the spec's semantics
// where it does not (try_table, exnref). Also the JS side: JavaScript
// exceptions pass through wasm unchanged and catch_all catches them, wasm
// exceptions reach JavaScript as WebAssembly.Exception, traps are never
// caught, tags link across modules, and deep nesting compiles.

import { describe, it, expect, beforeAll } from 'vitest';
import wabtInit from 'wabt';
import { parse } from 'acorn';
import { compile } from '../compiler/index.js';
import { WebAssembly as Ours } from '../index.js';
import { assembleWith, CONFIGS } from './helpers/configs.js';
import { exportEntry, funcBody, funcType, I32, section, vec, wasmModule } from './helpers/wasm-bytes.js';

const Native = globalThis.WebAssembly;
let wabt: Awaited<ReturnType<typeof wabtInit>>;
beforeAll(async () => {
  wabt = await wabtInit();
});

const assemble = (text: string): Uint8Array => assembleWith(wabt, text, {
  multi_value: true, reference_types: true, simd: true, tail_call: true, exceptions: true,
});

type Outcome = { value: unknown } | { trap: string } | { exception: true } | { error: string };
function outcome(fn: () => unknown, ns: any): Outcome {
  try {
    return { value: fn() };
  } catch (error) {
    if (error instanceof ns.RuntimeError) return { trap: (error as Error).message };
    if (error instanceof ns.Exception) return { exception: true };
    return { error: `${(error as Error)?.constructor?.name}: ${(error as Error)?.message}` };
  }
}

/** Each configuration's outcome of each call must be native V8's (trap messages aside: V8's are its own). */
function differential(text: string, calls: [string, unknown[]][], imports: (ns: any) => object = () => ({})): void {
  const bytes = assemble(text);
  expect(() => parse(compile(bytes, { format: 'esm' }).code, { ecmaVersion: 'latest', sourceType: 'module' })).not.toThrow();
  const native = new Native.Instance(new Native.Module(bytes), imports(Native) as any);
  const expectations = calls.map(([name, args]) => outcome(() => (native.exports[name] as Function)(...args), Native));
  for (const [config, load] of CONFIGS) {
    const ours = new Ours.Instance(load(bytes), imports(Ours) as any);
    for (const [i, [name, args]] of calls.entries()) {
      const expected = expectations[i];
      const actual = outcome(() => (ours.exports[name] as Function)(...args), Ours);
      if ('trap' in expected && 'trap' in actual) continue;
      expect(actual, `${config}: ${name}(${args.map(String).join(', ')})`).toEqual(expected);
    }
  }
}

/** Each configuration's outcome of each call must be the expected one (for what Node 20's V8 cannot run). */
function expectAll(text: string, calls: [string, unknown[], Outcome][], imports: (ns: any) => object = () => ({})): void {
  const bytes = assemble(text);
  for (const [config, load] of CONFIGS) {
    const ours = new Ours.Instance(load(bytes), imports(Ours) as any);
    for (const [name, args, expected] of calls) {
      const actual = outcome(() => (ours.exports[name] as Function)(...args), Ours);
      expect(actual, `${config}: ${name}(${args.map(String).join(', ')})`).toEqual(expected);
    }
  }
}

const LEGACY = `(module
  (tag $e0 (param i32))
  (tag $e1)
  (tag $e2 (param f64 i64))
  (tag $ev (param v128 i32))
  (func $thrower (param i32) (if (local.get 0) (then (throw $e0 (i32.const 42)))))
  (func (export "catch") (param i32) (result i32)
    (try (result i32)
      (do (call $thrower (local.get 0)) (i32.const 1))
      (catch $e0 (i32.const 100) (i32.add))
      (catch_all (i32.const 5))))
  (func (export "catch_all") (param i32) (result i32)
    (try (result i32)
      (do (if (local.get 0) (then (throw $e1))) (i32.const 1))
      (catch $e0)
      (catch_all (i32.const 5))))
  (func (export "uncaught") (param i32) (result i32)
    (try (result i32) (do (call $thrower (local.get 0)) (i32.const 1)) (catch $e1 (i32.const 2))))
  (func (export "delegate") (param i32) (result i32)
    (try (result i32)
      (do (try (result i32)
        (do (try (result i32) (do (call $thrower (local.get 0)) (i32.const 3)) (delegate 1)))
        (catch $e0 (i32.const 11) (i32.add))))
      (catch $e0 (i32.const 22) (i32.add))))
  (func (export "delegate_to_caller") (param i32) (result i32)
    (try (result i32)
      (do (try (result i32) (do (try (result i32) (do (call $thrower (local.get 0)) (i32.const 3)) (delegate 2))) (catch_all (i32.const 11))))
      (catch_all (i32.const 22))))
  (func (export "delegate_nested") (param i32) (result i32)
    (try (result i32)
      (do (try (result i32)
        (do (try (result i32)
          (do (try (result i32) (do (call $thrower (local.get 0)) (i32.const 3)) (delegate 2)))
          (delegate 0)))
        (catch $e0 (i32.const 10) (i32.add))))
      (catch $e0 (i32.const 100) (i32.add))))
  (func (export "rethrow") (param i32) (result i32)
    (try (result i32)
      (do (try (result i32) (do (call $thrower (local.get 0)) (i32.const 3)) (catch_all (rethrow 0))))
      (catch $e0 (i32.const 1000) (i32.add))))
  (func (export "rethrow_outer") (param i32) (result i32)
    (try (result i32)
      (do (try (result i32) (do (call $thrower (local.get 0)) (i32.const 3))
        (catch $e0 (drop) (try (result i32) (do (throw $e1)) (catch $e1 (rethrow 1))))))
      (catch $e0 (i32.const 7) (i32.add))))
  (func (export "trap") (result i32) (try (result i32) (do (unreachable)) (catch_all (i32.const 1))))
  (func (export "div") (param i32) (result i32)
    (try (result i32) (do (i32.div_u (i32.const 1) (local.get 0))) (catch_all (i32.const -1))))
  (func (export "loop") (param i32) (result i32) (local i32)
    (loop $l
      (try (do (call $thrower (i32.and (local.get 0) (i32.const 1))))
        (catch $e0 (local.get 1) (i32.add) (local.set 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (local.get 0)))
    (local.get 1))
  (func (export "nan_payload") (result i64)
    (try (result i64)
      (do (throw $e2 (f64.reinterpret_i64 (i64.const 0x7ff0000000000005)) (i64.const -5)))
      (catch $e2 (drop) (i64.reinterpret_f64))))
  (func (export "v128_payload") (result i32)
    (try (result i32)
      (do (throw $ev (v128.const i32x4 1 2 3 4) (i32.const 10)))
      (catch $ev (drop) (i32x4.extract_lane 2))))
  (func (export "branch_out") (param i32) (result i32)
    (block $out (result i32)
      (try (result i32)
        (do (drop (br_if $out (i32.const 9) (i32.eqz (local.get 0)))) (call $thrower (local.get 0)) (i32.const 1))
        (catch $e0 (br $out)))))
  (func (export "locals_survive") (param i32) (result i32) (local i32)
    (try (do (local.set 1 (i32.const 5)) (call $thrower (local.get 0)) (local.set 1 (i32.const 6)))
      (catch_all))
    (local.get 1))
  (func (export "out") (throw $e2 (f64.const 1.5) (i64.const 7)))
)`;

const TRY_TABLE = `(module
  (tag $e0 (param i32))
  (tag $e1)
  (tag $e2 (param i64 i32))
  (func $thrower (param i32)
    (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $e0 (i32.const 42))))
    (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $e1)))
    (if (i32.eq (local.get 0) (i32.const 3)) (then (throw $e2 (i64.const 9) (i32.const 8))))
    (if (i32.eq (local.get 0) (i32.const 4)) (then (unreachable))))
  (func (export "clauses") (param i32) (result i32) (local i32)
    (block $h0 (result i32)
      (block $h2 (result i64 i32 exnref)
        (block $hall (result exnref)
          (try_table (catch $e0 $h0) (catch_ref $e2 $h2) (catch_all_ref $hall)
            (call $thrower (local.get 0)))
          (return (i32.const 0)))
        (drop) (return (i32.const -2)))
      (drop) (local.set 1) (i32.wrap_i64) (local.get 1) (i32.add))
    (i32.const 1000) (i32.add))
  (func (export "rethrow_ref") (param i32) (result i32)
    (block $h (result exnref)
      (try_table (result i32) (catch_all_ref $h) (call $thrower (local.get 0)) (i32.const 5))
      (return))
    (throw_ref))
  (func (export "recatch") (param i32) (result i32)
    (local $x exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
      (return (i32.const 0)))
    (local.set $x)
    (block $h2 (result i32)
      (try_table (catch $e0 $h2) (throw_ref (local.get $x)))
      (unreachable)))
  (func (export "null_ref") (throw_ref (ref.null exn)))
  (func (export "catch_all") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (call $thrower (local.get 0)))
      (return (i32.const 1)))
    (i32.const 2))
  (func (export "loop_target") (param i32) (result i32) (local i32)
    (loop $again
      (try_table (catch $e1 $again)
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (if (i32.ge_u (local.get 1) (i32.const 3)) (then (local.set 0 (i32.const 0))))
        (call $thrower (local.get 0))))
    (local.get 1))
  (func (export "to_function") (param i32) (result i32)
    (try_table (catch $e0 0) (call $thrower (local.get 0)))
    (i32.const 77))
)`;

describe('exception handling', () => {
  it('runs the legacy encoding as native V8 does', () => {
    const calls: [string, unknown[]][] = [];
    for (const name of ['catch', 'catch_all', 'uncaught', 'delegate', 'delegate_to_caller', 'delegate_nested', 'rethrow', 'rethrow_outer', 'div', 'branch_out', 'locals_survive']) {
      calls.push([name, [0]], [name, [1]]);
    }
    calls.push(['div', [2]], ['trap', []], ['loop', [7]], ['nan_payload', []], ['v128_payload', []], ['out', []]);
    differential(LEGACY, calls);
  });

  it('runs try_table, throw_ref and exnref as the spec says', () => {
    expectAll(TRY_TABLE, [
      ['clauses', [0], { value: 0 }],
      ['clauses', [1], { value: 1042 }],
      ['clauses', [2], { value: -2 }],
      ['clauses', [3], { value: 1017 }],
      ['clauses', [4], { trap: 'unreachable' }],
      ['rethrow_ref', [0], { value: 5 }],
      ['rethrow_ref', [1], { exception: true }],
      ['recatch', [1], { value: 42 }],
      ['recatch', [2], { exception: true }],
      ['null_ref', [], { trap: 'null exception reference' }],
      ['catch_all', [2], { value: 2 }],
      ['catch_all', [4], { trap: 'unreachable' }],
      ['loop_target', [2], { value: 3 }],
      ['to_function', [1], { value: 42 }],
      ['to_function', [0], { value: 77 }],
    ]);
  });

  it('lets JavaScript exceptions through unchanged, and catch_all and JSTag catch them', () => {
    const text = `(module
      (import "js" "f" (func $f (param i32)))
      (import "js" "tag" (tag $js (param externref)))
      (func (export "pass") (param i32) (call $f (local.get 0)))
      (func (export "all") (param i32) (result i32)
        (try (result i32) (do (call $f (local.get 0)) (i32.const 1)) (catch_all (i32.const 2))))
      (func (export "ref") (param i32)
        (block $h (result exnref) (try_table (catch_all_ref $h) (call $f (local.get 0))) (return))
        (throw_ref))
      (func (export "jstag") (param i32) (result externref)
        (block $h (result externref) (try_table (catch $js $h) (call $f (local.get 0))) (ref.null extern)))
      (func (export "throw_js") (param externref) (throw $js (local.get 0))))`;
    const bytes = assemble(text);
    for (const [config, load] of CONFIGS) {
      const thrown: unknown[] = [new Error('boom'), 42, null, undefined, new TypeError('t'), new Ours.RuntimeError('made by JS')];
      let next: unknown;
      const f = (i: number): void => {
        if (i) throw next;
      };
      const { exports } = new Ours.Instance(load(bytes), { js: { f, tag: Ours.JSTag } }) as any;
      for (const value of thrown) {
        next = value;
        let caught: unknown = 'nothing';
        try { exports.pass(1); } catch (error) { caught = error; }
        expect(caught, config).toBe(value);
        expect(exports.all(1), config).toBe(2);
        caught = 'nothing';
        try { exports.ref(1); } catch (error) { caught = error; }
        expect(caught, config).toBe(value);
        expect(exports.jstag(1), config).toBe(value);
        caught = 'nothing';
        try { exports.throw_js(value); } catch (error) { caught = error; }
        expect(caught, config).toBe(value);
      }
      expect(exports.all(0), config).toBe(1);
      expect(exports.jstag(0), config).toBe(null);
    }
  });

  it('throws wasm exceptions to JavaScript as WebAssembly.Exception, and catches those JavaScript makes', () => {
    const text = `(module
      (import "js" "f" (func $f))
      (tag $e (export "e") (param i32 i64 f32))
      (func (export "throw") (throw $e (i32.const -1) (i64.const 5) (f32.const 0.5)))
      (func (export "catch") (result i32 i64 f32)
        (block $h (result i32 i64 f32) (try_table (catch $e $h) (call $f)) (unreachable))))`;
    const bytes = assemble(text);
    for (const [config, load] of CONFIGS) {
      let tag: any;
      const f = (): void => { throw new Ours.Exception(tag, [7, 8n, 1.25]); };
      const { exports } = new Ours.Instance(load(bytes), { js: { f } }) as any;
      tag = exports.e;
      expect(tag, config).toBeInstanceOf(Ours.Tag);
      expect(tag.type(), config).toEqual({ parameters: ['i32', 'i64', 'f32'] });
      let caught: any;
      try { exports.throw(); } catch (error) { caught = error; }
      expect(caught, config).toBeInstanceOf(Ours.Exception);
      expect(caught.is(tag), config).toBe(true);
      expect([caught.getArg(tag, 0), caught.getArg(tag, 1), caught.getArg(tag, 2)], config).toEqual([-1, 5n, 0.5]);
      expect(() => caught.getArg(tag, 3), config).toThrow(RangeError);
      expect(exports.catch(), config).toEqual([7, 8n, 1.25]);
    }
  });

  it('never catches a trap, even one that went through JavaScript', () => {
    const inner = assemble(`(module (memory 1) (func (export "oob") (drop (i32.load (i32.const 70000))))
      (func (export "unreachable") (unreachable)))`);
    const outer = `(module
      (import "js" "f" (func $f))
      (memory 1)
      (func $deep (export "deep") (param i32) (result i32) (i32.add (call $deep (local.get 0)) (i32.const 1)))
      (func (export "host") (result i32) (try (result i32) (do (call $f) (i32.const 1)) (catch_all (i32.const 2))))
      (func (export "oob") (result i32) (try (result i32) (do (i32.load (i32.const 70000))) (catch_all (i32.const 2))))
      (func (export "overflow") (result i32) (try (result i32) (do (call $deep (i32.const 0))) (catch_all (i32.const 2)))))`;
    const bytes = assemble(outer);
    for (const [config, load] of CONFIGS) {
      for (const which of ['oob', 'unreachable']) {
        const innerExports = (new Ours.Instance(load(inner), {}) as any).exports;
        const { exports } = new Ours.Instance(load(bytes), { js: { f: innerExports[which] } }) as any;
        expect(() => exports.host(), `${config} ${which}`).toThrow(Ours.RuntimeError);
        expect(() => exports.oob(), config).toThrow(Ours.RuntimeError);
        expect(() => exports.overflow(), config).toThrow(RangeError);
      }
    }
  });

  it('links tags across modules by identity, and checks their types', () => {
    const a = assemble(`(module (tag $e (export "e") (param i32)) (func (export "throw") (param i32) (throw $e (local.get 0))))`);
    const b = assemble(`(module
      (import "a" "e" (tag $e (param i32)))
      (import "a" "throw" (func $throw (param i32)))
      (tag $own (param i32))
      (func (export "catch") (param i32) (result i32)
        (block $h (result i32) (try_table (catch $own $h) (catch $e $h) (call $throw (local.get 0))) (i32.const -1))))`);
    for (const [config, load] of CONFIGS) {
      const modA = load(a);
      const one = (new Ours.Instance(modA, {}) as any).exports;
      const two = (new Ours.Instance(modA, {}) as any).exports;
      expect(one.e, config).not.toBe(two.e);
      const { exports } = new Ours.Instance(load(b), { a: one }) as any;
      expect(exports.catch(5), config).toBe(5);
      // The other instance's tag is another tag: its exception passes.
      const other = new Ours.Instance(load(b), { a: { e: one.e, throw: two.throw } }) as any;
      expect(() => other.exports.catch(5), config).toThrow(Ours.Exception);
      expect(() => new Ours.Instance(load(b), { a: { e: {}, throw: one.throw } }), config).toThrow(Ours.LinkError);
      expect(() => new Ours.Instance(load(b), { a: { e: new Ours.Tag({ parameters: ['i64'] }), throw: one.throw } }), config).toThrow(Ours.LinkError);
      expect(Ours.Module.imports(load(b))[0], config).toEqual({ module: 'a', name: 'e', kind: 'tag' });
      expect(Ours.Module.exports(modA)[0], config).toEqual({ name: 'e', kind: 'tag' });
    }
  });

  it('runs a tail call inside a handler outside it: the handler does not catch the callee', () => {
    const text = `(module
      (tag $e)
      (func $thrower (throw $e))
      (func $callee (result i32) (call $thrower) (i32.const 1))
      (func (export "tail") (result i32)
        (try (result i32) (do (return_call $callee)) (catch_all (i32.const 2))))
      (func (export "tail_table") (result i32)
        (block $h (try_table (catch_all $h) (return_call $callee)) (unreachable))
        (i32.const 2)))`;
    differential(text.replace(/\n\s*\(func \(export "tail_table"\)[\s\S]*\(i32.const 2\)\)\)$/, ')'), [['tail', []]]);
    expectAll(text, [['tail', [], { exception: true }], ['tail_table', [], { exception: true }]]);
  });

  it('keeps exnref off the JavaScript boundary', () => {
    const text = `(module
      (global (export "g") exnref (ref.null exn))
      (table (export "t") 1 exnref)
      (func (export "f") (result exnref) (ref.null exn))
      (func (export "p") (param exnref)))`;
    for (const [config, load] of CONFIGS) {
      const { exports } = new Ours.Instance(load(assemble(text)), {}) as any;
      expect(() => exports.f(), config).toThrow(TypeError);
      expect(() => exports.p(null), config).toThrow(TypeError);
      expect(() => exports.g.value, config).toThrow(TypeError);
      expect(() => exports.t.get(0), config).toThrow(TypeError);
      expect(exports.t.length, config).toBe(1);
    }
  });

  it('compiles handlers nested thousands deep', { timeout: 60_000 }, () => {
    // Legacy handlers that count and rethrow, and try_tables that do not
    // match, alternately, 5,000 deep; in binary (wabt's parser recurses).
    // The 21st handler out keeps the exception: V8 11.3 pays for each
    // exception caught in baseline (Sparkplug) code in proportion to the
    // function's size, and this one is large.
    const depth = 5000;
    const keeper = 40;
    const open: number[] = [];
    const close: number[] = [];
    for (let i = depth - 1; i >= 0; i--) {
      if (i % 2 === 0) open.push(0x06, 0x40); // try
      else open.push(0x02, 0x40, 0x1f, 0x40, 0x01, 0x00, 0x01, 0x00); // block, try_table (catch $other 0)
    }
    for (let i = 0; i < depth; i++) {
      // catch $e (local.set 1 (i32.add (local.get 1) (i32.const 1))) (rethrow 0) end
      if (i === keeper) close.push(0x07, 0x00, 0x20, 0x01, 0x41, 0x01, 0x6a, 0x21, 0x01, 0x0b);
      else if (i % 2 === 0) close.push(0x07, 0x00, 0x20, 0x01, 0x41, 0x01, 0x6a, 0x21, 0x01, 0x09, 0x00, 0x0b);
      else close.push(0x0b, 0x0b);
    }
    const f = [0x06, 0x40, ...open, 0x20, 0x00, 0x10, 0x00, ...close, 0x19, 0x0b, 0x20, 0x01];
    const bytes = wasmModule([
      section(1, vec([funcType([I32], []), funcType([I32], [I32]), funcType([], [])])),
      section(3, vec([[0], [1]])),
      section(13, vec([[0x00, 2], [0x00, 2]])), // tags $e and $other
      section(7, vec([exportEntry('f', 0, 1)])),
      section(10, vec([
        funcBody([], [0x20, 0x00, 0x04, 0x40, 0x08, 0x00, 0x0b]), // (if (local.get 0) (then (throw $e)))
        funcBody([[1, I32]], f),
      ])),
    ]);
    for (const [config, load] of CONFIGS) {
      const { exports } = new Ours.Instance(load(bytes), {}) as any;
      expect(exports.f(0), config).toBe(0);
      expect(exports.f(1), config).toBe(keeper / 2 + 1);
    }
  });
});
