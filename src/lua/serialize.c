/*
** serialize.c - kserial.serialize: live Lua values to a JSON-safe tree.
**
** One top-level call owns a ser_call (in the C frame of its entry point) and
** a call state (call.h; box user value KSL_UV_SERCTX) whose slots hold seen
** (object -> its envelope, and each envelope made -> the values it holds),
** dup (objects met more than once) and order (objects by first
** appearance). A serialize made by a hook while the walk runs joins the
** running call, so shared ids, cycle detection and max_values span the
** whole tree. Shared objects reuse their first envelope; their ids are
** given when the top-level call ends, in order of first appearance. A
** shared object is written in full at every place, so each copy counts the
** values of the first envelope again. A large plain table met again, when
** nothing since could make it write differently, does the same
** (ser_table); the walker holds that reuse table on its own stack, not in
** the per-call table. In dumps, the top-level walk writes plain tables as
** text at once where it can (fragments, ksj_fragment); the tree holds
** them as light userdata, which the encoder copies.
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ks_json.h"
#include "hook.h"
#include "ks_base64.h"
#include "ks_envelope.h"
#include "call.h"

typedef struct ksl_ser_call {
  const ksl_path *at;     /* the object whose hook is running (nested calls) */
  lua_Integer nobjects;   /* objects seen so far (order) */
  lua_Integer values;     /* JSON values the output holds so far */
  lua_Integer max_values; /* the max_values option */
  int allow_nan;          /* the encoder's value options (dumps passes them) */
  int int_keys;
  lua_Integer stamp;      /* moved by anything a place may write differently:
                          ** objects (their hooks), functions, bytes (see ser_table) */
  int max_depth;          /* the encoder's max_depth (dumps, save), else 512 */
  ksj_frags *frags;       /* dumps: plain tables may be encoded at once */
  int enc_max_depth;      /* the encoder's own max_depth */
} ser_call;

typedef struct walker {
  lua_State *L;
  ksl_box *box;
  int boxi;               /* stack index of the box */
  ser_call *call;
  int ctx;                /* stack index of the call state (call.h) */
  int seen, dup, order;   /* stack indices of the tables it holds */
  int arr_mt, obj_mt, marker_mt;
  int max_depth;
  int orders;             /* stack index of the recorded key orders */
  int reuse;              /* stack index: nil, or input table -> {out, size, depth} */
  lua_Integer reuse_stamp;/* the stamp the reuse table was made at */
  ksj_frags *frags;       /* the call's fragments, for the top-level walk of
                          ** dumps (a nested call's tree is the user's) */
  int stand;              /* stack index of two slots: nil, or empty tables
                          ** standing for a fragment's kind (a dict, an array) */
  int keys;               /* stack index of the first envelope key string
                          ** (ENVELOPE_KEYS, in that order) */
  const void *cfg;        /* the config get_config just returned, */
  const void *cfg_mt;     /* and its object's metatable */
  const void *mixed[16];  /* metatables whose last config held an object,
                          ** by address: their configs are walked at once */
} walker;


/* The keys of the envelopes the walk makes, pushed once per walker and
** set with lua_rawset (no string lookup per field). */
static const char *const ENVELOPE_KEYS[] = {
  "module", "class_name", "config", "registered_name", "build_config",
  "compile_config", NULL
};
enum { EK_MODULE, EK_CLASS_NAME, EK_CONFIG, EK_REGISTERED_NAME, EK_BUILD_CONFIG,
       EK_COMPILE_CONFIG, EK_COUNT };

static void push_ekey(walker *w, int k) {
  lua_pushvalue(w->L, w->keys + k);
}

static void ser_value(walker *w, int idx, const ksl_path *p, int depth);
static const char TABLE_AGAIN[] = "";   /* count_values: a plain table again */
static void count_values(walker *w, lua_Integer n, const ksl_path *p, const char *cls);

static int fail(walker *w, const ksl_path *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lua_pushvfstring(w->L, fmt, ap);
  va_end(ap);
  return ksl_path_error(w->L, p, "get_config()", w->ctx);
}

/* ---- plain tables ----------------------------------------------------------- */

static void describe_key(lua_State *L, int idx) {
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) lua_pushfstring(L, "%I", lua_tointeger(L, idx));
      else lua_pushfstring(L, "%f", lua_tonumber(L, idx));
      break;
    case LUA_TBOOLEAN:
      lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
      break;
    case LUA_TSTRING:
      lua_pushfstring(L, "'%s'", lua_tostring(L, idx));
      break;
    default:
      lua_pushfstring(L, "of type %s", luaL_typename(L, idx));
  }
}

/* int_keys = "string": an unmarked table is a dict unless its keys are
** exactly 1..n (the encoder writes the integer keys as strings). */
static int int_keyed_dict(lua_State *L, int idx, lua_Integer n) {
  lua_Integer count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
        lua_tointeger(L, -1) > n) {
      lua_pop(L, 1);
      return 1;
    }
    count++;
  }
  return count != n;
}

/* The number of keys of the table at idx, at most 64: a dict's copy is
** made at its size, without a rehash at every doubling. */
static int count_keys(lua_State *L, int idx) {
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (++n == 64) {
      lua_pop(L, 1);
      break;
    }
  }
  return n;
}

/* A dict loads would read as an envelope (the core's rules) must have the
** form loads accepts: never write what loads refuses. The dict is on top. */
static void check_envelope_form(walker *w, const ksl_path *p) {
  lua_State *L = w->L;
  ks_envelope ev;
  ks_env_verdict v;
  if (ksl_envelope_read(L, w->boxi, -1, &ev, &v, 0) == KS_ENV_NOT) return;
  if (v.err == KS_ENV_EKEYTYPE) {
    ksl_envelope_message(L, -1, &ev, &v, NULL);
    fail(w, p, "this dict would be read back as an envelope, which loads refuses: %s",
         lua_tostring(L, -1));
  }
  if (ev.f[KS_ENV_SHARED_OBJECT_ID].type == KS_V_INTEGER) {
    /* its id must not be one this call gives (assign_ids checks): note
    ** the first path of each id */
    lua_pushliteral(L, "shared_object_id");
    lua_rawget(L, -2);
    ksl_call_get(L, w->ctx, KSL_CALL_RAWIDS);
    lua_pushvalue(L, -2);
    if (lua_rawget(L, -2) == LUA_TNIL) {
      lua_pushvalue(L, -3);
      ksl_push_path(L, p, "get_config()", w->ctx);
      lua_rawset(L, -4);
    }
    lua_pop(L, 3);
  }
}

