/* fuzz_render.c - fuzz target: random pin sets -> clusters (cluster.h)
 * -> pins and cluster symbols drawn into a window (render.h, and
 * tiles.h's tm_tiles_render_window) -> the PNG encoder (encode.h) ->
 * libpng's decoder; and the encoder alone on random premultiplied
 * pixels.
 *
 * The window is drawn the way tiles.h describes, from render.h's pieces:
 * pin sprites (drawn once per style and scale for the session), cluster
 * symbols, tm_render_composite() in tiles.h's order. tiles.c's own
 * tm_tiles_render_window() draws every pin sprite again on each call,
 * several times the cost of everything else here, so it runs only on
 * inputs whose bytes add up to a multiple of 32, and must then give the
 * same pixels. (A flag would be inherited by most of an input's
 * mutations, and the slow path would soon be most of the run; the sum
 * picks one input in 32, whatever its ancestors.)
 *
 * Input (bytes past the end read as 0):
 *   0  flags: bit 0 @2x; bits 1-2 the style (style_json[]); bit 3 also
 *      draw the window in four parts; bit 4 also draw it at the other
 *      scale; bit 5 encoder only (raw pixels, below); bits 6-7 the
 *      window: 0 one whole tile, 1 up to 48 px, 2 up to 300 px, 3 up to
 *      48 px across the world's edge
 *   1  zoom (mod 23)
 *   2  x, y: where the window is, in 1/65536 of the world (2 bytes each)
 *   6  w, h: its size in 1x pixels, by bits 6-7 of the flags
 *   8  split: where the four parts meet (low and high nibble)
 *   9  encoder box and row stride: how far the box handed to the encoder
 *      reaches past the ink (bits 0-1 left and top, 2-3 right and
 *      bottom; the largest is far outside the image, which the encoder
 *      clamps), and the padding between rows (bits 4-5), filled with
 *      values the encoder must not read
 *   10 pins, 6 bytes each, at most MAX_PINS in all:
 *      byte 0: status (bits 0-1), placement (bits 2-3), code (bits 4-7:
 *      codes[], with repeats, so the drawing order meets its ties);
 *      placement 0: bytes 1-4 are two int16 offsets from the window's
 *        top-left, in 1/16 px at 1x;
 *      1: bytes 1-4 are longitude and latitude over the whole world
 *        (0xffff: NaN);
 *      2: bytes 1 and 2 pick x and y from special(): world edges, tile
 *        corners by the window, the placement grid's rounding ties, NaN
 *        and infinities;
 *      3: 1 + byte 5 % 64 copies of the previous pin, each moved by the
 *        int8 steps of bytes 1-2 (1/16 px) and its status rotated: dense
 *        places, big clusters, equal positions.
 *      Finite positions are clamped to the world, as reprojecting
 *      longitude and latitude gives them; NaN and infinities stand for
 *      pins the renderer must leave out. Pins are sorted with
 *      tm_pins_sort(), as the pipeline hands them over.
 * Raw mode (flags bit 5): a w x h image (1 + byte 6 % 64, 1 + byte 7 %
 * 64) drawing on n = 1 + (bytes 2-3) % 320 distinct pixel values
 * (transparent and n - 1 generated premultiplied colours, seed bytes
 * 4-5), so the encoder meets 256 and 257 colours exactly; pixel i is
 * value i % n, or the one the input's next byte (two bytes when n > 256)
 * picks; bytes 1 and 8 place the encoder's box (outside it the pixels
 * are 0); byte 9 as above.
 *
 * Checked, besides memory errors and undefined behaviour, as cluster.h,
 * render.h, tiles.h and encode.h promise:
 *  - clusters: two or more members each, ascending, drawable, in no other
 *    cluster, counted per status, in order of smallest member, with
 *    tm_cluster_radius() and the zoom's pin scale;
 *  - sprites: the @2x one twice the 1x one, both blank or neither;
 *  - the canvas: its box holds every pixel written, inked says whether
 *    any has alpha, and clearing it leaves the buffer all zero;
 *  - the pixels are valid premultiplied ARGB (no channel above alpha);
 *  - stitched: the window drawn in four parts equals the whole;
 *  - 1x and @2x cover the same ground: a 1x pixel has ink exactly when
 *    one of its four @2x pixels has;
 *  - tm_tiles_render_window() gives the same pixels (when asked);
 *  - the PNG decodes (libpng, CRCs checked) to the right size, 8 bits,
 *    not interlaced, no tIME or text chunk;
 *  - palette exactly when the image has at most 256 distinct pixel
 *    values (transparent included), with exactly that many entries and
 *    a tRNS no longer than needed; RGBA otherwise;
 *  - every decoded pixel is the drawn one un-premultiplied and rounded to
 *    nearest, and premultiplying it again gives the drawn pixel back
 *    (the PNG loses nothing);
 *  - the same pixels give the same bytes from a fresh encoder as from one
 *    that has encoded everything before (no state carried over).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "cluster.h"
#include "encode.h"
#include "fuzz.h"
#include "model.h"
#include "render.h"
#include "style.h"
#include "tileplan.h"
#include "tiles.h"

#define HEADER 10
#define PIN_BYTES 6
#define MAX_PINS 1200   /* past 999 a cluster is labelled "1.0k" */
#define RAW_MAX 64
#define RAW_COLOURS 320

