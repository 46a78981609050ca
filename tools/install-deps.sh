#!/usr/bin/env bash
# Installs the Debian 12 packages mqttconn builds and tests with (no-op when all are present).
#   tools/install-deps.sh          compilers, meson, doctest, valgrind; Python's pytest and
#                                  meson-python; the peers of the interop tests (mosquitto,
#                                  its clients, paho-mqtt)
#   tools/install-deps.sh --bench  also Node.js and npm for bench/run.sh, unless node exists
set -euo pipefail
packages=(g++ clang libclang-rt-14-dev meson ninja-build pkg-config doctest-dev valgrind
          python3 python3-pytest python3-mesonpy mosquitto mosquitto-clients python3-paho-mqtt)
if [ "${1:-}" = "--bench" ] && ! command -v node >/dev/null; then
  packages+=(nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
