/* cluster.c - stage 4b: which pins merge into cluster symbols at each zoom
 * (the rule is in cluster.h), and clusters.json for the page.
 *
 * Neighbours are found with a grid of cells one cluster.radius wide,
 * sorted by cell: anything closer than the radius is in the seed's cell or
 * one of its eight neighbours. Each zoom costs O(n log n) in the number of
 * groups, plus a pass over the pins, so national datasets (10^6 points)
 * stay cheap: about 0.5 s for z0-8 on one core.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cluster.h"
#include "tileplan.h"

#define NONE SIZE_MAX
/* Passes per zoom; in practice two or three reach the fixed point. */
#define MAX_PASSES 32

/* A group of pins. Which pins are in it is kept per pin (the group
 * number of each, in tm_clusters_build), not per group: reading it back
 * is then one pass in pin order, where following lists of members would
 * jump about a million pins at every zoom. */
struct group {
  double sx, sy;        /* sums of the members' mx, my */
  size_t n;
};

struct cell_ref {
  int64_t cx, cy;
  size_t g;             /* group index */
};

static int cell_cmp(const void *a, const void *b)
{
  const struct cell_ref *x = a, *y = b;

  if(x->cx != y->cx)
    return x->cx < y->cx ? -1 : 1;
  if(x->cy != y->cy)
    return x->cy < y->cy ? -1 : 1;
  return (x->g > y->g) - (x->g < y->g);
}

