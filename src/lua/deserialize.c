/*
** deserialize.c - kserial.deserialize: a config tree back to live objects.
**
** A top-level call owns a call state (call.h; box user value KSL_UV_DESCTX,
** pointed to by the box while the call runs) holding the running hook's
** node, its shared objects and their classes. A
** deserialize made by a hook (from_config(), a special's decode()) joins the
** running call: shared ids span the whole tree, and the scopes the runner
** (hook.c) opens around every hook keep a nested call from lifting safe mode.
*/
#include <stdarg.h>
#include <string.h>
#include "ks_json.h"
#include "ks_envelope.h"
#include "hook.h"
#include "ks_base64.h"
#include "call.h"

typedef ksl_call des_call;   /* its `at`: the object whose hook is running */

typedef struct dwalker {
  lua_State *L;
  ks_engine *e;
  des_call *call;
  int box;                /* stack index of the engine box */
  int ctx;                /* stack index of the call state (call.h) */
  int shared;             /* stack index: id -> instance (KSL_CALL_IDS);
                          ** nil until the first shared id (shared_at) */
  int has_shared;         /* it was fetched */
  const ksl_box *b;       /* the engine box itself (its marker metatables) */
  int custom_idx;         /* stack index of opts.custom_objects, or 0 */
  const ks_map *custom;   /* opts.custom_objects as a core map, or NULL */
  const ks_map *modobjs;  /* opts.module_objects, or NULL */
  const char *printable;  /* opts.printable_module_name */
  int safe;               /* the effective safe mode of this call */
  int max_depth;
  int orders;             /* stack index of the recorded key orders, or 0;
                          ** -1: not looked up yet (orders_at) */
  int orders_slot;        /* where orders_at puts them (nil until then) */
} dwalker;

static void des_value(dwalker *w, int idx, const ksl_path *p, int depth, int root);

/* The shared ids of the call (stack index), fetched when an envelope
** first has one. */
static int shared_at(dwalker *w) {
  if (!w->has_shared) {
    ksl_call_get(w->L, w->ctx, KSL_CALL_IDS);
    lua_replace(w->L, w->shared);
    w->has_shared = 1;
  }
  return w->shared;
}

/* The recorded key orders (stack index), or 0 when no object has one:
** looked up the first time a copy needs them, since most calls (every
** nested call that reads one envelope) never copy a dict. */
static int orders_at(dwalker *w) {
  lua_State *L = w->L;
  if (w->orders >= 0) return w->orders;
  w->orders = 0;
  if (ksj_push_orders(L, 0)) {
    lua_pushnil(L);
    if (lua_next(L, -2)) {
      lua_pop(L, 2);
      lua_replace(L, w->orders_slot);
      w->orders = w->orders_slot;
      return w->orders;
    }
    lua_pop(L, 1);
  }
  return 0;
}

KSL_COLD static int fail(dwalker *w, const ksl_path *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lua_pushvfstring(w->L, fmt, ap);
  va_end(ap);
  return ksl_path_error(w->L, p, "from_config()", w->ctx);
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
  ksl_push_handle(w->L, w->box, h);
  if (lua_isnil(w->L, -1)) {
    lua_pop(w->L, 1);
    return 0;
  }
  return 1;
}

/* Raises the message of a failed envelope verdict, at the envelope or at
** its config. */
KSL_COLD static int envelope_fail(dwalker *w, int env, const ks_envelope *ev,
                         const ks_env_verdict *v, const ksl_path *p) {
  ksl_path cfg = {p, "config", 6, 0, NULL, NULL, 0, NULL};
  const char *printable = w->modobjs != NULL ? w->printable : NULL;
  int at_config = ksl_envelope_message(w->L, env, ev, v, printable);
  return ksl_path_error(w->L, at_config ? &cfg : p, "from_config()", w->ctx);
}

