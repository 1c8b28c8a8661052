// Runs one module on the native engine and on wasm2es configurations in
// lockstep, comparing as it goes: compilation, instantiation, then each
// planned call's outcome (result, or the class of what it threw), the host
// calls it made with their arguments, and the state afterwards. Lockstep
// keeps the comparison cheap: two memories are compared directly, with no
// copy or hash.
//
// Stack exhaustion comes at different depths in different engines, so it is
// an outcome of its own: once either side runs out of stack, that
// configuration's later state is no longer compared, and the run counts it.
//
// A module that uses what the native engine lacks (configs.js, `beyond`:
// exception handling's final encoding or several memories in Node 20's V8,
// or a throw or catch with binaryen's "jstag" where there is no
// WebAssembly.JSTag) has no reference to be compared with: every
// configuration gets the status 'beyond-native', counted apart. wasm2es
// still compiles it, and a compile that throws anything but a CompileError
// is a divergence all the same.

import { parseModule } from './wasm-binary.js';
import { createHost, isExhaustion } from './host.js';
import { encodeValue, decodeArgument, HOST_LABELS } from './values.js';
import { readState, compareStates, summarizeState } from './state.js';
import { NAN_COUNTER } from './canonicalize.js';

const EXHAUSTED = 'throws exhaustion';

/**
 * @typedef {{ kind: string, detail: string, call?: number, nanOnly?: boolean }} Divergence
 * @typedef {{ status: 'same' | 'diverged' | 'exhausted' | 'unsupported' | 'beyond-native', calls: number, divergence?: Divergence, message?: string }} ConfigResult
 */

/**
 * @param {Uint8Array} bytes
 * @param {{ export: string, args: string[] }[]} plan
 * @param {import('./configs.js').Engine} native
 * @param {Record<string, import('./configs.js').Engine>} engines
 * @param {{ trace?: boolean }} [options] trace: also return the native behaviour, as a fixture stores it
 * @returns {{ nativeCompile: string, calls: number, nans: number, configs: Record<string, ConfigResult>, beyondNative?: string, trace?: object }}
 *   nans: how many NaNs canonicalize.js replaced natively (0 for a module it did not transform);
 *   beyondNative: why native V8 cannot be the reference for this module
 */
