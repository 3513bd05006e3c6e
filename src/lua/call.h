/*
** call.h - the state of a running top-level serialize or deserialize call
** that must outlive the C frames of one walk (nested calls made by hooks
** join it). It is a userdata, kept by the engine box (KSL_UV_SERCTX or
** KSL_UV_DESCTX) while the call runs; each kind of state has its own user
** value, so no table is keyed several ways.
*/
#ifndef KS_CALL_H
#define KS_CALL_H

#include "ks_lua.h"

typedef enum ksl_call_slot {
  KSL_CALL_ERROR = 1,     /* the last message raised in the call (path.c) */
  KSL_CALL_NOTE_CONFIG,   /* envelope node -> the config its hook got */
  KSL_CALL_NOTE_ARG,      /* envelope node -> the value its hook passed
                          ** to a nested call (both: path.c) */
  KSL_CALL_ANCHORS,       /* scope -> true: scopes opened by hooks (scopes.c) */
  KSL_CALL_IDS,           /* deserialize: shared id -> instance (or BUILDING) */
  KSL_CALL_CLASSES,       /* deserialize: shared id -> its class */
  KSL_CALL_SEEN,          /* serialize: object -> its first envelope */
  KSL_CALL_DUP,           /* serialize: objects met more than once */
  KSL_CALL_ORDER,         /* serialize: objects in order of first appearance */
  KSL_CALL_SIZES,         /* serialize: object -> values its envelope holds */
  KSL_CALL_RAWIDS,        /* serialize: shared_object_id of a dict written
                          ** as it was -> the first path it was met at */
  KSL_CALL_NSLOTS = KSL_CALL_RAWIDS
} ksl_call_slot;

/* Pushes a new call state, every table slot empty and no error. */
void ksl_call_new(lua_State *L);
/* Pushes the slot of the call state at index call. */
int ksl_call_get(lua_State *L, int call, ksl_call_slot slot);

#endif
