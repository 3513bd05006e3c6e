/*
** encode.c - Lua values to JSON text, directly (no cJSON in between):
** exact numbers, validated UTF-8, Python-compatible escapes and layout,
** keys sorted (after the leading keys of the caller's key order) or in
** their recorded document order, errors with JSONPaths.
**
** Memory: the output buffer and the key-sorting scratch belong to a
** userdata (__gc and __close), so a Lua error anywhere frees them. Tables
** are read raw (no __index/__pairs), so no Lua code runs while we encode.
*/
#define KSJ_INTERNAL
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "ks_json.h"

#define BOX_MT "kserial.json.encoder"

/* ---- options ------------------------------------------------------------- */

void ksj_encode_opts_init(ksj_encode_opts *o) {
  o->indent = -1;
  o->indent_str = NULL; o->indent_len = 0;
  o->sort_keys = -1;
  o->allow_nan = 0;
  o->ensure_ascii = 0;
  o->int_keys = KSJ_INT_KEYS_ERROR;
  o->key_order = NULL;
  o->item_sep = ","; o->item_sep_len = 1;
  o->key_sep = ":"; o->key_sep_len = 1;
  o->max_depth = KSJ_DEFAULT_MAX_DEPTH;
  o->fname = "json.encode";
  o->frags = NULL;
}

static void opt_separators(lua_State *L, const char *fname,
                           ksj_encode_opts *o) {
  int t = lua_gettop(L);
  if (!lua_istable(L, t))
    ksj_opt_error(L, fname, "separators", "a table of two strings {item, key}");
  lua_rawgeti(L, t, 1);
  lua_rawgeti(L, t, 2);
  if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING ||
      lua_rawlen(L, t) != 2) {
    lua_settop(L, t);
    ksj_opt_error(L, fname, "separators", "a table of two strings {item, key}");
  }
  /* the strings stay alive in the option table */
  o->item_sep = lua_tolstring(L, -2, &o->item_sep_len);
  o->key_sep = lua_tolstring(L, -1, &o->key_sep_len);
  lua_settop(L, t);
}

/* indent: a number of spaces, or (as Python allows) a string repeated once
** per level; the string stays alive in the option table. */
static void opt_indent(lua_State *L, const char *fname, ksj_encode_opts *o) {
  if (lua_type(L, -1) == LUA_TSTRING) {
    o->indent_str = lua_tolstring(L, -1, &o->indent_len);
    if (o->indent_len > 1000)
      ksj_opt_error(L, fname, "indent", "a string of at most 1000 bytes");
    o->indent = (int)o->indent_len;
  }
  else if (lua_type(L, -1) == LUA_TNUMBER) {
    o->indent = (int)ksj_opt_int(L, fname, "indent", 0, 1000);
    o->indent_str = NULL;
  }
  else ksj_opt_error(L, fname, "indent", "an integer from 0 to 1000 or a string");
}

static void opt_int_keys(lua_State *L, const char *fname, ksj_encode_opts *o) {
  const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  if (strcmp(v, "error") == 0) o->int_keys = KSJ_INT_KEYS_ERROR;
  else if (strcmp(v, "string") == 0) o->int_keys = KSJ_INT_KEYS_STRING;
  else ksj_opt_error(L, fname, "int_keys", "\"error\" or \"string\"");
}

/* The options that decide which values are accepted (serialize's too). */
static int read_value_opt(lua_State *L, const char *k, const char *fname,
                          ksj_encode_opts *o) {
  if (strcmp(k, "allow_nan") == 0) o->allow_nan = ksj_opt_bool(L, fname, k);
  else if (strcmp(k, "int_keys") == 0) opt_int_keys(L, fname, o);
  else return 0;
  return 1;
}

static int read_encode_opt(lua_State *L, const char *k, const char *fname,
                           ksj_encode_opts *o) {
  if (read_value_opt(L, k, fname, o)) return 1;
  if (strcmp(k, "indent") == 0) opt_indent(L, fname, o);
  else if (strcmp(k, "max_depth") == 0)
    o->max_depth = (int)ksj_opt_int(L, fname, k, 1, KSJ_HARD_MAX_DEPTH);
  else if (strcmp(k, "sort_keys") == 0) o->sort_keys = ksj_opt_bool(L, fname, k);
  else if (strcmp(k, "ensure_ascii") == 0)
    o->ensure_ascii = ksj_opt_bool(L, fname, k);
  else if (strcmp(k, "separators") == 0) {
    opt_separators(L, fname, o);
    return 2;
  }
  else return 0;
  return 1;
}

typedef struct encode_read {
  ksj_encode_opts *o;
  int seps;              /* separators was given */
} encode_read;

static int encode_opt(lua_State *L, const char *k, const char *fname, void *ud) {
  encode_read *r = (encode_read *)ud;
  int st = read_encode_opt(L, k, fname, r->o);
  if (st == 2) r->seps = 1;
  return st != 0;
}

void ksj_encode_opts_read(lua_State *L, int idx, ksj_encode_opts *o,
                          const char *fname, const char *const *extra) {
  encode_read r = {o, 0};
  o->fname = fname;
  ksj_opts_each(L, idx, fname, extra, encode_opt, &r);
  if (o->indent >= 0 && !r.seps) {   /* Python's default with indent */
    o->key_sep = ": ";
    o->key_sep_len = 2;
  }
}

/* JSON whitespace (RFC 8259: space, tab, newline, carriage return) only. */
static int json_ws(const char *s, size_t len) {
  size_t i;
  for (i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') return 0;
  return 1;
}

/* One `mark` with only JSON whitespace around it. */
static int json_sep(const char *s, size_t len, char mark) {
  const char *m = memchr(s, mark, len);
  return m != NULL && json_ws(s, (size_t)(m - s)) &&
         json_ws(m + 1, len - (size_t)(m - s) - 1);
}

void ksj_encode_opts_json_only(lua_State *L, const ksj_encode_opts *o,
                               const char *fname) {
  if (!json_sep(o->item_sep, o->item_sep_len, ',') ||
      !json_sep(o->key_sep, o->key_sep_len, ':'))
    luaL_error(L, "kserial: %s: option 'separators' must be {item, key}: ',' and "
               "':', each with only JSON whitespace (space, tab, newline, "
               "carriage return) around it", fname);
  if (o->indent_str != NULL && !json_ws(o->indent_str, o->indent_len))
    luaL_error(L, "kserial: %s: option 'indent' must be a number or a string of "
               "JSON whitespace (space, tab, newline, carriage return)", fname);
}

static int value_opt(lua_State *L, const char *k, const char *fname, void *ud) {
  return read_value_opt(L, k, fname, (ksj_encode_opts *)ud);
}

void ksj_value_opts_read(lua_State *L, int idx, ksj_encode_opts *o,
                         const char *fname, const char *const *extra) {
  o->fname = fname;
  ksj_opts_each(L, idx, fname, extra, value_opt, o);
}

/* ---- the box: output buffer and key scratch ------------------------------ */

typedef struct keyent {
  const char *s;        /* the key string, anchored in its table; NULL for
                        ** an integer key (int_keys = "string") */
  union {
    size_t len;         /* s != NULL: the key's length */
    lua_Integer ikey;   /* s == NULL: the integer key */
  } u;
  int rank;             /* from the key order, RANK_STRING for most keys,
                        ** RANK_INT for integer keys;
                        ** in a dict with a recorded order, a listed key has
                        ** the negative rank RECORDED_RANK(position) */
  int order;            /* next() order: where its value was kept */
} keyent;

/* Ranks 0 .. KSJ_RANK_OTHER - 1 are the key order's keys; integer keys
** come next, then the other string keys. */
#define RANK_INT KSJ_RANK_OTHER
#define RANK_STRING (KSJ_RANK_OTHER + 1)

/* Recorded positions are 1..KSJ_MAX_RECORDED: their ranks sort before
** every other key's, in order. */
#define RECORDED_RANK(pos) ((int)((pos) - 1 - KSJ_MAX_RECORDED))

typedef struct ebox {
  char *buf;
  size_t n, cap;
  keyent *keys;
  size_t nkeys, kcap;
  lua_Alloc f;
  void *ud;
} ebox;

static int box_close(lua_State *L) {
  ebox *b = (ebox *)lua_touserdata(L, 1);
  if (b != NULL) {
    if (b->buf != NULL) b->f(b->ud, b->buf, b->cap, 0);
    if (b->keys != NULL) b->f(b->ud, b->keys, b->kcap * sizeof(keyent), 0);
    b->buf = NULL; b->keys = NULL;
    b->cap = b->kcap = b->n = b->nkeys = 0;
  }
  return 0;
}

/* Gives the userdata on top the metatable `name`, made on first use, whose
** __gc and __close are both `close` (memory freed by whichever comes first). */
static void set_closing_mt(lua_State *L, const char *name, lua_CFunction close) {
  if (luaL_newmetatable(L, name)) {
    lua_pushcfunction(L, close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, close);
    lua_setfield(L, -2, "__close");
  }
  lua_setmetatable(L, -2);
}

static ebox *box_new(lua_State *L) {
  ebox *b = (ebox *)lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);
  b->f = lua_getallocf(L, &b->ud);
  set_closing_mt(L, BOX_MT, box_close);
  lua_toclose(L, -1);   /* freed at once when an error unwinds */
  return b;
}

