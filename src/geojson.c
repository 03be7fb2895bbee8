/* geojson.c - stage 4a: pins -> RFC 7946 GeoJSON text (cJSON).
 *
 * Each feature is built as a cJSON tree and printed unformatted on its own
 * line; the FeatureCollection around them is written by hand, so a diff
 * between two rounds shows one line per changed pin. Coordinates go in as
 * raw text (format_coord) rather than cJSON numbers: cJSON prints doubles
 * with %1.15g, which turns 0.00005 into "5e-05".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "geojson.h"
#include "publish.h"
#include "util.h"

/* Rounded to 6 decimals, no exponent, no trailing zeros, never "-0". */
static void format_coord(double v, char out[32])
{
  double r;
  size_t n;

  if(!isfinite(v)) {
    snprintf(out, 32, "null");
    return;
  }
  r = round(v * 1e6) / 1e6;
  if(r == 0)
    r = 0;              /* -0 == 0: this stores +0 */
  snprintf(out, 32, "%.6f", r);
  n = strlen(out);
  while(n && out[n - 1] == '0')
    n--;
  if(n && out[n - 1] == '.')
    n--;
  out[n] = '\0';
}

static void add_text(cJSON *obj, const char *key, const char *value)
{
  char *owned;

  if(!cJSON_AddStringToObject(obj, key, tm_utf8_or_fixed(value, &owned)))
    tm_oom();
  free(owned);
}

/* A status key, or null for -1 (nothing to compare with). */
static void add_status_or_null(cJSON *obj, const char *key, int status)
{
  if(status < 0 ? !cJSON_AddNullToObject(obj, key)
                : !cJSON_AddStringToObject(obj, key,
                                           tm_status_key(status)))
    tm_oom();
}

static void add_raw(cJSON *arr, const char *raw)
{
  cJSON *item = cJSON_CreateRaw(raw);

  if(!item || !cJSON_AddItemToArray(arr, item)) {
    cJSON_Delete(item);
    tm_oom();
  }
}

/* A new Point feature at lon/lat (printed with 6 decimals), with an
 * empty properties object in *props for the caller to fill. */
static cJSON *point_feature(double lon, double lat, cJSON **props)
{
  cJSON *feat = cJSON_CreateObject();
  cJSON *geom, *coords;
  char num[32];

  if(!feat || !cJSON_AddStringToObject(feat, "type", "Feature"))
    tm_oom();
  geom = cJSON_AddObjectToObject(feat, "geometry");
  if(!geom || !cJSON_AddStringToObject(geom, "type", "Point"))
    tm_oom();
  coords = cJSON_AddArrayToObject(geom, "coordinates");
  if(!coords)
    tm_oom();
  format_coord(lon, num);
  add_raw(coords, num);
  format_coord(lat, num);
  add_raw(coords, num);
  *props = cJSON_AddObjectToObject(feat, "properties");
  if(!*props)
    tm_oom();
  return feat;
}

/* One Point feature, printed unformatted; the caller frees it with
 * cJSON_free(). */
static char *feature_text(const struct tm_pin *p, const struct tm_style *st,
                          const char *round_label)
{
  const struct tm_status_style *ss =
    (unsigned)p->status < TM_STATUS_COUNT ? &st->status[p->status] : NULL;
  cJSON *props;
  cJSON *feat = point_feature(p->lon, p->lat, &props);
  char *text;

  add_text(props, "code", p->code);
  add_text(props, "name", p->name);
  add_text(props, "kind", p->is_site ? "site" : "trust");
  add_text(props, "trust_code", p->trust_code);
  add_text(props, "trust_name", p->trust_name);
  add_text(props, "nation", p->nation);
  add_text(props, "status", tm_status_key(p->status));
  add_text(props, "status_label", ss ? ss->label : "");
  add_text(props, "colour", ss ? ss->colour : "");
  add_text(props, "glyph", ss ? tm_glyph_name(ss->glyph) : "");
  add_text(props, "notes", p->notes);
  add_text(props, "round", round_label);
  add_status_or_null(props, "previous_status", p->previous_status);

  text = cJSON_PrintUnformatted(feat);
  if(!text)
    tm_oom();
  cJSON_Delete(feat);
  return text;
}

