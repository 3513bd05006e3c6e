/*
** cli.h - private interface between the files of kserial-lua: running a
** chunk with a traceback and Ctrl-C, reporting errors, the REPL, --scan.
*/
#ifndef KSERIAL_CLI_H
#define KSERIAL_CLI_H

#include <lua.h>

/* Error messages always start with the product name, whatever argv[0] is:
** "kserial-lua: <message>" (docs/kserial-lua.md). */
#define CLI_PROGNAME "kserial-lua"

/* Prints "pname: msg" (or just msg when pname is NULL) on stderr. */
void cli_message(const char *pname, const char *msg);

/* When status is an error, prints the message on top of the stack with
** cli_message and pops it. Returns status. */
int cli_report(lua_State *L, int status, const char *pname);

/* Calls the function below narg arguments like lua_pcall, with a message
** handler that adds a traceback and with Ctrl-C turned into a Lua error. */
int cli_docall(lua_State *L, int narg, int nres);

/* Loads and runs a file (NULL: standard input), reporting any error. */
int cli_dofile(lua_State *L, const char *name, const char *pname);

/* Pushes the kserial module table this interpreter opened (or nil). */
int cli_pushmodule(lua_State *L);

/* The read-eval-print loop on standard input; clears the stack. */
void cli_repl(lua_State *L);

/* --scan: reports on each of the files (a NULL-terminated list). Returns
** the exit status: 0 all clean, 3 unsafe content, 2 a file failed. */
int cli_scan(lua_State *L, char **files);

#endif
