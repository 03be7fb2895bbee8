/* style.c - the style file (e.g. styles/default.json) -> struct tm_style.
 *
 * The only file that parses style JSON (cJSON). Every key is checked:
 * unknown keys, wrong types, values out of range and statuses that are
 * missing or clash each give one problem naming the key's path
 * ("statuses.partial.colour: ..."), and checking goes on, so one run lists
 * every fault in the file. Absent optional keys take the defaults below.
 *
 * Status spellings ("Yes", "N/A", blank...) are matched after
 * tm_status_normalise(); each status's alias list starts with its own key,
 * so "not_collecting" and "Not collecting" always mean not_collecting.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "style.h"

/* A style file holds a few settings; anything bigger is the wrong file,
 * and the cap bounds the work a hostile file can cause. */
#define STYLE_MAX_BYTES ((size_t)1024 * 1024)
/* cJSON parses recursively and gives up past this depth; we say so first,
 * with the place, instead of a bare parse error. */
#define STYLE_MAX_DEPTH CJSON_NESTING_LIMIT
#define ZOOM_MAX 22
/* Keeps alias clash checks cheap on hostile input. */
#define MAX_ALIASES 1000
/* The key draws a label on one line: a longer one would make a legend
 * image wider than PNG encoders and cairo take. */
#define LABEL_MAX_CHARS 120

#define DEFAULT_TITLE "trustmap"
#define DEFAULT_MINZOOM 0
#define DEFAULT_MAXZOOM 14
#define DEFAULT_BASE_URL "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#define DEFAULT_BASE_ATTRIBUTION "\xc2\xa9 OpenStreetMap contributors"
#define DEFAULT_BASE_MAXZOOM 19

#define KIND_JSON "style-json"
#define KIND_KEY "style-key"
#define KIND_VALUE "style-value"
#define KIND_FILE "style-file"

static const char *const top_keys[] = {
  "title", "description", "attribution", "minzoom", "maxzoom", "pin",
  "cluster", "base_layer", "statuses"
};
static const char *const pin_keys[] = {
  "width", "height", "outline", "shadow"
};
static const char *const cluster_keys[] = {
  "enabled", "radius", "maxzoom"
};
static const char *const base_keys[] = {
  "url", "attribution", "maxzoom"
};
static const char *const status_item_keys[] = {
  "label", "colour", "glyph", "aliases"
};
static const char *const status_keys[TM_STATUS_COUNT] = {
  "collecting", "partial", "not_collecting", "no_response"
};
/* The keys as tm_status_normalise() turns them out. */
static const char *const status_keys_normal[TM_STATUS_COUNT] = {
  "collecting", "partial", "not collecting", "no response"
};
static const char *const glyph_names[TM_GLYPH_COUNT] = {
  "tick", "half", "cross", "question"
};

struct parse {
  struct tm_problems *probs;
  struct tm_where where;
  struct tm_style *st;
  bool seen[TM_STATUS_COUNT];
  bool colour_ok[TM_STATUS_COUNT];
  bool glyph_ok[TM_STATUS_COUNT];
};

/* ---- messages ------------------------------------------------------- */

static char *vformat(const char *fmt, va_list ap) TM_PRINTF(1, 0);

static char *vformat(const char *fmt, va_list ap)
{
  va_list ap2;
  char *p;
  int n;

  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if(n < 0)
    n = 0;
  p = tm_xmalloc((size_t)n + 1);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  return p;
}

static void vreport(struct parse *ps, bool error, const char *kind,
                    const char *fix, const char *fmt, va_list ap)
  TM_PRINTF(5, 0);

static void vreport(struct parse *ps, bool error, const char *kind,
                    const char *fix, const char *fmt, va_list ap)
{
  char *msg = vformat(fmt, ap);

  if(error)
    tm_problem_error(ps->probs, &ps->where, kind, fix, "%s", msg);
  else
    tm_problem_note(ps->probs, &ps->where, kind, fix, "%s", msg);
  free(msg);
}

static void json_error(struct parse *ps, const char *fix,
                       const char *fmt, ...) TM_PRINTF(3, 4);
static void key_error(struct parse *ps, const char *fix,
                      const char *fmt, ...) TM_PRINTF(3, 4);
static void value_error(struct parse *ps, const char *fix,
                        const char *fmt, ...) TM_PRINTF(3, 4);
static void value_note(struct parse *ps, const char *fix,
                       const char *fmt, ...) TM_PRINTF(3, 4);

static void json_error(struct parse *ps, const char *fix,
                       const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vreport(ps, true, KIND_JSON, fix, fmt, ap);
  va_end(ap);
}

static void key_error(struct parse *ps, const char *fix,
                      const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vreport(ps, true, KIND_KEY, fix, fmt, ap);
  va_end(ap);
}

static void value_error(struct parse *ps, const char *fix,
                        const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vreport(ps, true, KIND_VALUE, fix, fmt, ap);
  va_end(ap);
}

static void value_note(struct parse *ps, const char *fix,
                       const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vreport(ps, false, KIND_VALUE, fix, fmt, ap);
  va_end(ap);
}

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_seq_len(const char *s, size_t n)
{
  unsigned char c = (unsigned char)s[0];
  size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

  if(len > n || !tm_utf8_valid(s, len))
    return 0;
  return len;
}

/* n bytes of untrusted text as a message shows them: in double quotes,
 * with quotes, backslashes, control characters and bytes that are not
 * UTF-8 escaped, cut after max bytes with "...". */
