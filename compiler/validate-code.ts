// Function-body validation: the algorithm of the spec's validation appendix
// (an operand stack of value types and a control stack of frames, with the
// stack-polymorphic "unknown" type after unreachable, br, br_table and
// return). Opcodes with a fixed signature in opcodes.ts are typed straight
// from that table; the rest have a handler below. Bodies of real modules run
// to hundreds of thousands of instructions and this also runs at load time
// in the polyfill (often without a JIT), so both stacks are typed arrays
// reused across functions and nothing is allocated per instruction.

import { CONCRETE, HeapType, TypeKind, ValType, refType, typeKind } from './ir.js';
import type { Func, FuncType, GlobalType, Instr, LocalRun } from './ir.js';
import { FD_OPCODE_LIMIT, Imm, OPS, PREFIX_FB, PREFIX_FD } from './opcodes.js';
import type { OpInfo } from './opcodes.js';
import { funcTypeName, invalid, isRefType, refNullType, typeListName, typeName } from './validate-context.js';
import type { ValidationContext } from './validate-context.js';
import { allMatch, defaultable, matches } from './validate-types.js';
import { registerReferenceHandlers } from './validate-refs.js';

/** The bottom type of the polymorphic stack: matches every type. */
const UNKNOWN = 0;
/** Control-frame opcode of the function body itself. */
const FUNCTION_FRAME = -1;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const TRY = 0x06;
const CATCH = 0x07;
const CATCH_ALL = 0x19;
const TRY_TABLE = 0x1f;
const LOCAL_GET = 0x20;
const MEMORY_SIZE = 0x3f;
const MEMORY_GROW = 0x40;
const MEMORY_INIT = 0xfc08;
const MEMORY_COPY = 0xfc0a;
const MEMORY_FILL = 0xfc0b;
const TABLE_INIT = 0xfc0c;
const TABLE_COPY = 0xfc0e;
const TABLE_SIZE_OP = 0xfc10;

const EMPTY_BLOCK_TYPE: FuncType = { params: [], results: [] };

export type Handler = (v: CodeValidator, instr: Instr) => void;

// Per-opcode tables indexed by a dense opcode number: one-byte opcodes as
// they are, 0xFC-prefixed ones from 0x100, 0xFD-prefixed (SIMD) ones from
// 0x200, 0xFB-prefixed (GC) ones after those. Built once from opcodes.ts.
const FD_BASE = 0x200;
const FB_BASE = FD_BASE + FD_OPCODE_LIMIT;
const FB_OPCODE_LIMIT = 32;
const TABLE_SIZE = FB_BASE + FB_OPCODE_LIMIT;
function denseOpcode(op: number): number {
  if (op < 0x100) return op;
  if (op >>> 8 === 0xfc) return 0x100 | (op & 0xff);
  if ((op & ~0xfff) === PREFIX_FD && (op & 0xfff) < FD_OPCODE_LIMIT) return FD_BASE + (op & 0xfff);
  if ((op & ~0xff) === PREFIX_FB && (op & 0xff) < FB_OPCODE_LIMIT) return FB_BASE + (op & 0xff);
  return -1;
}
const INFO: (OpInfo | undefined)[] = new Array(TABLE_SIZE).fill(undefined);
/** How to type each opcode: KIND_FIXED or KIND_HANDLER, plus KIND_CHECK_IMMEDIATES; 0 for unknown opcodes. */
const KIND = new Uint8Array(TABLE_SIZE);
const KIND_FIXED = 1;
const KIND_HANDLER = 2;
/** The immediates name a memory, table, data or element segment to check before typing. */
const KIND_CHECK_IMMEDIATES = 4;
/** A load or store: needs its memory (index2) and an alignment no larger than NATURAL_ALIGN (checked inline, they are common). */
const KIND_MEMARG = 8;
/** SIMD lane-index immediates, each below LANES. */
const KIND_LANES = 16;
const NATURAL_ALIGN = new Int8Array(TABLE_SIZE);
const LANES = new Uint8Array(TABLE_SIZE);
const FIXED_PARAMS: (ValType[] | null)[] = new Array(TABLE_SIZE).fill(null);
/** Loads' and stores' params with an i64 address, for memory64 memories. */
const FIXED_PARAMS64: (ValType[] | null)[] = new Array(TABLE_SIZE).fill(null);
/** memory.size, grow, fill, copy and init: typed by hand when a module has a memory64 memory. */
const KIND_MEMORY_SIZES = 32;
/** table.size, copy and init: typed by hand when a module has a 64-bit table. */
const KIND_TABLE_SIZES = 64;
/** The fixed signature's single result, or 0 for none. */
const FIXED_RESULT = new Int32Array(TABLE_SIZE);
const HANDLERS: (Handler | undefined)[] = new Array(TABLE_SIZE).fill(undefined);

