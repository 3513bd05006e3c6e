/*
** ks_walk.h - what the serialize and deserialize walks share: the path of the
** value being walked (for error messages), utf-8 and base64 helpers.
*/
#ifndef KS_WALK_H
#define KS_WALK_H

#include <string.h>
#include "ks_lua.h"

/* A node of the path from the root to the value being walked. Nodes live in
** the C frames of the walk, so building a path costs nothing until an error
** needs it. */
typedef struct ksl_path {
  const struct ksl_path *up;   /* NULL at the root of a top-level call */
  const char *key;             /* the key, or NULL for an array index */
  size_t klen;
  lua_Integer index;           /* 0-based, when key == NULL */
  const void *obj;             /* the object whose envelope starts here */
  const char *cls;             /* its class name, for messages */
  int nested;                  /* root of a nested call made by a hook */
} ksl_path;

#define KSL_PATH_ROOT {NULL, NULL, 0, 0, NULL, NULL, 0}

/* Pushes the path as "$.a[0].b" (long paths are shortened in the middle);
** for a nested call: "$.x (in a call made by <hook> of '<class>' at $.y)". */
void ksl_push_path(lua_State *L, const ksl_path *p, const char *hook);
/* Raises "kserial: <msg> (at <path>)" where msg is on top of the stack. */
int ksl_path_error(lua_State *L, const ksl_path *p, const char *hook);

/* 1 when s is valid UTF-8 (no surrogates, no overlongs, <= U+10FFFF);
** otherwise 0 and *bad is the offset of the first invalid byte. */
int ksl_utf8_valid(const char *s, size_t len, size_t *bad);

void ksl_base64_encode(luaL_Buffer *b, const char *s, size_t len);
/* Decodes standard base64 (whitespace ignored, padding optional); pushes
** the bytes, or returns 0 (nothing pushed) when the text is not base64. */
int ksl_base64_decode(lua_State *L, const char *s, size_t len);

/* The marker metatable of special values kept whole (kserial.marker). */
#define KSL_MARKER_MT "kserial.marker"
void ksl_push_marker_mt(lua_State *L);
/* Pushes the array, object and marker metatables; gives their indices. */
void ksl_push_markers(lua_State *L, int *arr, int *obj, int *marker);

/* Depth of nested objects (hooks calling back into kserial) allowed before
** Lua's own C-stack limit would stop the program with a less clear message. */
#define KSL_MAX_OBJECT_NESTING 60

/* serialize / deserialize the value at idx and push the result. A top-level
** call runs protected and returns its status (the message pushed on error);
** a call nested in a running one raises. optsidx: 0 or a table of options. */
int ksl_serialize_value(lua_State *L, int idx);
int ksl_deserialize_value(lua_State *L, int idx, int optsidx);
/* The same, naming the API function in option errors; `extra` lists the
** option names the caller handles itself (NULL-terminated, or NULL). */
extern const char *const KSL_DES_OPTION_NAMES[];  /* deserialize's options */
int ksl_deserialize_opts(lua_State *L, int idx, int optsidx, const char *fname,
                         const char *const *extra);

/* A name from a document (with its length: it may hold NUL bytes) equals
** the literal lit. */
#define KSL_NAME_IS(s, len, lit) \
  ((len) == sizeof(lit) - 1 && memcmp((s), (lit), sizeof(lit) - 1) == 0)

#endif
