/* test_join.c - each trust's FOI answer onto its sites: inheritance,
 * trusts without answers, answers without trusts, duplicates and
 * conflicts in either file, orphan sites, and the fixed pin order.
 *
 * Inputs are built as in-memory tables and read with rows.c; instead of
 * PROJ, each site's lon/lat is its lat/lon columns (what reproject.c gives
 * for EPSG:4326 input), so no library beyond the style parser is needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"
#include "support.h"

#define TRUSTS "trusts.csv"
#define FOI "foi.csv"

/* ---- inputs --------------------------------------------------------- */

static const char style_json[] =
  "{\"statuses\": {"
  "\"collecting\": {\"label\": \"Collecting\", \"colour\": \"#005a3c\", "
  "\"glyph\": \"tick\", \"aliases\": [\"yes\"]},"
  "\"partial\": {\"label\": \"Partial\", \"colour\": \"#c25e00\", "
  "\"glyph\": \"half\", \"aliases\": [\"partially\"]},"
  "\"not_collecting\": {\"label\": \"Not collecting\", \"colour\": "
  "\"#d0209a\", \"glyph\": \"cross\", \"aliases\": [\"no\"]},"
  "\"no_response\": {\"label\": \"No response\", \"colour\": \"#848484\", "
  "\"glyph\": \"question\", \"aliases\": [\"n/a\", \"\"]}}}";

/* Everything one join needs, freed together. */
struct fixture {
  struct tm_style *style;
  struct tm_sites *sites;
  struct tm_fois *fois;
  struct tm_problems probs;
  struct tm_trusts *trusts;
  struct tm_pins *pins;
};

/* Reads both tables (and frees them), places the sites as reproject.c
 * would for lat/lon input, and joins. */
static void join(struct fixture *fx, struct tm_table *trusts,
                 struct tm_table *foi)
{
  size_t i;

  memset(fx, 0, sizeof(*fx));
  assert_int_equal(tm_style_parse(style_json, strlen(style_json),
                                  "style.json", &fx->probs, &fx->style),
                   TM_OK);
  assert_int_equal(tm_sites_from_table(trusts, NULL, NULL, "EPSG:27700",
                                       &fx->probs, &fx->sites), TM_OK);
  assert_int_equal(tm_fois_from_table(foi, NULL, fx->style, &fx->probs,
                                      &fx->fois), TM_OK);
  tm_table_free(trusts);
  tm_table_free(foi);
  for(i = 0; i < fx->sites->n; i++) {
    struct tm_site *s = &fx->sites->v[i];

    if(s->excluded)
      continue;
    s->lon = s->x;
    s->lat = s->y;
    s->mx = s->x * 1000;
    s->my = s->y * 1000;
  }
  assert_int_equal(tm_join(fx->sites, fx->fois, "March 2025", &fx->probs,
                           &fx->trusts, &fx->pins), TM_OK);
  assert_non_null(fx->trusts);
  assert_non_null(fx->pins);
}

static void done(struct fixture *fx)
{
  tm_pins_free(fx->pins);
  tm_trusts_free(fx->trusts);
  tm_fois_free(fx->fois);
  tm_sites_free(fx->sites);
  tm_style_free(fx->style);
  tm_problems_clear(&fx->probs);
}

static const struct tm_pin *pin(const struct fixture *fx, const char *code,
                                const char *name)
{
  size_t i;

  for(i = 0; i < fx->pins->n; i++)
    if(!strcmp(fx->pins->v[i].code, code) &&
       (!name || !strcmp(fx->pins->v[i].name, name)))
      return &fx->pins->v[i];
  fail_msg("no pin %s %s", code, name ? name : "");
  return NULL;
}

#define TRUST_HEADER \
  "code", "name", "site_code", "site_name", "latitude", "longitude"

/* ---- answers onto trusts -------------------------------------------- */

