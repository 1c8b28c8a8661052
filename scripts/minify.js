// A minifier for the runtime bundles (scripts/bundle-runtime.js): renames
// local bindings to short names, scope by scope, applies a few rewrites
// that keep the syntax tree's meaning, and prints the tree in one line
// (scripts/minify-print.js). acorn parses; nothing else is used.
//
// What it never changes: property names, global (free) names, string
// contents, and the `.name` of any function that can reach code outside
// the bundle. A function takes its `.name` from the binding it is declared
// or first assigned to (`function f`, `const f = () => ...`, `f = function
// () {...}`, a default `f = () => ...`), so renaming such a binding renames
// the function. Those bindings keep their names when the function may
// escape: when the binding is read anywhere but as the callee of a call
// (`f(...)`) or under `typeof`. Reads that only hand the value from one
// bundled module to another (the bundle's `return { name: f }` and
// `const { name: g } = module`) are followed instead, so a helper that one
// module exports and others only call is renamed too.
//
// New names are right on two scope trees at once: the spec's, and the one
// Hermes 0.12 (React Native's engine) implements, where `let`, `const` and
// declarations in blocks belong to the whole function. There two `const`s in
// sibling blocks are one variable, and a loop's `const e` overwrites a
// parameter `e`, so such bindings never share a name.
//
// Input with `with` or `eval` is refused: either can reach bindings by a
// name known only at run time. The printed text is parsed again and must
// give the same tree as the one printed, or minify() throws.
//
//   minify(code, { sourceType: 'script' | 'module', topLevel: boolean })
//     -> { code, keptNames }
//
// `topLevel` renames the top-level bindings of a script too (right for
// CommonJS, whose top level is a function scope); a module's top level is
// always renamed except for what it exports.

import { parse } from 'acorn';
import { printProgram } from './minify-print.js';

// Names a renamed binding never takes: reserved words, and names with a
// meaning of their own even where they are not reserved.
const RESERVED = new Set(`break case catch class const continue debugger default delete do else enum export extends
  false finally for function if import in instanceof new null return super switch this throw true try typeof var void
  while with yield let static implements interface package private protected public await arguments eval undefined
  NaN Infinity async of get set`.split(/\s+/));

class Scope {
  constructor(parent, kind, strict) {
    this.parent = parent;
    /** program | function (parameters) | body (a function's var scope) | block | catch | class | name (of a function expression) */
    this.kind = kind;
    this.strict = strict;
    this.bindings = new Map();
    this.children = [];
    if (parent) parent.children.push(this);
  }

  /** The scope `var` declarations in this scope go to. */
  varScope() {
    let scope = this;
    while (scope.kind !== 'body' && scope.kind !== 'program') scope = scope.parent;
    return scope;
  }
}

class Binding {
  constructor(name, scope) {
    this.name = name;
    this.scope = scope;
    /** Identifier nodes that declare it, with the scope each appears in. */
    this.declarations = [];
    /** { node, scope, parent, key } for every read or write. */
    this.references = [];
    /** Keeps its name (exported, a function name that escapes, a case renaming would get wrong). */
    this.pinned = false;
    /** Some function takes its `.name` from this binding. */
    this.namesFunction = false;
    this.newName = null;
  }
}

const isAnonymousFunction = (node) => node !== null && node !== undefined
  && ((node.type === 'FunctionExpression' && node.id === null) || node.type === 'ArrowFunctionExpression'
    || (node.type === 'ClassExpression' && node.id === null));

const hasUseStrict = (statements) => {
  for (const statement of statements) {
    if (statement.type !== 'ExpressionStatement' || statement.directive === undefined) return false;
    if (statement.directive === 'use strict') return true;
  }
  return false;
};

function fail(node, message) {
  throw new Error(`minify: ${message} (at offset ${node.start})`);
}

/** Builds the scope tree of a program and resolves every identifier. */
class Analysis {
  constructor(program, sourceType) {
    this.references = []; // { node, scope, parent, key, write }
    this.labels = []; // [label node, nesting depth, which picks its new name]
    this.namingAssignments = []; // identifier references that name a function assigned to them
    this.declared = new Map(); // declaring Identifier -> Binding
    this.root = new Scope(null, 'program', sourceType === 'module' || hasUseStrict(program.body));
    this.labelStack = [];
    for (const statement of program.body) this.statement(statement, this.root, program);
    this.resolve();
  }

