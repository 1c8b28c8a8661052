/* A WASI reactor (no main; `_initialize` runs constructors) whose exports
 * JavaScript calls directly: the pattern of toolchains without generated JS
 * glue. Exports take and return i64 (BigInt at the JS boundary), f32 and
 * f64, and work on memory that JS fills through an exported allocator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))

static uint32_t initialized;

__attribute__((constructor)) static void setup(void) { initialized = 0x600dcafe; }

EXPORT("initialized") uint32_t exported_initialized(void) { return initialized; }

EXPORT("alloc") void *exported_alloc(size_t size) { return malloc(size); }

EXPORT("release") void exported_release(void *p) { free(p); }

EXPORT("fnv1a64") uint64_t fnv1a64(const uint8_t *data, size_t length) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < length; i++) { h ^= data[i]; h *= 0x100000001b3ull; }
  return h;
}

EXPORT("mulhi") int64_t mulhi(int64_t a, int64_t b) { return (int64_t)(((__int128)a * b) >> 64); }

EXPORT("udivmod") uint64_t udivmod(uint64_t a, uint64_t b, uint64_t *remainder) {
  *remainder = a % b;
  return a / b;
}

EXPORT("mix") double mix(float f, double d, int64_t i, int32_t j) { return f * d + (double)i - j; }

EXPORT("sort_floats") void sort_floats(float *values, size_t n) {
  for (size_t i = 1; i < n; i++) {
    float v = values[i];
    size_t k = i;
    for (; k > 0 && values[k - 1] > v; k--) values[k] = values[k - 1];
    values[k] = v;
  }
}

EXPORT("reverse") char *reverse(const char *s) {
  size_t n = strlen(s);
  char *r = malloc(n + 1);
  for (size_t i = 0; i < n; i++) r[i] = s[n - 1 - i];
  r[n] = 0;
  return r;
}
