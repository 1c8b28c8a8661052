// The bundles of scripts/bundle-runtime.js: dist/runtime.cjs,
// dist/runtime.mjs and dist/runtime.iife.js, and the same three minified
// (dist/runtime.min.*). Builds the runtime alone (tsc, then the script) into
// test/.out, then loads each bundle the way its users do: the plain script
// in a fresh realm and under `node --jitless` (no WebAssembly), the
// CommonJS file with require() and with an ES import of its named exports,
// the ES module with import.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { parse } from 'acorn';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'test/.out/runtime-bundle');
const iifePath = join(outDir, 'runtime.iife.js');
const cjsPath = join(outDir, 'runtime.cjs');
const esmPath = join(outDir, 'runtime.mjs');
const minified = {
  iife: join(outDir, 'runtime.min.iife.js'),
  cjs: join(outDir, 'runtime.min.cjs'),
  esm: join(outDir, 'runtime.min.mjs'),
};
const hermes = join(root, 'node_modules/hermes-engine-cli/linux64-bin/hermes');

beforeAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  execFileSync(process.execPath, [
    join(root, 'node_modules/typescript/bin/tsc'), '--outDir', join(outDir, 'build'), '--rootDir', root,
    '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--strict', '--skipLibCheck',
    '--lib', 'ES2022', '--types', 'node', join(root, 'runtime/index.ts'),
  ], { stdio: 'pipe' });
  execFileSync(process.execPath, [join(root, 'scripts/bundle-runtime.js'), join(outDir, 'build/runtime'), outDir], { stdio: 'pipe' });
}, 120_000);

// A hand-written module body, as the compiler would emit it: exports
// load(address) over an imported memory and div(a, b) using rt.i32DivS.
const MODULE_BODY = `
const { FuncRef, i32DivS } = rt;
const TY0 = { params: ['i32'], results: ['i32'] }, T0 = rt.typeId('i32->i32');
const TY1 = { params: ['i32', 'i32'], results: ['i32'] }, T1 = rt.typeId('i32,i32->i32');
return {
  hash: 'f'.repeat(64),
  imports: [{ module: 'js', name: 'mem', kind: 'memory', initial: 1 }],
  exports: [{ name: 'load', kind: 'function' }, { name: 'div', kind: 'function' }, { name: 'mem', kind: 'memory' }],
  customSections: [],
  link(imports) {
    const mem0 = imports[0];
    let dv0 = null;
    mem0._watch((buffer) => { dv0 = new DataView(buffer); });
    function fn0(address) { return dv0.getInt32(address >>> 0, true); }
    function fn1(a, b) { return i32DivS(a, b); }
    return [new FuncRef(fn0, T0, TY0, 0), new FuncRef(fn1, T1, TY1, 1), mem0];
  },
};`;

/** Exercises a runtime object (`api`) and returns what it saw; runs in any realm. */
const EXERCISE = `(function exercise(api) {
  const seen = {};
  const WA = api.WebAssembly;
  const module = api.defineModule(new Function('rt', ${JSON.stringify(MODULE_BODY)})(api.rt));
  seen.isModule = module instanceof WA.Module;
  const memory = new WA.Memory({ initial: 1, maximum: 2 });
  new Int32Array(memory.buffer)[1] = 77;
  const { exports } = new WA.Instance(module, { js: { mem: memory } });
  seen.load = exports.load(4);
  seen.div = exports.div(7, 2);
  try { exports.div(1, 0); } catch (e) { seen.divTrap = e instanceof WA.RuntimeError && e.message; }
  try { exports.load(65536); } catch (e) { seen.oobTrap = e instanceof WA.RuntimeError && e.message; }
  const old = memory.buffer;
  seen.grow = memory.grow(1);
  seen.loadAfterGrow = exports.load(65536 + 4);
  seen.oldDetached = old.byteLength === 0;
  seen.sameMemory = exports.mem === memory;
  seen.name = exports.load.name + '/' + exports.load.length;
  seen.tag = Object.prototype.toString.call(WA);
  return seen;
})`;

const EXPECTED = {
  isModule: true, load: 77, div: 3, divTrap: 'integer divide by zero', oobTrap: 'out of bounds memory access',
  grow: 1, loadAfterGrow: 0, sameMemory: true, name: '0/1', tag: '[object WebAssembly]',
};

/**
 * Free identifiers the bundles must not use: Node-only globals, and Response
 * (touching Node's compiles wasm). Names declared anywhere in the bundle
 * count as local (an approximation that is enough here).
 */
