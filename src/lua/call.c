/*
** call.c - the state of a running top-level call (see call.h).
*/
#include "call.h"

void ksl_call_new(lua_State *L) {
  int slot;
  lua_newuserdatauv(L, 0, KSL_CALL_NSLOTS);
  for (slot = KSL_CALL_ERROR + 1; slot <= KSL_CALL_NSLOTS; slot++) {
    lua_newtable(L);
    lua_setiuservalue(L, -2, slot);
  }
}

int ksl_call_get(lua_State *L, int call, ksl_call_slot slot) {
  return lua_getiuservalue(L, call, (int)slot);
}
