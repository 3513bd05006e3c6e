/*
** decode.c - JSON text to Lua values, directly and strictly (RFC 8259):
** every JSONTestSuite y_ file is accepted, every n_ file rejected.
**
** - Whitespace is space, \t, \n, \r only.
** - Strings must be valid UTF-8 (no overlongs, no encoded surrogates, nothing
**   above U+10FFFF); escapes must be well-formed; a \uD800-\uDBFF escape must
**   be followed by a \uDC00-\uDFFF escape and a low one may not stand alone.
** - A UTF-8 byte order mark at the start is rejected with a message that
**   says so (RFC 8259 8.1 lets parsers ignore it; being strict keeps every
**   reader of our files in agreement, and Python's json.loads on text
**   rejects it too).
** - Duplicate keys: the last one wins (as Python does).
** - Integers that fit in 64 bits become Lua integers, other numbers floats.
**
** The hot paths avoid calls per character: byte class tables, plain string
** bytes skipped a word at a time, strings without escapes pushed straight
** from the input, and short ones reused from a per-call cache (see "The
** string cache") rather than interned again, often without being scanned
** (see "Predicted strings"). Containers of a kind met before are filled
** straight into a table of the right size (see "Size hints"). Unescaped
** strings go through a luaL_Buffer, so a Lua error never leaks scratch
** memory.
*/
#define KSJ_INTERNAL
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <lauxlib.h>
#include "ks_json.h"

/* The small helpers of the descent are forced inline in optimized builds
** only: an unoptimized build gives every inlined call its own stack slots,
** which multiplied the C stack a level of nesting takes (2.5 KB under
** AddressSanitizer, whose tests go 10000 levels deep; 208 bytes without
** forcing). */
#ifdef __OPTIMIZE__
#define KSJ_HOT KSJ_INLINE
#else
#define KSJ_HOT inline
#endif

const char *const KSJ_DECODE_OPTION_NAMES[] = {
  "allow_nan", "keep_order", "max_depth", "max_size", NULL
};

void ksj_decode_opts_init(ksj_decode_opts *o) {
  o->allow_nan = 0;
  o->keep_order = 0;
  o->max_depth = KSJ_DEFAULT_MAX_DEPTH;
  o->max_size = 0;
  o->fname = "json.decode";
}

static int read_decode_opt(lua_State *L, const char *k, const char *fname,
                           void *ud) {
  ksj_decode_opts *o = (ksj_decode_opts *)ud;
  if (strcmp(k, "allow_nan") == 0) o->allow_nan = ksj_opt_bool(L, fname, k);
  else if (strcmp(k, "keep_order") == 0) o->keep_order = ksj_opt_bool(L, fname, k);
  else if (strcmp(k, "max_depth") == 0)
    o->max_depth = (int)ksj_opt_int(L, fname, k, 1, KSJ_HARD_MAX_DEPTH);
  else if (strcmp(k, "max_size") == 0)
    o->max_size = (size_t)ksj_opt_int(L, fname, k, 0, LUA_MAXINTEGER);
  else return 0;
  return 1;
}

void ksj_decode_opts_read(lua_State *L, int idx, ksj_decode_opts *o,
                          const char *fname, const char *const *extra) {
  o->fname = fname;
  ksj_opts_each(L, idx, fname, extra, read_decode_opt, o);
}

/* The string cache: a document repeats a few dozen object keys, and often
** some string values ("float32", a module or class name), over and over,
** and each lua_pushlstring of one hashes its bytes and looks it up in
** Lua's string table. The decoder keeps the strings it reads in a small
** open-addressed table of KSJ_STR_SLOTS slots (the home slot chosen by
** the length and three bytes), each string in a stack slot (which anchors
** it), and pushes the cached string when one with the same bytes comes
** again (compared in full).
** - A key looks in its home slot and up to KSJ_STR_PROBES - 1 slots after
**   it, and on a miss takes the first free one there, or else its home
**   slot: the few dozen keys of a document all stay, and a document of
**   many more keeps the latest ones. (A direct-mapped cache missed 40% of
**   the keys of the bench's model graph: 47 keys in 64 slots collide.)
** - A value looks only in its home slot, and takes it only when it is
**   free: most values are met once (names), so they must neither push
**   the keys out nor pay for a long search on every miss.
** Short strings only: Lua interns those, so a cached string is the very
** string lua_pushlstring would push. One cache per call: nothing outlives
** it. */
#define KSJ_STR_SLOTS 128      /* a power of two */
#define KSJ_STR_PROBES 4
#define KSJ_STR_CACHED 40      /* LUAI_MAXSHORTLEN: the longest cached */
/* Setting the cache up costs about as much as decoding a 100-byte
** document; shorter documents than this go without it. */
#define KSJ_STR_MIN_DOC 1024

