// Splits oversized generated functions into pieces an engine will optimize.
//
// V8 never optimizes a function whose bytecode exceeds ~60 KB, and SQLite's
// interpreter loop compiles to three times that, so it would run unoptimized
// forever. This pass moves runs of statements out of such a function into
// nested closures declared at its top level. The closures share the
// function's locals by capture, so no state is copied. Control flow leaving a
// moved run (a `break`/`continue` to a label outside it, or a `return`)
// becomes `return code` in the closure, and the call site dispatches on the
// code: `switch (piece3()) { case 1: break B4; case 2: return rv; }`.
// Pieces are cut bottom-up, so a piece may itself call pieces cut earlier.
//
// Sizes are counted in ESTree nodes, a stand-in for bytecode size. Measured
// on SQLite with Node 20, a node costs 2.9 bytes of bytecode at the median
// and 3.2 at worst, so a 16000-node function is at most ~51 KB and a
// 14000-node piece ~45 KB, under V8's 60 KB limit with room to spare. Fewer,
// larger pieces are faster: each VDBE opcode dispatch passes through fewer
// piece calls (12000/6000 nodes ran the sql.js bench in 385 ms, 16000/14000
// in 340 ms).

import * as js from './js.js';
import type { JsNode } from './js.js';

/** Functions larger than this many nodes are split. */
export const DEFAULT_SPLIT_THRESHOLD = 16000;

interface SplitState {
  pieces: JsNode[];
  counter: number;
  usesReturnValue: boolean;
  maxPiece: number;
  functionName: string;
}

/**
 * Node counts of the statements measured so far, for the function being
 * split. Only statements (and switch cases) are remembered, since only
 * statement lists are ever cut: a Go module's functions have millions of
 * expression nodes, and remembering each made the garbage collector the
 * larger part of its compile. One Map per function, dropped when it is done.
 */
let sizeCache: Map<JsNode, number> = new Map();

/** Fields that hold no child nodes. */
function isLeafKey(key: string): boolean {
  return key === 'type' || key === 'value' || key === 'raw' || key === 'name' || key === 'operator' || key === 'bigint';
}

/** Statements, declarations and switch cases: the nodes whose sizes are remembered. */
function isStatementLike(node: JsNode): boolean {
  const type: string = node.type;
  return type.endsWith('Statement') || type.endsWith('Declaration') || type === 'SwitchCase';
}

/**
 * The number of ESTree nodes in `node` (a node or an array of nodes). The
 * expressions of a statement are counted by an explicit stack; statements
 * nested in it are measured by a recursive call, at most as deep as
 * statements nest (flatten.ts bounds that).
 */
function size(node: unknown): number {
  if (node === null || typeof node !== 'object') return 0;
  if (Array.isArray(node)) {
    let total = 0;
    for (const item of node) total += size(item);
    return total;
  }
  const root = node as JsNode;
  const known = sizeCache.get(root);
  if (known !== undefined) return known;
  let total = 0;
  const stack: JsNode[] = [root];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (current !== root && isStatementLike(current)) {
      total += size(current);
      continue;
    }
    total++;
    forEachChildNode(current, (child) => { stack.push(child); });
  }
  if (isStatementLike(root)) sizeCache.set(root, total);
  return total;
}

/**
 * Whether `nodes` hold more than `limit` nodes: a count that stops there
 * and remembers nothing, since nearly every function is below the limit.
 */
function largerThan(nodes: JsNode[], limit: number): boolean {
  const stack: JsNode[] = nodes.slice();
  let count = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (++count > limit) return true;
    forEachChildNode(node, (child) => { stack.push(child); });
  }
  return false;
}

/** Calls `visit` on each child node of `node`, skipping the fields that hold none. */
function forEachChildNode(node: JsNode, visit: (child: JsNode) => void): void {
  for (const key in node) {
    if (isLeafKey(key)) continue;
    const child = node[key];
    if (child === null || typeof child !== 'object') continue;
    if (Array.isArray(child)) {
      for (const item of child) if (item !== null && typeof item === 'object') visit(item);
    } else {
      visit(child);
    }
  }
}

