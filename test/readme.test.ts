// The README's examples, run as a reader would run them. A fenced block
// preceded by `<!-- test: NAME -->` is saved as NAME in a scratch directory
// inside the package (so `wasm2es/...` imports resolve to this checkout, as
// they would to an installed copy), with `bin` and `fixtures` linked in;
// `.sh` blocks are run line by line, and a script's expected output is what
// its `console.log(...); // X` comments say.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'test/.out/readme');

/** The marked blocks of the README, by name, in order. */
function readmeBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const pattern = /<!-- test: ([\w.-]+) -->\n```\w*\n([\s\S]*?)```/g;
  for (const match of text.matchAll(pattern)) {
    if (blocks.has(match[1])) throw new Error(`README: two blocks named ${match[1]}`);
    blocks.set(match[1], match[2]);
  }
  return blocks;
}

/** What a script says it prints: the `// X` comments after its console.log calls. */
function expectedOutput(script: string): string {
  const lines = [...script.matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((match) => match[1]);
  if (lines.length === 0) throw new Error('no console.log(...); // expected output comment');
  return lines.map((line) => `${line}\n`).join('');
}

const blocks = readmeBlocks(readFileSync(join(root, 'README.md'), 'utf8'));

/** Runs one shell line of a block in the scratch directory; returns its stdout. */
function shell(line: string): string {
  const run = spawnSync('sh', ['-c', line], { cwd: work, encoding: 'utf8' });
  const stderr = run.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/gm, '');
  expect(stderr, line).toBe('');
  expect(run.status, line).toBe(0);
  return run.stdout;
}

const commands = (name: string): string[] => blocks.get(name)!.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  symlinkSync(join(root, 'bin'), join(work, 'bin'));
  symlinkSync(join(root, 'fixtures'), join(work, 'fixtures'));
  for (const [name, text] of blocks) if (!name.endsWith('.sh')) writeFileSync(join(work, name), text);
});

describe('README quick start', () => {
  it('has its blocks', () => {
    for (const name of ['compile.sh', 'demo.mjs', 'run-demo.sh', 'glue.mjs']) expect(blocks.has(name), name).toBe(true);
  });

  it('compiles the fixture, runs demo.mjs under node --jitless, and the byte-based glue', () => {
    for (const line of commands('compile.sh')) shell(line);
    const [run] = commands('run-demo.sh');
    expect(shell(run)).toBe(expectedOutput(blocks.get('demo.mjs')!));
    expect(shell('node --jitless glue.mjs')).toBe(expectedOutput(blocks.get('glue.mjs')!));
  });
});