static void every_site_should_inherit_its_trusts_status(void **state)
{
  struct fixture fx;
  const struct tm_trust *t;
  size_t i;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RRV", "UCLH", "RRV03", "University College Hospital", "51.52",
           "-0.13",
         "RRV", "UCLH", "RRV30", "Westmoreland Street", "51.51", "-0.14",
         "rrv", "UCLH", "", "Eastman Dental Hospital", "51.52", "-0.11",
         "RJ1", "Guy's and St Thomas'", "", "", "51.50", "-0.08"),
       SUPPORT_TABLE(FOI, 3, "code", "status", "notes",
         "RRV", "Yes", "via the registry",
         "rj1", "Partially", ""));
  support_expect_problems(&fx.probs, 0);
  assert_int_equal(fx.pins->n, 4);
  assert_string_equal(fx.pins->round, "March 2025");
  for(i = 0; i < 3; i++) {
    const struct tm_pin *p = &fx.pins->v[i + 1];

    assert_string_equal(p->trust_code, "RRV");
    assert_string_equal(p->trust_name, "UCLH");
    assert_true(p->is_site);
    assert_int_equal(p->status, TM_STATUS_COLLECTING);
    assert_string_equal(p->notes, "via the registry");
    assert_string_equal(p->nation, "England");
  }
  assert_int_equal(pin(&fx, "RJ1", NULL)->status, TM_STATUS_PARTIAL);
  assert_false(pin(&fx, "RJ1", NULL)->is_site);
  assert_true(pin(&fx, "RRV03", NULL)->lat == 51.52);
  assert_true(pin(&fx, "RRV03", NULL)->mx == -130);

  assert_int_equal(fx.trusts->n, 2);
  t = tm_trusts_find(fx.trusts, "RRV");
  assert_non_null(t);
  assert_string_equal(t->name, "UCLH");
  assert_int_equal(t->status, TM_STATUS_COLLECTING);
  assert_true(t->answered);
  assert_int_equal(t->pins, 3);
  assert_string_equal(t->answer.path, FOI);
  assert_int_equal(t->answer.row, 2);
  assert_string_equal(t->notes, "via the registry");
  assert_null(tm_trusts_find(fx.trusts, "rrv"));
  assert_null(tm_trusts_find(fx.trusts, "RRV03"));
  done(&fx);
}

static void trust_without_foi_row_should_be_no_response(void **state)
{
  struct fixture fx;
  const struct tm_trust *t;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RRV", "UCLH", "", "", "51.52", "-0.13",
         "RAL", "Royal Free", "", "", "51.55", "-0.16"),
       SUPPORT_TABLE(FOI, 2, "code", "status", "RRV", "No"));
  support_expect_problems(&fx.probs, 0);
  t = tm_trusts_find(fx.trusts, "RAL");
  assert_non_null(t);
  assert_int_equal(t->status, TM_STATUS_NO_RESPONSE);
  assert_false(t->answered);
  assert_int_equal(t->answer.row, 0);
  assert_string_equal(t->notes, "");
  assert_int_equal(pin(&fx, "RAL", NULL)->status, TM_STATUS_NO_RESPONSE);
  assert_string_equal(pin(&fx, "RAL", NULL)->notes, "");
  /* an answer of "no response" is still an answer */
  done(&fx);
}

static void trust_should_know_its_first_row(void **state)
{
  struct fixture fx;
  const struct tm_trust *t;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RRV", "UCLH", "RRV30", "Westmoreland Street", "51.51", "-0.14",
         "RRV", "UCLH", "RRV03", "University College Hospital", "51.52",
           "-0.13"),
       SUPPORT_TABLE(FOI, 2, "code", "status", "RRV", "No"));
  t = tm_trusts_find(fx.trusts, "RRV");
  assert_non_null(t);
  assert_string_equal(t->where.path, TRUSTS);
  assert_int_equal(t->where.row, 2);
  done(&fx);
}

/* ---- answers without trusts ----------------------------------------- */

