// Decodes instruction sequences (function bodies and constant expressions)
// into flat Instr lists, reading each opcode's immediates from its kind in
// opcodes.ts. It checks what the binary format requires (known opcodes,
// well-formed immediates, reserved zero bytes, properly nested block/else/end
// markers, a final `end`), and leaves typing, index ranges and lane-index
// bounds to validate. Opcodes of proposals we do not decode are CompileErrors
// naming the feature. SIMD instructions are decoded in full and noted
// (Reader.noteSimd) for the emitter.

import { FuncType, Instr, ValType, refType } from './ir.js';
import { FD_OPCODE_LIMIT, Imm, OPS, PREFIX_FB, PREFIX_FC, PREFIX_FD, UNSUPPORTED_PREFIXES } from './opcodes.js';
import { f32FromBits, f64FromBits, Reader } from './reader.js';
import { readHeapType, readValType, unsupported } from './decode-types.js';
import { LIMITS } from './decode-limits.js';

const OP_IF = 0x04;
const OP_ELSE = 0x05;
const OP_TRY = 0x06;
const OP_CATCH = 0x07;
const OP_THROW_REF = 0x0a;
const OP_DELEGATE = 0x18;
const OP_CATCH_ALL = 0x19;
const OP_END = 0x0b;
const OP_PREFIX_FB = 0xfb;
const OP_PREFIX_FC = 0xfc;
const OP_PREFIX_FD = 0xfd;
const OP_CALL_INDIRECT = 0x11;
const OP_RETURN_CALL = 0x12;
const OP_RETURN_CALL_INDIRECT = 0x13;
/** Module.indirectCalls' key is table * this + type index. */
export const INDIRECT_TABLE_SCALE = 2 ** 20;
const FC_MEMORY_INIT = PREFIX_FC | 8;
const FC_DATA_DROP = PREFIX_FC | 9;
const OP_CALL_REF = 0x14;
const OP_RETURN_CALL_REF = 0x15;
const FB_ARRAY_NEW_DATA = PREFIX_FB | 9;
const FB_ARRAY_INIT_DATA = PREFIX_FB | 18;
/** ref.test and ref.cast: the odd opcode of each pair lets null pass. */
const FB_REF_TEST = PREFIX_FB | 20;
/** Instructions of typed references and GC that a module may use without any GC type (Module.gc). */
const TYPED_REFERENCE_OPS = new Set([0x14, 0x15, 0xd3, 0xd4, 0xd5, 0xd6]);

// Immediate kind by opcode byte, and by 0xFC and 0xFD sub-opcode; -1 when
// unknown. Dense arrays keep the per-instruction dispatch to one indexed load.
const IMM_BY_OPCODE = new Int8Array(256).fill(-1);
const IMM_BY_FC_OPCODE = new Int8Array(256).fill(-1);
const IMM_BY_FB_OPCODE = new Int8Array(32).fill(-1);
const IMM_BY_FD_OPCODE = new Int8Array(FD_OPCODE_LIMIT).fill(-1);
for (const [code, info] of OPS) {
  if (code < 0x100) IMM_BY_OPCODE[code] = info.imm;
  else if ((code & ~0xff) === PREFIX_FC) IMM_BY_FC_OPCODE[code & 0xff] = info.imm;
  else if ((code & ~0xff) === PREFIX_FB) IMM_BY_FB_OPCODE[code & 0xff] = info.imm;
  else if ((code & ~0xfff) === PREFIX_FD) IMM_BY_FD_OPCODE[code & 0xfff] = info.imm;
}
const V128_BYTES = 16;

// Block types are shared, frozen FuncTypes: consumers must not mutate them.
function frozen<T extends object>(value: T): T {
  Object.freeze(value);
  return value;
}
const EMPTY_BLOCK_TYPE: FuncType = frozen({ params: frozen([]), results: frozen([]) });
const SINGLE_RESULT_BLOCK_TYPES = new Map<ValType, FuncType>();
const REF_NULL_TYPES = new Map<ValType, ValType[]>();

function singleResult(type: ValType): FuncType {
  let blockType = SINGLE_RESULT_BLOCK_TYPES.get(type);
  if (blockType === undefined) {
    blockType = frozen({ params: frozen([]), results: frozen([type]) });
    SINGLE_RESULT_BLOCK_TYPES.set(type, blockType);
  }
  return blockType;
}

function refNullTypes(type: ValType): ValType[] {
  let types = REF_NULL_TYPES.get(type);
  if (types === undefined) {
    types = frozen([type]);
    REF_NULL_TYPES.set(type, types);
  }
  return types;
}

