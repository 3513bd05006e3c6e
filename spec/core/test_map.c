/* test_map.c - ks_map: byte keys, replace/remove, iteration, scale. */
#include <time.h>
#include "ks_test.h"

static void test_basics(ks_engine *e) {
  ks_map *m = ks_map_new(e);
  char buf[8] = "key";
  if (!CHECK(m != NULL)) return;
  CHECK(ks_map_count(m) == 0);
  CHECK(ks_map_get(m, S("a")) == KS_NOHANDLE);
  CHECK(ks_map_set(m, S("a"), 1) == KS_OK);
  CHECK(ks_map_get(m, S("a")) == 1);
  CHECK(ks_map_set(m, S("a"), 2) == KS_OK);          /* replace */
  CHECK(ks_map_get(m, S("a")) == 2);
  CHECK(ks_map_count(m) == 1);
  /* the key is copied: changing the caller's buffer changes nothing */
  CHECK(ks_map_set(m, buf, 3, 7) == KS_OK);
  memcpy(buf, "xyz", 3);
  CHECK(ks_map_get(m, S("key")) == 7);
  CHECK(ks_map_get(m, S("xyz")) == KS_NOHANDLE);
  /* removal with KS_NOHANDLE; removing an absent key is fine */
  CHECK(ks_map_set(m, S("a"), KS_NOHANDLE) == KS_OK);
  CHECK(ks_map_get(m, S("a")) == KS_NOHANDLE);
  CHECK(ks_map_count(m) == 1);
  CHECK(ks_map_set(m, S("a"), KS_NOHANDLE) == KS_OK);
  CHECK(ks_map_set(m, S("never"), KS_NOHANDLE) == KS_OK);
  CHECK(ks_map_count(m) == 1);
  /* handles are any nonzero int64 */
  CHECK(ks_map_set(m, S("neg"), -5) == KS_OK);
  CHECK(ks_map_set(m, S("big"), INT64_MAX) == KS_OK);
  CHECK(ks_map_get(m, S("neg")) == -5);
  CHECK(ks_map_get(m, S("big")) == INT64_MAX);
  /* the empty key is a key like any other in a plain map */
  CHECK(ks_map_set(m, S(""), 9) == KS_OK);
  CHECK(ks_map_get(m, S("")) == 9);
  CHECK(ks_map_get(m, NULL, 0) == 9);
  ks_map_free(m);
}

static void test_byte_keys(ks_engine *e) {
  ks_map *m = ks_map_new(e);
  if (!CHECK(m != NULL)) return;
  /* memcmp, not strcmp: NULs and prefixes are all distinct keys */
  CHECK(ks_map_set(m, S("a"), 1) == KS_OK);
  CHECK(ks_map_set(m, S("a\0"), 2) == KS_OK);
  CHECK(ks_map_set(m, S("a\0b"), 3) == KS_OK);
  CHECK(ks_map_set(m, S("a\0c"), 4) == KS_OK);
  CHECK(ks_map_set(m, S("\0"), 5) == KS_OK);
  CHECK(ks_map_set(m, S("ab"), 6) == KS_OK);
  CHECK(ks_map_set(m, S("\xff\x80>"), 7) == KS_OK);
  CHECK(ks_map_count(m) == 7);
  CHECK(ks_map_get(m, S("a")) == 1);
  CHECK(ks_map_get(m, S("a\0")) == 2);
  CHECK(ks_map_get(m, S("a\0b")) == 3);
  CHECK(ks_map_get(m, S("a\0c")) == 4);
  CHECK(ks_map_get(m, S("\0")) == 5);
  CHECK(ks_map_get(m, S("ab")) == 6);
  CHECK(ks_map_get(m, S("\xff\x80>")) == 7);
  CHECK(ks_map_get(m, S("")) == KS_NOHANDLE);
  CHECK(ks_map_get(m, S("a\0d")) == KS_NOHANDLE);
  CHECK(ks_map_set(m, S("a\0b"), KS_NOHANDLE) == KS_OK);
  CHECK(ks_map_get(m, S("a\0b")) == KS_NOHANDLE);
  CHECK(ks_map_get(m, S("a\0")) == 2);
  CHECK(ks_map_get(m, S("a\0c")) == 4);
  ks_map_free(m);
}

static void test_null_args(ks_engine *e) {
  ks_map *m = ks_map_new(e);
  size_t it = 0;
  CHECK(ks_map_new(NULL) == NULL);
  CHECK(ks_map_set(NULL, S("a"), 1) == KS_EINVAL);
  CHECK(ks_map_set(m, NULL, 3, 1) == KS_EINVAL);
  CHECK(ks_map_get(NULL, S("a")) == KS_NOHANDLE);
  CHECK(ks_map_get(m, NULL, 3) == KS_NOHANDLE);
  CHECK(ks_map_count(NULL) == 0);
  CHECK(ks_map_next(NULL, &it, NULL, NULL, NULL) == 0);
  CHECK(ks_map_next(m, NULL, NULL, NULL, NULL) == 0);
  CHECK(ks_map_count(m) == 0);
  ks_map_free(NULL);
  ks_map_free(m);
}

