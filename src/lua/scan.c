/*
** scan.c - kserial.scan: what a document would need before anyone loads it.
**
** Walks a decoded document without instantiating anything and lists, with
** their paths: every piece of code (kserial and Keras 3 lambdas, Keras 1
** and 2 marshal lambdas, classes that run outside code by design), every
** envelope loads would refuse and why, every class and function it names
** (found or not) and every module and special marker. Envelopes are judged
** by the same rules deserialize uses (src/core/envelope.c), read by the
** same reader (envelope.c).
*/
#include <string.h>
#include "ks_json.h"
#include "ks_walk.h"
#include "ks_envelope.h"

typedef struct scanner {
  lua_State *L;
  ks_engine *e;
  int items;          /* stack index of the result array */
  int unsafe;         /* code found */
  int invalid;        /* an envelope loads refuses for its form */
  int missing;        /* a name that resolves nowhere */
  int max_depth;
  int deepest;        /* the deepest level the walk has reached */
  int ids;            /* stack index: shared id -> {class, its name shown} */
  int memo;           /* stack index: table -> {values, height} of its
                      ** first walk (a table met again is not walked again) */
  lua_Integer values, max_values;
  int box;            /* stack index of the engine box */
} scanner;

/* Classes that load or run code from outside the document by design. */
static const struct code_class {
  const char *name;
  const char *reason;
} CODE_CLASSES[] = {
  {"Lambda", "a Keras Lambda layer runs the code its config holds or names"},
  {"TFSMLayer", "a Keras TFSMLayer loads a TensorFlow SavedModel from outside "
                "the document and runs its graph"},
  {"TorchModuleWrapper", "a Keras TorchModuleWrapper holds a pickled PyTorch "
                         "module, which runs code when it is unpickled"},
  {NULL, NULL}
};

/* Keys that Keras 1 and 2 fill with marshalled Python bytecode when the
** matching "<key>_type" is "lambda" (Lambda layers). */
static const char *const MARSHAL_KEYS[] = {"function", "output_shape", "mask", NULL};

/* Appends {kind, name, path, found, reason} to the result. name may be
** NULL; found < 0: not set; reason may be NULL. */
static void add_item(scanner *s, const ksl_path *p, const char *kind,
                     const char *name, size_t nlen, int found, const char *reason) {
  lua_State *L = s->L;
  lua_createtable(L, 0, 5);
  lua_pushstring(L, kind);
  lua_setfield(L, -2, "kind");
  if (name != NULL) {
    lua_pushlstring(L, name, nlen);
    lua_setfield(L, -2, "name");
  }
  ksl_push_path(L, p, "scan", 0);
  lua_setfield(L, -2, "path");
  if (found >= 0) {
    lua_pushboolean(L, found);
    lua_setfield(L, -2, "found");
    if (!found) s->missing = 1;
  }
  if (reason != NULL) {
    lua_pushstring(L, reason);
    lua_setfield(L, -2, "reason");
  }
  lua_rawseti(L, s->items, (lua_Integer)lua_rawlen(L, s->items) + 1);
}

/* The code class named `name` (a whole name or the part after its last
** '>', as in "keras.layers>Lambda"), or NULL. */
static const struct code_class *code_class(const char *name, size_t len) {
  const struct code_class *cc;
  const char *gt;
  if (name == NULL) return NULL;
  while ((gt = memchr(name, '>', len)) != NULL) {
    len -= (size_t)(gt - name) + 1;
    name = gt + 1;
  }
  for (cc = CODE_CLASSES; cc->name != NULL; cc++)
    if (len == strlen(cc->name) && memcmp(name, cc->name, len) == 0) return cc;
  return NULL;
}

