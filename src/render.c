/* render.c - stage 4b: draw pins and cluster symbols into sprites with
 * cairo, and copy sprites over tiles (see render.h).
 *
 * A pin is the classic teardrop: a round head of diameter pin.width whose
 * top is pin.height above the tip, filled with the status colour, with a
 * white outline of pin.outline px, a soft shadow, and a white glyph in the
 * head (tick, half-filled circle, cross, question mark), so the map does
 * not rely on colour alone.
 *
 * Each pin is drawn once per status, sub-pixel step and scale; tiles then
 * only copy pixels (tm_render_composite), which is both exact across tile
 * edges and much faster than drawing paths per tile. A cluster symbol is
 * drawn per tile, over a copy of its shadow and disc, which each painter
 * draws once per radius and sub-pixel step.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-ft.h>
#include <pixman.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include "cluster.h"
#include "render.h"

/* The FreeType objects behind one cairo font face. cairo may keep the face
 * in its caches after we let go of it, so these are freed by the face's
 * own destroy callback, not by tm_font_free(). */
struct ft_hold {
  FT_Library lib;
  FT_Face face;
};

struct tm_font {
  cairo_font_face_t *face;
};

/* A cluster symbol's shadow and white disc, which depend only on its
 * radius: drawn once per sub-pixel step as needed, at 1x and @2x, and
 * copied under each cluster's arcs and count (tm_render_cluster). */
struct cluster_base {
  double radius;
  bool shadow;
  bool drawn[TM_PIN_PHASES];
  struct tm_sprite s[TM_PIN_PHASES][2];
};

/* Cluster radii grow with the length of the count's label (cluster.h), so
 * a build has a handful; past this many the rest are drawn whole. The
 * bases a painter keeps are also held to a size, as there is a painter per
 * thread: with the default pin a radius takes about 1 MB for all 16 steps,
 * with the largest pin a style allows about 29 MB. */
#define MAX_CLUSTER_BASES 16
#define MAX_CLUSTER_BASE_BYTES (16u << 20)

struct tm_painter {
  struct tm_font *bold;
  cairo_font_options_t *opts;   /* outlines without hinting */
  struct cluster_base bases[MAX_CLUSTER_BASES];
  int n_bases;
  size_t base_bytes;            /* pixels held by bases */
};

struct tm_pin_sprites {
  const struct tm_style *st;    /* borrowed */
  double scale;
  bool drawn[TM_PIN_PHASES];
  struct tm_sprite s[TM_STATUS_COUNT][TM_PIN_PHASES][2];
};

static const cairo_user_data_key_t ft_key;

static void ft_hold_free(void *data)
{
  struct ft_hold *h = data;

  FT_Done_Face(h->face);
  FT_Done_FreeType(h->lib);
  free(h);
}

static const char *ft_strerror(FT_Error e)
{
  const char *s = FT_Error_String(e);

  if(s)
    return s;
  return e == FT_Err_Cannot_Open_Resource ? "cannot open resource"
                                          : "not a usable font file";
}

/* ---- drawing ---------------------------------------------------------- */

