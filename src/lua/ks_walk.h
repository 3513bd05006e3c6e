/*
** ks_walk.h - what the serialize and deserialize walks share: the path of the
** value being walked (for error messages), the utf-8 check, the markers.
*/
#ifndef KS_WALK_H
#define KS_WALK_H

#include <string.h>
#include "ks_lua.h"
#include "ks_json.h"

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
  const void *arg;             /* such a root: the table the hook gave the
                               ** call (by identity), or NULL; ksl_push_path
                               ** looks for it in the hook's noted config */
} ksl_path;

#define KSL_PATH_ROOT {NULL, NULL, 0, 0, NULL, NULL, 0, NULL}

/* Pushes the path of p from the document's root ("$.config.layers[3]";
** long paths are shortened in the middle). ctx: stack index of the running
** call's state (call.h), or 0. p may lie in a call nested in a hook; when ctx knows
** the hook's config and the nested call's value, and the value is found in
** that config, the path runs through it ("$.config.layers[1].config.units");
** otherwise it names the call: "$.x (in a call made by <hook> of '<class>'
** at $.y)". */
void ksl_push_path(lua_State *L, const ksl_path *p, const char *hook, int ctx);
/* Replaces msg on top of the stack with "kserial: <msg> (at <path>)". */
KSL_COLD void ksl_path_message(lua_State *L, const ksl_path *p, const char *hook,
                               int ctx);
/* Raises "kserial: <msg> (at <path>)" where msg is on top of the stack, and
** records the message in ctx (when not 0) for ksl_path_passing. */
KSL_COLD int ksl_path_error(lua_State *L, const ksl_path *p, const char *hook, int ctx);
/* Raises the message on top of the stack (a whole one, with its path),
** recording it in ctx (when not 0) for ksl_path_passing. */
KSL_COLD int ksl_path_raise(lua_State *L, int ctx);
/* 1 when the error on top of the stack is the last one raised with ctx: an
** error of a nested call coming back unchanged through the hook that made
** the call. It already says what and where, so it passes through as it is. */
int ksl_path_passing(lua_State *L, int ctx);
/* The same test against the running top-level calls of the engine at
** stack index box: the error on top is the last one raised in one of them,
** so a nested API call raises it without adding its position. */
int ksl_running_call_error(lua_State *L, int box);
/* Notes in ctx, for ksl_push_path to locate nested values, the table at idx
** (nil when idx is 0 or not a table) as the config of the object at `node`
** whose hook runs. A note is kept at the node's depth (call.h): every hook
** of the deserialize walk notes its config when it starts (the runner);
** the value a hook gives a nested call is that call's root's `arg`. */
/* Objects (and special values) one inside the other from the document's
** root to p: the nodes on its path with obj set. The runner's nesting limit
** and the notes count them. */
int ksl_path_depth(const ksl_path *p);
/* Notes for node (its depth counted): a config noted this way keeps what
** the runner noted about the one before it at that depth, its envelope key
** and its hook (a config replaced by a copy of it, fields.c). */
void ksl_path_note(lua_State *L, int ctx, const ksl_path *node, int idx);
/* The same, for a node whose depth (ksl_path_depth) the caller knows; the
** config is noted as the one hook h got, read from the
** envelope key h->note_key (paths name it: "$.x.build_config.y", and
** name h in "(in a call made by build_from_config() of 'X' ...)"). */
struct ksl_hook;
void ksl_path_note_at(lua_State *L, int ctx, int depth, int idx,
                      const struct ksl_hook *h);

/* When the table at idx is the config noted (ksl_path_note) for the
** object at node (the config its running hook received), the envelope key
** it was read from ("config", "build_config", "compile_config"); else NULL. */
const char *ksl_path_is_config(lua_State *L, int ctx, const ksl_path *node, int idx);
/* The envelope node of the object whose from_config() (or build/compile
** hook) runs in the deserialize call of the engine at stack index box, or
** NULL. */
const ksl_path *ksl_running_from_config(lua_State *L, int box);

/* 1 when s is valid UTF-8 (no surrogates, no overlongs, <= U+10FFFF);
** otherwise 0 and *bad is the offset of the first invalid byte. */
int ksl_utf8_valid(const char *s, size_t len, size_t *bad);


/* The marker metatable of special values kept whole (kserial.marker). */
#define KSL_MARKER_MT "kserial.marker"
void ksl_push_marker_mt(lua_State *L);
/* Pushes the array, object and marker metatables, kept as user values of
** the engine box at stack index box; gives their indices. */
void ksl_push_markers(lua_State *L, int box, int *arr, int *obj, int *marker);

/* Depth of hooks running one inside the other (objects and special handlers
** calling back into kserial; counted by the runner, hook.c) allowed before
** Lua's own C-stack limit would stop the program with a less clear message. */
#define KSL_MAX_OBJECT_NESTING 60

/* serialize / deserialize the value at idx and push the result, with the
** engine of the box at stack index box (KSL_BOX in a module function). A top-level
** call runs protected and returns its status (the message pushed on error);
** a call nested in a running one raises (and joins the running call: its
** options are ignored). optsidx: 0 or a table of options. */
/* max_values: the most JSON values the output may hold (KSL_MAX_VALUES by
** default); eo: the encoder's value options (allow_nan, int_keys) the walk
** must agree with, or NULL for the defaults. */
int ksl_serialize_value(lua_State *L, int box, int idx, const ksj_encode_opts *eo,
                        lua_Integer max_values);
/* The max_values option of the options table at idx (nil: the default);
** with `only`, any other option is an error ("unknown option"). */
lua_Integer ksl_max_values_opt(lua_State *L, int idx, const char *fname, int only);
int ksl_deserialize_value(lua_State *L, int box, int idx, int optsidx);
/* The same, naming the API function in option errors; `extra` lists the
** option names the caller handles itself (NULL-terminated, or NULL). */
extern const char *const KSL_DES_OPTION_NAMES[];  /* deserialize's options */
int ksl_deserialize_opts(lua_State *L, int box, int idx, int optsidx, const char *fname,
                         const char *const *extra);

#define KSL_MAX_VALUES 50000000  /* default of the max_values option: values one serialize/dumps/save/scan call may produce */

/* A name from a document (with its length: it may hold NUL bytes) equals
** the literal lit. */
#define KSL_NAME_IS(s, len, lit) \
  ((len) == sizeof(lit) - 1 && memcmp((s), (lit), sizeof(lit) - 1) == 0)


#endif
