/* test_reproject.c - source coordinates -> WGS84 and Web Mercator, checked
 * against PROJ's own cs2cs on the same points, and the points that must be
 * left off the map (outside the UK, swapped, off the grid).
 *
 * Needs cs2cs (Debian package proj-bin) for the comparisons; those tests
 * are skipped with a message when it is not installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reproject.h"

#define TRUSTS "trusts.csv"

/* ---- sites built by hand -------------------------------------------- */

static struct tm_sites *new_sites(const char *grid_crs)
{
  struct tm_sites *s = tm_xcalloc(1, sizeof(*s));

  s->pool = tm_strpool_new();
  s->path = TRUSTS;
  s->crs[TM_CRS_LONLAT] = "EPSG:4326";
  s->crs[TM_CRS_GRID] = tm_strpool_add(s->pool, grid_crs);
  return s;
}

static struct tm_site *add_site(struct tm_sites *s, enum tm_crs_slot slot,
                                double x, double y)
{
  struct tm_site *p;
  char code[16];

  tm_xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(s->v[0]));
  p = &s->v[s->n++];
  memset(p, 0, sizeof(*p));
  snprintf(code, sizeof(code), "R%02zu", s->n);
  p->trust_code = p->code = tm_strpool_add(s->pool, code);
  p->name = p->trust_name = "Hospital";
  p->site_key = "";
  p->nation = "England";
  p->crs = slot;
  p->x = x;
  p->y = y;
  p->where.path = TRUSTS;
  p->where.row = (long)s->n + 1;
  s->rows++;
  return p;
}

static enum tm_rc run(struct tm_sites *s, struct tm_problems *probs,
                      struct tm_transforms *info)
{
  struct tm_error err = { 0 };
  enum tm_rc rc = tm_reproject_sites(s, probs, info, &err);

  if(rc)
    print_message("reproject: %s\n", err.msg);
  return rc;
}

/* ---- cs2cs ---------------------------------------------------------- */

static bool have_cs2cs(void)
{
  return system("command -v cs2cs >/dev/null 2>&1") == 0;
}

/* Runs cs2cs on n points (a b per line) and reads back n pairs. */
static void cs2cs(const char *args, const double *a, const double *b,
                  size_t n, double *outa, double *outb)
{
  char in[] = "/tmp/test_reproject_XXXXXX";
  int fd = mkstemp(in);
  FILE *f;
  char *cmd;
  size_t i;

  assert_true(fd >= 0);
  f = fdopen(fd, "w");
  assert_non_null(f);
  for(i = 0; i < n; i++)
    fprintf(f, "%.10f %.10f\n", a[i], b[i]);
  assert_int_equal(fclose(f), 0);
  cmd = tm_xasprintf("cs2cs -f %%.9f %s < %s", args, in);
  f = popen(cmd, "r");
  assert_non_null(f);
  for(i = 0; i < n; i++) {
    double z;

    if(fscanf(f, "%lf %lf %lf", &outa[i], &outb[i], &z) != 3)
      fail_msg("cs2cs gave no result for point %zu (%s)", i, cmd);
  }
  assert_int_equal(pclose(f), 0);
  unlink(in);
  free(cmd);
}

/* ---- against cs2cs -------------------------------------------------- */

static void bng_should_match_cs2cs_to_1e8_degrees(void **state)
{
  /* UCLH; Worcester; Penzance; Shetland */
  static const double e[] = { 529090, 385537, 179781, 465000 };
  static const double n[] = { 179645, 255224, 45319, 1214000 };
  double lat[4], lon[4];
  struct tm_sites *s = new_sites("EPSG:27700");
  struct tm_problems probs = { 0 };
  struct tm_transforms info;
  size_t i;

  (void)state;
  if(!have_cs2cs()) {
    tm_sites_free(s);
    print_message("cs2cs not installed (Debian: proj-bin); skipped\n");
    skip();
  }
  for(i = 0; i < 4; i++)
    add_site(s, TM_CRS_GRID, e[i], n[i]);
  assert_int_equal(run(s, &probs, &info), TM_OK);
  assert_int_equal(probs.n, 0);
  /* EPSG:4326 in cs2cs is latitude first */
  cs2cs("EPSG:27700 EPSG:4326", e, n, 4, lat, lon);
  for(i = 0; i < 4; i++) {
    assert_false(s->v[i].excluded);
    if(fabs(s->v[i].lon - lon[i]) > 1e-8 || fabs(s->v[i].lat - lat[i]) > 1e-8)
      fail_msg("point %zu: got %.9f %.9f, cs2cs %.9f %.9f", i, s->v[i].lon,
               s->v[i].lat, lon[i], lat[i]);
  }
  /* roughly where they should be, whatever the grids installed */
  assert_true(fabs(s->v[0].lat - 51.501) < 0.01);
  assert_true(fabs(s->v[0].lon - -0.1416) < 0.01);
  tm_transforms_clear(&info);
  tm_sites_free(s);
}

