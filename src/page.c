/* page.c - the embed kit: TileJSON, index.html, embed.html and the page's
 * assets (app.js, app.css, Leaflet), written into the staging folder.
 *
 * The assets are compiled in (src/page/embed.py -> page_assets.c), so the
 * binary needs no files at run time. index.html is a template with
 * {{name}} fields: title and description go in as escaped HTML text, and
 * the page's configuration as JSON inside <script type="application/json">
 * with <, >, &, U+2028 and U+2029 written as \uXXXX, so no text from the
 * inputs can close the element or become markup. Everything else the page
 * shows (names, notes) it reads from trusts.geojson at run time and
 * inserts as text.
 *
 * Output is a pure function of the inputs: no dates, no paths, cJSON's
 * fixed number format, the style's status order.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "page.h"
#include "page/assets.h"

/* A growing string. */
struct sbuf {
  char *p;
  size_t n, cap;
};

/* The glyphs as HTML character references, so tiles.json stays ASCII;
 * app.js draws the same characters. */
static const char *const glyph_html[TM_GLYPH_COUNT] = {
  "&#10003;",    /* tick: CHECK MARK */
  "&#9680;",     /* half: CIRCLE WITH LEFT HALF BLACK */
  "&#10005;",    /* cross: MULTIPLICATION X */
  "?"            /* question */
};

/* The names app.js knows the glyphs by (style.h's spelling). */
static const char *const glyph_name[TM_GLYPH_COUNT] = {
  "tick", "half", "cross", "question"
};

#define WEB_MERCATOR_MAX_LAT 85.0511287798066

static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
  tm_xgrow((void **)&b->p, &b->cap, b->n + n + 1, 1);
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
}

static void sb_add(struct sbuf *b, const char *s)
{
  sb_addn(b, s, strlen(s));
}

/* Appends s escaped as HTML text. */
static void sb_add_html(struct sbuf *b, const char *s)
{
  char *e = tm_page_html_escape(s);

  sb_add(b, e);
  free(e);
}

/* The string so far; the buffer is left empty. Never NULL. */
static char *sb_take(struct sbuf *b)
{
  char *p = b->p;

  if(!p)
    p = tm_xstrdup("");
  b->p = NULL;
  b->n = b->cap = 0;
  return p;
}

static const char *str_or_empty(const char *s)
{
  return s ? s : "";
}

/* Rounded to 6 decimals (~0.1 m), as every output prints coordinates. */
static double round6(double v)
{
  return round(v * 1e6) / 1e6;
}

/* Black or white text, whichever contrasts more with the colour. */
static const char *ink_for(const struct tm_rgb *c)
{
  double v[3] = { c->r / 255.0, c->g / 255.0, c->b / 255.0 };
  double lum;
  int i;

  for(i = 0; i < 3; i++)
    v[i] = v[i] <= 0.03928 ? v[i] / 12.92 : pow((v[i] + 0.055) / 1.055, 2.4);
  lum = 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? "#000000" : "#ffffff";
}

/* A version goes into URLs as ?v=...; keep it to characters that need no
 * encoding. */
static bool version_ok(const char *v)
{
  for(; *v; v++) {
    if(!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'z') ||
         (*v >= 'A' && *v <= 'Z') || *v == '-' || *v == '_' || *v == '.'))
      return false;
  }
  return true;
}

/* ---- files ---- */

/* Creates the folders of rel (a path with '/') under outdir. */
static enum tm_rc make_parents(const char *outdir, const char *rel,
                               struct tm_error *err)
{
  const char *slash;

  for(slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/')) {
    char *dir = tm_xasprintf("%s/%.*s", outdir, (int)(slash - rel), rel);

    if(mkdir(dir, 0777) && errno != EEXIST) {
      enum tm_rc rc = tm_fail_errno(err, "%s: cannot create folder", dir);

      free(dir);
      return rc;
    }
    free(dir);
  }
  return TM_OK;
}

static enum tm_rc write_file(const char *outdir, const char *rel,
                             const void *data, size_t len,
                             struct tm_error *err)
{
  char *path;
  FILE *fp;
  enum tm_rc rc;

  rc = make_parents(outdir, rel, err);
  if(rc)
    return rc;
  path = tm_xasprintf("%s/%s", outdir, rel);
  fp = fopen(path, "wb");
  if(!fp) {
    rc = tm_fail_errno(err, "%s: cannot create file", path);
    free(path);
    return rc;
  }
  if(len && fwrite(data, 1, len, fp) != len) {
    rc = tm_fail_errno(err, "%s: write failed", path);
    fclose(fp);
    free(path);
    return rc;
  }
  if(fclose(fp)) {
    rc = tm_fail_errno(err, "%s: write failed", path);
    free(path);
    return rc;
  }
  free(path);
  return TM_OK;
}