/* Size hints. Objects of one kind (the same first key and the same parent
** key: the key whose value the object is, or whose value the array holding
** it is) mostly have the same number of pairs in a Keras document. When
** both keys are in the string cache, hint[a hash of their two slots] says
** how many pairs the last object of that kind had (0: none met yet), and
** the next one is built straight into a table made for that many (see
** object_direct) instead of waiting on the stack to be counted. A hint
** that turns out wrong by enough to change the table's node count (too
** big wastes memory, too small makes Lua grow the table) marks the kind
** KSJ_HINT_MIXED: its objects wait and are counted from then on, as do
** objects of a kind with 255 pairs or more. Arrays have the same by their
** parent key alone (array_hint, holding the size + 1), marked mixed by any
** other size, since Lua sizes an array part exactly. With keep_order,
** objects always wait (their order tables are made from the waiting keys). */
#define KSJ_HINTS 256          /* a power of two */
#define KSJ_HINT_MIXED 255
#define KSJ_NO_SLOT KSJ_STR_SLOTS   /* the parent of the document's root */

typedef struct str_slot {
  const char *s;   /* the cached string's bytes (anchored on the stack) */
  size_t len;      /* its length, or (size_t)-1 for a free slot */
} str_slot;

typedef struct dec {
  lua_State *L;
  const char *start, *p, *end;
  int depth, max_depth, allow_nan;
  int mt_array, mt_object;
  int orders;        /* keep_order: stack index of the order registry, or 0 */
  int shapes;        /* keep_order: stack index of the shape trie */
  ksj_filter *filter;  /* keep_order: the order table's filter */
  const char *fname;   /* for messages: the function the user called */
  int strs;            /* stack index of the first string cache slot, or
                       ** 0 for no cache (a short document) */
  int room;            /* the stack is known to have room up to this index */
  int slot;            /* the cache slot of the string read last, or -1 */
  int parent;          /* the cache slot of the key whose value is being
                       ** read, or KSJ_NO_SLOT (see "Size hints") */
  str_slot str[KSJ_STR_SLOTS];
  unsigned char hint[KSJ_HINTS];   /* see "Size hints" */
  unsigned char array_hint[KSJ_STR_SLOTS + 1];   /* by the parent key */
  /* Predictions (see "Predicted strings"), each a cache slot or -1; the
  ** last entry of the parent-indexed ones is the document root's. */
  short next_key[KSJ_STR_SLOTS];        /* by the key before */
  short first_key[KSJ_STR_SLOTS + 1];   /* by the parent key */
  short value[KSJ_STR_SLOTS + 1];       /* by the parent key */
} dec;

static void dec_value(dec *d);

/* ---- errors -------------------------------------------------------------- */

/* Raises "<msg> at line L, column C (byte B)"; lines count '\n', columns
** count bytes from 1, the byte offset counts from 0. */
static KSJ_NOINLINE void dec_raise(dec *d, const char *pos, const char *fmt,
                                   ...) {
  lua_State *L = d->L;
  const char *s = d->start, *nl;
  lua_Integer line = 1;
  va_list ap;
  luaL_checkstack(L, 6, NULL);
  while ((nl = memchr(s, '\n', (size_t)(pos - s))) != NULL) {
    line++;
    s = nl + 1;
  }
  luaL_where(L, 1);
  lua_pushfstring(L, "kserial: %s: ", d->fname);
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_pushfstring(L, " at line %I, column %I (byte %I)", (LUAI_UACINT)line,
                  (LUAI_UACINT)(pos - s + 1), (LUAI_UACINT)(pos - d->start));
  lua_concat(L, 4);
  lua_error(L);
}

/* The byte at pos for a message: 'x' when printable, else \xNN. */
static const char *show(char *buf, const char *pos) {
  static const char hex[] = "0123456789abcdef";
  unsigned char c = (unsigned char)*pos;
  if (c >= 0x20 && c < 0x7f) {
    buf[0] = '\''; buf[1] = (char)c; buf[2] = '\''; buf[3] = '\0';
  }
  else {
    buf[0] = '\\'; buf[1] = 'x'; buf[2] = hex[c >> 4]; buf[3] = hex[c & 15];
    buf[4] = '\0';
  }
  return buf;
}

/* At end of input: "unexpected end of input, expected X"; else
** "unexpected character 'c', expected X". */
static KSJ_NOINLINE void unexpected(dec *d, const char *pos,
                                   const char *expected) {
  char buf[8];
  if (pos >= d->end)
    dec_raise(d, d->end, "unexpected end of input, expected %s", expected);
  dec_raise(d, pos, "unexpected character %s, expected %s", show(buf, pos),
            expected);
}

/* ---- whitespace ---------------------------------------------------------- */

#define KSJ_BYTES(c) (UINT64_C(0x0101010101010101) * (c))   /* c in each byte */

