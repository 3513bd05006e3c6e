/*
** scan.c - kserial.scan: what a document would need before anyone loads it.
**
** Walks a decoded document without instantiating anything and lists, with
** their paths: every lambda (unsafe content), every class and function it
** names (found or not, through the same lookup deserialize uses), every
** module it names (registered or not) and every special marker.
*/
#include <string.h>
#include "ks_json.h"
#include "ks_walk.h"

typedef struct scanner {
  lua_State *L;
  ks_engine *e;
  int items;        /* stack index of the result array */
  int unsafe;
  int max_depth;
} scanner;

static const char *str_field(lua_State *L, int t, const char *k, size_t *len) {
  const char *s = NULL;
  lua_pushstring(L, k);
  if (lua_rawget(L, t) == LUA_TSTRING) s = lua_tolstring(L, -1, len);
  lua_pop(L, 1);     /* the table still holds the string */
  return s;
}

/* Appends {kind, name, path, found} to the result. found < 0: not set. */
static void add_item(scanner *s, const ksl_path *p, const char *kind,
                     const char *name, size_t nlen, int found) {
  lua_State *L = s->L;
  lua_createtable(L, 0, 4);
  lua_pushstring(L, kind);
  lua_setfield(L, -2, "kind");
  if (name != NULL) {
    lua_pushlstring(L, name, nlen);
    lua_setfield(L, -2, "name");
  }
  ksl_push_path(L, p, "scan", 0);
  lua_setfield(L, -2, "path");
  if (found >= 0) {
    lua_pushboolean(L, found);
    lua_setfield(L, -2, "found");
  }
  lua_rawseti(L, s->items, (lua_Integer)lua_rawlen(L, s->items) + 1);
}

static int resolves(scanner *s, const char *name, size_t len) {
  return ks_lookup(s->e, name, len, NULL, NULL, NULL) != KS_NOHANDLE;
}

static void scan_value(scanner *s, int idx, const ksl_path *p, int depth);

static void scan_envelope(scanner *s, int t, const ksl_path *p) {
  size_t clen = 0, rlen = 0, mlen = 0;
  const char *cname = str_field(s->L, t, "class_name", &clen);
  const char *rname = str_field(s->L, t, "registered_name", &rlen);
  const char *module = str_field(s->L, t, "module", &mlen);
  int found;
  if (cname == NULL) return;
  if (KSL_NAME_IS(cname, clen, "__lambda__")) {
    s->unsafe = 1;
    add_item(s, p, "lambda", NULL, 0, -1);
    return;
  }
  if (clen > 4 && cname[0] == '_' && cname[1] == '_' && cname[clen - 1] == '_' &&
      cname[clen - 2] == '_') {
    add_item(s, p, "marker", cname, clen, -1);
    return;
  }
  if (module != NULL)
    add_item(s, p, "module", module, mlen, ks_module_exists(s->e, module, mlen));
  if (KSL_NAME_IS(cname, clen, "function")) {
    size_t flen;
    const char *fname = str_field(s->L, t, "config", &flen);
    if (fname == NULL) return;
    found = resolves(s, fname, flen) ||
            (module && ks_module_lookup(s->e, module, mlen, fname, flen) != KS_NOHANDLE) ||
            (memchr(fname, '>', flen) == NULL && ks_lookup_suffix(s->e, fname, flen));
    add_item(s, p, "function", fname, flen, found);
    return;
  }
  if (rname != NULL && rlen > 0) {
    found = resolves(s, rname, rlen) ||
            (rlen == clen && memcmp(rname, cname, clen) == 0 && module &&
             ks_module_lookup(s->e, module, mlen, cname, clen) != KS_NOHANDLE);
    add_item(s, p, "class", rname, rlen, found);
  } else {
    found = resolves(s, cname, clen) ||
            (module && ks_module_lookup(s->e, module, mlen, cname, clen) != KS_NOHANDLE);
    add_item(s, p, "class", cname, clen, found);
  }
}

static void scan_table(scanner *s, int t, const ksl_path *p, int depth) {
  lua_State *L = s->L;
  ksl_path child = {p, NULL, 0, 0, NULL, NULL, 0};
  int isarray = 0;
  if (lua_getmetatable(L, t)) {
    luaL_getmetatable(L, KSJ_ARRAY_MT);
    isarray = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  lua_pushliteral(L, "class_name");
  if (lua_rawget(L, t) == LUA_TSTRING) {
    lua_pushliteral(L, "config");
    if (lua_rawget(L, t) != LUA_TNIL) scan_envelope(s, t, p);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  luaL_checkstack(L, 6, "kserial: nesting too deep");
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) == LUA_TSTRING && !isarray) {
      child.key = lua_tolstring(L, -2, &child.klen);
    } else {
      child.key = NULL;
      child.index = lua_isinteger(L, -2) ? lua_tointeger(L, -2) - 1 : 0;
    }
    scan_value(s, -1, &child, depth + 1);
    lua_pop(L, 1);
  }
}

static void scan_value(scanner *s, int idx, const ksl_path *p, int depth) {
  idx = lua_absindex(s->L, idx);
  if (depth > s->max_depth) {
    lua_pushfstring(s->L, "scan: nesting deeper than %d", s->max_depth);
    ksl_path_error(s->L, p, "scan", 0);
  }
  if (lua_type(s->L, idx) == LUA_TTABLE) scan_table(s, idx, p, depth);
  else if (lua_type(s->L, idx) == LUA_TSTRING) {
    size_t len;
    const char *str = lua_tolstring(s->L, idx, &len);
    /* deserialize would turn a string naming something into that thing */
    if (resolves(s, str, len)) add_item(s, p, "name", str, len, 1);
  }
}

/* kserial.scan(config) -> { items = {...}, unsafe = boolean } */
static int l_scan(lua_State *L) {
  scanner s;
  ksl_path root = KSL_PATH_ROOT;
  ksl_checkany(L, 1);
  lua_settop(L, 1);
  s.L = L;
  s.e = ksl_engine(L);
  s.unsafe = 0;
  s.max_depth = KSJ_DEFAULT_MAX_DEPTH;
  lua_newtable(L);
  s.items = lua_gettop(L);
  scan_value(&s, 1, &root, 0);
  lua_createtable(L, 0, 2);
  lua_pushvalue(L, s.items);
  lua_setfield(L, -2, "items");
  lua_pushboolean(L, s.unsafe);
  lua_setfield(L, -2, "unsafe");
  return 1;
}

void ksl_open_scan(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  lua_pushcclosure(L, l_scan, 1);
  lua_setfield(L, -2, "scan");
}
