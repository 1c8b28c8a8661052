// Code generation for typed references and GC (3.0): the layer between
// control flow (emit-control.ts) and the instructions (emit-func.ts). What
// the values are is runtime/gc.ts's business: structs are instances of a
// class per type with fields f0, f1, ... (packed fields sign-extended),
// arrays hold their elements in `a` (a typed array for numbers, a plain
// Array for references and f32), i31 references are numbers, function
// references FuncRefs. So:
//
//   struct.get $t 1    (x ?? nullStruct()).f1
//   array.get $a       (x ?? nullArray()).a[i] ?? arrayIndexTrap()   (numbers: never undefined)
//   ref.i31            v << 1 >> 1
//   ref.test $t        x instanceof S3
//   br_on_cast         if (sa2 instanceof S3) { ...; break B4; }
//
// Reads of fields and elements are flagged as memory reads (Flag.Memory):
// they are ordered after any pending write or call, as loads are.

import { CONCRETE, HeapType, Packed, TypeKind, ValType, heapOf, isNullable, isRef, refType } from './ir.js';
import type { FieldType, Instr } from './ir.js';
import { GC_OP, PREFIX_FB } from './opcodes.js';
import { Entry, Flag } from './emit-stack.js';
import type { ModuleEnv } from './emit-stack.js';
import { ControlEmitter } from './emit-control.js';
import { storageOf, storageSize } from './emit-types.js';
import { Storage } from '../runtime/gc.js';
import { heapMatches } from './validate-types.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

const REF_EQ = 0xd3;
const REF_AS_NON_NULL = 0xd4;
const BR_ON_NULL = 0xd5;
const BR_ON_NON_NULL = 0xd6;
const {
  structNew: STRUCT_NEW, structNewDefault: STRUCT_NEW_DEFAULT, arrayNew: ARRAY_NEW, arrayNewDefault: ARRAY_NEW_DEFAULT,
  arrayNewFixed: ARRAY_NEW_FIXED, anyConvertExtern: ANY_CONVERT_EXTERN, externConvertAny: EXTERN_CONVERT_ANY, refI31: REF_I31,
} = GC_OP;

/** What reading a field or element does: it may trap (null, bounds) and reads mutable state. */
const READ = Flag.Effect | Flag.Memory;

/** The zero value of a field or element of this storage type. */
function zeroOf(field: FieldType): JsNode {
  switch (field.type) {
    case ValType.V128: return js.arr([js.num(0), js.num(0), js.num(0), js.num(0)]);
    case ValType.I64: return js.big(0n);
    case ValType.I32: case ValType.F32: case ValType.F64: case Packed.I8: case Packed.I16: return js.num(0);
  }
  return js.nul();
}

/** A value as a packed field holds it: sign-extended from 8 or 16 bits. */
function packed(field: FieldType, value: JsNode): JsNode {
  if (field.type === Packed.I8) return js.bin('>>', js.bin('<<', value, js.num(24)), js.num(24));
  if (field.type === Packed.I16) return js.bin('>>', js.bin('<<', value, js.num(16)), js.num(16));
  return value;
}

/** get_u of a packed value. */
function unsigned(field: FieldType, value: JsNode): JsNode {
  return js.bin('&', value, js.num(field.type === Packed.I8 ? 0xff : 0xffff));
}

/** Stack entries a field's value takes: a v128 is four words (emit-simd.ts). */
function width(field: FieldType): number {
  return field.type === ValType.V128 ? 4 : 1;
}

/**
 * The JS of a constant expression's GC instruction (struct.new,
 * array.new, ref.i31, the conversions), its operands popped from `stack`;
 * null for any other instruction.
 */
