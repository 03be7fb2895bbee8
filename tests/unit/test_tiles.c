/* test_tiles.c - tiles.c: a pin whose tip is on a tile corner (exactly,
 * and a fraction of a pixel off) at z 3, 8 and 12, 1x and @2x, is the
 * same pixels in the four tiles around it as in one large canvas, with
 * its tip pixel inked and its body above the tip; a cluster likewise;
 * southern pins are drawn over northern ones (ties by code) whatever the
 * input order; scattered pins give exactly the inked tiles; on 34 UK pins
 * at z0-9: every PNG is inked, the right size and passes pngcheck,
 * available.json lists exactly the 1x files, clusters.json parses, the
 * summary counts the files on disk, and the bytes do not depend on the
 * job count, the run, the input order or @2x being asked for; errors
 * name the path; and golden images compared on decoded pixels.
 *
 * Goldens: fixtures/tiles-golden-*.png, compared on decoded pixels, each
 * channel weighted by alpha (what shows over a map): no channel may
 * differ by more than 2 and at most 0.1% of the pixels may differ at
 * all, so a zlib or cairo update that keeps the look passes. After a
 * deliberate change to how pins look, regenerate them with
 *   TM_UPDATE_GOLDENS=1 meson test -C <build> --suite unit tiles legend
 * (the tests then write them before comparing), LOOK at them, and commit
 * them with the change.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cluster.h"
#include "encode.h"
#include "style.h"
#include "support.h"
#include "tileplan.h"
#include "tiles.h"

#define MAXZ 9                  /* the UK tree: z0-9 */

static char tmpdir[] = "/tmp/tm-test-tiles-XXXXXX";
static struct tm_style *style;
static struct tm_pins *uk;      /* the UK pins, sorted */
static char *base;              /* their tree, jobs = 1 */
static struct tm_tiles_summary base_sum;

/* ---- helpers ---------------------------------------------------------- */

static char *sub(const char *name)
{
  return tm_xasprintf("%s/%s", tmpdir, name);
}

/* The 34 UK pins (support.h), sorted. */
static struct tm_pins *uk_pins(void)
{
  struct tm_pins *pins = tm_pins_new();

  support_add_uk_pins(pins);
  tm_pins_sort(pins);
  return pins;
}

static void write_tiles(const struct tm_pins *pins, int minz, int maxz,
                        int jobs, const char *dir,
                        struct tm_tiles_summary *sum)
{
  struct tm_tiles_opts o = { .minzoom = minz, .maxzoom = maxz,
                            .retina = true, .jobs = jobs };
  struct tm_tiles_summary dummy;
  struct tm_error err = { 0 };

  if(tm_tiles_write(pins, style, &o, dir, sum ? sum : &dummy, &err))
    fail_msg("%s", err.msg);
}

static struct tm_rgba read_png(const char *path)
{
  struct tm_rgba d = { 0 };
  struct tm_error err = { 0 };

  if(tm_png_read(path, &d, &err))
    fail_msg("%s", err.msg);
  return d;
}

/* Straight RGBA of a premultiplied pixel, as encode.c writes it. */
static void straight(uint32_t v, unsigned char *o)
{
  uint32_t a = v >> 24;
  int k;

  for(k = 0; k < 3; k++) {
    uint32_t c = (v >> (16 - 8 * k)) & 255;

    o[k] = (unsigned char)(a ? (c * 255 + a / 2) / a : 0);
  }
  o[3] = (unsigned char)a;
}

static bool any_ink(const struct tm_rgba *d)
{
  int i;

  for(i = 0; i < d->width * d->height; i++)
    if(d->px[4 * i + 3])
      return true;
  return false;
}

static bool have_pngcheck(void)
{
  return system("command -v pngcheck >/dev/null 2>&1") == 0;
}

static uint32_t *window(const struct tm_pins *pins, int z, int dpr,
                        int64_t gx, int64_t gy, int w, int h)
{
  uint32_t *px = calloc((size_t)w * (size_t)h, sizeof(uint32_t));
  struct tm_error err = { 0 };

  assert_non_null(px);
  if(tm_tiles_render_window(pins, style, z, dpr, gx, gy, w, h, px, &err))
    fail_msg("%s", err.msg);
  return px;
}

/* ---- files under a folder --------------------------------------------- */

static cJSON *read_json(const char *dir, const char *name)
{
  char *path = tm_xasprintf("%s/%s", dir, name);
  size_t len;
  unsigned char *text = support_slurp(path, &len);
  cJSON *root = cJSON_ParseWithLength((const char *)text, len);

  if(!root)
    fail_msg("%s does not parse", path);
  free(text);
  free(path);
  return root;
}

