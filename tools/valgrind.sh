#!/usr/bin/env bash
# valgrind memcheck over the test suite. The jobs are taken from ctest
# itself (ctest --show-only=json-v1), with the command, environment and
# working directory ctest would use:
#   lua.*        every busted spec (spec/<folder>/*_spec.lua: lua.json.decode_spec,
#                lua.protocol.errors_spec, lua.hostile.hostile_docs_spec...) under the
#                stock lua5.4, with LUA_CPATH, LUA_PATH, KSERIAL_CORPUS_DIR, ...
#   core.*, capi.*, threads.*   the C tests (the threads test at a smaller
#                size: VALGRIND_THREADS, default "2 64")
#   example.*    the examples: the C host (embed) and kserial-lua running the
#                example scripts
# Not run: the kserial-lua.* copies of the specs (the same specs again), the
# cli.* shell scripts and the install.* tests. Any memory error or any leak
# (definite, indirect or possible) fails the run.
#   tools/valgrind.sh                         # build dir ./build
#   VALGRIND_BUILD_DIR=dir VALGRIND_JOBS=2 tools/valgrind.sh
#   tools/valgrind.sh protocol.leaks_spec core.   # only jobs whose name has one of these words
#   VALGRIND_EXTRA="--track-origins=yes" tools/valgrind.sh protocol.errors_spec
# Installs valgrind (and lua-cjson, to read ctest's JSON) when missing; builds
# the build dir with tools/setup.sh when it does not exist, and brings an
# existing one up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
src="$PWD"
build="${VALGRIND_BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$src/$build" ;; esac
jobs="${VALGRIND_JOBS:-$(nproc)}"
threads_size="${VALGRIND_THREADS:-2 64}"

# ---- tools ---------------------------------------------------------------------
# shellcheck source=tools/packages.sh
. "$src/tools/packages.sh"
install_missing valgrind valgrind lua-cjson

# ---- the build -----------------------------------------------------------------
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "valgrind: no build in $build; building it with tools/setup.sh"
  BUILD_DIR="$build" tools/setup.sh
fi
if grep -Eq '^KSERIAL_(SANITIZE|TSAN):BOOL=ON' "$build/CMakeCache.txt"; then
  echo "valgrind: $build is a sanitizer build; valgrind needs a normal one" >&2
  exit 2
fi
if ! out=$(cmake --build "$build" -j"$(nproc)" 2>&1); then
  printf '%s\n' "$out" >&2
  echo "valgrind: the build failed" >&2
  exit 1
fi

# shellcheck disable=SC2054  # the commas are inside valgrind's options
vg=(valgrind --tool=memcheck --leak-check=full
    --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible
    --error-exitcode=99 --num-callers=40)
[ -f "$src/tools/valgrind.supp" ] && vg+=(--suppressions="$src/tools/valgrind.supp")
# shellcheck disable=SC2206
vg+=(${VALGRIND_EXTRA:-})

