/* test_envelope.c - the envelope rules: what an envelope is, key types,
** kinds, markers, the resolution order and the inconsistency refusal. */
#include "ks_test.h"

static ks_envelope env0(void) {
  ks_envelope env;
  memset(&env, 0, sizeof env);
  return env;
}

static void set_str(ks_envelope *env, ks_env_key k, const char *s, size_t len) {
  env->f[k].type = KS_V_STRING;
  env->f[k].s = s;
  env->f[k].len = len;
}

static void set_type(ks_envelope *env, ks_env_key k, ks_vtype t) {
  env->f[k].type = t;
  env->f[k].s = NULL;
  env->f[k].len = 0;
}

/* A class envelope {"class_name": name, "config": {}}. */
static ks_envelope class_env(const char *name, size_t len) {
  ks_envelope env = env0();
  set_str(&env, KS_ENV_CLASS_NAME, name, len);
  set_type(&env, KS_ENV_CONFIG, KS_V_DICT);
  return env;
}

static void test_keys_and_markers(void) {
  CHECK(strcmp(ks_envelope_key(KS_ENV_CLASS_NAME), "class_name") == 0);
  CHECK(strcmp(ks_envelope_key(KS_ENV_SHARED_OBJECT_ID), "shared_object_id") == 0);
  CHECK(strcmp(ks_envelope_key(KS_ENV_COMPILE_CONFIG), "compile_config") == 0);
  CHECK(ks_envelope_key(KS_ENV_NKEYS) == NULL);
  CHECK(ks_is_marker_name(S("__tuple__")));
  CHECK(ks_is_marker_name(S("__a__")));
  CHECK(!ks_is_marker_name(S("____")));       /* needs a name inside */
  CHECK(!ks_is_marker_name(S("__tuple_")));
  CHECK(!ks_is_marker_name(S("_tuple__")));
  CHECK(!ks_is_marker_name(S("tuple")));
  CHECK(!ks_is_marker_name(NULL, 6));
}

static void test_what_is_an_envelope(void) {
  ks_envelope env = env0();
  ks_env_verdict v;
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_NOT);
  set_str(&env, KS_ENV_CLASS_NAME, S("Dense"));
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_NOT);
  set_type(&env, KS_ENV_CONFIG, KS_V_NULL);        /* null counts as present */
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_CLASS);
  env = env0();
  set_type(&env, KS_ENV_CONFIG, KS_V_DICT);
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_NOT);
  /* any class_name type makes it an envelope; a non-string is refused */
  set_type(&env, KS_ENV_CLASS_NAME, KS_V_INTEGER);
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_EKEYTYPE &&
        v.key == KS_ENV_CLASS_NAME && strcmp(v.want, "a string") == 0);
  set_type(&env, KS_ENV_CLASS_NAME, KS_V_NULL);
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_EKEYTYPE && v.key == KS_ENV_CLASS_NAME);
  CHECK(ks_envelope_check(NULL, &v) == KS_ENV_EINVAL);
  CHECK(ks_envelope_check(&env, NULL) == KS_ENV_EINVAL);
}

static void test_kinds(void) {
  ks_env_verdict v;
  ks_envelope env = class_env(S("__lambda__"));
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_LAMBDA);
  set_type(&env, KS_ENV_CONFIG, KS_V_STRING);   /* checked after safe mode */
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_LAMBDA);
  env = class_env(S("__bytes__"));
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_BYTES);
  set_type(&env, KS_ENV_CONFIG, KS_V_NULL);
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_EKEYTYPE && v.key == KS_ENV_CONFIG);
  env = class_env(S("__tuple__"));
  set_type(&env, KS_ENV_CONFIG, KS_V_ARRAY);        /* a marker keeps any config */
  set_type(&env, KS_ENV_MODULE, KS_V_INTEGER);
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_MARKER);
  env.special = 1;                                  /* a registered handler wins */
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_SPECIAL);
  env = class_env(S("__lambda__\0x"));              /* NUL does not cut the name */
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_CLASS);
  env = class_env(S("function"));
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_EKEYTYPE && v.kind == KS_ENV_FUNCTION &&
        v.key == KS_ENV_CONFIG && strcmp(v.want, "its name (a string)") == 0);
  set_str(&env, KS_ENV_CONFIG, S("relu"));
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_FUNCTION);
  set_type(&env, KS_ENV_MODULE, KS_V_ARRAY);
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_EKEYTYPE && v.key == KS_ENV_MODULE);
  /* registered_name is not used for functions (Keras writes "function") */
  set_type(&env, KS_ENV_MODULE, KS_V_NULL);
  set_type(&env, KS_ENV_REGISTERED_NAME, KS_V_INTEGER);
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK);
}

