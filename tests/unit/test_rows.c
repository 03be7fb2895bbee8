/* test_rows.c - table rows -> sites, FOI answers and postcode lookups,
 * with tables built in memory (no GDAL): both trusts-file shapes, every
 * way of giving a location, and every reason a row is left off, each with
 * its exact row number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"
#include "support.h"

#define TRUSTS "trusts.csv"
#define FOI "foi-2025-03.csv"
#define STYLE_PATH "styles/test.json"

/* ---- building tables by hand ----------------------------------------- */

/* Gives the table a point geometry; rows with has[i] false have none. */
static void add_geometry(struct tm_table *t, const char *crs,
                         const bool *has, const double *x, const double *y)
{
  size_t i;

  t->has_geometry = true;
  t->geometry_crs = crs ? tm_xstrdup(crs) : NULL;
  t->has_xy = tm_xcalloc(t->nrows + 1, sizeof(*t->has_xy));
  t->gx = tm_xcalloc(t->nrows + 1, sizeof(*t->gx));
  t->gy = tm_xcalloc(t->nrows + 1, sizeof(*t->gy));
  for(i = 0; i < t->nrows; i++) {
    t->has_xy[i] = has[i];
    t->gx[i] = x[i];
    t->gy[i] = y[i];
  }
}

/* Reads a trusts table and frees it: the sites must not borrow from it. */
static struct tm_sites *read_sites(struct tm_table *t,
                                   const struct tm_postcodes *pc,
                                   struct tm_problems *probs)
{
  struct tm_sites *s = NULL;

  assert_int_equal(tm_sites_from_table(t, NULL, pc, "EPSG:27700", probs, &s),
                   TM_OK);
  assert_non_null(s);
  tm_table_free(t);
  return s;
}

/* The one problem on this row: its kind, and that it excludes the row. */
static void expect_excluded(const struct tm_problems *probs, long row,
                            const char *kind, const char *what)
{
  const struct tm_problem *p = support_problem_on(probs, TRUSTS, row);

  assert_string_equal(p->kind, kind);
  assert_int_equal(p->severity, TM_WARNING);
  assert_true(p->excludes_row);
  if(what)
    assert_string_equal(p->what, what);
}

static const struct tm_site *site_at(const struct tm_sites *s, long row)
{
  size_t i;

  for(i = 0; i < s->n; i++)
    if(s->v[i].where.row == row)
      return &s->v[i];
  fail_msg("no site from row %ld", row);
  return NULL;
}

/* ---- trusts-file shapes --------------------------------------------- */

static void repeated_code_should_give_one_trust_with_sites(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_sites *s;
  const struct tm_site *x;

  (void)state;
  s = read_sites(SUPPORT_TABLE(TRUSTS, 6,
    "code", "name", "site_code", "site_name", "latitude", "longitude",
    "RRV", "UCLH", "RRV03", "University College Hospital", "51.524891",
      "-0.136896",
    "RRV", "UCLH", "rrv30 ", "Westmoreland Street", "51.519581", "-0.149754",
    " rrv ", "UCLH", "", "Eastman Dental Hospital", "51.5253", "-0.1188",
    "RJ1", "Guy's and St Thomas'", "", "", "51.503284", "-0.089551"),
    NULL, &probs);
  support_expect_problems(&probs, 0);
  assert_int_equal(s->n, 4);
  assert_int_equal(s->rows, 4);
  assert_int_equal(s->blank_rows, 0);
  assert_string_equal(s->path, TRUSTS);

  x = site_at(s, 2);
  assert_true(x->is_site);
  assert_string_equal(x->trust_code, "RRV");
  assert_string_equal(x->trust_name, "UCLH");
  assert_string_equal(x->code, "RRV03");
  assert_string_equal(x->name, "University College Hospital");
  assert_string_equal(x->site_key, "RRV03");
  assert_false(x->excluded);
  assert_int_equal(x->crs, TM_CRS_LONLAT);
  assert_true(x->x == -0.136896 && x->y == 51.524891);
  assert_string_equal(x->where.path, TRUSTS);

  x = site_at(s, 3);
  assert_string_equal(x->code, "RRV30");

  /* A site without a code of its own takes the trust's and is told apart
   * by its name. */
  x = site_at(s, 4);
  assert_true(x->is_site);
  assert_string_equal(x->trust_code, "RRV");
  assert_string_equal(x->code, "RRV");
  assert_string_equal(x->name, "Eastman Dental Hospital");
  assert_string_equal(x->site_key, "EASTMAN DENTAL HOSPITAL");

  x = site_at(s, 5);
  assert_false(x->is_site);
  assert_string_equal(x->trust_code, "RJ1");
  assert_string_equal(x->code, "RJ1");
  assert_string_equal(x->name, "Guy's and St Thomas'");
  assert_string_equal(x->site_key, "");
  assert_string_equal(x->nation, "England");
  assert_false(x->nation_given);
  assert_string_equal(s->crs[TM_CRS_LONLAT], "EPSG:4326");
  tm_sites_free(s);
}

