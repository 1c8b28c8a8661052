// The differential fuzzer's own module generator. It writes valid
// WebAssembly 2.0 binaries, SIMD included, directly as bytes, deterministically
// from (seed, index), fast enough for thousands of modules a second, and
// aims at what binaryen's `wasm-opt -ttf` rarely builds: deep operand
// stacks in stack style mixing calls (0, 1 and several results),
// call_indirect, select, local.tee, global.set and traps mid-expression;
// multi-value blocks, br_table with hundreds of targets, the LLVM switch
// lowering and deep nesting; v128 values in all those shapes. Function
// bodies are gen/body.js, gen/control.js and gen/simd.js; this file lays out
// the module around them.
//
// The harness's interface (fixed): imports are the void functions
// "fuzzing-support" "log-i32" / "log-i64" / "log-f32" / "log-f64"; exports
// are functions "f0", "f1", ... (number and v128 params, any number of
// number and v128 results), a memory "memory", a funcref table "table" and
// globals "g0", "g1", ... of every number type and v128, mutable and
// immutable (the harness reads v128s through expose.js's lanes). Every exported
// function terminates: it is a wrapper that refills the module's fuel and
// depth budget and calls the generated function of the same number.

import { FunctionGenerator } from './gen/body.js';
import { ByteWriter } from './gen/bytes.js';
import { dataBytes, writeConst } from './gen/constants.js';
import { Op, instructionSet } from './gen/instructions.js';
import { chooseProfile } from './gen/profile.js';
import { Random } from './gen/random.js';
import { EXTERNREF, F32, F64, FUNCREF, I32, I64, SLOT, SLOT_COUNT, TYPE_NAMES, TypeTable, V128, featureSet, isNumeric, isReference } from './gen/types.js';

/** @typedef {import('./gen/body.js').FunctionInfo} FunctionInfo */
/** @typedef {import('./gen/body.js').GlobalInfo} GlobalInfo */
/** @typedef {import('./gen/body.js').TableInfo} TableInfo */
/** @typedef {import('./gen/body.js').ModuleContext} ModuleContext */

/**
 * @typedef {object} ElementSegment
 * @property {'active' | 'passive' | 'declarative'} mode
 * @property {number} table
 * @property {number} offset
 * @property {number} type        FUNCREF or EXTERNREF
 * @property {number[]} items     function indices, -1 for ref.null
 * @property {boolean} expressions  written as expressions rather than indices
 */

/**
 * @typedef {object} GlobalDefinition
 * @property {number} type
 * @property {boolean} mutable
 * @property {string | undefined} exportName
 * @property {(w: ByteWriter) => void} init
 * @property {GlobalInfo | undefined} info   set for globals generated code may use
 */

/**
 * @typedef {object} GenerateOptions
 * @property {string[]} [features]  the enabled proposals beyond the MVP, by binaryen's names
 *   (sign-ext, mutable-globals, nontrapping-float-to-int, bulk-memory, reference-types,
 *   multivalue, simd); all of WebAssembly 2.0 when absent. Names no generator knows yet
 *   (tail-call, ...) are accepted and ignored.
 */

/**
 * Generates one valid module. The same seed and index give the same bytes
 * on any machine.
 * @param {number | bigint | string} seed
 * @param {number} index
 * @param {GenerateOptions} [options]
 * @returns {Uint8Array}
 */
