/*
** kserial.h - the kserial core.
**
** The core owns the rules of the Keras serialization protocol that do not
** depend on any particular value representation: the registry ("package>name"
** keys to opaque handles and back), registered module tables, the stack of
** custom-object and safe-mode scopes, the safe-mode policy, name rules and the
** lookup precedence. It contains no Lua: a binding maps its own values to
** handles and asks the core for every decision.
**
** Every function works on one engine; there is no process-wide state, so
** engines in different threads are independent. An engine is not itself
** thread-safe: one thread at a time per engine.
*/
#ifndef KSERIAL_H
#define KSERIAL_H

#include <stddef.h>
#include <stdint.h>

/* KS_API marks what libkserial exports. The library is built with
** -fvisibility=hidden, so the functions declared in include/ are its whole
** ABI: everything else stays inside it. A host may define KS_API itself
** (for example empty, when it compiles kserial's sources into its program). */
#ifndef KS_API
#if defined(__GNUC__) || defined(__clang__)
#define KS_API __attribute__((visibility("default")))
#else
#define KS_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define KS_VERSION_MAJOR 0
#define KS_VERSION_MINOR 1
#define KS_VERSION_PATCH 0
#define KS_VERSION "0.1.0"

/* A handle names a value of the binding (for Lua: an interned reference).
** The core only stores and compares handles. 0 means "no value". */
typedef int64_t ks_handle;
#define KS_NOHANDLE ((ks_handle)0)

