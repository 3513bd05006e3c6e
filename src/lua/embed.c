/*
** embed.c - the protected helpers of kserial_lua.h.
**
** Each helper pushes a light C function and light userdata (neither
** allocates, so nothing can raise before the protected call starts) and
** runs the work through lua_pcall. The work gets the module table with
** luaL_requiref, so a host that never opened kserial gets it opened.
*/
#include <string.h>
#include "kserial_lua.h"
#include "ks_lua.h"
#include "ks_json.h"
#include "ks_keyorder.h"

typedef struct call_args {
  const char *what;       /* the module function to call */
  int idx, opts;          /* absolute indices in the host's frame, or 0 */
  const char *s1, *s2;    /* string arguments */
  size_t len;
  const cJSON *doc;
  cJSON **out;
} call_args;

static void push_module(lua_State *L) {
  luaL_requiref(L, "kserial", luaopen_kserial, 0);
}

static void push_opt(lua_State *L, int idx) {
  if (idx) lua_pushvalue(L, idx);
  else lua_pushnil(L);
}

/* The host's values are copied in as arguments of the protected call: the
** worker sees them at 1 (value) and 2 (options). */
static int call_module(lua_State *L) {
  call_args *a = (call_args *)lua_touserdata(L, 3);
  push_module(L);
  lua_getfield(L, -1, a->what);
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
    int fn = lua_gettop(L);
    if (a->s1) lua_pushstring(L, a->s1); else lua_pushnil(L);
    if (a->s2) lua_pushstring(L, a->s2); else lua_pushnil(L);
    lua_call(L, 2, 1);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 0);
    lua_getfield(L, fn - 1, "get_registered_name");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
  } else {
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 1);
  }
  return 1;
}

static int run(lua_State *L, lua_CFunction f, call_args *a) {
  int st;
  if (!lua_checkstack(L, 4)) return LUA_ERRMEM;   /* nothing pushed: see docs */
  lua_pushcfunction(L, f);
  if (a->idx) lua_pushvalue(L, a->idx); else lua_pushnil(L);
  push_opt(L, a->opts);
  lua_pushlightuserdata(L, a);
  st = lua_pcall(L, 3, 1, 0);
  return st;
}

static int absidx(lua_State *L, int idx) {
  return idx ? lua_absindex(L, idx) : 0;
}

int kserial_lua_serialize(lua_State *L, int idx) {
  call_args a = {"serialize", 0, 0, NULL, NULL, 0, NULL, NULL};
  a.idx = absidx(L, idx);
  return run(L, call_module, &a);
}

int kserial_lua_dumps(lua_State *L, int idx, int opts) {
  call_args a = {"dumps", 0, 0, NULL, NULL, 0, NULL, NULL};
  a.idx = absidx(L, idx);
  a.opts = absidx(L, opts);
  return run(L, call_module, &a);
}

int kserial_lua_deserialize(lua_State *L, int idx, int opts) {
  call_args a = {"deserialize", 0, 0, NULL, NULL, 0, NULL, NULL};
  a.idx = absidx(L, idx);
  a.opts = absidx(L, opts);
  return run(L, call_module, &a);
}

int kserial_lua_loads(lua_State *L, const char *text, size_t len, int opts) {
  call_args a = {"loads", 0, 0, NULL, NULL, 0, NULL, NULL};
  a.s1 = text;
  a.len = len;
  a.opts = absidx(L, opts);
  return run(L, call_module, &a);
}

int kserial_lua_register(lua_State *L, int idx, const char *package,
                         const char *name) {
  call_args a = {"register_serializable", 0, 0, NULL, NULL, 0, NULL, NULL};
  a.idx = absidx(L, idx);
  a.s1 = package;
  a.s2 = name;
  return run(L, call_module, &a);
}

int kserial_lua_register_module(lua_State *L, const char *module, int idx) {
  call_args a = {"register_module", 0, 0, NULL, NULL, 0, NULL, NULL};
  a.idx = absidx(L, idx);
  a.s1 = module;
  return run(L, call_module, &a);
}

/* serialize, then build the cJSON tree (ksj_to_cjson never leaks a partial
** tree when it raises). */
static int to_cjson(lua_State *L) {
  call_args *a = (call_args *)lua_touserdata(L, 3);
  ksj_encode_opts o;
  push_module(L);
  lua_getfield(L, -1, "serialize");
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  ksj_encode_opts_init(&o);
  o.key_order = &ksl_keras_key_order;
  *a->out = ksj_to_cjson(L, -1, &o);
  lua_pushboolean(L, 1);
  return 1;
}

int kserial_lua_to_cjson(lua_State *L, int idx, cJSON **out) {
  call_args a = {"to_cjson", 0, 0, NULL, NULL, 0, NULL, NULL};
  int st;
  *out = NULL;
  a.idx = absidx(L, idx);
  a.out = out;
  st = run(L, to_cjson, &a);
  if (st != LUA_OK && *out != NULL) {   /* cannot happen; keep the promise */
    cJSON_Delete(*out);
    *out = NULL;
  }
  return st;
}

static int from_cjson(lua_State *L) {
  call_args *a = (call_args *)lua_touserdata(L, 3);
  push_module(L);
  lua_getfield(L, -1, "deserialize");
  ksj_push_cjson(L, a->doc, KSJ_DEFAULT_MAX_DEPTH);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1);
  return 1;
}

int kserial_lua_from_cjson(lua_State *L, const cJSON *doc, int opts) {
  call_args a = {"from_cjson", 0, 0, NULL, NULL, 0, NULL, NULL};
  a.doc = doc;
  a.opts = absidx(L, opts);
  return run(L, from_cjson, &a);
}