static void foi_code_not_a_trust_should_be_an_error_on_its_row(void **state)
{
  struct fixture fx;
  const struct tm_problem *p;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RRV", "UCLH", "RRV03", "University College Hospital", "51.52",
           "-0.13",
         "RAL", "Royal Free", "", "", "51.55", "-0.16"),
       SUPPORT_TABLE(FOI, 2, "code", "status",
         "RRV", "Yes",
         "RXX", "No",
         " rrv03", "Yes"));
  support_expect_problems(&fx.probs, 2);
  p = support_problem_on(&fx.probs, FOI, 3);
  assert_int_equal(p->severity, TM_ERROR);
  assert_string_equal(p->kind, "unknown-code");
  assert_string_equal(p->what,
                      "code \"RXX\" is not a known trust (not in "
                      TRUSTS ")");
  assert_string_equal(p->fix, "check the code, or add the trust to "
                      TRUSTS);
  p = support_problem_on(&fx.probs, FOI, 4);
  assert_string_equal(p->kind, "unknown-code");
  assert_string_equal(p->fix, "RRV03 is a site of trust RRV; FOI answers "
                      "are per trust, so use RRV");
  assert_true(fx.fois->v[1].excluded);
  assert_true(fx.fois->v[2].excluded);
  assert_false(fx.fois->v[0].excluded);
  done(&fx);
}

/* ---- duplicates in the FOI file ------------------------------------- */

static void same_answer_twice_should_ignore_the_second(void **state)
{
  struct fixture fx;
  const struct tm_problem *p;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RRV", "UCLH", "", "", "51.52", "-0.13"),
       SUPPORT_TABLE(FOI, 3, "code", "status", "notes",
         "RRV", "Yes", "first",
         "RAL", "", "",
         "rrv ", "YES", "second"));
  /* RAL is not a trust here: one error for it, one warning for RRV */
  support_expect_problems(&fx.probs, 2);
  p = support_problem_on(&fx.probs, FOI, 4);
  assert_int_equal(p->severity, TM_WARNING);
  assert_true(p->excludes_row);
  assert_string_equal(p->kind, "duplicate-code");
  assert_string_equal(p->what, "code \"RRV\" repeats the answer on row 2; "
                      "this row is ignored");
  assert_string_equal(p->fix, "delete one of rows 2 and 4");
  assert_true(fx.fois->v[2].excluded);
  assert_string_equal(tm_trusts_find(fx.trusts, "RRV")->notes, "first");
  assert_int_equal(tm_trusts_find(fx.trusts, "RRV")->answer.row, 2);
  done(&fx);
}

static void conflicting_answers_should_be_an_error_naming_both(void **state)
{
  struct fixture fx;
  const struct tm_problem *p;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RJ1", "Guy's", "", "", "51.50", "-0.08"),
       SUPPORT_TABLE(FOI, 2, "code", "status",
         "RJ1", " Yes",
         "RJ1", "no"));
  support_expect_problems(&fx.probs, 1);
  p = support_problem_on(&fx.probs, FOI, 3);
  assert_int_equal(p->severity, TM_ERROR);
  assert_string_equal(p->kind, "conflicting-answer");
  assert_string_equal(p->what,
                      "code \"RJ1\" is answered twice: row 2 says \"Yes\" "
                      "(collecting), this row says \"no\" (not_collecting)");
  done(&fx);
}

/* ---- duplicates in the trusts file ---------------------------------- */

static void identical_trust_rows_should_leave_the_second_off(void **state)
{
  struct fixture fx;
  const struct tm_problem *p;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RRV", "UCLH", "", "", "51.52", "-0.13",
         "RAL", "Royal Free", "", "", "51.55", "-0.16",
         " rrv", "UCLH", "", "", "51.52", "-0.13",
         "RAL", "Royal Free", "RAL26", "Royal Free Hospital", "51.55",
           "-0.16",
         "RAL", "Royal Free", "ral26 ", "Royal Free Hospital", "51.55",
           "-0.16"),
       SUPPORT_TABLE(FOI, 2, "code", "status", "RRV", "Yes", "RAL", "Yes"));
  support_expect_problems(&fx.probs, 2);
  p = support_problem_on(&fx.probs, TRUSTS, 4);
  assert_int_equal(p->severity, TM_WARNING);
  assert_true(p->excludes_row);
  assert_string_equal(p->kind, "duplicate-code");
  assert_string_equal(p->what, "trust \"RRV\" repeats row 2; this row is "
                      "left off the map");
  assert_string_equal(p->fix, "delete one of rows 2 and 4");
  p = support_problem_on(&fx.probs, TRUSTS, 6);
  assert_string_equal(p->what, "site \"RAL26\" repeats row 5; this row is "
                      "left off the map");
  assert_int_equal(fx.pins->n, 3);
  assert_int_equal(tm_trusts_find(fx.trusts, "RRV")->pins, 1);
  done(&fx);
}

