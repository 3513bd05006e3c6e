/*
** ks_json.h - the exact JSON codec between Lua values and text.
** Internal to the binding (the cJSON bridge: src/cjson/ks_cjson.h).
*/
#ifndef KS_JSON_H
#define KS_JSON_H

#include <stddef.h>
#include <lua.h>
#include <lauxlib.h>

/* Registry names of the marker metatables (created with luaL_newmetatable). */
#define KSJ_ARRAY_MT  "kserial.json.array"
#define KSJ_OBJECT_MT "kserial.json.object"
#define KSJ_DEFAULT_MAX_DEPTH 512
#define KSJ_HARD_MAX_DEPTH 10000  /* bound of opts.max_depth: the C stack */

/* kserial.null: one light userdata (NULL), the same in every state. */
#define ksj_pushnull(L) lua_pushlightuserdata((L), NULL)
int ksj_isnull(lua_State *L, int idx);

/* A key order the caller supplies (the codec knows no protocol): `keys`
** go first, in that order (NULL-terminated, at most KSJ_RANK_OTHER keys),
** in a dict that holds every keys[i] whose bit i is set in `required` (an
** envelope); elsewhere they are keys like the others. The other keys
** follow, sorted bytewise (or in next() order with sort_keys = false). */
#define KSJ_RANK_OTHER 30
/* Recorded key positions run from 1 to this (json.object refuses longer
** key lists; a decoded object would need a document of over 8 GB). */
#define KSJ_MAX_RECORDED 0x3fffffff
typedef struct ksj_key_order {
  const char *const *keys;
  unsigned required;
} ksj_key_order;

/* int_keys: what the encoder does with a dict's integer keys. */
enum { KSJ_INT_KEYS_ERROR = 0, KSJ_INT_KEYS_STRING = 1 };

/* Fragments (ksj_frags_new). */
typedef struct ksj_frags ksj_frags;

typedef struct ksj_encode_opts {
  int indent;        /* -1: one line; >= 0: pretty, Python-style */
  const char *indent_str; size_t indent_len;  /* indent given as a string */
  int sort_keys;     /* -1 (not given): recorded orders, else sorted;
                     ** 1: every dict sorted; 0: recorded or next() order */
  int allow_nan;     /* 1: write NaN, Infinity, -Infinity */
  int ensure_ascii;  /* 1: escape every non-ASCII character as \uXXXX */
  int int_keys;      /* KSJ_INT_KEYS_*: integer keys of dicts */
  const char *item_sep; size_t item_sep_len;  /* default "," */
  const char *key_sep;  size_t key_sep_len;   /* default ":" */
  int max_depth;
  const ksj_key_order *key_order;  /* NULL: every key of equal rank */
  const char *fname; /* the function the user called, which messages name
                     ** ("json.encode"; ksj_encode_opts_read sets it) */
  ksj_frags *frags;  /* NULL, or the fragments the tree may hold (dumps) */
} ksj_encode_opts;

typedef struct ksj_decode_opts {
  int allow_nan;     /* 1: accept NaN, Infinity, -Infinity */
  int keep_order;    /* 1: objects remember their keys' document order */
  int max_depth;
  size_t max_size;   /* 0: no limit */
  const char *fname; /* the function the user called, which messages name
                     ** ("json.decode"; ksj_decode_opts_read sets it) */
} ksj_decode_opts;

/* The names ksj_decode_opts_read reads, for callers that share an option
** table with the codec (NULL-terminated). */
extern const char *const KSJ_DECODE_OPTION_NAMES[];

void ksj_encode_opts_init(ksj_encode_opts *o);
void ksj_decode_opts_init(ksj_decode_opts *o);
/* Read options from the table at idx (nil/none allowed). Unknown keys and
** wrong types raise "kserial: <fname>: ..." errors, and so do the encoder's
** and decoder's own errors with these options (o->fname = fname). Keys that the caller
** handles itself are listed in `extra` (NULL-terminated, may be NULL).
** Encode options: indent (integer >= 0), sort_keys, allow_nan, ensure_ascii
** (booleans), separators ({item, key}, two strings), max_depth (1 ..
** KSJ_HARD_MAX_DEPTH). As in Python, when indent is given and separators is
** not, key_sep becomes ": ". The separator strings point into the option
** table, which must stay alive (on the stack) while the options are used.
** Also int_keys ("error" or "string"). indent may be a string, repeated
** once per level (as in Python).
** Decode options: allow_nan, keep_order, max_depth, max_size (bytes, 0 = no
** limit). */
void ksj_encode_opts_read(lua_State *L, int idx, ksj_encode_opts *o,
                          const char *fname, const char *const *extra);
