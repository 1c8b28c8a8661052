// Source maps (version 3) from generated JavaScript back to the .wasm. The
// one source is the module's binary, and an original position is a byte
// offset as browsers give them for wasm: line 0, column = the offset of the
// instruction in the module. Printers record marks while they print (see
// print-compact.ts, print.ts): pairs of a character offset in the text they
// make and the wasm offset of the statement that starts there. This file
// turns the marks of the final text into the map's `mappings` string, with
// its own base64 VLQ encoder.

/** A v3 source map (https://tc39.es/source-map/). */
export interface SourceMap {
  version: 3;
  /** The .wasm file: the only source. */
  sources: string[];
  names: string[];
  mappings: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * One base64 VLQ field: the sign in the lowest bit, then five bits a digit,
 * least significant first, with 32 marking a digit that is not the last.
 * Arithmetic rather than bit operations, so offsets past 2^30 stay exact.
 */
export function vlq(value: number): string {
  let rest = value < 0 ? -value * 2 + 1 : value * 2;
  let text = '';
  do {
    let digit = rest % 32;
    rest = Math.floor(rest / 32);
    if (rest > 0) digit += 32;
    text += BASE64[digit];
  } while (rest > 0);
  return text;
}

/**
 * The `mappings` of `code` from `marks`: pairs (character offset in `code`,
 * wasm byte offset), in increasing character order. A mark at the same
 * position as the one before it (a statement that starts where its parent
 * does) is left out: the outer statement's offset stands.
 */
export function encodeMappings(code: string, marks: readonly number[]): string {
  let mappings = '';
  let line = 0;
  let lineStart = 0;
  /** Where the next newline is at or after lineStart (-1: none). */
  let nextNewline = code.indexOf('\n');
  let lineHasSegment = false;
  let lastColumn = 0;
  let lastWasm = 0;
  let lastPosition = -1;
  for (let i = 0; i < marks.length; i += 2) {
    const position = marks[i];
    if (position === lastPosition) continue;
    lastPosition = position;
    while (nextNewline !== -1 && nextNewline < position) {
      mappings += ';';
      line++;
      lineStart = nextNewline + 1;
      nextNewline = code.indexOf('\n', lineStart);
      lineHasSegment = false;
      lastColumn = 0;
    }
    const column = position - lineStart;
    const wasm = marks[i + 1];
    // Fields: generated column (relative within the line), source index
    // (always 0), original line (always 0) and original column, the byte
    // offset (relative to the previous segment's, across lines).
    mappings += `${lineHasSegment ? ',' : ''}${vlq(column - lastColumn)}AA${vlq(wasm - lastWasm)}`;
    lineHasSegment = true;
    lastColumn = column;
    lastWasm = wasm;
  }
  return mappings;
}

/** The source map of `code`, whose statements start at the marks' positions; `source` names the .wasm. */
export function sourceMap(code: string, marks: readonly number[], source: string): SourceMap {
  return { version: 3, sources: [source], names: [], mappings: encodeMappings(code, marks) };
}

/** Adds `shift` to the character offsets of `marks` from index `from` (pairs), in place. */
export function shiftMarks(marks: number[], shift: number, from = 0): void {
  for (let i = from; i < marks.length; i += 2) marks[i] += shift;
}
