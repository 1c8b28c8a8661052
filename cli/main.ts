// The wasm2es command: parses arguments with commander, reads the input,
// compiles it and writes the JavaScript. Every failure is one line on stderr,
// `wasm2es: <file>: <message>` (<file> is the output for a write error, else
// the input), with exit code 1 (2 for usage errors); no output file is
// created or touched unless compilation succeeded.

import { Command, CommanderError, Option } from 'commander';
import { compile, compileHashed, type CompileOptions, type ModuleIdentity } from '../compiler/index.js';
import { sha256Hex } from '../runtime/sha256.js';
import { assembleText, BinaryenError, BinaryenUnavailable, optimizeBinary } from './binaryen.js';
import { CliError, packageVersion, readBundledRuntime, readInput, sameRegularFile, writeOutput, writeToStream } from './files.js';

const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

interface CliOptions {
  output?: string;
  format: 'esm' | 'cjs' | 'iife';
  inlineRuntime?: boolean;
  optimize?: boolean;
  runtimeImport?: string;
  globalName?: string;
  tune: 'jit' | 'interpreter';
  pretty?: boolean;
}

function buildProgram(): Command {
  return new Command()
    .name('wasm2es')
    .description('Compile a WebAssembly module (.wasm, or .wat text) to JavaScript ahead of time.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .argument('<input>', 'a .wasm file, or a .wat file (needs binaryen)')
    .option('-o, --output <file>', 'write the JavaScript to <file> instead of stdout')
    .addOption(
      new Option('-f, --format <format>', 'output format: ES module, CommonJS or plain script')
        .choices(['esm', 'cjs', 'iife'])
        .default('esm'),
    )
    .addOption(
      new Option('--inline-runtime', 'include the runtime in the output, making it self-contained').conflicts('runtimeImport'),
    )
    .addOption(
      new Option('--tune <engine>', 'tune the output for engines with a JIT, or for interpreters only (QuickJS, Hermes, --jitless); exact on both')
        .choices(['jit', 'interpreter'])
        .default('jit'),
    )
    .option('-O, --optimize', 'optimise the module with binaryen first, like wasm-opt -O (needs binaryen)')
    .option('--pretty', 'indent the output for reading (by default it is compact: one statement a line, no indentation)')
    .option('--runtime-import <specifier>', 'where esm/cjs output imports the runtime from (default "wasm2es/runtime")')
    .option('--global-name <name>', 'iife: also store the WebAssembly.Module in globalThis[<name>]')
    .addHelpText(
      'after',
      `
Examples:
  wasm2es app.wasm -o app.js                  ES module importing wasm2es/runtime
  wasm2es app.wasm --format cjs -o app.cjs    CommonJS
  wasm2es app.wasm --format iife --inline-runtime --global-name app -o app.js
  wasm2es app.wat -O -o app.js                assemble and optimise with binaryen
  wasm2es app.wasm --tune interpreter -o app.js   for engines without a JIT
  wasm2es app.wasm --pretty -o app.js         indented, for reading

Loading the output registers the module with the runtime, so
WebAssembly.instantiate(bytes), instantiateStreaming(fetch(url)) and
new WebAssembly.Module(bytes) with the same bytes use the compiled code.`,
    )
    .showHelpAfterError('(run wasm2es --help for usage)')
    .configureOutput({
      outputError: (text, write) => write(text.replace(/^error: /, 'wasm2es: ')),
    })
    .exitOverride();
}

/** Checks the combinations commander cannot express; returns a message for the first bad one. */
function usageProblem(input: string, options: CliOptions): string | undefined {
  if (options.globalName !== undefined && options.format !== 'iife') {
    return 'option --global-name only applies to --format iife';
  }
  if (options.runtimeImport !== undefined && options.format === 'iife') {
    return 'option --runtime-import does not apply to --format iife (use --inline-runtime, or load dist/runtime.iife.js first)';
  }
  // Through a symlink or a hard link too: -o follows symlinks.
  if (options.output !== undefined && sameRegularFile(options.output, input)) {
    return 'the output file would overwrite the input';
  }
  return undefined;
}

const isText = (input: string): boolean => /\.wat$/i.test(input);

/**
 * Reads the input as .wasm bytes, assembling and optimising with binaryen
 * when asked. `registeredAs` is the SHA-256 and length the output registers
 * its module under: those of the input file for .wasm, optimised or not,
 * since those are the bytes a loader will fetch and pass to
 * WebAssembly.instantiate.
 */
async function loadModule(input: string, optimize: boolean): Promise<{ bytes: Uint8Array; registeredAs: ModuleIdentity }> {
  const data = readInput(input, !isText(input));
  if (isText(input)) {
    const bytes = await assembleText(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'), { optimize });
    return { bytes, registeredAs: { hash: sha256Hex(bytes), size: bytes.length } };
  }
  const registeredAs = { hash: sha256Hex(data), size: data.length };
  if (!optimize) return { bytes: data, registeredAs };
  try {
    return { bytes: await optimizeBinary(data), registeredAs };
  } catch (error) {
    if (!(error instanceof BinaryenError) || error instanceof BinaryenUnavailable) throw error;
    // binaryen rejected the module. The compiler's own error on the original
    // bytes is the better message: it has the byte offset in the user's file.
    compile(data, { format: 'body' });
    throw error;
  }
}

function compileOptions(options: CliOptions): CompileOptions {
  const result: CompileOptions = { format: options.format, tune: options.tune };
  if (options.runtimeImport !== undefined) result.runtimeImport = options.runtimeImport;
  if (options.globalName !== undefined) result.globalName = options.globalName;
  if (options.inlineRuntime) result.inlineRuntime = readBundledRuntime();
  if (options.pretty) result.pretty = true;
  return result;
}

/** Turns any failure into the one-line message printed after `wasm2es: <file>: `. */
function describeFailure(error: unknown, fromText: boolean): string {
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

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : EXIT_USAGE;
    }
    throw error;
  }
  const input = program.args[0] as string;
  const options = program.opts<CliOptions>();

  const problem = usageProblem(input, options);
  if (problem !== undefined) {
    process.stderr.write(`wasm2es: ${problem}\n(run wasm2es --help for usage)\n`);
    return EXIT_USAGE;
  }

  try {
    const { bytes, registeredAs } = await loadModule(input, options.optimize === true);
    const { code } = compileHashed(bytes, registeredAs, compileOptions(options));
    if (options.output !== undefined) await writeOutput(options.output, code);
    else await writeToStream(process.stdout, code, 'stdout');
  } catch (error) {
    const file = error instanceof CliError && error.file !== undefined ? error.file : input;
    process.stderr.write(`wasm2es: ${file}: ${describeFailure(error, isText(input))}\n`);
    return EXIT_ERROR;
  }
  return 0;
}

process.exitCode = await main(process.argv);
