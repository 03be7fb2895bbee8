/* report.h - the report: counts per status and nation, how every input
 * row was used, the transformation PROJ chose, tiles per zoom, and every
 * problem. Pure: it formats text and touches no files.
 *
 * Borrows everything in struct tm_report; returns new strings the caller
 * frees.
 */
#ifndef TM_REPORT_H
#define TM_REPORT_H

#include "join.h"
#include "previous.h"
#include "problems.h"
#include "reproject.h"
#include "rows.h"
#include "style.h"
#include "tiles.h"

struct tm_report {
  const char *trusts_path;
  const char *foi_path;
  const char *postcodes_path;            /* NULL when not used */
  const char *round;
  const struct tm_style *style;
  const struct tm_sites *sites;
  const struct tm_fois *fois;
  const struct tm_trusts *trusts;
  const struct tm_pins *pins;
  const struct tm_transforms *transforms;
  const struct tm_problems *probs;
  const struct tm_tiles_summary *tiles;  /* NULL: no tiles written */
  const struct tm_previous *previous;    /* NULL: no previous build */
  const struct tm_changes *changes;      /* NULL: no previous build */
  int minzoom, maxzoom;
};

/* Rows of the trusts file left off the map, and FOI rows ignored: the
 * numbers that make the report's accounting add up. */
size_t tm_report_rows_left_off(const struct tm_report *r);
size_t tm_report_answers_ignored(const struct tm_report *r);

char *tm_report_json(const struct tm_report *r);
char *tm_report_markdown(const struct tm_report *r);

#endif /* TM_REPORT_H */
