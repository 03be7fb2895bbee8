/* test_page.c - page.c: TileJSON fields, escaping of untrusted text in
 * index.html (HTML text and the JSON configuration inside <script>),
 * the legend HTML, the assets and I/O errors.
 *
 * Each test writes into its own temporary folder and removes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "page.h"
#include "page/assets.h"

#define HOSTILE "</script><img src=x onerror=alert(1)>"

struct fixture {
  char dir[64];
  struct tm_style style;
  struct tm_pins *pins;
  struct tm_page_info info;
};

static void set_status(struct tm_style *st, enum tm_status s,
                       const char *label, const char *colour,
                       uint8_t r, uint8_t g, uint8_t b, enum tm_glyph glyph)
{
  st->status[s].label = tm_xstrdup(label);
  snprintf(st->status[s].colour, sizeof(st->status[s].colour), "%s",
           colour);
  st->status[s].rgb.r = r;
  st->status[s].rgb.g = g;
  st->status[s].rgb.b = b;
  st->status[s].glyph = glyph;
}

static void add_pin(struct tm_pins *pins, const char *code, const char *name,
                    double lon, double lat)
{
  struct tm_pin *p = tm_pins_add(pins);

  p->code = tm_strpool_add(pins->pool, code);
  p->name = tm_strpool_add(pins->pool, name);
  p->trust_code = p->code;
  p->trust_name = p->name;
  p->nation = TM_NATION_ENGLAND;
  p->status = TM_STATUS_COLLECTING;
  p->lon = lon;
  p->lat = lat;
}

static int setup(void **state)
{
  struct fixture *fx = tm_xcalloc(1, sizeof(*fx));
  struct tm_style *st = &fx->style;

  snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_page.XXXXXX");
  if(!mkdtemp(fx->dir))
    return -1;
  st->title = tm_xstrdup("Is your hospital counting?");
  st->description = tm_xstrdup("Which trusts record secondary breast "
                               "cancer");
  st->attribution = tm_xstrdup("FOI answers & NHS ODS");
  st->minzoom = 4;
  st->maxzoom = 12;
  set_status(st, TM_STATUS_COLLECTING, "Hospital Trust is collecting data",
             "#1a9641", 0x1a, 0x96, 0x41, TM_GLYPH_TICK);
  set_status(st, TM_STATUS_PARTIAL, "Hospital Trust is partially "
             "collecting data", "#fdae61", 0xfd, 0xae, 0x61, TM_GLYPH_HALF);
  set_status(st, TM_STATUS_NOT_COLLECTING, "Hospital Trust is not "
             "collecting data", "#d7191c", 0xd7, 0x19, 0x1c, TM_GLYPH_CROSS);
  set_status(st, TM_STATUS_NO_RESPONSE, "No response received", "#7f7f7f",
             0x7f, 0x7f, 0x7f, TM_GLYPH_QUESTION);
  st->pin.width = 22;
  st->pin.height = 32;
  st->pin.outline = 2;
  st->base.url = NULL;

  fx->pins = tm_pins_new();
  add_pin(fx->pins, "RJ1", "Guy's and St Thomas'", -0.118092, 51.498995);
  add_pin(fx->pins, "RM1", "Norfolk and Norwich", 1.219, 52.618);
  fx->pins->round = "2025-09";

  tm_page_info_init(&fx->info, fx->pins, st);
  fx->info.version = "3f9a1c2b7e";
  *state = fx;
  return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static int teardown(void **state)
{
  struct fixture *fx = *state;
  int i;

  nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  for(i = 0; i < TM_STATUS_COUNT; i++)
    free(fx->style.status[i].label);
  free(fx->style.title);
  free(fx->style.description);
  free(fx->style.attribution);
  free(fx->style.base.url);
  free(fx->style.base.attribution);
  tm_pins_free(fx->pins);
  free(fx);
  return 0;
}

/* Reads dir/rel into a new NUL-terminated string; *len gets its size. */
static char *slurp(const char *dir, const char *rel, size_t *len)
{
  char path[256];
  FILE *fp;
  char *buf;
  long n;

  snprintf(path, sizeof(path), "%s/%s", dir, rel);
  fp = fopen(path, "rb");
  assert_non_null(fp);
  assert_int_equal(fseek(fp, 0, SEEK_END), 0);
  n = ftell(fp);
  assert_true(n >= 0);
  rewind(fp);
  buf = tm_xmalloc((size_t)n + 1);
  assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
  buf[n] = '\0';
  fclose(fp);
  if(len)
    *len = (size_t)n;
  return buf;
}

