/*
** hash.c - hash functions and key order shared by the tables.
*/
#include <string.h>
#include "ks_core.h"

/* MurmurHash3's 64-bit finalizer: spreads every input bit over the low bits
** that the power-of-two tables use as the home slot. */
static uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= UINT64_C(0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= UINT64_C(0xc4ceb9fe1a85ec53);
  x ^= x >> 33;
  return x;
}

/* FNV-1a over the bytes (any bytes, NUL included), then mixed. */
uint64_t ks_hash_bytes(const char *s, size_t len) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  size_t i;
  for (i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= UINT64_C(0x100000001b3);
  }
  return mix64(h ^ (uint64_t)len);
}

uint64_t ks_hash_handle(ks_handle h) {
  return mix64((uint64_t)h);
}

int ks_key_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  size_t n = alen < blen ? alen : blen;
  int c = n ? memcmp(a, b, n) : 0;
  if (c != 0) return c;
  return (alen > blen) - (alen < blen);
}
