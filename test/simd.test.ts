// SIMD decoding, validation and code generation, specified by example:
// every 0xFD opcode of WebAssembly 2.0 and of relaxed SIMD, each kind of
// immediate, the rules V8 applies to them, and v128 at the JS boundary.
// The lanes' semantics are the spec suite's (test/spec.test.ts).
// V8 is the judge of validity throughout; Node 20's V8 has relaxed SIMD
// behind a flag, set here for this process.

import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import wabtInit from 'wabt';
import { decode } from '../compiler/decode.js';
import { decodeValidated } from '../compiler/validate.js';
import { compile } from '../compiler/index.js';
import { Imm, OPS, PREFIX_FD, type OpInfo } from '../compiler/opcodes.js';
import type { Instr } from '../compiler/ir.js';
import { CompileError } from '../runtime/errors.js';
import { defineModule, rt } from '../runtime/index.js';
import { WebAssembly as Polyfill } from '../index.js';
import { leb } from './helpers/wasm-bytes.js';
import { runMutants } from './mutate/mutate.js';
// @ts-ignore -- plain JavaScript modules of the spec runner
import { findTestsuite } from './spec/suite.js';

setFlagsFromString('--experimental-wasm-relaxed-simd');
const wabt = await wabtInit();

// --- Byte builders ----------------------------------------------------------

type Bytes = number[];
const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b, FUNCREF = 0x70;
const VALUE_TYPES = [I32, I64, F32, F64, V128, FUNCREF];
const END = 0x0b;

const vec = (items: Bytes[]): Bytes => [...leb(items.length), ...items.flat()];
const section = (id: number, content: Bytes): Bytes => [id, ...leb(content.length), ...content];
const funcType = (params: number[], results: number[]): Bytes => [0x60, ...vec(params.map((p) => [p])), ...vec(results.map((r) => [r]))];
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A module of one function of type params -> results whose body is `code` (without the final end), with one memory unless told. */
function oneFunc(params: number[], results: number[], code: Bytes, { memory = true, locals = [] as [number, number][] } = {}): Uint8Array {
  const body = [...vec(locals.map(([count, type]) => [...leb(count), type])), ...code, END];
  return new Uint8Array([
    ...HEADER,
    ...section(1, vec([funcType(params, results)])),
    ...section(3, vec([[0]])),
    ...(memory ? section(5, vec([[0x00, 0x01]])) : []),
    ...section(10, vec([[...leb(body.length), ...body]])),
  ]);
}

const simdOp = (info: OpInfo): Bytes => [0xfd, ...leb(info.code & 0xfff)];
const op = (name: string): OpInfo => {
  const info = [...OPS.values()].find((candidate) => candidate.name === name);
  if (info === undefined) throw new Error(`no opcode ${name}`);
  return info;
};
const SIMD_OPS = [...OPS.values()].filter((info) => (info.code & ~0xfff) === PREFIX_FD);
const ZEROS = new Array(16).fill(0);

/** The immediates of `info`: natural alignment, offset 0, lane 0 and zero bytes unless told. */
function immediates(info: OpInfo, { align = info.naturalAlign, lane = 0, bytes = ZEROS } = {}): Bytes {
  switch (info.imm) {
    case Imm.None: return [];
    case Imm.MemArg: return [align, 0];
    case Imm.MemArgLane: return [align, 0, lane];
    case Imm.Lane: return [lane];
    case Imm.V128:
    case Imm.Shuffle: return bytes;
  }
  throw new Error(`no immediates for ${info.name}`);
}

/** `info` applied to the function's parameters, which have its operand types. */
function useOf(info: OpInfo, options?: Parameters<typeof immediates>[1]): Bytes {
  return [...info.params!.flatMap((_, i) => [0x20, i]), ...simdOp(info), ...immediates(info, options)];
}

/** A module whose one function applies `info` to parameters of `params` and returns `results`. */
const moduleOf = (info: OpInfo, options?: Parameters<typeof immediates>[1], params = info.params!, results = info.results!, memory = true) =>
  oneFunc(params, results, useOf(info, options), { memory });

// --- Judging ----------------------------------------------------------------

/** null when decodeValidated accepts `bytes`, else its CompileError's message. */
function ourVerdict(bytes: Uint8Array): string | null {
  try {
    decodeValidated(bytes);
    return null;
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    return error.message;
  }
}

/** Each case on which wasm2es's validator and V8's disagree, described. */
function disagreements(cases: [string, Uint8Array][]): string[] {
  const found: string[] = [];
  for (const [what, bytes] of cases) {
    const ours = ourVerdict(bytes);
    const v8 = WebAssembly.validate(bytes);
    if ((ours === null) !== v8) found.push(`${what}: V8 ${v8 ? 'accepts' : 'rejects'}, wasm2es ${ours ?? 'accepts'}`);
  }
  return found;
}

function expectInvalid(bytes: Uint8Array, message: RegExp): void {
  expect(WebAssembly.validate(bytes), 'V8 rejects it too').toBe(false);
  expect(ourVerdict(bytes)).toMatch(message);
}

