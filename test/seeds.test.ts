// The MDN pages in ../shared/seeds are the product's source documents: every
// JavaScript example on them must run verbatim against wasm2es on an engine
// without WebAssembly (`node --jitless`), both with the fixtures compiled
// ahead of time by the CLI and with the run-time polyfill. The examples are
// read from the pages at test time, not copied into the repository.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, freshOutputDir, parseGenerated, repoRoot, requireBuild, runCli, runJitless } from './helpers/cli.js';
import { examplesOf, isSyntaxSection, readPages, seedsDir, type Example } from './helpers/seed-pages.js';

const harness = join(repoRoot, 'test/helpers/seed-harness.mjs');

const describeOutput = (example: Example): string =>
  example.expectedStdout ? `prints ${JSON.stringify(example.expectedStdout)}` : 'runs without output';

const pages = readPages();

describe('MDN seed examples', () => {
  let outDir = '';
  let generated: string[] | undefined;

  beforeAll(() => {
    requireBuild();
    outDir = freshOutputDir('seeds');
  });

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  /** The CLI's ES-module output for the two fixtures the pages fetch, made once. */
  function generatedFixtures(): string[] {
    generated ??= ['memory', 'simple'].map((name) => {
      const output = join(outDir, `${name}.js`);
      const run = runCli([fixture(`${name}.wasm`), '-o', output]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      parseGenerated(readFileSync(output, 'utf8'), 'esm');
      return output;
    });
    return generated;
  }

  if (pages.length === 0) {
    it.skip(`seed pages not found in ${seedsDir} (set WASM2ES_SEEDS)`, () => {});
    return;
  }

  it('finds the JavaScript examples on every page', () => {
    for (const page of pages) expect(page.blocks.length, page.file).toBeGreaterThan(0);
    const all = pages.flatMap(examplesOf);
    expect(all.filter((e) => e.expectedStdout === '45\n').length).toBeGreaterThanOrEqual(3);
    expect(all.filter((e) => e.expectedStdout === '42\n').length).toBeGreaterThanOrEqual(3);
  });

  it('syntax synopses are at least valid JavaScript', () => {
    for (const page of pages) {
      for (const block of page.blocks.filter((b) => isSyntaxSection(b.section))) {
        expect(() => parseGenerated(block.code, 'iife'), `${page.file}: ${block.code}`).not.toThrow();
      }
    }
  });

  for (const page of pages) {
    examplesOf(page).forEach((example, index) => {
      const scriptFile = (mode: string): string => {
        const path = join(outDir, `${page.file.replace(/\.txt$/, '')}-${index + 1}-${mode}.js`);
        writeFileSync(path, example.script);
        return path;
      };

      it(`${example.name}, precompiled, ${describeOutput(example)}`, () => {
        const run = runJitless([harness, 'precompiled', scriptFile('precompiled'), ...generatedFixtures()]);
        expect(run.stderr).toBe('');
        expect(run.stdout).toBe(example.expectedStdout);
        expect(run.status).toBe(0);
      });

      it(`${example.name}, polyfill, ${describeOutput(example)}`, () => {
        const run = runJitless([harness, 'polyfill', scriptFile('polyfill')]);
        expect(run.stderr).toBe('');
        expect(run.stdout).toBe(example.expectedStdout);
        expect(run.status).toBe(0);
      });
    });
  }

  it('without the precompiled module, the runtime alone refuses with a CompileError', () => {
    const script = join(outDir, 'not-precompiled.js');
    writeFileSync(script, 'WebAssembly.compileStreaming(fetch("simple.wasm")).then(() => console.log("compiled"));\n');
    const run = runJitless([harness, 'precompiled', script]);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/CompileError/);
    expect(run.status).not.toBe(0);
  });
});
