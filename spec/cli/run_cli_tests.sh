#!/bin/sh
# run_cli_tests.sh - drives kserial-lua as a user would, checking stdout,
# stderr and the exit status, and compares it with the stock lua5.4.
#
#   sh run_cli_tests.sh KSERIAL_LUA LUA54 [CASE...]   run every case, or some
#   sh run_cli_tests.sh --list                        print the case names
#
# Prints one line per case ("ok", "FAIL: reason" with details, "skip:
# reason"), then "N passed, M failed". Exits 1 when a case failed, 77 when
# every case asked for was skipped (ctest's SKIP_RETURN_CODE), else 0.
#
# Both interpreters run through a symlink named "lua" so that argv[0], and
# with it the arg table and lua5.4's message prefix, are the same; the
# comparison maps "kserial-lua" to "lua" in kserial-lua's stderr and drops
# the two usage lines that lua5.4 does not have (--unsafe, --scan).

CASES="
script_args script_after_options no_script_arg_table e_in_order
l_module l_global_name l_missing version version_then_script
E_ignores_env E_ignores_lua_path init_code init_file init_version_wins
init_error W_warnings W_same_as_lua stdin_dash stdin_no_tty double_dash
double_dash_alone bad_option e_needs_argument bad_long_option
script_error error_tostring error_table syntax_error missing_script
arg_not_table stdin_error_status exit_status exit_status_close
kserial_global roundtrip safe_mode_default unsafe unsafe_lambda
unsafe_before_init interactive_piped interactive_after_script
interactive_errors interactive_prompts interactive_eof_in_statement
interactive_tty interactive_history interrupt scan_report scan_clean scan_unreadable
scan_bad_json scan_unavailable scan_needs_files scan_runs_no_script
scan_builtin scan_text_to_scan scan_refused scan_keras_code scan_json
scan_json_needs_files scan_json_clean scan_json_byte_names
"

if [ "$1" = --list ]; then
  for c in $CASES; do echo "$c"; done
  exit 0
fi
if [ $# -lt 2 ]; then
  echo "usage: $0 KSERIAL_LUA LUA54 [CASE...]   (or: $0 --list)" >&2
  exit 2
fi

abspath() {
  case $1 in
    /*) echo "$1" ;;
    */*) echo "$(pwd)/$1" ;;
    *) command -v "$1" ;;
  esac
}
KSERIAL_LUA=$(abspath "$1")
LUA54=$(abspath "$2")
shift 2
for exe in "$KSERIAL_LUA" "$LUA54"; do
  if [ ! -x "$exe" ]; then
    echo "$0: not an executable: $exe" >&2
    exit 2
  fi
done

FIX=$(cd "$(dirname "$0")/fixtures" && pwd) || exit 2
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
mkdir "$TMP/k" "$TMP/l"
ln -s "$KSERIAL_LUA" "$TMP/k/lua"
ln -s "$LUA54" "$TMP/l/lua"
T=$(printf '\t')
VERSION=$("$KSERIAL_LUA" -v </dev/null 2>/dev/null)

# ---- running ---------------------------------------------------------------

# A case starts with no Lua variables in the environment and empty stdin.
reset_env() {
  unset LUA_INIT LUA_INIT_5_4 LUA_PATH LUA_PATH_5_4 LUA_CPATH LUA_CPATH_5_4
  IN=/dev/null
}

# input LINE...: the lines become the standard input of the next runs.
input() {
  printf '%s\n' "$@" >"$TMP/in"
  IN=$TMP/in
}

# run WHO ARG...: "lua ARG..." as kserial-lua (WHO=k) or lua5.4 (WHO=l), in
# the fixtures folder, into $TMP/WHO.out, WHO.err and WHO.rc.
run() {
  who=$1
  shift
  (PATH="$TMP/$who:$PATH"; export PATH; cd "$FIX" && exec lua "$@") \
    <"$IN" >"$TMP/$who.out" 2>"$TMP/$who.err"
  echo $? >"$TMP/$who.rc"
}

