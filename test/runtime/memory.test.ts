// WebAssembly.Memory, rule by rule: the MDN pages (Memory, Memory.buffer),
// the JS API spec's constructor and grow algorithms, and the internal API
// compiled code relies on (_buf, _watch, _grow), including native memories.

import { describe, expect, it } from 'vitest';
import { WebAssembly as WA, Memory } from '../../runtime/index.js';
import { handModule, sig, funcRef } from './helpers.js';

const PAGE = 65536;

function isDetached(buffer: ArrayBuffer): boolean {
  return buffer.byteLength === 0;
}

describe('Memory constructor (MDN: WebAssembly.Memory())', () => {
  it('is WebAssembly.Memory, with name "Memory" and length 1', () => {
    expect(WA.Memory).toBe(Memory);
    expect(Memory.name).toBe('Memory');
    expect(Memory.length).toBe(1);
  });

  it('creates 10 pages with a maximum of 100, as in the MDN example', () => {
    const memory = new WA.Memory({ initial: 10, maximum: 100 });
    expect(memory.buffer).toBeInstanceOf(ArrayBuffer);
    expect(memory.buffer.byteLength).toBe(10 * PAGE);
  });

  it('needs `new`', () => {
    expect(() => (WA.Memory as any)({ initial: 0 })).toThrow(TypeError);
  });

  it('throws TypeError when the descriptor is not an object', () => {
    for (const descriptor of [undefined, null, false, true, '', 'test', Symbol(), 1, NaN]) {
      expect(() => new WA.Memory(descriptor as any)).toThrow(TypeError);
    }
    expect(() => new (WA.Memory as any)()).toThrow(TypeError);
  });

  it('requires `initial`', () => {
    expect(() => new WA.Memory({} as any)).toThrow(TypeError);
    expect(() => new WA.Memory({ initial: undefined } as any)).toThrow(TypeError);
  });

  it('converts initial and maximum as [EnforceRange] unsigned long', () => {
    for (const value of [NaN, Infinity, -Infinity, -1, 0x100000000, 0x1000000000, 1n, Symbol()]) {
      expect(() => new WA.Memory({ initial: value } as any)).toThrow(TypeError);
      expect(() => new WA.Memory({ initial: 0, maximum: value } as any)).toThrow(TypeError);
    }
    expect(new WA.Memory({ initial: '3' } as any).buffer.byteLength).toBe(3 * PAGE);
    expect(new WA.Memory({ initial: true } as any).buffer.byteLength).toBe(PAGE);
    expect(new WA.Memory({ initial: 1.9 }).buffer.byteLength).toBe(PAGE);
    expect(new WA.Memory({ initial: -0.5 }).buffer.byteLength).toBe(0);
    expect(new WA.Memory({ initial: { valueOf: () => 2 } } as any).buffer.byteLength).toBe(2 * PAGE);
  });

  it('throws RangeError when maximum is below initial (MDN)', () => {
    expect(() => new WA.Memory({ initial: 10, maximum: 9 })).toThrow(RangeError);
  });

  it('throws RangeError for sizes above 65536 pages', () => {
    expect(() => new WA.Memory({ initial: 65537 })).toThrow(RangeError);
    expect(() => new WA.Memory({ initial: 0, maximum: 65537 })).toThrow(RangeError);
    expect(new WA.Memory({ initial: 0, maximum: 65536 }).buffer.byteLength).toBe(0);
  });

  it('reads the descriptor in the spec order and never uses [[HasProperty]]', () => {
    const order: string[] = [];
    new WA.Memory({
      get maximum() { order.push('maximum'); return { valueOf() { order.push('maximum valueOf'); return 1; } }; },
      get initial() { order.push('initial'); return { valueOf() { order.push('initial valueOf'); return 1; } }; },
      get address() { order.push('address'); return { toString() { order.push('address toString'); return 'i32'; } }; },
    } as any);
    expect(order).toEqual(['address', 'address toString', 'initial', 'initial valueOf', 'maximum', 'maximum valueOf']);

    const proxy = new Proxy({}, {
      has() { throw new Error('[[HasProperty]] used'); },
      get: (_target, key) => (key === 'initial' || key === 'maximum' ? 0 : undefined),
    });
    expect(new WA.Memory(proxy as any).buffer.byteLength).toBe(0);
  });

  it('rejects unknown address types; memory64 sizes are BigInts', () => {
    expect(() => new WA.Memory({ initial: 1, address: 'none' } as any)).toThrow(TypeError);
    expect(() => new WA.Memory({ initial: 1, address: 'i64' } as any)).toThrow(TypeError);
    expect(new WA.Memory({ initial: 1, address: 'i32' } as any).buffer.byteLength).toBe(PAGE);
    const memory = new WA.Memory({ initial: 1n, maximum: 3n, address: 'i64' } as any);
    expect(memory.buffer.byteLength).toBe(PAGE);
    expect(memory.grow(1n as any)).toBe(1n);
    expect(() => memory.grow(1 as any)).toThrow(TypeError);
    expect(() => memory.grow(5n as any)).toThrow(RangeError);
    expect(() => new WA.Memory({ initial: -1n, address: 'i64' } as any)).toThrow(TypeError);
    expect(() => new WA.Memory({ initial: 2n ** 64n, address: 'i64' } as any)).toThrow(TypeError);
    expect(() => new WA.Memory({ initial: 2n, maximum: 1n, address: 'i64' } as any)).toThrow(RangeError);
    expect(() => new WA.Memory({ initial: 2n ** 48n + 1n, address: 'i64' } as any)).toThrow(RangeError);
    expect(() => new WA.Memory({ initial: 70000n, maximum: 2n ** 48n, address: 'i64' } as any)).toThrow(RangeError);
  });

  it('ignores stray arguments', () => {
    expect(new (WA.Memory as any)({ initial: 0 }, {}).buffer.byteLength).toBe(0);
  });

  it('makes extensible objects with the Memory prototype and toStringTag', () => {
    const memory = new WA.Memory({ initial: 0 });
    expect(Object.getPrototypeOf(memory)).toBe(WA.Memory.prototype);
    expect(Object.isExtensible(memory)).toBe(true);
    expect(Object.prototype.toString.call(memory)).toBe('[object WebAssembly.Memory]');
    expect(Object.getOwnPropertyDescriptor(WA.Memory.prototype, 'grow')!.enumerable).toBe(true);
  });
});

