;; f64: the n-body simulation of the Computer Language Benchmarks Game (Sun
;; and the four gas giants). f64 loads and stores, mul/add/div/sqrt, nested
;; loops. Body b lives at b * 64: x y z vx vy vz mass (f64 each).
;; run(n) resets the system, advances it n steps of 0.01 and returns the energy.
(module
  (memory (export "memory") 1)
  (global $solar_mass f64 (f64.const 39.47841760435743))  ;; 4 * pi^2
  (global $days_per_year f64 (f64.const 365.24))

  (func $set_body (param $b i32) (param $x f64) (param $y f64) (param $z f64)
                  (param $vx f64) (param $vy f64) (param $vz f64) (param $mass f64)
    (local $p i32)
    (local.set $p (i32.shl (local.get $b) (i32.const 6)))
    (f64.store offset=0 (local.get $p) (local.get $x))
    (f64.store offset=8 (local.get $p) (local.get $y))
    (f64.store offset=16 (local.get $p) (local.get $z))
    (f64.store offset=24 (local.get $p) (f64.mul (local.get $vx) (global.get $days_per_year)))
    (f64.store offset=32 (local.get $p) (f64.mul (local.get $vy) (global.get $days_per_year)))
    (f64.store offset=40 (local.get $p) (f64.mul (local.get $vz) (global.get $days_per_year)))
    (f64.store offset=48 (local.get $p) (f64.mul (local.get $mass) (global.get $solar_mass))))

  (func $init
    (local $p i32) (local $px f64) (local $py f64) (local $pz f64) (local $m f64)
    (call $set_body (i32.const 0) (f64.const 0) (f64.const 0) (f64.const 0)
      (f64.const 0) (f64.const 0) (f64.const 0) (f64.const 1))
    (call $set_body (i32.const 1)
      (f64.const 4.84143144246472090e+00) (f64.const -1.16032004402742839e+00) (f64.const -1.03622044471123109e-01)
      (f64.const 1.66007664274403694e-03) (f64.const 7.69901118419740425e-03) (f64.const -6.90460016972063023e-05)
      (f64.const 9.54791938424326609e-04))
    (call $set_body (i32.const 2)
      (f64.const 8.34336671824457987e+00) (f64.const 4.12479856412430479e+00) (f64.const -4.03523417114321381e-01)
      (f64.const -2.76742510726862411e-03) (f64.const 4.99852801234917238e-03) (f64.const 2.30417297573763929e-05)
      (f64.const 2.85885980666130812e-04))
    (call $set_body (i32.const 3)
      (f64.const 1.28943695621391310e+01) (f64.const -1.51111514016986312e+01) (f64.const -2.23307578892655734e-01)
      (f64.const 2.96460137564761618e-03) (f64.const 2.37847173959480950e-03) (f64.const -2.96589568540237556e-05)
      (f64.const 4.36624404335156298e-05))
    (call $set_body (i32.const 4)
      (f64.const 1.53796971148509165e+01) (f64.const -2.59193146099879641e+01) (f64.const 1.79258772950371181e-01)
      (f64.const 2.68067772490389322e-03) (f64.const 1.62824170038242295e-03) (f64.const -9.51592254519715870e-05)
      (f64.const 5.15138902046611451e-05))
    ;; Offset the Sun's momentum so the system's total is zero.
    (block $done
      (loop $bodies
        (br_if $done (i32.ge_u (local.get $p) (i32.const 320)))
        (local.set $m (f64.load offset=48 (local.get $p)))
        (local.set $px (f64.add (local.get $px) (f64.mul (f64.load offset=24 (local.get $p)) (local.get $m))))
        (local.set $py (f64.add (local.get $py) (f64.mul (f64.load offset=32 (local.get $p)) (local.get $m))))
        (local.set $pz (f64.add (local.get $pz) (f64.mul (f64.load offset=40 (local.get $p)) (local.get $m))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $bodies)))
    (f64.store offset=24 (i32.const 0) (f64.div (f64.neg (local.get $px)) (global.get $solar_mass)))
    (f64.store offset=32 (i32.const 0) (f64.div (f64.neg (local.get $py)) (global.get $solar_mass)))
    (f64.store offset=40 (i32.const 0) (f64.div (f64.neg (local.get $pz)) (global.get $solar_mass))))

  (func $advance (param $dt f64)
    (local $i i32) (local $j i32)
    (local $dx f64) (local $dy f64) (local $dz f64) (local $d2 f64) (local $mag f64)
    (local $mi f64) (local $mj f64)
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (i32.const 320)))
        (local.set $mi (f64.load offset=48 (local.get $i)))
        (local.set $j (i32.add (local.get $i) (i32.const 64)))
        (block $inner_done
          (loop $inner
            (br_if $inner_done (i32.ge_u (local.get $j) (i32.const 320)))
            (local.set $dx (f64.sub (f64.load offset=0 (local.get $i)) (f64.load offset=0 (local.get $j))))
            (local.set $dy (f64.sub (f64.load offset=8 (local.get $i)) (f64.load offset=8 (local.get $j))))
            (local.set $dz (f64.sub (f64.load offset=16 (local.get $i)) (f64.load offset=16 (local.get $j))))
            (local.set $d2 (f64.add (f64.add (f64.mul (local.get $dx) (local.get $dx))
                                             (f64.mul (local.get $dy) (local.get $dy)))
                                    (f64.mul (local.get $dz) (local.get $dz))))
            (local.set $mag (f64.div (local.get $dt) (f64.mul (local.get $d2) (f64.sqrt (local.get $d2)))))
            (local.set $mj (f64.mul (f64.load offset=48 (local.get $j)) (local.get $mag)))
            (f64.store offset=24 (local.get $i) (f64.sub (f64.load offset=24 (local.get $i)) (f64.mul (local.get $dx) (local.get $mj))))
            (f64.store offset=32 (local.get $i) (f64.sub (f64.load offset=32 (local.get $i)) (f64.mul (local.get $dy) (local.get $mj))))
            (f64.store offset=40 (local.get $i) (f64.sub (f64.load offset=40 (local.get $i)) (f64.mul (local.get $dz) (local.get $mj))))
            (local.set $mag (f64.mul (local.get $mi) (local.get $mag)))
            (f64.store offset=24 (local.get $j) (f64.add (f64.load offset=24 (local.get $j)) (f64.mul (local.get $dx) (local.get $mag))))
            (f64.store offset=32 (local.get $j) (f64.add (f64.load offset=32 (local.get $j)) (f64.mul (local.get $dy) (local.get $mag))))
            (f64.store offset=40 (local.get $j) (f64.add (f64.load offset=40 (local.get $j)) (f64.mul (local.get $dz) (local.get $mag))))
            (local.set $j (i32.add (local.get $j) (i32.const 64)))
            (br $inner)))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $outer)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $move
        (br_if $done (i32.ge_u (local.get $i) (i32.const 320)))
        (f64.store offset=0 (local.get $i) (f64.add (f64.load offset=0 (local.get $i)) (f64.mul (local.get $dt) (f64.load offset=24 (local.get $i)))))
        (f64.store offset=8 (local.get $i) (f64.add (f64.load offset=8 (local.get $i)) (f64.mul (local.get $dt) (f64.load offset=32 (local.get $i)))))
        (f64.store offset=16 (local.get $i) (f64.add (f64.load offset=16 (local.get $i)) (f64.mul (local.get $dt) (f64.load offset=40 (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $move))))

  (func $energy (result f64)
    (local $i i32) (local $j i32) (local $e f64) (local $mi f64)
    (local $dx f64) (local $dy f64) (local $dz f64) (local $vx f64) (local $vy f64) (local $vz f64)
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (i32.const 320)))
        (local.set $mi (f64.load offset=48 (local.get $i)))
        (local.set $vx (f64.load offset=24 (local.get $i)))
        (local.set $vy (f64.load offset=32 (local.get $i)))
        (local.set $vz (f64.load offset=40 (local.get $i)))
        (local.set $e (f64.add (local.get $e)
          (f64.mul (f64.mul (f64.const 0.5) (local.get $mi))
            (f64.add (f64.add (f64.mul (local.get $vx) (local.get $vx)) (f64.mul (local.get $vy) (local.get $vy)))
                     (f64.mul (local.get $vz) (local.get $vz))))))
        (local.set $j (i32.add (local.get $i) (i32.const 64)))
        (block $inner_done
          (loop $inner
            (br_if $inner_done (i32.ge_u (local.get $j) (i32.const 320)))
            (local.set $dx (f64.sub (f64.load offset=0 (local.get $i)) (f64.load offset=0 (local.get $j))))
            (local.set $dy (f64.sub (f64.load offset=8 (local.get $i)) (f64.load offset=8 (local.get $j))))
            (local.set $dz (f64.sub (f64.load offset=16 (local.get $i)) (f64.load offset=16 (local.get $j))))
            (local.set $e (f64.sub (local.get $e)
              (f64.div (f64.mul (local.get $mi) (f64.load offset=48 (local.get $j)))
                (f64.sqrt (f64.add (f64.add (f64.mul (local.get $dx) (local.get $dx)) (f64.mul (local.get $dy) (local.get $dy)))
                                   (f64.mul (local.get $dz) (local.get $dz)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 64)))
            (br $inner)))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $outer)))
    (local.get $e))

  (func (export "run") (param $n i32) (result f64)
    (local $step i32)
    (call $init)
    (block $done
      (loop $steps
        (br_if $done (i32.ge_u (local.get $step) (local.get $n)))
        (call $advance (f64.const 0.01))
        (local.set $step (i32.add (local.get $step) (i32.const 1)))
        (br $steps)))
    (call $energy)))
