# Finds what kserial builds against, for the project and for the installed
# package (kserialConfig.cmake includes the installed copy): one search.
#
#   kserial::lua_headers  Lua 5.4's headers only (a Lua module links no liblua)
#   kserial::lua          the headers and liblua (C hosts, kserial-lua)
#   kserial::cjson        cJSON (unless KSERIAL_CJSON is OFF)
#
# Lua: LUA_INCLUDE_DIR and LUA_LIBRARIES, when given (FindLua's names), are
# used as they are; else LUA_INCDIR / LUA_LIBDIR (LuaRocks's names) guide
# the search; else pkg-config by the names distributions use (lua5.4,
# lua-5.4, lua54, lua), 5.4 only; else CMake's FindLua. cJSON: CJSON_INCDIR
# / CJSON_LIBDIR (LuaRocks's), else pkg-config libcjson, else a search.
# Every variable this file sets starts with _kserial or KSERIAL_, so a
# consumer's own LUA_* variables are left as they were.

if(NOT TARGET kserial::lua)
  set(_kserial_lua_inc "")
  set(_kserial_lua_lib "")
  set(KSERIAL_LUA_PC_NAME "")
  if(LUA_INCLUDE_DIR AND LUA_LIBRARIES)
    set(_kserial_lua_inc "${LUA_INCLUDE_DIR}")
    set(_kserial_lua_lib "${LUA_LIBRARIES}")
  elseif(LUA_INCDIR)
    set(_kserial_lua_inc "${LUA_INCDIR}")
    find_library(KSERIAL_LUA_LIBRARY NAMES lua5.4 lua-5.4 lua54 lua
                 HINTS ${LUA_LIBDIR} ${LUA_LIBDIR}/lib)
    if(KSERIAL_LUA_LIBRARY)
      set(_kserial_lua_lib "${KSERIAL_LUA_LIBRARY}")
    endif()
  else()
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
      foreach(_kserial_pc lua5.4 lua-5.4 lua54 lua)
        string(MAKE_C_IDENTIFIER "_kserial_pc_${_kserial_pc}" _kserial_prefix)
        pkg_check_modules(${_kserial_prefix} QUIET ${_kserial_pc})
        if(${_kserial_prefix}_FOUND AND ${_kserial_prefix}_VERSION VERSION_GREATER_EQUAL 5.4
           AND ${_kserial_prefix}_VERSION VERSION_LESS 5.5)
          set(KSERIAL_LUA_PC_NAME "${_kserial_pc}")
          set(_kserial_lua_inc "${${_kserial_prefix}_INCLUDE_DIRS}")
          set(_kserial_lua_lib "${${_kserial_prefix}_LINK_LIBRARIES}")
          if(NOT _kserial_lua_inc)   # the compiler's own include path
            set(_kserial_lua_inc "${${_kserial_prefix}_INCLUDEDIR}")
          endif()
          break()
        endif()
      endforeach()
    endif()
    if(NOT _kserial_lua_lib)
      find_package(Lua 5.4 QUIET)
      if(LUA_FOUND AND LUA_VERSION_STRING VERSION_LESS 5.5)
        set(_kserial_lua_inc "${LUA_INCLUDE_DIR}")
        set(_kserial_lua_lib "${LUA_LIBRARIES}")
      endif()
    endif()
  endif()
  set(_kserial_lua_h "")
  foreach(_kserial_dir ${_kserial_lua_inc})
    if(EXISTS "${_kserial_dir}/lua.h")
      set(_kserial_lua_h "${_kserial_dir}/lua.h")
    endif()
  endforeach()
  if(NOT _kserial_lua_h)
    message(FATAL_ERROR "kserial: Lua 5.4 not found (looked for LUA_INCLUDE_DIR/LUA_LIBRARIES, "
      "pkg-config lua5.4, lua-5.4, lua54, lua, then FindLua). Install it (Debian: liblua5.4-dev) "
      "or pass -DLUA_INCLUDE_DIR=<dir with lua.h> -DLUA_LIBRARIES=<liblua>.")
  endif()
  add_library(kserial::lua_headers INTERFACE IMPORTED)
  set_target_properties(kserial::lua_headers PROPERTIES
                        INTERFACE_INCLUDE_DIRECTORIES "${_kserial_lua_inc}")
  add_library(kserial::lua INTERFACE IMPORTED)
  set_target_properties(kserial::lua PROPERTIES INTERFACE_LINK_LIBRARIES "kserial::lua_headers")
  if(_kserial_lua_lib)
    set_property(TARGET kserial::lua APPEND PROPERTY INTERFACE_LINK_LIBRARIES "${_kserial_lua_lib}")
  endif()
  set(KSERIAL_HAVE_LIBLUA "${_kserial_lua_lib}")
  unset(_kserial_lua_inc)
  unset(_kserial_lua_lib)
endif()

# cJSON only when the bridge is built (KSERIAL_CJSON, ON unless set OFF).
if(NOT TARGET kserial::cjson AND (KSERIAL_CJSON OR NOT DEFINED KSERIAL_CJSON))
  set(_kserial_cjson_inc "")
  set(_kserial_cjson_lib "")
  if(NOT CJSON_INCDIR)
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
      pkg_check_modules(_kserial_pc_cjson QUIET libcjson)
      if(_kserial_pc_cjson_FOUND)
        set(_kserial_cjson_inc "${_kserial_pc_cjson_INCLUDE_DIRS}")
        set(_kserial_cjson_lib "${_kserial_pc_cjson_LINK_LIBRARIES}")
      endif()
    endif()
  endif()
  if(NOT _kserial_cjson_lib)
    find_path(KSERIAL_CJSON_INCLUDE_DIR cjson/cJSON.h HINTS ${CJSON_INCDIR})
    find_library(KSERIAL_CJSON_LIBRARY NAMES cjson HINTS ${CJSON_LIBDIR})
    if(NOT KSERIAL_CJSON_INCLUDE_DIR OR NOT KSERIAL_CJSON_LIBRARY)
      message(FATAL_ERROR "kserial: cJSON not found (pkg-config libcjson, or cjson/cJSON.h and "
        "libcjson). Install it (Debian: libcjson-dev) or pass -DCJSON_INCDIR=... -DCJSON_LIBDIR=...")
    endif()
    set(_kserial_cjson_inc "${KSERIAL_CJSON_INCLUDE_DIR}")
    set(_kserial_cjson_lib "${KSERIAL_CJSON_LIBRARY}")
  endif()
  add_library(kserial::cjson INTERFACE IMPORTED)
  set_target_properties(kserial::cjson PROPERTIES
                        INTERFACE_INCLUDE_DIRECTORIES "${_kserial_cjson_inc}"
                        INTERFACE_LINK_LIBRARIES "${_kserial_cjson_lib}")
  unset(_kserial_cjson_inc)
  unset(_kserial_cjson_lib)
endif()
