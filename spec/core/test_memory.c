/* test_memory.c - allocation failures, exact sizes and leaks.
**
** A representative sequence of calls runs once with no failure to count its
** allocation requests R, then once for every N in 1..R with the N-th request
** failing. Every failure must be reported (KS_ENOMEM or a NULL result) by
** the call that met it, leave the observable state exactly as before the
** call (compared through a fingerprint of everything the API can see), and
** the sequence, retried, must end in the same state as the clean run. After
** ks_engine_free no byte may be left, and every osize must have been right.
*/
#include <stdarg.h>
#include "ks_test.h"

enum { HMAX = 400, TMAX = 64, NMOD = 12 };

/* ---- fingerprints -------------------------------------------------------------- */

typedef struct buf {
  char *p;
  size_t len, cap;
} buf;

static void put(buf *b, const char *fmt, ...) {
  va_list ap;
  int n;
  for (;;) {
    va_start(ap, fmt);
    n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < b->cap - b->len) break;
    b->cap = b->cap * 2 + (size_t)n + 64;
    b->p = (char *)realloc(b->p, b->cap);
    if (b->p == NULL) abort();
  }
  b->len += (size_t)n;
}

static void put_bytes(buf *b, const char *s, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) put(b, "%02x", (unsigned char)s[i]);
  put(b, " ");
}

static void fp_registry(buf *b, const ks_engine *e) {
  size_t it = 0, len;
  const char *key;
  ks_handle h;
  const ks_map *g = ks_custom_map(e);
  put(b, "global %zu:", ks_map_count(g));
  while (ks_map_next(g, &it, &key, &len, &h)) {
    put_bytes(b, key, len);
    put(b, "=%lld ", (long long)h);
  }
  put(b, "\nreverse:");
  for (h = 1; h <= HMAX; h++) {
    key = ks_registered_name(e, h, &len);
    if (key) {
      put(b, "%lld->", (long long)h);
      put_bytes(b, key, len);
    }
  }
  put(b, "\nsuffix f1=%lld g=%lld\n", (long long)ks_lookup_suffix(e, S("f1")),
      (long long)ks_lookup_suffix(e, S("g")));
}

static void fp_modules(buf *b, const ks_engine *e) {
  char mod[16], key[16];
  int i, j;
  ks_handle h;
  for (i = 0; i < NMOD + 1; i++) {
    int ml = snprintf(mod, sizeof mod, "m%d", i);
    put(b, "%s:%d", mod, ks_module_exists(e, mod, (size_t)ml));
    for (j = 0; j < 10; j++) {
      int kl = snprintf(key, sizeof key, "f%d", j);
      put(b, ",%lld", (long long)ks_module_lookup(e, mod, (size_t)ml, key,
                                                   (size_t)kl));
    }
    put(b, "\n");
  }
  put(b, "find:");
  for (h = 1; h <= HMAX; h++) {
    const char *m, *k;
    size_t mlen, klen;
    if (ks_module_find(e, h, &m, &mlen, &k, &klen)) {
      put(b, "%lld->", (long long)h);
      put_bytes(b, m, mlen);
      put_bytes(b, k, klen);
    }
  }
  put(b, "\n");
}

static void fp_scopes(buf *b, const ks_engine *e) {
  char key[16];
  ks_token t;
  int i;
  put(b, "depth %zu top %llu scoped %d default %d open:", ks_scope_depth(e),
      (unsigned long long)ks_scope_top(e), ks_scoped_safe_mode(e),
      ks_default_safe_mode(e));
  for (t = 0; t <= TMAX; t++)
    if (ks_scope_is_open(e, t)) put(b, "%llu ", (unsigned long long)t);
  put(b, "\nscope:");
  for (i = 0; i < 20; i++) {
    int kl = snprintf(key, sizeof key, "s%d", i);
    put(b, "%lld ", (long long)ks_scope_lookup(e, key, (size_t)kl));
  }
  put(b, "\n");
}

