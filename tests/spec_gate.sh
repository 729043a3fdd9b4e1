#!/usr/bin/env bash
# spec_gate.sh LIB - run the shared epoll spec suite under LD_PRELOAD=LIB and
# fail only on failures that are not known limits of a preload.
#
# The suite is ../shared/epoll-spec/experiments/run_all.sh (override the
# directory with EPOLL_SPEC_DIR). It runs only under the library: natively it
# describes the kernel and is the spec's own business.
#
# tests/spec-gaps.txt lists the check IDs a preload cannot pass, one per line
# "ID  reason" ('#' comments and blank lines allowed). A run fails when
#   - a "FAIL <ID>" line names an ID that is neither K- (kernel-only detail,
#     see the spec README) nor listed in spec-gaps.txt, or
#   - a program did not build or crashed / timed out (FAIL BUILD-x, FAIL RUN-x:
#     never excused by the list), or
#   - the suite did not reach its summary line.
# It prints the suite's summary lines, the unexpected failures, the listed gaps
# that now pass (the list can shrink) and the listed IDs the suite never
# printed (renamed or removed), and ends with "N passed, N failed" where
# passed counts the suite's non-K ok checks and failed the unexpected failures.
#
# The suite is run with VERBOSE=1 so that "ok ID" lines are captured too (that
# is how a listed gap is seen passing); the full log is kept only with KEEP=1.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lib=${1:-}
if [ -z "$lib" ] || [ ! -f "$lib" ]; then
    echo "usage: bash tests/spec_gate.sh /abs/path/librepoll.so (library not found: '${lib}')" >&2
    exit 2
fi
lib=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")
spec=${EPOLL_SPEC_DIR:-$root/../shared/epoll-spec}
runner=$spec/experiments/run_all.sh
gaps=$root/tests/spec-gaps.txt
if [ ! -f "$runner" ]; then
    echo "spec_gate: $runner not found (set EPOLL_SPEC_DIR)" >&2
    exit 2
fi
if [ ! -f "$gaps" ]; then
    echo "spec_gate: $gaps not found" >&2
    exit 2
fi

log=$(mktemp "${TMPDIR:-/tmp}/repoll-spec.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
    echo "# keeping the full log in $log"
else
    trap 'rm -f "$log"' EXIT
fi

echo "# spec suite: $runner"
echo "# library:    $lib"
REPOLL_LIB=$lib VERBOSE=1 bash "$runner" >"$log" 2>&1
rc=$?

# Listed IDs, in file order.
mapfile -t listed < <(sed -e 's/#.*//' "$gaps" | awk 'NF { print $1 }')
is_listed() {
    local id
    for id in "${listed[@]}"; do [ "$id" = "$1" ] && return 0; done
    return 1
}

echo "# --- suite summary"
grep -E '^# [A-Za-z0-9_]+ +[0-9]+ ok' "$log"
grep -E '^(skipped: |kernel-only \(K-\): )' "$log"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
if [ -n "$summary" ]; then
    echo "suite total (non-K): $summary"
fi

unexpected=()
expected=()
while read -r _ id rest; do
    case $id in
        K-*) ;;
        RUN-*|BUILD-*) unexpected+=("$id $rest") ;;
        *)
            if is_listed "$id"; then
                expected+=("$id")
            else
                unexpected+=("$id $rest")
            fi
            ;;
    esac
done < <(grep -E '^FAIL ' "$log")

if [ -z "$summary" ]; then
    unexpected+=("SUMMARY the suite ended without its 'N passed, N failed' line (exit status $rc); last lines: $(tail -n 3 "$log" | tr '\n' '|')")
elif [ "$rc" -ne 0 ] && [ "${summary#* passed, }" = "0 failed" ]; then
    unexpected+=("EXIT the suite exited $rc without a non-K failure")
fi

now_pass=()
never_seen=()
for id in "${listed[@]}"; do
    if grep -qE "^FAIL $id( |\$)" "$log"; then
        continue
    elif grep -qE "^ok $id( |\$)" "$log"; then
        now_pass+=("$id")
    else
        never_seen+=("$id")
    fi
done

echo "# --- listed gaps failing as expected: ${#expected[@]} of ${#listed[@]}${expected[*]:+ (${expected[*]})}"
if [ "${#now_pass[@]}" -gt 0 ]; then
    echo "# --- listed gaps that now PASS (remove them from tests/spec-gaps.txt):"
    printf 'PASS %s\n' "${now_pass[@]}"
fi
if [ "${#never_seen[@]}" -gt 0 ]; then
    echo "# --- listed gaps the suite never printed (renamed? program crashed?):"
    printf 'UNSEEN %s\n' "${never_seen[@]}"
fi
if [ "${#unexpected[@]}" -gt 0 ]; then
    echo "# --- unexpected failures:"
    printf 'FAIL %s\n' "${unexpected[@]}"
fi

passed=$(grep -c '^ok [^K]' "$log")
echo "${passed} passed, ${#unexpected[@]} failed"
[ "${#unexpected[@]}" -eq 0 ]
