// WebAssembly.Exception (exception handling, WebAssembly 3.0): a thrown
// wasm exception, its tag and payload. What a wasm `throw` raises and what
// reaches JavaScript is one of these, and one made in JavaScript can be
// thrown into wasm. Compiled code reads `_tag` and `_args` (the payload in
// the internal representation, runtime/abi.ts: a v128 is an array of its
// four words, and a float payload may be followed by a null, see
// newException).
//
// Also here, what compiled exception handlers call (compiler/emit-exceptions.ts):
// an exnref is an Exception, or a HostException holding a JavaScript value
// that wasm caught; `catchable` sorts what a JS `catch` caught into those,
// rethrowing traps, which wasm never catches.

import { toJSValue, toWasmValue } from './boundary.js';
import { isTrap } from './errors.js';
import { trap } from './numeric.js';
import { makeTag, Tag, toTag } from './tag.js';
import {
  apiRangeError, asWebIDLInterface, enforceRangeU32, isObject, member, passThroughErrors, toDictionary, toSequence,
} from './webidl.js';

const exceptions: WeakSet<object> = new WeakSet();

export function isException(value: unknown): value is Exception {
  return typeof value === 'object' && value !== null && exceptions.has(value);
}

function brand(value: unknown, what: string): Exception {
  if (!isException(value)) throw new TypeError(`${what} called on an object that is not a WebAssembly.Exception`);
  return value;
}

export class Exception {
  /** The tag (internal API). */
  _tag: Tag;
  /** The payload, internal representation (internal API). */
  _args: any[];

  /**
   * `options.traceStack`: when true, the exception gets a `stack` property
   * with the JavaScript stack where it was made (V8's format). Exceptions
   * thrown by wasm code have none, as the JS API leaves it.
   */
  constructor(exceptionTag: Tag, payload: Iterable<unknown>, options?: { traceStack?: boolean }) {
    const tag = toTag(exceptionTag, 'WebAssembly.Exception(): the tag');
    const values = toSequence(payload, 'WebAssembly.Exception(): the payload');
    const dictionary = toDictionary(options, 'WebAssembly.Exception(): options');
    const traceStack = !!member(dictionary, 'traceStack');
    const params = tag._type.params;
    if (values.length !== params.length) {
      throw new TypeError(`WebAssembly.Exception(): the tag takes ${params.length} value(s), the payload has ${values.length}`);
    }
    const args = new Array(params.length);
    for (let i = 0; i < params.length; i++) {
      if (params[i] === 'v128') throw new TypeError('WebAssembly.Exception(): v128 values cannot cross the JavaScript boundary');
      args[i] = toWasmValue(values[i], params[i]);
    }
    this._tag = tag;
    this._args = args;
    if (traceStack) {
      // From the caller, as V8 gives it: without this constructor's own frame where the engine can leave it out.
      const holder: { stack?: string } = {};
      const capture = (Error as any).captureStackTrace;
      if (typeof capture === 'function') capture(holder, Exception);
      else holder.stack = new Error().stack;
      Object.defineProperty(this, 'stack', { value: holder.stack, writable: true, enumerable: false, configurable: true });
    }
    exceptions.add(this);
  }

  /** Payload value `index`, converted to JavaScript; only with the exception's own tag. */
  getArg(exceptionTag: Tag, index: number): unknown {
    const exception = brand(this, 'WebAssembly.Exception.prototype.getArg');
    const tag = toTag(exceptionTag, 'WebAssembly.Exception.prototype.getArg(): the tag');
    const at = enforceRangeU32(index, 'WebAssembly.Exception.prototype.getArg(): index');
    if (exception._tag !== tag) throw new TypeError('WebAssembly.Exception.prototype.getArg(): the tag is not the exception\'s tag');
    // Not _args.length: compiled code may add a null after a float payload (newException).
    const params = tag._type.params;
    if (at >= params.length) throw apiRangeError(`WebAssembly.Exception.prototype.getArg(): index ${at} is out of range (the payload has ${params.length} value(s))`);
    const type = params[at];
    if (type === 'v128') throw new TypeError('WebAssembly.Exception.prototype.getArg(): v128 values cannot cross the JavaScript boundary');
    return toJSValue(exception._args[at], type);
  }

  /** Whether the exception has this tag. */
  is(exceptionTag: Tag): boolean {
    const exception = brand(this, 'WebAssembly.Exception.prototype.is');
    return exception._tag === toTag(exceptionTag, 'WebAssembly.Exception.prototype.is(): the tag');
  }
}

asWebIDLInterface(Exception, 'WebAssembly.Exception', 2);

/** An exception thrown by wasm code: its internal payload as it is, no stack (compiled code's `throw`). */
export function makeException(tag: Tag, args: any[]): Exception {
  const exception = Object.create(Exception.prototype) as Exception;
  exception._tag = tag;
  exception._args = args;
  exceptions.add(exception);
  return exception;
}

/**
 * WebAssembly.JSTag: the tag of JavaScript exceptions as wasm sees them, one
 * externref, the value thrown. A module that imports it catches JavaScript
 * exceptions with `catch`; one that throws with it throws the value itself.
 */
export const JSTag: Tag = makeTag({ params: ['externref'], results: [] });

/** A JavaScript value caught by wasm (catch_all, catch_all_ref, or JSTag): an exnref that rethrows the value itself. */
class HostException {
  readonly _tag: Tag = JSTag;
  readonly _args: [unknown];

  constructor(value: unknown) {
    this._args = [value];
  }
}

/**
 * The exnref of what a compiled handler's JS `catch` caught: a wasm
 * exception as it is, a JavaScript exception boxed (HostException). Traps
 * are rethrown: the RuntimeErrors the runtime makes, and the engine's own
 * errors in compiled code (a memory access out of bounds, stack overflow).
 * Everything JavaScript throws into wasm went through a host function's
 * wrapper, which marked it (passThroughErrors; compiled code throws no
 * primitives), so an unmarked object came from compiled code.
 */
export function catchable(error: unknown): object {
  if (isObject(error)) {
    if (exceptions.has(error)) return error;
    if (!passThroughErrors.has(error) || isTrap(error)) throw error;
  }
  return new HostException(error);
}

/** `throw_ref`: rethrows an exnref, a JavaScript exception as the value it was. */
export function throwRef(exnref: { _tag: Tag; _args: unknown[] } | null): never {
  if (exnref === null) trap('null exception reference', throwRef);
  throw exnref instanceof HostException ? exnref._args[0] : exnref;
}

/**
 * What `throw` throws: a new Exception (`args` may have a null after the
 * payload, which keeps V8 from storing floats raw and quieting a
 * signalling NaN), or with JSTag, the JavaScript value itself.
 */
export function newException(tag: Tag, args: unknown[]): unknown {
  return tag === JSTag ? args[0] : makeException(tag, args);
}