/* ---- the encoder state --------------------------------------------------- */

typedef struct enc {
  lua_State *L;
  const ksj_encode_opts *o;
  ebox *b;
  int flags;
  int depth;
  int mt_array, mt_object;   /* stack indices of the marker metatables */
  int orders;                /* stack index of the recorded orders, or 0 */
  const ksj_filter *filter;  /* their filter (when orders != 0) */
  int anchors;               /* stack index of the fragments' held values */
  const char *fname;         /* for messages: the function the user called */
  /* the key order's keys by length: first[len] is 1 + the first one of
  ** that length (0: none), next_same[i] 1 + the next one after keys[i] */
  const char *const *ranked;
  unsigned char first[64], next_same[KSJ_RANK_OTHER];
} enc;

static void enc_value(enc *e, int idx, const ksj_frame *up);
static void put_frag(enc *e, int idx, const ksj_frame *up);

/* Raises "kserial: <fname>: <msg> (at <path of f>)". */
static KSJ_NOINLINE void enc_raise(enc *e, const ksj_frame *f,
                                   const char *fmt, ...) {
  lua_State *L = e->L;
  va_list ap;
  luaL_checkstack(L, 10, NULL);
  luaL_where(L, 1);
  lua_pushfstring(L, "kserial: %s: ", e->fname);
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_pushliteral(L, " (at ");
  ksj_pushpath(L, f);
  lua_pushliteral(L, ")");
  lua_concat(L, 6);
  lua_error(L);
}

static KSJ_NOINLINE char *grow(enc *e, size_t need) {
  ebox *b = e->b;
  size_t ncap = b->cap < 256 ? 256 : b->cap;
  char *nb;
  while (ncap - b->n < need) {
    if (ncap > ((size_t)-1) / 2) luaL_error(e->L, "kserial: %s: output too large", e->fname);
    ncap *= 2;
  }
  nb = (char *)b->f(b->ud, b->buf, b->cap, ncap);
  if (nb == NULL) luaL_error(e->L, "kserial: %s: not enough memory", e->fname);
  b->buf = nb;
  b->cap = ncap;
  return nb + b->n;
}

/* Room for `need` more bytes; returns where to write them. */
static inline char *reserve(enc *e, size_t need) {
  ebox *b = e->b;
  if (KSJ_LIKELY(b->cap - b->n >= need)) return b->buf + b->n;
  return grow(e, need);
}

static inline void put(enc *e, const char *s, size_t len) {
  memcpy(reserve(e, len), s, len);
  e->b->n += len;
}

static inline void putc_(enc *e, char c) {
  *reserve(e, 1) = c;
  e->b->n++;
}

/* Python's layout: newline and the indent once per level. */
static void newline(enc *e, int level) {
  size_t sp = (size_t)e->o->indent * (size_t)level;
  char *w = reserve(e, sp + 1);
  *w = '\n';
  if (e->o->indent_str == NULL) memset(w + 1, ' ', sp);
  else {
    int i;
    for (i = 0; i < level; i++)
      memcpy(w + 1 + (size_t)i * e->o->indent_len, e->o->indent_str,
             e->o->indent_len);
  }
  e->b->n += sp + 1;
}

/* ---- scalars ------------------------------------------------------------- */

static void enc_float(enc *e, double d, const ksj_frame *up) {
  char *w;
  if (d != d || d - d != d - d) {   /* NaN or +-inf */
    const char *tok = d != d ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    if (!e->o->allow_nan)
      enc_raise(e, up, "cannot encode %s", d != d ? "NaN" : d > 0 ? "inf" : "-inf");
    put(e, tok, strlen(tok));
    return;
  }
  w = reserve(e, KSJ_NUMBUF);
  e->b->n += ksj_format_double(d, w);
}

static void enc_number(enc *e, int idx, const ksj_frame *up) {
  if (lua_isinteger(e->L, idx)) {
    char *w = reserve(e, KSJ_NUMBUF);
    e->b->n += ksj_format_integer(lua_tointeger(e->L, idx), w);
  }
  else enc_float(e, lua_tonumber(e->L, idx), up);
}

/* 0: copy as is; 1: escape; 2: non-ASCII (validate, maybe escape).
** As in Python, DEL (0x7f) is escaped only with ensure_ascii. */
#define NONASCII_ROWS \
  2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, \
  2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, \
  2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, \
  2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2
static const unsigned char ascii_class[256] = {
  1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
  0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,
  NONASCII_ROWS
};
static const unsigned char str_class[256] = {
  1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
  0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  NONASCII_ROWS
};

static const char hexdig[] = "0123456789abcdef";

static char *put_u(char *w, unsigned u) {
  w[0] = '\\'; w[1] = 'u';
  w[2] = hexdig[(u >> 12) & 15]; w[3] = hexdig[(u >> 8) & 15];
  w[4] = hexdig[(u >> 4) & 15]; w[5] = hexdig[u & 15];
  return w + 6;
}

/* Escape of an ASCII byte that needs one: \" \\ \n \r \t \b \f \u00XX. */
static char *put_escape(char *w, unsigned char c) {
  char s;
  switch (c) {
    case '"': s = '"'; break;
    case '\\': s = '\\'; break;
    case '\n': s = 'n'; break;
    case '\r': s = 'r'; break;
    case '\t': s = 't'; break;
    case '\b': s = 'b'; break;
    case '\f': s = 'f'; break;
    default: return put_u(w, c);
  }
  w[0] = '\\'; w[1] = s;
  return w + 2;
}