static void set_rgb(cairo_t *cr, struct tm_rgb c)
{
  cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

/* The teardrop outline: tip at (0, 0), head of radius r centred at
 * (0, -d). */
static void teardrop(cairo_t *cr, double r, double d)
{
  double a = acos(r / d);

  cairo_new_path(cr);
  cairo_move_to(cr, 0, 0);
  /* From the right tangent point over the top to the left one. */
  cairo_arc_negative(cr, 0, -d, r, M_PI / 2 - a, M_PI / 2 + a);
  cairo_close_path(cr);
}

/* Head radius and centre height for the style, keeping the whole shape
 * within width x height even for squat styles. */
static void pin_geometry(const struct tm_pin_style *ps, double *r, double *d)
{
  double rr = ps->width / 2, h = ps->height;

  if(h - rr < 1.05 * rr)
    rr = h / 2.05;
  *r = rr;
  *d = h - rr;
}

static void text_path_centred(struct tm_painter *p, cairo_t *cr,
                              const char *text, double size, double cx,
                              double cy)
{
  cairo_text_extents_t ext;

  cairo_set_font_face(cr, tm_font_face(p->bold));
  cairo_set_font_options(cr, p->opts);
  cairo_set_font_size(cr, size);
  cairo_text_extents(cr, text, &ext);
  cairo_new_path(cr);
  cairo_move_to(cr, cx - ext.x_bearing - ext.width / 2,
                cy - ext.y_bearing - ext.height / 2);
  cairo_text_path(cr, text);
}

/* The white glyph inside a head of radius r centred at (0, cy). */
static void glyph(struct tm_painter *p, cairo_t *cr, enum tm_glyph g,
                  double cy, double r)
{
  cairo_save(cr);
  cairo_translate(cr, 0, cy);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_new_path(cr);
  switch(g) {
  case TM_GLYPH_TICK:
    cairo_set_line_width(cr, 0.26 * r);
    cairo_move_to(cr, -0.44 * r, 0.02 * r);
    cairo_line_to(cr, -0.14 * r, 0.34 * r);
    cairo_line_to(cr, 0.44 * r, -0.32 * r);
    cairo_stroke(cr);
    break;
  case TM_GLYPH_CROSS:
    cairo_set_line_width(cr, 0.26 * r);
    cairo_move_to(cr, -0.32 * r, -0.32 * r);
    cairo_line_to(cr, 0.32 * r, 0.32 * r);
    cairo_move_to(cr, 0.32 * r, -0.32 * r);
    cairo_line_to(cr, -0.32 * r, 0.32 * r);
    cairo_stroke(cr);
    break;
  case TM_GLYPH_HALF:
    cairo_set_line_width(cr, 0.16 * r);
    cairo_arc(cr, 0, 0, 0.42 * r, 0, 2 * M_PI);
    cairo_stroke(cr);
    cairo_arc(cr, 0, 0, 0.42 * r, M_PI / 2, 3 * M_PI / 2);
    cairo_close_path(cr);
    cairo_fill(cr);
    break;
  case TM_GLYPH_QUESTION:
  default:
    text_path_centred(p, cr, "?", 1.25 * r, 0, 0);
    cairo_fill(cr);
    break;
  }
  cairo_restore(cr);
}

/* A soft drop shadow: the silhouette, moved down a little and blurred by
 * stacking strokes of shrinking width at low alpha, so it shows mostly
 * below the pin and fades out. It stays within 0.2 * width of the outline
 * (tileplan.c counts on that). The strokes are not anti-aliased: their
 * edges are steps of 6% black, which anti-aliasing cannot make softer,
 * and without it the shadow has 5 shades instead of a hundred, so a tile
 * with a pin or two still fits a 256-colour palette (encode.h): a quarter
 * of the bytes to compress and to download. */
static void pin_shadow(cairo_t *cr, const struct tm_pin_style *ps, double r,
                       double d)
{
  double o = ps->outline, w = ps->width;
  int i;

  cairo_save(cr);
  cairo_translate(cr, 0, 0.07 * w);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  for(i = 0; i < 5; i++) {
    teardrop(cr, r, d);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.06);
    cairo_set_line_width(cr, 2 * (o + 0.1 * w * (5 - i) / 5));
    cairo_stroke(cr);
  }
  cairo_restore(cr);
}

/* What every status has in common: the shadow and the white outline. */
static void pin_base(cairo_t *cr, const struct tm_pin_style *ps)
{
  double r, d;

  pin_geometry(ps, &r, &d);
  if(ps->shadow)
    pin_shadow(cr, ps, r, d);
  if(ps->outline > 0) {
    teardrop(cr, r, d);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, 2 * ps->outline);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
  }
}

/* The status's own part, over pin_base(): its colour and glyph. */
static void pin_face(struct tm_painter *p, cairo_t *cr,
                     const struct tm_style *st, enum tm_status s)
{
  double r, d;

  pin_geometry(&st->pin, &r, &d);
  teardrop(cr, r, d);
  set_rgb(cr, st->status[s].rgb);
  cairo_fill(cr);
  glyph(p, cr, st->status[s].glyph, -d, r);
}

