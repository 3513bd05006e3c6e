/* test_safemode.c - the default and ks_effective_safe_mode's four rules. */
#include "ks_test.h"

static void test_default(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  CHECK(ks_default_safe_mode(e) == 1);            /* starts on */
  CHECK(ks_effective_safe_mode(e, -1) == 1);
  ks_set_default_safe_mode(e, 0);
  CHECK(ks_default_safe_mode(e) == 0);
  CHECK(ks_effective_safe_mode(e, -1) == 0);      /* rule 4 */
  ks_set_default_safe_mode(e, 5);                 /* nonzero: safe */
  CHECK(ks_default_safe_mode(e) == 1);
  ks_set_default_safe_mode(NULL, 0);
  CHECK(ks_default_safe_mode(NULL) == 1);
  CHECK(ks_effective_safe_mode(NULL, -1) == 1);
  CHECK(ks_effective_safe_mode(NULL, 0) == 0);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_rules(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_token s0, s1, obj;
  int d;
  /* no scope open: rules 1, 3, 4, for both defaults */
  for (d = 0; d <= 1; d++) {
    ks_set_default_safe_mode(e, d);
    CHECK(ks_effective_safe_mode(e, 1) == 1);     /* 1. explicit 1 */
    CHECK(ks_effective_safe_mode(e, 0) == 0);     /* 3. explicit 0 */
    CHECK(ks_effective_safe_mode(e, -1) == d);    /* 4. the default */
  }
  /* 1. an explicit 1 is honoured inside a scope of 0 */
  ks_set_default_safe_mode(e, 1);
  CHECK(ks_scope_push_safe_mode(e, 0, &s0) == KS_OK);
  CHECK(ks_effective_safe_mode(e, 1) == 1);
  /* 2. the scope's 0 beats the default 1 */
  CHECK(ks_effective_safe_mode(e, -1) == 0);
  CHECK(ks_effective_safe_mode(e, 0) == 0);
  /* 2. a scope of 1 beats an explicit 0 and a default of 0 */
  ks_set_default_safe_mode(e, 0);
  CHECK(ks_scope_push_safe_mode(e, 1, &s1) == KS_OK);
  CHECK(ks_effective_safe_mode(e, 0) == 1);
  CHECK(ks_effective_safe_mode(e, -1) == 1);
  CHECK(ks_effective_safe_mode(e, 1) == 1);
  /* an object frame on top changes nothing */
  CHECK(ks_scope_push_objects(e, ks_map_new(e), &obj) == KS_OK);
  CHECK(ks_effective_safe_mode(e, 0) == 1);
  CHECK(ks_scope_pop(e, obj) == KS_OK);
  /* back to the scope of 0 */
  CHECK(ks_scope_pop(e, s1) == KS_OK);
  CHECK(ks_effective_safe_mode(e, -1) == 0);
  CHECK(ks_effective_safe_mode(e, 1) == 1);
  /* no scope: explicit 0 and the default again */
  CHECK(ks_scope_pop(e, s0) == KS_OK);
  ks_set_default_safe_mode(e, 1);
  CHECK(ks_effective_safe_mode(e, 0) == 0);
  CHECK(ks_effective_safe_mode(e, -1) == 1);
  /* an object frame alone is not a safe-mode scope */
  CHECK(ks_scope_push_objects(e, ks_map_new(e), &obj) == KS_OK);
  CHECK(ks_effective_safe_mode(e, 0) == 0);
  CHECK(ks_scope_pop(e, obj) == KS_OK);
  /* out-of-range explicit values: > 0 is safe, < 0 is "not given" */
  CHECK(ks_effective_safe_mode(e, 2) == 1);
  ks_set_default_safe_mode(e, 0);
  CHECK(ks_effective_safe_mode(e, -7) == 0);
  CHECK_ENGINE_FREED(e, &A);
}

/* Engines are independent: no state is shared between them. */
static void test_independent(void) {
  ks_t_alloc A1, A2;
  ks_engine *e1 = ks_t_engine(&A1), *e2 = ks_t_engine(&A2);
  ks_token t;
  ks_set_default_safe_mode(e1, 0);
  CHECK(ks_default_safe_mode(e2) == 1);
  CHECK(ks_scope_push_safe_mode(e2, 0, &t) == KS_OK);
  CHECK(ks_scoped_safe_mode(e1) == -1);
  CHECK(ks_scope_depth(e1) == 0);
  CHECK(ks_register(e1, S("P"), S("f"), 1) == KS_OK);
  CHECK(ks_custom_get(e2, S("P>f")) == KS_NOHANDLE);
  CHECK_ENGINE_FREED(e1, &A1);
  CHECK_ENGINE_FREED(e2, &A2);
}

int main(void) {
  test_default();
  test_rules();
  test_independent();
  return ks_test_report("core_safemode");
}