  declare(identifier, scope, at = scope) {
    let binding = scope.bindings.get(identifier.name);
    if (!binding) {
      binding = new Binding(identifier.name, scope);
      scope.bindings.set(identifier.name, binding);
    }
    binding.declarations.push({ node: identifier, scope: at });
    this.declared.set(identifier, binding);
    // ({ __proto__ }) sets no prototype; ({ __proto__: e }) would.
    if (identifier.name === 'arguments' || identifier.name === 'eval' || identifier.name === '__proto__') binding.pinned = true;
    return binding;
  }

  /** Declares a `var` (or a function at the top of a function body) in the var scope of `scope`. */
  declareVar(identifier, scope) {
    const target = scope.varScope();
    // A var named like a parameter is that parameter, in every case that matters here.
    const parameter = target.kind === 'body' ? target.parent.bindings.get(identifier.name) : undefined;
    if (parameter) return this.declare(identifier, target.parent, scope);
    // `catch (e) { var e = 1 }` assigns the catch parameter: leave such names alone.
    for (let s = scope; s !== target; s = s.parent) {
      const caught = s.kind === 'catch' ? s.bindings.get(identifier.name) : undefined;
      if (caught) {
        caught.pinned = true;
        this.declare(identifier, target, scope).pinned = true;
        return this.declared.get(identifier);
      }
    }
    return this.declare(identifier, target, scope);
  }

  /** Declares the names of a binding pattern; default values and computed keys are read in `scope`. */
  pattern(node, declare, scope) {
    switch (node.type) {
      case 'Identifier': return declare(node);
      case 'ObjectPattern':
        for (const property of node.properties) {
          if (property.type === 'RestElement') { this.pattern(property.argument, declare, scope); continue; }
          if (property.computed) this.expression(property.key, scope, property, 'key');
          this.pattern(property.value, declare, scope);
        }
        return;
      case 'ArrayPattern':
        for (const element of node.elements) if (element) this.pattern(element, declare, scope);
        return;
      case 'AssignmentPattern': {
        const binding = this.pattern(node.left, declare, scope);
        if (node.left.type === 'Identifier' && isAnonymousFunction(node.right)) binding.namesFunction = true;
        this.expression(node.right, scope, node, 'right');
        return;
      }
      case 'RestElement': return this.pattern(node.argument, declare, scope);
      default: fail(node, `unexpected ${node.type} in a binding pattern`);
    }
  }

  /** An assignment target in an expression: its identifiers are writes. */
  target(node, scope, parent, key) {
    switch (node.type) {
      case 'Identifier': this.references.push({ node, scope, parent, key, write: true }); return;
      case 'ObjectPattern':
        for (const property of node.properties) {
          if (property.type === 'RestElement') { this.target(property.argument, scope, property, 'argument'); continue; }
          if (property.computed) this.expression(property.key, scope, property, 'key');
          this.target(property.value, scope, property, 'value');
        }
        return;
      case 'ArrayPattern':
        node.elements.forEach((element) => { if (element) this.target(element, scope, node, 'elements'); });
        return;
      case 'AssignmentPattern':
        this.target(node.left, scope, node, 'left');
        if (node.left.type === 'Identifier' && isAnonymousFunction(node.right)) this.namingAssignments.push(node.left);
        this.expression(node.right, scope, node, 'right');
        return;
      case 'RestElement': this.target(node.argument, scope, node, 'argument'); return;
      default: this.expression(node, scope, parent, key); // a member expression
    }
  }

  func(node, outer) {
    const strict = outer.strict || (node.body.type === 'BlockStatement' && hasUseStrict(node.body.body));
    const parameters = new Scope(outer, 'function', strict);
    const savedLabels = this.labelStack;
    this.labelStack = [];
    for (const parameter of node.params) this.pattern(parameter, (id) => this.declare(id, parameters), parameters);
    if (node.body.type === 'BlockStatement') {
      const body = new Scope(parameters, 'body', strict);
      for (const statement of node.body.body) this.statement(statement, body, node.body);
    } else {
      this.expression(node.body, parameters, node, 'body');
    }
    this.labelStack = savedLabels;
  }