enum {
  F_RETINA = 1,            /* flags */
  F_SPLIT = 8,
  F_SCALES = 16,
  F_RAW = 32
};

/* Four styles: the sample's; the smallest pins the style loader allows,
 * clustering at every zoom with the smallest radius; the largest pins
 * and radius (clustering to z5 only: a symbol that size is a sprite of
 * 1.7 million pixels at @2x, drawn afresh for each input); no
 * clustering, with white and black pins (glyphs and outlines the colour
 * of the pin). */
static const char *const style_json[4] = {
  "{\"pin\":{\"width\":26,\"height\":38,\"outline\":2,\"shadow\":true},"
  "\"cluster\":{\"enabled\":true,\"radius\":36,\"maxzoom\":8},"
  "\"statuses\":{"
  "\"collecting\":{\"label\":\"C\",\"colour\":\"#005a3c\","
  "\"glyph\":\"tick\"},"
  "\"partial\":{\"label\":\"P\",\"colour\":\"#c25e00\",\"glyph\":\"half\"},"
  "\"not_collecting\":{\"label\":\"N\",\"colour\":\"#d0209a\","
  "\"glyph\":\"cross\"},"
  "\"no_response\":{\"label\":\"R\",\"colour\":\"#848484\","
  "\"glyph\":\"question\"}}}",

  "{\"pin\":{\"width\":8,\"height\":8,\"outline\":0,\"shadow\":false},"
  "\"cluster\":{\"enabled\":true,\"radius\":1,\"maxzoom\":22},"
  "\"statuses\":{"
  "\"collecting\":{\"label\":\"C\",\"colour\":\"#000000\","
  "\"glyph\":\"question\"},"
  "\"partial\":{\"label\":\"P\",\"colour\":\"#ff0000\",\"glyph\":\"half\"},"
  "\"not_collecting\":{\"label\":\"N\",\"colour\":\"#00ff00\","
  "\"glyph\":\"cross\"},"
  "\"no_response\":{\"label\":\"R\",\"colour\":\"#0000ff\","
  "\"glyph\":\"tick\"}}}",

  "{\"pin\":{\"width\":128,\"height\":192,\"outline\":8,\"shadow\":true},"
  "\"cluster\":{\"enabled\":true,\"radius\":256,\"maxzoom\":5},"
  "\"statuses\":{"
  "\"collecting\":{\"label\":\"C\",\"colour\":\"#005a3c\","
  "\"glyph\":\"tick\"},"
  "\"partial\":{\"label\":\"P\",\"colour\":\"#c25e00\",\"glyph\":\"half\"},"
  "\"not_collecting\":{\"label\":\"N\",\"colour\":\"#d0209a\","
  "\"glyph\":\"cross\"},"
  "\"no_response\":{\"label\":\"R\",\"colour\":\"#848484\","
  "\"glyph\":\"question\"}}}",

  "{\"pin\":{\"width\":20,\"height\":20,\"outline\":1,\"shadow\":true},"
  "\"cluster\":{\"enabled\":false},"
  "\"statuses\":{"
  "\"collecting\":{\"label\":\"C\",\"colour\":\"#ffffff\","
  "\"glyph\":\"tick\"},"
  "\"partial\":{\"label\":\"P\",\"colour\":\"#000000\",\"glyph\":\"half\"},"
  "\"not_collecting\":{\"label\":\"N\",\"colour\":\"#fefefe\","
  "\"glyph\":\"cross\"},"
  "\"no_response\":{\"label\":\"R\",\"colour\":\"#010101\","
  "\"glyph\":\"question\"}}}"
};

/* Repeats on purpose: equal codes at equal latitudes fall back to the
 * feature index. */
static const char *const codes[16] = {
  "", "A", "A", "B", "B", "C", "RXH", "RXH", "R1H", "7A1", "7A1", "S08",
  "Z", "ZZZ", "a", "\xc3\xa9"
};

struct reader {
  const uint8_t *p;
  size_t n;
};

struct window {
  int z, dpr;
  int64_t gx, gy;          /* top-left, 1x global pixels */
  int w, h;                /* 1x pixels */
};

/* The PNG being decoded, for libpng's read callback. */
struct png_src {
  const unsigned char *p;
  size_t n;
};

static const struct tm_style *fixed_style(int k)
{
  static struct tm_style *st[4];

  return fuzz_fixed_style(&st[k], style_json[k]);
}

static unsigned get8(struct reader *r)
{
  if(!r->n)
    return 0;
  r->n--;
  return *r->p++;
}

/* ---- the pin set ------------------------------------------------------ */

/* A coordinate (1x global pixels) where rounding and clipping are
 * decided: o is the window's edge, len its size, world the world's. */
static double special(unsigned k, double o, double len, double world)
{
  double corner = floor(o / TM_TILE_SIZE) * TM_TILE_SIZE;

  switch(k % 18) {
  case 0: return 0;
  case 1: return world;
  case 2: return world - 1.0 / 16;
  case 3: return 1.0 / 16;
  case 4: return o;
  case 5: return o + len;
  case 6: return o - 0.5;
  case 7: return o + 0.5 / TM_SUBPIXEL;          /* a rounding tie */
  case 8: return o + 1.5 / TM_SUBPIXEL;
  case 9: return corner;
  case 10: return corner + TM_TILE_SIZE;
  case 11: return corner - 1e-9;
  case 12: return o + len / 2;
  case 13: return world / 2;
  case 14: return NAN;
  case 15: return INFINITY;
  case 16: return -INFINITY;
  default: return nextafter(o, -INFINITY);
  }
}

