/*
** call.h - the state of a running top-level serialize or deserialize call
** that must outlive the C frames of one walk (nested calls made by hooks
** join it). It is a userdata, kept by the engine box (KSL_UV_SERCTX or
** KSL_UV_DESCTX) while the call runs; each kind of state has its own user
** value, so no table is keyed several ways.
*/
#ifndef KS_CALL_H
#define KS_CALL_H

#include "ks_walk.h"

typedef enum ksl_call_slot {
  KSL_CALL_ERROR = 1,     /* the last message raised in the call (path.c) */
  KSL_CALL_NOTES,         /* the notes of the running hooks, by object
                          ** depth (path.c; see ksl_call) */
  KSL_CALL_ANCHORS,       /* scope -> true: scopes opened by hooks (scopes.c) */
  KSL_CALL_IDS,           /* deserialize: shared id -> instance (or BUILDING) */
  KSL_CALL_CLASSES,       /* deserialize: shared id -> its class */
  KSL_CALL_NAMED,         /* deserialize: name -> the class it resolved to,
                          ** valid under ksl_call.stamp (deserialize.c) */
  KSL_CALL_SEEN,          /* serialize: object -> its first envelope */
  KSL_CALL_DUP,           /* serialize: objects met more than once */
  KSL_CALL_ORDER,         /* serialize: objects in order of first appearance */
  KSL_CALL_RAWIDS,        /* serialize: shared_object_id of a dict written
                          ** as it was -> the first path it was met at */
  KSL_CALL_NSLOTS = KSL_CALL_RAWIDS
} ksl_call_slot;

/* The C part of a call state. The path notes (path.c) of a hook running
** at object depth d (the nodes with obj set on its node's path,
** ksl_path_depth): the config it got, at d + 1 in the KSL_CALL_NOTES
** array (the table it gives a nested call is the `arg` of that call's root
** path node, by identity). Hooks that run at one time have distinct
** depths, and every hook of the deserialize walk notes its config when it
** starts, so the note at the depth of a running hook is its own: one
** array write.
** With the config, the runner notes which hook got it: key[d], the
** envelope key (ks_env_key) it was read from (a path through it names that
** key), and who[d], whose hook it is (KSL_WHO_*: 0 when nothing is noted),
** which with the key names the hook (ksl_des_hook_name) in messages about
** a nested call it makes. Bytes, not the hook's name: the C part stays
** small enough for the allocator's quick path (a top-level call makes one). */
#define KSL_NOTE_DEPTHS (KSL_MAX_OBJECT_NESTING + 2)
enum { KSL_WHO_NONE, KSL_WHO_CLASS, KSL_WHO_SPECIAL };
typedef struct ksl_call {
  const struct ksl_path *at;  /* deserialize: the node of the object whose
                          ** hook runs (the runner sets it), or NULL */
  uint64_t stamp;         /* the core's lookup stamp KSL_CALL_NAMED holds
                          ** answers for (0: none yet) */
  unsigned char key[KSL_NOTE_DEPTHS];
  unsigned char who[KSL_NOTE_DEPTHS];
} ksl_call;

/* Pushes a new call state, every table slot empty, no error, no notes;
** returns its C part. A table slot is made when it is first fetched, so a
** call that never needs one (most small calls) makes none. */
ksl_call *ksl_call_new(lua_State *L);
/* Pushes the slot of the call state at index call: a table, or for
** KSL_CALL_ERROR the last message or nil. */
int ksl_call_get(lua_State *L, int call, ksl_call_slot slot);
/* Empties a table slot (the next ksl_call_get makes a new table). */
void ksl_call_clear(lua_State *L, int call, ksl_call_slot slot);

#endif
