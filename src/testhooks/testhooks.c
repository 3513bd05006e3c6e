/*
** testhooks.c - require "kserial.testhooks": entry points into the cJSON
** bridge for the specs and the fuzzers, not part of the API.
**
** A test-only target: the Lua module kserial_testhooks (built next to the
** specs, on their LUA_CPATH; never installed) and the fuzzers link it;
** kserial.so and kserial-lua do not (docs/testing.md). It carries its own
** copy of the codec and the bridge, which keep no state of their own.
**
**   cjson_roundtrip(v [, opts]) -> v', cJSON's compact print of the tree
**   cjson_parse(text [, max_depth]) -> cJSON_Parse + ksj_push_cjson
**   cjson_raw(s) -> ksj_push_cjson of one raw node holding s
**
** cjson_parse calls cJSON's parser, which writes cJSON's process-wide
** error pointer: only the tests call it, never the library.
*/
#define KSJ_INTERNAL
#include <lauxlib.h>
#include "testhooks.h"
#include "ks_cjson.h"

/* The cJSON tree is owned by this userdata while Lua code may raise. */
static int tree_gc(lua_State *L) {
  cJSON **t = (cJSON **)lua_touserdata(L, 1);
  if (*t != NULL) cJSON_Delete(*t);
  *t = NULL;
  return 0;
}

static cJSON **new_tree_box(lua_State *L) {
  cJSON **t = (cJSON **)lua_newuserdatauv(L, sizeof *t, 0);
  *t = NULL;
  if (luaL_newmetatable(L, "kserial.json.cjson_tree")) {
    lua_pushcfunction(L, tree_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return t;
}

/* cjson_roundtrip(value [, opts]) -> value through ksj_to_cjson and
** ksj_push_cjson, and cJSON's own compact print of the tree. */
static int l_cjson_roundtrip(lua_State *L) {
  ksj_encode_opts o;
  ksj_decode_opts dop;
  cJSON **t;
  char *text;
  luaL_checkany(L, 1);
  lua_settop(L, 2);
  ksj_encode_opts_init(&o);
  ksj_decode_opts_init(&dop);
  lua_getfield(L, LUA_REGISTRYINDEX, KSJ_KEY_ORDER);   /* json.encode's default */
  o.key_order = (const ksj_key_order *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  ksj_encode_opts_read(L, 2, &o, "testhooks.cjson_roundtrip", NULL);
  t = new_tree_box(L);
  *t = ksj_to_cjson(L, 1, &o);
  dop.max_depth = o.max_depth;
  dop.allow_nan = o.allow_nan;
  ksj_push_cjson(L, *t, &dop);
  text = cJSON_PrintUnformatted(*t);
  if (text == NULL) return luaL_error(L, "kserial: not enough memory");
  lua_pushstring(L, text);
  cJSON_free(text);
  return 2;
}

/* cjson_parse(text [, max_depth]) -> cJSON_Parse's tree (double number
** nodes) through ksj_push_cjson. */
static int l_cjson_parse(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  ksj_decode_opts dop;
  cJSON **t;
  ksj_decode_opts_init(&dop);
  dop.max_depth = (int)luaL_optinteger(L, 2, KSJ_DEFAULT_MAX_DEPTH);
  t = new_tree_box(L);
  *t = cJSON_ParseWithLengthOpts(s, len, NULL, 0);
  if (*t == NULL) return luaL_error(L, "kserial: cJSON could not parse it");
  ksj_push_cjson(L, *t, &dop);
  return 1;
}

/* cjson_raw(s) -> a raw node holding s through ksj_push_cjson. */
static int l_cjson_raw(lua_State *L) {
  const char *s = luaL_checkstring(L, 1);
  cJSON **t = new_tree_box(L);
  *t = cJSON_CreateRaw(s);
  if (*t == NULL) return luaL_error(L, "kserial: not enough memory");
  ksj_push_cjson(L, *t, NULL);
  return 1;
}

int luaopen_kserial_testhooks(lua_State *L) {
  static const luaL_Reg hooks[] = {
    {"cjson_roundtrip", l_cjson_roundtrip},
    {"cjson_parse", l_cjson_parse},
    {"cjson_raw", l_cjson_raw},
    {NULL, NULL}
  };
  luaL_newlib(L, hooks);
  return 1;
}
