/*
** deserialize.c - kserial.deserialize: a config tree back to live objects.
**
** A top-level call owns a des_call (in the C frame of its entry point) and a
** per-call table of shared objects (box user value KSL_UV_DESCTX). A
** deserialize made by a from_config() joins the running call: shared ids
** span the whole tree, and the safe-mode scope pushed around every
** from_config() keeps a nested call from lifting safe mode.
*/
#include <stdarg.h>
#include <string.h>
#include "ks_json.h"
#include "ks_walk.h"
#include "ks_envelope.h"

typedef struct des_call {
  const ksl_path *at;     /* the object whose from_config() is running */
  int objdepth;
} des_call;

typedef struct dwalker {
  lua_State *L;
  ksl_box *box;
  ks_engine *e;
  des_call *call;
  int shared;             /* stack index: id -> instance */
  int arr_mt, obj_mt, marker_mt;
  int custom_idx;         /* stack index of opts.custom_objects, or 0 */
  const ks_map *custom;   /* opts.custom_objects as a core map, or NULL */
  const ks_map *modobjs;  /* opts.module_objects, or NULL */
  const char *printable;  /* opts.printable_module_name */
  int safe;               /* the effective safe mode of this call */
  int max_depth;
  int orders;             /* stack index of the recorded key orders, or 0 */
} dwalker;

static void des_value(dwalker *w, int idx, const ksl_path *p, int depth, int root);

static int fail(dwalker *w, const ksl_path *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lua_pushvfstring(w->L, fmt, ap);
  va_end(ap);
  return ksl_path_error(w->L, p, "from_config()", w->shared);
}

static const char *const SAFE_MODE_MSG =
  "Requested the deserialization of a lambda object. This carries a potential "
  "risk of arbitrary code execution and thus it is disallowed by default. If "
  "you trust the source of the data, pass safe_mode = false or call "
  "kserial.enable_unsafe_deserialization().";

/* ---- lookup ------------------------------------------------------------------ */

/* Pushes what `name` resolves to through the lookup (scopes, registry,
** custom_objects, module_objects); returns 0 (nothing pushed) if nothing. */
static int lookup(dwalker *w, const char *name, size_t len) {
  ks_handle h = ks_lookup(w->e, name, len, w->custom, w->modobjs, NULL);
  if (h == KS_NOHANDLE) return 0;
  ksl_push_handle(w->L, h);
  if (lua_isnil(w->L, -1)) {
    lua_pop(w->L, 1);
    return 0;
  }
  return 1;
}

/* Raises the message of a failed envelope verdict, at the envelope or at
** its config. */
static int envelope_fail(dwalker *w, int env, const ks_envelope *ev,
                         const ks_env_verdict *v, const ksl_path *p) {
  ksl_path cfg = {p, "config", 6, 0, NULL, NULL, 0};
  const char *printable = w->modobjs != NULL ? w->printable : NULL;
  int at_config = ksl_envelope_message(w->L, env, ev, v, printable);
  return ksl_path_error(w->L, at_config ? &cfg : p, "from_config()", w->shared);
}

/* A string that resolves nowhere while module_objects were given. */
static int not_found(dwalker *w, const ksl_path *p, const char *name, size_t len) {
  ks_envelope ev;
  ks_env_verdict v;
  memset(&ev, 0, sizeof ev);
  memset(&v, 0, sizeof v);
  v.err = KS_ENV_ENOTFOUND;
  v.name = name;
  v.nlen = len;
  return envelope_fail(w, 0, &ev, &v, p);
}

/* ---- envelope fields -------------------------------------------------------------- */