/* Unaligned loads. Not forced inline (optimized builds inline them
** anyway): in unoptimized builds the copy's variable then lives in the
** loader's frame, not in every frame of the recursive descent. */
static inline uint64_t load64(const char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static inline uint32_t load32(const char *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static inline uint16_t load16(const char *p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}

static const unsigned char is_ws[256] = {
  ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1
};

/* Most places have no whitespace (compact documents, the end of the
** input) or one space (Keras's ", " and ": "): those are tested first,
** inline. Indented documents have runs of spaces, skipped eight at a
** time. */
static KSJ_NOINLINE const char *skip_ws_run(const char *p, const char *end) {
  for (;;) {
    while (end - p >= 8 && load64(p) == KSJ_BYTES(' ')) p += 8;
    if (p >= end || !is_ws[(unsigned char)*p]) return p;
    p++;
  }
}

static KSJ_HOT const char *skip_ws(const char *p, const char *end) {
  if (KSJ_LIKELY(p >= end || (unsigned char)*p > ' ')) return p;
  if (p + 1 < end && *p == ' ' && (unsigned char)p[1] > ' ') return p + 1;
  return skip_ws_run(p, end);
}

/* Whether the byte at d->p, once past any whitespace, is c: the byte
** right there is tested before any whitespace is looked for. */
static KSJ_HOT int at(dec *d, char c) {
  if (KSJ_LIKELY(d->p < d->end && *d->p == c)) return 1;
  d->p = skip_ws(d->p, d->end);
  return d->p < d->end && *d->p == c;
}

/* ---- strings ------------------------------------------------------------- */

/* 0: plain ASCII; 1: '"'; 2: '\\'; 3: control character; 4: non-ASCII */
static const unsigned char str_class[256] = {
  3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3, 3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,
  0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4, 4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4, 4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4, 4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4, 4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4
};

static KSJ_NOINLINE void bad_char_in_string(dec *d, const char *p) {
  char buf[8];
  if (p >= d->end) dec_raise(d, d->end, "unexpected end of input in a string");
  if ((unsigned char)*p < 0x20)
    dec_raise(d, p, "unescaped control character %s in a string",
              show(buf, p));
  dec_raise(d, p, "invalid UTF-8 byte %s in a string", show(buf, p));
}

/* Skips plain ASCII characters (class 0) from p, eight bytes at a time
** while it can: a word holds none of '"', '\\', a control character or a
** non-ASCII byte when no byte of it sets bit 7 in v - 0x20 (control
** characters; also bytes 0xA0 and up), (v ^ '"') - 1 (the quote; also the
** bytes from 0x80 but 0xA2 and 0xA3) or (v ^ '\\') - 1. A subtraction
** only borrows into a byte from the byte below it when that one is caught
** itself, so the lowest byte caught is the first stop byte: on
** little-endian machines, where the first byte in memory is the word's
** lowest, its place is the count of trailing zero bits over 8. Elsewhere
** (and for the last bytes of the input) the byte loop finds it. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__GNUC__) || defined(__clang__))
#define KSJ_FIRST_STOP(mask) ((int)(__builtin_ctzll(mask) >> 3))
#endif

static KSJ_HOT const char *skip_plain(const char *p, const char *end) {
  while (end - p >= 8) {
    uint64_t v = load64(p), stop;
    stop = ((v - KSJ_BYTES(0x20)) | ((v ^ KSJ_BYTES('"')) - KSJ_BYTES(1)) |
            ((v ^ KSJ_BYTES('\\')) - KSJ_BYTES(1))) & KSJ_BYTES(0x80);
    if (stop != 0) {
#ifdef KSJ_FIRST_STOP
      return p + KSJ_FIRST_STOP(stop);
#else
      break;
#endif
    }
    p += 8;
  }
  while (p < end && str_class[(unsigned char)*p] == 0) p++;
  return p;
}

/* Skips plain characters and well-formed UTF-8 from p; returns the first
** '"', '\\' or bad byte (raising for bad ones). */
static inline const char *scan_plain(dec *d, const char *p) {
  const char *end = d->end;
  for (;;) {
    unsigned cls;
    p = skip_plain(p, end);
    if (KSJ_UNLIKELY(p >= end)) bad_char_in_string(d, p);
    cls = str_class[(unsigned char)*p];
    if (cls == 4) {
      int k = ksj_utf8_len((const unsigned char *)p, (const unsigned char *)end);
      if (k == 0) bad_char_in_string(d, p);
      p += k;
    }
    else if (cls == 3) bad_char_in_string(d, p);
    else return p;
  }
}

static int hex4(const char *p, const char *end, unsigned *out) {
  unsigned v = 0;
  int i;
  if (end - p < 4) return 0;
  for (i = 0; i < 4; i++) {
    unsigned c = (unsigned char)p[i];
    if (c >= '0' && c <= '9') c -= '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') c = (c | 0x20) - 'a' + 10;
    else return 0;
    v = v << 4 | c;
  }
  *out = v;
  return 1;
}

static void add_utf8(luaL_Buffer *b, unsigned cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) { u[0] = (char)cp; n = 1; }
  else if (cp < 0x800) {
    u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
  }
  else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
  }
  else {
    u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    u[2] = (char)(0x80 | (cp >> 6 & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  luaL_addlstring(b, u, n);
}

/* \uXXXX at p (p points at the backslash); returns past it. */
static const char *unicode_escape(dec *d, luaL_Buffer *b, const char *p) {
  unsigned cp = 0, lo = 0;
  if (!hex4(p + 2, d->end, &cp))
    dec_raise(d, p, "invalid \\u escape (expected 4 hex digits)");
  if (cp >= 0xDC00 && cp <= 0xDFFF)
    dec_raise(d, p, "lone low surrogate \\u%c%c%c%c in a string", p[2], p[3],
              p[4], p[5]);
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    if (d->end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
        !hex4(p + 8, d->end, &lo) || lo < 0xDC00 || lo > 0xDFFF)
      dec_raise(d, p, "lone high surrogate \\u%c%c%c%c in a string (it must be "
                "followed by a \\uDC00-\\uDFFF escape)", p[2], p[3], p[4], p[5]);
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    p += 6;
  }
  add_utf8(b, cp);
  return p + 6;
}

/* One escape at p (the backslash); returns past it. */
static const char *escape(dec *d, luaL_Buffer *b, const char *p) {
  char c, buf[8];
  if (p + 1 >= d->end)
    dec_raise(d, d->end, "unexpected end of input in a string");
  switch (p[1]) {
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case '/': c = '/'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u': return unicode_escape(d, b, p);
    default:
      dec_raise(d, p + 1, "invalid escape \\%s in a string", show(buf, p + 1) );
      return p;
  }
  luaL_addchar(b, c);
  return p + 2;
}

/* The string from s (after the quote), whose first escape is at p. */
static KSJ_NOINLINE const char *string_slow(dec *d, const char *s,
                                            const char *p) {
  luaL_Buffer b;
  luaL_buffinit(d->L, &b);
  for (;;) {
    luaL_addlstring(&b, s, (size_t)(p - s));
    if (*p == '"') break;
    s = p = escape(d, &b, p);
    p = scan_plain(d, p);
  }
  luaL_pushresult(&b);
  return p + 1;
}

static KSJ_HOT unsigned str_hash(const char *s, size_t len) {
  unsigned h = (unsigned)len;
  if (len > 0)
    h += (unsigned char)s[0] * 7u + (unsigned char)s[len - 1] * 31u +
         (unsigned char)s[len / 2] * 3u;
  return (h ^ h >> 6) & (KSJ_STR_SLOTS - 1);
}

/* Whether the len bytes at a and b are the same: memcmp's answer without
** a call for the short strings the cache holds (len <= KSJ_STR_CACHED),
** a word (or half, quarter word) at a time, the last load overlapping the
** one before it rather than reading past the end. */
static KSJ_HOT int same_bytes(const char *a, const char *b, size_t len) {
  if (len >= 8) {
    size_t i;
    for (i = 0; i + 8 < len; i += 8)
      if (load64(a + i) != load64(b + i)) return 0;
    return load64(a + len - 8) == load64(b + len - 8);
  }
  if (len >= 4)
    return ((load32(a) ^ load32(b)) | (load32(a + len - 4) ^ load32(b + len - 4))) == 0;
  if (len >= 2)
    return ((load16(a) ^ load16(b)) | (load16(a + len - 2) ^ load16(b + len - 2))) == 0;
  return len == 0 || a[0] == b[0];
}

/* Pushes the string s[0..len), through the cache when it is short; key:
** whether it is an object key (see the string cache above). d->slot: the
** slot that holds it, or -1. */
static KSJ_HOT void push_string(dec *d, const char *s, size_t len,
                                   int key) {
  lua_State *L = d->L;
  unsigned h, i, j, probes = key ? KSJ_STR_PROBES : 1, free_ = KSJ_STR_SLOTS;
  d->slot = -1;
  if (len > KSJ_STR_CACHED || d->strs == 0) {
    lua_pushlstring(L, s, len);
    return;
  }
  h = str_hash(s, len);
  for (i = 0; i < probes; i++) {
    str_slot *slot;
    j = (h + i) & (KSJ_STR_SLOTS - 1);
    slot = &d->str[j];
    if (slot->len == len && same_bytes(slot->s, s, len)) {
      lua_pushvalue(L, d->strs + (int)j);
      d->slot = (int)j;
      return;
    }
    if (slot->len == (size_t)-1) {
      free_ = j;
      break;
    }
  }
  if (free_ < KSJ_STR_SLOTS) j = free_;
  else if (key) j = h;
  else {                                /* a value finds its slot taken */
    lua_pushlstring(L, s, len);
    return;
  }
  d->str[j].s = lua_pushlstring(L, s, len);
  d->str[j].len = len;
  lua_copy(L, -1, d->strs + (int)j);
  d->slot = (int)j;
}

/* d->p at the opening quote; pushes the string. */
static KSJ_HOT void read_string(dec *d, int key) {
  const char *s = d->p + 1, *p = scan_plain(d, s);
  if (KSJ_LIKELY(*p == '"')) {
    push_string(d, s, (size_t)(p - s), key);
    d->p = p + 1;
  }
  else {
    d->p = string_slow(d, s, p);
    d->slot = -1;
  }
}

/* Predicted strings. Keras objects of one kind come with the same keys in
** the same order, and some keys with the same string value ("float32",
** a module name), so the decoder remembers for each cached key which
** cached string came after it last time: the next key of the object
** (next_key), the first key of an object that is its value (first_key)
** and its string value (value). Before reading a string it tries the
** prediction: when the bytes after the quote are the predicted string's
** and a quote follows them, that is the string (a cached string holds
** no quote, backslash, control character or bad UTF-8, so the string
** cannot end elsewhere or read differently), pushed from the cache with
** no scan and no hash. Any other string is read as usual. */
#define KSJ_NO_PREDICTION (-1)

/* Pushes the cached string of slot j if it is the one at d->p (the
** opening quote), and moves past it; 0 if it is not. */
static KSJ_HOT int read_predicted(dec *d, int j) {
  const char *s = d->p + 1;
  size_t len;
  if (j < 0) return 0;
  len = d->str[j].len;
  if (len == (size_t)-1 || (size_t)(d->end - s) <= len || s[len] != '"' ||
      !same_bytes(d->str[j].s, s, len))
    return 0;
  lua_pushvalue(d->L, d->strs + j);
  d->slot = j;
  d->p = s + len + 1;
  return 1;
}

/* Reads the string at d->p, trying the prediction *pred first (pred may
** be NULL), and makes it the prediction for next time. */
static KSJ_HOT void read_string_pred(dec *d, short *pred, int key) {
  if (pred == NULL) read_string(d, key);
  else if (!read_predicted(d, *pred)) {
    read_string(d, key);
    *pred = (short)d->slot;
  }
}

static void dec_string(dec *d) {
  read_string_pred(d, d->parent >= 0 ? &d->value[d->parent] : NULL, 0);
}

/* ---- numbers and literals ------------------------------------------------ */

static void dec_number(dec *d) {
  ksj_number n;
  const char *p = ksj_scan_number(d->L, d->p, d->end, &n);
  if (n.err != NULL) {
    if (p >= d->end) dec_raise(d, p, "unexpected end of input in a number (%s)", n.err);
    if (p[0] == 'I' && p - 1 == d->p)
      unexpected(d, p, "a digit after '-' (-Infinity needs allow_nan)");
    dec_raise(d, p, "bad number: %s", n.err);
  }
  if (n.isint) lua_pushinteger(d->L, n.i);
  else {
    if (n.d - n.d != 0 && !d->allow_nan)   /* overflowed to +-inf */
      dec_raise(d, d->p, "number out of range (%s)",
                "it would be infinite; allow_nan accepts it");
    lua_pushnumber(d->L, n.d);
  }
  d->p = p;
}

static int literal(dec *d, const char *word, size_t len) {
  if ((size_t)(d->end - d->p) >= len && memcmp(d->p, word, len) == 0) {
    d->p += len;
    return 1;
  }
  return 0;
}

/* true, false, null, and with allow_nan NaN, Infinity, -Infinity. */
static void dec_literal(dec *d) {
  lua_State *L = d->L;
  int nan = d->allow_nan;
  if (literal(d, "true", 4)) lua_pushboolean(L, 1);
  else if (literal(d, "false", 5)) lua_pushboolean(L, 0);
  else if (literal(d, "null", 4)) ksj_pushnull(L);
  else if (nan && literal(d, "NaN", 3)) lua_pushnumber(L, (double)NAN);
  else if (nan && literal(d, "Infinity", 8)) lua_pushnumber(L, (double)HUGE_VAL);
  else if (!nan && (*d->p == 'N' || *d->p == 'I'))
    unexpected(d, d->p, "a JSON value (NaN and Infinity need allow_nan)");
  else unexpected(d, d->p, "a JSON value");
}

/* ---- containers ---------------------------------------------------------- */

static KSJ_NOINLINE void too_deep(dec *d) {
  dec_raise(d, d->p, "nesting too deep for the Lua stack");
}

/* Opens a container at stack index base that needs `slots` free stack
** slots above it. Space that lua_checkstack grants stays for the rest of
** the call (it raises the running C function's stack limit, which the
** collector never shrinks below), so it is asked for in steps of
** KSJ_ROOM_STEP more than needed, and only when d->room falls short: most
** containers need no call at all. */
#define KSJ_ROOM_STEP 256

static KSJ_HOT void enter(dec *d, int base, int slots) {
  if (KSJ_UNLIKELY(++d->depth > d->max_depth))
    dec_raise(d, d->p, "nesting deeper than %d", d->max_depth);
  if (KSJ_UNLIKELY(base + slots > d->room)) {
    if (lua_checkstack(d->L, slots + KSJ_ROOM_STEP))
      d->room = base + slots + KSJ_ROOM_STEP;
    else if (lua_checkstack(d->L, slots)) d->room = base + slots;
    else too_deep(d);
  }
}

static void leave(dec *d, int mt) {
  lua_pushvalue(d->L, mt);
  lua_setmetatable(d->L, -2);
  d->depth--;
}

/* Containers are built at their exact size: unless a size hint gives it
** (see "Size hints"), the first values wait on the stack above `base`
** until the container ends (or until there are too many to wait, when the
** table is made with room to grow). A table sized to its contents is a
** third smaller than one grown by rehashing, and is made in one
** allocation. */
#define KSJ_ARRAY_WAIT 64    /* values */
#define KSJ_OBJECT_WAIT 32   /* key-value pairs */

/* Moves the n values above base into a new array table (with room for
** `size`), left at base + 1 with nothing above it. */
static KSJ_NOINLINE void make_array(lua_State *L, int base, int n, int size) {
  int i;
  lua_createtable(L, size, 0);
  for (i = 1; i <= n; i++) {
    lua_pushvalue(L, base + i);
    lua_rawseti(L, -2, i);
  }
  if (n > 0) {               /* with n == 0 the table is already at base + 1 */
    lua_replace(L, base + 1);
    lua_settop(L, base + 1);
  }
}

/* keep_order: records that the key on top is the object's pos-th. A
** duplicate key keeps the place of its first appearance (as Python's dict
** does) and the value of its last. ord: the order table's index. */
static void note_key(lua_State *L, int ord, lua_Integer pos) {
  lua_pushvalue(L, -1);
  if (lua_rawget(L, ord) == LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushinteger(L, pos);
    lua_rawset(L, ord);
  }
  else lua_pop(L, 1);
}

/* The same for n key-value pairs: keys at base + 1, 3, ..., values after. */
static KSJ_HOT void make_object(lua_State *L, int base, int n, int size) {
  int i;
  lua_createtable(L, 0, size);
  for (i = 0; i < n; i++) {
    lua_pushvalue(L, base + 2 * i + 1);
    lua_pushvalue(L, base + 2 * i + 2);
    lua_rawset(L, -3);            /* a duplicate key: the last one wins */
  }
  if (n > 0) {               /* with n == 0 the table is already at base + 1 */
    lua_replace(L, base + 1);
    lua_settop(L, base + 1);
  }
}

/* Pushes a new order table for the n keys above base. */
static void new_order(lua_State *L, int base, int n, int size) {
  int i, ord;
  lua_createtable(L, 0, size);
  ord = lua_gettop(L);
  for (i = 0; i < n; i++) {
    lua_pushvalue(L, base + 2 * i + 1);
    note_key(L, ord, i + 1);
    lua_pop(L, 1);
  }
}

/* Pushes the order table for the n keys above base, shared by every object
** of the document with the same keys in the same order (order tables are
** never changed, so they can be shared): the shape trie maps key after key
** to a node whose [1] is the order table. Most Keras objects come in a few
** shapes, so this saves both the time and the memory of one table each. */
static void shared_order(dec *d, int base, int n) {
  lua_State *L = d->L;
  int i;
  lua_pushvalue(L, d->shapes);
  for (i = 0; i < n; i++) {
    lua_pushvalue(L, base + 2 * i + 1);
    if (lua_rawget(L, -2) != LUA_TTABLE) {
      lua_pop(L, 1);
      lua_createtable(L, 0, 1);
      lua_pushvalue(L, base + 2 * i + 1);
      lua_pushvalue(L, -2);
      lua_rawset(L, -4);          /* node[key] = a new node */
    }
    lua_remove(L, -2);
  }
  if (lua_rawgeti(L, -1, 1) != LUA_TTABLE) {   /* a shape met the first time */
    lua_pop(L, 1);
    new_order(L, base, n, n);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, 1);
  }
  lua_remove(L, -2);
}

