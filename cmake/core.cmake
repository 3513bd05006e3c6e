# kserial_core: the C core (src/core), no Lua inside. Objects, linked into
# every product and into the core's C tests.
#
# Sources are listed, not globbed, here and in every target file: a new
# file is added on purpose, the list is the map of the folder (as cJSON's,
# yyjson's and LPeg's build files are), and CMake needs no re-glob to see it.
add_library(kserial_core OBJECT
  src/core/engine.c     # ks_engine_new/free, the allocator
  src/core/envelope.c   # what an envelope is and how its class resolves
  src/core/hash.c
  src/core/htab.c       # the hash table under maps and the registry
  src/core/lookup.c     # lookup precedence
  src/core/map.c
  src/core/mem.c
  src/core/modules.c
  src/core/names.c      # key and name rules
  src/core/registry.c
  src/core/safemode.c
  src/core/scopes.c
  src/core/status.c)
target_include_directories(kserial_core PUBLIC ${PROJECT_SOURCE_DIR}/include)