void tm_render_pin_path(struct tm_painter *p, cairo_t *cr,
                        const struct tm_style *st, enum tm_status s)
{
  cairo_save(cr);
  pin_base(cr, &st->pin);
  pin_face(p, cr, st, s);
  cairo_restore(cr);
}

/* The part of a cluster symbol that depends only on its radius. */
static void cluster_base_draw(cairo_t *cr, bool shadow, double radius)
{
  int i;

  if(shadow) {
    for(i = 0; i < 5; i++) {
      cairo_new_path(cr);
      cairo_arc(cr, 0, 0.07 * radius, radius + 0.1 * radius * (5 - i) / 5,
                0, 2 * M_PI);
      cairo_set_source_rgba(cr, 0, 0, 0, 0.06);
      cairo_fill(cr);
    }
  }
  cairo_new_path(cr);
  cairo_arc(cr, 0, 0, radius, 0, 2 * M_PI);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_fill(cr);
}

/* The rest: the ring of arcs and the count, over the base. */
static void cluster_face_draw(struct tm_painter *p, cairo_t *cr,
                              const struct tm_style *st,
                              const size_t counts[TM_STATUS_COUNT],
                              double radius)
{
  double o = st->pin.outline > 1 ? st->pin.outline : 1;
  double inner = radius - o;             /* inside the white border */
  double t = 0.24 * inner;               /* ring thickness */
  double a = -M_PI / 2, fs, fit;
  size_t total = 0;
  cairo_text_extents_t ext;
  char label[16];
  int s;

  for(s = 0; s < TM_STATUS_COUNT; s++)
    total += counts[s];

  /* Arcs clockwise from 12 o'clock, in status order. */
  cairo_set_line_width(cr, t);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  for(s = 0; s < TM_STATUS_COUNT && total; s++) {
    double sweep = 2 * M_PI * (double)counts[s] / (double)total;

    if(!counts[s])
      continue;
    cairo_new_path(cr);
    cairo_arc(cr, 0, 0, inner - t / 2, a, a + sweep);
    set_rgb(cr, st->status[s].rgb);
    cairo_stroke(cr);
    a += sweep;
  }

  /* The count, as large as fits inside the ring. */
  tm_cluster_label(total, label);
  cairo_set_font_face(cr, tm_font_face(p->bold));
  cairo_set_font_options(cr, p->opts);
  cairo_set_font_size(cr, 1);
  cairo_text_extents(cr, label, &ext);
  fs = 1.0 * (inner - t);
  fit = 1.6 * (inner - t) / (ext.width > 0 ? ext.width : 1);
  if(fit < fs)
    fs = fit;
  text_path_centred(p, cr, label, fs, 0, 0);
  cairo_set_source_rgb(cr, 0.13, 0.13, 0.13);
  cairo_fill(cr);
}

static void cluster_draw(struct tm_painter *p, cairo_t *cr,
                         const struct tm_style *st,
                         const size_t counts[TM_STATUS_COUNT], double radius)
{
  cluster_base_draw(cr, st->pin.shadow, radius);
  cluster_face_draw(p, cr, st, counts, radius);
}

/* ---- sprites ---------------------------------------------------------- */

/* Sizes s for w x h pixels, keeping its buffer when it is large enough;
 * the pixels are left as they were. */
static void sprite_reserve(struct tm_sprite *s, int w, int h, int ox, int oy)
{
  size_t need = (size_t)w * (size_t)h;

  if(need > s->cap) {
    free(s->px);
    s->px = tm_xcalloc(need, sizeof(uint32_t));
    s->cap = need;
  }
  s->w = w;
  s->h = h;
  s->ox = ox;
  s->oy = oy;
}

