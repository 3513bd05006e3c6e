/*
** fuzz_driver.c - the lua_State, the harness and the C-side checks shared
** by the kserial fuzz targets.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include "fuzz_driver.h"
#include "kserial_lua.h"
#include "ks_lua.h"
#include "testhooks.h"

/* A full collection every GC_EVERY inputs: keeps memory flat and runs the
** __gc of everything the inputs left behind (scopes, call contexts). */
#define GC_EVERY 128

/* The fuzzer's own state (one per process, by libFuzzer's design). */
static lua_State *fuzz_L;
static int fuzz_run_ref = LUA_NOREF;
static unsigned long fuzz_count;

void fuzz_die(const char *fmt, ...) {
  va_list ap;
  fputs("kserial fuzz: invariant broken: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
  abort();
}

static int on_panic(lua_State *L) {
  fuzz_die("Lua panic: %s", lua_tostring(L, -1));
  return 0;
}

static int hook_fail(lua_State *L) {
  fuzz_die("%s", luaL_tolstring(L, 1, NULL));
  return 0;
}

static const fuzz_chunk *find_chunk(const char *name) {
  const fuzz_chunk *c;
  for (c = fuzz_chunks; c->name != NULL; c++)
    if (strcmp(c->name, name) == 0) return c;
  fuzz_die("no embedded chunk named '%s'", name);
  return NULL;
}

static void load_chunk(lua_State *L, const char *name) {
  const fuzz_chunk *c = find_chunk(name);
  char chunkname[64];
  snprintf(chunkname, sizeof chunkname, "@fuzz/lua/%s.lua", name);
  if (luaL_loadbufferx(L, c->source, c->len, chunkname, "t") != LUA_OK)
    fuzz_die("cannot load %s: %s", name, lua_tostring(L, -1));
}

static void call_or_die(lua_State *L, int nargs, int nresults, const char *what) {
  if (lua_pcall(L, nargs, nresults, 0) != LUA_OK)
    fuzz_die("%s: %s", what, luaL_tolstring(L, -1, NULL));
}

/* The engine box: no running call may survive an input, and every scope
** an input opened must be closed again. */
static void check_engine(lua_State *L) {
  const ksl_box *box;
  size_t depth;
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  box = (const ksl_box *)luaL_testudata(L, -1, KSL_ENGINE_MT);
  if (box == NULL || box->e == NULL) fuzz_die("the kserial engine is gone");
  if (box->ser != NULL) fuzz_die("a serialize call is still marked as running");
  if (box->des != NULL) fuzz_die("a deserialize call is still marked as running");
  if (lua_getiuservalue(L, -1, KSL_UV_SERCTX) != LUA_TNIL)
    fuzz_die("the serialize call context was not dropped");
  if (lua_getiuservalue(L, -2, KSL_UV_DESCTX) != LUA_TNIL)
    fuzz_die("the deserialize call context was not dropped");
  depth = ks_scope_depth(box->e);
  if (depth != 0) fuzz_die("%zu scopes are still open after the input", depth);
  lua_pop(L, 3);
}

void fuzz_init(const fuzz_target *t) {
  lua_State *L = luaL_newstate();
  int hooks;
  if (L == NULL) fuzz_die("cannot create a lua_State");
  lua_atpanic(L, on_panic);
  luaL_openlibs(L);
  luaL_requiref(L, "kserial", luaopen_kserial, 1);   /* 1: kserial */
  lua_newtable(L);                                   /* 2: hooks */
  hooks = lua_gettop(L);
  lua_pushcfunction(L, hook_fail);
  lua_setfield(L, hooks, "fail");
  luaL_requiref(L, "kserial.testhooks", luaopen_kserial_testhooks, 0);
  lua_getfield(L, -1, "cjson_parse");                /* cJSON's parser + bridge */
  lua_setfield(L, hooks, "cjson_parse");
  lua_getfield(L, -1, "cjson_roundtrip");            /* the bridge both ways */
  lua_setfield(L, hooks, "cjson_roundtrip");
  lua_pop(L, 1);
  if (t->add_hooks != NULL) t->add_hooks(L, hooks);
  load_chunk(L, "registry");
  call_or_die(L, 0, 1, "registry.lua");              /* 3: registry() */
  load_chunk(L, t->harness);
  lua_insert(L, 1);
  call_or_die(L, 3, 1, t->harness);                  /* the harness table */
  if (lua_getfield(L, -1, "run") != LUA_TFUNCTION)
    fuzz_die("the harness %s has no run function", t->harness);
  fuzz_run_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_settop(L, 0);
  lua_gc(L, LUA_GCCOLLECT, 0);
  check_engine(L);
  fuzz_L = L;
}

int fuzz_run(const uint8_t *data, size_t size) {
  lua_State *L = fuzz_L;
  int top = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fuzz_run_ref);
  lua_pushlstring(L, (const char *)data, size);
  /* kserial's errors are caught inside the harness: an error here means an
  ** invariant failed in a way the harness could not even report */
  if (lua_pcall(L, 1, 0, 0) != LUA_OK)
    fuzz_die("the harness raised: %s", luaL_tolstring(L, -1, NULL));
  if (lua_gettop(L) != top)
    fuzz_die("the Lua stack top is %d, not %d", lua_gettop(L), top);
  check_engine(L);
  if (++fuzz_count % GC_EVERY == 0) {
    lua_gc(L, LUA_GCCOLLECT, 0);
    check_engine(L);
  }
  return 0;
}
