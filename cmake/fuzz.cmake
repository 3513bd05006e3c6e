# libFuzzer targets of fuzz/ (fuzz/README.md), built with clang under ASan + UBSan:
#   CC=clang cmake -S . -B build-fuzz -DKSERIAL_FUZZ=ON && cmake --build build-fuzz --target fuzzers
# tools/fuzz.sh does that, builds the seed corpora and runs every target.

# (the option is in CMakeLists.txt; the regression tests in cmake/tests.cmake)
set(KS_FUZZ_TARGETS "")
if(NOT KSERIAL_FUZZ)
  return()
endif()

if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR
    "KSERIAL_FUZZ=ON needs clang (libFuzzer is part of clang), but this build "
    "directory uses ${CMAKE_C_COMPILER_ID} (${CMAKE_C_COMPILER}). Configure a new "
    "build directory with CC=clang (tools/fuzz.sh does), or turn KSERIAL_FUZZ off.")
endif()

set(KS_FUZZ_SANITIZE address,undefined)
include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer,${KS_FUZZ_SANITIZE}")
check_c_source_compiles("
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { (void)data; return (int)(size & 0); }
" KSERIAL_HAVE_LIBFUZZER)
unset(CMAKE_REQUIRED_FLAGS)
if(NOT KSERIAL_HAVE_LIBFUZZER)
  message(FATAL_ERROR
    "KSERIAL_FUZZ=ON: ${CMAKE_C_COMPILER} cannot link -fsanitize=fuzzer,${KS_FUZZ_SANITIZE}. "
    "On Debian 12 install the clang runtime: apt-get install libclang-rt-14-dev "
    "(see CMakeFiles/CMakeError.log for the compiler's message).")
endif()

set(KS_FUZZ_FLAGS -fno-sanitize-recover=all -fno-omit-frame-pointer -g)

# The library again (every object group of libkserial, whose sources and
# include folders are read from those targets) and the test hooks,
# instrumented for libFuzzer (coverage) and sanitizers; the normal targets
# of this build directory stay as they are.
set(KS_FUZZ_LIB_SOURCES ${PROJECT_SOURCE_DIR}/src/testhooks/testhooks.c)
set(KS_FUZZ_LIB_INCLUDES ${PROJECT_SOURCE_DIR}/src/testhooks)
foreach(group kserial_core kserial_json kserial_binding kserial_cjson_bridge kserial_cjson_api)
  get_target_property(srcs ${group} SOURCES)
  foreach(src ${srcs})
    if(NOT IS_ABSOLUTE ${src})
      set(src ${PROJECT_SOURCE_DIR}/${src})
    endif()
    list(APPEND KS_FUZZ_LIB_SOURCES ${src})
  endforeach()
  list(APPEND KS_FUZZ_LIB_INCLUDES $<TARGET_PROPERTY:${group},INTERFACE_INCLUDE_DIRECTORIES>)
endforeach()
add_library(kserial_fuzz_objs OBJECT ${KS_FUZZ_LIB_SOURCES})
target_include_directories(kserial_fuzz_objs PUBLIC ${KS_FUZZ_LIB_INCLUDES})
target_link_libraries(kserial_fuzz_objs PUBLIC kserial::lua_headers kserial::cjson)
target_compile_options(kserial_fuzz_objs PRIVATE
                       -fsanitize=fuzzer-no-link,${KS_FUZZ_SANITIZE} ${KS_FUZZ_FLAGS})

# The Lua harnesses, compiled in so that a target binary is self-contained.
file(GLOB KS_FUZZ_LUA CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/lua/*.lua)
set(KS_FUZZ_CHUNKS_C ${PROJECT_BINARY_DIR}/generated/fuzz_chunks.c)
add_custom_command(
  OUTPUT ${KS_FUZZ_CHUNKS_C}
  COMMAND ${CMAKE_COMMAND} -DOUT=${KS_FUZZ_CHUNKS_C} -DSRC_DIR=${PROJECT_SOURCE_DIR}/fuzz/lua
          -DHEADER=fuzz_driver.h -DTYPE=fuzz_chunk -DTABLE=fuzz_chunks
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_lua.cmake
  DEPENDS ${KS_FUZZ_LUA} ${PROJECT_SOURCE_DIR}/cmake/embed_lua.cmake
  COMMENT "Embedding fuzz/lua/*.lua")

# What the targets share: the driver, the C userdata class, the harnesses.
add_library(kserial_fuzz_driver OBJECT ${PROJECT_SOURCE_DIR}/fuzz/fuzz_driver.c
            ${PROJECT_SOURCE_DIR}/fuzz/fuzz_userdata.c ${KS_FUZZ_CHUNKS_C})
target_include_directories(kserial_fuzz_driver PUBLIC ${KS_FUZZ_LIB_INCLUDES}
                           ${PROJECT_SOURCE_DIR}/fuzz)
target_link_libraries(kserial_fuzz_driver PUBLIC kserial::lua_headers kserial::cjson)
target_compile_options(kserial_fuzz_driver PRIVATE
                       -fsanitize=fuzzer-no-link,${KS_FUZZ_SANITIZE} ${KS_FUZZ_FLAGS})

set(KS_FUZZ_TARGETS fuzz_json_decode fuzz_loads fuzz_scan)
foreach(t ${KS_FUZZ_TARGETS})
  add_executable(${t} ${PROJECT_SOURCE_DIR}/fuzz/${t}.c
                 $<TARGET_OBJECTS:kserial_fuzz_driver> $<TARGET_OBJECTS:kserial_fuzz_objs>)
  target_include_directories(${t} PRIVATE ${KS_FUZZ_LIB_INCLUDES} ${PROJECT_SOURCE_DIR}/fuzz)
  target_compile_options(${t} PRIVATE -fsanitize=fuzzer,${KS_FUZZ_SANITIZE} ${KS_FUZZ_FLAGS})
  target_link_options(${t} PRIVATE -fsanitize=fuzzer,${KS_FUZZ_SANITIZE})
  target_link_libraries(${t} PRIVATE kserial::lua kserial::cjson m)
  set_target_properties(${t} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
endforeach()
add_custom_target(fuzzers DEPENDS ${KS_FUZZ_TARGETS})