static void conflicting_trust_rows_should_be_an_error(void **state)
{
  struct fixture fx;
  const struct tm_problem *p;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RRV", "UCLH", "", "", "51.52", "-0.13",
         "RRV", "UCLH", "", "", "52.52", "-0.13",
         "RRV", "University College", "", "", "51.52", "-0.13"),
       SUPPORT_TABLE(FOI, 2, "code", "status", "RRV", "Yes"));
  support_expect_problems(&fx.probs, 2);
  p = support_problem_on(&fx.probs, TRUSTS, 3);
  assert_int_equal(p->severity, TM_ERROR);
  assert_string_equal(p->kind, "duplicate-code");
  assert_string_equal(p->what, "trust \"RRV\" is already on row 2 with a "
                      "different location");
  p = support_problem_on(&fx.probs, TRUSTS, 4);
  assert_string_equal(p->what, "trust \"RRV\" is already on row 2 with a "
                      "different name");
  done(&fx);
}

/* ---- orphans -------------------------------------------------------- */

static void site_of_a_missing_trust_should_be_left_off(void **state)
{
  struct fixture fx;
  const struct tm_problem *p;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, "OrganisationCode", "OrganisationName",
                     "ParentODSCode", "ParentName", "Latitude", "Longitude",
         "RAL26", "Royal Free Hospital", "RAL", "Royal Free London", "51.55",
           "-0.16",
         "RVL01", "Barnet Hospital", "RVL", "", "51.65", "-0.21",
         "RQM01", "Chelsea and Westminster", "RQM", "", "51.48", "-0.18",
         "RQM", "Chelsea and Westminster NHS FT", "", "", "51.48", "-0.18"),
       SUPPORT_TABLE(FOI, 2, "code", "status", "RAL", "Yes", "RVL", "No"));
  p = support_problem_on(&fx.probs, TRUSTS, 3);
  assert_int_equal(p->severity, TM_WARNING);
  assert_true(p->excludes_row);
  assert_string_equal(p->kind, "missing-parent");
  assert_string_equal(p->what, "site \"RVL01\" belongs to trust \"RVL\", "
                      "which is not in the file; the row is left off the "
                      "map");
  assert_non_null(strstr(p->fix, "add a row for trust RVL"));
  /* its trust is then unknown to the FOI file */
  p = support_problem_on(&fx.probs, FOI, 3);
  assert_string_equal(p->kind, "unknown-code");
  support_expect_problems(&fx.probs, 2);
  assert_null(tm_trusts_find(fx.trusts, "RVL"));
  /* a site named by the parent name column, or by the trust's own row,
   * has a trust */
  assert_string_equal(pin(&fx, "RAL26", NULL)->trust_name,
                      "Royal Free London");
  assert_string_equal(pin(&fx, "RQM01", NULL)->trust_name,
                      "Chelsea and Westminster NHS FT");
  assert_int_equal(fx.pins->n, 3);
  done(&fx);
}

/* ---- answers that cannot be shown ----------------------------------- */

static void answered_trust_without_pins_should_get_a_note(void **state)
{
  struct fixture fx;
  const struct tm_problem *p;
  const struct tm_trust *t;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RRV", "UCLH", "", "", "51.52", "-0.13",
         "RAL", "Royal Free", "", "", "abc", "-0.16"),
       SUPPORT_TABLE(FOI, 2, "code", "status", "RRV", "Yes", "RAL", "No"));
  support_expect_problems(&fx.probs, 2);
  assert_string_equal(support_problem_on(&fx.probs, TRUSTS, 3)->kind,
                      "bad-coordinate");
  p = support_problem_on(&fx.probs, FOI, 3);
  assert_int_equal(p->severity, TM_WARNING);
  assert_false(p->excludes_row);
  assert_string_equal(p->kind, "answer-not-shown");
  assert_non_null(strstr(p->what, "\"RAL\""));
  /* the answer is known, just not on the map */
  t = tm_trusts_find(fx.trusts, "RAL");
  assert_non_null(t);
  assert_true(t->answered);
  assert_int_equal(t->status, TM_STATUS_NOT_COLLECTING);
  assert_int_equal(t->pins, 0);
  assert_int_equal(fx.pins->n, 1);
  done(&fx);
}

