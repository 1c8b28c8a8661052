// One table for every core opcode: its name, the kind of immediates it
// carries and, where fixed, its operand-stack signature. decode reads the
// immediate kinds, validate and emit read the signatures, so the three can
// never disagree about an opcode. Opcodes whose typing depends on context
// (control, locals, calls, drop/select, references, tables) have `sig: null`
// and are typed by hand in validate and emit.

import { ValType } from './ir.js';

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
}

/** Opcode info by folded opcode number (see Instr.op in ir.ts). */
export const OPS = new Map<number, OpInfo>();

const TYPE_CHARS: Record<string, ValType> = {
  i: ValType.I32,
  I: ValType.I64,
  f: ValType.F32,
  F: ValType.F64,
};

function sigTypes(text: string): ValType[] {
  return [...text].map((char) => TYPE_CHARS[char]);
}

// sig: "params>results" with i=i32 I=i64 f=f32 F=f64, or "" when typed by context.
function def(code: number, name: string, imm: Imm, sig = '', naturalAlign = -1): void {
  let params: ValType[] | null = null;
  let results: ValType[] | null = null;
  if (sig !== '') {
    const [p, r] = sig.split('>');
    params = sigTypes(p);
    results = sigTypes(r);
  }
  OPS.set(code, { code, name, imm, params, results, naturalAlign });
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

// Reference types.
def(0xd0, 'ref.null', Imm.RefType);
def(0xd1, 'ref.is_null', Imm.None);
def(0xd2, 'ref.func', Imm.Func);

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

/**
 * Opcodes of proposals we do not compile yet, with the feature to name in
 * the CompileError. Checked before OPS so these never read as "unknown".
 */
export const UNSUPPORTED_FEATURES = new Map<number, string>([
  [0x06, 'exception handling (try)'],
  [0x07, 'exception handling (catch)'],
  [0x08, 'exception handling (throw)'],
  [0x09, 'exception handling (rethrow)'],
  [0x0a, 'exception handling (throw_ref)'],
  [0x18, 'exception handling (delegate)'],
  [0x19, 'exception handling (catch_all)'],
  [0x1f, 'exception handling (try_table)'],
  [0x12, 'tail calls (return_call)'],
  [0x13, 'tail calls (return_call_indirect)'],
  [0x14, 'typed function references (call_ref)'],
  [0x15, 'typed function references (return_call_ref)'],
  [0xd3, 'typed function references (ref.as_non_null)'],
  [0xd4, 'typed function references (br_on_null)'],
  [0xd5, 'reference equality (ref.eq)'],
  [0xd6, 'typed function references (br_on_non_null)'],
]);

/** Prefix bytes of whole proposals we do not compile yet. */
export const UNSUPPORTED_PREFIXES = new Map<number, string>([
  [0xfb, 'garbage collection (0xfb prefix)'],
  [0xfd, 'SIMD (0xfd prefix, v128)'],
  [0xfe, 'threads (0xfe prefix, atomics)'],
]);

export function opName(op: number): string {
  return OPS.get(op)?.name ?? `0x${op.toString(16)}`;
}
