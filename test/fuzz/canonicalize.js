// NaN canonicalisation, the way wasm-smith's `canonicalize_nans` does it.
// WebAssembly leaves the sign and payload of a NaN that arithmetic produces
// open (any "arithmetic NaN"), and V8 and JavaScript pick differently:
// f64.promote_f32 of a NaN keeps its payload natively and is the plain
// canonical NaN in wasm2es. Through i64.reinterpret_f64 that difference
// becomes an ordinary number, so a raw comparison reports divergences the
// spec allows.
//
// The transform makes a module deterministic: after every instruction whose
// NaN result the spec leaves open, the value goes through
//   local.set $t  fN.const nan  local.get $t  local.get $t  local.get $t  fN.ne
//   local.tee $c  global.get $nans  i32.add  global.set $nans  local.get $c  select
// i.e. a NaN becomes the positive canonical NaN and bumps the exported global
// `__fuzz_nans` (`__fuzz_nans2`, ... when there is one already). Every other instruction (loads, stores, neg, abs, copysign,
// reinterpret, select, locals, constants) must keep NaN bits exactly, so
// those are still compared bit for bit.
//
// SIMD float arithmetic is the same rule lane by lane: after each f32x4 or
// f64x2 instruction whose NaN lanes the spec leaves open (the arithmetic,
// roundings, sqrt, min and max, demote and promote; not abs, neg, pmin,
// pmax, lane access, shuffles, loads and stores, which move bits), the
// vector goes through
//   local.set $v  v128.const nan...  local.get $v  local.get $v  local.get $v
//   fNxM.ne  local.tee $m  v128.bitselect
//   local.get $m  v128.any_true  global.get $nans  i32.add  global.set $nans
// so its NaN lanes, and only those, become the positive canonical NaN.

import { parseModule, decodeBody, reader, encodeModule, encodeCode, encodeExports, withSection, concat, u32, vector, SECTION } from './wasm-binary.js';

export const NAN_COUNTER = '__fuzz_nans';

/** Opcode -> result type, for the instructions whose NaN results are nondeterministic. */
const ARITHMETIC = new Map([
  ...[0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0xb6].map((op) => [op, 'f32']),
  ...[0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xbb].map((op) => [op, 'f64']),
]);
/** SIMD sub-opcode -> lane shape, likewise (relaxed madd, nmadd, min and max too, though nothing generates them). */
const SIMD_ARITHMETIC = new Map([
  ...[0x5e, 0x67, 0x68, 0x69, 0x6a, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0x105, 0x106, 0x10d, 0x10e].map((sub) => [sub, 'f32x4']),
  ...[0x5f, 0x74, 0x75, 0x7a, 0x94, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0x107, 0x108, 0x10f, 0x110].map((sub) => [sub, 'f64x2']),
]);
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22, GLOBAL_GET = 0x23, GLOBAL_SET = 0x24, SIMD = 0xfd;
const CANONICAL = {
  f32: [0x43, 0x00, 0x00, 0xc0, 0x7f],
  f64: [0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f],
  f32x4: [SIMD, 0x0c, ...Array(4).fill([0, 0, 0xc0, 0x7f]).flat()],
  f64x2: [SIMD, 0x0c, ...Array(2).fill([0, 0, 0, 0, 0, 0, 0xf8, 0x7f]).flat()],
};
const NOT_EQUAL = { f32: 0x5c, f64: 0x62 };
const VECTOR_NOT_EQUAL = { f32x4: 0x42, f64x2: 0x48 };
const V128_BITSELECT = 0x52, V128_ANY_TRUE = 0x53;
const TYPE_BYTE = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** The type or lane shape whose NaNs an instruction leaves open, or undefined. */
function nanShape(instruction) {
  return instruction.op === SIMD ? SIMD_ARITHMETIC.get(instruction.sub) : ARITHMETIC.get(instruction.op);
}

/** True when some function body has an instruction whose NaN result is open. */
export function hasArithmeticNaNs(bytes) {
  return parseModule(bytes).bodies.some((body) => decodeBody(body).instructions.some((instruction) => nanShape(instruction)));
}

/**
 * True when every instruction whose NaN is open is followed by the
 * canonicalising sequence, so the module is deterministic as it stands
 * (canonicalised already, and the reducer has not cut into it).
 */
