#!/usr/bin/env bash
# Sets up kserial on Debian 12: installs the Debian packages it needs when
# they are missing, then configures and builds into ./build.
# Idempotent, and quiet when everything is already there.
#   tools/setup.sh            # packages + build
#   BUILD_DIR=dir CMAKE_ARGS="-DKSERIAL_SANITIZE=ON" tools/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(liblua5.4-dev lua5.4 libcjson-dev lua-busted cmake gcc make pkg-config)
PACKAGES+=(${EXTRA_PACKAGES:-})

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# Runs a command quietly; shows its output only when it fails.
quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    echo "setup: failed: $*" >&2
    exit 1
  fi
}

build="${BUILD_DIR:-build}"
# shellcheck disable=SC2086
quiet cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" ${CMAKE_ARGS:-}
quiet cmake --build "$build" -j"$(nproc)"