const IMMEDIATE_KINDS_TO_CHECK = new Set([
  Imm.Memory, Imm.Table, Imm.MemoryInit, Imm.Data, Imm.MemoryCopy, Imm.TableInit, Imm.Elem, Imm.TableCopy,
]);
for (const info of OPS.values()) {
  const dense = denseOpcode(info.code);
  if (dense < 0) continue;
  INFO[dense] = info;
  if (info.params !== null && info.results !== null) {
    if (info.results.length > 1) throw new Error(`validate: ${info.name} has more than one fixed result`);
    FIXED_PARAMS[dense] = info.params;
    FIXED_RESULT[dense] = info.results.length === 1 ? info.results[0] : 0;
    KIND[dense] = KIND_FIXED;
  }
  if (IMMEDIATE_KINDS_TO_CHECK.has(info.imm)) KIND[dense] |= KIND_CHECK_IMMEDIATES;
  if (info.imm === Imm.MemArg || info.imm === Imm.MemArgLane) {
    KIND[dense] |= KIND_MEMARG;
    FIXED_PARAMS64[dense] = [ValType.I64, ...info.params!.slice(1)];
  }
  if (info.imm === Imm.Memory || info.imm === Imm.MemoryCopy || info.imm === Imm.MemoryInit) KIND[dense] |= KIND_MEMORY_SIZES;
  if (info.code === TABLE_SIZE_OP || info.code === TABLE_COPY || info.code === TABLE_INIT) KIND[dense] |= KIND_TABLE_SIZES;
  if (info.lanes > 0) KIND[dense] |= KIND_LANES;
  NATURAL_ALIGN[dense] = info.naturalAlign;
  LANES[dense] = info.lanes;
}

export function handle(op: number, name: string, handler: Handler): void {
  const dense = denseOpcode(op);
  // Keeps this table honest against opcodes.ts.
  if (INFO[dense]?.name !== name || FIXED_PARAMS[dense] !== null) throw new Error(`validate: opcode 0x${op.toString(16)} is not a context-typed ${name}`);
  HANDLERS[dense] = handler;
  KIND[dense] |= KIND_HANDLER;
}

// Every opcode in opcodes.ts must be typed one way or the other; checked once the handlers below are registered.
function checkEveryOpcodeIsTyped(): void {
  for (const info of OPS.values()) {
    const dense = denseOpcode(info.code);
    if (dense >= 0 && (KIND[dense] & (KIND_FIXED | KIND_HANDLER)) === 0) throw new Error(`validate: no typing rule for ${info.name}`);
  }
}

/** Validates function bodies against a module's context; reusable across functions. */
export class CodeValidator {
  private readonly context: ValidationContext;

  // Operand stack: value types, top at `top`.
  private vals = new Int32Array(256);
  private top = 0;

  // Control stack: one entry per open block, parallel arrays indexed by frame.
  private ctrlOpcode = new Int32Array(32);
  private ctrlHeight = new Int32Array(32);
  private ctrlUnreachable = new Uint8Array(32);
  private ctrlType: FuncType[] = [];
  private depth = 0;
  /** The innermost frame's height and unreachable flag, cached for pop. */
  private height = 0;
  private unreachable = false;

  // The function being validated.
  private localTypes = new Int32Array(64);
  private localCount = 0;
  /**
   * Typed references (3.0): locals of a non-defaultable type must be set
   * before they are read. `localSet` says which are; `setLocals` lists the
   * ones set since each frame opened (ctrlSetHeight), which that frame's
   * end or else forgets again. Unused when every local is defaultable.
   */
  private checkInit = false;
  private localSet = new Uint8Array(64);
  private setStack = new Int32Array(16);
  private setTop = 0;
  private ctrlSetHeight = new Int32Array(32);
  private funcType: FuncType = EMPTY_BLOCK_TYPE;
  private functionIndex = 0;
  private funcOffset = 0;
  private instr: Instr | null = null;

  constructor(context: ValidationContext) {
    this.context = context;
  }

