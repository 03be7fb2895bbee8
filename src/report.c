/* report.c - report.json and report.md from one run.
 *
 * The accounting is exact: the trusts file's data rows = pins on the map
 * + rows left off (each with its problem) + blank rows; the FOI file's
 * rows = answers used + answers ignored + blank rows. A build only
 * publishes when there are no errors, so every left-off row is a warning
 * listed under Problems.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report.h"

/* ---- counting ------------------------------------------------------- */

struct nation_counts {
  const char *nation;
  size_t trusts[TM_STATUS_COUNT];
  size_t pins[TM_STATUS_COUNT];
  size_t before[TM_STATUS_COUNT];   /* trusts in the previous build */
};

/* England, Wales, Scotland, Northern Ireland first, then any others in
 * the order met. */
struct counts {
  struct nation_counts *v;
  size_t n;
  size_t trusts[TM_STATUS_COUNT];
  size_t pins[TM_STATUS_COUNT];
  size_t before[TM_STATUS_COUNT];
};

static struct nation_counts *nation_slot(struct counts *c, const char *nation)
{
  size_t i;

  for(i = 0; i < c->n; i++)
    if(!strcmp(c->v[i].nation, nation))
      return &c->v[i];
  c->v[c->n].nation = nation;
  return &c->v[c->n++];
}

static void count(const struct tm_report *r, struct counts *c)
{
  static const char *const uk[] = {
    TM_NATION_ENGLAND, TM_NATION_WALES, TM_NATION_SCOTLAND,
    TM_NATION_NORTHERN_IRELAND
  };
  size_t i;

  memset(c, 0, sizeof(*c));
  c->v = tm_xcalloc(r->trusts->n + r->pins->n + TM_ARRAY_LEN(uk) +
                    (r->previous ? r->previous->n : 0), sizeof(c->v[0]));
  for(i = 0; i < TM_ARRAY_LEN(uk); i++)
    nation_slot(c, uk[i]);
  for(i = 0; i < r->trusts->n; i++) {
    const struct tm_trust *t = &r->trusts->v[i];

    nation_slot(c, t->nation)->trusts[t->status]++;
    c->trusts[t->status]++;
  }
  for(i = 0; i < r->pins->n; i++) {
    const struct tm_pin *p = &r->pins->v[i];

    nation_slot(c, p->nation)->pins[p->status]++;
    c->pins[p->status]++;
  }
  for(i = 0; r->previous && i < r->previous->n; i++) {
    const struct tm_prev_trust *t = &r->previous->v[i];

    nation_slot(c, t->nation)->before[t->status]++;
    c->before[t->status]++;
  }
}

static size_t sum(const size_t *v)
{
  size_t i, s = 0;

  for(i = 0; i < TM_STATUS_COUNT; i++)
    s += v[i];
  return s;
}

/* Counted from the records, not from the problem list: both tables may
 * come from one workbook (--layer), so a path does not tell the trusts
 * sheet's problems from the FOI sheet's. Rows that never became a site
 * (no code, no name) plus sites that were excluded. */
size_t tm_report_rows_left_off(const struct tm_report *r)
{
  const struct tm_sites *s = r->sites;
  size_t i, n = s->rows - s->blank_rows - s->n;

  for(i = 0; i < s->n; i++)
    if(s->v[i].excluded)
      n++;
  return n;
}

size_t tm_report_answers_ignored(const struct tm_report *r)
{
  size_t i, n = 0;

  for(i = 0; i < r->fois->n; i++)
    if(r->fois->v[i].excluded)
      n++;
  return n;
}

static size_t no_answer_count(const struct tm_trusts *trusts)
{
  size_t i, n = 0;

  for(i = 0; i < trusts->n; i++)
    if(!trusts->v[i].answered)
      n++;
  return n;
}

/* Takes s and returns it as valid UTF-8: each byte that starts no valid
 * sequence becomes U+FFFD. Nearly all the report's text is UTF-8 already
 * (read.c converts the tables), but a file name or round label need not
 * be, and the report must stay UTF-8 (and so JSON) whatever the inputs
 * are called. In the JSON text such bytes can only be inside strings, so
 * the replacement keeps it JSON. */
static char *utf8_fixed(char *s)
{
  char *owned;

  tm_utf8_or_fixed(s, &owned);
  if(!owned)
    return s;
  free(s);
  return owned;
}

