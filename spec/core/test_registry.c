/* test_registry.c - the global dict and its reverse map, custom_set/get/clear,
** iteration and suffix lookup. */
#include "ks_test.h"

/* ks_registered_name(h) is exactly `lit` (a NULL lit: not registered). */
static int name_is(const ks_engine *e, ks_handle h, const char *lit) {
  size_t len = 12345;
  const char *k = ks_registered_name(e, h, &len);
  if (lit == NULL) return k == NULL && len == 12345;   /* len untouched */
  return k != NULL && len == strlen(lit) && memcmp(k, lit, len) == 0;
}

static void test_register_basic(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  size_t len = 0;
  const char *k;
  CHECK(ks_register(e, S("Custom"), S("Dense"), 1) == KS_OK);
  CHECK(ks_custom_get(e, S("Custom>Dense")) == 1);
  CHECK(name_is(e, 1, "Custom>Dense"));
  k = ks_registered_name(e, 1, &len);
  CHECK(k != NULL && k[len] == '\0');        /* NUL-terminated for C hosts */
  CHECK(ks_registered_name(e, 1, NULL) != NULL);   /* len may be NULL */
  CHECK(name_is(e, 2, NULL));
  CHECK(name_is(e, KS_NOHANDLE, NULL));
  CHECK(ks_registered_name(NULL, 1, &len) == NULL);
  CHECK(ks_custom_get(e, S("Dense")) == KS_NOHANDLE);
  CHECK(ks_custom_get(e, S("Custom>Dense\0")) == KS_NOHANDLE);
  CHECK(ks_custom_get(NULL, S("Custom>Dense")) == KS_NOHANDLE);
  /* registering the same key and handle again is idempotent */
  CHECK(ks_register(e, S("Custom"), S("Dense"), 1) == KS_OK);
  CHECK(ks_map_count(ks_custom_map(e)) == 1);
  CHECK(name_is(e, 1, "Custom>Dense"));
  CHECK_ENGINE_FREED(e, &A);
}

static void test_register_replace(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  /* same key, new handle: forward replaced, old reverse dropped */
  CHECK(ks_register(e, S("P"), S("f"), 1) == KS_OK);
  CHECK(ks_register(e, S("P"), S("f"), 2) == KS_OK);
  CHECK(ks_custom_get(e, S("P>f")) == 2);
  CHECK(name_is(e, 2, "P>f"));
  CHECK(name_is(e, 1, NULL));
  CHECK(ks_map_count(ks_custom_map(e)) == 1);
  /* same handle, new key: reverse names the newest key, old key resolves */
  CHECK(ks_register(e, S("P"), S("x"), 5) == KS_OK);
  CHECK(ks_register(e, S("P"), S("y"), 5) == KS_OK);
  CHECK(name_is(e, 5, "P>y"));
  CHECK(ks_custom_get(e, S("P>x")) == 5);
  CHECK(ks_custom_get(e, S("P>y")) == 5);
  /* the old key changing value does not touch the reverse (it names P>y) */
  CHECK(ks_custom_set(e, S("P>x"), KS_NOHANDLE) == KS_OK);
  CHECK(name_is(e, 5, "P>y"));
  CHECK(ks_register(e, S("P"), S("x"), 6) == KS_OK);
  CHECK(name_is(e, 5, "P>y"));
  CHECK(name_is(e, 6, "P>x"));
  /* the newest key changing value drops the reverse, even though another
  ** key (P>z) still maps to that handle: it never names a key that does not
  ** map back */
  CHECK(ks_register(e, S("P"), S("z"), 7) == KS_OK);
  CHECK(ks_register(e, S("P"), S("w"), 7) == KS_OK);
  CHECK(ks_register(e, S("P"), S("w"), 8) == KS_OK);
  CHECK(name_is(e, 7, NULL));
  CHECK(ks_custom_get(e, S("P>z")) == 7);
  CHECK(name_is(e, 8, "P>w"));
  /* registering again under the old key brings the reverse back */
  CHECK(ks_register(e, S("P"), S("z"), 7) == KS_OK);
  CHECK(name_is(e, 7, "P>z"));
  CHECK_ENGINE_FREED(e, &A);
}