static void parent_code_rows_should_be_sites_of_that_trust(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_sites *s;
  const struct tm_site *x;

  (void)state;
  s = read_sites(SUPPORT_TABLE(TRUSTS, 7,
    "OrganisationID", "OrganisationCode", "OrganisationName",
      "ParentODSCode", "ParentName", "Latitude", "Longitude",
    "1", "RAL26", "Royal Free Hospital", "RAL", "Royal Free London",
      "51.5533", "-0.1650",
    "2", "ral01", "Barnet Hospital", " ral", "", "51.6506", "-0.2143",
    "3", "RAL", "Royal Free London", "", "", "51.5534", "-0.1652",
    "4", "", "Chase Farm Hospital", "RAL", "Royal Free London", "51.6663",
      "-0.1030"),
    NULL, &probs);
  support_expect_problems(&probs, 0);
  assert_int_equal(s->n, 4);

  x = site_at(s, 2);
  assert_true(x->is_site);
  assert_string_equal(x->trust_code, "RAL");
  assert_string_equal(x->trust_name, "Royal Free London");
  assert_string_equal(x->code, "RAL26");
  assert_string_equal(x->name, "Royal Free Hospital");
  assert_string_equal(x->site_key, "RAL26");

  x = site_at(s, 3);
  assert_true(x->is_site);
  assert_string_equal(x->trust_code, "RAL");
  assert_null(x->trust_name);
  assert_string_equal(x->code, "RAL01");

  x = site_at(s, 4);
  assert_false(x->is_site);
  assert_string_equal(x->trust_code, "RAL");
  assert_string_equal(x->name, "Royal Free London");

  x = site_at(s, 5);
  assert_true(x->is_site);
  assert_string_equal(x->code, "RAL");
  assert_string_equal(x->site_key, "CHASE FARM HOSPITAL");
  tm_sites_free(s);
}

/* ---- locations ------------------------------------------------------ */

static void easting_northing_should_be_read_zero_padded(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_sites *s;
  const struct tm_site *x;

  (void)state;
  s = read_sites(SUPPORT_TABLE(TRUSTS, 4,
    "Code", "Trust Name", "X", "Y",
    "RRV", "UCLH", "529310", "0182402",
    "RAL", "Royal Free", " 0527036 ", "0185590"),
    NULL, &probs);
  support_expect_problems(&probs, 0);
  x = site_at(s, 2);
  assert_int_equal(x->crs, TM_CRS_GRID);
  assert_true(x->x == 529310.0 && x->y == 182402.0);
  x = site_at(s, 3);
  assert_true(x->x == 527036.0 && x->y == 185590.0);
  assert_string_equal(s->crs[TM_CRS_GRID], "EPSG:27700");
  tm_sites_free(s);
}

static void lat_lon_should_win_over_easting_northing(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_sites *s;

  (void)state;
  s = read_sites(SUPPORT_TABLE(TRUSTS, 6,
    "code", "name", "lat", "lon", "easting", "northing",
    "RRV", "UCLH", "51.52", "-0.13", "529310", "182402",
    "RAL", "Royal Free", "", "", "527036", "185590"),
    NULL, &probs);
  support_expect_problems(&probs, 0);
  assert_int_equal(site_at(s, 2)->crs, TM_CRS_LONLAT);
  assert_int_equal(site_at(s, 3)->crs, TM_CRS_GRID);
  tm_sites_free(s);
}

static struct tm_postcodes *lookup(struct tm_problems *probs)
{
  struct tm_table *t = SUPPORT_TABLE("postcodes.csv", 3,
    "pcds", "oseast1m", "osnrth1m",
    "NW1 2PG", "529310", "0182402",
    "nw3 2qg", "527036", "185590",
    "SE1 9RT", "", "",            /* unusable: not entered */
    "", "1", "2");
  struct tm_postcodes *pc = NULL;

  assert_int_equal(tm_postcodes_from_table(t, NULL, "EPSG:27700", probs,
                                           &pc), TM_OK);
  tm_table_free(t);
  return pc;
}