/* The code class an envelope's resolved value is, whatever name the
** document used for it (an alias in a module, a registered_name): by its
** registered name, else its own __name (read raw: no user code runs). */
static const struct code_class *code_class_of_value(scanner *s, ks_handle h) {
  lua_State *L = s->L;
  const struct code_class *cc;
  size_t len = 0;
  const char *name = ks_registered_name(s->e, h, &len);
  if (name != NULL && (cc = code_class(name, len)) != NULL) return cc;
  ksl_push_handle(L, s->box, h);
  cc = NULL;
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_pushliteral(L, "__name");
    if (lua_rawget(L, -2) == LUA_TSTRING) {
      name = lua_tolstring(L, -1, &len);
      cc = code_class(name, len);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return cc;
}

static int resolves(scanner *s, const char *name, size_t len) {
  return ks_lookup(s->e, name, len, NULL, NULL, NULL) != KS_NOHANDLE;
}

static void scan_value(scanner *s, int idx, const ksl_path *p, int depth);

/* An envelope loads refuses: listed with the message loads would give. */
static void add_refused(scanner *s, int t, const ks_envelope *ev,
                        const ks_env_verdict *v, const ksl_path *p) {
  lua_State *L = s->L;
  int top = lua_gettop(L);
  const ks_env_field *c = &ev->f[KS_ENV_CLASS_NAME];
  ksl_envelope_message(L, t, ev, v, NULL);
  s->invalid = 1;
  add_item(s, p, v->err == KS_ENV_EINCONSISTENT ? "class" : "invalid",
           v->err == KS_ENV_EINCONSISTENT ? v->name : c->s,
           v->err == KS_ENV_EINCONSISTENT ? v->nlen : c->len,
           v->err == KS_ENV_EINCONSISTENT ? 0 : -1, lua_tostring(L, -1));
  lua_settop(L, top);
}

/* A found class envelope with a shared id (its class at cls): the id must
** not belong to another class already, as deserialize requires. */
static void scan_shared_id(scanner *s, int t, const ks_envelope *ev, int cls,
                           const ksl_path *p) {
  lua_State *L = s->L;
  const ks_env_field *c = &ev->f[KS_ENV_CLASS_NAME];
  const char *shown;
  lua_Integer id;
  if (ev->f[KS_ENV_SHARED_OBJECT_ID].type != KS_V_INTEGER) return;
  lua_pushliteral(L, "shared_object_id");
  lua_rawget(L, t);
  id = lua_tointeger(L, -1);
  lua_pop(L, 1);
  shown = ksl_shown(L, c->s, c->len);             /* may push a copy */
  if (lua_rawgeti(L, s->ids, id) == LUA_TNIL) {   /* first: record it */
    lua_createtable(L, 2, 0);
    lua_pushvalue(L, cls);
    lua_rawseti(L, -2, 1);
    lua_pushstring(L, shown);
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, s->ids, id);
  } else {
    lua_rawgeti(L, -1, 1);
    if (!lua_rawequal(L, -1, cls)) {
      lua_rawgeti(L, -2, 2);
      ksl_shared_conflict_message(L, id, lua_tostring(L, -1), shown);
      s->invalid = 1;
      add_item(s, p, "invalid", c->s, c->len, -1, lua_tostring(L, -1));
    }
  }
  lua_settop(L, cls);
}

