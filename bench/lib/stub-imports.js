// Stub imports for instantiating a module without its glue, to time start-up
// alone. WebAssembly.Module.imports() gives only each import's kind, not its
// type, so the import section is read from the bytes here: a memory, table
// or global import is created to fit its declared type, and every function
// import becomes a function that throws "stub import called" (a start
// function that calls one fails, and the caller reports that).

const kinds = ['function', 'table', 'memory', 'global'];
const valueTypes = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'anyfunc', 0x6f: 'externref' };

/** The import section's entries: { module, name, kind, type }. */
export function importTypes(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let at = 8; // magic + version
  const u32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = view[at++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(byte & 0x80)) return result;
    }
  };
  const name = () => {
    const length = u32();
    const text = new TextDecoder().decode(view.subarray(at, at + length));
    at += length;
    return text;
  };
  const limits = () => {
    const flags = u32();
    const minimum = u32();
    const maximum = flags & 1 ? u32() : undefined;
    return { minimum, maximum, shared: Boolean(flags & 2) };
  };
  while (at < view.length) {
    const id = view[at++];
    const size = u32();
    const end = at + size;
    if (id !== 2) {
      at = end;
      continue;
    }
    const entries = [];
    for (let count = u32(); count > 0; count--) {
      const module = name();
      const field = name();
      const kind = kinds[view[at++]];
      let type;
      if (kind === 'function') type = { index: u32() };
      else if (kind === 'table') type = { element: valueTypes[view[at++]], ...limits() };
      else if (kind === 'memory') type = limits();
      else if (kind === 'global') type = { value: valueTypes[view[at++]], mutable: view[at++] === 1 };
      else throw new Error(`unknown import kind at byte ${at - 1}`);
      entries.push({ module, name: field, kind, type });
    }
    return entries;
  }
  return [];
}

/** An imports object for `bytes`, built with the given WebAssembly namespace. */
export function stubImports(WebAssembly, bytes) {
  const imports = {};
  for (const { module, name, kind, type } of importTypes(bytes)) {
    let value;
    if (kind === 'function') {
      value = () => {
        throw new Error(`stub import called: ${module}.${name}`);
      };
    } else if (kind === 'memory') {
      value = new WebAssembly.Memory({ initial: type.minimum, maximum: type.maximum, shared: type.shared || undefined });
    } else if (kind === 'table') {
      value = new WebAssembly.Table({ element: type.element, initial: type.minimum, maximum: type.maximum });
    } else {
      const zero = type.value === 'i64' ? 0n : type.value === 'anyfunc' || type.value === 'externref' ? null : 0;
      value = new WebAssembly.Global({ value: type.value, mutable: type.mutable }, zero);
    }
    (imports[module] ??= {})[name] = value;
  }
  return imports;
}
