// One table for every core opcode: its name, the kind of immediates it
// carries and, where fixed, its operand-stack signature. decode reads the
// immediate kinds, validate and emit read the signatures, so the three can
// never disagree about an opcode. Opcodes whose typing depends on context
// (control, locals, calls, drop/select, references, tables) have `sig: null`
// and are typed by hand in validate and emit. The SIMD opcodes (0xFD prefix,
// fixed-width and relaxed) all have fixed signatures; their lane-index
// immediates carry the bound validate checks them against.

import { HeapType, ValType, refType } from './ir.js';

export const enum Imm {
  None,
  BlockType,
  Label,
  BrTable,
  Func,
  CallIndirect,
  Local,
  Global,
  Table,
  MemArg,
  Memory,
  I32,
  I64,
  F32,
  F64,
  SelectT,
  RefType,
  MemoryInit, // dataidx memidx
  Data,
  MemoryCopy, // memidx memidx
  TableInit, // elemidx tableidx
  Elem,
  TableCopy, // tableidx tableidx
  Lane, // one lane-index byte (extract_lane, replace_lane)
  MemArgLane, // memarg, then a lane-index byte (load_lane, store_lane)
  V128, // 16 bytes (v128.const)
  Shuffle, // 16 lane-index bytes (i8x16.shuffle)
  Tag, // tagidx (throw, legacy catch)
  TryTable, // blocktype, then a vector of catch clauses
  Type, // typeidx (call_ref, struct.new, array.get, ...), canonicalised
  TypeField, // typeidx fieldidx (struct.get, struct.set)
  TypeCount, // typeidx u32 (array.new_fixed)
  TypeData, // typeidx dataidx (array.new_data, array.init_data)
  TypeElem, // typeidx elemidx (array.new_elem, array.init_elem)
  TypeType, // typeidx typeidx (array.copy: destination, source)
  HeapType, // a heap type (ref.test, ref.cast; the opcode says whether null passes)
  BrOnCast, // flags, labelidx, two heap types (br_on_cast, br_on_cast_fail)
}

export interface OpInfo {
  code: number;
  name: string;
  imm: Imm;
  /** Fixed signature, or null when typed by context. */
  params: ValType[] | null;
  results: ValType[] | null;
  /** Natural alignment (log2 bytes) for memory accesses, else -1. */
  naturalAlign: number;
  /** Lane-index immediates (Lane, MemArgLane, Shuffle): each must be below this; else 0. */
  lanes: number;
}

/** Opcode info by folded opcode number (see Instr.op in ir.ts). */
export const OPS = new Map<number, OpInfo>();

const TYPE_CHARS: Record<string, ValType> = {
  i: ValType.I32,
  I: ValType.I64,
  f: ValType.F32,
  F: ValType.F64,
  v: ValType.V128,
  e: ValType.EqRef,
  A: ValType.ArrayRef,
  J: ValType.I31Ref,
  j: refType(HeapType.I31, false) as ValType,
};

function sigTypes(text: string): ValType[] {
  return [...text].map((char) => TYPE_CHARS[char]);
}

// sig: "params>results" with i=i32 I=i64 f=f32 F=f64 v=v128 e=eqref A=arrayref
// J=i31ref j=(ref i31), or "" when typed by context.
function def(code: number, name: string, imm: Imm, sig = '', naturalAlign = -1, lanes = 0): void {
  let params: ValType[] | null = null;
  let results: ValType[] | null = null;
  if (sig !== '') {
    const [p, r] = sig.split('>');
    params = sigTypes(p);
    results = sigTypes(r);
  }
  OPS.set(code, { code, name, imm, params, results, naturalAlign, lanes });
}

