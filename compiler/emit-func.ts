// Emits one wasm function body as a JS function declaration (ESTree): the
// instructions, locals, globals, calls and tables, over the operand stack
// (emit-stack.ts, which explains how entries are folded and settled), the
// memory accesses (emit-memory.ts) and control flow (emit-control.ts). The
// function is assumed valid (validate runs first).

import { Func, FuncType, Instr, ValType, isNullable } from './ir.js';
import { FD_OPCODE_LIMIT, OPS, PREFIX_FC, PREFIX_FD } from './opcodes.js';
import { F32_ARITHMETIC, MEMORY_OPS, NUMERIC_OPS, OpKind, u32 } from './emit-ops.js';
import { emitSimd, expandV128, floatLocals, floatOfConstant, floatOfWord, floatWord, shadowedWord } from './emit-simd.js';
import type { FloatLocalForm, SimdHost } from './emit-simd.js';
import { DEPENDS, Entry, Flag, FrameKind, ModuleEnv, isSimple, zeroValue } from './emit-stack.js';
import { GcEmitter } from './emit-gc.js';
import { directTailCall, indirectTailCall } from './emit-tail.js';
import { DELEGATE_VAR, throwStatement } from './emit-exceptions.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

export type { ModuleEnv } from './emit-stack.js';
export { zeroValue } from './emit-stack.js';

export function emitFunction(env: ModuleEnv, funcIndex: number, func: Func): JsNode {
  return new FunctionEmitter(env, funcIndex, func).emit();
}

class FunctionEmitter extends GcEmitter implements SimdHost {
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
  private needsTemp = false;
  /** v128 locals that hold f32 values instead of or beside their bits (emit-simd.ts, floatLocals). */
  private readonly floatLocals: Map<number, FloatLocalForm> | null = null;
  /** JS locals of 'dual' float locals whose f32 shadow `lf<i>` is used. */
  private readonly usedShadows = new Set<number>();
  /**
   * Self tail calls (`return_call` of this function): each becomes new
   * param values and a jump back to the top of the body, a loop labeled
   * `tail`; these blocks are filled, once the declared locals are known,
   * with the resets that give the locals their zero values again.
   */
  private readonly selfTailResets: JsNode[] = [];
  /** The temporaries self tail calls pass arguments through (`tcN` for param N). */
  private readonly selfTailTemps = new Set<string>();
  /** JS locals read somewhere (not folded), and those given a constant somewhere: see dropDeadConstantStores. */
  private readonly readLocals = new Set<number>();
  private readonly constantStores = new Set<number>();

