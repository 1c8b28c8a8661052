// Calls for the module generator: direct calls down the level DAG (no
// guard needed, the chain ends), calls that may recurse behind the global
// depth guard, and call_indirect, mostly through a slot known to hold a
// function of the type used. A call with several results used as one value
// keeps one result and consumes the others. Each function takes the
// FunctionGenerator whose stacks it updates.

import { Op } from './instructions.js';
import { FUNCREF, I32 } from './types.js';
import { tableIndex } from './tables.js';

/** @typedef {import('./body.js').FunctionGenerator} FunctionGenerator */
/** @typedef {import('./body.js').FunctionInfo} FunctionInfo */

/**
 * A function to call: one of a lower level (no guard needed), or, in
 * modules that allow recursion, any function behind the depth guard.
 * @param {FunctionGenerator} g
 * @param {number} resultType  0 for any
 * @returns {[FunctionInfo, boolean] | undefined} the callee and whether to guard
 */
export function pickCallee(g, resultType) {
  const r = g.rng;
  const guarded = g.p.recursion && r.chance(0.25);
  let list = guarded ? g.m.functions : g.safeCallees;
  if (resultType) list = list.filter((f) => f.results.includes(resultType));
  if (list.length === 0) return undefined;
  return [r.pick(list), guarded];
}

/**
 * @param {FunctionGenerator} g
 * @param {FunctionInfo} callee
 * @param {boolean} guarded
 */
export function writeCall(g, callee, guarded) {
  g.needsFuel = true;
  if (guarded) g.writeGuardBefore();
  g.w.byte(Op.call);
  g.writeIndex(callee.index);
  if (guarded) g.writeGuardAfter();
  g.pop(callee.params.length);
  for (const t of callee.results) g.push(t);
}

/**
 * A call statement: arguments from the stack where their types line up.
 * @param {FunctionGenerator} g
 */
export function stepCall(g) {
  const picked = pickCallee(g, 0);
  if (!picked) {
    g.stepLog();
    return;
  }
  const [callee, guarded] = picked;
  g.ensureArgs(callee.params, g.rng.chance(g.p.reuse), g.p.exprDepth);
  writeCall(g, callee, guarded);
}

/**
 * After a call left `types` on the stack, keeps one value of `type` and
 * consumes the others (through a local when the kept one is not on top).
 * @param {FunctionGenerator} g
 * @param {readonly number[]} types
 * @param {number} type
 */
export function keepOne(g, types, type) {
  const r = g.rng;
  /** @type {number[]} */
  const positions = [];
  types.forEach((t, i) => {
    if (t === type) positions.push(i);
  });
  const keep = r.pick(positions);
  for (let i = types.length - 1; i > keep; i--) g.consumeTop(true, true);
  if (keep === 0) return;
  const temporary = g.writableLocal(type);
  g.w.byte(Op.local_set);
  g.writeIndex(temporary);
  g.pop(1);
  for (let i = keep - 1; i >= 0; i--) g.consumeTop(true, true);
  g.w.byte(Op.local_get);
  g.writeIndex(temporary);
  g.push(type);
}

/**
 * @param {FunctionGenerator} g
 * @param {number} type
 * @param {number} depth
 */
export function valueCall(g, type, depth) {
  const picked = pickCallee(g, type);
  if (!picked) {
    g.leaf(type);
    return;
  }
  const [callee, guarded] = picked;
  for (const t of callee.params) g.genValue(t, depth);
  writeCall(g, callee, guarded);
  keepOne(g, callee.results, type);
}

/**
 * A call_indirect: mostly through a slot known to hold a function of the
 * type used; at the trap rate with a type or index that may not match
 * (null slot, out of range, wrong signature).
 * @param {FunctionGenerator} g
 * @param {number} resultType  0 for any
 * @param {number} depth
 * @param {boolean} reuse
 * @returns {number[] | undefined} the results pushed
 */