// Control and parametric instructions.
def(0x00, 'unreachable', Imm.None);
def(0x01, 'nop', Imm.None, '>');
def(0x02, 'block', Imm.BlockType);
def(0x03, 'loop', Imm.BlockType);
def(0x04, 'if', Imm.BlockType);
def(0x05, 'else', Imm.None);
def(0x0b, 'end', Imm.None);
def(0x0c, 'br', Imm.Label);
def(0x0d, 'br_if', Imm.Label);
def(0x0e, 'br_table', Imm.BrTable);
def(0x0f, 'return', Imm.None);
def(0x10, 'call', Imm.Func);
def(0x11, 'call_indirect', Imm.CallIndirect);
// Tail calls (3.0): emit-tail.ts.
def(0x12, 'return_call', Imm.Func);
def(0x13, 'return_call_indirect', Imm.CallIndirect);
// Exception handling (3.0): emit-exceptions.ts. try_table, throw and
// throw_ref; and the legacy encoding toolchains still emit, try with catch,
// catch_all, delegate and rethrow.
def(0x1f, 'try_table', Imm.TryTable);
def(0x08, 'throw', Imm.Tag);
def(0x0a, 'throw_ref', Imm.None);
def(0x06, 'try', Imm.BlockType);
def(0x07, 'catch', Imm.Tag);
def(0x19, 'catch_all', Imm.None);
def(0x18, 'delegate', Imm.Label);
def(0x09, 'rethrow', Imm.Label);
def(0x1a, 'drop', Imm.None);
def(0x1b, 'select', Imm.None);
def(0x1c, 'select', Imm.SelectT);

// Variables and tables.
def(0x20, 'local.get', Imm.Local);
def(0x21, 'local.set', Imm.Local);
def(0x22, 'local.tee', Imm.Local);
def(0x23, 'global.get', Imm.Global);
def(0x24, 'global.set', Imm.Global);
def(0x25, 'table.get', Imm.Table);
def(0x26, 'table.set', Imm.Table);

// Memory.
const loads: [number, string, string, number][] = [
  [0x28, 'i32.load', 'i>i', 2], [0x29, 'i64.load', 'i>I', 3],
  [0x2a, 'f32.load', 'i>f', 2], [0x2b, 'f64.load', 'i>F', 3],
  [0x2c, 'i32.load8_s', 'i>i', 0], [0x2d, 'i32.load8_u', 'i>i', 0],
  [0x2e, 'i32.load16_s', 'i>i', 1], [0x2f, 'i32.load16_u', 'i>i', 1],
  [0x30, 'i64.load8_s', 'i>I', 0], [0x31, 'i64.load8_u', 'i>I', 0],
  [0x32, 'i64.load16_s', 'i>I', 1], [0x33, 'i64.load16_u', 'i>I', 1],
  [0x34, 'i64.load32_s', 'i>I', 2], [0x35, 'i64.load32_u', 'i>I', 2],
  [0x36, 'i32.store', 'ii>', 2], [0x37, 'i64.store', 'iI>', 3],
  [0x38, 'f32.store', 'if>', 2], [0x39, 'f64.store', 'iF>', 3],
  [0x3a, 'i32.store8', 'ii>', 0], [0x3b, 'i32.store16', 'ii>', 1],
  [0x3c, 'i64.store8', 'iI>', 0], [0x3d, 'i64.store16', 'iI>', 1],
  [0x3e, 'i64.store32', 'iI>', 2],
];
for (const [code, name, sig, align] of loads) def(code, name, Imm.MemArg, sig, align);
def(0x3f, 'memory.size', Imm.Memory, '>i');
def(0x40, 'memory.grow', Imm.Memory, 'i>i');

// Constants.
def(0x41, 'i32.const', Imm.I32, '>i');
def(0x42, 'i64.const', Imm.I64, '>I');
def(0x43, 'f32.const', Imm.F32, '>f');
def(0x44, 'f64.const', Imm.F64, '>F');