/* ensure_ascii: one code point as \uXXXX, or a surrogate pair above FFFF. */
static char *put_ascii_cp(char *w, const unsigned char *p, int k) {
  unsigned cp;
  if (k == 2) cp = (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu);
  else if (k == 3) cp = (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
  else cp = (p[0] & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 |
            (p[3] & 0x3Fu);
  if (cp < 0x10000) return put_u(w, cp);
  cp -= 0x10000;
  w = put_u(w, 0xD800 | (cp >> 10));
  return put_u(w, 0xDC00 | (cp & 0x3FF));
}

static KSJ_NOINLINE void bad_string(enc *e, const ksj_frame *up, int iskey,
                                    const char *s, const unsigned char *p) {
  const char *what = iskey ? "key" : "string";
  if (*p == 0)
    enc_raise(e, up, "%s holds a NUL byte (at offset %I), which a cJSON "
              "document cannot hold", what, (LUAI_UACINT)((const char *)p - s));
  else {
    char hx[5] = {'0', 'x', hexdig[*p >> 4], hexdig[*p & 15], 0};
    enc_raise(e, up, "%s is not valid UTF-8 (byte %s at offset %I)", what, hx,
              (LUAI_UACINT)((const char *)p - s));
  }
}

/* Writes s as a JSON string; returns NULL, or the first byte that cannot
** be written (not UTF-8, or a NUL with KSJ_ENC_NO_NUL), with the buffer
** holding the text before it. */
static const unsigned char *put_string(enc *e, const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  int ascii = e->o->ensure_ascii, nonul = e->flags & KSJ_ENC_NO_NUL;
  const unsigned char *cls = ascii ? ascii_class : str_class;
  char *w = reserve(e, len + 2);
  *w++ = '"';
  while (p < end) {
    const unsigned char *r = p;
    unsigned char c;
    while (p < end && cls[*p] == 0) p++;
    memcpy(w, r, (size_t)(p - r));
    w += p - r;
    if (p == end) break;
    c = *p;
    e->b->n = (size_t)(w - e->b->buf);
    if (c >= 0x80) {
      int k = ksj_utf8_len(p, end);
      if (k == 0) return p;
      if (!ascii) {
        memcpy(w, p, (size_t)k);
        w += k; p += k;
        continue;
      }
      w = reserve(e, 12 + (size_t)(end - p) + 1);
      w = put_ascii_cp(w, p, k);
      p += k;
    }
    else {
      if (c == 0 && nonul) return p;
      w = reserve(e, 6 + (size_t)(end - p) + 1);
      w = put_escape(w, c);
      p++;
    }
  }
  *w++ = '"';
  e->b->n = (size_t)(w - e->b->buf);
  return NULL;
}

/* Writes s as a JSON string. Errors name the path `up` (the string's own
** path, or its dict's for a key). */
static void enc_string(enc *e, const char *s, size_t len, const ksj_frame *up,
                       int iskey) {
  const unsigned char *bad = put_string(e, s, len);
  if (KSJ_UNLIKELY(bad != NULL)) bad_string(e, up, iskey, s, bad);
}

/* ---- values that cannot be encoded --------------------------------------- */

/* A table or userdata with a metatable that is no marker: a class instance
** (the protocol layer serializes those before encoding) or something else. */
static KSJ_NOINLINE void bad_class(enc *e, int idx, const ksj_frame *up) {
  lua_State *L = e->L;
  const char *tname = lua_istable(L, idx) ? "table" : "userdata";
  luaL_checkstack(L, 4, NULL);
  if (lua_getmetatable(L, idx)) {
    lua_pushliteral(L, "__name");
    if (lua_rawget(L, -2) == LUA_TSTRING)
      enc_raise(e, up, "cannot encode a value of class '%s'", lua_tostring(L, -1));
    enc_raise(e, up, "cannot encode a %s with a metatable", tname);
  }
  enc_raise(e, up, "cannot encode a %s", tname);
}

static KSJ_NOINLINE void bad_type(enc *e, int idx, const ksj_frame *up) {
  lua_State *L = e->L;
  int t = lua_type(L, idx);
  if (t == LUA_TUSERDATA) bad_class(e, idx, up);
  if (t == LUA_TLIGHTUSERDATA)
    enc_raise(e, up, "cannot encode a light userdata other than kserial.null");
  if (t == LUA_TNIL)
    enc_raise(e, up, "cannot encode nil inside a table (use kserial.null)");
  enc_raise(e, up, "cannot encode a %s", lua_typename(L, t));
}

/* The key at idx, for messages: "x" (escaped, cut), 3, 1.5, true... */
static const char *key_repr(lua_State *L, int idx) {
  int t = lua_type(L, idx);
  if (t == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    ksj_pushquoted(L, s, len);
    return lua_tostring(L, -1);
  }
  if (t == LUA_TNUMBER && !lua_isinteger(L, idx))
    return lua_pushfstring(L, "%s (a float)", luaL_tolstring(L, idx, NULL));
  if (t == LUA_TNUMBER || t == LUA_TBOOLEAN) return luaL_tolstring(L, idx, NULL);
  return lua_pushfstring(L, "of type %s", luaL_typename(L, idx));
}

static KSJ_NOINLINE void bad_key(enc *e, int kidx, const ksj_frame *up,
                                 const char *why) {
  luaL_checkstack(e->L, 10, NULL);
  kidx = lua_absindex(e->L, kidx);
  enc_raise(e, up, "bad table key %s: %s", key_repr(e->L, kidx), why);
}

#define KEYS_RULE "keys must be all strings (a dict) or exactly the " \
                  "integers 1..n (an array)"

/* ---- depth and cycles ---------------------------------------------------- */

/* At the depth limit, tell a cycle from deep nesting: walk the tables from
** the root and report the first one met twice. Only runs on error. */
static KSJ_NOINLINE void too_deep(enc *e, int t, const ksj_frame *up) {
  lua_State *L = e->L;
  ksj_frame self = {up, NULL, 0, 0, t};
  const ksj_frame *g, **v;
  size_t n = 0, i;
  luaL_checkstack(L, 10, NULL);
  for (g = &self; g != NULL; g = g->up) n++;
  v = (const ksj_frame **)lua_newuserdatauv(L, n * sizeof *v, 0);
  i = n;
  for (g = &self; g != NULL; g = g->up) v[--i] = g;
  lua_createtable(L, 0, (int)n);       /* table -> its first frame */
  for (i = 0; i < n; i++) {
    lua_pushvalue(L, v[i]->tidx);
    if (lua_rawget(L, -2) != LUA_TNIL) {
      const ksj_frame *first = (const ksj_frame *)lua_touserdata(L, -1);
      ksj_pushpath(L, first->up);
      enc_raise(e, v[i]->up, "cycle: this table contains itself (it is "
                "also at %s)", lua_tostring(L, -1));
    }
    lua_pop(L, 1);
    lua_pushvalue(L, v[i]->tidx);
    lua_pushlightuserdata(L, (void *)v[i]);
    lua_rawset(L, -3);
  }
  enc_raise(e, up, "nesting deeper than %d", e->o->max_depth);
}

/* ---- reading a table ----------------------------------------------------- */

/* What one lua_next pass over a table found. String keys go to the key
** scratch (from base, in next() order). Each key and its value stay on the
** Lua stack (item i, from 0, at vbase + 2i + 1 and KEPT_VALUE(vbase, i)),
** so writing needs no second lookup per key; if the stack cannot grow,
** kept drops to 0 and values are read again. */
typedef struct scan {
  size_t base;
  int vbase, kept;
  int in_order;          /* the integer keys came as 1, 2, 3... */
  int recorded;          /* the dict has a recorded key order */
  unsigned seen;         /* bit r set: a key of rank r */
  lua_Integer nint, nstr, imin, imax;
} scan;

static void scan_init(enc *e, scan *s) {
  s->base = e->b->nkeys;
  s->vbase = lua_gettop(e->L);
  s->kept = s->in_order = 1;
  s->recorded = 0;
  s->seen = 0;
  s->nint = s->nstr = s->imin = s->imax = 0;
}

/* Items kept per table (two stack slots each): bounds the stack a deep,
** wide value can take. */
#define KEEP_MAX 32768
#define KEPT_VALUE(vbase, i) ((vbase) + 2 * (i) + 2)

/* After lua_next: [pairs][key][value]. The pair stays, and a copy of the
** key goes on top for lua_next (cheaper than moving the value below the
** key); or the value is dropped. */
static KSJ_INLINE void keep_value(enc *e, scan *s) {
  lua_State *L = e->L;
  int count;
  if (!s->kept) {
    lua_pop(L, 1);
    return;
  }
  count = (lua_gettop(L) - 2 - s->vbase) / 2;
  if ((count & 15) != 0 || (count < KEEP_MAX && lua_checkstack(L, 40)))
    lua_pushvalue(L, -2);
  else {                      /* no room: forget the values, keep the key */
    lua_pop(L, 1);
    lua_replace(L, s->vbase + 1);
    lua_settop(L, s->vbase + 1);
    s->kept = 0;
  }
}

/* ---- arrays -------------------------------------------------------------- */

/* Items 1..n: from the stack (KEPT_VALUE) when the scan kept them in
** order, else read raw. */
static void enc_array(enc *e, int t, lua_Integer n, int vbase, ksj_frame *f) {
  lua_State *L = e->L;
  lua_Integer i;
  int pretty = e->o->indent >= 0;
  putc_(e, '[');
  for (i = 1; i <= n; i++) {
    if (i > 1) put(e, e->o->item_sep, e->o->item_sep_len);
    if (pretty) newline(e, e->depth);
    f->index = i - 1;
    if (vbase != 0) enc_value(e, KEPT_VALUE(vbase, (int)i - 1), f);
    else {
      if (lua_rawgeti(L, t, i) == LUA_TNIL)
        enc_raise(e, f, "array item is nil (a hole in 1..%I)", (LUAI_UACINT)n);
      enc_value(e, lua_gettop(L), f);
      lua_pop(L, 1);
    }
  }
  if (pretty && n > 0) newline(e, e->depth - 1);
  putc_(e, ']');
}

/* ---- dicts --------------------------------------------------------------- */

static KSJ_NOINLINE void grow_keys(enc *e) {
  ebox *b = e->b;
  size_t ncap = b->kcap < 16 ? 16 : b->kcap * 2;
  keyent *nk;
  if (ncap > ((size_t)-1) / (2 * sizeof(keyent)))
    luaL_error(e->L, "kserial: %s: too many keys", e->fname);
  nk = (keyent *)b->f(b->ud, b->keys, b->kcap * sizeof(keyent),
                      ncap * sizeof(keyent));
  if (nk == NULL) luaL_error(e->L, "kserial: %s: not enough memory", e->fname);
  b->keys = nk;
  b->kcap = ncap;
}

static inline keyent *new_key(enc *e, size_t base) {
  ebox *b = e->b;
  keyent *k;
  if (b->nkeys == b->kcap) grow_keys(e);
  k = &b->keys[b->nkeys];
  k->order = (int)(b->nkeys - base);
  b->nkeys++;
  return k;
}

/* The key's place in the caller's key order, or RANK_STRING. Most
** keys are turned away by their length alone. */
static inline int key_rank(const enc *e, const char *s, size_t len) {
  int i;
  if (len >= 64) return RANK_STRING;
  for (i = e->first[len]; i != 0; i = e->next_same[i - 1]) {
    const char *r = e->ranked[i - 1];
    size_t j = 0;
    while (j < len && r[j] == s[j]) j++;   /* short keys: no call to memcmp */
    if (j == len) return i - 1;
  }
  return RANK_STRING;
}

/* Appends the string key at kidx to the scratch; returns its rank. */
static int add_key(enc *e, int kidx, size_t base) {
  keyent *k = new_key(e, base);
  k->s = lua_tolstring(e->L, kidx, &k->u.len);
  k->rank = key_rank(e, k->s, k->u.len);
  return k->rank;
}

/* int_keys = "string": appends the integer key at kidx. */
static void add_int_key(enc *e, int kidx, size_t base) {
  keyent *k = new_key(e, base);
  k->s = NULL;
  k->u.ikey = lua_tointeger(e->L, kidx);
  k->rank = RANK_INT;
}

/* Bytewise (memcmp) order, a prefix before the longer key. */
static int cmp_bytes(const keyent *a, const keyent *b) {
  size_t n = a->u.len < b->u.len ? a->u.len : b->u.len;
  int c;
  if (n > 0 && a->s[0] != b->s[0])   /* most keys differ at once */
    return (unsigned char)a->s[0] - (unsigned char)b->s[0];
  c = memcmp(a->s, b->s, n);
  if (c != 0) return c;
  return a->u.len < b->u.len ? -1 : a->u.len > b->u.len;
}

/* How a dict's keys are put in order. */
enum { BY_NEXT = 0, BY_BYTES = 1 };

/* By rank (recorded positions first, then the key order's keys); then
** integer keys, in numeric order, before string keys; string keys
** bytewise or in next() order. `by` is a constant at each call, so each
** sort gets its own copy. */
static KSJ_INLINE int key_cmp(const keyent *a, const keyent *b, int by) {
  if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
  if (KSJ_UNLIKELY(a->rank == RANK_INT))   /* both integer keys */
    return a->u.ikey < b->u.ikey ? -1 : a->u.ikey > b->u.ikey;
  return by != BY_NEXT ? cmp_bytes(a, b) : a->order - b->order;
}

static int cmp_next(const void *x, const void *y) {
  return key_cmp((const keyent *)x, (const keyent *)y, BY_NEXT);
}

static int cmp_sorted(const void *x, const void *y) {
  return key_cmp((const keyent *)x, (const keyent *)y, BY_BYTES);
}


/* Most dicts are small: insertion sort beats qsort's indirect calls. */
static KSJ_INLINE void sort_keys(keyent *k, size_t n, int by) {
  size_t i, j;
  if (n > 24) {
    qsort(k, n, sizeof *k, by == BY_BYTES ? cmp_sorted : cmp_next);
    return;
  }
  for (i = 1; i < n; i++) {
    keyent x = k[i];
    for (j = i; j > 0 && key_cmp(&x, &k[j - 1], by) < 0; j--) k[j] = k[j - 1];
    k[j] = x;
  }
}

static void sort_bytes(keyent *k, size_t n) { sort_keys(k, n, BY_BYTES); }
static void sort_next(keyent *k, size_t n) { sort_keys(k, n, BY_NEXT); }

/* Puts the n keys from base in writing order. The key order's ranks count
** only when the dict holds all of its required ranks (`seen`: a bit per
** rank met). `recorded`: the dict has a recorded order. */
static KSJ_INLINE void order_keys(enc *e, size_t base, size_t n,
                                  unsigned seen, int recorded, int hasint) {
  const ksj_key_order *ko = e->o->key_order;
  keyent *k;
  size_t i;
  int ranked = ko != NULL && (seen & ko->required) == ko->required;
  if (n == 0) return;   /* keys may still be NULL: no pointer arithmetic on it */
  k = e->b->keys + base;
  if (!ranked && (seen & ~(1u << RANK_STRING)) != 0)
    for (i = 0; i < n; i++)   /* not recorded keys, nor integer ones */
      if (k[i].rank >= 0 && k[i].rank < RANK_INT) k[i].rank = RANK_STRING;
  if (n < 2) return;
  if (recorded || e->o->sort_keys != 0) sort_bytes(k, n);
  else if (ranked || hasint) sort_next(k, n);
}

/* int_keys: a string key that reads as one of the dict's integer keys
** would be written twice. */
static KSJ_NOINLINE void check_int_clash(enc *e, int t, size_t base, size_t n,
                                         const ksj_frame *up) {
  lua_State *L = e->L;
  size_t i;
  for (i = 0; i < n; i++) {
    const keyent *k = &e->b->keys[base + i];
    char buf[KSJ_NUMBUF];
    lua_Integer v;
    if (k->s == NULL || k->u.len == 0 || k->u.len >= KSJ_NUMBUF) continue;
    if (!lua_stringtonumber(L, k->s)) continue;
    if (!lua_isinteger(L, -1)) { lua_pop(L, 1); continue; }
    v = lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (ksj_format_integer(v, buf) != k->u.len || memcmp(buf, k->s, k->u.len) != 0)
      continue;   /* not the text an integer key is written as */
    buf[k->u.len] = '\0';
    if (lua_rawgeti(L, t, v) != LUA_TNIL)
      enc_raise(e, up, "keys %s and \"%s\" would both be written as \"%s\" "
                "(int_keys)", buf, buf, buf);
    lua_pop(L, 1);
  }
}

static void enc_dict(enc *e, int t, const scan *s, ksj_frame *f) {
  lua_State *L = e->L;
  size_t i, n = e->b->nkeys - s->base;
  int pretty = e->o->indent >= 0;
  char num[KSJ_NUMBUF + 1];
  if (s->nint > 0 && s->nstr > 0) check_int_clash(e, t, s->base, n, f->up);
  order_keys(e, s->base, n, s->seen, s->recorded, s->nint > 0);
  putc_(e, '{');
  for (i = 0; i < n; i++) {
    keyent *k = &e->b->keys[s->base + i];   /* re-read: nesting may move it */
    const char *ks = k->s;
    size_t len = ks != NULL ? k->u.len : 0;
    int order = k->order;
    lua_Integer ik = ks == NULL ? k->u.ikey : 0;
    if (i > 0) put(e, e->o->item_sep, e->o->item_sep_len);
    if (pretty) newline(e, e->depth);
    if (KSJ_UNLIKELY(ks == NULL)) {       /* an integer key, as Python writes it */
      len = ksj_format_integer(ik, num);
      num[len] = '\0';
      ks = num;
    }
    enc_string(e, ks, len, f->up, 1);
    put(e, e->o->key_sep, e->o->key_sep_len);
    f->key = ks;
    f->klen = len;
    if (s->kept) enc_value(e, KEPT_VALUE(s->vbase, order), f);
    else {
      if (ks == num) lua_rawgeti(L, t, ik);
      else {
        lua_pushlstring(L, ks, len);
        lua_rawget(L, t);
      }
      enc_value(e, lua_gettop(L), f);
      lua_pop(L, 1);
    }
  }
  if (pretty && n > 0) newline(e, e->depth - 1);
  putc_(e, '}');
}

/* The key k (just read, below its value on the stack) gets the rank of
** its position in the order table ord, when it has one. */
static void recorded_rank(lua_State *L, keyent *k, int ord) {
  lua_Integer pos;
  lua_pushvalue(L, -2);
  lua_rawget(L, ord);
  pos = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
  lua_pop(L, 1);
  if (pos >= 1 && pos <= KSJ_MAX_RECORDED) k->rank = RECORDED_RANK(pos);
}

/* A dict-marked table: every key must be a string (or, with int_keys, an
** integer). ord: its order table's stack index, or 0. */
static void collect_dict(enc *e, int t, const ksj_frame *up, scan *s,
                         int ord) {
  lua_State *L = e->L;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      s->seen |= 1u << add_key(e, -2, s->base);
      s->nstr++;
      if (ord != 0)
        recorded_rank(L, &e->b->keys[e->b->nkeys - 1], ord);
    }
    else if (e->o->int_keys == KSJ_INT_KEYS_STRING && lua_isinteger(L, -2)) {
      add_int_key(e, -2, s->base);
      s->nint++;
    }
    else bad_key(e, -2, up, e->o->int_keys == KSJ_INT_KEYS_STRING
                 ? "the keys of a dict must be strings or integers"
                 : "the keys of a dict must be strings");
    keep_value(e, s);
  }
  s->recorded = ord != 0;
}

