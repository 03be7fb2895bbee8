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

/* For a target's own checking loops (over every pixel, say): pass or
 * fail is all they can tell the fuzzer, and libFuzzer's comparison
 * callbacks on each of their branches would cost most of the run time.
 * The sanitizers still check them. noinline: inlined into an
 * instrumented caller, the code would be instrumented after all. */
#if defined(__clang__)
#define FUZZ_CHECKER __attribute__((no_sanitize("coverage"), noinline))
#else
#define FUZZ_CHECKER
#endif

#endif /* TM_FUZZ_H */
