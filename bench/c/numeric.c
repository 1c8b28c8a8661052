/* libm and conversions: musl's sin/exp/log/pow/fmod, float and double
 * rounding, integer <-> float conversions (saturating with
 * -mnontrapping-fptoint), 64-bit division, narrowing casts and bulk memory.
 * Built with more wasm features than the others (see build.sh).
 * Usage: numeric [mode] where mode is one of
 *   (none)   print the results and exit 0
 *   exit N   print a line and exit(N)
 *   abort    print a line and abort() (a wasm trap: unreachable)
 *   divzero  integer division by zero through a volatile (a wasm trap) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int zero = 0;

static double checksum(const double *v, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s = s * 1.0000001 + v[i];
  return s;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "exit") == 0) {
    puts("exiting");
    fflush(stdout);
    exit(argc > 2 ? atoi(argv[2]) : 3);
  }
  if (argc > 1 && strcmp(argv[1], "abort") == 0) {
    puts("aborting");
    fflush(stdout);
    abort();
  }
  if (argc > 1 && strcmp(argv[1], "divzero") == 0) {
    puts("dividing");
    fflush(stdout);
    return 10 / zero;
  }

  enum { N = 2000 };
  static double values[N];
  for (int i = 0; i < N; i++) {
    double x = (i - N / 2) * 0.0173;
    values[i] = sin(x) * exp(-fabs(x) / 8) + log1p(fabs(x)) - pow(fabs(x) + 1, 0.37) + fmod(x, 1.7) + atan2(x, 3.0) + cbrt(x);
  }
  printf("libm checksum %.17g\n", checksum(values, N));
  printf("sin %.17g cos %.17g tan %.17g\n", sin(1e6), cos(-3.5), tan(1.5));
  printf("exp %.17g log %.17g log2 %.17g pow %.17g\n", exp(700), log(1e-300), log2(3), pow(2.5, -3.25));
  printf("sqrtf %.9g fmaf %.9g floorf %.9g rintf %.9g\n", (double)sqrtf(2.0f), (double)fmaf(1.1f, 2.2f, 3.3f), (double)floorf(-0.5f), (double)rintf(2.5f));
  printf("round %.1f %.1f nearbyint %.1f %.1f trunc %.1f\n", round(2.5), round(-2.5), nearbyint(2.5), nearbyint(3.5), trunc(-7.9));

  /* float <-> int conversions, including out-of-range values (saturating in C only for the defined cases). */
  float f = 16777217.0f;
  double big = 9007199254740993.0;
  printf("f32 %.9g u32 %u i64 %lld u64 %llu\n", (double)f, (uint32_t)3.9e9, (long long)-9.2e18, (unsigned long long)1.8e19);
  printf("i64->f64 %.17g u64->f32 %.9g i64->f32 %.9g\n", (double)(int64_t)9007199254740993ll, (double)(float)18446744073709551615ull, (double)(float)(int64_t)-9223372036854775807ll);
  printf("big %.17g nan %d inf %d\n", big, isnan(sqrt(-1.0 + zero)), isinf(1.0 / (zero + 0.0)));

  /* 64-bit arithmetic and sign extension */
  int64_t a = 0x123456789abcdefll, b = -987654321ll;
  printf("i64 %lld %lld %lld %llu\n", a / b, a % b, a * b, (unsigned long long)a / 7u);
  int8_t narrow[4] = { -1, -128, 127, 0 };
  int total = 0;
  for (int i = 0; i < 4; i++) total = total * 256 + narrow[i];
  printf("sext %d %d\n", total, (int)(int16_t)0xbeef);

  /* Run-time conversions (trunc_sat with -mnontrapping-fptoint) and
   * narrowing casts of loaded values. */
  static volatile double inputs[] = { 1.5, -2.5, 4294967295.9, -1e10, 2147483647.5, 1e300, -0.0, 0.99 };
  static volatile int32_t wide[] = { 0x1ff, 0x8080, -129, 0x7fffffff };
  int64_t conversions = 0;
  for (int i = 0; i < 8; i++) {
    double d = inputs[i];
    if (d > -2147483648.0 && d < 2147483648.0) conversions = conversions * 31 + (int32_t)d;
    if (d > -1.0 && d < 4294967296.0) conversions = conversions * 31 + (uint32_t)d;
    if (fabs(d) < 9e18) conversions = conversions * 31 + (int64_t)d;
    conversions = conversions * 31 + (int32_t)(float)(d / 1e300);
  }
  int64_t extended = 0;
  for (int i = 0; i < 4; i++)
    extended = extended * 1000003 + (int8_t)(wide[i] + 1) + (int16_t)(wide[i] * 3) + (int64_t)(int32_t)((int64_t)wide[i] << 20);
  printf("conversions %lld extended %lld\n", (long long)conversions, (long long)extended);

  /* bulk memory: large memset/memcpy/memmove lower to memory.fill/copy */
  size_t size = 1 << 20;
  unsigned char *p = malloc(size), *q = malloc(size);
  memset(p, 0x5a, size);
  for (size_t i = 0; i < size; i += 4099) p[i] = (unsigned char)i;
  memcpy(q, p, size);
  memmove(q + 1, q, size - 1);
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < size; i += 7) h = (h ^ q[i]) * 16777619u;
  printf("bulk %08x\n", h);
  free(q);
  free(p);
  return 0;
}
