/* tiles.h - stage 4b: the pin tile pyramid, tiles/available.json and
 * clusters.json.
 *
 * Borrows: the pins (in their fixed order; "feature index" i is
 *          pins->v[i]) and the style; neither is changed.
 * Writes:  outdir/tiles/{z}/{x}/{y}.png (256 px) and, with retina,
 *          outdir/tiles/{z}/{x}/{y}@2x.png (512 px, drawn at twice the
 *          scale), for every zoom in [minzoom, maxzoom]; only tiles with
 *          something drawn on them (a tile is blank at 1x exactly when it
 *          is blank at @2x); outdir/tiles/available.json listing them;
 *          outdir/clusters.json (cluster.h); outdir/tile-signatures.txt
 *          (tilecache.h), so the next build can reuse unchanged tiles.
 * Order:   north first, so southern pins are drawn over northern ones;
 *          ties by pin code, then feature index; cluster symbols over
 *          pins, in the same order. Pins arrive sorted (tm_pins_sort),
 *          so the order of rows in the input files never matters.
 * Cost:    tiles are enumerated from the pins, so work grows with the
 *          tiles written, not with the area the pins span.
 * Shards:  with shard_k, only that shard's tiles are made, and the
 *          signatures list its blank tiles too; with merge_dirs, every
 *          tile comes from its shard's folder (shard.h).
 * Threads: jobs worker threads render and encode tiles; the files are
 *          byte-identical whatever the number of jobs.
 * Errors:  TM_SYSTEM with the file's path ("out/.staging/tiles/9/250/
 *          170.png: write failed: No space left on device"), or naming a
 *          tile a merge's shard lacks; TM_USAGE for a zoom range outside
 *          0..22 or a shard outside 1..n.
 */
#ifndef TM_TILES_H
#define TM_TILES_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "model.h"
#include "style.h"

struct tm_tiles_opts {
  int minzoom, maxzoom;   /* 0 <= minzoom <= maxzoom <= 22 */
  bool retina;            /* also write @2x tiles */
  int jobs;               /* worker threads; <= 0: one per online CPU */
  const char *reuse_dir;  /* a previous build whose unchanged tiles are
                             reused (tilecache.h); NULL: draw all */
  int shard_k, shard_n;   /* make only shard k of n of the tiles
                             (shard.h); 0, 0: all of them */
  const char *const *merge_dirs;  /* a merge (shard_k 0, shard_n n):
                             every tile is taken from its shard's folder,
                             merge_dirs[k - 1] for shard k, never drawn;
                             reuse_dir is not used */
};

struct tm_tiles_summary {
  size_t tiles[23];       /* 1x tiles written per zoom */
  size_t tiles_2x[23];    /* @2x tiles written per zoom */
  unsigned long long bytes;  /* total size of the tile PNGs */
  size_t rendered;        /* tiles drawn (a 1x tile and its @2x count 1) */
  size_t reused;          /* tiles taken unchanged from reuse_dir */
  size_t removed;         /* tiles of reuse_dir this build does not have */
};

enum tm_rc tm_tiles_write(const struct tm_pins *pins, const struct tm_style *st,
                          const struct tm_tiles_opts *o, const char *outdir,
                          struct tm_tiles_summary *sum,
                          struct tm_error *err) TM_MUST_CHECK;

/* Draws the window of w x h pixels whose top-left is global pixel (gx, gy)
 * of zoom z's map at scale dpr (1 or 2; pixels of that scale), exactly as
 * the tiles show it, into px (w * h premultiplied ARGB32, all zero on
 * entry). For tests and previews: one large canvas to compare stitched
 * tiles with. */
enum tm_rc tm_tiles_render_window(const struct tm_pins *pins,
                                  const struct tm_style *st, int z, int dpr,
                                  int64_t gx, int64_t gy, int w, int h,
                                  uint32_t *px,
                                  struct tm_error *err) TM_MUST_CHECK;

#endif /* TM_TILES_H */
