// Emits one wasm function body as a JS function declaration (ESTree).
//
// The operand stack is simulated at compile time. Each entry is a JS
// expression that is either *materialised* (the stack variable of its depth,
// e.g. `si3` for an i32 at depth 3, or a constant) or *lazy* (an expression
// not yet evaluated, such as `(l0 + l1) | 0` or a memory load). Lazy entries
// let operators fold into nested expressions instead of one statement per
// instruction, which matters most in the interpreter (`--jitless`). The price
// is care about order: before any statement that has a side effect, may trap,
// or writes state a lazy entry reads, those entries are materialised first,
// in stack order, so that wasm's evaluation order (and which trap happens
// first) is kept exactly. The same holds for the stack variables themselves:
// a lazy entry built from entries above it reads their variables, and those
// depths are reused by later pushes, so no stack variable is written while a
// lazy entry that reads it is pending (settleReadersOfStackVars, the one
// place that enforces it). Control flow becomes labeled blocks, `while (true)`
// loops, `if` and `switch`; a label is only printed when a branch uses it.
// The function is assumed valid (validate runs first).

import { Func, FuncType, Instr, ValType } from './ir.js';
import { FD_OPCODE_LIMIT, OPS, PREFIX_FC, PREFIX_FD } from './opcodes.js';
import { INTEGER_TESTS, LOADER_CALLS, MEMORY_OPS, NUMERIC_OPS, OpKind, literalU32, u32 } from './emit-ops.js';
import type { MemoryOp } from './emit-ops.js';
import { emitSimd, expandV128 } from './emit-simd.js';
import type { SimdHost, SimdOperands } from './emit-simd.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

/** What an entry's expression depends on or does. */
const enum Flag {
  None = 0,
  /** May trap or has a side effect: must run in order with other effects. */
  Effect = 1,
  Memory = 2,
  Global = 4,
  Table = 8,
  /** Contains a call or memory.grow: may replace the memory's buffer. */
  Call = 16,
}

/** Flags of entries whose value depends on when they are evaluated relative to effects. */
const DEPENDS = Flag.Effect | Flag.Memory | Flag.Global | Flag.Table;

interface Entry {
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
  /** expr needs no evaluation: a constant or the entry's own stack variable. */
  settled: boolean;
}

const enum FrameKind {
  Block,
  Loop,
  If,
  Function,
}

interface Frame {
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
}

/** Module-level facts the function emitter needs; provided by emit.ts. */
export interface ModuleEnv {
  types: FuncType[];
  funcType(funcIndex: number): FuncType;
  funcName(funcIndex: number): string;
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
  dataName(dataIndex: number): string;
  elemName(elemIndex: number): string;
}

const MAX_EXPRESSION_SIZE = 48;

const TYPE_PREFIX: Record<number, string> = {
  [ValType.I32]: 'si',
  [ValType.I64]: 'sj',
  [ValType.F32]: 'sf',
  [ValType.F64]: 'sd',
  [ValType.FuncRef]: 'sr',
  [ValType.ExternRef]: 'se',
  [ValType.V128]: 'sv', // one i32 word of a v128 (emit-simd.ts)
};

