// The compact printer: generated functions as JavaScript text with no
// indentation and no optional space, one statement a line. It knows only the
// node types the emitter makes (anything else goes to astring), so it is
// short, and about twice as fast as astring's general printer: under
// `node --jitless` printing was a fifth of generating a function at run
// time. The output parses to the same tree as astring's (a test compares
// them on whole modules), so the choice of printer never changes meaning.
//
// Parentheses follow the precedence of each operator; the cases precedence
// alone misses are written out: `??` beside `||`/`&&`, a unary operand of
// `**`, a chain (`a?.b`) under a member access or call, a number literal
// before a `.`, and the starts of statements that would read differently
// (`{`, `function`, a string literal taken for a directive). Spaces are
// kept only where two tokens would otherwise run together: after keywords,
// and between a `+`/`-` and an operand that starts with the same sign.
//
// Text is built by concatenation, which V8 keeps as a rope, and flattened
// once at the end: joining each list would copy a deeply nested function's
// text again at every level.
//
// For a source map, each statement is printed knowing `at`, the character
// offset in the function's text where it will start (a list's statements
// follow what is already in the list's text, a nested statement the text
// its parent puts before it), and a statement that carries a wasm `offset`
// (emit-func.ts sets it) is recorded at that position in `marks`.

import { generate } from 'astring';
import type { JsNode } from './js.js';

const BINARY_PRECEDENCE: Record<string, number> = {
  '??': 4, '||': 5, '&&': 6, '|': 7, '^': 8, '&': 9,
  '==': 10, '!=': 10, '===': 10, '!==': 10,
  '<': 11, '>': 11, '<=': 11, '>=': 11, in: 11, instanceof: 11,
  '<<': 12, '>>': 12, '>>>': 12, '+': 13, '-': 13, '*': 14, '/': 14, '%': 14, '**': 15,
};
const SEQUENCE = 1;
const ASSIGNMENT = 2;
const CONDITIONAL = 3;
const UNARY = 16;
const MEMBER = 19;
const PRIMARY = 20;

function precedence(node: JsNode): number {
  switch (node.type) {
    case 'SequenceExpression': return SEQUENCE;
    case 'AssignmentExpression': case 'ArrowFunctionExpression': return ASSIGNMENT;
    case 'ConditionalExpression': return CONDITIONAL;
    case 'BinaryExpression': case 'LogicalExpression': return BINARY_PRECEDENCE[node.operator];
    case 'UnaryExpression': return UNARY;
    case 'CallExpression': case 'NewExpression': case 'MemberExpression': case 'ChainExpression': return MEMBER;
    default: return PRIMARY;
  }
}

/** `node` printed, in parentheses when it binds less tightly than `min`. */
function operand(node: JsNode, min: number): string {
  const text = expression(node);
  return precedence(node) < min ? `(${text})` : text;
}

/** Whether `a` then `b` would run together into other tokens (`a - -b`, `a + +b`). */
function needsSpace(a: string, b: string): boolean {
  const last = a.charCodeAt(a.length - 1);
  return (last === 0x2b || last === 0x2d) && b.charCodeAt(0) === last;
}

const isWordOperator = (operator: string): boolean => operator === 'in' || operator === 'instanceof' || operator === 'typeof' || operator === 'void' || operator === 'delete';
const isMixedNullish = (operator: string, child: JsNode): boolean =>
  child.type === 'LogicalExpression' && (operator === '??') !== (child.operator === '??');

function binary(node: JsNode): string {
  const operator: string = node.operator;
  const level = BINARY_PRECEDENCE[operator];
  const power = operator === '**';
  const { left, right } = node;
  // Precedence, and what it lets through but the grammar does not.
  const wrapLeft = precedence(left) < (power ? level + 1 : level) || (power && left.type === 'UnaryExpression') || isMixedNullish(operator, left);
  const wrapRight = precedence(right) < (power ? level : level + 1) || isMixedNullish(operator, right);
  const leftText = wrapLeft ? `(${expression(left)})` : expression(left);
  const rightText = wrapRight ? `(${expression(right)})` : expression(right);
  if (isWordOperator(operator)) return `${leftText} ${operator} ${rightText}`;
  return leftText + operator + (needsSpace(operator, rightText) ? ' ' : '') + rightText;
}

/** The object of a member access or the callee of a call: a chain or a number literal needs parentheses there. */
function target(node: JsNode): string {
  const text = operand(node, MEMBER);
  if (node.type === 'ChainExpression' || (node.type === 'Literal' && typeof node.value === 'number')) return `(${text})`;
  return text;
}

