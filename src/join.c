/* join.c - stage 2b: attach each trust's FOI answer to its sites.
 *
 * Sites and answers are sorted (by index arrays, leaving the inputs in
 * file order) so that duplicates sit side by side and every lookup is a
 * binary search: the join is O(n log n) for a million sites.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"

static int long_cmp(long a, long b)
{
  return (a > b) - (a < b);
}

/* Comparators for qsort_r over index arrays; ctx is the records array. */
static int site_order(const void *a, const void *b, void *ctx)
{
  const struct tm_site *v = ctx;
  const struct tm_site *x = &v[*(const size_t *)a];
  const struct tm_site *y = &v[*(const size_t *)b];
  int c = strcmp(x->trust_code, y->trust_code);

  if(c)
    return c;
  if(x->is_site != y->is_site)
    return x->is_site ? 1 : -1;
  c = strcmp(x->site_key, y->site_key);
  return c ? c : long_cmp(x->where.row, y->where.row);
}

static int site_code_order(const void *a, const void *b, void *ctx)
{
  const struct tm_site *v = ctx;
  const struct tm_site *x = &v[*(const size_t *)a];
  const struct tm_site *y = &v[*(const size_t *)b];
  int c = strcmp(x->code, y->code);

  return c ? c : long_cmp(x->where.row, y->where.row);
}

static int foi_order(const void *a, const void *b, void *ctx)
{
  const struct tm_foi *v = ctx;
  const struct tm_foi *x = &v[*(const size_t *)a];
  const struct tm_foi *y = &v[*(const size_t *)b];
  int c = strcmp(x->code, y->code);

  return c ? c : long_cmp(x->where.row, y->where.row);
}

static size_t *sorted_sites(const struct tm_sites *sites,
                            int (*cmp)(const void *, const void *, void *))
{
  size_t *idx = tm_xcalloc(sites->n, sizeof(*idx));
  size_t i;

  for(i = 0; i < sites->n; i++)
    idx[i] = i;
  qsort_r(idx, sites->n, sizeof(*idx), cmp, sites->v);
  return idx;
}

static bool same_place(const struct tm_site *a, const struct tm_site *b)
{
  return fabs(a->lon - b->lon) < 1e-7 && fabs(a->lat - b->lat) < 1e-7;
}

/* Rows that describe the same trust or site twice. Only rows still on the
 * map are compared, so a row never gets two excluding problems. */
static void check_duplicates(struct tm_sites *sites, const size_t *order,
                             struct tm_problems *probs)
{
  size_t i, first = SIZE_MAX;

  for(i = 0; i < sites->n; i++) {
    struct tm_site *s = &sites->v[order[i]];
    struct tm_site *f;

    if(s->excluded)
      continue;
    f = first == SIZE_MAX ? NULL : &sites->v[first];
    if(!f || strcmp(f->trust_code, s->trust_code) ||
       f->is_site != s->is_site || strcmp(f->site_key, s->site_key)) {
      first = order[i];
      continue;
    }
    if(!strcmp(f->name, s->name) && same_place(f, s)) {
      char *fix = tm_xasprintf("delete one of rows %ld and %ld",
                               f->where.row, s->where.row);

      tm_problem_exclude(probs, &s->where, "duplicate-code", fix,
                         "%s \"%s\" repeats row %ld; this row is left off "
                         "the map", s->is_site ? "site" : "trust", s->code,
                         f->where.row);
      free(fix);
      s->excluded = true;
    }
    else {
      tm_problem_error(probs, &s->where, "duplicate-code",
                       "keep one row, or tell the sites apart with "
                       "site_code or site_name",
                       "%s \"%s\" is already on row %ld with a different "
                       "%s", s->is_site ? "site" : "trust", s->code,
                       f->where.row,
                       strcmp(f->name, s->name) ? "name" : "location");
      s->excluded = true;
    }
  }
}

/* One entry per trust code, named by its own row or else by a site's
 * parent name. Sites of a trust with no name anywhere are orphans. */
static struct tm_trusts *collect_trusts(struct tm_sites *sites,
                                        const size_t *order,
                                        struct tm_problems *probs)
{
  struct tm_trusts *trusts = tm_xcalloc(1, sizeof(*trusts));
  size_t i = 0, j;

