/* test_geojson.c - geojson.c: the exact text for three hand-made pins
 * (fixtures/out-three-pins.geojson, written by hand), rounding, "-0",
 * escaping, bad UTF-8, parsing back with cJSON, writing the file and the
 * GeoJSON check of tests/e2e/check-geojson.js.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "geojson.h"
#include "publish.h"
#include "support.h"

/* The text of one pin at (lon, lat): the coordinates as printed. */
static char *coords_of(double lon, double lat)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = tm_pins_new();
  char *text, *s, *e, *r;

  support_add_named_pin(pins, "A", "a", "A", "a", lon, lat);
  text = tm_geojson_text(pins, &st);
  s = strstr(text, "\"coordinates\":[");
  assert_non_null(s);
  s += strlen("\"coordinates\":[");
  e = strchr(s, ']');
  assert_non_null(e);
  r = tm_xstrndup(s, (size_t)(e - s));
  free(text);
  tm_pins_free(pins);
  return r;
}

static void three_pins_should_give_the_expected_text(void **state)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = support_three_pins();
  size_t len;
  unsigned char *want = support_slurp("fixtures/out-three-pins.geojson",
                                      &len);
  char *got = tm_geojson_text(pins, &st);

  (void)state;
  assert_string_equal(got, want);
  free(got);
  free(want);
  tm_pins_free(pins);
}

static void coordinates_should_round_to_6_places_without_exponent_or_minus_0(
  void **state)
{
  static const struct {
    double lon, lat;
    const char *want;
  } cases[] = {
    { -0.0000004, 0.0000004, "0,0" },
    { -0.0, 0.0, "0,0" },
    { 0.00005, -0.00005, "0.00005,-0.00005" },
    { 1.23456789, -1.23456749, "1.234568,-1.234567" },
    { -179.9999999, 89.9999996, "-180,90" },
    { 12, -7.5, "12,-7.5" },
    { -2.0000016, 51.0000001, "-2.000002,51" },
  };
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *got = coords_of(cases[i].lon, cases[i].lat);

    assert_string_equal(got, cases[i].want);
    free(got);
  }
}

static void a_coordinate_that_is_not_a_number_should_print_null(void **state)
{
  char *got = coords_of(NAN, 51);

  (void)state;
  assert_string_equal(got, "null,51");
  free(got);
}

