#!/usr/bin/env bash
# bench/callgrind.sh [N] - instruction counts (callgrind's Ir) of each
# benchmark operation at N layers (default 10000): stable numbers to compare
# changes on a noisy machine.
#
# One valgrind run: run.lua --callgrind builds the graph and the inputs, then
# runs each operation once as a warm-up and once inside bench.measure, whose
# C function kbench_measured is the only code counted
# (--collect-atstart=no --toggle-collect=kbench_measured) and is dumped when
# it returns (--dump-after), one profile file per operation. Setup, warm-ups
# and the full garbage collection before each operation are not counted; the
# GC work an operation triggers is.
#
#   BUILD_DIR   build directory holding kserial-bench (default: build)
#   GRAPH       the graph (run.lua --graph: model, dense, nested; default model)
#   OPS         comma-separated operations (default: all the timed ones)
#   OUT_DIR     where the profiles go (default: $BUILD_DIR/callgrind); read
#               them with callgrind_annotate $OUT_DIR/cg.out.<index>
#   REPORT_ONLY=1  no valgrind run: print the table of the profiles in OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build="${BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
n="${1:-10000}"
ops="${OPS:-floor_write,floor_read,plain_write,plain_read,hooks_write,hooks_read,serialize,dumps,loads,deserialize,json_encode,cjson_encode,json_decode,cjson_decode}"
graph="${GRAPH:-model}"
out="${OUT_DIR:-$build/callgrind}"

if [ -z "${REPORT_ONLY:-}" ]; then
  command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
  [ -x "$build/kserial-bench" ] || { echo "callgrind.sh: no $build/kserial-bench (build first)" >&2; exit 1; }
  mkdir -p "$out"
  rm -f "$out"/cg.out*
  if ! valgrind --tool=callgrind --collect-atstart=no --toggle-collect=kbench_measured \
        --dump-after=kbench_measured --callgrind-out-file="$out/cg.out" \
        "$build/kserial-bench" "$here/run.lua" --callgrind --no-check --graph "$graph" --n "$n" --only "$ops" \
        >"$out/ops.txt" 2>"$out/valgrind.log"; then
    cat "$out/valgrind.log" >&2
    echo "callgrind.sh: the valgrind run failed" >&2
    exit 1
  fi
fi
n=$(sed -n 's/^callgrind-n \([0-9]*\).*/\1/p' "$out/ops.txt")
graph=$(sed -n 's/^callgrind-n [0-9]* [0-9]* \([a-z]*\).*/\1/p' "$out/ops.txt")

# ops.txt: "callgrind-n N bytes", then "callgrind-op <index> <key>" in order;
# cg.out.<index> holds that operation's counts. Each line: key, total Ir,
# then the share of the Ir spent in kserial's own code, in lua-cjson, in
# liblua (the API, the VM running the hooks, the GC), in libc (malloc,
# memcpy, strtod, printf) and elsewhere (the host's counting allocator), from
# the exclusive costs callgrind_annotate lists per function and object file.
# Functions already running when collection was switched on (main, the
# Lua calls around bench.measure) are listed with about the whole total as
# their own cost by callgrind_annotate: skipped.
shares() {
  callgrind_annotate --auto=no --threshold=100 --inclusive=no "$1" 2>/dev/null | awk '
    /PROGRAM TOTALS/ { total = $1; gsub(",", "", total) }
    /^ *[0-9,]+ +\([ 0-9.]+%\) +[^ ]/ && !/PROGRAM TOTALS/ {
      ir = $1; gsub(",", "", ir); obj = $NF
      if (ir + 0 >= 0.99 * total) next
      if (obj ~ /libkserial/) k += ir; else if (obj ~ /cjson/) j += ir
      else if (obj ~ /liblua/) l += ir; else if (obj ~ /libc\.so/) c += ir; else o += ir
    }
    END { t = k + j + l + c + o; if (t == 0) t = 1
          printf "%.0f %.0f %.0f %.0f %.0f", 100 * k / t, 100 * j / t, 100 * l / t,
                 100 * c / t, 100 * o / t }'
}
while read -r tag index key; do
  [ "$tag" = "callgrind-op" ] || continue
  total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg.out.$index")
  echo "$key $total $(shares "$out/cg.out.$index")"
done <"$out/ops.txt" | awk -v n="$n" -v graph="$graph" '
  BEGIN {
    ref["plain_write"] = "floor_write"; ref["serialize"] = "floor_write"
    ref["dumps"] = "floor_write"; ref["plain_read"] = "floor_read"
    ref["loads"] = "floor_read"; ref["deserialize"] = "floor_read"
    ref["json_encode"] = "cjson_encode"; ref["json_decode"] = "cjson_decode"
    printf "callgrind instruction counts (Ir), graph %s at N=%d, one run of each operation\n", graph, n
    printf "  %-12s %14s %9s  %-20s %s\n", "operation", "Ir", "Ir/layer", "ratio",
           "% in kserial cjson liblua libc other"
  }
  {
    order[NR] = $1; ir[$1] = $2; share[$1] = sprintf("%10d %5d %6d %4d %5d", $3, $4, $5, $6, $7)
  }
  END {
    for (i = 1; i <= NR; i++) {
      k = order[i]; r = ref[k]; ratio = ""
      if (r in ir && ir[r] > 0) ratio = sprintf("%.2f x %s", ir[k] / ir[r], r)
      printf "  %-12s %14.0f %9.0f  %-20s %s\n", k, ir[k], ir[k] / n, ratio, share[k]
    }
  }'
echo "profiles: $out/cg.out.<index> (index as in $out/ops.txt)"