  trusts->v = tm_xcalloc(sites->n, sizeof(trusts->v[0]));
  while(i < sites->n) {
    const struct tm_site *s0 = &sites->v[order[i]];
    struct tm_trust *t = &trusts->v[trusts->n];
    const struct tm_site *named_by = NULL;
    size_t end = i;

    while(end < sites->n &&
          !strcmp(sites->v[order[end]].trust_code, s0->trust_code))
      end++;
    memset(t, 0, sizeof(*t));
    t->code = s0->trust_code;
    t->status = TM_STATUS_NO_RESPONSE;
    t->notes = "";
    /* This order is by site, so the trust's first row in the file is the
     * lowest row of the group. */
    t->where = s0->where;
    for(j = i + 1; j < end; j++)
      if(sites->v[order[j]].where.row < t->where.row)
        t->where = sites->v[order[j]].where;
    /* The trust's own row comes first in this order, if there is one. */
    for(j = i; j < end && !t->name; j++) {
      const struct tm_site *s = &sites->v[order[j]];

      if(!s->is_site) {
        t->name = s->trust_name ? s->trust_name : s->name;
        t->nation = s->nation;
        named_by = s;
      }
      else if(s->trust_name) {
        t->name = s->trust_name;
        t->nation = s->nation;
        named_by = s;
      }
    }
    /* Two names for one code is often a mistyped code that quietly moves
     * a hospital into another trust: say so once per trust. */
    for(j = i; t->name && j < end; j++) {
      const struct tm_site *s = &sites->v[order[j]];

      if(!s->excluded && s->trust_name &&
         strcmp(s->trust_name, t->name)) {
        char *fix = tm_xasprintf("check the code, or use one name for "
                                 "trust %s", t->code);

        tm_problem_note(probs, &s->where, "conflicting-name", fix,
                        "trust \"%s\" is called \"%s\" here but \"%s\" "
                        "on row %ld; the map uses \"%s\"", t->code,
                        s->trust_name, t->name, named_by->where.row,
                        t->name);
        free(fix);
        break;
      }
    }
    if(!t->name) {
      for(j = i; j < end; j++) {
        struct tm_site *s = &sites->v[order[j]];
        char *fix;

        if(s->excluded)
          continue;
        fix = tm_xasprintf("add a row for trust %s, or a parent name "
                           "column", s->trust_code);
        tm_problem_exclude(probs, &s->where, "missing-parent", fix,
                           "site \"%s\" belongs to trust \"%s\", which is "
                           "not in the file; the row is left off the map",
                           s->code, s->trust_code);
        free(fix);
        s->excluded = true;
      }
    }
    else {
      for(j = i; j < end; j++)
        if(!sites->v[order[j]].excluded)
          t->pins++;
      trusts->n++;
    }
    i = end;
  }
  return trusts;
}

static int trust_key_cmp(const void *key, const void *elem)
{
  const struct tm_trust *t = elem;

  return strcmp(key, t->code);
}

const struct tm_trust *tm_trusts_find(const struct tm_trusts *trusts,
                                      const char *code)
{
  if(!trusts->n)
    return NULL;
  return bsearch(code, trusts->v, trusts->n, sizeof(trusts->v[0]),
                 trust_key_cmp);
}

