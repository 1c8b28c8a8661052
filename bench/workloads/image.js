// The SIMD workload (issue 15): bench/c/image.c, one C image pipeline built
// by bench/c/build.sh twice with clang 14, with -msimd128 (image-simd.wasm)
// and without (image.wasm). Both run as workloads side by side so that the
// SIMD build's cost on each implementation can be set against the scalar
// build's. wasm2js and polywasm have no SIMD, so they run the scalar build
// only; their SIMD cells say so instead of failing.
//
// `size` is a number of 1024-pixel RGBA rows, processed as frames of up to
// 256 rows (what the C program's MAX_HEIGHT allows); every frame runs four
// phases, each timed and each returning a hash of what it wrote. The result
// is the four hashes folded over the frames, the line the C program prints
// when built for the host, so all builds and the host can be compared.

import * as paths from '../lib/paths.js';

const maxHeight = 256;
export const imagePhases = ['blend', 'blur', 'edges', 'shade'];

/** Row counts: native wasm takes roughly 20-100 ms per call with the JIT;
 * under --jitless, wasm2js takes about a second per call on the scalar build. */
const sizes = { jit: 6_144, jitless: 512 };
const firstSize = 16;

export const images = {
  'image-simd': {
    title: 'C image pipeline, SIMD build (clang -msimd128)',
    file: 'image-simd',
    simd: true,
    sizes,
    firstSize,
  },
  'image-scalar': {
    title: 'C image pipeline, scalar build (same source)',
    file: 'image',
    simd: false,
    sizes,
    firstSize,
  },
};

/** Where each implementation finds a build: the committed .wasm and what bench/lib/build.js makes of it. */
export const imageFiles = (id) => paths.cFiles(images[id].file);

/**
 * Runs `rows` rows on an instance's exports; returns { result, phases }.
 * The first call also fills the input images (setup), so that cost falls in
 * "start-up to first result" rather than in load + instantiate.
 */
export function runImage(exports, rows) {
  if (!initialized.has(exports)) {
    exports.setup();
    initialized.add(exports);
  }
  const hashes = [0, 0, 0, 0];
  const phases = Object.fromEntries(imagePhases.map((name) => [name, 0]));
  for (let done = 0; done < rows; done += maxHeight) {
    const height = Math.min(rows - done, maxHeight);
    imagePhases.forEach((name, index) => {
      const started = performance.now();
      const hash = exports[name](height) >>> 0;
      phases[name] += performance.now() - started;
      hashes[index] = Math.imul(hashes[index] ^ hash, 0x01000193) >>> 0;
    });
  }
  return { result: hashes.map((hash) => hash.toString(16).padStart(8, '0')).join(' '), phases };
}

const initialized = new WeakSet();
