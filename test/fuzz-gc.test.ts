// The differential fuzzer with GC and typed function references
// (test/fuzz/, `--features default,gc`): the feature is opt-in and brings
// reference-types; -ttf gives it to every second module and leaves the
// others byte for byte as without it; the binary reader knows rec groups,
// struct and array types, (ref null? ht) types and the GC instructions;
// references reach the comparison as the JS API shows them (null, an i31 as
// a number, a struct or array as an opaque object, numbered by identity);
// and a GC module that the native engine cannot run (Node 20's V8) is
// counted as beyond native, never as a divergence.

import { describe, it, expect, beforeAll } from 'vitest';
import { decode } from '../compiler/decode.js';
// @ts-ignore -- plain JavaScript modules of the fuzzer
import { nativeEngine, wasm2esEngines } from './fuzz/configs.js';
// @ts-ignore
import { runModule } from './fuzz/execute.js';
// @ts-ignore
import { parseModule, decodeBody, gcUse, encodeValueType, reader } from './fuzz/wasm-binary.js';
// @ts-ignore
import { exposeState } from './fuzz/expose.js';
// @ts-ignore
import { encodeValue, decodeArgument, labels, randomArgument, HOST_OBJECT } from './fuzz/values.js';
// @ts-ignore
import { DEFAULT_FEATURES, OPT_IN_FEATURES, parseFeatures } from './fuzz/features.js';
// @ts-ignore
import { createTally, summary } from './fuzz/tally.js';
// @ts-ignore
import { createRandom } from './fuzz/prng.js';
// @ts-ignore
import { binaryenBin } from './fuzz/binaryen-tool.js';
// @ts-ignore
import { createTtfGenerator } from './fuzz/ttf.js';

const native = nativeEngine({ decode });
let engines: Record<string, any>;
let binaryen: any = null;

beforeAll(async () => {
  engines = await wasm2esEngines();
  try {
    binaryen = (await import('binaryen')).default;
    await binaryen.ready;
  } catch {
    // binaryen is optional: the tests that assemble GC text are skipped
  }
});