void ksj_decode_opts_read(lua_State *L, int idx, ksj_decode_opts *o,
                          const char *fname, const char *const *extra);

/* For writers whose text must be JSON (dumps, save): refuses separators
** other than ',' and ':' with JSON whitespace around them, and an indent
** string that is not JSON whitespace. json.encode itself, like Python's
** json.dumps, writes whatever separators it is given. */
void ksj_encode_opts_json_only(lua_State *L, const ksj_encode_opts *o,
                               const char *fname);

/* Reads only the options that change which values are accepted (allow_nan,
** int_keys), as serialize takes them; others are unknown, except the names
** in `extra` (NULL-terminated, or NULL), which the caller reads itself. */
void ksj_value_opts_read(lua_State *L, int idx, ksj_encode_opts *o,
                         const char *fname, const char *const *extra);

/* Key order of decoded objects. Each state keeps a weak-keyed registry
** table: object -> {key = position}. An order table is never changed once
** made (a new order is a new table), so copies may share it.
** ksj_copy_order: when the table at from has a recorded order, the table at
** to gets the same one (for walks that copy dicts). orders: the stack index
** of the registry table (ksj_push_orders), or 0 for nothing to do. */
void ksj_copy_order(lua_State *L, int orders, int from, int to);
/* The registry table of recorded key orders. Pushes it and returns 1; when
** there is none, pushes nothing and returns 0, unless `create`, when it
** makes it. */
#define KSJ_ORDER_KEY "kserial.json.order"
int ksj_push_orders(lua_State *L, int create);

/* The filter beside the order table (at stack index orders): a bit per
** hash of an object's address, set for every object given an order and
** cleared only when the table is found empty. A clear bit proves that an
** object has no order, so a state holding ordered objects does not look
** every other dict up in the (large, cache-missing) order table. */
#define KSJ_FILTER_BITS (1u << 20)
typedef struct ksj_filter {
  int used;
  unsigned char bit[KSJ_FILTER_BITS / 8];
} ksj_filter;
ksj_filter *ksj_orders_filter(lua_State *L, int orders);

static inline size_t ksj_filter_hash(const void *p) {
  unsigned long long a = (unsigned long long)(size_t)p;
  return (size_t)(((a >> 4) * 0x9E3779B97F4A7C15ull) >> 44);   /* 20 bits */
}
static inline void ksj_filter_add(ksj_filter *f, const void *p) {
  size_t h = ksj_filter_hash(p);
  f->bit[h >> 3] |= (unsigned char)(1u << (h & 7));
  f->used = 1;
}
static inline int ksj_filter_may(const ksj_filter *f, const void *p) {
  size_t h = ksj_filter_hash(p);
  return (f->bit[h >> 3] >> (h & 7)) & 1;
}

/* Encode the value at idx; pushes the text. Raises on error with the path. */
void ksj_encode(lua_State *L, int idx, const ksj_encode_opts *o);
/* Fragments: dumps encodes a plain table while serialize walks it, when
** nothing in it needs the walk (no object, function, metatable, bytes,
** NaN, envelope-like dict...), instead of copying it into the tree for the
** encoder to walk again. The tree holds a light userdata in its place,
** which ksj_encode copies as text when o->frags is the store it came from.
** ksj_frags_new pushes the store (a userdata freed by __gc/__close), or
** nil and returns NULL when these options do not allow fragments (indent,
** sort_keys = false, int_keys = "string"); o must outlive it.
** ksj_fragment: the table at idx, at depth in the tree (the walk's limit
** wmax), counting its values against *left (lowered by what it holds):
** pushes the fragment and returns 1, or returns 0 (nothing pushed or
** kept) when the table must be walked (the kind of what it pushed:
** ksj_fragment_kind). ksj_frags_reach: the deepest level
** a fragment reaches. ksj_frags_expand: makes the value at idx plain
** tables (for a tree a user sees, or that moves deeper than it was
** written at): the fragments inside a table are decoded back into tables
** in place, and a fragment itself is replaced at idx by its tables. A
** fragment made into a table is that table from then on (expanded again,
** it gives the same one; encoded, it writes that table as it is then, so
** a change user code makes to it is written), except an envelope (a
** composite with `spare`), which gives a table of its own each time (a
** copy, sharing its items' tables). */
ksj_frags *ksj_frags_new(lua_State *L, const ksj_encode_opts *o);
/* ksj_composite: a table the walk had to walk itself (it holds objects),
** at depth: its n items are on top of the stack as (key, value) pairs,
** string keys for a dict, the indices 1..n for an array, the values as
** the walk made them. Writes the keys and the scalars and fragments among
** the values now, and holds the other values (envelopes...) for the
** encoder, which writes them where the composite lands; pops the pairs
** and pushes the composite (a fragment), or returns 0 with the stack
** unchanged (at a depth limit, or a key the encoder refuses). Dicts only
** without a recorded order or a key of the key order's (the caller's
** rule: no "class_name" key). */
int ksj_composite(lua_State *L, ksj_frags *fs, int n, int isdict, int spare,
                  int depth, int wmax);