static void write_round_members(FILE *m, const struct tm_pins *pins)
{
  cJSON *o = cJSON_CreateObject();
  char *text;

  if(!o)
    tm_oom();
  add_text(o, "round", pins->round ? pins->round : "");
  if(pins->previous_round)
    add_text(o, "previous_round", pins->previous_round);
  else if(!cJSON_AddNullToObject(o, "previous_round"))
    tm_oom();
  text = cJSON_PrintUnformatted(o);
  if(!text)
    tm_oom();
  /* Print the members without the object's braces. */
  fprintf(m, "%.*s,", (int)strlen(text) - 2, text + 1);
  cJSON_free(text);
  cJSON_Delete(o);
}

/* The bounding box of the rounded coordinates, as printed. */
static void write_bbox(FILE *m, const struct tm_pins *pins)
{
  double lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
  char num[32];
  size_t i;
  int k;

  for(i = 0; i < pins->n; i++) {
    const double xy[2] = { round(pins->v[i].lon * 1e6) / 1e6,
                           round(pins->v[i].lat * 1e6) / 1e6 };

    for(k = 0; k < 2; k++) {
      if(!isfinite(xy[k]))
        continue;
      if(xy[k] < lo[k])
        lo[k] = xy[k];
      if(xy[k] > hi[k])
        hi[k] = xy[k];
    }
  }
  fputs("\"bbox\":[", m);
  format_coord(lo[0], num);
  fprintf(m, "%s,", num);
  format_coord(lo[1], num);
  fprintf(m, "%s,", num);
  format_coord(hi[0], num);
  fprintf(m, "%s,", num);
  format_coord(hi[1], num);
  fprintf(m, "%s],", num);
}

/* The whole FeatureCollection, a feature at a time: with a million pins
 * the text is hundreds of megabytes, never held in memory at once. */
static void write_collection(FILE *m, const struct tm_pins *pins,
                             const struct tm_style *st)
{
  size_t i;

  fputs("{\"type\":\"FeatureCollection\",", m);
  if(pins->n)
    write_bbox(m, pins);
  /* Foreign members (RFC 7946 section 6.1): the next build reads them to
   * know which round this one compared with. */
  write_round_members(m, pins);
  fputs("\"features\":[", m);
  for(i = 0; i < pins->n; i++) {
    char *feat = feature_text(&pins->v[i], st,
                              pins->round ? pins->round : "");

    fputs_unlocked(i ? ",\n" : "\n", m);
    fputs_unlocked(feat, m);
    cJSON_free(feat);
  }
  fputs(pins->n ? "\n]}\n" : "]}\n", m);
}

char *tm_geojson_text(const struct tm_pins *pins, const struct tm_style *st)
{
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);

  if(!m)
    tm_oom();
  write_collection(m, pins, st);
  if(ferror(m))
    tm_oom();
  if(fclose(m))
    tm_oom();
  return text;
}

enum tm_rc tm_geojson_write(const struct tm_pins *pins,
                            const struct tm_style *st, const char *path,
                            struct tm_error *err)
{
  struct tm_output *out;
  enum tm_rc rc = tm_output_open(path, &out, err);

  if(rc)
    return rc;
  write_collection(tm_output_stream(out), pins, st);
  return tm_output_close(out, err);
}

char *tm_changes_geojson_text(const struct tm_changes *c,
                              const char *round_label)
{
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  size_t i;

  if(!m)
    tm_oom();
  fputs("{\"type\":\"FeatureCollection\",\"features\":[", m);
  for(i = 0; i < c->n; i++) {
    const struct tm_change *ch = &c->v[i];
    cJSON *props;
    cJSON *feat = point_feature(ch->lon, ch->lat, &props);
    char *ft;

    add_text(props, "trust_code", ch->code);
    add_text(props, "trust_name", ch->name);
    add_text(props, "nation", ch->nation);
    add_text(props, "change", tm_change_kind_name(ch->kind));
    add_status_or_null(props, "previous_status", ch->from);
    add_status_or_null(props, "status", ch->to);
    add_text(props, "previous_round", c->from_round);
    add_text(props, "round", round_label);
    ft = cJSON_PrintUnformatted(feat);
    if(!ft)
      tm_oom();
    cJSON_Delete(feat);
    fprintf(m, "%s\n%s", i ? "," : "", ft);
    cJSON_free(ft);
  }
  fputs(c->n ? "\n]}\n" : "]}\n", m);
  if(ferror(m) || fclose(m))
    tm_oom();
  return text;
}
