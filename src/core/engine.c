/*
** engine.c - engine lifetime.
*/
#include <string.h>
#include "ks_core.h"

ks_engine *ks_engine_new(ks_alloc_fn f, void *ud) {
  ks_allocator a;
  ks_engine *e;
  if (f == NULL) return NULL;
  a.f = f;
  a.ud = ud;
  e = (ks_engine *)ks_mem_alloc(&a, sizeof *e);
  if (e == NULL) return NULL;
  memset(e, 0, sizeof *e);
  e->a = a;
  ksm_init(&e->global, &a);
  ksh_init(&e->reverse);
  ksm_init(&e->modnames, &a);
  ksh_init(&e->modindex);
  e->next_token = 1;       /* 0 is "no scope" (ks_scope_top) */
  e->default_safe = 1;
  e->stamp = 1;            /* ks_lookup_stamp is never 0 with no scope open */
  return e;
}

void ks_engine_free(ks_engine *e) {
  ks_allocator a;
  if (e == NULL) return;
  a = e->a;
  ks_scopes_release(e);
  ks_modules_release(e);
  ks_registry_release(e);
  ks_mem_free(&a, e, sizeof *e);
}
