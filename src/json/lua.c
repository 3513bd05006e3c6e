/*
** lua.c - the kserial.json table: encode, decode, array, object,
** array_mt, object_mt, null, and three test hooks for the cJSON bridge.
*/
#define KSJ_INTERNAL
#include <lauxlib.h>
#include "ks_json.h"

static int l_encode(lua_State *L) {
  ksj_encode_opts o;
  luaL_checkany(L, 1);
  ksj_encode_opts_init(&o);
  ksj_encode_opts_read(L, 2, &o, "json.encode", NULL);
  ksj_encode(L, 1, &o);
  return 1;
}

static int l_decode(lua_State *L) {
  ksj_decode_opts o;
  size_t len;
  const char *s;
  luaL_argexpected(L, lua_type(L, 1) == LUA_TSTRING, 1, "string");
  s = lua_tolstring(L, 1, &len);
  ksj_decode_opts_init(&o);
  ksj_decode_opts_read(L, 2, &o, "json.decode", NULL);
  ksj_decode(L, s, len, &o);
  return 1;
}

/* array(t) / object(t): marks t (or a new table). A table may move between
** the two markers (re-marking a decoded empty {} as [] is a common need);
** any other metatable is an error, never silently replaced. */
static int mark(lua_State *L, const char *mt, const char *fname) {
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  if (lua_getmetatable(L, 1)) {
    ksj_pushmt(L, KSJ_ARRAY_MT);
    ksj_pushmt(L, KSJ_OBJECT_MT);
    if (!lua_rawequal(L, -3, -2) && !lua_rawequal(L, -3, -1))
      return luaL_error(L, "kserial: %s: the table already has a metatable",
                        fname);
  }
  ksj_pushmt(L, mt);
  lua_setmetatable(L, 1);
  lua_settop(L, 1);
  return 1;
}

static int l_array(lua_State *L) {
  return mark(L, KSJ_ARRAY_MT, "json.array");
}

static int l_object(lua_State *L) {
  return mark(L, KSJ_OBJECT_MT, "json.object");
}

/* ---- test hooks for the cJSON bridge (not part of the API) ----------------
** They live in their own module, require "kserial.testhooks" (the
** luaopen_kserial_testhooks entry point of the same library; kserial-lua
** preloads it), so the kserial table holds only the API. cjson_parse calls
** cJSON's parser, which writes cJSON's process-wide error pointer: only the
** tests call it, never the library. */

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

static const luaL_Reg funcs[] = {
  {"encode", l_encode},
  {"decode", l_decode},
  {"array", l_array},
  {"object", l_object},
  {NULL, NULL}
};

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

int ksj_open(lua_State *L) {
  luaL_newlib(L, funcs);
  ksj_pushmt(L, KSJ_ARRAY_MT);
  lua_setfield(L, -2, "array_mt");
  ksj_pushmt(L, KSJ_OBJECT_MT);
  lua_setfield(L, -2, "object_mt");
  ksj_pushnull(L);
  lua_setfield(L, -2, "null");
  return 1;
}
