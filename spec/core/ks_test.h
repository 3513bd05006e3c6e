/*
** ks_test.h - a tiny assertion kit and a checking allocator for the core's
** unit tests. Each test file is one program: CHECK(...) as often as needed,
** then `return ks_test_report("core_x");`.
*/
#ifndef KS_TEST_H
#define KS_TEST_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kserial.h"

static int ks_t_passed, ks_t_failed;

static inline int ks_t_check(int ok, const char *file, int line,
                             const char *expr) {
  if (ok) ks_t_passed++;
  else {
    ks_t_failed++;
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, expr);
  }
  return ok;
}

/* Evaluates to the truth of expr, so it can guard follow-up checks. */
#define CHECK(expr) ks_t_check(!!(expr), __FILE__, __LINE__, #expr)
/* Length-counted bytes equal to a string literal. */
#define CHECK_BYTES(p, len, lit)                                          \
  CHECK((p) != NULL && (len) == sizeof(lit) - 1 &&                        \
        memcmp((p), (lit), sizeof(lit) - 1) == 0)
/* A string literal as (pointer, length), embedded NULs included. */
#define S(lit) (lit), (sizeof(lit) - 1)

static inline int ks_test_report(const char *name) {
  printf("%s: %d passed, %d failed\n", name, ks_t_passed, ks_t_failed);
  return ks_t_failed != 0;
}

/* ---- a checking allocator ---------------------------------------------------
** Keeps each block's size in a header, so it can tell whether the core passes
** the right osize; counts live bytes; can fail the fail_at-th request
** (counting every call with nsize > 0, from 1). */
typedef struct ks_t_alloc {
  size_t live;       /* bytes currently allocated */
  size_t requests;   /* allocation or resize requests seen */
  size_t fail_at;    /* 0: never fail */
  size_t failed;     /* requests refused on purpose */
  size_t bad_osize;  /* frees/resizes whose osize was wrong */
} ks_t_alloc;

typedef union ks_t_header {
  size_t size;
  max_align_t align;
} ks_t_header;

static inline void *ks_t_allocf(void *ud, void *ptr, size_t osize,
                                size_t nsize) {
  ks_t_alloc *A = (ks_t_alloc *)ud;
  ks_t_header *hd = ptr ? (ks_t_header *)ptr - 1 : NULL, *nh;
  size_t old = hd ? hd->size : 0;
  if (hd && old != osize) A->bad_osize++;
  if (nsize == 0) {
    if (hd) {
      A->live -= old;
      free(hd);
    }
    return NULL;
  }
  A->requests++;
  if (A->fail_at != 0 && A->requests == A->fail_at) {
    A->failed++;
    return NULL;
  }
  nh = (ks_t_header *)realloc(hd, sizeof *nh + nsize);
  if (nh == NULL) return NULL;
  nh->size = nsize;
  A->live = A->live - old + nsize;
  return nh + 1;
}

static inline ks_engine *ks_t_engine(ks_t_alloc *A) {
  memset(A, 0, sizeof *A);
  return ks_engine_new(ks_t_allocf, A);
}

/* Frees the engine and checks that nothing leaked and sizes were right. */
#define CHECK_ENGINE_FREED(e, A)    \
  do {                              \
    ks_engine_free(e);              \
    CHECK((A)->live == 0);          \
    CHECK((A)->bad_osize == 0);     \
  } while (0)

/* A map of (key, handle) pairs given as a NULL-terminated list of string
** keys and an array of handles. Fails the test on error. */
static inline ks_map *ks_t_map(ks_engine *e, const char *const *keys,
                               const ks_handle *hs) {
  ks_map *m = ks_map_new(e);
  size_t i;
  if (!CHECK(m != NULL)) return NULL;
  for (i = 0; keys[i] != NULL; i++)
    CHECK(ks_map_set(m, keys[i], strlen(keys[i]), hs[i]) == KS_OK);
  return m;
}

#endif
