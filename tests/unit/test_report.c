/* test_report.c - the report: exact accounting of every input row, the
 * JSON shape, and Markdown that stays text whatever the inputs hold.
 *
 * A run is built by hand: in-memory tables read with rows.c, sites placed
 * as reproject.c would place lat/lon input (plus one point "outside the
 * UK", excluded the way reproject.c does it), joined with join.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report.h"
#include "support.h"

#define TRUSTS "trusts.csv"
#define FOI "foi-2025-03.csv"
#define EVIL "<img src=x onerror=alert(1)>"

static const char style_json[] =
  "{\"title\": \"Is your hospital counting? | *[x](y)*\","
  "\"statuses\": {"
  "\"collecting\": {\"label\": \"Collecting\", \"colour\": \"#005a3c\", "
  "\"glyph\": \"tick\", \"aliases\": [\"yes\"]},"
  "\"partial\": {\"label\": \"Partial | some\", \"colour\": \"#c25e00\", "
  "\"glyph\": \"half\", \"aliases\": [\"partially\"]},"
  "\"not_collecting\": {\"label\": \"Not collecting\", \"colour\": "
  "\"#d0209a\", \"glyph\": \"cross\", \"aliases\": [\"no\"]},"
  "\"no_response\": {\"label\": \"No response\", \"colour\": \"#848484\", "
  "\"glyph\": \"question\", \"aliases\": [\"n/a\", \"\"]}}}";

struct run {
  struct tm_style *style;
  struct tm_sites *sites;
  struct tm_fois *fois;
  struct tm_problems probs;
  struct tm_trusts *trusts;
  struct tm_pins *pins;
  struct tm_transforms transforms;
  struct tm_tiles_summary tiles;
  struct tm_report r;
};

/* Rows 2-13 of the trusts file and 2-9 of the FOI file, with every way a
 * row can be used or left off short of an error. */
static void build(struct run *run, const char *trusts_path,
                  const char *foi_path)
{
  struct tm_table *tt = SUPPORT_TABLE(trusts_path, 7,
    "code", "name", "site_code", "site_name", "nation", "latitude",
      "longitude",
    "RRV", "UCLH", "RRV03", "University College", "", "51.52", "-0.13",
    "RRV", "UCLH", "RRV30", "Westmoreland Street", "", "51.51", "-0.14",
    "", "No Code", "", "", "", "51.5", "-0.1",              /* no-code */
    "RAL", "", "", "", "", "51.5", "-0.1",                  /* no-name */
    "", "", "", "", "", "", "",                             /* blank */
    "RJ1", "Guy's", "", "", "", "abc", "-0.08",             /* bad */
    "7A1", "Betsi " EVIL " | x", "", "", "wales", "53.2", "-4.1",
    "7A1", "Betsi " EVIL " | x", "", "", "wales", "53.2", "-4.1",  /* dup */
    "RYJ", "Imperial", "", "", EVIL " | x", "51.5", "-0.17",
    "RQM", "Chelsea", "", "", "", "48.85", "2.35",          /* France */
    "", "", "", "", "", "", "",                             /* blank */
    "RAP", "North Mid", "", "", "", "51.61", "-0.07");
  struct tm_table *ft = SUPPORT_TABLE(foi_path, 3,
    "code", "status", "notes",
    "RRV", "Yes", "",
    "7a1", "partially", "",
    "", "", "",                                             /* blank */
    "RYJ", "no", "",
    "RYJ", "No", "",                                        /* dup */
    " ", "Yes", "no code",                                  /* no-code */
    "RJ1", "yes", "",
    "RQM", "n/a", "");
  struct tm_transform_info *ti;
  size_t i;

  memset(run, 0, sizeof(*run));
  assert_int_equal(tm_style_parse(style_json, strlen(style_json),
                                  "styles/x.json", &run->probs, &run->style),
                   TM_OK);
  assert_int_equal(tm_sites_from_table(tt, NULL, NULL, "EPSG:27700",
                                       &run->probs, &run->sites), TM_OK);
  assert_int_equal(tm_fois_from_table(ft, NULL, run->style, &run->probs,
                                      &run->fois), TM_OK);
  tm_table_free(tt);
  tm_table_free(ft);

  /* What reproject.c does for lat/lon input. */
  ti = &run->transforms.v[run->transforms.n++];
  ti->source = tm_xstrdup("EPSG:4326");
  ti->operation = tm_xstrdup("axis order change (2D)");
  ti->accuracy = 0;
  for(i = 0; i < run->sites->n; i++) {
    struct tm_site *s = &run->sites->v[i];

    if(s->excluded)
      continue;
    if(s->x > 1.95) {
      tm_problem_exclude(&run->probs, &s->where, "outside-uk",
                         "check the coordinates", "outside the UK");
      s->excluded = true;
      continue;
    }
    s->lon = s->x;
    s->lat = s->y;
    ti->points++;
  }
  assert_int_equal(tm_join(run->sites, run->fois, "2025-03", &run->probs,
                           &run->trusts, &run->pins), TM_OK);
  tm_problems_sort(&run->probs);

  run->tiles.tiles[5] = 3;
  run->tiles.tiles_2x[5] = 3;
  run->tiles.tiles[6] = 4;
  run->tiles.tiles_2x[6] = 4;
  run->tiles.bytes = 12345;

  run->r.trusts_path = trusts_path;
  run->r.foi_path = foi_path;
  run->r.round = run->pins->round;
  run->r.style = run->style;
  run->r.sites = run->sites;
  run->r.fois = run->fois;
  run->r.trusts = run->trusts;
  run->r.pins = run->pins;
  run->r.transforms = &run->transforms;
  run->r.probs = &run->probs;
  run->r.tiles = &run->tiles;
  run->r.minzoom = 5;
  run->r.maxzoom = 6;
}

