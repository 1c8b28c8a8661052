// Bundles the compiled runtime (dist/runtime/*.js, ES modules from tsc) into
// two single files:
//
//   dist/runtime.cjs      CommonJS, for require('wasm2es/runtime')
//   dist/runtime.mjs      one ES module, for import 'wasm2es/runtime' (loading
//                         one file instead of a dozen modules saves ~6 ms of
//                         startup on Node)
//   dist/runtime.iife.js  a plain script defining `var wasm2esRuntime`, for
//                         <script> loading
//   dist/runtime.min.*    the same three minified (scripts/minify.js); the
//                         iife is what --inline-runtime puts into output
//
// Each ES module becomes a function scope that returns its exports, and each
// import a destructuring of the imported module's result, so top-level names
// never clash and no renaming is needed. acorn parses, astring prints.
//
// The bundles are written in the syntax every engine the runtime serves
// accepts, which Hermes bounds: no `class` and no `async` functions (it has
// neither). The TypeScript keeps its classes; each is lowered here to a
// constructor function that refuses to be called without `new`, with its
// methods and accessors defined non-enumerable from an object literal (so
// they are not constructors either, where the engine follows the spec), its
// field declarations assigned first in the constructor, and a read-only
// `prototype`: what a class gives. The build fails if any `class`, `async`
// function or `await` is left, so none can slip in.
//
//   node scripts/bundle-runtime.js [inputDir] [outputDir]   (default dist/runtime, dist)

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'acorn';
import { generate } from 'astring';
import { minify } from './minify.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const inputDir = resolve(process.argv[2] ?? join(root, 'dist/runtime'));
const outputDir = resolve(process.argv[3] ?? join(root, 'dist'));
const entry = join(inputDir, 'index.js');

function fail(message) {
  console.error(`bundle-runtime: ${message}`);
  process.exit(1);
}

const id = (name) => ({ type: 'Identifier', name });

/** The identifiers a declaration binds (function, class, or variable patterns). */
function declaredNames(declaration) {
  if (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') return [declaration.id.name];
  const names = [];
  const visit = (pattern) => {
    switch (pattern.type) {
      case 'Identifier': names.push(pattern.name); break;
      case 'ObjectPattern': for (const p of pattern.properties) visit(p.type === 'RestElement' ? p.argument : p.value); break;
      case 'ArrayPattern': for (const p of pattern.elements) if (p) visit(p.type === 'RestElement' ? p.argument : p); break;
      case 'AssignmentPattern': visit(pattern.left); break;
      case 'RestElement': visit(pattern.argument); break;
      default: fail(`unsupported binding pattern ${pattern.type}`);
    }
  };
  for (const declarator of declaration.declarations) visit(declarator.id);
  return names;
}

// --- Class lowering ---------------------------------------------------------

const member = (object, name) => ({ type: 'MemberExpression', object, property: id(name), computed: false, optional: false });
const call = (callee, args) => ({ type: 'CallExpression', callee, arguments: args, optional: false });
const literal = (value) => ({ type: 'Literal', value });
const DEFINE_CLASS = '__defineClass';

// Defines a lowered class's prototype members and statics as a class does:
// non-enumerable, and `prototype` itself read-only.
const defineClassHelper = `function ${DEFINE_CLASS}(ctor, proto, statics) {
  const define = (target, source) => {
    const descriptors = Object.getOwnPropertyDescriptors(source);
    for (const key of Reflect.ownKeys(descriptors)) descriptors[key].enumerable = false;
    Object.defineProperties(target, descriptors);
  };
  define(ctor.prototype, proto);
  define(ctor, statics);
  Object.defineProperty(ctor, 'prototype', { writable: false });
}
`;

/** A class declaration as a function declaration and the statement that defines its members. */
function lowerClass(node, file) {
  const name = node.id.name;
  const where = `${relative(root, file)}: class ${name}`;
  if (node.superClass) fail(`${where}: \`extends\` is not lowered; write the subclass without it`);
  let constructor = null;
  const fields = [];
  const protoMembers = [];
  const staticMembers = [];
  for (const element of node.body.body) {
    if (element.computed || element.key.type !== 'Identifier') fail(`${where}: only plain member names are lowered`);
    if (element.type === 'PropertyDefinition') {
      if (element.static) fail(`${where}: static fields are not lowered`);
      fields.push({ type: 'ExpressionStatement', expression: { type: 'AssignmentExpression', operator: '=', left: member({ type: 'ThisExpression' }, element.key.name), right: element.value ?? { type: 'UnaryExpression', operator: 'void', prefix: true, argument: literal(0) } } });
    } else if (element.type === 'MethodDefinition') {
      if (element.kind === 'constructor') { constructor = element.value; continue; }
      const property = { type: 'Property', key: element.key, value: element.value, kind: element.kind === 'method' ? 'init' : element.kind, computed: false, method: element.kind === 'method', shorthand: false };
      (element.static ? staticMembers : protoMembers).push(property);
    } else {
      fail(`${where}: ${element.type} is not lowered`);
    }
  }
  const params = constructor ? constructor.params : [];
  const body = constructor ? constructor.body.body : [];
  // `new.target === undefined`: called, not constructed; the engine's class message.
  const guard = {
    type: 'IfStatement',
    test: { type: 'BinaryExpression', operator: '===', left: { type: 'MetaProperty', meta: id('new'), property: id('target') }, right: id('undefined') },
    consequent: { type: 'ThrowStatement', argument: { type: 'NewExpression', callee: id('TypeError'), arguments: [literal(`Class constructor ${name} cannot be invoked without 'new'`)] } },
    alternate: null,
  };
  const fn = { type: 'FunctionDeclaration', id: id(name), params, generator: false, async: false, expression: false, body: { type: 'BlockStatement', body: [guard, ...fields, ...body] } };
  const object = (properties) => ({ type: 'ObjectExpression', properties });
  const define = { type: 'ExpressionStatement', expression: call(id(DEFINE_CLASS), [id(name), object(protoMembers), object(staticMembers)]) };
  return [fn, define];
}

/** Fails the build on syntax an engine the runtime serves lacks (see the top of this file). */
function checkSyntax(program, what) {
  const visit = (node) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) { for (const child of node) visit(child); return; }
    if (typeof node.type !== 'string') return;
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') fail(`${what}: a class is left at offset ${node.start}`);
    if (node.async) fail(`${what}: an async function is left at offset ${node.start}`);
    if (node.type === 'AwaitExpression' || (node.type === 'ForOfStatement' && node.await)) fail(`${what}: await is left at offset ${node.start}`);
    for (const key in node) if (key !== 'loc') visit(node[key]);
  };
  visit(program);
}

