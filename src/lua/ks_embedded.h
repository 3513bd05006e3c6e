/* ks_embedded.h - the Lua sources of lua/kserial/, compiled into the library. */
#ifndef KS_EMBEDDED_H
#define KS_EMBEDDED_H
#include <stddef.h>
typedef struct ks_embedded_chunk {
  const char *name;   /* file name without ".lua" */
  const char *source;
  size_t len;
} ks_embedded_chunk;
extern const ks_embedded_chunk ks_embedded_chunks[];
#endif
