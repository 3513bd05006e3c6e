/*
** scopes.c - one LIFO stack of custom-object frames and safe-mode frames.
**
** Tokens come from a per-engine counter starting at 1 and are never reused.
** Frames are only ever pushed on top, so the stack is sorted by token and a
** frame is found by binary search. Closing never allocates.
*/
#include <string.h>
#include "ks_core.h"

static void frame_free(ks_frame *f) {
  if (f->kind == KS_FRAME_OBJECTS) ks_map_free(f->objects);
}

void ks_scopes_release(ks_engine *e) {
  size_t i;
  for (i = 0; i < e->depth; i++) frame_free(&e->frames[i]);
  ks_mem_free(&e->a, e->frames, e->fcap * sizeof *e->frames);
  e->frames = NULL;
  e->depth = e->fcap = 0;
}

/* Position of token in the stack, or e->depth when it is not open. */
KSL_HOT static size_t frame_pos(const ks_engine *e, ks_token token) {
  size_t lo = 0, hi = e->depth;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (e->frames[mid].token < token) lo = mid + 1;
    else hi = mid;
  }
  return (lo < e->depth && e->frames[lo].token == token) ? lo : e->depth;
}

/* Pushes f, giving it the next token. The token is consumed only on
** success, so a failed push changes nothing at all. */
KSL_HOT static ks_status push(ks_engine *e, ks_frame *f, ks_token *token) {
  ks_frame *fr = (ks_frame *)ks_array_reserve(&e->a, e->frames, &e->fcap,
                                              e->depth + 1, sizeof *fr);
  if (fr == NULL) return KS_ENOMEM;
  e->frames = fr;
  f->token = e->next_token++;   /* 2^64 pushes never happen */
  fr[e->depth++] = *f;
  if (token) *token = f->token;
  return KS_OK;
}

ks_status ks_scope_push_objects(ks_engine *e, ks_map *frame, ks_token *token) {
  ks_frame f;
  ks_status st;
  if (e == NULL || frame == NULL) {
    ks_map_free(frame);
    return KS_EINVAL;
  }
  if ((st = ks_check_keys(frame)) != KS_OK) {
    ks_map_free(frame);
    return st;
  }
  f.kind = KS_FRAME_OBJECTS;
  f.safe = 0;
  f.objects = frame;
  st = push(e, &f, token);
  if (st != KS_OK) ks_map_free(frame);   /* taken over even on error */
  return st;
}

KSL_HOT ks_status ks_scope_push_safe_mode(ks_engine *e, int safe, ks_token *token) {
  ks_frame f;
  if (e == NULL) return KS_EINVAL;
  f.kind = KS_FRAME_SAFE;
  f.safe = safe != 0;
  f.objects = NULL;
  return push(e, &f, token);
}

KSL_HOT ks_status ks_scope_pop(ks_engine *e, ks_token token) {
  if (e == NULL) return KS_EINVAL;
  if (e->depth > 0 && e->frames[e->depth - 1].token == token) {
    frame_free(&e->frames[--e->depth]);
    return KS_OK;
  }
  return frame_pos(e, token) < e->depth ? KS_ESCOPEORDER : KS_ECLOSED;
}

size_t ks_scope_unwind(ks_engine *e, ks_token token) {
  size_t pos, n;
  if (e == NULL || (pos = frame_pos(e, token)) == e->depth) return 0;
  n = e->depth - pos;
  while (e->depth > pos) frame_free(&e->frames[--e->depth]);
  return n;
}

ks_status ks_scope_remove(ks_engine *e, ks_token token) {
  size_t pos;
  if (e == NULL) return KS_EINVAL;
  if ((pos = frame_pos(e, token)) == e->depth) return KS_ECLOSED;
  frame_free(&e->frames[pos]);
  memmove(&e->frames[pos], &e->frames[pos + 1],
          (e->depth - pos - 1) * sizeof *e->frames);
  e->depth--;
  return KS_OK;
}

KSL_HOT int ks_scope_is_open(const ks_engine *e, ks_token token) {
  return e != NULL && frame_pos(e, token) < e->depth;
}

KSL_HOT size_t ks_scope_depth(const ks_engine *e) {
  return e ? e->depth : 0;
}

KSL_HOT ks_token ks_scope_top(const ks_engine *e) {
  return (e && e->depth) ? e->frames[e->depth - 1].token : 0;
}

/* Walking object frames from the innermost outwards and taking the first
** hit is the same as merging them with later frames winning. */
KSL_HOT ks_handle ks_scope_lookup(const ks_engine *e, const char *key, size_t len) {
  size_t i;
  if (e == NULL) return KS_NOHANDLE;
  for (i = e->depth; i-- > 0;) {
    const ks_frame *f = &e->frames[i];
    ks_handle h;
    if (f->kind != KS_FRAME_OBJECTS) continue;
    if ((h = ks_map_get(f->objects, key, len)) != KS_NOHANDLE) return h;
  }
  return KS_NOHANDLE;
}

KSL_HOT int ks_scope_has_objects(const ks_engine *e) {
  size_t i;
  for (i = e->depth; i-- > 0;)
    if (e->frames[i].kind == KS_FRAME_OBJECTS) return 1;
  return 0;
}

KSL_HOT int ks_scoped_safe_mode(const ks_engine *e) {
  size_t i;
  if (e == NULL) return -1;
  for (i = e->depth; i-- > 0;)
    if (e->frames[i].kind == KS_FRAME_SAFE) return e->frames[i].safe;
  return -1;
}
