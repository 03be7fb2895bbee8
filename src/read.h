/* read.h - stage 1: read any table GDAL/OGR opens (CSV, XLSX, ODS,
 * GeoPackage, GeoJSON, Shapefile...) into a struct tm_table of UTF-8
 * strings.
 *
 * read.c is the only file in trustmap that includes GDAL headers.
 *
 * Borrows: path, which is kept as t->path and as where.path of every
 *          problem, so it must outlive the table and the problem list;
 *          o->layer only during the call.
 * Returns: a new table in *out, freed with tm_table_free(). It owns all
 *          of its strings; nothing points into GDAL memory.
 * Problems: the file-level ones (missing file, a directory or device,
 *          not a table, no such layer) make tm_read_table() return
 *          TM_INPUT with one error at {path, 0} and *out untouched.
 *          Row-level errors (an unterminated CSV quote, a NUL byte in a
 *          CSV line, text in no known encoding, GDAL giving up part
 *          way) are at their row, and the call still returns TM_OK
 *          with the table, so `validate` can report everything in one
 *          run. Notes (warnings that change
 *          nothing on the map): text read as Windows-1252 (one per file),
 *          a UTF-16 file converted, GDAL's own warnings at the row being
 *          read. Nothing prints.
 * Geometry: when the layer has a geometry field, has_geometry is set and
 *          each row with a point gets gx/gy (x = easting or longitude)
 *          and has_xy; geometry_crs is "EPSG:27700"-style when GDAL knows
 *          the authority, else WKT2, NULL when the layer has no CRS.
 *
 * Rows: t->rownum[i] is the number a person looks for to find the row:
 *   - CSV (and text separated by tabs, semicolons or the NHS website's
 *     not sign, in UTF-8, Windows-1252 or UTF-16): the line number in the
 *     file where the record starts, counting CRLF, LF and lone CR as line
 *     ends. A quoted value spanning several lines does not shift the
 *     numbers of the rows after it, and blank lines (which GDAL skips)
 *     still count. With a header, the header is normally line 1.
 *   - XLSX and ODS: the sheet's row number as the spreadsheet shows it
 *     (header = row 1, first data row = 2; without a header the first
 *     data row is 1). Blank rows between data rows come as rows of
 *     empty strings, so every row keeps its number.
 *   - everything else (GeoPackage, GeoJSON, Shapefile...): the 1-based
 *     position of the feature in the layer.
 */
#ifndef TM_READ_H
#define TM_READ_H

#include <stdbool.h>

#include "error.h"
#include "problems.h"
#include "table.h"

struct tm_read_opts {
  bool no_header;      /* the file has no header row; columns get GDAL's
                          names (field_1... for CSV, Field1... for sheets) */
  const char *layer;   /* sheet/layer name, or NULL for the first layer */
};

/* Reads the layer o->layer (or the first) of the file at path, every cell
 * as a string. o may be NULL for the defaults. Returns TM_OK with *out
 * set, TM_INPUT when the file cannot be used (the reason is in *probs),
 * or TM_SYSTEM with *err set for a failure of the system itself. */
enum tm_rc tm_read_table(const char *path, const struct tm_read_opts *o,
                         struct tm_problems *probs, struct tm_error *err,
                         struct tm_table **out) TM_MUST_CHECK;

#endif /* TM_READ_H */