// Numeric instructions, in opcode order; each group shares one signature.
function group(start: number, sig: string, names: string[]): void {
  names.forEach((name, i) => def(start + i, name, Imm.None, sig));
}
group(0x45, 'i>i', ['i32.eqz']);
group(0x46, 'ii>i', ['i32.eq', 'i32.ne', 'i32.lt_s', 'i32.lt_u', 'i32.gt_s', 'i32.gt_u', 'i32.le_s', 'i32.le_u', 'i32.ge_s', 'i32.ge_u']);
group(0x50, 'I>i', ['i64.eqz']);
group(0x51, 'II>i', ['i64.eq', 'i64.ne', 'i64.lt_s', 'i64.lt_u', 'i64.gt_s', 'i64.gt_u', 'i64.le_s', 'i64.le_u', 'i64.ge_s', 'i64.ge_u']);
group(0x5b, 'ff>i', ['f32.eq', 'f32.ne', 'f32.lt', 'f32.gt', 'f32.le', 'f32.ge']);
group(0x61, 'FF>i', ['f64.eq', 'f64.ne', 'f64.lt', 'f64.gt', 'f64.le', 'f64.ge']);
group(0x67, 'i>i', ['i32.clz', 'i32.ctz', 'i32.popcnt']);
group(0x6a, 'ii>i', ['i32.add', 'i32.sub', 'i32.mul', 'i32.div_s', 'i32.div_u', 'i32.rem_s', 'i32.rem_u', 'i32.and', 'i32.or', 'i32.xor', 'i32.shl', 'i32.shr_s', 'i32.shr_u', 'i32.rotl', 'i32.rotr']);
group(0x79, 'I>I', ['i64.clz', 'i64.ctz', 'i64.popcnt']);
group(0x7c, 'II>I', ['i64.add', 'i64.sub', 'i64.mul', 'i64.div_s', 'i64.div_u', 'i64.rem_s', 'i64.rem_u', 'i64.and', 'i64.or', 'i64.xor', 'i64.shl', 'i64.shr_s', 'i64.shr_u', 'i64.rotl', 'i64.rotr']);
group(0x8b, 'f>f', ['f32.abs', 'f32.neg', 'f32.ceil', 'f32.floor', 'f32.trunc', 'f32.nearest', 'f32.sqrt']);
group(0x92, 'ff>f', ['f32.add', 'f32.sub', 'f32.mul', 'f32.div', 'f32.min', 'f32.max', 'f32.copysign']);
group(0x99, 'F>F', ['f64.abs', 'f64.neg', 'f64.ceil', 'f64.floor', 'f64.trunc', 'f64.nearest', 'f64.sqrt']);
group(0xa0, 'FF>F', ['f64.add', 'f64.sub', 'f64.mul', 'f64.div', 'f64.min', 'f64.max', 'f64.copysign']);
group(0xa7, 'I>i', ['i32.wrap_i64']);
group(0xa8, 'f>i', ['i32.trunc_f32_s', 'i32.trunc_f32_u']);
group(0xaa, 'F>i', ['i32.trunc_f64_s', 'i32.trunc_f64_u']);
group(0xac, 'i>I', ['i64.extend_i32_s', 'i64.extend_i32_u']);
group(0xae, 'f>I', ['i64.trunc_f32_s', 'i64.trunc_f32_u']);
group(0xb0, 'F>I', ['i64.trunc_f64_s', 'i64.trunc_f64_u']);
group(0xb2, 'i>f', ['f32.convert_i32_s', 'f32.convert_i32_u']);
group(0xb4, 'I>f', ['f32.convert_i64_s', 'f32.convert_i64_u']);
group(0xb6, 'F>f', ['f32.demote_f64']);
group(0xb7, 'i>F', ['f64.convert_i32_s', 'f64.convert_i32_u']);
group(0xb9, 'I>F', ['f64.convert_i64_s', 'f64.convert_i64_u']);
group(0xbb, 'f>F', ['f64.promote_f32']);
group(0xbc, 'f>i', ['i32.reinterpret_f32']);
group(0xbd, 'F>I', ['i64.reinterpret_f64']);
group(0xbe, 'i>f', ['f32.reinterpret_i32']);
group(0xbf, 'I>F', ['f64.reinterpret_i64']);
group(0xc0, 'i>i', ['i32.extend8_s', 'i32.extend16_s']);
group(0xc2, 'I>I', ['i64.extend8_s', 'i64.extend16_s', 'i64.extend32_s']);

// Reference types; typed function references (3.0): emit-refs.ts.
def(0xd0, 'ref.null', Imm.RefType);
def(0xd1, 'ref.is_null', Imm.None);
def(0xd2, 'ref.func', Imm.Func);
def(0xd3, 'ref.eq', Imm.None, 'ee>i');
def(0xd4, 'ref.as_non_null', Imm.None);
def(0xd5, 'br_on_null', Imm.Label);
def(0xd6, 'br_on_non_null', Imm.Label);
def(0x14, 'call_ref', Imm.Type);
def(0x15, 'return_call_ref', Imm.Type);