static double clamp_world(double v, double world)
{
  if(isnan(v) || isinf(v))
    return v;
  return v < 0 ? 0 : v > world ? world : v;
}

static void add_pin(struct tm_pins *pins, unsigned kind, double mx,
                    double my)
{
  struct tm_pin *p = tm_pins_add(pins);
  const char *code = tm_strpool_add(pins->pool, codes[kind >> 4]);

  p->code = p->trust_code = p->name = p->trust_name = code;
  p->nation = p->notes = "";
  p->status = (enum tm_status)(kind & 3);
  p->previous_status = -1;
  p->mx = mx;
  p->my = my;
  tm_merc_to_lonlat(mx, my, &p->lon, &p->lat);
}

static void add_pin_px(struct tm_pins *pins, unsigned kind, int z, double px,
                       double py)
{
  double world = tm_world_px(z), mx, my;

  px = clamp_world(px, world);
  py = clamp_world(py, world);
  tm_px_to_merc(px, py, z, &mx, &my);
  add_pin(pins, kind, mx, my);
}

static struct tm_pins *read_pins(struct reader *r, const struct window *win)
{
  struct tm_pins *pins = tm_pins_new();
  double world = tm_world_px(win->z);
  double ox = (double)win->gx, oy = (double)win->gy;
  double lastx = ox, lasty = oy;

  while(r->n >= PIN_BYTES && pins->n < MAX_PINS) {
    unsigned kind = get8(r), a = get8(r), b = get8(r), c = get8(r);
    unsigned d = get8(r), e = get8(r);
    double px, py;

    switch((kind >> 2) & 3) {
    case 0:
      px = ox + (int16_t)(a << 8 | b) / 16.0;
      py = oy + (int16_t)(c << 8 | d) / 16.0;
      break;
    case 1: {
      unsigned ulon = a << 8 | b, ulat = c << 8 | d;
      double lon = ulon == 0xffff ? NAN : -180 + 360.0 * ulon / 65534;
      double lat = ulat == 0xffff ? NAN : -90 + 180.0 * ulat / 65534;
      double mx, my;

      /* Clamps the latitude to the Web Mercator square, as tileplan.h
       * does for every projected point. */
      tm_merc_from_lonlat(lon, lat, &mx, &my);
      tm_merc_to_px(mx, my, win->z, &px, &py);
      break;
    }
    case 2:
      px = special(a, ox, win->w, world);
      py = special(b, oy, win->h, world);
      break;
    default: {
      unsigned k, copies = 1 + e % 64;
      double sx = (int8_t)a / 16.0, sy = (int8_t)b / 16.0;

      for(k = 0; k < copies && pins->n < MAX_PINS; k++) {
        lastx += sx;
        lasty += sy;
        add_pin_px(pins, (kind & ~3u) | ((kind + k) & 3), win->z, lastx,
                   lasty);
      }
      continue;
    }
    }
    add_pin_px(pins, kind, win->z, px, py);
    lastx = px;
    lasty = py;
  }
  tm_pins_sort(pins);
  return pins;
}

/* ---- drawing ---------------------------------------------------------- */

/* One thing to draw: a pin or a cluster symbol, snapped to the grid. */
struct item {
  bool cluster;
  size_t idx;                    /* pin or cluster index */
  struct tm_anchor a;
};

/* The pins of one input at one zoom, ready to draw into any window. */
struct scene {
  const struct tm_pins *pins;
  const struct tm_style *st;
  int z;
  struct tm_clusters *clusters;  /* owned */
  const struct tm_cluster_zoom *cz;
  const struct tm_pin_sprites *sprites;  /* borrowed from sprites_for() */
  struct item *items;            /* owned; in drawing order */
  size_t n_items;
  struct tm_sprite *cl;          /* owned; 1x and @2x per cluster */
};

struct order_key {
  double lat;
  const char *code;
  size_t idx;
};

static struct tm_painter *painter(void)
{
  static struct tm_painter *p;
  struct tm_error err = { 0 };

  if(!p && tm_painter_new(&p, &err))
    abort();    /* no DejaVu Sans Bold: the environment, not a finding */
  return p;
}

/* Pin sprites take tens of milliseconds to draw, so they are drawn once
 * per style and pin scale for the whole session (tiles.c keeps them for
 * a whole build in the same way). */
static const struct tm_pin_sprites *sprites_for(int style, double scale)
{
  enum { SCALES = 8 };
  static struct tm_pin_sprites *cache[4][SCALES];
  struct tm_error err = { 0 };
  int i;

  for(i = 0; i < SCALES && cache[style][i]; i++)
    if(tm_pin_sprites_scale(cache[style][i]) == scale)
      return cache[style][i];
  FUZZ_CHECK(i < SCALES);     /* cluster.h has five pin scales */
  FUZZ_CHECK(tm_pin_sprites_new(painter(), fixed_style(style), scale,
                                &cache[style][i], &err) == TM_OK);
  return cache[style][i];
}