export function generateModule(seed, index, options = {}) {
  const rng = new Random(seed, index);
  const features = featureSet(options.features);
  const profile = chooseProfile(rng, features);
  const types = new TypeTable();
  const references = features.has('reference-types');
  const bulk = features.has('bulk-memory');
  const multi = features.has('multivalue');
  const numberType = () => {
    const t = profile.valueTypes[rng.pickCumulative(profile.typeCumulative)];
    return isNumeric(t) ? t : I32;
  };

  // Imports: the four log functions, in a random order so no compiler can
  // count on their indices.
  const importOrder = rng.shuffle([I32, I64, F32, F64]);
  /** @type {FunctionInfo[]} */
  const imports = importOrder.map((t, i) => ({ index: i, typeIndex: types.intern([t], []), params: [t], results: [], level: 0, budget: 0 }));
  /** @type {number[]} */
  const logFunction = [];
  importOrder.forEach((t, i) => {
    logFunction[SLOT[t]] = i;
  });

  // Levels of the direct-call DAG, dealt round-robin so each is populated:
  // calls go to lower levels only (unless guarded), so every chain of
  // unguarded calls is at most `levels` deep.
  const levels = rng.shuffle(Array.from({ length: profile.functionCount }, (_, i) => i % (profile.levels + 1)));
  /** @type {FunctionInfo[]} */
  const functions = [];
  for (let i = 0; i < profile.functionCount; i++) {
    const params = [];
    for (let k = rng.chance(0.25) ? 0 : rng.range(1, profile.maxParams); k > 0; k--) params.push(numberType());
    const results = [];
    for (let k = multi ? rng.weighted([25, 45, 15, 10, 5]) : rng.int(2); k > 0; k--) results.push(numberType());
    functions.push({
      index: imports.length + i,
      typeIndex: types.intern(params, results),
      params,
      results,
      level: levels[i],
      budget: rng.logRange(profile.budget[0], profile.budget[1]),
    });
  }
  const wrapperBase = imports.length + functions.length;
  const hasStart = rng.chance(0.2);
  const startIndex = wrapperBase + functions.length;

  const pages = rng.range(1, 2);
  const maxPages = pages + rng.int(4);
  const memoryBytes = pages * 65536;

  /** @type {TableInfo[]} */
  const tables = [];
  // Element segments fill a stable prefix of each table; code writes the
  // scratch rest (see gen/tables.js).
  const mainStable = rng.chance(0.05) ? 0 : rng.range(1, 16);
  const mainMin = mainStable + (references ? rng.int(9) : 0);
  tables.push({ elemType: FUNCREF, min: mainMin, max: rng.chance(0.8) ? mainMin + rng.int(17) : undefined, stable: mainStable, filled: [] });
  if (references && rng.chance(0.3)) {
    const stable = rng.int(5);
    const min = stable + rng.int(5);
    tables.push({ elemType: rng.chance(0.6) ? FUNCREF : EXTERNREF, min, max: min + rng.int(9), stable, filled: [] });
  }

  const elements = chooseElements(rng, tables, functions, imports, bulk, references);
  const globals = chooseGlobals(rng, profile, functions, references, features.has('mutable-globals'), features.has('simd'), features.has('extended-const'));
  const fuelGlobal = globals.findIndex((g) => g.fuel === 'fuel');
  const depthGlobal = globals.findIndex((g) => g.fuel === 'depth');
  /** @type {GlobalInfo[][]} */
  const globalsByType = Array.from({ length: SLOT_COUNT }, () => []);
  globals.forEach((g, i) => {
    if (g.info) {
      g.info.index = i;
      globalsByType[SLOT[g.type]].push(g.info);
    }
  });

  /** @type {{offset: number, bytes: Uint8Array, passive: boolean}[]} */
  const data = [];
  for (let i = rng.range(1, 3); i > 0; i--) {
    const length = rng.logRange(1, 300);
    const offset = rng.chance(0.7) ? rng.int(Math.min(1024, memoryBytes - length) + 1) : rng.int(memoryBytes - length + 1);
    data.push({ offset, bytes: dataBytes(rng, length), passive: false });
  }
  for (let i = bulk ? rng.int(3) : 0; i > 0; i--) data.push({ offset: 0, bytes: dataBytes(rng, rng.logRange(1, 200)), passive: true });
  rng.shuffle(data);

  /** @type {ModuleContext} */
  const m = {
    rng,
    ops: instructionSet(features),
    features,
    profile,
    types,
    functions,
    imports,
    logFunction,
    globalsByType,
    fuelGlobal,
    depthGlobal,
    memoryBytes,
    tables,
    elemSegments: elements.map((s) => s.type),
    elemLengths: elements.map((s) => s.items.length),
    passiveElements: elements.map((s) => s.mode === 'passive'),
    dataSegments: data.map((d) => d.bytes.length),
    passiveData: data.map((d) => d.passive),
    refFunctions: new Set(),
    usesDataCount: false,
  };
  for (const g of globals) if (g.refFunction !== undefined) m.refFunctions.add(g.refFunction);

  /** @type {ByteWriter[][]} */
  const bodies = functions.map((f) => new FunctionGenerator(m, f).generate());
  for (const f of functions) bodies.push([wrapperBody(f, profile, fuelGlobal, depthGlobal)]);
  if (hasStart) bodies.push([startBody(m)]);

  // ref.func needs its function declared outside the code: one declarative
  // segment lists every function the code names.
  if (m.refFunctions.size > 0) {
    elements.push({ mode: 'declarative', table: 0, offset: 0, type: FUNCREF, items: [...m.refFunctions], expressions: rng.chance(0.3) });
  }

  return assemble({
    rng,
    types,
    imports,
    importOrder,
    functions,
    hasStart,
    startIndex,
    wrapperBase,
    tables,
    pages,
    maxPages,
    globals,
    elements,
    data,
    bodies,
    dataCount: m.usesDataCount || (bulk && rng.chance(0.3)),
    extended: features.has('extended-const'),
  });
}

