/* test_opts.c - the command line: defaults, every option form, and usage
 * errors that end by pointing at --help.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#define HELP_HINT "try 'trustmap --help'"

/* Parses a NULL-terminated list of arguments after "trustmap". */
static enum tm_rc parse_args(struct tm_opts *o, struct tm_error *err, ...)
{
  char *argv[64];
  int argc = 0;
  va_list ap;
  char *a;

  argv[argc++] = (char *)"trustmap";
  va_start(ap, err);
  while((a = va_arg(ap, char *)) && argc < 63)
    argv[argc++] = a;
  va_end(ap);
  argv[argc] = NULL;
  memset(err, 0, sizeof(*err));
  return tm_opts_parse(argc, argv, o, err);
}

static void ends_with_help_hint(const struct tm_error *err)
{
  size_t n = strlen(err->msg), k = strlen(HELP_HINT);

  if(n < k || strcmp(err->msg + n - k, HELP_HINT))
    fail_msg("message does not end with the help hint: %s", err->msg);
}

/* Expects a usage error whose message contains part. */
static void expect_usage(enum tm_rc rc, const struct tm_error *err,
                         const char *part)
{
  assert_int_equal(rc, TM_USAGE);
  assert_int_equal(err->rc, TM_USAGE);
  if(!strstr(err->msg, part))
    fail_msg("message \"%s\" lacks \"%s\"", err->msg, part);
  ends_with_help_hint(err);
}

static void build_alone_should_use_the_sample_and_defaults(void **state)
{
  struct tm_opts o;
  struct tm_error err;
  int f, c;

  (void)state;
  assert_int_equal(parse_args(&o, &err, "build", NULL), TM_OK);
  assert_int_equal(o.mode, TM_MODE_BUILD);
  assert_string_equal(o.file[TM_FILE_TRUSTS].path, TM_DEFAULT_TRUSTS);
  assert_string_equal(o.file[TM_FILE_FOI].path, TM_DEFAULT_FOI);
  assert_string_equal(o.file[TM_FILE_TRUSTS].path,
                      "data/trusts/trusts.csv");
  assert_null(o.file[TM_FILE_POSTCODES].path);
  assert_null(o.style_path);  /* styles/default.json or the built-in copy */
  assert_string_equal(o.out_dir, "out");
  assert_string_equal(o.crs, "EPSG:27700");
  assert_null(o.round);
  assert_null(o.base_layer);
  assert_int_equal(o.minzoom, -1);
  assert_int_equal(o.maxzoom, -1);
  assert_true(o.retina);
  assert_int_equal(o.jobs, 0);
  assert_false(o.strict);
  assert_false(o.quiet);
  for(f = 0; f < TM_FILE_COUNT; f++) {
    assert_false(o.file[f].no_header);
    assert_null(o.file[f].layer);
    for(c = 0; c < TM_COL_COUNT; c++)
      assert_null(o.file[f].cols[c]);
  }
}

static void validate_should_set_its_mode(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  assert_int_equal(parse_args(&o, &err, "validate", "--trusts", "t.csv",
                              "--foi", "f.csv", NULL), TM_OK);
  assert_int_equal(o.mode, TM_MODE_VALIDATE);
  assert_string_equal(o.file[TM_FILE_TRUSTS].path, "t.csv");
  assert_string_equal(o.file[TM_FILE_FOI].path, "f.csv");
}

static void help_and_version_should_stop_parsing(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  assert_int_equal(parse_args(&o, &err, "--help", NULL), TM_OK);
  assert_int_equal(o.mode, TM_MODE_HELP);
  assert_int_equal(parse_args(&o, &err, "--version", NULL), TM_OK);
  assert_int_equal(o.mode, TM_MODE_VERSION);
  /* --help wins over anything wrong after it */
  assert_int_equal(parse_args(&o, &err, "build", "--help", "--bogus", NULL),
                   TM_OK);
  assert_int_equal(o.mode, TM_MODE_HELP);
  assert_non_null(strstr(tm_opts_usage(), "--col FILE.ROLE=COLUMN"));
}

