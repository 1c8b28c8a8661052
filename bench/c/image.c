/* The SIMD benchmark workload (issue 15): an image pipeline over a few MiB,
 * built twice from this one source by build.sh, with -msimd128
 * (image-simd.wasm) and without (image.wasm), so `npm run bench` can set the
 * SIMD build's cost on each implementation against the scalar build's.
 *
 * Most loops are plain C that clang 14 vectorizes by itself at -O3
 * -msimd128, some shaped so that it can (see blur and shade). The blend is
 * also written with <wasm_simd128.h> intrinsics, because the vectorizer will
 * not broadcast a per-pixel alpha across the pixel's four bytes; its scalar
 * loop gives the same bytes. Every result is identical in both builds and
 * natively: integer arithmetic throughout, and the float phase keeps one
 * accumulator per RGBA channel in a fixed order and is built with
 * -ffp-contract=off (no fused multiply-add natively).
 *
 * A reactor with no imports. setup() fills the inputs; each phase works on
 * one frame of `height` rows (1..MAX_HEIGHT) and returns a 32-bit hash of
 * what it wrote:
 *   blend(height)  alpha-blend image A over B (u8 widened to u16, multiply,
 *                  round-divide by 255, narrow), then the luma plane
 *   blur(height)   3x3 box blur of the luma plane (u16 column sums)
 *   edges(height)  Sobel gradient magnitude of the blurred plane (i16
 *                  lanes, absolute values, saturated)
 *   shade(height)  f32: an affine map of every sample of the blended image
 *                  (gain, bias and a weight per sample), summed per channel
 * bench/workloads/image.js drives them. Built for the host (no __wasm__),
 * main() runs the same frames, prints the same checksum line and times it:
 *   clang -O3 -march=native -ffp-contract=off bench/c/image.c && ./a.out 2048 20 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(name)))
#else
#define EXPORT(name)
#endif

enum { WIDTH = 1024, MAX_HEIGHT = 256, STRIDE = WIDTH * 4 };

static uint8_t image_a[MAX_HEIGHT * STRIDE] __attribute__((aligned(16)));
static uint8_t image_b[MAX_HEIGHT * STRIDE] __attribute__((aligned(16)));
static uint8_t blended[MAX_HEIGHT * STRIDE] __attribute__((aligned(16)));
static uint8_t luma[MAX_HEIGHT * WIDTH] __attribute__((aligned(16)));
static uint8_t blurred[MAX_HEIGHT * WIDTH] __attribute__((aligned(16)));
static uint8_t edge[MAX_HEIGHT * WIDTH] __attribute__((aligned(16)));
static float scale[STRIDE] __attribute__((aligned(16)));
static float offset[STRIDE] __attribute__((aligned(16)));

static int clamp_height(int height) { return height < 1 ? 1 : height > MAX_HEIGHT ? MAX_HEIGHT : height; }

/* Two reductions over 32-bit words, both vectorizable (add and xor are
 * associative): a position-weighted sum and a xor of rotated products. */
static uint32_t hash_bytes(const uint8_t *bytes, size_t length) {
  uint32_t sum = 0, mix = 0;
  for (size_t i = 0; i < length / 4; i++) {
    uint32_t word;
    memcpy(&word, bytes + 4 * i, 4);
    sum += word * (uint32_t)(2 * i + 1);
    uint32_t product = word * 0x9e3779b1u;
    mix ^= (product << 13) | (product >> 19);
  }
  return sum ^ ((mix << 7) | (mix >> 25));
}

EXPORT("setup") void setup(void) {
  /* Smooth gradients plus xorshift noise, so that blur and edges see both
   * flat regions and detail; alpha ramps through 0..255 four times a row. */
  uint32_t state = 0x2545f491u;
  for (int y = 0; y < MAX_HEIGHT; y++) {
    for (int x = 0; x < WIDTH; x++) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      uint8_t *a = image_a + y * STRIDE + 4 * x;
      uint8_t *b = image_b + y * STRIDE + 4 * x;
      unsigned noise = state & 31;
      a[0] = (uint8_t)(x / 4 + noise);
      a[1] = (uint8_t)(y + (noise >> 1));
      a[2] = (uint8_t)((x ^ y) + noise);
      a[3] = (uint8_t)((x + 3 * y) & 255);
      b[0] = (uint8_t)(255 - x / 4);
      b[1] = (uint8_t)((x * y) >> 6);
      b[2] = (uint8_t)(state >> 24);
      b[3] = 255;
    }
  }
  /* Per-channel gain and bias, times a weight per sample. */
  static const float gain[4] = {1.25f, 0.875f, 1.0625f, 0.5f};
  static const float bias[4] = {-3.0f, 1.5f, 0.25f, 0.0f};
  for (int i = 0; i < STRIDE; i++) {
    float weight = (float)((i * 37) % 101) / 64.0f - 0.75f;
    scale[i] = gain[i % 4] * weight;
    offset[i] = bias[i % 4] * weight;
  }
}

