// The compact printer of scripts/minify.js: prints an ESTree program (as
// acorn parses it) with no indentation, no optional whitespace and no
// comments, in one line. Parentheses come from operator precedence, so the
// printed text parses back to the same tree; minify.js checks that it does.
//
// What a one-line printer must get right besides precedence: a space only
// where two tokens would otherwise merge (`return a`, `a- -b`, `a+ ++b`,
// `a/ /re/`, `a< !--b`), the starts of statements that would read as
// something else (`{`, `function`, `class`, `let[`), `in` inside a for-loop
// initialiser, a dangling `else`, an integer literal before `.`, and the
// directive prologue. Every statement ends in `;` or `}` (the last one of a
// block drops its `;`, which the `}` also ends), so there is no line break
// for automatic semicolon insertion to act on.

// Operator precedence, lowest first.
const SEQUENCE = 1;
const ASSIGN = 2; // also arrow functions, yield, spread
const CONDITIONAL = 3;
const NULLISH = 4;
const CALL = 18; // calls, `new` with arguments, member access
const PRIMARY = 20;

const BINARY = {
  '||': 5, '&&': 6, '|': 7, '^': 8, '&': 9,
  '==': 10, '!=': 10, '===': 10, '!==': 10,
  '<': 11, '>': 11, '<=': 11, '>=': 11, instanceof: 11, in: 11,
  '<<': 12, '>>': 12, '>>>': 12,
  '+': 13, '-': 13, '*': 14, '/': 14, '%': 14, '**': 15,
  '??': NULLISH,
};
const UNARY = 16;
const POSTFIX = 17;

const isIdentifierChar = (c) => /[A-Za-z0-9_$\\]/.test(c) || c > '\x7f';

/**
 * Concatenates printed pieces, with a space where the last character of one
 * and the first of the next would otherwise make a different token.
 */
function join(...pieces) {
  let text = '';
  for (const piece of pieces) {
    if (piece === '') continue;
    const last = text[text.length - 1];
    const first = piece[0];
    if (last !== undefined && (
      (isIdentifierChar(last) && isIdentifierChar(first))
      || ((last === '+' || last === '-') && first === last) // a+ +b, a- --b
      || (last === '/' && (first === '/' || first === '*')) // a/ /re/
      || (last === '<' && piece.startsWith('!--')) // a<! --b is not an HTML comment
      || (last === '-' && text.endsWith('--') && first === '>') // a-- >b neither
    )) text += ' ';
    text += piece;
  }
  return text;
}

const IDENTIFIER_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The shortest source text for a number literal's value (non-negative, finite). */
export function printNumber(value) {
  if (!Number.isFinite(value) || value < 0 || Object.is(value, -0)) throw new Error(`minify: cannot print the number ${value}`);
  const plain = String(value).replace('e+', 'e');
  const candidates = [plain, plain.replace(/^0\./, '.')];
  if (Number.isInteger(value)) {
    const digits = /^(\d+?)(0+)$/.exec(plain);
    if (digits) candidates.push(`${digits[1]}e${digits[2].length}`);
    if (Number.isSafeInteger(value)) candidates.push(`0x${value.toString(16)}`);
  } else {
    const small = /^0\.(0+)(\d+)$/.exec(plain); // 0.0001 -> 1e-4
    if (small) candidates.push(`${small[2]}e-${small[1].length + small[2].length}`);
  }
  let best = plain;
  for (const candidate of candidates) if (candidate.length < best.length && Number(candidate) === value) best = candidate;
  return best;
}

/**
 * A string literal in the quote that needs fewer escapes. Non-ASCII
 * characters and `</` `<!` are escaped, so the text stays ASCII and can sit
 * inside an HTML <script> element.
 */
