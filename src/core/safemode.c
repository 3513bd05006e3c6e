/*
** safemode.c - the safe-mode policy. Any nonzero flag means "safe", so an
** unexpected value always errs on the safe side.
*/
#include "ks_core.h"

void ks_set_default_safe_mode(ks_engine *e, int safe) {
  if (e != NULL) e->default_safe = safe != 0;
}

int ks_default_safe_mode(const ks_engine *e) {
  return e ? e->default_safe : 1;
}

/* explicit_arg: < 0 "not given", 0 "unsafe", > 0 "safe". */
KSL_HOT int ks_effective_safe_mode(const ks_engine *e, int explicit_arg) {
  int scoped;
  if (explicit_arg > 0) return 1;          /* 1. safer is always ok */
  scoped = ks_scoped_safe_mode(e);
  if (scoped >= 0) return scoped;          /* 2. beats an explicit 0 */
  if (explicit_arg == 0) return 0;         /* 3. */
  return ks_default_safe_mode(e);          /* 4. */
}
