/*
** path.c - JSON paths for error messages ($.config.layers[3].name): where
** a walk's node sits, through the calls hooks make; the segments are drawn
** by the codec's renderer (ksj_addpath_key, src/json/common.c).
*/
#include <string.h>
#include "ks_walk.h"
#include "call.h"
#include "hook.h"

/* Pushes the segments of the nodes from the root down to p (p included),
** stopping at the root of the call p belongs to (*callroot), drawn by the
** codec's path renderer (one spelling of a location in every message). */
static void push_nodes(lua_State *L, const ksl_path *p, const ksl_path **callroot) {
  const ksl_path *q, **v;
  size_t n = 0, i;
  luaL_Buffer b;
  for (q = p; q != NULL && !q->nested && q->up != NULL; q = q->up) n++;
  *callroot = q;
  /* the nodes are linked leaf to root: in order in a userdata (an error
  ** while building the message cannot leak it) */
  v = (const ksl_path **)lua_newuserdatauv(L, n * sizeof *v + 1, 0);
  i = n;
  for (q = p; i > 0; q = q->up) v[--i] = q;
  luaL_buffinit(L, &b);
  for (i = 0; i < n; i++) {
    if (v[i]->key != NULL) ksj_addpath_key(&b, v[i]->key, v[i]->klen);
    else ksj_addpath_index(&b, v[i]->index);
  }
  luaL_pushresult(&b);
  lua_remove(L, -2);
}

/* ---- where a nested call's value sits in its owner's config ---------------------- */

KSL_HOT int ksl_path_depth(const ksl_path *p) {
  int n = 0;
  for (; p != NULL; p = p->up)
    if (p->obj != NULL) n++;
  return n;
}

/* The call state keeps, for the object whose hook runs (its path node),
** the config the hook got, at the node's depth (call.h); the table the hook
** gives a nested call is that call's root's `arg`. Pushes the config noted
** for node (nil when there is none) and returns its type. */
static int get_config_note(lua_State *L, int ctx, const ksl_path *node) {
  int d = ksl_path_depth(node);
  if (d >= KSL_NOTE_DEPTHS) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  ksl_call_get(L, ctx, KSL_CALL_NOTES);
  lua_rawgeti(L, -1, d + 1);
  lua_remove(L, -2);
  return lua_type(L, -1);
}

/* The envelope key the config noted for node was read from ("config",
** "build_config", "compile_config"). */
static const char *config_key(lua_State *L, int ctx, const ksl_path *node) {
  const ksl_call *c = (const ksl_call *)lua_touserdata(L, ctx);
  int d = ksl_path_depth(node);
  return ks_envelope_key(d < KSL_NOTE_DEPTHS ? (ks_env_key)c->key[d] : KS_ENV_CONFIG);
}

#define LOCATE_MAX_DEPTH 64
#define LOCATE_MAX_VISITS 100000

typedef struct locator {
  lua_State *L;
  const void *target;
  long visits;
} locator;

/* Searches the table at idx for the table `target` (by identity). When
** found, pushes its path below idx (".layers[1]") and returns 1; the nodes
** above are in `up` (a chain ending at a node with up == NULL). */
static int locate_in(locator *lc, int idx, const ksl_path *up, int depth) {
  lua_State *L = lc->L;
  if (depth >= LOCATE_MAX_DEPTH || !lua_checkstack(L, 4)) return 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    ksl_path node = {up, NULL, 0, 0, NULL, NULL, 0, NULL};
    int kt = lua_type(L, -2);
    if (++lc->visits > LOCATE_MAX_VISITS) {
      lua_pop(L, 2);
      return 0;
    }
    if (lua_type(L, -1) != LUA_TTABLE ||
        (kt != LUA_TSTRING && !lua_isinteger(L, -2))) {
      lua_pop(L, 1);
      continue;
    }
    if (kt == LUA_TSTRING) node.key = lua_tolstring(L, -2, &node.klen);
    else node.index = lua_tointeger(L, -2) - 1;          /* paths are 0-based */
    if (lua_topointer(L, -1) == lc->target) {
      const ksl_path *root;
      push_nodes(L, &node, &root);
    } else if (!locate_in(lc, lua_gettop(L), &node, depth + 1)) {
      lua_pop(L, 1);
      continue;
    }
    lua_replace(L, -3);            /* the path (on top) replaces the key */
    lua_pop(L, 1);                 /* and the value goes */
    return 1;
  }
  return 0;
}

