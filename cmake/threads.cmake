# threads.parallel_states: several threads, each with its own lua_States,
# using kserial at once (spec/threads/). Built with KSERIAL_TSAN=ON (see
# CMakeLists.txt and tools/tsan.sh) it is the ThreadSanitizer test.
find_package(Threads REQUIRED)
add_executable(threads_parallel_states ${PROJECT_SOURCE_DIR}/spec/threads/test_threads.c)
target_link_libraries(threads_parallel_states PRIVATE kserial Threads::Threads)
add_test(NAME threads.parallel_states
         COMMAND threads_parallel_states ${PROJECT_SOURCE_DIR}/spec/threads/worker.lua 4 300)
set_tests_properties(threads.parallel_states PROPERTIES TIMEOUT 600)
