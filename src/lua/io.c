/*
** io.c - the protocol plus the codec: dumps, loads, save, load.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ks_json.h"
#include "ks_walk.h"
#include "ks_keyorder.h"

static const char *const DUMPS_EXTRA[] = {"max_values", NULL};

/* Protected: 1 value, 2 options, 3 fname, 4 the engine box. Serializes and
** encodes. */
static int dumps_worker(lua_State *L) {
  ksj_encode_opts eo;
  lua_Integer max_values;
  ksj_encode_opts_init(&eo);
  eo.key_order = &ksl_keras_key_order;
  ksj_encode_opts_read(L, 2, &eo, lua_tostring(L, 3), DUMPS_EXTRA);
  ksj_encode_opts_json_only(L, &eo, lua_tostring(L, 3));
  max_values = ksl_max_values_opt(L, 2, lua_tostring(L, 3), 0);
  /* plain tables go straight to text while the walk runs (the store is
  ** freed when this function ends, normally or not) */
  eo.frags = ksj_frags_new(L, &eo);
  lua_toclose(L, -1);
  if (ksl_serialize_value(L, 4, 1, &eo, max_values) != LUA_OK) return lua_error(L);
  ksj_encode(L, -1, &eo);
  return 1;
}

/* Runs worker(value, opts, fname, box) protected from a module function
** (whose upvalue is the box); pushes its result or the error message. */
static int run_worker(lua_State *L, lua_CFunction worker, int value, int opts,
                      const char *fname) {
  lua_pushcfunction(L, worker);
  lua_pushvalue(L, value);
  lua_pushvalue(L, opts);
  lua_pushstring(L, fname);
  lua_pushvalue(L, KSL_BOX);
  return lua_pcall(L, 4, 1, 0);
}

#define do_dumps(L, v, o, f) run_worker((L), dumps_worker, (v), (o), (f))
#define do_loads(L, t, o, f) run_worker((L), loads_worker, (t), (o), (f))

static int l_dumps(lua_State *L) {
  lua_settop(L, 2);
  if (do_dumps(L, 1, 2, "dumps") != LUA_OK) return ksl_raise(L, KSL_BOX);
  return 1;
}

/* Protected: 1 text, 2 options, 3 fname, 4 the engine box. Decodes and
** deserializes. */
static int loads_worker(lua_State *L) {
  ksj_decode_opts dop;
  size_t len;
  const char *text = lua_tolstring(L, 1, &len);
  const char *fname = lua_tostring(L, 3);
  ksj_decode_opts_init(&dop);
  ksj_decode_opts_read(L, 2, &dop, fname, KSL_DES_OPTION_NAMES);
  ksj_decode(L, text, len, &dop);
  if (ksl_deserialize_opts(L, 4, -1, 2, fname, KSJ_DECODE_OPTION_NAMES) != LUA_OK)
    return lua_error(L);
  return 1;
}

static int l_loads(lua_State *L) {
  lua_settop(L, 2);
  if (lua_type(L, 1) != LUA_TSTRING)
    return ksj_typeerror(L, 1, "string");
  if (do_loads(L, 1, 2, "loads") != LUA_OK) return ksl_raise(L, KSL_BOX);
  return 1;
}

/* ---- files ----------------------------------------------------------------------- */

/* Opens a new temporary file next to path (the name written into tmp),
** created with O_EXCL and mode 0666 so that the umask applies as for any new
** file; when path exists its mode is kept. Returns the fd or -1 (errno). */
static int open_temp(const char *path, char *tmp, size_t tmpsize) {
  struct stat st;
  int attempt, fd = -1;
  for (attempt = 0; attempt < 100 && fd < 0; attempt++) {
    if ((size_t)snprintf(tmp, tmpsize, "%s.tmp-%ld-%d", path, (long)getpid(),
                         attempt + (int)(((uintptr_t)tmp >> 4) & 0xFFFF) * 100) >= tmpsize) {
      errno = ENAMETOOLONG;
      return -1;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) return -1;
  }
  if (fd >= 0 && stat(path, &st) == 0) (void)fchmod(fd, st.st_mode & 07777);
  return fd;
}