static void done(struct run *run)
{
  tm_transforms_clear(&run->transforms);
  tm_pins_free(run->pins);
  tm_trusts_free(run->trusts);
  tm_fois_free(run->fois);
  tm_sites_free(run->sites);
  tm_style_free(run->style);
  tm_problems_clear(&run->probs);
}

static size_t excluding_problems(const struct tm_problems *probs,
                                 const char *path)
{
  size_t i, n = 0;

  for(i = 0; i < probs->n; i++)
    if(probs->v[i].excludes_row && !strcmp(probs->v[i].where.path, path))
      n++;
  return n;
}

/* ---- accounting ----------------------------------------------------- */

static void every_trusts_row_should_be_accounted_for(void **state)
{
  struct run run;
  size_t left_off;

  (void)state;
  build(&run, TRUSTS, FOI);
  assert_int_equal(tm_problems_count(&run.probs, TM_ERROR), 0);
  left_off = tm_report_rows_left_off(&run.r);
  assert_int_equal(run.sites->rows, 12);
  assert_int_equal(run.sites->blank_rows, 2);
  /* on the map: RRV03, RRV30, 7A1, RYJ, RAP */
  assert_int_equal(run.pins->n, 5);
  /* left off: no code, no name, bad latitude, duplicate, France */
  assert_int_equal(left_off, 5);
  assert_int_equal(run.sites->rows,
                   run.pins->n + left_off + run.sites->blank_rows);
  /* and each row left off has its problem */
  assert_int_equal(excluding_problems(&run.probs, TRUSTS), left_off);
  done(&run);
}

static void every_foi_row_should_be_accounted_for(void **state)
{
  struct run run;
  size_t ignored;

  (void)state;
  build(&run, TRUSTS, FOI);
  ignored = tm_report_answers_ignored(&run.r);
  assert_int_equal(run.fois->rows, 8);
  assert_int_equal(run.fois->blank_rows, 1);
  /* ignored: the repeated RYJ answer and the row without a code */
  assert_int_equal(ignored, 2);
  assert_int_equal(run.fois->rows,
                   (run.fois->n - ignored) + ignored + run.fois->blank_rows);
  assert_int_equal(excluding_problems(&run.probs, FOI), ignored);
  done(&run);
}

/* Both tables may come from one workbook (--layer trusts=... --layer
 * foi=...): the FOI sheet's problems must not count as trusts rows. */
static void one_workbook_for_both_should_still_add_up(void **state)
{
  struct run run;
  size_t left_off;

  (void)state;
  build(&run, "book.xlsx", "book.xlsx");
  left_off = tm_report_rows_left_off(&run.r);
  assert_int_equal(left_off, 5);
  assert_int_equal(run.sites->rows,
                   run.pins->n + left_off + run.sites->blank_rows);
  assert_int_equal(tm_report_answers_ignored(&run.r), 2);
  done(&run);
}

/* ---- JSON ----------------------------------------------------------- */

