// Modules without function bodies on the runtime alone (runtime/bodyless.ts):
// what Emscripten's addFunction and sqlite-wasm's jsFuncToWasm build at run
// time, and anything else made of types, imports, tables, memories,
// globals, exports, segments, a start import and custom sections. The
// runtime accepts and rejects exactly what the compiler does (hand-written
// cases, every module of the spec testsuite, and mutants of the body-less
// ones), and instances behave as native V8's, for every way of getting the
// imports right and wrong. Functions put into a table this way are called
// from precompiled code with every kind of signature, and the bundled
// runtime does it in a realm that refuses eval and new Function.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { compile } from '../../compiler/index.js';
import { decode as decodeModule } from '../../compiler/decode.js';
import { decodeBodyless } from '../../runtime/bodyless.js';
import { CompileError, defineModule, rt, WebAssembly as Ours } from '../../runtime/index.js';
import { assembleWith } from '../helpers/configs.js';
import { concat, exportEntry, funcType, leb, name, section, vec, wasmModule } from '../helpers/wasm-bytes.js';
import { createMutant } from '../mutate/mutations.js';
import { findTestsuite } from '../spec/suite.js';
import {
  type Breakage, compileErrorOf, compilerDecision, type Decision, describeInstance, importObject, importPlan,
  beyondNode20, runtimeDecision, side, specModules, tooBig,
} from './bodyless-harness.js';

const wabt = await wabtInit();
const Native = globalThis.WebAssembly;
const FEATURES = { multi_value: true, bulk_memory: true, reference_types: true, sign_extension: true, sat_float_to_int: true, mutable_globals: true, simd: true };

/** Assembles text without validating it, so invalid modules get through. */
function assemble(text: string): Uint8Array {
  const module = wabt.parseWat('test.wat', text, FEATURES);
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

const bytesOf = (module: string | Uint8Array) => (typeof module === 'string' ? assemble(module) : module);

function expectAccepted(module: string | Uint8Array): void {
  const bytes = bytesOf(module);
  expect(compilerDecision(bytes), 'the compiler accepts').toBe('accept');
  expect(Native.validate(bytes), 'V8 accepts').toBe(true);
  expect(runtimeDecision(bytes)).toBe('accept');
  expect(Ours.validate(bytes)).toBe(true);
}

function expectRejected(module: string | Uint8Array, message: RegExp): void {
  const bytes = bytesOf(module);
  expect(compilerDecision(bytes), 'the compiler rejects').toBe('reject');
  expect(compileErrorOf(() => decodeBodyless(bytes))).toMatch(message);
  expect(compileErrorOf(() => decodeBodyless(bytes))).toMatch(/ \(at 0x[0-9a-f]+\)$/);
  expect(Ours.validate(bytes)).toBe(false);
  expect(() => new Ours.Module(bytes)).toThrow(CompileError);
}

/** Emscripten's convertJsFunctionToWasm (src/lib/libaddfunction.js) without WebAssembly.Function, on `WA`. */
function convertJsFunctionToWasm(WA: any, func: Function, sig: string): Function {
  const typeCodes: Record<string, number> = { i: 0x7f, p: 0x7f, j: 0x7e, f: 0x7d, d: 0x7c, e: 0x6f };
  const uleb128Encode = (n: number, target: number[]) => (n < 128 ? target.push(n) : target.push(n % 128 | 128, n >> 7));
  const typeSectionBody = [0x01, 0x60];
  uleb128Encode(sig.length - 1, typeSectionBody);
  for (const paramType of sig.slice(1)) typeSectionBody.push(typeCodes[paramType]);
  if (sig[0] === 'v') typeSectionBody.push(0x00);
  else typeSectionBody.push(0x01, typeCodes[sig[0]]);
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01];
  uleb128Encode(typeSectionBody.length, bytes);
  bytes.push(...typeSectionBody);
  bytes.push(0x02, 0x07, 0x01, 0x01, 0x65, 0x01, 0x66, 0x00, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00);
  const module = new WA.Module(new Uint8Array(bytes));
  const instance = new WA.Instance(module, { e: { f: func } });
  return instance.exports.f;
}