// 0xFB prefix: garbage collection (3.0), emit-gc.ts.
export const PREFIX_FB = 0xfb00;
/** The GC opcodes that other files name (constant expressions allow them). */
export const GC_OP = {
  structNew: PREFIX_FB | 0,
  structNewDefault: PREFIX_FB | 1,
  arrayNew: PREFIX_FB | 6,
  arrayNewDefault: PREFIX_FB | 7,
  arrayNewFixed: PREFIX_FB | 8,
  anyConvertExtern: PREFIX_FB | 26,
  externConvertAny: PREFIX_FB | 27,
  refI31: PREFIX_FB | 28,
} as const;
def(PREFIX_FB | 0, 'struct.new', Imm.Type);
def(PREFIX_FB | 1, 'struct.new_default', Imm.Type);
def(PREFIX_FB | 2, 'struct.get', Imm.TypeField);
def(PREFIX_FB | 3, 'struct.get_s', Imm.TypeField);
def(PREFIX_FB | 4, 'struct.get_u', Imm.TypeField);
def(PREFIX_FB | 5, 'struct.set', Imm.TypeField);
def(PREFIX_FB | 6, 'array.new', Imm.Type);
def(PREFIX_FB | 7, 'array.new_default', Imm.Type);
def(PREFIX_FB | 8, 'array.new_fixed', Imm.TypeCount);
def(PREFIX_FB | 9, 'array.new_data', Imm.TypeData);
def(PREFIX_FB | 10, 'array.new_elem', Imm.TypeElem);
def(PREFIX_FB | 11, 'array.get', Imm.Type);
def(PREFIX_FB | 12, 'array.get_s', Imm.Type);
def(PREFIX_FB | 13, 'array.get_u', Imm.Type);
def(PREFIX_FB | 14, 'array.set', Imm.Type);
def(PREFIX_FB | 15, 'array.len', Imm.None, 'A>i');
def(PREFIX_FB | 16, 'array.fill', Imm.Type);
def(PREFIX_FB | 17, 'array.copy', Imm.TypeType);
def(PREFIX_FB | 18, 'array.init_data', Imm.TypeData);
def(PREFIX_FB | 19, 'array.init_elem', Imm.TypeElem);
def(PREFIX_FB | 20, 'ref.test', Imm.HeapType);
def(PREFIX_FB | 21, 'ref.test', Imm.HeapType);
def(PREFIX_FB | 22, 'ref.cast', Imm.HeapType);
def(PREFIX_FB | 23, 'ref.cast', Imm.HeapType);
def(PREFIX_FB | 24, 'br_on_cast', Imm.BrOnCast);
def(PREFIX_FB | 25, 'br_on_cast_fail', Imm.BrOnCast);
def(PREFIX_FB | 26, 'any.convert_extern', Imm.None);
def(PREFIX_FB | 27, 'extern.convert_any', Imm.None);
def(PREFIX_FB | 28, 'ref.i31', Imm.None, 'i>j');
def(PREFIX_FB | 29, 'i31.get_s', Imm.None, 'J>i');
def(PREFIX_FB | 30, 'i31.get_u', Imm.None, 'J>i');

// 0xFC prefix: saturating truncation, bulk memory, tables.
export const PREFIX_FC = 0xfc00;
def(PREFIX_FC | 0, 'i32.trunc_sat_f32_s', Imm.None, 'f>i');
def(PREFIX_FC | 1, 'i32.trunc_sat_f32_u', Imm.None, 'f>i');
def(PREFIX_FC | 2, 'i32.trunc_sat_f64_s', Imm.None, 'F>i');
def(PREFIX_FC | 3, 'i32.trunc_sat_f64_u', Imm.None, 'F>i');
def(PREFIX_FC | 4, 'i64.trunc_sat_f32_s', Imm.None, 'f>I');
def(PREFIX_FC | 5, 'i64.trunc_sat_f32_u', Imm.None, 'f>I');
def(PREFIX_FC | 6, 'i64.trunc_sat_f64_s', Imm.None, 'F>I');
def(PREFIX_FC | 7, 'i64.trunc_sat_f64_u', Imm.None, 'F>I');
def(PREFIX_FC | 8, 'memory.init', Imm.MemoryInit, 'iii>');
def(PREFIX_FC | 9, 'data.drop', Imm.Data, '>');
def(PREFIX_FC | 10, 'memory.copy', Imm.MemoryCopy, 'iii>');
def(PREFIX_FC | 11, 'memory.fill', Imm.Memory, 'iii>');
def(PREFIX_FC | 12, 'table.init', Imm.TableInit, 'iii>');
def(PREFIX_FC | 13, 'elem.drop', Imm.Elem, '>');
def(PREFIX_FC | 14, 'table.copy', Imm.TableCopy, 'iii>');
def(PREFIX_FC | 15, 'table.grow', Imm.Table);
def(PREFIX_FC | 16, 'table.size', Imm.Table, '>i');
def(PREFIX_FC | 17, 'table.fill', Imm.Table);

