/*
** htab.c - ks_htab: handle -> (key, module) tables, used for the registry's
** reverse map and the module index. Open addressing, linear probing, load
** at most 1/2, backward-shift deletion; handle 0 marks an empty slot (it is
** never stored: it means "no value").
*/
#include <stdint.h>
#include <string.h>
#include "ks_core.h"

#define HTAB_MIN_CAP 8

void ksh_init(ks_htab *t) {
  t->slot = NULL;
  t->cap = t->n = 0;
}

void ksh_release(ks_htab *t, const ks_allocator *a) {
  ks_mem_free(a, t->slot, t->cap * sizeof *t->slot);
  ksh_init(t);
}

static size_t home(size_t cap, ks_handle h) {
  return (size_t)ks_hash_handle(h) & (cap - 1);
}

/* The slot of h, or the empty slot where it would go. Requires cap > 0. */
static size_t probe(const ks_hent *slot, size_t cap, ks_handle h) {
  size_t i = home(cap, h);
  while (slot[i].h != KS_NOHANDLE && slot[i].h != h) i = (i + 1) & (cap - 1);
  return i;
}

ks_status ksh_reserve(ks_htab *t, const ks_allocator *a, size_t extra) {
  size_t need, ncap = t->cap ? t->cap : HTAB_MIN_CAP, i;
  ks_hent *ns;
  if (extra > SIZE_MAX / 2 - t->n) return KS_ENOMEM;
  need = (t->n + extra) * 2;
  if (need <= t->cap) return KS_OK;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) return KS_ENOMEM;
    ncap *= 2;
  }
  if (ncap > SIZE_MAX / sizeof *ns) return KS_ENOMEM;
  ns = (ks_hent *)ks_mem_alloc(a, ncap * sizeof *ns);
  if (ns == NULL) return KS_ENOMEM;
  memset(ns, 0, ncap * sizeof *ns);
  for (i = 0; i < t->cap; i++)
    if (t->slot[i].h != KS_NOHANDLE)
      ns[probe(ns, ncap, t->slot[i].h)] = t->slot[i];
  ks_mem_free(a, t->slot, t->cap * sizeof *t->slot);
  t->slot = ns;
  t->cap = ncap;
  return KS_OK;
}

ks_hent *ksh_find(const ks_htab *t, ks_handle h) {
  size_t i;
  if (t->n == 0 || h == KS_NOHANDLE) return NULL;
  i = probe(t->slot, t->cap, h);
  return t->slot[i].h == h ? &t->slot[i] : NULL;
}

void ksh_put(ks_htab *t, const ks_hent *ent) {
  size_t i = probe(t->slot, t->cap, ent->h);
  if (t->slot[i].h == KS_NOHANDLE) t->n++;
  t->slot[i] = *ent;
}

void ksh_del(ks_htab *t, ks_handle h) {
  size_t mask, hole, j;
  ks_hent *s = ksh_find(t, h);
  if (s == NULL) return;
  mask = t->cap - 1;
  hole = j = (size_t)(s - t->slot);
  for (;;) {
    j = (j + 1) & mask;
    if (t->slot[j].h == KS_NOHANDLE) break;
    if (ks_probe_can_fill(hole, home(t->cap, t->slot[j].h), j, mask)) {
      t->slot[hole] = t->slot[j];
      hole = j;
    }
  }
  memset(&t->slot[hole], 0, sizeof t->slot[hole]);
  t->n--;
}
