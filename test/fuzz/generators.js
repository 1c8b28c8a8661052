// The module generators a run can use, by name. Each turns (seed, index,
// { features }) into module bytes, deterministically. 'own' is
// test/fuzz/generator.js, written separately: it is imported only when a run
// asks for it, so a checkout without it still fuzzes with binaryen.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTtfGenerator } from './ttf.js';
import { exposeState } from './expose.js';

export const GENERATOR_NAMES = ['ttf', 'own'];
const OWN_GENERATOR = new URL('./generator.js', import.meta.url);

/** True when test/fuzz/generator.js exists. */
export function ownGeneratorPresent() {
  return existsSync(fileURLToPath(OWN_GENERATOR));
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
