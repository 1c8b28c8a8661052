// Helpers shared by the CLI and seed tests: running the built CLI and Node
// in child processes, and re-parsing generated JavaScript with acorn.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'acorn';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = join(repoRoot, 'bin/wasm2es.js');
export const fixture = (name: string): string => join(repoRoot, 'fixtures', name);

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Fails early with a useful message when the tests run without a build. */
export function requireBuild(): void {
  if (!existsSync(join(repoRoot, 'dist/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (or `npm test`, which builds first)');
  }
}

/** Runs `node [nodeFlags] bin/wasm2es.js ...args` from the repository root. */
export function runCli(args: string[], nodeFlags: string[] = []): Run {
  return runNode([...nodeFlags, binPath, ...args]);
}

/** Runs `node ...args` from the repository root. */
export function runNode(args: string[], input?: string): Run {
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', input, timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// V8 prints this on every `--jitless` start (jitless turns off expose_wasm).
const jitlessWarning = 'Warning: disabling flag --expose_wasm due to conflicting flags\n';

/**
 * Runs `node --jitless ...args`: an engine where `typeof WebAssembly ===
 * 'undefined'`. V8's start-up warning about that is dropped from stderr so
 * tests can expect stderr to be empty.
 */
export function runJitless(args: string[]): Run {
  const run = runNode(['--jitless', ...args]);
  return { ...run, stderr: run.stderr.startsWith(jitlessWarning) ? run.stderr.slice(jitlessWarning.length) : run.stderr };
}

/**
 * A new, empty directory inside the repository (so `wasm2es/runtime`
 * resolves by self-reference), unique to this run: several engineers' test
 * runs may share the tree. Remove it with `rmSync(dir, { recursive: true })`.
 */
export function freshOutputDir(name: string): string {
  const parent = join(repoRoot, 'test/.out');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${name}-`));
}

/** Re-parses generated JavaScript; throws acorn's SyntaxError (with position) on a slip. */
export function parseGenerated(code: string, format: 'esm' | 'cjs' | 'iife'): void {
  parse(code, {
    ecmaVersion: 'latest',
    sourceType: format === 'esm' ? 'module' : 'script',
    allowHashBang: false,
  });
}
