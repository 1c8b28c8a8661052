// The validator's rules, one spec rule per test where we can: modules are
// assembled from text by wabt (whose own validation is never run, so invalid
// modules get through), decoded, then validated. The few modules wabt will
// not assemble are built by editing a decoded module's IR.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { decode } from '../compiler/decode.js';
import type { Module } from '../compiler/ir.js';
import { decodeValidated, validate } from '../compiler/validate.js';
import { CompileError } from '../runtime/errors.js';

const wabt = await wabtInit();
const FEATURES = { multi_memory: true, multi_value: true, bulk_memory: true, reference_types: true, sign_extension: true, sat_float_to_int: true };

function assemble(wat: string): Uint8Array {
  const module = wabt.parseWat('test.wat', wat, FEATURES);
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** `wat` is a module body, or a whole `(module ...)`. */
function parse(wat: string): Module {
  return decode(assemble(wat.trimStart().startsWith('(module') ? wat : `(module ${wat})`));
}

function errorOf(run: () => void): Error {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CompileError);
    return error as Error;
  }
  throw new Error('expected a CompileError, but validation passed');
}

const expectValid = (wat: string) => expect(() => validate(parse(wat))).not.toThrow();
const expectInvalid = (wat: string, message: RegExp) => expect(errorOf(() => validate(parse(wat))).message).toMatch(message);
/** For modules wabt will not assemble: decode a valid one, then break its IR. */
const expectInvalidAfter = (wat: string, edit: (module: Module) => void, message: RegExp) => {
  const module = parse(wat);
  edit(module);
  expect(errorOf(() => validate(module)).message).toMatch(message);
};

describe('error messages', () => {
  it('name the problem, the instruction, the types, the byte offset and the function', () => {
    const message = errorOf(() => validate(parse('(func (result i32) (i32.add (i32.const 1) (f64.const 2)))'))).message;
    expect(message).toMatch(/^type mismatch in i32\.add: expected i32, got f64 \(at 0x[0-9a-f]+, code section, function 0\)$/);
  });

  it('point at the failing instruction', () => {
    const bytes = assemble('(module (func (drop (i32.add (i32.const 1) (f64.const 2)))))');
    const message = errorOf(() => validate(decode(bytes))).message;
    const offset = parseInt(/at 0x([0-9a-f]+)/.exec(message)![1], 16);
    expect(bytes[offset]).toBe(0x6a); // i32.add
  });

  it('number functions in the full index space, imports first', () => {
    expectInvalid('(import "m" "f" (func)) (import "m" "g" (func)) (func) (func (i32.const 0))', /function 3\)$/);
  });

  it('say which section an error outside code is in', () => {
    expectInvalid('(func) (export "a" (func 0)) (export "a" (func 0))', /^duplicate export name "a" \(at 0x[0-9a-f]+, export section, export 1\)$/);
  });
});

describe('operand stack typing', () => {
  it('accepts well-typed numeric code of every value type', () => {
    expectValid(`(func (param i32 i64 f32 f64) (result f64)
      (drop (i32.add (local.get 0) (i32.wrap_i64 (local.get 1))))
      (drop (f32.mul (local.get 2) (f32.demote_f64 (local.get 3))))
      (drop (i64.extend8_s (local.get 1)))
      (drop (i32.trunc_sat_f64_u (local.get 3)))
      (f64.add (local.get 3) (f64.promote_f32 (local.get 2))))`);
  });

  it('rejects an operand of the wrong type', () => {
    expectInvalid('(func (drop (i32.eqz (i64.const 0))))', /^type mismatch in i32\.eqz: expected i32, got i64/);
  });

  it('rejects a missing operand', () => {
    expectInvalid('(func (drop (i32.add (i32.const 0))))', /^type mismatch in i32\.add: expected i32, got nothing/);
  });

  it('rejects values left on the stack at the end of a function', () => {
    expectInvalid('(func (i32.const 1))', /^type mismatch in end: .*extra value/);
  });

  it('rejects a missing function result', () => {
    expectInvalid('(func (result i32))', /^type mismatch in end: expected i32, got nothing/);
  });

  it('does not let a block read values from outside it', () => {
    expectInvalid('(func (i32.const 1) (block (drop)))', /^type mismatch in drop/);
  });

  it('types drop with any value', () => {
    expectValid('(func (drop (f64.const 0)) (drop (ref.null extern)))');
  });
});