static enum tm_rc write_text(const char *outdir, const char *rel,
                             const char *text, struct tm_error *err)
{
  return write_file(outdir, rel, text, strlen(text), err);
}

/* ---- JSON ---- */

/* cJSON_AddItemToObject() leaves item with us when it fails. */
static void add_owned(cJSON *obj, const char *key, cJSON *item)
{
  if(!item)
    tm_oom();
  if(!cJSON_AddItemToObject(obj, key, item)) {
    cJSON_Delete(item);
    tm_oom();
  }
}

/* cJSON fails only when out of memory; the batch tool stops then. */
static void add_string(cJSON *obj, const char *key, const char *value)
{
  if(!cJSON_AddStringToObject(obj, key, str_or_empty(value)))
    tm_oom();
}

static void add_number(cJSON *obj, const char *key, double value)
{
  if(!cJSON_AddNumberToObject(obj, key, value))
    tm_oom();
}

static void add_bool(cJSON *obj, const char *key, bool value)
{
  if(!cJSON_AddBoolToObject(obj, key, value))
    tm_oom();
}

static cJSON *new_object(void)
{
  cJSON *o = cJSON_CreateObject();

  if(!o)
    tm_oom();
  return o;
}

static char *print_json(const cJSON *j, bool formatted)
{
  char *s = formatted ? cJSON_Print(j) : cJSON_PrintUnformatted(j);
  char *copy;

  if(!s)
    tm_oom();
  copy = tm_xstrdup(s);
  cJSON_free(s);
  return copy;
}

/* ---- tiles.json ---- */

/* "tiles/{z}/{x}/{y}.png?v=VERSION", relative to tiles.json. */
static char *tile_template(const struct tm_page_info *info)
{
  const char *v = str_or_empty(info->version);

  return *v ? tm_xasprintf("tiles/{z}/{x}/{y}.png?v=%s", v)
            : tm_xstrdup("tiles/{z}/{x}/{y}.png");
}

/* The key as HTML, for TileJSON's "legend": glyph, colour and label per
 * status, labels escaped. */
static char *legend_html(const struct tm_style *st)
{
  struct sbuf b = { 0 };
  int i;

  sb_add(&b, "<ul class=\"trustmap-key\" style=\"list-style:none;margin:0;"
             "padding:0\">");
  for(i = 0; i < TM_STATUS_COUNT; i++) {
    const struct tm_status_style *s = &st->status[i];
    unsigned g = (unsigned)s->glyph < TM_GLYPH_COUNT ? (unsigned)s->glyph
                                                      : TM_GLYPH_QUESTION;

    sb_add(&b, "<li><span aria-hidden=\"true\" style=\"display:inline-block;"
               "width:1.3em;height:1.3em;line-height:1.3em;"
               "border-radius:50%;text-align:center;font-weight:bold;"
               "background:");
    sb_add_html(&b, s->colour);
    sb_add(&b, ";color:");
    sb_add(&b, ink_for(&s->rgb));
    sb_add(&b, "\">");
    sb_add(&b, glyph_html[g]);
    sb_add(&b, "</span> ");
    sb_add_html(&b, str_or_empty(s->label));
    sb_add(&b, "</li>");
  }
  sb_add(&b, "</ul>");
  return sb_take(&b);
}

static cJSON *double_array(const double *v, int n)
{
  cJSON *a = cJSON_CreateArray();
  int i;

  if(!a)
    tm_oom();
  for(i = 0; i < n; i++) {
    cJSON *num = cJSON_CreateNumber(round6(v[i]));

    if(!num || !cJSON_AddItemToArray(a, num)) {
      cJSON_Delete(num);
      tm_oom();
    }
  }
  return a;
}

static cJSON *string_array1(const char *s)
{
  const char *one[1];
  cJSON *a;

  one[0] = s;
  a = cJSON_CreateStringArray(one, 1);
  if(!a)
    tm_oom();
  return a;
}

