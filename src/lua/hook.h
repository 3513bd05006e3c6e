/*
** hook.h - the one runner of user code. Every call the walks make into code
** the program supplied (get_config, from_config, the build and compile hooks
** in both directions, the encode and decode functions of register_special,
** and anything added later) goes through ksl_hook_pcall, which keeps the
** rules a hook runs under in one place:
**   - the running deserialize's custom-object and safe-mode scopes are open
**     around the hook (nothing the hook does can lift the call's safe mode);
**   - scopes the hook opens are anchored by the call (scopes.c) and must be
**     closed by it; they are unwound on every exit;
**   - one nesting limit (KSL_MAX_OBJECT_NESTING) on objects and special
**     values inside one another, counted on the path of the hook's node
**     (the nodes with obj set), whatever the hook's kind;
**   - an error gets "<hook> raised an error: " and the path once; an error
**     of a nested call passes through whole (ksl_path_passing).
*/
#ifndef KS_HOOK_H
#define KS_HOOK_H

#include "ks_walk.h"

typedef struct ksl_hook {
  const char *name;          /* "get_config", "decode", ... */
  const char *owner;         /* the class name, or the special's name */
  int special;               /* 1: owner names a register_special handler */
  const ksl_path *node;      /* where the owner's envelope starts (obj set) */
  const ksl_path **at;       /* the running call's "hook runs at" slot */
  int ctx;                   /* stack index of the running call's state (call.h) */
  int box;                   /* stack index of the engine box */
  const char *side;          /* "get_config()" or "from_config()" (paths) */
  int scoped;                /* 1: open the call's scopes around the hook */
  int safe;                  /* scoped: the safe mode of the call */
  int custom_idx;            /* scoped: custom_objects table, or 0 */
  int note;                  /* the config given to the hook, or 0 (paths) */
  int must_return;           /* 1: returning nil is an error */
  ks_env_key note_key;       /* the envelope key `note` was read from (paths:
                             ** "config", "build_config", "compile_config") */
} ksl_hook;

/* Pushes "<name>() of '<owner>'", or "<name>() of special '<owner>'" for
** a register_special handler: the one wording of a hook in messages. */
void ksl_push_hook_label(lua_State *L, const char *name, int special, const char *owner);

/* The deserialize hook that gets the config read from the envelope key
** `key`: from_config (config), build_from_config (build_config),
** compile_from_config (compile_config); decode for a special's config. */
const char *ksl_des_hook_name(ks_env_key key, int special);

/* A hook with the fields that change per call set to nothing. */
#define KSL_HOOK_INIT {NULL, NULL, 0, NULL, NULL, 0, 0, NULL, 0, 0, 0, 0, 0, KS_ENV_CONFIG}

#define KSL_HOOK_ABSENT (-1)

/* Sets the fields of h that say which hook runs where: its name, its owner
** (class or special), the node of the owner's envelope, the running call's
** "hook runs at" slot, state and box, and the walk's side ("get_config()" or
** "from_config()"). Both walks name their hooks through it. */
void ksl_hook_at(ksl_hook *h, const char *name, const char *owner,
                 const ksl_path *node, const ksl_path **at, int ctx, int box,
                 const char *side);

/* Runs user code as hook h, protected. With method != NULL: the method
** `method` of the value at index self, called as self:method(args...);
** with method == NULL: the function below the arguments. The nargs
** arguments are on top. Returns LUA_OK with the one result pushed,
** KSL_HOOK_ABSENT (nothing pushed) when self has no such method (nil or
** not callable), or an error status with the finished message (or a
** non-string error value) pushed, ready for ksl_path_raise. Scopes, the
** nesting count and h->at are as before the call on every return. */
int ksl_hook_pcall(lua_State *L, const ksl_hook *h, int self, const char *method,
                   int nargs);
/* The same, raising the error. */
int ksl_hook_call(lua_State *L, const ksl_hook *h, int self, const char *method,
                  int nargs);
/* Raises "kserial: <h's label> <msg>" with h's path (msg: printf-like). */
KSL_COLD int ksl_hook_fail(lua_State *L, const ksl_hook *h, const char *fmt, ...);

/* What a table is, as both walks see it. KSL_TABLE_UNMARKED: not decided
** yet (serialize decides from all the keys, in ser_table). */
typedef enum ksl_tkind {
  KSL_TABLE_UNMARKED = 0,
  KSL_TABLE_ARRAY,
  KSL_TABLE_DICT,
  KSL_TABLE_OTHER     /* an object or a special value (another metatable) */
} ksl_tkind;
/* The kind of the table at idx: marked ones by their metatable (the
** codec's, which the box b knows by identity), unmarked ones by their first
** key (an empty one is a dict). */
ksl_tkind ksl_table_kind(lua_State *L, int idx, const ksl_box *b);
/* The core's rule of an envelope key (ks_envelope_want), applied to what
** get_build_config()/get_compile_config() return, once serialized, so
** kserial never writes what it refuses to read (the reader applies the same
** rule to documents through ks_envelope_check). Returns NULL when the value
** at idx follows it, else its JSON type for the message. box: the stack
** index of the engine box. */
const char *ksl_hook_config_bad(lua_State *L, int box, int idx, ks_env_key key);

#endif