/* Each class key, alone of a wrong type, is the fault reported. */
static void test_class_key_types(void) {
  static const struct { ks_env_key k; ks_vtype good, bad; const char *want; } cases[] = {
    {KS_ENV_SHARED_OBJECT_ID, KS_V_INTEGER, KS_V_FLOAT, "an integer"},
    {KS_ENV_SHARED_OBJECT_ID, KS_V_NULL, KS_V_STRING, "an integer"},
    {KS_ENV_CONFIG, KS_V_NULL, KS_V_STRING, "a dict or null"},
    {KS_ENV_CONFIG, KS_V_ARRAY, KS_V_BOOLEAN, "a dict or null"},
    {KS_ENV_CONFIG, KS_V_DICT, KS_V_OTHER, "a dict or null"},
    {KS_ENV_BUILD_CONFIG, KS_V_DICT, KS_V_INTEGER, "a dict or null"},
    {KS_ENV_BUILD_CONFIG, KS_V_NULL, KS_V_ARRAY, "a dict or null"},
    {KS_ENV_COMPILE_CONFIG, KS_V_DICT, KS_V_STRING, "a dict or null"},
    {KS_ENV_REGISTERED_NAME, KS_V_NULL, KS_V_BOOLEAN, "a string or null"},
    {KS_ENV_MODULE, KS_V_NULL, KS_V_DICT, "a string or null"},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ks_env_verdict v;
    ks_envelope env = class_env(S("Dense"));
    set_type(&env, cases[i].k, cases[i].good);
    CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK && v.kind == KS_ENV_CLASS);
    set_type(&env, cases[i].k, cases[i].bad);
    CHECK(ks_envelope_check(&env, &v) == KS_ENV_EKEYTYPE && v.key == cases[i].k &&
          strcmp(v.want, cases[i].want) == 0);
  }
  {   /* the first fault in the documented order wins */
    ks_env_verdict v;
    ks_envelope env = class_env(S("Dense"));
    set_type(&env, KS_ENV_MODULE, KS_V_INTEGER);
    set_type(&env, KS_ENV_BUILD_CONFIG, KS_V_INTEGER);
    CHECK(ks_envelope_check(&env, &v) == KS_ENV_EKEYTYPE && v.key == KS_ENV_BUILD_CONFIG);
  }
}

static ks_env_error resolve(ks_engine *e, ks_envelope *env, const ks_map *custom,
                            const ks_map *modobjs, ks_env_verdict *v) {
  if (ks_envelope_check(env, v) != KS_ENV_OK) return KS_ENV_EKEYTYPE;
  return ks_envelope_resolve(e, env, custom, modobjs, v);
}

