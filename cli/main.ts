// The wasm2es command: parses arguments with commander, then converts each
// input (convert.ts) to a file, a directory of files, or stdout, and with
// --watch again whenever an input changes (watch.ts). Every failure is one
// line on stderr, `wasm2es: <file>: <message>` (<file> is the output for a
// write error, else the input), with exit code 1 (2 for usage errors); no
// output file is created or touched unless its compilation succeeded.

import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { CompileOptions } from '../compiler/index.js';
import { CliError, describeSystemError, packageVersion, readBundledRuntime, sameRegularFile } from './files.js';
import { ConversionError, convert, describeFailure, inputLabel, STDIO, type Job, type Reporting } from './convert.js';
import { chooseFormat, outputName, type Format } from './module-kind.js';
import { watchInputs } from './watch.js';

const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

interface CliOptions {
  output?: string;
  outDir?: string;
  format?: Format;
  inlineRuntime?: boolean;
  optimize?: boolean;
  runtimeImport?: string;
  globalName?: string;
  tune: 'jit' | 'interpreter';
  pretty?: boolean;
  dts?: boolean;
  sourceMap?: boolean;
  quiet?: boolean;
  stats?: boolean;
  watch?: boolean;
}

function buildProgram(): Command {
  return new Command()
    .name('wasm2es')
    .description('Compile WebAssembly modules (.wasm, or .wat text) to JavaScript ahead of time.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .argument('<input...>', 'a .wasm file, a .wat file (needs binaryen), or - for stdin; several with --out-dir')
    .addOption(new Option('-o, --output <file>', 'write the JavaScript to <file> (- for stdout, the default with one input)').conflicts('outDir'))
    .option('-d, --out-dir <dir>', 'write each input\'s JavaScript to <dir>/<name>.js (.mjs/.cjs where .js would load as the other module system)')
    .addOption(
      new Option('-f, --format <format>', 'output format: ES module, CommonJS or plain script (default: what Node loads the output file as, else esm)')
        .choices(['esm', 'cjs', 'iife']),
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
    .option('--dts', 'also write TypeScript declarations beside each output (app.d.ts, app.d.mts, app.d.cts)')
    .option('--source-map', 'also write a source map to the .wasm beside each output (app.mjs.map: byte offsets as columns)')
    .option('-q, --quiet', 'print errors only: no notes, warnings or progress')
    .option('--stats', 'print, per input, its functions, input and output size and the time of each phase')
    .option('-w, --watch', 'keep running, and convert an input again whenever it changes')
    .addHelpText(
      'after',
      `
Examples:
  wasm2es app.wasm -o app.mjs                 ES module importing wasm2es/runtime
  wasm2es app.wasm -o app.cjs                 CommonJS
  wasm2es a.wasm b.wasm --out-dir gen/        several inputs at once
  wasm2es app.wasm --format iife --inline-runtime --global-name app -o app.js
  wasm2es app.wat -O -o app.mjs               assemble and optimise with binaryen
  wasm2es app.wasm --tune interpreter -o app.mjs   for engines without a JIT
  cat app.wasm | wasm2es - > app.mjs          stdin to stdout
  wasm2es app.wasm -o app.mjs --watch         convert again on every change
  wasm2es app.wasm -o app.mjs --dts           with app.d.mts: exact export and import types
  wasm2es app.wasm -o app.mjs --source-map    with app.mjs.map, for node --enable-source-maps and DevTools

A .js output is written in the module system Node will load it with (the
nearest package.json's "type"), unless --format says otherwise.
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

/** The output file name of an input in --out-dir: the input's name without .wasm/.wat. */
const baseNameOf = (input: string): string => basename(input, extname(input)) || basename(input);

/** Checks the combinations commander cannot express; returns a message for the first bad one. */
function usageProblem(inputs: string[], options: CliOptions): string | undefined {
  if (options.globalName !== undefined && options.format !== 'iife') {
    return 'option --global-name only applies to --format iife';
  }
  if (options.runtimeImport !== undefined && options.format === 'iife') {
    return 'option --runtime-import does not apply to --format iife (use --inline-runtime, or load dist/runtime.iife.js first)';
  }
  if (inputs.length > 1 && options.outDir === undefined) return 'several inputs need --out-dir <dir>';
  if (inputs.filter((input) => input === STDIO).length > 1) return 'stdin (-) can be read only once';
  if (options.watch && inputs.includes(STDIO)) return 'option --watch cannot watch stdin (-)';
  const toFiles = options.outDir !== undefined || (options.output !== undefined && options.output !== STDIO);
  if (options.watch && !toFiles) return 'option --watch needs -o <file> or --out-dir <dir>';
  if (options.dts && !toFiles) return 'option --dts needs -o <file> or --out-dir <dir> (it writes the declarations beside the output)';
  if (options.sourceMap) {
    if (!toFiles) return 'option --source-map needs -o <file> or --out-dir <dir> (it writes the map beside the output)';
    // The map's columns are byte offsets in the binary the code came from.
    if (options.optimize) return 'option --source-map cannot be used with -O: the map would point into the optimised binary, not the input';
    const text = inputs.find((input) => input === STDIO || /\.wat$/i.test(input));
    if (text !== undefined) return `option --source-map needs .wasm input: its positions are byte offsets in the binary (${inputLabel(text)})`;
  }
  if (options.outDir !== undefined) {
    const seen = new Map<string, string>();
    for (const input of inputs) {
      const name = input === STDIO ? 'stdin' : baseNameOf(input);
      const other = seen.get(name);
      if (other !== undefined) return `inputs ${other} and ${inputLabel(input)} would both be written as ${name} in --out-dir`;
      seen.set(name, inputLabel(input));
    }
  }
  // Through a symlink or a hard link too: -o follows symlinks.
  if (options.output !== undefined && options.output !== STDIO && sameRegularFile(options.output, inputs[0]!)) {
    return 'the output file would overwrite the input';
  }
  return undefined;
}

function compileOptions(options: CliOptions, format: Format): CompileOptions {
  const result: CompileOptions = { format, tune: options.tune };
  if (options.runtimeImport !== undefined) result.runtimeImport = options.runtimeImport;
  if (options.globalName !== undefined) result.globalName = options.globalName;
  if (options.inlineRuntime) result.inlineRuntime = readBundledRuntime();
  if (options.pretty) result.pretty = true;
  return result;
}

/** The jobs: one per input, with its output and format; notes about formats go to `notes`. */
function plan(inputs: string[], options: CliOptions, notes: string[]): Job[] {
  return inputs.map((input) => {
    let output: string | null;
    let format: Format;
    if (options.outDir !== undefined) {
      format = options.format ?? 'esm';
      output = join(options.outDir, outputName(input === STDIO ? 'stdin' : baseNameOf(input), format, options.outDir));
    } else {
      output = options.output === undefined || options.output === STDIO ? null : options.output;
      const choice = chooseFormat(options.format, output ?? undefined);
      format = choice.format;
      if (choice.note !== undefined) notes.push(`wasm2es: ${output}: ${choice.note}`);
    }
    return {
      input, output, options: compileOptions(options, format), optimize: options.optimize === true, dts: options.dts === true,
      sourceMap: options.sourceMap === true,
    };
  });
}

/** Runs one job, printing its error or stats line; true on success. */
async function runJob(job: Job, options: CliOptions, reporting: Reporting, announce: boolean): Promise<boolean> {
  try {
    const stats = await convert(job, reporting);
    if (stats !== null) process.stderr.write(`wasm2es: ${inputLabel(job.input)}: ${stats}\n`);
    if (announce && !options.quiet) process.stderr.write(`wasm2es: ${inputLabel(job.input)} -> ${job.output}\n`);
    return true;
  } catch (error) {
    const cause = error instanceof ConversionError ? error.failure : error;
    const fromText = error instanceof ConversionError && error.fromText;
    const file = cause instanceof CliError && cause.file !== undefined ? cause.file : inputLabel(job.input);
    process.stderr.write(`wasm2es: ${file}: ${describeFailure(cause, fromText)}\n`);
    return false;
  }
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
  const inputs = program.args;
  const options = program.opts<CliOptions>();

  const problem = usageProblem(inputs, options);
  if (problem !== undefined) {
    process.stderr.write(`wasm2es: ${problem}\n(run wasm2es --help for usage)\n`);
    return EXIT_USAGE;
  }

  if (options.outDir !== undefined) {
    try {
      mkdirSync(options.outDir, { recursive: true });
    } catch (error) {
      process.stderr.write(`wasm2es: ${options.outDir}: cannot create the output directory: ${describeSystemError(error)}\n`);
      return EXIT_ERROR;
    }
  }
  const notes: string[] = [];
  const jobs = plan(inputs, options, notes);
  if (!options.quiet) for (const note of notes) process.stderr.write(`${note}\n`);
  const reporting: Reporting = { stats: options.stats === true, progress: !options.quiet && process.stderr.isTTY === true };

  let failed = false;
  for (const job of jobs) {
    if (!(await runJob(job, options, reporting, false))) failed = true;
  }
  if (!options.watch) return failed ? EXIT_ERROR : 0;

  if (!options.quiet) process.stderr.write(`wasm2es: watching ${jobs.length === 1 ? inputLabel(jobs[0]!.input) : `${jobs.length} inputs`} (Ctrl-C to stop)\n`);
  await watchInputs(jobs.map((job) => job.input), async (input) => {
    const job = jobs.find((candidate) => candidate.input === input)!;
    await runJob(job, options, reporting, true);
  });
  return 0;
}

// A reader that goes away (`wasm2es --help | head -1`) is not an error of
// ours: without a listener, the EPIPE of commander's write to stdout would
// be an uncaught 'error' event with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') return;
  process.stderr.write(`wasm2es: stdout: cannot write: ${describeSystemError(error)}\n`);
  process.exit(EXIT_ERROR);
});

process.exitCode = await main(process.argv);
