/* fuzz.h - the entry point every fuzz target defines (libFuzzer's), so
 * standalone_main.c and libFuzzer can both drive it, and what the targets
 * share. Everything shared is static inline here, not in a .c file of
 * its own, because tools/fuzz.sh links each target from its one .c file.
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
#include <string.h>

#include "style.h"

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

/* The style parsed from json into *slot on the first call and kept there
 * for the rest of the run, never freed: the target fuzzes what uses the
 * style, not its parser, so parsing it again for every input would only
 * slow the fuzzer down. A style that does not parse is the target's own
 * bug, so it aborts. */
static inline struct tm_style *fuzz_fixed_style(struct tm_style **slot,
                                                const char *json)
{
  struct tm_problems probs = { 0 };

  if(!*slot && tm_style_parse(json, strlen(json), "style.json", &probs,
                              slot))
    abort();
  tm_problems_clear(&probs);
  return *slot;
}

#endif /* TM_FUZZ_H */