// Body-less modules that use every section and every form the runtime decodes.
const CORPUS_TEXTS: Record<string, string> = {
  empty: '(module)',
  'addFunction (ii)': '(module (type (func (param i32) (result i32))) (import "e" "f" (func (type 0))) (export "f" (func 0)))',
  'every import, re-exported': `(module
    (import "env" "f" (func $f (param i64 f32 f64 i32) (result f64)))
    (import "env" "t" (table $t 2 10 funcref))
    (import "env" "m" (memory $m 1 3))
    (import "env" "g" (global $g i32))
    (import "env" "gm" (global $gm (mut i64)))
    (import "env" "x" (global $x externref))
    (import "env" "v" (func $v))
    (import "env" "mv" (func $mv (param externref funcref) (result i32 i64 f32 f64 externref)))
    (export "f" (func $f)) (export "t" (table $t)) (export "m" (memory $m)) (export "g" (global $g))
    (export "gm" (global $gm)) (export "x" (global $x)) (export "f again" (func $f)) (export "v" (func $v)) (export "mv" (func $mv)))`,
  'everything defined': `(module
    (import "env" "g32" (global $g32 i32))
    (import "env" "gref" (global $gref funcref))
    (import "env" "gext" (global $gext externref))
    (import "env" "f" (func $f (param i32) (result i32)))
    (import "env" "start" (func $start))
    (table $t 8 funcref)
    (table $e 2 8 externref)
    (memory $m 1 2)
    (global $a (mut i32) (i32.const -7))
    (global $b i64 (i64.const -9223372036854775808))
    (global $c f32 (f32.const -0x1.fffffep127))
    (global $d (mut f64) (f64.const -0x1p-1074))
    (global $nan f32 (f32.const nan:0x200001))
    (global $fr funcref (ref.func $f))
    (global $n externref (ref.null extern))
    (global $nf (mut funcref) (ref.null func))
    (global $copy i32 (global.get $g32))
    (global $rc funcref (global.get $gref))
    (global $xc externref (global.get $gext))
    (export "t" (table $t)) (export "e" (table $e)) (export "m" (memory $m))
    (export "a" (global $a)) (export "b" (global $b)) (export "c" (global $c)) (export "d" (global $d)) (export "nan" (global $nan))
    (export "fr" (global $fr)) (export "n" (global $n)) (export "nf" (global $nf)) (export "copy" (global $copy))
    (export "rc" (global $rc)) (export "xc" (global $xc))
    (start $start)
    (elem (i32.const 1) $f $start)
    (elem (table $t) (global.get $g32) func $f)
    (elem (table $e) (i32.const 0) externref (ref.null extern) (global.get $gext))
    (elem (i32.const 3) funcref (ref.func $f))
    (elem func $f)
    (elem funcref (ref.null func) (global.get $gref))
    (elem declare func $start)
    (elem declare funcref (ref.func $f))
    (data (i32.const 16) "hello")
    (data (memory $m) (global.get $g32) "\\00\\ff")
    (data "passive")
    (data (i32.const 65526) "at the end"))`,
  'segments into imported tables and memories': `(module
    (import "env" "t" (table 3 funcref))
    (import "env" "m" (memory 1))
    (import "env" "f" (func $f (param f32) (result i64)))
    (elem (i32.const 0) $f)
    (elem (i32.const 2) $f)
    (data (i32.const 0) "first")
    (data (i32.const 65530) "second"))`,
  'a segment out of bounds after one that fits': `(module
    (import "env" "t" (table 2 funcref))
    (import "env" "m" (memory 1))
    (import "env" "f" (func $f))
    (elem (i32.const 1) $f)
    (elem (i32.const 1) $f $f)
    (data (i32.const 0) "never"))`,
  'data out of bounds after data that fits': `(module
    (import "env" "m" (memory 1))
    (data (i32.const 10) "written")
    (data (i32.const 65535) "too long"))`,
  'a start function that is an import': '(module (import "env" "go" (func $go)) (start $go))',
  'only a memory': '(module (memory (export "memory") 2 65536))',
  'a table past the JS API limit of 10,000,000 elements': '(module (table 10000001 funcref))',
  'globals read from imports': `(module
    (import "a" "i" (global i32)) (import "a" "l" (global i64)) (import "a" "s" (global f32)) (import "a" "d" (global f64))
    (global (export "i") i32 (global.get 0)) (global (export "l") (mut i64) (global.get 1))
    (global (export "s") f32 (global.get 2)) (global (export "d") (mut f64) (global.get 3)))`,
};

/** Bytes only a hand can write: custom sections, a data count section, empty function and code sections. */
const CORPUS_BYTES: Record<string, Uint8Array> = {
  'custom sections anywhere': wasmModule([
    section(0, concat([name('first'), [1, 2, 3]])),
    section(1, [1, ...funcType([], [])]),
    section(0, concat([name('name'), [0xff, 0xff]])), // a broken name section is still a custom section
    section(2, concat([vec([concat([name('m'), name('f'), [0, 0]])])])),
    section(0, concat([name('first'), []])),
    section(7, vec([exportEntry('f', 0, 0)])),
    section(0, concat([name('ünïcødé ✓'), [0]])),
  ]),
  'empty function and code sections, a data count of 0': wasmModule([section(3, [0]), section(12, [0]), section(10, [0])]),
  'a data count and its data': wasmModule([
    section(5, [1, 0, 1]), section(12, [2]), section(11, concat([[2], [1, 2, 0xaa, 0xbb], [0, 0x41, 3, 0x0b, 1, 0xcc]])),
  ]),
  'data segment kind 2 and element segment kind 2 with explicit index 0': wasmModule([
    section(1, [1, ...funcType([], [])]), section(2, concat([vec([concat([name('m'), name('f'), [0, 0]])])])),
    section(4, [1, 0x70, 0, 2]), section(5, [1, 0, 1]),
    section(9, [1, 2, 0, 0x41, 1, 0x0b, 0, 1, 0]),
    section(11, [1, 2, 0, 0x41, 1, 0x0b, 2, 7, 7]),
  ]),
};

/** A module exporting, as "g", an immutable global of `type` initialised by `init` (and `end`). */
const exportedGlobal = (type: number, init: number[]) => wasmModule([section(6, [1, type, 0, ...init, 0x0b]), section(7, vec([exportEntry('g', 3, 0)]))]);

const corpus: { name: string; bytes: Uint8Array }[] = [
  ...Object.entries(CORPUS_TEXTS).map(([label, text]) => ({ name: label, bytes: assemble(text) })),
  ...Object.entries(CORPUS_BYTES).map(([label, bytes]) => ({ name: label, bytes })),
];

