// The operand stack of the function emitter, simulated at compile time.
// Each entry is a JS expression that is either *materialised* (the stack
// variable of its depth, e.g. `si3` for an i32 at depth 3, or a constant) or
// *lazy* (an expression not yet evaluated, such as `(l0 + l1) | 0` or a
// memory load). Lazy entries let operators fold into nested expressions
// instead of one statement per instruction, which matters most in the
// interpreter (`--jitless`). The price is care about order: before any
// statement that has a side effect, may trap, or writes state a lazy entry
// reads, those entries are materialised first, in stack order, so that
// wasm's evaluation order (and which trap happens first) is kept exactly.
// The same holds for the stack variables themselves: a lazy entry built from
// entries above it reads their variables, and those depths are reused by
// later pushes, so no stack variable is written while a lazy entry that
// reads it is pending (settleReadersOfStackVars, the one place that enforces
// it).
//
// The function emitter is four layers, one file each: StackEmitter (here:
// entries, settling, and the operand side of SimdHost), MemoryEmitter
// (emit-memory.ts: loads and stores), ControlEmitter (emit-control.ts:
// frames, branches, exception handlers) and FunctionEmitter (emit-func.ts:
// instructions, locals, calls).

import { FuncType, HeapType, ValType, heapOf } from './ir.js';
import { topHeap } from './validate-types.js';
import { INTEGER_TESTS } from './emit-ops.js';
import { floatOfWord, floatWord } from './emit-simd.js';
import type { SimdOperands } from './emit-simd.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

/** What an entry's expression depends on or does. */
export const enum Flag {
  None = 0,
  /** May trap or has a side effect: must run in order with other effects. */
  Effect = 1,
  Memory = 2,
  Global = 4,
  Table = 8,
  /** Contains a call or memory.grow: may replace the memory's buffer. */
  Call = 16,
  /**
   * Contains a numeric trap (division, truncation). With Call and Table,
   * what tells effects apart from memory reads, whose traps are all alike
   * and which may run in any order among themselves.
   */
  Trap = 32,
}

/** Effects that are not memory reads: their order among themselves and with reads is observable. */
export const NOT_READS = Flag.Trap | Flag.Call | Flag.Table;

/** Flags of entries whose value depends on when they are evaluated relative to effects. */
export const DEPENDS = Flag.Effect | Flag.Memory | Flag.Global | Flag.Table;

export interface Entry {
  type: ValType;
  expr: JsNode;
  /** expr is a JS boolean (a comparison), not an i32. */
  isBool: boolean;
  flags: number;
  /** Locals the expression reads (null: none). */
  locals: number[] | null;
  /**
   * The deepest stack variable the expression reads, -1 for none. An entry
   * only ever reads variables at its own depth or deeper (see
   * settleReadersOfStackVars).
   */
  deepestVar: number;
  /** Node count, to bound expression size. */
  size: number;
  /** expr needs no evaluation: a constant, the entry's own stack variable, or (a v128 word kept as an f32) its bits read from that variable. */
  settled: boolean;
  /** Source maps: the byte offset of the instruction that pushed it, which the statement settling it maps to (-1: none). */
  offset: number;
}

export const enum FrameKind {
  Block,
  Loop,
  If,
  Function,
  /** Exception handling (emit-exceptions.ts): try_table; a legacy try's body; one of its catch arms. */
  TryTable,
  Try,
  Catch,
}

/** A frame whose code a JS `try` guards (emit-exceptions.ts): try_table with catch clauses, or a legacy try's body. */
export interface Guard {
  /** try_table: its catch clauses (Instr.targets); null for a legacy try. */
  clauses: number[] | null;
  /** The function variable the caught exnref lives in (`xB3`); a legacy rethrow reads it. */
  exn: string;
  /** Legacy delegate sites whose exceptions this handler must let pass (see emit-exceptions.ts). */
  skips: number[];
  /** Legacy try: its body, once its first catch arm has begun, and the arms (tag index, or -1 for catch_all). */
  body: JsNode[] | null;
  arms: { tag: number; body: JsNode[] }[];
}