export function isCanonical(bytes) {
  return parseModule(bytes).bodies.every((body) => {
    const { instructions } = decodeBody(body);
    return instructions.every((instruction, i) => {
      const shape = nanShape(instruction);
      if (!shape) return true;
      const isVector = shape in VECTOR_NOT_EQUAL;
      const next = instructions.slice(i + 1, i + (isVector ? 14 : 13));
      const constant = next[1] && body.subarray(next[1].start, next[1].end);
      if (next.length !== (isVector ? 13 : 12) || next[0].op !== LOCAL_SET || constant.length !== CANONICAL[shape].length || !constant.every((b, j) => b === CANONICAL[shape][j])) return false;
      if (!isVector) return next[5].op === NOT_EQUAL[shape] && next[11].op === 0x1b;
      return next[5].sub === VECTOR_NOT_EQUAL[shape] && next[7].sub === V128_BITSELECT && next[12].op === GLOBAL_SET;
    });
  });
}

/** @param {Uint8Array} bytes @returns {Uint8Array} */
export function canonicalizeNaNs(bytes) {
  const module = parseModule(bytes);
  const counter = module.globalTypes.length;
  const bodies = module.bodies.map((body, index) => canonicalizeBody(body, module.functionTypes[module.importedFunctionCount + index].params.length, counter));

  const globalSection = module.sections.find((section) => section.id === SECTION.global);
  const oldGlobals = globalSection ? entriesAfterCount(globalSection.payload) : new Uint8Array(0);
  const newGlobal = Uint8Array.of(TYPE_BYTE.i32, 1, 0x41, 0x00, 0x0b); // (mut i32) (i32.const 0)
  const globalPayload = concat([Uint8Array.from(u32(module.globals.length + 1)), oldGlobals, newGlobal]);
  let sections = withSection(module.sections, SECTION.global, globalPayload);
  // A module canonicalised before (the reducer's candidates) keeps its counter and gets another.
  let name = NAN_COUNTER;
  for (let n = 2; module.exports.some((entry) => entry.name === name); n++) name = `${NAN_COUNTER}${n}`;
  sections = withSection(sections, SECTION.export, encodeExports([...module.exports, { name, kind: 'global', index: counter }]));
  sections = withSection(sections, SECTION.code, encodeCode(bodies));
  return encodeModule(sections);
}

function entriesAfterCount(payload) {
  const r = reader(payload);
  r.u32();
  return payload.subarray(r.offset);
}

function canonicalizeBody(body, paramCount, counter) {
  const { instructions } = decodeBody(body);
  if (!instructions.some((instruction) => nanShape(instruction))) return body;
  // The existing local groups, then one f32, one f64 and one i32 scratch
  // local, and, where vectors are canonicalised, two v128 ones.
  const vectors = instructions.some((instruction) => instruction.op === SIMD && SIMD_ARITHMETIC.has(instruction.sub));
  const r = reader(body);
  const groups = [];
  let localCount = paramCount;
  for (let i = r.u32(); i > 0; i--) {
    const start = r.offset;
    localCount += r.u32();
    r.valueType();
    groups.push(body.subarray(start, r.offset));
  }
  const scratch = { f32: localCount, f64: localCount + 1, i32: localCount + 2, v128: localCount + 3, mask: localCount + 4 };
  const locals = vector([...groups.map((group) => [...group]), [1, TYPE_BYTE.f32], [1, TYPE_BYTE.f64], [1, TYPE_BYTE.i32], ...(vectors ? [[2, TYPE_BYTE.v128]] : [])]);
  const parts = [locals];
  for (const instruction of instructions) {
    parts.push(body.subarray(instruction.start, instruction.end));
    const type = nanShape(instruction);
    if (!type) continue;
    if (type in VECTOR_NOT_EQUAL) {
      const v = u32(scratch.v128);
      const m = u32(scratch.mask);
      parts.push(Uint8Array.from([
        LOCAL_SET, ...v, ...CANONICAL[type], LOCAL_GET, ...v, LOCAL_GET, ...v, LOCAL_GET, ...v, SIMD, VECTOR_NOT_EQUAL[type],
        LOCAL_TEE, ...m, SIMD, V128_BITSELECT, LOCAL_GET, ...m, SIMD, V128_ANY_TRUE, GLOBAL_GET, ...u32(counter), 0x6a, GLOBAL_SET, ...u32(counter),
      ]));
      continue;
    }
    const t = u32(scratch[type]);
    const c = u32(scratch.i32);
    parts.push(Uint8Array.from([
      LOCAL_SET, ...t, ...CANONICAL[type], LOCAL_GET, ...t, LOCAL_GET, ...t, LOCAL_GET, ...t, NOT_EQUAL[type],
      LOCAL_TEE, ...c, GLOBAL_GET, ...u32(counter), 0x6a, GLOBAL_SET, ...u32(counter), LOCAL_GET, ...c, 0x1b,
    ]));
  }
  return concat(parts);
}
