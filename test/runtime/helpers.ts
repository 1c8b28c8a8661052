// Shared by the runtime tests: assembling .wat with wabt, and modules whose
// module body is written by hand (a `link` function shaped like the
// compiler's output), so the runtime is tested without the compiler.

import wabtInit from 'wabt';
import {
  defineModule, rt, sha256Hex, type ExportDescriptor, type FuncTypeDesc, type ImportDescriptor, type ModuleDescriptor,
} from '../../runtime/index.js';

const wabt = await wabtInit();

const FEATURES = {
  multi_value: true, reference_types: true, bulk_memory: true, sat_float_to_int: true, sign_extension: true, mutable_globals: true,
};

/** Assembles WebAssembly text into a binary. */
export function wat(text: string): Uint8Array {
  return assemble(text, false);
}

/** Assembles WebAssembly text with a name section, so functions and parameters keep their names. */
export function watNamed(text: string): Uint8Array {
  return assemble(text, true);
}

function assemble(text: string, names: boolean): Uint8Array {
  const module = wabt.parseWat('test.wat', text, { ...FEATURES, simd: true });
  try {
    if (names) module.resolveNames();
    module.validate();
    return new Uint8Array(module.toBinary({ write_debug_names: names }).buffer);
  } finally {
    module.destroy();
  }
}

/** Native (engine) instance of a .wat module, for expected results. */
export function nativeInstance(text: string, imports: Record<string, any> = {}): any {
  return new (globalThis as any).WebAssembly.Instance(new (globalThis as any).WebAssembly.Module(wat(text)), imports);
}

let uniqueCounter = 0;

/**
 * Bytes that no other test uses: a module with a custom section holding a
 * counter and `tag`, so each hand-written descriptor gets its own hash.
 */
export function uniqueBytes(tag = ''): Uint8Array {
  const payload = new TextEncoder().encode(`${tag}#${uniqueCounter++}#${Math.random()}`);
  const name = new TextEncoder().encode('test');
  const section = [name.length, ...name, ...payload];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x00, section.length, ...section]);
}

/**
 * Unique bytes with one function body: what the runtime alone cannot load
 * unless it was precompiled (modules without function bodies it loads
 * itself, runtime/bodyless.ts). The custom section comes first, as in
 * uniqueBytes.
 */
export function uniqueBytesWithBody(tag = ''): Uint8Array {
  const bytes = uniqueBytes(tag);
  const body = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b];
  const out = new Uint8Array(bytes.length + body.length);
  out.set(bytes);
  out.set(body, bytes.length);
  return out;
}

export function sig(params: FuncTypeDesc['params'], results: FuncTypeDesc['results'] = []): FuncTypeDesc {
  return { params, results };
}

/** A FuncRef the way compiled code makes one. */
export function funcRef(raw: (...args: any[]) => any, type: FuncTypeDesc, index: number): any {
  return new rt.FuncRef(raw, rt.typeId(`${type.params.join(',')}->${type.results.join(',')}`), type, index);
}

export interface HandModule {
  bytes: Uint8Array;
  descriptor: ModuleDescriptor;
  module: any;
}

/** Registers a hand-written module body for `bytes` (unique bytes by default). */
export function handModule(
  parts: { imports?: ImportDescriptor[]; exports?: ExportDescriptor[]; customSections?: { name: string; data: string }[]; link: (imports: any[]) => any[] },
  bytes: Uint8Array = uniqueBytes(),
): HandModule {
  const descriptor: ModuleDescriptor = {
    hash: sha256Hex(bytes),
    size: bytes.length,
    imports: parts.imports ?? [],
    exports: parts.exports ?? [],
    customSections: parts.customSections ?? [],
    link: parts.link,
  };
  return { bytes, descriptor, module: defineModule(descriptor) };
}

/** A module exporting one function `f` with the given type and raw implementation. */
export function exportingFunction(type: FuncTypeDesc, raw: (...args: any[]) => any, index = 0): HandModule {
  return handModule({
    exports: [{ name: 'f', kind: 'function' }],
    link: () => [funcRef(raw, type, index)],
  });
}

/** The hand-compiled MDN fixture memory.wasm: imports js.mem, exports accumulate(ptr, len). */
export const MEMORY_WAT = `(module
  (memory (import "js" "mem") 1)
  (func (export "accumulate") (param $ptr i32) (param $len i32) (result i32)
    (local $end i32) (local $sum i32)
    (local.set $end (i32.add (local.get $ptr) (i32.mul (local.get $len) (i32.const 4))))
    (block $break
      (loop $top
        (br_if $break (i32.eq (local.get $ptr) (local.get $end)))
        (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
        (br $top)))
    (local.get $sum)))`;

export function memoryModuleDescriptor(bytes: Uint8Array): ModuleDescriptor {
  const type = sig(['i32', 'i32'], ['i32']);
  return {
    hash: sha256Hex(bytes),
    size: bytes.length,
    imports: [{ module: 'js', name: 'mem', kind: 'memory', initial: 1 }],
    exports: [{ name: 'accumulate', kind: 'function' }],
    customSections: [],
    link(imports) {
      const mem0 = imports[0];
      let dv0: DataView = null!;
      mem0._watch((buffer: ArrayBuffer) => { dv0 = new DataView(buffer); });
      function fn0(ptr: number, len: number): number {
        const end = (ptr + Math.imul(len, 4)) | 0;
        let sum = 0;
        while (ptr !== end) {
          sum = (sum + dv0.getInt32(ptr >>> 0, true)) | 0;
          ptr = (ptr + 4) | 0;
        }
        return sum;
      }
      return [funcRef(fn0, type, 0)];
    },
  };
}

/** The hand-compiled MDN fixture simple.wasm: exported_func calls imports.imported_func(42). */
export const SIMPLE_WAT = `(module
  (func $i (import "imports" "imported_func") (param i32))
  (func (export "exported_func") i32.const 42 call $i))`;

export function simpleModuleDescriptor(bytes: Uint8Array): ModuleDescriptor {
  const importType = sig(['i32']);
  return {
    hash: sha256Hex(bytes),
    size: bytes.length,
    imports: [{ module: 'imports', name: 'imported_func', kind: 'function', type: importType }],
    exports: [{ name: 'exported_func', kind: 'function' }],
    customSections: [],
    link(imports) {
      const fn0 = imports[0].raw;
      function fn1(): void { fn0(42); }
      return [funcRef(fn1, sig([]), 1)];
    },
  };
}

/** A Response-like object serving `bytes`, as fetch would. */
export function responseOf(bytes: Uint8Array, init: { contentType?: string | null; ok?: boolean; status?: number } = {}): any {
  const contentType = init.contentType === undefined ? 'application/wasm' : init.contentType;
  const status = init.status ?? 200;
  return {
    ok: init.ok ?? (status >= 200 && status < 300),
    status,
    headers: { get: (name: string) => (name.toLowerCase() === 'content-type' ? contentType : null) },
    arrayBuffer: () => Promise.resolve(bytes.slice().buffer),
  };
}
