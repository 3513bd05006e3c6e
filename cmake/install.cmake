# cmake --install: headers, libkserial, the Lua module in Lua 5.4's module
# path, kserial-lua, a pkg-config file and a CMake package.
include(CMakePackageConfigHelpers)
# lib/lua/5.4 under /usr/local or /usr is on Debian lua5.4's module path.
set(KSERIAL_LUA_CMOD_DIR "lib/lua/5.4" CACHE STRING
    "where the Lua module kserial.so goes, relative to the install prefix")

option(KSERIAL_INSTALL_DEV "install the C library, headers, pkg-config and CMake files" ON)
option(KSERIAL_INSTALL_CLI "install kserial-lua" ON)

install(TARGETS kserial_module LIBRARY DESTINATION ${KSERIAL_LUA_CMOD_DIR})
if(NOT KSERIAL_INSTALL_DEV)
  return()   # LuaRocks: the module only (it cannot carry versioned .so links)
endif()

install(TARGETS kserial EXPORT kserialTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/kserial.h ${PROJECT_SOURCE_DIR}/include/kserial_lua.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET kserial-lua AND KSERIAL_INSTALL_CLI)
  set_target_properties(kserial-lua PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  install(TARGETS kserial-lua RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# relocatable: the prefix is found from the .pc file's own folder
file(RELATIVE_PATH KSERIAL_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
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
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kserial)
