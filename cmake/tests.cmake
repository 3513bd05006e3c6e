# Every ctest test of kserial is registered here, and only here
# (docs/testing.md). A test that cannot run on this machine says so and is
# reported as not run (SKIP_RETURN_CODE 77 or DISABLED), never as passed.
find_program(KSERIAL_LUA_EXE NAMES lua5.4 lua54 lua-5.4)
find_program(BUSTED_EXE NAMES busted)
find_program(LUACHECK_EXE NAMES luacheck)
find_program(LUAROCKS_EXE NAMES luarocks)
find_program(KS_SH NAMES sh REQUIRED)
set(KS_SKIP_CODE 77)

# ---- C tests of the core -----------------------------------------------------
file(GLOB KS_CORE_TESTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/spec/core/test_*.c)
foreach(src ${KS_CORE_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(core_${name} ${src} $<TARGET_OBJECTS:kserial_core>)
  target_include_directories(core_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include
                             ${PROJECT_SOURCE_DIR}/spec/core)
  add_test(NAME core.${name} COMMAND core_${name})
endforeach()

# ---- busted specs ------------------------------------------------------------
# Each spec/<unit>/*_spec.lua is one ctest test, named after its folder and
# file (spec/json/decode_spec.lua: lua.json.decode_spec), run under the
# stock lua5.4 with the module on LUA_CPATH, and again under kserial-lua.
# The folders: json/ (the codec), protocol/ (the Keras protocol: serialize,
# deserialize, registry, scopes, scan...), api/ (the documented surface),
# hostile/ (hostile documents and hooks, fuzz regressions).
file(GLOB KS_SPECS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/spec/*/*_spec.lua)
list(SORT KS_SPECS)
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
# lib/lua-test holds the test-only module kserial.testhooks (cmake/testhooks.cmake)
set(KS_LUA_ENV
  "LUA_CPATH=${PROJECT_BINARY_DIR}/lib/lua/?.so\;${PROJECT_BINARY_DIR}/lib/lua-test/?.so\;\;"
  "LUA_PATH=${PROJECT_SOURCE_DIR}/spec/helpers/?.lua\;\;"
  "KSERIAL_CORPUS_DIR=${KSERIAL_CORPUS_DIR}"
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
if(NOT BUSTED_EXE)
  message(WARNING "kserial: busted not found (Debian: lua-busted): the specs are registered but disabled")
  set(BUSTED_EXE busted)
endif()
foreach(spec ${KS_SPECS})
  file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR}/spec ${spec})
  string(REGEX REPLACE "\\.lua$" "" name "${name}")
  string(REPLACE "/" "." name "${name}")
  set(runners "")
  if(KSERIAL_LUA_EXE AND NOT KSERIAL_SANITIZE)
    # a module built with sanitizers cannot load into the uninstrumented lua5.4
    list(APPEND runners lua)
    add_test(NAME lua.${name}
             COMMAND ${KSERIAL_LUA_EXE} ${BUSTED_EXE} ${KS_BUSTED_ARGS} ${spec}
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  endif()
  if(TARGET kserial-lua)
    list(APPEND runners kserial-lua)
    add_test(NAME kserial-lua.${name}
             COMMAND $<TARGET_FILE:kserial-lua> ${BUSTED_EXE} ${KS_BUSTED_ARGS} ${spec}
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  endif()
  foreach(runner ${runners})
    set_tests_properties(${runner}.${name} PROPERTIES
                         ENVIRONMENT "${KS_LUA_ENV};KSERIAL_SKIP_CODE=${KS_SKIP_CODE}"
                         SKIP_RETURN_CODE ${KS_SKIP_CODE})
    if(BUSTED_EXE STREQUAL "busted")
      set_tests_properties(${runner}.${name} PROPERTIES DISABLED TRUE)
    endif()
  endforeach()
endforeach()

# All the specs again in one process, as plain `busted` runs them: a spec
# that leaves the registry changed breaks another one here. (A spec that
# needs the full corpus is pending here when it is absent, not skipped.)
if(KSERIAL_LUA_EXE AND NOT KSERIAL_SANITIZE)
  add_test(NAME lua.all_specs_one_process
           COMMAND ${KSERIAL_LUA_EXE} ${BUSTED_EXE} ${KS_BUSTED_ARGS} ${KS_SPECS}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(lua.all_specs_one_process PROPERTIES ENVIRONMENT "${KS_LUA_ENV}")
  if(BUSTED_EXE STREQUAL "busted")
    set_tests_properties(lua.all_specs_one_process PROPERTIES DISABLED TRUE)
  endif()
endif()

# Examples run as tests and check their own output.
if(KSERIAL_LUA_EXE AND NOT KSERIAL_SANITIZE)
  add_test(NAME example.quickstart.lua5.4
           COMMAND ${KSERIAL_LUA_EXE} ${PROJECT_SOURCE_DIR}/examples/quickstart.lua)
  set_tests_properties(example.quickstart.lua5.4 PROPERTIES ENVIRONMENT "${KS_LUA_ENV}"
                       PASS_REGULAR_EXPRESSION "round trip ok: 3 layers.*refused in safe mode")
endif()
if(TARGET kserial-lua)
  add_test(NAME example.quickstart
           COMMAND $<TARGET_FILE:kserial-lua> ${PROJECT_SOURCE_DIR}/examples/quickstart.lua)
  set_tests_properties(example.quickstart PROPERTIES
                       PASS_REGULAR_EXPRESSION "round trip ok: 3 layers.*refused in safe mode")
endif()

if(TARGET kserial-lua)
  add_test(NAME example.model COMMAND $<TARGET_FILE:kserial-lua> ${PROJECT_SOURCE_DIR}/examples/model.lua)
  set_tests_properties(example.model PROPERTIES PASS_REGULAR_EXPRESSION
    "saved .*scan: 14 items, 0 missing, 0 lambdas, unsafe = false.*loaded tied: 4 layers, embedding shared, sigmoid\\(0\\) = 0.5")
endif()

# C hosts linking libkserial: the C API tests and the embedding example.
if(TARGET kserial)
  # C API tests: C hosts linking libkserial.
  file(GLOB KS_CAPI_TESTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/spec/capi/test_*.c)
  foreach(src ${KS_CAPI_TESTS})
    get_filename_component(name ${src} NAME_WE)
    add_executable(capi_${name} ${src})
    target_link_libraries(capi_${name} PRIVATE kserial_cjson)
    add_test(NAME capi.${name} COMMAND capi_${name})
  endforeach()

  # The embedding example: a C host with a native class.
  add_executable(embed_example ${PROJECT_SOURCE_DIR}/examples/embed/embed.c)
  target_link_libraries(embed_example PRIVATE kserial_cjson)
  add_test(NAME example.embed COMMAND embed_example)
  set_tests_properties(example.embed PROPERTIES PASS_REGULAR_EXPRESSION
    "registered demo>Matrix.*layer a: weights demo>Matrix, shared id 1.*layer c: weights demo>Matrix\n.*round trip ok: sum 2.0 \\+ 3.0.*dumps\\(loads\\(text\\)\\) == text: yes.*hostile document refused: kserial: Could not locate class 'os.execute'")
endif()

# The ABI: libkserial exports exactly the functions include/ declares, and
# kserial.so only luaopen_kserial (tools/check_exports.sh).
if(TARGET kserial)
  add_test(NAME abi.exports
           COMMAND ${KS_SH} ${PROJECT_SOURCE_DIR}/tools/check_exports.sh ${CMAKE_NM}
                   ${PROJECT_SOURCE_DIR}/include $<TARGET_FILE:kserial> $<TARGET_FILE:kserial_module>)
endif()

# docs/c-api.md documents every function include/ declares, and shows no
# call of one that is gone (tools/check_capi_docs.sh; needs no build).
add_test(NAME docs.c_api
         COMMAND ${KS_SH} ${PROJECT_SOURCE_DIR}/tools/check_capi_docs.sh
                 ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/docs/c-api.md)

# Install into a temporary prefix and build a C host against it.
if(NOT KSERIAL_SANITIZE AND TARGET kserial)
  add_test(NAME install.prefix
           COMMAND ${KS_SH} ${PROJECT_SOURCE_DIR}/spec/install/run_install_test.sh
                   ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
endif()

# ---- kserial-lua driven as a user would ----------------------------------------
# Side by side with the stock lua5.4: one ctest test cli.<case> per case of
# spec/cli/run_cli_tests.sh (the case names come from its --list, so adding
# a case there adds a test here).
if(TARGET kserial-lua AND KSERIAL_LUA_EXE)
  set(KS_CLI_DRIVER ${PROJECT_SOURCE_DIR}/spec/cli/run_cli_tests.sh)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KS_CLI_DRIVER})
  execute_process(COMMAND ${KS_SH} ${KS_CLI_DRIVER} --list
                  OUTPUT_VARIABLE KS_CLI_CASES RESULT_VARIABLE KS_CLI_LIST_RC)
  if(NOT KS_CLI_LIST_RC EQUAL 0)
    message(FATAL_ERROR "${KS_CLI_DRIVER} --list failed")
  endif()
  string(REGEX MATCHALL "[A-Za-z0-9_]+" KS_CLI_CASES "${KS_CLI_CASES}")
  foreach(case ${KS_CLI_CASES})
    add_test(NAME cli.${case}
             COMMAND ${KS_SH} ${KS_CLI_DRIVER} $<TARGET_FILE:kserial-lua> ${KSERIAL_LUA_EXE} ${case})
    # a case that cannot run here (no pseudo-terminal...) says so: skipped
    set_tests_properties(cli.${case} PROPERTIES SKIP_RETURN_CODE ${KS_SKIP_CODE} TIMEOUT 120)
  endforeach()
endif()

# The man page renders without a warning (groff -ww); without groff,
# install.prefix still checks that it is installed where man finds it.
find_program(GROFF_EXE NAMES groff)
if(GROFF_EXE)
  add_test(NAME man.kserial-lua
           COMMAND ${KS_SH} -c "out=$('${GROFF_EXE}' -man -ww -z '${PROJECT_SOURCE_DIR}/docs/kserial-lua.1' 2>&1) && [ -z \"$out\" ] || { printf '%s\\n' \"$out\"; exit 1; }")
else()
  add_test(NAME man.kserial-lua COMMAND ${CMAKE_COMMAND} -E echo "groff is not installed")
  set_tests_properties(man.kserial-lua PROPERTIES DISABLED TRUE)
endif()

# ---- threads -------------------------------------------------------------------
# threads.parallel_states: several threads, each with its own lua_States,
# using kserial at once (spec/threads/). Built with KSERIAL_TSAN=ON (see
# tools/tsan.sh) it is the ThreadSanitizer test.
if(TARGET kserial)
  find_package(Threads REQUIRED)
  add_executable(threads_parallel_states ${PROJECT_SOURCE_DIR}/spec/threads/test_threads.c)
  target_link_libraries(threads_parallel_states PRIVATE kserial_cjson Threads::Threads)
  add_test(NAME threads.parallel_states
           COMMAND threads_parallel_states ${PROJECT_SOURCE_DIR}/spec/threads/worker.lua 4 300)
  set_tests_properties(threads.parallel_states PROPERTIES TIMEOUT 600)
endif()

# ---- fuzz regressions (KSERIAL_FUZZ) ---------------------------------------------
# Every file of fuzz/regressions/<target>/ is run once by its target (files
# given as arguments are executed once each; a crash fails the test).
foreach(t ${KS_FUZZ_TARGETS})
  file(GLOB inputs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/regressions/${t}/*)
  if(NOT inputs)
    message(FATAL_ERROR "fuzz/regressions/${t}/ has no input: keep at least one")
  endif()
  list(SORT inputs)
  add_test(NAME fuzz.regressions.${t} COMMAND ${t} ${inputs})
  set_tests_properties(fuzz.regressions.${t} PROPERTIES LABELS fuzz
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0;UBSAN_OPTIONS=print_stacktrace=1")
endforeach()

# ---- luacheck ----------------------------------------------------------------------
# `luacheck .` is clean (.luacheckrc); not run when luacheck is not installed.
if(LUACHECK_EXE)
  add_test(NAME luacheck COMMAND ${LUACHECK_EXE} --no-color .
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
else()
  add_test(NAME luacheck COMMAND ${CMAKE_COMMAND} -E echo "luacheck is not installed")
  set_tests_properties(luacheck PROPERTIES DISABLED TRUE)
endif()

# ---- the rockspec ---------------------------------------------------------------------
# Packs the rock from a copy of the tree, builds it with `luarocks --lua-version
# 5.4 make` into a temporary tree, and requires the module from the stock
# lua5.4 and runs the rock's kserial-lua (spec/install/run_luarocks_test.sh).
if(NOT KSERIAL_SANITIZE)
  if(LUAROCKS_EXE AND KSERIAL_LUA_EXE)
    add_test(NAME install.luarocks
             COMMAND ${KS_SH} ${PROJECT_SOURCE_DIR}/spec/install/run_luarocks_test.sh
                     ${PROJECT_SOURCE_DIR} ${LUAROCKS_EXE} ${KSERIAL_LUA_EXE})
    set_tests_properties(install.luarocks PROPERTIES SKIP_RETURN_CODE ${KS_SKIP_CODE} TIMEOUT 600)
  else()
    add_test(NAME install.luarocks COMMAND ${CMAKE_COMMAND} -E echo "luarocks is not installed")
    set_tests_properties(install.luarocks PROPERTIES DISABLED TRUE)
  endif()
endif()

# Declarative classes: a Keras-like library loads a version-1 file.
if(TARGET kserial-lua)
  add_test(NAME example.declarative
           COMMAND $<TARGET_FILE:kserial-lua> ${PROJECT_SOURCE_DIR}/examples/declarative.lua)
  set_tests_properties(example.declarative PROPERTIES PASS_REGULAR_EXPRESSION
    "loaded a version-1 file with version-3 classes: 3 layers; Dense hidden units 64, Dense logits units 10, Dropout drop rate 0.25\nsaved as version 3 and loaded back: round trip ok\nrefused in code: kserial: Dense: field 'units' must be an integer >= 1, got -3\nrefused in a file: kserial: Dense: field 'units' must be an integer >= 1, got 0 \\(at \\$\\.config\\.layers\\[2\\]\\.config\\.units\\)")
endif()