static char *quote_bytes(const char *s, size_t n, size_t max)
{
  char *out = tm_xmalloc((max < n ? max : n) * 4 + 8);
  size_t i = 0, o = 0;

  out[o++] = '"';
  while(i < n && i < max) {
    unsigned char c = (unsigned char)s[i];
    size_t len = c >= 0x80 ? utf8_seq_len(s + i, n - i) : 0;

    if(c == '"' || c == '\\') {
      out[o++] = '\\';
      out[o++] = (char)c;
      i++;
    }
    else if(c >= 0x20 && c < 0x7f) {
      out[o++] = (char)c;
      i++;
    }
    else if(len) {
      if(i + len > max)
        break;    /* a character that does not fit: cut before it */
      memcpy(out + o, s + i, len);
      o += len;
      i += len;
    }
    else {
      snprintf(out + o, 5, "\\x%02x", c);
      o += 4;
      i++;
    }
  }
  out[o++] = '"';
  if(i < n) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o] = '\0';
  return out;
}

/* A JSON value as a message shows it. */
static char *repr(const cJSON *v)
{
  if(cJSON_IsString(v))
    return quote_bytes(v->valuestring, strlen(v->valuestring), 40);
  if(cJSON_IsNumber(v)) {
    double d = v->valuedouble;

    if(isfinite(d) && d == floor(d) && fabs(d) < 1e15)
      return tm_xasprintf("%.0f", d);
    return tm_xasprintf("%g", d);
  }
  if(cJSON_IsTrue(v))
    return tm_xstrdup("true");
  if(cJSON_IsFalse(v))
    return tm_xstrdup("false");
  if(cJSON_IsNull(v))
    return tm_xstrdup("null");
  if(cJSON_IsArray(v))
    return tm_xstrdup("an array");
  if(cJSON_IsObject(v))
    return tm_xstrdup("an object");
  return tm_xstrdup("an unknown value");
}

/* "pin" + "width" -> "pin.width"; at the top level just the key. */
static char *join_path(const char *path, const char *key)
{
  if(!path[0])
    return tm_xstrdup(key);
  return tm_xasprintf("%s.%s", path, key);
}

static char *join_words(const char *const *words, size_t n)
{
  size_t i, len = 1, o = 0;
  char *out;

  for(i = 0; i < n; i++)
    len += strlen(words[i]) + 2;
  out = tm_xmalloc(len);
  for(i = 0; i < n; i++) {
    size_t k = strlen(words[i]);

    if(i) {
      memcpy(out + o, ", ", 2);
      o += 2;
    }
    memcpy(out + o, words[i], k);
    o += k;
  }
  out[o] = '\0';
  return out;
}

/* Levenshtein distance ignoring ASCII case, for "did you mean"; long
 * strings get none. */
static size_t edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b), i, j;
  size_t prev[33], cur[33];

  if(la > 32 || lb > 32)
    return SIZE_MAX;
  for(j = 0; j <= lb; j++)
    prev[j] = j;
  for(i = 1; i <= la; i++) {
    cur[0] = i;
    for(j = 1; j <= lb; j++) {
      size_t best = prev[j - 1] +
        (tm_ascii_lower(a[i - 1]) != tm_ascii_lower(b[j - 1]));

      if(prev[j] + 1 < best)
        best = prev[j] + 1;
      if(cur[j - 1] + 1 < best)
        best = cur[j - 1] + 1;
      cur[j] = best;
    }
    memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
  }
  return prev[lb];
}

/* "did you mean "maxzoom"? known: ..." or "known: ...". */
static char *known_fix(const char *key, const char *const *known, size_t n)
{
  const char *best = NULL;
  size_t i, bestd = SIZE_MAX;
  char *list = join_words(known, n);
  char *fix;

  for(i = 0; i < n; i++) {
    size_t d = edit_distance(key, known[i]);

    if(d < bestd && d <= 2 && d * 3 <= strlen(known[i])) {
      best = known[i];
      bestd = d;
    }
  }
  if(best)
    fix = tm_xasprintf("did you mean \"%s\"? known: %s", best, list);
  else
    fix = tm_xasprintf("known: %s", list);
  free(list);
  return fix;
}

static void missing(struct parse *ps, const char *path, const char *key,
                    const char *fix)
{
  if(!path[0])
    key_error(ps, fix, "missing \"%s\"", key);
  else
    key_error(ps, fix, "%s: missing \"%s\"", path, key);
}

/* Reports keys of obj that are not in known[] or come twice (cJSON keeps
 * both; other JSON readers keep the last). */
static void check_keys(struct parse *ps, const cJSON *obj, const char *path,
                       const char *const *known, size_t n)
{
  const cJSON *c;
  bool seen[16] = { false };

  cJSON_ArrayForEach(c, obj) {
    size_t i;

    for(i = 0; i < n; i++)
      if(!strcmp(c->string, known[i]))
        break;
    if(i == n) {
      char *fix = known_fix(c->string, known, n);
      char *q = quote_bytes(c->string, strlen(c->string), 40);

      if(!path[0])
        key_error(ps, fix, "unknown key %s", q);
      else
        key_error(ps, fix, "%s: unknown key %s", path, q);
      free(q);
      free(fix);
    }
    else if(seen[i]) {
      char *full = join_path(path, known[i]);

      key_error(ps, "keep one of them", "%s: key given twice", full);
      free(full);
    }
    else
      seen[i] = true;
  }
}

/* ---- values --------------------------------------------------------- */

/* Characters (code points) in valid UTF-8 text. */
static size_t utf8_chars(const char *s)
{
  size_t n = 0;

  for(; *s; s++)
    if(((unsigned char)*s & 0xc0) != 0x80)
      n++;
  return n;
}

/* True for "<a", "</", "<!" and "<?": text that a browser would read as
 * markup. A lone "<" (as in "< 10%") is plain text. */
static bool looks_like_html(const char *s)
{
  for(; *s; s++) {
    char c = s[1];

    if(*s == '<' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     c == '/' || c == '!' || c == '?'))
      return true;
  }
  return false;
}

