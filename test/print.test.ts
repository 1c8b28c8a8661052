// The compact printer (compiler/print-compact.ts) must never change what the
// code means: its output has to parse to the very tree that astring's
// indented output parses to. Checked on whole real modules in every tuning,
// and on the constructs where dropping spaces or parentheses is dangerous.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'acorn';
import { generate } from 'astring';
import { describe, expect, it } from 'vitest';
import { compile, type CompileOptions } from '../compiler/index.js';
import { printCompactFunction } from '../compiler/print-compact.js';
import { printFunction } from '../compiler/print.js';
import * as js from '../compiler/js.js';
import type { JsNode } from '../compiler/js.js';

const require = createRequire(import.meta.url);

/** The program's syntax tree without positions: what the text means. */
function tree(code: string): string {
  const program = parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
  return JSON.stringify(program, (key, value) => {
    if (key === 'start' || key === 'end') return undefined;
    return typeof value === 'bigint' ? `${value}n` : value;
  });
}

function expectSameTree(options: CompileOptions, bytes: Uint8Array): void {
  const compact = compile(bytes, { ...options, format: 'esm' }).code;
  const pretty = compile(bytes, { ...options, format: 'esm', pretty: true }).code;
  expect(compact.length).toBeLessThan(pretty.length * 0.8);
  expect(tree(compact) === tree(pretty)).toBe(true);
}

/** A function whose body is the given statements, printed both ways. */
function bothWays(body: JsNode[]): { compact: string; astring: string } {
  const fn = js.fn('f', ['a', 'b'], body);
  return { compact: printCompactFunction(fn), astring: generate(fn as any) };
}

describe('compact printing', () => {
  const sqlite = new Uint8Array(readFileSync(require.resolve('sql.js/dist/sql-wasm.wasm')));

  for (const [name, options] of [
    ['jit', { tune: 'jit' }],
    ['interpreter', { tune: 'interpreter' }],
    ['split', { tune: 'jit', splitThreshold: 500 }],
    ['flattened', { tune: 'jit', flattenHeight: 8 }],
  ] as [string, CompileOptions][]) {
    it(`parses to the same tree as astring's output: SQLite, ${name}`, () => {
      expectSameTree(options, sqlite);
    }, 120_000);
  }

  it('keeps apart the signs that would merge, and the parentheses precedence alone would drop', () => {
    const a = js.id('a');
    const b = js.id('b');
    const cases: JsNode[] = [
      js.bin('-', a, js.num(-1)), // a - -1, not a--1
      js.bin('+', a, js.un('+', b)), // a + +b
      js.bin('-', a, js.un('-', js.un('-', b))),
      js.un('-', js.num(-2)), // - -2
      js.un('-', js.bin('-', a, b)),
      js.logical('??', js.logical('||', a, b), a), // (a || b) ?? a
      js.logical('||', a, js.logical('??', a, b)),
      js.logical('&&', js.logical('??', a, b), b),
      js.bin('**', js.un('-', a), b), // (-a) ** b
      js.bin('**', a, js.bin('**', a, b)),
      js.bin('**', js.bin('**', a, b), b),
      js.bin('-', a, js.bin('-', a, b)), // a - (a - b)
      js.bin('/', js.bin('*', a, b), js.bin('%', a, b)),
      js.bin('<', a, js.un('!', b)),
      js.member(js.num(1), 'toString'), // (1).toString
      js.newExpr(js.call(a, []), []), // new (a())()
      js.newExpr(js.member(a, 'B'), [b]),
      js.cond(js.cond(a, b, a), js.seq([a, b]), js.assign(a, b)),
      js.assign(a, js.cond(a, b, js.assign(b, a))),
      js.un('typeof', a),
      js.un('void', js.num(0)),
      js.bin('in', a, b),
      js.un('!', js.logical('&&', a, b)),
      js.index(js.bin('+', a, b), js.seq([a, b])),
    ];
    const { compact, astring } = bothWays(cases.map((e) => js.exprStmt(e)));
    expect(tree(compact)).toBe(tree(astring));
    expect(compact).toContain('a- -1');
    expect(compact).toContain('(1).toString');
  });

  it('keeps a chain whole under a member access or call (astring drops those parentheses)', () => {
    const chain = js.chain(js.optionalMember(js.id('a'), 'x'));
    const { compact } = bothWays([js.exprStmt(js.call(js.member(chain, 'y'), [])), js.exprStmt(js.call(chain, []))]);
    expect(compact).toContain('(a?.x).y();');
    expect(compact).toContain('(a?.x)();');
    const [first, second] = (parse(compact, { ecmaVersion: 'latest' }) as any).body[0].body.body;
    expect(first.expression.callee.object.type).toBe('ChainExpression');
    expect(second.expression.callee.type).toBe('ChainExpression');
  });

  it('prints every statement kind as astring does', () => {
    const a = js.id('a');
    const body: JsNode[] = [
      js.decl([['x', js.num(1)], ['y', null]]),
      js.labeled('L', js.whileTrue(js.block([js.ifStmt(a, js.cont('L'), js.brk('L'))]))),
      js.switchStmt(a, [{ test: js.num(1), body: [js.brk(null)] }, { test: js.num(-1), body: [] }, { test: null, body: [js.ret(a)] }]),
      js.exprStmt(js.fn(null, [], [js.ret(a)])), // a function expression first
      js.exprStmt(js.str('use strict')), // a string first: not a directive
      js.block([]),
      js.fn('g', ['p'], [js.ret(js.call(js.id('g'), [js.id('p')]))]),
    ];
    const { compact, astring } = bothWays(body);
    expect(tree(compact)).toBe(tree(astring));
  });

  it('puts an if without an else in braces before an outer else, which stays the outer if\'s, pretty too (astring alone gives it to the inner one)', () => {
    const inner = js.ifStmt(js.id('b'), js.brk('M'), null);
    const { compact } = bothWays([js.labeled('M', js.block([js.ifStmt(js.id('a'), inner, js.ret(null))]))]);
    expect(compact).toMatch(/^if\(a\)\{\nif\(b\)break M;\n\}else return;$/m);
    for (const code of [compact, printFunction(js.fn('f', ['a', 'b'], [js.labeled('M', js.block([js.ifStmt(js.id('a'), inner, js.ret(null))]))]), true, 0)]) {
      const outer = (parse(code, { ecmaVersion: 'latest' }) as any).body[0].body.body[0].body.body[0];
      expect(outer.alternate.type).toBe('ReturnStatement');
      expect(outer.consequent.body[0].alternate).toBeNull();
    }
  });
});
