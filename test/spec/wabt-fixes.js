// Repairs for what wabt's JavaScript build writes wrongly.
//
// Data segments of a memory other than 0 (multi-memory): wabt.js's
// `toBinary` writes the segment's flags as 2 ("active, explicit memory
// index") but not the memory index after them, since its binary writer
// does not get the features `parseWat` was given (the `wat2wasm` command,
// given --enable-multi-memory, writes it). The module is then malformed, or
// names memory 65 (the i32.const opcode read as an index). This puts the
// index back, read from the module's text.

import { leb } from '../helpers/wasm-bytes.js';

/** @typedef {import('./sexpr.js').Node} Node */

const isList = (node, name) => node?.type === 'list' && node.items[0]?.type === 'atom' && node.items[0].value === name;
const atomValue = (node) => (node?.type === 'atom' ? node.value : undefined);

/**
 * The memory index of each data segment of a text module, in the order the
 * data section holds them: `(data ...)` fields and the `(data ...)` inside
 * a `(memory ...)` field, in text order. Passive segments give -1.
 * @param {Node[]} fields the module's fields
 * @returns {number[] | null} null when the module has at most one memory
 */
export function dataSegmentMemories(fields) {
  // Imported memories come first in the index space, then defined ones.
  const imported = [];
  const defined = [];
  for (const field of fields) {
    if (isList(field, 'import')) {
      const desc = field.items.find((item) => isList(item, 'memory'));
      if (desc) imported.push(atomValue(desc.items[1]));
    } else if (isList(field, 'memory')) {
      const id = atomValue(field.items[1])?.startsWith('$') ? atomValue(field.items[1]) : undefined;
      (field.items.some((item) => isList(item, 'import')) ? imported : defined).push(id);
    }
  }
  const memories = [...imported, ...defined];
  if (memories.length <= 1) return null;
  const indexOf = (reference) => {
    if (reference === undefined) return 0;
    if (reference.startsWith('$')) return memories.indexOf(reference);
    return Number(reference);
  };
  let memoryField = -1;
  const segments = [];
  for (const field of fields) {
    if (isList(field, 'memory') && !field.items.some((item) => isList(item, 'import'))) {
      memoryField++;
      if (field.items.some((item) => isList(item, 'data'))) segments.push(imported.length + memoryField);
    } else if (isList(field, 'data')) {
      let at = 1;
      if (atomValue(field.items[at])?.startsWith('$')) at++; // the segment's own name
      const memoryUse = field.items.find((item) => isList(item, 'memory'));
      const hasOffset = field.items.slice(at).some((item) => item.type === 'list' && !isList(item, 'memory'));
      const bare = atomValue(field.items[at]); // `(data 1 (i32.const 0) ...)`, the older form
      if (!hasOffset) segments.push(-1);
      else segments.push(indexOf(memoryUse ? atomValue(memoryUse.items[1]) : bare));
    }
  }
  return segments;
}

/** Reads an unsigned LEB128 at `pos`: [value, next position]. */
function readLeb(bytes, pos) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, pos];
  }
}

/** Skips a constant expression up to and including its `end`. */
function skipConstExpr(bytes, pos) {
  for (;;) {
    const op = bytes[pos++];
    if (op === 0x0b) return pos;
    if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) [, pos] = readLeb(bytes, pos);
    else if (op === 0x43) pos += 4;
    else if (op === 0x44) pos += 8;
    else if (op === 0xd0) pos += 1;
    else if (op === 0xfd) [, pos] = readLeb(bytes, pos), pos += 16; // v128.const
    // i32/i64 add, sub, mul (extended constants) have no immediates.
  }
}

/**
 * Puts the memory index back after the flags of every data segment wabt
 * wrote as flags 2 without it.
 * @param {Uint8Array} bytes wabt's output
 * @param {number[]} memories dataSegmentMemories() of the same module
 */
export function repairDataMemories(bytes, memories) {
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, start] = readLeb(bytes, pos + 1);
    const end = start + size;
    if (id !== 11) {
      pos = end;
      continue;
    }
    const out = [];
    let [count, at] = readLeb(bytes, start);
    out.push(...leb(count));
    for (let i = 0; i < count; i++) {
      const [flags, afterFlags] = readLeb(bytes, at);
      out.push(...leb(flags));
      at = afterFlags;
      if (flags === 2) out.push(...leb(Math.max(0, memories[i] ?? 0)));
      if (flags !== 1) {
        const exprEnd = skipConstExpr(bytes, at);
        out.push(...bytes.subarray(at, exprEnd));
        at = exprEnd;
      }
      const [length, dataStart] = readLeb(bytes, at);
      out.push(...bytes.subarray(at, dataStart + length));
      at = dataStart + length;
    }
    const section = [11, ...leb(out.length), ...out];
    const repaired = new Uint8Array(bytes.length - (end - pos) + section.length);
    repaired.set(bytes.subarray(0, pos));
    repaired.set(section, pos);
    repaired.set(bytes.subarray(end), pos + section.length);
    return repaired;
  }
  return bytes;
}
