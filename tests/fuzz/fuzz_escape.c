/* fuzz_escape.c - fuzz target: pins with hostile text -> GeoJSON, CSV and
 * the page's HTML and <script> escapers.
 *
 * Input: one flags byte (status, kind, previous status, pin count), two
 * bytes each for longitude and latitude (0xffff: not a number), then
 * NUL-separated text for code, name, trust code, trust name, nation,
 * notes, the round and the status label. Missing pieces are "".
 *
 * Checked, besides memory errors, as geojson.h, csv.h and page.h promise:
 *  - GeoJSON: UTF-8 that cJSON parses, one feature per pin, each text
 *    property equal to its input when the input was UTF-8;
 *  - CSV: UTF-8, RFC 4180 records of 13 fields, no text cell starting
 *    with = + - @ tab or CR, each cell equal to its input (after its
 *    leading apostrophe) when the input was UTF-8;
 *  - HTML: no < > " ' left, and & only in the five entities, so
 *    unescaping gives the input back;
 *  - <script> JSON: no < > & U+2028 U+2029 left, and it still parses to
 *    the same string.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "csv.h"
#include "fuzz.h"
#include "geojson.h"
#include "page.h"
#include "style.h"

enum { F_CODE, F_NAME, F_TRUST_CODE, F_TRUST_NAME, F_NATION, F_NOTES,
       F_ROUND, F_LABEL, F_COUNT };

static const char style_json[] =
  "{\"statuses\":{"
  "\"collecting\":{\"label\":\"C\",\"colour\":\"#005a3c\","
  "\"glyph\":\"tick\"},"
  "\"partial\":{\"label\":\"P\",\"colour\":\"#c25e00\",\"glyph\":\"half\"},"
  "\"not_collecting\":{\"label\":\"N\",\"colour\":\"#d0209a\","
  "\"glyph\":\"cross\"},"
  "\"no_response\":{\"label\":\"R\",\"colour\":\"#848484\","
  "\"glyph\":\"question\"}}}";

static struct tm_style *fixed_style(void)
{
  static struct tm_style *st;

  return fuzz_fixed_style(&st, style_json);
}

static bool utf8(const char *s)
{
  return tm_utf8_valid(s, strlen(s));
}

/* ---- GeoJSON -------------------------------------------------------- */

static void check_prop(const cJSON *props, const char *key,
                       const char *want)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, key);

  FUZZ_CHECK(cJSON_IsString(v));
  if(utf8(want))
    FUZZ_CHECK(!strcmp(v->valuestring, want));
}

static void check_geojson(const struct tm_pins *pins,
                          const struct tm_style *st)
{
  char *text = tm_geojson_text(pins, st);
  const cJSON *feats, *f;
  cJSON *doc;
  size_t i = 0;

  FUZZ_CHECK(utf8(text));
  doc = cJSON_Parse(text);
  FUZZ_CHECK(doc);
  feats = cJSON_GetObjectItemCaseSensitive(doc, "features");
  FUZZ_CHECK((size_t)cJSON_GetArraySize(feats) == pins->n);
  cJSON_ArrayForEach(f, feats) {
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
    const struct tm_pin *p = &pins->v[i++];

    check_prop(props, "code", p->code);
    check_prop(props, "name", p->name);
    check_prop(props, "trust_code", p->trust_code);
    check_prop(props, "trust_name", p->trust_name);
    check_prop(props, "nation", p->nation);
    check_prop(props, "notes", p->notes);
    check_prop(props, "round", pins->round);
    check_prop(props, "status_label", st->status[p->status].label);
  }
  cJSON_Delete(doc);
  free(text);
}

/* ---- CSV ------------------------------------------------------------ */

/* Reads one RFC 4180 field at *p into a new string; *end_rec is set when
 * the record ends after it. Returns NULL on a malformed field. */
static char *csv_field(const char **p, bool *end_rec, bool *quoted)
{
  const char *s = *p;
  size_t n = 0;
  char *out = malloc(strlen(s) + 1);

  if(!out)
    abort();
  *quoted = *s == '"';
  if(*quoted) {
    for(s++;; s++) {
      if(!*s) {
        free(out);
        return NULL;
      }
      if(*s == '"') {
        if(s[1] != '"')
          break;
        s++;
      }
      out[n++] = *s;
    }
    s++;
  }
  else {
    for(; *s && *s != ',' && *s != '\n'; s++) {
      if(*s == '"' || *s == '\r') {
        free(out);
        return NULL;
      }
      out[n++] = *s;
    }
  }
  out[n] = '\0';
  if(*s != ',' && *s != '\n') {
    free(out);
    return NULL;
  }
  *end_rec = *s == '\n';
  *p = s + 1;
  return out;
}

static bool formula_start(char c)
{
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
         c == '\r';
}

static void check_cell(const char *got, const char *want)
{
  if(formula_start(want[0])) {
    FUZZ_CHECK(got[0] == '\'');
    got++;
  }
  else
    FUZZ_CHECK(!formula_start(got[0]));
  if(utf8(want))
    FUZZ_CHECK(!strcmp(got, want));
}