/* First entry of the sorted cells with (cx, cy) >= (cx, cy) given. */
static size_t cell_lower(const struct cell_ref *cells, size_t n, int64_t cx,
                         int64_t cy)
{
  size_t lo = 0, hi = n;

  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if(cells[mid].cx < cx || (cells[mid].cx == cx && cells[mid].cy < cy))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static int bits_of(uint64_t v)
{
  int n = 0;

  while(v) {
    n++;
    v >>= 1;
  }
  return n;
}

/* Sorts cells (made in group order) by cx, cy, then group, as cell_cmp
 * does: by tm_keysort on one key when the cells' span fits in 64 bits,
 * as it does for any pin on the map; qsort otherwise. */
static void sort_cells(struct cell_ref *cells, size_t n)
{
  int64_t x0 = INT64_MAX, x1 = INT64_MIN, y0 = INT64_MAX, y1 = INT64_MIN;
  struct cell_ref *sorted;
  struct tm_keyed *keyed;
  int ybits;
  size_t i;

  if(n < 2)
    return;
  for(i = 0; i < n; i++) {
    x0 = cells[i].cx < x0 ? cells[i].cx : x0;
    x1 = cells[i].cx > x1 ? cells[i].cx : x1;
    y0 = cells[i].cy < y0 ? cells[i].cy : y0;
    y1 = cells[i].cy > y1 ? cells[i].cy : y1;
  }
  ybits = bits_of((uint64_t)y1 - (uint64_t)y0);
  if(bits_of((uint64_t)x1 - (uint64_t)x0) + ybits > 64) {
    qsort(cells, n, sizeof(*cells), cell_cmp);
    return;
  }
  keyed = tm_xcalloc(n, sizeof(*keyed));
  for(i = 0; i < n; i++) {
    uint64_t kx = (uint64_t)cells[i].cx - (uint64_t)x0;

    keyed[i].key = (ybits < 64 ? kx << ybits : 0) |
                   ((uint64_t)cells[i].cy - (uint64_t)y0);
    keyed[i].val = i;
  }
  tm_keysort(keyed, n);
  sorted = tm_xcalloc(n, sizeof(*sorted));
  for(i = 0; i < n; i++)
    sorted[i] = cells[keyed[i].val];
  memcpy(cells, sorted, n * sizeof(*cells));
  free(sorted);
  free(keyed);
}

static void group_pos(const struct group *g, int z, double *px, double *py)
{
  tm_merc_to_px(g->sx / (double)g->n, g->sy / (double)g->n, z, px, py);
}

/* One step of the rule: merges groups (in order of smallest member) at
 * zoom z. Returns the new number of groups, written back into g; renum[i]
 * gets the new number of old group i. */
static size_t merge_level(struct group *g, size_t ng, size_t *renum, int z,
                          double radius)
{
  struct cell_ref *cells = tm_xcalloc(ng ? ng : 1, sizeof(*cells));
  double *px = tm_xcalloc(ng ? ng : 1, 2 * sizeof(double));
  unsigned char *taken = tm_xcalloc(ng ? ng : 1, 1);
  double r2 = radius * radius;
  size_t i, out = 0;

  for(i = 0; i < ng; i++) {
    group_pos(&g[i], z, &px[2 * i], &px[2 * i + 1]);
    cells[i].cx = (int64_t)floor(px[2 * i] / radius);
    cells[i].cy = (int64_t)floor(px[2 * i + 1] / radius);
    cells[i].g = i;
  }
  sort_cells(cells, ng);

  for(i = 0; i < ng; i++) {
    struct group seed;
    int64_t cx, cy;
    int dx;

    if(taken[i])
      continue;
    taken[i] = 1;
    renum[i] = out;
    seed = g[i];
    cx = (int64_t)floor(px[2 * i] / radius);
    cy = (int64_t)floor(px[2 * i + 1] / radius);
    /* The three cells (cx + dx, cy - 1 .. cy + 1) are next to each other
     * in the sorted cells. */
    for(dx = -1; dx <= 1; dx++) {
      size_t k = cell_lower(cells, ng, cx + dx, cy - 1);

      for(; k < ng && cells[k].cx == cx + dx && cells[k].cy <= cy + 1; k++) {
        size_t j = cells[k].g;
        double ddx, ddy;

        if(taken[j])
          continue;
        ddx = px[2 * j] - px[2 * i];
        ddy = px[2 * j + 1] - px[2 * i + 1];
        if(ddx * ddx + ddy * ddy >= r2)
          continue;
        taken[j] = 1;
        renum[j] = out;
        seed.sx += g[j].sx;
        seed.sy += g[j].sy;
        seed.n += g[j].n;
      }
    }
    /* Every group before i is taken, so out <= i: writing in place only
     * overwrites groups already handled. */
    g[out++] = seed;
  }
  free(taken);
  free(px);
  free(cells);
  return out;
}

/* Turns the groups of two or more pins into the clusters of zoom cz;
 * group[p] is pin p's group (NONE: not placed). scratch holds ng. */
static void record_zoom(struct tm_cluster_zoom *cz, const struct group *g,
                        size_t ng, const size_t *group,
                        const struct tm_pins *pins,
                        const struct tm_pin_style *ps, size_t *scratch)
{
  size_t *cluster_of = scratch;   /* a group's cluster + 1, or 0 */
  size_t i, nc = 0, nm = 0, p;
  double *sum;

  for(i = 0; i < ng; i++) {
    cluster_of[i] = g[i].n >= 2 ? ++nc : 0;
    nm += g[i].n >= 2 ? g[i].n : 0;
  }
  cz->n = nc;
  cz->v = tm_xcalloc(nc ? nc : 1, sizeof(*cz->v));
  cz->members = tm_xcalloc(nm ? nm : 1, sizeof(size_t));
  sum = tm_xcalloc(nc ? 2 * nc : 1, sizeof(*sum));
  for(i = 0, nm = 0; i < ng; i++) {
    if(cluster_of[i]) {
      cz->v[cluster_of[i] - 1].members = cz->members + nm;
      nm += g[i].n;
    }
  }
  /* In pin order: each cluster's members come out sorted, and its centre
   * is summed in index order, so it is the same to the last bit however
   * the groups were merged. */
  for(p = 0; p < pins->n; p++) {
    const struct tm_pin *pin = &pins->v[p];
    size_t k = group[p] == NONE ? 0 : cluster_of[group[p]];
    struct tm_cluster *c;

    if(!k)
      continue;
    c = &cz->v[k - 1];
    cz->members[(size_t)(c->members - cz->members) + c->n++] = p;
    sum[2 * (k - 1)] += pin->mx;
    sum[2 * (k - 1) + 1] += pin->my;
    c->counts[pin->status]++;
  }
  for(i = 0; i < nc; i++) {
    struct tm_cluster *c = &cz->v[i];

    c->mx = sum[2 * i] / (double)c->n;
    c->my = sum[2 * i + 1] / (double)c->n;
    tm_merc_to_lonlat(c->mx, c->my, &c->lon, &c->lat);
    c->radius = tm_cluster_radius(ps, c->n);
  }
  free(sum);
}

double tm_cluster_pin_scale(int z)
{
  static const double scale[] = { 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.8, 0.9 };

  return z >= 0 && z < (int)TM_ARRAY_LEN(scale) ? scale[z] : 1.0;
}

void tm_cluster_label(size_t n, char buf[16])
{
  /* Rounded down, so "1.0k" never stands for 999 and the label never
   * claims more pins than there are. */
  if(n < 1000)
    snprintf(buf, 16, "%zu", n);
  else if(n < 10000)
    snprintf(buf, 16, "%zu.%zuk", n / 1000, n / 100 % 10);
  else if(n < 1000000)
    snprintf(buf, 16, "%zuk", n / 1000);
  else if(n < 10000000)
    snprintf(buf, 16, "%zu.%zuM", n / 1000000, n / 100000 % 10);
  else
    snprintf(buf, 16, "%zuM", n / 1000000);
}

double tm_cluster_radius(const struct tm_pin_style *ps, size_t n)
{
  char label[16];
  size_t len;

  tm_cluster_label(n, label);
  len = strlen(label);
  return ps->width / 2 * (1.25 + 0.15 * (double)(len - 1)) + ps->outline;
}

struct tm_clusters *tm_clusters_build(const struct tm_pins *pins,
                                      const struct tm_style *st,
                                      int minzoom, int maxzoom)
{
  struct tm_clusters *c = tm_xcalloc(1, sizeof(*c));
  struct group *g;
  size_t *group, *renum;
  size_t i, ng = 0, before;
  int z, top;

  c->minzoom = minzoom;
  c->maxzoom = maxzoom;
  c->zoom = tm_xcalloc((size_t)(maxzoom - minzoom + 1), sizeof(*c->zoom));
  for(z = minzoom; z <= maxzoom; z++) {
    c->zoom[z - minzoom].z = z;
    c->zoom[z - minzoom].pin_scale = tm_cluster_pin_scale(z);
  }
  if(!st->cluster.enabled || !(st->cluster.radius > 0) ||
     st->cluster.maxzoom < minzoom || pins->n < 2)
    return c;

  g = tm_xcalloc(pins->n, sizeof(*g));
  group = tm_xcalloc(pins->n, sizeof(*group));
  for(i = 0; i < pins->n; i++) {
    const struct tm_pin *p = &pins->v[i];

    group[i] = NONE;
    if(!tm_pin_placeable(p))
      continue;       /* tiles.c draws nothing for it either */
    g[ng].sx = p->mx;
    g[ng].sy = p->my;
    g[ng].n = 1;
    group[i] = ng++;
  }
  renum = tm_xcalloc(ng ? ng : 1, sizeof(*renum));

  top = st->cluster.maxzoom < TM_ZOOM_MAX ? st->cluster.maxzoom
                                          : TM_ZOOM_MAX;
  for(z = top; z >= minzoom; z--) {
    int pass = 0;

    do {
      before = ng;
      ng = merge_level(g, ng, renum, z, st->cluster.radius);
      if(ng == before)
        break;
      for(i = 0; i < pins->n; i++)
        if(group[i] != NONE)
          group[i] = renum[group[i]];
    } while(++pass < MAX_PASSES);
    /* renum is free until the next pass: record_zoom's scratch. */
    if(z <= maxzoom)
      record_zoom(&c->zoom[z - minzoom], g, ng, group, pins, &st->pin,
                  renum);
  }
  free(renum);
  free(group);
  free(g);
  return c;
}

const struct tm_cluster_zoom *tm_clusters_at(const struct tm_clusters *c,
                                             int z)
{
  if(z < c->minzoom || z > c->maxzoom)
    return NULL;
  return &c->zoom[z - c->minzoom];
}

static double round_to(double v, double scale)
{
  return round(v * scale) / scale;
}

/* Prints item unformatted to out and frees it; with open, without its
 * closing brace or bracket. */
static void print_json_open(cJSON *item, FILE *out, bool open)
{
  char *text = cJSON_PrintUnformatted(item);
  size_t len;

  cJSON_Delete(item);
  if(!text)
    tm_oom();
  len = strlen(text);
  fwrite_unlocked(text, 1, open && len ? len - 1 : len, out);
  cJSON_free(text);
}

static void print_json(cJSON *item, FILE *out)
{
  print_json_open(item, out, false);
}

/* The member numbers are written directly, as cJSON would print them: a
 * million pins make millions of numbers, and a cJSON node for each took
 * 10 s for 9 million (on 10^6 points at z0-12). */
static void print_members(const struct tm_cluster *cl, FILE *out)
{
  char digits[24];
  size_t k;

  for(k = 0; k < cl->n; k++) {
    char *end = digits + sizeof(digits), *p = end;
    size_t v = cl->members[k];

    do {
      *--p = (char)('0' + v % 10);
      v /= 10;
    } while(v);
    if(k)
      putc_unlocked(',', out);
    fwrite_unlocked(p, 1, (size_t)(end - p), out);
  }
}

/* {"lon", "lat", "radius", "pins": [...], "counts": {...}} */
static void print_cluster(const struct tm_cluster *cl, FILE *out)
{
  cJSON *head = cJSON_CreateObject(), *counts = cJSON_CreateObject();
  int s;

  if(!head || !counts ||
     !cJSON_AddNumberToObject(head, "lon", round_to(cl->lon, 1e6)) ||
     !cJSON_AddNumberToObject(head, "lat", round_to(cl->lat, 1e6)) ||
     !cJSON_AddNumberToObject(head, "radius", round_to(cl->radius, 100)))
    tm_oom();
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    if(!cJSON_AddNumberToObject(counts, tm_status_key((enum tm_status)s),
                                (double)cl->counts[s]))
      tm_oom();
  }
  print_json_open(head, out, true);
  fputs_unlocked(",\"pins\":[", out);
  print_members(cl, out);
  fputs_unlocked("],\"counts\":", out);
  print_json(counts, out);
  putc_unlocked('}', out);
}

