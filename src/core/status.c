/*
** status.c - texts for ks_status values.
*/
#include "ks_core.h"

const char *ks_strerror(ks_status st) {
  switch (st) {
    case KS_OK: return "no error";
    case KS_ENOMEM: return "not enough memory";
    case KS_EBADNAME: return "invalid name (empty, or holding a NUL byte; a package or name part may not hold '>' either)";
    case KS_ENOTFOUND: return "not found";
    case KS_ESCOPEORDER: return "scope closed out of order";
    case KS_ECLOSED: return "scope already closed";
    case KS_EINVAL: return "invalid argument";
  }
  return "unknown kserial status";
}