/* Checks text shown to readers; returns false after reporting. */
static bool check_text(struct parse *ps, const char *full, const char *s,
                       bool may_be_empty)
{
  const char *p;

  if(!tm_utf8_valid(s, strlen(s))) {
    value_error(ps, "save the style file as UTF-8",
                "%s: not valid UTF-8 text", full);
    return false;
  }
  for(p = s; *p; p++) {
    if((unsigned char)*p < 0x20 || *p == 0x7f) {
      value_error(ps, "keep it on one line, without tabs or control "
                  "characters",
                  "%s: contains a control character (\\x%02x)", full,
                  (unsigned)(unsigned char)*p);
      return false;
    }
  }
  if(!may_be_empty) {
    for(p = s; *p == ' '; p++)
      ;
    if(!*p) {
      value_error(ps, "write some text, or leave the key out for the "
                  "default", "%s: must not be empty", full);
      return false;
    }
  }
  if(looks_like_html(s)) {
    value_error(ps, "write plain text: the map shows it exactly as "
                "written, tags and all",
                "%s: contains HTML; use plain text", full);
    return false;
  }
  return true;
}

/* Reads obj.key as text into *out (replacing the default) when it is
 * present and fit to show. */
static void get_text(struct parse *ps, const cJSON *obj, const char *path,
                     const char *key, bool may_be_empty, char **out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  char *full, *shown;

  if(!v)
    return;
  full = join_path(path, key);
  if(!cJSON_IsString(v)) {
    shown = repr(v);
    value_error(ps, "write text in double quotes",
                "%s: must be a string, not %s", full, shown);
    free(shown);
  }
  else if(check_text(ps, full, v->valuestring, may_be_empty)) {
    free(*out);
    *out = tm_xstrdup(v->valuestring);
  }
  free(full);
}

/* Reads obj.key as a number in [min, max] into *out; an absent key
 * leaves the default there. */
static bool get_number(struct parse *ps, const cJSON *obj,
                       const char *path, const char *key, double min,
                       double max, bool whole, double *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  char *full, *shown, *fix;

  if(!v)
    return true;
  if(cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
     v->valuedouble >= min && v->valuedouble <= max &&
     (!whole || v->valuedouble == floor(v->valuedouble))) {
    *out = v->valuedouble;
    return true;
  }
  full = join_path(path, key);
  shown = repr(v);
  fix = tm_xasprintf("the default is %g", *out);
  value_error(ps, fix, "%s: must be a %s between %g and %g, not %s", full,
              whole ? "whole number" : "number", min, max, shown);
  free(fix);
  free(shown);
  free(full);
  return false;
}

static bool get_zoom(struct parse *ps, const cJSON *obj, const char *path,
                     const char *key, int *out)
{
  double d = *out;

  if(!get_number(ps, obj, path, key, 0, ZOOM_MAX, true, &d))
    return false;
  *out = (int)d;
  return true;
}

static void get_bool(struct parse *ps, const cJSON *obj, const char *path,
                     const char *key, bool *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  char *full, *shown, *fix;

  if(!v)
    return;
  if(cJSON_IsBool(v)) {
    *out = cJSON_IsTrue(v);
    return;
  }
  full = join_path(path, key);
  shown = repr(v);
  fix = tm_xasprintf("write true or false without quotes; the default is "
                     "%s", *out ? "true" : "false");
  value_error(ps, fix, "%s: must be true or false, not %s", full, shown);
  free(fix);
  free(shown);
  free(full);
}

/* Returns the object at obj.key, NULL when absent or (after reporting)
 * not an object. */
static const cJSON *get_object(struct parse *ps, const cJSON *obj,
                               const char *key, const char *const *known,
                               size_t n)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  char *shown, *list, *fix;

  if(!v)
    return NULL;
  if(cJSON_IsObject(v)) {
    check_keys(ps, v, key, known, n);
    return v;
  }
  shown = repr(v);
  list = join_words(known, n);
  fix = tm_xasprintf("write it as {...} with the keys %s", list);
  value_error(ps, fix, "%s: must be an object, not %s", key, shown);
  free(fix);
  free(list);
  free(shown);
  return NULL;
}

