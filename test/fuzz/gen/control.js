// Structured control for the module generator: blocks, loops and ifs with
// parameters and results (multi-value block types through the type
// section), branches carrying values, br_table with many targets, the LLVM
// switch lowering (N nested blocks, a br_table in the innermost, case code
// after each end), deep nesting, and the dead code after an unconditional
// branch. Each function takes the FunctionGenerator whose stacks it updates.

import { Op } from './instructions.js';
import { I32, sameTypes } from './types.js';

/** @typedef {import('./body.js').FunctionGenerator} FunctionGenerator */
/** @typedef {import('./body.js').Frame} Frame */

/**
 * The values a branch to the frame carries: a loop's parameters, any other
 * block's results.
 * @param {Frame} frame
 */
export function labelTypes(frame) {
  return frame.kind === 'loop' ? frame.params : frame.results;
}

/**
 * Writes a block type: the empty type or a single result as a value type
 * byte where the format allows it (mostly), else an index into the type
 * section as a signed 33-bit LEB128.
 * @param {FunctionGenerator} g
 * @param {number[]} params
 * @param {number[]} results
 */
function writeBlockType(g, params, results) {
  const w = g.w;
  const r = g.rng;
  // Type indices as block types came with multi-value.
  const indexAllowed = g.m.features.has('multivalue');
  if (params.length === 0 && results.length === 0 && !(indexAllowed && r.chance(0.05))) {
    w.byte(0x40);
  } else if (params.length === 0 && results.length === 1 && !(indexAllowed && r.chance(0.1))) {
    w.byte(results[0]);
  } else {
    const index = g.m.types.intern(params, results);
    if (g.p.padLeb && r.chance(0.3)) {
      // s33 spread over 5 bytes: the last byte carries the sign bits (0).
      w.byte((index & 0x7f) | 0x80);
      w.byte(((index >>> 7) & 0x7f) | 0x80);
      w.byte(((index >>> 14) & 0x7f) | 0x80);
      w.byte(((index >>> 21) & 0x7f) | 0x80);
      w.byte((index >>> 28) & 0x0f);
    } else {
      w.s64(index, 0);
    }
  }
}

/**
 * Parameters (often the types already on top of the stack, so pending
 * values flow into the block) and results for a new block.
 * @param {FunctionGenerator} g
 * @returns {[number[], number[]]}
 */
function chooseBlockType(g) {
  const r = g.rng;
  if (!g.m.features.has('multivalue')) return [[], r.chance(0.5) ? [g.randomType()] : []];
  /** @type {number[]} */
  let params = [];
  if (r.chance(0.4)) {
    const avail = g.avail();
    if (avail > 0 && r.chance(0.7)) {
      const n = 1 + r.int(Math.min(avail, 3));
      params = g.stack.slice(g.stack.length - n);
    } else {
      for (let i = 1 + r.int(2); i > 0; i--) params.push(g.randomType());
    }
  }
  const count = r.weighted([30, 40, 18, 8, 4]);
  const results = [];
  for (let i = 0; i < count; i++) results.push(g.randomType());
  return [params, results];
}

/**
 * Opens a block, loop or if whose parameters (and, for if, condition) are
 * on the stack. A loop first sets its counter, and its head burns fuel.
 * @param {FunctionGenerator} g
 * @param {'block' | 'loop' | 'if'} kind
 * @param {number[]} params
 * @param {number[]} results
 */
export function openFrame(g, kind, params, results) {
  const w = g.w;
  let counter = -1;
  if (kind === 'loop') {
    counter = g.counterLocal();
    w.byte(Op.i32_const);
    w.s32(g.rng.chance(0.9) ? g.rng.range(1, 4) : g.rng.range(5, g.p.maxIterations));
    w.byte(Op.local_set);
    w.u32(counter);
  }
  w.byte(kind === 'block' ? Op.block : kind === 'loop' ? Op.loop : Op.if);
  writeBlockType(g, params, results);
  if (kind === 'if') g.pop(1);
  g.pop(params.length);
  g.frames.push({ kind, params, results, height: g.stack.length, unreachable: false, counter });
  g.nesting++;
  for (const t of params) g.push(t);
  if (kind === 'loop') {
    g.loopDepth++;
    g.needsFuel = true;
    g.writeFuelCheck(w);
  }
}

/**
 * Ends the current frame: its values become its results, and the results
 * are pushed in the enclosing frame.
 * @param {FunctionGenerator} g
 */
export function closeFrame(g) {
  const frame = g.top();
  g.finish(frame.results);
  g.w.byte(Op.end);
  g.frames.pop();
  g.nesting--;
  if (frame.kind === 'loop') g.loopDepth--;
  g.stack.length = frame.height;
  for (const t of frame.results) g.push(t);
}

