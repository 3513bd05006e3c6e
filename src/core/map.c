/*
** map.c - ks_map: length-counted byte keys to handles.
**
** Layout (the one CPython's dict uses): a dense array of entries, so
** iteration and scans touch only live entries, and a separate index of
** entry numbers, open-addressed with linear probing. The index has twice as
** many slots as the entry array, so its load stays at or below 1/2 and a
** probe always ends on an empty slot. Removal moves the last entry into the
** hole (O(1)) and backward-shifts the index (no tombstones), so a map that
** churns never degrades.
**
** Every allocation of an insertion happens before the map changes, so a
** failed ks_map_set leaves the map exactly as it was.
*/
#include <stdint.h>
#include <string.h>
#include "ks_core.h"

#define MAP_MIN_CAP 8

void ksm_init(ks_map *m, const ks_allocator *a) {
  memset(m, 0, sizeof *m);
  m->a = *a;
}

void ksm_release(ks_map *m) {
  size_t i;
  for (i = 0; i < m->n; i++)
    ks_mem_free(&m->a, m->ent[i].key, m->ent[i].len + 1);
  ks_mem_free(&m->a, m->ent, m->ecap * sizeof *m->ent);
  ks_mem_free(&m->a, m->idx, m->icap * sizeof *m->idx);
  m->ent = NULL;
  m->idx = NULL;
  m->n = m->ecap = m->icap = 0;
}

static int entry_is(const ks_entry *en, const char *key, size_t len,
                    uint64_t hash) {
  return en->hash == hash && en->len == len &&
         (len == 0 || memcmp(en->key, key, len) == 0);
}

/* The index slot holding key, or the empty slot where it would go.
** Requires icap > 0. */
static size_t probe(const ks_map *m, const char *key, size_t len,
                    uint64_t hash) {
  size_t mask = m->icap - 1, i = (size_t)hash & mask;
  while (m->idx[i] != 0 && !entry_is(&m->ent[m->idx[i] - 1], key, len, hash))
    i = (i + 1) & mask;
  return i;
}

/* The index slot whose value is `val` (an entry known to be present). */
static size_t slot_of_value(const ks_map *m, uint64_t hash, size_t val) {
  size_t mask = m->icap - 1, i = (size_t)hash & mask;
  while (m->idx[i] != val) i = (i + 1) & mask;
  return i;
}

static void index_insert(size_t *idx, size_t icap, uint64_t hash, size_t val) {
  size_t mask = icap - 1, i = (size_t)hash & mask;
  while (idx[i] != 0) i = (i + 1) & mask;
  idx[i] = val;
}

/* Doubles the entry array and rebuilds a twice-as-large index. Both blocks
** are obtained before anything is changed. */
static ks_status grow(ks_map *m) {
  size_t ncap = m->ecap ? m->ecap * 2 : MAP_MIN_CAP, icap, i;
  size_t *idx;
  ks_entry *ent;
  if (ncap > SIZE_MAX / 2 / sizeof *ent || ncap * 2 > SIZE_MAX / sizeof *idx)
    return KS_ENOMEM;
  icap = ncap * 2;
  idx = (size_t *)ks_mem_alloc(&m->a, icap * sizeof *idx);
  if (idx == NULL) return KS_ENOMEM;
  ent = (ks_entry *)ks_mem_resize(&m->a, m->ent, m->ecap * sizeof *ent,
                                  ncap * sizeof *ent);
  if (ent == NULL) {
    ks_mem_free(&m->a, idx, icap * sizeof *idx);
    return KS_ENOMEM;
  }
  memset(idx, 0, icap * sizeof *idx);
  for (i = 0; i < m->n; i++) index_insert(idx, icap, ent[i].hash, i + 1);
  ks_mem_free(&m->a, m->idx, m->icap * sizeof *m->idx);
  m->ent = ent;
  m->ecap = ncap;
  m->idx = idx;
  m->icap = icap;
  return KS_OK;
}