static int hex_digit(char c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  c = tm_ascii_lower(c);
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* "#rrggbb" in either case -> lower-case text and numbers. */
static bool parse_colour(const char *s, char colour[8], struct tm_rgb *rgb)
{
  uint8_t v[3];
  int i;

  if(strlen(s) != 7 || s[0] != '#')
    return false;
  for(i = 0; i < 3; i++) {
    int hi = hex_digit(s[1 + 2 * i]), lo = hex_digit(s[2 + 2 * i]);

    if(hi < 0 || lo < 0)
      return false;
    v[i] = (uint8_t)(hi * 16 + lo);
  }
  colour[0] = '#';
  for(i = 1; i < 7; i++)
    colour[i] = tm_ascii_lower(s[i]);
  colour[7] = '\0';
  rgb->r = v[0];
  rgb->g = v[1];
  rgb->b = v[2];
  return true;
}

static double linear(uint8_t c)
{
  double v = c / 255.0;

  return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

/* WCAG 2 contrast ratio of white against c (1 to 21). */
static double white_contrast(struct tm_rgb c)
{
  double l = 0.2126 * linear(c.r) + 0.7152 * linear(c.g) +
             0.0722 * linear(c.b);

  return 1.05 / (l + 0.05);
}

/* ---- statuses ------------------------------------------------------- */

static bool has_alias(const struct tm_status_style *ss, const char *norm)
{
  size_t i;

  for(i = 0; i < ss->n_aliases; i++)
    if(!strcmp(ss->aliases[i], norm))
      return true;
  return false;
}

/* Takes norm. */
static void add_alias(struct tm_status_style *ss, char *norm)
{
  ss->aliases = realloc(ss->aliases,
                        (ss->n_aliases + 1) * sizeof(ss->aliases[0]));
  if(!ss->aliases)
    tm_oom();
  ss->aliases[ss->n_aliases++] = norm;
}

static void parse_aliases(struct parse *ps, enum tm_status s,
                          const cJSON *arr, const char *path)
{
  struct tm_status_style *ss = &ps->st->status[s];
  const cJSON *v;
  char *full, *shown;
  size_t i = 0, n = 0;

  if(!arr)
    return;
  full = join_path(path, "aliases");
  if(!cJSON_IsArray(arr)) {
    shown = repr(arr);
    value_error(ps, "write them as a list, e.g. [\"yes\", \"y\"]",
                "%s: must be an array of strings, not %s", full, shown);
    free(shown);
    free(full);
    return;
  }
  cJSON_ArrayForEach(v, arr) {
    size_t at = i++;
    char *norm;
    int t;

    if(!cJSON_IsString(v)) {
      shown = repr(v);
      value_error(ps, "write each alias in double quotes",
                  "%s[%zu]: must be a string, not %s", full, at, shown);
      free(shown);
      continue;
    }
    if(!tm_utf8_valid(v->valuestring, strlen(v->valuestring))) {
      value_error(ps, "save the style file as UTF-8",
                  "%s[%zu]: not valid UTF-8 text", full, at);
      continue;
    }
    if(++n > MAX_ALIASES) {
      if(n == MAX_ALIASES + 1)
        value_error(ps, "a status needs a handful of spellings, not "
                    "thousands", "%s: more than %d aliases", full,
                    MAX_ALIASES);
      continue;
    }
    norm = tm_status_normalise(v->valuestring);
    if(has_alias(ss, norm)) {   /* the same spelling twice: harmless */
      free(norm);
      continue;
    }
    for(t = 0; t < TM_STATUS_COUNT; t++)
      if(t != (int)s && has_alias(&ps->st->status[t], norm))
        break;
    if(t < TM_STATUS_COUNT) {
      shown = quote_bytes(v->valuestring, strlen(v->valuestring), 40);
      if(!strcmp(norm, status_keys_normal[t]))
        value_error(ps, "remove it: a status key always means that status",
                    "%s: conflicting alias %s, the key of statuses.%s",
                    full, shown, status_keys[t]);
      else
        value_error(ps, "keep it under one status only; aliases are "
                    "compared ignoring case, spaces, \"_\" and \"-\"",
                    "%s: conflicting alias %s, also under statuses.%s."
                    "aliases", full, shown, status_keys[t]);
      free(shown);
      free(norm);
      continue;
    }
    add_alias(ss, norm);
  }
  free(full);
}

static void parse_status(struct parse *ps, enum tm_status s,
                         const cJSON *obj)
{
  struct tm_status_style *ss = &ps->st->status[s];
  char *path = tm_xasprintf("statuses.%s", status_keys[s]);
  const cJSON *v;
  char *full, *shown;

  if(!cJSON_IsObject(obj)) {
    shown = repr(obj);
    value_error(ps, "write it as {\"label\": ..., \"colour\": ..., "
                "\"glyph\": ..., \"aliases\": [...]}",
                "%s: must be an object, not %s", path, shown);
    free(shown);
    free(path);
    return;
  }
  check_keys(ps, obj, path, status_item_keys,
             TM_ARRAY_LEN(status_item_keys));

  if(!cJSON_GetObjectItemCaseSensitive(obj, "label"))
    missing(ps, path, "label", "add \"label\": the text on the pin key");
  get_text(ps, obj, path, "label", false, &ss->label);
  if(ss->label && utf8_chars(ss->label) > LABEL_MAX_CHARS) {
    full = join_path(path, "label");
    value_error(ps, "shorten it: the key shows it on one line",
                "%s: %zu characters long; a label may have at most %d",
                full, utf8_chars(ss->label), LABEL_MAX_CHARS);
    free(full);
  }

  v = cJSON_GetObjectItemCaseSensitive(obj, "colour");
  full = join_path(path, "colour");
  if(!v)
    missing(ps, path, "colour", "add \"colour\": \"#rrggbb\"");
  else if(!cJSON_IsString(v) ||
          !parse_colour(v->valuestring, ss->colour, &ss->rgb)) {
    shown = repr(v);
    value_error(ps, "write it as #rrggbb", "%s: %s is not a colour", full,
                shown);
    free(shown);
  }
  else {
    double c = white_contrast(ss->rgb);

    ps->colour_ok[s] = true;
    if(c < 3.0)
      value_note(ps, "pick a darker colour (at least 3:1 against white), "
                 "so the white glyph and outline stay visible",
                 "%s: white on %s has a contrast of only %.2f:1", full,
                 ss->colour, c);
  }
  free(full);

  v = cJSON_GetObjectItemCaseSensitive(obj, "glyph");
  full = join_path(path, "glyph");
  if(!v)
    missing(ps, path, "glyph",
            "add \"glyph\": one of tick, half, cross, question");
  else {
    int g = TM_GLYPH_COUNT;

    if(cJSON_IsString(v))
      for(g = 0; g < TM_GLYPH_COUNT; g++)
        if(!strcmp(v->valuestring, glyph_names[g]))
          break;
    if(g < TM_GLYPH_COUNT) {
      ss->glyph = (enum tm_glyph)g;
      ps->glyph_ok[s] = true;
    }
    else {
      shown = repr(v);
      value_error(ps, "use one of: tick, half, cross, question",
                  "%s: %s is not a glyph", full, shown);
      free(shown);
    }
  }
  free(full);

  parse_aliases(ps, s, cJSON_GetObjectItemCaseSensitive(obj, "aliases"),
                path);
  free(path);
}

/* Two statuses drawn alike could not be told apart on the map; a shared
 * colour alone is still an error because the key would read ambiguously. */
static void check_distinct(struct parse *ps)
{
  int s, t;

  for(s = 0; s < TM_STATUS_COUNT; s++) {
    for(t = 0; t < s; t++) {
      if(ps->colour_ok[s] && ps->colour_ok[t] &&
         !strcmp(ps->st->status[s].colour, ps->st->status[t].colour))
        value_error(ps, "give each status its own colour",
                    "statuses.%s.colour: \"%s\" is also the colour of "
                    "statuses.%s", status_keys[s],
                    ps->st->status[s].colour, status_keys[t]);
      if(ps->glyph_ok[s] && ps->glyph_ok[t] &&
         ps->st->status[s].glyph == ps->st->status[t].glyph)
        value_error(ps, "give each status its own glyph, so the map does "
                    "not rely on colour alone",
                    "statuses.%s.glyph: \"%s\" is also the glyph of "
                    "statuses.%s", status_keys[s],
                    glyph_names[ps->st->status[s].glyph], status_keys[t]);
    }
  }
}

static void parse_statuses(struct parse *ps, const cJSON *root)
{
  const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "statuses");
  const cJSON *c;
  char *shown;
  int s;

  if(!obj) {
    missing(ps, "", "statuses",
            "add \"statuses\" with collecting, partial, not_collecting "
            "and no_response (see styles/default.json)");
    return;
  }
  if(!cJSON_IsObject(obj)) {
    shown = repr(obj);
    value_error(ps, "write it as {\"collecting\": {...}, ...}",
                "statuses: must be an object, not %s", shown);
    free(shown);
    return;
  }
  cJSON_ArrayForEach(c, obj) {
    enum tm_status st;

    if(!tm_status_from_key(c->string, &st)) {
      char *fix = known_fix(c->string, status_keys, TM_STATUS_COUNT);
      char *q = quote_bytes(c->string, strlen(c->string), 40);

      key_error(ps, fix, "statuses: unknown status %s", q);
      free(q);
      free(fix);
      continue;
    }
    if(ps->seen[st]) {
      key_error(ps, "keep one of them", "statuses.%s: key given twice",
                status_keys[st]);
      continue;
    }
    ps->seen[st] = true;
    parse_status(ps, st, c);
  }
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    if(!ps->seen[s]) {
      char *fix = tm_xasprintf("add \"%s\": {\"label\": ..., \"colour\": "
                               "\"#rrggbb\", \"glyph\": \"%s\"}",
                               status_keys[s], glyph_names[s]);

      missing(ps, "statuses", status_keys[s], fix);
      free(fix);
    }
  }
  check_distinct(ps);
}

