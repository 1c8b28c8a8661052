// Control flow of the function emitter, the layer between memory accesses
// (emit-memory.ts) and the instructions (emit-func.ts): the frames of
// blocks, loops and ifs, and what ends or leaves them (end, br, br_if,
// br_table, return), as labeled blocks, `while (true)` loops, `if` and
// `switch`, a label printed only where a branch uses it; and the frames of
// exception handling, try_table and the legacy try, catch, delegate and
// rethrow (emit-exceptions.ts builds their statements).

import { FuncType, Instr, ValType } from './ir.js';
import { Flag, Frame, FrameKind, Guard } from './emit-stack.js';
import { MemoryEmitter } from './emit-memory.js';
import { expandV128 } from './emit-simd.js';
import {
  delegateHandler, handlerStart, payload, tagTest, throwRefStatement, tryStatement,
} from './emit-exceptions.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

export abstract class ControlEmitter extends MemoryEmitter {
  private labelCounter = 0;
  /**
   * JS locals known to hold a constant here (v128 locals: the constant's
   * bits), so reads fold it: set by local.set of a constant, forgotten
   * where control flow merges (loop, else, end, a catch). clang keeps v128
   * constants (masks, zero vectors for extensions) in locals, set in the
   * loop body that reads them.
   */
  protected readonly knownLocals = new Map<number, JsNode>();
  /** Exception handling: the handlers' exnref variables (`xB3`), and how many delegate sites there are (emit-exceptions.ts). */
  protected readonly exnVars = new Set<string>();
  protected delegateSites = 0;

  /** The function's results, each v128 as four words: what `return` leaves. */
  protected abstract resultTypes(): ValType[];

  protected frame(kind: FrameKind, params: ValType[], results: ValType[], outer: JsNode[], body: JsNode[], offset = -1): Frame {
    return {
      kind, label: kind === FrameKind.Function ? '' : `B${++this.labelCounter}`, used: false, params, results,
      height: this.stack.length - params.length, outer, body, test: null, paramEntries: null, thenBody: null, thenEndReachable: false, unreachable: false,
      offset: this.env.sourceMap ? offset : -1, guard: null,
    };
  }


  // ---- control -----------------------------------------------------------------

  protected blockType(instr: Instr): FuncType {
    const type = instr.blockType;
    if (type === null) return { params: [], results: [] };
    return { params: expandV128(type.params), results: expandV128(type.results) };
  }

  protected block(instr: Instr, kind: FrameKind.Block | FrameKind.Loop): void {
    const type = this.blockType(instr);
    if (kind === FrameKind.Loop) this.knownLocals.clear();
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
    this.frames.push(this.frame(kind, type.params, type.results, this.stmts, body, instr.offset));
  }

