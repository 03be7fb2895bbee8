/* test_style.c - the style file: defaults, every class of fault with its
 * exact message, alias matching, and hostile input.
 *
 * Runs from tests/unit, so the shipped style is ../../styles/default.json
 * and fixtures are under fixtures/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "style.h"

#define DEFAULT_STYLE "../../styles/default.json"

/* A valid statuses block that tests build on. */
#define COLLECTING "\"collecting\": {\"label\": \"Collecting\", " \
  "\"colour\": \"#005a3c\", \"glyph\": \"tick\", \"aliases\": [\"yes\"]}"
#define PARTIAL "\"partial\": {\"label\": \"Partial\", " \
  "\"colour\": \"#c25e00\", \"glyph\": \"half\", " \
  "\"aliases\": [\"partially\"]}"
#define NOT_COLLECTING "\"not_collecting\": {\"label\": \"Not collecting\", " \
  "\"colour\": \"#d0209a\", \"glyph\": \"cross\", \"aliases\": [\"no\"]}"
#define NO_RESPONSE "\"no_response\": {\"label\": \"No response\", " \
  "\"colour\": \"#848484\", \"glyph\": \"question\", " \
  "\"aliases\": [\"n/a\", \"\"]}"
#define STATUSES "\"statuses\": {" COLLECTING ", " PARTIAL ", " \
  NOT_COLLECTING ", " NO_RESPONSE "}"

static enum tm_rc parse(const char *json, struct tm_problems *probs,
                        struct tm_style **st)
{
  return tm_style_parse(json, strlen(json), "test.json", probs, st);
}

/* Exactly one error, about the whole file, with this kind and text. */
static void expect_one(const struct tm_problems *probs, const char *kind,
                       const char *what)
{
  if(probs->n != 1) {
    size_t i;

    for(i = 0; i < probs->n; i++)
      print_message("problem %zu: %s\n", i, probs->v[i].what);
  }
  assert_int_equal(probs->n, 1);
  assert_int_equal(probs->v[0].severity, TM_ERROR);
  assert_string_equal(probs->v[0].kind, kind);
  assert_string_equal(probs->v[0].what, what);
  assert_string_equal(probs->v[0].where.path, "test.json");
  assert_int_equal(probs->v[0].where.row, 0);
}

/* Parses json, expecting it to be refused with exactly one problem. */
static void expect_refused(const char *json, const char *kind,
                           const char *what, const char *fix_part)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;

  assert_int_equal(parse(json, &probs, &st), TM_INPUT);
  assert_null(st);
  expect_one(&probs, kind, what);
  if(fix_part) {
    assert_non_null(probs.v[0].fix);
    if(!strstr(probs.v[0].fix, fix_part))
      fail_msg("fix \"%s\" lacks \"%s\"", probs.v[0].fix, fix_part);
  }
  tm_problems_clear(&probs);
}

static double white_contrast(struct tm_rgb c)
{
  double v[3] = { c.r / 255.0, c.g / 255.0, c.b / 255.0 };
  int i;

  for(i = 0; i < 3; i++)
    v[i] = v[i] <= 0.04045 ? v[i] / 12.92 :
           pow((v[i] + 0.055) / 1.055, 2.4);
  return 1.05 / (0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2] + 0.05);
}

/* ---- the shipped style ---------------------------------------------- */

static void default_style_should_load_without_problems(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_int_equal(tm_style_load(DEFAULT_STYLE, &probs, &err, &st), TM_OK);
  assert_int_equal(probs.n, 0);
  assert_non_null(st);
  assert_string_equal(st->path, DEFAULT_STYLE);
  assert_string_equal(st->title, "Is your hospital counting?");
  assert_non_null(strstr(st->description, "secondary breast cancer"));
  assert_non_null(strstr(st->attribution, "Open Government Licence"));
  assert_int_equal(st->minzoom, 0);
  assert_int_equal(st->maxzoom, 14);
  assert_string_equal(st->status[TM_STATUS_COLLECTING].label,
                      "Hospital Trust is collecting data");
  assert_string_equal(st->status[TM_STATUS_PARTIAL].label,
                      "Hospital Trust is partially collecting data");
  assert_string_equal(st->status[TM_STATUS_NOT_COLLECTING].label,
                      "Hospital Trust is not collecting data");
  assert_string_equal(st->status[TM_STATUS_NO_RESPONSE].label,
                      "No response received");
  assert_int_equal(st->status[TM_STATUS_COLLECTING].glyph, TM_GLYPH_TICK);
  assert_int_equal(st->status[TM_STATUS_PARTIAL].glyph, TM_GLYPH_HALF);
  assert_int_equal(st->status[TM_STATUS_NOT_COLLECTING].glyph,
                   TM_GLYPH_CROSS);
  assert_int_equal(st->status[TM_STATUS_NO_RESPONSE].glyph,
                   TM_GLYPH_QUESTION);
  assert_string_equal(st->base.url,
                      "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
  assert_string_equal(st->base.attribution,
                      "\xc2\xa9 OpenStreetMap contributors");
  assert_int_equal(st->base.maxzoom, 19);
  tm_style_free(st);
}

static void default_colours_should_keep_white_glyphs_readable(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;
  int s, t;

  (void)state;
  assert_int_equal(tm_style_load(DEFAULT_STYLE, &probs, &err, &st), TM_OK);
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    const struct tm_status_style *ss = &st->status[s];
    char hex[8];

    snprintf(hex, sizeof(hex), "#%02x%02x%02x", ss->rgb.r, ss->rgb.g,
             ss->rgb.b);
    assert_string_equal(ss->colour, hex);
    if(white_contrast(ss->rgb) < 3.0)
      fail_msg("%s: white on %s is %.2f:1", tm_status_key(s), ss->colour,
               white_contrast(ss->rgb));
    for(t = 0; t < s; t++)
      assert_string_not_equal(ss->colour, st->status[t].colour);
  }
  tm_style_free(st);
}

