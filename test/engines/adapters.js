// The engines a program runs on, each behind one function: run a program
// file, get its stdout, stderr, exit status and the JSON report it printed.
//
//   native        node with its own WebAssembly: the reference results
//   node-jitless  node --jitless: V8's interpreter, no WebAssembly
//   quickjs       QuickJS (quickjs-emscripten) hosted by node: no WebAssembly
//   hermes        the Hermes 0.12 CLI of hermes-engine-cli: no WebAssembly
//
// Every program is one classic script that writes through `print`
// (prelude.js); the hosts (node-host.mjs, quickjs-host.mjs, and Hermes's
// own CLI, which has print) differ only in how they start it. Children run
// at most `availableParallelism()` at a time.

import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const require = createRequire(import.meta.url);
const NODE_HOST = here('./node-host.mjs');
const QUICKJS_HOST = here('./quickjs-host.mjs');
export const HERMES = here('../../node_modules/hermes-engine-cli/linux64-bin/hermes');

// V8 prints this on every --jitless start.
const JITLESS_WARNING = 'Warning: disabling flag --expose_wasm due to conflicting flags\n';

/**
 * @typedef {object} Engine
 * @property {string} name
 * @property {string} description how it is run, for reports
 * @property {() => string | undefined} unavailable why it cannot run here, or undefined
 * @property {(file: string, options: { optimize: boolean }) => [string, string[]]} command
 * @property {(file: string) => [string, string[]]} check a command that only parses the file
 */

/** @type {Record<string, Engine>} */
export const ENGINES = {
  native: {
    name: 'native',
    description: 'node with native WebAssembly (reference)',
    unavailable: () => (typeof WebAssembly === 'undefined' ? 'this node has no WebAssembly' : undefined),
    command: (file) => [process.execPath, [NODE_HOST, file]],
    check: (file) => [process.execPath, [NODE_HOST, '--check', file]],
  },
  'node-jitless': {
    name: 'node-jitless',
    description: `node ${process.version} --jitless`,
    unavailable: () => undefined,
    command: (file) => [process.execPath, ['--jitless', NODE_HOST, file]],
    check: (file) => [process.execPath, ['--jitless', NODE_HOST, '--check', file]],
  },
  quickjs: {
    name: 'quickjs',
    description: 'QuickJS 2025-09-13 (quickjs-emscripten 0.32, release-sync) hosted by node',
    unavailable: () => {
      try {
        require.resolve('quickjs-emscripten');
        return undefined;
      } catch {
        return 'quickjs-emscripten is not installed (npm install)';
      }
    },
    command: (file) => [process.execPath, ['--stack-size=4000', QUICKJS_HOST, file]],
    check: (file) => [process.execPath, [QUICKJS_HOST, '--check', file]],
  },
  hermes: {
    name: 'hermes',
    description: 'Hermes 0.12 CLI (hermes-engine-cli linux64-bin/hermes)',
    unavailable: () => {
      if (process.platform !== 'linux' || process.arch !== 'x64') return `hermes-engine-cli ships no binary for ${process.platform}-${process.arch} we run`;
      if (!existsSync(HERMES)) return `${HERMES} is missing (npm install)`;
      try {
        accessSync(HERMES, constants.X_OK);
      } catch {
        return `${HERMES} is not executable`;
      }
      return undefined;
    },
    // -O compiles as React Native release builds do (hermesc -O). -O0 for a
    // program marked not to optimize: -O spends minutes on some big inputs.
    // -w: no compiler warnings (undeclared globals such as `print`) on stderr.
    command: (file, { optimize }) => [HERMES, ['-w', optimize ? '-O' : '-O0', file]],
    check: (file) => [HERMES, ['-w', '-O0', '-emit-binary', '-out=/dev/null', file]],
  },
};

/** The engines without WebAssembly that wasm2es output runs on. */
export const TARGET_ENGINES = ['node-jitless', 'quickjs', 'hermes'];

const slots = { free: availableParallelism(), waiting: [] };
async function slot() {
  if (slots.free > 0) slots.free--;
  else await new Promise((resolve) => slots.waiting.push(resolve));
  return () => {
    const next = slots.waiting.shift();
    if (next) next();
    else slots.free++;
  };
}

/**
 * @typedef {{ status: number | null, signal: string | null, stdout: string, stderr: string,
 *   report?: any, ms: number, timedOut: boolean }} Run
 */

/**
 * Runs a program file on an engine. `optimize: false` asks an engine that
 * compiles ahead of running (Hermes) not to optimize.
 * @returns {Promise<Run>}
 */
export async function runProgram(engineName, file, { timeoutMs = 180_000, optimize = true, check = false } = {}) {
  const engine = ENGINES[engineName];
  if (!engine) throw new Error(`unknown engine ${engineName}`);
  const [command, args] = check ? engine.check(file) : engine.command(file, { optimize });
  const release = await slot();
  const started = performance.now();
  try {
    return await new Promise((resolve) => {
      execFile(command, args, { timeout: timeoutMs, maxBuffer: 256 << 20, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (stderr.startsWith(JITLESS_WARNING)) stderr = stderr.slice(JITLESS_WARNING.length);
        const reportLine = stdout.split('\n').find((line) => line.startsWith('@@report '));
        const run = {
          status: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          signal: error?.signal ?? null,
          stdout,
          stderr,
          ms: performance.now() - started,
          timedOut: Boolean(error?.killed),
        };
        if (reportLine) {
          try {
            run.report = JSON.parse(reportLine.slice('@@report '.length));
          } catch {}
        }
        resolve(run);
      });
    });
  } finally {
    release();
  }
}

/** Whether an engine's parser accepts a script: undefined if so, else its complaint. */
export async function syntaxError(engineName, file) {
  const run = await runProgram(engineName, file, { check: true, timeoutMs: 60_000 });
  return run.status === 0 ? undefined : (run.stderr || run.stdout).trim() || describeRun(run);
}

/** stdout without the report line: what the program itself printed. */
export function programOutput(run) {
  return run.stdout.split('\n').filter((line) => !line.startsWith('@@report ')).join('\n');
}

/** One line saying how a run ended, for failure messages. */
export function describeRun(run) {
  const how = run.timedOut ? 'timed out' : run.signal ? `killed by ${run.signal}` : `exit ${run.status}`;
  return `${how} after ${Math.round(run.ms)} ms; stderr: ${JSON.stringify(run.stderr.slice(-3000))}; stdout tail: ${JSON.stringify(run.stdout.slice(-500))}`;
}