static void scan_named(scanner *s, int t, const ks_envelope *ev,
                       ks_env_verdict *v, const ksl_path *p) {
  lua_State *L = s->L;
  const ks_env_field *m = &ev->f[KS_ENV_MODULE], *c = &ev->f[KS_ENV_CLASS_NAME];
  const struct code_class *cc;
  ks_env_error err;
  if (m->type == KS_V_STRING)
    add_item(s, p, "module", m->s, m->len, ks_module_exists(s->e, m->s, m->len), NULL);
  err = ks_envelope_resolve(s->e, ev, NULL, NULL, v);
  if (err == KS_ENV_EINCONSISTENT) {
    add_refused(s, t, ev, v, p);
  } else if (err == KS_ENV_ENOTFOUND) {
    int top = lua_gettop(L);
    ksl_envelope_message(L, t, ev, v, NULL);
    add_item(s, p, v->expect_class ? "class" : "function", v->name, v->nlen, 0,
             lua_tostring(L, -1));
    lua_settop(L, top);
  } else {
    int top = lua_gettop(L);
    ksl_push_handle(L, s->box, v->h);
    if (ksl_envelope_value_ok(L, top + 1, v)) {
      add_item(s, p, v->expect_class ? "class" : "function", v->name, v->nlen, 1, NULL);
      if (v->expect_class) scan_shared_id(s, t, ev, top + 1, p);
    } else {       /* loads refuses it: listed as a refused envelope */
      s->invalid = 1;
      add_item(s, p, "invalid", v->name, v->nlen, -1, lua_tostring(L, -1));
    }
    lua_settop(L, top);
  }
  if (v->kind != KS_ENV_CLASS) return;
  cc = code_class(c->s, c->len);
  if (cc == NULL) cc = code_class(v->name, v->nlen);
  if (cc == NULL && v->h != KS_NOHANDLE) cc = code_class_of_value(s, v->h);
  if (cc != NULL) {
    s->unsafe = 1;
    add_item(s, p, "code", cc->name, strlen(cc->name), -1, cc->reason);
  }
}

/* A __bytes__ envelope: a marker when loads takes its config, else
** refused with loads' message at the config's path. */
static void scan_bytes(scanner *s, int t, const ks_env_field *c, const ksl_path *p) {
  lua_State *L = s->L;
  ksl_path cfg = {p, "config", 6, 0, NULL, NULL, 0, NULL};
  const char *msg;
  lua_getfield(L, t, "config");            /* a dict: the core checked */
  msg = ksl_bytes_value(L, -1);
  if (msg == NULL) {
    lua_pop(L, 2);
    add_item(s, p, "marker", c->s, c->len, -1, NULL);
    return;
  }
  lua_pop(L, 1);
  s->invalid = 1;
  add_item(s, &cfg, "invalid", c->s, c->len, -1, msg);
}

static void scan_envelope(scanner *s, int t, const ks_envelope *ev,
                          ks_env_verdict *v, const ksl_path *p) {
  const ks_env_field *c = &ev->f[KS_ENV_CLASS_NAME];
  if (v->err != KS_ENV_OK) {
    add_refused(s, t, ev, v, p);
    return;
  }
  switch (v->kind) {
    case KS_ENV_LAMBDA:
      s->unsafe = 1;
      add_item(s, p, "lambda", NULL, 0, -1,
               "a lambda: code that runs when loaded with safe mode off");
      return;
    case KS_ENV_SPECIAL:
      add_item(s, p, "special", c->s, c->len, -1,
               "a registered special handler decodes it");
      return;
    case KS_ENV_BYTES:
      scan_bytes(s, t, c, p);
      return;
    case KS_ENV_MARKER:
      add_item(s, p, "marker", c->s, c->len, -1, NULL);
      return;
    default:
      scan_named(s, t, ev, v, p);
      return;
  }
}

