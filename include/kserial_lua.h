/*
** kserial_lua.h - kserial for C programs that host Lua 5.4.
*/
#ifndef KSERIAL_LUA_H
#define KSERIAL_LUA_H

#include <lua.h>
#include "kserial.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opens the engine of this state and pushes the module table. Calling it
** again in the same state returns the same table. Works with luaL_requiref. */
int luaopen_kserial(lua_State *L);

#ifdef __cplusplus
}
#endif
#endif