/* tiles.h's order: north first, ties by code, then feature index. */
static int order_cmp(const void *a, const void *b)
{
  const struct order_key *x = a, *y = b;
  int c;

  if(x->lat != y->lat)
    return x->lat > y->lat ? -1 : 1;
  c = strcmp(x->code, y->code);
  if(c)
    return c;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

static bool drawable(const struct tm_pin *p)
{
  return isfinite(p->mx) && isfinite(p->my);
}

/* What cluster.h promises of the zoom's clusters; marks their members in
 * taken. */
static void check_clusters(const struct scene *sc, unsigned char *taken)
{
  const struct tm_cluster_zoom *cz = sc->cz;
  size_t i, k;

  FUZZ_CHECK(cz && cz->z == sc->z);
  FUZZ_CHECK(cz->pin_scale == tm_cluster_pin_scale(sc->z));
  for(i = 0; i < cz->n; i++) {
    const struct tm_cluster *cl = &cz->v[i];
    size_t counts[TM_STATUS_COUNT] = { 0 };
    int s;

    FUZZ_CHECK(cl->n >= 2);
    FUZZ_CHECK(cl->radius == tm_cluster_radius(&sc->st->pin, cl->n));
    FUZZ_CHECK(isfinite(cl->mx) && isfinite(cl->my));
    for(k = 0; k < cl->n; k++) {
      size_t m = cl->members[k];

      FUZZ_CHECK(m < sc->pins->n && !taken[m]);
      FUZZ_CHECK(drawable(&sc->pins->v[m]));
      FUZZ_CHECK(!k || cl->members[k - 1] < m);
      taken[m] = 1;
      counts[sc->pins->v[m].status]++;
    }
    for(s = 0; s < TM_STATUS_COUNT; s++)
      FUZZ_CHECK(counts[s] == cl->counts[s]);
    /* In order of smallest member. */
    FUZZ_CHECK(!i || cz->v[i - 1].members[0] < cl->members[0]);
  }
}

static void scene_init(struct scene *sc, const struct tm_pins *pins,
                       int style, int z)
{
  const struct tm_pins *p = pins;
  unsigned char *taken = calloc(p->n ? p->n : 1, 1);
  struct order_key *k = calloc(p->n + 1, sizeof(*k));
  size_t i, n = 0;

  if(!taken || !k)
    abort();
  memset(sc, 0, sizeof(*sc));
  sc->pins = pins;
  sc->st = fixed_style(style);
  sc->z = z;
  sc->clusters = tm_clusters_build(pins, sc->st, z, z);
  sc->cz = tm_clusters_at(sc->clusters, z);
  check_clusters(sc, taken);
  sc->sprites = sprites_for(style, sc->cz->pin_scale);
  sc->items = calloc(p->n + sc->cz->n + 1, sizeof(*sc->items));
  sc->cl = calloc(2 * sc->cz->n + 1, sizeof(*sc->cl));
  if(!sc->items || !sc->cl)
    abort();

  /* Single pins, then cluster symbols over them, each north first. */
  for(i = 0; i < p->n; i++) {
    if(taken[i] || !drawable(&p->v[i]))
      continue;
    k[n].lat = p->v[i].lat;
    k[n].code = p->v[i].code;
    k[n].idx = i;
    n++;
  }
  qsort(k, n, sizeof(*k), order_cmp);
  for(i = 0; i < n; i++) {
    struct item *it = &sc->items[sc->n_items++];
    const struct tm_pin *pin = &p->v[k[i].idx];

    it->idx = k[i].idx;
    it->a = tm_tileplan_anchor(pin->mx, pin->my, z);
  }
  for(i = 0; i < sc->cz->n; i++) {
    k[i].lat = sc->cz->v[i].lat;
    k[i].code = "";
    k[i].idx = i;
  }
  qsort(k, sc->cz->n, sizeof(*k), order_cmp);
  for(i = 0; i < sc->cz->n; i++) {
    const struct tm_cluster *cl = &sc->cz->v[k[i].idx];
    struct item *it = &sc->items[sc->n_items++];

    it->cluster = true;
    it->idx = k[i].idx;
    it->a = tm_tileplan_anchor(cl->mx, cl->my, z);
    tm_render_cluster(painter(), sc->st, cl->counts, cl->radius, it->a.fx,
                      it->a.fy, &sc->cl[2 * it->idx],
                      &sc->cl[2 * it->idx + 1]);
  }
  free(k);
  free(taken);
}

static void scene_free(struct scene *sc)
{
  size_t i;

  for(i = 0; i < 2 * sc->cz->n; i++)
    tm_sprite_release(&sc->cl[i]);
  free(sc->cl);
  free(sc->items);
  tm_clusters_free(sc->clusters);
}

/* A sprite pair as render.h promises it: the @2x sprite twice the 1x
 * one's size at twice its offset, and blank exactly when the 1x one is
 * (the pixel-level promise is check_scales()'s). */
static void check_sprite_pair(const struct tm_sprite *s1,
                              const struct tm_sprite *s2)
{
  FUZZ_CHECK(s2->w == 2 * s1->w && s2->h == 2 * s1->h);
  FUZZ_CHECK(s2->ox == 2 * s1->ox && s2->oy == 2 * s1->oy);
  FUZZ_CHECK((s1->bx0 < s1->bx1) == (s2->bx0 < s2->bx1));
}

/* The canvas's box holds every pixel written; inked says whether any
 * has alpha. */
FUZZ_CHECKER static void check_canvas(const struct tm_canvas *c)
{
  bool ink = false;
  int x, y;

  for(y = 0; y < c->h; y++) {
    for(x = 0; x < c->w; x++) {
      uint32_t v = c->px[(size_t)y * (size_t)c->w + (size_t)x];

      if(!v)
        continue;
      FUZZ_CHECK(x >= c->dx0 && x < c->dx1 && y >= c->dy0 && y < c->dy1);
      ink |= (v >> 24) != 0;
    }
  }
  FUZZ_CHECK(c->inked == ink);
}

FUZZ_CHECKER static void check_zero(const uint32_t *px, size_t n)
{
  size_t i;

  for(i = 0; i < n; i++)
    FUZZ_CHECK(!px[i]);
}

/* The reference drawing: each item's sprite copied over a canvas, in
 * order, through render.h alone; returns a copy of the pixels, after
 * checking the canvas and that tm_canvas_clear() leaves the buffer all
 * zero. */
static uint32_t *draw(const struct scene *sc, int dpr, int64_t gx,
                      int64_t gy, int w, int h)
{
  uint32_t *px = calloc((size_t)w * (size_t)h, sizeof(uint32_t));
  uint32_t *copy;
  struct tm_canvas c;
  size_t i;

  if(!px)
    abort();
  tm_canvas_init(&c, px, w, h, gx, gy);
  for(i = 0; i < sc->n_items; i++) {
    const struct item *it = &sc->items[i];
    const struct tm_sprite *s1, *s2;

    if(it->cluster) {
      s1 = &sc->cl[2 * it->idx];
      s2 = &sc->cl[2 * it->idx + 1];
    }
    else {
      enum tm_status s = sc->pins->v[it->idx].status;

      s1 = tm_pin_sprite(sc->sprites, s, it->a.fx, it->a.fy, 1);
      s2 = tm_pin_sprite(sc->sprites, s, it->a.fx, it->a.fy, 2);
    }
    check_sprite_pair(s1, s2);
    tm_render_composite(&c, dpr == 1 ? s1 : s2, dpr * it->a.x,
                        dpr * it->a.y);
  }
  check_canvas(&c);
  copy = malloc((size_t)w * (size_t)h * sizeof(uint32_t));
  if(!copy)
    abort();
  memcpy(copy, px, (size_t)w * (size_t)h * sizeof(uint32_t));
  /* tiles.c clears one buffer after each tile and draws the next in it. */
  tm_canvas_clear(&c);
  check_zero(px, (size_t)w * (size_t)h);
  free(px);
  return copy;
}

/* tiles.c's own window drawing equals the reference. */
static void check_tiles_window(const struct scene *sc,
                               const struct window *win,
                               const uint32_t *want, int w, int h)
{
  uint32_t *px = calloc((size_t)w * (size_t)h, sizeof(uint32_t));
  struct tm_error err = { 0 };

  if(!px)
    abort();
  FUZZ_CHECK(tm_tiles_render_window(sc->pins, sc->st, win->z, win->dpr,
                                    win->dpr * win->gx, win->dpr * win->gy,
                                    w, h, px, &err) == TM_OK);
  FUZZ_CHECK(!memcmp(px, want, (size_t)w * (size_t)h * sizeof(uint32_t)));
  free(px);
}

FUZZ_CHECKER static void check_premultiplied(const uint32_t *px, size_t n)
{
  size_t i;

  for(i = 0; i < n; i++) {
    uint32_t v = px[i], a = v >> 24;

    FUZZ_CHECK(((v >> 16) & 255) <= a && ((v >> 8) & 255) <= a &&
               (v & 255) <= a);
  }
}

/* The window drawn as four parts meeting at (sx, sy) equals the whole. */
static void check_stitched(const struct scene *sc, const struct window *win,
                           const uint32_t *whole, int w, int h,
                           unsigned split)
{
  int sx = w * (int)(1 + (split & 15)) / 17;
  int sy = h * (int)(1 + (split >> 4)) / 17;
  int xs[3] = { 0, sx, w }, ys[3] = { 0, sy, h };
  int i, j, y;

  for(i = 0; i < 2; i++) {
    for(j = 0; j < 2; j++) {
      int pw = xs[i + 1] - xs[i], ph = ys[j + 1] - ys[j];
      uint32_t *part;

      if(pw <= 0 || ph <= 0)
        continue;
      part = draw(sc, win->dpr, win->dpr * win->gx + xs[i],
                  win->dpr * win->gy + ys[j], pw, ph);
      for(y = 0; y < ph; y++)
        FUZZ_CHECK(!memcmp(part + (size_t)y * (size_t)pw,
                           whole + (size_t)(ys[j] + y) * (size_t)w + xs[i],
                           (size_t)pw * sizeof(uint32_t)));
      free(part);
    }
  }
}

/* A 1x pixel has ink exactly when one of its four @2x pixels has. */
FUZZ_CHECKER static void check_scales(const uint32_t *one,
                                      const uint32_t *two, int w, int h)
{
  int x, y;

  for(y = 0; y < h; y++) {
    const uint32_t *r1 = one + (size_t)y * (size_t)w;
    const uint32_t *a = two + (size_t)(2 * y) * (size_t)(2 * w);
    const uint32_t *b = a + 2 * w;

    for(x = 0; x < w; x++) {
      uint32_t any = a[2 * x] | a[2 * x + 1] | b[2 * x] | b[2 * x + 1];

      FUZZ_CHECK(!(r1[x] >> 24) == !(any >> 24));
    }
  }
}

/* ---- encoding and decoding -------------------------------------------- */

/* Distinct pixel values of the image, counted up to 257. */
FUZZ_CHECKER static bool all_opaque(const uint32_t *px, int w, int h)
{
  size_t i, n = (size_t)w * (size_t)h;

  for(i = 0; i < n; i++)
    if(px[i] >> 24 != 255)
      return false;
  return true;
}

FUZZ_CHECKER static int count_colours(const uint32_t *px, int w, int h)
{
  enum { SLOTS = 2048 };
  static uint32_t key[SLOTS];
  static bool used[SLOTS];
  size_t i, n = (size_t)w * (size_t)h;
  int count = 0;

  memset(used, 0, sizeof(used));
  for(i = 0; i < n && count <= 256; i++) {
    uint32_t v = px[i];
    size_t s = (v ^ (v >> 15)) * 2246822519u % SLOTS;

    if(i && v == px[i - 1])
      continue;
    while(used[s] && key[s] != v)
      s = (s + 1) % SLOTS;
    if(!used[s]) {
      used[s] = true;
      key[s] = v;
      count++;
    }
  }
  return count;
}

/* Round to nearest of c * 255 / a: what a straight channel should be. */
static unsigned straight(unsigned c, unsigned a)
{
  return (2 * 255 * c + a) / (2 * a);
}

static void on_png_error(png_structp png, png_const_charp msg)
{
  (void)png;
  (void)msg;
  abort();    /* the encoder wrote a PNG that libpng rejects */
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
  (void)png;
  (void)msg;
}

static void on_png_read(png_structp png, png_bytep out, size_t n)
{
  struct png_src *src = png_get_io_ptr(png);

  FUZZ_CHECK(n <= src->n);
  memcpy(out, src->p, n);
  src->p += n;
  src->n -= n;
}

/* Decodes the PNG and compares it with px (w x h, stride w). */
FUZZ_CHECKER static void check_png(const unsigned char *data, size_t len,
                                   enum tm_png_kind kind, const uint32_t *px,
                                   int w, int h)
{
  struct png_src src = { data, len };
  png_structp png;
  png_infop info, end;
  png_uint_32 pw, ph;
  png_bytep trns = NULL;
  png_colorp plte = NULL;
  unsigned char *row;
  int depth, type, interlace, nplte = 0, ntrns = 0, colours, x, y;

  png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, on_png_error,
                               on_png_warning);
  info = png ? png_create_info_struct(png) : NULL;
  end = png ? png_create_info_struct(png) : NULL;
  if(!info || !end)
    abort();
  png_set_read_fn(png, &src, on_png_read);
  png_read_info(png, info);
  png_get_IHDR(png, info, &pw, &ph, &depth, &type, &interlace, NULL, NULL);
  FUZZ_CHECK(pw == (png_uint_32)w && ph == (png_uint_32)h);
  FUZZ_CHECK(depth == 8 && interlace == PNG_INTERLACE_NONE);

  colours = count_colours(px, w, h);
  FUZZ_CHECK((kind == TM_PNG_PALETTE) == (colours <= 256));
  FUZZ_CHECK((kind == TM_PNG_RGB) == (colours > 256 && all_opaque(px, w, h)));
  if(kind == TM_PNG_PALETTE) {
    FUZZ_CHECK(type == PNG_COLOR_TYPE_PALETTE);
    FUZZ_CHECK(png_get_PLTE(png, info, &plte, &nplte) == PNG_INFO_PLTE);
    FUZZ_CHECK(nplte == colours);
    png_set_palette_to_rgb(png);
    if(png_get_tRNS(png, info, &trns, &ntrns, NULL) == PNG_INFO_tRNS) {
      /* Translucent entries first: the last tRNS entry is one. */
      FUZZ_CHECK(ntrns >= 1 && ntrns <= nplte && trns[ntrns - 1] < 255);
      png_set_tRNS_to_alpha(png);
    }
    else {
      png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);  /* all opaque */
    }
  }
  else if(kind == TM_PNG_RGB) {
    FUZZ_CHECK(type == PNG_COLOR_TYPE_RGB);
    png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
  }
  else {
    FUZZ_CHECK(type == PNG_COLOR_TYPE_RGB_ALPHA);
  }
  png_read_update_info(png, info);
  FUZZ_CHECK(png_get_rowbytes(png, info) == (size_t)w * 4);

  row = malloc((size_t)w * 4);
  if(!row)
    abort();
  for(y = 0; y < h; y++) {
    png_read_row(png, row, NULL);
    for(x = 0; x < w; x++) {
      uint32_t v = px[(size_t)y * (size_t)w + (size_t)x];
      unsigned a = v >> 24, c[3], k;
      const unsigned char *o = row + 4 * x;

      c[0] = (v >> 16) & 255;
      c[1] = (v >> 8) & 255;
      c[2] = v & 255;
      FUZZ_CHECK(o[3] == a);
      for(k = 0; k < 3; k++) {
        if(!a) {
          FUZZ_CHECK(o[k] == 0);
          continue;
        }
        FUZZ_CHECK(o[k] == straight(c[k], a));
        /* And back: the PNG holds exactly the drawn pixel. */
        FUZZ_CHECK((2 * o[k] * a + 255) / 510 == c[k]);
      }
    }
  }
  free(row);
  png_read_end(png, end);
  FUZZ_CHECK(!png_get_valid(png, info, PNG_INFO_tIME) &&
             !png_get_valid(png, end, PNG_INFO_tIME));
  FUZZ_CHECK(!png_get_text(png, info, NULL, NULL) &&
             !png_get_text(png, end, NULL, NULL));
  png_destroy_read_struct(&png, &info, &end);
}

