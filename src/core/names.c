/*
** names.c - the rules for names: a key that names an object (registry,
** scopes, modules, custom objects), and a package or a name part.
*/
#include <string.h>
#include "ks_core.h"

ks_status ks_check_key(const char *s, size_t len) {
  if (len == 0) return KS_EBADNAME;
  if (s == NULL) return KS_EINVAL;
  /* NUL would cut the name for C hosts (and in every message) */
  return memchr(s, '\0', len) != NULL ? KS_EBADNAME : KS_OK;
}

ks_status ks_check_name(const char *s, size_t len) {
  ks_status st = ks_check_key(s, len);
  if (st != KS_OK) return st;
  /* '>' separates package from name */
  return memchr(s, '>', len) != NULL ? KS_EBADNAME : KS_OK;
}

ks_status ks_check_keys(const ks_map *m) {
  size_t it = 0, len;
  const char *key;
  ks_handle h;
  if (m == NULL) return KS_EINVAL;
  while (ks_map_next(m, &it, &key, &len, &h))
    if (ks_check_key(key, len) != KS_OK) return KS_EBADNAME;
  return KS_OK;
}