static void postcode_should_be_found_whatever_its_spaces_and_case(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_postcodes *pc = lookup(&probs);
  struct tm_sites *s;
  const struct tm_site *x;

  (void)state;
  support_expect_problems(&probs, 0);
  s = read_sites(SUPPORT_TABLE(TRUSTS, 3,
    "code", "name", "Post-Code",
    "RRV", "UCLH", "nw12pg",
    "RAL", "Royal Free", " NW3  2QG ",
    "RJ1", "Guy's", "SE1 9RT",
    "RYJ", "Imperial", "ZZ9 9ZZ"),
    pc, &probs);
  x = site_at(s, 2);
  assert_false(x->excluded);
  assert_int_equal(x->crs, TM_CRS_POSTCODE_GRID);
  assert_true(x->x == 529310.0 && x->y == 182402.0);
  x = site_at(s, 3);
  assert_false(x->excluded);
  assert_true(x->x == 527036.0 && x->y == 185590.0);
  assert_string_equal(s->crs[TM_CRS_POSTCODE_GRID], "EPSG:27700");

  support_expect_problems(&probs, 2);
  expect_excluded(&probs, 4, "unknown-postcode",
                  "postcode \"SE1 9RT\" is not in postcodes.csv (or has no "
                  "usable coordinates there); the row is left off the map");
  expect_excluded(&probs, 5, "unknown-postcode", NULL);
  assert_true(site_at(s, 4)->excluded);
  assert_true(site_at(s, 5)->excluded);
  tm_sites_free(s);
  tm_postcodes_free(pc);
  tm_problems_clear(&probs);
}

static void postcode_lookup_with_lat_lon_should_be_lonlat(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_table *t = SUPPORT_TABLE("pc.csv", 3,
    "", "", "",
    "NW1 2PG", "51.5246", "-0.1340");
  const char *cols[TM_COL_COUNT] = { 0 };
  struct tm_postcodes *pc = NULL;
  struct tm_sites *s;

  (void)state;
  cols[TM_COL_POSTCODE] = "#1";
  cols[TM_COL_LAT] = "#2";
  cols[TM_COL_LON] = "#3";
  assert_int_equal(tm_postcodes_from_table(t, cols, "EPSG:27700", &probs,
                                           &pc), TM_OK);
  tm_table_free(t);
  s = read_sites(SUPPORT_TABLE(TRUSTS, 3,
    "code", "name", "postcode",
    "RRV", "UCLH", "NW1 2PG"), pc, &probs);
  support_expect_problems(&probs, 0);
  assert_int_equal(site_at(s, 2)->crs, TM_CRS_POSTCODE_LONLAT);
  assert_true(site_at(s, 2)->x == -0.1340 && site_at(s, 2)->y == 51.5246);
  assert_string_equal(s->crs[TM_CRS_POSTCODE_LONLAT], "EPSG:4326");
  tm_sites_free(s);
  tm_postcodes_free(pc);
}

