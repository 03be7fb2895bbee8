/* problems.c - the list of input problems; formatting, nothing printed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problems.h"

static void add(struct tm_problems *p, const struct tm_where *where,
                enum tm_severity severity, bool excludes, const char *kind,
                const char *fix, const char *fmt, va_list ap)
  TM_PRINTF(7, 0);

static void add(struct tm_problems *p, const struct tm_where *where,
                enum tm_severity severity, bool excludes, const char *kind,
                const char *fix, const char *fmt, va_list ap)
{
  struct tm_problem *pr;
  va_list ap2;
  int n;

  tm_xgrow((void **)&p->v, &p->cap, p->n + 1, sizeof(p->v[0]));
  pr = &p->v[p->n++];
  memset(pr, 0, sizeof(*pr));
  if(where)
    pr->where = *where;
  pr->severity = severity;
  pr->excludes_row = excludes;
  pr->kind = tm_xstrdup(kind);
  pr->fix = fix ? tm_xstrdup(fix) : NULL;
  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if(n < 0)
    n = 0;
  pr->what = tm_xmalloc((size_t)n + 1);
  vsnprintf(pr->what, (size_t)n + 1, fmt, ap);
}

void tm_problem_error(struct tm_problems *p, const struct tm_where *where,
                      const char *kind, const char *fix, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  add(p, where, TM_ERROR, false, kind, fix, fmt, ap);
  va_end(ap);
}

void tm_problem_exclude(struct tm_problems *p, const struct tm_where *where,
                        const char *kind, const char *fix,
                        const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  add(p, where, TM_WARNING, true, kind, fix, fmt, ap);
  va_end(ap);
}

void tm_problem_note(struct tm_problems *p, const struct tm_where *where,
                     const char *kind, const char *fix, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  add(p, where, TM_WARNING, false, kind, fix, fmt, ap);
  va_end(ap);
}

size_t tm_problems_count(const struct tm_problems *p,
                         enum tm_severity severity)
{
  size_t i, n = 0;

  for(i = 0; i < p->n; i++)
    if(p->v[i].severity == severity)
      n++;
  return n;
}

/* Sort keys kept beside the problems: qsort is not stable, so the original
 * index breaks ties. */
struct sort_key {
  size_t file_rank;
  long row;
  size_t index;
};

static int key_cmp(const void *a, const void *b)
{
  const struct sort_key *x = a, *y = b;

  if(x->file_rank != y->file_rank)
    return x->file_rank < y->file_rank ? -1 : 1;
  if(x->row != y->row)
    return x->row < y->row ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static bool same_path(const char *a, const char *b)
{
  return (!a && !b) || (a && b && !strcmp(a, b));
}

void tm_problems_sort(struct tm_problems *p)
{
  struct sort_key *keys;
  struct tm_problem *sorted;
  const char **paths;
  size_t i, npaths = 0;

  if(p->n < 2)
    return;
  keys = tm_xcalloc(p->n, sizeof(*keys));
  /* Files rank in the order they first appear. A run reads a handful of
   * files, so a linear search over the distinct paths is enough. */
  paths = tm_xcalloc(p->n, sizeof(*paths));
  for(i = 0; i < p->n; i++) {
    size_t r;

    for(r = 0; r < npaths; r++)
      if(same_path(paths[r], p->v[i].where.path))
        break;
    if(r == npaths)
      paths[npaths++] = p->v[i].where.path;
    keys[i].file_rank = r;
    keys[i].row = p->v[i].where.row;
    keys[i].index = i;
  }
  qsort(keys, p->n, sizeof(*keys), key_cmp);
  sorted = tm_xcalloc(p->n, sizeof(*sorted));
  for(i = 0; i < p->n; i++)
    sorted[i] = p->v[keys[i].index];
  memcpy(p->v, sorted, p->n * sizeof(*sorted));
  free(sorted);
  free(paths);
  free(keys);
}

char *tm_problem_format(const struct tm_problem *pr)
{
  const char *sev = pr->severity == TM_ERROR ? "error" : "warning";
  char loc[64] = "";

  if(pr->where.row > 0)
    snprintf(loc, sizeof(loc), ":%ld", pr->where.row);
  if(pr->fix)
    return tm_xasprintf("%s%s: %s: %s\n  (%s)\n",
                        pr->where.path ? pr->where.path : "trustmap", loc,
                        sev, pr->what, pr->fix);
  return tm_xasprintf("%s%s: %s: %s\n",
                      pr->where.path ? pr->where.path : "trustmap", loc,
                      sev, pr->what);
}

void tm_problems_clear(struct tm_problems *p)
{
  size_t i;

  for(i = 0; i < p->n; i++) {
    free(p->v[i].kind);
    free(p->v[i].what);
    free(p->v[i].fix);
  }
  free(p->v);
  memset(p, 0, sizeof(*p));
}
