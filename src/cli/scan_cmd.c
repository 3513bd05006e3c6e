/*
** scan_cmd.c - kserial-lua --scan [--json] FILE...: the text of each file goes
** to kserial.scan (which decodes it as loads does), whose report is printed:
**   FILE: clean
** or
**   FILE:
**     <kind> <name> at <path> (found|NOT FOUND|unsafe: ...|refused: ...)
** With --json, one JSON document on stdout instead: per file its verdict,
** exit status and its meaning, and the items (see docs/kserial-lua.md).
** The exit status is 0 when no file has code or an envelope loads would
** refuse, 3 when some file has, 2 when some file could not be read or
** decoded (2 wins over 3).
*/
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "cli.h"

#define SCAN_CLEAN 0
#define SCAN_FAILED 2
#define SCAN_UNSAFE 3

/* ---- reading a file ------------------------------------------------------- */

/* The open file belongs to a userdata, so a Lua error while reading (out
** of memory in the buffer) closes it. Created closed; closing is
** idempotent; __gc and __close share one function. */
typedef struct scan_file {
  FILE *f;
} scan_file;

#define SCANFILE_MT "kserial-lua.scanfile"

static int scanfile_close(lua_State *L) {
  scan_file *sf = (scan_file *)luaL_checkudata(L, 1, SCANFILE_MT);
  if (sf->f != NULL) fclose(sf->f);
  sf->f = NULL;
  return 0;
}

static scan_file *new_scanfile(lua_State *L) {
  scan_file *sf = (scan_file *)lua_newuserdatauv(L, sizeof *sf, 0);
  sf->f = NULL;
  if (luaL_newmetatable(L, SCANFILE_MT)) {
    lua_pushcfunction(L, scanfile_close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, scanfile_close);
    lua_setfield(L, -2, "__close");
  }
  lua_setmetatable(L, -2);
  lua_toclose(L, -1);
  return sf;
}

static int file_error(lua_State *L, const char *what, const char *name) {
  const char *reason = strerror(errno);
  return luaL_error(L, "cannot %s %s: %s", what, name, reason);
}

/* Pushes the whole content of the file. */
static void push_file_text(lua_State *L, const char *name) {
  int box = lua_gettop(L) + 1;
  scan_file *sf = new_scanfile(L);
  luaL_Buffer b;
  size_t n;
  if ((sf->f = fopen(name, "rb")) == NULL) file_error(L, "open", name);
  luaL_buffinit(L, &b);
  do {
    n = fread(luaL_prepbuffer(&b), 1, LUAL_BUFFERSIZE, sf->f);
    luaL_addsize(&b, n);
  } while (n == LUAL_BUFFERSIZE);
  if (ferror(sf->f)) file_error(L, "read", name);
  luaL_pushresult(&b);
  lua_closeslot(L, box);
  lua_remove(L, box);
}

/* ---- one file -------------------------------------------------------------- */

/* Calls the function below the value at the top; an error becomes
** "FILE: message". */
static void call_or_fail(lua_State *L, const char *name) {
  if (lua_pcall(L, 1, 1, 0) != LUA_OK)
    luaL_error(L, "%s: %s", name, luaL_tolstring(L, -1, NULL));
}

/* Pushes tostring(t[key]). */
static const char *field_string(lua_State *L, int t, const char *key) {
  lua_getfield(L, t, key);
  return luaL_tolstring(L, -1, NULL);
}

