/* test_csv.c - csv.c: the exact text for three hand-made pins
 * (fixtures/out-three-pins.csv, written by hand), RFC 4180 quoting,
 * spreadsheet formulas neutralised, numbers left alone, bad UTF-8, and a
 * round trip through a small RFC 4180 reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "support.h"

/* A strict RFC 4180 reader for the round trip: fields of each record
 * into v (each a new string), records ending in LF. Returns the number
 * of fields of the record starting at *s and moves *s past it; fails the
 * test on anything RFC 4180 does not allow. */
static size_t read_record(const char **s, char **v, size_t max)
{
  const char *p = *s;
  size_t n = 0;

  for(;;) {
    char *f = tm_xmalloc(strlen(p) + 1);
    size_t k = 0;

    if(*p == '"') {
      p++;
      for(;;) {
        assert_true(*p != '\0');          /* unterminated quote */
        if(*p == '"' && p[1] == '"') {
          f[k++] = '"';
          p += 2;
        }
        else if(*p == '"') {
          p++;
          break;
        }
        else
          f[k++] = *p++;
      }
    }
    else {
      while(*p && *p != ',' && *p != '\n') {
        assert_true(*p != '"' && *p != '\r');  /* must have been quoted */
        f[k++] = *p++;
      }
    }
    f[k] = '\0';
    assert_true(n < max);
    v[n++] = f;
    if(*p == ',') {
      p++;
      continue;
    }
    assert_int_equal(*p, '\n');
    *s = p + 1;
    return n;
  }
}

static void free_fields(char **v, size_t n)
{
  size_t i;

  for(i = 0; i < n; i++)
    free(v[i]);
}

/* The row for one pin named name at (lon, lat), without the header. */
static char *row_for(const char *name, const char *notes, double lon,
                     double lat)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = tm_pins_new();
  struct tm_pin *p = support_add_named_pin(pins, "C", name, "C", "T", lon,
                                           lat);
  char *text, *row;

  p->notes = tm_strpool_add(pins->pool, notes);
  text = tm_csv_text(pins, &st);
  row = strchr(text, '\n');
  assert_non_null(row);
  row = tm_xstrdup(row + 1);
  free(text);
  tm_pins_free(pins);
  return row;
}

static void three_pins_should_give_the_expected_text(void **state)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = support_three_pins();
  size_t len;
  unsigned char *want = support_slurp("fixtures/out-three-pins.csv", &len);
  char *got = tm_csv_text(pins, &st);

  (void)state;
  assert_string_equal(got, want);
  free(got);
  free(want);
  tm_pins_free(pins);
}

static void formulas_should_get_a_leading_apostrophe_and_quoting_rfc4180(
  void **state)
{
  static const struct {
    const char *in, *cell;
  } cases[] = {
    { "=SUM(A1)", "'=SUM(A1)" },
    { "+1", "'+1" },
    { "-2", "'-2" },
    { "@x", "'@x" },
    { "\tx", "'\tx" },
    { "\rx", "\"'\rx\"" },
    { "=1,2", "\"'=1,2\"" },
    { "=\"a\"", "\"'=\"\"a\"\"\"" },
    { "a,b", "\"a,b\"" },
    { "a\"b", "\"a\"\"b\"" },
    { "a\nb", "\"a\nb\"" },
    { "a\r\nb", "\"a\r\nb\"" },
    { "plain", "plain" },
    { "a=b", "a=b" },
    { "", "" },
  };
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *want = tm_xasprintf("C,%s,trust,C,T,England,collecting,"
                              "Hospital Trust is collecting data,%s,,,"
                              "1.000000,51.000000\n", cases[i].cell,
                              cases[i].cell);
    char *got = row_for(cases[i].in, cases[i].in, 1, 51);

    assert_string_equal(got, want);
    free(got);
    free(want);
  }
}

static void numbers_should_not_be_neutralised(void **state)
{
  char *got = row_for("n", "", -2.5, -0.0000004);

  (void)state;
  /* a negative longitude stays a number; -0 prints as 0 */
  assert_string_equal(got, "C,n,trust,C,T,England,collecting,"
                      "Hospital Trust is collecting data,,,,-2.500000,"
                      "0.000000\n");
  free(got);
}

