// Debuggable output: source maps from the generated JavaScript to the .wasm
// (compile option `sourceMap`, compiler/sourcemap.ts), and the name
// section's function names in stack traces (compiler/emit.ts, namedFunction;
// runtime/numeric.ts, trap). The maps are decoded here by a VLQ decoder of
// the test's own and read against the instruction offsets that decode()
// gives and the statement positions acorn finds.

import { describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'acorn';
import { compile, compileLazy, type CompileOptions, type SourceMap } from '../compiler/index.js';
import { decode } from '../compiler/decode.js';
import { defineModule, Instance, rt } from '../runtime/index.js';
import { freshOutputDir, repoRoot, requireBuild, runNode } from './helpers/cli.js';
import { wat, watNamed } from './runtime/helpers.js';



// ---- reading a map ------------------------------------------------------------------

interface Segment {
  /** Generated position, both 0-based. */
  line: number;
  column: number;
  source: number;
  originalLine: number;
  originalColumn: number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The signed values of one segment's base64 VLQ fields. */
function vlqFields(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let scale = 1;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`not base64: ${char}`);
    value += (digit & 31) * scale;
    scale *= 32;
    if ((digit & 32) === 0) {
      values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
      value = 0;
      scale = 1;
    }
  }
  if (scale !== 1) throw new Error(`unfinished VLQ in ${text}`);
  return values;
}

function decodeMappings(mappings: string): Segment[] {
  const segments: Segment[] = [];
  let source = 0;
  let originalLine = 0;
  let originalColumn = 0;
  mappings.split(';').forEach((lineText, line) => {
    let column = 0;
    if (lineText === '') return;
    for (const segmentText of lineText.split(',')) {
      const fields = vlqFields(segmentText);
      expect(fields).toHaveLength(4);
      column += fields[0];
      source += fields[1];
      originalLine += fields[2];
      originalColumn += fields[3];
      segments.push({ line, column, source, originalLine, originalColumn });
    }
  });
  return segments;
}

/** The (0-based) line and column of character `index` of `code`. */
function position(code: string, index: number): { line: number; column: number } {
  const before = code.slice(0, index);
  const line = before.split('\n').length - 1;
  return { line, column: index - (before.lastIndexOf('\n') + 1) };
}

/** The wasm offset the map gives for the generated position of the first `needle` in `code`: the last segment at or before it on its line. */
function originalOf(code: string, map: SourceMap, needle: string, from = 0): number {
  const index = code.indexOf(needle, from);
  if (index < 0) throw new Error(`${needle} is not in the output`);
  const { line, column } = position(code, index);
  const onLine = decodeMappings(map.mappings).filter((segment) => segment.line === line && segment.column <= column);
  if (onLine.length === 0) throw new Error(`no mapping before ${needle} on line ${line}: ${code.split('\n')[line]}`);
  return onLine[onLine.length - 1].originalColumn;
}

/** The byte offset of the `nth` instruction with opcode `op` in defined function `func`. */
function offsetOf(bytes: Uint8Array, func: number, op: number, nth = 0): number {
  const found = decode(bytes).funcs[func].body.filter((instr) => instr.op === op);
  if (found.length <= nth) throw new Error(`function ${func} has no instruction 0x${op.toString(16)} #${nth}`);
  return found[nth].offset;
}

/** Every instruction offset of every function body. */
function instructionOffsets(bytes: Uint8Array): Set<number> {
  const offsets = new Set<number>();
  for (const func of decode(bytes).funcs) for (const instr of func.body) offsets.add(instr.offset);
  return offsets;
}

/** The starts of every statement and declaration acorn finds in `code`, as "line:column" (0-based lines). */
function statementStarts(code: string, sourceType: 'module' | 'script'): Set<string> {
  const starts = new Set<string>();
  const visit = (node: any): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node.type === 'string' && /(Statement|Declaration)$/.test(node.type)) starts.add(`${node.loc.start.line - 1}:${node.loc.start.column}`);
    for (const key of Object.keys(node)) if (key !== 'loc') visit(node[key]);
  };
  visit(parse(code, { ecmaVersion: 'latest', sourceType, locations: true }));
  return starts;
}

/** Checks what holds for every map: v3, one source, each segment at a statement's start and at an instruction's offset. */
function expectWellFormed(bytes: Uint8Array, code: string, map: SourceMap, sourceType: 'module' | 'script' = 'module'): Segment[] {
  expect(map.version).toBe(3);
  expect(map.sources).toEqual(['module.wasm']);
  const segments = decodeMappings(map.mappings);
  const offsets = instructionOffsets(bytes);
  const starts = statementStarts(code, sourceType);
  const wrong = segments.filter((segment) => segment.source !== 0 || segment.originalLine !== 0
    || !offsets.has(segment.originalColumn) || !starts.has(`${segment.line}:${segment.column}`));
  expect(wrong.slice(0, 3), 'segments not at a statement and an instruction').toEqual([]);
  return segments;
}

