/*
** hook.c - the one runner of user code (see hook.h), and the rules on what
** a hook may return that the reader and the writer share.
*/
#include <stdarg.h>
#include "ks_json.h"
#include "hook.h"
#include "ks_envelope.h"

void ksl_push_hook_label(lua_State *L, const char *name, int special, const char *owner) {
  lua_pushfstring(L, "%s() of %s'%s'", name, special ? "special " : "", owner);
}

KSL_HOT const char *ksl_des_hook_name(ks_env_key key, int special) {
  if (special) return "decode";
  switch (key) {
    case KS_ENV_BUILD_CONFIG: return "build_from_config";
    case KS_ENV_COMPILE_CONFIG: return "compile_from_config";
    default: return "from_config";
  }
}

static void push_label(lua_State *L, const ksl_hook *h) {
  ksl_push_hook_label(L, h->name, h->special, h->owner);
}

/* Replaces the message on top with "kserial: <label> <msg> (at <path>)". */
KSL_COLD static void finish(lua_State *L, const ksl_hook *h) {
  push_label(L, h);
  lua_insert(L, -2);
  lua_pushliteral(L, " ");
  lua_insert(L, -2);
  lua_concat(L, 3);
  ksl_path_message(L, h->node, h->side, h->ctx);
}

int ksl_hook_fail(lua_State *L, const ksl_hook *h, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  finish(L, h);
  return ksl_path_raise(L, h->ctx);
}

/* ---- the protected part ------------------------------------------------------ */

/* Pushes obj[name] when obj can be indexed and has it, callable; else 0. */
static int get_method(lua_State *L, int obj, const char *name) {
  if (lua_type(L, obj) != LUA_TTABLE) {
    if (luaL_getmetafield(L, obj, "__index") == LUA_TNIL) return 0;
    lua_pop(L, 1);
  }
  lua_getfield(L, obj, name);     /* may run an __index: user code, in here */
  if (lua_type(L, -1) == LUA_TFUNCTION) return 1;
  if (!lua_isnil(L, -1) && luaL_getmetafield(L, -1, "__call") != LUA_TNIL) {
    lua_pop(L, 1);
    return 1;
  }
  lua_pop(L, 1);
  return 0;
}

/* 1: the method name or nil, 2: self or the function, 3...: arguments.
** Returns (true, result), or false when self has no such method. */
static int trampoline(lua_State *L) {
  int n = lua_gettop(L);
  if (lua_type(L, 1) == LUA_TSTRING) {
    if (!get_method(L, 2, lua_tostring(L, 1))) {
      lua_pushboolean(L, 0);
      return 1;
    }
    lua_replace(L, 1);            /* method, self, args */
    lua_call(L, n - 1, 1);
  } else {
    lua_remove(L, 1);
    lua_call(L, n - 2, 1);
  }
  lua_pushboolean(L, 1);
  lua_insert(L, -2);
  return 2;
}

/* ---- scopes ------------------------------------------------------------------ */

/* Opens the running deserialize's custom-object and safe-mode scopes. */
KSL_HOT static void open_scopes(lua_State *L, ks_engine *e, const ksl_hook *h) {
  ks_token first = 0, inner = 0;
  if (h->custom_idx != 0) {
    ks_map *m;
    ksl_map_from_table(L, h->box, h->custom_idx, "custom_objects");
    m = ksl_map_release(L, -1);
    lua_pop(L, 1);
    if (ks_scope_push_objects(e, m, &first) != KS_OK)  /* takes m over */
      luaL_error(L, "kserial: not enough memory");
  }
  if (ks_scope_push_safe_mode(e, h->safe, &inner) != KS_OK) {
    if (first) ks_scope_unwind(e, first);
    luaL_error(L, "kserial: not enough memory");
  }
}

/* ---- the runner ------------------------------------------------------------------ */

