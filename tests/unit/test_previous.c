/* test_previous.c - reading the previous build and what changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "previous.h"

/* Two trusts before: RRV collecting (two pins), RJ1 partial; RXX went. */
static const char before[] =
  "{\"type\":\"FeatureCollection\",\"features\":[\n"
  "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":"
  "[-0.1,51.5]},\"properties\":{\"trust_code\":\"RJ1\",\"trust_name\":"
  "\"Guy's\",\"nation\":\"England\",\"status\":\"partial\",\"round\":"
  "\"2025-03\"}},\n"
  "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":"
  "[-0.13,51.52]},\"properties\":{\"trust_code\":\"RRV\",\"trust_name\":"
  "\"UCLH\",\"nation\":\"England\",\"status\":\"collecting\",\"round\":"
  "\"2025-03\"}},\n"
  "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":"
  "[-0.14,51.53]},\"properties\":{\"trust_code\":\"RRV\",\"trust_name\":"
  "\"UCLH\",\"nation\":\"England\",\"status\":\"collecting\",\"round\":"
  "\"2025-03\"}},\n"
  "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":"
  "[-1.6,54.9]},\"properties\":{\"trust_code\":\"RXX\",\"trust_name\":"
  "\"Gone\",\"nation\":\"England\",\"status\":\"no_response\",\"round\":"
  "\"2025-03\"}}\n]}\n";

static struct tm_previous *parse(const char *text)
{
  struct tm_previous *prev = calloc(1, sizeof(*prev));

  prev->pool = tm_strpool_new();
  prev->round = "";
  assert_true(tm_previous_parse(text, strlen(text), prev));
  return prev;
}

static void previous_should_keep_one_entry_per_trust(void **state)
{
  struct tm_previous *prev = parse(before);
  const struct tm_prev_trust *t;

  (void)state;
  assert_int_equal(prev->n, 3);
  assert_string_equal(prev->round, "2025-03");
  t = tm_previous_find(prev, "RRV");
  assert_non_null(t);
  assert_int_equal(t->status, TM_STATUS_COLLECTING);
  /* the trust's first pin in the file */
  assert_true(t->lon == -0.13 && t->lat == 51.52);
  assert_null(tm_previous_find(prev, "R1H"));
  tm_previous_free(prev);
}

static void text_that_is_not_geojson_should_be_refused(void **state)
{
  struct tm_previous prev = { 0 };

  (void)state;
  prev.pool = tm_strpool_new();
  prev.round = "";
  assert_false(tm_previous_parse("{\"type\":", 8, &prev));
  assert_false(tm_previous_parse("[1,2]", 5, &prev));
  tm_strpool_free(prev.pool);
  free(prev.v);
}

static void changes_should_list_changed_added_and_removed(void **state)
{
  struct tm_previous *prev = parse(before);
  struct tm_trust tv[3];
  struct tm_trusts trusts = { tv, 3 };
  struct tm_pins *pins = tm_pins_new();
  struct tm_changes *c;
  struct tm_pin *p;

  (void)state;
  memset(tv, 0, sizeof(tv));
  /* Now: R1H is new, RJ1 is now collecting, RRV unchanged, RXX gone. */
  tv[0] = (struct tm_trust){ .code = "R1H", .name = "Barts",
                             .nation = "England",
                             .status = TM_STATUS_NOT_COLLECTING };
  tv[1] = (struct tm_trust){ .code = "RJ1", .name = "Guy's",
                             .nation = "England",
                             .status = TM_STATUS_COLLECTING };
  tv[2] = (struct tm_trust){ .code = "RRV", .name = "UCLH",
                             .nation = "England",
                             .status = TM_STATUS_COLLECTING };
  p = tm_pins_add(pins);
  p->trust_code = "R1H";
  p->lon = -0.06;
  p->lat = 51.52;
  p = tm_pins_add(pins);
  p->trust_code = "RJ1";
  p = tm_pins_add(pins);
  p->trust_code = "RRV";

  c = tm_changes_compute(prev, &trusts, pins);
  assert_string_equal(c->from_round, "2025-03");
  assert_int_equal(c->n, 3);
  assert_string_equal(c->v[0].code, "R1H");
  assert_int_equal(c->v[0].kind, TM_CHANGE_ADDED);
  assert_int_equal(c->v[0].from, -1);
  assert_true(c->v[0].lon == -0.06);
  assert_string_equal(c->v[1].code, "RJ1");
  assert_int_equal(c->v[1].kind, TM_CHANGE_STATUS);
  assert_int_equal(c->v[1].from, TM_STATUS_PARTIAL);
  assert_int_equal(c->v[1].to, TM_STATUS_COLLECTING);
  assert_string_equal(c->v[2].code, "RXX");
  assert_int_equal(c->v[2].kind, TM_CHANGE_REMOVED);
  assert_int_equal(c->v[2].to, -1);
  assert_int_equal(c->prev_counts[TM_STATUS_COLLECTING], 1);
  /* every pin learns its trust's previous status */
  assert_int_equal(pins->v[0].previous_status, -1);
  assert_int_equal(pins->v[1].previous_status, TM_STATUS_PARTIAL);
  assert_int_equal(pins->v[2].previous_status, TM_STATUS_COLLECTING);
  tm_changes_free(c);
  tm_pins_free(pins);
  tm_previous_free(prev);
}

static void no_previous_build_should_give_no_changes(void **state)
{
  struct tm_trusts trusts = { NULL, 0 };
  struct tm_pins *pins = tm_pins_new();
  struct tm_changes *c = tm_changes_compute(NULL, &trusts, pins);

  (void)state;
  assert_int_equal(c->n, 0);
  assert_string_equal(c->from_round, "");
  tm_changes_free(c);
  tm_pins_free(pins);
}

static void missing_previous_should_be_an_error_only_when_asked(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_error err = { TM_OK, "" };
  struct tm_previous *prev = NULL;

  (void)state;
  assert_int_equal(tm_previous_load("/nonexistent-dir", false, &probs,
                                    &err, &prev), TM_OK);
  assert_null(prev);
  assert_int_equal(probs.n, 0);
  assert_int_equal(tm_previous_load("/nonexistent-dir", true, &probs, &err,
                                    &prev), TM_INPUT);
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].kind, "no-previous");
  tm_problems_clear(&probs);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(previous_should_keep_one_entry_per_trust),
    cmocka_unit_test(text_that_is_not_geojson_should_be_refused),
    cmocka_unit_test(changes_should_list_changed_added_and_removed),
    cmocka_unit_test(no_previous_build_should_give_no_changes),
    cmocka_unit_test(missing_previous_should_be_an_error_only_when_asked),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
