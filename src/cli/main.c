/*
** main.c - kserial-lua, the standalone interpreter: Lua 5.4 with the
** kserial engine opened as the global `kserial` (docs/kserial-lua.md).
**
** It has the shape of Lua's own lua.c: main() only runs pmain() in
** protected mode; pmain() collects the options, opens the libraries, builds
** `arg`, runs LUA_INIT, then -e/-l/-W in order, then the script, then the
** REPL. The options, messages and exit statuses are those of lua5.4, plus
** --unsafe and --scan.
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "kserial_lua.h"
#include "cli.h"

#define INIT_VAR "LUA_INIT"
#define INIT_VAR_VERSION INIT_VAR "_" LUA_VERSION_MAJOR "_" LUA_VERSION_MINOR

/* ---- messages -------------------------------------------------------------- */

void cli_message(const char *pname, const char *msg) {
  if (pname != NULL) fprintf(stderr, "%s: ", pname);
  fprintf(stderr, "%s\n", msg);
  fflush(stderr);
}

int cli_report(lua_State *L, int status, const char *pname) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (msg == NULL) {  /* only cli_docall guarantees a string */
      msg = lua_pushfstring(L, "(error object is a %s value)",
                            luaL_typename(L, -1));
      lua_remove(L, -2);
    }
    cli_message(pname, msg);
    lua_pop(L, 1);
  }
  return status;
}

static void print_version(void) {
  printf("%s %s (%s)\n", CLI_PROGNAME, KS_VERSION, LUA_RELEASE);
  fflush(stdout);
}

static void print_usage(const char *badoption) {
  if (badoption[1] == 'e' || badoption[1] == 'l' ||
      strcmp(badoption, "--scan") == 0)
    fprintf(stderr, "%s: '%s' needs argument\n", CLI_PROGNAME, badoption);
  else
    fprintf(stderr, "%s: unrecognized option '%s'\n", CLI_PROGNAME, badoption);
  fprintf(stderr,
    "usage: %s [options] [script [args]]\n"
    "Available options are:\n"
    "  -e stat   execute string 'stat'\n"
    "  -i        enter interactive mode after executing 'script'\n"
    "  -l mod    require library 'mod' into global 'mod'\n"
    "  -l g=mod  require library 'mod' into global 'g'\n"
    "  -v        show version information\n"
    "  -E        ignore environment variables\n"
    "  -W        turn warnings on\n"
    "  --unsafe  start with kserial's safe mode off\n"
    "  --scan [--json] FILE...  report what each FILE needs, run nothing else\n"
    "  --        stop handling options\n"
    "  -         stop handling options and execute stdin\n",
    CLI_PROGNAME);
  fflush(stderr);
}

/* ---- running chunks: traceback and Ctrl-C ----------------------------------- */

/* The one piece of static mutable state in kserial-lua. A C signal handler
** gets only the signal number, so the state it must interrupt can reach it
** only through a process-wide variable; signals are process-wide anyway. It
** is set only around a protected call, while the SIGINT handler is in place. */
static lua_State *globalL = NULL;

/* Runs inside Lua at the next hook event after Ctrl-C, where raising an
** error is safe (the signal handler itself may not touch the state). */
static void interrupt_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

static void set_sigint(void (*handler)(int), struct sigaction *old) {
  struct sigaction sa;
  sa.sa_handler = handler;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, old);
}

/* lua_sethook and sigaction are safe in a signal handler. A second Ctrl-C
** before the hook runs gets the default action and ends the process. */
static void on_sigint(int sig) {
  int mask = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
  (void)sig;
  set_sigint(SIG_DFL, NULL);
  lua_sethook(globalL, interrupt_hook, mask, 1);
}

/* Message handler: the error message plus a traceback. An error object
** that is not a string is shown through __tostring (without a traceback,
** as lua5.4 does) or by its type. */
static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)",
                          luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int cli_docall(lua_State *L, int narg, int nres) {
  struct sigaction old;
  lua_State *outer = globalL;
  int base = lua_gettop(L) - narg;
  int status;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  globalL = L;
  set_sigint(on_sigint, &old);
  status = lua_pcall(L, narg, nres, base);
  sigaction(SIGINT, &old, NULL);
  globalL = outer;
  lua_remove(L, base);
  return status;
}

static int dochunk(lua_State *L, int status, const char *pname) {
  if (status == LUA_OK) status = cli_docall(L, 0, 0);
  return cli_report(L, status, pname);
}

int cli_dofile(lua_State *L, const char *name, const char *pname) {
  return dochunk(L, luaL_loadfile(L, name), pname);
}

static int dostring(lua_State *L, const char *s, const char *chunkname) {
  return dochunk(L, luaL_loadbuffer(L, s, strlen(s), chunkname), CLI_PROGNAME);
}