static void absent_optional_keys_should_take_defaults(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_int_equal(tm_style_load("fixtures/style-min.json", &probs, &err,
                                 &st), TM_OK);
  assert_int_equal(probs.n, 0);
  assert_string_equal(st->title, "trustmap");
  assert_string_equal(st->description, "");
  assert_string_equal(st->attribution, "");
  assert_int_equal(st->minzoom, 0);
  assert_int_equal(st->maxzoom, 14);
  assert_true(st->pin.width == 26 && st->pin.height == 38);
  assert_true(st->pin.outline == 2 && st->pin.shadow);
  assert_true(st->cluster.enabled && st->cluster.radius == 36);
  assert_int_equal(st->cluster.maxzoom, 8);
  assert_string_equal(st->base.url,
                      "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
  assert_string_equal(st->base.attribution,
                      "\xc2\xa9 OpenStreetMap contributors");
  assert_int_equal(st->base.maxzoom, 19);
  /* "#005A3C" is stored in lower case and as numbers. */
  assert_string_equal(st->status[TM_STATUS_COLLECTING].colour, "#005a3c");
  assert_int_equal(st->status[TM_STATUS_COLLECTING].rgb.r, 0x00);
  assert_int_equal(st->status[TM_STATUS_COLLECTING].rgb.g, 0x5a);
  assert_int_equal(st->status[TM_STATUS_COLLECTING].rgb.b, 0x3c);
  tm_style_free(st);
}

static void given_keys_should_replace_defaults(void **state)
{
  const char *json = "{\"title\": \"T\", \"description\": \"D\", "
    "\"attribution\": \"A\", \"minzoom\": 3, \"maxzoom\": 12.0, "
    "\"pin\": {\"width\": 20, \"height\": 30.5, \"outline\": 0, "
    "\"shadow\": false}, \"cluster\": {\"enabled\": false, "
    "\"radius\": 50, \"maxzoom\": 5}, \"base_layer\": {\"url\": "
    "\"https://tiles.example.org/{z}/{x}/{y}.png\", \"attribution\": "
    "\"Example\", \"maxzoom\": 17}, " STATUSES "}";
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_int_equal(parse(json, &probs, &st), TM_OK);
  assert_int_equal(probs.n, 0);
  assert_string_equal(st->title, "T");
  assert_string_equal(st->description, "D");
  assert_string_equal(st->attribution, "A");
  assert_int_equal(st->minzoom, 3);
  assert_int_equal(st->maxzoom, 12);
  assert_true(st->pin.width == 20 && st->pin.height == 30.5);
  assert_true(st->pin.outline == 0 && !st->pin.shadow);
  assert_true(!st->cluster.enabled && st->cluster.radius == 50);
  assert_int_equal(st->cluster.maxzoom, 5);
  assert_string_equal(st->base.url,
                      "https://tiles.example.org/{z}/{x}/{y}.png");
  assert_string_equal(st->base.attribution, "Example");
  assert_int_equal(st->base.maxzoom, 17);
  assert_string_equal(st->path, "test.json");
  tm_style_free(st);
}

static void base_layer_none_or_null_should_mean_no_base_map(void **state)
{
  const char *none = "{\"base_layer\": \"none\", " STATUSES "}";
  const char *null = "{\"base_layer\": null, " STATUSES "}";
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_int_equal(parse(none, &probs, &st), TM_OK);
  assert_null(st->base.url);
  assert_null(st->base.attribution);
  tm_style_free(st);
  st = NULL;
  assert_int_equal(parse(null, &probs, &st), TM_OK);
  assert_null(st->base.url);
  assert_null(st->base.attribution);
  assert_int_equal(probs.n, 0);
  tm_style_free(st);
}

/* ---- faults, one class each ----------------------------------------- */

static void unknown_key_should_name_its_path(void **state)
{
  (void)state;
  expect_refused("{\"maxzom\": 12, " STATUSES "}", "style-key",
                 "unknown key \"maxzom\"", "did you mean \"maxzoom\"?");
  expect_refused("{\"pin\": {\"widht\": 20}, " STATUSES "}", "style-key",
                 "pin: unknown key \"widht\"",
                 "known: width, height, outline, shadow");
  expect_refused("{\"statuses\": {" COLLECTING ", " PARTIAL ", "
                 NOT_COLLECTING ", \"no_response\": {\"label\": \"N\", "
                 "\"color\": \"#848484\", \"colour\": \"#848484\", "
                 "\"glyph\": \"question\"}}}", "style-key",
                 "statuses.no_response: unknown key \"color\"",
                 "did you mean \"colour\"?");
}

static void key_given_twice_should_be_an_error(void **state)
{
  (void)state;
  expect_refused("{\"title\": \"A\", \"title\": \"B\", " STATUSES "}",
                 "style-key", "title: key given twice", "keep one");
}

static void bad_colour_should_say_how_to_write_it(void **state)
{
  (void)state;
  expect_refused("{\"statuses\": {" COLLECTING ", \"partial\": {\"label\": "
                 "\"P\", \"colour\": \"#12345\", \"glyph\": \"half\"}, "
                 NOT_COLLECTING ", " NO_RESPONSE "}}", "style-value",
                 "statuses.partial.colour: \"#12345\" is not a colour",
                 "write it as #rrggbb");
  expect_refused("{\"statuses\": {" COLLECTING ", \"partial\": {\"label\": "
                 "\"P\", \"colour\": 255, \"glyph\": \"half\"}, "
                 NOT_COLLECTING ", " NO_RESPONSE "}}", "style-value",
                 "statuses.partial.colour: 255 is not a colour", NULL);
}

static void pin_width_out_of_range_should_give_the_range(void **state)
{
  (void)state;
  expect_refused("{\"pin\": {\"width\": 300}, " STATUSES "}", "style-value",
                 "pin.width: must be a number between 8 and 128, not 300",
                 "the default is 26");
  expect_refused("{\"pin\": {\"width\": \"26\"}, " STATUSES "}",
                 "style-value",
                 "pin.width: must be a number between 8 and 128, "
                 "not \"26\"", NULL);
  expect_refused("{\"pin\": {\"width\": 30, \"height\": 20}, " STATUSES "}",
                 "style-value",
                 "pin.height: must be at least pin.width (30), not 20",
                 NULL);
}

static void wrong_type_should_name_the_expected_one(void **state)
{
  (void)state;
  expect_refused("{\"pin\": {\"shadow\": \"yes\"}, " STATUSES "}",
                 "style-value", "pin.shadow: must be true or false, "
                 "not \"yes\"", "the default is true");
  expect_refused("{\"cluster\": 5, " STATUSES "}", "style-value",
                 "cluster: must be an object, not 5", NULL);
  expect_refused("{\"title\": 5, " STATUSES "}", "style-value",
                 "title: must be a string, not 5", NULL);
  expect_refused("{\"base_layer\": \"osm\", " STATUSES "}", "style-value",
                 "base_layer: must be an object, \"none\" or null, "
                 "not \"osm\"", NULL);
}

static void zoom_should_be_a_whole_number_from_0_to_22(void **state)
{
  (void)state;
  expect_refused("{\"maxzoom\": 14.5, " STATUSES "}", "style-value",
                 "maxzoom: must be a whole number between 0 and 22, "
                 "not 14.5", NULL);
  expect_refused("{\"minzoom\": -1, " STATUSES "}", "style-value",
                 "minzoom: must be a whole number between 0 and 22, "
                 "not -1", NULL);
  expect_refused("{\"cluster\": {\"maxzoom\": 23}, " STATUSES "}",
                 "style-value", "cluster.maxzoom: must be a whole number "
                 "between 0 and 22, not 23", NULL);
  expect_refused("{\"minzoom\": 10, \"maxzoom\": 5, " STATUSES "}",
                 "style-value", "minzoom: 10 is greater than maxzoom (5)",
                 NULL);
}

static void missing_status_should_be_named(void **state)
{
  (void)state;
  expect_refused("{\"statuses\": {" COLLECTING ", " NOT_COLLECTING ", "
                 NO_RESPONSE "}}", "style-key",
                 "statuses: missing \"partial\"", "\"glyph\": \"half\"");
  expect_refused("{\"title\": \"No statuses\"}", "style-key",
                 "missing \"statuses\"", NULL);
}

static void unknown_status_should_be_an_error(void **state)
{
  (void)state;
  expect_refused("{\"statuses\": {" COLLECTING ", " PARTIAL ", "
                 NOT_COLLECTING ", " NO_RESPONSE ", \"partly\": {}}}",
                 "style-key", "statuses: unknown status \"partly\"",
                 "known: collecting, partial, not_collecting, no_response");
}

static void bad_label_should_be_an_error(void **state)
{
  (void)state;
  expect_refused("{\"statuses\": {" COLLECTING ", \"partial\": {"
                 "\"colour\": \"#c25e00\", \"glyph\": \"half\"}, "
                 NOT_COLLECTING ", " NO_RESPONSE "}}", "style-key",
                 "statuses.partial: missing \"label\"", NULL);
  expect_refused("{\"statuses\": {" COLLECTING ", \"partial\": {"
                 "\"label\": \"  \", \"colour\": \"#c25e00\", "
                 "\"glyph\": \"half\"}, " NOT_COLLECTING ", " NO_RESPONSE
                 "}}", "style-value",
                 "statuses.partial.label: must not be empty", NULL);
  expect_refused("{\"statuses\": {" COLLECTING ", \"partial\": {"
                 "\"label\": [\"P\"], \"colour\": \"#c25e00\", "
                 "\"glyph\": \"half\"}, " NOT_COLLECTING ", " NO_RESPONSE
                 "}}", "style-value",
                 "statuses.partial.label: must be a string, not an array",
                 NULL);
}

static void bad_glyph_should_list_the_glyphs(void **state)
{
  (void)state;
  expect_refused("{\"statuses\": {" COLLECTING ", \"partial\": {"
                 "\"label\": \"P\", \"colour\": \"#c25e00\", "
                 "\"glyph\": \"star\"}, " NOT_COLLECTING ", " NO_RESPONSE
                 "}}", "style-value",
                 "statuses.partial.glyph: \"star\" is not a glyph",
                 "tick, half, cross, question");
}

static void shared_glyph_or_colour_should_be_an_error(void **state)
{
  (void)state;
  expect_refused("{\"statuses\": {" COLLECTING ", \"partial\": {"
                 "\"label\": \"P\", \"colour\": \"#c25e00\", "
                 "\"glyph\": \"tick\"}, " NOT_COLLECTING ", " NO_RESPONSE
                 "}}", "style-value", "statuses.partial.glyph: \"tick\" is "
                 "also the glyph of statuses.collecting", NULL);
  expect_refused("{\"statuses\": {" COLLECTING ", \"partial\": {"
                 "\"label\": \"P\", \"colour\": \"#005A3C\", "
                 "\"glyph\": \"half\"}, " NOT_COLLECTING ", " NO_RESPONSE
                 "}}", "style-value", "statuses.partial.colour: "
                 "\"#005a3c\" is also the colour of statuses.collecting",
                 NULL);
}

static void pale_colour_should_warn_about_contrast(void **state)
{
  const char *json = "{\"statuses\": {" COLLECTING ", \"partial\": {"
    "\"label\": \"P\", \"colour\": \"#ffee00\", \"glyph\": \"half\"}, "
    NOT_COLLECTING ", " NO_RESPONSE "}}";
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_int_equal(parse(json, &probs, &st), TM_OK);
  assert_int_equal(probs.n, 1);
  assert_int_equal(probs.v[0].severity, TM_WARNING);
  assert_string_equal(probs.v[0].what, "statuses.partial.colour: white on "
                      "#ffee00 has a contrast of only 1.20:1");
  tm_style_free(st);
  tm_problems_clear(&probs);
}

static void conflicting_alias_should_name_both_statuses(void **state)
{
  (void)state;
  expect_refused("{\"statuses\": {" COLLECTING ", " PARTIAL ", "
                 "\"not_collecting\": {\"label\": \"N\", \"colour\": "
                 "\"#d0209a\", \"glyph\": \"cross\", \"aliases\": [\"no\", "
                 "\" Yes\"]}, " NO_RESPONSE "}}", "style-value",
                 "statuses.not_collecting.aliases: conflicting alias "
                 "\" Yes\", also under statuses.collecting.aliases",
                 "keep it under one status only");
  /* A key always means its own status. */
  expect_refused("{\"statuses\": {\"collecting\": {\"label\": \"C\", "
                 "\"colour\": \"#005a3c\", \"glyph\": \"tick\", "
                 "\"aliases\": [\"Not-Collecting\"]}, " PARTIAL ", "
                 NOT_COLLECTING ", " NO_RESPONSE "}}", "style-value",
                 "statuses.collecting.aliases: conflicting alias "
                 "\"Not-Collecting\", the key of statuses.not_collecting",
                 NULL);
}

static void repeated_alias_within_a_status_should_be_merged(void **state)
{
  const char *json = "{\"statuses\": {\"collecting\": {\"label\": \"C\", "
    "\"colour\": \"#005a3c\", \"glyph\": \"tick\", \"aliases\": [\"yes\", "
    "\"YES\", \" yes \", \"collecting\", \"y\"]}, " PARTIAL ", "
    NOT_COLLECTING ", " NO_RESPONSE "}}";
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;
  const struct tm_status_style *c;

  (void)state;
  assert_int_equal(parse(json, &probs, &st), TM_OK);
  assert_int_equal(probs.n, 0);
  c = &st->status[TM_STATUS_COLLECTING];
  assert_int_equal(c->n_aliases, 3);
  assert_string_equal(c->aliases[0], "collecting");
  assert_string_equal(c->aliases[1], "yes");
  assert_string_equal(c->aliases[2], "y");
  tm_style_free(st);
}

static void bad_aliases_should_name_the_element(void **state)
{
  (void)state;
  expect_refused("{\"statuses\": {\"collecting\": {\"label\": \"C\", "
                 "\"colour\": \"#005a3c\", \"glyph\": \"tick\", "
                 "\"aliases\": [\"yes\", 1]}, " PARTIAL ", "
                 NOT_COLLECTING ", " NO_RESPONSE "}}", "style-value",
                 "statuses.collecting.aliases[1]: must be a string, not 1",
                 NULL);
  expect_refused("{\"statuses\": {\"collecting\": {\"label\": \"C\", "
                 "\"colour\": \"#005a3c\", \"glyph\": \"tick\", "
                 "\"aliases\": \"yes\"}, " PARTIAL ", "
                 NOT_COLLECTING ", " NO_RESPONSE "}}", "style-value",
                 "statuses.collecting.aliases: must be an array of strings, "
                 "not \"yes\"", NULL);
}

static void invalid_utf8_should_be_an_error(void **state)
{
  (void)state;
  expect_refused("{\"statuses\": {\"collecting\": {\"label\": \"Caf\xe9\", "
                 "\"colour\": \"#005a3c\", \"glyph\": \"tick\"}, " PARTIAL
                 ", " NOT_COLLECTING ", " NO_RESPONSE "}}", "style-value",
                 "statuses.collecting.label: not valid UTF-8 text",
                 "save the style file as UTF-8");
  /* The bad byte is shown escaped, never passed on raw. */
  expect_refused("{\"ti\xfftle\": 1, " STATUSES "}", "style-key",
                 "unknown key \"ti\\xfftle\"", NULL);
}

static void html_in_text_should_be_an_error(void **state)
{
  (void)state;
  expect_refused("{\"title\": \"<b>Counting</b>\", " STATUSES "}",
                 "style-value", "title: contains HTML; use plain text",
                 NULL);
  expect_refused("{\"base_layer\": {\"url\": "
                 "\"https://tile.openstreetmap.org/{z}/{x}/{y}.png\", "
                 "\"attribution\": \"&copy; <a href=\\\"https://osm.org\\\">"
                 "OSM</a>\"}, " STATUSES "}", "style-value",
                 "base_layer.attribution: contains HTML; use plain text",
                 NULL);
}

static void plain_less_than_should_be_allowed(void **state)
{
  const char *json = "{\"description\": \"Trusts with < 10 patients\", "
    STATUSES "}";
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_int_equal(parse(json, &probs, &st), TM_OK);
  assert_string_equal(st->description, "Trusts with < 10 patients");
  tm_style_free(st);
}

static void bad_tile_url_should_be_an_error(void **state)
{
  (void)state;
  expect_refused("{\"base_layer\": {\"url\": \"https://example.org/a.png\","
                 " \"attribution\": \"X\"}, " STATUSES "}", "style-value",
                 "base_layer.url: \"https://example.org/a.png\" is not a "
                 "tile URL template with {z}, {x} and {y}", NULL);
  expect_refused("{\"base_layer\": {\"url\": \"javascript:alert(1)//{z}{x}"
                 "{y}\"}, " STATUSES "}", "style-value",
                 "base_layer.url: \"javascript:alert(1)//{z}{x}{y}\" is "
                 "not a tile URL template with {z}, {x} and {y}", NULL);
  expect_refused("{\"base_layer\": {\"attribution\": \"X\"}, " STATUSES "}",
                 "style-key", "base_layer: missing \"url\"", "\"none\"");
}

/* ---- collecting all problems ---------------------------------------- */

static void three_faults_should_give_three_problems(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_int_equal(tm_style_load("fixtures/style-three-faults.json",
                                 &probs, &err, &st), TM_INPUT);
  assert_null(st);
  assert_int_equal(probs.n, 3);
  assert_string_equal(probs.v[0].what, "unknown key \"maxzom\"");
  assert_string_equal(probs.v[1].what,
                      "pin.width: must be a number between 8 and 128, "
                      "not 300");
  assert_string_equal(probs.v[2].what,
                      "statuses.partial.colour: \"#12345\" is not a colour");
  assert_string_equal(probs.v[2].where.path,
                      "fixtures/style-three-faults.json");
  tm_problems_clear(&probs);
}

static void earlier_problems_should_not_count_against_it(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_where w = { "other.csv", 3 };
  struct tm_style *st = NULL;
  const char *json = "{" STATUSES "}";

  (void)state;
  tm_problem_error(&probs, &w, "x", NULL, "an earlier problem");
  assert_int_equal(parse(json, &probs, &st), TM_OK);
  assert_int_equal(probs.n, 1);
  tm_style_free(st);
  tm_problems_clear(&probs);
}

/* ---- broken JSON ---------------------------------------------------- */

static void malformed_json_should_give_line_and_column(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  /* Line 3 lacks its comma, so parsing stops at line 4's first quote. */
  assert_int_equal(tm_style_load("fixtures/style-malformed.json", &probs,
                                 &err, &st), TM_INPUT);
  assert_null(st);
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].kind, "style-json");
  assert_string_equal(probs.v[0].what,
                      "invalid JSON: parsing stopped at line 4, column 3 "
                      "(byte offset 40), near \"\\\"maxzoom\\\": 14\"");
  assert_int_equal(probs.v[0].where.row, 0);
  assert_non_null(strstr(probs.v[0].fix, "missing comma"));
  tm_problems_clear(&probs);
}

