# Busted specs: each spec/*_spec.lua is one ctest test, run under the stock
# lua5.4 with the module on LUA_CPATH, and again under kserial-lua.
file(GLOB KS_SPECS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/spec/*_spec.lua
     ${PROJECT_SOURCE_DIR}/spec/hostile/*_spec.lua)
# The full corpus is optional: specs read spec/data without it, and a spec
# that needs it exits with 77, which ctest reports as not run
# (spec/helpers/corpus.lua, docs/testing.md).
if(EXISTS ${PROJECT_SOURCE_DIR}/../shared/corpus)
  get_filename_component(KS_DEFAULT_CORPUS ${PROJECT_SOURCE_DIR}/../shared/corpus ABSOLUTE)
else()
  set(KS_DEFAULT_CORPUS "")
endif()
set(KSERIAL_CORPUS_DIR "${KS_DEFAULT_CORPUS}" CACHE PATH
    "the full test corpus (a folder with keras/ and jsontestsuite/); empty: only spec/data")
if(KSERIAL_CORPUS_DIR)
  message(STATUS "kserial: full test corpus: ${KSERIAL_CORPUS_DIR}")
else()
  message(STATUS "kserial: no full test corpus: the specs that need it will not run")
endif()
set(KS_SKIP_CODE 77)
set(KS_LUA_ENV
  "LUA_CPATH=${PROJECT_BINARY_DIR}/lib/lua/?.so\;\;"
  "LUA_PATH=${PROJECT_SOURCE_DIR}/spec/helpers/?.lua\;\;"
  "KSERIAL_CORPUS_DIR=${KSERIAL_CORPUS_DIR}"
  "KSERIAL_SKIP_CODE=${KS_SKIP_CODE}"
  "KSERIAL_SOURCE=${PROJECT_SOURCE_DIR}"
  "KSERIAL_BUILD=${PROJECT_BINARY_DIR}")
if(KSERIAL_CORPUS_DIR)
  # the specs written before spec/helpers/corpus.lua read KSERIAL_SHARED
  get_filename_component(KS_SHARED_DIR ${KSERIAL_CORPUS_DIR} DIRECTORY)
  list(APPEND KS_LUA_ENV "KSERIAL_SHARED=${KS_SHARED_DIR}")
endif()
# busted's own options: the ones of .busted (made for plain `busted` in the
# root) give way to this build's module and helpers, under this interpreter
set(KS_BUSTED_ARGS --ignore-lua --output=utfTerminal
    "--cpath=${PROJECT_BINARY_DIR}/lib/lua/?.so"
    "--lpath=${PROJECT_SOURCE_DIR}/spec/helpers/?.lua")
foreach(spec ${KS_SPECS})
  get_filename_component(name ${spec} NAME_WE)
  if(NOT KSERIAL_SANITIZE)
    # a module built with sanitizers cannot load into the uninstrumented lua5.4
    add_test(NAME lua.${name}
             COMMAND ${LUA_EXE} ${BUSTED_EXE} ${KS_BUSTED_ARGS} ${spec}
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(lua.${name} PROPERTIES ENVIRONMENT "${KS_LUA_ENV}"
                         SKIP_RETURN_CODE ${KS_SKIP_CODE})
  endif()
  if(TARGET kserial-lua)
    add_test(NAME kserial-lua.${name}
             COMMAND $<TARGET_FILE:kserial-lua> ${BUSTED_EXE} ${KS_BUSTED_ARGS} ${spec}
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(kserial-lua.${name} PROPERTIES ENVIRONMENT "${KS_LUA_ENV}"
                         SKIP_RETURN_CODE ${KS_SKIP_CODE})
  endif()
endforeach()

# Examples run as tests and check their own output.
if(NOT KSERIAL_SANITIZE)
  add_test(NAME example.quickstart.lua5.4
           COMMAND ${LUA_EXE} ${PROJECT_SOURCE_DIR}/examples/quickstart.lua)
  set_tests_properties(example.quickstart.lua5.4 PROPERTIES ENVIRONMENT "${KS_LUA_ENV}"
                       PASS_REGULAR_EXPRESSION "round trip ok: 3 layers.*refused in safe mode")
endif()
if(TARGET kserial-lua)
  add_test(NAME example.quickstart
           COMMAND $<TARGET_FILE:kserial-lua> ${PROJECT_SOURCE_DIR}/examples/quickstart.lua)
  set_tests_properties(example.quickstart PROPERTIES
                       PASS_REGULAR_EXPRESSION "round trip ok: 3 layers.*refused in safe mode")
endif()

# C API tests: C hosts linking libkserial.
file(GLOB KS_CAPI_TESTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/spec/capi/test_*.c)
foreach(src ${KS_CAPI_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(capi_${name} ${src})
  target_link_libraries(capi_${name} PRIVATE kserial)
  add_test(NAME capi.${name} COMMAND capi_${name})
endforeach()

include(cmake/cli_tests.cmake OPTIONAL)
include(cmake/threads.cmake OPTIONAL)

if(TARGET kserial-lua)
  add_test(NAME example.model COMMAND $<TARGET_FILE:kserial-lua> ${PROJECT_SOURCE_DIR}/examples/model.lua)
  set_tests_properties(example.model PROPERTIES PASS_REGULAR_EXPRESSION
    "saved .*scan: 14 items, 0 missing, 0 lambdas, unsafe = false.*loaded tied: 4 layers, embedding shared, sigmoid\\(0\\) = 0.5")
endif()

# The embedding example: a C host with a native class.
add_executable(embed_example ${PROJECT_SOURCE_DIR}/examples/embed/embed.c)
target_link_libraries(embed_example PRIVATE kserial)
add_test(NAME example.embed COMMAND embed_example)
set_tests_properties(example.embed PROPERTIES PASS_REGULAR_EXPRESSION
  "registered demo>Matrix.*layer a: weights demo>Matrix, shared id 1.*layer c: weights demo>Matrix\n.*round trip ok: sum 2.0 \\+ 3.0.*dumps\\(loads\\(text\\)\\) == text: yes.*hostile document refused: kserial: Could not locate class 'os.execute'")

# Install into a temporary prefix and build a C host against it.
if(NOT KSERIAL_SANITIZE)
  add_test(NAME install.prefix
           COMMAND sh ${PROJECT_SOURCE_DIR}/spec/install/run_install_test.sh
                   ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
endif()

# The rockspec builds and installs a working module (when luarocks is there).
find_program(LUAROCKS_EXE luarocks)
if(LUAROCKS_EXE AND NOT KSERIAL_SANITIZE)
  add_test(NAME install.luarocks
    COMMAND sh -c "tree=$(mktemp -d) && cd '${PROJECT_SOURCE_DIR}' && '${LUAROCKS_EXE}' --lua-version 5.4 make --tree \"$tree\" kserial-0.1.0-1.rockspec >/dev/null && LUA_CPATH=\"$tree/lib/lua/5.4/?.so\" '${LUA_EXE}' -e 'print(require(\"kserial\").dumps({1, 2.0}))'; rc=$?; rm -rf \"$tree\"; exit $rc")
  set_tests_properties(install.luarocks PROPERTIES PASS_REGULAR_EXPRESSION "\\[1,2\\.0\\]")
endif()