describe('Memory.prototype.buffer (MDN: Memory.buffer)', () => {
  it('returns the same zero-filled ArrayBuffer until the memory grows', () => {
    const memory = new WA.Memory({ initial: 1 });
    const buffer = memory.buffer;
    expect(memory.buffer).toBe(buffer);
    expect(Object.prototype.toString.call(buffer)).toBe('[object ArrayBuffer]');
    const bytes = new Uint8Array(buffer);
    expect(bytes[0]).toBe(0);
    expect(bytes[PAGE - 1]).toBe(0);
  });

  it('is a getter that checks its receiver', () => {
    const getter = Object.getOwnPropertyDescriptor(WA.Memory.prototype, 'buffer')!.get!;
    for (const receiver of [undefined, null, {}, 1, WA.Memory, WA.Memory.prototype, Object.create(WA.Memory.prototype)]) {
      expect(() => getter.call(receiver)).toThrow(TypeError);
    }
  });

  it('is shared with wasm: JS writes are what wasm reads (the MDN example)', async () => {
    const type = sig(['i32', 'i32'], ['i32']);
    const { module } = handModule({
      imports: [{ module: 'js', name: 'mem', kind: 'memory', initial: 1 }],
      exports: [{ name: 'accumulate', kind: 'function' }],
      link: ([mem]) => {
        let dv: DataView = null!;
        mem._watch((buffer: ArrayBuffer) => { dv = new DataView(buffer); });
        return [funcRef((ptr: number, len: number) => {
          let sum = 0;
          for (let i = 0; i < len; i++) sum = (sum + dv.getInt32(ptr + 4 * i, true)) | 0;
          return sum;
        }, type, 0)];
      },
    });
    const memory = new WA.Memory({ initial: 10, maximum: 100 });
    const instance = await WA.instantiate(module, { js: { mem: memory } });
    const i32 = new Uint32Array(memory.buffer);
    for (let i = 0; i < 10; i++) i32[i] = i;
    expect(instance.exports.accumulate(0, 10)).toBe(45);
  });
});

describe('Memory.prototype.grow', () => {
  it('returns the old size in pages and replaces the buffer, keeping the contents', () => {
    const memory = new WA.Memory({ initial: 1, maximum: 10 });
    const old = memory.buffer;
    new Uint8Array(old)[100] = 42;
    expect(memory.grow(2)).toBe(1);
    const next = memory.buffer;
    expect(next).not.toBe(old);
    expect(next.byteLength).toBe(3 * PAGE);
    expect(new Uint8Array(next)[100]).toBe(42);
    expect(new Uint8Array(next)[3 * PAGE - 1]).toBe(0);
  });

  it('detaches the old buffer (MDN: "every call to grow will detach ... even grow(0)")', () => {
    const memory = new WA.Memory({ initial: 1 });
    const first = memory.buffer;
    memory.grow(1);
    expect(isDetached(first)).toBe(true);
    const second = memory.buffer;
    expect(memory.grow(0)).toBe(2);
    expect(isDetached(second)).toBe(true);
    expect(memory.buffer.byteLength).toBe(2 * PAGE);
  });

  it('grows from zero pages, twice, up to the maximum', () => {
    const memory = new WA.Memory({ initial: 0, maximum: 2 });
    expect(memory.grow(1)).toBe(0);
    expect(memory.grow(1)).toBe(1);
    expect(memory.buffer.byteLength).toBe(2 * PAGE);
  });

  it('throws RangeError past the maximum and leaves the buffer alone', () => {
    const memory = new WA.Memory({ initial: 1, maximum: 2 });
    const buffer = memory.buffer;
    expect(() => memory.grow(2)).toThrow(RangeError);
    expect(memory.buffer).toBe(buffer);
    expect(buffer.byteLength).toBe(PAGE);
  });

  it('throws RangeError past 65536 pages without a maximum', () => {
    const memory = new WA.Memory({ initial: 1 });
    expect(() => memory.grow(65536)).toThrow(RangeError);
  });

  it('converts delta as [EnforceRange] unsigned long', () => {
    const memory = new WA.Memory({ initial: 0 });
    for (const value of [undefined, NaN, Infinity, -Infinity, -1, 0x100000000, '0x100000000', { valueOf: () => 0x100000000 }]) {
      expect(() => memory.grow(value as any)).toThrow(TypeError);
    }
    expect(memory.grow({ valueOf: () => 1 } as any)).toBe(0);
    expect(() => (memory as any).grow()).toThrow(TypeError);
  });

  it('checks its receiver before touching the argument', () => {
    const argument = { valueOf() { throw new Error('touched'); } };
    for (const receiver of [undefined, null, {}, 1, WA.Memory.prototype]) {
      expect(() => WA.Memory.prototype.grow.call(receiver, argument as any)).toThrow(TypeError);
    }
  });
});

