// Seeded pseudo-random numbers for the module generator. The same (seed,
// index) gives the same sequence on every machine and engine because
// everything is 32-bit integer arithmetic (Math.imul, shifts): no
// Math.random, and no Math.pow/exp/log, whose last bits may differ between
// platforms and would make a reproduction fail on another machine.

/**
 * murmur3's finaliser: a bijection on 32-bit words in which every input bit
 * affects every output bit, so neighbouring indices give unrelated streams.
 * @param {number} x
 */
export function mix32(x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Two 32-bit words from a seed given as an integer (up to 2^53), a BigInt or
 * a string, so `--seed 12` and `--seed release-3` both work.
 * @param {number | bigint | string} seed
 */
function seedWords(seed) {
  if (typeof seed === 'number' && Number.isSafeInteger(seed)) {
    const negative = seed < 0 ? 1 : 0;
    const magnitude = Math.abs(seed);
    return [magnitude >>> 0, (Math.floor(magnitude / 4294967296) >>> 0) ^ (negative << 31)];
  }
  if (typeof seed === 'bigint') {
    return [Number(BigInt.asUintN(32, seed)), Number(BigInt.asUintN(32, seed >> 32n))];
  }
  // FNV-1a over the UTF-16 code units, twice with different bases.
  const text = String(seed);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    a = Math.imul(a ^ text.charCodeAt(i), 0x01000193);
    b = Math.imul(b ^ text.charCodeAt(i), 0x5bd1e995);
  }
  return [a >>> 0, (b ^ 0x5a5a5a5a) >>> 0];
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast chaotic generator): 128 bits of
 * state, passes PractRand, four additions and shifts per number.
 */
export class Random {
  /**
   * @param {number | bigint | string} seed
   * @param {number} index  the module's index within the seed's run
   */
  constructor(seed, index) {
    const [lo, hi] = seedWords(seed);
    const i = index >>> 0;
    const j = Math.floor(index / 4294967296) >>> 0;
    this.a = mix32(lo ^ 0x9e3779b9) | 0;
    this.b = mix32(hi ^ mix32(i + 0x7f4a7c15)) | 0;
    this.c = mix32(i ^ mix32(lo + 0x632be5ab)) | 0;
    this.d = mix32(j ^ mix32(hi + i + 0x85a308d3)) | 0;
    for (let k = 0; k < 16; k++) this.next();
  }

  /** A uniform 32-bit unsigned integer. */
  next() {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform 32-bit integer, signed. */
  int32() {
    return this.next() | 0;
  }

  /**
   * Uniform in [0, n). Exact for n below 2^21 (the product stays below 2^53);
   * larger ranges combine two draws.
   * @param {number} n
   */
  int(n) {
    if (n <= 0x200000) return Math.floor((this.next() * n) / 4294967296);
    return (this.next() * 4294967296 + this.next()) % n;
  }

  /**
   * Uniform in [low, high], both included.
   * @param {number} low
   * @param {number} high
   */
  range(low, high) {
    return low + this.int(high - low + 1);
  }

  /**
   * True with probability p.
   * @param {number} p
   */
  chance(p) {
    return this.next() < p * 4294967296;
  }

  /**
   * @template T
   * @param {readonly T[]} items
   * @returns {T}
   */
  pick(items) {
    return items[this.int(items.length)];
  }

  /**
   * Roughly log-uniform in [low, high]: a bit width first, then a value of
   * that width. Small sizes are common and large ones still appear, which is
   * the shape we want for counts (cases, nesting, targets).
   * @param {number} low
   * @param {number} high
   */
  logRange(low, high) {
    const bits = 32 - Math.clz32(high);
    const width = 1 + this.int(bits);
    const value = width === 1 ? this.int(2) : (1 << (width - 1)) + this.int(1 << (width - 1));
    return Math.min(high, Math.max(low, value));
  }

  /**
   * An index drawn with the given relative weights (all >= 0, not all 0).
   * @param {readonly number[]} weights
   */
  weighted(weights) {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let roll = (this.next() / 4294967296) * total;
    for (let i = 0; i < weights.length; i++) {
      roll -= weights[i];
      if (roll < 0) return i;
    }
    return weights.length - 1;
  }

  /**
   * An index drawn from prefix sums of weights (see `cumulative`), for
   * choices made thousands of times per module.
   * @param {Float64Array} sums
   */
  pickCumulative(sums) {
    const roll = (this.next() / 4294967296) * sums[sums.length - 1];
    let low = 0;
    let high = sums.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (roll < sums[middle]) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /**
   * Fisher-Yates, in place.
   * @template T
   * @param {T[]} items
   */
  shuffle(items) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/**
 * Prefix sums of weights for Random.pickCumulative. All weights zero would
 * make every pick the last index; callers keep at least one positive.
 * @param {readonly number[]} weights
 */
export function cumulative(weights) {
  const sums = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i];
    sums[i] = total;
  }
  return sums;
}
