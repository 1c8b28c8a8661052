// Valid input at the scale users bring (issue 12): 100,000 functions, 50,000
// locals, 10,000 nested blocks with branches, a 10,000-case switch lowering,
// a br_table of 65,520 targets, a 50 MB data segment, a 1 MB function body,
// and recursion until the stack runs out. Each compiles with compile() in
// both tunings and runs with the JIT and under `node --jitless`, with the
// results native V8 gives; compiles and runs are child processes using
// dist/ (`npm run build` first; npm test does). test/limits/cases.js builds
// the modules and says what each step checks; test/limits/measure.js records
// the figures in docs/reliability.md.
//
// Every size is the full one the issue names. test/deep-nesting covers
// nesting shapes in-process; here they also run under --jitless.

import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../compiler/index.js';
import { freshOutputDir, repoRoot, requireBuild } from './helpers/cli.js';
import {
  bigBrTable, bigData, bigFunction, deepBranches, deepRecursion, frameAtomicity, localsOnly, manyFunctions, manyLocals,
  switchCases,
} from './limits/cases.js';
import { runSteps } from './limits/probe.js';

const Native = globalThis.WebAssembly;
const child = join(repoRoot, 'test/limits/child.js');
const compileChild = join(repoRoot, 'test/limits/compile-child.js');
type Tune = 'jit' | 'interpreter';
const TUNES: readonly Tune[] = ['jit', 'interpreter'];
const ENGINES: [string, string[]][] = [['JIT', []], ['--jitless', ['--jitless']]];

interface Case {
  bytes: Uint8Array;
  steps: object[];
}

let outDir = '';
let counter = 0;

beforeAll(() => {
  requireBuild();
  outDir = freshOutputDir('limits');
});

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Runs `node ...args` and resolves to the last line it printed (JSON), or rejects with its stderr. */
function runNode(args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, args, { timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    run.stdout.setEncoding('utf8').on('data', (text) => { stdout += text; });
    run.stderr.setEncoding('utf8').on('data', (text) => { stderr += text; });
    run.on('error', reject);
    run.on('close', (status, signal) => {
      stderr = stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/, '');
      if (status === 0) resolve(JSON.parse(stdout.trim().split('\n').pop()!));
      else reject(new Error(`node ${args.join(' ')} exited with ${status ?? signal}: ${stderr}`));
    });
  });
}

/**
 * Compiles the case with compile() in each tuning, each in a child process
 * (compile-child.js, the built compiler: after a compile of 100,000
 * functions in this process, compiling 50,000 locals took 280 s instead of
 * 4; compiler/split.ts's WeakMaps, keyed by every node compiled, look like
 * the cause), to an ES module
 * importing wasm2es/runtime (dist/runtime.mjs); runs each with the JIT and
 * under --jitless (child.js); expects native V8's results from each.
 */
async function expectSameAsNative(testCase: Case, tunes: readonly Tune[] = TUNES, engines = ENGINES): Promise<void> {
  const { bytes, steps } = testCase;
  const expected = runSteps(new Native.Instance(new Native.Module(bytes), {}), steps, bytes);
  const name = join(outDir, `case-${++counter}`);
  writeFileSync(`${name}.wasm`, bytes);
  writeFileSync(`${name}.json`, JSON.stringify({ steps, wasm: `${name}.wasm` }));
  const runs = tunes.map(async (tune) => {
    const output = `${name}-${tune}.mjs`;
    await runNode([compileChild, join(repoRoot, 'dist/index.js'), `${name}.wasm`, output, tune]);
    for (const [engine, flags] of engines) {
      const { results } = await runNode([...flags, child, output, `${name}.json`]);
      expect(results, `${tune} tuning, ${engine}`).toEqual(expected);
    }
  });
  // Every run settles before the first failure is reported, so no child outlives the test.
  const failed = (await Promise.allSettled(runs)).find((outcome) => outcome.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

describe('limits at the scale users bring', () => {
  it('100,000 functions, 1,000 of them in a table', async () => {
    await expectSameAsNative(manyFunctions(100_000, 1_000));
  }, 120_000);

  // Every function a FuncRef: link once declared a variable for each (V8
  // could not enter a function with ~70,000 of them) and appended its
  // statements with push(...spread); FuncRefs now live in one array.
  it('100,000 functions, all in a table', async () => {
    await expectSameAsNative(manyFunctions(100_000));
  }, 180_000);

  it('a function with 50,000 locals; 50,001 is a CompileError, as natively', async () => {
    await expectSameAsNative(manyLocals(50_000));
    const tooMany = localsOnly(50_001);
    expect(() => new Native.Module(tooMany)).toThrow(Native.CompileError);
    expect(() => compile(tooMany)).toThrow(/locals/);
  }, 60_000);

  it('10,000 nested blocks, each with a branch', async () => {
    await expectSameAsNative(deepBranches(10_000));
  }, 60_000);

  it('a 10,000-case switch lowering', async () => {
    await expectSameAsNative(switchCases(10_000));
  }, 60_000);

  it('a br_table of 65,520 targets', async () => {
    await expectSameAsNative(bigBrTable(65_520));
  }, 60_000);

  it('a 50 MB data segment, and a passive one', async () => {
    await expectSameAsNative(bigData(50 * 2 ** 20));
  }, 120_000);

  it('a 1 MB function body', async () => {
    await expectSameAsNative(bigFunction(2 ** 20));
  }, 120_000);

  it('recursion until the stack runs out traps, and leaves the instance usable and its memory and globals agreeing with JS', async () => {
    await expectSameAsNative(deepRecursion());
  }, 60_000);

  // Known failure: natively the stack runs out only
  // where a function is entered, so every frame ran whole up to its call.
  // Compiled code can run out at any call into the engine inside a body (a
  // DataView store, BigInt()), after the frame wrote a global and before it
  // stored to memory. Remove `.fails` when this passes.
  it.fails('the deepest frame at stack exhaustion ran whole or not at all', async () => {
    await expectSameAsNative(frameAtomicity(16));
  }, 60_000);
});
