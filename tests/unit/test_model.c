/* test_model.c - status keys and the pin table's fixed order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static void status_keys_should_round_trip(void **state)
{
  static const char *const keys[TM_STATUS_COUNT] = {
    "collecting", "partial", "not_collecting", "no_response"
  };
  int s;

  (void)state;
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    enum tm_status got = TM_STATUS_COUNT;

    assert_string_equal(tm_status_key((enum tm_status)s), keys[s]);
    assert_true(tm_status_from_key(keys[s], &got));
    assert_int_equal(got, s);
  }
}

static void status_from_key_should_want_the_exact_key(void **state)
{
  enum tm_status got = TM_STATUS_PARTIAL;

  (void)state;
  assert_false(tm_status_from_key("Collecting", &got));
  assert_false(tm_status_from_key("not collecting", &got));
  assert_false(tm_status_from_key(" partial", &got));
  assert_false(tm_status_from_key("", &got));
  assert_int_equal(got, TM_STATUS_PARTIAL);
  assert_string_equal(tm_status_key(TM_STATUS_COUNT), "?");
  assert_string_equal(tm_status_key((enum tm_status)-1), "?");
}

static void added_pin_should_be_zeroed_with_empty_notes(void **state)
{
  struct tm_pins *pins = tm_pins_new();
  struct tm_pin *p;
  int i;

  (void)state;
  assert_string_equal(pins->round, "");
  for(i = 0; i < 100; i++) {
    p = tm_pins_add(pins);
    assert_null(p->code);
    assert_false(p->is_site);
    assert_int_equal(p->where.row, 0);
    assert_true(p->lon == 0 && p->mx == 0);
    assert_string_equal(p->notes, "");
    p->code = tm_strpool_add(pins->pool, "X");
  }
  assert_int_equal(pins->n, 100);
  tm_pins_free(pins);
  tm_pins_free(NULL);
}

static void add(struct tm_pins *pins, const char *trust, bool is_site,
                const char *code, const char *name, long row)
{
  struct tm_pin *p = tm_pins_add(pins);

  p->trust_code = tm_strpool_add(pins->pool, trust);
  p->code = tm_strpool_add(pins->pool, code);
  p->name = tm_strpool_add(pins->pool, name);
  p->trust_name = p->name;
  p->nation = TM_NATION_ENGLAND;
  p->is_site = is_site;
  p->where.path = "trusts.csv";
  p->where.row = row;
}

/* (trust code, trust pin before its sites, code, name, row) */
static void sort_should_order_by_trust_then_trust_pin_then_code(void **state)
{
  struct tm_pins *pins = tm_pins_new();
  static const struct {
    const char *code, *name;
    long row;
  } want[] = {
    { "RAL", "Royal Free", 9 },
    { "RAA", "Alpha Hospital", 10 },  /* a site sorting before its trust */
    { "RAL01", "Barnet Hospital", 8 },
    { "RAL26", "Royal Free Hospital", 2 },
    { "RRV", "UCLH", 3 },
    { "RRV", "Eastman", 5 },          /* sites with no code: by name */
    { "RRV", "Westmoreland", 4 },
    { "RRV", "Westmoreland", 7 },     /* same code and name: by row */
    { "RRV03", "Heart Hospital", 6 },
  };
  size_t i;

  (void)state;
  add(pins, "RRV", true, "RRV03", "Heart Hospital", 6);
  add(pins, "RAL", true, "RAL26", "Royal Free Hospital", 2);
  add(pins, "RRV", false, "RRV", "UCLH", 3);
  add(pins, "RRV", true, "RRV", "Westmoreland", 7);
  add(pins, "RRV", true, "RRV", "Westmoreland", 4);
  add(pins, "RRV", true, "RRV", "Eastman", 5);
  add(pins, "RAL", true, "RAL01", "Barnet Hospital", 8);
  add(pins, "RAL", false, "RAL", "Royal Free", 9);
  add(pins, "RAL", true, "RAA", "Alpha Hospital", 10);
  tm_pins_sort(pins);
  assert_int_equal(pins->n, TM_ARRAY_LEN(want));
  for(i = 0; i < pins->n; i++) {
    assert_string_equal(pins->v[i].code, want[i].code);
    assert_string_equal(pins->v[i].name, want[i].name);
    assert_int_equal(pins->v[i].where.row, want[i].row);
  }
  assert_false(pins->v[0].is_site);
  assert_true(pins->v[1].is_site);
  assert_false(pins->v[4].is_site);
  tm_pins_free(pins);
}

static void sort_should_not_depend_on_input_order(void **state)
{
  struct tm_pins *a = tm_pins_new(), *b = tm_pins_new();
  char code[16], trust[16];
  int i;

  (void)state;
  for(i = 0; i < 300; i++) {
    snprintf(trust, sizeof(trust), "T%02d", i % 17);
    snprintf(code, sizeof(code), "S%03d", (i * 7) % 300);
    add(a, trust, i % 5 != 0, code, "n", i + 2);
  }
  for(i = 299; i >= 0; i--) {
    snprintf(trust, sizeof(trust), "T%02d", i % 17);
    snprintf(code, sizeof(code), "S%03d", (i * 7) % 300);
    add(b, trust, i % 5 != 0, code, "n", i + 2);
  }
  tm_pins_sort(a);
  tm_pins_sort(b);
  for(i = 0; i < 300; i++) {
    assert_string_equal(a->v[i].trust_code, b->v[i].trust_code);
    assert_string_equal(a->v[i].code, b->v[i].code);
    assert_int_equal(a->v[i].where.row, b->v[i].where.row);
  }
  tm_pins_free(a);
  tm_pins_free(b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(status_keys_should_round_trip),
    cmocka_unit_test(status_from_key_should_want_the_exact_key),
    cmocka_unit_test(added_pin_should_be_zeroed_with_empty_notes),
    cmocka_unit_test(sort_should_order_by_trust_then_trust_pin_then_code),
    cmocka_unit_test(sort_should_not_depend_on_input_order),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