// ---- modules --------------------------------------------------------------------------

const MODULE = `(module
  (memory 1)
  (func $store (export "store") (param i32 i32)
    (i32.store (local.get 0) (local.get 1)))
  (func $twice (export "twice") (param i32) (result i32)
    (local i32)
    (local.set 1 (i32.load (local.get 0)))
    (drop (call $inc (local.get 1)))
    (if (i32.eqz (local.get 0)) (then (unreachable)))
    (call $inc (call $inc (local.get 1))))
  (func $inc (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1))))`;

// Defined function indices (= function indices: nothing is imported).
const STORE = 0;
const TWICE = 1;

/** Programs clang made (bench/c): general code with a name section, and SIMD. */
const BENCH_MODULES = ['lz.wasm', 'image-simd.wasm'];
const benchModule = (file: string): Uint8Array => new Uint8Array(readFileSync(join(repoRoot, 'bench/c', file)));

/** Runs a module body compiled with `options` and returns its exports. */
function instantiate(bytes: Uint8Array, options: CompileOptions = {}): any {
  const { code } = compile(bytes, { ...options, format: 'body' });
  return (new Instance(defineModule(new Function('rt', code)(rt)), {}) as any).exports;
}

describe('source maps', () => {
  const bytes = watNamed(MODULE);

  for (const pretty of [false, true]) {
    const label = pretty ? 'pretty' : 'compact';

    it(`maps statements to their instructions' byte offsets (${label})`, () => {
      const { code, map } = compile(bytes, { sourceMap: true, pretty });
      expect(map).toBeDefined();
      expectWellFormed(bytes, code, map!);
      const twice = code.indexOf('twice(l0)');
      const spaced = (text: string): string => (pretty ? text : text.replace(/ /g, ''));
      expect(originalOf(code, map!, 'dv0.setInt32(')).toBe(offsetOf(bytes, STORE, 0x36));
      // The load goes into the local as one statement, the local.set's.
      expect(originalOf(code, map!, spaced('l1 = dv0'), twice)).toBe(offsetOf(bytes, TWICE, 0x21));
      // The dropped call is a statement of its own (calls go through fnN: $inc is fn2).
      expect(originalOf(code, map!, 'fn2(l1);', twice)).toBe(offsetOf(bytes, TWICE, 0x10, 0));
      expect(originalOf(code, map!, spaced('if (!l0)'), twice)).toBe(offsetOf(bytes, TWICE, 0x04));
      expect(originalOf(code, map!, 'trap(', twice)).toBe(offsetOf(bytes, TWICE, 0x00));
      // The function's end returns the last call's result.
      expect(originalOf(code, map!, 'return fn2(fn2(l1))', twice)).toBe(offsetOf(bytes, TWICE, 0x0b, 1));
    });
  }

  it('maps a settled value to the instruction that made it, not to the one that settled it', () => {
    // The load is still pending when the call comes; the call settles it first.
    const text = `(module (memory 1)
      (func $f (param i32) (result i32)
        (i32.add (i32.load (local.get 0)) (call $g)))
      (func $g (result i32) (i32.store (i32.const 0) (i32.const 1)) (i32.const 2)))`;
    const wasm = watNamed(text);
    const { code, map } = compile(wasm, { sourceMap: true });
    expectWellFormed(wasm, code, map!);
    expect(originalOf(code, map!, 'si0=dv0.getInt32(')).toBe(offsetOf(wasm, 0, 0x28));
  });

  it('keeps positions through splitting and flattening', () => {
    for (const options of [{ splitThreshold: 1 }, { flattenHeight: 1 }, { splitThreshold: 1, pretty: true }, { flattenHeight: 1, pretty: true }]) {
      const { code, map } = compile(bytes, { ...options, sourceMap: true });
      const segments = expectWellFormed(bytes, code, map!);
      expect(segments.length).toBeGreaterThan(5);
      expect(originalOf(code, map!, 'trap(')).toBe(offsetOf(bytes, TWICE, 0x00));
    }
  });

  it('maps every function of real programs (bench/c), in every output format', () => {
    for (const file of BENCH_MODULES) {
      const wasm = benchModule(file);
      const { code, map } = compile(wasm, { sourceMap: true });
      const segments = expectWellFormed(wasm, code, map!);
      expect(segments.length, file).toBeGreaterThan(decode(wasm).funcs.length);
    }
    for (const format of ['cjs', 'iife'] as const) {
      const { code, map } = compile(bytes, { format, sourceMap: true, inlineRuntime: format === 'iife' ? 'var wasm2esRuntime = {};\n' : undefined });
      expectWellFormed(bytes, code, map!, 'script');
      expect(originalOf(code, map!, 'trap(')).toBe(offsetOf(bytes, TWICE, 0x00));
    }
  });

  it('names the .wasm and the map file as told', () => {
    const { code, map } = compile(bytes, { sourceMap: true, sourceMapSource: 'lib/app.wasm', sourceMapFile: 'app #1.js.map' });
    expect(map!.sources).toEqual(['lib/app.wasm']);
    expect(code.endsWith('\n//# sourceMappingURL=app%20%231.js.map\n')).toBe(true);
    for (const format of ['cjs', 'iife'] as const) {
      expect(compile(bytes, { format, sourceMap: true, sourceMapFile: 'out.js.map' }).code.endsWith('\n//# sourceMappingURL=out.js.map\n')).toBe(true);
    }
    // No comment without a map, or for a bare module body.
    expect(compile(bytes, { sourceMapFile: 'out.js.map' }).code).not.toContain('sourceMappingURL');
    expect(compile(bytes, { format: 'body', sourceMap: true, sourceMapFile: 'out.js.map' }).code).not.toContain('sourceMappingURL');
  });

  it('changes nothing in the output, and gives no map, without the option', () => {
    const all = [{}, { pretty: true }, { tune: 'interpreter' as const }, { splitThreshold: 1 }, { flattenHeight: 1 }, { format: 'cjs' as const }];
    for (const [wasm, optionSets] of [[bytes, all], ...BENCH_MODULES.map((file) => [benchModule(file), [{}, { pretty: true }]])] as const) {
      for (const options of optionSets) {
        const plain = compile(wasm, options);
        expect('map' in plain).toBe(false);
        expect(compile(wasm, { ...options, sourceMap: true }).code).toBe(plain.code);
      }
    }
  });

  it('runs the same with a map', () => {
    const exports = instantiate(bytes, { sourceMap: true });
    exports.store(4, 41);
    expect(exports.twice(4)).toBe(43);
    expect(() => exports.twice(0)).toThrow('unreachable');
  });
});