  protected ifInstr(instr: Instr): void {
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
    const frame = this.frame(FrameKind.If, type.params, type.results, this.stmts, body, instr.offset);
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
  protected assignResults(types: ValType[], height: number): void {
    const count = types.length;
    const start = this.stack.length - count;
    for (let i = 0; i < count; i++) {
      const entry = this.stack[start + i];
      const target = this.stackVar(height + i, types[i]);
      if (entry.settled && entry.expr.type === 'Identifier' && entry.expr.name === target) continue;
      this.stmts.push(js.exprStmt(js.assign(js.id(target), this.valueOf(entry))));
    }
  }

  protected resetStackTo(height: number, types: ValType[]): void {
    this.stack.length = height;
    for (let i = 0; i < types.length; i++) this.pushStackVar(types[i]);
  }

  /**
   * The end of a frame's code that others follow or merge with (an if's
   * then-arm, a try's body or catch arm, a delegating try): when it is
   * reachable, effects are settled and the results put in their variables.
   * Returns whether it was reachable.
   */
  protected closeArm(frame: Frame): boolean {
    if (frame.unreachable) return false;
    this.settleWhere((entry) => (entry.flags & Flag.Effect) !== 0);
    this.assignResults(frame.results, frame.height);
    return true;
  }

  protected elseInstr(): void {
    this.knownLocals.clear();
    const frame = this.frames[this.frames.length - 1];
    const reachable = this.closeArm(frame);
    frame.thenEndReachable = reachable;
    frame.thenBody = frame.body;
    frame.body = [];
    frame.unreachable = false;
    this.stack.length = frame.height;
    for (const entry of frame.paramEntries!) this.stack.push(entry);
  }

  protected end(): void {
    this.knownLocals.clear();
    const frame = this.frames[this.frames.length - 1];
    const reachable = !frame.unreachable;
    if (frame.kind === FrameKind.Function) {
      if (reachable) this.returnInstr();
      this.frames.pop();
      return;
    }
    // Results go into their variables when the block is entered from more than
    // one place (a branch, both arms of an if, a try's catch arms); otherwise
    // they may stay lazy, but not past the end of a JS `try`, whose handler
    // must see a call in them throw.
    const merges = frame.used || frame.kind === FrameKind.If || frame.guard !== null;
    if (reachable && (merges || frame.kind === FrameKind.Loop)) {
      this.settleWhere((entry) => (entry.flags & Flag.Effect) !== 0);
      this.assignResults(frame.results, frame.height);
    }
    if (reachable && frame.kind === FrameKind.Loop && frame.used) frame.body.push(js.brk(frame.label));
    this.frames.pop();
    const outer = frame.outer;

    let statement: JsNode | null;
    if (frame.kind === FrameKind.TryTable && frame.guard !== null) {
      this.stack.length = frame.height;
      statement = this.guardedStatement(frame, frame.body, this.tryTableHandler(frame.guard));
    } else if (frame.kind === FrameKind.Catch) {
      statement = this.guardedStatement(frame, frame.guard!.body!, this.legacyHandler(frame.guard!));
    } else if (frame.kind !== FrameKind.Loop && frame.kind !== FrameKind.If) {
      // A block, a try_table without catch clauses, a try without catch arms.
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
    if (statement !== null) {
      if (frame.offset >= 0) statement.offset = frame.offset;
      outer.push(statement);
    }

    // After the block: reachable if its end was, or a branch targeted it, or
    // an if without else (the implicit else falls through).
    const endReachable = reachable || frame.used ||
      (frame.kind === FrameKind.If && (frame.thenEndReachable || frame.thenBody === null)) ||
      (frame.kind === FrameKind.Catch && frame.thenEndReachable);
    if (!endReachable) {
      this.stack.length = frame.height;
      this.markUnreachable();
      return;
    }
    if (!merges && frame.kind !== FrameKind.Loop && reachable) return; // lazy results stay on the stack
    this.resetStackTo(frame.height, frame.results);
  }

  // ---- exception handling (emit-exceptions.ts) ------------------------------------

  /** Whether code here runs inside a JS `try` of a handler: a try_table with catch clauses, or a legacy try's body. */
  protected guarded(): boolean {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const frame = this.frames[i];
      if (frame.guard !== null && (frame.kind === FrameKind.TryTable || frame.kind === FrameKind.Try)) return true;
    }
    return false;
  }

  protected newGuard(frame: Frame, clauses: number[] | null): void {
    const exn = `x${frame.label}`;
    frame.guard = { clauses, exn, skips: [], body: null, arms: [] };
  }

  /** try_table: a block whose catch clauses (if any) branch out of a JS `catch` when its body throws. */
  protected tryTable(instr: Instr): void {
    const type = this.blockType(instr);
    this.settleAll();
    const frame = this.frame(FrameKind.TryTable, type.params, type.results, this.stmts, [], instr.offset);
    if (instr.targets!.length > 0) this.newGuard(frame, instr.targets);
    this.frames.push(frame);
  }

  /**
   * The JS `catch` of a try_table: each clause in turn tests the tag (but
   * catch_all) and branches with the payload and (the _ref clauses) the
   * exnref; when none matches, the exception goes on. The branch targets
   * are counted from the try_table's enclosing frames, which are the
   * emitter's frames now that it has ended.
   */
  protected tryTableHandler(guard: Guard): JsNode[] {
    this.exnVars.add(guard.exn);
    const out = handlerStart(this.env, guard.exn, guard.skips, this.delegateSites > 0);
    const clauses = guard.clauses!;
    for (let i = 0; i < clauses.length; i += 3) {
      const kind = clauses[i];
      const tag = clauses[i + 1];
      const base = this.stack.length;
      if (kind <= 1) for (const value of payload(this.env, guard.exn, tag)) this.pushSettled(value.type, value.expr);
      if ((kind & 1) !== 0) this.pushSettled(ValType.ExnRef, js.id(guard.exn));
      const moves = this.branchTo(clauses[i + 2]);
      this.stack.length = base;
      // catch_all and catch_all_ref take whatever came: the clauses after them never run.
      if (kind >= 2) return [...out, ...moves];
      out.push(js.ifStmt(tagTest(this.env, guard.exn, tag), js.block(moves), null));
    }
    out.push(throwRefStatement(this.env, js.id(guard.exn)));
    return out;
  }

  /** `B3: try { body } catch (e) { handler }`, labeled when a branch targets it. */
  protected guardedStatement(frame: Frame, body: JsNode[], handler: JsNode[]): JsNode {
    const statement = tryStatement(body, handler);
    return frame.used ? js.labeled(frame.label, statement) : statement;
  }

  /** Legacy try: a block whose body a JS `try` guards once a catch arm follows. */
  protected tryInstr(instr: Instr): void {
    const type = this.blockType(instr);
    this.settleAll();
    const frame = this.frame(FrameKind.Try, type.params, type.results, this.stmts, [], instr.offset);
    this.newGuard(frame, null);
    this.frames.push(frame);
  }

  /**
   * Legacy catch (`tag` >= 0) and catch_all (-1): ends the body or the
   * previous arm as `else` ends a then-arm, and starts an arm whose stack
   * holds the payload.
   */
  protected catchInstr(tag: number): void {
    this.knownLocals.clear();
    const frame = this.frames[this.frames.length - 1];
    const guard = frame.guard!;
    if (this.closeArm(frame)) frame.thenEndReachable = true;
    if (guard.body === null) {
      guard.body = frame.body;
      frame.kind = FrameKind.Catch;
    }
    const arm = { tag, body: [] as JsNode[] };
    guard.arms.push(arm);
    frame.body = arm.body;
    frame.unreachable = false;
    this.stack.length = frame.height;
    if (tag >= 0) for (const value of payload(this.env, guard.exn, tag)) this.pushSettled(value.type, value.expr);
  }

  /** The JS `catch` of a legacy try: its arms as an if-chain on the tag; without catch_all, no match goes on. */
  protected legacyHandler(guard: Guard): JsNode[] {
    this.exnVars.add(guard.exn);
    const out = handlerStart(this.env, guard.exn, guard.skips, this.delegateSites > 0);
    const arms = guard.arms;
    const last = arms[arms.length - 1];
    let chain: JsNode = last.tag < 0 ? js.block(last.body) : js.block([throwRefStatement(this.env, js.id(guard.exn))]);
    for (let i = last.tag < 0 ? arms.length - 2 : arms.length - 1; i >= 0; i--) {
      chain = js.ifStmt(tagTest(this.env, guard.exn, arms[i].tag), js.block(arms[i].body), chain);
    }
    if (chain.type === 'BlockStatement') for (const statement of chain.body) out.push(statement);
    else out.push(chain);
    return out;
  }

  /**
   * Legacy `delegate l`: ends a try that has no catch arm, handing what its
   * body throws to the handler of the frame `l` out from it. The handlers
   * of the frames in between (guarded ones) must let those exceptions pass:
   * they get this site's number to skip (emit-exceptions.ts). With none in
   * between, the exceptions get there by themselves, and the try is a block.
   */
  protected delegate(label: number): void {
    this.knownLocals.clear();
    const frame = this.frames[this.frames.length - 1];
    const reachable = this.closeArm(frame);
    this.frames.pop();
    const skipped: Guard[] = [];
    for (let depth = 0; depth < label; depth++) {
      const between = this.frames[this.frames.length - 1 - depth];
      if (between.guard !== null && (between.kind === FrameKind.TryTable || between.kind === FrameKind.Try)) skipped.push(between.guard);
    }
    let statement: JsNode;
    if (skipped.length === 0) {
      statement = js.block(frame.body);
    } else {
      const site = ++this.delegateSites;
      for (const guard of skipped) guard.skips.push(site);
      statement = tryStatement(frame.body, delegateHandler(site, frame.guard!.skips));
    }
    if (frame.used) statement = js.labeled(frame.label, statement);
    if (frame.offset >= 0) statement.offset = frame.offset;
    frame.outer.push(statement);
    if (!reachable && !frame.used) {
      this.stack.length = frame.height;
      this.markUnreachable();
      return;
    }
    this.resetStackTo(frame.height, frame.results);
  }

  /** Legacy rethrow: the exception of the catch arm `depth` frames out. */
  protected rethrow(depth: number): void {
    const guard = this.frames[this.frames.length - 1 - depth].guard!;
    this.settleWhere((entry) => (entry.flags & Flag.Effect) !== 0);
    this.stmts.push(throwRefStatement(this.env, js.id(guard.exn)));
    this.markUnreachable();
  }

  protected throwRefInstr(): void {
    const exnref = this.pop();
    this.settleBeforeTrap();
    this.stmts.push(throwRefStatement(this.env, this.valueOf(exnref)));
    this.markUnreachable();
  }

  protected markUnreachable(): void {
    this.frames[this.frames.length - 1].unreachable = true;
  }

  /** Statements that transfer control to the frame `depth` labels up, with its values on the stack. */
  protected branchTo(depth: number): JsNode[] {
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

  protected br(depth: number): void {
    this.settleWhere((entry) => (entry.flags & Flag.Effect) !== 0);
    for (const move of this.branchTo(depth)) this.stmts.push(move);
    this.markUnreachable();
  }

  protected brIf(depth: number): void {
    const condition = this.pop();
    // The branch values stay on the stack when the branch is not taken, so
    // they are evaluated once, before the condition.
    this.settleAll();
    const moves = this.branchTo(depth);
    this.stmts.push(js.ifStmt(this.conditionOf(condition), moves.length === 1 ? moves[0] : js.block(moves), null));
  }

  protected brTable(instr: Instr): void {
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

  protected returnStatement(): JsNode {
    const results = this.resultTypes();
    const values = this.stack.slice(this.stack.length - results.length).map((e) => this.valueOf(e));
    if (results.length === 0) return js.ret(null);
    if (results.length === 1) return js.ret(values[0]);
    // V8 stores an array literal of numbers as raw doubles and sets the
    // quiet bit of a signalling NaN on the way in; a trailing null keeps
    // the array one of tagged values, whose numbers keep every bit.
    if (results.some((type) => type === ValType.F32 || type === ValType.F64)) values.push(js.nul());
    return js.ret(js.arr(values));
  }

  protected returnInstr(): void {
    const results = this.resultTypes().length;
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