/* keep_order (n > 0): make_object, then the object's order table, left
** after it at base + 2. A complete object shares its order table; one that
** is still being read (`more`) gets its own, to add keys to. */
static KSJ_NOINLINE void make_ordered_object(dec *d, int base, int n, int size,
                                            int more) {
  lua_State *L = d->L;
  if (more) new_order(L, base, n, size);
  else shared_order(d, base, n);
  lua_insert(L, base + 1);       /* the pairs now start at base + 2 */
  make_object(L, base + 1, n, size);
  lua_insert(L, base + 1);       /* object, order */
}

/* After a value in an array: 1 after a ',', or 0 past the closing ']'. */
static KSJ_HOT int next_item(dec *d) {
  if (at(d, ',')) {
    d->p++;
    return 1;
  }
  if (d->p < d->end && *d->p == ']') {
    d->p++;
    return 0;
  }
  unexpected(d, d->p, "',' or ']'");
  return 0;
}

/* The values of an array (d->p after the '['), waiting on the stack above
** base, made into a table at base + 1. Returns their number. */
static lua_Integer array_waiting(dec *d, int base, int parent) {
  lua_State *L = d->L;
  int waiting = 1;
  lua_Integer n = 0;
  if (d->p < d->end && *d->p == ']') d->p++;
  else do {
    d->parent = parent;       /* the array's elements have its parent key */
    dec_value(d);
    ++n;
    if (!waiting) {
      lua_rawseti(L, base + 1, n);
    } else if (n == KSJ_ARRAY_WAIT) {
      make_array(L, base, (int)n, 4 * KSJ_ARRAY_WAIT);
      waiting = 0;
    }
  } while (next_item(d));
  if (waiting) make_array(L, base, (int)n, (int)n);
  return n;
}

