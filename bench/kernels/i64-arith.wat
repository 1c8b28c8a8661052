;; i64-heavy arithmetic: an xorshift64* generator feeding two modular
;; accumulators (a polynomial hash mod 2^61-1 built from 32x32 partial
;; products, and a mul-mod by a 31-bit prime), plus rotates, divisions and
;; comparisons. The export takes and returns i32 only: i64 stays inside, so
;; every implementation (wasm2js legalizes i64 at the boundary) runs the same
;; code.
(module
  (func $mulmod61 (param $a i64) (param $b i64) (result i64)
    ;; (a * b) mod (2^61 - 1) for a, b < 2^61, via 32-bit halves.
    (local $alo i64) (local $ahi i64) (local $blo i64) (local $bhi i64)
    (local $mid i64) (local $lo i64) (local $r i64)
    (local.set $alo (i64.and (local.get $a) (i64.const 0xffffffff)))
    (local.set $ahi (i64.shr_u (local.get $a) (i64.const 32)))
    (local.set $blo (i64.and (local.get $b) (i64.const 0xffffffff)))
    (local.set $bhi (i64.shr_u (local.get $b) (i64.const 32)))
    ;; a*b = ahi*bhi*2^64 + (ahi*blo + alo*bhi)*2^32 + alo*blo
    ;; 2^64 = 8 (mod 2^61-1); 2^32 * x = (x >> 29) + ((x & (2^29-1)) << 32)
    (local.set $mid (i64.add (i64.mul (local.get $ahi) (local.get $blo))
                             (i64.mul (local.get $alo) (local.get $bhi))))
    (local.set $lo (i64.mul (local.get $alo) (local.get $blo)))
    (local.set $r
      (i64.add
        (i64.add
          (i64.shl (i64.mul (local.get $ahi) (local.get $bhi)) (i64.const 3))
          (i64.add (i64.shr_u (local.get $mid) (i64.const 29))
                   (i64.shl (i64.and (local.get $mid) (i64.const 0x1fffffff)) (i64.const 32))))
        (i64.add (i64.shr_u (local.get $lo) (i64.const 61))
                 (i64.and (local.get $lo) (i64.const 0x1fffffffffffffff)))))
    (local.set $r (i64.add (i64.and (local.get $r) (i64.const 0x1fffffffffffffff))
                           (i64.shr_u (local.get $r) (i64.const 61))))
    (if (result i64) (i64.ge_u (local.get $r) (i64.const 0x1fffffffffffffff))
      (then (i64.sub (local.get $r) (i64.const 0x1fffffffffffffff)))
      (else (local.get $r))))

  (func (export "run") (param $n i32) (result i32)
    (local $x i64) (local $r i64) (local $poly i64) (local $prod i64)
    (local $mix i64) (local $i i32)
    (local.set $x (i64.xor (i64.const 0x9E3779B97F4A7C15) (i64.extend_i32_u (local.get $n))))
    (local.set $prod (i64.const 1))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; xorshift64*
        (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 12))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 25))))
        (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 27))))
        (local.set $r (i64.mul (local.get $x) (i64.const 0x2545F4914F6CDD1D)))
        ;; polynomial hash mod 2^61-1
        (local.set $poly
          (call $mulmod61
            (i64.add (local.get $poly) (i64.shr_u (local.get $r) (i64.const 4)))
            (i64.const 0x1000000000000193)))
        ;; mul-mod by a 31-bit prime (the product fits in 62 bits)
        (local.set $prod
          (i64.rem_u
            (i64.mul (local.get $prod) (i64.or (i64.and (local.get $r) (i64.const 0x7fffffff)) (i64.const 1)))
            (i64.const 2147483647)))
        ;; signed division, rotates and a data-dependent comparison
        (local.set $mix
          (i64.add
            (i64.rotl (local.get $mix) (i64.const 7))
            (i64.div_s (local.get $r) (i64.or (i64.shr_u (local.get $x) (i64.const 40)) (i64.const 1)))))
        (if (i64.lt_s (local.get $r) (local.get $mix))
          (then (local.set $mix (i64.xor (local.get $mix) (i64.rotr (local.get $r) (i64.const 19))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $step)))
    (local.set $r (i64.xor (i64.xor (local.get $poly) (local.get $prod)) (i64.xor (local.get $mix) (local.get $x))))
    (i32.xor (i32.wrap_i64 (local.get $r)) (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32))))))
