/*
** kserial.c - luaopen_kserial: creates the engine of this lua_State and the
** module table.
*/
#include <string.h>
#include "kserial_lua.h"
#include "ks_lua.h"
#include "ks_json.h"
#include "ks_keyorder.h"
#include "ks_walk.h"
#include "ks_embedded.h"

static int box_gc(lua_State *L) {
  ksl_box *b = (ksl_box *)luaL_checkudata(L, 1, KSL_ENGINE_MT);
  ks_engine_free(b->e);
  b->e = NULL;
  return 0;
}

static void push_weak_table(lua_State *L, const char *mode) {
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushstring(L, mode);
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
}

/* Pushes the engine box of a new engine. */
static void new_box(lua_State *L) {
  void *ud;
  lua_Alloc f = lua_getallocf(L, &ud);
  int k;
  ksl_box *b = (ksl_box *)lua_newuserdatauv(L, sizeof *b, KSL_UV_COUNT);
  memset(b, 0, sizeof *b);
  if (luaL_newmetatable(L, KSL_ENGINE_MT)) {
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  push_weak_table(L, "v");
  lua_setiuservalue(L, -2, KSL_UV_H);
  push_weak_table(L, "k");
  lua_setiuservalue(L, -2, KSL_UV_R);
  lua_newtable(L);
  lua_setiuservalue(L, -2, KSL_UV_GLOBAL);
  lua_newtable(L);
  lua_setiuservalue(L, -2, KSL_UV_MODULES);
  lua_newtable(L);
  lua_setiuservalue(L, -2, KSL_UV_SPECIAL);
  ksj_pushmt(L, KSJ_ARRAY_MT);
  b->arr_mt = lua_topointer(L, -1);
  lua_setiuservalue(L, -2, KSL_UV_ARRAY_MT);
  ksj_pushmt(L, KSJ_OBJECT_MT);
  b->obj_mt = lua_topointer(L, -1);
  lua_setiuservalue(L, -2, KSL_UV_OBJECT_MT);
  ksl_push_marker_mt(L);
  lua_setiuservalue(L, -2, KSL_UV_MARKER_MT);
  for (k = 0; k < KS_ENV_NKEYS; k++) {
    lua_pushstring(L, ks_envelope_key((ks_env_key)k));
    lua_setiuservalue(L, -2, KSL_UV_ENV_KEYS + k);
  }
  b->e = ks_engine_new((ks_alloc_fn)f, ud);
  if (b->e == NULL) luaL_error(L, "kserial: not enough memory");
}

int ksl_is_json_marker_mt(lua_State *L, int idx) {
  int r;
  idx = lua_absindex(L, idx);
  luaL_getmetatable(L, KSJ_ARRAY_MT);
  r = lua_rawequal(L, -1, idx);
  lua_pop(L, 1);
  if (!r) {
    luaL_getmetatable(L, KSJ_OBJECT_MT);
    r = lua_rawequal(L, -1, idx);
    lua_pop(L, 1);
  }
  return r;
}

/* Runs the Lua parts of lua/kserial/, each given the module table and a
** table of internal C helpers (not API). */
static void run_embedded(lua_State *L) {
  const ks_embedded_chunk *c;
  for (c = ks_embedded_chunks; c->name != NULL; c++) {
    lua_pushfstring(L, "=kserial/%s.lua", c->name);
    if (luaL_loadbufferx(L, c->source, c->len, lua_tostring(L, -1), "t") != LUA_OK)
      lua_error(L);
    lua_remove(L, -2);
    lua_pushvalue(L, -2);
    ksl_push_fields_internals(L);
    lua_call(L, 2, 0);
  }
}

/* Copies the functions of the module table on top into a private table
** (KSL_API) before any user code can change the module. */
static void save_api(lua_State *L) {
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, -3)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -4);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_setfield(L, LUA_REGISTRYINDEX, KSL_API);
}

void ksl_push_api(lua_State *L, const char *name) {
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_API);
  if (!lua_istable(L, -1) || lua_getfield(L, -1, name) != LUA_TFUNCTION)
    luaL_error(L, "kserial: the engine has no function '%s'", name);
  lua_remove(L, -2);
}

int luaopen_kserial(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, KSL_MODULE) == LUA_TTABLE)
    return 1;   /* one engine per state */
  lua_pop(L, 1);
  new_box(L);
  lua_setfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  lua_newtable(L);
  ksj_open(L, &ksl_keras_key_order);
  lua_setfield(L, -2, "json");
  ksl_push_marker_mt(L);
  lua_pop(L, 1);
  ksj_pushnull(L);
  lua_setfield(L, -2, "null");
  lua_pushliteral(L, KS_VERSION);
  lua_setfield(L, -2, "_VERSION");
  ksl_open_registry(L);
  ksl_open_scopes(L);
  ksl_open_serialize(L);
  ksl_open_deserialize(L);
  ksl_open_io(L);
  ksl_open_scan(L);
  ksl_open_config_error(L);
  run_embedded(L);
  save_api(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, KSL_MODULE);
  return 1;
}
