/* test_scopes.c - the scope stack: tokens, LIFO order, unwind, remove,
** merged lookups, safe-mode frames. */
#include "ks_test.h"

/* Pushes an object frame holding one key. */
static ks_token push1(ks_engine *e, const char *key, ks_handle h) {
  ks_map *m = ks_map_new(e);
  ks_token t = 0;
  CHECK(ks_map_set(m, key, strlen(key), h) == KS_OK);
  CHECK(ks_scope_push_objects(e, m, &t) == KS_OK);
  return t;
}

static ks_token push_safe(ks_engine *e, int safe) {
  ks_token t = 0;
  CHECK(ks_scope_push_safe_mode(e, safe, &t) == KS_OK);
  return t;
}

static void test_tokens(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_token t1, t2, t3, t4;
  CHECK(ks_scope_depth(e) == 0 && ks_scope_top(e) == 0);
  t1 = push1(e, "a", 1);
  CHECK(t1 == 1);                       /* tokens start at 1 */
  t2 = push_safe(e, 1);                 /* both kinds share the sequence */
  CHECK(t2 == 2);
  CHECK(ks_scope_depth(e) == 2 && ks_scope_top(e) == t2);
  CHECK(ks_scope_pop(e, t2) == KS_OK);
  t3 = push1(e, "b", 2);
  CHECK(t3 == 3);                       /* never reused after a pop */
  CHECK(ks_scope_pop(e, t3) == KS_OK);
  CHECK(ks_scope_pop(e, t1) == KS_OK);
  t4 = push_safe(e, 0);
  CHECK(t4 == 4);                       /* nor after the stack emptied */
  CHECK(ks_scope_pop(e, t4) == KS_OK);
  /* a failed push consumes no token */
  CHECK(ks_scope_push_objects(e, NULL, &t4) == KS_EINVAL);
  CHECK(ks_scope_push_objects(NULL, ks_map_new(e), &t4) == KS_EINVAL);
  CHECK(ks_scope_push_safe_mode(NULL, 1, &t4) == KS_EINVAL);
  CHECK(ks_scope_depth(e) == 0);
  CHECK(ks_scope_push_safe_mode(e, 1, NULL) == KS_OK);   /* token optional */
  CHECK(ks_scope_top(e) == 5);
  CHECK(ks_scope_pop(e, 5) == KS_OK);
  CHECK(ks_scope_depth(NULL) == 0 && ks_scope_top(NULL) == 0);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_pop_order(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_token t1 = push1(e, "k", 1), t2 = push_safe(e, 0), t3 = push1(e, "k", 3);
  /* out of order: refused, nothing changes */
  CHECK(ks_scope_pop(e, t1) == KS_ESCOPEORDER);
  CHECK(ks_scope_pop(e, t2) == KS_ESCOPEORDER);
  CHECK(ks_scope_depth(e) == 3 && ks_scope_top(e) == t3);
  CHECK(ks_scope_is_open(e, t1) && ks_scope_is_open(e, t2));
  CHECK(ks_scope_lookup(e, S("k")) == 3);
  CHECK(ks_scoped_safe_mode(e) == 0);
  /* never issued, or 0: closed */
  CHECK(ks_scope_pop(e, 0) == KS_ECLOSED);
  CHECK(ks_scope_pop(e, 99) == KS_ECLOSED);
  CHECK(ks_scope_pop(NULL, t3) == KS_EINVAL);
  CHECK(ks_scope_is_open(e, 0) == 0 && ks_scope_is_open(e, 99) == 0);
  CHECK(ks_scope_is_open(NULL, t1) == 0);
  CHECK(ks_scope_depth(e) == 3);
  /* LIFO */
  CHECK(ks_scope_pop(e, t3) == KS_OK);
  CHECK(ks_scope_top(e) == t2 && ks_scope_depth(e) == 2);
  CHECK(!ks_scope_is_open(e, t3));
  CHECK(ks_scope_lookup(e, S("k")) == 1);
  /* closing twice is harmless, also while other scopes are open */
  CHECK(ks_scope_pop(e, t3) == KS_ECLOSED);
  CHECK(ks_scope_depth(e) == 2 && ks_scope_top(e) == t2);
  CHECK(ks_scope_pop(e, t2) == KS_OK);
  CHECK(ks_scope_pop(e, t1) == KS_OK);
  CHECK(ks_scope_pop(e, t1) == KS_ECLOSED);
  CHECK(ks_scope_depth(e) == 0 && ks_scope_top(e) == 0);
  CHECK(ks_scope_lookup(e, S("k")) == KS_NOHANDLE);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_unwind(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_token t[6];
  int i;
  for (i = 1; i <= 5; i++) t[i] = (i % 2) ? push1(e, "k", i) : push_safe(e, 1);
  CHECK(ks_scope_unwind(e, t[3]) == 3);   /* t3, t4, t5 */
  CHECK(ks_scope_depth(e) == 2 && ks_scope_top(e) == t[2]);
  CHECK(!ks_scope_is_open(e, t[3]) && !ks_scope_is_open(e, t[5]));
  CHECK(ks_scope_lookup(e, S("k")) == 1);
  CHECK(ks_scope_unwind(e, t[3]) == 0);   /* not open any more */
  CHECK(ks_scope_unwind(e, t[5]) == 0);
  CHECK(ks_scope_unwind(e, 0) == 0);
  CHECK(ks_scope_unwind(e, 1000) == 0);
  CHECK(ks_scope_unwind(NULL, t[1]) == 0);
  CHECK(ks_scope_depth(e) == 2);
  CHECK(ks_scope_unwind(e, t[2]) == 1);   /* the innermost alone */
  CHECK(ks_scope_unwind(e, t[1]) == 1);
  CHECK(ks_scope_depth(e) == 0);
  /* unwinding from the bottom closes everything */
  for (i = 1; i <= 5; i++) t[i] = push1(e, "k", i);
  CHECK(ks_scope_unwind(e, t[1]) == 5);
  CHECK(ks_scope_depth(e) == 0 && ks_scope_lookup(e, S("k")) == KS_NOHANDLE);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_remove(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_token t1 = push1(e, "a", 1), t2 = push1(e, "b", 2), t3 = push1(e, "c", 3);
  CHECK(ks_scope_remove(e, t2) == KS_OK);   /* from the middle */
  CHECK(!ks_scope_is_open(e, t2));
  CHECK(ks_scope_is_open(e, t1) && ks_scope_is_open(e, t3));
  CHECK(ks_scope_depth(e) == 2 && ks_scope_top(e) == t3);
  CHECK(ks_scope_lookup(e, S("b")) == KS_NOHANDLE);
  CHECK(ks_scope_lookup(e, S("a")) == 1 && ks_scope_lookup(e, S("c")) == 3);
  CHECK(ks_scope_remove(e, t2) == KS_ECLOSED);
  CHECK(ks_scope_remove(e, 0) == KS_ECLOSED);
  CHECK(ks_scope_remove(e, 77) == KS_ECLOSED);
  CHECK(ks_scope_remove(NULL, t1) == KS_EINVAL);
  CHECK(ks_scope_pop(e, t2) == KS_ECLOSED);
  /* the remaining stack still works LIFO */
  CHECK(ks_scope_pop(e, t1) == KS_ESCOPEORDER);
  CHECK(ks_scope_pop(e, t3) == KS_OK);
  CHECK(ks_scope_top(e) == t1);
  CHECK(ks_scope_remove(e, t1) == KS_OK);   /* the innermost, too */
  CHECK(ks_scope_depth(e) == 0);
  /* remove the bottom one under others */
  t1 = push_safe(e, 0);
  t2 = push1(e, "x", 9);
  CHECK(ks_scope_remove(e, t1) == KS_OK);
  CHECK(ks_scoped_safe_mode(e) == -1 && ks_scope_lookup(e, S("x")) == 9);
  CHECK(ks_scope_top(e) == t2 && ks_scope_depth(e) == 1);
  /* frames left open are freed with the engine */
  push1(e, "y", 10);
  push_safe(e, 1);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_lookup_merge(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  static const char *const k1[] = {"a", "b", NULL};
  static const ks_handle h1[] = {1, 2};
  static const char *const k2[] = {"b", "c", NULL};
  static const ks_handle h2[] = {3, 4};
  ks_token t1, t2, ts, t3;
  CHECK(ks_scope_lookup(e, S("a")) == KS_NOHANDLE);
  CHECK(ks_scope_lookup(NULL, S("a")) == KS_NOHANDLE);
  CHECK(ks_scope_push_objects(e, ks_t_map(e, k1, h1), &t1) == KS_OK);
  CHECK(ks_scope_push_objects(e, ks_t_map(e, k2, h2), &t2) == KS_OK);
  CHECK(ks_scope_lookup(e, S("a")) == 1);   /* from the outer frame */
  CHECK(ks_scope_lookup(e, S("b")) == 3);   /* the later frame wins */
  CHECK(ks_scope_lookup(e, S("c")) == 4);
  CHECK(ks_scope_lookup(e, S("d")) == KS_NOHANDLE);
  /* a safe-mode frame in between hides nothing and holds no objects */
  ts = push_safe(e, 0);
  CHECK(ks_scope_lookup(e, S("a")) == 1 && ks_scope_lookup(e, S("b")) == 3);
  /* an object frame above the safe-mode frame still wins */
  t3 = push1(e, "a", 5);
  CHECK(ks_scope_lookup(e, S("a")) == 5 && ks_scope_lookup(e, S("c")) == 4);
  CHECK(ks_scope_pop(e, t3) == KS_OK);
  CHECK(ks_scope_pop(e, ts) == KS_OK);
  /* closing restores exactly the outer view */
  CHECK(ks_scope_pop(e, t2) == KS_OK);
  CHECK(ks_scope_lookup(e, S("b")) == 2 && ks_scope_lookup(e, S("c")) == 0);
  CHECK(ks_scope_pop(e, t1) == KS_OK);
  /* an empty frame is allowed and finds nothing */
  CHECK(ks_scope_push_objects(e, ks_map_new(e), &t1) == KS_OK);
  CHECK(ks_scope_lookup(e, S("a")) == KS_NOHANDLE);
  CHECK(ks_scope_pop(e, t1) == KS_OK);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_safe_frames(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_token t1, t2, t3, t4;
  CHECK(ks_scoped_safe_mode(e) == -1);
  CHECK(ks_scoped_safe_mode(NULL) == -1);
  t1 = push_safe(e, 1);
  CHECK(ks_scoped_safe_mode(e) == 1);
  t2 = push_safe(e, 0);
  CHECK(ks_scoped_safe_mode(e) == 0);   /* the innermost */
  t3 = push1(e, "k", 1);
  CHECK(ks_scoped_safe_mode(e) == 0);   /* object frames are skipped */
  t4 = push_safe(e, 7);
  CHECK(ks_scoped_safe_mode(e) == 1);   /* nonzero means safe */
  CHECK(ks_scope_pop(e, t4) == KS_OK);
  CHECK(ks_scope_pop(e, t3) == KS_OK);
  CHECK(ks_scope_pop(e, t2) == KS_OK);
  CHECK(ks_scoped_safe_mode(e) == 1);
  CHECK(ks_scope_pop(e, t1) == KS_OK);
  CHECK(ks_scoped_safe_mode(e) == -1);
  CHECK_ENGINE_FREED(e, &A);
}

/* Deep stacks grow and shrink correctly. */
static void test_deep(void) {
  enum { N = 5000 };
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  static ks_token t[N];
  int i, ok = 1;
  for (i = 0; i < N; i++) {
    if (i % 3 == 0) ok &= ks_scope_push_safe_mode(e, i % 2, &t[i]) == KS_OK;
    else {
      ks_map *m = ks_map_new(e);
      char key[16];
      int kl = snprintf(key, sizeof key, "k%d", i % 7);
      ok &= ks_map_set(m, key, (size_t)kl, i + 1) == KS_OK;
      ok &= ks_scope_push_objects(e, m, &t[i]) == KS_OK;
    }
    ok &= t[i] == (ks_token)i + 1;
  }
  CHECK(ok);
  CHECK(ks_scope_depth(e) == N);
  for (i = 0; i < N; i++) ok &= ks_scope_is_open(e, t[i]);
  CHECK(ok);
  /* the innermost object frame with k0: i % 7 == 0 and i % 3 != 0 */
  for (i = N - 1; i % 7 != 0 || i % 3 == 0; i--) continue;
  CHECK(ks_scope_lookup(e, S("k0")) == i + 1 && i == 4991);
  for (i = N - 1; i >= N / 2; i--) ok &= ks_scope_pop(e, t[i]) == KS_OK;
  CHECK(ok);
  CHECK(ks_scope_depth(e) == N / 2 && ks_scope_top(e) == t[N / 2 - 1]);
  CHECK_ENGINE_FREED(e, &A);
}

int main(void) {
  test_tokens();
  test_pop_order();
  test_unwind();
  test_remove();
  test_lookup_merge();
  test_safe_frames();
  test_deep();
  return ks_test_report("core_scopes");
}