/* For the root of a nested deserialize, pushes where its value sits in the
** config of the object whose from_config() made the call (".layers[1]",
** or "" for the config itself) and returns 1; returns 0 (nothing pushed)
** when the call state does not know both, or the value is not found. */
static int locate(lua_State *L, int ctx, const ksl_path *root) {
  locator lc;
  int cfg, found;
  if (ctx == 0 || !lua_checkstack(L, 6)) return 0;
  get_config_note(L, ctx, root->up);             /* the owner's config */
  cfg = lua_gettop(L);
  lc.target = root->arg;               /* what the hook gave the call */
  if (lc.target == NULL || lua_type(L, cfg) != LUA_TTABLE) {
    lua_pop(L, 1);
    return 0;
  }
  lc.L = L;
  lc.visits = 0;
  if (lua_topointer(L, cfg) == lc.target) {
    lua_pushliteral(L, "");
    found = 1;
  } else {
    ksl_path top = {NULL, NULL, 0, 0, NULL, NULL, 0, NULL};
    found = locate_in(&lc, cfg, &top, 0);
  }
  if (found) lua_remove(L, cfg);
  else lua_pop(L, 1);
  return found;
}

KSL_HOT void ksl_path_note_at(lua_State *L, int ctx, int depth, int idx,
                              const ksl_hook *h) {
  ksl_call *c;
  int table;
  if (ctx == 0 || depth >= KSL_NOTE_DEPTHS) return;
  c = (ksl_call *)lua_touserdata(L, ctx);
  table = idx != 0 && lua_type(L, idx) == LUA_TTABLE;
  if (h != NULL) {
    c->key[depth] = (unsigned char)h->note_key;
    c->who[depth] = h->special ? KSL_WHO_SPECIAL : KSL_WHO_CLASS;
  }
  idx = table ? lua_absindex(L, idx) : 0;
  ksl_call_get(L, ctx, KSL_CALL_NOTES);
  if (table) lua_pushvalue(L, idx);
  else lua_pushnil(L);
  lua_rawseti(L, -2, depth + 1);
  lua_pop(L, 1);
}

void ksl_path_note(lua_State *L, int ctx, const ksl_path *node, int idx) {
  ksl_path_note_at(L, ctx, ksl_path_depth(node), idx, NULL);  /* keeps the hook's */
}

const char *ksl_path_is_config(lua_State *L, int ctx, const ksl_path *node, int idx) {
  int same;
  if (ctx == 0 || node == NULL) return NULL;
  idx = lua_absindex(L, idx);
  same = get_config_note(L, ctx, node) == LUA_TTABLE &&
         lua_rawequal(L, -1, idx);
  lua_pop(L, 1);
  return same ? config_key(L, ctx, node) : NULL;
}

/* ---- the path of an error -------------------------------------------------------- */

/* Calls on values a hook made (not found in its config) that a path names
** before the rest of it is shortened to "$...": the innermost calls say
** where the problem is. A path through values found in the configs is
** written whole (the object nesting limit bounds it). */
#define PATH_MAX_CALLS 8

static void push_path(lua_State *L, const ksl_path *p, const char *hook, int ctx,
                      int calls);

/* Pushes the hook that runs at owner, making a nested call: the one the
** notes name ("build_from_config() of 'X'"), else `hook` (the walk's side,
** "get_config()": serialize does not note). */
static void push_maker(lua_State *L, int ctx, const ksl_path *owner, const char *hook) {
  const ksl_call *c = ctx != 0 ? (const ksl_call *)lua_touserdata(L, ctx) : NULL;
  int d = ksl_path_depth(owner);
  if (c != NULL && d < KSL_NOTE_DEPTHS && c->who[d] != KSL_WHO_NONE && owner->cls != NULL) {
    int special = c->who[d] == KSL_WHO_SPECIAL;
    ksl_push_hook_label(L, ksl_des_hook_name((ks_env_key)c->key[d], special), special,
                        owner->cls);
  }
  else if (owner->cls != NULL)
    lua_pushfstring(L, "%s of '%s'", hook, owner->cls);
  else
    lua_pushstring(L, hook);
}

