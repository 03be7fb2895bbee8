/* test_tiles.c - tiles.c: a pin (and a cluster) on a tile corner is
 * drawn whole into all four tiles, and the stitched tiles equal one large
 * canvas exactly (z 3, 8, 12; 1x and @2x); the files are byte-identical
 * whatever the job count or the order of the pins; no written tile is
 * blank, 1x and @2x exist together, available.json lists them, pngcheck
 * accepts every PNG; southern pins are drawn over northern ones; errors
 * name the path; and golden images, compared on decoded pixels.
 *
 * Goldens: the PNGs in fixtures/tiles-golden. After a deliberate change to how
 * pins look, regenerate them with
 *   TM_UPDATE_GOLDENS=1 meson test -C build tiles
 * (the test then writes them instead of comparing), view them, and commit
 * them with the change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
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
#include "tileplan.h"
#include "tiles.h"

#define STYLE_JSON \
  "{\"pin\": {\"width\": 26, \"height\": 38, \"outline\": 2," \
  "           \"shadow\": true}," \
  " \"cluster\": {\"enabled\": true, \"radius\": 36, \"maxzoom\": 8}," \
  " \"statuses\": {" \
  "  \"collecting\": {\"label\": \"Collecting\", \"colour\": \"#005a3c\"," \
  "                  \"glyph\": \"tick\"}," \
  "  \"partial\": {\"label\": \"Partial\", \"colour\": \"#c25e00\"," \
  "               \"glyph\": \"half\"}," \
  "  \"not_collecting\": {\"label\": \"Not\", \"colour\": \"#d0209a\"," \
  "                      \"glyph\": \"cross\"}," \
  "  \"no_response\": {\"label\": \"None\", \"colour\": \"#848484\"," \
  "                   \"glyph\": \"question\"}}}"

#define GOLDEN_DIR "fixtures/tiles-golden"

static char tmpdir[] = "/tmp/tm-test-tiles-XXXXXX";
static struct tm_style *style;

static int setup(void **state)
{
  struct tm_problems probs = { 0 };

  (void)state;
  if(!mkdtemp(tmpdir))
    return -1;
  if(tm_style_parse(STYLE_JSON, strlen(STYLE_JSON), "test.json", &probs,
                    &style))
    return -1;
  tm_problems_clear(&probs);
  return 0;
}

static int teardown(void **state)
{
  char cmd[128];

  (void)state;
  tm_style_free(style);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

static char *sub(const char *name)
{
  return tm_xasprintf("%s/%s", tmpdir, name);
}

static void add_pin(struct tm_pins *pins, const char *code, double mx,
                    double my, enum tm_status s)
{
  struct tm_pin *p = tm_pins_add(pins);

  p->code = p->trust_code = p->name = tm_strpool_add(pins->pool, code);
  p->trust_name = p->nation = "";
  p->status = s;
  p->mx = mx;
  p->my = my;
  tm_merc_to_lonlat(mx, my, &p->lon, &p->lat);
}

static void add_pin_px(struct tm_pins *pins, const char *code, int z,
                       double px, double py, enum tm_status s)
{
  double mx, my;

  tm_px_to_merc(px, py, z, &mx, &my);
  add_pin(pins, code, mx, my, s);
}

static void add_pin_ll(struct tm_pins *pins, const char *code, double lon,
                       double lat, enum tm_status s)
{
  double mx, my;

  tm_merc_from_lonlat(lon, lat, &mx, &my);
  add_pin(pins, code, mx, my, s);
}

/* About 150 pins over Great Britain: towns with crowds, and scatter. */
static struct tm_pins *uk_pins(void)
{
  static const double towns[][2] = {
    { -0.12, 51.50 }, { -2.24, 53.48 }, { -1.89, 52.49 }, { -4.25, 55.86 },
    { -3.19, 55.95 }, { -5.93, 54.60 }, { -2.59, 51.45 }, { 1.30, 52.63 }
  };
  struct tm_pins *pins = tm_pins_new();
  uint64_t s = 12345;
  int i;

