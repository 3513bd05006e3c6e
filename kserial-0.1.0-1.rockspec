-- LuaRocks: `luarocks make` from a checkout builds with CMake and installs
-- the Lua module into the rocks tree. (kserial-lua and the C library for
-- embedding come with `cmake --install`, see the README.)
-- Needs Debian's liblua5.4-dev and libcjson-dev (or the same elsewhere).
rockspec_format = "3.0"
package = "kserial"
version = "0.1.0-1"
source = {
  url = "git+file://./",   -- build from a checkout with `luarocks make`
}
description = {
  summary = "Keras-protocol serialization engine for Lua 5.4 with a C core",
  detailed = [[
kserial turns live Lua objects into JSON-safe configuration trees and back,
following the Keras 3 serialization protocol, with exact JSON, shared
objects, custom-object scopes and safe mode on by default.]],
  license = "MIT",
}
dependencies = { "lua >= 5.4, < 5.5" }
external_dependencies = {
  CJSON = { header = "cjson/cJSON.h", library = "cjson" },
}
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    KSERIAL_LUA_CMOD_DIR = "$(LIBDIR)",
    KSERIAL_TESTS = "OFF",
    KSERIAL_INSTALL_DEV = "OFF",
  },
}
