// Builds WebAssembly binaries byte by byte, for tests whose shapes no text
// parser takes (wabt's recurses on nesting) or whose sizes make text slow.
// Plain JavaScript so that scripts run by plain `node` (test/limits/measure.js)
// share it with the vitest files.

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const FUNCREF = 0x70;

/** Unsigned LEB128 of a non-negative integer below 2^53. */
export function leb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(value) {
  const out = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** Signed LEB128 of a 64-bit integer given as a BigInt. */
export function sleb64(value) {
  const out = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    if ((value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** The little-endian bytes of an f64. */
export function f64Bytes(value) {
  return [...new Uint8Array(new Float64Array([value]).buffer)];
}

/** Concatenates byte arrays and Uint8Arrays into one Uint8Array without spreading them (a 50 MB segment would not fit an argument list). */
export function concat(parts) {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A section: its id, its size, its body. */
export const section = (id, body) => concat([[id], leb(body.length), body]);

/** A vector: its count, then its items. */
export const vec = (items) => concat([leb(items.length), ...items]);

/** A name (UTF-8, length first). */
export function name(text) {
  const bytes = new TextEncoder().encode(text);
  return concat([leb(bytes.length), bytes]);
}

/** A function type. */
export const funcType = (params, results) => [0x60, ...leb(params.length), ...params, ...leb(results.length), ...results];

/** A code-section entry: its size, its local declarations ([count, type] runs), its code and the final end. */
export function funcBody(localRuns, code) {
  const content = concat([leb(localRuns.length), ...localRuns.map(([count, type]) => [...leb(count), type]), code, [0x0b]]);
  return concat([leb(content.length), content]);
}

/** An export entry; kind 0 function, 1 table, 2 memory, 3 global. */
export const exportEntry = (text, kind, index) => concat([name(text), [kind], leb(index)]);

/** The header and the given sections (in order). */
export const wasmModule = (sections) => concat([[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0], ...sections]);

/** A module exporting `f: (i32) -> i32` with `code` as its body (one i32 local besides the param). */
export function moduleOf(code) {
  return wasmModule([
    section(1, [1, ...funcType([I32], [I32])]),
    section(3, [1, 0]),
    section(7, vec([exportEntry('f', 0, 0)])),
    section(10, vec([funcBody([[1, I32]], code)])),
  ]);
}

const BLOCK = 0x02;
const END = 0x0b;
const BR_IF = 0x0d;
const BR_TABLE = 0x0e;
const RETURN = 0x0f;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;

// Shapes C compilers and parser generators emit, nested far deeper than JS
// engines parse.

/** LLVM's lowering of a C switch: n + 1 nested blocks, a br_table in the innermost, each case's code after an end. f(x) = 3x + 1 for 0 <= x < n, else -1. */
export function switchLowering(n) {
  const code = [];
  for (let i = 0; i <= n; i++) code.push(BLOCK, 0x40);
  code.push(LOCAL_GET, 0, BR_TABLE, ...leb(n));
  for (let i = 0; i < n; i++) code.push(...leb(i));
  code.push(...leb(n));
  for (let i = 0; i < n; i++) code.push(END, I32_CONST, ...sleb(i * 3 + 1), RETURN);
  code.push(END, I32_CONST, ...sleb(-1));
  return moduleOf(code);
}

/** n nested blocks, each leaving on `x == i` before its inner block, each adding one to x after it. */
export function nestedBranches(n) {
  const code = [];
  for (let i = 0; i < n; i++) code.push(BLOCK, 0x40, LOCAL_GET, 0, I32_CONST, ...sleb(i), 0x46, BR_IF, 0);
  for (let i = 0; i < n; i++) code.push(END, LOCAL_GET, 0, I32_CONST, 1, 0x6a, LOCAL_SET, 0);
  code.push(LOCAL_GET, 0);
  return moduleOf(code);
}