/* ---- order ---------------------------------------------------------- */

static void pins_should_come_in_trust_then_code_order(void **state)
{
  static const char *const want[][2] = {
    { "RAL", "RAL" }, { "RAL", "RAL01" }, { "RAL", "RAL26" },
    { "RJ1", "RJ1" }, { "RJ1", "RJ121" },
    { "RRV", "RRV03" }, { "RRV", "RRV30" },
  };
  struct fixture fx;
  size_t i;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RRV", "UCLH", "RRV30", "Westmoreland Street", "51.51", "-0.14",
         "RJ1", "Guy's", "RJ121", "Guy's Hospital", "51.50", "-0.08",
         "RAL", "Royal Free", "RAL26", "Royal Free Hospital", "51.55",
           "-0.16",
         "RRV", "UCLH", "RRV03", "University College Hospital", "51.52",
           "-0.13",
         "RAL", "Royal Free", "", "", "51.55", "-0.17",
         "RAL", "Royal Free", "RAL01", "Barnet Hospital", "51.65", "-0.21",
         "RJ1", "Guy's", "", "", "51.50", "-0.09"),
       SUPPORT_TABLE(FOI, 2, "code", "status", "RRV", "Yes", "RJ1", "No",
                     "RAL", "n/a"));
  support_expect_problems(&fx.probs, 0);
  assert_int_equal(fx.pins->n, TM_ARRAY_LEN(want));
  for(i = 0; i < fx.pins->n; i++) {
    assert_string_equal(fx.pins->v[i].trust_code, want[i][0]);
    assert_string_equal(fx.pins->v[i].code, want[i][1]);
  }
  assert_false(fx.pins->v[0].is_site);
  assert_true(fx.pins->v[1].is_site);
  assert_int_equal(fx.pins->v[0].where.row, 6);
  /* trusts in code order, for binary search */
  assert_int_equal(fx.trusts->n, 3);
  assert_string_equal(fx.trusts->v[0].code, "RAL");
  assert_string_equal(fx.trusts->v[1].code, "RJ1");
  assert_string_equal(fx.trusts->v[2].code, "RRV");
  done(&fx);
}

static void pins_should_not_borrow_from_sites_or_answers(void **state)
{
  struct fixture fx;
  struct tm_pins *pins;

  (void)state;
  join(&fx,
       SUPPORT_TABLE(TRUSTS, 6, TRUST_HEADER,
         "RRV", "UCLH", "RRV03", "University College Hospital", "51.52",
           "-0.13"),
       SUPPORT_TABLE(FOI, 3, "code", "status", "notes", "RRV", "Yes", "note"));
  pins = fx.pins;
  fx.pins = NULL;
  done(&fx);
  assert_int_equal(pins->n, 1);
  assert_string_equal(pins->v[0].code, "RRV03");
  assert_string_equal(pins->v[0].name, "University College Hospital");
  assert_string_equal(pins->v[0].trust_name, "UCLH");
  assert_string_equal(pins->v[0].notes, "note");
  assert_string_equal(pins->v[0].nation, "England");
  tm_pins_free(pins);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_site_should_inherit_its_trusts_status),
    cmocka_unit_test(trust_without_foi_row_should_be_no_response),
    cmocka_unit_test(trust_should_know_its_first_row),
    cmocka_unit_test(foi_code_not_a_trust_should_be_an_error_on_its_row),
    cmocka_unit_test(same_answer_twice_should_ignore_the_second),
    cmocka_unit_test(conflicting_answers_should_be_an_error_naming_both),
    cmocka_unit_test(identical_trust_rows_should_leave_the_second_off),
    cmocka_unit_test(conflicting_trust_rows_should_be_an_error),
    cmocka_unit_test(site_of_a_missing_trust_should_be_left_off),
    cmocka_unit_test(answered_trust_without_pins_should_get_a_note),
    cmocka_unit_test(pins_should_come_in_trust_then_code_order),
    cmocka_unit_test(pins_should_not_borrow_from_sites_or_answers),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
