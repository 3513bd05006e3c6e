/*
** scopes.c - custom_object_scope, safe_mode_scope, with_custom_objects,
** enable_unsafe_deserialization, in_safe_mode.
**
** A scope object is a userdata that remembers its core token. Closing it
** (s:close() or a <close> variable) pops it and must happen innermost first;
** closing twice is harmless. When a <close> variable is closed by an error,
** it also closes whatever the failing code left open above it, so an error
** never leaves a scope behind. A scope collected while still open is removed
** quietly by __gc; one opened inside a hook cannot be collected before the
** running call ends (see anchor_in_call).
*/
#include "ks_lua.h"
#include "call.h"

#define KSL_SCOPE "kserial.scope"

typedef struct scope {
  ksl_box *box;     /* kept alive by user value 1 */
  ks_token token;
  int kind;         /* 0: custom objects, 1: safe mode */
} scope;

static scope *check_scope(lua_State *L) {
  return (scope *)luaL_checkudata(L, 1, KSL_SCOPE);
}

static void drop_anchor(lua_State *L, int idx);

static int scope_close(lua_State *L) {
  scope *s = check_scope(L);
  ks_status st;
  if (s->box->e == NULL || s->token == 0) return 0;
  st = ks_scope_pop(s->box->e, s->token);
  if (st == KS_ESCOPEORDER) {
    if (!lua_isnoneornil(L, 2)) {          /* closed by an error: unwind */
      ks_scope_unwind(s->box->e, s->token);
    } else {
      return ksl_error(L, "scope closed out of order: close the innermost "
                       "scope first");
    }
  }
  s->token = 0;
  drop_anchor(L, 1);
  return 0;
}

static int scope_gc(lua_State *L) {
  scope *s = check_scope(L);
  if (s->box->e != NULL && s->token != 0) ks_scope_remove(s->box->e, s->token);
  s->token = 0;
  return 0;
}

static int scope_is_open(lua_State *L) {
  scope *s = check_scope(L);
  lua_pushboolean(L, s->box->e != NULL && s->token != 0 &&
                  ks_scope_is_open(s->box->e, s->token));
  return 1;
}

static int scope_tostring(lua_State *L) {
  scope *s = check_scope(L);
  lua_pushfstring(L, "%s (%s): %p", s->kind ? "kserial.safe_mode_scope"
                  : "kserial.custom_object_scope",
                  (s->token && ks_scope_is_open(s->box->e, s->token)) ? "open"
                  : "closed", (void *)s);
  return 1;
}

/* A scope opened by a hook while a top-level call runs is kept alive by the
** call (KSL_CALL_ANCHORS of its state) until the call ends. Otherwise a hook that
** drops the scope object without closing it could see the collector remove
** it before the hook returns, and whether the call reports "left a scope
** open" would depend on when the collector ran. Sets (on) or clears the
** anchor of the scope at idx; boxidx: the engine box. */
static void set_anchor(lua_State *L, int boxidx, int idx, int on) {
  idx = lua_absindex(L, idx);
  boxidx = lua_absindex(L, boxidx);
  if (!ksl_push_running_call(L, boxidx)) return;
  ksl_call_get(L, lua_gettop(L), KSL_CALL_ANCHORS);
  lua_pushvalue(L, idx);
  if (on) lua_pushboolean(L, 1);
  else lua_pushnil(L);
  lua_rawset(L, -3);
  lua_pop(L, 2);
}

/* A closed scope needs no anchor: a hook that opens and closes scopes in a
** loop does not make the call hold them all. The scope is at idx. */
static void drop_anchor(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_getiuservalue(L, idx, 1);           /* the box */
  set_anchor(L, lua_gettop(L), idx, 0);
  lua_pop(L, 1);
}

