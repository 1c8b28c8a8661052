// How each numeric instruction becomes a JS expression, one entry per opcode
// name. Operands arrive as expressions already in value form (no JS
// booleans); an entry returns the result expression and says whether it is a
// JS boolean (comparisons: callers use those directly as conditions) and
// whether it may trap (so the emitter keeps it in order with other effects).
// Operand expressions are used exactly once: anything needing an operand
// twice goes through an `rt` helper (see runtime/abi.ts).

import { JsNode, assign, bin, call, cond, id, index, logical, num, big, seq, un } from './js.js';

/**
 * The built-ins the emitted code calls, read once into module-level
 * variables (`Math_imul = Math.imul`): a call then skips the global and
 * property lookups, which an interpreter does every time. Collected per
 * module by emitModule() through takeBuiltins().
 */
const builtinsUsed = new Set<string>();

/**
 * Every builtin the operations below may name. The run-time compiler
 * declares them all before it has emitted any function (see emit.ts, lazy
 * mode), so one missing here is an internal error the moment it is named.
 */
const BUILTIN_PATHS: ReadonlySet<string> = new Set([
  'BigInt', 'BigInt.asIntN', 'BigInt.asUintN', 'Number',
  'Math.abs', 'Math.ceil', 'Math.clz32', 'Math.floor', 'Math.fround', 'Math.imul', 'Math.max', 'Math.min', 'Math.sqrt', 'Math.trunc',
]);

/** The variable holding `namespace.name` (or a global such as `BigInt` when name is null). */
export function global(namespace: string, name: string | null = null): JsNode {
  const path = name === null ? namespace : `${namespace}.${name}`;
  if (!BUILTIN_PATHS.has(path)) throw new Error(`emit: builtin ${path} is missing from BUILTIN_PATHS`);
  builtinsUsed.add(path);
  return id(builtinVariable(path));
}

/**
 * Builtins taken from the runtime rather than the global object: the
 * runtime hands out the builtin itself where the engine gets it right, and
 * an exact replacement where it does not (BigInt.asUintN on QuickJS).
 */
export const RUNTIME_BUILTINS: Readonly<Record<string, string>> = { 'BigInt.asUintN': 'asUintN' };

/** `Math.imul` -> `Math_imul`, `BigInt` -> `BigInt_`. */
const builtinVariable = (path: string): string => (path.includes('.') ? path.replace('.', '_') : `${path}_`);

/** The built-ins used since the last call, as [variable, path] pairs, sorted. */
export function takeBuiltins(): [string, string][] {
  const list = [...builtinsUsed].sort().map((path): [string, string] => [builtinVariable(path), path]);
  builtinsUsed.clear();
  return list;
}

/** Every builtin's [variable, path], for a module body whose functions are not emitted yet. */
export function allBuiltins(): [string, string][] {
  return [...BUILTIN_PATHS].sort().map((path): [string, string] => [builtinVariable(path), path]);
}

export const enum OpKind {
  Value = 0,
  Bool = 1,
  Trap = 2,
  /** Value op that reads its (settled) operand twice, to turn a NaN result quiet. */
  QuietNaN = 3,
}

export interface NumericOp {
  kind: OpKind;
  /** `jit`: the output is tuned for engines with an optimizing JIT. */
  build(args: JsNode[], helper: (name: string) => JsNode, jit: boolean): JsNode;
}

export const NUMERIC_OPS = new Map<string, NumericOp>();

const value = (build: NumericOp['build']): NumericOp => ({ kind: OpKind.Value, build });
const boolean = (build: NumericOp['build']): NumericOp => ({ kind: OpKind.Bool, build });
const trapping = (build: NumericOp['build']): NumericOp => ({ kind: OpKind.Trap, build });
const helperCall = (name: string, kind = OpKind.Value): NumericOp => ({ kind, build: (args, helper) => call(helper(name), args) });

const i32 = (expr: JsNode): JsNode => bin('|', expr, num(0));
/** An i32 constant's unsigned value, or undefined (constants are a number literal, or `-` applied to one). */
export function literalU32(expr: JsNode): number | undefined {
  if (expr.type === 'Literal' && typeof expr.value === 'number') return expr.value >>> 0;
  if (expr.type === 'UnaryExpression' && expr.operator === '-' && expr.argument.type === 'Literal') return -expr.argument.value >>> 0;
  return undefined;
}
/** An i32 read as unsigned: `x >>> 0`, folded for constants. */
export const u32 = (expr: JsNode): JsNode => {
  const constant = literalU32(expr);
  return constant === undefined ? bin('>>>', expr, num(0)) : num(constant);
};
const fround = (expr: JsNode): JsNode => call(global('Math', 'fround'), [expr]);
const asIntN = (bits: number, expr: JsNode): JsNode => call(global('BigInt', 'asIntN'), [num(bits), expr]);
/**
 * An i64 read as unsigned. Tuned for interpreters, `x & 0xffffffffffffffffn`:
 * cheaper there than a call, and right on QuickJS, whose
 * BigInt.asUintN(64, x) returns x signed when bit 63 is set (bellard/quickjs
 * issue 557, 2025-09-13 and later). With a JIT, BigInt.asUintN(64, x), which
 * V8 optimizes; the mask, a constant wider than 64 bits, makes V8's
 * optimized code 3-8x slower (bench kernel i64-arith).
 */
