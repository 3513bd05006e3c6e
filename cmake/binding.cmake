# The Lua binding: the public module, the walks, the JSON codec, and the Lua
# sources of lua/ compiled in as C arrays (embedding needs one library).
file(GLOB KS_LUA_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/lua/kserial/*.lua)
set(KS_EMBED_C ${PROJECT_BINARY_DIR}/generated/ks_embedded.c)
add_custom_command(
  OUTPUT ${KS_EMBED_C}
  COMMAND ${CMAKE_COMMAND} -DOUT=${KS_EMBED_C} -DSRC_DIR=${PROJECT_SOURCE_DIR}/lua/kserial
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_lua.cmake
  DEPENDS ${KS_LUA_SOURCES} ${PROJECT_SOURCE_DIR}/cmake/embed_lua.cmake
  COMMENT "Embedding lua/kserial/*.lua")

# src/json is the exact JSON codec (knows nothing of Keras); src/cjson the
# bridge between Lua values and cJSON trees for C hosts.
file(GLOB KS_BINDING_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/lua/*.c
     ${PROJECT_SOURCE_DIR}/src/json/*.c ${PROJECT_SOURCE_DIR}/src/cjson/*.c)
add_library(kserial_binding OBJECT ${KS_BINDING_SOURCES} ${KS_EMBED_C})
target_include_directories(kserial_binding PUBLIC ${PROJECT_SOURCE_DIR}/include
                           PRIVATE ${PROJECT_SOURCE_DIR}/src/lua ${PROJECT_SOURCE_DIR}/src/json)
target_link_libraries(kserial_binding PUBLIC kserial::lua_headers kserial::cjson)

# libkserial: the library a C host links (with its own Lua and cJSON); it
# needs liblua, which a LuaRocks build may not have found.
if(KSERIAL_HAVE_LIBLUA)
  add_library(kserial SHARED $<TARGET_OBJECTS:kserial_core> $<TARGET_OBJECTS:kserial_binding>)
  target_include_directories(kserial PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(kserial PUBLIC kserial::lua kserial::cjson)
  set_target_properties(kserial PROPERTIES VERSION ${PROJECT_VERSION}
                        SOVERSION ${PROJECT_VERSION_MAJOR})
else()
  message(STATUS "kserial: no liblua 5.4 found: building the Lua module only")
endif()

# kserial.so: the module for `require "kserial"` from a stock lua5.4. It must
# not link liblua: the interpreter already holds the Lua API.
add_library(kserial_module MODULE $<TARGET_OBJECTS:kserial_core> $<TARGET_OBJECTS:kserial_binding>)
target_link_libraries(kserial_module PRIVATE kserial::lua_headers kserial::cjson)
set_target_properties(kserial_module PROPERTIES OUTPUT_NAME kserial PREFIX ""
                      LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib/lua)

