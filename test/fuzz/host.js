// The host a fuzzed module links against, built once per engine from that
// engine's own classes, and recording every call into it. The
// "fuzzing-support" functions behave as in binaryen's scripts/fuzz_shell.js
// (logging, table access, calling exports and function references with
// null arguments, catching exceptions but not traps, and `throw`: a JS
// Error for 0, otherwise a WebAssembly.Exception of the "wasmtag" tag with
// the argument as its payload), so -ttf modules run as binaryen meant them
// to. Its tags are the engine's own: "wasmtag" a new Tag of one i32, made
// once per host, "jstag" the engine's WebAssembly.JSTag (where it has
// none, a new Tag of one externref, for modules that import it without
// throwing or catching with it: execute.js keeps the others from running). Any other import gets a stub
// that records its arguments and returns undefined; imported globals,
// memories, tables and tags are made from the import's type, with values
// fixed by its name.
//
// A JS function cannot take a v128 (calling it from wasm throws a
// TypeError), so an imported function with v128 parameters, binaryen's
// "log-v128" among them, is a small wasm function instead, compiled by the
// same engine: it passes each v128 on to the recording JS function as four
// i32 lanes, which are compared like any other argument.
//
// With GC, binaryen's -ttf also imports "log-anyref", "log-funcref" and
// "log-externref" (recorded like the rest: a struct shows as 'opaque#n'),
// and "__fuzz_import" globals of type externref or (ref extern), which get
// the host object. An import whose type the JS API's descriptors cannot
// name (a mutable global, table or tag of a GC type) is left for the plain
// value or nothing, so that every engine fails to link it alike instead of
// the host depending on which descriptor strings an engine accepts beyond
// the spec's.

import { encodeValue, labels as createLabels, HOST_OBJECT, HOST_LABELS } from './values.js';
import { encodeModule, encodeTypes, encodeFunctions, encodeExports, encodeCode, concat, vector, name, u32, SECTION } from './wasm-binary.js';

export { HOST_OBJECT, HOST_LABELS };
/** Value types a Global, Table or Tag descriptor names in every engine, by the names it takes. */
const DESCRIBABLE = { i32: 'i32', i64: 'i64', f32: 'f32', f64: 'f64', v128: 'v128', externref: 'externref', funcref: 'anyfunc' };

const STACK_OVERFLOW = /call stack|recursion|stack overflow/i;

/**
 * True for the error an engine throws when the call stack runs out: V8's
 * RangeError "Maximum call stack size exceeded", which wasm2es lets through,
 * or a RuntimeError saying so, which the JS API would allow as well.
 */
export function isExhaustion(error) {
  return (error instanceof RangeError || error?.name === 'RuntimeError') && STACK_OVERFLOW.test(error.message);
}

/**
 * @param {import('./configs.js').Engine} engine
 * @param {ReturnType<import('./wasm-binary.js').parseModule>} module
 * @returns {{ imports: object, log: string[], labels: ReturnType<typeof createLabels>, wasmTag: any, attach: (instance: any) => void }}
 *   labels: how this side names the objects it meets, for everything it encodes (values.js)
 */