describe('internal API: _buf, _watch, _grow', () => {
  it('_watch calls back at once and after every growth, from JS or from wasm', () => {
    const memory = new WA.Memory({ initial: 1, maximum: 4 }) as Memory;
    const seen: number[] = [];
    memory._watch((buffer) => seen.push(buffer.byteLength));
    expect(seen).toEqual([PAGE]);
    memory.grow(1);
    expect(seen).toEqual([PAGE, 2 * PAGE]);
    expect(memory._grow(1)).toBe(2);
    expect(seen).toEqual([PAGE, 2 * PAGE, 3 * PAGE]);
    expect(memory.buffer).toBe(memory._buf);
    expect(memory.buffer.byteLength).toBe(3 * PAGE);
  });

  it('_grow returns -1 past the maximum without throwing or notifying', () => {
    const memory = new WA.Memory({ initial: 1, maximum: 2 }) as Memory;
    let calls = 0;
    memory._watch(() => calls++);
    expect(memory._grow(2)).toBe(-1);
    expect(memory._grow(0xffffffff)).toBe(-1);
    expect(calls).toBe(1);
    expect(memory._grow(1)).toBe(1);
    expect(calls).toBe(2);
  });

  it('_grow reads its delta as unsigned (i32 -1 is 4294967295 pages)', () => {
    const memory = new WA.Memory({ initial: 0 }) as Memory;
    expect(memory._grow(-1)).toBe(-1);
  });

  it('growth by wasm detaches the buffer JS holds, and JS sees the new one', () => {
    const memory = new WA.Memory({ initial: 1 }) as Memory;
    const before = memory.buffer;
    expect(memory._grow(1)).toBe(1);
    expect(isDetached(before)).toBe(true);
    expect(memory.buffer.byteLength).toBe(2 * PAGE);
  });
});

describe('native WebAssembly.Memory imported by a precompiled module', () => {
  const Native = (globalThis as any).WebAssembly;

  function memoryUser() {
    const sizeType = sig([], ['i32']);
    const growType = sig(['i32'], ['i32']);
    return handModule({
      imports: [{ module: 'env', name: 'memory', kind: 'memory', initial: 1 }],
      exports: [
        { name: 'memory', kind: 'memory' }, { name: 'size', kind: 'function' },
        { name: 'grow', kind: 'function' }, { name: 'load', kind: 'function' },
      ],
      link: ([mem]) => {
        let dv: DataView = null!;
        mem._watch((buffer: ArrayBuffer) => { dv = new DataView(buffer); });
        return [
          mem,
          funcRef(() => dv.byteLength / PAGE, sizeType, 0),
          funcRef((delta: number) => mem._grow(delta >>> 0), growType, 1),
          funcRef((address: number) => dv.getInt32(address >>> 0, true), sig(['i32'], ['i32']), 2),
        ];
      },
    });
  }

  it('works through an adapter; JS-side growth is seen by compiled code', () => {
    const native = new Native.Memory({ initial: 1, maximum: 3 });
    const { exports } = new WA.Instance(memoryUser().module, { env: { memory: native } });
    expect(exports.memory).toBe(native);
    new Int32Array(native.buffer)[1] = 1234;
    expect(exports.load(4)).toBe(1234);
    expect(native.grow(1)).toBe(1);
    expect(exports.size()).toBe(2);
    expect(exports.grow(1)).toBe(2);
    expect(native.buffer.byteLength).toBe(3 * PAGE);
    expect(exports.grow(1)).toBe(-1);
    expect(() => native.grow(1)).toThrow(RangeError);
    expect(exports.load(4)).toBe(1234);
  });

  it('is checked against the declared minimum', () => {
    const native = new Native.Memory({ initial: 0 });
    expect(() => new WA.Instance(memoryUser().module, { env: { memory: native } })).toThrow(WA.LinkError);
  });
});
