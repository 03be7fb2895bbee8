/* test_columns.c - finding the columns each role needs: synonyms from real
 * exports, overrides by name and by #N, and the problems when a named
 * column is missing or a header repeats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"

/* A header-only table: columns matter here, rows do not. */
static struct tm_table *header(const char *path, const char *const *names)
{
  struct tm_table *t = tm_xcalloc(1, sizeof(*t));
  size_t i;

  t->path = path;
  t->pool = tm_strpool_new();
  while(names[t->ncols])
    t->ncols++;
  t->colnames = tm_xcalloc(t->ncols, sizeof(*t->colnames));
  for(i = 0; i < t->ncols; i++)
    t->colnames[i] = tm_strpool_add(t->pool, names[i]);
  t->cells = tm_xcalloc(1, sizeof(*t->cells));
  t->rownum = tm_xcalloc(1, sizeof(*t->rownum));
  return t;
}

static void resolve(const char *const *names, enum tm_file_role role,
                    const char *const *overrides, struct tm_problems *probs,
                    struct tm_colmap *m)
{
  struct tm_table *t = header("t.csv", names);

  tm_columns_resolve(t, role, overrides, probs, m);
  tm_table_free(t);
}

static void nhs_export_header_should_map_to_its_roles(void **state)
{
  static const char *const names[] = {
    "OrganisationID", "OrganisationCode", "OrganisationType", "SubType",
    "Sector", "OrganisationStatus", "IsPimsManaged", "OrganisationName",
    "Address1", "City", "County", "Postcode", "Latitude", "Longitude",
    "ParentODSCode", "ParentName", "Phone", "Email", "Website", "Fax", NULL
  };
  struct tm_problems probs = { 0 };
  struct tm_colmap m;

  (void)state;
  resolve(names, TM_FILE_TRUSTS, NULL, &probs, &m);
  assert_int_equal(m.idx[TM_COL_CODE], 1);
  assert_int_equal(m.idx[TM_COL_NAME], 7);
  assert_int_equal(m.idx[TM_COL_POSTCODE], 11);
  assert_int_equal(m.idx[TM_COL_LAT], 12);
  assert_int_equal(m.idx[TM_COL_LON], 13);
  assert_int_equal(m.idx[TM_COL_PARENT_CODE], 14);
  assert_int_equal(m.idx[TM_COL_PARENT_NAME], 15);
  assert_int_equal(m.idx[TM_COL_SITE_CODE], -1);
  assert_int_equal(m.idx[TM_COL_SITE_NAME], -1);
  assert_int_equal(m.idx[TM_COL_EASTING], -1);
  assert_int_equal(m.idx[TM_COL_NATION], -1);
  /* a trusts file has no status or notes */
  assert_int_equal(m.idx[TM_COL_STATUS], -1);
  assert_int_equal(m.idx[TM_COL_NOTES], -1);
  assert_int_equal(probs.n, 0);
}

static void punctuation_and_case_should_not_matter(void **state)
{
  static const char *const names[] = {
    "ODS Code", "Trust_Name", "SITE-NAME", "Post-Code", "X", "Y", "Nation ",
    NULL
  };
  struct tm_problems probs = { 0 };
  struct tm_colmap m;

  (void)state;
  resolve(names, TM_FILE_TRUSTS, NULL, &probs, &m);
  assert_int_equal(m.idx[TM_COL_CODE], 0);
  assert_int_equal(m.idx[TM_COL_NAME], 1);
  assert_int_equal(m.idx[TM_COL_SITE_NAME], 2);
  assert_int_equal(m.idx[TM_COL_POSTCODE], 3);
  assert_int_equal(m.idx[TM_COL_EASTING], 4);
  assert_int_equal(m.idx[TM_COL_NORTHING], 5);
  assert_int_equal(m.idx[TM_COL_NATION], 6);
  assert_int_equal(m.idx[TM_COL_LAT], -1);
  assert_int_equal(probs.n, 0);
}

static void earlier_synonym_should_win(void **state)
{
  static const char *const names[] = {
    "organisation_code", "code", "lat", "Latitude", NULL
  };
  struct tm_problems probs = { 0 };
  struct tm_colmap m;

  (void)state;
  resolve(names, TM_FILE_TRUSTS, NULL, &probs, &m);
  assert_int_equal(m.idx[TM_COL_CODE], 1);
  assert_int_equal(m.idx[TM_COL_LAT], 3);
  tm_problems_clear(&probs);
}

