/* test_render.c - render.c: pin sprites stay inside the box tileplan.c
 * plans for, 1x and @2x ink the same pixels, the tip sits on the anchor,
 * each status has its own glyph, cluster rings show the mix, compositing
 * is exact Porter-Duff OVER, and a missing font names the package.
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

#include "render.h"
#include "style.h"
#include "support.h"
#include "tileplan.h"

#define STYLE_JSON(pin) \
  "{\"pin\": " pin "," \
  SUPPORT_STATUSES_JSON "}"

static struct tm_painter *painter(void)
{
  struct tm_painter *p = NULL;
  struct tm_error err = { 0 };

  if(tm_painter_new(&p, &err))
    fail_msg("%s", err.msg);
  return p;
}

static struct tm_pin_sprites *sprites(struct tm_painter *p,
                                      const struct tm_style *st, double s)
{
  struct tm_pin_sprites *ps = NULL;
  struct tm_error err = { 0 };

  if(tm_pin_sprites_new(p, st, s, &ps, &err))
    fail_msg("%s", err.msg);
  return ps;
}

static unsigned alpha_at(const struct tm_sprite *s, int x, int y)
{
  return s->px[(size_t)y * (size_t)s->w + (size_t)x] >> 24;
}

static void missing_font_should_name_the_path_and_package(void **state)
{
  struct tm_font *f = NULL;
  struct tm_error err = { 0 };

  (void)state;
  assert_int_equal(tm_font_open("/nonexistent/DejaVuSans.ttf", &f, &err),
                   TM_SYSTEM);
  assert_null(f);
  assert_non_null(strstr(err.msg, "/nonexistent/DejaVuSans.ttf: "));
  assert_non_null(strstr(err.msg, "fonts-dejavu-core"));
}

/* Every inked pixel of every sprite lies within tm_tileplan_pin_box. */
static void check_boxes(const char *pin, double scale)
{
  struct tm_style *st = support_style_from(pin, NULL);
  struct tm_painter *p = painter();
  struct tm_pin_sprites *ps = sprites(p, st, scale);
  struct tm_pin_box b;
  int s, fx, fy, dpr;

  tm_tileplan_pin_box(&st->pin, scale, &b);
  for(s = 0; s < TM_STATUS_COUNT; s++)
    for(fy = 0; fy < TM_SUBPIXEL; fy++)
      for(fx = 0; fx < TM_SUBPIXEL; fx++)
        for(dpr = 1; dpr <= 2; dpr++) {
          const struct tm_sprite *sp =
            tm_pin_sprite(ps, (enum tm_status)s, fx, fy, dpr);
          /* the tip, in this sprite's pixels */
          double tx = -sp->ox + dpr * (double)fx / TM_SUBPIXEL;
          double ty = -sp->oy + dpr * (double)fy / TM_SUBPIXEL;

          assert_true(sp->bx0 < sp->bx1 && sp->by0 < sp->by1);
          assert_true(sp->bx0 >= tx - dpr * b.left);
          assert_true(sp->bx1 <= tx + dpr * b.right);
          assert_true(sp->by0 >= ty - dpr * b.up);
          assert_true(sp->by1 <= ty + dpr * b.down);
        }
  tm_pin_sprites_free(ps);
  tm_painter_free(p);
  tm_style_free(st);
}

static void sprites_should_stay_inside_the_planned_box(void **state)
{
  (void)state;
  check_boxes(STYLE_JSON("{\"width\": 26, \"height\": 38, \"outline\": 2,"
                         " \"shadow\": true}"), 1);
  check_boxes(STYLE_JSON("{\"width\": 26, \"height\": 38, \"outline\": 2,"
                         " \"shadow\": true}"), 0.6);
  check_boxes(STYLE_JSON("{\"width\": 40, \"height\": 40, \"outline\": 0,"
                         " \"shadow\": false}"), 1);
  check_boxes(STYLE_JSON("{\"width\": 8, \"height\": 30, \"outline\": 8,"
                         " \"shadow\": true}"), 0.7);
  /* the limits style.c allows: largest and smallest pins */
  check_boxes(STYLE_JSON("{\"width\": 128, \"height\": 192, \"outline\": 8,"
                         " \"shadow\": true}"), 1);
  check_boxes(STYLE_JSON("{\"width\": 8, \"height\": 8, \"outline\": 8,"
                         " \"shadow\": true}"), 0.6);
  check_boxes(STYLE_JSON("{\"width\": 8, \"height\": 8, \"outline\": 0,"
                         " \"shadow\": false}"), 0.6);
}