describe('the polymorphic stack after unreachable, br, br_table and return', () => {
  it('accepts any operands after unreachable', () => {
    expectValid('(func (result i32) (unreachable) (i32.add) (i64.const 0) (drop))');
  });

  it('still checks the concrete operands that follow', () => {
    expectInvalid('(func (result i32) (unreachable) (i64.const 0) (i32.add))', /^type mismatch in i32\.add: expected i32, got i64/);
    expectInvalid('(func (unreachable) (i32.const 0))', /^type mismatch in end/);
  });

  it('applies after br, br_table and return too', () => {
    expectValid('(func (result i32) (block (br 0) (i32.add) (drop)) (i32.const 0))');
    expectValid('(func (result i32) (block (br_table 0 (i32.const 0)) (f32.add) (drop)) (i32.const 0))');
    expectValid('(func (result f32) (return (f32.const 0)) (f32.neg))');
  });

  it('keeps select typed by its known operand', () => {
    expectInvalid('(func (result i32) (unreachable) (i64.const 0) (i32.const 0) (select))', /^type mismatch in end: expected i32, got i64/);
  });

  it('ends at the end of the block', () => {
    expectInvalid('(func (block (unreachable)) (i32.add) (drop))', /^type mismatch in i32\.add/);
  });
});

describe('blocks, loops and if', () => {
  it('types block results and params (multi-value)', () => {
    expectValid(`(type $pair (func (param i32 i64) (result i64 i32)))
      (func (result i64 i32) (i32.const 1) (i64.const 2) (block (type $pair) (param i32 i64) (result i64 i32) (drop) (drop) (i64.const 3) (i32.const 4)))`);
  });

  it('rejects a block whose body does not produce its results', () => {
    expectInvalid('(func (result i32) (block (result i32) (i64.const 0)))', /^type mismatch in end: expected i32, got i64/);
  });

  it('rejects a block whose params are not on the stack', () => {
    expectInvalid('(func (block (param i32) (drop)))', /^type mismatch in block: expected i32, got nothing/);
  });

  it('types a branch to a loop with the loop params', () => {
    expectValid('(func (result i32) (i32.const 0) (loop (param i32) (result i32) (br 0)))');
    expectInvalid('(func (param f32) (result i32) (i32.const 0) (loop (param i32) (result i32) (drop) (br 0 (local.get 0))))', /^type mismatch in br: expected i32, got f32/);
  });

  it('needs an i32 condition for if', () => {
    expectInvalid('(func (if (f32.const 0) (then)))', /^type mismatch in if: expected i32, got f32/);
  });

  it('checks both arms of if', () => {
    expectValid('(func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)) (else (i32.const 2))))');
    expectInvalid('(func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)) (else (f32.const 2))))', /^type mismatch in end: expected i32, got f32/);
    expectInvalid('(func (result i32) (if (result i32) (i32.const 1) (then (f32.const 1)) (else (i32.const 2))))', /^type mismatch in else: expected i32, got f32/);
  });

  it('requires if without else to pass its params through as its results', () => {
    expectValid('(func (result i32) (i32.const 1) (if (param i32) (result i32) (i32.const 1) (then)))');
    expectInvalid('(func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1))))', /^type mismatch in end: if without else/);
  });
});

