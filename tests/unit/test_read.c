/* test_read.c - read.c: any table GDAL opens -> strings with the row
 * numbers a person sees, per driver; encodings; files that cannot be
 * used. Fixtures are tests/unit/fixtures/read-* (made by read-make.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read.h"

#define FIX "fixtures/"

/* ---- helpers --------------------------------------------------------- */

static struct tm_table *read_ok(const char *path,
                                const struct tm_read_opts *o,
                                struct tm_problems *probs)
{
  struct tm_error err = { 0 };
  struct tm_table *t = NULL;
  enum tm_rc rc = tm_read_table(path, o, probs, &err, &t);

  if(rc != TM_OK)
    fail_msg("%s: rc %d (%s)", path, (int)rc,
             probs->n ? probs->v[probs->n - 1].what : err.msg);
  assert_non_null(t);
  return t;
}

/* Reads a file that cannot be used; returns its one problem. */
static const struct tm_problem *read_refused(const char *path,
                                             const struct tm_read_opts *o,
                                             struct tm_problems *probs)
{
  struct tm_error err = { 0 };
  struct tm_table *t = NULL;

  assert_int_equal(tm_read_table(path, o, probs, &err, &t), TM_INPUT);
  assert_null(t);
  assert_int_equal(probs->n, 1);
  assert_int_equal(probs->v[0].severity, TM_ERROR);
  assert_string_equal(probs->v[0].where.path, path);
  assert_int_equal(probs->v[0].where.row, 0);
  assert_non_null(probs->v[0].fix);
  return &probs->v[0];
}

static size_t count_kind(const struct tm_problems *p, const char *kind)
{
  size_t i, n = 0;

  for(i = 0; i < p->n; i++)
    if(!strcmp(p->v[i].kind, kind))
      n++;
  return n;
}

static const struct tm_problem *find_kind(const struct tm_problems *p,
                                          const char *kind)
{
  size_t i;

  for(i = 0; i < p->n; i++)
    if(!strcmp(p->v[i].kind, kind))
      return &p->v[i];
  fail_msg("no problem of kind %s among %zu", kind, p->n);
  return NULL;
}

static void assert_rows(const struct tm_table *t, const long *want, size_t n)
{
  size_t i;

  assert_int_equal(t->nrows, n);
  for(i = 0; i < n; i++)
    if(t->rownum[i] != want[i])
      fail_msg("row index %zu: number %ld, expected %ld", i, t->rownum[i],
               want[i]);
}

static void assert_cols(const struct tm_table *t, const char *const *want,
                        size_t n)
{
  size_t i;

  assert_int_equal(t->ncols, n);
  for(i = 0; i < n; i++)
    assert_string_equal(t->colnames[i], want[i]);
}

/* ---- CSV ------------------------------------------------------------- */

