/*
** fields.c - the fast path of declarative classes (lua/kserial/class.lua).
**
** class.lua compiles a class's fields into Lua tables and owns every rule
** and message. For speed it also hands the compiled list to compile(),
** which keeps what the common cases need in a userdata; fill() then walks
** the fields in C and accepts only what class.lua's checks accept without
** doubt. At the first field it cannot settle (a missing key, a value that
** may be wrong, a type whose check lives in Lua) it stops and says where,
** and class.lua goes on from there. So a value is never deserialized twice:
** when fill() stops on a value it has deserialized, it returns that value.
**
** These functions are not API: they reach class.lua only, as the second
** argument of the embedded chunks (see kserial.c, run_embedded).
*/
#include <string.h>
#include "ks_walk.h"
#include "ks_json.h"

#define FIELDS_MT "kserial.fields"

enum { K_OTHER, K_BOOLEAN, K_INTEGER, K_NUMBER, K_STRING, K_ARRAY, K_DICT, K_OBJECT,
       K_FUNCTION, K_ANY };

typedef struct cfield {
  unsigned char kind, optional, des, has_min, has_max, has_choices, has_class;
  unsigned char of_kind;       /* 0: no `of`; K_OTHER + 100: an `of` left to Lua */
  unsigned char of_optional;
} cfield;

typedef struct cfields {
  int n;
  cfield f[1];                 /* n of them (allocated with the userdata) */
} cfields;

/* The user value of the userdata: uv[i] the name of field i, and
** uv[n+i], uv[2n+i], uv[3n+i] its choices set (or class), min and max;
** uv[4n+1], uv[4n+2] the JSON array and object metatables. */
#define UV_NAME(n, i) (i)
#define UV_EXTRA(n, i) ((n) + (i))
#define UV_MIN(n, i) (2 * (n) + (i))
#define UV_MAX(n, i) (3 * (n) + (i))
#define UV_ARRAY_MT(n) (4 * (n) + 1)
#define UV_OBJECT_MT(n) (4 * (n) + 2)

#define OF_LUA 200

static int kind_of(const char *k) {
  static const char *const names[] = {"", "boolean", "integer", "number", "string", "array",
                                      "dict", "object", "function", "any"};
  int i;
  for (i = 1; i < (int)(sizeof names / sizeof names[0]); i++)
    if (strcmp(k, names[i]) == 0) return i;
  return K_OTHER;
}

/* Reads field t[key] (a boolean) of the table at idx. */
static int flag(lua_State *L, int idx, const char *key) {
  int r;
  lua_getfield(L, idx, key);
  r = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return r;
}

/* compile(list): list[i] is a compiled field of class.lua (name, kind,
** optional, des, min, max, choices, class, of, fast). */
static int l_compile(lua_State *L) {
  int n, i, uv;
  cfields *cf;
  luaL_checktype(L, 1, LUA_TTABLE);
  n = (int)luaL_len(L, 1);
  cf = (cfields *)lua_newuserdatauv(L, sizeof *cf + (size_t)(n > 0 ? n : 1) * sizeof(cfield), 1);
  memset(cf, 0, sizeof *cf + (size_t)(n > 0 ? n : 1) * sizeof(cfield));
  cf->n = n;
  luaL_setmetatable(L, FIELDS_MT);
  lua_createtable(L, 4 * n + 2, 0);
  uv = lua_gettop(L);
  for (i = 1; i <= n; i++) {
    cfield *f = &cf->f[i - 1];
    int fi;
    lua_rawgeti(L, 1, i);
    fi = lua_gettop(L);
    lua_getfield(L, fi, "kind");
    f->kind = (unsigned char)kind_of(luaL_checkstring(L, -1));
    lua_pop(L, 1);
    f->optional = (unsigned char)flag(L, fi, "optional");
    f->des = (unsigned char)flag(L, fi, "des");
    lua_getfield(L, fi, "name");
    lua_rawseti(L, uv, UV_NAME(n, i));
    if (lua_getfield(L, fi, "choices") != LUA_TNIL) {
      f->has_choices = 1;
      lua_rawseti(L, uv, UV_EXTRA(n, i));
    } else {
      lua_pop(L, 1);
      if (lua_getfield(L, fi, "class") != LUA_TNIL) {
        f->has_class = 1;
        lua_rawseti(L, uv, UV_EXTRA(n, i));
      } else {
        lua_pop(L, 1);
      }
    }
    if (lua_getfield(L, fi, "min") != LUA_TNIL) {
      f->has_min = 1;
      lua_rawseti(L, uv, UV_MIN(n, i));
    } else {
      lua_pop(L, 1);
    }
    if (lua_getfield(L, fi, "max") != LUA_TNIL) {
      f->has_max = 1;
      lua_rawseti(L, uv, UV_MAX(n, i));
    } else {
      lua_pop(L, 1);
    }
    if (lua_getfield(L, fi, "of") == LUA_TTABLE) {
      int of = lua_gettop(L);
      f->of_optional = (unsigned char)flag(L, of, "optional");
      if (lua_getfield(L, of, "fast") == LUA_TSTRING) f->of_kind = (unsigned char)kind_of(lua_tostring(L, -1));
      else f->of_kind = OF_LUA;
      lua_pop(L, 1);
    }
    lua_settop(L, fi - 1);
  }
  luaL_getmetatable(L, KSJ_ARRAY_MT);
  lua_rawseti(L, uv, UV_ARRAY_MT(n));
  luaL_getmetatable(L, KSJ_OBJECT_MT);
  lua_rawseti(L, uv, UV_OBJECT_MT(n));
  lua_setiuservalue(L, -2, 1);
  return 1;
}

