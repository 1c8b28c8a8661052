// The byte encoder of the module generator: a growable buffer with the
// WebAssembly binary format's primitives (LEB128, little-endian floats,
// names, sections). 64-bit values travel as two 32-bit words so that no
// BigInt is made per constant: the generator writes millions of them.

const encoder = new TextEncoder();
/** @type {Map<string, Uint8Array>} names recur in every module (imports, exports) */
const encodedNames = new Map();

export class ByteWriter {
  /** @param {number} [capacity] */
  constructor(capacity = 256) {
    this.buffer = new Uint8Array(capacity);
    this.length = 0;
  }

  /** @param {number} extra */
  reserve(extra) {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buffer.subarray(0, this.length));
    this.buffer = bigger;
  }

  /** @param {number} value  0..255 */
  byte(value) {
    if (this.length === this.buffer.length) this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** @param {ArrayLike<number>} bytes */
  bytes(bytes) {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** @param {ByteWriter} other */
  append(other) {
    this.bytes(other.buffer.subarray(0, other.length));
  }

  /** Unsigned LEB128 of a 32-bit value. @param {number} value */
  u32(value) {
    value >>>= 0;
    for (;;) {
      const low = value & 0x7f;
      value >>>= 7;
      if (value === 0) {
        this.byte(low);
        return;
      }
      this.byte(low | 0x80);
    }
  }

  /**
   * Unsigned LEB128 spread over exactly `width` bytes (at most 5). The format
   * allows such non-minimal encodings; decoders must accept them.
   * @param {number} value
   * @param {number} width
   */
  u32Padded(value, width) {
    value >>>= 0;
    for (let i = 0; i < width - 1; i++) {
      this.byte((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    this.byte(value & 0x7f);
  }

  /** Signed LEB128 of a 32-bit value. @param {number} value */
  s32(value) {
    value |= 0;
    for (;;) {
      const low = value & 0x7f;
      value >>= 7;
      if ((value === 0 && (low & 0x40) === 0) || (value === -1 && (low & 0x40) !== 0)) {
        this.byte(low);
        return;
      }
      this.byte(low | 0x80);
    }
  }

  /**
   * Signed LEB128 of the 64-bit value hi:lo (each word a 32-bit integer).
   * Also encodes the s33 block type index: s64(index, 0).
   * @param {number} lo
   * @param {number} hi
   */
  s64(lo, hi) {
    lo |= 0;
    hi |= 0;
    for (;;) {
      const low = lo & 0x7f;
      lo = (lo >>> 7) | (hi << 25);
      hi >>= 7;
      if ((hi === 0 && lo === 0 && (low & 0x40) === 0) || (hi === -1 && lo === -1 && (low & 0x40) !== 0)) {
        this.byte(low);
        return;
      }
      this.byte(low | 0x80);
    }
  }

  /** The 4 bytes of an f32 given by its bit pattern. @param {number} bits */
  f32(bits) {
    this.reserve(4);
    const b = this.buffer;
    let n = this.length;
    b[n++] = bits & 0xff;
    b[n++] = (bits >>> 8) & 0xff;
    b[n++] = (bits >>> 16) & 0xff;
    b[n++] = (bits >>> 24) & 0xff;
    this.length = n;
  }

  /**
   * The 8 bytes of an f64 given by its bit pattern's two words.
   * @param {number} lo
   * @param {number} hi
   */
  f64(lo, hi) {
    this.f32(lo);
    this.f32(hi);
  }

  /** A length-prefixed UTF-8 name. @param {string} text */
  name(text) {
    let bytes = encodedNames.get(text);
    if (!bytes) {
      bytes = encoder.encode(text);
      if (encodedNames.size < 10000) encodedNames.set(text, bytes);
    }
    this.u32(bytes.length);
    this.bytes(bytes);
  }

  /**
   * A section: id, byte size, contents.
   * @param {number} id
   * @param {ByteWriter} contents
   */
  section(id, contents) {
    this.byte(id);
    this.u32(contents.length);
    this.append(contents);
  }

  /** A copy of the written bytes. */
  toBytes() {
    return this.buffer.slice(0, this.length);
  }
}