function list(nodes: (JsNode | null)[]): string {
  let text = '';
  for (let i = 0; i < nodes.length; i++) {
    if (i > 0) text += ',';
    const node = nodes[i];
    if (node !== null) text += operand(node, ASSIGNMENT);
  }
  return text;
}

function params(nodes: JsNode[]): string {
  let text = '';
  for (let i = 0; i < nodes.length; i++) text += (i > 0 ? ',' : '') + expression(nodes[i]);
  return text;
}

/**
 * Nodes printed since printCompactFunction started: what split.ts would
 * count in the tree, learnt for free while printing (see emit.ts).
 */
let printedNodes = 0;

/** Where statement positions are recorded (pairs: `at`, wasm offset), or null: no source map. */
let marks: number[] | null = null;

function expression(node: JsNode): string {
  printedNodes++;
  switch (node.type) {
    case 'Identifier':
      return node.name;
    case 'Literal':
      return node.raw ?? JSON.stringify(node.value);
    case 'BinaryExpression':
    case 'LogicalExpression':
      return binary(node);
    case 'UnaryExpression': {
      const argument = operand(node.argument, UNARY);
      const operator: string = node.operator;
      if (isWordOperator(operator) || needsSpace(operator, argument)) return `${operator} ${argument}`;
      return operator + argument;
    }
    case 'AssignmentExpression':
      return operand(node.left, MEMBER) + node.operator + operand(node.right, ASSIGNMENT);
    case 'ConditionalExpression':
      return `${operand(node.test, CONDITIONAL + 1)}?${operand(node.consequent, ASSIGNMENT)}:${operand(node.alternate, ASSIGNMENT)}`;
    case 'SequenceExpression': {
      let text = '';
      for (let i = 0; i < node.expressions.length; i++) text += (i > 0 ? ',' : '') + operand(node.expressions[i], ASSIGNMENT);
      return text;
    }
    case 'CallExpression':
      return `${target(node.callee)}${node.optional ? '?.' : ''}(${list(node.arguments)})`;
    case 'NewExpression': {
      // `new a.b(...)`: any other callee (a call inside it, above all) in parentheses.
      let callee = node.callee;
      while (callee.type === 'MemberExpression' && !callee.optional) callee = callee.object;
      const text = callee.type === 'Identifier' ? expression(node.callee) : `(${expression(node.callee)})`;
      return `new ${text}(${list(node.arguments)})`;
    }
    case 'MemberExpression': {
      const object = target(node.object);
      if (node.computed) return `${object}${node.optional ? '?.' : ''}[${expression(node.property)}]`;
      printedNodes++;
      return `${object}${node.optional ? '?.' : '.'}${node.property.name}`;
    }
    case 'ChainExpression':
      return expression(node.expression);
    case 'ArrayExpression':
      return `[${list(node.elements)}]`;
    case 'FunctionExpression':
      return `function${node.id ? ` ${node.id.name}` : ''}(${params(node.params)})${block(node.body.body, NaN)}`;
    case 'ArrowFunctionExpression': {
      if (node.body.type === 'BlockStatement') return `(${params(node.params)})=>${block(node.body.body, NaN)}`;
      const body = operand(node.body, ASSIGNMENT);
      return `(${params(node.params)})=>${node.body.type === 'ObjectExpression' ? `(${body})` : body}`;
    }
    default:
      return generate(node as any);
  }
}

/** A statement list's lines, starting at `at` (NaN: where is not known). */
function statements(nodes: JsNode[], at: number): string {
  let text = '';
  for (let i = 0; i < nodes.length; i++) text += i > 0 ? `\n${statement(nodes[i], at + text.length + 1)}` : statement(nodes[i], at);
  return text;
}

function block(nodes: JsNode[], at: number): string {
  return nodes.length === 0 ? '{}' : `{\n${statements(nodes, at + 2)}\n}`;
}