static void every_option_should_be_read(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  assert_int_equal(parse_args(&o, &err, "build", "--trusts", "t.xlsx",
                              "--foi", "foi-2025-03.csv", "--postcodes",
                              "pc.csv", "--style", "s.json", "--round",
                              "March 2025", "--crs", "EPSG:29903", "--out",
                              "site/map", "--minzoom", "5", "--maxzoom", "12",
                              "--no-retina", "--base-layer", "none",
                              "--jobs", "4", "--strict", "--quiet", NULL),
                   TM_OK);
  assert_string_equal(o.file[TM_FILE_TRUSTS].path, "t.xlsx");
  assert_string_equal(o.file[TM_FILE_FOI].path, "foi-2025-03.csv");
  assert_string_equal(o.file[TM_FILE_POSTCODES].path, "pc.csv");
  assert_string_equal(o.style_path, "s.json");
  assert_string_equal(o.round, "March 2025");
  assert_string_equal(o.crs, "EPSG:29903");
  assert_string_equal(o.out_dir, "site/map");
  assert_int_equal(o.minzoom, 5);
  assert_int_equal(o.maxzoom, 12);
  assert_false(o.retina);
  assert_string_equal(o.base_layer, "none");
  assert_int_equal(o.jobs, 4);
  assert_true(o.strict);
  assert_true(o.quiet);
}

static void equals_form_should_work_like_a_separate_value(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  assert_int_equal(parse_args(&o, &err, "build", "--trusts=t.csv",
                              "--foi=f.csv", "--out=o=1", "--maxzoom=9",
                              "--col=trusts.lat=Breite", NULL), TM_OK);
  assert_string_equal(o.file[TM_FILE_TRUSTS].path, "t.csv");
  assert_string_equal(o.file[TM_FILE_FOI].path, "f.csv");
  assert_string_equal(o.out_dir, "o=1");  /* only the first '=' splits */
  assert_int_equal(o.maxzoom, 9);
  assert_string_equal(o.file[TM_FILE_TRUSTS].cols[TM_COL_LAT], "Breite");
}

static void col_should_name_a_column_per_file_and_role(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  assert_int_equal(parse_args(&o, &err, "build", "--col", "trusts.lat=Breite",
                              "--col", "trusts.lon=Laenge", "--col",
                              "postcodes.easting=#2", "--col",
                              "foi.status=Antwort (2025)", "--col",
                              "trusts.longitude=Lng", NULL), TM_OK);
  assert_string_equal(o.file[TM_FILE_TRUSTS].cols[TM_COL_LAT], "Breite");
  /* the later --col for the same role wins */
  assert_string_equal(o.file[TM_FILE_TRUSTS].cols[TM_COL_LON], "Lng");
  assert_string_equal(o.file[TM_FILE_POSTCODES].cols[TM_COL_EASTING], "#2");
  assert_string_equal(o.file[TM_FILE_FOI].cols[TM_COL_STATUS],
                      "Antwort (2025)");
  assert_null(o.file[TM_FILE_FOI].cols[TM_COL_LAT]);
}

static void no_header_and_layer_should_apply_to_their_file(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  assert_int_equal(parse_args(&o, &err, "build", "--no-header", "postcodes",
                              "--layer", "trusts=Sites 2025", "--layer=foi=R1",
                              NULL), TM_OK);
  assert_true(o.file[TM_FILE_POSTCODES].no_header);
  assert_false(o.file[TM_FILE_TRUSTS].no_header);
  assert_string_equal(o.file[TM_FILE_TRUSTS].layer, "Sites 2025");
  assert_string_equal(o.file[TM_FILE_FOI].layer, "R1");
  assert_null(o.file[TM_FILE_POSTCODES].layer);
}

static void unknown_option_should_point_at_help(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  expect_usage(parse_args(&o, &err, "build", "--colour", "red", NULL), &err,
               "unknown option");
  assert_non_null(strstr(err.msg, "--colour"));
  expect_usage(parse_args(&o, &err, "build", "--strict=yes", NULL), &err,
               "unknown option");
  expect_usage(parse_args(&o, &err, "build", "extra", NULL), &err,
               "unexpected argument \"extra\"");
  expect_usage(parse_args(&o, &err, "build",
                          "--a-very-long-option-name-that-is-unknown", NULL),
               &err, "unknown option");
}