/** What instruction decoding needs from the rest of the module. */
export interface CodeContext {
  /** The type section, to resolve block types given as type indices. */
  types: FuncType[];
  /** The data count section's value, or null when there is none (memory.init and data.drop need one). */
  dataCount: number | null;
  /** Where call_indirect's (table, type) pairs are recorded (Module.indirectCalls). */
  indirectCalls: Set<number>;
  /**
   * Set when a return_call or return_call_indirect is decoded; the code
   * section clears it before each body, to record which functions make tail
   * calls (Func.tailCalls).
   */
  tailCalls: boolean;
  /** Whether each memory, imports first, is a memory64 one: its memargs' offsets are u64. */
  memory64: boolean[];
}

// Control stack entries: which marker opened the block, so `else` and the
// legacy exception handlers (catch, catch_all, delegate) can be checked.
const CONTROL_BLOCK = 0;
const CONTROL_IF = 1;
const CONTROL_ELSE = 2;
const CONTROL_TRY = 3;
const CONTROL_CATCH = 4;
const CONTROL_CATCH_ALL = 5;
/** try_table catch clause kinds run from 0 (catch) to this (catch_all_ref). */
const LAST_CATCH_KIND = 3;

// Reused by every call; decoding is not re-entrant.
const controlStack: number[] = [];

/**
 * Decodes instructions up to and including the `end` that closes the
 * outermost block into `out`, from its start, and returns how many there
 * are. Objects already in `out` are overwritten rather than made anew (so a
 * pool of them serves function after function: the fused decode and
 * validate, validate.ts), and any beyond the count are left as they were;
 * an empty `out` simply receives the instructions. Reads are bounded by
 * `reader.end`: for a function body that is the end of its declared size,
 * for a constant expression the end of its section. `isBody` picks the
 * message when the final `end` is missing.
 */
