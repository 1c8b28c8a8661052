;; Calls: an interpreter-style dispatch loop through a function table
;; (call_indirect over eight handlers of one signature, plus one of another
;; signature reached through a second slot range), direct calls to small
;; non-leaf helpers, and a recursive Fibonacci. run(n) dispatches n times.
(module
  (type $binop (func (param i32 i32) (result i32)))
  (type $unop (func (param i32) (result i32)))
  (table 10 funcref)
  (elem (i32.const 0) $op_add $op_sub $op_mul $op_xor $op_rotl $op_mix $op_shift $op_avg $un_swap $un_hash)

  (func $op_add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $op_sub (type $binop) (i32.sub (local.get 0) (i32.mul (local.get 1) (i32.const 3))))
  (func $op_mul (type $binop) (i32.mul (local.get 0) (i32.or (local.get 1) (i32.const 1))))
  (func $op_xor (type $binop) (i32.xor (local.get 0) (i32.shl (local.get 1) (i32.const 7))))
  (func $op_rotl (type $binop) (i32.rotl (local.get 0) (local.get 1)))
  (func $op_mix (type $binop) (call $mix (local.get 0) (local.get 1)))
  (func $op_shift (type $binop) (i32.add (i32.shr_s (local.get 0) (i32.const 3)) (local.get 1)))
  (func $op_avg (type $binop)
    (i32.add (i32.and (local.get 0) (local.get 1))
             (i32.shr_u (i32.xor (local.get 0) (local.get 1)) (i32.const 1))))
  (func $un_swap (type $unop)
    (i32.or (i32.shl (local.get 0) (i32.const 16)) (i32.shr_u (local.get 0) (i32.const 16))))
  (func $un_hash (type $unop)
    (i32.mul (i32.xor (local.get 0) (i32.shr_u (local.get 0) (i32.const 15))) (i32.const 0x2c1b3c6d)))

  (func $mix (param $a i32) (param $b i32) (result i32)
    (i32.xor (call $scramble (local.get $a)) (local.get $b)))
  (func $scramble (param $x i32) (result i32)
    (local.set $x (i32.mul (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 16))) (i32.const 0x45d9f3b)))
    (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 16))))

  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  (func (export "run") (param $n i32) (result i32)
    (local $acc i32) (local $i i32)
    (local.set $acc (i32.const 1))
    (block $done
      (loop $dispatch
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (call_indirect (type $binop)
            (local.get $acc) (local.get $i)
            (i32.and (i32.xor (i32.shr_u (local.get $acc) (i32.const 7)) (local.get $i)) (i32.const 7))))
        (if (i32.eqz (i32.and (local.get $i) (i32.const 15)))
          (then
            (local.set $acc
              (call_indirect (type $unop) (local.get $acc)
                (i32.add (i32.const 8) (i32.and (i32.shr_u (local.get $i) (i32.const 4)) (i32.const 1)))))))
        (local.set $acc (call $mix (local.get $acc) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $dispatch)))
    (i32.add (local.get $acc) (call $fib (i32.const 22)))))
