// Table instructions for the module generator. Each table has a stable
// prefix (the slots the active element segments fill, which call_indirect
// relies on) and a scratch rest that table.set, fill, copy, init and grow
// write; only at the module's trap rate do writes reach the stable slots or
// indices fall out of bounds. Each function takes the FunctionGenerator
// whose stacks it updates.

import { Op, Prefixed } from './instructions.js';
import { EXTERNREF, FUNCREF, I32 } from './types.js';
import { boundedLength } from './memory.js';

/** @typedef {import('./body.js').FunctionGenerator} FunctionGenerator */
/** @typedef {import('./body.js').TableInfo} TableInfo */

/**
 * Pushes an element index of the table: for reading, any slot of its
 * initial size; for writing, a scratch slot. At the trap rate (or when the
 * table has no such slot) anything, likely out of bounds.
 * @param {FunctionGenerator} g
 * @param {TableInfo} table
 * @param {number} depth
 * @param {boolean} [writing]
 */
export function tableIndex(g, table, depth, writing = false) {
  const r = g.rng;
  const low = writing ? table.stable : 0;
  if (low >= table.min || r.chance(g.p.trapRate)) {
    if (r.chance(0.5)) g.genValue(I32, depth);
    else {
      g.w.byte(Op.i32_const);
      g.w.s32(r.pick([table.min, table.min + 1, -1, 0x7fffffff, 0]));
      g.push(I32);
    }
    return;
  }
  g.w.byte(Op.i32_const);
  g.w.s32(low + r.int(table.min - low));
  g.push(I32);
}

/**
 * The start of a write of up to `length` slots: a scratch slot, or at the
 * trap rate any slot. Returns how many slots fit from there.
 * @param {FunctionGenerator} g
 * @param {TableInfo} table
 */
function writeStart(g, table) {
  const r = g.rng;
  let start = table.min;
  if (r.chance(g.p.trapRate)) start = r.int(table.min + 1);
  else if (table.stable < table.min) start = table.stable + r.int(table.min - table.stable);
  g.w.byte(Op.i32_const);
  g.w.s32(start);
  g.push(I32);
  return table.min - start;
}

/**
 * A table.grow delta: small, or one no table can take (a table with no
 * maximum still stops at the JS API's 10,000,000 elements).
 * @param {FunctionGenerator} g
 */
function tableDelta(g) {
  const r = g.rng;
  g.w.byte(Op.i32_const);
  g.w.s32(r.chance(0.85) ? r.int(3) : r.pick([-1, 0x7fffffff, 0x10000000]));
  g.push(I32);
}

/**
 * An i32 from a table: table.size, table.grow, or ref.is_null.
 * @param {FunctionGenerator} g
 * @param {number} type
 * @param {number} depth
 */
export function valueTable(g, type, depth) {
  const r = g.rng;
  const w = g.w;
  if (type !== I32 || g.m.tables.length === 0) {
    g.leaf(type);
    return;
  }
  const index = r.int(g.m.tables.length);
  const table = g.m.tables[index];
  const roll = r.int(3);
  if (roll === 0) {
    w.byte(Op.prefix);
    w.u32(Prefixed.table_size);
    w.u32(index);
  } else if (roll === 1) {
    g.genValue(table.elemType, depth);
    tableDelta(g);
    w.byte(Op.prefix);
    w.u32(Prefixed.table_grow);
    w.u32(index);
    g.pop(2);
  } else {
    g.genValue(r.chance(0.7) ? FUNCREF : EXTERNREF, depth);
    w.byte(Op.ref_is_null);
    g.pop(1);
  }
  g.push(I32);
}

/**
 * One of table.get, set, grow, size, fill, copy, init, elem.drop.
 * @param {FunctionGenerator} g
 */
export function stepTable(g) {
  const r = g.rng;
  const w = g.w;
  const d = g.p.exprDepth;
  const tables = g.m.tables;
  const index = r.int(tables.length);
  const table = tables[index];
  let roll = r.int(g.m.features.has('bulk-memory') ? 8 : 5);
  if (roll === 1 && table.stable >= table.min && !r.chance(g.p.trapRate)) roll = 0;
  if (roll === 0) {
    tableIndex(g, table, d);
    w.byte(Op.table_get);
    w.u32(index);
    g.pop(1);
    g.push(table.elemType);
  } else if (roll === 1) {
    tableIndex(g, table, d, true);
    g.ensureArgs([table.elemType], false, d);
    w.byte(Op.table_set);
    w.u32(index);
    g.pop(2);
  } else if (roll === 2) {
    g.ensureArgs([table.elemType], r.chance(g.p.reuse), d);
    tableDelta(g);
    w.byte(Op.prefix);
    w.u32(Prefixed.table_grow);
    w.u32(index);
    g.pop(2);
    g.push(I32);
  } else if (roll === 3) {
    w.byte(Op.prefix);
    w.u32(Prefixed.table_size);
    w.u32(index);
    g.push(I32);
  } else if (roll === 4) {
    const room = writeStart(g, table);
    g.genValue(table.elemType, d);
    boundedLength(g, room, d);
    w.byte(Op.prefix);
    w.u32(Prefixed.table_fill);
    w.u32(index);
    g.pop(3);
  } else if (roll === 5) {
    /** @type {number[]} */
    const sources = [];
    tables.forEach((t, i) => {
      if (t.elemType === table.elemType) sources.push(i);
    });
    const source = r.pick(sources);
    const room = writeStart(g, table);
    const from = r.int(tables[source].min + 1);
    w.byte(Op.i32_const);
    w.s32(from);
    g.push(I32);
    boundedLength(g, Math.min(room, tables[source].min - from), d);
    w.byte(Op.prefix);
    w.u32(Prefixed.table_copy);
    w.u32(index);
    w.u32(source);
    g.pop(3);
  } else {
    /** @type {number[]} */
    const segments = [];
    g.m.elemSegments.forEach((type, i) => {
      // Active segments are dropped at instantiation: initialising from one traps.
      if (type === table.elemType && (g.m.passiveElements[i] || r.chance(g.p.trapRate))) segments.push(i);
    });
    if (segments.length === 0) {
      g.stepLog();
      return;
    }
    const segment = r.pick(segments);
    if (roll === 7 && r.chance(g.p.trapRate)) {
      w.byte(Op.prefix);
      w.u32(Prefixed.elem_drop);
      w.u32(segment);
      return;
    }
    const length = g.m.elemLengths[segment];
    const room = writeStart(g, table);
    const from = r.int(length + 1);
    w.byte(Op.i32_const);
    w.s32(from);
    g.push(I32);
    boundedLength(g, Math.min(room, length - from), d);
    w.byte(Op.prefix);
    w.u32(Prefixed.table_init);
    w.u32(segment);
    w.u32(index);
    g.pop(3);
  }
}