static double number(const cJSON *o, const char *path)
{
  char buf[128], *key, *save = NULL;
  const cJSON *at = o;

  snprintf(buf, sizeof(buf), "%s", path);
  for(key = strtok_r(buf, ".", &save); key; key = strtok_r(NULL, ".", &save))
  {
    at = cJSON_GetObjectItemCaseSensitive(at, key);
    if(!at)
      fail_msg("no %s in the report (at %s)", path, key);
  }
  if(!cJSON_IsNumber(at))
    fail_msg("%s is not a number", path);
  return at->valuedouble;
}

static void json_should_parse_and_add_up(void **state)
{
  struct run run;
  char *text;
  cJSON *root, *probs;

  (void)state;
  build(&run, TRUSTS, FOI);
  text = tm_report_json(&run.r);
  root = cJSON_Parse(text);
  assert_non_null(root);
  assert_int_equal(text[strlen(text) - 1], '\n');

  assert_true(number(root, "inputs.trusts.rows") ==
              number(root, "inputs.trusts.on_map") +
              number(root, "inputs.trusts.left_off") +
              number(root, "inputs.trusts.blank_rows"));
  assert_true(number(root, "inputs.trusts.rows") == 12);
  assert_true(number(root, "inputs.trusts.on_map") == 5);
  assert_true(number(root, "inputs.foi.rows") ==
              number(root, "inputs.foi.answers_used") +
              number(root, "inputs.foi.ignored") +
              number(root, "inputs.foi.blank_rows"));
  assert_true(number(root, "inputs.foi.answers_used") == 5);

  /* trusts: RRV collecting, 7A1 partial, RYJ not collecting, RJ1 and
   * RQM answered but not on the map, RAP without an answer */
  assert_true(number(root, "trusts.total") == 6);
  assert_true(number(root, "trusts.answered") == 5);
  assert_true(number(root, "trusts.by_status.collecting") == 2);
  assert_true(number(root, "trusts.by_status.no_response") == 2);
  assert_true(number(root, "trusts.by_status.total") == 6);
  assert_true(number(root, "pins.collecting") == 2);
  assert_true(number(root, "pins.total") == 5);

  assert_true(number(root, "by_nation.England.trusts.total") == 4);
  assert_true(number(root, "by_nation.England.pins.collecting") == 2);
  assert_true(number(root, "by_nation.England.pins.no_response") == 1);
  assert_true(number(root, "by_nation.Wales.trusts.partial") == 1);
  assert_true(number(root, "by_nation.Wales.pins.total") == 1);
  /* a nation spelled some other way is kept as written */
  assert_true(number(root, "by_nation." EVIL " | x.pins.not_collecting")
              == 1);
  assert_null(cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(root, "by_nation"),
                "Scotland"));

  assert_true(number(root, "tiles.files") == 14);
  assert_true(number(root, "tiles.bytes") == 12345);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
                     cJSON_GetObjectItemCaseSensitive(root, "tiles"),
                     "per_zoom")), 2);
  assert_true(number(root, "problem_counts.errors") == 0);
  probs = cJSON_GetObjectItemCaseSensitive(root, "problems");
  assert_int_equal(cJSON_GetArraySize(probs), (int)run.probs.n);
  assert_true(number(root, "problem_counts.warnings") == run.probs.n);
  assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetArrayItem(probs, 0), "file")), TRUSTS);
  assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                        root, "round")), "2025-03");
  cJSON_Delete(root);
  free(text);
  done(&run);
}

static void json_should_not_depend_on_anything_but_the_run(void **state)
{
  struct run a, b;
  char *ta, *tb;

  (void)state;
  build(&a, TRUSTS, FOI);
  build(&b, TRUSTS, FOI);
  ta = tm_report_json(&a.r);
  tb = tm_report_json(&b.r);
  assert_string_equal(ta, tb);
  free(ta);
  free(tb);
  ta = tm_report_markdown(&a.r);
  tb = tm_report_markdown(&b.r);
  assert_string_equal(ta, tb);
  free(ta);
  free(tb);
  done(&a);
  done(&b);
}

/* ---- Markdown ------------------------------------------------------- */

/* Pipes that end table cells: those not escaped with a backslash. */
static size_t cell_pipes(const char *line, size_t n)
{
  size_t i, pipes = 0;

  for(i = 0; i < n; i++) {
    if(line[i] == '\\') {
      i++;
      continue;
    }
    if(line[i] == '|')
      pipes++;
  }
  return pipes;
}

