#!/bin/sh
# Builds the second-toolchain test modules: C compiled by Debian 12's clang 14
# + lld 14 + wasi-libc (packages clang, lld, wasi-libc,
# libclang-rt-14-dev-wasm32) for --target=wasm32-wasi. The .wasm files are
# committed because CI has no clang; rerun this after editing a .c file.
# Each module is built with different flags so the set covers the MVP
# feature set, later features, size optimisation and a reactor.
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

"$CC" --version | head -1 > toolchain.txt
ls -l *.wasm
