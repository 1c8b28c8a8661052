// Fixtures that replay with a divergence today, each with the reason (the
// bug it shows, and where its fix is tracked). test/fuzz.test.ts expects
// them to diverge, and fails once one stops: then the entry goes.
// Like test/spec/known-failures.txt, the list may only shrink on purpose.
//
// Emptied so far: own-s200-i22-jit (a signalling f64 NaN among several
// results came back quieted), fixed by 2c3507e; own-s20261220-i2324-jit and
// own-s20261220-i3070-jit (a v128 local.set whose value read the same local
// in other lanes wrote the words in turn and read overwritten ones), fixed
// with the commit that removed them.

/** fixture name -> reason */
export const KNOWN_BUGS = {
  'own-s20261222-i7212-jit':
    'SIMD emitter, since 2998613: v128.load32_zero whose loaded word a v128.load64_lane 0 overwrites is dropped, ' +
    'and with it the out-of-bounds trap, e.g. (v128.load64_lane 0 (i32.const 0) (v128.load32_zero (i32.const 100000))) ' +
    'returns where V8 traps; found by the SIMD fuzzer, seed 20261222, not fixed yet',
  'own-s20261222-i484-jit':
    'not diagnosed yet (SIMD fuzzer, seed 20261222, also before 2998613): call 0 logs i16x8.extract_lane_s 6 of a ' +
    'v128.load8x8_u as 0 where V8 reads 248 (deep stacks of pending v128s across calls); reduced to 1,178 bytes',
};