static void unknown_or_missing_command_should_point_at_help(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  expect_usage(parse_args(&o, &err, "publish", NULL), &err,
               "unknown command \"publish\"");
  expect_usage(parse_args(&o, &err, NULL), &err, "no command");
}

static void foi_without_trusts_should_be_refused(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  expect_usage(parse_args(&o, &err, "build", "--foi", "f.csv", NULL), &err,
               "--foi given without --trusts");
  expect_usage(parse_args(&o, &err, "build", "--trusts", "t.csv", NULL), &err,
               "--trusts given without --foi");
}

static void minzoom_above_maxzoom_should_be_refused(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  expect_usage(parse_args(&o, &err, "build", "--minzoom", "10", "--maxzoom",
                          "6", NULL), &err,
               "--minzoom 10 is above --maxzoom 6");
  assert_int_equal(parse_args(&o, &err, "build", "--minzoom", "7",
                              "--maxzoom", "7", NULL), TM_OK);
}

static void bad_numbers_should_be_refused(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  expect_usage(parse_args(&o, &err, "build", "--jobs", "0", NULL), &err,
               "--jobs wants a whole number from 1 to 1024, not \"0\"");
  expect_usage(parse_args(&o, &err, "build", "--jobs", "many", NULL), &err,
               "--jobs");
  expect_usage(parse_args(&o, &err, "build", "--maxzoom", "23", NULL), &err,
               "--maxzoom wants a whole number from 0 to 22");
  expect_usage(parse_args(&o, &err, "build", "--minzoom=-1", NULL), &err,
               "--minzoom");
  expect_usage(parse_args(&o, &err, "build", "--minzoom", "4.5", NULL), &err,
               "--minzoom");
}

static void missing_or_empty_values_should_be_refused(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  expect_usage(parse_args(&o, &err, "build", "--out", NULL), &err,
               "missing value after \"--out\"");
  expect_usage(parse_args(&o, &err, "build", "--out=", NULL), &err,
               "empty value");
  expect_usage(parse_args(&o, &err, "build", "--trusts", "", "--foi", "f",
                          NULL), &err, "empty value");
  /* An empty round is allowed: it means "not named". */
  assert_int_equal(parse_args(&o, &err, "build", "--round", "", NULL), TM_OK);
  assert_string_equal(o.round, "");
}

static void bad_col_and_layer_should_be_refused(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  expect_usage(parse_args(&o, &err, "build", "--col", "lat=Breite", NULL),
               &err, "--col wants FILE.ROLE=COLUMN");
  expect_usage(parse_args(&o, &err, "build", "--col", "sites.lat=B", NULL),
               &err, "unknown file");
  expect_usage(parse_args(&o, &err, "build", "--col", "trusts.height=H",
                          NULL), &err, "unknown role");
  expect_usage(parse_args(&o, &err, "build", "--col", "trusts.lat=", NULL),
               &err, "no column named");
  expect_usage(parse_args(&o, &err, "build", "--layer", "trusts", NULL),
               &err, "--layer wants FILE=NAME");
  expect_usage(parse_args(&o, &err, "build", "--layer", "sites=S", NULL),
               &err, "unknown file");
  expect_usage(parse_args(&o, &err, "build", "--no-header", "sites", NULL),
               &err, "--no-header");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(build_alone_should_use_the_sample_and_defaults),
    cmocka_unit_test(validate_should_set_its_mode),
    cmocka_unit_test(help_and_version_should_stop_parsing),
    cmocka_unit_test(every_option_should_be_read),
    cmocka_unit_test(equals_form_should_work_like_a_separate_value),
    cmocka_unit_test(col_should_name_a_column_per_file_and_role),
    cmocka_unit_test(no_header_and_layer_should_apply_to_their_file),
    cmocka_unit_test(unknown_option_should_point_at_help),
    cmocka_unit_test(unknown_or_missing_command_should_point_at_help),
    cmocka_unit_test(foi_without_trusts_should_be_refused),
    cmocka_unit_test(minzoom_above_maxzoom_should_be_refused),
    cmocka_unit_test(bad_numbers_should_be_refused),
    cmocka_unit_test(missing_or_empty_values_should_be_refused),
    cmocka_unit_test(bad_col_and_layer_should_be_refused),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