static void write_page(struct fixture *fx)
{
  struct tm_error err = { 0 };

  assert_int_equal(tm_page_write(fx->pins, &fx->style, &fx->info, fx->dir,
                                 &err), TM_OK);
}

static cJSON *read_tilejson(struct fixture *fx)
{
  char *text = slurp(fx->dir, "tiles.json", NULL);
  cJSON *tj = cJSON_Parse(text);

  free(text);
  assert_non_null(tj);
  return tj;
}

/* The text of <script type="application/json" id="config">. */
static char *config_text(const char *html)
{
  static const char open[] =
    "<script type=\"application/json\" id=\"config\">";
  const char *start = strstr(html, open);
  const char *end;

  assert_non_null(start);
  start += strlen(open);
  end = strstr(start, "</script>");
  assert_non_null(end);
  return tm_xstrndup(start, (size_t)(end - start));
}

static void tiles_json_should_have_tilejson_3_fields(void **state)
{
  struct fixture *fx = *state;
  cJSON *tj, *a;

  write_page(fx);
  tj = read_tilejson(fx);
  assert_string_equal(cJSON_GetObjectItem(tj, "tilejson")->valuestring,
                      "3.0.0");
  a = cJSON_GetObjectItem(tj, "tiles");
  assert_int_equal(cJSON_GetArraySize(a), 1);
  assert_string_equal(cJSON_GetArrayItem(a, 0)->valuestring,
                      "tiles/{z}/{x}/{y}.png?v=3f9a1c2b7e");
  assert_int_equal(cJSON_GetObjectItem(tj, "minzoom")->valueint, 4);
  assert_int_equal(cJSON_GetObjectItem(tj, "maxzoom")->valueint, 12);
  a = cJSON_GetObjectItem(tj, "bounds");
  assert_int_equal(cJSON_GetArraySize(a), 4);
  assert_float_equal(cJSON_GetArrayItem(a, 0)->valuedouble, -0.118092, 1e-9);
  assert_float_equal(cJSON_GetArrayItem(a, 1)->valuedouble, 51.498995, 1e-9);
  assert_float_equal(cJSON_GetArrayItem(a, 2)->valuedouble, 1.219, 1e-9);
  assert_float_equal(cJSON_GetArrayItem(a, 3)->valuedouble, 52.618, 1e-9);
  a = cJSON_GetObjectItem(tj, "center");
  assert_int_equal(cJSON_GetArraySize(a), 3);
  assert_float_equal(cJSON_GetArrayItem(a, 0)->valuedouble, 0.550454, 1e-9);
  assert_true(cJSON_GetArrayItem(a, 1)->valuedouble > 51.5 &&
              cJSON_GetArrayItem(a, 1)->valuedouble < 52.618);
  assert_true(cJSON_GetArrayItem(a, 2)->valueint >= 4 &&
              cJSON_GetArrayItem(a, 2)->valueint <= 12);
  assert_string_equal(cJSON_GetObjectItem(tj, "name")->valuestring,
                      "Is your hospital counting?");
  assert_string_equal(cJSON_GetObjectItem(tj, "description")->valuestring,
                      fx->style.description);
  /* TileJSON's attribution is HTML: the '&' of the plain text is escaped */
  assert_string_equal(cJSON_GetObjectItem(tj, "attribution")->valuestring,
                      "FOI answers &amp; NHS ODS");
  assert_string_equal(cJSON_GetObjectItem(tj, "version")->valuestring,
                      "1.0.0+3f9a1c2b7e");
  a = cJSON_GetObjectItem(tj, "data");
  assert_string_equal(cJSON_GetArrayItem(a, 0)->valuestring,
                      "trusts.geojson");
  assert_non_null(strstr(cJSON_GetObjectItem(tj, "legend")->valuestring,
                         "No response received"));
  cJSON_Delete(tj);
}

static void tiles_json_should_leave_out_version_when_none(void **state)
{
  struct fixture *fx = *state;
  cJSON *tj;

  fx->info.version = NULL;
  write_page(fx);
  tj = read_tilejson(fx);
  assert_string_equal(
    cJSON_GetArrayItem(cJSON_GetObjectItem(tj, "tiles"), 0)->valuestring,
    "tiles/{z}/{x}/{y}.png");
  cJSON_Delete(tj);
}