static void column_should_count_characters_not_bytes(void **state)
{
  (void)state;
  /* "x" is at byte offset 15, but "\xc3\xa9" before it is two bytes and
   * one column, so it is in column 15, not 16. */
  expect_refused("{\"title\": \"\xc3\xa9\" x}", "style-json",
                 "invalid JSON: parsing stopped at line 1, column 15 "
                 "(byte offset 15), near \"x}\"", NULL);
}

static void truncated_json_should_say_it_ends_early(void **state)
{
  (void)state;
  expect_refused("{\"title\": \"T\",\n \"pin\": {\"width\": 20",
                 "style-json", "invalid JSON: the file ends too early "
                 "(line 2, column 20, byte offset 34)", "close every");
}

static void text_after_the_object_should_be_an_error(void **state)
{
  char what[128];

  (void)state;
  snprintf(what, sizeof(what), "invalid JSON: unexpected text after the "
           "end at line 2, column 1 (byte offset %zu)",
           strlen("{" STATUSES "}\n"));
  expect_refused("{" STATUSES "}\n{}", "style-json", what, NULL);
}

static void non_object_should_be_refused(void **state)
{
  (void)state;
  expect_refused("[1, 2]", "style-json",
                 "the file must hold a JSON object, not an array", NULL);
  expect_refused(" \n\t", "style-json", "the file is empty", NULL);
  expect_refused("", "style-json", "the file is empty", NULL);
}