static void both_scales_should_ink_the_same_pixels(void **state)
{
  struct tm_style *st = support_style_from(STYLE_JSON(
    "{\"width\": 26, \"height\": 38, \"outline\": 2,"
    " \"shadow\": true}"), NULL);
  struct tm_painter *p = painter();
  struct tm_pin_sprites *ps = sprites(p, st, 0.8);
  int s, f, x, y;

  (void)state;
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    for(f = 0; f < TM_SUBPIXEL * TM_SUBPIXEL; f++) {
      const struct tm_sprite *a = tm_pin_sprite(ps, (enum tm_status)s,
                                                f % TM_SUBPIXEL,
                                                f / TM_SUBPIXEL, 1);
      const struct tm_sprite *b = tm_pin_sprite(ps, (enum tm_status)s,
                                                f % TM_SUBPIXEL,
                                                f / TM_SUBPIXEL, 2);

      assert_int_equal(b->w, 2 * a->w);
      assert_int_equal(b->ox, 2 * a->ox);
      /* same 1x pixels: the @2x box may start or end mid-pixel */
      assert_int_equal(b->bx0 / 2, a->bx0);
      assert_int_equal((b->by1 + 1) / 2, a->by1);
      for(y = 0; y < a->h; y++) {
        for(x = 0; x < a->w; x++) {
          bool one = alpha_at(a, x, y) > 0;
          bool two = alpha_at(b, 2 * x, 2 * y) || alpha_at(b, 2 * x + 1, 2 * y)
                     || alpha_at(b, 2 * x, 2 * y + 1)
                     || alpha_at(b, 2 * x + 1, 2 * y + 1);

          assert_int_equal(one, two);
        }
      }
    }
  }
  tm_pin_sprites_free(ps);
  tm_painter_free(p);
  tm_style_free(st);
}

static void tip_should_sit_on_the_anchor(void **state)
{
  /* No outline and no shadow: the ink is the teardrop alone. */
  struct tm_style *st = support_style_from(STYLE_JSON(
    "{\"width\": 20, \"height\": 32, \"outline\": 0,"
    " \"shadow\": false}"), NULL);
  struct tm_painter *p = painter();
  struct tm_pin_sprites *ps = sprites(p, st, 1);
  double bias[3] = { NAN, NAN, NAN };
  int fx, fy, dpr;

  (void)state;
  for(dpr = 1; dpr <= 2; dpr++)
    for(fy = 0; fy < TM_SUBPIXEL; fy++)
      for(fx = 0; fx < TM_SUBPIXEL; fx++) {
        const struct tm_sprite *s = tm_pin_sprite(ps, TM_STATUS_PARTIAL, fx,
                                                  fy, dpr);
        double tx = -s->ox + dpr * (double)fx / TM_SUBPIXEL;
        double ty = -s->oy + dpr * (double)fy / TM_SUBPIXEL;
        double sum = 0, sx = 0;
        int x, y;

        for(y = 0; y < s->h; y++)
          for(x = 0; x < s->w; x++) {
            sum += alpha_at(s, x, y);
            sx += alpha_at(s, x, y) * (x + 0.5);
          }
        /* Symmetric about the tip's x. cairo's fast rasteriser (see
         * render.c) samples a 4x4 grid that sits a little left of each
         * pixel's centre, so the ink is a fraction of a pixel off, by
         * the same amount at every step: the steps are exact. */
        if(isnan(bias[dpr]))
          bias[dpr] = sx / sum - tx;
        assert_true(fabs(bias[dpr]) < 0.25);
        assert_true(fabs(sx / sum - tx - bias[dpr]) < 0.03);
        /* the lowest ink is in the pixel row that holds the tip */
        assert_true(s->by1 == (int)ceil(ty) || s->by1 == (int)ceil(ty) - 1);
        /* and the head's top is height above it */
        assert_true(fabs(s->by0 - (ty - dpr * 32)) < 1.0);
      }
  tm_pin_sprites_free(ps);
  tm_painter_free(p);
  tm_style_free(st);
}