export function gcConstInstr(env: ModuleEnv, instr: Instr, stack: JsNode[]): JsNode | null {
  const helper = (name: string): JsNode => env.helper(name);
  const type = env.types[instr.index];
  switch (instr.op) {
    case STRUCT_NEW: {
      const fields = type.def!.fields;
      const values = stack.splice(stack.length - fields.length, fields.length);
      return js.newExpr(js.id(env.structClass(instr.index)), values.map((v, f) => packed(fields[f], v)));
    }
    case STRUCT_NEW_DEFAULT:
      return js.newExpr(js.id(env.structClass(instr.index)), type.def!.fields.map(zeroOf));
    case ARRAY_NEW: {
      const [value, length] = stack.splice(stack.length - 2, 2);
      return arrayNew(env, instr.index, value, length);
    }
    case ARRAY_NEW_DEFAULT: {
      const length = stack.pop()!;
      const field = type.def!.fields[0];
      return js.call(helper('arrayNewDefault'), [js.id(env.arrayClass(instr.index)), js.num(storageOf(field)), zeroOf(field), length]);
    }
    case ARRAY_NEW_FIXED:
      return arrayOf(env, instr.index, stack.splice(stack.length - instr.index2, instr.index2));
    case REF_I31:
      return js.bin('>>', js.bin('<<', stack.pop()!, js.num(1)), js.num(1));
    case ANY_CONVERT_EXTERN:
    case EXTERN_CONVERT_ANY:
      return stack.pop()!;
  }
  return null;
}

function arrayNew(env: ModuleEnv, typeIndex: number, value: JsNode, length: JsNode): JsNode {
  const field = env.types[typeIndex].def!.fields[0];
  // Typed storage wraps a packed value itself.
  return js.call(env.helper('arrayNew'), [js.id(env.arrayClass(typeIndex)), js.num(storageOf(field)), value, length]);
}

/** array.new_fixed of `values` (typed storage wraps packed values itself). */
function arrayOf(env: ModuleEnv, typeIndex: number, values: JsNode[]): JsNode {
  const field = env.types[typeIndex].def!.fields[0];
  const kind = storageOf(field);
  const elements = js.arr(values);
  if (kind === Storage.Plain) return js.newExpr(js.id(env.arrayClass(typeIndex)), [elements]);
  return js.call(env.helper('arrayOf'), [js.id(env.arrayClass(typeIndex)), js.num(kind), elements]);
}