/* Encodes px (w x h; all zero outside the box) with the rows `pad`
 * pixels apart, the gaps full of bytes that are no pixel at all, then
 * checks the PNG. */
static void encode_and_check(const uint32_t *px, int w, int h, int bx0,
                             int by0, int bx1, int by1, int pad)
{
  static struct tm_encoder *reused;
  struct tm_encoder *fresh = tm_encoder_new();
  struct tm_error err = { 0 };
  struct tm_image img;
  size_t stride = (size_t)w + (size_t)pad, len1, len2;
  uint32_t *buf = malloc(stride * (size_t)h * sizeof(uint32_t));
  const unsigned char *bytes1, *bytes2;
  size_t k;
  int y;

  if(!reused)
    reused = tm_encoder_new();
  if(!buf)
    abort();
  for(y = 0; y < h; y++) {
    uint32_t *r = buf + (size_t)y * stride;

    memcpy(r, px + (size_t)y * (size_t)w, (size_t)w * sizeof(uint32_t));
    for(k = 0; k < (size_t)pad; k++)
      r[w + k] = 0x00ff00ffu + (uint32_t)k;
  }
  img.px = buf;
  img.width = w;
  img.height = h;
  img.stride = (int)stride;
  img.x0 = bx0;
  img.y0 = by0;
  img.x1 = bx1;
  img.y1 = by1;
  FUZZ_CHECK(tm_encode_png(reused, &img, "fuzz.png", &err) == TM_OK);
  FUZZ_CHECK(tm_encode_png(fresh, &img, "fuzz.png", &err) == TM_OK);
  bytes1 = tm_encoder_bytes(reused, &len1);
  bytes2 = tm_encoder_bytes(fresh, &len2);
  FUZZ_CHECK(tm_encoder_kind(reused) == tm_encoder_kind(fresh));
  FUZZ_CHECK(len1 == len2 && !memcmp(bytes1, bytes2, len1));
  check_png(bytes1, len1, tm_encoder_kind(reused), px, w, h);
  tm_encoder_free(fresh);
  free(buf);
}