/* Pixels of the head that are nearly white: the glyph. */
static void glyph_mask(const struct tm_sprite *s, unsigned char *mask)
{
  int x, y;

  for(y = 0; y < s->h; y++)
    for(x = 0; x < s->w; x++) {
      uint32_t v = s->px[(size_t)y * (size_t)s->w + (size_t)x];

      mask[y * s->w + x] = (v >> 24) == 255 && ((v >> 16) & 255) > 230 &&
                           ((v >> 8) & 255) > 230 && (v & 255) > 230;
    }
}

static void each_status_should_have_its_own_glyph(void **state)
{
  struct tm_style *st = support_style_from(STYLE_JSON(
    "{\"width\": 26, \"height\": 38, \"outline\": 0,"
    " \"shadow\": false}"), NULL);
  struct tm_painter *p = painter();
  struct tm_pin_sprites *ps = sprites(p, st, 1);
  unsigned char *m[TM_STATUS_COUNT];
  size_t n = 0;
  int s, t, i, count;

  (void)state;
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    const struct tm_sprite *sp = tm_pin_sprite(ps, (enum tm_status)s, 0, 0,
                                               2);

    n = (size_t)sp->w * (size_t)sp->h;
    m[s] = calloc(n, 1);
    glyph_mask(sp, m[s]);
    for(count = 0, i = 0; i < (int)n; i++)
      count += m[s][i];
    if(count < 40)
      fail_msg("status %d: only %d glyph pixels", s, count);
  }
  for(s = 0; s < TM_STATUS_COUNT; s++)
    for(t = s + 1; t < TM_STATUS_COUNT; t++)
      assert_true(memcmp(m[s], m[t], n) != 0);
  for(s = 0; s < TM_STATUS_COUNT; s++)
    free(m[s]);
  tm_pin_sprites_free(ps);
  tm_painter_free(p);
  tm_style_free(st);
}

static size_t count_colour(const struct tm_sprite *s, struct tm_rgb c)
{
  size_t n = 0;
  int i;

  for(i = 0; i < s->w * s->h; i++) {
    uint32_t v = s->px[i];

    if((v >> 24) == 255 && abs((int)((v >> 16) & 255) - c.r) < 8 &&
       abs((int)((v >> 8) & 255) - c.g) < 8 && abs((int)(v & 255) - c.b) < 8)
      n++;
  }
  return n;
}

static void cluster_ring_should_show_the_mix(void **state)
{
  struct tm_style *st = support_style_from(STYLE_JSON(
    "{\"width\": 26, \"height\": 38, \"outline\": 2,"
    " \"shadow\": true}"), NULL);
  struct tm_painter *p = painter();
  struct tm_sprite a = { 0 }, b = { 0 };
  size_t counts[TM_STATUS_COUNT] = { 3, 1, 0, 0 };
  size_t green, orange, pink, dark = 0;
  double ratio;
  int i;

  (void)state;
  tm_render_cluster(p, st, counts, 20, 1, 2, &a, &b);
  green = count_colour(&b, st->status[TM_STATUS_COLLECTING].rgb);
  orange = count_colour(&b, st->status[TM_STATUS_PARTIAL].rgb);
  pink = count_colour(&b, st->status[TM_STATUS_NOT_COLLECTING].rgb);
  ratio = (double)green / (double)orange;
  assert_true(ratio > 2.6 && ratio < 3.4);
  assert_int_equal(pink, 0);
  /* the count "4" in dark ink near the middle */
  for(i = 0; i < b.w * b.h; i++) {
    uint32_t v = b.px[i];

    if((v >> 24) == 255 && ((v >> 16) & 255) < 80)
      dark++;
  }
  assert_true(dark > 20);
  assert_int_equal(b.w, 2 * a.w);
  tm_sprite_release(&a);
  tm_sprite_release(&b);
  tm_painter_free(p);
  tm_style_free(st);
}