  classBody(node, scope) {
    const inner = new Scope(scope, 'class', true);
    if (node.superClass) this.expression(node.superClass, inner, node, 'superClass');
    for (const member of node.body.body) {
      if (member.type === 'StaticBlock') {
        const body = new Scope(new Scope(inner, 'function', true), 'body', true);
        for (const statement of member.body) this.statement(statement, body, member);
        continue;
      }
      if (member.computed) this.expression(member.key, inner, member, 'key');
      if (member.type === 'MethodDefinition') this.func(member.value, inner);
      else if (member.value) this.expression(member.value, new Scope(inner, 'function', true), member, 'value');
    }
    return inner;
  }

  statement(node, scope, parent) {
    switch (node.type) {
      case 'VariableDeclaration':
        for (const declarator of node.declarations) {
          const declare = node.kind === 'var' ? (id) => this.declareVar(id, scope) : (id) => this.declare(id, scope);
          this.pattern(declarator.id, declare, scope);
          if (declarator.id.type === 'Identifier' && isAnonymousFunction(declarator.init)) this.declared.get(declarator.id).namesFunction = true;
          if (declarator.init) this.expression(declarator.init, scope, declarator, 'init');
        }
        return;
      case 'FunctionDeclaration': {
        let binding;
        if (scope.kind === 'body' || scope.kind === 'program') {
          binding = this.declareVar(node.id, scope);
        } else {
          binding = this.declare(node.id, scope);
          // Outside strict mode a function in a block is also a var (Annex B): keep its name.
          if (!scope.strict) { binding.pinned = true; this.declareVar({ ...node.id }, scope).pinned = true; }
        }
        binding.namesFunction = true;
        this.func(node, scope);
        return;
      }
      case 'ClassDeclaration':
        this.declare(node.id, scope).namesFunction = true;
        this.classBody(node, scope);
        return;
      case 'BlockStatement': {
        const block = new Scope(scope, 'block', scope.strict);
        for (const statement of node.body) this.statement(statement, block, node);
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const head = node.type === 'ForStatement' ? node.init : node.left;
        const lexical = head && head.type === 'VariableDeclaration' && head.kind !== 'var';
        const loop = lexical ? new Scope(scope, 'block', scope.strict) : scope;
        if (head) {
          if (head.type === 'VariableDeclaration') this.statement(head, loop, node);
          else if (node.type === 'ForStatement') this.expression(head, loop, node, 'init');
          else this.target(head, loop, node, 'left');
        }
        if (node.type === 'ForStatement') {
          if (node.test) this.expression(node.test, loop, node, 'test');
          if (node.update) this.expression(node.update, loop, node, 'update');
        } else {
          this.expression(node.right, loop, node, 'right');
        }
        this.statement(node.body, loop, node);
        return;
      }
      case 'SwitchStatement': {
        this.expression(node.discriminant, scope, node, 'discriminant');
        const cases = new Scope(scope, 'block', scope.strict);
        for (const c of node.cases) {
          if (c.test) this.expression(c.test, cases, c, 'test');
          for (const statement of c.consequent) this.statement(statement, cases, c);
        }
        return;
      }
      case 'TryStatement':
        this.statement(node.block, scope, node);
        if (node.handler) {
          const caught = new Scope(scope, 'catch', scope.strict);
          if (node.handler.param) this.pattern(node.handler.param, (id) => this.declare(id, caught), caught);
          this.statement(node.handler.body, caught, node.handler);
        }
        if (node.finalizer) this.statement(node.finalizer, scope, node);
        return;
      case 'LabeledStatement': {
        const depth = this.labelStack.length;
        this.labels.push([node.label, depth]);
        this.labelStack.push([node.label.name, depth]);
        this.statement(node.body, scope, node);
        this.labelStack.pop();
        return;
      }
      case 'BreakStatement':
      case 'ContinueStatement':
        if (node.label) {
          const entry = this.labelStack.findLast(([name]) => name === node.label.name);
          if (!entry) fail(node, `undefined label ${node.label.name}`);
          this.labels.push([node.label, entry[1]]);
        }
        return;
      case 'WithStatement':
        fail(node, 'refusing input that uses `with`');
        return;
      case 'ImportDeclaration':
        for (const specifier of node.specifiers) {
          if (specifier.type === 'ImportSpecifier' && specifier.imported === specifier.local) specifier.imported = { ...specifier.local };
          this.declare(specifier.local, scope);
        }
        return;
      case 'ExportNamedDeclaration':
        if (node.declaration) {
          this.statement(node.declaration, scope, node);
          const ids = [];
          const collect = (p) => {
            if (p.type === 'Identifier') ids.push(p);
            else if (p.type === 'ObjectPattern') p.properties.forEach((q) => collect(q.type === 'RestElement' ? q.argument : q.value));
            else if (p.type === 'ArrayPattern') p.elements.forEach((q) => q && collect(q));
            else if (p.type === 'AssignmentPattern') collect(p.left);
            else if (p.type === 'RestElement') collect(p.argument);
          };
          if (node.declaration.type === 'VariableDeclaration') node.declaration.declarations.forEach((d) => collect(d.id));
          else ids.push(node.declaration.id);
          for (const id of ids) this.declared.get(id).pinned = true; // the export's name
        } else if (!node.source) {
          for (const specifier of node.specifiers) {
            if (specifier.exported === specifier.local) specifier.exported = { ...specifier.local };
            this.references.push({ node: specifier.local, scope, parent: specifier, key: 'local' });
          }
        }
        return;
      case 'ExportDefaultDeclaration': {
        const declaration = node.declaration;
        if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id) {
          this.statement(declaration, scope, node);
          this.declared.get(declaration.id).pinned = true;
        } else if (declaration.type === 'FunctionDeclaration') {
          this.func(declaration, scope);
        } else if (declaration.type === 'ClassDeclaration') {
          this.classBody(declaration, scope);
        } else {
          this.expression(declaration, scope, node, 'declaration');
        }
        return;
      }
      case 'ExportAllDeclaration':
        return;
      default:
        this.children(node, scope);
    }
  }

  /** Visits the children of a node that opens no scope of its own. */
  children(node, scope) {
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const child of value) if (child && typeof child.type === 'string') this.node(child, scope, node, key);
      } else if (value && typeof value.type === 'string') {
        this.node(value, scope, node, key);
      }
    }
  }

  node(node, scope, parent, key) {
    if (/Statement$|Declaration$/.test(node.type)) this.statement(node, scope, parent);
    else if (node.type === 'SwitchCase' || node.type === 'CatchClause' || node.type === 'TemplateElement') this.children(node, scope);
    else this.expression(node, scope, parent, key);
  }

  expression(node, scope, parent, key) {
    switch (node.type) {
      case 'Identifier':
        if (node.name === 'eval') fail(node, 'refusing input that uses `eval`');
        this.references.push({ node, scope, parent, key });
        return;
      case 'FunctionExpression':
        if (node.id) {
          const name = new Scope(scope, 'name', scope.strict);
          // The function may go anywhere; its name stays.
          this.declare(node.id, name).pinned = true;
          this.func(node, name);
        } else {
          this.func(node, scope);
        }
        return;
      case 'ArrowFunctionExpression':
        this.func(node, scope);
        return;
      case 'ClassExpression': {
        if (node.id) {
          const name = new Scope(scope, 'name', true);
          this.declare(node.id, name).pinned = true;
          this.classBody(node, name);
        } else {
          this.classBody(node, scope);
        }
        return;
      }
      case 'MemberExpression':
        this.expression(node.object, scope, node, 'object');
        if (node.computed) this.expression(node.property, scope, node, 'property');
        return;
      case 'Property':
        if (node.computed) this.expression(node.key, scope, node, 'key');
        this.expression(node.value, scope, node, 'value');
        return;
      case 'MetaProperty':
      case 'Literal':
      case 'ThisExpression':
      case 'Super':
      case 'PrivateIdentifier':
      case 'TemplateElement':
        return;
      case 'AssignmentExpression':
        this.target(node.left, scope, node, 'left');
        if (node.left.type === 'Identifier' && ['=', '||=', '&&=', '??='].includes(node.operator) && isAnonymousFunction(node.right)) {
          this.namingAssignments.push(node.left);
        }
        this.expression(node.right, scope, node, 'right');
        return;
      default:
        this.children(node, scope);
    }
  }

  /** Resolves every reference to its binding; the others are free (global) names. */
  resolve() {
    this.free = []; // references to no binding
    for (const reference of this.references) {
      const name = reference.node.name;
      let scope = reference.scope;
      while (scope && !scope.bindings.has(name)) scope = scope.parent;
      if (scope) {
        const binding = scope.bindings.get(name);
        binding.references.push(reference);
        this.declared.set(reference.node, binding);
      } else {
        this.free.push(reference);
      }
    }
    for (const identifier of this.namingAssignments) {
      const binding = this.declared.get(identifier);
      if (binding) binding.namesFunction = true;
    }
  }

  *scopes(scope = this.root) {
    yield scope;
    for (const child of scope.children) yield* this.scopes(child);
  }
}

