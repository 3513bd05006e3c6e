/*
** registry.c - the registry API of the Lua module: register_serializable,
** get_registered_name, get_registered_object, get_custom_objects (a live
** view), clear_custom_objects, register_module.
**
** The core holds keys and handles; the box's KSL_UV_GLOBAL table mirrors the
** global dict with the values themselves, which keeps them alive and lets
** the view answer without a round trip through handles.
*/
#include <string.h>
#include "ks_lua.h"
#include "ks_walk.h"

static void check_status(lua_State *L, ks_status st, const char *what) {
  if (st == KS_OK) return;
  if (st == KS_ENOMEM) luaL_error(L, "kserial: not enough memory");
  ksl_error(L, "%s: %s", what, ks_strerror(st));
}

static const char *check_part(lua_State *L, int idx, const char *what, size_t *len) {
  const char *s;
  if (lua_type(L, idx) != LUA_TSTRING)
    ksl_error(L, "register_serializable: %s must be a string, got %s", what,
              luaL_typename(L, idx));
  s = lua_tolstring(L, idx, len);
  if (ks_check_name(s, *len) != KS_OK)
    ksl_error(L, "register_serializable: %s '%s' must be non-empty and may not "
              "contain '>' or a NUL byte", what, ksl_shown(L, s, *len));
  return s;
}

/* mirror[key] = value at idx (nil removes) */
static void mirror_set(lua_State *L, const char *key, size_t len, int idx) {
  idx = lua_absindex(L, idx);
  ksl_push_uv(L, KSL_BOX, KSL_UV_GLOBAL);
  lua_pushlstring(L, key, len);
  lua_pushvalue(L, idx);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

/* The decorator returned by register_serializable: upvalues box, package,
** name (or nil). */
static int do_register(lua_State *L) {
  ks_engine *e = ksl_engine(L, KSL_BOX);
  size_t plen, nlen;
  const char *pkg = lua_tolstring(L, lua_upvalueindex(2), &plen);
  const char *name;
  int t = lua_type(L, 1);
  if (t != LUA_TTABLE && t != LUA_TFUNCTION)
    ksl_error(L, "register_serializable: can only register a class (table) or a "
              "function, got %s", luaL_typename(L, 1));
  if (t == LUA_TTABLE) {
    if (lua_getfield(L, 1, "get_config") == LUA_TNIL)
      ksl_error(L, "Cannot register a class that does not have a get_config() method.");
    lua_pop(L, 1);
  }
  if (!lua_isnil(L, lua_upvalueindex(3))) {
    lua_pushvalue(L, lua_upvalueindex(3));
  } else if (t == LUA_TTABLE) {
    lua_pushliteral(L, "__name");
    if (lua_rawget(L, 1) != LUA_TSTRING)
      ksl_error(L, "register_serializable: the class has no __name; pass a name");
  } else {
    ksl_error(L, "register_serializable: a function has no name; pass one: "
              "register_serializable(package, name)(fn)");
  }
  name = check_part(L, -1, "name", &nlen);
  lua_pushlstring(L, pkg, plen);
  lua_pushliteral(L, ">");
  lua_pushvalue(L, -3);
  lua_concat(L, 3);          /* the key, for the mirror */
  {
    size_t klen;
    const char *key = lua_tolstring(L, -1, &klen);
    check_status(L, ks_register(e, pkg, plen, name, nlen, ksl_handle(L, KSL_BOX, 1, 1)),
                 "register_serializable");
    mirror_set(L, key, klen, 1);
  }
  lua_settop(L, 1);
  return 1;
}

static int l_register_serializable(lua_State *L) {
  size_t len;
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 2);
    lua_pushliteral(L, "Custom");
    lua_replace(L, 1);
  }
  lua_settop(L, 2);
  check_part(L, 1, "package", &len);
  if (!lua_isnil(L, 2)) check_part(L, 2, "name", &len);
  lua_pushvalue(L, KSL_BOX);
  lua_insert(L, 1);
  lua_pushcclosure(L, do_register, 3);
  return 1;
}

