#!/bin/sh
# Installs the build into a temporary prefix and uses it as a user would:
# builds a host that uses kserial_lua.h only (no cJSON flags given, and
# cJSON's header must not come in) and examples/embed, which uses the cJSON
# bridge (kserial_cjson.h), each with pkg-config and with
# find_package(kserial); loads the module from a stock lua5.4, and runs the
# installed kserial-lua.
#   run_install_test.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=spec/install/check.sh
. "$src/spec/install/check.sh"

prefix="$tmp/prefix"
check install cmake --install "$build" --prefix "$prefix"
libdir=$(find "$prefix" -name 'libkserial.so' -printf '%h\n' | head -n 1)
export PKG_CONFIG_PATH="$libdir/pkgconfig"

check headers test -f "$prefix/include/kserial.h" -a -f "$prefix/include/kserial_lua.h" -a -f "$prefix/include/kserial_cjson.h"
check pkg-config-version sh -c "pkg-config --modversion kserial | grep -qx '[0-9]*\.[0-9]*\.[0-9]*'"
check pkg-config-no-cjson sh -c "! pkg-config --cflags --libs kserial | grep -qi cjson"

# A host of kserial_lua.h alone: it compiles without cJSON.
cat > "$tmp/plain.c" <<'HOST'
#include <stdio.h>
#include <lauxlib.h>
#include <lualib.h>
#include "kserial_lua.h"
#ifdef cJSON__h
#error "kserial_lua.h brought in cJSON"
#endif
int main(void) {
  lua_State *L = luaL_newstate();
  const char text[] = "{\"a\": [1, 2.5]}";
  int ok;
  luaL_openlibs(L);
  ok = kserial_lua_loads(L, text, sizeof text - 1, 0) == LUA_OK
       && kserial_lua_dumps(L, -1, 0) == LUA_OK;
  printf("%s\n", ok ? lua_tostring(L, -1) : "failed");
  lua_close(L);
  return ok ? 0 : 1;
}
HOST
check plain-host-with-pkg-config sh -c "cc -std=c11 -Wall -Werror -o '$tmp/plain' '$tmp/plain.c' \$(pkg-config --cflags --libs kserial) && LD_LIBRARY_PATH='$libdir' '$tmp/plain' | grep -qx '{\"a\":\[1,2.5\]}'"
check embed-with-pkg-config sh -c "cc -std=c11 -o '$tmp/embed' '$src/examples/embed/embed.c' \$(pkg-config --cflags --libs kserial_cjson) && LD_LIBRARY_PATH='$libdir' '$tmp/embed' | grep -q 'round trip ok'"
check lua-module sh -c "LUA_CPATH='$prefix/lib/lua/5.4/?.so' lua5.4 -e 'local k = require \"kserial\"; assert(k.loads(\"[1]\")[1] == 1); print(k._VERSION)' | grep -q '^[0-9]'"
check kserial-lua sh -c "'$prefix/bin/kserial-lua' -e 'print(kserial.dumps({a = 1}))' | grep -qx '{\"a\":1}'"
# The test hooks are test-only: not installed, not in the installed kserial-lua.
check no-testhooks sh -c "! env -u LUA_CPATH -u LUA_CPATH_5_4 '$prefix/bin/kserial-lua' -e 'require \"kserial.testhooks\"' 2>/dev/null && ! find '$prefix' -name '*testhooks*' | grep -q ."
check man-page test -f "$prefix/share/man/man1/kserial-lua.1"
if command -v man >/dev/null 2>&1; then   # a bare Debian has no man-db
  check man-page-found sh -c "MANPATH='$prefix/share/man' man -w kserial-lua | grep -q 'kserial-lua.1'"
fi
check type-stubs sh -c "grep -q '^---@meta' '$prefix/share/kserial/library/kserial.lua'"

mkdir -p "$tmp/consumer"
cat > "$tmp/consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.21)
project(consumer C)
set(LUA_LIBRARIES "the consumer's own")
set(LUA_FOUND "the consumer's own")
find_package(kserial 0.1 REQUIRED)
if(NOT LUA_LIBRARIES STREQUAL "the consumer's own" OR NOT LUA_FOUND STREQUAL "the consumer's own")
  message(FATAL_ERROR "find_package(kserial) changed the consumer's LUA_* variables")
endif()
get_target_property(incs kserial::kserial INTERFACE_INCLUDE_DIRECTORIES)
list(LENGTH incs n_all)
list(REMOVE_DUPLICATES incs)
list(LENGTH incs n_unique)
if(NOT n_all EQUAL n_unique)
  message(FATAL_ERROR "kserial::kserial lists an include directory twice: \${incs}")
endif()
get_target_property(plain_libs kserial::kserial INTERFACE_LINK_LIBRARIES)
if(plain_libs MATCHES "cjson")
  message(FATAL_ERROR "kserial::kserial brings cJSON: \${plain_libs}")
endif()
add_executable(plain $tmp/plain.c)
target_link_libraries(plain PRIVATE kserial::kserial)
add_executable(embed $src/examples/embed/embed.c)
target_link_libraries(embed PRIVATE kserial::kserial_cjson)
CMAKE
check find_package sh -c "cmake -S '$tmp/consumer' -B '$tmp/consumer/build' -DCMAKE_PREFIX_PATH='$prefix' >/dev/null && cmake --build '$tmp/consumer/build' >/dev/null"
check plain-host-with-find_package sh -c "LD_LIBRARY_PATH='$libdir' '$tmp/consumer/build/plain' | grep -qx '{\"a\":\[1,2.5\]}'"
check embed-with-find_package sh -c "LD_LIBRARY_PATH='$libdir' '$tmp/consumer/build/embed' | grep -q 'round trip ok'"

finish