/* Sizes s and makes it transparent. */
static void sprite_alloc(struct tm_sprite *s, int w, int h, int ox, int oy)
{
  sprite_reserve(s, w, h, ox, oy);
  memset(s->px, 0, (size_t)w * (size_t)h * sizeof(uint32_t));
}

/* Makes dst a copy of src's frame and pixels (not of its inked box). */
static void sprite_copy(struct tm_sprite *dst, const struct tm_sprite *src)
{
  sprite_reserve(dst, src->w, src->h, src->ox, src->oy);
  memcpy(dst->px, src->px, (size_t)src->w * (size_t)src->h *
         sizeof(uint32_t));
}

static cairo_t *sprite_cairo(struct tm_sprite *s)
{
  cairo_surface_t *surf;
  cairo_t *cr;

  surf = cairo_image_surface_create_for_data((unsigned char *)s->px,
                                             CAIRO_FORMAT_ARGB32, s->w, s->h,
                                             s->w * 4);
  cr = cairo_create(surf);
  cairo_surface_destroy(surf);      /* cr holds a reference */
  if(cairo_status(cr) != CAIRO_STATUS_SUCCESS)
    tm_oom();
  /* FAST: cairo rasterises on a 4x4 grid, so an edge pixel takes one of
   * 17 coverage levels instead of 256. A pin then has about 80 colours
   * instead of over 200, so tiles with a pin or two fit a 256-colour
   * palette (encode.h): measured on 250 UK pins at z0-12, 820 of 853
   * tiles were palette PNGs instead of 260, and the tiles took 1.35 MB
   * instead of 2.9 MB. At map scale the edges look the same. */
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
  return cr;
}

static void sprite_done(cairo_t *cr)
{
  cairo_surface_flush(cairo_get_target(cr));
  cairo_destroy(cr);
}

static void sprite_bbox(struct tm_sprite *s)
{
  int x, y;

  s->bx0 = s->w;
  s->by0 = s->h;
  s->bx1 = s->by1 = 0;
  for(y = 0; y < s->h; y++) {
    const uint32_t *row = s->px + (size_t)y * (size_t)s->w;

    for(x = 0; x < s->w; x++) {
      if(!(row[x] >> 24))
        continue;
      if(x < s->bx0)
        s->bx0 = x;
      if(x >= s->bx1)
        s->bx1 = x + 1;
      if(y < s->by0)
        s->by0 = y;
      s->by1 = y + 1;
    }
  }
  if(s->bx0 >= s->bx1) {
    s->bx0 = s->by0 = 0;
    s->bx1 = s->by1 = 0;
  }
}

/* Clears the pixels that only one scale has ink in (see render.h), so 1x
 * and @2x cover the same 1x pixels and are blank on the same tiles. s2 is
 * twice s1's size at twice its offset. */
static void sprite_pair_trim(struct tm_sprite *s1, struct tm_sprite *s2)
{
  int x, y;

  for(y = 0; y < s1->h; y++) {
    uint32_t *r1 = s1->px + (size_t)y * (size_t)s1->w;
    uint32_t *a = s2->px + (size_t)(2 * y) * (size_t)s2->w;
    uint32_t *b = a + s2->w;

    for(x = 0; x < s1->w; x++) {
      uint32_t any2 = (a[2 * x] | a[2 * x + 1] | b[2 * x] | b[2 * x + 1]);

      if((r1[x] >> 24) && (any2 >> 24))
        continue;
      r1[x] = 0;
      a[2 * x] = a[2 * x + 1] = b[2 * x] = b[2 * x + 1] = 0;
    }
  }
  sprite_bbox(s1);
  sprite_bbox(s2);
}

/* The size of a pin sprite at 1x, and where its anchor pixel is. */
static void pin_sprite_frame(const struct tm_style *st, double scale,
                             int *left, int *up, int *w, int *h)
{
  struct tm_pin_box box;

  tm_tileplan_pin_box(&st->pin, scale, &box);
  *left = (int)ceil(box.left) + 1;
  *up = (int)ceil(box.up) + 1;
  *w = *left + (int)ceil(box.right) + 2;
  *h = *up + (int)ceil(box.down) + 2;
}

