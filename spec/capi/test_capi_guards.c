/*
** test_capi_guards.c - the C API against a careless or hostile host:
** bad arguments give an error status (never a crash), the cJSON bridge
** keeps the text decoder's rules (no NaN or infinity without allow_nan,
** the same depth limit, no endless loop on a sibling cycle), and a script
** that rewrites the module table cannot change what the C helpers do.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "kserial_cjson.h"

static int checks, failures;
#define CHECK(c) do { checks++; if (!(c)) { failures++; \
  fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); } } while (0)

static lua_State *new_state(void) {
  lua_State *L = luaL_newstate();
  luaL_openlibs(L);
  luaL_requiref(L, "kserial", luaopen_kserial, 1);
  lua_pop(L, 1);
  return L;
}

/* The call failed with one message on the stack that contains `part`. */
static int failed_with(lua_State *L, int st, int top, const char *part) {
  int ok = st != LUA_OK && lua_gettop(L) == top + 1 && lua_type(L, -1) == LUA_TSTRING &&
           strstr(lua_tostring(L, -1), part) != NULL;
  if (!ok) fprintf(stderr, "  got status %d, message: %s\n", st,
                   lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(none)");
  lua_settop(L, top);
  return ok;
}

static void test_bad_arguments(void) {
  lua_State *L = new_state();
  cJSON *doc = (cJSON *)1;
  int top;
  lua_pushinteger(L, 1);
  top = lua_gettop(L);
  CHECK(failed_with(L, kserial_lua_loads(L, NULL, 5, 0), top, "the text is NULL"));
  CHECK(failed_with(L, kserial_lua_loads(L, NULL, 0, 0), top, "the text is NULL"));
  CHECK(failed_with(L, kserial_lua_serialize(L, -5), top, "not a slot of the stack"));
  CHECK(failed_with(L, kserial_lua_serialize(L, 2), top, "not a slot of the stack"));
  CHECK(failed_with(L, kserial_lua_serialize(L, 0), top, "not a slot of the stack"));
  CHECK(failed_with(L, kserial_lua_dumps(L, 1, -7), top, "options index"));
  CHECK(failed_with(L, kserial_lua_deserialize(L, 1, 9), top, "options index"));
  CHECK(failed_with(L, kserial_lua_loads(L, "[1]", 3, -3), top, "options index"));
  CHECK(failed_with(L, kserial_lua_register(L, -40, "p", "n"), top, "not a slot"));
  CHECK(failed_with(L, kserial_lua_register_module(L, NULL, 1), top, "module name is NULL"));
  CHECK(failed_with(L, kserial_lua_to_cjson(L, 1, NULL), top, "out is NULL"));
  CHECK(failed_with(L, kserial_lua_to_cjson(L, 7, &doc), top, "not a slot") && doc == NULL);
  CHECK(failed_with(L, kserial_lua_from_cjson(L, NULL, 0), top, "no document (NULL)"));
  CHECK(failed_with(L, kserial_lua_from_cjson(L, NULL, 12), top, "options index"));
  /* good indices still work: relative, absolute */
  CHECK(kserial_lua_dumps(L, -1, 0) == LUA_OK && strcmp(lua_tostring(L, -1), "1") == 0);
  lua_settop(L, top);
  CHECK(kserial_lua_dumps(L, 1, 0) == LUA_OK && strcmp(lua_tostring(L, -1), "1") == 0);
  lua_close(L);
}

static void test_cjson_numbers(void) {
  lua_State *L = new_state();
  int top = lua_gettop(L);
  cJSON *doc = cJSON_Parse("[1e400]");        /* cJSON reads it as infinity */
  cJSON *nan = cJSON_CreateArray();
  cJSON *raw = cJSON_CreateArray();
  CHECK(doc != NULL && isinf(doc->child->valuedouble));
  CHECK(failed_with(L, kserial_lua_from_cjson(L, doc, 0), top, "out of range"));
  cJSON_AddItemToArray(nan, cJSON_CreateNumber(NAN));
  CHECK(failed_with(L, kserial_lua_from_cjson(L, nan, 0), top, "NaN needs allow_nan (at $[0])"));
  cJSON_AddItemToArray(raw, cJSON_CreateRaw("1e999"));
  CHECK(failed_with(L, kserial_lua_from_cjson(L, raw, 0), top, "out of range"));
  cJSON_AddItemToArray(raw, cJSON_CreateRaw("Infinity"));
  cJSON_DeleteItemFromArray(raw, 0);
  CHECK(failed_with(L, kserial_lua_from_cjson(L, raw, 0), top, "allow_nan"));
  /* allowed when asked for, as by json.decode */
  lua_newtable(L);
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, "allow_nan");
  CHECK(kserial_lua_from_cjson(L, doc, -1) == LUA_OK);
  lua_geti(L, -1, 1);
  CHECK(lua_tonumber(L, -1) == HUGE_VAL);
  lua_settop(L, top + 1);
  CHECK(kserial_lua_from_cjson(L, nan, top + 1) == LUA_OK);
  lua_geti(L, -1, 1);
  CHECK(lua_tonumber(L, -1) != lua_tonumber(L, -1));
  lua_settop(L, top + 1);
  CHECK(kserial_lua_from_cjson(L, raw, top + 1) == LUA_OK);
  lua_settop(L, top);
  cJSON_Delete(doc);
  cJSON_Delete(nan);
  cJSON_Delete(raw);
  lua_close(L);
}

