// The shared core of the bundler plugins, without a bundler: which module
// each request gets, and how a failure reads.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { assemble, root } from './app.js';

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
