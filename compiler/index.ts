// compile(): .wasm bytes -> JavaScript source. Decodes, validates, emits and
// wraps the module body in the requested output format. Pure TypeScript with
// no Node APIs: the run-time polyfill calls it too.

import { decodeValidated } from './validate.js';
import { emitModule, type EmitOptions, type ModuleIdentity } from './emit.js';
import { printProgram } from './print.js';
import { wrapBody, wrapping } from './format.js';
import { shiftMarks, sourceMap, type SourceMap } from './sourcemap.js';
import type { JsNode } from './js.js';
import type { Module } from './ir.js';
import { declarationText, type DeclarationOptions } from './dts.js';
import { sha256Hex } from '../runtime/sha256.js';

export type { ModuleIdentity, SourceMap };

export interface CompileOptions {
  /** Output format: an ES module (default), CommonJS, a plain script, or the bare module body (see runtime/abi.ts). */
  format?: 'esm' | 'cjs' | 'iife' | 'body';
  /** Module specifier the output imports the runtime from (esm, cjs). Default "wasm2es/runtime". */
  runtimeImport?: string;
  /**
   * Source text of the bundled runtime (dist/runtime.iife.js) to inline, so
   * the output is one self-contained file. The CLI reads and passes it.
   */
  inlineRuntime?: string;
  /** iife: also assign the Module to globalThis[globalName]. */
  globalName?: string;
  /**
   * Functions larger than this many syntax-tree nodes are split into nested
   * closures so engines will optimize them (V8 refuses functions over ~60 KB
   * of bytecode). Default 12000; tests set it low to exercise the splitter.
   */
  splitThreshold?: number;
  /**
   * Functions whose statements nest deeper than this are rewritten as one
   * flat state machine, because engines parse and compile nesting by
   * recursion (V8 overflows near 2,500 nested blocks). Default 1000; tests
   * set it low to exercise the rewrite on every function.
   */
  flattenHeight?: number;
  /**
   * The kind of engine to tune the output for; it is exact on every engine.
   * "jit" (default): memory through DataView calls and huge functions split,
   * which optimizing JIT compilers turn into the fastest code. "interpreter":
   * memory reads through typed arrays and no splitting, fewer bytecodes for
   * engines that only interpret (QuickJS, Hermes, `node --jitless`, iOS
   * Lockdown Mode), where those are ~15% faster and JITs are slower.
   */
  tune?: 'jit' | 'interpreter';
  /**
   * Indent the output two spaces a level, for reading. By default it is
   * printed compactly, one statement a line without indentation, which
   * is smaller and parses faster.
   */
  pretty?: boolean;
  /**
   * Also make a source map (`CompileResult.map`) from the JavaScript back to
   * the .wasm: each statement maps to the byte offset of the instruction it
   * comes from, as line 0 and column = offset (how browsers show wasm
   * positions). Without it the output is the same, byte for byte.
   */
  sourceMap?: boolean;
  /** The .wasm file as the map names it (its `sources`), relative to the map. Default "module.wasm". */
  sourceMapSource?: string;
  /**
   * The map's file name, relative to the output: esm, cjs and iife output
   * then ends with a `//# sourceMappingURL=` comment pointing at it.
   */
  sourceMapFile?: string;
}

export interface CompileResult {
  /** The JavaScript source. */
  code: string;
  /** SHA-256 of the input bytes, lowercase hex: the key the runtime registers the module under. */
  hash: string;
  /** With `sourceMap`: the source map of `code` (write it as JSON.stringify(map)). */
  map?: SourceMap;
}

function emitOptions(options: CompileOptions): EmitOptions {
  if (options.tune !== undefined && options.tune !== 'jit' && options.tune !== 'interpreter') {
    throw new TypeError(`compile(): unknown tune ${JSON.stringify(options.tune)} (expected "jit" or "interpreter")`);
  }
  const interpreter = options.tune === 'interpreter';
  return {
    splitThreshold: options.splitThreshold ?? (interpreter ? Infinity : undefined),
    flattenHeight: options.flattenHeight,
    typedMemory: interpreter,
    pretty: options.pretty === true,
    sourceMap: options.sourceMap === true,
  };
}

export function compile(input: Uint8Array | ArrayBuffer, options: CompileOptions = {}): CompileResult {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  return compileHashed(bytes, sha256Hex(bytes), options);
}

