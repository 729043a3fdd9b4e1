#!/usr/bin/env bash
# run.sh [LIB] - differential fuzzing of librepoll.so against kernel epoll.
#
# Builds tests/diff/fuzz, then runs FUZZ_SEQS sequences of FUZZ_LEN
# operations each (seeds FUZZ_SEED, FUZZ_SEED+1, ...), every sequence once
# natively and once with LD_PRELOAD=LIB, comparing the output line by line.
# A divergence is confirmed (the native run must be deterministic), shrunk
# (delta debugging over the op list) and written to FUZZ_OUT as
#   div-SEED.ops      the whole sequence
#   div-SEED.min.ops  the 1-minimal diverging sequence
#   div-SEED.c        a standalone tests/c program replaying it
# The last line is "fuzz: N sequences, M operations, D divergences"; the exit
# status is 1 if D > 0.
#
#   FUZZ_OPS   total operations (default 20000); FUZZ_SEQS = FUZZ_OPS / FUZZ_LEN
#   FUZZ_LEN   operations per sequence (default 200)
#   FUZZ_SEED  first seed (default 1)
#   FUZZ_OUT   output directory (default target/fuzz)
#   CC         compiler (default gcc)
#
# Replay and shrink by hand:
#   target/fuzz/fuzz run FILE.ops                       # natively
#   LD_PRELOAD=$PWD/target/release/librepoll.so target/fuzz/fuzz run FILE.ops
#   target/fuzz/fuzz shrink FILE.ops LIB OUT.ops
#   target/fuzz/fuzz emit OUT.ops tests/diff/fuzz_ops.h NAME > tests/c/NAME.c
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lib=${1:-$root/target/release/librepoll.so}
[ -f "$lib" ] || { echo "run.sh: library not found: $lib (run make)" >&2; exit 2; }
lib=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")
ops=${FUZZ_OPS:-20000}
len=${FUZZ_LEN:-200}
seed=${FUZZ_SEED:-1}
out=${FUZZ_OUT:-$root/target/fuzz}
seqs=$(( (ops + len - 1) / len ))
mkdir -p "$out"
cc=${CC:-gcc}
"$cc" -std=gnu11 -O1 -g -Wall -Wextra -Werror -o "$out/fuzz" "$root/tests/diff/fuzz.c" || exit 2
echo "# fuzz: $seqs sequences x $len operations, seeds $seed.., library $lib, output $out"
start=$(date +%s)
"$out/fuzz" campaign "$lib" "$seed" "$seqs" "$len" "$out" "$root/tests/diff/fuzz_ops.h"
rc=$?
echo "# fuzz: $(( $(date +%s) - start )) s"
exit $rc