// --- which function names escape -------------------------------------------------

/** Whether a read lets the value go further than a call of it. */
function escapes(reference) {
  if (reference.write) return false;
  const { parent, key } = reference;
  if (parent.type === 'CallExpression' && key === 'callee') return false;
  if (parent.type === 'TaggedTemplateExpression' && key === 'tag') return false;
  if (parent.type === 'UnaryExpression' && parent.operator === 'typeof') return false;
  return true;
}

/**
 * The bundle's module objects, `const M = (function () { ...; return { k: v, ... }; })();`,
 * whose every read is a destructuring, `const { k: local } = M`: binding of M ->
 * { exports: Map(key -> value node), imports: [key, local binding][] }. Where M
 * is read in any other way, its property values count as escaping reads.
 */
function moduleObjects(analysis) {
  const modules = new Map();
  for (const scope of analysis.scopes()) {
    for (const binding of scope.bindings.values()) {
      if (binding.declarations.length !== 1) continue;
      const declarator = binding.declarations[0].node.parentDeclarator;
      const init = declarator?.init;
      if (!init || init.type !== 'CallExpression' || init.arguments.length !== 0 || init.callee.type !== 'FunctionExpression') continue;
      const fn = init.callee;
      const last = fn.body.body[fn.body.body.length - 1];
      if (fn.params.length !== 0 || !last || last.type !== 'ReturnStatement' || last.argument?.type !== 'ObjectExpression') continue;
      const exports = new Map();
      let plain = true;
      for (const property of last.argument.properties) {
        if (property.type !== 'Property' || property.computed || property.kind !== 'init' || property.method) { plain = false; break; }
        exports.set(property.key.type === 'Identifier' ? property.key.name : String(property.key.value), property.value);
      }
      if (!plain) continue;
      const imports = [];
      let onlyDestructured = true;
      for (const reference of binding.references) {
        const { parent, key } = reference;
        const pattern = parent.type === 'VariableDeclarator' && key === 'init' ? parent.id : null;
        if (pattern?.type !== 'ObjectPattern'
          || pattern.properties.some((p) => p.type !== 'Property' || p.computed || p.value.type !== 'Identifier')) {
          onlyDestructured = false;
          break;
        }
        for (const p of pattern.properties) imports.push([p.key.type === 'Identifier' ? p.key.name : String(p.key.value), analysis.declared.get(p.value)]);
      }
      if (onlyDestructured) modules.set(binding, { exports, imports });
    }
  }
  return modules;
}

