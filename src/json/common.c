/*
** common.c - pieces shared by the JSON encoder, decoder and cJSON
** bridge: UTF-8 validation, JSONPath rendering, the marker metatables.
*/
#define KSJ_INTERNAL
#include <string.h>
#include <lauxlib.h>
#include "ks_json.h"

int ksj_isnull(lua_State *L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == NULL;
}

void ksj_pushmt(lua_State *L, const char *name) {
  luaL_newmetatable(L, name);  /* sets __name = name when it creates it */
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* Unicode 15, table 3-7: the second byte's range depends on the first byte,
** which is what rules out overlong forms, surrogates and > U+10FFFF. */
int ksj_utf8_len(const unsigned char *p, const unsigned char *end) {
  unsigned c = p[0];
  size_t left = (size_t)(end - p);
  unsigned lo = 0x80, hi = 0xBF;
  int n;
  if (c < 0x80) return 1;
  if (c < 0xC2) return 0;                 /* continuation byte or overlong */
  if (c < 0xE0) n = 2;
  else if (c < 0xF0) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;             /* overlong */
    else if (c == 0xED) hi = 0x9F;        /* surrogates */
  }
  else if (c < 0xF5) {
    n = 4;
    if (c == 0xF0) lo = 0x90;             /* overlong */
    else if (c == 0xF4) hi = 0x8F;        /* > U+10FFFF */
  }
  else return 0;
  if (left < (size_t)n) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  if (n > 2 && (p[2] & 0xC0) != 0x80) return 0;
  if (n > 3 && (p[3] & 0xC0) != 0x80) return 0;
  return n;
}

/* ---- JSONPath ----------------------------------------------------------- */

#define PATH_MAX_LEN 200
#define PATH_HEAD 120
#define PATH_TAIL 60

static int is_identifier(const char *s, size_t len) {
  size_t i;
  if (len == 0) return 0;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return 0;
  }
  return 1;
}

/* The one escaping routine of messages and paths: s JSON-escaped (quotes,
** backslashes, control bytes as \u00XX), bytes that are not UTF-8 as \xNN
** (this runs while reporting errors, so it must accept anything). */
void ksj_addescaped(luaL_Buffer *b, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  while (p < end) {
    unsigned char c = *p;
    int k = c < 0x80 ? 1 : ksj_utf8_len(p, end);
    if (c == '"' || c == '\\') {
      luaL_addchar(b, '\\');
      luaL_addchar(b, (char)c);
    }
    else if (c < 0x20 || c == 0x7f) {
      char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      luaL_addlstring(b, u, 6);
    }
    else if (k == 0) {
      char x[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
      luaL_addlstring(b, x, 4);
      k = 1;
    }
    else luaL_addlstring(b, (const char *)p, (size_t)k);
    p += k;
  }
}

int ksj_needs_escape(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  for (; p < end; p++) {        /* walks call this on every name: ASCII first */
    unsigned c = *p;
    if (c - 0x20u < 0x5fu && c != '"' && c != '\\') continue;
    if (c < 0x80) return 1;
    {
      int k = ksj_utf8_len(p, end);
      if (k == 0) return 1;
      p += k - 1;
    }
  }
  return 0;
}

void ksj_addpath_key(luaL_Buffer *b, const char *key, size_t klen) {
  if (is_identifier(key, klen)) {
    luaL_addchar(b, '.');
    luaL_addlstring(b, key, klen);
    return;
  }
  luaL_addstring(b, "[\"");
  ksj_addescaped(b, key, klen);
  luaL_addstring(b, "\"]");
}

void ksj_addpath_index(luaL_Buffer *b, lua_Integer index) {
  char num[KSJ_NUMBUF + 2];
  size_t n;
  num[0] = '[';
  n = ksj_format_integer(index, num + 1);
  num[n + 1] = ']';
  luaL_addlstring(b, num, n + 2);
}

static void add_segment(luaL_Buffer *b, const ksj_frame *f) {
  if (f->key == NULL) ksj_addpath_index(b, f->index);
  else ksj_addpath_key(b, f->key, f->klen);
}

/* Moves a cut point back to the start of a UTF-8 character. */
static size_t char_start(const char *s, size_t i) {
  while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) i--;
  return i;
}

/* Long paths (deep nesting) keep their head and tail. */
void ksj_cutpath(lua_State *L) {
  size_t len, head, tail;
  const char *s = lua_tolstring(L, -1, &len);
  if (len <= PATH_MAX_LEN) return;
  head = char_start(s, PATH_HEAD);
  tail = char_start(s, len - PATH_TAIL);
  lua_pushlstring(L, s, head);
  lua_pushliteral(L, "...");
  lua_pushlstring(L, s + tail, len - tail);
  lua_concat(L, 3);
  lua_remove(L, -2);
}