/** Splits `fn` (a FunctionDeclaration) in place when it is larger than `threshold` nodes. */
export function splitFunction(fn: JsNode, threshold: number = DEFAULT_SPLIT_THRESHOLD): void {
  if (!(threshold < Infinity)) return;
  sizeCache = new Map();
  try {
    splitMeasured(fn, threshold);
  } finally {
    sizeCache = new Map();
  }
}

function splitMeasured(fn: JsNode, threshold: number): void {
  const body: JsNode[] = fn.body.body;
  if (!largerThan(body, threshold)) return;
  const state: SplitState = {
    pieces: [], counter: 0, usesReturnValue: false,
    maxPiece: Math.max(8, Math.floor(threshold * 7 / 8)),
    functionName: fn.id.name,
  };
  // Declarations stay where they are: the pieces capture them.
  const start = body.length > 0 && body[0].type === 'VariableDeclaration' ? 1 : 0;
  const rest = body.slice(start);
  reduceList(rest, state);
  // What is left at the top is cut into pieces too if it is still too large.
  const top = size(rest) > threshold ? cutList(rest, state) : rest;
  const declarations = body.slice(0, start);
  if (state.usesReturnValue) declarations.push(js.decl([['rv', null]]));
  privatize(fn, state.pieces, top);
  fn.body.body = [...declarations, ...state.pieces, ...top];
}

/**
 * Gives each piece its own copy of every local that no piece needs to share.
 * A captured local lives in a heap context: an optimizing compiler must
 * store it on every write and reload it after every call. A local that each
 * piece writes before it reads can't carry a value into or out of a piece
 * (wasm's register allocator reuses locals across the whole function, so it
 * is often used by several pieces, but only as scratch), so each piece
 * declares it again and it stays in a register. "Writes before it reads" is
 * the conservative definite-assignment rule: a plain `x = ...;` statement
 * counts for the statements after it in the same statement list, and for
 * everything nested in them, until a statement that calls a piece: the
 * piece may have written it, so what was assigned before no longer counts.
 */
function privatize(fn: JsNode, pieces: JsNode[], top: JsNode[]): void {
  const outer: JsNode[] = fn.body.body;
  if (pieces.length === 0 || outer.length === 0 || outer[0].type !== 'VariableDeclaration') return;
  const scan: Scan = {
    tracked: new Set(outer[0].declarations.map((d: JsNode) => d.id.name)),
    pieces: new Set(pieces.map((piece) => piece.id.name)),
    callsPiece: new Map(),
    shared: new Set(),
    seen: new Set(),
  };
  // The top reads what pieces leave behind, so its reads count too.
  scanList(top, new Set(), scan);
  const used: Set<string>[] = pieces.map((piece) => {
    scan.seen = new Set();
    scanList(piece.body.body, new Set(), scan);
    return scan.seen;
  });
  pieces.forEach((piece, i) => {
    const own = [...used[i]].filter((name) => !scan.shared.has(name));
    if (own.length > 0) piece.body.body.unshift(js.decl(own.map((name) => [name, null])));
  });
}

/** `ea` is set and read inside one expression (`view[(ea = a) / 4] ?? dv.getInt32(ea)`): never shared. */
const EXPRESSION_TEMP = 'ea';

interface Scan {
  /** The locals that could be made private. */
  tracked: Set<string>;
  /** Names of the piece functions. */
  pieces: Set<string>;
  /** Whether a node contains a piece call, for nodes already asked about (nested lists ask again). */
  callsPiece: Map<JsNode, boolean>;
  /** Locals read where they may hold a value from outside the current function: they stay shared. */
  shared: Set<string>;
  /** Locals the current function uses. */
  seen: Set<string>;
}

/** Walks a statement list, with `assigned` the locals definitely written at its start. */
function scanList(list: JsNode[], assigned: Set<string>, scan: Scan): void {
  let mine = assigned;
  for (const statement of list) {
    if (callsPiece(statement, scan)) mine = new Set();
    const expr = statement.type === 'ExpressionStatement' ? statement.expression : null;
    if (expr !== null && expr.type === 'AssignmentExpression' && expr.operator === '=' && expr.left.type === 'Identifier') {
      scanNode(expr.right, mine, scan);
      const name = expr.left.name;
      if (scan.tracked.has(name)) {
        scan.seen.add(name);
        if (mine === assigned) mine = new Set(assigned);
        mine.add(name);
      }
      continue;
    }
    scanNode(statement, mine, scan);
  }
}