/* Everything the API shows of e. Reading never allocates. */
static char *fingerprint(const ks_engine *e, const ks_t_alloc *A) {
  buf b = {NULL, 0, 256};
  size_t before = A->requests;
  if ((b.p = (char *)malloc(b.cap)) == NULL) abort();
  b.p[0] = '\0';
  fp_registry(&b, e);
  fp_modules(&b, e);
  fp_scopes(&b, e);
  CHECK(A->requests == before);
  return b.p;
}

/* ---- the sequence ---------------------------------------------------------------- */

typedef struct ctx {
  ks_t_alloc *A;
  ks_engine *e;
  int reported;   /* failures reported by the core */
  ks_token tok[TMAX + 1];
} ctx;

/* Runs `call` until it is not KS_ENOMEM; each KS_ENOMEM must have changed
** nothing. The call expression is evaluated again on every retry. */
#define STEP(c, call)                                              \
  do {                                                             \
    char *fp0_ = fingerprint((c)->e, (c)->A);                      \
    ks_status st_;                                                 \
    while ((st_ = (call)) == KS_ENOMEM) {                          \
      char *fp1_ = fingerprint((c)->e, (c)->A);                    \
      CHECK(strcmp(fp0_, fp1_) == 0);                              \
      free(fp1_);                                                  \
      (c)->reported++;                                             \
    }                                                              \
    CHECK(st_ == KS_OK);                                           \
    free(fp0_);                                                    \
  } while (0)

/* A map {prefix0 = base, prefix1 = base + 1, ...}, built through the
** failing allocator: ks_map_new may return NULL and ks_map_set may fail,
** and a failed set must leave the map as it was. */
static ks_map *build(ctx *c, const char *prefix, int n, ks_handle base) {
  ks_map *m;
  char key[16];
  int i, j;
  while ((m = ks_map_new(c->e)) == NULL) c->reported++;
  for (i = 0; i < n; i++) {
    int kl = snprintf(key, sizeof key, "%s%d", prefix, i);
    ks_status st;
    while ((st = ks_map_set(m, key, (size_t)kl, base + i)) == KS_ENOMEM) {
      int ok = ks_map_count(m) == (size_t)i;
      c->reported++;
      for (j = 0; j <= i; j++) {
        char k2[16];
        int l2 = snprintf(k2, sizeof k2, "%s%d", prefix, j);
        ok &= ks_map_get(m, k2, (size_t)l2) == (j < i ? base + j : KS_NOHANDLE);
      }
      CHECK(ok);
    }
    CHECK(st == KS_OK);
  }
  return m;
}

static ks_status reg(ctx *c, const char *pkg, const char *name, ks_handle h) {
  return ks_register(c->e, pkg, strlen(pkg), name, strlen(name), h);
}

static ks_status cset(ctx *c, const char *key, ks_handle h) {
  return ks_custom_set(c->e, key, strlen(key), h);
}

static ks_status modreg(ctx *c, int i, int n, ks_handle base) {
  char mod[16];
  int ml = snprintf(mod, sizeof mod, "m%d", i);
  return ks_module_register(c->e, mod, (size_t)ml, build(c, "f", n, base));
}

static ks_status push_obj(ctx *c, int slot, const char *prefix, ks_handle base) {
  return ks_scope_push_objects(c->e, build(c, prefix, 3, base), &c->tok[slot]);
}

static ks_status push_safe(ctx *c, int slot, int safe) {
  return ks_scope_push_safe_mode(c->e, safe, &c->tok[slot]);
}

static void registry_steps(ctx *c) {
  char name[16];
  int i;
  for (i = 0; i < 20; i++) {   /* crosses several growths of both tables */
    snprintf(name, sizeof name, "f%d", i);
    STEP(c, reg(c, "P", name, i + 1));
  }
  STEP(c, reg(c, "P", "f0", 100));   /* same key, new handle */
  STEP(c, reg(c, "Q", "g", 2));      /* same handle, new key */
  for (i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "free%d", i);
    STEP(c, cset(c, name, 50 + i));
  }
  STEP(c, cset(c, "P>f3", KS_NOHANDLE));
  STEP(c, cset(c, "P>f4", 101));
  STEP(c, cset(c, "Q>g", 2));
}