describe('branches', () => {
  it('rejects an unknown label', () => {
    expectInvalid('(func (block (br 2)))', /^unknown label 2 in br/);
    expectInvalid('(func (br_if 1 (i32.const 0)))', /^unknown label 1 in br_if/);
    expectInvalid('(func (block (br_table 0 3 (i32.const 0))))', /^unknown label 3 in br_table/);
  });

  it('types br_if as passing its values through', () => {
    expectValid('(func (result i32) (block (result i32) (br_if 0 (i32.const 1) (i32.const 0))))');
    expectInvalid('(func (result i32) (block (result i32) (br_if 0 (f32.const 1) (i32.const 0))))', /^type mismatch in br_if: expected i32, got f32/);
  });

  it('requires br_table targets to agree in arity', () => {
    expectInvalid(
      '(func (block (result i32) (block (br_table 0 1 (i32.const 0) (i32.const 0)))) (drop))',
      /^type mismatch in br_table/,
    );
  });

  it('accepts br_table targets of the same arity but different types in unreachable code', () => {
    expectValid('(func (block (result f32) (block (result i32) (unreachable) (br_table 0 1)) (drop) (f32.const 0)) (drop))');
  });

  it('rejects br_table targets of different types when the operand is concrete', () => {
    expectInvalid(
      '(func (block (result f32) (block (result i32) (br_table 0 1 (i32.const 0) (i32.const 0))) (drop) (f32.const 0)) (drop))',
      /^type mismatch in br_table: expected f32, got i32/,
    );
  });

  it('treats the function body as the outermost label', () => {
    expectValid('(func (result i32) (br 0 (i32.const 1)))');
    expectInvalid('(func (result i32) (br 0 (i64.const 1)))', /^type mismatch in br: expected i32, got i64/);
  });

  it('types return with the function results', () => {
    expectInvalid('(func (result i64) (return (i32.const 0)))', /^type mismatch in return: expected i64, got i32/);
  });
});

describe('select', () => {
  it('selects between two numbers of the same type', () => {
    expectValid('(func (result f64) (select (f64.const 1) (f64.const 2) (i32.const 0)))');
    expectInvalid('(func (result i32) (select (i32.const 1) (i64.const 2) (i32.const 0)))', /^type mismatch in select/);
  });

  it('needs a type annotation for references', () => {
    expectInvalid('(func (result funcref) (select (ref.null func) (ref.null func) (i32.const 0)))', /^type mismatch in select: select without a type/);
    expectValid('(func (result funcref) (select (result funcref) (ref.null func) (ref.null func) (i32.const 0)))');
  });

  it('has exactly one type when typed', () => {
    expectInvalidAfter(
      '(func (result i32) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))',
      (module) => { module.funcs[0].body.find((instr) => instr.op === 0x1c)!.types = []; },
      /^invalid result arity in select/,
    );
  });
});

describe('locals and globals', () => {
  it('rejects an unknown local', () => {
    expectInvalid('(func (param i32) (local f32) (drop (local.get 2)))', /^unknown local 2 in local\.get/);
  });

  it('types locals after the params', () => {
    expectValid('(func (param i32) (local f32 i64) (local.set 1 (f32.const 0)) (local.set 2 (i64.const 0)) (drop (local.tee 0 (i32.const 0))))');
    expectInvalid('(func (param i32) (local f32) (local.set 1 (i32.const 0)))', /^type mismatch in local\.set: expected f32, got i32/);
  });

  it('rejects an unknown global', () => {
    expectInvalid('(global i32 (i32.const 0)) (func (drop (global.get 1)))', /^unknown global 1 in global\.get/);
  });

  it('only sets mutable globals', () => {
    expectValid('(global (mut i32) (i32.const 0)) (func (global.set 0 (i32.const 1)))');
    expectInvalid('(global i32 (i32.const 0)) (func (global.set 0 (i32.const 1)))', /^global is immutable in global\.set/);
  });
});