/* A tile file's name: "/tiles/z/x/y.png" or "...@2x.png". */
static bool tile_name(const char *f, int *z, int *x, int *y, bool *two)
{
  char rest[16];

  *two = false;
  if(sscanf(f, "/tiles/%d/%d/%d%15s", z, x, y, rest) != 4)
    return false;
  if(!strcmp(rest, ".png"))
    *two = false;
  else if(!strcmp(rest, "@2x.png"))
    *two = true;
  else
    fail_msg("unexpected tile file %s", f);
  return true;
}

/* ---- setup ------------------------------------------------------------ */

static int setup(void **state)
{
  struct tm_tiles_opts o = { .minzoom = 0, .maxzoom = MAXZ, .retina = true,
                            .jobs = 1 };
  struct tm_error err = { 0 };

  (void)state;
  if(!mkdtemp(tmpdir))
    return -1;
  style = support_style_parse(SUPPORT_STYLE_JSON);
  if(!style)
    return -1;
  uk = uk_pins();
  base = sub("base");
  if(tm_tiles_write(uk, style, &o, base, &base_sum, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return -1;
  }
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  tm_style_free(style);
  tm_pins_free(uk);
  free(base);
  return support_remove_tree(tmpdir);
}

/* ---- a pin on a tile corner ------------------------------------------- */

/* The 2x2 tiles around corner (cx, cy) of zoom z, as tm_tiles_write wrote
 * them in dir, must equal the part of the large canvas win (w x h pixels
 * at scale dpr, from global pixel gx, gy) that they cover, pixel for
 * pixel, and each of them must have ink. */
static void check_corner_tiles(const uint32_t *win, int w, int64_t gx,
                               int64_t gy, int z, int dpr, int cx, int cy,
                               const char *dir)
{
  int t = TM_TILE_SIZE * dpr, tx, ty, x, y;

  for(ty = cy - 1; ty <= cy; ty++) {
    for(tx = cx - 1; tx <= cx; tx++) {
      char *path = tm_xasprintf("%s/tiles/%d/%d/%d%s.png", dir, z, tx, ty,
                                dpr == 2 ? "@2x" : "");
      struct tm_rgba d = read_png(path);
      int64_t ox = (int64_t)tx * t - gx, oy = (int64_t)ty * t - gy;

      assert_int_equal(d.width, t);
      assert_int_equal(d.height, t);
      /* whole at every edge: each of the four tiles has ink */
      if(!any_ink(&d))
        fail_msg("%s is blank", path);
      for(y = 0; y < t; y++) {
        for(x = 0; x < t; x++) {
          const unsigned char *got = d.px + 4 * ((size_t)y * t + x);
          unsigned char want[4];

          straight(win[(size_t)(oy + y) * w + (size_t)(ox + x)], want);
          if(memcmp(want, got, 4))
            fail_msg("%s: pixel %d,%d is %02x%02x%02x%02x, the canvas "
                     "has %02x%02x%02x%02x", path, x, y, got[0], got[1],
                     got[2], got[3], want[0], want[1], want[2], want[3]);
        }
      }
      free(d.px);
      free(path);
    }
  }
}

/* The pixel holding the point (px, py) (1x global) is inked, and the
 * rows above it hold far more ink than the rows below: the body is above
 * the tip. */
static void check_tip(const uint32_t *win, int w, int h, int64_t gx,
                      int64_t gy, int z, int dpr, double px, double py)
{
  int tipx = (int)(floor(px * dpr) - (double)gx);
  int tipy = (int)(floor(py * dpr) - (double)gy);
  double above = 0, below = 0;
  int x, y;

  assert_true(tipx >= 0 && tipx < w && tipy >= 0 && tipy < h);
  if(!(win[(size_t)tipy * w + tipx] >> 24))
    fail_msg("z%d @%dx: the tip pixel %d,%d has no ink", z, dpr, tipx,
             tipy);
  /* the columns of the pin only, so other pins in the window do not
   * count */
  for(y = 0; y < h; y++)
    for(x = tipx - 24 * dpr; x <= tipx + 24 * dpr; x++) {
      double a;

      if(x < 0 || x >= w || y < tipy - 64 * dpr || y > tipy + 64 * dpr)
        continue;
      a = win[(size_t)y * w + x] >> 24;
      if(y < tipy)
        above += a;
      else if(y > tipy)
        below += a;
    }
  if(!(above > 4 * below))
    fail_msg("z%d @%dx: ink %g above the tip, %g below", z, dpr, above,
             below);
}

static void pin_on_a_tile_corner_should_stitch_to_one_canvas(void **state)
{
  static const int zooms[] = { 3, 8, 12 };
  size_t i;

  (void)state;
  /* At each zoom two pins, 512 px apart: one with its tip exactly on the
   * corner (cx, cy), one a fraction of a pixel off the corner (cx + 2,
   * cy). tm_tiles_write draws the tiles; one canvas of 4 x 2 tiles holds
   * both corners. */
  for(i = 0; i < TM_ARRAY_LEN(zooms); i++) {
    int z = zooms[i], cx = (1 << z) / 2 + 1, cy = (1 << z) / 3 + 1, dpr;
    double px[2] = { cx * 256.0, (cx + 2) * 256.0 + 0.3 };
    double py[2] = { cy * 256.0, cy * 256.0 - 0.2 };
    struct tm_pins *pins = tm_pins_new();
    char *dir = tm_xasprintf("%s/corner-%d", tmpdir, z);

    support_add_pin_px(pins, "A", z, px[0], py[0], TM_STATUS_PARTIAL);
    support_add_pin_px(pins, "B", z, px[1], py[1], TM_STATUS_NO_RESPONSE);
    write_tiles(pins, z, z, 2, dir, NULL);
    for(dpr = 1; dpr <= 2; dpr++) {
      int t = TM_TILE_SIZE * dpr, w = 4 * t, h = 2 * t;
      int64_t gx = (int64_t)(cx - 1) * t, gy = (int64_t)(cy - 1) * t;
      uint32_t *win = window(pins, z, dpr, gx, gy, w, h);

      check_tip(win, w, h, gx, gy, z, dpr, px[0], py[0]);
      check_tip(win, w, h, gx, gy, z, dpr, px[1], py[1]);
      check_corner_tiles(win, w, gx, gy, z, dpr, cx, cy, dir);
      check_corner_tiles(win, w, gx, gy, z, dpr, cx + 2, cy, dir);
      free(win);
    }
    free(dir);
    tm_pins_free(pins);
  }
}

static void scattered_pins_should_give_exactly_the_inked_tiles(void **state)
{
  struct tm_pins *pins = tm_pins_new();
  char *dir = sub("scatter");
  uint64_t r = 2024;
  int i, dpr;

  (void)state;
  /* 40 pins over tiles 100..102 x 60..62 of z10 and a little beyond, at
   * every sub-pixel step; the 5 x 5 tiles 99..103 x 59..63 around them
   * must be written exactly where a large canvas has ink, and equal it */
  for(i = 0; i < 40; i++) {
    char code[32];
    double px, py;

    /* 16 bits of each number, bits 40..55 of the generator's state */
    px = 100 * 256.0 - 20
         + (double)(support_next_rand(&r) >> 7 & 0xffff) / 65536 * 808;
    py = 60 * 256.0 - 8
         + (double)(support_next_rand(&r) >> 7 & 0xffff) / 65536 * 830;
    snprintf(code, sizeof(code), "S%02d", i);
    support_add_pin_px(pins, code, 10, px, py, (enum tm_status)(i % 4));
  }
  write_tiles(pins, 10, 10, 2, dir, NULL);
  for(dpr = 1; dpr <= 2; dpr++) {
    int t = TM_TILE_SIZE * dpr, size = 5 * t, tx, ty, x, y;
    int64_t gx = 99 * (int64_t)t, gy = 59 * (int64_t)t;
    uint32_t *win = window(pins, 10, dpr, gx, gy, size, size);

    for(ty = 0; ty < 5; ty++) {
      for(tx = 0; tx < 5; tx++) {
        char *path = tm_xasprintf("%s/tiles/10/%d/%d%s.png", dir, 99 + tx,
                                  59 + ty, dpr == 2 ? "@2x" : "");
        bool ink = false, there = access(path, R_OK) == 0;

        for(y = 0; y < t && !ink; y++)
          for(x = 0; x < t && !ink; x++)
            ink = win[(size_t)(ty * t + y) * size + tx * t + x] >> 24;
        if(ink != there)
          fail_msg("%s: %s, but the canvas has %s there", path,
                   there ? "written" : "not written", ink ? "ink" : "none");
        if(there) {
          struct tm_rgba d = read_png(path);

          for(y = 0; y < t; y++) {
            for(x = 0; x < t; x++) {
              unsigned char want[4];
              const unsigned char *got = d.px + 4 * ((size_t)y * t + x);

              straight(win[(size_t)(ty * t + y) * size + tx * t + x], want);
              if(memcmp(want, got, 4))
                fail_msg("%s: pixel %d,%d differs from the canvas", path, x,
                         y);
            }
          }
          free(d.px);
        }
        free(path);
      }
    }
    free(win);
  }
  free(dir);
  tm_pins_free(pins);
}

static void tile_windows_should_equal_one_large_window(void **state)
{
  struct tm_pins *pins = tm_pins_new();
  int t = 2 * TM_TILE_SIZE, size = 2 * t, tx, ty, y;
  int64_t gx = 299 * (int64_t)t, gy = 199 * (int64_t)t;
  uint32_t *win;

  (void)state;
  /* tm_tiles_render_window tile by tile against one call for 2x2 tiles,
   * at @2x (1x is the same code with half the numbers, and is covered by
   * the written tiles above) */
  support_add_pin_px(pins, "A", 8, 300 * 256.0, 200 * 256.0,
                     TM_STATUS_COLLECTING);
  support_add_pin_px(pins, "B", 8, 300 * 256.0 + 9.25, 200 * 256.0 - 3.5,
                     TM_STATUS_NOT_COLLECTING);
  win = window(pins, 8, 2, gx, gy, size, size);
  for(ty = 0; ty < 2; ty++) {
    for(tx = 0; tx < 2; tx++) {
      uint32_t *one = window(pins, 8, 2, gx + tx * t, gy + ty * t, t, t);
      bool ink = false;

      for(y = 0; y < t; y++) {
        const uint32_t *row = win + (size_t)(ty * t + y) * size + tx * t;
        int x;

        if(memcmp(one + (size_t)y * t, row, (size_t)t * sizeof(*row)))
          fail_msg("tile %d,%d: row %d differs from the large window", tx,
                   ty, y);
        for(x = 0; x < t; x++)
          ink = ink || row[x] >> 24;
      }
      assert_true(ink);
      free(one);
    }
  }
  free(win);
  tm_pins_free(pins);
}

static void cluster_on_a_tile_corner_should_stitch_to_one_canvas(
  void **state)
{
  struct tm_pins *pins = tm_pins_new();
  char *dir = sub("cluster");
  struct tm_clusters *c;
  int dpr;

  (void)state;
  support_add_pin_px(pins, "A", 5, 17 * 256.0 - 4, 11 * 256.0 + 3,
                     TM_STATUS_COLLECTING);
  support_add_pin_px(pins, "B", 5, 17 * 256.0 + 5, 11 * 256.0 - 2,
                     TM_STATUS_NOT_COLLECTING);
  support_add_pin_px(pins, "C", 5, 17 * 256.0 + 1, 11 * 256.0 + 6,
                     TM_STATUS_NO_RESPONSE);
  c = tm_clusters_build(pins, style, 5, 5);
  assert_int_equal(tm_clusters_at(c, 5)->n, 1);
  tm_clusters_free(c);
  write_tiles(pins, 5, 5, 1, dir, NULL);
  for(dpr = 1; dpr <= 2; dpr++) {
    int t = TM_TILE_SIZE * dpr;
    uint32_t *win = window(pins, 5, dpr, 16 * t, 10 * t, 2 * t, 2 * t);

    check_corner_tiles(win, 2 * t, 16 * t, 10 * t, 5, dpr, 17, 11, dir);
    free(win);
  }
  free(dir);
  tm_pins_free(pins);
}

/* ---- drawing order ---------------------------------------------------- */

/* Pairs of overlapping pins at z12, 100 px apart; pin a of pair k at
 * global pixel (2000.5 + 100k + adx, 3000.25 + ady), pin b at (2000.5 +
 * 100k, 3000.25). The window starts at (1968, 2943); at (100k + x, y) in
 * it, inside both heads and clear of the glyphs, status top must show. */
struct overlap {
  const char *code_a;
  double adx, ady;
  enum tm_status sa;
  const char *code_b;
  enum tm_status sb;
  int x, y;
  enum tm_status top;
};

static const struct overlap overlaps[] = {
  /* a is 8 px north of b and has the larger code: b is on top */
  { "Z0", -6, -8, TM_STATUS_COLLECTING, "A0", TM_STATUS_NOT_COLLECTING,
    24, 32, TM_STATUS_NOT_COLLECTING },
  /* a is 8 px south of b and has the smaller code: a is on top */
  { "A1", -6, 8, TM_STATUS_COLLECTING, "Z1", TM_STATUS_NOT_COLLECTING,
    24, 36, TM_STATUS_COLLECTING },
  /* side by side on one latitude: the later code is on top */
  { "B2", -10, 0, TM_STATUS_PARTIAL, "C2", TM_STATUS_NO_RESPONSE, 27, 24,
    TM_STATUS_NO_RESPONSE },
  { "D3", -10, 0, TM_STATUS_PARTIAL, "C3", TM_STATUS_NO_RESPONSE, 27, 24,
    TM_STATUS_PARTIAL },
};

#define OVERLAP_W (100 * (int)TM_ARRAY_LEN(overlaps))

static uint32_t *overlap_window(bool reverse)
{
  struct tm_pins *pins = tm_pins_new();
  size_t n = TM_ARRAY_LEN(overlaps), i;
  uint32_t *win;

  for(i = 0; i < 2 * n; i++) {
    size_t k = reverse ? 2 * n - 1 - i : i;
    const struct overlap *o = &overlaps[k / 2];
    double bx = 2000.5 + 100 * (double)(k / 2), by = 3000.25;

    if(k % 2 == 0)
      support_add_pin_px(pins, o->code_a, 12, bx + o->adx, by + o->ady,
                         o->sa);
    else
      support_add_pin_px(pins, o->code_b, 12, bx, by, o->sb);
  }
  win = window(pins, 12, 1, 1968, 2943, OVERLAP_W, 64);
  tm_pins_free(pins);
  return win;
}

static void southern_pin_should_be_drawn_over_the_northern_one(void **state)
{
  uint32_t *win = overlap_window(false), *rev = overlap_window(true);
  size_t k;

  (void)state;
  for(k = 0; k < TM_ARRAY_LEN(overlaps); k++) {
    const struct overlap *o = &overlaps[k];
    const struct tm_rgb *c = &style->status[o->top].rgb;
    int x = 100 * (int)k + o->x;
    unsigned char px[4];

    straight(win[o->y * OVERLAP_W + x], px);
    assert_int_equal(px[3], 255);
    if(abs(px[0] - c->r) >= 4 || abs(px[1] - c->g) >= 4 ||
       abs(px[2] - c->b) >= 4)
      fail_msg("%s/%s: pixel %d,%d is %02x%02x%02x, not status %d",
               o->code_a, o->code_b, x, o->y, px[0], px[1], px[2], o->top);
  }
  /* the input order never matters */
  assert_memory_equal(win, rev, (size_t)OVERLAP_W * 64 * sizeof(*win));
  free(win);
  free(rev);
}

/* ---- the UK tree ------------------------------------------------------ */

static void written_tiles_should_be_inked_and_sized(void **state)
{
  size_t n, i, ones = 0, twos = 0;
  char **files = support_list_files(base, "", &n);

  (void)state;
  for(i = 0; i < n; i++) {
    int z, x, y;
    bool two;
    char *path;
    struct tm_rgba d;

    if(!tile_name(files[i], &z, &x, &y, &two))
      continue;
    path = tm_xasprintf("%s%s", base, files[i]);
    d = read_png(path);
    assert_int_equal(d.width, two ? 512 : 256);
    assert_int_equal(d.height, two ? 512 : 256);
    if(!any_ink(&d))
      fail_msg("%s is fully transparent", path);
    /* 1x and @2x come together */
    {
      char *other = tm_xasprintf("%s/tiles/%d/%d/%d%s.png", base, z, x, y,
                                 two ? "" : "@2x");

      if(access(other, R_OK))
        fail_msg("%s has no partner %s", path, other);
      free(other);
    }
    if(two)
      twos++;
    else
      ones++;
    free(d.px);
    free(path);
  }
  assert_int_equal(ones, twos);
  assert_true(ones >= 40);      /* z0-9 over the UK */
  support_free_list(files, n);
}

static void written_tiles_should_pass_pngcheck(void **state)
{
  char *cmd;

  (void)state;
  if(!have_pngcheck())
    skip();
  cmd = tm_xasprintf("find '%s' -name '*.png' -print0 | "
                     "xargs -0 pngcheck -q", base);
  assert_int_equal(system(cmd), 0);
  free(cmd);
}

static void available_json_should_list_exactly_the_1x_tiles(void **state)
{
  cJSON *root = read_json(base, "tiles/available.json");
  cJSON *tiles = cJSON_GetObjectItem(root, "tiles"), *arr;
  size_t n, i, listed = 0, ones = 0;
  char **files = support_list_files(base, "", &n);
  int z;

  (void)state;
  assert_int_equal(cJSON_GetObjectItem(root, "minzoom")->valueint, 0);
  assert_int_equal(cJSON_GetObjectItem(root, "maxzoom")->valueint, MAXZ);
  /* every listed tile is on disk, sorted by x then y */
  cJSON_ArrayForEach(arr, tiles) {
    cJSON *it;
    int px = -1, py = -1;

    assert_true(sscanf(arr->string, "%d", &z) == 1 && z >= 0 && z <= MAXZ);
    assert_true(cJSON_IsArray(arr));
    cJSON_ArrayForEach(it, arr) {
      int x, y;
      char *png;

      assert_true(cJSON_IsString(it));
      assert_int_equal(sscanf(it->valuestring, "%d/%d", &x, &y), 2);
      assert_true(x > px || (x == px && y > py));
      px = x;
      py = y;
      png = tm_xasprintf("%s/tiles/%d/%d/%d.png", base, z, x, y);
      if(access(png, R_OK))
        fail_msg("available.json lists %s, which is not there", png);
      free(png);
      listed++;
    }
  }
  /* and every 1x file on disk is listed */
  for(i = 0; i < n; i++) {
    int x, y;
    bool two, seen = false;
    char key[8], xy[32];
    cJSON *it;

    if(!tile_name(files[i], &z, &x, &y, &two) || two)
      continue;
    ones++;
    snprintf(key, sizeof(key), "%d", z);
    snprintf(xy, sizeof(xy), "%d/%d", x, y);
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(tiles, key))
      seen = seen || !strcmp(it->valuestring, xy);
    if(!seen)
      fail_msg("%s is not in available.json", files[i]);
  }
  assert_int_equal(listed, ones);
  support_free_list(files, n);
  cJSON_Delete(root);
}

