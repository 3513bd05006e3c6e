/*
** bridge.c - the bridge between Lua values and cJSON documents, for the
** C API. cJSON keeps numbers as doubles; we keep them exact by putting
** numbers in raw nodes that hold their literal text.
**
** Lua -> cJSON runs the encoder first (same rules, same errors with paths,
** and every check that can raise), then builds the tree from that text in
** plain C that only fails on memory, deleting the partial tree before it
** raises. So no Lua error can leak cJSON memory. cJSON_InitHooks is never
** called: the hooks belong to the host program.
*/
#define KSJ_INTERNAL
#include <limits.h>
#include <math.h>
#include <string.h>
#include <lauxlib.h>
#include "ks_cjson.h"

/* ---- cJSON from our own text --------------------------------------------- */

/* The text is compact, valid JSON that we just wrote, and free of NUL
** bytes in strings. Strings are unescaped into scratch, used as a stack:
** a key stays there while its value is built. Each unescaped string plus
** its NUL is no longer than its quoted text, so len + 1 bytes suffice. */
typedef struct builder {
  const char *p;
  char *scratch;
  size_t sp;
} builder;

static cJSON *build_value(builder *b);

static unsigned hexval(const char *p) {
  unsigned v = 0;
  int i;
  for (i = 0; i < 4; i++) {
    unsigned c = (unsigned char)p[i];
    v = v << 4 | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

static char *put_utf8(char *w, unsigned cp) {
  if (cp < 0x80) *w++ = (char)cp;
  else if (cp < 0x800) {
    *w++ = (char)(0xC0 | cp >> 6); *w++ = (char)(0x80 | (cp & 0x3F));
  }
  else if (cp < 0x10000) {
    *w++ = (char)(0xE0 | cp >> 12); *w++ = (char)(0x80 | (cp >> 6 & 0x3F));
    *w++ = (char)(0x80 | (cp & 0x3F));
  }
  else {
    *w++ = (char)(0xF0 | cp >> 18); *w++ = (char)(0x80 | (cp >> 12 & 0x3F));
    *w++ = (char)(0x80 | (cp >> 6 & 0x3F)); *w++ = (char)(0x80 | (cp & 0x3F));
  }
  return w;
}

/* b->p at the opening quote; writes the string, NUL-terminated, at
** scratch + sp and returns it. */
static char *unescape(builder *b) {
  const char *p = b->p + 1;
  char *out = b->scratch + b->sp, *w = out;
  while (*p != '"') {
    if (*p != '\\') { *w++ = *p++; continue; }
    switch (p[1]) {
      case 'b': *w++ = '\b'; break;
      case 'f': *w++ = '\f'; break;
      case 'n': *w++ = '\n'; break;
      case 'r': *w++ = '\r'; break;
      case 't': *w++ = '\t'; break;
      case 'u': {
        unsigned cp = hexval(p + 2);
        if (cp >= 0xD800 && cp <= 0xDBFF) {   /* a pair (ensure_ascii) */
          cp = 0x10000 + ((cp - 0xD800) << 10) + (hexval(p + 8) - 0xDC00);
          p += 6;
        }
        w = put_utf8(w, cp);
        p += 4;
        break;
      }
      default: *w++ = p[1]; break;             /* \" \\ \/ */
    }
    p += 2;
  }
  *w = '\0';
  b->p = p + 1;
  return out;
}

/* A number (or NaN/Infinity token) as a raw node with its exact text. */
static cJSON *build_raw(builder *b) {
  const char *s = b->p;
  char *out = b->scratch + b->sp;
  size_t n = 0;
  while (*s != ',' && *s != ']' && *s != '}' && *s != '\0') s++;
  n = (size_t)(s - b->p);
  memcpy(out, b->p, n);
  out[n] = '\0';
  b->p = s;
  return cJSON_CreateRaw(out);
}

static cJSON *build_array(builder *b) {
  cJSON *a = cJSON_CreateArray();
  if (a == NULL) return NULL;
  b->p++;
  if (*b->p == ']') { b->p++; return a; }
  for (;;) {
    cJSON *v = build_value(b);
    if (v == NULL) { cJSON_Delete(a); return NULL; }
    cJSON_AddItemToArray(a, v);   /* only fails on NULL arguments */
    if (*b->p++ == ']') return a;  /* else ',' */
  }
}

static cJSON *build_object(builder *b) {
  cJSON *o = cJSON_CreateObject();
  if (o == NULL) return NULL;
  b->p++;
  if (*b->p == '}') { b->p++; return o; }
  for (;;) {
    size_t sp = b->sp;
    char *key = unescape(b);
    cJSON *v;
    b->sp += strlen(key) + 1;
    b->p++;                        /* ':' */
    v = build_value(b);
    b->sp = sp;
    if (v == NULL) { cJSON_Delete(o); return NULL; }
    if (!cJSON_AddItemToObject(o, key, v)) {   /* copies the key */
      cJSON_Delete(v);
      cJSON_Delete(o);
      return NULL;
    }
    if (*b->p++ == '}') return o;  /* else ',' */
  }
}

static cJSON *build_value(builder *b) {
  switch (*b->p) {
    case '{': return build_object(b);
    case '[': return build_array(b);
    case '"': return cJSON_CreateString(unescape(b));
    case 't': b->p += 4; return cJSON_CreateTrue();
    case 'f': b->p += 5; return cJSON_CreateFalse();
    case 'n': b->p += 4; return cJSON_CreateNull();
    default: return build_raw(b);
  }
}

cJSON *ksj_to_cjson(lua_State *L, int idx, const ksj_encode_opts *o) {
  ksj_encode_opts co = *o;
  builder b;
  size_t len;
  cJSON *root;
  idx = lua_absindex(L, idx);
  co.indent = -1;                  /* no whitespace to skip below */
  co.item_sep = ","; co.item_sep_len = 1;
  co.key_sep = ":"; co.key_sep_len = 1;
  co.ensure_ascii = 0;
  ksj_encode_ex(L, idx, &co, KSJ_ENC_NO_NUL);
  b.p = lua_tolstring(L, -1, &len);
  b.scratch = (char *)lua_newuserdatauv(L, len + 1, 0);
  b.sp = 0;
  root = build_value(&b);          /* no Lua call in here */
  lua_pop(L, 2);
  if (root == NULL)
    luaL_error(L, "kserial: json: not enough memory for the cJSON document");
  return root;
}

/* ---- Lua values from cJSON ----------------------------------------------- */

#define PUSH_PREFIX "kserial: cJSON document: "

typedef struct pusher {
  lua_State *L;
  int depth, max_depth;
  int allow_nan;        /* 1: NaN and infinities are accepted */
  int mt_array, mt_object;
} pusher;

static void push_node(pusher *c, const cJSON *n, const ksj_frame *up);

static KSJ_NOINLINE void push_raise(pusher *c, const ksj_frame *f,
                                    const char *msg, const char *detail) {
  lua_State *L = c->L;
  luaL_checkstack(L, 8, NULL);
  luaL_where(L, 1);
  lua_pushliteral(L, PUSH_PREFIX);
  lua_pushstring(L, msg);
  if (detail != NULL) ksj_pushquoted(L, detail, strlen(detail));
  else lua_pushliteral(L, "");
  lua_pushliteral(L, " (at ");
  ksj_pushpath(L, f);
  lua_pushliteral(L, ")");
  lua_concat(L, 7);
  lua_error(L);
}

static void push_string(pusher *c, const char *s, const ksj_frame *up,
                        const char *what) {
  const unsigned char *p, *end;
  size_t len;
  if (s == NULL) push_raise(c, up, what, NULL);
  len = strlen(s);
  p = (const unsigned char *)s;
  end = p + len;
  while (p < end) {
    int k = ksj_utf8_len(p, end);
    if (k == 0) push_raise(c, up, "string is not valid UTF-8: ", s);
    p += k;
  }
  lua_pushlstring(c->L, s, len);
}

/* A float; NaN and infinities only with allow_nan, as the text decoder. */
static void push_float(pusher *c, double v, const ksj_frame *up) {
  if (!c->allow_nan && !isfinite(v))
    push_raise(c, up, isnan(v) ? "NaN needs allow_nan" :
               "number out of range (it would be infinite; allow_nan accepts it)",
               NULL);
  lua_pushnumber(c->L, v);
}

/* A raw node must hold exactly one JSON number literal (or a NaN/Infinity
** token, which ksj_to_cjson writes with allow_nan). */
static void push_raw(pusher *c, const char *s, const ksj_frame *up) {
  lua_State *L = c->L;
  ksj_number n;
  const char *end;
  if (s == NULL || *s == '\0')
    push_raise(c, up, "a raw node must hold a number literal", NULL);
  if (strcmp(s, "NaN") == 0) { push_float(c, (double)NAN, up); return; }
  if (strcmp(s, "Infinity") == 0) { push_float(c, (double)HUGE_VAL, up); return; }
  if (strcmp(s, "-Infinity") == 0) { push_float(c, -(double)HUGE_VAL, up); return; }
  end = s + strlen(s);
  if (*s == '-' || (*s >= '0' && *s <= '9')) {
    if (ksj_scan_number(L, s, end, &n) == end && n.err == NULL) {
      if (n.isint) lua_pushinteger(L, n.i);
      else push_float(c, n.d, up);   /* 1e400 overflows to infinity */
      return;
    }
  }
  push_raise(c, up, "a raw node must hold a number literal, not ", s);
}

static void push_double(pusher *c, double v, const ksj_frame *up) {
  /* integral and within 2^53: an integer, as cJSON meant it */
  if (v >= -9007199254740992.0 && v <= 9007199254740992.0 &&
      v == (double)(lua_Integer)v)
    lua_pushinteger(c->L, (lua_Integer)v);
  else push_float(c, v, up);
}

/* The number of children of n. A sibling list that loops back on itself
** (a tree no cJSON function builds, but a host can) is an error, not an
** endless loop: a second pointer moves at half speed and meets the first
** one inside any cycle (Floyd). */
static int count_children(pusher *c, const cJSON *n, const ksj_frame *up) {
  const cJSON *fast = n->child, *slow = n->child;
  int count = 0;
  while (fast != NULL) {
    if (count == INT_MAX)
      push_raise(c, up, "too many children in one array or object", NULL);
    fast = fast->next;
    if (++count % 2 == 0) {
      slow = slow->next;
      if (slow == fast && fast != NULL)
        push_raise(c, up, "the list of children is a cycle", NULL);
    }
  }
  return count;
}

static void enter(pusher *c, const ksj_frame *up) {
  if (++c->depth > c->max_depth) {
    lua_pushfstring(c->L, "nesting deeper than %d", c->max_depth);
    push_raise(c, up, lua_tostring(c->L, -1), NULL);
  }
  luaL_checkstack(c->L, 6, "kserial: cJSON document: nesting too deep");
}

static void push_array(pusher *c, const cJSON *n, const ksj_frame *up) {
  lua_State *L = c->L;
  ksj_frame f = {up, NULL, 0, 0, 0};
  const cJSON *it;
  int count;
  enter(c, up);
  count = count_children(c, n, up);
  lua_createtable(L, count, 0);
  for (it = n->child; it != NULL; it = it->next) {
    push_node(c, it, &f);
    lua_rawseti(L, -2, ++f.index);
  }
  lua_pushvalue(L, c->mt_array);
  lua_setmetatable(L, -2);
  c->depth--;
}

static void push_object(pusher *c, const cJSON *n, const ksj_frame *up) {
  lua_State *L = c->L;
  ksj_frame f = {up, NULL, 0, 0, 0};
  const cJSON *it;
  enter(c, up);
  lua_createtable(L, 0, count_children(c, n, up));
  for (it = n->child; it != NULL; it = it->next) {
    push_string(c, it->string, up, "an object member has no key");
    f.key = lua_tolstring(L, -1, &f.klen);
    push_node(c, it, &f);
    lua_rawset(L, -3);            /* a duplicate key: the last one wins */
  }
  lua_pushvalue(L, c->mt_object);
  lua_setmetatable(L, -2);
  c->depth--;
}

static void push_node(pusher *c, const cJSON *n, const ksj_frame *up) {
  lua_State *L = c->L;
  switch (n->type & 0xFF) {
    case cJSON_False: lua_pushboolean(L, 0); break;
    case cJSON_True: lua_pushboolean(L, 1); break;
    case cJSON_NULL: ksj_pushnull(L); break;
    case cJSON_Number: push_double(c, n->valuedouble, up); break;
    case cJSON_String:
      push_string(c, n->valuestring, up, "a string node has no string");
      break;
    case cJSON_Raw: push_raw(c, n->valuestring, up); break;
    case cJSON_Array: push_array(c, n, up); break;
    case cJSON_Object: push_object(c, n, up); break;
    default: push_raise(c, up, "invalid node", NULL);
  }
}

void ksj_push_cjson(lua_State *L, const cJSON *node, const ksj_decode_opts *o) {
  pusher c;
  int top = lua_gettop(L), max_depth = o ? o->max_depth : 0;
  c.L = L;
  c.depth = 0;
  c.allow_nan = o ? o->allow_nan : 0;
  c.max_depth = max_depth < 1 ? KSJ_DEFAULT_MAX_DEPTH
              : max_depth > KSJ_HARD_MAX_DEPTH ? KSJ_HARD_MAX_DEPTH
              : max_depth;
  luaL_checkstack(L, 8, NULL);
  ksj_pushmt(L, KSJ_ARRAY_MT);
  c.mt_array = lua_gettop(L);
  ksj_pushmt(L, KSJ_OBJECT_MT);
  c.mt_object = lua_gettop(L);
  if (node == NULL) push_raise(&c, NULL, "no document (NULL)", NULL);
  push_node(&c, node, NULL);
  lua_replace(L, top + 1);
  lua_settop(L, top + 1);
}
