// Bundles the compiled runtime (dist/runtime/*.js, ES modules from tsc) into
// two single files:
//
//   dist/runtime.cjs      CommonJS, for require('wasm2es/runtime')
//   dist/runtime.mjs      one ES module, for import 'wasm2es/runtime' (loading
//                         one file instead of a dozen modules saves ~6 ms of
//                         startup on Node)
//   dist/runtime.iife.js  a plain script defining `var wasm2esRuntime`, for
//                         <script> loading and for inlining into generated
//                         output (--inline-runtime)
//
// Each ES module becomes a function scope that returns its exports, and each
// import a destructuring of the imported module's result, so top-level names
// never clash and no renaming is needed. acorn parses, astring prints.
//
//   node scripts/bundle-runtime.js [inputDir] [outputDir]   (default dist/runtime, dist)

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'acorn';
import { generate } from 'astring';

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
      case 'ExportNamedDeclaration': {
        if (node.declaration) {
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

const modulesText = order.map((file) => printModule(modules.get(file))).join('\n');
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

// The outputs must parse, as scripts and as a module.
parse(iife, { ecmaVersion: 'latest', sourceType: 'script' });
parse(cjs, { ecmaVersion: 'latest', sourceType: 'script' });
parse(esm, { ecmaVersion: 'latest', sourceType: 'module' });

mkdirSync(outputDir, { recursive: true });
writeFileSync(join(outputDir, 'runtime.iife.js'), iife);
writeFileSync(join(outputDir, 'runtime.cjs'), cjs);
writeFileSync(join(outputDir, 'runtime.mjs'), esm);
const written = ['runtime.iife.js', 'runtime.cjs', 'runtime.mjs'].map((name) => relative(process.cwd(), join(outputDir, name)));
console.log(`bundle-runtime: ${order.length} modules -> ${written.join(', ')}`);
