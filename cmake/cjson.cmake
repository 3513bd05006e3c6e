# The bridge between Lua values and cJSON trees (src/cjson), in two groups
# of objects:
#   kserial_cjson_bridge  the tree conversions (bridge.c), on the codec only;
#                         also in the test hooks
#   kserial_cjson_api     kserial_lua_to_cjson / kserial_lua_from_cjson
#                         (include/kserial_cjson.h), on the binding
# Only libkserial carries them: kserial.so and kserial-lua need no cJSON.
# KSERIAL_CJSON=OFF leaves them out (no cJSON needed to build at all).
if(NOT KSERIAL_CJSON)
  return()
endif()
add_library(kserial_cjson_bridge OBJECT src/cjson/bridge.c)
target_include_directories(kserial_cjson_bridge PUBLIC ${PROJECT_SOURCE_DIR}/src/cjson)
target_link_libraries(kserial_cjson_bridge PUBLIC kserial_json kserial::cjson)

add_library(kserial_cjson_api OBJECT src/cjson/api.c)
target_link_libraries(kserial_cjson_api PUBLIC kserial_cjson_bridge kserial_binding)
