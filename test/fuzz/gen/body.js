// Function bodies for the module generator, written in stack style. The
// generator tracks the operand stack's types and a control stack, so every
// body validates, and it deliberately leaves values pending on the stack
// while later instructions write the locals, globals, memory and tables
// those values came from: the shape in which a compiler that folds stack
// slots into expressions reorders a read past a write. Control constructs,
// the LLVM switch lowering and deep nesting live in control.js; this file
// owns the stack, values, operands and the straight-line steps.
//
// Termination is by construction: every loop counts down a counter local on
// its back edges and burns one unit of a global fuel at its head; every
// function that calls or loops burns fuel on entry; and calls that could
// recurse (to a function of the same or a higher level, and every
// call_indirect) pass through a global depth guard. Exported functions are
// wrappers (generator.js) that refill fuel and depth, so each export call
// from the harness starts with the same budget.

import { ByteWriter } from './bytes.js';
import { writeConst, writeZero, f32Bits, f64Bits } from './constants.js';
import { Op } from './instructions.js';
import { F32, FUNCREF, I32, I64, SLOT, V128, isNumber, isReference } from './types.js';
import * as calls from './calls.js';
import * as control from './control.js';
import * as memory from './memory.js';
import * as simd from './simd.js';
import * as tables from './tables.js';

/**
 * @typedef {object} Frame
 * @property {'func' | 'block' | 'loop' | 'if'} kind
 * @property {number[]} params
 * @property {number[]} results
 * @property {number} height        operand stack height below the frame's own values
 * @property {boolean} unreachable  after br, br_table, return, unreachable: the stack is polymorphic
 * @property {number} counter       for loops, the local counting down its back edges
 */

/**
 * @typedef {object} FunctionInfo
 * @property {number} index      in the function index space
 * @property {number} typeIndex
 * @property {number[]} params
 * @property {number[]} results
 * @property {number} level      calls functions of a lower level without a depth guard
 * @property {number} budget     roughly, the number of instructions to write
 */

/**
 * @typedef {object} GlobalInfo
 * @property {number} index
 * @property {number} type
 * @property {boolean} mutable
 */

/**
 * @typedef {object} TableInfo
 * @property {number} elemType
 * @property {number} min
 * @property {number | undefined} max
 * @property {number} stable    slots [0, stable) hold what the element segments put there; code writes the rest
 * @property {[number, FunctionInfo][]} filled  slots holding a function after instantiation
 */

/**
 * @typedef {object} ModuleContext
 * @property {import('./random.js').Random} rng
 * @property {import('./instructions.js').InstructionSet} ops
 * @property {Set<string>} features
 * @property {import('./profile.js').Profile} profile
 * @property {import('./types.js').TypeTable} types
 * @property {FunctionInfo[]} functions     the generated functions (callable from code)
 * @property {FunctionInfo[]} imports       the log functions
 * @property {number[]} logFunction        by type slot: the index of the log import
 * @property {GlobalInfo[][]} globalsByType  the generated globals, by type slot
 * @property {number} fuelGlobal
 * @property {number} depthGlobal
 * @property {number} memoryBytes         the initial memory size in bytes
 * @property {TableInfo[]} tables
 * @property {number[]} elemSegments       each segment's reference type
 * @property {number[]} elemLengths        each segment's length
 * @property {boolean[]} passiveElements   which element segments are passive
 * @property {number[]} dataSegments       each segment's length
 * @property {boolean[]} passiveData       which data segments are passive
 * @property {Set<number>} refFunctions    function indices that ref.func names
 * @property {boolean} usesDataCount       memory.init or data.drop appear in code
 */

/** @returns {number[][]} */
const perSlot = () => [[], [], [], [], [], [], []];

/** Divisors that never trap: not 0, not -1 (INT_MIN / -1 overflows). */
const SAFE_DIVISORS = [1, 2, 3, 7, -2, -3, 10, 255, 256, 0x7fffffff, -0x80000000, 0x10000, 65537];

