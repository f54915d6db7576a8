#!/usr/bin/env bash
# Deterministic per-request cost of one switchyard build, for iterating on the hot path where the
# shared machine makes req/s too noisy: system calls per request (strace -c) and user-space
# instructions per request (callgrind), for keep-alive GETs of a 13-byte response.
# Usage: [IO=auto|io_uring|epoll] [PROTO=h1|h2c] bench/cost.sh [BUILD_DIR] [REQUESTS]
# PROTO=h2c measures HTTP/2 prior knowledge to the proxy (h2load -c 10 -m 10, bench scenario h).
# The callgrind part always measures the epoll event loop: valgrind does not run io_uring programs.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
N=${2:-20000}
IO=${IO:-auto}
case "${PROTO:-h1}" in
  h1) LOAD=(--h1 -c 10) ;;
  h2c) LOAD=(-c 10 -m 10) ;;
  *) echo "PROTO is h1 or h2c" >&2; exit 1 ;;
esac
command -v strace >/dev/null && command -v valgrind >/dev/null && command -v h2load >/dev/null || {
  echo "cost.sh needs strace, valgrind and h2load (nghttp2-client)" >&2; exit 1; }
mkdir -p "$BUILD/bench"
[[ -x "$BUILD/bench/fast-upstream" ]] || g++ -O2 -std=c++20 -o "$BUILD/bench/fast-upstream" bench/fast_upstream.cc
run=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT
port_free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
UP=$(port_free); GW=$(port_free)
"$BUILD/bench/fast-upstream" "$UP" >/dev/null 2>&1 & pids+=($!)
cat > "$run/cfg.yaml" <<YAML
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: bench}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: $GW, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: up, namespace: bench}
spec:
  hosts: [up.bench.test]
  ports: [{number: $UP, name: http, protocol: HTTP}]
  resolution: STATIC
  location: MESH_EXTERNAL
  endpoints: [{address: 127.0.0.1}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: bench}
spec:
  hosts: ["*"]
  gateways: [gw]
  http:
  - route: [{destination: {host: up.bench.test, port: {number: $UP}}}]
YAML
start_gw() { env ${SY_PRELOAD:+LD_PRELOAD=$SY_PRELOAD} "$@" serve -c "$run/cfg.yaml" --workers 1 --bind 127.0.0.1 --access-log off --admin off --io "$IO" >"$run/gw.log" 2>&1 & pids+=($!); }
wait_gw() { for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$GW/" && return 0; sleep 0.1; done; cat "$run/gw.log"; exit 1; }

start_gw "$BUILD/switchyard"; wait_gw; GWPID=${pids[-1]}
h2load "${LOAD[@]}" -n 2000 "http://127.0.0.1:$GW/" >/dev/null
strace -c -f -q -o "$run/strace" -p "$GWPID" & spid=$!; sleep 0.5
h2load "${LOAD[@]}" -n "$N" "http://127.0.0.1:$GW/" | grep -E "^requests:" 
kill -INT $spid; wait $spid 2>/dev/null || true
echo "system calls per request (strace -c, $N requests, 10 connections):"
awk -v n="$N" 'NR>2 && $1 ~ /^[0-9.]+$/ && NF>=5 { calls=$4; name=$NF; if ($5 ~ /^[0-9]+$/) errs=$5; else errs=0;
  printf "  %-16s %6.2f  (errors %5.2f)\n", name, calls/n, errs/n } /total/ { printf "  %-16s %6.2f\n", "total", $3/n }' "$run/strace"
kill "$GWPID"; wait "$GWPID" 2>/dev/null || true

grep -o "event loop: .*" "$run/gw.log" | head -1
[[ -z "${NO_CALLGRIND:-}" ]] || exit 0
EPOLL_BIN="$BUILD/switchyard-epoll"; [[ -x "$EPOLL_BIN" ]] || EPOLL_BIN="$BUILD/switchyard"
CN=$((N / 4))
env ${SY_PRELOAD:+LD_PRELOAD=$SY_PRELOAD} valgrind --tool=callgrind --callgrind-out-file="$run/cg.out" "$EPOLL_BIN" serve -c "$run/cfg.yaml" --workers 1 \
  --bind 127.0.0.1 --access-log off --admin off >"$run/gw.log" 2>&1 & pids+=($!); wait_gw; VPID=${pids[-1]}
h2load "${LOAD[@]}" -n 500 "http://127.0.0.1:$GW/" >/dev/null
callgrind_control -z "$VPID" >/dev/null
h2load "${LOAD[@]}" -n "$CN" "http://127.0.0.1:$GW/" | grep -E "^requests:"
callgrind_control -d "$VPID" >/dev/null; sleep 1
total=$(callgrind_annotate "$(ls -t "$run"/cg.out* | head -1)" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1}')
echo "user-space instructions per request (callgrind, $CN requests): $((total / CN))"
cp "$(ls -t "$run"/cg.out* | head -1)" "$BUILD/bench/callgrind.out"
echo "top functions by own instructions (full profile: callgrind_annotate $BUILD/bench/callgrind.out):"
callgrind_annotate --inclusive=no --threshold=100 "$BUILD/bench/callgrind.out" 2>/dev/null | grep -E '^ *[0-9,]+ \(' |
  grep -v -E 'PROGRAM TOTALS|clone.S:clone|start_thread|_M_run|libstdc\+\+.so.6.0.30\]$' | head -"${TOP:-30}" | cut -c1-180
