/*
** envelope.c - the rules of an envelope, in one place: what an envelope
** is, the types of its keys, marker names, class versus function, the
** resolution order and the refusal of an inconsistent envelope.
**
** The binding reads a dict into a ks_envelope (types and string bytes);
** deserialize and scan both ask these functions, so the loader and the
** scanner cannot disagree about a document.
*/
#include <string.h>
#include "ks_core.h"

static const char *const KEYS[KS_ENV_NKEYS] = {
  "module", "class_name", "config", "registered_name", "shared_object_id",
  "build_config", "compile_config"
};

const char *ks_envelope_key(ks_env_key k) {
  return (unsigned)k < KS_ENV_NKEYS ? KEYS[k] : NULL;
}

KSL_HOT int ks_is_marker_name(const char *s, size_t len) {
  return s != NULL && len > 4 && s[0] == '_' && s[1] == '_' &&
         s[len - 1] == '_' && s[len - 2] == '_';
}

#define IS(f, lit) \
  ((f)->len == sizeof(lit) - 1 && memcmp((f)->s, (lit), sizeof(lit) - 1) == 0)

KSL_HOT static int present(const ks_env_field *f) { return f->type != KS_V_ABSENT; }

/* Records a key of the wrong type; returns 1 when there was one. */
KSL_HOT static int bad(ks_env_verdict *v, ks_env_key k, const char *want) {
  v->err = KS_ENV_EKEYTYPE;
  v->key = k;
  v->want = want;
  return 1;
}

/* What a class envelope's key k must hold when its value has type t:
** NULL when it may, else the rule's words ("a dict or null"). */
KSL_HOT const char *ks_envelope_want(ks_env_key k, ks_vtype t) {
  int none = t == KS_V_ABSENT || t == KS_V_NULL;
  switch (k) {
    case KS_ENV_CLASS_NAME:
      return t == KS_V_STRING ? NULL : "a string";
    case KS_ENV_SHARED_OBJECT_ID:
      return none || t == KS_V_INTEGER ? NULL : "an integer";
    case KS_ENV_CONFIG:   /* Keras 2 wrote list-style configs (Sequential) */
      return none || t == KS_V_DICT || t == KS_V_ARRAY ? NULL : "a dict or null";
    case KS_ENV_BUILD_CONFIG: case KS_ENV_COMPILE_CONFIG:
      return none || t == KS_V_DICT ? NULL : "a dict or null";
    case KS_ENV_REGISTERED_NAME: case KS_ENV_MODULE:
      return none || t == KS_V_STRING ? NULL : "a string or null";
    default:
      return NULL;
  }
}

KSL_HOT static ks_env_kind kind_of(const ks_envelope *env) {
  const ks_env_field *c = &env->f[KS_ENV_CLASS_NAME];
  if (env->special) return KS_ENV_SPECIAL;
  if (IS(c, "__lambda__")) return KS_ENV_LAMBDA;
  if (IS(c, "__bytes__")) return KS_ENV_BYTES;
  if (ks_is_marker_name(c->s, c->len)) return KS_ENV_MARKER;
  if (IS(c, "function")) return KS_ENV_FUNCTION;
  return KS_ENV_CLASS;
}

KSL_HOT static void check_class(const ks_envelope *env, ks_env_verdict *v) {
  static const ks_env_key order[] = {
    KS_ENV_SHARED_OBJECT_ID, KS_ENV_CONFIG, KS_ENV_BUILD_CONFIG,
    KS_ENV_COMPILE_CONFIG, KS_ENV_REGISTERED_NAME, KS_ENV_MODULE
  };
  size_t i;
  for (i = 0; i < sizeof order / sizeof order[0]; i++) {
    const char *want = ks_envelope_want(order[i], env->f[order[i]].type);
    if (want != NULL) {
      bad(v, order[i], want);
      return;
    }
  }
}

static void check_function(const ks_envelope *env, ks_env_verdict *v) {
  const char *want = ks_envelope_want(KS_ENV_MODULE, env->f[KS_ENV_MODULE].type);
  if (want != NULL) {
    bad(v, KS_ENV_MODULE, want);
    return;
  }
  if (env->f[KS_ENV_CONFIG].type != KS_V_STRING)
    bad(v, KS_ENV_CONFIG, "its name (a string)");
}