static void check_csv(const struct tm_pins *pins, const struct tm_style *st)
{
  char *text = tm_csv_text(pins, st);
  const char *p = text;
  size_t rec, i;

  FUZZ_CHECK(utf8(text));
  for(rec = 0; *p; rec++) {
    const char *want[11] = { NULL };
    bool end = false;

    if(rec) {
      const struct tm_pin *pin = &pins->v[rec - 1];

      FUZZ_CHECK(rec <= pins->n);
      want[0] = pin->code;
      want[1] = pin->name;
      want[3] = pin->trust_code;
      want[4] = pin->trust_name;
      want[5] = pin->nation;
      want[7] = st->status[pin->status].label;
      want[8] = pin->notes;
      want[9] = pins->round;
    }
    for(i = 0; !end; i++) {
      bool quoted;
      char *cell = csv_field(&p, &end, &quoted);

      FUZZ_CHECK(cell);
      FUZZ_CHECK(i < 13);
      if(i < 11 && want[i])
        check_cell(cell, want[i]);
      free(cell);
    }
    FUZZ_CHECK(i == 13);
  }
  FUZZ_CHECK(rec == pins->n + 1);
  free(text);
}

/* ---- the page's escapers ------------------------------------------- */

static void check_html(const char *s)
{
  static const char *const ent[][2] = {
    { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
    { "&quot;", "\"" }, { "&#39;", "'" }
  };
  char *e = tm_page_html_escape(s);
  const char *p = e;
  size_t k;

  while(*p) {
    FUZZ_CHECK(!strchr("<>\"'", *p));
    if(*p != '&') {
      FUZZ_CHECK(*p == *s);
      p++;
      s++;
      continue;
    }
    for(k = 0; k < TM_ARRAY_LEN(ent); k++)
      if(!strncmp(p, ent[k][0], strlen(ent[k][0])))
        break;
    FUZZ_CHECK(k < TM_ARRAY_LEN(ent));
    FUZZ_CHECK(*s == ent[k][1][0]);
    p += strlen(ent[k][0]);
    s++;
  }
  FUZZ_CHECK(!*s);
  free(e);
}

static void check_script_json(const char *s)
{
  cJSON *str, *back;
  char *json, *safe;

  if(!utf8(s))
    return;
  str = cJSON_CreateString(s);
  if(!str)
    abort();
  json = cJSON_PrintUnformatted(str);
  if(!json)
    abort();
  safe = tm_page_script_json(json);
  FUZZ_CHECK(!strpbrk(safe, "<>&"));
  FUZZ_CHECK(!strstr(safe, "\xe2\x80\xa8") && !strstr(safe, "\xe2\x80\xa9"));
  back = cJSON_Parse(safe);
  FUZZ_CHECK(cJSON_IsString(back) && !strcmp(back->valuestring, s));
  cJSON_Delete(back);
  free(safe);
  cJSON_free(json);
  cJSON_Delete(str);
}

/* ---- the target ----------------------------------------------------- */

static double coord(const uint8_t *b, double lo, double hi)
{
  unsigned v = (unsigned)b[0] << 8 | b[1];

  if(v == 0xffff)
    return NAN;
  return lo + (hi - lo) * v / 65534.0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct tm_style *st = fixed_style();
  const char *field[F_COUNT];
  char *text, *p, *saved_label;
  struct tm_pins *pins;
  uint8_t flags;
  double lon, lat;
  size_t i, n, npins;

  if(size < 5 || size > FUZZ_MAX_INPUT)
    return 0;
  flags = data[0];
  lon = coord(data + 1, -180, 180);
  lat = coord(data + 3, -90, 90);
  n = size - 5;
  text = malloc(n + 1);
  if(!text)
    abort();
  memcpy(text, data + 5, n);
  text[n] = '\0';
  for(i = 0, p = text; i < F_COUNT; i++) {
    field[i] = p < text + n ? p : "";
    p += p < text + n ? strlen(p) + 1 : 0;
  }

  pins = tm_pins_new();
  pins->round = tm_strpool_add(pins->pool, field[F_ROUND]);
  npins = 1 + (flags >> 6);
  for(i = 0; i < npins; i++) {
    struct tm_pin *pin = tm_pins_add(pins);
    int prev = (flags >> 3) & 7;

    pin->code = tm_strpool_add(pins->pool, field[F_CODE]);
    pin->name = tm_strpool_add(pins->pool, field[F_NAME]);
    pin->trust_code = tm_strpool_add(pins->pool, field[F_TRUST_CODE]);
    pin->trust_name = tm_strpool_add(pins->pool, field[F_TRUST_NAME]);
    pin->nation = tm_strpool_add(pins->pool, field[F_NATION]);
    pin->notes = tm_strpool_add(pins->pool, field[F_NOTES]);
    pin->is_site = flags & 4;
    pin->status = (enum tm_status)((flags + i) & 3);
    pin->previous_status = prev < TM_STATUS_COUNT ? prev : -1;
    pin->lon = lon + (double)i;
    pin->lat = lat;
  }
  /* The label stands for any text the style lets through. */
  saved_label = st->status[pins->v[0].status].label;
  st->status[pins->v[0].status].label = (char *)field[F_LABEL];
  check_geojson(pins, st);
  check_csv(pins, st);
  st->status[pins->v[0].status].label = saved_label;

  for(i = 0; i < F_COUNT; i++) {
    check_html(field[i]);
    check_script_json(field[i]);
  }
  tm_pins_free(pins);
  free(text);
  return 0;
}