describe('calls', () => {
  it('types a call with the callee signature', () => {
    expectValid('(func $f (param i32 f32) (result i64) (i64.const 0)) (func (result i64) (call $f (i32.const 0) (f32.const 0)))');
    expectInvalid('(func $f (param i32)) (func (call $f (i64.const 0)))', /^type mismatch in call: expected i32, got i64/);
  });

  it('rejects an unknown function', () => {
    expectInvalid('(func (call 5))', /^unknown function 5 in call/);
    expectInvalidAfter('(func $f (drop (ref.func $f))) (elem declare func $f)', (module) => {
      module.funcs[0].body.find((instr) => instr.op === 0xd2)!.index = 9;
    }, /^unknown function 9 in ref\.func/);
  });

  it('needs a funcref table and a known type for call_indirect', () => {
    expectValid('(type $t (func (param i32))) (table 1 funcref) (func (call_indirect (type $t) (i32.const 0) (i32.const 0)))');
    expectInvalid('(type $t (func)) (func (call_indirect (type $t) (i32.const 0)))', /^unknown table 0 in call_indirect/);
    expectInvalid('(type $t (func)) (table 1 externref) (func (call_indirect (type $t) (i32.const 0)))', /^type mismatch in call_indirect/);
    expectInvalidAfter(
      '(type $t (func)) (table 1 funcref) (func (call_indirect (type $t) (i32.const 0)))',
      (module) => { module.funcs[0].body.find((instr) => instr.op === 0x11)!.index = 7; },
      /^unknown type 7 in call_indirect/,
    );
  });
});

describe('memory instructions', () => {
  it('need a memory', () => {
    expectInvalid('(func (drop (i32.load (i32.const 0))))', /^unknown memory 0 in i32\.load/);
    expectInvalid('(func (drop (memory.size)))', /^unknown memory 0 in memory\.size/);
    expectInvalid('(func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))', /^unknown memory 0 in memory\.fill/);
  });

  it('limit alignment to the natural alignment', () => {
    expectValid('(memory 1) (func (drop (i64.load align=8 (i32.const 0))) (i32.store16 align=1 (i32.const 0) (i32.const 0)))');
    expectInvalid('(memory 1) (func (drop (i32.load8_u align=2 (i32.const 0))))', /^alignment must not be larger than natural in i32\.load8_u/);
    expectInvalid('(memory 1) (func (i64.store32 align=8 (i32.const 0) (i64.const 0)))', /^alignment must not be larger than natural in i64\.store32/);
  });

  it('type loads and stores', () => {
    expectInvalid('(memory 1) (func (f32.store (i32.const 0) (f64.const 0)))', /^type mismatch in f32\.store: expected f32, got f64/);
    expectInvalid('(memory 1) (func (drop (i32.load (i64.const 0))))', /^type mismatch in i32\.load: expected i32, got i64/);
  });
});

describe('bulk memory', () => {
  it('checks memory.init and data.drop against the data count', () => {
    expectValid('(memory 1) (data "a") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1)) (data.drop 0))');
    expectInvalid('(memory 1) (data "a") (func (data.drop 1))', /^unknown data segment 1 in data\.drop/);
    expectInvalid('(memory 1) (data "a") (func (memory.init 1 (i32.const 0) (i32.const 0) (i32.const 0)))', /^unknown data segment 1 in memory\.init/);
    expectInvalid('(data "a") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))', /^unknown memory 0 in memory\.init/);
  });

  it('requires the data count section for memory.init and data.drop', () => {
    expectInvalidAfter('(memory 1) (data "a") (func (data.drop 0))', (module) => { module.dataCount = null; }, /^data count section required in data\.drop/);
  });

  it('types memory.copy and memory.fill', () => {
    expectValid('(memory 1) (func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0)) (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))');
    expectInvalid('(memory 1) (func (memory.copy (i32.const 0) (i32.const 0) (i64.const 0)))', /^type mismatch in memory\.copy: expected i32, got i64/);
  });
});