/**
 * Pins every binding that names a function which may escape. A binding
 * escapes if a read of it escapes, or if it is a module object's property
 * value that reaches an importer's binding that escapes.
 */
function pinEscapingNames(analysis) {
  // A read that is a module object's exported value hands the value to its importers' bindings.
  const handedTo = new Map(); // reference node -> importers' bindings
  for (const { exports, imports } of moduleObjects(analysis).values()) {
    for (const [key, value] of exports) {
      if (value.type === 'Identifier') handedTo.set(value, imports.filter(([name]) => name === key).map(([, local]) => local));
    }
  }
  const escaping = new Set();
  const receivedFrom = new Map(); // binding -> bindings whose value it receives
  for (const scope of analysis.scopes()) {
    for (const binding of scope.bindings.values()) {
      for (const reference of binding.references) {
        const importers = handedTo.get(reference.node);
        if (!importers) {
          if (escapes(reference)) escaping.add(binding);
          continue;
        }
        for (const importer of importers) {
          if (!receivedFrom.has(importer)) receivedFrom.set(importer, []);
          receivedFrom.get(importer).push(binding);
        }
      }
    }
  }
  // What an escaping binding received escapes too.
  const queue = [...escaping];
  while (queue.length > 0) {
    for (const source of receivedFrom.get(queue.pop()) ?? []) {
      if (!escaping.has(source)) { escaping.add(source); queue.push(source); }
    }
  }
  const kept = [];
  for (const binding of escaping) {
    if (binding.namesFunction && !binding.pinned) {
      binding.pinned = true;
      kept.push(binding.name);
    }
  }
  return kept;
}

