/* reproject.c - stage 3: every site's source coordinates -> WGS84 and Web
 * Mercator through PROJ.
 *
 * Points are gathered per source CRS and transformed with one
 * proj_trans_generic() call per CRS, not point by point. PROJ's own log is
 * captured so nothing is printed; its last message goes into our error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proj.h>

#include "reproject.h"

struct proj_log {
  char last[256];
};

static void on_proj_log(void *data, int level, const char *msg)
{
  struct proj_log *log = data;

  if(level <= PJ_LOG_ERROR)
    snprintf(log->last, sizeof(log->last), "%s", msg);
}

static bool in_uk(double lon, double lat)
{
  return lon >= TM_UK_WEST && lon <= TM_UK_EAST && lat >= TM_UK_SOUTH &&
         lat <= TM_UK_NORTH;
}

static const char *slot_text(enum tm_crs_slot slot)
{
  switch(slot) {
  case TM_CRS_LONLAT:
    return "latitude/longitude";
  case TM_CRS_GRID:
    return "easting/northing";
  case TM_CRS_TRUSTS_GEOMETRY:
    return "point";
  case TM_CRS_POSTCODE_LONLAT:
  case TM_CRS_POSTCODE_GRID:
  case TM_CRS_POSTCODE_GEOMETRY:
    return "postcode location";
  case TM_CRS_SLOTS:
    break;
  }
  return "?";
}

/* A coordinate for a message: with the given decimals, or in %g form
 * when it is so large (a hostile 1e300) that the digits would fill the
 * screen. */
struct num {
  char s[48];
};

static struct num num(double v, int decimals)
{
  struct num n;

  if(fabs(v) < 1e9)
    snprintf(n.s, sizeof(n.s), "%.*f", decimals, v);
  else
    snprintf(n.s, sizeof(n.s), "%.6g", v);
  return n;
}

/* One excluding problem for a point that is not in the UK. */
static void outside_uk(struct tm_site *s, double lon, double lat,
                       struct tm_problems *probs)
{
  switch(s->crs) {
  case TM_CRS_LONLAT:
  case TM_CRS_POSTCODE_LONLAT:
    tm_problem_exclude(probs, &s->where, "outside-uk",
                       in_uk(lat, lon) ? "latitude and longitude look "
                                         "swapped"
                                       : "check the coordinates",
                       "latitude %s, longitude %s is outside the UK; "
                       "the row is left off the map", num(s->y, 6).s,
                       num(s->x, 6).s);
    break;
  case TM_CRS_GRID:
  case TM_CRS_POSTCODE_GRID:
    tm_problem_exclude(probs, &s->where, "outside-uk",
                       "check the easting and northing, and --crs",
                       "easting %s, northing %s is at longitude %s, "
                       "latitude %s, outside the UK; the row is left off "
                       "the map", num(s->x, 2).s, num(s->y, 2).s,
                       num(lon, 4).s, num(lat, 4).s);
    break;
  default:
    tm_problem_exclude(probs, &s->where, "outside-uk",
                       "check the point and the layer's CRS",
                       "point (%s, %s) is at longitude %s, latitude %s, "
                       "outside the UK; the row is left off the map",
                       num(s->x, 6).s, num(s->y, 6).s, num(lon, 4).s,
                       num(lat, 4).s);
    break;
  }
  s->excluded = true;
}

static char *operation_name(PJ_CONTEXT *ctx, PJ *op, double *accuracy)
{
  PJ *used = proj_trans_get_last_used_operation(op);
  PJ *which = used ? used : op;
  const char *name = proj_get_name(which);
  char *s = tm_xstrdup(name ? name : "(unnamed operation)");

  *accuracy = proj_coordoperation_get_accuracy(ctx, which);
  if(used)
    proj_destroy(used);
  return s;
}

