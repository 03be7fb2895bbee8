/* tileplan.h - stage 4b: Web Mercator arithmetic and which XYZ tiles a pin
 * touches (pure math, no I/O, no allocation).
 *
 * Coordinates:
 *   lon/lat  WGS84 degrees;
 *   mx/my    EPSG:3857 metres, x east, y north, +-TM_MERC_HALF at the edge;
 *   px/py    "global pixels" at zoom z and 1x: 0..256 * 2^z, x east,
 *            y SOUTH (from the north edge of the world), as XYZ tiles count;
 *   tile     z/x/y with 256 px tiles, y from the north (XYZ, not TMS).
 * @2x tiles cover the same ground as 1x tiles with twice the pixels, so a
 * 1x global pixel (px, py) is (2px, 2py) on the @2x canvas.
 *
 * Pins are placed on a 1/TM_SUBPIXEL pixel grid (tm_tileplan_anchor), so a
 * pin's tip is within 1/(2 * TM_SUBPIXEL) px of its projected point at 1x,
 * and its drawing is made of whole-pixel copies of pre-drawn sprites: the
 * same pin is the same pixels in every tile it touches.
 */
#ifndef TM_TILEPLAN_H
#define TM_TILEPLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "style.h"

#define TM_TILE_SIZE 256
#define TM_ZOOM_MAX 22
#define TM_SUBPIXEL 4                       /* placement steps per pixel */
#define TM_EARTH_RADIUS 6378137.0           /* EPSG:3857 sphere, metres */
#define TM_MERC_HALF 20037508.342789244     /* pi * TM_EARTH_RADIUS */
#define TM_LAT_MAX 85.0511287798066         /* latitude at my = TM_MERC_HALF */

struct tm_tile {
  int z, x, y;
};

/* Tiles x0..x1, y0..y1 (inclusive) at zoom z. */
struct tm_tile_range {
  int z, x0, y0, x1, y1;
};

/* A point snapped to the placement grid: the whole pixel (x, y) at 1x that
 * holds it, and the sub-pixel step (fx, fy) in 0..TM_SUBPIXEL-1 within it,
 * so the point is at x + fx / TM_SUBPIXEL. On the @2x canvas the same point
 * is at 2x + 2fx / TM_SUBPIXEL. */
struct tm_anchor {
  int64_t x, y;
  int fx, fy;
};

/* How far a pin reaches from its tip, in 1x pixels at pin_scale: a box that
 * holds every pixel render.c draws for the pin (head, outline, shadow). */
struct tm_pin_box {
  double left, right, up, down;
};

void tm_merc_from_lonlat(double lon, double lat, double *mx, double *my);
void tm_merc_to_lonlat(double mx, double my, double *lon, double *lat);

/* Width (and height) of the world in 1x pixels at zoom z: 256 * 2^z. */
double tm_world_px(int z);

void tm_merc_to_px(double mx, double my, int z, double *px, double *py);
void tm_px_to_merc(double px, double py, int z, double *mx, double *my);

/* The tile that holds lon/lat at zoom z (clamped to the world). */
struct tm_tile tm_tile_at(double lon, double lat, int z);

/* The tile's edges in degrees. */
void tm_tile_bounds(int z, int x, int y, double *west, double *south,
                    double *east, double *north);

/* Tiles touched by the 1x pixel box [left, right) x [top, bottom) at zoom
 * z, clipped to the world. Returns false when nothing is left. */
bool tm_tileplan_range(int z, double left, double top, double right,
                       double bottom, struct tm_tile_range *out);

/* Snaps a Web Mercator point to the placement grid at zoom z. */
struct tm_anchor tm_tileplan_anchor(double mx, double my, int z);

/* The reach of a pin drawn with style ps at pin_scale (1 = full size). */
void tm_tileplan_pin_box(const struct tm_pin_style *ps, double pin_scale,
                         struct tm_pin_box *out);

/* Tiles touched by a pin whose tip is at mx/my, at zoom z. */
bool tm_tileplan_pin_tiles(double mx, double my, int z,
                           const struct tm_pin_box *box,
                           struct tm_tile_range *out);

#endif /* TM_TILEPLAN_H */
