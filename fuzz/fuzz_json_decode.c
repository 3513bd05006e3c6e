/*
** fuzz_json_decode.c - kserial.json.decode, with options from the first
** byte; what decodes must encode, and decode(encode(v)) must encode to the
** same bytes (fuzz/lua/json.lua has the invariants and the byte's layout).
*/
#include "fuzz_driver.h"

static const fuzz_target target = {"json", NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_init(&target);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_run(data, size);
}
