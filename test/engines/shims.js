// Stand-ins for host APIs that the test programs and sql.js's glue use and
// Hermes and QuickJS lack (never for wasm2es, which needs none):
// TextEncoder/TextDecoder (UTF-8) and node:crypto's createHash('sha256').
// Where an engine has no TextEncoder/TextDecoder, they become globals, as
// the polyfill a React Native app installs for such glue; the test code
// itself always uses these stand-ins (the builder binds them as its locals),
// so every engine computes its results the same way.
// A classic script for the oldest engine under test: no classes, no async.

var __shims = (function () {
  function TextEncoder() {}
  TextEncoder.prototype.encode = function (text) {
    var out = [];
    for (var i = 0; i < text.length; i++) {
      var code = text.codePointAt(i);
      if (code > 0xffff) i++;
      if (code < 0x80) out.push(code);
      else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
      else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
      else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    }
    return new Uint8Array(out);
  };

  /** UTF-8 only; invalid sequences become U+FFFD, one per byte. */
  function TextDecoder() {}
  TextDecoder.prototype.decode = function (bytes) {
    var text = '';
    var i = 0;
    bytes = bytes || new Uint8Array(0);
    while (i < bytes.length) {
      var b = bytes[i];
      var length = b < 0x80 ? 1 : b >= 0xf0 && b < 0xf5 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
      var code = length === 1 ? b : length === 2 ? b & 31 : length === 3 ? b & 15 : b & 7;
      var ok = length > 0 && i + length <= bytes.length;
      for (var k = 1; ok && k < length; k++) {
        if ((bytes[i + k] & 0xc0) !== 0x80) ok = false;
        else code = (code << 6) | (bytes[i + k] & 63);
      }
      if (ok && length > 1 && (code < [0, 0, 0x80, 0x800, 0x10000][length] || code > 0x10ffff || (code >= 0xd800 && code < 0xe000))) ok = false;
      if (ok) {
        text += String.fromCodePoint(code);
        i += length;
      } else {
        text += '\ufffd';
        i += 1;
      }
    }
    return text;
  };

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];

  function sha256Hex(bytes) {
    var length = bytes.length;
    var padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[length] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(length / 0x20000000), false);
    view.setUint32(padded.length - 4, (length << 3) >>> 0, false);
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Int32Array(64);
    var rotr = function (x, n) {
      return (x >>> n) | (x << (32 - n));
    };
    for (var offset = 0; offset < padded.length; offset += 64) {
      for (var t = 0; t < 16; t++) w[t] = view.getInt32(offset + t * 4, false);
      for (t = 16; t < 64; t++) {
        var s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
        var s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (t = 0; t < 64; t++) {
        var t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      h = [h[0] + a, h[1] + b, h[2] + c, h[3] + d, h[4] + e, h[5] + f, h[6] + g, h[7] + hh].map(function (x) {
        return x | 0;
      });
    }
    return h
      .map(function (x) {
        return (x >>> 0).toString(16).padStart(8, '0');
      })
      .join('');
  }

  /** node:crypto's createHash, for 'sha256' and one update. */
  function createHash(algorithm) {
    if (algorithm !== 'sha256') throw new Error('createHash: only sha256');
    var data;
    return {
      update: function (bytes) {
        data = bytes;
        return this;
      },
      digest: function (encoding) {
        if (encoding !== 'hex') throw new Error('createHash: only hex digests');
        return sha256Hex(data);
      },
    };
  }

  if (typeof globalThis.TextEncoder === 'undefined') globalThis.TextEncoder = TextEncoder;
  if (typeof globalThis.TextDecoder === 'undefined') globalThis.TextDecoder = TextDecoder;
  return { TextEncoder: TextEncoder, TextDecoder: TextDecoder, createHash: createHash };
})();
