/* csv.c - stage 4a: pins -> flat CSV (RFC 4180, LF, UTF-8, formulas
 * neutralised).
 *
 * Written a row at a time to a stream (the file, or memory for tests): a
 * field is quoted only when it must be, so the file stays readable in a
 * text editor and diffs cleanly.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "publish.h"
#include "util.h"

static const char header[] =
  "code,name,kind,trust_code,trust_name,nation,status,status_label,notes,"
  "round,previous_status,longitude,latitude\n";

/* True when a spreadsheet would take a cell starting with c for a
 * formula. */
static bool starts_formula(char c)
{
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
         c == '\r';
}

/* One text cell, followed by sep. */
static void put_text(FILE *m, const char *value, char sep)
{
  char *owned;
  const char *s = tm_utf8_or_fixed(value, &owned);
  bool quote = strpbrk(s, ",\"\r\n") != NULL;

  if(quote)
    putc_unlocked('"', m);
  if(starts_formula(s[0]))
    putc_unlocked('\'', m);
  /* Runs between quotes in one write each: a million-row file is mostly
   * plain text. The stream is this thread's own, so no locking. */
  for(;;) {
    size_t run = strcspn(s, "\"");

    fwrite_unlocked(s, 1, run, m);
    s += run;
    if(!*s)
      break;
    fputs_unlocked("\"\"", m);
    s++;
  }
  if(quote)
    putc_unlocked('"', m);
  putc_unlocked(sep, m);
  free(owned);
}

/* One number cell with 6 decimals, followed by sep. */
static void put_coord(FILE *m, double v, char sep)
{
  double r;

  if(isfinite(v)) {
    r = round(v * 1e6) / 1e6;
    if(r == 0)
      r = 0;            /* -0 == 0: this stores +0 */
    fprintf(m, "%.6f", r);
  }
  putc_unlocked(sep, m);
}

static void put_row(FILE *m, const struct tm_pin *p,
                    const struct tm_style *st, const char *round_label)
{
  const struct tm_status_style *ss =
    (unsigned)p->status < TM_STATUS_COUNT ? &st->status[p->status] : NULL;

  put_text(m, p->code, ',');
  put_text(m, p->name, ',');
  put_text(m, p->is_site ? "site" : "trust", ',');
  put_text(m, p->trust_code, ',');
  put_text(m, p->trust_name, ',');
  put_text(m, p->nation, ',');
  put_text(m, tm_status_key(p->status), ',');
  put_text(m, ss ? ss->label : "", ',');
  put_text(m, p->notes, ',');
  put_text(m, round_label, ',');
  put_text(m, p->previous_status < 0 ? "" :
              tm_status_key(p->previous_status), ',');
  put_coord(m, p->lon, ',');
  put_coord(m, p->lat, '\n');
}

static void write_rows(FILE *m, const struct tm_pins *pins,
                       const struct tm_style *st)
{
  size_t i;

  fputs(header, m);
  for(i = 0; i < pins->n; i++)
    put_row(m, &pins->v[i], st, pins->round ? pins->round : "");
}

char *tm_csv_text(const struct tm_pins *pins, const struct tm_style *st)
{
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);

  if(!m)
    tm_oom();
  write_rows(m, pins, st);
  if(ferror(m))
    tm_oom();
  if(fclose(m))
    tm_oom();
  return text;
}

/* Streamed to the file: a million rows are never held in memory. */
enum tm_rc tm_csv_write(const struct tm_pins *pins, const struct tm_style *st,
                        const char *path, struct tm_error *err)
{
  struct tm_output *out;
  enum tm_rc rc = tm_output_open(path, &out, err);

  if(rc)
    return rc;
  write_rows(tm_output_stream(out), pins, st);
  return tm_output_close(out, err);
}

char *tm_changes_csv_text(const struct tm_changes *c,
                          const char *round_label)
{
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  size_t i;

  if(!m)
    tm_oom();
  fputs("trust_code,trust_name,nation,change,previous_status,status,"
        "previous_round,round,longitude,latitude\n", m);
  for(i = 0; i < c->n; i++) {
    const struct tm_change *ch = &c->v[i];

    put_text(m, ch->code, ',');
    put_text(m, ch->name, ',');
    put_text(m, ch->nation, ',');
    put_text(m, tm_change_kind_name(ch->kind), ',');
    put_text(m, ch->from < 0 ? "" : tm_status_key(ch->from), ',');
    put_text(m, ch->to < 0 ? "" : tm_status_key(ch->to), ',');
    put_text(m, c->from_round, ',');
    put_text(m, round_label, ',');
    put_coord(m, ch->lon, ',');
    put_coord(m, ch->lat, '\n');
  }
  if(ferror(m) || fclose(m))
    tm_oom();
  return text;
}