function expectValid(bytes: Uint8Array): void {
  expect(WebAssembly.validate(bytes), 'V8 accepts it too').toBe(true);
  expect(ourVerdict(bytes)).toBeNull();
}

/** Assembles text with wabt's SIMD and relaxed SIMD. */
function wat(text: string): Uint8Array {
  const parsed = wabt.parseWat('test.wat', text, { simd: true, relaxed_simd: true });
  try {
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

const bodyOf = (bytes: Uint8Array): Instr[] => decode(bytes).funcs[0].body;
/** Where the code of `oneFunc([], [], ...)` begins (with no locals and a body under 128 bytes). */
const CODE_START = bodyOf(oneFunc([], [], []))[0].offset;
const hex = (offset: number) => `0x${offset.toString(16)}`;

// -----------------------------------------------------------------------------

/** Immediates in the text format, where an instruction needs them. */
const TEXT_IMMEDIATES = new Map([[Imm.Lane, '0'], [Imm.MemArgLane, '0'], [Imm.V128, 'i32x4 0 0 0 0'], [Imm.Shuffle, '0 '.repeat(16)]]);

describe('the opcode table', () => {
  it('has the 236 opcodes of fixed-width SIMD and the 20 of relaxed SIMD', () => {
    expect(SIMD_OPS.filter((info) => (info.code & 0xfff) < 0x100)).toHaveLength(236);
    expect(SIMD_OPS.filter((info) => (info.code & 0xfff) >= 0x100).map((info) => info.name)).toEqual([
      'i8x16.relaxed_swizzle',
      'i32x4.relaxed_trunc_f32x4_s', 'i32x4.relaxed_trunc_f32x4_u', 'i32x4.relaxed_trunc_f64x2_s_zero', 'i32x4.relaxed_trunc_f64x2_u_zero',
      'f32x4.relaxed_madd', 'f32x4.relaxed_nmadd', 'f64x2.relaxed_madd', 'f64x2.relaxed_nmadd',
      'i8x16.relaxed_laneselect', 'i16x8.relaxed_laneselect', 'i32x4.relaxed_laneselect', 'i64x2.relaxed_laneselect',
      'f32x4.relaxed_min', 'f32x4.relaxed_max', 'f64x2.relaxed_min', 'f64x2.relaxed_max',
      'i16x8.relaxed_q15mulr_s', 'i16x8.relaxed_dot_i8x16_i7x16_s', 'i32x4.relaxed_dot_i8x16_i7x16_add_s',
    ]);
  });

  it('names each opcode as the text format does: wabt assembles each name to its number', () => {
    const wrong: string[] = [];
    for (const info of SIMD_OPS) {
      const text = `(module (memory 1) (func unreachable ${info.name} ${TEXT_IMMEDIATES.get(info.imm) ?? ''} unreachable))`;
      const decoded = bodyOf(wat(text))[1].op;
      if (decoded !== info.code) wrong.push(`${info.name}: wabt writes 0x${decoded.toString(16)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('types each opcode as V8 does: operands, result, memory, alignment, lane indices, truncated immediates', { timeout: 60_000 }, () => {
    const cases: [string, Uint8Array][] = [];
    for (const info of SIMD_OPS) {
      const { name, params, results } = info;
      cases.push([name, moduleOf(info)]);
      params!.forEach((_, p) => {
        for (const type of VALUE_TYPES) {
          if (type !== params![p]) cases.push([`${name}, operand ${p} of 0x${type.toString(16)}`, moduleOf(info, {}, params!.map((t, i) => (i === p ? type : t)))]);
        }
      });
      for (const type of VALUE_TYPES) cases.push([`${name} returning 0x${type.toString(16)}`, moduleOf(info, {}, params!, [type])]);
      cases.push([`${name} returning nothing`, moduleOf(info, {}, params!, [])]);
      cases.push([`${name} without a memory`, moduleOf(info, {}, params!, results!, false)]);
      if (info.naturalAlign >= 0) for (let align = 0; align < 8; align++) cases.push([`${name} align=${1 << align}`, moduleOf(info, { align })]);
      if (info.imm === Imm.Lane || info.imm === Imm.MemArgLane) {
        for (const lane of [1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 128, 255]) cases.push([`${name} lane ${lane}`, moduleOf(info, { lane })]);
      }
      if (info.imm === Imm.Shuffle) {
        for (let i = 0; i < 16; i++) {
          for (const lane of [15, 16, 31, 32, 255]) cases.push([`${name}, lane ${i} ${lane}`, moduleOf(info, { bytes: ZEROS.map((zero, j) => (j === i ? lane : zero)) })]);
        }
      }
      const whole = useOf(info);
      const start = info.params!.length * 2 + simdOp(info).length - 1;
      for (let cut = start; cut < whole.length; cut++) cases.push([`${name} cut after ${cut} bytes`, oneFunc(params!, results!, whole.slice(0, cut))]);
    }
    expect(cases.length).toBeGreaterThan(5000);
    expect(disagreements(cases)).toEqual([]);
  });

  it('knows no other sub-opcode (up to 0x400), in one to five bytes', () => {
    const cases: [string, Uint8Array][] = [];
    for (let sub = 0; sub < 0x400; sub++) {
      if (!OPS.has(PREFIX_FD | sub)) cases.push([`0xfd 0x${sub.toString(16)}`, oneFunc([], [], [0xfd, ...leb(sub)])]);
    }
    expect(cases).toHaveLength(0x400 - 256);
    cases.push(['v128.const, sub-opcode in 5 bytes', oneFunc([], [V128], [0xfd, 0x8c, 0x80, 0x80, 0x80, 0x00, ...ZEROS])]);
    cases.push(['sub-opcode in 6 bytes', oneFunc([], [V128], [0xfd, 0x8c, 0x80, 0x80, 0x80, 0x80, 0x00, ...ZEROS])]);
    cases.push(['sub-opcode past 2^32', oneFunc([], [V128], [0xfd, 0x8c, 0x80, 0x80, 0x80, 0x10, ...ZEROS])]);
    expect(disagreements(cases)).toEqual([]);
  });
});

describe('decoding SIMD immediates', () => {
  it('v128.const: 16 bytes, lane 0 first, kept as a view', () => {
    const bytes = Array.from({ length: 16 }, (_, i) => 0xf0 + i);
    const instr = bodyOf(oneFunc([], [V128], [0xfd, 0x0c, ...bytes]))[0];
    expect(instr.op).toBe(PREFIX_FD | 0x0c);
    expect(instr.v128).toBeInstanceOf(Uint8Array);
    expect([...instr.v128!]).toEqual(bytes);
  });

  it('i8x16.shuffle: 16 lane-index bytes', () => {
    const lanes = [31, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7];
    const instr = bodyOf(oneFunc([V128, V128], [V128], [0x20, 0, 0x20, 1, 0xfd, 0x0d, ...lanes]))[2];
    expect(instr.op).toBe(PREFIX_FD | 0x0d);
    expect([...instr.v128!]).toEqual(lanes);
  });

  it('extract and replace lane: one byte in `index`, not a LEB128', () => {
    const extract = bodyOf(oneFunc([V128], [I32], [0x20, 0, 0xfd, 0x15, 0x8f]))[1];
    expect(extract).toMatchObject({ op: PREFIX_FD | 0x15, index: 0x8f });
    const replace = bodyOf(oneFunc([V128, F64], [V128], [0x20, 0, 0x20, 1, 0xfd, 0x22, 1]))[2];
    expect(replace).toMatchObject({ op: PREFIX_FD | 0x22, index: 1 });
  });

  it('load and store lane: memarg, then a lane byte in `index`', () => {
    const load = bodyOf(oneFunc([I32, V128], [V128], [0x20, 0, 0x20, 1, 0xfd, 0x55, 0x01, 0x80, 0x02, 7]))[2];
    expect(load).toMatchObject({ op: PREFIX_FD | 0x55, align: 1, memOffset: 256, index: 7 });
    const store = bodyOf(oneFunc([I32, V128], [], [0x20, 0, 0x20, 1, 0xfd, 0x5b, 0x03, 0x00, 1]))[2];
    expect(store).toMatchObject({ op: PREFIX_FD | 0x5b, align: 3, memOffset: 0, index: 1 });
  });

  it('loads and stores: a memarg, with the multi-memory and too-large flags of scalar ones', () => {
    expect(bodyOf(oneFunc([I32], [V128], [0x20, 0, 0xfd, 0x00, 0x04, 0xff, 0xff, 0xff, 0xff, 0x0f]))[1])
      .toMatchObject({ op: PREFIX_FD, align: 4, memOffset: 0xffffffff });
    expect(bodyOf(oneFunc([I32], [V128], [0x20, 0, 0xfd, 0x00, 0x44, 0x00, 0x00]))[1]).toMatchObject({ op: PREFIX_FD, align: 4, index2: 0, memOffset: 0 });
    expect(() => decode(oneFunc([I32], [V128], [0x20, 0, 0xfd, 0x00, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00]))).toThrow(/^malformed memop flags 0x10000000/);
  });

  it('reads the sub-opcode as a u32 LEB128: relaxed SIMD takes two bytes, overlong forms are the same opcode', () => {
    expect(bodyOf(oneFunc([V128, V128], [V128], [0x20, 0, 0x20, 1, 0xfd, 0x80, 0x02]))[2].op).toBe(PREFIX_FD | 0x100);
    expect(bodyOf(oneFunc([], [V128], [0xfd, 0x8c, 0x80, 0x00, ...ZEROS]))[0].op).toBe(PREFIX_FD | 0x0c);
  });

  it('rejects unknown sub-opcodes at the prefix, and over-long or too-large ones at the byte', () => {
    expect(() => decode(oneFunc([], [], [0xfd, 0x9a, 0x01]))).toThrow(`illegal opcode 0xfd 0x9a (at ${hex(CODE_START)}, code section, function 0)`);
    expect(() => decode(oneFunc([], [], [0xfd, 0x94, 0x02]))).toThrow(/^illegal opcode 0xfd 0x114 \(at/);
    expect(() => decode(oneFunc([], [], [0xfd, 0xff, 0xff, 0xff, 0xff, 0x1f]))).toThrow(`integer too large (at ${hex(CODE_START + 5)}, code section, function 0)`);
  });

  it('rejects immediates cut short by the end of the body, at that end', () => {
    const cut = oneFunc([], [V128], [0xfd, 0x0c, ...ZEROS.slice(1)]);
    // The body's final end byte became the constant's 16th byte.
    expect(() => decode(cut)).toThrow(/^unexpected end of section or function: function body has no final END opcode \(at 0x[0-9a-f]+, code section, function 0\)$/);
    expect(() => decode(oneFunc([V128], [I32], [0x20, 0, 0xfd, 0x15]))).toThrow(/^unexpected end/);
    expect(() => decode(oneFunc([I32, V128], [], [0x20, 0, 0x20, 1, 0xfd, 0x58, 0x00, 0x00]))).toThrow(/^unexpected end/);
  });

  it('reads v128 wherever a value type stands: parameters, results, locals, globals, block and select types', () => {
    const module = decode(wat(`(module
      (import "m" "g" (global $imported v128))
      (import "m" "f" (func $f (param v128) (result v128)))
      (global $g (mut v128) (v128.const i64x2 1 -1))
      (func (export "f") (param v128) (result v128) (local v128)
        (block (result v128) (local.get 0))
        (select (result v128) (local.get 1) (global.get $g) (i32.const 1))
        (drop) (call $f)))`));
    expect(module.types.map((type) => [type.params, type.results])).toEqual([[[V128], [V128]]]);
    expect(module.globals[0].type).toEqual({ valType: V128, mutable: true });
    expect([...module.globals[0].init.instrs[0].v128!]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(module.funcs[0].locals).toEqual([{ count: 1, type: V128 }]);
    const body = module.funcs[0].body;
    expect(body[0].blockType!.results).toEqual([V128]);
    expect(body.find((instr) => instr.op === 0x1c)!.types).toEqual([V128]);
  });

  it('notes where v128 is first used, and only then', () => {
    expect(decode(oneFunc([], [], [])).simd).toBeNull();
    expect(decode(oneFunc([V128], [], [])).simd).toEqual({ offset: 0xd, where: 'at 0xd, type section' });
    expect(decode(oneFunc([], [], [0x01, 0xfd, 0x0c, ...ZEROS, 0x1a])).simd).toEqual({ offset: CODE_START + 1, where: `at ${hex(CODE_START + 1)}, code section, function 0` });
  });

  it('keeps v128 out of reference-type positions', () => {
    const table = new Uint8Array([...HEADER, ...section(4, vec([[V128, 0x00, 0x01]]))]);
    expect(() => decode(table)).toThrow(/^malformed reference type 0x7b \(at 0xb, table section\)$/);
    expect(WebAssembly.validate(table)).toBe(false);
  });
});

describe('validating SIMD', () => {
  it('bounds lane indices by the shape', () => {
    expectInvalid(moduleOf(op('i8x16.extract_lane_s'), { lane: 16 }), /^invalid lane index in i8x16\.extract_lane_s: 16, the shape has 16 lanes \(at 0x[0-9a-f]+, code section, function 0\)$/);
    expectValid(moduleOf(op('i8x16.extract_lane_u'), { lane: 15 }));
    expectInvalid(moduleOf(op('i16x8.replace_lane'), { lane: 8 }), /^invalid lane index in i16x8\.replace_lane: 8, the shape has 8 lanes/);
    expectInvalid(moduleOf(op('f64x2.extract_lane'), { lane: 2 }), /^invalid lane index/);
    expectValid(moduleOf(op('f64x2.extract_lane'), { lane: 1 }));
    expectInvalid(moduleOf(op('v128.load32_lane'), { lane: 4 }), /^invalid lane index in v128\.load32_lane: 4, the shape has 4 lanes/);
    expectInvalid(moduleOf(op('v128.store64_lane'), { lane: 2 }), /^invalid lane index in v128\.store64_lane/);
    expectValid(moduleOf(op('v128.store8_lane'), { lane: 15 }));
  });

  it('lets a shuffle pick any of the 32 lanes of its two operands', () => {
    expectValid(moduleOf(op('i8x16.shuffle'), { bytes: [...ZEROS.slice(1), 31] }));
    expectInvalid(moduleOf(op('i8x16.shuffle'), { bytes: [...ZEROS.slice(1), 32] }), /^invalid lane index in i8x16\.shuffle: lane 15 is 32, a shuffle picks from 32 lanes/);
  });

  it('allows alignment up to the size of the access', () => {
    expectValid(moduleOf(op('v128.load'), { align: 4 }));
    expectInvalid(moduleOf(op('v128.load'), { align: 5 }), /^alignment must not be larger than natural in v128\.load: 2\*\*5 > 16 bytes/);
    expectInvalid(moduleOf(op('v128.load8x8_s'), { align: 4 }), /^alignment must not be larger than natural in v128\.load8x8_s: 2\*\*4 > 8 bytes/);
    expectInvalid(moduleOf(op('v128.load8_splat'), { align: 1 }), /^alignment must not be larger than natural/);
    expectInvalid(moduleOf(op('v128.load32_zero'), { align: 3 }), /^alignment must not be larger than natural/);
    expectInvalid(moduleOf(op('v128.store16_lane'), { align: 2 }), /^alignment must not be larger than natural in v128\.store16_lane: 2\*\*2 > 2 bytes/);
    expectInvalid(moduleOf(op('v128.store'), {}, [I32, V128], [], false), /^unknown memory 0 in v128\.store/);
  });

  it('types operands and results, naming v128', () => {
    expectInvalid(moduleOf(op('i8x16.add'), {}, [V128, I32]), /^type mismatch in i8x16\.add: expected v128, got i32/);
    expectInvalid(moduleOf(op('i64x2.splat'), {}, [I32]), /^type mismatch in i64x2\.splat: expected i64, got i32/);
    expectInvalid(moduleOf(op('v128.any_true'), {}, [V128], [V128]), /^type mismatch in end: expected v128, got i32/);
    expectInvalid(oneFunc([V128, V128], [V128], [0x20, 0, 0x20, 1, ...simdOp(op('f32x4.relaxed_madd'))]), /^type mismatch in f32x4\.relaxed_madd: expected v128, got nothing/);
  });

  it('selects v128 with or without a type, and references only with one', () => {
    expectValid(oneFunc([V128, V128, I32], [V128], [0x20, 0, 0x20, 1, 0x20, 2, 0x1b]));
    expectValid(oneFunc([V128, V128, I32], [V128], [0x20, 0, 0x20, 1, 0x20, 2, 0x1c, 1, V128]));
    expectInvalid(oneFunc([V128, I64, I32], [V128], [0x20, 0, 0x20, 1, 0x20, 2, 0x1b]), /^type mismatch in select: select operands differ, v128 and i64/);
    expectInvalid(oneFunc([FUNCREF, FUNCREF, I32], [FUNCREF], [0x20, 0, 0x20, 1, 0x20, 2, 0x1b]), /^type mismatch in select: select without a type needs number or vector operands/);
  });

  it('accepts v128 globals, imports and exports (the JS API refuses v128 only when a value crosses it)', () => {
    expectValid(wat(`(module
      (import "m" "g" (global $imported v128))
      (import "m" "f" (func (param v128) (result v128)))
      (global $copy v128 (global.get $imported))
      (global $g (export "g") (mut v128) (v128.const f32x4 1 2 3 nan:0x200000))
      (func (export "f") (param v128) (result v128) (global.get $copy)))`));
  });

  it('takes v128.const as a constant expression of type v128 only', () => {
    const global = (type: number, init: Bytes) => new Uint8Array([...HEADER, ...section(6, vec([[type, 0x00, ...init, END]]))]);
    expectValid(global(V128, [0xfd, 0x0c, ...ZEROS]));
    expectInvalid(global(I32, [0xfd, 0x0c, ...ZEROS]), /^type mismatch in constant expression: expected i32, got v128 \(at 0xd, global section, global 0\)$/);
    expectInvalid(global(V128, [0x41, 0x00]), /^type mismatch in constant expression: expected v128, got i32/);
    expectInvalid(global(V128, [0xfd, 0x0c, ...ZEROS, 0xfd, 0x0c, ...ZEROS, 0xfd, 0x4e]), /^constant expression required: v128\.and is not a constant instruction/);
    expectInvalid(global(V128, [0x41, 0x00, 0xfd, 0x11]), /^constant expression required: i32x4\.splat is not a constant instruction/);
  });

  it('types v128 through blocks, branches and calls', () => {
    expectValid(wat(`(module (func $id (param v128) (result v128) (local.get 0))
      (func (param v128 i32) (result v128)
        (block $b (result v128) (br_if $b (local.get 0) (local.get 1)) (call $id)) (i8x16.abs)))`));
    expectInvalid(wat('(module (func (result v128) (block (result v128) (i32.const 0))))'), /^type mismatch in end: expected v128, got i32/);
  });
});

describe('code generation', () => {
  const instance = (text: string, imports: object = {}) => new Polyfill.Instance(new Polyfill.Module(wat(text)), imports).exports as any;

  it('compiles every SIMD instruction in both tunings, eagerly and lazily, to JavaScript that parses', () => {
    const bytes = everyOpModule();
    for (const tune of ['jit', 'interpreter'] as const) {
      const { code } = compile(bytes, { format: 'body', tune });
      expect(() => new Function('rt', code)).not.toThrow();
    }
    expect(new Polyfill.Module(bytes)).toBeInstanceOf(Polyfill.Module);
  });

  it('runs v128 code through the package WebAssembly, with the same results as V8', () => {
    const text = `(module (memory 1)
      (func (export "sum") (param $p i32) (param $n i32) (result i32) (local $acc v128)
        (loop $l
          (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))
      (func (export "fill") (param $p i32) (param $n i32)
        (loop $l
          (i32.store (local.get $p) (i32.mul (local.get $n) (i32.const 0x01010101)))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))`;
    const ours = instance(text);
    const native = new WebAssembly.Instance(new WebAssembly.Module(wat(text))).exports as any;
    for (const exports of [ours, native]) exports.fill(0, 64);
    expect(ours.sum(0, 16)).toBe(native.sum(0, 16));
    expect(() => ours.sum(65520, 2)).toThrow(Polyfill.RuntimeError);
  });

  it('keeps v128 inside wasm: a JS call with a v128 in the signature throws TypeError, wasm-to-wasm calls carry it', () => {
    const a = instance(`(module
      (global (export "g") v128 (v128.const i32x4 1 2 3 4))
      (global (export "m") (mut v128) (v128.const i64x2 -1 5))
      (func (export "swap") (param v128) (result v128) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get 0) (local.get 0))))`);
    expect(() => a.swap()).toThrow(TypeError);
    expect(() => a.g.value).toThrow(TypeError);
    expect(() => { a.m.value = 1; }).toThrow(TypeError);
    expect(() => new Polyfill.Global({ value: 'v128' })).toThrow(TypeError);
    const b = instance(`(module
      (import "a" "swap" (func $swap (param v128) (result v128)))
      (import "a" "g" (global $g v128))
      (import "a" "m" (global $m (mut v128)))
      (table 1 funcref) (elem (i32.const 0) $swap)
      (type $t (func (param v128) (result v128)))
      (func (export "viaImport") (result i32) (i32x4.extract_lane 0 (call $swap (global.get $g))))
      (func (export "viaTable") (result i32) (i32x4.extract_lane 3 (call_indirect (type $t) (global.get $g) (i32.const 0))))
      (func (export "bump") (global.set $m (i64x2.add (global.get $m) (global.get $m))))
      (func (export "m1") (result i64) (i64x2.extract_lane 1 (global.get $m))))`, { a });
    expect(b.viaImport()).toBe(2);
    expect(b.viaTable()).toBe(3);
    b.bump();
    expect(b.m1()).toBe(10n);
  });

  /** Runs `text`'s export f(0) on V8 and on the polyfill (both tunings) with the same random memory; returns the memories' first words. */
  function sameMemoryAfter(text: string, words: number, fill: (random: () => number) => number, rounds = 200): void {
    const bytes = wat(text);
    const ours = ['jit', 'interpreter'].map((tune) => {
      const { code } = compile(bytes, { format: 'body', tune: tune as 'jit' | 'interpreter' });
      return new Function('rt', code);
    });
    let seed = 15;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let round = 0; round < rounds; round++) {
      const start = seed;
      const results: string[] = [];
      const instances = [new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as any];
      for (const body of ours) instances.push(new Polyfill.Instance(defineModule(body(rt))).exports);
      for (const exports of instances) {
        seed = start;
        const memory = new Uint32Array(exports.m.buffer);
        for (let i = 0; i < words; i++) memory[i] = fill(random);
        exports.f(0);
        results.push(Array.from(memory.subarray(0, words)).join());
      }
      expect(results[1], `round ${round}, jit`).toBe(results[0]);
      expect(results[2], `round ${round}, interpreter`).toBe(results[0]);
    }
  }

  it('reads every operand word of a store before writing any, where loads and stores overlap', () => {
    sameMemoryAfter(`(module (memory (export "m") 1)
      (func (export "f") (param $p i32)
        (v128.store offset=4 (local.get $p) (f32x4.add (v128.load (local.get $p)) (v128.load offset=8 (local.get $p))))
        (v128.store offset=36 (local.get $p) (i32x4.add (v128.load offset=32 (local.get $p)) (v128.load offset=40 (local.get $p))))
        (v128.store64_lane offset=68 1 (local.get $p) (i64x2.add (v128.load offset=64 (local.get $p)) (v128.load offset=72 (local.get $p))))
        (v128.store offset=100 (local.get $p) (v128.xor (v128.load offset=96 (local.get $p)) (v128.load offset=104 (local.get $p))))))`,
    40, (random) => random() & 0x3fffffff);
  });

  it('reads f32 lanes and scalars as floats only for arithmetic, keeping NaN bits everywhere else', () => {
    const special = [0x7fc00000, 0x7fa00001, 0xffbfffff, 0x7f800000, 0xff800000, 0, 0x80000000, 0x3f800000, 1];
    const text = `(module (memory (export "m") 1)
      (func (export "f") (param $p i32)
        (f32.store offset=64 (local.get $p) (f32.load (local.get $p)))
        (f32.store offset=68 (local.get $p) (f32.neg (f32.load offset=4 (local.get $p))))
        (v128.store offset=80 (local.get $p) (v128.load offset=8 (local.get $p)))
        (v128.store offset=96 (local.get $p) (f32x4.pmin (v128.load offset=8 (local.get $p)) (v128.load offset=24 (local.get $p))))
        (i32.store offset=112 (local.get $p) (f32.lt (f32.load offset=40 (local.get $p)) (f32.load offset=44 (local.get $p))))
        (i32.store offset=116 (local.get $p) (i32.trunc_sat_f32_s (f32.load offset=48 (local.get $p))))
        (v128.store offset=120 (local.get $p) (f32x4.lt (v128.load offset=8 (local.get $p)) (v128.load offset=24 (local.get $p))))))`;
    // Every result here is bit-exact (no arithmetic NaN), so the memories must agree word for word.
    sameMemoryAfter(text, 34, (random) => (random() % 3 === 0 ? special[random() % special.length] : random()));
  });

  it('keeps f32x4 results and accumulators as floats, with the bits any other reader sees', () => {
    // $acc is only ever f32 arithmetic's (a 'float' local); $both is read
    // as bits too (a 'dual' local); $raw is set from a load, so it stays
    // bits. The loop sums 4 vectors of (x * y + 0.5); the products and sums
    // are settled where a store or a new address forces them.
    const text = `(module (memory (export "m") 1)
      (func (export "f") (param $p i32) (local $acc v128) (local $both v128) (local $raw v128) (local $i i32)
        (local.set $acc (v128.const f32x4 0 -0 1.5 -2))
        (local.set $both (v128.const i32x4 0 0 0 0))
        (loop $l
          (local.set $raw (v128.load offset=64 (i32.add (local.get $p) (local.get $i))))
          (local.set $acc (f32x4.add (local.get $acc)
            (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $i))) (local.get $raw)) (v128.const f32x4 0.5 0.5 0.5 0.5))))
          (local.set $both (f32x4.sub (local.get $both) (local.get $acc)))
          (v128.store offset=128 (i32.add (local.get $p) (local.get $i)) (v128.xor (local.get $both) (local.get $raw)))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const 64))))
        (v128.store offset=192 (local.get $p) (local.get $acc))
        (i32.store offset=208 (local.get $p) (i32x4.extract_lane 1 (local.get $both)))
        (f32.store offset=212 (local.get $p) (f32x4.extract_lane 2 (local.get $both)))
        (f32.store offset=216 (local.get $p) (f32x4.extract_lane 3 (local.get $acc)))))`;
    // Inputs are small integers as f32 bits (or any bits where only xor reads
    // them), so no arithmetic makes a NaN, whose bits may differ.
    const f32Bits = new Uint32Array(1);
    const f32 = new Float32Array(f32Bits.buffer);
    sameMemoryAfter(text, 56, (random) => ((f32[0] = (random() % 512) - 256), f32Bits[0]));
    const { code } = compile(wat(text), { format: 'body' });
    const loop = code.slice(code.indexOf('while'), code.indexOf('break'));
    // $acc round the loop, the constant and the sums on their way to it
    // never go through the scratch array: only the bits of $raw, read as
    // floats, and those of $both, written beside its floats, do.
    expect(loop).toMatch(/l1=Math_fround\(l1\+/);
    expect(loop.match(/simdI32\[0\]=/g)).toEqual(['simdI32[0]=', 'simdI32[0]=', 'simdI32[0]=', 'simdI32[0]=']);
    expect(loop.match(/simdI32\[0\]=l(9|10|11|12),/g)).toHaveLength(4);
    expect(loop.match(/simdF32\[0\]=/g)).toHaveLength(4);
    expect(loop.match(/simdF32\[0\]=lf\d+,/g)).toHaveLength(4);
  });

  it("says true from the package's WebAssembly.validate, so feature detection picks a SIMD build", () => {
    // wasm-feature-detect's SIMD probe.
    const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
    expect(WebAssembly.validate(probe)).toBe(true);
    expect(Polyfill.validate(probe)).toBe(true);
  });

  it('reports a malformed or invalid SIMD module as such', () => {
    expect(() => compile(oneFunc([], [V128], [0xfd, 0x0c, 0x00]))).toThrow(/^unexpected end of section or function \(at/);
    expect(() => compile(moduleOf(op('i32x4.extract_lane'), { lane: 4 }))).toThrow(/^invalid lane index in i32x4\.extract_lane/);
    expect(() => compile(moduleOf(op('v128.load'), { align: 5 }))).toThrow(/^alignment must not be larger than natural/);
    expect(() => compile(oneFunc([V128], [I32], [0x20, 0]))).toThrow(/^type mismatch in end: expected i32, got v128/);
  });
});

// --- Mutants ----------------------------------------------------------------

/** Every SIMD opcode, one function each, with its natural immediates (and the largest lane index). */
function everyOpModule(): Uint8Array {
  const types: Bytes[] = [];
  const bodies: Bytes[] = [];
  for (const info of SIMD_OPS) {
    types.push(funcType(info.params!, info.results!));
    const lane = Math.max(0, info.lanes - 1);
    const body = [0, ...useOf(info, { lane, bytes: info.imm === Imm.Shuffle ? ZEROS.map((_, i) => 31 - i) : ZEROS.map((_, i) => i * 17) }), END];
    bodies.push([...leb(body.length), ...body]);
  }
  return new Uint8Array([
    ...HEADER,
    ...section(1, vec(types)),
    ...section(3, vec(types.map((_, i) => leb(i)))),
    ...section(5, vec([[0x00, 0x01]])),
    ...section(10, vec(bodies)),
  ]);
}

const SIMD_CORPUS = [
  { name: 'built/every-simd-op', bytes: everyOpModule() },
  {
    name: 'built/simd-program.wat',
    bytes: wat(`(module
      (import "m" "g" (global $imported v128))
      (memory 1)
      (global $acc (mut v128) (v128.const i32x4 0 0 0 0))
      (global $copy v128 (global.get $imported))
      (func $blend (export "blend") (param $p i32) (param $n i32) (result i32) (local $v v128) (local $mask v128)
        (local.set $mask (i8x16.splat (i32.const 0x0f)))
        (loop $loop
          (local.set $v (v128.load offset=16 align=8 (local.get $p)))
          (local.set $v (v128.bitselect (local.get $v) (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0 (local.get $v) (global.get $copy)) (local.get $mask)))
          (v128.store32_lane align=2 3 (local.get $p) (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $v) (local.get $mask) (global.get $acc)))
          (global.set $acc (select (local.get $v) (global.get $acc) (local.get $n)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $loop (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (i8x16.extract_lane_u 15 (v128.load8_lane 7 (local.get $p) (f32x4.relaxed_madd (local.get $v) (local.get $v) (global.get $acc))))))`),
  },
];

describe('mutants of SIMD modules', () => {
  /** The whole compiler: validation must agree with V8, and what validates must generate. */
  const compileAll = (bytes: Uint8Array) => {
    compile(bytes, { format: 'body' });
  };

  it('start from modules V8 accepts', () => {
    for (const base of SIMD_CORPUS) expect(WebAssembly.validate(base.bytes), base.name).toBe(true);
  });

  it('are rejected with a located CompileError exactly when V8 rejects them (2000 mutants, seed 15)', { timeout: 60_000 }, () => {
    const { counts, findings } = runMutants({ compile: compileAll, corpus: SIMD_CORPUS, seed: 15, count: 2000, without: ['locals near the limit'] });
    expect(findings).toEqual([]);
    expect(counts.compiled).toBeGreaterThan(50);
    expect(counts.rejected).toBeGreaterThan(1500);
  });

  // A byte that turns into another proposal's opcode (return_call, say) may be that proposal's "not supported yet".
  it('with any byte of any SIMD instruction changed, agree with V8 and point at the instruction or after it', { timeout: 60_000 }, () => {
    const findings: string[] = [];
    let rejected = 0;
    let state = 15;
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
    for (const info of SIMD_OPS) {
      // One function applying `info`, with the largest lane index and a shuffle of every lane.
      const base = moduleOf(info, { lane: Math.max(0, info.lanes - 1), bytes: ZEROS.map((_, i) => (info.imm === Imm.Shuffle ? 31 - i : i * 17)) });
      const body = bodyOf(base);
      const simd = body.find((instr) => (instr.op & ~0xfff) === PREFIX_FD)!;
      const next = body[body.indexOf(simd) + 1].offset;
      for (let at = simd.offset; at < next; at++) {
        for (const value of [0x00, 0x80, 0xff, random(), random()]) {
          const bytes = base.slice();
          bytes[at] = value;
          const what = `${info.name} byte 0x${at.toString(16)} = 0x${value.toString(16)}`;
          const ours = ourVerdict(bytes);
          const v8 = WebAssembly.validate(bytes);
          if (ours === null) {
            if (!v8) findings.push(`${what}: V8 rejects, wasm2es accepts`);
            continue;
          }
          const located = /\(at 0x([0-9a-f]+)[,)]/.exec(ours);
          if (located === null) findings.push(`${what}: no offset in ${ours}`);
          else if (Number.parseInt(located[1], 16) < simd.offset) findings.push(`${what}: error before the instruction, ${ours}`);
          if (!v8) rejected++;
          else if (!/not supported yet/.test(ours) || /SIMD/.test(ours)) findings.push(`${what}: V8 accepts, wasm2es ${ours}`);
        }
      }
    }
    expect(findings).toEqual([]);
    expect(rejected).toBeGreaterThan(1000);
  });
});

// --- The spec testsuite -------------------------------------------------------

const testsuite = findTestsuite();

describe('the SIMD scripts of the spec testsuite', () => {
  // Every module of simd_*.wast and proposals/relaxed-simd must pass
  // wasm2es's validation, and every assert_invalid fail it; V8 runs the
  // valid modules (the wasm2es-compile engine). The scripts' assert_malformed
  // are all text-format modules (quote), which test a text parser; their
  // v128 results cannot cross the JS boundary yet and are skipped.
  it.skipIf(!testsuite)('decides validity as the spec does (wasm2es-compile engine)', async () => {
    const runner = fileURLToPath(new URL('./spec/run.js', import.meta.url));
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, [runner, 'simd', 'relaxed-simd', '--engine', 'wasm2es-compile'], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
      });
    });
    expect(code, output.split('\n').slice(-80).join('\n')).toBe(0);
    const row = (kind: string) => {
      const match = new RegExp(`^${kind}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)`, 'm').exec(output);
      return match === null ? null : { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[4]) };
    };
    expect(output).toMatch(/^64 files, /m);
    // 669 and 480 in the testsuite of 2026-12.
    expect(row('assert_invalid')).toMatchObject({ failed: 0, skipped: 0 });
    expect(row('assert_invalid')!.passed).toBeGreaterThanOrEqual(669);
    expect(row('module')).toMatchObject({ failed: 0, skipped: 0 });
    expect(row('module')!.passed).toBeGreaterThanOrEqual(480);
    expect(row('assert_malformed')?.failed ?? 0).toBe(0);
  }, 120_000);
});
