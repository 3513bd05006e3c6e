/*
** kserial_lua.h - kserial for C programs that host Lua 5.4.
**
** luaopen_kserial opens the engine of a lua_State. The kserial_lua_*
** helpers run protected: they never longjmp into the host. Each returns a
** Lua status (LUA_OK on success) and leaves one value on the stack: the
** result, or the error message. Stack indices may be relative or absolute,
** or LUA_REGISTRYINDEX. An `opts` index of 0 means "no options"; otherwise
** it names a table with the options of the matching Lua function (see
** docs/reference.md).
**
** Checked (an error status and message, never a crash): a NULL text or
** module name; a value index that is 0 or outside
** the stack; an options index outside the stack; upvalue pseudo-indices.
** Preconditions (not checked):
**   - L is a valid, open lua_State, used by one thread at a time;
**   - `text` points to `len` readable bytes; other strings are
**     NUL-terminated;
**   - when the stack cannot grow by 4 slots, a helper returns LUA_ERRMEM
**     and pushes nothing.
** The helpers call the engine's functions as luaopen_kserial made them,
** never through the module table: scripts cannot redirect them.
** The bridge to cJSON documents is in kserial_cjson.h (docs/c-api.md).
*/
#ifndef KSERIAL_LUA_H
#define KSERIAL_LUA_H

#include <stddef.h>
#include <lua.h>
#include "kserial.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opens the engine of this state and pushes the module table. Calling it
** again in the same state returns the same table. Works with luaL_requiref. */
KS_API int luaopen_kserial(lua_State *L);

/* serialize(value at idx): pushes the JSON-safe tree. */
KS_API int kserial_lua_serialize(lua_State *L, int idx);
/* dumps(value at idx, opts): pushes the JSON text. */
KS_API int kserial_lua_dumps(lua_State *L, int idx, int opts);
/* deserialize(value at idx, opts): pushes the value. */
KS_API int kserial_lua_deserialize(lua_State *L, int idx, int opts);
/* loads(text, opts): pushes the value. */
KS_API int kserial_lua_loads(lua_State *L, const char *text, size_t len, int opts);

/* Registers the class or function at idx under "package>name" (name NULL:
** the class's __name; package NULL: "Custom"). Pushes the registered key. */
KS_API int kserial_lua_register(lua_State *L, int idx, const char *package,
                                const char *name);
/* Registers the table at idx as module `module` (register_module). Pushes
** the module name. */
KS_API int kserial_lua_register_module(lua_State *L, const char *module, int idx);

#ifdef __cplusplus
}
#endif
#endif