const modules = new Map(); // absolute path -> { name, file, statements, exports: [exportedName, expression][] , deps }
const order = [];

function moduleVariable(file) {
  return `__module_${relative(inputDir, file).replace(/\.js$/, '').replace(/[^A-Za-z0-9_$]/g, '_')}`;
}

function resolveImport(from, source) {
  if (!source.startsWith('./') && !source.startsWith('../')) fail(`${relative(root, from)}: non-relative import ${JSON.stringify(source)}`);
  return resolve(dirname(from), source);
}

/** Loads a module and its dependencies, depth first, so `order` is a topological order. */
function load(file, stack = []) {
  if (modules.has(file)) return;
  if (stack.includes(file)) fail(`import cycle: ${[...stack, file].map((f) => relative(inputDir, f)).join(' -> ')}`);
  const text = readFileSync(file, 'utf8');
  const program = parse(text, { ecmaVersion: 'latest', sourceType: 'module' });
  const statements = [];
  const exports = [];
  const dependencies = [];

  const importFrom = (source) => {
    const target = resolveImport(file, source);
    dependencies.push(target);
    return target;
  };

  for (const node of program.body) {
    switch (node.type) {
      case 'ImportDeclaration': {
        const target = importFrom(node.source.value);
        const properties = [];
        for (const specifier of node.specifiers) {
          if (specifier.type === 'ImportNamespaceSpecifier') {
            statements.push({ type: 'VariableDeclaration', kind: 'const', declarations: [{ type: 'VariableDeclarator', id: id(specifier.local.name), init: id(moduleVariable(target)) }] });
          } else if (specifier.type === 'ImportSpecifier') {
            const imported = specifier.imported.type === 'Identifier' ? specifier.imported.name : specifier.imported.value;
            properties.push({ type: 'Property', key: id(imported), value: id(specifier.local.name), kind: 'init', computed: false, method: false, shorthand: imported === specifier.local.name });
          } else {
            fail(`${relative(root, file)}: default imports are not supported`);
          }
        }
        if (properties.length > 0) {
          statements.push({ type: 'VariableDeclaration', kind: 'const', declarations: [{ type: 'VariableDeclarator', id: { type: 'ObjectPattern', properties }, init: id(moduleVariable(target)) }] });
        }
        break;
      }
      case 'ClassDeclaration':
        statements.push(...lowerClass(node, file));
        break;
      case 'ExportNamedDeclaration': {
        if (node.declaration?.type === 'ClassDeclaration') {
          statements.push(...lowerClass(node.declaration, file));
          exports.push([node.declaration.id.name, node.declaration.id.name]);
        } else if (node.declaration) {
          statements.push(node.declaration);
          for (const name of declaredNames(node.declaration)) exports.push([name, name]);
        } else if (node.source) {
          const target = importFrom(node.source.value);
          for (const specifier of node.specifiers) {
            const local = specifier.local.type === 'Identifier' ? specifier.local.name : specifier.local.value;
            const exported = specifier.exported.type === 'Identifier' ? specifier.exported.name : specifier.exported.value;
            exports.push([exported, `${moduleVariable(target)}[${JSON.stringify(local)}]`]);
          }
        } else {
          for (const specifier of node.specifiers) {
            const exported = specifier.exported.type === 'Identifier' ? specifier.exported.name : specifier.exported.value;
            exports.push([exported, specifier.local.name]);
          }
        }
        break;
      }
      case 'ExportAllDeclaration':
      case 'ExportDefaultDeclaration':
        fail(`${relative(root, file)}: ${node.type} is not supported; use named exports`);
        break;
      default:
        statements.push(node);
    }
  }

  modules.set(file, { file, statements, exports });
  for (const dependency of dependencies) load(dependency, [...stack, file]);
  order.push(file);
}

