/* render.h - stage 4b: draw pins and cluster symbols (the only user of
 * cairo besides legend.c).
 *
 * Drawing happens once per shape, into small "sprites": premultiplied
 * ARGB32 pixel blocks (cairo's format, native-endian 0xAARRGGBB) that are
 * then copied over tiles with tm_render_composite(). A sprite is drawn
 * with its anchor point at a sub-pixel step (see tileplan.h) and placed at
 * whole pixels, so a pin is exactly the same pixels in every tile it
 * touches and stitched tiles equal one large canvas.
 *
 * Every sprite comes as a pair, 1x and @2x, drawn separately at each
 * scale (never resized). The pair is trimmed so that both cover exactly
 * the same 1x pixels: pixels that the other scale leaves empty are cleared
 * (their coverage is below 1/255 in both, so nothing visible changes). So
 * a tile is blank at 1x exactly when it is blank at @2x.
 *
 * Text (the question mark, cluster counts) uses DejaVu Sans Bold, loaded
 * from its file with FreeType (no fontconfig lookup), drawn as outlines
 * without hinting: the same font file gives the same pixels everywhere.
 *
 * Threads: a struct tm_painter holds one FreeType face and may be used by
 * one thread at a time; make one per thread. Sprites are plain memory and
 * may be read by any number of threads.
 */
#ifndef TM_RENDER_H
#define TM_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "model.h"
#include "style.h"
#include "tileplan.h"

#define TM_FONT_DIR "/usr/share/fonts/truetype/dejavu/"
#define TM_FONT_REGULAR TM_FONT_DIR "DejaVuSans.ttf"
#define TM_FONT_BOLD TM_FONT_DIR "DejaVuSans-Bold.ttf"
#define TM_FONT_PACKAGE "fonts-dejavu-core"

/* cairo types, declared without including cairo.h (cairo_t and
 * cairo_font_face_t are these structs). */
struct _cairo;
struct _cairo_font_face;

struct tm_sprite {
  uint32_t *px;          /* owned; w * h premultiplied ARGB32 */
  size_t cap;            /* pixels allocated in px */
  int w, h;
  int ox, oy;            /* top-left pixel, relative to the anchor pixel */
  int bx0, by0, bx1, by1; /* box of pixels with alpha > 0, in sprite
                            pixels, exclusive ends; empty if bx0 >= bx1 */
};

/* A canvas: a window of the global pixel grid at one scale. */
struct tm_canvas {
  uint32_t *px;          /* borrowed; w * h premultiplied ARGB32 */
  int w, h;
  int64_t gx, gy;        /* global pixel of px[0] */
  int dx0, dy0, dx1, dy1; /* box written so far (exclusive ends) */
  bool inked;            /* some pixel with alpha > 0 was written */
};

/* A painter: fonts and scratch space for drawing sprites. */
struct tm_painter;

/* A loaded font for cairo, owning its FreeType library and face. */
struct tm_font;

/* Loads the font file at path. A missing or unreadable file is TM_SYSTEM
 * with a message naming the path and the Debian package to install. */
enum tm_rc tm_font_open(const char *path, struct tm_font **out,
                        struct tm_error *err) TM_MUST_CHECK;
/* Borrowed cairo font face; lives as long as the font. */
struct _cairo_font_face *tm_font_face(const struct tm_font *f);
void tm_font_free(struct tm_font *f);

enum tm_rc tm_painter_new(struct tm_painter **out,
                          struct tm_error *err) TM_MUST_CHECK;
void tm_painter_free(struct tm_painter *p);

/* Draws one pin with its tip at (0, 0) in cr's user space, 1 unit = 1 CSS
 * pixel at pin_scale 1 (the caller scales for pin_scale and @2x). Used for
 * sprites and by legend.c. */
void tm_render_pin_path(struct tm_painter *p, struct _cairo *cr,
                        const struct tm_style *st, enum tm_status s);

/* Draws a cluster symbol centred on (0, 0) in cr's user space (1 unit = 1
 * CSS px); see tm_render_cluster(). Used by legend.c. */
void tm_render_cluster_path(struct tm_painter *p, struct _cairo *cr,
                            const struct tm_style *st,
                            const size_t counts[TM_STATUS_COUNT],
                            double radius);

/* The pin sprites for one pin_scale: every status at every sub-pixel step
 * (TM_PIN_PHASES of them), at 1x and @2x. */
struct tm_pin_sprites;

#define TM_PIN_PHASES (TM_SUBPIXEL * TM_SUBPIXEL)

/* Draws all of them with one painter. */
enum tm_rc tm_pin_sprites_new(struct tm_painter *p, const struct tm_style *st,
                              double pin_scale, struct tm_pin_sprites **out,
                              struct tm_error *err) TM_MUST_CHECK;
/* Or in parts, on several threads: an empty set (st is borrowed, and must
 * outlive it), then tm_pin_sprites_draw() once for each phase 0 ..
 * TM_PIN_PHASES-1 that is needed, from any thread with its own painter.
 * The phase is fy * TM_SUBPIXEL + fx. */
enum tm_rc tm_pin_sprites_alloc(const struct tm_style *st, double pin_scale,
                                struct tm_pin_sprites **out,
                                struct tm_error *err) TM_MUST_CHECK;
void tm_pin_sprites_draw(struct tm_painter *p, struct tm_pin_sprites *ps,
                         int phase);
/* Whether tm_pin_sprites_draw() has drawn this phase; until it has, the
 * phase's sprites are empty. */
bool tm_pin_sprites_drawn(const struct tm_pin_sprites *ps, int phase);
/* dpr is 1 or 2; fx, fy in 0..TM_SUBPIXEL-1. */
const struct tm_sprite *tm_pin_sprite(const struct tm_pin_sprites *ps,
                                      enum tm_status s, int fx, int fy,
                                      int dpr);
double tm_pin_sprites_scale(const struct tm_pin_sprites *ps);
void tm_pin_sprites_free(struct tm_pin_sprites *ps);

/* Draws a cluster symbol centred on the anchor's sub-pixel step into
 * out1 (1x) and out2 (@2x), reusing their buffers: a ring of arcs in the
 * status colours, proportional to counts, around a white disc with the
 * total. radius is the symbol's outer radius in CSS px (cluster.h). */
void tm_render_cluster(struct tm_painter *p, const struct tm_style *st,
                       const size_t counts[TM_STATUS_COUNT], double radius,
                       int fx, int fy, struct tm_sprite *out1,
                       struct tm_sprite *out2);

/* How far a cluster sprite reaches from its centre pixel at 1x, in
 * pixels: it is 2 * half + 1 pixels square (twice that at @2x). */
int tm_cluster_sprite_half(double radius);

/* Frees a sprite's pixels (the struct itself belongs to the caller). */
void tm_sprite_release(struct tm_sprite *s);

/* Starts a canvas over px (which must be all zero). */
void tm_canvas_init(struct tm_canvas *c, uint32_t *px, int w, int h,
                    int64_t gx, int64_t gy);
/* Zeroes what was written, so the buffer can start another canvas. */
void tm_canvas_clear(struct tm_canvas *c);

/* Copies sprite s over the canvas (Porter-Duff OVER), with its anchor
 * pixel at global pixel (ax, ay) of the canvas's scale. */
void tm_render_composite(struct tm_canvas *c, const struct tm_sprite *s,
                         int64_t ax, int64_t ay);

#endif /* TM_RENDER_H */
