/*
** ks_lua.h - internals shared by the files of the Lua binding.
*/
#ifndef KS_LUA_H
#define KS_LUA_H

#include <lua.h>
#include <lauxlib.h>
#include "kserial.h"
#include "ks_json.h"

/* Marks a function that only error paths call (it builds or raises a
** message): GCC and Clang then move the code that calls it out of the hot
** path, which keeps the walks' per-object code dense in the instruction
** cache (docs/performance.md, "Instruction cache"). */
#if defined(__GNUC__) || defined(__clang__)
#define KSL_COLD __attribute__((cold))
#define KSL_HOT __attribute__((hot))
#else
#define KSL_COLD
#define KSL_HOT
#endif

/* The engine of a lua_State lives in a userdata (the box) kept in the Lua
** registry under KSL_ENGINE; its __gc frees the core engine. Every module
** function is a closure with the box as upvalue 1 (KSL_BOX). Helpers never
** read upvalue 1 themselves: they take the box's stack index, which the
** module function passes on (KSL_BOX) and the walks keep in their walker. */
#define KSL_ENGINE "kserial.box"        /* registry key of the box */
#define KSL_ENGINE_MT "kserial.engine"  /* its metatable (and type name) */
#define KSL_MODULE "kserial.module"
#define KSL_BOX lua_upvalueindex(1)
/* Registry key of a private copy of the module's functions as
** luaopen_kserial made them: the C API calls these, so a script that
** replaces kserial.loads changes nothing for the host. */
#define KSL_API "kserial.api"
void ksl_push_api(lua_State *L, const char *name);   /* error when missing */

/* The box's user values. */
enum {
  KSL_UV_H = 1,     /* handle -> value (weak values) */
  KSL_UV_R,         /* value -> handle (weak keys) */
  KSL_UV_GLOBAL,    /* the global dict as Lua sees it: key -> value */
  KSL_UV_MODULES,   /* module name -> snapshot table (keeps members alive) */
  KSL_UV_SPECIAL,   /* special class_name -> handler table */
  KSL_UV_SERCTX,    /* the running top-level serialize call, or nil */
  KSL_UV_DESCTX,    /* the running top-level deserialize call, or nil */
  KSL_UV_ARRAY_MT,  /* the array, object and marker metatables (fetched
                    ** once, not looked up by name for every walk) */
  KSL_UV_OBJECT_MT,
  KSL_UV_MARKER_MT,
  KSL_UV_ENV_KEYS,  /* the envelope key strings, ks_envelope_key(k) at
                    ** KSL_UV_ENV_KEYS + k (envelope.c reads every dict's) */
  KSL_UV_COUNT = KSL_UV_ENV_KEYS + KS_ENV_NKEYS - 1
};

struct ksl_ser_call;   /* a running serialize call: serialize.c owns it */
struct ksl_call;       /* the state of a running call: call.h */

typedef struct ksl_box {
  ks_engine *e;          /* NULL once collected */
  ks_handle next;        /* next handle to hand out; never reused */
  int nspecial_encode;   /* special handlers that have an encode function */
  struct ksl_ser_call *ser;  /* the running top-level serialize call, or NULL */
  struct ksl_call *des;  /* the running top-level deserialize call's state (the
                         ** user value KSL_UV_DESCTX keeps it), or NULL */
  const void *arr_mt, *obj_mt;  /* the codec's array and object metatables
                         ** (user values KSL_UV_ARRAY_MT, KSL_UV_OBJECT_MT keep
                         ** them), by identity: what a table is (ksl_table_kind)
                         ** is judged without pushing them */
} ksl_box;

#define ksl_box_at(L, i) ((ksl_box *)lua_touserdata((L), (i)))
/* The engine of the box at stack index box (KSL_BOX in a module function),
** or an error once it is closed. The helpers below that need the engine
** take the box's index the same way: none reads upvalue 1 by itself. */
ks_engine *ksl_engine(lua_State *L, int box);

/* ---- handles (handles.c) -------------------------------------------------- */
/* The handle of the value at idx, interning it when `create`; 0 if none. */
ks_handle ksl_handle(lua_State *L, int box, int idx, int create);
/* Pushes the value of handle h (nil when unknown or collected). */
void ksl_push_handle(lua_State *L, int box, ks_handle h);
/* Builds a core map from the string keys of the table at idx (non-string
** keys are an error naming `what`). The map is owned by a userdata pushed on
** the stack (freed by its __gc unless ksl_map_release takes it back). */
ks_map *ksl_map_from_table(lua_State *L, int box, int idx, const char *what);
/* Raises unless the value at idx can be looked up by name (a class table, a
** function or a userdata): numbers, strings, booleans... never resolve.
** what and key name the place for the message. */
void ksl_check_object(lua_State *L, int idx, const char *what, const char *key,
                      size_t klen);
ks_map *ksl_map_release(lua_State *L, int idx);
void ksl_push_uv(lua_State *L, int box, int uv);  /* a user value of the box */
/* Pushes the state (call.h) of the running top-level call of the box at
** boxidx (deserialize's when both run) and returns 1, or returns 0 and
** pushes nothing when no call runs: for what must live as long as the call
** (scopes opened by hooks), without reading the walks' own state. */
int ksl_push_running_call(lua_State *L, int boxidx);

/* ---- errors (errors.c) ------------------------------------------------------ */
/* Raises "kserial: <msg>", after the caller's position when a Lua function
** called the running C function (inside a walk there is none: the entry
** point adds it, see ksl_raise). */
int ksl_error(lua_State *L, const char *fmt, ...);
/* Argument errors: the codec's ksj_argerror, ksj_typeerror, ksj_checkany,
** ksj_checktype, ksj_checklstring and ksj_typename (ks_json.h). */
/* A name from a document as a message shows it: s itself when it is short
** and has no control bytes, else an escaped, cut copy pushed on the stack
** (for error paths, which throw the stack away). */
#define KSL_SHOWN_MAX 120
const char *ksl_shown(lua_State *L, const char *s, size_t len);
/* The JSON type of a decoded value, for messages: null, array, dict,
** integer, float, string, boolean, or ksj_typename for anything else. */
const char *ksl_jsontype(lua_State *L, int idx);
/* Re-raises the error on top; a kserial message gets the position of the
** Lua code that called the running C function, unless it is the error of a
** running call of the engine at stack index box (ksl_running_call_error). */
KSL_COLD int ksl_raise(lua_State *L, int box);

/* ---- modules of the binding ---------------------------------------------------- */
void ksl_open_registry(lua_State *L);   /* fields of the module table on top */
void ksl_open_scopes(lua_State *L);
void ksl_open_serialize(lua_State *L);
void ksl_open_deserialize(lua_State *L);
void ksl_open_io(lua_State *L);
void ksl_open_scan(lua_State *L);
void ksl_open_config_error(lua_State *L);
/* Pushes the table of internal helpers given to the Lua parts (fields.c). */
void ksl_push_fields_internals(lua_State *L);
int ksl_is_json_marker_mt(lua_State *L, int idx);  /* metatable at idx */

#endif