function forbiddenIdentifiers(code: string): string[] {
  const forbidden = new Set(['require', 'process', 'Buffer', 'Response', 'module', 'exports', '__dirname', 'setImmediate']);
  const found = new Set<string>();
  const declared = new Set<string>();
  const declare = (pattern: any) => {
    if (!pattern) return;
    if (pattern.type === 'Identifier') declared.add(pattern.name);
    else if (pattern.type === 'ObjectPattern') for (const p of pattern.properties) declare(p.type === 'RestElement' ? p.argument : p.value);
    else if (pattern.type === 'ArrayPattern') for (const p of pattern.elements) declare(p);
    else if (pattern.type === 'AssignmentPattern') declare(pattern.left);
    else if (pattern.type === 'RestElement') declare(pattern.argument);
  };
  const visit = (node: any, parent: any, key: string) => {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'VariableDeclarator') declare(node.id);
    if (/Function/.test(node.type)) { declare(node.id); node.params.forEach(declare); }
    if (node.type === 'ClassDeclaration') declare(node.id);
    if (node.type === 'CatchClause') declare(node.param);
    if (node.type === 'Identifier' && forbidden.has(node.name)) {
      const isPropertyKey = (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed)
        || (parent?.type === 'Property' && key === 'key' && !parent.computed);
      if (!isPropertyKey) found.add(node.name);
    }
    for (const [childKey, child] of Object.entries(node)) {
      if (Array.isArray(child)) for (const item of child) visit(item, node, childKey);
      else if (child && typeof child === 'object') visit(child, node, childKey);
    }
  };
  visit(parse(code, { ecmaVersion: 'latest', sourceType: 'script' }), null, '');
  return [...found].filter((name) => !declared.has(name));
}

describe('dist/runtime.iife.js', () => {
  it('is one script that defines wasm2esRuntime and works in a fresh realm', () => {
    const code = readFileSync(iifePath, 'utf8');
    expect(code.startsWith('/* wasm2es runtime */')).toBe(true);
    const context = createContext({});
    runInContext(code, context);
    const seen = runInContext(`(${EXPECTED_KEYS_CHECK})(${EXERCISE}(wasm2esRuntime))`, context);
    expect({ ...seen, oldDetached: undefined }).toEqual({ ...EXPECTED, oldDetached: undefined });
    expect(runInContext('Object.keys(wasm2esRuntime).join()', context)).toContain('rt,defineModule');
    expect(runInContext('Object.keys(globalThis).join()', context)).toBe('wasm2esRuntime');
  });

  it('uses no Node-only globals and never touches Response', () => {
    expect(forbiddenIdentifiers(readFileSync(iifePath, 'utf8'))).toEqual([]);
  });

  it('runs under node --jitless, where there is no WebAssembly', () => {
    const script = `
      const { readFileSync } = require('node:fs');
      const { runInThisContext } = require('node:vm');
      if (typeof WebAssembly !== 'undefined') throw new Error('expected no WebAssembly');
      runInThisContext(readFileSync(${JSON.stringify(iifePath)}, 'utf8'));
      console.log(JSON.stringify(${EXERCISE}(wasm2esRuntime)));`;
    const run = spawnSync(process.execPath, ['--jitless', '-e', script], { encoding: 'utf8' });
    expect(run.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/m, '')).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ ...EXPECTED, oldDetached: true });
  });
});

// (used above: makes the realm's result a plain object of this realm's values)
const EXPECTED_KEYS_CHECK = '(seen) => JSON.parse(JSON.stringify(seen))';

describe('dist/runtime.cjs', () => {
  it('works with require()', () => {
    const script = `console.log(JSON.stringify(${EXERCISE}(require(${JSON.stringify(cjsPath)}))));`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ ...EXPECTED, oldDetached: true });
  });

  it('has named exports an ES module can import', () => {
    const script = `import { rt, defineModule, WebAssembly, createWebAssembly, sha256Hex, Memory, RuntimeError } from ${JSON.stringify(pathToFileURL(cjsPath).href)};
      console.log([typeof rt.i32DivS, typeof defineModule, String(WebAssembly), typeof createWebAssembly, sha256Hex(new Uint8Array(0)).slice(0, 8), Memory === WebAssembly.Memory, RuntimeError.name].join());`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function,function,[object WebAssembly],function,e3b0c442,true,RuntimeError');
  });

  it('uses no Node-only globals besides its own exports', () => {
    const found = forbiddenIdentifiers(readFileSync(cjsPath, 'utf8'));
    expect(found.filter((name) => name !== 'exports')).toEqual([]);
  });
});