/* ---- the rest of the file ------------------------------------------- */

static bool tile_url_ok(const char *u)
{
  const char *p;

  if(strncmp(u, "https://", 8) && strncmp(u, "http://", 7))
    return false;
  if(!strstr(u, "{z}") || !strstr(u, "{x}") || !strstr(u, "{y}"))
    return false;
  for(p = u; *p; p++)
    if((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '"' ||
       *p == '\'' || *p == '<' || *p == '>' || *p == '\\' || *p == '`')
      return false;
  return tm_utf8_valid(u, strlen(u));
}

static void parse_base_layer(struct parse *ps, const cJSON *root)
{
  struct tm_base_layer *b = &ps->st->base;
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "base_layer");
  const cJSON *url;
  char *shown;

  if(!v)
    return;
  if(cJSON_IsNull(v) ||
     (cJSON_IsString(v) && !tm_ascii_casecmp(v->valuestring, "none"))) {
    TM_FREEF(free, b->url);
    TM_FREEF(free, b->attribution);
    return;
  }
  if(!cJSON_IsObject(v)) {
    shown = repr(v);
    value_error(ps, "write {\"url\": ..., \"attribution\": ..., "
                "\"maxzoom\": ...}, or \"none\" for no base map",
                "base_layer: must be an object, \"none\" or null, not %s",
                shown);
    free(shown);
    return;
  }
  check_keys(ps, v, "base_layer", base_keys, TM_ARRAY_LEN(base_keys));
  /* A layer of its own replaces OpenStreetMap, credit included. */
  TM_FREEF(free, b->url);
  TM_FREEF(free, b->attribution);
  url = cJSON_GetObjectItemCaseSensitive(v, "url");
  if(!url)
    missing(ps, "base_layer", "url",
            "add \"url\": \"" DEFAULT_BASE_URL "\", or write "
            "\"base_layer\": \"none\"");
  else if(!cJSON_IsString(url) || !tile_url_ok(url->valuestring)) {
    shown = repr(url);
    value_error(ps, "write it like \"" DEFAULT_BASE_URL "\"",
                "base_layer.url: %s is not a tile URL template with {z}, "
                "{x} and {y}", shown);
    free(shown);
  }
  else {
    b->url = tm_xstrdup(url->valuestring);
    if(!strncmp(b->url, "http://", 7))
      value_note(ps, "use an https:// URL",
                 "base_layer.url: browsers block http:// tiles on an "
                 "https:// page");
  }
  get_text(ps, v, "base_layer", "attribution", false, &b->attribution);
  if(b->url && !cJSON_GetObjectItemCaseSensitive(v, "attribution"))
    value_note(ps, "add \"attribution\", e.g. \"" DEFAULT_BASE_ATTRIBUTION
               "\"", "base_layer: no attribution; most tile servers, "
               "OpenStreetMap's among them, require one");
  (void)get_zoom(ps, v, "base_layer", "maxzoom", &b->maxzoom);
}

