/*
** ks_json.h - the exact JSON codec between Lua values and text.
** Internal to the binding (the cJSON bridge: src/cjson/ks_cjson.h).
*/
#ifndef KS_JSON_H
#define KS_JSON_H

#include <stddef.h>
#include <lua.h>

/* Registry names of the marker metatables (created with luaL_newmetatable). */
#define KSJ_ARRAY_MT  "kserial.json.array"
#define KSJ_OBJECT_MT "kserial.json.object"
#define KSJ_DEFAULT_MAX_DEPTH 512
#define KSJ_HARD_MAX_DEPTH 10000  /* bound of opts.max_depth: the C stack */

/* kserial.null: one light userdata (NULL), the same in every state. */
#define ksj_pushnull(L) lua_pushlightuserdata((L), NULL)
int ksj_isnull(lua_State *L, int idx);

typedef struct ksj_encode_opts {
  int indent;        /* -1: one line; >= 0: pretty, Python-style */
  int sort_keys;     /* 1: dict keys sorted (envelope keys first, Keras order) */
  int allow_nan;     /* 1: write NaN, Infinity, -Infinity */
  int ensure_ascii;  /* 1: escape every non-ASCII character as \uXXXX */
  const char *item_sep; size_t item_sep_len;  /* default "," */
  const char *key_sep;  size_t key_sep_len;   /* default ":" */
  int max_depth;
} ksj_encode_opts;

typedef struct ksj_decode_opts {
  int allow_nan;     /* 1: accept NaN, Infinity, -Infinity */
  int max_depth;
  size_t max_size;   /* 0: no limit */
} ksj_decode_opts;

void ksj_encode_opts_init(ksj_encode_opts *o);
void ksj_decode_opts_init(ksj_decode_opts *o);
/* Read options from the table at idx (nil/none allowed). Unknown keys and
** wrong types raise "kserial: <fname>: ..." errors. Keys that the caller
** handles itself are listed in `extra` (NULL-terminated, may be NULL).
** Encode options: indent (integer >= 0), sort_keys, allow_nan, ensure_ascii
** (booleans), separators ({item, key}, two strings), max_depth (1 ..
** KSJ_HARD_MAX_DEPTH). As in Python, when indent is given and separators is
** not, key_sep becomes ": ". The separator strings point into the option
** table, which must stay alive (on the stack) while the options are used.
** Decode options: allow_nan, max_depth, max_size (bytes, 0 = no limit). */
void ksj_encode_opts_read(lua_State *L, int idx, ksj_encode_opts *o,
                          const char *fname, const char *const *extra);
void ksj_decode_opts_read(lua_State *L, int idx, ksj_decode_opts *o,
                          const char *fname, const char *const *extra);

/* Encode the value at idx; pushes the text. Raises on error with the path. */
void ksj_encode(lua_State *L, int idx, const ksj_encode_opts *o);
/* Decode text; pushes the value. Raises with line, column and byte offset. */
void ksj_decode(lua_State *L, const char *text, size_t len,
                const ksj_decode_opts *o);

/* Pushes the marker metatable KSJ_ARRAY_MT or KSJ_OBJECT_MT, creating it
** (with __name) if this state has none yet. */
void ksj_pushmt(lua_State *L, const char *name);

/* Pushes the kserial.json table (encode, decode, array, object, array_mt,
** object_mt, null). */
int ksj_open(lua_State *L);

/* The length of the valid UTF-8 sequence at p (1-4), or 0 when it is not
** one (overlongs, surrogates, > U+10FFFF and truncation are invalid). */
int ksj_utf8_len(const unsigned char *p, const unsigned char *end);

/* ---- internal to the codec (src/json) and the cJSON bridge (src/cjson) --- */

#ifdef KSJ_INTERNAL

#if defined(__GNUC__) || defined(__clang__)
#define KSJ_NOINLINE __attribute__((noinline))
#define KSJ_LIKELY(x) __builtin_expect(!!(x), 1)
#define KSJ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define KSJ_NOINLINE
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

/* Pushes "s" JSON-escaped (bad bytes as \xNN), cut after 60 bytes. */
void ksj_pushquoted(lua_State *L, const char *s, size_t len);

/* Option tables. ksj_opts_begin checks the table at idx, pushes nil for
** lua_next and returns the absolute index. Inside the lua_next loop,
** ksj_opt_name returns the option's name, or NULL for a name listed in
** extra (skip it); ksj_opt_unknown raises "unknown option". The readers
** look at the option value at the top of the stack. */
int ksj_opts_begin(lua_State *L, int idx, const char *fname);
const char *ksj_opt_name(lua_State *L, const char *fname,
                         const char *const *extra);
void ksj_opt_unknown(lua_State *L, const char *fname);
void ksj_opt_error(lua_State *L, const char *fname, const char *key,
                   const char *want);
int ksj_opt_bool(lua_State *L, const char *fname, const char *key);
lua_Integer ksj_opt_int(lua_State *L, const char *fname, const char *key,
                        lua_Integer lo, lua_Integer hi);

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

#endif /* KSJ_INTERNAL */

#endif
