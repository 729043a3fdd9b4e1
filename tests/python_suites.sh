#!/usr/bin/env bash
# python_suites.sh [MODULE...] - CPython's own epoll tests, natively and
# under repoll, must give the same counts.
#
# For each MODULE (default: test_epoll test_selectors test_asyncio) runs
# `python3 -m test -jJOBS MODULE` twice: natively, then with
# LD_PRELOAD=<abs path of target/release/librepoll.so> given to the python
# process only (`env LD_PRELOAD=... python3 -m test`; timeout(1) is not
# preloaded). Each run has a 600 s timeout. The two runs of a module are
# compared on the final summary of regrtest (Python 3.11.7):
#     Total tests: run=N failures=N skipped=N     (absent counts are 0)
#     Result: SUCCESS | FAILURE | ...
# and the script fails unless run, failures, skipped and the result are the
# same. A regrtest without the "Total tests:" line (Debian's 3.11.2) is run
# with -v instead and the counts are added up from unittest's own
# "Ran N tests" / "OK (skipped=N)" / "FAILED (failures=N, errors=N)" lines.
#
# The interpreter: $PYTHON if set, else the first of python3 on PATH,
# ~/.pyenv/versions/3*/bin/python3, /usr/bin/python3 that has the test
# package (test.libregrtest and the modules). The pyenv shim is resolved to
# the real executable (sys.executable), so the preload reaches python itself
# and not the shim's bash. If none has it and Debian's python3 is present,
# `apt-get install -y libpython3.X-testsuite` is tried (root only).
#
#   REPOLL_LIB   library to preload (default target/release/librepoll.so)
#   JOBS         regrtest worker processes (-jJOBS, default 2; the
#                workers inherit LD_PRELOAD). test_asyncio is a package of
#                ~30 test files: about 45 s per run with -j2 on 2 cores.
#   KEEP=1       keep the two full logs
#
# Output: per module both summaries and SAME or DIFFERENT, then exactly one
# line "N passed, N failed" counting the modules whose runs match or not.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
modules=("$@")
[ "${#modules[@]}" -gt 0 ] || modules=(test_epoll test_selectors test_asyncio)
timeout_s=600
jobs=${JOBS:-2}

lib=${REPOLL_LIB:-$root/target/release/librepoll.so}
if [ ! -f "$lib" ]; then
    echo "python_suites: library not found: $lib (run 'make' first)" >&2
    echo "0 passed, 1 failed"
    exit 2
fi
lib=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")

# has_suites PY: PY imports regrtest and every module asked for.
has_suites() {
    local imports="import test.libregrtest" m
    for m in "${modules[@]}"; do imports="$imports, test.$m"; done
    "$1" -c "$imports" >/dev/null 2>&1
}

find_python() {
    local c real
    for c in ${PYTHON:-} python3 "${HOME:-/root}"/.pyenv/versions/3*/bin/python3 /usr/bin/python3; do
        command -v "$c" >/dev/null 2>&1 || continue
        real=$("$c" -c 'import sys; print(sys.executable)' 2>/dev/null) || continue
        [ -n "$real" ] && [ -x "$real" ] || continue
        if has_suites "$real"; then
            echo "$real"
            return 0
        fi
    done
    return 1
}

