/*
** config_error.c - kserial.config_error(config, where, message [, level]):
** an error about a value inside the config a from_config() received,
** located in the document.
**
** While a deserialize call runs the from_config() of an envelope and
** `config` is the config that from_config() received, the message is
** raised as the walk raises its own: "kserial: <message> (at <path>)",
** where the path is the envelope's path from the document's root, then
** ".config", then the keys of `where`; the running call lets it through
** unchanged (it already says what and where). Otherwise (no call running,
** or another table) it is "kserial: <message>" raised like error(msg, level).
*/
#include <string.h>
#include "ks_walk.h"

/* Keys of `where` a path may hold: a config is not deeper than JSON allows. */
#define MAX_KEYS 64

/* Checks the key at idx: a string, or a Lua index (an integer >= 1). */
static void check_key(lua_State *L, int idx) {
  if (lua_type(L, idx) == LUA_TSTRING) return;
  if (!lua_isinteger(L, idx))
    ksl_error(L, "config_error: a key of 'where' must be a string or an integer, not %s",
              luaL_typename(L, idx));
  if (lua_tointeger(L, idx) < 1)
    ksl_error(L, "config_error: an index in 'where' must be >= 1, not %I",
              (LUAI_UACINT)lua_tointeger(L, idx));
}

/* Checks `where` (at 2): nil, a key, or an array of at most MAX_KEYS keys. */
static void check_where(lua_State *L) {
  lua_Integer n, i;
  switch (lua_type(L, 2)) {
    case LUA_TNIL: case LUA_TNONE:
      return;
    case LUA_TTABLE:
      n = (lua_Integer)lua_rawlen(L, 2);
      if (n > MAX_KEYS) ksl_error(L, "config_error: 'where' has more than %d keys", MAX_KEYS);
      for (i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        check_key(L, -1);
        lua_pop(L, 1);
      }
      return;
    case LUA_TSTRING: case LUA_TNUMBER:
      check_key(L, 2);
      return;
    default:
      ksl_error(L, "config_error: 'where' must be nil, a key or an array of keys, not %s",
                luaL_typename(L, 2));
  }
}

/* Fills node (below `up`) from the key at the top of the stack (checked): a
** string, or a Lua index (1-based, shown 0-based as JSON paths are). */
static void key_node(lua_State *L, ksl_path *node, const ksl_path *up) {
  ksl_path blank = KSL_PATH_ROOT;
  *node = blank;
  node->up = up;
  if (lua_type(L, -1) == LUA_TSTRING) node->key = lua_tolstring(L, -1, &node->klen);
  else node->index = lua_tointeger(L, -1) - 1;
}

/* key: the envelope key the config was read from ("config", "build_config"...) */
static int located_error(lua_State *L, const ksl_path *at, int ctx, const char *key) {
  ksl_path nodes[MAX_KEYS + 1];
  const ksl_path *leaf;
  int n = 0, i;
  ksl_path config = KSL_PATH_ROOT;
  config.up = at;
  config.key = key;
  config.klen = strlen(key);
  leaf = &config;
  if (lua_type(L, 2) == LUA_TTABLE) {
    n = (int)lua_rawlen(L, 2);              /* checked: at most MAX_KEYS */
    luaL_checkstack(L, n + 8, "kserial: config_error: too many keys");
    for (i = 1; i <= n; i++) {
      lua_rawgeti(L, 2, i);                 /* stays on the stack: the key's text */
      key_node(L, &nodes[i - 1], leaf);
      leaf = &nodes[i - 1];
    }
  } else if (!lua_isnil(L, 2)) {
    lua_pushvalue(L, 2);
    key_node(L, &nodes[0], leaf);
    leaf = &nodes[0];
  }
  lua_pushvalue(L, 3);
  return ksl_path_error(L, leaf, "from_config()", ctx);
}

static int l_config_error(lua_State *L) {
  const ksl_path *at;
  int level = 1;
  if (lua_type(L, 1) != LUA_TTABLE)
    ksl_error(L, "config_error: the config must be a table, not %s", luaL_typename(L, 1));
  check_where(L);
  if (lua_type(L, 3) != LUA_TSTRING)
    ksl_error(L, "config_error: the message must be a string, not %s", luaL_typename(L, 3));
  if (!lua_isnoneornil(L, 4)) {
    lua_Integer l;
    if (!lua_isinteger(L, 4))
      ksl_error(L, "config_error: the level must be an integer, not %s", luaL_typename(L, 4));
    l = lua_tointeger(L, 4);
    level = l < 0 ? 0 : l > 1000 ? 1000 : (int)l;   /* beyond the stack: no position */
  }
  lua_settop(L, 3);
  at = ksl_running_from_config(L, KSL_BOX);
  if (at != NULL) {
    int ctx;
    const char *key = NULL;
    ksl_push_uv(L, KSL_BOX, KSL_UV_DESCTX);
    ctx = lua_gettop(L);
    if (lua_type(L, ctx) == LUA_TUSERDATA) key = ksl_path_is_config(L, ctx, at, 1);
    if (key != NULL) return located_error(L, at, ctx, key);
    lua_pop(L, 1);
  }
  if (level > 0) luaL_where(L, level);
  else lua_pushliteral(L, "");
  lua_pushliteral(L, "kserial: ");
  lua_pushvalue(L, 3);
  lua_concat(L, 3);
  return lua_error(L);
}

void ksl_open_config_error(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  lua_pushcclosure(L, l_config_error, 1);
  lua_setfield(L, -2, "config_error");
}
