/*
** handles.c - Lua values as core handles.
**
** The core stores opaque integers. Here a value gets one the first time the
** core must hold it, and keeps it for as long as it lives: the tables
** handle -> value and value -> handle are weak, and whoever makes the core
** hold a handle (the global dict, a module snapshot, an open scope, a call's
** options) also keeps the value itself alive from Lua. Handles are never
** reused, so a stale one can only resolve to nil.
*/
#include "ks_lua.h"

int ksl_push_running_call(lua_State *L, int boxidx) {
  const ksl_box *box = ksl_box_at(L, boxidx);
  int uv = box->des != NULL ? KSL_UV_DESCTX : box->ser != NULL ? KSL_UV_SERCTX : 0;
  if (uv == 0) return 0;
  if (lua_getiuservalue(L, boxidx, uv) == LUA_TUSERDATA) return 1;
  lua_pop(L, 1);
  return 0;
}

KSL_HOT void ksl_push_uv(lua_State *L, int box, int uv) {
  lua_getiuservalue(L, box, uv);
}

KSL_HOT ks_engine *ksl_engine(lua_State *L, int box) {
  ksl_box *b = ksl_box_at(L, box);
  if (b == NULL || b->e == NULL) luaL_error(L, "kserial: the engine is closed");
  return b->e;
}

ks_handle ksl_handle(lua_State *L, int box, int idx, int create) {
  ks_handle h = KS_NOHANDLE;
  idx = lua_absindex(L, idx);
  box = lua_absindex(L, box);
  ksl_push_uv(L, box, KSL_UV_R);
  lua_pushvalue(L, idx);
  if (lua_rawget(L, -2) == LUA_TNUMBER) {
    h = (ks_handle)lua_tointeger(L, -1);
  } else if (create) {
    ksl_box *b = ksl_box_at(L, box);
    h = ++b->next;
    lua_pushvalue(L, idx);
    lua_pushinteger(L, (lua_Integer)h);
    lua_rawset(L, -4);
    ksl_push_uv(L, box, KSL_UV_H);
    lua_pushvalue(L, idx);
    lua_rawseti(L, -2, (lua_Integer)h);
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return h;
}

KSL_HOT void ksl_push_handle(lua_State *L, int box, ks_handle h) {
  ksl_push_uv(L, box, KSL_UV_H);
  lua_rawgeti(L, -1, (lua_Integer)h);
  lua_remove(L, -2);
}

/* ---- core maps owned by a userdata ------------------------------------- */

#define KSL_MAPBOX "kserial.map"

typedef struct mapbox { ks_map *m; } mapbox;

static int mapbox_gc(lua_State *L) {
  mapbox *mb = (mapbox *)lua_touserdata(L, 1);
  ks_map_free(mb->m);
  mb->m = NULL;
  return 0;
}

static mapbox *new_mapbox(lua_State *L, int box) {
  mapbox *mb = (mapbox *)lua_newuserdatauv(L, sizeof *mb, 0);
  mb->m = NULL;
  if (luaL_newmetatable(L, KSL_MAPBOX)) {
    lua_pushcfunction(L, mapbox_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, mapbox_gc);
    lua_setfield(L, -2, "__close");
  }
  lua_setmetatable(L, -2);
  mb->m = ks_map_new(ksl_engine(L, box));
  if (mb->m == NULL) luaL_error(L, "kserial: not enough memory");
  return mb;
}

void ksl_check_object(lua_State *L, int idx, const char *what, const char *key,
                      size_t klen) {
  int t = lua_type(L, idx);
  if (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TUSERDATA) return;
  idx = lua_absindex(L, idx);
  ksl_error(L, "%s: '%s' is a %s, which can never be looked up: only classes "
            "(tables), functions and userdata can", what, ksl_shown(L, key, klen),
            t == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == NULL
              ? "null" : luaL_typename(L, idx));
}

ks_map *ksl_map_from_table(lua_State *L, int box, int idx, const char *what) {
  mapbox *mb;
  idx = lua_absindex(L, idx);
  box = lua_absindex(L, box);
  mb = new_mapbox(L, box);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    size_t len;
    const char *k;
    if (lua_type(L, -2) != LUA_TSTRING)
      ksl_error(L, "%s: keys must be strings, found a %s key", what,
                luaL_typename(L, -2));
    k = lua_tolstring(L, -2, &len);
    if (ks_check_key(k, len) != KS_OK)
      ksl_error(L, "%s: keys must be non-empty and hold no NUL byte, not '%s'",
                what, ksl_shown(L, k, len));
    ksl_check_object(L, -1, what, k, len);
    if (ks_map_set(mb->m, k, len, ksl_handle(L, box, -1, 1)) != KS_OK)
      luaL_error(L, "kserial: not enough memory");
    lua_pop(L, 1);
  }
  return mb->m;
}

ks_map *ksl_map_release(lua_State *L, int idx) {
  mapbox *mb = (mapbox *)luaL_checkudata(L, idx, KSL_MAPBOX);
  ks_map *m = mb->m;
  mb->m = NULL;
  return m;
}
