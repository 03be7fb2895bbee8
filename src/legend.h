/* legend.h - the pin key: legend.png and legend@2x.png.
 *
 * Borrows: the style (labels, colours, glyphs, pin geometry, clustering).
 * Writes:  outdir/legend.png and outdir/legend@2x.png: on a white rounded
 *          box, each status's pin (as the tiles draw it) beside its label
 *          from the style, in status order, and, when the style clusters
 *          pins, a cluster symbol with a line saying what it is. The @2x
 *          key is drawn at twice the scale (same layout, twice the pixels).
 * Text:    DejaVu Sans, loaded from its file with FreeType. A missing font
 *          is TM_SYSTEM naming the font's path and the Debian package
 *          fonts-dejavu-core.
 */
#ifndef TM_LEGEND_H
#define TM_LEGEND_H

#include "error.h"
#include "style.h"

enum tm_rc tm_legend_write(const struct tm_style *st, const char *outdir,
                           struct tm_error *err) TM_MUST_CHECK;

#endif /* TM_LEGEND_H */
