/* test_lookup.c - ks_lookup's precedence: scope, registry, custom, module. */
#include "ks_test.h"

static void test_precedence(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_map *custom = ks_map_new(e), *modobj = ks_map_new(e), *frame;
  ks_source src = KS_FROM_MODULE;
  ks_token t1, t2;
  CHECK(ks_map_set(custom, S("X"), 3) == KS_OK);
  CHECK(ks_map_set(modobj, S("X"), 4) == KS_OK);
  CHECK(ks_register(e, S("P"), S("X"), 2) == KS_OK);
  CHECK(ks_custom_set(e, S("X"), 2) == KS_OK);
  frame = ks_map_new(e);
  CHECK(ks_map_set(frame, S("X"), 1) == KS_OK);
  CHECK(ks_scope_push_objects(e, frame, &t1) == KS_OK);
  /* all four hold X: the scope wins */
  CHECK(ks_lookup(e, S("X"), custom, modobj, &src) == 1 && src == KS_FROM_SCOPE);
  CHECK(ks_lookup(e, S("X"), custom, modobj, NULL) == 1);   /* src optional */
  /* a safe-mode frame on top does not hide the object frame */
  CHECK(ks_scope_push_safe_mode(e, 1, &t2) == KS_OK);
  CHECK(ks_lookup(e, S("X"), custom, modobj, &src) == 1 && src == KS_FROM_SCOPE);
  CHECK(ks_scope_pop(e, t2) == KS_OK);
  /* then the global dict */
  CHECK(ks_scope_pop(e, t1) == KS_OK);
  CHECK(ks_lookup(e, S("X"), custom, modobj, &src) == 2 && src == KS_FROM_REGISTRY);
  CHECK(ks_lookup(e, S("P>X"), custom, modobj, &src) == 2 && src == KS_FROM_REGISTRY);
  /* then custom_objects */
  CHECK(ks_custom_set(e, S("X"), KS_NOHANDLE) == KS_OK);
  CHECK(ks_lookup(e, S("X"), custom, modobj, &src) == 3 && src == KS_FROM_CUSTOM);
  /* then module_objects */
  CHECK(ks_lookup(e, S("X"), NULL, modobj, &src) == 4 && src == KS_FROM_MODULE);
  CHECK(ks_map_set(custom, S("X"), KS_NOHANDLE) == KS_OK);
  CHECK(ks_lookup(e, S("X"), custom, modobj, &src) == 4 && src == KS_FROM_MODULE);
  /* nothing */
  src = KS_FROM_SCOPE;
  CHECK(ks_lookup(e, S("X"), custom, NULL, &src) == KS_NOHANDLE &&
        src == KS_FROM_NONE);
  src = KS_FROM_SCOPE;
  CHECK(ks_lookup(e, S("X"), NULL, NULL, &src) == KS_NOHANDLE &&
        src == KS_FROM_NONE);
  src = KS_FROM_SCOPE;
  CHECK(ks_lookup(NULL, S("X"), NULL, modobj, &src) == 4 && src == KS_FROM_MODULE);
  /* registered module tables are not part of this lookup */
  {
    static const char *const k[] = {"Y", NULL};
    static const ks_handle h[] = {7};
    CHECK(ks_module_register(e, S("mod"), ks_t_map(e, k, h)) == KS_OK);
    CHECK(ks_lookup(e, S("Y"), NULL, NULL, &src) == KS_NOHANDLE &&
          src == KS_FROM_NONE);
  }
  ks_map_free(custom);
  ks_map_free(modobj);
  CHECK_ENGINE_FREED(e, &A);
}