const testsuite = findTestsuite();
const spec = testsuite === undefined ? [] : specModules(testsuite, wabt);
/** The spec's modules that are valid and have no function bodies. */
const specBodyless = spec.filter((module) => compilerDecision(module.bytes) === 'accept');

describe('modules without function bodies, from their bytes, on the runtime alone', () => {
  it("loads what Emscripten's addFunction builds and gives the JS function a wasm signature", () => {
    const js = (x: number) => x * 2 + 0.5;
    const ours = convertJsFunctionToWasm(Ours, js, 'ii');
    const native = convertJsFunctionToWasm(Native, js, 'ii');
    for (const f of [ours, native]) {
      expect(f.name).toBe('0');
      expect(f.length).toBe(1);
      expect(f(21)).toBe(42);
      expect(f('7.9')).toBe(14);
    }
    const table = new Ours.Table({ element: 'anyfunc', initial: 1 });
    expect(() => table.set(0, js)).toThrow(TypeError); // why Emscripten builds the module
    table.set(0, ours);
    expect(table.get(0)).toBe(ours);
  });

  it('instantiates several memories (3.0 multi-memory), a data segment in each', () => {
    // (memory (export "a") 1) (memory (export "b") 2), and data in memory 1 then memory 0.
    const bytes = wasmModule([
      section(5, vec([[0x00, 0x01], [0x00, 0x02]])),
      section(7, vec([exportEntry('a', 2, 0), exportEntry('b', 2, 1)])),
      section(11, vec([[0x02, 0x01, 0x41, 0x05, 0x0b, 0x02, 0x68, 0x69], [0x00, 0x41, 0x07, 0x0b, 0x01, 0x21]])),
    ]);
    expect(runtimeDecision(bytes)).toBe('accept');
    expect(compilerDecision(bytes)).toBe('accept');
    const { exports } = new Ours.Instance(new Ours.Module(bytes), {}) as any;
    expect(exports.a.buffer.byteLength).toBe(65536);
    expect(exports.b.buffer.byteLength).toBe(131072);
    expect([...new Uint8Array(exports.b.buffer, 5, 2)]).toEqual([0x68, 0x69]);
    expect(new Uint8Array(exports.a.buffer)[7]).toBe(0x21);
    expect(new Uint8Array(exports.a.buffer)[5]).toBe(0);
  });

  it('links tags (exception handling): imported ones checked, its own made per instance, both exported', () => {
    const bytes = assembleWith(wabt, `(module
      (import "js" "t" (tag $t (param i32)))
      (tag $own (export "own") (param i64 f32))
      (export "t" (tag $t))
      (global (export "g") exnref (ref.null exn))
      (table (export "x") 2 exnref))`, { ...FEATURES, exceptions: true });
    expect(decodeBodyless(bytes)).not.toBeNull();
    const tag = new Ours.Tag({ parameters: ['i32'] });
    const one = new Ours.Instance(new Ours.Module(bytes), { js: { t: tag } }).exports as any;
    const two = new Ours.Instance(new Ours.Module(bytes), { js: { t: tag } }).exports as any;
    expect(one.t).toBe(tag);
    expect(one.own).toBeInstanceOf(Ours.Tag);
    expect(one.own.type()).toEqual({ parameters: ['i64', 'f32'] });
    expect(one.own).not.toBe(two.own);
    expect(() => one.g.value).toThrow(TypeError);
    expect(() => one.x.get(0)).toThrow(TypeError);
    expect(Ours.Module.imports(new Ours.Module(bytes))).toEqual([{ module: 'js', name: 't', kind: 'tag' }]);
    expect(() => new Ours.Instance(new Ours.Module(bytes), { js: { t: new Ours.Tag({ parameters: ['f32'] }) } })).toThrow(Ours.LinkError);
    expect(() => new Ours.Instance(new Ours.Module(bytes), { js: { t: 1 } })).toThrow(Ours.LinkError);
  });

  it('accepts every section and form in the corpus', () => {
    for (const { name: label, bytes } of corpus) {
      expect(runtimeDecision(bytes), label).toBe('accept');
      expect(compilerDecision(bytes), label).toBe('accept');
      expect(Native.validate(bytes), label).toBe(true);
    }
  });

  it('reads imports, exports and custom sections as V8 does', () => {
    for (const { name: label, bytes } of corpus) {
      const ours = new Ours.Module(bytes);
      const native = new Native.Module(bytes);
      expect(Ours.Module.imports(ours), label).toEqual(Native.Module.imports(native));
      expect(Ours.Module.exports(ours), label).toEqual(Native.Module.exports(native));
      for (const sectionName of ['first', 'name', 'ünïcødé ✓', 'missing']) {
        const mine = Ours.Module.customSections(ours, sectionName).map((buffer) => [...new Uint8Array(buffer)]);
        const theirs = Native.Module.customSections(native, sectionName).map((buffer) => [...new Uint8Array(buffer)]);
        expect(mine, `${label}: ${sectionName}`).toEqual(theirs);
      }
    }
    // The bytes are copied: changing the input later changes nothing.
    const bytes = CORPUS_BYTES['custom sections anywhere'].slice();
    const module = new Ours.Module(bytes);
    bytes.fill(0);
    expect(new Uint8Array(Ours.Module.customSections(module, 'first')[0])).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('keeps v128 globals inside wasm: a precompiled module imports the runtime-made global and reads its lanes', () => {
    const words = [0x04030201, -1, 0x7fc00000, 0];
    const bytes = new Uint8Array(words.flatMap((w) => [w & 255, (w >>> 8) & 255, (w >>> 16) & 255, w >>> 24]));
    const module = exportedGlobal(0x7b, [0xfd, 0x0c, ...bytes]);
    expectAccepted(module);
    const { g } = new Ours.Instance(new Ours.Module(module)).exports as any;
    expect(() => g.value).toThrow(TypeError);
    const readerBytes = assemble('(module (import "m" "g" (global v128)) (func (export "lane") (param i32) (result i32) (i8x16.extract_lane_u 2 (i8x16.swizzle (global.get 0) (i8x16.splat (local.get 0))))))');
    const reader = new Ours.Instance(defineModule(new Function('rt', compile(readerBytes, { format: 'body' }).code)(rt)), { m: { g } }).exports as any;
    expect([0, 1, 2, 3, 4, 11, 15].map((i) => reader.lane(i))).toEqual([1, 2, 3, 4, 255, 0x7f, 0]);
  });

  it('says how to precompile a module with function bodies', () => {
    const bytes = assemble('(module (func (export "f") (result i32) (i32.const 1)))');
    expect(decodeBodyless(bytes)).toBeNull();
    expect(() => new Ours.Module(bytes)).toThrow(/not precompiled \(sha256 [0-9a-f]{64}\).*npx wasm2es module\.wasm -o module\.js/);
    expect(Ours.validate(bytes)).toBe(false);
  });

  it('rejects malformed bytes, naming the problem and the offset', () => {
    expectRejected(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), /^magic header not detected \(at 0x4\)$/);
    expectRejected(new Uint8Array([0, 0x61, 0x73]), /^unexpected end \(at 0x3\)$/);
    expectRejected(wasmModule([section(1, [1, 0x60, 1, 0x7f, 0])]).subarray(0, 14), /unexpected end/);
    expectRejected(wasmModule([section(2, [0]), section(1, [0])]), /^unexpected section 1 \(at 0xb\)$/);
    expectRejected(wasmModule([section(1, [0]), section(1, [0])]), /unexpected section 1/);
    expectRejected(wasmModule([section(14, [])]), /unexpected section 14/);
    expectRejected(wasmModule([section(13, [1, 1, 0])]), /malformed/); // a tag attribute other than 0
    expectRejected(wasmModule([section(6, [0]), section(13, [0])]), /unexpected section 13/); // tags come before globals
    expectRejected(wasmModule([section(1, [0, 0])]), /^section size mismatch \(at 0xb\)$/);
    expectRejected(wasmModule([section(1, [0x80, 0x80, 0x80, 0x80, 0x80, 0])]), /integer too large \(at 0xe\)/);
    expectRejected(wasmModule([section(1, [0x80, 0x80, 0x80, 0x80, 0x10])]), /integer too large \(at 0xe\)/);
    expectRejected(wasmModule([section(1, [1, 0x5f, 0, 0])]), /typed references and GC need the compiler/); // a GC struct type (then a stray byte)
    expectRejected(wasmModule([section(6, [1, 0x7b, 0, 0xfd, 0x0f, 0x41, 0, 0x0b])]), /constant expression required/); // i8x16.splat is not constant
    expectRejected(wasmModule([section(0, [2, 0xc0, 0x80])]), /^malformed UTF-8 \(at 0xa\)$/);
    expectRejected(wasmModule([section(7, concat([vec([concat([[3, 0xed, 0xa0, 0x80], [0, 0]])])]))]), /malformed UTF-8/);
    expectRejected(wasmModule([section(2, concat([vec([concat([name('m'), name('t'), [4, 1, 0]])])]))]), /malformed/); // a tag attribute
    expectRejected(wasmModule([section(2, concat([vec([concat([name('m'), name('t'), [5, 0]])])]))]), /malformed/); // no extern kind 5
    expectRejected(wasmModule([section(5, [1, 3, 1, 1])]), /malformed/); // shared memory: threads
    expectRejected(wasmModule([section(4, [1, 0x70, 6, 1])]), /malformed/); // a shared table
    expectRejected(wasmModule([section(12, [1])]), /inconsistent data count/);
    expectRejected(wasmModule([section(12, [0]), section(11, [1, 1, 0])]), /inconsistent data count/);
    expectRejected(wasmModule([section(10, [1, 2, 0, 0x0b])]), /inconsistent function and code section lengths/);
    expectRejected(wasmModule([section(11, [1, 3, 0])]), /malformed/);
    expectRejected(wasmModule([section(9, [1, 8, 0])]), /malformed/);
    expectRejected(wasmModule([section(1, [0xff, 0xff, 0xff, 0xff, 0x0f])]), /too many entries/);
    expectRejected(wasmModule([section(2, [0xa1, 0x8d, 0x06])]), /too many entries/); // 100,001 imports: over V8's limit
  });

  it('rejects invalid modules, naming the problem and the offset', () => {
    expectRejected('(module (global i32 (i64.const 0)))', /^type mismatch: i64, expected i32 \(at 0x[0-9a-f]+\)$/);
    expectRejected('(module (global i32 (i32.const 0) (i32.const 1)))', /constant expression required/);
    expectRejected('(module (global i32 (i32.div_u (i32.const 0) (i32.const 1))))', /constant expression required/);
    expectRejected('(module (global i32 (global.get 1)) (global i32 (i32.const 0)))', /constant expression required: global.get/);
    expectRejected('(module (import "m" "g" (global (mut i32))) (global i32 (global.get 0)))', /constant expression required: global.get/);
    expectRejected('(module (global funcref (ref.func 0)))', /unknown function 0/);
    expectRejected(`(module ${'(memory 1)'.repeat(101)})`, /too many memories/);
    expectRejected(`(module ${'(import "m" "m" (memory 1))'.repeat(100)} (memory 1))`, /too many memories/);
    expectRejected('(module (memory 65537))', /invalid limits/);
    expectRejected('(module (memory 0 65537))', /invalid limits/);
    expectRejected('(module (table 2 1 funcref))', /invalid limits/);
    expectRejected('(module (import "m" "f" (func (type 3))))', /unknown type/);
    expectRejected('(module (global i32 (i32.const 0)) (export "a" (global 1)))', /^unknown global 1 \(at 0x[0-9a-f]+\)$/);
    expectRejected('(module (export "a" (table 0)))', /unknown table 0/);
    expectRejected('(module (export "a" (memory 0)))', /unknown memory 0/);
    expectRejected('(module (export "a" (func 0)))', /unknown function 0/);
    expectRejected('(module (memory 1) (export "a" (memory 0)) (export "a" (memory 0)))', /duplicate export name/);
    expectRejected('(module (import "m" "f" (func (param i32))) (start 0))', /type mismatch: start function/);
    expectRejected('(module (import "m" "f" (func (result i32))) (start 0))', /type mismatch: start function/);
    expectRejected('(module (start 0))', /unknown function 0/);
    expectRejected('(module (import "m" "f" (func)) (table 1 externref) (elem (i32.const 0) func 0))', /type mismatch: table/);
    expectRejected('(module (import "m" "f" (func)) (elem (i32.const 0) func 0))', /unknown table 0/);
    expectRejected('(module (table 1 funcref) (elem (i64.const 0)))', /type mismatch: i64, expected i32/);
    expectRejected('(module (table 1 funcref) (elem (i32.const 0) externref (ref.null extern)))', /type mismatch: table/);
    expectRejected('(module (data (i32.const 0) "x"))', /unknown memory 0/);
    expectRejected('(module (memory 1) (data (f32.const 0) "x"))', /type mismatch: f32, expected i32/);
  });

  it('decides every LEB128 width and UTF-8 sequence as the compiler does', () => {
    // Every last byte of a 5-byte u32 (an import's type index, a table's minimum), s32 (i32.const) and a 10-byte s64 (i64.const).
    for (let last = 0; last < 256; last++) {
      const tableMinimum = wasmModule([section(4, [1, 0x70, 0, 0x80, 0x80, 0x80, 0x80, last])]);
      expect(runtimeDecision(tableMinimum), `table minimum, last byte ${last}`).toBe(compilerDecision(tableMinimum));
      const typeIndex = wasmModule([section(1, [1, ...funcType([], [])]), section(2, concat([vec([concat([name('m'), name('f'), [0, 0x80, 0x80, 0x80, 0x80, last]])])]))]);
      const s32 = exportedGlobal(0x7f, [0x41, 0xff, 0xff, 0xff, 0xff, last]);
      const s64 = exportedGlobal(0x7e, [0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, last]);
      for (const bytes of [typeIndex, s32, s64]) {
        expect(runtimeDecision(bytes), `last byte ${last}`).toBe(compilerDecision(bytes));
        if (runtimeDecision(bytes) === 'accept' && bytes !== typeIndex) {
          expect(new Ours.Instance(new Ours.Module(bytes)).exports.g.value).toBe(new Native.Instance(new Native.Module(bytes)).exports.g.value);
        }
      }
    }
    // Names of one to three bytes, over the boundaries of UTF-8's ranges.
    const interesting = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff];
    let accepted = 0;
    const check = (sequence: number[]) => {
      const bytes = wasmModule([section(5, [1, 0, 0]), section(7, concat([[1, sequence.length, ...sequence, 2, 0]]))]);
      const decision = runtimeDecision(bytes);
      expect(decision, sequence.map((b) => b.toString(16)).join(' ')).toBe(compilerDecision(bytes));
      if (decision === 'accept') {
        accepted++;
        expect(Ours.Module.exports(new Ours.Module(bytes))).toEqual(Native.Module.exports(new Native.Module(bytes)));
      }
    };
    for (const a of interesting) {
      check([a]);
      for (const b of interesting) {
        check([a, b]);
        for (const c of interesting) check([a, b, c]);
      }
    }
    for (const [a, b, c, d] of [[0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf1, 0x80, 0x80, 0x7f]]) check([a, b, c, d]);
    expect(accepted).toBeGreaterThan(300);
  });
});

