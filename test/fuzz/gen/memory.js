// Memory instructions for the module generator: loads and stores whose
// addresses are mostly in bounds (clustered in the first bytes, so stores
// and loads overlap) and at the module's trap rate past the end,
// memory.grow in the middle of expressions, and the bulk memory
// instructions. Each function takes the FunctionGenerator whose stacks it
// updates.

import { NATURAL_ALIGN, Op, Prefixed } from './instructions.js';
import { I32, SLOT } from './types.js';

/** @typedef {import('./body.js').FunctionGenerator} FunctionGenerator */

/**
 * Pushes an address for an access of `size` bytes: mostly in bounds and
 * clustered in the first bytes so stores and loads overlap; at the trap
 * rate out of bounds or just past the end.
 * @param {FunctionGenerator} g
 * @param {number} size
 * @param {number} depth
 * @returns {number} how many bytes past the address+size stay in bounds (for the offset)
 */
export function address(g, size, depth) {
  const r = g.rng;
  const w = g.w;
  const bytes = g.m.memoryBytes;
  if (r.chance(g.p.trapRate)) {
    const roll = r.int(4);
    if (roll === 0) {
      w.byte(Op.i32_const);
      w.s32(bytes - size + r.range(1, 8));
      g.push(I32);
    } else if (roll === 1) {
      w.byte(Op.i32_const);
      w.s32(r.pick([-1, -size, 0x80000000, bytes, 0x7fffffff]));
      g.push(I32);
    } else {
      g.genValue(I32, depth);
    }
    return 0;
  }
  const roll = r.int(20);
  if (roll < 10) {
    const address = r.chance(0.75) ? r.int(256) : r.int(bytes - size - 64 + 1);
    w.byte(Op.i32_const);
    w.s32(address);
    g.push(I32);
    return bytes - address - size;
  }
  if (roll < 12) {
    const address = bytes - size - r.int(8);
    w.byte(Op.i32_const);
    w.s32(address);
    g.push(I32);
    return bytes - address - size;
  }
  const mask = r.pick([0xff, 0xfff, 0x7ff8]);
  if (roll < 16 && g.readable[SLOT[I32]].length > 0) {
    w.byte(Op.local_get);
    g.writeIndex(r.pick(g.readable[SLOT[I32]]));
    g.push(I32);
  } else {
    g.genValue(I32, depth);
  }
  w.byte(Op.i32_const);
  w.s32(mask);
  w.byte(Op.i32_and);
  return bytes - mask - size;
}

/**
 * Alignment and offset. The offset stays within `slack` unless trapping is
 * allowed and chosen.
 * @param {FunctionGenerator} g
 * @param {number} size
 * @param {number} slack
 * @param {boolean} mayTrap
 */
export function memarg(g, size, slack, mayTrap) {
  const r = g.rng;
  const natural = NATURAL_ALIGN[size];
  g.writeIndex(r.chance(0.75) ? natural : r.int(natural + 1));
  let offset = 0;
  if (mayTrap && r.chance(0.3)) offset = r.pick([g.m.memoryBytes, 0xffffffff, 0x80000000, g.m.memoryBytes - 1, r.int(100)]);
  else if (slack > 0 && r.chance(0.3)) offset = r.int(Math.min(slack, 64) + 1);
  g.writeIndex(offset);
}

/**
 * @param {FunctionGenerator} g
 * @param {number} type
 * @param {number} depth
 */
export function valueLoad(g, type, depth) {
  const op = g.rng.pick(g.ops.loadsByType[SLOT[type]]);
  const slack = address(g, op.size, depth);
  g.w.byte(op.code);
  memarg(g, op.size, slack, g.rng.chance(g.p.trapRate));
  g.pop(1);
  g.push(type);
}

/**
 * A load statement; at the trap rate its address is whatever i32 is on top.
 * @param {FunctionGenerator} g
 */
export function stepLoad(g) {
  const r = g.rng;
  const op = r.pick(g.ops.loads);
  let slack = 0;
  const reuse = g.avail() > 0 && g.stack[g.stack.length - 1] === I32 && r.chance(g.p.trapRate);
  if (!reuse) slack = address(g, op.size, g.p.exprDepth);
  g.w.byte(op.code);
  memarg(g, op.size, slack, r.chance(g.p.trapRate));
  g.pop(1);
  g.push(op.type);
}

/**
 * A store; at the trap rate of an address and value already on the stack.
 * @param {FunctionGenerator} g
 */
