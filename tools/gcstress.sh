#!/usr/bin/env bash
# Every busted spec again with the garbage collector under stress
# (spec/helpers/gc_stress.lua): a weak table, a __gc or a scope whose
# behaviour depends on when the collector runs fails here every time,
# instead of once in a while in a normal run. Found: a scope dropped by a
# hook could be collected before the hook returned, so "left a scope open"
# was reported or not depending on the collector.
#   tools/gcstress.sh                      # build dir ./build, all specs
#   GCSTRESS_BUILD_DIR=dir GCSTRESS_JOBS=2 tools/gcstress.sh protocol/errors hostile_hooks
# (a word keeps the specs whose path under spec/ holds it: json/, protocol/scan...)
set -euo pipefail
cd "$(dirname "$0")/.."
src="$PWD"
build="${GCSTRESS_BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$src/$build" ;; esac
jobs="${GCSTRESS_JOBS:-$(nproc)}"
[ -f "$build/CMakeCache.txt" ] || BUILD_DIR="$build" tools/setup.sh
cmake --build "$build" -j"$(nproc)" >/dev/null

# the full corpus the build was configured with, if any (else spec/data)
corpus=$(sed -n 's/^KSERIAL_CORPUS_DIR:PATH=//p' "$build/CMakeCache.txt")
logs="$build/gcstress"
rm -rf "$logs"
mkdir -p "$logs"
specs=()
# every spec of every folder of spec/, as cmake/tests.cmake registers them
while IFS= read -r f; do
  if [ "$#" -gt 0 ]; then
    keep=0
    for word in "$@"; do [[ "$f" == *"$word"* ]] && keep=1; done
    [ "$keep" -eq 1 ] || continue
  fi
  specs+=("$f")
done < <(find spec -name '*_spec.lua' | LC_ALL=C sort)
[ "${#specs[@]}" -gt 0 ] || { echo "gcstress: no spec matches $*" >&2; exit 2; }

# spec/json/corpus_spec.lua -> json.corpus_spec (the name of its ctest test)
spec_name() { local n="${1#spec/}"; n="${n%.lua}"; echo "${n//\//.}"; }

run_spec() {
  local f="$1" name rc=0 start
  name=$(spec_name "$f")
  start=$SECONDS
  env LUA_CPATH="$build/lib/lua/?.so;$build/lib/lua-test/?.so;;" LUA_PATH="$src/spec/helpers/?.lua;;" \
      KSERIAL_CORPUS_DIR="$corpus" KSERIAL_SOURCE="$src" KSERIAL_BUILD="$build" \
      lua5.4 "$(command -v busted)" --ignore-lua --helper="$src/spec/helpers/gc_stress.lua" \
      --cpath="$build/lib/lua/?.so" --lpath="$src/spec/helpers/?.lua" \
      --output=TAP "$f" >"$logs/$name.log" 2>&1 </dev/null || rc=$?
  echo "$rc $((SECONDS - start))" >"$logs/$name.rc"
}

echo "gcstress: ${#specs[@]} specs, $jobs at a time, logs in $logs"
t0=$SECONDS
pids=()
for f in "${specs[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_spec "$f" &
  pids+=($!)
done
wait
passed=0 failed=0 cases=0
for f in "${specs[@]}"; do
  name=$(spec_name "$f")
  read -r rc secs <"$logs/$name.rc"
  n=$(grep -c '^ok ' "$logs/$name.log" || true)
  cases=$((cases + n))
  if [ "$rc" -eq 0 ] && ! grep -q '^not ok' "$logs/$name.log"; then
    printf 'PASS  %-34s %4d cases %5ss\n' "$name" "$n" "$secs"
    passed=$((passed + 1))
  else
    printf 'FAIL  %-34s exit %s, see %s\n' "$name" "$rc" "$logs/$name.log"
    grep -A12 '^not ok' "$logs/$name.log" | head -40 | sed 's/^/        | /'
    failed=$((failed + 1))
  fi
done
echo "gcstress: $passed passed, $failed failed ($cases cases, $((SECONDS - t0)) s)"
[ "$failed" -eq 0 ]