/**
 * The straight-line steps and their base weights. A profile scales each
 * weight per module (swarm testing: a module that never stores makes the
 * loads it has more interesting), and drops the ones whose feature is off.
 * @type {{name: string, weight: number, feature: string, run: (g: FunctionGenerator) => void}[]}
 */
export const STEP_KINDS = [
  { name: 'push', weight: 16, feature: 'mvp', run: (g) => g.genValue(g.randomType(), g.p.exprDepth) },
  { name: 'numeric', weight: 14, feature: 'mvp', run: (g) => g.stepNumeric() },
  { name: 'consume', weight: 9, feature: 'mvp', run: (g) => g.stepConsume() },
  { name: 'log', weight: 4, feature: 'mvp', run: (g) => g.stepLog() },
  { name: 'load', weight: 4, feature: 'mvp', run: (g) => memory.stepLoad(g) },
  { name: 'store', weight: 4, feature: 'mvp', run: (g) => memory.stepStore(g) },
  { name: 'call', weight: 7, feature: 'mvp', run: (g) => calls.stepCall(g) },
  { name: 'call_indirect', weight: 2.5, feature: 'mvp', run: (g) => calls.stepCallIndirect(g) },
  { name: 'return_call', weight: 0.8, feature: 'tail-call', run: (g) => calls.stepReturnCall(g) },
  { name: 'local.set', weight: 3, feature: 'mvp', run: (g) => g.stepLocalSet() },
  { name: 'local.tee', weight: 3, feature: 'mvp', run: (g) => g.stepTee() },
  { name: 'global.set', weight: 2.5, feature: 'mvp', run: (g) => g.stepGlobalSet() },
  { name: 'select', weight: 3, feature: 'mvp', run: (g) => g.stepSelect() },
  { name: 'memory.grow', weight: 0.8, feature: 'mvp', run: (g) => memory.memoryGrow(g, g.p.exprDepth) },
  { name: 'nop', weight: 0.2, feature: 'mvp', run: (g) => g.w.byte(Op.nop) },
  { name: 'block', weight: 3, feature: 'mvp', run: (g) => control.stepBlock(g, 'block') },
  { name: 'loop', weight: 1.2, feature: 'mvp', run: (g) => control.stepBlock(g, 'loop') },
  { name: 'if', weight: 2.5, feature: 'mvp', run: (g) => control.stepBlock(g, 'if') },
  { name: 'br', weight: 0.8, feature: 'mvp', run: (g) => control.stepBr(g) },
  { name: 'br_if', weight: 2.5, feature: 'mvp', run: (g) => control.stepBrIf(g) },
  { name: 'br_table', weight: 0.8, feature: 'mvp', run: (g) => control.stepBrTable(g) },
  { name: 'return', weight: 0.3, feature: 'mvp', run: (g) => control.stepReturn(g) },
  { name: 'unreachable', weight: 0.1, feature: 'mvp', run: (g) => control.stepUnreachable(g) },
  { name: 'switch', weight: 0.25, feature: 'mvp', run: (g) => control.stepSwitch(g) },
  { name: 'deep nest', weight: 0.06, feature: 'mvp', run: (g) => control.stepDeepNest(g) },
  { name: 'bulk memory', weight: 1, feature: 'bulk-memory', run: (g) => memory.stepBulkMemory(g) },
  { name: 'table', weight: 1, feature: 'reference-types', run: (g) => tables.stepTable(g) },
  { name: 'simd', weight: 5, feature: 'simd', run: (g) => simd.stepSimd(g) },
  { name: 'simd memory', weight: 1.5, feature: 'simd', run: (g) => simd.stepSimdMemory(g) },
];

/**
 * Ways to make one value of a number type, with base weights (a v128 has
 * its own, in simd.js).
 * @type {{name: string, weight: number, feature: string, make: (g: FunctionGenerator, type: number, depth: number) => void}[]}
 */
