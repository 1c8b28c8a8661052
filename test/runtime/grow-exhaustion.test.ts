// Issue 12, bug 3: stack exhaustion while a memory grows or a table changes
// must never leave compiled code using other views than JS sees. A child
// process (with the JIT and under `node --jitless`, both tunings) recurses
// until the stack runs out while growing the memory or writing and growing
// the table in every frame near the end, from wasm and from JS, each trial
// padded by a different number of JS frames so that the stack runs out at a
// different instruction of the runtime or of the compiled view updates.
// Then wasm and JS must agree on the memory's contents and size and on
// every table slot, and the instance must still work
// (grow-exhaustion-child.mjs has the checks).
//
// Where the stack runs out depends on how much each step needs, so a real
// exhaustion mostly stops a growth at its first steps. The second half
// injects the failure instead, at each step in turn: a RangeError from the
// k-th buffer, view or bound method made during one growth, in the runtime
// and in the compiled `_watch` callbacks of two instances sharing the
// memory.
//
// The child loads dist/runtime.mjs: `npm run build` first (npm test does).

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import { defineModule, rt, WebAssembly as WA } from '../../runtime/index.js';
import { wat } from './helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'test/.out/grow-exhaustion');
const child = join(root, 'test/runtime/grow-exhaustion-child.mjs');
const runtime = join(root, 'dist/runtime.mjs');

// deep / tableDeep / hostDeep recurse until the stack runs out; past
// `threshold` each frame grows the memory (by `growBy` in every eighth
// frame past `growFrom`, else by 0), or grows the table and rewrites slot
// 0, or asks the host to do that from JS. afterHostDeep calls a host function that
// exhausts the stack in JS and catches it, then stores and calls through
// the table. The rest are the accesses the checks use: every typed view
// and bound store method the compiler makes, and call_indirect.
const MODULE = `(module
  (import "host" "grow" (func $hostGrow))
  (import "host" "deep" (func $hostDeepJS))
  (type $ret (func (result i32)))
  (memory (export "memory") 1)
  (table $table (export "table") 2 funcref)
  (global $threshold (mut i32) (i32.const 0x7fffffff))
  (global $growFrom (mut i32) (i32.const 0x7fffffff))
  (global $growBy (mut i32) (i32.const 0))
  (global $reached (mut i32) (i32.const 0))
  (elem (i32.const 0) $one $two)
  (func $one (export "one") (type $ret) i32.const 1)
  (func $two (export "two") (type $ret) i32.const 2)
  (func (export "setThresholds") (param i32 i32 i32)
    (global.set $threshold (local.get 0)) (global.set $growFrom (local.get 1)) (global.set $growBy (local.get 2)))
  (func (export "reached") (result i32) (global.get $reached))
  (func $deep (export "deep") (param $depth i32)
    (global.set $reached (local.get $depth))
    (if (i32.ge_u (local.get $depth) (global.get $threshold))
      (then (drop (memory.grow (select (global.get $growBy) (i32.const 0)
        (i32.and (i32.ge_u (local.get $depth) (global.get $growFrom)) (i32.eqz (i32.and (local.get $depth) (i32.const 7)))))))))
    (call $deep (i32.add (local.get $depth) (i32.const 1))))
  (func $tableDeep (export "tableDeep") (param $depth i32)
    (global.set $reached (local.get $depth))
    (if (i32.ge_u (local.get $depth) (global.get $threshold))
      (then
        (drop (table.grow $table (ref.func $two) (i32.const 1)))
        (table.set $table (i32.const 0)
          (select (result funcref) (ref.func $one) (ref.func $two) (i32.and (local.get $depth) (i32.const 1))))))
    (call $tableDeep (i32.add (local.get $depth) (i32.const 1))))
  (func $hostDeep (export "hostDeep") (param $depth i32)
    (global.set $reached (local.get $depth))
    (if (i32.ge_u (local.get $depth) (global.get $threshold)) (then (call $hostGrow)))
    (call $hostDeep (i32.add (local.get $depth) (i32.const 1))))
  (func (export "afterHostDeep") (param $address i32) (param $value i64) (result i32)
    (call $hostDeepJS)
    (i64.store (local.get $address) (local.get $value))
    (call_indirect (type $ret) (i32.const 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "tableSize") (result i32) (table.size $table))
  (func (export "callAt") (param i32) (result i32) (call_indirect (type $ret) (local.get 0)))
  (func (export "load8s") (param i32) (result i32) (i32.load8_s (local.get 0)))
  (func (export "load8u") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load16s") (param i32) (result i32) (i32.load16_s (local.get 0)))
  (func (export "load16u") (param i32) (result i32) (i32.load16_u (local.get 0)))
  (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load32u64") (param i32) (result i64) (i64.load32_u (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "loadf32") (param i32) (result f32) (f32.load (local.get 0)))
  (func (export "loadf64") (param i32) (result f64) (f64.load (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "store16") (param i32 i32) (i32.store16 (local.get 0) (local.get 1)))
  (func (export "store32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "storef32") (param i32 f32) (f32.store (local.get 0) (local.get 1)))
  (func (export "storef64") (param i32 f64) (f64.store (local.get 0) (local.get 1))))`;

