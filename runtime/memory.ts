// WebAssembly.Memory: the JS API class, plus the internal API that compiled
// code uses (see runtime/abi.ts): `_buf`, `_watch(callback)`, `_grow(delta)`.
// Growth from either side replaces the ArrayBuffer, detaches the old one
// where the engine can, and calls every watcher so compiled code refreshes
// its DataView. A *native* WebAssembly.Memory (from the engine) imported by a
// precompiled module is wrapped in a NativeMemoryAdapter with the same
// internal API.
//
// Growth is all or nothing for as long as anything can throw: the new buffer
// is made, filled and the old one detached before any field changes, and a
// failure there leaves the memory as it was (-1). Once the old buffer is
// detached, the memory takes the new one in two plain stores, and the
// watchers run with the memory on the stale list (boundary.ts): if the stack
// runs out in one of them, the exception leaves wasm and every watcher runs
// again before wasm does.

import { markFresh, markStale, type ViewOwner } from './boundary.js';
import {
  apiRangeError, asWebIDLInterface, enforceRangeU32, enforceRangeU64, member, toDictionary, toDOMString,
} from './webidl.js';

export const PAGE_SIZE = 65536;
/** The most pages a 32-bit memory can have (4 GiB), and what this runtime allocates for any memory. */
export const MAX_PAGES = 65536;
/** The most pages a memory64 memory can declare (2^64 bytes). */
export const MAX_PAGES64 = 2 ** 48;

type Watcher = (buffer: ArrayBuffer) => void;

const memories: WeakSet<object> = new WeakSet();

export function isMemory(value: unknown): value is Memory {
  return typeof value === 'object' && value !== null && memories.has(value);
}

function brand(value: unknown, what: string): Memory {
  if (!isMemory(value)) throw new TypeError(`${what} called on an object that is not a WebAssembly.Memory`);
  return value;
}

// ArrayBuffer.prototype.transfer (ES2024) grows in place where it can and
// detaches the old buffer, all or nothing; structuredClone with a transfer
// list detaches too (browsers, Node 20). Engines with neither keep the old
// buffer alive. Whether structuredClone detaches is found out once, here:
// at growth time, a throw can only mean the stack or the heap ran out.
const transfer: ((this: ArrayBuffer, length: number) => ArrayBuffer) | undefined =
  (ArrayBuffer.prototype as any).transfer;
const clone: ((value: unknown, options: { transfer: unknown[] }) => unknown) | undefined =
  transfer === undefined && typeof (globalThis as any).structuredClone === 'function' ? (globalThis as any).structuredClone : undefined;
const cloneDetaches = clone !== undefined && ((): boolean => {
  const probe = new ArrayBuffer(8);
  try { clone(probe, { transfer: [probe] }); } catch { return false; }
  return probe.byteLength === 0;
})();

/**
 * A new buffer of `byteLength` bytes holding the contents of `old`, which
 * ends up detached where the engine can; or null, with `old` untouched, if
 * that could not be done (no memory, no stack).
 */
function resizeBuffer(old: ArrayBuffer, byteLength: number): ArrayBuffer | null {
  if (transfer !== undefined) {
    try { return transfer.call(old, byteLength); } catch { return null; }
  }
  let next: ArrayBuffer;
  try {
    next = new ArrayBuffer(byteLength);
    new Uint8Array(next).set(new Uint8Array(old));
  } catch {
    return null;
  }
  if (cloneDetaches) {
    try {
      clone!(old, { transfer: [old] });
    } catch {
      // Thrown before the transfer, or after it (deserialising)? A detached
      // buffer has no bytes; an empty one is the same either way.
      if (old.byteLength !== 0) return null;
    }
  }
  return next;
}

function notify(watchers: Watcher[], buffer: ArrayBuffer): void {
  for (let i = 0; i < watchers.length; i++) watchers[i](buffer);
}

export class Memory {
  /** The current ArrayBuffer (internal API). */
  _buf: ArrayBuffer;
  /** Current size in pages. */
  _pages: number;
  /** Declared maximum in pages, or undefined. */
  _maximum: number | undefined;
  /** Callbacks to run with the new buffer after every growth. */
  _watchers: Watcher[];
  /** Cached byte view of `_buf`, for the bulk-memory helpers. */
  _u8: Uint8Array | undefined;
  /** On the stale list (see boundary.ts). */
  _stale: boolean;
  _staleNext: ViewOwner | null;
  /** memory64: i64 addresses; sizes cross the JS API as BigInts. */
  _address64: boolean;

