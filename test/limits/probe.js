// Runs a case's steps (test/limits/cases.js) on an instance, native or ours,
// and returns what each step saw as plain JSON, so that results from a child
// process compare with the native ones in the parent:
//
//   { call: name, args }          the export's result, or `trap:<error name>`
//   { exhaust: name, args, padding }   `exhausted` for stack exhaustion
//                                 (RangeError, or a RuntimeError saying so),
//                                 called from `padding` more JS frames down
//   { global: name }              an exported global's value, read from JS
//   { memoryI32 | memoryI64: a }  a word of the exported memory, read from JS
//   { memoryMatches: { fileOffset, address, length } }
//                                 whether memory holds those bytes of the .wasm
//   { memoryHash: { address, length } }   FNV-1a of a memory range
//   { agree: [steps] }            whether those steps all saw the same value

import { Buffer } from 'node:buffer'; // not the global, which a measurement may hide from the runtime

/** A value as JSON: BigInts as "<n>n", -0 and NaN spelled out. */
function plain(value) {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Object.is(value, -0) ? '-0' : value;
  return value === undefined ? 'undefined' : value;
}

/** Calls `f` from `depth` more JS frames down, so that the stack runs out elsewhere. */
function padded(depth, f) {
  return depth === 0 ? f() : padded(depth - 1, f);
}

function memoryOf(instance) {
  return instance.exports.memory.buffer;
}

/** Runs `steps` on `instance`; `wasmBytes` is the module's bytes (memoryMatches reads them). */
export function runSteps(instance, steps, wasmBytes) {
  return steps.map((step) => runStep(instance, step, wasmBytes));
}

function runStep(instance, step, wasmBytes) {
  if ('call' in step || 'exhaust' in step) {
    const name = step.call ?? step.exhaust;
    const exported = instance.exports[name];
    try {
      return plain(padded(step.padding ?? 0, () => exported(...step.args)));
    } catch (error) {
      const exhausted = error instanceof RangeError || (error?.name === 'RuntimeError' && /stack|recursion/i.test(error.message));
      if ('exhaust' in step && exhausted) return 'exhausted';
      return `trap:${error?.name ?? String(error)}`;
    }
  }
  if ('global' in step) return plain(instance.exports[step.global].value);
  if ('memoryI32' in step) return new DataView(memoryOf(instance)).getInt32(step.memoryI32, true);
  if ('memoryI64' in step) return plain(new DataView(memoryOf(instance)).getBigInt64(step.memoryI64, true));
  if ('memoryMatches' in step) {
    const { fileOffset, address, length } = step.memoryMatches;
    const memory = new Uint8Array(memoryOf(instance), address, length);
    return Buffer.compare(memory, wasmBytes.subarray(fileOffset, fileOffset + length)) === 0;
  }
  if ('memoryHash' in step) {
    const { address, length } = step.memoryHash;
    const memory = new Uint8Array(memoryOf(instance), address, length);
    let hash = 0x811c9dc5;
    for (let i = 0; i < length; i++) hash = Math.imul(hash ^ memory[i], 0x01000193);
    return (hash >>> 0).toString(16);
  }
  if ('agree' in step) {
    const seen = step.agree.map((inner) => runStep(instance, inner, wasmBytes));
    return seen.every((value) => value === seen[0]) || `disagree: ${JSON.stringify(seen)}`;
  }
  throw new Error(`unknown step ${JSON.stringify(step)}`);
}
