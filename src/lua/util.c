/*
** util.c - UTF-8 validation and the marker metatables, shared by the walks.
*/
#include "ks_json.h"
#include "ks_walk.h"

int ksl_utf8_valid(const char *str, size_t len, size_t *bad) {
  const unsigned char *s = (const unsigned char *)str, *end = s + len, *p = s;
  while (p < end) {
    int n;
    if (*p < 0x80) { p++; continue; }
    n = ksj_utf8_len(p, end);
    if (n == 0) {
      if (bad) *bad = (size_t)(p - s);
      return 0;
    }
    p += n;
  }
  return 1;
}

void ksl_push_marker_mt(lua_State *L) {
  if (luaL_newmetatable(L, KSL_MARKER_MT)) {
    lua_pushliteral(L, KSL_MARKER_MT);
    lua_setfield(L, -2, "__name");
  }
}

void ksl_push_markers(lua_State *L, int box, int *arr, int *obj, int *marker) {
  lua_getiuservalue(L, box, KSL_UV_ARRAY_MT);
  *arr = lua_gettop(L);
  lua_getiuservalue(L, box, KSL_UV_OBJECT_MT);
  *obj = lua_gettop(L);
  lua_getiuservalue(L, box, KSL_UV_MARKER_MT);
  *marker = lua_gettop(L);
}