/* A string that resolves nowhere while module_objects were given. */
KSL_COLD static int not_found(dwalker *w, const ksl_path *p, const char *name,
                              size_t len) {
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

/* The stack index of the value of envelope key k among those
** ksl_envelope_read kept (from vals on): what the core judged. */
#define KEPT(vals, k) ((vals) + ksl_envelope_slot(k))

/* Whether the core read a value other than null for envelope key k (a
** null config or build config counts as none: ksl_present's rule, as the
** core typed it). */
static int given(const ks_envelope *ev, ks_env_key k) {
  return ev->f[k].type != KS_V_ABSENT && ev->f[k].type != KS_V_NULL;
}

/* What a table is (ksl_table_kind). */
KSL_HOT static ksl_tkind table_kind(dwalker *w, int idx) {
  return ksl_table_kind(w->L, idx, w->b);
}

/* ---- containers ------------------------------------------------------------------ */

static void des_array(dwalker *w, int idx, const ksl_path *p, int depth) {
  lua_State *L = w->L;
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx), i, count = 0;
  ksl_path child = {p, NULL, 0, 0, NULL, NULL, 0, NULL};
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
  lua_getiuservalue(L, w->box, KSL_UV_ARRAY_MT);
  lua_setmetatable(L, -2);
}

static void des_dict(dwalker *w, int idx, const ksl_path *p, int depth) {
  lua_State *L = w->L;
  ksl_path child = {p, NULL, 0, 0, NULL, NULL, 0, NULL};
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
    /* a table value may have run hooks, which can reach the document: if
    ** one took this key out, lua_next could not go on from it */
    if (lua_type(L, -1) == LUA_TTABLE) {
      lua_pushvalue(L, -2);
      if (lua_rawget(L, idx) == LUA_TNIL)
        fail(w, &child, "a hook took this key out of its dict while the dict "
             "was being deserialized");
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_getiuservalue(L, w->box, KSL_UV_OBJECT_MT);
  lua_setmetatable(L, -2);
  ksj_copy_order(L, orders_at(w), idx, -1);
}

/* ---- special values -------------------------------------------------------------- */

static void des_lambda(dwalker *w, int vals, const ksl_path *p) {
  lua_State *L = w->L;
  ksl_path cfg = {p, "config", 6, 0, NULL, NULL, 0, NULL};
  size_t len;
  const char *text;
  if (w->safe) fail(w, p, "%s", SAFE_MODE_MSG);
  lua_pushvalue(L, KEPT(vals, KS_ENV_CONFIG));
  if (lua_type(L, -1) != LUA_TTABLE) fail(w, &cfg, "a lambda's config must be a dict");
  if (ksl_field(L, -1, "code"))
    fail(w, &cfg, "this lambda holds Python bytecode (Keras); only Lua 5.4 "
         "lambdas (format \"lua54-bytecode\") can be loaded");
  if (!ksl_field(L, -1, "format") || lua_type(L, -1) != LUA_TSTRING ||
      strcmp(lua_tostring(L, -1), "lua54-bytecode") != 0)
    fail(w, &cfg, "a lambda must have \"format\": \"lua54-bytecode\"");
  lua_pop(L, 1);
  if (!ksl_field(L, -1, "value") || lua_type(L, -1) != LUA_TSTRING)
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

static void des_bytes(dwalker *w, int vals, const ksl_path *p) {
  lua_State *L = w->L;
  ksl_path cfg = {p, "config", 6, 0, NULL, NULL, 0, NULL};
  const char *msg;
  lua_pushvalue(L, KEPT(vals, KS_ENV_CONFIG));   /* a dict: the core checked */
  msg = ksl_bytes_value(L, -1);
  if (msg != NULL) fail(w, &cfg, "%s", msg);
  lua_replace(L, -2);
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
  ksl_push_uv(L, w->box, KSL_UV_MARKER_MT);
  lua_setmetatable(L, -2);
  ksj_copy_order(L, orders_at(w), env, -1);
}

/* A hook of this walk, run at node for `owner`, inside the call's scopes. */
KSL_HOT static void init_hook(dwalker *w, ksl_hook *h, const char *name, const char *owner,
                      const ksl_path *node) {
  ksl_hook_at(h, name, owner, node, &w->call->at, w->ctx, w->box, "from_config()");
  h->scoped = 1;
  h->safe = w->safe;
  h->custom_idx = w->custom != NULL ? w->custom_idx : 0;
}


/* A handler registered with register_special: decode(config). */
static int des_special(dwalker *w, int env, int vals, const ksl_path *p) {
  lua_State *L = w->L;
  ksl_hook h = KSL_HOOK_INIT;
  ksl_path node = *p;
  const char *name;
  ksl_push_uv(L, w->box, KSL_UV_SPECIAL);
  lua_pushvalue(L, KEPT(vals, KS_ENV_CLASS_NAME));   /* a string: checked */
  name = lua_tostring(L, -1);       /* register_special refuses NUL bytes */
  lua_pushvalue(L, -1);
  if (lua_rawget(L, -3) != LUA_TTABLE) {
    lua_pop(L, 3);
    return 0;
  }
  node.obj = lua_topointer(L, env);
  node.cls = name;
  init_hook(w, &h, ksl_des_hook_name(KS_ENV_CONFIG, 1), name, &node);
  h.special = 1;
  lua_getfield(L, -1, "decode");
  lua_pushvalue(L, KEPT(vals, KS_ENV_CONFIG));
  h.note = lua_gettop(L);
  ksl_hook_call(L, &h, 0, NULL, 1);
  lua_replace(L, -4);               /* the result, in place of the specials */
  lua_pop(L, 2);                    /* the name and the handler */
  return 1;
}

/* ---- functions and classes -------------------------------------------------------- */

/* Pushes what the core resolved the envelope to, checked by the rules of
** envelope.c (a class, or a function); nil (a collected value) counts as
** not found. */
KSL_HOT static void push_named(dwalker *w, int env, const ks_envelope *ev,
                       ks_env_verdict *v, const ksl_path *p) {
  if (ks_envelope_resolve(w->e, ev, w->custom, w->modobjs, v) != KS_ENV_OK)
    envelope_fail(w, env, ev, v, p);
  ksl_push_handle(w->L, w->box, v->h);
  if (lua_isnil(w->L, -1)) {
    v->err = KS_ENV_ENOTFOUND;
    envelope_fail(w, env, ev, v, p);
  }
  if (!ksl_envelope_value_ok(w->L, -1, v))
    ksl_path_error(w->L, p, "from_config()", w->ctx);
}

static void des_function(dwalker *w, int env, const ks_envelope *ev,
                         ks_env_verdict *v, const ksl_path *p) {
  push_named(w, env, ev, v, p);
}

/* ---- remembered classes -------------------------------------------------------
** A document names a few classes thousands of times, and resolving one (the
** core's lookup, the handle, the checks) costs the walk more than anything
** but reading the envelope. So the call state remembers name -> class for
** class envelopes resolved by their name alone: this call was given no
** custom_objects or module_objects, and the core's lookup found the name
** (not a module + class_name). What is remembered holds while the core's
** lookup stamp stays (ks_lookup_stamp: it changes with the global dict, and
** is 0 while a custom-object scope is open: nothing is used or kept then). */

/* The stamp under which this walk may use remembered classes; 0: it may not. */
KSL_HOT static uint64_t named_stamp(const dwalker *w) {
  return w->custom == NULL && w->modobjs == NULL ? ks_lookup_stamp(w->e) : 0;
}

/* Pushes the remembered classes under stamp (not 0), emptied first when
** what they hold was found under another. */
KSL_HOT static void push_named_classes(dwalker *w, uint64_t stamp) {
  if (w->call->stamp != stamp) {
    ksl_call_clear(w->L, w->ctx, KSL_CALL_NAMED);
    w->call->stamp = stamp;
  }
  ksl_call_get(w->L, w->ctx, KSL_CALL_NAMED);
}

/* Finds the class of an envelope (its values kept from vals on) and pushes
** it: remembered, or resolved by the core and checked (push_named). */
KSL_HOT static void find_class(dwalker *w, int env, int vals, const ks_envelope *ev,
                       ks_env_verdict *v, const ksl_path *p) {
  lua_State *L = w->L;
  uint64_t stamp = named_stamp(w);
  size_t len;
  const char *name = ks_envelope_name(ev, &len);
  /* the key: the kept string value the core looks the name up by */
  int key = name == ev->f[KS_ENV_REGISTERED_NAME].s
          ? KEPT(vals, KS_ENV_REGISTERED_NAME) : KEPT(vals, KS_ENV_CLASS_NAME);
  if (stamp != 0) {
    push_named_classes(w, stamp);
    lua_pushvalue(L, key);
    if (lua_rawget(L, -2) == LUA_TTABLE) {
      lua_remove(L, -2);
      return;
    }
    lua_pop(L, 2);
  }
  push_named(w, env, ev, v, p);
  if (stamp != 0 && ks_lookup(w->e, name, len, NULL, NULL, NULL) == v->h) {
    push_named_classes(w, stamp);
    lua_pushvalue(L, key);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pop(L, 1);
  }
}

/* Runs Class:from_config(config), then the build and compile hooks the
** instance has when their configs are present, each through the runner.
** The configs are the ones the core judged (ev): fetched before any hook
** runs, so what a hook does to the envelope changes nothing. Returns LUA_OK
** with the instance pushed, or an error status with the message pushed (the
** caller frees the shared id, then raises it). */
KSL_HOT static int build_instance(dwalker *w, int vals, const ks_envelope *ev, int cls,
                          const char *cname, const ksl_path *node) {
  static const ks_env_key keys[2] = {KS_ENV_BUILD_CONFIG, KS_ENV_COMPILE_CONFIG};
  lua_State *L = w->L;
  ksl_hook h = KSL_HOOK_INIT;
  int st, i, inst, cfgs[2] = {0, 0};
  for (i = 0; i < 2; i++)
    if (given(ev, keys[i])) cfgs[i] = KEPT(vals, keys[i]);
  init_hook(w, &h, ksl_des_hook_name(KS_ENV_CONFIG, 0), cname, node);
  h.must_return = 1;
  if (given(ev, KS_ENV_CONFIG))
    lua_pushvalue(L, KEPT(vals, KS_ENV_CONFIG));
  else {                                     /* null counts as {} */
    lua_newtable(L);
    lua_getiuservalue(L, w->box, KSL_UV_OBJECT_MT);
    lua_setmetatable(L, -2);
  }
  h.note = lua_gettop(L);
  st = ksl_hook_pcall(L, &h, cls, h.name, 1);
  if (st == KSL_HOOK_ABSENT) {
    lua_pushfstring(L, "Unable to reconstruct an instance of '%s' because the "
                    "class is missing a from_config() method.", cname);
    ksl_path_message(L, node, "from_config()", w->ctx);
    return LUA_ERRRUN;
  }
  if (st != LUA_OK) return st;
  inst = lua_gettop(L);
  h.must_return = 0;
  for (i = 0; i < 2; i++) {
    if (cfgs[i] == 0) continue;
    h.name = ksl_des_hook_name(keys[i], 0);
    h.note_key = keys[i];
    lua_pushvalue(L, cfgs[i]);
    h.note = lua_gettop(L);
    st = ksl_hook_pcall(L, &h, inst, h.name, 1);
    if (st == KSL_HOOK_ABSENT) continue;
    if (st != LUA_OK) {
      lua_remove(L, inst);
      return st;
    }
    lua_pop(L, 1);                         /* what the hook returned */
  }
  return LUA_OK;
}

/* Marks a shared id whose object is being built: meeting the id again
** before the build ends means the envelope is nested inside itself. */
static const char BUILDING = 0;

/* Pushes the class of each shared id, id -> {class, its name}, and gives
** its index. */
static int shared_classes(dwalker *w) {
  ksl_call_get(w->L, w->ctx, KSL_CALL_CLASSES);
  return lua_gettop(w->L);
}

/* An id met again: pushes the instance built for it, after checking that
** this envelope's class (at cls, resolved) is the one the id was built
** with. Returns 0 when the id is new. */
static int shared_hit(dwalker *w, lua_Integer id, int cls, const char *shown,
                      const ksl_path *p) {
  lua_State *L = w->L;
  if (lua_rawgeti(L, shared_at(w), id) == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (lua_touserdata(L, -1) == (void *)&BUILDING)
    fail(w, p, "shared_object_id %I is used inside its own object's config "
         "(the object is still being built)", id);
  lua_rawgeti(L, shared_classes(w), id);
  lua_rawgeti(L, -1, 1);
  if (!lua_rawequal(L, -1, cls)) {
    lua_rawgeti(L, -2, 2);
    ksl_shared_conflict_message(L, id, lua_tostring(L, -1), shown);
    fail(w, p, "%s", lua_tostring(L, -1));
  }
  lua_pop(L, 3);
  return 1;
}

/* Records the instance on top (and its class, at cls) under a shared id. */
static void shared_done(dwalker *w, lua_Integer id, int cls, const char *shown) {
  lua_State *L = w->L;
  shared_classes(w);
  lua_createtable(L, 2, 0);
  lua_pushvalue(L, cls);
  lua_rawseti(L, -2, 1);
  lua_pushstring(L, shown);
  lua_rawseti(L, -2, 2);
  lua_rawseti(L, -2, id);
  lua_pop(L, 1);
  lua_pushvalue(L, -1);
  lua_rawseti(L, shared_at(w), id);
}

/* An object's envelope, checked by the core (every key, for the first
** envelope of a shared id and for every repeat of it alike): its class
** found, then the shared instance of its id or a new one. A failed build
** frees its id. */
KSL_HOT static void des_object(dwalker *w, int env, int vals, ks_envelope *ev,
                       ks_env_verdict *v, const ksl_path *p) {
  lua_State *L = w->L;
  const ks_env_field *idf = &ev->f[KS_ENV_SHARED_OBJECT_ID];
  int has_id = idf->type == KS_V_INTEGER, cls;
  lua_Integer id = has_id ? lua_tointeger(L, KEPT(vals, KS_ENV_SHARED_OBJECT_ID)) : 0;
  const char *shown;
  ksl_path node = *p;
  /* the name's bytes (ev) are anchored by the kept value, even if a hook
  ** drops it from the document: messages and paths use it after hooks ran */
  shown = ksl_shown(L, ev->f[KS_ENV_CLASS_NAME].s,
                    ev->f[KS_ENV_CLASS_NAME].len);  /* may push a copy */
  find_class(w, env, vals, ev, v, p);
  cls = lua_gettop(L);
  if (!(has_id && shared_hit(w, id, cls, shown, p))) {
    node.obj = lua_topointer(L, env);
    node.cls = shown;
    if (has_id) {
      lua_pushlightuserdata(L, (void *)&BUILDING);
      lua_rawseti(L, shared_at(w), id);
    }
    if (build_instance(w, vals, ev, cls, shown, &node) != LUA_OK) {
      if (has_id) {
        lua_pushnil(L);
        lua_rawseti(L, shared_at(w), id);
      }
      ksl_path_raise(L, w->ctx);
    }
    if (has_id) shared_done(w, id, cls, shown);
  }
}

/* A dict judged an envelope by the core (ksl_envelope_read gave ev, v, and
** kept the values it read from vals on). Pushes the result, maybe above
** other values (des_value drops them). */
KSL_HOT static void des_envelope(dwalker *w, int env, int vals, ks_envelope *ev,
                         ks_env_verdict *v, const ksl_path *p) {
  /* the reader made room for the values it keeps, not for what each kind
  ** pushes above them (find_class and a shared id: up to 7 at once) */
  luaL_checkstack(w->L, 10, "kserial: nesting too deep");
  if (v->err != KS_ENV_OK) envelope_fail(w, env, ev, v, p);
  switch (v->kind) {
    case KS_ENV_SPECIAL: des_special(w, env, vals, p); return;
    case KS_ENV_LAMBDA: des_lambda(w, vals, p); return;
    case KS_ENV_BYTES: des_bytes(w, vals, p); return;
    case KS_ENV_MARKER: des_marker(w, env); return;
    case KS_ENV_FUNCTION: des_function(w, env, ev, v, p); return;
    default: des_object(w, env, vals, ev, v, p); return;
  }
}

/* ---- the dispatcher -------------------------------------------------------------- */

KSL_HOT static void des_value(dwalker *w, int idx, const ksl_path *p, int depth, int root) {
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
        case KSL_TABLE_ARRAY:
          des_array(w, idx, p, depth);
          return;
        case KSL_TABLE_DICT: {
          ks_envelope ev;
          ks_env_verdict v;
          int top = lua_gettop(L);
          if (ksl_envelope_read(L, w->box, idx, &ev, &v, 1) != KS_ENV_NOT) {
            des_envelope(w, idx, top + 1, &ev, &v, p);
            lua_replace(L, top + 1);
            lua_settop(L, top + 1);
          } else
            des_dict(w, idx, p, depth);
          return;
        }
        case KSL_TABLE_UNMARKED: case KSL_TABLE_OTHER:
        default:   /* a live object: already deserialized */
          lua_pushvalue(L, idx);
          return;
      }
    default:
      break;
  }
  fail(w, p, "cannot deserialize a value of type %s", ksj_typename(L, idx));
}

/* ---- options and entry points ------------------------------------------------------ */

typedef struct des_opts {
  int custom_idx, modobjs_idx;   /* stack indices, or 0 */
  int safe_arg;                  /* -1 not given, 0, 1 */
  const char *printable;
  int max_depth;                 /* nesting the walk takes */
} des_opts;

const char *const KSL_DES_OPTION_NAMES[] = {
  "custom_objects", "safe_mode", "module_objects", "printable_module_name", NULL
};

/* Reads the options table at optsidx (0: none) with the codec's reader
** (one wording for option errors). Keys in `extra` belong to the caller
** (loads: the decoder's options). The custom_objects and module_objects
** tables are left on the stack (their indices in o). */
typedef struct des_read {
  des_opts *o;
  int custom, modobjs;   /* the tables were given (fetched after the loop) */
} des_read;

static int des_opt(lua_State *L, const char *k, const char *fname, void *ud) {
  des_read *r = (des_read *)ud;
  if (strcmp(k, "safe_mode") == 0) r->o->safe_arg = ksj_opt_bool(L, fname, k);
  else if (strcmp(k, "printable_module_name") == 0) {
    if (lua_type(L, -1) != LUA_TSTRING) ksj_opt_error(L, fname, k, "a string");
    r->o->printable = lua_tostring(L, -1);   /* the options table holds it */
  }
  else if (strcmp(k, "max_depth") == 0)
    r->o->max_depth = (int)ksj_opt_int(L, fname, k, 1, KSJ_HARD_MAX_DEPTH);
  else if (strcmp(k, "custom_objects") == 0 || strcmp(k, "module_objects") == 0) {
    if (lua_type(L, -1) != LUA_TTABLE) ksj_opt_error(L, fname, k, "a table");
    if (k[0] == 'c') r->custom = 1;
    else r->modobjs = 1;
  }
  else return 0;
  return 1;
}

KSL_HOT static void read_opts(lua_State *L, int optsidx, des_opts *o, const char *fname,
                      const char *const *extra) {
  des_read r = {o, 0, 0};
  o->custom_idx = o->modobjs_idx = 0;
  o->safe_arg = -1;
  o->printable = "object";
  o->max_depth = KSJ_DEFAULT_MAX_DEPTH;
  if (optsidx == 0 || lua_isnoneornil(L, optsidx)) return;
  optsidx = lua_absindex(L, optsidx);
  ksj_opts_each(L, optsidx, fname, extra, des_opt, &r);
  /* loads, load: max_depth is the decoder's option (in extra), read and
  ** checked by its reader; the walk nests as deep as the decoder allowed
  ** (a lower limit was the decoder's to report) */
  lua_pushliteral(L, "max_depth");
  if (lua_rawget(L, optsidx) == LUA_TNUMBER && lua_isinteger(L, -1) &&
      lua_tointeger(L, -1) > o->max_depth && lua_tointeger(L, -1) <= KSJ_HARD_MAX_DEPTH)
    o->max_depth = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (r.custom) {
    lua_pushliteral(L, "custom_objects");
    lua_rawget(L, optsidx);
    o->custom_idx = lua_gettop(L);
  }
  if (r.modobjs) {
    lua_pushliteral(L, "module_objects");
    lua_rawget(L, optsidx);
    o->modobjs_idx = lua_gettop(L);
  }
}

KSL_HOT static void dwalker_init(dwalker *w, lua_State *L, int box, des_call *call,
                         const des_opts *o) {
  w->L = L;
  w->box = box = lua_absindex(L, box);
  w->b = ksl_box_at(L, box);
  w->e = w->b->e;
  if (w->e == NULL) ksl_engine(L, box);      /* raises: the engine is closed */
  w->call = call;
  w->max_depth = o->max_depth;
  w->custom_idx = o->custom_idx;
  w->custom = NULL;
  w->modobjs = NULL;
  w->printable = o->printable;
  if (o->custom_idx) {
    lua_pushnil(L);
    if (lua_next(L, o->custom_idx)) {          /* empty dicts change nothing */
      lua_pop(L, 2);
      w->custom = ksl_map_from_table(L, box, o->custom_idx, "custom_objects");
    }
  }
  if (o->modobjs_idx)
    w->modobjs = ksl_map_from_table(L, box, o->modobjs_idx, "module_objects");
  w->safe = ks_effective_safe_mode(w->e, o->safe_arg);
  ksl_push_uv(L, box, KSL_UV_DESCTX);
  w->ctx = lua_gettop(L);
  lua_pushnil(L);                 /* the shared ids: shared_at */
  w->shared = lua_gettop(L);
  w->has_shared = 0;
  lua_pushnil(L);                 /* recorded key orders: orders_at */
  w->orders_slot = lua_gettop(L);
  w->orders = -1;
}

/* Protected worker of a top-level call: 1 value, 2 options, 3 des_call,
** 4 the caller's extra option names (light userdata), 5 the function name,
** 6 the engine box. */
static int des_top(lua_State *L) {
  des_call *call = (des_call *)lua_touserdata(L, 3);
  const char *const *extra = (const char *const *)lua_touserdata(L, 4);
  const char *fname = lua_tostring(L, 5);
  ksl_path root = KSL_PATH_ROOT;
  des_opts o;
  dwalker w;
  read_opts(L, 2, &o, fname, extra);
  dwalker_init(&w, L, 6, call, &o);
  des_value(&w, 1, &root, 0, 1);
  return 1;
}

KSL_HOT int ksl_deserialize_opts(lua_State *L, int boxi, int idx, int optsidx,
                         const char *fname, const char *const *extra) {
  ksl_box *box = ksl_box_at(L, boxi);
  des_call *outer = box->des, *call;
  int st;
  idx = lua_absindex(L, idx);
  boxi = lua_absindex(L, boxi);
  if (optsidx) optsidx = lua_absindex(L, optsidx);
  if (outer != NULL) {       /* nested: join the running call */
    ksl_path root = {outer->at, NULL, 0, 0, NULL, NULL, 1, NULL};
    dwalker w;
    des_opts o;
    int top = lua_gettop(L);
    read_opts(L, optsidx, &o, fname, extra);
    dwalker_init(&w, L, boxi, outer, &o);
    if (lua_type(L, idx) == LUA_TTABLE)   /* for messages: where in the hook's config */
      root.arg = lua_topointer(L, idx);
    des_value(&w, idx, &root, 0, 1);
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
    return LUA_OK;
  }
  call = ksl_call_new(L);
  lua_setiuservalue(L, boxi, KSL_UV_DESCTX);    /* keeps call alive */
  lua_pushcfunction(L, des_top);
  lua_pushvalue(L, idx);
  if (optsidx) lua_pushvalue(L, optsidx);
  else lua_pushnil(L);
  lua_pushlightuserdata(L, call);
  lua_pushlightuserdata(L, (void *)extra);
  lua_pushstring(L, fname);
  lua_pushvalue(L, boxi);
  box->des = call;           /* only now: a push above may raise (memory) */
  st = lua_pcall(L, 6, 1, 0);
  box->des = NULL;
  lua_pushnil(L);
  lua_setiuservalue(L, boxi, KSL_UV_DESCTX);
  return st;
}

KSL_HOT int ksl_deserialize_value(lua_State *L, int box, int idx, int optsidx) {
  return ksl_deserialize_opts(L, box, idx, optsidx, "deserialize", NULL);
}

const ksl_path *ksl_running_from_config(lua_State *L, int box) {
  const des_call *call = ksl_box_at(L, box)->des;
  return call != NULL ? call->at : NULL;
}

KSL_HOT static int l_deserialize(lua_State *L) {
  lua_settop(L, 2);
  if (ksl_deserialize_value(L, KSL_BOX, 1, 2) != LUA_OK) return ksl_raise(L, KSL_BOX);
  return 1;
}

void ksl_open_deserialize(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  lua_pushcclosure(L, l_deserialize, 1);
  lua_setfield(L, -2, "deserialize");
}
