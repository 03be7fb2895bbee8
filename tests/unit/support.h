/* support.h - what several unit tests share: the test style's JSON and
 * parsing it, the output writers' hand-made style and three pins, tables
 * built in memory, checks on a problem list, pins placed by Web Mercator
 * metres, tile pixels or lon/lat, the 34 UK test pins, a fixed random
 * generator, and reading back and removing files and folders.
 *
 * Owns nothing between calls. Pins go into the caller's tm_pins, their
 * texts copied into its string pool. support_style_from() returns a style
 * the caller frees with tm_style_free(), support_text_style() one it must
 * not free (its labels are static), support_three_pins() pins the caller
 * frees with tm_pins_free(), and support_table_new() a table the caller
 * frees with tm_table_free(). support_list_files() returns a list the
 * caller frees with support_free_list(); support_slurp() a buffer the
 * caller frees with free(). The file helpers, support_style_from(),
 * support_table_new() and the problem checks report failures through
 * cmocka (fail_msg, assert_*), so only a running test may call them;
 * support_style_parse() and support_remove_tree() return theirs, for a
 * group setup or teardown.
 */
#ifndef TM_TEST_SUPPORT_H
#define TM_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "problems.h"
#include "style.h"
#include "table.h"

/* The four statuses as a style's "statuses" member, for a test's own
 * style JSON to end with (then "}" closes the style). */
#define SUPPORT_STATUSES_JSON \
  " \"statuses\": {" \
  "  \"collecting\": {\"label\": \"Collecting\", \"colour\": \"#005a3c\"," \
  "                  \"glyph\": \"tick\"}," \
  "  \"partial\": {\"label\": \"Partial\", \"colour\": \"#c25e00\"," \
  "               \"glyph\": \"half\"}," \
  "  \"not_collecting\": {\"label\": \"Not\", \"colour\": \"#d0209a\"," \
  "                      \"glyph\": \"cross\"}," \
  "  \"no_response\": {\"label\": \"None\", \"colour\": \"#848484\"," \
  "                   \"glyph\": \"question\"}}"

/* The tile tests' style: 26 x 38 pins with a shadow, clusters to z8. */
#define SUPPORT_STYLE_JSON \
  "{\"pin\": {\"width\": 26, \"height\": 38, \"outline\": 2," \
  "           \"shadow\": true}," \
  " \"cluster\": {\"enabled\": true, \"radius\": 36, \"maxzoom\": 8}," \
  SUPPORT_STATUSES_JSON "}"

/* A style parsed from json (as "test.json"), which the caller frees with
 * tm_style_free(); NULL if it does not parse. For a group setup, which
 * reports failure by its return value. */
struct tm_style *support_style_parse(const char *json);

/* A style parsed from json (as "test.json"), failing the test unless it
 * parses. Its problems (warnings only, since it parsed) go into *probs
 * for the caller to look at and clear, or are dropped when probs is
 * NULL. */
struct tm_style *support_style_from(const char *json,
                                    struct tm_problems *probs);

/* The style the output writers' tests use, set by hand: each status's
 * label, colour and glyph, everything else zero. */
struct tm_style support_text_style(void);

/* Add a collecting pin in England at CRS84 (lon, lat) with these texts;
 * notes are empty and (mx, my) is (0, 0). Returns it, for the caller to
 * change further. */
struct tm_pin *support_add_named_pin(struct tm_pins *pins, const char *code,
                                     const char *name,
                                     const char *trust_code,
                                     const char *trust_name, double lon,
                                     double lat);

/* The three pins of fixtures/out-three-pins.geojson and .csv, in pin
 * order, for round 2025-09: a Welsh trust with no response; an English
 * trust, collecting, with quotes, a backslash and control characters in
 * its name and a spreadsheet formula as its notes; and that trust's site,
 * partial, with an emoji and a right-to-left mark in its name, a line
 * break in its notes, and a longitude that rounds to -0. */
struct tm_pins *support_three_pins(void);

/* A table whose first ncols of the nv strings in v are the header; data
 * rows follow and are numbered from 2, as a spreadsheet shows them. path
 * is borrowed; the strings are copied. */
struct tm_table *support_table_new(const char *path, size_t ncols,
                                   const char *const *v, size_t nv);

/* support_table_new() with the strings as arguments:
 * SUPPORT_TABLE("foi.csv", 2, "code", "status", "RRV", "Yes"). */
#define SUPPORT_TABLE(path, ncols, ...) \
  support_table_new(path, ncols, (const char *const[]){ __VA_ARGS__ }, \
                    sizeof((const char *const[]){ __VA_ARGS__ }) / \
                    sizeof(char *))

/* Print each problem in probs with its kind, through cmocka, so that a
 * failing test shows what was found. */
void support_print_problems(const struct tm_problems *probs);

/* Fail, printing the problems, unless probs holds exactly n. */
void support_expect_problems(const struct tm_problems *probs, size_t n);

/* The one problem at path:row, borrowed from probs; fails, printing the
 * problems, when there is none or more than one. */
const struct tm_problem *support_problem_on(const struct tm_problems *probs,
                                            const char *path, long row);

/* Remove dir and everything under it (rm -rf); 0 on success, else -1. */
int support_remove_tree(const char *dir);

/* Add a pin at Web Mercator (mx, my); code is also its trust code and
 * name, the other texts are empty. */
void support_add_pin(struct tm_pins *pins, const char *code, double mx,
                     double my, enum tm_status s);

/* Add a pin at global pixel (px, py) of zoom z. */
void support_add_pin_px(struct tm_pins *pins, const char *code, int z,
                        double px, double py, enum tm_status s);

/* Add a pin at CRS84 (lon, lat). */
void support_add_pin_ll(struct tm_pins *pins, const char *code, double lon,
                        double lat, enum tm_status s);

/* Add the 34 UK pins, unsorted: 22 towns over the UK (T00..T21, the last
 * four west of London, in the golden tile 8/127/85) and 12 hospitals
 * within 3 km of central London (L00..L11, a cluster up to z8). */
void support_add_uk_pins(struct tm_pins *pins);

/* Step the generator in *s and return its top 31 bits: the same numbers
 * on every run and machine. */
uint64_t support_next_rand(uint64_t *s);

/* qsort()/bsearch() comparator for an array of char *. */
int support_str_cmp(const void *a, const void *b);

/* Sorted paths of the files under dir/under, relative to dir
 * ("/tiles/..."); *n is set to their count. */
char **support_list_files(const char *dir, const char *under, size_t *n);

/* Free a list from support_list_files(), or any array of n owned
 * strings. */
void support_free_list(char **v, size_t n);

/* The whole of a file, with a '\0' after its *len bytes. */
unsigned char *support_slurp(const char *path, size_t *len);

/* Fail unless files a and b hold the same bytes. */
void support_assert_same_file(const char *a, const char *b);

/* Fail unless folders a and b hold the same files with the same bytes. */
void support_assert_same_trees(const char *a, const char *b);

/* Compares the PNG at made, decoded, with the golden
 * fixtures/tiles-golden-NAME (written first when TM_UPDATE_GOLDENS is
 * set): channels weighted by alpha may differ by at most 2, and at most
 * 0.1% of pixels at all. */
void support_check_golden(const char *made, const char *name);

#endif /* TM_TEST_SUPPORT_H */