static void foi_file_should_look_only_for_its_roles(void **state)
{
  static const char *const names[] = {
    "Trust", "Code", "Response", "Comments", "Latitude", NULL
  };
  struct tm_problems probs = { 0 };
  struct tm_colmap m;

  (void)state;
  resolve(names, TM_FILE_FOI, NULL, &probs, &m);
  assert_int_equal(m.idx[TM_COL_CODE], 1);
  assert_int_equal(m.idx[TM_COL_STATUS], 2);
  assert_int_equal(m.idx[TM_COL_NOTES], 3);
  assert_int_equal(m.idx[TM_COL_NAME], -1);
  assert_int_equal(m.idx[TM_COL_LAT], -1);
  assert_int_equal(probs.n, 0);
}

static void postcode_file_should_read_ons_names(void **state)
{
  static const char *const names[] = {
    "pcd", "pcd2", "pcds", "oseast1m", "osnrth1m", "lat", "long", NULL
  };
  struct tm_problems probs = { 0 };
  struct tm_colmap m;

  (void)state;
  resolve(names, TM_FILE_POSTCODES, NULL, &probs, &m);
  assert_int_equal(m.idx[TM_COL_POSTCODE], 0);
  assert_int_equal(m.idx[TM_COL_EASTING], 3);
  assert_int_equal(m.idx[TM_COL_NORTHING], 4);
  assert_int_equal(m.idx[TM_COL_LAT], 5);
  assert_int_equal(m.idx[TM_COL_LON], 6);
  assert_int_equal(m.idx[TM_COL_CODE], -1);
  assert_int_equal(probs.n, 0);
}

static void override_by_name_should_ignore_case(void **state)
{
  static const char *const names[] = {
    "Kennung", "Name", "Breite", "Laenge", "Latitude", NULL
  };
  const char *ov[TM_COL_COUNT] = { 0 };
  struct tm_problems probs = { 0 };
  struct tm_colmap m;

  (void)state;
  ov[TM_COL_CODE] = "kennung";
  ov[TM_COL_LAT] = "BREITE";
  ov[TM_COL_LON] = "Laenge";
  resolve(names, TM_FILE_TRUSTS, ov, &probs, &m);
  assert_int_equal(m.idx[TM_COL_CODE], 0);
  assert_int_equal(m.idx[TM_COL_NAME], 1);
  assert_int_equal(m.idx[TM_COL_LAT], 2);  /* not "Latitude" */
  assert_int_equal(m.idx[TM_COL_LON], 3);
  assert_int_equal(probs.n, 0);
}

static void override_by_number_should_pick_that_column(void **state)
{
  static const char *const names[] = { "", "", "", NULL };
  const char *ov[TM_COL_COUNT] = { 0 };
  struct tm_problems probs = { 0 };
  struct tm_colmap m;

  (void)state;
  ov[TM_COL_POSTCODE] = "#1";
  ov[TM_COL_EASTING] = "#2";
  ov[TM_COL_NORTHING] = "#3";
  resolve(names, TM_FILE_POSTCODES, ov, &probs, &m);
  assert_int_equal(m.idx[TM_COL_POSTCODE], 0);
  assert_int_equal(m.idx[TM_COL_EASTING], 1);
  assert_int_equal(m.idx[TM_COL_NORTHING], 2);
  assert_int_equal(probs.n, 0);
}

/* A column given to one role by the user is never taken by a synonym for
 * another role. */
static void override_should_keep_its_column_from_synonyms(void **state)
{
  static const char *const names[] = { "code", "name", "site", NULL };
  const char *ov[TM_COL_COUNT] = { 0 };
  struct tm_problems probs = { 0 };
  struct tm_colmap m;

  (void)state;
  ov[TM_COL_NAME] = "code";
  ov[TM_COL_CODE] = "site";
  resolve(names, TM_FILE_TRUSTS, ov, &probs, &m);
  assert_int_equal(m.idx[TM_COL_NAME], 0);
  assert_int_equal(m.idx[TM_COL_CODE], 2);
  assert_int_equal(m.idx[TM_COL_SITE_NAME], -1);
  assert_int_equal(probs.n, 0);
}