static char *tilejson_text(const struct tm_style *st,
                           const struct tm_page_info *info)
{
  cJSON *tj = new_object();
  char *tiles = tile_template(info);
  char *legend = legend_html(st);
  char *attribution = tm_page_html_escape(str_or_empty(st->attribution));
  const char *v = str_or_empty(info->version);
  char *version = *v ? tm_xasprintf("1.0.0+%s", v) : tm_xstrdup("1.0.0");
  double center[3];
  char *text;

  center[0] = info->center[0];
  center[1] = info->center[1];
  center[2] = fmin(fmax(round(info->center[2]), info->minzoom),
                   info->maxzoom);

  add_string(tj, "tilejson", "3.0.0");
  add_string(tj, "name", st->title);
  add_string(tj, "description", st->description);
  add_string(tj, "version", version);
  add_string(tj, "attribution", attribution);
  add_string(tj, "scheme", "xyz");
  add_owned(tj, "tiles", string_array1(tiles));
  add_number(tj, "minzoom", info->minzoom);
  add_number(tj, "maxzoom", info->maxzoom);
  add_owned(tj, "bounds", double_array(info->bounds, 4));
  add_owned(tj, "center", double_array(center, 3));
  add_string(tj, "legend", legend);
  add_owned(tj, "data", string_array1("trusts.geojson"));

  text = print_json(tj, true);
  cJSON_Delete(tj);
  free(version);
  free(attribution);
  free(legend);
  free(tiles);
  return text;
}

/* ---- index.html ---- */

/* What app.js needs that tiles.json does not say. */
static char *config_json(const struct tm_pins *pins,
                         const struct tm_style *st,
                         const struct tm_page_info *info)
{
  cJSON *c = new_object();
  cJSON *pin, *statuses, *base;
  char *json, *safe;
  int i;

  add_string(c, "version", info->version);
  add_bool(c, "retina", info->has_retina);
  add_number(c, "minzoom", info->minzoom);
  add_number(c, "maxzoom", info->maxzoom);
  add_string(c, "round", pins->round);

  pin = new_object();
  add_owned(c, "pin", pin);
  add_number(pin, "width", st->pin.width);
  add_number(pin, "height", st->pin.height);
  add_number(pin, "outline", st->pin.outline);

  statuses = cJSON_CreateArray();
  add_owned(c, "statuses", statuses);
  for(i = 0; i < TM_STATUS_COUNT; i++) {
    const struct tm_status_style *s = &st->status[i];
    cJSON *o = new_object();

    if(!cJSON_AddItemToArray(statuses, o)) {
      cJSON_Delete(o);
      tm_oom();
    }
    add_string(o, "key", tm_status_key((enum tm_status)i));
    add_string(o, "label", s->label);
    add_string(o, "colour", s->colour);
    add_string(o, "glyph", (unsigned)s->glyph < TM_GLYPH_COUNT ?
                           glyph_name[s->glyph] : "question");
  }

  if(st->base.url) {
    base = new_object();
    add_owned(c, "base", base);
    add_string(base, "url", st->base.url);
    add_string(base, "attribution", st->base.attribution);
    add_number(base, "maxzoom", st->base.maxzoom);
  }
  else
    add_owned(c, "base", cJSON_CreateNull());

  json = print_json(c, false);
  cJSON_Delete(c);
  safe = tm_page_script_json(json);
  free(json);
  return safe;
}

static const char *asset_version(const char *name)
{
  const struct tm_page_asset *a = tm_page_asset_find(name);

  return a ? a->version : "";
}

/* Fills the {{name}} fields of the template. An unknown field is a bug
 * in the template, reported rather than left in the page. */
static enum tm_rc fill_template(const char *tpl, const struct tm_style *st,
                                const char *config, struct tm_error *err,
                                char **out)
{
  struct sbuf b = { 0 };
  const char *p = tpl;
  const char *open;

  while((open = strstr(p, "{{")) != NULL) {
    const char *close = strstr(open + 2, "}}");
    size_t n;
    const char *name;

    if(!close) {
      free(b.p);
      return tm_fail(err, TM_SYSTEM, "page template: unclosed \"{{\"");
    }
    sb_addn(&b, p, (size_t)(open - p));
    name = open + 2;
    n = (size_t)(close - name);
#define FIELD(s) (n == strlen(s) && !strncmp(name, s, n))
    if(FIELD("title"))
      sb_add_html(&b, str_or_empty(st->title));
    else if(FIELD("description"))
      sb_add_html(&b, str_or_empty(st->description));
    else if(FIELD("config"))
      sb_add(&b, config);
    else if(FIELD("app_js_version"))
      sb_add(&b, asset_version("app.js"));
    else if(FIELD("app_css_version"))
      sb_add(&b, asset_version("app.css"));
    else if(FIELD("leaflet_js_version"))
      sb_add(&b, asset_version("vendor/leaflet/leaflet.js"));
    else if(FIELD("leaflet_css_version"))
      sb_add(&b, asset_version("vendor/leaflet/leaflet.css"));
    else {
      free(b.p);
      return tm_fail(err, TM_SYSTEM, "page template: unknown field "
                     "\"{{%.*s}}\"", (int)n, name);
    }
#undef FIELD
    p = close + 2;
  }
  sb_add(&b, p);
  *out = sb_take(&b);
  return TM_OK;
}