/* Keras 1 and 2 lambdas: "<key>_type": "lambda" next to a non-null <key>. */
static void scan_marshal(scanner *s, int t, const ksl_path *p) {
  lua_State *L = s->L;
  const char *const *k;
  for (k = MARSHAL_KEYS; *k != NULL; k++) {
    ksl_path at = {p, *k, strlen(*k), 0, NULL, NULL, 0, NULL};
    const char *type;
    lua_pushfstring(L, "%s_type", *k);
    lua_rawget(L, t);
    type = lua_tostring(L, -1);
    if (lua_type(L, -1) == LUA_TSTRING && strcmp(type, "lambda") == 0) {
      lua_pushstring(L, *k);
      if (lua_rawget(L, t) != LUA_TNIL && !(lua_type(L, -1) == LUA_TLIGHTUSERDATA &&
                                            lua_touserdata(L, -1) == NULL)) {
        s->unsafe = 1;
        add_item(s, &at, "lambda", *k, strlen(*k), -1,
                 "a Keras 1 or 2 lambda: marshalled Python bytecode");
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
}

static void scan_table(scanner *s, int t, const ksl_path *p, int depth) {
  lua_State *L = s->L;
  ksl_path child = {p, NULL, 0, 0, NULL, NULL, 0, NULL};
  ks_envelope ev;
  ks_env_verdict v;
  int isarray = 0, isobject = 0;
  if (lua_getmetatable(L, t)) {
    luaL_getmetatable(L, KSJ_ARRAY_MT);
    isarray = lua_rawequal(L, -1, -2);
    isobject = !isarray && !ksl_is_json_marker_mt(L, -2);   /* a live object */
    lua_pop(L, 2);
  }
  if (!isarray && !isobject) {
    if (ksl_envelope_read(L, s->box, t, &ev, &v, 0) != KS_ENV_NOT) scan_envelope(s, t, &ev, &v, p);
    scan_marshal(s, t, p);
  }
  luaL_checkstack(L, 6, "kserial: nesting too deep");
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) == LUA_TSTRING && !isarray) {
      child.key = lua_tolstring(L, -2, &child.klen);
    } else {
      child.key = NULL;
      child.index = lua_isinteger(L, -2) ? lua_tointeger(L, -2) - 1 : 0;
    }
    scan_value(s, -1, &child, depth + 1);
    lua_pop(L, 1);
  }
}

/* Counts n more values; a table reached from many places is walked (or
** counted) at each, so this bounds the work. */
static void count_values(scanner *s, lua_Integer n, const ksl_path *p) {
  if (n <= s->max_values - s->values) {
    s->values += n;
    return;
  }
  lua_pushfstring(s->L, "scan: more than %I values (a table reached from many "
                  "places counts at each); raise the max_values option to "
                  "allow more", (LUAI_UACINT)s->max_values);
  ksl_path_error(s->L, p, "scan", 0);
}

/* A table met again (a Lua table reached from many places; decoded
** documents are trees): its values are counted again, but it is not walked
** again, unless it would now reach past max_depth; what it holds was
** listed, and the verdict set, at its first place. Walking it at each place
** would list 2^n items for a table that holds the same sub-table twice at
** each of n levels. Returns 1 when done. */
static int memo_hit(scanner *s, int t, const ksl_path *p, int depth) {
  lua_State *L = s->L;
  lua_Integer n, height;
  lua_pushvalue(L, t);
  if (lua_rawget(L, s->memo) != LUA_TTABLE) {
    lua_pop(L, 1);
    return 0;
  }
  lua_rawgeti(L, -1, 1);
  lua_rawgeti(L, -2, 2);
  n = lua_tointeger(L, -2);
  height = lua_tointeger(L, -1);
  lua_pop(L, 3);
  if (depth + height > s->max_depth) return 0;
  count_values(s, n, p);
  if (depth + height > s->deepest) s->deepest = (int)(depth + height);
  return 1;
}

static void memo_put(scanner *s, int t, lua_Integer n, int height) {
  lua_State *L = s->L;
  lua_pushvalue(L, t);
  lua_createtable(L, 2, 0);
  lua_pushinteger(L, n);
  lua_rawseti(L, -2, 1);
  lua_pushinteger(L, height);
  lua_rawseti(L, -2, 2);
  lua_rawset(L, s->memo);
}