static void text_should_parse_back_to_the_same_values(void **state)
{
  static const char *const keys[] = {
    "code", "name", "kind", "trust_code", "trust_name", "nation", "status",
    "status_label", "colour", "glyph", "notes", "round", "previous_status"
  };
  struct tm_style st = support_text_style();
  struct tm_pins *pins = support_three_pins();
  char *text = tm_geojson_text(pins, &st);
  cJSON *root = cJSON_Parse(text);
  const cJSON *bbox, *features, *f;
  size_t i = 0;

  (void)state;
  assert_non_null(root);
  assert_string_equal(cJSON_GetObjectItem(root, "type")->valuestring,
                      "FeatureCollection");
  bbox = cJSON_GetObjectItem(root, "bbox");
  assert_int_equal(cJSON_GetArraySize(bbox), 4);
  assert_true(cJSON_GetArrayItem(bbox, 0)->valuedouble == -4.160125);
  assert_true(cJSON_GetArrayItem(bbox, 1)->valuedouble == 50.8);
  assert_true(cJSON_GetArrayItem(bbox, 2)->valuedouble == 0);
  assert_true(cJSON_GetArrayItem(bbox, 3)->valuedouble == 53.209);
  features = cJSON_GetObjectItem(root, "features");
  assert_int_equal(cJSON_GetArraySize(features), 3);
  cJSON_ArrayForEach(f, features) {
    const struct tm_pin *p = &pins->v[i++];
    const cJSON *geom = cJSON_GetObjectItem(f, "geometry");
    const cJSON *xy = cJSON_GetObjectItem(geom, "coordinates");
    const cJSON *props = cJSON_GetObjectItem(f, "properties");
    const char *want[13];
    size_t k;

    assert_string_equal(cJSON_GetObjectItem(f, "type")->valuestring,
                        "Feature");
    assert_string_equal(cJSON_GetObjectItem(geom, "type")->valuestring,
                        "Point");
    assert_true(fabs(cJSON_GetArrayItem(xy, 0)->valuedouble - p->lon) <
                5e-7);
    assert_true(fabs(cJSON_GetArrayItem(xy, 1)->valuedouble - p->lat) <
                5e-7);
    want[0] = p->code;
    want[1] = p->name;
    want[2] = p->is_site ? "site" : "trust";
    want[3] = p->trust_code;
    want[4] = p->trust_name;
    want[5] = p->nation;
    want[6] = tm_status_key(p->status);
    want[7] = st.status[p->status].label;
    want[8] = st.status[p->status].colour;
    want[9] = tm_glyph_name(st.status[p->status].glyph);
    want[10] = p->notes;
    want[11] = "2025-09";
    want[12] = NULL;   /* no previous build: null */
    /* exactly these keys, in this order */
    assert_int_equal(cJSON_GetArraySize(props), 13);
    for(k = 0; k < 13; k++) {
      const cJSON *v = cJSON_GetArrayItem(props, (int)k);

      assert_string_equal(v->string, keys[k]);
      if(!want[k]) {
        assert_true(cJSON_IsNull(v));
        continue;
      }
      assert_true(cJSON_IsString(v));
      assert_string_equal(v->valuestring, want[k]);
    }
  }
  cJSON_Delete(root);
  free(text);
  tm_pins_free(pins);
}

static void text_should_be_the_same_bytes_on_every_run(void **state)
{
  struct tm_style st = support_text_style();
  struct tm_pins *a = support_three_pins();
  struct tm_pins *b = support_three_pins();
  char *ta = tm_geojson_text(a, &st);
  char *tb = tm_geojson_text(b, &st);

  (void)state;
  assert_string_equal(ta, tb);
  free(ta);
  free(tb);
  tm_pins_free(a);
  tm_pins_free(b);
}

static void bytes_that_are_not_utf8_should_become_replacement_characters(
  void **state)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = tm_pins_new();
  char *text;
  cJSON *root;
  const cJSON *props;

  (void)state;
  /* Windows-1252 e-acute, a lone continuation byte, a truncated 3-byte
   * sequence at the end */
  support_add_named_pin(pins, "A", "Caf\xe9 \x80 ok \xe2\x82", "A", "a",
                        0, 51);
  text = tm_geojson_text(pins, &st);
  assert_true(tm_utf8_valid(text, strlen(text)));
  root = cJSON_Parse(text);
  assert_non_null(root);
  props = cJSON_GetObjectItem(
    cJSON_GetArrayItem(cJSON_GetObjectItem(root, "features"), 0),
    "properties");
  assert_string_equal(cJSON_GetObjectItem(props, "name")->valuestring,
                      "Caf\xef\xbf\xbd \xef\xbf\xbd ok "
                      "\xef\xbf\xbd\xef\xbf\xbd");
  cJSON_Delete(root);
  free(text);
  tm_pins_free(pins);
}

static void no_pins_should_give_an_empty_collection_without_bbox(
  void **state)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = tm_pins_new();
  char *text = tm_geojson_text(pins, &st);

  (void)state;
  assert_string_equal(text,
                      "{\"type\":\"FeatureCollection\",\"round\":\"\","
                      "\"previous_round\":null,\"features\":[]}\n");
  free(text);
  tm_pins_free(pins);
}

