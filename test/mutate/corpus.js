// The valid modules the mutation fuzzer starts from: the committed fixtures,
// the C benchmarks' .wasm files and the GC benchmark's (MoonBit), the benchmark kernels assembled from text,
// and modules written here to reach every section and every immediate kind,
// exception handling in both its encodings included.
// Loaded in a fixed order, so a seed picks the same base on any machine
// with the same files. The engine's WebAssembly.validate is the judge of
// which fixtures are valid (threads.wasm is: wasm2es refuses it as unsupported).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Each section and each kind of immediate at least once; wabt also writes
// the name section (write_debug_names).
const BUILT = {
  'every-section.wat': `(module
    (type $pair (func (param i32 i64) (result i64 i32)))
    (type $void (func))
    (import "env" "print" (func $print (param i32)))
    (import "env" "table" (table 2 10 funcref))
    (import "env" "g" (global $imported i32))
    (import "env" "gm" (global $importedMut (mut f64)))
    (func $swap (type $pair) (local.get 1) (i32.add (local.get 0) (i32.wrap_i64 (local.get 1))))
    (func $start (type $void) (call $print (global.get $imported)))
    (table $refs 3 externref)
    (memory $mem 1 2)
    (global $counter (mut i32) (i32.const 7))
    (global $fref funcref (ref.func $swap))
    (global $f32 f32 (f32.const -0x1.8p3))
    (global $i64 i64 (i64.const -9223372036854775808))
    (export "swap" (func $swap))
    (export "mem" (memory $mem))
    (export "counter" (global $counter))
    (export "refs" (table $refs))
    (start $start)
    (elem (i32.const 0) $swap $start)
    (elem $passive funcref (ref.func $swap) (ref.null func))
    (elem declare func $start)
    (data (i32.const 16) "hello, world")
    (data $bytes "\\00\\01\\02\\ff")
    (func (export "bulk") (param $n i32)
      (memory.init $bytes (i32.const 0) (i32.const 0) (i32.const 4))
      (data.drop $bytes)
      (memory.copy (i32.const 8) (i32.const 0) (local.get $n))
      (memory.fill (i32.const 0) (i32.const 255) (i32.const 2))
      (table.init 0 $passive (i32.const 0) (i32.const 0) (i32.const 1))
      (elem.drop $passive)
      (table.copy 0 0 (i32.const 1) (i32.const 0) (i32.const 1))
      (drop (table.grow $refs (ref.null extern) (i32.const 1)))
      (table.fill $refs (i32.const 0) (ref.null extern) (i32.const 1))
      (drop (table.size $refs))
      (drop (memory.grow (memory.size)))))`,
  // Exception handling, legacy encoding (Node 20's V8 judges it): tags imported, defined, exported,
  // try with catch, catch_all, delegate and rethrow.
  'exceptions-legacy.wat': `(module
    (type $pair (func (param i32 i64)))
    (import "env" "tag" (tag $imported (param i32)))
    (import "env" "throw" (func $host (param i32)))
    (tag $empty)
    (tag $values (type $pair))
    (export "values" (tag $values))
    (func (export "catching") (param $x i32) (result i32) (local $acc i64)
      (try $outer (result i32)
        (do
          (try $inner
            (do
              (try (do (call $host (local.get $x))) (delegate $outer))
              (throw $values (local.get $x) (i64.const -1)))
            (catch $values
              (local.set $acc)
              (drop)
              (rethrow $inner))
            (catch $imported (drop))
            (catch_all (throw $empty)))
          (i32.wrap_i64 (local.get $acc)))
        (catch $empty (i32.const 7))
        (catch_all (i32.const -1)))))`,
  // Exception handling, final encoding (try_table, throw_ref, exnref), which Node 20's V8 does not
  // have: mutants wasm2es compiles and V8 rejects are '3.0 only' there, judged by V8 from Node 24 on.
  'exceptions.wat': `(module
    (import "env" "tag" (tag $imported (param externref)))
    (tag $pair (param i32 f64))
    (tag $empty)
    (export "pair" (tag $pair))
    (table $caught 2 exnref)
    (global $last (mut exnref) (ref.null exn))
    (func $throws (param $x i32)
      (if (local.get $x) (then (throw $pair (local.get $x) (f64.const 0.5))))
      (throw $empty))
    (func (export "catching") (param $x i32) (result i32) (local $e exnref)
      (block $all (result exnref)
        (block $pair (result i32 f64 exnref)
          (block $empty
            (block $other (result externref)
              (try_table (catch_all_ref $all) (catch_ref $pair $pair) (catch $empty $empty) (catch $imported $other)
                (call $throws (local.get $x)))
              (return (i32.const 0)))
            (return (i32.const 1)))
          (return (i32.const 2)))
        (local.set $e) (drop) (drop) (local.get $e))
      (local.set $e)
      (global.set $last (local.get $e))
      (table.set $caught (i32.const 1) (local.get $e))
      (block $done (try_table (catch_all $done) (throw_ref (table.get $caught (i32.const 1)))))
      (i32.const 3))
    (func (export "again") (param $e exnref) (result exnref)
      (if (ref.is_null (local.get $e)) (then (throw_ref (global.get $last))))
      (local.get $e)))`,
  'control.wat': `(module
    (type $binary (func (param i32 i32) (result i32)))
    (type $twoOut (func (result i32 i32)))
    (table 4 funcref)
    (memory 1)
    (elem (i32.const 0) $add $sub)
    (func $add (type $binary) (i32.add (local.get 0) (local.get 1)))
    (func $sub (type $binary) (i32.sub (local.get 0) (local.get 1)))
    (func (export "dispatch") (param $op i32) (param $x i32) (result i32) (local $acc i64) (local $f f32) (local $d f64)
      (drop (block $value (result i32) (br_table $value $value (i32.const 9) (local.get $op))))
      (block $done
        (block $b1
          (block $b0
            (br_table $b0 $b1 $done (local.get $op)))
          (return (call_indirect (type $binary) (local.get $x) (i32.const 1) (i32.const 0))))
        (loop $loop
          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_s (local.get $x))))
          (br_if $loop (i32.eqz (i32.wrap_i64 (i64.rem_u (local.get $acc) (i64.const 3)))))))
      (if (result i32) (i64.gt_s (local.get $acc) (i64.const 100))
        (then (i32.trunc_sat_f64_s (local.get $d)))
        (else (i32.extend8_s (local.get $x)))))
    (func (export "blocks") (param i32) (result i32)
      (block (type $twoOut) (i32.const 1) (i32.const 2))
      (select (result i32) (local.get 0))
      (select (i32.const 3) (i32.const 4) (local.get 0))
      (i32.add))
    (func (export "memory") (param $p i32) (result f64)
      (i32.store8 offset=3 (local.get $p) (i32.const 255))
      (i64.store32 align=2 (local.get $p) (i64.load16_u offset=1 (local.get $p)))
      (f32.store (local.get $p) (f32.demote_f64 (f64.const nan:0x4000000000001)))
      (f64.promote_f32 (f32.load (local.get $p))))
    (func (export "refs") (result i32)
      (ref.is_null (ref.func $add)))
    (func (export "unreachable") (result i64)
      (unreachable) (i64.popcnt)))`,
};

