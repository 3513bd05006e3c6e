/*
** call.c - the state of a running top-level call (see call.h).
*/
#include <string.h>
#include "call.h"

ksl_call *ksl_call_new(lua_State *L) {
  int slot;
  ksl_call *c = (ksl_call *)lua_newuserdatauv(L, sizeof *c, KSL_CALL_NSLOTS);
  memset(c, 0, sizeof *c);
  for (slot = KSL_CALL_ERROR + 1; slot <= KSL_CALL_NSLOTS; slot++) {
    lua_createtable(L, 0, 0);
    lua_setiuservalue(L, -2, slot);
  }
  return c;
}

int ksl_call_get(lua_State *L, int call, ksl_call_slot slot) {
  return lua_getiuservalue(L, call, (int)slot);
}