/* Pushes env[key]; nil and kserial.null both count as absent (returns 0,
** nothing pushed). */
static int field(lua_State *L, int env, const char *key) {
  env = lua_absindex(L, env);
  lua_pushstring(L, key);
  if (lua_rawget(L, env) == LUA_TNIL ||
      (lua_type(L, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == NULL)) {
    lua_pop(L, 1);
    return 0;
  }
  return 1;
}

/* What a table is: 1 an array, 2 a dict, 3 an object or special value
** (another metatable). Unmarked tables are judged by their first key. */
static int table_kind(dwalker *w, int idx) {
  lua_State *L = w->L;
  int k;
  if (lua_getmetatable(L, idx)) {
    k = lua_rawequal(L, -1, w->arr_mt) ? 1 : lua_rawequal(L, -1, w->obj_mt) ? 2 : 3;
    lua_pop(L, 1);
    return k;
  }
  lua_pushnil(L);
  if (!lua_next(L, idx)) return 2;
  k = lua_type(L, -2) == LUA_TSTRING ? 2 : 1;
  lua_pop(L, 2);
  return k;
}

/* ---- containers ------------------------------------------------------------------ */

static void des_array(dwalker *w, int idx, const ksl_path *p, int depth) {
  lua_State *L = w->L;
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx), i, count = 0;
  ksl_path child = {p, NULL, 0, 0, NULL, NULL, 0};
  luaL_checkstack(L, 8, "kserial: nesting too deep");
  lua_createtable(L, (int)n, 0);
  lua_pushnil(L);
  while (lua_next(L, idx)) {   /* checks the keys, in any order */
    if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 || lua_tointeger(L, -2) > n)
      fail(w, p, "an array must have exactly the keys 1..%I", n);
    count++;
    lua_pop(L, 1);
  }
  if (count != n) fail(w, p, "an array must have exactly the keys 1..%I; it has holes", n);
  for (i = 1; i <= n; i++) {
    child.index = i - 1;
    lua_rawgeti(L, idx, i);
    des_value(w, -1, &child, depth + 1, 0);
    lua_rawseti(L, -3, i);
    lua_pop(L, 1);
  }
  lua_pushvalue(L, w->arr_mt);
  lua_setmetatable(L, -2);
}

static void des_dict(dwalker *w, int idx, const ksl_path *p, int depth) {
  lua_State *L = w->L;
  ksl_path child = {p, NULL, 0, 0, NULL, NULL, 0};
  luaL_checkstack(L, 8, "kserial: nesting too deep");
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      fail(w, p, "a dict must have only string keys, found a %s key",
           luaL_typename(L, -2));
    child.key = lua_tolstring(L, -2, &child.klen);
    des_value(w, -1, &child, depth + 1, 0);
    lua_pushvalue(L, -3);
    lua_insert(L, -2);
    lua_rawset(L, -5);
    lua_pop(L, 1);
  }
  lua_pushvalue(L, w->obj_mt);
  lua_setmetatable(L, -2);
  ksj_copy_order(L, w->orders, idx, -1);
}

/* ---- special values -------------------------------------------------------------- */

static void des_lambda(dwalker *w, int env, const ksl_path *p) {
  lua_State *L = w->L;
  ksl_path cfg = {p, "config", 6, 0, NULL, NULL, 0};
  size_t len;
  const char *text;
  if (w->safe) fail(w, p, "%s", SAFE_MODE_MSG);
  lua_getfield(L, env, "config");
  if (lua_type(L, -1) != LUA_TTABLE) fail(w, &cfg, "a lambda's config must be a dict");
  if (field(L, -1, "code"))
    fail(w, &cfg, "this lambda holds Python bytecode (Keras); only Lua 5.4 "
         "lambdas (format \"lua54-bytecode\") can be loaded");
  if (!field(L, -1, "format") || lua_type(L, -1) != LUA_TSTRING ||
      strcmp(lua_tostring(L, -1), "lua54-bytecode") != 0)
    fail(w, &cfg, "a lambda must have \"format\": \"lua54-bytecode\"");
  lua_pop(L, 1);
  if (!field(L, -1, "value") || lua_type(L, -1) != LUA_TSTRING)
    fail(w, &cfg, "a lambda's \"value\" must be a base64 string");
  text = lua_tolstring(L, -1, &len);
  if (!ksl_base64_decode(L, text, len))
    fail(w, &cfg, "a lambda's \"value\" is not valid base64");
  text = lua_tolstring(L, -1, &len);
  if (len < 5 || memcmp(text, LUA_SIGNATURE, 4) != 0 || (unsigned char)text[4] != 0x54)
    fail(w, &cfg, "a lambda's bytecode is not a Lua 5.4 binary chunk");
  if (luaL_loadbufferx(L, text, len, "=(lambda)", "b") != LUA_OK)
    fail(w, &cfg, "malformed lambda bytecode: %s", lua_tostring(L, -1));
  /* kserial writes only functions whose sole upvalue is _ENV; any other
  ** upvalue would be nil, so such a chunk did not come from kserial */
  if (lua_getupvalue(L, -1, 2) != NULL)
    fail(w, &cfg, "a lambda may have no upvalue other than _ENV");
  lua_replace(L, -4);
  lua_pop(L, 2);
}

