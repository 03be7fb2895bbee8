/* rows.h - stage 2a: table rows -> validated records.
 *
 * Turns the trusts table into sites (one per row that can go on the map),
 * the FOI table into answers, and a postcode table into a lookup. Each
 * function reads only strings (no GDAL, no PROJ), so unit tests and
 * fuzzers call it directly.
 *
 * A row that cannot be used gets exactly one problem: an error (stops the
 * build) or a warning that excludes it. Blank rows are counted, not
 * reported one by one. The results own their strings (one pool each) and
 * are freed with the matching _free(); they borrow nothing from the table.
 */
#ifndef TM_ROWS_H
#define TM_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "columns.h"
#include "error.h"
#include "model.h"
#include "problems.h"
#include "style.h"
#include "table.h"

/* Where a site's coordinates came from, and so which CRS they are in. */
enum tm_crs_slot {
  TM_CRS_LONLAT,            /* latitude/longitude columns: EPSG:4326 */
  TM_CRS_GRID,              /* easting/northing columns: --crs */
  TM_CRS_TRUSTS_GEOMETRY,   /* the trusts layer's own point geometry */
  TM_CRS_POSTCODE_LONLAT,   /* postcode lookup with latitude/longitude */
  TM_CRS_POSTCODE_GRID,     /* postcode lookup with easting/northing */
  TM_CRS_POSTCODE_GEOMETRY, /* postcode lookup's own point geometry */
  TM_CRS_SLOTS
};

struct tm_site {
  const char *trust_code;   /* normalised (trimmed, upper case) */
  const char *trust_name;   /* NULL when the row does not say */
  const char *code;         /* site code, or trust code for a trust row */
  const char *name;
  const char *site_key;     /* what tells two sites of a trust apart */
  const char *nation;
  bool is_site;
  bool nation_given;        /* false: derived from the code */
  enum tm_crs_slot crs;
  double x, y;              /* in the slot's CRS, x = easting/longitude */
  double lon, lat;          /* set by reproject.c */
  double mx, my;
  bool excluded;            /* left off the map (a problem says why) */
  struct tm_where where;
};

struct tm_sites {
  struct tm_site *v;
  size_t n, cap;
  const char *path;         /* borrowed: the trusts file as typed */
  size_t rows;              /* data rows in the file, blank ones included */
  size_t blank_rows;
  const char *crs[TM_CRS_SLOTS];  /* CRS per slot (pool), NULL if unused */
  struct tm_strpool *pool;
};

struct tm_foi {
  const char *code;         /* normalised */
  const char *status_text;  /* as written, trimmed */
  enum tm_status status;
  const char *notes;
  bool excluded;            /* ignored (duplicate, blank code...) */
  struct tm_where where;
};

struct tm_fois {
  struct tm_foi *v;
  size_t n, cap;
  const char *path;
  size_t rows;
  size_t blank_rows;
  struct tm_strpool *pool;
};

struct tm_postcodes;

/* Builds the postcode lookup. grid_crs is the CRS of easting/northing
 * columns. Returns TM_INPUT when the table lacks the columns it needs. */
enum tm_rc tm_postcodes_from_table(const struct tm_table *t,
                                   const char *const cols[TM_COL_COUNT],
                                   const char *grid_crs,
                                   struct tm_problems *probs,
                                   struct tm_postcodes **out) TM_MUST_CHECK;
void tm_postcodes_free(struct tm_postcodes *pc);

/* Reads the trusts table. postcodes may be NULL. Returns TM_INPUT (with
 * problems) when required columns are missing; row problems leave it
 * TM_OK. */
enum tm_rc tm_sites_from_table(const struct tm_table *t,
                               const char *const cols[TM_COL_COUNT],
                               const struct tm_postcodes *postcodes,
                               const char *grid_crs,
                               struct tm_problems *probs,
                               struct tm_sites **out) TM_MUST_CHECK;
void tm_sites_free(struct tm_sites *s);

/* Reads an FOI round, mapping each status spelling through the style. */
enum tm_rc tm_fois_from_table(const struct tm_table *t,
                              const char *const cols[TM_COL_COUNT],
                              const struct tm_style *st,
                              struct tm_problems *probs,
                              struct tm_fois **out) TM_MUST_CHECK;
void tm_fois_free(struct tm_fois *f);

/* The nation of a trust whose row does not say: Welsh codes (7A*, and the
 * Welsh NHS trusts), Scottish (S*), Northern Irish (Z*), else England. */
const char *tm_nation_from_code(const char *trust_code);

#endif /* TM_ROWS_H */