/* -l [g=]mod: global g (or mod) = require(mod). */
static int dolibrary(lua_State *L, const char *spec) {
  const char *eq = strchr(spec, '=');
  size_t glen = (eq != NULL) ? (size_t)(eq - spec) : strlen(spec);
  int status;
  lua_getglobal(L, "require");
  lua_pushstring(L, (eq != NULL) ? eq + 1 : spec);
  status = cli_docall(L, 1, 1);
  if (status == LUA_OK) {
    lua_pushglobaltable(L);
    lua_pushlstring(L, spec, glen);
    lua_pushvalue(L, -3);
    lua_settable(L, -3);
    lua_pop(L, 2);
  }
  return cli_report(L, status, CLI_PROGNAME);
}

/* ---- options ------------------------------------------------------------- */

enum {
  OPT_ERROR = 1 << 0,   /* a bad option: its index is in 'bad' */
  OPT_INTERACTIVE = 1 << 1,
  OPT_VERSION = 1 << 2,
  OPT_EXEC = 1 << 3,    /* some -e */
  OPT_NOENV = 1 << 4,
  OPT_UNSAFE = 1 << 5,
  OPT_SCAN = 1 << 6
};

typedef struct cli_options {
  int flags;
  int optlim;   /* first argv index that is not an option */
  int script;   /* argv index of the script; 0 when there is none */
  int files;    /* argv index of the first --scan file */
  int bad;      /* argv index of the bad option */
} cli_options;

static int option_error(cli_options *o, int i) {
  o->flags = OPT_ERROR;
  o->bad = i;
  return 0;
}

/* A long option (after "--"). Returns 1 to go on with the next argument,
** 0 when option handling stops here. */
static int long_option(char **argv, int i, cli_options *o) {
  const char *name = argv[i] + 2;
  if (*name == '\0') {  /* "--": the script (if any) is the next one */
    o->optlim = i + 1;
    o->script = (argv[i + 1] != NULL) ? i + 1 : 0;
    return 0;
  }
  if (strcmp(name, "unsafe") == 0) {
    o->flags |= OPT_UNSAFE;
    return 1;
  }
  if (strcmp(name, "scan") != 0 || argv[i + 1] == NULL)
    return option_error(o, i);
  o->flags |= OPT_SCAN;
  o->optlim = i;  /* -e/-l/-W before --scan still run */
  o->files = i + 1;
  return 0;
}

/* A short option at argv[i]. Returns the index of its last argv entry, or
** 0 on a bad option. */
static int short_option(char **argv, int i, cli_options *o) {
  const char *a = argv[i];
  switch (a[1]) {
    case 'i': o->flags |= OPT_INTERACTIVE; /* -i implies -v */ /* FALLTHROUGH */
    case 'v': o->flags |= OPT_VERSION; break;
    case 'E': o->flags |= OPT_NOENV; break;
    case 'W': break;
    case 'e': case 'l':
      if (a[1] == 'e') o->flags |= OPT_EXEC;
      if (a[2] != '\0') return i;  /* -estat */
      if (argv[i + 1] == NULL || argv[i + 1][0] == '-')
        return option_error(o, i);
      return i + 1;
    default: return option_error(o, i);
  }
  return (a[2] == '\0') ? i : option_error(o, i);
}

static void collect_options(int argc, char **argv, cli_options *o) {
  int i;
  o->flags = 0;
  o->optlim = argc;
  o->script = o->files = o->bad = 0;
  for (i = 1; i < argc; i++) {
    if (argv[i][0] != '-' || argv[i][1] == '\0') {  /* script or "-" */
      o->optlim = o->script = i;
      return;
    }
    if (argv[i][1] == '-') {
      if (!long_option(argv, i, o)) return;
    }
    else if ((i = short_option(argv, i, o)) == 0) return;
  }
}

/* ---- the steps of pmain ---------------------------------------------------- */

