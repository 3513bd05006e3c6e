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
** Checked (an error status and message, never a crash): a NULL text,
** module name, `out` or cJSON document; a value index that is 0 or outside
** the stack; an options index outside the stack; upvalue pseudo-indices.
** Preconditions (not checked):
**   - L is a valid, open lua_State, used by one thread at a time;
**   - `text` points to `len` readable bytes; other strings are
**     NUL-terminated;
**   - a cJSON tree is well formed apart from sibling cycles (valid
**     pointers, valuestring set for string and raw nodes);
**   - when the stack cannot grow by 4 slots, a helper returns LUA_ERRMEM
**     and pushes nothing.
** The helpers call the engine's functions as luaopen_kserial made them,
** never through the module table: scripts cannot redirect them.
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
** integers). opts also takes the decoder's max_depth and allow_nan: without
** allow_nan, NaN and infinite numbers are refused, like json.decode does.
** A sibling list that is a cycle is refused. Pushes the value. */
int kserial_lua_from_cjson(lua_State *L, const cJSON *doc, int opts);

#ifdef __cplusplus
}
#endif
#endif
