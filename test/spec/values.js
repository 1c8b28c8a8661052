// Values of the script format: constants given as arguments, expected results
// (including the patterns nan:canonical, nan:arithmetic, ref.null, ref.extern,
// ref.func and ref.exn, and GC's ref.host, ref.i31, ref.struct, ref.array,
// ref.eq and ref.any), and the comparison of actual results against them.
//
// Floats are compared by bit pattern, never as JS numbers. A JS number cannot
// carry an f32 signalling NaN, and engines may quieten or canonicalise any
// NaN that passes through JS, so an exported function whose signature has an
// f32 or f64 is never called with or read as a JS number. Instead the runner
// builds, once per signature and per engine, a small wrapper module
// (binary.js) that imports the function, takes f32/f64 arguments as i32/i64
// bits and reinterprets them, calls it, and reinterprets f32/f64 results back
// to i32/i64 bits. The wrapper is compiled and instantiated by the engine
// under test, so the value never exists as a JS float on the way in or out:
// the only conversions are the engine's own, inside wasm. Float globals are
// read the same way, by a wrapper importing the global. Here f32 values are
// therefore u32 numbers and f64 values u64 BigInts, and literals are rounded
// to those bits exactly by our own parser (decimal and hexadecimal, round to
// nearest, ties to even), not by Number().
//
// v128 values cannot cross the JS boundary at all (a TypeError), so the same
// wrappers carry each v128 as its four little-endian 32-bit words, rebuilt
// and taken apart inside wasm. A v128 argument is those 4 u32 words; a v128
// result is compared lane by lane in the shape its expectation is written
// in, each lane by the rules of its scalar type (NaN patterns included).
//
// exnref values (exception handling) cannot cross the JS boundary either:
// V8 throws a TypeError for a call from JS of a function whose signature has
// one, as it does for v128. The wrappers observe an exnref result with
// ref.is_null, an i32, and the runner holds it as null or NON_NULL_EXNREF;
// that is all the script format can say of one: (ref.null exn), or the
// pattern (ref.exn) for any non-null exnref. An exnref argument can only be
// (ref.null exn), which the wrapper makes itself.
//
// Other references cross the JS boundary as they are, and the JS API says
// what they become there: null for every null reference, whatever its type;
// the host value itself for an externref, and for an anyref holding one
// (any.convert_extern of a JS value, ref.host in the script format), so
// `ref.host N` and `ref.extern N` are one object per N; a Number for an
// i31ref, also when extern.convert_any has made it an externref; a function
// for a funcref; and for a struct or an array an opaque object, typeof
// 'object', with a null prototype and no properties. That opaque object is
// all JS can see: V8's struct objects and wasm2es's Proxy objects alike
// tell a struct from an array by nothing engine-neutral, so the patterns
// ref.struct and ref.array accept any such object (a non-null object that
// is not a function, nor one of the runner's host objects), ref.eq also an
// i31 Number, and ref.any any non-null value. A result of the wrong kind
// among structs and arrays passes; the scripts' ref.test and ref.cast
// assertions check kinds inside wasm.

/**
 * A value with its type. f32/f64 hold bits: f32 a u32 number, f64 a u64
 * BigInt; v128 its 4 little-endian words as u32 numbers (word 0 = bytes 0..3);
 * an exnref null or NON_NULL_EXNREF.
 * @typedef {{ type: 'i32', value: number } | { type: 'i64', value: bigint }
 *   | { type: 'f32', value: number } | { type: 'f64', value: bigint }
 *   | { type: 'v128', value: number[] }
 *   | { type: string, value: unknown }} Value
 * A reference's type is named as binary.js names value types: funcref,
 * externref, exnref, anyref, ... (a null's heap type gives the name;
 * ref.extern is an externref, ref.host an anyref).
 *
 * What an assert_return expects of one result. A v128 is expected lane by
 * lane, in its shape: i8, i16 and i32 lanes as signed i32 values, i64 lanes
 * as signed i64, float lanes as bits or a NaN pattern.
 * @typedef {Value
 *   | { type: 'f32' | 'f64', nan: 'canonical' | 'arithmetic' }
 *   | { type: 'v128', shape: string, lanes: Expected[] }
 *   | { type: 'ref.null', heap?: string }
 *   | { type: 'ref.extern' | 'ref.host', value?: unknown }
 *   | { type: 'ref.func' | 'ref.struct' | 'ref.array' | 'ref.eq' | 'ref.any' | 'ref.i31' }
 *   | { type: 'ref.exn' }
 *   | { type: 'either', options: Expected[] }
 *   | { type: 'unsupported', reason: string }} Expected
 */