/* Allocator with the same contract as lua_Alloc: nsize == 0 frees and
** returns NULL; otherwise behaves like realloc and returns NULL on failure
** (leaving the old block untouched). */
typedef void *(*ks_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

typedef enum ks_status {
  KS_OK = 0,
  KS_ENOMEM,      /* an allocation failed; nothing was changed */
  KS_EBADNAME,    /* a package or name is empty or contains '>' */
  KS_ENOTFOUND,   /* no such key, module or scope */
  KS_ESCOPEORDER, /* closing a scope that is not the innermost one */
  KS_ECLOSED,     /* the scope was already closed (harmless) */
  KS_EINVAL       /* an argument is out of range (a NULL map, handle 0...) */
} ks_status;

/* A short English description of a status ("scope closed out of order"). */
KS_API const char *ks_strerror(ks_status st);

typedef struct ks_engine ks_engine;
typedef struct ks_map ks_map;

/* ---- engine lifetime ---------------------------------------------------- */

/* Creates an engine whose every allocation goes through f(ud, ...).
** Returns NULL when memory is exhausted. Safe mode starts on. */
KS_API ks_engine *ks_engine_new(ks_alloc_fn f, void *ud);
/* Frees the engine, its registry, modules and every open scope. NULL is ok. */
KS_API void ks_engine_free(ks_engine *e);

/* ---- maps: string keys (any bytes, length-counted) to handles ----------- */

KS_API ks_map *ks_map_new(ks_engine *e);                 /* NULL on OOM */
KS_API void ks_map_free(ks_map *m);                      /* NULL is ok */
/* Sets key to h, replacing any previous value. h == KS_NOHANDLE removes. */
KS_API ks_status ks_map_set(ks_map *m, const char *key, size_t len, ks_handle h);
KS_API ks_handle ks_map_get(const ks_map *m, const char *key, size_t len);
KS_API size_t ks_map_count(const ks_map *m);
/* Iteration: start with *iter = 0; returns 1 and fills the outputs while
** there are entries, then 0. The map must not change during iteration. */
KS_API int ks_map_next(const ks_map *m, size_t *iter, const char **key, size_t *len,
                       ks_handle *h);

/* ---- names -------------------------------------------------------------- */

/* A key that names an object (in the global dict, a scope, a module, a
** module name): non-empty and no NUL byte (KS_EBADNAME). */
KS_API ks_status ks_check_key(const char *s, size_t len);
/* A package or a name part: a key with no '>'. */
KS_API ks_status ks_check_name(const char *s, size_t len);
/* Every key of m passes ks_check_key (KS_EBADNAME when one does not). */
KS_API ks_status ks_check_keys(const ks_map *m);

/* ---- the registry (Keras's global custom objects) ------------------------ */

/* register_serializable: validates both parts, then sets "package>name" to h
** in the global dict and records the reverse entry h -> key. Registering an
** existing key again replaces it; the reverse map stays consistent. */
KS_API ks_status ks_register(ks_engine *e, const char *pkg, size_t plen,
                             const char *name, size_t nlen, ks_handle h);
/* The global dict seen through get_custom_objects(): any key that passes
** ks_check_key (else KS_EBADNAME).
** h == KS_NOHANDLE removes the key. A key that changes value drops the
** reverse entry that pointed at it. No reverse entry is added. */
KS_API ks_status ks_custom_set(ks_engine *e, const char *key, size_t len, ks_handle h);
KS_API ks_handle ks_custom_get(const ks_engine *e, const char *key, size_t len);
KS_API void ks_custom_clear(ks_engine *e);               /* empties both maps */
KS_API const ks_map *ks_custom_map(const ks_engine *e);  /* for iteration */
/* The key h was registered under, or NULL (len untouched) when it was not. */
KS_API const char *ks_registered_name(const ks_engine *e, ks_handle h, size_t *len);
/* The handle of the only key of the form "<anything>>name", or KS_NOHANDLE
** when there is none or more than one (Keras 3.6 wrote bare names). */
KS_API ks_handle ks_lookup_suffix(const ks_engine *e, const char *name, size_t len);

/* ---- registered modules (the allow-list for a config's "module") --------- */

/* Registers (or replaces) module `module` with the entries of `members`,
** which the engine takes over (it is freed here even on error). Members are
** a snapshot: later changes to the host's table are not seen. The module
** name and every member key must pass ks_check_key (else KS_EBADNAME). */
KS_API ks_status ks_module_register(ks_engine *e, const char *module, size_t mlen,
                                    ks_map *members);
KS_API ks_handle ks_module_lookup(const ks_engine *e, const char *module, size_t mlen,
                                  const char *name, size_t nlen);
/* Which registered module holds h, and under which key. Returns 0 when none.
** When several do, the one registered first wins. */
KS_API int ks_module_find(const ks_engine *e, ks_handle h, const char **module,
                          size_t *mlen, const char **key, size_t *klen);
KS_API int ks_module_exists(const ks_engine *e, const char *module, size_t mlen);

/* ---- scopes --------------------------------------------------------------- */

/* Scopes form one LIFO stack shared by both kinds. A token names a pushed
** scope; tokens are never reused within an engine. */
typedef uint64_t ks_token;

/* Pushes a custom-object scope with the entries of `frame` (taken over: it
** is freed here even on error). Lookups see it merged over outer scopes.
** Every key must pass ks_check_key (else KS_EBADNAME). */
KS_API ks_status ks_scope_push_objects(ks_engine *e, ks_map *frame, ks_token *token);
KS_API ks_status ks_scope_push_safe_mode(ks_engine *e, int safe, ks_token *token);
/* Closes the innermost scope. KS_OK when `token` is the innermost;
** KS_ECLOSED when it is no longer open (harmless, nothing changes);
** KS_ESCOPEORDER when it is open but not innermost (nothing changes). */
KS_API ks_status ks_scope_pop(ks_engine *e, ks_token token);
/* Closes `token` and every scope opened after it (error unwinding). Returns
** how many scopes were closed (0 when `token` was not open). */
KS_API size_t ks_scope_unwind(ks_engine *e, ks_token token);
/* Removes `token` wherever it is (a scope object collected unclosed). */
KS_API ks_status ks_scope_remove(ks_engine *e, ks_token token);
KS_API int ks_scope_is_open(const ks_engine *e, ks_token token);
KS_API size_t ks_scope_depth(const ks_engine *e);
/* The token of the innermost open scope, 0 when none is open. */
KS_API ks_token ks_scope_top(const ks_engine *e);
/* The innermost custom-object scope's value for key (merged view). */
KS_API ks_handle ks_scope_lookup(const ks_engine *e, const char *key, size_t len);

/* ---- safe mode ------------------------------------------------------------- */

KS_API void ks_set_default_safe_mode(ks_engine *e, int safe);
KS_API int ks_default_safe_mode(const ks_engine *e);
/* -1 when no safe-mode scope is open, else the innermost scope's 0 or 1. */
KS_API int ks_scoped_safe_mode(const ks_engine *e);
/* The safe mode a deserialize call runs with. `explicit_arg` is the call's
** own argument: -1 when not given, else 0 or 1.
**   1. an explicit 1 is always honoured (making things safer is always ok);
**   2. inside a safe-mode scope (which includes a running deserialization)
**      the scope's value wins over an explicit 0;
**   3. otherwise an explicit 0 is honoured;
**   4. otherwise the engine's default. */
KS_API int ks_effective_safe_mode(const ks_engine *e, int explicit_arg);

/* ---- lookup precedence ------------------------------------------------------ */

typedef enum ks_source {
  KS_FROM_NONE = 0,
  KS_FROM_SCOPE,    /* the innermost custom-object scope */
  KS_FROM_REGISTRY, /* the global dict */
  KS_FROM_CUSTOM,   /* the call's custom_objects */
  KS_FROM_MODULE    /* the call's module_objects */
} ks_source;

/* get_registered_object's order: scopes, then the global dict, then
** custom_objects, then module_objects (either map may be NULL). Returns
** KS_NOHANDLE when nothing matches; *src (may be NULL) says where it came
** from. */
KS_API ks_handle ks_lookup(const ks_engine *e, const char *name, size_t len,
                           const ks_map *custom_objects, const ks_map *module_objects,
                           ks_source *src);
/* A stamp of what ks_lookup answers when given no maps (custom_objects and
** module_objects NULL), for callers that remember answers: 0 while a
** custom-object scope is open (answers depend on it: remember nothing),
** else a number, never 0, that changes whenever an answer may change (the
** global dict changed: ks_register, ks_custom_set, ks_custom_clear). */
KS_API uint64_t ks_lookup_stamp(const ks_engine *e);

/* ---- envelopes: the rules of a {"class_name": ..., "config": ...} dict ---- */

/* The keys of an envelope the rules look at, in Keras's order. */
typedef enum ks_env_key {
  KS_ENV_MODULE = 0, KS_ENV_CLASS_NAME, KS_ENV_CONFIG, KS_ENV_REGISTERED_NAME,
  KS_ENV_SHARED_OBJECT_ID, KS_ENV_BUILD_CONFIG, KS_ENV_COMPILE_CONFIG,
  KS_ENV_NKEYS
} ks_env_key;
/* The key's text ("class_name"...), or NULL when k is out of range. */
KS_API const char *ks_envelope_key(ks_env_key k);

/* The JSON type of one key's value, as the binding read it from its own
** representation of a decoded dict. */
typedef enum ks_vtype {
  KS_V_ABSENT = 0,  /* the key is missing */
  KS_V_NULL, KS_V_BOOLEAN, KS_V_INTEGER, KS_V_FLOAT, KS_V_STRING,
  KS_V_ARRAY, KS_V_DICT,
  KS_V_OTHER        /* anything a document cannot hold (a live object) */
} ks_vtype;

typedef struct ks_env_field {
  ks_vtype type;
  const char *s;    /* KS_V_STRING: its bytes (may hold NUL), borrowed */
  size_t len;
} ks_env_field;

/* What the binding read from one dict. `special` is 1 when the program
** registered a special handler for this class_name (the binding keeps
** those); the core only needs to know that one exists. */
typedef struct ks_envelope {
  ks_env_field f[KS_ENV_NKEYS];
  int special;
} ks_envelope;

typedef enum ks_env_kind {
  KS_ENV_NOT = 0,   /* not an envelope: a plain dict */
  KS_ENV_SPECIAL,   /* a class_name with a registered special handler */
  KS_ENV_LAMBDA,    /* "__lambda__": code */
  KS_ENV_BYTES,     /* "__bytes__" */
  KS_ENV_MARKER,    /* another "__name__" marker, kept whole */
  KS_ENV_FUNCTION,  /* "function": config names a function */
  KS_ENV_CLASS      /* anything else: a class to instantiate */
} ks_env_kind;

typedef enum ks_env_error {
  KS_ENV_OK = 0,
  KS_ENV_EKEYTYPE,      /* the key named in ks_env_verdict.key has a wrong type */
  KS_ENV_ENOTFOUND,     /* the name resolves nowhere */
  KS_ENV_EINCONSISTENT, /* registered_name resolves nowhere, module + class_name do */
  KS_ENV_EINVAL         /* a NULL argument, or kind is not FUNCTION or CLASS */
} ks_env_error;

/* The core's decision on one envelope. */
typedef struct ks_env_verdict {
  ks_env_kind kind;
  ks_env_error err;
  ks_env_key key;       /* KS_ENV_EKEYTYPE: the faulty key */
  const char *want;     /* KS_ENV_EKEYTYPE: what it must be ("a string or null") */
  /* ks_envelope_resolve: */
  const char *name;     /* the name looked up (borrowed from the envelope) */
  size_t nlen;
  ks_handle h;          /* what it resolved to, KS_NOHANDLE when nothing */
  int expect_class;     /* 1: h must be a class; 0: a function */
} ks_env_verdict;

/* The rule of one key of a class envelope: NULL when a value of type t may
** stand there, else what it must be ("a dict or null"). ks_envelope_check
** applies it to documents; the binding applies it to what the build and
** compile hooks return, so kserial never writes what it refuses to read. */
KS_API const char *ks_envelope_want(ks_env_key k, ks_vtype t);

/* A "__name__" marker: more than 4 bytes, two '_' at each end. */
KS_API int ks_is_marker_name(const char *s, size_t len);

/* Classifies env and checks the types of its keys, in this order:
**   1. not an envelope (KS_ENV_NOT, KS_ENV_OK) unless both class_name and
**      config are present (null counts as present);
**   2. class_name must be a string;
**   3. a registered special, "__lambda__", "__bytes__", a marker or
**      "function" is that kind; anything else a class;
**   4. bytes: config must be a dict; lambdas, markers and specials are
**      not checked further (their config belongs to their handler, and a
**      lambda's is looked at only once safe mode allows it);
**   5. function: module must be a string or null, config a string;
**   6. class: shared_object_id an integer or null, config a dict or null
**      (or an array: Keras 2's list-style Sequential config),
**      build_config and compile_config dicts or null, registered_name and
**      module strings or null.
** The first fault found wins; v->kind is set either way. */
KS_API ks_env_error ks_envelope_check(const ks_envelope *env, ks_env_verdict *v);

/* Resolves a checked FUNCTION or CLASS envelope (v from ks_envelope_check).
**   function: its config through ks_lookup, then through the registered
**     module named by `module`, then (a bare name without '>') the only
**     global key that ends in ">name" (ks_lookup_suffix);
**   class: registered_name (class_name when it is absent, null or "")
**     through ks_lookup, then module + class_name through the registered
**     modules; a registered_name that differs from class_name and
**     resolves nowhere while module + class_name do is refused as
**     inconsistent (KS_ENV_EINCONSISTENT, v->h = KS_NOHANDLE).
** Sets v->name, v->nlen, v->h and v->expect_class. */
KS_API ks_env_error ks_envelope_resolve(const ks_engine *e, const ks_envelope *env,
                                        const ks_map *custom_objects,
                                        const ks_map *module_objects,
                                        ks_env_verdict *v);
/* The name a class envelope is looked up by first: registered_name when it
** is a non-empty string, else class_name (NULL when that is not a string). */
KS_API const char *ks_envelope_name(const ks_envelope *env, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
