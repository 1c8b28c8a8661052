;; memory.grow + bulk memory. Each run(n) grows the memory by 32 pages in
;; eight steps (growth keeps the old contents, so an engine that copies on
;; growth pays for the whole memory each time), then makes n passes over the
;; new 2 MiB region: memory.fill, memory.init from a passive segment, an
;; overlapping memory.copy in each direction and a disjoint one, and a
;; strided checksum. The result depends only on n.
(module
  (memory (export "memory") 1)
  (data $pattern "wasm2es bulk memory pattern: 0123456789abcdefghijklmnopqrstuvwxyz!")

  (func (export "run") (param $n i32) (result i32)
    (local $base i32) (local $size i32) (local $half i32) (local $r i32) (local $acc i32)
    (local $g i32) (local $p i32) (local $pages i32)
    (local.set $pages (memory.size))
    (local.set $base (i32.shl (local.get $pages) (i32.const 16)))
    (block $done
      (loop $grow
        (br_if $done (i32.ge_u (local.get $g) (i32.const 8)))
        (if (i32.ne (memory.grow (i32.const 4))
                    (i32.add (local.get $pages) (i32.shl (local.get $g) (i32.const 2))))
          (then (unreachable)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $grow)))
    (local.set $size (i32.const 0x200000))
    (local.set $half (i32.const 0x100000))
    (block $done
      (loop $pass
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (memory.fill (local.get $base) (i32.add (local.get $r) (i32.const 1)) (local.get $size))
        (memory.init $pattern
          (i32.add (local.get $base) (i32.and (i32.mul (local.get $r) (i32.const 61)) (i32.const 0xffff)))
          (i32.const 0) (i32.const 64))
        ;; overlapping, destination above source (copies backwards)
        (memory.copy (i32.add (local.get $base) (i32.const 1)) (local.get $base) (i32.const 0x10000))
        ;; overlapping, destination below source (copies forwards)
        (memory.copy (i32.add (local.get $base) (i32.const 3)) (i32.add (local.get $base) (i32.const 0x105))
                     (i32.sub (local.get $half) (i32.const 0x105)))
        ;; disjoint halves
        (memory.copy (i32.add (local.get $base) (local.get $half)) (local.get $base) (local.get $half))
        ;; strided checksum over the region (aligned loads: wasm2js trusts the
        ;; alignment hint and reads unaligned words wrongly)
        (local.set $p (i32.and (i32.mul (local.get $r) (i32.const 12)) (i32.const 0xffc)))
        (block $sum_done
          (loop $sum
            (br_if $sum_done (i32.ge_u (local.get $p) (i32.sub (local.get $size) (i32.const 4))))
            (local.set $acc
              (i32.xor (i32.rotl (local.get $acc) (i32.const 5))
                       (i32.load (i32.add (local.get $base) (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4092)))
            (br $sum)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $pass)))
    (i32.add (local.get $acc)
             (i32.sub (memory.size) (local.get $pages)))))