load(entry);

function printModule(module) {
  const body = generate({ type: 'Program', sourceType: 'script', body: module.statements });
  const returned = module.exports.map(([exported, expression]) => `${JSON.stringify(exported)}: ${expression}`).join(', ');
  return `const ${moduleVariable(module.file)} = (function () {\n${body}\nreturn { ${returned} };\n})();\n`;
}

const modulesText = defineClassHelper + order.map((file) => printModule(modules.get(file))).join('\n');
const entryVariable = moduleVariable(entry);
const exportNames = modules.get(entry).exports.map(([name]) => name);
for (const name of exportNames) {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) fail(`export name ${JSON.stringify(name)} is not an identifier`);
}

const banner = '/* wasm2es runtime */';

// The plain script: one `var` and nothing else at top level, so it can also
// be pasted inside a function (generated output that inlines the runtime).
const iife = `${banner}
var wasm2esRuntime = (function () {
"use strict";
${modulesText}
return Object.freeze({ ${exportNames.map((name) => `${name}: ${entryVariable}.${name}`).join(', ')} });
})();
`;

// CommonJS: `exports.name = ...` lines, which Node's cjs-module-lexer
// recognises, so `import { rt } from "./runtime.cjs"` works too.
const cjs = `${banner}
"use strict";
${modulesText}
${exportNames.map((name) => `exports.${name} = ${entryVariable}.${name};`).join('\n')}
`;

// ES module: the same body, then `export const name = ...`.
const esm = `${banner}
${modulesText}
${exportNames.map((name) => `export const ${name} = ${entryVariable}.${name};`).join('\n')}
`;

// The outputs must parse, as scripts and as a module, in the engines' syntax.
checkSyntax(parse(iife, { ecmaVersion: 'latest', sourceType: 'script' }), 'runtime.iife.js');
checkSyntax(parse(cjs, { ecmaVersion: 'latest', sourceType: 'script' }), 'runtime.cjs');
checkSyntax(parse(esm, { ecmaVersion: 'latest', sourceType: 'module' }), 'runtime.mjs');

// Minified (minify() checks its output parses to the tree it printed, so the
// syntax checked above holds). A CommonJS file's top level is a function
// scope, so its names go too.
const minified = (code, options) => `${banner}\n${minify(code, options).code}\n`;
const outputs = {
  'runtime.iife.js': iife,
  'runtime.cjs': cjs,
  'runtime.mjs': esm,
  'runtime.min.iife.js': minified(iife, { sourceType: 'script' }),
  'runtime.min.cjs': minified(cjs, { sourceType: 'script', topLevel: true }),
  'runtime.min.mjs': minified(esm, { sourceType: 'module' }),
};

mkdirSync(outputDir, { recursive: true });
for (const [name, text] of Object.entries(outputs)) writeFileSync(join(outputDir, name), text);
const written = Object.keys(outputs).map((name) => relative(process.cwd(), join(outputDir, name)));
console.log(`bundle-runtime: ${order.length} modules -> ${written.join(', ')}`);