/* The method `method` of the value at self when finding it runs no user
** code: self is a table, and so is every __index met on the way (how
** classes inherit). Pushes it and returns 1 when it is a function; returns
** 0 (nothing pushed) when it is absent; returns -1 (nothing pushed) when
** only the trampoline can tell (an __index function, a callable object,
** a proxy, a very long chain). */
#define RAW_CHAIN_MAX 100
KSL_HOT static int raw_method(lua_State *L, int self, const char *method) {
  int i, ty, base = lua_gettop(L), found = -1;
  if (lua_type(L, self) != LUA_TTABLE) return -1;
  lua_pushstring(L, method);                 /* base + 1: the name */
  lua_pushvalue(L, base + 1);
  ty = lua_rawget(L, self);                  /* its own: a class's, the usual case */
  if (ty == LUA_TFUNCTION) {
    lua_replace(L, base + 1);
    return 1;
  }
  lua_pop(L, 1);
  if (ty != LUA_TNIL) {                      /* maybe a callable object */
    lua_settop(L, base);
    return -1;
  }
  lua_pushvalue(L, self);                    /* base + 2: the table looked in */
  for (i = 0; i < RAW_CHAIN_MAX; i++) {
    if (!lua_getmetatable(L, base + 2)) {    /* nil, no __index: absent */
      found = 0;
      break;
    }
    lua_pushliteral(L, "__index");
    ty = lua_rawget(L, -2);
    if (ty == LUA_TNIL) {
      found = 0;
      break;
    }
    if (ty != LUA_TTABLE) break;             /* an __index function: user code */
    lua_replace(L, base + 2);
    lua_settop(L, base + 2);
    lua_pushvalue(L, base + 1);
    ty = lua_rawget(L, base + 2);
    if (ty == LUA_TFUNCTION) {
      lua_replace(L, base + 1);
      lua_settop(L, base + 1);
      return 1;
    }
    if (ty != LUA_TNIL) break;               /* maybe a callable object */
    lua_pop(L, 1);
  }
  lua_settop(L, base);
  return found;
}

/* Puts what runs below the nargs arguments on top; returns its index.
** Fast form (fn != 0: the function found by raw_method on top, above the
** arguments): fn, self, args. Otherwise the trampoline, the method name
** (or nil) and self (or the function). */
KSL_HOT static int push_callee(lua_State *L, int self, const char *method, int nargs,
                       int fn) {
  int callee = lua_gettop(L) - nargs + (method != NULL ? 1 : 0);
  if (fn) {
    callee = lua_gettop(L) - nargs;     /* the function is on top */
    lua_insert(L, callee);
    lua_pushvalue(L, self);
    lua_insert(L, callee + 1);
    return callee;
  }
  if (method != NULL) {
    lua_pushvalue(L, self);
    lua_insert(L, callee);
  }
  lua_pushcfunction(L, trampoline);
  lua_insert(L, callee);
  if (method != NULL) lua_pushstring(L, method);
  else lua_pushnil(L);
  lua_insert(L, callee + 1);
  return callee;
}

/* Replaces the message on top with "kserial: <label> <what> (at <path>)"
** and returns the error status. */
KSL_COLD static int hook_error(lua_State *L, const ksl_hook *h, const char *what) {
  lua_pop(L, 1);
  lua_pushstring(L, what);
  finish(L, h);
  return LUA_ERRRUN;
}

/* After the call: closes what the hook left open (and the scopes opened
** for it), then judges the outcome: an error on top, or nres results (2:
** the trampoline's, whether the method was found below the result). */
KSL_HOT static int judge(lua_State *L, const ksl_hook *h, int st, ks_engine *e,
                 size_t depth, ks_token outer, ks_token mine, int nres) {
  int foreign = outer != 0 && !ks_scope_is_open(e, outer);
  int leaked = !foreign && ks_scope_top(e) != mine;
  while (ks_scope_depth(e) > depth)              /* the hook's and ours */
    ks_scope_pop(e, ks_scope_top(e));
  if (st != LUA_OK) {
    /* error values that are not strings pass untouched, and so does the
    ** message of a nested call: it already says what and where */
    if (lua_type(L, -1) == LUA_TSTRING && !ksl_path_passing(L, h->ctx)) {
      lua_pushfstring(L, "raised an error: %s", lua_tostring(L, -1));
      lua_remove(L, -2);
      finish(L, h);
    }
    return st;
  }
  if (nres == 2) lua_remove(L, -2);              /* found, result -> result */
  if (foreign || leaked)
    return hook_error(L, h, foreign ? "closed a scope it did not open; scopes "
                      "opened in a hook must be closed in it, with <close> or :close()"
                      : "left a scope open; scopes opened in a hook must be closed "
                      "in it, with <close> or :close()");
  return LUA_OK;
}

