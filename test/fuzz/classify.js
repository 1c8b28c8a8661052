// Telling divergences the spec allows from bugs. A module that diverges is
// run again with its NaNs canonicalised (canonicalize.js); per configuration:
//   - it still diverges: a bug. The report carries the canonical module,
//     which is deterministic, to reduce and keep as a fixture.
//   - it agrees, and NaNs were canonicalised on the way: the difference was
//     an arithmetic NaN's sign or payload, which WebAssembly leaves open.
//     Status 'nan': counted, not a divergence.
//   - it agrees, but no NaN came up: the transform hid a bug that does not
//     depend on NaNs (it moves float results through locals). Still a bug,
//     in the raw module.

import { runModule } from './execute.js';
import { canonicalizeNaNs, hasArithmeticNaNs, isCanonical } from './canonicalize.js';

/**
 * runModule, then the second opinion above for the configurations that diverged.
 * A configuration's result gets `module: 'raw' | 'canonical'` saying which bytes diverge.
 * @returns {ReturnType<typeof runModule> & { canonicalBytes?: Uint8Array }}
 */
export function classifiedRun(bytes, plan, native, engines) {
  const result = runModule(bytes, plan, native, engines);
  const diverged = Object.keys(result.configs).filter((name) => result.configs[name].status === 'diverged');
  if (!diverged.length || result.nativeCompile !== 'ok' || !hasArithmeticNaNs(bytes)) {
    for (const name of diverged) result.configs[name].module = 'raw';
    return result;
  }
  // The reducer's candidates cut from a canonical module mostly still are: no second run needed.
  if (isCanonical(bytes)) {
    for (const name of diverged) result.configs[name].module = 'canonical';
    result.canonicalBytes = bytes;
    return result;
  }

  const canonicalBytes = canonicalizeNaNs(bytes);
  const second = runModule(canonicalBytes, plan, native, Object.fromEntries(diverged.map((name) => [name, engines[name]])));
  for (const name of diverged) {
    const again = second.configs[name];
    if (again.status === 'diverged') {
      result.configs[name] = { ...again, module: 'canonical' };
      result.canonicalBytes = canonicalBytes;
    } else if (second.nans > 0) {
      result.configs[name] = { status: 'nan', calls: result.configs[name].calls, detail: result.configs[name].divergence.detail };
    }
  }
  return result;
}