/* ---- hostile input -------------------------------------------------- */

static void input_over_1_mib_should_be_refused(void **state)
{
  size_t n = 1024 * 1024 + 1;
  char *buf = malloc(n);
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_non_null(buf);
  memset(buf, ' ', n);
  buf[0] = '{';
  buf[n - 1] = '}';
  assert_int_equal(tm_style_parse(buf, n, "test.json", &probs, &st),
                   TM_INPUT);
  expect_one(&probs, "style-json", "the file is 1048577 bytes; a style "
             "file may be at most 1 MiB (1048576 bytes)");
  free(buf);
  tm_problems_clear(&probs);
}

static char *nested(size_t depth, const char *prefix, const char *suffix)
{
  size_t lp = strlen(prefix), ls = strlen(suffix);
  char *buf = malloc(lp + 2 * depth + ls + 1);
  size_t i;

  assert_non_null(buf);
  memcpy(buf, prefix, lp);
  for(i = 0; i < depth; i++) {
    buf[lp + i] = '[';
    buf[lp + depth + i] = ']';
  }
  memcpy(buf + lp + 2 * depth, suffix, ls + 1);
  return buf;
}

static void deep_nesting_should_be_refused_without_a_crash(void **state)
{
  char *deep = nested(100000, "{\"x\": ", "}");
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  /* The "{" is level 1, so level 1001 is the 1000th "[", at byte offset
   * 6 + 999. */
  assert_int_equal(parse(deep, &probs, &st), TM_INPUT);
  expect_one(&probs, "style-json", "nesting deeper than 1000 levels at "
             "line 1, column 1006 (byte offset 1005)");
  free(deep);
  tm_problems_clear(&probs);
}