/* With `spare`, the composite keeps room for one more item, given later
** (before it is encoded) by ksj_composite_add: the item key = v on the
** composite at idx, written last (the caller's key order must put key
** after every other key it holds), and on every table ksj_frags_expand
** made from it. */
void ksj_composite_add(lua_State *L, ksj_frags *fs, int idx, const char *key,
                       lua_Integer v);
/* A number the caller keeps with a composite made with `spare` (the
** fragment p), until its item is given: 0 before it is set. */
void ksj_composite_settag(ksj_frags *fs, const void *p, size_t tag);
size_t ksj_composite_tag(const ksj_frags *fs, const void *p);
int ksj_fragment(lua_State *L, ksj_frags *fs, int idx, int depth, int wmax,
                 lua_Integer *left);
int ksj_frags_reach(const ksj_frags *fs);
/* '{' or '[' for a fragment of the store (a light userdata's pointer), 0
** for anything else. */
int ksj_fragment_kind(const ksj_frags *fs, const void *p);
void ksj_frags_expand(lua_State *L, ksj_frags *fs, int idx);

/* Decode text; pushes the value. Raises with line, column and byte offset. */
void ksj_decode(lua_State *L, const char *text, size_t len,
                const ksj_decode_opts *o);

/* Pushes the marker metatable KSJ_ARRAY_MT or KSJ_OBJECT_MT, creating it
** (with __name) if this state has none yet. */
void ksj_pushmt(lua_State *L, const char *name);

/* Pushes the kserial.json table (encode, decode, array, object, keys,
** array_mt, object_mt, null). json.encode and json.keys use key_order
** (may be NULL), which must outlive the state. */
int ksj_open(lua_State *L, const ksj_key_order *key_order);
/* Registry key of the key order given to ksj_open (a light userdata): the
** default of json.encode, which the test hooks (src/testhooks) follow. */
#define KSJ_KEY_ORDER "kserial.json.key_order"

/* The length of the valid UTF-8 sequence at p (1-4), or 0 when it is not
** one (overlongs, surrogates, > U+10FFFF and truncation are invalid). */
int ksj_utf8_len(const unsigned char *p, const unsigned char *end);

/* ---- messages: one owner for paths, escaping and option errors ---------
** The codec's message pieces, which the protocol binding (src/lua) uses for
** its own messages, so one location and one name read the same in every
** message of the module. */

/* The escaping routine of every message: s JSON-escaped (quotes,
** backslashes, control bytes as \u00XX), bytes that are not UTF-8 as \xNN.
** ksj_needs_escape: 1 when ksj_addescaped would change s. */
void ksj_addescaped(luaL_Buffer *b, const char *s, size_t len);
int ksj_needs_escape(const char *s, size_t len);
/* Pushes "s" escaped (ksj_addescaped), cut after 60 bytes. */
void ksj_pushquoted(lua_State *L, const char *s, size_t len);

/* JSONPath segments: .name for an identifier, else ["escaped"]; [i] for an
** index (0-based, as written). ksj_cutpath shortens the path on top of the
** stack to about 200 characters, keeping its head and tail. */
void ksj_addpath_key(luaL_Buffer *b, const char *key, size_t klen);
void ksj_addpath_index(luaL_Buffer *b, lua_Integer index);
void ksj_cutpath(lua_State *L);