/* Pushes the path of the owner of a nested call, or "$..." past the limit. */
static void push_owner(lua_State *L, const ksl_path *owner, const char *hook,
                       int ctx, int calls) {
  if (calls >= PATH_MAX_CALLS) lua_pushliteral(L, "$...");
  else push_path(L, owner, hook, ctx, calls + 1);
}

void ksl_push_path(lua_State *L, const ksl_path *p, const char *hook, int ctx) {
  push_path(L, p, hook, ctx, 0);
}

static void push_path(lua_State *L, const ksl_path *p, const char *hook, int ctx,
                      int calls) {
  const ksl_path *root, *owner;
  luaL_checkstack(L, 8, "kserial: path too deep");
  push_nodes(L, p, &root);                      /* the nodes inside this call */
  if (root == NULL || !root->nested || root->up == NULL) {
    lua_pushliteral(L, "$");
    lua_insert(L, -2);
    lua_concat(L, 2);
    ksj_cutpath(L);                             /* as the codec cuts its paths */
    return;
  }
  owner = root->up;
  if (locate(L, ctx, root)) {
    /* a value of the owner's config: one path from the document's root */
    push_path(L, owner, hook, ctx, calls);      /* nodes, found, owner */
    lua_insert(L, -3);                          /* owner, nodes, found */
    lua_rotate(L, -2, 1);                       /* owner, found, nodes */
    lua_pushfstring(L, ".%s", config_key(L, ctx, owner));  /* the config's key */
    lua_insert(L, -3);
    lua_concat(L, 4);                           /* owner .key found nodes */
    return;
  }
  /* a value the hook made: where it is in that value, and which hook of
  ** which object made the call (with that object's own path) */
  lua_pushliteral(L, "$");
  lua_insert(L, -2);
  lua_pushliteral(L, " (in a call made by ");
  push_maker(L, ctx, owner, hook);
  lua_pushliteral(L, " at ");
  push_owner(L, owner, hook, ctx, calls);
  lua_pushliteral(L, ")");
  lua_concat(L, 7);
}

void ksl_path_message(lua_State *L, const ksl_path *p, const char *hook, int ctx) {
  lua_pushliteral(L, "kserial: ");
  lua_insert(L, -2);
  lua_pushliteral(L, " (at ");
  ksl_push_path(L, p, hook, ctx);
  lua_pushliteral(L, ")");
  lua_concat(L, 5);
}

int ksl_path_error(lua_State *L, const ksl_path *p, const char *hook, int ctx) {
  ksl_path_message(L, p, hook, ctx);
  return ksl_path_raise(L, ctx);
}

int ksl_path_raise(lua_State *L, int ctx) {
  if (ctx != 0) {
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, ctx, KSL_CALL_ERROR);
  }
  return lua_error(L);
}

int ksl_path_passing(lua_State *L, int ctx) {
  int same;
  if (ctx == 0 || lua_type(L, -1) != LUA_TSTRING) return 0;
  ksl_call_get(L, ctx, KSL_CALL_ERROR);
  same = lua_rawequal(L, -1, -2);
  lua_pop(L, 1);
  return same;
}

int ksl_running_call_error(lua_State *L, int boxi) {
  const ksl_box *box = ksl_box_at(L, boxi);
  int uv, same = 0;
  if (lua_type(L, -1) != LUA_TSTRING) return 0;
  for (uv = KSL_UV_SERCTX; uv <= KSL_UV_DESCTX && !same; uv++) {
    if (uv == KSL_UV_SERCTX ? box->ser == NULL : box->des == NULL) continue;
    ksl_push_uv(L, boxi, uv);
    if (lua_type(L, -1) == LUA_TUSERDATA) {
      ksl_call_get(L, lua_gettop(L), KSL_CALL_ERROR);
      same = lua_rawequal(L, -1, -3);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  return same;
}