export class ValueError extends Error {}

/**
 * A non-null exnref result, as the runner holds it: the wrapper tells only
 * that it is not null (see the top of this file). mismatch and describe
 * know it by its `exnref` key, since test/engines ships their source alone.
 */
export const NON_NULL_EXNREF = Object.freeze({ exnref: 'non-null' });

/** Host references for `ref.extern N` and `ref.host N`: one distinct object per N, the same across a run. */
const externrefs = new Map();
export function externref(n) {
  let ref = externrefs.get(n);
  if (!ref) {
    ref = { externref: n };
    externrefs.set(n, ref);
  }
  return ref;
}

const F32 = { mantissaBits: 23, exponentBits: 8, bias: 127 };
const F64 = { mantissaBits: 52, exponentBits: 11, bias: 1023 };

/** Integer literal (decimal or 0x hex, with sign and `_`) as a BigInt, wrapped to `bits`. */
export function parseInteger(text, bits) {
  let s = text.replaceAll('_', '');
  let negative = false;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(s)) throw new ValueError(`bad integer literal ${text}`);
  const magnitude = BigInt(s);
  return BigInt.asIntN(bits, negative ? -magnitude : magnitude);
}

/**
 * Float literal -> bits (f32: u32 number, f64: u64 BigInt): decimal and hex
 * with exact round-to-nearest-even, inf, nan, nan:0xPAYLOAD.
 */
export function parseFloatBits(text, type) {
  const format = type === 'f32' ? F32 : F64;
  const bits = floatBits(text, format);
  return type === 'f32' ? Number(bits) : bits;
}