export function printString(value) {
  const doubles = value.split('"').length;
  const singles = value.split("'").length;
  const quote = singles < doubles ? "'" : '"';
  let text = quote;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    const code = value.charCodeAt(i);
    if (c === quote || c === '\\') text += `\\${c}`;
    else if (c === '\n') text += '\\n';
    else if (c === '\r') text += '\\r';
    else if (c === '\t') text += '\\t';
    else if (c === '<' && (value[i + 1] === '/' || value[i + 1] === '!')) text += '\\x3C';
    else if (code === 0 && !/[0-9]/.test(value[i + 1] ?? '')) text += '\\0';
    else if (code < 0x20 || code === 0x7f) text += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code > 0x7e) text += `\\u${code.toString(16).padStart(4, '0')}`;
    else text += c;
  }
  return text + quote;
}

/** A property key: bare where it can be, else a string. */
function printKey(key, computed) {
  if (computed) return `[${expression(key, ASSIGN)}]`;
  if (key.type === 'Identifier' || key.type === 'PrivateIdentifier') return key.type === 'PrivateIdentifier' ? `#${key.name}` : key.name;
  if (typeof key.value === 'string') {
    if (IDENTIFIER_NAME.test(key.value)) return key.value;
    // A canonical array index prints as a number: {"0": x} is {0: x}.
    if (/^(0|[1-9][0-9]*)$/.test(key.value) && printNumber(Number(key.value)) === key.value) return key.value;
    return printString(key.value);
  }
  return literal(key);
}

function literal(node) {
  if (node.regex) return `/${node.regex.pattern}/${node.regex.flags}`;
  if (node.bigint !== undefined) return `${node.bigint}n`;
  if (typeof node.value === 'string') return printString(node.value);
  if (typeof node.value === 'number') return Number.isFinite(node.value) ? printNumber(node.value) : node.raw;
  return String(node.value); // null, true, false
}

const wrap = (text) => `(${text})`;

/** Whether an expression reads a call anywhere along its callee/object chain (`new` needs parentheses around it). */
function hasCallInChain(node) {
  for (;;) {
    if (node.type === 'CallExpression' || node.type === 'ChainExpression') return true;
    if (node.type === 'MemberExpression') node = node.object;
    else if (node.type === 'TaggedTemplateExpression') node = node.tag;
    else return false;
  }
}

function params(list) {
  return `(${list.map((p) => pattern(p)).join(',')})`;
}

function functionText(node, keyword) {
  const head = join(node.async ? 'async' : '', keyword ? 'function' : '', node.generator ? '*' : '', node.id ? node.id.name : '');
  return `${head}${params(node.params)}${functionBody(node.body)}`;
}

function functionBody(body) {
  return `{${statements(body.body, true)}}`;
}

function arrow(node) {
  const simple = node.params.length === 1 && node.params[0].type === 'Identifier' && !node.async;
  const head = join(node.async ? 'async' : '', simple ? node.params[0].name : params(node.params));
  if (node.body.type === 'BlockStatement') return `${head}=>${functionBody(node.body)}`;
  let body = expression(node.body, ASSIGN);
  if (body[0] === '{') body = wrap(body); // an object literal, not a block
  return join(`${head}=>`, body);
}

function classText(node) {
  const head = join('class', node.id ? node.id.name : '', node.superClass ? join('extends', expression(node.superClass, CALL)) : '');
  const members = node.body.body.map((member) => {
    if (member.type === 'StaticBlock') return `static{${statements(member.body)}}`;
    const prefix = member.static ? 'static' : '';
    const key = printKey(member.key, member.computed);
    if (member.type === 'PropertyDefinition') {
      return join(prefix, key, member.value ? `=${expression(member.value, ASSIGN)}` : '') + ';';
    }
    return join(prefix, methodText(member.kind === 'constructor' ? 'method' : member.kind, key, member.value));
  });
  return `${head}{${members.join('')}}`;
}

function methodText(kind, key, fn) {
  const prefix = kind === 'get' || kind === 'set' ? kind : join(fn.async ? 'async' : '', fn.generator ? '*' : '');
  return join(prefix, key) + params(fn.params) + functionBody(fn.body);
}

