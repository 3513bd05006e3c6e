#!/usr/bin/env bash
# ThreadSanitizer run: builds kserial with -fsanitize=thread (KSERIAL_TSAN=ON)
# and runs the multi-threaded test (threads.parallel_states: several threads,
# each with its own lua_States) plus the C tests and the embedding example,
# which link the same instrumented library. Any ThreadSanitizer report fails.
#   tools/tsan.sh                        # build dir build-tsan, gcc
#   TSAN_BUILD_DIR=dir CC=clang-14 tools/tsan.sh
#   TSAN_THREADS=8 TSAN_ITERATIONS=1000 tools/tsan.sh   # a longer run
# Debian's liblua5.4 and libcjson are not instrumented: accesses inside them
# are not checked, which is fine for Lua since each lua_State is private to
# its thread (cJSON: kserial calls no cJSON function that writes cJSON's
# process-wide state, see spec/threads/test_threads.c). liblua leaves errors
# through __longjmp_chk, which TSan does not intercept: the test carries the
# shim that makes it (see test_threads.c).
set -euo pipefail
cd "$(dirname "$0")/.."
src="$PWD"
build="${TSAN_BUILD_DIR:-build-tsan}"

echo "tsan: configuring $build"
if ! out=$(cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKSERIAL_TSAN=ON \
             -DKSERIAL_SANITIZE=OFF 2>&1); then
  printf '%s\n' "$out" >&2
  echo "tsan: configuring failed" >&2
  exit 1
fi
echo "tsan: building"
if ! out=$(cmake --build "$build" -j"$(nproc)" 2>&1); then
  printf '%s\n' "$out" >&2
  echo "tsan: the build failed" >&2
  exit 1
fi

export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:exitcode=66${TSAN_OPTIONS:+:$TSAN_OPTIONS}"

# Some kernels randomize mmap more than this ThreadSanitizer runtime can map
# around ("unexpected memory mapping"): then run without ASLR.
runner=()
if ! "$build/threads_parallel_states" "$src/spec/threads/worker.lua" 1 1 >/dev/null 2>"$build/tsan-probe.log"; then
  if grep -q "unexpected memory mapping" "$build/tsan-probe.log" && command -v setarch >/dev/null; then
    echo "tsan: this kernel's ASLR is too wide for the TSan runtime; running under setarch -R"
    runner=(setarch "$(uname -m)" -R)
  else
    cat "$build/tsan-probe.log" >&2
    exit 1
  fi
fi
rm -f "$build/tsan-probe.log"

status=0
log="$build/tsan.log"
: >"$log"

# 1. the threads test, with the sizes asked for (default 4 x 300)
threads="${TSAN_THREADS:-4}" iterations="${TSAN_ITERATIONS:-300}"
echo "tsan: threads.parallel_states ($threads threads x $iterations iterations)"
start=$SECONDS
if ! "${runner[@]}" "$build/threads_parallel_states" "$src/spec/threads/worker.lua" \
     "$threads" "$iterations" >>"$log" 2>&1; then
  status=1
fi
echo "tsan:   $(grep -E 'passed, [0-9]+ failed' "$log" | tail -1 || echo 'no result line') ($((SECONDS - start)) s)"

# 2. the C tests and the embedding example (single-threaded, but they use the
#    same instrumented library)
if ! "${runner[@]}" ctest --test-dir "$build" -R '^(core\.|capi\.|example\.embed$)' \
     --output-on-failure >>"$log" 2>&1; then
  status=1
fi
grep -E 'tests passed|tests failed' "$log" | tail -1 | sed 's/^/tsan:   C tests: /'

reports=$(grep -c "WARNING: ThreadSanitizer" "$log" || true)
if [ "$reports" -ne 0 ]; then
  status=1
  grep -A30 "WARNING: ThreadSanitizer" "$log" | head -120 >&2
fi
echo "tsan: $reports ThreadSanitizer report(s); log in $log"
if [ "$status" -ne 0 ]; then
  echo "tsan: FAILED" >&2
  exit 1
fi
echo "tsan: ok"