static void nesting_within_the_limit_should_be_just_a_key(void **state)
{
  char *deep = nested(900, "{\"x\": ", ", " STATUSES "}");

  (void)state;
  expect_refused(deep, "style-key", "unknown key \"x\"", NULL);
  free(deep);
}

static void nul_characters_should_be_refused(void **state)
{
  static const char raw[] = "{\"title\": \"a\0b\"}";
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_int_equal(tm_style_parse(raw, sizeof(raw) - 1, "test.json", &probs,
                                  &st), TM_INPUT);
  expect_one(&probs, "style-json", "the file contains a NUL byte at line "
             "1, column 13 (byte offset 12); it is not JSON text");
  tm_problems_clear(&probs);
  /* cJSON would silently cut the string at \u0000. */
  expect_refused("{\"title\": \"a\\u0000b\", " STATUSES "}", "style-json",
                 "\\u0000 (a NUL character) in a string at line 1, "
                 "column 13 (byte offset 12)", NULL);
}

static void control_characters_in_text_should_be_refused(void **state)
{
  (void)state;
  expect_refused("{\"title\": \"a\\nb\", " STATUSES "}", "style-value",
                 "title: contains a control character (\\x0a)", NULL);
}

/* ---- loading files -------------------------------------------------- */

static void missing_file_should_be_an_input_problem(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_int_equal(tm_style_load("fixtures/no-such-style.json", &probs,
                                 &err, &st), TM_INPUT);
  assert_null(st);
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].what,
                      "cannot open: No such file or directory");
  assert_string_equal(probs.v[0].where.path, "fixtures/no-such-style.json");
  assert_int_equal(probs.v[0].where.row, 0);
  assert_int_equal(probs.v[0].severity, TM_ERROR);
  tm_problems_clear(&probs);
}

