/*
** envelope.c - the one reader from a Lua dict to the core's ks_envelope,
** and the one wording of the core's verdicts (src/core/envelope.c decides;
** deserialize raises these messages, scan reports them as reasons).
*/
#include <string.h>
#include "ks_json.h"
#include "ks_envelope.h"
#include "ks_base64.h"
#include "ks_walk.h"
#include "hook.h"

static const char *const VTYPE_NAMES[] = {
  "absent", "null", "boolean", "integer", "float", "string", "array", "dict",
  "object"
};

const char *ksl_vtype_name(ks_vtype t) {
  return (unsigned)t <= KS_V_OTHER ? VTYPE_NAMES[t] : "object";
}

/* The type of the value on top of the stack (which stays), whose Lua type
** is lt; a table by the walks' rule (ksl_table_kind): marked by the codec,
** or judged by its first key; any other metatable is a live object. */
KSL_HOT static ks_vtype vtype_of(lua_State *L, int lt, const ksl_box *b) {
  switch (lt) {
    case LUA_TNIL: return KS_V_ABSENT;
    case LUA_TBOOLEAN: return KS_V_BOOLEAN;
    case LUA_TNUMBER: return lua_isinteger(L, -1) ? KS_V_INTEGER : KS_V_FLOAT;
    case LUA_TSTRING: return KS_V_STRING;
    case LUA_TTABLE:
      switch (ksl_table_kind(L, -1, b)) {
        case KSL_TABLE_ARRAY: return KS_V_ARRAY;
        case KSL_TABLE_DICT: return KS_V_DICT;
        default: return KS_V_OTHER;
      }
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, -1) == NULL) return KS_V_NULL;   /* kserial.null */
      return KS_V_OTHER;
    default: return KS_V_OTHER;
  }
}

ks_vtype ksl_vtype_at(lua_State *L, int box, int idx) {
  ks_vtype t;
  box = lua_absindex(L, box);
  lua_pushvalue(L, idx);
  t = vtype_of(L, lua_type(L, -1), ksl_box_at(L, box));
  lua_pop(L, 1);
  return t;
}

/* register_special takes only marker names (ks_is_marker_name), so no
** other name is looked up. */
KSL_HOT static int has_special(lua_State *L, int box, const ks_env_field *cname) {
  int found;
  if (cname->type != KS_V_STRING || !ks_is_marker_name(cname->s, cname->len)) return 0;
  lua_getiuservalue(L, box, KSL_UV_SPECIAL);
  lua_pushlstring(L, cname->s, cname->len);
  found = lua_rawget(L, -2) == LUA_TTABLE;
  lua_pop(L, 2);
  return found;
}

/* Pushes env[key k] (the key string is a user value of the box) and reads
** it into env; an absent key leaves the field as memset made it
** (KS_V_ABSENT). The value stays on the stack (the caller keeps them or
** drops them all at once); a string's bytes are anchored by it. */
KSL_HOT static int read_field(lua_State *L, int box, int idx, ks_envelope *env, int k,
                      const ksl_box *b) {
  ks_env_field *f = &env->f[k];
  int lt;
  lua_getiuservalue(L, box, KSL_UV_ENV_KEYS + k);
  lt = lua_rawget(L, idx);
  if (lt == LUA_TNIL) return 0;
  f->type = vtype_of(L, lt, b);
  if (lt == LUA_TSTRING) f->s = lua_tolstring(L, -1, &f->len);
  return 1;
}

/* The order keys are read in (ksl_envelope_slot): class_name and config
** first, since a dict without both is plain whatever else it holds (the
** core's first rule), and the other keys are read only when both are
** there. */
static const ks_env_key READ_ORDER[KS_ENV_NKEYS] = {
  KS_ENV_CLASS_NAME, KS_ENV_CONFIG, KS_ENV_MODULE, KS_ENV_REGISTERED_NAME,
  KS_ENV_SHARED_OBJECT_ID, KS_ENV_BUILD_CONFIG, KS_ENV_COMPILE_CONFIG
};

KSL_HOT ks_env_kind ksl_envelope_read(lua_State *L, int box, int idx, ks_envelope *env,
                              ks_env_verdict *v, int keep) {
  const ksl_box *b;
  int i, whole = 0, top = lua_gettop(L);
  box = lua_absindex(L, box);
  idx = lua_absindex(L, idx);
  b = ksl_box_at(L, box);
  memset(env, 0, sizeof *env);
  luaL_checkstack(L, KS_ENV_NKEYS + 2, "kserial: nesting too deep");
  if (read_field(L, box, idx, env, KS_ENV_CLASS_NAME, b) &&
      read_field(L, box, idx, env, KS_ENV_CONFIG, b)) {
    for (i = 2; i < KS_ENV_NKEYS; i++)
      read_field(L, box, idx, env, READ_ORDER[i], b);
    env->special = has_special(L, box, &env->f[KS_ENV_CLASS_NAME]);
    whole = 1;
  }
  if (!(keep && whole)) lua_settop(L, top);
  ks_envelope_check(env, v);
  return v->kind;
}

int ksl_present(lua_State *L, int type) {
  if (type == LUA_TNIL || (type == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == NULL)) {
    lua_pop(L, 1);
    return 0;
  }
  return 1;
}

int ksl_field(lua_State *L, int t, const char *key) {
  t = lua_absindex(L, t);
  lua_pushstring(L, key);
  return ksl_present(L, lua_rawget(L, t));
}

/* ---- messages ----------------------------------------------------------------- */

