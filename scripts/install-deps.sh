#!/usr/bin/env bash
# Installs, from Debian's packages, what the real-program tests and the
# benchmark need and the machine lacks. Idempotent; a no-op when all is there.
#   bash scripts/install-deps.sh            real-program tests (redis, nginx, memcached, node)
#   bash scripts/install-deps.sh bench      the same plus wrk and strace
set -euo pipefail

want=()
need() { command -v "$1" >/dev/null 2>&1 || want+=("$2"); }
need redis-server redis-server
need redis-cli redis-tools
need redis-benchmark redis-tools
need nginx nginx-light
need memcached memcached
need curl curl
need node nodejs
if [ "${1:-}" = bench ]; then
    need wrk wrk
    need strace strace
fi
[ ${#want[@]} -eq 0 ] && exit 0
# De-duplicate.
mapfile -t want < <(printf '%s\n' "${want[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${want[*]}; run as root (apt-get) or install them" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
# Debian's packages start their services; the tests start their own.
for svc in redis-server nginx memcached; do
    if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
    if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
pkill -x redis-server 2>/dev/null || true
pkill -x memcached 2>/dev/null || true
pkill -x nginx 2>/dev/null || true
echo "install-deps: installed ${want[*]}"
