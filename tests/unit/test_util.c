/* test_util.c - number parsing, code normalisation, UTF-8 checking and the
 * string pool: the helpers every stage trusts to be locale-independent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- tm_parse_double ------------------------------------------------ */

static void expect_double(const char *text, double want)
{
  double v = -12345.0;

  if(!tm_parse_double(text, &v))
    fail_msg("\"%s\" was refused", text);
  if(v != want)
    fail_msg("\"%s\" gave %.17g, expected %.17g", text, v, want);
}

static void expect_refused(const char *text)
{
  double v = -12345.0;

  if(tm_parse_double(text, &v))
    fail_msg("\"%s\" was accepted as %.17g", text, v);
  /* A refused value leaves the output alone. */
  assert_true(v == -12345.0);
}

static void parse_double_should_allow_surrounding_spaces(void **state)
{
  (void)state;
  expect_double("  51.5 ", 51.5);
  expect_double("\t-0.1278\r\n", -0.1278);
  expect_double("7", 7.0);
}

static void parse_double_should_read_exponents(void **state)
{
  (void)state;
  expect_double("1e-2", 0.01);
  expect_double("-3.0604055151343346E-2", -3.0604055151343346E-2);
  expect_double("+2.5E+1", 25.0);
}

static void parse_double_should_read_zero_padded_eastings(void **state)
{
  (void)state;
  expect_double("0181798", 181798.0);
  expect_double("00000", 0.0);
}

static void parse_double_should_refuse_blank_and_words(void **state)
{
  (void)state;
  expect_refused("");
  expect_refused("   ");
  expect_refused("abc");
  expect_refused("51.5abc");
  expect_refused("51.5 N");
  expect_refused("1 000");
}

static void parse_double_should_refuse_decimal_comma(void **state)
{
  (void)state;
  expect_refused("1,5");
  expect_refused("51,5074");
}

static void parse_double_should_refuse_nan_and_infinity(void **state)
{
  (void)state;
  expect_refused("nan");
  expect_refused("NaN");
  expect_refused("inf");
  expect_refused("-Infinity");
  expect_refused("1e999");
  expect_refused("-1e999");
}

/* ---- tm_parse_long -------------------------------------------------- */

static void parse_long_should_read_values_in_range(void **state)
{
  long v = 0;

  (void)state;
  assert_true(tm_parse_long("0", 0, 22, &v));
  assert_int_equal(v, 0);
  assert_true(tm_parse_long(" 22 ", 0, 22, &v));
  assert_int_equal(v, 22);
  assert_true(tm_parse_long("-5", -10, 10, &v));
  assert_int_equal(v, -5);
  assert_true(tm_parse_long("007", 0, 10, &v));
  assert_int_equal(v, 7);
}

static void parse_long_should_refuse_out_of_range(void **state)
{
  long v = 99;

  (void)state;
  assert_false(tm_parse_long("23", 0, 22, &v));
  assert_false(tm_parse_long("-1", 0, 22, &v));
  assert_false(tm_parse_long("0", 1, 1024, &v));
  assert_false(tm_parse_long("99999999999999999999999", LONG_MIN, LONG_MAX,
                             &v));
  assert_int_equal(v, 99);
}

static void parse_long_should_refuse_non_integers(void **state)
{
  long v = 99;

  (void)state;
  assert_false(tm_parse_long("", 0, 10, &v));
  assert_false(tm_parse_long("  ", 0, 10, &v));
  assert_false(tm_parse_long("1.5", 0, 10, &v));
  assert_false(tm_parse_long("3x", 0, 10, &v));
  assert_false(tm_parse_long("0x3", 0, 10, &v));
  assert_false(tm_parse_long("two", 0, 10, &v));
  assert_int_equal(v, 99);
}

/* ---- codes and case ------------------------------------------------- */

static void code_normalise_should_trim_and_upper_case(void **state)
{
  char *c;

  (void)state;
  c = tm_code_normalise(" rxh ");
  assert_string_equal(c, "RXH");
  free(c);
  c = tm_code_normalise("\t7a1\r\n");
  assert_string_equal(c, "7A1");
  free(c);
  c = tm_code_normalise("r 1h");
  assert_string_equal(c, "R 1H");
  free(c);
  c = tm_code_normalise("   ");
  assert_string_equal(c, "");
  free(c);
}

/* In a Turkish locale toupper('i') is not 'I'; only ASCII is folded here,
 * and bytes of other characters are left exactly as they were. */
static void code_normalise_should_fold_only_ascii(void **state)
{
  char *c;

  (void)state;
  c = tm_code_normalise("ri1");
  assert_string_equal(c, "RI1");
  free(c);
  /* dotless i (U+0131), dotted capital I (U+0130), e acute (U+00E9) */
  c = tm_code_normalise("r\xc4\xb1x \xc4\xb0\xc3\xa9");
  assert_string_equal(c, "R\xc4\xb1X \xc4\xb0\xc3\xa9");
  free(c);
}