static void des_bytes(dwalker *w, int env, const ksl_path *p) {
  lua_State *L = w->L;
  ksl_path cfg = {p, "config", 6, 0, NULL, NULL, 0};
  size_t len;
  const char *text;
  lua_getfield(L, env, "config");          /* a dict: the core checked */
  if (!field(L, -1, "value") || lua_type(L, -1) != LUA_TSTRING)
    fail(w, &cfg, "a __bytes__ \"value\" must be a string");
  if (!field(L, -2, "encoding")) {          /* Keras's own form: the text itself */
    lua_replace(L, -2);
    return;
  }
  if (lua_type(L, -1) != LUA_TSTRING || strcmp(lua_tostring(L, -1), "base64") != 0)
    fail(w, &cfg, "unknown __bytes__ encoding (only \"base64\" is known)");
  lua_pop(L, 1);
  text = lua_tolstring(L, -1, &len);
  if (!ksl_base64_decode(L, text, len))
    fail(w, &cfg, "a __bytes__ \"value\" is not valid base64");
  lua_replace(L, -3);
  lua_pop(L, 1);
}

/* A Keras marker kept whole: a shallow copy of the envelope with the marker
** metatable, which serializes back to the same envelope. */
static void des_marker(dwalker *w, int env) {
  lua_State *L = w->L;
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, env)) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
  lua_pushvalue(L, w->marker_mt);
  lua_setmetatable(L, -2);
  ksj_copy_order(L, w->orders, env, -1);
}

/* A handler registered with register_special: decode(config). */
static int des_special(dwalker *w, int env, const char *name, size_t len,
                       const ksl_path *p) {
  lua_State *L = w->L;
  ksl_push_uv(L, KSL_UV_SPECIAL);
  lua_pushlstring(L, name, len);
  if (lua_rawget(L, -2) != LUA_TTABLE) {
    lua_pop(L, 2);
    return 0;
  }
  lua_getfield(L, -1, "decode");
  lua_getfield(L, env, "config");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    if (lua_type(L, -1) != LUA_TSTRING) lua_error(L);
    fail(w, p, "the decode function of special '%s' raised an error: %s", name,
         lua_tostring(L, -1));
  }
  lua_replace(L, -3);
  lua_pop(L, 1);
  return 1;
}

/* ---- functions and classes -------------------------------------------------------- */

/* Pushes what the core resolved the envelope to, checked by the rules of
** envelope.c (a class, or a function); nil (a collected value) counts as
** not found. */
static void push_named(dwalker *w, int env, const ks_envelope *ev,
                       ks_env_verdict *v, const ksl_path *p) {
  if (ks_envelope_resolve(w->e, ev, w->custom, w->modobjs, v) != KS_ENV_OK)
    envelope_fail(w, env, ev, v, p);
  ksl_push_handle(w->L, v->h);
  if (lua_isnil(w->L, -1)) {
    v->err = KS_ENV_ENOTFOUND;
    envelope_fail(w, env, ev, v, p);
  }
  if (!ksl_envelope_value_ok(w->L, -1, v))
    ksl_path_error(w->L, p, "from_config()", w->shared);
}

static void des_function(dwalker *w, int env, const ks_envelope *ev,
                         ks_env_verdict *v, const ksl_path *p) {
  push_named(w, env, ev, v, p);
}

/* Finds the class of an envelope and pushes it. */
static void find_class(dwalker *w, int env, const ks_envelope *ev,
                       ks_env_verdict *v, const ksl_path *p) {
  push_named(w, env, ev, v, p);
}

