/*
** ks_json.h - the exact JSON codec between Lua values and text (and cJSON).
** Internal to the binding.
*/
#ifndef KS_JSON_H
#define KS_JSON_H

#include <stddef.h>
#include <lua.h>
#include <cjson/cJSON.h>

/* Registry names of the marker metatables (created with luaL_newmetatable). */
#define KSJ_ARRAY_MT  "kserial.json.array"
#define KSJ_OBJECT_MT "kserial.json.object"
#define KSJ_DEFAULT_MAX_DEPTH 512
#define KSJ_HARD_MAX_DEPTH 10000  /* bound of opts.max_depth: the C stack */

/* kserial.null: one light userdata (NULL), the same in every state. */
#define ksj_pushnull(L) lua_pushlightuserdata((L), NULL)
int ksj_isnull(lua_State *L, int idx);

typedef struct ksj_encode_opts {
  int indent;        /* -1: one line; >= 0: pretty, Python-style */
  int sort_keys;     /* 1: dict keys sorted (envelope keys first, Keras order) */
  int allow_nan;     /* 1: write NaN, Infinity, -Infinity */
  int ensure_ascii;  /* 1: escape every non-ASCII character as \uXXXX */
  const char *item_sep; size_t item_sep_len;  /* default "," */
  const char *key_sep;  size_t key_sep_len;   /* default ":" */
  int max_depth;
} ksj_encode_opts;

typedef struct ksj_decode_opts {
  int allow_nan;     /* 1: accept NaN, Infinity, -Infinity */
  int max_depth;
  size_t max_size;   /* 0: no limit */
} ksj_decode_opts;

void ksj_encode_opts_init(ksj_encode_opts *o);
void ksj_decode_opts_init(ksj_decode_opts *o);
/* Read options from the table at idx (nil/none allowed). Unknown keys and
** wrong types raise "kserial: <fname>: ..." errors. Keys that the caller
** handles itself are listed in `extra` (NULL-terminated, may be NULL). */
void ksj_encode_opts_read(lua_State *L, int idx, ksj_encode_opts *o,
                          const char *fname, const char *const *extra);
void ksj_decode_opts_read(lua_State *L, int idx, ksj_decode_opts *o,
                          const char *fname, const char *const *extra);

/* Encode the value at idx; pushes the text. Raises on error with the path. */
void ksj_encode(lua_State *L, int idx, const ksj_encode_opts *o);
/* Decode text; pushes the value. Raises with line, column and byte offset. */
void ksj_decode(lua_State *L, const char *text, size_t len,
                const ksj_decode_opts *o);

/* cJSON bridge. ksj_to_cjson raises on error and never leaks the partial
** tree; numbers become raw nodes holding their exact text. ksj_push_cjson
** accepts both raw number nodes and cJSON number nodes. */
cJSON *ksj_to_cjson(lua_State *L, int idx, const ksj_encode_opts *o);
void ksj_push_cjson(lua_State *L, const cJSON *node, int max_depth);

/* Pushes the kserial.json table (encode, decode, array, object, array_mt,
** object_mt, null). */
int ksj_open(lua_State *L);

#endif