/* Raises for an unmarked table whose keys are neither all strings nor
** exactly 1..n, naming a key that does not fit. */
static void check_keys(enc *e, int t, const ksj_frame *up, const scan *s) {
  lua_State *L = e->L;
  if (e->b->nkeys > s->base) {    /* mixed: blame the minority's kind */
    if (lua_rawlen(L, t) > 0) {
      lua_pushlstring(L, e->b->keys[s->base].s, e->b->keys[s->base].u.len);
      bad_key(e, -1, up, "a table with array items cannot have string keys");
    }
    lua_pushinteger(L, s->imin);
    bad_key(e, -1, up, "a table with string keys cannot have integer keys");
  }
  if (s->imin < 1 || s->imax > s->nint) {
    lua_pushinteger(L, s->imin < 1 ? s->imin : s->imax);
    bad_key(e, -1, up, KEYS_RULE);
  }
}

/* An unmarked table: all string keys make a dict, keys exactly 1..n an
** array. With int_keys = "string", any other mix of string and integer
** keys makes a dict too. Returns n for an array, -1 for a dict. */
static lua_Integer classify(enc *e, int t, const ksj_frame *up, scan *s) {
  lua_State *L = e->L;
  int intkeys = e->o->int_keys == KSJ_INT_KEYS_STRING;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      s->seen |= 1u << add_key(e, -2, s->base);
      s->nstr++;
    }
    else if (lua_isinteger(L, -2)) {
      lua_Integer k = lua_tointeger(L, -2);
      if (k != s->nint + 1) s->in_order = 0;
      if (s->nint == 0 || k < s->imin) s->imin = k;
      if (s->nint == 0 || k > s->imax) s->imax = k;
      s->nint++;
      if (intkeys) add_int_key(e, -2, s->base);
    }
    else bad_key(e, -2, up, intkeys ? "keys must be strings or integers"
                                    : KEYS_RULE);
    keep_value(e, s);
  }
  if (s->nint == 0) return -1;
  if (intkeys) {
    if (s->nstr > 0 || s->imin != 1 || s->imax != s->nint) return -1;
    e->b->nkeys = s->base;     /* exactly 1..n: an array after all */
    return s->nint;
  }
  check_keys(e, t, up, s);
  return s->nint;
}