/**
 * Element segments: active ones filling parts of the tables (recording
 * which slot holds which function, for call_indirect that mostly hits),
 * and passive ones for table.init.
 * @param {Random} rng
 * @param {TableInfo[]} tables
 * @param {FunctionInfo[]} functions
 * @param {FunctionInfo[]} imports
 * @param {boolean} extendedForms  the segment encodings beyond the MVP's flag 0 (bulk-memory)
 * @param {boolean} references  element expressions (ref.null t, ref.func) and externref
 * @returns {ElementSegment[]}
 */
function chooseElements(rng, tables, functions, imports, extendedForms, references) {
  /** @type {ElementSegment[]} */
  const segments = [];
  const someFunction = () => (rng.chance(0.85) ? rng.pick(functions).index : rng.pick(imports).index);
  const byIndex = new Map([...functions, ...imports].map((f) => [f.index, f]));
  tables.forEach((table, tableIndex) => {
    /** @type {(FunctionInfo | null)[]} */
    const slots = new Array(table.min).fill(null);
    const count = table.stable === 0 ? 0 : tableIndex === 0 ? rng.range(1, 3) : rng.int(2);
    for (let s = 0; s < count; s++) {
      const length = rng.range(1, Math.min(table.stable, 10));
      const offset = rng.int(table.stable - length + 1);
      const expressions = references && (table.elemType === EXTERNREF || rng.chance(0.3));
      const items = [];
      for (let i = 0; i < length; i++) items.push(table.elemType === EXTERNREF || (expressions && rng.chance(0.15)) ? -1 : someFunction());
      if (tableIndex > 0 && !extendedForms) continue;
      segments.push({ mode: 'active', table: tableIndex, offset, type: table.elemType, items, expressions });
      items.forEach((f, i) => {
        slots[offset + i] = f < 0 ? null : /** @type {FunctionInfo} */ (byIndex.get(f));
      });
    }
    slots.forEach((f, slot) => {
      if (f) table.filled.push([slot, f]);
    });
  });
  if (extendedForms) {
    for (let s = rng.int(3); s > 0; s--) {
      const externs = tables.some((t) => t.elemType === EXTERNREF) && rng.chance(0.3);
      const items = [];
      for (let i = rng.int(8); i > 0; i--) items.push(externs || (references && rng.chance(0.1)) ? -1 : someFunction());
      const expressions = externs || items.includes(-1) || (references && rng.chance(0.3));
      segments.push({ mode: 'passive', table: 0, offset: 0, type: externs ? EXTERNREF : FUNCREF, items, expressions });
    }
  }
  return segments;
}

