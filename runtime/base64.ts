// Base64 (RFC 4648, standard alphabet) in plain JavaScript: data segments and
// custom sections travel inside generated code as base64 text. atob is not
// available everywhere (QuickJS) and returns a binary string anyway.
// The encoder is here for the compiler; the runtime only decodes.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
DECODE[45] = 62; // '-' and '_' of the URL-safe alphabet, accepted for robustness
DECODE[95] = 63;

/** Decodes base64 text; padding and ASCII whitespace are ignored, anything else throws. */
export function base64Decode(text: string): Uint8Array {
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

/** Encodes bytes as padded base64 text. */
export function base64Encode(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  const length = bytes.length;
  let i = 0;
  for (; i + 3 <= length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
    if (chunk.length >= 8192) { parts.push(chunk); chunk = ''; }
  }
  if (length - i === 1) {
    const n = bytes[i] << 16;
    chunk += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + '==';
  } else if (length - i === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + '=';
  }
  parts.push(chunk);
  return parts.join('');
}