const U64_MASK = (1n << 64n) - 1n;
const asU64 = (expr: JsNode, jit: boolean): JsNode =>
  jit ? call(global('BigInt', 'asUintN'), [num(64), expr]) : bin('&', expr, big(U64_MASK));
/** The operand x of an unsigned read (either form of asU64), or undefined. */
function unsignedOperand(e: JsNode): JsNode | undefined {
  if (isCallOf(e, 'BigInt.asUintN') && e.arguments[0].value === 64) return e.arguments[1];
  if (e.type === 'BinaryExpression' && e.operator === '&' && literalI64(e.right) === U64_MASK) return e.left;
  return undefined;
}
const i64 = (expr: JsNode): JsNode => asIntN(64, expr);
/** An i64 constant's value, or undefined (a BigInt literal, or `-` applied to one). */
function literalI64(expr: JsNode): bigint | undefined {
  if (expr.type === 'Literal' && typeof expr.bigint === 'string') return BigInt(expr.bigint);
  if (expr.type === 'UnaryExpression' && expr.operator === '-' && expr.argument.type === 'Literal'
    && typeof expr.argument.bigint === 'string') return -BigInt(expr.argument.bigint);
  return undefined;
}
const u64 = (expr: JsNode, jit: boolean): JsNode => {
  const constant = literalI64(expr);
  if (constant !== undefined) return big(BigInt.asUintN(64, constant));
  return rangeOf(expr)[0] >= 0n ? expr : asU64(expr, jit);
};

/**
 * Bounds on the value of a BigInt expression, read off its shape: an i64
 * built from narrow loads, extended i32s, masks and constant shifts often
 * cannot leave 64 bits, and then needs no BigInt.asIntN(64, ...) to wrap it
 * (11 ns a call in V8's interpreter; the tuning for interpreters drops it).
 * Anything not understood is a wasm i64 value, so within 64 bits signed.
 */
type Range = readonly [bigint, bigint];
const I64_RANGE: Range = [-(1n << 63n), (1n << 63n) - 1n];
/** For intermediate results nothing is known about (a shift by a count that is not constant). */
const UNBOUNDED: Range = [-(1n << 128n), 1n << 128n];
const fits = ([min, max]: Range): boolean => min >= I64_RANGE[0] && max <= I64_RANGE[1];
/** The range [-2^k, 2^k) (or [0, 2^k) when nothing is negative) holding both. */
function bitwiseRange([aMin, aMax]: Range, [bMin, bMax]: Range): Range {
  const top = (x: bigint): bigint => (x < 0n ? -x - 1n : x);
  let bits = 0n;
  while ([aMin, aMax, bMin, bMax].some((x) => top(x) >> bits !== 0n)) bits++;
  return aMin >= 0n && bMin >= 0n ? [0n, (1n << bits) - 1n] : [-(1n << bits), (1n << bits) - 1n];
}
function rangeOf(e: JsNode): Range {
  const constant = literalI64(e);
  if (constant !== undefined) return [constant, constant];
  if (isCallOf(e, 'BigInt')) return i32RangeOf(e.arguments[0]);
  if (isCallOf(e, 'BigInt.asIntN')) return [-(1n << BigInt(e.arguments[0].value - 1)), (1n << BigInt(e.arguments[0].value - 1)) - 1n];
  if (isCallOf(e, 'BigInt.asUintN')) return [0n, (1n << BigInt(e.arguments[0].value)) - 1n];
  if (e.type !== 'BinaryExpression') return I64_RANGE;
  const a = rangeOf(e.left);
  const b = rangeOf(e.right);
  switch (e.operator) {
    case '+': return [a[0] + b[0], a[1] + b[1]];
    case '-': return [a[0] - b[1], a[1] - b[0]];
    case '*': {
      const corners = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
      return [corners.reduce((x, y) => (y < x ? y : x)), corners.reduce((x, y) => (y > x ? y : x))];
    }
    case '&':
      // x & y with y >= 0 lies in [0, y].
      if (a[0] >= 0n || b[0] >= 0n) return [0n, a[0] >= 0n && (b[0] < 0n || a[1] < b[1]) ? a[1] : b[1]];
      return bitwiseRange(a, b);
    case '|':
    case '^':
      return bitwiseRange(a, b);
    case '<<':
      // Shift counts are constants (0..63) or `n & 63n`.
      return b[0] === b[1] && b[0] >= 0n ? [a[0] << b[0], a[1] << b[0]] : UNBOUNDED;
    case '>>': {
      if (b[0] < 0n) return UNBOUNDED;
      const ends = [a[0] >> b[0], a[0] >> b[1], a[1] >> b[0], a[1] >> b[1]];
      return [ends.reduce((x, y) => (y < x ? y : x)), ends.reduce((x, y) => (y > x ? y : x))];
    }
    default: return UNBOUNDED;
  }
}
/**
 * Calls of a memory's slow-path loader (`L0_u8(ea)`, see slowLoader in
 * emit-func.ts), with the DataView method each stands for.
 */
