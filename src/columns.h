/* columns.h - find the columns trustmap needs in a table, by name.
 *
 * Header names are compared after folding ASCII case and dropping
 * everything but letters and digits, so "Post-Code", "post_code" and
 * "POSTCODE" are one name. Each role has a list of common synonyms (the
 * NHS website's export, ODS files, ONS postcode extracts); an option
 * (--col trusts.lat=Breite, or #N for the N-th column) overrides them.
 */
#ifndef TM_COLUMNS_H
#define TM_COLUMNS_H

#include <stdbool.h>

#include "problems.h"
#include "table.h"

enum tm_col {
  TM_COL_CODE,
  TM_COL_NAME,
  TM_COL_SITE_CODE,
  TM_COL_SITE_NAME,
  TM_COL_PARENT_CODE,
  TM_COL_PARENT_NAME,
  TM_COL_NATION,
  TM_COL_LAT,
  TM_COL_LON,
  TM_COL_EASTING,
  TM_COL_NORTHING,
  TM_COL_POSTCODE,
  TM_COL_STATUS,
  TM_COL_NOTES,
  TM_COL_COUNT
};

/* What each input file is, for messages and option names. */
enum tm_file_role {
  TM_FILE_TRUSTS,
  TM_FILE_FOI,
  TM_FILE_POSTCODES,
  TM_FILE_COUNT
};

/* "code", "lat", ... as written in --col FILE.ROLE=COLUMN. */
const char *tm_col_name(enum tm_col c);
bool tm_col_from_name(const char *name, enum tm_col *out);
/* "trusts", "foi", "postcodes". */
const char *tm_file_role_name(enum tm_file_role f);
bool tm_file_role_from_name(const char *name, enum tm_file_role *out);

/* Column index per role; -1 where the table has no such column. */
struct tm_colmap {
  int idx[TM_COL_COUNT];
};

/* Resolves the roles that matter for this file. overrides[c] is a column
 * name or "#N" given on the command line, or NULL. A named column that does
 * not exist, and a column that appears twice, are problems in *probs.
 * Whether a missing role is fatal is for the caller (rows.c) to decide. */
void tm_columns_resolve(const struct tm_table *t, enum tm_file_role role,
                        const char *const overrides[TM_COL_COUNT],
                        struct tm_problems *probs, struct tm_colmap *out);

/* "code, ods_code, org_code, ..." for messages: the names looked for. */
const char *tm_col_synonyms_text(enum tm_col c);

/* Lists the table's column names, for messages ("found: A, B, C"): the
 * first 20, each cut at 60 bytes, then ", ... (N more)". Returns a new
 * string. */
char *tm_columns_list(const struct tm_table *t);

#endif /* TM_COLUMNS_H */
