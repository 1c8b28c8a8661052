;; i32 + memory: a byte sieve of Eratosthenes, then an FNV-1a hash and a
;; word-wise rotate-xor hash over the sieve. Loads, stores, i32 arithmetic and
;; tight loops; no calls. run(n) sieves [0, n), n <= 4 MiB.
(module
  (memory (export "memory") 64)

  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32) (local $hash i32) (local $word i32)
    ;; Mark every number as a candidate, four bytes at a time.
    (local.set $i (i32.const 0))
    (block $done
      (loop $fill
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (local.get $i) (i32.const 0x01010101))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $fill)))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store8 (i32.const 1) (i32.const 0))
    ;; Cross out multiples.
    (local.set $i (i32.const 2))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
        (if (i32.load8_u (local.get $i))
          (then
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (block $inner_done
              (loop $inner
                (br_if $inner_done (i32.ge_u (local.get $j) (local.get $n)))
                (i32.store8 (local.get $j) (i32.const 0))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $inner)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    ;; Count the primes and hash the bytes (FNV-1a, salted with the index).
    (local.set $hash (i32.const 0x811c9dc5))
    (local.set $i (i32.const 0))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))
        (local.set $hash
          (i32.mul
            (i32.xor (local.get $hash)
              (i32.add (i32.load8_u (local.get $i)) (i32.and (local.get $i) (i32.const 0xff))))
            (i32.const 16777619)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    ;; A word-wise pass with 32-bit and signed 16-bit loads. Aligned: wasm2js
    ;; trusts the natural-alignment hint and reads unaligned words wrongly.
    (local.set $i (i32.const 0))
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
        (local.set $word
          (i32.add
            (i32.load offset=4 (local.get $i))
            (i32.load16_s offset=6 (local.get $i))))
        (local.set $hash
          (i32.add (i32.rotl (local.get $hash) (i32.const 5))
                   (i32.xor (local.get $word) (i32.shr_u (local.get $hash) (i32.const 3)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $words)))
    (i32.xor (local.get $hash) (i32.mul (local.get $count) (i32.const 0x9e3779b1))))

  ;; The number of primes below n, read back from the last sieve (a sanity check).
  (func (export "count") (param $n i32) (result i32)
    (local $i i32) (local $count i32)
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (local.get $count)))