static void mercator_should_match_cs2cs_to_1mm(void **state)
{
  static const double lat[] = { 51.5074, 60.8, 49.9, 55.0 };
  static const double lon[] = { -0.1278, -0.8, -6.3, -7.3 };
  double mx[4], my[4];
  struct tm_sites *s = new_sites("EPSG:27700");
  struct tm_problems probs = { 0 };
  struct tm_transforms info;
  size_t i;

  (void)state;
  if(!have_cs2cs()) {
    tm_sites_free(s);
    print_message("cs2cs not installed (Debian: proj-bin); skipped\n");
    skip();
  }
  for(i = 0; i < 4; i++)
    add_site(s, TM_CRS_LONLAT, lon[i], lat[i]);
  assert_int_equal(run(s, &probs, &info), TM_OK);
  assert_int_equal(probs.n, 0);
  /* input latitude first; EPSG:3857 output is easting first */
  cs2cs("EPSG:4326 EPSG:3857", lat, lon, 4, mx, my);
  for(i = 0; i < 4; i++) {
    /* lon/lat input comes back unchanged */
    assert_true(fabs(s->v[i].lon - lon[i]) < 1e-12);
    assert_true(fabs(s->v[i].lat - lat[i]) < 1e-12);
    if(fabs(s->v[i].mx - mx[i]) > 1e-3 || fabs(s->v[i].my - my[i]) > 1e-3)
      fail_msg("point %zu: got %.4f %.4f, cs2cs %.4f %.4f", i, s->v[i].mx,
               s->v[i].my, mx[i], my[i]);
  }
  /* and the spherical formula agrees */
  assert_true(fabs(s->v[0].mx - 6378137.0 * lon[0] * M_PI / 180) < 1e-3);
  tm_transforms_clear(&info);
  tm_sites_free(s);
}

static void grid_points_should_get_mercator_too(void **state)
{
  struct tm_sites *s = new_sites("EPSG:27700");
  struct tm_problems probs = { 0 };
  struct tm_transforms info;
  const struct tm_site *p;
  double y;

  (void)state;
  add_site(s, TM_CRS_GRID, 529090, 179645);
  assert_int_equal(run(s, &probs, &info), TM_OK);
  p = &s->v[0];
  assert_true(fabs(p->mx - 6378137.0 * p->lon * M_PI / 180) < 1e-3);
  y = 6378137.0 * log(tan(M_PI / 4 + p->lat * M_PI / 360));
  assert_true(fabs(p->my - y) < 1e-3);
  tm_transforms_clear(&info);
  tm_sites_free(s);
}

/* ---- left off the map ----------------------------------------------- */

static const struct tm_problem *only_problem_on(const struct tm_problems *p,
                                               long row)
{
  const struct tm_problem *found = NULL;
  size_t i;

  for(i = 0; i < p->n; i++) {
    if(p->v[i].where.row != row)
      continue;
    assert_null(found);
    found = &p->v[i];
  }
  if(!found)
    fail_msg("no problem on row %ld", row);
  return found;
}

static void points_outside_the_uk_should_be_left_off(void **state)
{
  struct tm_sites *s = new_sites("EPSG:27700");
  struct tm_problems probs = { 0 };
  struct tm_transforms info;
  const struct tm_problem *p;

  (void)state;
  add_site(s, TM_CRS_LONLAT, -0.1278, 51.5074);   /* row 2: London */
  add_site(s, TM_CRS_LONLAT, 2.3522, 48.8566);    /* row 3: Paris */
  add_site(s, TM_CRS_LONLAT, 51.5074, -0.1278);   /* row 4: swapped */
  add_site(s, TM_CRS_GRID, 9000000, 9000000);     /* row 5: off the grid */
  add_site(s, TM_CRS_LONLAT, -2.1, 49.21);        /* row 6: Jersey */
  assert_int_equal(run(s, &probs, &info), TM_OK);

  assert_false(s->v[0].excluded);
  assert_false(s->v[4].excluded);

  p = only_problem_on(&probs, 3);
  assert_string_equal(p->kind, "outside-uk");
  assert_true(p->excludes_row);
  assert_int_equal(p->severity, TM_WARNING);
  assert_string_equal(p->where.path, TRUSTS);
  assert_string_equal(p->fix, "check the coordinates");
  assert_non_null(strstr(p->what, "outside the UK"));
  assert_true(s->v[1].excluded);

  p = only_problem_on(&probs, 4);
  assert_string_equal(p->kind, "outside-uk");
  assert_string_equal(p->fix, "latitude and longitude look swapped");
  assert_true(s->v[2].excluded);

  p = only_problem_on(&probs, 5);
  if(strcmp(p->kind, "outside-uk") && strcmp(p->kind, "cannot-reproject"))
    fail_msg("kind %s", p->kind);
  assert_true(p->excludes_row);
  assert_non_null(strstr(p->fix, "--crs"));
  assert_true(s->v[3].excluded);

  assert_int_equal(probs.n, 3);

  /* points counts only what was placed */
  assert_int_equal(info.n, 2);
  assert_string_equal(info.v[0].source, "EPSG:4326");
  assert_int_equal(info.v[0].points, 2);
  assert_string_equal(info.v[1].source, "EPSG:27700");
  assert_int_equal(info.v[1].points, 0);
  tm_transforms_clear(&info);
  tm_sites_free(s);
  tm_problems_clear(&probs);
}