static bool sprites_equal(const struct tm_sprite *x, const struct tm_sprite *y)
{
  return x->w == y->w && x->h == y->h && x->ox == y->ox && x->oy == y->oy &&
         x->bx0 == y->bx0 && x->by0 == y->by0 && x->bx1 == y->bx1 &&
         x->by1 == y->by1 &&
         !memcmp(x->px, y->px, (size_t)x->w * (size_t)x->h * 4);
}

/* Phases drawn one by one, in any order, are the phases of a whole set;
 * a phase not drawn yet is empty and says so. */
static void sprite_phases_should_draw_alone(void **state)
{
  struct tm_style *st = support_style_from(STYLE_JSON(
    "{\"width\": 26, \"height\": 38, \"outline\": 2,"
    " \"shadow\": true}"), NULL);
  struct tm_painter *p = painter();
  struct tm_pin_sprites *whole = sprites(p, st, 0.7), *parts = NULL;
  struct tm_error err = { 0 };
  int phase, s, dpr;

  (void)state;
  assert_int_equal(tm_pin_sprites_alloc(st, 0.7, &parts, &err), TM_OK);
  for(phase = 0; phase < TM_PIN_PHASES; phase++)
    assert_false(tm_pin_sprites_drawn(parts, phase));
  tm_pin_sprites_draw(p, parts, 9);
  tm_pin_sprites_draw(p, parts, 2);
  for(phase = 0; phase < TM_PIN_PHASES; phase++) {
    int fx = phase % TM_SUBPIXEL, fy = phase / TM_SUBPIXEL;
    bool drawn = phase == 9 || phase == 2;

    assert_int_equal(tm_pin_sprites_drawn(parts, phase), drawn);
    for(s = 0; s < TM_STATUS_COUNT; s++) {
      for(dpr = 1; dpr <= 2; dpr++) {
        const struct tm_sprite *a = tm_pin_sprite(whole, s, fx, fy, dpr);
        const struct tm_sprite *b = tm_pin_sprite(parts, s, fx, fy, dpr);

        if(drawn)
          assert_true(sprites_equal(a, b));
        else
          assert_true(b->bx0 >= b->bx1);
      }
    }
  }
  tm_pin_sprites_free(whole);
  tm_pin_sprites_free(parts);
  tm_painter_free(p);
  tm_style_free(st);
}

/* A painter copies a cluster's shadow and disc once it has drawn them for
 * that radius and step; past its 16 radii it draws them whole. All three
 * ways must give the same pixels. */
