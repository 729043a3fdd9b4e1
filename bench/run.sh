#!/usr/bin/env bash
# bench/run.sh - repoll's benchmark (issues 5 and 8), run by `make bench`.
#
# Runs, side by side in one invocation, the kernel's epoll and repoll
# (librepoll.so preloaded) and prints ratios to the kernel:
#   1. dead connections  bench/deadconn.c: 1-byte ping-pong through epoll_wait
#                        with N idle registered descriptors (LT, ET, plain poll);
#                        also the time of N epoll_ctl(ADD)
#   2. token ring        bench/ring.c: K threads, one epoll instance each
#   3. real servers      redis-server + redis-benchmark (also with 10 000 idle
#                        connections, bench/idleconn.c), nginx + wrk; native,
#                        repoll, repoll tracing to a file, repoll lint=1, strace
#   4. memory            VmRSS per registered descriptor at the largest N
# Every measurement is the median of several runs; the runs of the
# variants being compared are interleaved (round robin), so that load from
# elsewhere on the machine hits them alike. The tables go to stdout and to
# BENCH.md with the machine they ran on. Raw numbers and logs: bench/out/.
#
# Knobs (environment):
#   BENCH_QUICK=1            1 run, short durations, fewer requests, 1000 idle
#   BENCH_RUNS=N             runs per measurement (median) for every section;
#                            by default 5 for deadconn and ring, 3 for redis,
#                            5 for nginx (BENCH_MICRO_RUNS, BENCH_REDIS_RUNS,
#                            BENCH_NGINX_RUNS set one)
#   BENCH_DURATION_MS=500    measured time of one deadconn/ring run
#   BENCH_WARMUP_MS=300      round trips before that (lets a hot/cold core
#                            demote the idle descriptors first)
#   BENCH_SECTIONS="deadconn ring redis nginx"   which sections to run
#   BENCH_NS="0 100 1000 10000 max"   idle descriptors (deadconn)
#   BENCH_KS="2 16 256"      ring sizes
#   BENCH_HEADROOM=64        descriptors left free for the library at N=max
#   BENCH_NMAX_CAP=100000    N=max never exceeds this (for huge hard limits)
#   BENCH_REDIS_N=100000     redis-benchmark requests per test (-n)
#   BENCH_REDIS_STRACE_N     requests under strace (default BENCH_REDIS_N/5)
#   BENCH_REDIS_IDLE_N       requests with the idle connections (BENCH_REDIS_N/2)
#   BENCH_IDLE=10000         idle connections held open to redis (0: skip)
#   BENCH_WRK_SECS=3         wrk duration per run
#   BENCH_TRACE_FORMAT=text  trace format of the "trace" runs (text|json|chrome)
#   BENCH_BUDGET_DEADCONN=150, BENCH_BUDGET_RING=50, BENCH_BUDGET_REDIS=240,
#   BENCH_BUDGET_NGINX=130   seconds per section: the first run always
#                            happens, further runs only while they fit
#   BENCH_DEADLINE=510       seconds after which no section starts another run
#                            (a section not started by then is skipped)
#   BENCH_PIN=CPUS|none      CPUs for the micro-benchmarks (deadconn, ring):
#                            default the last CPU alone, so that a round trip
#                            costs CPU time rather than cross-CPU wake-up
#                            latency, which on a shared machine is mostly noise;
#                            "none" lets the scheduler place the threads
#   BENCH_MD=FILE            where the report goes (default BENCH.md; with
#                            BENCH_QUICK=1 bench/out/BENCH.quick.md)
#   BENCH_NOTE=TEXT          a line added to the report (e.g. "loaded machine")
#   REPOLL_LIB=PATH          the library to measure (default target/release)
# Exit status: 0 when every run worked (whether or not targets were met),
# 1 when some run failed (crash, hang, wrong result: see the FAILURES list),
# 2 when the harness itself cannot run.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out
LIB=${REPOLL_LIB:-$ROOT/target/release/librepoll.so}
# Only the programs under test are ever preloaded.
unset LD_PRELOAD REPOLL_OPTIONS REPOLL_LIBRARY

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
    d_micro=1 d_redis=1 d_nginx=1 d_dur=300 d_redis_n=20000 d_idle=1000 d_wrk=2 d_md=$OUT/BENCH.quick.md
else
    d_micro=5 d_redis=3 d_nginx=5 d_dur=500 d_redis_n=100000 d_idle=10000 d_wrk=3 d_md=$ROOT/BENCH.md
fi
RUNS_MICRO=${BENCH_MICRO_RUNS:-${BENCH_RUNS:-$d_micro}}
RUNS_REDIS=${BENCH_REDIS_RUNS:-${BENCH_RUNS:-$d_redis}}
RUNS_NGINX=${BENCH_NGINX_RUNS:-${BENCH_RUNS:-$d_nginx}}
DUR=${BENCH_DURATION_MS:-$d_dur}
WARM=${BENCH_WARMUP_MS:-$([ "$QUICK" = 1 ] && echo 100 || echo 300)}
SECTIONS=${BENCH_SECTIONS:-deadconn ring redis nginx}
NS=${BENCH_NS:-0 100 1000 10000 max}
KS=${BENCH_KS:-2 16 256}
HEADROOM=${BENCH_HEADROOM:-64}
NMAX_CAP=${BENCH_NMAX_CAP:-100000}
REDIS_N=${BENCH_REDIS_N:-$d_redis_n}
REDIS_STRACE_N=${BENCH_REDIS_STRACE_N:-$((REDIS_N / 5))}
REDIS_IDLE_N=${BENCH_REDIS_IDLE_N:-$((REDIS_N / 2))}
IDLE=${BENCH_IDLE:-$d_idle}
WRK_SECS=${BENCH_WRK_SECS:-$d_wrk}
TRACE_FORMAT=${BENCH_TRACE_FORMAT:-text}
PIN=${BENCH_PIN:-$(($(nproc) - 1))}
[ "$PIN" = none ] && PIN=""
MD=${BENCH_MD:-$d_md}
NOTE=${BENCH_NOTE:-}
SERVER_LIFETIME=900 # seconds; a server left behind by a killed run dies by itself

