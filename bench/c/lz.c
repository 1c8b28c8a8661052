/* An LZ77 compressor and decompressor (hash-chain match finder, byte-oriented
 * output) with CRC-32 checks, run over generated text. Exercises byte loads
 * and stores, malloc/free, memcpy/memset, loops with early exits and stdio.
 * Usage: lz [kilobytes] (default 256). Exit status 0 when the round trip is
 * exact, 1 otherwise. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 65535
#define MIN_MATCH 4
#define MAX_MATCH 255
#define HASH_BITS 15
#define MAX_CHAIN 32

static uint32_t crc_table[256];

static void crc_init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
}

static uint32_t crc32(const uint8_t *data, size_t length) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < length; i++) c = crc_table[(c ^ data[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

static uint32_t hash4(const uint8_t *p) {
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Output: a literal run is 0x00 len bytes...; a match is len(>=4) off_lo off_hi. */
static size_t compress(const uint8_t *in, size_t length, uint8_t *out) {
  int32_t *head = malloc(sizeof(int32_t) << HASH_BITS);
  int32_t *prev = malloc(sizeof(int32_t) * length);
  memset(head, 0xff, sizeof(int32_t) << HASH_BITS);
  size_t o = 0, i = 0, literal_start = 0;
  while (i < length) {
    size_t best_length = 0, best_offset = 0;
    if (i + MIN_MATCH <= length) {
      uint32_t h = hash4(in + i);
      int32_t candidate = head[h];
      for (int chain = 0; candidate >= 0 && chain < MAX_CHAIN; chain++) {
        size_t offset = i - (size_t)candidate;
        if (offset > WINDOW) break;
        size_t n = 0;
        while (n < MAX_MATCH && i + n < length && in[candidate + n] == in[i + n]) n++;
        if (n > best_length) { best_length = n; best_offset = offset; }
        candidate = prev[candidate];
      }
      prev[i] = head[h];
      head[h] = (int32_t)i;
    }
    if (best_length >= MIN_MATCH) {
      while (literal_start < i) {
        size_t run = i - literal_start > 255 ? 255 : i - literal_start;
        out[o++] = 0; out[o++] = (uint8_t)run;
        memcpy(out + o, in + literal_start, run);
        o += run; literal_start += run;
      }
      out[o++] = (uint8_t)best_length;
      out[o++] = (uint8_t)(best_offset & 0xff);
      out[o++] = (uint8_t)(best_offset >> 8);
      for (size_t k = 1; k < best_length && i + k + MIN_MATCH <= length; k++) {
        uint32_t h = hash4(in + i + k);
        prev[i + k] = head[h];
        head[h] = (int32_t)(i + k);
      }
      i += best_length;
      literal_start = i;
    } else {
      i++;
    }
  }
  while (literal_start < length) {
    size_t run = length - literal_start > 255 ? 255 : length - literal_start;
    out[o++] = 0; out[o++] = (uint8_t)run;
    memcpy(out + o, in + literal_start, run);
    o += run; literal_start += run;
  }
  free(prev);
  free(head);
  return o;
}

static size_t decompress(const uint8_t *in, size_t length, uint8_t *out) {
  size_t i = 0, o = 0;
  while (i < length) {
    uint8_t tag = in[i++];
    if (tag == 0) {
      uint8_t run = in[i++];
      memcpy(out + o, in + i, run);
      i += run; o += run;
    } else {
      size_t offset = in[i] | (size_t)in[i + 1] << 8;
      i += 2;
      for (size_t k = 0; k < tag; k++, o++) out[o] = out[o - offset];  /* may overlap */
    }
  }
  return o;
}

static const char *words[] = {
  "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "WebAssembly", "module",
  "memory", "table", "global", "instance", "compile", "validate", "i32.add", "f64.sqrt",
  "call_indirect", "br_table", "\n", ", ", ". ", "0123456789",
};

int main(int argc, char **argv) {
  size_t kilobytes = argc > 1 ? (size_t)atoi(argv[1]) : 256;
  size_t length = kilobytes * 1024;
  uint8_t *text = malloc(length);
  uint32_t seed = 12345;
  for (size_t i = 0; i < length;) {
    seed = seed * 1103515245u + 12345u;
    const char *w = words[(seed >> 16) % (sizeof words / sizeof *words)];
    size_t n = strlen(w);
    if (n > length - i) n = length - i;
    memcpy(text + i, w, n);
    i += n;
    if (i < length) text[i++] = (seed >> 8) & 3 ? ' ' : (uint8_t)('a' + (seed >> 10) % 26);
  }
  crc_init();
  uint8_t *packed = malloc(length + length / 128 + 16);
  uint8_t *unpacked = malloc(length);
  size_t packed_length = compress(text, length, packed);
  size_t unpacked_length = decompress(packed, packed_length, unpacked);
  uint32_t crc_in = crc32(text, length), crc_packed = crc32(packed, packed_length), crc_out = crc32(unpacked, unpacked_length);
  printf("input    %zu bytes crc %08x\n", length, crc_in);
  printf("packed   %zu bytes crc %08x ratio %.4f\n", packed_length, crc_packed, (double)packed_length / (double)length);
  printf("unpacked %zu bytes crc %08x\n", unpacked_length, crc_out);
  int ok = unpacked_length == length && memcmp(text, unpacked, length) == 0;
  puts(ok ? "round trip ok" : "ROUND TRIP FAILED");
  free(unpacked);
  free(packed);
  free(text);
  return ok ? 0 : 1;
}