/* Reads the table at t into the scan (keys to the scratch, values kept on
** the stack) and returns n for an array of n items, -1 for a dict. */
static KSJ_INLINE lua_Integer collect_table(enc *e, int t, const ksj_frame *up,
                                            scan *s) {
  lua_State *L = e->L;
  int kind = 0, ord = 0;
  if (lua_getmetatable(L, t)) {
    if (lua_rawequal(L, -1, e->mt_array)) kind = 1;
    else if (lua_rawequal(L, -1, e->mt_object)) kind = 2;
    else bad_class(e, t, up);
    lua_pop(L, 1);
    if (kind == 2 && e->orders != 0 &&
        ksj_filter_may(e->filter, lua_topointer(L, t))) {
      lua_pushvalue(L, t);
      if (lua_rawget(L, e->orders) == LUA_TTABLE) ord = lua_gettop(L);
      else lua_pop(L, 1);
    }
  }
  scan_init(e, s);
  if (kind == 1) {
    s->kept = 0;
    return (lua_Integer)lua_rawlen(L, t);
  }
  if (kind == 2) {
    collect_dict(e, t, up, s, ord);
    return -1;
  }
  return classify(e, t, up, s);
}

static void enc_table(enc *e, int t, const ksj_frame *up) {
  lua_State *L = e->L;
  ksj_frame f = {up, NULL, 0, 0, t};
  lua_Integer n;
  scan s;
  if (e->depth >= e->o->max_depth) too_deep(e, t, up);
  if (!lua_checkstack(L, 6))
    luaL_error(L, "kserial: %s: nesting too deep for the Lua stack", e->fname);
  n = collect_table(e, t, up, &s);
  e->depth++;
  if (n >= 0) enc_array(e, t, n, s.kept && s.in_order ? s.vbase : 0, &f);
  else enc_dict(e, t, &s, &f);
  e->depth--;
  lua_settop(L, s.vbase - s.recorded);   /* and the order table, if any */
  e->b->nkeys = s.base;
}

static void enc_value(enc *e, int idx, const ksj_frame *up) {
  lua_State *L = e->L;
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      enc_string(e, s, len, up, 0);
      break;
    }
    case LUA_TNUMBER: enc_number(e, idx, up); break;
    case LUA_TTABLE: enc_table(e, idx, up); break;
    case LUA_TBOOLEAN:
      if (lua_toboolean(L, idx)) put(e, "true", 4);
      else put(e, "false", 5);
      break;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, idx) == NULL) put(e, "null", 4);
      else if (e->o->frags != NULL) put_frag(e, idx, up);
      else bad_type(e, idx, up);
      break;
    case LUA_TNIL:
      if (up != NULL) bad_type(e, idx, up);
      put(e, "null", 4);
      break;
    default: bad_type(e, idx, up);
  }
}

/* ---- entry points -------------------------------------------------------- */

static void init_ranks(enc *e, const ksj_encode_opts *o);
static size_t frags_text(const ksj_frags *fs);

/* Sets up e (the box, the markers and the recorded orders on the stack). */
static void enc_init(enc *e, lua_State *L, const ksj_encode_opts *o,
                     int flags) {
  luaL_checkstack(L, 8, NULL);
  e->L = L;
  e->o = o;
  e->flags = flags;
  e->depth = 0;
  e->fname = o->fname != NULL ? o->fname : "json.encode";
  e->b = box_new(L);
  ksj_pushmt(L, KSJ_ARRAY_MT);
  e->mt_array = lua_gettop(L);
  ksj_pushmt(L, KSJ_OBJECT_MT);
  e->mt_object = lua_gettop(L);
  e->orders = 0;
  if (o->sort_keys != 1 && ksj_push_orders(L, 0)) {
    ksj_filter *f = ksj_orders_filter(L, lua_gettop(L));
    lua_pushnil(L);
    if (lua_next(L, -2)) {         /* some object has a recorded order */
      lua_pop(L, 2);
      e->orders = lua_gettop(L);
      e->filter = f;
    }
    else if (f->used) {            /* none left: forget the dead ones' bits */
      memset(f, 0, sizeof *f);
    }
  }
  e->anchors = 0;
  if (o->frags != NULL) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, o->frags);
    e->anchors = lua_gettop(L);
  }
  init_ranks(e, o);
}

/* The key order's keys by length (key_rank). */
static void init_ranks(enc *e, const ksj_encode_opts *o) {
  memset(e->first, 0, sizeof e->first);
  e->ranked = NULL;
  if (o->key_order != NULL) {
    int i;
    e->ranked = o->key_order->keys;
    for (i = 0; i < KSJ_RANK_OTHER && e->ranked[i] != NULL; i++) {
      size_t len = strlen(e->ranked[i]);
      unsigned char *link;
      e->next_same[i] = 0;
      if (len >= 64) continue;
      for (link = &e->first[len]; *link != 0; link = &e->next_same[*link - 1]) {}
      *link = (unsigned char)(i + 1);
    }
  }
}

void ksj_encode_ex(lua_State *L, int idx, const ksj_encode_opts *o,
                   int flags) {
  enc e;
  int boxi;
  idx = lua_absindex(L, idx);
  enc_init(&e, L, o, flags);
  boxi = e.mt_array - 1;
  /* a tree of fragments: about as long as their text, made in one go */
  if (o->frags != NULL && frags_text(o->frags) > 0) reserve(&e, frags_text(o->frags));
  enc_value(&e, idx, NULL);
  lua_pushlstring(L, e.b->buf != NULL ? e.b->buf : "", e.b->n);
  lua_closeslot(L, boxi);        /* frees the buffers now */
  lua_replace(L, boxi);
  lua_settop(L, boxi);
}

void ksj_encode(lua_State *L, int idx, const ksj_encode_opts *o) {
  ksj_encode_ex(L, idx, o, 0);
}

