// Bulk memory and table helpers, table access and call_indirect, compared
// with the engine where it helps, and base64.

import { describe, expect, it } from 'vitest';
import { rt, RuntimeError, WebAssembly as WA } from '../../runtime/index.js';
import { base64Decode, base64Encode } from '../../runtime/base64.js';
import { funcRef, nativeInstance, sig } from './helpers.js';

const PAGE = 65536;
const OOB_MEMORY = new RuntimeError('out of bounds memory access');
const OOB_TABLE = new RuntimeError('out of bounds table access');

function memoryWith(bytes: number[]): any {
  const memory = new WA.Memory({ initial: 1 });
  new Uint8Array(memory.buffer).set(bytes);
  return memory;
}

const bytesOf = (memory: any, length = 8) => [...new Uint8Array(memory.buffer, 0, length)];

describe('memory.fill, memory.copy, memory.init', () => {
  it('fill writes the low byte of the value', () => {
    const memory = memoryWith([]);
    rt.memoryFill(memory, 2, 0x1ff, 3);
    expect(bytesOf(memory)).toEqual([0, 0, 255, 255, 255, 0, 0, 0]);
  });

  it('copy has memmove semantics for overlapping ranges', () => {
    const forward = memoryWith([1, 2, 3, 4, 5, 6]);
    rt.memoryCopy(forward, forward, 1, 0, 5);
    expect(bytesOf(forward)).toEqual([1, 1, 2, 3, 4, 5, 0, 0]);
    const backward = memoryWith([1, 2, 3, 4, 5, 6]);
    rt.memoryCopy(backward, backward, 0, 1, 5);
    expect(bytesOf(backward)).toEqual([2, 3, 4, 5, 6, 6, 0, 0]);
  });

  it('copy works between two memories', () => {
    const from = memoryWith([9, 8, 7]);
    const to = memoryWith([]);
    rt.memoryCopy(to, from, 4, 0, 3);
    expect(bytesOf(to)).toEqual([0, 0, 0, 0, 9, 8, 7, 0]);
  });

  it('init copies from a segment; a dropped segment (null) is empty', () => {
    const memory = memoryWith([]);
    rt.memoryInit(memory, new Uint8Array([1, 2, 3, 4]), 1, 1, 3);
    expect(bytesOf(memory)).toEqual([0, 2, 3, 4, 0, 0, 0, 0]);
    rt.memoryInit(memory, null, PAGE, 0, 0);
    expect(() => rt.memoryInit(memory, null, 0, 0, 1)).toThrow(OOB_MEMORY);
    expect(() => rt.memoryInit(memory, null, 0, 1, 0)).toThrow(OOB_MEMORY);
  });

  it('check bounds before writing anything, zero lengths included', () => {
    const memory = memoryWith([]);
    expect(() => rt.memoryFill(memory, PAGE - 2, 1, 3)).toThrow(OOB_MEMORY);
    expect(() => rt.memoryCopy(memory, memory, PAGE - 2, 0, 3)).toThrow(OOB_MEMORY);
    expect(() => rt.memoryCopy(memory, memory, 0, PAGE - 2, 3)).toThrow(OOB_MEMORY);
    expect(() => rt.memoryInit(memory, new Uint8Array(4), PAGE - 2, 0, 3)).toThrow(OOB_MEMORY);
    expect(new Uint8Array(memory.buffer).every((b) => b === 0)).toBe(true);
    rt.memoryFill(memory, PAGE, 1, 0);
    expect(() => rt.memoryFill(memory, PAGE + 1, 1, 0)).toThrow(OOB_MEMORY);
    expect(() => rt.memoryFill(memory, -1, 1, 1)).toThrow(OOB_MEMORY); // i32 -1 is address 2^32-1
  });

  it('see growth done in between', () => {
    const memory = memoryWith([]);
    rt.memoryFill(memory, 0, 1, 1);
    memory.grow(1);
    rt.memoryFill(memory, PAGE, 7, 2);
    expect(new Uint8Array(memory.buffer)[PAGE + 1]).toBe(7);
  });

  it('match the engine on the bulk-memory trap cases', () => {
    const native = nativeInstance(`(module (memory (export "m") 1)
      (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
      (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))`).exports;
    const ours = memoryWith([]);
    const cases = [[0, 0, 0], [PAGE, 0, 0], [PAGE + 1, 0, 0], [PAGE - 1, 0, 1], [PAGE - 1, 0, 2], [0, PAGE, 0], [0, PAGE - 1, 2], [-1, 0, 1], [0, 0, -1]];
    for (const [a, b, n] of cases) {
      const trapsNatively = (() => { try { native.copy(a, b, n); return false; } catch { return true; } })();
      const traps = (() => { try { rt.memoryCopy(ours, ours, a, b, n); return false; } catch { return true; } })();
      expect({ copy: [a, b, n], traps }).toEqual({ copy: [a, b, n], traps: trapsNatively });
    }
  });
});

