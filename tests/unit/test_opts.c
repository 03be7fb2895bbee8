/* test_opts.c - the command line: defaults, every option form, and usage
 * errors that end by pointing at --help; --shard K/N and the merge
 * command's folders.
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
  assert_int_equal(o.shard_k, 0);
  assert_int_equal(o.shard_n, 0);
  assert_int_equal(o.n_shard_dirs, 0);
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

static void shard_should_read_k_of_n(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  assert_int_equal(parse_args(&o, &err, "build", "--shard", "2/4",
                              "--maxzoom", "8", NULL), TM_OK);
  assert_int_equal(o.mode, TM_MODE_BUILD);
  assert_int_equal(o.shard_k, 2);
  assert_int_equal(o.shard_n, 4);
  assert_int_equal(parse_args(&o, &err, "build", "--shard=4/4", NULL),
                   TM_OK);
  assert_int_equal(o.shard_k, 4);
  assert_int_equal(o.shard_n, 4);
  assert_int_equal(parse_args(&o, &err, "build", "--shard", "1/1", NULL),
                   TM_OK);
  assert_int_equal(o.shard_k, 1);
  assert_int_equal(o.shard_n, 1);
  assert_int_equal(parse_args(&o, &err, "build", "--shard", "1024/1024",
                              NULL), TM_OK);
  assert_int_equal(o.shard_n, TM_SHARD_MAX);
  assert_non_null(strstr(tm_opts_usage(), "--shard K/N"));
  assert_non_null(strstr(tm_opts_usage(), "trustmap merge    [options] "
                         "SHARD_DIR..."));
}

static void bad_shard_should_be_refused(void **state)
{
  static const char *const bad[] = {
    "5/4", "0/4", "4", "4/", "/4", "a/b", "1/0", "2/4/6", " 2/4", "+2/4",
    "2/-4", "2 /4", "2/4 ", "1.5/4", "", "99999999999999999999/4"
  };
  struct tm_opts o;
  struct tm_error err;
  size_t i;

  (void)state;
  expect_usage(parse_args(&o, &err, "build", "--shard", "5/4", NULL), &err,
               "--shard wants K/N with 1 <= K <= N, not \"5/4\"");
  for(i = 0; i < TM_ARRAY_LEN(bad); i++) {
    enum tm_rc rc = parse_args(&o, &err, "build", "--shard", bad[i], NULL);

    if(rc != TM_USAGE)
      fail_msg("--shard \"%s\" was accepted", bad[i]);
    ends_with_help_hint(&err);
  }
  expect_usage(parse_args(&o, &err, "build", "--shard", "3/2000", NULL),
               &err, "at most 1024 shards");
  expect_usage(parse_args(&o, &err, "build", "--shard", NULL), &err,
               "missing value after \"--shard\"");
  /* Only builds that make tiles can be split. */
  expect_usage(parse_args(&o, &err, "validate", "--shard", "1/2", NULL),
               &err, "drop --shard");
  expect_usage(parse_args(&o, &err, "build", "--no-tiles", "--shard", "1/2",
                          NULL), &err, "--no-tiles");
}

static void merge_should_take_the_shard_folders(void **state)
{
  struct tm_opts o;
  struct tm_error err;

  (void)state;
  /* Folders may come before, between and after the options. */
  assert_int_equal(parse_args(&o, &err, "merge", "shards/1", "--maxzoom",
                              "8", "shards/2", "--out", "site", "shards/3",
                              "-q", "shards/4", NULL), TM_OK);
  assert_int_equal(o.mode, TM_MODE_MERGE);
  assert_int_equal(o.n_shard_dirs, 4);
  assert_string_equal(o.shard_dirs[0], "shards/1");
  assert_string_equal(o.shard_dirs[1], "shards/2");
  assert_string_equal(o.shard_dirs[2], "shards/3");
  assert_string_equal(o.shard_dirs[3], "shards/4");
  assert_string_equal(o.out_dir, "site");
  assert_int_equal(o.maxzoom, 8);
  assert_true(o.quiet);
  assert_int_equal(o.shard_n, 0);
  /* After "--" every argument is a folder, even one named like an
   * option. */
  assert_int_equal(parse_args(&o, &err, "merge", "--out", "site", "--",
                              "--odd", "-x", NULL), TM_OK);
  assert_int_equal(o.n_shard_dirs, 2);
  assert_string_equal(o.shard_dirs[0], "--odd");
  assert_string_equal(o.shard_dirs[1], "-x");
  assert_string_equal(o.out_dir, "site");
}

static void merge_should_be_refused_without_folders_or_with_shard(void **st)
{
  struct tm_opts o;
  struct tm_error err;
  char **argv = tm_xcalloc(TM_SHARD_MAX + 4, sizeof(*argv));
  int i;

  (void)st;
  expect_usage(parse_args(&o, &err, "merge", "--out", "site", NULL), &err,
               "merge wants the shards' folders");
  expect_usage(parse_args(&o, &err, "merge", "--shard", "1/2", "s1", NULL),
               &err, "not --shard");
  expect_usage(parse_args(&o, &err, "merge", "--no-tiles", "s1", NULL),
               &err, "--no-tiles");
  /* At most TM_SHARD_MAX folders. */
  argv[0] = (char *)"trustmap";
  argv[1] = (char *)"merge";
  for(i = 0; i < TM_SHARD_MAX + 1; i++)
    argv[i + 2] = (char *)"s";
  memset(&err, 0, sizeof(err));
  expect_usage(tm_opts_parse(TM_SHARD_MAX + 3, argv, &o, &err), &err,
               "at most 1024 shard folders");
  assert_int_equal(tm_opts_parse(TM_SHARD_MAX + 2, argv, &o, &err),
                   TM_OK);
  assert_int_equal(o.n_shard_dirs, TM_SHARD_MAX);
  free(argv);
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
    cmocka_unit_test(shard_should_read_k_of_n),
    cmocka_unit_test(bad_shard_should_be_refused),
    cmocka_unit_test(merge_should_take_the_shard_folders),
    cmocka_unit_test(merge_should_be_refused_without_folders_or_with_shard),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
