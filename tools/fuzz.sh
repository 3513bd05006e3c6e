#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan) and runs
# each for a while.
#   tools/fuzz.sh [seconds-per-target]     # default 60
#   FUZZ_BUILD_DIR=dir tools/fuzz.sh 300   # default build dir: build-fuzz
#   FUZZ_TARGETS="fuzz_loads" tools/fuzz.sh
# Installs the Debian packages it needs when they are missing, configures
# the build directory with CC=clang -DKSERIAL_FUZZ=ON, builds the targets,
# assembles the seed corpora inside the build directory (fuzz/regressions,
# synthesized seeds, spec/cli/fixtures, the test corpus), runs every target
# with -max_total_time and prints its executions. Exits 1 when a target
# crashed (the crash files stay in <build>/crashes/<target>/), 2 on a
# setup or build failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: tools/fuzz.sh [seconds-per-target]" >&2
  exit 2
fi

PACKAGES=(clang libclang-rt-14-dev liblua5.4-dev lua5.4 libcjson-dev cmake make pkg-config)
# shellcheck source=tools/packages.sh
. tools/packages.sh
install_missing fuzz "${PACKAGES[@]}"

quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    echo "fuzz: failed: $*" >&2
    exit 2
  fi
}

build="${FUZZ_BUILD_DIR:-build-fuzz}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
read -r -a targets <<< "${FUZZ_TARGETS:-fuzz_json_decode fuzz_loads fuzz_scan}"

echo "fuzz: building into $build"
quiet env CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKSERIAL_FUZZ=ON
quiet cmake --build "$build" -j"$(nproc)" --target fuzzers kserial-lua

# ---- seed corpora (generated into the build directory only) -----------------
seeds="$build/seeds"
rm -rf "$seeds"
for t in "${targets[@]}"; do mkdir -p "$seeds/$t" "$build/corpus/$t" "$build/crashes/$t"; done
mkdir -p "$seeds/fuzz_json_decode" "$seeds/fuzz_loads" "$seeds/fuzz_scan"

# Inputs are cut at max_len bytes: bigger documents are left out of the
# seeds (truncated, they would only test the decoder's "unexpected end").
max_len=65536
# add_seed TARGET FLAGBYTE(hex) FILE: the flag byte, then the file
add_seed() {
  local name
  [ "$(stat -c %s "$3")" -lt "$max_len" ] || return 0
  name="$(basename "$3")"
  # shellcheck disable=SC2059  # the format is the flag byte, as \xHH
  { printf "\\x$2"; cat "$3"; } > "$seeds/$1/$name-$2"
}

# the full corpus when the build was configured with one, else spec/data
corpus=$(sed -n 's/^KSERIAL_CORPUS_DIR:PATH=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
[ -n "$corpus" ] && [ -d "$corpus" ] || corpus="$root/spec/data"
for f in "$root"/spec/cli/fixtures/*.json "$corpus"/keras/*.json; do
  [ -f "$f" ] || continue
  add_seed fuzz_json_decode 00 "$f"
  add_seed fuzz_json_decode 81 "$f"
  for flags in 00 04 46 12 22 33; do add_seed fuzz_loads "$flags" "$f"; done
  for flags in 00 04 0c; do add_seed fuzz_scan "$flags" "$f"; done
done
for f in "$corpus"/jsontestsuite/test_parsing/*.json; do
  [ -f "$f" ] || continue
  add_seed fuzz_json_decode 00 "$f"
  add_seed fuzz_json_decode 81 "$f"
done
for t in fuzz_json_decode fuzz_loads fuzz_scan; do
  cp "$root"/fuzz/regressions/$t/* "$seeds/$t/" 2>/dev/null || true
done
quiet "$build/kserial-lua" "$root/fuzz/make_seeds.lua" "$seeds"
for t in "${targets[@]}"; do
  echo "fuzz: $t: $(find "$seeds/$t" -type f | wc -l) seeds"
done

# ---- run ----------------------------------------------------------------------
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
crashed=()
total=0
for t in "${targets[@]}"; do
  log="$build/$t.log"
  echo "fuzz: running $t for ${seconds}s (log: $log)"
  rm -rf "$build/crashes/$t"; mkdir -p "$build/crashes/$t"
  set +e
  "$build/fuzz/$t" -max_total_time="$seconds" -dict="$root/fuzz/kserial.dict" \
    -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="$build/crashes/$t/" \
    "$build/corpus/$t" "$seeds/$t" > "$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  units=$(find "$build/corpus/$t" -type f | wc -l)
  echo "fuzz: $t: ${execs:-?} executions (${rate:-?} exec/s), corpus $units, exit $rc"
  total=$((total + ${execs:-0}))
  artifacts=$(find "$build/crashes/$t" -type f | wc -l)
  if [ "$rc" -ne 0 ] || [ "$artifacts" -gt 0 ]; then
    crashed+=("$t")
    grep -E "ERROR: |runtime error|invariant broken|SUMMARY" "$log" | head -n 5 >&2 || true
    echo "fuzz: $t crashed; crash files in $build/crashes/$t/:" >&2
    find "$build/crashes/$t" -type f >&2
  fi
done

if [ "${#crashed[@]}" -gt 0 ]; then
  echo "fuzz: summary: ${#targets[@]} targets, $total executions, crashed: ${crashed[*]}"
  exit 1
fi
echo "fuzz: summary: ${#targets[@]} targets, $total executions, no crash"