  /**
   * Validates a function's body: `func.body`, or the first `length` of
   * `body` when given (decode's reused pool, see DecodeOptions.onBody).
   */
  validateFunction(func: Func, functionIndex: number, body: readonly Instr[] = func.body, length: number = body.length): void {
    const funcType = this.context.funcTypes[functionIndex];
    this.funcType = funcType;
    this.functionIndex = functionIndex;
    this.funcOffset = func.offset;
    this.instr = null;
    this.setLocals(funcType.params, func.locals);
    this.top = 0;
    this.depth = 0;
    this.pushCtrl(FUNCTION_FRAME, funcType);

    for (let i = 0; i < length; i++) {
      const instr = body[i];
      this.instr = instr;
      if (this.depth === 0) this.fail('operators remaining after end of function');
      const op = instr.op;
      if (op === LOCAL_GET) {
        // A quarter of all instructions in compiled C: typed inline.
        const index = instr.index;
        if (index >>> 0 >= this.localCount) this.fail(`unknown local ${index}`);
        if (this.checkInit && this.localSet[index] === 0) this.fail('uninitialized local', `local ${index} of non-defaultable type ${typeName(this.localTypes[index])} is read before it is set`);
        this.push(this.localTypes[index]);
        continue;
      }
      const dense = op < 0x100 ? op : denseOpcode(op);
      const kind = dense < 0 ? 0 : KIND[dense];
      if (kind === 0) this.fail(`unknown operator 0x${op.toString(16)}`);
      let params = FIXED_PARAMS[dense];
      if ((kind & KIND_MEMARG) !== 0) {
        if (instr.index2 >= this.context.memoryCount) this.fail(`unknown memory ${instr.index2}`);
        if (instr.align > NATURAL_ALIGN[dense]) {
          this.fail('alignment must not be larger than natural', `2**${instr.align} > ${1 << NATURAL_ALIGN[dense]} bytes`);
        }
        if (this.context.anyMemory64 && this.context.memory64[instr.index2]) params = FIXED_PARAMS64[dense];
      } else if ((kind & KIND_CHECK_IMMEDIATES) !== 0) {
        this.checkImmediates(INFO[dense]!.imm, instr);
        if ((kind & KIND_MEMORY_SIZES) !== 0 && this.context.anyMemory64) {
          this.memoryOperands(op, instr);
          continue;
        }
        if ((kind & KIND_TABLE_SIZES) !== 0 && this.context.anyTable64) {
          this.tableOperands(op, instr);
          continue;
        }
      }
      if ((kind & KIND_LANES) !== 0) this.checkLanes(LANES[dense], instr);
      if ((kind & KIND_FIXED) !== 0) {
        // popExpect and push inlined for the common case (matching operands,
        // room on the stack): this is most instructions.
        params = params!;
        const vals = this.vals;
        const height = this.height;
        let top = this.top;
        for (let p = params.length - 1; p >= 0; p--) {
          const expected = params[p];
          if (top > height && vals[top - 1] === expected) {
            top--;
          } else {
            this.top = top;
            this.popExpect(expected);
            top = this.top;
          }
        }
        this.top = top;
        const result = FIXED_RESULT[dense];
        if (result !== 0) {
          if (top < vals.length) {
            vals[top] = result;
            this.top = top + 1;
          } else {
            this.push(result);
          }
        }
      } else {
        HANDLERS[dense]!(this, instr);
      }
    }
    // A body whose final `end` the decoder left out closes the function frame here.
    if (this.depth === 1) this.end();
    if (this.depth !== 0) this.fail('unexpected end of function', 'a block is not closed');
  }

  /** Expands this function's locals (at most 50,000, a limit decode applies) into the reused table. */
  private setLocals(params: readonly ValType[], locals: readonly LocalRun[]): void {
    let count = params.length;
    for (const run of locals) count += run.count;
    if (this.localTypes.length < count) this.localTypes = new Int32Array(count);
    const localTypes = this.localTypes;
    for (let i = 0; i < params.length; i++) localTypes[i] = params[i];
    let next = params.length;
    let checkInit = false;
    for (const run of locals) {
      localTypes.fill(run.type, next, next + run.count);
      next += run.count;
      if (!defaultable(run.type)) checkInit = true;
    }
    this.localCount = count;
    this.checkInit = checkInit;
    this.setTop = 0;
    if (checkInit) {
      if (this.localSet.length < count) this.localSet = new Uint8Array(count);
      const localSet = this.localSet;
      localSet.fill(1, 0, params.length);
      next = params.length;
      for (const run of locals) {
        localSet.fill(defaultable(run.type) ? 1 : 0, next, next + run.count);
        next += run.count;
      }
    }
  }

  /** local.set and local.tee: a non-defaultable local becomes readable until the innermost frame ends. */
  setLocal(index: number): void {
    if (!this.checkInit || this.localSet[index] === 1) return;
    this.localSet[index] = 1;
    if (this.setTop === this.setStack.length) {
      const grown = new Int32Array(this.setStack.length * 2);
      grown.set(this.setStack);
      this.setStack = grown;
    }
    this.setStack[this.setTop++] = index;
  }

  // ---- Errors --------------------------------------------------------------

  /**
   * Throws for the current instruction: "<problem> in <opcode name>: <detail>",
   * so the message starts with the spec testsuite's wording.
   */
  fail(problem: string, detail = ''): never {
    const instr = this.instr;
    const name = instr === null ? undefined : INFO[denseOpcode(instr.op)]?.name;
    const message = `${problem}${name === undefined ? '' : ` in ${name}`}${detail === '' ? '' : `: ${detail}`}`;
    invalid(message, instr === null ? this.funcOffset : instr.offset, `code section, function ${this.functionIndex}`);
  }

