/* tilecache.h - reuse the previous build's tiles that would come out the
 * same, so a new FOI round re-renders only the tiles whose pins changed.
 *
 * Every written tile has a signature: a SHA-256 over what decides its
 * pixels (this trustmap binary, the style's drawing settings, the tile's
 * z/x/y and each pin or cluster drawn on it, with position and status).
 * tile-signatures.txt (beside tiles/, so it does not count in
 * the tiles' content version) lists them. On the next build, a tile whose
 * signature is unchanged is hard-linked (or copied) from the previous
 * build instead of being drawn, which gives the same bytes a clean build
 * would.
 *
 * A shard build (shard.h) also lists the tiles of its share that came
 * out blank, as "z x y signature blank": a merge must tell a tile that is
 * blank from one that was lost. Reusing such an entry writes nothing.
 *
 * tm_tilecache_load returns a new cache (or NULL when there is no usable
 * previous build) freed with tm_tilecache_free(). Lookups and reuse may
 * run in several threads at once, each for different tiles.
 */
#ifndef TM_TILECACHE_H
#define TM_TILECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "style.h"

#define TM_TILESIG_BYTES 16

struct tm_tilecache;

/* The part of every signature that is the same for the whole build. */
enum tm_rc tm_tilesig_prefix(const struct tm_style *st, bool retina,
                             uint8_t prefix[32],
                             struct tm_error *err) TM_MUST_CHECK;

/* The signature of tile z/x/y drawing the len bytes that describe its
 * items. */
void tm_tilesig(const uint8_t prefix[32], int z, int x, int y,
                const void *items, size_t len,
                uint8_t sig[TM_TILESIG_BYTES]);

/* Loads dir/tile-signatures.txt; *out is NULL when there is none. */
enum tm_rc tm_tilecache_load(const char *dir, struct tm_tilecache **out,
                             struct tm_error *err) TM_MUST_CHECK;

enum tm_reuse {
  TM_REUSE_NONE,     /* the tile must be drawn */
  TM_REUSE_FILES,    /* its files were put into outdir */
  TM_REUSE_BLANK     /* it is known to be blank: there is nothing to write */
};

/* Puts the previous build's files for tile z/x/y into outdir when its
 * signature is sig, with their sizes in *bytes1 and *bytes2. c may be
 * NULL (nothing to reuse). */
enum tm_reuse tm_tilecache_reuse(struct tm_tilecache *c, int z, int x, int y,
                                 const uint8_t sig[TM_TILESIG_BYTES],
                                 bool retina, const char *outdir,
                                 size_t *bytes1, size_t *bytes2);

/* Previous tiles that no tile of this build reused or replaced. */
size_t tm_tilecache_unmatched(const struct tm_tilecache *c);

void tm_tilecache_free(struct tm_tilecache *c);

/* One line "z x y signature" (with blank: "z x y signature blank") for
 * tile-signatures.txt, into buf (>= 96). */
void tm_tilesig_line(int z, int x, int y,
                     const uint8_t sig[TM_TILESIG_BYTES], bool blank,
                     char *buf, size_t size);

#endif /* TM_TILECACHE_H */