describe('tables and references', () => {
  it('types table.get, table.set, table.size, table.grow and table.fill with the element type', () => {
    expectValid(`(table $t 1 externref) (func (param externref)
      (table.set $t (i32.const 0) (table.get $t (i32.const 0)))
      (drop (table.grow $t (local.get 0) (i32.const 1)))
      (table.fill $t (i32.const 0) (local.get 0) (drop (table.size $t)) (i32.const 1)))`);
    expectInvalid('(table 1 externref) (func (table.set 0 (i32.const 0) (ref.null func)))', /^type mismatch in table\.set: expected externref, got funcref/);
  });

  it('rejects an unknown table', () => {
    expectInvalid('(func (drop (table.size 0)))', /^unknown table 0 in table\.size/);
    expectInvalid('(table 1 funcref) (func (drop (table.get 1 (i32.const 0))))', /^unknown table 1 in table\.get/);
  });

  it('checks table.init and elem.drop against element segments', () => {
    expectValid('(table 1 funcref) (elem func 0) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 1)) (elem.drop 0))');
    expectInvalid('(table 1 funcref) (func (elem.drop 0))', /^unknown elem segment 0 in elem\.drop/);
    expectInvalid('(func (table.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))', /^unknown table 0 in table\.init/);
    expectInvalid('(table 1 externref) (elem func 0) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))', /^type mismatch in table\.init/);
  });

  it('requires table.copy between tables of one element type', () => {
    expectValid('(table 1 funcref) (table 1 funcref) (func (table.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0)))');
    expectInvalid('(table 1 funcref) (table 1 externref) (func (table.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0)))', /^type mismatch in table\.copy/);
  });

  it('types ref.null and ref.is_null', () => {
    expectValid('(func (result i32) (ref.is_null (ref.null extern)))');
    expectInvalid('(func (result i32) (ref.is_null (i32.const 0)))', /^type mismatch in ref\.is_null/);
  });

  it('allows ref.func only for declared functions', () => {
    expectInvalid('(func $f (drop (ref.func $f)))', /^undeclared function reference in ref\.func/);
    expectValid('(func $f (drop (ref.func $f))) (elem declare func $f)');
    expectValid('(func $f (drop (ref.func $f))) (export "f" (func $f))');
    expectValid('(func $f (drop (ref.func $f))) (global funcref (ref.func $f))');
    expectValid('(table 1 funcref) (func $f (drop (ref.func $f))) (elem (i32.const 0) $f)');
  });

  it('does not count the start function as a declaration', () => {
    expectInvalid('(start $f) (func $f (drop (ref.func $f)))', /^undeclared function reference/);
  });
});

