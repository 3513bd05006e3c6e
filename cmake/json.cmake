# kserial_json: the exact JSON codec between Lua values and text (src/json),
# the kserial.json table. It knows nothing of Keras and needs no cJSON.
add_library(kserial_json OBJECT
  src/json/common.c     # UTF-8, JSONPath, quoting, option readers, marker metatables
  src/json/decode.c
  src/json/encode.c
  src/json/lua.c        # the kserial.json table
  src/json/number.c)    # exact integers and floats
target_include_directories(kserial_json PUBLIC ${PROJECT_SOURCE_DIR}/src/json)
target_link_libraries(kserial_json PUBLIC kserial::lua_headers)
