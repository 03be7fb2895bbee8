/* legend.c - the pin key at 1x and @2x (see legend.h).
 *
 * The layout is computed once in CSS pixels, with unhinted text metrics so
 * that it does not depend on the scale, and rounded to whole CSS pixels;
 * each scale then draws the same layout into a surface of exactly scale
 * times the size. Glyph outlines are hinted lightly at each scale, which
 * keeps small text crisp.
 */
#include <math.h>
#include <stdlib.h>

#include <cairo.h>

#include "encode.h"
#include "legend.h"
#include "render.h"

#define PAD 10.0          /* inside the box */
#define GAP 8.0           /* between symbol and label */
#define FONT_SIZE 13.0
#define CORNER 6.0
#define CLUSTER_TEXT "Pins close together: zoom in to see them"

struct layout {
  int width, height;      /* CSS px */
  double symbol_w;        /* width of the symbol column */
  double row_h;
  int rows;
  double baseline_shift;  /* from a row's middle to the text baseline */
};

static void set_text_font(cairo_t *cr, struct tm_font *font)
{
  cairo_font_options_t *fo = cairo_font_options_create();

  cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_set_font_options(cr, fo);
  cairo_font_options_destroy(fo);
  cairo_set_font_face(cr, tm_font_face(font));
  cairo_set_font_size(cr, FONT_SIZE);
}

static const size_t sample_counts[TM_STATUS_COUNT] = { 3, 2, 1, 1 };

static double sample_radius(const struct tm_style *st)
{
  /* Smaller than on the map, so the row is not much taller than a pin. */
  return 0.8 * (st->pin.width / 2 * 1.25 + st->pin.outline);
}

static const char *row_label(const struct tm_style *st, int i)
{
  if(i < TM_STATUS_COUNT)
    return st->status[i].label ? st->status[i].label : "";
  return CLUSTER_TEXT;
}

static void compute_layout(const struct tm_style *st, struct tm_font *font,
                           struct layout *l)
{
  cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
                                                     1, 1);
  cairo_t *cr = cairo_create(surf);
  cairo_font_extents_t fe;
  double text_w = 0, pin_w, pin_h;
  int i;

  l->rows = TM_STATUS_COUNT + (st->cluster.enabled ? 1 : 0);
  set_text_font(cr, font);
  cairo_font_extents(cr, &fe);
  for(i = 0; i < l->rows; i++) {
    cairo_text_extents_t te;

    cairo_text_extents(cr, row_label(st, i), &te);
    if(te.x_advance > text_w)
      text_w = te.x_advance;
  }
  pin_w = st->pin.width + 2 * st->pin.outline +
          (st->pin.shadow ? 0.4 * st->pin.width : 0);
  pin_h = st->pin.height + 2 * st->pin.outline +
          (st->pin.shadow ? 0.2 * st->pin.width : 0);
  l->symbol_w = ceil(pin_w);
  l->row_h = ceil(pin_h + 4 > fe.height + 6 ? pin_h + 4 : fe.height + 6);
  if(st->cluster.enabled && 2 * sample_radius(st) + 4 > l->symbol_w)
    l->symbol_w = ceil(2 * sample_radius(st) + 4);
  l->baseline_shift = (fe.ascent - fe.descent) / 2;
  l->width = (int)ceil(PAD + l->symbol_w + GAP + text_w + PAD);
  l->height = (int)ceil(2 * PAD + l->row_h * l->rows);
  cairo_destroy(cr);
  cairo_surface_destroy(surf);
}

static void rounded_box(cairo_t *cr, double x, double y, double w, double h,
                        double r)
{
  cairo_new_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
  cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path(cr);
}

static void draw_legend(cairo_t *cr, const struct tm_style *st,
                        struct tm_painter *painter, struct tm_font *font,
                        const struct layout *l)
{
  double cx = PAD + l->symbol_w / 2;
  int i;

  /* The box: white, with a faint border on the half-pixel so the 1 px
   * line is crisp. */
  rounded_box(cr, 0.5, 0.5, l->width - 1, l->height - 1, CORNER);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_fill_preserve(cr);
  cairo_set_source_rgba(cr, 0, 0, 0, 0.25);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);

  for(i = 0; i < l->rows; i++) {
    double mid = PAD + l->row_h * i + l->row_h / 2;

    cairo_save(cr);
    if(i < TM_STATUS_COUNT) {
      /* The pin's middle (tip to head top) on the row's middle. */
      cairo_translate(cr, cx, mid + st->pin.height / 2);
      tm_render_pin_path(painter, cr, st, (enum tm_status)i);
    }
    else {
      cairo_translate(cr, cx, mid);
      tm_render_cluster_path(painter, cr, st, sample_counts,
                             sample_radius(st));
    }
    cairo_restore(cr);

    set_text_font(cr, font);
    cairo_set_source_rgb(cr, 0.13, 0.13, 0.13);
    cairo_move_to(cr, PAD + l->symbol_w + GAP, mid + l->baseline_shift);
    cairo_show_text(cr, row_label(st, i));
  }
}

static enum tm_rc write_scale(const struct tm_style *st,
                              struct tm_painter *painter,
                              struct tm_font *font, const struct layout *l,
                              int scale, const char *path,
                              struct tm_error *err)
{
  cairo_surface_t *surf;
  cairo_t *cr;
  struct tm_encoder *enc;
  struct tm_image img;
  enum tm_rc rc;

  surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, l->width * scale,
                                    l->height * scale);
  cr = cairo_create(surf);
  if(cairo_status(cr) != CAIRO_STATUS_SUCCESS)
    tm_oom();
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_GRAY);
  cairo_scale(cr, scale, scale);
  draw_legend(cr, st, painter, font, l);
  cairo_destroy(cr);
  cairo_surface_flush(surf);

  img.px = (const uint32_t *)cairo_image_surface_get_data(surf);
  img.width = l->width * scale;
  img.height = l->height * scale;
  img.stride = cairo_image_surface_get_stride(surf) / 4;
  img.x0 = img.y0 = 0;
  img.x1 = img.width;
  img.y1 = img.height;
  enc = tm_encoder_new();
  rc = tm_encode_write(enc, &img, path, NULL, err);
  tm_encoder_free(enc);
  cairo_surface_destroy(surf);
  return rc;
}

enum tm_rc tm_legend_write(const struct tm_style *st, const char *outdir,
                           struct tm_error *err)
{
  struct tm_painter *painter = NULL;
  struct tm_font *font = NULL;
  struct layout l;
  char *path = NULL;
  enum tm_rc rc;

  rc = tm_font_open(TM_FONT_REGULAR, &font, err);
  if(!rc)
    rc = tm_painter_new(&painter, err);
  if(rc)
    goto done;
  compute_layout(st, font, &l);
  path = tm_xasprintf("%s/legend.png", outdir);
  rc = write_scale(st, painter, font, &l, 1, path, err);
  free(path);
  path = NULL;
  if(rc)
    goto done;
  path = tm_xasprintf("%s/legend@2x.png", outdir);
  rc = write_scale(st, painter, font, &l, 2, path, err);

done:
  free(path);
  tm_painter_free(painter);
  tm_font_free(font);
  return rc;
}