# ---- the jobs, from ctest --------------------------------------------------------
# One line per job: name, working directory, environment and command, the
# last two as lists; fields separated by \x1e, list items by \x1f.
logs="$build/valgrind"
rm -rf "$logs"
mkdir -p "$logs"
ctest --test-dir "$build" --show-only=json-v1 >"$logs/ctest.json"
lua5.4 - "$logs/ctest.json" "$threads_size" >"$logs/jobs.txt" <<'LUA'
  local cjson = require "cjson"
  local f = assert(io.open(arg[1], "rb"))
  local info = cjson.decode(f:read("a"))
  f:close()
  local size = arg[2]
  local wanted = { "^lua%.", "^core%.", "^capi%.", "^threads%.", "^example%." }
  for _, t in ipairs(info.tests) do
    local keep = false
    for _, p in ipairs(wanted) do keep = keep or t.name:find(p) ~= nil end
    if keep and t.command then
      local cmd, env, dir = {}, {}, "."
      for i, a in ipairs(t.command) do cmd[i] = a end
      if t.name:find("^threads%.") then              -- a smaller size under valgrind
        cmd[#cmd - 1], cmd[#cmd] = size:match("^(%d+)%s+(%d+)$")
        assert(cmd[#cmd], "VALGRIND_THREADS must be \"threads iterations\"")
      end
      for _, p in ipairs(t.properties or {}) do
        if p.name == "ENVIRONMENT" then
          for _, v in ipairs(type(p.value) == "table" and p.value or { p.value }) do env[#env + 1] = v end
        elseif p.name == "WORKING_DIRECTORY" then
          dir = p.value
        end
      end
      io.write(t.name, "\30", dir, "\30", table.concat(env, "\31"), "\30",
               table.concat(cmd, "\31"), "\n")
    end
  end
LUA

names=() dirs=() envs=() cmds=()
while IFS=$'\x1e' read -r name dir env cmd; do
  if [ "$#" -gt 0 ]; then
    keep=0
    for word in "$@"; do [[ "$name" == *"$word"* ]] && keep=1; done
    [ "$keep" -eq 1 ] || continue
  fi
  names+=("$name") dirs+=("$dir") envs+=("$env") cmds+=("$cmd")
done <"$logs/jobs.txt"
[ "${#names[@]}" -gt 0 ] || { echo "valgrind: no job matches ${*:-(all)}" >&2; exit 2; }

# Runs job $1 (an index); writes its log and "rc seconds" to $logs/<name>.rc.
run_job() {
  local i="$1" name="${names[$1]}" rc=0 start end
  local -a env_list=() cmd_list=()
  [ -n "${envs[$i]}" ] && IFS=$'\x1f' read -r -a env_list <<<"${envs[$i]}"
  IFS=$'\x1f' read -r -a cmd_list <<<"${cmds[$i]}"
  start=$(date +%s.%N)
  (cd "${dirs[$i]}" && env "${env_list[@]}" "${vg[@]}" "${cmd_list[@]}") \
    >"$logs/$name.log" 2>&1 </dev/null || rc=$?
  end=$(date +%s.%N)
  echo "$rc $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')" >"$logs/$name.rc"
}

passed=0 failed=0 skipped=0
report() {
  local name="$1" rc secs what
  read -r rc secs <"$logs/$name.rc"
  if [ "$rc" -eq 0 ]; then
    printf 'PASS  %-36s %7ss\n' "$name" "$secs"
    passed=$((passed + 1))
  elif [ "$rc" -eq 77 ]; then   # ctest's SKIP_RETURN_CODE: cannot run here
    printf 'SKIP  %-36s %7ss  %s\n' "$name" "$secs" "$(grep -m1 '^skipped: ' "$logs/$name.log" || true)"
    skipped=$((skipped + 1))
  else
    if [ "$rc" -eq 99 ]; then what="memory errors or leaks"; else what="test failed (exit $rc)"; fi
    printf 'FAIL  %-36s %7ss  %s: see %s\n' "$name" "$secs" "$what" "$logs/$name.log"
    grep -E '== (ERROR SUMMARY|   definitely|   indirectly|   possibly)' "$logs/$name.log" \
      | sed 's/^/        /' || true
    if [ "$rc" -ne 99 ]; then
      # the test's own words (busted's failure report), without valgrind's
      grep -v '^==[0-9]*==' "$logs/$name.log" | tail -n 40 | sed 's/^/        | /' || true
    fi
    failed=$((failed + 1))
  fi
}

echo "valgrind: ${#names[@]} jobs, $jobs at a time, logs in $logs"
t0=$SECONDS
declare -A running=()
for i in "${!names[@]}"; do
  while [ "${#running[@]}" -ge "$jobs" ]; do
    wait -n || true
    for n in "${!running[@]}"; do
      if [ -f "$logs/$n.rc" ]; then report "$n"; unset "running[$n]"; fi
    done
  done
  run_job "$i" &
  running[${names[$i]}]=$!
done
wait
for n in "${!running[@]}"; do report "$n"; done

echo "valgrind: $passed passed, $failed failed, $skipped not run ($((SECONDS - t0)) s)"
[ "$failed" -eq 0 ]
