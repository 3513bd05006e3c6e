/*
** lua.c - the kserial.json table: encode, decode, array, object,
** array_mt, object_mt, null.
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

static const luaL_Reg funcs[] = {
  {"encode", l_encode},
  {"decode", l_decode},
  {"array", l_array},
  {"object", l_object},
  {NULL, NULL}
};

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