export interface Frame {
  kind: FrameKind;
  label: string;
  used: boolean;
  params: ValType[];
  results: ValType[];
  /** Stack height at entry, below the block's params. */
  height: number;
  /** Statement list the block's statement goes into when it ends. */
  outer: JsNode[];
  body: JsNode[];
  /** if: the condition, and the then-branch while the else-branch is built. */
  test: JsNode | null;
  /** if: the param entries as they were on entry (settled), for the else arm. */
  paramEntries: Entry[] | null;
  thenBody: JsNode[] | null;
  thenEndReachable: boolean;
  unreachable: boolean;
  /** Source maps: the byte offset of the block, loop or if instruction (-1: none). */
  offset: number;
  /** Exception handling: try_table, try and catch frames (null otherwise). */
  guard: Guard | null;
}

/** Module-level facts the function emitter needs; provided by emit.ts. */
export interface ModuleEnv {
  types: FuncType[];
  /** GC (emit-gc.ts, emit-types.ts): the variables of a struct type's class (`S<i>`) and an array type's (`A<i>`). */
  structClass(typeIndex: number): string;
  arrayClass(typeIndex: number): string;
  funcType(funcIndex: number): FuncType;
  funcName(funcIndex: number): string;
  /**
   * Tail calls (emit-tail.ts): the name of a defined function's tail body
   * when it makes tail calls, null when it makes none, undefined for an
   * imported function (which may be either).
   */
  tailBody(funcIndex: number): string | null | undefined;
  /** Name of the FuncRef constant of a function (records that it is needed). */
  /** The FuncRef of a function, `rf[i]` (records that it is needed). */
  funcRef(funcIndex: number): JsNode;
  globalType(globalIndex: number): { type: ValType; mutable: boolean };
  /** Expression reading a global; `cell` globals are Global objects read through `_v`. */
  globalRead(globalIndex: number): { expr: JsNode; constant: boolean };
  globalTarget(globalIndex: number): JsNode;
  typeIdName(typeIndex: number): string;
  helper(name: string): JsNode;
  memoryView(memoryIndex: number): string;
  /** Whether a memory is a memory64 one: i64 addresses and sizes (emit-memory.ts). */
  memory64(memoryIndex: number): boolean;
  /** Whether a table is a 64-bit one: i64 indices and sizes (memory64). */
  table64(tableIndex: number): boolean;
  /**
   * The callee of a store to a memory: `dvN.setInt32`, or, tuned for
   * interpreters, the name of that method bound to the view (`dvN_setInt32`,
   * rebound on growth), which spares the interpreter a property load per
   * store (sql.js under --jitless: 4%). JIT compilers inline the DataView
   * method but not a bound function held in a variable.
   */
  storeCallee(memoryIndex: number, method: string): JsNode;
  /** Name of a typed-array view of a memory (records that it is needed). */
  typedView(memoryIndex: number, view: string): string;
  /**
   * Name of a function doing a DataView load of a memory, `dvN.method(a,
   * true)`, for the slow path of a typed-array load (records that it is
   * needed): that path runs only for unaligned or out-of-bounds addresses,
   * so a call costs nothing there, and a short name spares ~8% of the output.
   */
  slowLoader(memoryIndex: number, method: string): string;
  /**
   * Whether the output is tuned for engines with an optimizing JIT (the
   * default) rather than for interpreters. It picks, at each place it is
   * read: DataView loads or typed-array loads first (read), param hints
   * (emit), typed-array i64 stores (typedI64Store), and the numeric ops'
   * forms (variable i64 shifts).
   */
  jit: boolean;
  memoryObject(memoryIndex: number): string;
  tableObject(tableIndex: number): string;
  tableElems(tableIndex: number): string;
  /** Name of a table's call view for a function type (records that it is needed). */
  callView(tableIndex: number, typeIndex: number): string;
  tableElemType(tableIndex: number): ValType;
  /** The variable of a tag (exception handling): a Tag, matched by identity. */
  tagName(tagIndex: number): string;
  tagType(tagIndex: number): FuncType;
  dataName(dataIndex: number): string;
  elemName(elemIndex: number): string;
  /** Give statements the byte offset of the instruction they come from (`offset` on the node), for a source map. */
  sourceMap: boolean;
}

export const MAX_EXPRESSION_SIZE = 48;

export const TYPE_PREFIX: Record<number, string> = {
  [ValType.I32]: 'si',
  [ValType.I64]: 'sj',
  [ValType.F32]: 'sf',
  [ValType.F64]: 'sd',
  [ValType.FuncRef]: 'sr',
  [ValType.ExternRef]: 'se',
  [ValType.ExnRef]: 'sx',
  [ValType.V128]: 'sv', // one i32 word of a v128 (emit-simd.ts)
};