both() {
  run k "$@"
  run l "$@"
}

# ---- checks (on kserial-lua's run) -------------------------------------------

problem() {
  why="$why${why:+; }$1"
}

detail() {
  { echo "--- $1"; cat "$2"; } >>"$TMP/detail"
}

rc_is() {
  got=$(cat "$TMP/k.rc")
  [ "$got" = "$1" ] || problem "exit status $got, expected $1"
}

# out_is TEXT: stdout is exactly TEXT and a newline (nothing when TEXT is "").
out_is() {
  if [ -z "$1" ]; then : >"$TMP/exp"; else printf '%s\n' "$1" >"$TMP/exp"; fi
  if ! cmp -s "$TMP/exp" "$TMP/k.out"; then
    problem "unexpected stdout"
    detail "expected stdout" "$TMP/exp"
    detail "actual stdout" "$TMP/k.out"
  fi
}

# out_has LINE / err_has_line LINE: a whole line; err_has TEXT: a substring.
out_has() {
  grep -qxF -- "$1" "$TMP/k.out" || { problem "no line '$1' on stdout"; detail stdout "$TMP/k.out"; }
}

out_lacks() {
  ! grep -qF -- "$1" "$TMP/k.out" || { problem "'$1' on stdout"; detail stdout "$TMP/k.out"; }
}

out_matches() {
  grep -qE -- "$1" "$TMP/k.out" || { problem "no line matching /$1/ on stdout"; detail stdout "$TMP/k.out"; }
}

err_has() {
  grep -qF -- "$1" "$TMP/k.err" || { problem "no '$1' on stderr"; detail stderr "$TMP/k.err"; }
}

err_has_line() {
  grep -qxF -- "$1" "$TMP/k.err" || { problem "no line '$1' on stderr"; detail stderr "$TMP/k.err"; }
}

err_lacks() {
  ! grep -qF -- "$1" "$TMP/k.err" || { problem "'$1' on stderr"; detail stderr "$TMP/k.err"; }
}

err_first_line_is() {
  got=$(sed -n 1p "$TMP/k.err")
  [ "$got" = "$1" ] || { problem "stderr starts with '$got', expected '$1'"; detail stderr "$TMP/k.err"; }
}

err_empty() {
  [ ! -s "$TMP/k.err" ] || { problem "stderr not empty"; detail stderr "$TMP/k.err"; }
}

# same_as_lua: stdout, exit status and (mapped) stderr of the two runs agree.
same_as_lua() {
  sed 's/kserial-lua/lua/g' "$TMP/k.err" |
    grep -v -e '^  --unsafe ' -e '^  --scan ' >"$TMP/k.err.mapped"
  if ! cmp -s "$TMP/k.out" "$TMP/l.out"; then
    problem "stdout differs from lua5.4"
    detail "kserial-lua stdout" "$TMP/k.out"
    detail "lua5.4 stdout" "$TMP/l.out"
  fi
  if ! cmp -s "$TMP/k.err.mapped" "$TMP/l.err"; then
    problem "stderr differs from lua5.4"
    detail "kserial-lua stderr (mapped)" "$TMP/k.err.mapped"
    detail "lua5.4 stderr" "$TMP/l.err"
  fi
  if ! cmp -s "$TMP/k.rc" "$TMP/l.rc"; then
    problem "exit status $(cat "$TMP/k.rc"), lua5.4's $(cat "$TMP/l.rc")"
  fi
}

skip_because() {
  skipped=$1
}

# ---- script, arg table, -e, -l -----------------------------------------------

t_script_args() {
  both args.lua a "b c"
  same_as_lua
  rc_is 0
  out_has "-1=lua"
  out_has "0=args.lua"
  out_has "1=a"
  out_has "2=b c"
  out_has "...${T}2${T}a${T}b c"
}