static void rows_should_read_back_as_the_same_fields(void **state)
{
  static const char *const head[] = {
    "code", "name", "kind", "trust_code", "trust_name", "nation", "status",
    "status_label", "notes", "round", "previous_status", "longitude",
    "latitude"
  };
  struct tm_style st = support_text_style();
  struct tm_pins *pins = support_three_pins();
  char *text = tm_csv_text(pins, &st);
  const char *s = text;
  char *v[16];
  size_t i, n;

  (void)state;
  n = read_record(&s, v, 16);
  assert_int_equal(n, 13);
  for(i = 0; i < n; i++)
    assert_string_equal(v[i], head[i]);
  free_fields(v, n);
  for(i = 0; i < pins->n; i++) {
    const struct tm_pin *p = &pins->v[i];
    double x;

    n = read_record(&s, v, 16);
    assert_int_equal(n, 13);
    assert_string_equal(v[0], p->code);
    assert_string_equal(v[1], p->name);
    assert_string_equal(v[2], p->is_site ? "site" : "trust");
    assert_string_equal(v[3], p->trust_code);
    assert_string_equal(v[4], p->trust_name);
    assert_string_equal(v[5], p->nation);
    assert_string_equal(v[6], tm_status_key(p->status));
    assert_string_equal(v[7], st.status[p->status].label);
    /* notes starting with '=' come back with the apostrophe */
    if(p->notes[0] == '=')
      assert_true(v[8][0] == '\'' && !strcmp(v[8] + 1, p->notes));
    else
      assert_string_equal(v[8], p->notes);
    assert_string_equal(v[9], "2025-09");
    assert_string_equal(v[10], "");
    assert_true(tm_parse_double(v[11], &x) && fabs(x - p->lon) < 5e-7);
    assert_true(tm_parse_double(v[12], &x) && fabs(x - p->lat) < 5e-7);
    free_fields(v, n);
  }
  assert_string_equal(s, "");
  free(text);
  tm_pins_free(pins);
}

static void bytes_that_are_not_utf8_should_become_replacement_characters(
  void **state)
{
  char *got = row_for("Caf\xe9", "", 0, 51);

  (void)state;
  assert_true(tm_utf8_valid(got, strlen(got)));
  assert_non_null(strstr(got, "C,Caf\xef\xbf\xbd,trust,"));
  free(got);
}

static void no_pins_should_give_the_header_only(void **state)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = tm_pins_new();
  char *text = tm_csv_text(pins, &st);

  (void)state;
  assert_string_equal(text, "code,name,kind,trust_code,trust_name,nation,"
                      "status,status_label,notes,round,previous_status,"
                      "longitude,latitude\n");
  free(text);
  tm_pins_free(pins);
}

static void write_should_give_the_text_and_report_failures(void **state)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = support_three_pins();
  struct tm_error err = { TM_OK, "" };
  char dir[] = "/tmp/test_csv.XXXXXX";
  char *path, *want;
  unsigned char *got;
  size_t len;

  (void)state;
  assert_non_null(mkdtemp(dir));
  path = tm_xasprintf("%s/sub/trusts.csv", dir);
  assert_int_equal(tm_csv_write(pins, &st, path, &err), TM_OK);
  got = support_slurp(path, &len);
  want = tm_csv_text(pins, &st);
  assert_string_equal(got, want);
  free(path);

  /* a folder where the file should be */
  path = tm_xasprintf("%s/sub", dir);
  assert_int_equal(tm_csv_write(pins, &st, path, &err), TM_SYSTEM);
  assert_non_null(strstr(err.msg, path));
  assert_non_null(strstr(err.msg, "Is a directory"));
  free(path);
  free(got);
  free(want);
  support_remove_tree(dir);
  tm_pins_free(pins);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(three_pins_should_give_the_expected_text),
    cmocka_unit_test(
      formulas_should_get_a_leading_apostrophe_and_quoting_rfc4180),
    cmocka_unit_test(numbers_should_not_be_neutralised),
    cmocka_unit_test(rows_should_read_back_as_the_same_fields),
    cmocka_unit_test(
      bytes_that_are_not_utf8_should_become_replacement_characters),
    cmocka_unit_test(no_pins_should_give_the_header_only),
    cmocka_unit_test(write_should_give_the_text_and_report_failures),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
