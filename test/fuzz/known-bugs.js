// Fixtures that replay with a divergence today, each with the reason (the
// bug it shows, and where its fix is tracked). test/fuzz.test.ts expects
// them to diverge, and fails once one stops: then the entry goes.
// Like test/spec/known-failures.txt, the list may only shrink on purpose.
//
// Emptied so far: own-s200-i22-jit (a signalling f64 NaN among several
// results came back quieted), fixed by 2c3507e.

const V128_SET_ALIASING =
  'SIMD emitter: a v128 local.set/local.tee whose value reads the same local in other lanes ' +
  '(narrow, extend, extmul, shuffle, ...) writes its i32 words one by one and reads words already ' +
  'overwritten, e.g. (local.set $v (i16x8.extend_low_i8x16_u (local.get $v))); found by the SIMD fuzzer, ' +
  'seed 20261220, not fixed yet';

/** fixture name -> reason */
export const KNOWN_BUGS = {
  'own-s20261220-i2324-jit': V128_SET_ALIASING,
  'own-s20261220-i3070-jit': V128_SET_ALIASING,
};