/* The metatable of the value at v is the table at uv[slot]. */
static int has_mt(lua_State *L, int v, int uv, int slot) {
  int same;
  if (!lua_getmetatable(L, v)) return 0;
  lua_rawgeti(L, uv, slot);
  same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same;
}

/* lua_compare of the value at v with uv[slot]. */
static int compare(lua_State *L, int v, int uv, int slot, int op, int bound_first) {
  int r;
  lua_rawgeti(L, uv, slot);
  r = bound_first ? lua_compare(L, -1, v, op) : lua_compare(L, v, -1, op);
  lua_pop(L, 1);
  return r;
}

static int scalar_ok(lua_State *L, int kind, int v) {
  switch (kind) {
    case K_BOOLEAN: return lua_type(L, v) == LUA_TBOOLEAN;
    case K_INTEGER: return lua_isinteger(L, v);
    case K_NUMBER: return lua_type(L, v) == LUA_TNUMBER;
    case K_STRING: return lua_type(L, v) == LUA_TSTRING;
    default: return 0;
  }
}

/* 1 when the value at v certainly passes field i's check. */
static int value_ok(lua_State *L, const cfield *f, int n, int i, int v, int uv) {
  switch (f->kind) {
    case K_BOOLEAN: case K_INTEGER: case K_NUMBER: case K_STRING:
      if (!scalar_ok(L, f->kind, v)) return 0;
      if (f->has_min && !compare(L, v, uv, UV_MIN(n, i), LUA_OPLE, 1)) return 0;
      if (f->has_max && !compare(L, v, uv, UV_MAX(n, i), LUA_OPLE, 0)) return 0;
      if (f->has_choices) {
        int in;
        lua_rawgeti(L, uv, UV_EXTRA(n, i));
        lua_pushvalue(L, v);
        in = lua_rawget(L, -2) == LUA_TBOOLEAN && lua_toboolean(L, -1);
        lua_pop(L, 2);
        if (!in) return 0;
      }
      return 1;
    case K_ANY:
      return 1;
    case K_FUNCTION:
      return lua_type(L, v) == LUA_TFUNCTION;
    case K_OBJECT: {                 /* a table of the exact class, with get_config */
      int ok;
      if (!f->has_class || lua_type(L, v) != LUA_TTABLE || !lua_getmetatable(L, v)) return 0;
      lua_rawgeti(L, uv, UV_EXTRA(n, i));
      ok = lua_rawequal(L, -1, -2) && lua_getfield(L, v, "get_config") != LUA_TNIL;
      lua_settop(L, v);
      return ok;
    }
    case K_DICT:
      return f->of_kind == 0 && has_mt(L, v, uv, UV_OBJECT_MT(n));
    case K_ARRAY: {
      lua_Integer j, len;
      if (!has_mt(L, v, uv, UV_ARRAY_MT(n))) return 0;
      if (f->of_kind == 0) return 1;
      if (f->of_kind == OF_LUA) return 0;
      len = (lua_Integer)lua_rawlen(L, v);
      for (j = 1; j <= len; j++) {
        int ok;
        lua_rawgeti(L, v, j);
        ok = scalar_ok(L, f->of_kind, lua_gettop(L)) ||
             (f->of_optional && ksj_isnull(L, -1));
        lua_pop(L, 1);
        if (!ok) return 0;
      }
      return 1;
    }
    default:
      return 0;
  }
}