static void directory_should_be_refused(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_int_equal(tm_style_load("fixtures", &probs, &err, &st), TM_INPUT);
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].what, "is a directory, not a style file");
  tm_problems_clear(&probs);
}

static void fifo_should_be_refused_without_blocking(void **state)
{
  char dir[] = "/tmp/test_style.XXXXXX";
  char path[64];
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;

  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/style.json", dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  assert_int_equal(tm_style_load(path, &probs, &err, &st), TM_INPUT);
  assert_int_equal(probs.n, 1);
  assert_string_equal(probs.v[0].what,
                      "is not a regular file (a pipe, socket or device)");
  unlink(path);
  rmdir(dir);
  tm_problems_clear(&probs);
}

static void read_error_should_be_a_system_error(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;
  struct stat sb;
  char byte;
  int fd;

  (void)state;
  /* Linux's /proc/self/mem is a "regular file" whose first page cannot be
   * read (EIO): a real read error without special privileges. Check that
   * this system behaves so before relying on it. */
  fd = open("/proc/self/mem", O_RDONLY);
  if(fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode) ||
     read(fd, &byte, 1) != -1 || errno != EIO) {
    print_message("skipped: /proc/self/mem does not fail with EIO here\n");
    if(fd >= 0)
      close(fd);
    skip();
  }
  close(fd);
  assert_int_equal(tm_style_load("/proc/self/mem", &probs, &err, &st),
                   TM_SYSTEM);
  assert_int_equal(err.rc, TM_SYSTEM);
  assert_string_equal(err.msg, "/proc/self/mem: cannot read: "
                      "Input/output error");
  assert_int_equal(probs.n, 0);
}

