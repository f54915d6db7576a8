#!/usr/bin/env bash
# Installs the Debian packages switchyard builds and tests with. Idempotent: does nothing when all are present.
set -euo pipefail
PKGS=(cmake ninja-build g++ make pkg-config python3 curl ccache
      libboost1.81-dev libyaml-cpp-dev libre2-dev libnghttp2-dev libssl-dev libfmt-dev libspdlog-dev
      libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev liburing-dev nghttp2-client wrk
      python3-h2 python3-hyperframe python3-grpcio  # the HTTP/2 frame-level and gRPC tests
      prometheus  # prometheus: only for `promtool check metrics` in the observability test (~25 s to install)
      openssl  # the TLS tests make their certificates with the openssl CLI
      iptables iproute2 util-linux  # the mesh original-destination test redirects in a network namespace of its own
      clang-14 libfuzzer-14-dev clang-format-14 clang-tidy-14 slowhttptest)  # make fuzz / lint, slow-attacks.sh
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