static void test_custom_set(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  CHECK(ks_custom_set(e, S(""), 1) == KS_EBADNAME);
  CHECK(ks_custom_set(e, NULL, 0, 1) == KS_EBADNAME);
  CHECK(ks_custom_set(e, NULL, 2, 1) == KS_EINVAL);
  CHECK(ks_custom_set(NULL, S("k"), 1) == KS_EINVAL);
  CHECK(ks_map_count(ks_custom_map(e)) == 0);
  /* any non-empty key without NUL, '>' included */
  CHECK(ks_custom_set(e, S("plain"), 1) == KS_OK);
  CHECK(ks_custom_set(e, S("a>b>c"), 2) == KS_OK);
  CHECK(ks_custom_set(e, S("x\0y"), 3) == KS_EBADNAME);
  CHECK(ks_custom_set(e, S("x\1y"), 3) == KS_OK);
  CHECK(ks_custom_get(e, S("plain")) == 1);
  CHECK(ks_custom_get(e, S("a>b>c")) == 2);
  CHECK(ks_custom_get(e, S("x\0y")) == KS_NOHANDLE);
  CHECK(ks_custom_get(e, S("x\1y")) == 3);
  CHECK(ks_custom_get(e, S("x")) == KS_NOHANDLE);
  /* custom_set adds no reverse entry */
  CHECK(name_is(e, 1, NULL) && name_is(e, 2, NULL) && name_is(e, 3, NULL));
  CHECK(ks_custom_set(e, S("plain"), 4) == KS_OK);
  CHECK(ks_custom_get(e, S("plain")) == 4);
  CHECK(ks_custom_set(e, S("plain"), KS_NOHANDLE) == KS_OK);
  CHECK(ks_custom_get(e, S("plain")) == KS_NOHANDLE);
  CHECK(ks_custom_set(e, S("plain"), KS_NOHANDLE) == KS_OK);   /* absent */
  CHECK(ks_map_count(ks_custom_map(e)) == 2);
  /* over a registered key: same value keeps the reverse, a new value or a
  ** removal drops it */
  CHECK(ks_register(e, S("P"), S("f"), 10) == KS_OK);
  CHECK(ks_custom_set(e, S("P>f"), 10) == KS_OK);
  CHECK(name_is(e, 10, "P>f"));
  CHECK(ks_custom_set(e, S("P>f"), 11) == KS_OK);
  CHECK(name_is(e, 10, NULL));
  CHECK(name_is(e, 11, NULL));
  CHECK(ks_register(e, S("P"), S("g"), 12) == KS_OK);
  CHECK(ks_custom_set(e, S("P>g"), KS_NOHANDLE) == KS_OK);
  CHECK(name_is(e, 12, NULL));
  /* removal through the key bytes handed out by ks_registered_name itself */
  CHECK(ks_register(e, S("P"), S("h"), 13) == KS_OK);
  {
    size_t len;
    const char *k = ks_registered_name(e, 13, &len);
    CHECK(k != NULL && ks_custom_set(e, k, len, KS_NOHANDLE) == KS_OK);
    CHECK(name_is(e, 13, NULL));
    CHECK(ks_custom_get(e, S("P>h")) == KS_NOHANDLE);
  }
  CHECK_ENGINE_FREED(e, &A);
}

static void test_clear_and_iterate(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  const ks_map *g = ks_custom_map(e);
  size_t it = 0, len;
  const char *key;
  ks_handle h;
  int sum = 0, n = 0;
  size_t base = A.live;
  CHECK(ks_custom_map(NULL) == NULL);
  CHECK(ks_register(e, S("A"), S("f"), 1) == KS_OK);
  CHECK(ks_register(e, S("B"), S("g"), 2) == KS_OK);
  CHECK(ks_custom_set(e, S("h"), 4) == KS_OK);
  while (ks_map_next(g, &it, &key, &len, &h)) {
    n++;
    sum += (int)h;
    if (h == 1) CHECK_BYTES(key, len, "A>f");
    if (h == 2) CHECK_BYTES(key, len, "B>g");
    if (h == 4) CHECK_BYTES(key, len, "h");
  }
  CHECK(n == 3 && sum == 7);
  ks_custom_clear(e);
  ks_custom_clear(NULL);
  CHECK(ks_map_count(g) == 0);
  CHECK(ks_custom_get(e, S("A>f")) == KS_NOHANDLE);
  CHECK(name_is(e, 1, NULL) && name_is(e, 2, NULL));
  it = 0;
  CHECK(ks_map_next(g, &it, &key, &len, &h) == 0);
  /* usable again after clearing */
  CHECK(ks_register(e, S("A"), S("f"), 3) == KS_OK);
  CHECK(name_is(e, 3, "A>f") && ks_custom_get(e, S("A>f")) == 3);
  ks_custom_clear(e);
  CHECK(A.live == base);   /* clearing gives every byte back */
  CHECK_ENGINE_FREED(e, &A);
}

/* Random register / custom_set / clear against a model of the rules. */
enum { MK = 6, MH = 5 };

typedef struct model {
  ks_handle fwd[MK];   /* 0: absent */
  int rev[MH + 1];     /* key index, -1: none */
} model;