/* The same set straight into a table made for `size` values at base + 1
** (more grow it: the same answer, only slower). */
static lua_Integer array_direct(dec *d, int base, int parent, int size) {
  lua_State *L = d->L;
  lua_Integer n = 0;
  lua_createtable(L, size, 0);
  if (d->p < d->end && *d->p == ']') d->p++;
  else do {
    d->parent = parent;
    dec_value(d);
    lua_rawseti(L, base + 1, ++n);
  } while (next_item(d));
  return n;
}

static void dec_array(dec *d) {
  int base = lua_gettop(d->L), parent = d->parent;
  unsigned char *hint = parent >= 0 ? &d->array_hint[parent] : NULL;
  enter(d, base, KSJ_ARRAY_WAIT + 2);
  d->p = skip_ws(d->p + 1, d->end);
  if (hint == NULL || *hint == KSJ_HINT_MIXED) array_waiting(d, base, parent);
  else if (*hint == 0) {                     /* an array's hint is its size + 1 */
    lua_Integer n = array_waiting(d, base, parent);
    *hint = (unsigned char)(n < KSJ_HINT_MIXED - 1 ? n + 1 : KSJ_HINT_MIXED);
  }
  else if (array_direct(d, base, parent, *hint - 1) != *hint - 1)
    *hint = KSJ_HINT_MIXED;    /* a table of another size than it needed */
  leave(d, d->mt_array);
}

