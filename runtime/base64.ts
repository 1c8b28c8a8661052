// Base64 (RFC 4648, standard alphabet): data segments and custom sections
// travel inside generated code as base64 text, which is printable ASCII with
// nothing to escape in a string literal or an HTML <script>, and within 4/3
// of the bytes (no printable-ASCII encoding gets much below: base85 is 5/4).
// The encoder is here for the compiler; the runtime only decodes.
//
// Decoding has to be cheap on interpreters (a 50 MB data segment is 67 M
// characters): the engine's own decoder where it has one
// (Uint8Array.fromBase64; Node's Buffer), else a loop over four characters
// at a time that reads them in pairs from a 64K-entry table, through
// TextEncoder where it exists and charCodeAt where it does not (QuickJS).
// Measured under `node --jitless` on 12 MB of random bytes, in CPU ms per
// MB decoded (2026-12-02): the character-at-a-time decoder this replaces
// 87-97, pairs through TextEncoder 22-24, pairs through charCodeAt 43-48,
// Buffer 0.1-0.3.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
DECODE[45] = 62; // '-' and '_' of the URL-safe alphabet, accepted for robustness
DECODE[95] = 63;

/** Decodes base64 text; padding and ASCII whitespace are ignored, anything else throws. */
export function base64Decode(text: string): Uint8Array {
  return decodeNative(text) ?? base64DecodePortable(text);
}

/** The engine's decoder, or null where it has none or the text is not plain padded base64. */
function decodeNative(text: string): Uint8Array | null {
  const fromBase64 = (Uint8Array as any).fromBase64;
  if (typeof fromBase64 === 'function') {
    try {
      return fromBase64(text);
    } catch {
      return null; // the URL-safe alphabet, or an error the portable decoder reports
    }
  }
  // Read off globalThis, not as a free variable, so that bundlers do not add a Buffer polyfill.
  const NodeBuffer = (globalThis as any).Buffer;
  if (text.length < 64 || typeof NodeBuffer?.from !== 'function') return null;
  const length = paddedLength(text);
  if (length < 0) return null;
  const buffer = NodeBuffer.from(text, 'base64');
  // Buffer skips what is not base64, so a short result means the text needs the
  // portable decoder (whitespace) or is invalid (which that reports). A plain
  // Uint8Array, not a Buffer, whose slice() would share memory.
  if (!(buffer instanceof Uint8Array) || buffer.length !== length) return null;
  // A small Buffer is a piece of a shared pool: copy it rather than keep the pool alive.
  if (buffer.byteLength !== buffer.buffer.byteLength) return new Uint8Array(buffer);
  return new Uint8Array(buffer.buffer, 0, buffer.length);
}

/** The decoded length of a text of whole groups of four, the last possibly padded; -1 for other texts. */
function paddedLength(text: string): number {
  const length = text.length;
  if (length % 4 !== 0) return -1;
  const padding = length === 0 ? 0 : text.charCodeAt(length - 1) !== 61 ? 0 : text.charCodeAt(length - 2) !== 61 ? 1 : 2;
  return (length / 4) * 3 - padding;
}

/**
 * base64Decode in JavaScript alone (what QuickJS and Hermes run). Exported
 * for tests; `useTextEncoder: false` takes the path of engines without
 * TextEncoder.
 */
export function base64DecodePortable(text: string, useTextEncoder = true): Uint8Array {
  const length = paddedLength(text);
  // Short texts (most data segments of most modules) are not worth building the tables for.
  if (length >= SHORT) {
    const bytes = new Uint8Array(length);
    const whole = length - (length % 3); // bytes in groups without padding
    const groupEnd = (whole / 3) * 4;
    const encoder = useTextEncoder && LITTLE_ENDIAN ? textEncoder() : null;
    const valid = encoder !== null ? decodeEncoded(text, groupEnd, bytes, encoder) : decodeCharCodes(text, groupEnd, bytes);
    if (valid && decodeTail(text, groupEnd, bytes, whole)) return bytes;
  }
  return decodeGeneral(text);
}