function property(node) {
  if (node.type === 'SpreadElement' || node.type === 'RestElement') return `...${expression(node.argument, ASSIGN)}`;
  const key = printKey(node.key, node.computed);
  if (node.kind === 'get' || node.kind === 'set' || node.method) return methodText(node.method ? 'method' : node.kind, key, node.value);
  const value = node.value;
  if (!node.computed && IDENTIFIER_NAME.test(key)) {
    // {__proto__: __proto__} sets the prototype, the shorthand does not.
    if (value.type === 'Identifier' && value.name === key && (key !== '__proto__' || node.shorthand)) return key;
    if (value.type === 'AssignmentPattern' && value.left.type === 'Identifier' && value.left.name === key) {
      return `${key}=${expression(value.right, ASSIGN)}`;
    }
  }
  return `${key}:${pattern(value)}`;
}

/** A binding or assignment target, or (in object and array literals) any expression. */
function pattern(node) {
  switch (node.type) {
    case 'ObjectPattern': return `{${node.properties.map(property).join(',')}}`;
    case 'ArrayPattern': return arrayText(node.elements, pattern);
    case 'AssignmentPattern': return `${pattern(node.left)}=${expression(node.right, ASSIGN)}`;
    case 'RestElement': return `...${pattern(node.argument)}`;
    default: return expression(node, ASSIGN);
  }
}

function arrayText(elements, print) {
  const items = elements.map((element) => (element === null ? '' : print(element)));
  // A hole at the end needs its own comma: [a,,] has two elements.
  return `[${items.join(',')}${elements.length > 0 && elements[elements.length - 1] === null ? ',' : ''}]`;
}

function callArguments(list) {
  return `(${list.map((argument) => (argument.type === 'SpreadElement' ? `...${expression(argument.argument, ASSIGN)}` : expression(argument, ASSIGN))).join(',')})`;
}

/** Prints the object of a member access or the callee of a call. */
function calleeText(node) {
  if (node.type === 'ChainExpression') return wrap(expression(node.expression, SEQUENCE)); // (a?.b).c is not a?.b.c
  let text = expression(node, CALL);
  // 1.x would be a number 1. followed by x.
  if (node.type === 'Literal' && typeof node.value === 'number' && /^\d+$/.test(text)) text += '.';
  return text;
}

/**
 * Prints an expression whose context needs at least precedence `min`;
 * `noIn` is set inside a for-loop initialiser, where `in` must be
 * parenthesised. Parentheses reset both.
 */
function expression(node, min, noIn = false) {
  const [text, precedence, hasIn] = expressionParts(node, noIn);
  if (precedence < min || (noIn && hasIn)) return wrap(text);
  return text;
}