t_script_after_options() {
  both -e "x = 1" -W args.lua -e
  same_as_lua
  out_has "-4=lua"
  out_has "-3=-e"
  out_has "-2=x = 1"
  out_has "-1=-W"
  out_has "1=-e"
  out_has "...${T}1${T}-e"
}

t_no_script_arg_table() {
  both -e "print(arg[0], arg[1], arg[2], arg[3], #arg)"
  same_as_lua
  out_is "lua${T}-e${T}print(arg[0], arg[1], arg[2], arg[3], #arg)${T}nil${T}2"
}

t_e_in_order() {
  both -e "io.write(1)" -e "io.write(2)" "-eprint(3)"
  same_as_lua
  rc_is 0
  out_is "123"
}

t_l_module() {
  export LUA_PATH="$FIX/mods/?.lua"
  both -l fixmod -e "print(fixmod.name)" -lfixmod
  same_as_lua
  rc_is 0
  out_is "fixmod"
}

t_l_global_name() {
  export LUA_PATH="$FIX/mods/?.lua"
  both -l g=fixmod -e "print(g.name, fixmod)"
  same_as_lua
  out_is "fixmod${T}nil"
}

t_l_missing() {
  both -l no_such_module -e "print('not reached')"
  same_as_lua
  rc_is 1
  err_first_line_is "kserial-lua: module 'no_such_module' not found:"
  out_is ""
}

t_version() {
  run k -v
  rc_is 0
  out_matches '^kserial-lua [0-9]+\.[0-9]+\.[0-9]+ \(Lua 5\.4\.[0-9]+\)$'
  [ "$(wc -l <"$TMP/k.out")" -eq 1 ] || problem "more than one line"
  err_empty
}

t_version_then_script() {
  run k -v args.lua x
  rc_is 0
  out_is "$VERSION
-2=lua
-1=-v
0=args.lua
1=x
...${T}1${T}x"
}

# ---- environment: -E, LUA_INIT, LUA_PATH ---------------------------------------

t_E_ignores_env() {
  export LUA_INIT='print("init ran")'
  export LUA_PATH="$FIX/mods/?.lua"
  both -E -e "print(package.path:find('mods', 1, true))"
  same_as_lua
  rc_is 0
  out_is "nil"
}

t_E_ignores_lua_path() {
  export LUA_PATH="$FIX/mods/?.lua"
  both -E -l fixmod
  same_as_lua
  rc_is 1
  err_has "module 'fixmod' not found"
}

t_init_code() {
  export LUA_INIT='print("init ran", kserial ~= nil)'
  both -e "print(2)"
  rc_is 0
  out_is "init ran${T}true
2"
  # lua5.4 has no kserial: compare on a chunk that does not name it
  export LUA_INIT='print("init ran")'
  both -e "print(2)"
  same_as_lua
}

t_init_file() {
  export LUA_INIT="@init.lua"
  both -e "print(2)"
  same_as_lua
  out_is "init from file
2"
}

t_init_version_wins() {
  export LUA_INIT='print("plain")'
  export LUA_INIT_5_4='print("versioned")'
  both -e "print(2)"
  same_as_lua
  out_is "versioned
2"
}

t_init_error() {
  export LUA_INIT='error("bad init")'
  both -e "print('not reached')"
  same_as_lua
  rc_is 1
  err_first_line_is "kserial-lua: LUA_INIT:1: bad init"
  out_is ""
}

# ---- warnings, stdin, -- ------------------------------------------------------------

t_W_warnings() {
  run k -e 'warn("hidden")' -W -e 'warn("x")'
  rc_is 0
  err_has_line "Lua warning: x"
  err_lacks "hidden"
}

t_W_same_as_lua() {
  both -e 'warn("hidden")' -W -e 'warn("x")' -e 'collectgarbage()'
  same_as_lua
}

t_stdin_dash() {
  input 'print("from stdin", ...)' 'print(arg[0], arg[-1])'
  both - a b
  same_as_lua
  out_is "from stdin${T}a${T}b
-${T}lua"
}