describe('several copies of the runtime in one realm', () => {
  it('share one API, so a module registered by one copy is found by the others', () => {
    const script = `
      const { readFileSync } = require('node:fs');
      const { runInThisContext } = require('node:vm');
      const cjs = require(${JSON.stringify(cjsPath)});
      runInThisContext(readFileSync(${JSON.stringify(iifePath)}, 'utf8'));
      const inlined = new Function(readFileSync(${JSON.stringify(iifePath)}, 'utf8') + '; return wasm2esRuntime;')();
      const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
      cjs.defineModule({ hash: cjs.sha256Hex(bytes), imports: [], exports: [], customSections: [], link: () => [] });
      const module = new inlined.WebAssembly.Module(bytes);
      const errorShared = new inlined.CompileError('x') instanceof cjs.WebAssembly.CompileError;
      console.log([cjs.rt === wasm2esRuntime.rt, inlined.rt === cjs.rt, module instanceof cjs.WebAssembly.Module, errorShared].join());`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('true,true,true,true');
  });
});

describe('dist/runtime.mjs (what `import "wasm2es/runtime"` loads)', () => {
  it('works with import, under node --jitless', () => {
    const script = `import * as api from ${JSON.stringify(pathToFileURL(esmPath).href)};
      console.log(JSON.stringify(${EXERCISE}(api)));`;
    const run = spawnSync(process.execPath, ['--jitless', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/m, '')).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ ...EXPECTED, oldDetached: true });
  });

  it('exports what the tsc build exports, and shares one API with the CommonJS bundle', () => {
    const script = `import * as bundled from ${JSON.stringify(pathToFileURL(esmPath).href)};
      import * as modules from ${JSON.stringify(pathToFileURL(join(outDir, 'build/runtime/index.js')).href)};
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)(${JSON.stringify(cjsPath)});
      console.log(JSON.stringify([Object.keys(bundled).sort().join() === Object.keys(modules).sort().join(), bundled.rt === cjs.rt, bundled.rt === modules.rt]));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([true, true, true]);
  });

  it('is what the package exports as wasm2es/runtime for import', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.exports['./runtime'].default).toBe('./dist/runtime.mjs');
  });
});

// The tsc output itself: what the main entry (wasm2es) imports.
describe('the ES module build', () => {
  it('loads from the tsc output', async () => {
    const runtime = await import(pathToFileURL(join(outDir, 'build/runtime/index.js')).href);
    expect(typeof runtime.rt.callIndirect).toBe('function');
    expect(createRequire(import.meta.url)).toBeTypeOf('function');
  });
});

// The bundles lower the runtime's classes to constructor functions (Hermes
// has no classes; see scripts/bundle-runtime.js). What JS code can observe
// of a constructor must be the same as with the classes of the tsc build.
describe('the lowered classes', () => {
  const OBSERVE = `(function observe(WA) {
    const seen = {};
    for (const name of ['Memory', 'Table', 'Global', 'Module', 'Instance', 'Tag', 'Exception']) {
      const C = WA[name];
      const entry = { name: C.name, length: C.length, prototype: Object.getOwnPropertyDescriptor(C, 'prototype') };
      delete entry.prototype.value;
      try { C({ initial: 1, element: 'anyfunc', value: 'i32' }); entry.call = 'no error'; } catch (error) { entry.call = error.constructor.name; }
      entry.members = Reflect.ownKeys(C.prototype).map((key) => {
        const d = Object.getOwnPropertyDescriptor(C.prototype, key);
        let constructible = null;
        if (typeof d.value === 'function' && key !== 'constructor') {
          try { new d.value(); constructible = true; } catch (error) { constructible = error instanceof TypeError && /not a constructor/.test(error.message) ? false : 'other'; }
        }
        return [String(key), d.enumerable, d.writable ?? null, d.configurable, typeof d.get, typeof d.set, constructible];
      });
      entry.statics = Reflect.ownKeys(C).filter((key) => typeof C[key] === 'function').map((key) => [String(key), Object.getOwnPropertyDescriptor(C, key).enumerable]);
      seen[name] = entry;
    }
    class Sub extends WA.Memory { constructor() { super({ initial: 1 }); this.extra = 1; } }
    const sub = new Sub();
    seen.subclass = [sub instanceof Sub, sub instanceof WA.Memory, sub.buffer.byteLength, sub.grow(1), sub.extra];
    return seen;
  })`;

  // Each in a process of its own: copies of the runtime in one realm share
  // the first one's classes (see runtime/realm.ts).
  const observeIn = (load: string): any => {
    const script = `${load}; console.log(JSON.stringify((${OBSERVE})(runtime.WebAssembly)));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout);
  };

  it('look like the classes of the tsc build: new-only, members non-enumerable unless Web IDL says, read-only prototype, subclassable', () => {
    const expected = observeIn(`const runtime = await import(${JSON.stringify(pathToFileURL(join(outDir, 'build/runtime/index.js')).href)})`);
    expect(expected.Memory.call).toBe('TypeError');
    expect(expected.Memory.members).toContainEqual(['_watch', false, true, true, 'undefined', 'undefined', false]);
    expect(observeIn(`const runtime = (await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(cjsPath)})`)).toEqual(expected);
  });

  it('look the same in the minified bundle', () => {
    const expected = observeIn(`const runtime = await import(${JSON.stringify(pathToFileURL(join(outDir, 'build/runtime/index.js')).href)})`);
    expect(observeIn(`const runtime = await import(${JSON.stringify(pathToFileURL(minified.esm).href)})`)).toEqual(expected);
  });

  it('leave no class and no async function in any bundle', () => {
    for (const path of [iifePath, cjsPath, esmPath, ...Object.values(minified)]) {
      const text = readFileSync(path, 'utf8');
      expect(text).not.toMatch(/\bclass\s+[A-Za-z_$]/);
      expect(text).not.toMatch(/\basync\s+(function\b|\()/);
    }
  });
});