/** [text, precedence, whether an unparenthesised `in` operator is at its top] */
function expressionParts(node, noIn) {
  switch (node.type) {
    case 'Identifier': return [node.name, PRIMARY];
    case 'PrivateIdentifier': return [`#${node.name}`, PRIMARY];
    case 'Literal': return [literal(node), PRIMARY];
    case 'ThisExpression': return ['this', PRIMARY];
    case 'Super': return ['super', PRIMARY];
    case 'MetaProperty': return [`${node.meta.name}.${node.property.name}`, PRIMARY];
    case 'ArrayExpression': return [arrayText(node.elements, (element) => (element.type === 'SpreadElement' ? `...${expression(element.argument, ASSIGN)}` : expression(element, ASSIGN))), PRIMARY];
    case 'ObjectExpression': return [`{${node.properties.map(property).join(',')}}`, PRIMARY];
    case 'FunctionExpression': return [functionText(node, true), PRIMARY];
    case 'ClassExpression': return [classText(node), PRIMARY];
    case 'ArrowFunctionExpression': {
      const text = arrow(node);
      // The concise body extends to the right, so `in` there counts.
      return [text, ASSIGN, noIn && node.body.type !== 'BlockStatement' && /\bin\b/.test(text)];
    }
    case 'TemplateLiteral': return [template(node), PRIMARY];
    case 'TaggedTemplateExpression': return [calleeText(node.tag) + template(node.quasi), CALL];
    case 'SequenceExpression': {
      const parts = node.expressions.map((e) => expression(e, ASSIGN, noIn));
      return [parts.join(','), SEQUENCE];
    }
    case 'AssignmentExpression': {
      const right = expression(node.right, ASSIGN, noIn);
      return [join(pattern(node.left), node.operator, right), ASSIGN];
    }
    case 'ConditionalExpression': {
      const test = expression(node.test, NULLISH, noIn);
      const consequent = expression(node.consequent, ASSIGN);
      const alternate = expression(node.alternate, ASSIGN, noIn);
      return [`${test}?${consequent}:${alternate}`, CONDITIONAL];
    }
    case 'LogicalExpression':
    case 'BinaryExpression': {
      const precedence = BINARY[node.operator];
      let left;
      let right;
      if (node.operator === '**') {
        // Right-associative, and a unary operand on the left needs parentheses: (-a)**b.
        left = expression(node.left, POSTFIX, noIn);
        right = expression(node.right, precedence, noIn);
      } else {
        left = expression(node.left, precedence, noIn);
        right = expression(node.right, precedence + 1, noIn);
      }
      // ?? mixes with || and && only in parentheses.
      const mixes = (side) => side.type === 'LogicalExpression' && (node.operator === '??') !== (side.operator === '??');
      if (mixes(node.left) && left[0] !== '(') left = wrap(left);
      if (mixes(node.right) && right[0] !== '(') right = wrap(right);
      const inHere = node.operator === 'in';
      if (noIn && inHere) return [wrap(join(left, node.operator, right)), PRIMARY, false];
      return [join(left, node.operator, right), precedence];
    }
    case 'UnaryExpression':
      return [join(node.operator, expression(node.argument, UNARY, noIn)), UNARY];
    case 'UpdateExpression':
      return node.prefix
        ? [join(node.operator, expression(node.argument, UNARY)), UNARY]
        : [join(expression(node.argument, POSTFIX), node.operator), POSTFIX];
    case 'AwaitExpression':
      return [join('await', expression(node.argument, UNARY, noIn)), UNARY];
    case 'YieldExpression':
      return [join(node.delegate ? 'yield*' : 'yield', node.argument ? expression(node.argument, ASSIGN, noIn) : ''), ASSIGN];
    case 'ChainExpression':
      return expressionParts(node.expression, noIn);
    case 'MemberExpression': {
      const object = calleeText(node.object);
      const access = node.computed ? `${node.optional ? '?.' : ''}[${expression(node.property, SEQUENCE)}]` : `${node.optional ? '?.' : '.'}${node.property.type === 'PrivateIdentifier' ? '#' : ''}${node.property.name}`;
      return [object + access, CALL];
    }
    case 'CallExpression':
      return [calleeText(node.callee) + (node.optional ? '?.' : '') + callArguments(node.arguments), CALL];
    case 'NewExpression': {
      let callee = expression(node.callee, CALL);
      if (hasCallInChain(node.callee) && callee[0] !== '(') callee = wrap(callee);
      return [join('new', callee) + callArguments(node.arguments), CALL];
    }
    case 'ImportExpression':
      return [`import(${expression(node.source, ASSIGN)}${node.options ? `,${expression(node.options, ASSIGN)}` : ''})`, CALL];
    default:
      throw new Error(`minify: cannot print the expression ${node.type}`);
  }
}

function template(node) {
  let text = '`';
  node.quasis.forEach((quasi, i) => {
    text += quasi.value.raw;
    if (i < node.expressions.length) text += `\${${expression(node.expressions[i], SEQUENCE)}}`;
  });
  return `${text}\``;
}

// --- statements -------------------------------------------------------------

