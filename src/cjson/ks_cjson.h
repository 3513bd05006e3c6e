/*
** ks_cjson.h - the bridge between Lua values and cJSON trees (bridge.c),
** internal to libkserial and to the test hooks. The C API on top of it is
** include/kserial_cjson.h (api.c).
*/
#ifndef KS_CJSON_H
#define KS_CJSON_H

#include <lua.h>
#include <cjson/cJSON.h>
#include "ks_json.h"

/* ksj_to_cjson raises on error and never leaks the partial tree; numbers
** become raw nodes holding their exact text. It follows the encoder's
** rules and messages (it runs it first), and also refuses strings and keys
** holding a NUL byte, which cJSON's C strings cannot carry. With
** o->allow_nan, non-finite numbers become raw nodes holding NaN, Infinity
** or -Infinity. */
cJSON *ksj_to_cjson(lua_State *L, int idx, const ksj_encode_opts *o);

/* ksj_push_cjson accepts raw number nodes and cJSON number nodes. A raw
** node must hold exactly one JSON number literal or one of NaN, Infinity,
** -Infinity (what ksj_to_cjson writes); a number node becomes an integer
** when integral and within 2^53, else a float; strings and keys must be
** valid UTF-8. o (NULL: the defaults) gives the decoder's max_depth (< 1:
** the default) and allow_nan: without it NaN, infinities and literals that
** overflow are refused, as by the text decoder; a sibling list that is a
** cycle is refused. Errors read
** "kserial: cJSON document: <what> (at <JSONPath>)". */
void ksj_push_cjson(lua_State *L, const cJSON *node, const ksj_decode_opts *o);

#endif
