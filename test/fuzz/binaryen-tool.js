// binaryen's command-line tools (wasm-opt, wasm-dis), run in this process.
// Each is an 11 MB Emscripten build: starting node for it costs ~350 ms a
// call, while loading it once with its automatic run disabled and calling
// its main() again per module costs ~10 ms. These builds use NODERAWFS:
// their files are the real file system, shared by every thread, so each
// thread keeps its files in a directory of its own. A tool that aborts is
// reloaded; one that has run many times is reloaded too, since nothing
// guarantees that main() frees what it takes.

import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

const require = createRequire(import.meta.url);
// main() leaks, and after a few thousand runs wasm-opt -ttf crashed on inputs it handles fresh.
const RELOAD_AFTER_RUNS = 500;

/** The directory of a thread's tool files; pool.js removes a terminated worker's. */
export function scratchPath(thread = threadId) {
  return join(tmpdir(), `wasm2es-fuzz-${process.pid}-${thread}`);
}

let scratch = null;
/** This thread's directory for tool input and output files, removed when the thread exits. */
function scratchDirectory() {
  if (!scratch) {
    scratch = scratchPath();
    mkdirSync(scratch, { recursive: true });
    process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
  }
  return scratch;
}

/** The directory of binaryen's tools, or null when the optional dependency is missing. */
export function binaryenBin() {
  try {
    return join(dirname(require.resolve('binaryen')), 'bin');
  } catch {
    return null;
  }
}

/**
 * `run(args, inputs, outputs)`: inputs and outputs are bare file names, and
 * an argument equal to one of them stands for that file.
 * @param {string} tool 'wasm-opt', 'wasm-dis', ...
 * @returns {Promise<{ run: (args: string[], inputs?: Record<string, Uint8Array>, outputs?: string[]) =>
 *   { status: number, stdout: string, stderr: string, files: Record<string, Uint8Array> } }>}
 */
export async function loadTool(tool) {
  const bin = binaryenBin();
  if (!bin) throw new Error("binaryen is not installed (it is an optional dependency: npm install binaryen)");
  const path = join(bin, tool);
  let source = readFileSync(path, 'utf8');
  if (source.startsWith('#!')) source = '//' + source;
  // Expose what the script keeps in a local: its main.
  const factory = new Function('Module', 'require', 'module', '__filename', '__dirname', `${source}\n;Module.callMain = callMain;`);

  const directory = scratchDirectory();
  const file = (name) => join(directory, name);
  let instance = null;
  let runs = 0;
  const output = { stdout: [], stderr: [] };
  async function start() {
    const Module = {
      noInitialRun: true,
      noExitRuntime: true,
      thisProgram: tool,
      print: (text) => output.stdout.push(text),
      printErr: (text) => output.stderr.push(text),
    };
    const ready = new Promise((resolve) => (Module.onRuntimeInitialized = resolve));
    factory(Module, require, undefined, path, bin);
    await ready;
    instance = Module;
    runs = 0;
  }
  await start();

  return {
    /** Runs the tool's main; must not be called again before it returns (it is synchronous). */
    run(args, inputs = {}, outputs = []) {
      if (!instance || runs >= RELOAD_AFTER_RUNS) throw new Error(`${tool} needs a reload: await tool.reload()`);
      runs++;
      const names = new Set([...Object.keys(inputs), ...outputs]);
      for (const [name, bytes] of Object.entries(inputs)) writeFileSync(file(name), bytes);
      output.stdout = [];
      output.stderr = [];
      const exitCode = process.exitCode;
      let status;
      try {
        status = instance.callMain(args.map((arg) => (names.has(arg) ? file(arg) : arg)));
      } catch (error) {
        // An abort() leaves the Emscripten runtime unusable.
        instance = null;
        return { status: -1, stdout: output.stdout.join('\n'), stderr: `${output.stderr.join('\n')}\n${error}`, files: {} };
      } finally {
        process.exitCode = exitCode; // the Emscripten exit path sets it
      }
      const files = {};
      for (const name of outputs) {
        try {
          files[name] = new Uint8Array(readFileSync(file(name)));
        } catch {
          // not written: the status says why
        }
      }
      for (const name of names) rmSync(file(name), { force: true });
      return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n'), files };
    },
    /** True when run() can be called without reload(). */
    get ready() {
      return instance !== null && runs < RELOAD_AFTER_RUNS;
    },
    reload: start,
  };
}