static void set_defaults(struct tm_style *st, const char *path)
{
  int s;

  st->path = tm_xstrdup(path ? path : "style");
  st->title = tm_xstrdup(DEFAULT_TITLE);
  st->description = tm_xstrdup("");
  st->attribution = tm_xstrdup("");
  st->minzoom = DEFAULT_MINZOOM;
  st->maxzoom = DEFAULT_MAXZOOM;
  st->pin.width = 26;
  st->pin.height = 38;
  st->pin.outline = 2;
  st->pin.shadow = true;
  st->cluster.enabled = true;
  st->cluster.radius = 36;
  st->cluster.maxzoom = 8;
  st->base.url = tm_xstrdup(DEFAULT_BASE_URL);
  st->base.attribution = tm_xstrdup(DEFAULT_BASE_ATTRIBUTION);
  st->base.maxzoom = DEFAULT_BASE_MAXZOOM;
  /* Every key matches itself, and comes first in its alias list. */
  for(s = 0; s < TM_STATUS_COUNT; s++)
    add_alias(&st->status[s], tm_xstrdup(status_keys_normal[s]));
}

static void parse_root(struct parse *ps, const cJSON *root)
{
  struct tm_style *st = ps->st;
  const cJSON *o;
  bool zooms_ok;

  check_keys(ps, root, "", top_keys, TM_ARRAY_LEN(top_keys));
  get_text(ps, root, "", "title", false, &st->title);
  get_text(ps, root, "", "description", true, &st->description);
  get_text(ps, root, "", "attribution", true, &st->attribution);
  zooms_ok = get_zoom(ps, root, "", "minzoom", &st->minzoom);
  zooms_ok &= get_zoom(ps, root, "", "maxzoom", &st->maxzoom);
  if(zooms_ok && st->minzoom > st->maxzoom)
    value_error(ps, "the tiles cover minzoom to maxzoom: make minzoom the "
                "smaller", "minzoom: %d is greater than maxzoom (%d)",
                st->minzoom, st->maxzoom);

  o = get_object(ps, root, "pin", pin_keys, TM_ARRAY_LEN(pin_keys));
  if(o) {
    bool w = get_number(ps, o, "pin", "width", 8, 128, false,
                        &st->pin.width);
    bool h = get_number(ps, o, "pin", "height", 8, 192, false,
                        &st->pin.height);

    if(w && h && st->pin.height < st->pin.width)
      value_error(ps, "height runs from the tip to the top of the head, "
                  "so it cannot be less than the head's width",
                  "pin.height: must be at least pin.width (%g), not %g",
                  st->pin.width, st->pin.height);
    (void)get_number(ps, o, "pin", "outline", 0, 8, false,
                     &st->pin.outline);
    get_bool(ps, o, "pin", "shadow", &st->pin.shadow);
  }

  o = get_object(ps, root, "cluster", cluster_keys,
                 TM_ARRAY_LEN(cluster_keys));
  if(o) {
    get_bool(ps, o, "cluster", "enabled", &st->cluster.enabled);
    (void)get_number(ps, o, "cluster", "radius", 1, 256, false,
                     &st->cluster.radius);
    (void)get_zoom(ps, o, "cluster", "maxzoom", &st->cluster.maxzoom);
  }

  parse_base_layer(ps, root);
  parse_statuses(ps, root);
}

/* ---- raw text ------------------------------------------------------- */

/* 1-based line and column (in characters) of byte offset off. */
static void locate(const char *buf, size_t len, size_t off, long *line,
                   long *col)
{
  size_t i;

  *line = 1;
  *col = 1;
  for(i = 0; i < off && i < len; i++) {
    if(buf[i] == '\n') {
      (*line)++;
      *col = 1;
    }
    else if(((unsigned char)buf[i] & 0xc0) != 0x80)
      (*col)++;
  }
}

struct scan {
  size_t nul_at;      /* first NUL byte, or SIZE_MAX */
  size_t escape_at;   /* first \u0000 escape, or SIZE_MAX */
  size_t deep_at;     /* first bracket past STYLE_MAX_DEPTH, or SIZE_MAX */
  bool open;          /* ends inside a string or an open { or [ */
};

/* Looks for what cJSON would accept silently or only with a bare error:
 * NUL bytes, "\u0000" (cJSON would cut the string there), nesting past
 * its limit, and text that ends early. */
static void prescan(const char *buf, size_t len, struct scan *sc)
{
  size_t i, depth = 0;
  bool in_string = false;

  sc->nul_at = sc->escape_at = sc->deep_at = SIZE_MAX;
  for(i = 0; i < len; i++) {
    char c = buf[i];

    if(!c) {
      sc->nul_at = i;
      break;
    }
    if(in_string) {
      if(c == '\\' && i + 1 < len) {
        if(buf[i + 1] == 'u' && i + 6 <= len &&
           !memcmp(buf + i + 2, "0000", 4) && sc->escape_at == SIZE_MAX)
          sc->escape_at = i;
        i++;
      }
      else if(c == '"')
        in_string = false;
    }
    else if(c == '"')
      in_string = true;
    else if(c == '{' || c == '[') {
      if(++depth > STYLE_MAX_DEPTH && sc->deep_at == SIZE_MAX)
        sc->deep_at = i;
    }
    else if((c == '}' || c == ']') && depth)
      depth--;
  }
  sc->open = in_string || depth > 0;
}

static void too_big(struct parse *ps, size_t size)
{
  json_error(ps, "a style file holds a few settings; check that this is "
             "the right file",
             "the file is %zu bytes; a style file may be at most 1 MiB "
             "(%zu bytes)", size, STYLE_MAX_BYTES);
}

