/* test_problems.c - the problem list: one message shape, severities, and
 * the order messages are printed in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problems.h"

static void expect_format(const struct tm_problem *pr, const char *want)
{
  char *got = tm_problem_format(pr);

  assert_string_equal(got, want);
  free(got);
}

static void error_should_format_as_path_row_what_and_fix(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where w = { "data/trusts/foi-2025-03.csv", 17 };

  (void)state;
  tm_problem_error(&probs, &w, "unknown-status", "known: a, b",
                   "status \"%s\" is not a known status", "Partly");
  assert_int_equal(probs.n, 1);
  assert_int_equal(probs.v[0].severity, TM_ERROR);
  assert_false(probs.v[0].excludes_row);
  assert_string_equal(probs.v[0].kind, "unknown-status");
  expect_format(&probs.v[0],
                "data/trusts/foi-2025-03.csv:17: error: status \"Partly\" "
                "is not a known status\n  (known: a, b)\n");
  tm_problems_clear(&probs);
}

static void warning_without_fix_should_be_one_line(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where w = { "trusts.csv", 4 };

  (void)state;
  tm_problem_note(&probs, &w, "blank-row", NULL, "%d blank rows", 3);
  assert_int_equal(probs.v[0].severity, TM_WARNING);
  assert_false(probs.v[0].excludes_row);
  assert_null(probs.v[0].fix);
  expect_format(&probs.v[0], "trusts.csv:4: warning: 3 blank rows\n");
  tm_problems_clear(&probs);
}

static void exclusion_should_be_a_warning_that_leaves_the_row_off(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where w = { "trusts.csv", 9 };

  (void)state;
  tm_problem_exclude(&probs, &w, "no-code", "fill it in", "no code");
  assert_int_equal(probs.v[0].severity, TM_WARNING);
  assert_true(probs.v[0].excludes_row);
  expect_format(&probs.v[0],
                "trusts.csv:9: warning: no code\n  (fill it in)\n");
  tm_problems_clear(&probs);
}

static void row_zero_should_omit_the_row_number(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where w = { "styles/x.json", 0 };

  (void)state;
  tm_problem_error(&probs, &w, "bad-style", "fix the key", "bad colour");
  tm_problem_error(&probs, NULL, "nothing", NULL, "no file at all");
  expect_format(&probs.v[0],
                "styles/x.json: error: bad colour\n  (fix the key)\n");
  /* No file: the message still has a source. */
  expect_format(&probs.v[1], "trustmap: error: no file at all\n");
  tm_problems_clear(&probs);
}

static void problem_should_own_its_strings(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where w = { "a.csv", 2 };
  char kind[16] = "some-kind", fix[16] = "some fix", arg[16] = "value";

  (void)state;
  tm_problem_error(&probs, &w, kind, fix, "what %s", arg);
  memset(kind, 'X', sizeof(kind) - 1);
  memset(fix, 'X', sizeof(fix) - 1);
  memset(arg, 'X', sizeof(arg) - 1);
  assert_string_equal(probs.v[0].kind, "some-kind");
  assert_string_equal(probs.v[0].fix, "some fix");
  assert_string_equal(probs.v[0].what, "what value");
  tm_problems_clear(&probs);
}

static void long_messages_should_not_be_cut(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where w = { "a.csv", 2 };
  char *text = tm_xmalloc(3001), *got;

  (void)state;
  memset(text, 'n', 3000);
  text[3000] = '\0';
  tm_problem_error(&probs, &w, "k", NULL, "name %s end", text);
  assert_int_equal(strlen(probs.v[0].what), 3009);
  got = tm_problem_format(&probs.v[0]);
  assert_int_equal(strlen(got), strlen("a.csv:2: error: ") + 3009 + 1);
  free(got);
  free(text);
  tm_problems_clear(&probs);
}

static void count_should_split_errors_and_warnings(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where w = { "a.csv", 2 };
  int i;

  (void)state;
  assert_int_equal(tm_problems_count(&probs, TM_ERROR), 0);
  for(i = 0; i < 40; i++) {
    if(i % 4 == 0)
      tm_problem_error(&probs, &w, "e", NULL, "error %d", i);
    else if(i % 4 == 1)
      tm_problem_exclude(&probs, &w, "x", NULL, "left off %d", i);
    else
      tm_problem_note(&probs, &w, "n", NULL, "note %d", i);
  }
  assert_int_equal(probs.n, 40);
  assert_int_equal(tm_problems_count(&probs, TM_ERROR), 10);
  assert_int_equal(tm_problems_count(&probs, TM_WARNING), 30);
  tm_problems_clear(&probs);
  assert_int_equal(probs.n, 0);
  assert_null(probs.v);
}

