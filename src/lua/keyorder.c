/*
** keyorder.c - Keras's envelope key order for the encoder: the order
** Keras writes an envelope's keys in (docs/reference.md, "JSON text and
** files"). json.encode, dumps and save use it for dicts without a recorded
** order.
*/
#include "ks_keyorder.h"

static const char *const KERAS_ENVELOPE_KEYS[] = {
  "module", "class_name", "config", "registered_name", "build_config",
  "compile_config", "shared_object_id", NULL
};

/* an envelope: a dict with class_name (1) and config (2) */
const ksj_key_order ksl_keras_key_order = {
  KERAS_ENVELOPE_KEYS, (1u << 1) | (1u << 2)
};