describe('the same decisions as the compiler (and V8)', () => {
  /**
   * The runtime decides as the compiler: valid without functions is
   * accepted, invalid is rejected, functions are "not precompiled" (or,
   * invalid anyway, rejected), and where V8 differs the compiler names a
   * feature it does not support.
   */
  function expectSameDecision(bytes: Uint8Array, label: string): Decision {
    const ours = runtimeDecision(bytes);
    const compiler = compilerDecision(bytes);
    if (ours === 'reject' && compiler !== 'reject' && /typed references and GC need the compiler/.test(compileErrorOf(() => decodeBodyless(bytes)))) {
      // The runtime-only loader leaves typed references and GC to the compiler, and says so.
      expect(decodeModule(bytes).gc, label).not.toBeNull();
      return ours;
    } else if (compiler === 'bodies' && ours === 'reject') {
      // Valid, with functions, but with a feature the compiler cannot generate.
      expect(compileErrorOf(() => compile(bytes)), label).toMatch(/not supported/);
    } else if (!(compiler === 'reject' && ours === 'bodies')) {
      expect(ours, label).toBe(compiler);
    }
    if (ours !== 'bodies' && (ours === 'accept') !== Native.validate(bytes)) {
      // V8 11.3 has no multi-memory and no exnref: it rejects what 3.0 allows.
      if (ours === 'accept' && beyondNode20(bytes)) return ours;
      expect(compileErrorOf(() => compile(bytes)), `${label}: V8 disagrees`).toMatch(/not supported/);
    }
    if (ours === 'reject') expect(compileErrorOf(() => decodeBodyless(bytes)), label).toMatch(/ \(at 0x[0-9a-f]+\)$/);
    return ours;
  }

  it.skipIf(testsuite === undefined)('on every module of the spec testsuite', { timeout: 120_000 }, () => {
    const counts: Record<string, number> = {};
    for (const { name: label, bytes } of spec) {
      const decision = expectSameDecision(bytes, label);
      counts[decision] = (counts[decision] ?? 0) + 1;
    }
    expect(spec.length).toBeGreaterThan(3000);
    expect(counts.accept).toBeGreaterThan(250);
    expect(counts.reject).toBeGreaterThan(500);
  });

  it('on 20,000 mutants of the body-less modules', { timeout: 120_000 }, () => {
    const bases = [...corpus, ...specBodyless];
    const counts: Record<string, number> = {};
    for (let index = 0; index < 20_000; index++) {
      const mutant = createMutant(bases, 14, index);
      const decision = expectSameDecision(mutant.bytes, `seed 14, mutant ${index} (${mutant.base}: ${mutant.steps.join(', ')})`);
      counts[decision] = (counts[decision] ?? 0) + 1;
    }
    expect(counts.accept).toBeGreaterThan(4000);
    expect(counts.reject).toBeGreaterThan(10_000);
  });
});

