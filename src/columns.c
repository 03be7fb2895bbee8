/* columns.c - match table headers to the roles trustmap needs.
 *
 * Synonyms are listed in normalised form (lower case, letters and digits
 * only) in order of preference: when a file has both "code" and
 * "organisationcode", "code" wins for the role code.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"

struct col_info {
  const char *name;          /* option name */
  const char *synonyms[16];  /* normalised, NULL-terminated */
  const char *text;          /* for messages */
};

/* The NHS website export names the site "OrganisationCode" and its trust
 * "ParentODSCode"; rows.c reads a non-empty parent as "this row is a site
 * of that trust". */
static const struct col_info cols[TM_COL_COUNT] = {
  [TM_COL_CODE] = { "code",
    { "code", "odscode", "orgcode", "organisationcode", "organizationcode",
      "trustcode", "ods", "orgid", "providercode", "hbcode", NULL },
    "code, ods_code, org_code, organisation_code, trust_code" },
  [TM_COL_NAME] = { "name",
    { "name", "organisationname", "organizationname", "orgname",
      "trustname", "trust", "providername", "hbname", "healthboard",
      NULL },
    "name, organisation_name, org_name, trust_name" },
  [TM_COL_SITE_CODE] = { "site_code",
    { "sitecode", "siteodscode", "hospitalcode", NULL },
    "site_code, site_ods_code, hospital_code" },
  [TM_COL_SITE_NAME] = { "site_name",
    { "sitename", "site", "hospitalname", "hospital", NULL },
    "site_name, site, hospital_name, hospital" },
  [TM_COL_PARENT_CODE] = { "parent_code",
    { "parentodscode", "parentcode", "parentorgcode",
      "parentorganisationcode", "parent", NULL },
    "parent_code, parent_ods_code, ParentODSCode" },
  [TM_COL_PARENT_NAME] = { "parent_name",
    { "parentname", "parentorganisationname", "parentorgname", NULL },
    "parent_name, ParentName" },
  [TM_COL_NATION] = { "nation",
    { "nation", "country", NULL },
    "nation, country" },
  [TM_COL_LAT] = { "lat",
    { "latitude", "lat", "ylat", "wgs84lat", NULL },
    "latitude, lat" },
  [TM_COL_LON] = { "lon",
    { "longitude", "lon", "lng", "long", "xlong", "wgs84lon", NULL },
    "longitude, lon, lng, long" },
  [TM_COL_EASTING] = { "easting",
    { "easting", "eastings", "east", "x", "oseast1m", "xcoord", NULL },
    "easting, x, oseast1m" },
  [TM_COL_NORTHING] = { "northing",
    { "northing", "northings", "north", "y", "osnrth1m", "ycoord", NULL },
    "northing, y, osnrth1m" },
  [TM_COL_POSTCODE] = { "postcode",
    { "postcode", "postalcode", "pcd", "pcds", "pcd2", "zip", "zipcode",
      NULL },
    "postcode, post_code, pcds" },
  [TM_COL_STATUS] = { "status",
    { "status", "foistatus", "answer", "response", "collecting",
      "collectingdata", "result", NULL },
    "status, foi_status, answer, response" },
  [TM_COL_NOTES] = { "notes",
    { "notes", "note", "comments", "comment", "details", "foinotes",
      NULL },
    "notes, note, comments" },
};

static const char *const file_roles[TM_FILE_COUNT] = {
  "trusts", "foi", "postcodes"
};

/* Which roles each file can carry; others are not looked for, so an FOI
 * file's "name" column is never mistaken for anything. */
static bool role_applies(enum tm_file_role f, enum tm_col c)
{
  switch(f) {
  case TM_FILE_TRUSTS:
    return c != TM_COL_STATUS && c != TM_COL_NOTES;
  case TM_FILE_FOI:
    return c == TM_COL_CODE || c == TM_COL_STATUS || c == TM_COL_NOTES;
  case TM_FILE_POSTCODES:
    return c == TM_COL_POSTCODE || c == TM_COL_LAT || c == TM_COL_LON ||
           c == TM_COL_EASTING || c == TM_COL_NORTHING;
  case TM_FILE_COUNT:
    break;
  }
  return false;
}