/** GC text, which wabt cannot read, assembled by binaryen with every feature on. */
function assemble(text: string): Uint8Array {
  const module = binaryen.parseText(text);
  try {
    module.setFeatures(binaryen.Features.All);
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

const call = (name: string, ...args: string[]) => ({ export: name, args });
const statuses = (result: any) => Object.values(result.configs).map((config: any) => config.status);
/** Native V8 as it is, but rejecting every module, as Node 20's V8 does GC. */
const rejecting = { ...native, compile: () => { throw new WebAssembly.CompileError('unknown type form'); } };

const gcModule = `(module
  (rec
    (type $pair (sub (struct (field (mut i32)) (field (ref null $pair)))))
    (type $bytes (array (mut i8))))
  (type $getter (func (result i32)))
  (import "fuzzing-support" "log-anyref" (func $log (param anyref)))
  (import "__fuzz_import" "extern$" (global $host (ref extern)))
  (global $kept (mut (ref null $pair)) (struct.new $pair (i32.const 7) (ref.null none)))
  (func $seven (type $getter) (i32.const 7))
  (elem declare func $seven)
  (func (export "kept") (result anyref) (global.get $kept))
  (func (export "fresh") (result anyref) (struct.new_default $pair))
  (func (export "bytes") (result (ref $bytes)) (array.new_default $bytes (i32.const 3)))
  (func (export "small") (param i32) (result anyref) (ref.i31 (local.get 0)))
  (func (export "echo") (param anyref) (result anyref)
    (call $log (local.get 0))
    (select (result anyref) (local.get 0) (ref.null none) (i32.const 1)))
  (func (export "eq") (param eqref) (result eqref) (local.get 0))
  (func (export "host") (result externref) (global.get $host))
  (func (export "first") (param (ref null $pair)) (result i32) (struct.get $pair 0 (local.get 0)))
  (func (export "cast") (param anyref) (result i32) (local $p (ref null $pair))
    (drop (block $no (result anyref)
      (local.set $p (br_on_cast_fail $no anyref (ref $pair) (local.get 0)))
      (return (struct.get $pair 0 (local.get $p)))))
    (select (result i32) (i32.const -1) (i32.const -2) (ref.test (ref i31) (local.get 0))))
  (func (export "call") (result i32) (call_ref $getter (ref.func $seven))))`;

describe('the gc feature', () => {
  it('is opt-in, and brings reference-types, which binaryen needs with it', () => {
    expect(DEFAULT_FEATURES).not.toContain('gc');
    expect(OPT_IN_FEATURES).toContain('gc');
    expect(parseFeatures('default,gc')).toEqual([...DEFAULT_FEATURES, 'gc']);
    expect(parseFeatures('mvp,gc')).toEqual(['gc', 'reference-types']);
  });

  it.skipIf(!binaryenBin())('gives GC to every second -ttf module and leaves the others as they were', async () => {
    const ttf = await createTtfGenerator();
    let withGc = 0;
    for (let index = 0; index < 16; index++) {
      const bytes = await ttf.generate(3, index, { features: [...DEFAULT_FEATURES, 'gc'] });
      if (gcUse(parseModule(bytes))) withGc++;
      else expect(bytes, `index ${index}`).toEqual(await ttf.generate(3, index, { features: DEFAULT_FEATURES }));
    }
    expect(withGc).toBeGreaterThan(3);
    expect(withGc).toBeLessThan(13);
  }, 30_000); // 32 modules from wasm-opt, beside the other test files
});

describe('wasm-binary.js with GC', () => {
  it.skipIf(!binaryenBin())('reads rec groups, struct and array types, reference types and the GC instructions', () => {
    const module = parseModule(assemble(gcModule));
    expect(module.types.slice(0, 2)).toEqual([
      { kind: 'struct', fields: [{ type: 'i32', mutable: true }, { type: '(ref null 0)', mutable: false }] },
      { kind: 'array', fields: [{ type: 'i8', mutable: true }] },
    ]);
    expect(module.typeEntries).toHaveLength(module.types.length - 1); // the rec group is one entry
    expect(module.globalTypes.map((global: any) => global.value)).toEqual(['(ref extern)', '(ref null 0)']);
    const signature = (name: string) => module.functionTypes[module.exports.find((entry: any) => entry.name === name).index];
    expect(signature('bytes')).toEqual({ params: [], results: ['(ref 1)'] });
    expect(signature('first')).toEqual({ params: ['(ref null 0)'], results: ['i32'] });
    expect(gcUse(module)).toMatch(/^at 0x[0-9a-f]+, type section$/);
    const cast = decodeBody(module.bodies[module.exports.find((entry: any) => entry.name === 'cast').index - module.importedFunctionCount]);
    const shown = cast.instructions.map((instruction: any) => `${instruction.op.toString(16)}${instruction.sub === undefined ? '' : `.${instruction.sub}`} ${instruction.role}`);
    expect(shown).toEqual(['2 open', '20 plain', 'fb.25 plain', '21 plain', '20 plain', 'fb.2 plain', 'f plain', 'b end', '1a plain', '41 plain', '41 plain', '20 plain', 'fb.20 plain', '1b plain', 'b end']);
    expect(cast.gcAt).toBe(2); // the local's type
    const echo = decodeBody(module.bodies[module.exports.find((entry: any) => entry.name === 'echo').index - module.importedFunctionCount]);
    expect(echo.instructions.map((instruction: any) => instruction.op)).toContain(0x1c); // select (result anyref)
    expect(echo.gcAt).not.toBe(null);
  });

  it('writes value types back as it reads them', () => {
    for (const type of ['i32', 'v128', 'funcref', 'externref', 'exnref', 'anyref', 'nullref', 'i31ref', '(ref any)', '(ref extern)', '(ref 5)', '(ref null 70)', '(ref 100000)']) {
      expect(reader(Uint8Array.from(encodeValueType(type))).valueType(), type).toBe(type);
    }
    expect(reader(Uint8Array.of(0x63, 0x6e)).valueType()).toBe('anyref');
  });

  it.skipIf(!binaryenBin())('exposes the state of a GC module, its types kept as they are', () => {
    const bytes = exposeState(assemble(gcModule));
    expect(WebAssembly.validate(bytes) || !WebAssembly.validate(assemble(gcModule))).toBe(true);
    expect(parseModule(bytes).exports.slice(-2).map((entry: any) => entry.name)).toEqual(['__fuzz_global0', '__fuzz_global1']);
  });
});

describe('references as the comparison sees them', () => {
  it('numbers objects by identity, per side, and tells opaque GC objects from others', () => {
    const side = labels();
    const struct = Object.freeze(Object.create(null));
    expect(encodeValue([struct, HOST_OBJECT, Object.freeze(Object.create(null)), struct, {}], side)).toBe('[opaque#0, host-object, opaque#1, opaque#0, object#2]');
    expect(encodeValue(struct, labels())).toBe('opaque#0');
    expect(encodeValue(null, side)).toBe('null');
    const f = () => 0;
    const g = () => 0;
    Object.defineProperty(g, 'name', { value: 'f' });
    expect([f, g, f].map((value) => encodeValue(value, side))).toEqual(['func:f', 'func:f@1', 'func:f']);
    expect(decodeArgument('host-object')).toBe(HOST_OBJECT);
  });

  it('passes numbers where a JS number can become an i31ref, and null elsewhere', () => {
    const random = createRandom(1, 2, 'args');
    const anyref = Array.from({ length: 200 }, () => randomArgument('anyref', random));
    expect(anyref).toContain('null');
    expect(anyref).toContain('1073741823'); // 2^30 - 1, the largest i31
    expect(anyref).toContain('-0'); // not an i31: a host reference, or a TypeError for eqref
    expect(anyref).toContain('host-object');
    expect(new Set(Array.from({ length: 50 }, () => randomArgument('(ref null 3)', random)))).toEqual(new Set(['null']));
    expect(randomArgument('(ref extern)', random)).toBe('host-object');
  });

  /** An engine whose export `get` returns what `make` gives, for each call. */
  const returning = (name: string, make: () => unknown) => ({
    ...native,
    name,
    instantiate: (module: any, imports: any) => ({ exports: { ...new WebAssembly.Instance(module, imports).exports, get: make } }),
  });
  // Any module with an export "get" will do: the engines above replace it.
  const getter = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 7, 7, 1, 3, 0x67, 0x65, 0x74, 0, 0, 10, 4, 1, 2, 0, 0x0b);

  it('sees a copy where the same object should come back, and an object with properties where an opaque one should', () => {
    const kept = Object.freeze(Object.create(null));
    const reference = returning('native', () => kept);
    const plan = [call('get'), call('get')];
    const run = (engine: any) => runModule(getter, plan, reference, { [engine.name]: engine }).configs[engine.name];
    expect(run(returning('same', () => kept)).status).toBe('same');
    expect(run(returning('copying', () => Object.freeze(Object.create(null)))).divergence.detail).toBe('call 1 get(): returns opaque#1, expected returns opaque#0');
    expect(run(returning('visible', () => ({}))).divergence.detail).toBe('call 0 get(): returns object#0, expected returns opaque#0');
    expect(run(returning('numbered', () => 7)).divergence.detail).toBe('call 0 get(): returns 7, expected returns opaque#0');
  });
});

describe('GC modules on the native engine', () => {
  it.skipIf(!binaryenBin())('are beyond an engine that rejects them, for every configuration', () => {
    const result = runModule(assemble(gcModule), [call('small', '5')], rejecting, engines);
    expect(result.beyondNative).toMatch(/^uses GC or typed function references \(first at 0x[0-9a-f]+, type section\), which this engine does not validate$/);
    expect(new Set(statuses(result))).toEqual(new Set(['beyond-native']));
  });

  it.skipIf(!binaryenBin())('are compared where V8 runs them: results, host calls and state, by the JS API', () => {
    const bytes = exposeState(assemble(gcModule));
    const plan = [
      call('kept'), call('kept'), call('fresh'), call('fresh'), call('bytes'), call('small', '5'), call('small', '-1'),
      call('echo', 'host-object'), call('echo', '3'), call('echo', '1073741824'), call('eq', '-0'), call('eq', '-1073741824'),
      call('host'), call('first', 'null'), call('cast', 'null'), call('cast', '4'), call('call'),
    ];
    if (!WebAssembly.validate(bytes)) {
      expect(runModule(bytes, plan, native, engines).beyondNative).toMatch(/GC or typed function references/);
      return;
    }
    // V8 against itself: the harness adds no difference of its own.
    const result = runModule(bytes, plan, native, { again: { ...nativeEngine(), name: 'again' } }, { trace: true });
    expect(result.configs.again.status).toBe('same');
    expect(result.trace.instantiate.state).toEqual({ __fuzz_global0: 'host-object', __fuzz_global1: 'opaque#0' });
    expect(result.trace.calls.map((step: any) => `${step.outcome}${step.log.length ? ` ${step.log.join(' ')}` : ''}`)).toEqual([
      'returns opaque#0', 'returns opaque#0', 'returns opaque#1', 'returns opaque#2', 'returns opaque#3', 'returns 5', 'returns -1',
      'returns host-object log-anyref(host-object)', 'returns 3 log-anyref(3)', 'returns 1073741824 log-anyref(1073741824)',
      'throws TypeError', 'returns -1073741824', 'returns host-object', 'throws RuntimeError', 'returns -2', 'returns -1', 'returns 7',
    ]);
  });
});

describe('the summary', () => {
  it('says what became of the modules that use GC', () => {
    const options = { configs: ['jit'], seed: 1, jobs: 1, features: [...DEFAULT_FEATURES, 'gc'], rounds: 2 };
    const tally = createTally(options, ['ttf']);
    tally.add({ generator: 'ttf', index: 0, gc: true, calls: 0, nativeCompile: 'ok', configs: { jit: { status: 'unsupported', calls: 0 } } });
    tally.add({ generator: 'ttf', index: 1, gc: true, calls: 0, nativeCompile: 'throws CompileError', beyondNative: 'uses GC or typed function references (first at 0x9, type section), which this engine does not validate', configs: { jit: { status: 'beyond-native', calls: 0 } } });
    tally.add({ generator: 'ttf', index: 2, gc: true, calls: 4, nativeCompile: 'ok', configs: { jit: { status: 'same', calls: 4 } } });
    tally.add({ generator: 'ttf', index: 3, calls: 2, nativeCompile: 'ok', configs: { jit: { status: 'same', calls: 2 } } });
    expect(summary(tally, options)).toMatch(/\n  3 modules use GC or typed function references: 1 compared, 0 divergences, 1 rejected as unsupported, 1 beyond native\n/);
  });
});
