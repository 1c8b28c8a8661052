// Makes a module's whole state observable from JS: every memory, table and
// global that the module does not export gets an export named
// `__fuzz_memory0`, `__fuzz_table1`, `__fuzz_global3`, ..., so the fuzzer can
// compare it after each call. binaryen's -ttf keeps its memory and most
// globals internal, where a wrong store would otherwise go unseen until a
// later load happened to read it.
//
// v128 values cannot cross into JS (calling a function with a v128 in its
// type throws a TypeError, and so does a v128 Global's value), so they are
// exposed as i32 lanes, which keep every bit (a NaN in an f32 lane is
// compared bit for bit):
//   - an exported function with a v128 parameter or result gets a wrapper
//     `__fuzz_lanes_<name>`, called by the plan like any export, that takes
//     four i32s for each v128 parameter (i32x4.splat and replace_lane) and
//     returns four i32 results for each v128 result (i32x4.extract_lane);
//   - a v128 global gets a getter `__fuzz_value_<name>` returning its four
//     lanes, which state.js reads with the rest of the state (the plan does
//     not call it).
// The original exports stay, and calling them still has to throw the same
// TypeError on every engine. The module's own type section is kept entry for
// entry (a GC module's rec groups too) and the wrappers' types come after
// it, so no type index moves.

import { parseModule, encodeModule, encodeExports, appendTypes, encodeFunctions, encodeCode, encodeValueType, withSection, concat, vector, u32, SECTION } from './wasm-binary.js';

export const LANES_PREFIX = '__fuzz_lanes_';
export const VALUE_PREFIX = '__fuzz_value_';

const LOCAL_GET = 0x20, LOCAL_SET = 0x21, GLOBAL_GET = 0x23, CALL = 0x10, END = 0x0b;
const SIMD = 0xfd, I32X4_SPLAT = 0x11, I32X4_EXTRACT_LANE = 0x1b, I32X4_REPLACE_LANE = 0x1c;

/** @param {Uint8Array} bytes @returns {Uint8Array} the same module with the extra exports (and functions) */
export function exposeState(bytes) {
  const module = parseModule(bytes);
  const exports = [...module.exports];
  const exported = new Set(exports.map((entry) => `${entry.kind} ${entry.index}`));
  const counts = { memory: module.memoryCount, table: module.tableTypes.length, global: module.globalTypes.length };
  for (const kind of ['memory', 'table', 'global']) {
    for (let index = 0; index < counts[kind]; index++) {
      if (!exported.has(`${kind} ${index}`)) exports.push({ name: `__fuzz_${kind}${index}`, kind, index });
    }
  }

  const names = new Set(exports.map((entry) => entry.name));
  const types = []; // function types after the module's own
  const added = []; // { typeIndex, body }
  const addFunction = (name, type, body) => {
    types.push(type);
    added.push({ typeIndex: module.types.length + types.length - 1, body });
    exports.push({ name: unique(names, name), kind: 'function', index: module.functionTypes.length + added.length - 1 });
  };
  for (const entry of [...exports]) {
    if (entry.kind === 'function') {
      const type = module.functionTypes[entry.index];
      if (type.params.includes('v128') || type.results.includes('v128')) addFunction(`${LANES_PREFIX}${entry.name}`, lanesType(type), lanesWrapper(type, entry.index));
    } else if (entry.kind === 'global' && module.globalTypes[entry.index].value === 'v128') {
      addFunction(`${VALUE_PREFIX}${entry.name}`, { params: [], results: ['i32', 'i32', 'i32', 'i32'] }, globalLanes(entry.index));
    }
  }

  if (exports.length === module.exports.length) return bytes;
  let sections = withSection(module.sections, SECTION.export, encodeExports(exports));
  if (added.length) {
    sections = withSection(sections, SECTION.type, appendTypes(module, types));
    sections = withSection(sections, SECTION.function, encodeFunctions([...module.functions, ...added.map((entry) => entry.typeIndex)]));
    sections = withSection(sections, SECTION.code, encodeCode([...module.bodies, ...added.map((entry) => entry.body)]));
  }
  return encodeModule(sections);
}

function unique(names, name) {
  let candidate = name;
  for (let n = 2; names.has(candidate); n++) candidate = `${name}${n}`;
  names.add(candidate);
  return candidate;
}

const lanes = (types) => types.flatMap((type) => (type === 'v128' ? ['i32', 'i32', 'i32', 'i32'] : [type]));

/** The wrapper's type: every v128 parameter and result as four i32s. */
function lanesType(type) {
  return { params: lanes(type.params), results: lanes(type.results) };
}

/** Calls function `index`, building its v128 arguments from i32 lanes and taking its v128 results apart. */
function lanesWrapper(type, index) {
  const code = [];
  let param = 0;
  for (const t of type.params) {
    if (t === 'v128') {
      code.push(LOCAL_GET, ...u32(param++), SIMD, I32X4_SPLAT);
      for (let lane = 1; lane < 4; lane++) code.push(LOCAL_GET, ...u32(param++), SIMD, I32X4_REPLACE_LANE, lane);
    } else {
      code.push(LOCAL_GET, ...u32(param++));
    }
  }
  code.push(CALL, ...u32(index));
  // The results, one local each (the last one is on top), then back on the stack in order.
  const first = param;
  for (let i = type.results.length - 1; i >= 0; i--) code.push(LOCAL_SET, ...u32(first + i));
  type.results.forEach((t, i) => {
    if (t !== 'v128') code.push(LOCAL_GET, ...u32(first + i));
    else for (let lane = 0; lane < 4; lane++) code.push(LOCAL_GET, ...u32(first + i), SIMD, I32X4_EXTRACT_LANE, lane);
  });
  code.push(END);
  const locals = vector(type.results.map((t) => [1, ...encodeValueType(t)]));
  return concat([locals, Uint8Array.from(code)]);
}

/** The four lanes of v128 global `index`. */
function globalLanes(index) {
  const code = [0]; // no locals
  for (let lane = 0; lane < 4; lane++) code.push(GLOBAL_GET, ...u32(index), SIMD, I32X4_EXTRACT_LANE, lane);
  code.push(END);
  return Uint8Array.from(code);
}
