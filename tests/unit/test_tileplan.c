/* test_tileplan.c - tileplan.c against published reference values:
 * the OSM wiki's "Slippy map tilenames" (London at z10 is 511/340),
 * mercantile's README (tile 486/332/10 and lon/lat -105/40), the OSM
 * wiki's deg2num/num2tile formulas (evaluated in Python for the southern
 * and western values), and PROJ (cs2cs +proj=longlat +datum=WGS84 +to
 * EPSG:3857) for Web Mercator metres; plus the sub-pixel grid and which
 * tiles a pin's box touches (1 in a tile's middle, 2 near an edge, 4 near
 * a corner, y counted from the north).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "tileplan.h"

#define assert_near(a, b, eps) \
  assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static void london_at_z10_should_be_tile_511_340(void **state)
{
  struct tm_tile t = tm_tile_at(-0.1278, 51.5074, 10);

  (void)state;
  assert_int_equal(t.z, 10);
  assert_int_equal(t.x, 511);
  assert_int_equal(t.y, 340);
}

static void tile_511_340_should_have_the_published_north_west_corner(
  void **state)
{
  double w, s, e, n;

  (void)state;
  tm_tile_bounds(10, 511, 340, &w, &s, &e, &n);
  /* OSM wiki tile2lon/tile2lat */
  assert_near(w, -0.3515625, 1e-12);
  assert_near(n, 51.6180165487737, 1e-9);
  assert_near(e, 0, 1e-12);
}

static void tile_486_332_z10_should_match_mercantile_bounds(void **state)
{
  double w, s, e, n;

  (void)state;
  /* mercantile.bounds(486, 332, 10) */
  tm_tile_bounds(10, 486, 332, &w, &s, &e, &n);
  assert_near(w, -9.140625, 1e-12);
  assert_near(s, 53.120405283106564, 1e-9);
  assert_near(e, -8.7890625, 1e-12);
  assert_near(n, 53.33087298301705, 1e-9);
}

static void z0_should_be_one_tile_for_the_whole_world(void **state)
{
  static const double pts[][2] = {
    { -0.1278, 51.5074 }, { -43.1729, -22.9068 }, { 151.2093, -33.8688 },
    { -180, 85.0511 }, { 179.999999, -85.0511 }, { 0, 0 },
  };
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
    struct tm_tile t = tm_tile_at(pts[i][0], pts[i][1], 0);

    assert_int_equal(t.z, 0);
    assert_int_equal(t.x, 0);
    assert_int_equal(t.y, 0);
  }
}

static void southern_and_western_points_should_match_deg2num(void **state)
{
  /* OSM wiki deg2num: Rio de Janeiro at z10 is 389.197/578.966, Buenos
   * Aires at z7 43.242/77.128, Sydney at z12 3768.43/2457.98. */
  struct tm_tile rio = tm_tile_at(-43.1729, -22.9068, 10);
  struct tm_tile ba = tm_tile_at(-58.3816, -34.6037, 7);
  struct tm_tile syd = tm_tile_at(151.2093, -33.8688, 12);

  (void)state;
  assert_int_equal(rio.x, 389);
  assert_int_equal(rio.y, 578);
  assert_int_equal(ba.x, 43);
  assert_int_equal(ba.y, 77);
  assert_int_equal(syd.x, 3768);
  assert_int_equal(syd.y, 2457);
}

static void tile_389_578_should_have_the_num2deg_corner(void **state)
{
  double w, s, e, n;

  (void)state;
  /* num2deg(389, 578, 10) = (-43.2421875, -22.59372606392931) */
  tm_tile_bounds(10, 389, 578, &w, &s, &e, &n);
  assert_near(w, -43.2421875, 1e-12);
  assert_near(n, -22.59372606392931, 1e-9);
  assert_true(s < n && e > w);
}