export const VALUE_KINDS = [
  { name: 'leaf', weight: 8, feature: 'mvp', make: (g, t) => g.leaf(t) },
  { name: 'unary', weight: 2, feature: 'mvp', make: (g, t, d) => g.valueNumeric(g.ops.unaryByResult[SLOT[t]], t, d) },
  { name: 'binary', weight: 3, feature: 'mvp', make: (g, t, d) => g.valueNumeric(g.ops.binaryByResult[SLOT[t]], t, d) },
  { name: 'load', weight: 1.5, feature: 'mvp', make: (g, t, d) => memory.valueLoad(g, t, d) },
  { name: 'call', weight: 1.5, feature: 'mvp', make: (g, t, d) => calls.valueCall(g, t, d) },
  { name: 'call_indirect', weight: 0.4, feature: 'mvp', make: (g, t, d) => calls.valueCallIndirect(g, t, d) },
  { name: 'select', weight: 0.6, feature: 'mvp', make: (g, t, d) => g.valueSelect(t, d) },
  { name: 'local.tee', weight: 0.6, feature: 'mvp', make: (g, t, d) => g.valueTee(t, d) },
  { name: 'block', weight: 0.4, feature: 'mvp', make: (g, t, d) => control.valueBlock(g, t, d) },
  { name: 'memory', weight: 0.3, feature: 'mvp', make: (g, t, d) => memory.valueMemory(g, t, d) },
  { name: 'table', weight: 0.2, feature: 'reference-types', make: (g, t, d) => tables.valueTable(g, t, d) },
  { name: 'simd', weight: 1.2, feature: 'simd', make: (g, t, d) => simd.valueScalar(g, t, d) },
];

export class FunctionGenerator {
  /**
   * @param {ModuleContext} m
   * @param {FunctionInfo} func
   */
  constructor(m, func) {
    this.m = m;
    this.rng = m.rng;
    this.ops = m.ops;
    this.p = m.profile;
    this.func = func;
    this.w = new ByteWriter(512);
    /** Types of params and locals, by local index. */
    this.localTypes = func.params.slice();
    /** Locals random code may write, by type slot (loop counters are not among them). */
    this.writable = perSlot();
    /** Locals random code may read, by type slot. */
    this.readable = perSlot();
    func.params.forEach((t, i) => {
      this.writable[SLOT[t]].push(i);
      this.readable[SLOT[t]].push(i);
    });
    /** @type {number[]} */
    this.stack = [];
    /** @type {Frame[]} */
    this.frames = [];
    this.budget = func.budget;
    this.nesting = 0;
    this.loopDepth = 0;
    /** @type {number[]} one counter local per loop nesting depth; sibling loops share it */
    this.counters = [];
    /** The local each type's last local.get read, or -1: a write to it is a hazard for the pending read. */
    this.lastRead = [-1, -1, -1, -1, -1, -1, -1];
    /** Calls or loops: the function burns fuel on entry. */
    this.needsFuel = false;
    /** Functions this one may call without a depth guard: lower levels only, so such chains end. */
    this.safeCallees = m.functions.filter((f) => f.level < func.level);
  }

  /** @returns {[ByteWriter, ByteWriter]} the function body: locals and prologue, then the code */
  generate() {
    const count = this.rng.int(this.p.localsPerFunction + 1);
    for (let i = 0; i < count; i++) this.newLocal(this.randomType(), true);
    this.frames.push({ kind: 'func', params: [], results: this.func.results, height: 0, unreachable: false, counter: -1 });
    this.body(true);
    this.finish(this.func.results);
    this.w.byte(Op.end);
    return this.encode();
  }

  /** @returns {[ByteWriter, ByteWriter]} */
  encode() {
    const out = new ByteWriter(64);
    /** @type {[number, number][]} */
    const runs = [];
    const split = this.rng.chance(0.1);
    for (let i = this.func.params.length; i < this.localTypes.length; i++) {
      const t = this.localTypes[i];
      const last = runs[runs.length - 1];
      if (last && last[1] === t && !(split && this.rng.chance(0.5))) last[0]++;
      else runs.push([1, t]);
    }
    out.u32(runs.length);
    for (const [count, t] of runs) {
      out.u32(count);
      out.byte(t);
    }
    if (this.needsFuel) this.writeFuelCheck(out);
    return [out, this.w];
  }

  // ---- the operand and control stacks ----

  top() {
    return this.frames[this.frames.length - 1];
  }

