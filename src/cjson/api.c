/*
** api.c - the helpers of kserial_cjson.h: kserial_lua_to_cjson and
** kserial_lua_from_cjson, on the C API's protected calls (src/lua/embed.c)
** and the tree conversions of bridge.c. Only libkserial has them: the Lua
** module needs no cJSON.
*/
#define KSJ_INTERNAL
#include "kserial_cjson.h"
#include "ks_lua.h"
#include "ks_walk.h"
#include "ks_embed.h"
#include "ks_keyorder.h"
#include "ks_cjson.h"

typedef struct cjson_args {
  ksl_call_args a;        /* first: the workers get a pointer to it */
  const cJSON *doc;
  cJSON **out;
} cjson_args;

/* serialize, then build the cJSON tree (ksj_to_cjson never leaks a partial
** tree when it raises). */
static int to_cjson(lua_State *L) {
  cjson_args *c = (cjson_args *)ksl_embed_begin(L);
  ksj_encode_opts o;
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  ksj_encode_opts_init(&o);
  o.key_order = &ksl_keras_key_order;
  *c->out = ksj_to_cjson(L, -1, &o);
  lua_pushboolean(L, 1);
  return 1;
}

int kserial_lua_to_cjson(lua_State *L, int idx, cJSON **out) {
  cjson_args c = {{"serialize", NULL, 0, 0, NULL, NULL, 0}, NULL, NULL};
  cJSON *dummy = NULL;
  int st;
  if (out == NULL) {
    c.a.bad = "kserial_lua_to_cjson: out is NULL";
    out = &dummy;
  }
  *out = NULL;
  c.a.idx = ksl_embed_index(L, idx, 0, &c.a);
  c.out = out;
  st = ksl_embed_run(L, to_cjson, &c.a);
  if (st != LUA_OK && *out != NULL) {   /* cannot happen; keep the promise */
    cJSON_Delete(*out);
    *out = NULL;
  }
  return st;
}

/* deserialize's worker with the decoder's options allowed (upvalue 1: the
** box, as every engine function has). */
static const char *const CJSON_OPTIONS[] = {"max_depth", "allow_nan", "max_size", NULL};

static int deserialize_tree(lua_State *L) {
  if (ksl_deserialize_opts(L, KSL_BOX, 1, 2, "kserial_lua_from_cjson", CJSON_OPTIONS) != LUA_OK)
    return lua_error(L);
  return 1;
}

/* The tree becomes Lua values under the text decoder's rules (max_depth,
** allow_nan from the options), then deserialize runs on them. */
static int from_cjson(lua_State *L) {
  cjson_args *c = (cjson_args *)ksl_embed_begin(L);
  ksj_decode_opts dop;
  ksj_decode_opts_init(&dop);
  ksj_decode_opts_read(L, 2, &dop, "kserial_lua_from_cjson", KSL_DES_OPTION_NAMES);
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  lua_pushcclosure(L, deserialize_tree, 1);
  ksj_push_cjson(L, c->doc, &dop);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1);
  return 1;
}

int kserial_lua_from_cjson(lua_State *L, const cJSON *doc, int opts) {
  cjson_args c = {{NULL, NULL, 0, 0, NULL, NULL, 0}, NULL, NULL};
  c.doc = doc;
  c.a.opts = ksl_embed_index(L, opts, 1, &c.a);
  return ksl_embed_run(L, from_cjson, &c.a);
}