// ---- names ---------------------------------------------------------------------------

// The exports here enter through unnamed functions, which call the named
// ones; the runtime calls an export's function as a plain function, so a
// named export shows its plain name too (test/cli.test.ts, --source-map).
const NAMED = `(module
  (func $my_function (unreachable))
  (func (export "trap") (call $my_function))
  (func $divide (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "divide") (param i32 i32) (result i32) (call $divide (local.get 0) (local.get 1)))
  (func $foo::bar<T> (export "generic") (result i32) (call $$x.y))
  (func $$x.y (result i32) (call $__proto__))
  (func $__proto__ (result i32) (i32.const 7))
  (func $if (export "keyword") (result i32) (call $foo::bar<T>))
  (func (export "unnamed") (unreachable))
  (memory 1)
  (func $load_at (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load") (param i32) (result i32) (call $load_at (local.get 0)))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 1) func $__proto__)
  (type $void (func))
  (func $fill_at (param i32) (memory.fill (local.get 0) (i32.const 0) (i32.const 8)))
  (func (export "fill") (param i32) (call $fill_at (local.get 0)))
  (func $get_at (param i32) (drop (table.get $t (local.get 0))))
  (func (export "get") (param i32) (call $get_at (local.get 0)))
  (func $call_at (param i32) (call_indirect $t (type $void) (local.get 0)))
  (func (export "call") (param i32) (call $call_at (local.get 0))))`;

/** The function name of the first frame of `error`'s stack (V8's format: "    at name (place)"). */
function topFrame(error: unknown): string {
  const line = String((error as Error).stack).split('\n').find((text) => /^\s+at /.test(text));
  return /^\s+at (?:new )?(\S+)/.exec(line ?? '')?.[1] ?? '';
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a trap');
}