export abstract class GcEmitter extends ControlEmitter {
  /** Emits a typed-reference or GC instruction; false for any other. */
  protected gcInstr(instr: Instr): boolean {
    const op = instr.op;
    switch (op) {
      case REF_EQ: {
        const [a, b] = this.popN(2);
        this.push(ValType.I32, js.bin('===', this.valueOf(a), this.valueOf(b)), [a, b], 0, 1, true);
        return true;
      }
      case REF_AS_NON_NULL: {
        const ref = this.pop();
        this.push(nonNull(ref.type), this.nonNullExpr(ref, 'nullRef'), [ref], Flag.Effect, 2);
        return true;
      }
      case BR_ON_NULL: {
        this.settle(this.stack.length - 1);
        const ref = this.pop();
        this.push(ValType.I32, js.bin('===', ref.expr, js.nul()), [ref], 0, 1, true);
        this.brIf(instr.index);
        this.stack.push({ ...ref, type: nonNull(ref.type) });
        return true;
      }
      case BR_ON_NON_NULL: {
        this.settle(this.stack.length - 1);
        const ref = this.stack[this.stack.length - 1];
        this.push(ValType.I32, js.bin('!==', ref.expr, js.nul()), [ref], 0, 1, true);
        this.brIf(instr.index);
        this.pop();
        return true;
      }
    }
    if (op >>> 8 !== PREFIX_FB >>> 8) return false;
    switch (op & 0xff) {
      case 0: return this.structNew(instr.index, false);
      case 1: return this.structNew(instr.index, true);
      case 2: return this.structGet(instr, null);
      case 3: return this.structGet(instr, true);
      case 4: return this.structGet(instr, false);
      case 5: return this.structSet(instr);
      case 6: {
        const length = this.pop();
        const { values, entries } = this.popFieldValues([this.fieldOf(instr.index)], false);
        this.push(refType(CONCRETE + instr.index, false), arrayNew(this.env, instr.index, values[0], this.valueOf(length)), [...entries, length], Flag.Effect, 3);
        return true;
      }
      case 7: {
        const length = this.pop();
        const made = gcConstInstr(this.env, instr, [this.valueOf(length)])!;
        this.push(refType(CONCRETE + instr.index, false), made, [length], Flag.Effect, 3);
        return true;
      }
      case 8: {
        const field = this.fieldOf(instr.index);
        const { values, entries } = this.popFieldValues(new Array(instr.index2).fill(field), false);
        this.push(refType(CONCRETE + instr.index, false), arrayOf(this.env, instr.index, values), entries, Flag.Effect, 3);
        return true;
      }
      case 9: return this.arrayNewSegment(instr, true);
      case 10: return this.arrayNewSegment(instr, false);
      case 11: return this.arrayGet(instr, null);
      case 12: return this.arrayGet(instr, true);
      case 13: return this.arrayGet(instr, false);
      case 14: return this.arraySet(instr.index);
      case 15: {
        const array = this.pop();
        this.push(ValType.I32, js.member(js.member(this.nonNullExpr(array, 'nullArray'), 'a'), 'length'), [array], Flag.Effect, 3);
        return true;
      }
      case 16: return this.arrayWrite('arrayFill', instr.index, 2, 1);
      case 17: return this.arrayCall('arrayCopy', 5, []);
      case 18: {
        const field = this.fieldOf(instr.index);
        return this.arrayCall('arrayInitData', 4, [js.num(storageOf(field)), js.num(storageSize(field)), js.id(this.env.dataName(instr.index2))]);
      }
      case 19: return this.arrayCall('arrayInitElem', 4, [js.id(this.env.elemName(instr.index2))]);
      case 20: case 21: {
        const ref = this.pop();
        this.settleSimple([ref]);
        this.push(ValType.I32, this.test(ref, instr.types![0]), [ref], 0, 2, true);
        return true;
      }
      case 22: case 23: return this.cast(instr.types![0]);
      case 24: case 25: return this.brOnCast(instr, (op & 0xff) === 25);
      case 26: case 27: {
        const ref = this.pop();
        const heap = (op & 0xff) === 26 ? HeapType.Any : HeapType.Extern;
        this.push(refType(heap, isNullable(ref.type)), ref.expr, [ref], 0, 0);
        return true;
      }
      case 28: {
        const value = this.pop();
        this.push(refType(HeapType.I31, false), js.bin('>>', js.bin('<<', this.valueOf(value), js.num(1)), js.num(1)), [value], 0, 2);
        return true;
      }
      case 29: case 30: {
        const ref = this.pop();
        let value = js.bin('|', this.nonNullExpr(ref, 'nullI31'), js.num(0));
        if ((op & 0xff) === 30) value = js.bin('&', this.nonNullExpr(ref, 'nullI31'), js.num(0x7fffffff));
        this.push(ValType.I32, value, [ref], Flag.Effect, 2);
        return true;
      }
    }
    return false;
  }

  /** The field of an array type. */
  private fieldOf(typeIndex: number): FieldType {
    return this.env.types[typeIndex].def!.fields[0];
  }

  /**
   * Pops the values of `fields` (a v128 four word entries) and gives each
   * as a JS value: a v128 as the array of its four words, which struct
   * fields, array elements and v128 globals hold (never changed in place:
   * a write replaces it); a packed one sign-extended if `pack` (struct
   * fields: an array's typed storage wraps values itself).
   */
  private popFieldValues(fields: readonly FieldType[], pack = true): { values: JsNode[]; entries: Entry[] } {
    let count = 0;
    for (const field of fields) count += width(field);
    const entries = this.popN(count);
    const values: JsNode[] = [];
    let next = 0;
    for (const field of fields) {
      if (field.type === ValType.V128) {
        values.push(js.arr(entries.slice(next, next + 4).map((e) => this.valueOf(e))));
        next += 4;
      } else {
        const value = this.valueOf(entries[next++]);
        values.push(pack ? packed(field, value) : value);
      }
    }
    return { values, entries };
  }

