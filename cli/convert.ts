// One conversion: an input (.wasm, .wat, or `-` for stdin) to the
// JavaScript for it, written to a file or to stdout, with what --stats
// reports and a progress bar on a terminal. main.ts runs one per input (and
// again per change under --watch).

import { basename, dirname, relative, resolve, sep } from 'node:path';
import { compile, compileObserved, type CompileObserver, type CompileOptions, type ModuleIdentity } from '../compiler/index.js';
import { declarationText } from '../compiler/dts.js';
import type { Module } from '../compiler/ir.js';
import { sha256Hex } from '../runtime/sha256.js';
import { assembleText, BinaryenError, BinaryenUnavailable, optimizeBinary } from './binaryen.js';
import { CliError, readInput, readStdin, writeOutput, writeToStream } from './files.js';
import { Progress } from './progress.js';

export const STDIO = '-';

/** Where one input goes: a file, or stdout (null). */
export interface Job {
  input: string;
  output: string | null;
  options: CompileOptions;
  optimize: boolean;
  /** Also write TypeScript declarations beside the output (declarationPath). */
  dts: boolean;
  /** Also write a source map to the .wasm beside the output (`<output>.map`). */
  sourceMap: boolean;
}

/** Where the declarations of an output file go: app.js -> app.d.ts, app.mjs -> app.d.mts, app.cjs -> app.d.cts. */
export function declarationPath(output: string): string {
  const match = /\.([mc]?)js$/i.exec(output);
  return match === null ? `${output}.d.ts` : `${output.slice(0, match.index)}.d.${match[1]}ts`;
}

export interface Reporting {
  stats: boolean;
  /** Draw a progress bar on stderr (a terminal) for modules with many functions. */
  progress: boolean;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Whether the input is text: a .wat file, or stdin that does not start with the binary magic. */
function isText(input: string, data: Uint8Array): boolean {
  if (input === STDIO) return data.length === 0 || !WASM_MAGIC.every((byte, i) => data[i] === byte);
  return /\.wat$/i.test(input);
}

export const inputLabel = (input: string): string => (input === STDIO ? '<stdin>' : input);

/**
 * Reads the input as .wasm bytes, assembling and optimising with binaryen
 * when asked. `registeredAs` is the SHA-256 and length the output registers
 * its module under: those of the input file for .wasm, optimised or not,
 * since those are the bytes a loader will fetch and pass to
 * WebAssembly.instantiate.
 */
async function loadModule(input: string, optimize: boolean): Promise<{ bytes: Uint8Array; registeredAs: ModuleIdentity; fromText: boolean }> {
  const data = input === STDIO ? readStdin() : readInput(input, !/\.wat$/i.test(input));
  if (isText(input, data)) {
    const bytes = await assembleText(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'), { optimize });
    return { bytes, registeredAs: { hash: sha256Hex(bytes), size: bytes.length }, fromText: true };
  }
  const registeredAs = { hash: sha256Hex(data), size: data.length };
  if (!optimize) return { bytes: data, registeredAs, fromText: false };
  try {
    return { bytes: await optimizeBinary(data), registeredAs, fromText: false };
  } catch (error) {
    if (!(error instanceof BinaryenError) || error instanceof BinaryenUnavailable) throw error;
    // binaryen rejected the module. The compiler's own error on the original
    // bytes is the better message: it has the byte offset in the user's file.
    compile(data, { format: 'body' });
    throw error;
  }
}

/** An error from a conversion, with whether the module came from text (for the message). */
export class ConversionError extends Error {
  constructor(readonly failure: unknown, readonly fromText: boolean) {
    super('conversion failed');
  }
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (milliseconds: number): string => `${milliseconds.toFixed(1)} ms`;

/** Converts one input; returns the --stats line (or null). Throws a ConversionError. */
export async function convert(job: Job, reporting: Reporting): Promise<string | null> {
  const times: [string, number][] = [];
  let functions = 0;
  let started = performance.now();
  const lap = (phase: string): void => {
    const ended = performance.now();
    times.push([phase, ended - started]);
    started = ended;
  };
  let fromText = /\.wat$/i.test(job.input);
  let inputSize = 0;
  let code: string;
  const progress = reporting.progress ? new Progress(process.stderr, basename(inputLabel(job.input))) : null;
  try {
    const loaded = await loadModule(job.input, job.optimize);
    fromText = loaded.fromText;
    inputSize = loaded.registeredAs.size;
    lap(fromText ? 'assemble' : job.optimize ? 'read + optimize' : 'read');
    let decoded: Module | undefined;
    const observer: CompileObserver = {
      phase(name, milliseconds, detail) {
        times.push([name, milliseconds]);
        functions = detail.functions;
        decoded = detail.module;
      },
      progress: progress === null ? undefined : (done, total) => progress.update(done, total),
    };
    let options = job.options;
    if (job.sourceMap && job.output !== null) {
      // The map sits beside the output and names the .wasm relative to itself.
      const source = relative(dirname(resolve(job.output)), resolve(job.input)).split(sep).join('/');
      options = { ...options, sourceMap: true, sourceMapSource: source, sourceMapFile: `${basename(job.output)}.map` };
    }
    const result = compileObserved(loaded.bytes, loaded.registeredAs, options, observer);
    code = result.code;
    progress?.clear();
    started = performance.now();
    if (job.output !== null) await writeOutput(job.output, code);
    else await writeToStream(process.stdout, code, 'stdout');
    if (result.map !== undefined && job.output !== null) await writeOutput(`${job.output}.map`, JSON.stringify(result.map));
    if (job.dts && job.output !== null) {
      const { format, runtimeImport, globalName } = job.options;
      await writeOutput(declarationPath(job.output), declarationText(decoded!, { format, runtimeImport, globalName }));
    }
    lap('write');
  } catch (error) {
    progress?.clear();
    throw new ConversionError(error, fromText);
  }
  if (!reporting.stats) return null;
  const outputSize = Buffer.byteLength(code, 'utf8');
  const phases = times.map(([phase, time]) => `${phase} ${ms(time)}`).join(', ');
  return `${functions} functions, ${kib(inputSize)} in, ${kib(outputSize)} out; ${phases}`;
}

/** Turns any failure into the one-line message printed after `wasm2es: <file>: `. */
export function describeFailure(error: unknown, fromText: boolean): string {
  let message: string;
  if (error instanceof CliError || error instanceof BinaryenError) {
    message = error.message;
  } else if (error instanceof Error && error.name === 'CompileError') {
    // A malformed, invalid or unsupported module: the message has the byte offset already.
    message = fromText && /\bat 0x/.test(error.message) ? `${error.message}, in the binary assembled from the text` : error.message;
  } else if (error instanceof Error) {
    message = `internal error: ${error.name}: ${error.message}`;
  } else {
    message = `internal error: ${String(error)}`;
  }
  return message.replace(/\s*\n\s*/g, ' ');
}
