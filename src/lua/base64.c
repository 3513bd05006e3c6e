/*
** base64.c - standard base64 for bytes that are not UTF-8 text (the
** walks' __bytes__ values and Lua bytecode in lambdas).
*/
#include "ks_base64.h"

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
