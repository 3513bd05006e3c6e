/*
** testhooks.h - require "kserial.testhooks" (testhooks.c): test-only entry
** points into the cJSON bridge, for the specs and the fuzzers.
*/
#ifndef KS_TESTHOOKS_H
#define KS_TESTHOOKS_H

#include <lua.h>
#include "kserial.h"

KS_API int luaopen_kserial_testhooks(lua_State *L);

#endif
