/*
** fuzz_userdata.h - a C userdata class (get_config / from_config written in
** C) for the registry of the fuzz targets: hooks.userdata_class.
*/
#ifndef KSERIAL_FUZZ_USERDATA_H
#define KSERIAL_FUZZ_USERDATA_H
#include <lua.h>
void fuzz_add_userdata_class(lua_State *L, int hooks);
#endif