export function runModule(bytes, plan, native, engines, { trace = false } = {}) {
  const result = { nativeCompile: 'ok', calls: 0, nans: 0, configs: {} };
  const nativeTrace = { compile: 'ok', instantiate: null, calls: [] };
  if (trace) result.trace = nativeTrace;

  let nativeModule = null;
  try {
    nativeModule = native.compile(bytes);
  } catch (error) {
    result.nativeCompile = `throws ${errorClass(native, error)}`;
  }
  nativeTrace.compile = result.nativeCompile;
  let module = null;
  try {
    module = parseModule(bytes);
  } catch (error) {
    if (nativeModule) throw error;
  }
  const beyond = native.beyond?.(bytes, { compiled: nativeModule !== null, module }) ?? null;
  if (beyond) {
    result.beyondNative = beyond;
    nativeTrace.beyondNative = beyond;
  }

  // Compile on every configuration; the ones that fail here are done.
  const active = [];
  for (const [name, engine] of Object.entries(engines)) {
    const config = (result.configs[name] = { status: 'same', calls: 0 });
    let compiled = null;
    try {
      compiled = engine.compile(bytes);
    } catch (error) {
      const outcome = `throws ${errorClass(engine, error)}`;
      if (beyond && outcome === 'throws CompileError') {
        Object.assign(config, { status: 'beyond-native', message: `${beyond}; wasm2es: ${error.message}` });
      } else if (beyond) {
        diverge(config, { kind: 'crash', detail: `compile: ${outcome}: ${error?.message}, expected ok or a CompileError (native cannot judge: it ${beyond})` });
      } else if (nativeModule && outcome === 'throws CompileError' && /not supported/.test(error.message)) {
        config.status = 'unsupported';
        config.message = error.message;
      } else if (nativeModule || outcome !== result.nativeCompile) {
        diverge(config, { kind: outcome === 'throws CompileError' ? 'compile' : 'crash', detail: `compile: ${outcome}: ${error?.message}, expected ${result.nativeCompile}` });
      }
      continue;
    }
    if (beyond) Object.assign(config, { status: 'beyond-native', message: beyond });
    else if (!nativeModule) diverge(config, { kind: 'compile', detail: `compile: ok, expected ${result.nativeCompile}` });
    else active.push({ name, engine, config, compiled });
  }
  if (beyond || !nativeModule || (!active.length && !trace)) return result;

  const exports = module.exports;
  const sides = [{ name: 'native', engine: native, compiled: nativeModule }, ...active].map((side) => ({ ...side, host: createHost(side.engine, module) }));
  const [reference, ...others] = sides;

  // Instantiation (data and element segments, the start function).
  for (const side of sides) {
    try {
      side.instance = side.engine.instantiate(side.compiled, side.host.imports);
      side.host.attach(side.instance);
      side.outcome = 'instantiated';
    } catch (error) {
      side.outcome = `throws ${errorClass(side.engine, error, side.host)}`;
    }
  }
  nativeTrace.instantiate = { outcome: reference.outcome, log: [...reference.host.log] };
  let running = others.filter((side) => compareStep(reference, side, 'instantiate', undefined));
  if (!reference.instance) return result;
  if (trace) nativeTrace.instantiate.state = summarizeState(readState(reference.instance, exports, reference.host.labels));

  for (let callIndex = 0; callIndex < plan.length; callIndex++) {
    const { export: exportName, args } = plan[callIndex];
    if (!exports.some((entry) => entry.name === exportName && entry.kind === 'function')) continue;
    const values = args.map(decodeArgument);
    for (const side of [reference, ...running]) {
      side.host.log.length = 0;
      side.outcome = callOutcome(side.engine, side.host, () => side.instance.exports[exportName](...values));
    }
    result.calls++;
    if (trace) {
      nativeTrace.calls.push({ export: exportName, args, outcome: reference.outcome, log: [...reference.host.log], state: summarizeState(readState(reference.instance, exports, reference.host.labels)) });
    }
    running = running.filter((side) => {
      side.config.calls++;
      return compareStep(reference, side, `call ${callIndex} ${exportName}(${args.join(', ')})`, callIndex);
    });
    if (reference.outcome === EXHAUSTED) {
      for (const side of running) side.config.status = 'exhausted';
      break;
    }
    if (!running.length && !trace) break;
  }
  for (const entry of exports) {
    if (entry.kind === 'global' && entry.name.startsWith(NAN_COUNTER)) result.nans += reference.instance.exports[entry.name].value;
  }
  return result;

  /** Compares one step of `side` with the native one; false once the configuration is done. */
  function compareStep(want, side, where, callIndex) {
    if (want.outcome === EXHAUSTED || side.outcome === EXHAUSTED) {
      side.config.status = 'exhausted';
      side.config.exhaustedAlone = want.outcome !== EXHAUSTED;
      return false;
    }
    if (side.outcome !== want.outcome) return diverge(side.config, { kind: callIndex === undefined ? 'instantiate' : 'call', call: callIndex, detail: `${where}: ${side.outcome}, expected ${want.outcome}` });
    const logDifference = compareLogs(want.host.log, side.host.log);
    if (logDifference) return diverge(side.config, { kind: 'imports', call: callIndex, detail: `${where}: ${logDifference}` });
    if (!want.instance) return false; // both failed to instantiate, the same way
    const stateDifference = compareStates(readState(want.instance, exports, want.host.labels), readState(side.instance, exports, side.host.labels));
    if (stateDifference) return diverge(side.config, { ...stateDifference, call: callIndex, detail: `${where}: then ${stateDifference.detail}` });
    return true;
  }
}

function diverge(config, divergence) {
  config.status = 'diverged';
  config.divergence = divergence;
  return false;
}

function compareLogs(want, got) {
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] !== got[i]) return `host call ${i} was ${got[i] ?? 'not made'}, expected ${want[i] ?? 'none'}`;
  }
  return null;
}

function callOutcome(engine, host, run) {
  try {
    return `returns ${encodeValue(run(), host.labels)}`;
  } catch (error) {
    return `throws ${errorClass(engine, error, host)}`;
  }
}

/**
 * What a thrown value was, by class: the message is the engine's own
 * business. A WebAssembly.Exception (the engine's own class) is
 * 'Exception', and when it carries the host's "wasmtag" (`host.wasmTag`), its
 * payload too. Anything else thrown, e.g. an externref that wasm threw with
 * JSTag, is shown as a value.
 */
export function errorClass(engine, error, host) {
  if (isExhaustion(error)) return 'exhaustion';
  const WA = engine.WebAssembly;
  if (error instanceof WA.RuntimeError) return 'RuntimeError';
  if (error instanceof WA.LinkError) return 'LinkError';
  if (error instanceof WA.CompileError) return 'CompileError';
  if (WA.Exception && error instanceof WA.Exception) return host?.wasmTag && error.is(host.wasmTag) ? `Exception wasmtag(${error.getArg(host.wasmTag, 0)})` : 'Exception';
  if (error instanceof Error) return error.constructor.name;
  return `value ${encodeValue(error, host?.labels ?? HOST_LABELS)}`;
}
