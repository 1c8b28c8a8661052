// Fixtures that replay with a divergence today, each with the reason (the
// bug it shows, and where its fix is tracked). test/fuzz.test.ts expects
// them to diverge, and fails once one stops: then the entry goes.
// Like test/spec/known-failures.txt, the list may only shrink on purpose.
//
// Emptied so far: own-s200-i22-jit (a signalling f64 NaN among several
// results came back quieted), fixed by 2c3507e; own-s20261220-i2324-jit and
// own-s20261220-i3070-jit (a v128 local.set whose value read the same local
// in other lanes wrote the words in turn and read overwritten ones), fixed
// by 8950893; own-s20261222-i7212-jit (a load64_lane over a load32_zero
// dropped the overwritten word's load and its trap) and
// own-s20261222-i484-jit (a v128 load's address, reading a global, was
// moved into a temporary before a pending call that wrote the global),
// fixed with the commit that removed them; own-s20270104-i864-jit (an f64
// global holding a NaN with a payload, which no function assigns, read as
// the canonical NaN once V8 optimized the reading function: V8 folds such
// a variable to a constant), fixed by keeping such globals in a
// Float64Array; own-s20270118-i256-interpreter (tuned for interpreters,
// i64.shl by 32 of i64.extend_i32_u of a constant of 2^31 or more kept bits
// past 64), fixed with the commit that removed it.

/** fixture name -> reason */
export const KNOWN_BUGS = {
};
