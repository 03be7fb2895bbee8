/* rows.c - stage 2a: turn table rows into sites, FOI answers and a
 * postcode lookup, checking every value.
 *
 * Two shapes of trusts file are understood (shared/DESIGN.md):
 *  - a trust code repeated on several rows that differ by site_code or
 *    site_name: one trust, several hospital sites;
 *  - site rows with their own code and a parent code naming the trust
 *    (the NHS website's export: OrganisationCode + ParentODSCode).
 * A row's location is the first of: latitude/longitude, easting/northing
 * (--crs), the postcode looked up, the layer's own point geometry.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

/* ---- helpers on cells ---------------------------------------------- */

static const char *cell(const struct tm_table *t, size_t row, int col)
{
  return col < 0 ? "" : tm_table_cell(t, row, (size_t)col);
}

static bool blank(const char *s)
{
  while(tm_ascii_isspace(*s))
    s++;
  return !*s;
}

static bool row_blank(const struct tm_table *t, size_t row)
{
  size_t c;

  for(c = 0; c < t->ncols; c++)
    if(!blank(tm_table_cell(t, row, c)))
      return false;
  return !(t->has_geometry && t->has_xy && t->has_xy[row]);
}

/* The first control character in s (C0 but tab and line ends, DEL, and
 * C1, which UTF-8 writes as 0xC2 0x80..0x9F) as a code point, or 0. */
