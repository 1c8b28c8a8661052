// Constant expressions (spec 3.3.10): global initialisers, table
// initialisers, segment offsets and element expressions. 2.0 allows
// constants, ref.null, ref.func and global.get of an immutable imported
// global; 3.0 adds the extended-constant arithmetic, global.get of any
// earlier immutable global (in a global initialiser) and GC's allocations
// and conversions.

import { CONCRETE, HeapType, TypeKind, ValType, isNullable, refType, typeKind } from './ir.js';
import type { ConstExpr, FuncType, Instr } from './ir.js';
import { GC_OP, opName, PREFIX_FD } from './opcodes.js';
import { invalid, refNullType, typeName } from './validate-context.js';
import type { ValidationContext } from './validate-context.js';
import { defaultable, matches, unpacked } from './validate-types.js';
import { LIMITS } from './decode-limits.js';

const I32_CONST = 0x41;
const I64_CONST = 0x42;
const F32_CONST = 0x43;
const F64_CONST = 0x44;
const GLOBAL_GET = 0x23;
const REF_NULL = 0xd0;
const REF_FUNC = 0xd2;
const V128_CONST = PREFIX_FD | 0x0c;
const END = 0x0b;
const {
  structNew: STRUCT_NEW, structNewDefault: STRUCT_NEW_DEFAULT, arrayNew: ARRAY_NEW, arrayNewDefault: ARRAY_NEW_DEFAULT,
  arrayNewFixed: ARRAY_NEW_FIXED, anyConvertExtern: ANY_CONVERT_EXTERN, externConvertAny: EXTERN_CONVERT_ANY, refI31: REF_I31,
} = GC_OP;

/** Extended constants (WebAssembly 3.0): the arithmetic allowed in constant expressions, opcode -> operand type. */
const CONST_ARITHMETIC = new Map<number, ValType>([
  [0x6a, ValType.I32], [0x6b, ValType.I32], [0x6c, ValType.I32], // i32.add, sub, mul
  [0x7c, ValType.I64], [0x7d, ValType.I64], [0x7e, ValType.I64], // i64.add, sub, mul
]);

/**
 * Checks that `expr` is a constant expression leaving exactly one value of
 * (a subtype of) `expected`; it may read the first `globalLimit` globals.
 * Functions named by ref.func become declared (C.refs).
 */