/* ---- status spellings ----------------------------------------------- */

static void normalise_should_fold_case_and_separators(void **state)
{
  static const char *const cases[][2] = {
    { "  Not_Collecting ", "not collecting" },
    { "No-Response", "no response" },
    { "yes  -  collecting", "yes collecting" },
    { "a\t_-_b", "a b" },
    { "N/A", "n/a" },
    { "-", "" },
    { "", "" },
    { "Yes\xc2\xa0", "yes" },              /* no-break space */
    { "Yes \xe2\x80\x93 collecting", "yes collecting" },   /* en dash */
    /* Case folding is ASCII only: other letters stay as they are. */
    { "\xc3\x89TAT", "\xc3\x89tat" },
  };
  size_t i;

  (void)state;
  for(i = 0; i < TM_ARRAY_LEN(cases); i++) {
    char *n = tm_status_normalise(cases[i][0]);

    assert_string_equal(n, cases[i][1]);
    free(n);
  }
}

static void spellings_should_match_their_status(void **state)
{
  static const struct {
    const char *text;
    enum tm_status want;
  } cases[] = {
    { "  YES ", TM_STATUS_COLLECTING },
    { "Y", TM_STATUS_COLLECTING },
    { "Yes - Collecting", TM_STATUS_COLLECTING },
    { "TRUE", TM_STATUS_COLLECTING },
    { "collecting", TM_STATUS_COLLECTING },
    { "Partially", TM_STATUS_PARTIAL },
    { "in part", TM_STATUS_PARTIAL },
    { "partial", TM_STATUS_PARTIAL },
    { "not_collecting", TM_STATUS_NOT_COLLECTING },
    { "Not collecting", TM_STATUS_NOT_COLLECTING },
    { "no", TM_STATUS_NOT_COLLECTING },
    { "N", TM_STATUS_NOT_COLLECTING },
    { "No-Response", TM_STATUS_NO_RESPONSE },
    { "no_response", TM_STATUS_NO_RESPONSE },
    { "N/A", TM_STATUS_NO_RESPONSE },
    { "None received", TM_STATUS_NO_RESPONSE },
    { "-", TM_STATUS_NO_RESPONSE },
    { "", TM_STATUS_NO_RESPONSE },
    { "   ", TM_STATUS_NO_RESPONSE },
  };
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;
  enum tm_status got;
  size_t i;

  (void)state;
  assert_int_equal(tm_style_load(DEFAULT_STYLE, &probs, &err, &st), TM_OK);
  for(i = 0; i < TM_ARRAY_LEN(cases); i++) {
    got = TM_STATUS_COUNT;
    if(!tm_style_match_status(st, cases[i].text, &got))
      fail_msg("\"%s\" matched nothing", cases[i].text);
    if(got != cases[i].want)
      fail_msg("\"%s\" matched %s, not %s", cases[i].text,
               tm_status_key(got), tm_status_key(cases[i].want));
  }
  tm_style_free(st);
}