export const LOADER_CALLS = new WeakMap<JsNode, string>();

/** The same for the i32 (number) argument of `BigInt(...)`: loads, masks, unsigned shifts. */
const LOAD_RANGES = new Map<string, Range>([
  ['getInt8', [-128n, 127n]], ['getUint8', [0n, 255n]], ['getInt16', [-32768n, 32767n]], ['getUint16', [0n, 65535n]], ['getUint32', [0n, 0xffffffffn]],
]);
function i32RangeOf(e: JsNode): Range {
  const literal = e.type === 'Literal' && typeof e.value === 'number' ? e.value : undefined;
  if (literal !== undefined) return [BigInt(literal), BigInt(literal)];
  // A typed-array read falls back to the DataView read that names the type.
  if (e.type === 'LogicalExpression' && e.operator === '??') return i32RangeOf(e.right);
  if (e.type === 'CallExpression') {
    const method = LOADER_CALLS.get(e) ?? (e.callee.type === 'MemberExpression' && !e.callee.computed ? e.callee.property.name : undefined);
    const range = method === undefined ? undefined : LOAD_RANGES.get(method);
    if (range !== undefined) return range;
  }
  if (e.type === 'BinaryExpression' && e.right.type === 'Literal' && typeof e.right.value === 'number') {
    const c = e.right.value;
    if (e.operator === '>>>') {
      const inner = i32RangeOf(e.left);
      return inner[0] >= 0n ? [inner[0], inner[1] >> BigInt(c & 31)] : [0n, 0xffffffffn >> BigInt(c & 31)];
    }
    if (e.operator === '&' && c >= 0) return [0n, BigInt(c)];
  }
  return [-(1n << 31n), (1n << 31n) - 1n];
}
/**
 * `BigInt.asIntN(64, expr)`, or when tuned for interpreters just expr when
 * its range shows it cannot leave 64 bits. With a JIT the call stays: V8's
 * optimizing compiler needs it to do the arithmetic in machine words.
 */
const wrap64 = (expr: JsNode, jit: boolean): JsNode => (!jit && fits(rangeOf(expr)) ? expr : i64(expr));
const bigint = (expr: JsNode): JsNode => call(global('BigInt'), [expr]);
const number = (expr: JsNode): JsNode => call(global('Number'), [expr]);
const math = (name: string) => value(([a]) => call(global('Math', name), [a]));
// Math.floor/ceil/trunc return a signalling NaN unchanged, but wasm requires a
// quiet (arithmetic) NaN: `a === a ? Math.floor(a) : NaN`. The emitter settles
// the operand first, so reading it twice is free of effects.
const quietNaN = (result: (a: JsNode) => JsNode): NumericOp => ({
  kind: OpKind.QuietNaN,
  build: ([a]) => ({ type: 'ConditionalExpression', test: bin('===', a, a), consequent: result(a), alternate: id('NaN') }),
});

function def(name: string, op: NumericOp): void {
  NUMERIC_OPS.set(name, op);
}

/**
 * Integer (in)equality tests, `a === b` / `a !== b` on i32 numbers or i64
 * BigInts. As a condition, `x === 0` can be `!x` (one bytecode fewer in V8's
 * interpreter); that is wrong for floats (NaN, -0), so only these qualify.
 */
export const INTEGER_TESTS = new WeakSet<JsNode>();
function integerTestNode(operator: '===' | '!==', a: JsNode, b: JsNode): JsNode {
  const test = bin(operator, a, b);
  INTEGER_TESTS.add(test);
  return test;
}
const integerTest = (operator: '===' | '!=='): NumericOp => boolean(([a, b]) => integerTestNode(operator, a, b));
const isZero = (zero: () => JsNode): NumericOp => boolean(([a]) => integerTestNode('===', a, zero()));