/* Iteration yields every entry exactly once, with its key bytes. */
static void test_iteration(ks_engine *e) {
  ks_map *m = ks_map_new(e);
  int seen[101] = {0};
  size_t it = 0, len, n = 0, i;
  const char *key;
  ks_handle h;
  char buf[16];
  int ok = 1;
  if (!CHECK(m != NULL)) return;
  CHECK(ks_map_next(m, &it, &key, &len, &h) == 0);
  for (i = 1; i <= 100; i++) {
    int l = snprintf(buf, sizeof buf, "k%zu", i);
    ok &= ks_map_set(m, buf, (size_t)l, (ks_handle)i) == KS_OK;
  }
  CHECK(ok);
  for (i = 1; i <= 100; i += 3) {   /* remove some in the middle */
    int l = snprintf(buf, sizeof buf, "k%zu", i);
    ok &= ks_map_set(m, buf, (size_t)l, KS_NOHANDLE) == KS_OK;
  }
  CHECK(ok);
  it = 0;
  while (ks_map_next(m, &it, &key, &len, &h)) {
    int l = snprintf(buf, sizeof buf, "k%lld", (long long)h);
    ok &= h >= 1 && h <= 100 && (h - 1) % 3 != 0 && !seen[h];
    ok &= len == (size_t)l && memcmp(key, buf, len) == 0 && key[len] == '\0';
    if (h >= 1 && h <= 100) seen[h] = 1;
    n++;
  }
  CHECK(ok);
  CHECK(n == 100 - 34 && n == ks_map_count(m));
  CHECK(ks_map_next(m, &it, &key, &len, &h) == 0);   /* stays finished */
  /* NULL outputs are allowed */
  it = 0;
  CHECK(ks_map_next(m, &it, NULL, NULL, NULL) == 1 && it == 1);
  ks_map_free(m);
}

static size_t make_key(char *buf, size_t i) {
  /* keys sharing long prefixes and containing a NUL byte */
  int l = snprintf(buf, 48, "prefix/shared/%zu", i);
  buf[6] = '\0';
  return (size_t)l;
}

static void test_large(ks_engine *e) {
  enum { N = 100000 };
  ks_map *m = ks_map_new(e);
  char buf[48];
  size_t i, len;
  int ok = 1;
  clock_t t0 = clock();
  if (!CHECK(m != NULL)) return;
  for (i = 0; i < N; i++) {
    len = make_key(buf, i);
    ok &= ks_map_set(m, buf, len, (ks_handle)i + 1) == KS_OK;
  }
  CHECK(ok);
  CHECK(ks_map_count(m) == N);
  for (i = 0; i < N; i++) {
    len = make_key(buf, i);
    ok &= ks_map_get(m, buf, len) == (ks_handle)i + 1;
  }
  CHECK(ok);
  for (i = 0; i < N; i += 2) {   /* remove the even ones */
    len = make_key(buf, i);
    ok &= ks_map_set(m, buf, len, KS_NOHANDLE) == KS_OK;
  }
  CHECK(ok);
  CHECK(ks_map_count(m) == N / 2);
  for (i = 0; i < N; i++) {
    len = make_key(buf, i);
    ok &= ks_map_get(m, buf, len) == (i % 2 ? (ks_handle)i + 1 : KS_NOHANDLE);
  }
  CHECK(ok);
  for (i = 1; i < N; i += 2) {   /* then the rest */
    len = make_key(buf, i);
    ok &= ks_map_set(m, buf, len, KS_NOHANDLE) == KS_OK;
  }
  CHECK(ok);
  CHECK(ks_map_count(m) == 0);
  len = make_key(buf, 77);
  CHECK(ks_map_get(m, buf, len) == KS_NOHANDLE);
  /* reusable after emptying */
  CHECK(ks_map_set(m, buf, len, 5) == KS_OK && ks_map_get(m, buf, len) == 5);
  /* O(1) average: 400k operations take well under a few seconds even
  ** under valgrind; a linear map would need ~10^10 comparisons */
  CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 60.0);
  ks_map_free(m);
}

/* A map keeps its own allocator: it may outlive the engine that made it. */
static void test_outlives_engine(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_map *m = ks_map_new(e);
  ks_engine_free(e);
  CHECK(ks_map_set(m, S("x"), 1) == KS_OK);
  CHECK(ks_map_get(m, S("x")) == 1);
  ks_map_free(m);
  CHECK(A.live == 0 && A.bad_osize == 0);
}

int main(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  if (!CHECK(e != NULL)) return ks_test_report("core_map");
  test_basics(e);
  test_byte_keys(e);
  test_null_args(e);
  test_iteration(e);
  test_large(e);
  CHECK(A.live > 0);   /* the engine itself */
  CHECK_ENGINE_FREED(e, &A);
  test_outlives_engine();
  return ks_test_report("core_map");
}