/* Checks a transformed point and keeps it, or excludes its site. */
static bool place(struct tm_site *s, double lon, double lat,
                  const char *src, struct tm_problems *probs)
{
  /* PROJ marks a point it could not transform with HUGE_VAL. */
  if(!isfinite(lon) || !isfinite(lat) || fabs(lon) > 1e300) {
    tm_problem_exclude(probs, &s->where, "cannot-reproject",
                       "check the coordinates and --crs",
                       "cannot reproject %s (%s, %s) from %s; the row is "
                       "left off the map", slot_text(s->crs), num(s->x, 6).s,
                       num(s->y, 6).s, src);
    s->excluded = true;
    return false;
  }
  if(!in_uk(lon, lat)) {
    outside_uk(s, lon, lat, probs);
    return false;
  }
  s->lon = lon;
  s->lat = lat;
  return true;
}

static enum tm_rc place_lonlat(struct tm_sites *sites, enum tm_crs_slot slot,
                               struct tm_problems *probs,
                               struct tm_transforms *info)
{
  struct tm_transform_info *ti = &info->v[info->n++];
  size_t i;

  ti->source = tm_xstrdup(sites->crs[slot]);
  ti->operation = tm_xstrdup("none: already WGS84 longitude/latitude");
  ti->accuracy = 0;
  for(i = 0; i < sites->n; i++) {
    struct tm_site *s = &sites->v[i];

    if(!s->excluded && s->crs == slot && place(s, s->x, s->y, "EPSG:4326",
                                               probs))
      ti->points++;
  }
  return TM_OK;
}

/* Transforms the sites of one slot in place: x/y -> lon/lat. */
static enum tm_rc transform_slot(PJ_CONTEXT *ctx, struct proj_log *log,
                                 struct tm_sites *sites,
                                 enum tm_crs_slot slot,
                                 struct tm_problems *probs,
                                 struct tm_transforms *info,
                                 struct tm_error *err)
{
  const char *src = sites->crs[slot];
  size_t i, n = 0;
  size_t *idx;
  double *x, *y;
  PJ *raw, *op;
  struct tm_transform_info *ti;

  for(i = 0; i < sites->n; i++)
    if(!sites->v[i].excluded && sites->v[i].crs == slot)
      n++;
  if(!n)
    return TM_OK;

  /* Latitude/longitude columns are already WGS84: PROJ would apply a
   * null transformation, so only the axis order matters. */
  if(!strcmp(src, "EPSG:4326"))
    return place_lonlat(sites, slot, probs, info);

  log->last[0] = '\0';
  raw = proj_create_crs_to_crs(ctx, src, "EPSG:4326", NULL);
  if(!raw) {
    const char *why = log->last[0] ? log->last : "unknown CRS";

    if(strstr(why, "proj.db") || strstr(why, "database"))
      return tm_fail(err, TM_SYSTEM, "PROJ cannot open its database "
                     "(%s); install the Debian package proj-data, or set "
                     "PROJ_DATA", why);
    if(slot == TM_CRS_GRID || slot == TM_CRS_POSTCODE_GRID)
      return tm_fail(err, TM_USAGE, "trustmap: --crs \"%s\" is not a CRS "
                     "PROJ knows (%s); try 'trustmap --help'", src, why);
    {
      struct tm_where w = { sites->path, 0 };

      tm_problem_error(probs, &w, "bad-crs",
                       "save the layer in a CRS with an EPSG code",
                       "the file's CRS cannot be used by PROJ: %s", why);
      return TM_INPUT;
    }
  }
  /* Always lon/lat order out, whatever EPSG:4326 says about axes. */
  op = proj_normalize_for_visualization(ctx, raw);
  proj_destroy(raw);
  if(!op)
    return tm_fail(err, TM_SYSTEM, "PROJ cannot set up %s -> EPSG:4326: %s",
                   src, log->last[0] ? log->last : "unknown error");