/* A cairo context on s with the pin's tip at the sprite's anchor plus the
 * sub-pixel step (fx, fy), in units of 1 CSS px at pin scale 1. */
static cairo_t *pin_cairo(struct tm_sprite *s, int dpr, int left, int up,
                          int fx, int fy, double scale)
{
  cairo_t *cr = sprite_cairo(s);

  cairo_scale(cr, dpr, dpr);
  cairo_translate(cr, left + (double)fx / TM_SUBPIXEL,
                  up + (double)fy / TM_SUBPIXEL);
  cairo_scale(cr, scale, scale);
  return cr;
}

/* ---- public ----------------------------------------------------------- */

void tm_render_cluster_path(struct tm_painter *p, cairo_t *cr,
                            const struct tm_style *st,
                            const size_t counts[TM_STATUS_COUNT],
                            double radius)
{
  cairo_save(cr);
  cluster_draw(p, cr, st, counts, radius);
  cairo_restore(cr);
}

enum tm_rc tm_font_open(const char *path, struct tm_font **out,
                        struct tm_error *err)
{
  struct ft_hold *h = tm_xcalloc(1, sizeof(*h));
  struct tm_font *f;
  cairo_font_face_t *face;
  FT_Error fe;

  fe = FT_Init_FreeType(&h->lib);
  if(fe) {
    free(h);
    return tm_fail(err, TM_SYSTEM, "cannot start FreeType: %s",
                   ft_strerror(fe));
  }
  fe = FT_New_Face(h->lib, path, 0, &h->face);
  if(fe) {
    FT_Done_FreeType(h->lib);
    free(h);
    return tm_fail(err, TM_SYSTEM,
                   "%s: cannot load font: %s\n"
                   "  (install the Debian package " TM_FONT_PACKAGE ")",
                   path, ft_strerror(fe));
  }
  face = cairo_ft_font_face_create_for_ft_face(h->face, 0);
  if(cairo_font_face_status(face) != CAIRO_STATUS_SUCCESS ||
     cairo_font_face_set_user_data(face, &ft_key, h, ft_hold_free) !=
       CAIRO_STATUS_SUCCESS) {
    cairo_font_face_destroy(face);
    ft_hold_free(h);
    tm_oom();
  }
  f = tm_xcalloc(1, sizeof(*f));
  f->face = face;
  *out = f;
  return TM_OK;
}

cairo_font_face_t *tm_font_face(const struct tm_font *f)
{
  return f->face;
}

void tm_font_free(struct tm_font *f)
{
  if(!f)
    return;
  cairo_font_face_destroy(f->face);
  free(f);
}

enum tm_rc tm_painter_new(struct tm_painter **out, struct tm_error *err)
{
  struct tm_painter *p = tm_xcalloc(1, sizeof(*p));
  enum tm_rc rc;