/* fill(fields, obj, src, des) -> stop, present [, deserialized, value]. Sets obj's
** fields from src from the first one on, as long as each certainly passes.
** stop is 0 when every field is set and src has no other key (but
** "__version__" when des); else the index of the first field class.lua must
** handle (n + 1: the keys that are not fields), with the number of fields
** found in src before it, and (when deserialized is true) the value of
** field `stop` that fill() deserialized. */
static int l_fill(lua_State *L) {
  cfields *cf = (cfields *)luaL_checkudata(L, 1, FIELDS_MT);
  int des = lua_toboolean(L, 4);
  int n = cf->n, i, uv, present = 0, total = 0;
  int running = ksl_box_at(L, KSL_BOX)->des != NULL;
  luaL_checktype(L, 2, LUA_TTABLE);
  luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 4);
  lua_getiuservalue(L, 1, 1);
  uv = 5;
  for (i = 1; i <= n; i++) {
    const cfield *f = &cf->f[i - 1];
    int v, deserialized = 0;
    lua_rawgeti(L, uv, UV_NAME(n, i));               /* 6: the name */
    lua_pushvalue(L, 6);
    if (lua_gettable(L, 3) == LUA_TNIL) {            /* 7: the value */
      lua_pushinteger(L, i);
      lua_pushinteger(L, present);
      return 2;
    }
    v = 7;
    if (ksj_isnull(L, v)) {
      if (!f->optional) break;
      present++;
      lua_settop(L, uv);
      continue;                                      /* obj is new: nil already */
    }
    if (des && f->des) {
      if (!running) break;                           /* class.lua calls deserialize */
      ksl_deserialize_value(L, KSL_BOX, v, 0);                /* nested: raises on error */
      v = lua_gettop(L);
      deserialized = 1;
    }
    if (!value_ok(L, f, n, i, v, uv)) {
      lua_pushinteger(L, i);
      lua_pushinteger(L, present);
      lua_pushboolean(L, deserialized);
      lua_pushvalue(L, v);
      return 4;
    }
    lua_pushvalue(L, 6);
    lua_pushvalue(L, v);
    lua_settable(L, 2);
    present++;
    lua_settop(L, uv);
  }
  if (i <= n) {                                      /* stopped before deserializing */
    lua_pushinteger(L, i);
    lua_pushinteger(L, present);
    return 2;
  }
  lua_settop(L, uv);
  lua_pushnil(L);
  while (lua_next(L, 3)) {
    total++;
    lua_pop(L, 1);
  }
  if (des) {
    lua_pushliteral(L, "__version__");
    if (lua_rawget(L, 3) != LUA_TNIL) present++;
    lua_pop(L, 1);
  }
  lua_pushinteger(L, total == present ? 0 : n + 1);
  lua_pushinteger(L, present);
  return 2;
}

/* Inheritance depth followed when looking for a class, as class.lua does. */
#define MAX_BASES 64

/* 1 when the value at 1 is an instance of the class at cls: its metatable
** is cls or inherits from it through the __index of the metatables. */
static int instance_of(lua_State *L, int cls) {
  int top = lua_gettop(L), depth, ok = 0;
  if (lua_getmetatable(L, 1)) {                     /* top + 1: the class tried */
    for (depth = 0; depth < MAX_BASES; depth++) {
      int t;
      if (lua_rawequal(L, top + 1, cls)) {
        ok = 1;
        break;
      }
      if (!lua_getmetatable(L, top + 1)) break;
      lua_pushliteral(L, "__index");
      t = lua_rawget(L, top + 2);
      lua_replace(L, top + 1);                      /* the base replaces it */
      lua_settop(L, top + 1);                       /* the stack does not grow */
      if (t != LUA_TTABLE) break;
    }
  }
  lua_settop(L, top);
  return ok;
}

/* The generated get_config: upvalues 1 the compiled fields, 2 the version to
** store (or nil), 3 the weak table instance -> names of its kept extra keys,
** 4 the class, 5 class.lua's function that raises when self is not an
** instance of the class or lacks a required field. Every field's value (an
** optional one without a value as null), then "__version__", then the kept
** keys. */
static int l_get_config(lua_State *L) {
  const cfields *cf = (const cfields *)lua_touserdata(L, lua_upvalueindex(1));
  int n = cf->n, i, uv, has_version = !lua_isnil(L, lua_upvalueindex(2));
  lua_settop(L, 1);
  if (!instance_of(L, lua_upvalueindex(4))) {
    lua_pushvalue(L, lua_upvalueindex(5));
    lua_pushvalue(L, lua_upvalueindex(4));
    lua_pushvalue(L, 1);
    lua_call(L, 2, 0);                                /* raises */
    return 0;
  }
  lua_getiuservalue(L, lua_upvalueindex(1), 1);
  uv = 2;
  lua_createtable(L, 0, n + has_version);             /* 3: the config */
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, uv, UV_NAME(n, i));
    lua_pushvalue(L, -1);
    if (lua_gettable(L, 1) == LUA_TNIL) {
      if (!cf->f[i - 1].optional) {                 /* required: a file could not load */
        lua_pushvalue(L, lua_upvalueindex(5));
        lua_pushvalue(L, lua_upvalueindex(4));
        lua_pushvalue(L, 1);
        lua_rawgeti(L, uv, UV_NAME(n, i));
        lua_call(L, 3, 0);                            /* raises */
        return 0;
      }
      lua_pop(L, 1);
      ksj_pushnull(L);
    }
    lua_rawset(L, 3);
  }
  if (has_version) {
    lua_pushliteral(L, "__version__");
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_rawset(L, 3);
  }
  lua_pushvalue(L, 1);
  if (lua_rawget(L, lua_upvalueindex(3)) == LUA_TTABLE) {
    lua_Integer j, len = (lua_Integer)lua_rawlen(L, -1);
    for (j = 1; j <= len; j++) {
      lua_rawgeti(L, 4, j);
      lua_pushvalue(L, -1);
      lua_gettable(L, 1);
      lua_rawset(L, 3);
    }
  }
  lua_settop(L, 3);
  return 1;
}

