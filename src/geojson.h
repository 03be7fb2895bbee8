/* geojson.h - stage 4a: the pins as an RFC 7946 GeoJSON FeatureCollection.
 *
 * Borrows: the pins and the style; neither is changed.
 * Returns: tm_geojson_text() gives a new string the caller frees with
 *          free(); tm_geojson_write() writes the same text to a file.
 *
 * The text is the same bytes for the same pins: a FeatureCollection with
 * "bbox" [minlon, minlat, maxlon, maxlat] (left out when there are no
 * pins), then one Point feature per pin in pin order, one feature per
 * line so reruns diff cleanly. Coordinates are rounded to 6 decimals
 * (about 0.1 m) and printed without exponent or "-0"; a coordinate that
 * is not a finite number (a bug upstream) is printed as null, so the
 * file stays JSON and fails a GeoJSON check. Properties, in this order:
 * code, name, kind ("trust" or "site"), trust_code, trust_name, nation,
 * status (key), status_label, colour ("#rrggbb"), glyph, notes, round.
 * Text is escaped by cJSON (quotes, backslashes, control characters);
 * any byte that is not UTF-8 becomes U+FFFD, so the file is always valid
 * UTF-8 JSON.
 */
#ifndef TM_GEOJSON_H
#define TM_GEOJSON_H

#include "error.h"
#include "model.h"
#include "previous.h"
#include "style.h"

/* Returns the GeoJSON text (new string, caller frees). */
char *tm_geojson_text(const struct tm_pins *pins, const struct tm_style *st);

/* Writes tm_geojson_text() to path (parent folders are created). */
enum tm_rc tm_geojson_write(const struct tm_pins *pins,
                            const struct tm_style *st, const char *path,
                            struct tm_error *err) TM_MUST_CHECK;

/* changes.geojson: one Point per trust whose status changed, or that was
 * added or removed since the previous build (at its first pin), with
 * change, previous_status, status, previous_round and round. Returns a new
 * string. */
char *tm_changes_geojson_text(const struct tm_changes *c,
                              const char *round_label);

#endif /* TM_GEOJSON_H */
