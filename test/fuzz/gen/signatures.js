// Reads the signatures of a module's exported functions back from its
// bytes (type, import, function and export sections only), so a test can
// call the exports with arguments of the right types (BigInt for i64)
// without the generator handing out metadata next to the module.

/**
 * @param {Uint8Array} bytes
 * @returns {Map<string, {params: number[], results: number[]}>}
 */
export function exportedSignatures(bytes) {
  let at = 8;
  const u32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
    }
  };
  const name = () => {
    const length = u32();
    const text = new TextDecoder().decode(bytes.subarray(at, at + length));
    at += length;
    return text;
  };
  /** @type {{params: number[], results: number[]}[]} */
  const types = [];
  /** @type {number[]} type index per function index */
  const functionTypes = [];
  /** @type {Map<string, {params: number[], results: number[]}>} */
  const signatures = new Map();
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = u32();
    const end = at + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        at++; // 0x60
        const params = Array.from(bytes.subarray(at + 1, at + 1 + bytes[at]));
        at += 1 + params.length; // counts stay below 128 in generated modules
        const results = Array.from(bytes.subarray(at + 1, at + 1 + bytes[at]));
        at += 1 + results.length;
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        name();
        name();
        const kind = bytes[at++];
        if (kind !== 0) throw new Error('only function imports are expected');
        functionTypes.push(u32());
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) functionTypes.push(u32());
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const exportName = name();
        const kind = bytes[at++];
        const index = u32();
        if (kind === 0) signatures.set(exportName, types[functionTypes[index]]);
      }
    }
    at = end;
  }
  return signatures;
}