/* Writes text to path atomically: a temporary file in the same folder,
** written, synced and closed, then renamed over path. On failure removes the
** temporary file and returns errno; the old file is untouched. No Lua call
** happens in here, so nothing can unwind past the open file. */
static int write_atomic(const char *path, const char *text, size_t len,
                        char *tmp, size_t tmpsize) {
  int fd, err = 0;
  size_t off = 0;
  fd = open_temp(path, tmp, tmpsize);
  if (fd < 0) return errno;
  while (off < len && err == 0) {
    ssize_t n = write(fd, text + off, len - off);
    if (n < 0 && errno != EINTR) err = errno;
    else if (n > 0) off += (size_t)n;
  }
  if (err == 0 && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && rename(tmp, path) != 0) err = errno;
  if (err != 0) unlink(tmp);
  return err;
}

/* The file path argument at idx: a string without NUL bytes (the system
** would read it only up to the first one, and write or read another file). */
static const char *check_path(lua_State *L, int idx, const char *fname) {
  size_t len;
  const char *path = ksj_checklstring(L, idx, &len);
  if (memchr(path, '\0', len) != NULL) {
    const char *shown = ksl_shown(L, path, len);
    lua_pushfstring(L, "kserial: %s: the path '%s' holds a NUL byte", fname, shown);
    ksl_raise(L, KSL_BOX);
  }
  return path;
}

/* Pushes "kserial: <what> '<path>': <reason>". strerror_r (the XSI one, as
** _POSIX_C_SOURCE asks) writes into our buffer; strerror may use a static one. */
static void push_io_error(lua_State *L, const char *what, const char *path, int err) {
  char reason[128];
  if (strerror_r(err, reason, sizeof reason) != 0)
    snprintf(reason, sizeof reason, "error %d", err);
  lua_pushfstring(L, "kserial: %s '%s': %s", what, path, reason);
}

static int l_save(lua_State *L) {
  const char *path;
  size_t len, plen;
  const char *text;
  char *tmp;
  int err;
  lua_settop(L, 3);
  path = check_path(L, 2, "save");
  plen = strlen(path);
  if (do_dumps(L, 1, 3, "save") != LUA_OK) return ksl_raise(L, KSL_BOX);
  text = lua_tolstring(L, -1, &len);
  /* the temporary name lives in a userdata: no leak if anything raises */
  tmp = (char *)lua_newuserdatauv(L, plen + 48, 0);
  err = write_atomic(path, text, len, tmp, plen + 48);
  if (err != 0) {
    push_io_error(L, "save: cannot write", path, err);
    return ksl_raise(L, KSL_BOX);
  }
  return 0;
}

/* Reads a whole file into a Lua string. */
/* The open file of read_file lives in a userdata whose __gc closes it, so a
** memory error raised while the text is read does not leak it. */
static int file_gc(lua_State *L) {
  FILE **pf = (FILE **)lua_touserdata(L, 1);
  if (*pf != NULL) {
    fclose(*pf);
    *pf = NULL;
  }
  return 0;
}

static int read_file(lua_State *L, const char *path) {
  FILE **pf = (FILE **)lua_newuserdatauv(L, sizeof(FILE *), 0);
  luaL_Buffer b;
  size_t n;
  int err;
  *pf = NULL;
  if (luaL_newmetatable(L, "kserial.file")) {
    lua_pushcfunction(L, file_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  *pf = fopen(path, "rb");
  if (*pf == NULL) {
    err = errno;
    lua_pop(L, 1);
    return err;
  }
  luaL_buffinit(L, &b);
  do {
    char *p = luaL_prepbuffer(&b);   /* may raise: only on memory errors */
    errno = 0;
    n = fread(p, 1, LUAL_BUFFERSIZE, *pf);
    luaL_addsize(&b, n);
  } while (n == LUAL_BUFFERSIZE);
  /* fread's own errno (EISDIR for a folder) says more than EIO */
  err = ferror(*pf) ? (errno != 0 ? errno : EIO) : 0;
  fclose(*pf);
  *pf = NULL;
  luaL_pushresult(&b);
  lua_remove(L, -2);                 /* the file's userdata */
  return err;
}

static int l_load(lua_State *L) {
  const char *path;
  int err;
  lua_settop(L, 2);
  path = check_path(L, 1, "load");
  err = read_file(L, path);
  if (err != 0) {
    push_io_error(L, "load: cannot read", path, err);
    return ksl_raise(L, KSL_BOX);
  }
  if (do_loads(L, 3, 2, "load") != LUA_OK) return ksl_raise(L, KSL_BOX);
  return 1;
}

void ksl_open_io(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"dumps", l_dumps}, {"loads", l_loads}, {"save", l_save}, {"load", l_load},
    {NULL, NULL}
  };
  lua_getfield(L, LUA_REGISTRYINDEX, KSL_ENGINE);
  luaL_setfuncs(L, fns, 1);
}
