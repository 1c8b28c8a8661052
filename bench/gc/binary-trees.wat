;; A hand-written WasmGC workload for wasm2es's benchmark (bench/gc): binary
;; trees (structs, nullable references), arrays of i32, i8 and references,
;; i31 references and casts over a small subtype hierarchy, and calls through
;; typed function references. Each phase returns an i32 checksum that
;; bench/workloads/gc.js recomputes in plain JavaScript; run(n) adds them up.
(module
  (type $node (struct (field $left (ref null $node)) (field $right (ref null $node))))
  ;; A shape is an id; its two final subtypes add fields, one of them packed.
  (type $shape (sub (struct (field $id i32))))
  (type $circle (sub final $shape (struct (field $id i32) (field $r i32))))
  (type $rect (sub final $shape (struct (field $id i32) (field $w i16) (field $h i8))))
  (type $i32s (array (mut i32)))
  (type $bytes (array (mut i8)))
  (type $nodes (array (mut (ref null $node))))
  (type $anys (array (mut anyref)))
  (type $unop (func (param i32) (result i32)))
  (type $ops (array (ref $unop)))
  ;; A closure: code and one captured value.
  (type $binop (func (param i32 i32) (result i32)))
  (type $closure (struct (field $code (ref $binop)) (field $env i32)))

  ;; The long-lived tree of the last trees() call.
  (global $longLived (mut (ref null $node)) (ref.null $node))

  (elem declare func $triple $inc $square $mix $addEnv $xorEnv $countDown)

  ;; Phase 1: binary trees.
  (func $make (param $depth i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $depth))
      (then (struct.new_default $node))
      (else
        (struct.new $node
          (call $make (i32.sub (local.get $depth) (i32.const 1)))
          (call $make (i32.sub (local.get $depth) (i32.const 1)))))))

  ;; Nodes in a tree: a leaf's children are both null.
  (func $check (param $tree (ref $node)) (result i32)
    (block $leaf
      (return
        (i32.add
          (i32.add (i32.const 1)
            (call $check (br_on_null $leaf (struct.get $node $left (local.get $tree)))))
          (call $check (ref.as_non_null (struct.get $node $right (local.get $tree)))))))
    (i32.const 1))

  (func $trees (export "trees") (param $n i32) (result i32)
    (local $sum i32) (local $depth i32) (local $i i32) (local $iterations i32)
    (global.set $longLived (call $make (local.get $n)))
    (local.set $sum (call $check (call $make (i32.add (local.get $n) (i32.const 1)))))
    (local.set $depth (i32.const 4))
    (block $depthsDone
      (loop $depths
        (br_if $depthsDone (i32.gt_s (local.get $depth) (local.get $n)))
        (local.set $iterations
          (i32.shl (i32.const 1) (i32.add (i32.sub (local.get $n) (local.get $depth)) (i32.const 4))))
        (local.set $i (i32.const 0))
        (block $treesDone
          (loop $trees
            (br_if $treesDone (i32.ge_s (local.get $i) (local.get $iterations)))
            (local.set $sum (i32.add (local.get $sum) (call $check (call $make (local.get $depth)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $trees)))
        (local.set $depth (i32.add (local.get $depth) (i32.const 2)))
        (br $depths)))
    (i32.add (local.get $sum) (call $check (ref.as_non_null (global.get $longLived)))))

  ;; Phase 2: arrays. i32 arrays made, filled, copied and summed; an i8
  ;; array read signed and unsigned; an array of trees in which every slot
  ;; past the fourth shares the tree four slots back (ref.eq).
  (func $arrays (export "arrays") (param $n i32) (result i32)
    (local $a (ref $i32s)) (local $b (ref $i32s)) (local $bytes (ref $bytes))
    (local $forest (ref $nodes)) (local $i i32) (local $sum i32) (local $round i32)
    (local $tree (ref null $node))
    (local.set $round (i32.const 0))
    (loop $rounds
      (local.set $a (array.new $i32s (local.get $round) (local.get $n)))
      (local.set $i (i32.const 0))
      (loop $fill
        (array.set $i32s (local.get $a) (local.get $i)
          (i32.rem_u (i32.add (i32.mul (local.get $i) (i32.const 7)) (local.get $round)) (i32.const 1000)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
      (local.set $b (array.new_default $i32s (i32.shl (local.get $n) (i32.const 1))))
      (array.fill $i32s (local.get $b) (i32.const 0) (i32.const 3) (local.get $n))
      (array.copy $i32s $i32s (local.get $b) (i32.shr_u (local.get $n) (i32.const 1))
        (local.get $a) (i32.const 0) (local.get $n))
      (local.set $i (i32.const 0))
      (loop $sum
        (local.set $sum (i32.add (local.get $sum) (array.get $i32s (local.get $b) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $sum (i32.lt_u (local.get $i) (array.len (local.get $b)))))
      (local.set $round (i32.add (local.get $round) (i32.const 1)))
      (br_if $rounds (i32.lt_u (local.get $round) (i32.const 4))))
    ;; i8: values -128..127 stored, read back both ways.
    (local.set $bytes (array.new_default $bytes (i32.const 256)))
    (local.set $i (i32.const 0))
    (loop $bytesLoop
      (array.set $bytes (local.get $bytes) (i32.and (local.get $i) (i32.const 255)) (i32.mul (local.get $i) (i32.const 37)))
      (local.set $sum
        (i32.add (local.get $sum)
          (i32.sub
            (array.get_u $bytes (local.get $bytes) (i32.and (local.get $i) (i32.const 255)))
            (array.get_s $bytes (local.get $bytes) (i32.and (i32.add (local.get $i) (i32.const 128)) (i32.const 255))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $bytesLoop (i32.lt_u (local.get $i) (i32.shr_u (local.get $n) (i32.const 2)))))
    ;; A forest of small trees, half of them shared.
    (local.set $forest (array.new_default $nodes (i32.const 64)))
    (local.set $i (i32.const 0))
    (loop $plant
      (array.set $nodes (local.get $forest) (local.get $i)
        (if (result (ref null $node)) (i32.lt_u (local.get $i) (i32.const 4))
          (then (call $make (local.get $i)))
          (else
            (if (result (ref null $node)) (i32.and (local.get $i) (i32.const 1))
              (then (array.get $nodes (local.get $forest) (i32.sub (local.get $i) (i32.const 4))))
              (else (ref.null $node))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $plant (i32.lt_u (local.get $i) (array.len (local.get $forest)))))
    (local.set $i (i32.const 0))
    (loop $walk
      (local.set $tree (array.get $nodes (local.get $forest) (i32.and (local.get $i) (i32.const 63))))
      (block $empty
        (local.set $sum
          (i32.add (local.get $sum) (call $check (br_on_null $empty (local.get $tree)))))
        (if (i32.ge_u (i32.and (local.get $i) (i32.const 63)) (i32.const 4))
          (then
            (if (ref.eq (local.get $tree)
                  (array.get $nodes (local.get $forest) (i32.sub (i32.and (local.get $i) (i32.const 63)) (i32.const 4))))
              (then (local.set $sum (i32.add (local.get $sum) (i32.const 100))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $walk (i32.lt_u (local.get $i) (local.get $n))))
    ;; array.new_fixed and array.len.
    (i32.add (local.get $sum)
      (array.len (array.new_fixed $i32s 3 (i32.const 1) (i32.const 2) (i32.const 3)))))

  ;; Phase 3: i31 references and casts. An anyref array holds i31s, circles
  ;; and rects in turn; each element is told apart by br_on_cast, ref.test,
  ;; ref.cast and br_on_cast_fail.
  (func $casts (export "casts") (param $n i32) (result i32)
    (local $items (ref $anys)) (local $i i32) (local $sum i32) (local $item anyref) (local $value i32)
    (local.set $items (array.new_default $anys (local.get $n)))
    (local.set $i (i32.const 0))
    (loop $fill
      (array.set $anys (local.get $items) (local.get $i)
        (if (result anyref) (i32.eqz (i32.rem_u (local.get $i) (i32.const 3)))
          (then (ref.i31 (i32.sub (local.get $i) (i32.const 1000))))
          (else
            (if (result anyref) (i32.eq (i32.rem_u (local.get $i) (i32.const 3)) (i32.const 1))
              (then (struct.new $circle (local.get $i) (i32.rem_u (local.get $i) (i32.const 10))))
              (else (struct.new $rect (local.get $i)
                      (i32.sub (i32.rem_u (local.get $i) (i32.const 70000)) (i32.const 30000))
                      (i32.sub (i32.rem_u (local.get $i) (i32.const 50)) (i32.const 25))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $dispatch
      (local.set $item (array.get $anys (local.get $items) (local.get $i)))
      (local.set $value
        (block $done (result i32)
          (block $isCircle (result (ref $circle))
            (block $isI31 (result (ref i31))
              (local.get $item)
              (br_on_cast $isI31 anyref (ref i31))
              (br_on_cast $isCircle anyref (ref $circle))
              drop
              ;; Neither: a rect, read through its supertype first.
              (if (i32.eqz (ref.test (ref $rect) (local.get $item))) (then unreachable))
              (br $done
                (i32.add
                  (struct.get $shape $id (ref.cast (ref $shape) (local.get $item)))
                  (i32.add
                    (struct.get_s $rect $w (ref.cast (ref $rect) (local.get $item)))
                    (i32.mul (i32.const 3)
                      (i32.add
                        (struct.get_s $rect $h (ref.cast (ref $rect) (local.get $item)))
                        (struct.get_u $rect $h (ref.cast (ref $rect) (local.get $item)))))))))
            ;; An i31: signed and unsigned views of the same 31 bits.
            (local.set $item)
            (br $done
              (i32.xor
                (i31.get_s (ref.cast (ref i31) (local.get $item)))
                (i32.shr_u (i31.get_u (ref.cast (ref i31) (local.get $item))) (i32.const 3)))))
          (struct.get $circle $r)
          (local.set $value)
          (i32.mul (local.get $value) (local.get $value))))
      (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 31)) (local.get $value)))
      ;; br_on_cast_fail: every non-circle counts one.
      (block $notCircle (result anyref)
        (drop (br_on_cast_fail $notCircle anyref (ref $circle) (local.get $item)))
        (ref.null any))
      (if (i32.eqz (ref.is_null)) (then (local.set $sum (i32.add (local.get $sum) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $dispatch (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum))

  ;; Phase 4: calls through typed function references: call_ref through an
  ;; array of (ref $unop), closures (struct of code and environment), and a
  ;; tail-recursive countdown by return_call_ref.
  (func $triple (type $unop) (i32.add (i32.mul (local.get 0) (i32.const 3)) (i32.const 1)))
  (func $inc (type $unop) (i32.add (local.get 0) (i32.const 7)))
  (func $square (type $unop) (i32.mul (local.get 0) (local.get 0)))
  (func $mix (type $unop) (i32.xor (local.get 0) (i32.shr_u (local.get 0) (i32.const 5))))
  (func $addEnv (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $xorEnv (type $binop) (i32.xor (local.get 0) (local.get 1)))
  (func $countDown (type $binop)
    (if (result i32) (i32.eqz (local.get 1))
      (then (local.get 0))
      (else
        (return_call_ref $binop
          (i32.add (local.get 0) (local.get 1))
          (i32.sub (local.get 1) (i32.const 1))
          (ref.func $countDown)))))

  (func $calls (export "calls") (param $n i32) (result i32)
    (local $ops (ref $ops)) (local $closures (ref $anys)) (local $closure (ref $closure))
    (local $i i32) (local $acc i32) (local $sum i32)
    (local.set $ops (array.new_fixed $ops 4 (ref.func $triple) (ref.func $inc) (ref.func $square) (ref.func $mix)))
    (local.set $closures (array.new_default $anys (i32.const 8)))
    (local.set $acc (i32.const 1))
    (loop $call
      ;; Fresh closures every 64 calls, capturing the index.
      (if (i32.eqz (i32.and (local.get $i) (i32.const 63)))
        (then
          (array.set $anys (local.get $closures) (i32.const 0) (struct.new $closure (ref.func $addEnv) (local.get $i)))
          (array.set $anys (local.get $closures) (i32.const 1) (struct.new $closure (ref.func $xorEnv) (local.get $i)))))
      (local.set $acc
        (i32.and
          (call_ref $unop (local.get $acc) (array.get $ops (local.get $ops) (i32.and (local.get $i) (i32.const 3))))
          (i32.const 0xffff)))
      (local.set $closure (ref.cast (ref $closure)
        (array.get $anys (local.get $closures) (i32.and (i32.shr_u (local.get $i) (i32.const 2)) (i32.const 1)))))
      (local.set $acc
        (i32.and
          (call_ref $binop (local.get $acc) (struct.get $closure $env (local.get $closure)) (struct.get $closure $code (local.get $closure)))
          (i32.const 0xffff)))
      (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 31)) (local.get $acc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $call (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $sum)
      (call_ref $binop (i32.const 0) (i32.and (local.get $n) (i32.const 1023)) (ref.func $countDown))))

  ;; All phases; `n` is the trees' depth, the other phases get 2^(n+4) items.
  (func (export "run") (param $n i32) (result i32)
    (local $k i32)
    (local.set $k (i32.shl (i32.const 1) (i32.add (local.get $n) (i32.const 4))))
    (i32.add
      (i32.add (call $trees (local.get $n)) (call $arrays (local.get $k)))
      (i32.add (call $casts (local.get $k)) (call $calls (local.get $k))))))
