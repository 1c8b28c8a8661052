// Bounds how deeply the statements of a generated function nest.
//
// wasm nests blocks, loops and ifs as deeply as a producer likes: LLVM lowers
// a C switch of N cases to N nested blocks with a br_table in the innermost,
// and parsers and state machines nest thousands of blocks that each carry a
// branch. JavaScript engines parse and compile nested statements by
// recursion (V8 overflows its stack near 2,500 nested labeled blocks, other
// engines sooner), and every later walk of ours (split.ts, astring's printer)
// recurses on the tree too. So a function whose statements nest deeper than
// MAX_HEIGHT is rewritten here, right after emit, as a state machine:
//
//   var st = 0;
//   dispatch: while (true) switch (st) { case 0: ...; case 1: ...; }
//
// Only the constructs that make it deep (the spine: statements nested more
// than INLINE_HEIGHT deep) become states: a labeled block is the state its
// end falls into, a loop the state of its head plus the state after it, an
// if the states of its else arm and of what follows. Every statement of
// INLINE_HEIGHT or less stays as it was, inside the case that runs it, with
// its jumps to spine labels rewritten to `{ st = N; continue dispatch; }`.
// States are laid out in program order, so falling off the end of a case
// into the next is a block's end falling through, as in wasm, and only
// branches pay for a dispatch. Functions of ordinary depth are not touched.
//
// A `try` on the spine (an exception handler, emit-exceptions.ts) becomes
// states too: its block's states form a *region*, and the dispatch loop's
// body is itself a `try` whose `catch` finds the region of the state that
// was running (`st`) and goes to the region's handler, the handler's
// statements laid out as states after the block's; outside every region it
// rethrows. Entering a region sets `st` (a fall-through would leave the
// state before it there), and a region is left by a jump.
//
// The walks here are iterative where the depth follows the input (heights,
// the spine), and recursive only within statements of bounded height.

import { CATCH_PARAM, tryStatement } from './emit-exceptions.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

/**
 * Functions whose statements nest deeper than this are flattened. SQLite's
 * interpreter loop, the deepest function we know of from a real program,
 * is 587 (a 190-case switch lowered to nested blocks): it stays as it is.
 */
export const MAX_HEIGHT = 1000;
/** Statements at most this deep stay whole inside a state; deeper ones are taken apart. */
const INLINE_HEIGHT = 100;

const DISPATCH = 'dispatch';
const STATE = 'st';

/** The statements directly nested in `node` (none for simple statements). */
function childStatements(node: JsNode): JsNode[] {
  switch (node.type) {
    case 'BlockStatement': return node.body;
    case 'LabeledStatement':
    case 'WhileStatement': return [node.body];
    case 'IfStatement': return node.alternate ? [node.consequent, node.alternate] : [node.consequent];
    case 'TryStatement': return [node.block, node.handler.body];
    case 'SwitchStatement': {
      const all: JsNode[] = [];
      for (const switchCase of node.cases) for (const statement of switchCase.consequent) all.push(statement);
      return all;
    }
    default: return [];
  }
}

/** The nesting height of every compound statement under `roots` (a simple statement is 1), without recursion. */
function heights(roots: JsNode[]): Map<JsNode, number> {
  const height = new Map<JsNode, number>();
  const stack: { node: JsNode; expanded: boolean }[] = roots.map((node) => ({ node, expanded: false }));
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const children = childStatements(top.node);
    if (!top.expanded && children.length > 0) {
      top.expanded = true;
      for (const child of children) stack.push({ node: child, expanded: false });
      continue;
    }
    stack.pop();
    let max = 0;
    for (const child of children) max = Math.max(max, height.get(child) ?? 1);
    height.set(top.node, 1 + max);
  }
  return height;
}

/**
 * Whether any statement under `roots` nests deeper than `limit` (a simple
 * statement is 1 deep): a depth-first walk without recursion that stops at
 * the first one, and allocates nothing per statement, since nearly every
 * function passes.
 */
function deeperThan(roots: JsNode[], limit: number): boolean {
  const nodes: JsNode[] = [];
  const depths: number[] = [];
  for (const root of roots) {
    nodes.push(root);
    depths.push(1);
  }
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    const children = childStatements(node);
    for (let i = 0; i < children.length; i++) {
      nodes.push(children[i]);
      depths.push(depth + 1);
    }
  }
  return false;
}

/** The height of a statement list (0 when empty). */
export function listHeight(list: JsNode[]): number {
  const height = heights(list);
  let max = 0;
  for (const statement of list) max = Math.max(max, height.get(statement) ?? 1);
  return max;
}

/** Where jumps to a label of the spine go. */
interface Target {
  breakState: number;
  continueState: number | null;
}

/** One step of the spine walk: a statement to lay out, a state to start, a jump, or the region the next states are in. */
type Task = { statement: JsNode } | { start: number } | { jumpTo: number } | { region: number };

/**
 * A handler's region: what the dispatch's `catch` runs for it (the
 * handler's first statement, which takes the caught value), and the state
 * where the rest of the handler starts.
 */
interface Region {
  entry: JsNode;
  handlerState: number;
}

