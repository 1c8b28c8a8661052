// A small, deterministic WASI preview1 host for the C test programs in this
// directory: argv, environment, stdin from a string, stdout/stderr captured,
// proc_exit, a fixed clock and a seeded random source. No file system: the
// programs only use stdio. Anything else a module imports answers ENOSYS.
// It works on any WebAssembly implementation because it only touches
// `memory.buffer` (re-read on every call, since memory can grow), and on
// any engine that has TextEncoder and TextDecoder (test/engines gives
// Hermes and QuickJS stand-ins).

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_INVAL = 28;
const ERRNO_NOSYS = 52;
const ERRNO_SPIPE = 70;
const FILETYPE_CHARACTER_DEVICE = 2;

/**
 * Thrown by proc_exit to unwind out of the module. A constructor function,
 * not a class: test/engines runs this host on Hermes 0.12, which has none.
 */
export function ProcExit(code) {
  const error = new Error(`proc_exit(${code})`);
  Object.setPrototypeOf(error, ProcExit.prototype);
  error.code = code;
  return error;
}
ProcExit.prototype = Object.create(Error.prototype, {
  constructor: { value: ProcExit, writable: true, configurable: true },
});

export function createWasi({ args = ['program'], env = {}, stdin = '' } = {}) {
  const encoder = new TextEncoder();
  const argBytes = args.map((arg) => encoder.encode(arg + '\0'));
  const envBytes = Object.entries(env).map(([key, value]) => encoder.encode(`${key}=${value}\0`));
  const input = encoder.encode(stdin);
  let inputOffset = 0;
  const output = { 1: [], 2: [] };
  let memory = null;
  let randomState = 0x2545f491;

  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);

  function writeStrings(list, pointers, buffer) {
    const dv = view();
    for (const item of list) {
      dv.setUint32(pointers, buffer, true);
      bytes().set(item, buffer);
      pointers += 4;
      buffer += item.length;
    }
    return ERRNO_SUCCESS;
  }

  function sizes(list, countPointer, sizePointer) {
    const dv = view();
    dv.setUint32(countPointer, list.length, true);
    dv.setUint32(sizePointer, list.reduce((sum, item) => sum + item.length, 0), true);
    return ERRNO_SUCCESS;
  }

  const functions = {
    args_sizes_get: (countPointer, sizePointer) => sizes(argBytes, countPointer, sizePointer),
    args_get: (pointers, buffer) => writeStrings(argBytes, pointers, buffer),
    environ_sizes_get: (countPointer, sizePointer) => sizes(envBytes, countPointer, sizePointer),
    environ_get: (pointers, buffer) => writeStrings(envBytes, pointers, buffer),

    fd_write(fd, iovs, iovsLength, writtenPointer) {
      if (!output[fd]) return ERRNO_BADF;
      const dv = view();
      let written = 0;
      for (let i = 0; i < iovsLength; i++) {
        const base = dv.getUint32(iovs + i * 8, true);
        const length = dv.getUint32(iovs + i * 8 + 4, true);
        output[fd].push(bytes().slice(base, base + length));
        written += length;
      }
      dv.setUint32(writtenPointer, written, true);
      return ERRNO_SUCCESS;
    },

    fd_read(fd, iovs, iovsLength, readPointer) {
      if (fd !== 0) return ERRNO_BADF;
      const dv = view();
      let read = 0;
      for (let i = 0; i < iovsLength && inputOffset < input.length; i++) {
        const base = dv.getUint32(iovs + i * 8, true);
        const length = dv.getUint32(iovs + i * 8 + 4, true);
        const chunk = input.subarray(inputOffset, inputOffset + length);
        bytes().set(chunk, base);
        inputOffset += chunk.length;
        read += chunk.length;
      }
      dv.setUint32(readPointer, read, true);
      return ERRNO_SUCCESS;
    },

    fd_close: (fd) => (fd <= 2 ? ERRNO_SUCCESS : ERRNO_BADF),
    fd_seek: (fd) => (fd <= 2 ? ERRNO_SPIPE : ERRNO_BADF),
    fd_fdstat_get(fd, statPointer) {
      if (fd > 2) return ERRNO_BADF;
      const dv = view();
      dv.setUint8(statPointer, FILETYPE_CHARACTER_DEVICE);
      dv.setUint16(statPointer + 2, 0, true);
      dv.setBigUint64(statPointer + 8, 0xffffffffffffffffn, true);
      dv.setBigUint64(statPointer + 16, 0xffffffffffffffffn, true);
      return ERRNO_SUCCESS;
    },
    fd_prestat_get: () => ERRNO_BADF,
    fd_prestat_dir_name: () => ERRNO_BADF,

    proc_exit(code) {
      throw new ProcExit(code);
    },

    clock_time_get(id, precision, timePointer) {
      if (typeof precision !== 'bigint') return ERRNO_INVAL; // i64 must arrive as BigInt
      view().setBigUint64(timePointer, 1_700_000_000_000_000_000n + BigInt(id), true);
      return ERRNO_SUCCESS;
    },
    random_get(buffer, length) {
      const target = bytes();
      for (let i = 0; i < length; i++) {
        randomState ^= randomState << 13;
        randomState ^= randomState >>> 17;
        randomState ^= randomState << 5;
        target[buffer + i] = randomState & 0xff;
      }
      return ERRNO_SUCCESS;
    },
    sched_yield: () => ERRNO_SUCCESS,
  };

  const namespace = new Proxy(functions, {
    get: (target, name) => target[name] ?? (() => ERRNO_NOSYS),
  });

  const text = (fd) => new TextDecoder().decode(concat(output[fd]));

  return {
    imports: { wasi_snapshot_preview1: namespace },
    /** Runs a command module's _start; returns the exit code. Traps propagate. */
    start(instance) {
      memory = instance.exports.memory;
      try {
        instance.exports._start();
        return 0;
      } catch (error) {
        if (error instanceof ProcExit) return error.code;
        throw error;
      }
    },
    /** Prepares a reactor module: runs _initialize when it has one. */
    initialize(instance) {
      memory = instance.exports.memory;
      instance.exports._initialize?.();
    },
    stdout: () => text(1),
    stderr: () => text(2),
  };
}

function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
