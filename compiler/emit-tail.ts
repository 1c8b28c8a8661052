// Tail calls (WebAssembly 3.0): `return_call` and `return_call_indirect` in
// constant JS stack space. JS engines do not eliminate tail calls, so a
// tail call to a function that may itself tail-call goes through a
// trampoline (runtime/tail.ts):
//
//   function fn5$t(l0) { ...; return tailTo(fn7$t, [l0 + 1 | 0]); }    // the tail body
//   function fn5(l0) { var r = fn5$t(l0); return r === TAIL ? tailLoop() : r; }
//   fn5.$t = fn5$t;
//
// A function that makes tail calls (Func.tailCalls, recorded by the
// decoder) is emitted as its *tail body* `fnN$t`, which may return TAIL
// after handing the runtime its callee and arguments, and a wrapper `fnN`,
// its raw function: what ordinary calls, tables, exports and other modules
// call, and which runs the pending calls until one returns a value. A tail
// call to a function without tail calls is an ordinary `return fnM(...)`:
// that callee returns rather than tail-calling, so the stack it adds is
// bounded. A tail call through a table or to an import asks the runtime
// (`tailCall`), which looks for the callee's tail body on its raw function
// (`$t`), so the loop also stays flat across modules.
//
// Functions without tail calls, and every call that is not a tail call,
// are emitted exactly as before: code that does not use tail calls pays
// nothing.

import type { ModuleEnv } from './emit-stack.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

/** The name of function N's tail body. */
export const tailBodyName = (funcIndex: number): string => `fn${funcIndex}$t`;

const params = (count: number): string[] => Array.from({ length: count }, (_, i) => `l${i}`);

/**
 * The expression a `return_call` of function `funcIndex` with `args`
 * returns. `guarded`: the call is inside a JS `try` of an exception handler
 * (emit-exceptions.ts), which must not see the callee's exceptions (the
 * caller's frame, and its handlers, are gone): the callee always runs from
 * the trampoline, outside.
 */
export function directTailCall(env: ModuleEnv, funcIndex: number, args: JsNode[], guarded = false): JsNode {
  const body = env.tailBody(funcIndex);
  // A function of this module that makes tail calls: hand over its tail body.
  if (typeof body === 'string') return js.call(env.helper('tailTo'), [js.id(body), js.arr(args)]);
  const callee = js.id(env.funcName(funcIndex));
  // One that makes none returns, whatever it calls: an ordinary call (or, guarded, from the trampoline).
  if (body === null) return guarded ? js.call(env.helper('tailTo'), [callee, js.arr(args)]) : js.call(callee, args);
  // An import: maybe another module's function with a tail body.
  return js.call(env.helper(guarded ? 'tailOut' : 'tailCall'), [callee, js.arr(args)]);
}

/** The expression a `return_call_indirect` of `callee` (a raw function from a call view) returns; `guarded` as for directTailCall. */
export function indirectTailCall(env: ModuleEnv, callee: JsNode, args: JsNode[], guarded = false): JsNode {
  return js.call(env.helper(guarded ? 'tailOut' : 'tailCall'), [callee, js.arr(args)]);
}

/** `function fnN(l0, l1) { var r = fnN$t(l0, l1); return r === TAIL ? tailLoop() : r; }` */
export function tailWrapper(funcIndex: number, paramCount: number, helper: (name: string) => JsNode): JsNode {
  const names = params(paramCount);
  const result = js.id('r');
  return js.fn(`fn${funcIndex}`, names, [
    js.decl([['r', js.call(js.id(tailBodyName(funcIndex)), names.map((name) => js.id(name)))]]),
    js.ret(js.cond(js.bin('===', result, helper('TAIL')), js.call(helper('tailLoop'), []), result)),
  ]);
}

/** `fnN.$t = fnN$t;`: how tables, imports and other modules find the tail body. */
export function tailLink(funcIndex: number): JsNode {
  return js.exprStmt(js.assign(js.member(js.id(`fn${funcIndex}`), '$t'), js.id(tailBodyName(funcIndex))));
}

/**
 * Lazy mode: the tail body's stub, `function fnN$t(l0) { $gen(N); return fnN$t(l0); }`.
 * Generating function N rebinds `fnN$t` (and `fnN`), so the second call is the real one.
 */
export function lazyTailStub(funcIndex: number, paramCount: number): JsNode {
  const names = params(paramCount);
  const name = tailBodyName(funcIndex);
  return js.fn(name, names, [
    js.exprStmt(js.call(js.id('$gen'), [js.num(funcIndex)])),
    js.ret(js.call(js.id(name), names.map((param) => js.id(param)))),
  ]);
}