  private mismatch(expected: number, actual: number | null): never {
    this.fail('type mismatch', `expected ${typeName(expected)}, got ${actual === null ? 'nothing (the stack is empty)' : typeName(actual)}`);
  }

  // ---- Operand stack -------------------------------------------------------

  push(type: number): void {
    if (this.top === this.vals.length) {
      const grown = new Int32Array(this.vals.length * 2);
      grown.set(this.vals);
      this.vals = grown;
    }
    this.vals[this.top++] = type;
  }

  pushTypes(types: readonly ValType[]): void {
    for (let i = 0; i < types.length; i++) this.push(types[i]);
  }

  /** Pops any value; UNKNOWN when the stack is polymorphic. */
  popAny(): number {
    if (this.top === this.height) {
      if (this.unreachable) return UNKNOWN;
      this.fail('type mismatch', 'expected a value, got nothing (the stack is empty)');
    }
    return this.vals[--this.top];
  }

  popExpect(expected: number): number {
    if (this.top === this.height) {
      if (this.unreachable) return UNKNOWN;
      this.mismatch(expected, null);
    }
    const actual = this.vals[--this.top];
    if (actual !== expected && actual !== UNKNOWN && expected !== UNKNOWN && !matches(this.context.types, actual, expected)) this.mismatch(expected, actual);
    return actual;
  }

  popTypes(types: readonly ValType[]): void {
    for (let i = types.length - 1; i >= 0; i--) this.popExpect(types[i]);
  }

  /**
   * Checks that the stack ends in `types` without popping: br_table's
   * per-target check, which in the spec pops and pushes back the same values.
   */
  peekTypes(types: readonly ValType[]): void {
    for (let i = 0; i < types.length; i++) {
      const expected = types[types.length - 1 - i];
      const position = this.top - 1 - i;
      if (position < this.height) {
        if (this.unreachable) return;
        this.mismatch(expected, null);
      }
      const actual = this.vals[position];
      if (actual !== expected && actual !== UNKNOWN && !matches(this.context.types, actual, expected)) this.mismatch(expected, actual);
    }
  }

  // ---- Control stack -------------------------------------------------------

  /** Opens a frame whose code starts with `values` on the stack: the block's params, or a legacy catch's payload. */
  pushCtrl(opcode: number, type: FuncType, values: readonly ValType[] = type.params): void {
    const depth = this.depth;
    if (depth === this.ctrlOpcode.length) this.growCtrl();
    this.ctrlOpcode[depth] = opcode;
    this.ctrlHeight[depth] = this.top;
    this.ctrlUnreachable[depth] = 0;
    this.ctrlType[depth] = type;
    this.ctrlSetHeight[depth] = this.setTop;
    this.depth = depth + 1;
    this.height = this.top;
    this.unreachable = false;
    if (opcode !== FUNCTION_FRAME) this.pushTypes(values);
  }

  private growCtrl(): void {
    const size = this.ctrlOpcode.length * 2;
    const opcode = new Int32Array(size);
    const height = new Int32Array(size);
    const unreachable = new Uint8Array(size);
    const setHeight = new Int32Array(size);
    opcode.set(this.ctrlOpcode);
    height.set(this.ctrlHeight);
    unreachable.set(this.ctrlUnreachable);
    setHeight.set(this.ctrlSetHeight);
    this.ctrlOpcode = opcode;
    this.ctrlHeight = height;
    this.ctrlUnreachable = unreachable;
    this.ctrlSetHeight = setHeight;
  }

  /** Pops the innermost frame after checking that the stack holds exactly its results. */
  popCtrl(): FuncType {
    const depth = this.depth - 1;
    const type = this.ctrlType[depth];
    this.popTypes(type.results);
    if (this.top !== this.height) {
      const extra = this.vals.subarray(this.height, this.top);
      this.fail('type mismatch', `block of type ${funcTypeName(type)} leaves ${extra.length} extra value(s) ${typeListName(extra)} on the stack`);
    }
    this.depth = depth;
    // Locals set inside the frame are unset again after it.
    const setHeight = this.ctrlSetHeight[depth];
    while (this.setTop > setHeight) this.localSet[this.setStack[--this.setTop]] = 0;
    if (depth > 0) {
      this.height = this.ctrlHeight[depth - 1];
      this.unreachable = this.ctrlUnreachable[depth - 1] === 1;
    }
    return type;
  }

  /** The rest of the block is unreachable: the stack becomes polymorphic. */
  markUnreachable(): void {
    this.top = this.height;
    this.unreachable = true;
    this.ctrlUnreachable[this.depth - 1] = 1;
  }