static int field_true(lua_State *L, int t, const char *key) {
  int v;
  lua_getfield(L, t, key);
  v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* "  <kind> [<name>] at <path> [(found|NOT FOUND|unsafe: ...|refused: ...)]" */
static void print_item(lua_State *L, int item) {
  int top = lua_gettop(L), has_name, found;
  const char *kind = field_string(L, item, "kind"), *name = "", *path, *note = "";
  const char *reason = NULL;
  has_name = lua_getfield(L, item, "name") != LUA_TNIL;
  lua_pop(L, 1);
  if (has_name) name = field_string(L, item, "name");
  path = field_string(L, item, "path");
  if (lua_getfield(L, item, "reason") == LUA_TSTRING) reason = lua_tostring(L, -1);
  found = lua_getfield(L, item, "found");
  if (found != LUA_TNIL) note = lua_toboolean(L, -1) ? " (found)" : " (NOT FOUND)";
  if (found == LUA_TNIL && strcmp(kind, "lambda") == 0) note = " (unsafe: code)";
  if (reason != NULL && (strcmp(kind, "code") == 0 || strcmp(kind, "lambda") == 0)) {
    lua_pushfstring(L, " (unsafe: %s)", reason);
    note = lua_tostring(L, -1);
  } else if (reason != NULL && strcmp(kind, "invalid") == 0) {
    lua_pushfstring(L, " (refused: %s)", reason);
    note = lua_tostring(L, -1);
  }
  printf("  %s%s%s at %s%s\n", kind, has_name ? " " : "", name, path, note);
  lua_settop(L, top);
}

static void print_report(lua_State *L, const char *name, int report, int unsafe) {
  lua_Integer i, n = 0;
  if (lua_getfield(L, report, "items") != LUA_TNIL) n = luaL_len(L, -1);
  if (n == 0 && !unsafe)
    printf("%s: clean\n", name);
  else {
    printf("%s:\n", name);
    for (i = 1; i <= n; i++) {
      lua_geti(L, -1, i);
      print_item(L, lua_gettop(L));
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  fflush(stdout);
}

/* scan_one(name, kserial) -> exit status of this file, its report. The text
** goes to kserial.scan, which decodes it as loads would. */
static int scan_one(lua_State *L) {
  const char *name = lua_tostring(L, 1);
  int bad;
  lua_getfield(L, 2, "scan");
  push_file_text(L, name);
  call_or_fail(L, name);
  if (!lua_istable(L, -1))
    return luaL_error(L, "%s: kserial.scan returned a %s value, not a table",
                      name, luaL_typename(L, -1));
  /* code, or an envelope loads would refuse: exit status 3 */
  bad = field_true(L, -1, "unsafe") || field_true(L, -1, "invalid");
  lua_pushinteger(L, bad ? SCAN_UNSAFE : SCAN_CLEAN);
  lua_insert(L, -2);
  return 2;
}

/* ---- the JSON report (--scan --json) ---------------------------------------- */

/* What one file's result means: its verdict and the meaning of its status. */
static void set_verdict(lua_State *L, int entry, int status, int report) {
  const char *verdict, *meaning;
  if (status == SCAN_FAILED) {
    verdict = "unreadable";
    meaning = "the file could not be read or is not a JSON document";
  } else if (field_true(L, report, "unsafe")) {
    verdict = "unsafe";
    meaning = "the document holds code, or names a class that runs code";
  } else if (field_true(L, report, "invalid")) {
    verdict = "refused";
    meaning = "loads would refuse an envelope of the document";
  } else if (field_true(L, report, "clean")) {
    verdict = "clean";
    meaning = "no code, and every name the document uses is registered";
  } else {
    verdict = "missing";
    meaning = "no code, but loads needs names that are not registered";
  }
  lua_pushstring(L, verdict);
  lua_setfield(L, entry, "verdict");
  lua_pushinteger(L, status);
  lua_setfield(L, entry, "exit_code");
  lua_pushstring(L, meaning);
  lua_setfield(L, entry, "meaning");
}

/* Replaces the string on top with the text the JSON report shows: itself
** when it is UTF-8 (JSON text must be), else with each byte that is not
** part of a UTF-8 character written as \xHH (a file name is bytes; an error
** message may quote one). Validity is Lua's own strict utf8.len, taken from
** the library, not from the globals a script may have changed. */
static void to_report_text(lua_State *L) {
  size_t len, i = 0;
  const char *s = lua_tolstring(L, -1, &len);
  int str = lua_gettop(L);
  luaL_checkstack(L, 6, NULL);
  luaL_requiref(L, "utf8", luaopen_utf8, 0);
  lua_getfield(L, -1, "len");
  lua_replace(L, -2);
  lua_pushliteral(L, "");                           /* the text so far */
  while (i < len) {
    lua_Integer bad;
    lua_pushvalue(L, str + 1);
    lua_pushvalue(L, str);
    lua_pushinteger(L, (lua_Integer)i + 1);
    lua_call(L, 2, 2);                              /* utf8.len(s, i + 1) */
    if (!lua_isnil(L, -2)) {                        /* the rest is UTF-8 */
      lua_pop(L, 2);
      lua_pushlstring(L, s + i, len - i);
      lua_concat(L, 2);
      break;
    }
    bad = lua_tointeger(L, -1) - 1;                 /* its first bad byte */
    lua_pop(L, 2);
    lua_pushlstring(L, s + i, (size_t)bad - i);
    {
      static const char hexdigits[] = "0123456789ABCDEF";
      unsigned char c = (unsigned char)s[bad];
      char hex[4] = {'\\', 'x', hexdigits[c >> 4], hexdigits[c & 15]};
      lua_pushlstring(L, hex, 4);
    }
    lua_concat(L, 3);
    i = (size_t)bad + 1;
  }
  lua_replace(L, str);
  lua_settop(L, str);
}

/* Appends {file, verdict, exit_code, meaning, items | error} to the array at
** results; the report (or the error message) is on top, and is popped. */
static void add_result(lua_State *L, int results, const char *name, int status,
                       int json_mt) {
  int value = lua_gettop(L), entry;
  lua_createtable(L, 0, 6);
  entry = lua_gettop(L);
  lua_pushstring(L, name);
  to_report_text(L);
  lua_setfield(L, entry, "file");
  set_verdict(L, entry, status, value);
  if (status == SCAN_FAILED) {
    lua_pushvalue(L, value);
    if (lua_type(L, -1) == LUA_TSTRING) to_report_text(L);
    lua_setfield(L, entry, "error");
    lua_createtable(L, 0, 0);
  } else {
    lua_getfield(L, value, "items");
  }
  lua_pushvalue(L, json_mt);            /* [] stays an array when empty */
  lua_setmetatable(L, -2);
  lua_setfield(L, entry, "items");
  lua_rawseti(L, results, (lua_Integer)lua_rawlen(L, results) + 1);
  lua_settop(L, value - 1);
}

/* Prints {"exit_code": worst, "meaning": ..., "files": [...]} with the
** engine's own JSON encoder (indented, keys sorted). */
static void print_json(lua_State *L, int results, int worst) {
  static const char *const meanings[] = {
    "every file is free of code and of envelopes loads would refuse", "",
    "a file could not be read or is not a JSON document",
    "a file holds code or an envelope loads would refuse"
  };
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, results);
  lua_setfield(L, -2, "files");
  lua_pushinteger(L, worst);
  lua_setfield(L, -2, "exit_code");
  lua_pushstring(L, meanings[worst]);
  lua_setfield(L, -2, "meaning");
  cli_pushmodule(L);
  lua_getfield(L, -1, "json");
  lua_getfield(L, -1, "encode");
  lua_pushvalue(L, -4);
  lua_createtable(L, 0, 1);
  lua_pushinteger(L, 2);
  lua_setfield(L, -2, "indent");
  lua_call(L, 2, 1);
  printf("%s\n", lua_tostring(L, -1));
  fflush(stdout);
  lua_pop(L, 4);
}

/* ---- all files -------------------------------------------------------------- */

static int has_scan(lua_State *L) {
  int top = lua_gettop(L);
  int ok = cli_pushmodule(L) == LUA_TTABLE &&
           lua_getfield(L, -1, "scan") != LUA_TNIL;
  lua_settop(L, top);
  return ok;
}

/* Pushes the JSON array metatable (kserial.json.array_mt). */
static int push_array_mt(lua_State *L) {
  cli_pushmodule(L);
  lua_getfield(L, -1, "json");
  lua_getfield(L, -1, "array_mt");
  lua_replace(L, -3);
  lua_pop(L, 1);
  return lua_gettop(L);
}

int cli_scan(lua_State *L, char **files) {
  int worst = SCAN_CLEAN, json = 0, results = 0, json_mt = 0;
  if (!has_scan(L)) {
    cli_message(CLI_PROGNAME, "--scan is not available in this build");
    return SCAN_FAILED;
  }
  if (strcmp(*files, "--json") == 0) {
    json = 1;
    if (*++files == NULL) {
      cli_message(CLI_PROGNAME, "--scan --json needs at least one FILE");
      return SCAN_FAILED;
    }
    lua_newtable(L);
    results = lua_gettop(L);
    json_mt = push_array_mt(L);
  }
  for (; *files != NULL; files++) {
    int result = SCAN_FAILED, st;
    lua_pushcfunction(L, scan_one);
    lua_pushstring(L, *files);
    cli_pushmodule(L);
    st = lua_pcall(L, 2, 2, 0);
    if (st == LUA_OK) {
      result = (int)lua_tointeger(L, -2);
      lua_remove(L, -2);
      if (!json) print_report(L, *files, lua_gettop(L), result == SCAN_UNSAFE);
    } else {
      lua_pushvalue(L, -1);
      cli_report(L, st, CLI_PROGNAME);    /* pops the copy */
    }
    if (json) add_result(L, results, *files, result, json_mt);
    else lua_pop(L, 1);
    if (result == SCAN_FAILED || worst == SCAN_FAILED)
      worst = SCAN_FAILED;
    else if (result == SCAN_UNSAFE)
      worst = SCAN_UNSAFE;
  }
  if (json) print_json(L, results, worst);
  return worst;
}