describe('table access and bulk table helpers', () => {
  const table = () => {
    const t = new WA.Table({ element: 'externref', initial: 5 }, null);
    t._elems.splice(0, 5, 'a', 'b', 'c', 'd', 'e');
    return t;
  };

  it('get and set check bounds with unsigned indices', () => {
    const t = table();
    expect(rt.tableGet(t, 4)).toBe('e');
    rt.tableSet(t, 0, 'z');
    expect(t._elems[0]).toBe('z');
    expect(() => rt.tableGet(t, 5)).toThrow(OOB_TABLE);
    expect(() => rt.tableSet(t, -1, 'x')).toThrow(OOB_TABLE);
  });

  it('fill, copy (memmove) and init', () => {
    const t = table();
    rt.tableFill(t, 1, 'x', 2);
    expect(t._elems).toEqual(['a', 'x', 'x', 'd', 'e']);
    rt.tableCopy(t, t, 1, 0, 4);
    expect(t._elems).toEqual(['a', 'a', 'x', 'x', 'd']);
    rt.tableCopy(t, t, 0, 1, 4);
    expect(t._elems).toEqual(['a', 'x', 'x', 'd', 'd']);
    const other = table();
    rt.tableCopy(other, t, 3, 0, 2);
    expect(other._elems).toEqual(['a', 'b', 'c', 'a', 'x']);
    rt.tableInit(t, ['p', 'q', 'r'], 2, 1, 2);
    expect(t._elems).toEqual(['a', 'x', 'q', 'r', 'd']);
    rt.tableInit(t, null, 5, 0, 0);
    expect(() => rt.tableInit(t, null, 0, 0, 1)).toThrow(OOB_TABLE);
  });

  it('check bounds before writing anything', () => {
    const t = table();
    expect(() => rt.tableFill(t, 4, 'x', 2)).toThrow(OOB_TABLE);
    expect(() => rt.tableCopy(t, t, 4, 0, 2)).toThrow(OOB_TABLE);
    expect(() => rt.tableCopy(t, t, 0, 4, 2)).toThrow(OOB_TABLE);
    expect(() => rt.tableInit(t, ['x', 'y'], 4, 0, 2)).toThrow(OOB_TABLE);
    expect(() => rt.tableFill(t, 6, 'x', 0)).toThrow(OOB_TABLE);
    expect(t._elems).toEqual(['a', 'b', 'c', 'd', 'e']);
    rt.tableFill(t, 5, 'x', 0);
  });
});

describe('callIndirect', () => {
  const type = sig(['i32'], ['i32']);
  const ref = funcRef((x: number) => x + 1, type, 0);
  const other = funcRef(() => 0, sig([], ['i32']), 1);
  const elems = [ref, null, other];

  it('returns the raw function when the signature matches', () => {
    expect(rt.callIndirect(elems, 0, rt.typeId('i32->i32'))(1)).toBe(2);
  });

  it('traps: undefined element, uninitialized element, indirect call type mismatch', () => {
    expect(() => rt.callIndirect(elems, 3, ref.typeId)).toThrow(new RuntimeError('undefined element'));
    expect(() => rt.callIndirect(elems, -1, ref.typeId)).toThrow(new RuntimeError('undefined element'));
    expect(() => rt.callIndirect(elems, 1, ref.typeId)).toThrow(new RuntimeError('uninitialized element'));
    expect(() => rt.callIndirect(elems, 2, ref.typeId)).toThrow(new RuntimeError('indirect call type mismatch'));
  });

  it('call views follow every change to the table', () => {
    const t = new WA.Table({ element: 'anyfunc', initial: 2 });
    const view = t._callView(ref.typeId);
    const callAt = (i: number) => (view[i] ?? rt.callIndirectTrap)(41);
    expect(() => callAt(0)).toThrow(new RuntimeError('uninitialized element'));
    expect(() => callAt(2)).toThrow(new RuntimeError('undefined element'));
    expect(() => callAt(-1)).toThrow(new RuntimeError('undefined element'));
    rt.tableSet(t, 0, ref);
    expect(callAt(0)).toBe(42);
    rt.tableSet(t, 0, other);
    expect(() => callAt(0)).toThrow(new RuntimeError('indirect call type mismatch'));
    rt.tableFill(t, 0, ref, 2);
    expect([callAt(0), callAt(1)]).toEqual([42, 42]);
    expect(t._grow(2, other)).toBe(2);
    expect(view.length).toBe(4);
    expect(() => callAt(3)).toThrow(new RuntimeError('indirect call type mismatch'));
    rt.tableCopy(t, t, 2, 0, 2);
    expect([callAt(2), callAt(3)]).toEqual([42, 42]);
    rt.tableInit(t, [null, other], 0, 0, 2);
    expect(() => callAt(0)).toThrow(new RuntimeError('uninitialized element'));
    expect(() => callAt(1)).toThrow(new RuntimeError('indirect call type mismatch'));
    const source = new WA.Table({ element: 'anyfunc', initial: 1 });
    rt.tableSet(source, 0, ref);
    rt.tableCopy(t, source, 1, 0, 1);
    expect(callAt(1)).toBe(42);
    // The JS API: Table.prototype.set and grow take Exported Functions.
    const exported = t.get(2); // the Exported Function of ref, in slot 2
    t.set(1, null);
    expect(() => callAt(1)).toThrow(new RuntimeError('uninitialized element'));
    t.set(0, exported);
    expect(callAt(0)).toBe(42);
    t.grow(1, exported);
    expect(callAt(4)).toBe(42);
    // A view made after the changes starts from the current elements.
    expect(t._callView(ref.typeId).map((f: Function) => f === ref.raw)).toEqual([true, false, true, true, true]);
  });

  it('type ids are interned: equal keys, equal ids', () => {
    expect(rt.typeId('i32,i64->f32')).toBe(rt.typeId('i32,i64->f32'));
    expect(rt.typeId('->')).not.toBe(rt.typeId('i32->'));
  });
});

describe('base64', () => {
  it('decodes what it encodes, for every length and byte', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + length * 13) & 255);
      const text = base64Encode(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(rt.base64(text)).toEqual(bytes);
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(base64Decode(base64Encode(all))).toEqual(all);
  });

  it('ignores padding and whitespace, rejects other characters', () => {
    expect([...rt.base64('AQID\nBA==')]).toEqual([1, 2, 3, 4]);
    expect([...rt.base64('AQIDBA')]).toEqual([1, 2, 3, 4]);
    expect(() => rt.base64('AQ*D')).toThrow(SyntaxError);
  });
});