  /** The types a branch to label `label` carries: a loop's params, any other block's results. */
  labelTypes(label: number): readonly ValType[] {
    if (label >>> 0 !== label || label >= this.depth) this.fail(`unknown label ${label}`);
    const frame = this.depth - 1 - label;
    const type = this.ctrlType[frame];
    return this.ctrlOpcode[frame] === LOOP ? type.params : type.results;
  }

  end(): void {
    const opcode = this.ctrlOpcode[this.depth - 1];
    const type = this.popCtrl();
    // `if` without `else` has an implicit empty else, which passes its params through.
    if (opcode === IF && !allMatch(this.context.types, type.params, type.results)) {
      this.fail('type mismatch', `if without else must have as many results as params of the same types, block type is ${funcTypeName(type)}`);
    }
    this.pushTypes(type.results);
  }

  currentOpcode(): number {
    return this.ctrlOpcode[this.depth - 1];
  }

  blockType(instr: Instr): FuncType {
    const type = instr.blockType ?? EMPTY_BLOCK_TYPE;
    if (typeKind(type) !== TypeKind.Func) this.fail('type mismatch', 'a block type must be a function type');
    return type;
  }

  /** The module's types, for subtyping (validate-types.ts). */
  get types(): readonly FuncType[] {
    return this.context.types;
  }

  /** A function's (canonical) type index. */
  funcTypeIndex(index: number): number {
    this.funcTypeAt(index);
    return this.context.funcTypeIndices[index];
  }

  // ---- Index spaces --------------------------------------------------------

  localType(index: number): number {
    if (index >>> 0 !== index || index >= this.localCount) this.fail(`unknown local ${index}`);
    return this.localTypes[index];
  }

  globalAt(index: number): GlobalType {
    const global = this.context.globals[index];
    if (global === undefined) this.fail(`unknown global ${index}`);
    return global;
  }

  tagAt(index: number): FuncType {
    const type = this.context.tags[index];
    if (type === undefined) this.fail(`unknown tag ${index}`);
    return type;
  }

  /** The opcode of the frame `label` labels up (the label is known to exist). */
  frameOpcode(label: number): number {
    return this.ctrlOpcode[this.depth - 1 - label];
  }

  funcTypeAt(index: number): FuncType {
    const type = this.context.funcTypes[index];
    if (type === undefined) this.fail(`unknown function ${index}`);
    return type;
  }

  /** A type index that must name a function type (call_indirect, call_ref). */
  typeAt(index: number): FuncType {
    const type = this.context.types[index];
    if (type === undefined) this.fail(`unknown type ${index}`);
    if (typeKind(type) !== TypeKind.Func) this.fail('type mismatch', `type ${index} is not a function type`);
    return type;
  }

  /** A type index that may name any defined type. */
  definedType(index: number): FuncType {
    const type = this.context.types[index];
    if (type === undefined) this.fail(`unknown type ${index}`);
    return type;
  }

  elemTypeAt(index: number): ValType {
    return this.checkElemIndex(index);
  }

  checkData(index: number): void {
    this.checkDataIndex(index);
  }

  tableElemType(index: number): ValType {
    const table = this.context.tables[index];
    if (table === undefined) this.fail(`unknown table ${index}`);
    return table.elemType;
  }

  functionResults(): readonly ValType[] {
    return this.funcType.results;
  }

  isDeclaredRef(index: number): boolean {
    return this.context.declaredRefs[index] === 1;
  }

  /** Index checks for opcodes whose immediates name a memory, table or segment; typing follows separately. */
  private checkImmediates(imm: Imm, instr: Instr): void {
    const context = this.context;
    switch (imm) {
      case Imm.Memory:
        if (instr.index >= context.memoryCount) this.fail(`unknown memory ${instr.index}`);
        break;
      case Imm.MemoryCopy:
        if (instr.index >= context.memoryCount) this.fail(`unknown memory ${instr.index}`);
        if (instr.index2 >= context.memoryCount) this.fail(`unknown memory ${instr.index2}`);
        break;
      case Imm.MemoryInit:
        if (instr.index2 >= context.memoryCount) this.fail(`unknown memory ${instr.index2}`);
        this.checkDataIndex(instr.index);
        break;
      case Imm.Data:
        this.checkDataIndex(instr.index);
        break;
      case Imm.Table:
        this.tableElemType(instr.index);
        break;
      case Imm.Elem:
        this.checkElemIndex(instr.index);
        break;
      case Imm.TableInit: {
        const tableType = this.tableElemType(instr.index2);
        const elemType = this.checkElemIndex(instr.index);
        if (!matches(context.types, elemType, tableType)) {
          this.fail('type mismatch', `element segment ${instr.index} of ${typeName(elemType)} into table ${instr.index2} of ${typeName(tableType)}`);
        }
        break;
      }
      case Imm.TableCopy: {
        const destination = this.tableElemType(instr.index);
        const source = this.tableElemType(instr.index2);
        if (!matches(context.types, source, destination)) {
          this.fail('type mismatch', `copy from table ${instr.index2} of ${typeName(source)} to table ${instr.index} of ${typeName(destination)}`);
        }
        break;
      }
    }
  }