  for(i = 0; i < 150; i++) {
    const double *t = towns[i % 8];
    double dx, dy, spread = i % 4 ? 0.08 : 1.5;
    char code[16];

    s = s * 6364136223846793005u + 1442695040888963407u;
    dx = ((double)(s >> 40 & 0xffff) / 65536 - 0.5) * spread;
    s = s * 6364136223846793005u + 1442695040888963407u;
    dy = ((double)(s >> 40 & 0xffff) / 65536 - 0.5) * spread;
    snprintf(code, sizeof(code), "R%03d", i);
    add_pin_ll(pins, code, t[0] + dx * 1.6, t[1] + dy,
               (enum tm_status)(s >> 30 & 3));
  }
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

/* The 2x2 tiles around the corner (cx, cy) at zoom z, stitched, must be
 * the window render of the same area, pixel for pixel. */
static void check_corner(const struct tm_pins *pins, int z, int cx, int cy,
                         const char *dir)
{
  int dpr;

  for(dpr = 1; dpr <= 2; dpr++) {
    int t = TM_TILE_SIZE * dpr, size = 2 * t, tx, ty, x, y;
    uint32_t *win = calloc((size_t)size * size, sizeof(uint32_t));
    struct tm_error err = { 0 };

    if(tm_tiles_render_window(pins, style, z, dpr, (int64_t)(cx - 1) * t,
                              (int64_t)(cy - 1) * t, size, size, win, &err))
      fail_msg("%s", err.msg);
    for(ty = 0; ty < 2; ty++) {
      for(tx = 0; tx < 2; tx++) {
        char *path = tm_xasprintf("%s/tiles/%d/%d/%d%s.png", dir, z,
                                  cx - 1 + tx, cy - 1 + ty,
                                  dpr == 2 ? "@2x" : "");
        struct tm_rgba d = read_png(path);

        assert_int_equal(d.width, t);
        /* whole at every edge: each of the four tiles has ink */
        assert_true(any_ink(&d));
        for(y = 0; y < t; y++) {
          for(x = 0; x < t; x++) {
            unsigned char want[4];
            const unsigned char *got = d.px + 4 * ((size_t)y * t + x);

            straight(win[(size_t)(ty * t + y) * size + tx * t + x], want);
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
    free(win);
  }
}

static void corner_pin_should_stitch_into_one_canvas(void **state)
{
  static const int zooms[] = { 3, 8, 12 };
  size_t i;

  (void)state;
  for(i = 0; i < 3; i++) {
    int z = zooms[i], cx = (1 << z) / 2 + 1, cy = (1 << z) / 3 + 1;
    struct tm_pins *pins = tm_pins_new();
    char *dir = tm_xasprintf("%s/corner%d", tmpdir, z);

    /* tip a fraction off the corner, so the anchor has a sub-pixel step */
    add_pin_px(pins, "A", z, cx * 256.0 + 0.3, cy * 256.0 - 0.2,
               TM_STATUS_PARTIAL);
    write_tiles(pins, z, z, 2, dir, NULL);
    check_corner(pins, z, cx, cy, dir);
    free(dir);
    tm_pins_free(pins);
  }
}

static void corner_cluster_should_stitch_into_one_canvas(void **state)
{
  struct tm_pins *pins = tm_pins_new();
  char *dir = sub("cluster");
  struct tm_clusters *c;

  (void)state;
  add_pin_px(pins, "A", 5, 17 * 256.0 - 4, 11 * 256.0 + 3,
             TM_STATUS_COLLECTING);
  add_pin_px(pins, "B", 5, 17 * 256.0 + 5, 11 * 256.0 - 2,
             TM_STATUS_NOT_COLLECTING);
  add_pin_px(pins, "C", 5, 17 * 256.0 + 1, 11 * 256.0 + 6,
             TM_STATUS_NO_RESPONSE);
  c = tm_clusters_build(pins, style, 5, 5);
  assert_int_equal(tm_clusters_at(c, 5)->n, 1);
  tm_clusters_free(c);
  write_tiles(pins, 5, 5, 1, dir, NULL);
  check_corner(pins, 5, 17, 11, dir);
  free(dir);
  tm_pins_free(pins);
}

/* Sorted relative paths of the files under a folder. */
static char **found;
static size_t nfound, found_cap, root_len;

static int collect(const char *path, const struct stat *sb, int type,
                   struct FTW *ftw)
{
  (void)sb;
  (void)ftw;
  if(type == FTW_F) {
    tm_xgrow((void **)&found, &found_cap, nfound + 1, sizeof(*found));
    found[nfound++] = tm_xstrdup(path + root_len);
  }
  return 0;
}

static int str_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_files(const char *dir, size_t *n)
{
  found = NULL;
  nfound = found_cap = 0;
  root_len = strlen(dir);
  assert_int_equal(nftw(dir, collect, 16, FTW_PHYS), 0);
  qsort(found, nfound, sizeof(*found), str_cmp);
  *n = nfound;
  return found;
}

static void free_list(char **v, size_t n)
{
  while(n)
    free(v[--n]);
  free(v);
}

static unsigned char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  unsigned char *buf;
  long n;

  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = tm_xmalloc((size_t)n + 1);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void assert_same_trees(const char *a, const char *b)
{
  size_t na, nb, i;
  char **la = list_files(a, &na);
  char **lb = list_files(b, &nb);

  assert_int_equal(na, nb);
  for(i = 0; i < na; i++) {
    char *pa = tm_xasprintf("%s%s", a, la[i]);
    char *pb = tm_xasprintf("%s%s", b, lb[i]);
    size_t sa, sb;
    unsigned char *da, *db;

    assert_string_equal(la[i], lb[i]);
    da = slurp(pa, &sa);
    db = slurp(pb, &sb);
    if(sa != sb || memcmp(da, db, sa))
      fail_msg("%s and %s differ", pa, pb);
    free(da);
    free(db);
    free(pa);
    free(pb);
  }
  free_list(la, na);
  free_list(lb, nb);
}

static void job_count_should_not_change_a_byte(void **state)
{
  struct tm_pins *pins = uk_pins();
  char *one = sub("jobs1"), *four = sub("jobs4"), *again = sub("jobs1b");

  (void)state;
  write_tiles(pins, 0, 11, 1, one, NULL);
  write_tiles(pins, 0, 11, 4, four, NULL);
  write_tiles(pins, 0, 11, 1, again, NULL);
  assert_same_trees(one, four);
  assert_same_trees(one, again);
  free(one);
  free(four);
  free(again);
  tm_pins_free(pins);
}

static void pin_order_should_not_change_the_tiles(void **state)
{
  struct tm_pins *pins = uk_pins(), *rev = tm_pins_new();
  char *a = sub("order-a"), *b = sub("order-b");
  char *ta = sub("order-a/tiles"), *tb = sub("order-b/tiles");
  size_t i;

  (void)state;
  for(i = pins->n; i-- > 0;) {
    const struct tm_pin *p = &pins->v[i];

    add_pin(rev, p->code, p->mx, p->my, p->status);
  }
  /* Above cluster.maxzoom: which pin seeds a cluster follows the pin
   * order by design (cluster.h), but what is drawn on top must not. */
  write_tiles(pins, 9, 12, 2, a, NULL);
  write_tiles(rev, 9, 12, 2, b, NULL);
  /* clusters.json names pins by index, so only the tiles must match */
  assert_same_trees(ta, tb);
  free(a);
  free(b);
  free(ta);
  free(tb);
  tm_pins_free(rev);
  tm_pins_free(pins);
}

static void written_tiles_should_be_inked_listed_and_valid(void **state)
{
  struct tm_pins *pins = uk_pins();
  char *dir = sub("check"), *path, *cmd;
  struct tm_tiles_summary sum;
  unsigned long long bytes = 0;
  size_t n, i, listed = 0, ones = 0, twos = 0;
  char **files;
  unsigned char *text;
  size_t len;
  cJSON *root, *tiles;
  int z;

  (void)state;
  write_tiles(pins, 0, 12, 2, dir, &sum);
  files = list_files(dir, &n);
  for(i = 0; i < n; i++) {
    const char *f = files[i];
    int tz, tx, ty;
    char suffix[8] = "";
    struct stat sb;

    if(strncmp(f, "/tiles/", 7) || !strstr(f, ".png"))
      continue;
    path = tm_xasprintf("%s%s", dir, f);
    assert_int_equal(stat(path, &sb), 0);
    bytes += (unsigned long long)sb.st_size;
    {
      struct tm_rgba d = read_png(path);

      if(!any_ink(&d))
        fail_msg("%s is blank", path);
      free(d.px);
    }
    assert_true(sscanf(f, "/tiles/%d/%d/%d%7[^.].png", &tz, &tx, &ty,
                       suffix) >= 3);
    if(!strcmp(suffix, "@2x")) {
      char *one = tm_xasprintf("%s/tiles/%d/%d/%d.png", dir, tz, tx, ty);

      twos++;
      assert_int_equal(access(one, R_OK), 0);
      free(one);
    }
    else {
      char *two = tm_xasprintf("%s/tiles/%d/%d/%d@2x.png", dir, tz, tx, ty);

      ones++;
      assert_int_equal(access(two, R_OK), 0);
      free(two);
    }
    free(path);
  }
  assert_int_equal(ones, twos);
  assert_true(ones > 100);
  assert_true(bytes == sum.bytes);
  for(z = 0, i = 0; z <= 12; z++) {
    assert_int_equal(sum.tiles[z], sum.tiles_2x[z]);
    i += sum.tiles[z];
  }
  assert_int_equal(i, ones);

  /* available.json lists exactly the 1x tiles, sorted by x then y */
  path = tm_xasprintf("%s/tiles/available.json", dir);
  text = slurp(path, &len);
  root = cJSON_Parse((char *)text);
  assert_non_null(root);
  assert_int_equal(cJSON_GetObjectItem(root, "minzoom")->valueint, 0);
  assert_int_equal(cJSON_GetObjectItem(root, "maxzoom")->valueint, 12);
  tiles = cJSON_GetObjectItem(root, "tiles");
  for(z = 0; z <= 12; z++) {
    char key[4];
    cJSON *arr, *it;
    int px = -1, py = -1;

    snprintf(key, sizeof(key), "%d", z);
    arr = cJSON_GetObjectItem(tiles, key);
    assert_non_null(arr);
    assert_int_equal((size_t)cJSON_GetArraySize(arr), sum.tiles[z]);
    cJSON_ArrayForEach(it, arr) {
      int x, y;
      char *png;

      assert_int_equal(sscanf(it->valuestring, "%d/%d", &x, &y), 2);
      assert_true(x > px || (x == px && y > py));
      px = x;
      py = y;
      png = tm_xasprintf("%s/tiles/%d/%d/%d.png", dir, z, x, y);
      assert_int_equal(access(png, R_OK), 0);
      free(png);
      listed++;
    }
  }
  assert_int_equal(listed, ones);
  cJSON_Delete(root);
  free(text);
  free(path);

  /* clusters.json is there and has every zoom */
  path = tm_xasprintf("%s/clusters.json", dir);
  text = slurp(path, &len);
  root = cJSON_Parse((char *)text);
  assert_non_null(root);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "zooms")),
                   13);
  cJSON_Delete(root);
  free(text);
  free(path);

  /* every PNG passes pngcheck */
  cmd = tm_xasprintf("find '%s' -name '*.png' -print0 | "
                     "xargs -0 pngcheck -q", dir);
  assert_int_equal(system(cmd), 0);
  free(cmd);
  free_list(files, n);
  free(dir);
  tm_pins_free(pins);
}

static void southern_pin_should_be_drawn_over_northern(void **state)
{
  int order;

  (void)state;
  for(order = 0; order < 2; order++) {
    struct tm_pins *pins = tm_pins_new();
    uint32_t win[64 * 64] = { 0 };
    struct tm_error err = { 0 };
    double bx = 2000.5, by = 3000.25;
    unsigned char px[4];
    const struct tm_rgb *c = &style->status[TM_STATUS_NOT_COLLECTING].rgb;

    /* B is 8 px south of A; "Z" sorts after "A", so the code does not
     * decide */
    if(order == 0) {
      add_pin_px(pins, "Z", 12, bx - 6, by - 8, TM_STATUS_COLLECTING);
      add_pin_px(pins, "A", 12, bx, by, TM_STATUS_NOT_COLLECTING);
    }
    else {
      add_pin_px(pins, "A", 12, bx, by, TM_STATUS_NOT_COLLECTING);
      add_pin_px(pins, "Z", 12, bx - 6, by - 8, TM_STATUS_COLLECTING);
    }
    /* a point inside both heads, left of B's glyph */
    if(tm_tiles_render_window(pins, style, 12, 1, 2000 - 32, 3000 - 57, 64,
                              64, win, &err))
      fail_msg("%s", err.msg);
    straight(win[(3000 - 25 - (3000 - 57)) * 64 + (2000 - 8 - (2000 - 32))],
             px);
    assert_int_equal(px[3], 255);
    assert_true(abs(px[0] - c->r) < 4 && abs(px[1] - c->g) < 4 &&
                abs(px[2] - c->b) < 4);
    tm_pins_free(pins);
  }
}

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
  assert_non_null(strstr(err.msg, "9"));
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
  add_pin_ll(pins, "A", -0.12, 51.5, TM_STATUS_COLLECTING);
  assert_int_equal(tm_tiles_write(pins, style, &o, file, &sum, &err),
                   TM_SYSTEM);
  want = tm_xasprintf("%s/clusters.json: cannot create: Not a directory",
                      file);
  assert_string_equal(err.msg, want);
  free(want);
  free(file);
  tm_pins_free(pins);
}

static void no_pins_should_write_no_tiles(void **state)
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
  add_pin(pins, "X", NAN, NAN, TM_STATUS_COLLECTING);
  write_tiles(pins, 0, 3, 2, dir, &sum);
  files = list_files(dir, &n);
  for(i = 0; i < n; i++)
    assert_null(strstr(files[i], ".png"));
  assert_non_null(bsearch(&clusters, files, n, sizeof(*files), str_cmp));
  assert_non_null(bsearch(&available, files, n, sizeof(*files), str_cmp));
  assert_int_equal(sum.tiles[0] + sum.tiles[3], 0);
  assert_true(sum.bytes == 0);
  free_list(files, n);
  free(dir);
  tm_pins_free(pins);
}

