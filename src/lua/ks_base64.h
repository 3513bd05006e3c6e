/*
** ks_base64.h - standard base64, for the bytes the walks carry as text
** (__bytes__ values and the bytecode of lambdas).
*/
#ifndef KS_BASE64_H
#define KS_BASE64_H

#include <stddef.h>
#include <lua.h>
#include <lauxlib.h>

/* Appends the base64 of s to b. */
void ksl_base64_encode(luaL_Buffer *b, const char *s, size_t len);
/* Decodes standard base64 (whitespace ignored, padding optional); pushes
** the bytes, or returns 0 (nothing pushed) when the text is not base64. */
int ksl_base64_decode(lua_State *L, const char *s, size_t len);

#endif