static void clusters_json_should_describe_every_zoom(void **state)
{
  cJSON *root = read_json(base, "clusters.json");
  cJSON *zooms = cJSON_GetObjectItem(root, "zooms");
  cJSON *pin = cJSON_GetObjectItem(root, "pin");
  int z, london_at = -1;

  (void)state;
  assert_true(cJSON_GetObjectItem(pin, "width")->valuedouble == 26);
  assert_true(cJSON_GetObjectItem(pin, "height")->valuedouble == 38);
  assert_int_equal(cJSON_GetArraySize(zooms), MAXZ + 1);
  for(z = 0; z <= MAXZ; z++) {
    char key[8];
    cJSON *zo, *cl;

    snprintf(key, sizeof(key), "%d", z);
    zo = cJSON_GetObjectItem(zooms, key);
    assert_non_null(zo);
    assert_true(cJSON_GetObjectItem(zo, "pin_scale")->valuedouble ==
                tm_cluster_pin_scale(z));
    cJSON_ArrayForEach(cl, cJSON_GetObjectItem(zo, "clusters")) {
      cJSON *m;
      size_t london = 0, all = 0;

      cJSON_ArrayForEach(m, cJSON_GetObjectItem(cl, "pins")) {
        assert_true(m->valueint >= 0 && (size_t)m->valueint < uk->n);
        london += uk->v[m->valueint].code[0] == 'L';
        all++;
      }
      assert_true(all >= 2);
      if(london == 12 && z > london_at)
        london_at = z;
    }
    /* above cluster.maxzoom every pin is on its own */
    if(z > 8)
      assert_int_equal(
        cJSON_GetArraySize(cJSON_GetObjectItem(zo, "clusters")), 0);
  }
  /* the London hospitals are one cluster up to z8 */
  assert_int_equal(london_at, 8);
  cJSON_Delete(root);
}