// 0xFD prefix: fixed-width SIMD (WebAssembly 2.0) and relaxed SIMD (3.0).
// The sub-opcode after the prefix is a u32 LEB128 (0x100 and up take two bytes).
export const PREFIX_FD = 0xfd000;
/** Sub-opcodes below this may be SIMD opcodes; decode and validate size their dense tables by it. */
export const FD_OPCODE_LIMIT = 0x200;

function simd(sub: number): number {
  return PREFIX_FD | sub;
}

/** Opcodes without immediates from `start` on, each "name sig"; "" is an unassigned sub-opcode. */
function simdGroup(start: number, entries: string[]): void {
  entries.forEach((entry, i) => {
    if (entry === '') return;
    const [name, sig] = entry.split(' ');
    def(simd(start + i), name, Imm.None, sig);
  });
}

// Loads and stores, with their natural alignment: the access's size in
// bytes, log2 (a load8x8 reads 8 bytes, a load32_zero 4).
const simdMemory: [number, string, string, number][] = [
  [0x00, 'v128.load', 'i>v', 4],
  [0x01, 'v128.load8x8_s', 'i>v', 3], [0x02, 'v128.load8x8_u', 'i>v', 3],
  [0x03, 'v128.load16x4_s', 'i>v', 3], [0x04, 'v128.load16x4_u', 'i>v', 3],
  [0x05, 'v128.load32x2_s', 'i>v', 3], [0x06, 'v128.load32x2_u', 'i>v', 3],
  [0x07, 'v128.load8_splat', 'i>v', 0], [0x08, 'v128.load16_splat', 'i>v', 1],
  [0x09, 'v128.load32_splat', 'i>v', 2], [0x0a, 'v128.load64_splat', 'i>v', 3],
  [0x0b, 'v128.store', 'iv>', 4],
  [0x5c, 'v128.load32_zero', 'i>v', 2], [0x5d, 'v128.load64_zero', 'i>v', 3],
];
for (const [sub, name, sig, align] of simdMemory) def(simd(sub), name, Imm.MemArg, sig, align);
// Lane loads and stores of 8, 16, 32 and 64 bits: 16, 8, 4 and 2 lanes.
[8, 16, 32, 64].forEach((bits, i) => {
  def(simd(0x54 + i), `v128.load${bits}_lane`, Imm.MemArgLane, 'iv>v', i, 16 >> i);
  def(simd(0x58 + i), `v128.store${bits}_lane`, Imm.MemArgLane, 'iv>', i, 16 >> i);
});

def(simd(0x0c), 'v128.const', Imm.V128, '>v');
def(simd(0x0d), 'i8x16.shuffle', Imm.Shuffle, 'vv>v', -1, 32);
simdGroup(0x0e, [
  'i8x16.swizzle vv>v',
  'i8x16.splat i>v', 'i16x8.splat i>v', 'i32x4.splat i>v', 'i64x2.splat I>v', 'f32x4.splat f>v', 'f64x2.splat F>v',
]);
// Lane access: [sub, name, signature, lanes].
const simdLanes: [number, string, string, number][] = [
  [0x15, 'i8x16.extract_lane_s', 'v>i', 16], [0x16, 'i8x16.extract_lane_u', 'v>i', 16], [0x17, 'i8x16.replace_lane', 'vi>v', 16],
  [0x18, 'i16x8.extract_lane_s', 'v>i', 8], [0x19, 'i16x8.extract_lane_u', 'v>i', 8], [0x1a, 'i16x8.replace_lane', 'vi>v', 8],
  [0x1b, 'i32x4.extract_lane', 'v>i', 4], [0x1c, 'i32x4.replace_lane', 'vi>v', 4],
  [0x1d, 'i64x2.extract_lane', 'v>I', 2], [0x1e, 'i64x2.replace_lane', 'vI>v', 2],
  [0x1f, 'f32x4.extract_lane', 'v>f', 4], [0x20, 'f32x4.replace_lane', 'vf>v', 4],
  [0x21, 'f64x2.extract_lane', 'v>F', 2], [0x22, 'f64x2.replace_lane', 'vF>v', 2],
];
for (const [sub, name, sig, lanes] of simdLanes) def(simd(sub), name, Imm.Lane, sig, -1, lanes);