/* ---- JSON ----------------------------------------------------------- */

static void check(const void *p)
{
  if(!p)
    tm_oom();
}

static cJSON *status_object(const size_t *v)
{
  cJSON *o = cJSON_CreateObject();
  int s;

  check(o);
  for(s = 0; s < TM_STATUS_COUNT; s++)
    check(cJSON_AddNumberToObject(o, tm_status_key((enum tm_status)s),
                                  (double)v[s]));
  check(cJSON_AddNumberToObject(o, "total", (double)sum(v)));
  return o;
}

static void add_item(cJSON *parent, const char *key, cJSON *item)
{
  check(item);
  if(key) {
    if(!cJSON_AddItemToObject(parent, key, item))
      tm_oom();
  }
  else if(!cJSON_AddItemToArray(parent, item))
    tm_oom();
}

static cJSON *inputs_json(const struct tm_report *r)
{
  cJSON *o = cJSON_CreateObject(), *t, *f;

  check(o);
  t = cJSON_AddObjectToObject(o, "trusts");
  check(t);
  check(cJSON_AddStringToObject(t, "path", r->trusts_path));
  check(cJSON_AddNumberToObject(t, "rows", (double)r->sites->rows));
  check(cJSON_AddNumberToObject(t, "on_map", (double)r->pins->n));
  check(cJSON_AddNumberToObject(t, "left_off",
                                (double)tm_report_rows_left_off(r)));
  check(cJSON_AddNumberToObject(t, "blank_rows",
                                (double)r->sites->blank_rows));
  f = cJSON_AddObjectToObject(o, "foi");
  check(f);
  check(cJSON_AddStringToObject(f, "path", r->foi_path));
  check(cJSON_AddNumberToObject(f, "rows", (double)r->fois->rows));
  check(cJSON_AddNumberToObject(f, "answers_used",
                                (double)(r->fois->n -
                                         tm_report_answers_ignored(r))));
  check(cJSON_AddNumberToObject(f, "ignored",
                                (double)tm_report_answers_ignored(r)));
  check(cJSON_AddNumberToObject(f, "blank_rows",
                                (double)r->fois->blank_rows));
  if(r->postcodes_path)
    check(cJSON_AddStringToObject(o, "postcodes", r->postcodes_path));
  check(cJSON_AddStringToObject(o, "style", r->style->path));
  return o;
}

static cJSON *problems_json(const struct tm_problems *probs)
{
  cJSON *a = cJSON_CreateArray();
  size_t i;

  check(a);
  for(i = 0; i < probs->n; i++) {
    const struct tm_problem *p = &probs->v[i];
    cJSON *o = cJSON_CreateObject();

    add_item(a, NULL, o);
    check(cJSON_AddStringToObject(o, "file",
                                  p->where.path ? p->where.path : ""));
    check(cJSON_AddNumberToObject(o, "row", (double)p->where.row));
    check(cJSON_AddStringToObject(o, "severity",
                                  p->severity == TM_ERROR ? "error"
                                                          : "warning"));
    check(cJSON_AddBoolToObject(o, "left_off", p->excludes_row));
    check(cJSON_AddStringToObject(o, "kind", p->kind));
    check(cJSON_AddStringToObject(o, "message", p->what));
    if(p->fix)
      check(cJSON_AddStringToObject(o, "fix", p->fix));
    else
      check(cJSON_AddNullToObject(o, "fix"));
  }
  return a;
}

static cJSON *changes_json(const struct tm_report *r)
{
  cJSON *o = cJSON_CreateObject(), *a;
  size_t i;

  check(o);
  check(cJSON_AddStringToObject(o, "previous_round",
                                r->changes->from_round));
  a = cJSON_AddArrayToObject(o, "trusts");
  check(a);
  for(i = 0; i < r->changes->n; i++) {
    const struct tm_change *ch = &r->changes->v[i];
    cJSON *c = cJSON_CreateObject();

    add_item(a, NULL, c);
    check(cJSON_AddStringToObject(c, "trust_code", ch->code));
    check(cJSON_AddStringToObject(c, "trust_name", ch->name));
    check(cJSON_AddStringToObject(c, "change",
                                  tm_change_kind_name(ch->kind)));
    if(ch->from < 0)
      check(cJSON_AddNullToObject(c, "previous_status"));
    else
      check(cJSON_AddStringToObject(c, "previous_status",
                                    tm_status_key(ch->from)));
    if(ch->to < 0)
      check(cJSON_AddNullToObject(c, "status"));
    else
      check(cJSON_AddStringToObject(c, "status", tm_status_key(ch->to)));
  }
  return o;
}

