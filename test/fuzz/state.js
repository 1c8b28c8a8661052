// An instance's observable state: its exported memories, globals and tables
// (expose.js exports the ones a module keeps to itself), and the lanes of
// its v128 globals, through the getters expose.js adds. Memory is compared
// byte for byte, NaN payloads included, straight from the two buffers;
// fixtures store a SHA-256 of it instead.

import { createHash } from 'node:crypto';
import { encodeValue, HOST_LABELS } from './values.js';
import { VALUE_PREFIX } from './expose.js';

/** More table entries than any generator makes; past it only the length is compared. */
const MAX_TABLE_ENTRIES = 4096;

/**
 * @param {any} instance
 * @param {{ name: string, kind: string }[]} exports the module's exports, in order
 * @param {{ get: (value: object) => string | undefined }} [labels] how this side names objects (values.js)
 * @returns {{ name: string, kind: string, bytes?: Uint8Array, value?: string }[]}
 */
export function readState(instance, exports, labels = HOST_LABELS) {
  const state = [];
  for (const { name, kind } of exports) {
    const object = instance.exports[name];
    if (kind === 'memory') state.push({ name, kind, bytes: new Uint8Array(object.buffer) });
    else if (kind === 'global') state.push({ name, kind, value: readSafely(() => encodeValue(object.value, labels)) });
    else if (kind === 'table') state.push({ name, kind, value: readTable(object, labels) });
    else if (kind === 'function' && name.startsWith(VALUE_PREFIX)) state.push({ name, kind: 'global', value: readSafely(() => encodeValue(object(), labels)) });
  }
  return state;
}

function readTable(table, labels) {
  const entries = [];
  // A 64-bit table (memory64) has a BigInt length and takes BigInt indices.
  const wide = typeof table.length === 'bigint';
  const length = Number(table.length);
  for (let i = 0; i < Math.min(length, MAX_TABLE_ENTRIES); i++) entries.push(readSafely(() => encodeValue(table.get(wide ? BigInt(i) : i), labels)));
  return `length ${length}${wide ? ' (64-bit)' : ''}: ${entries.join(' ')}`;
}

/** A getter that throws is state too (the message is not compared). */
function readSafely(read) {
  try {
    return read();
  } catch (error) {
    return `throws ${error?.constructor?.name}`;
  }
}

/**
 * The first difference between two states of the same module, or null.
 * @returns {{ kind: 'memory' | 'global' | 'table', detail: string, nanOnly?: boolean } | null}
 */
export function compareStates(expected, actual) {
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i];
    const got = actual[i];
    if (want.kind === 'memory') {
      if (want.bytes.length !== got.bytes.length) return { kind: 'memory', detail: `${want.name}: byte length ${got.bytes.length}, expected ${want.bytes.length}` };
      if (Buffer.compare(want.bytes, got.bytes) !== 0) return memoryDifference(want.name, want.bytes, got.bytes);
    } else if (want.value !== got.value) {
      return { kind: want.kind, detail: `${want.name}: ${shorten(got.value)}, expected ${shorten(want.value)}` };
    }
  }
  return null;
}

/** Where two memories differ, and whether every differing byte lies in a NaN on both sides. */
function memoryDifference(name, want, got) {
  let first = -1;
  let count = 0;
  let nanOnly = true;
  for (let i = 0; i < want.length; i++) {
    if (want[i] === got[i]) continue;
    if (first < 0) first = i;
    count++;
    if (nanOnly && !(inNaN(want, i) && inNaN(got, i))) nanOnly = false;
  }
  const from = Math.max(0, first - 4);
  const hex = (bytes) => Buffer.from(bytes.subarray(from, first + 12)).toString('hex');
  return {
    kind: 'memory',
    nanOnly,
    detail: `${name}: ${count} byte(s) differ, first at ${first}: bytes from ${from} are ${hex(got)}, expected ${hex(want)}${nanOnly ? ' (only inside NaNs)' : ''}`,
  };
}

/** True when byte i belongs to some 4- or 8-byte window that reads as a NaN (little-endian). */
function inNaN(bytes, i) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let start = Math.max(0, i - 3); start <= i && start + 4 <= bytes.length; start++) {
    if (Number.isNaN(view.getFloat32(start, true))) return true;
  }
  for (let start = Math.max(0, i - 7); start <= i && start + 8 <= bytes.length; start++) {
    if (Number.isNaN(view.getFloat64(start, true))) return true;
  }
  return false;
}

/** The state as a fixture stores it: memory by length and SHA-256. */
export function summarizeState(state) {
  const summary = {};
  for (const entry of state) {
    summary[entry.name] = entry.kind === 'memory' ? `${entry.bytes.length} bytes, sha256 ${createHash('sha256').update(entry.bytes).digest('hex')}` : entry.value;
  }
  return summary;
}

function shorten(text) {
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}