/**
 * Whether a statement contains a call of a piece. outline() makes those
 * calls only as whole statements, `piece();`, `if (piece()) ...` and
 * `switch (piece()) ...`, so only statements are walked, never expressions.
 */
function callsPiece(node: JsNode, scan: Scan): boolean {
  const known = scan.callsPiece.get(node);
  if (known !== undefined) return known;
  let found = false;
  switch (node.type) {
    case 'ExpressionStatement':
      found = isPieceCall(node.expression, scan);
      break;
    case 'IfStatement':
      found = isPieceCall(node.test, scan) || callsPiece(node.consequent, scan) || (node.alternate !== null && callsPiece(node.alternate, scan));
      break;
    case 'SwitchStatement':
      found = isPieceCall(node.discriminant, scan)
        || node.cases.some((switchCase: JsNode) => switchCase.consequent.some((statement: JsNode) => callsPiece(statement, scan)));
      break;
    case 'BlockStatement':
      found = node.body.some((statement: JsNode) => callsPiece(statement, scan));
      break;
    case 'LabeledStatement':
    case 'WhileStatement':
      found = callsPiece(node.body, scan);
      break;
    case 'TryStatement':
      found = callsPiece(node.block, scan) || callsPiece(node.handler.body, scan);
      break;
    default:
      break;
  }
  scan.callsPiece.set(node, found);
  return found;
}

function isPieceCall(node: JsNode, scan: Scan): boolean {
  return node.type === 'CallExpression' && node.callee.type === 'Identifier' && scan.pieces.has(node.callee.name);
}

function scanNode(node: JsNode, assigned: Set<string>, scan: Scan): void {
  if (node === null || typeof node !== 'object') return;
  switch (node.type) {
    case 'Identifier':
      if (scan.tracked.has(node.name)) {
        scan.seen.add(node.name);
        if (!assigned.has(node.name) && node.name !== EXPRESSION_TEMP) scan.shared.add(node.name);
      }
      return;
    case 'BlockStatement':
      scanList(node.body, assigned, scan);
      return;
    case 'SwitchCase':
      if (node.test) scanNode(node.test, assigned, scan);
      scanList(node.consequent, assigned, scan);
      return;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      if (node.body) scanNode(node.body, assigned, scan);
      return;
    case 'MemberExpression':
      scanNode(node.object, assigned, scan);
      if (node.computed) scanNode(node.property, assigned, scan);
      return;
    case 'AssignmentExpression':
      // Nested or compound: the target is written but not definitely before
      // later reads; a compound one reads it too.
      if (node.left.type === 'Identifier' && scan.tracked.has(node.left.name)) {
        scan.seen.add(node.left.name);
        if (node.operator !== '=' && !assigned.has(node.left.name)) scan.shared.add(node.left.name);
      } else {
        scanNode(node.left, assigned, scan);
      }
      scanNode(node.right, assigned, scan);
      return;
    default:
      forEachChildNode(node, (child) => scanNode(child, assigned, scan));
  }
}

/** Splits inside every statement of `list` that is too large on its own, then cuts the list. */
function reduceList(list: JsNode[], state: SplitState): void {
  for (let i = 0; i < list.length; i++) {
    const statement = list[i];
    if (size(statement) > state.maxPiece) {
      reduceStatement(statement, state);
      sizeCache.delete(statement);
    }
  }
  const cut = size(list) > state.maxPiece ? cutList(list, state) : list;
  if (cut !== list) {
    list.length = 0;
    for (const statement of cut) list.push(statement);
  }
}

function reduceStatement(statement: JsNode, state: SplitState): void {
  switch (statement.type) {
    case 'BlockStatement':
      reduceList(statement.body, state);
      break;
    case 'LabeledStatement':
      reduceStatement(statement.body, state);
      sizeCache.delete(statement.body);
      break;
    case 'WhileStatement':
      reduceStatement(statement.body, state);
      sizeCache.delete(statement.body);
      break;
    case 'IfStatement':
      reduceStatement(statement.consequent, state);
      sizeCache.delete(statement.consequent);
      if (statement.alternate) {
        reduceStatement(statement.alternate, state);
        sizeCache.delete(statement.alternate);
      }
      break;
    case 'SwitchStatement':
      for (const switchCase of statement.cases) {
        reduceList(switchCase.consequent, state);
        sizeCache.delete(switchCase);
      }
      break;
    case 'TryStatement': {
      reduceStatement(statement.block, state);
      sizeCache.delete(statement.block);
      // A handler's first statement reads the catch parameter
      // (emit-exceptions.ts), which a piece could not see: it stays.
      const handler: JsNode[] = statement.handler.body.body;
      const rest = handler.slice(1);
      reduceList(rest, state);
      handler.length = 1;
      for (const inner of rest) handler.push(inner);
      sizeCache.delete(statement.handler.body);
      break;
    }
    default:
      break;
  }
}

