// Small constructors for the ESTree nodes the emitter builds. Kept loose
// (plain objects typed as JsNode) because astring only reads `type` and the
// fields of each node kind; a full ESTree typing would cost more than it saves.

export type JsNode = { type: string; [key: string]: any };

export const id = (name: string): JsNode => ({ type: 'Identifier', name });

export function num(value: number): JsNode {
  // Negative numbers and -0 print as unary minus so astring parenthesises them.
  if (value < 0 || Object.is(value, -0)) return { type: 'UnaryExpression', operator: '-', prefix: true, argument: num(-value) };
  if (Number.isNaN(value)) return id('NaN');
  if (value === Infinity) return id('Infinity');
  return { type: 'Literal', value, raw: numberText(value) };
}

/** A literal: a number (a negative one is a unary minus), a BigInt, a string or null. */
export const isLiteral = (e: JsNode): boolean =>
  e.type === 'Literal' || (e.type === 'UnaryExpression' && e.operator === '-' && e.argument.type === 'Literal');

/** A literal or a variable: reading it again costs nothing and has no effect. */
export const isSimple = (e: JsNode): boolean => e.type === 'Identifier' || isLiteral(e);

function numberText(value: number): string {
  const text = String(value);
  // Shortest round-tripping form; String() is already exact for doubles.
  return text;
}

export function big(value: bigint): JsNode {
  if (value < 0n) return { type: 'UnaryExpression', operator: '-', prefix: true, argument: big(-value) };
  return { type: 'Literal', value: null, raw: `${value}n`, bigint: String(value) };
}

/**
 * A string literal that is safe anywhere the output may be pasted: every
 * character outside printable ASCII is a \u escape, as is `<`. The output
 * can then sit in an HTML <script> (no `</script>` or `<!--` to end or change
 * it), survive a page served in another charset, and parse on engines older
 * than ES2019, where a raw U+2028 or U+2029 ends a line inside a string.
 * Names come from the module, so they can hold any of these.
 */
export function jsString(value: string): string {
  // JSON.stringify already escapes quotes, backslashes, controls and lone surrogates.
  return JSON.stringify(value).replace(/[<\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

export const str = (value: string): JsNode => ({ type: 'Literal', value, raw: jsString(value) });
export const bool = (value: boolean): JsNode => ({ type: 'Literal', value, raw: String(value) });
export const nul = (): JsNode => ({ type: 'Literal', value: null, raw: 'null' });

export const bin = (operator: string, left: JsNode, right: JsNode): JsNode => ({ type: 'BinaryExpression', operator, left, right });
export const logical = (operator: string, left: JsNode, right: JsNode): JsNode => ({ type: 'LogicalExpression', operator, left, right });
export const un = (operator: string, argument: JsNode): JsNode => ({ type: 'UnaryExpression', operator, prefix: true, argument });
export const call = (callee: JsNode, args: JsNode[]): JsNode => ({ type: 'CallExpression', callee, arguments: args, optional: false });
export const member = (object: JsNode, property: string): JsNode => ({ type: 'MemberExpression', object, property: id(property), computed: false, optional: false });
/** `object?.property`; wrap the outermost optional link in chain(). */
export const optionalMember = (object: JsNode, property: string): JsNode => ({ type: 'MemberExpression', object, property: id(property), computed: false, optional: true });
export const chain = (expression: JsNode): JsNode => ({ type: 'ChainExpression', expression });
export const index = (object: JsNode, property: JsNode): JsNode => ({ type: 'MemberExpression', object, property, computed: true, optional: false });
export const assign = (left: JsNode, right: JsNode): JsNode => ({ type: 'AssignmentExpression', operator: '=', left, right });
export const seq = (expressions: JsNode[]): JsNode => ({ type: 'SequenceExpression', expressions });
export const cond = (test: JsNode, consequent: JsNode, alternate: JsNode): JsNode => ({ type: 'ConditionalExpression', test, consequent, alternate });
export const arr = (elements: JsNode[]): JsNode => ({ type: 'ArrayExpression', elements });
export const newExpr = (callee: JsNode, args: JsNode[]): JsNode => ({ type: 'NewExpression', callee, arguments: args });
export const obj = (props: [string, JsNode][]): JsNode => ({
  type: 'ObjectExpression',
  properties: props.map(([key, value]) => ({ type: 'Property', key: str(key), value, kind: 'init', computed: false, method: false, shorthand: false })),
});

/** `Math.imul` style access to a global namespace object. */
export const global = (namespace: string, name: string): JsNode => member(id(namespace), name);

export const exprStmt = (expression: JsNode): JsNode => ({ type: 'ExpressionStatement', expression });
export const block = (body: JsNode[]): JsNode => ({ type: 'BlockStatement', body });
export const labeled = (label: string, body: JsNode): JsNode => ({ type: 'LabeledStatement', label: id(label), body });
export const ifStmt = (test: JsNode, consequent: JsNode, alternate: JsNode | null): JsNode => ({ type: 'IfStatement', test, consequent, alternate });
export const whileTrue = (body: JsNode): JsNode => ({ type: 'WhileStatement', test: bool(true), body });
export const brk = (label: string | null): JsNode => ({ type: 'BreakStatement', label: label === null ? null : id(label) });
export const cont = (label: string): JsNode => ({ type: 'ContinueStatement', label: id(label) });
export const ret = (argument: JsNode | null): JsNode => ({ type: 'ReturnStatement', argument });
export const switchStmt = (discriminant: JsNode, cases: { test: JsNode | null; body: JsNode[] }[]): JsNode => ({
  type: 'SwitchStatement',
  discriminant,
  cases: cases.map((c) => ({ type: 'SwitchCase', test: c.test, consequent: c.body })),
});

/**
 * `var a = ..., b;`. Generated code declares with var only: a closure that
 * reads an outer let or const pays a TDZ check on every read in V8's
 * interpreter and baseline tiers.
 */
export function decl(pairs: [string, JsNode | null][]): JsNode {
  return {
    type: 'VariableDeclaration',
    kind: 'var',
    declarations: pairs.map(([name, init]) => ({ type: 'VariableDeclarator', id: id(name), init })),
  };
}

export function fn(name: string | null, params: string[], body: JsNode[]): JsNode {
  return { type: name === null ? 'FunctionExpression' : 'FunctionDeclaration', id: name === null ? null : id(name), params: params.map(id), body: block(body), generator: false, async: false };
}

export const program = (body: JsNode[]): JsNode => ({ type: 'Program', body, sourceType: 'script' });
