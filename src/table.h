/* table.h - a table read from any file GDAL opens: column names and rows of
 * UTF-8 strings, each row with the number a person sees in a spreadsheet.
 *
 * read.c fills it; rows.c turns it into records. The table owns all of its
 * strings (one pool) and frees them with tm_table_free().
 */
#ifndef TM_TABLE_H
#define TM_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct tm_table {
  const char *path;         /* borrowed: as the user typed it */
  char *layer;              /* owned: the layer (sheet) that was read */
  char *driver;             /* owned: GDAL driver short name, e.g. "CSV" */
  size_t ncols;
  const char **colnames;    /* ncols names, in pool; "" for unnamed */
  size_t nrows;
  const char **cells;       /* nrows * ncols, row-major; never NULL ("" for
                               empty or null) */
  long *rownum;             /* nrows spreadsheet row numbers (header = 1) */
  /* Point geometry, when the layer has one (GeoPackage, GeoJSON,
   * Shapefile...). has_xy[i] is false for rows without a point. */
  bool has_geometry;
  char *geometry_crs;       /* owned: "EPSG:27700", or WKT; NULL if unknown */
  bool *has_xy;
  double *gx, *gy;          /* in the traditional GIS order: x = easting or
                               longitude, y = northing or latitude */
  size_t n_converted;       /* cells converted from Windows-1252 */
  long first_converted_row;
  struct tm_strpool *pool;
};

static inline const char *tm_table_cell(const struct tm_table *t, size_t row,
                                        size_t col)
{
  return t->cells[row * t->ncols + col];
}

void tm_table_free(struct tm_table *t);

#endif /* TM_TABLE_H */