mkdir -p "$OUT"
RAW=$OUT/raw.tsv
LOG=$OUT/bench.log
: >"$RAW"
: >"$LOG"
FAILURES=()
TMP=$(mktemp -d "${TMPDIR:-/tmp}/repoll-bench.XXXXXX") || exit 2
PGIDS=()   # process groups of the servers we started
HELPERS=() # pids of idleconn helpers

say() { printf '%s\n' "$*"; printf '%s\n' "$*" >>"$LOG"; }
note() { printf '[%4ds] %s\n' "$SECONDS" "$*" | tee -a "$LOG" >&2; }

# --- cleanup: every server and helper we started is stopped, even on failure.
# The group's id is the pid of its leader (setsid, then timeout): `kill -0
# PID` says whether the server is up; `kill -- -PGID` reaches all of it.
# (Right after the start the group may not exist yet: setsid runs in the
# child after the fork.)
stop_group() { # PGID
    local pg=$1 i
    kill -0 -- "-$pg" 2>/dev/null || kill -0 "$pg" 2>/dev/null || return 0
    kill -TERM "$pg" 2>/dev/null
    kill -TERM -- "-$pg" 2>/dev/null
    for i in $(seq 50); do
        kill -0 -- "-$pg" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pg" 2>/dev/null
    kill -KILL "$pg" 2>/dev/null
    wait "$pg" 2>/dev/null
    forget PGIDS "$pg" # reaped: its pid may be reused, never signal it again
    return 0
}
forget() { # ARRAY ID: remove ID from the array
    local -n arr=$1
    local x keep=()
    for x in "${arr[@]}"; do [ "$x" = "$2" ] || keep+=("$x"); done
    arr=("${keep[@]}")
}
stop_helper() { # PID
    kill -TERM "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    forget HELPERS "$1"
}
cleanup() {
    local pg p
    for p in "${HELPERS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    for pg in "${PGIDS[@]}"; do stop_group "$pg"; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'note "interrupted"; exit 130' INT TERM HUP

# --- results: raw.tsv holds "section config variant key value" per run.
CUR_RUN=0 # the round the next records belong to (6th column)
rec() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$CUR_RUN" >>"$RAW"; }
fail() { # SECTION CONFIG VARIANT MESSAGE
    FAILURES+=("$1 $2 $3: $4")
    rec "$1" "$2" "$3" fail 1
    note "FAIL $1 $2 $3: $4"
}
med() { # SECTION CONFIG VARIANT KEY -> median of the runs, or empty
    awk -F'\t' -v s="$1" -v c="$2" -v v="$3" -v k="$4" \
        '$1==s && $2==c && $3==v && $4==k {print $5}' "$RAW" | sort -g |
        awk '{a[NR]=$1} END {if (NR) {if (NR%2) print a[(NR+1)/2]; else printf "%.6g\n", (a[NR/2]+a[NR/2+1])/2}}'
}
# pratio SECTION CONFIG VARIANT BASE KEY -> median over the rounds of
# VARIANT/BASE measured in the same round (paired: load that hits a whole
# round cancels out), "n/a" without a pair.
pratio() {
    awk -F'\t' -v s="$1" -v c="$2" -v v="$3" -v b="$4" -v k="$5" \
        '$1==s && $2==c && $4==k { if ($3==v) x[$6]=$5; if ($3==b) y[$6]=$5 }
         END { for (r in x) if ((r in y) && y[r] > 0) print x[r] / y[r] }' "$RAW" | sort -g |
        awk '{a[NR]=$1} END {if (!NR) print "n/a"; else if (NR%2) printf "%.2f\n", a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'
}
nfail() { awk -F'\t' -v s="$1" -v c="$2" -v v="$3" '$1==s && $2==c && $3==v && $4=="fail"' "$RAW" | wc -l; }
kv() { # KEY LINE -> value of KEY=value in LINE
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
# mark RATIO TARGET -> ok / BELOW / n/a ("-" when there is no target)
mark() {
    if [ -z "$2" ]; then echo "-"; return; fi
    awk -v r="$1" -v t="$2" 'BEGIN { if (r == "n/a" || r == "") print "n/a"; else if (r + 0 >= t + 0) print "ok"; else print "BELOW" }'
}
fmt() { awk -v x="$1" 'BEGIN { if (x == "") print "FAIL"; else if (x >= 100) printf "%.0f\n", x; else printf "%.3g\n", x }'; }
cell() { # SECTION CONFIG VARIANT KEY -> median, or FAIL(n) / FAIL
    local m f
    m=$(med "$1" "$2" "$3" "$4")
    f=$(nfail "$1" "$2" "$3")
    if [ -z "$m" ] && [ "$f" -eq 0 ]; then echo "not run"; elif [ -z "$m" ]; then echo "FAIL"; elif [ "$f" -gt 0 ]; then echo "$(fmt "$m") (${f} failed)"; else fmt "$m"; fi
}

# --- preparation -------------------------------------------------------------
note "repoll benchmark: runs=$RUNS_MICRO/$RUNS_REDIS/$RUNS_NGINX duration=${DUR}ms sections='$SECTIONS' quick=$QUICK"
if [ -f "$ROOT/scripts/install-deps.sh" ]; then
    bash "$ROOT/scripts/install-deps.sh" bench >>"$LOG" 2>&1 ||
        note "install-deps failed (not root?): sections whose programs are missing are skipped"
fi
if [ ! -f "$LIB" ]; then
    note "building $LIB"
    (cd "$ROOT" && cargo build --release) >>"$LOG" 2>&1 || { note "cargo build failed"; exit 2; }
fi
[ -f "$LIB" ] || { note "no library at $LIB"; exit 2; }
case $LIB in /*) ;; *) LIB=$(cd "$(dirname "$LIB")" && pwd)/$(basename "$LIB") ;; esac
CC=${CC:-cc}
for p in deadconn ring idleconn; do
    $CC -O2 -pthread -Wall -o "$OUT/$p" "$ROOT/bench/$p.c" 2>>"$LOG" || { note "cannot compile bench/$p.c (see $LOG)"; exit 2; }
done
# Descriptors: the servers and the idle-connection helper need many.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
HARD_NOFILE=$(ulimit -Hn)
PINCMD=()
if [ -n "$PIN" ]; then
    if command -v taskset >/dev/null 2>&1 && taskset -c "$PIN" true 2>/dev/null; then
        PINCMD=(taskset -c "$PIN")
    else
        note "cannot pin to CPU(s) '$PIN' (taskset missing or bad list): not pinned"
        PIN=""
    fi
fi
have() { command -v "$1" >/dev/null 2>&1; }
# rotate RUN WORD... : the words rotated by RUN-1, so that no variant always
# runs first (or right after another) in every round.
rotate() {
    local r=$1
    shift
    local a=("$@") k
    k=$(((r - 1) % ${#a[@]}))
    echo "${a[@]:k}" "${a[@]:0:k}"
}
# Time budgets per section (seconds): run 1 always happens; a further run
# starts only if, at the average pace so far, it ends within the budget.
# Keeps `make bench` under 10 minutes even when repoll is slow.
BUDGET_DEAD=${BENCH_BUDGET_DEADCONN:-150}
BUDGET_RING=${BENCH_BUDGET_RING:-50}
BUDGET_REDIS=${BENCH_BUDGET_REDIS:-240}
BUDGET_NGINX=${BENCH_BUDGET_NGINX:-130}
BUDGET_NOTES=()
section_start() { SEC_NAME=$1 SEC_BUDGET=$2 SEC_RUNS=$3 SEC_T0=$SECONDS; }
DEADLINE=${BENCH_DEADLINE:-510}
budget_allows() { # RUN
    local r=$1 used=$((SECONDS - SEC_T0))
    if [ "$SECONDS" -ge "$DEADLINE" ]; then
        note "$SEC_NAME: overall deadline ${DEADLINE}s passed; runs $r.. skipped"
        BUDGET_NOTES+=("$SEC_NAME: $((r - 1)) of $SEC_RUNS runs (overall deadline ${DEADLINE}s passed; BENCH_DEADLINE=SECONDS to change)")
        return 1
    fi
    [ "$r" -le 1 ] && return 0
    if [ $((used + used / (r - 1))) -gt "$SEC_BUDGET" ]; then
        note "$SEC_NAME: time budget ${SEC_BUDGET}s reached after $((r - 1)) run(s) of $SEC_RUNS; remaining runs skipped"
        BUDGET_NOTES+=("$SEC_NAME: $((r - 1)) of $SEC_RUNS runs (time budget ${SEC_BUDGET}s reached; BENCH_BUDGET_${SEC_NAME^^}=SECONDS to change)")
        return 1
    fi
    return 0
}
want_section() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. dead connections and memory -----------------------------------------
DEAD_VARIANTS="k-lt r-lt k-et r-et poll"
run_dead() { # VARIANT N RUN
    local v=$1 n=$2 mode env=() want=kernel line rc
    case $v in
        k-lt) mode=lt ;; k-et) mode=et ;; poll) mode=poll ;;
        r-lt) mode=lt env=(LD_PRELOAD="$LIB") want=repoll ;;
        r-et) mode=et env=(LD_PRELOAD="$LIB") want=repoll ;;
    esac
    local arg=$n
    # On machines with a huge hard limit, N=max is capped (time, memory).
    [ "$n" = max ] && [ "$HARD_NOFILE" != unlimited ] && [ "$HARD_NOFILE" -gt $((NMAX_CAP + HEADROOM + 16)) ] && arg=$NMAX_CAP
    [ "$n" = max ] && [ "$HARD_NOFILE" = unlimited ] && arg=$NMAX_CAP
    line=$(timeout -k 5 $(((DUR + WARM) / 1000 + 40)) env "${env[@]}" "${PINCMD[@]}" \
        "$OUT/deadconn" "$mode" "$arg" "$DUR" "$HEADROOM" "$WARM" 2>>"$LOG")
    rc=$?
    printf '%s %s run %s: rc=%s %s\n' "$v" "$n" "$3" "$rc" "$line" >>"$LOG"
    if [ $rc -ne 0 ] || [ -z "$line" ]; then
        fail dead "$n" "$v" "exit status $rc$([ $rc = 124 ] && echo ' (timeout: hang?)')"
        return
    fi
    if [ "$(kv epoll "$line")" != "$want" ]; then
        fail dead "$n" "$v" "served by $(kv epoll "$line") epoll, expected $want"
        return
    fi
    local k
    for k in n rtps reg_ns rss_a rss_b rss_c rss_d; do rec dead "$n" "$v" "$k" "$(kv "$k" "$line")"; done
}
if want_section deadconn; then
    section_start deadconn "$BUDGET_DEAD" "$RUNS_MICRO"
    for run in $(seq "$RUNS_MICRO"); do
        CUR_RUN=$run
        budget_allows "$run" || break
        for n in $NS; do
            note "deadconn run $run/$RUNS_MICRO N=$n"
            for v in $(rotate "$run" $DEAD_VARIANTS); do run_dead "$v" "$n" "$run"; done
        done
    done
fi

# --- 2. token ring --------------------------------------------------------------
run_ring() { # VARIANT K RUN
    local v=$1 k=$2 env=() want=kernel line rc
    [ "$v" = repoll ] && env=(LD_PRELOAD="$LIB") want=repoll
    line=$(timeout -k 5 $(((DUR + WARM) / 1000 + 40)) env "${env[@]}" "${PINCMD[@]}" \
        "$OUT/ring" "$k" "$DUR" "$WARM" 2>>"$LOG")
    rc=$?
    printf 'ring %s %s run %s: rc=%s %s\n' "$v" "$k" "$3" "$rc" "$line" >>"$LOG"
    if [ $rc -ne 0 ] || [ -z "$line" ]; then
        fail ring "$k" "$v" "exit status $rc$([ $rc = 124 ] && echo ' (timeout: hang?)')"
        return
    fi
    if [ "$(kv epoll "$line")" != "$want" ]; then
        fail ring "$k" "$v" "served by $(kv epoll "$line") epoll, expected $want"
        return
    fi
    rec ring "$k" "$v" lapsps "$(kv lapsps "$line")"
    rec ring "$k" "$v" hopsps "$(kv hopsps "$line")"
}
if want_section ring; then
    section_start ring "$BUDGET_RING" "$RUNS_MICRO"
    for run in $(seq "$RUNS_MICRO"); do
        CUR_RUN=$run
        budget_allows "$run" || break
        note "ring run $run/$RUNS_MICRO K=$KS"
        for k in $KS; do
            for v in $(rotate "$run" kernel repoll); do run_ring "$v" "$k" "$run"; done
        done
    done
fi

# --- 3. real servers ---------------------------------------------------------------
NEXT_PORT=$((20000 + RANDOM % 10000))
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# free_port: sets PORT to a fresh private port for every server start (so no
# TIME_WAIT of an earlier run is in the way). Not to be run in a subshell.
free_port() {
    local i
    for i in $(seq 200); do
        NEXT_PORT=$((NEXT_PORT + 1))
        [ $NEXT_PORT -ge 32000 ] && NEXT_PORT=20001
        port_in_use $NEXT_PORT || { PORT=$NEXT_PORT; return 0; }
    done
    return 1
}
# start_server VARIANT DIR CMD... : starts CMD in its own session (so the
# whole group, strace and nginx workers included, can be stopped at once),
# preloaded or traced as VARIANT says; sets SRV_PGID.
start_server() {
    local v=$1 dir=$2
    shift 2
    local pre=()
    case $v in
        native) ;;
        repoll) pre=(env LD_PRELOAD="$LIB") ;;
        trace) pre=(env LD_PRELOAD="$LIB" REPOLL_OPTIONS="trace=1:trace_format=$TRACE_FORMAT:log_path=$dir/trace.%p") ;;
        lint) pre=(env LD_PRELOAD="$LIB" REPOLL_OPTIONS="lint=1") ;;
        strace) pre=(strace -f -o /dev/null -e trace=epoll_wait,epoll_ctl) ;;
    esac
    setsid timeout -k 5 "$SERVER_LIFETIME" "${pre[@]}" "$@" >"$dir/stdout.log" 2>"$dir/stderr.log" </dev/null &
    SRV_PGID=$!
    PGIDS+=("$SRV_PGID")
}
wait_port() { # PORT PGID SECONDS
    local i
    for i in $(seq $(($3 * 10))); do
        port_in_use "$1" && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
# check_preload VARIANT PGID: the server processes map librepoll.so exactly
# when they should.
check_preload() {
    local v=$1 pg=$2 p found=0
    for p in $(pgrep -g "$pg" 2>/dev/null); do
        grep -q librepoll "/proc/$p/maps" 2>/dev/null && found=1
    done
    case $v in
        repoll | trace | lint) [ $found = 1 ] ;;
        *) [ $found = 0 ] ;;
    esac
}
# check_trace DIR: the trace files exist, are non-empty and look like FORMAT.
check_trace() {
    local dir=$1 files size first
    files=$(ls "$dir"/trace.* 2>/dev/null)
    [ -n "$files" ] || { echo "no trace file"; return 1; }
    size=$(cat $files | wc -c)
    [ "$size" -gt 0 ] || { echo "trace files empty"; return 1; }
    TRACE_BYTES=$size
    # The biggest file is the server's (nginx: the worker's).
    first=$(ls -S $files | head -1)
    case $TRACE_FORMAT in
        text) grep -q 'epoll_wait(' "$first" || { echo "no epoll_wait( line in $first"; return 1; } ;;
        json)
            if have python3; then
                python3 - "$first" <<'EOF' || { echo "invalid JSON Lines in $first"; return 1; }
import json, sys
n = 0
with open(sys.argv[1]) as f:
    for i, line in enumerate(f):
        if i >= 20000: break
        r = json.loads(line); n += r.get("call", "").startswith("epoll")
sys.exit(0 if n else 1)
EOF
            else
                head -1 "$first" | grep -q '^{' || { echo "not JSON in $first"; return 1; }
            fi ;;
        chrome) head -c 1 "$first" | grep -q '[[{]' || { echo "not JSON in $first"; return 1; } ;;
    esac
    return 0
}
# Lines repoll wrote on the server's stderr (lints, warnings), kept for the log.
lint_lines() {
    local n
    n=$(grep -c 'repoll\[' "$1/stderr.log" 2>/dev/null)
    [ "${n:-0}" -gt 0 ] && { echo "--- repoll lines on stderr ($1):"; grep 'repoll\[' "$1/stderr.log" | head -20; } >>"$LOG"
    echo "${n:-0}"
}

# A server that does not come up (say another program took the port first)
# gets a second start on another port.
ATTEMPT=1
retry() {
    ATTEMPT=1
    "$@"
    [ $? = 75 ] || return 0
    ATTEMPT=2
    "$@"
    ATTEMPT=1
}
REDIS_TIMEOUT=${BENCH_REDIS_TIMEOUT:-150} # seconds for one redis-benchmark
REDIS_VARIANTS="native repoll trace lint strace"
IDLE_VARIANTS="native repoll trace lint"
run_redis() { # VARIANT IDLE RUN
    local v=$1 idle=$2 run=$3 cfg=plain port dir n=$REDIS_N csv rc set get i cc hp
    [ "$idle" -gt 0 ] && cfg=idle n=$REDIS_IDLE_N
    [ "$v" = strace ] && n=$REDIS_STRACE_N
    free_port || { fail redis $cfg "$v" "no free port"; return; }
    port=$PORT
    dir=$TMP/redis.$port
    mkdir -p "$dir"
    start_server "$v" "$dir" redis-server --port "$port" --bind 127.0.0.1 --protected-mode no \
        --save '' --appendonly no --dir "$dir" --maxclients $((idle + 100 > 10100 ? idle + 100 : 10100)) \
        --daemonize no --logfile "$dir/redis.log"
    local pg=$SRV_PGID
    if ! wait_port "$port" "$pg" 20; then
        cat "$dir/stderr.log" "$dir/redis.log" >"$OUT/redis-fail.$v.$cfg.log" 2>/dev/null
        stop_group "$pg"
        if [ "$ATTEMPT" = 1 ]; then note "redis $v did not start on port $port; retrying on another"; return 75; fi
        fail redis $cfg "$v" "server did not start (see bench/out/redis-fail.$v.$cfg.log)"
        return
    fi
    if ! check_preload "$v" "$pg"; then
        fail redis $cfg "$v" "librepoll.so mapped where it should not be, or not mapped"
        stop_group "$pg"; return
    fi
    hp=""
    if [ "$idle" -gt 0 ]; then
        local t_idle=$SECONDS
        "$OUT/idleconn" "$port" "$idle" "$SERVER_LIFETIME" >"$dir/idle.out" 2>>"$LOG" &
        hp=$!
        HELPERS+=("$hp")
        cc=0
        for i in $(seq 900); do # up to 90 s for the server to take them all
            cc=$(timeout 5 redis-cli -h 127.0.0.1 -p "$port" info clients 2>/dev/null | tr -d '\r' | sed -n 's/^connected_clients://p')
            [ "${cc:-0}" -gt "$idle" ] && break
            kill -0 "$hp" 2>/dev/null || break
            sleep 0.1
        done
        if [ "${cc:-0}" -le "$idle" ]; then
            fail redis $cfg "$v" "only ${cc:-0} clients connected of $idle idle (+1)"
            stop_helper "$hp"
            stop_group "$pg"; return
        fi
        echo "redis $v: $idle idle connections accepted in $((SECONDS - t_idle))s" >>"$LOG"
    fi
    local t_bench=$SECONDS
    csv=$(timeout -k 5 "$REDIS_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -n "$n" -t set,get -q --csv 2>>"$LOG")
    rc=$?
    printf 'redis %s %s run %s: rc=%s %ss %s\n' "$v" "$cfg" "$run" "$rc" "$((SECONDS - t_bench))" "$(echo $csv)" >>"$LOG"
    set=$(printf '%s\n' "$csv" | awk -F'"' '$2=="SET" {print $4}')
    get=$(printf '%s\n' "$csv" | awk -F'"' '$2=="GET" {print $4}')
    if [ -n "$hp" ]; then
        # The idle connections must still be there after the benchmark.
        cc=$(timeout 5 redis-cli -h 127.0.0.1 -p "$port" info clients 2>/dev/null | tr -d '\r' | sed -n 's/^connected_clients://p')
        [ "${cc:-0}" -gt "$idle" ] || fail redis $cfg "$v" "idle connections dropped (${cc:-0} left)"
        stop_helper "$hp"
    fi
    if ! kill -0 "$pg" 2>/dev/null; then
        fail redis $cfg "$v" "server died during the benchmark"
    elif [ $rc -ne 0 ] || [ -z "$set" ] || [ -z "$get" ]; then
        fail redis $cfg "$v" "redis-benchmark exit status $rc$([ $rc = 124 ] && echo " (not done in ${REDIS_TIMEOUT}s)")"
    else
        rec redis $cfg "$v" set "$set"
        rec redis $cfg "$v" get "$get"
    fi
    stop_group "$pg"
    if [ "$v" = trace ]; then
        if check_trace "$dir" >"$TMP/why"; then rec redis $cfg "$v" trace_bytes "$TRACE_BYTES"
        else fail redis $cfg "$v" "trace: $(cat "$TMP/why")"; fi
    fi
    case $v in repoll | trace | lint) rec redis $cfg "$v" lint_lines "$(lint_lines "$dir")" ;; esac
    rm -rf "$dir"
}
if want_section redis; then
    if have redis-server && have redis-benchmark && have redis-cli; then
        [ "$IDLE" -gt $((HARD_NOFILE - 200)) ] && { IDLE=$((HARD_NOFILE - 200)); note "idle connections capped at $IDLE by RLIMIT_NOFILE"; }
        have strace || REDIS_VARIANTS="native repoll trace lint"
        section_start redis "$BUDGET_REDIS" "$RUNS_REDIS"
        for run in $(seq "$RUNS_REDIS"); do
            CUR_RUN=$run
            budget_allows "$run" || break
            note "redis run $run/$RUNS_REDIS: $REDIS_VARIANTS"
            for v in $(rotate "$run" $REDIS_VARIANTS); do retry run_redis "$v" 0 "$run"; done
            if [ "$IDLE" -gt 0 ]; then
                note "redis run $run/$RUNS_REDIS with $IDLE idle connections: $IDLE_VARIANTS"
                for v in $(rotate "$run" $IDLE_VARIANTS); do retry run_redis "$v" "$IDLE" "$run"; done
            fi
        done
    else
        note "redis-server/redis-benchmark/redis-cli missing: redis section skipped"
        SKIPPED_REDIS=1
    fi
fi

NGINX_VARIANTS="native repoll trace lint strace"
run_nginx() { # VARIANT RUN
    local v=$1 run=$2 port dir out rc rps
    free_port || { fail nginx wrk "$v" "no free port"; return; }
    port=$PORT
    dir=$TMP/nginx.$port
    mkdir -p "$dir/www" "$dir/tmp"
    head -c 612 /dev/zero | tr '\0' 'x' >"$dir/www/index.html"
    chmod -R a+rX "$dir"
    cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user $(id -un);
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $dir/www;
        location / { }
    }
}
EOF
    start_server "$v" "$dir" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
    local pg=$SRV_PGID
    if ! wait_port "$port" "$pg" 20; then
        cat "$dir/stderr.log" "$dir/error.log" >"$OUT/nginx-fail.$v.log" 2>/dev/null
        stop_group "$pg"
        if [ "$ATTEMPT" = 1 ]; then note "nginx $v did not start on port $port; retrying on another"; return 75; fi
        fail nginx wrk "$v" "server did not start (see bench/out/nginx-fail.$v.log)"
        return
    fi
    # One request by hand: the file is served (status 200).
    local status
    status=$(timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; printf "GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n" >&3; head -1 <&3' _ "$port" 2>/dev/null | tr -d '\r')
    case $status in *" 200"*) ;; *)
        fail nginx wrk "$v" "GET /index.html: '$status'"; stop_group "$pg"; return ;;
    esac
    if ! check_preload "$v" "$pg"; then
        fail nginx wrk "$v" "librepoll.so mapped where it should not be, or not mapped"
        stop_group "$pg"; return
    fi
    out=$(timeout -k 5 $((WRK_SECS + 60)) wrk -t2 -c50 -d"${WRK_SECS}s" "http://127.0.0.1:$port/index.html" 2>>"$LOG")
    rc=$?
    printf 'nginx %s run %s: rc=%s %s\n' "$v" "$run" "$rc" "$(echo $out)" >>"$LOG"
    rps=$(printf '%s\n' "$out" | sed -n 's/^Requests\/sec: *//p')
    if ! kill -0 "$pg" 2>/dev/null; then
        fail nginx wrk "$v" "server died during the benchmark"
    elif [ $rc -ne 0 ] || [ -z "$rps" ]; then
        fail nginx wrk "$v" "wrk exit status $rc"
    elif printf '%s\n' "$out" | grep -q 'Non-2xx\|Socket errors'; then
        fail nginx wrk "$v" "wrk saw errors: $(printf '%s\n' "$out" | grep 'Non-2xx\|Socket errors' | tr -s ' ')"
        rec nginx wrk "$v" rps "$rps"
    else
        rec nginx wrk "$v" rps "$rps"
    fi
    stop_group "$pg"
    if [ "$v" = trace ]; then
        if check_trace "$dir" >"$TMP/why"; then rec nginx wrk "$v" trace_bytes "$TRACE_BYTES"
        else fail nginx wrk "$v" "trace: $(cat "$TMP/why")"; fi
    fi
    case $v in repoll | trace | lint) rec nginx wrk "$v" lint_lines "$(lint_lines "$dir")" ;; esac
    rm -rf "$dir"
}
if want_section nginx; then
    if have nginx && have wrk; then
        have strace || NGINX_VARIANTS="native repoll trace lint"
        section_start nginx "$BUDGET_NGINX" "$RUNS_NGINX"
        for run in $(seq "$RUNS_NGINX"); do
            CUR_RUN=$run
            budget_allows "$run" || break
            note "nginx run $run/$RUNS_NGINX: $NGINX_VARIANTS"
            for v in $(rotate "$run" $NGINX_VARIANTS); do retry run_nginx "$v" "$run"; done
        done
    else
        note "nginx/wrk missing: nginx section skipped"
        SKIPPED_NGINX=1
    fi
