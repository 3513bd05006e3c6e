-- LuaRocks: builds with CMake and installs the Lua module, kserial-lua, its
-- man page and the LuaLS type stubs. Needs Lua 5.4's headers (Debian:
-- liblua5.4-dev); no cJSON, which only the C library's bridge uses. On a system where luarocks defaults
-- to another Lua (Debian 12: 5.1), say which:
--   luarocks --lua-version 5.4 make            (from a checkout)
--   luarocks --lua-version 5.4 install kserial
-- The C library for embedding, its headers, pkg-config and CMake files come
-- with `cmake --install` (README.md).
rockspec_format = "3.0"
package = "kserial"
version = "0.1.0-1"
source = {
  url = "git+https://github.com/kserial/kserial.git",
  tag = "v0.1.0",
}
description = {
  summary = "Keras-protocol serialization engine for Lua 5.4 with a C core",
  detailed = [[
kserial turns live Lua objects into JSON-safe configuration trees and back,
following the Keras 3 serialization protocol, with exact JSON, shared
objects, custom-object scopes and safe mode on by default.]],
  homepage = "https://github.com/kserial/kserial",
  issues_url = "https://github.com/kserial/kserial/issues",
  license = "MIT",
  labels = { "serialization", "json", "keras" },
}
dependencies = { "lua >= 5.4, < 5.5" }
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    CMAKE_INSTALL_BINDIR = "$(BINDIR)",
    LUA_INCDIR = "$(LUA_INCDIR)",
    LUA_LIBDIR = "$(LUA_LIBDIR)",
    KSERIAL_LUA_CMOD_DIR = "$(LIBDIR)",
    KSERIAL_STUBS_DIR = "$(PREFIX)/library",
    KSERIAL_TESTS = "OFF",
    KSERIAL_INSTALL_DEV = "OFF",
    KSERIAL_CJSON = "OFF",
  },
}
