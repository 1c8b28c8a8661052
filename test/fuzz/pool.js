// Worker threads for the main thread, each behind a promise interface with
// a time limit per request: a module that hangs (an infinite loop that a
// miscompile made, or that a reducer's cut made) costs one worker, which is
// replaced, not the run.

import { Worker } from 'node:worker_threads';
import { rmSync } from 'node:fs';
import { scratchPath } from './binaryen-tool.js';

const WORKER = new URL('./worker.js', import.meta.url);

/**
 * @param {{ seed: number, features: string[], configs: string[], rounds: number }} settings
 * @param {number} timeoutSeconds
 */
export function createWorkerHandle(settings, timeoutSeconds) {
  let worker = null;
  let ready = null;
  let pending = null; // { resolve, timer }
  let nextId = 0;
  let recycle = false;

  function start() {
    worker = new Worker(WORKER, { workerData: settings });
    recycle = false;
    ready = new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'recycle') recycle = true;
        else if (pending) {
          const { resolve: answer, timer } = pending;
          pending = null;
          clearTimeout(timer);
          answer(message);
        }
      };
      worker.on('message', onMessage);
      worker.on('error', (error) => {
        if (pending) finish({ type: 'crashed', error: String(error?.stack ?? error) });
        else reject(error);
      });
      worker.on('exit', (code) => {
        if (pending) finish({ type: 'crashed', error: `worker exited with code ${code}` });
      });
    });
  }

  function finish(message) {
    const { resolve, timer } = pending;
    pending = null;
    clearTimeout(timer);
    stop();
    resolve(message);
  }

  /** Terminates the worker; a terminated thread runs no exit handlers, so its scratch files go here. */
  async function stop() {
    if (!worker) return;
    const old = worker;
    const thread = old.threadId; // -1 once it has stopped
    worker = null;
    old.removeAllListeners();
    await old.terminate();
    rmSync(scratchPath(thread), { recursive: true, force: true });
  }

  /** Sends one request; resolves with the answer, or { type: 'timeout' } / { type: 'crashed' }. */
  async function request(message) {
    if (!worker || recycle) {
      await stop();
      start();
    }
    await ready;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish({ type: 'timeout' }), timeoutSeconds * 1000);
      pending = { resolve, timer };
      worker.postMessage(message);
    });
  }

  return {
    request,
    /** Runs bytes with a plan on every configuration of the settings. */
    evaluate: (bytes, plan) => request({ type: 'evaluate', id: nextId++, bytes, plan }),
    close: stop,
  };
}
