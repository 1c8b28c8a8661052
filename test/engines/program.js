// Builds the engine test programs: one classic script each, self-contained,
// that any engine runs with nothing but `print`:
//
//   prelude.js                       print-based console, base64, the report line
//   wasm2es output (wasm2es mode)    --format iife --inline-runtime, as shipped
//   globalThis.WebAssembly = the runtime's WebAssembly (wasm2es mode)
//   the workload                     seed example, glue + scenarios, .wast commands
//
// The same program without the wasm2es output ("native" mode) runs on node's
// own WebAssembly for the reference results. Generated code and runtime are
// pasted in untouched; only third-party glue and test code may be lowered
// for Hermes (see lowerForHermes).

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** This process's own directory for programs (several people's test runs may share the tree). */
let outRoot;
function programDirectory() {
  if (!outRoot) {
    mkdirSync(join(repoRoot, 'test/.out'), { recursive: true });
    outRoot = mkdtempSync(join(repoRoot, 'test/.out/engines-'));
  }
  return outRoot;
}

/** Removes this process's programs. */
export function removePrograms() {
  if (outRoot) rmSync(outRoot, { recursive: true, force: true });
  outRoot = undefined;
}
const PRELUDE = readFileSync(new URL('./prelude.js', import.meta.url), 'utf8');

/** Installs the runtime's WebAssembly once the generated modules have loaded. */
const INSTALL_RUNTIME =
  'if (typeof globalThis.wasm2esRuntime === "undefined") throw new Error("no wasm2es runtime was loaded");\n' +
  'globalThis.WebAssembly = globalThis.wasm2esRuntime.WebAssembly;';

/**
 * A whole program. Pieces are joined with `;` line breaks, so that no piece
 * can run into the next (a piece ending in `}` followed by one starting `(`).
 * @param {{ mode: 'wasm2es' | 'native', generated?: string[], parts: string[] }} options
 */
export function assembleProgram({ mode, generated = [], parts }) {
  const pieces = [PRELUDE];
  if (mode === 'wasm2es') pieces.push(...generated, INSTALL_RUNTIME);
  pieces.push(...parts);
  return pieces.join('\n;\n');
}

/** Writes a program under test/.out/engines-XXXXXX/<group>/ and returns its path. */
export function writeProgram(group, name, text) {
  const directory = join(programDirectory(), group);
  mkdirSync(directory, { recursive: true });
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

/**
 * The CLI's `--format iife --inline-runtime --tune <tune>` output for a .wasm
 * file, as a user would make it (bin/wasm2es.js in a child process).
 */
export function compileWithCli(input, tune) {
  const directory = join(programDirectory(), 'generated');
  mkdirSync(directory, { recursive: true });
  const output = join(directory, `${input.split('/').pop().replace(/\.wasm$/, '')}.${tune}.js`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'bin/wasm2es.js'), input, '--format', 'iife', '--inline-runtime', '--tune', tune, '-o', output],
      { maxBuffer: 64 << 20 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`wasm2es ${input} failed:\n${stderr}`));
        else resolve(readFileSync(output, 'utf8'));
      },
    );
  });
}

/**
 * The same output through the compile() API (what the CLI calls), for the
 * thousands of small spec modules where a process each would cost minutes.
 * The runtime goes into the first module of a program only: the others find
 * it as globalThis.wasm2esRuntime, as separately loaded modules do.
 */
export async function apiCompiler() {
  const { compile } = await import(join(repoRoot, 'dist/index.js'));
  const runtime = await inlinedRuntime();
  return (bytes, { tune, inlineRuntime }) =>
    compile(bytes, { format: 'iife', tune, inlineRuntime: inlineRuntime ? runtime : undefined }).code;
}

/** The runtime text --inline-runtime pastes, read the way the CLI reads it. */
export async function inlinedRuntime() {
  const { readBundledRuntime } = await import(join(repoRoot, 'dist/cli/files.js'));
  return readBundledRuntime();
}

/** Base64 of a file, for programs that feed bytes to glue. */
export function base64Of(path) {
  return readFileSync(path).toString('base64');
}

/**
 * Lowers third-party glue and test code for Hermes 0.12, which has no
 * classes and no async arrow functions: what React Native's Babel pass does
 * to an app's own code. TypeScript (a devDependency already) stands in for
 * Babel, to ES5 with downlevelIteration. Never applied to wasm2es's output
 * or runtime, which must run as shipped.
 */
export async function lowerForHermes(source) {
  const ts = (await import('typescript')).default;
  const { outputText, diagnostics } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES5, downlevelIteration: true, module: ts.ModuleKind.CommonJS, noEmitHelpers: false, removeComments: false },
    reportDiagnostics: true,
  });
  const errors = (diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== 2737 /* BigInt literal below ES2020: Hermes has BigInt */);
  if (errors.length) throw new Error(`lowering for Hermes failed: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  return outputText;
}