export function validateConstExpr(context: ValidationContext, expr: ConstExpr, expected: ValType, where: string, globalLimit: number): void {
  const types = context.types;
  const stack: number[] = [];
  const pop = (instr: Instr, want: number): void => {
    const got = stack.pop();
    if (got === undefined || !matches(types, got, want)) {
      invalid(`type mismatch in constant expression: ${opName(instr.op)} expects ${typeName(want)}, got ${got === undefined ? 'nothing' : typeName(got)}`, instr.offset, where);
    }
  };
  const instrs = expr.instrs;
  for (let i = 0; i < instrs.length; i++) {
    const instr = instrs[i];
    let type: number;
    switch (instr.op) {
      case I32_CONST: type = ValType.I32; break;
      case I64_CONST: type = ValType.I64; break;
      case F32_CONST: type = ValType.F32; break;
      case F64_CONST: type = ValType.F64; break;
      case V128_CONST: type = ValType.V128; break;
      case REF_NULL: type = refNullType(instr); break;
      case REF_FUNC:
        if (instr.index >= context.funcTypes.length) invalid(`unknown function ${instr.index}`, instr.offset, where);
        context.declaredRefs[instr.index] = 1;
        type = refType(CONCRETE + context.funcTypeIndices[instr.index], false);
        break;
      case GLOBAL_GET: {
        const global = context.globals[instr.index];
        if (global === undefined || instr.index >= globalLimit) {
          invalid(`unknown global ${instr.index} (a constant expression may only read imported and earlier globals)`, instr.offset, where);
        }
        if (global.mutable) invalid(`constant expression required: global.get ${instr.index} reads a mutable global`, instr.offset, where);
        type = global.valType;
        break;
      }
      case STRUCT_NEW:
      case STRUCT_NEW_DEFAULT:
      case ARRAY_NEW:
      case ARRAY_NEW_DEFAULT:
      case ARRAY_NEW_FIXED:
        type = allocation(context, instr, pop, where);
        break;
      case REF_I31:
        pop(instr, ValType.I32);
        type = refType(HeapType.I31, false);
        break;
      case ANY_CONVERT_EXTERN:
      case EXTERN_CONVERT_ANY: {
        const got = stack.pop();
        const from = instr.op === ANY_CONVERT_EXTERN ? ValType.ExternRef : ValType.AnyRef;
        if (got === undefined || !matches(types, got, from)) {
          invalid(`type mismatch in constant expression: ${opName(instr.op)} expects ${typeName(from)}, got ${got === undefined ? 'nothing' : typeName(got)}`, instr.offset, where);
        }
        type = refType(instr.op === ANY_CONVERT_EXTERN ? HeapType.Any : HeapType.Extern, isNullable(got));
        break;
      }
      case END:
        if (i === instrs.length - 1) continue;
        invalid('constant expression required: end before the end of the expression', instr.offset, where);
      default: {
        const operand = CONST_ARITHMETIC.get(instr.op);
        if (operand === undefined) invalid(`constant expression required: ${opName(instr.op)} is not a constant instruction`, instr.offset, where);
        const b = stack.pop();
        const a = stack.pop();
        if (a !== operand || b !== operand) {
          const got = [a, b].filter((t) => t !== undefined).map((t) => typeName(t!)).join(', ') || 'nothing';
          invalid(`type mismatch in constant expression: ${opName(instr.op)} expects two ${typeName(operand)}, got ${got}`, instr.offset, where);
        }
        type = operand;
      }
    }
    stack.push(type);
  }
  const count = stack.length;
  const type = stack[count - 1];
  if (count !== 1 || !matches(types, type, expected)) {
    const got = count === 0 ? 'nothing' : count === 1 ? typeName(type) : `${count} values`;
    invalid(`type mismatch in constant expression: expected ${typeName(expected)}, got ${got}`, expr.offset, where);
  }
}

/** struct.new(_default) and array.new(_default, _fixed) in a constant expression: their operands, and the reference they make. */
function allocation(context: ValidationContext, instr: Instr, pop: (instr: Instr, want: number) => void, where: string): number {
  const index = instr.index;
  const type: FuncType | undefined = context.types[index];
  if (type === undefined) invalid(`unknown type ${index}`, instr.offset, where);
  const isStruct = instr.op === STRUCT_NEW || instr.op === STRUCT_NEW_DEFAULT;
  if (typeKind(type) !== (isStruct ? TypeKind.Struct : TypeKind.Array)) {
    invalid(`type mismatch: ${opName(instr.op)} of type ${index}, which is not ${isStruct ? 'a struct' : 'an array'} type`, instr.offset, where);
  }
  const fields = type.def!.fields;
  switch (instr.op) {
    case STRUCT_NEW:
      for (let f = fields.length - 1; f >= 0; f--) pop(instr, unpacked(fields[f].type));
      break;
    case STRUCT_NEW_DEFAULT:
    case ARRAY_NEW_DEFAULT:
      for (const field of fields) {
        if (!defaultable(field.type)) invalid(`type mismatch: ${opName(instr.op)} of type ${index}, which has a field of non-defaultable type ${typeName(field.type)}`, instr.offset, where);
      }
      if (instr.op === ARRAY_NEW_DEFAULT) pop(instr, ValType.I32);
      break;
    case ARRAY_NEW:
      pop(instr, ValType.I32);
      pop(instr, unpacked(fields[0].type));
      break;
    case ARRAY_NEW_FIXED:
      if (instr.index2 > LIMITS.arrayNewFixed) invalid(`array.new_fixed of ${instr.index2} elements (the limit is ${LIMITS.arrayNewFixed})`, instr.offset, where);
      for (let k = 0; k < instr.index2; k++) pop(instr, unpacked(fields[0].type));
      break;
  }
  return refType(CONCRETE + index, false);
}
