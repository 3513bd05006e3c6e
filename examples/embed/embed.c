/*
** embed.c - a C program that hosts Lua and kserial.
**
** It defines a native type, Matrix (a C struct in a userdata), whose
** get_config and from_config are C functions, registers it with kserial,
** runs a user script that builds a model mixing Lua objects and Matrix
** objects, and round-trips the model through JSON from C, inspecting the
** document with cJSON on the way.
**
**   embed [script.lua]     (default: the script embedded below)
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include "kserial_cjson.h"

/* ---- the native type --------------------------------------------------- */

#define MATRIX "demo.Matrix"

typedef struct matrix {
  int rows, cols;
  double cells[];      /* rows * cols, row-major */
} matrix;

static matrix *push_matrix(lua_State *L, int rows, int cols) {
  matrix *m;
  if (rows < 1 || cols < 1 || rows > 1024 || cols > 1024)
    luaL_error(L, "Matrix: bad shape %d x %d", rows, cols);
  m = (matrix *)lua_newuserdatauv(L, sizeof *m + sizeof(double) * (size_t)(rows * cols), 0);
  m->rows = rows;
  m->cols = cols;
  memset(m->cells, 0, sizeof(double) * (size_t)(rows * cols));
  luaL_setmetatable(L, MATRIX);
  return m;
}

/* Matrix.new(rows, cols [, fill]) */
static int matrix_new(lua_State *L) {
  int rows = (int)luaL_checkinteger(L, 1), cols = (int)luaL_checkinteger(L, 2), i;
  double fill = luaL_optnumber(L, 3, 0.0);
  matrix *m = push_matrix(L, rows, cols);
  for (i = 0; i < rows * cols; i++) m->cells[i] = fill;
  return 1;
}

/* m:get_config() -> { shape = {rows, cols}, values = {...} } */
static int matrix_get_config(lua_State *L) {
  matrix *m = (matrix *)luaL_checkudata(L, 1, MATRIX);
  int i;
  lua_createtable(L, 0, 2);
  lua_createtable(L, 2, 0);
  lua_pushinteger(L, m->rows);
  lua_rawseti(L, -2, 1);
  lua_pushinteger(L, m->cols);
  lua_rawseti(L, -2, 2);
  lua_setfield(L, -2, "shape");
  lua_createtable(L, m->rows * m->cols, 0);
  for (i = 0; i < m->rows * m->cols; i++) {
    lua_pushnumber(L, m->cells[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "values");
  return 1;
}

/* Matrix:from_config(config) */
static int matrix_from_config(lua_State *L) {
  int rows, cols, i;
  matrix *m;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_getfield(L, 2, "shape");
  luaL_argcheck(L, lua_istable(L, -1), 2, "shape must be an array");
  lua_rawgeti(L, -1, 1);
  lua_rawgeti(L, -2, 2);
  rows = (int)luaL_checkinteger(L, -2);
  cols = (int)luaL_checkinteger(L, -1);
  lua_getfield(L, 2, "values");
  luaL_argcheck(L, lua_istable(L, -1) && lua_rawlen(L, -1) == (lua_Unsigned)(rows * cols),
                2, "values must hold rows * cols numbers");
  m = push_matrix(L, rows, cols);
  for (i = 0; i < rows * cols; i++) {
    lua_rawgeti(L, -2, i + 1);
    m->cells[i] = luaL_checknumber(L, -1);
    lua_pop(L, 1);
  }
  return 1;
}

static int matrix_sum(lua_State *L) {
  matrix *m = (matrix *)luaL_checkudata(L, 1, MATRIX);
  double s = 0;
  int i;
  for (i = 0; i < m->rows * m->cols; i++) s += m->cells[i];
  lua_pushnumber(L, s);
  return 1;
}

static void open_matrix(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"new", matrix_new}, {"get_config", matrix_get_config},
    {"from_config", matrix_from_config}, {"sum", matrix_sum}, {NULL, NULL}
  };
  luaL_newmetatable(L, MATRIX);        /* __name = "demo.Matrix" */
  luaL_setfuncs(L, methods, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "demo.native");
  lua_setfield(L, -2, "__module");
}

/* ---- the user's script ------------------------------------------------- */

