#!/usr/bin/env bash
# The lint suite (issues 6 and 7): every tests/c/lint/*.c program is built and
# run under librepoll.so.
#
# * Misuse programs print "expect ID FD [peer=ADDR] [state=STATE]" lines;
#   run with lint=1:trace_format=json:log_path=LOG (plus the options on
#   their "// options:" line), the JSON log must hold a record with that
#   "lint" and "fd" (and "peer"/"state" when given). "expect-table FD" asks
#   for a row of the half-closed table written at exit.
# * ok-*.c are correct programs: no lint record at all.
# * rdhup-*.c run natively, then under the library by default (stdout must
#   be identical), then with rdhup=uniform and the argument "uniform" (the
#   program checks the added RDHUP flags; stdout, which masks them, must
#   still be identical).
#
# Usage: tests/lint/run.sh [path/to/librepoll.so]. Ends with "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIB=${1:-$ROOT/target/release/librepoll.so}
CC=${CC:-cc}
OUT=$ROOT/target/lint
mkdir -p "$OUT"
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1: $2"; }

for src in "$ROOT"/tests/c/lint/*.c; do
    name=$(basename "$src" .c)
    bin=$OUT/$name
    if ! $CC -std=gnu11 -O1 -Wall -Wextra -pthread -o "$bin" "$src" 2>"$OUT/$name.cc"; then
        fail "$name" "does not build: $(head -3 "$OUT/$name.cc")"
        continue
    fi
    case $name in
    rdhup-*)
        if ! native=$(timeout 20 "$bin" 2>&1); then
            fail "$name" "broken natively: $native"
            continue
        fi
        if ! dflt=$(LD_PRELOAD=$LIB timeout 20 "$bin" 2>&1); then
            fail "$name" "default mode failed: $dflt"
            continue
        fi
        if [ "$native" != "$dflt" ]; then
            fail "$name" "default differs from native: '$native' vs '$dflt'"
            continue
        fi
        if [ "$name" != rdhup-socket ]; then
            if ! uni=$(REPOLL_OPTIONS=rdhup=uniform LD_PRELOAD=$LIB timeout 20 "$bin" uniform 2>&1); then
                fail "$name" "rdhup=uniform failed: $uni"
                continue
            fi
        else
            uni=$(REPOLL_OPTIONS=rdhup=uniform LD_PRELOAD=$LIB timeout 20 "$bin" 2>&1) || {
                fail "$name" "rdhup=uniform failed: $uni"
                continue
            }
        fi
        if [ "$native" != "$uni" ]; then
            fail "$name" "uniform differs beyond RDHUP: '$native' vs '$uni'"
            continue
        fi
        pass "$name"
        continue
        ;;
    esac
    extra=$(sed -n 's|^// options: *||p' "$src" | head -1)
    log=$OUT/$name.jsonl
    rm -f "$log"
    opts="lint=1:trace_format=json:log_path=$log"
    [ -n "$extra" ] && opts="$opts:$extra"
    stdout=$(REPOLL_OPTIONS=$opts LD_PRELOAD=$LIB timeout 30 "$bin" 2>"$OUT/$name.err")
    status=$?
    if [ $status -ne 0 ]; then
        fail "$name" "exit status $status ($(head -3 "$OUT/$name.err"))"
        continue
    fi
    printf '%s\n' "$stdout" >"$OUT/$name.out"
    verdict=$(python3 "$ROOT/tests/lint/check.py" "$log" "$name" <"$OUT/$name.out")
    if [ "$verdict" = OK ]; then
        pass "$name"
    else
        fail "$name" "$verdict"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