  /**
   * memory.size, grow, fill, copy and init in a module with a memory64
   * memory: sizes, addresses and lengths have the memory's address type;
   * a copy's length the narrower of its two memories', an init's source
   * and length are i32 (offsets into a data segment).
   */
  private memoryOperands(op: number, instr: Instr): void {
    const memory64 = this.context.memory64;
    const at = (memory: number): ValType => (memory64[memory] ? ValType.I64 : ValType.I32);
    switch (op) {
      case MEMORY_SIZE:
        this.push(at(instr.index));
        return;
      case MEMORY_GROW:
        this.popExpect(at(instr.index));
        this.push(at(instr.index));
        return;
      case MEMORY_FILL:
        this.popExpect(at(instr.index));
        this.popExpect(ValType.I32);
        this.popExpect(at(instr.index));
        return;
      case MEMORY_COPY:
        this.popExpect(memory64[instr.index] && memory64[instr.index2] ? ValType.I64 : ValType.I32);
        this.popExpect(at(instr.index2));
        this.popExpect(at(instr.index));
        return;
      case MEMORY_INIT:
        this.popExpect(ValType.I32);
        this.popExpect(ValType.I32);
        this.popExpect(at(instr.index2));
        return;
    }
    throw new Error(`validate: 0x${op.toString(16)} is not a memory instruction`);
  }

  /** table.size, copy and init in a module with a 64-bit table: as memoryOperands, for tables. */
  private tableOperands(op: number, instr: Instr): void {
    switch (op) {
      case TABLE_SIZE_OP:
        this.push(this.tableAddress(instr.index));
        return;
      case TABLE_COPY: {
        const destination = this.tableAddress(instr.index);
        const source = this.tableAddress(instr.index2);
        this.popExpect(destination === ValType.I64 && source === ValType.I64 ? ValType.I64 : ValType.I32);
        this.popExpect(source);
        this.popExpect(destination);
        return;
      }
      case TABLE_INIT:
        this.popExpect(ValType.I32);
        this.popExpect(ValType.I32);
        this.popExpect(this.tableAddress(instr.index2));
        return;
    }
    throw new Error(`validate: 0x${op.toString(16)} is not a table instruction`);
  }

  /** A table's address type: i64 for memory64's 64-bit tables (the table is known to exist). */
  tableAddress(index: number): ValType {
    return this.context.tables[index].address64 === true ? ValType.I64 : ValType.I32;
  }

  /** Lane-index immediates: one (extract/replace_lane, load/store_lane) in `index`, or shuffle's sixteen. */
  private checkLanes(lanes: number, instr: Instr): void {
    const shuffle = instr.v128;
    if (shuffle === null) {
      if (instr.index >= lanes) this.fail('invalid lane index', `${instr.index}, the shape has ${lanes} lanes`);
      return;
    }
    for (let i = 0; i < shuffle.length; i++) {
      if (shuffle[i] >= lanes) this.fail('invalid lane index', `lane ${i} is ${shuffle[i]}, a shuffle picks from ${lanes} lanes`);
    }
  }

  private checkDataIndex(index: number): void {
    const count = this.context.dataCount;
    if (count === null) this.fail('data count section required');
    if (index >= count) this.fail(`unknown data segment ${index}`);
  }

  private checkElemIndex(index: number): ValType {
    const type = this.context.elemTypes[index];
    if (type === undefined) this.fail(`unknown elem segment ${index}`);
    return type;
  }
}

/** What `select` without a type annotation may choose between: a number or a vector (spec 3.3.4), or unknown. */
function selectableUntyped(type: number): boolean {
  return type === UNKNOWN || type === ValType.I32 || type === ValType.I64 || type === ValType.F32 || type === ValType.F64 || type === ValType.V128;
}

// ---- Handlers for context-typed opcodes (spec appendix, "Validation Algorithm") ----

handle(0x00, 'unreachable', (v) => v.markUnreachable());

function enterBlock(v: CodeValidator, opcode: number, instr: Instr): void {
  const type = v.blockType(instr);
  v.popTypes(type.params);
  v.pushCtrl(opcode, type);
}
handle(BLOCK, 'block', (v, instr) => enterBlock(v, BLOCK, instr));
handle(LOOP, 'loop', (v, instr) => enterBlock(v, LOOP, instr));
handle(IF, 'if', (v, instr) => {
  v.popExpect(ValType.I32);
  enterBlock(v, IF, instr);
});
handle(ELSE, 'else', (v) => {
  if (v.currentOpcode() !== IF) v.fail('else without a matching if');
  const type = v.popCtrl();
  v.pushCtrl(ELSE, type);
});
handle(0x0b, 'end', (v) => v.end());

