// Loads and stores of the function emitter (the layer between the operand
// stack, emit-stack.ts, and the instructions, emit-func.ts): memory reads
// through DataView or typed arrays, stores, the i64 store peepholes,
// memory.size and memory.grow, and the memory side of SimdHost.

import { Instr, ValType } from './ir.js';
import { F32_LOAD_FOR_ARITHMETIC, F32_STORE_OF_ARITHMETIC, LOADER_CALLS, MEMORY_OPS, isRoundedF32, literalU32, u32 } from './emit-ops.js';
import type { MemoryOp } from './emit-ops.js';
import { Entry, Flag, StackEmitter } from './emit-stack.js';
import * as js from './js.js';
import type { JsNode } from './js.js';

export abstract class MemoryEmitter extends StackEmitter {
  protected needsAddress = false;
  protected needsCopyTemps = false;
  protected needsI64StoreTemp = false;
  /** i64.load expressions on the stack, with their effective address, for the store peepholes. */
  protected readonly i64Loads = new WeakMap<JsNode, { address: JsNode; memory: number }>();
  /** f32.load expressions on the stack, with how to read the same f32 as a float (getFloat32). */
  protected readonly floatReads = new WeakMap<JsNode, () => JsNode>();

  /** An operand of an F32_ARITHMETIC instruction: a loaded f32 is read as a float. */
  protected arithmeticOperand(expr: JsNode): JsNode {
    const read = this.floatReads.get(expr);
    return read === undefined ? expr : read();
  }

  protected address(instr: Instr, addr: Entry): JsNode {
    const base = this.valueOf(addr);
    if (this.env.memory64(instr.index2)) {
      // memory64: an i64 address, Infinity from 2^63 on (addr64); the
      // DataView read or write traps on anything past the end.
      const at = js.call(this.env.helper('addr64'), [base]);
      return instr.memOffset === 0 ? at : js.bin('+', at, js.num(instr.memOffset));
    }
    const constant = literalU32(base);
    if (constant !== undefined) return js.num(constant + instr.memOffset);
    const unsigned = u32(base);
    return instr.memOffset === 0 ? unsigned : js.bin('+', unsigned, js.num(instr.memOffset));
  }

  protected load(instr: Instr, type: ValType, memoryOp: MemoryOp): void {
    // `dvN.get...(addr)` reads dvN before addr: an address that can grow
    // memory is evaluated first.
    if ((this.stack[this.stack.length - 1].flags & Flag.Call) !== 0) this.settle(this.stack.length - 1);
    const addr = this.pop();
    const address = this.address(instr, addr);
    const memory = instr.index2;
    let expr = this.read(address, memoryOp, memory);
    if (memoryOp.load) expr = memoryOp.load(expr);
    if (memoryOp.loadHelper) expr = js.call(this.env.helper(memoryOp.loadHelper), [expr]);
    if (memoryOp.loadHelper === 'f32ReinterpretI32') {
      // Arithmetic on it may read the float directly (F32_ARITHMETIC), 3.5x faster on an f32 loop.
      this.floatReads.set(expr, () => this.read(address, MEMORY_OPS.get(F32_LOAD_FOR_ARITHMETIC)!, memory));
    }
    if (memoryOp.width === 8 && type === ValType.I64) this.i64Loads.set(expr, { address, memory });
    this.push(type, expr, [addr], Flag.Effect | Flag.Memory, 3);
  }

  /**
   * A read of a memory, through a typed array first where that pays: every
   * load tuned for interpreters, i64 loads with a JIT too (V8's optimizing
   * compiler inlines BigInt64Array reads but calls out for DataView's
   * getBigInt64, which also boxes the value).
   */
  protected read(address: JsNode, memoryOp: MemoryOp, memory: number): JsNode {
    return memoryOp.view !== undefined && (!this.env.jit || memoryOp.view === 'BigInt64Array')
      ? this.typedLoad(address, memoryOp, memory)
      : this.dataViewLoad(address, memoryOp, memory);
  }

  protected dataViewLoad(address: JsNode, memoryOp: MemoryOp, memory: number): JsNode {
    const args = [address];
    if (memoryOp.littleEndian) args.push(js.bool(true));
    return js.call(js.member(js.id(this.env.memoryView(memory)), memoryOp.method), args);
  }