/* Argument errors, the one owner (the codec's functions and the binding's):
** "kserial: bad argument #n to 'f' (msg)", after the caller's position.
** The checks take no numbers or strings for one another (no coercion).
** ksj_typename: the type name of the value at idx, __name aware. */
int ksj_argerror(lua_State *L, int arg, const char *extramsg);
int ksj_typeerror(lua_State *L, int arg, const char *expected);
void ksj_checkany(lua_State *L, int arg);
void ksj_checktype(lua_State *L, int arg, int t);
const char *ksj_checklstring(lua_State *L, int arg, size_t *len);
const char *ksj_typename(lua_State *L, int idx);

/* Option tables: every option table of the module is read with these, so
** option errors have one wording: "kserial: <fname>: options must be a
** table (got T)", "unknown option 'k'" (k shown raw: no metamethod runs),
** "option 'k' must be W (got T)".  ksj_opts_begin checks the table at idx, pushes nil for
** lua_next and returns the absolute index. Inside the lua_next loop,
** ksj_opt_name returns the option's name, or NULL for a name listed in
** extra (skip it); ksj_opt_unknown raises "unknown option". The readers
** look at the option value at the top of the stack. */
int ksj_opts_begin(lua_State *L, int idx, const char *fname);
/* The loop every reader runs: for each option of the table at idx (none
** when it is nil) whose name is not in extra, calls fn with the value on
** top of the stack; fn returns 0 for a name it does not know, which is an
** "unknown option" error. */
typedef int (*ksj_opt_fn)(lua_State *L, const char *key, const char *fname,
                          void *ud);
void ksj_opts_each(lua_State *L, int idx, const char *fname,
                   const char *const *extra, ksj_opt_fn fn, void *ud);
const char *ksj_opt_name(lua_State *L, const char *fname,
                         const char *const *extra);
void ksj_opt_unknown(lua_State *L, const char *fname);
void ksj_opt_error(lua_State *L, const char *fname, const char *key,
                   const char *want);
int ksj_opt_bool(lua_State *L, const char *fname, const char *key);
lua_Integer ksj_opt_int(lua_State *L, const char *fname, const char *key,
                        lua_Integer lo, lua_Integer hi);

/* ---- internal to the codec (src/json) and the cJSON bridge (src/cjson) --- */

#ifdef KSJ_INTERNAL

#if defined(__GNUC__) || defined(__clang__)
#define KSJ_NOINLINE __attribute__((noinline))
#define KSJ_INLINE inline __attribute__((always_inline))
#define KSJ_LIKELY(x) __builtin_expect(!!(x), 1)
#define KSJ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define KSJ_NOINLINE
#define KSJ_INLINE inline
#define KSJ_LIKELY(x) (x)
#define KSJ_UNLIKELY(x) (x)
#endif

/* One step of a JSON path, kept on the C stack by the walks: the container
** (stack index tidx, 0 if none) and the item being worked on, a key (when
** key != NULL) or a 0-based index. Paths are only rendered on error. */
typedef struct ksj_frame {
  const struct ksj_frame *up;
  const char *key;
  size_t klen;
  lua_Integer index;
  int tidx;
} ksj_frame;

/* Pushes the JSONPath of the item `f` points at ("$" for NULL), cut to
** about 200 characters. */
void ksj_pushpath(lua_State *L, const ksj_frame *f);


/* Numbers. ksj_format_* write at most KSJ_NUMBUF - 1 bytes (no NUL) and
** return the length; ksj_format_double wants a finite value. */
#define KSJ_NUMBUF 32
size_t ksj_format_integer(lua_Integer v, char *out);
size_t ksj_format_double(double v, char *out);

typedef struct ksj_number {
  int isint;          /* 1: i holds the value; 0: d does */
  lua_Integer i;
  double d;           /* may be +-inf when the literal overflows */
  const char *err;    /* NULL, or what is wrong (then the scan's return
                      ** value is the offending position) */
} ksj_number;
/* Scans the JSON number literal at p (p < end) and converts it exactly.
** Returns the end of the literal, or on error the offending position with
** n->err set. Locale-proof. */
const char *ksj_scan_number(lua_State *L, const char *p, const char *end,
                            ksj_number *n);

/* ksj_encode with extra internal flags. */
#define KSJ_ENC_NO_NUL 1   /* refuse strings holding a NUL byte (cJSON) */
void ksj_encode_ex(lua_State *L, int idx, const ksj_encode_opts *o,
                   int flags);

/* Pushes an array of the keys of the dict at idx in the order the encoder
** writes them with these options. */
void ksj_push_keys(lua_State *L, int idx, const ksj_encode_opts *o);

#endif /* KSJ_INTERNAL */

#endif
