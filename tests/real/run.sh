#!/usr/bin/env bash
# tests/real/run.sh - real programs natively and under repoll.
#
# Each server is started by this script, once natively and once with
# LD_PRELOAD=librepoll.so (the server only; the clients are not preloaded,
# except where a check says "client preloaded"), driven by its usual
# clients, then stopped. For each program the two runs must give the same
# transcript and the same exit status, within the time limits.
#
#   redis-server   redis-benchmark (-n 20000, 5 commands, every request
#                  counted in INFO commandstats) and a redis-cli script
#   nginx          curl fetching files (bytes compared, keep-alive, 404,
#                  sendfile) and wrk for 3 s (no socket errors, no non-2xx)
#   memcached      memcache_client.py: 8 connections, every command kind
#   node           node_http.js: http server and client, natively and with
#                  UV_USE_IO_URING=1 (repoll refuses io_uring_setup)
#   python asyncio asyncio_echo.py: echo server, 60 concurrent clients
#
# Servers listen on 127.0.0.1 on free ports picked at start, write only into
# a private temporary directory, and are killed on exit (trap). Every client
# runs under timeout(1).
#
#   REPOLL_LIB   library to preload (default target/release/librepoll.so)
#   REAL_ONLY    space-separated subset of: redis nginx memcached node asyncio
#   KEEP=1       keep the temporary directory
#
# Output: one PASS/FAIL/SKIP line per check, then "N passed, N failed".
# A program that is missing (and cannot be installed by
# scripts/install-deps.sh) is one failed check.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$root/tests/real
lib=${REPOLL_LIB:-$root/target/release/librepoll.so}
if [ ! -f "$lib" ]; then
    echo "real: library not found: $lib (run 'make' first)" >&2
    echo "0 passed, 1 failed"
    exit 2
fi
lib=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")

if [ "$(id -u)" = 0 ]; then
    bash "$root/scripts/install-deps.sh" >&2 || echo "# install-deps failed; missing programs fail below" >&2
fi
export PATH=$PATH:/usr/sbin:/sbin