static unsigned control_char(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;

  for(; *p; p++) {
    if((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
      return *p;
    if(*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
      return p[1];
  }
  return 0;
}

/* s without its control characters, in a new string. */
static char *without_controls(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  char *out = tm_xmalloc(strlen(s) + 1);
  size_t n = 0;

  for(; *p; p++) {
    if((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
      continue;
    if(*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
      p++;
      continue;
    }
    out[n++] = (char)*p;
  }
  out[n] = '\0';
  return out;
}

/* Trimmed copy in the pool, without control characters (see
 * note_controls). */
static const char *trimmed(struct tm_strpool *pool, const char *s)
{
  char *clean = control_char(s) ? without_controls(s) : NULL;
  const char *p;
  size_t n;

  if(clean)
    s = clean;
  while(tm_ascii_isspace(*s))
    s++;
  n = strlen(s);
  while(n && tm_ascii_isspace(s[n - 1]))
    n--;
  p = tm_strpool_addn(pool, s, n);
  free(clean);
  return p;
}

static const char *code_in_pool(struct tm_strpool *pool, const char *s)
{
  char *clean = control_char(s) ? without_controls(s) : NULL;
  char *c = tm_code_normalise(clean ? clean : s);
  const char *p = tm_strpool_add(pool, c);

  free(c);
  free(clean);
  return p;
}

/* Control characters pasted into a cell (an escape sequence that would
 * recolour a terminal showing the CSV, a bell, a form feed) are invisible
 * in a spreadsheet and mean nothing on the map: they are removed from
 * every value read, and the row gets one note naming the first. */
static void note_controls(const struct tm_table *t, size_t i,
                          const struct tm_colmap *m,
                          const struct tm_where *w,
                          struct tm_problems *probs)
{
  int c;

  for(c = 0; c < TM_COL_COUNT; c++) {
    unsigned cp;

    if(m->idx[c] < 0)
      continue;
    cp = control_char(tm_table_cell(t, i, (size_t)m->idx[c]));
    if(cp) {
      tm_problem_note(probs, w, "control-character",
                      "delete it in the file; control characters are "
                      "invisible in a spreadsheet",
                      "column \"%s\" holds a control character (U+%04X); "
                      "it was removed", t->colnames[m->idx[c]], cp);
      return;
    }
  }
}

static void missing_column(struct tm_problems *probs, const struct tm_table *t,
                           enum tm_file_role role, enum tm_col c,
                           const char *what)
{
  struct tm_where w = { t->path, 1 };
  char *found = tm_columns_list(t);
  char *fix = tm_xasprintf("rename the column, or name it with --col "
                           "%s.%s=COLUMN (or #N); found: %s",
                           tm_file_role_name(role), tm_col_name(c), found);

  tm_problem_error(probs, &w, "missing-column", fix,
                   "no column for %s (looked for %s)", what,
                   tm_col_synonyms_text(c));
  free(fix);
  free(found);
}

/* True when a header cell is a status spelling ("Yes", "N/A"), other
 * than a status key, which may name a column ("collecting"). */
static bool is_status_value(const struct tm_style *st, const char *text)
{
  enum tm_status s;
  char *norm, *key;
  bool value;

  if(!st || !tm_style_match_status(st, text, &s))
    return false;
  norm = tm_status_normalise(text);
  key = tm_status_normalise(tm_status_key(s));
  value = norm[0] && strcmp(norm, key);
  free(key);
  free(norm);
  return value;
}

/* Header cells that are numbers (or, in an FOI file, status spellings)
 * mean line 1 is data: the file has no header row. Two such cells are
 * needed (one in a file of three columns or fewer), so a column named
 * "2024" is not taken for data. Then one error says so, instead of one
 * per missing column naming "columns" that are values. Returns true if
 * it reported. */
static bool missing_header(struct tm_problems *probs,
                           const struct tm_table *t, enum tm_file_role role,
                           const struct tm_style *st, const char *example)
{
  struct tm_where w = { t->path, 1 };
  const char *f = tm_file_role_name(role);
  const char *kind = NULL, *first = NULL;
  size_t i, n = 0;
  double v;
  char *fix;

  for(i = 0; i < t->ncols; i++) {
    const char *k = NULL;

    if(tm_parse_double(t->colnames[i], &v))
      k = "a number";
    else if(is_status_value(st, t->colnames[i]))
      k = "an FOI answer";
    if(k && !n++) {
      kind = k;
      first = t->colnames[i];
    }
  }
  if(n < 2 && !(n == 1 && t->ncols <= 3))
    return false;
  fix = tm_xasprintf("add a header row, or read the file with --no-header "
                     "%s and name its columns by number, e.g. %s", f,
                     example);
  tm_problem_error(probs, &w, "missing-column", fix,
                   "line 1 looks like data, not column names (\"%.40s\" "
                   "is %s), so the columns trustmap needs were not found",
                   first, kind);
  free(fix);
  return true;
}

/* A blank-rows note per file, so every row is accounted for. */
static void note_blank_rows(struct tm_problems *probs, const char *path,
                            size_t n, long first)
{
  struct tm_where w = { path, first };

  if(n)
    tm_problem_note(probs, &w, "blank-row", NULL,
                    "%zu blank row%s skipped (the first here)", n,
                    n == 1 ? "" : "s");
}

/* ---- numbers -------------------------------------------------------- */

/* "529,310" or "-1,214,000.5": digits grouped in thousands by commas. */
static bool thousands_grouped(const char *s, size_t n)
{
  size_t i = 0, digits = 0;

  if(i < n && (s[i] == '-' || s[i] == '+'))
    i++;
  while(i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
    i++;
    digits++;
  }
  if(!digits || digits > 3 || i == n || s[i] != ',')
    return false;
  while(i < n && s[i] == ',') {
    for(digits = 0, i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      digits++;
    if(digits != 3)
      return false;
  }
  if(i < n && s[i] == '.')
    for(i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      ;
  return i == n;
}

/* Parses a coordinate cell; on failure adds an excluding problem that
 * says why, with a fix for the common decimal-comma case. Degrees
 * (|range| <= 180) read a comma as a decimal comma; grid metres, which are
 * whole numbers a spreadsheet groups as "529,310", as a thousands
 * separator. Messages quote the cell trimmed. */
static bool coordinate(const char *text, const char *what, double min,
                       double max, const struct tm_where *w,
                       struct tm_problems *probs, double *out)
{
  double v;
  char buf[64];
  size_t i, k, n;

  while(tm_ascii_isspace(*text))
    text++;
  n = strlen(text);
  while(n && tm_ascii_isspace(text[n - 1]))
    n--;
  if(tm_parse_double(text, &v)) {
    if(v < min || v > max) {
      tm_problem_exclude(probs, w, "bad-coordinate",
                         "check the value and the column",
                         "%s %.*s is out of range (%g to %g); the row is "
                         "left off the map", what, (int)n, text, min, max);
      return false;
    }
    *out = v;
    return true;
  }
  if(n < sizeof(buf) && max > 180 && thousands_grouped(text, n)) {
    for(i = k = 0; i < n; i++)
      if(text[i] != ',')
        buf[k++] = text[i];
    buf[k] = '\0';
    if(tm_parse_double(buf, &v)) {
      char *fix = tm_xasprintf("write it without the thousands separator: "
                               "%s", buf);

      tm_problem_exclude(probs, w, "bad-coordinate", fix,
                         "%s \"%.*s\" has a thousands separator; the row "
                         "is left off the map", what, (int)n, text);
      free(fix);
      return false;
    }
  }
  /* "51,5" from a decimal-comma spreadsheet: say so precisely. */
  if(n < sizeof(buf) && memchr(text, ',', n) && !memchr(text, '.', n)) {
    memcpy(buf, text, n);
    buf[n] = '\0';
    for(i = 0; i < n; i++)
      if(buf[i] == ',')
        buf[i] = '.';
    if(tm_parse_double(buf, &v)) {
      char *fix = tm_xasprintf("write it with a decimal point: %s", buf);

      tm_problem_exclude(probs, w, "bad-coordinate", fix,
                         "%s \"%.*s\" uses a decimal comma; the row is left "
                         "off the map", what, (int)n, text);
      free(fix);
      return false;
    }
  }
  tm_problem_exclude(probs, w, "bad-coordinate",
                     "write a number, e.g. 51.5074 or -0.1278",
                     "%s \"%.*s\" is not a number; the row is left off the "
                     "map", what, (int)n, text);
  return false;
}

/* ---- postcodes ------------------------------------------------------ */

struct postcode_entry {
  const char *key;          /* upper case, no spaces */
  double x, y;
  enum tm_crs_slot crs;
  long row;
};

struct tm_postcodes {
  struct postcode_entry *v;
  size_t n;
  const char *path;
  const char *crs[TM_CRS_SLOTS];
  struct tm_strpool *pool;
};

/* "sw1a 1aa" and "SW1A1AA" are one postcode. */
static const char *postcode_key(struct tm_strpool *pool, const char *s)
{
  char buf[32];
  size_t n = 0;

  for(; *s && n + 1 < sizeof(buf); s++)
    if(!tm_ascii_isspace(*s))
      buf[n++] = tm_ascii_upper(*s);
  buf[n] = '\0';
  return tm_strpool_add(pool, buf);
}

static int postcode_cmp(const void *a, const void *b)
{
  const struct postcode_entry *x = a, *y = b;
  int c = strcmp(x->key, y->key);

  return c ? c : (x->row > y->row) - (x->row < y->row);
}

enum tm_rc tm_postcodes_from_table(const struct tm_table *t,
                                   const char *const cols[TM_COL_COUNT],
                                   const char *grid_crs,
                                   struct tm_problems *probs,
                                   struct tm_postcodes **out)
{
  struct tm_postcodes *pc;
  struct tm_colmap m;
  size_t i, errors = tm_problems_count(probs, TM_ERROR);
  bool lonlat, grid;

  tm_columns_resolve(t, TM_FILE_POSTCODES, cols, probs, &m);
  lonlat = m.idx[TM_COL_LAT] >= 0 && m.idx[TM_COL_LON] >= 0;
  grid = m.idx[TM_COL_EASTING] >= 0 && m.idx[TM_COL_NORTHING] >= 0;
  if(m.idx[TM_COL_POSTCODE] < 0)
    missing_column(probs, t, TM_FILE_POSTCODES, TM_COL_POSTCODE,
                   "the postcode");
  if(!lonlat && !grid && !t->has_geometry)
    missing_column(probs, t, TM_FILE_POSTCODES, TM_COL_LAT,
                   "coordinates (latitude/longitude or easting/northing)");
  if(tm_problems_count(probs, TM_ERROR) > errors)
    return TM_INPUT;

  pc = tm_xcalloc(1, sizeof(*pc));
  pc->pool = tm_strpool_new();
  pc->path = t->path;
  pc->v = tm_xcalloc(t->nrows, sizeof(pc->v[0]));
  pc->crs[TM_CRS_POSTCODE_LONLAT] = "EPSG:4326";
  pc->crs[TM_CRS_POSTCODE_GRID] = tm_strpool_add(pc->pool, grid_crs);
  if(t->has_geometry)
    pc->crs[TM_CRS_POSTCODE_GEOMETRY] =
      tm_strpool_add(pc->pool,
                     t->geometry_crs ? t->geometry_crs : "EPSG:4326");

  /* A lookup row that cannot be used is not a problem by itself: only the
   * rows that need it are, and they say so when their postcode is not
   * found. So bad lookup rows are simply not entered. */
  for(i = 0; i < t->nrows; i++) {
    struct postcode_entry *e = &pc->v[pc->n];
    const char *code = cell(t, i, m.idx[TM_COL_POSTCODE]);
    double a, b;

    if(blank(code))
      continue;
    if(lonlat && tm_parse_double(cell(t, i, m.idx[TM_COL_LAT]), &b) &&
       tm_parse_double(cell(t, i, m.idx[TM_COL_LON]), &a) &&
       fabs(b) <= 90 && fabs(a) <= 180) {
      e->crs = TM_CRS_POSTCODE_LONLAT;
    }
    else if(grid &&
            tm_parse_double(cell(t, i, m.idx[TM_COL_EASTING]), &a) &&
            tm_parse_double(cell(t, i, m.idx[TM_COL_NORTHING]), &b)) {
      e->crs = TM_CRS_POSTCODE_GRID;
    }
    else if(t->has_geometry && t->has_xy[i]) {
      a = t->gx[i];
      b = t->gy[i];
      e->crs = TM_CRS_POSTCODE_GEOMETRY;
    }
    else
      continue;
    e->key = postcode_key(pc->pool, code);
    e->x = a;
    e->y = b;
    e->row = t->rownum[i];
    pc->n++;
  }
  qsort(pc->v, pc->n, sizeof(pc->v[0]), postcode_cmp);
  *out = pc;
  return TM_OK;
}

void tm_postcodes_free(struct tm_postcodes *pc)
{
  if(!pc)
    return;
  tm_strpool_free(pc->pool);
  free(pc->v);
  free(pc);
}

static const struct postcode_entry *
postcode_find(const struct tm_postcodes *pc, const char *text)
{
  char buf[32];
  size_t n = 0, lo = 0, hi = pc->n;

  for(; *text && n + 1 < sizeof(buf); text++)
    if(!tm_ascii_isspace(*text))
      buf[n++] = tm_ascii_upper(*text);
  buf[n] = '\0';
  /* Lower bound, so the first of duplicate postcodes wins. */
  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if(strcmp(pc->v[mid].key, buf) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < pc->n && !strcmp(pc->v[lo].key, buf) ? &pc->v[lo] : NULL;
}

/* ---- nations -------------------------------------------------------- */

/* Welsh NHS trusts carry English-looking R codes: Velindre, the Welsh
 * Ambulance Service and Public Health Wales (ODS grouping W00). */
static const char *const welsh_trusts[] = { "RQF", "RT4", "RYT" };

const char *tm_nation_from_code(const char *code)
{
  size_t i;

  if(code[0] == '7' && code[1] == 'A')
    return TM_NATION_WALES;
  for(i = 0; i < TM_ARRAY_LEN(welsh_trusts); i++)
    if(!strcmp(code, welsh_trusts[i]))
      return TM_NATION_WALES;
  if(code[0] == 'S')
    return TM_NATION_SCOTLAND;
  if(code[0] == 'Z')
    return TM_NATION_NORTHERN_IRELAND;
  return TM_NATION_ENGLAND;
}

static const char *const nations[] = {
  TM_NATION_ENGLAND, TM_NATION_WALES, TM_NATION_SCOTLAND,
  TM_NATION_NORTHERN_IRELAND
};

/* Canonical spelling of a nation, or NULL if it is none of the four. */
static const char *nation_canonical(const char *text)
{
  size_t i;

  for(i = 0; i < TM_ARRAY_LEN(nations); i++)
    if(!tm_ascii_casecmp(text, nations[i]))
      return nations[i];
  if(!tm_ascii_casecmp(text, "Cymru"))
    return TM_NATION_WALES;
  if(!tm_ascii_casecmp(text, "NI"))
    return TM_NATION_NORTHERN_IRELAND;
  return NULL;
}

/* ---- sites ---------------------------------------------------------- */

/* Fills the location of s from row i; false (with one excluding problem)
 * when the row has none that can be used. */
static bool locate(const struct tm_table *t, size_t i,
                   const struct tm_colmap *m,
                   const struct tm_postcodes *postcodes, struct tm_site *s,
                   struct tm_problems *probs)
{
  const char *lat = cell(t, i, m->idx[TM_COL_LAT]);
  const char *lon = cell(t, i, m->idx[TM_COL_LON]);
  const char *e = cell(t, i, m->idx[TM_COL_EASTING]);
  const char *n = cell(t, i, m->idx[TM_COL_NORTHING]);
  const char *pcode = cell(t, i, m->idx[TM_COL_POSTCODE]);
  const struct tm_where *w = &s->where;

  if(!blank(lat) || !blank(lon)) {
    if(blank(lat) || blank(lon)) {
      tm_problem_exclude(probs, w, "bad-coordinate",
                         "fill in both, or neither",
                         "%s is blank but %s is not; the row is left off "
                         "the map", blank(lat) ? "latitude" : "longitude",
                         blank(lat) ? "longitude" : "latitude");
      return false;
    }
    s->crs = TM_CRS_LONLAT;
    return coordinate(lat, "latitude", -90, 90, w, probs, &s->y) &&
           coordinate(lon, "longitude", -180, 180, w, probs, &s->x);
  }
  if(!blank(e) || !blank(n)) {
    if(blank(e) || blank(n)) {
      tm_problem_exclude(probs, w, "bad-coordinate",
                         "fill in both, or neither",
                         "%s is blank but %s is not; the row is left off "
                         "the map", blank(e) ? "easting" : "northing",
                         blank(e) ? "northing" : "easting");
      return false;
    }
    s->crs = TM_CRS_GRID;
    /* Range checks happen after reprojection, against the UK. */
    return coordinate(e, "easting", -1e8, 1e8, w, probs, &s->x) &&
           coordinate(n, "northing", -1e8, 1e8, w, probs, &s->y);
  }
  if(!blank(pcode) && postcodes) {
    const struct postcode_entry *pe = postcode_find(postcodes, pcode);

    if(!pe) {
      char *fix = tm_xasprintf("add it to %s, or give coordinates",
                               postcodes->path);

      tm_problem_exclude(probs, w, "unknown-postcode", fix,
                         "postcode \"%s\" is not in %s (or has no usable "
                         "coordinates there); the row is left off the map",
                         pcode, postcodes->path);
      free(fix);
      return false;
    }
    s->crs = pe->crs;
    s->x = pe->x;
    s->y = pe->y;
    return true;
  }
  if(t->has_geometry && t->has_xy[i]) {
    s->crs = TM_CRS_TRUSTS_GEOMETRY;
    s->x = t->gx[i];
    s->y = t->gy[i];
    return true;
  }
  tm_problem_exclude(probs, w, "no-location",
                     postcodes || m->idx[TM_COL_POSTCODE] < 0
                       ? "add latitude/longitude or easting/northing"
                       : "add coordinates, or give a postcode lookup "
                         "with --postcodes FILE",
                     "no location (no coordinates%s); the row is left "
                     "off the map",
                     m->idx[TM_COL_POSTCODE] >= 0 ? " or postcode" : "");
  return false;
}

static bool has_location_columns(const struct tm_table *t,
                                 const struct tm_colmap *m,
                                 const struct tm_postcodes *postcodes)
{
  return (m->idx[TM_COL_LAT] >= 0 && m->idx[TM_COL_LON] >= 0) ||
         (m->idx[TM_COL_EASTING] >= 0 && m->idx[TM_COL_NORTHING] >= 0) ||
         (m->idx[TM_COL_POSTCODE] >= 0 && postcodes) || t->has_geometry;
}

/* Who the row belongs to; false (with a problem) if it cannot say. */
static bool identify(const struct tm_table *t, size_t i,
                     const struct tm_colmap *m, struct tm_sites *sites,
                     struct tm_site *s, struct tm_problems *probs)
{
  struct tm_strpool *pool = sites->pool;
  const char *code = cell(t, i, m->idx[TM_COL_CODE]);
  const char *name = cell(t, i, m->idx[TM_COL_NAME]);
  const char *parent = cell(t, i, m->idx[TM_COL_PARENT_CODE]);
  const char *site_code = cell(t, i, m->idx[TM_COL_SITE_CODE]);
  const char *site_name = cell(t, i, m->idx[TM_COL_SITE_NAME]);

  if(!blank(parent)) {
    /* A site row of the NHS website's shape. */
    const char *pname = cell(t, i, m->idx[TM_COL_PARENT_NAME]);

    s->is_site = true;
    s->trust_code = code_in_pool(pool, parent);
    s->trust_name = blank(pname) ? NULL : trimmed(pool, pname);
    s->code = blank(code) ? s->trust_code : code_in_pool(pool, code);
    s->name = trimmed(pool, name);
  }
  else {
    if(blank(code)) {
      tm_problem_exclude(probs, &s->where, "no-code",
                         "fill in the trust's ODS code",
                         "no organisation code; the row is left off the "
                         "map");
      return false;
    }
    s->trust_code = code_in_pool(pool, code);
    s->trust_name = blank(name) ? NULL : trimmed(pool, name);
    s->is_site = !blank(site_code) || !blank(site_name);
    if(s->is_site) {
      s->code = blank(site_code) ? s->trust_code
                                 : code_in_pool(pool, site_code);
      s->name = blank(site_name) ? (s->trust_name ? s->trust_name : "")
                                 : trimmed(pool, site_name);
    }
    else {
      s->code = s->trust_code;
      s->name = s->trust_name ? s->trust_name : "";
    }
  }
  if(!s->name[0]) {
    tm_problem_exclude(probs, &s->where, "no-name",
                       "fill in the name of the trust or hospital",
                       "no name for %s; the row is left off the map",
                       s->code);
    return false;
  }
  /* Sites of one trust are told apart by code, else by name. */
  if(!s->is_site)
    s->site_key = "";
  else if(s->code != s->trust_code)
    s->site_key = s->code;
  else
    s->site_key = code_in_pool(pool, s->name);
  return true;
}

static void set_nation(const struct tm_table *t, size_t i,
                       const struct tm_colmap *m, struct tm_sites *sites,
                       struct tm_site *s, struct tm_problems *probs)
{
  const char *text = cell(t, i, m->idx[TM_COL_NATION]);
  const char *canon;

  if(blank(text)) {
    s->nation = tm_nation_from_code(s->trust_code);
    return;
  }
  s->nation_given = true;
  canon = nation_canonical(trimmed(sites->pool, text));
  if(canon) {
    s->nation = canon;
    return;
  }
  s->nation = trimmed(sites->pool, text);
  tm_problem_note(probs, &s->where, "unknown-nation",
                  "write England, Wales, Scotland or Northern Ireland",
                  "nation \"%s\" is not one of the UK's four nations; it "
                  "is kept as written", s->nation);
}

enum tm_rc tm_sites_from_table(const struct tm_table *t,
                               const char *const cols[TM_COL_COUNT],
                               const struct tm_postcodes *postcodes,
                               const char *grid_crs,
                               struct tm_problems *probs,
                               struct tm_sites **out)
{
  struct tm_sites *sites;
  struct tm_colmap m;
  size_t i, errors = tm_problems_count(probs, TM_ERROR);
  long first_blank = 0;

  tm_columns_resolve(t, TM_FILE_TRUSTS, cols, probs, &m);
  if((m.idx[TM_COL_CODE] < 0 || m.idx[TM_COL_NAME] < 0 ||
      !has_location_columns(t, &m, postcodes)) &&
     missing_header(probs, t, TM_FILE_TRUSTS, NULL,
                    "--col trusts.code=#1 --col trusts.name=#2 "
                    "--col trusts.lat=#3 --col trusts.lon=#4"))
    return TM_INPUT;
  if(m.idx[TM_COL_CODE] < 0)
    missing_column(probs, t, TM_FILE_TRUSTS, TM_COL_CODE,
                   "the organisation code");
  if(m.idx[TM_COL_NAME] < 0)
    missing_column(probs, t, TM_FILE_TRUSTS, TM_COL_NAME,
                   "the organisation name");
  if(!has_location_columns(t, &m, postcodes)) {
    struct tm_where w = { t->path, 1 };

    if(m.idx[TM_COL_POSTCODE] >= 0)
      tm_problem_error(probs, &w, "missing-column",
                       "give a postcode lookup with --postcodes FILE",
                       "rows are located only by postcode, and no "
                       "postcode lookup was given");
    else
      missing_column(probs, t, TM_FILE_TRUSTS, TM_COL_LAT,
                     "the location (latitude/longitude, easting/northing "
                     "or postcode)");
  }
  if(tm_problems_count(probs, TM_ERROR) > errors)
    return TM_INPUT;

  sites = tm_xcalloc(1, sizeof(*sites));
  sites->pool = tm_strpool_new();
  sites->path = t->path;
  sites->rows = t->nrows;
  sites->crs[TM_CRS_LONLAT] = "EPSG:4326";
  sites->crs[TM_CRS_GRID] = tm_strpool_add(sites->pool, grid_crs);
  /* A layer without a CRS (a bare GeoJSON, say) is read as lon/lat, the
   * only CRS RFC 7946 allows. */
  if(t->has_geometry)
    sites->crs[TM_CRS_TRUSTS_GEOMETRY] =
      tm_strpool_add(sites->pool,
                     t->geometry_crs ? t->geometry_crs : "EPSG:4326");
  if(postcodes) {
    int k;

    for(k = TM_CRS_POSTCODE_LONLAT; k <= TM_CRS_POSTCODE_GEOMETRY; k++)
      if(postcodes->crs[k])
        sites->crs[k] = tm_strpool_add(sites->pool, postcodes->crs[k]);
  }

  for(i = 0; i < t->nrows; i++) {
    struct tm_site *s;

    if(row_blank(t, i)) {
      if(!sites->blank_rows++)
        first_blank = t->rownum[i];
      continue;
    }
    tm_xgrow((void **)&sites->v, &sites->cap, sites->n + 1,
             sizeof(sites->v[0]));
    s = &sites->v[sites->n];
    memset(s, 0, sizeof(*s));
    s->where.path = t->path;
    s->where.row = t->rownum[i];
    note_controls(t, i, &m, &s->where, probs);
    if(!identify(t, i, &m, sites, s, probs))
      continue;
    set_nation(t, i, &m, sites, s, probs);
    /* A row that names its trust is kept even without a location, so an
     * FOI answer for it is still recognised; it just gets no pin. */
    if(!locate(t, i, &m, postcodes, s, probs))
      s->excluded = true;
    sites->n++;
  }
  note_blank_rows(probs, t->path, sites->blank_rows, first_blank);
  *out = sites;
  return TM_OK;
}

void tm_sites_free(struct tm_sites *s)
{
  if(!s)
    return;
  tm_strpool_free(s->pool);
  free(s->v);
  free(s);
}

/* ---- FOI answers ---------------------------------------------------- */

enum tm_rc tm_fois_from_table(const struct tm_table *t,
                              const char *const cols[TM_COL_COUNT],
                              const struct tm_style *st,
                              struct tm_problems *probs,
                              struct tm_fois **out)
{
  struct tm_fois *fois;
  struct tm_colmap m;
  size_t i, errors = tm_problems_count(probs, TM_ERROR);
  long first_blank = 0;

  tm_columns_resolve(t, TM_FILE_FOI, cols, probs, &m);
  if((m.idx[TM_COL_CODE] < 0 || m.idx[TM_COL_STATUS] < 0) &&
     missing_header(probs, t, TM_FILE_FOI, st,
                    "--col foi.code=#1 --col foi.status=#2"))
    return TM_INPUT;
  if(m.idx[TM_COL_CODE] < 0)
    missing_column(probs, t, TM_FILE_FOI, TM_COL_CODE,
                   "the organisation code");
  if(m.idx[TM_COL_STATUS] < 0)
    missing_column(probs, t, TM_FILE_FOI, TM_COL_STATUS,
                   "the FOI status");
  if(tm_problems_count(probs, TM_ERROR) > errors)
    return TM_INPUT;

  fois = tm_xcalloc(1, sizeof(*fois));
  fois->pool = tm_strpool_new();
  fois->path = t->path;
  fois->rows = t->nrows;
  for(i = 0; i < t->nrows; i++) {
    const char *code = cell(t, i, m.idx[TM_COL_CODE]);
    const char *status = cell(t, i, m.idx[TM_COL_STATUS]);
    struct tm_foi *f;

    if(row_blank(t, i)) {
      if(!fois->blank_rows++)
        first_blank = t->rownum[i];
      continue;
    }
    tm_xgrow((void **)&fois->v, &fois->cap, fois->n + 1,
             sizeof(fois->v[0]));
    f = &fois->v[fois->n++];
    memset(f, 0, sizeof(*f));
    f->where.path = t->path;
    f->where.row = t->rownum[i];
    note_controls(t, i, &m, &f->where, probs);
    f->code = code_in_pool(fois->pool, code);
    f->status_text = trimmed(fois->pool, status);
    f->notes = trimmed(fois->pool, cell(t, i, m.idx[TM_COL_NOTES]));
    if(!f->code[0]) {
      tm_problem_exclude(probs, &f->where, "no-code",
                         "fill in the trust's ODS code",
                         "no organisation code; this answer is ignored");
      f->excluded = true;
      continue;
    }
    if(!tm_style_match_status(st, f->status_text, &f->status)) {
      char *fix = tm_xasprintf("known: %s; add an alias in %s",
                               tm_style_known_statuses(), st->path);

      tm_problem_error(probs, &f->where, "unknown-status", fix,
                       "status \"%s\" is not a known status",
                       f->status_text);
      free(fix);
      f->excluded = true;
    }
  }
  note_blank_rows(probs, t->path, fois->blank_rows, first_blank);
  *out = fois;
  return TM_OK;
}

void tm_fois_free(struct tm_fois *f)
{
  if(!f)
    return;
  tm_strpool_free(f->pool);
  free(f->v);
  free(f);
}
