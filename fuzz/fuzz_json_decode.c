/*
** fuzz_json_decode.c - kserial.json.decode, with options from the first
** byte; what decodes must encode, and decode(encode(v)) must encode to the
** same bytes (fuzz/lua/json.lua has the invariants and the byte's layout).
*/
#include "fuzz_driver.h"

static const fuzz_target target = {"json", NULL};

FUZZ_MAIN(target)