char *tm_report_json(const struct tm_report *r)
{
  cJSON *root = cJSON_CreateObject(), *o, *a;
  struct counts c;
  size_t i;
  char *text, *out;

  check(root);
  count(r, &c);
  check(cJSON_AddStringToObject(root, "title", r->style->title));
  check(cJSON_AddStringToObject(root, "round", r->round));
  add_item(root, "inputs", inputs_json(r));

  a = cJSON_AddArrayToObject(root, "transformations");
  check(a);
  for(i = 0; i < r->transforms->n; i++) {
    const struct tm_transform_info *ti = &r->transforms->v[i];

    o = cJSON_CreateObject();
    add_item(a, NULL, o);
    check(cJSON_AddStringToObject(o, "source", ti->source));
    check(cJSON_AddStringToObject(o, "target", "EPSG:4326"));
    check(cJSON_AddStringToObject(o, "operation", ti->operation));
    if(ti->accuracy >= 0)
      check(cJSON_AddNumberToObject(o, "accuracy_m", ti->accuracy));
    else
      check(cJSON_AddNullToObject(o, "accuracy_m"));
    check(cJSON_AddNumberToObject(o, "points", (double)ti->points));
  }

  o = cJSON_AddObjectToObject(root, "trusts");
  check(o);
  check(cJSON_AddNumberToObject(o, "total", (double)r->trusts->n));
  check(cJSON_AddNumberToObject(o, "answered",
                                (double)(r->trusts->n -
                                         no_answer_count(r->trusts))));
  a = cJSON_AddArrayToObject(o, "no_foi_row");
  check(a);
  for(i = 0; i < r->trusts->n; i++)
    if(!r->trusts->v[i].answered)
      add_item(a, NULL, cJSON_CreateString(r->trusts->v[i].code));
  add_item(o, "by_status", status_object(c.trusts));
  if(r->previous)
    add_item(o, "previous_by_status", status_object(c.before));
  add_item(root, "pins", status_object(c.pins));

  o = cJSON_AddObjectToObject(root, "by_nation");
  check(o);
  for(i = 0; i < c.n; i++) {
    cJSON *n;

    if(!sum(c.v[i].trusts) && !sum(c.v[i].pins) && !sum(c.v[i].before))
      continue;
    n = cJSON_AddObjectToObject(o, c.v[i].nation);
    check(n);
    add_item(n, "trusts", status_object(c.v[i].trusts));
    if(r->previous)
      add_item(n, "previous_trusts", status_object(c.v[i].before));
    add_item(n, "pins", status_object(c.v[i].pins));
  }
  if(r->changes && r->previous)
    add_item(root, "changes", changes_json(r));

  if(r->tiles) {
    unsigned long long total = 0;
    int z;

    o = cJSON_AddObjectToObject(root, "tiles");
    check(o);
    a = cJSON_AddArrayToObject(o, "per_zoom");
    check(a);
    for(z = r->minzoom; z <= r->maxzoom; z++) {
      cJSON *zo = cJSON_CreateObject();

      add_item(a, NULL, zo);
      check(cJSON_AddNumberToObject(zo, "zoom", z));
      check(cJSON_AddNumberToObject(zo, "tiles", (double)r->tiles->tiles[z]));
      check(cJSON_AddNumberToObject(zo, "tiles_2x",
                                    (double)r->tiles->tiles_2x[z]));
      total += r->tiles->tiles[z] + r->tiles->tiles_2x[z];
    }
    check(cJSON_AddNumberToObject(o, "files", (double)total));
    check(cJSON_AddNumberToObject(o, "bytes", (double)r->tiles->bytes));
  }

  o = cJSON_AddObjectToObject(root, "problem_counts");
  check(o);
  check(cJSON_AddNumberToObject(o, "errors",
                                (double)tm_problems_count(r->probs,
                                                          TM_ERROR)));
  check(cJSON_AddNumberToObject(o, "warnings",
                                (double)tm_problems_count(r->probs,
                                                          TM_WARNING)));
  add_item(root, "problems", problems_json(r->probs));

  text = cJSON_Print(root);
  check(text);
  out = tm_xasprintf("%s\n", text);
  cJSON_free(text);
  cJSON_Delete(root);
  free(c.v);
  return utf8_fixed(out);
}