static void scan_value(scanner *s, int idx, const ksl_path *p, int depth) {
  lua_State *L = s->L;
  idx = lua_absindex(L, idx);
  if (depth > s->max_depth) {
    lua_pushfstring(L, "scan: nesting deeper than %d", s->max_depth);
    ksl_path_error(L, p, "scan", 0);
  }
  if (depth > s->deepest) s->deepest = depth;
  if (lua_type(L, idx) == LUA_TTABLE) {
    lua_Integer before = s->values;
    int outer = s->deepest;
    if (memo_hit(s, idx, p, depth)) return;
    count_values(s, 1, p);
    s->deepest = depth;
    scan_table(s, idx, p, depth);
    memo_put(s, idx, s->values - before, s->deepest - depth);
    if (outer > s->deepest) s->deepest = outer;
    return;
  }
  count_values(s, 1, p);
  if (lua_type(L, idx) == LUA_TSTRING) {
    size_t len;
    const char *str = lua_tolstring(L, idx, &len);
    /* deserialize would turn a string naming something into that thing */
    if (resolves(s, str, len)) add_item(s, p, "name", str, len, 1, NULL);
  }
}

/* ---- options and the entry point ------------------------------------------------ */

static const char *const SCAN_OPTIONS[] = {"max_values", NULL};

/* opts.max_values: a positive integer, KSL_MAX_VALUES when absent. The
** decoder's options (used when the document is text) are read by the
** decoder, which also refuses unknown names. */
static lua_Integer read_max_values(lua_State *L, int opts) {
  lua_Integer n = KSL_MAX_VALUES;
  if (lua_istable(L, opts) && lua_getfield(L, opts, "max_values") != LUA_TNIL) {
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1)
      ksl_error(L, "scan: option 'max_values' must be an integer from 1 to %I "
                "(got %s)", (LUAI_UACINT)LUA_MAXINTEGER, luaL_typename(L, -1));
    n = lua_tointeger(L, -1);
  }
  if (lua_istable(L, opts)) lua_pop(L, 1);
  return n;
}

/* Protected: 1 document (text or decoded), 2 options, 3 the engine box. */
static int scan_worker(lua_State *L) {
  scanner s;
  ksl_path root = KSL_PATH_ROOT;
  ksj_decode_opts dop;
  ksj_decode_opts_init(&dop);
  ksj_decode_opts_read(L, 2, &dop, "scan", SCAN_OPTIONS);
  s.L = L;
  s.box = 3;
  s.e = ksl_engine(L, s.box);
  s.unsafe = s.invalid = s.missing = 0;
  s.max_depth = dop.max_depth;
  s.values = 0;
  s.deepest = 0;
  s.max_values = read_max_values(L, 2);
  if (lua_type(L, 1) == LUA_TSTRING) {   /* text, as loads takes it */
    size_t len;
    const char *text = lua_tolstring(L, 1, &len);
    ksj_decode(L, text, len, &dop);
    lua_replace(L, 1);
  }
  lua_newtable(L);
  s.ids = lua_gettop(L);
  lua_newtable(L);
  s.memo = lua_gettop(L);
  lua_newtable(L);
  s.items = lua_gettop(L);
  scan_value(&s, 1, &root, 0);
  lua_createtable(L, 0, 4);
  lua_pushvalue(L, s.items);
  lua_setfield(L, -2, "items");
  lua_pushboolean(L, s.unsafe);
  lua_setfield(L, -2, "unsafe");
  lua_pushboolean(L, s.invalid);
  lua_setfield(L, -2, "invalid");
  lua_pushboolean(L, !s.unsafe && !s.invalid && !s.missing);
  lua_setfield(L, -2, "clean");
  return 1;
}

/* kserial.scan(document [, opts]) -> { items, unsafe, invalid, clean } */
static int l_scan(lua_State *L) {
  ksj_checkany(L, 1);
  lua_settop(L, 2);
  lua_pushcfunction(L, scan_worker);
  lua_insert(L, 1);
  lua_pushvalue(L, KSL_BOX);
  if (lua_pcall(L, 3, 1, 0) != LUA_OK) return ksl_raise(L, KSL_BOX);
  return 1;
}

void ksl_open_scan(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  lua_pushcclosure(L, l_scan, 1);
  lua_setfield(L, -2, "scan");
}
