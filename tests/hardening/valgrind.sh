#!/usr/bin/env bash
# valgrind.sh [LIB] - run a selection of tests/c under valgrind (memcheck)
# with librepoll.so preloaded into the test program.
#
#   LD_PRELOAD=LIB valgrind --trace-children=no --error-exitcode=99 ... ./test
#
# valgrind's launcher passes LD_PRELOAD on to the client next to its own
# vgpreload libraries (checked: tests/c/preload-only/repoll-version reports
# "repoll" under valgrind); --trace-children=no keeps children the tests fork
# or exec out of the run. A test passes when valgrind reports no error (exit
# status 99 otherwise) and the program's exit status is what it is without
# valgrind. Errors are printed with their stack.
#
# Findings in the library that are not fixed yet are listed in
# tests/hardening/valgrind-known.txt ("test  reason"): such a test's errors
# are printed as XFAIL and do not fail the run (XPASS once it is clean).
#
# Not run: lifetime-exec-keeps-instance re-executes /proc/self/exe, which
# under valgrind is the valgrind tool itself ("You cannot run ... directly").
#
#   ALL=1          every tests/c program except tests/c/known-gaps.txt
#   ONLY="a b"     just these
#   SUPP=file      extra suppressions (tests/hardening/valgrind.supp is always used)
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lib=${1:-$root/target/release/librepoll.so}
[ -f "$lib" ] || { echo "valgrind.sh: library not found: $lib" >&2; exit 2; }
lib=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed" >&2; exit 2; }
src=$root/tests/c
tmp=$(mktemp -d "${TMPDIR:-/tmp}/repoll-vg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# a cross-section: errors and EFAULT probing, every file type, ET/LT/ONESHOT,
# nesting, dup/close/close_range bookkeeping, limits, threads, signals, fork
# and exec, and the fault tests
default="errors-create errors-ctl errors-ctl-precedence errors-wait errors-pwait
efault-ctl-bad-event-pointer efault-null-events-buffer efault-readonly-events-buffer
et-eventfd-in-out et-pipe-second-write-is-edge et-socketpair-second-write-is-edge
et-inet-second-write-is-edge et-timerfd-expiry-is-edge et-signalfd-duplicate-signal
lt-pipe-reports-while-ready oneshot-disarm-and-rearm order-round-robin-maxevents
nested-loop-detection nested-depth-limit nested-poll-on-epoll-fd nested-select-on-epoll-fd
lifetime-dup-keeps-item lifetime-dup2-and-close-range lifetime-scm-rights-copy-keeps-item
lifetime-exec-program-without-epoll
handle-close-all-other-fds handle-daemon-sweeps-with-live-instances handle-read-write-einval
limits-emfile limits-emfile-ctl-wait-no-leak limits-low-rlimit limits-many-items
io-write-variants-are-edges io-fortify-read-chk syscall-raw-entry-points
threads-et-stress threads-close-epfd-while-waiting threads-cancel-blocked-waiter
threads-cancel-pwait-instance-usable threads-exit-while-others-wait threads-many-threads-invariants
lifetime-fork-1000-with-instances
signal-eintr-with-and-without-sa-restart signal-io-hooks-in-handler timeout-pwait2-timespec"

if [ -n "${ONLY:-}" ]; then
    names=$ONLY
elif [ "${ALL:-0}" = 1 ]; then
    names=$(cd "$src" && ls *.c | sed 's/\.c$//' | grep -v '^lifetime-exec-keeps-instance$' | while read -r n; do
        grep -qE "^$n([[:space:]]|\$)" "$src/known-gaps.txt" || echo "$n"; done)
else
    names=$default
fi

supp=(--suppressions="$root/tests/hardening/valgrind.supp")
[ -n "${SUPP:-}" ] && supp+=(--suppressions="$SUPP")
known_file=$root/tests/hardening/valgrind-known.txt
known() { [ -f "$known_file" ] && grep -qE "^$1([[:space:]]|\$)" "$known_file"; }
pass=0 fail=0 xfail=0
for n in $names; do
    [ -f "$src/$n.c" ] || { echo "SKIP $n (no such test)"; continue; }
    flags=(-std=gnu11 -O1 -g -Wall -Werror -pthread)
    case $n in *fortify*) flags+=(-O2 -D_FORTIFY_SOURCE=2) ;; esac
    if ! gcc "${flags[@]}" -I"$src" -o "$tmp/$n" "$src/$n.c" 2>"$tmp/$n.cc"; then
        echo "BROKEN $n (does not compile)"; fail=$((fail + 1)); continue
    fi
    (cd "$tmp" && timeout 60 env LD_PRELOAD="$lib" "./$n" </dev/null >"$n.plain" 2>&1)
    want=$?
    (cd "$tmp" && timeout 300 env LD_PRELOAD="$lib" valgrind -q --trace-children=no \
        --error-exitcode=99 --child-silent-after-fork=yes "${supp[@]}" \
        --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        "./$n" </dev/null >"$n.out" 2>"$n.vg")
    rc=$?
    if [ "$rc" = 99 ] || grep -q '^==[0-9]*== ' "$tmp/$n.vg"; then
        if known "$n"; then
            echo "XFAIL $n (known: $(grep -E "^$n" "$known_file" | head -n 1 | sed -E 's/^[^[:space:]]+[[:space:]]+//'))"
            grep -E '^==[0-9]*== +(at|by) .*repoll|^==[0-9]*== [A-Z0-9]' "$tmp/$n.vg" | head -n 12 | sed 's/^/    /'
            xfail=$((xfail + 1))
            continue
        fi
        echo "FAIL $n (valgrind errors)"
        grep '^==[0-9]*== ' "$tmp/$n.vg" | head -n 60 | sed 's/^/    /'
        fail=$((fail + 1))
    elif [ "$rc" != "$want" ]; then
        echo "FAIL $n (exit $rc under valgrind, $want without)"
        tail -n 15 "$tmp/$n.out" | sed 's/^/    /'
        fail=$((fail + 1))
    else
        if known "$n"; then echo "XPASS $n (listed in valgrind-known.txt but clean now)"; else echo "PASS $n"; fi
        pass=$((pass + 1))
    fi
done
echo "valgrind: $pass passed, $fail failed, $xfail known findings (tests/hardening/valgrind-known.txt)"
[ "$fail" = 0 ]
