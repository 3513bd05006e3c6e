/*
** errors.c - how the binding reports errors.
**
** Every message starts with "kserial: ". Walks raise without a position;
** the public entry points run their work through ksl_call_entry, which adds
** the position of the Lua code that called kserial (luaL_where level 1) to
** kserial's own messages, so a message points at the user's line.
*/
#include <stdarg.h>
#include <string.h>
#include "ks_lua.h"

int ksl_error(lua_State *L, const char *fmt, ...) {
  va_list ap;
  lua_pushliteral(L, "kserial: ");
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_concat(L, 2);
  return lua_error(L);
}

const char *ksl_typename(lua_State *L, int idx) {
  int t = luaL_getmetafield(L, idx, "__name");
  if (t == LUA_TSTRING) {
    const char *n = lua_tostring(L, -1);
    lua_pop(L, 1);   /* the metatable still holds the string */
    return n;
  }
  if (t != LUA_TNIL) lua_pop(L, 1);
  return luaL_typename(L, idx);
}

void ksl_push_excerpt(lua_State *L, const char *s, size_t len) {
  luaL_Buffer b;
  size_t i, n = len > 60 ? 60 : len;
  luaL_buffinit(L, &b);
  luaL_addchar(&b, '"');
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      luaL_addchar(&b, '\\');
      luaL_addchar(&b, (char)c);
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      lua_pushfstring(L, "\\x%02X", (int)c);
      memcpy(hex, lua_tostring(L, -1), 5);
      lua_pop(L, 1);
      luaL_addlstring(&b, hex, 4);
    } else {
      luaL_addchar(&b, (char)c);
    }
  }
  luaL_addchar(&b, '"');
  if (n < len) luaL_addstring(&b, "...");
  luaL_pushresult(&b);
}

int ksl_raise(lua_State *L) {
  if (lua_type(L, -1) == LUA_TSTRING &&
      strncmp(lua_tostring(L, -1), "kserial: ", 9) == 0) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

void ksl_call_entry(lua_State *L, int nargs, int nresults) {
  if (lua_pcall(L, nargs, nresults, 0) != LUA_OK) ksl_raise(L);
}
