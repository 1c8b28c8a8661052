// The module generators a run can use, by name. Each turns (seed, index,
// { features }) into module bytes, deterministically. 'own' is
// test/fuzz/generator.js, written separately: it is imported only when a run
// asks for it, so a checkout without it still fuzzes with binaryen.

import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryenBin } from './binaryen-tool.js';
import { createTtfGenerator } from './ttf.js';
import { exposeState } from './expose.js';

export const GENERATOR_NAMES = ['ttf', 'own'];
const OWN_GENERATOR = new URL('./generator.js', import.meta.url);

/** True when test/fuzz/generator.js exists. */
export function ownGeneratorPresent() {
  return existsSync(fileURLToPath(OWN_GENERATOR));
}

/**
 * Which version of a generator made a module, for fixtures: (seed, index)
 * names the same module only under the same version.
 */
export function generatorVersion(name) {
  try {
    if (name === 'ttf') return `binaryen ${JSON.parse(readFileSync(join(dirname(binaryenBin()), 'package.json'), 'utf8')).version}`;
    const here = fileURLToPath(new URL('.', import.meta.url));
    const paths = ['generator.js', 'gen'];
    const commit = execFileSync('git', ['log', '-1', '--format=%h', '--', ...paths], { cwd: here, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...paths], { cwd: here, encoding: 'utf8' }).trim() !== '';
    return `test/fuzz/generator.js at ${commit || 'no commit'}${dirty ? ' with local changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

/**
 * @param {string} name 'ttf' or 'own'
 * @returns {Promise<{ name: string, generate: (seed: number, index: number, options: { features: string[] }) => Promise<Uint8Array> }>}
 */
export async function loadGenerator(name) {
  if (name === 'ttf') return createTtfGenerator();
  if (name === 'own') {
    if (!ownGeneratorPresent()) throw new Error(`generator 'own' is not there yet: ${fileURLToPath(OWN_GENERATOR)} does not exist`);
    const { generateModule } = await import(OWN_GENERATOR.href);
    return {
      name,
      // Its state is exported already, by design; exposing is a no-op then, and a safety net otherwise.
      generate: async (seed, index, options) => exposeState(generateModule(seed, index, options)),
    };
  }
  throw new Error(`unknown generator ${name} (${GENERATOR_NAMES.join(', ')})`);
}