/**
 * The stack variable prefix of a type. References share one per hierarchy
 * (func, extern, exn, any), so a value and a block result or branch
 * target of a supertype land in the same variable.
 */
export function typePrefix(types: readonly FuncType[], type: ValType): string {
  const prefix = TYPE_PREFIX[type];
  if (prefix !== undefined) return prefix;
  switch (topHeap(types, heapOf(type))) {
    case HeapType.Func: return 'sr';
    case HeapType.Extern: return 'se';
    case HeapType.Exn: return 'sx';
  }
  return 'sa';
}

export function zeroValue(type: ValType): JsNode {
  switch (type) {
    case ValType.I64: return js.big(0n);
    case ValType.I32:
    case ValType.F32:
    case ValType.F64:
    case ValType.V128: return js.num(0);
    default: return js.nul(); // references
  }
}

const COMPARISONS = new Set(['===', '!==', '<', '>', '<=', '>=']);

/** `+(comparison)`, the 0/1 value of a test. */
function isTestValue(node: JsNode): boolean {
  return node.type === 'UnaryExpression' && node.operator === '+' && node.argument.type === 'BinaryExpression'
    && COMPARISONS.has(node.argument.operator);
}

function isZeroLiteral(node: JsNode): boolean {
  return node.type === 'Literal' && (node.value === 0 || node.bigint === '0');
}

/**
 * A condition in the form that costs the fewest bytecodes: an integer
 * `x === 0` is `!x` and `x !== 0` is `x`; when nothing in it can trap,
 * `+(p) | +(q)` is `p || q` and `+(p) & +(q)` is `p && q` (skipping `q` then
 * changes nothing).
 */
export function testForm(expr: JsNode, pure: boolean): JsNode {
  if (expr.type === 'BinaryExpression') {
    if (pure && (expr.operator === '|' || expr.operator === '&') && isTestValue(expr.left) && isTestValue(expr.right)) {
      return js.logical(expr.operator === '|' ? '||' : '&&', testForm(expr.left.argument, pure), testForm(expr.right.argument, pure));
    }
    if (INTEGER_TESTS.has(expr)) {
      const other = isZeroLiteral(expr.right) ? expr.left : isZeroLiteral(expr.left) ? expr.right : null;
      if (other !== null) return expr.operator === '===' ? js.un('!', other) : other;
    }
  }
  return expr;
}

export const isSimple = js.isSimple;

export abstract class StackEmitter {
  protected readonly stack: Entry[] = [];
  protected readonly frames: Frame[] = [];
  protected readonly stackVars = new Map<string, ValType>();
  /** Source maps: the byte offset of the instruction being emitted (-1 without a source map). */
  protected instrOffset = -1;

  constructor(protected readonly env: ModuleEnv) {}

  protected get stmts(): JsNode[] {
    return this.frames[this.frames.length - 1].body;
  }

  // ---- operand stack -------------------------------------------------------

  protected stackVar(depth: number, type: ValType): string {
    const name = `${typePrefix(this.env.types, type)}${depth}`;
    this.stackVars.set(name, type);
    return name;
  }

  /**
   * Pushes a lazy entry computed from `operands` (entries already popped):
   * it inherits their flags, the locals and stack variables they read, and
   * their size, plus its own `flags` and `ownSize`.
   */
  protected push(type: ValType, expr: JsNode, operands: readonly Entry[], flags: number, ownSize: number, isBool = false, locals: number[] | null = null): void {
    let size = ownSize;
    let deepestVar = -1;
    for (const operand of operands) {
      flags |= operand.flags;
      size += operand.size;
      if (operand.deepestVar > deepestVar) deepestVar = operand.deepestVar;
      if (operand.locals !== null) locals = locals === null ? operand.locals : locals.concat(operand.locals);
    }
    const entry: Entry = { type, expr, isBool, flags, locals, deepestVar, size, settled: false, offset: this.instrOffset };
    this.stack.push(entry);
    if (size > MAX_EXPRESSION_SIZE) this.settle(this.stack.length - 1);
  }

  /** Pushes a constant: it reads nothing. */
  protected pushSettled(type: ValType, expr: JsNode): void {
    this.stack.push({ type, expr, isBool: false, flags: 0, locals: null, deepestVar: -1, size: 1, settled: true, offset: -1 });
  }