// i32
def('i32.eqz', isZero(() => num(0)));
def('i32.eq', integerTest('==='));
def('i32.ne', integerTest('!=='));
def('i32.lt_s', boolean(([a, b]) => bin('<', a, b)));
def('i32.gt_s', boolean(([a, b]) => bin('>', a, b)));
def('i32.le_s', boolean(([a, b]) => bin('<=', a, b)));
def('i32.ge_s', boolean(([a, b]) => bin('>=', a, b)));
def('i32.lt_u', boolean(([a, b]) => bin('<', u32(a), u32(b))));
def('i32.gt_u', boolean(([a, b]) => bin('>', u32(a), u32(b))));
def('i32.le_u', boolean(([a, b]) => bin('<=', u32(a), u32(b))));
def('i32.ge_u', boolean(([a, b]) => bin('>=', u32(a), u32(b))));
def('i32.clz', value(([a]) => call(global('Math', 'clz32'), [a])));
def('i32.ctz', helperCall('i32Ctz'));
def('i32.popcnt', helperCall('i32Popcnt'));
def('i32.add', value(([a, b]) => i32(bin('+', a, b))));
def('i32.sub', value(([a, b]) => i32(bin('-', a, b))));
def('i32.mul', value(([a, b]) => call(global('Math', 'imul'), [a, b])));
def('i32.div_s', helperCall('i32DivS', OpKind.Trap));
def('i32.div_u', helperCall('i32DivU', OpKind.Trap));
def('i32.rem_s', helperCall('i32RemS', OpKind.Trap));
def('i32.rem_u', helperCall('i32RemU', OpKind.Trap));
def('i32.and', value(([a, b]) => bin('&', a, b)));
def('i32.or', value(([a, b]) => bin('|', a, b)));
def('i32.xor', value(([a, b]) => bin('^', a, b)));
def('i32.shl', value(([a, b]) => bin('<<', a, b)));
def('i32.shr_s', value(([a, b]) => bin('>>', a, b)));
// A shift by a constant 1..31 leaves at most 31 bits: already a signed i32.
def('i32.shr_u', value(([a, b]) => {
  const count = literalU32(b);
  return count !== undefined && (count & 31) !== 0 ? bin('>>>', a, b) : i32(bin('>>>', a, b));
}));
// Rotations inline when both operands can be read twice: JS masks shift
// counts to 5 bits, so `a << b | a >>> -b` is rotl for every b.
const isPlain = (e: JsNode): boolean => e.type === 'Identifier' || (e.type === 'Literal' && typeof e.value === 'number');
const negatedCount = (b: JsNode): JsNode => (b.type === 'Literal' ? num(-(b.value as number) & 31) : un('-', b));
const rotate = (toward: '<<' | '>>>', away: '<<' | '>>>', name: string): NumericOp => ({
  kind: OpKind.Value,
  build: ([a, b], helper) => (isPlain(a) && isPlain(b)
    ? bin('|', bin(toward, a, b), bin(away, a, negatedCount(b)))
    : call(helper(name), [a, b])),
});
def('i32.rotl', rotate('<<', '>>>', 'i32Rotl'));
def('i32.rotr', rotate('>>>', '<<', 'i32Rotr'));

// i64: BigInt, kept signed 64-bit.
const shiftCount = (b: JsNode): JsNode => (b.type === 'Literal' && b.bigint !== undefined ? big(BigInt(b.bigint) & 63n) : bin('&', b, big(63n)));
def('i64.eqz', isZero(() => big(0n)));
def('i64.eq', integerTest('==='));
def('i64.ne', integerTest('!=='));
def('i64.lt_s', boolean(([a, b]) => bin('<', a, b)));
def('i64.gt_s', boolean(([a, b]) => bin('>', a, b)));
def('i64.le_s', boolean(([a, b]) => bin('<=', a, b)));
def('i64.ge_s', boolean(([a, b]) => bin('>=', a, b)));
// Unsigned i64 comparisons. BigInt.asUintN(64, x) allocates a new BigInt
// for every negative x, and V8's optimizing compiler boxes the result for
// the compare, so operands that can be read twice are compared by sign
// first: as unsigned, the negative values (2^63 and up) are above all the
// others, and two values of one sign compare as they do signed.
type Comparison = '<' | '<=' | '>' | '>=';
const MIRRORED: Record<Comparison, Comparison> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const isPlainI64 = (e: JsNode): boolean => e.type === 'Identifier' || literalI64(e) !== undefined;
const negative = (e: JsNode): JsNode => bin('<', e, big(0n));
const unsignedI64 = (operator: Comparison): NumericOp => boolean(([a, b], _, jit) => {
  if (!isPlainI64(a) || !isPlainI64(b) || (literalI64(a) !== undefined && literalI64(b) !== undefined)) {
    return bin(operator, u64(a, jit), u64(b, jit));
  }
  const below = operator === '<' || operator === '<=';
  if (literalI64(a) !== undefined) return unsignedI64Constant(b, MIRRORED[operator], a);
  if (literalI64(b) !== undefined) return unsignedI64Constant(a, operator, b);
  return cond(bin('===', negative(a), negative(b)), bin(operator, a, b), negative(below ? b : a));
});
/** `x <u c` and the like: with c >= 0 as signed, a negative x is above it; with c < 0, a non-negative x is below. */
function unsignedI64Constant(x: JsNode, operator: Comparison, c: JsNode): JsNode {
  const below = operator === '<' || operator === '<=';
  const signed = bin(operator, x, c);
  if (literalI64(c)! >= 0n) return below ? logical('&&', bin('>=', x, big(0n)), signed) : logical('||', negative(x), signed);
  return below ? logical('||', bin('>=', x, big(0n)), signed) : logical('&&', negative(x), signed);
}
def('i64.lt_u', unsignedI64('<'));
def('i64.gt_u', unsignedI64('>'));
def('i64.le_u', unsignedI64('<='));
def('i64.ge_u', unsignedI64('>='));
def('i64.clz', helperCall('i64Clz'));
def('i64.ctz', helperCall('i64Ctz'));
def('i64.popcnt', helperCall('i64Popcnt'));
def('i64.add', value(([a, b], _, jit) => wrap64(bin('+', a, b), jit)));
def('i64.sub', value(([a, b], _, jit) => wrap64(bin('-', a, b), jit)));
def('i64.mul', value(([a, b], _, jit) => wrap64(bin('*', a, b), jit)));
def('i64.div_s', helperCall('i64DivS', OpKind.Trap));
def('i64.div_u', helperCall('i64DivU', OpKind.Trap));
def('i64.rem_s', helperCall('i64RemS', OpKind.Trap));
def('i64.rem_u', helperCall('i64RemU', OpKind.Trap));
def('i64.and', value(([a, b]) => bin('&', maskedShift(a, b), maskedShift(b, a))));
def('i64.or', value(([a, b]) => bin('|', a, b)));
def('i64.xor', value(([a, b]) => bin('^', a, b)));
/**
 * `(BigInt.asUintN(64, x) >> k) & m` (or `x & 0xffffffffffffffffn`, see
 * asU64) is `(x >> k) & m` when m keeps none of the top k bits, where the
 * two shifts differ: one asUintN call fewer.
 */