interface Report {
  trials: number;
  failures: number;
  examples: string[];
  depth: number;
}

function runChild(args: string[]): Promise<Record<string, Report>> {
  return new Promise((resolvePromise, reject) => {
    const childProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    childProcess.stdout.on('data', (chunk) => { stdout += chunk; });
    childProcess.stderr.on('data', (chunk) => { stderr += chunk; });
    childProcess.on('error', reject);
    childProcess.on('close', (code) => {
      if (code !== 0) reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolvePromise(JSON.parse(stdout) as Record<string, Report>);
    });
  });
}

function bodyFile(tune: 'jit' | 'interpreter'): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `module-${tune}.js`);
  writeFileSync(file, compile(wat(MODULE), { format: 'body', tune }).code);
  return file;
}

/** Trials per scenario: 32 pass each padding twice (see the child). */
const TRIALS = Number(process.env.GROW_EXHAUSTION_TRIALS ?? 32);
const SCENARIOS = ['memory-wasm', 'memory-host', 'memory-js', 'memory-catch', 'table-wasm', 'table-host', 'table-js', 'table-catch'];
const CONFIGS = [
  { engine: 'jitless', tune: 'interpreter' }, { engine: 'jitless', tune: 'jit' },
  { engine: 'jit', tune: 'interpreter' }, { engine: 'jit', tune: 'jit' },
] as const;

// The children run two at a time (each takes a few seconds), started on first use.
const reports = new Map<number, Promise<Record<string, Report>>>();
function report(index: number): Promise<Record<string, Report>> {
  let promise = reports.get(index);
  if (promise === undefined) {
    const { engine, tune } = CONFIGS[index];
    const flags = engine === 'jitless' ? ['--jitless'] : [];
    const previous = index >= 2 ? report(index - 2) : Promise.resolve({});
    promise = previous.catch(() => ({})).then(() => runChild([...flags, child, runtime, bodyFile(tune), String(TRIALS), ...SCENARIOS]));
    reports.set(index, promise);
    if (index + 1 < CONFIGS.length && index % 2 === 0) void report(index + 1).catch(() => {});
  }
  return promise;
}

describe('stack exhaustion while memories and tables change (issue 12, bug 3)', () => {
  CONFIGS.forEach(({ engine, tune }, index) => {
    describe(`node ${engine === 'jitless' ? '--jitless' : 'with the JIT'}, tuned for ${tune}`, () => {
      for (const scenario of SCENARIOS) {
        it(`${scenario}: wasm and JS agree after each of ${TRIALS} trials`, async () => {
          const result = (await report(index))[scenario];
          expect(result.examples).toEqual([]);
          expect(result.failures).toBe(0);
        }, 120_000);
      }
    });
  });
});

// --- injected failures ----------------------------------------------------------------

/** Imports its memory, so two instances share it; the rest as MODULE, plus a host call that grows and catches. */
const SHARED_MODULE = `(module
  (import "env" "memory" (memory 1))
  (import "env" "growAndCatch" (func $growAndCatch))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "afterGrowAndCatch") (param $address i32) (param $value i64) (result i64)
    (call $growAndCatch)
    (i64.store (local.get $address) (local.get $value))
    (i64.load (local.get $address)))
  (func (export "size") (result i32) (memory.size))
  (func (export "load8u") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load16s") (param i32) (result i32) (i32.load16_s (local.get 0)))
  (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load32u64") (param i32) (result i64) (i64.load32_u (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "loadf64") (param i32) (result f64) (f64.load (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "store16") (param i32 i32) (i32.store16 (local.get 0) (local.get 1)))
  (func (export "store32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "storef64") (param i32 f64) (f64.store (local.get 0) (local.get 1))))`;

const exhaustion = (): RangeError => new RangeError('Maximum call stack size exceeded');

/**
 * Makes the k-th buffer, typed array, DataView or bound function created
 * while `body` runs throw a stack-exhaustion RangeError (once). Returns
 * whether it threw one.
 */
function failingAt(k: number, body: () => void): boolean {
  const globals = globalThis as any;
  const names = ['ArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array',
    'Uint32Array', 'BigInt64Array', 'Float32Array', 'Float64Array'];
  const saved = names.map((name) => globals[name]);
  const savedBind = Function.prototype.bind;
  let countdown = k;
  let injected = false;
  const tick = (): void => {
    if (countdown-- === 0) {
      injected = true;
      throw exhaustion();
    }
  };
  names.forEach((name, i) => {
    const Real = saved[i];
    const Faulty = function (this: unknown, ...args: unknown[]) { tick(); return new Real(...args); };
    Faulty.prototype = Real.prototype;
    Object.setPrototypeOf(Faulty, Real);
    globals[name] = Faulty;
  });
  Function.prototype.bind = function bind(this: Function, ...args: unknown[]) { tick(); return savedBind.apply(this, args as any); } as any;
  try {
    body();
  } finally {
    Function.prototype.bind = savedBind;
    names.forEach((name, i) => { globals[name] = saved[i]; });
  }
  return injected;
}

