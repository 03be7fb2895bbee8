/* test_legend.c - legend.c: legend.png and legend@2x.png (exactly twice
 * the size), a white rounded box with each status's pin and the style's
 * labels, the cluster row only when the style clusters, errors naming the
 * path, pngcheck, and golden images compared on decoded pixels.
 *
 * Not tested here: a missing font. legend.c opens TM_FONT_REGULAR, a
 * fixed path, so a test cannot point it elsewhere; tm_font_open() itself
 * (TM_SYSTEM naming the path and the package) is tested in test_render.c.
 *
 * Goldens: fixtures/tiles-golden-legend.png and -legend@2x.png, compared
 * on decoded pixels weighted by alpha: no channel may differ by more than
 * 2, and at most 0.1% of the pixels may differ at all. Regenerate with
 *   TM_UPDATE_GOLDENS=1 meson test -C <build> --suite unit tiles legend
 * LOOK at them, and commit them with the change that explains them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encode.h"
#include "legend.h"
#include "style.h"
#include "support.h"

#define STYLE_JSON(cluster, label) \
  "{\"pin\": {\"width\": 26, \"height\": 38, \"outline\": 2," \
  "           \"shadow\": true}," \
  " \"cluster\": {\"enabled\": " cluster "}," \
  " \"statuses\": {" \
  "  \"collecting\": {\"label\": \"" label "\"," \
  "                  \"colour\": \"#005a3c\", \"glyph\": \"tick\"}," \
  "  \"partial\": {\"label\": \"Hospital Trust is partially collecting" \
  " data\", \"colour\": \"#c25e00\", \"glyph\": \"half\"}," \
  "  \"not_collecting\": {\"label\": \"Hospital Trust is not collecting" \
  " data\", \"colour\": \"#d0209a\", \"glyph\": \"cross\"}," \
  "  \"no_response\": {\"label\": \"No response received\"," \
  "                   \"colour\": \"#848484\", \"glyph\": \"question\"}}}"

#define DEFAULT_STYLE \
  STYLE_JSON("true", "Hospital Trust is collecting data")

static char tmpdir[] = "/tmp/tm-test-legend-XXXXXX";

static int setup(void **state)
{
  (void)state;
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  return support_remove_tree(tmpdir);
}

/* Writes the key for json into tmpdir/name and reads both scales. */
static void legend_of(const char *json, const char *name,
                      struct tm_rgba *one, struct tm_rgba *two)
{
  struct tm_style *st = support_style_from(json, NULL);
  struct tm_error err = { 0 };
  char *dir = tm_xasprintf("%s/%s", tmpdir, name);
  char *p1 = tm_xasprintf("%s/legend.png", dir);
  char *p2 = tm_xasprintf("%s/legend@2x.png", dir);

  assert_int_equal(mkdir(dir, 0777), 0);
  if(tm_legend_write(st, dir, &err))
    fail_msg("%s", err.msg);
  if(tm_png_read(p1, one, &err) || tm_png_read(p2, two, &err))
    fail_msg("%s", err.msg);
  free(p1);
  free(p2);
  free(dir);
  tm_style_free(st);
}

static const unsigned char *px_at(const struct tm_rgba *d, int x, int y)
{
  return d->px + 4 * ((size_t)y * (size_t)d->width + (size_t)x);
}

static size_t count_colour(const struct tm_rgba *d, const char *hex)
{
  unsigned r, g, b;
  size_t n = 0;
  int i;

  assert_int_equal(sscanf(hex, "#%2x%2x%2x", &r, &g, &b), 3);
  for(i = 0; i < d->width * d->height; i++) {
    const unsigned char *p = d->px + 4 * i;

    if(p[3] == 255 && abs(p[0] - (int)r) < 6 && abs(p[1] - (int)g) < 6 &&
       abs(p[2] - (int)b) < 6)
      n++;
  }
  return n;
}