/**
 * A statement list. In a directive prologue the directives keep their exact
 * spelling, and a string statement that is no directive (it was
 * parenthesised) keeps its parentheses. The last `;` goes unless
 * `keepLast` (a switch case followed by another).
 */
function statements(list, prologue = false, keepLast = false) {
  let text = '';
  let inPrologue = prologue;
  list.forEach((node, i) => {
    let printed;
    if (inPrologue && node.type === 'ExpressionStatement' && node.directive !== undefined) {
      printed = `${node.expression.raw};`;
    } else {
      const looksLikeDirective = inPrologue && node.type === 'ExpressionStatement'
        && node.expression.type === 'Literal' && typeof node.expression.value === 'string';
      inPrologue = false;
      printed = statement(node, looksLikeDirective);
    }
    if (i === list.length - 1 && !keepLast && endsInTerminator(node)) printed = printed.slice(0, -1);
    text = join(text, printed);
  });
  return text;
}

/** Whether the statement's text ends in a `;` that may go before a `}` (a terminator, not an empty statement). */
function endsInTerminator(node) {
  switch (node.type) {
    case 'ExpressionStatement': case 'VariableDeclaration': case 'ReturnStatement': case 'ThrowStatement':
    case 'BreakStatement': case 'ContinueStatement': case 'DebuggerStatement': case 'DoWhileStatement':
      return true;
    case 'IfStatement': return endsInTerminator(node.alternate ?? node.consequent);
    case 'ForStatement': case 'ForInStatement': case 'ForOfStatement': case 'WhileStatement':
    case 'LabeledStatement': case 'WithStatement':
      return endsInTerminator(node.body);
    default: return false;
  }
}

/** Whether a statement ends in an `if` without `else`, which an `else` after it would join. */
function endsInOpenIf(node) {
  switch (node.type) {
    case 'IfStatement': return node.alternate === null || endsInOpenIf(node.alternate);
    case 'ForStatement': case 'ForInStatement': case 'ForOfStatement': case 'WhileStatement':
    case 'LabeledStatement': case 'WithStatement':
      return endsInOpenIf(node.body);
    default: return false;
  }
}

function variables(node, noIn = false) {
  return join(node.kind, node.declarations.map((d) => (d.init ? `${pattern(d.id)}=${expression(d.init, ASSIGN, noIn)}` : pattern(d.id))).join(','));
}

function forHead(left) {
  if (left.type === 'VariableDeclaration') return variables(left);
  const text = pattern(left);
  // `for (let of ...)`, `for (async of ...)`: keywords there, not names.
  return /^(let|async)\b/.test(text) ? wrap(text) : text;
}

