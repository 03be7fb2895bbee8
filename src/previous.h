/* previous.h - the previous build as the baseline for "what changed since
 * the last round": its trusts.geojson, read back.
 *
 * tm_previous_load returns a new struct tm_previous (or NULL when there is
 * no previous build) that owns its strings; free it with
 * tm_previous_free(). tm_changes_compute returns a new struct tm_changes
 * whose strings are borrowed from the trusts, the pins and the previous
 * build: free it (tm_changes_free) before them.
 */
#ifndef TM_PREVIOUS_H
#define TM_PREVIOUS_H

#include <stdbool.h>

#include "error.h"
#include "join.h"
#include "model.h"
#include "problems.h"

struct tm_prev_trust {
  const char *code;
  const char *name;
  const char *nation;
  enum tm_status status;
  int previous_status;      /* that build's own baseline, or -1 */
  double lon, lat;          /* its first pin */
};

struct tm_previous {
  char *path;               /* owned: the trusts.geojson read */
  const char *round;        /* in pool; "" when unknown */
  const char *previous_round; /* that build's baseline round, in pool;
                                 NULL when it had none */
  struct tm_prev_trust *v;  /* sorted by code */
  size_t n;
  struct tm_strpool *pool;
};

/* Reads dir/trusts.geojson. With required false (the output folder as an
 * implicit baseline) a missing file gives *out = NULL and TM_OK, and an
 * unreadable one a warning; with required true (--previous) both are
 * input errors. */
enum tm_rc tm_previous_load(const char *dir, bool required,
                            struct tm_problems *probs, struct tm_error *err,
                            struct tm_previous **out) TM_MUST_CHECK;

/* Parses GeoJSON text as written by geojson.c; false when it is not. */
bool tm_previous_parse(const char *text, size_t len,
                       struct tm_previous *prev);

/* A rerun of the same round must compare with the round before, not with
 * itself (or a rerun would change every file). When prev is a build of
 * `round`, replaces it by that build's own baseline; returns false when
 * that build had none (then free prev and compare with nothing). */
bool tm_previous_rebase(struct tm_previous *prev, const char *round);

const struct tm_prev_trust *tm_previous_find(const struct tm_previous *prev,
                                             const char *code);

void tm_previous_free(struct tm_previous *prev);

enum tm_change_kind {
  TM_CHANGE_STATUS,         /* answered differently */
  TM_CHANGE_ADDED,          /* a trust not in the previous build */
  TM_CHANGE_REMOVED         /* a trust no longer in the trusts file */
};

/* "status", "added" or "removed", as every output spells it. */
const char *tm_change_kind_name(enum tm_change_kind kind);

struct tm_change {
  enum tm_change_kind kind;
  const char *code;
  const char *name;
  const char *nation;
  int from, to;             /* enum tm_status, or -1 for none */
  double lon, lat;
};

struct tm_changes {
  struct tm_change *v;      /* by trust code */
  size_t n;
  const char *from_round;   /* the previous build's round */
  size_t prev_counts[TM_STATUS_COUNT];  /* trusts per status before */
};

/* Compares the trusts of this build with the previous one, and sets each
 * pin's previous_status. */
struct tm_changes *tm_changes_compute(const struct tm_previous *prev,
                                      const struct tm_trusts *trusts,
                                      struct tm_pins *pins);

void tm_changes_free(struct tm_changes *c);

#endif /* TM_PREVIOUS_H */
