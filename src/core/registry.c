/*
** registry.c - the global dict ("package>name" -> handle, Keras's
** _GLOBAL_CUSTOM_OBJECTS) and its reverse (handle -> key,
** _GLOBAL_CUSTOM_NAMES).
**
** Invariant: the reverse table holds h -> k only while global[k] == h. Its
** key bytes are borrowed from the global map's entry for k, which is why a
** reverse entry is always dropped *before* the key it names changes value
** or is removed.
*/
#include <string.h>
#include "ks_core.h"

void ks_registry_release(ks_engine *e) {
  ksh_release(&e->reverse, &e->a);
  ksm_release(&e->global);
  e->stamp++;
}

/* Drops the reverse entry of h if it names key (the key is about to stop
** mapping to h). */
static void drop_reverse(ks_engine *e, ks_handle h, const char *key,
                         size_t len) {
  const ks_hent *r = ksh_find(&e->reverse, h);
  if (r != NULL && r->len == len && memcmp(r->key, key, len) == 0)
    ksh_del(&e->reverse, h);
}

/* Sets global[key] = h (h may be KS_NOHANDLE: removal), keeping the
** invariant. Only a new key allocates, and then no reverse entry is touched,
** so a failure changes nothing. */
static ks_status global_set(ks_engine *e, const char *key, size_t len,
                            ks_handle h) {
  ks_handle old = ks_map_get(&e->global, key, len);
  if (old != KS_NOHANDLE && old != h) drop_reverse(e, old, key, len);
  e->stamp++;                    /* 2^64 changes never happen */
  return ks_map_set(&e->global, key, len, h);
}

/* Builds "pkg>name" in a block of plen + nlen + 1 bytes. */
static char *join_key(ks_engine *e, const char *pkg, size_t plen,
                      const char *name, size_t nlen) {
  char *key;
  if (plen > SIZE_MAX - 1 - nlen) return NULL;
  key = (char *)ks_mem_alloc(&e->a, plen + nlen + 1);
  if (key == NULL) return NULL;
  memcpy(key, pkg, plen);
  key[plen] = '>';
  memcpy(key + plen + 1, name, nlen);
  return key;
}

ks_status ks_register(ks_engine *e, const char *pkg, size_t plen,
                      const char *name, size_t nlen, ks_handle h) {
  ks_status st;
  char *key;
  size_t len;
  ks_hent r;
  if (e == NULL) return KS_EINVAL;
  if ((st = ks_check_name(pkg, plen)) != KS_OK) return st;
  if ((st = ks_check_name(name, nlen)) != KS_OK) return st;
  if (h == KS_NOHANDLE) return KS_EINVAL;
  /* Room for the reverse entry first: after global_set nothing may fail. */
  if (ksh_reserve(&e->reverse, &e->a, 1) != KS_OK) return KS_ENOMEM;
  key = join_key(e, pkg, plen, name, nlen);
  if (key == NULL) return KS_ENOMEM;
  len = plen + 1 + nlen;
  st = global_set(e, key, len, h);
  if (st == KS_OK) {
    const ks_entry *en = ksm_find(&e->global, key, len);
    r.h = h;
    r.key = en->key;   /* the stable copy owned by the global map */
    r.len = len;
    r.mod = 0;
    ksh_put(&e->reverse, &r);   /* the newest key wins */
  }
  ks_mem_free(&e->a, key, len);
  return st;
}

ks_status ks_custom_set(ks_engine *e, const char *key, size_t len,
                        ks_handle h) {
  ks_status st;
  if (e == NULL) return KS_EINVAL;
  if ((st = ks_check_key(key, len)) != KS_OK) return st;
  return global_set(e, key, len, h);
}

ks_handle ks_custom_get(const ks_engine *e, const char *key, size_t len) {
  return e ? ks_map_get(&e->global, key, len) : KS_NOHANDLE;
}

void ks_custom_clear(ks_engine *e) {
  if (e != NULL) ks_registry_release(e);
}

const ks_map *ks_custom_map(const ks_engine *e) {
  return e ? &e->global : NULL;
}

const char *ks_registered_name(const ks_engine *e, ks_handle h, size_t *len) {
  const ks_hent *r;
  if (e == NULL) return NULL;
  r = ksh_find(&e->reverse, h);
  if (r == NULL) return NULL;
  if (len) *len = r->len;
  return r->key;
}

/* Whether key is "<anything>>name". */
static int ends_with_name(const char *key, size_t klen, const char *name,
                          size_t nlen) {
  return klen > nlen && key[klen - nlen - 1] == '>' &&
         memcmp(key + klen - nlen, name, nlen) == 0;
}

ks_handle ks_lookup_suffix(const ks_engine *e, const char *name, size_t len) {
  size_t it = 0, klen;
  const char *key;
  ks_handle h, found = KS_NOHANDLE;
  if (e == NULL || name == NULL || len == 0) return KS_NOHANDLE;
  while (ks_map_next(&e->global, &it, &key, &klen, &h)) {
    if (!ends_with_name(key, klen, name, len)) continue;
    if (found != KS_NOHANDLE) return KS_NOHANDLE;   /* ambiguous */
    found = h;
  }
  return found;
}
