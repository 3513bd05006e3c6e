/*
** ks_envelope.h - reading a Lua dict into the core's ks_envelope, and the
** messages of the core's verdicts. deserialize and scan both use these, so
** the rules (src/core/envelope.c) and their wording exist once.
*/
#ifndef KS_ENVELOPE_H
#define KS_ENVELOPE_H

#include "ks_lua.h"

/* Reads the dict at idx (a table judged a dict) into *env and has the core
** check it into *v; returns v->kind (KS_ENV_NOT for a plain dict). The
** strings in env are borrowed from the table, which must stay alive.
** box: the index of the engine box (KSL_BOX from an API function); the
** registered specials, the key strings and the codec's marker metatables
** are its user values. keep: when the dict is an envelope (the result is
** not KS_ENV_NOT), the values read stay pushed, KS_ENV_NKEYS of them (nil
** where absent), the one of key k at the old top + 1 + ksl_envelope_slot(k):
** what the core judged, and what anchors env's strings; else nothing stays. */
ks_env_kind ksl_envelope_read(lua_State *L, int box, int idx, ks_envelope *env,
                              ks_env_verdict *v, int keep);
/* Where the value of key k is among the values ksl_envelope_read keeps:
** class_name, config, module, then the others in key order. */
#define ksl_envelope_slot(k) \
  ((k) == KS_ENV_MODULE ? 2 : (k) <= KS_ENV_CONFIG ? (int)(k) - 1 : (int)(k))

/* The value on top, of Lua type `type`, was read from a dict: nil and
** kserial.null both count as absent (it is popped, returns 0); else 1. */
int ksl_present(lua_State *L, int type);
/* Pushes t[key] (raw) when present by that rule and returns 1; else 0,
** nothing pushed. */
int ksl_field(lua_State *L, int t, const char *key);

/* The type of the value at idx, as ksl_envelope_read reads envelope keys
** (box: the stack index of the engine box). */
ks_vtype ksl_vtype_at(lua_State *L, int box, int idx);

/* The JSON type name of a value read by ksl_envelope_read, for messages. */
const char *ksl_vtype_name(ks_vtype t);

/* Pushes the message of a failed verdict (without "kserial: " and path).
** modobjs_printable: the printable_module_name when the call was given
** module_objects (Keras 2's "Unknown <name>" wording), else NULL. Returns 1
** when the fault lies in the envelope's "config" (the path goes there). */
KSL_COLD int ksl_envelope_message(lua_State *L, int idx, const ks_envelope *env,
                         const ks_env_verdict *v, const char *modobjs_printable);

/* Whether the value at val, what v resolved to, is what the envelope wants:
** a class (a table), or a function (or an object with __call); a function
** where a class was expected is refused (Keras returned it, which is how
** CVE-2025-1550 ran code). When it is not, pushes the message and returns 0. */
int ksl_envelope_value_ok(lua_State *L, int val, const ks_env_verdict *v);

/* The rules of a __bytes__ envelope's config (the dict at cfg), for
** deserialize and scan alike: NULL when loads takes it, with the value
** pushed (the decoded bytes, or the text itself when there is no
** "encoding": Keras's form); else the message, with nothing pushed. */
const char *ksl_bytes_value(lua_State *L, int cfg);

/* Pushes the refusal of an envelope whose shared id belongs to an object of
** another class (`first`: that class as shown; `shown`: this envelope's),
** for deserialize and scan alike. */
void ksl_shared_conflict_message(lua_State *L, lua_Integer id, const char *first,
                                 const char *shown);

#endif