describe('names in stack traces', () => {
  const bytes = watNamed(NAMED);

  for (const options of [{}, { pretty: true }, { tune: 'interpreter' as const }, { splitThreshold: 1 }]) {
    it(`puts the name section's names in stack traces (${JSON.stringify(options)})`, () => {
      const exports = instantiate(bytes, options);
      const trapped = thrown(() => exports.trap());
      expect((trapped as Error).message).toBe('unreachable');
      expect(topFrame(trapped)).toBe('my_function');
      // A helper's trap (division): the helper and trap() are left out.
      const divided = thrown(() => exports.divide(1, 0));
      expect((divided as Error).message).toBe('integer divide by zero');
      expect(topFrame(divided)).toBe('divide');
      expect(exports.divide(7, 2)).toBe(3);
      // Names that are no identifiers, a name that is Object.prototype's, a keyword: calls work through all.
      expect(exports.generic()).toBe(7);
      expect(exports.keyword()).toBe(7);
      // A function without a name keeps its variable's.
      expect(topFrame(thrown(() => exports.unnamed()))).toMatch(/^fn\d+$/);
      // An access out of bounds: the memory's accessor frame is left out too.
      const outside = thrown(() => exports.load(65536));
      expect((outside as Error).message).toBe('out of bounds memory access');
      expect(topFrame(outside)).toBe('load_at');
      expect(exports.load(65532)).toBe(0);
      // Bulk memory, table access and call_indirect: the runtime's helpers are left out.
      const traps: [() => unknown, string, string][] = [
        [() => exports.fill(65530), 'out of bounds memory access', 'fill_at'],
        [() => exports.get(2), 'out of bounds table access', 'get_at'],
        [() => exports.call(0), 'uninitialized element', 'call_at'],
        [() => exports.call(1), 'indirect call type mismatch', 'call_at'],
        [() => exports.call(2), 'undefined element', 'call_at'],
      ];
      for (const [run, message, frame] of traps) {
        const error = thrown(run);
        expect((error as Error).message).toBe(message);
        expect(topFrame(error), message).toBe(frame);
      }
    });
  }

  it('shows names that are no JavaScript identifiers exactly', () => {
    const text = `(module
      (func (export "a") (call $foo::bar<T>))
      (func $foo::bar<T> (call $$x.y))
      (func $$x.y (unreachable)))`;
    const exports = instantiate(watNamed(text));
    const stack = String((thrown(() => exports.a()) as Error).stack).split('\n').filter((line) => /^\s+at /.test(line));
    expect(stack[0]).toMatch(/^\s+at \$x\.y /);
    expect(stack[1]).toMatch(/^\s+at foo::bar<T> /);
  });

  it('names lazily generated functions too', () => {
    const { body, functionSource } = compileLazy(bytes, '', Object.keys(rt));
    const exports = (new Instance(defineModule(new Function('rt', '$text', body)(rt, functionSource)), {}) as any).exports;
    expect(topFrame(thrown(() => exports.trap()))).toBe('my_function');
    expect(exports.generic()).toBe(7);
  });

  it('keeps the output of modules without a name section as it was', () => {
    const plain = wat(NAMED);
    expect(decode(plain).names).toBeNull();
    expect(compile(plain).code).not.toMatch(/var fn\d+=\{/);
    expect(compile(plain).code).toContain('function fn0(){');
    // With names, a named function is a method, and the module's identifiers stay fnN.
    const { code } = compile(bytes);
    expect(code).toContain('var fn0={my_function(){\ntrap("unreachable");');
    expect(code).toContain('}.my_function;');
    expect(code).toContain('{"foo::bar\\u003CT>"(){'); // `<` escaped, as in every string the output holds
    expect(code).toContain('}["$x.y"];');
  });
});

// ---- Node, end to end -------------------------------------------------------------------

describe('node --enable-source-maps', () => {
  it('reports a trap at the wasm function and the byte offset of the instruction', () => {
    requireBuild();
    const bytes = watNamed(NAMED);
    const dir = freshOutputDir('sourcemap');
    try {
      const { code, map } = compile(bytes, { format: 'esm', sourceMap: true, sourceMapSource: 'named.wasm', sourceMapFile: 'named.mjs.map' });
      writeFileSync(join(dir, 'named.wasm'), bytes);
      writeFileSync(join(dir, 'named.mjs'), code);
      writeFileSync(join(dir, 'named.mjs.map'), JSON.stringify(map));
      writeFileSync(join(dir, 'main.mjs'), [
        "import module, { WebAssembly } from './named.mjs';",
        'const { exports } = new WebAssembly.Instance(module, {});',
        'try { exports.trap(); } catch (error) { console.log(error.stack); }',
      ].join('\n'));
      const run = runNode(['--enable-source-maps', join(dir, 'main.mjs')]);
      expect(run.stderr).toBe('');
      const frames = run.stdout.split('\n').filter((line) => /^\s+at /.test(line));
      // Node prints the original position 1-based: line 1, column offset + 1.
      const unreachable = offsetOf(bytes, 0, 0x00);
      expect(frames[0]).toMatch(new RegExp(`^\\s+at my_function \\(.*named\\.wasm:1:${unreachable + 1}\\)$`));
      // The caller's frame: the call instruction of the export's function.
      const call = offsetOf(bytes, 1, 0x10);
      expect(frames[1]).toMatch(new RegExp(`^\\s+at .*fn1 \\(.*named\\.wasm:1:${call + 1}\\)$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
