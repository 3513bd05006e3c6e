/*
** bench_host.c - kserial-bench, a minimal Lua 5.4 host for bench/run.lua.
**
**   kserial-bench script.lua [args...]
**
** The state allocates through a counting allocator, so every byte Lua and
** kserial allocate is seen (kserial allocates through the state's
** allocator). The script gets the global `kserial` (also in
** package.loaded) and a global `bench` table:
**   bench.mem()        -> current bytes, peak bytes
**   bench.reset_peak()    peak := current
**   bench.clock()      -> CLOCK_MONOTONIC seconds, as a float
**   bench.cpuclock()   -> CLOCK_PROCESS_CPUTIME_ID seconds, as a float (the
**                         process's CPU time: what run.lua times by default,
**                         as it does not count time spent descheduled)
**   bench.measure(f, ...) calls f(...) inside kbench_measured(), the one
**                         function callgrind is told to count
**                         (--toggle-collect=kbench_measured).
*/
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "kserial_lua.h"

/* The counter lives in main()'s frame and reaches the allocator as its ud. */
typedef struct {
  size_t current;
  size_t peak;
} kbench_counter;

static void *kbench_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  kbench_counter *c = ud;
  if (nsize == 0) {
    if (ptr != NULL) c->current -= osize;
    free(ptr);
    return NULL;
  }
  void *p = realloc(ptr, nsize);
  if (p == NULL) return NULL;
  if (ptr != NULL) c->current -= osize;  /* for a new block osize is a type tag */
  c->current += nsize;
  if (c->current > c->peak) c->peak = c->current;
  return p;
}

static kbench_counter *kbench_get_counter(lua_State *L) {
  void *ud = NULL;
  lua_getallocf(L, &ud);
  return ud;
}

static int kbench_mem(lua_State *L) {
  const kbench_counter *c = kbench_get_counter(L);
  lua_pushinteger(L, (lua_Integer)c->current);
  lua_pushinteger(L, (lua_Integer)c->peak);
  return 2;
}

static int kbench_reset_peak(lua_State *L) {
  kbench_counter *c = kbench_get_counter(L);
  c->peak = c->current;
  return 0;
}

static int kbench_push_clock(lua_State *L, clockid_t id) {
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0) return luaL_error(L, "clock_gettime failed");
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
  return 1;
}

static int kbench_clock(lua_State *L) {
  return kbench_push_clock(L, CLOCK_MONOTONIC);
}

static int kbench_cpuclock(lua_State *L) {
  return kbench_push_clock(L, CLOCK_PROCESS_CPUTIME_ID);
}

/* Not static and never inlined, so that callgrind finds it by name. */
int kbench_measured(lua_State *L) __attribute__((noinline));
int kbench_measured(lua_State *L) {
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static int kbench_measure(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  return kbench_measured(L);
}

static const luaL_Reg kbench_funcs[] = {
  {"mem", kbench_mem},
  {"reset_peak", kbench_reset_peak},
  {"clock", kbench_clock},
  {"cpuclock", kbench_cpuclock},
  {"measure", kbench_measure},
  {NULL, NULL}
};

static int kbench_traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* Runs in protected mode: opens everything, builds `arg`, runs the script. */
static int kbench_pmain(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = lua_touserdata(L, 2);
  luaL_openlibs(L);
  luaL_requiref(L, "kserial", luaopen_kserial, 1);
  lua_pop(L, 1);
  luaL_newlib(L, kbench_funcs);
  lua_setglobal(L, "bench");

  lua_createtable(L, argc - 1, 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - 1);
  }
  lua_setglobal(L, "arg");

  lua_pushcfunction(L, kbench_traceback);
  if (luaL_loadfile(L, argv[1]) != LUA_OK) return lua_error(L);
  for (int i = 2; i < argc; i++) lua_pushstring(L, argv[i]);
  if (lua_pcall(L, argc - 2, 0, 3) != LUA_OK) return lua_error(L);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s script.lua [args...]\n", argv[0]);
    return 2;
  }
  kbench_counter counter = {0, 0};
  lua_State *L = lua_newstate(kbench_alloc, &counter);
  if (L == NULL) {
    fprintf(stderr, "%s: cannot create the Lua state\n", argv[0]);
    return 1;
  }
  lua_pushcfunction(L, kbench_pmain);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  int status = lua_pcall(L, 2, 0, 0);
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "%s: %s\n", argv[0], msg != NULL ? msg : "(error object is not a string)");
  }
  lua_close(L);
  return status == LUA_OK ? 0 : 1;
}
