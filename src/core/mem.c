/*
** mem.c - every allocation of the core goes through here, to the engine's
** lua_Alloc-style function with exact sizes.
*/
#include <stdint.h>
#include "ks_core.h"

void *ks_mem_alloc(const ks_allocator *a, size_t n) {
  if (n == 0) return NULL;
  return a->f(a->ud, NULL, 0, n);
}

void *ks_mem_resize(const ks_allocator *a, void *p, size_t osize,
                    size_t nsize) {
  if (p == NULL) osize = 0;   /* lua_Alloc: osize of NULL is not a size */
  return a->f(a->ud, p, osize, nsize);
}

void ks_mem_free(const ks_allocator *a, void *p, size_t n) {
  if (p != NULL) a->f(a->ud, p, n, 0);
}

KSL_HOT void *ks_array_reserve(const ks_allocator *a, void *p, size_t *cap,
                       size_t need, size_t elem) {
  size_t ncap = *cap ? *cap : 8;
  void *np;
  if (need <= *cap) return p;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) return NULL;
    ncap *= 2;
  }
  if (ncap > SIZE_MAX / elem) return NULL;
  np = ks_mem_resize(a, p, *cap * elem, ncap * elem);
  if (np != NULL) *cap = ncap;   /* on failure the old block is untouched */
  return np;
}
