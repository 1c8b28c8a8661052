// Generator 'ttf': binaryen's `wasm-opt -ttf` ("translate to fuzz") turns
// random bytes into a valid module that logs values through
// "fuzzing-support" imports and exports functions without parameters it
// needs. The random bytes come from the (seed, index) stream 'ttf', so the
// pair reproduces the module on any machine with binaryen 132. Every second
// module also gets binaryen's random optimisation passes (-fp), which
// reshape the code the way optimised toolchain output looks, and, when the
// features include them, every second one exception handling, every third
// one memory64 and every second one GC.

import { loadTool } from './binaryen-tool.js';
import { createRandom } from './prng.js';
import { FEATURES } from './features.js';
import { exposeState } from './expose.js';

/** Input sizes: most small (fast to compile and run), some large (more functions, deeper code). */
function inputSize(random) {
  return random.oneIn(8) ? 8192 + random.below(24576) : 512 + random.below(7680);
}

/** wasm-opt flags for exactly these features (and the ones they require: -ttf aborts on gc alone). */
export function ttfFeatureFlags(features) {
  const names = new Set(features.flatMap((name) => [name, ...(FEATURES[name].requires ?? [])]));
  return ['--mvp-features', ...[...names].map((name) => FEATURES[name].ttf)];
}

/** The generator could not make this module: not a wasm2es failure, counted apart. */
export class GeneratorError extends Error {}

export async function createTtfGenerator() {
  const wasmOpt = await loadTool('wasm-opt');
  return {
    name: 'ttf',
    /**
     * @param {number} seed
     * @param {number} index
     * @param {{ features: string[] }} options
     * @returns {Promise<Uint8Array>}
     */
    async generate(seed, index, { features }) {
      const random = createRandom(seed, index, 'ttf');
      const input = random.bytes(inputSize(random));
      const passes = random.oneIn(2) ? ['--fuzz-passes'] : [];
      // Exception handling in every second module only (drawn last, so the other half are the
      // modules of before): -ttf writes its final encoding into nearly every module that has
      // it, which Node 20's V8 cannot run, and the rest stay compared there.
      let chosen = features.includes('exception-handling') && random.oneIn(2) ? features.filter((name) => name !== 'exception-handling') : features;
      // memory64 in every third module (drawn after that, so the others are as before): -ttf
      // then makes the memory and tables 64-bit, which only a newer V8 (Node 24) runs.
      if (chosen.includes('memory64') && !random.oneIn(3)) chosen = chosen.filter((name) => name !== 'memory64');
      // GC (opt-in, features.js) in every second module, drawn after everything else: the other
      // half are the modules of a run without it, byte for byte.
      if (chosen.includes('gc') && random.oneIn(2)) chosen = chosen.filter((name) => name !== 'gc');
      const args = ['input.dat', '-ttf', ...passes, '-q', ...ttfFeatureFlags(chosen), '-o', 'output.wasm'];
      let result;
      // A crash may come from state an earlier run left behind: once more on a fresh instance.
      for (let attempt = 0; attempt < 2 && !result?.files['output.wasm']; attempt++) {
        if (!wasmOpt.ready || attempt > 0) await wasmOpt.reload();
        result = wasmOpt.run(args, { 'input.dat': input }, ['output.wasm']);
      }
      const bytes = result.files['output.wasm'];
      if (result.status !== 0 || !bytes) throw new GeneratorError(`wasm-opt -ttf failed (status ${result.status}): ${result.stderr.slice(0, 500)}`);
      try {
        return exposeState(bytes);
      } catch {
        return bytes; // a type this file does not read: the engines will say what they think of it
      }
    },
  };
}
