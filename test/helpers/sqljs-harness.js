// Child-process plumbing for the real-program tests (sqljs.test.ts and
// toolchain.test.ts): compile a .wasm with the built CLI, and run a program
// that prints one JSON report, natively or under `node --jitless`.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A fresh directory under test/.out (inside the package, so `wasm2es/runtime` resolves by self-reference). */
export function freshDirectory(name) {
  if (!existsSync(join(repoRoot, 'dist/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (or `npm test`, which builds first)');
  }
  const directory = join(repoRoot, 'test/.out', name);
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  return directory;
}

function node(args, { env = {}, timeout = 240_000 } = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      timeout,
      maxBuffer: 64 << 20,
      encoding: 'utf8',
    }, (error, stdout, stderr) => resolve({ error, stdout, stderr }));
  });
}

/** `wasm2es input -o output` with the built CLI; throws with the CLI's stderr on failure. */
export async function compileWithCli(input, output) {
  const { error, stderr } = await node([join(repoRoot, 'bin/wasm2es.js'), input, '-o', output]);
  if (error) throw new Error(`wasm2es ${input} failed (${error.code ?? error.signal}):\n${stderr}`);
  return output;
}

/**
 * Runs `node [--jitless] program ...args` and parses the JSON report it
 * prints. A crash (no report) becomes { fatal } with the exit status and
 * stderr, so a test failure shows what went wrong.
 */
export async function runReport(program, args, { jitless = false, env } = {}) {
  const { error, stdout, stderr } = await node([...(jitless ? ['--jitless'] : []), join(repoRoot, program), ...args], { env });
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return {
      fatal: `no report (${error ? `exit ${error.code ?? ''} ${error.signal ?? ''}`.trim() : 'exit 0'}; ` +
        `stdout ${JSON.stringify(stdout.slice(-2000))}; stderr ${JSON.stringify(stderr.slice(-4000))})`,
      results: {},
    };
  }
}

/** A result without its timing, for comparing implementations. */
export function withoutTiming(result) {
  if (!result) return result;
  const { ms, ...rest } = result;
  return rest;
}
