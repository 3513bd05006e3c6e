/*
** ks_core.h - internals shared by the files of the C core.
**
** Nothing here is visible to a binding: include/kserial.h is the contract.
** The core holds no static mutable state; everything lives in an engine or
** in a map, and every byte goes through the allocator given to
** ks_engine_new.
*/
#ifndef KS_CORE_H
#define KS_CORE_H

#include <stddef.h>
#include <stdint.h>
#include "kserial.h"

/* The functions every object of a deserialize runs: grouped by the
** compiler (GCC and Clang put them in .text.hot) to keep the walk's code
** dense in the instruction cache (docs/performance.md). */
#if defined(__GNUC__) || defined(__clang__)
#define KSL_HOT __attribute__((hot))
#else
#define KSL_HOT
#endif

/* ---- memory (mem.c) ------------------------------------------------------ */

/* An allocator with its user data. Maps keep their own copy, so a map made
** by ks_map_new stays valid (and is freed correctly) even after its engine
** has been freed or when it is taken over by another engine. */
typedef struct ks_allocator {
  ks_alloc_fn f;
  void *ud;
} ks_allocator;

/* NULL on failure. Sizes are exact: pass the same size back when freeing or
** resizing (the lua_Alloc contract wants the true osize). */
void *ks_mem_alloc(const ks_allocator *a, size_t n);
void *ks_mem_resize(const ks_allocator *a, void *p, size_t osize,
                    size_t nsize);
void ks_mem_free(const ks_allocator *a, void *p, size_t n);
/* Grows the array p of *cap elements of size elem so it holds at least
** `need` elements (doubling, from 8). Returns the array (maybe moved), or
** NULL on failure, when p and *cap are unchanged. Requires need > 0. */
void *ks_array_reserve(const ks_allocator *a, void *p, size_t *cap,
                       size_t need, size_t elem);

/* ---- hashing (hash.c) ---------------------------------------------------- */

uint64_t ks_hash_bytes(const char *s, size_t len);
uint64_t ks_hash_handle(ks_handle h);

/* Open addressing with linear probing and backward-shift deletion (no
** tombstones). When the slot `hole` is emptied, the entry at slot j (whose
** home slot is `home`) may move into it iff the hole lies on its probe path,
** i.e. is not farther from j than its home is. mask = capacity - 1. */
static inline int ks_probe_can_fill(size_t hole, size_t home, size_t j,
                                    size_t mask) {
  return ((j - home) & mask) >= ((j - hole) & mask);
}

/* Byte-wise order of two length-counted keys (a shorter prefix first). */
int ks_key_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* ---- string-keyed maps (map.c) ------------------------------------------- */

typedef struct ks_entry {
  char *key;        /* map-owned copy of len bytes plus a trailing NUL */
  size_t len;
  uint64_t hash;
  ks_handle h;      /* never KS_NOHANDLE */
} ks_entry;

/* A dense array of entries plus an open-addressing index of entry numbers.
** The key bytes of an entry never move while the entry exists (only the
** ks_entry records move), so other tables may borrow them. */
struct ks_map {
  ks_allocator a;
  ks_entry *ent;    /* ent[0..n) in use, room for ecap */
  size_t n, ecap;
  size_t *idx;      /* icap slots: 0 = empty, else entry number + 1 */
  size_t icap;      /* 0 or 2 * ecap, a power of two: load <= 1/2 */
};

void ksm_init(ks_map *m, const ks_allocator *a);
void ksm_release(ks_map *m);   /* frees every key and array; m is empty */
const ks_entry *ksm_find(const ks_map *m, const char *key, size_t len);

/* ---- handle-keyed tables (htab.c) ---------------------------------------- */

/* One slot: handle -> (borrowed key bytes, module number). h == 0 = empty. */
typedef struct ks_hent {
  ks_handle h;
  const char *key;
  size_t len;
  size_t mod;       /* the module index (module table only) */
} ks_hent;

typedef struct ks_htab {
  ks_hent *slot;
  size_t cap, n;    /* cap is 0 or a power of two; n * 2 <= cap */
} ks_htab;

void ksh_init(ks_htab *t);
void ksh_release(ks_htab *t, const ks_allocator *a);
/* Makes room for `extra` more handles so ksh_put cannot fail. */
ks_status ksh_reserve(ks_htab *t, const ks_allocator *a, size_t extra);
ks_hent *ksh_find(const ks_htab *t, ks_handle h);
void ksh_put(ks_htab *t, const ks_hent *ent);   /* inserts or overwrites */
void ksh_del(ks_htab *t, ks_handle h);

/* ---- the engine (engine.c) ----------------------------------------------- */

typedef enum ks_frame_kind { KS_FRAME_OBJECTS, KS_FRAME_SAFE } ks_frame_kind;

typedef struct ks_frame {
  ks_token token;
  ks_frame_kind kind;
  int safe;          /* KS_FRAME_SAFE: 0 or 1 */
  ks_map *objects;   /* KS_FRAME_OBJECTS: owned */
} ks_frame;

typedef struct ks_module {
  const char *name;  /* borrowed from the key in ks_engine.modnames */
  size_t nlen;
  ks_map *members;   /* owned snapshot */
} ks_module;

struct ks_engine {
  ks_allocator a;
  /* registry.c: the global dict and its reverse. Invariant: reverse holds
  ** h -> k only when global[k] == h; its key bytes are borrowed from the
  ** global map's entry for k. */
  ks_map global;
  ks_htab reverse;
  uint64_t stamp;    /* ks_lookup_stamp: changes with the global dict */
  /* modules.c: modules in registration order, a name index (value =
  ** position + 1) and handle -> (module, key) for ks_module_find. */
  ks_module *mods;
  size_t nmods, modcap;
  ks_map modnames;
  ks_htab modindex;
  /* scopes.c: the stack, bottom first; tokens strictly increase upwards. */
  ks_frame *frames;
  size_t depth, fcap;
  ks_token next_token;
  int default_safe;
};

/* 1 when a custom-object scope is open (scopes.c; ks_lookup_stamp). */
int ks_scope_has_objects(const ks_engine *e);

/* Teardown hooks for ks_engine_free. */
void ks_registry_release(ks_engine *e);
void ks_modules_release(ks_engine *e);
void ks_scopes_release(ks_engine *e);

#endif
