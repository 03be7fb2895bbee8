/* problems.h - problems found in the inputs, kept for the report.
 *
 * Nothing here prints: main.c prints the list to stderr and report.c
 * writes it into the report, so every message has one shape:
 *
 *   data/trusts/foi-2025-03.csv:17: error: status "Partly" is not a known status
 *     (known: collecting, ...; add an alias in styles/default.json)
 *
 * An error stops the build (exit 1, nothing published). A warning lets it
 * go on; when the warning says a row was excluded, that row is not on the
 * map and the report counts it. --strict makes warnings stop the build too.
 * The list owns every string in it except where.path, which is borrowed
 * from the options (the path exactly as the user typed it).
 */
#ifndef TM_PROBLEMS_H
#define TM_PROBLEMS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct tm_where {
  const char *path;  /* borrowed: the path as the user typed it */
  long row;          /* 1-based row as a spreadsheet shows it (header = 1);
                        0 = the whole file */
};

enum tm_severity {
  TM_WARNING,
  TM_ERROR
};

struct tm_problem {
  struct tm_where where;
  enum tm_severity severity;
  bool excludes_row;  /* the row is left off the map (warnings only) */
  char *kind;         /* owned; short stable id, e.g. "unknown-status" */
  char *what;         /* owned */
  char *fix;          /* owned; NULL when there is nothing to suggest */
};

struct tm_problems {
  struct tm_problem *v;
  size_t n, cap;
};

/* Adds an error: the build will stop. */
void tm_problem_error(struct tm_problems *p, const struct tm_where *where,
                      const char *kind, const char *fix,
                      const char *fmt, ...) TM_PRINTF(5, 6);

/* Adds a warning that leaves the row off the map. */
void tm_problem_exclude(struct tm_problems *p, const struct tm_where *where,
                        const char *kind, const char *fix,
                        const char *fmt, ...) TM_PRINTF(5, 6);

/* Adds a warning that changes nothing on the map (e.g. text converted). */
void tm_problem_note(struct tm_problems *p, const struct tm_where *where,
                     const char *kind, const char *fix,
                     const char *fmt, ...) TM_PRINTF(5, 6);

size_t tm_problems_count(const struct tm_problems *p,
                         enum tm_severity severity);

/* Sorts by file (in the order first seen), then row, keeping the order of
 * problems on the same row, so messages read top to bottom. */
void tm_problems_sort(struct tm_problems *p);

/* Formats one problem as "path:row: severity: what\n  (fix)\n" into a new
 * string. */
char *tm_problem_format(const struct tm_problem *pr);

void tm_problems_clear(struct tm_problems *p);

#endif /* TM_PROBLEMS_H */
