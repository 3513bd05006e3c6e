/*
** embed.c - the protected helpers of kserial_lua.h.
**
** Each helper checks what it cheaply can (NULL pointers, stack indices),
** then pushes a light C function and light userdata (neither allocates, so
** nothing can raise before the protected call starts) and runs the work
** through lua_pcall. A bad argument becomes an error raised inside that
** call, so the host gets a status and a message, never a crash.
**
** The work calls the engine's own functions as luaopen_kserial made them
** (ksl_push_api), never through the module table or package.loaded: a
** script that replaces kserial.loads cannot change what the host's
** kserial_lua_loads does.
**
** The machinery (ksl_embed_index, ksl_embed_run, ksl_embed_begin; see
** ks_embed.h) also runs the helpers of kserial_cjson.h (src/cjson/api.c).
*/
#include <string.h>
#include "kserial_lua.h"
#include "ks_lua.h"
#include "ks_embed.h"

/* Opens the engine in this state when the host has not (registering it in
** package.loaded as require would); an open engine is left alone. */
static void ensure_open(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, KSL_MODULE) != LUA_TTABLE)
    luaL_requiref(L, "kserial", luaopen_kserial, 0);
  lua_pop(L, 1);
}

ksl_call_args *ksl_embed_begin(lua_State *L) {
  ksl_call_args *a = (ksl_call_args *)lua_touserdata(L, 3);
  if (a->bad != NULL) luaL_error(L, "kserial: %s", a->bad);
  ensure_open(L);
  if (a->what != NULL) ksl_push_api(L, a->what);
  return a;
}

/* The host's values are copied in as arguments of the protected call: the
** worker sees them at 1 (value) and 2 (options). */
static int call_api(lua_State *L) {
  ksl_call_args *a = ksl_embed_begin(L);
  if (strcmp(a->what, "loads") == 0) {
    lua_pushlstring(L, a->s1, a->len);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 1);
  } else if (strcmp(a->what, "register_module") == 0) {
    lua_pushstring(L, a->s1);
    lua_pushvalue(L, 1);
    lua_call(L, 2, 0);
    lua_pushstring(L, a->s1);
  } else if (strcmp(a->what, "register_serializable") == 0) {
    if (a->s1) lua_pushstring(L, a->s1); else lua_pushnil(L);
    if (a->s2) lua_pushstring(L, a->s2); else lua_pushnil(L);
    lua_call(L, 2, 1);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 0);
    ksl_push_api(L, "get_registered_name");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
  } else {
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 1);
  }
  return 1;
}

int ksl_embed_run(lua_State *L, lua_CFunction f, ksl_call_args *a) {
  if (!lua_checkstack(L, 4)) return LUA_ERRMEM;   /* nothing pushed: see docs */
  lua_pushcfunction(L, f);
  if (a->idx) lua_pushvalue(L, a->idx); else lua_pushnil(L);
  if (a->opts) lua_pushvalue(L, a->opts); else lua_pushnil(L);
  lua_pushlightuserdata(L, a);
  return lua_pcall(L, 3, 1, 0);
}

int ksl_embed_index(lua_State *L, int idx, int zero_ok, ksl_call_args *a) {
  int top = lua_gettop(L);
  if (idx == 0 && zero_ok) return 0;
  if (idx == LUA_REGISTRYINDEX) return idx;
  if ((idx > 0 && idx <= top) || (idx < 0 && idx > LUA_REGISTRYINDEX && -idx <= top))
    return lua_absindex(L, idx);
  a->bad = zero_ok ? "an options index is not a slot of the stack"
                   : "a value index is not a slot of the stack";
  return 0;
}

int kserial_lua_serialize(lua_State *L, int idx) {
  ksl_call_args a = {"serialize", NULL, 0, 0, NULL, NULL, 0};
  a.idx = ksl_embed_index(L, idx, 0, &a);
  return ksl_embed_run(L, call_api, &a);
}

int kserial_lua_dumps(lua_State *L, int idx, int opts) {
  ksl_call_args a = {"dumps", NULL, 0, 0, NULL, NULL, 0};
  a.idx = ksl_embed_index(L, idx, 0, &a);
  a.opts = ksl_embed_index(L, opts, 1, &a);
  return ksl_embed_run(L, call_api, &a);
}

int kserial_lua_deserialize(lua_State *L, int idx, int opts) {
  ksl_call_args a = {"deserialize", NULL, 0, 0, NULL, NULL, 0};
  a.idx = ksl_embed_index(L, idx, 0, &a);
  a.opts = ksl_embed_index(L, opts, 1, &a);
  return ksl_embed_run(L, call_api, &a);
}

int kserial_lua_loads(lua_State *L, const char *text, size_t len, int opts) {
  ksl_call_args a = {"loads", NULL, 0, 0, NULL, NULL, 0};
  a.s1 = text;
  a.len = len;
  if (text == NULL) a.bad = "kserial_lua_loads: the text is NULL";
  a.opts = ksl_embed_index(L, opts, 1, &a);
  return ksl_embed_run(L, call_api, &a);
}

int kserial_lua_register(lua_State *L, int idx, const char *package,
                         const char *name) {
  ksl_call_args a = {"register_serializable", NULL, 0, 0, NULL, NULL, 0};
  a.idx = ksl_embed_index(L, idx, 0, &a);
  a.s1 = package;
  a.s2 = name;
  return ksl_embed_run(L, call_api, &a);
}

int kserial_lua_register_module(lua_State *L, const char *module, int idx) {
  ksl_call_args a = {"register_module", NULL, 0, 0, NULL, NULL, 0};
  a.idx = ksl_embed_index(L, idx, 0, &a);
  a.s1 = module;
  if (module == NULL) a.bad = "kserial_lua_register_module: the module name is NULL";
  return ksl_embed_run(L, call_api, &a);
}
