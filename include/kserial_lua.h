/*
** kserial_lua.h - kserial for C programs that host Lua 5.4.
**
** luaopen_kserial opens the engine of a lua_State. The kserial_lua_*
** helpers run protected: they never longjmp into the host. Each returns a
** Lua status (LUA_OK on success) and leaves one value on the stack: the
** result, or the error message. Stack indices may be relative or absolute.
** An `opts` index of 0 means "no options"; otherwise it names a table with
** the options of the matching Lua function (see docs/reference.md).
*/
#ifndef KSERIAL_LUA_H
#define KSERIAL_LUA_H

#include <stddef.h>
#include <lua.h>
#include <cjson/cJSON.h>
#include "kserial.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opens the engine of this state and pushes the module table. Calling it
** again in the same state returns the same table. Works with luaL_requiref. */
int luaopen_kserial(lua_State *L);

/* serialize(value at idx): pushes the JSON-safe tree. */
int kserial_lua_serialize(lua_State *L, int idx);
/* dumps(value at idx, opts): pushes the JSON text. */
int kserial_lua_dumps(lua_State *L, int idx, int opts);
/* deserialize(value at idx, opts): pushes the value. */
int kserial_lua_deserialize(lua_State *L, int idx, int opts);
/* loads(text, opts): pushes the value. */
int kserial_lua_loads(lua_State *L, const char *text, size_t len, int opts);

/* Registers the class or function at idx under "package>name" (name NULL:
** the class's __name; package NULL: "Custom"). Pushes the registered key. */
int kserial_lua_register(lua_State *L, int idx, const char *package,
                         const char *name);
/* Registers the table at idx as module `module` (register_module). Pushes
** the module name. */
int kserial_lua_register_module(lua_State *L, const char *module, int idx);

/* cJSON in and out. The tree given by kserial_lua_to_cjson belongs to the
** caller (free it with cJSON_Delete); numbers in it are raw nodes holding
** their exact text, so cJSON_Print writes them exactly. On success *out is
** set and `true` is pushed; on failure *out is NULL and the message pushed. */
int kserial_lua_to_cjson(lua_State *L, int idx, cJSON **out);
/* deserialize(document, opts) for a cJSON tree (raw number nodes are read
** exactly; plain number nodes that hold an integral value up to 2^53 become
** integers). Pushes the value. */
int kserial_lua_from_cjson(lua_State *L, const cJSON *doc, int opts);

#ifdef __cplusplus
}
#endif
#endif