/* Opens the scopes a from_config() runs in; returns the outermost token. */
static ks_token open_scopes(dwalker *w, ks_token *inner) {
  lua_State *L = w->L;
  ks_token first = 0;
  if (w->custom != NULL) {
    ks_map *m = ksl_map_from_table(L, w->custom_idx, "custom_objects");
    m = ksl_map_release(L, -1);
    lua_pop(L, 1);
    if (ks_scope_push_objects(w->e, m, &first) != KS_OK)
      luaL_error(L, "kserial: not enough memory");
  }
  if (ks_scope_push_safe_mode(w->e, w->safe, inner) != KS_OK) {
    if (first) ks_scope_unwind(w->e, first);
    luaL_error(L, "kserial: not enough memory");
  }
  return first ? first : *inner;
}

/* Pushes obj[name] when obj can be indexed and has it; else returns 0. */
static int get_method(lua_State *L, int obj, const char *name) {
  if (lua_type(L, obj) != LUA_TTABLE) {
    if (luaL_getmetafield(L, obj, "__index") == LUA_TNIL) return 0;
    lua_pop(L, 1);
  }
  if (lua_getfield(L, obj, name) == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  return 1;
}

/* Protected: class, config, build_config, compile_config, where. Calls
** Class:from_config(config), then the build and compile hooks the instance
** has when their configs are present; *where names the step that runs. */
static int run_from_config(lua_State *L) {
  static const char *const hooks[] = {"build_from_config", "compile_from_config"};
  const char **where = (const char **)lua_touserdata(L, 5);
  int i;
  *where = "from_config";
  lua_getfield(L, 1, "from_config");
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1);                       /* 6: the instance */
  if (lua_isnil(L, 6)) return 1;
  for (i = 0; i < 2; i++) {
    if (lua_isnil(L, 3 + i)) continue;
    *where = hooks[i];
    if (!get_method(L, 6, hooks[i])) continue;
    lua_pushvalue(L, 6);
    lua_pushvalue(L, 3 + i);
    lua_call(L, 2, 0);
  }
  lua_settop(L, 6);
  return 1;
}

/* Pushes env[key], with kserial.null as nil. */
static void push_field(lua_State *L, int env, const char *key) {
  if (!field(L, env, key)) lua_pushnil(L);
}

/* Runs from_config and the hooks inside the custom-object and safe-mode
** scopes, which are closed on every exit; pushes the instance. */
static void build_instance(dwalker *w, int env, int cls, const char *cname,
                           const ksl_path *node) {
  lua_State *L = w->L;
  const char *where = "from_config";
  const ksl_path *saved = w->call->at;
  ks_token inner = 0, first;
  int st, leaked;
  lua_getfield(L, cls, "from_config");
  if (lua_type(L, -1) != LUA_TFUNCTION)
    fail(w, node, "Unable to reconstruct an instance of '%s' because the class "
         "is missing a from_config() method.", cname);
  lua_pop(L, 1);
  lua_pushcfunction(L, run_from_config);
  lua_pushvalue(L, cls);
  if (!field(L, env, "config")) {          /* null counts as {} */
    lua_newtable(L);
    lua_pushvalue(L, w->obj_mt);
    lua_setmetatable(L, -2);
  }
  ksl_path_note(L, w->shared, node, KSL_NOTE_CONFIG, -1);  /* for messages */
  push_field(L, env, "build_config");
  push_field(L, env, "compile_config");
  lua_pushlightuserdata(L, (void *)&where);
  first = open_scopes(w, &inner);
  w->call->at = node;
  w->call->objdepth++;
  st = lua_pcall(L, 5, 1, 0);
  w->call->objdepth--;
  w->call->at = saved;
  ksl_path_note(L, w->shared, node, KSL_NOTE_CONFIG, 0);
  ksl_path_note(L, w->shared, node, KSL_NOTE_ARG, 0);
  leaked = ks_scope_top(w->e) != inner;
  ks_scope_unwind(w->e, first);
  if (st != LUA_OK) {
    if (lua_type(L, -1) != LUA_TSTRING) lua_error(L);   /* keep error objects */
    if (ksl_path_passing(L, w->shared)) lua_error(L);   /* a nested call's, whole */
    lua_pushfstring(L, "%s() of '%s' raised an error: %s", where, cname,
                    lua_tostring(L, -1));
    ksl_path_error(L, node, "from_config()", w->shared);
  }
  if (lua_isnil(L, -1)) fail(w, node, "from_config() of '%s' returned nil", cname);
  if (leaked)
    fail(w, node, "%s() of '%s' left a scope open; close scopes with <close> "
         "or :close()", where, cname);
}