KSL_HOT void ksl_hook_at(ksl_hook *h, const char *name, const char *owner,
                 const ksl_path *node, const ksl_path **at, int ctx, int box,
                 const char *side) {
  h->name = name;
  h->owner = owner;
  h->node = node;
  h->at = at;
  h->ctx = ctx;
  h->box = box;
  h->side = side;
}

KSL_HOT int ksl_hook_pcall(lua_State *L, const ksl_hook *h, int self, const char *method,
                   int nargs) {
  ks_engine *e = ksl_box_at(L, h->box)->e;
  const ksl_path *saved = *h->at;
  size_t depth = ks_scope_depth(e);
  ks_token outer = ks_scope_top(e), mine;
  int st, found = 1, fast = 0, objects = ksl_path_depth(h->node);
  luaL_checkstack(L, 8, "kserial: nesting too deep");  /* method, callee, scopes */
  if (method != NULL) self = lua_absindex(L, self);
  if (objects > KSL_MAX_OBJECT_NESTING) {
    lua_pop(L, nargs + (method == NULL ? 1 : 0));
    lua_pushfstring(L, "objects nested deeper than %d", KSL_MAX_OBJECT_NESTING);
    ksl_path_message(L, h->node, h->side, h->ctx);
    return LUA_ERRRUN;
  }
  if (method != NULL) {
    fast = raw_method(L, self, method);
    if (fast == 0) {                      /* absent, and nothing ran */
      lua_pop(L, nargs);
      return KSL_HOOK_ABSENT;
    }
    fast = fast > 0;
  }
  /* before the arguments move up: h->note may be one of them */
  /* every deserialize hook notes its config (nil if none): the note at
  ** its depth is then its own (call.h) */
  if (h->note || h->scoped)
    ksl_path_note_at(L, h->ctx, objects, h->note, h);
  push_callee(L, self, method, nargs, fast);
  if (h->scoped) open_scopes(L, e, h);
  mine = ks_scope_top(e);
  *h->at = h->node;
  if (fast)
    st = lua_pcall(L, nargs + 1, 1, 0);
  else {
    st = lua_pcall(L, nargs + 2, 2, 0);
    found = st == LUA_OK && lua_toboolean(L, -2) ? 2 : 0;
  }
  *h->at = saved;
  st = judge(L, h, st, e, depth, outer, mine, fast ? 1 : 2);
  if (st != LUA_OK) return st;
  if (!found) {
    lua_pop(L, 1);
    return KSL_HOOK_ABSENT;
  }
  if (h->must_return && lua_isnil(L, -1)) return hook_error(L, h, "returned nil");
  return LUA_OK;
}

int ksl_hook_call(lua_State *L, const ksl_hook *h, int self, const char *method,
                  int nargs) {
  int st = ksl_hook_pcall(L, h, self, method, nargs);
  if (st != LUA_OK && st != KSL_HOOK_ABSENT) ksl_path_raise(L, h->ctx);
  return st;
}

/* ---- what hooks may return -------------------------------------------------------- */

KSL_HOT ksl_tkind ksl_table_kind(lua_State *L, int idx, const ksl_box *b) {
  ksl_tkind k;
  if (lua_getmetatable(L, idx)) {
    const void *mt = lua_topointer(L, -1);
    lua_pop(L, 1);
    return mt == b->arr_mt ? KSL_TABLE_ARRAY
         : mt == b->obj_mt ? KSL_TABLE_DICT : KSL_TABLE_OTHER;
  }
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  if (!lua_next(L, idx)) return KSL_TABLE_DICT;
  k = lua_type(L, -2) == LUA_TSTRING ? KSL_TABLE_DICT : KSL_TABLE_ARRAY;
  lua_pop(L, 2);
  return k;
}

const char *ksl_hook_config_bad(lua_State *L, int box, int idx, ks_env_key key) {
  ks_vtype t = ksl_vtype_at(L, box, idx);
  if (ks_envelope_want(key, t) == NULL) return NULL;
  return t == KS_V_OTHER ? ksl_jsontype(L, idx) : ksl_vtype_name(t);
}