/* How far the encoder's box reaches past the ink: nothing, a little, or
 * far out of the image (the encoder clamps it). */
static int margin(unsigned k)
{
  static const int m[4] = { 0, 1, 5, 100000 };

  return m[k & 3];
}

static const int paddings[4] = { 0, 1, 3, 17 };

/* The smallest box that holds every pixel that is not 0; empty (x0 >=
 * x1) when there is none. */
FUZZ_CHECKER static void ink_box(const uint32_t *px, int w, int h, int *x0,
                                 int *y0, int *x1, int *y1)
{
  int x, y;

  *x0 = w;
  *y0 = h;
  *x1 = *y1 = 0;
  for(y = 0; y < h; y++) {
    for(x = 0; x < w; x++) {
      if(!px[(size_t)y * (size_t)w + (size_t)x])
        continue;
      *x0 = x < *x0 ? x : *x0;
      *y0 = y < *y0 ? y : *y0;
      *x1 = x + 1 > *x1 ? x + 1 : *x1;
      *y1 = y + 1 > *y1 ? y + 1 : *y1;
    }
  }
}

/* Encodes the drawn window with a box around its ink. */
static void encode_drawn(const uint32_t *px, int w, int h, unsigned boxb)
{
  int x0, y0, x1, y1;

  ink_box(px, w, h, &x0, &y0, &x1, &y1);
  if(x0 < x1) {
    x0 -= margin(boxb);
    y0 -= margin(boxb);
    x1 += margin(boxb >> 2);
    y1 += margin(boxb >> 2);
  }
  else if(boxb & 1) {
    x0 = y0 = x1 = y1 = 0;     /* an empty box: nothing inside */
  }
  encode_and_check(px, w, h, x0, y0, x1, y1, paddings[(boxb >> 4) & 3]);
}