static void excluded_sites_should_be_left_alone(void **state)
{
  struct tm_sites *s = new_sites("EPSG:27700");
  struct tm_problems probs = { 0 };
  struct tm_transforms info;
  struct tm_site *x;

  (void)state;
  add_site(s, TM_CRS_GRID, 529090, 179645);
  x = add_site(s, TM_CRS_GRID, 9000000, 9000000);
  x->excluded = true;
  assert_int_equal(run(s, &probs, &info), TM_OK);
  assert_int_equal(probs.n, 0);
  assert_true(s->v[1].lon == 0 && s->v[1].mx == 0);
  assert_int_equal(info.n, 1);
  assert_int_equal(info.v[0].points, 1);
  tm_transforms_clear(&info);
  tm_sites_free(s);
}

static void transform_info_should_name_operation_and_count(void **state)
{
  struct tm_sites *s = new_sites("EPSG:27700");
  struct tm_problems probs = { 0 };
  struct tm_transforms info;

  (void)state;
  add_site(s, TM_CRS_GRID, 529090, 179645);
  add_site(s, TM_CRS_GRID, 385537, 255224);
  add_site(s, TM_CRS_GRID, 179781, 45319);
  assert_int_equal(run(s, &probs, &info), TM_OK);
  assert_int_equal(info.n, 1);
  assert_string_equal(info.v[0].source, "EPSG:27700");
  assert_int_equal(info.v[0].points, 3);
  assert_non_null(info.v[0].operation);
  assert_true(strlen(info.v[0].operation) > 0);
  /* PROJ names BNG -> WGS 84 operations after the OSGB36 datum */
  if(!strstr(info.v[0].operation, "OSGB"))
    fail_msg("operation \"%s\" does not look like OSGB36 -> WGS 84",
             info.v[0].operation);
  print_message("operation: %s (accuracy %g m)\n", info.v[0].operation,
                info.v[0].accuracy);
  tm_transforms_clear(&info);
  assert_int_equal(info.n, 0);
  tm_sites_free(s);
}

static void no_sites_should_transform_nothing(void **state)
{
  struct tm_sites *s = new_sites("EPSG:27700");
  struct tm_problems probs = { 0 };
  struct tm_transforms info;

  (void)state;
  assert_int_equal(run(s, &probs, &info), TM_OK);
  assert_int_equal(info.n, 0);
  tm_sites_free(s);
}

static void unknown_crs_option_should_be_a_usage_error(void **state)
{
  struct tm_sites *s = new_sites("EPSG:999999");
  struct tm_problems probs = { 0 };
  struct tm_transforms info;
  struct tm_error err = { 0 };

  (void)state;
  add_site(s, TM_CRS_GRID, 529090, 179645);
  assert_int_equal(tm_reproject_sites(s, &probs, &info, &err), TM_USAGE);
  assert_int_equal(err.rc, TM_USAGE);
  assert_non_null(strstr(err.msg, "--crs \"EPSG:999999\""));
  assert_non_null(strstr(err.msg, "try 'trustmap --help'"));
  assert_int_equal(probs.n, 0);
  tm_transforms_clear(&info);
  tm_sites_free(s);
}

static void unknown_layer_crs_should_be_an_input_problem(void **state)
{
  struct tm_sites *s = new_sites("EPSG:27700");
  struct tm_problems probs = { 0 };
  struct tm_transforms info;
  struct tm_error err = { 0 };

  (void)state;
  s->crs[TM_CRS_TRUSTS_GEOMETRY] = "LOCAL_CS[\"nowhere\"]";
  add_site(s, TM_CRS_TRUSTS_GEOMETRY, 1, 2);
  assert_int_equal(tm_reproject_sites(s, &probs, &info, &err), TM_INPUT);
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].kind, "bad-crs");
  assert_int_equal(probs.v[0].severity, TM_ERROR);
  assert_string_equal(probs.v[0].where.path, TRUSTS);
  assert_int_equal(probs.v[0].where.row, 0);
  tm_transforms_clear(&info);
  tm_sites_free(s);
  tm_problems_clear(&probs);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(bng_should_match_cs2cs_to_1e8_degrees),
    cmocka_unit_test(mercator_should_match_cs2cs_to_1mm),
    cmocka_unit_test(grid_points_should_get_mercator_too),
    cmocka_unit_test(points_outside_the_uk_should_be_left_off),
    cmocka_unit_test(excluded_sites_should_be_left_alone),
    cmocka_unit_test(transform_info_should_name_operation_and_count),
    cmocka_unit_test(no_sites_should_transform_nothing),
    cmocka_unit_test(unknown_crs_option_should_be_a_usage_error),
    cmocka_unit_test(unknown_layer_crs_should_be_an_input_problem),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
