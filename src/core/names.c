/*
** names.c - the rule for a package or a name part.
*/
#include <string.h>
#include "ks_core.h"

ks_status ks_check_name(const char *s, size_t len) {
  if (len == 0) return KS_EBADNAME;
  if (s == NULL) return KS_EINVAL;
  /* '>' separates package from name; NUL would cut the key for C hosts. */
  if (memchr(s, '>', len) != NULL || memchr(s, '\0', len) != NULL)
    return KS_EBADNAME;
  return KS_OK;
}