void ksj_pushpath(lua_State *L, const ksj_frame *f) {
  const ksj_frame *g, **v;
  size_t n = 0, i;
  luaL_Buffer b;
  luaL_checkstack(L, 6, NULL);
  for (g = f; g != NULL; g = g->up) n++;
  /* the frames are linked leaf to root: put them in order in a userdata
  ** (so an error while building the message cannot leak it) */
  v = (const ksj_frame **)lua_newuserdatauv(L, n * sizeof *v + 1, 0);
  i = n;
  for (g = f; g != NULL; g = g->up) v[--i] = g;
  luaL_buffinit(L, &b);
  luaL_addchar(&b, '$');
  for (i = 0; i < n; i++) add_segment(&b, v[i]);
  luaL_pushresult(&b);
  lua_remove(L, -2);
  ksj_cutpath(L);
}

void ksj_pushquoted(lua_State *L, const char *s, size_t len) {
  luaL_Buffer b;
  int cut = len > 60;
  luaL_buffinit(L, &b);
  if (cut) len = char_start(s, 60);
  luaL_addchar(&b, '"');
  ksj_addescaped(&b, s, len);
  luaL_addchar(&b, '"');
  if (cut) luaL_addstring(&b, "...");
  luaL_pushresult(&b);
}

/* ---- argument errors ------------------------------------------------------ */

const char *ksj_typename(lua_State *L, int idx) {
  int t = luaL_getmetafield(L, idx, "__name");
  if (t == LUA_TSTRING) {
    const char *n = lua_tostring(L, -1);
    lua_pop(L, 1);   /* the metatable still holds the string */
    return n;
  }
  if (t != LUA_TNIL) lua_pop(L, 1);
  return luaL_typename(L, idx);
}

/* luaL_argerror's message (the function's name as the caller spelt it, a
** method's self not counted) with kserial's prefix; luaL_error adds the
** caller's position when a Lua function called the running C function. */
int ksj_argerror(lua_State *L, int arg, const char *extramsg) {
  lua_Debug ar;
  const char *name = "?";
  if (lua_getstack(L, 0, &ar)) {
    lua_getinfo(L, "n", &ar);
    if (ar.namewhat != NULL && strcmp(ar.namewhat, "method") == 0) {
      arg--;
      if (arg == 0)
        return luaL_error(L, "kserial: calling '%s' on bad self (%s)",
                          ar.name ? ar.name : "?", extramsg);
    }
    if (ar.name != NULL) name = ar.name;
  }
  return luaL_error(L, "kserial: bad argument #%d to '%s' (%s)", arg, name,
                    extramsg);
}

int ksj_typeerror(lua_State *L, int arg, const char *expected) {
  const char *got = lua_isnone(L, arg) ? "no value" : ksj_typename(L, arg);
  return ksj_argerror(L, arg, lua_pushfstring(L, "%s expected, got %s", expected, got));
}

void ksj_checkany(lua_State *L, int arg) {
  if (lua_isnone(L, arg)) ksj_argerror(L, arg, "value expected");
}

void ksj_checktype(lua_State *L, int arg, int t) {
  if (lua_type(L, arg) != t) ksj_typeerror(L, arg, lua_typename(L, t));
}

const char *ksj_checklstring(lua_State *L, int arg, size_t *len) {
  if (lua_type(L, arg) != LUA_TSTRING) ksj_typeerror(L, arg, "string");
  return lua_tolstring(L, arg, len);
}

/* ---- option tables ------------------------------------------------------- */

int ksj_opts_begin(lua_State *L, int idx, const char *fname) {
  idx = lua_absindex(L, idx);
  if (!lua_istable(L, idx))
    luaL_error(L, "kserial: %s: options must be a table (got %s)", fname,
               luaL_typename(L, idx));   /* the one wording of option errors */
  luaL_checkstack(L, 6, NULL);
  lua_pushnil(L);
  return idx;
}