static void summary_should_count_the_files_on_disk(void **state)
{
  size_t n, i, ones[MAXZ + 1] = { 0 }, twos[MAXZ + 1] = { 0 }, total = 0;
  unsigned long long bytes = 0;
  char **files = support_list_files(base, "", &n);
  int z;

  (void)state;
  for(i = 0; i < n; i++) {
    int x, y;
    bool two;
    struct stat sb;
    char *path;

    if(!tile_name(files[i], &z, &x, &y, &two))
      continue;
    assert_true(z >= 0 && z <= MAXZ);
    path = tm_xasprintf("%s%s", base, files[i]);
    assert_int_equal(stat(path, &sb), 0);
    bytes += (unsigned long long)sb.st_size;
    if(two)
      twos[z]++;
    else
      ones[z]++;
    free(path);
  }
  for(z = 0; z <= MAXZ; z++) {
    assert_int_equal(base_sum.tiles[z], ones[z]);
    assert_int_equal(base_sum.tiles_2x[z], twos[z]);
    total += ones[z];
  }
  for(z = MAXZ + 1; z < 23; z++)
    assert_int_equal(base_sum.tiles[z] + base_sum.tiles_2x[z], 0);
  assert_true(base_sum.bytes == bytes);
  assert_int_equal(base_sum.rendered, total);
  assert_int_equal(base_sum.reused, 0);
  /* z0 is the one world tile */
  assert_int_equal(ones[0], 1);
  support_free_list(files, n);
}