static void key_should_be_written_at_both_scales(void **state)
{
  struct tm_rgba one, two;

  (void)state;
  legend_of(DEFAULT_STYLE, "both", &one, &two);
  assert_int_equal(two.width, 2 * one.width);
  assert_int_equal(two.height, 2 * one.height);
  assert_true(one.width > 200 && one.height > 150);
  /* rounded corners stay transparent, the box is white inside */
  assert_int_equal(px_at(&one, 0, 0)[3], 0);
  assert_int_equal(px_at(&two, two.width - 1, two.height - 1)[3], 0);
  assert_memory_equal(px_at(&one, one.width - 4, one.height / 2),
                      "\xff\xff\xff\xff", 4);
  /* the border is a faint grey, not black */
  assert_true(px_at(&one, 0, one.height / 2)[0] > 150);
  assert_true(px_at(&one, 0, one.height / 2)[0] < 230);
  /* every status's pin is there, bigger at @2x */
  assert_true(count_colour(&one, "#005a3c") > 100);
  assert_true(count_colour(&one, "#c25e00") > 100);
  assert_true(count_colour(&one, "#d0209a") > 100);
  assert_true(count_colour(&one, "#848484") > 100);
  assert_true(count_colour(&two, "#d0209a") >
              3 * count_colour(&one, "#d0209a"));
  free(one.px);
  free(two.px);
}

static void key_should_pass_pngcheck(void **state)
{
  struct tm_rgba one, two;
  char *cmd;

  (void)state;
  if(system("command -v pngcheck >/dev/null 2>&1"))
    skip();
  legend_of(DEFAULT_STYLE, "check", &one, &two);
  free(one.px);
  free(two.px);
  cmd = tm_xasprintf("pngcheck -q '%s/check/legend.png' "
                     "'%s/check/legend@2x.png'", tmpdir, tmpdir);
  assert_int_equal(system(cmd), 0);
  free(cmd);
}

static void labels_should_come_from_the_style(void **state)
{
  struct tm_rgba a1, a2, b1, b2;

  (void)state;
  legend_of(STYLE_JSON("true", "Yes"), "short", &a1, &a2);
  legend_of(STYLE_JSON("true", "Yes, this hospital trust counts every "
                       "patient with secondary breast cancer"), "long",
            &b1, &b2);
  assert_true(b1.width > a1.width + 100);
  assert_int_equal(b2.width, 2 * b1.width);
  free(a1.px);
  free(a2.px);
  free(b1.px);
  free(b2.px);
}

static void cluster_row_should_follow_the_style(void **state)
{
  struct tm_rgba a1, a2, b1, b2;

  (void)state;
  legend_of(STYLE_JSON("true", "Collecting"), "with", &a1, &a2);
  legend_of(STYLE_JSON("false", "Collecting"), "without", &b1, &b2);
  assert_true(b1.height < a1.height);
  free(a1.px);
  free(a2.px);
  free(b1.px);
  free(b2.px);
}

static void unwritable_folder_should_name_the_file(void **state)
{
  struct tm_style *st = support_style_from(DEFAULT_STYLE, NULL);
  struct tm_error err = { 0 };
  char *dir = tm_xasprintf("%s/afile", tmpdir);
  char *want = tm_xasprintf("%s/legend.png: cannot create: ", dir);

  (void)state;
  assert_int_equal(tm_encode_save(dir, "x", 1, &err), TM_OK);
  assert_int_equal(tm_legend_write(st, dir, &err), TM_SYSTEM);
  assert_memory_equal(err.msg, want, strlen(want));
  free(want);
  free(dir);
  tm_style_free(st);
}

static void key_should_match_the_goldens(void **state)
{
  struct tm_rgba one, two;
  char *p1 = tm_xasprintf("%s/golden/legend.png", tmpdir);
  char *p2 = tm_xasprintf("%s/golden/legend@2x.png", tmpdir);

  (void)state;
  legend_of(DEFAULT_STYLE, "golden", &one, &two);
  support_check_golden(p1, "legend.png");
  support_check_golden(p2, "legend@2x.png");
  free(one.px);
  free(two.px);
  free(p1);
  free(p2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(key_should_be_written_at_both_scales),
    cmocka_unit_test(key_should_pass_pngcheck),
    cmocka_unit_test(labels_should_come_from_the_style),
    cmocka_unit_test(cluster_row_should_follow_the_style),
    cmocka_unit_test(unwritable_folder_should_name_the_file),
    cmocka_unit_test(key_should_match_the_goldens),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
