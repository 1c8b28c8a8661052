// The MDN pages in ../shared/seeds are the product's source documents: every
// JavaScript example on them must run verbatim against wasm2es on an engine
// without WebAssembly (`node --jitless`), both with the fixtures compiled
// ahead of time by the CLI and with the run-time polyfill. The examples are
// read from the pages at test time, not copied into the repository.

import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, freshOutputDir, parseGenerated, repoRoot, requireBuild, runCli, runJitless } from './helpers/cli.js';

const seedsDir = resolve(process.env.WASM2ES_SEEDS ?? join(repoRoot, '../shared/seeds'));
const harness = join(repoRoot, 'test/helpers/seed-harness.mjs');

// The memory pages' second example uses a variable `memory` "created on the
// line before", i.e. by the page's first example. The pages disagree: the zh
// page's first example creates `memory`, the French Memory() page names it
// `memoire` (and then uses `memory`), and the French Memory.buffer page has
// no such example at all. Where a page's own code does not define `memory`,
// the zh page's definition stands in for it.
const zhMemoryDefinition = 'var memory = new WebAssembly.Memory({ initial: 10, maximum: 100 });';

interface CodeBlock {
  code: string;
  /** The enclosing level-2 heading, e.g. "Exemples" or "Syntaxe". */
  section: string;
}

interface Page {
  file: string;
  title: string;
  blocks: CodeBlock[];
}

function readPage(file: string): Page {
  const text = readFileSync(join(seedsDir, file), 'utf8');
  const title = /^title:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? file;
  const blocks: CodeBlock[] = [];
  let section = '';
  let code: string[] | undefined;
  for (const line of text.split('\n')) {
    if (code) {
      if (/^\s*```\s*$/.test(line)) {
        blocks.push({ code: code.join('\n') + '\n', section });
        code = undefined;
      } else {
        code.push(line);
      }
    } else if (/^\s*```js\s*$/.test(line)) {
      code = [];
    } else if (/^## /.test(line)) {
      section = line.slice(3).trim();
    }
  }
  return { file, title, blocks };
}

// Blocks under "Syntax" show a call shape with placeholder parameters
// (`WebAssembly.compileStreaming(source)`); they are not runnable examples.
const isSyntaxSection = (section: string): boolean => /^(Syntax|Syntaxe|语法)$/i.test(section);

const declaresMemory = (code: string): boolean => /\b(var|let|const)\s+memory\b/.test(code);
const usesMemory = (code: string): boolean => /\bmemory\.buffer\b|\bmem:\s*memory\b/.test(code);

interface Example {
  name: string;
  script: string;
  expectedStdout: string;
}

function examplesOf(page: Page): Example[] {
  const examples: Example[] = [];
  const runnable = page.blocks.filter((block) => !isSyntaxSection(block.section));
  runnable.forEach((block, index) => {
    let script = block.code;
    if (usesMemory(block.code) && !declaresMemory(block.code)) {
      const earlier = runnable.slice(0, index).find((b) => declaresMemory(b.code));
      script = (earlier ? earlier.code : `${zhMemoryDefinition}\n`) + script;
    }
    const fetched = /fetch\(\s*["']([\w.-]+\.wasm)["']\s*\)/.exec(block.code)?.[1];
    const expectedStdout = fetched === 'memory.wasm' ? '45\n' : fetched === 'simple.wasm' ? '42\n' : '';
    examples.push({ name: `${page.file} (${page.title}) example ${index + 1}`, script, expectedStdout });
  });
  return examples;
}

const describeOutput = (example: Example): string =>
  example.expectedStdout ? `prints ${JSON.stringify(example.expectedStdout)}` : 'runs without output';

const pageFiles = existsSync(seedsDir) ? readdirSync(seedsDir).filter((f) => f.endsWith('.txt')).sort() : [];
const pages = pageFiles.map(readPage);

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