/* The site whose own code is `code`, for a hint; NULL if none. */
static const struct tm_site *find_site(const struct tm_sites *sites,
                                       const size_t *by_code,
                                       const char *code)
{
  size_t lo = 0, hi = sites->n;

  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if(strcmp(sites->v[by_code[mid]].code, code) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if(lo < sites->n && !strcmp(sites->v[by_code[lo]].code, code) &&
     sites->v[by_code[lo]].is_site)
    return &sites->v[by_code[lo]];
  return NULL;
}

static void unknown_code(const struct tm_sites *sites, const size_t *by_code,
                         const struct tm_foi *f, struct tm_problems *probs)
{
  const struct tm_site *s = find_site(sites, by_code, f->code);
  char *fix;

  if(s)
    fix = tm_xasprintf("%s is a site of trust %s; FOI answers are per "
                       "trust, so use %s", f->code, s->trust_code,
                       s->trust_code);
  else
    fix = tm_xasprintf("check the code, or add the trust to %s",
                       sites->path);
  tm_problem_error(probs, &f->where, "unknown-code", fix,
                   "code \"%s\" is not a known trust (not in %s)", f->code,
                   sites->path);
  free(fix);
}

static void apply_answers(struct tm_sites *sites, struct tm_fois *fois,
                          struct tm_trusts *trusts,
                          struct tm_problems *probs)
{
  size_t *order = tm_xcalloc(fois->n, sizeof(*order));
  size_t *by_code = sorted_sites(sites, site_code_order);
  const struct tm_foi *first = NULL;
  size_t i;

  for(i = 0; i < fois->n; i++)
    order[i] = i;
  qsort_r(order, fois->n, sizeof(*order), foi_order, fois->v);

  for(i = 0; i < fois->n; i++) {
    struct tm_foi *f = &fois->v[order[i]];
    struct tm_trust *t;

    if(f->excluded)
      continue;
    if(first && !strcmp(first->code, f->code)) {
      if(first->status == f->status) {
        char *fix = tm_xasprintf("delete one of rows %ld and %ld",
                                 first->where.row, f->where.row);

        tm_problem_exclude(probs, &f->where, "duplicate-code", fix,
                           "code \"%s\" repeats the answer on row %ld; "
                           "this row is ignored", f->code,
                           first->where.row);
        free(fix);
      }
      else
        tm_problem_error(probs, &f->where, "conflicting-answer",
                         "keep one row per trust",
                         "code \"%s\" is answered twice: row %ld says "
                         "\"%s\" (%s), this row says \"%s\" (%s)", f->code,
                         first->where.row, first->status_text,
                         tm_status_key(first->status), f->status_text,
                         tm_status_key(f->status));
      f->excluded = true;
      continue;
    }
    first = f;
    t = (struct tm_trust *)tm_trusts_find(trusts, f->code);
    if(!t) {
      unknown_code(sites, by_code, f, probs);
      f->excluded = true;
      continue;
    }
    t->status = f->status;
    t->notes = f->notes;
    t->answered = true;
    t->answer = f->where;
    if(!t->pins)
      tm_problem_note(probs, &f->where, "answer-not-shown",
                      "fix the location of its rows in the trusts file",
                      "trust \"%s\" answered, but none of its rows could "
                      "be placed, so the answer is not on the map", f->code);
  }
  free(by_code);
  free(order);
}

static struct tm_pins *make_pins(const struct tm_sites *sites,
                                 const struct tm_trusts *trusts,
                                 const char *round)
{
  struct tm_pins *pins = tm_pins_new();
  struct tm_strpool *pool = pins->pool;
  size_t i;

  pins->round = tm_strpool_add(pool, round ? round : "");
  for(i = 0; i < sites->n; i++) {
    const struct tm_site *s = &sites->v[i];
    const struct tm_trust *t;
    struct tm_pin *p;

    if(s->excluded)
      continue;
    t = tm_trusts_find(trusts, s->trust_code);
    if(!t)
      continue;
    p = tm_pins_add(pins);
    p->code = tm_strpool_add(pool, s->code);
    p->name = tm_strpool_add(pool, s->name);
    p->trust_code = tm_strpool_add(pool, t->code);
    p->trust_name = tm_strpool_add(pool, t->name);
    p->nation = tm_strpool_add(pool, s->nation);
    p->notes = tm_strpool_add(pool, t->notes);
    p->is_site = s->is_site;
    p->status = t->status;
    p->lon = s->lon;
    p->lat = s->lat;
    p->mx = s->mx;
    p->my = s->my;
    p->where = s->where;
  }
  tm_pins_sort(pins);
  return pins;
}

enum tm_rc tm_join(struct tm_sites *sites, struct tm_fois *fois,
                   const char *round, struct tm_problems *probs,
                   struct tm_trusts **trusts_out,
                   struct tm_pins **pins_out)
{
  size_t *order = sorted_sites(sites, site_order);
  struct tm_trusts *trusts;

  check_duplicates(sites, order, probs);
  trusts = collect_trusts(sites, order, probs);
  free(order);
  apply_answers(sites, fois, trusts, probs);
  *pins_out = make_pins(sites, trusts, round);
  *trusts_out = trusts;
  return TM_OK;
}

void tm_trusts_free(struct tm_trusts *trusts)
{
  if(!trusts)
    return;
  free(trusts->v);
  free(trusts);
}
