// Module, Instance and the namespace: the registry of precompiled modules,
// the read-the-imports algorithm and its TypeErrors and LinkErrors, the
// exports object, compile/instantiate/validate, the streaming variants with
// Response-like objects, and the MDN examples run verbatim.

import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  CompileError, createWebAssembly, defineModule, installWebAssembly, LinkError, RuntimeError, sha256Hex,
  WebAssembly as WA, type ModuleDescriptor,
} from '../../runtime/index.js';
import {
  funcRef, handModule, MEMORY_WAT, memoryModuleDescriptor, responseOf, sig, SIMPLE_WAT, simpleModuleDescriptor,
  uniqueBytes, uniqueBytesWithBody, wat,
} from './helpers.js';
import { sha256HexAsync } from '../../runtime/sha256.js';

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('the registry of precompiled modules', () => {
  it('defineModule returns a Module, and new Module(bytes) finds it by the hash of the bytes', () => {
    const { bytes, module } = handModule({ exports: [], link: () => [] });
    expect(module).toBeInstanceOf(WA.Module);
    const again = new WA.Module(bytes);
    expect(again).toBeInstanceOf(WA.Module);
    expect(again).not.toBe(module);
    expect(new WA.Module(bytes.buffer.slice(0))).toBeInstanceOf(WA.Module);
    expect(new WA.Module(new DataView(bytes.buffer))).toBeInstanceOf(WA.Module);
  });

  it('throws a CompileError that says how to precompile for unknown bytes with function bodies', () => {
    const bytes = uniqueBytesWithBody('unknown');
    expect(() => new WA.Module(bytes)).toThrow(CompileError);
    expect(() => new WA.Module(bytes)).toThrow(/not precompiled.*npx wasm2es module\.wasm -o module\.js/);
    expect(() => new WA.Module(bytes)).toThrow(sha256Hex(bytes));
  });

  it('rejects arguments that are not BufferSources', () => {
    for (const value of [undefined, null, 1, 'wasm', {}, [0, 97, 115, 109]]) expect(() => new WA.Module(value as any)).toThrow(TypeError);
    expect(() => (WA.Module as any)(uniqueBytes())).toThrow(TypeError);
  });

  it('sha256Hex is SHA-256', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const length of [55, 56, 63, 64, 65, 119, 120, 1000]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 7 + length) & 255);
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('sha256HexAsync agrees, with WebCrypto and without', async () => {
    const bytes = Uint8Array.from({ length: 3000 }, (_, i) => i & 255);
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(await sha256HexAsync(bytes)).toBe(expected);
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
    try {
      expect(await sha256HexAsync(bytes)).toBe(expected);
    } finally {
      Object.defineProperty(globalThis, 'crypto', saved!);
    }
  });
});

describe('Module.exports, Module.imports, Module.customSections', () => {
  const { module } = handModule({
    imports: [
      { module: 'env', name: 'f', kind: 'function', type: sig(['i32']) },
      { module: 'env', name: 'm', kind: 'memory', initial: 1 },
      { module: 'js', name: 'g', kind: 'global', value: 'i32', mutable: false },
      { module: 'js', name: 't', kind: 'table', element: 'funcref', initial: 0 },
    ],
    exports: [{ name: 'run', kind: 'function' }, { name: 'memory', kind: 'memory' }],
    customSections: [{ name: 'meta', data: base64('one') }, { name: 'other', data: '' }, { name: 'meta', data: base64('two') }],
    link: () => [],
  });

  it('describe imports and exports', () => {
    expect(WA.Module.imports(module)).toEqual([
      { module: 'env', name: 'f', kind: 'function' }, { module: 'env', name: 'm', kind: 'memory' },
      { module: 'js', name: 'g', kind: 'global' }, { module: 'js', name: 't', kind: 'table' },
    ]);
    expect(WA.Module.exports(module)).toEqual([{ name: 'run', kind: 'function' }, { name: 'memory', kind: 'memory' }]);
    expect(WA.Module.exports(module)).not.toBe(WA.Module.exports(module));
  });

  it('returns custom sections as fresh ArrayBuffers, in order', () => {
    const sections = WA.Module.customSections(module, 'meta');
    expect(sections.map((buffer) => Object.prototype.toString.call(buffer))).toEqual(['[object ArrayBuffer]', '[object ArrayBuffer]']);
    expect(sections.map((buffer) => new TextDecoder().decode(buffer))).toEqual(['one', 'two']);
    expect(WA.Module.customSections(module, 'meta')[0]).not.toBe(sections[0]);
    expect(WA.Module.customSections(module, 'other')[0].byteLength).toBe(0);
    expect(WA.Module.customSections(module, 'none')).toEqual([]);
    expect(WA.Module.customSections(module, { toString: () => 'meta' } as any)).toHaveLength(2);
  });

  it('check their arguments', () => {
    for (const value of [undefined, null, {}, WA.Module.prototype]) {
      expect(() => WA.Module.exports(value as any)).toThrow(TypeError);
      expect(() => WA.Module.imports(value as any)).toThrow(TypeError);
      expect(() => WA.Module.customSections(value as any, 'x')).toThrow(TypeError);
    }
    expect(() => (WA.Module.customSections as any)(module)).toThrow(TypeError);
    expect(() => WA.Module.customSections(module, Symbol() as any)).toThrow(TypeError);
  });
});

