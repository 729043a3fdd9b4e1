#!/usr/bin/env bash
# tests/trace/bench.sh [LIB] - cost of tracing, in ns per event-loop round
# (bench.c: write 1 byte to a pipe, epoll_wait(timeout 0) returning it,
# read it back). Not a test: prints a table of medians over RUNS runs.
#
#   ITERATIONS=200000  RUNS=5  TMPDIR=/tmp (where trace files are written)
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
lib=${1:-$root/target/release/librepoll.so}
lib=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")
n=${ITERATIONS:-200000}
runs=${RUNS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/repoll-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
${CC:-gcc} -O2 -o "$tmp/bench" "$here/bench.c" || exit 1

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure LABEL OPTIONS|- [TIMEOUT_MS]: "-" runs natively.
measure() {
    local label=$1 options=$2 timeout=${3:-0} i
    for ((i = 0; i < runs; i++)); do
        rm -f "$tmp"/trace.*
        if [ "$options" = - ]; then
            "$tmp/bench" "$n" "$timeout"
        else
            env REPOLL_OPTIONS="$options" LD_PRELOAD="$lib" "$tmp/bench" "$n" "$timeout"
        fi
    done | median | awk -v l="$label" -v base="${base:-0}" -v pre="${pre:-0}" '{
        printf "%-44s %6d ns/round", l, $1
        if (base > 0) printf "  x%.2f native", $1 / base
        if (pre > 0) printf "  +%d ns vs preload", $1 - pre
        printf "\n"
    }'
}

echo "# $n rounds, median of $runs runs; trace files in ${TMPDIR:-/tmp}"
base=$(measure native - | awk '{print $(NF-1)}')
echo "native                                       $(printf '%6d' "$base") ns/round"
line=$(measure "preload, tracing off" "trace=0")
echo "$line"
pre=$(echo "$line" | grep -o '[0-9]* ns/round' | awk '{print $1}')
measure "summary=1 only" "summary=1:log_path=$tmp/trace.sum"
measure "trace text -> file (write per record)" "trace=1:log_path=$tmp/trace.txt"
measure "trace json -> file (write per record)" "trace=1:trace_format=json:log_path=$tmp/trace.json"
measure "trace chrome -> file (write per record)" "trace=1:trace_format=chrome:log_path=$tmp/trace.chrome"
measure "trace text -> file, trace_buffer=64k" "trace=1:trace_buffer=64k:log_path=$tmp/trace.txt"
measure "trace json -> file, trace_buffer=64k" "trace=1:trace_format=json:trace_buffer=64k:log_path=$tmp/trace.json"
measure "trace json -> /dev/null (write per record)" "trace=1:trace_format=json:log_path=/dev/null"
# Timeout 1000, though the wait returns at once: only a wait that goes to
# sleep writes the thread's batch, so this batches like timeout 0.
measure "trace json -> file, trace_buffer=64k, wait(1000)" "trace=1:trace_format=json:trace_buffer=64k:log_path=$tmp/trace.json" 1000