// The minified bundles (scripts/minify.js): the same scenarios, and what
// user code can observe of the functions unchanged.
describe('dist/runtime.min.* (minified)', () => {
  /** Loads a bundle as its users do, as `api`, in a new process, and returns `expression` (JSON). */
  const load = (kind: 'iife' | 'cjs' | 'esm', path: string) => (kind === 'iife'
    ? `const api = new Function(require('node:fs').readFileSync(${JSON.stringify(path)}, 'utf8') + '; return wasm2esRuntime;')();`
    : kind === 'cjs' ? `const api = require(${JSON.stringify(path)});` : `const api = await import(${JSON.stringify(pathToFileURL(path).href)});`);
  const runWith = (kind: 'iife' | 'cjs' | 'esm', path: string, expression: string, flags: string[] = []): any => {
    const script = `${load(kind, path)}\nconsole.log(JSON.stringify(${expression}));`;
    const args = kind === 'esm' ? [...flags, '--input-type=module', '-e', script] : [...flags, '-e', script];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(run.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/m, '')).toBe('');
    return JSON.parse(run.stdout);
  };

  it.each(['iife', 'cjs', 'esm'] as const)('%s runs the scenario, with the JIT and under node --jitless', (kind) => {
    expect(runWith(kind, minified[kind], `${EXERCISE}(api)`)).toEqual({ ...EXPECTED, oldDetached: true });
    expect(runWith(kind, minified[kind], `${EXERCISE}(api)`, ['--jitless'])).toEqual({ ...EXPECTED, oldDetached: true });
  });

  it('iife is one script that defines only wasm2esRuntime, and works in a fresh realm', () => {
    const code = readFileSync(minified.iife, 'utf8');
    expect(code.startsWith('/* wasm2es runtime */\nvar wasm2esRuntime=')).toBe(true);
    // Every renamed name is inside its function: nothing pasted next to it (--inline-runtime) can meet one.
    const body = parse(code, { ecmaVersion: 'latest', sourceType: 'script' }).body as any[];
    expect(body.map((node) => `${node.type} ${node.kind} ${node.declarations.map((d: any) => d.id.name)}`)).toEqual(['VariableDeclaration var wasm2esRuntime']);
    const context = createContext({});
    runInContext(code, context);
    const seen = runInContext(`(${EXPECTED_KEYS_CHECK})(${EXERCISE}(wasm2esRuntime))`, context);
    expect({ ...seen, oldDetached: undefined }).toEqual({ ...EXPECTED, oldDetached: undefined });
    expect(runInContext('Object.keys(globalThis).join()', context)).toBe('wasm2esRuntime');
  });

  it('cjs has the named exports an ES module can import', () => {
    const script = `import { rt, defineModule, WebAssembly, sha256Hex, Memory, RuntimeError } from ${JSON.stringify(pathToFileURL(minified.cjs).href)};
      console.log([typeof rt.i32DivS, typeof defineModule, String(WebAssembly), sha256Hex(new Uint8Array(0)).slice(0, 8), Memory === WebAssembly.Memory, RuntimeError.name].join());`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function,function,[object WebAssembly],e3b0c442,true,RuntimeError');
  });

  it('export what the readable bundles export, and share one API with them in a realm', () => {
    const script = `import * as readable from ${JSON.stringify(pathToFileURL(esmPath).href)};
      import * as small from ${JSON.stringify(pathToFileURL(minified.esm).href)};
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)(${JSON.stringify(minified.cjs)});
      console.log(JSON.stringify([Object.keys(small).sort().join() === Object.keys(readable).sort().join(), Object.keys(cjs).sort().join() === Object.keys(readable).sort().join(), small.rt === readable.rt, cjs.rt === readable.rt]));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([true, true, true, true]);
  });

  // Every function user code can reach, by path: the exports (rt, the
  // namespace, the classes, their prototypes and statics), an instance and
  // its exported functions, a memory, table and global, and a namespace
  // that compiles. Each build in a process of its own: copies of the
  // runtime in one realm share the first one's classes (runtime/realm.ts).
  const REACHABLE = `(function reachable(api) {
    const WA = api.WebAssembly;
    const module = api.defineModule(new Function('rt', ${JSON.stringify(MODULE_BODY)})(api.rt));
    const memory = new WA.Memory({ initial: 1 });
    const instance = new WA.Instance(module, { js: { mem: memory } });
    const table = new WA.Table({ element: 'anyfunc', initial: 1 });
    table.set(0, instance.exports.load);
    const compiling = api.createWebAssembly({ compile() { throw new WA.CompileError('no'); } });
    const roots = { api: { ...api }, instance, exports: instance.exports, memory, table, fromTable: table.get(0), global: new WA.Global({ value: 'i32' }, 1), compiling };
    const isNative = (f) => /\\{\\s*\\[native code\\]\\s*\\}$/.test(Function.prototype.toString.call(f));
    const found = {};
    // The engine's own objects are the same whatever the runtime's build.
    const seen = new Set([Object.prototype, Function.prototype, Error.prototype, Array.prototype, Promise.prototype]);
    const visit = (value, path) => {
      if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
      seen.add(value);
      if (typeof value === 'function') {
        found[path] = value.name + '/' + value.length;
        if (isNative(value)) return;
      }
      for (const key of Reflect.ownKeys(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if ('value' in descriptor) visit(descriptor.value, path + '.' + String(key));
        if (descriptor.get) visit(descriptor.get, path + '.' + String(key) + '[get]');
        if (descriptor.set) visit(descriptor.set, path + '.' + String(key) + '[set]');
      }
      visit(Object.getPrototypeOf(value), path + '.[[Prototype]]');
    };
    visit(roots, 'roots');
    return found;
  })`;

  it.each([
    ['iife', iifePath],
    ['cjs', cjsPath],
    ['esm', esmPath],
  ] as const)('%s: every function user code can reach has the name and length it has unminified', (kind, readablePath) => {
    const expected = runWith(kind, readablePath, `${REACHABLE}(api)`);
    expect(Object.keys(expected).length).toBeGreaterThan(100);
    expect(Object.values(expected)).toEqual(expect.arrayContaining(['Memory/1', 'RuntimeError/1', 'validate/1', 'i32DivS/2', '0/1']));
    expect(runWith(kind, minified[kind], `${REACHABLE}(api)`)).toEqual(expected);
  });

  it('use no Node-only globals and never touch Response', () => {
    expect(forbiddenIdentifiers(readFileSync(minified.iife, 'utf8'))).toEqual([]);
    expect(forbiddenIdentifiers(readFileSync(minified.cjs, 'utf8')).filter((name) => name !== 'exports')).toEqual([]);
  });

  it('are at most 60% of the size of the readable ones', () => {
    for (const [kind, path] of [['iife', iifePath], ['cjs', cjsPath], ['esm', esmPath]] as const) {
      expect(readFileSync(minified[kind]).length).toBeLessThan(readFileSync(path).length * 0.6);
    }
  });

  it.skipIf(!existsSync(hermes))('iife runs the scenario on Hermes 0.12, as shipped', () => {
    const script = `${readFileSync(minified.iife, 'utf8')}\nprint(JSON.stringify(${EXERCISE}(wasm2esRuntime)));`;
    const run = spawnSync(hermes, ['-w', '-'], { input: script, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect({ ...JSON.parse(run.stdout), oldDetached: undefined }).toEqual({ ...EXPECTED, oldDetached: undefined });
  });
});
