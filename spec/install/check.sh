# spec/install/check.sh - the step runner both install tests source:
# `check NAME COMMAND...` runs one step and counts it; `finish` prints the
# count line and fails when a step failed.
passed=0
failed=0
check() {  # name, command...
  name=$1
  shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    printf '%s\n' "$out" | tail -n 30 | sed 's/^/     /'
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
