/* shard.h - one build's tiles split over machines (`build --shard K/N`)
 * and put back together (`trustmap merge`).
 *
 * The partition: the tile plan is walked in its fixed order (zoom, then
 * x, then y: the order tiles.c plans them in), each tile costing
 * tm_shard_tile_cost() of what is drawn on it. Laid end to end, the tiles
 * cover [0, total) of cost; shard k (1..n) takes every tile whose middle
 * falls in [(k - 1) total / n, k total / n). So each shard is one run of
 * consecutive tiles, the shards are disjoint and together hold every
 * tile, and each shard's cost is within one tile's cost of total / n.
 * The plan depends only on the pins, the style, the zooms and the
 * binary, so every machine computes the same partition, whatever its
 * --jobs.
 *
 * A shard build is an ordinary output folder holding its share of the
 * tiles, a tile-signatures.txt of those tiles (and of those that came out
 * blank, marked "blank", so a merge can tell a blank tile from a lost
 * one; tilecache.h) and shard.json:
 *
 *   {"generator":"trustmap","shard":2,"shards":4,"build":"<64 hex>"}
 *
 * "build" is tm_shard_digest(): a SHA-256 over everything the tiles are
 * drawn from (the trustmap binary, the style's drawing settings, @2x or
 * not, the zoom range, and each pin's position, status and code in their
 * fixed order). Shards with the same "build" draw the same tiles, so a
 * merge refuses folders whose "build" differs from its own.
 *
 * A merge runs the whole build again (reading the inputs is cheap) but
 * takes every tile from the shard that owns it, through the tile reuse of
 * tilecache.h, and never draws one: its output is the one-machine build,
 * byte for byte, published like any build.
 *
 * Ownership: tm_shard_set_load() returns a new struct tm_shard_set freed
 * with tm_shard_set_free(); its folder names are borrowed from the caller
 * (argv) and must outlive it.
 */
#ifndef TM_SHARD_H
#define TM_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "model.h"
#include "style.h"

/* Most shards in one split (so cost arithmetic stays far from overflow). */
#define TM_SHARD_MAX 1024
#define TM_SHARD_FILE "shard.json"

struct tm_shard_set {
  int n;                  /* shards in the split */
  const char **dirs;      /* owned array; dirs[k - 1] is shard k's folder,
                             borrowed */
  char build[65];         /* their common "build" digest */
};

/* The estimated cost of drawing one tile with pins single pins and
 * clusters cluster symbols on it. */
uint64_t tm_shard_tile_cost(size_t pins, size_t clusters);

/* The shard (1..n) owning the tile that spans [before, before + cost) of
 * the plan's total cost. total must be below 2^50. */
int tm_shard_owner(uint64_t before, uint64_t cost, uint64_t total, int n);

/* The "build" digest of the tiles drawn from pins with style st at zooms
 * minzoom..maxzoom, with @2x tiles when retina. */
enum tm_rc tm_shard_digest(const struct tm_pins *pins,
                           const struct tm_style *st, int minzoom,
                           int maxzoom, bool retina, char hex[65],
                           struct tm_error *err) TM_MUST_CHECK;

/* Writes dir/shard.json for shard k of n of the build with that digest. */
enum tm_rc tm_shard_write(const char *dir, int k, int n, const char *build,
                          struct tm_error *err) TM_MUST_CHECK;

/* Reads the shard.json of each of the n folders and checks that they are
 * all the shards of one split of one build, each once, and that out (the
 * merge's output folder) is none of them. TM_USAGE naming the folder and
 * the fix when not; TM_SYSTEM when a file cannot be read. */
enum tm_rc tm_shard_set_load(const char *const *dirs, size_t n,
                             const char *out, struct tm_shard_set **set,
                             struct tm_error *err) TM_MUST_CHECK;

/* Checks that the shards are of the build whose digest is build (the
 * merge's own inputs and options). */
enum tm_rc tm_shard_set_check(const struct tm_shard_set *set,
                              const char *build,
                              struct tm_error *err) TM_MUST_CHECK;

void tm_shard_set_free(struct tm_shard_set *set);

#endif /* TM_SHARD_H */
