#!/bin/sh
# Checks that docs/c-api.md documents the C API, no more and no less:
#   - every function include/*.h declares (tools/c_declarations.sh) is
#     named in full in the document, as `name` or `name(...)` in code
#     (a shorthand like `ks_map_new/free` names only the first);
#   - every `name(...)` of a ks_/kserial_/luaopen_ function the document
#     shows is declared (no stale entry for a function that is gone).
#   check_capi_docs.sh INCLUDE_DIR DOC
# Exit status 0 when both hold; otherwise the names, and 1.
set -u
here=$(dirname "$0")
include=$1
doc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

sh "$here/c_declarations.sh" --names "$include" > "$tmp/declared"
if ! [ -s "$tmp/declared" ]; then
  echo "no declaration read from $include"
  exit 1
fi
# Names in code spans: a backtick, the name, then a backtick or "(".
grep -oE '`(ks|kserial|luaopen)_[A-Za-z0-9_]*[`(]' "$doc" | sed 's/^`//; s/.$//' \
  | LC_ALL=C sort -u > "$tmp/named"
grep -oE '`(ks|kserial|luaopen)_[A-Za-z0-9_]*\(' "$doc" | sed 's/^`//; s/($//' \
  | LC_ALL=C sort -u > "$tmp/called"

LC_ALL=C comm -23 "$tmp/declared" "$tmp/named" > "$tmp/undocumented"
LC_ALL=C comm -13 "$tmp/declared" "$tmp/called" > "$tmp/stale"
if [ -s "$tmp/undocumented" ]; then
  echo "$doc does not document these functions of include/:"
  sed 's/^/  /' "$tmp/undocumented"
  status=1
fi
if [ -s "$tmp/stale" ]; then
  echo "$doc shows calls of functions include/ does not declare:"
  sed 's/^/  /' "$tmp/stale"
  status=1
fi
[ "$status" -eq 0 ] && echo "ok: the $(wc -l < "$tmp/declared") functions of include/ are all in $doc"
exit "$status"
