// The shared core of the bundler plugins, without a bundler: which module
// each request gets, and how a failure reads.

import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'acorn';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { assemble, root, writeApp } from './app.js';

const core = await import(pathToFileURL(join(root, 'dist/plugins/core.js')).href);

const compiled = async (file: string, text: string) => core.compileWasmFile(file, {}, 'esm', await assemble(text));

describe('plugin core', () => {
  it('tells the forms apart by query', () => {
    expect(core.parseWasmRequest('/a/x.wasm')).toEqual({ file: '/a/x.wasm', form: 'main' });
    expect(core.parseWasmRequest('/a/x.wasm?init')).toEqual({ file: '/a/x.wasm', form: 'init' });
    expect(core.parseWasmRequest('/a/x.wasm?wasm2es=module')).toEqual({ file: '/a/x.wasm', form: 'module' });
    expect(core.parseWasmRequest('/a/x.wasm?url')).toBeNull();
    expect(core.parseWasmRequest('/a/x.js')).toBeNull();
  });

  it('instantiates (ESM integration) only modules whose imports are specifiers, unless told', async () => {
    const relative = await compiled('/a/r.wasm', '(module (import "./m.js" "f" (func)))');
    const bare = await compiled('/a/b.wasm', '(module (import "env" "f" (func)))');
    expect(core.usesEsmIntegration(relative, {})).toBe(true);
    expect(core.usesEsmIntegration(bare, {})).toBe(false);
    expect(core.usesEsmIntegration(bare, { esmIntegration: true })).toBe(true);
    expect(core.usesEsmIntegration(relative, { esmIntegration: false })).toBe(false);
  });

  it('exports every wasm export by name, non-identifiers as string names, and keeps default for the Module', async () => {
    const module = await compiled('/a/x.wasm', `(module (func $f)
      (export "add" (func $f)) (export "a-b" (func $f)) (export "default" (func $f)) (export "if" (func $f)))`);
    const code = core.esmModule(module, 'main', {});
    expect(code).toContain('export { e0 as add }');
    expect(code).toContain('export { e1 as "a-b" }');
    expect(code).toContain('export { e3 as "if" }');
    expect(code).toContain('export default wasmModule');
    expect(code).not.toMatch(/as default/);
    parse(code, { ecmaVersion: 2022, sourceType: 'module' });
    parse(core.commonJsModule(core.compileWasmFile('/a/x.wasm', {}, 'body', module.bytes), {}), { ecmaVersion: 2022 });
  });

  it('names the file and byte offset of a module that does not compile', () => {
    let failure: { message: string; offset?: number } | undefined;
    try {
      core.compileWasmFile(join(root, 'fixtures/truncated.wasm'), {});
    } catch (error) {
      failure = error as typeof failure;
    }
    expect(failure?.message).toMatch(/^fixtures\/truncated\.wasm: .*\(at 0x([0-9a-f]+)/);
    expect(failure?.offset).toBe(parseInt(/\(at 0x([0-9a-f]+)/.exec(failure!.message)![1], 16));
    expect(() => core.compileWasmFile(join(root, 'fixtures/missing.wasm'), {})).toThrow(/^fixtures\/missing\.wasm: cannot read: /);
  });

  it('writes x.d.wasm.ts beside x.wasm, which TypeScript reads for the import, only when its text changes', async () => {
    const dir = writeApp('core-dts', {
      'math.wasm': await assemble(`(module (import "./log.js" "log" (func $log (param i32)))
        (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
        (global (export "answer") i32 (i32.const 42)) (memory (export "memory") 1))`),
      'env.wasm': await assemble('(module (import "env" "f" (func)) (func (export "run")))'),
      'log.js': 'export function log(x) { console.log(x); }\n',
      'main.ts': [
        'declare function show(...values: unknown[]): void;',
        "import mathModule, { add, answer, memory } from './math.wasm';",
        "import envModule from './env.wasm';",
        "import { WebAssembly } from 'wasm2es/runtime';",
        'const sum: number = add(1, 2) + answer;',
        'const pages: number = memory.buffer.byteLength / 65536;',
        "new WebAssembly.Instance(mathModule, { './log.js': { log: (x: number) => show(x, sum, pages) } });",
        'new WebAssembly.Instance(envModule, { env: { f() {} } }).exports.run();',
        '// @ts-expect-error: add takes numbers',
        "add('1', 2);",
        '// @ts-expect-error: a module that is not instantiated on import has only its default export',
        "import { run } from './env.wasm';",
        '',
      ].join('\n'),
    });
    const cache = core.createCompileCache({});
    for (const name of ['math.wasm', 'env.wasm']) cache(join(dir, name));
    const written = readFileSync(join(dir, 'math.d.wasm.ts'), 'utf8');
    expect(written).toContain('export declare const add: Exports["add"];');
    expect(written).toContain('export declare const answer: number;');
    expect(readFileSync(join(dir, 'env.d.wasm.ts'), 'utf8')).not.toContain('export declare const');
    const program = ts.createProgram([join(dir, 'main.ts')], {
      strict: true, noEmit: true, allowArbitraryExtensions: true, target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'], types: [],
    });
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '))).toEqual([]);
    // Unchanged text is not written again (a watch build would wake for it); dts: false writes nothing.
    const before = statSync(join(dir, 'math.d.wasm.ts')).mtimeMs;
    core.writeDeclarations(core.compileWasmFile(join(dir, 'math.wasm'), {}), {});
    expect(statSync(join(dir, 'math.d.wasm.ts')).mtimeMs).toBe(before);
    rmSync(join(dir, 'env.d.wasm.ts'));
    core.createCompileCache({ dts: false })(join(dir, 'env.wasm'));
    expect(existsSync(join(dir, 'env.d.wasm.ts'))).toBe(false);
  });

  it('finds the .wasm files glue fetches by URL', () => {
    const code = "const a = new URL('./a.wasm', import.meta.url);\nconst b = new URL(\"../b.wasm\" , import.meta.url); new URL('./c.png', import.meta.url);"
      + "new URL('d.wasm', import.meta.url); new URL('https://example.com/e.wasm', import.meta.url);";
    const found = core.findWasmUrls(code);
    expect(found.map((reference: { specifier: string }) => reference.specifier)).toEqual(['./a.wasm', '../b.wasm', './d.wasm']);
    expect(code.slice(found[2].start, found[2].end)).toBe("'d.wasm'");
    expect(code.slice(found[0].start, found[0].end)).toBe("'./a.wasm'");
    expect(core.registerImports(['./a.wasm', './a.wasm'])).toBe('\nimport "./a.wasm?wasm2es=module";');
  });
});