/** What differs between what JS sees of `memory` and what an instance's wasm sees. */
function disagreements(exports: any, memory: any): string[] {
  const problems: string[] = [];
  const check = (what: string, actual: unknown, expected: unknown): void => {
    if (!Object.is(actual, expected)) problems.push(`${what}: ${String(actual)}, expected ${String(expected)}`);
  };
  const buffer: ArrayBuffer = memory.buffer;
  const size = buffer.byteLength;
  const dv = new DataView(buffer);
  check('memory.size', exports.size(), size / 65536);
  exports.store64(8, -7n);
  check('i64.store', dv.getBigInt64(8, true), -7n);
  exports.store32(16, 123456);
  check('i32.store', dv.getInt32(16, true), 123456);
  exports.store16(20, 0xabcd);
  check('i32.store16', dv.getUint16(20, true), 0xabcd);
  exports.store8(22, 0x99);
  check('i32.store8', dv.getUint8(22), 0x99);
  exports.storef64(24, 2.25);
  check('f64.store', dv.getFloat64(24, true), 2.25);
  dv.setBigInt64(32, 0x0102030405060708n, true);
  check('i64.load', exports.load64(32), 0x0102030405060708n);
  check('i32.load', exports.load32(32), 0x05060708);
  check('i64.load32_u', exports.load32u64(36), 0x01020304n);
  check('i32.load16_s', exports.load16s(38), 0x0102);
  check('i32.load8_u', exports.load8u(39), 1);
  dv.setFloat64(40, -1.5, true);
  check('f64.load', exports.loadf64(40), -1.5);
  dv.setInt32(size - 4, 31, true);
  check('i32.load at the end', exports.load32(size - 4), 31);
  let trapped = 'no trap';
  try { exports.load32(size - 2); } catch (error) { trapped = error instanceof WA.RuntimeError ? 'RuntimeError' : String(error); }
  check('i32.load past the end', trapped, 'RuntimeError');
  return problems;
}

describe('an exhaustion injected at each step of a growth (issue 12, bug 3)', () => {
  const bytes = wat(SHARED_MODULE);
  for (const tune of ['interpreter', 'jit'] as const) {
    const module = defineModule(new Function('rt', compile(bytes, { format: 'body', tune }).code)(rt));
    const ways = {
      'memory.grow in wasm': (instance: any, memory: any, delta: number) => { instance.grow(delta); },
      'Memory.prototype.grow': (instance: any, memory: any, delta: number) => { memory.grow(delta); },
    };
    for (const [way, grow] of Object.entries(ways)) {
      for (const delta of [0, 1]) {
        it(`${way} by ${delta}, tuned for ${tune}: two instances sharing the memory agree with JS after a failure at any step`, () => {
          let steps = 0;
          for (let k = 0; ; k++) {
            const memory = new WA.Memory({ initial: 1, maximum: 4 });
            const env = { memory, growAndCatch: () => {} };
            const first = new WA.Instance(module, { env }).exports;
            const second = new WA.Instance(module, { env }).exports;
            let thrown: unknown;
            const injected = failingAt(k, () => {
              try { grow(first, memory, delta); } catch (error) { thrown = error; }
            });
            if (thrown !== undefined) expect(thrown).toBeInstanceOf(RangeError);
            expect([...disagreements(first, memory), ...disagreements(second, memory)]).toEqual([]);
            // Still usable: a growth without failures.
            memory.grow(1);
            expect([...disagreements(first, memory), ...disagreements(second, memory)]).toEqual([]);
            if (!injected) break;
            steps++;
          }
          // The runtime's new buffer (and copy view), and every view of both instances.
          expect(steps).toBeGreaterThanOrEqual(4);
        });
      }
    }

    it(`a host function catching a failure mid-growth returns to wasm that uses the new buffer, tuned for ${tune}`, () => {
      for (let k = 0; ; k++) {
        const memory = new WA.Memory({ initial: 1 });
        let injected = false;
        const env = {
          memory,
          growAndCatch: () => {
            injected = failingAt(k, () => {
              try { memory.grow(0); } catch (error) { if (!(error instanceof RangeError)) throw error; }
            });
          },
        };
        const instance = new WA.Instance(module, { env }).exports;
        expect(instance.afterGrowAndCatch(48, 0x1234n)).toBe(0x1234n);
        expect(new DataView(memory.buffer).getBigInt64(48, true)).toBe(0x1234n);
        expect(disagreements(instance, memory)).toEqual([]);
        if (!injected) break;
      }
    });
  }
});
