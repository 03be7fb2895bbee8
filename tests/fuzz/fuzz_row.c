/* fuzz_row.c - fuzz target: table rows -> sites and FOI answers -> join
 * -> GeoJSON and CSV, with no GDAL and no PROJ.
 *
 * The input is comma-separated text without quoting: lines end at LF (a
 * CR before it stays in the last cell, as rows.c may meet it), cells end
 * at commas, the first line is the header, and short rows are padded with
 * empty cells. A line "--" ends the trusts table and starts the FOI
 * table; without one the same table is read as both. The style is fixed
 * (the default aliases). Rows get their line numbers, as read.c gives
 * them for a CSV file.
 *
 * Checked, besides memory errors: every trusts row is accounted for
 * (pins + rows left off + blank rows), each site left off has a problem
 * at its row, and the GeoJSON and CSV texts are UTF-8 and the GeoJSON
 * parses with one feature per pin.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "csv.h"
#include "fuzz.h"
#include "geojson.h"
#include "join.h"
#include "rows.h"
#include "style.h"

static const char style_json[] =
  "{\"statuses\":{"
  "\"collecting\":{\"label\":\"Collecting\",\"colour\":\"#005a3c\","
  "\"glyph\":\"tick\",\"aliases\":[\"yes\",\"y\",\"true\"]},"
  "\"partial\":{\"label\":\"Partial\",\"colour\":\"#c25e00\","
  "\"glyph\":\"half\",\"aliases\":[\"partially\",\"some\"]},"
  "\"not_collecting\":{\"label\":\"Not collecting\",\"colour\":\"#d0209a\","
  "\"glyph\":\"cross\",\"aliases\":[\"no\",\"n\",\"false\"]},"
  "\"no_response\":{\"label\":\"No response\",\"colour\":\"#848484\","
  "\"glyph\":\"question\",\"aliases\":[\"n/a\",\"-\",\"\"]}}}";

static struct tm_style *fixed_style(void)
{
  static struct tm_style *st;

  return fuzz_fixed_style(&st, style_json);
}

/* Builds a table from the lines in [p, end). Returns NULL for no lines. */
static struct tm_table *make_table(const char *path, const char *p,
                                   const char *end)
{
  struct tm_table *t;
  const char *line = p;
  size_t cells_cap = 0, rows_cap = 0;
  long lineno = 0;

  if(p >= end)
    return NULL;
  t = tm_xcalloc(1, sizeof(*t));
  t->path = path;
  t->pool = tm_strpool_new();
  t->driver = tm_xstrdup("CSV");
  t->layer = tm_xstrdup("fuzz");
  while(line < end) {
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    const char *c = line;
    size_t col = 0;

    if(!eol)
      eol = end;
    lineno++;
    if(lineno == 1) {
      /* The header fixes the number of columns. */
      const char *q;

      t->ncols = 1;
      for(q = line; q < eol; q++)
        if(*q == ',')
          t->ncols++;
      t->colnames = tm_xcalloc(t->ncols, sizeof(*t->colnames));
      for(;;) {
        const char *comma = memchr(c, ',', (size_t)(eol - c));
        const char *stop = comma ? comma : eol;

        t->colnames[col++] = tm_strpool_addn(t->pool, c,
                                             (size_t)(stop - c));
        if(!comma)
          break;
        c = comma + 1;
      }
    }
    else {
      const char **row;

      tm_xgrow((void **)&t->cells, &cells_cap, (t->nrows + 1) * t->ncols,
               sizeof(t->cells[0]));
      tm_xgrow((void **)&t->rownum, &rows_cap, t->nrows + 1,
               sizeof(t->rownum[0]));
      row = t->cells + t->nrows * t->ncols;
      for(col = 0; col < t->ncols; col++) {
        const char *comma = c < eol ? memchr(c, ',', (size_t)(eol - c))
                                    : NULL;
        const char *stop = comma ? comma : eol;

        row[col] = c < eol ? tm_strpool_addn(t->pool, c, (size_t)(stop - c))
                           : "";
        c = comma ? comma + 1 : eol;
      }
      t->rownum[t->nrows++] = lineno;
    }
    line = eol + 1;
  }
  if(!t->cells)
    t->cells = tm_xcalloc(1, sizeof(t->cells[0]));
  return t;
}

