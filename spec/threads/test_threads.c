/*
** test_threads.c - many lua_States with kserial, one per thread, at once.
**
** Each thread owns its states (a new one every STATE_LIFE iterations, so
** engines are created and freed while the other threads work) and runs,
** in a loop, the Lua work of worker.lua (registration, scopes, safe mode,
** dumps/loads, serialize/deserialize with shared objects, the JSON codec,
** scan, failing calls) and the C embedding helpers of kserial_lua.h. Every
** result is checked; the graph that is the same in every thread must give
** the same bytes as the reference the main thread made before the start.
** Built normally it is a functional test; built with KSERIAL_TSAN it is the
** data-race test (tools/tsan.sh). Every state runs on a counting allocator:
** its memory (Lua's and the engine's) must stay flat over its life and be
** all given back by lua_close.
**
** Not used here: cjson_parse of require "kserial.testhooks", a test-only
** hook (not part of the library's API) that calls
** cJSON_ParseWithLengthOpts, which writes cJSON's process-wide error pointer
** on every call (even with return_parse_end given). cJSON is not
** instrumented, so TSan could not see that race; nothing else in kserial
** calls a cJSON function that writes process-wide state.
**
**   test_threads WORKER.lua [threads [iterations]]
*/
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "kserial_cjson.h"

#if defined(__SANITIZE_THREAD__)
#define KS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KS_TSAN 1
#endif
#endif

#ifdef KS_TSAN
#include <setjmp.h>
/* Debian's liblua5.4 is built with _FORTIFY_SOURCE, so lua_error leaves
** through glibc's __longjmp_chk, which ThreadSanitizer does not intercept
** (google/sanitizers#721). The frames of instrumented kserial functions such
** a jump skips are then never popped from TSan's shadow stack, which grows
** with every error (gigabytes after a few hundred failing loads, then a
** CHECK failure in TSan's stack depot). Defined in the executable, this one
** takes the place of glibc's for liblua and jumps through TSan's longjmp
** interceptor, which unwinds the shadow stack. TSan builds only. It must be
** exported from the executable to take glibc's place: the build hides
** symbols by default (-fvisibility=hidden), so it says so itself. */
__attribute__((visibility("default")))
_Noreturn void __longjmp_chk(jmp_buf env, int val);
_Noreturn void __longjmp_chk(jmp_buf env, int val) { longjmp(env, val); }
#endif

#define MAX_THREADS 64
#define STATE_LIFE 64      /* iterations per lua_State */
#define NREF 8             /* reference texts, for i % NREF */
#define MAX_REPORTS 5      /* failure messages printed per thread */
#define GROWTH_BOUND 4096  /* bytes a state may grow by over its life, after warm-up */

/* Read-only once the threads start. */
typedef struct shared {
  const char *worker;      /* worker.lua's text */
  size_t worker_len;
  int nthreads, iterations;
  char *ref[NREF];         /* dumps(common(i)) made by the main thread */
} shared;

/* Bytes a state holds through its allocator: Lua's own memory and the
** engine's (the engine allocates through lua_getallocf). */
typedef struct counter {
  size_t in_use;
} counter;

static void *count_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  counter *c = (counter *)ud;
  void *p;
  if (nsize == 0) {
    if (ptr != NULL) c->in_use -= osize;
    free(ptr);
    return NULL;
  }
  p = realloc(ptr, nsize);
  if (p != NULL) c->in_use += nsize - (ptr != NULL ? osize : 0);
  return p;
}

typedef struct job {
  const shared *sh;
  int tid;
  counter mem;
  long passed, failed;
  int reported;
  pthread_t thread;
} job;