describe('instantiation, as native V8', () => {
  const BREAKAGES: Breakage[] = ['missing', 'wrong kind', 'too small', 'no maximum', 'larger maximum', 'other type', 'other mutability', 'plain value'];

  /** Instantiates `bytes` natively and on the runtime with like imports, and expects the same described outcome. */
  function expectSameInstance(bytes: Uint8Array, label: string, useWasmFunctions: boolean, broken = -1, breakage?: Breakage): unknown {
    const { plan, exportParams } = importPlan(bytes);
    const outcomes = (['native', 'ours'] as const).map((which) => {
      const on = side(which);
      const imports = importObject(on, plan, useWasmFunctions, broken, breakage);
      return describeInstance(on, imports, exportParams, () => new on.WebAssembly.Instance(new on.WebAssembly.Module(bytes), imports));
    });
    expect(outcomes[1], label).toEqual(outcomes[0]);
    return outcomes[0];
  }

  /** Every import right (host functions, then wasm functions), then each broken each way. */
  function expectSameInstances(bytes: Uint8Array, label: string): void {
    expectSameInstance(bytes, label, false);
    expectSameInstance(bytes, `${label} (wasm functions)`, true);
    const imports = importPlan(bytes).plan.length;
    for (let i = 0; i < imports; i++) {
      for (const breakage of BREAKAGES) expectSameInstance(bytes, `${label}: import ${i} ${breakage}`, false, i, breakage);
    }
  }

  it('for the corpus, with every import right and each wrong in every way', { timeout: 60_000 }, () => {
    for (const { name: label, bytes } of corpus) expectSameInstances(bytes, label);
  });

  it('finds what it is meant to: traps, link errors, the start function, identity', () => {
    const outcome = (label: string, useWasmFunctions = false, broken = -1, breakage?: Breakage) => {
      const bytes = corpus.find((module) => module.name === label)!.bytes;
      return expectSameInstance(bytes, label, useWasmFunctions, broken, breakage) as any;
    };
    expect(outcome('a segment out of bounds after one that fits').error).toBe('RuntimeError');
    // The first segment was applied; the host function is in the table as its wasm wrapper (a new object, #4).
    expect(outcome('a segment out of bounds after one that fits').imports[0].elements).toEqual([null, '#4']);
    expect(outcome('data out of bounds after data that fits').error).toBe('RuntimeError');
    expect(outcome('a table past the JS API limit of 10,000,000 elements').error).toBe('RangeError');
    expect(outcome('a start function that is an import').log).toEqual([['import 0', []]]);
    expect(outcome('every import, re-exported', false, 3, 'other type').error).toBe('LinkError');
    expect(outcome('every import, re-exported', false, 0, 'missing').error).toBe('LinkError');
    const reexported = outcome('every import, re-exported', true).exports;
    expect(reexported.f.identity).toBe(reexported['f again'].identity);
    expect(reexported.f.identity).toBe('#1'); // the imported function itself
    expect(reexported.t.identity).toBe('#2');
    const hosted = outcome('every import, re-exported').exports;
    expect(hosted.f).toMatchObject({ name: '0', length: 4, call: '-0' });
    expect(hosted.mv.call).toEqual([3, '-1n', 0.3333333432674408, '-0', 'x']);
  });

  it.skipIf(testsuite === undefined)('for the valid body-less modules of the spec testsuite', { timeout: 120_000 }, () => {
    let checked = 0;
    for (const { name: label, bytes } of specBodyless) {
      if (tooBig(bytes) || beyondNode20(bytes)) continue; // V8 11.3 has no multi-memory, no exnref
      expectSameInstance(bytes, label, false);
      expectSameInstance(bytes, `${label} (wasm functions)`, true);
      checked++;
    }
    expect(checked).toBeGreaterThan(250);
  });

  it('for 500 valid mutants, each with one import broken at random', { timeout: 120_000 }, () => {
    const bases = [...corpus, ...specBodyless];
    let checked = 0;
    for (let index = 0; checked < 500; index++) {
      const mutant = createMutant(bases, 15, index);
      if (runtimeDecision(mutant.bytes) !== 'accept' || tooBig(mutant.bytes) || beyondNode20(mutant.bytes)) continue; // V8 11.3 has no multi-memory, no exnref
      const label = `seed 15, mutant ${index} (${mutant.base}: ${mutant.steps.join(', ')})`;
      expectSameInstance(mutant.bytes, label, index % 2 === 0);
      const imports = importPlan(mutant.bytes).plan.length;
      if (imports > 0) expectSameInstance(mutant.bytes, `${label}, broken`, false, index % imports, BREAKAGES[index % BREAKAGES.length]);
      checked++;
    }
  });

  it("re-exports a precompiled module's function as the same function object", () => {
    const provider = assemble('(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))');
    const precompiled = new Ours.Instance(defineModule(new Function('rt', compile(provider, { format: 'body' }).code)(rt))).exports.add;
    const reexporting = assemble('(module (import "p" "add" (func $add (param i32 i32) (result i32))) (export "add" (func $add)) (table (export "t") 1 funcref) (elem (i32.const 0) $add))');
    const { exports } = new Ours.Instance(new Ours.Module(reexporting), { p: { add: precompiled } });
    expect(exports.add).toBe(precompiled);
    expect(exports.t.get(0)).toBe(precompiled);
    expect(exports.add(2, 3)).toBe(5);
    const nativeAdd = new Native.Instance(new Native.Module(provider)).exports.add;
    expect(new Native.Instance(new Native.Module(reexporting), { p: { add: nativeAdd } }).exports.add).toBe(nativeAdd);
    // A different signature is a LinkError, natively too.
    const mismatched = assemble('(module (import "p" "add" (func (param i32) (result i32))))');
    expect(() => new Ours.Instance(new Ours.Module(mismatched), { p: { add: precompiled } })).toThrow(Ours.LinkError);
    expect(() => new Native.Instance(new Native.Module(mismatched), { p: { add: nativeAdd } })).toThrow(Native.LinkError);
  });

  it('exports a global twice as one Global object, as generated code does and the JS API says (V8 11.3 makes two)', () => {
    const bytes = assemble('(module (global (mut i32) (i32.const 7)) (export "a" (global 0)) (export "b" (global 0)))');
    const ours = new Ours.Instance(new Ours.Module(bytes)).exports;
    const generated = new Ours.Instance(defineModule(new Function('rt', compile(bytes, { format: 'body' }).code)(rt))).exports;
    expect(ours.a).toBe(ours.b);
    expect(generated.a).toBe(generated.b);
    const native = new Native.Instance(new Native.Module(bytes)).exports;
    expect(native.a).not.toBe(native.b); // were this to change, the harness could compare defined globals by identity too
    native.a.value = 8;
    expect(native.b.value).toBe(8);
  });

  it('instantiates asynchronously too, with a start function that throws passing its error through', async () => {
    const bytes = assemble('(module (import "env" "go" (func $go)) (start $go))');
    const thrown = new Error('from the start function');
    await expect(Ours.instantiate(bytes, { env: { go: () => { throw thrown; } } })).rejects.toBe(thrown);
    const { module, instance } = await Ours.instantiate(bytes, { env: { go: () => {} } });
    expect(module).toBeInstanceOf(Ours.Module);
    expect(instance).toBeInstanceOf(Ours.Instance);
    await expect(Ours.compile(bytes)).resolves.toBeInstanceOf(Ours.Module);
    await expect(Ours.compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1]))).rejects.toThrow(CompileError);
  });
});