  /**
   * `address: 'i64'` makes a memory64 memory, whose `initial`, `maximum`
   * and `grow` take BigInts (and `grow` returns one). Its maximum may be up
   * to 2^48 pages; what this runtime allocates is bounded as for 32-bit
   * memories (65536 pages): growth beyond fails.
   */
  constructor(descriptor: { initial: number | bigint; maximum?: number | bigint; address?: 'i32' | 'i64' }) {
    // Dictionary members in lexicographic order: address, initial, maximum, shared.
    const dictionary = toDictionary(descriptor, 'WebAssembly.Memory()');
    const address = member(dictionary, 'address');
    let address64 = false;
    if (address !== undefined) {
      const addressType = toDOMString(address);
      if (addressType !== 'i32' && addressType !== 'i64') throw new TypeError(`WebAssembly.Memory(): invalid address type ${JSON.stringify(addressType)}`);
      address64 = addressType === 'i64';
    }
    const addressValue = address64 ? enforceRangeU64 : enforceRangeU32;
    const limit = address64 ? MAX_PAGES64 : MAX_PAGES;
    const initialValue = member(dictionary, 'initial');
    if (initialValue === undefined) throw new TypeError('WebAssembly.Memory(): the descriptor needs an `initial` size');
    const initial = addressValue(initialValue, 'WebAssembly.Memory(): descriptor.initial');
    const maximumValue = member(dictionary, 'maximum');
    const maximum = maximumValue === undefined ? undefined : addressValue(maximumValue, 'WebAssembly.Memory(): descriptor.maximum');
    if (member(dictionary, 'shared')) {
      throw new TypeError('WebAssembly.Memory(): shared memories (threads) are not supported');
    }
    if (initial > limit) throw apiRangeError(`WebAssembly.Memory(): initial size ${initial} exceeds the limit of ${limit} pages`);
    if (maximum !== undefined) {
      if (maximum > limit) throw apiRangeError(`WebAssembly.Memory(): maximum size ${maximum} exceeds the limit of ${limit} pages`);
      if (maximum < initial) throw apiRangeError(`WebAssembly.Memory(): maximum size ${maximum} is below the initial size ${initial}`);
    }
    if (initial > MAX_PAGES) throw apiRangeError(`WebAssembly.Memory(): could not allocate ${initial} pages`);
    let buffer: ArrayBuffer;
    try {
      buffer = new ArrayBuffer(initial * PAGE_SIZE);
    } catch {
      throw apiRangeError(`WebAssembly.Memory(): could not allocate ${initial} pages`);
    }
    this._buf = buffer;
    this._pages = initial;
    this._maximum = maximum;
    this._watchers = [];
    this._u8 = undefined;
    this._stale = false;
    this._staleNext = null;
    this._address64 = address64;
    memories.add(this);
  }

  get buffer(): ArrayBuffer {
    return brand(this, 'WebAssembly.Memory.prototype.buffer')._buf;
  }

  /** Grows by `delta` pages and returns the old size: Numbers, or for a memory64 memory BigInts. */
  grow(delta: number | bigint): number | bigint {
    const memory = brand(this, 'WebAssembly.Memory.prototype.grow');
    const pages = (memory._address64 ? enforceRangeU64 : enforceRangeU32)(delta, 'WebAssembly.Memory.prototype.grow(): delta');
    const old = pages > MAX_PAGES ? -1 : memory._grow(pages);
    if (old < 0) {
      throw apiRangeError(`WebAssembly.Memory.prototype.grow(): cannot grow by ${pages} pages from ${memory._pages} (maximum ${memory._maximum ?? MAX_PAGES})`);
    }
    return memory._address64 ? BigInt(old) : old;
  }

  /** Calls `callback(buffer)` now and after every growth (internal API). */
  _watch(callback: Watcher): void {
    this._watchers.push(callback);
    callback(this._buf);
  }

  /**
   * memory.grow: the old size in pages, or -1 when the maximum or the engine
   * refuses, the memory unchanged (internal API). Growing by 0 also replaces
   * the buffer, as the JS API requires. Throws only when the stack runs out:
   * before anything changed, or after the growth, with the memory on the
   * stale list until every watcher has seen the new buffer.
   */
  _grow(delta: number): number {
    const old = this._pages;
    delta >>>= 0;
    // A memory64 maximum may be far beyond what is ever allocated.
    if (delta > Math.min(this._maximum ?? MAX_PAGES, MAX_PAGES) - old) return -1;
    // Stale before the old buffer can be detached: from then on the growth has happened.
    const marked = markStale(this);
    const buffer = resizeBuffer(this._buf, (old + delta) * PAGE_SIZE);
    if (buffer === null) {
      if (marked) markFresh(this);
      return -1;
    }
    this._buf = buffer;
    this._pages = old + delta;
    notify(this._watchers, buffer);
    if (marked) markFresh(this);
    return old;
  }