static void model_drop(model *m, int k, ks_handle nh) {
  ks_handle old = m->fwd[k];
  if (old != 0 && old != nh && m->rev[old] == k) m->rev[old] = -1;
}

static int model_matches(const ks_engine *e, const model *m) {
  char key[16];
  int k, ok = 1;
  ks_handle h;
  for (k = 0; k < MK; k++) {
    snprintf(key, sizeof key, "P>k%d", k);
    ok &= ks_custom_get(e, key, 4) == m->fwd[k];
  }
  for (h = 1; h <= MH; h++) {
    if (m->rev[h] < 0) ok &= name_is(e, h, NULL);
    else {
      snprintf(key, sizeof key, "P>k%d", m->rev[h]);
      ok &= name_is(e, h, key);
    }
  }
  return ok;
}

static void test_model(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  model m;
  unsigned long x = 12345;
  int step, k, ok = 1;
  memset(m.fwd, 0, sizeof m.fwd);
  for (k = 0; k <= MH; k++) m.rev[k] = -1;
  for (step = 0; step < 5000; step++) {
    int op;
    ks_handle h;
    char key[16];
    x = x * 6364136223846793005UL + 1442695040888963407UL;
    op = (int)((x >> 33) % 100);
    k = (int)((x >> 40) % MK);
    h = (ks_handle)((x >> 50) % (MH + 1));   /* 0..MH */
    snprintf(key, sizeof key, "k%d", k);
    if (op < 45 && h != 0) {
      ok &= ks_register(e, S("P"), key, 2, h) == KS_OK;
      model_drop(&m, k, h);
      m.fwd[k] = h;
      m.rev[h] = k;
    } else if (op < 98) {
      char full[16];
      snprintf(full, sizeof full, "P>k%d", k);
      ok &= ks_custom_set(e, full, 4, h) == KS_OK;
      model_drop(&m, k, h);
      m.fwd[k] = h;
    } else {
      ks_custom_clear(e);
      memset(m.fwd, 0, sizeof m.fwd);
      for (k = 0; k <= MH; k++) m.rev[k] = -1;
    }
    ok &= model_matches(e, &m);
  }
  CHECK(ok);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_suffix(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  CHECK(ks_lookup_suffix(e, S("f")) == KS_NOHANDLE);      /* empty registry */
  CHECK(ks_custom_set(e, S("f"), 9) == KS_OK);            /* bare key: no '>' */
  CHECK(ks_custom_set(e, S("A>xf"), 8) == KS_OK);         /* ends "xf" */
  CHECK(ks_custom_set(e, S("A>f>g"), 7) == KS_OK);
  CHECK(ks_lookup_suffix(e, S("f")) == KS_NOHANDLE);      /* 0 matches */
  CHECK(ks_register(e, S("A"), S("f"), 1) == KS_OK);
  CHECK(ks_lookup_suffix(e, S("f")) == 1);                /* 1 match */
  CHECK(ks_lookup_suffix(e, S("xf")) == 8);
  CHECK(ks_lookup_suffix(e, S("g")) == 7);
  CHECK(ks_register(e, S("B"), S("f"), 2) == KS_OK);
  CHECK(ks_lookup_suffix(e, S("f")) == KS_NOHANDLE);      /* 2 matches */
  CHECK(ks_custom_set(e, S("B>f"), KS_NOHANDLE) == KS_OK);
  CHECK(ks_lookup_suffix(e, S("f")) == 1);
  /* two keys holding the same handle are still two matches */
  CHECK(ks_register(e, S("C"), S("f"), 1) == KS_OK);
  CHECK(ks_lookup_suffix(e, S("f")) == KS_NOHANDLE);
  /* bytes are compared exactly, length included */
  CHECK(ks_custom_set(e, S("Z>n\1m"), 5) == KS_OK);
  CHECK(ks_lookup_suffix(e, S("n\1m")) == 5);
  CHECK(ks_lookup_suffix(e, S("n")) == KS_NOHANDLE);
  CHECK(ks_lookup_suffix(e, S("")) == KS_NOHANDLE);
  CHECK(ks_lookup_suffix(e, NULL, 1) == KS_NOHANDLE);
  CHECK(ks_lookup_suffix(NULL, S("f")) == KS_NOHANDLE);
  /* the whole key is ">name": "<anything>" may be empty */
  CHECK(ks_custom_set(e, S(">q"), 6) == KS_OK);
  CHECK(ks_lookup_suffix(e, S("q")) == 6);
  CHECK_ENGINE_FREED(e, &A);
}

int main(void) {
  test_register_basic();
  test_register_replace();
  test_custom_set();
  test_clear_and_iterate();
  test_model();
  test_suffix();
  return ks_test_report("core_registry");
}