/* In dumps' own walk, a table it walks itself (one holding objects)
** becomes a composite (ksj_composite) rather than a copy, when it is
** small: its items wait on the stack until it is made. */
#define COMPOSE_MAX 64
#define COMPOSE_STACK (LUAI_MAXSTACK / 2)

/* Walks a table whose keys must be all strings or exactly 1..n (or, with
** int_keys, strings and integers). `kind`: KSL_TABLE_UNMARKED (decide from
** the keys), KSL_TABLE_ARRAY or KSL_TABLE_DICT. Pushes the result; a dict
** keeps its recorded key order. */
static void walk_table(walker *w, int idx, const ksl_path *p, int depth,
                       ksl_tkind kind) {
  lua_State *L = w->L;
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
  int intkeys = w->call->int_keys == KSJ_INT_KEYS_STRING;
  int isdict = kind == KSL_TABLE_DICT ||
               (kind == KSL_TABLE_UNMARKED &&
                (n == 0 || (intkeys && int_keyed_dict(L, idx, n))));
  int nkeys = 0, compose, base = 0;
  char num[32];
  ksl_path child = {p, NULL, 0, 0, NULL, NULL, 0, NULL};
  ksj_frags *frags = w->frags;
  luaL_checkstack(L, 8, "kserial: nesting too deep");
  /* a dict that may read as an envelope is checked by the types of its
  ** values (check_envelope_form): none of them may be a fragment */
  if (isdict && frags != NULL) {
    lua_pushliteral(L, "class_name");
    if (lua_rawget(L, idx) != LUA_TNIL) w->frags = NULL;
    lua_pop(L, 1);
  }
  /* in dumps the dicts walked are the ones holding objects, most of them
  ** larger than a few keys; serialize copies every small dict too */
  if (isdict && frags != NULL) nkeys = count_keys(L, idx);
  /* the pairs wait on the stack while the walk goes down (up to
  ** 2 * COMPOSE_MAX slots a level, where a copy takes a few): only in the
  ** first half of the stack Lua allows, so that the levels below, copied
  ** as before, still find the room they always had */
  compose = w->frags != NULL && kind != KSL_TABLE_DICT &&
            (isdict ? nkeys : n) < COMPOSE_MAX &&
            lua_gettop(L) < COMPOSE_STACK && lua_checkstack(L, 2 * COMPOSE_MAX + 8);
  if (compose) base = lua_gettop(L) + 1;
  else lua_createtable(L, isdict ? 0 : (int)n, !isdict ? 0 : frags != NULL ? nkeys : 4);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    int kt = lua_type(L, -2);
    if (isdict && (kt == LUA_TSTRING || (intkeys && lua_isinteger(L, -2)))) {
      if (kt == LUA_TSTRING) child.key = lua_tolstring(L, -2, &child.klen);
      else {
        child.klen = (size_t)snprintf(num, sizeof num, LUA_INTEGER_FMT,
                                      (LUAI_UACINT)lua_tointeger(L, -2));
        child.key = num;
      }
      ser_value(w, -1, &child, depth + 1);
      if (compose) {            /* the pair stays; a copy of the key for next */
        lua_replace(L, -2);
        lua_pushvalue(L, -2);
        count++;
        continue;
      }
      lua_pushvalue(L, -3);
      lua_insert(L, -2);
      lua_rawset(L, -5);
    } else if (kt == LUA_TNUMBER && lua_isinteger(L, -2) && !isdict &&
               lua_tointeger(L, -2) >= 1 && lua_tointeger(L, -2) <= n) {
      lua_Integer k = lua_tointeger(L, -2);
      child.key = NULL;
      child.index = k - 1;
      ser_value(w, -1, &child, depth + 1);
      count++;
      if (compose) {
        lua_replace(L, -2);
        lua_pushvalue(L, -2);
        continue;
      }
      lua_rawseti(L, -4, k);
    } else {
      describe_key(L, -2);
      fail(w, p, "a table must have only string keys (a dict) or exactly the "
           "keys 1..n (an array); found key %s", lua_tostring(L, -1));
    }
    lua_pop(L, 1);
  }
  w->frags = frags;
  if (!isdict && count != n)
    fail(w, p, "an array must have exactly the keys 1..%I; it has holes", n);
  if (compose) {
    if (ksj_composite(L, frags, (int)count, isdict, 0, depth, w->max_depth)) return;
    lua_createtable(L, isdict ? 0 : (int)n, isdict ? (int)count : 0);
    lua_insert(L, base);        /* the copy after all, from the pairs */
    while (lua_gettop(L) > base) lua_rawset(L, base);
  }
  lua_pushvalue(L, isdict ? w->obj_mt : w->arr_mt);
  lua_setmetatable(L, -2);
  if (kind == KSL_TABLE_DICT)   /* only marked dicts have one */
    ksj_copy_order(L, w->orders, idx, -1);
  if (isdict) check_envelope_form(w, p);
}

/* A table met again within one call is written again in full at each place,
** so a table holding the same sub-table twice at each of N levels asks for
** 2^N values. A table whose walk wrote at least REUSE_MIN values and ran
** nothing that could write differently at another place (no user code, no
** object, function or bytes string: call->stamp unchanged) is remembered
** until the stamp moves; met again no deeper, it charges its known count to
** max_values at once and its output table is used again (the same text). */
#define REUSE_MIN 64

/* Values one attempt at a fragment may hold: a larger table is walked,
** and its parts tried in turn, so a failed attempt costs at most this. */
#define FRAG_BUDGET 4096