static void london_should_be_at_its_global_pixel(void **state)
{
  double mx, my, px, py;

  (void)state;
  /* deg2num(51.5074, -0.1278, 10) * 256 */
  tm_merc_from_lonlat(-0.1278, 51.5074, &mx, &my);
  tm_merc_to_px(mx, my, 10, &px, &py);
  assert_near(px, 130978.93888, 1e-5);
  assert_near(py, 87169.57060054864, 1e-5);
  /* one zoom up, twice the pixels */
  tm_merc_to_px(mx, my, 11, &px, &py);
  assert_near(px, 2 * 130978.93888, 2e-5);
  assert_near(py, 2 * 87169.57060054864, 2e-5);
}

static void mercator_metres_should_match_proj(void **state)
{
  static const double ref[][4] = {
    /* lon, lat, x, y from cs2cs -d 6 */
    { -0.1278, 51.5074, -14226.630923, 6711542.475588 },
    { -3.1883, 55.9533, -354919.932496, 7549124.618387 },
    { -5.9301, 54.5973, -660135.712353, 7284099.264286 },
    { -105, 40, -11688546.533293726, 4865942.279503175 },
    { 180, 0, 20037508.342789, 0 },
  };
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
    double mx, my;

    tm_merc_from_lonlat(ref[i][0], ref[i][1], &mx, &my);
    assert_near(mx, ref[i][2], 1e-5);
    assert_near(my, ref[i][3], 1e-5);
  }
}

static void mercator_should_invert(void **state)
{
  double lon, lat, mx, my;
  int i;

  (void)state;
  for(i = -8; i <= 8; i++) {
    double lon0 = i * 22.25, lat0 = i * 10.6;

    tm_merc_from_lonlat(lon0, lat0, &mx, &my);
    tm_merc_to_lonlat(mx, my, &lon, &lat);
    assert_near(lon, lon0, 1e-9);
    assert_near(lat, lat0, 1e-9);
  }
}

static void pixels_should_count_from_the_north_west_corner(void **state)
{
  double px, py, mx, my;

  (void)state;
  tm_merc_to_px(-TM_MERC_HALF, TM_MERC_HALF, 3, &px, &py);
  assert_near(px, 0, 1e-9);
  assert_near(py, 0, 1e-9);
  tm_merc_to_px(TM_MERC_HALF, -TM_MERC_HALF, 3, &px, &py);
  assert_near(px, 2048, 1e-9);
  assert_near(py, 2048, 1e-9);
  tm_merc_to_px(0, 0, 0, &px, &py);
  assert_near(px, 128, 1e-9);
  assert_near(py, 128, 1e-9);
  tm_px_to_merc(700.25, 1300.5, 12, &mx, &my);
  tm_merc_to_px(mx, my, 12, &px, &py);
  assert_near(px, 700.25, 1e-6);
  assert_near(py, 1300.5, 1e-6);
  assert_near(tm_world_px(22), 256.0 * 4194304.0, 0);
}

static void tile_y_should_count_from_the_north(void **state)
{
  struct tm_tile north = tm_tile_at(10, 80, 1);
  struct tm_tile south = tm_tile_at(10, -80, 1);
  struct tm_tile pole = tm_tile_at(-180, 89.9, 4);

  (void)state;
  assert_int_equal(north.x, 1);
  assert_int_equal(north.y, 0);
  assert_int_equal(south.y, 1);
  assert_int_equal(pole.x, 0);
  assert_int_equal(pole.y, 0);    /* clamped into the world */
}

static void box_ending_on_a_tile_edge_should_not_touch_the_next(void **state)
{
  struct tm_tile_range r;

  (void)state;
  assert_true(tm_tileplan_range(5, 10, 20, 256, 512, &r));
  assert_int_equal(r.x0, 0);
  assert_int_equal(r.x1, 0);
  assert_int_equal(r.y0, 0);
  assert_int_equal(r.y1, 1);
  assert_true(tm_tileplan_range(5, 255.5, 511.5, 256.5, 512.5, &r));
  assert_int_equal(r.x0, 0);
  assert_int_equal(r.x1, 1);
  assert_int_equal(r.y0, 1);
  assert_int_equal(r.y1, 2);
}