/* Files in the order first seen (not by name), then rows; problems of one
 * row keep the order they were found in. */
static void sort_should_order_by_file_seen_then_row_stably(void **state)
{
  struct tm_problems probs = { 0 };
  /* Separate buffers: files are compared by name, not by pointer. */
  char foi1[] = "foi.csv", foi2[] = "foi.csv";
  struct tm_where f5 = { foi1, 5 }, f2 = { foi2, 2 };
  struct tm_where t3 = { "trusts.csv", 3 }, t1 = { "trusts.csv", 1 };
  struct tm_where s0 = { "style.json", 0 };
  static const char *const want[] = {
    "foi 2", "foi 5a", "foi 5b", "foi 5c", "trusts 1", "trusts 3a",
    "trusts 3b", "style"
  };
  size_t i;

  (void)state;
  tm_problem_note(&probs, &f5, "k", NULL, "foi 5a");
  tm_problem_error(&probs, &t3, "k", NULL, "trusts 3a");
  tm_problem_exclude(&probs, &f5, "k", NULL, "foi 5b");
  tm_problem_note(&probs, &s0, "k", NULL, "style");
  tm_problem_error(&probs, &f2, "k", NULL, "foi 2");
  tm_problem_note(&probs, &t3, "k", NULL, "trusts 3b");
  tm_problem_error(&probs, &f5, "k", NULL, "foi 5c");
  tm_problem_error(&probs, &t1, "k", NULL, "trusts 1");
  tm_problems_sort(&probs);
  assert_int_equal(probs.n, TM_ARRAY_LEN(want));
  for(i = 0; i < TM_ARRAY_LEN(want); i++)
    assert_string_equal(probs.v[i].what, want[i]);
  tm_problems_clear(&probs);
}

/* qsort is not stable; many problems on one row must keep their order. */
static void sort_should_keep_order_of_many_on_one_row(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where a = { "a.csv", 7 }, b = { "a.csv", 3 };
  size_t i;

  (void)state;
  for(i = 0; i < 500; i++)
    tm_problem_note(&probs, i % 3 ? &a : &b, "k", NULL, "%zu", i);
  tm_problems_sort(&probs);
  for(i = 1; i < probs.n; i++) {
    long r0 = probs.v[i - 1].where.row, r1 = probs.v[i].where.row;

    assert_true(r0 <= r1);
    if(r0 == r1)
      assert_true(atoi(probs.v[i - 1].what) < atoi(probs.v[i].what));
  }
  assert_int_equal(probs.v[0].where.row, 3);
  assert_int_equal(probs.v[499].where.row, 7);
  tm_problems_clear(&probs);
}

static void sort_should_group_problems_without_a_file(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where a = { "a.csv", 2 };

  (void)state;
  tm_problem_error(&probs, NULL, "k", NULL, "none 1");
  tm_problem_error(&probs, &a, "k", NULL, "a");
  tm_problem_error(&probs, NULL, "k", NULL, "none 2");
  tm_problems_sort(&probs);
  assert_string_equal(probs.v[0].what, "none 1");
  assert_string_equal(probs.v[1].what, "none 2");
  assert_string_equal(probs.v[2].what, "a");
  tm_problems_clear(&probs);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(error_should_format_as_path_row_what_and_fix),
    cmocka_unit_test(warning_without_fix_should_be_one_line),
    cmocka_unit_test(exclusion_should_be_a_warning_that_leaves_the_row_off),
    cmocka_unit_test(row_zero_should_omit_the_row_number),
    cmocka_unit_test(problem_should_own_its_strings),
    cmocka_unit_test(long_messages_should_not_be_cut),
    cmocka_unit_test(count_should_split_errors_and_warnings),
    cmocka_unit_test(sort_should_order_by_file_seen_then_row_stably),
    cmocka_unit_test(sort_should_keep_order_of_many_on_one_row),
    cmocka_unit_test(sort_should_group_problems_without_a_file),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