static void module_steps(ctx *c) {
  int i;
  for (i = 0; i < NMOD; i++) STEP(c, modreg(c, i, i % 2 ? 10 : 3, 200 + 10 * i));
  STEP(c, modreg(c, 2, 10, 200));    /* replace, sharing handles with m0 */
  STEP(c, modreg(c, 0, 9, 350));     /* replace the first one */
}

static void scope_steps(ctx *c) {
  char prefix[8];
  int i;
  for (i = 1; i <= 12; i++) {      /* the stack grows past its first block */
    snprintf(prefix, sizeof prefix, "s%d", i);
    if (i % 3 == 0) STEP(c, push_safe(c, i, i % 2));
    else STEP(c, push_obj(c, i, prefix, 300 + i));
  }
  CHECK(ks_scope_pop(c->e, c->tok[12]) == KS_OK);
  CHECK(ks_scope_remove(c->e, c->tok[5]) == KS_OK);
  CHECK(ks_scope_unwind(c->e, c->tok[10]) == 2);
  STEP(c, push_obj(c, 13, "s", 400));
  STEP(c, push_safe(c, 14, 0));
}

static void clear_steps(ctx *c) {
  ks_custom_clear(c->e);
  STEP(c, reg(c, "R", "again", 7));
  STEP(c, cset(c, "after", 8));
}

/* Runs the whole sequence with the fail_at-th request failing (0: none).
** Returns the final fingerprint. */
static char *run(ks_t_alloc *A, size_t fail_at, int *reported) {
  ctx c;
  char *fp;
  memset(&c, 0, sizeof c);
  memset(A, 0, sizeof *A);
  A->fail_at = fail_at;
  c.A = A;
  while ((c.e = ks_engine_new(ks_t_allocf, A)) == NULL) {
    c.reported++;
    CHECK(A->live == 0);
  }
  registry_steps(&c);
  module_steps(&c);
  scope_steps(&c);
  clear_steps(&c);
  fp = fingerprint(c.e, A);
  ks_engine_free(c.e);
  CHECK(A->live == 0);
  CHECK(A->bad_osize == 0);
  *reported = c.reported;
  return fp;
}

static void test_every_failure(void) {
  ks_t_alloc A;
  int reported;
  size_t n, total, mismatched = 0, unreported = 0;
  char *clean = run(&A, 0, &reported);
  total = A.requests;
  CHECK(reported == 0 && A.failed == 0);
  CHECK(total > 100);   /* the sequence really allocates */
  for (n = 1; n <= total; n++) {
    char *fp = run(&A, n, &reported);
    if (A.failed != 1 || reported != 1) unreported++;
    if (strcmp(fp, clean) != 0) mismatched++;
    free(fp);
  }
  CHECK(unreported == 0);   /* every failure reported by exactly one call */
  CHECK(mismatched == 0);   /* retried runs end where the clean run ends */
  printf("core_memory: %zu allocation points exercised\n", total);
  free(clean);
}

/* Freeing with everything still in place gives every byte back. */
static void test_free_everything(void) {
  ks_t_alloc A;
  int reported;
  char *fp = run(&A, 0, &reported);
  CHECK(A.live == 0);
  free(fp);
  /* and an engine that never allocated anything else */
  {
    ks_engine *e = ks_t_engine(&A);
    CHECK(e != NULL && A.live > 0);
    CHECK_ENGINE_FREED(e, &A);
  }
  ks_engine_free(NULL);
  CHECK(ks_engine_new(NULL, NULL) == NULL);
}

int main(void) {
  test_every_failure();
  test_free_everything();
  return ks_test_report("core_memory");
}
