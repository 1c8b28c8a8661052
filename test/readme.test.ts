// The README's examples, run as a reader would run them. A fenced block
// preceded by `<!-- test: NAME -->` is saved as NAME in a scratch directory
// inside the package (so `wasm2es/...` imports resolve to this checkout, as
// they would to an installed copy), with `bin` and `fixtures` linked in;
// `.sh` blocks are run line by line, and a script's expected output is what
// its `console.log(...); // X` comments say.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import ts from 'typescript';
import vm from 'node:vm';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'test/.out/readme');

/** The marked blocks of the README, by name, in order. */
function readmeBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const pattern = /<!-- test: ([\w.-]+) -->\n```\w*\n([\s\S]*?)```/g;
  for (const match of text.matchAll(pattern)) {
    if (blocks.has(match[1])) throw new Error(`README: two blocks named ${match[1]}`);
    blocks.set(match[1], match[2]);
  }
  return blocks;
}

/** What a script says it prints: the `// X` comments after its console.log calls. */
function expectedOutput(script: string): string {
  const lines = [...script.matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((match) => match[1]);
  if (lines.length === 0) throw new Error('no console.log(...); // expected output comment');
  return lines.map((line) => `${line}\n`).join('');
}

const blocks = readmeBlocks(readFileSync(join(root, 'README.md'), 'utf8'));

/** Runs one shell line of a block in the scratch directory; returns its stdout. */
function shell(line: string): string {
  const run = spawnSync('sh', ['-c', line], { cwd: work, encoding: 'utf8' });
  const stderr = run.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/gm, '');
  expect(stderr, line).toBe('');
  expect(run.status, line).toBe(0);
  return run.stdout;
}

const commands = (name: string): string[] => blocks.get(name)!.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  symlinkSync(join(root, 'bin'), join(work, 'bin'));
  symlinkSync(join(root, 'fixtures'), join(work, 'fixtures'));
  for (const [name, text] of blocks) if (!name.endsWith('.sh')) writeFileSync(join(work, name), text);
  for (const line of commands('compile.sh')) shell(line);
});