/* ---- embed.html ---- */

/* A page that shows the iframe snippet as text, ready to copy. Its src is
 * "index.html"; when embed.html is opened from a web server, a line of
 * script puts in the absolute address it was served from. */
static char *embed_text(const struct tm_style *st)
{
  struct sbuf snippet = { 0 };
  struct sbuf b = { 0 };
  const char *title = st->title && *st->title ? st->title : "trustmap";
  char *s;

  sb_add(&snippet, "<iframe src=\"index.html\" title=\"");
  sb_add_html(&snippet, title);
  sb_add(&snippet, "\" width=\"100%\" height=\"640\" style=\"border:0\" "
                   "loading=\"lazy\"></iframe>");
  s = sb_take(&snippet);

  sb_add(&b,
    "<!DOCTYPE html>\n"
    "<html lang=\"en-GB\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, "
    "initial-scale=1\">\n"
    "<title>Embed: ");
  sb_add_html(&b, title);
  sb_add(&b,
    "</title>\n"
    "<style>\n"
    "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;"
    "padding:1rem;color:#1b1b1b;line-height:1.4}\n"
    "textarea{width:100%;font-family:monospace;font-size:.9rem;"
    "padding:.5rem;border:2px solid #1b1b1b}\n"
    "label{font-weight:bold;display:block;margin-bottom:.25rem}\n"
    "button{font:inherit;padding:.25rem .75rem}\n"
    "iframe{border:1px solid #d0d0d0}\n"
    "</style>\n"
    "</head>\n"
    "<body>\n"
    "<main>\n"
    "<h1>Embed this map</h1>\n"
    "<p>Paste this snippet into a page of your site. The map fills the "
    "width of its column and is 640 pixels high; change "
    "<code>height</code> to suit. If the map will be published at another "
    "address, change <code>src</code> to the address of its "
    "<code>index.html</code>.</p>\n"
    "<label for=\"snippet\">HTML snippet</label>\n"
    "<textarea id=\"snippet\" rows=\"4\" readonly>");
  sb_add_html(&b, s);
  sb_add(&b,
    "</textarea>\n"
    "<p><button type=\"button\" id=\"copy\">Copy the snippet</button> "
    "<span id=\"copied\" role=\"status\"></span></p>\n"
    "<h2>Preview</h2>\n");
  sb_add(&b, s);
  sb_add(&b,
    "\n</main>\n"
    "<script>\n"
    "(function () {\n"
    "  var box = document.getElementById('snippet');\n"
    "  var url = new URL('index.html', location.href).href;\n"
    "  if(/^https?:/.test(url))\n"
    "    box.value = box.value.replace('src=\"index.html\"',\n"
    "                                  'src=\"' + url + '\"');\n"
    "  document.getElementById('copy').addEventListener('click', "
    "function () {\n"
    "    var done = function () {\n"
    "      document.getElementById('copied').textContent = 'Copied.';\n"
    "    };\n"
    "    box.select();\n"
    "    if(navigator.clipboard)\n"
    "      navigator.clipboard.writeText(box.value).then(done, function () "
    "{});\n"
    "    else if(document.execCommand('copy'))\n"
    "      done();\n"
    "  });\n"
    "})();\n"
    "</script>\n"
    "</body>\n"
    "</html>\n");
  free(s);
  return sb_take(&b);
}

/* ---- public ---- */

