// The wasm2es command, run from dist/ in child processes as a user would run
// it: arguments, every output format (loaded and run), determinism, .wat and
// -O through binaryen, and the one-line errors with no output left behind.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixture,
  freshOutputDir,
  parseGenerated,
  repoRoot,
  requireBuild,
  runCli,
  runJitless,
  type Run,
} from './helpers/cli.js';

const runOutput = join(repoRoot, 'test/helpers/run-output.mjs');
const noBinaryen = join(repoRoot, 'test/helpers/no-binaryen.mjs');
const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string;

type Format = 'esm' | 'cjs' | 'iife';
// How each format's file is named when loaded: .mjs/.cjs pin the module system.
const extension: Record<Format, string> = { esm: 'mjs', cjs: 'cjs', iife: 'js' };

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
    expect(run.stdout).toMatch(/^Usage: wasm2es \[options\] <input>/);
    for (const option of ['--output', '--format', '--inline-runtime', '--optimize', '--runtime-import', '--global-name', '--tune', '--version']) {
      expect(run.stdout).toContain(option);
    }
  });

  it('--version prints the package version, exit 0', () => {
    const run = runCli(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
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
    [[fixture('simple.wasm'), fixture('memory.wasm')], /too many arguments/],
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
    ['simd.wasm', /SIMD/],
    ['simd.wat', /SIMD/],
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

  it('an output path in a missing directory', () => {
    const output = join(outDir, 'no-such-dir', 'out.js');
    expectOneLineError(runCli([fixture('simple.wasm'), '-o', output]), fixture('simple.wasm'), /cannot write .*no such file or directory/);
    expect(existsSync(join(outDir, 'no-such-dir'))).toBe(false);
  });
});