/* arg[0] is the script, its arguments are at 1.., the interpreter and its
** options at negative indices. Without a script, arg[0] is the interpreter. */
static void create_arg_table(lua_State *L, int argc, char **argv, int script) {
  int i;
  lua_createtable(L, argc - script - 1 > 0 ? argc - script - 1 : 0,
                  script + 1);
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

/* The script's arguments are whatever `arg` holds when it starts (a -e may
** have changed it), like lua5.4. */
static int push_script_args(lua_State *L) {
  int i, n;
  if (lua_getglobal(L, "arg") != LUA_TTABLE)
    luaL_error(L, "'arg' is not a table");
  n = (int)luaL_len(L, -1);
  luaL_checkstack(L, n + 3, "too many arguments to script");
  for (i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
  lua_remove(L, -i);
  return n;
}

static int handle_script(lua_State *L, char **argv) {
  const char *fname = argv[0];
  int status;
  if (strcmp(fname, "-") == 0 && strcmp(argv[-1], "--") != 0)
    fname = NULL;  /* "-" is standard input, "-- -" a file named "-" */
  status = luaL_loadfile(L, fname);
  if (status == LUA_OK) {
    int n = push_script_args(L);
    status = cli_docall(L, n, 0);
  }
  return cli_report(L, status, CLI_PROGNAME);
}

static int handle_init(lua_State *L) {
  const char *name = "=" INIT_VAR_VERSION;
  const char *init = getenv(name + 1);
  if (init == NULL) {
    name = "=" INIT_VAR;
    init = getenv(name + 1);
  }
  if (init == NULL) return LUA_OK;
  if (init[0] == '@') return cli_dofile(L, init + 1, CLI_PROGNAME);
  return dostring(L, init, name);
}

/* -e, -l and -W, in their order on the command line. */
static int run_options(lua_State *L, char **argv, int optlim) {
  int i;
  for (i = 1; i < optlim; i++) {
    int opt = argv[i][1];
    if (opt == 'e' || opt == 'l') {
      const char *extra = (argv[i][2] != '\0') ? argv[i] + 2 : argv[++i];
      int status = (opt == 'e') ? dostring(L, extra, "=(command line)")
                                : dolibrary(L, extra);
      if (status != LUA_OK) return 0;
    }
    else if (opt == 'W')
      lua_warning(L, "@on", 0);
  }
  return 1;
}

int cli_pushmodule(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_getfield(L, -1, "kserial");
  lua_remove(L, -2);
  return lua_type(L, -1);
}

static void open_libraries(lua_State *L) {
  luaL_openlibs(L);
  luaL_requiref(L, "kserial", luaopen_kserial, 1);
  lua_pop(L, 1);
}

static int turn_safe_mode_off(lua_State *L) {
  if (cli_pushmodule(L) != LUA_TTABLE)
    return luaL_error(L, "the kserial module is not loaded");
  lua_getfield(L, -1, "enable_unsafe_deserialization");
  lua_remove(L, -2);
  return cli_report(L, cli_docall(L, 0, 0), CLI_PROGNAME);
}

static int finish(lua_State *L, int exit_status) {
  lua_pushinteger(L, exit_status);
  return 1;
}

/* After the options, everything that may fail runs here; the result is the
** exit status of the process. */
static int pmain(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = (char **)lua_touserdata(L, 2);
  cli_options o;
  luaL_checkversion(L);
  collect_options(argc, argv, &o);
  if (o.flags & OPT_ERROR) {
    print_usage(argv[o.bad]);
    return finish(L, EXIT_FAILURE);
  }
  if (o.flags & OPT_VERSION) print_version();
  if (o.flags & OPT_NOENV) {  /* package.path and cpath skip LUA_PATH... */
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
  }
  open_libraries(L);
  create_arg_table(L, argc, argv, o.script);
  lua_gc(L, LUA_GCRESTART);
  lua_gc(L, LUA_GCGEN, 0, 0);
  if ((o.flags & OPT_UNSAFE) && turn_safe_mode_off(L) != LUA_OK)
    return finish(L, EXIT_FAILURE);
  if (!(o.flags & OPT_NOENV) && handle_init(L) != LUA_OK)
    return finish(L, EXIT_FAILURE);
  if (!run_options(L, argv, o.optlim)) return finish(L, EXIT_FAILURE);
  if (o.flags & OPT_SCAN) return finish(L, cli_scan(L, argv + o.files));
  if (o.script > 0 && handle_script(L, argv + o.script) != LUA_OK)
    return finish(L, EXIT_FAILURE);
  if (o.flags & OPT_INTERACTIVE)
    cli_repl(L);
  else if (o.script == 0 && !(o.flags & (OPT_EXEC | OPT_VERSION))) {
    if (isatty(0)) {
      print_version();
      cli_repl(L);
    }
    else if (cli_dofile(L, NULL, CLI_PROGNAME) != LUA_OK)
      return finish(L, EXIT_FAILURE);
  }
  return finish(L, EXIT_SUCCESS);
}

int main(int argc, char **argv) {
  lua_State *L = luaL_newstate();
  int status, exit_status;
  if (L == NULL) {
    cli_message(CLI_PROGNAME, "cannot create state: not enough memory");
    return EXIT_FAILURE;
  }
  lua_gc(L, LUA_GCSTOP);  /* no collection while the state is being built */
  lua_pushcfunction(L, pmain);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  status = lua_pcall(L, 2, 1, 0);
  exit_status = (status == LUA_OK) ? (int)lua_tointeger(L, -1) : EXIT_FAILURE;
  cli_report(L, status, CLI_PROGNAME);
  lua_close(L);
  return exit_status;
}