static const char *const DEFAULT_SCRIPT =
  "local Layer = kserial.class('Layer')\n"
  "function Layer:get_config() return { name = self.name, weights = self.weights,\n"
  "                                     activation = self.activation } end\n"
  "function Layer.from_config(cls, c)\n"
  "  return cls.new{ name = c.name, weights = kserial.deserialize(c.weights),\n"
  "                  activation = kserial.deserialize(c.activation) }\n"
  "end\n"
  "kserial.register_serializable('demo')(Layer)\n"
  "local function tanh(x) return math.tanh(x) end\n"
  "kserial.register_serializable('demo', 'tanh')(tanh)\n"
  "local shared = Matrix.new(2, 2, 0.5)\n"
  "return { layers = { Layer{ name = 'a', weights = shared, activation = tanh },\n"
  "                    Layer{ name = 'b', weights = shared, activation = tanh },\n"
  "                    Layer{ name = 'c', weights = Matrix.new(1, 3, 1.0) } } }\n";

static int fail(lua_State *L, const char *what) {
  fprintf(stderr, "embed: %s: %s\n", what, lua_tostring(L, -1));
  lua_close(L);
  return 1;
}

int main(int argc, char **argv) {
  lua_State *L = luaL_newstate();
  cJSON *doc = NULL;
  char *text;
  int st;
  if (L == NULL) return 1;
  luaL_openlibs(L);
  luaL_requiref(L, "kserial", luaopen_kserial, 1);   /* the global kserial */
  lua_pop(L, 1);

  /* register the native class from C */
  open_matrix(L);
  lua_pushvalue(L, -1);
  lua_setglobal(L, "Matrix");
  if (kserial_lua_register(L, -1, "demo", "Matrix") != LUA_OK) return fail(L, "register");
  printf("registered %s\n", lua_tostring(L, -1));
  lua_pop(L, 2);

  /* the user's script builds the model */
  st = argc > 1 ? luaL_loadfile(L, argv[1])
                : luaL_loadbuffer(L, DEFAULT_SCRIPT, strlen(DEFAULT_SCRIPT), "=script");
  if (st != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) return fail(L, "script");

  /* model -> cJSON document, inspected and printed from C */
  if (kserial_lua_to_cjson(L, -1, &doc) != LUA_OK) return fail(L, "to_cjson");
  lua_pop(L, 1);
  {
    cJSON *layers = cJSON_GetObjectItemCaseSensitive(doc, "layers"), *layer;
    cJSON_ArrayForEach(layer, layers) {
      cJSON *cfg = cJSON_GetObjectItemCaseSensitive(layer, "config");
      cJSON *w = cJSON_GetObjectItemCaseSensitive(cfg, "weights");
      cJSON *id = cJSON_GetObjectItemCaseSensitive(w, "shared_object_id");
      printf("layer %s: weights %s%s%s\n",
             cJSON_GetObjectItemCaseSensitive(cfg, "name")->valuestring,
             cJSON_GetObjectItemCaseSensitive(w, "registered_name")->valuestring,
             id ? ", shared id " : "", id ? id->valuestring : "");
    }
  }
  text = cJSON_PrintUnformatted(doc);
  printf("document: %zu bytes\n", strlen(text));

  /* document -> live objects again, checked from Lua */
  if (kserial_lua_from_cjson(L, doc, 0) != LUA_OK) return fail(L, "from_cjson");
  lua_setglobal(L, "model");
  if (luaL_dostring(L,
        "local l = model.layers\n"
        "assert(rawequal(l[1].weights, l[2].weights), 'shared matrix')\n"
        "assert(getmetatable(l[1].weights).__name == 'demo.Matrix')\n"
        "assert(l[1].activation(0) == 0 and l[3].activation == nil)\n"
        "print(string.format('round trip ok: sum %.1f + %.1f, shared weights are one object',\n"
        "                    l[1].weights:sum(), l[3].weights:sum()))") != LUA_OK)
    return fail(L, "check");

  /* the same text through loads: identical result */
  if (kserial_lua_loads(L, text, strlen(text), 0) != LUA_OK) return fail(L, "loads");
  if (kserial_lua_dumps(L, -1, 0) != LUA_OK) return fail(L, "dumps");
  printf("dumps(loads(text)) == text: %s\n", strcmp(lua_tostring(L, -1), text) == 0 ? "yes" : "no");

  /* a bad document: an error status and a message, never a longjmp */
  {
    const char *hostile = "{\"class_name\": \"os.execute\", \"config\": {}}";
    st = kserial_lua_loads(L, hostile, strlen(hostile), 0);
  }
  printf("hostile document refused: %s\n", st != LUA_OK ? lua_tostring(L, -1) : "NO");

  cJSON_free(text);
  cJSON_Delete(doc);
  lua_close(L);
  return 0;
}