describe('without eval, as under a Content Security Policy', () => {
  it("the bundled runtime loads addFunction's modules in a realm that refuses to compile strings", () => {
    const iife = join(dirname(fileURLToPath(import.meta.url)), '../../dist/runtime.iife.js');
    if (!existsSync(iife)) throw new Error('dist/ is missing: run `npm run build` (or `npm test`, which builds first)');
    const context = createContext({}, { codeGeneration: { strings: false, wasm: false } });
    runInContext(readFileSync(iife, 'utf8'), context);
    const seen = runInContext(`(() => {
      let evalRefused = false;
      try { eval('1'); } catch (error) { evalRefused = error instanceof EvalError; }
      const WA = wasm2esRuntime.WebAssembly;
      const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 126, 1, 124, 2, 7, 1, 1, 101, 1, 102, 0, 0, 7, 5, 1, 1, 102, 0, 0]);
      const f = new WA.Instance(new WA.Module(bytes), { e: { f: (a, b) => a + Number(b) + 0.5 } }).exports.f;
      const table = new WA.Table({ element: 'anyfunc', initial: 1 });
      table.set(0, f);
      return [evalRefused, WA.validate(bytes), table.get(0) === f, f(2.9, 40n)];
    })()`, context);
    expect(seen).toEqual([true, true, true, 42.5]);
  });
});

