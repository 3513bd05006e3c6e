/*
** fuzz_userdata.c - the C class "FuzzUD": a full userdata holding one
** integer; from_config wants {"n": <integer>}.
*/
#include <lauxlib.h>
#include "fuzz_userdata.h"

#define FUZZ_UD "FuzzUD"

static int ud_get_config(lua_State *L) {
  const lua_Integer *n = (const lua_Integer *)luaL_checkudata(L, 1, FUZZ_UD);
  lua_createtable(L, 0, 1);
  lua_pushinteger(L, *n);
  lua_setfield(L, -2, "n");
  return 1;
}

static int ud_from_config(lua_State *L) {
  lua_Integer *n;
  luaL_checktype(L, 2, LUA_TTABLE);
  if (lua_getfield(L, 2, "n") != LUA_TNUMBER || !lua_isinteger(L, -1))
    return luaL_error(L, "FuzzUD wants an integer n");
  n = (lua_Integer *)lua_newuserdatauv(L, sizeof *n, 0);
  *n = lua_tointeger(L, -2);
  luaL_setmetatable(L, FUZZ_UD);
  return 1;
}

void fuzz_add_userdata_class(lua_State *L, int hooks) {
  static const luaL_Reg methods[] = {
    {"get_config", ud_get_config}, {"from_config", ud_from_config}, {NULL, NULL}
  };
  luaL_newmetatable(L, FUZZ_UD);
  luaL_setfuncs(L, methods, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "__index");
  lua_setfield(L, hooks, "userdata_class");
}
