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

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"

#define RXH_NAME "Brighton \"Royal\" \\ Sussex\x01\t"
#define RXH_NOTES "=HYPERLINK(\"http://x\",\"click\")"
#define RXH01_NAME "Royal Sussex County \xf0\x9f\x8f\xa5\xe2\x80\x8f"

static char label0[] = "Hospital Trust is collecting data";
static char label1[] = "Hospital Trust is partially collecting data";
static char label2[] = "Hospital Trust is not collecting data";
static char label3[] = "No response received";

static struct tm_style test_style(void)
{
  struct tm_style st;

  memset(&st, 0, sizeof(st));
  st.status[TM_STATUS_COLLECTING].label = label0;
  strcpy(st.status[TM_STATUS_COLLECTING].colour, "#1a9641");
  st.status[TM_STATUS_PARTIAL].label = label1;
  strcpy(st.status[TM_STATUS_PARTIAL].colour, "#fdae61");
  st.status[TM_STATUS_NOT_COLLECTING].label = label2;
  strcpy(st.status[TM_STATUS_NOT_COLLECTING].colour, "#d7191c");
  st.status[TM_STATUS_NO_RESPONSE].label = label3;
  strcpy(st.status[TM_STATUS_NO_RESPONSE].colour, "#808080");
  return st;
}

static struct tm_pin *add_pin(struct tm_pins *pins, const char *code,
                              const char *name, const char *trust_code,
                              const char *trust_name, double lon, double lat)
{
  struct tm_pin *p = tm_pins_add(pins);

  p->code = tm_strpool_add(pins->pool, code);
  p->name = tm_strpool_add(pins->pool, name);
  p->trust_code = tm_strpool_add(pins->pool, trust_code);
  p->trust_name = tm_strpool_add(pins->pool, trust_name);
  p->nation = TM_NATION_ENGLAND;
  p->status = TM_STATUS_COLLECTING;
  p->lon = lon;
  p->lat = lat;
  return p;
}

/* The same three pins as test_geojson.c. */
static struct tm_pins *three_pins(void)
{
  struct tm_pins *pins = tm_pins_new();
  struct tm_pin *p;

  pins->round = tm_strpool_add(pins->pool, "2025-09");
  p = add_pin(pins, "7A1", "Ysbyty Gwynedd", "7A1",
              "Betsi Cadwaladr University Health Board", -4.16012549,
              53.2090001);
  p->nation = TM_NATION_WALES;
  p->status = TM_STATUS_NO_RESPONSE;
  p = add_pin(pins, "RXH", RXH_NAME, "RXH", "University Hospitals Sussex",
              -0.1278004, 51.5073509);
  p->notes = tm_strpool_add(pins->pool, RXH_NOTES);
  p = add_pin(pins, "RXH01", RXH01_NAME, "RXH",
              "University Hospitals Sussex", -0.0000004, 50.8);
  p->is_site = true;
  p->status = TM_STATUS_PARTIAL;
  p->notes = tm_strpool_add(pins->pool, "line1\nline2");
  return pins;
}

static char *slurp(const char *path)
{
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;

  if(!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = tm_xmalloc((size_t)n + 1);
  if(fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  fclose(f);
  return buf;
}

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
  struct tm_style st = test_style();
  struct tm_pins *pins = tm_pins_new();
  struct tm_pin *p = add_pin(pins, "C", name, "C", "T", lon, lat);
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
  struct tm_style st = test_style();
  struct tm_pins *pins = three_pins();
  char *want = slurp("fixtures/out-three-pins.csv");
  char *got = tm_csv_text(pins, &st);

  (void)state;
  assert_non_null(want);
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
  struct tm_style st = test_style();
  struct tm_pins *pins = three_pins();
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
  struct tm_style st = test_style();
  struct tm_pins *pins = tm_pins_new();
  char *text = tm_csv_text(pins, &st);

  (void)state;
  assert_string_equal(text, "code,name,kind,trust_code,trust_name,nation,"
                      "status,status_label,notes,round,previous_status,"
                      "longitude,latitude\n");
  free(text);
  tm_pins_free(pins);
}

static int rm_one(const char *path, const struct stat *sb, int type,
                  struct FTW *ftw)
{
  (void)sb;
  (void)type;
  (void)ftw;
  return remove(path);
}

static void write_should_give_the_text_and_report_failures(void **state)
{
  struct tm_style st = test_style();
  struct tm_pins *pins = three_pins();
  struct tm_error err = { TM_OK, "" };
  char dir[] = "/tmp/test_csv.XXXXXX";
  char *path, *got, *want;

  (void)state;
  assert_non_null(mkdtemp(dir));
  path = tm_xasprintf("%s/sub/trusts.csv", dir);
  assert_int_equal(tm_csv_write(pins, &st, path, &err), TM_OK);
  got = slurp(path);
  want = tm_csv_text(pins, &st);
  assert_non_null(got);
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
  nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
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