/* ---- Markdown ------------------------------------------------------- */

struct buf {
  char *s;
  size_t n, cap;
};

static void put(struct buf *b, const char *fmt, ...) TM_PRINTF(2, 3);

static void put(struct buf *b, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if(n < 0)
    return;
  tm_xgrow((void **)&b->s, &b->cap, b->n + (size_t)n + 1, 1);
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

/* Markdown table cells must not break the table or become links or
 * HTML: escape the characters Markdown gives meaning to. */
static void put_text(struct buf *b, const char *s)
{
  for(; *s; s++) {
    unsigned char c = (unsigned char)*s;

    if(c == '\n' || c == '\r' || c == '\t')
      put(b, " ");
    else if(c < 0x20 || c == 0x7f)
      continue;
    else if(strchr("\\`*_{}[]<>#|&~", c))
      put(b, "\\%c", c);
    else
      put(b, "%c", c);
  }
}

/* One table row; with a previous build, each count shows its change:
 * "11 (+2)". */
static void status_row(struct buf *b, const char *label, const size_t *v,
                       const size_t *before)
{
  int s;

  put(b, "| ");
  put_text(b, label);
  for(s = 0; s <= TM_STATUS_COUNT; s++) {
    size_t now = s < TM_STATUS_COUNT ? v[s] : sum(v);
    size_t then = !before ? 0 : s < TM_STATUS_COUNT ? before[s]
                                                     : sum(before);

    put(b, " | %zu", now);
    if(before && now != then)
      put(b, " (%s%zu)", now > then ? "+" : "-",
          now > then ? now - then : then - now);
  }
  put(b, " |\n");
}

static void status_header(struct buf *b, const struct tm_style *st,
                          const char *first)
{
  int s;

  put(b, "| %s", first);
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    put(b, " | ");
    put_text(b, st->status[s].label);
  }
  put(b, " | total |\n|---");
  for(s = 0; s <= TM_STATUS_COUNT; s++)
    put(b, "|--:");
  put(b, "|\n");
}

static void put_status_label(struct buf *b, const struct tm_style *st,
                             int status)
{
  put_text(b, status < 0 ? "(none)" : st->status[status].label);
}

static void put_changes(struct buf *b, const struct tm_report *r)
{
  size_t i, n[3] = { 0 };

  for(i = 0; i < r->changes->n; i++)
    n[r->changes->v[i].kind]++;
  put(b, "\n## Changes since the previous round\n\n");
  put(b, "Trusts whose answer changed: %zu; trusts added: %zu; trusts "
      "removed: %zu (also in changes.csv and changes.geojson).\n",
      n[TM_CHANGE_STATUS], n[TM_CHANGE_ADDED], n[TM_CHANGE_REMOVED]);
  if(!r->changes->n)
    return;
  put(b, "\n| trust | change | before | now |\n|---|---|---|---|\n");
  for(i = 0; i < r->changes->n; i++) {
    const struct tm_change *ch = &r->changes->v[i];

    put(b, "| ");
    put_text(b, ch->code);
    put(b, " ");
    put_text(b, ch->name);
    put(b, " | %s | ", tm_change_kind_name(ch->kind));
    put_status_label(b, r->style, ch->from);
    put(b, " | ");
    put_status_label(b, r->style, ch->to);
    put(b, " |\n");
  }
}