/* Compares a window render with a golden PNG on decoded pixels: colour
 * weighted by alpha may differ by 24 per channel (another FreeType or
 * pixman rounding), and at most 0.5% of pixels by more than 4. */
static void check_golden(const uint32_t *win, int w, int h,
                         const char *name)
{
  char *path = tm_xasprintf("%s/%s", GOLDEN_DIR, name);
  const char *update = getenv("TM_UPDATE_GOLDENS");
  struct tm_rgba d;
  int i, off = 0, worst = 0;

  if(update && *update) {
    struct tm_encoder *enc = tm_encoder_new();
    struct tm_image img = { win, w, h, w, 0, 0, w, h };
    struct tm_error err = { 0 };

    if(tm_encode_write(enc, &img, path, NULL, &err))
      fail_msg("%s", err.msg);
    tm_encoder_free(enc);
  }
  d = read_png(path);
  assert_int_equal(d.width, w);
  assert_int_equal(d.height, h);
  for(i = 0; i < w * h; i++) {
    unsigned char want[4];
    const unsigned char *got = d.px + 4 * i;
    int k, diff = 0;

    straight(win[i], want);
    for(k = 0; k < 4; k++) {
      int a = k < 3 ? want[k] * want[3] / 255 : want[3];
      int b = k < 3 ? got[k] * got[3] / 255 : got[3];

      if(abs(a - b) > diff)
        diff = abs(a - b);
    }
    if(diff > worst)
      worst = diff;
    if(diff > 4)
      off++;
  }
  if(worst > 24 || off > w * h / 200)
    fail_msg("%s: %d pixels differ, by up to %d", path, off, worst);
  free(d.px);
  free(path);
}

