# kserial_testhooks: require "kserial.testhooks" for the specs (entry points
# into the cJSON bridge, src/testhooks). Test-only: built with the tests,
# never installed, and neither kserial.so nor kserial-lua holds it. It is
# a Lua module in its own folder, lib/lua-test/kserial/testhooks.so, which
# cmake/tests.cmake puts on the specs' LUA_CPATH (docs/testing.md); both
# lua5.4 and kserial-lua load it from there.
add_library(kserial_testhooks_objs OBJECT src/testhooks/testhooks.c)
target_include_directories(kserial_testhooks_objs PUBLIC ${PROJECT_SOURCE_DIR}/src/testhooks)
target_link_libraries(kserial_testhooks_objs PUBLIC kserial_cjson_bridge kserial_core)

add_library(kserial_testhooks MODULE $<TARGET_OBJECTS:kserial_testhooks_objs>
            $<TARGET_OBJECTS:kserial_json> $<TARGET_OBJECTS:kserial_cjson_bridge>)
target_link_libraries(kserial_testhooks PRIVATE kserial::lua_headers kserial::cjson)
set_target_properties(kserial_testhooks PROPERTIES OUTPUT_NAME testhooks PREFIX ""
                      LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib/lua-test/kserial)