/* Marks a shared id whose object is being built: meeting the id again
** before the build ends means the envelope is nested inside itself. */
static const char BUILDING = 0;

/* The class name recorded for shared ids: a table in the shared table
** under a string key (ids are integers, so the two never meet). */
static int shared_names(lua_State *L, int shared) {
  if (lua_getfield(L, shared, "classes") != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, shared, "classes");
  }
  return lua_gettop(L);
}

/* An id met again: pushes the instance built for it, after checking that
** this envelope names the same class. Returns 0 when the id is new. */
static int shared_hit(dwalker *w, lua_Integer id, const char *cname, size_t clen,
                      const ksl_path *p) {
  lua_State *L = w->L;
  int names;
  size_t flen;
  const char *first;
  if (lua_rawgeti(L, w->shared, id) == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (lua_touserdata(L, -1) == (void *)&BUILDING)
    fail(w, p, "shared_object_id %I is used inside its own object's config "
         "(the object is still being built)", id);
  names = shared_names(L, w->shared);
  lua_rawgeti(L, names, id);
  first = lua_tolstring(L, -1, &flen);
  if (first != NULL && (flen != clen || memcmp(first, cname, clen) != 0)) {
    const char *f = ksl_shown(L, first, flen);
    fail(w, p, "shared_object_id %I belongs to a '%s' object, but this envelope names class '%s'",
         id, f, ksl_shown(L, cname, clen));
  }
  lua_pop(L, 2);
  return 1;
}

/* A dict judged an envelope by the core (ksl_envelope_read gave ev, v). */
static void des_envelope(dwalker *w, int env, ks_envelope *ev, ks_env_verdict *v,
                         const ksl_path *p) {
  lua_State *L = w->L;
  size_t clen = ev->f[KS_ENV_CLASS_NAME].len;
  const char *cname = ev->f[KS_ENV_CLASS_NAME].s, *shown;
  lua_Integer id = 0;
  int has_id = 0, cls, base;
  ksl_path node = *p;
  if (v->err != KS_ENV_OK) envelope_fail(w, env, ev, v, p);
  switch (v->kind) {
    case KS_ENV_SPECIAL: des_special(w, env, cname, clen, p); return;
    case KS_ENV_LAMBDA: des_lambda(w, env, p); return;
    case KS_ENV_BYTES: des_bytes(w, env, p); return;
    case KS_ENV_MARKER: des_marker(w, env); return;
    case KS_ENV_FUNCTION: des_function(w, env, ev, v, p); return;
    default: break;
  }
  if (field(L, env, "shared_object_id")) {
    id = lua_tointeger(L, -1);
    has_id = 1;
    lua_pop(L, 1);
    if (shared_hit(w, id, cname, clen, p)) return;
  }
  base = lua_gettop(L);
  shown = ksl_shown(L, cname, clen);       /* may push an escaped copy */
  if (w->call->objdepth >= KSL_MAX_OBJECT_NESTING)
    fail(w, p, "objects nested deeper than %d", KSL_MAX_OBJECT_NESTING);
  find_class(w, env, ev, v, p);
  cls = lua_gettop(L);
  node.obj = lua_topointer(L, env);
  node.cls = shown;
  if (has_id) {
    lua_pushlightuserdata(L, (void *)&BUILDING);
    lua_rawseti(L, w->shared, id);
  }
  build_instance(w, env, cls, shown, &node);
  lua_remove(L, cls);
  if (has_id) {
    int names = shared_names(L, w->shared);
    lua_pushlstring(L, cname, clen);
    lua_rawseti(L, names, id);
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, w->shared, id);
  }
  if (lua_gettop(L) > base + 1) lua_remove(L, base + 1);   /* the shown copy */
}

/* ---- the dispatcher -------------------------------------------------------------- */

static int is_null(lua_State *L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == NULL;
}