fi
END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -------------------------------------------------------------------------
REPORT=$OUT/report.md
{
    echo "# repoll benchmark"
    echo
    echo "Produced by \`make bench\` (bench/run.sh); ratios are repoll / kernel epoll"
    echo "(or / native), each the median over several rounds (see parameters) of the"
    echo "ratio within a round; the variants of a round run back to back. Targets from issues 5, 7 and 8: **ok** = met,"
    echo "**BELOW** = missed, - = no target. How to read the tables: see the end."
    echo
    [ -n "$NOTE" ] && { echo "**Note:** $NOTE"; echo; }
    echo "## Machine"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| nproc | $(nproc) |"
    echo "| CPU | $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) |"
    echo "| kernel | $(uname -srm) |"
    echo "| glibc | $(ldd --version 2>/dev/null | head -1 | sed 's/.* //') |"
    echo "| load average (1/5/15 min) at start, end | $START_LOAD; $END_LOAD |"
    echo "| RLIMIT_NOFILE hard | $HARD_NOFILE |"
    echo "| repoll | src/ at $(git -C "$ROOT" log -1 --format=%h -- src 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (modified)') (tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')), library $LIB |"
    have redis-server && echo "| redis | $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') |"
    have nginx && echo "| nginx | $(nginx -v 2>&1 | sed 's/.*\///') |"
    have wrk && echo "| wrk | $(wrk --version 2>&1 | head -1 | awk '{print $2}') |"
    echo "| parameters | runs (median of): deadconn/ring $RUNS_MICRO, redis $RUNS_REDIS, nginx $RUNS_NGINX; ping-pong/ring ${DUR} ms per run after ${WARM} ms of warm-up, redis-benchmark -c 50 -n $REDIS_N (strace: -n $REDIS_STRACE_N, idle: -n $REDIS_IDLE_N), $IDLE idle redis connections, wrk -t2 -c50 -d${WRK_SECS}s, trace format $TRACE_FORMAT, micro-benchmarks $([ -n "$PIN" ] && echo "pinned to CPU $PIN (taskset)" || echo "not pinned") |"
    echo

    if want_section deadconn; then
        echo "## 1. Dead connections: ping-pong round trips/s with N idle registered descriptors"
        echo
        echo "| N | kernel LT | repoll LT | ratio LT | kernel ET | repoll ET | ratio ET | poll() | poll / kernel LT time | target | mark |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|"
        for n in $NS; do
            kl=$(med dead "$n" k-lt rtps); rl=$(med dead "$n" r-lt rtps)
            ke=$(med dead "$n" k-et rtps); re=$(med dead "$n" r-et rtps)
            pl=$(med dead "$n" poll rtps)
            rlt=$(pratio dead "$n" r-lt k-lt rtps); ret=$(pratio dead "$n" r-et k-et rtps)
            # "poll takes X times epoll's time per round trip"
            pt=$(pratio dead "$n" k-lt poll rtps); [ "$pt" != n/a ] && pt="${pt}x"
            label=$n
            [ "$n" = max ] && label="max ($(med dead max k-lt n))"
            case $n in 0) t=0.6 ;; 10000 | max) t=0.5 ;; *) t="" ;; esac
            ml=$(mark "$rlt" "$t"); me=$(mark "$ret" "$t")
            if [ -z "$t" ]; then m="-"; elif [ "$ml" = ok ] && [ "$me" = ok ]; then m=ok; elif [ "$ml" = n/a ] || [ "$me" = n/a ]; then m=n/a; else m=BELOW; fi
            echo "| $label | $(cell dead "$n" k-lt rtps) | $(cell dead "$n" r-lt rtps) | $rlt | $(cell dead "$n" k-et rtps) | $(cell dead "$n" r-et rtps) | $ret | $(cell dead "$n" poll rtps) | $pt | ${t:+>= $t} | $m |"
        done
        echo
        echo "### Time to register N descriptors (N x epoll_ctl ADD, LT runs)"
        echo
        echo "| N | kernel ms | kernel ns/fd | repoll ms | repoll ns/fd | repoll / kernel time |"
        echo "|---|---|---|---|---|---|"
        for n in $NS; do
            [ "$n" = 0 ] && continue
            nn=$(med dead "$n" k-lt n); [ -z "$nn" ] && nn=$(med dead "$n" r-lt n)
            [ -z "$nn" ] && nn=1
            kr=$(med dead "$n" k-lt reg_ns); rr=$(med dead "$n" r-lt reg_ns)
            row=$(awk -v n="$nn" -v k="$kr" -v r="$rr" 'BEGIN {
                f = "%.2f | %.0f"; ks = (k == "") ? "FAIL | FAIL" : sprintf(f, k/1e6, k/n);
                rs = (r == "") ? "FAIL | FAIL" : sprintf(f, r/1e6, r/n);
                print ks " | " rs }')
            row="$row | $(pratio dead "$n" r-lt k-lt reg_ns)"
            echo "| $n${nn:+ ($nn)} | $row |"
        done | sed 's/| \([0-9]*\) (\1) |/| \1 |/'
        echo
    fi

    if want_section ring; then
        echo "## 2. Token ring: laps/s (one lap = the token through all K threads)"
        echo
        echo "| K | kernel laps/s | repoll laps/s | ratio | kernel hops/s | repoll hops/s | target | mark |"
        echo "|---|---|---|---|---|---|---|---|"
        for k in $KS; do
            r=$(pratio ring "$k" repoll kernel lapsps)
            t=""; [ "$k" = 256 ] && t=0.5
            echo "| $k | $(cell ring "$k" kernel lapsps) | $(cell ring "$k" repoll lapsps) | $r | $(cell ring "$k" kernel hopsps) | $(cell ring "$k" repoll hopsps) | ${t:+>= $t} | $(mark "$r" "$t") |"
        done
        echo
    fi

    if want_section redis && [ -z "${SKIPPED_REDIS:-}" ]; then
        echo "## 3a. redis-server + redis-benchmark (-c 50 -t set,get): requests/s"
        echo
        echo "Ratios are to the native run of the same setup. \"idle\": $IDLE more"
        echo "connections held open, doing nothing, for the whole run."
        echo
        echo "| setup | variant | SET/s | GET/s | ratio SET | ratio GET | target | mark | notes |"
        echo "|---|---|---|---|---|---|---|---|---|"
        for cfg in plain idle; do
            [ $cfg = idle ] && [ "$IDLE" -le 0 ] && continue
            vs=$REDIS_VARIANTS; [ $cfg = idle ] && vs=$IDLE_VARIANTS
            ns=$(med redis $cfg native set); ng=$(med redis $cfg native get)
            for v in $vs; do
                s=$(med redis $cfg "$v" set); g=$(med redis $cfg "$v" get)
                rs=$(pratio redis $cfg "$v" native set); rg=$(pratio redis $cfg "$v" native get)
                case $cfg/$v in
                    */native) t="" ;; plain/repoll) t=0.9 ;; */strace) t="" ;; *) t=0.8 ;;
                esac
                m1=$(mark "$rs" "$t"); m2=$(mark "$rg" "$t")
                if [ -z "$t" ]; then m="-"; elif [ "$m1" = ok ] && [ "$m2" = ok ]; then m=ok; elif [ "$m1" = n/a ] || [ "$m2" = n/a ]; then m=n/a; else m=BELOW; fi
                notes=""
                case $v in
                    native) rs="1"; rg="1"; m="-" ;;
                    trace) b=$(med redis $cfg trace trace_bytes); [ -n "$b" ] && notes="trace $(awk -v b="$b" 'BEGIN{printf "%.1f", b/1048576}') MB ($TRACE_FORMAT), checked" ;;
                    lint) l=$(med redis $cfg lint lint_lines); notes="${l:-?} repoll[...] lines on stderr" ;;
                    repoll) l=$(med redis $cfg repoll lint_lines); [ "${l:-0}" != 0 ] && notes="${l} repoll[...] lines on stderr" ;;
                    strace) notes="strace -f -e trace=epoll_wait,epoll_ctl, -n $REDIS_STRACE_N" ;;
                esac
                echo "| $cfg | $v | $(cell redis $cfg "$v" set) | $(cell redis $cfg "$v" get) | $rs | $rg | ${t:+>= $t} | $m | $notes |"
            done
        done
        echo
    fi

    if want_section nginx && [ -z "${SKIPPED_NGINX:-}" ]; then
        echo "## 3b. nginx (1 worker) + wrk -t2 -c50 -d${WRK_SECS}s, 612-byte static file: requests/s"
        echo
        echo "| variant | requests/s | ratio | target | mark | notes |"
        echo "|---|---|---|---|---|---|"
        nr=$(med nginx wrk native rps)
        for v in $NGINX_VARIANTS; do
            r=$(pratio nginx wrk "$v" native rps)
            case $v in native) t="" r=1 ;; repoll) t=0.9 ;; trace | lint) t=0.8 ;; *) t="" ;; esac
            notes=""
            case $v in
                trace) b=$(med nginx wrk trace trace_bytes); [ -n "$b" ] && notes="trace $(awk -v b="$b" 'BEGIN{printf "%.1f", b/1048576}') MB ($TRACE_FORMAT), checked" ;;
                lint) l=$(med nginx wrk lint lint_lines); notes="${l:-?} repoll[...] lines on stderr" ;;
                repoll) l=$(med nginx wrk repoll lint_lines); [ "${l:-0}" != 0 ] && notes="${l} repoll[...] lines on stderr" ;;
                strace) notes="strace -f -e trace=epoll_wait,epoll_ctl" ;;
            esac
            echo "| $v | $(cell nginx wrk "$v" rps) | $r | ${t:+>= $t} | $(mark "$r" "$t") | $notes |"
        done
        echo
    fi

    if want_section deadconn; then
        echo "## 4. Memory: resident bytes per registered descriptor at N = max"
        echo
        echo "VmRSS before creating the idle descriptors and at the end of the ping-pong"
        echo "(create+register), and just around the N epoll_ctl ADD (register only),"
        echo "per idle descriptor. Natively the kernel's own cost does not show in"
        echo "VmRSS: per registration an epitem (slab eventpoll_epi) and one"
        echo "eppoll_entry per wait queue (slab eventpoll_pwq, often merged into a"
        echo "kmalloc cache and then not listed: 64 B, sizeof on 64-bit). Under repoll"
        echo "there are no epitems; its own memory is in VmRSS. So what repoll adds"
        echo "beyond the kernel is its run's bytes/fd minus the kernel run's minus"
        echo "the kernel's slab bytes per registration."
        echo
        epi=$(awk '$1=="eventpoll_epi" {print $4}' /proc/slabinfo 2>/dev/null)
        pwq=$(awk '$1=="eventpoll_pwq" {print $4}' /proc/slabinfo 2>/dev/null)
        kslab=$(( ${epi:-128} + ${pwq:-64} ))
        echo "Kernel slab per registration: eventpoll_epi ${epi:-128 (not listed)} B + eventpoll_pwq ${pwq:-64 (not listed; sizeof)} B = $kslab B."
        echo
        echo "| mode | N | kernel run: VmRSS B/fd (create+register) | repoll run: VmRSS B/fd (create+register) | repoll: B/fd for register only | repoll - kernel VmRSS | beyond the kernel incl. its slab, B/fd | target | mark |"
        echo "|---|---|---|---|---|---|---|---|---|"
        for m in lt et; do
            nn=$(med dead max "k-$m" n); rn=$(med dead max "r-$m" n)
            ka=$(med dead max "k-$m" rss_a); kc=$(med dead max "k-$m" rss_c)
            ra=$(med dead max "r-$m" rss_a); rb=$(med dead max "r-$m" rss_b); rc=$(med dead max "r-$m" rss_c)
            # Per run deltas would be better than deltas of medians; use per-run.
            kd=$(awk -F'\t' -v v="k-$m" '$1=="dead" && $2=="max" && $3==v {a[$4]=$5} $1=="dead" && $2=="max" && $3==v && $4=="rss_d" {print (a["rss_d"]-a["rss_a"])/a["n"]}' "$RAW" | sort -g | awk '{x[NR]=$1} END {if (NR) print x[int((NR+1)/2)]}')
            rd=$(awk -F'\t' -v v="r-$m" '$1=="dead" && $2=="max" && $3==v {a[$4]=$5} $1=="dead" && $2=="max" && $3==v && $4=="rss_d" {print (a["rss_d"]-a["rss_a"])/a["n"]}' "$RAW" | sort -g | awk '{x[NR]=$1} END {if (NR) print x[int((NR+1)/2)]}')
            rg=$(awk -F'\t' -v v="r-$m" '$1=="dead" && $2=="max" && $3==v {a[$4]=$5} $1=="dead" && $2=="max" && $3==v && $4=="rss_d" {print (a["rss_c"]-a["rss_b"])/a["n"]}' "$RAW" | sort -g | awk '{x[NR]=$1} END {if (NR) print x[int((NR+1)/2)]}')
            diff=$(awk -v r="$rd" -v k="$kd" 'BEGIN { if (r == "" || k == "") print "n/a"; else printf "%.1f\n", r - k }')
            beyond=$(awk -v d="$diff" -v s="$kslab" 'BEGIN { if (d == "n/a") print "n/a"; else printf "%.1f\n", d - s }')
            mm=$(awk -v b="$beyond" 'BEGIN { if (b == "n/a") print "n/a"; else if (b + 0 < 128) print "ok"; else print "BELOW" }')
            echo "| ${m^^} | ${rn:-$nn} | $(fmt "$kd") | $(fmt "$rd") | $(fmt "$rg") | $diff | $beyond | < 128 | $mm |"
        done
        echo
    fi

    if [ ${#BUDGET_NOTES[@]} -gt 0 ]; then
        echo "## Runs cut short by the time budget"
        echo
        for f in "${BUDGET_NOTES[@]}"; do echo "- $f"; done
        echo
    fi
    if [ ${#FAILURES[@]} -gt 0 ]; then
        echo "## FAILURES"
        echo
        for f in "${FAILURES[@]}"; do echo "- $f"; done
        echo
    fi

    cat <<'EOF'
## How to read this

- **ratio** = repoll's throughput / the kernel's (or native) throughput;
  1.00 means as fast as the kernel, 0.50 half as fast. Each round runs
  every variant once, back to back (in a rotating order); a ratio is the
  median over the rounds of the ratio within a round, so load that hits a
  whole round cancels out. Throughputs are medians over the rounds, so a
  ratio need not equal the quotient of the two medians shown. "(n failed)"
  after a number means some runs failed (see FAILURES and
  bench/out/bench.log).
- **Dead connections**: one thread ping-pongs 1 byte over a socketpair
  with a peer thread and waits for the answer in `epoll_wait`, while N
  never-ready descriptors (both ends of N/2 idle socketpairs) are registered
  in the same instance. LT reads once per round trip, ET reads until
  EAGAIN. `poll()` polls all N+1 descriptors natively (a reference: what
  a naive poll core would cost); "poll / kernel LT time" is how many times
  longer a poll() round trip takes than a kernel epoll one. `max` is the
  largest N the hard RLIMIT_NOFILE allows (minus a headroom of 64).
- **Token ring**: K threads, each blocking in `epoll_wait` on its own
  instance, pass a token through K pipes.
- **redis / nginx**: only the server runs under repoll, never the load
  generator. repoll = `LD_PRELOAD=librepoll.so` with no options; trace =
  `REPOLL_OPTIONS=trace=1:log_path=FILE` (the trace file is checked to be
  non-empty and well formed); lint = `REPOLL_OPTIONS=lint=1`; strace =
  native server under `strace -f -e trace=epoll_wait,epoll_ctl -o /dev/null`.
- **Noise**: on a machine with 2 cores shared with other work, single
  numbers move by tens of percent; compare ratios, and rerun with more runs (`BENCH_RUNS=7`)
  before drawing conclusions from a small difference.
EOF
} >"$REPORT"

cat "$REPORT"
cp "$REPORT" "$MD"
note "report written to $MD (raw numbers: $RAW, log: $LOG); total ${SECONDS}s"
if [ ${#FAILURES[@]} -gt 0 ]; then
    note "${#FAILURES[@]} run(s) failed"
    exit 1
fi
exit 0