/* Each source is consulted only when the earlier ones miss, per key. */
static void test_per_key(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_map *custom = ks_map_new(e), *modobj = ks_map_new(e), *f1, *f2;
  ks_source src;
  ks_token t1, t2;
  f1 = ks_map_new(e);
  f2 = ks_map_new(e);
  CHECK(ks_map_set(f1, S("a"), 10) == KS_OK);
  CHECK(ks_map_set(f1, S("b"), 11) == KS_OK);
  CHECK(ks_map_set(f2, S("b"), 12) == KS_OK);
  CHECK(ks_scope_push_objects(e, f1, &t1) == KS_OK);
  CHECK(ks_scope_push_objects(e, f2, &t2) == KS_OK);
  CHECK(ks_custom_set(e, S("c"), 20) == KS_OK);
  CHECK(ks_map_set(custom, S("d\0x"), 30) == KS_OK);
  CHECK(ks_map_set(modobj, S("e"), 40) == KS_OK);
  CHECK(ks_map_set(modobj, S("a"), 41) == KS_OK);
  CHECK(ks_lookup(e, S("a"), custom, modobj, &src) == 10 && src == KS_FROM_SCOPE);
  CHECK(ks_lookup(e, S("b"), custom, modobj, &src) == 12 && src == KS_FROM_SCOPE);
  CHECK(ks_lookup(e, S("c"), custom, modobj, &src) == 20 && src == KS_FROM_REGISTRY);
  CHECK(ks_lookup(e, S("d\0x"), custom, modobj, &src) == 30 && src == KS_FROM_CUSTOM);
  CHECK(ks_lookup(e, S("d"), custom, modobj, &src) == KS_NOHANDLE && src == KS_FROM_NONE);
  CHECK(ks_lookup(e, S("e"), custom, modobj, &src) == 40 && src == KS_FROM_MODULE);
  CHECK(ks_scope_unwind(e, t1) == 2);
  CHECK(ks_lookup(e, S("a"), custom, modobj, &src) == 41 && src == KS_FROM_MODULE);
  (void)t2;
  ks_map_free(custom);
  ks_map_free(modobj);
  CHECK_ENGINE_FREED(e, &A);
}

/* ks_lookup_stamp: 0 while a custom-object scope is open, else changes
** with every change of the global dict, and only then. */
static void test_stamp(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_map *frame;
  ks_token t1, t2;
  uint64_t s0 = ks_lookup_stamp(e), s1, s2;
  CHECK(s0 != 0);
  CHECK(ks_lookup_stamp(NULL) == 0);
  CHECK(ks_register(e, S("P"), S("X"), 2) == KS_OK);
  s1 = ks_lookup_stamp(e);
  CHECK(s1 != 0 && s1 != s0);
  /* a safe-mode scope changes no answer */
  CHECK(ks_scope_push_safe_mode(e, 1, &t1) == KS_OK);
  CHECK(ks_lookup_stamp(e) == s1);
  /* a custom-object scope: nothing may be remembered while it is open */
  frame = ks_map_new(e);
  CHECK(ks_map_set(frame, S("P>X"), 5) == KS_OK);
  CHECK(ks_scope_push_objects(e, frame, &t2) == KS_OK);
  CHECK(ks_lookup_stamp(e) == 0);
  CHECK(ks_scope_pop(e, t2) == KS_OK);
  CHECK(ks_lookup_stamp(e) == s1);          /* closed: the answers are back */
  CHECK(ks_scope_pop(e, t1) == KS_OK);
  /* every change of the global dict: set, replace, remove, clear */
  CHECK(ks_custom_set(e, S("Y"), 3) == KS_OK);
  s2 = ks_lookup_stamp(e);
  CHECK(s2 != s1);
  CHECK(ks_register(e, S("P"), S("X"), 4) == KS_OK);
  CHECK(ks_lookup_stamp(e) != s2);
  s2 = ks_lookup_stamp(e);
  CHECK(ks_custom_set(e, S("Y"), KS_NOHANDLE) == KS_OK);
  CHECK(ks_lookup_stamp(e) != s2);
  s2 = ks_lookup_stamp(e);
  ks_custom_clear(e);
  CHECK(ks_lookup_stamp(e) != s2 && ks_lookup_stamp(e) != 0);
  /* a refused change changes nothing */
  s2 = ks_lookup_stamp(e);
  CHECK(ks_custom_set(e, S(""), 3) != KS_OK);
  CHECK(ks_lookup_stamp(e) == s2);
  CHECK_ENGINE_FREED(e, &A);
}

int main(void) {
  test_precedence();
  test_per_key();
  test_stamp();
  return ks_test_report("core_lookup");
}
