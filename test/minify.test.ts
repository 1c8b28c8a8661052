// The runtime's minifier (scripts/minify.js): renaming must keep every name
// resolving to the binding it resolved to, on the spec's scopes and on
// Hermes 0.12's (which has no block scopes); the one-line printer must keep
// the syntax tree. Each case runs the original and the minified code and
// compares what they compute, and checks what was renamed.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript build script, without types
import { minify } from '../scripts/minify.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hermes = join(root, 'node_modules/hermes-engine-cli/linux64-bin/hermes');

const minified = (code: string, options = {}): string => minify(code, options).code;

/** Runs a script body (strict mode) that returns a value, as written and minified; both must give `expected`. */
function expectSame(body: string, expected: unknown): string {
  const code = `(function () {"use strict";\n${body}\n})()`;
  const out = minified(`var result = ${code};`);
  const run = (text: string) => new Function(`${text}; return result;`)();
  expect(run(`var result = ${code};`)).toEqual(expected);
  expect(run(out)).toEqual(expected);
  return out;
}

/** The minified text of an expression statement, e.g. printed('a - -b') === 'a- -b'. */
const printed = (code: string): string => minified(code).replace(/;$/, '');

describe('renaming', () => {
  it('renames locals, keeps globals and properties', () => {
    const out = expectSame(`
      const longName = { property: Math.max(1, 2) };
      let counter = 0;
      for (const item of [1, 2, 3]) counter += item;
      return [longName.property, counter];`, [2, 6]);
    expect(out).not.toMatch(/longName|counter|item/);
    expect(out).toContain('Math.max');
    expect(out).toContain('.property');
  });

  it('keeps shadowing apart', () => {
    expectSame(`
      const x = 'outer';
      const seen = [];
      function f(x) {
        { const x = 'block'; seen.push(x); }
        seen.push(x);
        return () => x;
      }
      seen.push(f('param')(), x);
      return seen;`, ['block', 'param', 'param', 'outer']);
  });

  it('never lets a new name capture a read of an outer binding or a global', () => {
    // Many locals in the inner function, so short names run out of easy picks.
    const locals = Array.from({ length: 80 }, (_, i) => `const v${i} = ${i};`).join('');
    const sum = Array.from({ length: 80 }, (_, i) => `v${i}`).join(' + ');
    expectSame(`
      const outer = 1000;
      globalThis.e = 5; globalThis.t = 7;
      function inner() { ${locals} return ${sum} + outer + globalThis.e + e + t; }
      const result = inner();
      delete globalThis.e; delete globalThis.t;
      return result;`, 3160 + 1000 + 5 + 5 + 7);
  });

  it('keeps closures bound to the right variables', () => {
    expectSame(`
      const makers = [];
      for (let i = 0; i < 3; i++) { const label = 'n' + i; makers.push(() => label); }
      let shared = 0;
      const bump = () => ++shared;
      bump(); bump();
      return [makers.map((m) => m()), shared];`, [['n0', 'n1', 'n2'], 2]);
  });

  it('keeps hoisting: functions called before their declaration, vars read across blocks', () => {
    expectSame(`
      const early = later();
      function later() { return typeof hoisted + ':' + helper(); }
      function helper() { { var hoisted = 1; } return hoisted; }
      { var fromBlock = 'block var'; }
      return [early, fromBlock];`, ['undefined:1', 'block var']);
  });

  it('keeps the temporal dead zone', () => {
    expectSame(`
      const a = 'outer';
      let caught = null;
      {
        try { a; } catch (error) { caught = error instanceof ReferenceError; }
        const a = 'inner';
      }
      return [a, caught];`, ['outer', true]);
  });

  it('renames labels, apart from variables of the same name', () => {
    const out = expectSame(`
      const outer = [];
      outer: for (let i = 0; i < 3; i++) {
        inner: for (let j = 0; j < 3; j++) {
          if (j === 1) continue outer;
          if (i === 2) break outer;
          outer.push([i, j]);
          if (j > 5) break inner;
        }
      }
      block: { if (outer.length) break block; outer.push('unreached'); }
      return outer;`, [[0, 0], [1, 0]]);
    expect(out).not.toMatch(/outer|inner|block/);
  });

  it('keeps catch parameters in their own scope', () => {
    expectSame(`
      const error = 'outer';
      const seen = [];
      try { throw new Error('thrown'); } catch (error) { seen.push(error.message); }
      try { throw { code: 7 }; } catch ({ code }) { seen.push(code); }
      try { throw 1; } catch { seen.push('no binding'); }
      seen.push(error);
      return seen;`, ['thrown', 7, 'no binding', 'outer']);
  });

  it('keeps a var in a catch block that names the catch parameter (Annex B)', () => {
    expectSame(`
      function f() {
        try { throw 'thrown'; } catch (e) { var e = 'assigned'; }
        return e;
      }
      return f();`, undefined);
  });

  it('keeps default parameters reading earlier parameters, and not the body', () => {
    expectSame(`
      const y = 'outer y';
      function f(a, b = a + 1, c = () => [a, b, y]) { var y = 'body y'; return [c(), y]; }
      function g(a = 1) { var a; return a; }
      function h(first, second) { var unrelated; return [unrelated, first, second]; }
      return [f(1), g(), h(2, 3)];`, [[[1, 2, 'outer y'], 'body y'], 1, [undefined, 2, 3]]);
  });

  it('leaves `arguments` alone', () => {
    expectSame(`
      function f(a, b) { return arguments.length + a + b; }
      return f(1, 2, 3);`, 6);
  });

  it('keeps apart what Hermes 0.12 puts in one scope: let and const in blocks are function-wide there', () => {
    // The class lowering's helper: renamed with block scopes, the loop's
    // `const` took the parameter's name, which Hermes then overwrote.
    const out = minified(`var api = (function () {
      const define = (target, source) => {
        const descriptors = Object.getOwnPropertyDescriptors(source);
        for (const key of Reflect.ownKeys(descriptors)) descriptors[key].enumerable = false;
        Object.defineProperties(target, descriptors);
        return target;
      };
      function sibling() { { const a = 1; var f = () => a; } { const b = 2; } return f(); }
      return { define, sibling };
    })();`);
    const define = /\(([a-z]),([a-z])\)=>\{const ([a-z])=Object\.getOwnPropertyDescriptors\(\2\);for\(const ([a-z]) of/.exec(out);
    expect(define).not.toBeNull();
    expect(new Set(define!.slice(1)).size).toBe(4);
    // Sibling blocks do not share a name either: Hermes would make them one variable.
    expect(/\{const ([a-z])=1;var [a-z]=\(\)=>\1\}\{const (?!\1)[a-z]=2\}/.test(out)).toBe(true);
    if (existsSync(hermes)) {
      const script = `${out}\nprint(JSON.stringify([Object.keys(api.define({}, { a: 1 })), api.define({}, { a: 1 }).a, api.sibling()]));`;
      const run = spawnSync(hermes, ['-w', '-'], { input: script, encoding: 'utf8' });
      expect(run.stdout.trim()).toBe('[[],1,1]');
    }
  });

  it('keeps the name of every function that can leave the code, and renames the others', () => {
    const out = expectSame(`
      function called() { return 1; }
      function passed() { return 2; }
      const arrow = () => 3;
      const onlyCalledArrow = () => 4;
      let assigned;
      assigned = function () { return 5; };
      function withDefault(callback = () => 6) { return callback; }
      return [called() + onlyCalledArrow(), [passed, arrow, assigned, withDefault(), withDefault].map((f) => f.name)];`,
    [5, ['passed', 'arrow', 'assigned', 'callback', 'withDefault']]);
    expect(out).not.toMatch(/called|onlyCalledArrow/);
  });

  it('follows functions through the bundle\'s module objects', () => {
    // As scripts/bundle-runtime.js writes modules: a helper that other
    // modules only call is renamed; one that an importer hands out keeps its name.
    const out = minified(`var api = (function () {
      const __module_a = (function () {
        function onlyCalled() { return 1; }
        function handedOut() { return 2; }
        return { "onlyCalled": onlyCalled, "handedOut": handedOut };
      })();
      const __module_b = (function () {
        const { onlyCalled, handedOut } = __module_a;
        return { "run": () => onlyCalled(), "handedOut": handedOut };
      })();
      return { run: __module_b.run, handedOut: __module_b.handedOut };
    })();`);
    const api = new Function(`${out}; return api;`)();
    expect([api.run(), api.handedOut.name]).toEqual([1, 'handedOut']);
    expect(out).not.toContain('function onlyCalled');
    expect(out).toContain('function handedOut');
  });

  it('keeps exported names of a module and renames the rest', () => {
    const out = minified('const internalValue = 1; export const exported = internalValue + 1; export function named() {}', { sourceType: 'module' });
    expect(out).toMatch(/^const ([a-z])=1;export const exported=\1\+1;export function named\(\)\{\}$/);
  });

  it('renames the top level of a script only when asked (CommonJS)', () => {
    expect(minified('var topLevel = 1; exports.value = topLevel;')).toBe('var topLevel=1;exports.value=topLevel');
    expect(minified('var topLevel = 1; exports.value = topLevel;', { topLevel: true })).toBe('var e=1;exports.value=e');
  });

  it('refuses code that uses eval or with', () => {
    expect(() => minified('function f(a) { return eval("a"); }')).toThrow(/refusing input that uses `eval`/);
    expect(() => minified('function f(o) { with (o) return x; }')).toThrow(/refusing input that uses `with`/);
  });
});

describe('printing', () => {
  it('puts a space only where tokens would merge', () => {
    expect(printed('a - -b')).toBe('a- -b');
    expect(printed('a + +b')).toBe('a+ +b');
    expect(printed('a++ + b')).toBe('a++ +b');
    expect(printed('a - --b')).toBe('a- --b');
    expect(printed('a-- > b')).toBe('a-- >b');
    expect(printed('a < !--b')).toBe('a< !--b');
    expect(printed('a / /re/g.lastIndex')).toBe('a/ /re/g.lastIndex');
    expect(printed('typeof a === "string"')).toBe('typeof a==="string"');
    expect(printed('x = void 0 in y')).toBe('x=void 0 in y');
  });

  it('keeps parentheses the tree needs and drops the others', () => {
    expect(printed('(a, b) + (c * d)')).toBe('(a,b)+c*d');
    expect(printed('(-1) ** 2')).toBe('(-1)**2');
    expect(printed('a ** (b ** c)')).toBe('a**b**c');
    expect(printed('(a ** b) ** c')).toBe('(a**b)**c');
    expect(printed('a ?? (b || c)')).toBe('a??(b||c)');
    expect(printed('(a && b) ?? c')).toBe('(a&&b)??c');
    expect(printed('(a?.b).c')).toBe('(a?.b).c');
    expect(printed('new (f())()')).toBe('new(f())()');
    expect(printed('new (a.b().c)')).toBe('new(a.b().c)()');
    expect(printed('new f()()')).toBe('new f()()');
    expect(printed('1..toString() + 1.5.toFixed()')).toBe('1..toString()+1.5.toFixed()');
    expect(printed('f(() => ({ a: 1 }))')).toBe('f(()=>({a:1}))');
    expect(printed('x = (a, b)')).toBe('x=(a,b)');
  });

  it('keeps statements from reading as something else', () => {
    expect(minified('(function () {})();')).toBe('(function(){}())');
    expect(minified('({}).toString();')).toBe('({}.toString())');
    expect(minified('({ a } = b);')).toBe('({a}=b)');
    expect(minified('(class {});')).toBe('(class{})');
    expect(minified('"use strict"; ("not a directive"); f();')).toBe('"use strict";("not a directive");f()');
  });

  it('keeps `in` out of for-loop initialisers', () => {
    expect(minified('for (var i = ("x" in o) ? 1 : 0; i < 1; i++);')).toBe('for(var i=("x"in o)?1:0;i<1;i++);');
    expect(minified('for (var f = () => ("x" in o); ;) break;')).toBe('for(var f=(()=>"x"in o);;)break');
    expect(minified('for (x = [a in b]; ;) break;')).toBe('for(x=[a in b];;)break');
  });

  it('keeps else with its if, and the empty statements', () => {
    expect(minified('if (a) { if (b) c(); } else d();')).toBe('if(a){if(b)c()}else d()');
    expect(minified('if (a) { for (;;) { if (b) break; } } else d();')).toBe('if(a){for(;;)if(b)break}else d()');
    expect(minified('if (a) { b(); } else { c(); }')).toBe('if(a)b();else c()');
    expect(minified('if (a) { let b = 1; f(b); }')).toBe('if(a){let e=1;f(e)}');
    expect(minified('while (a());')).toBe('while(a());');
    expect(minified('function f() { if (a) ; }')).toBe('function f(){if(a);}');
  });

  it('ends switch cases, and only the last statement of a block, without `;`', () => {
    expect(minified('switch (a) { case 1: f(); case 2: g(); default: h(); }')).toBe('switch(a){case 1:f();case 2:g();default:h()}');
  });

  it('writes literals short and ASCII, and never `</script` or `<!--`', () => {
    expect(printed('[1000, 0.5, 255, 1e21, 0.0001, 123456789]')).toBe('[1e3,.5,255,1e21,1e-4,123456789]');
    expect(printed(`["it's", 'say "hi"', "\\u00e9\\u2028", "</script>", "<!--", "a\\0b"]`))
      .toBe(`["it's",'say "hi"',"\\u00e9\\u2028","\\x3C/script>","\\x3C!--","a\\0b"]`);
    expect(printed('({ "quoted": 1, "not-a-name": 2, "0": 3, "01": 4, true: 5 })')).toBe('({quoted:1,"not-a-name":2,0:3,"01":4,true:5})');
    expect(printed('[true, false, undefined]')).toBe('[!0,!1,void 0]');
  });

  it('keeps __proto__ setting the prototype, or not', () => {
    const code = `var result = (function () { const __proto__ = { inherited: 1 };
      return [({ __proto__ }).inherited, ({ __proto__: __proto__ }).inherited]; })();`;
    const out = minified(code);
    expect(new Function(`${out}; return result;`)()).toEqual([undefined, 1]);
  });
});
