// The engine programs besides the testsuite: an MDN seed example, sql.js's
// unmodified glue running the scenarios of test/helpers/sqljs-program.js,
// and the clang/WASI modules of bench/c running the cases of
// test/helpers/toolchain-program.js. The scenarios and cases are taken from
// those files' source (acorn finds the declarations), so the engines run
// exactly what test/sqljs.test.ts and test/toolchain.test.ts run on node;
// only the Node APIs around them are replaced (shims.js, embedded bytes).
//
// Each builder returns the program's workload parts; program.js puts the
// prelude and, in wasm2es mode, the generated modules in front.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'acorn';
import { repoRoot } from './program.js';

const SHIMS = readFileSync(new URL('./shims.js', import.meta.url), 'utf8');
const read = (path) => readFileSync(join(repoRoot, path), 'utf8');
const base64 = (path) => readFileSync(path).toString('base64');

/** Binds the shims as locals of the test code's scope. */
const SHIM_LOCALS = 'var TextEncoder = __shims.TextEncoder, TextDecoder = __shims.TextDecoder, createHash = __shims.createHash;';

/** Runs `cases` ({ name: () => value or promise }) one after the other, then reports; as report-cases.js. */
const RUN_CASES = `
function runCases(cases) {
  var names = Object.keys(cases);
  var results = {};
  var index = 0;
  function next() {
    if (index === names.length) return Promise.resolve(results);
    var name = names[index++];
    var began = __engine.now();
    return new Promise(function (resolve) {
      resolve(cases[name]());
    }).then(
      function (value) {
        results[name] = { ok: value, ms: Math.round(__engine.now() - began) };
      },
      function (error) {
        results[name] = { error: String(error), stack: String(error && error.stack), ms: Math.round(__engine.now() - began) };
      },
    ).then(next);
  }
  return next();
}
function reportCases(start) {
  start.then(
    function (results) {
      __engine.report({ hadNativeWebAssembly: __engine.hadNativeWebAssembly, results: results });
    },
    function (error) {
      __engine.report({ hadNativeWebAssembly: __engine.hadNativeWebAssembly, fatal: String(error) + '\\n' + (error && error.stack), results: {} });
    },
  );
}`;

/**
 * The source of the named declarations (functions, or a `const name = ...`
 * at any depth, first one found) of a module, in the order asked.
 */
export function extractDeclarations(source, names) {
  const ast = parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
  const found = new Map();
  const visit = (node) => {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'FunctionDeclaration' && names.includes(node.id.name) && !found.has(node.id.name)) {
      found.set(node.id.name, source.slice(node.start, node.end));
    } else if (node.type === 'VariableDeclaration' && node.declarations.length === 1 && node.declarations[0].id.type === 'Identifier') {
      const name = node.declarations[0].id.name;
      if (names.includes(name) && !found.has(name)) found.set(name, source.slice(node.start, node.end));
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') visit(value);
    }
  };
  visit(ast);
  const missing = names.filter((name) => !found.has(name));
  if (missing.length) throw new Error(`extractDeclarations: ${missing.join(', ')} not found`);
  return names.map((name) => found.get(name)).join('\n\n');
}

/** The property names of the object literal that `const name = {...}` (at any depth) declares. */
export function objectKeys(source, name) {
  const ast = parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
  let keys;
  const visit = (node) => {
    if (keys || !node || typeof node.type !== 'string') return;
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier' && node.id.name === name && node.init?.type === 'ObjectExpression') {
      keys = node.init.properties.map((property) => property.key.type === 'Identifier' ? property.key.name : String(property.key.value));
      return;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') visit(value);
    }
  };
  visit(ast);
  if (!keys) throw new Error(`objectKeys: no object literal ${name}`);
  return keys;
}

/** The scenario names of test/helpers/sqljs-program.js, in order. */
export const sqljsScenarioNames = () => objectKeys(read('test/helpers/sqljs-program.js'), 'scenarios');
/** The case names of test/helpers/toolchain-program.js, in order. */
export const toolchainCaseNames = () => objectKeys(read('test/helpers/toolchain-program.js'), 'cases');