function maskedShift(shifted: JsNode, mask: JsNode): JsNode {
  const m = literalI64(mask);
  if (m === undefined || m < 0n || shifted.type !== 'BinaryExpression') return shifted;
  const unsigned = unsignedShift(shifted);
  if (unsigned === undefined || m >> (64n - unsigned.count) !== 0n) return shifted;
  return bin('>>', unsigned.x, big(unsigned.count));
}
/** x and k when e is a shr_u of x by a constant k > 0 in one of the forms above. */
function unsignedShift(e: JsNode): { x: JsNode; count: bigint } | undefined {
  if (e.type !== 'BinaryExpression') return undefined;
  if (e.operator === '>>') {
    const count = literalI64(e.right);
    const x = e.left;
    const operand = unsignedOperand(x);
    if (count === undefined || count === 0n || operand === undefined) return undefined;
    return { x: operand, count };
  }
  const shift = e.left;
  if (e.operator !== '&' || shift.type !== 'BinaryExpression' || shift.operator !== '>>') return undefined;
  const count = literalI64(shift.right);
  if (count === undefined || count === 0n || literalI64(e.right) !== (1n << (64n - count)) - 1n) return undefined;
  return { x: shift.left, count };
}
// With a JIT, a count that is not a constant becomes a number 0..63: V8
// runs `x << (n & 63n)` in its C++ runtime, but inlines `x * pow2[k]` and
// the word-wise right shifts of rt (shl 2.2x, shr_u 2.1x, `1n << n` 3.2x
// faster). Its interpreter is faster with the BigInt shift.
const variableCount = (b: JsNode, jit: boolean): boolean => jit && !(b.type === 'Literal' && b.bigint !== undefined);
/** The count as a number 0..63: an extended i32's own bits, else the low word. */
function countIndex(b: JsNode, helper: (name: string) => JsNode): JsNode {
  if (isCallOf(b, 'BigInt')) return bin('&', signedOf(b.arguments[0]), num(63));
  return bin('&', word(b, 'lowBits', helper), num(63));
}
def('i64.shl', value(([a, b], helper, jit) => {
  if (variableCount(b, jit)) {
    const power = index(helper('pow2'), countIndex(b, helper));
    return literalI64(a) === 1n ? power : i64(bin('*', a, power));
  }
  const shifted = bin('<<', a, shiftCount(b));
  if (jit) return i64(shifted);
  if (fits(rangeOf(shifted))) return shifted;
  // For interpreters, an extended i32 shifted by 32..63 shifts as an i32
  // first, which drops the bits that would leave 64: no BigInt.asIntN.
  const k = (literalI64(b) ?? 0n) & 63n;
  if (k < 32n || !isCallOf(a, 'BigInt')) return i64(shifted);
  const low = k === 32n ? signedOf(a.arguments[0]) : bin('<<', signedOf(a.arguments[0]), num(Number(k) - 32));
  return bin('<<', bigint(low), big(32n));
}));
def('i64.shr_s', value(([a, b], helper, jit) => (variableCount(b, jit)
  ? call(helper('i64ShrS'), [a, countIndex(b, helper)])
  : bin('>>', a, shiftCount(b)))));
