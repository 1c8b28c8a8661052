// Bulk memory and table instructions, table access, and call_indirect. Every
// bounds check happens before the first write, as the spec requires since
// the bulk-memory proposal. Addresses, indices and lengths arrive as i32
// values and are read as unsigned. Table writes mark the table stale first
// (see table.ts).

import { isSubId } from './types.js';
import { type FuncRef, markStale } from './boundary.js';
import { memoryBytes, type MemoryLike } from './memory.js';
import { trap } from './numeric.js';
import type { Table } from './table.js';

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_ELEMENTS: any[] = [];

// A trap's stack starts at the wasm function that called the helper: each
// helper passes itself, and the frames from it up are left out.
type Helper = (...args: never[]) => unknown;

function memoryOutOfBounds(helper: Helper): never {
  trap('out of bounds memory access', helper);
}

function tableOutOfBounds(helper: Helper): never {
  trap('out of bounds table access', helper);
}

export function memoryFill(memory: MemoryLike, dest: number, value: number, length: number): void {
  dest >>>= 0;
  length >>>= 0;
  const bytes = memoryBytes(memory);
  if (dest + length > bytes.length) memoryOutOfBounds(memoryFill);
  if (length !== 0) bytes.fill(value & 255, dest, dest + length);
}

export function memoryCopy(destMemory: MemoryLike, srcMemory: MemoryLike, dest: number, src: number, length: number): void {
  dest >>>= 0;
  src >>>= 0;
  length >>>= 0;
  const to = memoryBytes(destMemory);
  const from = destMemory === srcMemory ? to : memoryBytes(srcMemory);
  if (src + length > from.length || dest + length > to.length) memoryOutOfBounds(memoryCopy);
  if (length === 0) return;
  if (to === from) to.copyWithin(dest, src, src + length); // memmove semantics
  else to.set(from.subarray(src, src + length), dest);
}

export function memoryInit(memory: MemoryLike, segment: Uint8Array | null, dest: number, src: number, length: number): void {
  dest >>>= 0;
  src >>>= 0;
  length >>>= 0;
  const data = segment === null ? EMPTY_BYTES : segment;
  const bytes = memoryBytes(memory);
  if (src + length > data.length || dest + length > bytes.length) memoryOutOfBounds(memoryInit);
  if (length !== 0) bytes.set(data.subarray(src, src + length), dest);
}

// memory64: the same, with addresses and lengths already Numbers that
// compiled code made from i64 values (addr64: negative ones, 2^63 and up
// unsigned, become Infinity), and a copy's or init's i32 operands made
// unsigned by compiled code as well. Anything past 2^53 is past every memory.

/** An i64 address or length as a Number: exact to 2^53, Infinity for 2^63 and up. */
export function addr64(value: bigint): number {
  return value < 0n ? Infinity : Number(value);
}

export function memoryFill64(memory: MemoryLike, dest: number, value: number, length: number): void {
  const bytes = memoryBytes(memory);
  if (dest + length > bytes.length) memoryOutOfBounds(memoryFill64);
  if (length !== 0) bytes.fill(value & 255, dest, dest + length);
}

export function memoryCopy64(destMemory: MemoryLike, srcMemory: MemoryLike, dest: number, src: number, length: number): void {
  const to = memoryBytes(destMemory);
  const from = destMemory === srcMemory ? to : memoryBytes(srcMemory);
  if (src + length > from.length || dest + length > to.length) memoryOutOfBounds(memoryCopy64);
  if (length === 0) return;
  if (to === from) to.copyWithin(dest, src, src + length);
  else to.set(from.subarray(src, src + length), dest);
}

export function memoryInit64(memory: MemoryLike, segment: Uint8Array | null, dest: number, src: number, length: number): void {
  const data = segment === null ? EMPTY_BYTES : segment;
  const bytes = memoryBytes(memory);
  if (src + length > data.length || dest + length > bytes.length) memoryOutOfBounds(memoryInit64);
  if (length !== 0) bytes.set(data.subarray(src, src + length), dest);
}

/** memory.grow of a memory64 memory: the old size, or -1, as an i64. */
export function memoryGrow64(memory: MemoryLike, delta: bigint): bigint {
  // 2^63 and up (negative here), or more than 2^32 pages, can never be had.
  if (delta < 0n || delta > 0xffffffffn) return -1n;
  return BigInt(memory._grow(Number(delta)));
}

/**
 * A 64-bit table's index or length (an i64) as a Number the table helpers
 * take: itself below 2^32, else 2^32-1, which is past every table (a
 * table has at most 10,000,000 elements) and fails as the true value would.
 */
export function idx64(value: bigint): number {
  return value < 0n || value > 0xffffffffn ? 0xffffffff : Number(value);
}

export function tableGet(table: Table, index: number): any {
  const elems = table._elems;
  index >>>= 0;
  if (index >= elems.length) tableOutOfBounds(tableGet);
  return elems[index];
}

export function tableSet(table: Table, index: number, value: any): void {
  const elems = table._elems;
  index >>>= 0;
  if (index >= elems.length) tableOutOfBounds(tableSet);
  const marked = markStale(table);
  elems[index] = value;
  table._changed(index, index + 1, marked);
}

export function tableFill(table: Table, index: number, value: any, length: number): void {
  const elems = table._elems;
  index >>>= 0;
  length >>>= 0;
  if (index + length > elems.length) tableOutOfBounds(tableFill);
  const marked = markStale(table);
  for (let i = 0; i < length; i++) elems[index + i] = value;
  table._changed(index, index + length, marked);
}

export function tableCopy(destTable: Table, srcTable: Table, dest: number, src: number, length: number): void {
  const to = destTable._elems;
  const from = srcTable._elems;
  dest >>>= 0;
  src >>>= 0;
  length >>>= 0;
  if (src + length > from.length || dest + length > to.length) tableOutOfBounds(tableCopy);
  if (length === 0) return;
  const marked = markStale(destTable);
  if (to === from) {
    to.copyWithin(dest, src, src + length); // memmove semantics
  } else {
    for (let i = 0; i < length; i++) to[dest + i] = from[src + i];
  }
  destTable._changed(dest, dest + length, marked);
}

export function tableInit(table: Table, segment: any[] | null, dest: number, src: number, length: number): void {
  const to = table._elems;
  const from = segment === null ? EMPTY_ELEMENTS : segment;
  dest >>>= 0;
  src >>>= 0;
  length >>>= 0;
  if (src + length > from.length || dest + length > to.length) tableOutOfBounds(tableInit);
  const marked = markStale(table);
  for (let i = 0; i < length; i++) to[dest + i] = from[src + i];
  table._changed(dest, dest + length, marked);
}

function callIndirectFailure(elems: any[], index: number): never {
  if ((index >>> 0) >= elems.length) trap('undefined element', callIndirect);
  if (elems[index >>> 0] === null) trap('uninitialized element', callIndirect);
  trap('indirect call type mismatch', callIndirect);
}

/** call_indirect through a call view (table.ts) read past its end. */
export function callIndirectTrap(): never {
  trap('undefined element', callIndirectTrap);
}

/** call_indirect: the `raw` function of elems[index], after the bounds, null and signature checks. */
export function callIndirect(elems: any[], index: number, typeId: number): (...args: any[]) => any {
  const ref: FuncRef | null | undefined = elems[index >>> 0];
  if (ref != null && isSubId(ref.typeId, typeId)) return ref.raw;
  return callIndirectFailure(elems, index);
}