// --- new names -------------------------------------------------------------------

/**
 * Short names: one character, then two, ... skipping reserved words. The
 * letters come roughly by their frequency in English text, which is also
 * that of the rest of the runtime, so gzip finds more repeats (ordering
 * them by their exact frequency in the input gained nothing).
 */
const ALPHABET = 'etnsriaolcdupfmhgbvyxwkjqzETNSRIAOLCDUPFMHGBVYXWKJQZ_$0123456789';

class Names {
  constructor(alphabet = ALPHABET) {
    this.first = alphabet.replace(/[0-9]/g, '');
    this.rest = alphabet;
    this.names = [];
    this.skipped = 0;
  }

  nameAt(index) {
    while (this.names.length <= index) {
      let n = this.names.length + this.skipped;
      let name = this.first[n % this.first.length];
      n = Math.floor(n / this.first.length);
      while (n > 0) {
        n -= 1;
        name += this.rest[n % this.rest.length];
        n = Math.floor(n / this.rest.length);
      }
      if (RESERVED.has(name)) this.skipped++;
      else this.names.push(name);
    }
    return this.names[index];
  }
}

/**
 * Two ways scopes nest, and a new name must be right in both. The spec's;
 * and Hermes 0.12's (React Native), which has no block scopes: a `let`,
 * `const`, class or function declared in a block belongs to the whole
 * function, as a `var` would (catch parameters keep their own scope).
 * `position` maps the scope a name appears in to the scope it is looked up
 * from, `home` a binding to the scope it lives in.
 */
const nearest = (scope, test) => {
  while (!test(scope.kind)) scope = scope.parent;
  return scope;
};
const VIEWS = [
  { position: (scope) => scope, home: (binding) => binding.scope },
  {
    position: (scope) => nearest(scope, (kind) => kind !== 'block' && kind !== 'body'),
    home: (binding) => (binding.scope.kind === 'catch' ? binding.scope
      : nearest(binding.scope, (kind) => kind === 'function' || kind === 'program' || kind === 'name')),
  },
];

/**
 * For one view, each scope's `free` names (globals read there or below),
 * `homed` bindings, and `live` bindings (read or declared there or below,
 * living there or above); and each binding's `path`: the scopes between
 * where it is used and its home.
 */
function scopeUses(analysis, view) {
  const uses = new Map();
  const of = (scope) => {
    let entry = uses.get(scope);
    if (!entry) uses.set(scope, entry = { free: new Set(), homed: [], live: new Set() });
    return entry;
  };
  const paths = new Map();
  for (const scope of analysis.scopes()) {
    for (const binding of scope.bindings.values()) {
      const home = view.home(binding);
      of(home).homed.push(binding);
      const path = new Set();
      for (const use of [...binding.references, ...binding.declarations]) {
        for (let s = view.position(use.scope); ; s = view.position(s.parent)) {
          of(s).live.add(binding);
          if (s === home) break;
          path.add(s);
        }
      }
      paths.set(binding, path);
    }
  }
  for (const reference of analysis.free) {
    for (let s = view.position(reference.scope); s; s = s.parent && view.position(s.parent)) of(s).free.add(reference.node.name);
  }
  return { of, paths, home: view.home };
}