  /** Pushes the stack variable of the depth it lands at. */
  protected pushStackVar(type: ValType): void {
    const depth = this.stack.length;
    this.stack.push({ type, expr: js.id(this.stackVar(depth, type)), isBool: false, flags: 0, locals: null, deepestVar: depth, size: 1, settled: true, offset: -1 });
  }

  protected pop(): Entry {
    return this.stack.pop()!;
  }

  protected popN(count: number): Entry[] {
    return this.stack.splice(this.stack.length - count, count);
  }

  /** The entry's expression as a wasm value (JS booleans become 0/1). */
  protected valueOf(entry: Entry): JsNode {
    return entry.isBool ? js.un('+', entry.expr) : entry.expr;
  }

  /** The entry's expression as a JS condition. */
  protected conditionOf(entry: Entry): JsNode {
    return testForm(entry.expr, (entry.flags & Flag.Effect) === 0);
  }

  /** Evaluates stack entry `depth` into its stack variable, as a statement here. */
  protected settle(depth: number): void {
    const entry = this.stack[depth];
    if (entry.settled) return;
    // Evaluating it now must not overtake an earlier effect it could observe.
    if ((entry.flags & DEPENDS) !== 0) {
      for (let below = 0; below < depth; below++) {
        const other = this.stack[below];
        if (!other.settled && (other.flags & Flag.Effect) !== 0) this.settle(below);
      }
    }
    // A v128 word that f32 arithmetic made is kept as the f32 it is.
    const float = entry.type === ValType.V128 ? floatOfWord(entry.expr) : undefined;
    const name = float === undefined ? this.assignStackVar(depth, entry.type, this.valueOf(entry)) : this.assignStackVar(depth, ValType.F32, float);
    // The assignment maps to the instruction that made the value (a load, a call), not to the one that settles it.
    if (entry.offset >= 0) this.stmts[this.stmts.length - 1].offset = entry.offset;
    const expr = float === undefined ? js.id(name) : floatWord((helper) => this.env.helper(helper), js.id(name));
    this.stack[depth] = { type: entry.type, expr, isBool: false, flags: 0, locals: null, deepestVar: depth, size: 1, settled: true, offset: -1 };
  }

  /**
   * `sX<depth> = value`, after settling the entries that read the variable
   * (settleReadersOfStackVars). Every write of a stack variable while lazy
   * entries may be pending goes through here; the exception is
   * assignResults, whose targets lie at or above a frame's height, where no
   * pending entry below reads them (see there).
   */
  protected assignStackVar(depth: number, type: ValType, value: JsNode): string {
    this.settleReadersOfStackVars(depth);
    const name = this.stackVar(depth, type);
    this.stmts.push(js.exprStmt(js.assign(js.id(name), value)));
    return name;
  }

  /**
   * Before the stack variables at `depth` and deeper are written: settles
   * every lazy entry below `depth` that reads one of them. A lazy entry
   * reads the variables of the entries it consumed, which all sat at its
   * depth or deeper; after it was pushed those depths were popped and can be
   * pushed and settled again. Without this, `5 (call 1) (call 2) drop add`
   * followed by another settled call at depth 1 emits `si1 = f(1); f(2);
   * si1 = f(3); return 5 + si1 | 0`. Settling an entry writes its own
   * variable in turn, so entries below it that read that one are settled
   * too: scanning downwards, the lowest depth about to be written is the
   * bound that matters. They are settled bottom-up, in wasm's order.
   */
  protected settleReadersOfStackVars(depth: number): void {
    let lowestWritten = depth;
    let readers: number[] | null = null;
    for (let below = Math.min(depth, this.stack.length) - 1; below >= 0; below--) {
      const entry = this.stack[below];
      if (!entry.settled && entry.deepestVar >= lowestWritten) {
        (readers ??= []).push(below);
        lowestWritten = below;
      }
    }
    if (readers === null) return;
    for (let i = readers.length - 1; i >= 0; i--) this.settle(readers[i]);
  }

  /** Settles, bottom to top, every lazy entry that `mustSettle` selects. */
  protected settleWhere(mustSettle: (entry: Entry) => boolean): void {
    for (let depth = 0; depth < this.stack.length; depth++) {
      const entry = this.stack[depth];
      if (!entry.settled && mustSettle(entry)) this.settle(depth);
    }
  }