void tm_page_info_init(struct tm_page_info *info, const struct tm_pins *pins,
                       const struct tm_style *st)
{
  double w = 180, s = 90, e = -180, n = -90;
  double dx, dy, ys, yn;
  size_t i;
  int z;

  memset(info, 0, sizeof(*info));
  info->version = "";
  info->minzoom = st->minzoom;
  info->maxzoom = st->maxzoom;
  info->has_retina = true;

  for(i = 0; i < pins->n; i++) {
    const struct tm_pin *p = &pins->v[i];

    if(p->lon < w)
      w = p->lon;
    if(p->lon > e)
      e = p->lon;
    if(p->lat < s)
      s = p->lat;
    if(p->lat > n)
      n = p->lat;
  }
  if(!pins->n) {
    w = -180;
    e = 180;
    s = -WEB_MERCATOR_MAX_LAT;
    n = WEB_MERCATOR_MAX_LAT;
  }
  s = fmax(s, -WEB_MERCATOR_MAX_LAT);
  n = fmin(n, WEB_MERCATOR_MAX_LAT);
  info->bounds[0] = round6(w);
  info->bounds[1] = round6(s);
  info->bounds[2] = round6(e);
  info->bounds[3] = round6(n);

  /* Centre and extent in Web Mercator, in 256 px tiles at zoom 0. */
  ys = log(tan(M_PI / 4 + s * M_PI / 360));
  yn = log(tan(M_PI / 4 + n * M_PI / 360));
  dx = (e - w) / 360 * 256;
  dy = (yn - ys) / (2 * M_PI) * 256;
  info->center[0] = round6((w + e) / 2);
  info->center[1] = round6(atan(sinh((ys + yn) / 2)) * 180 / M_PI);
  for(z = info->minzoom; z < info->maxzoom; z++) {
    double k = ldexp(1, z + 1);

    if(dx * k > 1024 || dy * k > 768)
      break;
  }
  info->center[2] = z;
}

enum tm_rc tm_page_write(const struct tm_pins *pins,
                         const struct tm_style *st,
                         const struct tm_page_info *info,
                         const char *outdir,
                         struct tm_error *err)
{
  const struct tm_page_asset *tpl;
  char *text = NULL;
  char *config = NULL;
  enum tm_rc rc;
  size_t i;

  if(!version_ok(str_or_empty(info->version)))
    return tm_fail(err, TM_SYSTEM, "page: tile version \"%s\" may only "
                   "hold letters, digits, '-', '_' and '.'", info->version);
  tpl = tm_page_asset_find("template/index.html");
  if(!tpl)
    return tm_fail(err, TM_SYSTEM, "page: index.html template missing "
                   "from the binary");

  text = tilejson_text(st, info);
  rc = write_text(outdir, "tiles.json", text, err);
  TM_FREEF(free, text);
  if(rc)
    return rc;

  config = config_json(pins, st, info);
  rc = fill_template((const char *)tpl->data, st, config, err, &text);
  free(config);
  if(rc)
    return rc;
  rc = write_text(outdir, "index.html", text, err);
  TM_FREEF(free, text);
  if(rc)
    return rc;

  text = embed_text(st);
  rc = write_text(outdir, "embed.html", text, err);
  TM_FREEF(free, text);
  if(rc)
    return rc;

  for(i = 0; i < tm_page_assets_count; i++) {
    const struct tm_page_asset *a = &tm_page_assets[i];

    if(!tm_page_asset_is_copied(a))
      continue;
    rc = write_file(outdir, a->name, a->data, a->size, err);
    if(rc)
      return rc;
  }
  return TM_OK;
}

char *tm_page_html_escape(const char *text)
{
  struct sbuf b = { 0 };
  const char *p;

  for(p = text; *p; p++) {
    switch(*p) {
    case '&': sb_add(&b, "&amp;"); break;
    case '<': sb_add(&b, "&lt;"); break;
    case '>': sb_add(&b, "&gt;"); break;
    case '"': sb_add(&b, "&quot;"); break;
    case '\'': sb_add(&b, "&#39;"); break;
    default: sb_addn(&b, p, 1); break;
    }
  }
  return sb_take(&b);
}

char *tm_page_script_json(const char *json)
{
  struct sbuf b = { 0 };
  const char *p;

  for(p = json; *p; p++) {
    unsigned char c = (unsigned char)*p;

    if(c == '<')
      sb_add(&b, "\\u003c");
    else if(c == '>')
      sb_add(&b, "\\u003e");
    else if(c == '&')
      sb_add(&b, "\\u0026");
    else if(c == 0xE2 && (unsigned char)p[1] == 0x80 &&
            ((unsigned char)p[2] == 0xA8 || (unsigned char)p[2] == 0xA9)) {
      /* U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: line ends
       * for older JavaScript parsers. */
      sb_add(&b, (unsigned char)p[2] == 0xA8 ? "\\u2028" : "\\u2029");
      p += 2;
    }
    else
      sb_addn(&b, p, 1);
  }
  return sb_take(&b);
}