describe('README quick start', () => {
  it('has its blocks', () => {
    for (const name of ['compile.sh', 'demo.mjs', 'run-demo.sh', 'glue.mjs']) expect(blocks.has(name), name).toBe(true);
  });

  it('compiles the fixture, runs demo.mjs under node --jitless, and the byte-based glue', () => {
    const [run] = commands('run-demo.sh');
    expect(shell(run)).toBe(expectedOutput(blocks.get('demo.mjs')!));
    expect(shell('node --jitless glue.mjs')).toBe(expectedOutput(blocks.get('glue.mjs')!));
  });

  it('works the same in a fresh `npm init` project outside this repository (CommonJS by default), with npx', () => {
    const project = mkdtempSync(join(tmpdir(), 'wasm2es-fresh-'));
    try {
      // What `npm init -y` writes (no "type"), and wasm2es installed as a dependency.
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', main: 'index.js', license: 'ISC' }, null, 2));
      mkdirSync(join(project, 'node_modules/.bin'), { recursive: true });
      symlinkSync(root, join(project, 'node_modules/wasm2es'));
      symlinkSync('../wasm2es/bin/wasm2es.js', join(project, 'node_modules/.bin/wasm2es'));
      symlinkSync(join(root, 'fixtures'), join(project, 'fixtures'));
      writeFileSync(join(project, 'demo.mjs'), blocks.get('demo.mjs')!);
      const inProject = (line: string): string => {
        const result = spawnSync('sh', ['-c', line], { cwd: project, encoding: 'utf8', env: { ...process.env, npm_config_yes: 'true', npm_config_offline: 'true' } });
        expect(result.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/gm, ''), line).toBe('');
        expect(result.status, line).toBe(0);
        return result.stdout;
      };
      const [compileLine] = commands('compile.sh');
      inProject(compileLine.replace(/^node bin\/wasm2es\.js/, 'npx wasm2es'));
      const [run] = commands('run-demo.sh');
      expect(inProject(run)).toBe(expectedOutput(blocks.get('demo.mjs')!));
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});



describe('README API', () => {
  it('compile() and the package WebAssembly run as shown, under node --jitless too', () => {
    for (const name of ['api-compile.mjs', 'api-webassembly.mjs']) {
      expect(shell(`node ${name}`), name).toBe(expectedOutput(blocks.get(name)!));
      expect(shell(`node --jitless ${name}`), name).toBe(expectedOutput(blocks.get(name)!));
    }
  });

  it('wasm2es/polyfill gives node --jitless a WebAssembly, and leaves an engine its own', () => {
    writeFileSync(join(work, 'polyfill-check.mjs'), `const native = globalThis.WebAssembly;
await import('./polyfill.mjs');
console.log(typeof WebAssembly.instantiate, globalThis.WebAssembly === native);
`);
    expect(shell('node --jitless polyfill-check.mjs')).toBe('function false\n');
    expect(shell('node polyfill-check.mjs')).toBe('function true\n');
  });
});

describe('README code blocks', () => {
  it('are all run, but for the setup commands (what CI runs) and the CLI synopsis', () => {
    const fences = readFileSync(join(root, 'README.md'), 'utf8').match(/^```\w*\n[\s\S]*?^```$/gm)!;
    const unmarked = fences.filter((fence) => ![...blocks.values()].some((text) => fence.includes(text)));
    expect(unmarked.map((fence) => fence.split('\n')[1])).toEqual([
      'npm install   # also builds dist/, through the prepare script',
      'wasm2es <input...> [-o out.mjs | --out-dir dir] [--format esm|cjs|iife] [--inline-runtime]',
    ]);
  });

  it('the fuzzers\' commands run (for seconds here, not minutes)', { timeout: 120_000 }, () => {
    const shorter = (line: string) => line.replace(/--seconds \d+/, '--seconds 3').replace(/--count \d+/, '--count 30');
    for (const line of commands('check.sh')) {
      const run = spawnSync('sh', ['-c', shorter(line)], { cwd: root, encoding: 'utf8' });
      expect(run.status, `${shorter(line)}: ${run.stderr}`).toBe(0);
      expect(run.stdout, line).toMatch(/ 0 divergences|unexpected outcomes: 0\n/);
    }
  });
});

describe('README bundlers', () => {
  it('the esbuild example bundles the app, and the bundle runs under node --jitless', { timeout: 60_000 }, () => {
    const [copy, build, run] = commands('bundle.sh');
    shell(copy);
    shell(build);
    expect(shell(run)).toBe(expectedOutput(blocks.get('app.mjs')!));
    expect(readFileSync(join(work, 'memory.d.wasm.ts'), 'utf8')).toContain('declare const wasmModule: Module<Exports, Imports>;');
    // The compiled JavaScript is in the bundle; the .wasm is not beside it.
    expect(readFileSync(join(work, 'out/app.mjs'), 'utf8')).toContain('accumulate');
    expect(readdirSync(join(work, 'out'))).toEqual(['app.mjs']);
  });
});

describe('README in a page', () => {
  it('the iife output after the runtime script, as the page shows, in a fresh global scope', () => {
    const page = blocks.get('page.html')!;
    const [, compileLine] = /<!-- (wasm2es [^>]*) -->/.exec(page)!;
    // The page's app.wasm: the fixture whose export calls the import it is given.
    shell(compileLine.replace(/^wasm2es app\.wasm/, 'node bin/wasm2es.js fixtures/simple.wasm'));
    const context = vm.createContext({ console });
    const files: Record<string, string> = { 'node_modules/wasm2es/dist/runtime.iife.js': join(root, 'dist/runtime.iife.js'), 'app.js': join(work, 'app.js') };
    let inline = 0;
    for (const [, src, body] of page.matchAll(/<script(?: src="([^"]+)")?>([\s\S]*?)<\/script>/g)) {
      if (src !== undefined) {
        vm.runInContext(readFileSync(files[src]!, 'utf8'), context, { filename: src });
      } else {
        // What the page's `imports` stands for: the import object the module needs.
        vm.runInContext('var printed = []; var imports = { imports: { imported_func: (x) => printed.push(x) } };', context);
        vm.runInContext(`${body}\ninstance.exports.exported_func();`, context);
        inline++;
      }
    }
    expect(inline).toBe(1);
    expect(vm.runInContext('printed.join()', context)).toBe('42');
  });
});

describe('README TypeScript', () => {
  it('the declarations --dts writes type-check the typed example, and catch both mistakes it marks', { timeout: 60_000 }, () => {
    for (const line of commands('compile-dts.sh')) shell(line);
    const program = ts.createProgram([join(work, 'typed.mts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts'],
      types: [],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '));
    // Each `@ts-expect-error` would itself be an error if its line were accepted.
    expect(diagnostics).toEqual([]);
    expect(blocks.get('typed.mts')!.match(/@ts-expect-error/g)).toHaveLength(2);
  });
});

// The deployment recipes, each followed by what a host's glue would do.
describe('README deployment recipes', () => {
  const bytes = () => [...readFileSync(join(root, 'fixtures/memory.wasm'))].join(',');
  // Promise-style, not await: Hermes has no async functions.
  const accumulate = (out: string) => `
const memory = new WebAssembly.Memory({ initial: 1 });
new Uint32Array(memory.buffer).set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
const done = WebAssembly.instantiate(new Uint8Array([${bytes()}]), { js: { mem: memory } })
  .then(({ instance }) => ${out}(instance.exports.accumulate(0, 10)), (error) => ${out}(String(error)));
`;

  it("Node under --jitless: precompiled modules and Node's own fetch both work", () => {
    writeFileSync(join(work, 'node-check.mjs'), `import './node-host.mjs';
import http from 'node:http';
${accumulate('console.log')}
await done;
const server = http.createServer((request, response) => response.end('pong')).listen(0, '127.0.0.1');
await new Promise((resolve) => server.on('listening', resolve));
console.log(await (await fetch('http://127.0.0.1:' + server.address().port + '/')).text());
server.close();
`);
    expect(shell('node --jitless node-check.mjs')).toBe('45\npong\n');
  });

  it('a browser without WebAssembly: the runtime is installed, glue streams from a Response', () => {
    // Lockdown Mode, simulated: the engine's WebAssembly is gone before the page's modules run.
    writeFileSync(join(work, 'no-wasm.mjs'), 'delete globalThis.WebAssembly;\n');
    writeFileSync(join(work, 'browser-check.mjs'), `import './no-wasm.mjs';
import './browser-host.mjs';
import { readFile } from 'node:fs/promises';
const bytes = await readFile('fixtures/memory.wasm');
const response = { ok: true, status: 200, headers: { get: (name) => (name.toLowerCase() === 'content-type' ? 'application/wasm' : null) }, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) };
const memory = new WebAssembly.Memory({ initial: 1 });
new Uint32Array(memory.buffer).set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
const { instance } = await WebAssembly.instantiateStreaming(Promise.resolve(response), { js: { mem: memory } });
console.log(instance.exports.accumulate(0, 10), globalThis.WebAssembly === (await import('wasm2es/runtime')).WebAssembly);
`);
    expect(shell('node browser-check.mjs')).toBe('45 true\n');
  });

  it('an engine with WebAssembly keeps its own', () => {
    writeFileSync(join(work, 'native-check.mjs'), `const native = globalThis.WebAssembly;
await import('./browser-host.mjs');
console.log(globalThis.WebAssembly === native);
`);
    expect(shell('node native-check.mjs')).toBe('true\n');
  });

  const hermes = join(root, 'node_modules/hermes-engine-cli/linux64-bin/hermes');
  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('React Native: the recipe bundled as it is (rolldown) runs on Hermes', () => {
    writeFileSync(join(work, 'hermes-check.mjs'), `import './browser-host.mjs';\n${accumulate('print')}`);
    execFileSync(process.execPath, [join(root, 'node_modules/rolldown/bin/cli.mjs'), 'hermes-check.mjs', '--format', 'iife', '-o', 'hermes-bundle.js'], { cwd: work, stdio: 'pipe' });
    const bundle = readFileSync(join(work, 'hermes-bundle.js'), 'utf8');
    expect(bundle).not.toMatch(/\bclass\s+[A-Za-z_$]/);
    const run = spawnSync(hermes, ['-w', join(work, 'hermes-bundle.js')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('45\n');
  });
});
