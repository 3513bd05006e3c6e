# kserial-lua driven as a user would, side by side with the stock lua5.4:
# one ctest test cli.<case> per case of spec/cli/run_cli_tests.sh (the case
# names come from its --list, so adding a case there adds a test here).
if(TARGET kserial-lua)
  find_program(KS_SH NAMES sh REQUIRED)
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
             COMMAND ${KS_SH} ${KS_CLI_DRIVER} $<TARGET_FILE:kserial-lua> ${LUA_EXE} ${case})
    # a case that cannot run here (no pseudo-terminal...) says so: skipped
    set_tests_properties(cli.${case} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
  endforeach()
endif()