t_stdin_no_tty() {
  input 'print("piped", arg[0])'
  both
  same_as_lua
  out_is "piped${T}lua"
}

t_double_dash() {
  both -- args.lua -e
  same_as_lua
  out_has "-1=--"
  out_has "1=-e"
}

t_double_dash_alone() {
  input 'print("after --")'
  both --
  same_as_lua
  out_is "after --"
}

# ---- bad options ------------------------------------------------------------------

t_bad_option() {
  both -z args.lua
  same_as_lua
  rc_is 1
  out_is ""
  err_first_line_is "kserial-lua: unrecognized option '-z'"
  err_has_line "usage: kserial-lua [options] [script [args]]"
  err_has "--unsafe"
}

t_e_needs_argument() {
  both -e
  same_as_lua
  rc_is 1
  err_first_line_is "kserial-lua: '-e' needs argument"
  both -l -e x
  same_as_lua
}

t_bad_long_option() {
  both --zzz
  same_as_lua
  err_first_line_is "kserial-lua: unrecognized option '--zzz'"
  both -vx
  same_as_lua
  rc_is 1
}

# ---- errors and exit statuses ---------------------------------------------------------

t_script_error() {
  both error.lua
  same_as_lua
  rc_is 1
  err_first_line_is "kserial-lua: error.lua:1: boom"
  err_has_line "stack traceback:"
  err_has "in upvalue 'inner'"
  out_is ""
}

t_error_tostring() {
  both -e 'error(setmetatable({}, {__tostring = function() return "custom!" end}))'
  same_as_lua
  rc_is 1
  err_first_line_is "kserial-lua: custom!"
}

t_error_table() {
  both -e 'error({})'
  same_as_lua
  rc_is 1
  err_first_line_is "kserial-lua: (error object is a table value)"
  err_has_line "stack traceback:"
}

t_syntax_error() {
  both -e 'x ='
  same_as_lua
  rc_is 1
  err_first_line_is "kserial-lua: (command line):1: unexpected symbol near <eof>"
}

t_missing_script() {
  both no_such_script.lua
  same_as_lua
  rc_is 1
  err_first_line_is "kserial-lua: cannot open no_such_script.lua: No such file or directory"
}

t_arg_not_table() {
  both -e "arg = 1" args.lua
  same_as_lua
  rc_is 1
  err_first_line_is "kserial-lua: 'arg' is not a table"
}

# lua5.4 exits 0 here (it ignores the status of a script piped on stdin);
# kserial-lua follows SPEC section 11: an error is exit status 1.
t_stdin_error_status() {
  input 'error("piped")'
  run k
  rc_is 1
  err_first_line_is "kserial-lua: stdin:1: piped"
  err_has_line "stack traceback:"
}

t_exit_status() {
  both -e "os.exit(7)"
  same_as_lua
  rc_is 7
  both -e "os.exit(false)"
  same_as_lua
  rc_is 1
}

t_exit_status_close() {
  both -e "os.exit(5, true)"
  same_as_lua
  rc_is 5
  err_empty
}

# ---- the kserial module ------------------------------------------------------------------

t_kserial_global() {
  run k -e 'print(type(kserial), rawequal(require("kserial"), kserial), rawequal(package.loaded.kserial, kserial))'
  rc_is 0
  out_is "table${T}true${T}true"
  err_empty
}

t_roundtrip() {
  run k roundtrip.lua
  rc_is 0
  out_is "roundtrip ok"
  err_empty
}

t_safe_mode_default() {
  run k -e "print(kserial.in_safe_mode())"
  rc_is 0
  out_is "true"
}

t_unsafe() {
  run k --unsafe -e "print(kserial.in_safe_mode())"
  rc_is 0
  out_is "false"
  err_empty
}