/* d = round((a * alpha + b * (255 - alpha)) / 255) per byte, alpha = a's
 * fourth byte. With x = a * alpha + b * (255 - alpha) + 128 <= 65153, the
 * rounded quotient is (x + (x >> 8)) >> 8 (checked for every x), and all of
 * it fits 16-bit lanes. */
static void blend_row(const uint8_t *a, const uint8_t *b, uint8_t *d) {
  int i = 0;
#ifdef __wasm_simd128__
  const v128_t half = wasm_i16x8_splat(128);
  for (; i + 16 <= STRIDE; i += 16) {
    v128_t va = wasm_v128_load(a + i);
    v128_t vb = wasm_v128_load(b + i);
    v128_t alpha = wasm_i8x16_shuffle(va, va, 3, 3, 3, 3, 7, 7, 7, 7, 11, 11, 11, 11, 15, 15, 15, 15);
    v128_t inverse = wasm_v128_not(alpha); /* 255 - alpha for u8 */
    v128_t low = wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extmul_low_u8x16(va, alpha), wasm_u16x8_extmul_low_u8x16(vb, inverse)), half);
    v128_t high = wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extmul_high_u8x16(va, alpha), wasm_u16x8_extmul_high_u8x16(vb, inverse)), half);
    low = wasm_u16x8_shr(wasm_i16x8_add(low, wasm_u16x8_shr(low, 8)), 8);
    high = wasm_u16x8_shr(wasm_i16x8_add(high, wasm_u16x8_shr(high, 8)), 8);
    wasm_v128_store(d + i, wasm_u8x16_narrow_i16x8(low, high));
  }
#endif
  for (; i < STRIDE; i += 4) {
    unsigned alpha = a[i + 3];
    for (int c = 0; c < 4; c++) {
      unsigned x = a[i + c] * alpha + b[i + c] * (255 - alpha) + 128;
      d[i + c] = (uint8_t)((x + (x >> 8)) >> 8);
    }
  }
}

/* BT.601-ish luma in 8-bit fixed point. A pixel is read as one 32-bit word
 * (little-endian: red is the low byte) so that the loop vectorizes to plain
 * 32-bit lanes; byte by byte, clang 14 de-interleaves the stride-4 loads
 * with some 140 shuffles per 16 pixels, and the blend phase takes 1.7x as long. */
static void luma_row(const uint8_t *rgba, uint8_t *out) {
  for (int x = 0; x < WIDTH; x++) {
    uint32_t pixel;
    memcpy(&pixel, rgba + 4 * x, 4);
    out[x] = (uint8_t)((77 * (pixel & 255) + 150 * ((pixel >> 8) & 255) + 29 * ((pixel >> 16) & 255) + 128) >> 8);
  }
}

EXPORT("blend") uint32_t blend(int height) {
  height = clamp_height(height);
  for (int y = 0; y < height; y++) {
    blend_row(image_a + y * STRIDE, image_b + y * STRIDE, blended + y * STRIDE);
    luma_row(blended + y * STRIDE, luma + y * WIDTH);
  }
  return hash_bytes(blended, (size_t)height * STRIDE) ^ hash_bytes(luma, (size_t)height * WIDTH) * 3;
}

/* Rows above and below the frame repeat its edge rows; so do the columns. */
static const uint8_t *row_at(const uint8_t *plane, int y, int height) {
  return plane + (y < 0 ? 0 : y >= height ? height - 1 : y) * WIDTH;
}

/* Both filters are separable: a vertical pass into 16-bit column sums, then
 * a horizontal pass over three shifted views of them. The horizontal pass
 * takes its views as separate pointers in a function kept out of line:
 * inlined, with x - 1, x and x + 1 off one pointer, clang 14 carries loads
 * over from one iteration to the next (a second-order recurrence) and then
 * vectorizes nothing. The views only overlap for reading, which restrict
 * allows. */

/* The sum of nine u8 is at most 2295; (sum * 7282) >> 16 is sum / 9,
 * rounded down, for every such sum. */
static uint8_t box9(unsigned sum) { return (uint8_t)((sum * 7282u) >> 16); }

static __attribute__((noinline)) void box_row(uint8_t *restrict out, const uint16_t *restrict left,
                                              const uint16_t *restrict center, const uint16_t *restrict right, int length) {
  for (int x = 0; x < length; x++) out[x] = box9(left[x] + center[x] + right[x]);
}

EXPORT("blur") uint32_t blur(int height) {
  height = clamp_height(height);
  uint16_t column[WIDTH];
  for (int y = 0; y < height; y++) {
    const uint8_t *up = row_at(luma, y - 1, height), *mid = row_at(luma, y, height), *down = row_at(luma, y + 1, height);
    for (int x = 0; x < WIDTH; x++) column[x] = (uint16_t)(up[x] + mid[x] + down[x]);
    uint8_t *out = blurred + y * WIDTH;
    out[0] = box9(2u * column[0] + column[1]);
    out[WIDTH - 1] = box9(column[WIDTH - 2] + 2u * column[WIDTH - 1]);
    box_row(out + 1, column, column + 1, column + 2, WIDTH - 2);
  }
  return hash_bytes(blurred, (size_t)height * WIDTH);
}

