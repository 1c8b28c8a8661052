// Makes a module's whole state observable from JS: every memory, table and
// global that the module does not export gets an export named
// `__fuzz_memory0`, `__fuzz_table1`, `__fuzz_global3`, ..., so the fuzzer can
// compare it after each call. binaryen's -ttf keeps its memory and most
// globals internal, where a wrong store would otherwise go unseen until a
// later load happened to read it.

import { parseModule, encodeModule, encodeExports, withSection, SECTION } from './wasm-binary.js';

/** @param {Uint8Array} bytes @returns {Uint8Array} the same module with the extra exports */
export function exposeState(bytes) {
  const module = parseModule(bytes);
  const exports = [...module.exports];
  const exported = new Set(exports.map((entry) => `${entry.kind} ${entry.index}`));
  const counts = { memory: module.memoryCount, table: module.tableTypes.length, global: module.globalTypes.length };
  for (const kind of ['memory', 'table', 'global']) {
    for (let index = 0; index < counts[kind]; index++) {
      if (!exported.has(`${kind} ${index}`)) exports.push({ name: `__fuzz_${kind}${index}`, kind, index });
    }
  }
  if (exports.length === module.exports.length) return bytes;
  return encodeModule(withSection(module.sections, SECTION.export, encodeExports(exports)));
}