def('i64.shr_u', value(([a, b], helper, jit) => {
  if (variableCount(b, jit)) return call(helper('i64ShrU'), [a, countIndex(b, helper)]);
  const k = literalI64(b);
  // For interpreters, a constant count k > 0 is `x >> k & (2^(64-k) - 1)`:
  // a shift and a mask cost less than BigInt.asUintN (19 ns in V8's).
  if (!jit && k !== undefined && (k & 63n) !== 0n && rangeOf(a)[0] < 0n) {
    return bin('&', bin('>>', a, big(k & 63n)), big((1n << (64n - (k & 63n))) - 1n));
  }
  return wrap64(bin('>>', u64(a, jit), shiftCount(b)), jit);
}));
def('i64.rotl', helperCall('i64Rotl'));
def('i64.rotr', helperCall('i64Rotr'));

// f32 (JS numbers that are always exactly float32) and f64. Arithmetic on two
// float32 values in double precision followed by one rounding to float32 is
// correctly rounded for + - * / and sqrt (double has more than 2p+2 bits).
for (const [t, round] of [['f32', fround], ['f64', (e: JsNode) => e]] as const) {
  def(`${t}.eq`, boolean(([a, b]) => bin('===', a, b)));
  def(`${t}.ne`, boolean(([a, b]) => bin('!==', a, b)));
  def(`${t}.lt`, boolean(([a, b]) => bin('<', a, b)));
  def(`${t}.gt`, boolean(([a, b]) => bin('>', a, b)));
  def(`${t}.le`, boolean(([a, b]) => bin('<=', a, b)));
  def(`${t}.ge`, boolean(([a, b]) => bin('>=', a, b)));
  // Math.abs and unary minus clear and flip the sign bit, NaNs included (V8, both tiers).
  def(`${t}.abs`, math('abs'));
  def(`${t}.neg`, value(([a]) => un('-', a)));
  def(`${t}.ceil`, quietNaN((a) => call(global('Math', 'ceil'), [a])));
  def(`${t}.floor`, quietNaN((a) => call(global('Math', 'floor'), [a])));
  def(`${t}.trunc`, quietNaN((a) => call(global('Math', 'trunc'), [a])));
  def(`${t}.nearest`, helperCall('fNearest'));
  def(`${t}.sqrt`, value(([a]) => round(call(global('Math', 'sqrt'), [a]))));
  def(`${t}.add`, value(([a, b]) => round(bin('+', a, b))));
  def(`${t}.sub`, value(([a, b]) => round(bin('-', a, b))));
  def(`${t}.mul`, value(([a, b]) => round(bin('*', a, b))));
  def(`${t}.div`, value(([a, b]) => round(bin('/', a, b))));
  // Math.min/max match wasm: NaN if either is NaN, and -0 < +0.
  def(`${t}.min`, value(([a, b]) => call(global('Math', 'min'), [a, b])));
  def(`${t}.max`, value(([a, b]) => call(global('Math', 'max'), [a, b])));
  def(`${t}.copysign`, helperCall('fCopysign'));
}

// Conversions.
def('i32.wrap_i64', value(([a], helper) => wrapI64(a, helper)));
def('i32.trunc_f32_s', helperCall('truncS32', OpKind.Trap));
def('i32.trunc_f32_u', helperCall('truncU32', OpKind.Trap));
def('i32.trunc_f64_s', helperCall('truncS32', OpKind.Trap));
def('i32.trunc_f64_u', helperCall('truncU32', OpKind.Trap));
def('i64.extend_i32_s', value(([a]) => bigint(a)));
def('i64.extend_i32_u', value(([a]) => bigint(u32(a))));
def('i64.trunc_f32_s', helperCall('truncS64', OpKind.Trap));
def('i64.trunc_f32_u', helperCall('truncU64', OpKind.Trap));
def('i64.trunc_f64_s', helperCall('truncS64', OpKind.Trap));
def('i64.trunc_f64_u', helperCall('truncU64', OpKind.Trap));
def('f32.convert_i32_s', value(([a]) => fround(a)));
def('f32.convert_i32_u', value(([a]) => fround(u32(a))));
def('f32.convert_i64_s', helperCall('f32ConvertI64S'));
def('f32.convert_i64_u', helperCall('f32ConvertI64U'));
def('f32.demote_f64', value(([a]) => fround(a)));
def('f64.convert_i32_s', value(([a]) => a));
def('f64.convert_i32_u', value(([a]) => u32(a)));
// Number(bigint) rounds to nearest, ties to even: exact wasm semantics.
def('f64.convert_i64_s', value(([a]) => number(a)));
def('f64.convert_i64_u', helperCall('f64ConvertI64U'));
// Promotion is exact, but a signalling NaN must come out quiet.
def('f64.promote_f32', quietNaN((a) => a));
def('i32.reinterpret_f32', helperCall('i32ReinterpretF32'));
def('i64.reinterpret_f64', helperCall('i64ReinterpretF64'));
def('f32.reinterpret_i32', helperCall('f32ReinterpretI32'));
def('f64.reinterpret_i64', helperCall('f64ReinterpretI64'));
def('i32.extend8_s', value(([a]) => bin('>>', bin('<<', a, num(24)), num(24))));
def('i32.extend16_s', value(([a]) => bin('>>', bin('<<', a, num(16)), num(16))));
def('i64.extend8_s', value(([a]) => asIntN(8, a)));
def('i64.extend16_s', value(([a]) => asIntN(16, a)));
def('i64.extend32_s', value(([a]) => asIntN(32, a)));
def('i32.trunc_sat_f32_s', helperCall('truncSatS32'));
def('i32.trunc_sat_f32_u', helperCall('truncSatU32'));
def('i32.trunc_sat_f64_s', helperCall('truncSatS32'));
def('i32.trunc_sat_f64_u', helperCall('truncSatU32'));
def('i64.trunc_sat_f32_s', helperCall('truncSatS64'));
def('i64.trunc_sat_f32_u', helperCall('truncSatU64'));
def('i64.trunc_sat_f64_s', helperCall('truncSatS64'));
def('i64.trunc_sat_f64_u', helperCall('truncSatU64'));

