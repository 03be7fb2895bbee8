/* pipeline.h - run the stages in order, for main.c and the end-to-end
 * tests.
 *
 * A stage returns non-zero only for a failure that stops the run (usage,
 * system). Input problems go into run->probs and the stages go on as far
 * as they can, so one run reports everything; the pipeline then returns
 * TM_INPUT before anything is published.
 */
#ifndef TM_PIPELINE_H
#define TM_PIPELINE_H

#include "error.h"
#include "join.h"
#include "opts.h"
#include "problems.h"
#include "previous.h"
#include "publish.h"
#include "reproject.h"
#include "rows.h"
#include "shard.h"
#include "style.h"
#include "table.h"
#include "tiles.h"

/* Progress for a terminal; called with a stage name, never in pipes. */
typedef void tm_progress_fn(void *data, const char *stage);

/* Everything one run produced. Owned by the struct; tm_run_clear() frees
 * it all. */
struct tm_run {
  struct tm_style *style;
  struct tm_table *table[TM_FILE_COUNT];
  struct tm_postcodes *postcodes;
  struct tm_sites *sites;
  struct tm_fois *fois;
  struct tm_trusts *trusts;
  struct tm_pins *pins;
  struct tm_previous *previous;   /* NULL: no build to compare with */
  struct tm_changes *changes;     /* NULL: not compared */
  struct tm_transforms transforms;
  struct tm_problems probs;
  char *round;
  int minzoom, maxzoom;
  bool tiles_written;
  struct tm_tiles_summary tiles;
  bool published;
  struct tm_publish_summary publish;
  struct tm_shard_set *shards;    /* merge: the shard folders; else NULL */
  char build[65];                 /* shards and merges: tm_shard_digest() */
  tm_progress_fn *progress;   /* NULL: quiet */
  void *progress_data;
};

/* Runs `build`, `validate` or `merge` as o->mode says. TM_OK: built (or
 * valid); TM_INPUT: problems in run->probs, nothing written;
 * TM_USAGE/TM_SYSTEM: *err says why, nothing published. */
enum tm_rc tm_pipeline_run(const struct tm_opts *o, struct tm_run *run,
                           struct tm_error *err) TM_MUST_CHECK;

/* The round label for an FOI file: "data/foi-2025-09.csv" -> "2025-09".
 * Returns a new string. */
char *tm_round_from_path(const char *path);

void tm_run_clear(struct tm_run *run);

#endif /* TM_PIPELINE_H */