/** A statement, which starts at `at` in the function's text. */
function statement(node: JsNode, at: number): string {
  printedNodes++;
  if (marks !== null && node.offset !== undefined && at >= 0) marks.push(at, node.offset);
  switch (node.type) {
    case 'ExpressionStatement': {
      const text = expression(node.expression);
      const first = text.charCodeAt(0);
      // `{`, `function` or a string first would be a block, a declaration or a directive.
      const ambiguous = first === 0x7b || first === 0x22 || first === 0x27 || text.startsWith('function') || text.startsWith('class') || text.startsWith('let[');
      return ambiguous ? `(${text});` : `${text};`;
    }
    case 'VariableDeclaration': {
      let text = `${node.kind} `;
      const declarations = node.declarations;
      for (let i = 0; i < declarations.length; i++) {
        const declarator = declarations[i];
        printedNodes++;
        text += (i > 0 ? ',' : '') + expression(declarator.id);
        if (declarator.init !== null) text += `=${operand(declarator.init, ASSIGNMENT)}`;
      }
      return `${text};`;
    }
    case 'FunctionDeclaration': {
      printedNodes++;
      const head = `function ${node.id.name}(${params(node.params)})`;
      return head + block(node.body.body, at + head.length);
    }
    case 'ReturnStatement':
      return node.argument === null ? 'return;' : `return ${expression(node.argument)};`;
    case 'BreakStatement':
      if (node.label !== null) printedNodes++;
      return node.label === null ? 'break;' : `break ${node.label.name};`;
    case 'ContinueStatement':
      if (node.label !== null) printedNodes++;
      return node.label === null ? 'continue;' : `continue ${node.label.name};`;
    case 'BlockStatement':
      return block(node.body, at);
    case 'LabeledStatement': {
      printedNodes++;
      const label: string = node.label.name;
      return `${label}:${statement(node.body, at + label.length + 1)}`;
    }
    case 'WhileStatement': {
      const head = `while(${expression(node.test)})`;
      return head + statement(node.body, at + head.length);
    }
    case 'IfStatement': {
      const test = `if(${expression(node.test)})`;
      if (node.alternate === null) return test + statement(node.consequent, at + test.length);
      // A consequent ending in an `if` without an else would take this else
      // for its own: it goes in braces.
      const consequent = endsWithOpenIf(node.consequent)
        ? `{\n${statement(node.consequent, at + test.length + 2)}\n}`
        : statement(node.consequent, at + test.length);
      // Only a block starts with `{` (an expression statement that would is in parentheses).
      const alternateAt = at + test.length + consequent.length + (node.alternate.type === 'BlockStatement' ? 4 : 5);
      const alternate = statement(node.alternate, alternateAt);
      return `${test}${consequent}else${alternate.charCodeAt(0) === 0x7b ? '' : ' '}${alternate}`;
    }
    case 'SwitchStatement': {
      let text = `switch(${expression(node.discriminant)}){`;
      for (const switchCase of node.cases) {
        printedNodes++;
        text += switchCase.test === null ? '\ndefault:' : `\ncase ${expression(switchCase.test)}:`;
        if (switchCase.consequent.length > 0) text += `\n${statements(switchCase.consequent, at + text.length + 1)}`;
      }
      return `${text}\n}`;
    }
    case 'TryStatement': {
      // Exception handlers (emit-exceptions.ts): no finalizer.
      printedNodes += 2;
      const head = `try`;
      const block = statement(node.block, at + head.length);
      const handler = `catch(${node.handler.param.name})`;
      return head + block + handler + statement(node.handler.body, at + head.length + block.length + handler.length);
    }
    case 'ThrowStatement':
      return `throw ${expression(node.argument)};`;
    case 'EmptyStatement':
      return ';';
    case 'RawCode':
      return node.text;
    default:
      return generate(node as any);
  }
}

/** Whether `node` ends with an `if` that has no else (where a following `else` would attach). */
export function endsWithOpenIf(node: JsNode): boolean {
  for (;;) {
    switch (node.type) {
      case 'IfStatement':
        if (node.alternate === null) return true;
        node = node.alternate;
        break;
      case 'LabeledStatement':
      case 'WhileStatement':
        node = node.body;
        break;
      default:
        return false;
    }
  }
}

/**
 * A FunctionDeclaration, compactly, as one flat string, and the number of
 * syntax-tree nodes printed (those astring prints for the compact printer
 * count as one each). With `into`, the positions of statements that carry
 * a wasm offset are appended to it (pairs: offset in the text, wasm offset).
 */
export function printCompactCounted(fn: JsNode, into: number[] | null = null): { text: string; nodes: number } {
  printedNodes = 0;
  marks = into;
  const text = statement(fn, 0);
  marks = null;
  // Flatten the rope now: the text is kept until the module is written.
  text.charCodeAt(0);
  return { text, nodes: printedNodes };
}

/** A FunctionDeclaration, compactly, as one flat string (`into`: as in printCompactCounted). */
export function printCompactFunction(fn: JsNode, into: number[] | null = null): string {
  return printCompactCounted(fn, into).text;
}