function assignNames(analysis, renameTopLevel, names) {
  const order = [];
  for (const scope of analysis.scopes()) {
    for (const binding of scope.bindings.values()) {
      if (binding.pinned || (scope === analysis.root && !renameTopLevel)) binding.newName = binding.name;
      else order.push(binding);
    }
  }
  const views = VIEWS.map((view) => scopeUses(analysis, view));
  for (const binding of order) {
    const taken = new Set();
    const add = (other) => { if (other.newName !== null) taken.add(other.newName); };
    for (const { of, paths, home } of views) {
      const here = of(home(binding));
      here.free.forEach((name) => taken.add(name));
      here.homed.forEach(add);
      here.live.forEach(add);
      for (const s of paths.get(binding)) of(s).homed.forEach(add);
    }
    // A var and a parameter of the same name are one binding: keep their names apart.
    const scope = binding.scope;
    if (scope.kind === 'body') scope.parent.bindings.forEach(add);
    if (scope.kind === 'function') for (const child of scope.children) if (child.kind === 'body') child.bindings.forEach(add);
    let index = 0;
    while (taken.has(names.nameAt(index))) index++;
    binding.newName = names.nameAt(index);
  }
  for (const scope of analysis.scopes()) {
    for (const binding of scope.bindings.values()) {
      for (const { node } of binding.declarations) node.name = binding.newName;
      for (const { node } of binding.references) node.name = binding.newName;
    }
  }
  for (const [label, depth] of analysis.labels) label.name = names.nameAt(depth);
}

// --- rewrites that keep the meaning ------------------------------------------------

/** Replaces the node at parent[key] (an array's element when `index` is given). */
function replace(parent, key, index, node) {
  if (index === undefined) parent[key] = node;
  else parent[key][index] = node;
}

const voidZero = () => ({ type: 'UnaryExpression', operator: 'void', prefix: true, argument: { type: 'Literal', value: 0 } });
const notLiteral = (value) => ({ type: 'UnaryExpression', operator: '!', prefix: true, argument: { type: 'Literal', value } });

/**
 * `true` -> `!0`, `false` -> `!1`, global `undefined` -> `void 0`; adjacent
 * declarations of one kind merged; a block of one statement that declares
 * nothing replaced by the statement.
 */
function rewrite(node, globalUndefined) {
  if (!node || typeof node.type !== 'string') return;
  for (const key of Object.keys(node)) {
    if (key === 'start' || key === 'end' || key === 'loc') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      value.forEach((child, index) => {
        rewrite(child, globalUndefined); // first, so what replaces a block sees its final form
        const replacement = rewritten(child, node, key, globalUndefined);
        if (replacement) replace(node, key, index, replacement);
      });
      if (value.length > 1 && value.every((child) => child && /Statement$|Declaration$/.test(child.type))) node[key] = mergeDeclarations(value);
    } else if (value && typeof value.type === 'string') {
      rewrite(value, globalUndefined);
      const replacement = rewritten(value, node, key, globalUndefined);
      if (replacement) replace(node, key, undefined, replacement);
    }
  }
}

function rewritten(node, parent, key, globalUndefined) {
  if (!node) return null;
  if (node.type === 'Literal' && typeof node.value === 'boolean' && !(parent.type === 'Property' && key === 'key')) return notLiteral(node.value ? 0 : 1);
  if (node.type === 'Identifier' && globalUndefined.has(node)) return voidZero();
  if (node.type === 'BlockStatement' && node.body.length === 1 && isBodyPosition(parent, key)) {
    const only = node.body[0];
    const declares = only.type === 'FunctionDeclaration' || only.type === 'ClassDeclaration'
      || (only.type === 'VariableDeclaration' && only.kind !== 'var');
    // if (a) { if (b) c; } else d: without the braces the else would be the inner if's.
    const danglingElse = parent.type === 'IfStatement' && key === 'consequent' && parent.alternate !== null && endsInOpenIf(only);
    if (!declares && !danglingElse) return only;
  }
  return null;
}