py=$(find_python)
if [ -z "$py" ] && [ -x /usr/bin/python3 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    ver=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    echo "# no python with the test package; installing libpython$ver-testsuite"
    if ! apt-get install -y "libpython$ver-testsuite" >/dev/null 2>&1; then
        apt-get update >/dev/null 2>&1
        apt-get install -y "libpython$ver-testsuite" >/dev/null 2>&1
    fi
    py=$(find_python)
fi
if [ -z "$py" ]; then
    echo "python_suites: no python3 with the test package (test.libregrtest, ${modules[*]})" >&2
    echo "0 passed, 1 failed"
    exit 2
fi

verbose_flag=()
if ! grep -qs 'Total tests:' "$(dirname "$("$py" -c 'import test.libregrtest as m; print(m.__file__)')")"/*.py; then
    verbose_flag=(-v)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/repoll-pysuites.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
    echo "# keeping logs in $tmp"
else
    trap 'rm -rf "$tmp"' EXIT
fi

echo "# python:  $py ($("$py" -c 'import sys; print(sys.version.split()[0])'))"
echo "# library: $lib"
echo "# modules: ${modules[*]} (-j$jobs)"

# run TAG MODULE [LIB]: one regrtest run from an empty directory; the log
# goes to $tmp/TAG.MODULE.log, the exit status to .rc
run() {
    local tag=$1 mod=$2 pre=${3:-} rc
    local -a cmd=("$py" -m test "-j$jobs" "${verbose_flag[@]}" "$mod")
    [ -n "$pre" ] && cmd=(env LD_PRELOAD="$pre" "${cmd[@]}")
    mkdir -p "$tmp/$tag.$mod.cwd"
    (cd "$tmp/$tag.$mod.cwd" && timeout -k 10 "$timeout_s" "${cmd[@]}" </dev/null >"$tmp/$tag.$mod.log" 2>&1)
    rc=$?
    echo "$rc" >"$tmp/$tag.$mod.rc"
}

# summary LOGBASE: prints "run=N failures=N skipped=N result=R" from LOGBASE.log
summary() {
    local log=$tmp/$1.log
    if [ "${#verbose_flag[@]}" -eq 0 ]; then
        awk '
            /^Total tests: / {
                run = fail = skip = 0
                for (i = 3; i <= NF; i++) {
                    split($i, kv, "="); v = kv[2]; gsub(",", "", v)
                    if (kv[1] == "run") run = v + 0
                    else if (kv[1] == "failures") fail = v + 0
                    else if (kv[1] == "skipped") skip = v + 0
                }
                seen = 1
            }
            /^Result: / { sub(/^Result: /, ""); gsub(/ /, "_"); result = $0 }
            END {
                if (!seen) { run = fail = skip = "?" }
                if (result == "") result = "none"
                printf "run=%s failures=%s skipped=%s result=%s\n", run, fail, skip, result
            }' "$log"
    else
        awk '
            /^Ran [0-9]+ tests? in / { run += $2; seen = 1 }
            /^(OK|FAILED) \(/ {
                s = $0; sub(/^[A-Z]+ \(/, "", s); sub(/\)$/, "", s)
                n = split(s, parts, ", ")
                for (i = 1; i <= n; i++) {
                    split(parts[i], kv, "=")
                    if (kv[1] == "failures" || kv[1] == "errors") fail += kv[2]
                    else if (kv[1] == "skipped") skip += kv[2]
                }
            }
            /^(Tests )?[Rr]esult: / { sub(/^(Tests )?[Rr]esult: /, ""); gsub(/ /, "_"); result = $0 }
            END {
                if (!seen) { run = fail = skip = "?" }
                if (result == "") result = "none"
                printf "run=%d failures=%d skipped=%d result=%s\n", run, fail, skip, result
            }' "$log"
    fi
}

# details LOGBASE: regrtest's closing lines and the names of failed tests
details() {
    grep -E '^(Total tests|Total test files|Result|Tests result): |^(FAIL|ERROR): ' "$tmp/$1.log" | sed 's/^/      /'
}

passed=0
failed=0
for mod in "${modules[@]}"; do
    run native "$mod"
    run preload "$mod" "$lib"
    n=$(summary "native.$mod")
    p=$(summary "preload.$mod")
    echo "# $mod"
    echo "    native  (exit $(cat "$tmp/native.$mod.rc")): $n"
    details "native.$mod"
    echo "    preload (exit $(cat "$tmp/preload.$mod.rc")): $p"
    details "preload.$mod"
    if [ "$n" = "$p" ] && [[ $n != run=\?* ]]; then
        echo "SAME $mod"
        passed=$((passed + 1))
    else
        echo "DIFFERENT $mod"
        echo "    --- last 30 lines of the preload run"
        tail -n 30 "$tmp/preload.$mod.log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