static void ascii_case_should_ignore_non_ascii(void **state)
{
  (void)state;
  assert_int_equal(tm_ascii_upper('i'), 'I');
  assert_int_equal(tm_ascii_lower('I'), 'i');
  assert_int_equal(tm_ascii_upper('\xe9'), '\xe9');
  assert_int_equal(tm_ascii_lower('\xc9'), '\xc9');
  assert_int_equal(tm_ascii_casecmp("Wales", "wALES"), 0);
  assert_true(tm_ascii_casecmp("a", "B") < 0);
  assert_true(tm_ascii_casecmp("Scotland", "Scot") > 0);
  assert_true(tm_ascii_casecmp("\xc3\xa9", "\xc3\x89") != 0);
}

/* ---- UTF-8 ---------------------------------------------------------- */

static bool valid(const char *s)
{
  return tm_utf8_valid(s, strlen(s));
}

static void utf8_should_accept_well_formed_text(void **state)
{
  (void)state;
  assert_true(valid(""));
  assert_true(valid("Royal Free London"));
  assert_true(valid("Ysbyty Gwynedd \xe2\x80\x94 Bangor"));  /* em dash */
  assert_true(valid("\xc3\xa9"));                            /* e acute */
  assert_true(valid("\xf0\x9f\x98\x80"));                    /* U+1F600 */
  assert_true(valid("\xf4\x8f\xbf\xbf"));                    /* U+10FFFF */
  assert_true(valid("\xed\x9f\xbf"));                        /* U+D7FF */
  assert_true(valid("\xee\x80\x80"));                        /* U+E000 */
  assert_true(tm_utf8_valid("a\0b", 3));  /* NUL is a character */
}

static void utf8_should_refuse_overlong_forms(void **state)
{
  (void)state;
  assert_false(valid("\xc0\xaf"));          /* '/' in 2 bytes */
  assert_false(valid("\xc1\xbf"));
  assert_false(valid("\xe0\x80\xaf"));      /* '/' in 3 bytes */
  assert_false(valid("\xe0\x9f\xbf"));      /* U+07FF in 3 bytes */
  assert_false(valid("\xf0\x80\x80\xaf"));  /* '/' in 4 bytes */
  assert_false(valid("\xf0\x8f\xbf\xbf"));  /* U+FFFF in 4 bytes */
}

static void utf8_should_refuse_surrogates_and_beyond_unicode(void **state)
{
  (void)state;
  assert_false(valid("\xed\xa0\x80"));      /* U+D800 */
  assert_false(valid("\xed\xbf\xbf"));      /* U+DFFF */
  assert_false(valid("\xf4\x90\x80\x80"));  /* U+110000 */
  assert_false(valid("\xf5\x80\x80\x80"));
  assert_false(valid("\xff"));
}

static void utf8_should_refuse_truncated_and_stray_bytes(void **state)
{
  (void)state;
  assert_false(valid("\xe2\x82"));          /* euro sign cut short */
  assert_false(valid("abc\xc3"));
  assert_false(valid("\xf0\x9f\x98"));
  assert_false(valid("\x80"));              /* lone continuation */
  assert_false(valid("\xc3\x28"));          /* continuation expected */
  /* Cut by the length, not by a NUL. */
  assert_false(tm_utf8_valid("\xe2\x82\xac", 2));
  assert_true(tm_utf8_valid("\xe2\x82\xac", 3));
}

/* ---- string pool and allocation ------------------------------------- */

static void strpool_should_keep_every_string_intact(void **state)
{
  struct tm_strpool *pool = tm_strpool_new();
  const char *kept[5000];
  char buf[64];
  size_t i;

  (void)state;
  /* Enough strings to need several blocks. */
  for(i = 0; i < TM_ARRAY_LEN(kept); i++) {
    snprintf(buf, sizeof(buf), "string number %zu of the pool", i);
    kept[i] = tm_strpool_add(pool, buf);
  }
  for(i = 0; i < TM_ARRAY_LEN(kept); i++) {
    snprintf(buf, sizeof(buf), "string number %zu of the pool", i);
    assert_string_equal(kept[i], buf);
  }
  tm_strpool_free(pool);
}

static void strpool_should_copy_n_bytes_and_terminate(void **state)
{
  struct tm_strpool *pool = tm_strpool_new();
  const char *a, *b, *e;

  (void)state;
  a = tm_strpool_addn(pool, "RXHXX", 3);
  b = tm_strpool_addn(pool, "abc", 0);
  e = tm_strpool_add(pool, "");
  assert_string_equal(a, "RXH");
  assert_string_equal(b, "");
  assert_string_equal(e, "");
  assert_true(a != e);
  tm_strpool_free(pool);
  tm_strpool_free(NULL);
}