static void hostile_title_should_be_html_text_in_index_html(void **state)
{
  struct fixture *fx = *state;
  char *html, *cfg;

  free(fx->style.title);
  fx->style.title = tm_xstrdup(HOSTILE);
  free(fx->style.description);
  fx->style.description = tm_xstrdup("\"quoted\" & 'single'");
  write_page(fx);
  html = slurp(fx->dir, "index.html", NULL);
  assert_null(strstr(html, "<img"));
  assert_non_null(strstr(html, "<title>&lt;/script&gt;&lt;img src=x "
                               "onerror=alert(1)&gt;</title>"));
  assert_non_null(strstr(html, "<h1>&lt;/script&gt;&lt;img src=x "
                               "onerror=alert(1)&gt;</h1>"));
  /* in an attribute value too */
  assert_non_null(strstr(html, "content=\"&quot;quoted&quot; &amp; "
                               "&#39;single&#39;\""));
  /* the one "</script>" after the config is the element's own end */
  cfg = config_text(html);
  assert_null(strchr(cfg, '<'));
  free(cfg);
  free(html);
}

static void hostile_text_should_not_end_the_config_script(void **state)
{
  struct fixture *fx = *state;
  char *html, *cfg;
  cJSON *j, *statuses;

  free(fx->style.status[TM_STATUS_PARTIAL].label);
  fx->style.status[TM_STATUS_PARTIAL].label = tm_xstrdup(HOSTILE " & more");
  free(fx->style.status[TM_STATUS_NO_RESPONSE].label);
  fx->style.status[TM_STATUS_NO_RESPONSE].label = tm_xstrdup("<!-- <script>");
  fx->pins->round = HOSTILE;
  write_page(fx);
  html = slurp(fx->dir, "index.html", NULL);
  cfg = config_text(html);
  assert_null(strchr(cfg, '<'));
  assert_null(strchr(cfg, '>'));
  assert_null(strchr(cfg, '&'));
  assert_non_null(strstr(cfg, "\\u003c/script\\u003e\\u003cimg src=x "
                              "onerror=alert(1)\\u003e \\u0026 more"));
  /* and it is still JSON that means the original text */
  j = cJSON_Parse(cfg);
  assert_non_null(j);
  statuses = cJSON_GetObjectItem(j, "statuses");
  assert_string_equal(
    cJSON_GetObjectItem(cJSON_GetArrayItem(statuses, 1), "label")
      ->valuestring, HOSTILE " & more");
  assert_string_equal(
    cJSON_GetObjectItem(cJSON_GetArrayItem(statuses, 3), "label")
      ->valuestring, "<!-- <script>");
  assert_string_equal(cJSON_GetObjectItem(j, "round")->valuestring,
                      HOSTILE);
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "base")));
  cJSON_Delete(j);
  free(cfg);
  free(html);
}

static void line_separators_should_be_escaped_in_config(void **state)
{
  struct fixture *fx = *state;
  char *html, *cfg;
  cJSON *j;

  fx->pins->round = "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c";
  write_page(fx);
  html = slurp(fx->dir, "index.html", NULL);
  cfg = config_text(html);
  assert_null(strstr(cfg, "\xe2\x80\xa8"));
  assert_null(strstr(cfg, "\xe2\x80\xa9"));
  assert_non_null(strstr(cfg, "a\\u2028b\\u2029c"));
  j = cJSON_Parse(cfg);
  assert_non_null(j);
  assert_string_equal(cJSON_GetObjectItem(j, "round")->valuestring,
                      "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c");
  cJSON_Delete(j);
  free(cfg);
  free(html);
}

static void script_json_should_escape_only_what_it_must(void **state)
{
  char *s;

  (void)state;
  s = tm_page_script_json("{\"a\":\"</script>&\xe2\x80\xa8\xe2\x80\xa6\"}");
  /* U+2026 (E2 80 A6) is left alone */
  assert_string_equal(s, "{\"a\":\"\\u003c/script\\u003e\\u0026\\u2028"
                         "\xe2\x80\xa6\"}");
  free(s);
}

static void legend_should_escape_labels(void **state)
{
  struct fixture *fx = *state;
  cJSON *tj;
  const char *legend;

  free(fx->style.status[TM_STATUS_NO_RESPONSE].label);
  fx->style.status[TM_STATUS_NO_RESPONSE].label = tm_xstrdup(HOSTILE);
  write_page(fx);
  tj = read_tilejson(fx);
  legend = cJSON_GetObjectItem(tj, "legend")->valuestring;
  assert_null(strstr(legend, "<img"));
  assert_null(strstr(legend, "</script>"));
  assert_non_null(strstr(legend, "&lt;/script&gt;&lt;img src=x "
                                 "onerror=alert(1)&gt;"));
  /* glyph and colour are in the key, not colour alone */
  assert_non_null(strstr(legend, "#1a9641"));
  assert_non_null(strstr(legend, "&#10003;"));
  assert_non_null(strstr(legend, "Hospital Trust is collecting data"));
  cJSON_Delete(tj);
}

