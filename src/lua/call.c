/*
** call.c - the state of a running top-level call (see call.h).
*/
#include <string.h>
#include "call.h"

ksl_call *ksl_call_new(lua_State *L) {
  ksl_call *c = (ksl_call *)lua_newuserdatauv(L, sizeof *c, KSL_CALL_NSLOTS);
  memset(c, 0, sizeof *c);
  return c;
}

KSL_HOT int ksl_call_get(lua_State *L, int call, ksl_call_slot slot) {
  int t = lua_getiuservalue(L, call, (int)slot);
  if (t != LUA_TNIL || slot == KSL_CALL_ERROR) return t;
  lua_pop(L, 1);                  /* a table slot is made when first used */
  call = lua_absindex(L, call);
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_setiuservalue(L, call, (int)slot);
  return LUA_TTABLE;
}

void ksl_call_clear(lua_State *L, int call, ksl_call_slot slot) {
  call = lua_absindex(L, call);
  lua_pushnil(L);
  lua_setiuservalue(L, call, (int)slot);
}
