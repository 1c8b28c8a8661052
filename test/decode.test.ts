// The binary decoder, specified by example: modules are written out byte by
// byte (or assembled from text with wabt where the bytes do not matter), and
// every malformed input names its error and its byte offset.

import { describe, it, expect } from 'vitest';
import wabtInit from 'wabt';
import { decode } from '../compiler/decode.js';
import { LIMITS } from '../compiler/decode-limits.js';
import { validate } from '../compiler/validate.js';
import { Reader } from '../compiler/reader.js';
import { CompileError } from '../runtime/errors.js';
import type { Instr, Module } from '../compiler/ir.js';

const wabt = await wabtInit();

// --- Byte builders ----------------------------------------------------------

type Bytes = number[];

function uleb(value: number): Bytes {
  const out: Bytes = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function str(text: string): Bytes {
  const utf8 = [...new TextEncoder().encode(text)];
  return [...uleb(utf8.length), ...utf8];
}

function vec(...items: Bytes[]): Bytes {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, ...content: Bytes[]): Bytes {
  const body = content.flat();
  return [id, ...uleb(body.length), ...body];
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const module_ = (...sections: Bytes[]) => new Uint8Array([...HEADER, ...sections.flat()]);

const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b, FUNCREF = 0x70, EXTERNREF = 0x6f;
const END = 0x0b;

const typeSection = (...types: Bytes[]) => section(1, vec(...types));
const funcType = (params: number[], results: number[]) => [0x60, ...vec(...params.map((p) => [p])), ...vec(...results.map((r) => [r]))];
const funcSection = (...typeIndices: number[]) => section(3, vec(...typeIndices.map(uleb)));
const codeSection = (...bodies: Bytes[]) => section(10, vec(...bodies));
/** A function body: its size, local declarations (count, type pairs) and code. */
const body = (locals: [number, number][], ...code: number[]) => {
  const content = [...vec(...locals.map(([count, type]) => [...uleb(count), type])), ...code];
  return [...uleb(content.length), ...content];
};
/** A module with one function of type [] -> [] whose body is `code`. */
const oneFunc = (code: number[], locals: [number, number][] = []) =>
  module_(typeSection(funcType([], [])), funcSection(0), codeSection(body(locals, ...code)));
/** Offset of the first code byte in `oneFunc`, with no locals and a body shorter than 128 bytes. */
const ONE_FUNC_CODE = 8 + 6 + 4 + 3 + 2;

// --- Expectations -------------------------------------------------------------

function expectMalformed(bytes: Uint8Array, message: RegExp): void {
  let error: unknown;
  try {
    decode(bytes);
  } catch (caught) {
    error = caught;
  }
  expect(error, 'decode should fail').toBeInstanceOf(CompileError);
  expect((error as Error).message).toMatch(message);
}

function wat(text: string, options: Record<string, boolean> = {}): Module {
  const parsed = wabt.parseWat('test.wat', text, { bulk_memory: true, reference_types: true, multi_value: true });
  try {
    return decode(parsed.toBinary(options).buffer);
  } finally {
    parsed.destroy();
  }
}

function readerOf(...bytes: number[]): Reader {
  const reader = new Reader(new Uint8Array(bytes));
  reader.section = 'test';
  return reader;
}

/** The ops of a body, by name-free numbers, to keep expectations short. */
const ops = (instrs: Instr[]) => instrs.map((instr) => instr.op);

// -----------------------------------------------------------------------------

describe('reader: unsigned LEB128 (u32)', () => {
  it('reads one to five bytes', () => {
    expect(readerOf(0x00).u32()).toBe(0);
    expect(readerOf(0x7f).u32()).toBe(127);
    expect(readerOf(0x80, 0x01).u32()).toBe(128);
    expect(readerOf(0xe5, 0x8e, 0x26).u32()).toBe(624485);
    expect(readerOf(0xff, 0xff, 0xff, 0xff, 0x0f).u32()).toBe(0xffffffff);
  });

  it('accepts non-minimal encodings up to five bytes', () => {
    expect(readerOf(0x80, 0x80, 0x80, 0x80, 0x00).u32()).toBe(0);
    expect(readerOf(0x83, 0x80, 0x00).u32()).toBe(3);
  });

  it('rejects bits above 32 in the fifth byte, at that byte', () => {
    expect(() => readerOf(0xff, 0xff, 0xff, 0xff, 0x1f).u32()).toThrow(/^integer too large \(at 0x4, test section\)$/);
    expect(() => readerOf(0x82, 0x80, 0x80, 0x80, 0x70).u32()).toThrow(/integer too large \(at 0x4/);
  });

  it('rejects a sixth byte', () => {
    expect(() => readerOf(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32()).toThrow(/^integer representation too long \(at 0x4/);
  });

  it('rejects truncated input', () => {
    expect(() => readerOf(0x80, 0x80).u32()).toThrow(/^unexpected end of section or function \(at 0x2/);
    expect(() => new Reader(new Uint8Array([0x80])).u32()).toThrow(/^unexpected end \(at 0x1\)$/);
  });

  it('advances the offset past what it read', () => {
    const reader = readerOf(0x80, 0x01, 0x05);
    reader.u32();
    expect(reader.pos).toBe(2);
    expect(reader.u32()).toBe(5);
  });
});

describe('reader: signed LEB128', () => {
  it('s32 reads and sign-extends', () => {
    expect(readerOf(0x00).s32()).toBe(0);
    expect(readerOf(0x7f).s32()).toBe(-1);
    expect(readerOf(0x3f).s32()).toBe(63);
    expect(readerOf(0x40).s32()).toBe(-64);
    expect(readerOf(0xc0, 0x00).s32()).toBe(64);
    expect(readerOf(0xff, 0x7f).s32()).toBe(-1);
    expect(readerOf(0xff, 0xff, 0xff, 0xff, 0x07).s32()).toBe(0x7fffffff);
    expect(readerOf(0x80, 0x80, 0x80, 0x80, 0x78).s32()).toBe(-0x80000000);
    expect(readerOf(0xff, 0xff, 0xff, 0xff, 0x7f).s32()).toBe(-1);
  });

  it('s32 requires the unused bits of the fifth byte to extend the sign', () => {
    expect(() => readerOf(0xff, 0xff, 0xff, 0xff, 0x0f).s32()).toThrow(/^integer too large \(at 0x4/);
    expect(() => readerOf(0x80, 0x80, 0x80, 0x80, 0x70).s32()).toThrow(/^integer too large \(at 0x4/);
    expect(() => readerOf(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s32()).toThrow(/^integer representation too long \(at 0x4/);
  });

  it('s33 reads block type indices and negative value-type codes', () => {
    expect(readerOf(0x40).s33()).toBe(-64);
    expect(readerOf(0x7f).s33()).toBe(-1);
    expect(readerOf(0x05).s33()).toBe(5);
    expect(readerOf(0xff, 0xff, 0xff, 0xff, 0x0f).s33()).toBe(0xffffffff);
    expect(readerOf(0x80, 0x80, 0x80, 0x80, 0x70).s33()).toBe(-(2 ** 32));
    expect(() => readerOf(0xff, 0xff, 0xff, 0xff, 0x1f).s33()).toThrow(/^integer too large \(at 0x4/);
    expect(() => readerOf(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s33()).toThrow(/^integer representation too long/);
  });

  it('s64 returns a BigInt, exact over the whole range', () => {
    expect(readerOf(0x00).s64()).toBe(0n);
    expect(readerOf(0x7f).s64()).toBe(-1n);
    expect(readerOf(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f).s64()).toBe(2n ** 55n - 1n);
    expect(readerOf(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f).s64()).toBe(-(2n ** 63n));
    expect(readerOf(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00).s64()).toBe(2n ** 63n - 1n);
    expect(readerOf(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f).s64()).toBe(-1n);
  });

  it('s64 requires the unused bits of the tenth byte to extend the sign', () => {
    expect(() => readerOf(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).s64()).toThrow(/^integer too large \(at 0x9/);
    expect(() => readerOf(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7e).s64()).toThrow(/^integer too large \(at 0x9/);
    expect(() => readerOf(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s64()).toThrow(/^integer representation too long \(at 0x9/);
  });
});

describe('reader: floats', () => {
  it('f32 returns the value and the raw bits, keeping NaN payloads', () => {
    expect(readerOf(0x00, 0x00, 0xc0, 0x3f).f32()).toEqual({ value: 1.5, bits: 0x3fc00000 });
    const nan = readerOf(0x01, 0x00, 0xa0, 0x7f).f32();
    expect(nan.bits).toBe(0x7fa00001);
    expect(nan.value).toBeNaN();
    expect(readerOf(0x00, 0x00, 0x00, 0x80).f32().bits).toBe(0x80000000);
  });

  it('f64 returns the value and the raw bits as a BigInt', () => {
    expect(readerOf(0, 0, 0, 0, 0, 0, 0xf8, 0x3f).f64()).toEqual({ value: 1.5, bits: 0x3ff8000000000000n });
    expect(readerOf(1, 0, 0, 0, 0, 0, 0xf4, 0xff).f64().bits).toBe(0xfff4000000000001n);
  });

  it('rejects truncated floats', () => {
    expect(() => readerOf(0x00, 0x00, 0x80).f32()).toThrow(/^unexpected end/);
    expect(() => readerOf(0, 0, 0, 0, 0, 0, 0xf8).f64()).toThrow(/^unexpected end/);
  });
});

describe('reader: names and byte vectors', () => {
  const name = (...bytes: number[]) => readerOf(bytes.length, ...bytes).name();

  it('decodes UTF-8 of every length', () => {
    expect(name(0x61, 0x62)).toBe('ab');
    expect(name()).toBe('');
    expect(name(0xc3, 0xa9)).toBe('é');
    expect(name(0xe2, 0x82, 0xac)).toBe('€');
    expect(name(0xf0, 0x9f, 0x98, 0x80)).toBe('😀');
    expect(name(0xf4, 0x8f, 0xbf, 0xbf)).toBe('\u{10ffff}');
    expect(name(0xef, 0xbb, 0xbf)).toBe('\ufeff');
    expect(name(0x00)).toBe('\0');
  });

  it('decodes long names', () => {
    const bytes = new Array(20000).fill(0x78);
    expect(name(...bytes.slice(0, 100))).toBe('x'.repeat(100));
    const reader = new Reader(new Uint8Array([...uleb(bytes.length), ...bytes]));
    expect(reader.name()).toBe('x'.repeat(20000));
  });

  it.each([
    ['a stray continuation byte', [0x80]],
    ['an overlong two-byte form', [0xc0, 0x80]],
    ['an overlong two-byte form (c1)', [0xc1, 0xbf]],
    ['an overlong three-byte form', [0xe0, 0x80, 0x80]],
    ['an overlong four-byte form', [0xf0, 0x80, 0x80, 0x80]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a lead byte 0xf5', [0xf5, 0x80, 0x80, 0x80]],
    ['a lead byte 0xff', [0xff]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['a missing continuation byte', [0xe2, 0x41, 0x82]],
  ])('rejects %s', (_, bytes) => {
    expect(() => name(...bytes)).toThrow(/^malformed UTF-8 encoding \(at 0x/);
  });

  it('points at the offending byte', () => {
    expect(() => name(0x61, 0x62, 0xe2, 0x41)).toThrow(/malformed UTF-8 encoding \(at 0x3,/);
    expect(() => name(0x61, 0x62, 0xe2, 0x82, 0x41)).toThrow(/malformed UTF-8 encoding \(at 0x5,/);
  });

  it('rejects a length past the end', () => {
    expect(() => readerOf(5, 0x61).name()).toThrow(/^unexpected end of section or function: a length of 5 bytes runs past the end \(1 bytes left\) \(at 0x2, test section\)$/);
  });

  it('byteVec returns a view of the bytes', () => {
    const reader = readerOf(3, 1, 2, 3, 9);
    const view = reader.byteVec();
    expect([...view]).toEqual([1, 2, 3]);
    expect(view.buffer).toBe(reader.bytes.buffer);
    expect(reader.pos).toBe(4);
    expect(() => readerOf(4, 1, 2, 3).byteVec()).toThrow(/^unexpected end of section or function/);
  });
});

describe('reader: fail', () => {
  it('ends every message with the offset, section and function', () => {
    const reader = new Reader(new Uint8Array(0x200));
    expect(() => reader.fail('boom', 0x1a3)).toThrow(/^boom \(at 0x1a3\)$/);
    reader.section = 'code';
    reader.functionIndex = 7;
    expect(() => reader.fail('type mismatch', 0x1a3)).toThrow(/^type mismatch \(at 0x1a3, code section, function 7\)$/);
  });

  it('throws CompileError, with the JS API name', () => {
    let error: unknown;
    try {
      readerOf().u8();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CompileError);
    expect((error as Error).name).toBe('CompileError');
  });
});

// -----------------------------------------------------------------------------

describe('module header', () => {
  it('decodes the empty module', () => {
    const module = decode(module_());
    expect(module).toMatchObject({ types: [], imports: [], funcs: [], start: null, dataCount: null, names: null, importedFuncs: 0 });
  });

  it('says an empty input is empty', () => {
    expectMalformed(new Uint8Array([]), /^unexpected end: the input is empty, expected a WebAssembly module \(\\0asm\) \(at 0x0\)$/);
  });

  it('rejects truncated headers', () => {
    expectMalformed(new Uint8Array([0x00, 0x61, 0x73]), /^unexpected end/);
    expectMalformed(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01]), /^unexpected end/);
  });

  it('rejects a wrong magic number', () => {
    expectMalformed(new Uint8Array([0x00, 0x41, 0x53, 0x4d, 1, 0, 0, 0]), /^magic header not detected \(at 0x0\)$/);
    expectMalformed(new Uint8Array([0xef, 0xbb, 0xbf, 0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), /^magic header not detected/);
  });

  it('rejects other versions', () => {
    expectMalformed(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), /^unknown binary version \(at 0x4\)$/);
    expectMalformed(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0, 0x01, 0]), /^unknown binary version/);
  });
});

describe('sections', () => {
  it('may appear in order, each at most once, with data count between element and code', () => {
    const module = decode(module_(
      typeSection(funcType([], [])), section(2, vec()), funcSection(0), section(4, vec()), section(5, vec()),
      section(6, vec()), section(7, vec()), section(8, [0]), section(9, vec()), section(12, [0]),
      codeSection(body([], END)), section(11, vec()),
    ));
    expect(module.start).toBe(0);
    expect(module.dataCount).toBe(0);
    expect(module.funcs).toHaveLength(1);
  });

  it('rejects a section out of order, at its id', () => {
    expectMalformed(module_(section(3, vec()), section(2, vec())), /^unexpected content after last section: import section out of order or repeated \(at 0xb\)$/);
    expectMalformed(module_(section(10, vec()), section(12, [0])), /^unexpected content after last section.*\(at 0xb\)/);
  });

  it('rejects a repeated section', () => {
    expectMalformed(module_(section(1, vec()), section(1, vec())), /^unexpected content after last section: type section/);
    expectMalformed(module_(section(8, [0]), section(8, [0])), /^unexpected content after last section: start section/);
  });

  it('rejects unknown section ids', () => {
    expectMalformed(module_([0x0e, 0x01, 0x00]), /^malformed section id 14 \(at 0x8\)$/);
    expectMalformed(module_([0x80, 0x01, 0x00]), /^malformed section id 128/);
  });

  it('rejects a section larger than the module', () => {
    expectMalformed(module_([0x01, 0x05, 0x00]), /^length out of bounds.*\(at 0x9, type section\)$/);
  });

  it('rejects a section whose contents end before its size', () => {
    expectMalformed(module_([0x01, 0x02, 0x00, 0x00]), /^section size mismatch.*\(at 0xb, type section\)$/);
  });

  it('never reads one section into the next', () => {
    // The type section claims one type but its size covers only the count.
    expectMalformed(module_([0x01, 0x01, 0x01], funcSection()), /^unexpected end of section or function: 1 types cannot fit in the 0 bytes left \(at 0xa, type section\)$/);
  });

  it('carries the section size LEB rules', () => {
    expectMalformed(module_([0x00, 0x83, 0x80, 0x80, 0x80, 0x10, 0x01, 0x31, 0x32]), /^integer too large \(at 0xd, custom section\)$/);
    expectMalformed(module_([0x00, 0x83, 0x80, 0x80, 0x80, 0x80, 0x00]), /^integer representation too long \(at 0xd, custom section\)$/);
  });

  it('decodes the tag section (exception handling), between the memory and global sections', () => {
    const module = decode(module_(typeSection(funcType([I32], [])), section(13, vec([0x00, 0x00], [0x00, 0x00]))));
    expect(module.tags).toEqual([{ typeIndex: 0, offset: 18 }, { typeIndex: 0, offset: 20 }]);
    expect(module.exnref).toBeNull(); // tags are in the legacy encoding too
    expectMalformed(module_(section(13, vec([0x01, 0x00]))), /^malformed tag attribute 0x1 \(at 0xb, tag section\)$/);
    expectMalformed(module_(section(6, vec()), section(13, vec())), /^unexpected content after last section: tag section out of order/);
  });
});

describe('type section', () => {
  it('decodes function types, including multiple results and reference types', () => {
    const module = decode(module_(typeSection(
      funcType([], []),
      funcType([I32, I64], [F32, F64]),
      funcType([FUNCREF, EXTERNREF], [I32, I32, I32]),
    )));
    expect(module.types).toEqual([
      { params: [], results: [] },
      { params: [I32, I64], results: [F32, F64] },
      { params: [FUNCREF, EXTERNREF], results: [I32, I32, I32] },
    ]);
  });

  it('rejects other type forms', () => {
    expectMalformed(module_(typeSection([0x61, 0, 0])), /^malformed type form 0x61 \(at 0xb, type section\)$/);
    expectMalformed(module_(typeSection([0xe0, 0x7f, 0, 0])), /^integer representation too long/);
  });

  it('rejects unknown value types', () => {
    expectMalformed(module_(typeSection([0x60, 1, 0x7a, 0])), /^malformed value type 0x7a \(at 0xd, type section\)$/);
  });

  it('decodes the types of typed references and GC (3.0), and notes where a module first uses them', () => {
    // (ref 0) -> (ref null 0): a function type naming itself; a struct of (mut i8) and anyref; an array of i16.
    const module = decode(module_(typeSection([0x60, 1, 0x64, 0x00, 1, 0x63, 0x00], [0x5f, 2, 0x78, 1, 0x6e, 0], [0x5e, 0x77, 1])));
    expect(module.types[0]).toEqual({ params: [0x40000000 + 0x200], results: [0x200] });
    expect(module.types[1].def).toMatchObject({ kind: 1, fields: [{ type: 0x78, mutable: true }, { type: 0x6e, mutable: false }], supertype: -1, final: true });
    expect(module.types[2].def).toMatchObject({ kind: 2, fields: [{ type: 0x77, mutable: true }] });
    expect(module.gc?.where).toBe('at 0xd, type section');
    // nullexnref is exception handling's and typed references'.
    expect(decode(module_(typeSection(funcType([], [0x74])))).types[0].results).toEqual([0x74]);
    expect(decode(module_(typeSection(funcType([], [0x69])))).types[0].results).toEqual([0x69]);
    expect(decode(module_(typeSection(funcType([], [0x7f])))).gc).toBeNull();
    // A reference to a type not yet defined is no heap type.
    expectMalformed(module_(typeSection(funcType([], [0x64, 0x05]))), /^unknown type 5 \(at 0xf, type section\)$/);
  });

  it('canonicalises equivalent recursive groups onto the first', () => {
    // Two equal rec groups of a struct pointing at itself, and a plain function type twice.
    const group = [0x4e, 1, 0x5f, 1, 0x63, 0x00, 0];
    const module = decode(module_(typeSection(group, [0x4e, 1, 0x5f, 1, 0x63, 0x01, 0], funcType([], []), funcType([], []))));
    expect(module.types[1]).toBe(module.types[0]);
    expect(module.types[3]).toBe(module.types[2]);
    expect(module.types[0].def?.fields[0].type).toBe(0x200);
  });
});

describe('import section', () => {
  it('decodes every kind and counts the imported entities', () => {
    const module = decode(module_(typeSection(funcType([], [])), section(2, vec(
      [...str('env'), ...str('f'), 0x00, 0x00],
      [...str('env'), ...str('t'), 0x01, FUNCREF, 0x01, 1, 10],
      [...str('env'), ...str('m'), 0x02, 0x00, 2],
      [...str('env'), ...str('g'), 0x03, I64, 0x01],
      [...str('ünïcödé'), ...str('€'), 0x00, 0x00],
    ))));
    expect(module.imports.map(({ module, name, desc }) => ({ module, name, desc }))).toEqual([
      { module: 'env', name: 'f', desc: { kind: 0, typeIndex: 0 } },
      { module: 'env', name: 't', desc: { kind: 1, type: { elemType: FUNCREF, limits: { min: 1, max: 10, offset: 34, maxOffset: 35 }, address64: false } } },
      { module: 'env', name: 'm', desc: { kind: 2, type: { limits: { min: 2, max: null, offset: 44, maxOffset: -1 }, shared: false, address64: false } } },
      { module: 'env', name: 'g', desc: { kind: 3, type: { valType: I64, mutable: true } } },
      { module: 'ünïcödé', name: '€', desc: { kind: 0, typeIndex: 0 } },
    ]);
    expect(module.imports[0].offset).toBe(8 + 6 + 3);
    expect([module.importedFuncs, module.importedTables, module.importedMemories, module.importedGlobals]).toEqual([2, 1, 1, 1]);
  });

  it('rejects unknown kinds, at the kind byte', () => {
    expectMalformed(module_(section(2, vec([0, 0, 0x05]))), /^malformed import kind 0x5 \(at 0xd, import section\)$/);
    expectMalformed(module_(section(2, vec([0, 0, 0x80, 0]))), /^malformed import kind 0x80/);
  });

  it('decodes tag imports (exception handling)', () => {
    const module = decode(module_(section(2, vec([0, 0, 0x04, 0, 0]))));
    expect(module.imports[0].desc).toEqual({ kind: 4, typeIndex: 0 });
    expect(module.importedTags).toBe(1);
    expectMalformed(module_(section(2, vec([0, 0, 0x04, 2, 0]))), /^malformed tag attribute 0x2 \(at 0xe, import section\)$/);
    expectMalformed(module_(section(2, vec([0, 0, 0x05, 0, 0]))), /^malformed import kind 0x5 \(at 0xd, import section\)$/);
  });

  it('rejects names that are not UTF-8', () => {
    expectMalformed(module_(section(2, vec([1, 0x80, 0, 0x00, 0]))), /^malformed UTF-8 encoding \(at 0xc, import section\)$/);
    expectMalformed(module_(section(2, vec([0, 2, 0xc0, 0x80, 0x00, 0]))), /^malformed UTF-8 encoding \(at 0xd, import section\)$/);
  });

  it('rejects an import cut short by the section end', () => {
    expectMalformed(module_(section(2, [2, 0, 0, 0x00, 0])), /^unexpected end of section or function \(at 0xf, import section\)$/);
  });

  it('rejects malformed mutability', () => {
    expectMalformed(module_(section(2, vec([0, 0, 0x03, I32, 0x02]))), /^malformed mutability 0x02 \(at 0xf, import section\)$/);
  });
});

describe('function and code sections', () => {
  it('must have the same number of entries', () => {
    expectMalformed(module_(typeSection(funcType([], [])), funcSection(0, 0)), /^function and code section have inconsistent lengths \(2 functions, 0 bodies\)/);
    expectMalformed(module_(codeSection(body([], END))), /^function and code section have inconsistent lengths \(0 functions, 1 bodies\) \(at 0xa\)$/);
    expectMalformed(
      module_(typeSection(funcType([], [])), funcSection(0), codeSection(body([], END), body([], END))),
      /^function and code section have inconsistent lengths \(1 functions, 2 bodies\)/,
    );
  });

  it('may both be absent or empty', () => {
    expect(decode(module_(funcSection())).funcs).toEqual([]);
    expect(decode(module_(codeSection())).funcs).toEqual([]);
  });

  it('pair each body with its type index and offset', () => {
    const module = decode(module_(typeSection(funcType([], []), funcType([I32], [])), funcSection(1, 0), codeSection(body([], END), body([], 0x01, END))));
    expect(module.funcTypeIndices).toEqual([1, 0]);
    expect(module.funcs.map((func) => func.typeIndex)).toEqual([1, 0]);
    const codeStart = 8 + 10 + 5 + 3;
    expect(module.funcs.map((func) => func.offset)).toEqual([codeStart, codeStart + 3]);
  });
});

describe('code: locals', () => {
  /** The declared locals, one entry per local. */
  const expanded = (func: { locals: { count: number; type: number }[] }) => func.locals.flatMap((run) => Array(run.count).fill(run.type));

  it('keeps (count, type) pairs as runs, without empty ones; parameters are not included', () => {
    const module = decode(module_(typeSection(funcType([I32], [])), funcSection(0), codeSection(body([[2, I32], [0, I64], [1, F64], [3, EXTERNREF]], END))));
    expect(module.funcs[0].locals).toEqual([{ count: 2, type: I32 }, { count: 1, type: F64 }, { count: 3, type: EXTERNREF }]);
    expect(expanded(module.funcs[0])).toEqual([I32, I32, F64, EXTERNREF, EXTERNREF, EXTERNREF]);
  });

  it('rejects more than 50000 locals before allocating them, at the count that passes the limit', () => {
    expect(expanded(decode(oneFunc([END], [[50000, I32]])).funcs[0])).toHaveLength(50000);
    expectMalformed(oneFunc([END], [[25000, I32], [25001, I64]]), /^too many locals: 50001 \(the limit is 50000\) \(at 0x1b, code section, function 0\)$/);
    expectMalformed(oneFunc([END], [[0xffffffff, I32], [2, I64]]), /^too many locals: 4294967295 \(the limit is 50000\) \(at 0x17,/);
  });

  it('counts the parameters against the limit', () => {
    const withParams = (locals: number) => module_(typeSection(funcType([I32, I64], [])), funcSection(0), codeSection(body([[locals, F32]], END)));
    expect(expanded(decode(withParams(49998)).funcs[0])).toHaveLength(49998);
    expectMalformed(withParams(49999), /^too many locals: 50001, 2 of them parameters \(the limit is 50000\)/);
  });

  it('checks the number of local declarations against the body size', () => {
    expectMalformed(oneFunc([END], []).map((byte, i) => (i === ONE_FUNC_CODE - 1 ? 0x7f : byte)), /^unexpected end of section or function: 127 local declarations cannot fit in the 1 bytes left/);
  });

  it('reads counts as u32', () => {
    const bytes = module_(typeSection(funcType([], [])), funcSection(0), codeSection([10, 2, 0x80, 0x80, 0x80, 0x80, 0x10, I32, 2, I64, END]));
    expectMalformed(bytes, /^integer too large \(at 0x1b, code section, function 0\)$/);
  });

  it('decodes v128 locals, noting the first use of v128 for the emitter', () => {
    const module = decode(oneFunc([END], [[1, V128]]));
    expect(module.funcs[0].locals).toEqual([{ count: 1, type: V128 }]);
    expect(module.simd).toEqual({ offset: 0x18, where: 'at 0x18, code section, function 0' });
  });
});

describe('code: body framing', () => {
  it('includes the final end in the body', () => {
    expect(ops(decode(oneFunc([0x01, END])).funcs[0].body)).toEqual([0x01, END]);
  });

  it('rejects bytes after the final end', () => {
    expectMalformed(oneFunc([END, 0x01]), /^section size mismatch.*\(at 0x18, code section, function 0\)$/);
  });

  it('rejects a body size past the section', () => {
    expectMalformed(module_(typeSection(funcType([], [])), funcSection(0), section(10, [1, 5, 0, END])), /^length out of bounds/);
  });

  it('rejects a body without its final end', () => {
    // Between two functions, at the end of the module, and with the end just outside the declared size.
    const twoFuncs = module_(typeSection(funcType([], [])), funcSection(0, 0), section(10, [2, 4, 0, 0x41, 1, 0x1a, 5, 0, 0x41, 1, 0x1a, END]));
    expectMalformed(twoFuncs, /^END opcode expected \(at 0x1b, code section, function 0\)$/);
    expectMalformed(module_(typeSection(funcType([], [])), funcSection(0), section(10, [1, 4, 0, 0x41, 1, 0x1a])), /^unexpected end of section or function/);
    expectMalformed(module_(typeSection(funcType([], [])), funcSection(0), section(10, [1, 4, 0, 0x41, 1, 0x1a]), [END, 3, 1, 1, 0]), /^section size mismatch/);
  });

  it('rejects an open block at the end of the body', () => {
    expectMalformed(oneFunc([0x02, 0x40, END]), /^unexpected end of section or function/);
    expectMalformed(oneFunc([0x02, 0x40, 0x01, END], []), /unexpected end/);
  });

  it('rejects else without a matching if', () => {
    expectMalformed(oneFunc([0x05, END]), /^misplaced ELSE opcode.*\(at 0x17, code section, function 0\)$/);
    expectMalformed(oneFunc([0x02, 0x40, 0x05, END, END]), /^misplaced ELSE opcode/);
    expectMalformed(oneFunc([0x41, 0, 0x04, 0x40, 0x05, 0x05, END, END]), /^misplaced ELSE opcode.*\(at 0x1c,/);
  });

  it('rejects an immediate cut short by the body size', () => {
    expectMalformed(module_(typeSection(funcType([], [])), funcSection(0), section(10, [1, 3, 0, 0x41, 0x80, END])), /^unexpected end of section or function \(at 0x19, code section, function 0\)$/);
  });

  it('numbers functions after the imported ones in messages', () => {
    const bytes = module_(
      typeSection(funcType([], [])),
      section(2, vec([...str('m'), ...str('a'), 0, 0], [...str('m'), ...str('b'), 0, 0])),
      funcSection(0, 0),
      codeSection(body([], END), body([], 0xff, END)),
    );
    expectMalformed(bytes, /^illegal opcode 0xff \(at 0x[0-9a-f]+, code section, function 3\)$/);
  });
});

describe('code: instructions and their immediates', () => {
  const bodyOf = (text: string) => wat(`(module ${text})`).funcs[0].body;
  const find = (instrs: Instr[], op: number) => instrs.find((instr) => instr.op === op)!;

  it('records the opcode and its offset', () => {
    const instrs = decode(oneFunc([0x41, 0x05, 0x1a, END])).funcs[0].body;
    expect(instrs.map(({ op, offset }) => [op, offset])).toEqual([[0x41, ONE_FUNC_CODE], [0x1a, ONE_FUNC_CODE + 2], [END, ONE_FUNC_CODE + 3]]);
  });

  it('builds every Instr with the same fields in the same order', () => {
    const instrs = bodyOf(`(memory 1) (table 1 funcref) (type $t (func (param i32) (result i32)))
      (func (local i32 i64) (block (result i32) (i32.const 1)) (drop)
        (i64.const 5) (drop) (f32.const 1) (drop) (f64.const 2) (drop)
        (i32.load offset=4 (i32.const 0)) (drop) (br_table 0 0 (i32.const 0))
        (call_indirect (type $t) (i32.const 0) (i32.const 0)) (drop) (ref.null func) (drop)
        (select (result i32) (i32.const 1) (i32.const 2) (i32.const 3)) (drop))`);
    const shape = ['op', 'offset', 'index', 'index2', 'value', 'bits', 'align', 'memOffset', 'blockType', 'targets', 'types', 'v128'];
    for (const instr of instrs) expect(Object.keys(instr)).toEqual(shape);
  });

  it('resolves block types: empty, one value type, or a type index', () => {
    const module = wat(`(module (type $pair (func (param i32) (result i32 i64)))
      (func (block) (loop (result f64) (f64.const 1)) (drop)
        (i32.const 1) (if (type $pair) (param i32) (result i32 i64) (then (i64.const 1)) (else (i64.const 2))) (drop) (drop)))`);
    const [block, loop, ifInstr] = [0x02, 0x03, 0x04].map((op) => module.funcs[0].body.find((instr) => instr.op === op)!);
    expect(block.blockType).toEqual({ params: [], results: [] });
    expect(loop.blockType).toEqual({ params: [], results: [F64] });
    expect(ifInstr.op).toBe(0x04);
    expect(ifInstr.blockType).toBe(module.types[0]);
  });

  it('shares and freezes the block types it makes up', () => {
    const instrs = bodyOf('(func (block) (block) (block (result i32) (i32.const 0)) (drop))');
    expect(instrs[0].blockType).toBe(instrs[2].blockType);
    expect(Object.isFrozen(instrs[0].blockType)).toBe(true);
  });

  it('rejects malformed block types', () => {
    expectMalformed(oneFunc([0x02, 0x7a, END, END]), /^malformed block type 0x7a \(at 0x18, code section, function 0\)$/);
    expectMalformed(oneFunc([0x02, 0x05, END, END]), /^unknown type 5 \(at 0x18/);
    expectMalformed(oneFunc([0x02, 0x80, 0x80, 0x80, 0x80, 0x70, END, END]), /^malformed block type \(at 0x18/);
    expect(decode(oneFunc([0x02, V128, END, END])).funcs[0].body[0].blockType).toEqual({ params: [], results: [V128] });
  });

  it('decodes labels, br_table targets with the default in `index`', () => {
    const instrs = bodyOf('(func (block (block (br_table 0 1 0 (i32.const 0)) (br 1) (br_if 0 (i32.const 1)))))');
    const brTable = find(instrs, 0x0e);
    expect(brTable.targets).toEqual([0, 1]);
    expect(brTable.index).toBe(0);
    expect(find(instrs, 0x0c).index).toBe(1);
    expect(find(instrs, 0x0d).index).toBe(0);
  });

  it('decodes calls: call_indirect has the type in `index` and the table in `index2`', () => {
    const instrs = bodyOf(`(type $v (func)) (table $a 0 funcref) (table $b 0 funcref)
      (func $f (call $f) (call_indirect $b (type $v) (i32.const 0)))`);
    expect(find(instrs, 0x10).index).toBe(0);
    expect(find(instrs, 0x11)).toMatchObject({ index: 0, index2: 1 });
  });

  it('decodes variable and table indices', () => {
    const instrs = bodyOf(`(global $g (mut i32) (i32.const 0)) (table $t 1 externref)
      (func (param i32) (local i64 i32) (local.set 2 (local.get 0)) (global.set $g (local.tee 2 (i32.const 1)))
        (table.set $t (i32.const 0) (table.get $t (i32.const 0))))`);
    expect(instrs.filter((i) => i.op >= 0x20 && i.op <= 0x26).map(({ op, index }) => [op, index])).toEqual([
      [0x20, 0], [0x21, 2], [0x22, 2], [0x24, 0], [0x25, 0], [0x26, 0],
    ]);
  });

  it('decodes memory arguments as log2 alignment and offset', () => {
    const instrs = bodyOf('(memory 1) (func (i64.store offset=4294967295 align=4 (i32.const 0) (i64.load8_u offset=7 (i32.const 0))))');
    expect(find(instrs, 0x31)).toMatchObject({ align: 0, memOffset: 7 });
    expect(find(instrs, 0x37)).toMatchObject({ align: 2, memOffset: 0xffffffff });
  });

  it('decodes constants exactly', () => {
    const instrs = bodyOf(`(func (drop (i32.const -2147483648)) (drop (i64.const -9223372036854775808))
      (drop (i64.const 0x7fffffffffffffff)) (drop (f32.const nan:0x200001)) (drop (f64.const -nan:0x4000000000001))
      (drop (f32.const -0.0)) (drop (f64.const 0x1p-1074)))`);
    const consts = instrs.filter((i) => i.op >= 0x41 && i.op <= 0x44);
    expect(consts[0].value).toBe(-2147483648);
    expect(consts[1].value).toBe(-(2n ** 63n));
    expect(consts[2].value).toBe(2n ** 63n - 1n);
    expect(consts[3].bits).toBe(0x7fa00001);
    expect(consts[3].value).toBeNaN();
    expect(consts[4].bits).toBe(0xfff4000000000001n);
    expect(Object.is(consts[5].value, -0)).toBe(true);
    expect(consts[5].bits).toBe(0x80000000);
    expect(consts[6]).toMatchObject({ value: 5e-324, bits: 1n });
  });

  it('decodes select with types, and ref.null with its reference type in `types` and `index`', () => {
    const instrs = bodyOf('(func $f (drop (select (result externref) (ref.null extern) (ref.null extern) (i32.const 1))) (drop (ref.func $f)) (drop (ref.is_null (ref.null func)))) (elem declare func $f)');
    expect(find(instrs, 0x1c).types).toEqual([EXTERNREF]);
    expect(instrs.filter((i) => i.op === 0xd0).map((i) => [i.types, i.index])).toEqual([[[EXTERNREF], EXTERNREF], [[EXTERNREF], EXTERNREF], [[FUNCREF], FUNCREF]]);
    expect(find(instrs, 0xd2).index).toBe(0);
  });

  it('folds 0xFC opcodes into 0xFC00 | subopcode, with their indices', () => {
    const instrs = bodyOf(`(memory 1) (table $a 1 funcref) (table $b 1 funcref) (elem $e func) (data $d "x")
      (func (drop (i32.trunc_sat_f32_s (f32.const 0)))
        (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0)) (data.drop $d)
        (memory.copy (i32.const 0) (i32.const 0) (i32.const 0)) (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
        (table.init $b $e (i32.const 0) (i32.const 0) (i32.const 0)) (elem.drop $e)
        (table.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0))
        (drop (table.grow $b (ref.null func) (i32.const 1))) (drop (table.size $b)) (table.fill $b (i32.const 0) (ref.null func) (i32.const 0)))`);
    const prefixed = instrs.filter((i) => i.op >= 0xfc00).map(({ op, index, index2 }) => [op - 0xfc00, index, index2]);
    expect(prefixed).toEqual([[0, 0, 0], [8, 0, 0], [9, 0, 0], [10, 0, 0], [11, 0, 0], [12, 0, 1], [13, 0, 0], [14, 0, 1], [15, 1, 0], [16, 1, 0], [17, 1, 0]]);
  });

  it('rejects unknown opcodes', () => {
    expectMalformed(oneFunc([0x27, END]), /^illegal opcode 0x27 \(at 0x17, code section, function 0\)$/);
    expectMalformed(oneFunc([0xc5, END]), /^illegal opcode 0xc5/);
    expectMalformed(oneFunc([0xfc, 0x12, END]), /^illegal opcode 0xfc 0x12 \(at 0x17/);
    expectMalformed(oneFunc([0xfc, 0x80, 0x02, END]), /^illegal opcode 0xfc 0x100/);
  });

  it('names the proposal of opcodes it does not support, with the offset and function', () => {
    expectMalformed(oneFunc([0xfe, 0x03, 0x00, END]), /^threads \(0xfe prefix, atomics\) is not supported yet \(at 0x17/);
    expectMalformed(oneFunc([0xfb, 0x7f, END]), /^illegal opcode 0xfb 0x7f \(at 0x17/);
  });

  it('decodes the instructions of typed references and GC (3.0)', () => {
    // call_ref 0, struct.get 0 1, ref.test (ref null i31), br_on_cast 1 0 (ref null any) (ref eq), ref.eq
    const body = decode(oneFunc([0x14, 0x00, 0xfb, 0x02, 0x00, 0x01, 0xfb, 0x15, 0x6c, 0xfb, 0x18, 0x01, 0x00, 0x6e, 0x6d, 0xd3, END])).funcs[0].body;
    expect(body.map((instr) => instr.op)).toEqual([0x14, 0xfb02, 0xfb15, 0xfb18, 0xd3, END]);
    expect(body[1]).toMatchObject({ index: 0, index2: 1 });
    expect(body[2].types).toEqual([0x6c]);
    expect(body[3]).toMatchObject({ index: 0, types: [0x6e, 0x6d + 0x40000000] });
    expectMalformed(oneFunc([0xfb, 0x18, 0x04, 0x00, 0x6e, 0x6d, END]), /^malformed br_on_cast flags 0x4/);
  });
});

describe('code: exception handling', () => {
  it('decodes try_table with its catch clauses, throw and throw_ref', () => {
    // try_table (catch 0 0) (catch_ref 1 1) (catch_all 2) (catch_all_ref 3) end, throw 0, throw_ref
    const body = decode(oneFunc([0x1f, 0x40, 4, 0x00, 0, 0, 0x01, 1, 1, 0x02, 2, 0x03, 3, END, 0x08, 0x00, 0x0a, END])).funcs[0].body;
    expect(body[0]).toMatchObject({ op: 0x1f, targets: [0, 0, 0, 1, 1, 1, 2, 0, 2, 3, 0, 3] });
    expect(body.slice(1).map((instr) => instr.op)).toEqual([END, 0x08, 0x0a, END]);
    expectMalformed(oneFunc([0x1f, 0x40, 1, 0x04, 0, END, END]), /^malformed catch clause kind 0x4 \(at 0x1a, code section, function 0\)$/);
  });

  it('decodes the legacy try, catch, catch_all, delegate and rethrow, checking where the arms may stand', () => {
    const body = decode(oneFunc([0x06, 0x40, 0x07, 0x00, 0x09, 0x00, 0x19, END, 0x06, 0x40, 0x18, 0x00, END])).funcs[0].body;
    expect(body.map((instr) => instr.op)).toEqual([0x06, 0x07, 0x09, 0x19, END, 0x06, 0x18, END]);
    expectMalformed(oneFunc([0x07, 0x00, END]), /^misplaced CATCH opcode/);
    expectMalformed(oneFunc([0x02, 0x40, 0x19, END, END]), /^misplaced CATCH_ALL opcode/);
    expectMalformed(oneFunc([0x06, 0x40, 0x19, 0x07, 0x00, END, END]), /^misplaced CATCH opcode/);
    expectMalformed(oneFunc([0x06, 0x40, 0x19, 0x18, 0x00, END]), /^misplaced DELEGATE opcode/);
    expect(decode(oneFunc([0x06, 0x40, END, END])).exnref).toBeNull();
    expect(decode(oneFunc([0x1f, 0x40, 0, END, END])).exnref?.where).toBe('at 0x17, code section, function 0');
  });
});

describe('code: reserved bytes and memory indices', () => {
  it('reads the memory index after memory.size and memory.grow as LEB128 (3.0 multi-memory)', () => {
    expect(decode(oneFunc([0x3f, 0x00, 0x1a, END])).funcs[0].body[0]).toMatchObject({ op: 0x3f, index: 0 });
    expect(decode(oneFunc([0x3f, 0x00, 0x1a, END])).multiMemory).toBeNull();
    // An overlong zero is memory 0, which 2.0 called malformed.
    const overlong = decode(oneFunc([0x3f, 0x80, 0x00, 0x1a, END]));
    expect(overlong.funcs[0].body[0]).toMatchObject({ op: 0x3f, index: 0 });
    expect(overlong.multiMemory?.where).toBe('at 0x18, code section, function 0');
    expect(decode(oneFunc([0x41, 0, 0x40, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a, END])).funcs[0].body[1]).toMatchObject({ op: 0x40, index: 0 });
    expect(decode(oneFunc([0x3f, 0x01, 0x1a, END])).funcs[0].body[0]).toMatchObject({ op: 0x3f, index: 1 });
  });

  it('reads a memory index where bit 6 of a memarg\'s flags says so, and in the bulk instructions', () => {
    expect(decode(oneFunc([0x41, 0, 0x28, 0x42, 0x01, 0x08, 0x1a, END])).funcs[0].body[1]).toMatchObject({ op: 0x28, align: 2, index2: 1, memOffset: 8 });
    expect(decode(oneFunc([0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x0a, 0x03, 0x02, END])).funcs[0].body[3]).toMatchObject({ index: 3, index2: 2 });
    expect(decode(oneFunc([0x41, 0, 0x28, 0x02, 0x08, 0x1a, END])).funcs[0].body[1]).toMatchObject({ align: 2, index2: 0 });
  });

  it('rejects alignment exponents of 32 and more', () => {
    expect(decode(oneFunc([0x41, 0, 0x28, 0x1f, 0x00, 0x1a, END])).funcs[0].body[1].align).toBe(31);
    expectMalformed(oneFunc([0x41, 0, 0x28, 0x20, 0x00, 0x1a, END]), /^malformed memop flags 0x20 \(at 0x1a/);
    expectMalformed(oneFunc([0x41, 0, 0x28, 0x80, 0x01, 0x00, 0x1a, END]), /^malformed memop flags 0x80/);
  });

  it('reads call_indirect table indices as LEB128', () => {
    const bytes = module_(typeSection(funcType([], [])), funcSection(0), codeSection(body([], 0x41, 0, 0x11, 0x00, 0x81, 0x00, END)));
    expect(decode(bytes).funcs[0].body[1]).toMatchObject({ op: 0x11, index: 0, index2: 1 });
  });

  it('requires a data count section for memory.init and data.drop', () => {
    const dataDrop = [0xfc, 0x09, 0x00, END];
    expectMalformed(oneFunc(dataDrop), /^data count section required \(at 0x17, code section, function 0\)$/);
    expectMalformed(oneFunc([0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x08, 0x00, 0x00, END]), /^data count section required \(at 0x1d/);
    const withCount = module_(typeSection(funcType([], [])), funcSection(0), section(12, [1]), codeSection(body([], ...dataDrop)), section(11, vec([1, 0])));
    expect(decode(withCount).funcs[0].body[0]).toMatchObject({ op: 0xfc09, index: 0 });
  });
});

describe('table and memory sections', () => {
  it('decode tables with their element type and limits, and the offsets of the limits for validate', () => {
    const module = decode(module_(section(4, vec([FUNCREF, 0x00, 1], [EXTERNREF, 0x01, 0, 0x80, 0x80, 0x04]))));
    expect(module.tables).toEqual([
      { elemType: FUNCREF, limits: { min: 1, max: null, offset: 13, maxOffset: -1 }, address64: false },
      { elemType: EXTERNREF, limits: { min: 0, max: 65536, offset: 16, maxOffset: 17 }, address64: false },
    ]);
  });

  it('reject non-reference element types and unknown limits flags', () => {
    expectMalformed(module_(section(4, vec([I32, 0x00, 1]))), /^malformed reference type 0x7f \(at 0xb, table section\)$/);
    expectMalformed(module_(section(4, vec([FUNCREF, 0x02, 1]))), /^integer too large: limits flags 0x02 \(at 0xc, table section\)$/);
    expectMalformed(module_(section(4, vec([FUNCREF, 0x81, 0x00, 1]))), /^integer representation too long/);
    expectMalformed(module_(section(4, vec([FUNCREF, 0x06, 1]))), /^integer too large: limits flags 0x06/);
    // memory64's 64-bit tables: flag 4, u64 limits, exact past 2^53.
    const [table] = decode(module_(section(4, vec([FUNCREF, 0x05, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])))).tables;
    expect(table).toMatchObject({ address64: true, limits: { min: 0, exact: { min: 0n, max: 2n ** 64n - 1n } } });
  });

  it('decode memories, shared ones included', () => {
    const module = decode(module_(section(5, vec([0x00, 1], [0x01, 2, 3], [0x03, 1, 4], [0x02, 1]))));
    expect(module.memories).toEqual([
      { limits: { min: 1, max: null, offset: 12, maxOffset: -1 }, shared: false, address64: false },
      { limits: { min: 2, max: 3, offset: 14, maxOffset: 15 }, shared: false, address64: false },
      { limits: { min: 1, max: 4, offset: 17, maxOffset: 18 }, shared: true, address64: false },
      // Shared without a maximum decodes; validate rejects it.
      { limits: { min: 1, max: null, offset: 20, maxOffset: -1 }, shared: true, address64: false },
    ]);
  });

  it('decode memory64 memories: flag 4, u64 limits', () => {
    // 2^48 pages as a u64 LEB128: 7 bytes.
    const module = decode(module_(section(5, vec([0x04, 1], [0x05, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]))));
    expect(module.memories).toEqual([
      { limits: { min: 1, max: null, offset: 12, maxOffset: -1 }, shared: false, address64: true },
      { limits: { min: 0, max: 2 ** 48, offset: 14, maxOffset: 15 }, shared: false, address64: true },
    ]);
    expectMalformed(module_(section(5, vec([0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]))), /^integer too large/);
  });

  it('reject other memory limits flags', () => {
    expectMalformed(module_(section(5, vec([0x08, 1]))), /^integer too large: limits flags 0x08/);
    expectMalformed(module_(section(5, vec([0x81, 0x01, 0, 0]))), /^integer representation too long/);
  });

  it('read limits as u32', () => {
    expectMalformed(module_(section(5, vec([0x00, 0x82, 0x80, 0x80, 0x80, 0x70]))), /^integer too large \(at 0x10, memory section\)$/);
    expectMalformed(module_(section(5, vec([0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00]))), /^integer representation too long \(at 0x11/);
  });
});

describe('global section', () => {
  it('decodes the type and the initializer, final end included', () => {
    const module = decode(module_(section(6, vec([I32, 0x00, 0x41, 0x2a, END], [F64, 0x01, 0x23, 0x00, END]))));
    expect(module.globals.map((g) => g.type)).toEqual([{ valType: I32, mutable: false }, { valType: F64, mutable: true }]);
    expect(module.globals[0].init.instrs.map(({ op, value }) => [op, value])).toEqual([[0x41, 42], [END, 0]]);
    expect(module.globals[0].init.offset).toBe(13);
    expect(module.globals[1].init.instrs[0]).toMatchObject({ op: 0x23, index: 0 });
  });

  it('decodes any instruction in an initializer; validate decides which are constant', () => {
    const module = decode(module_(section(6, vec([I32, 0x00, 0x41, 1, 0x41, 2, 0x6a, END]))));
    expect(ops(module.globals[0].init.instrs)).toEqual([0x41, 0x41, 0x6a, END]);
  });

  it('rejects malformed mutability and initializers', () => {
    expectMalformed(module_(section(6, vec([I32, 0x02, 0x41, 0, END]))), /^malformed mutability 0x02 \(at 0xc, global section\)$/);
    expectMalformed(module_(section(6, [1, I32, 0x00, 0x41, 0x00])), /^unexpected end of section or function \(at 0xf, global section\)$/);
    expectMalformed(module_(section(6, vec([I32, 0x00, 0x41, 0, 0xf3, END]))), /^illegal opcode 0xf3 \(at 0xf, global section\)$/);
  });

  it('decodes v128 globals and their v128.const', () => {
    const module = decode(module_(section(6, vec([V128, 0x00, 0xfd, 0x0c, ...Array.from({ length: 16 }, (_, i) => i), END]))));
    expect(module.globals[0].type).toEqual({ valType: V128, mutable: false });
    expect([...module.globals[0].init.instrs[0].v128!]).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(module.simd).toEqual({ offset: 0xb, where: 'at 0xb, global section' });
  });
});

describe('export and start sections', () => {
  it('decode exports of every kind', () => {
    const module = decode(module_(section(7, vec([...str('f'), 0, 1], [...str('t'), 1, 0], [...str('mém'), 2, 0], [...str('g'), 3, 0x80, 0x01]))));
    expect(module.exports.map(({ name, kind, index }) => [name, kind, index])).toEqual([['f', 0, 1], ['t', 1, 0], ['mém', 2, 0], ['g', 3, 128]]);
    expect(module.exports[1].offset).toBe(15);
  });

  it('rejects unknown export kinds', () => {
    expectMalformed(module_(section(7, vec([...str('x'), 5, 0]))), /^malformed export kind 0x5 \(at 0xd, export section\)$/);
    expect(decode(module_(section(7, vec([...str('x'), 4, 0])))).exports[0]).toMatchObject({ kind: 4, index: 0 });
  });

  it('decodes the start function', () => {
    const module = decode(module_(section(8, [0x85, 0x01])));
    expect(module.start).toBe(133);
    expect(module.startOffset).toBe(10);
    expectMalformed(module_(section(8, [])), /^unexpected end of section or function \(at 0xa, start section\)$/);
  });
});

describe('element section', () => {
  const i32Const0 = [0x41, 0x00, END];
  const refFuncs = (instrs: { instrs: Instr[] }[]) => instrs.map((expr) => expr.instrs.map(({ op, index }) => [op, index]));

  it('decodes all eight encodings', () => {
    const module = decode(module_(section(9, vec(
      [0x00, ...i32Const0, ...vec([1], [2])],
      [0x01, 0x00, ...vec([3])],
      [0x02, 0x01, ...i32Const0, 0x00, ...vec([4])],
      [0x03, 0x00, ...vec([5])],
      [0x04, ...i32Const0, ...vec([0xd2, 6, END], [0xd0, FUNCREF, END])],
      [0x05, EXTERNREF, ...vec([0xd0, EXTERNREF, END])],
      [0x06, 0x02, ...i32Const0, FUNCREF, ...vec([0xd2, 7, END])],
      [0x07, FUNCREF, ...vec([0xd2, 8, END])],
    ))));
    const summary = module.elems.map(({ mode, table, offsetExpr, elemType }) => [mode, table, offsetExpr === null ? null : ops(offsetExpr.instrs), elemType]);
    // Function indices are (ref func) (3.0), expressions the type given or funcref.
    const REF_FUNC = FUNCREF + 0x40000000;
    expect(summary).toEqual([
      [0, 0, [0x41, END], REF_FUNC],
      [1, 0, null, REF_FUNC],
      [0, 1, [0x41, END], REF_FUNC],
      [2, 0, null, REF_FUNC],
      [0, 0, [0x41, END], FUNCREF],
      [1, 0, null, EXTERNREF],
      [0, 2, [0x41, END], FUNCREF],
      [2, 0, null, FUNCREF],
    ]);
    expect(refFuncs(module.elems[0].init)).toEqual([[[0xd2, 1], [END, 0]], [[0xd2, 2], [END, 0]]]);
    expect(refFuncs(module.elems[4].init)).toEqual([[[0xd2, 6], [END, 0]], [[0xd0, FUNCREF], [END, 0]]]);
    expect(module.elems[5].init[0].instrs[0].types).toEqual([EXTERNREF]);
  });

  it('gives function-index elements the offset of their index', () => {
    const module = decode(module_(section(9, vec([0x01, 0x00, ...vec([0x80, 0x01], [3])]))));
    expect(module.elems[0].offset).toBe(11);
    expect(module.elems[0].init.map((expr) => expr.offset)).toEqual([14, 16]);
  });

  it('rejects unknown flags, element kinds and reference types', () => {
    expectMalformed(module_(section(9, vec([0x08]))), /^malformed elements segment kind 8 \(at 0xb, element section\)$/);
    expectMalformed(module_(section(9, vec([0x01, 0x01, 0]))), /^malformed element kind 0x1 \(at 0xc, element section\)$/);
    expectMalformed(module_(section(9, vec([0x05, I32, 0]))), /^malformed reference type 0x7f \(at 0xc, element section\)$/);
    expectMalformed(module_(section(9, vec([0x05, FUNCREF, 1, 0xf3, 0x00, END]))), /^illegal opcode 0xf3/);
  });

  it('rejects a segment cut short by the section end', () => {
    expectMalformed(module_(section(9, [2, 0x00, ...i32Const0, 1, 0, 0x00, 0x41, 0x00])), /^unexpected end of section or function/);
  });
});

describe('data count and data sections', () => {
  const memory = section(5, vec([0x00, 1]));

  it('decode active, passive and explicit-memory segments as views of the input', () => {
    const bytes = module_(memory, section(12, [3]), section(11, vec(
      [0x00, 0x41, 0x08, END, ...vec([0x61], [0x62])],
      [0x01, ...vec([0x63])],
      [0x02, 0x00, 0x41, 0x10, END, ...vec()],
    )));
    const module = decode(bytes);
    expect(module.dataCount).toBe(3);
    expect(module.datas.map(({ mode, memory, offsetExpr, bytes }) => [mode, memory, offsetExpr?.instrs[0].value ?? null, [...bytes]])).toEqual([
      [0, 0, 8, [0x61, 0x62]],
      [1, 0, null, [0x63]],
      [0, 0, 16, []],
    ]);
    expect(module.datas[0].bytes.buffer).toBe(bytes.buffer);
    expect(module.datas[1].offset).toBe(bytes.length - 9);
  });

  it('leave memory indices to validate', () => {
    expect(decode(module_(section(11, vec([0x02, 0x01, 0x41, 0, END, 0])))).datas[0].memory).toBe(1);
  });

  it('reject unknown flags and bytes past the section', () => {
    expectMalformed(module_(memory, section(11, vec([0x03]))), /^malformed data segment kind 3 \(at 0x10, data section\)$/);
    expectMalformed(module_(memory, section(11, vec([0x01, 7, 0x61]))), /^unexpected end of section or function/);
    expectMalformed(module_(memory, section(11, vec([0x80, 0x80, 0x80, 0x80, 0x10]))), /^integer too large \(at 0x14, data section\)$/);
  });

  it('must agree on the number of segments', () => {
    expectMalformed(module_(section(12, [3]), section(11, vec([1, 0], [1, 0]))), /^data count and data section have inconsistent lengths \(data count 3, 2 segments\) \(at 0xd, data section\)$/);
    expectMalformed(module_(memory, section(12, [1])), /^data count and data section have inconsistent lengths \(data count 1, no data section\)/);
    expect(decode(module_(section(12, [0]))).dataCount).toBe(0);
  });
});

describe('custom sections', () => {
  it('are kept, in order, wherever they appear', () => {
    const module = decode(module_(section(0, str('first'), [1, 2, 3]), section(1, vec()), section(0, str(''), []), section(0, str('€'), [9])));
    expect(module.customSections.map(({ name, bytes, offset }) => [name, [...bytes], offset])).toEqual([
      ['first', [1, 2, 3], 10],
      ['', [], 24],
      ['€', [9], 27],
    ]);
  });

  it('need a valid UTF-8 name', () => {
    expectMalformed(module_(section(0, [2, 0xed, 0xa0, 0x80])), /^malformed UTF-8 encoding \(at 0xb, custom section\)$/);
    expectMalformed(module_(section(0, [1, 0xc3])), /^malformed UTF-8 encoding/);
  });

  it('need a name', () => {
    expectMalformed(module_([0x00, 0x00]), /^unexpected end of section or function \(at 0xa, custom section\)$/);
    expectMalformed(module_([0x00]), /^unexpected end/);
  });

  it('may not run past the module', () => {
    expectMalformed(module_([0x00, 0x26, 0x10, ...new TextEncoder().encode('a custom section')]), /^length out of bounds/);
  });
});

describe('name section', () => {
  const nameSection = (...subsections: [number, Bytes][]) => section(0, str('name'), ...subsections.map(([id, content]) => [id, ...uleb(content.length), ...content]));
  const nameMap = (...entries: [number, string][]) => vec(...entries.map(([index, name]) => [...uleb(index), ...str(name)]));

  it('decodes module, function and local names', () => {
    const module = decode(module_(nameSection(
      [0, str('mod')],
      [1, nameMap([0, 'main'], [2, 'hélper'])],
      [2, vec([0, ...nameMap([0, 'x'], [1, 'y'])], [2, ...nameMap()])],
      [3, nameMap([0, 'label'])],
    )));
    expect(module.names).toEqual({
      module: 'mod',
      functions: new Map([[0, 'main'], [2, 'hélper']]),
      locals: new Map([[0, new Map([[0, 'x'], [1, 'y']])], [2, new Map()]]),
    });
    expect(module.customSections.map((s) => s.name)).toEqual(['name']);
  });

  it('comes from wabt debug names', () => {
    const module = wat('(module $m (func $add (param $a i32) (param $b i32) (local $sum i32)) (func $other))', { write_debug_names: true });
    expect(module.names?.functions).toEqual(new Map([[0, 'add'], [1, 'other']]));
    expect(module.names?.locals.get(0)).toEqual(new Map([[0, 'a'], [1, 'b'], [2, 'sum']]));
  });

  it('never fails the module: broken subsections are dropped, good ones kept', () => {
    const module = decode(module_(nameSection(
      [0, [5, 0x61]],
      [1, nameMap([1, 'f'])],
      [2, [1, 0, 1, 0, 1, 0xff]],
    )));
    expect(module.names).toEqual({ module: null, functions: new Map([[1, 'f']]), locals: new Map() });
  });

  it('never fails the module: broken framing is ignored', () => {
    const truncated = decode(module_(section(0, str('name'), [1, 0x40, 0])));
    expect(truncated.names).toBe(null);
    expect(truncated.customSections).toHaveLength(1);
    expect(decode(module_(section(0, str('name'), [0x01, 0x85, 0x80, 0x80, 0x80, 0x70]))).names).toBe(null);
    expect(decode(module_(section(0, str('name'), []))).names).toBe(null);
  });

  it('ignores a subsection with trailing bytes', () => {
    const module = decode(module_(nameSection([1, [...nameMap([0, 'f']), 0x00]])));
    expect(module.names?.functions.size).toBe(0);
  });
});

describe('whole modules assembled from text', () => {
  it('decode a module using every section', () => {
    const module = wat(`(module
      (type $t (func (param i32) (result i32)))
      (import "env" "f" (func $imported (type $t)))
      (import "env" "mem" (memory 1))
      (table 2 funcref)
      (global $g (mut i32) (i32.const 0))
      (func $f (export "f") (type $t) (local i64) (i32.add (local.get 0) (call $imported (global.get $g))))
      (start $s) (func $s)
      (elem (i32.const 0) $f $s)
      (data (i32.const 16) "hello"))`);
    expect(module.types).toHaveLength(2);
    expect(module.importedFuncs).toBe(1);
    expect(module.importedMemories).toBe(1);
    expect(module.funcTypeIndices).toEqual([0, 1]);
    expect(module.funcs[0].locals).toEqual([{ count: 1, type: I64 }]);
    expect(module.exports).toMatchObject([{ name: 'f', kind: 0, index: 1 }]);
    expect(module.start).toBe(2);
    expect(module.elems[0].init.map((expr) => expr.instrs[0].index)).toEqual([1, 2]);
    expect(new TextDecoder().decode(module.datas[0].bytes)).toBe('hello');
  });
});

// -----------------------------------------------------------------------------
// The JS API's implementation limits. Each is tried at the limit and one past
// it, and V8's own decision on the same bytes is part of the expectation.
// Limits too large to build cheaply are tried with a claimed count: at the
// limit the count passes and the missing entries are what fails.

/** Bytes from chunks, without spreading large arrays into calls. */
function concat(...chunks: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((length, chunk) => length + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** `count` entries of `entry(i)` as one section with a vector count. */
function bigSection(id: number, count: number, entry: (i: number) => Bytes): Uint8Array {
  const entries: Bytes = [];
  for (let i = 0; i < count; i++) for (const byte of entry(i)) entries.push(byte);
  const content = concat(uleb(count), entries);
  return concat([id], uleb(content.length), content);
}

function expectAcceptedLikeV8(bytes: Uint8Array): void {
  expect(WebAssembly.validate(bytes), 'V8 accepts').toBe(true);
  expect(() => validate(decode(bytes))).not.toThrow();
}

function expectRejectedLikeV8(bytes: Uint8Array, message: RegExp): void {
  expect(WebAssembly.validate(bytes), 'V8 rejects').toBe(false);
  let error: unknown;
  try {
    validate(decode(bytes));
  } catch (caught) {
    error = caught;
  }
  expect(error, 'wasm2es should reject').toBeInstanceOf(CompileError);
  expect((error as Error).message).toMatch(message);
}

const EMPTY_TYPE = typeSection(funcType([], []));

describe('the JS API limits, as V8 applies them', () => {
  it('module size: 1 GiB, checked before anything else is read', () => {
    // A real 1 GiB input is not needed to see the check: decode reads `length` first.
    const huge = module_();
    Object.defineProperty(huge, 'length', { value: LIMITS.moduleSize + 1 });
    expectMalformed(huge, /^module too large: 1073741825 bytes \(the limit is 1073741824\) \(at 0x40000000\)$/);
  });

  it('types: 1,000,000', () => {
    expectMalformed(module_(section(1, uleb(1_000_000))), /^unexpected end of section or function: 1000000 types cannot fit in the 0 bytes left \(at 0xa, type section\)$/);
    expectRejectedLikeV8(module_(section(1, uleb(1_000_001))), /^too many types: 1000001 \(the limit is 1000000\) \(at 0xa, type section\)$/);
  });

  it('parameters and results: 1,000 each', () => {
    const i32s = (count: number) => new Array<number>(count).fill(I32);
    expectAcceptedLikeV8(module_(typeSection(funcType(i32s(1000), i32s(1000)))));
    expectRejectedLikeV8(module_(typeSection(funcType(i32s(1001), []))), /^too many parameters: 1001 \(the limit is 1000\) \(at 0xd, type section\)$/);
    expectRejectedLikeV8(module_(typeSection(funcType([], i32s(1001)))), /^too many results: 1001 \(the limit is 1000\) \(at 0xe, type section\)$/);
  });

  it('imports: 100,000', () => {
    const imports = (count: number) => concat(module_(EMPTY_TYPE), bigSection(2, count, () => [0, 0, 0x00, 0]));
    expectAcceptedLikeV8(imports(100_000));
    expectRejectedLikeV8(imports(100_001), /^too many imports: 100001 \(the limit is 100000\) \(at 0x12, import section\)$/);
  });

  it('functions: 1,000,000 in the function section, imports not counted', () => {
    const importOne = section(2, vec([...str('m'), ...str('f'), 0x00, 0]));
    expectMalformed(module_(EMPTY_TYPE, importOne, section(3, uleb(1_000_000))), /^unexpected end of section or function: 1000000 functions/);
    expectRejectedLikeV8(module_(section(3, uleb(1_000_001))), /^too many functions: 1000001 \(the limit is 1000000\) \(at 0xa, function section\)$/);
  });

  it('tables: 100,000 in the table section; a table\'s size is not checked until it is made', () => {
    const tables = (count: number) => concat(module_(), bigSection(4, count, () => [FUNCREF, 0x00, 0]));
    expectAcceptedLikeV8(tables(100_000));
    expectRejectedLikeV8(tables(100_001), /^too many tables: 100001 \(the limit is 100000\) \(at 0xc, table section\)$/);
    expectAcceptedLikeV8(module_(section(4, vec([FUNCREF, 0x01, ...uleb(10_000_001), ...uleb(0xffffffff)]))));
  });

  it('memories: 65,536 pages, at the offending field', () => {
    expectAcceptedLikeV8(module_(section(5, vec([0x01, ...uleb(65536), ...uleb(65536)]))));
    expectRejectedLikeV8(module_(section(5, vec([0x00, ...uleb(65537)]))), /^memory size must be at most 65536 pages \(4GiB\): the minimum is 65537 \(at 0xc, memory section, memory 0\)$/);
    expectRejectedLikeV8(module_(section(5, vec([0x01, 0, ...uleb(65537)]))), /^memory size must be at most 65536 pages \(4GiB\): the maximum is 65537 \(at 0xd, memory section, memory 0\)$/);
    expectRejectedLikeV8(module_(section(5, vec([0x01, 2, 1]))), /^size minimum must not be greater than maximum \(2 > 1\) \(at 0xd, memory section, memory 0\)$/);
    expectRejectedLikeV8(module_(section(4, vec([FUNCREF, 0x01, 2, 1]))), /^size minimum must not be greater than maximum \(2 > 1\) \(at 0xe, table section, table 0\)$/);
  });

  it('globals: 1,000,000', () => {
    expectMalformed(module_(section(6, uleb(1_000_000))), /^unexpected end of section or function: 1000000 globals/);
    expectRejectedLikeV8(module_(section(6, uleb(1_000_001))), /^too many globals: 1000001 \(the limit is 1000000\) \(at 0xa, global section\)$/);
  });

  it('exports: 100,000', () => {
    const exports = (count: number) => concat(
      module_(EMPTY_TYPE, funcSection(0)),
      bigSection(7, count, (i) => [...str(i.toString(36)), 0x00, 0]),
      codeSection(body([], END)),
    );
    expectAcceptedLikeV8(exports(100_000));
    expectRejectedLikeV8(exports(100_001), /^too many exports: 100001 \(the limit is 100000\) \(at 0x16, export section\)$/);
  });

  it('element segments and the entries of one: 10,000,000 each', () => {
    expectMalformed(module_(section(9, uleb(10_000_000))), /^unexpected end of section or function: 10000000 element segments/);
    expectRejectedLikeV8(module_(section(9, uleb(10_000_001))), /^too many element segments: 10000001 \(the limit is 10000000\) \(at 0xa, element section\)$/);
    for (const [flags, kind] of [[0x01, 0x00], [0x05, FUNCREF]]) {
      expectMalformed(module_(section(9, [1, flags, kind, ...uleb(10_000_000)])), /^unexpected end of section or function: 10000000 elements in a segment/);
      expectRejectedLikeV8(module_(section(9, [1, flags, kind, ...uleb(10_000_001)])), /^too many elements in a segment: 10000001 \(the limit is 10000000\) \(at 0xd, element section\)$/);
    }
  });

  it('data segments: 100,000, in the data count section too', () => {
    const datas = (count: number, dataCount = count) => concat(
      module_(section(12, uleb(dataCount))),
      bigSection(11, count, () => [0x01, 0]),
    );
    expectAcceptedLikeV8(datas(100_000));
    expectRejectedLikeV8(datas(100_001), /^too many data segments: 100001 \(the limit is 100000\) \(at 0xa, data count section\)$/);
    expectRejectedLikeV8(concat(module_(), bigSection(11, 100_001, () => [0x01, 0])), /^too many data segments: 100001 \(the limit is 100000\) \(at 0xc, data section\)$/);
  });

  it('function body size: 7,654,321 bytes', () => {
    const claimed = (size: number) => module_(EMPTY_TYPE, funcSection(0), section(10, [1, ...uleb(size), 0, END]));
    expectMalformed(claimed(7_654_321), /^length out of bounds: function body size exceeds the code section/);
    expectRejectedLikeV8(claimed(7_654_322), /^function body too large: 7654322 bytes \(the limit is 7654321\) \(at 0x15, code section, function 0\)$/);
  });

  it('locals: 50,000, parameters included', () => {
    const locals = (params: number, count: number) => module_(
      typeSection(funcType(new Array<number>(params).fill(I32), [])), funcSection(0), codeSection(body([[count, I64]], END)));
    expectAcceptedLikeV8(locals(0, 50_000));
    expectRejectedLikeV8(locals(0, 50_001), /^too many locals: 50001 \(the limit is 50000\) \(at 0x17, code section, function 0\)$/);
    expectAcceptedLikeV8(locals(1000, 49_000));
    expectRejectedLikeV8(locals(1000, 49_001), /^too many locals: 50001, 1000 of them parameters \(the limit is 50000\)/);
  });

  it('br_table targets: 65,520 (a V8 limit)', () => {
    const brTable = (count: number) => {
      const content = [0, 0x02, 0x40, 0x41, 0, 0x0e, ...uleb(count), ...new Array<number>(count).fill(0), 0, END, END];
      return concat(module_(EMPTY_TYPE, funcSection(0)), bigSection(10, 1, () => [...uleb(content.length), ...content]));
    };
    expectAcceptedLikeV8(brTable(65_520));
    expectRejectedLikeV8(brTable(65_521), /^too many br_table targets: 65521 \(the limit is 65520\) \(at 0x20, code section, function 0\)$/);
  });
});

describe('counts claiming more than the input holds', () => {
  // Every entry of every vector takes at least one byte, so these fail on
  // the count, before a single entry is allocated.
  const HUGE = 0xffffffff;
  const cases: [string, Uint8Array][] = [
    ['custom section name', module_(section(0, uleb(HUGE)))],
    ['import names', module_(section(2, [1, ...uleb(HUGE)]))],
    ['memories', module_(section(5, uleb(HUGE)))],
    ['function bodies', module_(section(10, uleb(HUGE)))],
    ['local declarations', module_(EMPTY_TYPE, funcSection(0), section(10, [1, 6, ...uleb(HUGE), END]))],
    ['a data segment of 4 GiB', module_(section(11, [1, 0x01, ...uleb(HUGE)]))],
    ['select types', oneFunc([0x1c, ...uleb(HUGE), END])],
    ['br_table targets', oneFunc([0x0e, ...uleb(60000), END])],
  ];
  for (const [what, bytes] of cases) {
    it(`fail on the count: ${what}`, () => expectMalformed(bytes, /^(unexpected end of section or function|too many)/));
  }

  it('leave a broken name section to be ignored, not allocated', () => {
    const names = module_(section(0, [...str('name'), 1, 5, ...uleb(HUGE)]));
    expect(decode(names).names).toBeNull();
  });
});
