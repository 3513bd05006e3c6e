# The two products made of the object groups:
#
#   libkserial  (kserial)         the library a C host links, with its own
#                                 Lua: core, codec, binding and the cJSON
#                                 bridge (unless KSERIAL_CJSON is OFF). It exports exactly what include/
#                                 declares (KS_API; everything is built with
#                                 -fvisibility=hidden), checked by the test
#                                 abi.exports (tools/check_exports.sh).
#   kserial.so  (kserial_module)  the module for `require "kserial"` from a
#                                 stock lua5.4: core, codec and binding, no
#                                 cJSON, no liblua (the interpreter holds the
#                                 Lua API); it exports luaopen_kserial only.
set(KS_ENGINE_OBJECTS $<TARGET_OBJECTS:kserial_core> $<TARGET_OBJECTS:kserial_json>
                      $<TARGET_OBJECTS:kserial_binding>)

# libkserial needs liblua, which a LuaRocks build may not have found.
if(KSERIAL_HAVE_LIBLUA)
  add_library(kserial SHARED ${KS_ENGINE_OBJECTS})
  target_include_directories(kserial PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(kserial PUBLIC kserial::lua)
  set_target_properties(kserial PROPERTIES VERSION ${PROJECT_VERSION}
                        SOVERSION ${PROJECT_VERSION_MAJOR})
  if(KSERIAL_CJSON)
    target_sources(kserial PRIVATE $<TARGET_OBJECTS:kserial_cjson_bridge>
                   $<TARGET_OBJECTS:kserial_cjson_api>)
    target_link_libraries(kserial PRIVATE kserial::cjson)
    # kserial_cjson.h: what a host that uses the bridge links (cJSON's flags too)
    add_library(kserial_cjson INTERFACE)
    target_link_libraries(kserial_cjson INTERFACE kserial kserial::cjson)
  endif()
else()
  message(STATUS "kserial: no liblua 5.4 found: building the Lua module only")
endif()

add_library(kserial_module MODULE ${KS_ENGINE_OBJECTS})
target_link_libraries(kserial_module PRIVATE kserial::lua_headers)
set_target_properties(kserial_module PROPERTIES OUTPUT_NAME kserial PREFIX ""
                      LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib/lua)
# The ks_* functions are KS_API for libkserial; the module keeps them inside.
include(CheckLinkerFlag)
set(KS_MODULE_MAP ${PROJECT_SOURCE_DIR}/cmake/kserial_module.map)
check_linker_flag(C "-Wl,--version-script=${KS_MODULE_MAP}" KSERIAL_HAVE_VERSION_SCRIPT)
if(KSERIAL_HAVE_VERSION_SCRIPT)
  target_link_options(kserial_module PRIVATE "-Wl,--version-script=${KS_MODULE_MAP}")
  set_property(TARGET kserial_module APPEND PROPERTY LINK_DEPENDS ${KS_MODULE_MAP})
endif()
