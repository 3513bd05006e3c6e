/*
** ks_keyorder.h - Keras's envelope key order, which the binding hands to
** the codec (src/json knows no protocol).
*/
#ifndef KS_KEYORDER_H
#define KS_KEYORDER_H

#include "ks_json.h"

/* module, class_name, config, registered_name, build_config,
** compile_config, shared_object_id first, in that order, in any dict holding
** both class_name and config (an envelope); other keys after them. */
extern const ksj_key_order ksl_keras_key_order;

#endif