t_unsafe_lambda() {
  run k --unsafe lambda.lua
  rc_is 0
  out_is "42"
  run k lambda.lua
  rc_is 1
  err_has "Requested the deserialization of a lambda object"
}

t_unsafe_before_init() {
  export LUA_INIT='print("init", kserial.in_safe_mode())'
  run k --unsafe -e "print(1)"
  rc_is 0
  out_is "init${T}false
1"
}

# ---- the REPL --------------------------------------------------------------------------------

t_interactive_piped() {
  input 'x = 1+1' 'print(x)' 'return 3' 'if true then' "print('ml')" 'end' \
        '1, nil, "a"' '=4'
  run k -i
  rc_is 0
  # without readline the input is not echoed: prompts, then results
  out_is "$VERSION
> > 2
> 3
> >> >> ml
> 1${T}nil${T}a
> 4
> "
  err_empty
}

t_interactive_after_script() {
  input 'print(#arg, arg[1], ...)'
  run k -i args.lua q
  rc_is 0
  out_is "$VERSION
-2=lua
-1=-i
0=args.lua
1=q
...${T}1${T}q
> 1${T}q
> "
}

t_interactive_errors() {
  input 'error("oops")' 'print("still here")' 'error(setmetatable({}, {__tostring = function() return "E!" end}))'
  run k -i
  rc_is 0
  out_has "> > still here"
  err_first_line_is "stdin:1: oops"
  err_has_line "stack traceback:"
  err_has_line "E!"
  err_lacks "kserial-lua:"
}

t_interactive_prompts() {
  input '_PROMPT = "P$ "' \
        '_PROMPT2 = setmetatable({}, {__tostring = function() return "Q " end})' \
        'if x then' 'end' 'print(1)'
  run k -i
  rc_is 0
  out_is "$VERSION
> P$ P$ Q P$ 1
P$ "
}

t_interactive_eof_in_statement() {
  input 'for i = 1, 2 do'
  run k -i
  rc_is 0
  out_is "$VERSION
> >> > "
  err_has_line "stdin:1: 'end' expected near <eof>"
}

# tty_ok: whether script(1) can give kserial-lua a pseudo-terminal here
# (else the case is skipped, with the reason).
tty_ok() {
  if ! command -v script >/dev/null 2>&1; then
    skip_because "util-linux script is not installed"
    return 1
  fi
  if ! script -qec true /dev/null </dev/null >/dev/null 2>&1; then
    skip_because "script cannot open a pseudo-terminal here"
    return 1
  fi
}

# run_tty: kserial-lua with no argument, its stdin ($IN) a terminal, into
# $TMP/k.out without carriage returns and terminal control sequences (such
# as readline's bracketed-paste switches).
run_tty() {
  limit=
  command -v timeout >/dev/null 2>&1 && limit="timeout 60"
  (cd "$FIX" && exec $limit script -qec "$TMP/k/lua" /dev/null) \
    <"$IN" >"$TMP/k.raw" 2>"$TMP/k.err"
  echo $? >"$TMP/k.rc"
  esc=$(printf '\033')
  tr -d '\r' <"$TMP/k.raw" | sed "s/$esc\\[[?0-9;]*[A-Za-z]//g" >"$TMP/k.out"
}

t_interactive_tty() {
  tty_ok || return
  input 'x = 1+1' 'print(x)' 'return 3' 'if true then' "print('ml')" 'end'
  # no -i: stdin is a terminal, so the REPL starts with the banner
  run_tty
  rc_is 0
  out_has "$VERSION"
  # the results follow the prompts (without readline, the terminal echoes
  # the input lines first; with it, readline echoes each after its prompt)
  out_matches '^(> )*2$'
  out_matches '^(> )*3$'
  out_matches '^(>>? )*ml$'
}

