#!/usr/bin/env bash
# `make bench`: installs the load generators and peer proxies if missing, builds switchyard
# (Release, via `make build`) and the fast upstream, then runs bench/bench.py.
# Extra arguments go to bench.py, e.g. `make bench BENCH_ARGS="--scenarios a --rounds 5"`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v h2load >/dev/null && command -v nghttp >/dev/null || need+=(nghttp2-client)
command -v haproxy >/dev/null || need+=(haproxy)
command -v nginx >/dev/null || need+=(nginx-light)
command -v taskset >/dev/null || need+=(util-linux)
pkg-config --exists liburing 2>/dev/null || need+=(liburing-dev)
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  echo "bench: installing ${need[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's nginx package may start a system nginx on port 80; the bench never uses it.

BUILD=${BUILD:-build}
[[ -n "${SKIP_BUILD:-}" ]] || make --no-print-directory build BUILD="$BUILD"
# With liburing, the build has both event loops: bench.py measures the default (io_uring where the
# kernel allows it) and adds a row for the same binary with --io epoll.
mkdir -p "$BUILD/bench"
if [[ ! -x "$BUILD/bench/fast-upstream" || bench/fast_upstream.cc -nt "$BUILD/bench/fast-upstream" ]]; then
  g++ -O2 -std=c++20 -Wall -Wextra -o "$BUILD/bench/fast-upstream" bench/fast_upstream.cc
fi

if [[ ! -x "$BUILD/bench/grpc-upstream" || bench/grpc_upstream.cc -nt "$BUILD/bench/grpc-upstream" ]]; then
  g++ -O2 -std=c++20 -Wall -Wextra -o "$BUILD/bench/grpc-upstream" bench/grpc_upstream.cc -lnghttp2
fi

if [[ ! -x "$BUILD/bench/openloop" || bench/openloop.cc -nt "$BUILD/bench/openloop" ]]; then
  g++ -O2 -std=c++20 -Wall -Wextra -o "$BUILD/bench/openloop" bench/openloop.cc
fi

# 10,000 idle connections need that many descriptors in the client and the proxy.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(nproc) < 2 )); then
  echo "bench: needs at least 2 CPUs (load generator on CPU 0, proxy + upstream on CPU 1)" >&2
  exit 1
fi

# Hard bound on the whole run; bench.py stops its children by PID on SIGTERM.
exec timeout --signal=TERM --kill-after=30 "${BENCH_TIMEOUT:-1200}" \
  python3 bench/bench.py --switchyard "$BUILD/switchyard" --upstream "$BUILD/bench/fast-upstream" \
  --openloop "$BUILD/bench/openloop" --grpc-upstream "$BUILD/bench/grpc-upstream" "$@"