/* What reproject.c would do, without PROJ: lon/lat as read, anything else
 * placed in the UK so that it is drawn. */
static void place(struct tm_sites *sites)
{
  size_t i;

  for(i = 0; i < sites->n; i++) {
    struct tm_site *s = &sites->v[i];

    if(s->excluded)
      continue;
    if(s->crs == TM_CRS_LONLAT) {
      s->lon = s->x;
      s->lat = s->y;
    }
    else {
      s->lon = fmod(fabs(s->x), 10.0) - 8;
      s->lat = fmod(fabs(s->y), 10.0) + 50;
    }
    s->mx = s->lon * 111319.49;
    s->my = log(tan(M_PI / 4 + s->lat * M_PI / 360)) * 6378137.0;
  }
}

static bool has_problem_at(const struct tm_problems *probs, long row)
{
  size_t i;

  for(i = 0; i < probs->n; i++)
    if(probs->v[i].where.row == row)
      return true;
  return false;
}

static void check_outputs(const struct tm_pins *pins,
                          const struct tm_style *st)
{
  char *geo = tm_geojson_text(pins, st);
  char *csv = tm_csv_text(pins, st);
  cJSON *doc;

  FUZZ_CHECK(tm_utf8_valid(geo, strlen(geo)));
  FUZZ_CHECK(tm_utf8_valid(csv, strlen(csv)));
  doc = cJSON_Parse(geo);
  FUZZ_CHECK(doc);
  FUZZ_CHECK((size_t)cJSON_GetArraySize(cJSON_GetObjectItem(doc, "features"))
             == pins->n);
  cJSON_Delete(doc);
  free(csv);
  free(geo);
}

static void run(struct tm_table *tt, struct tm_table *ft)
{
  const struct tm_style *st = fixed_style();
  struct tm_problems probs = { 0 };
  struct tm_sites *sites = NULL;
  struct tm_fois *fois = NULL;
  struct tm_trusts *trusts = NULL;
  struct tm_pins *pins = NULL;
  size_t i, kept = 0;

  if(tm_sites_from_table(tt, NULL, NULL, "EPSG:27700", &probs, &sites)) {
    FUZZ_CHECK(tm_problems_count(&probs, TM_ERROR) > 0);
    goto done;
  }
  if(tm_fois_from_table(ft, NULL, st, &probs, &fois)) {
    FUZZ_CHECK(tm_problems_count(&probs, TM_ERROR) > 0);
    goto done;
  }
  place(sites);
  if(tm_join(sites, fois, "fuzz", &probs, &trusts, &pins))
    abort();
  /* Every row is on the map, left off with a problem, or blank. */
  for(i = 0; i < sites->n; i++) {
    if(!sites->v[i].excluded)
      kept++;
    else
      FUZZ_CHECK(has_problem_at(&probs, sites->v[i].where.row));
  }
  FUZZ_CHECK(kept == pins->n);
  FUZZ_CHECK(sites->blank_rows + sites->n <= sites->rows);
  for(i = 0; i < pins->n; i++)
    FUZZ_CHECK(tm_trusts_find(trusts, pins->v[i].trust_code));
  check_outputs(pins, st);

done:
  tm_problems_sort(&probs);
  for(i = 0; i < probs.n; i++)
    free(tm_problem_format(&probs.v[i]));
  tm_pins_free(pins);
  tm_trusts_free(trusts);
  tm_fois_free(fois);
  tm_sites_free(sites);
  tm_problems_clear(&probs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *p = (const char *)data, *end = p + size, *split = NULL;
  struct tm_table *tt, *ft;
  const char *q;

  if(size > FUZZ_MAX_INPUT)
    return 0;
  for(q = p; q + 2 <= end; q++) {
    if((q == p || q[-1] == '\n') && !memcmp(q, "--", 2) &&
       (q + 2 == end || q[2] == '\n')) {
      split = q;
      break;
    }
  }
  tt = make_table("trusts.csv", p, split ? split : end);
  ft = split ? make_table("foi.csv", split + 3 <= end ? split + 3 : end, end)
             : tt;
  if(tt && ft)
    run(tt, ft);
  if(ft != tt)
    tm_table_free(ft);
  tm_table_free(tt);
  return 0;
}
