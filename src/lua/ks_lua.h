/*
** ks_lua.h - internals shared by the files of the Lua binding.
*/
#ifndef KS_LUA_H
#define KS_LUA_H

#include <lua.h>
#include <lauxlib.h>
#include "kserial.h"

/* The engine of a lua_State lives in this userdata, kept in the Lua registry
** under KSL_ENGINE; its __gc frees the core engine. Every module function
** gets the box as upvalue 1. */
#define KSL_ENGINE "kserial.engine"

typedef struct ksl_box {
  ks_engine *e;          /* NULL once collected */
  int depth;             /* nesting of running top-level calls */
} ksl_box;

ksl_box *ksl_box_of(lua_State *L);          /* from the Lua registry */
#define ksl_upbox(L) ((ksl_box *)lua_touserdata((L), lua_upvalueindex(1)))

#endif
