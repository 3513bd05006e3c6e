/*
** lua.c - the kserial.json table: encode, decode, array, object, keys,
** array_mt, object_mt, null. encode and keys hold the caller's key order
** (a light userdata, may be NULL) as upvalue 1; the registry holds it too,
** under KSJ_KEY_ORDER, for the test hooks (src/testhooks).
*/
#define KSJ_INTERNAL
#include <lauxlib.h>
#include "ks_json.h"

static const ksj_key_order *key_order(lua_State *L) {
  return (const ksj_key_order *)lua_touserdata(L, lua_upvalueindex(1));
}

static int l_encode(lua_State *L) {
  ksj_encode_opts o;
  ksj_checkany(L, 1);
  ksj_encode_opts_init(&o);
  o.key_order = key_order(L);
  ksj_encode_opts_read(L, 2, &o, "json.encode", NULL);
  ksj_encode(L, 1, &o);
  return 1;
}

static int l_decode(lua_State *L) {
  ksj_decode_opts o;
  size_t len;
  const char *s;
  s = ksj_checklstring(L, 1, &len);
  ksj_decode_opts_init(&o);
  ksj_decode_opts_read(L, 2, &o, "json.decode", NULL);
  ksj_decode(L, s, len, &o);
  return 1;
}

/* Marks the table at idx. A table may move between the two markers
** (re-marking a decoded empty {} as [] is a common need); any other
** metatable is an error, never silently replaced. */
static void mark_at(lua_State *L, int idx, const char *mt, const char *fname) {
  if (lua_getmetatable(L, idx)) {
    ksj_pushmt(L, KSJ_ARRAY_MT);
    ksj_pushmt(L, KSJ_OBJECT_MT);
    if (!lua_rawequal(L, -3, -2) && !lua_rawequal(L, -3, -1))
      luaL_error(L, "kserial: %s: the table already has a metatable", fname);
    lua_pop(L, 3);
  }
  ksj_pushmt(L, mt);
  lua_setmetatable(L, idx);
}

/* array(t) / object(t): marks t (or a new table) and returns it. */
static int mark(lua_State *L, const char *mt, const char *fname) {
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  ksj_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  mark_at(L, 1, mt, fname);
  return 1;
}

static int l_array(lua_State *L) {
  return mark(L, KSJ_ARRAY_MT, "json.array");
}

/* The order table of the key list at idx: {key = position}. Raises unless
** it is an array of distinct strings. */
static void new_order(lua_State *L, int idx) {
  lua_Integer i, n = (lua_Integer)lua_rawlen(L, idx);
  if (n > KSJ_MAX_RECORDED)
    luaL_error(L, "kserial: json.object: the key list is too long");
  lua_createtable(L, 0, n < 1000000 ? (int)n : 0);
  for (i = 1; i <= n; i++) {
    if (lua_rawgeti(L, idx, i) != LUA_TSTRING)
      luaL_error(L, "kserial: json.object: the key list must hold strings "
                 "(item %I is a %s)", (LUAI_UACINT)i, luaL_typename(L, -1));
    lua_pushvalue(L, -1);
    if (lua_rawget(L, -3) != LUA_TNIL) {
      size_t len;
      const char *k = lua_tolstring(L, -2, &len);
      ksj_pushquoted(L, k, len);
      luaL_error(L, "kserial: json.object: the key list names %s twice",
                 lua_tostring(L, -1));
    }
    lua_pop(L, 1);
    lua_pushinteger(L, i);
    lua_rawset(L, -3);
  }
  lua_pushnil(L);
  for (i = 0; lua_next(L, idx); i++) lua_pop(L, 1);
  if (i != n)
    luaL_error(L, "kserial: json.object: the key list must be an array "
               "(keys 1..n)");
}

/* object([t [, keys]]): marks t as a dict. keys (an array of distinct
** strings) records its key order; false drops a recorded order. */
static int l_object(lua_State *L) {
  int haskeys = !lua_isnoneornil(L, 2);
  lua_settop(L, 2);
  if (haskeys && !(lua_istable(L, 2) ||
                   (lua_isboolean(L, 2) && !lua_toboolean(L, 2))))
    luaL_typeerror(L, 2, "table or false");
  if (haskeys && lua_istable(L, 2)) new_order(L, 2);   /* checks first */
  else lua_pushnil(L);                    /* t, keys, order (or nil) */
  if (lua_isnil(L, 1)) {
    lua_newtable(L);
    lua_replace(L, 1);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  mark_at(L, 1, KSJ_OBJECT_MT, "json.object");
  if (haskeys) {
    ksj_push_orders(L, 1);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 3);                  /* nil for false: drops it */
    lua_rawset(L, -3);
    if (!lua_isnil(L, 3))
      ksj_filter_add(ksj_orders_filter(L, lua_gettop(L)), lua_topointer(L, 1));
  }
  lua_settop(L, 1);
  return 1;
}

/* keys(t [, opts]): t's keys in the order json.encode(t, opts) writes them. */
static int l_keys(lua_State *L) {
  ksj_encode_opts o;
  ksj_checktype(L, 1, LUA_TTABLE);
  ksj_encode_opts_init(&o);
  o.key_order = key_order(L);
  ksj_encode_opts_read(L, 2, &o, "json.keys", NULL);
  ksj_push_keys(L, 1, &o);
  return 1;
}

static const luaL_Reg funcs[] = {
  {"encode", l_encode},
  {"decode", l_decode},
  {"array", l_array},
  {"object", l_object},
  {"keys", l_keys},
  {NULL, NULL}
};

int ksj_open(lua_State *L, const ksj_key_order *ko) {
  lua_pushlightuserdata(L, (void *)ko);
  lua_setfield(L, LUA_REGISTRYINDEX, KSJ_KEY_ORDER);
  luaL_newlibtable(L, funcs);
  lua_pushlightuserdata(L, (void *)ko);
  luaL_setfuncs(L, funcs, 1);
  ksj_pushmt(L, KSJ_ARRAY_MT);
  lua_setfield(L, -2, "array_mt");
  ksj_pushmt(L, KSJ_OBJECT_MT);
  lua_setfield(L, -2, "object_mt");
  ksj_pushnull(L);
  lua_setfield(L, -2, "null");
  return 1;
}