static void job_count_should_not_change_a_byte(void **state)
{
  char *four = sub("jobs4");

  (void)state;
  write_tiles(uk, 0, MAXZ, 4, four, NULL);
  support_assert_same_trees(base, four);
  free(four);
}

static void second_run_should_write_the_same_bytes(void **state)
{
  char *again = sub("again");
  struct tm_tiles_summary sum;

  (void)state;
  write_tiles(uk, 0, MAXZ, 1, again, &sum);
  support_assert_same_trees(base, again);
  assert_memory_equal(sum.tiles, base_sum.tiles, sizeof(sum.tiles));
  assert_true(sum.bytes == base_sum.bytes);
  free(again);
}

static void pin_order_should_not_change_the_tiles(void **state)
{
  struct tm_pins *rev = tm_pins_new();
  char *dir = sub("reversed");
  char *ta = tm_xasprintf("%s/tiles/%d", base, MAXZ);
  char *tb = tm_xasprintf("%s/tiles/%d", dir, MAXZ);
  size_t i;

  (void)state;
  for(i = uk->n; i-- > 0;) {
    const struct tm_pin *p = &uk->v[i];

    support_add_pin(rev, p->code, p->mx, p->my, p->status);
  }
  /* Above cluster.maxzoom: which pin seeds a cluster follows the pin
   * order by design (cluster.h), but what is drawn on top must not.
   * Drawn alone, z9 must also come out as in the z0-9 tree. */
  write_tiles(rev, MAXZ, MAXZ, 2, dir, NULL);
  support_assert_same_trees(ta, tb);
  free(dir);
  free(ta);
  free(tb);
  tm_pins_free(rev);
}