static void base_layer_should_go_into_config_when_set(void **state)
{
  struct fixture *fx = *state;
  char *html, *cfg;
  cJSON *j, *base;

  fx->style.base.url = tm_xstrdup("https://tile.example.org/{z}/{x}/{y}"
                                  ".png");
  fx->style.base.attribution = tm_xstrdup("Example <contributors>");
  fx->style.base.maxzoom = 18;
  write_page(fx);
  html = slurp(fx->dir, "index.html", NULL);
  cfg = config_text(html);
  j = cJSON_Parse(cfg);
  assert_non_null(j);
  base = cJSON_GetObjectItem(j, "base");
  assert_string_equal(cJSON_GetObjectItem(base, "url")->valuestring,
                      fx->style.base.url);
  assert_string_equal(cJSON_GetObjectItem(base, "attribution")->valuestring,
                      "Example <contributors>");
  assert_int_equal(cJSON_GetObjectItem(base, "maxzoom")->valueint, 18);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "retina")));
  assert_string_equal(cJSON_GetObjectItem(j, "version")->valuestring,
                      "3f9a1c2b7e");
  cJSON_Delete(j);
  free(cfg);
  free(html);
}

static void page_should_write_every_asset(void **state)
{
  struct fixture *fx = *state;
  size_t i, len, n = 0;

  write_page(fx);
  for(i = 0; i < tm_page_assets_count; i++) {
    const struct tm_page_asset *a = &tm_page_assets[i];
    char *data;

    if(!tm_page_asset_is_copied(a))
      continue;
    data = slurp(fx->dir, a->name, &len);
    assert_int_equal(len, a->size);
    assert_memory_equal(data, a->data, len);
    free(data);
    n++;
  }
  assert_non_null(tm_page_asset_find("app.js"));
  assert_non_null(tm_page_asset_find("app.css"));
  assert_non_null(tm_page_asset_find("vendor/leaflet/leaflet.js"));
  assert_non_null(tm_page_asset_find("vendor/leaflet/leaflet.css"));
  assert_non_null(tm_page_asset_find("vendor/leaflet/images/layers.png"));
  assert_null(tm_page_asset_find("template/nothing.html"));
  assert_true(n >= 5);
  /* The built-in style is an input, never published. */
  assert_non_null(tm_page_asset_find("builtin/default-style.json"));
  {
    char *builtin = tm_xasprintf("%s/builtin", fx->dir);

    assert_int_not_equal(access(builtin, F_OK), 0);
    free(builtin);
  }
}

static void index_html_should_link_assets_with_their_versions(void **state)
{
  struct fixture *fx = *state;
  char *html, *want;

  write_page(fx);
  html = slurp(fx->dir, "index.html", NULL);
  assert_null(strstr(html, "{{"));
  want = tm_xasprintf("src=\"app.js?v=%s\"",
                      tm_page_asset_find("app.js")->version);
  assert_non_null(strstr(html, want));
  free(want);
  want = tm_xasprintf("href=\"vendor/leaflet/leaflet.css?v=%s\"",
                      tm_page_asset_find("vendor/leaflet/leaflet.css")
                        ->version);
  assert_non_null(strstr(html, want));
  free(want);
  /* relative URLs only: nothing from another site */
  assert_null(strstr(html, "src=\"http"));
  assert_null(strstr(html, "href=\"http"));
  assert_null(strstr(html, "src=\"//"));
  free(html);
}

static void embed_html_should_show_the_snippet_as_text(void **state)
{
  struct fixture *fx = *state;
  char *html;

  free(fx->style.title);
  fx->style.title = tm_xstrdup(HOSTILE);
  write_page(fx);
  html = slurp(fx->dir, "embed.html", NULL);
  /* the snippet shown as text: escaped once for the attribute, once more
   * for the text of the textarea */
  assert_non_null(strstr(html, "&lt;iframe src=&quot;index.html&quot; "
                               "title=&quot;&amp;lt;/script&amp;gt;"
                               "&amp;lt;img src=x onerror=alert(1)"
                               "&amp;gt;&quot;"));
  assert_null(strstr(html, "<img"));
  free(html);
}

