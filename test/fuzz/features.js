// The wasm features a fuzz run may use, by the names binaryen gives them.
// A generator receives the list and turns it into its own switches (wasm-opt
// flags for -ttf, instruction choices for ours). The 3.0 proposals plug in
// here: add an entry, and the run accepts the name once wasm2es supports it.
//
// Relaxed SIMD has no entry: wasm2es compiles it, but Node 20's V8 validates
// it only behind --experimental-wasm-relaxed-simd, and its results are the
// hardware's choice, which no differential comparison can hold to one answer.

/**
 * name -> { ttf: the wasm-opt flag that enables it, supported: whether
 * wasm2es implements it (unsupported features are rejected up front rather
 * than fuzzed into a wall of "not supported" compile errors), optIn: a
 * feature wasm2es is being taught, which `--features` may name though it is
 * not supported yet, so that its "not supported" count measures the work
 * left, and which stays out of the default until it is supported,
 * requires: features it cannot go without, added with it }.
 */
export const FEATURES = {
  'sign-ext': { ttf: '--enable-sign-ext', supported: true },
  'mutable-globals': { ttf: '--enable-mutable-globals', supported: true },
  'nontrapping-float-to-int': { ttf: '--enable-nontrapping-float-to-int', supported: true },
  'bulk-memory': { ttf: '--enable-bulk-memory', supported: true },
  'reference-types': { ttf: '--enable-reference-types', supported: true },
  multivalue: { ttf: '--enable-multivalue', supported: true },
  simd: { ttf: '--enable-simd', supported: true },
  'tail-call': { ttf: '--enable-tail-call', supported: true },
  // binaryen 132's -ttf writes the legacy try and the final try_table,
  // throw_ref and exnref side by side, nearly always both. Node 20's V8 has
  // only the legacy encoding: modules with the final one are counted as
  // beyond native there (execute.js), and compared under Node 24 with
  // --experimental-wasm-exnref (README.md).
  'exception-handling': { ttf: '--enable-exception-handling', supported: true },
  threads: { ttf: '--enable-threads', supported: false },
  memory64: { ttf: '--enable-memory64', supported: true },
  // Node 20's V8 (11.3) has no multi-memory, not even behind a flag, but
  // binaryen 132's -ttf writes at most one memory with the flag on too (300
  // modules checked), so V8 runs what it writes. Several memories are held
  // to the spec by proposals/multi-memory and test/multi-memory.test.ts.
  multimemory: { ttf: '--enable-multimemory', supported: true },
  'extended-const': { ttf: '--enable-extended-const', supported: true },
  // GC with typed function references (binaryen has no separate flag for the latter any more:
  // --enable-typed-function-references is a deprecated no-op, and -gc brings them). -ttf aborts
  // on --enable-gc without --enable-reference-types. Opt-in (`--features default,gc`): Node
  // 20's V8 cannot run it (under Node 20 these modules are beyond native, configs.js), so the
  // default run keeps comparing everything else there; fuzz it under Node 24 (README.md).
  // Every second -ttf module then has it (ttf.js).
  gc: { ttf: '--enable-gc', supported: true, optIn: true, requires: ['reference-types'] },
};

/** WebAssembly 2.0, SIMD included, and the 3.0 proposals wasm2es implements, but the opt-in ones: the default. */
export const DEFAULT_FEATURES = Object.keys(FEATURES).filter((name) => FEATURES[name].supported && !FEATURES[name].optIn);

/** Features `--features` names to fuzz them: gc, which only Node 24's V8 runs natively. */
export const OPT_IN_FEATURES = Object.keys(FEATURES).filter((name) => FEATURES[name].optIn);

/**
 * Parses `--features a,b,c` ("default" stands for DEFAULT_FEATURES, "mvp" for
 * none, and "-name" takes a feature out again: `default,-simd`). A feature
 * brings the ones it requires (`mvp,gc` is gc with reference-types).
 * @returns {string[]}
 */
export function parseFeatures(text, { allowUnsupported = false } = {}) {
  const names = new Set();
  for (const name of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    if (name === 'default') DEFAULT_FEATURES.forEach((feature) => names.add(feature));
    else if (name === 'mvp') continue;
    else if (name.startsWith('-') && name.slice(1) in FEATURES) names.delete(name.slice(1));
    else if (!(name in FEATURES)) throw new Error(`unknown feature ${name} (known: ${Object.keys(FEATURES).join(', ')}, default, mvp)`);
    else if (!FEATURES[name].supported && !FEATURES[name].optIn && !allowUnsupported) throw new Error(`feature ${name} is not supported by wasm2es yet (--allow-unsupported-features to fuzz it anyway)`);
    else names.add(name);
  }
  for (const name of [...names]) for (const required of FEATURES[name].requires ?? []) names.add(required);
  return [...names];
}
