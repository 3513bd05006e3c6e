/*
** errors.c - how the binding reports errors.
**
** Every message starts with "kserial: ", after the position of the Lua code
** that called kserial, as luaL_error writes it. ksl_error adds that
** position itself when a Lua function called the running C function
** directly (registration, scopes, argument checks; through pcall(f, ...)
** there is none), and nothing inside a walk, whose caller is C; the entry
** points that run a walk in protected mode re-raise its error through
** ksl_raise, which adds it, so a message points at the user's line either
** way (docs/behaviour.md).
** Argument errors belong to the codec's helpers (ksj_argerror and its
** checks, src/json/common.c), which kserial.json uses too.
*/
#include <stdarg.h>
#include <string.h>
#include "ks_lua.h"
#include "ks_walk.h"
#include "ks_json.h"

int ksl_error(lua_State *L, const char *fmt, ...) {
  va_list ap;
  luaL_where(L, 1);   /* "" unless a Lua function is the caller */
  lua_pushliteral(L, "kserial: ");
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_concat(L, 3);
  return lua_error(L);
}

const char *ksl_jsontype(lua_State *L, int idx) {
  switch (lua_type(L, idx)) {
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, idx) == NULL) return "null";
      break;
    case LUA_TNUMBER:
      return lua_isinteger(L, idx) ? "integer" : "float";
    case LUA_TTABLE: {
      const char *n = ksj_typename(L, idx);
      if (strcmp(n, KSJ_ARRAY_MT) == 0) return "array";
      if (strcmp(n, KSJ_OBJECT_MT) == 0 || strcmp(n, "table") == 0) return "dict";
      return n;
    }
    default:
      break;
  }
  return ksj_typename(L, idx);
}

/* Names are escaped by the codec's routine (ksj_addescaped), the one that
** also spells keys in paths. */
KSL_HOT const char *ksl_shown(lua_State *L, const char *s, size_t len) {
  luaL_Buffer b;
  size_t n = len;
  if (len <= KSL_SHOWN_MAX && !ksj_needs_escape(s, len)) return s;
  if (n > KSL_SHOWN_MAX) {   /* cut at a character boundary */
    n = KSL_SHOWN_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  }
  luaL_buffinit(L, &b);
  ksj_addescaped(&b, s, n);
  if (n < len) luaL_addstring(&b, "...");
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

int ksl_raise(lua_State *L, int box) {
  if (lua_type(L, -1) == LUA_TSTRING &&
      strncmp(lua_tostring(L, -1), "kserial: ", 9) == 0 &&
      !ksl_running_call_error(L, box)) {   /* a nested call's: whole, as it was */
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}