tmp=$(mktemp -d "${TMPDIR:-/tmp}/repoll-real.XXXXXX")
chmod 755 "$tmp"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -KILL "$p" 2>/dev/null
    done
    if [ "${KEEP:-0}" = 1 ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# expect NAME COMMAND...: one check
expect() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}
# same NAME FILE1 FILE2: identical transcripts, diff shown otherwise
same() {
    if cmp -s "$2" "$3"; then
        pass "$1"
    else
        fail "$1"
        diff -u --label native --label preload "$2" "$3" | head -n 30 | sed 's/^/    /'
    fi
}
want() {
    local p
    for p in "$@"; do
        if ! command -v "$p" >/dev/null 2>&1; then
            fail "$p is not installed (bash scripts/install-deps.sh)"
            return 1
        fi
    done
}
selected() { [ -z "${REAL_ONLY:-}" ] || [[ " $REAL_ONLY " == *" $1 "* ]]; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_port PORT: until something accepts on it, at most 15 s
wait_port() {
    local i
    for i in $(seq 150); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# start MODE LOG COMMAND...: starts a server in the background, preloaded
# when MODE is preload; sets $server.
start() {
    local mode=$1 log=$2
    shift 2
    if [ "$mode" = preload ]; then
        env LD_PRELOAD="$lib" "$@" >"$log" 2>&1 </dev/null &
    else
        "$@" >"$log" 2>&1 </dev/null &
    fi
    server=$!
    pids+=("$server")
}
# preloaded PID: whether librepoll.so is mapped in that process
preloaded() { grep -q librepoll "/proc/$1/maps" 2>/dev/null; }
# check_loaded LABEL MODE PID: the preload reached the server (and only then)
check_loaded() {
    if [ "$2" = preload ]; then
        expect "$1: librepoll.so loaded in the server" preloaded "$3"
    elif preloaded "$3"; then
        fail "$1: librepoll.so loaded in a native run (LD_PRELOAD in the environment?)"
    fi
}
# stop PID SIGNAL SECONDS: signal (unless SIGNAL is -), wait at most SECONDS
# for the exit; sets $status to "exit N", "signal N" or "hung" (then killed).
# Not to be called in a subshell: only this shell can wait for its children.
stop() {
    local pid=$1 sig=$2 secs=$3 i
    [ "$sig" = - ] || kill "-$sig" "$pid" 2>/dev/null
    for i in $(seq $((secs * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        status=hung
        return
    fi
    wait "$pid"
    local rc=$?
    if [ "$rc" -gt 128 ]; then status="signal $((rc - 128))"; else status="exit $rc"; fi
}
# exited NAME MODE STATUS WANT: clean exit check
exited() {
    if [ "$3" = "$4" ]; then
        pass "$1 $2: server exited cleanly ($3)"
    else
        fail "$1 $2: server $3, expected $4"
        tail -n 5 "$tmp/$1.$2.log" 2>/dev/null | sed 's/^/    /'
    fi
}

echo "# library: $lib"
t0=$(date +%s)

# ---- redis ---------------------------------------------------------------
redis_run() {
    local mode=$1 port out=$tmp/redis.$1
    port=$(free_port)
    mkdir -p "$out.dir"
    start "$mode" "$tmp/redis.$mode.log" redis-server --port "$port" --bind 127.0.0.1 \
        --save "" --appendonly no --dir "$out.dir" --daemonize no --logfile "" --protected-mode no
    local pid=$server
    if ! wait_port "$port"; then
        fail "redis $mode: server did not start"
        stop "$pid" KILL 1
        return
    fi
    check_loaded "redis $mode" "$mode" "$pid"
    timeout 60 redis-benchmark -h 127.0.0.1 -p "$port" -n 20000 -c 20 -q \
        -t set,get,incr,lpush,lrange_100 >"$out.bench" 2>&1
    local rc=$?
    timeout 10 redis-cli -h 127.0.0.1 -p "$port" info commandstats >"$out.stats" 2>&1
    # Every request counted once: calls=20000 for each command benchmarked
    # (LRANGE_100 is LRANGE; its list is first filled by another 20000 LPUSH).
    local cmd calls bad=
    for cmd in set:20000 get:20000 incr:20000 lpush:40000 lrange:20000; do
        calls=$(tr -d '\r' <"$out.stats" | grep "^cmdstat_${cmd%%:*}:" | sed 's/^[^:]*:calls=\([0-9]*\),.*/\1/')
        [ "$calls" = "${cmd#*:}" ] || bad="$bad ${cmd%%:*}=${calls:-none}"
    done
    if [ "$rc" = 0 ] && [ -z "$bad" ] && ! grep -qi error "$out.bench" &&
        [ "$(tr '\r' '\n' <"$out.bench" | grep -cE '^(SET|GET|INCR|LPUSH|LRANGE_100 \(first 100 elements\)): [0-9.]+ requests per second')" = 5 ]; then
        pass "redis $mode: redis-benchmark 5 x 20000 requests, all served ($(tr '\r' '\n' <"$out.bench" | grep -m1 -o 'SET: [0-9.]* requests per second'))"
    else
        fail "redis $mode: redis-benchmark exit $rc, calls differing from the requests:${bad:- none}"
        tr '\r' '\n' <"$out.bench" | grep -v '^ *$' | tail -n 5 | sed 's/^/    /'
    fi
    if [ "$mode" = preload ]; then
        # The client preloaded as well: redis-benchmark and redis-cli use ae/epoll.
        timeout 60 env LD_PRELOAD="$lib" redis-benchmark -h 127.0.0.1 -p "$port" -n 5000 -c 10 -q \
            -t set,get >"$out.bench2" 2>&1
        rc=$?
        expect "redis preload: redis-benchmark preloaded too (2 x 5000)" \
            test "$rc" = 0 -a "$(grep -c 'requests per second' "$out.bench2")" = 2
    fi
    timeout 10 redis-cli -h 127.0.0.1 -p "$port" flushall >/dev/null 2>&1
    timeout 30 redis-cli -h 127.0.0.1 -p "$port" >"$out.cli" 2>&1 <<'CMDS'
SET greeting hello
GET greeting
APPEND greeting ", world"
GET greeting
STRLEN greeting
INCR counter
INCRBY counter 41
DECR counter
GET counter
MSET a 1 b 2 c 3
MGET a b c missing
LPUSH list one two three
RPUSH list four
LRANGE list 0 -1
LPOP list
LLEN list
HSET h field1 v1 field2 v2
HGET h field2
HGETALL h
SADD s x y z x
SCARD s
SISMEMBER s y
ZADD z 1 one 2 two 3 three
ZRANGE z 0 -1 WITHSCORES
EXPIRE greeting 100
TTL greeting
EXISTS greeting nothing
TYPE list
DEL a b c nothing
DBSIZE
SETRANGE big 100000 end
STRLEN big
GETRANGE big 99998 100002
PING
ECHO "bye"
CMDS
    timeout 10 redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1
    stop "$pid" - 10
    exited redis "$mode" "$status" "exit 0"
}
if selected redis && want redis-server redis-cli redis-benchmark; then
    redis_run native
    redis_run preload
    same "redis: redis-cli transcript same natively and preloaded" "$tmp/redis.native.cli" "$tmp/redis.preload.cli"
fi

# ---- nginx ---------------------------------------------------------------
nginx_run() {
    local mode=$1 port dir=$tmp/nginx.$1 out=$tmp/nginx.$1 
    port=$(free_port)
    mkdir -p "$dir/www/sub" "$dir/logs" "$dir/tmp"
    cp "$tmp/files/"* "$dir/www/"
    echo "nested" >"$dir/www/sub/index.html"
    cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 2;
user root root;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 512; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 5;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$port;
        root $dir/www;
        location /gz/ { gzip on; gzip_types *; gzip_min_length 1; alias $dir/www/; }
    }
}
CONF
    start "$mode" "$tmp/nginx.$mode.log" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
    local pid=$server
    if ! wait_port "$port"; then
        fail "nginx $mode: server did not start"
        cat "$dir/logs/error.log" 2>/dev/null | tail -n 5 | sed 's/^/    /'
        stop "$pid" KILL 1
        return
    fi
    check_loaded "nginx $mode" "$mode" "$pid"
    # Files over one keep-alive connection, then each on its own, then a 404.
    local f urls=() ok=1
    for f in "$tmp/files/"*; do urls+=("http://127.0.0.1:$port/$(basename "$f")" -o "$out.got.$(basename "$f")"); done
    timeout 30 curl -sS --fail "${urls[@]}" >"$out.curl.log" 2>&1 || ok=0
    for f in "$tmp/files/"*; do
        cmp -s "$f" "$out.got.$(basename "$f")" || ok=0
    done
    expect "nginx $mode: curl fetched $(ls "$tmp/files" | wc -l) files over one connection, bytes identical" test "$ok" = 1
    {
        for f in "$tmp/files/"*; do
            timeout 20 curl -sS -o /dev/null -w "$(basename "$f") %{http_code} %{size_download}\n" \
                "http://127.0.0.1:$port/$(basename "$f")"
        done
        timeout 20 curl -sS -o /dev/null -w "missing %{http_code}\n" "http://127.0.0.1:$port/missing"
        timeout 20 curl -sS -w " sub %{http_code}\n" "http://127.0.0.1:$port/sub/"
        timeout 20 curl -sS --compressed -o "$out.gz" -w "gzip %{http_code}\n" "http://127.0.0.1:$port/gz/medium.bin"
        cmp -s "$out.gz" "$tmp/files/medium.bin" && echo "gzip body intact"
        timeout 20 curl -sS -o /dev/null -r 1000-1999 -w "range %{http_code} %{size_download}\n" \
            "http://127.0.0.1:$port/large.bin"
        timeout 20 curl -sS -o /dev/null -X POST --data-binary @"$tmp/files/medium.bin" -w "post %{http_code}\n" \
            "http://127.0.0.1:$port/small.txt"
    } >"$out.transcript" 2>&1
    if command -v wrk >/dev/null 2>&1; then
        timeout 20 wrk -t 2 -c 32 -d 3s "http://127.0.0.1:$port/small.txt" >"$out.wrk" 2>&1
        local rc=$? reqs
        reqs=$(awk '/requests in/ { print $1 }' "$out.wrk")
        if [ "$rc" = 0 ] && [ "${reqs:-0}" -gt 0 ] && ! grep -qE 'Socket errors|Non-2xx' "$out.wrk"; then
            pass "nginx $mode: wrk 3 s, 32 connections: $reqs requests, no socket errors, all 2xx"
        else
            fail "nginx $mode: wrk exit $rc, $(grep -E 'requests in|Socket errors|Non-2xx' "$out.wrk" | tr '\n' ';')"
        fi
    else
        echo "SKIP nginx $mode: wrk not installed"
    fi
    stop "$pid" QUIT 15
    exited nginx "$mode" "$status" "exit 0"
    if grep -E '\[(alert|emerg|crit)\]' "$dir/logs/error.log" >/dev/null 2>&1; then
        fail "nginx $mode: alerts in error.log"
        grep -E '\[(alert|emerg|crit)\]' "$dir/logs/error.log" | head -n 5 | sed 's/^/    /'
    fi
}
if selected nginx && want nginx curl; then
    mkdir -p "$tmp/files"
    printf 'hello from nginx\n' >"$tmp/files/small.txt"
    : >"$tmp/files/empty.txt"
    head -c 70000 /dev/urandom >"$tmp/files/medium.bin"
    head -c $((12 << 20)) /dev/urandom >"$tmp/files/large.bin"
    nginx_run native
    nginx_run preload
    same "nginx: curl transcript same natively and preloaded" "$tmp/nginx.native.transcript" "$tmp/nginx.preload.transcript"
fi

# ---- memcached -----------------------------------------------------------
memcached_run() {
    local mode=$1 port out=$tmp/memcached.$1 
    port=$(free_port)
    start "$mode" "$tmp/memcached.$mode.log" memcached -l 127.0.0.1 -p "$port" -U 0 -t 2 -m 64 -u root
    local pid=$server
    if ! wait_port "$port"; then
        fail "memcached $mode: server did not start"
        stop "$pid" KILL 1
        return
    fi
    check_loaded "memcached $mode" "$mode" "$pid"
    timeout 30 python3 "$here/memcache_client.py" "$port" >"$out.transcript" 2>&1
    expect "memcached $mode: client finished (exit 0)" test $? = 0
    stop "$pid" TERM 10
    exited memcached "$mode" "$status" "exit 0"
}
if selected memcached && want memcached python3; then
    memcached_run native
    memcached_run preload
    same "memcached: client transcript same natively and preloaded" "$tmp/memcached.native.transcript" "$tmp/memcached.preload.transcript"
fi

# ---- node ----------------------------------------------------------------
# node_run MODE URING: URING 1 sets UV_USE_IO_URING=1 for the server.
node_run() {
    local mode=$1 uring=$2 port tag=node.$1.uring$2 
    port=$(free_port)
    start "$mode" "$tmp/$tag.log" env UV_USE_IO_URING="$uring" node "$here/node_http.js" server "$port"
    local pid=$server
    if ! wait_port "$port"; then
        fail "node $mode UV_USE_IO_URING=$uring: server did not start"
        tail -n 5 "$tmp/$tag.log" | sed 's/^/    /'
        stop "$pid" KILL 1
        return
    fi
    check_loaded "node $mode UV_USE_IO_URING=$uring" "$mode" "$pid"
    timeout 60 node "$here/node_http.js" client "$port" >"$tmp/$tag.transcript" 2>&1
    expect "node $mode UV_USE_IO_URING=$uring: client finished (exit 0)" test $? = 0
    stop "$pid" - 15
    if [ "$status" = "exit 0" ]; then
        pass "node $mode UV_USE_IO_URING=$uring: server loop ended by itself (exit 0)"
    else
        fail "node $mode UV_USE_IO_URING=$uring: server $status"
        tail -n 5 "$tmp/$tag.log" | sed 's/^/    /'
    fi
}
if selected node && want node; then
    for uring in 0 1; do
        node_run native "$uring"
        node_run preload "$uring"
        same "node UV_USE_IO_URING=$uring: client transcript same natively and preloaded" \
            "$tmp/node.native.uring$uring.transcript" "$tmp/node.preload.uring$uring.transcript"
    done
fi

# ---- python asyncio ------------------------------------------------------
asyncio_run() {
    local mode=$1 client_pre=${2:-} port tag=asyncio.$1${2:+.client} 
    port=$(free_port)
    start "$mode" "$tmp/$tag.log" python3 "$here/asyncio_echo.py" server "$port"
    local pid=$server
    if ! wait_port "$port"; then
        fail "asyncio $mode: server did not start"
        stop "$pid" KILL 1
        return
    fi
    [ -n "$client_pre" ] || check_loaded "asyncio $mode" "$mode" "$pid"
    if [ -n "$client_pre" ]; then
        timeout 60 env LD_PRELOAD="$lib" python3 "$here/asyncio_echo.py" client "$port" 60 >"$tmp/$tag.transcript" 2>&1
    else
        timeout 60 python3 "$here/asyncio_echo.py" client "$port" 60 >"$tmp/$tag.transcript" 2>&1
    fi
    expect "asyncio $mode${client_pre:+ (client preloaded too)}: 60 clients finished (exit 0)" test $? = 0
    stop "$pid" - 15
    exited asyncio "$mode${client_pre:+ (client preloaded too)}" "$status" "exit 0"
}
if selected asyncio && want python3; then
    asyncio_run native
    asyncio_run preload
    asyncio_run preload client
    same "asyncio: client transcript same natively and preloaded" "$tmp/asyncio.native.transcript" "$tmp/asyncio.preload.transcript"
    same "asyncio: same with the client preloaded too" "$tmp/asyncio.native.transcript" "$tmp/asyncio.preload.client.transcript"
fi

echo "# real programs: $(( $(date +%s) - t0 )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