void tm_clusters_json_write(const struct tm_clusters *c,
                            const struct tm_style *st, FILE *out)
{
  cJSON *pin = cJSON_CreateObject();
  int z;

  if(!pin ||
     !cJSON_AddNumberToObject(pin, "width", st->pin.width) ||
     !cJSON_AddNumberToObject(pin, "height", st->pin.height) ||
     !cJSON_AddNumberToObject(pin, "outline", st->pin.outline))
    tm_oom();
  fputs("{\"pin\":", out);
  print_json(pin, out);
  fputs(",\"zooms\":{", out);
  /* A cluster at a time: a million pins at nine clustered zooms are nine
   * million member numbers, far too many to hold as one cJSON tree. */
  for(z = c->minzoom; z <= c->maxzoom; z++) {
    const struct tm_cluster_zoom *cz = &c->zoom[z - c->minzoom];
    cJSON *scale = cJSON_CreateNumber(round_to(cz->pin_scale, 100));
    size_t i;

    if(!scale)
      tm_oom();
    fprintf(out, "%s\"%d\":{\"pin_scale\":", z > c->minzoom ? "," : "", z);
    print_json(scale, out);
    fputs(",\"clusters\":[", out);
    for(i = 0; i < cz->n; i++) {
      if(i)
        putc_unlocked(',', out);
      print_cluster(&cz->v[i], out);
    }
    fputs("]}", out);
  }
  fputs("}}", out);
}

char *tm_clusters_json(const struct tm_clusters *c, const struct tm_style *st)
{
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);

  if(!m)
    tm_oom();
  tm_clusters_json_write(c, st, m);
  if(ferror(m) || fclose(m))
    tm_oom();
  return text;
}

void tm_clusters_free(struct tm_clusters *c)
{
  int z;

  if(!c)
    return;
  for(z = c->minzoom; z <= c->maxzoom; z++) {
    free(c->zoom[z - c->minzoom].v);
    free(c->zoom[z - c->minzoom].members);
  }
  free(c->zoom);
  free(c);
}
