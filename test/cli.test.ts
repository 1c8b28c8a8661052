// The wasm2es command, run from dist/ in child processes as a user would run
// it: arguments, every output format (loaded and run), determinism, .wat and
// -O through binaryen, the one-line errors with no output left behind, what
// -o does with symlinks, devices and pipes, and names that would break out of
// an HTML <script>.

import {
  chmodSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync,
  renameSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'acorn';
import {
  binPath,
  fixture,
  freshOutputDir,
  parseGenerated,
  repoRoot,
  requireBuild,
  runCli,
  runJitless,
  runNode,
  type Run,
} from './helpers/cli.js';
import { compile } from '../compiler/index.js';
import { watNamed } from './runtime/helpers.js';

const runOutput = join(repoRoot, 'test/helpers/run-output.mjs');
const noBinaryen = join(repoRoot, 'test/helpers/no-binaryen.mjs');
const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string;

type Format = 'esm' | 'cjs' | 'iife';
// How each format's file is named when loaded: .mjs/.cjs pin the module system.
const extension: Record<Format, string> = { esm: 'mjs', cjs: 'cjs', iife: 'js' };

// Each test starts the CLI a few times in child processes, some through
// binaryen at about a second a run: vitest's default 5 s fails them on a
// machine busy with other work.
vi.setConfig({ testTimeout: 60_000 });

let outDir = '';
let counter = 0;
/** A new output path in the test's directory. */
const outputPath = (format: Format = 'esm'): string => join(outDir, `out-${++counter}.${extension[format]}`);

beforeAll(() => {
  requireBuild();
  outDir = freshOutputDir('cli');
});

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Runs the CLI with `args`, expects success, and returns the JavaScript (re-parsed with acorn). */
function expectCompiles(args: string[], format: Format = 'esm'): string {
  const run = runCli(args);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  parseGenerated(run.stdout, format);
  return run.stdout;
}

/** Writes `code`, loads it as `format`, runs the fixture's export and expects what it prints. */
function expectRuns(code: string, format: Format, fixtureName: 'memory' | 'simple', expected: string, globalName = '', inline = false): void {
  // Self-contained output runs from outside the package, where `wasm2es/runtime` cannot resolve.
  const outsideDir = inline ? mkdtempSync(join(tmpdir(), 'wasm2es-inline-')) : undefined;
  const file = outsideDir ? join(outsideDir, `out.${extension[format]}`) : outputPath(format);
  writeFileSync(file, code);
  let run: Run;
  try {
    run = runJitless([runOutput, format, file, fixtureName, globalName, inline ? 'inline' : '']);
  } finally {
    if (outsideDir) rmSync(outsideDir, { recursive: true, force: true });
  }
  expect(run.stderr).toBe('');
  expect(run.stdout).toBe(expected);
  expect(run.status).toBe(0);
}

/** Runs an ES module output file already written, as expectRuns does. */
function expectRunsFile(file: string, fixtureName: 'memory' | 'simple', expected: string): void {
  const run = runJitless([runOutput, 'esm', file, fixtureName, '', '']);
  expect(run.stderr).toBe('');
  expect(run.stdout).toBe(expected);
}

/** Expects a failure reported as exactly one line `wasm2es: <file>: <message>`, no stack trace, nothing on stdout. */
function expectOneLineError(run: Run, file: string, message: RegExp, status = 1): void {
  expect(run.status).toBe(status);
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n');
  expect(lines, run.stderr).toHaveLength(2);
  expect(lines[1]).toBe('');
  expect(lines[0]!.startsWith(`wasm2es: ${file}: `), lines[0]).toBe(true);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

/** Lists the directory's files (temporary files included) to check nothing was left behind. */
const filesIn = (dir: string): string[] => readdirSync(dir).sort();

describe('wasm2es --help and --version', () => {
  it('--help describes the usage and every option, exit 0', () => {
    const run = runCli(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: wasm2es \[options\] <input\.\.\.>/);
    for (const option of ['--output', '--out-dir', '--format', '--inline-runtime', '--optimize', '--pretty', '--runtime-import', '--global-name', '--tune', '--quiet', '--stats', '--watch', '--version']) {
      expect(run.stdout).toContain(option);
    }
  });

  it('--version prints the package version, exit 0', () => {
    const run = runCli(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });

  it('--help into a reader that stops early (`| head -1`) ends quietly', () => {
    // The reader closes the pipe before the help is written: an EPIPE, which
    // once came out as an uncaught 'error' event with a stack trace.
    const cli = join(repoRoot, 'bin/wasm2es.js');
    const run = spawnSync('sh', ['-c', `"${process.execPath}" "${cli}" --help | head -c 0; "${process.execPath}" "${cli}" --help | head -1`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('Usage: wasm2es [options] <input...>\n');
  });
});

describe('usage errors exit 2 with a clear message', () => {
  it.each([
    [[], /missing required argument 'input'/],
    [['--bogus', fixture('simple.wasm')], /unknown option '--bogus'/],
    [['--format', 'umd', fixture('simple.wasm')], /argument 'umd' is invalid\. Allowed choices are esm, cjs, iife/],
    [['--tune', 'fast', fixture('simple.wasm')], /argument 'fast' is invalid\. Allowed choices are jit, interpreter/],
    [['--inline-runtime', '--runtime-import', 'x', fixture('simple.wasm')], /cannot be used with/],
    [['--global-name', 'g', fixture('simple.wasm')], /--global-name only applies to --format iife/],
    [['--format', 'iife', '--runtime-import', 'x', fixture('simple.wasm')], /--runtime-import does not apply to --format iife/],
    [[fixture('simple.wasm'), '-o', fixture('simple.wasm')], /would overwrite the input/],
    [[fixture('simple.wasm'), fixture('memory.wasm')], /several inputs need --out-dir <dir>/],
    [[fixture('simple.wasm'), '-o', 'x.mjs', '--out-dir', 'gen'], /cannot be used with/],
    [['-', '-', '--out-dir', 'gen'], /stdin \(-\) can be read only once/],
    [[fixture('simple.wasm'), fixture('simple.wat'), '--out-dir', 'gen'], /would both be written as simple in --out-dir/],
    [[fixture('simple.wasm'), '--watch'], /--watch needs -o <file> or --out-dir <dir>/],
    [['-', '--watch', '-o', 'x.mjs'], /--watch cannot watch stdin/],
    [[fixture('simple.wasm'), '--dts'], /--dts needs -o <file> or --out-dir <dir>/],
    [[fixture('simple.wasm'), '--source-map'], /--source-map needs -o <file> or --out-dir <dir>/],
    [[fixture('simple.wasm'), '--source-map', '-O', '-o', 'x.mjs'], /--source-map cannot be used with -O/],
    [[fixture('simple.wat'), '--source-map', '-o', 'x.mjs'], /--source-map needs \.wasm input/],
  ])('wasm2es %j', (args, message) => {
    const run = runCli(args as string[]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^wasm2es: /);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('converting a module', () => {
  it('writes an ES module to stdout by default', () => {
    const code = expectCompiles([fixture('simple.wasm')]);
    expect(code).toContain('wasm2es/runtime');
    expectRuns(code, 'esm', 'simple', '42\n');
  });

  it('writes the same bytes to -o as to stdout, and nothing to stdout', () => {
    const output = outputPath();
    const run = runCli([fixture('memory.wasm'), '-o', output]);
    expect(run).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(readFileSync(output, 'utf8')).toBe(expectCompiles([fixture('memory.wasm')]));
  });

  it('replaces an existing output file', () => {
    const output = outputPath();
    writeFileSync(output, 'old contents');
    expect(runCli([fixture('memory.wasm'), '--output', output]).status).toBe(0);
    const code = readFileSync(output, 'utf8');
    parseGenerated(code, 'esm');
    expectRuns(code, 'esm', 'memory', '45\n');
  });

  it('--tune interpreter reads memory through typed arrays, and runs the same', () => {
    const jit = expectCompiles([fixture('memory.wasm')]);
    const interpreter = expectCompiles([fixture('memory.wasm'), '--tune', 'interpreter']);
    expect(jit).not.toMatch(/new (Int|Uint)(8|16|32)Array\(littleEndian_ \? buffer : 0\)/);
    expect(interpreter).toMatch(/new (Int|Uint)(8|16|32)Array\(littleEndian_ \? buffer : 0\)/);
    expect(expectCompiles([fixture('memory.wasm'), '--tune', 'jit'])).toBe(jit);
    expectRuns(interpreter, 'esm', 'memory', '45\n');
  });

  it('prints compactly by default, and indented with --pretty: the same program either way', () => {
    const compact = expectCompiles([fixture('memory.wasm')]);
    const pretty = expectCompiles([fixture('memory.wasm'), '--pretty']);
    expect(compact).not.toMatch(/^ +\S/m);
    expect(pretty).toMatch(/^    function fn\d+\(/m);
    expect(pretty.length).toBeGreaterThan(compact.length);
    // The same syntax tree, printed two ways (test/print.test.ts checks this on whole modules).
    const tree = (code: string) => JSON.stringify(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }), (key, value) => (key === 'start' || key === 'end' ? undefined : value));
    expect(tree(pretty)).toBe(tree(compact));
    expectRuns(pretty, 'esm', 'memory', '45\n');
  });

  it('--runtime-import changes the specifier the output imports', () => {
    const code = expectCompiles([fixture('simple.wasm'), '--runtime-import', './my-runtime.js']);
    expect(code).toContain('./my-runtime.js');
    expect(code).not.toContain('wasm2es/runtime');
  });
});

describe('output formats, each loaded and run on node --jitless', () => {
  it.each([
    ['esm', 'memory', '45\n'],
    ['esm', 'simple', '42\n'],
    ['cjs', 'memory', '45\n'],
    ['cjs', 'simple', '42\n'],
  ] as const)('--format %s: %s', (format, name, expected) => {
    const code = expectCompiles([fixture(`${name}.wasm`), '--format', format], format);
    expectRuns(code, format, name, expected);
  });

  it.each([
    ['memory', '45\n'],
    ['simple', '42\n'],
  ] as const)('--format iife after dist/runtime.iife.js: %s', (name, expected) => {
    const code = expectCompiles([fixture(`${name}.wasm`), '--format', 'iife', '--global-name', 'fixtureModule'], 'iife');
    expectRuns(code, 'iife', name, expected, 'fixtureModule');
  });

  function expectSelfContainedRuns(format: Format): void {
    const args = [fixture('simple.wasm'), '--format', format, '--inline-runtime'];
    if (format === 'iife') args.push('--global-name', 'fixtureModule');
    const code = expectCompiles(args, format);
    expect(code).not.toMatch(/\bimport\b[^;]*["']wasm2es\/runtime["']|require\(["']wasm2es\/runtime["']\)/);
    expectRuns(code, format, 'simple', '42\n', 'fixtureModule', true);
  }

  it('--format esm --inline-runtime is self-contained and exports its WebAssembly', () => {
    expectSelfContainedRuns('esm');
  });

  it('--format cjs --inline-runtime is self-contained and publishes its runtime as globalThis.wasm2esRuntime', () => {
    expectSelfContainedRuns('cjs');
  });

  it('--format iife --inline-runtime is self-contained and publishes its runtime as globalThis.wasm2esRuntime', () => {
    expectSelfContainedRuns('iife');
  });
});

describe('what Node will load: the format follows the output file name and the nearest package.json', () => {
  let scopes = '';
  beforeAll(() => {
    scopes = freshOutputDir('cli-scope');
    // A project made by `npm init`: no "type", so .js files are CommonJS.
    mkdirSync(join(scopes, 'commonjs'));
    writeFileSync(join(scopes, 'commonjs/package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
    mkdirSync(join(scopes, 'module'));
    writeFileSync(join(scopes, 'module/package.json'), JSON.stringify({ type: 'module' }));
  });
  afterAll(() => rmSync(scopes, { recursive: true, force: true }));

  const runtimeCjs = join(repoRoot, 'dist/runtime.cjs');
  const isCommonJs = (code: string): boolean => code.startsWith('"use strict";\nconst { rt, defineModule } = require(');
  const isEsModule = (code: string): boolean => code.startsWith('import { rt, defineModule } from ');

  it('-o app.js in a CommonJS package writes CommonJS, says so, and it loads', () => {
    const out = join(scopes, 'commonjs/app.js');
    const run = runCli([fixture('simple.wasm'), '-o', out, '--runtime-import', runtimeCjs]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`wasm2es: ${out}: writing CommonJS, which Node loads from a .js file here (${join(scopes, 'commonjs/package.json')} has no "type": "module"); for an ES module name the output .mjs, or pass --format esm\n`);
    expect(isCommonJs(readFileSync(out, 'utf8'))).toBe(true);
    const load = runJitless(['-e', `const m = require(${JSON.stringify(out)}); const { WebAssembly } = require(${JSON.stringify(runtimeCjs)}); console.log(m instanceof WebAssembly.Module, WebAssembly.Module.exports(m)[0].name)`]);
    expect(load.stderr).toBe('');
    expect(load.stdout).toBe('true exported_func\n');
  });

  it('--quiet leaves the note out; .mjs and .cjs names pick their format with no note', () => {
    const quiet = runCli([fixture('simple.wasm'), '-o', join(scopes, 'commonjs/quiet.js'), '--quiet']);
    expect(quiet.stderr).toBe('');
    expect(isCommonJs(readFileSync(join(scopes, 'commonjs/quiet.js'), 'utf8'))).toBe(true);
    for (const [name, check] of [['app.mjs', isEsModule], ['app.cjs', isCommonJs]] as const) {
      const out = join(scopes, 'commonjs', name);
      const run = runCli([fixture('simple.wasm'), '-o', out]);
      expect(run.stderr).toBe('');
      expect(check(readFileSync(out, 'utf8')), name).toBe(true);
    }
    const moduleScope = runCli([fixture('simple.wasm'), '-o', join(scopes, 'module/app.js')]);
    expect(moduleScope.stderr).toBe('');
    expect(isEsModule(readFileSync(join(scopes, 'module/app.js'), 'utf8'))).toBe(true);
  });

  it('warns when --format asks for what Node will not load from that name', () => {
    const esm = runCli([fixture('simple.wasm'), '-o', join(scopes, 'commonjs/forced.js'), '--format', 'esm']);
    expect(esm.status).toBe(0);
    expect(esm.stderr).toMatch(/^wasm2es: .*forced\.js: warning: this is an ES module, but Node will load it as CommonJS \(.*package\.json has no "type": "module"\): name it \.mjs, set "type": "module", or pass --format cjs\n$/);
    const cjs = runCli([fixture('simple.wasm'), '-o', join(scopes, 'module/forced.mjs'), '--format', 'cjs']);
    expect(cjs.stderr).toMatch(/warning: this is CommonJS, but Node will load it as an ES module: name it \.cjs, or pass --format esm\n$/);
  });
});

describe('several inputs, stdin and stdout, --stats, --watch', () => {
  it('--out-dir writes each input as <name>.js, or .mjs where .js would be CommonJS, and creates the directory', () => {
    const dir = freshOutputDir('cli-outdir');
    try {
      const inRepo = runCli([fixture('simple.wasm'), fixture('memory.wasm'), '--out-dir', join(dir, 'gen')]);
      expect(inRepo.stderr).toBe('');
      expect(inRepo.status).toBe(0);
      expect(filesIn(join(dir, 'gen'))).toEqual(['memory.js', 'simple.js']);
      const outside = mkdtempSync(join(tmpdir(), 'wasm2es-outdir-'));
      try {
        const run = runCli([fixture('simple.wasm'), fixture('memory.wat'), '--out-dir', outside, '--format', 'cjs']);
        expect(run.stderr).toBe('');
        expect(filesIn(outside)).toEqual(['memory.js', 'simple.js']);
        const esm = runCli([fixture('simple.wasm'), '--out-dir', outside]);
        expect(esm.stderr).toBe('');
        expect(filesIn(outside)).toEqual(['memory.js', 'simple.js', 'simple.mjs']);
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
      // The outputs load and run.
      expectRunsFile(join(dir, 'gen/memory.js'), 'memory', '45\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('converts the other inputs when one fails, reports it in one line, and exits 1', () => {
    const dir = freshOutputDir('cli-partial');
    try {
      const run = runCli([fixture('simple.wasm'), fixture('invalid.wasm'), fixture('memory.wasm'), '--out-dir', dir]);
      expect(run.status).toBe(1);
      expect(run.stderr.split('\n')).toHaveLength(2);
      expect(run.stderr.startsWith(`wasm2es: ${fixture('invalid.wasm')}: `), run.stderr).toBe(true);
      expect(run.stderr).toMatch(/\(at 0x[0-9a-f]+/);
      expect(filesIn(dir)).toEqual(['memory.js', 'simple.js']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('- reads the module from stdin, binary or text, and -o - writes to stdout', () => {
    const fromFile = runCli([fixture('memory.wasm')]).stdout;
    const binary = spawnSync(process.execPath, [binPath, '-', '-o', '-'], { input: readFileSync(fixture('memory.wasm')), encoding: 'utf8' });
    expect(binary.stderr).toBe('');
    expect(binary.stdout).toBe(fromFile);
    const text = spawnSync(process.execPath, [binPath, '-'], { input: readFileSync(fixture('simple.wat')), encoding: 'utf8' });
    expect(text.stderr).toBe('');
    expect(text.stdout).toBe(runCli([fixture('simple.wat')]).stdout);
    const bad = spawnSync(process.execPath, [binPath, '-'], { input: readFileSync(fixture('invalid.wasm')), encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^wasm2es: <stdin>: .*\(at 0x[0-9a-f]+/);
  });

  it('--dts writes the declarations beside each output, named for its module system', () => {
    const dir = freshOutputDir('cli-dts');
    try {
      for (const name of ['a.mjs', 'b.cjs', 'c.js']) {
        const run = runCli([fixture('memory.wasm'), '--dts', '-o', join(dir, name)]);
        expect(run.stderr).toBe('');
      }
      const outDir = runCli([fixture('simple.wasm'), fixture('memory.wasm'), '--dts', '--out-dir', join(dir, 'gen')]);
      expect(outDir.stderr).toBe('');
      expect(filesIn(dir)).toEqual(['a.d.mts', 'a.mjs', 'b.cjs', 'b.d.cts', 'c.d.ts', 'c.js', 'gen']);
      expect(filesIn(join(dir, 'gen'))).toEqual(['memory.d.ts', 'memory.js', 'simple.d.ts', 'simple.js']);
      expect(readFileSync(join(dir, 'a.d.mts'), 'utf8')).toContain('readonly accumulate: (p0: number, p1: number) => number;');
      expect(readFileSync(join(dir, 'b.d.cts'), 'utf8')).toMatch(/export = /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--source-map writes app.mjs.map beside the output, naming the .wasm relative to it; a trap points into the .wasm', () => {
    const dir = freshOutputDir('cli-map');
    try {
      mkdirSync(join(dir, 'wasm'));
      mkdirSync(join(dir, 'gen'));
      const text = '(module (func $my_function (export "f") (result i32) (i32.const 1) (i32.const 0) (i32.div_u)))';
      writeFileSync(join(dir, 'wasm/named.wasm'), watNamed(text));
      const run = runCli([join(dir, 'wasm/named.wasm'), '--source-map', '-o', join(dir, 'gen/named.mjs')]);
      expect(run.stderr).toBe('');
      expect(readFileSync(join(dir, 'gen/named.mjs'), 'utf8')).toMatch(/\n\/\/# sourceMappingURL=named\.mjs\.map\n?$/);
      const map = JSON.parse(readFileSync(join(dir, 'gen/named.mjs.map'), 'utf8'));
      expect(map.sources).toEqual(['../wasm/named.wasm']);
      writeFileSync(join(dir, 'gen/main.mjs'), "import m, { WebAssembly } from './named.mjs';\ntry { new WebAssembly.Instance(m).exports.f(); } catch (e) { console.log(e.stack); }\n");
      const trap = runNode(['--enable-source-maps', join(dir, 'gen/main.mjs')]);
      expect(trap.stderr).toBe('');
      expect(trap.stdout).toMatch(/^RuntimeError: integer divide by zero\n\s+at my_function \(.*wasm\/named\.wasm:1:\d+\)\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--stats prints the functions, sizes and the time of each phase', () => {
    const run = runCli([fixture('memory.wasm'), '--stats', '-o', outputPath()]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^wasm2es: .*memory\.wasm: 1 functions, 0\.\d KiB in, \d+\.\d KiB out; read \d+\.\d ms, decode \d+\.\d ms, emit \d+\.\d ms, print \d+\.\d ms, write \d+\.\d ms\n$/);
  });

  it('--watch converts again when the input changes, also when it is replaced by a rename', async () => {
    const dir = freshOutputDir('cli-watch');
    const input = join(dir, 'w.wasm');
    const output = join(dir, 'w.js');
    writeFileSync(input, readFileSync(fixture('memory.wasm')));
    const child = spawn(process.execPath, [binPath, input, '-o', output, '--watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const waitFor = async (test: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !test(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(test(), stderr).toBe(true);
    };
    try {
      await waitFor(() => stderr.includes('watching'));
      expect(readFileSync(output, 'utf8')).toContain('accumulate');
      writeFileSync(input, readFileSync(fixture('simple.wasm')));
      await waitFor(() => !readFileSync(output, 'utf8').includes('accumulate'));
      writeFileSync(`${input}.tmp`, readFileSync(fixture('memory.wasm')));
      renameSync(`${input}.tmp`, input);
      await waitFor(() => readFileSync(output, 'utf8').includes('accumulate'));
      // A broken save is reported and the last good output stays.
      writeFileSync(input, readFileSync(fixture('invalid.wasm')));
      await waitFor(() => /wasm2es: .*w\.wasm: .*\(at 0x/.test(stderr));
      expect(readFileSync(output, 'utf8')).toContain('accumulate');
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('determinism', () => {
  it.each([
    [['simple.wasm']],
    [['memory.wasm', '--format', 'cjs']],
    [['memory.wasm', '--format', 'iife', '--global-name', 'm']],
    [['simple.wasm', '--inline-runtime']],
    [['memory.wasm', '-O']],
    [['memory.wat']],
  ])('the same input and options give byte-identical output: %j', (args) => {
    const [input, ...options] = args as string[];
    const first = runCli([fixture(input!), ...options]);
    const second = runCli([fixture(input!), ...options]);
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });
});

describe('binaryen: .wat input and -O', () => {
  it('assembles .wat input', () => {
    expectRuns(expectCompiles([fixture('memory.wat')]), 'esm', 'memory', '45\n');
    expectRuns(expectCompiles([fixture('simple.wat'), '--format', 'cjs'], 'cjs'), 'cjs', 'simple', '42\n');
  });

  it('-O optimises .wasm and .wat input first', () => {
    expectRuns(expectCompiles([fixture('memory.wasm'), '-O']), 'esm', 'memory', '45\n');
    expectRuns(expectCompiles([fixture('simple.wat'), '-O']), 'esm', 'simple', '42\n');
  });

  it('-O on .wasm registers the module under the input file\'s bytes, the ones a loader fetches', () => {
    const original = readFileSync(fixture('memory.wasm'));
    const hash = createHash('sha256').update(original).digest('hex');
    const optimized = expectCompiles([fixture('memory.wasm'), '-O']);
    expect(optimized).not.toBe(expectCompiles([fixture('memory.wasm')]));
    expect(optimized).toContain(hash);
    const file = outputPath();
    writeFileSync(file, optimized);
    // wasm2es/runtime has no compiler: only a registered module is accepted.
    const script = `import { readFileSync } from 'node:fs';
      await import(${JSON.stringify(pathToFileURL(file).href)});
      const { WebAssembly } = await import('wasm2es/runtime');
      const bytes = readFileSync(${JSON.stringify(fixture('memory.wasm'))});
      const memory = new WebAssembly.Memory({ initial: 1 });
      new Uint32Array(memory.buffer).set([5, 6, 7]);
      const { instance } = await WebAssembly.instantiate(bytes, { js: { mem: memory } });
      console.log(WebAssembly.validate(bytes), instance.exports.accumulate(0, 3));`;
    const run = runJitless(['--input-type=module', '-e', script]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('true 18\n');
  });

  it('a .wat syntax error is one line with its line and column', () => {
    expectOneLineError(runCli([fixture('syntax-error.wat')]), fixture('syntax-error.wat'), /\b4:\d+: /);
  });

  it('an invalid .wat module is one line', () => {
    expectOneLineError(runCli([fixture('invalid.wat')]), fixture('invalid.wat'), /invalid module/);
  });

  it('without binaryen installed, .wat input and -O say to npm install binaryen', () => {
    for (const args of [[fixture('simple.wat')], [fixture('simple.wasm'), '-O']]) {
      const run = runCli(args, ['--import', noBinaryen]);
      expectOneLineError(run, args[0]!, /npm install binaryen/);
    }
  });
});

describe('bad input: one line, exit 1, no output file left behind', () => {
  it.each([
    ['missing.wasm', /no such file or directory/],
    ['garbage.wasm', /magic|header|not a WebAssembly/i],
    ['truncated.wasm', /at 0x[0-9a-f]+/i],
    ['invalid.wasm', /at 0x[0-9a-f]+/i],
    ['threads.wasm', /threads \(0xfe prefix, atomics\) is not supported yet \(at 0x2b, code section, function 0\)/],
    ['threads.wat', /threads \(0xfe prefix, atomics\) is not supported yet \(at 0x[0-9a-f]+, code section, function 0\)/],
  ])('%s', (name, message) => {
    expectOneLineError(runCli([fixture(name)]), fixture(name), message);

    const dir = mkdtempSync(join(outDir, 'fail-'));
    const output = join(dir, 'out.js');
    expectOneLineError(runCli([fixture(name), '-o', output]), fixture(name), message);
    expect(filesIn(dir)).toEqual([]);

    // An existing output file is left as it was.
    writeFileSync(output, 'previous output');
    expectOneLineError(runCli([fixture(name), '-o', output]), fixture(name), message);
    expect(filesIn(dir)).toEqual(['out.js']);
    expect(readFileSync(output, 'utf8')).toBe('previous output');
  });

  it('a directory as input', () => {
    expectOneLineError(runCli([join(repoRoot, 'fixtures')]), join(repoRoot, 'fixtures'), /is a directory/);
  });

  it('an empty file says it is empty', () => {
    const empty = join(mkdtempSync(join(outDir, 'empty-')), 'empty.wasm');
    writeFileSync(empty, '');
    const run = runCli([empty]);
    expectOneLineError(run, empty, /: the file is empty: expected a WebAssembly module \(\\0asm\)$/);
  });

  it('an output path in a missing directory names the output', () => {
    const output = join(outDir, 'no-such-dir', 'out.js');
    expectOneLineError(runCli([fixture('simple.wasm'), '-o', output]), output, /: cannot write: no such file or directory \(ENOENT\)$/);
    expect(existsSync(join(outDir, 'no-such-dir'))).toBe(false);
  });
});

describe('-o replaces a regular file whole, follows symlinks, and writes through devices and pipes', () => {
  const simple = fixture('simple.wasm');
  let expected = '';
  let dir = '';
  beforeAll(() => {
    expected = expectCompiles([simple]);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(outDir, 'special-'));
  });

  /** Expects a run that wrote nothing to stdout and stderr and exited 0. */
  const expectQuietSuccess = (run: Run): void => expect(run).toEqual({ status: 0, stdout: '', stderr: '' });

  /**
   * A character device like /dev/<name>. Run as root, a regression that
   * replaced the file would destroy the machine's /dev/null for every
   * process, so the test then writes to a private node with the same device
   * numbers in its own directory; without root, to /dev/<name> itself, which
   * a regression could not replace. Undefined if no private node can be made.
   */
  function characterDevice(name: 'null' | 'full'): string | undefined {
    if (process.getuid?.() !== 0) return `/dev/${name}`;
    if (process.platform !== 'linux') return undefined;
    const { rdev } = statSync(`/dev/${name}`);
    const path = join(dir, name);
    const made = spawnSync('mknod', [path, 'c', String(rdev >> 8), String(rdev & 0xff)]);
    try {
      closeSync(openSync(path, 'r+')); // A nodev mount lets mknod through but not open.
    } catch {
      return undefined;
    }
    return made.status === 0 ? path : undefined;
  }

  /** /dev/stdout, or as root a private symlink to what it links to (see characterDevice). */
  function stdoutPath(): string {
    if (process.getuid?.() !== 0) return '/dev/stdout';
    const path = join(dir, 'stdout');
    symlinkSync(readlinkSync('/dev/stdout'), path);
    return path;
  }

  it('a new file is created, and no temporary file is left beside it', () => {
    const output = join(dir, 'new.js');
    expectQuietSuccess(runCli([simple, '-o', output]));
    expect(readFileSync(output, 'utf8')).toBe(expected);
    expect(filesIn(dir)).toEqual(['new.js']);
  });

  it('an existing file keeps its permission bits', () => {
    const output = join(dir, 'out.js');
    writeFileSync(output, 'old');
    chmodSync(output, 0o640);
    expectQuietSuccess(runCli([simple, '-o', output]));
    expect(readFileSync(output, 'utf8')).toBe(expected);
    expect(statSync(output).mode & 0o777).toBe(0o640);
  });

  it('a symlink: its target gets the output and the link stays a link', () => {
    writeFileSync(join(dir, 'real.js'), 'old');
    symlinkSync('real.js', join(dir, 'link.js'));
    expectQuietSuccess(runCli([simple, '-o', join(dir, 'link.js')]));
    expect(lstatSync(join(dir, 'link.js')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.js'))).toBe('real.js');
    expect(readFileSync(join(dir, 'real.js'), 'utf8')).toBe(expected);
    expect(filesIn(dir)).toEqual(['link.js', 'real.js']);
  });

  it('a dangling symlink: the file it points to is created, in the directory it points to', () => {
    mkdirSync(join(dir, 'sub'));
    symlinkSync('sub/made.js', join(dir, 'dangling.js'));
    expectQuietSuccess(runCli([simple, '-o', join(dir, 'dangling.js')]));
    expect(lstatSync(join(dir, 'dangling.js')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'sub/made.js'), 'utf8')).toBe(expected);
    expect(filesIn(join(dir, 'sub'))).toEqual(['made.js']);
  });

  it('a symlink to the input is the input: a usage error, nothing written', () => {
    const input = join(dir, 'in.wasm');
    writeFileSync(input, readFileSync(simple));
    symlinkSync('in.wasm', join(dir, 'alias.js'));
    const run = runCli([input, '-o', join(dir, 'alias.js')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/would overwrite the input/);
    expect(readFileSync(input)).toEqual(readFileSync(simple));
  });

  it('a directory, or a symlink to one: "is a directory", and both left as they were', () => {
    mkdirSync(join(dir, 'folder'));
    symlinkSync('folder', join(dir, 'folder-link'));
    for (const output of [join(dir, 'folder'), join(dir, 'folder-link')]) {
      expectOneLineError(runCli([simple, '-o', output]), output, /: cannot write: is a directory \(EISDIR\)$/);
    }
    expect(lstatSync(join(dir, 'folder-link')).isSymbolicLink()).toBe(true);
    expect(filesIn(join(dir, 'folder'))).toEqual([]);
    expect(filesIn(dir)).toEqual(['folder', 'folder-link']);
  });

  it('a file used as a directory: "not a directory"', () => {
    writeFileSync(join(dir, 'file.js'), 'kept');
    const output = join(dir, 'file.js', 'out.js');
    expectOneLineError(runCli([simple, '-o', output]), output, /: cannot write: not a directory \(ENOTDIR\)$/);
    expect(readFileSync(join(dir, 'file.js'), 'utf8')).toBe('kept');
  });

  it('a symlink loop: "too many levels of symbolic links"', () => {
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    const output = join(dir, 'loop-a');
    expectOneLineError(runCli([simple, '-o', output]), output, /: cannot write: too many levels of symbolic links \(ELOOP\)$/);
    expect(filesIn(dir)).toEqual(['loop-a', 'loop-b']);
  });

  it.skipIf(process.platform === 'win32')('a FIFO: the reader gets the output and the FIFO stays a FIFO', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn(process.execPath, ['-e', `process.stdout.write(require('node:fs').readFileSync(${JSON.stringify(fifo)}))`]);
    let received = '';
    reader.stdout.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const finished = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    try {
      expectQuietSuccess(runCli([simple, '-o', fifo]));
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      // A replaced FIFO leaves the reader waiting for a writer for ever.
      await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      expect(received).toBe(expected);
    } finally {
      if (reader.exitCode === null) reader.kill();
    }
  });

  it.skipIf(process.platform === 'win32')('a character device such as /dev/null: written to, not replaced', ({ skip }) => {
    const device = characterDevice('null');
    if (device === undefined) return skip('cannot make a private device node');
    expectQuietSuccess(runCli([simple, '-o', device]));
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
  });

  it.skipIf(process.platform !== 'linux')('/dev/full: "no space left on device", exit 1, the device left as it was', ({ skip }) => {
    const device = characterDevice('full');
    if (device === undefined) return skip('cannot make a private device node');
    expectOneLineError(runCli([simple, '-o', device]), device, /: cannot write: no space left on device \(ENOSPC\)$/);
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
  });

  it.skipIf(process.platform !== 'linux')('stdout on /dev/full, without -o: the same one-line error, no stack trace', ({ skip }) => {
    const device = characterDevice('full');
    if (device === undefined) return skip('cannot make a private device node');
    const fd = openSync(device, 'w');
    try {
      const run = spawnSync(process.execPath, [binPath, simple], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expect(run.stderr).toBe('wasm2es: stdout: cannot write: no space left on device (ENOSPC)\n');
      expect(run.status).toBe(1);
    } finally {
      closeSync(fd);
    }
  });

  it.skipIf(process.platform !== 'linux')('/dev/stdout: the output is printed', () => {
    const output = stdoutPath();
    const run = runCli([simple, '-o', output]);
    expect(run).toEqual({ status: 0, stdout: expected, stderr: '' });
    if (output !== '/dev/stdout') expect(lstatSync(output).isSymbolicLink()).toBe(true);
  });

  it.skipIf(process.platform !== 'linux')('/dev/stdout redirected to a file with >>: appended to, as the shell opened it', () => {
    const output = stdoutPath();
    const log = join(dir, 'log.txt');
    writeFileSync(log, 'before\n');
    const fd = openSync(log, 'a');
    try {
      const run = spawnSync(process.execPath, [binPath, simple, '-o', output], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(log, 'utf8')).toBe(`before\n${expected}`);
  });

  it.skipIf(!existsSync('/proc/version'))('/proc/version: the reason the system gives, not "no such file"', () => {
    const before = readFileSync('/proc/version', 'utf8');
    // Root may open it, and the write fails; anyone else may not open it.
    const reason = process.getuid?.() === 0 ? /input\/output error \(EIO\)/ : /permission denied \(EACCES\)/;
    expectOneLineError(runCli([simple, '-o', '/proc/version']), '/proc/version', new RegExp(`: cannot write: ${reason.source}$`));
    expect(readFileSync('/proc/version', 'utf8')).toBe(before);
  });
});

describe('names from the module cannot break out of an HTML <script>', () => {
  // Every name that ends, or changes the parsing of, a <script> element, or
  // ends a line in a pre-ES2019 string literal, and non-ASCII text that
  // a page in another charset would garble.
  const names = ['</script>', '<!--', '</SCRIPT >', 'line\u2028separator', 'paragraph\u2029separator', 'caf\u00e9', '\u{1F600}', 'quote"back\\slash', 'nul\u0000del\u007f'];

  const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];
  const leb128 = (value: number): number[] => (value < 0x80 ? [value] : [(value & 0x7f) | 0x80, ...leb128(value >>> 7)]);
  const name = (text: string): number[] => [...leb128(utf8(text).length), ...utf8(text)];
  const section = (id: number, body: number[]): number[] => [id, ...leb128(body.length), ...body];
  const vector = (items: number[][]): number[] => [...leb128(items.length), ...items.flat()];

  /**
   * A module importing a function as names[0].names[1], exporting one that
   * returns 42 under every name, with a custom section named names[0].
   */
  const module = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, 0x00, 0x01, 0x7f]])),
    ...section(2, vector([[...name(names[0]!), ...name(names[1]!), 0x00, 0x00]])),
    ...section(3, vector([[0x00]])),
    ...section(7, vector(names.map((text) => [...name(text), 0x00, 0x01]))),
    ...section(10, vector([[0x04, 0x00, 0x41, 42, 0x0b]])),
    ...section(0, [...name(names[0]!), ...utf8('</script> in the payload')]),
  ]);

  /** Expects text with nothing an HTML parser or an old engine would read differently, and re-parses it. */
  function expectScriptSafe(code: string, format: Format): void {
    expect(code).not.toMatch(/<\/script|<!--/i);
    expect(code.match(/[^\x00-\x7e]/u)?.[0]).toBeUndefined();
    parseGenerated(code, format);
  }

  let input = '';
  beforeAll(() => {
    input = join(mkdtempSync(join(outDir, 'names-')), 'names.wasm');
    writeFileSync(input, module);
  });

  it('iife output, with a global name and the runtime inlined, is ASCII with no </script> or <!--', () => {
    for (const args of [[], ['--global-name', '</script><!--\u2028'], ['--inline-runtime']]) {
      expectScriptSafe(expectCompiles([input, '--format', 'iife', ...args], 'iife'), 'iife');
    }
  });

  it('esm and cjs output, with such a runtime specifier, are too', () => {
    expectScriptSafe(expectCompiles([input, '--runtime-import', 'wasm2es/runtime?</script>\u2029']), 'esm');
    expectScriptSafe(expectCompiles([input, '--format', 'cjs']), 'cjs');
  });

  it('a lone surrogate (possible in a string option of the API, not in a wasm name) is escaped', () => {
    expectScriptSafe(compile(module, { format: 'iife', globalName: 'high \ud800 low \udfff reversed \udc00\ud800' }).code, 'iife');
  });

  it('the names come back unchanged at run time', () => {
    const file = join(outDir, `names-${++counter}.mjs`);
    writeFileSync(file, expectCompiles([input]));
    const script = `
      const { default: module, WebAssembly } = await import(${JSON.stringify(pathToFileURL(file).href)});
      const names = ${JSON.stringify(names)};
      const instance = new WebAssembly.Instance(module, { [names[0]]: { [names[1]]: () => 0 } });
      console.log(JSON.stringify({
        imports: WebAssembly.Module.imports(module),
        exports: WebAssembly.Module.exports(module).map((e) => e.name),
        results: names.map((name) => instance.exports[name]()),
        custom: WebAssembly.Module.customSections(module, names[0]).map((b) => new TextDecoder().decode(b)),
      }));`;
    const run = runNode(['--input-type=module', '-e', script]);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      imports: [{ module: names[0], name: names[1], kind: 'function' }],
      exports: names,
      results: names.map(() => 42),
      custom: ['</script> in the payload'],
    });
  });
});
