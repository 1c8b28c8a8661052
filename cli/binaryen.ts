// The CLI's optional use of binaryen: assembling .wat input and pre-optimising
// with -O. binaryen is an optional dependency of several megabytes, so it is
// loaded lazily, only when one of those is asked for, and its absence is a
// one-line error rather than a crash at start-up.

/** The part of binaryen.js this file uses (typed here so the build does not need binaryen installed). */
interface BinaryenModule {
  setFeatures(features: number): void;
  validate(): number;
  optimize(): void;
  emitBinary(): Uint8Array;
  dispose(): void;
}

interface Binaryen {
  readBinary(bytes: Uint8Array): BinaryenModule;
  parseText(text: string): BinaryenModule;
  setOptimizeLevel(level: number): number;
  setShrinkLevel(level: number): number;
  setDebugInfo(on: boolean): void;
  Features: Record<string, number>;
}

/** A failure reported by binaryen; its message is one line, ready to print. */
export class BinaryenError extends Error {}

/** binaryen is not installed. */
export class BinaryenUnavailable extends BinaryenError {}

let loaded: Promise<Binaryen> | undefined;

async function load(purpose: string): Promise<Binaryen> {
  loaded ??= (async () => {
    // A specifier in a variable keeps TypeScript from resolving binaryen's
    // types, so the CLI builds where the optional dependency is absent.
    const specifier = 'binaryen';
    try {
      const namespace = await import(specifier);
      return namespace.default as Binaryen;
    } catch (error) {
      loaded = undefined;
      if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
        throw new BinaryenUnavailable(`${purpose} needs the optional dependency binaryen: run \`npm install binaryen\``);
      }
      throw error;
    }
  })();
  return loaded;
}

/**
 * The features beyond the MVP that wasm2es compiles: WebAssembly 2.0 (SIMD
 * included), relaxed SIMD, extended constants, tail calls, multi-memory,
 * exception handling and memory64.
 */
function supportedFeatures(binaryen: Binaryen): number {
  const {
    MutableGlobals, SignExt, NontrappingFPToInt, BulkMemory, ReferenceTypes, Multivalue, SIMD128, RelaxedSIMD, ExtendedConst, TailCall,
    MultiMemory, ExceptionHandling, Memory64,
  } = binaryen.Features;
  // Memory64 also lets binaryen read 64-bit tables, which the compiler then refuses by name.
  return MutableGlobals | SignExt | NontrappingFPToInt | BulkMemory | ReferenceTypes | Multivalue | SIMD128 | RelaxedSIMD | ExtendedConst | TailCall
    | MultiMemory | ExceptionHandling | Memory64;
}

/**
 * Runs `body` with process output captured: binaryen prints its validation
 * errors to stderr (and could print to stdout, which may be carrying our
 * output). Returns the captured lines alongside the result or error.
 */
function captureOutput<T>(body: () => T): { value?: T; error?: unknown; lines: string[] } {
  const text: string[] = [];
  const { stdout, stderr } = process;
  const savedOut = stdout.write;
  const savedErr = stderr.write;
  const sink = (chunk: unknown): boolean => {
    text.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  stdout.write = sink as typeof stdout.write;
  stderr.write = sink as typeof stderr.write;
  try {
    return { value: body(), lines: text.join('').split('\n').filter((line) => line.trim() !== '') };
  } catch (error) {
    return { error, lines: text.join('').split('\n').filter((line) => line.trim() !== '') };
  } finally {
    stdout.write = savedOut;
    stderr.write = savedErr;
  }
}

/** binaryen throws plain objects with a `message`, not Errors. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** The first validator complaint, without the expression dump that follows it. */
function firstValidationError(lines: string[]): string {
  const line = (lines.find((l) => l.includes('error')) ?? lines[0] ?? 'validation failed').replace(/,? on\s*$/, '').trim();
  // "[wasm-validator error in function 0] function body type must match"
  const match = /^\[wasm-validator error in ([^\]]*)\]\s*(.*)$/.exec(line);
  return match ? `invalid module: ${match[2]} (binaryen, in ${match[1]})` : line;
}

function optimizeModule(binaryen: Binaryen, module: BinaryenModule): void {
  // The levels of wasm-opt's plain -O (that is, -Os), set explicitly so the
  // output does not depend on binaryen's defaults.
  binaryen.setOptimizeLevel(2);
  binaryen.setShrinkLevel(1);
  binaryen.setDebugInfo(false);
  module.optimize();
}

/**
 * Assembles WebAssembly text into a binary, optionally optimised. A module
 * that is only invalid because it uses features wasm2es lacks (exceptions, ...) is
 * still assembled, so that the compiler reports the unsupported feature by
 * name.
 */
export async function assembleText(text: string, options: { optimize: boolean }): Promise<Uint8Array> {
  const binaryen = await load(options.optimize ? '.wat input and -O' : '.wat input');
  const parsed = captureOutput(() => binaryen.parseText(text));
  if (!parsed.value) throw new BinaryenError(messageOf(parsed.error).replace(/^(\d+:\d+): error: /, '$1: '));
  const module = parsed.value;
  try {
    module.setFeatures(supportedFeatures(binaryen));
    const valid = captureOutput(() => module.validate());
    if (valid.error !== undefined) throw new BinaryenError(messageOf(valid.error));
    if (!valid.value) {
      module.setFeatures(binaryen.Features.All);
      const validWithAll = captureOutput(() => module.validate());
      if (!validWithAll.value) throw new BinaryenError(firstValidationError(valid.lines));
      return emit(module);
    }
    if (options.optimize) {
      const optimized = captureOutput(() => optimizeModule(binaryen, module));
      if (optimized.error !== undefined) throw new BinaryenError(`-O: ${messageOf(optimized.error)}`);
    } else {
      // Keep the name section of the text's $names.
      binaryen.setDebugInfo(true);
    }
    return emit(module);
  } finally {
    module.dispose();
  }
}

/**
 * Optimises a binary module. Throws BinaryenError when binaryen cannot read,
 * validate or optimise it; the caller then lets the compiler explain what is
 * wrong with the original bytes, which gives a byte offset.
 */
export async function optimizeBinary(bytes: Uint8Array): Promise<Uint8Array> {
  const binaryen = await load('-O');
  const read = captureOutput(() => binaryen.readBinary(bytes));
  if (!read.value) throw new BinaryenError(`-O: binaryen: ${messageOf(read.error)}`);
  const module = read.value;
  try {
    module.setFeatures(supportedFeatures(binaryen));
    const valid = captureOutput(() => module.validate());
    if (!valid.value) throw new BinaryenError(`-O: binaryen: ${firstValidationError(valid.lines)}`);
    const optimized = captureOutput(() => optimizeModule(binaryen, module));
    if (optimized.error !== undefined) throw new BinaryenError(`-O: binaryen: ${messageOf(optimized.error)}`);
    return emit(module);
  } finally {
    module.dispose();
  }
}

function emit(module: BinaryenModule): Uint8Array {
  const emitted = captureOutput(() => module.emitBinary());
  if (!emitted.value) throw new BinaryenError(`binaryen: ${messageOf(emitted.error)}`);
  // Copy out of binaryen's heap view before the module is disposed.
  return new Uint8Array(emitted.value);
}