/**
 * The globals: per number type, exported mutable and immutable ones that
 * generated code reads and writes; unexported ones, reference-typed ones;
 * and the fuel and depth counters, at random indices.
 * @param {Random} rng
 * @param {import('./gen/profile.js').Profile} profile
 * @param {FunctionInfo[]} functions
 * @param {boolean} references
 * @param {boolean} mutableExports
 * @param {boolean} vectors  v128 globals too
 * @param {boolean} extended  extended constants: i32/i64 initialisers may be arithmetic
 */
function chooseGlobals(rng, profile, functions, references, mutableExports, vectors, extended) {
  /** @type {(GlobalDefinition & {fuel?: string, refFunction?: number})[]} */
  const globals = [];
  /**
   * @param {number} type
   * @param {boolean} mutable
   * @param {boolean} exported
   */
  const add = (type, mutable, exported) => {
    /** @type {GlobalDefinition & {refFunction?: number}} */
    const arithmetic = extended && (type === I32 || type === I64) && rng.chance(0.4);
    const g = {
      type, mutable, exportName: exported ? '' : undefined,
      init: (w) => (arithmetic ? writeConstArithmetic(w, rng, type, 3) : writeConst(w, rng, type)),
      info: { index: -1, type, mutable },
    };
    if (type === FUNCREF && rng.chance(0.5)) {
      const f = rng.pick(functions).index;
      g.refFunction = f;
      g.init = (w) => {
        w.byte(Op.ref_func);
        w.u32(f);
      };
    } else if (isReference(type)) {
      g.init = (w) => {
        w.byte(Op.ref_null);
        w.byte(type);
      };
    }
    globals.push(g);
  };
  for (const type of [I32, I64, F32, F64]) {
    // Before mutable-globals, only immutable globals could be exported.
    for (let i = rng.range(1, 2); i > 0; i--) add(type, true, mutableExports);
    for (let i = rng.range(1, 2); i > 0; i--) add(type, false, true);
    if (rng.chance(0.3)) add(type, true, false);
  }
  if (vectors) {
    add(V128, true, mutableExports && rng.chance(0.7));
    if (rng.chance(0.6)) add(V128, false, true);
  }
  if (references && rng.chance(0.5)) add(FUNCREF, true, false);
  if (references && rng.chance(0.2)) add(EXTERNREF, rng.chance(0.7), false);
  const counter = (/** @type {string} */ name, /** @type {number} */ value) => ({
    type: I32,
    mutable: true,
    exportName: undefined,
    init: (/** @type {ByteWriter} */ w) => {
      w.byte(Op.i32_const);
      w.s32(value);
    },
    info: undefined,
    fuel: name,
  });
  globals.push(counter('fuel', profile.fuel), counter('depth', profile.depth));
  rng.shuffle(globals);
  let exported = 0;
  for (const g of globals) if (g.exportName !== undefined) g.exportName = `g${exported++}`;
  return globals;
}

/**
 * The exported function f<k>: refill fuel and depth, pass the arguments
 * on, return what the generated function returns.
 * @param {FunctionInfo} f
 * @param {import('./gen/profile.js').Profile} profile
 * @param {number} fuelGlobal
 * @param {number} depthGlobal
 */
function wrapperBody(f, profile, fuelGlobal, depthGlobal) {
  const w = new ByteWriter(32);
  w.u32(0);
  w.byte(Op.i32_const);
  w.s32(profile.fuel);
  w.byte(Op.global_set);
  w.u32(fuelGlobal);
  w.byte(Op.i32_const);
  w.s32(profile.depth);
  w.byte(Op.global_set);
  w.u32(depthGlobal);
  for (let i = 0; i < f.params.length; i++) {
    w.byte(Op.local_get);
    w.u32(i);
  }
  w.byte(Op.call);
  w.u32(f.index);
  w.byte(Op.end);
  return w;
}

/**
 * A start function that cannot trap: constant stores in bounds, constant
 * global writes and log calls, so instantiation itself is observable.
 * @param {ModuleContext} m
 */