# Built with readline (cmake/cli.cmake), the REPL has a history: Up (ESC [ A)
# then Enter runs the previous line again.
t_interactive_history() {
  if ! ldd "$KSERIAL_LUA" 2>/dev/null | grep -q 'libreadline'; then
    skip_because "kserial-lua was built without readline"
    return
  fi
  tty_ok || return
  up=$(printf '\033[A')
  input 'n = (n or 0) + 1' "$up" 'print("n is " .. n)'
  run_tty
  rc_is 0
  out_has 'n is 2'
}

t_interrupt() {
  (PATH="$TMP/k:$PATH"; export PATH
   exec lua -e 'print("ready") io.stdout:flush() while true do end') \
    </dev/null >"$TMP/k.out" 2>"$TMP/k.err" &
  pid=$!
  n=0
  while kill -0 "$pid" 2>/dev/null && [ $n -lt 100 ]; do
    grep -q ready "$TMP/k.out" && kill -INT "$pid" 2>/dev/null
    sleep 0.1
    n=$((n + 1))
  done
  kill -KILL "$pid" 2>/dev/null && problem "still running 10 s after Ctrl-C"
  wait "$pid"
  echo $? >"$TMP/k.rc"
  rc_is 1
  err_has "kserial-lua: "
  err_has "interrupted!"
  err_has_line "stack traceback:"
}

# ---- --scan -------------------------------------------------------------------------------

t_scan_report() {
  export LUA_PATH="$FIX/mods/?.lua"
  run k -l scan_stub --scan clean.json unsafe.json
  rc_is 3
  out_is "clean.json: clean
unsafe.json:
  lambda f at \$.config.function (NOT FOUND)
  class Dense at \$.config.layers[0] (found)"
  err_empty
}

t_scan_clean() {
  export LUA_PATH="$FIX/mods/?.lua"
  run k -l scan_stub --scan clean.json clean.json
  rc_is 0
  out_is "clean.json: clean
clean.json: clean"
  err_empty
}

t_scan_unreadable() {
  export LUA_PATH="$FIX/mods/?.lua"
  run k -l scan_stub --scan unsafe.json no_such.json clean.json
  rc_is 2
  err_has_line "kserial-lua: cannot open no_such.json: No such file or directory"
  out_has "unsafe.json:"
  out_has "clean.json: clean"
}

t_scan_bad_json() {
  export LUA_PATH="$FIX/mods/?.lua"
  run k -l scan_stub --scan bad.json clean.json
  rc_is 2
  err_has "kserial-lua: bad.json: "
  out_is "clean.json: clean"
}

t_scan_unavailable() {
  run k -e "kserial.scan = nil" --scan clean.json
  rc_is 2
  out_is ""
  err_has_line "kserial-lua: --scan is not available in this build"
}

t_scan_needs_files() {
  run k --scan
  rc_is 1
  err_first_line_is "kserial-lua: '--scan' needs argument"
  err_has_line "usage: kserial-lua [options] [script [args]]"
}

t_scan_runs_no_script() {
  export LUA_PATH="$FIX/mods/?.lua"
  run k -l scan_stub --scan clean.json args.lua
  rc_is 2
  out_is "clean.json: clean"
  err_has "kserial-lua: args.lua: "
}

t_scan_builtin() {
  run k -e "io.write(tostring(kserial.scan ~= nil))"
  if [ "$(cat "$TMP/k.out")" != true ]; then
    skip_because "kserial.scan is not in this build yet"
    return
  fi
  run k --scan data.json
  rc_is 0
  out_is "data.json: clean"
  err_empty
}

t_scan_text_to_scan() {
  # the file's text goes to kserial.scan, which decodes it as loads does
  run k -e "kserial.scan = function(t) io.stderr:write(type(t)) return {items = {}, unsafe = false} end" \
    --scan clean.json
  rc_is 0
  err_has "string"
}