/* Reads a key and its ':', trying the prediction *pred (or NULL) first;
** d->slot: the key's cache slot, or -1. */
static KSJ_HOT void dec_key(dec *d, const char *expected, short *pred) {
  if (!at(d, '"')) unexpected(d, d->p, expected);
  read_string_pred(d, pred, 1);
  if (!at(d, ':')) unexpected(d, d->p, "':'");
  d->p++;
}

/* After a value in an object whose last key had cache slot `key`: 1 and
** the next key read after a ',', or 0 past the closing '}'. */
static KSJ_HOT int next_pair(dec *d, int key) {
  if (at(d, ',')) {
    d->p++;
    dec_key(d, "a string key", key >= 0 ? &d->next_key[key] : NULL);
    return 1;
  }
  if (d->p < d->end && *d->p == '}') {
    d->p++;
    return 0;
  }
  unexpected(d, d->p, "',' or '}'");
  return 0;
}

/* The rest of an object whose first key is on top, its pairs waiting on
** the stack above base (and with keep_order its order table recorded),
** made at base + 1 (its order table at base + 2). Returns the number of
** pairs read. */
static int object_waiting(dec *d, int base) {
  lua_State *L = d->L;
  int n = 0, waiting = 1, key;
  do {
    d->parent = key = d->slot;
    dec_value(d);
    if (!waiting) {
      if (d->orders != 0) {
        lua_insert(L, -2);      /* the key on top for note_key */
        note_key(L, base + 2, ++n);
        lua_insert(L, -2);
      }
      lua_rawset(L, base + 1);  /* a duplicate key: the last one wins */
    } else if (++n == KSJ_OBJECT_WAIT) {
      if (d->orders != 0) make_ordered_object(d, base, n, 4 * KSJ_OBJECT_WAIT, 1);
      else make_object(L, base, n, 4 * KSJ_OBJECT_WAIT);
      waiting = 0;
    }
  } while (next_pair(d, key));
  if (waiting) {
    if (d->orders != 0) make_ordered_object(d, base, n, n, 0);
    else make_object(L, base, n, n);
  }
  return n;
}

