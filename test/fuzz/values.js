// Values as the fuzzer compares and stores them: one string per JS value, so
// a comparison is string equality and a fixture is plain JSON.
//
// Numbers are compared as JavaScript sees them: -0 is not 0, and NaN is NaN
// whatever its bits. A JS number's NaN payload is not reliably observable
// (the JS spec lets an engine canonicalise it at any step), and V8 does:
// comparing the bits of NaNs that crossed into JS, even in modules whose
// NaNs are deterministic (canonicalize.js), native V8's own Global.value
// gave the canonical NaN for a global holding a payload, while wasm2es kept
// the payload; and where wasm2es gave a NaN to JS inside an array of results
// or as a host-call argument, V8 had canonicalised it on the way (seed 21,
// 360 modules, 2026-12-02). NaN bits are compared where they are data: in
// memory, byte for byte (see state.js).

/**
 * @param {unknown} value a JS value that came out of wasm (result, import argument, global, table entry)
 * @param {Map<unknown, string>} [labels] names for host objects the harness passed in
 * @returns {string}
 */
export function encodeValue(value, labels) {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (Object.is(value, -0)) return '-0';
    return String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `func:${value.name}`;
  if (Array.isArray(value)) return `[${value.map((item) => encodeValue(item, labels)).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  return labels?.get(value) ?? typeof value;
}

/** The inverse of encodeValue for the arguments the harness passes (numbers, BigInts, null). */
export function decodeArgument(text) {
  if (text === 'NaN') return NaN;
  if (text === '-0') return -0;
  if (text === 'null') return null;
  if (text.endsWith('n')) return BigInt(text.slice(0, -1));
  return Number(text);
}

const I32_EDGES = [0, 1, -1, 2, 7, 8, 255, 256, 65535, 65536, -2147483648, 2147483647, -65536];
const I64_EDGES = [0n, 1n, -1n, 2n, 0x7fffffffffffffffn, -0x8000000000000000n, 0xffffffffn, 0x100000000n, -0x100000000n];
const F32_EDGES = [0, -0, 1, -1, 0.5, -1.5, NaN, Infinity, -Infinity, 3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38, 2147483648, -2147483904, 4294967296];
const F64_EDGES = [0, -0, 1, -1, 0.5, -1.5, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308, 2 ** 31, -(2 ** 31) - 1, 2 ** 63, 2 ** 64];

/**
 * A deterministic argument of wasm type `type`: edge cases half the time,
 * random bits the other half.
 * @param {ReturnType<import('./prng.js').createRandom>} random
 * @returns {string} encoded as encodeValue does
 */
export function randomArgument(type, random) {
  const edge = random.oneIn(2);
  if (type === 'i32') return encodeValue(edge ? random.pick(I32_EDGES) : random.oneIn(2) ? random.below(65536) : random.next() | 0);
  if (type === 'i64') {
    if (edge) return encodeValue(random.pick(I64_EDGES));
    return encodeValue(BigInt.asIntN(64, (BigInt(random.next()) << 32n) | BigInt(random.next())));
  }
  if (type === 'f32' || type === 'f64') {
    if (edge) return encodeValue(random.pick(type === 'f32' ? F32_EDGES : F64_EDGES));
    const bits = new Uint32Array([random.next(), random.next()]);
    const value = type === 'f32' ? new Float32Array(bits.buffer)[0] : new Float64Array(bits.buffer)[0];
    return encodeValue(Number.isNaN(value) ? random.below(1000) - 500 : value);
  }
  return 'null'; // funcref, externref
}
