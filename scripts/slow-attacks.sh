#!/usr/bin/env bash
# Slow-client attacks against a running gateway with slowhttptest (Debian package slowhttptest):
# slowloris (-H, headers that never end), slow body (-B, a POST body a few bytes at a time) and
# slow read (-X, a client that reads the response through a tiny TCP window). Each one tries to
# pin connections and memory with almost no traffic; a gateway survives them by closing such
# connections on its own deadlines while still answering everyone else. docs/hardening.md says
# how to read the summary.
#
# Usage: scripts/slow-attacks.sh [HOST:PORT] [PATH]     (default 127.0.0.1:8080 and /)
#   PATH should be routed by the gateway; for the slow-read attack, to a large response.
#   Environment: DURATION (seconds per attack, default 30), CONNECTIONS (default 200),
#   OUT (directory for logs and CSV, default a new one under /tmp).
#
# Loopback only, on purpose: this is a denial-of-service tool, and the script must not become a
# way to aim it at someone else's machine. Run it against a gateway you started yourself.
set -euo pipefail

target=${1:-127.0.0.1:8080}
path=${2:-/}
DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-200}

host=${target%:*}
port=${target##*:}
if [ "$host" = "$target" ]; then port=8080; fi
[ "$host" = localhost ] && host=127.0.0.1
case "$host" in
  \[::1\] | ::1) host='[::1]' ;;
  *)
    if ! [[ "$host" =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]]; then
      echo "slow-attacks: refusing $host: only loopback addresses (127.0.0.0/8, ::1) are allowed" >&2
      exit 2
    fi
    ;;
esac
if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  echo "slow-attacks: bad port '$port'" >&2
  exit 2
fi
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || [ "$DURATION" -lt 5 ] || [ "$DURATION" -gt 600 ]; then
  echo "slow-attacks: DURATION must be 5..600 seconds" >&2
  exit 2
fi
command -v slowhttptest >/dev/null || { echo "slow-attacks: install slowhttptest (make deps)" >&2; exit 2; }
[[ "$path" == /* ]] || path="/$path"
url="http://$host:$port$path"
OUT=${OUT:-$(mktemp -d /tmp/slow-attacks.XXXXXX)}
mkdir -p "$OUT"

# Is the gateway answering at all? Without this every attack would "pass" against a dead port.
if ! curl -s -o /dev/null -m 3 "$url"; then
  echo "slow-attacks: nothing answers HTTP at $url" >&2
  exit 2
fi

# One attack: $1 name, then slowhttptest flags. -g -o writes a per-second CSV (Seconds, Closed,
# Pending, Connected, Service Available) that the summary is computed from; -p 3 makes the probe
# (a normal request each second) count the service as unavailable after 3 s without an answer.
failed=0
attack() {
  local name=$1
  shift
  echo "== $name: $* ($DURATION s, up to $CONNECTIONS connections)"
  slowhttptest "$@" -c "$CONNECTIONS" -r 100 -l "$DURATION" -p 3 -u "$url" -g -o "$OUT/$name" \
    >"$OUT/$name.log" 2>&1 || true
  if [ ! -s "$OUT/$name.csv" ]; then
    echo "   no statistics written; see $OUT/$name.log"
    failed=1
    return
  fi
  # Columns: seconds, closed, pending, connected, service available (the probe's HTTP status,
  # 0 when it got no answer in time). The last row can predate the final second: slowhttptest
  # stops as soon as the gateway has closed every connection, without writing another row.
  awk -F, '
    NR == 1 { next }
    { rows++; if ($4 > max_conn) max_conn = $4; closed = $2; conn = $4; if ($5 == 0) down++ }
    END {
      printf "   max connected at once: %d; last second recorded: %d connected, %d closed\n", max_conn, conn, closed
      printf "   service unavailable for %d of %d seconds\n", down, rows
      exit down > 0 ? 1 : 0
    }' "$OUT/$name.csv" || failed=1
  local status
  status=$(grep -m1 "Exit status:" "$OUT/$name.log" | sed 's/\x1b\[[0-9;]*m//g; s/.*Exit status: *//') || true
  echo "   slowhttptest exit status: ${status:-unknown}"
}

attack slowloris -H -i 10 -x 24
attack slow-body -B -i 10 -s 65536 -x 10
attack slow-read -X -k 3 -n 2 -w 16 -y 64 -z 32

echo "logs, CSV and HTML charts: $OUT"
if [ "$failed" -ne 0 ]; then
  echo "slow-attacks: the gateway stopped answering during an attack (or an attack did not run)"
  exit 1
fi
echo "slow-attacks: the gateway kept answering throughout"
