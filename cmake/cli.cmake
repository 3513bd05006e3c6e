# kserial-lua: lua5.4 with kserial built in (src/cli), and its man page.
# It takes the library's objects rather than libkserial, so it runs from any
# prefix (a LuaRocks tree included) without a search path for libraries; it
# has no cJSON bridge and no test hooks (cmake/testhooks.cmake).
# The REPL has line editing and history when GNU readline (Debian:
# libreadline-dev) is found, as Debian's lua5.4 has; KSERIAL_READLINE=OFF
# builds without it.
if(NOT KSERIAL_HAVE_LIBLUA)
  return()
endif()
option(KSERIAL_READLINE "Line editing and history in kserial-lua's REPL (when readline is found)" ON)

add_executable(kserial-lua
  src/cli/main.c        # main, pmain, the options, LUA_INIT
  src/cli/repl.c        # the REPL
  src/cli/scan_cmd.c    # --scan [--json]
  ${KS_ENGINE_OBJECTS})
target_include_directories(kserial-lua PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(kserial-lua PRIVATE kserial::lua m)

if(KSERIAL_READLINE)
  find_path(KSERIAL_READLINE_INCLUDE_DIR readline/readline.h)
  find_library(KSERIAL_READLINE_LIBRARY NAMES readline)
  if(KSERIAL_READLINE_INCLUDE_DIR AND KSERIAL_READLINE_LIBRARY)
    target_compile_definitions(kserial-lua PRIVATE KSERIAL_HAVE_READLINE=1)
    target_include_directories(kserial-lua SYSTEM PRIVATE ${KSERIAL_READLINE_INCLUDE_DIR})
    target_link_libraries(kserial-lua PRIVATE ${KSERIAL_READLINE_LIBRARY})
    message(STATUS "kserial: kserial-lua with readline (${KSERIAL_READLINE_LIBRARY})")
  else()
    message(STATUS "kserial: kserial-lua without readline (install libreadline-dev for line editing)")
  endif()
endif()

option(KSERIAL_INSTALL_CLI "install kserial-lua and its man page" ON)
if(KSERIAL_INSTALL_CLI)
  install(TARGETS kserial-lua RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/docs/kserial-lua.1
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