describe('Instance and its exports object', () => {
  const type = sig(['i32'], ['i32']);
  function exportsEverything() {
    return handModule({
      exports: [
        { name: 'inc', kind: 'function' }, { name: 'memory', kind: 'memory' }, { name: 'table', kind: 'table' },
        { name: 'global', kind: 'global' }, { name: '__proto__', kind: 'function' },
      ],
      link: () => {
        const inc = funcRef((x: number) => (x + 1) | 0, type, 3);
        return [inc, new WA.Memory({ initial: 1 }), new WA.Table({ element: 'anyfunc', initial: 1 }), new WA.Global({ value: 'i32' }, 7), inc];
      },
    }).module;
  }

  it('has a frozen exports object with a null prototype and data properties', () => {
    const instance = new WA.Instance(exportsEverything());
    const exports = instance.exports;
    expect(instance.exports).toBe(exports);
    expect(Object.getPrototypeOf(exports)).toBe(null);
    expect(Object.isFrozen(exports)).toBe(true);
    expect(Object.keys(exports)).toEqual(['inc', 'memory', 'table', 'global', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(exports, 'inc')).toEqual({ value: exports.inc, writable: false, enumerable: true, configurable: false });
    expect(exports.inc(41)).toBe(42);
    expect(exports.inc.name).toBe('3');
    expect(exports.inc.length).toBe(1);
    expect(exports.__proto__).toBe(exports.inc);
    expect(exports.memory).toBeInstanceOf(WA.Memory);
    expect(exports.table).toBeInstanceOf(WA.Table);
    expect(exports.global.value).toBe(7);
  });

  it('is an Instance with the right prototype and toStringTag', () => {
    const instance = new WA.Instance(exportsEverything());
    expect(Object.getPrototypeOf(instance)).toBe(WA.Instance.prototype);
    expect(Object.prototype.toString.call(instance)).toBe('[object WebAssembly.Instance]');
    expect(WA.Instance.length).toBe(1);
    const getter = Object.getOwnPropertyDescriptor(WA.Instance.prototype, 'exports')!.get!;
    for (const receiver of [undefined, {}, WA.Instance.prototype]) expect(() => getter.call(receiver)).toThrow(TypeError);
    expect(() => (WA.Instance as any)(exportsEverything())).toThrow(TypeError);
  });

  it('needs a Module', () => {
    for (const value of [undefined, null, {}, WA.Module.prototype, uniqueBytes()]) {
      expect(() => new WA.Instance(value as any)).toThrow(TypeError);
    }
  });

  it('turns RangeErrors from compiled code during instantiation into RuntimeErrors', () => {
    const { module } = handModule({ link: () => { new DataView(new ArrayBuffer(1)).getInt32(0); return []; } });
    expect(() => new WA.Instance(module)).toThrow(new RuntimeError('out of bounds memory access'));
  });

  it('lets a start function\'s host error through unchanged', () => {
    const error = new RangeError('from the host');
    const { module } = handModule({
      imports: [{ module: 'env', name: 'start', kind: 'function', type: sig([]) }],
      link: ([start]) => { start.raw(); return []; },
    });
    let caught: unknown;
    try { new WA.Instance(module, { env: { start: () => { throw error; } } }); } catch (e) { caught = e; }
    expect(caught).toBe(error);
  });
});

describe('reading the imports', () => {
  const fnType = sig(['i32'], ['i32']);
  function importing(imports: ModuleDescriptor['imports'], exports: ModuleDescriptor['exports'] = []) {
    let received: any[] = [];
    const hand = handModule({ imports, exports, link: (values) => { received = values; return values.slice(0, exports.length); } });
    return { module: hand.module, received: () => received };
  }
  const anImport = (kind: string, extra: object = {}) => ({ module: 'm', name: 'x', kind, ...extra }) as any;
  const linkError = (module: any, importObject: any) => expect(() => new WA.Instance(module, importObject)).toThrow(LinkError);

  it('throws TypeError without an import object when there are imports, or when it is not an object', () => {
    const { module } = importing([anImport('function', { type: fnType })]);
    expect(() => new WA.Instance(module)).toThrow(TypeError);
    expect(() => new WA.Instance(module, 1 as any)).toThrow(TypeError);
    const { module: noImports } = importing([]);
    expect(new WA.Instance(noImports).exports).toBeDefined();
    expect(() => new WA.Instance(noImports, null as any)).toThrow(TypeError);
    expect(new WA.Instance(noImports, {}).exports).toBeDefined();
  });

  it('throws TypeError when a module namespace is not an object', () => {
    const { module } = importing([anImport('function', { type: fnType })]);
    for (const namespace of [undefined, null, 1, 'x']) expect(() => new WA.Instance(module, { m: namespace } as any)).toThrow(TypeError);
  });

  it('reads module then name, for each import in order', () => {
    const order: string[] = [];
    const { module } = importing([
      { module: 'a', name: 'f', kind: 'function', type: sig([]) },
      { module: 'b', name: 'g', kind: 'global', value: 'i32', mutable: false },
    ]);
    const importObject = {
      get a() { order.push('a'); return { get f() { order.push('a.f'); return () => 1; } }; },
      get b() { order.push('b'); return { get g() { order.push('b.g'); return 1; } }; },
    };
    new WA.Instance(module, importObject);
    expect(order).toEqual(['a', 'a.f', 'b', 'b.g']);
  });

  it('reads every import before reporting a type mismatch', () => {
    const { module } = importing([
      { module: 'a', name: 'g', kind: 'global', value: 'i32', mutable: true },
      { module: 'b', name: 'f', kind: 'function', type: sig([]) },
    ]);
    // Import 0 mismatches (a plain number for a mutable global), but import 1 cannot even be read.
    expect(() => new WA.Instance(module, { a: { g: 1 }, b: 1 } as any)).toThrow(TypeError);
    expect(() => new WA.Instance(module, { a: { g: 1 }, b: { f: 1 } })).toThrow(/a function import requires a callable/);
    expect(() => new WA.Instance(module, { a: { g: 1 }, b: { f() {} } })).toThrow(/mutable global import requires a WebAssembly.Global/);
  });

  it('functions: LinkError when not callable; wasm functions must match the type', () => {
    const { module } = importing([anImport('function', { type: fnType })], [{ name: 'x', kind: 'function' }]);
    for (const value of [undefined, 1, {}, null]) linkError(module, { m: { x: value } });
    expect(() => new WA.Instance(module, { m: {} })).toThrow(/unknown import/);
    const rightType = new WA.Instance(handModule({ exports: [{ name: 'f', kind: 'function' }], link: () => [funcRef((x: number) => x, fnType, 0)] }).module).exports.f;
    const wrongType = new WA.Instance(handModule({ exports: [{ name: 'f', kind: 'function' }], link: () => [funcRef(() => 0, sig([], ['i32']), 0)] }).module).exports.f;
    expect(() => new WA.Instance(module, { m: { x: wrongType } })).toThrow(/incompatible import type/);
    const reexported = new WA.Instance(module, { m: { x: rightType } }).exports.x;
    expect(reexported).toBe(rightType);
    class Callable { static call() {} }
    expect(new WA.Instance(module, { m: { x: Callable } }).exports.x).toBeTypeOf('function');
  });

  it('globals: numbers or BigInts become immutable Globals; type and mutability must match', () => {
    const i32 = importing([anImport('global', { value: 'i32', mutable: false })]);
    new WA.Instance(i32.module, { m: { x: 42 } });
    expect(i32.received()[0]).toBeInstanceOf(WA.Global);
    expect(i32.received()[0]._v).toBe(42);
    linkError(i32.module, { m: { x: 42n } });
    linkError(i32.module, { m: { x: '42' } });
    linkError(i32.module, { m: { x: undefined } });
    linkError(i32.module, { m: { x: new WA.Global({ value: 'i64' }) } });
    linkError(i32.module, { m: { x: new WA.Global({ value: 'i32', mutable: true }) } });
    const global = new WA.Global({ value: 'i32' }, 5);
    new WA.Instance(i32.module, { m: { x: global } });
    expect(i32.received()[0]).toBe(global);

    const i64 = importing([anImport('global', { value: 'i64', mutable: false })]);
    linkError(i64.module, { m: { x: 42 } });
    new WA.Instance(i64.module, { m: { x: 42n } });
    expect(i64.received()[0]._v).toBe(42n);

    const f32 = importing([anImport('global', { value: 'f32', mutable: false })]);
    new WA.Instance(f32.module, { m: { x: 0.1 } });
    expect(f32.received()[0]._v).toBe(Math.fround(0.1));

    const mutable = importing([anImport('global', { value: 'i32', mutable: true })]);
    linkError(mutable.module, { m: { x: 1 } });
    linkError(mutable.module, { m: { x: new WA.Global({ value: 'i32' }) } });
    const cell = new WA.Global({ value: 'i32', mutable: true });
    new WA.Instance(mutable.module, { m: { x: cell } });
    expect(mutable.received()[0]).toBe(cell);

    const funcref = importing([anImport('global', { value: 'funcref', mutable: false })]);
    linkError(funcref.module, { m: { x: () => 1 } });
    new WA.Instance(funcref.module, { m: { x: null } });
    const externref = importing([anImport('global', { value: 'externref', mutable: false })]);
    const object = {};
    new WA.Instance(externref.module, { m: { x: object } });
    expect(externref.received()[0]._v).toBe(object);
  });

  it('memories: must be Memory objects within the declared limits', () => {
    const { module } = importing([anImport('memory', { initial: 2, maximum: 4 })]);
    linkError(module, { m: { x: {} } });
    linkError(module, { m: { x: new ArrayBuffer(65536 * 2) } });
    linkError(module, { m: { x: new WA.Memory({ initial: 1, maximum: 4 }) } });
    linkError(module, { m: { x: new WA.Memory({ initial: 2 }) } });
    linkError(module, { m: { x: new WA.Memory({ initial: 2, maximum: 5 }) } });
    new WA.Instance(module, { m: { x: new WA.Memory({ initial: 3, maximum: 4 }) } });
    new WA.Instance(module, { m: { x: new WA.Memory({ initial: 2, maximum: 2 }) } });
    const grown = new WA.Memory({ initial: 1, maximum: 3 });
    grown.grow(1);
    new WA.Instance(module, { m: { x: grown } });
    const { module: noMaximum } = importing([anImport('memory', { initial: 0 })]);
    new WA.Instance(noMaximum, { m: { x: new WA.Memory({ initial: 0, maximum: 1 }) } });
  });

  it('tables: must be Table objects of the same element type within the declared limits', () => {
    const { module } = importing([anImport('table', { element: 'funcref', initial: 1, maximum: 3 })]);
    linkError(module, { m: { x: [] } });
    linkError(module, { m: { x: new WA.Table({ element: 'externref', initial: 1, maximum: 3 }) } });
    linkError(module, { m: { x: new WA.Table({ element: 'anyfunc', initial: 0, maximum: 3 }) } });
    linkError(module, { m: { x: new WA.Table({ element: 'anyfunc', initial: 1 }) } });
    linkError(module, { m: { x: new WA.Table({ element: 'anyfunc', initial: 1, maximum: 4 }) } });
    const table = new WA.Table({ element: 'anyfunc', initial: 2, maximum: 2 });
    new WA.Instance(module, { m: { x: table } });
  });
});

describe('the namespace', () => {
  it('looks like the engine\'s', () => {
    expect(String(WA)).toBe('[object WebAssembly]');
    for (const name of ['validate', 'compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) {
      expect(Object.getOwnPropertyDescriptor(WA, name)).toMatchObject({ writable: true, enumerable: true, configurable: true });
      expect((WA as any)[name].length).toBe(1);
      expect((WA as any)[name].name).toBe(name);
    }
    for (const name of ['Module', 'Instance', 'Memory', 'Table', 'Global', 'Tag', 'Exception', 'CompileError', 'LinkError', 'RuntimeError']) {
      expect(Object.getOwnPropertyDescriptor(WA, name)).toMatchObject({ writable: true, enumerable: false, configurable: true });
    }
    expect(new WA.CompileError('x')).toBeInstanceOf(Error);
    expect(String(new WA.LinkError('x'))).toBe('LinkError: x');
    expect(WA.RuntimeError.name).toBe('RuntimeError');
  });

  it('has error classes that behave like the engine\'s: callable without new, length 1, cause, subclassable', () => {
    const describe = (ctor: any): unknown => {
      const descriptors = (o: object, keys: string[]) => keys.map((k) => {
        const d = Object.getOwnPropertyDescriptor(o, k);
        return d && { ...d, value: typeof d.value === 'function' || typeof d.value === 'object' ? typeof d.value : d.value };
      });
      const called = ctor('m');
      const made = new ctor('m', { cause: 'c' });
      const bare = new ctor();
      class Sub extends ctor {}
      const sub = new Sub('s');
      return {
        ctor: descriptors(ctor, ['prototype', 'length', 'name']),
        proto: descriptors(ctor.prototype, ['constructor', 'name', 'message']),
        parent: Object.getPrototypeOf(ctor) === Error && Object.getPrototypeOf(ctor.prototype) === Error.prototype,
        called: [called instanceof ctor, called instanceof Error, String(called), Object.getOwnPropertyNames(called).sort()],
        made: [made.message, made.cause, Object.getOwnPropertyNames(made).sort(), Object.keys(made), Object.prototype.toString.call(made)],
        bare: [bare.message, Object.getOwnPropertyNames(bare).sort(), String(bare)],
        sub: [sub instanceof Sub, sub instanceof ctor, sub.message, String(sub), typeof sub.stack],
      };
    };
    for (const name of ['CompileError', 'LinkError', 'RuntimeError'] as const) {
      expect(describe(WA[name]), name).toEqual(describe(globalThis.WebAssembly[name]));
    }
    expect(WA.RuntimeError('x').stack).toContain('RuntimeError: x');
  });

  it('validate: true for registered modules and valid ones without function bodies; without a compiler false otherwise', () => {
    const { bytes } = handModule({ link: () => [] });
    expect(WA.validate(bytes)).toBe(true);
    expect(WA.validate(uniqueBytesWithBody())).toBe(false);
    expect(WA.validate(uniqueBytes())).toBe(true); // only a custom section: loaded without precompiling (bodyless.test.ts)
    expect(() => WA.validate('x' as any)).toThrow(TypeError);
  });

  it('compile and instantiate resolve with Modules and Instances; bad arguments reject', async () => {
    const { bytes } = handModule({ exports: [{ name: 'f', kind: 'function' }], link: () => [funcRef(() => 5, sig([], ['i32']), 0)] });
    const module = await WA.compile(bytes);
    expect(module).toBeInstanceOf(WA.Module);
    const instance = await WA.instantiate(module);
    expect(instance).toBeInstanceOf(WA.Instance);
    expect(instance.exports.f()).toBe(5);
    const result = await WA.instantiate(bytes);
    expect(Object.keys(result)).toEqual(['module', 'instance']);
    expect(result.module).toBeInstanceOf(WA.Module);
    expect(result.instance.exports.f()).toBe(5);
    await expect(WA.compile('x' as any)).rejects.toThrow(TypeError);
    await expect(WA.instantiate({} as any)).rejects.toThrow(TypeError);
    await expect(WA.compile(uniqueBytesWithBody())).rejects.toThrow(CompileError);
    await expect(WA.instantiate(module, 1 as any)).rejects.toThrow(TypeError);
  });

  it('compile copies the bytes before returning', async () => {
    const { bytes } = handModule({ link: () => [] });
    const copy = bytes.slice();
    const promise = WA.compile(copy);
    copy.fill(0);
    await expect(promise).resolves.toBeInstanceOf(WA.Module);
  });

  it('instantiate(module) reads the imports at once and rejects with their errors', async () => {
    const { module } = handModule({ imports: [{ module: 'm', name: 'f', kind: 'function', type: sig([]) }], link: () => [] });
    await expect(WA.instantiate(module)).rejects.toThrow(TypeError);
    await expect(WA.instantiate(module, { m: { f: 1 } })).rejects.toThrow(LinkError);
  });

  it('with a compile option, compiles unknown bytes without hashing them, and registers nothing', async () => {
    const compiled: [Uint8Array, string][] = [];
    const ns = createWebAssembly({
      compile: (bytes, hash) => {
        if (bytes[8] === 0xff) throw new CompileError('bad module');
        compiled.push([bytes, hash]);
        return { hash, size: bytes.length, imports: [], exports: [], customSections: [], link: () => [] };
      },
    });
    // A length no registered module has (uniqueBytes are much shorter).
    const bytes = uniqueBytesWithBody('compiled-at-each-compile'.repeat(8));
    const module = new ns.Module(bytes);
    expect(module).toBeInstanceOf(ns.Module);
    expect(module).toBeInstanceOf(WA.Module);
    expect(WA.Module.exports(module)).toEqual([]);
    await ns.compile(bytes);
    // No precompiled module has this length: no hash, and each compile compiles.
    expect(compiled.map(([, hash]) => hash)).toEqual(['', '']);
    expect(() => new WA.Module(bytes)).toThrow(CompileError); // not registered
    expect(ns.validate(uniqueBytes('ok'))).toBe(true);
    const bad = uniqueBytes();
    bad[8] = 0xff;
    expect(ns.validate(bad)).toBe(false);
    expect(() => new ns.Module(bad)).toThrow(CompileError);
    expect(() => (ns.Module as any)(bytes)).toThrow(TypeError);
    class Sub extends ns.Module {}
    expect(new Sub(bytes)).toBeInstanceOf(Sub);
    expect(ns.Module.imports).toBe(WA.Module.imports);
  });

  it('with a compile option, bytes as long as a precompiled module are hashed: the registered one is found, others compile', async () => {
    const compiled: string[] = [];
    const ns = createWebAssembly({
      compile: (bytes, hash) => {
        compiled.push(hash);
        return { hash, size: bytes.length, imports: [], exports: [], customSections: [], link: () => [] };
      },
    });
    const registered = uniqueBytes('same-length');
    const other = registered.slice();
    other[other.length - 1] ^= 1; // a custom section's payload: still a valid module

    const descriptor = { hash: sha256Hex(registered), size: registered.length, imports: [], exports: [], customSections: [], link: () => [] };
    defineModule(descriptor);
    expect(WA.Module.exports(new ns.Module(registered))).toEqual([]);
    expect(compiled).toEqual([]);
    new ns.Module(other);
    await ns.compile(other);
    expect(compiled).toEqual([sha256Hex(other), sha256Hex(other)]);
  });

  it('with a validate option, validate uses it; a thrown CompileError means false', () => {
    const ns = createWebAssembly({
      compile: () => { throw new Error('not used'); },
      validate: (bytes) => { if (bytes[0] !== 0) throw new CompileError('bad'); },
    });
    expect(ns.validate(new Uint8Array([0]))).toBe(true);
    expect(ns.validate(new Uint8Array([1]))).toBe(false);
  });

  it('installWebAssembly sets globalThis.WebAssembly', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly');
    try {
      const ns = createWebAssembly();
      expect(installWebAssembly(ns)).toBe(ns);
      expect((globalThis as any).WebAssembly).toBe(ns);
      expect(Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly')).toMatchObject({ writable: true, enumerable: false, configurable: true });
    } finally {
      Object.defineProperty(globalThis, 'WebAssembly', saved!);
    }
  });
});

describe('compileStreaming and instantiateStreaming', () => {
  const { bytes } = handModule({ exports: [{ name: 'f', kind: 'function' }], link: () => [funcRef(() => 9, sig([], ['i32']), 0)] });

  it('accept a Response-like object or a promise of one', async () => {
    expect(await WA.compileStreaming(responseOf(bytes))).toBeInstanceOf(WA.Module);
    expect(await WA.compileStreaming(Promise.resolve(responseOf(bytes)))).toBeInstanceOf(WA.Module);
    const { module, instance } = await WA.instantiateStreaming(Promise.resolve(responseOf(bytes)), {});
    expect(module).toBeInstanceOf(WA.Module);
    expect(instance.exports.f()).toBe(9);
  });

  it('require the MIME type application/wasm exactly, up to case and surrounding whitespace', async () => {
    await expect(WA.compileStreaming(responseOf(bytes, { contentType: ' \tApplication/WASM\t ' }))).resolves.toBeInstanceOf(WA.Module);
    for (const contentType of [null, '', 'application/octet-stream', 'application/wasm;', 'application/wasm; charset=utf-8', 'text/html']) {
      await expect(WA.compileStreaming(responseOf(bytes, { contentType }))).rejects.toThrow(TypeError);
      await expect(WA.instantiateStreaming(responseOf(bytes, { contentType }))).rejects.toThrow(TypeError);
    }
  });

  it('require an ok status', async () => {
    await expect(WA.compileStreaming(responseOf(bytes, { status: 404 }))).rejects.toThrow(TypeError);
    await expect(WA.compileStreaming(responseOf(bytes, { ok: false }))).rejects.toThrow(TypeError);
  });

  it('reject non-responses with TypeError and pass rejections through', async () => {
    for (const value of [undefined, null, 1, {}, bytes]) await expect(WA.compileStreaming(value)).rejects.toThrow(TypeError);
    const reason = new Error('network');
    await expect(WA.compileStreaming(Promise.reject(reason))).rejects.toBe(reason);
  });

  it('fail with CompileError for modules that were not precompiled', async () => {
    await expect(WA.compileStreaming(responseOf(uniqueBytesWithBody()))).rejects.toThrow(CompileError);
  });
});

describe('the MDN examples, verbatim', () => {
  const memoryBytes = wat(MEMORY_WAT);
  const simpleBytes = wat(SIMPLE_WAT);
  defineModule(memoryModuleDescriptor(memoryBytes));
  defineModule(simpleModuleDescriptor(simpleBytes));
  const files: Record<string, Uint8Array> = { 'memory.wasm': memoryBytes, 'simple.wasm': simpleBytes };

  /** Runs a snippet as a script with our WebAssembly, a fetch serving the fixtures, and a recording console. */
  function run(snippet: string): unknown[] {
    const logs: unknown[] = [];
    const fetch = (url: string) => Promise.resolve(responseOf(files[url]));
    const console = { log: (value: unknown) => logs.push(value) };
    new Function('WebAssembly', 'fetch', 'console', snippet)(WA, fetch, console);
    return logs;
  }

  it('Memory and Memory.buffer: instantiateStreaming with an imported memory', async () => {
    const logs = run(`var memory = new WebAssembly.Memory({ initial: 10, maximum: 100 });

WebAssembly.instantiateStreaming(fetch("memory.wasm"), {
  js: { mem: memory },
}).then((obj) => {
  var i32 = new Uint32Array(memory.buffer);
  for (var i = 0; i < 10; i++) {
    i32[i] = i;
  }
  var sum = obj.instance.exports.accumulate(0, 10);
  console.log(sum);
});`);
    await vi.waitFor(() => expect(logs).toEqual([45]));
  });

  it('Memory.buffer (French page)', async () => {
    const logs = run(`var memory = new WebAssembly.Memory({ initial: 10, maximum: 100 });
WebAssembly.instantiateStreaming(fetch('memory.wasm'), { js: { mem: memory } })
.then(obj => {
  var i32 = new Uint32Array(memory.buffer);
  for (var i = 0; i < 10; i++) {
    i32[i] = i;
  }
  var sum = obj.instance.exports.accumulate(0, 10);
  console.log(sum);
});`);
    await vi.waitFor(() => expect(logs).toEqual([45]));
  });

  it('Instance: synchronous Module and Instance from fetched bytes', async () => {
    const logs = run(`const importObject = {
  imports: {
    imported_func: function (arg) {
      console.log(arg);
    },
  },
};

fetch("simple.wasm")
  .then((response) => response.arrayBuffer())
  .then((bytes) => {
    let mod = new WebAssembly.Module(bytes);
    let instance = new WebAssembly.Instance(mod, importObject);
    instance.exports.exported_func();
  });`);
    await vi.waitFor(() => expect(logs).toEqual([42]));
  });

  it('Instance: instantiateStreaming', async () => {
    const logs = run(`const importObject = {
  imports: {
    imported_func: function (arg) {
      console.log(arg);
    },
  },
};

WebAssembly.instantiateStreaming(fetch("simple.wasm"), importObject).then(
  (obj) => obj.instance.exports.exported_func(),
);`);
    await vi.waitFor(() => expect(logs).toEqual([42]));
  });

  it('compileStreaming, then instantiate(module)', async () => {
    const logs = run(`var importObject = { imports: { imported_func: (arg) => console.log(arg) } };

WebAssembly.compileStreaming(fetch("simple.wasm"))
  .then((module) => WebAssembly.instantiate(module, importObject))
  .then((instance) => instance.exports.exported_func());`);
    await vi.waitFor(() => expect(logs).toEqual([42]));
  });
});