/**
 * i32.wrap_i64: the low word, read back through the runtime's scratch
 * (`(i64Bits[0] = x, lowBits[0])`), as V8 converts BigInts to numbers in
 * its C++ runtime. Folded: constants; an extended i32 or narrow load (the
 * number itself); a shift right by 32..63 (the high word, shifted).
 */
export function wrapI64(a: JsNode, helper: (name: string) => JsNode): JsNode {
  const constant = literalI64(a);
  if (constant !== undefined) return num(Number(BigInt.asIntN(32, constant)));
  if (isCallOf(a, 'BigInt')) {
    const x = a.arguments[0];
    return isUnsigned(x) ? x.left : i32(x);
  }
  // shr_s is `x >> c`; shr_u is one of the forms unsignedShift() reads, or
  // `x >> c` when x >= 0.
  const wrapped = isCallOf(a, 'BigInt.asIntN') && a.arguments[0].value === 64;
  const shift = wrapped ? a.arguments[1] : a;
  const unsigned = unsignedShift(shift);
  const signed = !wrapped && shift.type === 'BinaryExpression' && shift.operator === '>>'
    ? { x: shift.left, count: literalI64(shift.right) } : undefined;
  const { x, count } = unsigned ?? signed ?? { x: a, count: undefined };
  if (count !== undefined && count >= 32n) {
    const high = word(x, 'highBits', helper);
    return count === 32n ? high : bin(unsigned ? '>>>' : '>>', high, num(Number(count) - 32));
  }
  return word(a, 'lowBits', helper);
}
const word = (x: JsNode, which: 'lowBits' | 'highBits', helper: (name: string) => JsNode): JsNode =>
  seq([assign(index(helper('i64Bits'), num(0)), x), index(helper(which), num(0))]);
/** `x >>> 0`, u32() of an i32. */
const isUnsigned = (e: JsNode): boolean => e.type === 'BinaryExpression' && e.operator === '>>>' && e.right.type === 'Literal' && e.right.value === 0;
/**
 * The i32 bits of the argument of an extend: `y` for `y >>> 0`, and a
 * constant as its int32 (i64.extend_i32_u of a constant is folded to the
 * unsigned value, 2^31 and up: used as it is, a shift by 32 kept bits past
 * 64, fuzz seed 20270118).
 */
const signedOf = (e: JsNode): JsNode => {
  if (isUnsigned(e)) return e.left;
  if (e.type === 'Literal' && typeof e.value === 'number') return num(e.value | 0);
  return e;
};
const isCallOf = (e: JsNode, path: string): boolean =>
  e.type === 'CallExpression' && e.callee.type === 'Identifier' && e.callee.name === builtinVariable(path);

export const F32_LOAD_FOR_ARITHMETIC = 'f32.load (for arithmetic)';
export const F32_STORE_OF_ARITHMETIC = 'f32.store (of arithmetic)';

/**
 * f32 instructions whose result is the same whatever the payload of a NaN
 * operand, and the same for a signalling NaN as for its quiet form:
 * arithmetic (its NaN results may be any arithmetic NaN), comparisons and
 * truncations. An operand of theirs loaded from memory may be read as a
 * float directly. Not abs, neg, copysign (they keep NaN bits), nor
 * reinterpret, promote and the rounding ops (they keep or quiet exactly).
 */
export const F32_ARITHMETIC: ReadonlySet<string> = new Set([
  'f32.add', 'f32.sub', 'f32.mul', 'f32.div', 'f32.sqrt', 'f32.min', 'f32.max',
  'f32.eq', 'f32.ne', 'f32.lt', 'f32.gt', 'f32.le', 'f32.ge',
  'i32.trunc_f32_s', 'i32.trunc_f32_u', 'i64.trunc_f32_s', 'i64.trunc_f32_u',
  'i32.trunc_sat_f32_s', 'i32.trunc_sat_f32_u', 'i64.trunc_sat_f32_s', 'i64.trunc_sat_f32_u',
]);