export function callIndirect(g, resultType, depth, reuse, tail = false) {
  const r = g.rng;
  const w = g.w;
  const tables = g.m.tables;
  /** @type {(f: {results: number[]}) => boolean} */
  const fits = tail ? (f) => sameResults(f, g.func.results) : (f) => !resultType || f.results.includes(resultType);
  /** @type {[number, number, FunctionInfo][]} table, slot, function */
  const hits = [];
  tables.forEach((table, i) => {
    for (const [slot, f] of table.filled) if (fits(f)) hits.push([i, slot, f]);
  });
  const trapping = r.chance(g.p.trapRate * 2);
  if (hits.length === 0 && !trapping) return undefined;
  /** @type {{params: number[], results: number[]}} */
  let signature;
  let typeIndex;
  let which;
  let slot = -1;
  if (!trapping) {
    const [t, s, f] = r.pick(hits);
    which = t;
    slot = s;
    signature = f;
    typeIndex = f.typeIndex;
  } else {
    /** @type {number[]} */
    const funcrefTables = [];
    tables.forEach((t, i) => {
      if (t.elemType === FUNCREF) funcrefTables.push(i);
    });
    which = r.pick(funcrefTables);
    const candidates = tail ? g.m.functions.concat(g.m.imports).filter(fits)
      : resultType ? g.m.functions.filter((f) => f.results.includes(resultType)) : g.m.functions.concat(g.m.imports);
    if (candidates.length > 0 && r.chance(0.8)) {
      const f = r.pick(candidates);
      signature = f;
      typeIndex = f.typeIndex;
    } else {
      const params = [];
      for (let i = r.int(3); i > 0; i--) params.push(g.randomNumberType());
      const results = tail ? [...g.func.results] : resultType ? [resultType] : r.chance(0.5) ? [] : [g.randomNumberType()];
      signature = { params, results };
      typeIndex = g.m.types.intern(params, results);
    }
  }
  g.ensureArgs(signature.params, reuse, depth);
  if (slot >= 0) {
    w.byte(Op.i32_const);
    w.s32(slot);
    g.push(I32);
  } else {
    tableIndex(g, tables[which], depth);
  }
  g.needsFuel = true;
  if (tail) {
    // A tail call takes no depth: it replaces this function's frame.
    w.byte(Op.return_call_indirect);
    g.writeIndex(typeIndex);
    w.u32(which);
    g.markUnreachable();
    return signature.results;
  }
  g.writeGuardBefore();
  w.byte(Op.call_indirect);
  g.writeIndex(typeIndex);
  // Before reference-types this was a reserved byte that had to be 0x00.
  w.u32(which);
  g.writeGuardAfter();
  g.pop(signature.params.length + 1);
  for (const t of signature.results) g.push(t);
  return signature.results;
}

/**
 * @param {FunctionGenerator} g
 */
export function stepCallIndirect(g) {
  if (!callIndirect(g, 0, g.p.exprDepth, g.rng.chance(g.p.reuse))) g.stepLog();
}

/**
 * @param {FunctionGenerator} g
 * @param {number} type
 * @param {number} depth
 */
export function valueCallIndirect(g, type, depth) {
  const results = callIndirect(g, type, depth, false);
  if (!results) g.leaf(type);
  else keepOne(g, results, type);
}

/**
 * @param {{results: readonly number[]}} f
 * @param {readonly number[]} results
 */
function sameResults(f, results) {
  return f.results.length === results.length && f.results.every((t, i) => t === results[i]);
}

/**
 * A tail call (return_call or return_call_indirect) to a function returning
 * what this one returns, self included. No depth guard: it replaces this
 * function's frame; the callee's fuel check on entry ends endless chains.
 * In the function's own block it is usually a call instead, so the rest of
 * the function stays live.
 * @param {FunctionGenerator} g
 */
export function stepReturnCall(g) {
  const r = g.rng;
  if (g.top().unreachable || (g.frames.length === 1 && r.chance(0.8))) {
    stepCall(g);
    return;
  }
  if (r.chance(0.3)) {
    if (!callIndirect(g, 0, g.p.exprDepth, r.chance(g.p.reuse), true)) stepCall(g);
    return;
  }
  const list = g.m.functions.filter((f) => sameResults(f, g.func.results));
  if (list.length === 0) {
    stepCall(g);
    return;
  }
  const callee = r.pick(list);
  g.ensureArgs(callee.params, r.chance(g.p.reuse), g.p.exprDepth);
  g.needsFuel = true;
  g.w.byte(Op.return_call);
  g.writeIndex(callee.index);
  g.markUnreachable();
}
