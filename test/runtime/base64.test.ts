// How data segments and custom sections travel in generated code: base64,
// in literals of at most 1 MB (runtime/base64.ts, compiler/emit.ts), and
// every decoding path (the engine's, TextEncoder, charCodeAt, the general one
// for whitespace and the URL-safe alphabet) gives the same bytes.

import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import { base64Decode, base64DecodePortable, base64Encode } from '../../runtime/base64.js';
import { defineModule, Instance, rt } from '../../runtime/index.js';
import { concat, exportEntry, leb, section, vec, wasmModule } from '../helpers/wasm-bytes.js';

/** Bytes that differ from position to position and cover every value. */
function sample(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (Math.imul(i, 0x9e3779b1) >>> 13) ^ i;
  return bytes;
}

const decoders: [string, (text: string) => Uint8Array][] = [
  ['base64Decode', base64Decode],
  ['portable, TextEncoder', (text) => base64DecodePortable(text)],
  ['portable, charCodeAt', (text) => base64DecodePortable(text, false)],
];

describe('base64', () => {
  it('encodes as Node does and decodes back on every path, at every length around the thresholds', () => {
    for (const length of [0, 1, 2, 3, 4, 47, 48, 49, 767, 768, 769, 770, 771, 49_151, 49_152, 49_153, 65_536, 300_001]) {
      const bytes = sample(length);
      const text = base64Encode(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      for (const [name, decode] of decoders) {
        const decoded = decode(text);
        expect(Object.getPrototypeOf(decoded), `${name}, ${length}`).toBe(Uint8Array.prototype);
        expect(Buffer.compare(decoded, bytes), `${name}, ${length}`).toBe(0);
      }
    }
  });

  it('returns a Uint8Array of its own, not a piece of Node\'s Buffer pool', () => {
    const decoded = base64Decode(base64Encode(sample(100)));
    expect(decoded.byteOffset).toBe(0);
    expect(decoded.buffer.byteLength).toBe(100);
  });

  it('takes whitespace, missing padding and the URL-safe alphabet, and throws SyntaxError on anything else, on every path', () => {
    const bytes = sample(3000);
    const text = base64Encode(bytes);
    const spaced = `${text.slice(0, 1000)}\n${text.slice(1000, 2000)} \t${text.slice(2000)}`;
    const urlSafe = text.replaceAll('+', '-').replaceAll('/', '_');
    for (const [name, decode] of decoders) {
      expect(Buffer.compare(decode(spaced), bytes), name).toBe(0);
      expect(Buffer.compare(decode(urlSafe), bytes), name).toBe(0);
      expect(Buffer.compare(decode(base64Encode(sample(1000)).replace(/=+$/, '')), sample(1000)), name).toBe(0);
      for (const bad of ['*', '\u0101', '\u0000']) {
        expect(() => decode(`${text.slice(0, 2001)}${bad}${text.slice(2002)}`), `${name}, ${JSON.stringify(bad)}`).toThrow(SyntaxError);
      }
    }
  });
});

describe('data segments in generated code', () => {
  /** A module with an exported memory holding `bytes` at 0. */
  function withData(bytes: Uint8Array): Uint8Array {
    return wasmModule([
      section(5, [1, 0, ...leb(Math.ceil(bytes.length / 65536))]),
      section(7, vec([exportEntry('memory', 2, 0)])),
      section(11, vec([concat([[0, 0x41, 0, 0x0b], leb(bytes.length), bytes])])),
    ]);
  }

  it('are one literal up to 768 KB and literals of 1 MB joined beyond, ASCII with no `<`, and load exactly', () => {
    for (const [length, literals] of [[3 << 18, 1], [(3 << 18) + 1, 2], [3 << 19, 2], [5_000_000, 7]] as const) {
      const bytes = sample(length);
      const { code } = compile(withData(bytes), { format: 'body' });
      const argument = /rt\.base64\((\[[^\]]*\]\.join\(""\)|"[^"]*")\)/.exec(code)![1];
      const texts = argument.match(/"[A-Za-z0-9+/=]+"/g)!;
      expect(texts.length, `${length} bytes`).toBe(literals);
      for (const text of texts) expect(text.length - 2).toBeLessThanOrEqual(1 << 20);
      expect(code).toMatch(/^[\t\n\x20-\x3b\x3d-\x7e]*$/);
      const instance = new Instance(defineModule(new Function('rt', code)(rt)), {});
      const memory = (instance.exports.memory as { buffer: ArrayBuffer }).buffer;
      expect(Buffer.compare(new Uint8Array(memory, 0, length), bytes)).toBe(0);
    }
  });
});