  /** Pushes a read value: one entry, or a v128's four words from the array `read` gives (each read again: the operands are settled). */
  private pushRead(field: FieldType, read: () => JsNode, operands: Entry[]): void {
    if (field.type !== ValType.V128) {
      this.push(resultType(field), read(), operands, READ, 3);
      return;
    }
    for (let k = 0; k < 4; k++) this.push(ValType.V128, js.index(read(), js.num(k)), operands, READ, 4);
  }

  /** Evaluates popped entries into their stack variables (in order, at the depths they had), for expressions that read them more than once. */
  private settlePopped(entries: Entry[]): void {
    const start = this.stack.length;
    for (const entry of entries) this.stack.push(entry);
    for (let i = 0; i < entries.length; i++) this.settle(start + i);
    const settled = this.stack.splice(start, entries.length);
    settled.forEach((entry, i) => Object.assign(entries[i], entry));
  }

  /**
   * `x ?? trap()`: the reference, or the trap for null; a non-nullable one
   * itself. Values that may be undefined (host values) go through asNonNull.
   */
  private nonNullExpr(ref: Entry, trap: string): JsNode {
    const value = this.valueOf(ref);
    if (!isNullable(ref.type)) return value;
    const heap = heapOf(ref.type);
    if (heap === HeapType.Any || heap === HeapType.Extern) return js.call(this.env.helper('asNonNull'), [value]);
    return js.logical('??', value, js.call(this.env.helper(trap), []));
  }

  // ---- structs ----

  private structNew(typeIndex: number, defaults: boolean): boolean {
    const fields = this.env.types[typeIndex].def!.fields;
    const { values, entries } = defaults ? { values: fields.map(zeroOf), entries: [] } : this.popFieldValues(fields);
    this.push(refType(CONCRETE + typeIndex, false), js.newExpr(js.id(this.env.structClass(typeIndex)), values), entries, 0, 2);
    return true;
  }

  private structGet(instr: Instr, signed: boolean | null): boolean {
    const field = this.env.types[instr.index].def!.fields[instr.index2];
    const ref = this.pop();
    if (field.type === ValType.V128) this.settleSimple([ref]);
    this.pushRead(field, () => {
      const value = js.member(this.nonNullExpr(ref, 'nullStruct'), `f${instr.index2}`);
      return signed === false ? unsigned(field, value) : value;
    }, [ref]);
    return true;
  }

  private structSet(instr: Instr): boolean {
    const field = this.env.types[instr.index].def!.fields[instr.index2];
    // wasm evaluates the value before the null check: a value with effects goes first.
    const words = width(field);
    for (let k = 1; k <= words; k++) if ((this.stack[this.stack.length - k].flags & Flag.Effect) !== 0) this.settle(this.stack.length - k);
    const { values } = this.popFieldValues([field]);
    const ref = this.pop();
    this.settleBeforeEffect(Flag.Memory);
    const target = js.member(this.nonNullExpr(ref, 'nullStruct'), `f${instr.index2}`);
    this.stmts.push(js.exprStmt(js.assign(target, values[0])));
    return true;
  }

  // ---- arrays ----