  /**
   * `view[ea / width] ?? dv.get(ea)`: a typed array yields undefined for an
   * index past its end or a fractional one (an unaligned address), and the
   * DataView read then does the unaligned access or throws the trap.
   */
  protected typedLoad(address: JsNode, memoryOp: MemoryOp, memory: number): JsNode {
    const view = js.id(this.env.typedView(memory, memoryOp.view!));
    const width = memoryOp.width;
    if (address.type === 'Identifier') {
      const index = width === 1 ? address : js.bin('/', address, js.num(width));
      return js.logical('??', js.index(view, index), this.slowLoad(address, memoryOp, memory));
    }
    if (address.type === 'Literal') {
      const value = address.value as number;
      if (value % width !== 0) return this.dataViewLoad(address, memoryOp, memory);
      return js.logical('??', js.index(view, js.num(value / width)), this.slowLoad(address, memoryOp, memory));
    }
    const unsignedLocal = (node: JsNode): boolean => node.type === 'BinaryExpression' && node.operator === '>>>'
      && node.left.type === 'Identifier' && node.right.type === 'Literal' && node.right.value === 0;
    if (unsignedLocal(address)) {
      // Offset 0: a negative local is a negative index, undefined like any
      // other miss, so the unsigned conversion is only needed on the slow path.
      const local = address.left;
      return js.logical('??', js.index(view, width === 1 ? local : js.bin('/', local, js.num(width))), this.slowLoad(address, memoryOp, memory));
    }
    this.needsAddress = true;
    const assigned = js.assign(js.id('ea'), address);
    const index = width === 1 ? assigned : js.bin('/', assigned, js.num(width));
    return js.logical('??', js.index(view, index), this.slowLoad(js.id('ea'), memoryOp, memory));
  }

  /** The slow path of a typed-array load: the DataView read, through the memory's loader function. */
  protected slowLoad(address: JsNode, memoryOp: MemoryOp, memory: number): JsNode {
    const call = js.call(js.id(this.env.slowLoader(memory, memoryOp.method)), [address]);
    LOADER_CALLS.set(call, memoryOp.method); // its value range, for the i64 peepholes
    return call;
  }

  protected store(instr: Instr, memoryOp: MemoryOp): void {
    const top = this.stack.length;
    if (((this.stack[top - 2].flags | this.stack[top - 1].flags) & Flag.Call) !== 0) {
      this.settle(top - 2);
      this.settle(top - 1);
    }
    const [addr, value] = this.popN(2);
    const memory = instr.index2;
    this.settleBeforeEffect(Flag.Memory);
    let stored = this.valueOf(value);
    // Only i64 stores take a typed array (see typedI64Store): for the other
    // widths V8 inlines the DataView call, and telling whether the typed
    // store would be in bounds costs more than the call.
    if (memoryOp.method === 'setBigInt64' && this.storeI64AsWords(instr, addr, stored)) return;
    if (memoryOp.method === 'setBigInt64' && this.env.jit) {
      this.typedI64Store(this.address(instr, addr), stored, memory);
      return;
    }
    if (memoryOp.storeHelper === 'i32ReinterpretF32' && isRoundedF32(stored)) memoryOp = MEMORY_OPS.get(F32_STORE_OF_ARITHMETIC)!;
    if (memoryOp.store) stored = memoryOp.store(stored, (name) => this.env.helper(name));
    if (memoryOp.storeHelper) stored = js.call(this.env.helper(memoryOp.storeHelper), [stored]);
    const args = [this.address(instr, addr), stored];
    if (memoryOp.littleEndian) args.push(js.bool(true));
    this.stmts.push(js.exprStmt(js.call(this.env.storeCallee(memory, memoryOp.method), args)));
  }

  /**
   * An i64.store through the BigInt64Array when the address is aligned and
   * in bounds, else through the DataView, which does the unaligned store or
   * throws the trap: V8's optimizing compiler inlines the typed-array store,
   * but calls out for setBigInt64 (2.5x slower in a loop of stores). Not for
   * interpreters, where the test costs more than the call. On a big-endian
   * host the view is empty and every store takes the DataView.
   */
  protected typedI64Store(address: JsNode, value: JsNode, memory: number): void {
    const view = js.id(this.env.typedView(memory, 'BigInt64Array'));
    if (address.type === 'Literal' && (address.value as number) % 8 !== 0) {
      this.stmts.push(js.exprStmt(js.call(this.env.storeCallee(memory, 'setBigInt64'), [address, value, js.bool(true)])));
      return;
    }
    // Both are read twice: into temps, the address first, as wasm evaluates it.
    if (address.type !== 'Literal') {
      this.needsCopyTemps = true;
      this.stmts.push(js.exprStmt(js.assign(js.id('sa'), address)));
      address = js.id('sa');
    }
    if (value.type !== 'Identifier' && value.type !== 'Literal') {
      this.needsI64StoreTemp = true;
      this.stmts.push(js.exprStmt(js.assign(js.id('sv'), value)));
      value = js.id('sv');
    }
    const index = (): JsNode => (address.type === 'Literal' ? js.num((address.value as number) / 8) : js.bin('/', address, js.num(8)));
    const inBounds = js.bin('<', index(), js.member(view, 'length'));
    const test = address.type === 'Literal' ? inBounds : js.logical('&&', js.bin('===', js.bin('&', address, js.num(7)), js.num(0)), inBounds);
    const fast = js.exprStmt(js.assign(js.index(view, index()), value));
    const slow = js.exprStmt(js.call(this.env.storeCallee(memory, 'setBigInt64'), [address, value, js.bool(true)]));
    this.stmts.push(js.ifStmt(test, js.block([fast]), js.block([slow])));
  }