/* Pushes a new, not yet open scope object (user values: box, anchor). */
static scope *new_scope(lua_State *L, int kind) {
  scope *s = (scope *)lua_newuserdatauv(L, sizeof *s, 2);
  s->box = ksl_box_at(L, KSL_BOX);
  s->token = 0;
  s->kind = kind;
  if (luaL_newmetatable(L, KSL_SCOPE)) {
    static const luaL_Reg meta[] = {
      {"__close", scope_close}, {"__gc", scope_gc},
      {"__tostring", scope_tostring}, {NULL, NULL}
    };
    static const luaL_Reg methods[] = {
      {"close", scope_close}, {"is_open", scope_is_open}, {NULL, NULL}
    };
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
  }
  lua_setmetatable(L, -2);
  lua_pushvalue(L, KSL_BOX);
  lua_setiuservalue(L, -2, 1);
  set_anchor(L, KSL_BOX, -1, 1);          /* see the note above */
  return s;
}

/* Merges the dict arguments first..last into a new table (later wins). */
static void merge_dicts(lua_State *L, int first, int last) {
  int i;
  lua_newtable(L);
  for (i = first; i <= last; i++) {
    if (lua_isnil(L, i)) continue;
    if (lua_type(L, i) != LUA_TTABLE)
      ksl_error(L, "custom_object_scope: argument #%d must be a table, got %s",
                i, luaL_typename(L, i));
    lua_pushnil(L);
    while (lua_next(L, i)) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -4);
    }
  }
}

/* Opens a custom-object scope over the dicts first..last and pushes the
** scope object. Used by custom_object_scope and with_custom_objects. */
static scope *open_objects_scope(lua_State *L, int first, int last) {
  ks_engine *e = ksl_engine(L, KSL_BOX);
  scope *s;
  ks_map *m;
  ks_status st;
  merge_dicts(L, first, last);                         /* anchor */
  m = ksl_map_from_table(L, KSL_BOX, -1, "custom_object_scope"); /* its owner above */
  s = new_scope(L, 0);
  lua_pushvalue(L, -3);
  lua_setiuservalue(L, -2, 2);
  m = ksl_map_release(L, -2);
  st = ks_scope_push_objects(e, m, &s->token);
  if (st != KS_OK) luaL_error(L, "kserial: not enough memory");
  lua_replace(L, -3);
  lua_pop(L, 1);
  return s;
}

static int l_custom_object_scope(lua_State *L) {
  open_objects_scope(L, 1, lua_gettop(L));
  return 1;
}

static int l_safe_mode_scope(lua_State *L) {
  ks_engine *e = ksl_engine(L, KSL_BOX);
  scope *s;
  ksj_checktype(L, 1, LUA_TBOOLEAN);
  s = new_scope(L, 1);
  if (ks_scope_push_safe_mode(e, lua_toboolean(L, 1), &s->token) != KS_OK)
    luaL_error(L, "kserial: not enough memory");
  return 1;
}

static int l_with_custom_objects(lua_State *L) {
  int n = lua_gettop(L), status;
  scope *s;
  ksj_checktype(L, 2, LUA_TFUNCTION);
  s = open_objects_scope(L, 1, 1);     /* the scope object is on top */
  lua_insert(L, 1);
  /* stack: scope dict fn args... */
  status = lua_pcall(L, n - 2, LUA_MULTRET, 0);
  if (s->box->e != NULL) ks_scope_unwind(s->box->e, s->token);
  s->token = 0;
  if (status != LUA_OK) return lua_error(L);
  return lua_gettop(L) - 2;
}

static int l_enable_unsafe(lua_State *L) {
  ks_set_default_safe_mode(ksl_engine(L, KSL_BOX), 0);
  return 0;
}

static int l_in_safe_mode(lua_State *L) {
  lua_pushboolean(L, ks_effective_safe_mode(ksl_engine(L, KSL_BOX), -1));
  return 1;
}

void ksl_open_scopes(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"custom_object_scope", l_custom_object_scope},
    {"safe_mode_scope", l_safe_mode_scope},
    {"with_custom_objects", l_with_custom_objects},
    {"enable_unsafe_deserialization", l_enable_unsafe},
    {"in_safe_mode", l_in_safe_mode},
    {NULL, NULL}
  };
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  luaL_setfuncs(L, fns, 1);
}