static void write_should_create_folders_and_match_the_text(void **state)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = support_three_pins();
  struct tm_error err = { TM_OK, "" };
  char dir[] = "/tmp/test_geojson.XXXXXX";
  char *path, *want;
  unsigned char *got;
  size_t len;

  (void)state;
  assert_non_null(mkdtemp(dir));
  path = tm_xasprintf("%s/a/b/trusts.geojson", dir);
  assert_int_equal(tm_geojson_write(pins, &st, path, &err), TM_OK);
  got = support_slurp(path, &len);
  want = tm_geojson_text(pins, &st);
  assert_string_equal(got, want);
  free(got);
  free(want);
  free(path);
  support_remove_tree(dir);
  tm_pins_free(pins);
}

static void write_failure_should_name_the_path_and_the_reason(void **state)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = support_three_pins();
  struct tm_error err = { TM_OK, "" };
  char dir[] = "/tmp/test_geojson.XXXXXX";
  char *file, *path;
  FILE *f;

  (void)state;
  assert_non_null(mkdtemp(dir));
  file = tm_xasprintf("%s/file", dir);
  f = fopen(file, "w");
  assert_non_null(f);
  fclose(f);
  path = tm_xasprintf("%s/file/trusts.geojson", dir);
  assert_int_equal(tm_geojson_write(pins, &st, path, &err), TM_SYSTEM);
  assert_int_equal(err.rc, TM_SYSTEM);
  assert_non_null(strstr(err.msg, path));
  assert_non_null(strstr(err.msg, "Not a directory"));
  free(path);
  free(file);
  support_remove_tree(dir);
  tm_pins_free(pins);
}

/* tests/e2e/check-geojson.js (the @placemarkio/check-geojson validator)
 * accepts the file; skipped when node or the package is not installed. */
static void file_should_pass_the_geojson_check(void **state)
{
  struct tm_style st = support_text_style();
  struct tm_pins *pins = support_three_pins();
  struct tm_error err = { TM_OK, "" };
  char dir[] = "/tmp/test_geojson.XXXXXX";
  const char *bad = "{\"type\":\"Point\",\"coordinates\":[1]}";
  char *path, *cmd;
  int status;

  (void)state;
  if(system("node --version >/dev/null 2>&1") != 0 ||
     access("../../tools/node_modules/@placemarkio/check-geojson/package.json",
            R_OK)) {
    tm_pins_free(pins);
    fprintf(stderr, "node or @placemarkio/check-geojson is not installed "
            "(run tools/setup.sh); skipping\n");
    skip();
  }
  assert_non_null(mkdtemp(dir));
  path = tm_xasprintf("%s/trusts.geojson", dir);
  assert_int_equal(tm_geojson_write(pins, &st, path, &err), TM_OK);
  cmd = tm_xasprintf("node ../e2e/check-geojson.js '%s'", path);
  status = system(cmd);
  assert_int_equal(status, 0);
  free(cmd);

  /* and the check can fail: a Point with one coordinate */
  assert_int_equal(tm_write_file(path, bad, strlen(bad), &err), TM_OK);
  cmd = tm_xasprintf("node ../e2e/check-geojson.js '%s' >/dev/null", path);
  status = system(cmd);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
  free(cmd);
  free(path);
  support_remove_tree(dir);
  tm_pins_free(pins);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(three_pins_should_give_the_expected_text),
    cmocka_unit_test(
      coordinates_should_round_to_6_places_without_exponent_or_minus_0),
    cmocka_unit_test(a_coordinate_that_is_not_a_number_should_print_null),
    cmocka_unit_test(text_should_parse_back_to_the_same_values),
    cmocka_unit_test(text_should_be_the_same_bytes_on_every_run),
    cmocka_unit_test(
      bytes_that_are_not_utf8_should_become_replacement_characters),
    cmocka_unit_test(no_pins_should_give_an_empty_collection_without_bbox),
    cmocka_unit_test(write_should_create_folders_and_match_the_text),
    cmocka_unit_test(write_failure_should_name_the_path_and_the_reason),
    cmocka_unit_test(file_should_pass_the_geojson_check),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