  /**
   * An i64.store of a constant or of an i64.load, as 32-bit accesses: no
   * BigInt is made, and engines inline the int32 DataView calls but not the
   * BigInt64 ones. The high word is stored first: it is the one that fails
   * when the 8 bytes do not fit, so a trapping store writes nothing. A copy
   * reads both source words before it writes, so overlapping ranges behave.
   */
  protected storeI64AsWords(instr: Instr, addr: Entry, stored: JsNode): boolean {
    const literal = stored.type === 'UnaryExpression' && stored.operator === '-' ? stored.argument : stored;
    const constant = literal.type === 'Literal' && typeof literal.bigint === 'string';
    const loaded = constant ? undefined : this.i64Loads.get(stored);
    // A copy is between words of one memory (the load's must be this store's).
    if (!constant && (loaded === undefined || loaded.memory !== instr.index2)) return false;
    const source = loaded?.address;
    const memory = instr.index2;
    const word = (address: JsNode, plus: number): JsNode => (plus === 0 ? address : address.type === 'Literal'
      ? js.num((address.value as number) + plus) : js.bin('+', address, js.num(plus)));
    const setWord = (address: JsNode, value: JsNode): void => {
      this.stmts.push(js.exprStmt(js.call(this.env.storeCallee(memory, 'setInt32'), [address, value, js.bool(true)])));
    };
    let target = this.address(instr, addr);
    if (constant) {
      const bits = BigInt.asUintN(64, (literal === stored ? 1n : -1n) * BigInt(literal.bigint));
      const hi = js.num(Number(BigInt.asIntN(32, bits >> 32n)));
      const lo = js.num(Number(BigInt.asIntN(32, bits)));
      if (target.type === 'Literal') {
        setWord(word(target, 4), hi);
        setWord(target, lo);
      } else {
        this.needsCopyTemps = true;
        this.stmts.push(js.exprStmt(js.assign(js.id('sa'), target)));
        setWord(js.bin('+', js.id('sa'), js.num(4)), hi);
        setWord(js.id('sa'), lo);
      }
      return true;
    }
    this.needsCopyTemps = true;
    const i32Load = MEMORY_OPS.get('i32.load')!;
    const readWord = (address: JsNode): JsNode => this.read(address, i32Load, memory);
    if (target.type !== 'Literal') {
      this.stmts.push(js.exprStmt(js.assign(js.id('sa'), target)));
      target = js.id('sa');
    }
    let from = source!;
    if (from.type !== 'Literal') {
      this.stmts.push(js.exprStmt(js.assign(js.id('la'), from)));
      from = js.id('la');
    }
    this.stmts.push(js.exprStmt(js.assign(js.id('lv'), readWord(from))));
    setWord(word(target, 4), readWord(word(from, 4)));
    setWord(target, js.id('lv'));
    return true;
  }

  protected memorySize(memory: number): void {
    const bytes = js.member(js.id(this.env.memoryView(memory)), 'byteLength');
    const pages = js.bin('/', bytes, js.num(65536));
    if (this.env.memory64(memory)) this.push(ValType.I64, js.call(js.id('BigInt'), [pages]), [], Flag.Memory, 4);
    else this.push(ValType.I32, pages, [], Flag.Memory, 3);
  }

  protected memoryGrow(memory: number): void {
    const delta = this.pop();
    this.settleBeforeEffect(Flag.Memory);
    const object = js.id(this.env.memoryObject(memory));
    if (this.env.memory64(memory)) {
      const grow = js.call(this.env.helper('memoryGrow64'), [object, this.valueOf(delta)]);
      this.push(ValType.I64, grow, [delta], Flag.Effect | Flag.Memory | Flag.Call, 2);
      return;
    }
    const grow = js.call(js.member(object, '_grow'), [u32(this.valueOf(delta))]);
    this.push(ValType.I32, grow, [delta], Flag.Effect | Flag.Memory | Flag.Call, 2);
  }

  /**
   * An operand of memory.fill, copy or init in a module with a memory64
   * memory, as a Number the *64 helpers take: an i64 through addr64, an
   * i32 unsigned.
   */
  protected bulkOperand64(entry: Entry): JsNode {
    const value = this.valueOf(entry);
    return entry.type === ValType.I64 ? js.call(this.env.helper('addr64'), [value]) : u32(value);
  }

  // ---- SIMD memory access (SimdHost) ----------------------------------------------

  memoryLoad(address: JsNode, op: string, memory: number): JsNode {
    return this.read(address, MEMORY_OPS.get(op)!, memory);
  }

  addressNumber(base: JsNode, memory: number): JsNode {
    return this.env.memory64(memory) ? js.call(this.env.helper('addr64'), [base]) : u32(base);
  }

  memory64(memory: number): boolean {
    return this.env.memory64(memory);
  }

  beforeStore(): void {
    this.settleBeforeEffect(Flag.Memory);
  }

  memoryStore(method: string, address: JsNode, value: JsNode, memory: number): void {
    const args = method === 'setInt8' ? [address, value] : [address, value, js.bool(true)];
    this.stmts.push(js.exprStmt(js.call(this.env.storeCallee(memory, method), args)));
  }
}
