/* fuzz.h - the entry point every fuzz target defines (libFuzzer's), so
 * standalone_main.c and libFuzzer can both drive it.
 *
 * A target must not leak, must not print, and calls abort() (through
 * FUZZ_CHECK) when an output breaks a promise its module's header makes;
 * a crash or an abort is a finding.
 */
#ifndef TM_FUZZ_H
#define TM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fuzzers give up early on large inputs: the modules' cost is linear,
 * and small inputs reach every branch much faster. */
#define FUZZ_MAX_INPUT 65536

#define FUZZ_CHECK(cond) do { if(!(cond)) abort(); } while(0)

#endif /* TM_FUZZ_H */