static void csv_with_header_should_number_rows_from_line_2(void **state)
{
  static const long rows[] = { 2, 3, 4 };
  static const char *const cols[] = { "code", "name", "lat", "lon" };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-header.csv", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_string_equal(t->driver, "CSV");
  assert_string_equal(t->layer, "read-header");
  assert_string_equal(t->path, FIX "read-header.csv");
  assert_cols(t, cols, 4);
  assert_rows(t, rows, 3);
  assert_string_equal(tm_table_cell(t, 0, 1),
                      "Royal Sussex County Hospital");
  /* Strings as written: no number parsing. */
  assert_string_equal(tm_table_cell(t, 2, 3), "-0.0586");
  assert_false(t->has_geometry);
  assert_null(t->geometry_crs);
  assert_int_equal(t->n_converted, 0);
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void csv_without_header_should_start_at_row_1(void **state)
{
  static const long rows[] = { 1, 2 };
  static const char *const cols[] = { "field_1", "field_2" };
  struct tm_read_opts o = { .no_header = true };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-noheader.csv", &o, &probs);
  assert_int_equal(probs.n, 0);
  assert_cols(t, cols, 2);
  assert_rows(t, rows, 2);
  assert_string_equal(tm_table_cell(t, 0, 0), "RXH");
  assert_string_equal(tm_table_cell(t, 1, 1), "Bristol");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void csv_blank_lines_should_be_skipped_but_counted(void **state)
{
  /* GDAL gives no feature for an empty line; "," is a row of blanks. */
  static const long rows[] = { 2, 4, 7, 8 };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-blank-lines.csv", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_rows(t, rows, 4);
  assert_string_equal(tm_table_cell(t, 2, 0), "R1H");
  assert_string_equal(tm_table_cell(t, 3, 0), "");
  assert_string_equal(tm_table_cell(t, 3, 1), "");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void csv_quoted_newlines_should_keep_later_row_numbers(void **state)
{
  static const long rows[] = { 2, 5, 7, 10 };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-quoted-newline.csv", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_rows(t, rows, 4);
  assert_string_equal(tm_table_cell(t, 0, 2),
                      "two sites:\nRoyal Sussex and\nPrincess Royal");
  assert_string_equal(tm_table_cell(t, 1, 2), "said \"yes\"");
  assert_string_equal(tm_table_cell(t, 2, 1), "London\n\nRoyal");
  assert_string_equal(tm_table_cell(t, 3, 0), "RYJ");
  assert_string_equal(tm_table_cell(t, 3, 2), "");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void csv_crlf_should_count_lines_once(void **state)
{
  static const long rows[] = { 2, 5 };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-crlf.csv", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_rows(t, rows, 2);
  assert_string_equal(t->colnames[1], "name");
  /* GDAL joins the lines of a quoted value with LF. */
  assert_string_equal(tm_table_cell(t, 0, 1), "a\nb");
  assert_string_equal(tm_table_cell(t, 1, 1), "c");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void csv_cr_line_ends_should_count_as_lines(void **state)
{
  static const long rows[] = { 2, 4 };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-cr.csv", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_rows(t, rows, 2);
  assert_string_equal(tm_table_cell(t, 1, 1), "y");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void utf8_bom_should_not_reach_the_first_name(void **state)
{
  static const long rows[] = { 2 };
  static const long rows_nh[] = { 1, 2 };
  struct tm_read_opts nh = { .no_header = true };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-bom.csv", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_string_equal(t->colnames[0], "code");
  assert_rows(t, rows, 1);
  tm_table_free(t);

  t = read_ok(FIX "read-bom.csv", &nh, &probs);
  assert_int_equal(probs.n, 0);
  assert_string_equal(tm_table_cell(t, 0, 0), "code");
  assert_rows(t, rows_nh, 2);
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void cp1252_values_should_be_converted_with_one_note(void **state)
{
  static const long rows[] = { 2, 3, 4 };
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-cp1252.csv", NULL, &probs);
  assert_rows(t, rows, 3);
  assert_string_equal(tm_table_cell(t, 0, 1), "Caf\xc3\xa9 Ros\xc3\xa9");
  assert_string_equal(tm_table_cell(t, 1, 1), "plain");
  /* 0x93 0x94 are curly quotes and 0x80 the euro sign, not C1 controls. */
  assert_string_equal(tm_table_cell(t, 2, 1),
                      "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac 5");
  assert_int_equal(t->n_converted, 2);
  assert_int_equal(t->first_converted_row, 2);
  assert_int_equal(probs.n, 1);
  pr = &probs.v[0];
  assert_string_equal(pr->kind, "converted-cp1252");
  assert_int_equal(pr->severity, TM_WARNING);
  assert_false(pr->excludes_row);
  assert_int_equal(pr->where.row, 2);
  assert_string_equal(pr->what, "2 values were not UTF-8 and were read as "
                      "Windows-1252 (first at row 2)");
  assert_string_equal(pr->fix, "save the file as UTF-8 (CSV UTF-8 in "
                      "Excel) to silence this");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

/* Reads a whole small file into a new string. */
static char *slurp(const char *path)
{
  FILE *fp = fopen(path, "rb");
  char *s;
  long n;

  assert_non_null(fp);
  assert_int_equal(fseek(fp, 0, SEEK_END), 0);
  n = ftell(fp);
  assert_true(n >= 0);
  rewind(fp);
  s = calloc(1, (size_t)n + 1);
  assert_non_null(s);
  assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
  fclose(fp);
  return s;
}

static void cp1252_should_decode_every_byte_as_iconv_does(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_table *t;
  char *want;

  (void)state;
  t = read_ok(FIX "read-cp1252-all.csv", NULL, &probs);
  want = slurp(FIX "read-cp1252-all.utf8");
  assert_int_equal(t->nrows, 1);
  assert_string_equal(tm_table_cell(t, 0, 1), want);
  assert_int_equal(t->n_converted, 1);
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].what, "1 value was not UTF-8 and was "
                      "read as Windows-1252 (first at row 2)");
  free(want);
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void each_undefined_cp1252_byte_should_be_an_error(void **state)
{
  static const unsigned char bytes[] = { 0x81, 0x8d, 0x8f, 0x90, 0x9d };
  char dir[] = "/tmp/test_read.XXXXXX";
  char path[64];
  size_t i;

  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/bytes.csv", dir);
  for(i = 0; i < sizeof(bytes); i++) {
    struct tm_problems probs = { 0 };
    struct tm_table *t;
    char want[8];
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    /* Next to a byte that does decode: the whole value is unusable. */
    fprintf(fp, "code,name\nRXH,caf\xe9 %c\n", bytes[i]);
    fclose(fp);
    t = read_ok(path, NULL, &probs);
    assert_string_equal(tm_table_cell(t, 0, 1), "");
    assert_int_equal(t->n_converted, 0);
    assert_int_equal(probs.n, 1);
    assert_string_equal(probs.v[0].kind, "bad-encoding");
    assert_int_equal(probs.v[0].where.row, 2);
    snprintf(want, sizeof(want), "0x%02X", bytes[i]);
    assert_non_null(strstr(probs.v[0].what, want));
    tm_table_free(t);
    tm_problems_clear(&probs);
  }
  unlink(path);
  rmdir(dir);
}

static void cp1252_column_name_should_be_converted(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-cp1252-header.csv", NULL, &probs);
  assert_string_equal(t->colnames[1], "r\xc3\xa9gion");
  assert_int_equal(t->n_converted, 1);
  assert_int_equal(t->first_converted_row, 1);
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].kind, "converted-cp1252");
  assert_int_equal(probs.v[0].where.row, 1);
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void undefined_cp1252_byte_should_be_an_error_on_its_row(void **state)
{
  static const long rows[] = { 2, 3, 4 };
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-undefined-byte.csv", NULL, &probs);
  assert_rows(t, rows, 3);
  assert_string_equal(tm_table_cell(t, 0, 1), "ok");
  assert_string_equal(tm_table_cell(t, 1, 1), "");
  assert_string_equal(tm_table_cell(t, 1, 0), "RA7");
  assert_string_equal(tm_table_cell(t, 2, 1), "ok too");
  assert_int_equal(t->n_converted, 0);
  assert_int_equal(probs.n, 1);
  pr = &probs.v[0];
  assert_string_equal(pr->kind, "bad-encoding");
  assert_int_equal(pr->severity, TM_ERROR);
  assert_int_equal(pr->where.row, 3);
  assert_non_null(strstr(pr->what, "column \"name\""));
  assert_non_null(strstr(pr->what, "0x81"));
  assert_non_null(pr->fix);
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void unterminated_quote_should_be_an_error_where_it_opens(
  void **state)
{
  /* GDAL reads line 3 to the end of the file as one row. */
  static const long rows[] = { 2, 3 };
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-unterminated.csv", NULL, &probs);
  assert_rows(t, rows, 2);
  assert_int_equal(probs.n, 1);
  pr = &probs.v[0];
  assert_string_equal(pr->kind, "unterminated-quote");
  assert_int_equal(pr->severity, TM_ERROR);
  assert_int_equal(pr->where.row, 3);
  assert_string_equal(pr->what, "unterminated quote: a field opened with \" "
                      "at line 3 never closes, so every row after it "
                      "would be lost");
  assert_string_equal(pr->fix, "close the quote, or double any quote "
                      "inside a quoted field");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void semicolon_csv_should_split_on_semicolons(void **state)
{
  static const long rows[] = { 2, 3 };
  static const char *const cols[] = { "code", "name", "lat" };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-semicolon.csv", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_cols(t, cols, 3);
  assert_rows(t, rows, 2);
  assert_string_equal(tm_table_cell(t, 0, 2), "50,8194");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void utf16_text_should_be_read_as_utf8_with_a_note(void **state)
{
  static const long rows[] = { 2, 3 };
  static const char *const cols[] = { "code", "name" };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-utf16.txt", NULL, &probs);
  assert_string_equal(t->driver, "CSV");
  assert_string_equal(t->layer, "read-utf16");
  assert_cols(t, cols, 2);
  assert_rows(t, rows, 2);
  assert_string_equal(tm_table_cell(t, 0, 1), "Caf\xc3\xa9");
  assert_string_equal(tm_table_cell(t, 1, 0), "RA7");
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].kind, "converted-utf16");
  assert_int_equal(probs.v[0].severity, TM_WARNING);
  assert_int_equal(probs.v[0].where.row, 0);
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void tab_separated_txt_should_be_read_as_csv(void **state)
{
  static const long rows[] = { 2, 4 };
  static const char *const cols[] = { "code", "name" };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-tab.txt", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_string_equal(t->driver, "CSV");
  assert_string_equal(t->layer, "read-tab");
  assert_cols(t, cols, 2);
  assert_rows(t, rows, 2);
  assert_string_equal(tm_table_cell(t, 1, 1), "Bristol");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void not_sign_separated_text_should_be_read(void **state)
{
  /* The NHS website's datasets: Latin-1, fields separated by the not
   * sign, no quoting (so quotes and commas are just text), CRLF. */
  static const long rows[] = { 2, 4 };
  static const char *const cols[] = { "code", "name", "fax" };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-not-sign.csv", NULL, &probs);
  assert_string_equal(t->driver, "CSV");
  assert_string_equal(t->layer, "read-not-sign");
  assert_cols(t, cols, 3);
  assert_rows(t, rows, 2);
  assert_string_equal(tm_table_cell(t, 0, 1), "Guy's, St Thomas'");
  assert_string_equal(tm_table_cell(t, 0, 2), "\xc2\xa0" "01");
  assert_string_equal(tm_table_cell(t, 1, 1), "5\" \"tall\"");
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].kind, "converted-cp1252");
  assert_int_equal(probs.v[0].where.row, 2);
  tm_table_free(t);

  t = read_ok(FIX "read-not-sign-utf8.csv", NULL, &probs);
  assert_int_equal(probs.n, 1);
  assert_int_equal(t->ncols, 2);
  assert_string_equal(t->colnames[1], "name");
  assert_string_equal(tm_table_cell(t, 0, 1), "x");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

/* A small deterministic generator, so a failure can be replayed. */
static uint32_t rnd_state;

static uint32_t rnd(uint32_t n)
{
  rnd_state = rnd_state * 1103515245u + 12345u;
  return (rnd_state >> 8) % n;
}

static const char *rnd_eol(void)
{
  static const char *const eol[] = { "\n", "\r\n", "\r" };

  return eol[rnd(3)];
}

/* Line of byte offset off in s: CRLF, LF and a lone CR end a line. */
static long line_at(const char *s, size_t off)
{
  long line = 1;
  size_t i;

  for(i = 0; i < off; i++)
    if(s[i] == '\n' || (s[i] == '\r' && (i + 1 >= off || s[i + 1] != '\n')))
      line++;
  return line;
}

static void put(char **s, size_t *n, const char *text)
{
  size_t k = strlen(text);

  *s = realloc(*s, *n + k + 1);
  assert_non_null(*s);
  memcpy(*s + *n, text, k + 1);
  *n += k;
}

/* Random CSV files with blank lines, quoted values over several lines,
 * doubled quotes and mixed line ends: every record GDAL returns must get
 * the line where the generator started it. */
static void csv_rows_should_match_gdal_on_random_files(void **state)
{
  char dir[] = "/tmp/test_read.XXXXXX";
  char path[64];
  int file;

  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/random.csv", dir);
  rnd_state = 20250901;
  for(file = 0; file < 300; file++) {
    struct tm_problems probs = { 0 };
    long want[40];
    char *text = NULL;
    size_t n = 0;
    int r, nrec = 1 + (int)rnd(30);
    struct tm_table *t;
    FILE *fp;

    if(!rnd(5))
      put(&text, &n, "\xef\xbb\xbf");
    put(&text, &n, "id,value");
    for(r = 0; r < nrec; r++) {
      char id[16];
      int k, blanks = (int)rnd(3);

      put(&text, &n, rnd_eol());
      for(k = 0; k < blanks; k++)
        put(&text, &n, rnd_eol());
      want[r] = line_at(text, n);
      snprintf(id, sizeof(id), "r%d", r);
      put(&text, &n, id);
      put(&text, &n, ",");
      switch(rnd(4)) {
      case 0:
        break;
      case 1:
        put(&text, &n, "plain text");
        break;
      default:
        put(&text, &n, "\"");
        for(k = (int)rnd(4); k > 0; k--) {
          put(&text, &n, rnd(2) ? "a, b" : "\"\"");
          if(rnd(2))
            put(&text, &n, rnd_eol());
          if(!rnd(3))
            put(&text, &n, rnd_eol());
        }
        put(&text, &n, "\"");
      }
    }
    if(rnd(2))
      put(&text, &n, rnd_eol());
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, n, fp), n);
    fclose(fp);

    t = read_ok(path, NULL, &probs);
    if(probs.n)
      fail_msg("file %d: %s", file, probs.v[0].what);
    if(t->nrows != (size_t)nrec)
      fail_msg("file %d: %zu rows, expected %d", file, t->nrows, nrec);
    for(r = 0; r < nrec; r++) {
      char id[16];

      snprintf(id, sizeof(id), "r%d", r);
      assert_string_equal(tm_table_cell(t, (size_t)r, 0), id);
      if(t->rownum[r] != want[r])
        fail_msg("file %d, record %d: row %ld, expected %ld", file, r,
                 t->rownum[r], want[r]);
    }
    tm_table_free(t);
    free(text);
  }
  unlink(path);
  rmdir(dir);
}

/* ---- spreadsheets --------------------------------------------------- */

static void xlsx_rows_should_be_sheet_rows(void **state)
{
  static const long rows[] = { 2, 3, 4 };
  static const char *const cols[] = { "code", "name", "lat" };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-sheets.xlsx", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_string_equal(t->driver, "XLSX");
  assert_string_equal(t->layer, "trusts");
  assert_cols(t, cols, 3);
  assert_rows(t, rows, 3);
  assert_string_equal(tm_table_cell(t, 0, 2), "50.8194");
  assert_string_equal(tm_table_cell(t, 1, 0), "");
  assert_string_equal(tm_table_cell(t, 2, 1), "Bristol\nRoyal");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void xlsx_without_header_should_start_at_row_1(void **state)
{
  static const long rows[] = { 1, 2, 3, 4 };
  static const char *const cols[] = { "Field1", "Field2", "Field3" };
  struct tm_read_opts o = { .no_header = true };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-sheets.xlsx", &o, &probs);
  assert_int_equal(probs.n, 0);
  assert_cols(t, cols, 3);
  assert_rows(t, rows, 4);
  assert_string_equal(tm_table_cell(t, 0, 0), "code");
  assert_string_equal(tm_table_cell(t, 1, 0), "RXH");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void xlsx_missing_rows_should_keep_sheet_numbers(void **state)
{
  /* Rows 2 and 4-6 are absent from the sheet XML; GDAL gives them as
   * empty features, numbered as the sheet shows them. */
  static const long rows[] = { 2, 3, 4, 5, 6, 7 };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-gap.xlsx", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_rows(t, rows, 6);
  assert_string_equal(tm_table_cell(t, 0, 0), "");
  assert_string_equal(tm_table_cell(t, 1, 0), "RXH");
  /* A number cell is read as the text Excel stored, not reformatted. */
  assert_string_equal(tm_table_cell(t, 1, 2), "50.8194");
  assert_string_equal(tm_table_cell(t, 5, 0), "RA7");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void sheet_without_header_on_row_1_should_say_so(void **state)
{
  /* Rows 1-2 are absent: GDAL takes row 1 as the header, so the real
   * header (row 3) comes out as data; the rows keep their numbers. */
  static const long rows[] = { 2, 3, 4, 5, 6 };
  static const char *const cols[] = { "Field1", "Field2", "Field3" };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-low-header.xlsx", NULL, &probs);
  assert_cols(t, cols, 3);
  assert_rows(t, rows, 5);
  assert_string_equal(tm_table_cell(t, 1, 0), "code");
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].kind, "no-header-row");
  assert_int_equal(probs.v[0].severity, TM_WARNING);
  assert_int_equal(probs.v[0].where.row, 1);
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void ods_rows_should_be_sheet_rows(void **state)
{
  static const long rows[] = { 2, 3, 4 };
  static const long rows_nh[] = { 1, 2, 3, 4 };
  static const char *const cols[] = { "code", "name", "lat" };
  struct tm_read_opts nh = { .no_header = true };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-sheets.ods", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_string_equal(t->driver, "ODS");
  assert_string_equal(t->layer, "trusts");
  assert_cols(t, cols, 3);
  assert_rows(t, rows, 3);
  assert_string_equal(tm_table_cell(t, 0, 0), "RXH");
  assert_string_equal(tm_table_cell(t, 1, 1), "");
  assert_string_equal(tm_table_cell(t, 2, 1), "Bristol\nRoyal");
  tm_table_free(t);

  t = read_ok(FIX "read-sheets.ods", &nh, &probs);
  assert_int_equal(probs.n, 0);
  assert_rows(t, rows_nh, 4);
  assert_string_equal(tm_table_cell(t, 0, 0), "code");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void layer_option_should_pick_the_sheet(void **state)
{
  static const long rows[] = { 2 };
  static const char *const cols[] = { "note", "by" };
  struct tm_read_opts o = { .layer = "notes" };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-sheets.xlsx", &o, &probs);
  assert_int_equal(probs.n, 0);
  assert_string_equal(t->layer, "notes");
  assert_cols(t, cols, 2);
  assert_rows(t, rows, 1);
  assert_string_equal(tm_table_cell(t, 0, 0), "from the FOI team");
  tm_table_free(t);

  t = read_ok(FIX "read-sheets.ods", &o, &probs);
  assert_int_equal(probs.n, 0);
  assert_string_equal(t->layer, "notes");
  assert_rows(t, rows, 1);
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void unknown_layer_should_list_the_layers(void **state)
{
  struct tm_read_opts o = { .layer = "sites" };
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;

  (void)state;
  pr = read_refused(FIX "read-sheets.xlsx", &o, &probs);
  assert_string_equal(pr->kind, "no-such-layer");
  assert_string_equal(pr->what, "has no layer named \"sites\" (layers: "
                      "trusts, notes)");
  tm_problems_clear(&probs);
}

/* ---- layers with geometry --------------------------------------------- */

static void gpkg_in_bng_should_give_eastings_and_epsg_27700(void **state)
{
  static const long rows[] = { 1, 2, 3 };
  static const char *const cols[] = { "code", "name" };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-bng.gpkg", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_string_equal(t->driver, "GPKG");
  assert_string_equal(t->layer, "sites");
  assert_cols(t, cols, 2);
  assert_rows(t, rows, 3);
  assert_true(t->has_geometry);
  assert_string_equal(t->geometry_crs, "EPSG:27700");
  /* As ogrinfo shows them: x = easting, y = northing. */
  assert_true(t->has_xy[0]);
  assert_true(fabs(t->gx[0] - 532976.554741316) < 1e-6);
  assert_true(fabs(t->gy[0] - 103901.622269538) < 1e-6);
  assert_true(t->has_xy[1]);
  assert_true(fabs(t->gx[1] - 358646.230359344) < 1e-6);
  assert_true(fabs(t->gy[1] - 173438.14240999) < 1e-6);
  assert_false(t->has_xy[2]);
  assert_string_equal(tm_table_cell(t, 2, 1), "No location yet");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void geojson_points_should_be_lon_lat_in_epsg_4326(void **state)
{
  static const long rows[] = { 1, 2, 3 };
  static const char *const cols[] = { "code", "beds" };
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-points.geojson", NULL, &probs);
  assert_int_equal(probs.n, 0);
  assert_string_equal(t->driver, "GeoJSON");
  assert_cols(t, cols, 2);
  assert_rows(t, rows, 3);
  assert_true(t->has_geometry);
  assert_string_equal(t->geometry_crs, "EPSG:4326");
  assert_true(t->has_xy[0]);
  assert_true(t->gx[0] == -0.1136);
  assert_true(t->gy[0] == 50.8194);
  assert_false(t->has_xy[1]);   /* a line is not a point */
  assert_false(t->has_xy[2]);   /* no geometry */
  assert_string_equal(tm_table_cell(t, 0, 1), "5");
  assert_string_equal(tm_table_cell(t, 2, 1), "");
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void gdal_error_while_opening_should_become_a_note(void **state)
{
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-bad-point.geojson", NULL, &probs);
  assert_int_equal(t->nrows, 2);
  assert_true(t->has_xy[0]);
  assert_false(t->has_xy[1]);
  /* GDAL says it when opening and again when reading: one note. The
   * row is kept (without a point), so nothing stops the build. */
  assert_int_equal(probs.n, 1);
  assert_int_equal(count_kind(&probs, "read-failed"), 0);
  pr = find_kind(&probs, "gdal-error");
  assert_int_equal(pr->severity, TM_WARNING);
  assert_non_null(strstr(pr->what, "GDAL: "));
  assert_non_null(strstr(pr->what, "west"));
  tm_table_free(t);
  tm_problems_clear(&probs);
}

static void gdal_warning_should_become_a_note(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_table *t;

  (void)state;
  t = read_ok(FIX "read-csvt.csv", NULL, &probs);
  assert_int_equal(t->nrows, 1);
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].kind, "gdal-warning");
  assert_int_equal(probs.v[0].severity, TM_WARNING);
  assert_non_null(strstr(probs.v[0].what, "Bogus"));
  tm_table_free(t);
  tm_problems_clear(&probs);
}

/* ---- files that cannot be used ---------------------------------------- */

static void missing_file_should_be_an_input_problem(void **state)
{
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;

  (void)state;
  pr = read_refused(FIX "read-no-such-file.csv", NULL, &probs);
  assert_string_equal(pr->kind, "cannot-open");
  assert_string_equal(pr->what, "cannot open: No such file or directory");
  tm_problems_clear(&probs);
}

static void directory_should_be_refused(void **state)
{
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;

  (void)state;
  pr = read_refused("fixtures", NULL, &probs);
  assert_string_equal(pr->kind, "not-a-file");
  assert_non_null(strstr(pr->what, "is a directory"));
  tm_problems_clear(&probs);
}

static void dev_zero_should_be_refused_without_reading(void **state)
{
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;

  (void)state;
  pr = read_refused("/dev/zero", NULL, &probs);
  assert_string_equal(pr->kind, "not-a-file");
  assert_string_equal(pr->what, "is a device, not a table file");
  tm_problems_clear(&probs);
}

static void fifo_should_be_refused_without_blocking(void **state)
{
  char dir[] = "/tmp/test_read.XXXXXX";
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;
  char *fifo;

  (void)state;
  assert_non_null(mkdtemp(dir));
  fifo = malloc(strlen(dir) + 16);
  assert_non_null(fifo);
  snprintf(fifo, strlen(dir) + 16, "%s/pipe.csv", dir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  /* Opening a FIFO for reading would wait for a writer forever. */
  pr = read_refused(fifo, NULL, &probs);
  assert_string_equal(pr->kind, "not-a-file");
  assert_string_equal(pr->what, "is a named pipe, not a table file");
  tm_problems_clear(&probs);
  unlink(fifo);
  rmdir(dir);
  free(fifo);
}

static void not_a_table_should_say_what_gdal_reads(void **state)
{
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;

  (void)state;
  pr = read_refused(FIX "read-not-a-table.dat", NULL, &probs);
  assert_string_equal(pr->kind, "not-a-table");
  assert_string_equal(pr->what, "is not a table GDAL can read (CSV, XLSX, "
                      "ODS, GeoPackage, GeoJSON, Shapefile...)");
  tm_problems_clear(&probs);
}

static void csv_starting_with_a_blank_line_should_say_so(void **state)
{
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;

  (void)state;
  pr = read_refused(FIX "read-leading-blank.csv", NULL, &probs);
  assert_string_equal(pr->kind, "not-a-table");
  assert_non_null(strstr(pr->what, "starts with a blank line"));
  tm_problems_clear(&probs);
}

static void one_column_csv_should_say_so(void **state)
{
  struct tm_problems probs = { 0 };
  const struct tm_problem *pr;

  (void)state;
  pr = read_refused(FIX "read-one-column.csv", NULL, &probs);
  assert_string_equal(pr->kind, "not-a-table");
  assert_non_null(strstr(pr->what, "single column"));
  tm_problems_clear(&probs);
}

/* Everything above, again, with stderr caught: read.c must print
 * nothing, whatever GDAL has to say. */
static void reading_should_print_nothing(void **state)
{
  static const char *const files[] = {
    FIX "read-header.csv", FIX "read-bad-point.geojson",
    FIX "read-csvt.csv", FIX "read-unterminated.csv",
    FIX "read-undefined-byte.csv", FIX "read-not-a-table.dat",
    FIX "read-leading-blank.csv", FIX "read-one-column.csv",
    FIX "read-sheets.xlsx", FIX "read-sheets.ods", FIX "read-bng.gpkg",
    FIX "read-utf16.txt", FIX "read-not-sign.csv",
    FIX "read-no-such-file.csv", "fixtures",
    "/dev/zero"
  };
  char path[] = "/tmp/test_read_stderr.XXXXXX";
  struct tm_problems probs = { 0 };
  struct stat st;
  int fd, saved;
  size_t i;

  (void)state;
  fd = mkstemp(path);
  assert_true(fd >= 0);
  fflush(stderr);
  saved = dup(2);
  assert_true(saved >= 0);
  assert_true(dup2(fd, 2) >= 0);
  for(i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    struct tm_error err = { 0 };
    struct tm_table *t = NULL;

    if(tm_read_table(files[i], NULL, &probs, &err, &t) == TM_OK)
      tm_table_free(t);
  }
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  assert_int_equal(fstat(fd, &st), 0);
  close(fd);
  unlink(path);
  assert_int_equal(st.st_size, 0);
  assert_true(probs.n > 0);
  tm_problems_clear(&probs);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(csv_with_header_should_number_rows_from_line_2),
    cmocka_unit_test(csv_without_header_should_start_at_row_1),
    cmocka_unit_test(csv_blank_lines_should_be_skipped_but_counted),
    cmocka_unit_test(csv_quoted_newlines_should_keep_later_row_numbers),
    cmocka_unit_test(csv_crlf_should_count_lines_once),
    cmocka_unit_test(csv_cr_line_ends_should_count_as_lines),
    cmocka_unit_test(utf8_bom_should_not_reach_the_first_name),
    cmocka_unit_test(cp1252_values_should_be_converted_with_one_note),
    cmocka_unit_test(cp1252_should_decode_every_byte_as_iconv_does),
    cmocka_unit_test(each_undefined_cp1252_byte_should_be_an_error),
    cmocka_unit_test(cp1252_column_name_should_be_converted),
    cmocka_unit_test(undefined_cp1252_byte_should_be_an_error_on_its_row),
    cmocka_unit_test(unterminated_quote_should_be_an_error_where_it_opens),
    cmocka_unit_test(semicolon_csv_should_split_on_semicolons),
    cmocka_unit_test(utf16_text_should_be_read_as_utf8_with_a_note),
    cmocka_unit_test(tab_separated_txt_should_be_read_as_csv),
    cmocka_unit_test(not_sign_separated_text_should_be_read),
    cmocka_unit_test(csv_rows_should_match_gdal_on_random_files),
    cmocka_unit_test(xlsx_rows_should_be_sheet_rows),
    cmocka_unit_test(xlsx_without_header_should_start_at_row_1),
    cmocka_unit_test(xlsx_missing_rows_should_keep_sheet_numbers),
    cmocka_unit_test(sheet_without_header_on_row_1_should_say_so),
    cmocka_unit_test(ods_rows_should_be_sheet_rows),
    cmocka_unit_test(layer_option_should_pick_the_sheet),
    cmocka_unit_test(unknown_layer_should_list_the_layers),
    cmocka_unit_test(gpkg_in_bng_should_give_eastings_and_epsg_27700),
    cmocka_unit_test(geojson_points_should_be_lon_lat_in_epsg_4326),
    cmocka_unit_test(gdal_error_while_opening_should_become_a_note),
    cmocka_unit_test(gdal_warning_should_become_a_note),
    cmocka_unit_test(missing_file_should_be_an_input_problem),
    cmocka_unit_test(directory_should_be_refused),
    cmocka_unit_test(dev_zero_should_be_refused_without_reading),
    cmocka_unit_test(fifo_should_be_refused_without_blocking),
    cmocka_unit_test(not_a_table_should_say_what_gdal_reads),
    cmocka_unit_test(csv_starting_with_a_blank_line_should_say_so),
    cmocka_unit_test(one_column_csv_should_say_so),
    cmocka_unit_test(reading_should_print_nothing),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
