/*
** path.c - JSON paths for error messages ($.config.layers[3].name).
*/
#include <stdio.h>
#include <string.h>
#include "ks_walk.h"

static int is_identifier(const char *k, size_t n) {
  size_t i;
  if (n == 0 || (k[0] >= '0' && k[0] <= '9')) return 0;
  for (i = 0; i < n; i++) {
    char c = k[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_'))
      return 0;
  }
  return 1;
}

static void add_key(luaL_Buffer *b, const char *k, size_t n) {
  size_t i, cut = n;
  if (is_identifier(k, n)) {
    luaL_addchar(b, '.');
    luaL_addlstring(b, k, n);
    return;
  }
  if (cut > 80) {   /* cut at a character boundary: the path stays UTF-8 */
    cut = 80;
    while (cut > 77 && ((unsigned char)k[cut] & 0xC0) == 0x80) cut--;
  }
  luaL_addstring(b, "[\"");
  for (i = 0; i < cut; i++) {
    unsigned char c = (unsigned char)k[i];
    if (c == '"' || c == '\\') luaL_addchar(b, '\\');
    luaL_addchar(b, (c < 0x20) ? '?' : (char)c);
  }
  if (cut < n) luaL_addstring(b, "...");
  luaL_addstring(b, "\"]");
}

/* Writes the nodes from the root down to p (p included), stopping at the
** root of the call p belongs to. */
static void add_nodes(luaL_Buffer *b, const ksl_path *p,
                      const ksl_path **callroot) {
  const ksl_path *stack[64];
  int n = 0, skipped = 0;
  const ksl_path *q;
  for (q = p; q != NULL && !q->nested && q->up != NULL; q = q->up) {
    if (n < 64) stack[n++] = q;
    else skipped++;
  }
  *callroot = q;
  luaL_addchar(b, '$');
  if (skipped) {
    /* keep the 64 innermost nodes: they say where the problem is */
    luaL_addstring(b, "...");
  }
  while (n > 0) {
    q = stack[--n];
    if (q->key != NULL) {
      add_key(b, q->key, q->klen);
    } else {
      char num[32];
      snprintf(num, sizeof num, "[%lld]", (long long)q->index);
      luaL_addstring(b, num);
    }
  }
}

void ksl_push_path(lua_State *L, const ksl_path *p, const char *hook) {
  luaL_Buffer b;
  const ksl_path *root;
  luaL_buffinit(L, &b);
  add_nodes(&b, p, &root);
  /* a nested call: say which hook made it and where that object is in its
  ** own call (the message of the enclosing call adds the rest) */
  if (root != NULL && root->nested && root->up != NULL) {
    const ksl_path *owner = root->up;
    luaL_addstring(&b, " (in a call made by ");
    luaL_addstring(&b, hook);
    if (owner->cls != NULL) {
      luaL_addstring(&b, " of '");
      luaL_addstring(&b, owner->cls);
      luaL_addstring(&b, "'");
    }
    luaL_addstring(&b, " at ");
    add_nodes(&b, owner, &root);
    luaL_addchar(&b, ')');
  }
  luaL_pushresult(&b);
}

int ksl_path_error(lua_State *L, const ksl_path *p, const char *hook) {
  lua_pushliteral(L, "kserial: ");
  lua_insert(L, -2);
  lua_pushliteral(L, " (at ");
  ksl_push_path(L, p, hook);
  lua_pushliteral(L, ")");
  lua_concat(L, 5);
  return lua_error(L);
}
