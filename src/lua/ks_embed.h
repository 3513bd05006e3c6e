/*
** ks_embed.h - the protected-call machinery of the C API (embed.c), shared
** with the helpers of the cJSON bridge (src/cjson/api.c).
*/
#ifndef KS_EMBED_H
#define KS_EMBED_H

#include <stddef.h>
#include <lua.h>

/* What a helper hands to its protected worker (as light userdata, argument
** 3; the value and the options are arguments 1 and 2). A helper that needs
** more embeds this struct as the first member of its own. */
typedef struct ksl_call_args {
  const char *what;       /* the engine function to call, or NULL */
  const char *bad;        /* an argument error found before the call */
  int idx, opts;          /* absolute indices in the host's frame, or 0 */
  const char *s1, *s2;    /* string arguments */
  size_t len;
} ksl_call_args;

/* An index the host gave: 0 (none) when zero_ok, a stack slot, or the
** registry. Returns the absolute index, or 0 with a->bad set. */
int ksl_embed_index(lua_State *L, int idx, int zero_ok, ksl_call_args *a);
/* Runs f(value, options, a) in protected mode; LUA_ERRMEM, with nothing
** pushed, when the stack cannot grow by 4 slots. */
int ksl_embed_run(lua_State *L, lua_CFunction f, ksl_call_args *a);
/* First step of a worker: raises a->bad, opens the engine when the host
** has not, and pushes the engine function a->what (unless NULL). */
ksl_call_args *ksl_embed_begin(lua_State *L);

#endif