static void failf(job *j, const char *fmt, ...) {
  va_list ap;
  j->failed++;
  if (j->reported++ >= MAX_REPORTS) return;
  fprintf(stderr, "thread %d: ", j->tid);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

#define CHECK(j, c, ...) \
  do { if (c) (j)->passed++; else failf((j), __VA_ARGS__); } while (0)

/* A new state with kserial open and worker.lua loaded: the worker table is
** left at stack index 1. NULL (and a message) on failure. */
static lua_State *open_state(const shared *sh, int tid, job *j, counter *mem) {
  lua_State *L = lua_newstate(count_alloc, mem);
  if (L == NULL) {
    if (j) failf(j, "lua_newstate failed");
    return NULL;
  }
  luaL_openlibs(L);
  luaL_requiref(L, "kserial", luaopen_kserial, 1);
  if (luaL_loadbuffer(L, sh->worker, sh->worker_len, "=worker.lua") != LUA_OK) goto fail;
  lua_pushvalue(L, -2);                      /* the module */
  lua_pushinteger(L, tid);
  lua_pushinteger(L, sh->nthreads);
  if (lua_pcall(L, 3, 1, 0) != LUA_OK) goto fail;
  lua_remove(L, 1);                          /* the module: the global holds it */
  return L;
fail:
  if (j) failf(j, "opening a state: %s", lua_tostring(L, -1));
  else fprintf(stderr, "opening a state: %s\n", lua_tostring(L, -1));
  lua_close(L);
  return NULL;
}

/* Calls worker.name(i) in protected mode, leaving `nres` results. */
static int call_worker(lua_State *L, const char *name, lua_Integer i, int nres) {
  lua_getfield(L, 1, name);
  lua_pushinteger(L, i);
  return lua_pcall(L, 1, nres, 0);
}

static const char *field_str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int str_is(const char *s, const char *want) {
  return s != NULL && strcmp(s, want) == 0;
}

/* The C half of one iteration; the stack is left as it was found. */
static void c_iteration(job *j, lua_State *L, int i) {
  const int tid = j->tid, top = lua_gettop(L);
  int model, st;
  char key[64], pkg[32], mod[32];
  size_t len;
  const char *text;

  /* dumps from C and from Lua give the same bytes; loads gives it back */
  if (call_worker(L, "model", i, 1) != LUA_OK) {
    failf(j, "model(): %s", lua_tostring(L, -1));
    lua_settop(L, top);
    return;
  }
  model = lua_gettop(L);
  st = kserial_lua_dumps(L, model, 0);
  CHECK(j, st == LUA_OK, "kserial_lua_dumps: %s", lua_tostring(L, -1));
  if (st != LUA_OK) { lua_settop(L, top); return; }
  text = lua_tolstring(L, -1, &len);           /* stays on the stack */
  lua_getfield(L, 1, "dumps");
  lua_pushvalue(L, model);
  st = lua_pcall(L, 1, 1, 0);
  CHECK(j, st == LUA_OK && lua_rawequal(L, -1, -2), "Lua dumps differs from C dumps");
  lua_pop(L, 1);

  st = kserial_lua_loads(L, text, len, 0);
  CHECK(j, st == LUA_OK, "kserial_lua_loads: %s", lua_tostring(L, -1));
  if (st == LUA_OK) {
    int back = lua_gettop(L);
    lua_getfield(L, 1, "check_model");
    lua_pushvalue(L, back);
    lua_pushinteger(L, i);
    st = lua_pcall(L, 2, 1, 0);
    CHECK(j, st == LUA_OK, "loads: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    st = kserial_lua_dumps(L, back, 0);
    CHECK(j, st == LUA_OK && strcmp(lua_tostring(L, -1), text) == 0,
          "dumps(loads(text)) differs");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);

  /* serialize / deserialize */
  st = kserial_lua_serialize(L, model);
  CHECK(j, st == LUA_OK && lua_istable(L, -1), "kserial_lua_serialize: %s",
        lua_tostring(L, -1));
  if (st == LUA_OK) {
    st = kserial_lua_deserialize(L, -1, 0);
    CHECK(j, st == LUA_OK, "kserial_lua_deserialize: %s", lua_tostring(L, -1));
    if (st == LUA_OK) {
      lua_getfield(L, 1, "check_model");
      lua_insert(L, -2);
      lua_pushinteger(L, i);
      st = lua_pcall(L, 2, 1, 0);
      CHECK(j, st == LUA_OK, "deserialize: %s", lua_tostring(L, -1));
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);

  /* cJSON out, inspected with cJSON's API, and in again */
  {
    cJSON *doc = NULL;
    st = kserial_lua_to_cjson(L, model, &doc);
    CHECK(j, st == LUA_OK && doc != NULL, "kserial_lua_to_cjson: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    if (doc != NULL) {
      const cJSON *layers = cJSON_GetObjectItemCaseSensitive(doc, "layers");
      const cJSON *a = cJSON_GetArrayItem(layers, 0), *b = cJSON_GetArrayItem(layers, 1);
      const cJSON *c = cJSON_GetArrayItem(layers, 2);
      const cJSON *wa = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(a, "config"), "weights");
      const cJSON *wb = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(b, "config"), "weights");
      const cJSON *ida = cJSON_GetObjectItemCaseSensitive(wa, "shared_object_id");
      const cJSON *idb = cJSON_GetObjectItemCaseSensitive(wb, "shared_object_id");
      char *printed;
      snprintf(key, sizeof key, "t%d>Mine", tid);
      CHECK(j, cJSON_GetArraySize(layers) == 3, "cJSON: %d layers", cJSON_GetArraySize(layers));
      CHECK(j, str_is(field_str(a, "registered_name"), "shared>Layer") &&
               str_is(field_str(c, "registered_name"), key), "cJSON: registered names");
      CHECK(j, ida != NULL && idb != NULL && ida->valuestring != NULL &&
               idb->valuestring != NULL && strcmp(ida->valuestring, "1") == 0 &&
               strcmp(idb->valuestring, "1") == 0, "cJSON: shared_object_id is not 1 twice");
      printed = cJSON_PrintUnformatted(doc);
      CHECK(j, printed != NULL && strcmp(printed, text) == 0,
            "cJSON_PrintUnformatted differs from dumps");
      cJSON_free(printed);
      st = kserial_lua_from_cjson(L, doc, 0);
      CHECK(j, st == LUA_OK, "kserial_lua_from_cjson: %s", lua_tostring(L, -1));
      if (st == LUA_OK) {
        st = kserial_lua_dumps(L, -1, 0);
        CHECK(j, st == LUA_OK && strcmp(lua_tostring(L, -1), text) == 0,
              "dumps(from_cjson(doc)) differs");
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
      cJSON_Delete(doc);
    }
  }

  /* lambdas: refused by default, loaded with safe_mode = false */
  {
    static const char lam[] = "return kserial.dumps(function(x) return x + 1 end)";
    if (luaL_dostring(L, lam) == LUA_OK) {
      const char *lt = lua_tolstring(L, -1, &len);
      st = kserial_lua_loads(L, lt, len, 0);
      CHECK(j, st != LUA_OK && strstr(lua_tostring(L, -1), "Requested the deserialization"),
            "lambda not refused: %s", lua_tostring(L, -1));
      lua_pop(L, 1);
      lua_createtable(L, 0, 1);
      lua_pushboolean(L, 0);
      lua_setfield(L, -2, "safe_mode");
      st = kserial_lua_loads(L, lt, len, -1);
      CHECK(j, st == LUA_OK && lua_isfunction(L, -1), "lambda with safe_mode=false: %s",
            lua_tostring(L, -1));
      if (st == LUA_OK) {
        lua_pushinteger(L, i);
        st = lua_pcall(L, 1, 1, 0);
        CHECK(j, st == LUA_OK && lua_tointeger(L, -1) == i + 1, "lambda result");
      }
      lua_pop(L, 3);
    } else {
      failf(j, "lambda text: %s", lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  }

  /* registering from C: a Lua class under this thread's package */
  snprintf(pkg, sizeof pkg, "c%d", tid);
  snprintf(mod, sizeof mod, "K%d", i % 7);
  lua_getfield(L, 1, "new_class");
  lua_pushfstring(L, "Cls%d", i % 7);
  if (lua_pcall(L, 1, 1, 0) == LUA_OK) {
    int cls = lua_gettop(L);
    st = kserial_lua_register(L, cls, pkg, mod);
    snprintf(key, sizeof key, "c%d>K%d", tid, i % 7);
    CHECK(j, st == LUA_OK && str_is(lua_tostring(L, -1), key), "kserial_lua_register: %s",
          lua_tostring(L, -1));
    lua_pop(L, 1);
    st = kserial_lua_register(L, cls, "bad>pkg", "x");
    CHECK(j, st != LUA_OK && lua_isstring(L, -1) &&
             strncmp(lua_tostring(L, -1), "kserial: ", 9) == 0,
          "a bad package was accepted: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    /* an instance goes out and comes back as the registered class */
    lua_getfield(L, cls, "new");
    lua_createtable(L, 0, 1);
    lua_pushinteger(L, i);
    lua_setfield(L, -2, "n");
    lua_call(L, 1, 1);
    st = kserial_lua_dumps(L, -1, 0);
    CHECK(j, st == LUA_OK && strstr(lua_tostring(L, -1), key) != NULL, "dumps of a C-registered class");
    if (st == LUA_OK) {
      text = lua_tolstring(L, -1, &len);
      st = kserial_lua_loads(L, text, len, 0);
      CHECK(j, st == LUA_OK, "loads of a C-registered class: %s", lua_tostring(L, -1));
      if (st == LUA_OK) {
        int same = lua_getmetatable(L, -1) && lua_rawequal(L, -1, cls);
        CHECK(j, same, "a C-registered class came back as another class");
      }
    }
  } else {
    failf(j, "new_class: %s", lua_tostring(L, -1));
  }
  lua_settop(L, model);

  /* a module table from C; a document naming another thread's module fails */
  snprintf(mod, sizeof mod, "mod%d", tid);
  lua_getfield(L, 1, "module_table");
  if (lua_pcall(L, 0, 1, 0) == LUA_OK) {
    char doc[160];
    int n;
    st = kserial_lua_register_module(L, mod, -1);
    CHECK(j, st == LUA_OK && str_is(lua_tostring(L, -1), mod), "kserial_lua_register_module: %s",
          lua_tostring(L, -1));
    lua_pop(L, 1);
    n = snprintf(doc, sizeof doc, "{\"module\":\"%s\",\"class_name\":\"X\",\"config\":"
                 "{\"owner\":%d},\"registered_name\":null}", mod, tid);
    st = kserial_lua_loads(L, doc, (size_t)n, 0);
    CHECK(j, st == LUA_OK && lua_istable(L, -1), "module class: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    n = snprintf(doc, sizeof doc, "{\"module\":\"mod%d\",\"class_name\":\"X\",\"config\":"
                 "{},\"registered_name\":null}", tid + j->sh->nthreads);
    st = kserial_lua_loads(L, doc, (size_t)n, 0);
    CHECK(j, st != LUA_OK && strstr(lua_tostring(L, -1), "Could not locate class 'X'"),
          "an unregistered module resolved: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
  } else {
    failf(j, "module_table: %s", lua_tostring(L, -1));
  }
  lua_settop(L, model);

  /* bad JSON at a position that moves with i: an error status, one message */
  {
    static const char good[] = "{\"a\": [1, 2.5, {\"b\": null}], \"c\": \"d\\u00e9\"}";
    size_t cut = (size_t)i % (sizeof good - 1);
    int before = lua_gettop(L);
    st = kserial_lua_loads(L, good, cut, 0);
    CHECK(j, st != LUA_OK && lua_gettop(L) == before + 1 &&
             strncmp(lua_tostring(L, -1), "kserial: ", 9) == 0,
          "truncated JSON (%zu bytes) accepted or bad message", cut);
  }

  lua_settop(L, top);
}

static void *run_thread(void *arg) {
  job *j = (job *)arg;
  const shared *sh = j->sh;
  lua_State *L = NULL;
  size_t base = 0;
  int i;
  for (i = 0; i < sh->iterations; i++) {
    if (L == NULL) {
      L = open_state(sh, j->tid, j, &j->mem);
      if (L == NULL) return NULL;
    }
    /* Lua-side work */
    if (call_worker(L, "iteration", i, 1) == LUA_OK) j->passed++;
    else failf(j, "iteration %d: %s", i, lua_tostring(L, -1));
    lua_settop(L, 1);

    /* the graph that is the same everywhere gives the same bytes */
    if (call_worker(L, "common", i % NREF, 1) == LUA_OK) {
      int st = kserial_lua_dumps(L, -1, 0);
      CHECK(j, st == LUA_OK && strcmp(lua_tostring(L, -1), sh->ref[i % NREF]) == 0,
            "iteration %d: common graph differs from the reference: %.200s", i,
            lua_tostring(L, -1));
    } else {
      failf(j, "common(): %s", lua_tostring(L, -1));
    }
    lua_settop(L, 1);

    c_iteration(j, L, i);
    CHECK(j, lua_gettop(L) == 1, "iteration %d left %d values", i, lua_gettop(L));
    lua_settop(L, 1);

    if (call_worker(L, "check_state", i, 1) == LUA_OK) j->passed++;
    else failf(j, "iteration %d: %s", i, lua_tostring(L, -1));
    lua_settop(L, 1);

    /* memory, Lua's and the engine's, is flat from the 8th iteration of a
    ** state's life (every key the iterations register is there by then) */
    if (i % STATE_LIFE == 7 || (i + 1) % STATE_LIFE == 0) {
      lua_gc(L, LUA_GCCOLLECT);
      lua_gc(L, LUA_GCCOLLECT);
      if (i % STATE_LIFE == 7) base = j->mem.in_use;
      else CHECK(j, j->mem.in_use < base + GROWTH_BOUND,
                 "iteration %d: the state grew from %zu to %zu bytes", i, base, j->mem.in_use);
    }
    if ((i + 1) % STATE_LIFE == 0) {
      lua_close(L);
      L = NULL;
      CHECK(j, j->mem.in_use == 0, "lua_close left %zu bytes allocated", j->mem.in_use);
    }
  }
  if (L != NULL) {
    lua_close(L);
    CHECK(j, j->mem.in_use == 0, "lua_close left %zu bytes allocated", j->mem.in_use);
  }
  return NULL;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n;
  if (f == NULL) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (buf = (char *)malloc((size_t)n + 1)) != NULL) {
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
  }
  fclose(f);
  return buf;
}

/* The reference texts, made in one state before any thread starts. */
static int make_refs(shared *sh) {
  counter mem = {0};
  lua_State *L = open_state(sh, 0, NULL, &mem);
  int i, ok = 1;
  if (L == NULL) return 0;
  for (i = 0; i < NREF && ok; i++) {
    if (call_worker(L, "common", i, 1) != LUA_OK || kserial_lua_dumps(L, -1, 0) != LUA_OK) {
      fprintf(stderr, "reference %d: %s\n", i, lua_tostring(L, -1));
      ok = 0;
    } else {
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      sh->ref[i] = (char *)malloc(len + 1);
      if (sh->ref[i] == NULL) ok = 0;
      else memcpy(sh->ref[i], s, len + 1);
    }
    lua_settop(L, 1);
  }
  lua_close(L);
  return ok;
}

int main(int argc, char **argv) {
  shared sh;
  job jobs[MAX_THREADS];
  long passed = 0, failed = 0;
  int t, started = 0;
  memset(&sh, 0, sizeof sh);
  if (argc < 2) {
    fprintf(stderr, "usage: %s WORKER.lua [threads [iterations]]\n", argv[0]);
    return 2;
  }
  sh.nthreads = argc > 2 ? atoi(argv[2]) : 4;
  sh.iterations = argc > 3 ? atoi(argv[3]) : 300;
  if (sh.nthreads < 1 || sh.nthreads > MAX_THREADS || sh.iterations < 1) {
    fprintf(stderr, "threads must be 1..%d and iterations at least 1\n", MAX_THREADS);
    return 2;
  }
  sh.worker = read_file(argv[1], &sh.worker_len);
  if (sh.worker == NULL) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  if (!make_refs(&sh)) failed++;

  for (t = 0; t < sh.nthreads && failed == 0; t++) {
    memset(&jobs[t], 0, sizeof jobs[t]);
    jobs[t].sh = &sh;
    jobs[t].tid = t;
    if (pthread_create(&jobs[t].thread, NULL, run_thread, &jobs[t]) != 0) {
      fprintf(stderr, "pthread_create failed\n");
      failed++;
      break;
    }
    started++;
  }
  for (t = 0; t < started; t++) {
    pthread_join(jobs[t].thread, NULL);
    passed += jobs[t].passed;
    failed += jobs[t].failed;
  }
  if (started < sh.nthreads) failed++;      /* fewer threads than asked: a failure */
  printf("%d threads x %d iterations: %ld passed, %ld failed\n", sh.nthreads, sh.iterations,
         passed, failed);
  for (t = 0; t < NREF; t++) free(sh.ref[t]);
  free((void *)sh.worker);
  return failed == 0 && passed > 0 ? 0 : 1;
}
