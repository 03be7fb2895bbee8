/* chart.h - chart.png: trusts per status in each nation, as horizontal
 * bars, with the previous round's count marked, for journalists.
 *
 * Borrows the trusts, the style and the previous build (may be NULL);
 * writes outdir/chart.png at twice the CSS size, for print and retina.
 * Text uses DejaVu Sans through render.c's font loader.
 */
#ifndef TM_CHART_H
#define TM_CHART_H

#include "error.h"
#include "join.h"
#include "previous.h"
#include "style.h"

enum tm_rc tm_chart_write(const struct tm_trusts *trusts,
                          const struct tm_previous *previous,
                          const struct tm_style *st, const char *round,
                          const char *outdir,
                          struct tm_error *err) TM_MUST_CHECK;

#endif /* TM_CHART_H */
