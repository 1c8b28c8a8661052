// File I/O for the CLI: reading the input, writing the output (atomically
// where the output is a regular file), and finding the files that ship beside
// the CLI in the package (package.json, the bundled runtime). Errors come out
// as one-line messages.

import {
  accessSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, lstatSync, openSync, readFileSync, readlinkSync,
  realpathSync, renameSync, rmSync, statfsSync, statSync, writeFileSync, type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * An error whose message is ready to print after `wasm2es: <file>: `, where
 * <file> is `file` if given (the output, for a write error), else the input.
 */
export class CliError extends Error {
  constructor(message: string, readonly file?: string) {
    super(message);
  }
}

// strerror()'s wording, which users know from the shell and coreutils; libuv's
// differs for some codes ("illegal operation on a directory" for EISDIR).
const systemErrors: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ENXIO: 'no such device or address',
  ETXTBSY: 'text file busy',
  EBUSY: 'device or resource busy',
};

/** A Node system error as a short phrase with its code: "no such file or directory (ENOENT)". */
export function describeSystemError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === undefined || !/^E[A-Z0-9]+$/.test(code)) return message ?? String(error);
  // Node's own message reads "ECODE: description, syscall 'path'".
  const phrase = systemErrors[code] ?? /^E[A-Z0-9]+: ([^,]*)/.exec(message ?? '')?.[1] ?? 'system error';
  return `${phrase} (${code})`;
}

const isSystemError = (error: unknown, code: string): boolean => (error as { code?: unknown }).code === code;

/** Reads an input file; `binary` inputs must not be empty (a .wat file may be: it is the empty module). */
export function readInput(path: string, binary: boolean): Uint8Array {
  let data: Uint8Array;
  try {
    data = readFileSync(path);
  } catch (error) {
    throw new CliError(describeSystemError(error));
  }
  // The decoder would say "unexpected end (at 0x0)", which hides the usual
  // cause: a build step that failed and left an empty file behind.
  if (binary && data.length === 0) throw new CliError('the file is empty: expected a WebAssembly module (\\0asm)');
  return data;
}

/** Reads all of stdin (`-` as the input): a pipe, a redirected file, or a terminal up to end of file. */
export function readStdin(): Uint8Array {
  try {
    return readFileSync(0);
  } catch (error) {
    throw new CliError(`cannot read stdin: ${describeSystemError(error)}`);
  }
}

/** Whether two paths name the same existing regular file (through symlinks and hard links). */
export function sameRegularFile(a: string, b: string): boolean {
  try {
    const statA = statSync(a);
    const statB = statSync(b);
    return statA.isFile() && statB.isFile() && statA.dev === statB.dev && statA.ino === statB.ino;
  } catch {
    return resolve(a) === resolve(b);
  }
}

/**
 * Writes `text` to a stream of this process (stdout, stderr), resolving once
 * it is written. A reader that went away (`wasm2es x.wasm | head`) is not an
 * error; any other failure (stdout on a full disk) is a CliError naming `name`.
 */
export function writeToStream(stream: NodeJS.WriteStream, text: string, name: string): Promise<void> {
  // The failure also comes as an 'error' event, which would otherwise be uncaught.
  stream.on('error', () => {});
  return new Promise((resolvePromise, reject) => {
    stream.write(text, (error) => {
      if (error && !isSystemError(error, 'EPIPE')) reject(new CliError(`cannot write: ${describeSystemError(error)}`, name));
      else resolvePromise();
    });
  });
}

// Kernel interfaces rather than storage (statfs f_type): a temporary file
// cannot be created there, and writing is what the file is for.
const PSEUDO_FILE_SYSTEMS = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x64626720, // debugfs
  0x74726163, // tracefs
  0x73636673, // securityfs
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x62656570, // configfs
]);

function onPseudoFileSystem(path: string): boolean {
  try {
    return PSEUDO_FILE_SYSTEMS.has(Number(statfsSync(path).type));
  } catch {
    return false;
  }
}

/** Which of this process's own stdout and stderr `stats` is, if either. */
function ownStream(stats: Stats): NodeJS.WriteStream | undefined {
  for (const [fd, stream] of [[1, process.stdout], [2, process.stderr]] as const) {
    try {
      const open = fstatSync(fd);
      if (open.dev === stats.dev && open.ino === stats.ino && open.rdev === stats.rdev) return stream;
    } catch {
      // The descriptor is closed.
    }
  }
  return undefined;
}