/* Pushes the option name at idx as a message shows it, without running
** any of the program's code (no __tostring, no __name): strings escaped,
** numbers and booleans as written, anything else as its type. */
static void push_raw_name(lua_State *L, int idx) {
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      ksj_addescaped(&b, s, len > 60 ? char_start(s, 60) : len);
      if (len > 60) luaL_addstring(&b, "...");
      luaL_pushresult(&b);
      break;
    }
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx))
        lua_pushfstring(L, "%I", (LUAI_UACINT)lua_tointeger(L, idx));
      else lua_pushfstring(L, "%f", (LUAI_UACNUMBER)lua_tonumber(L, idx));
      break;
    case LUA_TBOOLEAN:
      lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
      break;
    default:
      lua_pushfstring(L, "a %s", lua_typename(L, lua_type(L, idx)));
      break;
  }
}

void ksj_opts_each(lua_State *L, int idx, const char *fname,
                   const char *const *extra, ksj_opt_fn fn, void *ud) {
  if (lua_isnoneornil(L, idx)) return;
  idx = ksj_opts_begin(L, idx, fname);
  while (lua_next(L, idx)) {
    const char *k = ksj_opt_name(L, fname, extra);
    if (k != NULL && !fn(L, k, fname, ud)) ksj_opt_unknown(L, fname);
    lua_pop(L, 1);
  }
}

void ksj_opt_unknown(lua_State *L, const char *fname) {
  push_raw_name(L, -2);
  luaL_error(L, "kserial: %s: unknown option '%s'", fname, lua_tostring(L, -1));
}

const char *ksj_opt_name(lua_State *L, const char *fname,
                         const char *const *extra) {
  const char *k;
  if (lua_type(L, -2) != LUA_TSTRING) ksj_opt_unknown(L, fname);
  k = lua_tostring(L, -2);
  for (; extra != NULL && *extra != NULL; extra++)
    if (strcmp(k, *extra) == 0) return NULL;
  return k;
}

void ksj_opt_error(lua_State *L, const char *fname, const char *key,
                   const char *want) {
  luaL_error(L, "kserial: %s: option '%s' must be %s (got %s)", fname, key,
             want, luaL_typename(L, -1));
}

int ksj_opt_bool(lua_State *L, const char *fname, const char *key) {
  if (!lua_isboolean(L, -1)) ksj_opt_error(L, fname, key, "a boolean");
  return lua_toboolean(L, -1);
}

lua_Integer ksj_opt_int(lua_State *L, const char *fname, const char *key,
                        lua_Integer lo, lua_Integer hi) {
  int isnum = 0;
  lua_Integer v = 0;
  if (lua_type(L, -1) == LUA_TNUMBER) v = lua_tointegerx(L, -1, &isnum);
  if (isnum && (v < lo || v > hi))   /* an integer out of range: show it */
    luaL_error(L, "kserial: %s: option '%s' must be an integer from %I to %I "
               "(got %I)", fname, key, (LUAI_UACINT)lo, (LUAI_UACINT)hi,
               (LUAI_UACINT)v);
  if (!isnum) {
    lua_pushfstring(L, "an integer from %I to %I", (LUAI_UACINT)lo,
                    (LUAI_UACINT)hi);
    lua_insert(L, -2);   /* keep the value on top for its type name */
    ksj_opt_error(L, fname, key, lua_tostring(L, -2));
  }
  return v;
}

/* ---- recorded key orders -------------------------------------------------- */

int ksj_push_orders(lua_State *L, int create) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, KSJ_ORDER_KEY) == LUA_TTABLE) return 1;
  lua_pop(L, 1);
  if (!create) return 0;
  lua_newtable(L);                 /* weak keys: an order dies with its object */
  lua_createtable(L, 0, 2);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  memset(lua_newuserdatauv(L, sizeof(ksj_filter), 0), 0, sizeof(ksj_filter));
  lua_setfield(L, -2, "filter");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, KSJ_ORDER_KEY);
  return 1;
}

ksj_filter *ksj_orders_filter(lua_State *L, int orders) {
  ksj_filter *f;
  lua_getmetatable(L, orders);
  lua_getfield(L, -1, "filter");
  f = (ksj_filter *)lua_touserdata(L, -1);   /* anchored by the registry */
  lua_pop(L, 2);
  return f;
}

void ksj_copy_order(lua_State *L, int orders, int from, int to) {
  if (orders == 0) return;
  from = lua_absindex(L, from);
  to = lua_absindex(L, to);
  lua_pushvalue(L, from);
  if (lua_rawget(L, orders) == LUA_TTABLE) {
    lua_pushvalue(L, to);
    lua_insert(L, -2);
    lua_rawset(L, orders);
    ksj_filter_add(ksj_orders_filter(L, orders), lua_topointer(L, to));
  }
  else lua_pop(L, 1);
}