static void unknown_spelling_should_match_nothing(void **state)
{
  static const char *const cases[] = {
    "Partly", "yes please", "nope", "collect", "not", "maybe"
  };
  struct tm_problems probs = { 0 };
  struct tm_error err = { 0 };
  struct tm_style *st = NULL;
  enum tm_status got = TM_STATUS_COUNT;
  size_t i;

  (void)state;
  assert_int_equal(tm_style_load(DEFAULT_STYLE, &probs, &err, &st), TM_OK);
  for(i = 0; i < TM_ARRAY_LEN(cases); i++)
    if(tm_style_match_status(st, cases[i], &got))
      fail_msg("\"%s\" matched %s", cases[i], tm_status_key(got));
  assert_int_equal(got, TM_STATUS_COUNT);   /* *out left alone */
  tm_style_free(st);
}

static void long_spelling_should_match_too(void **state)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;
  enum tm_status got = TM_STATUS_COUNT;
  char text[600];

  (void)state;
  memset(text, ' ', sizeof(text));
  memcpy(text + 300, "Partially", 9);
  text[sizeof(text) - 1] = '\0';
  assert_int_equal(parse("{" STATUSES "}", &probs, &st), TM_OK);
  assert_true(tm_style_match_status(st, text, &got));
  assert_int_equal(got, TM_STATUS_PARTIAL);
  tm_style_free(st);
}

static void names_should_read_as_documented(void **state)
{
  (void)state;
  assert_string_equal(tm_style_known_statuses(),
                      "collecting, partial, not_collecting, no_response");
  assert_string_equal(tm_glyph_name(TM_GLYPH_TICK), "tick");
  assert_string_equal(tm_glyph_name(TM_GLYPH_HALF), "half");
  assert_string_equal(tm_glyph_name(TM_GLYPH_CROSS), "cross");
  assert_string_equal(tm_glyph_name(TM_GLYPH_QUESTION), "question");
  tm_style_free(NULL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(default_style_should_load_without_problems),
    cmocka_unit_test(default_colours_should_keep_white_glyphs_readable),
    cmocka_unit_test(absent_optional_keys_should_take_defaults),
    cmocka_unit_test(given_keys_should_replace_defaults),
    cmocka_unit_test(base_layer_none_or_null_should_mean_no_base_map),
    cmocka_unit_test(unknown_key_should_name_its_path),
    cmocka_unit_test(key_given_twice_should_be_an_error),
    cmocka_unit_test(bad_colour_should_say_how_to_write_it),
    cmocka_unit_test(pin_width_out_of_range_should_give_the_range),
    cmocka_unit_test(wrong_type_should_name_the_expected_one),
    cmocka_unit_test(zoom_should_be_a_whole_number_from_0_to_22),
    cmocka_unit_test(missing_status_should_be_named),
    cmocka_unit_test(unknown_status_should_be_an_error),
    cmocka_unit_test(bad_label_should_be_an_error),
    cmocka_unit_test(bad_glyph_should_list_the_glyphs),
    cmocka_unit_test(shared_glyph_or_colour_should_be_an_error),
    cmocka_unit_test(pale_colour_should_warn_about_contrast),
    cmocka_unit_test(conflicting_alias_should_name_both_statuses),
    cmocka_unit_test(repeated_alias_within_a_status_should_be_merged),
    cmocka_unit_test(bad_aliases_should_name_the_element),
    cmocka_unit_test(invalid_utf8_should_be_an_error),
    cmocka_unit_test(html_in_text_should_be_an_error),
    cmocka_unit_test(plain_less_than_should_be_allowed),
    cmocka_unit_test(bad_tile_url_should_be_an_error),
    cmocka_unit_test(three_faults_should_give_three_problems),
    cmocka_unit_test(earlier_problems_should_not_count_against_it),
    cmocka_unit_test(malformed_json_should_give_line_and_column),
    cmocka_unit_test(column_should_count_characters_not_bytes),
    cmocka_unit_test(truncated_json_should_say_it_ends_early),
    cmocka_unit_test(text_after_the_object_should_be_an_error),
    cmocka_unit_test(non_object_should_be_refused),
    cmocka_unit_test(input_over_1_mib_should_be_refused),
    cmocka_unit_test(deep_nesting_should_be_refused_without_a_crash),
    cmocka_unit_test(nesting_within_the_limit_should_be_just_a_key),
    cmocka_unit_test(nul_characters_should_be_refused),
    cmocka_unit_test(control_characters_in_text_should_be_refused),
    cmocka_unit_test(missing_file_should_be_an_input_problem),
    cmocka_unit_test(directory_should_be_refused),
    cmocka_unit_test(fifo_should_be_refused_without_blocking),
    cmocka_unit_test(read_error_should_be_a_system_error),
    cmocka_unit_test(normalise_should_fold_case_and_separators),
    cmocka_unit_test(spellings_should_match_their_status),
    cmocka_unit_test(unknown_spelling_should_match_nothing),
    cmocka_unit_test(long_spelling_should_match_too),
    cmocka_unit_test(names_should_read_as_documented),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