static cJSON *nested(int depth) {
  cJSON *root = cJSON_CreateArray(), *at = root;
  int i;
  for (i = 1; i < depth; i++) {
    cJSON *next = cJSON_CreateArray();
    cJSON_AddItemToArray(at, next);
    at = next;
  }
  return root;
}

static void test_cjson_depth(void) {
  lua_State *L = new_state();
  int top = lua_gettop(L);
  cJSON *ok = nested(512), *deep = nested(513);
  CHECK(kserial_lua_from_cjson(L, ok, 0) == LUA_OK);
  lua_settop(L, top);
  CHECK(failed_with(L, kserial_lua_from_cjson(L, deep, 0), top, "nesting deeper than 512"));
  lua_newtable(L);
  lua_pushinteger(L, 600);
  lua_setfield(L, -2, "max_depth");
  CHECK(kserial_lua_from_cjson(L, deep, -1) == LUA_OK);
  lua_settop(L, top);
  cJSON_Delete(ok);
  cJSON_Delete(deep);
  lua_close(L);
}

static void test_cjson_sibling_cycle(void) {
  lua_State *L = new_state();
  int top = lua_gettop(L), n;
  for (n = 1; n <= 5; n++) {          /* cycles of every small length */
    cJSON *a = cJSON_CreateArray(), *o = cJSON_CreateObject(), *last;
    int i;
    for (i = 0; i < n; i++) {
      cJSON_AddItemToArray(a, cJSON_CreateNumber(i));
      cJSON_AddItemToObject(o, i % 2 ? "x" : "y", cJSON_CreateNumber(i));
    }
    last = a->child->prev;            /* cJSON keeps the tail in child->prev */
    last->next = a->child;            /* the list now loops */
    CHECK(failed_with(L, kserial_lua_from_cjson(L, a, 0), top, "the list of children is a cycle"));
    last->next = NULL;
    last = o->child->prev;
    last->next = n > 1 ? o->child->next : o->child;   /* a loop after the head */
    CHECK(failed_with(L, kserial_lua_from_cjson(L, o, 0), top, "cycle"));
    last->next = NULL;
    CHECK(kserial_lua_from_cjson(L, a, 0) == LUA_OK);
    lua_settop(L, top);
    cJSON_Delete(a);
    cJSON_Delete(o);
  }
  lua_close(L);
}

/* A script that rewrites kserial (and package.loaded) changes nothing the
** host's C calls do. */
static void test_module_table_rewritten(void) {
  lua_State *L = new_state();
  int top = lua_gettop(L);
  cJSON *doc = NULL;
  const char *script =
    "local fake = function() return 'hijacked' end\n"
    "for _, k in ipairs{'loads', 'dumps', 'serialize', 'deserialize',\n"
    "                   'register_serializable', 'register_module',\n"
    "                   'get_registered_name'} do kserial[k] = fake end\n"
    "package.loaded.kserial = { loads = fake }\n"
    "Thing = setmetatable({}, {__name = 'Thing'})\n"
    "Thing.__index = Thing\n"
    "function Thing:get_config() return {} end\n"
    "function Thing.from_config(cls) return setmetatable({}, cls) end\n";
  CHECK(luaL_dostring(L, script) == LUA_OK);
  CHECK(kserial_lua_loads(L, "[1]", 3, 0) == LUA_OK && lua_istable(L, -1));
  lua_settop(L, top);
  lua_pushinteger(L, 7);
  CHECK(kserial_lua_dumps(L, -1, 0) == LUA_OK && strcmp(lua_tostring(L, -1), "7") == 0);
  lua_settop(L, top + 1);
  CHECK(kserial_lua_serialize(L, -1) == LUA_OK && lua_tointeger(L, -1) == 7);
  lua_settop(L, top + 1);
  CHECK(kserial_lua_deserialize(L, -1, 0) == LUA_OK && lua_tointeger(L, -1) == 7);
  lua_settop(L, top);
  lua_getglobal(L, "Thing");
  CHECK(kserial_lua_register(L, -1, "host", "Thing") == LUA_OK &&
        strcmp(lua_tostring(L, -1), "host>Thing") == 0);
  lua_settop(L, top);
  lua_newtable(L);
  CHECK(kserial_lua_register_module(L, "host.mod", -1) == LUA_OK &&
        strcmp(lua_tostring(L, -1), "host.mod") == 0);
  lua_settop(L, top);
  lua_pushinteger(L, 3);
  CHECK(kserial_lua_to_cjson(L, -1, &doc) == LUA_OK && doc != NULL && cJSON_IsRaw(doc));
  lua_settop(L, top);
  CHECK(kserial_lua_from_cjson(L, doc, 0) == LUA_OK && lua_tointeger(L, -1) == 3);
  lua_settop(L, top);
  cJSON_Delete(doc);
  lua_close(L);
}

int main(void) {
  test_bad_arguments();
  test_cjson_numbers();
  test_cjson_depth();
  test_cjson_sibling_cycle();
  test_module_table_rewritten();
  printf("capi_guards: %d checks, %d failed\n", checks, failures);
  return failures != 0;
}
