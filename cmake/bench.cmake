# kserial-bench: the minimal Lua host bench/run.lua runs in (a counting
# allocator for peak memory, a monotonic clock, and one function for
# callgrind to count). Benchmarks only: not installed, not a test.
add_executable(kserial-bench ${PROJECT_SOURCE_DIR}/bench/bench_host.c)
target_link_libraries(kserial-bench PRIVATE kserial PkgConfig::LUA)
set_target_properties(kserial-bench PROPERTIES BUILD_RPATH ${PROJECT_BINARY_DIR})