  avail() {
    return this.stack.length - this.top().height;
  }

  /** @param {number} type */
  push(type) {
    this.stack.push(type);
  }

  /**
   * Pops n values; below the frame's height there is nothing to pop, which
   * is only reached in unreachable code, where the stack is polymorphic.
   * @param {number} n
   */
  pop(n) {
    // Array.pop rather than a length store, which V8 handles slowly.
    const height = this.frames[this.frames.length - 1].height;
    for (let i = 0; i < n && this.stack.length > height; i++) this.stack.pop();
  }

  /** After an unconditional branch: the rest of the block is dead code. */
  markUnreachable() {
    const frame = this.top();
    frame.unreachable = true;
    this.stack.length = frame.height;
  }

  /**
   * Whether the top j values have the types types[0..j), counting values
   * missing below an unreachable frame's height as matching.
   * @param {readonly number[]} types
   * @param {number} j
   */
  topMatches(types, j) {
    const frame = this.top();
    const length = this.stack.length;
    for (let i = 0; i < j; i++) {
      const position = length - j + i;
      if (position < frame.height) {
        if (!frame.unreachable) return false;
      } else if (this.stack[position] !== types[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Puts values of the given types on top of the stack. With `reuse`, values
   * already there serve as the first operands when their types line up:
   * those may have been pushed long ago, before side effects, which is the
   * point.
   * @param {readonly number[]} types
   * @param {boolean} reuse
   * @param {number} depth
   */
  ensureArgs(types, reuse, depth) {
    let have = 0;
    if (reuse) {
      for (let j = types.length; j > 0; j--) {
        if (this.topMatches(types, j)) {
          have = j;
          break;
        }
      }
    }
    for (let k = have; k < types.length; k++) this.genValue(types[k], depth);
  }

  /**
   * Makes the current frame's values exactly `results`, as its `end`,
   * `else` or a loop's back edge needs: pushes what is missing, converts a
   * value of the wrong type, and consumes the excess (logging it, storing
   * it, combining it with the value below).
   * @param {readonly number[]} results
   */
  finish(results) {
    const frame = this.top();
    const n = results.length;
    for (;;) {
      const avail = this.stack.length - frame.height;
      if (frame.unreachable) {
        let fits = avail <= n;
        for (let i = 0; fits && i < avail; i++) fits = this.stack[frame.height + i] === results[n - avail + i];
        if (fits) return;
        this.consumeTop(true);
        continue;
      }
      let k = 0;
      while (k < avail && k < n && this.stack[frame.height + k] === results[k]) k++;
      if (k === avail) {
        if (k === n) return;
        this.genValue(results[k], this.p.exprDepth);
        continue;
      }
      if (avail - 1 === k && k < n && this.tryConvert(results[k])) continue;
      this.consumeTop(true);
    }
  }

  // ---- locals, globals, small helpers ----

  /**
   * @param {number} type
   * @param {boolean} writable
   */
  newLocal(type, writable) {
    const index = this.localTypes.length;
    this.localTypes.push(type);
    this.readable[SLOT[type]].push(index);
    if (writable) this.writable[SLOT[type]].push(index);
    return index;
  }

  /**
   * A local random code may write. Few locals per type, and often the one
   * last read, so writes hit a local that a pending value read.
   * @param {number} type
   */
  writableLocal(type) {
    const r = this.rng;
    const list = this.writable[SLOT[type]];
    if (list.length === 0 || (r.chance(0.08) && this.localTypes.length < this.p.maxLocals)) return this.newLocal(type, true);
    const last = this.lastRead[SLOT[type]];
    if (last >= 0 && r.chance(0.4) && list.includes(last)) return last;
    return r.pick(list);
  }

  /** The counter local of the loop about to open at the current loop depth. */
  counterLocal() {
    let local = this.counters[this.loopDepth];
    if (local === undefined) {
      local = this.newLocal(I32, false);
      this.counters[this.loopDepth] = local;
    }
    return local;
  }

  randomType() {
    return this.p.valueTypes[this.rng.pickCumulative(this.p.typeCumulative)];
  }

  randomNumberType() {
    const t = this.randomType();
    return isNumber(t) ? t : I32;
  }

  /** @param {readonly number[]} code */
  writeOp(code) {
    this.w.byte(code[0]);
    if (code.length > 1) this.w.u32(code[1]);
  }

  /** @param {number} index */
  writeIndex(index) {
    if (this.p.padLeb && this.rng.chance(0.3)) this.w.u32Padded(index, 5);
    else this.w.u32(index);
  }

  /**
   * What a function does when fuel or depth runs out: trap, or return zeros
   * (so later code in the caller still runs). Chosen per module.
   * @param {ByteWriter} w
   */
  writeExhausted(w) {
    if (this.p.exhaustReturn) {
      for (const t of this.func.results) writeZero(w, t);
      w.byte(Op.return);
    } else {
      w.byte(Op.unreachable);
    }
  }

  /** @param {ByteWriter} w */
  writeFuelCheck(w) {
    this.writeCountdown(w, this.m.fuelGlobal);
  }

  /** Before a call that may recurse: take one level of depth, or give up. */
  writeGuardBefore() {
    this.writeCountdown(this.w, this.m.depthGlobal);
  }

  /**
   * `if (global == 0) exhausted; global -= 1`: the fuel and depth budgets.
   * @param {ByteWriter} w
   * @param {number} global
   */
  writeCountdown(w, global) {
    w.byte(Op.global_get);
    w.u32(global);
    w.byte(Op.i32_eqz);
    w.byte(Op.if);
    w.byte(0x40);
    this.writeExhausted(w);
    w.byte(Op.end);
    w.byte(Op.global_get);
    w.u32(global);
    w.byte(Op.i32_const);
    w.byte(1);
    w.byte(Op.i32_sub);
    w.byte(Op.global_set);
    w.u32(global);
  }

  /** After the call returns (a trap ends the export call; the wrapper resets depth). */
  writeGuardAfter() {
    const w = this.w;
    const depth = this.m.depthGlobal;
    w.byte(Op.global_get);
    w.u32(depth);
    w.byte(Op.i32_const);
    w.byte(1);
    w.byte(Op.i32_add);
    w.byte(Op.global_set);
    w.u32(depth);
  }

  /**
   * `local.get c; i32.const 1; i32.sub; local.tee c; i32.const 0; i32.gt_s`:
   * true a bounded number of times, then false for good.
   * @param {number} counter
   */
  counterCondition(counter) {
    const w = this.w;
    w.byte(Op.local_get);
    w.u32(counter);
    w.byte(Op.i32_const);
    w.byte(1);
    w.byte(Op.i32_sub);
    w.byte(Op.local_tee);
    w.u32(counter);
    w.byte(Op.i32_const);
    w.byte(0);
    w.byte(Op.i32_gt_s);
    this.push(I32);
  }

  // ---- straight-line code ----

  /**
   * Steps until the budget runs out (the function body) or, for a nested
   * block, until a random stop. Dead code after a branch is kept short.
   * @param {boolean} whole
   */
  body(whole) {
    const frame = this.top();
    while (this.budget > 0) {
      this.step();
      if (!whole && this.rng.chance(this.p.blockStop)) return;
      if (frame.unreachable && this.rng.chance(0.7)) return;
    }
  }

  step() {
    this.budget--;
    if (this.avail() >= this.p.maxStack) {
      this.consumeTop(false);
      return;
    }
    STEP_KINDS[this.rng.pickCumulative(this.p.stepCumulative)].run(this);
  }

  /**
   * Pushes one value of the given type, built as a small tree in stack
   * order. Never touches values already on the stack.
   * @param {number} type
   * @param {number} depth
   */
  genValue(type, depth) {
    this.budget--;
    if (depth <= 0 || this.budget <= 0) {
      this.leaf(type);
    } else if (isReference(type)) {
      this.refValue(type, depth - 1);
    } else if (type === V128) {
      simd.valueVector(this, depth - 1);
    } else {
      VALUE_KINDS[this.rng.pickCumulative(this.p.valueCumulative)].make(this, type, depth - 1);
    }
  }

  /** @param {number} type */
  leaf(type) {
    if (isReference(type)) {
      this.refValue(type, 0);
      return;
    }
    const r = this.rng;
    const roll = r.int(10);
    const locals = this.readable[SLOT[type]];
    const globals = this.m.globalsByType[SLOT[type]];
    if (roll >= 4 && roll < 8 && locals.length > 0) {
      const local = r.pick(locals);
      this.lastRead[SLOT[type]] = local;
      this.w.byte(Op.local_get);
      this.writeIndex(local);
    } else if (roll >= 8 && globals.length > 0) {
      this.w.byte(Op.global_get);
      this.writeIndex(r.pick(globals).index);
    } else {
      writeConst(this.w, r, type);
    }
    this.push(type);
  }

  /**
   * A funcref or externref: null, a function, a local, a global, a table
   * element, or a typed select.
   * @param {number} type
   * @param {number} depth
   */
  refValue(type, depth) {
    const r = this.rng;
    const w = this.w;
    const roll = r.int(10);
    const locals = this.readable[SLOT[type]];
    const globals = this.m.globalsByType[SLOT[type]];
    const ofType = this.m.tables.filter((t) => t.elemType === type);
    if (roll < 3) {
      w.byte(Op.ref_null);
      w.byte(type);
    } else if (roll < 6 && type === FUNCREF) {
      const f = r.chance(0.8) ? r.pick(this.m.functions) : r.pick(this.m.imports);
      this.m.refFunctions.add(f.index);
      w.byte(Op.ref_func);
      this.writeIndex(f.index);
    } else if (roll < 8 && locals.length > 0) {
      w.byte(Op.local_get);
      this.writeIndex(r.pick(locals));
    } else if (roll < 9 && globals.length > 0) {
      w.byte(Op.global_get);
      this.writeIndex(r.pick(globals).index);
    } else if (depth > 0 && ofType.length > 0 && this.m.features.has('reference-types')) {
      const table = r.pick(ofType);
      tables.tableIndex(this, table, depth);
      w.byte(Op.table_get);
      w.u32(this.m.tables.indexOf(table));
      this.pop(1);
    } else if (depth > 0 && r.chance(0.5)) {
      this.valueSelect(type, depth);
      return;
    } else {
      w.byte(Op.ref_null);
      w.byte(type);
    }
    this.push(type);
  }

  /**
   * Operands for a numeric instruction. Trapping ones (division,
   * truncation) mostly get operands that cannot trap, so a trap ends an
   * export call only as often as the profile's trap rate says.
   * @param {import('./instructions.js').NumericOp} op
   * @param {number} depth
   * @param {boolean} reuse
   */
  numericOperands(op, depth, reuse) {
    if (!op.traps || this.rng.chance(this.p.trapRate)) {
      this.ensureArgs(op.params, reuse, depth);
    } else if (op.params.length === 2) {
      this.ensureArgs(op.params.slice(0, 1), reuse, depth);
      this.safeDivisor(op.params[1], depth);
    } else {
      this.safeTruncOperand(op.params[0], depth);
    }
  }

  /**
   * A divisor that is neither 0 nor -1: a constant, or `(x & 0x7fff) | 1`.
   * @param {number} type
   * @param {number} depth
   */
  safeDivisor(type, depth) {
    const r = this.rng;
    const w = this.w;
    if (r.chance(0.5)) {
      const value = r.pick(SAFE_DIVISORS);
      if (type === I32) {
        w.byte(Op.i32_const);
        w.s32(value);
      } else {
        w.byte(Op.i64_const);
        w.s64(value, value < 0 ? -1 : 0);
      }
      this.push(type);
      return;
    }
    this.genValue(type, depth);
    const wide = type === I64;
    w.byte(wide ? Op.i64_const : Op.i32_const);
    w.s32(0x7fff);
    w.byte(wide ? 0x83 : 0x71); // and
    w.byte(wide ? Op.i64_const : Op.i32_const);
    w.byte(1);
    w.byte(wide ? 0x84 : 0x72); // or
  }

  /**
   * A float that truncates to any integer type without trapping: a small
   * constant, or a converted 16-bit integer.
   * @param {number} type
   * @param {number} depth
   */
  safeTruncOperand(type, depth) {
    const r = this.rng;
    const w = this.w;
    if (r.chance(0.5)) {
      const value = r.int(1 << 20) / 256 - (r.chance(0.2) ? 0.75 : 0);
      if (type === F32) {
        w.byte(Op.f32_const);
        w.f32(f32Bits(value));
      } else {
        w.byte(Op.f64_const);
        const [lo, hi] = f64Bits(value);
        w.f64(lo, hi);
      }
      this.push(type);
      return;
    }
    this.genValue(I32, depth);
    w.byte(Op.i32_const);
    w.s32(0xffff);
    w.byte(Op.i32_and);
    w.byte(type === F32 ? 0xb2 : 0xb7); // convert_i32_s
    this.stack[this.stack.length - 1] = type;
  }

  /**
   * @param {import('./instructions.js').NumericOp[]} candidates
   * @param {number} type
   * @param {number} depth
   */
  valueNumeric(candidates, type, depth) {
    if (candidates.length === 0) {
      this.leaf(type);
      return;
    }
    const op = this.rng.pick(candidates);
    this.numericOperands(op, depth, false);
    this.writeOp(op.code);
    this.pop(op.params.length);
    this.push(op.result);
  }

  stepNumeric() {
    const op = this.rng.pick(this.ops.numeric);
    this.numericOperands(op, this.p.exprDepth, this.rng.chance(this.p.reuse));
    this.writeOp(op.code);
    this.pop(op.params.length);
    this.push(op.result);
  }

  /**
   * Replaces the top value (of another type) by a conversion to `to`.
   * Trapping conversions only at the trap rate.
   * @param {number} to
   */
  tryConvert(to) {
    const from = this.stack[this.stack.length - 1];
    if (from === V128 || to === V128) return simd.convert(this, from, to);
    if (isReference(from)) {
      if (to !== I32) return false;
      this.w.byte(Op.ref_is_null);
      this.stack[this.stack.length - 1] = I32;
      return true;
    }
    if (!isNumber(to)) return false;
    let candidates = this.ops.conversions(from, to);
    if (!this.rng.chance(this.p.trapRate)) candidates = candidates.filter((op) => !op.traps);
    if (candidates.length === 0) return false;
    this.writeOp(this.rng.pick(candidates).code);
    this.stack[this.stack.length - 1] = to;
    return true;
  }

  /**
   * Takes the top value off the stack: logs it, drops it, writes it to a
   * local or global, combines it with the value below, or selects. In
   * `finishing` mode only moves that keep the types below in place; with
   * `exact`, exactly one value goes (no select, which takes three for one).
   * @param {boolean} finishing
   * @param {boolean} [exact]
   */
  consumeTop(finishing, exact = false) {
    const r = this.rng;
    const w = this.w;
    const avail = this.avail();
    if (avail === 0) {
      // Only in unreachable code: pop a value that is not there.
      w.byte(Op.drop);
      return;
    }
    const t = this.stack[this.stack.length - 1];
    const below = avail >= 2 ? this.stack[this.stack.length - 2] : 0;
    const roll = r.int(20);
    const global = roll >= 15 && roll < 17 ? this.mutableGlobal(t) : undefined;
    if (roll < 6 && isNumber(t)) {
      w.byte(Op.call);
      w.u32(this.m.logFunction[SLOT[t]]);
      this.pop(1);
    } else if (roll < 6 && t === V128) {
      simd.logVector(this);
    } else if (roll < 10 && below === V128 && t === V128) {
      simd.combineVectors(this);
    } else if (roll < 10 && below === t && isNumber(t)) {
      let ops = this.ops.sameBinary[SLOT[t]];
      if (!r.chance(this.p.trapRate)) ops = ops.filter((op) => !op.traps);
      this.writeOp(r.pick(ops).code);
      this.pop(1);
    } else if (roll < 12 && !exact && avail >= 3 && t === I32 && below === this.stack[this.stack.length - 3]) {
      this.writeSelect(below);
      this.pop(2);
    } else if (roll < 13 && below === I32 && !finishing && this.ops.storesByType[SLOT[t]].length > 0 && r.chance(this.p.trapRate * 2)) {
      const op = r.pick(this.ops.storesByType[SLOT[t]]);
      w.byte(op.code);
      memory.memarg(this, op.size, 0, true);
      this.pop(2);
    } else if (roll < 15) {
      w.byte(Op.local_set);
      this.writeIndex(this.writableLocal(t));
      this.pop(1);
    } else if (global) {
      w.byte(Op.global_set);
      this.writeIndex(global.index);
      this.pop(1);
    } else {
      w.byte(Op.drop);
      this.pop(1);
    }
  }

  /** @param {number} type */
  mutableGlobal(type) {
    const list = this.m.globalsByType[SLOT[type]];
    for (let tries = 0; tries < 3 && list.length > 0; tries++) {
      const g = this.rng.pick(list);
      if (g.mutable) return g;
    }
    return undefined;
  }

  /** @param {number} type */
  writeSelect(type) {
    if (isReference(type) || (this.m.features.has('reference-types') && this.rng.chance(0.3))) {
      this.w.byte(Op.select_typed);
      this.w.byte(1);
      this.w.byte(type);
    } else {
      this.w.byte(Op.select);
    }
  }

  stepConsume() {
    if (this.avail() === 0) this.genValue(this.randomType(), this.p.exprDepth);
    else this.consumeTop(false);
  }

  stepLog() {
    const r = this.rng;
    const top = this.avail() > 0 ? this.stack[this.stack.length - 1] : 0;
    const t = isNumber(top) && r.chance(0.7) ? top : this.randomNumberType();
    this.ensureArgs([t], r.chance(this.p.reuse), this.p.exprDepth);
    this.w.byte(Op.call);
    this.w.u32(this.m.logFunction[SLOT[t]]);
    this.pop(1);
  }

  stepLocalSet() {
    const r = this.rng;
    const t = this.avail() > 0 && r.chance(0.7) ? this.stack[this.stack.length - 1] : this.randomType();
    this.ensureArgs([t], true, this.p.exprDepth);
    this.w.byte(Op.local_set);
    this.writeIndex(this.writableLocal(t));
    this.pop(1);
  }

  stepTee() {
    const t = this.avail() > 0 ? this.stack[this.stack.length - 1] : this.randomType();
    this.ensureArgs([t], true, this.p.exprDepth);
    this.w.byte(Op.local_tee);
    this.writeIndex(this.writableLocal(t));
    this.pop(1);
    this.push(t);
  }

  stepGlobalSet() {
    const r = this.rng;
    const t = this.avail() > 0 && r.chance(0.7) ? this.stack[this.stack.length - 1] : this.randomNumberType();
    const g = this.mutableGlobal(t);
    if (!g) {
      this.stepLog();
      return;
    }
    this.ensureArgs([t], r.chance(this.p.reuse), this.p.exprDepth);
    this.w.byte(Op.global_set);
    this.writeIndex(g.index);
    this.pop(1);
  }

  stepSelect() {
    const r = this.rng;
    const s = this.stack;
    let t = this.randomType();
    if (this.avail() >= 3 && s[s.length - 1] === I32 && s[s.length - 2] === s[s.length - 3]) t = s[s.length - 2];
    else if (this.avail() >= 2 && r.chance(0.5)) t = s[s.length - 1];
    this.ensureArgs([t, t, I32], r.chance(this.p.reuse), this.p.exprDepth);
    this.writeSelect(t);
    this.pop(3);
    this.push(t);
  }

  /**
   * @param {number} type
   * @param {number} depth
   */
  valueSelect(type, depth) {
    this.genValue(type, depth);
    this.genValue(type, depth);
    this.genValue(I32, depth);
    this.writeSelect(type);
    this.pop(3);
    this.push(type);
  }

  /**
   * @param {number} type
   * @param {number} depth
   */
  valueTee(type, depth) {
    this.genValue(type, depth);
    this.w.byte(Op.local_tee);
    this.writeIndex(this.writableLocal(type));
  }

}