const char *tm_col_name(enum tm_col c)
{
  return (unsigned)c < TM_COL_COUNT ? cols[c].name : "?";
}

bool tm_col_from_name(const char *name, enum tm_col *out)
{
  int i;

  for(i = 0; i < TM_COL_COUNT; i++) {
    if(!strcmp(name, cols[i].name)) {
      *out = (enum tm_col)i;
      return true;
    }
  }
  /* Accept the obvious long forms too. */
  if(!strcmp(name, "latitude")) {
    *out = TM_COL_LAT;
    return true;
  }
  if(!strcmp(name, "longitude")) {
    *out = TM_COL_LON;
    return true;
  }
  return false;
}

const char *tm_file_role_name(enum tm_file_role f)
{
  return (unsigned)f < TM_FILE_COUNT ? file_roles[f] : "?";
}

bool tm_file_role_from_name(const char *name, enum tm_file_role *out)
{
  int i;

  for(i = 0; i < TM_FILE_COUNT; i++) {
    if(!strcmp(name, file_roles[i])) {
      *out = (enum tm_file_role)i;
      return true;
    }
  }
  return false;
}

const char *tm_col_synonyms_text(enum tm_col c)
{
  return (unsigned)c < TM_COL_COUNT ? cols[c].text : "?";
}

