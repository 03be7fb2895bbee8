/* chart.c - chart.png: one panel per nation, one bar per status.
 *
 * Bars share one scale across nations, so England's bars are visibly
 * longer than Wales's: the chart compares nations honestly rather than
 * filling each panel. A thin dark tick marks the previous round's count,
 * and the number beside each bar says the change, so the picture does not
 * rely on colour or on the tick alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>

#include "chart.h"
#include "encode.h"
#include "render.h"

#define WIDTH 720          /* CSS px; the file is drawn at SCALE */
#define SCALE 2
#define PAD 24
#define TITLE_H 64
#define NATION_H 30
#define BAR_H 22
#define BAR_GAP 8
#define PANEL_GAP 18
#define LABEL_W 300
#define NUMBER_W 90

struct nation_row {
  const char *nation;
  size_t now[TM_STATUS_COUNT];
  size_t before[TM_STATUS_COUNT];
  bool any;
};

static const char *const nations[] = {
  TM_NATION_ENGLAND, TM_NATION_WALES, TM_NATION_SCOTLAND,
  TM_NATION_NORTHERN_IRELAND
};

static int nation_index(const char *nation)
{
  size_t i;

  for(i = 0; i < TM_ARRAY_LEN(nations); i++)
    if(!strcmp(nation, nations[i]))
      return (int)i;
  return -1;
}

static void set_rgb(cairo_t *cr, const struct tm_rgb *c)
{
  cairo_set_source_rgb(cr, c->r / 255.0, c->g / 255.0, c->b / 255.0);
}

static void text_at(cairo_t *cr, double x, double y, double size,
                    const char *s)
{
  cairo_set_font_size(cr, size);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, s);
}

static void draw(cairo_t *cr, const struct nation_row *rows, size_t nrows,
                 bool has_previous, const struct tm_style *st,
                 const char *round, const char *prev_round, int height)
{
  const double bar_x = PAD + LABEL_W;
  const double bar_w = WIDTH - PAD - NUMBER_W - bar_x;
  size_t max = 1, i;
  double y = PAD + TITLE_H;
  char buf[160];
  int s;

  for(i = 0; i < nrows; i++)
    for(s = 0; s < TM_STATUS_COUNT; s++) {
      if(rows[i].now[s] > max)
        max = rows[i].now[s];
      if(has_previous && rows[i].before[s] > max)
        max = rows[i].before[s];
    }

  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, 0, 0, WIDTH, height);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  text_at(cr, PAD, PAD + 22, 22, st->title);
  snprintf(buf, sizeof(buf), "Trusts and health boards by FOI answer, "
           "round %s%s%s", round[0] ? round : "(not named)",
           has_previous ? "; tick: round " : "",
           has_previous ? (prev_round[0] ? prev_round : "before") : "");
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  text_at(cr, PAD, PAD + 48, 14, buf);

  for(i = 0; i < nrows; i++) {
    const struct nation_row *r = &rows[i];

    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text_at(cr, PAD, y + 20, 17, r->nation);
    y += NATION_H;
    for(s = 0; s < TM_STATUS_COUNT; s++) {
      const struct tm_status_style *ss = &st->status[s];
      double w = bar_w * (double)r->now[s] / (double)max;

      cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
      text_at(cr, PAD, y + 16, 13, ss->label);
      set_rgb(cr, &ss->rgb);
      cairo_rectangle(cr, bar_x, y, w, BAR_H);
      cairo_fill(cr);
      if(has_previous) {
        double px = bar_x + bar_w * (double)r->before[s] / (double)max;

        cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
        cairo_rectangle(cr, px - 1.5, y - 3, 3, BAR_H + 6);
        cairo_fill(cr);
      }
      if(has_previous && r->now[s] != r->before[s])
        snprintf(buf, sizeof(buf), "%zu (%s%zu)", r->now[s],
                 r->now[s] > r->before[s] ? "+" : "-",
                 r->now[s] > r->before[s] ? r->now[s] - r->before[s]
                                          : r->before[s] - r->now[s]);
      else
        snprintf(buf, sizeof(buf), "%zu", r->now[s]);
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
      /* After the bar or the tick, whichever ends further right. */
      text_at(cr, bar_x + 8 + (has_previous && r->before[s] > r->now[s]
                                 ? bar_w * (double)r->before[s] /
                                     (double)max
                                 : w), y + 16, 14, buf);
      y += BAR_H + BAR_GAP;
    }
    y += PANEL_GAP;
  }
  cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
  text_at(cr, PAD, height - PAD / 2.0, 11, st->attribution);
}

enum tm_rc tm_chart_write(const struct tm_trusts *trusts,
                          const struct tm_previous *previous,
                          const struct tm_style *st, const char *round,
                          const char *outdir, struct tm_error *err)
{
  struct nation_row rows[TM_ARRAY_LEN(nations)];
  struct nation_row shown[TM_ARRAY_LEN(nations)];
  struct tm_font *font = NULL;
  struct tm_encoder *enc;
  struct tm_image img;
  cairo_surface_t *surf;
  cairo_t *cr;
  size_t i, n = 0;
  int height;
  char *path;
  enum tm_rc rc;

  memset(rows, 0, sizeof(rows));
  for(i = 0; i < TM_ARRAY_LEN(nations); i++)
    rows[i].nation = nations[i];
  /* Trusts of a nation spelled otherwise are counted in the report, not
   * here: the chart keeps to the four nations. */
  for(i = 0; i < trusts->n; i++) {
    int k = nation_index(trusts->v[i].nation);

    if(k >= 0) {
      rows[k].now[trusts->v[i].status]++;
      rows[k].any = true;
    }
  }
  for(i = 0; previous && i < previous->n; i++) {
    int k = nation_index(previous->v[i].nation);

    if(k >= 0) {
      rows[k].before[previous->v[i].status]++;
      rows[k].any = true;
    }
  }
  for(i = 0; i < TM_ARRAY_LEN(nations); i++)
    if(rows[i].any)
      shown[n++] = rows[i];

  height = PAD + TITLE_H +
           (int)n * (NATION_H + TM_STATUS_COUNT * (BAR_H + BAR_GAP) +
                     PANEL_GAP) + PAD;
  rc = tm_font_open(TM_FONT_REGULAR, &font, err);
  if(rc)
    return rc;
  surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, WIDTH * SCALE,
                                    height * SCALE);
  cr = cairo_create(surf);
  if(cairo_status(cr) != CAIRO_STATUS_SUCCESS)
    tm_oom();
  cairo_scale(cr, SCALE, SCALE);
  cairo_set_font_face(cr, tm_font_face(font));
  draw(cr, shown, n, previous != NULL, st, round,
       previous ? previous->round : "", height);
  cairo_destroy(cr);
  cairo_surface_flush(surf);

  img.px = (const uint32_t *)cairo_image_surface_get_data(surf);
  img.width = WIDTH * SCALE;
  img.height = height * SCALE;
  img.stride = cairo_image_surface_get_stride(surf) / 4;
  img.x0 = img.y0 = 0;
  img.x1 = img.width;
  img.y1 = img.height;
  path = tm_xasprintf("%s/chart.png", outdir);
  enc = tm_encoder_new();
  rc = tm_encode_write(enc, &img, path, NULL, err);
  tm_encoder_free(enc);
  free(path);
  cairo_surface_destroy(surf);
  tm_font_free(font);
  return rc;
}