KSL_HOT ks_env_error ks_envelope_check(const ks_envelope *env, ks_env_verdict *v) {
  if (v == NULL) return KS_ENV_EINVAL;
  memset(v, 0, sizeof *v);
  if (env == NULL) return v->err = KS_ENV_EINVAL;
  if (!present(&env->f[KS_ENV_CLASS_NAME]) || !present(&env->f[KS_ENV_CONFIG]))
    return KS_ENV_OK;                                  /* a plain dict */
  v->kind = KS_ENV_CLASS;
  if (env->f[KS_ENV_CLASS_NAME].type != KS_V_STRING) {
    bad(v, KS_ENV_CLASS_NAME, "a string");
    return v->err;
  }
  v->kind = kind_of(env);
  switch (v->kind) {
    case KS_ENV_BYTES:
      if (env->f[KS_ENV_CONFIG].type != KS_V_DICT) bad(v, KS_ENV_CONFIG, "a dict");
      break;
    case KS_ENV_FUNCTION:
      check_function(env, v);
      break;
    case KS_ENV_CLASS:
      check_class(env, v);
      break;
    default:
      break;
  }
  return v->err;
}

/* ---- resolution ------------------------------------------------------------ */

static const char *opt_text(const ks_env_field *f, size_t *len) {
  *len = f->type == KS_V_STRING ? f->len : 0;
  return f->type == KS_V_STRING ? f->s : NULL;
}

static ks_handle in_module(const ks_engine *e, const ks_envelope *env,
                           const char *name, size_t len) {
  size_t mlen;
  const char *module = opt_text(&env->f[KS_ENV_MODULE], &mlen);
  return module ? ks_module_lookup(e, module, mlen, name, len) : KS_NOHANDLE;
}

static void resolve_function(const ks_engine *e, const ks_envelope *env,
                             const ks_map *custom, const ks_map *modobjs,
                             ks_env_verdict *v) {
  const char *name = env->f[KS_ENV_CONFIG].s;
  size_t len = env->f[KS_ENV_CONFIG].len;
  ks_handle h = ks_lookup(e, name, len, custom, modobjs, NULL);
  if (h == KS_NOHANDLE) h = in_module(e, env, name, len);
  /* Keras 3.6 and older wrote registered functions by their bare name */
  if (h == KS_NOHANDLE && memchr(name, '>', len) == NULL)
    h = ks_lookup_suffix(e, name, len);
  v->name = name;
  v->nlen = len;
  v->h = h;
  v->expect_class = 0;
  if (h == KS_NOHANDLE) v->err = KS_ENV_ENOTFOUND;
}

KSL_HOT const char *ks_envelope_name(const ks_envelope *env, size_t *len) {
  size_t rlen;
  const char *rname = opt_text(&env->f[KS_ENV_REGISTERED_NAME], &rlen);
  if (rname != NULL && rlen > 0) {
    *len = rlen;
    return rname;
  }
  return opt_text(&env->f[KS_ENV_CLASS_NAME], len);
}

static void resolve_class(const ks_engine *e, const ks_envelope *env,
                          const ks_map *custom, const ks_map *modobjs,
                          ks_env_verdict *v) {
  size_t clen = env->f[KS_ENV_CLASS_NAME].len, rlen;
  const char *cname = env->f[KS_ENV_CLASS_NAME].s;
  const char *rname = opt_text(&env->f[KS_ENV_REGISTERED_NAME], &rlen);
  int by_rname = rname != NULL && rlen > 0;
  ks_handle h;
  v->name = ks_envelope_name(env, &v->nlen);
  v->expect_class = 1;
  h = ks_lookup(e, v->name, v->nlen, custom, modobjs, NULL);
  if (h == KS_NOHANDLE) {
    h = in_module(e, env, cname, clen);
    if (h == KS_NOHANDLE) {
      v->err = KS_ENV_ENOTFOUND;
    } else if (by_rname && !(rlen == clen && memcmp(rname, cname, clen) == 0)) {
      /* the name the writer recorded is not ours: refuse to guess */
      h = KS_NOHANDLE;
      v->err = KS_ENV_EINCONSISTENT;
    }
  }
  v->h = h;
}

ks_env_error ks_envelope_resolve(const ks_engine *e, const ks_envelope *env,
                                 const ks_map *custom_objects,
                                 const ks_map *module_objects,
                                 ks_env_verdict *v) {
  /* only a checked function or class envelope can be resolved */
  if (v == NULL || e == NULL || env == NULL || v->err != KS_ENV_OK ||
      (v->kind != KS_ENV_FUNCTION && v->kind != KS_ENV_CLASS))
    return KS_ENV_EINVAL;
  v->h = KS_NOHANDLE;
  if (v->kind == KS_ENV_FUNCTION)
    resolve_function(e, env, custom_objects, module_objects, v);
  else
    resolve_class(e, env, custom_objects, module_objects, v);
  return v->err;
}
