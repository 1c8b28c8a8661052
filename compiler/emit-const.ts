// Constant expressions (global initialisers, segment offsets) as JavaScript.
// WebAssembly 3.0's extended constants add i32/i64 add, sub and mul to the
// constant instructions: an expression is evaluated on a stack, and
// arithmetic over literals is folded here, so only an expression reading a
// global costs anything when the module is instantiated.

import type { ConstExpr, Instr } from './ir.js';
import { global as builtin } from './emit-ops.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

const END = 0x0b;

/** The extended-constant arithmetic: opcode -> [64-bit, operator]. */
const ARITHMETIC = new Map<number, [boolean, '+' | '-' | '*']>([
  [0x6a, [false, '+']], [0x6b, [false, '-']], [0x6c, [false, '*']],
  [0x7c, [true, '+']], [0x7d, [true, '-']], [0x7e, [true, '*']],
]);

/**
 * The JavaScript of a validated constant expression; `leaf` gives that of
 * any other instruction (a constant, ref.null, ref.func, global.get, or
 * GC's allocations, which pop their operands from `stack`).
 */
export function constExprJs(expr: ConstExpr, leaf: (instr: Instr, stack: JsNode[]) => JsNode): JsNode {
  const stack: JsNode[] = [];
  for (const instr of expr.instrs) {
    if (instr.op === END) break;
    const arithmetic = ARITHMETIC.get(instr.op);
    if (arithmetic === undefined) {
      stack.push(leaf(instr, stack));
      continue;
    }
    const b = stack.pop()!;
    const a = stack.pop()!;
    stack.push(arithmetic[0] ? i64Arithmetic(arithmetic[1], a, b) : i32Arithmetic(arithmetic[1], a, b));
  }
  return stack[0];
}

function i32Arithmetic(operator: '+' | '-' | '*', a: JsNode, b: JsNode): JsNode {
  const x = literal(a);
  const y = literal(b);
  if (typeof x === 'number' && typeof y === 'number') {
    return js.num(operator === '+' ? (x + y) | 0 : operator === '-' ? (x - y) | 0 : Math.imul(x, y));
  }
  if (operator === '*') return js.call(builtin('Math', 'imul'), [a, b]);
  return js.bin('|', js.bin(operator, a, b), js.num(0));
}

function i64Arithmetic(operator: '+' | '-' | '*', a: JsNode, b: JsNode): JsNode {
  const x = literal(a);
  const y = literal(b);
  if (typeof x === 'bigint' && typeof y === 'bigint') {
    return js.big(BigInt.asIntN(64, operator === '+' ? x + y : operator === '-' ? x - y : x * y));
  }
  return js.call(builtin('BigInt', 'asIntN'), [js.num(64), js.bin(operator, a, b)]);
}

/** The value of a number or BigInt literal as js.num() and js.big() make them (a negative one is a unary minus). */
function literal(node: JsNode): number | bigint | undefined {
  if (node.type === 'UnaryExpression' && node.operator === '-') {
    const value = literal(node.argument as JsNode);
    return value === undefined ? undefined : -value;
  }
  if (node.type !== 'Literal') return undefined;
  if (typeof node.bigint === 'string') return BigInt(node.bigint);
  return typeof node.value === 'number' ? node.value : undefined;
}