/* Lua gives a table made for n pairs 2^node_class(n) hash nodes. */
static KSJ_HOT int node_class(int n) {
  int k = 0;
  while ((1 << k) < n) k++;
  return k;
}

/* The hint an object of n pairs leaves for the next of its kind. */
static KSJ_HOT unsigned char hint_for(int n) {
  return (unsigned char)(n < KSJ_HINT_MIXED ? n : KSJ_HINT_MIXED);
}

/* The rest of an object whose first key is on top, set straight into a
** table made for `size` pairs at base + 1 (one more pair than that grows
** it: the answer is the same, only slower). Returns the number of pairs. */
static int object_direct(dec *d, int base, int size) {
  lua_State *L = d->L;
  int n = 0, key;
  lua_createtable(L, 0, size);
  lua_insert(L, base + 1);
  do {
    d->parent = key = d->slot;
    dec_value(d);
    lua_rawset(L, base + 1);    /* a duplicate key: the last one wins */
    n++;
  } while (next_pair(d, key));
  return n;
}

static void dec_object(dec *d) {
  lua_State *L = d->L;
  int base = lua_gettop(L), n = 0, parent = d->parent;
  enter(d, base, 2 * KSJ_OBJECT_WAIT + 6);
  d->p = skip_ws(d->p + 1, d->end);
  if (d->p < d->end && *d->p == '}') {
    d->p++;
    lua_createtable(L, 0, 0);
  }
  else {
    unsigned char *hint = NULL;
    dec_key(d, "a string key or '}'", parent >= 0 ? &d->first_key[parent] : NULL);
    if (d->slot >= 0 && parent >= 0 && d->orders == 0)
      hint = &d->hint[(unsigned)(parent * 97 + d->slot) & (KSJ_HINTS - 1)];
    if (hint == NULL || *hint == KSJ_HINT_MIXED) n = object_waiting(d, base);
    else if (*hint == 0) *hint = hint_for(n = object_waiting(d, base));
    else {
      n = object_direct(d, base, *hint);
      if (n != *hint && node_class(n) != node_class(*hint)) *hint = KSJ_HINT_MIXED;
    }
  }
  if (d->orders != 0 && n > 0) {   /* orders[object] = its order table */
    ksj_filter_add(d->filter, lua_topointer(L, -2));
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, d->orders);
  }
  leave(d, d->mt_object);
}

