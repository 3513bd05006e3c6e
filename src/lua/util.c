/*
** util.c - UTF-8 validation and base64, shared by the walks.
*/
#include "ks_walk.h"

int ksl_utf8_valid(const char *str, size_t len, size_t *bad) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len) {
    unsigned c = s[i];
    size_t n, k;
    unsigned cp, min;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; min = 0x10000; }
    else goto invalid;
    if (len - i <= n) goto invalid;
    for (k = 1; k <= n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) goto invalid;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto invalid;
    i += n + 1;
  }
  return 1;
invalid:
  if (bad) *bad = i;
  return 0;
}

static const char b64chars[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void ksl_base64_encode(luaL_Buffer *b, const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i;
  for (i = 0; i + 2 < len; i += 3) {
    char out[4];
    unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
    out[0] = b64chars[v >> 18];
    out[1] = b64chars[(v >> 12) & 63];
    out[2] = b64chars[(v >> 6) & 63];
    out[3] = b64chars[v & 63];
    luaL_addlstring(b, out, 4);
  }
  if (i < len) {
    char out[4];
    unsigned v = (unsigned)s[i] << 16 | (i + 1 < len ? (unsigned)s[i + 1] << 8 : 0);
    out[0] = b64chars[v >> 18];
    out[1] = b64chars[(v >> 12) & 63];
    out[2] = (i + 1 < len) ? b64chars[(v >> 6) & 63] : '=';
    out[3] = '=';
    luaL_addlstring(b, out, 4);
  }
}

static int b64value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int ksl_base64_decode(lua_State *L, const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  luaL_Buffer b;
  unsigned acc = 0;
  int bits = 0, pad = 0;
  size_t i;
  /* validate first, so that no buffer is left on the stack on failure */
  for (i = 0; i < len; i++) {
    unsigned char c = s[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') { pad++; continue; }
    if (pad || b64value(c) < 0) return 0;
  }
  if (pad > 2) return 0;
  luaL_buffinit(L, &b);
  for (i = 0; i < len; i++) {
    int v = b64value(s[i]);
    if (v < 0) continue;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      luaL_addchar(&b, (char)((acc >> bits) & 0xFF));
    }
  }
  luaL_pushresult(&b);
  return 1;
}

void ksl_push_marker_mt(lua_State *L) {
  if (luaL_newmetatable(L, KSL_MARKER_MT)) {
    lua_pushliteral(L, "kserial.marker");
    lua_setfield(L, -2, "__name");
  }
}