/**
 * Writes `text` to `path` as a shell redirection would, but never leaves a
 * partial regular file:
 * - a regular file, new or existing, gets a temporary file in its directory
 *   (same file system, so the rename is atomic) renamed over it: it is
 *   either untouched or complete. A symlink, dangling or not, is followed and
 *   its final target replaced; the link stays a link. An existing file keeps
 *   its permission bits (and owner, where we may set it), and a file we may
 *   not write is refused, as the shell's `>` refuses it.
 * - anything else (character device, FIFO, socket, and files of kernel
 *   interfaces such as /proc) cannot be replaced without destroying it, so it
 *   is opened for writing as it is, without creating or truncating it.
 * - a path that is this process's stdout or stderr (/dev/stdout, or a file the
 *   shell redirected stdout to) is written through that stream, which also
 *   works for a socket and keeps the shell's `>>` append.
 */
export async function writeOutput(path: string, text: string): Promise<void> {
  let stats: Stats | undefined;
  try {
    stats = statSync(path);
  } catch (error) {
    if (!isSystemError(error, 'ENOENT')) throw new CliError(`cannot write: ${describeSystemError(error)}`, path);
  }
  if (stats === undefined) return replaceRegularFile(path, finalTarget(path), text, undefined);
  const stream = ownStream(stats);
  if (stream !== undefined) return writeToStream(stream, text, path);
  if (stats.isDirectory()) throw new CliError(`cannot write: ${systemErrors.EISDIR} (EISDIR)`, path);
  if (!stats.isFile() || onPseudoFileSystem(path)) return writeThrough(path, text);
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw new CliError(`cannot write: ${describeSystemError(error)}`, path);
  }
  return replaceRegularFile(path, realpathSync(path), text, stats);
}

/** Opens `path` for writing as it is (no O_CREAT, no O_TRUNC) and writes `text`. */
function writeThrough(path: string, text: string): void {
  let fd: number | undefined;
  try {
    // O_NOCTTY: a terminal given as the output must not become our controlling terminal.
    fd = openSync(path, constants.O_WRONLY | constants.O_NOCTTY);
    writeFileSync(fd, text);
  } catch (error) {
    // A FIFO's reader that went away, as for stdout.
    if (!isSystemError(error, 'EPIPE')) throw new CliError(`cannot write: ${describeSystemError(error)}`, path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Where a path that does not exist (yet) would be created: a dangling
 * symlink, however many links deep, names the file at the end of the chain.
 * Directories are resolved physically at each step, as the kernel resolves
 * a link's `..`.
 */
function finalTarget(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops <= 40; hops++) {
    try {
      current = join(realpathSync(dirname(current)), basename(current));
    } catch {
      return current; // A missing directory: creating the file will say so.
    }
    let link: string;
    try {
      link = readlinkSync(current);
    } catch {
      return current; // Not a symlink (EINVAL), or not there at all (ENOENT).
    }
    current = resolve(dirname(current), link);
  }
  throw new CliError(`cannot write: ${systemErrors.ELOOP} (ELOOP)`, path);
}

function replaceRegularFile(path: string, target: string, text: string, existing: Stats | undefined): void {
  let isLink = false;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    // The path is not there: no symlink.
  }
  const through = isLink ? ` ${target} (the symlink's target)` : '';
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temporary, 'wx', existing === undefined ? 0o666 : existing.mode & 0o777);
  } catch (error) {
    // Creating the temporary file is creating a file in the target's directory,
    // so for a new file its failure is the answer; for an existing one it is a
    // detail the user could not guess (root, writing a file in a read-only directory).
    const reason = describeSystemError(error);
    throw new CliError(existing === undefined
      ? `cannot write${through}: ${reason}`
      : `cannot write${through}: cannot create a temporary file in ${dirname(target)} to replace it: ${reason}`, path);
  }
  try {
    if (existing !== undefined) {
      // The mode passed to open is reduced by the umask; the file's own mode is not.
      fchmodSync(fd, existing.mode & 0o777);
      if (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.()) {
        try {
          fchownSync(fd, existing.uid, existing.gid);
        } catch {
          // Only root may give a file away; otherwise the replacement is ours, as with a new file.
        }
      }
    }
    writeFileSync(fd, text);
    closeSync(fd);
    fd = -1;
    renameSync(temporary, target);
  } catch (error) {
    if (fd !== -1) closeSync(fd);
    rmSync(temporary, { force: true });
    throw new CliError(`cannot write${through}: ${describeSystemError(error)}`, path);
  }
}

/** The package's version, from the package.json two levels above dist/cli/. */
export function packageVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(packageJson.version);
}

/** The bundled runtime as one minified script (dist/runtime.min.iife.js), for --inline-runtime. */
export function readBundledRuntime(): string {
  const url = new URL('../runtime.min.iife.js', import.meta.url);
  try {
    return readFileSync(url, 'utf8');
  } catch (error) {
    throw new CliError(`--inline-runtime: cannot read the bundled runtime dist/runtime.min.iife.js: ${describeSystemError(error)} (run \`npm run build\`)`);
  }
}