/* Sobel: gx is the difference of the vertically smoothed columns either
 * side, gy the horizontally smoothed difference of the rows below and above;
 * the magnitude is |gx| + |gy|, saturated to 255. */
static uint8_t gradient(int smooth_left, int smooth_right, int difference_left, int difference_center, int difference_right) {
  int gx = smooth_right - smooth_left;
  int gy = difference_left + 2 * difference_center + difference_right;
  int magnitude = (gx < 0 ? -gx : gx) + (gy < 0 ? -gy : gy);
  return (uint8_t)(magnitude > 255 ? 255 : magnitude);
}

static __attribute__((noinline)) void gradient_row(uint8_t *restrict out, const int16_t *restrict smooth_left,
                                                   const int16_t *restrict smooth_right, const int16_t *restrict difference_left,
                                                   const int16_t *restrict difference_center,
                                                   const int16_t *restrict difference_right, int length) {
  for (int x = 0; x < length; x++) {
    out[x] = gradient(smooth_left[x], smooth_right[x], difference_left[x], difference_center[x], difference_right[x]);
  }
}

EXPORT("edges") uint32_t edges(int height) {
  height = clamp_height(height);
  int16_t smooth[WIDTH], difference[WIDTH];
  for (int y = 0; y < height; y++) {
    const uint8_t *up = row_at(blurred, y - 1, height), *mid = row_at(blurred, y, height), *down = row_at(blurred, y + 1, height);
    for (int x = 0; x < WIDTH; x++) {
      smooth[x] = (int16_t)(up[x] + 2 * mid[x] + down[x]);
      difference[x] = (int16_t)(down[x] - up[x]);
    }
    uint8_t *out = edge + y * WIDTH;
    int last = WIDTH - 1;
    out[0] = gradient(smooth[0], smooth[1], difference[0], difference[0], difference[1]);
    out[last] = gradient(smooth[last - 1], smooth[last], difference[last - 1], difference[last], difference[last]);
    gradient_row(out + 1, smooth, smooth + 2, difference, difference + 1, difference + 2, WIDTH - 2);
  }
  return hash_bytes(edge, (size_t)height * WIDTH);
}

/* An affine map of every sample (u8 converted to f32, elementwise), then
 * one sum per channel. Each sum adds its pixels in order, so the SIMD build,
 * which keeps the four in one f32x4, gets the same floats as the scalar one. */
EXPORT("shade") uint32_t shade(int height) {
  height = clamp_height(height);
  float value[STRIDE];
  int32_t wide[STRIDE];
  uint32_t hash = 0;
  for (int y = 0; y < height; y++) {
    const uint8_t *row = blended + y * STRIDE;
    /* Widened to i32 in a pass of its own: converting u8 straight to f32,
     * clang 14 extracts and converts one lane at a time. */
    for (int i = 0; i < STRIDE; i++) wide[i] = row[i];
    for (int i = 0; i < STRIDE; i++) value[i] = (float)wide[i] * scale[i] + offset[i];
    float sum[4] = {0, 0, 0, 0};
    for (int i = 0; i < STRIDE; i += 4) {
      for (int c = 0; c < 4; c++) sum[c] += value[i + c];
    }
    for (int c = 0; c < 4; c++) {
      uint32_t bits;
      memcpy(&bits, &sum[c], 4);
      /* The rotation brings the product's high bits down: the sums' low
       * mantissa bits are often zero, and a multiply alone would keep the
       * hash's low bits zero too. */
      uint32_t product = (hash ^ bits) * 0x9e3779b1u;
      hash = (product << 15) | (product >> 17);
    }
  }
  return hash;
}

#ifndef __wasm__
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint32_t hashes[4];

/* What bench/workloads/image.js's run(rows) does: whole frames of
 * MAX_HEIGHT rows, then the remainder; each phase's hashes combined. */
static void run(int rows) {
  memset(hashes, 0, sizeof hashes);
  for (int done = 0; done < rows; done += MAX_HEIGHT) {
    int height = rows - done < MAX_HEIGHT ? rows - done : MAX_HEIGHT;
    uint32_t frame[4] = {blend(height), blur(height), edges(height), shade(height)};
    for (int p = 0; p < 4; p++) hashes[p] = (hashes[p] ^ frame[p]) * 0x01000193u;
  }
}

int main(int argc, char **argv) {
  int rows = argc > 1 ? atoi(argv[1]) : 2048;
  int iterations = argc > 2 ? atoi(argv[2]) : 10;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  setup();
  clock_gettime(CLOCK_MONOTONIC, &end);
  double setup_ms = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
  double best = 1e30;
  for (int i = 0; i < iterations; i++) {
    clock_gettime(CLOCK_MONOTONIC, &start);
    run(rows);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
    if (ms < best) best = ms;
  }
  printf("%08x %08x %08x %08x\n", hashes[0], hashes[1], hashes[2], hashes[3]);
  fprintf(stderr, "rows %d: setup %.2f ms, best of %d: %.2f ms\n", rows, setup_ms, iterations, best);
  return 0;
}
#endif