export function decodeInstrs(reader: Reader, context: CodeContext, out: Instr[], isBody: boolean): number {
  let count = 0;
  const bytes = reader.bytes;
  const controls = controlStack;
  controls.length = 0;
  controls.push(CONTROL_BLOCK);
  for (;;) {
    if (reader.pos >= reader.end) missingEnd(reader, isBody);
    const offset = reader.pos;
    let op = bytes[reader.pos++];
    let imm = IMM_BY_OPCODE[op];
    if (imm < 0) {
      if (op === OP_PREFIX_FC) {
        const sub = reader.u32();
        imm = sub < 0x100 ? IMM_BY_FC_OPCODE[sub] : -1;
        if (imm < 0) reader.fail(`illegal opcode 0xfc 0x${sub.toString(16)}`, offset);
        op = PREFIX_FC | sub;
        if ((op === FC_MEMORY_INIT || op === FC_DATA_DROP) && context.dataCount === null) {
          reader.fail('data count section required', offset);
        }
      } else if (op === OP_PREFIX_FB) {
        const sub = reader.u32();
        imm = sub < IMM_BY_FB_OPCODE.length ? IMM_BY_FB_OPCODE[sub] : -1;
        if (imm < 0) reader.fail(`illegal opcode 0xfb 0x${sub.toString(16)}`, offset);
        op = PREFIX_FB | sub;
        if ((op === FB_ARRAY_NEW_DATA || op === FB_ARRAY_INIT_DATA) && context.dataCount === null) {
          reader.fail('data count section required', offset);
        }
        reader.noteGC(offset);
      } else if (op === OP_PREFIX_FD) {
        const sub = reader.u32();
        imm = sub < FD_OPCODE_LIMIT ? IMM_BY_FD_OPCODE[sub] : -1;
        if (imm < 0) reader.fail(`illegal opcode 0xfd 0x${sub.toString(16)}`, offset);
        op = PREFIX_FD | sub;
        reader.noteSimd(offset);
      } else {
        illegalOpcode(reader, op, offset);
      }
    } else if (op >= 0xd3 || op === OP_CALL_REF || op === OP_RETURN_CALL_REF) {
      if (TYPED_REFERENCE_OPS.has(op)) reader.noteGC(offset);
    }

    // Immediates go into locals first so each Instr is built by one literal
    // with every field in the same order: V8 then gives all of them one
    // hidden class, which matters with hundreds of thousands of them.
    let index = 0;
    let index2 = 0;
    let value: number | bigint = 0;
    let bits: number | bigint = 0;
    let align = 0;
    let memOffset = 0;
    let blockType: FuncType | null = null;
    let targets: number[] | null = null;
    let types: ValType[] | null = null;
    let v128: Uint8Array | null = null;

    switch (imm as Imm) {
      case Imm.None:
        if (op === OP_END) {
          controls.pop();
        } else if (op === OP_ELSE) {
          if (controls[controls.length - 1] !== CONTROL_IF) reader.fail('misplaced ELSE opcode: else without a matching if', offset);
          controls[controls.length - 1] = CONTROL_ELSE;
        } else if (op === OP_CATCH_ALL) {
          const control = controls[controls.length - 1];
          if (control !== CONTROL_TRY && control !== CONTROL_CATCH) reader.fail('misplaced CATCH_ALL opcode: catch_all without a matching try', offset);
          controls[controls.length - 1] = CONTROL_CATCH_ALL;
        } else if (op === OP_THROW_REF) {
          reader.noteExnRef(offset);
        }
        break;
      case Imm.BlockType:
        blockType = readBlockType(reader, context);
        controls.push(op === OP_TRY ? CONTROL_TRY : op === OP_IF ? CONTROL_IF : CONTROL_BLOCK);
        break;
      case Imm.TryTable:
        blockType = readBlockType(reader, context);
        targets = readCatchClauses(reader);
        controls.push(CONTROL_BLOCK);
        reader.noteExnRef(offset);
        break;
      case Imm.Tag:
        // throw, or a legacy catch (which must follow a try or a catch).
        if (op === OP_CATCH) {
          const control = controls[controls.length - 1];
          if (control !== CONTROL_TRY && control !== CONTROL_CATCH) reader.fail('misplaced CATCH opcode: catch without a matching try', offset);
          controls[controls.length - 1] = CONTROL_CATCH;
        }
        index = reader.u32();
        break;
      case Imm.Func:
        index = reader.u32();
        if (op === OP_RETURN_CALL) context.tailCalls = true;
        break;
      case Imm.Label:
        // br, br_if, and the legacy rethrow and delegate (which ends a try that has no handler).
        index = reader.u32();
        if (op === OP_DELEGATE) {
          if (controls[controls.length - 1] !== CONTROL_TRY) reader.fail('misplaced DELEGATE opcode: delegate without a matching try', offset);
          controls.pop();
        }
        break;
      case Imm.Local:
      case Imm.Global:
      case Imm.Table:
      case Imm.Data:
      case Imm.Elem:
        index = reader.u32();
        break;
      case Imm.BrTable: {
        const count = reader.count('br_table targets', LIMITS.brTableTargets);
        targets = [];
        for (let i = 0; i < count; i++) targets.push(reader.u32());
        index = reader.u32();
        break;
      }
      case Imm.CallIndirect:
        index = reader.typeIndex();
        index2 = reader.u32();
        if (op === OP_CALL_INDIRECT || op === OP_RETURN_CALL_INDIRECT) context.indirectCalls.add(index2 * INDIRECT_TABLE_SCALE + index);
        if (op === OP_RETURN_CALL_INDIRECT) context.tailCalls = true;
        break;
      case Imm.MemArg:
      case Imm.MemArgLane: {
        const flagsOffset = reader.pos;
        align = reader.u32();
        // Multi-memory (3.0): bit 6 of the flags says a memory index follows
        // them (in index2; 0 otherwise). An alignment of 2^32 and beyond is
        // malformed, not merely invalid (align.wast).
        if (align >= 32) {
          if (align < 64 || align >= 128) memArgFlags(align, reader, flagsOffset);
          align -= 64;
          index2 = reader.u32();
          reader.noteMultiMemory(flagsOffset);
        }
        // memory64: a 64-bit memory's offsets are u64 (an unknown memory is validate's error).
        memOffset = context.memory64[index2] === true ? reader.u64() : reader.u32();
        // A lane index is a plain byte; whether it names a lane is validate's question.
        if (imm === Imm.MemArgLane) index = reader.u8();
        break;
      }
      case Imm.Lane:
        index = reader.u8();
        break;
      case Imm.V128:
      case Imm.Shuffle:
        v128 = reader.fixedBytes(V128_BYTES);
        break;
      case Imm.Memory:
        index = memoryIndex(reader);
        break;
      case Imm.I32:
        value = reader.s32();
        break;
      case Imm.I64:
        value = reader.s64();
        break;
      case Imm.F32: {
        const raw = reader.f32Bits();
        bits = raw;
        value = f32FromBits(raw);
        break;
      }
      case Imm.F64: {
        const raw = reader.f64Bits();
        bits = raw;
        value = f64FromBits(raw);
        break;
      }
      case Imm.SelectT: {
        const count = reader.count('select types');
        types = [];
        for (let i = 0; i < count; i++) types.push(readValType(reader));
        break;
      }
      case Imm.RefType: {
        // ref.null's heap type. In both fields: validate reads `types`, emit reads `index`.
        const type = refType(readHeapType(reader), true);
        index = type;
        types = refNullTypes(type);
        break;
      }
      case Imm.Type:
        index = reader.typeIndex();
        if (op === OP_RETURN_CALL_REF) context.tailCalls = true;
        break;
      case Imm.TypeField:
      case Imm.TypeCount:
      case Imm.TypeData:
      case Imm.TypeElem:
        index = reader.typeIndex();
        index2 = reader.u32();
        break;
      case Imm.TypeType:
        index = reader.typeIndex();
        index2 = reader.typeIndex();
        break;
      case Imm.HeapType: {
        // ref.test and ref.cast: the target type, in both fields as for ref.null.
        const type = refType(readHeapType(reader), ((op - FB_REF_TEST) & 1) === 1);
        index = type;
        types = refNullTypes(type);
        break;
      }
      case Imm.BrOnCast: {
        // Flags: bit 0, the source type is nullable; bit 1, the target type is.
        const flagsOffset = reader.pos;
        const flags = reader.u8();
        if (flags > 3) reader.fail(`malformed br_on_cast flags 0x${flags.toString(16)}`, flagsOffset);
        index = reader.u32();
        const source = refType(readHeapType(reader), (flags & 1) !== 0);
        const target = refType(readHeapType(reader), (flags & 2) !== 0);
        types = [source, target];
        break;
      }
      case Imm.MemoryInit:
        index = reader.u32();
        index2 = memoryIndex(reader);
        break;
      case Imm.MemoryCopy:
        index = memoryIndex(reader);
        index2 = memoryIndex(reader);
        break;
      case Imm.TableInit:
      case Imm.TableCopy:
        index = reader.u32();
        index2 = reader.u32();
        break;
    }

    if (count < out.length) {
      const instr = out[count];
      instr.op = op;
      instr.offset = offset;
      instr.index = index;
      instr.index2 = index2;
      instr.value = value;
      instr.bits = bits;
      instr.align = align;
      instr.memOffset = memOffset;
      instr.blockType = blockType;
      instr.targets = targets;
      instr.types = types;
      instr.v128 = v128;
    } else {
      out.push({ op, offset, index, index2, value, bits, align, memOffset, blockType, targets, types, v128 });
    }
    count++;
    if (controls.length === 0) return count;
  }
}

