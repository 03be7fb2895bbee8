/* tileplan.c - stage 4b: Web Mercator arithmetic and which XYZ tiles a pin
 * touches.
 *
 * The formulas are the spherical ("pseudo") Mercator of EPSG:3857 and the
 * OSM "slippy map" tile numbering, y counted from the north. Everything
 * here is pure, so the unit tests check it against published values.
 */
#include <math.h>

#include "tileplan.h"

#define DEG (M_PI / 180.0)

/* floor(a / b) for b > 0, also for negative a. */
static int64_t floor_div(int64_t a, int64_t b)
{
  int64_t q = a / b;

  return (a % b != 0 && a < 0) ? q - 1 : q;
}

static int clamp_int(double v, int lo, int hi)
{
  if(!(v >= lo))    /* also NaN */
    return lo;
  if(v > hi)
    return hi;
  return (int)v;
}

void tm_merc_from_lonlat(double lon, double lat, double *mx, double *my)
{
  if(lat > TM_LAT_MAX)
    lat = TM_LAT_MAX;
  else if(lat < -TM_LAT_MAX)
    lat = -TM_LAT_MAX;
  *mx = TM_EARTH_RADIUS * lon * DEG;
  *my = TM_EARTH_RADIUS * log(tan(M_PI / 4 + lat * DEG / 2));
}

void tm_merc_to_lonlat(double mx, double my, double *lon, double *lat)
{
  *lon = mx / TM_EARTH_RADIUS / DEG;
  *lat = (2 * atan(exp(my / TM_EARTH_RADIUS)) - M_PI / 2) / DEG;
}

double tm_world_px(int z)
{
  return ldexp(TM_TILE_SIZE, z);
}

void tm_merc_to_px(double mx, double my, int z, double *px, double *py)
{
  double w = tm_world_px(z);

  *px = (mx + TM_MERC_HALF) / (2 * TM_MERC_HALF) * w;
  *py = (TM_MERC_HALF - my) / (2 * TM_MERC_HALF) * w;
}

void tm_px_to_merc(double px, double py, int z, double *mx, double *my)
{
  double w = tm_world_px(z);

  *mx = px / w * (2 * TM_MERC_HALF) - TM_MERC_HALF;
  *my = TM_MERC_HALF - py / w * (2 * TM_MERC_HALF);
}

struct tm_tile tm_tile_at(double lon, double lat, int z)
{
  struct tm_tile t;
  double mx, my, px, py;
  int last = (1 << z) - 1;

  tm_merc_from_lonlat(lon, lat, &mx, &my);
  tm_merc_to_px(mx, my, z, &px, &py);
  t.z = z;
  t.x = clamp_int(floor(px / TM_TILE_SIZE), 0, last);
  t.y = clamp_int(floor(py / TM_TILE_SIZE), 0, last);
  return t;
}

void tm_tile_bounds(int z, int x, int y, double *west, double *south,
                    double *east, double *north)
{
  double mx, my;

  tm_px_to_merc((double)x * TM_TILE_SIZE, (double)y * TM_TILE_SIZE, z,
                &mx, &my);
  tm_merc_to_lonlat(mx, my, west, north);
  tm_px_to_merc((double)(x + 1) * TM_TILE_SIZE,
                (double)(y + 1) * TM_TILE_SIZE, z, &mx, &my);
  tm_merc_to_lonlat(mx, my, east, south);
}

bool tm_tileplan_range(int z, double left, double top, double right,
                       double bottom, struct tm_tile_range *out)
{
  double w = tm_world_px(z);
  int last = (1 << z) - 1;

  if(!(right > 0 && bottom > 0 && left < w && top < w && left < right &&
       top < bottom))
    return false;
  out->z = z;
  out->x0 = clamp_int(floor(left / TM_TILE_SIZE), 0, last);
  out->y0 = clamp_int(floor(top / TM_TILE_SIZE), 0, last);
  /* [left, right) is half-open: a box ending exactly on a tile edge does
   * not touch the next tile. */
  out->x1 = clamp_int(ceil(right / TM_TILE_SIZE) - 1, 0, last);
  out->y1 = clamp_int(ceil(bottom / TM_TILE_SIZE) - 1, 0, last);
  return true;
}

struct tm_anchor tm_tileplan_anchor(double mx, double my, int z)
{
  struct tm_anchor a;
  double px, py;
  int64_t qx, qy;

  tm_merc_to_px(mx, my, z, &px, &py);
  qx = llround(px * TM_SUBPIXEL);
  qy = llround(py * TM_SUBPIXEL);
  a.x = floor_div(qx, TM_SUBPIXEL);
  a.y = floor_div(qy, TM_SUBPIXEL);
  a.fx = (int)(qx - a.x * TM_SUBPIXEL);
  a.fy = (int)(qy - a.y * TM_SUBPIXEL);
  return a;
}

void tm_tileplan_pin_box(const struct tm_pin_style *ps, double pin_scale,
                         struct tm_pin_box *out)
{
  /* render.c draws the head (radius width/2), the tip (height below the
   * head's top) and a white outline around both; the shadow stays within
   * 0.2 * width of that outline. One more pixel holds anti-aliasing. */
  double half = ps->width / 2 + ps->outline;
  double shadow = ps->shadow ? 0.2 * ps->width : 0;

  out->left = out->right = (half + shadow) * pin_scale + 1;
  out->up = (ps->height + ps->outline + shadow) * pin_scale + 1;
  out->down = (ps->outline + shadow) * pin_scale + 1;
}

bool tm_tileplan_pin_tiles(double mx, double my, int z,
                           const struct tm_pin_box *box,
                           struct tm_tile_range *out)
{
  double px, py;

  tm_merc_to_px(mx, my, z, &px, &py);
  return tm_tileplan_range(z, px - box->left, py - box->up,
                           px + box->right, py + box->down, out);
}