describe("Emscripten's addFunction, called through a precompiled module's table", () => {
  // call_indirect through the table for each signature kind.
  const CALLER = `(module
    (type $v (func))
    (type $ii (func (param i32) (result i32)))
    (type $jj (func (param i64) (result i64)))
    (type $ff (func (param f32) (result f32)))
    (type $dd (func (param f64) (result f64)))
    (type $mixed (func (param i32 i64 f32 f64) (result f64)))
    (type $multi (func (param f64 i32) (result i64 f32 i32 f64)))
    (type $ee (func (param externref) (result externref)))
    (table (export "table") 8 funcref)
    (func (export "v") (param $slot i32) (call_indirect (type $v) (local.get $slot)))
    (func (export "ii") (param $slot i32) (param i32) (result i32) (call_indirect (type $ii) (local.get 1) (local.get $slot)))
    (func (export "jj") (param $slot i32) (param i64) (result i64) (call_indirect (type $jj) (local.get 1) (local.get $slot)))
    (func (export "ff") (param $slot i32) (param f32) (result f32) (call_indirect (type $ff) (local.get 1) (local.get $slot)))
    (func (export "dd") (param $slot i32) (param f64) (result f64) (call_indirect (type $dd) (local.get 1) (local.get $slot)))
    (func (export "mixed") (param $slot i32) (param i32 i64 f32 f64) (result f64)
      (call_indirect (type $mixed) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get $slot)))
    (func (export "multi") (param $slot i32) (param f64 i32) (result i64 f32 i32 f64)
      (call_indirect (type $multi) (local.get 1) (local.get 2) (local.get $slot)))
    (func (export "ee") (param $slot i32) (param externref) (result externref) (call_indirect (type $ee) (local.get 1) (local.get $slot))))`;
  const callerBytes = assemble(CALLER);
  const precompiled = defineModule(new Function('rt', compile(callerBytes, { format: 'body', tune: 'interpreter' }).code)(rt));

  /** A multi-value wrapper, as Emscripten would build it if its signatures had several results. */
  function multiValueWrapper(WA: any, func: Function): Function {
    const bytes = wasmModule([
      section(1, [1, ...funcType([0x7c, 0x7f], [0x7e, 0x7d, 0x7f, 0x7c])]),
      section(2, concat([vec([concat([name('e'), name('f'), [0, 0]])])])),
      section(7, vec([exportEntry('f', 0, 0)])),
    ]);
    return new WA.Instance(new WA.Module(bytes), { e: { f: func } }).exports.f;
  }

  /** Fills the table as Emscripten's addFunction does (try table.set, else wrap), then calls each slot from wasm. */
  function run(WA: any, instance: any): unknown[] {
    const table = instance.exports.table;
    const calls: unknown[] = [];
    const functions: [string, Function][] = [
      ['v', () => { calls.push('v'); }],
      ['ii', (x: number) => { calls.push(x); return x * 3 + 0.75; }],
      ['jj', (x: bigint) => { calls.push(x); return x * 3n + 2n ** 64n; }],
      ['ff', (x: number) => { calls.push(x); return x / 3; }],
      ['dd', (x: number) => { calls.push(x); return -x / 3; }],
      ['dijfd', (a: number, b: bigint, c: number, d: number) => { calls.push([a, b, c, d]); return a + Number(b) + c + d; }],
      ['ee', (x: unknown) => { calls.push(x); return { wrapped: x }; }],
    ];
    functions.forEach(([sig, fn], slot) => {
      try {
        table.set(slot, fn);
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        table.set(slot, convertJsFunctionToWasm(WA, fn, sig));
      }
    });
    table.set(7, multiValueWrapper(WA, (x: number, y: number) => { calls.push([x, y]); return [BigInt(y) - 1n, x, y * 2, x / 7]; }));
    const e = instance.exports;
    const results = [
      e.v(0), e.ii(1, 14), e.ii(1, -2147483648), e.jj(2, -5n), e.jj(2, 2n ** 62n), e.ff(3, 1.1), e.dd(4, 0.1),
      e.mixed(5, 7, -3n, 0.5, 1e300), e.multi(7, 2.5, -9), e.ee(6, 'text'),
    ];
    let trap = null;
    try {
      e.ii(2, 1); // the jj function through the ii type
    } catch (error: any) {
      trap = error.name;
    }
    return [results, calls, trap];
  }

  it('gives the results V8 gives, for every signature kind', () => {
    const ours = run(Ours, new Ours.Instance(precompiled));
    const native = run(Native, new Native.Instance(new Native.Module(callerBytes)));
    expect(ours).toEqual(native);
    expect((ours[0] as unknown[])[1]).toBe(42);
    expect(ours[2]).toBe('RuntimeError');
  });
});