static void strpool_should_hold_strings_larger_than_a_block(void **state)
{
  struct tm_strpool *pool = tm_strpool_new();
  size_t n = 200000;
  char *big = tm_xmalloc(n + 1);
  const char *small1, *copy, *small2;

  (void)state;
  memset(big, 'x', n);
  big[n] = '\0';
  big[n / 2] = 'y';
  small1 = tm_strpool_add(pool, "before");
  copy = tm_strpool_add(pool, big);
  small2 = tm_strpool_add(pool, "after");
  assert_int_equal(strlen(copy), n);
  assert_memory_equal(copy, big, n + 1);
  assert_string_equal(small1, "before");
  assert_string_equal(small2, "after");
  free(big);
  tm_strpool_free(pool);
}

static void xgrow_should_keep_contents_and_reach_need(void **state)
{
  int *v = NULL;
  size_t cap = 0, i;

  (void)state;
  for(i = 0; i < 1000; i++) {
    tm_xgrow((void **)&v, &cap, i + 1, sizeof(*v));
    assert_true(cap >= i + 1);
    v[i] = (int)i;
  }
  for(i = 0; i < 1000; i++)
    assert_int_equal(v[i], (int)i);
  free(v);
}

static void xasprintf_should_format_any_length(void **state)
{
  char *s = tm_xasprintf("%s:%ld: %s", "trusts.csv", 17L, "error");
  char *big;

  (void)state;
  assert_string_equal(s, "trusts.csv:17: error");
  free(s);
  big = tm_xasprintf("%5000d|", 1);
  assert_int_equal(strlen(big), 5001);
  assert_int_equal(big[5000], '|');
  free(big);
  s = tm_xstrndup("abcdef", 2);
  assert_string_equal(s, "ab");
  free(s);
}

static int keyed_cmp(const void *a, const void *b)
{
  const struct tm_keyed *x = a, *y = b;

  if(x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->val > y->val) - (x->val < y->val);
}

/* Against qsort by (key, val): the records start in val order, so a
 * stable sort by key alone must give the same sequence. Keys of each
 * width, with many repeats, and one empty and one single record. */
static void keysort_should_sort_stably_by_key(void **state)
{
  static const int widths[] = { 1, 7, 11, 12, 22, 33, 63, 64 };
  size_t n = 5000, i, w;
  struct tm_keyed *a = calloc(n, sizeof(*a)), *b = calloc(n, sizeof(*b));
  uint64_t seed = 88172645463325252u;

  (void)state;
  for(w = 0; w < TM_ARRAY_LEN(widths); w++) {
    uint64_t mask = widths[w] == 64 ? UINT64_MAX
                                    : ((uint64_t)1 << widths[w]) - 1;

    for(i = 0; i < n; i++) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      /* a few distinct high parts, so equal keys are common */
      a[i].key = (seed & mask) & ~(mask >> 3 & (i % 3 ? mask : 0));
      a[i].val = i;
    }
    memcpy(b, a, n * sizeof(*a));
    tm_keysort(a, n);
    qsort(b, n, sizeof(*b), keyed_cmp);
    assert_memory_equal(a, b, n * sizeof(*a));
  }
  tm_keysort(a, 0);
  a[0].key = 9;
  a[0].val = 4;
  tm_keysort(a, 1);
  assert_int_equal(a[0].key, 9);
  assert_int_equal(a[0].val, 4);
  free(a);
  free(b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(parse_double_should_allow_surrounding_spaces),
    cmocka_unit_test(parse_double_should_read_exponents),
    cmocka_unit_test(parse_double_should_read_zero_padded_eastings),
    cmocka_unit_test(parse_double_should_refuse_blank_and_words),
    cmocka_unit_test(parse_double_should_refuse_decimal_comma),
    cmocka_unit_test(parse_double_should_refuse_nan_and_infinity),
    cmocka_unit_test(parse_long_should_read_values_in_range),
    cmocka_unit_test(parse_long_should_refuse_out_of_range),
    cmocka_unit_test(parse_long_should_refuse_non_integers),
    cmocka_unit_test(code_normalise_should_trim_and_upper_case),
    cmocka_unit_test(code_normalise_should_fold_only_ascii),
    cmocka_unit_test(ascii_case_should_ignore_non_ascii),
    cmocka_unit_test(utf8_should_accept_well_formed_text),
    cmocka_unit_test(utf8_should_refuse_overlong_forms),
    cmocka_unit_test(utf8_should_refuse_surrogates_and_beyond_unicode),
    cmocka_unit_test(utf8_should_refuse_truncated_and_stray_bytes),
    cmocka_unit_test(strpool_should_keep_every_string_intact),
    cmocka_unit_test(strpool_should_copy_n_bytes_and_terminate),
    cmocka_unit_test(strpool_should_hold_strings_larger_than_a_block),
    cmocka_unit_test(xgrow_should_keep_contents_and_reach_need),
    cmocka_unit_test(xasprintf_should_format_any_length),
    cmocka_unit_test(keysort_should_sort_stably_by_key),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