/* ---- raw pixels ------------------------------------------------------- */

static uint32_t mix(uint32_t v)
{
  v ^= v >> 16;
  v *= 0x7feb352du;
  v ^= v >> 15;
  v *= 0x846ca68bu;
  v ^= v >> 16;
  return v;
}

/* A premultiplied colour, not transparent: often opaque, sometimes
 * nearly clear, where un-premultiplying rounds the most. */
static uint32_t colour(uint32_t seed, uint32_t i)
{
  uint32_t h = mix(seed * 0x9e3779b9u + i), a, r, g, b;

  switch(h & 3) {
  case 0:
    a = 255;
    break;
  case 1:
    a = 1 + (h >> 8) % 8;
    break;
  default:
    a = 1 + (h >> 8) % 255;
  }
  h = mix(h);
  r = (h & 255) % (a + 1);
  g = ((h >> 8) & 255) % (a + 1);
  b = ((h >> 16) & 255) % (a + 1);
  return a << 24 | r << 16 | g << 8 | b;
}

/* n distinct pixel values: transparent, then colour()s, so an image
 * that uses all n has exactly n colours. */
FUZZ_CHECKER static void make_colours(uint32_t *table, uint32_t n,
                                      uint32_t seed)
{
  uint32_t i, j, k;

  table[0] = 0;
  for(i = 1; i < n; i++) {
    for(k = 0;; k++) {
      table[i] = colour(seed, i + k * 65536);
      for(j = 0; j < i && table[j] != table[i]; j++)
        ;
      if(j == i)
        break;
    }
  }
}