static void box_should_be_clipped_to_the_world(void **state)
{
  struct tm_tile_range r;

  (void)state;
  assert_true(tm_tileplan_range(1, -30, -30, 20, 20, &r));
  assert_int_equal(r.x0, 0);
  assert_int_equal(r.y0, 0);
  assert_int_equal(r.x1, 0);
  assert_int_equal(r.y1, 0);
  assert_true(tm_tileplan_range(1, 500, 500, 600, 600, &r));
  assert_int_equal(r.x1, 1);
  assert_int_equal(r.y1, 1);
  assert_false(tm_tileplan_range(1, 512, 0, 600, 10, &r));
  assert_false(tm_tileplan_range(1, -50, 0, 0, 10, &r));
}

static void anchor_should_snap_to_the_sub_pixel_grid(void **state)
{
  struct tm_anchor a;
  double mx, my;

  (void)state;
  tm_px_to_merc(100.3, 200.9, 7, &mx, &my);
  a = tm_tileplan_anchor(mx, my, 7);
  /* 100.3 * 4 = 401.2 -> 401 = 100 + 1/4; 200.9 * 4 = 803.6 -> 804 */
  assert_int_equal(a.x, 100);
  assert_int_equal(a.fx, 1);
  assert_int_equal(a.y, 201);
  assert_int_equal(a.fy, 0);

  tm_px_to_merc(-0.3, 5.0, 7, &mx, &my);
  a = tm_tileplan_anchor(mx, my, 7);
  assert_int_equal(a.x, -1);       /* -1.2 -> -1 quarter: -1 + 3/4 */
  assert_int_equal(a.fx, 3);
  assert_int_equal(a.y, 5);
  assert_int_equal(a.fy, 0);
}

static void anchor_should_be_within_an_eighth_pixel(void **state)
{
  int i;

  (void)state;
  for(i = 0; i < 1000; i++) {
    double px = 1000 + i * 0.0371, py = 2000 - i * 0.0913, mx, my;
    struct tm_anchor a;

    tm_px_to_merc(px, py, 14, &mx, &my);
    a = tm_tileplan_anchor(mx, my, 14);
    assert_true(a.fx >= 0 && a.fx < TM_SUBPIXEL);
    assert_true(a.fy >= 0 && a.fy < TM_SUBPIXEL);
    assert_near((double)a.x + (double)a.fx / TM_SUBPIXEL, px,
                0.5 / TM_SUBPIXEL + 1e-6);
    assert_near((double)a.y + (double)a.fy / TM_SUBPIXEL, py,
                0.5 / TM_SUBPIXEL + 1e-6);
  }
}

static void pin_box_should_reach_width_and_height_from_the_tip(void **state)
{
  struct tm_pin_style ps = { 26, 38, 2, false };
  struct tm_pin_box b;

  (void)state;
  tm_tileplan_pin_box(&ps, 1, &b);
  assert_near(b.left, 13 + 2 + 1, 1e-12);
  assert_near(b.right, 13 + 2 + 1, 1e-12);
  assert_near(b.up, 38 + 2 + 1, 1e-12);
  assert_near(b.down, 2 + 1, 1e-12);
  ps.shadow = true;
  tm_tileplan_pin_box(&ps, 0.5, &b);
  assert_near(b.left, (15 + 5.2) * 0.5 + 1, 1e-12);
  assert_near(b.up, (40 + 5.2) * 0.5 + 1, 1e-12);
  assert_near(b.down, (2 + 5.2) * 0.5 + 1, 1e-12);
}

/* Tiles touched by a full-size pin (with shadow) whose tip is at global
 * pixel (px, py) of zoom 8. */
static struct tm_tile_range pin_at(double px, double py)
{
  struct tm_pin_style ps = { 26, 38, 2, true };
  struct tm_pin_box b;
  struct tm_tile_range r;
  double mx, my;

  tm_tileplan_pin_box(&ps, 1, &b);
  tm_px_to_merc(px, py, 8, &mx, &my);
  assert_true(tm_tileplan_pin_tiles(mx, my, 8, &b, &r));
  assert_int_equal(r.z, 8);
  return r;
}

