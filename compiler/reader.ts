// A byte cursor over a wasm binary that always knows its offset, the section
// it is in and the function it is decoding: LEB128 integers with the spec's
// overlong/overflow rules, floats with their raw bits, UTF-8 names and byte
// vectors. `fail` is the one place a CompileError is raised, so every
// decoding error carries its position. What the bytes mean is decode's
// business, not this file's.

import { CompileError } from '../runtime/errors.js';

/** A float constant read with its exact bit pattern (JS numbers may not keep NaN payloads). */
export interface F32Bits {
  value: number;
  bits: number;
}

export interface F64Bits {
  value: number;
  bits: bigint;
}

// Scratch space for bit casts; one per module load, no allocation per read.
const scratch = new DataView(new ArrayBuffer(8));

/** The float32 value of raw IEEE-754 bits. */
export function f32FromBits(bits: number): number {
  scratch.setUint32(0, bits, true);
  return scratch.getFloat32(0, true);
}

/** The float64 value of raw IEEE-754 bits. */
export function f64FromBits(bits: bigint): number {
  scratch.setBigUint64(0, bits, true);
  return scratch.getFloat64(0, true);
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

// Code units of the name being decoded; reused so names cost one string each.
const nameUnits: number[] = [];

export class Reader {
  readonly bytes: Uint8Array;
  /** Offset of the next byte to read, from the start of `bytes`. */
  pos: number;
  /**
   * Reads stop here: the end of the module, or of the current section or
   * function body while decode is inside one. Reading past it is
   * "unexpected end", so a section can never read into the next one.
   */
  end: number;
  /** Name of the section being decoded ("code", "data count", ...), for messages; null between sections. */
  section: string | null = null;
  /** Index (in the function index space) of the function being decoded, for messages; -1 outside code. */
  functionIndex = -1;
  /** The first v128 value type or SIMD instruction read, where() it was; null until one is. */
  simdUse: { offset: number; where: string } | null = null;
  /** The first encoding only multi-memory (3.0) has: a memory index that is not one 0x00 byte (see Module.multiMemory). */
  multiMemoryUse: { offset: number; where: string } | null = null;
  /** The first use of exception handling's final encoding: try_table, throw_ref or exnref (see Module.exnref). */
  exnrefUse: { offset: number; where: string } | null = null;
  /** The first typed reference type, defined type other than a plain function type, or GC instruction (see Module.gc). */
  gcUse: { offset: number; where: string } | null = null;
  /**
   * Type indices as decode-types.ts canonicalises them: entry i is the
   * index of the first type of the module equivalent to type i. Indices
   * from `typeLimit` up name no type (yet).
   */
  typeCanon: number[] = [];
  typeLimit = 0;

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  /**
   * Throws a CompileError whose message ends with where it happened, e.g.
   * `integer too large (at 0x1a3, code section, function 7)`.
   */
  fail(message: string, offset: number = this.pos): never {
    throw new CompileError(`${message} (${this.where(offset)})`);
  }

  /** `offset` with the section and function being decoded: "at 0x1a3, code section, function 7". */
  where(offset: number = this.pos): string {
    let where = `at ${hex(offset)}`;
    if (this.section !== null) where += `, ${this.section} section`;
    if (this.functionIndex >= 0) where += `, function ${this.functionIndex}`;
    return where;
  }

  /** Records a use of v128 at `offset`, if it is the first (Module.simd). */
  noteSimd(offset: number): void {
    if (this.simdUse === null) this.simdUse = { offset, where: this.where(offset) };
  }

  /** Records a multi-memory encoding at `offset`, if it is the first. */
  noteMultiMemory(offset: number): void {
    if (this.multiMemoryUse === null) this.multiMemoryUse = { offset, where: this.where(offset) };
  }

  /** Records a use of try_table, throw_ref or exnref at `offset`, if it is the first. */
  noteExnRef(offset: number): void {
    if (this.exnrefUse === null) this.exnrefUse = { offset, where: this.where(offset) };
  }

  /** Records a use of typed references or GC at `offset`, if it is the first (Module.gc). */
  noteGC(offset: number): void {
    if (this.gcUse === null) this.gcUse = { offset, where: this.where(offset) };
  }

  /**
   * A type index immediate, canonicalised (typeCanon); one that names no
   * type is returned as it is, for validate to report.
   */
  typeIndex(): number {
    const index = this.u32();
    return index < this.typeLimit ? this.typeCanon[index] : index;
  }

  /** The error for a read that runs past `end`. */
  failEnd(offset: number = this.pos): never {
    // The spec interpreter says "unexpected end" for a truncated module
    // header and the longer form inside sections; the tests match by prefix.
    this.fail(this.section === null ? 'unexpected end' : 'unexpected end of section or function', offset);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) this.failEnd();
    return this.bytes[this.pos++];
  }

  /** The next byte without consuming it. */
  peek(): number {
    if (this.pos >= this.end) this.failEnd();
    return this.bytes[this.pos];
  }

  /** Little-endian fixed-width u32 (the module header's magic and version). */
  u32le(): number {
    if (this.end - this.pos < 4) this.failEnd(this.end);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  /** Unsigned 32-bit LEB128, at most 5 bytes. */
  u32(): number {
    // Most LEBs in real modules (indices, counts, small offsets) are one byte.
    const pos = this.pos;
    if (pos < this.end) {
      const byte = this.bytes[pos];
      if (byte < 0x80) {
        this.pos = pos + 1;
        return byte;
      }
    }
    return this.u32Slow();
  }

  private u32Slow(): number {
    const bytes = this.bytes;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) this.failEnd();
      const byte = bytes[this.pos];
      // The fifth byte carries bits 28..31; anything above must be zero.
      if (i === 4 && (byte & 0x70) !== 0) this.fail('integer too large');
      this.pos++;
      // Multiply rather than shift: `<<` would go negative at bit 31.
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    this.fail('integer representation too long', this.pos - 1);
  }

  /**
   * Unsigned 64-bit LEB128, at most 10 bytes (memory64's limits and
   * offsets), as a JS number: exact up to 2^53, and above that rounded,
   * which only ever stands for sizes and addresses beyond any memory.
   */
  u64(): number {
    return Number(this.u64Exact());
  }

  /** Unsigned 64-bit LEB128, at most 10 bytes, exactly. */
  u64Exact(): bigint {
    const bytes = this.bytes;
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.failEnd();
      const byte = bytes[this.pos];
      // The tenth byte carries bit 63; anything above must be zero.
      if (i === 9 && (byte & 0x7e) !== 0) this.fail('integer too large');
      this.pos++;
      result |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) return result;
    }
    this.fail('integer representation too long', this.pos - 1);
  }

  /** Signed 32-bit LEB128, at most 5 bytes; returns an int32. */
  s32(): number {
    const bytes = this.bytes;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) this.failEnd();
      const byte = bytes[this.pos];
      // Fifth byte: bit 3 is bit 31 of the value, bits 4..6 must repeat it.
      if (i === 4 && (byte & 0x78) !== 0 && (byte & 0x78) !== 0x78) this.fail('integer too large');
      this.pos++;
      result |= (byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) === 0) {
        if (shift < 32 && (byte & 0x40) !== 0) result |= -1 << shift;
        return result | 0;
      }
    }
    this.fail('integer representation too long', this.pos - 1);
  }

  /** Signed 33-bit LEB128 (block types), at most 5 bytes; exact as a JS number. */
  s33(): number {
    const bytes = this.bytes;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) this.failEnd();
      const byte = bytes[this.pos];
      // Fifth byte: bit 4 is bit 32 (the sign), bits 5..6 must repeat it.
      if (i === 4 && (byte & 0x70) !== 0 && (byte & 0x70) !== 0x70) this.fail('integer too large');
      this.pos++;
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return (byte & 0x40) !== 0 ? result - scale : result;
    }
    this.fail('integer representation too long', this.pos - 1);
  }

  /** Signed 64-bit LEB128, at most 10 bytes. */
  s64(): bigint {
    const bytes = this.bytes;
    // Up to 7 bytes (49 bits) are exact in a double: one BigInt per constant.
    let small = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) this.failEnd();
      const byte = bytes[this.pos++];
      small += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return BigInt((byte & 0x40) !== 0 ? small - scale : small);
    }
    let result = BigInt(small);
    for (let i = 7; i < 10; i++) {
      if (this.pos >= this.end) this.failEnd();
      const byte = bytes[this.pos];
      // Tenth byte: bit 0 is bit 63 (the sign), bits 1..6 must repeat it.
      if (i === 9 && (byte & 0x7f) !== 0 && (byte & 0x7f) !== 0x7f) this.fail('integer too large');
      this.pos++;
      result += BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) {
        if ((byte & 0x40) !== 0) result -= 1n << BigInt(7 * (i + 1));
        return BigInt.asIntN(64, result);
      }
    }
    this.fail('integer representation too long', this.pos - 1);
  }

  /**
   * The length of a vector: a u32 checked against `limit` (the JS API's
   * limit for `what`, a plural noun) and against the bytes left, since
   * every entry of every vector takes at least one byte. Callers may then
   * allocate in proportion to it: a count claiming 2^32 entries fails here.
   */
  count(what: string, limit = Infinity): number {
    const offset = this.pos;
    const count = this.u32();
    if (count > limit) this.fail(`too many ${what}: ${count} (the limit is ${limit})`, offset);
    if (count > this.end - this.pos) {
      this.fail(`unexpected end of section or function: ${count} ${what} cannot fit in the ${this.end - this.pos} bytes left`, offset);
    }
    return count;
  }

  /** Raw bits of a little-endian f32. */
  f32Bits(): number {
    return this.u32le();
  }

  /** Raw bits of a little-endian f64. */
  f64Bits(): bigint {
    const low = this.u32le();
    const high = this.u32le();
    return (BigInt(high) << 32n) | BigInt(low);
  }

  f32(): F32Bits {
    const bits = this.f32Bits();
    return { value: f32FromBits(bits), bits };
  }

  f64(): F64Bits {
    const bits = this.f64Bits();
    return { value: f64FromBits(bits), bits };
  }

  /** The next `length` bytes, as a view into the module's bytes (no copy). */
  fixedBytes(length: number): Uint8Array {
    if (this.end - this.pos < length) this.failEnd(this.end);
    const start = this.pos;
    this.pos = start + length;
    return this.bytes.subarray(start, start + length);
  }

  /** A length-prefixed byte vector, as a view into the module's bytes (no copy). */
  byteVec(): Uint8Array {
    const length = this.u32();
    if (length > this.end - this.pos) this.failLength(length);
    const start = this.pos;
    this.pos = start + length;
    return this.bytes.subarray(start, start + length);
  }

  /** A byte length past `end`: nothing is read or allocated for it. */
  private failLength(length: number): never {
    this.fail(`${this.section === null ? 'unexpected end' : 'unexpected end of section or function'}: a length of ${length} bytes runs past the end (${this.end - this.pos} bytes left)`, this.end);
  }

  /** A name: a length-prefixed byte vector that must be valid UTF-8. */
  name(): string {
    const length = this.u32();
    if (length > this.end - this.pos) this.failLength(length);
    const start = this.pos;
    this.pos = start + length;
    return this.utf8(start, start + length);
  }

  /**
   * Decodes UTF-8 by hand: TextDecoder is not in every engine we run in
   * (QuickJS), and its replacement-character mode would hide malformed names.
   * Rejects overlong forms, surrogates, code points past U+10FFFF, stray
   * continuation bytes and truncated sequences.
   */
  utf8(start: number, end: number): string {
    const bytes = this.bytes;
    const units = nameUnits;
    units.length = 0;
    let pos = start;
    while (pos < end) {
      const lead = bytes[pos];
      if (lead < 0x80) {
        units.push(lead);
        pos++;
        continue;
      }
      let length: number;
      let codePoint: number;
      // Second-byte range that rules out overlong forms, surrogates and > U+10FFFF.
      let low = 0x80;
      let high = 0xbf;
      if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        codePoint = lead & 0x1f;
      } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        codePoint = lead & 0x0f;
        if (lead === 0xe0) low = 0xa0;
        else if (lead === 0xed) high = 0x9f;
      } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        codePoint = lead & 0x07;
        if (lead === 0xf0) low = 0x90;
        else if (lead === 0xf4) high = 0x8f;
      } else {
        this.fail('malformed UTF-8 encoding', pos);
      }
      if (end - pos < length) this.fail('malformed UTF-8 encoding', pos);
      for (let i = 1; i < length; i++) {
        const byte = bytes[pos + i];
        const min = i === 1 ? low : 0x80;
        const max = i === 1 ? high : 0xbf;
        if (byte < min || byte > max) this.fail('malformed UTF-8 encoding', pos + i);
        codePoint = (codePoint << 6) | (byte & 0x3f);
      }
      pos += length;
      if (codePoint < 0x10000) {
        units.push(codePoint);
      } else {
        codePoint -= 0x10000;
        units.push(0xd800 | (codePoint >> 10), 0xdc00 | (codePoint & 0x3ff));
      }
    }
    return unitsToString(units);
  }
}

function unitsToString(units: number[]): string {
  // fromCharCode.apply has an argument-count limit; chunk long names.
  const chunk = 8192;
  if (units.length <= chunk) return String.fromCharCode.apply(null, units);
  let text = '';
  for (let i = 0; i < units.length; i += chunk) {
    text += String.fromCharCode.apply(null, units.slice(i, i + chunk));
  }
  return text;
}
