/* cluster.h - stage 4b: which pins merge into cluster symbols at each zoom,
 * and how large pins are drawn there (pure: no I/O, no drawing).
 *
 * The rule (README, "Crowded places"), at every zoom z <= cluster.maxzoom
 * when the style enables clustering, working down from cluster.maxzoom:
 *
 *   1. Start from the groups of zoom z + 1 (above cluster.maxzoom: every
 *      pin on its own). A group's position is the mean of its pins' Web
 *      Mercator coordinates; its order is its smallest feature index.
 *   2. Take the groups in that order. Each group not yet taken becomes a
 *      seed and takes every other group not yet taken whose position is
 *      closer than cluster.radius pixels (1x, at zoom z) to the seed's
 *      position. Seed plus takers form one group.
 *   3. Repeat step 2 on the new groups (positions are the new means)
 *      until a pass merges nothing (at most 32 passes), so no two groups
 *      end up closer than the radius and cluster symbols rarely overlap.
 *   4. Groups of two or more pins are clusters at zoom z.
 *
 * So a cluster never splits when zooming out, and the result depends only
 * on the pins (in their fixed order) and the style, not on the zoom range
 * asked for. Pins not in a cluster are drawn individually at
 * tm_cluster_pin_scale(z).
 *
 * tm_clusters_build() returns a new struct tm_clusters; free it with
 * tm_clusters_free(). Cluster member lists live inside it.
 */
#ifndef TM_CLUSTER_H
#define TM_CLUSTER_H

#include <stddef.h>
#include <stdio.h>

#include "model.h"
#include "style.h"

struct tm_cluster {
  double mx, my;          /* symbol centre: mean of the members (EPSG:3857) */
  double lon, lat;        /* the same point in WGS84 */
  double radius;          /* outer radius of the symbol, CSS px at 1x */
  const size_t *members;  /* feature indices, ascending; owned by the zoom */
  size_t n;               /* number of members (>= 2) */
  size_t counts[TM_STATUS_COUNT];
};

struct tm_cluster_zoom {
  int z;
  double pin_scale;       /* size of single pins, 1 = full size */
  struct tm_cluster *v;   /* owned; in order of smallest member index */
  size_t n;
  size_t *members;        /* owned; every cluster's members, back to back */
};

struct tm_clusters {
  int minzoom, maxzoom;
  struct tm_cluster_zoom *zoom;  /* owned; zoom[z - minzoom] */
};

/* Size of single pins at zoom z: 0.6 at z <= 4, then 0.1 larger per zoom
 * up to full size from z 8. */
double tm_cluster_pin_scale(int z);

/* The count as a cluster shows it: "7", "42", "999", "1.2k", "12k",
 * "3.4M". buf holds at least 16 bytes. */
void tm_cluster_label(size_t n, char buf[16]);

/* Outer radius (CSS px at 1x) of the symbol for n pins: it grows with the
 * length of the label so the count fits. */
double tm_cluster_radius(const struct tm_pin_style *ps, size_t n);

/* Applies the rule above for zooms minzoom..maxzoom (0 <= minzoom <=
 * maxzoom <= 22). */
struct tm_clusters *tm_clusters_build(const struct tm_pins *pins,
                                      const struct tm_style *st,
                                      int minzoom, int maxzoom);

/* The clusters at zoom z (minzoom <= z <= maxzoom). */
const struct tm_cluster_zoom *tm_clusters_at(const struct tm_clusters *c,
                                             int z);

/* clusters.json as text (see README): pin geometry, then per zoom the
 * pin_scale and every cluster with lon/lat (6 decimals), radius, member
 * feature indices and counts per status. Returns a new string. */
char *tm_clusters_json(const struct tm_clusters *c, const struct tm_style *st);
/* The same text, written to out a cluster at a time. */
void tm_clusters_json_write(const struct tm_clusters *c,
                            const struct tm_style *st, FILE *out);

void tm_clusters_free(struct tm_clusters *c);

#endif /* TM_CLUSTER_H */