  rc = tm_font_open(TM_FONT_BOLD, &p->bold, err);
  if(rc) {
    free(p);
    return rc;
  }
  p->opts = cairo_font_options_create();
  if(cairo_font_options_status(p->opts) != CAIRO_STATUS_SUCCESS)
    tm_oom();
  cairo_font_options_set_antialias(p->opts, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(p->opts, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(p->opts, CAIRO_HINT_METRICS_OFF);
  *out = p;
  return TM_OK;
}

void tm_painter_free(struct tm_painter *p)
{
  int i, k;

  if(!p)
    return;
  for(i = 0; i < p->n_bases; i++) {
    for(k = 0; k < TM_PIN_PHASES; k++) {
      tm_sprite_release(&p->bases[i].s[k][0]);
      tm_sprite_release(&p->bases[i].s[k][1]);
    }
  }
  cairo_font_options_destroy(p->opts);
  tm_font_free(p->bold);
  free(p);
}

enum tm_rc tm_pin_sprites_alloc(const struct tm_style *st, double pin_scale,
                                struct tm_pin_sprites **out,
                                struct tm_error *err)
{
  struct tm_pin_sprites *ps;

  if(!(pin_scale > 0 && pin_scale <= 8) || !(st->pin.width > 0) ||
     !(st->pin.height > 0) || !(st->pin.outline >= 0) ||
     st->pin.width > 512 || st->pin.height > 512 || st->pin.outline > 64)
    return tm_fail(err, TM_SYSTEM,
                   "pin size %gx%g (outline %g) at scale %g cannot be drawn",
                   st->pin.width, st->pin.height, st->pin.outline,
                   pin_scale);
  ps = tm_xcalloc(1, sizeof(*ps));
  ps->st = st;
  ps->scale = pin_scale;
  *out = ps;
  return TM_OK;
}

/* The shadow and outline are the same for every status, and are most of
 * the drawing (wide translucent strokes), so they are drawn once per
 * step and scale and copied under each status's face. cairo gives the
 * same pixels as drawing all of it in one go: the same operations on the
 * same pixels. */
void tm_pin_sprites_draw(struct tm_painter *p, struct tm_pin_sprites *ps,
                         int phase)
{
  const struct tm_style *st = ps->st;
  struct tm_sprite base = { 0 };
  int fx = phase % TM_SUBPIXEL, fy = phase / TM_SUBPIXEL;
  int left, up, w, h, dpr, s;

  pin_sprite_frame(st, ps->scale, &left, &up, &w, &h);
  for(dpr = 1; dpr <= 2; dpr++) {
    cairo_t *cr;

    sprite_alloc(&base, dpr * w, dpr * h, -dpr * left, -dpr * up);
    cr = pin_cairo(&base, dpr, left, up, fx, fy, ps->scale);
    pin_base(cr, &st->pin);
    sprite_done(cr);
    for(s = 0; s < TM_STATUS_COUNT; s++) {
      struct tm_sprite *out = &ps->s[s][phase][dpr - 1];

      sprite_copy(out, &base);
      cr = pin_cairo(out, dpr, left, up, fx, fy, ps->scale);
      pin_face(p, cr, st, (enum tm_status)s);
      sprite_done(cr);
    }
  }
  for(s = 0; s < TM_STATUS_COUNT; s++)
    sprite_pair_trim(&ps->s[s][phase][0], &ps->s[s][phase][1]);
  tm_sprite_release(&base);
  ps->drawn[phase] = true;
}

bool tm_pin_sprites_drawn(const struct tm_pin_sprites *ps, int phase)
{
  return ps->drawn[phase];
}

enum tm_rc tm_pin_sprites_new(struct tm_painter *p, const struct tm_style *st,
                              double pin_scale, struct tm_pin_sprites **out,
                              struct tm_error *err)
{
  enum tm_rc rc = tm_pin_sprites_alloc(st, pin_scale, out, err);
  int k;

  for(k = 0; !rc && k < TM_PIN_PHASES; k++)
    tm_pin_sprites_draw(p, *out, k);
  return rc;
}

const struct tm_sprite *tm_pin_sprite(const struct tm_pin_sprites *ps,
                                      enum tm_status s, int fx, int fy,
                                      int dpr)
{
  return &ps->s[s][fy * TM_SUBPIXEL + fx][dpr == 2];
}

double tm_pin_sprites_scale(const struct tm_pin_sprites *ps)
{
  return ps->scale;
}

void tm_pin_sprites_free(struct tm_pin_sprites *ps)
{
  int s, k;

  if(!ps)
    return;
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    for(k = 0; k < TM_PIN_PHASES; k++) {
      tm_sprite_release(&ps->s[s][k][0]);
      tm_sprite_release(&ps->s[s][k][1]);
    }
  }
  free(ps);
}

int tm_cluster_sprite_half(double radius)
{
  return (int)ceil(radius * 1.25) + 2;
}

static void cluster_sprite_alloc(struct tm_sprite *s, int dpr, int half)
{
  sprite_alloc(s, dpr * (2 * half + 1), dpr * (2 * half + 1), -dpr * half,
               -dpr * half);
}

/* A cairo context on s, 1 unit = 1 CSS px, with the symbol's centre at the
 * sprite's centre pixel plus the sub-pixel step (fx, fy). */
static cairo_t *cluster_cairo(struct tm_sprite *s, int dpr, int half, int fx,
                              int fy)
{
  cairo_t *cr = sprite_cairo(s);

  cairo_scale(cr, dpr, dpr);
  cairo_translate(cr, half + (double)fx / TM_SUBPIXEL,
                  half + (double)fy / TM_SUBPIXEL);
  return cr;
}

/* p's base for this radius at phase (step fx, fy), drawn now if p has not
 * drawn it yet; NULL once p holds MAX_CLUSTER_BASES other radii or the
 * base would take p past MAX_CLUSTER_BASE_BYTES. Each painter keeps its
 * own, so threads share nothing. */
static const struct cluster_base *cluster_base(struct tm_painter *p,
                                               bool shadow, double radius,
                                               int fx, int fy)
{
  int phase = fy * TM_SUBPIXEL + fx;
  struct cluster_base *b = NULL;
  int i, dpr;

  for(i = 0; i < p->n_bases && !b; i++) {
    if(p->bases[i].radius == radius && p->bases[i].shadow == shadow)
      b = &p->bases[i];
  }
  if(!b) {
    if(p->n_bases == MAX_CLUSTER_BASES)
      return NULL;
    b = &p->bases[p->n_bases++];
    b->radius = radius;
    b->shadow = shadow;
  }
  if(!b->drawn[phase]) {
    int half = tm_cluster_sprite_half(radius);
    size_t side = 2 * (size_t)half + 1;
    size_t bytes = 5 * side * side * sizeof(uint32_t);  /* 1x and @2x */

    if(bytes > MAX_CLUSTER_BASE_BYTES - p->base_bytes)
      return NULL;
    p->base_bytes += bytes;
    for(dpr = 1; dpr <= 2; dpr++) {
      struct tm_sprite *s = &b->s[phase][dpr - 1];
      cairo_t *cr;

      cluster_sprite_alloc(s, dpr, half);
      cr = cluster_cairo(s, dpr, half, fx, fy);
      cluster_base_draw(cr, shadow, radius);
      sprite_done(cr);
    }
    b->drawn[phase] = true;
  }
  return b;
}

/* The base is copied, not drawn: the same operations on the same pixels,
 * so the same result as drawing the whole symbol (as for pins). */
void tm_render_cluster(struct tm_painter *p, const struct tm_style *st,
                       const size_t counts[TM_STATUS_COUNT], double radius,
                       int fx, int fy, struct tm_sprite *out1,
                       struct tm_sprite *out2)
{
  struct tm_sprite *out[2] = { out1, out2 };
  int half = tm_cluster_sprite_half(radius);
  const struct cluster_base *b = NULL;
  int dpr;