static int l_get_registered_name(lua_State *L) {
  ks_engine *e = ksl_engine(L, KSL_BOX);
  ks_handle h = ksl_handle(L, KSL_BOX, 1, 0);
  size_t len;
  const char *key = h ? ks_registered_name(e, h, &len) : NULL;
  if (key != NULL) {
    lua_pushlstring(L, key, len);
  } else if (lua_type(L, 1) == LUA_TTABLE) {
    lua_pushliteral(L, "__name");
    if (lua_rawget(L, 1) != LUA_TSTRING) lua_pushnil(L);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

/* Optional dict argument at idx as a core map (owned by a userdata pushed on
** the stack), or NULL (nothing pushed) when absent. */
static ks_map *opt_map(lua_State *L, int idx, const char *what) {
  if (lua_isnoneornil(L, idx)) return NULL;
  if (lua_type(L, idx) != LUA_TTABLE)
    ksl_error(L, "%s must be a table, got %s", what, luaL_typename(L, idx));
  return ksl_map_from_table(L, KSL_BOX, idx, what);
}

static int l_get_registered_object(lua_State *L) {
  ks_engine *e = ksl_engine(L, KSL_BOX);
  size_t len;
  const char *name = ksj_checklstring(L, 1, &len);
  ks_map *custom;
  lua_settop(L, 3);   /* the maps' owners go above the three arguments */
  custom = opt_map(L, 2, "custom_objects");
  ks_map *modules = opt_map(L, 3, "module_objects");
  ks_handle h = ks_lookup(e, name, len, custom, modules, NULL);
  if (h == KS_NOHANDLE) lua_pushnil(L);
  else ksl_push_handle(L, KSL_BOX, h);
  return 1;
}

/* ---- the live view of the global dict ------------------------------------- */

static int view_index(lua_State *L) {
  ksl_push_uv(L, KSL_BOX, KSL_UV_GLOBAL);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static int view_newindex(lua_State *L) {
  ks_engine *e = ksl_engine(L, KSL_BOX);
  size_t len;
  const char *key;
  ks_status st;
  if (lua_type(L, 2) != LUA_TSTRING)
    ksl_error(L, "get_custom_objects(): keys must be strings, got %s",
              luaL_typename(L, 2));
  key = lua_tolstring(L, 2, &len);
  if (ks_check_key(key, len) != KS_OK)
    ksl_error(L, "get_custom_objects(): keys must be non-empty and hold no NUL "
              "byte, not '%s'", ksl_shown(L, key, len));
  if (!lua_isnil(L, 3)) ksl_check_object(L, 3, "get_custom_objects()", key, len);
  st = ks_custom_set(e, key, len,
                     lua_isnil(L, 3) ? KS_NOHANDLE : ksl_handle(L, KSL_BOX, 3, 1));
  check_status(L, st, "get_custom_objects()");
  mirror_set(L, key, len, 3);
  return 0;
}

static int view_next(lua_State *L) {
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

static int view_pairs(lua_State *L) {
  lua_pushvalue(L, lua_upvalueindex(2));
  ksl_push_uv(L, KSL_BOX, KSL_UV_GLOBAL);
  lua_pushnil(L);
  return 3;
}

static int view_tostring(lua_State *L) {
  lua_pushfstring(L, "kserial.custom_objects: %p", lua_topointer(L, 1));
  return 1;
}

static int l_get_custom_objects(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, "kserial.view") == LUA_TTABLE) return 1;
  lua_pop(L, 1);
  lua_newtable(L);                       /* the proxy: always empty */
  lua_createtable(L, 0, 6);
  lua_pushvalue(L, KSL_BOX);
  lua_pushcclosure(L, view_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushvalue(L, KSL_BOX);
  lua_pushcclosure(L, view_newindex, 1);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, KSL_BOX);
  lua_pushcfunction(L, view_next);
  lua_pushcclosure(L, view_pairs, 2);
  lua_setfield(L, -2, "__pairs");
  lua_pushcfunction(L, view_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushliteral(L, "kserial.custom_objects");
  lua_setfield(L, -2, "__name");
  lua_pushliteral(L, "kserial.custom_objects");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, "kserial.view");
  return 1;
}

static int l_clear_custom_objects(lua_State *L) {
  ks_custom_clear(ksl_engine(L, KSL_BOX));
  lua_newtable(L);
  lua_setiuservalue(L, KSL_BOX, KSL_UV_GLOBAL);
  return 0;
}

/* ---- registered modules ------------------------------------------------------ */

static int l_register_module(lua_State *L) {
  ks_engine *e = ksl_engine(L, KSL_BOX);
  size_t mlen;
  const char *module = ksj_checklstring(L, 1, &mlen);
  ks_map *members;
  ks_status st;
  ksj_checktype(L, 2, LUA_TTABLE);
  if (ks_check_key(module, mlen) != KS_OK)
    ksl_error(L, "register_module: the module name must be non-empty and hold no "
              "NUL byte, not '%s'", ksl_shown(L, module, mlen));
  lua_settop(L, 2);
  lua_newtable(L);                             /* 3: the snapshot */
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, 3);
    } else {
      lua_pop(L, 1);
    }
  }
  members = ksl_map_from_table(L, KSL_BOX, 3, "register_module");  /* 4: its owner */
  ksl_push_uv(L, KSL_BOX, KSL_UV_MODULES);
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 3);
  lua_rawset(L, -3);
  ksl_map_release(L, 4);
  st = ks_module_register(e, module, mlen, members);
  if (st != KS_OK) {
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    lua_rawset(L, -3);
    check_status(L, st, "register_module");
  }
  return 0;
}