/**
 * A whole block, loop or if: open, fill, (for a loop) the back edge, (for
 * an if) the else arm, close.
 * @param {FunctionGenerator} g
 * @param {'block' | 'loop' | 'if'} kind
 * @param {number[]} params
 * @param {number[]} results
 * @param {() => void} fill
 * @param {() => void} [fillElse]
 */
export function structured(g, kind, params, results, fill, fillElse = fill) {
  const r = g.rng;
  openFrame(g, kind, params, results);
  const frame = g.top();
  fill();
  if (kind === 'loop' && r.chance(0.85)) {
    g.finish(params);
    g.counterCondition(frame.counter);
    g.w.byte(Op.br_if);
    g.w.byte(0);
    afterBrIf(g, params);
    if (r.chance(0.3)) g.body(false);
  }
  if (kind === 'if' && !(sameTypes(params, results) && r.chance(0.35))) {
    g.finish(results);
    g.w.byte(Op.else);
    g.stack.length = frame.height;
    frame.unreachable = false;
    for (const t of params) g.push(t);
    fillElse();
  }
  closeFrame(g);
}

/**
 * @param {FunctionGenerator} g
 * @param {'block' | 'loop' | 'if'} kind
 */
export function stepBlock(g, kind) {
  if (g.nesting >= g.p.maxNesting) {
    g.genValue(g.randomType(), g.p.exprDepth);
    return;
  }
  const [params, results] = chooseBlockType(g);
  g.ensureArgs(kind === 'if' ? params.concat(I32) : params, true, g.p.exprDepth);
  structured(g, kind, params, results, () => g.body(false));
}

/**
 * A value made by a block: `block (result t) ... end`, an if with two arms,
 * or a loop that may branch back before producing it.
 * @param {FunctionGenerator} g
 * @param {number} type
 * @param {number} depth
 */
export function valueBlock(g, type, depth) {
  if (g.nesting >= g.p.maxNesting) {
    g.leaf(type);
    return;
  }
  const roll = g.rng.int(4);
  const kind = roll < 2 ? 'block' : roll < 3 ? 'if' : 'loop';
  if (kind === 'if') g.genValue(I32, depth);
  structured(g, kind, [], [type], () => g.body(false));
}

/**
 * A branch target: a frame index. Loops are avoided unless allowed: an
 * unconditional branch back has no counter and would spin until the fuel
 * runs out.
 * @param {FunctionGenerator} g
 * @param {boolean} allowLoops
 */
function chooseTarget(g, allowLoops) {
  const frames = g.frames;
  for (let tries = 0; tries < 4; tries++) {
    // Favour the nearest frames: most real branches are short.
    const distance = g.rng.chance(0.5) ? g.rng.int(Math.min(3, frames.length)) : g.rng.int(frames.length);
    const index = frames.length - 1 - distance;
    if (allowLoops || frames[index].kind !== 'loop') return index;
  }
  return 0;
}

/**
 * Whether an unconditional branch should become a br_if instead: at a
 * function's top level it would make the rest of the body dead code, and
 * inside dead code it adds nothing.
 * @param {FunctionGenerator} g
 */
function keepLive(g) {
  return g.top().unreachable || (g.frames.length === 1 && g.rng.chance(0.8));
}

/** @param {FunctionGenerator} g */
export function stepBr(g) {
  if (keepLive(g)) {
    stepBrIf(g);
    return;
  }
  const index = chooseTarget(g, g.rng.chance(0.03));
  g.ensureArgs(labelTypes(g.frames[index]), g.rng.chance(g.p.reuse), g.p.exprDepth);
  g.w.byte(Op.br);
  g.writeIndex(g.frames.length - 1 - index);
  g.markUnreachable();
}

/**
 * br_if carrying values. Back to a loop, the condition is that loop's
 * counter, so the branch is taken a bounded number of times.
 * @param {FunctionGenerator} g
 */
export function stepBrIf(g) {
  const r = g.rng;
  const index = chooseTarget(g, true);
  const target = g.frames[index];
  const types = labelTypes(target);
  if (target.kind === 'loop') {
    g.ensureArgs(types, r.chance(g.p.reuse), g.p.exprDepth);
    g.counterCondition(target.counter);
  } else {
    g.ensureArgs(types.concat(I32), r.chance(g.p.reuse), g.p.exprDepth);
  }
  g.w.byte(Op.br_if);
  g.writeIndex(g.frames.length - 1 - index);
  afterBrIf(g, types);
}

/**
 * Pops br_if's condition. In unreachable code br_if may also have popped
 * values that were never there (the stack is polymorphic); either way it
 * leaves values of the label's types, which later code may pop.
 * @param {FunctionGenerator} g
 * @param {number[]} types
 */
function afterBrIf(g, types) {
  g.pop(1);
  if (g.top().unreachable) {
    g.pop(types.length);
    for (const t of types) g.push(t);
  }
}

/**
 * br_table over targets that all carry the same types; sometimes hundreds
 * of them.
 * @param {FunctionGenerator} g
 */
