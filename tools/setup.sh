#!/usr/bin/env bash
# Sets up kserial on Debian 12: installs the Debian packages it needs when
# they are missing, then configures and builds into ./build.
# Idempotent, and quiet when everything is already there.
#   tools/setup.sh            # packages + build
#   BUILD_DIR=dir CMAKE_ARGS="-DKSERIAL_SANITIZE=ON" tools/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# libreadline-dev: line editing and history in kserial-lua's REPL
PACKAGES=(liblua5.4-dev lua5.4 libcjson-dev lua-busted cmake gcc make pkg-config libreadline-dev)
PACKAGES+=(${EXTRA_PACKAGES:-})

# shellcheck source=tools/packages.sh
. tools/packages.sh
install_missing setup "${PACKAGES[@]}"

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