/* dumps: a plain table with nothing in it for the walk to do is encoded
** at once (ksj_fragment), as the encoder would write the walk's copy. */
static int try_fragment(walker *w, int idx, int depth) {
  ser_call *c = w->call;
  lua_Integer left = c->max_values - c->values, budget;
  if (left > FRAG_BUDGET) left = FRAG_BUDGET;
  budget = left;
  if (!ksj_fragment(w->L, w->frags, idx, depth, w->max_depth, &left)) return 0;
  c->values += budget - left;
  return 1;
}

/* A class's configs mostly all hold an object or all do not: a config of
** a class whose last config could not be a fragment is walked without the
** attempt (a guess by address: a wrong one costs time, never text). */
#define MIXED_SLOT(mt) ((((size_t)(mt)) >> 4) & 15)

static int config_try(walker *w, int idx, int depth) {
  const void *t = lua_topointer(w->L, idx), *mt = w->cfg_mt;
  int ok;
  if (t != w->cfg) return try_fragment(w, idx, depth);
  w->cfg = NULL;
  if (w->mixed[MIXED_SLOT(mt)] == mt) return 0;
  ok = try_fragment(w, idx, depth);
  if (!ok) w->mixed[MIXED_SLOT(mt)] = mt;
  return ok;
}

static void ser_table(walker *w, int idx, const ksl_path *p, int depth,
                      ksl_tkind kind) {
  lua_State *L = w->L;
  lua_Integer before = w->call->values, stamp = w->call->stamp;
  if (w->reuse_stamp == stamp && lua_type(L, w->reuse) == LUA_TTABLE) {
    lua_pushvalue(L, idx);
    if (lua_rawget(L, w->reuse) == LUA_TTABLE) {
      lua_rawgeti(L, -1, 3);
      if (depth <= lua_tointeger(L, -1)) {
        lua_rawgeti(L, -2, 2);
        count_values(w, lua_tointeger(L, -1), p, TABLE_AGAIN);
        lua_rawgeti(L, -3, 1);
        lua_replace(L, -4);
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  if (kind == KSL_TABLE_DICT || w->frags == NULL || !config_try(w, idx, depth))
    walk_table(w, idx, p, depth, kind);
  if (w->call->stamp != stamp || w->call->values - before < REUSE_MIN) return;
  if (w->reuse_stamp != stamp || lua_type(L, w->reuse) != LUA_TTABLE) {
    lua_newtable(L);
    lua_replace(L, w->reuse);
    w->reuse_stamp = stamp;
  }
  lua_pushvalue(L, idx);
  lua_createtable(L, 3, 0);
  lua_pushvalue(L, -3);
  lua_rawseti(L, -2, 1);
  lua_pushinteger(L, w->call->values - before);
  lua_rawseti(L, -2, 2);
  lua_pushinteger(L, depth);
  lua_rawseti(L, -2, 3);
  lua_rawset(L, w->reuse);
}

/* ---- functions -------------------------------------------------------------- */

static void push_envelope(walker *w, int nrec) {
  lua_createtable(w->L, 0, nrec);
  lua_pushvalue(w->L, w->obj_mt);
  lua_setmetatable(w->L, -2);
}

/* Sets field k of the table on top to the value on top (popped). */
#define setf(L, k) lua_setfield((L), -2, (k))

static void push_opt_string(lua_State *L, const char *s, size_t len) {
  if (s) lua_pushlstring(L, s, len);
  else ksj_pushnull(L);
}

typedef struct dumpstate { int init; luaL_Buffer b; } dumpstate;

/* lua_dump's writer; like string.dump, the buffer starts on the first call,
** when the function being dumped is already held by lua_dump. */
static int writer(lua_State *L, const void *p, size_t sz, void *ud) {
  dumpstate *d = (dumpstate *)ud;
  if (!d->init) {
    d->init = 1;
    luaL_buffinit(L, &d->b);
  }
  luaL_addlstring(&d->b, (const char *)p, sz);
  return 0;
}

static void check_lambda(walker *w, int idx, const ksl_path *p) {
  lua_State *L = w->L;
  const char *up;
  int i;
  if (lua_iscfunction(L, idx))
    fail(w, p, "cannot serialize an unregistered C function: register it with "
         "kserial.register_serializable(package, name)");
  for (i = 1; (up = lua_getupvalue(L, idx, i)) != NULL; i++) {
    int ok = strcmp(up, "_ENV") == 0;
    if (!ok && strcmp(up, "(no name)") == 0) {  /* stripped: accept the globals */
      lua_pushglobaltable(L);
      ok = lua_rawequal(L, -1, -2);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (!ok)
      fail(w, p, "cannot serialize a lambda with upvalue '%s': only functions "
           "whose sole upvalue is _ENV can be stored as bytecode", up);
  }
}

static void ser_lambda(walker *w, int idx, const ksl_path *p) {
  lua_State *L = w->L;
  dumpstate d;
  size_t len;
  const char *bytes;
  luaL_Buffer b64;
  check_lambda(w, idx, p);
  count_values(w, 4, p, NULL);      /* class_name, config, value, format */
  lua_pushvalue(L, idx);            /* lua_dump wants the function on top */
  d.init = 0;
  lua_dump(L, writer, &d, 1);
  if (!d.init) luaL_buffinit(L, &d.b);
  luaL_pushresult(&d.b);
  bytes = lua_tolstring(L, -1, &len);
  luaL_buffinit(L, &b64);
  ksl_base64_encode(&b64, bytes, len);
  luaL_pushresult(&b64);
  lua_remove(L, -2);                /* the bytecode */
  lua_remove(L, -2);                /* the function */
  push_envelope(w, 2);
  lua_pushliteral(L, "__lambda__");
  setf(L, "class_name");
  push_envelope(w, 2);
  lua_rotate(L, -3, -1);            /* base64 on top */
  setf(L, "value");
  lua_pushliteral(L, "lua54-bytecode");
  setf(L, "format");
  setf(L, "config");
  ksl_push_path(L, p, "get_config()", w->ctx);
  lua_pushfstring(L, "kserial: serializing an unregistered function as a lambda "
                  "(at %s); loading it will need safe mode off", lua_tostring(L, -1));
  lua_warning(L, lua_tostring(L, -1), 0);
  lua_pop(L, 2);
}

static void ser_function(walker *w, int idx, const ksl_path *p) {
  lua_State *L = w->L;
  ks_engine *e = w->box->e;
  ks_handle h = ksl_handle(L, w->boxi, idx, 0);
  const char *key = NULL, *module = NULL;
  size_t klen = 0, mlen = 0;
  w->call->stamp++;                 /* names from the registry, or a warning */
  if (h != KS_NOHANDLE) {
    key = ks_registered_name(e, h, &klen);
    if (key == NULL) ks_module_find(e, h, &module, &mlen, &key, &klen);
  }
  if (key == NULL) {
    ser_lambda(w, idx, p);
    return;
  }
  count_values(w, 4, p, NULL);      /* module, class_name, config, registered_name */
  push_envelope(w, 4);
  push_opt_string(L, module, mlen);
  setf(L, "module");
  lua_pushliteral(L, "function");
  setf(L, "class_name");
  lua_pushlstring(L, key, klen);
  setf(L, "config");
  lua_pushlstring(L, key, klen);
  setf(L, "registered_name");
}

/* ---- objects ------------------------------------------------------------------ */

/* A hook of this walk, run at node for the object of class cls. */
static void init_hook(walker *w, ksl_hook *h, const char *name, const char *owner,
                      const ksl_path *node) {
  ksl_hook_at(h, name, owner, node, &w->call->at, w->ctx, w->boxi, "get_config()");
}

/* A table with no metatable or a JSON marker one. */
static int plain_table(lua_State *L, int idx) {
  int ok;
  if (!lua_getmetatable(L, idx)) return 1;
  ok = ksl_is_json_marker_mt(L, -1);
  lua_pop(L, 1);
  return ok;
}

/* Counts n more values in the output; past max_values, fails at p naming
** the object written in full again (an exponential graph of shared objects
** gives an exponential document). */
static void count_values(walker *w, lua_Integer n, const ksl_path *p, const char *cls) {
  ser_call *c = w->call;
  if (n <= c->max_values - c->values) {
    c->values += n;
    return;
  }
  if (cls == TABLE_AGAIN)
    fail(w, p, "the output would hold more than %I values (the max_values limit): "
         "this table is written in full at every place it appears; pass a larger "
         "max_values to serialize, dumps or save to allow it", c->max_values);
  if (cls != NULL)
    fail(w, p, "the output would hold more than %I values (the max_values limit): "
         "the object of class '%s' is written in full at every place it appears; "
         "pass a larger max_values to serialize, dumps or save to allow it",
         c->max_values, cls);
  fail(w, p, "the output would hold more than %I values (the max_values limit); "
       "pass a larger max_values to serialize, dumps or save to allow it",
       c->max_values);
}

/* Reports a cycle: the object at idx is already being built further up. */
static void check_cycle(walker *w, const void *ptr, const ksl_path *p, const char *cls) {
  const ksl_path *q;
  for (q = p->up; q != NULL; q = q->up) {
    if (q->obj == ptr) {
      lua_State *L = w->L;
      ksl_push_path(L, q, "get_config()", w->ctx);
      lua_pushfstring(L, "cycle: the object of class '%s' at %s contains itself "
                      "(reached again", cls, lua_tostring(L, -1));
      lua_remove(L, -2);
      ksl_push_path(L, p, "get_config()", w->ctx);
      lua_pushliteral(L, "); from_config() cannot rebuild a cycle");
      lua_concat(L, 2);
      lua_pushliteral(L, " at ");
      lua_insert(L, -2);
      lua_concat(L, 3);
      lua_pushliteral(L, "kserial: ");
      lua_insert(L, -2);
      lua_concat(L, 2);
      ksl_path_raise(L, w->ctx);
    }
  }
}

/* Notes in dup[obj] that the object at obj is shared (so that it gets an
** id), with the copy on top added to its list (or none when copy is 0). */
static void note_dup(walker *w, int obj, int copy) {
  lua_State *L = w->L;
  lua_pushvalue(L, obj);
  if (lua_rawget(L, w->dup) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, obj);
    lua_pushvalue(L, -2);
    lua_rawset(L, w->dup);
  }
  if (copy) {
    lua_pushvalue(L, -2);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  }
  lua_pop(L, 1);
}

/* An object met again: a new envelope with the fields of its first one
** (each appearance gets its own table, so a hook may add keys to it, as
** Keras's Functional does). The copy is listed in dup[obj] so that the
** shared id reaches it. dumps' own walk, whose tree no user code sees,
** writes its own first envelope again instead (seen[env] is negative for
** those: remember_object). Stack: first envelope -> the copy. */
static void copy_envelope(walker *w, int obj, const ksl_path *p, const char *cls,
                          int depth) {
  lua_State *L = w->L;
  int first = lua_gettop(L), i;
  lua_Integer size;
  ser_call *c = w->call;
  if (lua_type(L, first) == LUA_TLIGHTUSERDATA) {   /* a composite: dumps' own */
    size = -(lua_Integer)ksj_composite_tag(c->frags, lua_touserdata(L, first));
    lua_pushnil(L);
  } else {
    lua_pushvalue(L, first);
    lua_rawget(L, w->seen);             /* the values it holds */
    size = lua_tointeger(L, -1);
  }
  count_values(w, (size < 0 ? -size : size) - 1, p, cls);   /* 1 counted already */
  /* fragments in the first envelope become tables again when a user sees
  ** the copy (a nested call's result) or when it may land too deep for the
  ** encoder's limit (rare: then the encoder must see every table); a
  ** composite envelope gives way to tables made from it, which get its
  ** shared id too (ksj_composite_add) */
  if (c->frags != NULL &&
      (w->frags == NULL || depth + ksj_frags_reach(c->frags) > c->enc_max_depth))
    ksj_frags_expand(L, c->frags, first);
  if (size < 0 && w->frags != NULL) {   /* dumps' own: the same table again */
    lua_pop(L, 1);
    note_dup(w, obj, 0);
    return;
  }
  push_envelope(w, 7);                  /* first, size, copy */
  for (i = 0; i < EK_COUNT; i++) {      /* the first's fields */
    push_ekey(w, i);
    push_ekey(w, i);
    lua_rawget(L, first);
    lua_rawset(L, -3);
  }
  lua_pushvalue(L, -1);
  lua_pushinteger(L, size < 0 ? -size : size);
  lua_rawset(L, w->seen);               /* made by this call */
  lua_remove(L, first + 1);
  note_dup(w, obj, 1);
  lua_remove(L, first);
}

/* Runs the object's get_config (at node) and checks what it returns: the
** raw config is pushed. */
static void get_config(walker *w, int idx, ksl_hook *hk, const ksl_path *p,
                       const char *cls) {
  lua_State *L = w->L;
  if (ksl_hook_call(L, hk, idx, "get_config", 0) == KSL_HOOK_ABSENT) {
    lua_pushfstring(L, "Cannot serialize object of type %s. To be serializable, "
                    "a class must implement the get_config() method.", cls);
    ksl_path_error(L, p, "get_config()", w->ctx);
  }
  if (lua_type(L, -1) != LUA_TTABLE)
    fail(w, p, "The get_config() method of %s should return a table. It "
         "returned: %s", cls, ksj_typename(L, -1));
  if (!plain_table(L, -1))
    fail(w, p, "The get_config() method of %s should return a plain table. It "
         "returned a table with a metatable (%s), which would be written as an "
         "object, not as its config", cls, ksj_typename(L, -1));
}

/* The envelope ser_object makes: in dumps' own walk its fields wait on
** the stack as (key, value) pairs until it becomes a composite
** (make_envelope); elsewhere a table of 8 slots, room for every field and
** the shared id (sized exactly, 4 slots, it is a small block for malloc,
** whose fast bins cost more than the slots saved), set field by field. */
typedef struct envb {
  int t;                  /* stack index of the table, or 0 */
  int pairs;              /* fields waiting on the stack */
} envb;

/* The field on top (a key and its value) goes into the envelope. */
static void env_set(walker *w, envb *b) {
  if (b->t != 0) lua_rawset(w->L, b->t);
  else b->pairs++;
}

/* Gives the envelope its names, as three (key, value) pairs: module,
** class_name and registered_name, from the registry, then the modules,
** then the metatable's __module and __name. Read after the config's walk
** (a hook may change the registry), and before anything else can run.
** name: the stack index of cls as a Lua string, or 0. */
static void push_names(walker *w, envb *b, int mt, const char *cls, int name) {
  lua_State *L = w->L;
  ks_engine *e = w->box->e;
  const char *rname = NULL, *module = NULL, *mkey = NULL;
  size_t rlen = 0, mlen = 0, mklen = 0;
  ks_handle h = ksl_handle(L, w->boxi, mt, 0);
  if (h != KS_NOHANDLE) {
    rname = ks_registered_name(e, h, &rlen);
    if (rname == NULL) ks_module_find(e, h, &module, &mlen, &mkey, &mklen);
  }
  push_ekey(w, EK_MODULE);
  if (module == NULL) {
    lua_pushliteral(L, "__module");
    if (lua_rawget(L, mt) != LUA_TSTRING) {
      lua_pop(L, 1);
      ksj_pushnull(L);
    }
  } else {
    lua_pushlstring(L, module, mlen);
  }
  env_set(w, b);
  push_ekey(w, EK_CLASS_NAME);
  if (mkey) lua_pushlstring(L, mkey, mklen);
  else if (name) lua_pushvalue(L, name);
  else lua_pushstring(L, cls);
  env_set(w, b);
  push_ekey(w, EK_REGISTERED_NAME);
  if (rname) lua_pushlstring(L, rname, rlen);
  else if (mkey) ksj_pushnull(L);
  else if (name) lua_pushvalue(L, name);
  else lua_pushstring(L, cls);
  env_set(w, b);
}

/* The value at idx for the checks that look at its type: a fragment
** stands as an empty table of its kind (a dict or an array), made once per
** walker. */
static int kind_at(walker *w, int idx) {
  lua_State *L = w->L;
  int k, slot;
  idx = lua_absindex(L, idx);
  if (w->call->frags == NULL || lua_type(L, idx) != LUA_TLIGHTUSERDATA) return idx;
  k = ksj_fragment_kind(w->call->frags, lua_touserdata(L, idx));
  if (k == 0) return idx;
  slot = w->stand + (k == '[');
  if (lua_isnil(L, slot)) {
    lua_createtable(L, 0, 0);
    lua_pushvalue(L, k == '[' ? w->arr_mt : w->obj_mt);
    lua_setmetatable(L, -2);
    lua_replace(L, slot);
  }
  return slot;
}

/* Runs get_build_config and get_compile_config, and gives the envelope
** what they return (walked at cfgnode). */
static void build_hooks(walker *w, envb *b, int idx, ksl_hook *hk,
                        ksl_path *cfgnode, int depth) {
  static const char *const hooks[][2] = {
    {"get_build_config", "build_config"},
    {"get_compile_config", "compile_config"}
  };
  static const ks_env_key keys[] = {KS_ENV_BUILD_CONFIG, KS_ENV_COMPILE_CONFIG};
  static const int ekeys[] = {EK_BUILD_CONFIG, EK_COMPILE_CONFIG};
  lua_State *L = w->L;
  int i;
  for (i = 0; i < 2; i++) {
    const char *bad;
    hk->name = hooks[i][0];
    if (ksl_hook_call(L, hk, idx, hooks[i][0], 0) == KSL_HOOK_ABSENT) continue;
    w->call->stamp++;               /* user code ran after the config's walk */
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    cfgnode->key = hooks[i][1];
    cfgnode->klen = strlen(hooks[i][1]);
    push_ekey(w, ekeys[i]);
    ser_value(w, -2, cfgnode, depth + 1);
    /* the reader's rule: never write what loads refuses */
    if ((bad = ksl_hook_config_bad(L, w->boxi, kind_at(w, -1), keys[i])) != NULL)
      ksl_hook_fail(L, hk, "returned %s; an envelope's \"%s\" must be %s, "
                    "and loads would refuse it", bad, hooks[i][1],
                    ks_envelope_want(keys[i], KS_V_OTHER));
    lua_remove(L, -3);              /* what the hook returned */
    env_set(w, b);
  }
}

/* Finishes the envelope (at depth): a table is done; fields waiting on
** the stack become a composite with room for the shared id
** (ksj_composite), or a table after all. Leaves the envelope on top. */
static void make_envelope(walker *w, envb *b, int depth) {
  lua_State *L = w->L;
  int pairs = b->pairs, env = lua_gettop(L) - 2 * pairs + 1, i;
  if (b->t != 0 ||
      ksj_composite(L, w->frags, pairs, 1, 1, depth, w->max_depth))
    return;
  push_envelope(w, 7);
  for (i = env; i < env + 2 * pairs; i += 2) {
    lua_pushvalue(L, i);
    lua_pushvalue(L, i + 1);
    lua_rawset(L, -3);
  }
  lua_replace(L, env);
  lua_settop(L, env);
}

/* Notes the object at idx, whose envelope is on top and whose walk started
** when the call had written `before` values: its envelope and size
** (seen[obj] = env, seen[env] = the values it holds) and its place in
** order. */
static void remember_object(walker *w, int idx, lua_Integer before) {
  lua_State *L = w->L;
  lua_Integer size = w->call->values - before + 1;
  lua_pushvalue(L, idx);
  lua_pushvalue(L, -2);
  lua_rawset(L, w->seen);
  if (lua_type(L, -1) == LUA_TLIGHTUSERDATA)   /* a composite keeps it */
    ksj_composite_settag(w->frags, lua_touserdata(L, -1), (size_t)size);
  else {
    lua_pushvalue(L, -1);
    /* negative: made by dumps' own walk, which no user code sees */
    lua_pushinteger(L, w->frags != NULL ? -size : size);
    lua_rawset(L, w->seen);
  }
  lua_pushvalue(L, idx);
  lua_rawseti(L, w->order, ++w->call->nobjects);
}

static void ser_object(walker *w, int idx, int mt, const ksl_path *p, int depth) {
  lua_State *L = w->L;
  const void *ptr = lua_topointer(L, idx);
  /* the class name stays on the stack: a hook may change the metatable */
  int anchor = lua_gettop(L) + 1;
  const char *cls = (lua_pushliteral(L, "__name"), lua_rawget(L, mt) == LUA_TSTRING)
                        ? lua_tostring(L, anchor) : NULL;   /* raw: no user code */
  ksl_path node = *p;
  ksl_path cfgnode = {NULL, "config", 6, 0, NULL, NULL, 0, NULL};
  ksl_hook hk = KSL_HOOK_INIT;
  lua_Integer before = w->call->values;
  envb b = {0, 0};
  int raw;
  if (cls == NULL) cls = luaL_typename(L, idx);
  /* the envelope's fields may wait on the stack until it is made */
  luaL_checkstack(L, 20, "kserial: nesting too deep");
  /* a shared object met before: its envelope again */
  lua_pushvalue(L, idx);
  if (lua_rawget(L, w->seen) != LUA_TNIL) {    /* a table or a composite */
    copy_envelope(w, idx, p, cls, depth);
    lua_remove(L, anchor);
    return;
  }
  lua_pop(L, 1);
  check_cycle(w, ptr, p, cls);
  node.obj = ptr;
  node.cls = cls;
  cfgnode.up = &node;
  init_hook(w, &hk, "get_config", cls, &node);
  get_config(w, idx, &hk, p, cls);
  raw = lua_gettop(L);
  count_values(w, 3, p, NULL);     /* module, class_name, registered_name */
  if (w->frags == NULL) {          /* a table */
    push_envelope(w, 7);
    b.t = lua_gettop(L);
  }
  push_ekey(w, EK_CONFIG);
  w->cfg = lua_topointer(L, raw);
  w->cfg_mt = lua_topointer(L, mt);
  ser_value(w, raw, &cfgnode, depth + 1);
  w->cfg = NULL;
  env_set(w, &b);
  lua_remove(L, raw);                           /* the raw config */
  if (b.t != 0) b.t = raw;
  /* __name's string itself when it is cls: the name is cls up to a NUL
  ** byte, as every message spells it */
  push_names(w, &b, mt, cls,
             lua_type(L, anchor) == LUA_TSTRING && lua_rawlen(L, anchor) == strlen(cls)
                 ? anchor : 0);
  build_hooks(w, &b, idx, &hk, &cfgnode, depth);
  make_envelope(w, &b, depth);
  remember_object(w, idx, before);
  lua_remove(L, anchor);
}

/* Special handlers with an encode function get the first word on objects. */
static int ser_special(walker *w, int idx, const ksl_path *p, int depth) {
  lua_State *L = w->L;
  ksl_path node = *p, cfgnode = {&node, "config", 6, 0, NULL, NULL, 0, NULL};
  ksl_hook h = KSL_HOOK_INIT;
  int handlers;
  node.obj = lua_topointer(L, idx);
  ksl_push_uv(L, w->boxi, KSL_UV_SPECIAL);
  handlers = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, handlers)) {
    if (lua_getfield(L, -1, "encode") == LUA_TFUNCTION) {
      node.cls = lua_tostring(L, -3);
      init_hook(w, &h, "encode", node.cls, &node);
      h.special = 1;
      lua_pushvalue(L, idx);
      ksl_hook_call(L, &h, 0, NULL, 1);
      if (!lua_isnil(L, -1)) {
        count_values(w, 1, p, NULL);   /* class_name */
        push_envelope(w, 2);
        lua_pushvalue(L, -4);
        setf(L, "class_name");
        ser_value(w, -2, &cfgnode, depth + 1);
        setf(L, "config");
        lua_replace(L, handlers);
        lua_settop(L, handlers);
        return 1;
      }
      /* the encode() ran user code: if it unregistered its own handler,
      ** lua_next could not go on from it */
      lua_pushvalue(L, -3);
      if (lua_rawget(L, handlers) == LUA_TNIL)
        ksl_hook_fail(L, &h, "unregistered its own special handler while "
                      "serialize was asking the handlers");
      lua_pop(L, 1);
    }
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  return 0;
}

/* An envelope made by this call (seen[env] is its size), passed back to the
** walk by a hook that called serialize itself. It must stay the same table:
** shared ids are written into it when the call ends. */
static int made_here(walker *w, int idx) {
  int r;
  lua_pushvalue(w->L, idx);
  r = lua_rawget(w->L, w->seen) == LUA_TNUMBER;
  lua_pop(w->L, 1);
  return r;
}

/* ---- the dispatcher --------------------------------------------------------------- */

static void ser_string(walker *w, int idx, const ksl_path *p) {
  lua_State *L = w->L;
  size_t len, bad;
  const char *s = lua_tolstring(L, idx, &len);
  luaL_Buffer b;
  if (ksl_utf8_valid(s, len, &bad)) {
    lua_pushvalue(L, idx);
    return;
  }
  w->call->stamp++;                 /* a warning at each place */
  count_values(w, 4, p, NULL);      /* class_name, config, value, encoding */
  push_envelope(w, 2);
  lua_pushliteral(L, "__bytes__");
  setf(L, "class_name");
  push_envelope(w, 2);
  luaL_buffinit(L, &b);
  ksl_base64_encode(&b, s, len);
  luaL_pushresult(&b);
  setf(L, "value");
  lua_pushliteral(L, "base64");
  setf(L, "encoding");
  setf(L, "config");
  ksl_push_path(L, p, "get_config()", w->ctx);
  lua_pushfstring(L, "kserial: serializing a string that is not UTF-8 as base64 "
                  "bytes (at %s); Keras reads it back as the base64 text itself",
                  lua_tostring(L, -1));
  lua_warning(L, lua_tostring(L, -1), 0);
  lua_pop(L, 2);
}

/* A table or full userdata: plain, marked (array, dict, or an envelope of
** this call kept as it is), or an object (special handlers first). Returns
** 0 for a userdata with no metatable, which cannot be written. */
static int ser_composite(walker *w, int idx, const ksl_path *p, int depth) {
  lua_State *L = w->L;
  ksl_tkind kind;
  if (!lua_getmetatable(L, idx)) {
    if (lua_type(L, idx) == LUA_TUSERDATA) return 0;
    ser_table(w, idx, p, depth, KSL_TABLE_UNMARKED);
    return 1;
  }
  kind = lua_rawequal(L, -1, w->arr_mt) ? KSL_TABLE_ARRAY
       : (lua_rawequal(L, -1, w->obj_mt) || lua_rawequal(L, -1, w->marker_mt))
         ? KSL_TABLE_DICT : KSL_TABLE_OTHER;
  if (kind != KSL_TABLE_OTHER && lua_type(L, idx) == LUA_TTABLE) {
    lua_pop(L, 1);
    if (kind == KSL_TABLE_DICT && made_here(w, idx)) {
      lua_pushvalue(L, idx);       /* an envelope of this call: keep it */
      return 1;
    }
    ser_table(w, idx, p, depth, kind);
    return 1;
  }
  /* an object: its hooks may change any table, and a shared object's
  ** copies are distinct tables (each gets the id); the build hooks, which
  ** run after the config's walk, move the stamp again */
  w->call->stamp++;
  if (w->box->nspecial_encode > 0 && ser_special(w, idx, p, depth)) {
    lua_remove(L, -2);
    return 1;
  }
  ser_object(w, idx, lua_gettop(L), p, depth);
  lua_remove(L, -2);
  return 1;
}

static void ser_value(walker *w, int idx, const ksl_path *p, int depth) {
  lua_State *L = w->L;
  idx = lua_absindex(L, idx);
  count_values(w, 1, p, NULL);
  if (depth > w->max_depth)
    fail(w, p, "nesting deeper than %d (a table that contains itself?)", w->max_depth);
  switch (lua_type(L, idx)) {
    case LUA_TNIL: case LUA_TBOOLEAN:
      lua_pushvalue(L, idx);
      return;
    case LUA_TNUMBER:
      if (!lua_isinteger(L, idx) && !isfinite(lua_tonumber(L, idx)) &&
          !w->call->allow_nan) {
        lua_Number d = lua_tonumber(L, idx);   /* named as the codec names it */
        fail(w, p, "cannot serialize the number %s: JSON has no NaN or infinity",
             d != d ? "NaN" : d > 0 ? "inf" : "-inf");
      }
      lua_pushvalue(L, idx);
      return;
    case LUA_TSTRING:
      ser_string(w, idx, p);
      return;
    case LUA_TFUNCTION:
      ser_function(w, idx, p);
      return;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, idx) == NULL) {
        lua_pushvalue(L, idx);
        return;
      }
      break;
    case LUA_TTABLE: case LUA_TUSERDATA:
      if (ser_composite(w, idx, p, depth)) return;
      break;
    default:
      break;
  }
  fail(w, p, "cannot serialize a value of type %s", ksj_typename(L, idx));
}

