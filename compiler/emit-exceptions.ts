// Exception handling (WebAssembly 3.0) as JavaScript exceptions. A wasm
// exception is thrown as a JS exception (a WebAssembly.Exception), so it
// unwinds through wasm and JS frames alike, and a handler is a JS `try`:
//
//   (block $h (result i32) (try_table (catch $e $h) BODY) ...)
//
//   B2: { B3: try { BODY } catch (e) {
//     xB3 = e;                              // the caught value, in a variable
//     xB3 = catchable(xB3);                 // traps are rethrown: wasm never catches them
//     if (xB3._tag === tag0) { si0 = xB3._args[0]; break B2; }
//     throwRef(xB3);                        // no clause matched: on it goes
//   } ... }
//
// catch_ref and catch_all_ref also pass the exnref, the caught object
// itself; a JavaScript exception is boxed (runtime/exception.ts) so that
// throw_ref throws the value it was. The legacy `try` is the same JS `try`,
// its catch arms an if-chain on the tag inside the JS `catch`; `rethrow`
// rethrows the arm's variable.
//
// Legacy `delegate l` hands the body's exceptions to the handler of the
// block `l` levels out, skipping the handlers in between. Each delegate
// that skips a handler is a site with a number: its body's JS `catch` sets
// `dlg` to it and rethrows, and each handler it skips starts by rethrowing
// when `dlg` is that number. A handler that does catch resets `dlg` (only
// handlers that enclose a site can see it set; see FunctionEmitter.delegate).
//
// The rest of the design lives where the code is: the frames in
// emit-func.ts, what splits and flattens a `try` in split.ts and flatten.ts,
// tail calls from inside a `try` in emit-tail.ts.

import { ValType } from './ir.js';
import type { ModuleEnv } from './emit-stack.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

/** The variable that says which delegate site an exception in flight comes from (0: none). */
export const DELEGATE_VAR = 'dlg';
/**
 * Every handler's catch parameter. A handler's first statement copies it
 * into the handler's variable and nothing else reads it: flatten.ts moves
 * that statement into its own dispatch `catch`, which has the same parameter.
 */
export const CATCH_PARAM = 'e';

/** `try { block } catch (e) { handler }` */
export function tryStatement(block: JsNode[], handler: JsNode[]): JsNode {
  return {
    type: 'TryStatement',
    block: js.block(block),
    handler: { type: 'CatchClause', param: js.id(CATCH_PARAM), body: js.block(handler) },
    finalizer: null,
  };
}

/**
 * A handler's first statements: copy the caught value, let the exceptions
 * of the delegate sites it skips pass, reset `dlg` (when the function has
 * delegate sites), and sort out traps.
 */
export function handlerStart(env: ModuleEnv, exn: string, skips: readonly number[], resetDelegate: boolean): JsNode[] {
  const x = js.id(exn);
  const out = [js.exprStmt(js.assign(x, js.id(CATCH_PARAM)))];
  if (skips.length > 0) {
    let test = js.bin('===', js.id(DELEGATE_VAR), js.num(skips[0]));
    for (let i = 1; i < skips.length; i++) test = js.logical('||', test, js.bin('===', js.id(DELEGATE_VAR), js.num(skips[i])));
    out.push(js.ifStmt(test, { type: 'ThrowStatement', argument: x }, null));
  }
  if (resetDelegate) out.push(js.exprStmt(js.assign(js.id(DELEGATE_VAR), js.num(0))));
  out.push(js.exprStmt(js.assign(x, js.call(env.helper('catchable'), [x]))));
  return out;
}

/**
 * The body of a delegate site's JS `catch`: `dlg = N; throw e;`. The
 * exceptions of inner sites that skip this one keep their number:
 * `if (dlg !== M) dlg = N; throw e;`.
 */
export function delegateHandler(site: number, skips: readonly number[]): JsNode[] {
  let mark = js.exprStmt(js.assign(js.id(DELEGATE_VAR), js.num(site)));
  if (skips.length > 0) {
    let test = js.bin('!==', js.id(DELEGATE_VAR), js.num(skips[0]));
    for (let i = 1; i < skips.length; i++) test = js.logical('&&', test, js.bin('!==', js.id(DELEGATE_VAR), js.num(skips[i])));
    mark = js.ifStmt(test, mark, null);
  }
  return [mark, { type: 'ThrowStatement', argument: js.id(CATCH_PARAM) }];
}

/** `exn._tag === tagN`: whether the caught exception has the tag (JavaScript exceptions have JSTag's). */
export function tagTest(env: ModuleEnv, exn: string, tag: number): JsNode {
  return js.bin('===', js.member(js.id(exn), '_tag'), js.id(env.tagName(tag)));
}

/**
 * The payload values of an exception with tag `tag`, one expression per
 * value as the operand stack holds them (a v128 is four words), with their
 * types.
 */
export function payload(env: ModuleEnv, exn: string, tag: number): { type: ValType; expr: JsNode }[] {
  const args = js.member(js.id(exn), '_args');
  const values: { type: ValType; expr: JsNode }[] = [];
  env.tagType(tag).params.forEach((type, i) => {
    const arg = js.index(args, js.num(i));
    if (type === ValType.V128) for (let k = 0; k < 4; k++) values.push({ type, expr: js.index(arg, js.num(k)) });
    else values.push({ type, expr: arg });
  });
  return values;
}

/**
 * `throw newException(tagN, [a, [w0, w1, w2, w3], ...])` for `throw`, from
 * the operand values (a v128 as its four words). A float payload gets a
 * trailing null: V8 stores an array of only numbers as raw doubles, which
 * quiets a signalling NaN.
 */
export function throwStatement(env: ModuleEnv, tag: number, values: JsNode[]): JsNode {
  const args: JsNode[] = [];
  let next = 0;
  let floats = false;
  for (const type of env.tagType(tag).params) {
    if (type === ValType.V128) {
      args.push(js.arr(values.slice(next, next + 4)));
      next += 4;
    } else {
      args.push(values[next++]);
      if (type === ValType.F32 || type === ValType.F64) floats = true;
    }
  }
  if (floats) args.push(js.nul());
  const exception = js.call(env.helper('newException'), [js.id(env.tagName(tag)), js.arr(args)]);
  return { type: 'ThrowStatement', argument: exception };
}

/** `throwRef(x);`: throw_ref, rethrow, and a handler that no clause matched. */
export function throwRefStatement(env: ModuleEnv, exnref: JsNode): JsNode {
  return js.exprStmt(js.call(env.helper('throwRef'), [exnref]));
}
