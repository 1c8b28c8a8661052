#!/usr/bin/env node
// The testsuite on the real engines from the command line (test/engines.test.ts
// runs the same through vitest): builds the programs, runs them, prints per
// engine the commands passed, failed and skipped, and every failure.
//
//   node test/engines/run-spec.js [name...] [--engine E]... [--tune interpreter|jit]... [--list-failures] [--keep]
//
// The names select files as `npm run spec` does: none, every non-SIMD file;
// `simd` and `relaxed-simd`, the SIMD scripts; `function-references` and
// `gc`, those proposals' scripts (node 20's own WebAssembly has no GC:
// check them with --engine native on node 22 or later).
// --list-failures prints every failure as a known-failures.txt line (UNTRIAGED), for triage;
// --keep leaves the programs in test/.out/engines-XXXXXX/spec/ to run by hand.

import { findTestsuite, selectFiles } from '../spec/suite.js';
import { ENGINES, TARGET_ENGINES } from './adapters.js';
import { buildSpecPrograms, runSpecProgram, knownFailuresOf, classify, specRun } from './spec.js';
import { removePrograms } from './program.js';

const args = process.argv.slice(2);
const names = [];
const engines = [];
const tunes = [];
let listFailures = false;
let keep = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--engine') engines.push(args[++i]);
  else if (args[i] === '--list-failures') listFailures = true;
  else if (args[i] === '--keep') keep = true;
  else if (args[i] === '--tune') tunes.push(args[++i]);
  else names.push(args[i].replace(/\.wast$/, ''));
}
if (engines.length === 0) engines.push('native', ...TARGET_ENGINES);
if (tunes.length === 0) tunes.push('interpreter');

const dir = findTestsuite();
if (!dir) {
  console.log('spec testsuite not found, skipping (set WASM_TESTSUITE or put it at ../shared/testsuite)');
  process.exit(0);
}
const files = selectFiles(dir, names);
let started = performance.now();
const programs = await buildSpecPrograms({ dir, files, tunes });
console.log(`built ${programs.length} programs (${tunes.join(', ')}) in ${((performance.now() - started) / 1000).toFixed(1)}s`);
for (const program of programs) for (const error of program.buildErrors) console.log(`  build: ${program.file}: ${error}`);

let bad = 0;
for (const engine of engines) {
  const why = ENGINES[engine].unavailable();
  if (why) {
    console.log(`${engine}: not available: ${why}`);
    continue;
  }
  for (const tune of engine === 'native' ? ['-'] : tunes) {
    started = performance.now();
    const outcomes = await Promise.all(
      programs.map(async (program) => {
        const { path, options } = specRun(program, engine, tune);
        return [program.file, await runSpecProgram(engine, path, options)];
      }),
    );
    const resultsByFile = new Map();
    const broken = [];
    for (const [file, outcome] of outcomes) {
      if (outcome.error) broken.push(`${file}: ${outcome.error}`);
      else resultsByFile.set(file, outcome.results);
    }
    const all = [...resultsByFile.values()].flat();
    const count = (status) => all.filter((result) => result.status === status).length;
    const { unexpectedFailures, unexpectedPasses, stale } = classify(resultsByFile, knownFailuresOf(engine, tune));
    if (listFailures) {
      for (const [file, results] of resultsByFile) {
        for (const result of results.filter((r) => r.status === 'fail')) {
          console.log(`${engine}/${tune} ${file}:${result.line}  UNTRIAGED ${result.kind}: ${result.message}`);
        }
      }
    }
    const slowest = outcomes.sort((a, b) => b[1].ms - a[1].ms).slice(0, 3).map(([file, outcome]) => `${file} ${(outcome.ms / 1000).toFixed(1)}s`);
    console.log(
      `${engine}${engine === 'native' ? '' : ` (--tune ${tune})`}: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped` +
        ` in ${((performance.now() - started) / 1000).toFixed(1)}s; slowest ${slowest.join(', ')}`,
    );
    for (const failure of unexpectedFailures) console.log(`  FAIL ${failure.key} ${failure.kind}: ${failure.message}`);
    for (const pass of unexpectedPasses) console.log(`  UNEXPECTED PASS ${pass.key} (listed: ${pass.reason})`);
    for (const entry of stale) console.log(`  STALE ${entry.key} ${entry.why}`);
    for (const text of broken) console.log(`  NO REPORT ${text}`);
    bad += unexpectedFailures.length + unexpectedPasses.length + stale.length + broken.length;
  }
}
const compilerOnly = programs.reduce((sum, program) => sum + program.compilerOnly, 0);
console.log(`${compilerOnly} assert_invalid/assert_malformed commands are the compiler's (checked by npm run spec), not run on the engines`);
if (keep) console.log(`programs kept in ${programs[0]?.native.replace(/\/spec\/[^/]*$/, '')}`);
else removePrograms();
process.exitCode = bad ? 1 : 0;