/* Every row of every table has as many cells as its header. */
static void expect_tables_intact(const char *md)
{
  const char *line = md;
  size_t header = 0, lineno = 1;

  while(*line) {
    const char *end = strchr(line, '\n');
    size_t n = end ? (size_t)(end - line) : strlen(line);

    if(n && line[0] == '|') {
      if(!header)
        header = cell_pipes(line, n);
      else if(cell_pipes(line, n) != header)
        fail_msg("line %zu breaks its table: %.*s", lineno, (int)n, line);
    }
    else
      header = 0;
    line += n + (end ? 1 : 0);
    lineno++;
  }
}

/* The line holding part, with Markdown's backslash escapes undone. */
static char *unescaped_line(const char *md, const char *part)
{
  const char *at = strstr(md, part), *start, *end;
  char *out, *o;

  if(!at)
    fail_msg("no \"%s\" in the report", part);
  for(start = at; start > md && start[-1] != '\n'; start--)
    ;
  end = strchr(at, '\n');
  out = o = tm_xmalloc((size_t)(end - start) + 1);
  for(; start < end; start++) {
    if(*start == '\\' && start + 1 < end)
      start++;
    *o++ = *start;
  }
  *o = '\0';
  return out;
}

static void markdown_should_keep_hostile_text_as_text(void **state)
{
  struct run run;
  char *md, *line;
  size_t i;

  (void)state;
  build(&run, TRUSTS, FOI);
  /* text from a cell, in a message, trying to start a line of its own */
  tm_problem_note(&run.probs, &run.sites->v[0].where, "k", "fix " EVIL,
                  "name \"%s\"\n# heading\r\n- item", EVIL);
  md = tm_report_markdown(&run.r);
  line = unescaped_line(md, "name \"");
  assert_non_null(strstr(line, "name \"" EVIL "\" # heading  - item (fix "
                          EVIL ")"));
  free(line);
  assert_null(strstr(md, "\n# heading"));
  assert_null(strstr(md, "\n- item"));
  /* no tag can open: every '<' is escaped */
  for(i = 0; md[i]; i++) {
    if(md[i] == '\\' && md[i + 1]) {
      i++;
      continue;
    }
    if(md[i] == '<')
      fail_msg("unescaped '<' at byte %zu:\n%s", i, md);
  }
  /* the text itself is all still there, to be read as written */
  line = unescaped_line(md, "onerror");
  assert_non_null(strstr(line, "| " EVIL " | x | 0 | 0 | 1 | 0 | 1 |"));
  free(line);
  line = unescaped_line(md, "Partial");
  assert_non_null(strstr(line, "| Partial | some |"));
  free(line);
  line = unescaped_line(md, "# Is your");
  assert_string_equal(line, "# Is your hospital counting? | *[x](y)*");
  free(line);
  /* and no row of a table gains a cell */
  expect_tables_intact(md);
  free(md);
  done(&run);
}

static void markdown_should_give_the_accounting_line(void **state)
{
  struct run run;
  char *md;

  (void)state;
  build(&run, TRUSTS, FOI);
  md = tm_report_markdown(&run.r);
  assert_non_null(strstr(md, ": 12 rows = 5 on the map + 5 left off (see "
                         "Problems) + 2 blank.\n"));
  assert_non_null(strstr(md, ": 8 rows = 5 answers used + 2 ignored (see "
                         "Problems) + 1 blank.\n"));
  assert_non_null(strstr(md, "- 6 trusts; 1 have no FOI row"));
  assert_non_null(strstr(md, ": RAP.\n"));
  assert_non_null(strstr(md, "- 6 points from EPSG:4326 to EPSG:4326 with "));
  assert_non_null(strstr(md, "| 5 | 3 | 3 |\n| 6 | 4 | 4 |\n"));
  assert_non_null(strstr(md, "0 errors, "));
  assert_non_null(strstr(md, "- trusts.csv:4 warning: no organisation code"));
  free(md);
  done(&run);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_trusts_row_should_be_accounted_for),
    cmocka_unit_test(every_foi_row_should_be_accounted_for),
    cmocka_unit_test(one_workbook_for_both_should_still_add_up),
    cmocka_unit_test(json_should_parse_and_add_up),
    cmocka_unit_test(json_should_not_depend_on_anything_but_the_run),
    cmocka_unit_test(markdown_should_keep_hostile_text_as_text),
    cmocka_unit_test(markdown_should_give_the_accounting_line),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
