/* previous.c - read the previous build's trusts.geojson and compare its
 * trusts with this build's.
 *
 * The baseline is whatever the data team published last: --previous DIR,
 * or the output folder about to be replaced. Its GeoJSON carries each
 * pin's trust_code, status and round, which is all a comparison needs, so
 * no separate state file can drift from what readers saw.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "previous.h"

/* A previous GeoJSON larger than this is not one of ours. */
#define MAX_GEOJSON_BYTES (2UL << 30)

static int prev_cmp(const void *a, const void *b)
{
  const struct tm_prev_trust *x = a, *y = b;

  return strcmp(x->code, y->code);
}

/* qsort_r comparator over indexes into a tm_prev_trust array (ctx). */
static int index_cmp(const void *a, const void *b, void *ctx)
{
  const struct tm_prev_trust *v = ctx;
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  int c = strcmp(v[x].code, v[y].code);

  return c ? c : (x > y) - (x < y);
}

static const char *string_prop(const cJSON *props, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, key);

  return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool tm_previous_parse(const char *text, size_t len,
                       struct tm_previous *prev)
{
  cJSON *root = cJSON_ParseWithLength(text, len);
  const cJSON *features, *f;
  size_t cap = 0, i, n = 0;

  if(!root)
    return false;
  {
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(root,
                                                      "previous_round");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "round");

    if(cJSON_IsString(pr))
      prev->previous_round = tm_strpool_add(prev->pool, pr->valuestring);
    if(cJSON_IsString(r))
      prev->round = tm_strpool_add(prev->pool, r->valuestring);
  }
  features = cJSON_GetObjectItemCaseSensitive(root, "features");
  if(!cJSON_IsArray(features)) {
    cJSON_Delete(root);
    return false;
  }
  cJSON_ArrayForEach(f, features) {
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
    const cJSON *geom = cJSON_GetObjectItemCaseSensitive(f, "geometry");
    const cJSON *xy = cJSON_GetObjectItemCaseSensitive(geom, "coordinates");
    const char *code = string_prop(props, "trust_code");
    const char *status = string_prop(props, "status");
    const char *round = string_prop(props, "round");
    const char *before = string_prop(props, "previous_status");
    struct tm_prev_trust *t;
    enum tm_status st, bst;

    if(!code || !status || !tm_status_from_key(status, &st))
      continue;
    if(round && !prev->round[0])
      prev->round = tm_strpool_add(prev->pool, round);
    tm_xgrow((void **)&prev->v, &cap, prev->n + 1, sizeof(prev->v[0]));
    t = &prev->v[prev->n++];
    t->code = tm_strpool_add(prev->pool, code);
    t->name = tm_strpool_add(prev->pool, string_prop(props, "trust_name")
                                           ? string_prop(props, "trust_name")
                                           : code);
    t->nation = tm_strpool_add(prev->pool, string_prop(props, "nation")
                                             ? string_prop(props, "nation")
                                             : "");
    t->status = st;
    t->previous_status = before && tm_status_from_key(before, &bst)
                         ? (int)bst : -1;
    t->lon = t->lat = 0;
    if(cJSON_GetArraySize(xy) >= 2) {
      t->lon = cJSON_GetArrayItem(xy, 0)->valuedouble;
      t->lat = cJSON_GetArrayItem(xy, 1)->valuedouble;
    }
  }
  cJSON_Delete(root);
  if(!prev->n)
    return true;
  /* One entry per trust: its first pin in the file, which is the trust's
   * own pin or its first site. The index breaks ties, so the sort is
   * stable. */
  {
    size_t *order = tm_xcalloc(prev->n, sizeof(*order));
    struct tm_prev_trust *sorted = tm_xcalloc(prev->n, sizeof(*sorted));

    for(i = 0; i < prev->n; i++)
      order[i] = i;
    qsort_r(order, prev->n, sizeof(*order), index_cmp, prev->v);
    for(i = 0; i < prev->n; i++) {
      const struct tm_prev_trust *t = &prev->v[order[i]];

      if(n && !strcmp(sorted[n - 1].code, t->code))
        continue;
      sorted[n++] = *t;
    }
    free(order);
    free(prev->v);
    prev->v = sorted;
    prev->n = n;
  }
  return true;
}

enum tm_rc tm_previous_load(const char *dir, bool required,
                            struct tm_problems *probs, struct tm_error *err,
                            struct tm_previous **out)
{
  struct tm_previous *prev;
  struct stat st;
  char *path = tm_xasprintf("%s/trusts.geojson", dir);
  char *text;
  FILE *f;
  size_t got;

  *out = NULL;
  prev = tm_xcalloc(1, sizeof(*prev));
  prev->path = path;
  prev->pool = tm_strpool_new();
  prev->round = "";
  if(stat(path, &st) || !S_ISREG(st.st_mode)) {
    if(required) {
      /* The message outlives prev, so it names dir, which the caller
       * keeps. */
      struct tm_where wd = { dir, 0 };

      tm_problem_error(probs, &wd, "no-previous",
                       "give the output folder of an earlier build",
                       "--previous: no trusts.geojson in this folder");
    }
    tm_previous_free(prev);
    return required ? TM_INPUT : TM_OK;
  }
  if((unsigned long)st.st_size > MAX_GEOJSON_BYTES) {
    tm_previous_free(prev);
    return tm_fail(err, TM_SYSTEM, "%s/trusts.geojson: too large to be a "
                   "previous build", dir);
  }
  f = fopen(path, "rb");
  if(!f) {
    enum tm_rc rc = tm_fail_errno(err, "%s: cannot open", path);

    tm_previous_free(prev);
    return rc;
  }
  text = tm_xmalloc((size_t)st.st_size + 1);
  got = fread(text, 1, (size_t)st.st_size, f);
  fclose(f);
  if(got != (size_t)st.st_size || !tm_previous_parse(text, got, prev)) {
    struct tm_where wd = { dir, 0 };

    free(text);
    if(required)
      tm_problem_error(probs, &wd, "bad-previous",
                       "give the output folder of an earlier build",
                       "--previous: trusts.geojson cannot be read as a "
                       "trustmap build");
    else
      tm_problem_note(probs, &wd, "bad-previous", NULL,
                      "the previous build's trusts.geojson cannot be "
                      "read, so changes since it are not reported");
    tm_previous_free(prev);
    return required ? TM_INPUT : TM_OK;
  }
  free(text);
  *out = prev;
  return TM_OK;
}