  private arrayNewSegment(instr: Instr, data: boolean): boolean {
    const [offset, length] = this.popN(2);
    const cls = js.id(this.env.arrayClass(instr.index));
    let made: JsNode;
    if (data) {
      const field = this.fieldOf(instr.index);
      made = js.call(this.env.helper('arrayNewData'), [cls, js.num(storageOf(field)), js.num(storageSize(field)), js.id(this.env.dataName(instr.index2)), this.valueOf(offset), this.valueOf(length)]);
    } else {
      made = js.call(this.env.helper('arrayNewElem'), [cls, js.id(this.env.elemName(instr.index2)), this.valueOf(offset), this.valueOf(length)]);
    }
    this.push(refType(CONCRETE + instr.index, false), made, [offset, length], Flag.Effect | Flag.Table, 3);
    return true;
  }

  private arrayGet(instr: Instr, signed: boolean | null): boolean {
    const field = this.fieldOf(instr.index);
    const [ref, index] = this.popN(2);
    // References may be null (and host values undefined): their bounds are checked apart, reading both operands twice.
    const checked = isRef(field.type) && (isNullable(field.type) || mayBeUndefined(field.type));
    if (field.type === ValType.V128 || checked) this.settleSimple([ref, index]);
    this.pushRead(field, () => {
      if (checked) {
        const inBounds = js.bin('<', js.bin('>>>', this.valueOf(index), js.num(0)), js.member(js.member(this.nonNullExpr(ref, 'nullArray'), 'a'), 'length'));
        return js.cond(inBounds, js.index(js.member(this.valueOf(ref), 'a'), this.valueOf(index)), js.call(this.env.helper('arrayIndexTrap'), []));
      }
      // Numbers, v128 words and non-null references other than host values
      // are never undefined: undefined is an index past the end (or
      // negative, an unsigned one past 2^31).
      const element = js.index(js.member(this.nonNullExpr(ref, 'nullArray'), 'a'), this.valueOf(index));
      const value = js.logical('??', element, js.call(this.env.helper('arrayIndexTrap'), []));
      return signed === false ? unsigned(field, value) : value;
    }, [ref, index]);
    return true;
  }

  /** Settles the popped entries that are not a variable or a constant (settlePopped), for expressions that read them twice. */
  private settleSimple(entries: Entry[]): void {
    if (entries.every((entry) => js.isSimple(entry.expr))) return;
    this.settlePopped(entries);
  }

  /**
   * array.set: `if (i >>> 0 >= (x ?? nullArray()).a.length) arrayIndexTrap(); x.a[i] = v;`
   * (a typed array ignores a write past its end, so the bounds are checked
   * for every storage). The operands are evaluated first, as wasm does,
   * and read twice: each is a variable or a constant.
   */
  private arraySet(typeIndex: number): boolean {
    const field = this.fieldOf(typeIndex);
    const operands = this.popN(2 + width(field));
    this.settleBeforeEffect(Flag.Memory | Flag.Table);
    this.settleSimple(operands);
    const [ref, index, ...words] = operands;
    const value = field.type === ValType.V128 ? js.arr(words.map((e) => this.valueOf(e))) : this.valueOf(words[0]);
    const outOfBounds = js.bin('>=', js.bin('>>>', this.valueOf(index), js.num(0)), js.member(js.member(this.nonNullExpr(ref, 'nullArray'), 'a'), 'length'));
    this.stmts.push(js.ifStmt(outOfBounds, js.exprStmt(js.call(this.env.helper('arrayIndexTrap'), [])), null));
    this.stmts.push(js.exprStmt(js.assign(js.index(js.member(this.valueOf(ref), 'a'), this.valueOf(index)), value)));
    return true;
  }

  /**
   * array.set and array.fill: a helper call with the array, index, value
   * (at `at` among the operands: a v128 is one array of words) and, for
   * fill, the length after it (`after` operands).
   */
  private arrayWrite(name: string, typeIndex: number, at: number, after: number): boolean {
    const field = this.fieldOf(typeIndex);
    const tail = this.popN(after);
    const { values } = this.popFieldValues([field], false);
    const head = this.popN(at);
    this.settleBeforeEffect(Flag.Memory | Flag.Table);
    const args = [...head.map((e) => this.valueOf(e)), values[0], ...tail.map((e) => this.valueOf(e))];
    this.stmts.push(js.exprStmt(js.call(this.env.helper(name), args)));
    return true;
  }