export function stepStore(g) {
  const r = g.rng;
  const op = r.pick(g.ops.stores);
  let slack = 0;
  if (g.avail() >= 2 && g.topMatches([I32, op.type], 2) && r.chance(g.p.trapRate)) {
    // An address and value that were already on the stack.
  } else {
    slack = address(g, op.size, g.p.exprDepth);
    g.genValue(op.type, g.p.exprDepth);
  }
  g.w.byte(op.code);
  memarg(g, op.size, slack, r.chance(g.p.trapRate));
  g.pop(2);
}

/**
 * memory.grow by a small delta (the memory has a maximum a few pages up,
 * so it soon fails with -1), or a huge one.
 * @param {FunctionGenerator} g
 * @param {number} depth
 */
export function memoryGrow(g, depth) {
  const r = g.rng;
  const w = g.w;
  const roll = r.int(10);
  if (roll < 8) {
    w.byte(Op.i32_const);
    w.s32(roll < 3 ? 0 : roll < 7 ? 1 : 2);
    g.push(I32);
  } else if (roll < 9) {
    w.byte(Op.i32_const);
    w.s32(r.pick([0x10000, -1, 0x7fffffff, 0x8000]));
    g.push(I32);
  } else {
    g.genValue(I32, depth);
    w.byte(Op.i32_const);
    w.byte(3);
    w.byte(Op.i32_and);
  }
  w.byte(Op.memory_grow);
  w.byte(0);
  g.pop(1);
  g.push(I32);
}

/**
 * @param {FunctionGenerator} g
 * @param {number} type
 * @param {number} depth
 */
export function valueMemory(g, type, depth) {
  if (type !== I32) {
    g.leaf(type);
  } else if (g.rng.chance(0.5)) {
    g.w.byte(Op.memory_size);
    g.w.byte(0);
    g.push(I32);
  } else {
    memoryGrow(g, depth);
  }
}

/**
 * A length for a bulk operation: small enough for `slack`, or at the trap
 * rate anything.
 * @param {FunctionGenerator} g
 * @param {number} slack
 * @param {number} depth
 */
export function boundedLength(g, slack, depth) {
  const r = g.rng;
  if (r.chance(g.p.trapRate)) {
    if (r.chance(0.5)) g.genValue(I32, depth);
    else {
      g.w.byte(Op.i32_const);
      g.w.s32(r.pick([slack + 1, -1, 0x10000, 0x7fffffff]));
      g.push(I32);
    }
    return;
  }
  g.w.byte(Op.i32_const);
  g.w.s32(r.int(Math.max(0, Math.min(slack, 80)) + 1));
  g.push(I32);
}

/**
 * memory.fill, memory.copy, memory.init or data.drop.
 * @param {FunctionGenerator} g
 */
export function stepBulkMemory(g) {
  const r = g.rng;
  const w = g.w;
  const d = g.p.exprDepth;
  const roll = r.int(10);
  if (roll < 4) {
    const slack = address(g, 1, d);
    g.genValue(I32, d);
    boundedLength(g, slack + 1, d);
    w.byte(Op.prefix);
    w.u32(Prefixed.memory_fill);
    w.byte(0);
    g.pop(3);
  } else if (roll < 7) {
    const destination = address(g, 1, d);
    const source = address(g, 1, d);
    boundedLength(g, Math.min(destination, source) + 1, d);
    w.byte(Op.prefix);
    w.u32(Prefixed.memory_copy);
    w.byte(0);
    w.byte(0);
    g.pop(3);
  } else {
    // Active segments are dropped at instantiation: initialising from one
    // traps, as does any use of a segment after data.drop (for the rest of
    // the instance's life, so drops are rare).
    /** @type {number[]} */
    const passive = [];
    g.m.passiveData.forEach((isPassive, i) => {
      if (isPassive) passive.push(i);
    });
    const trapping = r.chance(g.p.trapRate);
    if (g.m.dataSegments.length === 0 || (passive.length === 0 && !trapping)) return;
    g.m.usesDataCount = true;
    const segment = trapping ? r.int(g.m.dataSegments.length) : r.pick(passive);
    if (roll === 9 && trapping) {
      w.byte(Op.prefix);
      w.u32(Prefixed.data_drop);
      w.u32(segment);
      return;
    }
    const segmentLength = g.m.dataSegments[segment];
    const slack = address(g, 1, d);
    const start = r.int(segmentLength + 1);
    w.byte(Op.i32_const);
    w.s32(start);
    g.push(I32);
    boundedLength(g, Math.min(slack + 1, segmentLength - start), d);
    w.byte(Op.prefix);
    w.u32(Prefixed.memory_init);
    w.u32(segment);
    w.byte(0);
    g.pop(3);
  }
}