export function stepBrTable(g) {
  const r = g.rng;
  if (keepLive(g)) {
    stepBrIf(g);
    return;
  }
  const allowLoops = r.chance(0.02);
  const defaultIndex = chooseTarget(g, allowLoops);
  const types = labelTypes(g.frames[defaultIndex]);
  /** @type {number[]} */
  const candidates = [];
  g.frames.forEach((frame, i) => {
    if ((allowLoops || frame.kind !== 'loop') && sameTypes(labelTypes(frame), types)) candidates.push(i);
  });
  const count = r.chance(g.p.bigBrTableChance) ? r.logRange(8, g.p.maxBrTable) : r.int(8);
  g.ensureArgs(types, r.chance(g.p.reuse), g.p.exprDepth);
  if (r.chance(0.6)) {
    g.w.byte(Op.i32_const);
    g.w.s32(r.int(count + 2));
    g.push(I32);
  } else {
    g.genValue(I32, g.p.exprDepth);
  }
  const w = g.w;
  const depthOf = (/** @type {number} */ i) => g.frames.length - 1 - i;
  w.byte(Op.br_table);
  w.u32(count);
  for (let i = 0; i < count; i++) g.writeIndex(depthOf(r.pick(candidates)));
  g.writeIndex(depthOf(defaultIndex));
  g.markUnreachable();
}

/** @param {FunctionGenerator} g */
export function stepReturn(g) {
  if (keepLive(g)) {
    stepBrIf(g);
    return;
  }
  g.ensureArgs(g.func.results, g.rng.chance(g.p.reuse), g.p.exprDepth);
  g.w.byte(Op.return);
  g.markUnreachable();
}

/** @param {FunctionGenerator} g */
export function stepUnreachable(g) {
  if (!g.rng.chance(g.p.trapRate * 10)) {
    g.stepLog();
    return;
  }
  g.w.byte(Op.unreachable);
  g.markUnreachable();
}

/**
 * The switch lowering LLVM emits for C `switch`: an exit block, N case
 * blocks nested inside it, a br_table in the innermost, and each case's
 * code after its block's `end`, usually ending with a branch to the exit.
 * @param {FunctionGenerator} g
 */
export function stepSwitch(g) {
  const r = g.rng;
  const w = g.w;
  if (g.top().unreachable) return;
  const cases = r.chance(g.p.bigSwitchChance) ? r.logRange(16, g.p.maxSwitch) : r.range(2, 12);
  for (let i = 0; i <= cases; i++) openFrame(g, 'block', [], []);
  const exitIndex = g.frames.length - 1 - cases;
  const locals = g.readable[0];
  if (locals.length > 0 && r.chance(0.6)) {
    w.byte(Op.local_get);
    g.writeIndex(r.pick(locals));
    g.push(I32);
    if (r.chance(0.5)) {
      w.byte(Op.i32_const);
      w.s32(r.range(-2, 10));
      w.byte(Op.i32_sub);
    }
  } else {
    g.genValue(I32, g.p.exprDepth);
  }
  const count = cases + r.int(cases + 1);
  w.byte(Op.br_table);
  w.u32(count);
  for (let i = 0; i < count; i++) g.writeIndex(i < cases && r.chance(0.7) ? i : r.int(cases + 1));
  g.writeIndex(r.chance(0.7) ? cases : r.int(cases + 1));
  g.pop(1);
  g.markUnreachable();
  const caseSteps = cases > 40 ? 2 : 5;
  for (let i = 0; i < cases; i++) {
    closeFrame(g);
    for (let k = r.int(caseSteps); k > 0; k--) g.step();
    if (r.chance(0.7) && !g.top().unreachable) {
      w.byte(Op.br);
      g.writeIndex(g.frames.length - 1 - exitIndex);
      g.markUnreachable();
    }
  }
  closeFrame(g);
}

/**
 * Nesting a few tens to a few hundred levels deep (blocks, ifs, some
 * loops), with branches out of the middle.
 * @param {FunctionGenerator} g
 */
export function stepDeepNest(g) {
  if (g.top().unreachable) return;
  nest(g, g.rng.logRange(8, g.p.maxDeepNest));
}

/**
 * @param {FunctionGenerator} g
 * @param {number} level
 */
function nest(g, level) {
  const r = g.rng;
  if (level === 0) {
    for (let k = r.int(3); k > 0; k--) g.step();
    return;
  }
  const roll = r.int(8);
  const kind = roll < 5 ? 'block' : roll < 7 ? 'if' : 'loop';
  const results = r.chance(0.6) ? [] : [g.randomType()];
  if (kind === 'if') g.genValue(I32, 1);
  structured(
    g,
    kind,
    [],
    results,
    () => {
      if (r.chance(0.3)) stepBrIf(g);
      nest(g, level - 1);
      if (r.chance(0.2)) g.step();
    },
    () => {
      if (r.chance(0.5)) g.step();
    },
  );
}
