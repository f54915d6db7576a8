#!/usr/bin/env bash
# Scans a SIMPLE-mode HTTPS listener of switchyard with sslscan (Debian package) and fails when
# it accepts a weak protocol (SSLv2, SSLv3, TLS 1.0, TLS 1.1) or a weak cipher (RC4, DES/3DES,
# NULL, EXPORT, anonymous, MD5). Starts its own gateway on 127.0.0.1 with a certificate made
# here; prints sslscan's report. Usage: scripts/tls-scan.sh [path/to/switchyard]
set -euo pipefail
bin=${1:-build/switchyard}
command -v sslscan >/dev/null || { echo "tls-scan: install sslscan (apt-get install sslscan)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=scan.example.com \
  -addext subjectAltName=DNS:scan.example.com -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
cat > "$dir/gateway.yaml" <<YAML
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: scan, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: $port, name: https, protocol: HTTPS}
    hosts: ["*"]
    tls: {mode: SIMPLE, serverCertificate: cert.pem, privateKey: key.pem}
YAML
"$bin" serve -c "$dir" --bind 127.0.0.1 --admin off >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
report=$(sslscan --no-colour --sni-name=scan.example.com "127.0.0.1:$port")
echo "$report"
bad=$(echo "$report" | grep -E '^(SSLv2|SSLv3|TLSv1\.0|TLSv1\.1) +enabled' || true)
bad+=$(echo "$report" | grep -E '^(Preferred|Accepted)' | grep -Ei 'RC4|DES|NULL|EXP|ADH|AECDH|MD5|anon' || true)
if [ -n "$bad" ]; then
  echo "tls-scan: FAILED, weak protocols or ciphers accepted:"; echo "$bad"; exit 1
fi
echo "tls-scan: OK (TLS 1.2 and 1.3 only, AEAD ciphers only)"