/* ---- entry points ------------------------------------------------------------------ */

static void walker_init(walker *w, lua_State *L, int box, ser_call *call) {
  int i;
  w->L = L;
  w->boxi = lua_absindex(L, box);
  w->box = ksl_box_at(L, box);
  w->call = call;
  w->max_depth = call->max_depth;
  ksl_push_uv(L, box, KSL_UV_SERCTX);
  w->ctx = lua_gettop(L);
  ksl_call_get(L, w->ctx, KSL_CALL_SEEN);
  ksl_call_get(L, w->ctx, KSL_CALL_DUP);
  ksl_call_get(L, w->ctx, KSL_CALL_ORDER);
  w->order = lua_gettop(L);
  w->dup = w->order - 1;
  w->seen = w->order - 2;
  ksl_push_markers(L, box, &w->arr_mt, &w->obj_mt, &w->marker_mt);
  ksj_push_orders(L, 1);   /* made now, so orders recorded by a hook count */
  w->orders = lua_gettop(L);
  lua_pushnil(L);          /* the reuse table, made when first needed */
  w->reuse = lua_gettop(L);
  luaL_checkstack(L, EK_COUNT + 2, "kserial: nesting too deep");
  w->keys = lua_gettop(L) + 1;
  for (i = 0; i < EK_COUNT; i++) lua_pushstring(L, ENVELOPE_KEYS[i]);
  w->reuse_stamp = -1;
  w->frags = call->frags;
  lua_pushnil(L);
  lua_pushnil(L);
  w->stand = lua_gettop(L) - 1;
  w->cfg = w->cfg_mt = NULL;
  memset(w->mixed, 0, sizeof w->mixed);
}

