#!/usr/bin/env bash
# `make run`: the quickstart on one machine. Starts one demo upstream per WorkloadEntry in
# services.yaml (my-service v1 on :9001, v2 on :9002, web on :9003), then the gateway on :8080,
# prints curl lines for each of the seed's scenarios, and stops everything it started on Ctrl-C.
set -euo pipefail

BUILD="${1:-build}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SWITCHYARD="$BUILD/switchyard"
DEMO="$BUILD/demo-upstream"
for bin in "$SWITCHYARD" "$DEMO"; do
  if [[ ! -x "$bin" ]]; then
    echo "run.sh: $bin not found; build first (make build)" >&2
    exit 1
  fi
done

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo
  echo "stopped (${#PIDS[@]} processes)"
}
trap stop_all INT TERM EXIT

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in 9001 9002 9003 8080; do
  if port_busy "$port"; then
    echo "run.sh: port $port is already in use; stop whatever holds it and retry" >&2
    exit 1
  fi
done

"$DEMO" --name my-service --version v1 --listen 127.0.0.1:9001 --quiet & PIDS+=($!)
"$DEMO" --name my-service --version v2 --listen 127.0.0.1:9002 --quiet & PIDS+=($!)
"$DEMO" --name web --version v1 --listen 127.0.0.1:9003 --quiet & PIDS+=($!)
"$SWITCHYARD" serve -c "$HERE" --bind 127.0.0.1 & PIDS+=($!)

# Wait (bounded) until the gateway accepts.
for _ in $(seq 1 100); do
  port_busy 8080 && break
  sleep 0.1
done
if ! port_busy 8080; then
  echo "run.sh: the gateway did not start listening on :8080" >&2
  exit 1
fi

cat <<'TEXT'

switchyard is serving examples/quickstart on http://127.0.0.1:8080 (Ctrl-C stops everything).
Every answer names the instance that served it (x-upstream-name / x-upstream-version).

  # a) host routing: www.example.com -> web, api.example.com -> my-service
  curl -si -H 'Host: www.example.com' http://127.0.0.1:8080/ | grep -i x-upstream
  curl -si -H 'Host: api.example.com' http://127.0.0.1:8080/ | grep -i x-upstream
  curl -si -H 'Host: unknown.example.com' http://127.0.0.1:8080/ | head -1      # 404

  # b) path routing: /v1/* -> v1, /v2/* -> v2
  curl -si -H 'Host: api.example.com' http://127.0.0.1:8080/v1/items | grep -i x-upstream-version
  curl -si -H 'Host: api.example.com' http://127.0.0.1:8080/v2/items | grep -i x-upstream-version

  # c) header routing: `user: beta` -> v2 whatever the path
  curl -si -H 'Host: api.example.com' -H 'user: beta' http://127.0.0.1:8080/v1/items | grep -i x-upstream-version

  # d) canary: everything else on api.example.com is split 90% v1 / 10% v2
  for i in $(seq 1 200); do
    curl -s -o /dev/null -D - -H 'Host: api.example.com' http://127.0.0.1:8080/ | grep -i x-upstream-version
  done | sort | uniq -c

TEXT
wait