static void same_input_should_give_same_bytes(void **state)
{
  struct fixture *fx = *state;
  const char *files[] = { "tiles.json", "index.html", "embed.html" };
  char *first[3];
  size_t i;

  write_page(fx);
  for(i = 0; i < 3; i++)
    first[i] = slurp(fx->dir, files[i], NULL);
  write_page(fx);
  for(i = 0; i < 3; i++) {
    char *again = slurp(fx->dir, files[i], NULL);

    assert_string_equal(first[i], again);
    free(again);
    free(first[i]);
  }
}

static void missing_folder_should_fail_with_its_path(void **state)
{
  struct fixture *fx = *state;
  struct tm_error err = { 0 };
  char *dir = tm_xasprintf("%s/no/such/folder", fx->dir);

  assert_int_equal(tm_page_write(fx->pins, &fx->style, &fx->info, dir, &err),
                   TM_SYSTEM);
  assert_int_equal(err.rc, TM_SYSTEM);
  assert_non_null(strstr(err.msg, dir));
  assert_non_null(strstr(err.msg, "No such file or directory"));
  free(dir);
}

static void bad_version_should_be_refused(void **state)
{
  struct fixture *fx = *state;
  struct tm_error err = { 0 };

  fx->info.version = "abc\"><script>";
  assert_int_equal(tm_page_write(fx->pins, &fx->style, &fx->info, fx->dir,
                                 &err), TM_SYSTEM);
  assert_non_null(strstr(err.msg, "version"));
}

static void info_should_cover_every_pin(void **state)
{
  struct fixture *fx = *state;
  struct tm_page_info info;

  tm_page_info_init(&info, fx->pins, &fx->style);
  assert_float_equal(info.bounds[0], -0.118092, 1e-9);
  assert_float_equal(info.bounds[1], 51.498995, 1e-9);
  assert_float_equal(info.bounds[2], 1.219, 1e-9);
  assert_float_equal(info.bounds[3], 52.618, 1e-9);
  assert_int_equal(info.minzoom, 4);
  assert_int_equal(info.maxzoom, 12);
  assert_true(info.has_retina);
  assert_string_equal(info.version, "");
  /* 1.12 degrees of latitude at 52N are 662 px high at zoom 9 and would
   * be 1325 px at zoom 10: too high for 768 px */
  assert_int_equal((int)info.center[2], 9);
}

static void center_zoom_should_stay_within_the_tile_zooms(void **state)
{
  struct fixture *fx = *state;
  cJSON *tj;

  fx->info.maxzoom = 6;      /* as with --maxzoom 6: center zoom was 9 */
  write_page(fx);
  tj = read_tilejson(fx);
  assert_int_equal(
    cJSON_GetArrayItem(cJSON_GetObjectItem(tj, "center"), 2)->valueint, 6);
  assert_int_equal(cJSON_GetObjectItem(tj, "maxzoom")->valueint, 6);
  cJSON_Delete(tj);
}

static void info_without_pins_should_show_the_world(void **state)
{
  struct fixture *fx = *state;
  struct tm_pins *none = tm_pins_new();
  struct tm_page_info info;

  tm_page_info_init(&info, none, &fx->style);
  assert_float_equal(info.bounds[0], -180, 1e-9);
  assert_float_equal(info.bounds[2], 180, 1e-9);
  assert_float_equal(info.center[0], 0, 1e-9);
  assert_float_equal(info.center[1], 0, 1e-9);
  assert_int_equal((int)info.center[2], 4);
  tm_pins_free(none);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    T(tiles_json_should_have_tilejson_3_fields),
    T(tiles_json_should_leave_out_version_when_none),
    T(hostile_title_should_be_html_text_in_index_html),
    T(hostile_text_should_not_end_the_config_script),
    T(line_separators_should_be_escaped_in_config),
    cmocka_unit_test(script_json_should_escape_only_what_it_must),
    T(legend_should_escape_labels),
    T(base_layer_should_go_into_config_when_set),
    T(page_should_write_every_asset),
    T(index_html_should_link_assets_with_their_versions),
    T(embed_html_should_show_the_snippet_as_text),
    T(same_input_should_give_same_bytes),
    T(missing_folder_should_fail_with_its_path),
    T(bad_version_should_be_refused),
    T(info_should_cover_every_pin),
    T(center_zoom_should_stay_within_the_tile_zooms),
    T(info_without_pins_should_show_the_world),
#undef T
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