static void dec_value(dec *d) {
  d->p = skip_ws(d->p, d->end);
  if (KSJ_UNLIKELY(d->p >= d->end)) unexpected(d, d->p, "a JSON value");
  switch (*d->p) {
    case '"': dec_string(d); break;
    case '{': dec_object(d); break;
    case '[': dec_array(d); break;
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      dec_number(d);
      break;
    case '-':
      if (d->allow_nan && literal(d, "-Infinity", 9))
        lua_pushnumber(d->L, -(double)HUGE_VAL);
      else dec_number(d);
      break;
    default: dec_literal(d); break;
  }
}

/* ---- entry point --------------------------------------------------------- */

void ksj_decode(lua_State *L, const char *text, size_t len,
                const ksj_decode_opts *o) {
  dec d;
  int top = lua_gettop(L), i;
  if (text == NULL) text = "";   /* (NULL, 0) from a C caller */
  if (o->max_size > 0 && len > o->max_size)
    luaL_error(L, "kserial: %s: document of %I bytes is larger than max_size %I",
               o->fname, (LUAI_UACINT)len, (LUAI_UACINT)o->max_size);
  d.L = L;
  d.fname = o->fname != NULL ? o->fname : "json.decode";
  d.start = d.p = text;
  d.end = text + len;
  d.depth = 0;
  d.max_depth = o->max_depth < 1 ? KSJ_DEFAULT_MAX_DEPTH
              : o->max_depth > KSJ_HARD_MAX_DEPTH ? KSJ_HARD_MAX_DEPTH
              : o->max_depth;
  d.allow_nan = o->allow_nan;
  luaL_checkstack(L, 8, NULL);
  d.orders = d.shapes = 0;
  if (o->keep_order) {
    ksj_push_orders(L, 1);
    d.orders = lua_gettop(L);
    d.filter = ksj_orders_filter(L, d.orders);
    lua_newtable(L);
    d.shapes = lua_gettop(L);
  }
  ksj_pushmt(L, KSJ_ARRAY_MT);
  d.mt_array = lua_gettop(L);
  ksj_pushmt(L, KSJ_OBJECT_MT);
  d.mt_object = lua_gettop(L);
  d.strs = 0;                  /* no room on the stack: no cache either */
  d.slot = d.parent = -1;      /* no cache: no size hints either */
  if (len >= KSJ_STR_MIN_DOC && lua_checkstack(L, KSJ_STR_SLOTS)) {
    d.strs = lua_gettop(L) + 1;
    lua_settop(L, lua_gettop(L) + KSJ_STR_SLOTS);   /* nils */
    for (i = 0; i < KSJ_STR_SLOTS; i++) d.str[i].len = (size_t)-1;
    memset(d.hint, 0, sizeof d.hint);
    memset(d.array_hint, 0, sizeof d.array_hint);
    for (i = 0; i < KSJ_STR_SLOTS; i++) d.next_key[i] = KSJ_NO_PREDICTION;
    for (i = 0; i <= KSJ_STR_SLOTS; i++)
      d.first_key[i] = d.value[i] = KSJ_NO_PREDICTION;
    d.parent = KSJ_NO_SLOT;
  }
  d.room = 0;                  /* no room known: the first container asks */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
    dec_raise(&d, text, "the document starts with a UTF-8 byte order mark "
              "(BOM), which JSON text must not have");
  dec_value(&d);
  d.p = skip_ws(d.p, d.end);
  if (d.p < d.end) unexpected(&d, d.p, "the end of the document after the JSON value");
  lua_replace(L, top + 1);
  lua_settop(L, top + 1);
}