/* Lower-case letters and digits only, into buf. */
static void normalise_header(const char *s, char *buf, size_t size)
{
  size_t n = 0;

  for(; *s && n + 1 < size; s++) {
    char c = tm_ascii_lower(*s);

    if((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      buf[n++] = c;
  }
  buf[n] = '\0';
}

/* A message lists this many names at most: a 20,000-column file must not
 * make a 20,000-name message. Each name is cut at LIST_NAME_MAX bytes. */
#define LIST_MAX 20
#define LIST_NAME_MAX 60

char *tm_columns_list(const struct tm_table *t)
{
  size_t i, shown = t->ncols < LIST_MAX ? t->ncols : LIST_MAX;
  size_t len = 64, at = 0;
  char *s;

  for(i = 0; i < shown; i++)
    len += LIST_NAME_MAX + 12;
  s = tm_xmalloc(len);
  for(i = 0; i < shown; i++) {
    const char *name = t->colnames[i][0] ? t->colnames[i] : "(blank)";
    size_t n = strlen(name);

    if(n > LIST_NAME_MAX) {
      /* Cut at a character boundary, and say so. */
      n = LIST_NAME_MAX;
      while(n && ((unsigned char)name[n] & 0xc0) == 0x80)
        n--;
    }
    if(i) {
      memcpy(s + at, ", ", 2);
      at += 2;
    }
    memcpy(s + at, name, n);
    at += n;
    if(n < strlen(name)) {
      memcpy(s + at, "...", 3);
      at += 3;
    }
  }
  if(shown < t->ncols)
    at += (size_t)snprintf(s + at, len - at, ", ... (%zu more)",
                           t->ncols - shown);
  s[at] = '\0';
  return s;
}

/* "#N" names the N-th column (1-based); anything else is a header name
 * compared without regard to case or punctuation. */
static int find_named(const struct tm_table *t, const char *want)
{
  char a[256], b[256];
  size_t i;
  long n;

  if(want[0] == '#' && tm_parse_long(want + 1, 1, (long)t->ncols, &n))
    return (int)(n - 1);
  normalise_header(want, a, sizeof(a));
  for(i = 0; i < t->ncols; i++) {
    if(!strcmp(t->colnames[i], want))
      return (int)i;
  }
  for(i = 0; i < t->ncols; i++) {
    normalise_header(t->colnames[i], b, sizeof(b));
    if(a[0] && !strcmp(a, b))
      return (int)i;
  }
  return -1;
}

static int find_synonym(const struct tm_table *t, enum tm_col c,
                        const bool *taken)
{
  char b[256];
  size_t i;
  int k;

  for(k = 0; cols[c].synonyms[k]; k++) {
    for(i = 0; i < t->ncols; i++) {
      if(taken[i])
        continue;
      normalise_header(t->colnames[i], b, sizeof(b));
      if(!strcmp(b, cols[c].synonyms[k]))
        return (int)i;
    }
  }
  return -1;
}

/* Sort context for report_duplicate_headers: normalised names. */
static int norm_order(const void *a, const void *b, void *ctx)
{
  char *const *norm = ctx;
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  int c = strcmp(norm[x], norm[y]);

  return c ? c : (x > y) - (x < y);
}

/* One note per column whose name repeats an earlier one. Names are
 * normalised once and sorted, so a sheet with thousands of columns costs
 * O(n log n), not a comparison of every pair. */
static void report_duplicate_headers(const struct tm_table *t,
                                     struct tm_problems *probs)
{
  struct tm_where w = { t->path, 1 };
  char **norm;
  size_t *order, *first;
  size_t i;

  if(t->ncols < 2)
    return;
  norm = tm_xcalloc(t->ncols, sizeof(*norm));
  order = tm_xcalloc(t->ncols, sizeof(*order));
  first = tm_xcalloc(t->ncols, sizeof(*first));
  for(i = 0; i < t->ncols; i++) {
    norm[i] = tm_xmalloc(256);
    normalise_header(t->colnames[i], norm[i], 256);
    order[i] = i;
    first[i] = SIZE_MAX;
  }
  qsort_r(order, t->ncols, sizeof(*order), norm_order, norm);
  for(i = 1; i < t->ncols; i++) {
    size_t prev = order[i - 1], cur = order[i];

    if(norm[cur][0] && !strcmp(norm[prev], norm[cur]))
      first[cur] = first[prev] == SIZE_MAX ? prev : first[prev];
  }
  for(i = 0; i < t->ncols; i++) {
    size_t j = first[i];

    if(j != SIZE_MAX)
      tm_problem_note(probs, &w, "duplicate-column",
                      "rename or delete one of them",
                      "column \"%s\" (column %zu) repeats \"%s\" "
                      "(column %zu); only the first is read",
                      t->colnames[i], i + 1, t->colnames[j], j + 1);
    free(norm[i]);
  }
  free(first);
  free(order);
  free(norm);
}

void tm_columns_resolve(const struct tm_table *t, enum tm_file_role role,
                        const char *const overrides[TM_COL_COUNT],
                        struct tm_problems *probs, struct tm_colmap *out)
{
  struct tm_where w = { t->path, 1 };
  bool *taken = tm_xcalloc(t->ncols ? t->ncols : 1, sizeof(*taken));
  int c;

  for(c = 0; c < TM_COL_COUNT; c++)
    out->idx[c] = -1;
  report_duplicate_headers(t, probs);

  /* Named columns first, so a synonym never takes a column the user
   * assigned to another role. */
  for(c = 0; c < TM_COL_COUNT; c++) {
    int i;

    if(!overrides || !overrides[c])
      continue;
    i = find_named(t, overrides[c]);
    if(i < 0) {
      char *found = tm_columns_list(t);
      char *fix = tm_xasprintf("use one of the columns found (%s), or #N "
                               "for the N-th column", found);

      tm_problem_error(probs, &w, "missing-column", fix,
                       "--col %s.%s names column \"%s\", which the file "
                       "does not have", tm_file_role_name(role),
                       tm_col_name((enum tm_col)c), overrides[c]);
      free(fix);
      free(found);
      continue;
    }
    out->idx[c] = i;
    taken[i] = true;
  }
  for(c = 0; c < TM_COL_COUNT; c++) {
    int i;

    if(out->idx[c] >= 0 || (overrides && overrides[c]) ||
       !role_applies(role, (enum tm_col)c))
      continue;
    i = find_synonym(t, (enum tm_col)c, taken);
    if(i >= 0) {
      out->idx[c] = i;
      taken[i] = true;
    }
  }
  free(taken);
}