export function createHost(engine, module) {
  const WA = engine.WebAssembly;
  const log = [];
  const labels = createLabels();
  // fuzz_shell.js makes it only where Tag exists; every engine here has one.
  const wasmTag = new WA.Tag({ parameters: ['i32'] });
  let exports = null; // the instance's exports, once there is an instance
  let exportList = [];

  /** binaryen's callFunc: null for every parameter (null converts to 0 and to a null reference). */
  const callFunc = (func) => func.apply(null, new Array(func.length).fill(null));
  /** binaryen's tryCall: 1 for a caught exception; traps and stack exhaustion go on. */
  const tryCall = (func, rethrow) => {
    try {
      func();
      return 0;
    } catch (error) {
      if (error instanceof WA.RuntimeError || isExhaustion(error) || rethrow) throw error;
      return 1;
    }
  };
  const support = {
    'log-i32': () => {},
    'log-i64': () => {},
    'log-f32': () => {},
    'log-f64': () => {},
    'log-branch': () => {},
    throw: (which) => {
      if (!which) throw new Error('js exception');
      throw new WA.Exception(wasmTag, [which]);
    },
    // A 64-bit table (memory64) takes a BigInt index.
    'table-get': (index) => exports.table.get(tableIndex(exports.table, index)),
    'table-set': (index, value) => exports.table.set(tableIndex(exports.table, index), value),
    'call-export': (index, flags) => {
      if (flags & 1) tryCall(() => callFunc(exportList[index].value), true);
      else callFunc(exportList[index].value);
    },
    'call-export-catch': (index) => tryCall(() => callFunc(exportList[index].value)),
    'call-ref': (ref, flags) => {
      if (flags & 1) tryCall(() => callFunc(ref), true);
      else callFunc(ref);
    },
    'call-ref-catch': (ref) => tryCall(() => callFunc(ref)),
    sleep: (ms, id) => id,
  };

  const imports = {};
  for (const entry of module.imports) {
    const namespace = (imports[entry.module] ??= {});
    const label = `${entry.module}.${entry.name}`;
    if (entry.kind === 'function') {
      const behaviour = entry.module === 'fuzzing-support' ? support[entry.name] : undefined;
      const record = (...args) => {
        log.push(`${entry.name}(${args.map((arg) => encodeValue(arg, labels)).join(', ')})`);
        return behaviour?.(...args);
      };
      const type = module.types[entry.typeIndex];
      namespace[entry.name] = type.params.includes('v128') && !type.results.includes('v128') ? laneForwarder(engine, type, record) : record;
    } else if (entry.kind === 'global') {
      const type = entry.global.value;
      const value = globalValue(type, label);
      // A mutable GC-typed global gets the plain value, which links nowhere.
      namespace[entry.name] = entry.global.mutable && type in DESCRIBABLE ? new WA.Global({ value: DESCRIBABLE[type], mutable: true }, value) : value;
    } else if (entry.kind === 'memory') {
      namespace[entry.name] = new WA.Memory(entry.memory);
    } else if (entry.kind === 'table') {
      if (entry.table.element in DESCRIBABLE) namespace[entry.name] = new WA.Table({ ...entry.table, element: DESCRIBABLE[entry.table.element] });
    } else if (entry.kind === 'tag') {
      const support = entry.module === 'fuzzing-support';
      const parameters = module.types[entry.typeIndex].params;
      if (support && entry.name === 'wasmtag') namespace[entry.name] = wasmTag;
      // Without a JSTag, a stand-in: execute.js has made sure no instruction uses it.
      else if (support && entry.name === 'jstag') namespace[entry.name] = WA.JSTag ?? new WA.Tag({ parameters: ['externref'] });
      else if (parameters.every((type) => type in DESCRIBABLE)) namespace[entry.name] = new WA.Tag({ parameters: parameters.map((type) => DESCRIBABLE[type]) });
    }
  }

  return {
    imports,
    log,
    labels,
    wasmTag,
    /** Called once the instance exists: the host's export calls and table access go to it. */
    attach(instance) {
      exports = instance.exports;
      exportList = module.exports.map((entry) => ({ name: entry.name, value: exports[entry.name] }));
    },
  };
}

/** An imported global's value: fixed by its name, so every engine gets the same. */
function globalValue(type, label) {
  let hash = 0;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
  if (type === 'i32') return hash | 0;
  if (type === 'i64') return BigInt(hash | 0) * 0x100000001n;
  if (type === 'f32') return Math.fround((hash | 0) / 256);
  if (type === 'f64') return (hash | 0) / 1024;
  if (type === 'externref' || type === '(ref extern)') return HOST_OBJECT;
  return null;
}

/** Compiled forwarder modules, by engine and then by function type. */
const forwarders = new WeakMap();

/**
 * A wasm function of `type`, instantiated on `engine`, that calls `record`
 * with each v128 argument as four i32 lanes and returns what it returns.
 */
function laneForwarder(engine, type, record) {
  let byType = forwarders.get(engine);
  if (!byType) forwarders.set(engine, (byType = new Map()));
  const key = `${type.params}>${type.results}`;
  let module = byType.get(key);
  if (!module) byType.set(key, (module = engine.compile(forwarderBytes(type))));
  return engine.instantiate(module, { host: { record } }).exports.forward;
}

/** (module (import "host" "record" (lanes of type)) (func (export "forward") (type type) ...)) */
export function forwarderBytes(type) {
  const lanes = type.params.flatMap((t) => (t === 'v128' ? ['i32', 'i32', 'i32', 'i32'] : [t]));
  const code = [0]; // no locals
  type.params.forEach((t, i) => {
    if (t !== 'v128') code.push(0x20, ...u32(i)); // local.get
    else for (let lane = 0; lane < 4; lane++) code.push(0x20, ...u32(i), 0xfd, 0x1b, lane); // i32x4.extract_lane
  });
  code.push(0x10, 0, 0x0b); // call $record, end
  return encodeModule([
    { id: SECTION.type, payload: encodeTypes([type, { params: lanes, results: type.results }]) },
    { id: SECTION.import, payload: vector([concat([name('host'), name('record'), [0x00, 1]])]) },
    { id: SECTION.function, payload: encodeFunctions([0]) },
    { id: SECTION.export, payload: encodeExports([{ name: 'forward', kind: 'function', index: 1 }]) },
    { id: SECTION.code, payload: encodeCode([Uint8Array.from(code)]) },
  ]);
}

/** An i32 from the module as an index of `table`: unsigned, and a BigInt for a 64-bit table. */
function tableIndex(table, index) {
  return typeof table.length === 'bigint' ? BigInt(index >>> 0) : index >>> 0;
}