/** Decoded bytes below which the character-at-a-time decoder is used. */
const SHORT = 768;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Two characters -> 12 bits, -1 where either is not base64. Built on first use. */
let pairsByCodes: Int16Array | null = null; // index: first code << 7 | second code (codes below 128)
let pairsByHalfword: Int16Array | null = null; // index: the two characters' ASCII bytes read as a little-endian Uint16

function pairTables(): [Int16Array, Int16Array] {
  if (pairsByCodes === null || pairsByHalfword === null) {
    pairsByCodes = new Int16Array(128 * 128).fill(-1);
    pairsByHalfword = new Int16Array(65536).fill(-1);
    for (let first = 0; first < 64; first++) {
      for (let second = 0; second < 64; second++) {
        const a = ALPHABET.charCodeAt(first);
        const b = ALPHABET.charCodeAt(second);
        pairsByCodes[(a << 7) | b] = (first << 6) | second;
        pairsByHalfword[a | (b << 8)] = (first << 6) | second;
      }
    }
  }
  return [pairsByCodes, pairsByHalfword];
}

interface Encoder {
  encodeInto(text: string, into: Uint8Array): { read: number; written: number };
}

let sharedEncoder: Encoder | null | undefined;

function textEncoder(): Encoder | null {
  if (sharedEncoder === undefined) {
    const TextEncoderClass = (globalThis as any).TextEncoder;
    const encoder = typeof TextEncoderClass === 'function' ? new TextEncoderClass() : null;
    sharedEncoder = typeof encoder?.encodeInto === 'function' ? encoder : null;
  }
  return sharedEncoder as Encoder | null;
}

/** Characters converted to ASCII bytes at a time; a multiple of 4. */
const SLICE = 1 << 16;

/**
 * Decodes text[0, end) (whole groups of four) into bytes: TextEncoder turns
 * a slice into ASCII bytes natively, read back two characters at a time.
 * False if a character is not base64.
 */
function decodeEncoded(text: string, end: number, bytes: Uint8Array, encoder: Encoder): boolean {
  const [, pairs] = pairTables();
  const ascii = new Uint8Array(Math.min(SLICE, end));
  const halfwords = new Uint16Array(ascii.buffer);
  let invalid = 0;
  let out = 0;
  for (let start = 0; start < end; start += SLICE) {
    const count = Math.min(SLICE, end - start);
    const { read, written } = encoder.encodeInto(text.slice(start, start + count), ascii);
    if (read !== count || written !== count) return false; // a character outside ASCII
    const halves = count >> 1;
    for (let i = 0; i < halves; i += 2) {
      // A -1 from either pair makes the group negative.
      const group = (pairs[halfwords[i]] << 12) | pairs[halfwords[i + 1]];
      invalid |= group;
      bytes[out] = group >> 16;
      bytes[out + 1] = group >> 8;
      bytes[out + 2] = group;
      out += 3;
    }
  }
  return invalid >= 0;
}

/** decodeEncoded for engines without TextEncoder (or big-endian ones). */
function decodeCharCodes(text: string, end: number, bytes: Uint8Array): boolean {
  const [pairs] = pairTables();
  let invalid = 0;
  let codes = 0;
  let out = 0;
  for (let i = 0; i < end; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    codes |= a | b | c | d; // the table covers codes below 128 only
    const group = (pairs[(a << 7) | b] << 12) | pairs[(c << 7) | d];
    invalid |= group;
    bytes[out] = group >> 16;
    bytes[out + 1] = group >> 8;
    bytes[out + 2] = group;
    out += 3;
  }
  return invalid >= 0 && codes < 128;
}

