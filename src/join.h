/* join.h - stage 2b: attach each trust's FOI answer to its sites.
 *
 * Borrows: the sites (reprojected) and the FOI answers; marks duplicate
 *          and orphan sites and duplicate answers as excluded.
 * Returns: *trusts_out, one entry per trust in code order, whose strings
 *          are borrowed from sites and fois (free it before them, with
 *          tm_trusts_free); *pins_out, a new struct tm_pins that owns
 *          copies of everything (tm_pins_free), in the stable pin order.
 * Problems: FOI codes that name no trust, conflicting and repeated rows,
 *          sites whose trust is not in the file. The join still returns
 *          everything it could build, so `validate` reports all at once.
 */
#ifndef TM_JOIN_H
#define TM_JOIN_H

#include "model.h"
#include "problems.h"
#include "rows.h"

struct tm_trust {
  const char *code;
  const char *name;
  const char *nation;
  enum tm_status status;    /* no_response when there is no answer */
  const char *notes;        /* "" when none */
  bool answered;            /* an FOI row gave the status */
  size_t pins;              /* pins of this trust on the map */
  struct tm_where where;    /* its first row in the trusts file */
  struct tm_where answer;   /* the FOI row used; row 0 when none */
};

struct tm_trusts {
  struct tm_trust *v;
  size_t n;
};

enum tm_rc tm_join(struct tm_sites *sites, struct tm_fois *fois,
                   const char *round, struct tm_problems *probs,
                   struct tm_trusts **trusts_out,
                   struct tm_pins **pins_out) TM_MUST_CHECK;

/* The trust with this (normalised) code, or NULL. */
const struct tm_trust *tm_trusts_find(const struct tm_trusts *trusts,
                                      const char *code);

void tm_trusts_free(struct tm_trusts *trusts);

#endif /* TM_JOIN_H */
