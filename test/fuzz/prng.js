// Seeded randomness: a (seed, index, stream) triple names one reproducible
// sequence on any machine. xoshiro128** over 32-bit integers, seeded through
// splitmix32, so no BigInt and no floating point decide a draw.

/** splitmix32 step: spreads a 32-bit state into a well-mixed word. */
function mix(x) {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [x, (z ^ (z >>> 16)) >>> 0];
}

/** FNV-1a of a string: turns a stream name into a seed word. */
function hashString(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * @param {number} seed a non-negative integer below 2^32
 * @param {number} index the module's position in the run, below 2^32
 * @param {string} stream what the numbers are for ('ttf', 'args', ...), so
 *   that adding draws to one use does not shift another's
 */
export function createRandom(seed, index, stream) {
  let state = (seed ^ Math.imul(index, 0x27d4eb2f) ^ hashString(stream)) | 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) [state, s[i]] = mix(state ^ Math.imul(i + 1, 0x165667b1));
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;

  /** A uniform unsigned 32-bit integer. */
  function next() {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
  return {
    next,
    /** A uniform integer in [0, n), n <= 2^32. */
    below: (n) => Math.floor((next() / 0x100000000) * n),
    /** True once in n draws on average. */
    oneIn: (n) => next() % n === 0,
    /** An element of a non-empty array. */
    pick: (array) => array[Math.floor((next() / 0x100000000) * array.length)],
    /** n random bytes. */
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        const word = next();
        for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = word >>> (8 * j);
      }
      return out;
    },
  };
}

function rotl(x, k) {
  return (x << k) | (x >>> (32 - k));
}