/**
 * @param {{ wabt?: any, large?: boolean }} options `wabt`: an initialised
 *   wabt module, for the modules written as text (they are left out without
 *   it); `large`: include the C benchmarks (10-55 KB, 0.1-0.5 s per compile).
 * @returns {{ name: string, bytes: Uint8Array }[]}
 */
export function loadCorpus({ wabt, large = true } = {}) {
  const corpus = [];
  const files = (dir, extension) => {
    const path = join(ROOT, dir);
    if (!existsSync(path)) return [];
    return readdirSync(path).filter((name) => name.endsWith(extension)).sort().map((name) => join(dir, name));
  };
  // Only the valid fixtures: a mutant of garbage.wasm tells nothing new.
  for (const file of files('fixtures', '.wasm')) {
    const bytes = new Uint8Array(readFileSync(join(ROOT, file)));
    if (WebAssembly.validate(bytes)) corpus.push({ name: file, bytes });
  }
  if (large) {
    for (const file of files('bench/c', '.wasm')) corpus.push({ name: file, bytes: new Uint8Array(readFileSync(join(ROOT, file))) });
    // GC (3.0): MoonBit's output, recursive groups, subtypes, structs, arrays, casts, call_ref.
    for (const file of files('bench/gc', '.wasm')) corpus.push({ name: file, bytes: new Uint8Array(readFileSync(join(ROOT, file))) });
  }
  if (wabt !== undefined) {
    const assemble = (name, text) => {
      const features = { multi_value: true, bulk_memory: true, reference_types: true, sign_extension: true, sat_float_to_int: true, mutable_globals: true, exceptions: true };
      const module = wabt.parseWat(name, text, features);
      try {
        module.resolveNames();
        module.validate();
        return new Uint8Array(module.toBinary({ write_debug_names: true }).buffer);
      } finally {
        module.destroy();
      }
    };
    for (const file of files('bench/kernels', '.wat')) corpus.push({ name: file, bytes: assemble(file, readFileSync(join(ROOT, file), 'utf8')) });
    for (const [name, text] of Object.entries(BUILT)) corpus.push({ name: `built/${name}`, bytes: assemble(name, text) });
  }
  return corpus;
}