/**
 * An f32 value rounded by Math.fround: an arithmetic result, a conversion
 * or a demotion. It is never a signalling NaN (the hardware conversion
 * quiets), and setFloat32 stores the bits i32ReinterpretF32 would give.
 */
export const isRoundedF32 = (e: JsNode): boolean => isCallOf(e, 'Math.fround');

/** DataView accessor, value conversion and byte width for each load and store. */
export interface MemoryOp {
  method: string;
  width: number;
  /** Wraps a loaded value into the wasm type (e.g. BigInt for i64 narrow loads). */
  load?: (e: JsNode) => JsNode;
  /** Converts a stored value to what the DataView setter takes. */
  store?: (e: JsNode, helper: (name: string) => JsNode) => JsNode;
  /** rt helper applied to the loaded value / to the value before storing. */
  loadHelper?: string;
  storeHelper?: string;
  littleEndian: boolean;
  /** The typed array that reads this width and signedness (loads). */
  view?: string;
}

export const MEMORY_OPS = new Map<string, MemoryOp>([
  ['i32.load', { method: 'getInt32', width: 4, view: 'Int32Array', littleEndian: true }],
  ['i64.load', { method: 'getBigInt64', width: 8, view: 'BigInt64Array', littleEndian: true }],
  // f32 goes through the int32 accessors and the runtime's bit-exact
  // reinterpretation: getFloat32/setFloat32 quiet signalling NaNs.
  ['f32.load', { method: 'getInt32', width: 4, view: 'Int32Array', littleEndian: true, loadHelper: 'f32ReinterpretI32' }],
  ['f64.load', { method: 'getFloat64', width: 8, view: 'Float64Array', littleEndian: true }],
  ['i32.load8_s', { method: 'getInt8', width: 1, view: 'Int8Array', littleEndian: false }],
  ['i32.load8_u', { method: 'getUint8', width: 1, view: 'Uint8Array', littleEndian: false }],
  ['i32.load16_s', { method: 'getInt16', width: 2, view: 'Int16Array', littleEndian: true }],
  ['i32.load16_u', { method: 'getUint16', width: 2, view: 'Uint16Array', littleEndian: true }],
  ['i64.load8_s', { method: 'getInt8', width: 1, view: 'Int8Array', littleEndian: false, load: bigint }],
  ['i64.load8_u', { method: 'getUint8', width: 1, view: 'Uint8Array', littleEndian: false, load: bigint }],
  ['i64.load16_s', { method: 'getInt16', width: 2, view: 'Int16Array', littleEndian: true, load: bigint }],
  ['i64.load16_u', { method: 'getUint16', width: 2, view: 'Uint16Array', littleEndian: true, load: bigint }],
  ['i64.load32_s', { method: 'getInt32', width: 4, view: 'Int32Array', littleEndian: true, load: bigint }],
  ['i64.load32_u', { method: 'getUint32', width: 4, view: 'Uint32Array', littleEndian: true, load: bigint }],
  ['i32.store', { method: 'setInt32', width: 4, littleEndian: true }],
  ['i64.store', { method: 'setBigInt64', width: 8, littleEndian: true }],
  ['f32.store', { method: 'setInt32', width: 4, littleEndian: true, storeHelper: 'i32ReinterpretF32' }],
  ['f64.store', { method: 'setFloat64', width: 8, littleEndian: true }],
  ['i32.store8', { method: 'setInt8', width: 1, littleEndian: false }],
  ['i32.store16', { method: 'setInt16', width: 2, littleEndian: true }],
  ['i64.store8', { method: 'setInt8', width: 1, littleEndian: false, store: wrapI64 }],
  ['i64.store16', { method: 'setInt16', width: 2, littleEndian: true, store: wrapI64 }],
  ['i64.store32', { method: 'setInt32', width: 4, littleEndian: true, store: wrapI64 }],
  // Not instructions: how f32 values that only arithmetic sees, or that only
  // arithmetic made, are read and written (F32_ARITHMETIC, isRoundedF32).
  // getFloat32 turns a signalling NaN quiet and setFloat32 rounds a double to
  // f32, which is what arithmetic on the value would do anyway.
  [F32_LOAD_FOR_ARITHMETIC, { method: 'getFloat32', width: 4, view: 'Float32Array', littleEndian: true }],
  [F32_STORE_OF_ARITHMETIC, { method: 'setFloat32', width: 4, littleEndian: true }],
]);

/**
 * The DataView load methods behind the typed views, each with whether it
 * takes a littleEndian argument (the slow-path loaders of typedLoad in
 * emit-func.ts).
 */
export const LOAD_METHODS: ReadonlyMap<string, boolean> = new Map(
  [...MEMORY_OPS.values()].filter((op) => op.view !== undefined).map((op) => [op.method, op.littleEndian]),
);

/** The DataView store methods that stores call (storeCallee may bind each one). */
export const STORE_METHODS: readonly string[] = [...new Set(
  [...MEMORY_OPS.values()].filter((op) => op.method.startsWith('set')).map((op) => op.method),
)].sort();