  idx = tm_xcalloc(n, sizeof(*idx));
  x = tm_xcalloc(n, sizeof(*x));
  y = tm_xcalloc(n, sizeof(*y));
  n = 0;
  for(i = 0; i < sites->n; i++) {
    if(!sites->v[i].excluded && sites->v[i].crs == slot) {
      idx[n] = i;
      x[n] = sites->v[i].x;
      y[n] = sites->v[i].y;
      n++;
    }
  }
  proj_trans_generic(op, PJ_FWD, x, sizeof(*x), n, y, sizeof(*y), n,
                     NULL, 0, 0, NULL, 0, 0);

  ti = &info->v[info->n++];
  ti->source = tm_xstrdup(src);
  ti->operation = operation_name(ctx, op, &ti->accuracy);

  ti->points = 0;
  for(i = 0; i < n; i++)
    if(place(&sites->v[idx[i]], x[i], y[i], src, probs))
      ti->points++;
  proj_destroy(op);
  free(y);
  free(x);
  free(idx);
  return TM_OK;
}

/* lon/lat -> EPSG:3857 for every placed site, in one batch. */
static enum tm_rc to_mercator(PJ_CONTEXT *ctx, struct proj_log *log,
                              struct tm_sites *sites, struct tm_error *err)
{
  PJ *raw, *op;
  size_t i, n = 0;
  size_t *idx;
  double *x, *y;

  for(i = 0; i < sites->n; i++)
    if(!sites->v[i].excluded)
      n++;
  if(!n)
    return TM_OK;
  raw = proj_create_crs_to_crs(ctx, "EPSG:4326", "EPSG:3857", NULL);
  op = raw ? proj_normalize_for_visualization(ctx, raw) : NULL;
  proj_destroy(raw);
  if(!op)
    return tm_fail(err, TM_SYSTEM, "PROJ cannot set up EPSG:4326 -> "
                   "EPSG:3857: %s (install proj-data, or set PROJ_DATA)",
                   log->last[0] ? log->last : "unknown error");
  idx = tm_xcalloc(n, sizeof(*idx));
  x = tm_xcalloc(n, sizeof(*x));
  y = tm_xcalloc(n, sizeof(*y));
  n = 0;
  for(i = 0; i < sites->n; i++) {
    if(!sites->v[i].excluded) {
      idx[n] = i;
      x[n] = sites->v[i].lon;
      y[n] = sites->v[i].lat;
      n++;
    }
  }
  proj_trans_generic(op, PJ_FWD, x, sizeof(*x), n, y, sizeof(*y), n,
                     NULL, 0, 0, NULL, 0, 0);
  for(i = 0; i < n; i++) {
    sites->v[idx[i]].mx = x[i];
    sites->v[idx[i]].my = y[i];
  }
  proj_destroy(op);
  free(y);
  free(x);
  free(idx);
  return TM_OK;
}

enum tm_rc tm_reproject_sites(struct tm_sites *sites,
                              struct tm_problems *probs,
                              struct tm_transforms *info,
                              struct tm_error *err)
{
  struct proj_log log = { "" };
  PJ_CONTEXT *ctx;
  enum tm_rc rc = TM_OK;
  int slot;

  memset(info, 0, sizeof(*info));
  ctx = proj_context_create();
  if(!ctx)
    tm_oom();
  proj_log_func(ctx, &log, on_proj_log);
  for(slot = 0; slot < TM_CRS_SLOTS && !rc; slot++)
    rc = transform_slot(ctx, &log, sites, (enum tm_crs_slot)slot, probs,
                        info, err);
  if(!rc)
    rc = to_mercator(ctx, &log, sites, err);
  proj_context_destroy(ctx);
  return rc;
}

void tm_transforms_clear(struct tm_transforms *info)
{
  size_t i;

  for(i = 0; i < info->n; i++) {
    free(info->v[i].source);
    free(info->v[i].operation);
  }
  memset(info, 0, sizeof(*info));
}