handle(0x0c, 'br', (v, instr) => {
  v.popTypes(v.labelTypes(instr.index));
  v.markUnreachable();
});
handle(0x0d, 'br_if', (v, instr) => {
  const types = v.labelTypes(instr.index);
  v.popExpect(ValType.I32);
  v.popTypes(types);
  v.pushTypes(types);
});
handle(0x0e, 'br_table', (v, instr) => {
  v.popExpect(ValType.I32);
  const defaultTypes = v.labelTypes(instr.index);
  const arity = defaultTypes.length;
  const targets = instr.targets ?? [];
  for (let i = 0; i < targets.length; i++) {
    const types = v.labelTypes(targets[i]);
    if (types.length !== arity) {
      v.fail('type mismatch', `br_table target ${targets[i]} carries ${types.length} value(s), the default target ${instr.index} carries ${arity}`);
    }
    v.peekTypes(types);
  }
  v.popTypes(defaultTypes);
  v.markUnreachable();
});
handle(0x0f, 'return', (v) => {
  v.popTypes(v.functionResults());
  v.markUnreachable();
});

handle(0x10, 'call', (v, instr) => {
  const type = v.funcTypeAt(instr.index);
  v.popTypes(type.params);
  v.pushTypes(type.results);
});
handle(0x11, 'call_indirect', (v, instr) => {
  const elemType = v.tableElemType(instr.index2);
  if (!matches(v.types, elemType, ValType.FuncRef)) v.fail('type mismatch', `call_indirect through table ${instr.index2} of ${typeName(elemType)}, expected funcref`);
  const type = v.typeAt(instr.index);
  v.popExpect(v.tableAddress(instr.index2));
  v.popTypes(type.params);
  v.pushTypes(type.results);
});

// ---- tail calls (3.0) ----------------------------------------------------------
// A tail call is a call then a return: the callee's results must be the
// caller's, and what follows is unreachable. Lowered by emit-tail.ts.

export function tailCallResults(v: CodeValidator, callee: FuncType, what: string): void {
  const results = v.functionResults();
  if (!allMatch(v.types, callee.results, results)) {
    v.fail('type mismatch', `${what} returns ${typeListName(callee.results)}, the calling function returns ${typeListName(results)}`);
  }
}
handle(0x12, 'return_call', (v, instr) => {
  const type = v.funcTypeAt(instr.index);
  tailCallResults(v, type, `function ${instr.index}`);
  v.popTypes(type.params);
  v.markUnreachable();
});
handle(0x13, 'return_call_indirect', (v, instr) => {
  const elemType = v.tableElemType(instr.index2);
  if (!matches(v.types, elemType, ValType.FuncRef)) v.fail('type mismatch', `return_call_indirect through table ${instr.index2} of ${typeName(elemType)}, expected funcref`);
  const type = v.typeAt(instr.index);
  tailCallResults(v, type, `type ${instr.index}`);
  v.popExpect(v.tableAddress(instr.index2));
  v.popTypes(type.params);
  v.markUnreachable();
});

// ---- exception handling (3.0) ----------------------------------------------------
// try_table's catch clauses branch to labels of the enclosing blocks, so
// they are typed before its own frame is pushed. The legacy try has catch
// and catch_all arms, frames of their own (rethrow names them), and
// delegate, which ends a try without an arm. Lowered by emit-exceptions.ts.

/** What catch_ref and catch_all_ref deliver besides the payload: the caught exception, never null (3.0: (ref exn)). */
const CAUGHT = refType(HeapType.Exn, false);
const EXNREF_ONLY: readonly ValType[] = [CAUGHT];

