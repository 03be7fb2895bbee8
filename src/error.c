/* error.c - fill in a struct tm_error; nothing here prints. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

enum tm_rc tm_fail(struct tm_error *e, enum tm_rc rc, const char *fmt, ...)
{
  va_list ap;

  e->rc = rc;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
  va_end(ap);
  return rc;
}

enum tm_rc tm_fail_errno(struct tm_error *e, const char *fmt, ...)
{
  int saved = errno;
  va_list ap;
  size_t n;

  e->rc = TM_SYSTEM;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
  va_end(ap);
  n = strlen(e->msg);
  snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(saved));
  return TM_SYSTEM;
}