static void run_raw(struct reader *r, const uint8_t *hdr)
{
  int w = 1 + hdr[6] % RAW_MAX, h = 1 + hdr[7] % RAW_MAX;
  uint32_t ncol = 1 + (uint32_t)(hdr[2] << 8 | hdr[3]) % RAW_COLOURS;
  uint32_t seed = (uint32_t)(hdr[4] << 8 | hdr[5]);
  /* The box, from -2 to w + 2 (h + 2) by fifteenths. */
  int x0 = (hdr[1] & 15) * (w + 4) / 15 - 2;
  int y0 = (hdr[1] >> 4) * (h + 4) / 15 - 2;
  int x1 = (hdr[8] & 15) * (w + 4) / 15 - 2;
  int y1 = (hdr[8] >> 4) * (h + 4) / 15 - 2;
  uint32_t *px = calloc((size_t)w * (size_t)h, sizeof(uint32_t));
  uint32_t table[RAW_COLOURS];
  uint32_t i;
  int x, y;

  if(!px)
    abort();
  make_colours(table, ncol, seed);
  for(y = 0, i = 0; y < h; y++) {
    for(x = 0; x < w; x++, i++) {
      uint32_t k = i % ncol;

      /* One byte per pixel, or two where one cannot pick them all. */
      if(r->n)
        k = (ncol > 256 ? get8(r) << 8 | get8(r) : get8(r)) % ncol;
      if(x >= x0 && x < x1 && y >= y0 && y < y1)
        px[(size_t)y * (size_t)w + (size_t)x] = table[k];
    }
  }
  encode_and_check(px, w, h, x0, y0, x1, y1,
                   paddings[(hdr[9] >> 4) & 3]);
  free(px);
}

/* ---- the target ------------------------------------------------------- */

static unsigned byte_sum(const uint8_t *data, size_t size)
{
  unsigned sum = 0;
  size_t i;

  for(i = 0; i < size; i++)
    sum += data[i];
  return sum;
}

static void window_of(const uint8_t *hdr, struct window *win)
{
  int64_t world;

  win->dpr = hdr[0] & F_RETINA ? 2 : 1;
  win->z = hdr[1] % (TM_ZOOM_MAX + 1);
  world = (int64_t)TM_TILE_SIZE << win->z;
  win->gx = (int64_t)(hdr[2] << 8 | hdr[3]) * world >> 16;
  win->gy = (int64_t)(hdr[4] << 8 | hdr[5]) * world >> 16;
  switch(hdr[0] >> 6) {
  case 0:
    win->gx -= win->gx % TM_TILE_SIZE;
    win->gy -= win->gy % TM_TILE_SIZE;
    win->w = win->h = TM_TILE_SIZE;
    break;
  case 1:
    win->w = 1 + hdr[6] % 48;
    win->h = 1 + hdr[7] % 48;
    break;
  case 2:
    win->w = 1 + hdr[6] * 300 / 256;
    win->h = 1 + hdr[7] * 300 / 256;
    break;
  default:
    /* Across an edge of the world: half in, half out. */
    win->w = 1 + hdr[6] % 48;
    win->h = 1 + hdr[7] % 48;
    win->gx = hdr[2] & 1 ? world - win->w / 2 : -(win->w / 2);
    win->gy = hdr[4] & 1 ? world - win->h / 2 : -(win->h / 2);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct reader r = { data, size };
  uint8_t hdr[HEADER];
  struct tm_pins *pins;
  struct scene sc;
  struct window win;
  uint32_t *px;
  int w, h, i;

  if(size > FUZZ_MAX_INPUT)
    return 0;
  for(i = 0; i < HEADER; i++)
    hdr[i] = (uint8_t)get8(&r);
  if(hdr[0] & F_RAW) {
    run_raw(&r, hdr);
    return 0;
  }
  window_of(hdr, &win);
  pins = read_pins(&r, &win);
  scene_init(&sc, pins, (hdr[0] >> 1) & 3, win.z);

  w = win.dpr * win.w;
  h = win.dpr * win.h;
  px = draw(&sc, win.dpr, win.dpr * win.gx, win.dpr * win.gy, w, h);
  check_premultiplied(px, (size_t)w * (size_t)h);
  if(byte_sum(data, size) % 32 == 0)
    check_tiles_window(&sc, &win, px, w, h);
  if(hdr[0] & F_SPLIT)
    check_stitched(&sc, &win, px, w, h, hdr[8]);
  if(hdr[0] & F_SCALES) {
    int other = 3 - win.dpr;
    uint32_t *px2 = draw(&sc, other, other * win.gx, other * win.gy,
                         other * win.w, other * win.h);

    check_premultiplied(px2, (size_t)(other * win.w) *
                        (size_t)(other * win.h));
    if(win.dpr == 1)
      check_scales(px, px2, win.w, win.h);
    else
      check_scales(px2, px, win.w, win.h);
    free(px2);
  }
  encode_drawn(px, w, h, hdr[9]);
  free(px);
  scene_free(&sc);
  tm_pins_free(pins);
  return 0;
}
