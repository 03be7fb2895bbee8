/* csv.h - stage 4a: the pins as one flat CSV table for spreadsheets.
 *
 * Borrows: the pins and the style; neither is changed.
 * Returns: tm_csv_text() gives a new string the caller frees with free();
 *          tm_csv_write() writes the same text to a file.
 *
 * One header row, then one row per pin in pin order, with the columns
 *   code,name,kind,trust_code,trust_name,nation,status,status_label,
 *   notes,round,longitude,latitude
 * RFC 4180 quoting (a field with a comma, quote, CR or LF is quoted and its
 * quotes doubled), LF line endings, UTF-8 without BOM (a byte that is not
 * UTF-8 becomes U+FFFD). Longitude and latitude are numbers with exactly 6
 * decimals ("-0.127800", never "-0.000000"; empty if not finite).
 *
 * Spreadsheets run a cell that starts with = + - @ (or tab or CR) as a
 * formula, so such a text cell gets a leading apostrophe (OWASP's advice
 * on CSV injection): "=SUM(A1)" is written '=SUM(A1). The numbers are not
 * touched. The colour and glyph of the GeoJSON are left out: they are how
 * the map draws a status, not data.
 */
#ifndef TM_CSV_H
#define TM_CSV_H

#include "error.h"
#include "model.h"
#include "previous.h"
#include "style.h"

/* Returns the CSV text (new string, caller frees). */
char *tm_csv_text(const struct tm_pins *pins, const struct tm_style *st);

/* Writes tm_csv_text() to path (parent folders are created). */
enum tm_rc tm_csv_write(const struct tm_pins *pins, const struct tm_style *st,
                        const char *path, struct tm_error *err) TM_MUST_CHECK;

/* changes.csv: the rows of changes.geojson as a table. Returns a new
 * string. */
char *tm_changes_csv_text(const struct tm_changes *c,
                          const char *round_label);

#endif /* TM_CSV_H */