t_scan_refused() {
  run k --scan bad_class_name.json
  rc_is 3
  out_is "bad_class_name.json:
  invalid at \$ (refused: the envelope's \"class_name\" must be a string, not integer)"
  err_empty
}

t_scan_keras_code() {
  run k --scan marshal.json
  rc_is 3
  out_has "  code Lambda at \$ (unsafe: a Keras Lambda layer runs the code its config holds or names)"
  out_has "  lambda function at \$.config.function (unsafe: a Keras 1 or 2 lambda: marshalled Python bytecode)"
}

t_scan_json() {
  run k --scan --json data.json bad_class_name.json no_such.json
  rc_is 2
  err_has_line "kserial-lua: cannot open no_such.json: No such file or directory"
  "$KSERIAL_LUA" -e '
    local r = kserial.json.decode(io.read("a"))
    local f = r.files
    assert(r.exit_code == 2 and #f == 3, "shape")
    assert(f[1].file == "data.json" and f[1].verdict == "clean" and f[1].exit_code == 0)
    assert(getmetatable(f[1].items) == kserial.json.array_mt and #f[1].items == 0)
    assert(f[2].verdict == "refused" and f[2].exit_code == 3)
    local it = f[2].items[1]
    assert(it.kind == "invalid" and it.path == "$" and it.reason:find("class_name", 1, true))
    assert(f[3].verdict == "unreadable" and f[3].exit_code == 2 and f[3].error:find("no_such.json", 1, true))
    assert(r.meaning:find("could not be read", 1, true) and f[2].meaning ~= "")
    print("json ok")' <"$TMP/k.out" >"$TMP/check.out" 2>&1 || problem "the JSON report is wrong: $(cat "$TMP/check.out")"
}

t_scan_json_needs_files() {
  run k --scan --json
  rc_is 2
  out_is ""
  err_has_line "kserial-lua: --scan --json needs at least one FILE"
}

t_scan_json_clean() {
  export LUA_PATH="$FIX/mods/?.lua"
  run k -l scan_stub --scan --json clean.json
  rc_is 0
  out_has '      "verdict": "clean"'
  out_has '  "exit_code": 0,'
  err_empty
}

# File names are bytes: one that is not UTF-8 is shown with \xHH for each bad
# byte, and the report stays one JSON document (it was lost, exit status 1).
t_scan_json_byte_names() {
  bad=$(printf '%s/bad\377.json' "$TMP")
  missing=$(printf '%s/m\351ssing.json' "$TMP")
  cp "$FIX/data.json" "$bad"
  run k --scan --json "$bad" "$missing"
  rc_is 2
  "$KSERIAL_LUA" -e '
    local r = kserial.json.decode(io.read("a"))
    local f = r.files
    assert(#f == 2 and r.exit_code == 2, "shape")
    assert(f[1].file:sub(-13) == "/bad\\xFF.json" and f[1].verdict == "clean", f[1].file)
    assert(f[2].file:sub(-16) == "/m\\xE9ssing.json" and f[2].verdict == "unreadable", f[2].file)
    assert(f[2].error:find("m\\xE9ssing.json: No such file", 1, true), f[2].error)
    print("json ok")' <"$TMP/k.out" >"$TMP/check.out" 2>&1 || problem "the JSON report is wrong: $(cat "$TMP/check.out")"
  rm -f "$bad"
}

# ---- driver ------------------------------------------------------------------------------

[ $# -gt 0 ] || set -- $CASES
passed=0
failed=0
skips=0
for c in "$@"; do
  reset_env
  why=
  skipped=
  : >"$TMP/detail"
  case " $(echo $CASES) " in
    *" $c "*) "t_$c" ;;
    *) why="no such case" ;;
  esac
  if [ -n "$skipped" ]; then
    skips=$((skips + 1))
    echo "skip $c: $skipped"
  elif [ -z "$why" ]; then
    passed=$((passed + 1))
    echo "ok   $c"
  else
    failed=$((failed + 1))
    echo "FAIL $c: $why"
    sed 's/^/     /' "$TMP/detail"
  fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] || exit 1
[ $passed -eq 0 ] && [ $skips -gt 0 ] && exit 77
exit 0
