/*
** fuzz_scan.c - kserial.scan on decoded documents (and on the raw text),
** checked against an independent walk and against what deserialize meets
** (fuzz/lua/scan.lua).
*/
#include "fuzz_driver.h"
#include "fuzz_userdata.h"

static const fuzz_target target = {"scan", fuzz_add_userdata_class};

FUZZ_MAIN(target)
