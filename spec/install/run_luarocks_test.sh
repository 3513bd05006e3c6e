#!/bin/sh
# The rockspec as a LuaRocks user meets it: lints it, builds and installs a
# copy of the source tree with `luarocks --lua-version 5.4 make` into a
# temporary tree, packs the installed rock, requires the module from the
# stock lua5.4 through `luarocks path`, and runs the rock's kserial-lua.
#   run_luarocks_test.sh SOURCE_DIR LUAROCKS LUA54
# Exits 77 (not run) when cmake or a compiler is missing.
set -u
src=$1
luarocks=$2
lua=$3
if ! command -v cmake >/dev/null 2>&1 || ! command -v cc >/dev/null 2>&1; then
  echo "skipped: luarocks builds kserial with cmake and cc, which are not both installed"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set -- "$src"/kserial-*.rockspec
rockspec=$(basename "$1")
lr() { "$luarocks" --lua-version 5.4 --tree "$tmp/tree" "$@"; }
# shellcheck source=spec/install/check.sh
. "$src/spec/install/check.sh"

# the tree as a clone has it (no build directories, no build.luarocks)
mkdir "$tmp/src"
(cd "$src" && tar --exclude='./build*' --exclude='./_build' --exclude='./.git' -cf - .) |
  (cd "$tmp/src" && tar -xf -)

check lint sh -c "cd '$tmp/src' && '$luarocks' --lua-version 5.4 lint '$rockspec'"
check make sh -c "cd '$tmp/src' && '$luarocks' --lua-version 5.4 --tree '$tmp/tree' make '$rockspec'"
check pack sh -c "cd '$tmp' && '$luarocks' --lua-version 5.4 --tree '$tmp/tree' pack kserial && ls kserial-*.rock"
check require-from-lua5.4 sh -c "eval \"\$('$luarocks' --lua-version 5.4 --tree '$tmp/tree' path)\" && '$lua' -e 'local k = require \"kserial\"; print(k.dumps({1, 2.0}), k._VERSION)' | grep -qx '\[1,2\.0\]	[0-9.]*'"
check kserial-lua sh -c "'$tmp/tree/bin/kserial-lua' -e 'print(kserial.dumps({a = 1}))' | grep -qx '{\"a\":1}'"
check man-page sh -c "find '$tmp/tree' -name kserial-lua.1 | grep -q ."
check type-stubs sh -c "find '$tmp/tree' -path '*library/kserial.lua' | grep -q ."

finish