static void without_retina_should_write_the_same_1x_tiles_only(
  void **state)
{
  struct tm_tiles_opts o = { .minzoom = MAXZ, .maxzoom = MAXZ,
                            .retina = false, .jobs = 2 };
  struct tm_tiles_summary sum;
  struct tm_error err = { 0 };
  char *dir = sub("no-retina");
  size_t n, i, ones = 0;
  char **files;

  (void)state;
  if(tm_tiles_write(uk, style, &o, dir, &sum, &err))
    fail_msg("%s", err.msg);
  files = support_list_files(dir, "", &n);
  for(i = 0; i < n; i++) {
    int z, x, y;
    bool two;
    char *a, *b;

    if(!tile_name(files[i], &z, &x, &y, &two))
      continue;
    assert_false(two);
    ones++;
    a = tm_xasprintf("%s%s", dir, files[i]);
    b = tm_xasprintf("%s%s", base, files[i]);
    support_assert_same_file(a, b);
    free(a);
    free(b);
  }
  assert_int_equal(ones, base_sum.tiles[MAXZ]);
  assert_int_equal(sum.tiles[MAXZ], ones);
  assert_int_equal(sum.tiles_2x[MAXZ], 0);
  support_free_list(files, n);
  free(dir);
}

/* ---- errors and edge cases -------------------------------------------- */