static bool blank(const char *buf, size_t len)
{
  size_t i = 0;

  /* cJSON skips a UTF-8 byte order mark too. */
  if(len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
    i = 3;
  for(; i < len; i++)
    if(!tm_ascii_isspace(buf[i]))
      return false;
  return true;
}

/* Says where cJSON stopped: line, column, byte offset and the text
 * there. */
static void bad_json(struct parse *ps, const char *buf, size_t len,
                     size_t off, const struct scan *sc)
{
  long line, col;
  char *near;
  size_t n = 0;

  if(off > len)
    off = len;
  while(off + n < len && n < 24 && buf[off + n] != '\n' &&
        buf[off + n] != '\r')
    n++;
  locate(buf, len, off, &line, &col);
  if(sc->open && off + 1 >= len) {
    json_error(ps, "close every string, { and [ that the file opens",
               "invalid JSON: the file ends too early (line %ld, column "
               "%ld, byte offset %zu)", line, col, off);
    return;
  }
  near = quote_bytes(buf + off, n, 24);
  json_error(ps, "check the JSON there: a missing comma, colon or quote, "
             "a comma before } or ], or a comment, which JSON does not "
             "allow",
             "invalid JSON: parsing stopped at line %ld, column %ld "
             "(byte offset %zu), near %s", line, col, off, near);
  free(near);
}

/* Parses the text; NULL (after reporting) when it is not one JSON
 * object. */
static cJSON *parse_json(struct parse *ps, const char *buf, size_t len)
{
  struct scan sc;
  const char *end = NULL;
  char *copy;
  cJSON *root;
  long line, col;
  size_t off;

  if(blank(buf, len)) {
    json_error(ps, "write the style as a JSON object (see "
               "styles/default.json)", "the file is empty");
    return NULL;
  }
  prescan(buf, len, &sc);
  if(sc.nul_at != SIZE_MAX) {
    locate(buf, len, sc.nul_at, &line, &col);
    json_error(ps, "save the style as UTF-8 text (not UTF-16)",
               "the file contains a NUL byte at line %ld, column %ld "
               "(byte offset %zu); it is not JSON text", line, col,
               sc.nul_at);
    return NULL;
  }
  if(sc.deep_at != SIZE_MAX) {
    locate(buf, len, sc.deep_at, &line, &col);
    json_error(ps, "a style file needs four levels at most; check the file",
               "nesting deeper than %d levels at line %ld, column %ld "
               "(byte offset %zu)", STYLE_MAX_DEPTH, line, col,
               sc.deep_at);
    return NULL;
  }
  if(sc.escape_at != SIZE_MAX) {
    locate(buf, len, sc.escape_at, &line, &col);
    json_error(ps, "remove it", "\\u0000 (a NUL character) in a string at "
               "line %ld, column %ld (byte offset %zu)", line, col,
               sc.escape_at);
    return NULL;
  }

  /* cJSON reads up to len, but a terminated copy keeps any slip safe. */
  copy = tm_xstrndup(buf, len);
  root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
  off = end ? (size_t)(end - copy) : 0;
  free(copy);
  if(!root) {
    bad_json(ps, buf, len, off, &sc);
    return NULL;
  }
  while(off < len && tm_ascii_isspace(buf[off]))
    off++;
  if(off < len) {
    locate(buf, len, off, &line, &col);
    json_error(ps, "a style file holds exactly one JSON object; remove "
               "what follows it",
               "invalid JSON: unexpected text after the end at line %ld, "
               "column %ld (byte offset %zu)", line, col, off);
  }
  if(!cJSON_IsObject(root)) {
    char *shown = repr(root);

    json_error(ps, "write the style as one JSON object: {\"title\": ..., "
               "\"statuses\": {...}}",
               "the file must hold a JSON object, not %s", shown);
    free(shown);
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

/* ---- normalising ---------------------------------------------------- */

/* Length of the separator at s, or 0: ASCII white space, '_', '-', and
 * the no-break space and en/em dashes that spreadsheets paste in. */
static size_t separator_len(const char *s)
{
  if(tm_ascii_isspace(*s) || *s == '_' || *s == '-')
    return 1;
  if(!strncmp(s, "\xc2\xa0", 2))
    return 2;
  if(!strncmp(s, "\xe2\x80\x93", 3) || !strncmp(s, "\xe2\x80\x94", 3))
    return 3;
  return 0;
}

/* Writes the normal form of text into out, which holds strlen(text) + 1
 * bytes (the result is never longer). */
static void normalise_into(const char *text, char *out)
{
  size_t o = 0;
  bool gap = false;

  while(*text) {
    size_t k = separator_len(text);

    if(k) {
      gap = o > 0;
      text += k;
      continue;
    }
    if(gap) {
      out[o++] = ' ';
      gap = false;
    }
    out[o++] = tm_ascii_lower(*text++);
  }
  out[o] = '\0';
}

/* ---- public --------------------------------------------------------- */

enum tm_rc tm_style_parse(const char *buf, size_t len, const char *path,
                          struct tm_problems *probs,
                          struct tm_style **out)
{
  struct parse ps;
  size_t errors = tm_problems_count(probs, TM_ERROR);
  cJSON *root;

  memset(&ps, 0, sizeof(ps));
  ps.probs = probs;
  ps.where.path = path;
  ps.where.row = 0;
  if(len > STYLE_MAX_BYTES) {
    too_big(&ps, len);
    return TM_INPUT;
  }
  root = parse_json(&ps, buf ? buf : "", buf ? len : 0);
  if(!root)
    return TM_INPUT;

  ps.st = tm_xcalloc(1, sizeof(*ps.st));
  set_defaults(ps.st, path);
  parse_root(&ps, root);
  cJSON_Delete(root);

  if(tm_problems_count(probs, TM_ERROR) > errors) {
    tm_style_free(ps.st);
    return TM_INPUT;
  }
  *out = ps.st;
  return TM_OK;
}

/* Errors that mean "this path is wrong" rather than "the system failed". */
static bool user_errno(int e)
{
  return e == ENOENT || e == ENOTDIR || e == EACCES || e == EPERM ||
         e == ELOOP || e == ENAMETOOLONG;
}

/* Refuses anything but a regular file small enough to be a style. */
static bool file_ok(struct parse *ps, const struct stat *sb)
{
  if(S_ISDIR(sb->st_mode)) {
    tm_problem_error(ps->probs, &ps->where, KIND_FILE,
                     "give the path of a style file, e.g. "
                     "styles/default.json",
                     "is a directory, not a style file");
    return false;
  }
  if(!S_ISREG(sb->st_mode)) {
    tm_problem_error(ps->probs, &ps->where, KIND_FILE,
                     "give the path of a style file, e.g. "
                     "styles/default.json",
                     "is not a regular file (a pipe, socket or device)");
    return false;
  }
  if(sb->st_size > 0 && (uintmax_t)sb->st_size > STYLE_MAX_BYTES) {
    too_big(ps, (size_t)sb->st_size);
    return false;
  }
  return true;
}

static void cannot_open(struct parse *ps, int e)
{
  tm_problem_error(ps->probs, &ps->where, KIND_FILE,
                   e == EACCES || e == EPERM ?
                   "check the file's permissions" :
                   "check the path, or leave out --style to use "
                   "styles/default.json",
                   "cannot open: %s", strerror(e));
}

enum tm_rc tm_style_load(const char *path, struct tm_problems *probs,
                         struct tm_error *err, struct tm_style **out)
{
  struct parse ps;
  struct stat sb;
  char *buf = NULL;
  size_t len = 0, cap;
  enum tm_rc rc;
  int fd;

  memset(&ps, 0, sizeof(ps));
  ps.probs = probs;
  ps.where.path = path;
  ps.where.row = 0;

  /* stat first: opening a FIFO would wait for a writer. */
  if(stat(path, &sb)) {
    if(!user_errno(errno))
      return tm_fail_errno(err, "%s: cannot open", path);
    cannot_open(&ps, errno);
    return TM_INPUT;
  }
  if(!file_ok(&ps, &sb))
    return TM_INPUT;
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if(fd < 0) {
    if(!user_errno(errno))
      return tm_fail_errno(err, "%s: cannot open", path);
    cannot_open(&ps, errno);
    return TM_INPUT;
  }
  /* The path may have been swapped for something else since stat. */
  if(fstat(fd, &sb)) {
    rc = tm_fail_errno(err, "%s: cannot read", path);
    close(fd);
    return rc;
  }
  if(!file_ok(&ps, &sb)) {
    close(fd);
    return TM_INPUT;
  }

  /* Read until end of file, but never more than the cap + 1 bytes, even
   * if the file grows meanwhile. */
  cap = (size_t)sb.st_size + 1;
  buf = tm_xmalloc(cap);
  for(;;) {
    ssize_t n;

    if(len == cap) {
      if(cap > STYLE_MAX_BYTES)
        break;
      cap = cap * 2 > STYLE_MAX_BYTES + 1 ? STYLE_MAX_BYTES + 1 : cap * 2;
      buf = realloc(buf, cap);
      if(!buf)
        tm_oom();
    }
    n = read(fd, buf + len, cap - len);
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0) {
      rc = tm_fail_errno(err, "%s: cannot read", path);
      free(buf);
      close(fd);
      return rc;
    }
    if(!n)
      break;
    len += (size_t)n;
  }
  close(fd);
  if(len > STYLE_MAX_BYTES) {
    too_big(&ps, len);
    free(buf);
    return TM_INPUT;
  }
  rc = tm_style_parse(buf, len, path, probs, out);
  free(buf);
  return rc;
}

char *tm_status_normalise(const char *text)
{
  char *out;

  if(!text)
    text = "";
  out = tm_xmalloc(strlen(text) + 1);
  normalise_into(text, out);
  return out;
}

bool tm_style_match_status(const struct tm_style *st, const char *text,
                           enum tm_status *out)
{
  char small[256];
  char *norm = small;
  bool found = false;
  size_t n, i;
  int s;

  if(!text)
    text = "";
  n = strlen(text);
  if(n >= sizeof(small))
    norm = tm_xmalloc(n + 1);
  normalise_into(text, norm);
  for(s = 0; s < TM_STATUS_COUNT && !found; s++) {
    /* The key itself, also for a style built by hand. */
    found = !strcmp(norm, status_keys_normal[s]);
    for(i = 0; i < st->status[s].n_aliases && !found; i++)
      found = !strcmp(norm, st->status[s].aliases[i]);
    if(found)
      *out = (enum tm_status)s;
  }
  if(norm != small)
    free(norm);
  return found;
}

const char *tm_style_known_statuses(void)
{
  return "collecting, partial, not_collecting, no_response";
}

const char *tm_glyph_name(enum tm_glyph g)
{
  return (unsigned)g < TM_GLYPH_COUNT ? glyph_names[g] : "?";
}

void tm_style_free(struct tm_style *st)
{
  size_t i;
  int s;

  if(!st)
    return;
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    for(i = 0; i < st->status[s].n_aliases; i++)
      free(st->status[s].aliases[i]);
    free(st->status[s].aliases);
    free(st->status[s].label);
  }
  free(st->base.url);
  free(st->base.attribution);
  free(st->attribution);
  free(st->description);
  free(st->title);
  free(st->path);
  free(st);
}