/** Decodes the padded last group (from `start`, bytes from `out`), if there is one. False if it is not base64. */
function decodeTail(text: string, start: number, bytes: Uint8Array, out: number): boolean {
  const left = bytes.length - out;
  if (left === 0) return true;
  const sextet = (i: number): number => {
    const code = text.charCodeAt(start + i);
    return code < 128 ? DECODE[code] : 255;
  };
  const a = sextet(0);
  const b = sextet(1);
  const c = left === 2 ? sextet(2) : 0;
  if (a === 255 || b === 255 || c === 255) return false;
  bytes[out] = (a << 2) | (b >> 4);
  if (left === 2) bytes[out + 1] = ((b & 15) << 4) | (c >> 2);
  return true;
}

/** Any base64: whitespace and padding anywhere, the URL-safe alphabet, missing padding. Throws SyntaxError on anything else. */
function decodeGeneral(text: string): Uint8Array {
  let count = 0;
  const length = text.length;
  const sextets = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? DECODE[code] : 255;
    if (value !== 255) {
      sextets[count++] = value;
    } else if (code !== 61 /* = */ && code !== 32 && code !== 10 && code !== 13 && code !== 9 && code !== 12) {
      throw new SyntaxError(`invalid base64 character at offset ${i}`);
    }
  }
  if (count % 4 === 1) throw new SyntaxError('invalid base64 length');
  const bytes = new Uint8Array((count * 3) >> 2);
  let out = 0;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const n = (sextets[i] << 18) | (sextets[i + 1] << 12) | (sextets[i + 2] << 6) | sextets[i + 3];
    bytes[out++] = n >> 16;
    bytes[out++] = (n >> 8) & 255;
    bytes[out++] = n & 255;
  }
  if (count - i === 2) {
    bytes[out++] = (sextets[i] << 2) | (sextets[i + 1] >> 4);
  } else if (count - i === 3) {
    const n = (sextets[i] << 12) | (sextets[i + 1] << 6) | sextets[i + 2];
    bytes[out++] = n >> 10;
    bytes[out++] = (n >> 2) & 255;
  }
  return bytes;
}

/**
 * Encodes bytes as padded base64 text. Characters go into a byte array and
 * become a string a slice at a time: appending them one by one to a string
 * took 12.7 s and 1 GB for 50 MB.
 */
export function base64Encode(bytes: Uint8Array): string {
  const length = bytes.length;
  const ascii = new Uint8Array(Math.ceil(length / 3) * 4);
  let out = 0;
  let i = 0;
  for (; i + 3 <= length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    ascii[out] = ALPHABET_CODES[n >> 18];
    ascii[out + 1] = ALPHABET_CODES[(n >> 12) & 63];
    ascii[out + 2] = ALPHABET_CODES[(n >> 6) & 63];
    ascii[out + 3] = ALPHABET_CODES[n & 63];
    out += 4;
  }
  if (length - i > 0) {
    const n = (bytes[i] << 16) | (length - i === 2 ? bytes[i + 1] << 8 : 0);
    ascii[out] = ALPHABET_CODES[n >> 18];
    ascii[out + 1] = ALPHABET_CODES[(n >> 12) & 63];
    ascii[out + 2] = length - i === 2 ? ALPHABET_CODES[(n >> 6) & 63] : 61;
    ascii[out + 3] = 61;
  }
  return asciiString(ascii);
}

const ALPHABET_CODES = new Uint8Array(64);
for (let i = 0; i < 64; i++) ALPHABET_CODES[i] = ALPHABET.charCodeAt(i);

/**
 * An ASCII string from its codes: TextDecoder where there is one (UTF-8 is
 * ASCII for these; 19 ms for 67 MB), else String.fromCharCode on slices small
 * enough for an argument list (230 ms).
 */
function asciiString(ascii: Uint8Array): string {
  const TextDecoderClass = (globalThis as any).TextDecoder;
  if (typeof TextDecoderClass === 'function' && ascii.length > 4096) return new TextDecoderClass().decode(ascii);
  const STEP = 8192;
  if (ascii.length <= STEP) return String.fromCharCode.apply(null, ascii as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < ascii.length; i += STEP) {
    parts.push(String.fromCharCode.apply(null, ascii.subarray(i, i + STEP) as unknown as number[]));
  }
  return parts.join('');
}
