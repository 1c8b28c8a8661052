// The MDN seed pages (../shared/seeds, or $WASM2ES_SEEDS): their JavaScript
// examples, read from the pages at test time, each made runnable on its own
// (an example that uses the page's `memory` gets the page's definition of
// it). Shared by test/seeds.test.ts (node --jitless) and
// test/engines.test.ts (Hermes, QuickJS).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './cli.js';

export const seedsDir = resolve(process.env.WASM2ES_SEEDS ?? join(repoRoot, '../shared/seeds'));

// The memory pages' second example uses a variable `memory` "created on the
// line before", i.e. by the page's first example. The pages disagree: the zh
// page's first example creates `memory`, the French Memory() page names it
// `memoire` (and then uses `memory`), and the French Memory.buffer page has
// no such example at all. Where a page's own code does not define `memory`,
// the zh page's definition stands in for it.
const zhMemoryDefinition = 'var memory = new WebAssembly.Memory({ initial: 10, maximum: 100 });';

export interface CodeBlock {
  code: string;
  /** The enclosing level-2 heading, e.g. "Exemples" or "Syntaxe". */
  section: string;
}

export interface Page {
  file: string;
  title: string;
  blocks: CodeBlock[];
}

export function readPage(file: string): Page {
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
export const isSyntaxSection = (section: string): boolean => /^(Syntax|Syntaxe|语法)$/i.test(section);

const declaresMemory = (code: string): boolean => /\b(var|let|const)\s+memory\b/.test(code);
const usesMemory = (code: string): boolean => /\bmemory\.buffer\b|\bmem:\s*memory\b/.test(code);

export interface Example {
  name: string;
  script: string;
  expectedStdout: string;
}

export function examplesOf(page: Page): Example[] {
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

/** The pages, sorted by file name; none when the seeds are not there. */
export function readPages(): Page[] {
  if (!existsSync(seedsDir)) return [];
  return readdirSync(seedsDir).filter((f) => f.endsWith('.txt')).sort().map(readPage);
}
