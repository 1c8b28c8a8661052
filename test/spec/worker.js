// A worker of the runner's pool: runs whole script files on one engine and
// posts their results back. It reports the line of the command it is on in
// a shared Int32Array, [line, commands started], so that run.js can stop a
// command that hangs and run the file again without it.

import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { createEngine } from './engines.js';
import { runScript } from './script.js';
import { loadWasmTools } from './assemble.js';

const progress = new Int32Array(workerData.progress);
const wabt = await wabtInit();
const binaryen = await loadBinaryen();
await loadWasmTools();
let engine;
try {
  engine = await createEngine(workerData.engine, { format: workerData.format });
} catch (error) {
  parentPort.postMessage({ fatal: `cannot load engine ${workerData.engine}: ${error?.stack ?? error}` });
}
if (engine) {
  parentPort.on('message', runFile);
  parentPort.postMessage({ ready: true });
}

async function runFile({ file, path, skipLines }) {
  const started = performance.now();
  try {
    const results = await runScript({
      source: readFileSync(path, 'latin1'),
      engine,
      wabt,
      binaryen,
      skipLines: new Set(skipLines),
      onCommand(line) {
        progress[0] = line;
        Atomics.add(progress, 1, 1);
      },
    });
    parentPort.postMessage({
      file,
      results,
      ms: performance.now() - started,
      heapUsed: process.memoryUsage().heapUsed,
    });
  } catch (error) {
    parentPort.postMessage({ file, error: String(error?.stack ?? error), ms: performance.now() - started });
  }
}

/** binaryen (an optional peer dependency), for typed-reference and GC text and what wabt cannot assemble (assemble.js); null without it. */
async function loadBinaryen() {
  try {
    const binaryen = (await import('binaryen')).default;
    await binaryen.ready;
    return binaryen;
  } catch {
    return null;
  }
}
