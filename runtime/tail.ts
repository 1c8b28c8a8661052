// Tail calls (WebAssembly 3.0: return_call, return_call_indirect) in
// constant JS stack space, with a trampoline. compiler/emit-tail.ts
// describes the code shape; in short:
//
// - A function whose body makes tail calls is emitted twice over: its *tail
//   body* `fnN$t`, the function itself, which ends a tail call to another
//   such function by handing the callee and its arguments to this file
//   (`tailTo`) and returning TAIL; and its raw function `fnN`, a wrapper that
//   calls the tail body and, when that returns TAIL, runs the pending calls
//   here (`tailLoop`) until one returns a value. The raw function carries its
//   tail body as `fnN.$t`, which is how a tail call through a table or an
//   imported function finds it, in this module or another (`tailCall`).
// - Functions that make no tail calls, and every call that is not a tail
//   call, are emitted as before: the trampoline costs nothing to code that
//   does not use it.
//
// The pending call lives in this module's variables, one per JS realm, as
// all runtimes of a realm run on the same stack: a tail body sets them
// right before it returns TAIL and the loop reads them right after, with no
// wasm code running in between.

/** What a tail body returns to say "call `pendingFn` with `pendingArgs` in my place". Never a wasm value. */
export const TAIL: object = Object.freeze({ tail: true });

let pendingFn: (...args: any[]) => any = () => undefined;
let pendingArgs: readonly unknown[] = [];

/** A raw function that has a tail body: the one emitted functions that make tail calls carry. */
interface TailCapable {
  (...args: any[]): any;
  $t?: (...args: any[]) => any;
}

/** `return_call` of a function of this module that makes tail calls: `body` is its tail body. */
export function tailTo(body: (...args: any[]) => any, args: readonly unknown[]): object {
  pendingFn = body;
  pendingArgs = args;
  return TAIL;
}

/**
 * A tail call of any raw function (an import, a table element): through the
 * trampoline when the callee has a tail body (it may tail-call in turn),
 * else an ordinary call, which returns.
 */
export function tailCall(raw: TailCapable, args: readonly unknown[]): unknown {
  const body = raw.$t;
  if (body === undefined) return raw(...args);
  pendingFn = body;
  pendingArgs = args;
  return TAIL;
}

/**
 * A tail call of any raw function from inside an exception handler's JS
 * `try` (compiler/emit-exceptions.ts): always through the trampoline, so
 * that the callee runs after the caller's `try` is left.
 */
export function tailOut(raw: TailCapable, args: readonly unknown[]): object {
  pendingFn = raw.$t ?? raw;
  pendingArgs = args;
  return TAIL;
}

/** Runs pending tail calls until one returns a value: what a wrapper does when its tail body returns TAIL. */
export function tailLoop(): unknown {
  let result: unknown;
  do {
    result = pendingFn(...pendingArgs);
  } while (result === TAIL);
  return result;
}
