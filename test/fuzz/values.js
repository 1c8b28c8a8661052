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
//
// References (GC's JS API): null is null, an i31ref a JS number, a function
// reference the function (shown by its name, the function index), an
// externref the JS value it holds. A struct or array reaches JS as an
// opaque object: no prototype, no own properties, not extensible. Objects
// are shown by what they look like and by identity, numbered in the order
// each side first meets them (`labels()`): 'opaque#2' is the same object
// wherever it appears, so a function that returns the struct a global holds
// must return that very object, and an engine that hands out a copy or a
// wrapper with properties diverges. Functions keep identity too (the JS API
// gives one function object per wasm function): a second object of the
// same name shows as 'func:3@1'.

/** The one host object externref imports hold, the same for every engine; values show it by label. */
export const HOST_OBJECT = Object.freeze({ fuzz: 'host object' });
export const HOST_LABELS = new Map([[HOST_OBJECT, 'host-object']]);

/**
 * Names for the objects one side of a comparison meets: the host object by
 * its label, any other by kind ('opaque' for a GC object as the JS API
 * makes it, 'object' otherwise) and a number, the same each time the same
 * object comes back; a function by its name, with '@n' when it is not the
 * first function of that name met but the n-th after it. One per side and
 * module run (host.js).
 * @returns {{ get: (value: object) => string, function: (value: Function) => string }}
 */
export function labels() {
  const seen = new Map(HOST_LABELS);
  const functions = new Map(); // name -> the functions of that name, in the order met
  let next = 0;
  return {
    get(value) {
      let label = seen.get(value);
      if (label === undefined) seen.set(value, (label = `${isOpaque(value) ? 'opaque' : 'object'}#${next++}`));
      return label;
    },
    function(value) {
      const named = functions.get(value.name) ?? [];
      functions.set(value.name, named);
      let index = named.indexOf(value);
      if (index < 0) index = named.push(value) - 1;
      return index === 0 ? `func:${value.name}` : `func:${value.name}@${index}`;
    },
  };
}

/**
 * True for an object as the JS API shows a struct or an array: nothing to
 * see, nothing to change. One whose inspection throws (a proxy, say) is not.
 */
export function isOpaque(value) {
  try {
    return Object.getPrototypeOf(value) === null && Reflect.ownKeys(value).length === 0 && !Object.isExtensible(value);
  } catch {
    return false;
  }
}

/**
 * @param {unknown} value a JS value that came out of wasm (result, import argument, global, table entry)
 * @param {{ get: (value: object) => string | undefined, function?: (value: Function) => string }} [labels]
 *   names for objects: HOST_LABELS, or a side's labels()
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
  if (typeof value === 'function') return labels?.function?.(value) ?? `func:${value.name}`;
  if (Array.isArray(value)) return `[${value.map((item) => encodeValue(item, labels)).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  return labels?.get(value) ?? typeof value;
}

/** The inverse of encodeValue for the arguments the harness passes (numbers, BigInts, null, the host object). */
export function decodeArgument(text) {
  if (text === 'NaN') return NaN;
  if (text === '-0') return -0;
  if (text === 'null') return null;
  if (text === 'host-object') return HOST_OBJECT;
  if (text.endsWith('n')) return BigInt(text.slice(0, -1));
  return Number(text);
}

const I32_EDGES = [0, 1, -1, 2, 7, 8, 255, 256, 65535, 65536, -2147483648, 2147483647, -65536];
const I64_EDGES = [0n, 1n, -1n, 2n, 0x7fffffffffffffffn, -0x8000000000000000n, 0xffffffffn, 0x100000000n, -0x100000000n];
const F32_EDGES = [0, -0, 1, -1, 0.5, -1.5, NaN, Infinity, -Infinity, 3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38, 2147483648, -2147483904, 4294967296];
const F64_EDGES = [0, -0, 1, -1, 0.5, -1.5, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308, 2 ** 31, -(2 ** 31) - 1, 2 ** 63, 2 ** 64];
// What a JS value becomes as an anyref, eqref or i31ref: an integer in
// [-2^30, 2^30) an i31ref; -0, fractions, other numbers and objects a host
// reference (anyref) or a TypeError (eqref, i31ref); null a null reference
// or a TypeError where the type is non-nullable.
const I31_EDGES = [null, 0, 1, -1, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, -(2 ** 30) - 1, -0, 0.5, 2 ** 31, NaN, HOST_OBJECT];
/** Parameter types that a JS number can reach as an i31ref (GC), nullable or not. */
const I31_TYPES = new Set(['anyref', 'eqref', 'i31ref', '(ref any)', '(ref eq)', '(ref i31)']);

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
  if (I31_TYPES.has(type)) {
    if (edge) return encodeValue(random.pick(I31_EDGES), HOST_LABELS);
    return random.oneIn(2) ? 'null' : encodeValue(random.below(2 ** 31) - 2 ** 30);
  }
  // A non-nullable externref takes anything but null: the host object.
  if (type === '(ref extern)') return 'host-object';
  // funcref, externref and the other references: null, as binaryen's fuzz_shell.js passes
  // (a TypeError where the type is non-nullable, the same everywhere).
  return 'null';
}