void ksj_push_keys(lua_State *L, int idx, const ksj_encode_opts *o) {
  enc e;
  scan s;
  int boxi;
  size_t i, n;
  idx = lua_absindex(L, idx);
  enc_init(&e, L, o, 0);
  e.fname = "json.keys";
  boxi = e.mt_array - 1;
  if (collect_table(&e, idx, NULL, &s) >= 0)
    luaL_error(L, "kserial: json.keys: the table is an array, not a dict");
  n = e.b->nkeys - s.base;
  if (s.nint > 0 && s.nstr > 0) check_int_clash(&e, idx, s.base, n, NULL);
  order_keys(&e, s.base, n, s.seen, s.recorded, s.nint > 0);
  lua_createtable(L, n < 1000000 ? (int)n : 0, 0);
  for (i = 0; i < n; i++) {
    const keyent *k = &e.b->keys[s.base + i];
    if (k->s == NULL) lua_pushinteger(L, k->u.ikey);
    else lua_pushlstring(L, k->s, k->u.len);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_closeslot(L, boxi);
  lua_replace(L, boxi);
  lua_settop(L, boxi);
}

/* ---- fragments: plain tables dumps encodes while it walks ---------------- */

/* One fragment: its text in the store's buffer, and its height (the
** nesting of tables in it, itself included). */
typedef struct frag {
  size_t off;            /* a composite: where its '{' or '[' is */
  size_t len;            /* a composite: its first item in the parts */
  lua_Integer made;      /* anchor slot of the table made from it, which
                         ** it is from then on (push_tables), or for an
                         ** envelope (spare) of the list of its copies; 0 */
  int height;            /* a composite: of its fragments, not its held values */
  unsigned short nparts; /* a composite's items (0: plain text) */
  unsigned char spare;   /* its last item is kept for ksj_composite_add */
} frag;

/* An item not given yet (the spare one): no text and no value. */
#define ABSENT(p) ((p)->tlen == 0 && (p)->ref == 0)
/* klen: a copy of the raw key follows the text (its escaped form is not
** just the key in quotes), else the raw key is inside the quotes */
#define KEY_COPIED 0x80000000u
#define ITEM_MAX 0x7fffffffu   /* bound of an item's text and key */

/* An item of a composite (ksj_composite): text written at once (a dict's
** key and key separator, and a value that is a scalar), then maybe a
** value written when the encoder meets the composite: a fragment (ref >
** 0, its number) or a held value (ref < 0, the anchor table's slot -ref).
** The raw key (koff, klen) or the index names the item in paths. */
typedef struct part {
  size_t toff;           /* the text, in the store's buffer */
  uint32_t tlen;
  uint32_t klen;         /* a dict's item: its raw key's length (KEY_COPIED) */
  lua_Integer ref;
} part;

/* A dict item's raw key, for paths and tables. */
static const char *raw_key(const char *buf, const part *p, size_t *len) {
  *len = p->klen & ~KEY_COPIED;
  return (p->klen & KEY_COPIED) ? buf + p->toff + p->tlen : buf + p->toff + 1;
}

/* Where a dict item's value text starts in its text (after the JSON
** string of the key and the key separator). */
static size_t value_start(const char *text, size_t seplen) {
  size_t i = 1;
  while (text[i] != '"') i += text[i] == '\\' ? 2 : 1;
  return i + 1 + seplen;
}

struct ksj_frags {
  ebox box;              /* the text of every fragment, one after another,
                         ** and the key scratch of their dicts */
  enc e;                 /* the encoder that writes them (box, options, ranks) */
  frag *v;
  size_t n, cap;
  part *parts;           /* the items of composites */
  size_t nparts, pcap;
  lua_Integer nanchors;  /* values held in the anchor table (its length) */
  int reach;             /* the deepest level a fragment's tables reach */
  const void *array_mt;  /* the array marker (held by the registry) */
};

#define FRAGS_MT "kserial.json.fragments"

static int frags_close(lua_State *L) {
  ksj_frags *fs = (ksj_frags *)lua_touserdata(L, 1);
  if (fs != NULL) {
    if (fs->box.buf != NULL) fs->box.f(fs->box.ud, fs->box.buf, fs->box.cap, 0);
    if (fs->box.keys != NULL)
      fs->box.f(fs->box.ud, fs->box.keys, fs->box.kcap * sizeof(keyent), 0);
    if (fs->v != NULL) fs->box.f(fs->box.ud, fs->v, fs->cap * sizeof(frag), 0);
    if (fs->parts != NULL)
      fs->box.f(fs->box.ud, fs->parts, fs->pcap * sizeof(part), 0);
    fs->box.buf = NULL; fs->box.keys = NULL; fs->v = NULL; fs->parts = NULL;
    fs->box.cap = fs->box.kcap = fs->box.n = fs->box.nkeys = fs->n = fs->cap = 0;
    fs->nparts = fs->pcap = 0;
    lua_pushnil(L);                 /* the held values go */
    lua_rawsetp(L, LUA_REGISTRYINDEX, fs);
  }
  return 0;
}

/* Fragments are written only where the final text of a table does not
** depend on where it lands or on the copy serialize would make of it: one
** line (no indent), sorted or recorded key order (next() order would be the
** copy's, not the table's), and no integer keys turned into strings. */
static int frags_fit(const ksj_encode_opts *o) {
  return o->indent < 0 && o->sort_keys != 0 && o->int_keys == KSJ_INT_KEYS_ERROR;
}

ksj_frags *ksj_frags_new(lua_State *L, const ksj_encode_opts *o) {
  ksj_frags *fs;
  if (!frags_fit(o)) {
    lua_pushnil(L);
    return NULL;
  }
  fs = (ksj_frags *)lua_newuserdatauv(L, sizeof *fs, 0);
  memset(fs, 0, sizeof *fs);
  fs->box.f = lua_getallocf(L, &fs->box.ud);
  set_closing_mt(L, FRAGS_MT, frags_close);
  fs->e.L = L;
  fs->e.o = o;
  fs->e.b = &fs->box;
  fs->e.fname = o->fname != NULL ? o->fname : "json.encode";
  init_ranks(&fs->e, o);
  ksj_pushmt(L, KSJ_ARRAY_MT);
  fs->array_mt = lua_topointer(L, -1);
  lua_pop(L, 1);
  /* the anchor table: the values composites hold until they are written
  ** (registry[store], the store's own for as long as it lives) */
  lua_newtable(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, fs);
  return fs;
}

/* The bytes of text the store holds. */
static size_t frags_text(const ksj_frags *fs) {
  return fs->box.n;
}

int ksj_frags_reach(const ksj_frags *fs) {
  return fs->reach;
}

/* One attempt: the walk's depth limit and the values it may still count. */
typedef struct fctx {
  enc *e;
  int wmax;
  lua_Integer left;
  const void *array_mt;
} fctx;

static int frag_table(fctx *c, int t, int depth, int *height);

/* 0 for the value on top when it is surely the walk's (an object, a
** function...), so an attempt gives up before it writes anything. */
static KSJ_INLINE int plain_value(const fctx *c, lua_State *L) {
  int t = lua_type(L, -1), ok;
  if (t == LUA_TTABLE) {
    if (!lua_getmetatable(L, -1)) return 1;
    ok = lua_topointer(L, -1) == c->array_mt;
    lua_pop(L, 1);
    return ok;
  }
  return t != LUA_TFUNCTION && t != LUA_TUSERDATA && t != LUA_TTHREAD;
}

/* Writes the value at idx (at depth) as serialize and then the encoder
** would; 0 for a value the walk must see (it may write nothing yet). */
static int frag_value(fctx *c, int idx, int depth, int *height) {
  enc *e = c->e;
  lua_State *L = e->L;
  *height = 0;
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      return put_string(e, s, len) == NULL;   /* not UTF-8: bytes, for the walk */
    }
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        char *w = reserve(e, KSJ_NUMBUF);
        e->b->n += ksj_format_integer(lua_tointeger(L, idx), w);
      } else {
        double d = lua_tonumber(L, idx);
        char *w;
        if (d != d || d - d != d - d) return 0;   /* the walk's rule */
        w = reserve(e, KSJ_NUMBUF);
        e->b->n += ksj_format_double(d, w);
      }
      return 1;
    case LUA_TBOOLEAN:
      if (lua_toboolean(L, idx)) put(e, "true", 4);
      else put(e, "false", 5);
      return 1;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, idx) != NULL) return 0;
      put(e, "null", 4);
      return 1;
    case LUA_TTABLE:
      return frag_table(c, idx, depth, height);
    default:
      return 0;
  }
}

/* A table with no metatable or the array marker, at depth, as walk_table
** copies it and the encoder writes the copy: an unmarked table is a dict
** when rawlen is 0 (string keys only, none "class_name": a dict that may
** read as an envelope is the walk's to check), else an array of exactly
** the keys 1..n, as a marked one always is. */
static int frag_table(fctx *c, int t, int depth, int *height) {
  enc *e = c->e;
  lua_State *L = e->L;
  lua_Integer n, items = 0;
  scan s;
  size_t i, nk;
  int ok = 1, h = 0, isdict;
  if (depth >= e->o->max_depth || depth >= c->wmax || !lua_checkstack(L, 8))
    return 0;
  n = (lua_Integer)lua_rawlen(L, t);
  isdict = n == 0;
  if (lua_getmetatable(L, t)) {
    ok = lua_topointer(L, -1) == c->array_mt;   /* dicts may have an order */
    lua_pop(L, 1);
    if (!ok) return 0;
    isdict = 0;
  }
  scan_init(e, &s);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (++items > c->left) ok = 0;
    else if (isdict) {
      size_t klen;
      const char *k;
      if (lua_type(L, -2) != LUA_TSTRING) ok = 0;
      else {
        k = lua_tolstring(L, -2, &klen);
        if (klen == 10 && memcmp(k, "class_name", 10) == 0) ok = 0;
        else {   /* no class_name: the key order's ranks never apply */
          keyent *ke = new_key(e, s.base);
          ke->s = k;
          ke->u.len = klen;
          ke->rank = RANK_STRING;
        }
      }
    } else {
      lua_Integer k = lua_isinteger(L, -2) ? lua_tointeger(L, -2) : 0;
      if (k < 1 || k > n) ok = 0;
      else if (k != items) s.in_order = 0;
    }
    if (ok && !plain_value(c, L)) ok = 0;   /* give up before writing */
    if (!ok) break;
    keep_value(e, &s);
  }
  if (ok && !isdict && items != n) ok = 0;   /* holes */
  if (!ok) goto fail;
  c->left -= items;
  nk = e->b->nkeys - s.base;
  if (isdict) {
    order_keys(e, s.base, nk, 1u << RANK_STRING, 0, 0);
    putc_(e, '{');
    for (i = 0; i < nk && ok; i++) {
      const keyent *k = &e->b->keys[s.base + i];   /* nesting may move it */
      const char *ks = k->s;
      size_t len = k->u.len;
      int order = k->order, vi, hh;
      if (i > 0) put(e, e->o->item_sep, e->o->item_sep_len);
      if (put_string(e, ks, len) != NULL) ok = 0;  /* the encoder's error */
      else {
        put(e, e->o->key_sep, e->o->key_sep_len);
        if (s.kept) vi = KEPT_VALUE(s.vbase, order);
        else {
          lua_pushlstring(L, ks, len);
          lua_rawget(L, t);
          vi = lua_gettop(L);
        }
        ok = frag_value(c, vi, depth + 1, &hh);
        if (!s.kept) lua_pop(L, 1);
        if (hh > h) h = hh;
      }
    }
    putc_(e, '}');
  } else {
    lua_Integer j;
    int inplace = s.kept && s.in_order;
    putc_(e, '[');
    for (j = 1; j <= n && ok; j++) {
      int hh;
      if (j > 1) put(e, e->o->item_sep, e->o->item_sep_len);
      if (inplace) ok = frag_value(c, KEPT_VALUE(s.vbase, (int)j - 1), depth + 1, &hh);
      else {
        lua_rawgeti(L, t, j);
        ok = frag_value(c, lua_gettop(L), depth + 1, &hh);
        lua_pop(L, 1);
      }
      if (hh > h) h = hh;
    }
    putc_(e, ']');
  }
  if (!ok) goto fail;
  lua_settop(L, s.vbase);
  e->b->nkeys = s.base;
  *height = h + 1;
  return 1;
fail:
  lua_settop(L, s.vbase);
  e->b->nkeys = s.base;
  return 0;
}