/** Where flatten keeps what a delegate site's handler rethrows (it has no variable of its own). */
const DELEGATED = 'ex';

/**
 * Rewrites `fn` (a FunctionDeclaration from emit) in place as a state
 * machine when its statements nest deeper than `maxHeight`.
 */
export function flattenFunction(fn: JsNode, maxHeight = MAX_HEIGHT): void {
  // Tests flatten at tiny heights, where every compound statement is taken apart.
  const inlineHeight = Math.min(INLINE_HEIGHT, maxHeight >> 1);
  const body: JsNode[] = fn.body.body;
  if (!deeperThan(body, maxHeight)) return;
  const height = heights(body);

  // Declarations stay on top; the rest becomes the state machine.
  const start = body.length > 0 && body[0].type === 'VariableDeclaration' ? 1 : 0;
  const declarations = body.slice(0, start);
  if (declarations.length > 0) declarations[0].declarations.push({ type: 'VariableDeclarator', id: js.id(STATE), init: js.num(0) });
  else declarations.push(js.decl([[STATE, js.num(0)]]));

  const targets = new Map<string, Target>();
  const cases: { test: JsNode; body: JsNode[] }[] = [];
  let stateCount = 0;
  let current: JsNode[] = [];
  /** Handler regions (index + 1 is the region's number; 0 is outside every region), and the region of each state. */
  const regions: Region[] = [];
  const stateRegion: number[] = [];
  let currentRegion = 0;
  let usesDelegated = false;
  const newState = (): number => stateCount++;
  const startState = (state: number): void => {
    current = [];
    cases.push({ test: js.num(state), body: current });
    stateRegion[state] = currentRegion;
  };
  startState(newState());

  const jump = (state: number): JsNode => js.block([js.exprStmt(js.assign(js.id(STATE), js.num(state))), js.cont(DISPATCH)]);

  /** A statement kept whole: its jumps to spine labels become state changes (bounded depth: recursion is fine). */
  const rewrite = (node: JsNode): JsNode => {
    switch (node.type) {
      case 'BreakStatement':
      case 'ContinueStatement': {
        const target = node.label !== null ? targets.get(node.label.name) : undefined;
        if (target === undefined) return node;
        return jump(node.type === 'BreakStatement' ? target.breakState : target.continueState!);
      }
      case 'BlockStatement':
        node.body = node.body.map(rewrite);
        return node;
      case 'LabeledStatement':
      case 'WhileStatement':
        node.body = rewrite(node.body);
        return node;
      case 'IfStatement':
        node.consequent = rewrite(node.consequent);
        if (node.alternate) node.alternate = rewrite(node.alternate);
        return node;
      case 'SwitchStatement':
        for (const switchCase of node.cases) switchCase.consequent = switchCase.consequent.map(rewrite);
        return node;
      case 'TryStatement':
        node.block = rewrite(node.block);
        node.handler.body = rewrite(node.handler.body);
        return node;
      default:
        return node;
    }
  };

  const tasks: Task[] = [];
  const pushList = (list: JsNode[]): void => {
    for (let i = list.length - 1; i >= 0; i--) tasks.push({ statement: list[i] });
  };
  /**
   * Pushes tasks to run in the order given (the task stack is last in,
   * first out): each part is a task or a list of statements. No spreads: a
   * block may hold 100,000 statements.
   */
  const pushInOrder = (parts: (Task | JsNode[])[]): void => {
    for (let p = parts.length - 1; p >= 0; p--) {
      const part = parts[p];
      if (Array.isArray(part)) pushList(part);
      else tasks.push(part);
    }
  };
  const listOf = (node: JsNode): JsNode[] => (node.type === 'BlockStatement' ? node.body : [node]);

  pushList(body.slice(start));
  while (tasks.length > 0) {
    const task = tasks.pop()!;
    if ('start' in task) {
      startState(task.start);
      continue;
    }
    if ('region' in task) {
      currentRegion = task.region;
      continue;
    }
    if ('jumpTo' in task) {
      const last = current[current.length - 1];
      const jumps = last !== undefined && (last.type === 'ReturnStatement' || (last.type === 'BlockStatement' && last.body[last.body.length - 1]?.type === 'ContinueStatement'));
      if (!jumps) current.push(jump(task.jumpTo));
      continue;
    }
    const statement = task.statement;
    if ((height.get(statement) ?? 1) <= inlineHeight || childStatements(statement).length === 0) {
      current.push(rewrite(statement));
      continue;
    }
    let label: string | null = null;
    let inner = statement;
    if (inner.type === 'LabeledStatement') {
      label = inner.label.name;
      inner = inner.body;
    }
    switch (inner.type) {
      case 'BlockStatement': {
        const after = newState();
        if (label !== null) targets.set(label, { breakState: after, continueState: null });
        pushInOrder([inner.body, { start: after }]);
        break;
      }
      case 'WhileStatement': {
        // Only `while (true)` is emitted; its body's end goes back to the head.
        const head = newState();
        const after = newState();
        if (label !== null) targets.set(label, { breakState: after, continueState: head });
        startState(head);
        pushInOrder([listOf(inner.body), { jumpTo: head }, { start: after }]);
        break;
      }
      case 'IfStatement': {
        const after = newState();
        if (label !== null) targets.set(label, { breakState: after, continueState: null });
        const otherwise = inner.alternate ? newState() : after;
        current.push(js.ifStmt(js.un('!', inner.test), jump(otherwise), null));
        if (inner.alternate) {
          pushInOrder([listOf(inner.consequent), { jumpTo: after }, { start: otherwise }, listOf(inner.alternate), { start: after }]);
        } else {
          pushInOrder([listOf(inner.consequent), { start: after }]);
        }
        break;
      }
      case 'SwitchStatement': {
        // Each case becomes a state, laid out in order so that cases fall
        // through as before; without a default, no match goes past the end.
        const states = inner.cases.map(() => newState());
        const after = newState();
        if (label !== null) targets.set(label, { breakState: after, continueState: null });
        const hasDefault = inner.cases.some((c: JsNode) => c.test === null);
        const entry = js.switchStmt(inner.discriminant, inner.cases.map((c: JsNode, i: number) => ({ test: c.test, body: [jump(states[i])] })));
        current.push(entry);
        if (!hasDefault) current.push(jump(after));
        const parts: (Task | JsNode[])[] = [];
        inner.cases.forEach((c: JsNode, i: number) => parts.push({ start: states[i] }, c.consequent));
        parts.push({ start: after });
        pushInOrder(parts);
        break;
      }
      case 'TryStatement': {
        // The handler's first statement takes the caught value from the
        // catch parameter (emit-exceptions.ts): the dispatch's `catch` runs
        // it. A delegate site's handler (`dlg = N; throw e;`) takes it into
        // DELEGATED here, and rethrows that.
        let [entry, ...rest] = inner.handler.body.body as JsNode[];
        const takes = entry?.type === 'ExpressionStatement' && entry.expression.type === 'AssignmentExpression'
          && entry.expression.right.type === 'Identifier' && entry.expression.right.name === CATCH_PARAM;
        if (!takes) {
          const handler: JsNode[] = inner.handler.body.body;
          const last = handler[handler.length - 1];
          if (handler.length > 2 || last?.type !== 'ThrowStatement' || last.argument.name !== CATCH_PARAM) {
            throw new Error('flatten: a handler must start by taking the caught value');
          }
          entry = js.exprStmt(js.assign(js.id(DELEGATED), js.id(CATCH_PARAM)));
          rest = [...handler.slice(0, -1), { type: 'ThrowStatement', argument: js.id(DELEGATED) }];
          usesDelegated = true;
        }
        if (inner.handler.param.name !== CATCH_PARAM) throw new Error(`flatten: a handler's parameter must be ${CATCH_PARAM}`);
        const after = newState();
        if (label !== null) targets.set(label, { breakState: after, continueState: null });
        const blockState = newState();
        const handlerState = newState();
        regions.push({ entry, handlerState });
        const region = regions.length;
        current.push(js.exprStmt(js.assign(js.id(STATE), js.num(blockState))));
        pushInOrder([
          { region }, { start: blockState }, listOf(inner.block), { jumpTo: after },
          { region: currentRegion }, { start: handlerState }, rest, { start: after },
        ]);
        break;
      }
      default:
        throw new Error(`flatten: unexpected ${inner.type} of height ${height.get(statement)}`);
    }
  }
  // Falling off the last state is falling off the function.
  current.push(js.brk(DISPATCH));
  if (usesDelegated) declarations[0].declarations.push({ type: 'VariableDeclarator', id: js.id(DELEGATED), init: js.nul() });
  let loopBody = js.switchStmt(js.id(STATE), cases);
  if (regions.length > 0) loopBody = tryStatement([loopBody], handlerDispatch(regions, stateRegion));
  const dispatch = js.labeled(DISPATCH, js.whileTrue(loopBody));
  declarations.push(dispatch);
  fn.body.body = declarations;
}

/**
 * The dispatch loop's `catch`: from the state that was running to its
 * region's handler, after the handler's first statement takes the caught
 * value (`continue dispatch`: a labeled jump, which split.ts can move);
 * outside every region, the exception goes on.
 */
function handlerDispatch(regions: Region[], stateRegion: number[]): JsNode[] {
  const byRegion: number[][] = regions.map(() => []);
  stateRegion.forEach((region, state) => {
    if (region > 0) byRegion[region - 1].push(state);
  });
  const cases: { test: JsNode | null; body: JsNode[] }[] = [];
  regions.forEach((region, i) => {
    const states = byRegion[i];
    for (let k = 0; k < states.length - 1; k++) cases.push({ test: js.num(states[k]), body: [] });
    const body = [region.entry, js.exprStmt(js.assign(js.id(STATE), js.num(region.handlerState))), js.cont(DISPATCH)];
    cases.push({ test: js.num(states[states.length - 1]), body });
  });
  cases.push({ test: null, body: [{ type: 'ThrowStatement', argument: js.id(CATCH_PARAM) }] });
  return [js.switchStmt(js.id(STATE), cases)];
}

