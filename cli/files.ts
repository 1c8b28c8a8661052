// File I/O for the CLI: reading the input, writing the output atomically, and
// finding the files that ship beside the CLI in the package (package.json,
// the bundled runtime). Errors come out as one-line messages.

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** An error whose message is ready to print after `wasm2es: <file>: `. */
export class CliError extends Error {}

const systemErrors: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
};

/** A Node system error as a short phrase: "no such file or directory". */
export function describeSystemError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return (code && systemErrors[code]) ?? message ?? String(error);
}

export function readInput(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliError(describeSystemError(error));
  }
}

/**
 * Writes `text` to `path` so that `path` is either untouched or complete:
 * the text goes to a temporary file in the same directory (same file
 * system, so the rename is atomic), which is then renamed over `path`.
 */
export function writeOutputAtomically(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, text, { flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new CliError(`cannot write ${path}: ${describeSystemError(error)}`);
  }
}

/** The package's version, from the package.json two levels above dist/cli/. */
export function packageVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(packageJson.version);
}

/** The bundled runtime as one script (dist/runtime.iife.js), for --inline-runtime. */
export function readBundledRuntime(): string {
  const url = new URL('../runtime.iife.js', import.meta.url);
  try {
    return readFileSync(url, 'utf8');
  } catch (error) {
    throw new CliError(`--inline-runtime: cannot read the bundled runtime dist/runtime.iife.js: ${describeSystemError(error)} (run \`npm run build\`)`);
  }
}