/** Whether an expression statement's text would start like a declaration or a block. */
const AMBIGUOUS_START = /^(\{|function\b|class\b|let\s*\[|async\s+function\b)/;

function statement(node, parenthesiseString = false) {
  switch (node.type) {
    case 'ExpressionStatement': {
      let text = expression(node.expression, SEQUENCE);
      if (AMBIGUOUS_START.test(text) || parenthesiseString) text = wrap(text);
      return `${text};`;
    }
    case 'VariableDeclaration': return `${variables(node)};`;
    case 'FunctionDeclaration': return functionText(node, true);
    case 'ClassDeclaration': return classText(node);
    case 'ReturnStatement': return `${join('return', node.argument ? expression(node.argument, SEQUENCE) : '')};`;
    case 'ThrowStatement': return `${join('throw', expression(node.argument, SEQUENCE))};`;
    case 'BreakStatement': return `${join('break', node.label ? node.label.name : '')};`;
    case 'ContinueStatement': return `${join('continue', node.label ? node.label.name : '')};`;
    case 'DebuggerStatement': return 'debugger;';
    case 'EmptyStatement': return ';';
    case 'BlockStatement': return `{${statements(node.body)}}`;
    case 'LabeledStatement': return `${node.label.name}:${statement(node.body)}`;
    case 'IfStatement': {
      let consequent = statement(node.consequent);
      if (node.alternate === null) return `if(${expression(node.test, SEQUENCE)})${consequent}`;
      if (endsInOpenIf(node.consequent)) consequent = `{${consequent}}`;
      return join(`if(${expression(node.test, SEQUENCE)})${consequent}`, 'else', statement(node.alternate));
    }
    case 'ForStatement': {
      const init = node.init === null ? '' : node.init.type === 'VariableDeclaration' ? variables(node.init, true) : expression(node.init, SEQUENCE, true);
      const test = node.test ? expression(node.test, SEQUENCE) : '';
      const update = node.update ? expression(node.update, SEQUENCE) : '';
      return `for(${init};${test};${update})${statement(node.body)}`;
    }
    case 'ForInStatement':
      return `for(${join(forHead(node.left), 'in', expression(node.right, SEQUENCE))})${statement(node.body)}`;
    case 'ForOfStatement':
      return join(node.await ? 'for await' : 'for', `(${join(forHead(node.left), 'of', expression(node.right, ASSIGN))})${statement(node.body)}`);
    case 'WhileStatement': return `while(${expression(node.test, SEQUENCE)})${statement(node.body)}`;
    case 'DoWhileStatement': return `${join('do', statement(node.body), 'while')}(${expression(node.test, SEQUENCE)});`;
    case 'SwitchStatement': {
      const cases = node.cases.map((c, i) => {
        const head = c.test ? `${join('case', expression(c.test, SEQUENCE))}:` : 'default:';
        return join(head, statements(c.consequent, false, i < node.cases.length - 1));
      });
      return `switch(${expression(node.discriminant, SEQUENCE)}){${cases.reduce((text, c) => join(text, c), '')}}`;
    }
    case 'TryStatement': {
      let text = `try{${statements(node.block.body)}}`;
      if (node.handler) text += `catch${node.handler.param ? `(${pattern(node.handler.param)})` : ''}{${statements(node.handler.body.body)}}`;
      if (node.finalizer) text += `finally{${statements(node.finalizer.body)}}`;
      return text;
    }
    case 'WithStatement': return `with(${expression(node.object, SEQUENCE)})${statement(node.body)}`;
    case 'ImportDeclaration': {
      const parts = [];
      const named = [];
      for (const s of node.specifiers) {
        if (s.type === 'ImportDefaultSpecifier') parts.push(s.local.name);
        else if (s.type === 'ImportNamespaceSpecifier') parts.push(`*as ${s.local.name}`);
        else named.push(moduleName(s.imported) === s.local.name ? s.local.name : join(moduleName(s.imported), 'as', s.local.name));
      }
      if (named.length > 0) parts.push(`{${named.join(',')}}`);
      return parts.length === 0 ? `import${printString(node.source.value)};` : `${join('import', parts.join(','), 'from')}${printString(node.source.value)};`;
    }
    case 'ExportNamedDeclaration': {
      if (node.declaration) return join('export', statement(node.declaration));
      const names = node.specifiers.map((s) => (moduleName(s.local) === moduleName(s.exported) ? moduleName(s.local) : join(moduleName(s.local), 'as', moduleName(s.exported))));
      return `export{${names.join(',')}}${node.source ? `from${printString(node.source.value)}` : ''};`;
    }
    case 'ExportDefaultDeclaration': {
      const declaration = node.declaration;
      if (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') return join('export default', statement(declaration));
      let text = expression(declaration, ASSIGN);
      if (/^(function\b|class\b|async\s+function\b)/.test(text)) text = wrap(text);
      return `${join('export default', text)};`;
    }
    case 'ExportAllDeclaration':
      return `export*${node.exported ? join('as', moduleName(node.exported)) : ''}from${printString(node.source.value)};`;
    default:
      throw new Error(`minify: cannot print the statement ${node.type}`);
  }
}

const moduleName = (node) => (node.type === 'Identifier' ? node.name : printString(node.value));

/** The program as one line of text. */
export function printProgram(program) {
  return statements(program.body, true);
}
