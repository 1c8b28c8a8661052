/* SHA-256 and a chained hash table of strings, sorted with qsort, plus
 * printf of 64-bit integers and floating point (on wasm32, long double is
 * 128-bit and its formatting runs through compiler-rt's soft-float helpers,
 * which are heavy on i64). Also reads stdin and the environment.
 * Usage: hash [count] (default 20000). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint32_t state[8]; uint64_t length; uint8_t block[64]; size_t used; } sha256;

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n) ((x) >> (n) | (x) << (32 - (n)))

static void sha256_block(sha256 *s, const uint8_t *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = s->state[0], b = s->state[1], c = s->state[2], d = s->state[3];
  uint32_t e = s->state[4], f = s->state[5], g = s->state[6], h = s->state[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  s->state[0] += a; s->state[1] += b; s->state[2] += c; s->state[3] += d;
  s->state[4] += e; s->state[5] += f; s->state[6] += g; s->state[7] += h;
}

static void sha256_init(sha256 *s) {
  static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
  memcpy(s->state, iv, sizeof iv);
  s->length = 0;
  s->used = 0;
}

static void sha256_update(sha256 *s, const void *data, size_t length) {
  const uint8_t *p = data;
  s->length += length;
  while (length > 0) {
    size_t n = 64 - s->used < length ? 64 - s->used : length;
    memcpy(s->block + s->used, p, n);
    s->used += n; p += n; length -= n;
    if (s->used == 64) { sha256_block(s, s->block); s->used = 0; }
  }
}

static void sha256_final(sha256 *s, uint8_t digest[32]) {
  uint64_t bits = s->length * 8;
  uint8_t pad = 0x80, zero = 0, lengthBytes[8];
  sha256_update(s, &pad, 1);
  while (s->used != 56) sha256_update(s, &zero, 1);
  for (int i = 0; i < 8; i++) lengthBytes[i] = (uint8_t)(bits >> (56 - 8 * i));
  sha256_update(s, lengthBytes, 8);
  for (int i = 0; i < 8; i++) {
    digest[4 * i] = (uint8_t)(s->state[i] >> 24); digest[4 * i + 1] = (uint8_t)(s->state[i] >> 16);
    digest[4 * i + 2] = (uint8_t)(s->state[i] >> 8); digest[4 * i + 3] = (uint8_t)s->state[i];
  }
}

static void print_digest(const char *label, const uint8_t digest[32]) {
  printf("%s ", label);
  for (int i = 0; i < 32; i++) printf("%02x", digest[i]);
  putchar('\n');
}

typedef struct entry { char *key; uint64_t value; struct entry *next; } entry;

static uint64_t fnv1a64(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  while (*s) { h ^= (uint8_t)*s++; h *= 0x100000001b3ull; }
  return h;
}

static int by_value_then_key(const void *a, const void *b) {
  const entry *x = *(entry *const *)a, *y = *(entry *const *)b;
  if (x->value != y->value) return x->value < y->value ? -1 : 1;
  return strcmp(x->key, y->key);
}

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 20000;
  uint8_t digest[32];
  sha256 s;

  sha256_init(&s);
  sha256_final(&s, digest);
  print_digest("sha256('')   ", digest);
  sha256_init(&s);
  sha256_update(&s, "abc", 3);
  sha256_final(&s, digest);
  print_digest("sha256('abc')", digest);

  /* A table of `count` keys; values count occurrences of a skewed stream. */
  size_t buckets = 4096;
  entry **table = calloc(buckets, sizeof *table);
  size_t distinct = 0;
  uint64_t x = 88172645463325252ull;
  sha256_init(&s);
  for (int i = 0; i < count; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    char key[32];
    int n = snprintf(key, sizeof key, "k%" PRIu64, (x % 1000) * (x % 7 + 1));
    sha256_update(&s, key, (size_t)n);
    uint64_t h = fnv1a64(key);
    entry **slot = &table[h % buckets];
    while (*slot && strcmp((*slot)->key, key) != 0) slot = &(*slot)->next;
    if (!*slot) {
      *slot = calloc(1, sizeof **slot);
      (*slot)->key = strdup(key);
      distinct++;
    }
    (*slot)->value += h >> 60;
  }
  sha256_final(&s, digest);
  print_digest("sha256(keys) ", digest);

  entry **all = malloc(distinct * sizeof *all);
  size_t k = 0;
  for (size_t b = 0; b < buckets; b++)
    for (entry *e = table[b]; e; e = e->next) all[k++] = e;
  qsort(all, distinct, sizeof *all, by_value_then_key);
  printf("distinct %zu, smallest %s=%" PRIu64 ", largest %s=%" PRIu64 "\n",
         distinct, all[0]->key, all[0]->value, all[distinct - 1]->key, all[distinct - 1]->value);

  /* Formatting: 64-bit integers, doubles, long doubles, hex floats. */
  int64_t big = -9223372036854775807ll - 1;
  printf("%" PRId64 " %" PRIu64 " %" PRIx64 " %lld\n", big, (uint64_t)big, (uint64_t)x, (long long)count * 1000003ll);
  printf("%.17g %.3e %f %g %a\n", 0.1 + 0.2, 6.02214076e23, -1.0 / 3.0, 1e-310, 1.0);
  long double third = 1.0L / 3.0L;
  printf("%.30Lf %.20Lg\n", third, third * 3.0L);
  printf("[%8.3f] [%-8d] [%+d] [%08.2f] [%s]\n", 3.14159, 42, 7, -2.5, "str");

  const char *who = getenv("WHO");
  printf("env WHO=%s\n", who ? who : "(unset)");
  char line[128];
  int lines = 0;
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    printf("stdin %d: %s (%zu)\n", ++lines, line, strlen(line));
  }
  fprintf(stderr, "hash: %d keys, %zu distinct\n", count, distinct);
  return 0;
}