  constructor(env: ModuleEnv, private readonly funcIndex: number, private readonly func: Func) {
    super(env);
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
      if (func.locals.some((run) => run.type === ValType.V128)) {
        const wasmType = (local: number): ValType => this.localTypes[base[local]];
        this.floatLocals = floatLocals(func.body, wasmType, type.params.length);
      }
    } else {
      for (const run of func.locals) for (let i = 0; i < run.count; i++) this.localTypes.push(run.type);
    }
    this.usedLocals = new Uint8Array(this.localTypes.length);
  }

  protected resultTypes(): ValType[] {
    return this.type.results;
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
        if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x06 || op === 0x1f) skipDepth++;
        else if ((op === 0x0b || op === 0x18) && skipDepth > 0) skipDepth--; // delegate ends a try too
        else if (op === 0x05 && skipDepth === 0) this.elseInstr();
        else if ((op === 0x07 || op === 0x19) && skipDepth === 0) this.catchInstr(op === 0x07 ? instr.index : -1);
        else if (op === 0x18) this.delegate(instr.index);
        else if (op === 0x0b) this.end();
        continue;
      }
      if (this.env.sourceMap) this.mappedInstr(instr);
      else this.instr(instr);
    }

    this.dropDeadConstantStores(body);

    const declarations: [string, JsNode | null][] = [];
    for (let i = paramCount; i < this.localTypes.length; i++) {
      if (this.usedLocals[i] !== 0) declarations.push([`l${i}`, zeroValue(this.localTypes[i])]);
    }
    for (const local of this.usedShadows) declarations.push([`lf${local}`, js.num(0)]);
    for (const [name, type] of this.stackVars) declarations.push([name, zeroValue(type)]);
    if (this.needsTemp) declarations.push(['tmp', null]);
    for (const name of this.exnVars) declarations.push([name, js.nul()]);
    if (this.delegateSites > 0) declarations.push([DELEGATE_VAR, js.num(0)]);
    if (this.needsAddress) declarations.push(['ea', js.num(0)]);
    if (this.needsCopyTemps) declarations.push(['sa', js.num(0)], ['la', js.num(0)], ['lv', js.num(0)]);
    if (this.needsI64StoreTemp) declarations.push(['sv', js.big(0n)]);
    if (this.selfTailResets.length > 0) this.loopSelfTailCalls(body, paramCount, declarations);
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
    return js.fn(this.env.tailBody(this.funcIndex) ?? this.env.funcName(this.funcIndex), params, body);
  }

  /**
   * Removes `lN = <constant>` where every read of local N was folded
   * (knownLocals): the zero vectors and masks clang sets in a loop body cost
   * an interpreter two bytecodes a word per iteration otherwise. Walks
   * statements only, with a worklist (no recursion on nesting depth).
   */
  private dropDeadConstantStores(body: JsNode[]): void {
    const dead = new Set<string>();
    for (const local of this.constantStores) if (!this.readLocals.has(local)) dead.add(`l${local}`);
    if (dead.size === 0) return;
    const isDeadStore = (statement: JsNode): boolean => statement.type === 'ExpressionStatement'
      && statement.expression.type === 'AssignmentExpression' && statement.expression.operator === '='
      && statement.expression.left.type === 'Identifier' && dead.has(statement.expression.left.name)
      && js.isLiteral(statement.expression.right);
    const lists: JsNode[][] = [body];
    for (let list = lists.pop(); list !== undefined; list = lists.pop()) {
      let kept = 0;
      for (const statement of list) {
        if (isDeadStore(statement)) continue;
        list[kept++] = statement;
        for (const child of [statement.body, statement.consequent, statement.alternate]) {
          if (child === null || child === undefined || typeof child !== 'object') continue;
          if (Array.isArray(child)) lists.push(child);
          else if (child.type === 'BlockStatement') lists.push(child.body);
          else lists.push([child]); // a lone statement: its own children are what matter
        }
        if (statement.type === 'SwitchStatement') for (const branch of statement.cases) lists.push(branch.consequent);
        if (statement.type === 'TryStatement') lists.push(statement.block.body, statement.handler.body.body);
      }
      list.length = kept;
    }
  }

  /**
   * instr(), for a source map: the statements it adds to the current list
   * that have no offset yet (a settled entry's statement has its own, a
   * block's statement its opening instruction's) get this instruction's.
   */
  private mappedInstr(instr: Instr): void {
    this.instrOffset = instr.offset;
    const list = this.stmts;
    const start = list.length;
    this.instr(instr);
    for (let i = start; i < list.length; i++) if (list[i].offset === undefined) list[i].offset = instr.offset;
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
      let values = args.map((a) => this.valueOf(a));
      if (F32_ARITHMETIC.has(name)) values = values.map((value) => this.arithmeticOperand(value));
      const expr = numeric.build(values, (helper) => this.env.helper(helper), this.env.jit);
      const effect = numeric.kind === OpKind.Trap ? Flag.Effect | Flag.Trap : 0;
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
      case 0x12: return this.returnCall(instr.index);
      case 0x13: return this.returnCallIndirect(instr.index, instr.index2);
      case 0x1f: return this.tryTable(instr);
      case 0x06: return this.tryInstr(instr);
      case 0x07: return this.catchInstr(instr.index);
      case 0x19: return this.catchInstr(-1);
      case 0x18: return this.delegate(instr.index);
      case 0x09: return this.rethrow(instr.index);
      case 0x08: return this.throwInstr(instr.index);
      case 0x0a: return this.throwRefInstr();
      case 0x1a: return this.drop();
      case 0x1b:
      case 0x1c: return this.select(instr.types?.[0]);
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
      case PREFIX_FC | 8: return this.memoryBulk('memoryInit', [instr.index2], [js.id(this.env.memoryObject(instr.index2)), js.id(this.env.dataName(instr.index))]);
      case PREFIX_FC | 9: return this.dropSegment(this.env.dataName(instr.index));
      case PREFIX_FC | 10: return this.memoryBulk('memoryCopy', [instr.index, instr.index2], [js.id(this.env.memoryObject(instr.index)), js.id(this.env.memoryObject(instr.index2))]);
      case PREFIX_FC | 11: return this.memoryBulk('memoryFill', [instr.index], [js.id(this.env.memoryObject(instr.index))]);
      case PREFIX_FC | 12: return this.bulk('tableInit', [js.id(this.env.tableObject(instr.index2)), js.id(this.env.elemName(instr.index))], Flag.Table, (e) => this.tableOperand(e));
      case PREFIX_FC | 13: return this.dropSegment(this.env.elemName(instr.index));
      case PREFIX_FC | 14: return this.bulk('tableCopy', [js.id(this.env.tableObject(instr.index)), js.id(this.env.tableObject(instr.index2))], Flag.Table, (e) => this.tableOperand(e));
      case PREFIX_FC | 15: return this.tableGrow(instr.index);
      case PREFIX_FC | 16: {
        const length = js.member(js.id(this.env.tableElems(instr.index)), 'length');
        if (this.env.table64(instr.index)) return this.push(ValType.I64, js.call(js.id('BigInt'), [length]), [], Flag.Table, 3);
        return this.push(ValType.I32, length, [], Flag.Table, 2);
      }
      case PREFIX_FC | 17: return this.bulk('tableFill', [js.id(this.env.tableObject(instr.index))], Flag.Table, (e) => this.tableOperand(e));
      case 0x14: return this.callRef(instr.index);
      case 0x15: return this.returnCallRef(instr.index);
    }
    if (this.gcInstr(instr)) return;
    throw new Error(`emit: no code generation for ${name}`);
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

  /** A bulk instruction's call of `helper` with its three operands, each as `operand` makes it. */
  private bulk(helper: string, leading: JsNode[], writes: number, operand: (entry: Entry) => JsNode): void {
    const args = this.popN(3);
    this.settleBeforeEffect(writes);
    this.stmts.push(js.exprStmt(js.call(this.env.helper(helper), [...leading, ...args.map(operand)])));
  }

  /**
   * memory.init, copy or fill: with a 64-bit memory among `memories`, the
   * helper's *64 form, which takes Numbers made unsigned here (bulkOperand64).
   */
  private memoryBulk(helper: string, memories: number[], leading: JsNode[]): void {
    if (memories.some((memory) => this.env.memory64(memory))) this.bulk(`${helper}64`, leading, Flag.Memory, (e) => this.bulkOperand64(e));
    else this.bulk(helper, leading, Flag.Memory, (e) => this.valueOf(e));
  }

  private dropSegment(name: string): void {
    // Pending calls and traps come first: a call may still init from the
    // segment, and a trap must leave it in place.
    this.settleBeforeTrap();
    this.stmts.push(js.exprStmt(js.assign(js.id(name), js.nul())));
  }

  /** A table index or length as the table helpers take it: an i32, or a 64-bit table's i64 through idx64. */
  private tableOperand(entry: Entry): JsNode {
    return entry.type === ValType.I64 ? js.call(this.env.helper('idx64'), [this.valueOf(entry)]) : this.valueOf(entry);
  }

  private tableGet(table: number): void {
    const index = this.pop();
    const expr = js.call(this.env.helper('tableGet'), [js.id(this.env.tableObject(table)), this.tableOperand(index)]);
    this.push(this.elemTypeOf(table), expr, [index], Flag.Effect | Flag.Table, 2);
  }

  private tableSet(table: number): void {
    const [index, value] = this.popN(2);
    this.settleBeforeEffect(Flag.Table);
    this.stmts.push(js.exprStmt(js.call(this.env.helper('tableSet'), [js.id(this.env.tableObject(table)), this.tableOperand(index), this.valueOf(value)])));
  }

  private tableGrow(table: number): void {
    const [init, delta] = this.popN(2);
    this.settleBeforeEffect(Flag.Table);
    if (this.env.table64(table)) {
      const grow = js.call(js.member(js.id(this.env.tableObject(table)), '_grow'), [this.tableOperand(delta), this.valueOf(init)]);
      this.push(ValType.I64, js.call(js.id('BigInt'), [grow]), [init, delta], Flag.Effect | Flag.Table, 3);
      return;
    }
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
    const form = this.floatLocals?.get(wasmLocal);
    for (const local of this.jsLocals(wasmLocal)) {
      this.usedLocals[local] = 1;
      const known = this.knownLocals.get(local);
      if (known !== undefined) {
        this.pushSettled(this.localTypes[local], known);
        continue;
      }
      this.readLocals.add(local);
      let read = js.id(`l${local}`);
      if (form === 'float') read = floatWord((name) => this.env.helper(name), read);
      else if (form === 'dual') {
        // Declared here too: the local's sets may all be in code not emitted (dead).
        this.usedShadows.add(local);
        read = shadowedWord(read, js.id(`lf${local}`));
      }
      this.push(this.localTypes[local], read, [], 0, 1, false, [local]);
    }
  }

  private localSet(wasmLocal: number, tee: boolean): void {
    const locals = this.jsLocals(wasmLocal);
    // A v128 is four assignments in turn: a word that reads a word of the
    // local assigned before it (a shuffle or extend of the local into
    // itself) is evaluated first, into its stack variable.
    const start = this.stack.length - locals.length;
    for (let k = 1; k < locals.length; k++) {
      const reads = this.stack[start + k].locals;
      if (reads !== null && locals.slice(0, k).some((local) => reads.includes(local))) this.settle(start + k);
    }
    const values = this.popN(locals.length);
    for (const local of locals) this.settleReadersOfLocal(local);
    if (values.some((value) => (value.flags & DEPENDS) !== 0)) this.settleBeforeTrap();
    const form = this.floatLocals?.get(wasmLocal);
    locals.forEach((local, i) => {
      this.usedLocals[local] = 1;
      let value = this.valueOf(values[i]);
      if (js.isLiteral(value)) {
        this.knownLocals.set(local, value);
        this.constantStores.add(local);
      } else {
        this.knownLocals.delete(local);
      }
      if (form !== undefined) {
        const float = this.floatOf(value);
        if (form === 'dual') {
          this.usedShadows.add(local);
          const shadow = js.id(`lf${local}`);
          this.stmts.push(js.exprStmt(js.assign(shadow, float)));
          if (!isSimple(value)) value = floatWord((name) => this.env.helper(name), shadow);
        } else {
          value = float;
        }
      }
      this.stmts.push(js.exprStmt(js.assign(js.id(`l${local}`), value)));
    });
    if (tee) this.localGet(wasmLocal);
  }

  /** A word stored into a float local: floatLocals saw to it that it is an f32 result or a constant that is not a NaN. */
  private floatOf(word: JsNode): JsNode {
    const float = floatOfWord(word) ?? floatOfConstant(word);
    if (float === undefined) throw new Error('emit: a float v128 local is assigned a word that is not an f32 result');
    return float;
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
        const statement = js.exprStmt(entry.expr);
        if (entry.offset >= 0) statement.offset = entry.offset; // the call or trap it keeps, not the drop
        this.stmts.push(statement);
      }
    }
  }

  /**
   * `select`, typed (`select t`) or not. A typed select's result has the
   * annotation's type, not its first operand's: `(ref any)` and `anyref`
   * operands make an anyref, which may be null.
   */
  private select(annotation?: ValType): void {
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
      this.push(annotation === undefined || width === 4 ? a.type : annotation, js.cond(this.conditionOf(c), this.valueOf(a), this.valueOf(b)), [a, b, c], 0, 1);
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
    const callee = js.logical('??', js.index(view, this.tableOperand(index)), js.call(this.env.helper('callIndirectTrap'), []));
    const call = js.call(callee, args.map((a) => this.valueOf(a)));
    this.pushCallResults(type.results, call, [...args, index]);
  }

  // Tail calls (emit-tail.ts): the arguments settle as for a call; what is
  // left below them is dropped, and callArgs has settled its effects.
  private returnCall(funcIndex: number): void {
    const type = this.funcType(funcIndex);
    const args = this.callArgs(type.params.length).map((a) => this.valueOf(a));
    if (funcIndex === this.funcIndex) {
      this.selfTailCall(args);
      return;
    }
    this.stmts.push(js.ret(directTailCall(this.env, funcIndex, args, this.guarded())));
    this.markUnreachable();
  }

  /**
   * `return_call` of this function: the arguments go to temporaries (they
   * may read the params they replace), then to the params; the locals are
   * reset (selfTailResets) and the body starts again. No trampoline and no
   * stack: a self tail call is a loop.
   */
  private selfTailCall(args: JsNode[]): void {
    const moves: JsNode[] = [];
    /** Constants go last: no argument reads the param they replace after it changed. */
    const constants: JsNode[] = [];
    const changed = args.filter((value, i) => !(value.type === 'Identifier' && value.name === `l${i}`) && !js.isLiteral(value)).length;
    args.forEach((value, i) => {
      if (value.type === 'Identifier' && value.name === `l${i}`) return; // the param passes through
      if (js.isLiteral(value)) {
        constants.push(js.exprStmt(js.assign(js.id(`l${i}`), value)));
        return;
      }
      // Alone, it cannot read a param written before it.
      if (changed === 1) {
        moves.push(js.exprStmt(js.assign(js.id(`l${i}`), value)));
        return;
      }
      this.selfTailTemps.add(`tc${i}`);
      this.stmts.push(js.exprStmt(js.assign(js.id(`tc${i}`), value)));
      moves.push(js.exprStmt(js.assign(js.id(`l${i}`), js.id(`tc${i}`))));
    });
    for (const move of [...moves, ...constants]) this.stmts.push(move);
    const resets = js.block([]);
    this.selfTailResets.push(resets);
    this.stmts.push(resets, js.cont('tail'));
    this.markUnreachable();
  }

  /** Wraps the body in the `tail` loop that self tail calls continue, and fills in their resets. */
  private loopSelfTailCalls(body: JsNode[], paramCount: number, declarations: [string, JsNode | null][]): void {
    // The declared locals (usedLocals) and f32 shadows get their zero values
    // again; each block its own nodes, since split and flatten may rewrite them.
    for (const block of this.selfTailResets) {
      for (let i = paramCount; i < this.localTypes.length; i++) {
        if (this.usedLocals[i] !== 0) block.body.push(js.exprStmt(js.assign(js.id(`l${i}`), zeroValue(this.localTypes[i]))));
      }
      for (const local of this.usedShadows) block.body.push(js.exprStmt(js.assign(js.id(`lf${local}`), js.num(0))));
    }
    for (const name of [...this.selfTailTemps].sort()) declarations.push([name, null]);
    const loopBody = body.splice(0, body.length);
    body.push(js.labeled('tail', js.whileTrue(js.block(loopBody))));
  }

  private returnCallIndirect(typeIndex: number, table: number): void {
    const type = this.typeOf(typeIndex);
    // As callIndirect: the callee (index and checks) is evaluated first in JS.
    if (this.stack.slice(this.stack.length - type.params.length - 1).some((e) => (e.flags & Flag.Effect) !== 0)) this.settleBeforeTrap();
    const index = this.pop();
    const args = this.callArgs(type.params.length).map((a) => this.valueOf(a));
    const view = js.id(this.env.callView(table, typeIndex));
    const callee = js.logical('??', js.index(view, this.tableOperand(index)), js.call(this.env.helper('callIndirectTrap'), []));
    this.stmts.push(js.ret(indirectTailCall(this.env, callee, args, this.guarded())));
    this.markUnreachable();
  }

  // Typed function references (3.0): call_ref and return_call_ref call a
  // FuncRef's raw function, `(ref ?? nullFunc()).raw(args)`; as for
  // call_indirect, JS evaluates the callee first, so effectful arguments
  // are settled before it.
  private refCallee(typeIndex: number): { callee: JsNode; args: Entry[]; ref: Entry } {
    const type = this.typeOf(typeIndex);
    if (this.stack.slice(this.stack.length - type.params.length - 1).some((e) => (e.flags & Flag.Effect) !== 0)) this.settleBeforeTrap();
    const ref = this.pop();
    const args = this.callArgs(type.params.length);
    // A non-nullable reference needs no null check.
    const checked = isNullable(ref.type) ? js.logical('??', this.valueOf(ref), js.call(this.env.helper('nullFunc'), [])) : this.valueOf(ref);
    const callee = js.member(checked, 'raw');
    return { callee, args, ref };
  }

  private callRef(typeIndex: number): void {
    const { callee, args, ref } = this.refCallee(typeIndex);
    this.pushCallResults(this.typeOf(typeIndex).results, js.call(callee, args.map((a) => this.valueOf(a))), [...args, ref]);
  }

  private returnCallRef(typeIndex: number): void {
    const { callee, args } = this.refCallee(typeIndex);
    this.stmts.push(js.ret(indirectTailCall(this.env, callee, args.map((a) => this.valueOf(a)), this.guarded())));
    this.markUnreachable();
  }

  // ---- calls' types, and throw (a call that does not return) -----------------

  /** A function type with each v128 as four words. */
  private typeOf(typeIndex: number): FuncType {
    const type = this.env.types[typeIndex];
    return { params: expandV128(type.params), results: expandV128(type.results) };
  }

  private funcType(funcIndex: number): FuncType {
    const type = this.env.funcType(funcIndex);
    return { params: expandV128(type.params), results: expandV128(type.results) };
  }

  private throwInstr(tag: number): void {
    let count = 0;
    for (const type of this.env.tagType(tag).params) count += type === ValType.V128 ? 4 : 1;
    const args = this.callArgs(count);
    this.stmts.push(throwStatement(this.env, tag, args.map((a) => this.valueOf(a))));
    this.markUnreachable();
  }

}