static void override_naming_missing_column_should_be_an_error(void **state)
{
  static const char *const names[] = { "Code", "Name", "Lat", "Lon", NULL };
  const char *ov[TM_COL_COUNT] = { 0 };
  struct tm_problems probs = { 0 };
  struct tm_colmap m;

  (void)state;
  ov[TM_COL_LAT] = "Breite";
  ov[TM_COL_EASTING] = "#5";
  resolve(names, TM_FILE_TRUSTS, ov, &probs, &m);
  assert_int_equal(probs.n, 2);
  assert_int_equal(probs.v[0].severity, TM_ERROR);
  assert_string_equal(probs.v[0].kind, "missing-column");
  assert_string_equal(probs.v[0].where.path, "t.csv");
  assert_int_equal(probs.v[0].where.row, 1);
  assert_string_equal(probs.v[0].what,
                      "--col trusts.lat names column \"Breite\", which the "
                      "file does not have");
  assert_non_null(strstr(probs.v[0].fix, "Code, Name, Lat, Lon"));
  assert_string_equal(probs.v[1].kind, "missing-column");
  assert_non_null(strstr(probs.v[1].what, "\"#5\""));
  /* the role named stays unresolved rather than guessed */
  assert_int_equal(m.idx[TM_COL_LAT], -1);
  assert_int_equal(m.idx[TM_COL_EASTING], -1);
  assert_int_equal(m.idx[TM_COL_LON], 3);
  tm_problems_clear(&probs);
}

static void duplicate_header_should_be_a_note(void **state)
{
  static const char *const names[] = {
    "Code", "Name", "Latitude", "Longitude", "latitude", "", "", NULL
  };
  struct tm_problems probs = { 0 };
  struct tm_colmap m;

  (void)state;
  resolve(names, TM_FILE_TRUSTS, NULL, &probs, &m);
  assert_int_equal(probs.n, 1);
  assert_int_equal(probs.v[0].severity, TM_WARNING);
  assert_false(probs.v[0].excludes_row);
  assert_string_equal(probs.v[0].kind, "duplicate-column");
  assert_int_equal(probs.v[0].where.row, 1);
  assert_string_equal(probs.v[0].what,
                      "column \"latitude\" (column 5) repeats \"Latitude\" "
                      "(column 3); only the first is read");
  assert_int_equal(m.idx[TM_COL_LAT], 2);
  tm_problems_clear(&probs);
}

static void names_should_round_trip(void **state)
{
  enum tm_col c;
  enum tm_file_role f;
  int i;

  (void)state;
  for(i = 0; i < TM_COL_COUNT; i++) {
    assert_true(tm_col_from_name(tm_col_name((enum tm_col)i), &c));
    assert_int_equal(c, i);
  }
  assert_true(tm_col_from_name("latitude", &c));
  assert_int_equal(c, TM_COL_LAT);
  assert_false(tm_col_from_name("Lat", &c));
  for(i = 0; i < TM_FILE_COUNT; i++) {
    assert_true(tm_file_role_from_name(
                  tm_file_role_name((enum tm_file_role)i), &f));
    assert_int_equal(f, i);
  }
  assert_false(tm_file_role_from_name("sites", &f));
  assert_string_equal(tm_col_name(TM_COL_PARENT_CODE), "parent_code");
  assert_non_null(strstr(tm_col_synonyms_text(TM_COL_CODE), "ods_code"));
}

static void column_list_should_show_blank_names(void **state)
{
  static const char *const names[] = { "A", "", "C", NULL };
  static const char *const none[] = { NULL };
  struct tm_table *t = header("t.csv", names);
  char *s = tm_columns_list(t);

  (void)state;
  assert_string_equal(s, "A, (blank), C");
  free(s);
  tm_table_free(t);
  t = header("t.csv", none);
  s = tm_columns_list(t);
  assert_string_equal(s, "");
  free(s);
  tm_table_free(t);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(nhs_export_header_should_map_to_its_roles),
    cmocka_unit_test(punctuation_and_case_should_not_matter),
    cmocka_unit_test(earlier_synonym_should_win),
    cmocka_unit_test(foi_file_should_look_only_for_its_roles),
    cmocka_unit_test(postcode_file_should_read_ons_names),
    cmocka_unit_test(override_by_name_should_ignore_case),
    cmocka_unit_test(override_by_number_should_pick_that_column),
    cmocka_unit_test(override_should_keep_its_column_from_synonyms),
    cmocka_unit_test(override_naming_missing_column_should_be_an_error),
    cmocka_unit_test(duplicate_header_should_be_a_note),
    cmocka_unit_test(names_should_round_trip),
    cmocka_unit_test(column_list_should_show_blank_names),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