/** @returns {bigint} */
function floatBits(text, { mantissaBits, exponentBits, bias }) {
  let s = text.replaceAll('_', '');
  let sign = 0n;
  if (s[0] === '+' || s[0] === '-') {
    if (s[0] === '-') sign = 1n;
    s = s.slice(1);
  }
  const signBit = sign << BigInt(mantissaBits + exponentBits);
  const maxExponent = (1n << BigInt(exponentBits)) - 1n;
  const infinity = maxExponent << BigInt(mantissaBits);
  if (s === 'inf') return signBit | infinity;
  if (s === 'nan') return signBit | infinity | (1n << BigInt(mantissaBits - 1));
  if (s.startsWith('nan:0x')) {
    const payload = BigInt(s.slice(4));
    if (payload === 0n || payload >= 1n << BigInt(mantissaBits)) throw new ValueError(`bad NaN payload ${text}`);
    return signBit | infinity | payload;
  }

  // The literal as an exact rational numerator / denominator.
  let numerator;
  let denominator = 1n;
  let match;
  if ((match = /^0x([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(s))) {
    const [, whole, fraction = '', exponent = '0'] = match;
    if (whole === '' && fraction === '') throw new ValueError(`bad float literal ${text}`);
    numerator = BigInt('0x0' + whole + fraction);
    let binaryExponent = BigInt(exponent) - 4n * BigInt(fraction.length);
    if (binaryExponent >= 0n) numerator <<= binaryExponent;
    else denominator <<= -binaryExponent;
  } else if ((match = /^([0-9]+)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(s))) {
    const [, whole, fraction = '', exponent = '0'] = match;
    numerator = BigInt(whole + fraction);
    const decimalExponent = BigInt(exponent) - BigInt(fraction.length);
    if (decimalExponent >= 0n) numerator *= 10n ** decimalExponent;
    else denominator = 10n ** -decimalExponent;
  } else {
    throw new ValueError(`bad float literal ${text}`);
  }
  if (numerator === 0n) return signBit;

  // exponent = floor(log2(numerator / denominator))
  let exponent = BigInt(numerator.toString(2).length - denominator.toString(2).length);
  const below = exponent >= 0n ? numerator < denominator << exponent : numerator << -exponent < denominator;
  if (below) exponent--;
  const minExponent = 1n - BigInt(bias);
  if (exponent < minExponent) exponent = minExponent; // subnormal: fixed scale

  // significand = round(value * 2^(mantissaBits - exponent)), ties to even
  const shift = BigInt(mantissaBits) - exponent;
  let scaledNumerator = numerator;
  let scaledDenominator = denominator;
  if (shift >= 0n) scaledNumerator <<= shift;
  else scaledDenominator <<= -shift;
  let significand = scaledNumerator / scaledDenominator;
  const twiceRemainder = 2n * (scaledNumerator % scaledDenominator);
  if (twiceRemainder > scaledDenominator || (twiceRemainder === scaledDenominator && (significand & 1n) === 1n)) {
    significand++;
  }
  const implicitBit = 1n << BigInt(mantissaBits);
  if (significand >= implicitBit << 1n) {
    significand >>= 1n; // rounding carried into the next binade (the dropped bit is 0)
    exponent++;
  }
  if (significand < implicitBit) return signBit | significand; // subnormal or zero exponent field
  const biased = exponent + BigInt(bias);
  if (biased >= maxExponent) return signBit | infinity;
  return signBit | (biased << BigInt(mantissaBits)) | (significand - implicitBit);
}

/** The type of `(ref.null ht)` as an argument, by its heap type: the nullable shorthand (binary.js). */
const NULL_TYPES = new Map([
  ['func', 'funcref'],
  ['extern', 'externref'],
  ['exn', 'exnref'],
  ['any', 'anyref'],
  ['eq', 'eqref'],
  ['i31', 'i31ref'],
  ['struct', 'structref'],
  ['array', 'arrayref'],
  ['none', 'nullref'],
  ['nofunc', 'nullfuncref'],
  ['noextern', 'nullexternref'],
  ['noexn', 'nullexnref'],
]);

/**
 * A constant expression node `(t.const x)`, `(ref.null t)`, `(ref.extern n)`, `(ref.host n)`:
 * the argument value it stands for.
 * @param {import('./sexpr.js').Node} node
 * @returns {Value}
 */
export function parseArgument(node) {
  const [op, ...rest] = constParts(node);
  const literal = rest[0];
  switch (op) {
    case 'i32.const': return { type: 'i32', value: Number(parseInteger(literal, 32)) };
    case 'i64.const': return { type: 'i64', value: parseInteger(literal, 64) };
    case 'f32.const': return { type: 'f32', value: parseFloatBits(literal, 'f32') };
    case 'f64.const': return { type: 'f64', value: parseFloatBits(literal, 'f64') };
    case 'ref.null': {
      const type = NULL_TYPES.get(literal);
      if (!type) throw new ValueError(`unsupported argument (ref.null ${literal ?? ''})`);
      return { type, value: null };
    }
    case 'ref.extern':
      return { type: 'externref', value: externref(Number(literal)) };
    case 'ref.host':
      return { type: 'anyref', value: externref(Number(literal)) };
    case 'v128.const': {
      const { lanes, bits } = parseV128(node, false);
      return { type: 'v128', value: packLanes(lanes, bits) };
    }
    default:
      throw new ValueError(`unsupported argument (${op} ...)`);
  }
}

/**
 * An expected-result node of assert_return.
 * @returns {Expected}
 */
export function parseExpected(node) {
  // (either r1 r2 ...): any of the results; the only form whose items are lists.
  if (node.type === 'list' && node.items[0]?.type === 'atom' && node.items[0].value === 'either') {
    const options = node.items.slice(1).map(parseExpected);
    return options.find((option) => option.type === 'unsupported') ?? { type: 'either', options };
  }
  const [op, ...rest] = constParts(node);
  const literal = rest[0];
  switch (op) {
    case 'f32.const':
    case 'f64.const': {
      const type = op.slice(0, 3);
      if (literal === 'nan:canonical' || literal === 'nan:arithmetic') return { type, nan: literal.slice(4) };
      return parseArgument(node);
    }
    case 'ref.null': return { type: 'ref.null', heap: literal };
    case 'ref.extern':
      return literal === undefined ? { type: 'ref.extern' } : { type: 'ref.extern', value: externref(Number(literal)) };
    case 'ref.host': return { type: 'ref.host', value: externref(Number(literal)) };
    case 'ref.func':
    case 'ref.struct':
    case 'ref.array':
    case 'ref.eq':
    case 'ref.any':
    case 'ref.i31':
    case 'ref.exn':
      return { type: op };
    case 'v128.const': {
      const { shape, lanes } = parseV128(node, true);
      return { type: 'v128', shape, lanes };
    }
    default:
      return parseArgument(node);
  }
}

/** The shapes of v128.const: lane width in bits and the scalar type of one lane. */
const V128_SHAPES = new Map([
  ['i8x16', { bits: 8, laneType: 'i32' }],
  ['i16x8', { bits: 16, laneType: 'i32' }],
  ['i32x4', { bits: 32, laneType: 'i32' }],
  ['i64x2', { bits: 64, laneType: 'i64' }],
  ['f32x4', { bits: 32, laneType: 'f32' }],
  ['f64x2', { bits: 64, laneType: 'f64' }],
]);

/**
 * `(v128.const SHAPE lane...)`: its lanes as scalar values (integers wrapped
 * to the lane width, signed), or also NaN patterns when `patterns`.
 * @returns {{ shape: string, bits: number, lanes: Expected[] }}
 */
function parseV128(node, patterns) {
  const [, shape, ...literals] = constParts(node);
  const info = V128_SHAPES.get(shape);
  if (!info) throw new ValueError(`unknown v128 shape ${shape} on line ${node.line}`);
  const { bits, laneType } = info;
  if (literals.length !== 128 / bits) {
    throw new ValueError(`v128.const ${shape} needs ${128 / bits} lanes, got ${literals.length} on line ${node.line}`);
  }
  const lanes = literals.map((literal) => {
    if (laneType === 'f32' || laneType === 'f64') {
      if (patterns && (literal === 'nan:canonical' || literal === 'nan:arithmetic')) return { type: laneType, nan: literal.slice(4) };
      return { type: laneType, value: parseFloatBits(literal, laneType) };
    }
    const value = parseInteger(literal, bits);
    return laneType === 'i64' ? { type: 'i64', value } : { type: 'i32', value: Number(value) };
  });
  return { shape, bits, lanes };
}

/** Lanes of `bits` each (scalar values, lane 0 lowest) -> the vector's 4 u32 words. */
function packLanes(lanes, bits) {
  const mask = (1n << BigInt(bits)) - 1n;
  let vector = 0n;
  lanes.forEach((lane, i) => {
    vector |= (BigInt(lane.value) & mask) << BigInt(i * bits);
  });
  return [0, 1, 2, 3].map((word) => Number((vector >> BigInt(32 * word)) & 0xffffffffn));
}

function constParts(node) {
  if (node.type !== 'list' || node.items.some((item) => item.type !== 'atom')) {
    throw new ValueError(`bad constant on line ${node.line}`);
  }
  return node.items.map((item) => item.value);
}

export const F32_CANONICAL = 0x7fc00000;
export const F64_CANONICAL = 0x7ff8000000000000n;
// 64-bit words as unsigned: masked, not BigInt.asUintN(64, x), which
// QuickJS gets wrong (signed results when bit 63 is set) and this code also
// runs there (test/engines/wast-program.js ships it to the engines).
export const U64_MASK = 0xffffffffffffffffn;

/**
 * Does an actual result (in the runner's representation: floats as bits)
 * match what is expected? Returns undefined if so, else a description.
 * @param {unknown} actual
 * @param {Expected} expected
 */
export function mismatch(actual, expected) {
  switch (expected.type) {
    case 'i32':
      return Object.is(actual, expected.value) ? undefined : `expected ${expected.value}`; // -0 is no i32
    case 'i64':
      return typeof actual === 'bigint' && actual === expected.value ? undefined : `expected ${expected.value}n`;
    case 'f32': {
      if (typeof actual !== 'number') return `expected f32 bits, got ${typeof actual}`;
      const bits = actual >>> 0;
      if ('nan' in expected) {
        const ok = expected.nan === 'canonical'
          ? (bits & 0x7fffffff) === F32_CANONICAL
          : (bits & F32_CANONICAL) === F32_CANONICAL;
        return ok ? undefined : `expected nan:${expected.nan}`;
      }
      return bits === expected.value >>> 0 ? undefined : `expected f32 ${hex32(expected.value)}`;
    }
    case 'f64': {
      if (typeof actual !== 'bigint') return `expected f64 bits, got ${typeof actual}`;
      const bits = actual & U64_MASK;
      if ('nan' in expected) {
        const ok = expected.nan === 'canonical'
          ? (bits & 0x7fffffffffffffffn) === F64_CANONICAL
          : (bits & F64_CANONICAL) === F64_CANONICAL;
        return ok ? undefined : `expected nan:${expected.nan}`;
      }
      return bits === expected.value ? undefined : `expected f64 ${hex64(expected.value)}`;
    }
    case 'ref.null':
      return actual === null ? undefined : 'expected ref.null';
    case 'ref.extern':
      if ('value' in expected) return actual === expected.value ? undefined : `expected ref.extern ${expected.value.externref}`;
      return actual !== null && actual !== undefined ? undefined : 'expected a non-null externref';
    case 'ref.host':
      return actual === expected.value ? undefined : `expected ref.host ${expected.value.externref}`;
    case 'ref.func':
      return typeof actual === 'function' ? undefined : 'expected a function reference';
    // GC references as JS sees them (see the top of this file): an i31 a Number in its range, a struct or array an
    // opaque object (not a function, nor a host object: the JS API's GC objects have no properties, `in` is false).
    case 'ref.i31':
      return Number.isInteger(actual) && actual >= -0x40000000 && actual < 0x40000000 ? undefined : 'expected (ref.i31), a Number';
    case 'ref.struct':
    case 'ref.array':
    case 'ref.eq': {
      const object = actual !== null && typeof actual === 'object' && !('externref' in actual) && !('exnref' in actual);
      const i31 = expected.type === 'ref.eq' && Number.isInteger(actual) && actual >= -0x40000000 && actual < 0x40000000;
      return object || i31 ? undefined : `expected (${expected.type}), an opaque object${expected.type === 'ref.eq' ? ' or an i31 Number' : ''}`;
    }
    case 'ref.any':
      return actual !== null && actual !== undefined ? undefined : 'expected a non-null anyref';
    case 'ref.exn':
      return actual !== null && typeof actual === 'object' && 'exnref' in actual ? undefined : 'expected a non-null exnref';
    case 'funcref':
    case 'externref':
      return actual === expected.value ? undefined : `expected ${describe(expected.value)}`;
    case 'v128': {
      if (!Array.isArray(actual) || actual.length !== 4) return `expected v128 words, got ${typeof actual}`;
      const lanes = v128Lanes(actual, expected.shape);
      if (expected.lanes.every((lane, i) => mismatch(lanes[i], lane) === undefined)) return undefined;
      const shown = expected.lanes.map((lane) => ('nan' in lane ? `nan:${lane.nan}` : laneText(lane.value, expected.shape)));
      return `expected ${expected.shape} ${shown.join(' ')}`;
    }
    case 'either': {
      const problems = expected.options.map((option) => mismatch(actual, option));
      if (problems.some((problem) => problem === undefined)) return undefined;
      return `expected one of: ${problems.map((problem) => problem.replace(/^expected /, '')).join(' | ')}`;
    }
    default:
      return `cannot compare ${expected.type}`;
  }
}

/**
 * A result for messages, in the runner's representation (type known from the
 * signature). A v128 shows its lanes in the shape `expected` (an Expected, if
 * given) is written in, else as i32x4.
 */
export function describe(value, type, expected) {
  if (type === 'v128' && Array.isArray(value)) {
    let shape = 'i32x4';
    if (expected && expected.type === 'v128') shape = expected.shape;
    else if (expected && expected.type === 'either') {
      const option = expected.options.find((candidate) => candidate.type === 'v128');
      if (option) shape = option.shape;
    }
    return `${shape} ${v128Lanes(value, shape).map((lane) => laneText(lane, shape)).join(' ')}`;
  }
  if (type === 'exnref' && value === null) return 'ref.null exn';
  if (value && typeof value === 'object' && 'exnref' in value) return 'a non-null exnref';
  if (type === 'f32' && typeof value === 'number') return `f32 ${hex32(value)}`;
  if (type === 'f64' && typeof value === 'bigint') return `f64 ${hex64(value)}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name}`;
  if (value && typeof value === 'object' && 'externref' in value) return `ref.extern ${value.externref}`;
  if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value);
  return String(value);
}

/**
 * A v128's 4 u32 words -> its lanes in `shape`, each in the runner's scalar
 * representation: i8/i16/i32 lanes signed numbers, i64 lanes signed BigInts,
 * f32 lanes u32 bits, f64 lanes u64 BigInt bits. Self-contained, like
 * mismatch and describe (test/engines ships their source text).
 */
export function v128Lanes(words, shape) {
  const bits = Number(shape.slice(1, shape.indexOf('x')));
  const width = BigInt(bits);
  const mask = (1n << width) - 1n;
  let vector = 0n;
  words.forEach((word, i) => {
    vector |= BigInt(word >>> 0) << BigInt(32 * i);
  });
  const lanes = [];
  for (let i = 0; i < 128 / bits; i++) {
    const lane = (vector >> BigInt(i * bits)) & mask;
    if (shape[0] === 'f') {
      lanes.push(bits === 32 ? Number(lane) : lane);
    } else {
      const signed = lane >= 1n << (width - 1n) ? lane - (1n << width) : lane;
      lanes.push(bits === 64 ? signed : Number(signed));
    }
  }
  return lanes;
}

/** One lane for messages: integers in decimal, floats as their bits in hex. */
export function laneText(lane, shape) {
  if (shape === 'f32x4') return hex32(lane);
  if (shape === 'f64x2') return hex64(lane);
  return String(lane);
}

export function hex32(bits) {
  return '0x' + (bits >>> 0).toString(16).padStart(8, '0');
}

export function hex64(bits) {
  return '0x' + (bits & U64_MASK).toString(16).padStart(16, '0');
}