export function zeroValue(type: ValType): JsNode {
  switch (type) {
    case ValType.I64: return js.big(0n);
    case ValType.FuncRef:
    case ValType.ExternRef: return js.nul();
    default: return js.num(0);
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
function testForm(expr: JsNode, pure: boolean): JsNode {
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

export function emitFunction(env: ModuleEnv, funcIndex: number, func: Func): JsNode {
  return new FunctionEmitter(env, funcIndex, func).emit();
}

const isSimple = (e: JsNode): boolean => e.type === 'Identifier' || e.type === 'Literal'
  || (e.type === 'UnaryExpression' && e.operator === '-' && e.argument.type === 'Literal');

class FunctionEmitter implements SimdHost {
  private readonly stack: Entry[] = [];
  private readonly frames: Frame[] = [];
  private readonly stackVars = new Map<string, ValType>();
  /** The function's type with each v128 as four words (V128 entries). */
  private readonly type: FuncType;
  /** Type of each JS local (params first); a v128 local is four. */
  private readonly localTypes: ValType[];
  /** The first JS local of each wasm local, when a v128 makes them differ (else null). */
  private readonly localBase: number[] | null = null;
  /**
   * Which locals the body reads or writes: only those are declared. Eight
   * bytes of wasm can declare 50,000 locals, and their declarations would
   * otherwise be most of the output.
   */
  private readonly usedLocals: Uint8Array;
  private labelCounter = 0;
  private needsTemp = false;
  private needsAddress = false;
  private needsCopyTemps = false;
  private needsI64StoreTemp = false;
  /** i64.load expressions on the stack, with their effective address, for the store peepholes. */
  private readonly i64Loads = new WeakMap<JsNode, JsNode>();

  constructor(private readonly env: ModuleEnv, private readonly funcIndex: number, private readonly func: Func) {
    const type = env.funcType(funcIndex);
    this.type = { params: expandV128(type.params), results: expandV128(type.results) };
    this.localTypes = [...this.type.params];
    if (this.type.params !== type.params || func.locals.some((run) => run.type === ValType.V128)) {
      const base: number[] = [];
      let next = 0;
      for (const param of type.params) {
        base.push(next);
        next += param === ValType.V128 ? 4 : 1;
      }
      for (const run of func.locals) {
        for (let i = 0; i < run.count; i++) {
          base.push(next);
          next += run.type === ValType.V128 ? 4 : 1;
          this.localTypes.push(...(run.type === ValType.V128 ? [run.type, run.type, run.type, run.type] : [run.type]));
        }
      }
      this.localBase = base;
    } else {
      for (const run of func.locals) for (let i = 0; i < run.count; i++) this.localTypes.push(run.type);
    }
    this.usedLocals = new Uint8Array(this.localTypes.length);
  }

  emit(): JsNode {
    const paramCount = this.type.params.length;
    const body: JsNode[] = [];
    this.frames.push(this.frame(FrameKind.Function, [], this.type.results, body, body));
    const instrs = this.func.body;
    let skipDepth = 0;
    for (let i = 0; i < instrs.length; i++) {
      const instr = instrs[i];
      const frame = this.frames[this.frames.length - 1];
      if (frame.unreachable) {
        // Dead code up to this block's else/end: validated, never run, not emitted.
        const op = instr.op;
        if (op === 0x02 || op === 0x03 || op === 0x04) skipDepth++;
        else if (op === 0x0b && skipDepth > 0) skipDepth--;
        else if (op === 0x05 && skipDepth === 0) this.elseInstr();
        else if (op === 0x0b) this.end();
        continue;
      }
      this.instr(instr);
    }

    const declarations: [string, JsNode | null][] = [];
    for (let i = paramCount; i < this.localTypes.length; i++) {
      if (this.usedLocals[i] !== 0) declarations.push([`l${i}`, zeroValue(this.localTypes[i])]);
    }
    for (const [name, type] of this.stackVars) declarations.push([name, zeroValue(type)]);
    if (this.needsTemp) declarations.push(['tmp', null]);
    if (this.needsAddress) declarations.push(['ea', js.num(0)]);
    if (this.needsCopyTemps) declarations.push(['sa', js.num(0)], ['la', js.num(0)], ['lv', js.num(0)]);
    if (this.needsI64StoreTemp) declarations.push(['sv', js.big(0n)]);
    // Param hints, with a JIT: restate the number params, `l0 = l0 | 0` for
    // i32 and `l1 = +l1` for floats. A function the optimizing compiler
    // does not inline into its caller (reached through call_indirect, an
    // export, or too big) gets its arguments as tagged values; the
    // restatement untags them once, where they are otherwise checked at
    // each use. Measured: the calls kernel 4% faster, n-body 1.5%, sql.js
    // 2%. Interpreters gain nothing and pay the bytecodes.
    if (this.env.jit) {
      const hints: JsNode[] = [];
      for (let i = 0; i < paramCount; i++) {
        const param = js.id(`l${i}`);
        const type = this.type.params[i];
        if (type === ValType.I32 || type === ValType.V128) hints.push(js.exprStmt(js.assign(param, js.bin('|', param, js.num(0)))));
        else if (type === ValType.F32 || type === ValType.F64) hints.push(js.exprStmt(js.assign(param, js.un('+', param))));
      }
      body.unshift(...hints);
    }
    if (declarations.length > 0) body.unshift(js.decl(declarations));
    const params: string[] = [];
    for (let i = 0; i < paramCount; i++) params.push(`l${i}`);
    return js.fn(this.env.funcName(this.funcIndex), params, body);
  }

  private frame(kind: FrameKind, params: ValType[], results: ValType[], outer: JsNode[], body: JsNode[]): Frame {
    return {
      kind, label: kind === FrameKind.Function ? '' : `B${++this.labelCounter}`, used: false, params, results,
      height: this.stack.length - params.length, outer, body, test: null, paramEntries: null, thenBody: null, thenEndReachable: false, unreachable: false,
    };
  }

  private get stmts(): JsNode[] {
    return this.frames[this.frames.length - 1].body;
  }

  // ---- operand stack -------------------------------------------------------

  private stackVar(depth: number, type: ValType): string {
    const name = `${TYPE_PREFIX[type]}${depth}`;
    this.stackVars.set(name, type);
    return name;
  }

  /**
   * Pushes a lazy entry computed from `operands` (entries already popped):
   * it inherits their flags, the locals and stack variables they read, and
   * their size, plus its own `flags` and `ownSize`.
   */
  private push(type: ValType, expr: JsNode, operands: readonly Entry[], flags: number, ownSize: number, isBool = false, locals: number[] | null = null): void {
    let size = ownSize;
    let deepestVar = -1;
    for (const operand of operands) {
      flags |= operand.flags;
      size += operand.size;
      if (operand.deepestVar > deepestVar) deepestVar = operand.deepestVar;
      if (operand.locals !== null) locals = locals === null ? operand.locals : locals.concat(operand.locals);
    }
    const entry: Entry = { type, expr, isBool, flags, locals, deepestVar, size, settled: false };
    this.stack.push(entry);
    if (size > MAX_EXPRESSION_SIZE) this.settle(this.stack.length - 1);
  }

  /** Pushes a constant: it reads nothing. */
  private pushSettled(type: ValType, expr: JsNode): void {
    this.stack.push({ type, expr, isBool: false, flags: 0, locals: null, deepestVar: -1, size: 1, settled: true });
  }

  /** Pushes the stack variable of the depth it lands at. */
  private pushStackVar(type: ValType): void {
    const depth = this.stack.length;
    this.stack.push({ type, expr: js.id(this.stackVar(depth, type)), isBool: false, flags: 0, locals: null, deepestVar: depth, size: 1, settled: true });
  }

  private pop(): Entry {
    return this.stack.pop()!;
  }

  private popN(count: number): Entry[] {
    return this.stack.splice(this.stack.length - count, count);
  }

  /** The entry's expression as a wasm value (JS booleans become 0/1). */
  private valueOf(entry: Entry): JsNode {
    return entry.isBool ? js.un('+', entry.expr) : entry.expr;
  }

  /** The entry's expression as a JS condition. */
  private conditionOf(entry: Entry): JsNode {
    return testForm(entry.expr, (entry.flags & Flag.Effect) === 0);
  }

  /** Evaluates stack entry `depth` into its stack variable, as a statement here. */
  private settle(depth: number): void {
    const entry = this.stack[depth];
    if (entry.settled) return;
    // Evaluating it now must not overtake an earlier effect it could observe.
    if ((entry.flags & DEPENDS) !== 0) {
      for (let below = 0; below < depth; below++) {
        const other = this.stack[below];
        if (!other.settled && (other.flags & Flag.Effect) !== 0) this.settle(below);
      }
    }
    const name = this.assignStackVar(depth, entry.type, this.valueOf(entry));
    this.stack[depth] = { type: entry.type, expr: js.id(name), isBool: false, flags: 0, locals: null, deepestVar: depth, size: 1, settled: true };
  }

  /**
   * `sX<depth> = value`, after settling the entries that read the variable
   * (settleReadersOfStackVars). Every write of a stack variable while lazy
   * entries may be pending goes through here; the exception is
   * assignResults, whose targets lie at or above a frame's height, where no
   * pending entry below reads them (see there).
   */
  private assignStackVar(depth: number, type: ValType, value: JsNode): string {
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
  private settleReadersOfStackVars(depth: number): void {
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
  private settleWhere(mustSettle: (entry: Entry) => boolean): void {
    for (let depth = 0; depth < this.stack.length; depth++) {
      const entry = this.stack[depth];
      if (!entry.settled && mustSettle(entry)) this.settle(depth);
    }
  }

  private settleAll(): void {
    this.settleWhere(() => true);
  }

  /** Before a statement with effects: earlier effects and reads of what it may write go first. */
  private settleBeforeEffect(writes: number): void {
    this.settleWhere((entry) => (entry.flags & (Flag.Effect | writes)) !== 0);
  }

  private settleReadersOfLocal(local: number): void {
    this.settleWhere((entry) => entry.locals !== null && entry.locals.includes(local));
  }

  // ---- SIMD (SimdHost, for emit-simd.ts) ------------------------------------------

  /** The next temporary of the current SIMD instruction: a stack depth above its operands and results. */
  private simdTemp = 0;
  private simdTempStart = 0;
  readonly memoryReadFlags = Flag.Effect | Flag.Memory;

  helper(name: string): JsNode {
    return this.env.helper(name);
  }

  operands(params: readonly ValType[], reuse: boolean): SimdOperands {
    let count = 0;
    for (const param of params) count += param === ValType.V128 ? 4 : 1;
    const top = this.stack.length;
    this.simdTemp = this.simdTempStart = top + 4;
    const start = top - count;
    // Word-wise results evaluate the operands word by word: with an effect
    // among them, that would change their order.
    if (!reuse) reuse = this.stack.slice(start).some((entry) => (entry.flags & Flag.Effect) !== 0);
    if (reuse) for (let depth = start; depth < top; depth++) if (!isSimple(this.stack[depth].expr)) this.settle(depth);
    const popped = this.popN(count);
    // Temporaries go above the results and above every variable the operands read.
    for (const entry of popped) if (entry.deepestVar >= this.simdTemp) this.simdTemp = entry.deepestVar + 1;
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
  private notePendingTemporaries(): void {
    const entry = this.stack[this.stack.length - 1];
    if (!entry.settled && this.simdTemp > this.simdTempStart && entry.deepestVar < this.simdTemp - 1) entry.deepestVar = this.simdTemp - 1;
  }

  temporaries(exprs: JsNode[], mayTrap: boolean, type: ValType): JsNode[] {
    if (mayTrap) this.settleBeforeTrap();
    this.settleReadersOfStackVars(this.simdTemp);
    return exprs.map((expr) => {
      const name = this.stackVar(this.simdTemp++, type);
      this.stmts.push(js.exprStmt(js.assign(js.id(name), expr)));
      return js.id(name);
    });
  }

  memoryLoad(address: JsNode, op: string): JsNode {
    return this.read(address, MEMORY_OPS.get(op)!);
  }

  beforeStore(): void {
    this.settleBeforeEffect(Flag.Memory);
  }

  memoryStore(method: string, address: JsNode, value: JsNode): void {
    const args = method === 'setInt8' ? [address, value] : [address, value, js.bool(true)];
    this.stmts.push(js.exprStmt(js.call(this.env.storeCallee(0, method), args)));
  }

  // ---- instructions ----------------------------------------------------------

  private instr(instr: Instr): void {
    const op = instr.op;
    if (op >= PREFIX_FD && op < PREFIX_FD + FD_OPCODE_LIMIT) return emitSimd(this, instr);
    const info = OPS.get(op)!;
    const name = info.name;
    const numeric = NUMERIC_OPS.get(name);
    if (numeric !== undefined) {
      if (numeric.kind === OpKind.QuietNaN) this.settle(this.stack.length - 1);
      const args = this.popN(info.params!.length);
      const expr = numeric.build(args.map((a) => this.valueOf(a)), (helper) => this.env.helper(helper), this.env.jit);
      const effect = numeric.kind === OpKind.Trap ? Flag.Effect : 0;
      this.push(info.results![0], expr, args, effect, 1, numeric.kind === OpKind.Bool);
      return;
    }
    const memoryOp = MEMORY_OPS.get(name);
    if (memoryOp !== undefined) {
      if (info.results!.length === 1) this.load(instr, info.results![0], memoryOp);
      else this.store(instr, memoryOp);
      return;
    }
    switch (op) {
      case 0x00: // unreachable
        this.settleAll();
        this.stmts.push(js.exprStmt(js.call(this.env.helper('trap'), [js.str('unreachable')])));
        this.markUnreachable();
        return;
      case 0x01: // nop
        return;
      case 0x02: return this.block(instr, FrameKind.Block);
      case 0x03: return this.block(instr, FrameKind.Loop);
      case 0x04: return this.ifInstr(instr);
      case 0x05: return this.elseInstr();
      case 0x0b: return this.end();
      case 0x0c: return this.br(instr.index);
      case 0x0d: return this.brIf(instr.index);
      case 0x0e: return this.brTable(instr);
      case 0x0f: return this.returnInstr();
      case 0x10: return this.call(instr.index);
      case 0x11: return this.callIndirect(instr.index, instr.index2);
      case 0x1a: return this.drop();
      case 0x1b:
      case 0x1c: return this.select();
      case 0x20: return this.localGet(instr.index);
      case 0x21: return this.localSet(instr.index, false);
      case 0x22: return this.localSet(instr.index, true);
      case 0x23: return this.globalGet(instr.index);
      case 0x24: return this.globalSet(instr.index);
      case 0x25: return this.tableGet(instr.index);
      case 0x26: return this.tableSet(instr.index);
      case 0x3f: return this.memorySize(instr.index);
      case 0x40: return this.memoryGrow(instr.index);
      case 0x41: return this.pushSettled(ValType.I32, js.num(instr.value as number));
      case 0x42: return this.pushSettled(ValType.I64, js.big(instr.value as bigint));
      case 0x43: return this.floatConst(ValType.F32, instr);
      case 0x44: return this.floatConst(ValType.F64, instr);
      case 0xd0: return this.pushSettled(instr.types !== null ? instr.types[0] : (instr.index as ValType), js.nul());
      case 0xd1: {
        const ref = this.pop();
        return this.push(ValType.I32, js.bin('===', ref.expr, js.nul()), [ref], 0, 1, true);
      }
      case 0xd2: return this.push(ValType.FuncRef, this.env.funcRef(instr.index), [], 0, 2);
      case PREFIX_FC | 8: return this.bulk('memoryInit', [js.id(this.env.memoryObject(instr.index2)), js.id(this.env.dataName(instr.index))], Flag.Memory);
      case PREFIX_FC | 9: return this.dropSegment(this.env.dataName(instr.index));
      case PREFIX_FC | 10: return this.bulk('memoryCopy', [js.id(this.env.memoryObject(instr.index)), js.id(this.env.memoryObject(instr.index2))], Flag.Memory);
      case PREFIX_FC | 11: return this.bulk('memoryFill', [js.id(this.env.memoryObject(instr.index))], Flag.Memory);
      case PREFIX_FC | 12: return this.bulk('tableInit', [js.id(this.env.tableObject(instr.index2)), js.id(this.env.elemName(instr.index))], Flag.Table);
      case PREFIX_FC | 13: return this.dropSegment(this.env.elemName(instr.index));
      case PREFIX_FC | 14: return this.bulk('tableCopy', [js.id(this.env.tableObject(instr.index)), js.id(this.env.tableObject(instr.index2))], Flag.Table);
      case PREFIX_FC | 15: return this.tableGrow(instr.index);
      case PREFIX_FC | 16: return this.push(ValType.I32, js.member(js.id(this.env.tableElems(instr.index)), 'length'), [], Flag.Table, 2);
      case PREFIX_FC | 17: return this.bulk('tableFill', [js.id(this.env.tableObject(instr.index))], Flag.Table, 3);
    }
    throw new Error(`emit: no code generation for ${name}`);
  }

  /** A trapping expression is about to be pushed: earlier effects must stay first. */
  private settleBeforeTrap(): void {
    this.settleWhere((entry) => (entry.flags & Flag.Effect) !== 0);
  }

  private floatConst(type: ValType, instr: Instr): void {
    const value = instr.value as number;
    if (value === value) return this.pushSettled(type, js.num(value));
    // NaN: rebuild it from its bits so the payload survives.
    const expr = type === ValType.F32
      ? js.call(this.env.helper('f32ReinterpretI32'), [js.num((instr.bits as number) | 0)])
      : js.call(this.env.helper('f64ReinterpretI64'), [js.big(BigInt.asIntN(64, instr.bits as bigint))]);
    this.push(type, expr, [], 0, 2);
  }

  private address(instr: Instr, addr: Entry): JsNode {
    const base = this.valueOf(addr);
    const constant = literalU32(base);
    if (constant !== undefined) return js.num(constant + instr.memOffset);
    const unsigned = u32(base);
    return instr.memOffset === 0 ? unsigned : js.bin('+', unsigned, js.num(instr.memOffset));
  }

  private load(instr: Instr, type: ValType, memoryOp: MemoryOp): void {
    // `dvN.get...(addr)` reads dvN before addr: an address that can grow
    // memory is evaluated first.
    if ((this.stack[this.stack.length - 1].flags & Flag.Call) !== 0) this.settle(this.stack.length - 1);
    const addr = this.pop();
    const address = this.address(instr, addr);
    let expr = this.read(address, memoryOp);
    if (memoryOp.load) expr = memoryOp.load(expr);
    if (memoryOp.loadHelper) expr = js.call(this.env.helper(memoryOp.loadHelper), [expr]);
    if (memoryOp.width === 8 && type === ValType.I64) this.i64Loads.set(expr, address);
    this.push(type, expr, [addr], Flag.Effect | Flag.Memory, 3);
  }

  /**
   * A read of memory 0, through a typed array first where that pays: every
   * load tuned for interpreters, i64 loads with a JIT too (V8's optimizing
   * compiler inlines BigInt64Array reads but calls out for DataView's
   * getBigInt64, which also boxes the value).
   */
  private read(address: JsNode, memoryOp: MemoryOp): JsNode {
    return memoryOp.view !== undefined && (!this.env.jit || memoryOp.view === 'BigInt64Array')
      ? this.typedLoad(address, memoryOp)
      : this.dataViewLoad(address, memoryOp);
  }

  private dataViewLoad(address: JsNode, memoryOp: MemoryOp): JsNode {
    const args = [address];
    if (memoryOp.littleEndian) args.push(js.bool(true));
    return js.call(js.member(js.id(this.env.memoryView(0)), memoryOp.method), args);
  }

  /**
   * `view[ea / width] ?? dv.get(ea)`: a typed array yields undefined for an
   * index past its end or a fractional one (an unaligned address), and the
   * DataView read then does the unaligned access or throws the trap.
   */
  private typedLoad(address: JsNode, memoryOp: MemoryOp): JsNode {
    const view = js.id(this.env.typedView(0, memoryOp.view!));
    const width = memoryOp.width;
    if (address.type === 'Identifier') {
      const index = width === 1 ? address : js.bin('/', address, js.num(width));
      return js.logical('??', js.index(view, index), this.slowLoad(address, memoryOp));
    }
    if (address.type === 'Literal') {
      const value = address.value as number;
      if (value % width !== 0) return this.dataViewLoad(address, memoryOp);
      return js.logical('??', js.index(view, js.num(value / width)), this.slowLoad(address, memoryOp));
    }
    const unsignedLocal = (node: JsNode): boolean => node.type === 'BinaryExpression' && node.operator === '>>>'
      && node.left.type === 'Identifier' && node.right.type === 'Literal' && node.right.value === 0;
    if (unsignedLocal(address)) {
      // Offset 0: a negative local is a negative index, undefined like any
      // other miss, so the unsigned conversion is only needed on the slow path.
      const local = address.left;
      return js.logical('??', js.index(view, width === 1 ? local : js.bin('/', local, js.num(width))), this.slowLoad(address, memoryOp));
    }
    this.needsAddress = true;
    const assigned = js.assign(js.id('ea'), address);
    const index = width === 1 ? assigned : js.bin('/', assigned, js.num(width));
    return js.logical('??', js.index(view, index), this.slowLoad(js.id('ea'), memoryOp));
  }

  /** The slow path of a typed-array load: the DataView read, through the memory's loader function. */
  private slowLoad(address: JsNode, memoryOp: MemoryOp): JsNode {
    const call = js.call(js.id(this.env.slowLoader(0, memoryOp.method)), [address]);
    LOADER_CALLS.set(call, memoryOp.method); // its value range, for the i64 peepholes
    return call;
  }

  private store(instr: Instr, memoryOp: MemoryOp): void {
    const top = this.stack.length;
    if (((this.stack[top - 2].flags | this.stack[top - 1].flags) & Flag.Call) !== 0) {
      this.settle(top - 2);
      this.settle(top - 1);
    }
    const [addr, value] = this.popN(2);
    this.settleBeforeEffect(Flag.Memory);
    let stored = this.valueOf(value);
    // Only i64 stores take a typed array (see typedI64Store): for the other
    // widths V8 inlines the DataView call, and telling whether the typed
    // store would be in bounds costs more than the call.
    if (memoryOp.method === 'setBigInt64' && this.storeI64AsWords(instr, addr, stored)) return;
    if (memoryOp.method === 'setBigInt64' && this.env.jit) {
      this.typedI64Store(this.address(instr, addr), stored);
      return;
    }
    if (memoryOp.store) stored = memoryOp.store(stored, (name) => this.env.helper(name));
    if (memoryOp.storeHelper) stored = js.call(this.env.helper(memoryOp.storeHelper), [stored]);
    const args = [this.address(instr, addr), stored];
    if (memoryOp.littleEndian) args.push(js.bool(true));
    this.stmts.push(js.exprStmt(js.call(this.env.storeCallee(0, memoryOp.method), args)));
  }

  /**
   * An i64.store through the BigInt64Array when the address is aligned and
   * in bounds, else through the DataView, which does the unaligned store or
   * throws the trap: V8's optimizing compiler inlines the typed-array store,
   * but calls out for setBigInt64 (2.5x slower in a loop of stores). Not for
   * interpreters, where the test costs more than the call. On a big-endian
   * host the view is empty and every store takes the DataView.
   */
  private typedI64Store(address: JsNode, value: JsNode): void {
    const view = js.id(this.env.typedView(0, 'BigInt64Array'));
    if (address.type === 'Literal' && (address.value as number) % 8 !== 0) {
      this.stmts.push(js.exprStmt(js.call(this.env.storeCallee(0, 'setBigInt64'), [address, value, js.bool(true)])));
      return;
    }
    // Both are read twice: into temps, the address first, as wasm evaluates it.
    if (address.type !== 'Literal') {
      this.needsCopyTemps = true;
      this.stmts.push(js.exprStmt(js.assign(js.id('sa'), address)));
      address = js.id('sa');
    }
    if (value.type !== 'Identifier' && value.type !== 'Literal') {
      this.needsI64StoreTemp = true;
      this.stmts.push(js.exprStmt(js.assign(js.id('sv'), value)));
      value = js.id('sv');
    }
    const index = (): JsNode => (address.type === 'Literal' ? js.num((address.value as number) / 8) : js.bin('/', address, js.num(8)));
    const inBounds = js.bin('<', index(), js.member(view, 'length'));
    const test = address.type === 'Literal' ? inBounds : js.logical('&&', js.bin('===', js.bin('&', address, js.num(7)), js.num(0)), inBounds);
    const fast = js.exprStmt(js.assign(js.index(view, index()), value));
    const slow = js.exprStmt(js.call(this.env.storeCallee(0, 'setBigInt64'), [address, value, js.bool(true)]));
    this.stmts.push(js.ifStmt(test, js.block([fast]), js.block([slow])));
  }

  /**
   * An i64.store of a constant or of an i64.load, as 32-bit accesses: no
   * BigInt is made, and engines inline the int32 DataView calls but not the
   * BigInt64 ones. The high word is stored first: it is the one that fails
   * when the 8 bytes do not fit, so a trapping store writes nothing. A copy
   * reads both source words before it writes, so overlapping ranges behave.
   */
  private storeI64AsWords(instr: Instr, addr: Entry, stored: JsNode): boolean {
    const literal = stored.type === 'UnaryExpression' && stored.operator === '-' ? stored.argument : stored;
    const constant = literal.type === 'Literal' && typeof literal.bigint === 'string';
    const source = constant ? undefined : this.i64Loads.get(stored);
    if (!constant && source === undefined) return false;
    const word = (address: JsNode, plus: number): JsNode => (plus === 0 ? address : address.type === 'Literal'
      ? js.num((address.value as number) + plus) : js.bin('+', address, js.num(plus)));
    const setWord = (address: JsNode, value: JsNode): void => {
      this.stmts.push(js.exprStmt(js.call(this.env.storeCallee(0, 'setInt32'), [address, value, js.bool(true)])));
    };
    let target = this.address(instr, addr);
    if (constant) {
      const bits = BigInt.asUintN(64, (literal === stored ? 1n : -1n) * BigInt(literal.bigint));
      const hi = js.num(Number(BigInt.asIntN(32, bits >> 32n)));
      const lo = js.num(Number(BigInt.asIntN(32, bits)));
      if (target.type === 'Literal') {
        setWord(word(target, 4), hi);
        setWord(target, lo);
      } else {
        this.needsCopyTemps = true;
        this.stmts.push(js.exprStmt(js.assign(js.id('sa'), target)));
        setWord(js.bin('+', js.id('sa'), js.num(4)), hi);
        setWord(js.id('sa'), lo);
      }
      return true;
    }
    this.needsCopyTemps = true;
    const i32Load = MEMORY_OPS.get('i32.load')!;
    const readWord = (address: JsNode): JsNode => this.read(address, i32Load);
    if (target.type !== 'Literal') {
      this.stmts.push(js.exprStmt(js.assign(js.id('sa'), target)));
      target = js.id('sa');
    }
    let from = source!;
    if (from.type !== 'Literal') {
      this.stmts.push(js.exprStmt(js.assign(js.id('la'), from)));
      from = js.id('la');
    }
    this.stmts.push(js.exprStmt(js.assign(js.id('lv'), readWord(from))));
    setWord(word(target, 4), readWord(word(from, 4)));
    setWord(target, js.id('lv'));
    return true;
  }

  private memorySize(memory: number): void {
    const bytes = js.member(js.id(this.env.memoryView(memory)), 'byteLength');
    this.push(ValType.I32, js.bin('/', bytes, js.num(65536)), [], Flag.Memory, 3);
  }

  private memoryGrow(memory: number): void {
    const delta = this.pop();
    this.settleBeforeEffect(Flag.Memory);
    const grow = js.call(js.member(js.id(this.env.memoryObject(memory)), '_grow'), [u32(this.valueOf(delta))]);
    this.push(ValType.I32, grow, [delta], Flag.Effect | Flag.Memory | Flag.Call, 2);
  }

  private bulk(helper: string, leading: JsNode[], writes: number, operands = 3): void {
    const args = this.popN(operands);
    this.settleBeforeEffect(writes);
    this.stmts.push(js.exprStmt(js.call(this.env.helper(helper), [...leading, ...args.map((a) => this.valueOf(a))])));
  }

  private dropSegment(name: string): void {
    // Pending calls and traps come first: a call may still init from the
    // segment, and a trap must leave it in place.
    this.settleBeforeTrap();
    this.stmts.push(js.exprStmt(js.assign(js.id(name), js.nul())));
  }

  private tableGet(table: number): void {
    const index = this.pop();
    const expr = js.call(this.env.helper('tableGet'), [js.id(this.env.tableObject(table)), this.valueOf(index)]);
    this.push(this.elemTypeOf(table), expr, [index], Flag.Effect | Flag.Table, 2);
  }

  private tableSet(table: number): void {
    const [index, value] = this.popN(2);
    this.settleBeforeEffect(Flag.Table);
    this.stmts.push(js.exprStmt(js.call(this.env.helper('tableSet'), [js.id(this.env.tableObject(table)), this.valueOf(index), this.valueOf(value)])));
  }

  private tableGrow(table: number): void {
    const [init, delta] = this.popN(2);
    this.settleBeforeEffect(Flag.Table);
    const grow = js.call(js.member(js.id(this.env.tableObject(table)), '_grow'), [u32(this.valueOf(delta)), this.valueOf(init)]);
    this.push(ValType.I32, grow, [init, delta], Flag.Effect | Flag.Table, 2);
  }

  private elemTypeOf(table: number): ValType {
    return this.env.tableElemType(table);
  }

  /** The JS locals of a wasm local: one, or four for a v128. */
  private jsLocals(local: number): number[] {
    if (this.localBase === null) return [local];
    const first = this.localBase[local];
    return this.localTypes[first] === ValType.V128 ? [first, first + 1, first + 2, first + 3] : [first];
  }

  private localGet(wasmLocal: number): void {
    for (const local of this.jsLocals(wasmLocal)) {
      this.usedLocals[local] = 1;
      this.push(this.localTypes[local], js.id(`l${local}`), [], 0, 1, false, [local]);
    }
  }

  private localSet(wasmLocal: number, tee: boolean): void {
    const locals = this.jsLocals(wasmLocal);
    const values = this.popN(locals.length);
    for (const local of locals) this.settleReadersOfLocal(local);
    if (values.some((value) => (value.flags & DEPENDS) !== 0)) this.settleBeforeTrap();
    locals.forEach((local, i) => {
      this.usedLocals[local] = 1;
      this.stmts.push(js.exprStmt(js.assign(js.id(`l${local}`), this.valueOf(values[i]))));
    });
    if (tee) this.localGet(wasmLocal);
  }

  private globalGet(global: number): void {
    const read = this.env.globalRead(global);
    const { type } = this.env.globalType(global);
    if (type === ValType.V128) {
      // An array of four words, replaced (never changed) by global.set.
      for (let k = 0; k < 4; k++) this.push(type, js.index(read.expr, js.num(k)), [], read.constant ? 0 : Flag.Global, 2);
    } else if (read.constant) {
      this.pushSettled(type, read.expr);
    } else {
      this.push(type, read.expr, [], Flag.Global, 2);
    }
  }

  private globalSet(global: number): void {
    const { type } = this.env.globalType(global);
    const values = this.popN(type === ValType.V128 ? 4 : 1);
    this.settleBeforeEffect(Flag.Global);
    const value = type === ValType.V128 ? js.arr(values.map((v) => this.valueOf(v))) : this.valueOf(values[0]);
    this.stmts.push(js.exprStmt(js.assign(this.env.globalTarget(global), value)));
  }

  private drop(): void {
    const count = this.stack[this.stack.length - 1].type === ValType.V128 ? 4 : 1;
    for (const entry of this.popN(count)) {
      if (!entry.settled && (entry.flags & Flag.Effect) !== 0) {
        this.settleBeforeTrap();
        this.stmts.push(js.exprStmt(entry.expr));
      }
    }
  }

  private select(): void {
    const top = this.stack.length;
    const width = this.stack[top - 2].type === ValType.V128 ? 4 : 1;
    // Both operands were evaluated by wasm; a conditional evaluates only one.
    if (this.stack.slice(top - 1 - 2 * width, top - 1).some((entry) => (entry.flags & Flag.Effect) !== 0)) this.settleBeforeTrap();
    // A v128's condition is read once per word.
    if (width === 4 && !isSimple(this.stack[top - 1].expr)) this.settle(top - 1);
    const c = this.pop();
    const operands = this.popN(2 * width);
    for (let k = 0; k < width; k++) {
      const a = operands[k];
      const b = operands[width + k];
      this.push(a.type, js.cond(this.conditionOf(c), this.valueOf(a), this.valueOf(b)), [a, b, c], 0, 1);
    }
  }

  /** Pops `count` call arguments. The callee may write memory, globals and tables, and is an effect itself. */
  private callArgs(count: number): Entry[] {
    const args = this.popN(count);
    this.settleBeforeEffect(Flag.Memory | Flag.Global | Flag.Table);
    return args;
  }

  private pushCallResults(results: ValType[], expr: JsNode, operands: Entry[]): void {
    if (results.length === 0) {
      this.stmts.push(js.exprStmt(expr));
    } else if (results.length === 1) {
      this.push(results[0], expr, operands, Flag.Effect | Flag.Memory | Flag.Global | Flag.Table | Flag.Call, 1);
    } else {
      // The results land in the stack variables from this depth up; what is
      // still lazy below reads nothing the call can change, so it may settle
      // before the call as well as after it.
      this.needsTemp = true;
      this.settleReadersOfStackVars(this.stack.length);
      this.stmts.push(js.exprStmt(js.assign(js.id('tmp'), expr)));
      for (let i = 0; i < results.length; i++) {
        this.assignStackVar(this.stack.length, results[i], js.index(js.id('tmp'), js.num(i)));
        this.pushStackVar(results[i]);
      }
    }
  }

  private call(funcIndex: number): void {
    const type = this.funcType(funcIndex);
    const args = this.callArgs(type.params.length);
    this.pushCallResults(type.results, js.call(js.id(this.env.funcName(funcIndex)), args.map((a) => this.valueOf(a))), args);
  }

  private callIndirect(typeIndex: number, table: number): void {
    const type = this.typeOf(typeIndex);
    // JS evaluates the callee (index and checks) before the arguments; wasm
    // evaluates the arguments first, so effectful arguments are settled.
    if (this.stack.slice(this.stack.length - type.params.length - 1).some((e) => (e.flags & Flag.Effect) !== 0)) this.settleBeforeTrap();
    const index = this.pop();
    const args = this.callArgs(type.params.length);
    // `(ctN_T[index] ?? callIndirectTrap())(args)`: the table's call view
    // for the type (runtime/table.ts) traps on null and type mismatches and
    // reads undefined past the end, negative indices included.
    const view = js.id(this.env.callView(table, typeIndex));
    const callee = js.logical('??', js.index(view, this.valueOf(index)), js.call(this.env.helper('callIndirectTrap'), []));
    const call = js.call(callee, args.map((a) => this.valueOf(a)));
    this.pushCallResults(type.results, call, [...args, index]);
  }

  // ---- control -----------------------------------------------------------------

  private blockType(instr: Instr): FuncType {
    const type = instr.blockType;
    if (type === null) return { params: [], results: [] };
    return { params: expandV128(type.params), results: expandV128(type.results) };
  }

  /** A function type with each v128 as four words. */
  private typeOf(typeIndex: number): FuncType {
    const type = this.env.types[typeIndex];
    return { params: expandV128(type.params), results: expandV128(type.results) };
  }

  private funcType(funcIndex: number): FuncType {
    const type = this.env.funcType(funcIndex);
    return { params: expandV128(type.params), results: expandV128(type.results) };
  }

  private block(instr: Instr, kind: FrameKind.Block | FrameKind.Loop): void {
    const type = this.blockType(instr);
    // Everything below and the block's params become variables: code inside the
    // block may settle them on one path only, or (loops) run more than once.
    this.settleAll();
    if (kind === FrameKind.Loop) {
      // A branch back to the loop writes its params' variables, so they must
      // live there from the start, constants included.
      const height = this.stack.length - type.params.length;
      this.assignResults(type.params, height);
      this.resetStackTo(height, type.params);
    }
    const body: JsNode[] = [];
    this.frames.push(this.frame(kind, type.params, type.results, this.stmts, body));
  }

  private ifInstr(instr: Instr): void {
    const type = this.blockType(instr);
    const condition = this.pop();
    this.settleAll();
    if (type.params.length > 0) {
      // Without an else arm, the params fall through as the results, which are
      // read from their variables after the if.
      const height = this.stack.length - type.params.length;
      this.assignResults(type.params, height);
      this.resetStackTo(height, type.params);
    }
    const body: JsNode[] = [];
    const frame = this.frame(FrameKind.If, type.params, type.results, this.stmts, body);
    frame.test = this.conditionOf(condition);
    // Settled entries (constants, variables) can be read again by the else arm.
    frame.paramEntries = this.stack.slice(frame.height);
    this.frames.push(frame);
  }

  /**
   * Moves the top `types.length` entries into the variables at `height`.
   * These writes skip settleReadersOfStackVars: every entry below a frame's
   * height was settled when the frame was entered (so it reads only its own
   * variable), and each moved entry reads variables at its own depth or
   * deeper, which no earlier move of the same list has written.
   */
  private assignResults(types: ValType[], height: number): void {
    const count = types.length;
    const start = this.stack.length - count;
    for (let i = 0; i < count; i++) {
      const entry = this.stack[start + i];
      const target = this.stackVar(height + i, types[i]);
      if (entry.settled && entry.expr.type === 'Identifier' && entry.expr.name === target) continue;
      this.stmts.push(js.exprStmt(js.assign(js.id(target), this.valueOf(entry))));
    }
  }

  private resetStackTo(height: number, types: ValType[]): void {
    this.stack.length = height;
    for (let i = 0; i < types.length; i++) this.pushStackVar(types[i]);
  }

  private elseInstr(): void {
    const frame = this.frames[this.frames.length - 1];
    const reachable = !frame.unreachable;
    if (reachable) {
      this.settleWhere((entry) => (entry.flags & Flag.Effect) !== 0);
      this.assignResults(frame.results, frame.height);
    }
    frame.thenEndReachable = reachable;
    frame.thenBody = frame.body;
    frame.body = [];
    frame.unreachable = false;
    this.stack.length = frame.height;
    for (const entry of frame.paramEntries!) this.stack.push(entry);
  }

  private end(): void {
    const frame = this.frames[this.frames.length - 1];
    const reachable = !frame.unreachable;
    if (frame.kind === FrameKind.Function) {
      if (reachable) this.returnInstr();
      this.frames.pop();
      return;
    }
    // Results go into their variables when the block is entered from more than
    // one place (a branch, both arms of an if); otherwise they may stay lazy.
    const merges = frame.used || frame.kind === FrameKind.If;
    if (reachable && (merges || frame.kind === FrameKind.Loop)) {
      this.settleWhere((entry) => (entry.flags & Flag.Effect) !== 0);
      this.assignResults(frame.results, frame.height);
    }
    if (reachable && frame.kind === FrameKind.Loop && frame.used) frame.body.push(js.brk(frame.label));
    this.frames.pop();
    const outer = frame.outer;

    let statement: JsNode | null;
    if (frame.kind === FrameKind.Block) {
      statement = frame.used ? js.labeled(frame.label, js.block(frame.body)) : null;
      if (statement === null) for (const inner of frame.body) outer.push(inner);
    } else if (frame.kind === FrameKind.Loop) {
      // A `continue` to this loop as its last statement is what falling off
      // the end of `while (true)` does anyway; interpreters run it as a jump.
      const last = frame.body[frame.body.length - 1];
      if (last !== undefined && last.type === 'ContinueStatement' && last.label.name === frame.label) frame.body.pop();
      statement = frame.used ? js.labeled(frame.label, js.whileTrue(js.block(frame.body))) : null;
      if (statement === null) for (const inner of frame.body) outer.push(inner);
    } else {
      let consequent: JsNode[];
      let alternate: JsNode[] | null;
      if (frame.thenBody !== null) {
        consequent = frame.thenBody;
        alternate = frame.body;
      } else {
        consequent = frame.body;
        alternate = null;
        frame.thenEndReachable = reachable;
      }
      const ifNode = js.ifStmt(frame.test!, js.block(consequent), alternate !== null && alternate.length > 0 ? js.block(alternate) : null);
      statement = frame.used ? js.labeled(frame.label, ifNode) : ifNode;
    }
    if (statement !== null) outer.push(statement);

    // After the block: reachable if its end was, or a branch targeted it, or
    // an if without else (the implicit else falls through).
    const endReachable = reachable || frame.used ||
      (frame.kind === FrameKind.If && (frame.thenEndReachable || frame.thenBody === null));
    if (!endReachable) {
      this.stack.length = frame.height;
      this.markUnreachable();
      return;
    }
    if (!merges && frame.kind !== FrameKind.Loop && reachable) return; // lazy results stay on the stack
    this.resetStackTo(frame.height, frame.results);
  }

  private markUnreachable(): void {
    this.frames[this.frames.length - 1].unreachable = true;
  }

  /** Statements that transfer control to the frame `depth` labels up, with its values on the stack. */
  private branchTo(depth: number): JsNode[] {
    const target = this.frames[this.frames.length - 1 - depth];
    if (target.kind === FrameKind.Function) return [this.returnStatement()];
    target.used = true;
    const types = target.kind === FrameKind.Loop ? target.params : target.results;
    const saved = this.stmts.length;
    this.assignResults(types, target.height);
    const moves = this.stmts.splice(saved);
    moves.push(target.kind === FrameKind.Loop ? js.cont(target.label) : js.brk(target.label));
    return moves;
  }

  private br(depth: number): void {
    this.settleWhere((entry) => (entry.flags & Flag.Effect) !== 0);
    for (const move of this.branchTo(depth)) this.stmts.push(move);
    this.markUnreachable();
  }

  private brIf(depth: number): void {
    const condition = this.pop();
    // The branch values stay on the stack when the branch is not taken, so
    // they are evaluated once, before the condition.
    this.settleAll();
    const moves = this.branchTo(depth);
    this.stmts.push(js.ifStmt(this.conditionOf(condition), moves.length === 1 ? moves[0] : js.block(moves), null));
  }

  private brTable(instr: Instr): void {
    const index = this.pop();
    this.settleAll();
    const targets = instr.targets!;
    const groups = new Map<number, number[]>();
    targets.forEach((target, i) => {
      if (target === instr.index) return; // falls to default
      const cases = groups.get(target);
      if (cases) cases.push(i);
      else groups.set(target, [i]);
    });
    const cases: { test: JsNode | null; body: JsNode[] }[] = [];
    for (const [target, values] of groups) {
      for (let i = 0; i < values.length - 1; i++) cases.push({ test: js.num(values[i]), body: [] });
      cases.push({ test: js.num(values[values.length - 1]), body: this.branchTo(target) });
    }
    const defaultMoves = this.branchTo(instr.index);
    if (cases.length === 0) {
      this.stmts.push(js.exprStmt(this.valueOf(index)));
      for (const move of defaultMoves) this.stmts.push(move);
    } else {
      cases.push({ test: null, body: defaultMoves });
      this.stmts.push(js.switchStmt(this.valueOf(index), cases));
    }
    this.markUnreachable();
  }

  private returnStatement(): JsNode {
    const results = this.type.results;
    const values = this.stack.slice(this.stack.length - results.length).map((e) => this.valueOf(e));
    if (results.length === 0) return js.ret(null);
    if (results.length === 1) return js.ret(values[0]);
    // V8 stores an array literal of numbers as raw doubles and sets the
    // quiet bit of a signalling NaN on the way in; a trailing null keeps
    // the array one of tagged values, whose numbers keep every bit.
    if (results.some((type) => type === ValType.F32 || type === ValType.F64)) values.push(js.nul());
    return js.ret(js.arr(values));
  }

  private returnInstr(): void {
    const results = this.type.results.length;
    // Lazy entries below the results are dropped by return; their traps must still happen.
    const keep = this.stack.length - results;
    for (let depth = 0; depth < keep; depth++) {
      const entry = this.stack[depth];
      if (!entry.settled && (entry.flags & Flag.Effect) !== 0) this.settle(depth);
    }
    this.stmts.push(this.returnStatement());
    this.markUnreachable();
  }
}