static void bad_zoom_range_should_be_a_usage_error(void **state)
{
  struct tm_pins *pins = tm_pins_new();
  struct tm_tiles_opts o = { .minzoom = 5, .maxzoom = 23, .retina = true,
                            .jobs = 1 };
  struct tm_tiles_summary sum;
  struct tm_error err = { 0 };

  (void)state;
  assert_int_equal(tm_tiles_write(pins, style, &o, tmpdir, &sum, &err),
                   TM_USAGE);
  o.minzoom = 9;
  o.maxzoom = 8;
  assert_int_equal(tm_tiles_write(pins, style, &o, tmpdir, &sum, &err),
                   TM_USAGE);
  assert_string_equal(err.msg, "tile zooms 9 to 8 are not within 0 to 22");
  tm_pins_free(pins);
}

static void unwritable_folder_should_name_the_path(void **state)
{
  struct tm_pins *pins = tm_pins_new();
  struct tm_tiles_opts o = { .minzoom = 0, .maxzoom = 2, .retina = true,
                            .jobs = 1 };
  struct tm_tiles_summary sum;
  struct tm_error err = { 0 };
  char *file = sub("plainfile"), *want;

  (void)state;
  assert_int_equal(tm_encode_save(file, "x", 1, &err), TM_OK);
  support_add_pin_ll(pins, "A", -0.12, 51.5, TM_STATUS_COLLECTING);
  assert_int_equal(tm_tiles_write(pins, style, &o, file, &sum, &err),
                   TM_SYSTEM);
  want = tm_xasprintf("%s/clusters.json: cannot create: Not a directory",
                      file);
  assert_string_equal(err.msg, want);
  free(want);
  free(file);
  tm_pins_free(pins);
}