/* The type name of env[key] as a message shows it (a live object by its
** __name). */
static const char *type_shown(lua_State *L, int idx, const ks_envelope *env,
                              ks_env_key k) {
  if (env->f[k].type != KS_V_OTHER) return ksl_vtype_name(env->f[k].type);
  lua_pushstring(L, ks_envelope_key(k));
  lua_rawget(L, idx);
  return ksj_typename(L, -1);   /* the value stays: its name may be its own */
}

static int key_type_message(lua_State *L, int idx, const ks_envelope *env,
                            const ks_env_verdict *v) {
  const ks_env_field *c = &env->f[KS_ENV_CLASS_NAME];
  const char *key = ks_envelope_key(v->key), *t = type_shown(L, idx, env, v->key);
  if (v->key == KS_ENV_CONFIG) {
    switch (v->kind) {
      case KS_ENV_FUNCTION:
        lua_pushfstring(L, "a function's config must be its name (a string), not %s", t);
        return 1;
      case KS_ENV_LAMBDA:
        lua_pushstring(L, "a lambda's config must be a dict");
        return 1;
      case KS_ENV_BYTES:
        lua_pushstring(L, "a __bytes__ config must be a dict");
        return 1;
      default:
        lua_pushfstring(L, "the envelope's \"config\" of '%s' must be a dict, not %s",
                        ksl_shown(L, c->s, c->len), t);
        return 0;
    }
  }
  if (v->key == KS_ENV_SHARED_OBJECT_ID)
    lua_pushfstring(L, "shared_object_id must be %s, not %s", v->want, t);
  else
    lua_pushfstring(L, "the envelope's \"%s\" must be %s, not %s", key, v->want, t);
  return 0;
}

int ksl_envelope_message(lua_State *L, int idx, const ks_envelope *env,
                         const ks_env_verdict *v, const char *modobjs_printable) {
  const ks_env_field *c = &env->f[KS_ENV_CLASS_NAME], *m = &env->f[KS_ENV_MODULE];
  const char *name;
  idx = lua_absindex(L, idx);
  switch (v->err) {
    case KS_ENV_EKEYTYPE:
      return key_type_message(L, idx, env, v);
    case KS_ENV_ENOTFOUND:
      name = ksl_shown(L, v->name, v->nlen);
      if (modobjs_printable != NULL)
        lua_pushfstring(L, "Unknown %s: '%s'. Please ensure you are using a "
                        "kserial.custom_object_scope and that this object is "
                        "included in the scope.", modobjs_printable, name);
      else
        lua_pushfstring(L, "Could not locate %s '%s'. Make sure custom classes "
                        "are registered with kserial.register_serializable().",
                        v->expect_class ? "class" : "function", name);
      return 0;
    case KS_ENV_EINCONSISTENT: {
      const char *r = ksl_shown(L, v->name, v->nlen), *mod = ksl_shown(L, m->s, m->len);
      lua_pushfstring(L, "inconsistent envelope: registered_name '%s' is not "
                      "registered, but module '%s' has a class '%s'; refusing to "
                      "guess", r, mod, ksl_shown(L, c->s, c->len));
      return 0;
    }
    default:
      lua_pushstring(L, "not an envelope");
      return 0;
  }
}

int ksl_envelope_value_ok(lua_State *L, int val, const ks_env_verdict *v) {
  const char *name, *t;
  val = lua_absindex(L, val);
  if (v->expect_class ? lua_type(L, val) == LUA_TTABLE
                      : (lua_type(L, val) == LUA_TFUNCTION ||
                         luaL_getmetafield(L, val, "__call") != LUA_TNIL)) {
    if (!v->expect_class && lua_type(L, val) != LUA_TFUNCTION) lua_pop(L, 1);
    return 1;
  }
  name = ksl_shown(L, v->name, v->nlen);
  t = ksj_typename(L, val);
  if (!v->expect_class)                     /* a callable object will do */
    lua_pushfstring(L, "'%s' names a %s, not a function", name, t);
  else if (lua_type(L, val) == LUA_TFUNCTION)
    lua_pushfstring(L, "'%s' names a function where a class was expected", name);
  else
    lua_pushfstring(L, "'%s' names a %s where a class was expected", name, t);
  return 0;
}

/* ---- __bytes__ ---------------------------------------------------------------- */

const char *ksl_bytes_value(lua_State *L, int cfg) {
  size_t len;
  const char *text;
  int top = lua_gettop(L);
  cfg = lua_absindex(L, cfg);
  if (!ksl_field(L, cfg, "value") || lua_type(L, -1) != LUA_TSTRING) {
    lua_settop(L, top);
    return "a __bytes__ \"value\" must be a string";
  }
  if (!ksl_field(L, cfg, "encoding")) return NULL;   /* Keras's form: the text */
  if (lua_type(L, -1) != LUA_TSTRING || strcmp(lua_tostring(L, -1), "base64") != 0) {
    lua_settop(L, top);
    return "unknown __bytes__ encoding (only \"base64\" is known)";
  }
  lua_pop(L, 1);
  text = lua_tolstring(L, -1, &len);
  if (!ksl_base64_decode(L, text, len)) {
    lua_settop(L, top);
    return "a __bytes__ \"value\" is not valid base64";
  }
  lua_replace(L, -2);
  return NULL;
}

/* ---- shared ids ------------------------------------------------------------- */

void ksl_shared_conflict_message(lua_State *L, lua_Integer id, const char *first,
                                 const char *shown) {
  lua_pushfstring(L, "shared_object_id %I belongs to a '%s' object, but this "
                  "envelope resolves to another class ('%s')", (LUAI_UACINT)id,
                  first, shown);
}