static void postcode_lookup_without_columns_should_be_refused(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_table *t = SUPPORT_TABLE("pc.csv", 2,
    "postcode", "region",
    "NW1 2PG", "London");
  struct tm_postcodes *pc = NULL;

  (void)state;
  assert_int_equal(tm_postcodes_from_table(t, NULL, "EPSG:27700", &probs,
                                           &pc), TM_INPUT);
  assert_null(pc);
  support_expect_problems(&probs, 1);
  assert_string_equal(probs.v[0].kind, "missing-column");
  assert_string_equal(probs.v[0].where.path, "pc.csv");
  assert_int_equal(probs.v[0].where.row, 1);
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void geometry_should_locate_rows_without_coordinates(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_table *t = SUPPORT_TABLE(TRUSTS, 2,
    "code", "name",
    "RRV", "UCLH",
    "RAL", "Royal Free",
    "RJ1", "Guy's");
  static const bool has[] = { true, false, true };
  static const double x[] = { 529310, 0, 532800 };
  static const double y[] = { 182402, 0, 180000 };
  struct tm_sites *s;

  (void)state;
  add_geometry(t, "EPSG:27700", has, x, y);
  s = read_sites(t, NULL, &probs);
  assert_int_equal(site_at(s, 2)->crs, TM_CRS_TRUSTS_GEOMETRY);
  assert_true(site_at(s, 2)->x == 529310 && site_at(s, 2)->y == 182402);
  assert_string_equal(s->crs[TM_CRS_TRUSTS_GEOMETRY], "EPSG:27700");
  support_expect_problems(&probs, 1);
  expect_excluded(&probs, 3, "no-location", NULL);
  assert_true(site_at(s, 3)->excluded);
  assert_false(site_at(s, 4)->excluded);
  tm_sites_free(s);
  tm_problems_clear(&probs);
}

static void geometry_without_crs_should_be_read_as_lon_lat(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_table *t = SUPPORT_TABLE(TRUSTS, 2, "code", "name", "RRV", "UCLH");
  static const bool has[] = { true };
  static const double x[] = { -0.13 }, y[] = { 51.52 };
  struct tm_sites *s;

  (void)state;
  add_geometry(t, NULL, has, x, y);
  s = read_sites(t, NULL, &probs);
  support_expect_problems(&probs, 0);
  assert_string_equal(s->crs[TM_CRS_TRUSTS_GEOMETRY], "EPSG:4326");
  tm_sites_free(s);
}

/* ---- rows left off -------------------------------------------------- */

static void each_bad_row_should_get_one_problem_on_its_row(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_sites *s;
  const struct tm_problem *p;

  (void)state;
  s = read_sites(SUPPORT_TABLE(TRUSTS, 5,
    "code", "name", "latitude", "longitude", "postcode",
    "RRV", "UCLH", "51.52", "-0.13", "",             /* 2 fine */
    "", "No Code Hospital", "51.5", "-0.1", "",       /* 3 no-code */
    "RAL", "", "51.5", "-0.1", "",                    /* 4 no-name */
    "RJ1", "Guy's", "abc", "-0.1", "",                /* 5 not a number */
    "RYJ", "Imperial", "51,5", "-0,17", "",           /* 6 decimal comma */
    "RAP", "North Mid", "91", "-0.1", "",             /* 7 out of range */
    "RAS", "Hillingdon", "", "-0.46", "",             /* 8 lat blank */
    "RF4", "BHRUT", "51.57", " ", "",                 /* 9 lon blank */
    "RQM", "Chelsea", "51.48", "-181", "",            /* 10 lon range */
    "RKE", "Whittington", "", "", "N19 5NF",          /* 11 no lookup */
    "R1K", "LNWH", "", "", ""),                       /* 12 nothing */
    NULL, &probs);

  support_expect_problems(&probs, 10);
  expect_excluded(&probs, 3, "no-code",
                  "no organisation code; the row is left off the map");
  expect_excluded(&probs, 4, "no-name",
                  "no name for RAL; the row is left off the map");
  expect_excluded(&probs, 5, "bad-coordinate",
                  "latitude \"abc\" is not a number; the row is left off "
                  "the map");
  expect_excluded(&probs, 6, "bad-coordinate",
                  "latitude \"51,5\" uses a decimal comma; the row is left "
                  "off the map");
  p = support_problem_on(&probs, TRUSTS, 6);
  assert_string_equal(p->fix, "write it with a decimal point: 51.5");
  expect_excluded(&probs, 7, "bad-coordinate",
                  "latitude 91 is out of range (-90 to 90); the row is left "
                  "off the map");
  expect_excluded(&probs, 8, "bad-coordinate",
                  "latitude is blank but longitude is not; the row is left "
                  "off the map");
  expect_excluded(&probs, 9, "bad-coordinate",
                  "longitude is blank but latitude is not; the row is left "
                  "off the map");
  expect_excluded(&probs, 10, "bad-coordinate",
                  "longitude -181 is out of range (-180 to 180); the row is "
                  "left off the map");
  expect_excluded(&probs, 11, "no-location",
                  "no location (no coordinates or postcode); the row is "
                  "left off the map");
  p = support_problem_on(&probs, TRUSTS, 11);
  assert_non_null(strstr(p->fix, "--postcodes FILE"));
  expect_excluded(&probs, 12, "no-location", NULL);

  /* Rows that name a trust are kept (excluded) so an FOI answer for them
   * is still recognised; rows that cannot say whose they are are not. */
  assert_int_equal(s->n, 9);
  assert_int_equal(s->rows, 11);
  assert_false(site_at(s, 2)->excluded);
  assert_true(site_at(s, 5)->excluded);
  assert_true(site_at(s, 12)->excluded);
  tm_sites_free(s);
  tm_problems_clear(&probs);
}

static void comma_in_grid_metres_should_read_as_thousands(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_sites *s;
  const struct tm_problem *p;

  (void)state;
  s = read_sites(SUPPORT_TABLE(TRUSTS, 6,
    "code", "name", "latitude", "longitude", "easting", "northing",
    "RRV", "UCLH", "", "", "529,310", "182402",         /* 2 */
    "RAL", "Royal Free", "", "", "527036", "1,214,000",   /* 3 */
    "RJ1", "Guy's", "", "", "532800,5", "180000",         /* 4 */
    "RYJ", "Imperial", " 51,5 ", "-0.17", "", "",         /* 5 */
    "RAP", "North Mid", "", "", "52,93,10", "182402"),    /* 6 */
    NULL, &probs);
  support_expect_problems(&probs, 5);
  expect_excluded(&probs, 2, "bad-coordinate",
                  "easting \"529,310\" has a thousands separator; the row "
                  "is left off the map");
  p = support_problem_on(&probs, TRUSTS, 2);
  assert_string_equal(p->fix,
                      "write it without the thousands separator: 529310");
  p = support_problem_on(&probs, TRUSTS, 3);
  assert_string_equal(p->fix,
                      "write it without the thousands separator: 1214000");
  /* a comma that is not a thousands separator is a decimal comma */
  p = support_problem_on(&probs, TRUSTS, 4);
  assert_string_equal(p->fix, "write it with a decimal point: 532800.5");
  /* the cell is quoted and corrected without its surrounding spaces */
  expect_excluded(&probs, 5, "bad-coordinate",
                  "latitude \"51,5\" uses a decimal comma; the row is left "
                  "off the map");
  p = support_problem_on(&probs, TRUSTS, 5);
  assert_string_equal(p->fix, "write it with a decimal point: 51.5");
  expect_excluded(&probs, 6, "bad-coordinate",
                  "easting \"52,93,10\" is not a number; the row is left "
                  "off the map");
  tm_sites_free(s);
  tm_problems_clear(&probs);
}

static void blank_rows_should_be_counted_not_listed(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_sites *s;

  (void)state;
  s = read_sites(SUPPORT_TABLE(TRUSTS, 4,
    "code", "name", "lat", "lon",
    "", "", "", "",
    "RRV", "UCLH", "51.52", "-0.13",
    " ", "\t", "", "  ",
    "", "", "", "",
    "RAL", "Royal Free", "51.55", "-0.16"),
    NULL, &probs);
  assert_int_equal(s->n, 2);
  assert_int_equal(s->rows, 5);
  assert_int_equal(s->blank_rows, 3);
  support_expect_problems(&probs, 1);
  assert_string_equal(probs.v[0].kind, "blank-row");
  assert_int_equal(probs.v[0].where.row, 2);
  assert_false(probs.v[0].excludes_row);
  assert_string_equal(probs.v[0].what,
                      "3 blank rows skipped (the first here)");
  tm_sites_free(s);
  tm_problems_clear(&probs);
}

/* ---- missing columns ------------------------------------------------ */

static void expect_missing(struct tm_table *t, const struct tm_postcodes *pc,
                           const char *what_part)
{
  struct tm_problems probs = { 0 };
  struct tm_sites *s = NULL;

  assert_int_equal(tm_sites_from_table(t, NULL, pc, "EPSG:27700", &probs,
                                       &s), TM_INPUT);
  assert_null(s);
  support_expect_problems(&probs, 1);
  assert_int_equal(probs.v[0].severity, TM_ERROR);
  assert_string_equal(probs.v[0].kind, "missing-column");
  assert_string_equal(probs.v[0].where.path, TRUSTS);
  assert_int_equal(probs.v[0].where.row, 1);
  if(!strstr(probs.v[0].what, what_part))
    fail_msg("\"%s\" lacks \"%s\"", probs.v[0].what, what_part);
  tm_problems_clear(&probs);
  tm_table_free(t);
}

static void missing_required_columns_should_stop_with_errors(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_table *t;
  struct tm_sites *s = NULL;

  (void)state;
  expect_missing(SUPPORT_TABLE(TRUSTS, 3, "name", "lat", "lon",
                               "UCLH", "1", "2"),
                 NULL, "no column for the organisation code (looked for "
                 "code, ods_code");
  expect_missing(SUPPORT_TABLE(TRUSTS, 3, "code", "lat", "lon",
                               "RRV", "1", "2"),
                 NULL, "no column for the organisation name");
  expect_missing(SUPPORT_TABLE(TRUSTS, 3, "code", "name", "lat",
                               "RRV", "UCLH", "1"),
                 NULL, "no column for the location");
  expect_missing(SUPPORT_TABLE(TRUSTS, 3, "code", "name", "postcode",
                               "RRV", "UCLH", "NW1 2PG"),
                 NULL, "no postcode lookup was given");

  /* All at once, each naming the file and what was found. */
  t = SUPPORT_TABLE(TRUSTS, 2, "Kennung", "Breite", "RRV", "51");
  assert_int_equal(tm_sites_from_table(t, NULL, NULL, "EPSG:27700", &probs,
                                       &s), TM_INPUT);
  assert_null(s);
  support_expect_problems(&probs, 3);
  assert_non_null(strstr(probs.v[0].fix, "--col trusts.code=COLUMN"));
  assert_non_null(strstr(probs.v[0].fix, "found: Kennung, Breite"));
  tm_problems_clear(&probs);
  tm_table_free(t);
}

static void column_named_but_missing_should_stop_the_file(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_table *t = SUPPORT_TABLE(TRUSTS, 4, "code", "name", "lat", "lon",
                                     "RRV", "UCLH", "51.5", "-0.1");
  const char *cols[TM_COL_COUNT] = { 0 };
  struct tm_sites *s = NULL;

  (void)state;
  cols[TM_COL_LAT] = "Breite";
  assert_int_equal(tm_sites_from_table(t, cols, NULL, "EPSG:27700", &probs,
                                       &s), TM_INPUT);
  assert_null(s);
  /* the named column, not a synonym, is what was asked for; and with no
   * latitude there is no location either */
  assert_true(probs.n >= 1);
  assert_string_equal(probs.v[0].kind, "missing-column");
  assert_non_null(strstr(probs.v[0].what, "\"Breite\""));
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void earlier_errors_should_not_stop_a_good_file(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where w = { "style.json", 0 };
  struct tm_sites *s;

  (void)state;
  tm_problem_error(&probs, &w, "k", NULL, "an error in another file");
  s = read_sites(SUPPORT_TABLE(TRUSTS, 4, "code", "name", "lat", "lon",
                               "RRV", "UCLH", "51.5", "-0.1"), NULL, &probs);
  assert_int_equal(s->n, 1);
  support_expect_problems(&probs, 1);
  tm_sites_free(s);
  tm_problems_clear(&probs);
}

/* ---- nations -------------------------------------------------------- */

static void nation_should_follow_from_the_code(void **state)
{
  (void)state;
  assert_string_equal(tm_nation_from_code("7A1"), "Wales");
  assert_string_equal(tm_nation_from_code("7A3"), "Wales");
  assert_string_equal(tm_nation_from_code("RQF"), "Wales");   /* Velindre */
  assert_string_equal(tm_nation_from_code("RT4"), "Wales");
  assert_string_equal(tm_nation_from_code("RYT"), "Wales");
  assert_string_equal(tm_nation_from_code("S08000015"), "Scotland");
  assert_string_equal(tm_nation_from_code("ZT001"), "Northern Ireland");
  assert_string_equal(tm_nation_from_code("RRV"), "England");
  assert_string_equal(tm_nation_from_code(""), "England");
  assert_string_equal(tm_nation_from_code("7"), "England");
  /* Birmingham Children's Hospital NHS FT (ODS etr: grouping Y55). */
  assert_string_equal(tm_nation_from_code("RQ3"), "England");
}

static void nation_column_should_be_canonical(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_sites *s;

  (void)state;
  s = read_sites(SUPPORT_TABLE(TRUSTS, 5,
    "code", "name", "country", "lat", "lon",
    "7A1", "Betsi Cadwaladr", "wales", "53.2", "-4.1",
    "S08000015", "Ayrshire", " SCOTLAND ", "55.5", "-4.6",
    "RRV", "UCLH", "", "51.5", "-0.1",
    "7A6", "Aneurin Bevan", "Cymru", "51.6", "-3.0",
    "ZT001", "Belfast", "northern ireland", "54.6", "-5.9",
    "RXX", "Somewhere", "Atlantis", "51.5", "-0.1"),
    NULL, &probs);
  assert_string_equal(site_at(s, 2)->nation, "Wales");
  assert_true(site_at(s, 2)->nation_given);
  assert_string_equal(site_at(s, 3)->nation, "Scotland");
  assert_string_equal(site_at(s, 4)->nation, "England");
  assert_false(site_at(s, 4)->nation_given);
  assert_string_equal(site_at(s, 5)->nation, "Wales");
  assert_string_equal(site_at(s, 6)->nation, "Northern Ireland");
  assert_string_equal(site_at(s, 7)->nation, "Atlantis");
  support_expect_problems(&probs, 1);
  assert_string_equal(probs.v[0].kind, "unknown-nation");
  assert_int_equal(probs.v[0].where.row, 7);
  assert_false(probs.v[0].excludes_row);
  assert_false(site_at(s, 7)->excluded);
  tm_sites_free(s);
  tm_problems_clear(&probs);
}

/* ---- FOI answers ---------------------------------------------------- */

static const char style_json[] =
  "{\"statuses\": {"
  "\"collecting\": {\"label\": \"Collecting\", \"colour\": \"#005a3c\", "
  "\"glyph\": \"tick\", \"aliases\": [\"yes\", \"Y\"]},"
  "\"partial\": {\"label\": \"Partial\", \"colour\": \"#c25e00\", "
  "\"glyph\": \"half\", \"aliases\": [\"partially\"]},"
  "\"not_collecting\": {\"label\": \"Not collecting\", \"colour\": "
  "\"#d0209a\", \"glyph\": \"cross\", \"aliases\": [\"no\"]},"
  "\"no_response\": {\"label\": \"No response\", \"colour\": \"#848484\", "
  "\"glyph\": \"question\", \"aliases\": [\"n/a\", \"\"]}}}";

static struct tm_style *test_style(void)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;

  assert_int_equal(tm_style_parse(style_json, strlen(style_json), STYLE_PATH,
                                  &probs, &st), TM_OK);
  support_expect_problems(&probs, 0);
  return st;
}

static struct tm_fois *read_fois(struct tm_table *t, const struct tm_style *st,
                                 struct tm_problems *probs)
{
  struct tm_fois *f = NULL;

  assert_int_equal(tm_fois_from_table(t, NULL, st, probs, &f), TM_OK);
  assert_non_null(f);
  tm_table_free(t);
  return f;
}

static void status_spellings_should_map_through_aliases(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = test_style();
  struct tm_fois *f;

  (void)state;
  f = read_fois(SUPPORT_TABLE(FOI, 3,
    "code", "status", "notes",
    " rrv ", "Yes", "  via the registry ",
    "RJ1", "  PARTIALLY ", "",
    "ryj", "No", "",
    "RAL", "N/A", "",
    "RXH", "", "no reply",
    "RQM", "Not_Collecting", "",
    "RAP", "no response", "",
    "RAS", "y", ""),
    st, &probs);
  support_expect_problems(&probs, 0);
  assert_int_equal(f->n, 8);
  assert_int_equal(f->rows, 8);
  assert_string_equal(f->path, FOI);
  assert_string_equal(f->v[0].code, "RRV");
  assert_int_equal(f->v[0].status, TM_STATUS_COLLECTING);
  assert_string_equal(f->v[0].status_text, "Yes");
  assert_string_equal(f->v[0].notes, "via the registry");
  assert_int_equal(f->v[0].where.row, 2);
  assert_int_equal(f->v[1].status, TM_STATUS_PARTIAL);
  assert_string_equal(f->v[1].status_text, "PARTIALLY");
  assert_string_equal(f->v[2].code, "RYJ");
  assert_int_equal(f->v[2].status, TM_STATUS_NOT_COLLECTING);
  assert_int_equal(f->v[3].status, TM_STATUS_NO_RESPONSE);
  assert_int_equal(f->v[4].status, TM_STATUS_NO_RESPONSE);
  assert_int_equal(f->v[5].status, TM_STATUS_NOT_COLLECTING);
  assert_int_equal(f->v[6].status, TM_STATUS_NO_RESPONSE);
  assert_int_equal(f->v[7].status, TM_STATUS_COLLECTING);
  assert_false(f->v[0].excluded);
  tm_fois_free(f);
  tm_style_free(st);
}

static void unknown_status_should_name_file_row_and_fix(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = test_style();
  struct tm_fois *f;
  char *text;

  (void)state;
  f = read_fois(SUPPORT_TABLE(FOI, 2,
    "code", "status",
    "RRV", "Yes",
    "RJ1", " Partly "),
    st, &probs);
  support_expect_problems(&probs, 1);
  assert_int_equal(probs.v[0].severity, TM_ERROR);
  assert_string_equal(probs.v[0].kind, "unknown-status");
  assert_string_equal(probs.v[0].where.path, FOI);
  assert_int_equal(probs.v[0].where.row, 3);
  assert_string_equal(probs.v[0].what,
                      "status \"Partly\" is not a known status");
  assert_string_equal(probs.v[0].fix,
                      "known: collecting, partial, not_collecting, "
                      "no_response; add an alias in " STYLE_PATH);
  text = tm_problem_format(&probs.v[0]);
  assert_string_equal(text,
                      FOI ":3: error: status \"Partly\" is not a known "
                      "status\n  (known: collecting, partial, "
                      "not_collecting, no_response; add an alias in "
                      STYLE_PATH ")\n");
  free(text);
  assert_true(f->v[1].excluded);
  assert_false(f->v[0].excluded);
  tm_fois_free(f);
  tm_style_free(st);
  tm_problems_clear(&probs);
}

static void blank_foi_code_should_be_ignored_with_a_warning(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = test_style();
  struct tm_fois *f;

  (void)state;
  f = read_fois(SUPPORT_TABLE(FOI, 3,
    "Organisation Code", "Response", "Comments",
    "RRV", "Yes", "",
    "", "", "",
    "  ", "No", "orphan note",
    "", "", "",
    "RJ1", "Partly", ""),
    st, &probs);
  assert_int_equal(f->n, 3);
  assert_int_equal(f->rows, 5);
  assert_int_equal(f->blank_rows, 2);
  support_expect_problems(&probs, 3);
  /* in file order: no-code on row 4, blank rows from row 3, unknown
   * status on row 6 */
  tm_problems_sort(&probs);
  assert_string_equal(probs.v[0].kind, "blank-row");
  assert_int_equal(probs.v[0].where.row, 3);
  assert_string_equal(probs.v[1].kind, "no-code");
  assert_int_equal(probs.v[1].where.row, 4);
  assert_true(probs.v[1].excludes_row);
  assert_int_equal(probs.v[1].severity, TM_WARNING);
  assert_string_equal(probs.v[1].where.path, FOI);
  assert_true(f->v[1].excluded);
  assert_string_equal(probs.v[2].kind, "unknown-status");
  assert_int_equal(probs.v[2].where.row, 6);
  tm_fois_free(f);
  tm_style_free(st);
  tm_problems_clear(&probs);
}

static void foi_without_status_column_should_stop(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = test_style();
  struct tm_table *t = SUPPORT_TABLE(FOI, 2, "code", "name", "RRV", "UCLH");
  struct tm_fois *f = NULL;

  (void)state;
  assert_int_equal(tm_fois_from_table(t, NULL, st, &probs, &f), TM_INPUT);
  assert_null(f);
  support_expect_problems(&probs, 1);
  assert_string_equal(probs.v[0].kind, "missing-column");
  assert_string_equal(probs.v[0].where.path, FOI);
  assert_int_equal(probs.v[0].where.row, 1);
  assert_non_null(strstr(probs.v[0].what, "FOI status"));
  tm_table_free(t);
  tm_style_free(st);
  tm_problems_clear(&probs);
}

static void foi_columns_named_on_the_command_line_should_be_used(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = test_style();
  struct tm_table *t = SUPPORT_TABLE(FOI, 3, "Trust", "ODS", "Antwort",
                                     "UCLH", "rrv", "Yes");
  const char *cols[TM_COL_COUNT] = { 0 };
  struct tm_fois *f = NULL;

  (void)state;
  cols[TM_COL_STATUS] = "antwort";
  assert_int_equal(tm_fois_from_table(t, cols, st, &probs, &f), TM_OK);
  support_expect_problems(&probs, 0);
  assert_string_equal(f->v[0].code, "RRV");
  assert_int_equal(f->v[0].status, TM_STATUS_COLLECTING);
  tm_fois_free(f);
  tm_table_free(t);
  tm_style_free(st);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(repeated_code_should_give_one_trust_with_sites),
    cmocka_unit_test(parent_code_rows_should_be_sites_of_that_trust),
    cmocka_unit_test(easting_northing_should_be_read_zero_padded),
    cmocka_unit_test(lat_lon_should_win_over_easting_northing),
    cmocka_unit_test(postcode_should_be_found_whatever_its_spaces_and_case),
    cmocka_unit_test(postcode_lookup_with_lat_lon_should_be_lonlat),
    cmocka_unit_test(postcode_lookup_without_columns_should_be_refused),
    cmocka_unit_test(geometry_should_locate_rows_without_coordinates),
    cmocka_unit_test(geometry_without_crs_should_be_read_as_lon_lat),
    cmocka_unit_test(each_bad_row_should_get_one_problem_on_its_row),
    cmocka_unit_test(comma_in_grid_metres_should_read_as_thousands),
    cmocka_unit_test(blank_rows_should_be_counted_not_listed),
    cmocka_unit_test(missing_required_columns_should_stop_with_errors),
    cmocka_unit_test(column_named_but_missing_should_stop_the_file),
    cmocka_unit_test(earlier_errors_should_not_stop_a_good_file),
    cmocka_unit_test(nation_should_follow_from_the_code),
    cmocka_unit_test(nation_column_should_be_canonical),
    cmocka_unit_test(status_spellings_should_map_through_aliases),
    cmocka_unit_test(unknown_status_should_name_file_row_and_fix),
    cmocka_unit_test(blank_foi_code_should_be_ignored_with_a_warning),
    cmocka_unit_test(foi_without_status_column_should_stop),
    cmocka_unit_test(foi_columns_named_on_the_command_line_should_be_used),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