handle(0x08, 'throw', (v, instr) => {
  v.popTypes(v.tagAt(instr.index).params);
  v.markUnreachable();
});
handle(0x0a, 'throw_ref', (v) => {
  v.popExpect(ValType.ExnRef);
  v.markUnreachable();
});
handle(TRY_TABLE, 'try_table', (v, instr) => {
  const clauses = instr.targets ?? [];
  for (let i = 0; i < clauses.length; i += 3) {
    const kind = clauses[i];
    const label = clauses[i + 2];
    // catch: the tag's params; catch_ref: those and the exnref; catch_all_ref: the exnref.
    let delivered: readonly ValType[] = kind <= 1 ? v.tagAt(clauses[i + 1]).params : [];
    if ((kind & 1) !== 0) delivered = delivered.length === 0 ? EXNREF_ONLY : [...delivered, CAUGHT];
    const types = v.labelTypes(label);
    if (!allMatch(v.types, delivered, types)) {
      v.fail('type mismatch', `catch clause ${i / 3} delivers ${typeListName(delivered)} to label ${label}, which takes ${typeListName(types)}`);
    }
  }
  enterBlock(v, TRY_TABLE, instr);
});
handle(TRY, 'try', (v, instr) => enterBlock(v, TRY, instr));
handle(CATCH, 'catch', (v, instr) => {
  const opcode = v.currentOpcode();
  if (opcode !== TRY && opcode !== CATCH) v.fail('catch without a matching try');
  const payload = v.tagAt(instr.index).params;
  v.pushCtrl(CATCH, v.popCtrl(), payload);
});
handle(CATCH_ALL, 'catch_all', (v) => {
  const opcode = v.currentOpcode();
  if (opcode !== TRY && opcode !== CATCH) v.fail('catch_all without a matching try');
  v.pushCtrl(CATCH_ALL, v.popCtrl(), []);
});
handle(0x18, 'delegate', (v, instr) => {
  if (v.currentOpcode() !== TRY) v.fail('delegate without a matching try');
  const type = v.popCtrl();
  // The label is counted from outside the try; the function's own frame
  // stands for the caller.
  v.labelTypes(instr.index);
  v.pushTypes(type.results);
});
handle(0x09, 'rethrow', (v, instr) => {
  v.labelTypes(instr.index);
  const opcode = v.frameOpcode(instr.index);
  if (opcode !== CATCH && opcode !== CATCH_ALL) v.fail('invalid rethrow label', `label ${instr.index} is not a catch or catch_all block`);
  v.markUnreachable();
});

handle(0x1a, 'drop', (v) => {
  v.popAny();
});
handle(0x1b, 'select', (v) => {
  v.popExpect(ValType.I32);
  const first = v.popAny();
  const second = v.popAny();
  // Without a type annotation only number and vector operands may be selected (reference types need `select (result t)`).
  if (!selectableUntyped(first) || !selectableUntyped(second)) {
    v.fail('type mismatch', `select without a type needs number or vector operands, got ${typeName(second)} and ${typeName(first)}`);
  }
  if (first !== second && first !== UNKNOWN && second !== UNKNOWN) {
    v.fail('type mismatch', `select operands differ, ${typeName(second)} and ${typeName(first)}`);
  }
  v.push(first === UNKNOWN ? second : first);
});
handle(0x1c, 'select', (v, instr) => {
  const types = instr.types ?? [];
  if (types.length !== 1) v.fail('invalid result arity', `select must have exactly one result type, got ${typeListName(types)}`);
  const type = types[0];
  v.popExpect(ValType.I32);
  v.popExpect(type);
  v.popExpect(type);
  v.push(type);
});

handle(LOCAL_GET, 'local.get', (v, instr) => v.push(v.localType(instr.index)));
handle(0x21, 'local.set', (v, instr) => {
  v.popExpect(v.localType(instr.index));
  v.setLocal(instr.index);
});
handle(0x22, 'local.tee', (v, instr) => {
  const type = v.localType(instr.index);
  v.popExpect(type);
  v.setLocal(instr.index);
  v.push(type);
});
handle(0x23, 'global.get', (v, instr) => v.push(v.globalAt(instr.index).valType));
handle(0x24, 'global.set', (v, instr) => {
  const global = v.globalAt(instr.index);
  if (!global.mutable) v.fail('global is immutable', `global ${instr.index}`);
  v.popExpect(global.valType);
});

// Table indices were checked with the immediates (Imm.Table).
handle(0x25, 'table.get', (v, instr) => {
  v.popExpect(v.tableAddress(instr.index));
  v.push(v.tableElemType(instr.index));
});
handle(0x26, 'table.set', (v, instr) => {
  v.popExpect(v.tableElemType(instr.index));
  v.popExpect(v.tableAddress(instr.index));
});
handle(0xfc0f, 'table.grow', (v, instr) => {
  v.popExpect(v.tableAddress(instr.index));
  v.popExpect(v.tableElemType(instr.index));
  v.push(v.tableAddress(instr.index));
});
handle(0xfc11, 'table.fill', (v, instr) => {
  v.popExpect(v.tableAddress(instr.index));
  v.popExpect(v.tableElemType(instr.index));
  v.popExpect(v.tableAddress(instr.index));
});

handle(0xd0, 'ref.null', (v, instr) => v.push(refNullType(instr)));
handle(0xd1, 'ref.is_null', (v) => {
  const type = v.popAny();
  if (type !== UNKNOWN && !isRefType(type)) v.fail('type mismatch', `expected a reference, got ${typeName(type)}`);
  v.push(ValType.I32);
});
handle(0xd2, 'ref.func', (v, instr) => {
  const typeIndex = v.funcTypeIndex(instr.index);
  if (!v.isDeclaredRef(instr.index)) {
    v.fail('undeclared function reference', `function ${instr.index} must appear in an element segment, export or global initialiser`);
  }
  v.push(refType(CONCRETE + typeIndex, false));
});

registerReferenceHandlers(handle);
checkEveryOpcodeIsTyped();