/** try_table's catch clauses as Instr.targets has them: kind, tag index (0 without one), label. */
function readCatchClauses(reader: Reader): number[] {
  const count = reader.count('catch clauses');
  const clauses: number[] = [];
  for (let i = 0; i < count; i++) {
    const offset = reader.pos;
    const kind = reader.u8();
    if (kind > LAST_CATCH_KIND) reader.fail(`malformed catch clause kind 0x${kind.toString(16)}`, offset);
    // catch and catch_ref name a tag; catch_all and catch_all_ref do not.
    const tag = kind <= 1 ? reader.u32() : 0;
    clauses.push(kind, tag, reader.u32());
  }
  return clauses;
}

/** The function body or expression ran out of bytes before its final `end`. */
function missingEnd(reader: Reader, isBody: boolean): never {
  const limit = reader.end;
  // A constant expression simply ran into the end of its section.
  if (!isBody) reader.failEnd(limit);
  // Name the failure the way the spec interpreter, which does not stop at
  // the declared body size, would see it.
  if (limit >= reader.bytes.length) reader.fail('unexpected end of section or function: function body has no final END opcode', limit);
  if (reader.bytes[limit] === OP_END) reader.fail('section size mismatch: the final END opcode lies outside the declared function body size', limit);
  reader.fail('END opcode expected', limit);
}

function illegalOpcode(reader: Reader, op: number, offset: number): never {
  const feature = UNSUPPORTED_PREFIXES.get(op);
  if (feature !== undefined) unsupported(reader, feature, offset);
  reader.fail(`illegal opcode 0x${op.toString(16)}`, offset);
}

/**
 * The memory index of memory.size, grow, fill, copy and init: a reserved
 * 0x00 byte in 2.0, a LEB128 index with multi-memory (noted when it is not
 * that one byte).
 */
function memoryIndex(reader: Reader): number {
  const offset = reader.pos;
  const index = reader.u32();
  if (index !== 0 || reader.pos !== offset + 1) reader.noteMultiMemory(offset);
  return index;
}

/**
 * Memory access flags of 32 and above that do not announce a memory index
 * (bit 6, multi-memory, with an alignment below 32): malformed.
 */
function memArgFlags(flags: number, reader: Reader, offset: number): never {
  reader.fail(`malformed memop flags 0x${flags.toString(16)}`, offset);
}

function readBlockType(reader: Reader, context: CodeContext): FuncType {
  const offset = reader.pos;
  const byte = reader.peek();
  if (byte === 0x40) {
    reader.pos++;
    return EMPTY_BLOCK_TYPE;
  }
  // One-byte negative s33 values are value types.
  if ((byte & 0xc0) === 0x40) return singleResult(readValType(reader, 'block type'));
  const typeIndex = reader.s33();
  if (typeIndex < 0) reader.fail('malformed block type', offset);
  if (typeIndex >= reader.typeLimit) reader.fail(`unknown type ${typeIndex}`, offset);
  return context.types[reader.typeCanon[typeIndex]];
}
