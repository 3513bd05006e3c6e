/* test_modules.c - registered module tables and ks_module_find. */
#include "ks_test.h"

/* ks_module_find(h) says (mod, key); mod == NULL: not found. */
static int found_as(const ks_engine *e, ks_handle h, const char *mod,
                    const char *key, size_t klen) {
  const char *m = NULL, *k = NULL;
  size_t ml = 0, kl = 0;
  int r = ks_module_find(e, h, &m, &ml, &k, &kl);
  if (mod == NULL) return r == 0;
  return r == 1 && ml == strlen(mod) && memcmp(m, mod, ml) == 0 &&
         kl == klen && memcmp(k, key, kl) == 0;
}
#define FOUND(e, h, mod, key) found_as((e), (h), (mod), S(key))

static ks_status reg(ks_engine *e, const char *mod, const char *const *keys,
                     const ks_handle *hs) {
  return ks_module_register(e, mod, strlen(mod), ks_t_map(e, keys, hs));
}

static void test_register_lookup(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  static const char *const k1[] = {"Dense", "Conv", NULL};
  static const ks_handle h1[] = {10, 11};
  CHECK(ks_module_exists(e, S("keras.layers")) == 0);
  CHECK(reg(e, "keras.layers", k1, h1) == KS_OK);
  CHECK(ks_module_exists(e, S("keras.layers")) == 1);
  CHECK(ks_module_exists(e, S("keras")) == 0);
  CHECK(ks_module_exists(e, S("keras.layers\0")) == 0);
  CHECK(ks_module_exists(NULL, S("keras.layers")) == 0);
  CHECK(ks_module_lookup(e, S("keras.layers"), S("Dense")) == 10);
  CHECK(ks_module_lookup(e, S("keras.layers"), S("Conv")) == 11);
  CHECK(ks_module_lookup(e, S("keras.layers"), S("Pool")) == KS_NOHANDLE);
  CHECK(ks_module_lookup(e, S("keras.losses"), S("Dense")) == KS_NOHANDLE);
  CHECK(ks_module_lookup(NULL, S("keras.layers"), S("Dense")) == KS_NOHANDLE);
  CHECK(FOUND(e, 10, "keras.layers", "Dense"));
  CHECK(FOUND(e, 11, "keras.layers", "Conv"));
  CHECK(found_as(e, 12, NULL, NULL, 0));
  CHECK(found_as(e, KS_NOHANDLE, NULL, NULL, 0));
  CHECK(ks_module_find(NULL, 10, NULL, NULL, NULL, NULL) == 0);
  CHECK(ks_module_find(e, 10, NULL, NULL, NULL, NULL) == 1);   /* NULL outs */
  /* modules are not the global dict */
  CHECK(ks_custom_get(e, S("Dense")) == KS_NOHANDLE);
  CHECK(ks_registered_name(e, 10, NULL) == NULL);
  /* an empty module is a registered module */
  CHECK(ks_module_register(e, S("empty"), ks_map_new(e)) == KS_OK);
  CHECK(ks_module_exists(e, S("empty")) == 1);
  CHECK(ks_module_lookup(e, S("empty"), S("x")) == KS_NOHANDLE);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_errors(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  size_t base = A.live;
  /* every refused call still frees the map it was given */
  CHECK(ks_module_register(e, S(""), ks_map_new(e)) == KS_EBADNAME);
  CHECK(ks_module_register(e, NULL, 3, ks_map_new(e)) == KS_EINVAL);
  CHECK(ks_module_register(e, S("m"), NULL) == KS_EINVAL);
  CHECK(ks_module_register(NULL, S("m"), ks_map_new(e)) == KS_EINVAL);
  CHECK(A.live == base);
  CHECK(ks_module_exists(e, S("m")) == 0 && ks_module_exists(e, S("")) == 0);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_replace(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  static const char *const k1[] = {"Dense", "Conv", NULL};
  static const ks_handle h1[] = {10, 11};
  static const char *const k2[] = {"Dense", "Pool", NULL};
  static const ks_handle h2[] = {20, 21};
  CHECK(reg(e, "keras.layers", k1, h1) == KS_OK);
  CHECK(reg(e, "keras.layers", k2, h2) == KS_OK);
  CHECK(ks_module_lookup(e, S("keras.layers"), S("Dense")) == 20);
  CHECK(ks_module_lookup(e, S("keras.layers"), S("Pool")) == 21);
  CHECK(ks_module_lookup(e, S("keras.layers"), S("Conv")) == KS_NOHANDLE);
  CHECK(found_as(e, 10, NULL, NULL, 0));   /* old members are gone */
  CHECK(found_as(e, 11, NULL, NULL, 0));
  CHECK(FOUND(e, 20, "keras.layers", "Dense"));
  CHECK(FOUND(e, 21, "keras.layers", "Pool"));
  CHECK_ENGINE_FREED(e, &A);
}

static void test_first_registered_wins(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  static const char *const kx[] = {"x", NULL};
  static const char *const ky[] = {"y", NULL};
  static const char *const kz[] = {"z", NULL};
  static const char *const kw[] = {"w", NULL};
  static const ks_handle h30[] = {30}, h31[] = {31};
  CHECK(reg(e, "A", kx, h30) == KS_OK);
  CHECK(reg(e, "B", ky, h30) == KS_OK);
  CHECK(FOUND(e, 30, "A", "x"));
  /* A no longer holds 30: B does */
  CHECK(reg(e, "A", kz, h31) == KS_OK);
  CHECK(FOUND(e, 30, "B", "y"));
  CHECK(FOUND(e, 31, "A", "z"));
  /* A holds it again: a replaced module keeps its first position */
  CHECK(reg(e, "A", kw, h30) == KS_OK);
  CHECK(FOUND(e, 30, "A", "w"));
  /* a module registered later never takes over */
  CHECK(reg(e, "C", kz, h30) == KS_OK);
  CHECK(FOUND(e, 30, "A", "w"));
  CHECK(ks_module_lookup(e, S("C"), S("z")) == 30);
  CHECK_ENGINE_FREED(e, &A);
}

/* One module holding a handle under several keys: the smallest key (byte
** order, a shorter prefix first) whatever the insertion order. */
static void test_smallest_key(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  static const char *const k1[] = {"b", "ab", "a", "c", NULL};
  static const ks_handle h1[] = {40, 40, 40, 40};
  static const char *const k2[] = {"aa", "ab", "a", NULL};
  static const ks_handle h2[] = {41, 41, 41};
  static const char *const k3[] = {"zz", "Z", NULL};   /* 'Z' < 'z' */
  static const ks_handle h3[] = {42, 42};
  ks_map *m = ks_map_new(e);
  CHECK(reg(e, "m1", k1, h1) == KS_OK);
  CHECK(reg(e, "m2", k2, h2) == KS_OK);
  CHECK(reg(e, "m3", k3, h3) == KS_OK);
  CHECK(FOUND(e, 40, "m1", "a"));
  CHECK(FOUND(e, 41, "m2", "a"));
  CHECK(FOUND(e, 42, "m3", "Z"));
  /* byte order: "a\1" < "ab", "a" < "a\1" (NUL is no longer a key byte) */
  CHECK(ks_map_set(m, S("ab"), 43) == KS_OK);
  CHECK(ks_map_set(m, S("a\1"), 43) == KS_OK);
  CHECK(ks_module_register(e, S("m4"), m) == KS_OK);
  CHECK(FOUND(e, 43, "m4", "a\1"));
  CHECK(ks_module_lookup(e, S("m4"), S("a\1")) == 43);
  CHECK(ks_module_lookup(e, S("m4"), S("a")) == KS_NOHANDLE);
  /* the rule also holds after a replacement (the index is rebuilt) */
  CHECK(reg(e, "m1", k2, h1) == KS_OK);
  CHECK(FOUND(e, 40, "m1", "a"));
  CHECK(FOUND(e, 41, "m2", "a"));
  CHECK_ENGINE_FREED(e, &A);
}

/* Many modules: lookups and finds stay right (and fast). */
static void test_many(void) {
  enum { NM = 1000, NK = 10 };
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  char mod[32], key[32];
  int i, j, ok = 1;
  for (i = 0; i < NM; i++) {
    ks_map *m = ks_map_new(e);
    int ml = snprintf(mod, sizeof mod, "mod%d", i);
    for (j = 0; j < NK; j++) {
      int kl = snprintf(key, sizeof key, "f%d", j);
      ok &= ks_map_set(m, key, (size_t)kl, (ks_handle)(i * NK + j + 1)) == KS_OK;
    }
    ok &= ks_module_register(e, mod, (size_t)ml, m) == KS_OK;
  }
  CHECK(ok);
  for (i = 0; i < NM; i++) {
    int ml = snprintf(mod, sizeof mod, "mod%d", i);
    ok &= ks_module_exists(e, mod, (size_t)ml);
    for (j = 0; j < NK; j++) {
      ks_handle h = (ks_handle)(i * NK + j + 1);
      int kl = snprintf(key, sizeof key, "f%d", j);
      ok &= ks_module_lookup(e, mod, (size_t)ml, key, (size_t)kl) == h;
      ok &= found_as(e, h, mod, key, (size_t)kl);
    }
  }
  CHECK(ok);
  CHECK_ENGINE_FREED(e, &A);
}

int main(void) {
  test_register_lookup();
  test_errors();
  test_replace();
  test_first_registered_wins();
  test_smallest_key();
  test_many();
  return ks_test_report("core_modules");
}