/** An ES module without imports as script source: `export` keywords dropped. */
export function moduleAsScript(source) {
  const ast = parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
  let out = '';
  let position = 0;
  for (const node of ast.body) {
    if (node.type === 'ImportDeclaration') throw new Error('moduleAsScript: the module imports');
    if (node.type === 'ExportNamedDeclaration' && node.declaration) {
      out += source.slice(position, node.start);
      position = node.declaration.start;
    } else if (node.type.startsWith('Export')) {
      throw new Error(`moduleAsScript: ${node.type} is not supported`);
    }
  }
  return out + source.slice(position);
}

/**
 * An MDN example, run verbatim as the page's script, with fetch serving the
 * fixtures it names. On node with its own WebAssembly, fetch gives a real
 * Response (node's streaming functions require one); without WebAssembly,
 * a Response-like object, as seed-harness.mjs does (under --jitless even
 * `typeof Response` makes node compile its own wasm).
 */
export function seedParts(example, fixtureNames) {
  const fixtures = Object.fromEntries(fixtureNames.map((name) => [name, base64(join(repoRoot, 'fixtures', name))]));
  const fetchStandIn = `
globalThis.fetch = (function (fixtures) {
  return function (resource) {
    var name = String(resource).split('/').pop();
    if (!(name in fixtures)) return Promise.reject(new TypeError('fetch: no fixture ' + name));
    var bytes = __engine.bytes(fixtures[name]);
    if (__engine.hadNativeWebAssembly) {
      return Promise.resolve(new Response(bytes, { headers: { 'content-type': 'application/wasm' } }));
    }
    return Promise.resolve({
      ok: true,
      status: 200,
      statusText: 'OK',
      url: name,
      headers: {
        get: function (header) {
          return String(header).toLowerCase() === 'content-type' ? 'application/wasm' : null;
        },
      },
      arrayBuffer: function () {
        return Promise.resolve(bytes.buffer);
      },
    });
  };
})(${JSON.stringify(fixtures)});`;
  return [fetchStandIn, example];
}

/** The sql.js scenarios of test/helpers/sqljs-program.js through the glue `glue` (sql-wasm.js, maybe lowered). */
export function sqljsParts(glue) {
  const scenarios = extractDeclarations(read('test/helpers/sqljs-program.js'), ['plain', 'errorOf', 'rows', 'scenarios']);
  const wasm = base64(join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const run = `
(function () {
${SHIM_LOCALS}
${scenarios}
${RUN_CASES}
reportCases(
  initSqlJs({ wasmBinary: __engine.bytes(${JSON.stringify(wasm)}) }).then(function (SQL) {
    var cases = {};
    Object.keys(scenarios).forEach(function (name) {
      cases[name] = function () {
        return plain(scenarios[name](SQL));
      };
    });
    return runCases(cases);
  }),
);
})();`;
  return [SHIMS, glue, run];
}

/** The sql.js glue as shipped (an Emscripten script defining initSqlJs). */
export const sqljsGlue = () => read('node_modules/sql.js/dist/sql-wasm.js');

/**
 * The cases `caseNames` of test/helpers/toolchain-program.js on the bench/c
 * modules `moduleNames`, with bench/c/wasi.js as the host.
 */
export function toolchainParts(moduleNames, caseNames) {
  const program = read('test/helpers/toolchain-program.js');
  const functions = extractDeclarations(program, ['describeError', 'command', 'reactor', 'cases']);
  const wasm = Object.fromEntries(moduleNames.map((name) => [`${name}.wasm`, base64(join(repoRoot, 'bench/c', `${name}.wasm`))]));
  const run = `
(function () {
${SHIM_LOCALS}
var modules = ${JSON.stringify(wasm)};
var directory = '';
function readFileSync(path) {
  return __engine.bytes(modules[String(path).split('/').pop()]);
}
${moduleAsScript(read('bench/c/wasi.js'))}
${functions}
${RUN_CASES}
var WA = WebAssembly;
var selected = {};
${JSON.stringify(caseNames)}.forEach(function (name) {
  selected[name] = cases[name];
});
reportCases(runCases(selected));
})();`;
  return [SHIMS, run];
}

