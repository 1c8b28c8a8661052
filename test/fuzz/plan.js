// Which exports a run calls, in what order, with which arguments: every
// exported function in export order, `rounds` times, with arguments from the
// (seed, index) stream 'args'. Older binaryen -ttf modules export a
// `hangLimitInitializer` that resets their loop budget; like binaryen's own
// harnesses, the plan calls it before every other call. (Binaryen 132 keeps
// one budget per instance and exports no initializer.) The getters of v128
// globals' lanes (expose.js) are state, read after every step, not calls.

import { createRandom } from './prng.js';
import { randomArgument } from './values.js';
import { VALUE_PREFIX } from './expose.js';

export const HANG_LIMIT_INITIALIZER = 'hangLimitInitializer';

/**
 * @param {ReturnType<import('./wasm-binary.js').parseModule>} module
 * @returns {{ export: string, args: string[] }[]}
 */
export function makePlan(module, seed, index, { rounds = 2 } = {}) {
  const random = createRandom(seed, index, 'args');
  const functions = module.exports.filter((entry) => entry.kind === 'function' && !entry.name.startsWith(VALUE_PREFIX));
  const resetsHangLimit = functions.some((entry) => entry.name === HANG_LIMIT_INITIALIZER);
  const plan = [];
  for (let round = 0; round < rounds; round++) {
    for (const entry of functions) {
      if (entry.name === HANG_LIMIT_INITIALIZER) continue;
      const type = module.functionTypes[entry.index];
      if (resetsHangLimit) plan.push({ export: HANG_LIMIT_INITIALIZER, args: [] });
      plan.push({ export: entry.name, args: type.params.map((param) => randomArgument(param, random)) });
    }
  }
  return plan;
}