/* Doubles one of the store's arrays (at least 64 items of `size` bytes):
** returns the new block, *cap updated; raises on overflow or no memory. */
static KSJ_NOINLINE void *grow_array(ksj_frags *fs, lua_State *L, void *p,
                                     size_t *cap, size_t size) {
  size_t ncap = *cap < 64 ? 64 : *cap * 2;
  void *np;
  if (ncap > ((size_t)-1) / (2 * size))
    luaL_error(L, "kserial: %s: too many values", fs->e.fname);
  np = fs->box.f(fs->box.ud, p, *cap * size, ncap * size);
  if (np == NULL) luaL_error(L, "kserial: %s: not enough memory", fs->e.fname);
  *cap = ncap;
  return np;
}

static void grow_frags(ksj_frags *fs, lua_State *L) {
  fs->v = (frag *)grow_array(fs, L, fs->v, &fs->cap, sizeof(frag));
}

int ksj_fragment(lua_State *L, ksj_frags *fs, int idx, int depth, int wmax,
                 lua_Integer *left) {
  fctx c;
  size_t start = fs->box.n;
  int top = lua_gettop(L), h = 0;
  frag *f;
  c.e = &fs->e;
  c.array_mt = fs->array_mt;
  c.wmax = wmax;
  c.left = *left;
  fs->e.L = L;
  idx = lua_absindex(L, idx);
  if (!frag_table(&c, idx, depth, &h)) {
    fs->box.n = start;          /* forget what the attempt wrote */
    lua_settop(L, top);
    return 0;
  }
  if (fs->n == fs->cap) grow_frags(fs, L);
  f = &fs->v[fs->n++];
  f->off = start;
  f->len = fs->box.n - start;
  f->height = h;
  f->nparts = 0;
  f->spare = 0;
  f->made = 0;
  if (depth + h > fs->reach) fs->reach = depth + h;
  *left = c.left;
  /* the tree holds the fragment's number (from 1) as a light userdata */
  lua_pushlightuserdata(L, (void *)(uintptr_t)fs->n);
  return 1;
}

static const frag *frag_at(const ksj_frags *fs, const void *p) {
  uintptr_t i = (uintptr_t)p;
  return i >= 1 && i <= fs->n ? &fs->v[i - 1] : NULL;
}

int ksj_fragment_kind(const ksj_frags *fs, const void *p) {
  const frag *f = frag_at(fs, p);
  return f != NULL ? fs->box.buf[f->off] : 0;
}

static void put_composite(enc *e, const frag *f, int idx, const ksj_frame *up);

/* The final encoder: a fragment is copied as it is. It was written at the
** depth it is met at, or shallower (serialize's table reuse), so fits the
** depth limit; a copy that would land deeper is decoded back into tables
** first (ksj_frags_expand), which the check below stands guard over. */
static void put_frag(enc *e, int idx, const ksj_frame *up) {
  const frag *f = frag_at(e->o->frags, lua_touserdata(e->L, idx));
  if (f == NULL) bad_type(e, idx, up);
  if (f->made != 0 && !f->spare) {   /* it became a table: that, as it is now */
    lua_State *L = e->L;
    if (!lua_checkstack(L, 2))
      luaL_error(L, "kserial: %s: nesting too deep for the Lua stack", e->fname);
    lua_rawgeti(L, e->anchors, f->made);
    enc_value(e, lua_gettop(L), up);
    lua_pop(L, 1);
    return;
  }
  if (e->depth + f->height > e->o->max_depth)
    enc_raise(e, up, "nesting deeper than %d", e->o->max_depth);
  if (f->nparts > 0) put_composite(e, f, idx, up);
  else put(e, e->o->frags->box.buf + f->off, f->len);
}

/* A composite (the fragment at idx): its items' text, and their values
** that were left for now, written as the table they stand for. */
static void put_composite(enc *e, const frag *f, int idx, const ksj_frame *up) {
  lua_State *L = e->L;
  const ksj_frags *fs = e->o->frags;
  const char *buf = fs->box.buf;
  const part *p = fs->parts + f->len, *end = p + f->nparts;
  lua_Integer i = 0;
  int isdict = buf[f->off] == '{', written = 0;
  ksj_frame fr = {up, NULL, 0, 0, idx};
  if (e->depth >= e->o->max_depth) too_deep(e, idx, up);
  if (!lua_checkstack(L, 6))
    luaL_error(L, "kserial: %s: nesting too deep for the Lua stack", e->fname);
  e->depth++;
  putc_(e, buf[f->off]);
  for (; p < end; p++, i++) {
    if (ABSENT(p)) continue;
    if (written++ > 0) put(e, e->o->item_sep, e->o->item_sep_len);
    put(e, buf + p->toff, p->tlen);
    if (p->ref == 0) continue;
    if (isdict) fr.key = raw_key(buf, p, &fr.klen);
    else fr.index = i;
    if (p->ref > 0) lua_pushlightuserdata(L, (void *)(uintptr_t)p->ref);
    else lua_rawgeti(L, e->anchors, -p->ref);
    enc_value(e, lua_gettop(L), &fr);
    lua_pop(L, 1);
  }
  putc_(e, isdict ? '}' : ']');
  e->depth--;
}

static void grow_parts(ksj_frags *fs, lua_State *L) {
  fs->parts = (part *)grow_array(fs, L, fs->parts, &fs->pcap, sizeof(part));
}

/* Writes the item value at vi into part p: a scalar as text, a fragment
** by its number, anything else held in the anchor table (slot on the
** stack at anchors). Returns the height of a fragment, else 0; -1 when
** the composite cannot be made (a string the encoder refuses). */
static int composite_value(ksj_frags *fs, part *p, int vi, int anchors) {
  enc *e = &fs->e;
  lua_State *L = e->L;
  size_t before = e->b->n;
  const frag *f;
  p->ref = 0;
  switch (lua_type(L, vi)) {
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, vi, &len);
      if (put_string(e, s, len) != NULL) return -1;   /* the encoder's error */
      break;
    }
    case LUA_TNUMBER:
      if (lua_isinteger(L, vi)) {
        char *w = reserve(e, KSJ_NUMBUF);
        e->b->n += ksj_format_integer(lua_tointeger(L, vi), w);
        break;
      } else {
        double d = lua_tonumber(L, vi);
        char *w;
        if (d != d || d - d != d - d) goto hold;   /* NaN, inf: the encoder's */
        w = reserve(e, KSJ_NUMBUF);
        e->b->n += ksj_format_double(d, w);
        break;
      }
    case LUA_TBOOLEAN:
      if (lua_toboolean(L, vi)) put(e, "true", 4);
      else put(e, "false", 5);
      break;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, vi) == NULL) {
        put(e, "null", 4);
        break;
      }
      if ((f = frag_at(fs, lua_touserdata(L, vi))) != NULL) {
        p->ref = (lua_Integer)(uintptr_t)lua_touserdata(L, vi);
        return f->height;
      }
      goto hold;
    default:
    hold:
      lua_pushvalue(L, vi);
      lua_rawseti(L, anchors, ++fs->nanchors);
      p->ref = -fs->nanchors;
      return 0;
  }
  return e->b->n - before > ITEM_MAX ? -1 : 0;
}

int ksj_composite(lua_State *L, ksj_frags *fs, int n, int isdict, int spare,
                  int depth, int wmax) {
  enc *e = &fs->e;
  int base = lua_gettop(L) - 2 * n + 1, i, h = 0, anchors;
  size_t kbase = e->b->nkeys, start = e->b->n, pbase = fs->nparts;
  unsigned seen = 0;
  frag *f;
  if (n <= 0 || n >= 0xffff || depth >= e->o->max_depth || depth >= wmax ||
      !lua_checkstack(L, 4))
    return 0;
  e->L = L;
  for (i = 0; i < n; i++) {   /* the keys, then in writing order */
    keyent *k = new_key(e, kbase);
    if (isdict) {
      k->s = lua_tolstring(L, base + 2 * i, &k->u.len);
      k->rank = key_rank(e, k->s, k->u.len);
      seen |= 1u << k->rank;
    } else {
      k->s = NULL;
      k->u.ikey = lua_tointeger(L, base + 2 * i);
      k->rank = RANK_INT;
    }
  }
  if (isdict) order_keys(e, kbase, (size_t)n, seen, 0, 0);
  else sort_bytes(e->b->keys + kbase, (size_t)n);
  lua_rawgetp(L, LUA_REGISTRYINDEX, fs);
  anchors = lua_gettop(L);
  putc_(e, isdict ? '{' : '[');       /* its kind (ksj_fragment_kind) */
  for (i = 0; i < n; i++) {
    const keyent *k = &e->b->keys[kbase + i];
    int order = k->order, hh;
    part *p;
    if (fs->nparts == fs->pcap) grow_parts(fs, L);
    p = &fs->parts[fs->nparts++];
    p->toff = e->b->n;
    p->klen = 0;
    if (isdict) {
      const char *ks = k->s;
      size_t klen = k->u.len, kjson;
      if (klen > ITEM_MAX || put_string(e, ks, klen) != NULL)
        goto fail;                      /* the encoder's error */
      kjson = e->b->n - p->toff;
      put(e, e->o->key_sep, e->o->key_sep_len);
      hh = composite_value(fs, p, base + 2 * order + 1, anchors);
      if (hh < 0 || e->b->n - p->toff > ITEM_MAX) goto fail;
      p->tlen = (uint32_t)(e->b->n - p->toff);
      p->klen = (uint32_t)klen;
      if (kjson != klen + 2) {          /* escaped: the raw key, for paths */
        p->klen |= KEY_COPIED;
        put(e, ks, klen);
      }
    } else {
      hh = composite_value(fs, p, base + 2 * order + 1, anchors);
      if (hh < 0) goto fail;
      p->tlen = (uint32_t)(e->b->n - p->toff);
    }
    if (hh > h) h = hh;
  }
  e->b->nkeys = kbase;
  if (spare) {                        /* an item to come: absent for now */
    part *p;
    if (fs->nparts == fs->pcap) grow_parts(fs, L);
    p = &fs->parts[fs->nparts++];
    memset(p, 0, sizeof *p);
  }
  if (fs->n == fs->cap) grow_frags(fs, L);
  f = &fs->v[fs->n++];
  f->off = start;
  f->len = pbase;
  f->height = h + 1;
  f->nparts = (unsigned short)(fs->nparts - pbase);
  f->spare = (unsigned char)(spare != 0);
  f->made = 0;
  if (depth + h + 1 > fs->reach) fs->reach = depth + h + 1;
  lua_settop(L, base - 1);
  lua_pushlightuserdata(L, (void *)(uintptr_t)fs->n);
  return 1;
fail:          /* the values held so far stay held: harmless */
  e->b->nkeys = kbase;
  e->b->n = start;
  fs->nparts = pbase;
  lua_settop(L, base + 2 * n - 1);
  return 0;
}

