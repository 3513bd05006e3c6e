/*
** repl.c - kserial-lua's read-eval-print loop, as lua5.4's: a line is first
** tried as `return <line>;`, an incomplete statement reads continuation
** lines. On a terminal, when built with GNU readline (KSERIAL_HAVE_READLINE,
** cmake/cli.cmake), lines come from readline, with line editing and the
** session's history, as Debian's lua5.4 has; otherwise, and always when
** stdin is not a terminal, from fgets.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>

#ifdef KSERIAL_HAVE_READLINE
#include <readline/readline.h>
#include <readline/history.h>
#endif

#include "cli.h"

#define PROMPT "> "
#define PROMPT2 ">> "

/* A syntax error that ends with this mark means "the input ended too soon". */
#define EOF_MARK "<eof>"
#define EOF_MARK_LEN (sizeof(EOF_MARK) - 1)

/* Pushes the prompt: _PROMPT / _PROMPT2 when set, through tostring. */
static const char *push_prompt(lua_State *L, int firstline) {
  if (lua_getglobal(L, firstline ? "_PROMPT" : "_PROMPT2") == LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushstring(L, firstline ? PROMPT : PROMPT2);
    return lua_tostring(L, -1);
  }
  return luaL_tolstring(L, -1, NULL);  /* above the value it came from */
}

#ifdef KSERIAL_HAVE_READLINE
/* A line readline returned, owned by a userdata until it is a Lua string,
** so that it is freed even if pushing it raises (out of memory). */
typedef struct rl_line { char *s; } rl_line;

static int rl_line_gc(lua_State *L) {
  rl_line *b = (rl_line *)lua_touserdata(L, 1);
  free(b->s);
  b->s = NULL;
  return 0;
}

/* Pushes the next line read by readline with the prompt given, and adds a
** non-empty line to the history. Returns 0 (nothing pushed) at the end of
** input. */
static int readline_line(lua_State *L, const char *prompt) {
  rl_line *b = (rl_line *)lua_newuserdatauv(L, sizeof *b, 0);
  b->s = NULL;
  if (luaL_newmetatable(L, "kserial-lua.line")) {
    lua_pushcfunction(L, rl_line_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  b->s = readline(prompt);
  if (b->s == NULL) {
    lua_pop(L, 1);
    return 0;
  }
  if (b->s[0] != '\0') add_history(b->s);
  lua_pushstring(L, b->s);
  free(b->s);
  b->s = NULL;
  lua_remove(L, -2);   /* the box */
  return 1;
}
#endif

/* Pushes the next line of stdin without its newline. The line is built in a
** luaL_Buffer (on the Lua stack) so it has no length limit and nothing leaks
** if Lua raises. Returns 0 at the end of input. */
static int read_line(lua_State *L) {
  luaL_Buffer b;
  int got = 0;
  luaL_buffinit(L, &b);
  for (;;) {
    char *p = luaL_prepbuffer(&b);
    size_t n;
    if (fgets(p, (int)LUAL_BUFFERSIZE, stdin) == NULL) break;
    got = 1;
    n = strlen(p);
    if (n > 0 && p[n - 1] == '\n') {
      luaL_addsize(&b, n - 1);
      break;
    }
    luaL_addsize(&b, n);
  }
  luaL_pushresult(&b);
  if (!got) lua_pop(L, 1);
  return got;
}

static int push_line(lua_State *L, int firstline) {
  const char *line;
  int top = lua_gettop(L);
  const char *prompt = push_prompt(L, firstline);
#ifdef KSERIAL_HAVE_READLINE
  if (isatty(STDIN_FILENO)) {
    if (!readline_line(L, prompt)) {
      lua_settop(L, top);
      return 0;
    }
  } else
#endif
  {
    fputs(prompt, stdout);
    fflush(stdout);
    if (!read_line(L)) {
      lua_settop(L, top);
      return 0;
    }
  }
  lua_copy(L, -1, top + 1);   /* the line, where the prompt was */
  lua_settop(L, top + 1);
  line = lua_tostring(L, -1);
  if (firstline && line[0] == '=') {  /* "=expr", as in Lua 5.1 and 5.2 */
    lua_pushfstring(L, "return %s", line + 1);
    lua_remove(L, -2);
  }
  return 1;
}

/* Tries the line at the top as "return <line>;". On success replaces the
** line's copy with the compiled chunk; on failure leaves the stack as it
** was. */
static int try_expression(lua_State *L) {
  const char *retline = lua_pushfstring(L, "return %s;", lua_tostring(L, -1));
  int status = luaL_loadbuffer(L, retline, strlen(retline), "=stdin");
  if (status == LUA_OK)
    lua_remove(L, -2);
  else
    lua_pop(L, 2);
  return status;
}

static int incomplete(lua_State *L, int status) {
  size_t len;
  const char *msg;
  if (status != LUA_ERRSYNTAX) return 0;
  msg = lua_tolstring(L, -1, &len);
  return len >= EOF_MARK_LEN && strcmp(msg + len - EOF_MARK_LEN, EOF_MARK) == 0;
}

/* Compiles the text at index 1 as a statement, adding lines while the
** compiler says it is incomplete. Leaves the chunk or the error message. */
static int try_statement(lua_State *L) {
  for (;;) {
    size_t len;
    const char *text = lua_tolstring(L, 1, &len);
    int status = luaL_loadbuffer(L, text, len, "=stdin");
    if (!incomplete(L, status) || !push_line(L, 0))
      return status;  /* at the end of input, the real syntax error */
    lua_remove(L, -2);  /* the "<eof>" message */
    lua_pushliteral(L, "\n");
    lua_insert(L, -2);
    lua_concat(L, 3);
  }
}

/* Leaves one compiled chunk (or an error message) on an empty stack.
** Returns -1 at the end of input. */
static int load_line(lua_State *L) {
  int status;
  lua_settop(L, 0);
  if (!push_line(L, 1)) return -1;
  if ((status = try_expression(L)) != LUA_OK) status = try_statement(L);
  lua_remove(L, 1);
  return status;
}

/* Prints the values on the stack with the global print. */
static void print_results(lua_State *L) {
  int n = lua_gettop(L);
  if (n == 0) return;
  luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
  lua_getglobal(L, "print");
  lua_insert(L, 1);
  if (lua_pcall(L, n, 0, 0) != LUA_OK)
    cli_message(NULL, lua_pushfstring(L, "error calling 'print' (%s)",
                                      lua_tostring(L, -1)));
}

void cli_repl(lua_State *L) {
  int status;
#ifdef KSERIAL_HAVE_READLINE
  rl_readline_name = "kserial-lua";   /* for ~/.inputrc's $if blocks */
#endif
  while ((status = load_line(L)) != -1) {
    if (status == LUA_OK) status = cli_docall(L, 0, LUA_MULTRET);
    if (status == LUA_OK)
      print_results(L);
    else  /* no program name on errors in interactive mode */
      cli_report(L, status, NULL);
  }
  lua_settop(L, 0);
  fputs("\n", stdout);
  fflush(stdout);
}
