#!/bin/sh
# The functions include/ declares: the one reader of the public headers for
# the checks that compare them with something else (check_exports.sh: the
# library's exported symbols; check_capi_docs.sh: docs/c-api.md).
#   c_declarations.sh INCLUDE_DIR           the prototype lines, as written
#   c_declarations.sh --names INCLUDE_DIR   the function names, sorted, one a line
# A declaration is a line that opens a function prototype at column 0 (the
# headers' style: `KS_API type name(args...`), typedefs excepted.
set -u
names=0
if [ "${1:-}" = "--names" ]; then
  names=1
  shift
fi
include=$1
protos() {
  cat "$include"/*.h | grep -E '^[A-Za-z_][^#]*[A-Za-z0-9_]\(' | grep -v '^typedef'
}
if [ "$names" -eq 1 ]; then
  protos | sed 's/(.*//; s/.*[^A-Za-z0-9_]//' | LC_ALL=C sort -u
else
  protos
fi