describe('module structure', () => {
  it('limits memory to 65536 pages', () => {
    expectValid('(memory 0 65536)');
    expectInvalid('(memory 65537)', /^memory size must be at most 65536 pages \(4GiB\)/);
    expectInvalid('(memory 0 65537)', /^memory size must be at most 65536 pages \(4GiB\)/);
    expectInvalid('(import "m" "mem" (memory 70000))', /^memory size must be at most 65536 pages \(4GiB\): the minimum is 70000 \(at 0x[0-9a-f]+, import section/);
  });

  it('points limit and start errors at the offending field', () => {
    expectInvalid('(memory 65537)', /^memory size must be at most 65536 pages \(4GiB\): the minimum is 65537 \(at 0xc, memory section, memory 0\)$/);
    expectInvalid('(memory 0 65537)', /: the maximum is 65537 \(at 0xd, memory section, memory 0\)$/);
    expectInvalid('(table 2 1 funcref)', /^size minimum must not be greater than maximum \(2 > 1\) \(at 0xe, table section, table 0\)$/);
    expectInvalid('(func) (start 1)', /^unknown function 1 \(at 0x14, start section\)$/);
    expectInvalid('(func (param i32)) (start 0)', /^start function must have type \[\] -> \[\], function 0 has \[i32\] -> \[\] \(at 0x15, start section\)$/);
  });

  it('requires limits min <= max', () => {
    expectInvalid('(memory 2 1)', /^size minimum must not be greater than maximum/);
    expectInvalid('(table 2 1 funcref)', /^size minimum must not be greater than maximum/);
    expectInvalid('(import "m" "t" (table 10 9 externref))', /^size minimum must not be greater than maximum/);
  });

  it('allows up to 100 memories, imports included (3.0 multi-memory; the JS API limit)', () => {
    expectValid('(memory 0) (memory 0)');
    expectValid('(import "m" "mem" (memory 1)) (memory 0)');
    expectValid('(import "m" "a" (memory 1)) (import "m" "b" (memory 1))');
    expectValid('(memory 0)'.repeat(100));
    expectInvalid('(memory 0)'.repeat(101), /^too many memories: more than 100.*memory section, memory 100\)$/);
    expectInvalid('(import "m" "a" (memory 1))'.repeat(50) + '(memory 0)'.repeat(51), /^too many memories.*memory section, memory 100\)$/);
    expectInvalid('(memory 1) (func (drop (i32.load 1 (i32.const 0))))', /^unknown memory 1/);
    expectInvalid('(memory 1) (func (drop (memory.size 1)))', /^unknown memory 1/);
    expectInvalid('(memory 1) (func (memory.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0)))', /^unknown memory 1/);
  });

  it('rejects shared memories, naming the threads proposal', () => {
    expectInvalidAfter('(memory 1 2)', (module) => { module.memories[0].shared = true; }, /^shared memories are not supported.*threads/);
    expectInvalidAfter('(memory 1)', (module) => { module.memories[0].shared = true; }, /^shared memory must have maximum/);
  });

  it('checks function type indices', () => {
    expectInvalidAfter('(func)', (module) => { module.funcTypeIndices[0] = 3; }, /^unknown type 3 \(at 0x[0-9a-f]+, function section type of function 0/);
    expectInvalidAfter('(import "m" "f" (func))', (module) => { (module.imports[0].desc as { typeIndex: number }).typeIndex = 1; }, /^unknown type 1 \(at 0x[0-9a-f]+, import section/);
  });

  it('requires the start function to have type [] -> []', () => {
    expectValid('(func $main) (start $main)');
    expectInvalid('(func $main (result i32) (i32.const 0)) (start $main)', /^start function must have type \[\] -> \[\]/);
    expectInvalid('(func $main (param i32)) (start $main)', /^start function/);
    expectInvalidAfter('(func $main) (start $main)', (module) => { module.start = 1; }, /^unknown function 1 \(at 0x[0-9a-f]+, start section\)/);
  });

  it('requires unique export names and known exported entities', () => {
    expectValid('(func) (memory 1) (export "a" (func 0)) (export "b" (func 0)) (export "c" (memory 0))');
    expectInvalid('(func) (global i32 (i32.const 0)) (export "a" (func 0)) (export "a" (global 0))', /^duplicate export name "a"/);
    expectInvalidAfter('(func) (export "f" (func 0))', (module) => { module.exports[0].index = 7; }, /^unknown function 7 \(at 0x[0-9a-f]+, export section/);
    expectInvalidAfter('(memory 1) (export "m" (memory 0))', (module) => { module.exports[0].index = 1; }, /^unknown memory 1/);
    expectInvalidAfter('(table 1 funcref) (export "t" (table 0))', (module) => { module.exports[0].index = 1; }, /^unknown table 1/);
    expectInvalidAfter('(global i32 (i32.const 0)) (export "g" (global 0))', (module) => { module.exports[0].index = 1; }, /^unknown global 1/);
  });
});

describe('constant expressions', () => {
  it('accept constants, ref.null, ref.func and imported immutable globals', () => {
    expectValid(`(import "m" "g" (global $g i32)) (func $f)
      (global i64 (i64.const 1)) (global f32 (f32.const 1)) (global f64 (f64.const 1))
      (global funcref (ref.null func)) (global funcref (ref.func $f)) (global externref (ref.null extern))
      (global i32 (global.get $g))`);
  });

  it('reject any other instruction', () => {
    expectInvalid('(global i32 (i32.div_s (i32.const 1) (i32.const 2)))', /^constant expression required: i32\.div_s is not a constant instruction \(at 0x[0-9a-f]+, global section, global 0\)/);
    expectInvalid('(global i32 (nop) (i32.const 0))', /^constant expression required/);
  });

  it('take extended constants (3.0): i32/i64 add, sub and mul over operands of their type', () => {
    expect(() => validate(parse('(global i32 (i32.mul (i32.add (i32.const 1) (i32.const 2)) (i32.sub (i32.const 3) (i32.const 4))))'))).not.toThrow();
    expect(() => validate(parse('(import "m" "g" (global i64)) (global i64 (i64.mul (global.get 0) (i64.const 3)))'))).not.toThrow();
    expectInvalid('(global i32 (i32.add (i32.const 1) (i64.const 2)))', /^type mismatch in constant expression: i32\.add expects two i32, got i32, i64 \(at 0x/);
    expectInvalid('(global i64 (i64.mul (i64.const 1)))', /^type mismatch in constant expression: i64\.mul expects two i64, got i64/);
    expectInvalid('(global i64 (i64.const 1) (i64.const 2) (i64.add) (i64.const 3))', /^type mismatch in constant expression: expected i64, got 2 values/);
    expectInvalid('(global i32 (i64.add (i64.const 1) (i64.const 2)))', /^type mismatch in constant expression: expected i32, got i64/);
  });

  it('only read immutable globals declared before them (3.0: defined ones too)', () => {
    expectInvalid('(import "m" "g" (global (mut i32))) (global i32 (global.get 0))', /^constant expression required: global\.get 0 reads a mutable global/);
    expectValid('(global i32 (i32.const 0)) (global i32 (global.get 0))');
    expectValid('(table 1 funcref) (func) (global i32 (i32.const 0)) (elem (global.get 0) 0)');
    expectInvalid('(global i32 (global.get 0))', /^unknown global 0/);
    expectInvalid('(global i32 (global.get 1)) (global i32 (i32.const 0))', /^unknown global 1/);
  });

  it('must produce exactly one value of the expected type', () => {
    expectInvalid('(global i32 (i64.const 0))', /^type mismatch in constant expression: expected i32, got i64/);
    expectInvalid('(global i32)', /^type mismatch in constant expression: expected i32, got nothing/);
    expectInvalid('(global i32 (i32.const 0) (i32.const 0))', /^type mismatch in constant expression: expected i32, got 2 values/);
    expectInvalid('(global funcref (ref.null extern))', /^type mismatch/);
  });

  it('check ref.func indices', () => {
    expectInvalidAfter('(func) (global funcref (ref.func 0))', (module) => { module.globals[0].init.instrs[0].index = 4; }, /^unknown function 4/);
  });
});

describe('element and data segments', () => {
  it('accept active, passive and declarative element segments', () => {
    expectValid(`(table 2 funcref) (table 1 externref) (func $f)
      (elem (i32.const 0) $f) (elem (table 1) (i32.const 0) externref (ref.null extern))
      (elem funcref (ref.func $f) (ref.null func)) (elem declare func $f)`);
  });

  it('need a table of their element type', () => {
    expectInvalid('(func $f) (elem (i32.const 0) $f)', /^unknown table 0 \(at 0x[0-9a-f]+, element section, segment 0\)/);
    expectInvalid('(table 1 externref) (func $f) (elem (table 0) (i32.const 0) func $f)', /^type mismatch/);
  });

  it('need i32 constant offsets', () => {
    expectInvalid('(table 1 funcref) (func $f) (elem (i64.const 0) $f)', /^type mismatch in constant expression: expected i32, got i64/);
    expectInvalid('(table 1 funcref) (func $f) (elem (offset (i32.const 0) (i32.const 0)) $f)', /^type mismatch/);
    expectInvalid('(memory 1) (data (f32.const 0) "a")', /^type mismatch in constant expression: expected i32, got f32/);
    expectInvalid('(memory 1) (data (i32.ctz (i32.const 0)) "a")', /^constant expression required/);
  });

  it('need element expressions of the element type', () => {
    expectInvalid('(table 1 funcref) (elem (i32.const 0) funcref (ref.null extern))', /^type mismatch/);
  });

  it('need a memory for active data segments', () => {
    expectValid('(data "passive needs no memory")');
    expectInvalid('(data (i32.const 0) "a")', /^unknown memory 0 \(at 0x[0-9a-f]+, data section, segment 0\)/);
  });
});

describe('real modules', () => {
  it('accepts SQLite (sql.js) quickly', () => {
    const require = createRequire(import.meta.url);
    const bytes = readFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'));
    const module = decode(new Uint8Array(bytes));
    const start = performance.now();
    validate(module);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe('decodeValidated: decode and validate in one pass', () => {
  /** The message of the first error, or null: what a path reports for `bytes`. */
  const outcome = (run: () => unknown): string | null => {
    try {
      run();
      return null;
    } catch (error) {
      expect(error, String(error)).toBeInstanceOf(CompileError);
      return (error as Error).message;
    }
  };
  const bases = [
    `(module (memory 1) (table 2 funcref) (global $g (mut i32) (i32.const 1))
      (elem (i32.const 0) $a $b) (data (i32.const 8) "hello")
      (func $a (param i32) (result i32) (i32.add (local.get 0) (global.get $g)))
      (func $b (param i32) (result i32) (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0)))
      (func (export "c") (param i64 f32) (result f64)
        (block (result f64) (f64.promote_f32 (local.get 1)) (br_if 0 (i64.eqz (local.get 0))) (drop) (f64.const 2)))
      (func (export "m") (i32.store8 offset=3 (i32.const 0) (i32.load16_u (i32.const 4))) (memory.fill (i32.const 0) (i32.const 1) (i32.const 2))))`,
    `(module (type $t (func (param i32) (result i32))) (import "e" "f" (func $f (type $t)))
      (func $x (export "x") (type $t) (loop (result i32) (br_table 0 1 0 (local.get 0)) (i32.const 1)))
      (func (result i32) (ref.func $x) (ref.is_null) (select (i32.const 1) (i32.const 2) (i32.const 0)) (call $f))
      (start 2))`,
  ].map(assemble);

  it('agrees with decode then validate on every one of 3,000 mutants, error for error', () => {
    let seed = 20261202;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    let rejected = 0;
    for (let n = 0; n < 3000; n++) {
      const bytes = bases[n % bases.length].slice();
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = 8 + Math.floor(random() * (bytes.length - 8));
        bytes[at] = random() < 0.5 ? bytes[at] ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256);
      }
      const separate = outcome(() => validate(decode(bytes)));
      expect(outcome(() => decodeValidated(bytes)), `mutant ${n}`).toBe(separate);
      if (separate !== null) rejected++;
    }
    // Most mutants break something; the comparison must have had errors to compare.
    expect(rejected).toBeGreaterThan(1500);
  });

  it('reports a malformed byte after an invalid body, and an invalid segment before it, as separate passes do', () => {
    const invalidBody = assemble('(module (func (result i32) (i64.const 1)) (data "x"))');
    expect(outcome(() => decodeValidated(invalidBody))).toMatch(/type mismatch/);
    const malformedLater = invalidBody.slice(0, -1); // the data section ends early
    expect(outcome(() => decodeValidated(malformedLater))).toMatch(/^length out of bounds/);
    expect(outcome(() => decodeValidated(malformedLater))).toBe(outcome(() => validate(decode(malformedLater))));
    const badData = assemble('(module (func (result i32) (i64.const 1)) (data (i64.const 0) "x") (memory 1))');
    expect(outcome(() => decodeValidated(badData))).toBe(outcome(() => validate(decode(badData))));
    expect(outcome(() => decodeValidated(badData))).not.toMatch(/function 0/);
  });

  it('keeps no instructions: each read of a body decodes it again, equal to decode()', () => {
    const module = decodeValidated(bases[0]);
    const plain = decode(bases[0]);
    for (let i = 0; i < plain.funcs.length; i++) {
      const first = module.funcs[i].body;
      expect(first).toEqual(plain.funcs[i].body);
      expect(module.funcs[i].body).not.toBe(first);
    }
  });
});
