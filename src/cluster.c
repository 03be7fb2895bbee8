/* cluster.c - stage 4b: which pins merge into cluster symbols at each zoom
 * (the rule is in cluster.h), and clusters.json for the page.
 *
 * Neighbours are found with a grid of cells one cluster.radius wide,
 * sorted by cell: anything closer than the radius is in the seed's cell or
 * one of its eight neighbours. Each zoom costs O(n log n) in the number of
 * groups, so national datasets (10^6 points) stay cheap.
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

/* A group of pins: its members form a list through next[]. */
struct group {
  double sx, sy;        /* sums of the members' mx, my */
  size_t n;
  size_t head, tail;    /* first and last member in next[] */
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
 * zoom z. Returns the new number of groups, written back into g. */
static size_t merge_level(struct group *g, size_t ng, size_t *next, int z,
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
        seed.sx += g[j].sx;
        seed.sy += g[j].sy;
        seed.n += g[j].n;
        next[seed.tail] = g[j].head;
        seed.tail = g[j].tail;
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

/* Turns the groups of two or more pins into the clusters of zoom cz.
 * owner has a zero for each pin, and is left so. */
static void record_zoom(struct tm_cluster_zoom *cz, const struct group *g,
                        size_t ng, const size_t *next,
                        const struct tm_pins *pins,
                        const struct tm_pin_style *ps, size_t *owner)
{
  size_t i, nc = 0, nm = 0, at = 0, p;

  for(i = 0; i < ng; i++) {
    if(g[i].n >= 2) {
      nc++;
      nm += g[i].n;
    }
  }
  cz->n = nc;
  cz->v = tm_xcalloc(nc ? nc : 1, sizeof(*cz->v));
  cz->members = tm_xcalloc(nm ? nm : 1, sizeof(size_t));
  nc = 0;
  for(i = 0; i < ng; i++) {
    if(g[i].n < 2)
      continue;
    cz->v[nc].members = cz->members + at;
    at += g[i].n;
    nc++;
    for(p = g[i].head; p != NONE; p = next[p])
      owner[p] = nc;            /* its cluster's index + 1 */
  }
  /* In pin order, so each cluster's members come out sorted. */
  for(p = 0; p < pins->n; p++) {
    if(owner[p]) {
      struct tm_cluster *c = &cz->v[owner[p] - 1];
      size_t first = (size_t)(c->members - cz->members);

      cz->members[first + c->n++] = p;
      owner[p] = 0;
    }
  }
  for(i = 0; i < nc; i++) {
    struct tm_cluster *c = &cz->v[i];
    double sx = 0, sy = 0;
    size_t k;

    /* Summed in index order, so the centre is the same to the last bit
     * however the groups were merged. */
    for(k = 0; k < c->n; k++) {
      const struct tm_pin *pin = &pins->v[c->members[k]];

      sx += pin->mx;
      sy += pin->my;
      c->counts[pin->status]++;
    }
    c->mx = sx / (double)c->n;
    c->my = sy / (double)c->n;
    tm_merc_to_lonlat(c->mx, c->my, &c->lon, &c->lat);
    c->radius = tm_cluster_radius(ps, c->n);
  }
}

static bool pin_usable(const struct tm_pin *p)
{
  return isfinite(p->mx) && isfinite(p->my) &&
         (unsigned)p->status < TM_STATUS_COUNT;
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
  size_t *next, *owner;
  size_t i, ng = 0;
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
  next = tm_xcalloc(pins->n, sizeof(*next));
  owner = tm_xcalloc(pins->n, sizeof(*owner));
  for(i = 0; i < pins->n; i++) {
    const struct tm_pin *p = &pins->v[i];

    next[i] = NONE;
    if(!pin_usable(p))
      continue;       /* tiles.c draws nothing for it either */
    g[ng].sx = p->mx;
    g[ng].sy = p->my;
    g[ng].n = 1;
    g[ng].head = g[ng].tail = i;
    ng++;
  }

  top = st->cluster.maxzoom < TM_ZOOM_MAX ? st->cluster.maxzoom
                                          : TM_ZOOM_MAX;
  for(z = top; z >= minzoom; z--) {
    size_t before;
    int pass = 0;

    do {
      before = ng;
      ng = merge_level(g, ng, next, z, st->cluster.radius);
    } while(ng < before && ++pass < MAX_PASSES);
    if(z <= maxzoom)
      record_zoom(&c->zoom[z - minzoom], g, ng, next, pins, &st->pin,
                  owner);
  }
  free(owner);
  free(next);
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
