/*
** keyorder.c - Keras's envelope key order for the encoder: the order
** Keras writes an envelope's keys in (SPEC section 4). json.encode, dumps
** and save use it for dicts without a recorded order.
*/
#include <string.h>
#include "ks_keyorder.h"

enum { R_MODULE, R_CLASS_NAME, R_CONFIG, R_REGISTERED_NAME, R_BUILD_CONFIG,
       R_COMPILE_CONFIG, R_SHARED_OBJECT_ID };

static int keras_rank(const char *s, size_t len) {
  switch (len) {
    case 6:
      if (memcmp(s, "module", 6) == 0) return R_MODULE;
      if (memcmp(s, "config", 6) == 0) return R_CONFIG;
      break;
    case 10: if (memcmp(s, "class_name", 10) == 0) return R_CLASS_NAME; break;
    case 15: if (memcmp(s, "registered_name", 15) == 0) return R_REGISTERED_NAME; break;
    case 12: if (memcmp(s, "build_config", 12) == 0) return R_BUILD_CONFIG; break;
    case 14: if (memcmp(s, "compile_config", 14) == 0) return R_COMPILE_CONFIG; break;
    case 16: if (memcmp(s, "shared_object_id", 16) == 0) return R_SHARED_OBJECT_ID; break;
    default: break;
  }
  return KSJ_RANK_OTHER;
}

const ksj_key_order ksl_keras_key_order = {
  keras_rank, (1u << R_CLASS_NAME) | (1u << R_CONFIG)
};