/* ---- special values ------------------------------------------------------------------ */

static int l_register_special(lua_State *L) {
  size_t len;
  const char *name = ksj_checklstring(L, 1, &len);
  ksl_box *box = ksl_box_at(L, KSL_BOX);
  int has_encode = 0;
  if (memchr(name, '\0', len) != NULL)
    return ksl_error(L, "register_special: the name holds a NUL byte");
  /* a handler may only take over markers: "Dense" or "function" would
  ** take over every class or function reference of that name */
  if (!ks_is_marker_name(name, len))
    return ksl_error(L, "register_special: '%s' is not a marker name (__name__)",
                     ksl_shown(L, name, len));
  if (KSL_NAME_IS(name, len, "__lambda__") || KSL_NAME_IS(name, len, "__bytes__"))
    return ksl_error(L, "register_special: '%s' is built in and cannot be replaced", name);
  ksl_push_uv(L, KSL_BOX, KSL_UV_SPECIAL);
  lua_getfield(L, -1, name);
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "encode");
    if (lua_isfunction(L, -1)) box->nspecial_encode--;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (!lua_isnil(L, 2)) {
    ksj_checktype(L, 2, LUA_TTABLE);
    lua_createtable(L, 0, 2);
    lua_getfield(L, 2, "decode");
    if (!lua_isfunction(L, -1))
      return ksl_error(L, "register_special: the handler needs a decode function");
    lua_setfield(L, -2, "decode");
    lua_getfield(L, 2, "encode");
    if (!lua_isnil(L, -1) && !lua_isfunction(L, -1))
      return ksl_error(L, "register_special: encode must be a function");
    has_encode = lua_isfunction(L, -1);
    lua_setfield(L, -2, "encode");
  } else {
    lua_pushnil(L);
  }
  lua_setfield(L, -2, name);
  box->nspecial_encode += has_encode;
  return 0;
}

void ksl_open_registry(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"register_serializable", l_register_serializable},
    {"get_registered_name", l_get_registered_name},
    {"get_registered_object", l_get_registered_object},
    {"get_custom_objects", l_get_custom_objects},
    {"clear_custom_objects", l_clear_custom_objects},
    {"register_module", l_register_module},
    {"register_special", l_register_special},
    {NULL, NULL}
  };
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  luaL_setfuncs(L, fns, 1);
}
