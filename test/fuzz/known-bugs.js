// Fixtures that replay with a divergence today, each with the reason (the
// bug it shows, and where its fix is tracked). test/fuzz.test.ts expects
// them to diverge, and fails once one stops: then the entry goes.
// Like test/spec/known-failures.txt, the list may only shrink on purpose.

/** fixture name -> reason */
export const KNOWN_BUGS = {
  'own-s200-i22-jit':
    'a signalling f64 NaN returned as one of several results comes back quieted (0x7ff4000000000001 stored as ' +
    '0x7ffc000000000001): multi-value results travel in a JS array, and V8 does not keep NaN bits in arrays of doubles',
};
