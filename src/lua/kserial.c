/*
** kserial.c - luaopen_kserial: creates the engine of this lua_State and the
** module table.
*/
#include <string.h>
#include "kserial_lua.h"
#include "ks_lua.h"
#include "ks_json.h"

static int box_gc(lua_State *L) {
  ksl_box *b = (ksl_box *)luaL_checkudata(L, 1, KSL_ENGINE);
  ks_engine_free(b->e);
  b->e = NULL;
  return 0;
}

ksl_box *ksl_box_of(lua_State *L) {
  ksl_box *b;
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  b = (ksl_box *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  return b;
}

static ksl_box *new_box(lua_State *L) {
  void *ud;
  lua_Alloc f = lua_getallocf(L, &ud);
  ksl_box *b = (ksl_box *)lua_newuserdatauv(L, sizeof *b, 1);
  b->e = NULL;
  b->depth = 0;
  if (luaL_newmetatable(L, KSL_ENGINE)) {
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  b->e = ks_engine_new((ks_alloc_fn)f, ud);
  if (b->e == NULL) luaL_error(L, "kserial: not enough memory");
  return b;
}

int luaopen_kserial(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "kserial.module");
  if (lua_istable(L, -1)) return 1;   /* one engine per state */
  lua_pop(L, 1);
  new_box(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  lua_newtable(L);
  ksj_open(L);
  lua_setfield(L, -2, "json");
  ksj_pushnull(L);
  lua_setfield(L, -2, "null");
  lua_pushliteral(L, KS_VERSION);
  lua_setfield(L, -2, "_VERSION");
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, "kserial.module");
  return 1;
}
