// The differential fuzzer (test/fuzz/) as part of `npm test`:
//   - every saved fixture (test/fuzz/fixtures/*.wasm + .json) replays on
//     every wasm2es configuration exactly as on native V8, and native V8
//     still does what the fixture's .json says (known bugs: known-bugs.js);
//   - the comparison itself is strict: engines broken on purpose are caught;
//   - the reducer and the NaN canonicalisation do what they claim;
//   - a short fixed-seed fuzz run with every generator present agrees.

import { describe, it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { assembleWith } from './helpers/configs.js';
import { decode } from '../compiler/decode.js';
// @ts-ignore -- plain JavaScript modules of the fuzzer
import { listFixtures, loadFixture, replayFixture } from './fuzz/fixtures.js';
// @ts-ignore
import { KNOWN_BUGS } from './fuzz/known-bugs.js';
// @ts-ignore
import { nativeEngine, wasm2esEngines } from './fuzz/configs.js';
// @ts-ignore
import { runModule } from './fuzz/execute.js';
// @ts-ignore
import { classifiedRun } from './fuzz/classify.js';
// @ts-ignore
import { canonicalizeNaNs } from './fuzz/canonicalize.js';
// @ts-ignore
import { reduce } from './fuzz/reduce.js';
// @ts-ignore
import { parseModule, decodeBody } from './fuzz/wasm-binary.js';
// @ts-ignore
import { binaryenBin } from './fuzz/binaryen-tool.js';
// @ts-ignore
import { ownGeneratorPresent } from './fuzz/generators.js';
// @ts-ignore
import { createWorkerHandle } from './fuzz/pool.js';
// @ts-ignore
import { DEFAULT_FEATURES } from './fuzz/features.js';

const RUNNER = fileURLToPath(new URL('./fuzz/run.js', import.meta.url));
// With wasm2es's decode, it knows the fixtures it cannot judge (saved under a newer V8).
const native = nativeEngine({ decode });
let engines: Record<string, any>;
let wabt: Awaited<ReturnType<typeof wabtInit>>;

beforeAll(async () => {
  wabt = await wabtInit();
  engines = await wasm2esEngines();
});

const assemble = (text: string): Uint8Array => assembleWith(wabt, text, { multi_value: true, bulk_memory: true, reference_types: true });

const call = (name: string, ...args: string[]) => ({ export: name, args });

describe('fixtures', () => {
  const names: string[] = listFixtures();
  it('every known bug names a fixture', () => {
    for (const name of Object.keys(KNOWN_BUGS)) expect(names, `known-bugs.js lists ${name}`).toContain(name);
  });
  for (const name of names) {
    it(`${name} runs as on native V8`, (context) => {
      const { problems, beyondNative } = replayFixture(loadFixture(name), native, engines);
      if (beyondNative && !problems.length) return context.skip();
      if (name in KNOWN_BUGS) expect(problems, `${name} passes now: remove it from known-bugs.js`).not.toEqual([]);
      else expect(problems).toEqual([]);
    });
  }
});

/** Runs `wat` on native against an engine that is native V8 with `breakage` applied to each instance. */
function divergenceWith(wat: string, plan: object[], breakage: (instance: any) => any) {
  const broken = { ...native, name: 'broken', instantiate: (module: any, imports: any) => breakage(new WebAssembly.Instance(module, imports)) };
  return runModule(assemble(wat), plan, native, { broken }).configs.broken;
}
const withExports = (instance: any, changes: object) => ({ exports: { ...instance.exports, ...changes } });

describe('the comparison is strict', () => {
  const wat = `(module
    (import "fuzzing-support" "log-i32" (func $log (param i32)))
    (memory (export "memory") 1)
    (global (export "g") (mut i32) (i32.const 0))
    (table (export "table") 2 funcref)
    (func $f (export "f") (param i32) (result i32) (call $log (local.get 0)) (i32.add (local.get 0) (i32.const 1))))`;
  const plan = [call('f', '5'), call('f', '6')];

  it('agrees with itself', () => expect(divergenceWith(wat, plan, (instance) => instance).status).toBe('same'));
  it('sees a wrong result', () => expect(divergenceWith(wat, plan, (instance) => withExports(instance, { f: () => 7 })).divergence.kind).toBe('call'));
  it('sees -0 for 0', () => expect(divergenceWith(wat, plan, (instance) => withExports(instance, { f: (x: number) => (x === 6 ? -0 : instance.exports.f(x)) })).divergence.kind).toBe('call'));
  it('sees a trap where native returns', () => {
    const trap = () => { throw new WebAssembly.RuntimeError('unreachable'); };
    expect(divergenceWith(wat, plan, (instance) => withExports(instance, { f: trap })).divergence.detail).toMatch(/throws RuntimeError, expected returns 6/);
  });
  it('sees a missing host call', () => {
    expect(divergenceWith(wat, plan, (instance) => withExports(instance, { f: (x: number) => x + 1 })).divergence.kind).toBe('imports');
  });
  it('sees one changed byte of memory', () => {
    const poke = (instance: any) => withExports(instance, { f: (x: number) => { new Uint8Array(instance.exports.memory.buffer)[60000] = 1; return instance.exports.f(x); } });
    expect(divergenceWith(wat, plan, poke).divergence.detail).toMatch(/memory: 1 byte\(s\) differ, first at 60000/);
  });
  it('sees a changed global', () => {
    const bump = (instance: any) => withExports(instance, { f: (x: number) => { instance.exports.g.value = 9; return instance.exports.f(x); } });
    expect(divergenceWith(wat, plan, bump).divergence.kind).toBe('global');
  });
  it('sees a changed table entry', () => {
    const set = (instance: any) => withExports(instance, { f: (x: number) => { instance.exports.table.set(1, instance.exports.f); return instance.exports.f(x); } });
    expect(divergenceWith(wat, plan, set).divergence.kind).toBe('table');
  });
  it('counts stack exhaustion as its own outcome, and stops there', () => {
    const overflow = () => { throw new RangeError('Maximum call stack size exceeded'); };
    expect(divergenceWith(wat, plan, (instance) => withExports(instance, { f: overflow }))).toMatchObject({ status: 'exhausted', exhaustedAlone: true });
  });
});

describe('stack exhaustion and hangs', () => {
  it('unbounded recursion is exhaustion on every side, not a divergence', () => {
    const result = runModule(assemble('(module (func $f (export "f") (call $f)))'), [call('f')], native, engines);
    for (const config of Object.values(result.configs) as any[]) expect(config).toMatchObject({ status: 'exhausted', exhaustedAlone: false });
  });
  it('a module that never returns costs its worker, not the run', async () => {
    const handle = createWorkerHandle({ seed: 0, features: DEFAULT_FEATURES, configs: ['jit'], rounds: 1 }, 2);
    try {
      expect(await handle.evaluate(assemble('(module (func (export "f") (loop (br 0))))'), [call('f')])).toEqual({ type: 'timeout' });
      const answer = await handle.evaluate(assemble('(module (func (export "f") (result i32) (i32.const 1)))'), [call('f')]);
      expect(answer.result.configs.jit.status).toBe('same');
    } finally {
      await handle.close();
    }
  }, 30_000);
});

describe('NaNs', () => {
  // promote keeps an f32 NaN's payload natively; the spec allows any arithmetic NaN
  const wat = `(module (func (export "bits") (result i64)
    (i64.reinterpret_f64 (f64.promote_f32 (f32.const -nan:0x7fff9b)))))`;

  it('canonicalisation makes every configuration agree, and counts the NaN', () => {
    const result = runModule(canonicalizeNaNs(assemble(wat)), [call('bits')], native, engines, { trace: true });
    expect(result.nans).toBe(1);
    expect(result.trace.calls[0].outcome).toBe(`returns ${0x7ff8000000000000n}n`);
    for (const config of Object.values(result.configs) as any[]) expect(config.status).toBe('same');
  });
  it('a payload difference alone is not a divergence', () => {
    for (const config of Object.values(classifiedRun(assemble(wat), [call('bits')], native, engines).configs) as any[]) {
      expect(['same', 'nan']).toContain(config.status);
    }
  });
  it('bits that no arithmetic made are compared exactly', () => {
    const copy = `(module (memory (export "memory") 1)
      (func (export "f") (f32.store (i32.const 0) (f32.neg (f32.load (i32.const 0)))))
      (data (i32.const 0) "\\01\\00\\80\\7f"))`; // a signalling NaN
    const wrong = (instance: any) => withExports(instance, { f: () => { new Float32Array(instance.exports.memory.buffer)[0] = -NaN; } });
    expect(divergenceWith(copy, [call('f')], wrong).status).toBe('diverged');
    for (const config of Object.values(classifiedRun(assemble(copy), [call('f')], native, engines).configs) as any[]) expect(config.status).toBe('same');
  });
});

describe('reducer', () => {
  it('cuts a module down to what keeps the divergence', async () => {
    const bytes = assemble(`(module
      (func $a (result i32) (i32.add (i32.const 1) (i32.const 2)))
      (func (export "keep") (result i32) (drop (call $a)) (i32.mul (i32.const 1234) (i32.const 3)))
      (func (export "other") (param i32) (result i32) (local.get 0) (i32.const 7) (i32.add)))`);
    const plan = [call('other', '1'), call('keep'), call('other', '2')];
    // The "divergence": a call of keep whose body still has i32.const 1234.
    const diverges = async (candidate: Uint8Array, candidatePlan: any[]) => {
      const module = parseModule(candidate);
      const keep = module.exports.find((entry: any) => entry.name === 'keep');
      if (!keep || !candidatePlan.some((c) => c.export === 'keep')) return false;
      const body = module.bodies[keep.index - module.importedFunctionCount];
      return decodeBody(body).instructions.some((instruction: any) => instruction.op === 0x41 && body[instruction.start + 1] === 0xd2);
    };
    const reduced = await reduce({ bytes, plan }, diverges, { seconds: 20 });
    expect(reduced.plan).toEqual([call('keep')]);
    expect(parseModule(reduced.bytes).exports.map((entry: any) => entry.name)).toEqual(['keep']);
    const module = parseModule(reduced.bytes);
    const instructions = module.bodies.map((body: Uint8Array) => decodeBody(body).instructions.length);
    expect(instructions).toEqual([2, 2, 2]); // unreachable end; i32.const 1234 end; unreachable end
    expect(WebAssembly.validate(reduced.bytes)).toBe(true);
  });
});

describe('a short fuzz run', () => {
  const generators = [binaryenBin() ? 'ttf' : null, ownGeneratorPresent() ? 'own' : null].filter(Boolean);
  it.skipIf(!generators.length)(`seed 12 with ${generators.join(' and ')} agrees everywhere`, async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'wasm2es-fuzz-test-'));
    try {
      const args = [RUNNER, '--seed', '12', '--count', '12', '--generator', generators.length === 2 ? 'both' : generators[0]!, '--jobs', '2', '--reduce', '0', '--fixtures', scratch, '--out', scratch, '--quiet'];
      const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out + err }));
      });
      expect(stdout).toMatch(/fuzz: \d+ modules \(seed 12, indices .*\), \d+ calls, 0 divergences/);
      expect(code, stdout).toBe(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