static void expand(lua_State *L, ksj_frags *fs, int t, int seen,
                   const ksj_decode_opts *dop);

/* The table on top, made from the fragment f (not an envelope), is f from
** then on: push_tables gives it again, and the encoder writes it as it is
** then, so a change user code makes to a copy that shares it is written,
** as it is in serialize's tree. */
static void adopt(lua_State *L, ksj_frags *fs, frag *f) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, fs);
  lua_pushvalue(L, -2);
  lua_rawseti(L, -2, ++fs->nanchors);
  f->made = fs->nanchors;
  lua_pop(L, 1);
}

/* Notes the table on top as made from the envelope composite f (a copy:
** its own table, sharing the tables of its items), so that an item given
** to f later reaches it too (ksj_composite_add). */
static void note_made(lua_State *L, ksj_frags *fs, frag *f) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, fs);
  if (f->made == 0) {
    lua_newtable(L);
    lua_rawseti(L, -2, ++fs->nanchors);
    f->made = fs->nanchors;
  }
  lua_rawgeti(L, -1, f->made);
  lua_pushvalue(L, -3);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  lua_pop(L, 2);
}

/* Pushes the fragment f as tables: its text decoded (with the key order
** recorded, so it writes the same text), or a composite's items put in a
** marked table (its held values expanded in turn). */
static void push_tables(lua_State *L, ksj_frags *fs, frag *f, int seen,
                        const ksj_decode_opts *dop) {
  size_t i;
  int isdict = fs->box.buf[f->off] == '{', t;
  luaL_checkstack(L, 8, "kserial: nesting too deep");
  if (f->made != 0 && !f->spare) {    /* made before: the same table */
    lua_rawgetp(L, LUA_REGISTRYINDEX, fs);
    lua_rawgeti(L, -1, f->made);
    lua_remove(L, -2);
    return;
  }
  if (f->nparts == 0) {
    ksj_decode(L, fs->box.buf + f->off, f->len, dop);
    adopt(L, fs, f);
    return;
  }
  lua_createtable(L, isdict ? 0 : (int)f->nparts, isdict ? (int)f->nparts : 0);
  t = lua_gettop(L);
  ksj_pushmt(L, isdict ? KSJ_OBJECT_MT : KSJ_ARRAY_MT);
  lua_setmetatable(L, t);
  for (i = 0; i < f->nparts; i++) {
    const part *p = &fs->parts[f->len + i];   /* re-read: nesting may move it */
    const char *buf = fs->box.buf, *text = buf + p->toff;
    size_t vs = 0, klen;
    if (ABSENT(p)) continue;
    if (isdict) {
      const char *k = raw_key(buf, p, &klen);
      lua_pushlstring(L, k, klen);
      vs = value_start(text, fs->e.o->key_sep_len);
    }
    else lua_pushinteger(L, (lua_Integer)i + 1);
    if (p->ref == 0) ksj_decode(L, text + vs, p->tlen - vs, dop);
    else if (p->ref > 0)
      push_tables(L, fs, (frag *)frag_at(fs, (void *)(uintptr_t)p->ref), seen, dop);
    else {
      lua_rawgetp(L, LUA_REGISTRYINDEX, fs);
      lua_rawgeti(L, -1, -p->ref);
      lua_remove(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) expand(L, fs, lua_gettop(L), seen, dop);
    }
    lua_rawset(L, t);
  }
  if (f->spare) note_made(L, fs, f);
  else adopt(L, fs, f);
}

/* Decodes every fragment in the tree at t back into tables. */
static void expand(lua_State *L, ksj_frags *fs, int t, int seen,
                   const ksj_decode_opts *dop) {
  luaL_checkstack(L, 8, "kserial: nesting too deep");
  lua_pushvalue(L, t);
  if (lua_rawget(L, seen) != LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  lua_pushvalue(L, t);
  lua_pushboolean(L, 1);
  lua_rawset(L, seen);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    frag *f = lua_type(L, -1) == LUA_TLIGHTUSERDATA
                  ? (frag *)frag_at(fs, lua_touserdata(L, -1)) : NULL;
    if (f != NULL) {
      push_tables(L, fs, f, seen, dop);
      lua_pushvalue(L, -3);
      lua_insert(L, -2);
      lua_rawset(L, t);         /* an existing key: next() goes on */
    }
    else if (lua_type(L, -1) == LUA_TTABLE)
      expand(L, fs, lua_gettop(L), seen, dop);
    lua_pop(L, 1);
  }
}

void ksj_frags_expand(lua_State *L, ksj_frags *fs, int idx) {
  ksj_decode_opts dop;
  frag *f;
  idx = lua_absindex(L, idx);
  ksj_decode_opts_init(&dop);
  dop.keep_order = 1;
  dop.max_depth = KSJ_HARD_MAX_DEPTH;
  dop.fname = fs->e.fname;
  lua_newtable(L);
  f = lua_type(L, idx) == LUA_TLIGHTUSERDATA
          ? (frag *)frag_at(fs, lua_touserdata(L, idx)) : NULL;
  if (f != NULL) {
    push_tables(L, fs, f, lua_gettop(L), &dop);
    lua_replace(L, idx);
  }
  else if (lua_type(L, idx) == LUA_TTABLE) expand(L, fs, idx, lua_gettop(L), &dop);
  lua_pop(L, 1);
}

/* The tag lives in the spare item's text offset until the item is given. */
static part *spare_of(const ksj_frags *fs, const void *p) {
  const frag *f = frag_at(fs, p);
  return f != NULL && f->spare ? &fs->parts[f->len + f->nparts - 1] : NULL;
}

void ksj_composite_settag(ksj_frags *fs, const void *p, size_t tag) {
  part *s = spare_of(fs, p);
  if (s != NULL && ABSENT(s)) s->toff = tag;
}

size_t ksj_composite_tag(const ksj_frags *fs, const void *p) {
  const part *s = spare_of(fs, p);
  return s != NULL && ABSENT(s) ? s->toff : 0;
}

void ksj_composite_add(lua_State *L, ksj_frags *fs, int idx, const char *key,
                       lua_Integer v) {
  enc *e = &fs->e;
  frag *f = (frag *)frag_at(fs, lua_touserdata(L, idx));
  part *p;
  size_t klen = strlen(key);
  char *w;
  if (f == NULL || !f->spare) luaL_error(L, "kserial: %s: no item to add", e->fname);
  e->L = L;
  if (klen > 1000) luaL_error(L, "kserial: %s: key too long", e->fname);
  p = &fs->parts[f->len + f->nparts - 1];
  p->toff = e->b->n;
  if (put_string(e, key, klen) != NULL)
    luaL_error(L, "kserial: %s: bad key", e->fname);
  p->klen = (uint32_t)klen | (e->b->n - p->toff != klen + 2 ? KEY_COPIED : 0);
  put(e, e->o->key_sep, e->o->key_sep_len);
  w = reserve(e, KSJ_NUMBUF);
  e->b->n += ksj_format_integer(v, w);
  p->tlen = (uint32_t)(e->b->n - p->toff);
  if (p->klen & KEY_COPIED) put(e, key, klen);
  p->ref = 0;
  if (f->made != 0) {               /* and on the tables made from it */
    lua_Integer i, n;
    lua_rawgetp(L, LUA_REGISTRYINDEX, fs);
    lua_rawgeti(L, -1, f->made);
    n = (lua_Integer)lua_rawlen(L, -1);
    for (i = 1; i <= n; i++) {
      lua_rawgeti(L, -1, i);
      lua_pushlstring(L, key, klen);
      lua_pushinteger(L, v);
      lua_rawset(L, -3);
      lua_pop(L, 1);
    }
    lua_pop(L, 2);
  }
}
