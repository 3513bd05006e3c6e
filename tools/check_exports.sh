#!/bin/sh
# Checks the ABI of the built libraries against include/:
#   - every function declared in include/*.h is marked KS_API;
#   - libkserial.so exports exactly those functions (nothing missing, no
#     internal symbol leaking out);
#   - kserial.so, the Lua module, exports luaopen_kserial and nothing else.
#   check_exports.sh NM INCLUDE_DIR LIBKSERIAL KSERIAL_MODULE
# Exit status 0 when all hold; the differences are printed otherwise.
set -u
nm=$1
include=$2
lib=$3
module=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# Declarations: the prototypes of include/ (tools/c_declarations.sh).
here=$(dirname "$0")
sh "$here/c_declarations.sh" "$include" > "$tmp/protos"
if grep -v '^KS_API ' "$tmp/protos" > "$tmp/unmarked"; then
  echo "declared in include/ without KS_API:"
  sed 's/^/  /' "$tmp/unmarked"
  status=1
fi
sh "$here/c_declarations.sh" --names "$include" | sort -u > "$tmp/declared"

"$nm" -D --defined-only "$lib" | awk '{print $NF}' | sort -u > "$tmp/exported"
if ! [ -s "$tmp/exported" ]; then
  echo "$lib: no exported symbol read"
  exit 1
fi
comm -13 "$tmp/declared" "$tmp/exported" > "$tmp/extra"
comm -23 "$tmp/declared" "$tmp/exported" > "$tmp/missing"
if [ -s "$tmp/extra" ]; then
  echo "$lib exports symbols include/ does not declare:"
  sed 's/^/  /' "$tmp/extra"
  status=1
fi
if [ -s "$tmp/missing" ]; then
  echo "$lib does not export functions include/ declares:"
  sed 's/^/  /' "$tmp/missing"
  status=1
fi

"$nm" -D --defined-only "$module" | awk '{print $NF}' | sort -u > "$tmp/module"
if [ "$(cat "$tmp/module")" != "luaopen_kserial" ]; then
  echo "$module must export luaopen_kserial only; it exports:"
  sed 's/^/  /' "$tmp/module"
  status=1
fi

[ "$status" -eq 0 ] && echo "ok: $(wc -l < "$tmp/declared") functions declared and exported; the module exports luaopen_kserial only"
exit "$status"