const isBodyPosition = (parent, key) => (parent.type === 'IfStatement' && (key === 'consequent' || key === 'alternate'))
  || (/^(For|ForIn|ForOf|While|DoWhile)Statement$/.test(parent.type) && key === 'body');

function endsInOpenIf(node) {
  if (node.type === 'IfStatement') return node.alternate === null || endsInOpenIf(node.alternate);
  if (/^(For|ForIn|ForOf|While|Labeled)Statement$/.test(node.type)) return endsInOpenIf(node.body);
  return false;
}

function mergeDeclarations(statements) {
  const merged = [];
  for (const statement of statements) {
    const previous = merged[merged.length - 1];
    if (statement.type === 'VariableDeclaration' && previous?.type === 'VariableDeclaration' && previous.kind === statement.kind) {
      merged[merged.length - 1] = { ...previous, declarations: [...previous.declarations, ...statement.declarations] };
    } else {
      merged.push(statement);
    }
  }
  return merged;
}

// --- the check -------------------------------------------------------------------

const IGNORED = new Set(['start', 'end', 'loc', 'range', 'raw', 'shorthand', 'parentDeclarator']);

/**
 * Compares two syntax trees, ignoring positions, spelling and property-key
 * form; `b` is parsed from `text`, quoted in the error.
 */
function sameTree(a, b, text, path = 'program', near = 0) {
  if (a === b) return;
  const differ = () => {
    throw new Error(`minify: the printed code parses differently at ${path}: ${text.slice(near, near + 120)}`);
  };
  if (b && typeof b.start === 'number') near = b.start;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    if (!(Number.isNaN(a) && Number.isNaN(b))) differ();
    return;
  }
  if (Array.isArray(a) !== Array.isArray(b)) differ();
  if (a.type === 'Literal' && b.type === 'Literal' && a.regex) return sameTree(a.regex, b.regex, text, `${path}.regex`, near);
  const keyName = (k) => (k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : null);
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !IGNORED.has(k)));
  for (const key of keys) {
    if (key === 'key' && !a.computed && keyName(a.key) !== null) {
      if (keyName(a.key) !== keyName(b.key)) differ();
      continue;
    }
    if (key === 'bigint' || key === 'value' || key === 'directive') {
      if (typeof a[key] === 'object' && a[key] !== null) { sameTree(a[key], b[key], text, `${path}.${key}`, near); continue; }
      if (a[key] !== b[key] && !(Number.isNaN(a[key]) && Number.isNaN(b[key]))) differ();
      continue;
    }
    sameTree(a[key], b[key], text, `${path}.${key}`, near);
  }
}

// --- entry -------------------------------------------------------------------------

export function minify(code, { sourceType = 'script', topLevel = sourceType === 'module' } = {}) {
  const program = parse(code, { ecmaVersion: 'latest', sourceType });
  // Remember each declarator's identifier's declarator (module objects are found by it).
  (function mark(node) {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach(mark); return; }
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier') Object.defineProperty(node.id, 'parentDeclarator', { value: node });
    for (const key of Object.keys(node)) if (key !== 'loc') mark(node[key]);
  })(program);

  const analysis = new Analysis(program, sourceType);
  const keptNames = pinEscapingNames(analysis);
  assignNames(analysis, topLevel, new Names());

  const globalUndefined = new Set();
  for (const reference of analysis.references) {
    if (reference.node.name === 'undefined' && !reference.write && !analysis.declared.has(reference.node)) globalUndefined.add(reference.node);
  }
  rewrite(program, globalUndefined);

  const text = printProgram(program);
  sameTree(program, parse(text, { ecmaVersion: 'latest', sourceType }), text);
  if (/[^\x00-\x7e]|<\/script|<!--/i.test(text)) throw new Error('minify: the output is not ASCII, or could end or change an HTML <script> element');
  return { code: text, keptNames };
}