static void pins_and_cluster_should_match_the_goldens(void **state)
{
  struct tm_pins *pins = tm_pins_new();
  int dpr, s;

  (void)state;
  /* one pin per status in a row, and a cluster of three (z 8) */
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    char code[4] = { 'P', (char)('0' + s), 0 };

    add_pin_px(pins, code, 8, 1000 + 40 * s + 0.25 * s, 2050.5,
               (enum tm_status)s);
  }
  add_pin_px(pins, "C1", 8, 1190, 2030, TM_STATUS_COLLECTING);
  add_pin_px(pins, "C2", 8, 1195, 2036, TM_STATUS_PARTIAL);
  add_pin_px(pins, "C3", 8, 1188, 2040, TM_STATUS_COLLECTING);
  for(dpr = 1; dpr <= 2; dpr++) {
    int w = 240 * dpr, h = 64 * dpr;
    uint32_t *win = calloc((size_t)w * h, sizeof(uint32_t));
    struct tm_error err = { 0 };

    if(tm_tiles_render_window(pins, style, 8, dpr, 980 * dpr, 2000 * dpr, w,
                              h, win, &err))
      fail_msg("%s", err.msg);
    check_golden(win, w, h, dpr == 1 ? "pins.png" : "pins@2x.png");
    free(win);
  }
  tm_pins_free(pins);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(corner_pin_should_stitch_into_one_canvas),
    cmocka_unit_test(corner_cluster_should_stitch_into_one_canvas),
    cmocka_unit_test(job_count_should_not_change_a_byte),
    cmocka_unit_test(pin_order_should_not_change_the_tiles),
    cmocka_unit_test(written_tiles_should_be_inked_listed_and_valid),
    cmocka_unit_test(southern_pin_should_be_drawn_over_northern),
    cmocka_unit_test(bad_zoom_range_should_be_a_usage_error),
    cmocka_unit_test(unwritable_folder_should_name_the_path),
    cmocka_unit_test(no_pins_should_write_no_tiles),
    cmocka_unit_test(pins_and_cluster_should_match_the_goldens),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