  /** Runs every watcher with the current buffer (after one threw; see boundary.ts). */
  _updateViews(): void {
    notify(this._watchers, this._buf);
  }
}

asWebIDLInterface(Memory, 'WebAssembly.Memory', 1);

// --- native memories -----------------------------------------------------------

/** The internal API of memories, shared by Memory and NativeMemoryAdapter. */
export interface MemoryLike extends ViewOwner {
  _buf: ArrayBuffer;
  _u8: Uint8Array | undefined;
  _watch(callback: Watcher): void;
  _grow(delta: number): number;
}

const nativeNamespace: any = (globalThis as any).WebAssembly;
const nativeBufferGetter: ((this: unknown) => ArrayBuffer) | undefined =
  nativeNamespace && typeof nativeNamespace.Memory === 'function'
    ? Object.getOwnPropertyDescriptor(nativeNamespace.Memory.prototype, 'buffer')?.get
    : undefined;
const nativeGrow: ((this: unknown, delta: number) => number) | undefined =
  nativeNamespace && typeof nativeNamespace.Memory === 'function' ? nativeNamespace.Memory.prototype.grow : undefined;

/** True for a WebAssembly.Memory of the engine itself (checked by its own brand check, so any realm). */
export function isNativeMemory(value: unknown): boolean {
  if (nativeBufferGetter === undefined || typeof value !== 'object' || value === null || memories.has(value)) return false;
  try {
    nativeBufferGetter.call(value);
    return true;
  } catch {
    return false;
  }
}

const adapters: WeakMap<object, NativeMemoryAdapter> = new WeakMap();

/**
 * Lets precompiled code use an engine-native WebAssembly.Memory. JS-side
 * growth is seen because `grow` is patched as an own property of the native
 * object. Limitation: growth done by *native* wasm code (memory.grow in a
 * natively compiled instance sharing this memory) is not observed; compiled
 * code would keep using the old, detached buffer. Share memories between
 * native and precompiled instances only when the native side never grows it.
 */
export class NativeMemoryAdapter implements MemoryLike {
  _native: any;
  _watchers: Watcher[];
  _u8: Uint8Array | undefined;
  _stale: boolean;
  _staleNext: ViewOwner | null;

  constructor(native: any) {
    this._native = native;
    this._watchers = [];
    this._u8 = undefined;
    this._stale = false;
    this._staleNext = null;
    const adapter = this;
    Object.defineProperty(native, 'grow', {
      value: function grow(this: unknown, delta: number): number {
        const marked = markStale(adapter);
        let old: number;
        try {
          old = nativeGrow!.call(this, delta);
        } catch (error) {
          if (marked) markFresh(adapter);
          throw error;
        }
        adapter._updateViews();
        if (marked) markFresh(adapter);
        return old;
      },
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }

  get _buf(): ArrayBuffer {
    return nativeBufferGetter!.call(this._native);
  }

  /** Current size in pages. */
  get _pages(): number {
    return this._buf.byteLength / PAGE_SIZE;
  }

  /** The declared maximum, where the engine reflects it (type reflection); otherwise undefined. */
  get _maximum(): number | undefined {
    const native = this._native;
    if (typeof native.type === 'function') {
      try { return native.type().maximum; } catch { /* no type reflection */ }
    }
    return undefined;
  }

  _watch(callback: Watcher): void {
    this._watchers.push(callback);
    callback(this._buf);
  }

  /** As Memory's: the engine's growth is all or nothing, then the watchers run with the adapter on the stale list. */
  _grow(delta: number): number {
    const marked = markStale(this);
    let old: number;
    try {
      old = nativeGrow!.call(this._native, delta >>> 0);
    } catch {
      if (marked) markFresh(this);
      return -1;
    }
    this._updateViews();
    if (marked) markFresh(this);
    return old;
  }

  _updateViews(): void {
    notify(this._watchers, this._buf);
  }
}

/** One adapter per native memory, so every instance importing it shares the watchers. */
export function adaptNativeMemory(native: object): NativeMemoryAdapter {
  let adapter = adapters.get(native);
  if (adapter === undefined) {
    adapter = new NativeMemoryAdapter(native);
    adapters.set(native, adapter);
  }
  return adapter;
}

/** What a memory looks like to JS: the native object for an adapter. */
export function memoryToJS(memory: MemoryLike): object {
  return memory instanceof NativeMemoryAdapter ? memory._native : memory;
}

/** A byte view of the memory's current buffer, cached until the buffer changes. */
export function memoryBytes(memory: MemoryLike): Uint8Array {
  const buffer = memory._buf;
  let bytes = memory._u8;
  if (bytes === undefined || bytes.buffer !== buffer) {
    bytes = new Uint8Array(buffer);
    memory._u8 = bytes;
  }
  return bytes;
}
