#!/usr/bin/env bash
# bench/run.sh - kserial's benchmark, one command (docs/performance.md).
# Installs what it needs on Debian 12 when missing (lua-cjson, valgrind and
# the build dependencies, through tools/setup.sh), builds into $BUILD_DIR
# (default: build; RelWithDebInfo unless BUILD_TYPE says otherwise), runs
# bench/run.lua in the kserial-bench host at N = 1000, 10000, 100000, then
# the callgrind instruction counts at N = 10000.
#
#   bench/run.sh                    # everything (about 10 minutes on 2 cores)
#   bench/run.sh --quick            # options go to run.lua (see its header)
#   bench/run.sh --graph dense      # another graph (model, dense, nested); the
#                                   # callgrind counts use it too
#   NO_CALLGRIND=1 bench/run.sh     # skip the callgrind counts
#   CALLGRIND_N=1000 bench/run.sh   # layer count of the callgrind run
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

build="${BUILD_DIR:-build}"
EXTRA_PACKAGES="lua-cjson valgrind ${EXTRA_PACKAGES:-}" BUILD_DIR="$build" tools/setup.sh
case "$build" in /*) ;; *) build="$root/$build" ;; esac
cmake --build "$build" --target kserial-bench >/dev/null   # not built by default

"$build/kserial-bench" bench/run.lua "$@"
if [ -z "${NO_CALLGRIND:-}" ]; then
  graph=model                      # the --graph given to run.lua, if any
  prev=
  for a in "$@"; do
    [ "$prev" = "--graph" ] && graph="$a"
    prev="$a"
  done
  echo
  GRAPH="$graph" BUILD_DIR="$build" bench/callgrind.sh "${CALLGRIND_N:-10000}"
fi