static void no_placeable_pins_should_write_no_tiles(void **state)
{
  struct tm_pins *pins = tm_pins_new();
  char *dir = sub("empty");
  struct tm_tiles_summary sum;
  const char *clusters = "/clusters.json";
  const char *available = "/tiles/available.json";
  size_t n, i;
  char **files;

  (void)state;
  /* one pin that cannot be placed is skipped, not drawn at 0,0 */
  support_add_pin(pins, "X", NAN, NAN, TM_STATUS_COLLECTING);
  write_tiles(pins, 0, 3, 2, dir, &sum);
  files = support_list_files(dir, "", &n);
  for(i = 0; i < n; i++)
    assert_null(strstr(files[i], ".png"));
  assert_non_null(bsearch(&clusters, files, n, sizeof(*files),
                          support_str_cmp));
  assert_non_null(bsearch(&available, files, n, sizeof(*files),
                          support_str_cmp));
  assert_int_equal(sum.tiles[0] + sum.tiles[3], 0);
  assert_true(sum.bytes == 0);
  support_free_list(files, n);
  free(dir);
  tm_pins_free(pins);
}

/* ---- goldens ---------------------------------------------------------- */

static void london_tile_should_match_the_golden(void **state)
{
  char *one = tm_xasprintf("%s/tiles/8/127/85.png", base);
  char *two = tm_xasprintf("%s/tiles/8/127/85@2x.png", base);

  (void)state;
  /* the London cluster and the pins around it, at z8 */
  support_check_golden(one, "z8-127-85.png");
  support_check_golden(two, "z8-127-85@2x.png");
  free(one);
  free(two);
}

static void pins_and_cluster_should_match_the_goldens(void **state)
{
  struct tm_pins *pins = tm_pins_new();
  int dpr, s;

  (void)state;
  /* one pin per status in a row, and a cluster of three (z 8) */
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    char code[4] = { 'P', (char)('0' + s), 0 };

    support_add_pin_px(pins, code, 8, 1000 + 40 * s + 0.25 * s, 2050.5,
                         (enum tm_status)s);
  }
  support_add_pin_px(pins, "C1", 8, 1190, 2030, TM_STATUS_COLLECTING);
  support_add_pin_px(pins, "C2", 8, 1195, 2036, TM_STATUS_PARTIAL);
  support_add_pin_px(pins, "C3", 8, 1188, 2040, TM_STATUS_COLLECTING);
  for(dpr = 1; dpr <= 2; dpr++) {
    int w = 240 * dpr, h = 64 * dpr;
    uint32_t *win = window(pins, 8, dpr, 980 * dpr, 2000 * dpr, w, h);
    struct tm_encoder *enc = tm_encoder_new();
    struct tm_image img = { win, w, h, w, 0, 0, w, h };
    struct tm_error err = { 0 };
    char *made = tm_xasprintf("%s/pins%s.png", tmpdir, dpr == 2 ? "@2x"
                                                                 : "");

    if(tm_encode_write(enc, &img, made, NULL, &err))
      fail_msg("%s", err.msg);
    support_check_golden(made, dpr == 1 ? "pins.png" : "pins@2x.png");
    tm_encoder_free(enc);
    free(made);
    free(win);
  }
  tm_pins_free(pins);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(pin_on_a_tile_corner_should_stitch_to_one_canvas),
    cmocka_unit_test(scattered_pins_should_give_exactly_the_inked_tiles),
    cmocka_unit_test(tile_windows_should_equal_one_large_window),
    cmocka_unit_test(cluster_on_a_tile_corner_should_stitch_to_one_canvas),
    cmocka_unit_test(southern_pin_should_be_drawn_over_the_northern_one),
    cmocka_unit_test(written_tiles_should_be_inked_and_sized),
    cmocka_unit_test(written_tiles_should_pass_pngcheck),
    cmocka_unit_test(available_json_should_list_exactly_the_1x_tiles),
    cmocka_unit_test(clusters_json_should_describe_every_zoom),
    cmocka_unit_test(summary_should_count_the_files_on_disk),
    cmocka_unit_test(job_count_should_not_change_a_byte),
    cmocka_unit_test(second_run_should_write_the_same_bytes),
    cmocka_unit_test(pin_order_should_not_change_the_tiles),
    cmocka_unit_test(without_retina_should_write_the_same_1x_tiles_only),
    cmocka_unit_test(bad_zoom_range_should_be_a_usage_error),
    cmocka_unit_test(unwritable_folder_should_name_the_path),
    cmocka_unit_test(no_placeable_pins_should_write_no_tiles),
    cmocka_unit_test(london_tile_should_match_the_golden),
    cmocka_unit_test(pins_and_cluster_should_match_the_goldens),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
