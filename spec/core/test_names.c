/* test_names.c - ks_check_name, name validation in ks_register, ks_strerror. */
#include "ks_test.h"

static void test_check_name(void) {
  CHECK(ks_check_name(S("Dense")) == KS_OK);
  CHECK(ks_check_name(S("a")) == KS_OK);
  CHECK(ks_check_name(S("my package.v2 (x)")) == KS_OK);
  CHECK(ks_check_name(S("caf\xc3\xa9")) == KS_OK);      /* UTF-8 */
  CHECK(ks_check_name(S("\xff\xfe")) == KS_OK);         /* any other byte */
  CHECK(ks_check_name(S("")) == KS_EBADNAME);
  CHECK(ks_check_name(NULL, 0) == KS_EBADNAME);
  CHECK(ks_check_name(S(">")) == KS_EBADNAME);
  CHECK(ks_check_name(S("a>b")) == KS_EBADNAME);
  CHECK(ks_check_name(S(">a")) == KS_EBADNAME);
  CHECK(ks_check_name(S("a>")) == KS_EBADNAME);
  CHECK(ks_check_name(S("\0")) == KS_EBADNAME);
  CHECK(ks_check_name(S("a\0b")) == KS_EBADNAME);
  CHECK(ks_check_name(S("ab\0")) == KS_EBADNAME);
  /* only the counted bytes matter: a '>' past len is not part of the name */
  CHECK(ks_check_name("ab>", 2) == KS_OK);
  CHECK(ks_check_name(NULL, 3) == KS_EINVAL);
}

/* A key that names an object: NUL is refused wherever names enter the
** engine (global dict, modules and their members, scope frames). */
static void test_check_key(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_map *m = ks_map_new(e), *frame;
  ks_token t;
  CHECK(ks_check_key(S("a>b")) == KS_OK);          /* '>' is fine in a key */
  CHECK(ks_check_key(S("")) == KS_EBADNAME);
  CHECK(ks_check_key(S("x\0y")) == KS_EBADNAME);
  CHECK(ks_check_key(NULL, 2) == KS_EINVAL);
  CHECK(ks_custom_set(e, S("Dense\0junk"), 1) == KS_EBADNAME);
  CHECK(ks_custom_get(e, S("Dense")) == KS_NOHANDLE);
  CHECK(ks_map_set(m, S("ok"), 2) == KS_OK);
  CHECK(ks_check_keys(m) == KS_OK);
  CHECK(ks_module_register(e, S("mod\0x"), m) == KS_EBADNAME);   /* m freed */
  CHECK(!ks_module_exists(e, S("mod")));
  m = ks_map_new(e);
  CHECK(ks_map_set(m, S("ok"), 2) == KS_OK && ks_map_set(m, S("f\0x"), 3) == KS_OK);
  CHECK(ks_check_keys(m) == KS_EBADNAME);
  CHECK(ks_module_register(e, S("mod"), m) == KS_EBADNAME);
  CHECK(!ks_module_exists(e, S("mod")));
  frame = ks_map_new(e);
  CHECK(ks_map_set(frame, S("\0"), 4) == KS_OK);
  CHECK(ks_scope_push_objects(e, frame, &t) == KS_EBADNAME);
  CHECK(ks_scope_depth(e) == 0);
  CHECK(ks_check_keys(NULL) == KS_EINVAL);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_register_validates(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  CHECK(ks_register(e, S(""), S("f"), 1) == KS_EBADNAME);
  CHECK(ks_register(e, S("P"), S(""), 1) == KS_EBADNAME);
  CHECK(ks_register(e, S("P>Q"), S("f"), 1) == KS_EBADNAME);
  CHECK(ks_register(e, S("P"), S("f>g"), 1) == KS_EBADNAME);
  CHECK(ks_register(e, S("P\0"), S("f"), 1) == KS_EBADNAME);
  CHECK(ks_register(e, S("P"), S("\0f"), 1) == KS_EBADNAME);
  CHECK(ks_register(e, NULL, 1, S("f"), 1) == KS_EINVAL);
  CHECK(ks_register(e, S("P"), S("f"), KS_NOHANDLE) == KS_EINVAL);
  CHECK(ks_register(NULL, S("P"), S("f"), 1) == KS_EINVAL);
  /* nothing was registered by any of the refused calls */
  CHECK(ks_map_count(ks_custom_map(e)) == 0);
  CHECK(ks_registered_name(e, 1, NULL) == NULL);
  /* the key is exactly pkg ">" name: "ab">"c" and "a">"bc" differ */
  CHECK(ks_register(e, S("ab"), S("c"), 1) == KS_OK);
  CHECK(ks_register(e, S("a"), S("bc"), 2) == KS_OK);
  CHECK(ks_custom_get(e, S("ab>c")) == 1);
  CHECK(ks_custom_get(e, S("a>bc")) == 2);
  CHECK(ks_map_count(ks_custom_map(e)) == 2);
  CHECK_ENGINE_FREED(e, &A);
}

static void test_strerror(void) {
  static const ks_status all[] = {KS_OK, KS_ENOMEM, KS_EBADNAME, KS_ENOTFOUND,
                                  KS_ESCOPEORDER, KS_ECLOSED, KS_EINVAL};
  const size_t n = sizeof all / sizeof all[0];
  const char *unknown = ks_strerror((ks_status)12345);
  size_t i, j;
  CHECK(unknown != NULL && unknown[0] != '\0');
  CHECK(ks_strerror((ks_status)-1) != NULL);
  for (i = 0; i < n; i++) {
    const char *t = ks_strerror(all[i]);
    CHECK(t != NULL && t[0] != '\0' && strcmp(t, unknown) != 0);
    for (j = 0; j < i; j++) CHECK(strcmp(t, ks_strerror(all[j])) != 0);
  }
  CHECK(strstr(ks_strerror(KS_ESCOPEORDER), "order") != NULL);
  CHECK(strstr(ks_strerror(KS_ENOMEM), "memory") != NULL);
}

int main(void) {
  test_check_name();
  test_check_key();
  test_register_validates();
  test_strerror();
  return ks_test_report("core_names");
}
