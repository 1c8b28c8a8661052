#!/bin/sh
# Builds the second-toolchain test modules: C compiled by Debian 12's clang 14
# + lld 14 + wasi-libc (packages clang, lld, wasi-libc,
# libclang-rt-14-dev-wasm32) for --target=wasm32-wasi. The .wasm files are
# committed because CI has no clang; rerun this after editing a .c file.
# Each module is built with different flags so the set covers the MVP
# feature set, later features, size optimisation and a reactor; image.c is
# built twice, with and without SIMD, for the benchmark.
set -eu
cd "$(dirname "$0")"
CC="${CC:-clang}"
COMMON="--target=wasm32-wasi -Wall -Wextra -Wno-unused-parameter -Wl,--strip-debug"

# MVP features only (clang 14's default), -O2.
$CC $COMMON -O2 -o lz.wasm lz.c
# Optimised for size; long double printf pulls in compiler-rt soft-float (i64-heavy).
$CC $COMMON -Oz -o hash.wasm hash.c -lc-printscan-long-double
# Later features: bulk memory (memory.fill/copy) and saturating float-to-int.
$CC $COMMON -O3 -mbulk-memory -mnontrapping-fptoint -mmutable-globals -o numeric.wasm numeric.c -lm
# A reactor: exports called from JS, no _start.
$CC $COMMON -O2 -mexec-model=reactor -o reactor.wasm reactor.c
# The SIMD benchmark (bench/workloads/image.js): one source, built with and
# without 128-bit SIMD and otherwise alike. -ffp-contract=off keeps float
# results the same as a host build's (clang -march=native would fuse).
IMAGE="$COMMON -O3 -ffp-contract=off -mexec-model=reactor"
$CC $IMAGE -o image.wasm image.c
$CC $IMAGE -msimd128 -o image-simd.wasm image.c
# The SIMD build must really be vector code: count its SIMD instructions.
if command -v wasm-objdump >/dev/null; then
  echo "image-simd.wasm: $(wasm-objdump -d image-simd.wasm | grep -cE ' (v128|[if](8x16|16x8|32x4|64x2))\.') SIMD instructions"
fi

{
  "$CC" --version | head -1
  echo "wasi-libc $(dpkg-query -W -f '${Version}' wasi-libc 2>/dev/null || echo unknown)"
} > toolchain.txt
ls -l *.wasm