function startBody(m) {
  const rng = m.rng;
  const w = new ByteWriter(64);
  w.u32(0);
  for (let i = rng.range(1, 6); i > 0; i--) {
    const type = rng.pick([I32, I64, F32, F64]);
    const roll = rng.int(3);
    const mutable = m.globalsByType[SLOT[type]].filter((g) => g.mutable);
    if (roll === 0 && mutable.length > 0) {
      writeConst(w, rng, type);
      w.byte(Op.global_set);
      w.u32(rng.pick(mutable).index);
    } else if (roll === 1) {
      const op = rng.pick(m.ops.storesByType[SLOT[type]]);
      w.byte(Op.i32_const);
      w.s32(rng.int(m.memoryBytes - op.size + 1));
      writeConst(w, rng, type);
      w.byte(op.code);
      w.u32(0);
      w.u32(0);
    } else {
      writeConst(w, rng, type);
      w.byte(Op.call);
      w.u32(m.logFunction[SLOT[type]]);
    }
  }
  w.byte(Op.end);
  return w;
}

/**
 * @param {ByteWriter} w
 * @param {number} min
 * @param {number | undefined} max
 */
function writeLimits(w, min, max) {
  if (max === undefined) {
    w.byte(0);
    w.u32(min);
  } else {
    w.byte(1);
    w.u32(min);
    w.u32(max);
  }
}

/**
 * @param {ByteWriter} w
 * @param {number} value  a constant i32 offset
 * @param {Random} rng
 * @param {boolean} extended  extended constants: the offset may be written as arithmetic giving it
 */
function writeOffset(w, value, rng, extended) {
  const roll = extended ? rng.int(4) : 0;
  if (roll === 1) {
    // value = a + (value - a)
    const a = rng.int32();
    writeI32(w, a);
    writeI32(w, (value - a) | 0);
    w.byte(Op.i32_add);
  } else if (roll === 2) {
    // value = (value + b) - b
    const b = rng.int32();
    writeI32(w, (value + b) | 0);
    writeI32(w, b);
    w.byte(Op.i32_sub);
  } else if (roll === 3) {
    // value = p * q + (value - p * q), the product wrapping
    const p = rng.int32();
    const q = rng.int32();
    writeI32(w, p);
    writeI32(w, q);
    w.byte(Op.i32_mul);
    writeI32(w, (value - Math.imul(p, q)) | 0);
    w.byte(Op.i32_add);
  } else {
    writeI32(w, value);
  }
  w.byte(Op.end);
}

/** @param {ByteWriter} w @param {number} value */
function writeI32(w, value) {
  w.byte(Op.i32_const);
  w.s32(value);
}

/**
 * An i32/i64 constant expression (without its end) of extended-constant
 * arithmetic over constants, up to `depth` operators deep.
 * @param {ByteWriter} w
 * @param {Random} rng
 * @param {number} type  I32 or I64
 * @param {number} depth
 */
function writeConstArithmetic(w, rng, type, depth) {
  if (depth === 0 || rng.chance(0.3)) {
    writeConst(w, rng, type);
    return;
  }
  writeConstArithmetic(w, rng, type, depth - 1);
  writeConstArithmetic(w, rng, type, depth - 1);
  w.byte(rng.pick(type === I32 ? [0x6a, 0x6b, 0x6c] : [0x7c, 0x7d, 0x7e])); // add, sub, mul
}

/**
 * Element segment in one of the eight encodings the format has, chosen at
 * random among those that can express it.
 * @param {Random} rng
 * @param {ByteWriter} w
 * @param {ElementSegment} s
 * @param {boolean} extended  extended constants (writeOffset)
 */