/* make_get_config(fields, version or nil, extras, class, error) -> the
** get_config method. */
static int l_make_get_config(lua_State *L) {
  luaL_checkudata(L, 1, FIELDS_MT);
  luaL_checktype(L, 3, LUA_TTABLE);
  luaL_checktype(L, 4, LUA_TTABLE);
  luaL_checktype(L, 5, LUA_TFUNCTION);
  lua_settop(L, 5);
  lua_pushcclosure(L, l_get_config, 5);
  return 1;
}

/* note_config(config, copy) -> true when `config` is the config of the
** from_config() the running deserialize call is in, which from now on is
** `copy` for the call's messages (values of nested calls are located in it,
** and kserial.config_error accepts it); false (nothing done) otherwise. */
static int l_note_config(lua_State *L) {
  const ksl_path *at;
  int ctx, noted = 0;
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  at = ksl_running_from_config(L, KSL_BOX);
  if (at != NULL) {
    ksl_push_uv(L, KSL_BOX, KSL_UV_DESCTX);
    ctx = lua_gettop(L);
    if (lua_type(L, ctx) == LUA_TUSERDATA && ksl_path_is_config(L, ctx, at, 1)) {
      ksl_path_note(L, ctx, at, 2);
      noted = 1;
    }
  }
  lua_pushboolean(L, noted);
  return 1;
}

/* passing(err) -> true when err is the error a running kserial call raised
** last: it already says what and where, and goes up unchanged. */
static int l_passing(lua_State *L) {
  lua_settop(L, 1);
  lua_pushboolean(L, ksl_running_call_error(L, KSL_BOX));
  return 1;
}

/* resolve_function(name): what a function envelope naming `name` resolves
** to, by the core's rule for function envelopes (ks_envelope_resolve: the
** lookup, then the only registered key ending in ">name" for a bare name),
** so a `function` field takes a bare name exactly as its envelope form; nil
** when it resolves nowhere. Upvalue 1: the engine box. */
static int l_resolve_function(lua_State *L) {
  ks_envelope env;
  ks_env_verdict v;
  size_t len;
  const char *name = ksj_checklstring(L, 1, &len);
  memset(&env, 0, sizeof env);
  env.f[KS_ENV_CLASS_NAME].type = KS_V_STRING;
  env.f[KS_ENV_CLASS_NAME].s = "function";
  env.f[KS_ENV_CLASS_NAME].len = 8;
  env.f[KS_ENV_CONFIG].type = KS_V_STRING;
  env.f[KS_ENV_CONFIG].s = name;
  env.f[KS_ENV_CONFIG].len = len;
  if (ks_envelope_check(&env, &v) != KS_ENV_OK ||
      ks_envelope_resolve(ksl_engine(L, KSL_BOX), &env, NULL, NULL, &v) != KS_ENV_OK ||
      v.h == KS_NOHANDLE)
    lua_pushnil(L);
  else
    ksl_push_handle(L, KSL_BOX, v.h);
  return 1;
}

/* The internals that need the engine: its box is their upvalue. */
static const luaL_Reg WITH_ENGINE[] = {
  {"fill_fields", l_fill}, {"note_config", l_note_config}, {"passing", l_passing},
  {"resolve_function", l_resolve_function}, {NULL, NULL}
};

void ksl_push_fields_internals(lua_State *L) {
  if (luaL_newmetatable(L, FIELDS_MT)) {
    lua_pushliteral(L, "kserial.fields");
    lua_setfield(L, -2, "__name");
  }
  lua_pop(L, 1);
  lua_createtable(L, 0, 6);
  lua_pushcfunction(L, l_make_get_config);
  lua_setfield(L, -2, "make_get_config");
  lua_pushcfunction(L, l_compile);
  lua_setfield(L, -2, "compile_fields");
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);   /* their upvalue: the box */
  luaL_setfuncs(L, WITH_ENGINE, 1);
}