char *tm_report_markdown(const struct tm_report *r)
{
  struct buf b = { 0 };
  struct counts c;
  size_t i, left_off = tm_report_rows_left_off(r);
  size_t ignored = tm_report_answers_ignored(r);
  size_t unanswered = no_answer_count(r->trusts);

  count(r, &c);
  put(&b, "# ");
  put_text(&b, r->style->title);
  put(&b, "\n\nFOI round: ");
  put_text(&b, r->round[0] ? r->round : "(not named)");
  put(&b, "\n\n## Trusts by status\n\n");
  status_header(&b, r->style, "nation");
  for(i = 0; i < c.n; i++)
    if(sum(c.v[i].trusts) || sum(c.v[i].before))
      status_row(&b, c.v[i].nation, c.v[i].trusts,
                 r->previous ? c.v[i].before : NULL);
  status_row(&b, "all", c.trusts, r->previous ? c.before : NULL);
  if(r->previous) {
    put(&b, "\nIn brackets: the change since the previous build (round ");
    put_text(&b, r->changes->from_round[0] ? r->changes->from_round
                                           : "not named");
    put(&b, ").\n");
  }
  if(r->changes && r->previous)
    put_changes(&b, r);

  put(&b, "\n## Pins on the map (sites) by status\n\n");
  status_header(&b, r->style, "nation");
  for(i = 0; i < c.n; i++)
    if(sum(c.v[i].pins))
      status_row(&b, c.v[i].nation, c.v[i].pins, NULL);
  status_row(&b, "all", c.pins, NULL);

  put(&b, "\n## Inputs\n\n");
  put(&b, "- Trusts file ");
  put_text(&b, r->trusts_path);
  put(&b, ": %zu rows = %zu on the map + %zu left off (see Problems) + "
      "%zu blank.\n", r->sites->rows, r->pins->n, left_off,
      r->sites->blank_rows);
  put(&b, "- FOI file ");
  put_text(&b, r->foi_path);
  put(&b, ": %zu rows = %zu answers used + %zu ignored (see Problems) + "
      "%zu blank.\n", r->fois->rows, r->fois->n - ignored, ignored,
      r->fois->blank_rows);
  put(&b, "- %zu trusts; %zu have no FOI row and are shown as \"",
      r->trusts->n, unanswered);
  put_text(&b, r->style->status[TM_STATUS_NO_RESPONSE].label);
  put(&b, "\"");
  if(unanswered) {
    size_t shown = 0;

    put(&b, ": ");
    for(i = 0; i < r->trusts->n && shown < 50; i++) {
      if(r->trusts->v[i].answered)
        continue;
      put(&b, "%s", shown++ ? ", " : "");
      put_text(&b, r->trusts->v[i].code);
    }
    if(unanswered > shown)
      put(&b, " and %zu more", unanswered - shown);
  }
  put(&b, ".\n");
  if(r->postcodes_path) {
    put(&b, "- Postcode lookup ");
    put_text(&b, r->postcodes_path);
    put(&b, ".\n");
  }
  put(&b, "- Style ");
  put_text(&b, r->style->path);
  put(&b, ".\n");

  put(&b, "\n## Coordinates\n\n");
  if(!r->transforms->n)
    put(&b, "No points were transformed.\n");
  for(i = 0; i < r->transforms->n; i++) {
    const struct tm_transform_info *ti = &r->transforms->v[i];

    put(&b, "- %zu points from ", ti->points);
    put_text(&b, ti->source);
    put(&b, " to EPSG:4326 with \"");
    put_text(&b, ti->operation);
    if(ti->accuracy >= 0)
      put(&b, "\" (accuracy %g m).\n", ti->accuracy);
    else
      put(&b, "\" (accuracy unknown).\n");
  }

  if(r->tiles) {
    int z;

    put(&b, "\n## Tiles\n\n| zoom | tiles | @2x tiles |\n|--:|--:|--:|\n");
    for(z = r->minzoom; z <= r->maxzoom; z++)
      put(&b, "| %d | %zu | %zu |\n", z, r->tiles->tiles[z],
          r->tiles->tiles_2x[z]);
  }

  put(&b, "\n## Problems\n\n");
  if(!r->probs->n)
    put(&b, "None.\n");
  else
    put(&b, "%zu errors, %zu warnings.\n\n",
        tm_problems_count(r->probs, TM_ERROR),
        tm_problems_count(r->probs, TM_WARNING));
  for(i = 0; i < r->probs->n; i++) {
    const struct tm_problem *p = &r->probs->v[i];

    put(&b, "- ");
    put_text(&b, p->where.path ? p->where.path : "trustmap");
    if(p->where.row > 0)
      put(&b, ":%ld", p->where.row);
    put(&b, " %s: ", p->severity == TM_ERROR ? "**error**" : "warning");
    put_text(&b, p->what);
    if(p->fix) {
      put(&b, " (");
      put_text(&b, p->fix);
      put(&b, ")");
    }
    put(&b, "\n");
  }
  free(c.v);
  if(!b.s)
    return tm_xstrdup("");
  return utf8_fixed(b.s);
}