function writeElement(rng, w, s, extended) {
  const implicitTable = s.mode === 'active' && s.table === 0 && s.type === FUNCREF && rng.chance(0.5);
  const flags = (s.mode === 'passive' ? 1 : s.mode === 'declarative' ? 3 : implicitTable ? 0 : 2) | (s.expressions ? 4 : 0);
  w.u32(flags);
  if (s.mode === 'active') {
    if (!implicitTable) w.u32(s.table);
    writeOffset(w, s.offset, rng, extended);
  }
  if (flags !== 0 && flags !== 4) w.byte(s.expressions ? s.type : 0x00);
  w.u32(s.items.length);
  for (const f of s.items) {
    if (!s.expressions) {
      w.u32(f);
    } else if (f < 0) {
      w.byte(Op.ref_null);
      w.byte(s.type);
      w.byte(Op.end);
    } else {
      w.byte(Op.ref_func);
      w.u32(f);
      w.byte(Op.end);
    }
  }
}

/**
 * Names that trip up a translation to JavaScript if it pastes them into
 * source text: script end tags, line terminators that JSON allows and
 * (before ES2019) JavaScript did not, quotes, comment and template
 * delimiters, and identifiers the generated code itself uses.
 */
const TRICKY_NAMES = [
  '</script>', 'line\u2028separator', 'para\u2029graph', '"quoted"', "it's", 'back\\slash', '*/', '/*', '${x}', '`',
  'ñandú', '🦀', 'new\nline', 'tab\t', 'nul\0', 'constructor', '__proto__', 'toString', 'eval', 'arguments', 'rt', 'fn0',
  'l0', 'mem0', 'return', '',
];

/**
 * A custom section with a tricky name and random bytes.
 * @param {ByteWriter} out
 * @param {Random} rng
 */
function writeCustomSection(out, rng) {
  const body = new ByteWriter();
  body.name(rng.chance(0.8) ? rng.pick(TRICKY_NAMES) : `custom${rng.int(100)}`);
  for (let n = rng.int(40); n > 0; n--) body.byte(rng.int(256));
  out.section(0, body);
}

/**
 * A well-formed "name" section: a module name and names for some
 * functions, tricky ones among them.
 * @param {ByteWriter} out
 * @param {Random} rng
 * @param {number} functionCount
 */
function writeNameSection(out, rng, functionCount) {
  const body = new ByteWriter();
  body.name('name');
  const moduleName = new ByteWriter();
  moduleName.name(rng.pick(TRICKY_NAMES));
  body.byte(0);
  body.u32(moduleName.length);
  body.append(moduleName);
  const functionNames = new ByteWriter();
  const named = [];
  for (let i = 0; i < functionCount; i++) if (rng.chance(0.6)) named.push(i);
  functionNames.u32(named.length);
  for (const index of named) {
    functionNames.u32(index);
    functionNames.name(rng.chance(0.5) ? rng.pick(TRICKY_NAMES) : `$func${index}`);
  }
  body.byte(1);
  body.u32(functionNames.length);
  body.append(functionNames);
  out.section(0, body);
}

/**
 * Writes the sections in the order the format requires.
 * @param {object} parts
 * @param {Random} parts.rng
 * @param {TypeTable} parts.types
 * @param {FunctionInfo[]} parts.imports
 * @param {number[]} parts.importOrder
 * @param {FunctionInfo[]} parts.functions
 * @param {boolean} parts.hasStart
 * @param {number} parts.startIndex
 * @param {number} parts.wrapperBase
 * @param {TableInfo[]} parts.tables
 * @param {number} parts.pages
 * @param {number} parts.maxPages
 * @param {(GlobalDefinition)[]} parts.globals
 * @param {ElementSegment[]} parts.elements
 * @param {{offset: number, bytes: Uint8Array, passive: boolean}[]} parts.data
 * @param {ByteWriter[][]} parts.bodies  each body in pieces (locals, code)
 * @param {boolean} parts.dataCount
 * @param {boolean} parts.extended  extended constants: offsets may be written as arithmetic
 */
