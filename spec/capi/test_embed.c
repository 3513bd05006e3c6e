/*
** test_embed.c - the embedding API as a C host uses it: a native userdata
** class with C get_config/from_config, registered from C, round-tripped
** through text and cJSON; errors come back as statuses, never longjmps.
*/
#include <stdio.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "kserial_cjson.h"

static int checks, failures;
#define CHECK(c) do { checks++; if (!(c)) { failures++; \
  fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); } } while (0)

typedef struct vec2 { double x, y; } vec2;
#define VEC2 "demo.Vec2"

static int vec2_new(lua_State *L, double x, double y) {
  vec2 *v = (vec2 *)lua_newuserdatauv(L, sizeof *v, 0);
  v->x = x;
  v->y = y;
  luaL_setmetatable(L, VEC2);
  return 1;
}

static int vec2_get_config(lua_State *L) {
  vec2 *v = (vec2 *)luaL_checkudata(L, 1, VEC2);
  lua_createtable(L, 0, 2);
  lua_pushnumber(L, v->x);
  lua_setfield(L, -2, "x");
  lua_pushnumber(L, v->y);
  lua_setfield(L, -2, "y");
  return 1;
}

static int vec2_from_config(lua_State *L) {
  double x, y;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_getfield(L, 2, "x");
  lua_getfield(L, 2, "y");
  x = luaL_checknumber(L, -2);
  y = luaL_checknumber(L, -1);
  return vec2_new(L, x, y);
}

static void open_vec2(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"get_config", vec2_get_config}, {"from_config", vec2_from_config}, {NULL, NULL}
  };
  luaL_newmetatable(L, VEC2);          /* sets __name = "demo.Vec2" */
  luaL_setfuncs(L, methods, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "__index");
}

static lua_State *new_state(void) {
  lua_State *L = luaL_newstate();
  luaL_openlibs(L);
  luaL_requiref(L, "kserial", luaopen_kserial, 1);
  lua_pop(L, 1);
  return L;
}

static void test_native_class(void) {
  lua_State *L = new_state();
  const char *text;
  int top = lua_gettop(L);
  open_vec2(L);
  CHECK(kserial_lua_register(L, -1, "demo", "Vec2") == LUA_OK);
  CHECK(strcmp(lua_tostring(L, -1), "demo>Vec2") == 0);
  lua_pop(L, 2);
  vec2_new(L, 1.5, -2.0);
  CHECK(kserial_lua_dumps(L, -1, 0) == LUA_OK);
  text = lua_tostring(L, -1);
  CHECK(strcmp(text, "{\"module\":null,\"class_name\":\"demo.Vec2\",\"config\":"
               "{\"x\":1.5,\"y\":-2.0},\"registered_name\":\"demo>Vec2\"}") == 0);
  CHECK(kserial_lua_loads(L, text, strlen(text), 0) == LUA_OK);
  {
    vec2 *v = (vec2 *)luaL_testudata(L, -1, VEC2);
    CHECK(v != NULL && v->x == 1.5 && v->y == -2.0);
  }
  lua_settop(L, top);
  lua_close(L);
}

static void test_cjson(void) {
  lua_State *L = new_state();
  cJSON *doc = NULL;
  char *printed;
  int top = lua_gettop(L);
  CHECK(luaL_dostring(L, "return { big = math.maxinteger, f = 1.0, list = kserial.json.array{} }") == LUA_OK);
  CHECK(kserial_lua_to_cjson(L, -1, &doc) == LUA_OK);
  CHECK(doc != NULL);
  printed = cJSON_PrintUnformatted(doc);
  CHECK(printed && strcmp(printed, "{\"big\":9223372036854775807,\"f\":1.0,\"list\":[]}") == 0);
  cJSON_free(printed);
  CHECK(kserial_lua_from_cjson(L, doc, 0) == LUA_OK);
  lua_getfield(L, -1, "big");
  CHECK(lua_isinteger(L, -1) && lua_tointeger(L, -1) == LUA_MAXINTEGER);
  lua_pop(L, 2);
  cJSON_Delete(doc);
  /* a plain cJSON tree built by the host */
  doc = cJSON_CreateObject();
  cJSON_AddNumberToObject(doc, "n", 3);
  cJSON_AddNumberToObject(doc, "h", 0.5);
  CHECK(kserial_lua_from_cjson(L, doc, 0) == LUA_OK);
  lua_getfield(L, -1, "n");
  CHECK(lua_isinteger(L, -1) && lua_tointeger(L, -1) == 3);
  lua_getfield(L, -2, "h");
  CHECK(!lua_isinteger(L, -1) && lua_tonumber(L, -1) == 0.5);
  cJSON_Delete(doc);
  lua_settop(L, top);
  lua_close(L);
}

static void test_errors(void) {
  lua_State *L = new_state();
  int i, top = lua_gettop(L);
  cJSON *doc = (cJSON *)1;
  for (i = 0; i < 200; i++) {
    const char *bad = "{\"class_name\": \"Nope\", \"config\": {}}";
    CHECK(kserial_lua_loads(L, bad, strlen(bad), 0) == LUA_ERRRUN);
    CHECK(strstr(lua_tostring(L, -1), "Could not locate class 'Nope'") != NULL);
    lua_pop(L, 1);
    CHECK(kserial_lua_loads(L, "[1,", 3, 0) == LUA_ERRRUN);
    lua_pop(L, 1);
  }
  lua_pushcfunction(L, vec2_get_config);   /* an unregistered C function */
  CHECK(kserial_lua_to_cjson(L, -1, &doc) == LUA_ERRRUN);
  CHECK(doc == NULL);
  CHECK(strstr(lua_tostring(L, -1), "unregistered C function") != NULL);
  lua_pop(L, 2);
  CHECK(kserial_lua_register(L, 0, "bad>pkg", NULL) == LUA_ERRRUN);
  lua_pop(L, 1);
  CHECK(lua_gettop(L) == top);
  lua_close(L);
}

static void test_opens_kserial_itself(void) {
  lua_State *L = luaL_newstate();   /* kserial never opened by the host */
  luaL_openlibs(L);
  CHECK(kserial_lua_loads(L, "[1, 2.5]", 8, 0) == LUA_OK);
  lua_rawgeti(L, -1, 1);
  CHECK(lua_isinteger(L, -1));
  lua_close(L);
}

int main(void) {
  test_native_class();
  test_cjson();
  test_errors();
  test_opens_kserial_itself();
  printf("capi_embed: %d passed, %d failed\n", checks - failures, failures);
  return failures != 0;
}
