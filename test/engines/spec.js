// The WebAssembly testsuite on real engines: one program per .wast file
// (wast-program.js), built once in native mode (the runner checked on node's
// own WebAssembly) and once per tuning in wasm2es mode, then run on each
// engine. Text modules are assembled as the spec runner assembles them
// (test/spec/assemble.js): with wabt, and with wasm-tools where the text has
// typed references or GC, which wabt cannot read. Results come back per
// command, as the spec runner's CommandResult, and are judged, as the spec
// runner's are, against a known-failures list
// (test/engines/known-failures.txt): a failure not listed fails, and so does
// a listed one that passes.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import wabtInit from 'wabt';
import { buildWastProgram } from './wast-program.js';
import { loadWasmTools } from '../spec/assemble.js';
import { proposalFiles } from '../spec/suite.js';

const KNOWN_FAILURES = new URL('./known-failures.txt', import.meta.url);

const LARGE_BR_TABLE = 'hermes -O spends over 100 s on the 8,000-case switch that its `large` function becomes';

/**
 * Programs Hermes runs unoptimized (-O0), with the reason: everything else
 * is compiled with -O, as React Native release builds are.
 */
export const HERMES_UNOPTIMIZED = {
  'br_table.wast': LARGE_BR_TABLE,
  // The proposals' copies of br_table.wast, with the same `large` function.
  'proposals/function-references/br_table.wast': LARGE_BR_TABLE,
  'proposals/gc/br_table.wast': LARGE_BR_TABLE,
};

/**
 * The scripts of typed function references and GC that the engines run:
 * every one of proposals/gc, and those of proposals/function-references
 * that are not byte for byte the gc script of the same name (15 of its 26
 * are: select, br_table, return_call, ...; running them twice would test
 * nothing more, and cost QuickJS about 14 s).
 */
export function typedReferenceFiles(dir) {
  const gc = proposalFiles(dir, 'gc');
  const gcByName = new Map(gc.map((file) => [basename(file), file]));
  const functionReferences = proposalFiles(dir, 'function-references').filter((file) => {
    const twin = gcByName.get(basename(file));
    return twin === undefined || !readFileSync(join(dir, file)).equals(readFileSync(join(dir, twin)));
  });
  return [...functionReferences, ...gc];
}

/** How a spec program runs on an engine: its path and run options. */
export function specRun(program, engine, tune) {
  const path = engine === 'native' ? program.native : program.wasm2es[tune];
  return { path, options: { optimize: !(engine === 'hermes' && program.file in HERMES_UNOPTIMIZED) } };
}
import { apiCompiler, assembleProgram, inlinedRuntime, writeProgram } from './program.js';
import { runProgram, describeRun } from './adapters.js';
import { classify } from '../spec/known-failures.js';


/**
 * @typedef {{ file: string, compilerOnly: number, native: string, wasm2es: Record<string, string>,
 *   buildErrors: string[], modules: number }} SpecProgram
 */

/**
 * Builds the programs for `files` of the testsuite at `dir`.
 * @param {{ dir: string, files: string[], tunes: string[] }} options
 * @returns {Promise<SpecProgram[]>}
 */
export async function buildSpecPrograms({ dir, files, tunes }) {
  const wabt = await wabtInit();
  // Before assembling: assembleModule then sends typed-reference and GC text to wasm-tools
  // (without it installed, such modules fail to assemble, each with wabt's reason).
  await loadWasmTools();
  const compile = await apiCompiler();
  const programs = [];
  for (const file of files) {
    const { body, modules, compilerOnly } = buildWastProgram(readFileSync(join(dir, file), 'latin1'), wabt);
    // proposals/relaxed-simd/x.wast -> proposals__relaxed-simd__x: one directory of programs.
    const stem = file.replace(/\.wast$/, '').replaceAll('/', '__');
    const program = {
      file,
      compilerOnly,
      modules: modules.length,
      buildErrors: [],
      native: writeProgram('spec', `${stem}.native.js`, assembleProgram({ mode: 'native', parts: [body] })),
      wasm2es: {},
    };
    for (const tune of tunes) {
      const generated = [];
      for (const bytes of modules) {
        try {
          generated.push(compile(bytes, { tune, inlineRuntime: generated.length === 0 }));
        } catch (error) {
          // The engine then fails that module's command ("not precompiled"); this says why.
          program.buildErrors.push(`${tune}: ${error.message}`);
        }
      }
      // A script whose modules all failed still needs the runtime for spectest.
      if (generated.length === 0) generated.push(await inlinedRuntime());
      program.wasm2es[tune] = writeProgram('spec', `${stem}.${tune}.js`, assembleProgram({ mode: 'wasm2es', generated, parts: [body] }));
    }
    programs.push(program);
  }
  return programs;
}

/**
 * The command results of one program's run, or an `error` when it printed
 * no report (crashed, timed out).
 * @returns {Promise<{ results?: any[], error?: string, hadNativeWebAssembly?: boolean, ms: number }>}
 */
export async function runSpecProgram(engine, path, options) {
  const run = await runProgram(engine, path, options);
  if (!run.report) return { error: describeRun(run), ms: run.ms };
  return {
    hadNativeWebAssembly: run.report.hadNativeWebAssembly,
    results: run.report.results.map(([line, kind, status, message]) => ({ line, kind, status, message })),
    ms: run.ms,
  };
}

/**
 * The known failures of one engine and tuning: the lines of
 * test/engines/known-failures.txt that start with `<engine>` (every tuning)
 * or `<engine>/<tune>`, each `<engine>[/<tune>] file.wast:LINE  reason`.
 * @returns {Map<string, { key: string, file: string, line: number, reason: string }>}
 */
export function knownFailuresOf(engine, tune) {
  const known = new Map();
  readFileSync(KNOWN_FAILURES, 'utf8').split('\n').forEach((text, index) => {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^([\w-]+)(?:\/(\w+))?\s+(\S+\.wast):(\d+)\s+(\S.*)$/.exec(trimmed);
    if (!match) throw new Error(`known-failures.txt:${index + 1}: expected "engine[/tune] file.wast:LINE  reason", got: ${trimmed}`);
    const [, entryEngine, entryTune, file, line, reason] = match;
    if (entryEngine !== engine || (entryTune !== undefined && entryTune !== tune)) return;
    const key = `${file}:${line}`;
    if (known.has(key)) throw new Error(`known-failures.txt:${index + 1}: ${key} is listed twice for ${engine}/${tune}`);
    known.set(key, { key, file, line: Number(line), reason });
  });
  return known;
}

export { classify };