function assemble(parts) {
  const { rng } = parts;
  const out = new ByteWriter(4096);
  out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  let s = new ByteWriter();
  // Custom sections may sit between any two sections; decoders skip them
  // (and keep them for WebAssembly.Module.customSections).
  const customsAt = new Set();
  if (rng.chance(0.1)) for (let k = rng.range(1, 2); k > 0; k--) customsAt.add(rng.int(13));
  let boundary = 0;
  /** @param {number} id @param {ByteWriter} contents */
  const section = (id, contents) => {
    if (customsAt.has(boundary++)) writeCustomSection(out, rng);
    out.section(id, contents);
  };

  const startType = parts.types.intern([], []);
  s.u32(parts.types.list.length);
  for (const t of parts.types.list) {
    s.byte(0x60);
    s.u32(t.params.length);
    s.bytes(t.params);
    s.u32(t.results.length);
    s.bytes(t.results);
  }
  section(1, s);

  s = new ByteWriter();
  s.u32(parts.imports.length);
  parts.imports.forEach((f, i) => {
    s.name('fuzzing-support');
    s.name(`log-${TYPE_NAMES[parts.importOrder[i]]}`);
    s.byte(0x00);
    s.u32(f.typeIndex);
  });
  section(2, s);

  s = new ByteWriter();
  s.u32(parts.functions.length * 2 + (parts.hasStart ? 1 : 0));
  for (const f of parts.functions) s.u32(f.typeIndex);
  for (const f of parts.functions) s.u32(f.typeIndex);
  if (parts.hasStart) s.u32(startType);
  section(3, s);

  s = new ByteWriter();
  s.u32(parts.tables.length);
  for (const t of parts.tables) {
    s.byte(t.elemType);
    writeLimits(s, t.min, t.max);
  }
  section(4, s);

  s = new ByteWriter();
  s.u32(1);
  writeLimits(s, parts.pages, parts.maxPages);
  section(5, s);

  s = new ByteWriter();
  s.u32(parts.globals.length);
  for (const g of parts.globals) {
    s.byte(g.type);
    s.byte(g.mutable ? 1 : 0);
    g.init(s);
    s.byte(Op.end);
  }
  section(6, s);

  /** @type {[string, number, number][]} */
  const exports = parts.functions.map((f, k) => [`f${k}`, 0, parts.wrapperBase + k]);
  exports.push(['table', 1, 0], ['memory', 2, 0]);
  parts.globals.forEach((g, i) => {
    if (g.exportName !== undefined) exports.push([g.exportName, 3, i]);
  });
  rng.shuffle(exports);
  s = new ByteWriter();
  s.u32(exports.length);
  for (const [name, kind, index] of exports) {
    s.name(name);
    s.byte(kind);
    s.u32(index);
  }
  section(7, s);

  if (parts.hasStart) {
    s = new ByteWriter();
    s.u32(parts.startIndex);
    section(8, s);
  }

  if (parts.elements.length > 0) {
    s = new ByteWriter();
    s.u32(parts.elements.length);
    for (const e of parts.elements) writeElement(rng, s, e, parts.extended);
    section(9, s);
  }

  if (parts.dataCount) {
    s = new ByteWriter();
    s.u32(parts.data.length);
    section(12, s);
  }

  s = new ByteWriter(parts.bodies.reduce((n, pieces) => n + pieces.reduce((k, piece) => k + piece.length, 5), 16));
  s.u32(parts.bodies.length);
  for (const pieces of parts.bodies) {
    s.u32(pieces.reduce((n, piece) => n + piece.length, 0));
    for (const piece of pieces) s.append(piece);
  }
  section(10, s);

  s = new ByteWriter();
  s.u32(parts.data.length);
  for (const d of parts.data) {
    if (d.passive) {
      s.byte(1);
    } else if (rng.chance(0.2) && parts.dataCount) {
      s.byte(2);
      s.u32(0);
      writeOffset(s, d.offset, rng, parts.extended);
    } else {
      s.byte(0);
      writeOffset(s, d.offset, rng, parts.extended);
    }
    s.u32(d.bytes.length);
    s.bytes(d.bytes);
  }
  section(11, s);
  if (customsAt.has(boundary)) writeCustomSection(out, rng);
  if (rng.chance(0.1)) writeNameSection(out, rng, parts.imports.length + parts.functions.length * 2 + (parts.hasStart ? 1 : 0));

  return out.toBytes();
}
