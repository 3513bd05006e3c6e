/*
** modules.c - registered module tables (the allow-list for a config's
** "module") and the reverse index handle -> (module, key).
**
** Modules keep their registration order; replacing a module keeps its
** original position. The index answers ks_module_find in O(1): for each
** handle it holds the first module (in that order) that contains it, and
** within that module the smallest key (byte order, a shorter prefix first),
** so the answer never depends on hash order.
*/
#include <string.h>
#include "ks_core.h"

void ks_modules_release(ks_engine *e) {
  size_t i;
  for (i = 0; i < e->nmods; i++) ks_map_free(e->mods[i].members);
  ks_mem_free(&e->a, e->mods, e->modcap * sizeof *e->mods);
  e->mods = NULL;
  e->nmods = e->modcap = 0;
  ksm_release(&e->modnames);
  ksh_release(&e->modindex, &e->a);
}

/* Adds the members of module number mi to the index t, which has room for
** all of them. Modules must be added in order: an earlier module's entry is
** never replaced. */
static void index_module(ks_htab *t, size_t mi, const ks_map *members) {
  size_t i;
  for (i = 0; i < members->n; i++) {
    const ks_entry *en = &members->ent[i];
    ks_hent *s = ksh_find(t, en->h);
    if (s == NULL) {
      ks_hent x;
      x.h = en->h;
      x.key = en->key;
      x.len = en->len;
      x.mod = mi;
      ksh_put(t, &x);
    } else if (s->mod == mi &&
               ks_key_cmp(en->key, en->len, s->key, s->len) < 0) {
      s->key = en->key;
      s->len = en->len;
    }
  }
}

/* Builds into *out the index the modules would have with module `repl`
** holding `members`. */
static ks_status index_rebuild(const ks_engine *e, size_t repl,
                               const ks_map *members, ks_htab *out) {
  size_t i, total = 0;
  ksh_init(out);
  for (i = 0; i < e->nmods; i++)
    total += (i == repl ? members : e->mods[i].members)->n;
  if (ksh_reserve(out, &e->a, total) != KS_OK) return KS_ENOMEM;
  for (i = 0; i < e->nmods; i++)
    index_module(out, i, i == repl ? members : e->mods[i].members);
  return KS_OK;
}

/* Replaces module number mi: the whole index is rebuilt, since handles of
** the old members may now belong to a later module. */
static ks_status replace_module(ks_engine *e, size_t mi, ks_map *members) {
  ks_htab idx;
  if (members == e->mods[mi].members) return KS_OK;   /* the same snapshot */
  if (index_rebuild(e, mi, members, &idx) != KS_OK) return KS_ENOMEM;
  ks_map_free(e->mods[mi].members);
  e->mods[mi].members = members;
  ksh_release(&e->modindex, &e->a);
  e->modindex = idx;
  return KS_OK;
}

/* Appends a module. Every allocation comes first; the name map insertion is
** the last step that may fail, and a failure leaves only spare capacity. */
static ks_status append_module(ks_engine *e, const char *module, size_t mlen,
                               ks_map *members) {
  ks_module *m = (ks_module *)ks_array_reserve(&e->a, e->mods, &e->modcap,
                                               e->nmods + 1, sizeof *m);
  const ks_entry *en;
  if (m == NULL) return KS_ENOMEM;
  e->mods = m;   /* spare capacity only: nmods is unchanged */
  if (ksh_reserve(&e->modindex, &e->a, members->n) != KS_OK ||
      ks_map_set(&e->modnames, module, mlen,
                 (ks_handle)(e->nmods + 1)) != KS_OK)
    return KS_ENOMEM;
  en = ksm_find(&e->modnames, module, mlen);
  m = &e->mods[e->nmods];
  m->name = en->key;   /* stable: module names are never removed */
  m->nlen = mlen;
  m->members = members;
  index_module(&e->modindex, e->nmods++, members);
  return KS_OK;
}

ks_status ks_module_register(ks_engine *e, const char *module, size_t mlen,
                             ks_map *members) {
  ks_status st;
  ks_handle pos;
  if (e == NULL || members == NULL)
    st = KS_EINVAL;
  else if ((st = ks_check_key(module, mlen)) == KS_OK &&
           (st = ks_check_keys(members)) == KS_OK) {
    pos = ks_map_get(&e->modnames, module, mlen);
    st = pos != KS_NOHANDLE ? replace_module(e, (size_t)(pos - 1), members)
                            : append_module(e, module, mlen, members);
  }
  if (st != KS_OK) ks_map_free(members);   /* taken over even on error */
  return st;
}

static const ks_module *find_module(const ks_engine *e, const char *module,
                                    size_t mlen) {
  ks_handle pos;
  if (e == NULL) return NULL;
  pos = ks_map_get(&e->modnames, module, mlen);
  return pos == KS_NOHANDLE ? NULL : &e->mods[pos - 1];
}

ks_handle ks_module_lookup(const ks_engine *e, const char *module, size_t mlen,
                           const char *name, size_t nlen) {
  const ks_module *m = find_module(e, module, mlen);
  return m ? ks_map_get(m->members, name, nlen) : KS_NOHANDLE;
}

int ks_module_find(const ks_engine *e, ks_handle h, const char **module,
                   size_t *mlen, const char **key, size_t *klen) {
  const ks_hent *s;
  if (e == NULL || (s = ksh_find(&e->modindex, h)) == NULL) return 0;
  if (module) *module = e->mods[s->mod].name;
  if (mlen) *mlen = e->mods[s->mod].nlen;
  if (key) *key = s->key;
  if (klen) *klen = s->len;
  return 1;
}

int ks_module_exists(const ks_engine *e, const char *module, size_t mlen) {
  return find_module(e, module, mlen) != NULL;
}