static void des_value(dwalker *w, int idx, const ksl_path *p, int depth, int root) {
  lua_State *L = w->L;
  idx = lua_absindex(L, idx);
  if (depth > w->max_depth) fail(w, p, "nesting deeper than %d", w->max_depth);
  switch (lua_type(L, idx)) {
    case LUA_TNIL: case LUA_TBOOLEAN: case LUA_TNUMBER:
      lua_pushvalue(L, idx);
      return;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, idx) == NULL) {
        if (root) lua_pushnil(L);
        else lua_pushvalue(L, idx);
        return;
      }
      break;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      if (lookup(w, s, len)) return;
      if (root && w->modobjs != NULL) not_found(w, p, s, len);
      lua_pushvalue(L, idx);
      return;
    }
    case LUA_TTABLE:
      switch (table_kind(w, idx)) {
        case 1:
          des_array(w, idx, p, depth);
          return;
        case 2: {
          ks_envelope ev;
          ks_env_verdict v;
          if (ksl_envelope_read(L, idx, &ev, &v) != KS_ENV_NOT)
            des_envelope(w, idx, &ev, &v, p);
          else
            des_dict(w, idx, p, depth);
          return;
        }
        default:   /* a live object: already deserialized */
          lua_pushvalue(L, idx);
          return;
      }
    default:
      break;
  }
  (void)is_null;
  fail(w, p, "cannot deserialize a value of type %s", ksl_typename(L, idx));
}

/* ---- options and entry points ------------------------------------------------------ */

typedef struct des_opts {
  int custom_idx, modobjs_idx;   /* stack indices, or 0 */
  int safe_arg;                  /* -1 not given, 0, 1 */
  const char *printable;
} des_opts;

const char *const KSL_DES_OPTION_NAMES[] = {
  "custom_objects", "safe_mode", "module_objects", "printable_module_name", NULL
};

static int is_option(const char *const *names, const char *k) {
  for (; names != NULL && *names != NULL; names++)
    if (strcmp(*names, k) == 0) return 1;
  return 0;
}

/* Reads the options table at optsidx (0: none). Keys in `extra` belong to
** the caller (loads: the decoder's options). */
static void read_opts(lua_State *L, int optsidx, des_opts *o, const char *fname,
                      const char *const *extra) {
  o->custom_idx = o->modobjs_idx = 0;
  o->safe_arg = -1;
  o->printable = "object";
  if (optsidx == 0 || lua_isnoneornil(L, optsidx)) return;
  if (lua_type(L, optsidx) != LUA_TTABLE)
    ksl_error(L, "%s: options must be a table, not %s", fname, luaL_typename(L, optsidx));
  lua_pushnil(L);
  while (lua_next(L, optsidx)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    if (k == NULL || (!is_option(KSL_DES_OPTION_NAMES, k) && !is_option(extra, k)))
      ksl_error(L, "%s: unknown option '%s'", fname,
                k ? k : luaL_tolstring(L, -2, NULL));
    lua_pop(L, 1);
  }
  if (lua_getfield(L, optsidx, "safe_mode") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TBOOLEAN)
      ksl_error(L, "%s: option 'safe_mode' must be a boolean, not %s", fname,
                luaL_typename(L, -1));
    o->safe_arg = lua_toboolean(L, -1);
  }
  lua_pop(L, 1);
  if (lua_getfield(L, optsidx, "printable_module_name") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING)
      ksl_error(L, "%s: option 'printable_module_name' must be a string", fname);
    o->printable = lua_tostring(L, -1);   /* the options table holds it */
  }
  lua_pop(L, 1);
  if (lua_getfield(L, optsidx, "custom_objects") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TTABLE)
      ksl_error(L, "%s: option 'custom_objects' must be a table", fname);
    o->custom_idx = lua_gettop(L);
  } else {
    lua_pop(L, 1);
  }
  if (lua_getfield(L, optsidx, "module_objects") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TTABLE)
      ksl_error(L, "%s: option 'module_objects' must be a table", fname);
    o->modobjs_idx = lua_gettop(L);
  } else {
    lua_pop(L, 1);
  }
}