static void pin_near_a_tile_edge_should_touch_two_tiles(void **state)
{
  struct tm_tile_range r;

  (void)state;
  /* 2 px east of the edge between x 2 and 3: the head reaches west */
  r = pin_at(3 * 256 + 2, 5 * 256 + 128);
  assert_int_equal(r.x0, 2);
  assert_int_equal(r.x1, 3);
  assert_int_equal(r.y0, 5);
  assert_int_equal(r.y1, 5);
  /* tip 10 px south of the edge between y 4 and 5: the body is above the
   * tip, so it reaches into the tile to the north (XYZ y from the north) */
  r = pin_at(3 * 256 + 128, 5 * 256 + 10);
  assert_int_equal(r.x0, 3);
  assert_int_equal(r.x1, 3);
  assert_int_equal(r.y0, 4);
  assert_int_equal(r.y1, 5);
  /* tip 10 px north of the edge between y 5 and 6: nothing but the
   * shadow's few pixels reach below the tip, so only tile y 5 */
  r = pin_at(3 * 256 + 128, 6 * 256 - 10);
  assert_int_equal(r.y0, 5);
  assert_int_equal(r.y1, 5);
  /* 2 px north of it: the outline and shadow do reach tile y 6 */
  r = pin_at(3 * 256 + 128, 6 * 256 - 2);
  assert_int_equal(r.y0, 5);
  assert_int_equal(r.y1, 6);
}

static void pin_on_a_tile_corner_should_touch_four_tiles(void **state)
{
  struct tm_pin_style ps = { 26, 38, 2, true };
  struct tm_pin_box b;
  struct tm_tile_range r;
  double mx, my;

  (void)state;
  tm_tileplan_pin_box(&ps, 1, &b);
  tm_px_to_merc(3 * 256, 5 * 256, 8, &mx, &my);
  assert_true(tm_tileplan_pin_tiles(mx, my, 8, &b, &r));
  assert_int_equal(r.x0, 2);
  assert_int_equal(r.x1, 3);
  assert_int_equal(r.y0, 4);
  assert_int_equal(r.y1, 5);
  /* Just inside the corner's north-west tile: still all four. */
  r = pin_at(3 * 256 - 0.25, 5 * 256 - 0.25);
  assert_int_equal(r.x0, 2);
  assert_int_equal(r.x1, 3);
  assert_int_equal(r.y0, 4);
  assert_int_equal(r.y1, 5);
  /* In the middle of a tile it touches only that one. */
  tm_px_to_merc(3 * 256 + 128, 5 * 256 + 128, 8, &mx, &my);
  assert_true(tm_tileplan_pin_tiles(mx, my, 8, &b, &r));
  assert_int_equal(r.x0, 3);
  assert_int_equal(r.x1, 3);
  assert_int_equal(r.y0, 5);
  assert_int_equal(r.y1, 5);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(london_at_z10_should_be_tile_511_340),
    cmocka_unit_test(
      tile_511_340_should_have_the_published_north_west_corner),
    cmocka_unit_test(tile_486_332_z10_should_match_mercantile_bounds),
    cmocka_unit_test(z0_should_be_one_tile_for_the_whole_world),
    cmocka_unit_test(southern_and_western_points_should_match_deg2num),
    cmocka_unit_test(tile_389_578_should_have_the_num2deg_corner),
    cmocka_unit_test(london_should_be_at_its_global_pixel),
    cmocka_unit_test(mercator_metres_should_match_proj),
    cmocka_unit_test(mercator_should_invert),
    cmocka_unit_test(pixels_should_count_from_the_north_west_corner),
    cmocka_unit_test(tile_y_should_count_from_the_north),
    cmocka_unit_test(box_ending_on_a_tile_edge_should_not_touch_the_next),
    cmocka_unit_test(box_should_be_clipped_to_the_world),
    cmocka_unit_test(anchor_should_snap_to_the_sub_pixel_grid),
    cmocka_unit_test(anchor_should_be_within_an_eighth_pixel),
    cmocka_unit_test(pin_box_should_reach_width_and_height_from_the_tip),
    cmocka_unit_test(pin_near_a_tile_edge_should_touch_two_tiles),
    cmocka_unit_test(pin_on_a_tile_corner_should_touch_four_tiles),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
