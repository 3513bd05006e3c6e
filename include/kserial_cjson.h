/*
** kserial_cjson.h - kserial for C programs that hold JSON as cJSON trees.
**
** The bridge between kserial and cJSON documents, in libkserial. A host
** that includes this header compiles and links against cJSON too
** (pkg-config kserial_cjson, or the CMake target kserial::kserial_cjson);
** kserial_lua.h alone needs no cJSON. The helpers follow the contract of
** kserial_lua.h: protected, a Lua status, one value left on the stack.
**
** Checked (an error status and message, never a crash): a NULL `out` or
** cJSON document, and the stack indices kserial_lua.h checks.
** Preconditions (not checked): those of kserial_lua.h, and a cJSON tree is
** well formed apart from sibling cycles (valid pointers, valuestring set
** for string and raw nodes).
*/
#ifndef KSERIAL_CJSON_H
#define KSERIAL_CJSON_H

#include <cjson/cJSON.h>
#include "kserial_lua.h"

#ifdef __cplusplus
extern "C" {
#endif

/* serialize(value at idx) as a cJSON tree. The tree belongs to the caller
** (free it with cJSON_Delete); numbers in it are raw nodes holding their
** exact text, so cJSON_Print writes them exactly. On success *out is set
** and `true` is pushed; on failure *out is NULL and the message pushed. */
KS_API int kserial_lua_to_cjson(lua_State *L, int idx, cJSON **out);

/* deserialize(document, opts) for a cJSON tree (raw number nodes are read
** exactly; plain number nodes that hold an integral value up to 2^53 become
** integers). opts also takes the decoder's max_depth and allow_nan: without
** allow_nan, NaN and infinite numbers are refused, like json.decode does.
** A sibling list that is a cycle is refused. Pushes the value. */
KS_API int kserial_lua_from_cjson(lua_State *L, const cJSON *doc, int opts);

#ifdef __cplusplus
}
#endif
#endif