/** Groups consecutive statements into pieces of at most maxPiece nodes, each moved into a closure. */
function cutList(list: JsNode[], state: SplitState): JsNode[] {
  const out: JsNode[] = [];
  let run: JsNode[] = [];
  let runSize = 0;
  const flush = (): void => {
    if (run.length === 0) return;
    // A tiny run is not worth a call.
    for (const statement of runSize < 16 ? run : outline(run, state)) out.push(statement);
    run = [];
    runSize = 0;
  };
  for (const statement of list) {
    const statementSize = size(statement);
    if (runSize + statementSize > state.maxPiece) flush();
    run.push(statement);
    runSize += statementSize;
  }
  flush();
  return out;
}

/** Moves `statements` into a new closure; returns the statements that call it. */
function outline(statements: JsNode[], state: SplitState): JsNode[] {
  const name = `${state.functionName}_${++state.counter}`;
  const exits: JsNode[] = []; // code i + 1 -> the statement the call site runs
  const exitCodes = new Map<string, number>();
  const exitCode = (key: string, statement: () => JsNode): number => {
    let code = exitCodes.get(key);
    if (code === undefined) {
      exits.push(statement());
      code = exits.length;
      exitCodes.set(key, code);
    }
    return code;
  };

  const rewrite = (node: JsNode, labels: Set<string>): JsNode => {
    switch (node.type) {
      case 'BreakStatement':
      case 'ContinueStatement': {
        if (node.label === null) throw new Error('split: unlabeled jump');
        const label = node.label.name;
        if (labels.has(label)) return node;
        const kind = node.type === 'BreakStatement' ? 'break' : 'continue';
        const code = exitCode(`${kind} ${label}`, () => (kind === 'break' ? js.brk(label) : js.cont(label)));
        return js.ret(js.num(code));
      }
      case 'ReturnStatement': {
        const code = exitCode('return', () => {
          state.usesReturnValue = true;
          return js.ret(js.id('rv'));
        });
        if (node.argument === null) return js.ret(js.num(code));
        state.usesReturnValue = true;
        return js.block([js.exprStmt(js.assign(js.id('rv'), node.argument)), js.ret(js.num(code))]);
      }
      case 'LabeledStatement': {
        const inner = new Set(labels);
        inner.add(node.label.name);
        return { ...node, body: rewrite(node.body, inner) };
      }
      case 'BlockStatement':
        return { ...node, body: node.body.map((s: JsNode) => rewrite(s, labels)) };
      case 'WhileStatement':
        return { ...node, body: rewrite(node.body, labels) };
      case 'IfStatement':
        return { ...node, consequent: rewrite(node.consequent, labels), alternate: node.alternate ? rewrite(node.alternate, labels) : null };
      case 'SwitchStatement':
        return { ...node, cases: node.cases.map((c: JsNode) => ({ ...c, consequent: c.consequent.map((s: JsNode) => rewrite(s, labels)) })) };
      case 'TryStatement':
        return { ...node, block: rewrite(node.block, labels), handler: { ...node.handler, body: rewrite(node.handler.body, labels) } };
      default:
        return node; // expression statements and declarations hold no jumps
    }
  };

  const body = statements.map((s) => rewrite(s, new Set()));
  body.push(js.ret(js.num(0)));
  state.pieces.push(js.fn(name, [], body));
  const callPiece = js.call(js.id(name), []);
  if (exits.length === 0) return [js.exprStmt(callPiece)];
  if (exits.length === 1) return [js.ifStmt(callPiece, exits[0], null)];
  return [js.switchStmt(callPiece, exits.map((exit, i) => ({ test: js.num(i + 1), body: [exit] })))];
}
