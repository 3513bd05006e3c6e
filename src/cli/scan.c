/*
** scan.c - kserial-lua --scan FILE...: each file is decoded with
** kserial.json.decode and given to kserial.scan, whose report is printed:
**   FILE: clean
** or
**   FILE:
**     <kind> <name> at <path> (found|NOT FOUND)
** The exit status is 0 when every file is clean, 3 when some file has unsafe
** content, 2 when some file could not be read or decoded (2 wins over 3).
*/
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "cli.h"

#define SCAN_CLEAN 0
#define SCAN_FAILED 2
#define SCAN_UNSAFE 3

/* ---- reading a file ------------------------------------------------------- */

/* The open file belongs to a userdata, so a Lua error while reading (out
** of memory in the buffer) closes it. Created closed; closing is
** idempotent; __gc and __close share one function. */
typedef struct ScanFile {
  FILE *f;
} ScanFile;

#define SCANFILE_MT "kserial-lua.scanfile"

static int scanfile_close(lua_State *L) {
  ScanFile *sf = (ScanFile *)luaL_checkudata(L, 1, SCANFILE_MT);
  if (sf->f != NULL) fclose(sf->f);
  sf->f = NULL;
  return 0;
}

static ScanFile *new_scanfile(lua_State *L) {
  ScanFile *sf = (ScanFile *)lua_newuserdatauv(L, sizeof *sf, 0);
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
  ScanFile *sf = new_scanfile(L);
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

/* "  <kind> [<name>] at <path> [(found|NOT FOUND|unsafe: code)]" */
static void print_item(lua_State *L, int item) {
  int top = lua_gettop(L), has_name, found;
  const char *kind = field_string(L, item, "kind"), *name = "", *path, *note;
  has_name = lua_getfield(L, item, "name") != LUA_TNIL;
  lua_pop(L, 1);
  if (has_name) name = field_string(L, item, "name");
  path = field_string(L, item, "path");
  found = lua_getfield(L, item, "found");
  if (found != LUA_TNIL) note = lua_toboolean(L, -1) ? " (found)" : " (NOT FOUND)";
  else if (strcmp(kind, "lambda") == 0) note = " (unsafe: code)";
  else note = "";
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

/* scan_one(name, kserial) -> exit status of this file */
static int scan_one(lua_State *L) {
  const char *name = lua_tostring(L, 1);
  int unsafe;
  lua_getfield(L, 2, "json");
  lua_getfield(L, -1, "decode");
  push_file_text(L, name);
  call_or_fail(L, name);
  lua_getfield(L, 2, "scan");
  lua_insert(L, -2);
  call_or_fail(L, name);
  if (!lua_istable(L, -1))
    return luaL_error(L, "%s: kserial.scan returned a %s value, not a table",
                      name, luaL_typename(L, -1));
  lua_getfield(L, -1, "unsafe");
  unsafe = lua_toboolean(L, -1);
  lua_pop(L, 1);
  print_report(L, name, lua_gettop(L), unsafe);
  lua_pushinteger(L, unsafe ? SCAN_UNSAFE : SCAN_CLEAN);
  return 1;
}

/* ---- all files -------------------------------------------------------------- */

static int has_scan(lua_State *L) {
  int top = lua_gettop(L);
  int ok = cli_pushmodule(L) == LUA_TTABLE &&
           lua_getfield(L, -1, "scan") != LUA_TNIL;
  lua_settop(L, top);
  return ok;
}

int cli_scan(lua_State *L, char **files) {
  int worst = SCAN_CLEAN;
  if (!has_scan(L)) {
    cli_message(CLI_PROGNAME, "--scan is not available in this build");
    return SCAN_FAILED;
  }
  for (; *files != NULL; files++) {
    int result = SCAN_FAILED;
    lua_pushcfunction(L, scan_one);
    lua_pushstring(L, *files);
    cli_pushmodule(L);
    if (cli_report(L, lua_pcall(L, 2, 1, 0), CLI_PROGNAME) == LUA_OK) {
      result = (int)lua_tointeger(L, -1);
      lua_pop(L, 1);
    }
    if (result == SCAN_FAILED || worst == SCAN_FAILED)
      worst = SCAN_FAILED;
    else if (result == SCAN_UNSAFE)
      worst = SCAN_UNSAFE;
  }
  return worst;
}
