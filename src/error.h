/* error.h - one failure that stops the run, described where it happened
 * and printed by main.c.
 *
 * Input problems (many per run, with file:row) travel in struct
 * tm_problems instead; see problems.h. The exit status of trustmap is the
 * enum tm_rc value.
 */
#ifndef TM_ERROR_H
#define TM_ERROR_H

#include "util.h"

enum tm_rc {
  TM_OK = 0,
  TM_INPUT = 1,   /* problems in the inputs; see struct tm_problems */
  TM_USAGE = 2,   /* bad command line */
  TM_SYSTEM = 3   /* I/O, library or memory failure; see struct tm_error */
};

struct tm_error {
  enum tm_rc rc;
  char msg[1024];
};

/* Sets *e and returns e->rc, so callers can write `return tm_fail(...);`. */
enum tm_rc tm_fail(struct tm_error *e, enum tm_rc rc, const char *fmt, ...)
  TM_PRINTF(3, 4);

/* Like tm_fail, adding ": strerror(errno)" for the current errno. */
enum tm_rc tm_fail_errno(struct tm_error *e, const char *fmt, ...)
  TM_PRINTF(2, 3);

#endif /* TM_ERROR_H */