  /** A statement calling an array helper with the top `count` operands, `extra` after the first (the array). */
  private arrayCall(name: string, count: number, extra: JsNode[]): boolean {
    const operands = this.popN(count);
    this.settleBeforeEffect(Flag.Memory | Flag.Table);
    const args = operands.map((e) => this.valueOf(e));
    args.splice(1, 0, ...extra);
    this.stmts.push(js.exprStmt(js.call(this.env.helper(name), args)));
    return true;
  }

  // ---- casts ----

  /** The JS test that `ref` (settled) is of reference type `target`. */
  private test(ref: Entry, target: ValType): JsNode {
    const value = this.valueOf(ref);
    const heap = heapOf(target);
    const types = this.env.types;
    let test: JsNode;
    const notNull = js.bin('!==', value, js.nul());
    if (heapMatches(types, heapOf(ref.type), heap)) {
      test = notNull; // statically of the type: only null may fail
    } else if (heap >= CONCRETE) {
      // A struct or array is an instance of its type's constructor, whose prototype chain is its supertypes'.
      const index = heap - CONCRETE;
      const kind = types[index].def?.kind ?? TypeKind.Func;
      if (kind === TypeKind.Func) test = js.call(this.env.helper('isFunc'), [value, js.id(this.env.typeIdName(index))]);
      else test = js.bin('instanceof', value, js.id(kind === TypeKind.Struct ? this.env.structClass(index) : this.env.arrayClass(index)));
    } else {
      switch (heap) {
        case HeapType.Eq: test = js.call(this.env.helper('isEq'), [value]); break;
        case HeapType.I31: test = js.call(this.env.helper('isI31'), [value]); break;
        case HeapType.Struct: test = js.call(this.env.helper('isStruct'), [value]); break;
        case HeapType.Array: test = js.call(this.env.helper('isArray'), [value]); break;
        case HeapType.None: case HeapType.NoFunc: case HeapType.NoExtern: case HeapType.NoExn: test = js.bool(false); break;
        default: test = notNull; // any, func, extern, exn: every non-null value of the hierarchy
      }
    }
    return isNullable(target) ? js.logical('||', js.bin('===', value, js.nul()), test) : test;
  }

  private cast(target: ValType): boolean {
    const ref = this.pop();
    this.settleSimple([ref]);
    const value = js.cond(this.test(ref, target), this.valueOf(ref), js.call(this.env.helper('castFailure'), []));
    this.push(target, value, [ref], Flag.Effect, 3);
    return true;
  }

  /** br_on_cast (branches when the cast succeeds) and br_on_cast_fail (when it fails). */
  private brOnCast(instr: Instr, onFail: boolean): boolean {
    const [source, target] = instr.types!;
    this.settle(this.stack.length - 1);
    const ref = this.stack[this.stack.length - 1];
    const test = this.test(ref, target);
    this.push(ValType.I32, onFail ? js.un('!', test) : test, [ref], 0, 2, true);
    this.brIf(instr.index);
    // What falls through: the source type less what branched.
    const rest = onFail ? target : isNullable(target) ? nonNull(source) : source;
    this.stack[this.stack.length - 1] = { ...this.stack[this.stack.length - 1], type: rest };
    return true;
  }
}

function nonNull(type: ValType): ValType {
  return refType(heapOf(type), false);
}

/** The value type a field is read as: packed fields as i32. */
function resultType(field: FieldType): ValType {
  return field.type === Packed.I8 || field.type === Packed.I16 ? ValType.I32 : (field.type as ValType);
}

/** A reference type whose values may include a host value, which may be undefined: any and extern. */
function mayBeUndefined(type: number): boolean {
  const heap = heapOf(type as ValType);
  return heap === HeapType.Any || heap === HeapType.Extern;
}