static void test_resolve_class(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_map *mod = ks_map_new(e), *custom = ks_map_new(e);
  ks_env_verdict v;
  ks_envelope env = class_env(S("Dense"));
  CHECK(ks_register(e, S("pkg"), S("Dense"), 10) == KS_OK);
  CHECK(ks_map_set(mod, S("Dense"), 20) == KS_OK);
  CHECK(ks_map_set(mod, S("Conv"), 21) == KS_OK);
  CHECK(ks_module_register(e, S("keras.layers"), mod) == KS_OK);
  CHECK(ks_map_set(custom, S("Custom"), 30) == KS_OK);
  /* class_name alone: not registered under "Dense" */
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_ENOTFOUND && v.h == KS_NOHANDLE &&
        v.expect_class == 1);
  CHECK_BYTES(v.name, v.nlen, "Dense");
  /* registered_name goes through the lookup */
  set_str(&env, KS_ENV_REGISTERED_NAME, S("pkg>Dense"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_OK && v.h == 10);
  CHECK_BYTES(v.name, v.nlen, "pkg>Dense");
  /* "" or null registered_name: class_name is the key */
  set_str(&env, KS_ENV_REGISTERED_NAME, S(""));
  set_str(&env, KS_ENV_MODULE, S("keras.layers"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_OK && v.h == 20);
  CHECK_BYTES(v.name, v.nlen, "Dense");
  set_type(&env, KS_ENV_REGISTERED_NAME, KS_V_NULL);
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_OK && v.h == 20);
  /* the lookup wins over the module */
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_OK && v.h == 20);
  set_str(&env, KS_ENV_REGISTERED_NAME, S("pkg>Dense"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_OK && v.h == 10);
  /* registered_name equal to class_name may fall back to the module */
  set_str(&env, KS_ENV_REGISTERED_NAME, S("Dense"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_OK && v.h == 20);
  /* an unknown registered_name with module + class_name known: refused */
  set_str(&env, KS_ENV_REGISTERED_NAME, S("evil>Dense"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_EINCONSISTENT && v.h == KS_NOHANDLE);
  CHECK_BYTES(v.name, v.nlen, "evil>Dense");
  /* ... and with no module behind it, simply not found */
  set_str(&env, KS_ENV_MODULE, S("other"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_ENOTFOUND);
  /* custom_objects take part in the lookup */
  env = class_env(S("Custom"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_ENOTFOUND);
  CHECK(resolve(e, &env, custom, NULL, &v) == KS_ENV_OK && v.h == 30);
  CHECK(resolve(e, &env, NULL, custom, &v) == KS_ENV_OK && v.h == 30);
  /* classes never use the suffix fallback */
  env = class_env(S("Dense"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_ENOTFOUND);
  /* only checked function or class envelopes resolve */
  env = class_env(S("__tuple__"));
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_OK);
  CHECK(ks_envelope_resolve(e, &env, NULL, NULL, &v) == KS_ENV_EINVAL);
  env = class_env(S("Dense"));
  set_type(&env, KS_ENV_CONFIG, KS_V_STRING);
  CHECK(ks_envelope_check(&env, &v) == KS_ENV_EKEYTYPE);
  CHECK(ks_envelope_resolve(e, &env, NULL, NULL, &v) == KS_ENV_EINVAL &&
        v.err == KS_ENV_EKEYTYPE);
  ks_map_free(custom);
  ks_engine_free(e);
  CHECK(A.live == 0 && A.bad_osize == 0);
}

static void test_resolve_function(void) {
  ks_t_alloc A;
  ks_engine *e = ks_t_engine(&A);
  ks_map *mod = ks_map_new(e);
  ks_env_verdict v;
  ks_envelope env = class_env(S("function"));
  set_str(&env, KS_ENV_CONFIG, S("relu"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_ENOTFOUND && v.expect_class == 0);
  CHECK_BYTES(v.name, v.nlen, "relu");
  /* the bare-name suffix fallback: exactly one "...>relu" key */
  CHECK(ks_register(e, S("pkg"), S("relu"), 5) == KS_OK);
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_OK && v.h == 5);
  CHECK(ks_register(e, S("other"), S("relu"), 6) == KS_OK);
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_ENOTFOUND);   /* ambiguous */
  /* the module comes before the suffix */
  CHECK(ks_map_set(mod, S("relu"), 7) == KS_OK);
  CHECK(ks_module_register(e, S("keras.activations"), mod) == KS_OK);
  set_str(&env, KS_ENV_MODULE, S("keras.activations"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_OK && v.h == 7);
  /* the lookup comes before the module */
  CHECK(ks_custom_set(e, S("relu"), 8) == KS_OK);
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_OK && v.h == 8);
  /* a name with '>' never uses the suffix */
  set_type(&env, KS_ENV_MODULE, KS_V_NULL);
  set_str(&env, KS_ENV_CONFIG, S("x>relu"));
  CHECK(resolve(e, &env, NULL, NULL, &v) == KS_ENV_ENOTFOUND);
  ks_engine_free(e);
  CHECK(A.live == 0 && A.bad_osize == 0);
}

/* ks_envelope_name: the name ks_envelope_resolve looks a class up by. */
static void test_envelope_name(void) {
  size_t len = 99;
  ks_envelope env = class_env(S("Dense"));
  const char *n = ks_envelope_name(&env, &len);
  CHECK_BYTES(n, len, "Dense");
  set_str(&env, KS_ENV_REGISTERED_NAME, S("pkg>Dense"));
  n = ks_envelope_name(&env, &len);
  CHECK_BYTES(n, len, "pkg>Dense");
  set_str(&env, KS_ENV_REGISTERED_NAME, S(""));        /* "": class_name */
  n = ks_envelope_name(&env, &len);
  CHECK_BYTES(n, len, "Dense");
  set_type(&env, KS_ENV_REGISTERED_NAME, KS_V_NULL);   /* null: class_name */
  n = ks_envelope_name(&env, &len);
  CHECK_BYTES(n, len, "Dense");
  set_type(&env, KS_ENV_CLASS_NAME, KS_V_INTEGER);     /* no string: none */
  CHECK(ks_envelope_name(&env, &len) == NULL);
}

int main(void) {
  test_envelope_name();
  test_keys_and_markers();
  test_what_is_an_envelope();
  test_kinds();
  test_class_key_types();
  test_resolve_class();
  test_resolve_function();
  return ks_test_report("core_envelope");
}