// Comparisons: lane-wise, all ones for true.
const comparisons = (shape: string, names: string) => names.split(' ').map((name) => `${shape}.${name} vv>v`);
simdGroup(0x23, comparisons('i8x16', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u'));
simdGroup(0x2d, comparisons('i16x8', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u'));
simdGroup(0x37, comparisons('i32x4', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u'));
simdGroup(0x41, comparisons('f32x4', 'eq ne lt gt le ge'));
simdGroup(0x47, comparisons('f64x2', 'eq ne lt gt le ge'));
simdGroup(0x4d, [
  'v128.not v>v', 'v128.and vv>v', 'v128.andnot vv>v', 'v128.or vv>v', 'v128.xor vv>v', 'v128.bitselect vvv>v', 'v128.any_true v>i',
]);
simdGroup(0x5e, ['f32x4.demote_f64x2_zero v>v', 'f64x2.promote_low_f32x4 v>v']);
// From 0x60 the opcodes go by shape, with the float roundings in the gaps.
simdGroup(0x60, [
  'i8x16.abs v>v', 'i8x16.neg v>v', 'i8x16.popcnt v>v', 'i8x16.all_true v>i', 'i8x16.bitmask v>i',
  'i8x16.narrow_i16x8_s vv>v', 'i8x16.narrow_i16x8_u vv>v',
  'f32x4.ceil v>v', 'f32x4.floor v>v', 'f32x4.trunc v>v', 'f32x4.nearest v>v',
  'i8x16.shl vi>v', 'i8x16.shr_s vi>v', 'i8x16.shr_u vi>v',
  'i8x16.add vv>v', 'i8x16.add_sat_s vv>v', 'i8x16.add_sat_u vv>v', 'i8x16.sub vv>v', 'i8x16.sub_sat_s vv>v', 'i8x16.sub_sat_u vv>v',
  'f64x2.ceil v>v', 'f64x2.floor v>v',
  'i8x16.min_s vv>v', 'i8x16.min_u vv>v', 'i8x16.max_s vv>v', 'i8x16.max_u vv>v',
  'f64x2.trunc v>v', 'i8x16.avgr_u vv>v',
  'i16x8.extadd_pairwise_i8x16_s v>v', 'i16x8.extadd_pairwise_i8x16_u v>v',
  'i32x4.extadd_pairwise_i16x8_s v>v', 'i32x4.extadd_pairwise_i16x8_u v>v',
]);
simdGroup(0x80, [
  'i16x8.abs v>v', 'i16x8.neg v>v', 'i16x8.q15mulr_sat_s vv>v', 'i16x8.all_true v>i', 'i16x8.bitmask v>i',
  'i16x8.narrow_i32x4_s vv>v', 'i16x8.narrow_i32x4_u vv>v',
  'i16x8.extend_low_i8x16_s v>v', 'i16x8.extend_high_i8x16_s v>v', 'i16x8.extend_low_i8x16_u v>v', 'i16x8.extend_high_i8x16_u v>v',
  'i16x8.shl vi>v', 'i16x8.shr_s vi>v', 'i16x8.shr_u vi>v',
  'i16x8.add vv>v', 'i16x8.add_sat_s vv>v', 'i16x8.add_sat_u vv>v', 'i16x8.sub vv>v', 'i16x8.sub_sat_s vv>v', 'i16x8.sub_sat_u vv>v',
  'f64x2.nearest v>v', 'i16x8.mul vv>v',
  'i16x8.min_s vv>v', 'i16x8.min_u vv>v', 'i16x8.max_s vv>v', 'i16x8.max_u vv>v',
  '', 'i16x8.avgr_u vv>v',
  'i16x8.extmul_low_i8x16_s vv>v', 'i16x8.extmul_high_i8x16_s vv>v', 'i16x8.extmul_low_i8x16_u vv>v', 'i16x8.extmul_high_i8x16_u vv>v',
]);
simdGroup(0xa0, [
  'i32x4.abs v>v', 'i32x4.neg v>v', '', 'i32x4.all_true v>i', 'i32x4.bitmask v>i', '', '',
  'i32x4.extend_low_i16x8_s v>v', 'i32x4.extend_high_i16x8_s v>v', 'i32x4.extend_low_i16x8_u v>v', 'i32x4.extend_high_i16x8_u v>v',
  'i32x4.shl vi>v', 'i32x4.shr_s vi>v', 'i32x4.shr_u vi>v',
  'i32x4.add vv>v', '', '', 'i32x4.sub vv>v', '', '', '', 'i32x4.mul vv>v',
  'i32x4.min_s vv>v', 'i32x4.min_u vv>v', 'i32x4.max_s vv>v', 'i32x4.max_u vv>v',
  'i32x4.dot_i16x8_s vv>v', '',
  'i32x4.extmul_low_i16x8_s vv>v', 'i32x4.extmul_high_i16x8_s vv>v', 'i32x4.extmul_low_i16x8_u vv>v', 'i32x4.extmul_high_i16x8_u vv>v',
]);
simdGroup(0xc0, [
  'i64x2.abs v>v', 'i64x2.neg v>v', '', 'i64x2.all_true v>i', 'i64x2.bitmask v>i', '', '',
  'i64x2.extend_low_i32x4_s v>v', 'i64x2.extend_high_i32x4_s v>v', 'i64x2.extend_low_i32x4_u v>v', 'i64x2.extend_high_i32x4_u v>v',
  'i64x2.shl vi>v', 'i64x2.shr_s vi>v', 'i64x2.shr_u vi>v',
  'i64x2.add vv>v', '', '', 'i64x2.sub vv>v', '', '', '', 'i64x2.mul vv>v',
  ...comparisons('i64x2', 'eq ne lt_s gt_s le_s ge_s'),
  'i64x2.extmul_low_i32x4_s vv>v', 'i64x2.extmul_high_i32x4_s vv>v', 'i64x2.extmul_low_i32x4_u vv>v', 'i64x2.extmul_high_i32x4_u vv>v',
]);
const floatArithmetic = (shape: string) => [
  `${shape}.abs v>v`, `${shape}.neg v>v`, '', `${shape}.sqrt v>v`,
  ...['add', 'sub', 'mul', 'div', 'min', 'max', 'pmin', 'pmax'].map((name) => `${shape}.${name} vv>v`),
];
simdGroup(0xe0, floatArithmetic('f32x4'));
simdGroup(0xec, floatArithmetic('f64x2'));
simdGroup(0xf8, [
  'i32x4.trunc_sat_f32x4_s v>v', 'i32x4.trunc_sat_f32x4_u v>v', 'f32x4.convert_i32x4_s v>v', 'f32x4.convert_i32x4_u v>v',
  'i32x4.trunc_sat_f64x2_s_zero v>v', 'i32x4.trunc_sat_f64x2_u_zero v>v', 'f64x2.convert_low_i32x4_s v>v', 'f64x2.convert_low_i32x4_u v>v',
]);
// Relaxed SIMD: results the spec leaves to the implementation within bounds.
simdGroup(0x100, [
  'i8x16.relaxed_swizzle vv>v',
  'i32x4.relaxed_trunc_f32x4_s v>v', 'i32x4.relaxed_trunc_f32x4_u v>v',
  'i32x4.relaxed_trunc_f64x2_s_zero v>v', 'i32x4.relaxed_trunc_f64x2_u_zero v>v',
  'f32x4.relaxed_madd vvv>v', 'f32x4.relaxed_nmadd vvv>v', 'f64x2.relaxed_madd vvv>v', 'f64x2.relaxed_nmadd vvv>v',
  'i8x16.relaxed_laneselect vvv>v', 'i16x8.relaxed_laneselect vvv>v', 'i32x4.relaxed_laneselect vvv>v', 'i64x2.relaxed_laneselect vvv>v',
  'f32x4.relaxed_min vv>v', 'f32x4.relaxed_max vv>v', 'f64x2.relaxed_min vv>v', 'f64x2.relaxed_max vv>v',
  'i16x8.relaxed_q15mulr_s vv>v', 'i16x8.relaxed_dot_i8x16_i7x16_s vv>v', 'i32x4.relaxed_dot_i8x16_i7x16_add_s vvv>v',
]);

/** Prefix bytes of whole proposals we do not compile yet, with the feature to name in the CompileError. */
export const UNSUPPORTED_PREFIXES = new Map<number, string>([
  [0xfe, 'threads (0xfe prefix, atomics)'],
]);

export function opName(op: number): string {
  return OPS.get(op)?.name ?? `0x${op.toString(16)}`;
}
