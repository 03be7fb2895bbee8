/* model.h - the records every stage shares: statuses and pins.
 *
 * A pin is one point on the map: a hospital site, or a trust's own location
 * when it is listed without sites. It carries its trust's FOI status.
 * struct tm_pins owns its pins and, through its string pool, every string
 * they point to; tm_pins_free() releases all of it.
 */
#ifndef TM_MODEL_H
#define TM_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "problems.h"
#include "util.h"

enum tm_status {
  TM_STATUS_COLLECTING,
  TM_STATUS_PARTIAL,
  TM_STATUS_NOT_COLLECTING,
  TM_STATUS_NO_RESPONSE,
  TM_STATUS_COUNT
};

/* "collecting", "partial", "not_collecting", "no_response". */
const char *tm_status_key(enum tm_status s);
/* Exact key match; returns false for anything else. */
bool tm_status_from_key(const char *key, enum tm_status *out);

/* Nations of the UK, as GeoJSON and the report spell them. */
#define TM_NATION_ENGLAND "England"
#define TM_NATION_WALES "Wales"
#define TM_NATION_SCOTLAND "Scotland"
#define TM_NATION_NORTHERN_IRELAND "Northern Ireland"

struct tm_pin {
  const char *code;        /* the site's code, or the trust's for a trust pin
                              or a site listed without a code of its own */
  const char *name;        /* the site's (or trust's) name */
  const char *trust_code;  /* the trust whose FOI answer this pin shows */
  const char *trust_name;
  const char *nation;      /* one of TM_NATION_* or as given in the file */
  const char *notes;       /* FOI notes; "" when none */
  bool is_site;            /* false: the pin is the trust itself */
  enum tm_status status;
  int previous_status;     /* the trust's status in the previous build
                              (enum tm_status), or -1: none to compare */
  double lon, lat;         /* WGS84 degrees (CRS84 axis order) */
  double mx, my;           /* Web Mercator (EPSG:3857) metres */
  struct tm_where where;   /* the trusts-file row that gave this pin */
};

struct tm_pins {
  struct tm_pin *v;
  size_t n, cap;
  struct tm_strpool *pool;  /* owns every string of every pin */
  const char *round;        /* FOI round label, in pool; "" when unknown */
  const char *previous_round; /* the round previous_status comes from, in
                                 pool; NULL: no baseline */
};

struct tm_pins *tm_pins_new(void);
/* Appends a zeroed pin and returns it; its strings must come from
 * pins->pool (tm_strpool_add) or be static. */
struct tm_pin *tm_pins_add(struct tm_pins *pins);
/* Whether p can go on the map: a finite position and a known status.
 * Pins that cannot are neither clustered nor drawn. */
bool tm_pin_placeable(const struct tm_pin *p);
/* Sorts by (trust code, trust pin first, code, name), the order every
 * output uses, so reruns diff cleanly whatever the input order. */
void tm_pins_sort(struct tm_pins *pins);
void tm_pins_free(struct tm_pins *pins);

#endif /* TM_MODEL_H */