  protected settleAll(): void {
    this.settleWhere(() => true);
  }

  /** Before a statement with effects: earlier effects and reads of what it may write go first. */
  protected settleBeforeEffect(writes: number): void {
    this.settleWhere((entry) => (entry.flags & (Flag.Effect | writes)) !== 0);
  }

  protected settleReadersOfLocal(local: number): void {
    this.settleWhere((entry) => entry.locals !== null && entry.locals.includes(local));
  }

  /** A trapping expression is about to be pushed: earlier effects must stay first. */
  protected settleBeforeTrap(): void {
    this.settleWhere((entry) => (entry.flags & Flag.Effect) !== 0);
  }

  // ---- SIMD (SimdHost, for emit-simd.ts) ------------------------------------------

  /** The next temporary of the current SIMD instruction: a stack depth above its operands and results. */
  protected simdTemp = 0;
  protected simdTempStart = 0;
  readonly memoryReadFlags = Flag.Effect | Flag.Memory;

  helper(name: string): JsNode {
    return this.env.helper(name);
  }

  operands(params: readonly ValType[], reuse: boolean | 'reads'): SimdOperands {
    let count = 0;
    for (const param of params) count += param === ValType.V128 ? 4 : 1;
    const top = this.stack.length;
    this.simdTemp = this.simdTempStart = top + 4;
    const start = top - count;
    // Word-wise results evaluate the operands word by word, interleaved:
    // memory reads may go in any order, but other effects must not move.
    if (reuse !== true && this.stack.slice(start).some((entry) => (entry.flags & NOT_READS) !== 0)) reuse = true;
    for (let depth = start; depth < top; depth++) {
      const entry = this.stack[depth];
      const settle = reuse === true || (reuse === 'reads' && (entry.flags & (Flag.Memory | Flag.Effect)) !== 0);
      if (settle && !isSimple(entry.expr)) this.settle(depth);
    }
    const popped = this.popN(count);
    // Temporaries go above the results and above every variable the operands
    // and the pending entries below read (writing one that a pending entry
    // reads would settle that entry).
    for (const entry of popped) if (entry.deepestVar >= this.simdTemp) this.simdTemp = entry.deepestVar + 1;
    for (const entry of this.stack) if (!entry.settled && entry.deepestVar >= this.simdTemp) this.simdTemp = entry.deepestVar + 1;
    this.simdTempStart = this.simdTemp;
    const values: JsNode[][] = [];
    const entries: Entry[][] = [];
    let next = 0;
    for (const param of params) {
      const group = popped.slice(next, next += param === ValType.V128 ? 4 : 1);
      entries.push(group);
      values.push(group.map((entry) => this.valueOf(entry)));
    }
    return { values, entries };
  }

  peek(fromTop: number): JsNode {
    return this.valueOf(this.stack[this.stack.length - 1 - fromTop]);
  }

  pushWord(expr: JsNode, from: readonly object[], flags = 0): void {
    this.push(ValType.V128, expr, from as Entry[], flags, 1);
    this.notePendingTemporaries();
  }

  pushScalar(type: ValType, expr: JsNode, from: readonly object[], isBool = false): void {
    this.push(type, expr, from as Entry[], 0, 1, isBool);
    this.notePendingTemporaries();
  }

  /** A pushed entry that may read this instruction's temporaries records the deepest. */
  protected notePendingTemporaries(): void {
    const entry = this.stack[this.stack.length - 1];
    if (!entry.settled && this.simdTemp > this.simdTempStart && entry.deepestVar < this.simdTemp - 1) entry.deepestVar = this.simdTemp - 1;
  }

  temporaries(exprs: JsNode[], type: ValType, from?: readonly object[]): JsNode[] {
    // The expressions run now: pending effects below go first (a call below
    // may write the global or memory they read, a trap below must come
    // first), unless they are pure arithmetic on entries that read nothing
    // an effect can change (an address computed from locals).
    if (from === undefined || (from as Entry[]).some((entry) => entry.flags !== 0)) this.settleBeforeTrap();
    this.settleReadersOfStackVars(this.simdTemp);
    return exprs.map((expr) => {
      const name = this.stackVar(this.simdTemp++, type);
      this.stmts.push(js.exprStmt(js.assign(js.id(name), expr)));
      return js.id(name);
    });
  }
}
