/*
** fuzz_loads.c - kserial.loads against a fixed registry (fuzz/lua/registry.lua)
** in safe and unsafe mode, through the Lua API and the C API
** (kserial_lua_loads, kserial_lua_from_cjson, kserial_lua_to_cjson); after
** every input the engine must be exactly as before (fuzz/lua/loads.lua).
*/
#include <stdlib.h>
#include <lauxlib.h>
#include "fuzz_driver.h"
#include "fuzz_userdata.h"
#include "kserial_cjson.h"

/* A protected helper must leave exactly one value: the result or the error. */
static void check_one(lua_State *L, int base, const char *what) {
  if (lua_gettop(L) != base + 1)
    fuzz_die("%s left %d values on the stack, not 1", what, lua_gettop(L) - base);
}

/* c_loads(text, opts) -> ok, value-or-error (kserial_lua_loads) */
static int hook_loads(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  int opts = lua_istable(L, 2) ? 2 : 0, base = lua_gettop(L), st;
  st = kserial_lua_loads(L, s, len, opts);
  check_one(L, base, "kserial_lua_loads");
  lua_pushboolean(L, st == LUA_OK);
  lua_insert(L, -2);
  return 2;
}

/* c_from_cjson(text, opts) -> parsed [, ok, value-or-error]: cJSON parses
** the text, kserial_lua_from_cjson deserializes the tree. */
static int hook_from_cjson(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  int opts = lua_istable(L, 2) ? 2 : 0, base, st;
  cJSON *doc;
  lua_settop(L, 2);
  luaL_checkstack(L, 4, NULL);
  base = lua_gettop(L);
  doc = cJSON_ParseWithLength(s, len);
  if (doc == NULL) {
    lua_pushboolean(L, 0);
    return 1;
  }
  st = kserial_lua_from_cjson(L, doc, opts);   /* never raises */
  cJSON_Delete(doc);
  check_one(L, base, "kserial_lua_from_cjson");
  lua_pushboolean(L, 1);
  lua_pushboolean(L, st == LUA_OK);
  lua_rotate(L, -3, 2);
  return 3;
}

/* c_to_cjson(value) -> ok, cJSON's compact print or the error */
static int hook_to_cjson(lua_State *L) {
  cJSON *out = NULL;
  char *text;
  int st, base;
  lua_settop(L, 1);
  luaL_checkstack(L, 4, NULL);
  base = lua_gettop(L);
  st = kserial_lua_to_cjson(L, 1, &out);
  check_one(L, base, "kserial_lua_to_cjson");
  if (st != LUA_OK) {
    if (out != NULL) fuzz_die("kserial_lua_to_cjson failed but gave a tree");
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  if (out == NULL) fuzz_die("kserial_lua_to_cjson succeeded without a tree");
  text = cJSON_PrintUnformatted(out);
  cJSON_Delete(out);
  if (text == NULL) fuzz_die("cJSON_PrintUnformatted failed");
  lua_pushboolean(L, 1);
  lua_pushstring(L, text);   /* a memory error here would leak text: none expected */
  cJSON_free(text);
  return 2;
}

static void add_hooks(lua_State *L, int hooks) {
  lua_pushcfunction(L, hook_loads);
  lua_setfield(L, hooks, "c_loads");
  lua_pushcfunction(L, hook_from_cjson);
  lua_setfield(L, hooks, "c_from_cjson");
  lua_pushcfunction(L, hook_to_cjson);
  lua_setfield(L, hooks, "c_to_cjson");
  fuzz_add_userdata_class(L, hooks);
}

static const fuzz_target target = {"loads", add_hooks};

FUZZ_MAIN(target)