static void dwalker_init(dwalker *w, lua_State *L, des_call *call, const des_opts *o) {
  w->L = L;
  w->box = ksl_box_at(L, KSL_BOX);
  w->e = ksl_engine(L);
  w->call = call;
  w->max_depth = KSJ_DEFAULT_MAX_DEPTH;
  w->custom_idx = o->custom_idx;
  w->custom = NULL;
  w->modobjs = NULL;
  w->printable = o->printable;
  if (o->custom_idx) {
    lua_pushnil(L);
    if (lua_next(L, o->custom_idx)) {          /* empty dicts change nothing */
      lua_pop(L, 2);
      w->custom = ksl_map_from_table(L, o->custom_idx, "custom_objects");
    }
  }
  if (o->modobjs_idx)
    w->modobjs = ksl_map_from_table(L, o->modobjs_idx, "module_objects");
  w->safe = ks_effective_safe_mode(w->e, o->safe_arg);
  ksl_push_uv(L, KSL_UV_DESCTX);
  w->shared = lua_gettop(L);
  ksl_push_markers(L, &w->arr_mt, &w->obj_mt, &w->marker_mt);
  w->orders = 0;                  /* recorded key orders, for copies */
  if (ksj_push_orders(L, 0)) {
    lua_pushnil(L);
    if (lua_next(L, -2)) {
      lua_pop(L, 2);
      w->orders = lua_gettop(L);
    }
  }
}

/* Protected worker of a top-level call: 1 value, 2 options, 3 des_call,
** 4 the caller's extra option names (light userdata), 5 the function name. */
static int des_top(lua_State *L) {
  des_call *call = (des_call *)lua_touserdata(L, 3);
  const char *const *extra = (const char *const *)lua_touserdata(L, 4);
  const char *fname = lua_tostring(L, 5);
  ksl_path root = KSL_PATH_ROOT;
  des_opts o;
  dwalker w;
  read_opts(L, 2, &o, fname, extra);
  dwalker_init(&w, L, call, &o);
  des_value(&w, 1, &root, 0, 1);
  return 1;
}

int ksl_deserialize_opts(lua_State *L, int idx, int optsidx, const char *fname,
                         const char *const *extra) {
  ksl_box *box = ksl_box_at(L, KSL_BOX);
  des_call *outer = (des_call *)box->des;
  des_call call = {NULL, 0};
  int st;
  idx = lua_absindex(L, idx);
  if (optsidx) optsidx = lua_absindex(L, optsidx);
  if (outer != NULL) {       /* nested: join the running call */
    ksl_path root = {outer->at, NULL, 0, 0, NULL, NULL, 1};
    dwalker w;
    des_opts o;
    int top = lua_gettop(L);
    read_opts(L, optsidx, &o, fname, extra);
    dwalker_init(&w, L, outer, &o);
    if (outer->at != NULL)   /* for messages: where in the hook's config */
      ksl_path_note(L, w.shared, outer->at, KSL_NOTE_ARG, idx);
    des_value(&w, idx, &root, 0, 1);
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
    return LUA_OK;
  }
  lua_newtable(L);
  lua_setiuservalue(L, KSL_BOX, KSL_UV_DESCTX);
  box->des = &call;
  lua_pushvalue(L, KSL_BOX);
  lua_pushcclosure(L, des_top, 1);
  lua_pushvalue(L, idx);
  if (optsidx) lua_pushvalue(L, optsidx);
  else lua_pushnil(L);
  lua_pushlightuserdata(L, &call);
  lua_pushlightuserdata(L, (void *)extra);
  lua_pushstring(L, fname);
  st = lua_pcall(L, 5, 1, 0);
  box->des = NULL;
  lua_pushnil(L);
  lua_setiuservalue(L, KSL_BOX, KSL_UV_DESCTX);
  return st;
}

int ksl_deserialize_value(lua_State *L, int idx, int optsidx) {
  return ksl_deserialize_opts(L, idx, optsidx, "deserialize", NULL);
}

const ksl_path *ksl_running_from_config(lua_State *L) {
  const des_call *call = (const des_call *)ksl_box_at(L, KSL_BOX)->des;
  return call != NULL ? call->at : NULL;
}

static int l_deserialize(lua_State *L) {
  lua_settop(L, 2);
  if (ksl_deserialize_value(L, 1, 2) != LUA_OK) return ksl_raise(L);
  return 1;
}

void ksl_open_deserialize(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  lua_pushcclosure(L, l_deserialize, 1);
  lua_setfield(L, -2, "deserialize");
}