  if(fx >= 0 && fx < TM_SUBPIXEL && fy >= 0 && fy < TM_SUBPIXEL)
    b = cluster_base(p, st->pin.shadow, radius, fx, fy);
  for(dpr = 1; dpr <= 2; dpr++) {
    struct tm_sprite *s = out[dpr - 1];
    cairo_t *cr;

    if(b)
      sprite_copy(s, &b->s[fy * TM_SUBPIXEL + fx][dpr - 1]);
    else
      cluster_sprite_alloc(s, dpr, half);
    cr = cluster_cairo(s, dpr, half, fx, fy);
    if(!b)
      cluster_base_draw(cr, st->pin.shadow, radius);
    cluster_face_draw(p, cr, st, counts, radius);
    sprite_done(cr);
  }
  sprite_pair_trim(out1, out2);
}

void tm_sprite_release(struct tm_sprite *s)
{
  free(s->px);
  memset(s, 0, sizeof(*s));
}

void tm_canvas_init(struct tm_canvas *c, uint32_t *px, int w, int h,
                    int64_t gx, int64_t gy)
{
  c->px = px;
  c->w = w;
  c->h = h;
  c->gx = gx;
  c->gy = gy;
  c->dx0 = w;
  c->dy0 = h;
  c->dx1 = c->dy1 = 0;
  c->inked = false;
}

void tm_canvas_clear(struct tm_canvas *c)
{
  int y;

  if(c->dx0 < c->dx1) {
    for(y = c->dy0; y < c->dy1; y++)
      memset(c->px + (size_t)y * (size_t)c->w + c->dx0, 0,
             (size_t)(c->dx1 - c->dx0) * sizeof(uint32_t));
  }
  c->dx0 = c->w;
  c->dy0 = c->h;
  c->dx1 = c->dy1 = 0;
  c->inked = false;
}

/* Whether the w x h pixels of s from (sx, sy) hold any ink. */
static bool sprite_has_ink(const struct tm_sprite *s, int sx, int sy, int w,
                           int h)
{
  int x, y;

  for(y = sy; y < sy + h; y++) {
    const uint32_t *row = s->px + (size_t)y * (size_t)s->w;

    for(x = sx; x < sx + w; x++)
      if(row[x] >> 24)
        return true;
  }
  return false;
}

/* pixman's OVER rounds each channel exactly as cairo does (x * a / 255 to
 * nearest), with SIMD code paths; the images are made for each call, not
 * kept with the sprite, because pixman records what it learns about an
 * image in the image, and sprites are read by several threads at once.
 * Measured on 10^6 points at z0-12 (thousands of pins per tile at z9-12,
 * 2 cores): the tile stage took 33.5 s instead of 42 s with a plain C
 * loop, for identical tiles. */
void tm_render_composite(struct tm_canvas *c, const struct tm_sprite *s,
                         int64_t ax, int64_t ay)
{
  /* The sprite's inked box, in canvas pixels, clipped to the canvas. */
  int64_t left = ax + s->ox + s->bx0 - c->gx;
  int64_t top = ay + s->oy + s->by0 - c->gy;
  int64_t right = ax + s->ox + s->bx1 - c->gx;
  int64_t bottom = ay + s->oy + s->by1 - c->gy;
  pixman_image_t *src, *dst;
  int x0, y0, x1, y1, sx, sy;

  if(s->bx0 >= s->bx1 || right <= 0 || bottom <= 0 || left >= c->w ||
     top >= c->h)
    return;
  x0 = left < 0 ? 0 : (int)left;
  y0 = top < 0 ? 0 : (int)top;
  x1 = right > c->w ? c->w : (int)right;
  y1 = bottom > c->h ? c->h : (int)bottom;
  /* The sprite pixel under canvas pixel (x0, y0). */
  sx = (int)(x0 + c->gx - ax - s->ox);
  sy = (int)(y0 + c->gy - ay - s->oy);
  /* The inked box has ink by definition; only a clipped part of it may
   * have none, and then the canvas must not count as inked (blank tiles
   * are not written). */
  if((x0 != left || y0 != top || x1 != right || y1 != bottom) &&
     !sprite_has_ink(s, sx, sy, x1 - x0, y1 - y0))
    return;

  src = pixman_image_create_bits_no_clear(PIXMAN_a8r8g8b8, s->w, s->h,
                                          s->px, s->w * 4);
  dst = pixman_image_create_bits_no_clear(PIXMAN_a8r8g8b8, c->w, c->h,
                                          c->px, c->w * 4);
  if(!src || !dst)
    tm_oom();
  pixman_image_composite32(PIXMAN_OP_OVER, src, NULL, dst, sx, sy, 0, 0, x0,
                           y0, x1 - x0, y1 - y0);
  pixman_image_unref(src);
  pixman_image_unref(dst);

  c->inked = true;
  if(x0 < c->dx0)
    c->dx0 = x0;
  if(y0 < c->dy0)
    c->dy0 = y0;
  if(x1 > c->dx1)
    c->dx1 = x1;
  if(y1 > c->dy1)
    c->dy1 = y1;
}
