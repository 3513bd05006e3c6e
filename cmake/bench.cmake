# kserial-bench: the minimal Lua host bench/run.lua runs in (a counting
# allocator for peak memory, a monotonic clock, and one function for
# callgrind to count). Benchmarks only: not installed, not a test, and not
# built by default (KSERIAL_BENCH=ON, or `cmake --build build --target
# kserial-bench`, which bench/run.sh does).
if(NOT TARGET kserial)
  return()
endif()
if(KSERIAL_BENCH)
  add_executable(kserial-bench ${PROJECT_SOURCE_DIR}/bench/bench_host.c)
else()
  add_executable(kserial-bench EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/bench/bench_host.c)
endif()
target_link_libraries(kserial-bench PRIVATE kserial kserial::lua)
set_target_properties(kserial-bench PROPERTIES BUILD_RPATH ${PROJECT_BINARY_DIR})