/* Gives shared ids, in order of first appearance, to the objects met more
** than once: on their first envelope and on every copy. */
static void check_raw_ids(walker *w, lua_Integer nids);

static void assign_ids(walker *w) {
  lua_State *L = w->L;
  lua_Integer i, j, n, id = 0;
  for (i = 1; i <= w->call->nobjects; i++) {
    lua_rawgeti(L, w->order, i);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, w->dup) == LUA_TTABLE) {
      id++;
      lua_pushvalue(L, -2);
      if (lua_rawget(L, w->seen) == LUA_TLIGHTUSERDATA)   /* a composite */
        ksj_composite_add(L, w->call->frags, -1, "shared_object_id", id);
      else {
        lua_pushinteger(L, id);
        lua_setfield(L, -2, "shared_object_id");
      }
      lua_pop(L, 1);
      n = (lua_Integer)lua_rawlen(L, -1);
      for (j = 1; j <= n; j++) {
        lua_rawgeti(L, -1, j);
        lua_pushinteger(L, id);
        lua_setfield(L, -2, "shared_object_id");
        lua_pop(L, 1);
      }
    }
    lua_pop(L, 2);
  }
  check_raw_ids(w, id);
}

/* A dict written as it was (not an object's envelope) whose shared_object_id
** is one of the ids 1..nids this call gives would be read back as that
** object: an error at the dict's path. */
static void check_raw_ids(walker *w, lua_Integer nids) {
  lua_State *L = w->L;
  if (ksl_call_get(L, w->ctx, KSL_CALL_RAWIDS) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_Integer id = lua_tointeger(L, -2);
      if (id >= 1 && id <= nids) {
        lua_pushfstring(L, "kserial: this dict's shared_object_id %I is also the id "
                        "this call gives to a shared object, so loads would give it "
                        "that object (at %s)", id, lua_tostring(L, -1));
        ksl_path_raise(L, w->ctx);
      }
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
}

/* Protected worker of a top-level call: 1 value, 2 ser_call, 3 the box. */
static int ser_top(lua_State *L) {
  ser_call *call = (ser_call *)lua_touserdata(L, 2);
  ksl_path root = KSL_PATH_ROOT;
  walker w;
  lua_settop(L, 3);
  walker_init(&w, L, 3, call);
  ser_value(&w, 1, &root, 0);
  assign_ids(&w);
  return 1;
}

static void new_ctx(lua_State *L, int box) {
  ksl_call_new(L);
  lua_setiuservalue(L, box, KSL_UV_SERCTX);
}

int ksl_serialize_value(lua_State *L, int boxi, int idx, const ksj_encode_opts *eo,
                        lua_Integer max_values) {
  ksl_box *box = ksl_box_at(L, boxi);
  ser_call *outer = box->ser;
  ser_call call = {NULL, 0, 0, 0, 0, KSJ_INT_KEYS_ERROR, 0, KSJ_DEFAULT_MAX_DEPTH,
                   NULL, KSJ_DEFAULT_MAX_DEPTH};
  if (eo != NULL) {
    call.allow_nan = eo->allow_nan;
    call.int_keys = eo->int_keys;
    call.frags = eo->frags;
    call.enc_max_depth = eo->max_depth;
    /* the walk nests as deep as the encoder allows (a lower limit is the
    ** encoder's to report, with the name of the function called) */
    if (eo->max_depth > call.max_depth) call.max_depth = eo->max_depth;
  }
  int st;
  idx = lua_absindex(L, idx);
  boxi = lua_absindex(L, boxi);
  if (outer != NULL) {       /* nested: join the running call */
    ksl_path root = {outer->at, NULL, 0, 0, NULL, NULL, 1, NULL};
    walker w;
    int top = lua_gettop(L);
    walker_init(&w, L, boxi, outer);
    w.frags = NULL;
    ser_value(&w, idx, &root, 0);
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
    return LUA_OK;
  }
  call.max_values = max_values;
  new_ctx(L, boxi);
  lua_pushcfunction(L, ser_top);
  lua_pushvalue(L, idx);
  lua_pushlightuserdata(L, &call);
  lua_pushvalue(L, boxi);
  box->ser = &call;          /* only now: a push above may raise (memory) */
  st = lua_pcall(L, 3, 1, 0);
  box->ser = NULL;
  lua_pushnil(L);
  lua_setiuservalue(L, boxi, KSL_UV_SERCTX);
  return st;
}

typedef struct max_values_read {
  lua_Integer n;
  int only;              /* other names are unknown options */
} max_values_read;

static int max_values_opt(lua_State *L, const char *k, const char *fname, void *ud) {
  max_values_read *r = (max_values_read *)ud;
  if (strcmp(k, "max_values") == 0) r->n = ksj_opt_int(L, fname, k, 1, LUA_MAXINTEGER);
  else return !r->only;
  return 1;
}

lua_Integer ksl_max_values_opt(lua_State *L, int idx, const char *fname, int only) {
  max_values_read r = {KSL_MAX_VALUES, only};
  ksj_opts_each(L, idx, fname, NULL, max_values_opt, &r);
  return r.n;
}

/* serialize(value [, opts]): opts are the encoder's value options
** (allow_nan, int_keys), so a tree it accepts encodes with them, and
** max_values. */
static int l_serialize(lua_State *L) {
  static const char *const extra[] = {"max_values", NULL};
  ksj_encode_opts eo;
  lua_Integer max_values;
  ksj_checkany(L, 1);
  lua_settop(L, 2);
  ksj_encode_opts_init(&eo);
  ksj_value_opts_read(L, 2, &eo, "serialize", extra);
  max_values = ksl_max_values_opt(L, 2, "serialize", 0);
  if (ksl_serialize_value(L, KSL_BOX, 1, &eo, max_values) != LUA_OK) return ksl_raise(L, KSL_BOX);
  return 1;
}

void ksl_open_serialize(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  lua_pushcclosure(L, l_serialize, 1);
  lua_setfield(L, -2, "serialize");
}