bool tm_previous_rebase(struct tm_previous *prev, const char *round)
{
  size_t i, n = 0;

  if(strcmp(prev->round, round))
    return true;
  if(!prev->previous_round)
    return false;
  for(i = 0; i < prev->n; i++) {
    if(prev->v[i].previous_status < 0)
      continue;
    prev->v[n] = prev->v[i];
    prev->v[n].status = (enum tm_status)prev->v[i].previous_status;
    prev->v[n].previous_status = -1;
    n++;
  }
  prev->n = n;
  prev->round = prev->previous_round;
  prev->previous_round = NULL;
  return true;
}

const struct tm_prev_trust *tm_previous_find(const struct tm_previous *prev,
                                             const char *code)
{
  struct tm_prev_trust key;

  if(!prev || !prev->n)
    return NULL;
  key.code = code;
  return bsearch(&key, prev->v, prev->n, sizeof(prev->v[0]), prev_cmp);
}

void tm_previous_free(struct tm_previous *prev)
{
  if(!prev)
    return;
  tm_strpool_free(prev->pool);
  free(prev->v);
  free(prev->path);
  free(prev);
}

static struct tm_change *add_change(struct tm_changes *c, size_t *cap)
{
  tm_xgrow((void **)&c->v, cap, c->n + 1, sizeof(c->v[0]));
  memset(&c->v[c->n], 0, sizeof(c->v[0]));
  return &c->v[c->n++];
}

static int change_cmp(const void *a, const void *b)
{
  const struct tm_change *x = a, *y = b;

  return strcmp(x->code, y->code);
}

/* The first pin of a trust: pins are sorted by trust code (model.h), so
 * a lower-bound search finds it; a first build of a big file makes every
 * trust a change, so a scan per change would be quadratic. */
static const struct tm_pin *first_pin_of(const struct tm_pins *pins,
                                         const char *code)
{
  size_t lo = 0, hi = pins->n;

  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if(strcmp(pins->v[mid].trust_code, code) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < pins->n && !strcmp(pins->v[lo].trust_code, code)
         ? &pins->v[lo] : NULL;
}

struct tm_changes *tm_changes_compute(const struct tm_previous *prev,
                                      const struct tm_trusts *trusts,
                                      struct tm_pins *pins)
{
  struct tm_changes *c = tm_xcalloc(1, sizeof(*c));
  size_t cap = 0, i;

  c->from_round = prev ? prev->round : "";
  if(!prev)
    return c;
  pins->previous_round = tm_strpool_add(pins->pool, prev->round);
  for(i = 0; i < prev->n; i++)
    c->prev_counts[prev->v[i].status]++;
  for(i = 0; i < pins->n; i++) {
    const struct tm_prev_trust *p = tm_previous_find(prev,
                                                     pins->v[i].trust_code);

    pins->v[i].previous_status = p ? (int)p->status : -1;
  }
  for(i = 0; i < trusts->n; i++) {
    const struct tm_trust *t = &trusts->v[i];
    const struct tm_prev_trust *p = tm_previous_find(prev, t->code);
    const struct tm_pin *first;
    struct tm_change *ch;

    if(p && p->status == t->status)
      continue;
    first = first_pin_of(pins, t->code);
    ch = add_change(c, &cap);
    ch->kind = p ? TM_CHANGE_STATUS : TM_CHANGE_ADDED;
    ch->code = t->code;
    ch->name = t->name;
    ch->nation = t->nation;
    ch->from = p ? (int)p->status : -1;
    ch->to = (int)t->status;
    ch->lon = first ? first->lon : p ? p->lon : 0;
    ch->lat = first ? first->lat : p ? p->lat : 0;
  }
  for(i = 0; i < prev->n; i++) {
    const struct tm_prev_trust *p = &prev->v[i];
    struct tm_change *ch;

    if(tm_trusts_find(trusts, p->code))
      continue;
    ch = add_change(c, &cap);
    ch->kind = TM_CHANGE_REMOVED;
    ch->code = p->code;
    ch->name = p->name;
    ch->nation = p->nation;
    ch->from = (int)p->status;
    ch->to = -1;
    ch->lon = p->lon;
    ch->lat = p->lat;
  }
  if(c->n > 1)
    qsort(c->v, c->n, sizeof(c->v[0]), change_cmp);
  return c;
}

void tm_changes_free(struct tm_changes *c)
{
  if(!c)
    return;
  free(c->v);
  free(c);
}

const char *tm_change_kind_name(enum tm_change_kind kind)
{
  static const char *const names[] = { "status", "added", "removed" };

  return (unsigned)kind < TM_ARRAY_LEN(names) ? names[kind] : "unknown";
}
