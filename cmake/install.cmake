# cmake --install: the Lua module in Lua 5.4's module path and its LuaLS
# type stubs; with KSERIAL_INSTALL_DEV, the headers, libkserial, a
# pkg-config file and a CMake package (kserial-lua: cmake/cli.cmake).
include(CMakePackageConfigHelpers)
# lib/lua/5.4 under /usr/local or /usr is on Debian lua5.4's module path.
set(KSERIAL_LUA_CMOD_DIR "lib/lua/5.4" CACHE STRING
    "where the Lua module kserial.so goes (relative to the install prefix, or absolute)")
set(KSERIAL_STUBS_DIR "${CMAKE_INSTALL_DATADIR}/kserial/library" CACHE STRING
    "where the LuaLS type stubs (library/kserial.lua) go; point LuaLS's workspace.library at it")
option(KSERIAL_INSTALL_DEV "install the C library, headers, pkg-config and CMake files" ON)

install(TARGETS kserial_module LIBRARY DESTINATION ${KSERIAL_LUA_CMOD_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/library/kserial.lua DESTINATION ${KSERIAL_STUBS_DIR})
if(NOT KSERIAL_INSTALL_DEV OR NOT TARGET kserial)
  return()   # LuaRocks: no C library (a rock cannot carry versioned .so links)
endif()

# kserial::kserial (kserial.h, kserial_lua.h) needs no cJSON to compile
# against; kserial::kserial_cjson adds cJSON's flags for kserial_cjson.h.
install(TARGETS kserial EXPORT kserialTargets LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/kserial.h ${PROJECT_SOURCE_DIR}/include/kserial_lua.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(KSERIAL_CJSON)
  install(TARGETS kserial_cjson EXPORT kserialTargets)
  install(FILES ${PROJECT_SOURCE_DIR}/include/kserial_cjson.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/kserial_cjson.pc.in ${PROJECT_BINARY_DIR}/kserial_cjson.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/kserial_cjson.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()

# pkg-config: relocatable (the prefix is found from the .pc file's own
# folder), and requiring Lua under the name it was found by here.
# kserial.pc: kserial.h and kserial_lua.h, no cJSON flags (libkserial.so
# finds libcjson itself; no static library is installed);
# kserial_cjson.pc: kserial plus cJSON, for kserial_cjson.h.
file(RELATIVE_PATH KSERIAL_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
if(KSERIAL_LUA_PC_NAME)
  set(KSERIAL_PC_REQUIRES "${KSERIAL_LUA_PC_NAME}")
  set(KSERIAL_PC_LUA_CFLAGS "")
  set(KSERIAL_PC_LUA_LIBS "")
else()
  get_target_property(_kserial_inc kserial::lua_headers INTERFACE_INCLUDE_DIRECTORIES)
  set(KSERIAL_PC_REQUIRES "")
  set(KSERIAL_PC_LUA_CFLAGS " -I${_kserial_inc}")
  set(KSERIAL_PC_LUA_LIBS " ${KSERIAL_HAVE_LIBLUA}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/kserial.pc.in ${PROJECT_BINARY_DIR}/kserial.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/kserial.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(EXPORT kserialTargets NAMESPACE kserial::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kserial)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/kserialConfig.cmake.in
  ${PROJECT_BINARY_DIR}/kserialConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kserial)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/kserialConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/kserialConfig.cmake
        ${PROJECT_BINARY_DIR}/kserialConfigVersion.cmake
        ${PROJECT_SOURCE_DIR}/cmake/kserialDeps.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kserial)