static ks_status insert(ks_map *m, const char *key, size_t len, uint64_t hash,
                        ks_handle h) {
  ks_entry *en;
  char *copy;
  if (len == SIZE_MAX) return KS_ENOMEM;
  if (m->n == m->ecap && grow(m) != KS_OK) return KS_ENOMEM;
  copy = (char *)ks_mem_alloc(&m->a, len + 1);
  if (copy == NULL) return KS_ENOMEM;   /* a grown map is still the same map */
  if (len) memcpy(copy, key, len);
  copy[len] = '\0';
  en = &m->ent[m->n];
  en->key = copy;
  en->len = len;
  en->hash = hash;
  en->h = h;
  index_insert(m->idx, m->icap, hash, ++m->n);
  return KS_OK;
}

/* Empties index slot i (backward shift), frees its entry and fills the hole
** in the entry array with the last entry. */
static void remove_at(ks_map *m, size_t i) {
  size_t mask = m->icap - 1, pos = m->idx[i] - 1, hole = i, j = i;
  ks_mem_free(&m->a, m->ent[pos].key, m->ent[pos].len + 1);
  for (;;) {
    j = (j + 1) & mask;
    if (m->idx[j] == 0) break;
    if (ks_probe_can_fill(hole, (size_t)m->ent[m->idx[j] - 1].hash & mask, j,
                          mask)) {
      m->idx[hole] = m->idx[j];
      hole = j;
    }
  }
  m->idx[hole] = 0;
  if (pos != m->n - 1) {
    m->ent[pos] = m->ent[m->n - 1];
    m->idx[slot_of_value(m, m->ent[pos].hash, m->n)] = pos + 1;
  }
  m->n--;
}

const ks_entry *ksm_find(const ks_map *m, const char *key, size_t len) {
  size_t i;
  if (m == NULL || m->n == 0 || (key == NULL && len != 0)) return NULL;
  i = probe(m, key, len, ks_hash_bytes(key, len));
  return m->idx[i] ? &m->ent[m->idx[i] - 1] : NULL;
}

/* ---- public API ---------------------------------------------------------- */

ks_map *ks_map_new(ks_engine *e) {
  ks_map *m;
  if (e == NULL) return NULL;
  m = (ks_map *)ks_mem_alloc(&e->a, sizeof *m);
  if (m != NULL) ksm_init(m, &e->a);
  return m;
}

void ks_map_free(ks_map *m) {
  ks_allocator a;
  if (m == NULL) return;
  a = m->a;
  ksm_release(m);
  ks_mem_free(&a, m, sizeof *m);
}

ks_status ks_map_set(ks_map *m, const char *key, size_t len, ks_handle h) {
  uint64_t hash;
  if (m == NULL || (key == NULL && len != 0)) return KS_EINVAL;
  hash = ks_hash_bytes(key, len);
  if (m->n != 0) {
    size_t i = probe(m, key, len, hash);
    if (m->idx[i] != 0) {
      if (h == KS_NOHANDLE) remove_at(m, i);
      else m->ent[m->idx[i] - 1].h = h;
      return KS_OK;
    }
  }
  if (h == KS_NOHANDLE) return KS_OK;   /* removing an absent key */
  return insert(m, key, len, hash, h);
}

ks_handle ks_map_get(const ks_map *m, const char *key, size_t len) {
  const ks_entry *en = ksm_find(m, key, len);
  return en ? en->h : KS_NOHANDLE;
}

size_t ks_map_count(const ks_map *m) {
  return m ? m->n : 0;
}

int ks_map_next(const ks_map *m, size_t *iter, const char **key, size_t *len,
                ks_handle *h) {
  const ks_entry *en;
  if (m == NULL || iter == NULL || *iter >= m->n) return 0;
  en = &m->ent[(*iter)++];
  if (key) *key = en->key;
  if (len) *len = en->len;
  if (h) *h = en->h;
  return 1;
}
