// SHA-256 (FIPS 180-4) in plain JavaScript: the registry key of precompiled
// modules is the digest of the original .wasm bytes. Synchronous because
// `new WebAssembly.Module(bytes)` is; crypto.subtle is async and absent from
// the engines this runtime targets. The compiler reuses it to stamp `hash`.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Processes the 64-byte blocks of `bytes` from `offset` to `end` into `state`. */
function compress(state: Int32Array, w: Int32Array, bytes: Uint8Array, offset: number, end: number): void {
  let h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3];
  let h4 = state[4], h5 = state[5], h6 = state[6], h7 = state[7];
  for (let p = offset; p < end; p += 64) {
    for (let i = 0; i < 16; i++) {
      const j = p + i * 4;
      w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15], y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
  }
  state[0] = h0; state[1] = h1; state[2] = h2; state[3] = h3;
  state[4] = h4; state[5] = h5; state[6] = h6; state[7] = h7;
}

/** The SHA-256 digest of `bytes`, 32 bytes. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const state = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Int32Array(64);
  const length = bytes.length;
  const whole = length - (length % 64);
  compress(state, w, bytes, 0, whole);

  // The tail, the 0x80 marker and the 64-bit big-endian bit length fill one or two blocks.
  const tail = new Uint8Array(length % 64 < 56 ? 64 : 128);
  tail.set(bytes.subarray(whole));
  tail[length - whole] = 0x80;
  const bitsHigh = Math.floor(length / 0x20000000); // length * 8 / 2^32
  const bitsLow = (length * 8) >>> 0;
  const end = tail.length;
  tail[end - 8] = bitsHigh >>> 24; tail[end - 7] = bitsHigh >>> 16; tail[end - 6] = bitsHigh >>> 8; tail[end - 5] = bitsHigh;
  tail[end - 4] = bitsLow >>> 24; tail[end - 3] = bitsLow >>> 16; tail[end - 2] = bitsLow >>> 8; tail[end - 1] = bitsLow;
  compress(state, w, tail, 0, end);

  const digest = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const word = state[i];
    digest[i * 4] = word >>> 24; digest[i * 4 + 1] = word >>> 16; digest[i * 4 + 2] = word >>> 8; digest[i * 4 + 3] = word;
  }
  return digest;
}

const HEX = '0123456789abcdef';

function toHex(digest: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < digest.length; i++) hex += HEX[digest[i] >> 4] + HEX[digest[i] & 15];
  return hex;
}

/** The SHA-256 digest of `bytes` as 64 lowercase hex digits. */
export function sha256Hex(bytes: Uint8Array | ArrayBuffer): string {
  return toHex(sha256(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)));
}

/**
 * sha256Hex for the asynchronous paths (compile, instantiate, streaming):
 * WebCrypto where the engine has it (browsers in secure contexts, Node),
 * which is native code, so much faster than this file without a JIT;
 * otherwise the JavaScript implementation.
 */
export function sha256HexAsync(bytes: Uint8Array): Promise<string> {
  const subtle = (globalThis as any).crypto?.subtle;
  if (subtle === undefined || subtle === null || typeof subtle.digest !== 'function') {
    return Promise.resolve().then(() => sha256Hex(bytes));
  }
  return Promise.resolve()
    .then(() => subtle.digest('SHA-256', bytes))
    .then((digest: ArrayBuffer) => toHex(new Uint8Array(digest)), () => sha256Hex(bytes));
}
