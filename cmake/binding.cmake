# kserial_binding: the Lua binding of the protocol (src/lua), with the Lua
# sources of lua/kserial compiled in as C arrays (embedding needs one
# library). Objects, linked into libkserial, kserial.so and kserial-lua.
file(GLOB KS_LUA_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/lua/kserial/*.lua)
set(KS_EMBED_C ${PROJECT_BINARY_DIR}/generated/ks_embedded.c)
add_custom_command(
  OUTPUT ${KS_EMBED_C}
  COMMAND ${CMAKE_COMMAND} -DOUT=${KS_EMBED_C} -DSRC_DIR=${PROJECT_SOURCE_DIR}/lua/kserial
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_lua.cmake
  DEPENDS ${KS_LUA_SOURCES} ${PROJECT_SOURCE_DIR}/cmake/embed_lua.cmake
  COMMENT "Embedding lua/kserial/*.lua")

add_library(kserial_binding OBJECT
  src/lua/kserial.c       # luaopen_kserial: the engine box, the module table
  src/lua/handles.c       # Lua values as core handles
  src/lua/errors.c        # the "kserial: " messages (argument errors: src/json/common.c)
  src/lua/registry.c      # register_serializable, get_*, register_module, register_special
  src/lua/scopes.c        # custom_object_scope, safe_mode_scope
  src/lua/envelope.c      # a Lua dict read into the core's ks_envelope
  src/lua/keyorder.c      # Keras's envelope key order, handed to the codec
  src/lua/serialize.c     # the serialize walk
  src/lua/deserialize.c   # the deserialize walk
  src/lua/hook.c          # the one runner of user code (hooks, special handlers)
  src/lua/path.c          # the walks' JSON paths
  src/lua/call.c          # the state of a running top-level call
  src/lua/util.c          # UTF-8 check, marker metatables
  src/lua/base64.c        # __bytes__ values
  src/lua/fields.c        # the fast path of declarative classes
  src/lua/config_error.c  # kserial.config_error
  src/lua/io.c            # dumps, loads, save, load
  src/lua/scan.c          # kserial.scan
  src/lua/embed.c         # the protected helpers of kserial_lua.h
  ${KS_EMBED_C})
target_include_directories(kserial_binding PUBLIC ${PROJECT_SOURCE_DIR}/include
                           ${PROJECT_SOURCE_DIR}/src/lua)
target_link_libraries(kserial_binding PUBLIC kserial_json kserial::lua_headers)
