/* reproject.h - stage 3: source coordinates -> WGS84 lon/lat and Web
 * Mercator, with PROJ (the only user of PROJ).
 *
 * Each CRS slot in use is transformed in one batch with the most accurate
 * operation PROJ has available (for EPSG:27700 the OSTN15 grid where it is
 * installed, else the Helmert fallback). Points that fail, or that land
 * outside the UK and its nearby islands, are excluded with a problem.
 */
#ifndef TM_REPROJECT_H
#define TM_REPROJECT_H

#include "error.h"
#include "problems.h"
#include "rows.h"

/* What PROJ used for one source CRS, for the report. */
struct tm_transform_info {
  char *source;       /* owned: the source CRS as given */
  char *operation;    /* owned: PROJ's name for the operation used */
  double accuracy;    /* metres; < 0 when PROJ does not know */
  size_t points;      /* points transformed with it */
};

struct tm_transforms {
  struct tm_transform_info v[TM_CRS_SLOTS];
  size_t n;
};

/* The box for "in the UK and nearby islands" (Channel Islands included),
 * in degrees. */
#define TM_UK_WEST (-8.75)
#define TM_UK_EAST 1.95
#define TM_UK_SOUTH 49.0
#define TM_UK_NORTH 61.0

/* Sets lon/lat/mx/my of every site not yet excluded, excluding (with a
 * problem) those that cannot be placed. A CRS PROJ does not know is a
 * usage error for --crs (TM_USAGE) and an input problem for a file's own
 * CRS; a missing PROJ database is TM_SYSTEM. *info is filled in; free it
 * with tm_transforms_clear(). */
enum tm_rc tm_reproject_sites(struct tm_sites *sites,
                              struct tm_problems *probs,
                              struct tm_transforms *info,
                              struct tm_error *err) TM_MUST_CHECK;

void tm_transforms_clear(struct tm_transforms *info);

#endif /* TM_REPROJECT_H */