static void cluster_should_not_depend_on_what_was_drawn_before(void **state)
{
  struct tm_style *st = support_style_from(STYLE_JSON(
    "{\"width\": 26, \"height\": 38, \"outline\": 2,"
    " \"shadow\": true}"), NULL);
  struct tm_painter *fresh = painter(), *used = painter();
  struct tm_sprite a1 = { 0 }, a2 = { 0 }, b1 = { 0 }, b2 = { 0 };
  size_t counts[TM_STATUS_COUNT] = { 5, 2, 9, 1 };
  size_t other[TM_STATUS_COUNT] = { 0, 40, 0, 3 };
  int r, fx, fy;

  (void)state;
  for(fy = 0; fy < TM_SUBPIXEL; fy += 3) {
    for(fx = 0; fx < TM_SUBPIXEL; fx += 2) {
      tm_render_cluster(fresh, st, counts, 17.5, fx, fy, &a1, &a2);
      /* the base copied, after other counts at the same radius */
      tm_render_cluster(used, st, other, 17.5, fx, fy, &b1, &b2);
      tm_render_cluster(used, st, counts, 17.5, fx, fy, &b1, &b2);
      assert_true(sprites_equal(&a1, &b1));
      assert_true(sprites_equal(&a2, &b2));
    }
  }
  /* drawn whole, once the painter is full of other radii */
  for(r = 0; r < 20; r++)
    tm_render_cluster(used, st, other, 8 + r, 0, 0, &b1, &b2);
  tm_render_cluster(used, st, counts, 31.25, 3, 1, &b1, &b2);
  tm_painter_free(fresh);
  fresh = painter();
  tm_render_cluster(fresh, st, counts, 31.25, 3, 1, &a1, &a2);
  assert_true(sprites_equal(&a1, &b1));
  assert_true(sprites_equal(&a2, &b2));
  tm_sprite_release(&a1);
  tm_sprite_release(&a2);
  tm_sprite_release(&b1);
  tm_sprite_release(&b2);
  tm_painter_free(fresh);
  tm_painter_free(used);
  tm_style_free(st);
}

static void composite_should_be_exact_over(void **state)
{
  uint32_t px[4 * 4], spx[2 * 1] = { 0x80800000u, 0xff00ff00u };
  struct tm_sprite s = { 0 };
  struct tm_canvas c;
  int i;

  (void)state;
  for(i = 0; i < 16; i++)
    px[i] = 0;
  px[1 * 4 + 2] = 0xffffffffu;
  s.px = spx;
  s.w = 2;
  s.h = 1;
  s.ox = -1;
  s.oy = 0;
  s.bx0 = 0;
  s.by0 = 0;
  s.bx1 = 2;
  s.by1 = 1;
  /* canvas covers global pixels (100..103, 50..53) */
  tm_canvas_init(&c, px, 4, 4, 100, 50);
  tm_render_composite(&c, &s, 103, 51);     /* sprite at x 102..103 */
  /* half red over white: 128 + 127 in red, 127 in green and blue */
  assert_int_equal(px[1 * 4 + 2], 0xffff7f7fu);
  assert_int_equal(px[1 * 4 + 3], 0xff00ff00u);
  assert_true(c.inked);
  assert_int_equal(c.dx0, 2);
  assert_int_equal(c.dx1, 4);
  assert_int_equal(c.dy0, 1);
  assert_int_equal(c.dy1, 2);
  /* half red over nothing stays as it is; off the canvas is clipped */
  tm_render_composite(&c, &s, 101, 53);
  assert_int_equal(px[3 * 4 + 0], 0x80800000u);
  assert_int_equal(px[3 * 4 + 1], 0xff00ff00u);
  tm_render_composite(&c, &s, 200, 53);
  tm_render_composite(&c, &s, 100, 53);     /* x 99..100: half inside */
  assert_int_equal(px[3 * 4 + 0], 0xff00ff00u);
  tm_canvas_clear(&c);
  for(i = 0; i < 16; i++)
    assert_int_equal(px[i], 0);
  assert_false(c.inked);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(missing_font_should_name_the_path_and_package),
    cmocka_unit_test(sprites_should_stay_inside_the_planned_box),
    cmocka_unit_test(both_scales_should_ink_the_same_pixels),
    cmocka_unit_test(tip_should_sit_on_the_anchor),
    cmocka_unit_test(each_status_should_have_its_own_glyph),
    cmocka_unit_test(cluster_ring_should_show_the_mix),
    cmocka_unit_test(cluster_should_not_depend_on_what_was_drawn_before),
    cmocka_unit_test(sprite_phases_should_draw_alone),
    cmocka_unit_test(composite_should_be_exact_over),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
