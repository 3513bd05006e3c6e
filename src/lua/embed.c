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
*/
#include <string.h>
#include "kserial_lua.h"
#include "ks_lua.h"
#include "ks_json.h"
#include "ks_walk.h"
#include "ks_keyorder.h"

typedef struct call_args {
  const char *what;       /* the engine function to call */
  const char *bad;        /* an argument error found before the call */
  int idx, opts;          /* absolute indices in the host's frame, or 0 */
  const char *s1, *s2;    /* string arguments */
  size_t len;
  const cJSON *doc;
  cJSON **out;
} call_args;

/* Opens the engine in this state when the host has not (registering it in
** package.loaded as require would); an open engine is left alone. */
static void ensure_open(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, KSL_MODULE) != LUA_TTABLE)
    luaL_requiref(L, "kserial", luaopen_kserial, 0);
  lua_pop(L, 1);
}

/* Starts the protected work: raises a bad argument, opens the engine and
** pushes the engine function a->what. */
static call_args *begin(lua_State *L) {
  call_args *a = (call_args *)lua_touserdata(L, 3);
  if (a->bad != NULL) luaL_error(L, "kserial: %s", a->bad);
  ensure_open(L);
  ksl_push_api(L, a->what);
  return a;
}

/* The host's values are copied in as arguments of the protected call: the
** worker sees them at 1 (value) and 2 (options). */
static int call_api(lua_State *L) {
  call_args *a = begin(L);
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

static int run(lua_State *L, lua_CFunction f, call_args *a) {
  if (!lua_checkstack(L, 4)) return LUA_ERRMEM;   /* nothing pushed: see docs */
  lua_pushcfunction(L, f);
  if (a->idx) lua_pushvalue(L, a->idx); else lua_pushnil(L);
  if (a->opts) lua_pushvalue(L, a->opts); else lua_pushnil(L);
  lua_pushlightuserdata(L, a);
  return lua_pcall(L, 3, 1, 0);
}

/* An index the host gave: 0 (none) when allowed, a stack slot, or the
** registry. Returns the absolute index, or 0 with a->bad set. */
static int check_index(lua_State *L, int idx, int zero_ok, call_args *a) {
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
  call_args a = {"serialize", NULL, 0, 0, NULL, NULL, 0, NULL, NULL};
  a.idx = check_index(L, idx, 0, &a);
  return run(L, call_api, &a);
}

int kserial_lua_dumps(lua_State *L, int idx, int opts) {
  call_args a = {"dumps", NULL, 0, 0, NULL, NULL, 0, NULL, NULL};
  a.idx = check_index(L, idx, 0, &a);
  a.opts = check_index(L, opts, 1, &a);
  return run(L, call_api, &a);
}

int kserial_lua_deserialize(lua_State *L, int idx, int opts) {
  call_args a = {"deserialize", NULL, 0, 0, NULL, NULL, 0, NULL, NULL};
  a.idx = check_index(L, idx, 0, &a);
  a.opts = check_index(L, opts, 1, &a);
  return run(L, call_api, &a);
}

int kserial_lua_loads(lua_State *L, const char *text, size_t len, int opts) {
  call_args a = {"loads", NULL, 0, 0, NULL, NULL, 0, NULL, NULL};
  a.s1 = text;
  a.len = len;
  if (text == NULL) a.bad = "kserial_lua_loads: the text is NULL";
  a.opts = check_index(L, opts, 1, &a);
  return run(L, call_api, &a);
}

int kserial_lua_register(lua_State *L, int idx, const char *package,
                         const char *name) {
  call_args a = {"register_serializable", NULL, 0, 0, NULL, NULL, 0, NULL, NULL};
  a.idx = check_index(L, idx, 0, &a);
  a.s1 = package;
  a.s2 = name;
  return run(L, call_api, &a);
}

int kserial_lua_register_module(lua_State *L, const char *module, int idx) {
  call_args a = {"register_module", NULL, 0, 0, NULL, NULL, 0, NULL, NULL};
  a.idx = check_index(L, idx, 0, &a);
  a.s1 = module;
  if (module == NULL) a.bad = "kserial_lua_register_module: the module name is NULL";
  return run(L, call_api, &a);
}

/* serialize, then build the cJSON tree (ksj_to_cjson never leaks a partial
** tree when it raises). */
static int to_cjson(lua_State *L) {
  call_args *a = begin(L);
  ksj_encode_opts o;
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  ksj_encode_opts_init(&o);
  o.key_order = &ksl_keras_key_order;
  *a->out = ksj_to_cjson(L, -1, &o);
  lua_pushboolean(L, 1);
  return 1;
}

int kserial_lua_to_cjson(lua_State *L, int idx, cJSON **out) {
  call_args a = {"serialize", NULL, 0, 0, NULL, NULL, 0, NULL, NULL};
  cJSON *dummy = NULL;
  int st;
  if (out == NULL) {
    a.bad = "kserial_lua_to_cjson: out is NULL";
    out = &dummy;
  }
  *out = NULL;
  a.idx = check_index(L, idx, 0, &a);
  a.out = out;
  st = run(L, to_cjson, &a);
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
  if (ksl_deserialize_opts(L, 1, 2, "kserial_lua_from_cjson", CJSON_OPTIONS) != LUA_OK)
    return lua_error(L);
  return 1;
}

/* The tree becomes Lua values under the text decoder's rules (max_depth,
** allow_nan from the options), then deserialize runs on them. */
static int from_cjson(lua_State *L) {
  call_args *a = (call_args *)lua_touserdata(L, 3);
  ksj_decode_opts dop;
  if (a->bad != NULL) luaL_error(L, "kserial: %s", a->bad);
  ensure_open(L);
  ksj_decode_opts_init(&dop);
  ksj_decode_opts_read(L, 2, &dop, "kserial_lua_from_cjson", KSL_DES_OPTION_NAMES);
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  lua_pushcclosure(L, deserialize_tree, 1);
  ksj_push_cjson(L, a->doc, &dop);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1);
  return 1;
}

int kserial_lua_from_cjson(lua_State *L, const cJSON *doc, int opts) {
  call_args a = {"deserialize", NULL, 0, 0, NULL, NULL, 0, NULL, NULL};
  a.doc = doc;
  a.opts = check_index(L, opts, 1, &a);
  return run(L, from_cjson, &a);
}