/**
 * compile() for callers that already know the bytes' SHA-256, or that
 * register the output under other bytes' hash and length (the CLI's -O
 * registers the optimised module under the input file's).
 */
export function compileHashed(bytes: Uint8Array, hash: string | ModuleIdentity, options: CompileOptions = {}): CompileResult {
  return compileObserved(bytes, hash, options, null);
}

/** What a caller can watch of a compilation: the CLI's --stats and progress bar. */
export interface CompileObserver {
  /**
   * A phase ended: 'decode' (decoding and validation), 'emit' (every
   * function generated and printed), 'print' (the module around them).
   * `module` is the decoded module (without function bodies), for callers
   * that also want its declarations or imports without decoding it again.
   */
  phase(name: 'decode' | 'emit' | 'print', milliseconds: number, detail: { functions: number; module: Module }): void;
  /** Function `done` of `total` is generated. */
  progress?(done: number, total: number): void;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** compileHashed(), reporting its phases to `observer` (null: none). */
export function compileObserved(
  bytes: Uint8Array, hash: string | ModuleIdentity, options: CompileOptions, observer: CompileObserver | null,
): CompileResult {
  const identity = typeof hash === 'string' ? { hash, size: bytes.length } : hash;
  let started = observer === null ? 0 : now();
  const lap = (name: 'decode' | 'emit' | 'print', module: Module): void => {
    if (observer === null) return;
    const ended = now();
    observer.phase(name, ended - started, { functions: module.funcs.length, module });
    started = ended;
  };
  const module = decodeValidated(bytes);
  lap('decode', module);
  const emitOpts = emitOptions(options);
  const progress = observer?.progress;
  if (progress !== undefined) emitOpts.onFunction = (done, total) => progress.call(observer, done, total);
  const program = emitModule(module, identity, emitOpts).program;
  lap('emit', module);
  if (options.sourceMap === true) return withSourceMap(program, options, identity.hash, lap, module);
  const code = wrapBody(printProgram(program, options.pretty === true), options);
  lap('print', module);
  return { code, hash: identity.hash };
}

/** The printing end of compileObserved() with a source map: the marks of the body, moved past what precedes it. */
function withSourceMap(program: JsNode, options: CompileOptions, hash: string, lap: (name: 'print', module: Module) => void, module: Module): CompileResult {
  const marks: number[] = [];
  const body = printProgram(program, options.pretty === true, marks);
  const [before, after] = wrapping(options);
  const code = before + body + after;
  shiftMarks(marks, before.length);
  const map = sourceMap(code, marks, options.sourceMapSource ?? 'module.wasm');
  lap('print', module);
  return { code, hash, map };
}

export interface LazyCompileResult {
  /** The module body, to run as `new Function('rt', '$text', body)(rt, functionSource)`. */
  body: string;
  /** The source of a function, emitted when its stub first runs (see LazyOptions in emit.ts). */
  functionSource(funcIndex: number): string;
}

/**
 * Decodes and validates `bytes` (so a CompileError comes now) and emits a
 * module body whose functions are generated on their first call: the
 * run-time compiler's path. `helpers` are the names of every helper of the
 * `rt` it will run with.
 */
export function compileLazy(
  bytes: Uint8Array, hash: string, helpers: readonly string[], options: Pick<CompileOptions, 'tune' | 'splitThreshold' | 'flattenHeight' | 'pretty'> = {},
): LazyCompileResult {
  // Function bodies are decoded again when generated, maybe long after the
  // caller has reused its buffer: keep a copy.
  const module = decodeValidated(bytes.slice());
  const emitted = emitModule(module, { hash, size: bytes.length }, { ...emitOptions(options), lazy: { helpers } });
  return { body: printProgram(emitted.program, options.pretty === true), functionSource: emitted.functionSource };
}

export type { DeclarationOptions };

/**
 * The TypeScript declarations (.d.ts text) of the output compile(bytes,
 * options) writes in `options.format` (esm, cjs or iife): the exact types of
 * the instances' exports and of the import object, on the runtime's
 * Module<Exports, Imports>. Invalid bytes throw the CompileError compile()
 * would.
 */
export function declarations(input: Uint8Array | ArrayBuffer, options: DeclarationOptions = {}): string {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  return declarationText(decodeValidated(bytes), options);
}
