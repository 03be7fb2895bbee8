/* tiles.c - stage 4b: the pin tile pyramid (see tiles.h).
 *
 * Per zoom:
 *   1. cluster.c says which pins are clustered; the rest are drawn singly
 *      at the zoom's pin_scale, from sprites drawn for the sub-pixel steps
 *      they sit on (each step once per scale, on all workers).
 *   2. Each pin or cluster (an "item", in drawing order) is snapped to the
 *      sub-pixel grid; its inked box gives the tiles it touches. Sorting
 *      (tile, item) pairs groups the items of each tile, in drawing order.
 *   3. Worker threads take tiles in turn: copy each item's sprite over a
 *      256 px and a 512 px canvas (cluster symbols are drawn into a
 *      per-thread sprite first), then encode and write both PNGs. The
 *      first worker is the calling thread: it plans the next zoom (1 and
 *      2, if that needs no new sprites) before it joins in.
 * A tile's pixels depend only on its items, so neither the thread that
 * draws it nor the tiles drawn before change a byte.
 *
 * Shards (shard.h): a first pass plans every zoom only to add up the
 * tiles' costs; then each zoom's plan keeps the tiles of shard_k alone
 * (shard_tiles), and the rest of the run is unchanged. A merge keeps
 * every tile and takes each from its owner's folder, never drawing one.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cluster.h"
#include "encode.h"
#include "publish.h"
#include "render.h"
#include "shard.h"
#include "tilecache.h"
#include "tileplan.h"
#include "tiles.h"

#define T1 TM_TILE_SIZE
#define T2 (2 * TM_TILE_SIZE)
#define MAX_SCALES 8

enum item_kind {
  ITEM_PIN,
  ITEM_CLUSTER
};

struct item {
  enum item_kind kind;
  size_t idx;                  /* pin or cluster index */
  struct tm_anchor a;
  int64_t x0, y0, x1, y1;      /* inked box, 1x global pixels */
};

struct tile_job {
  int x, y;
  size_t first, count;         /* its items: refs[first .. first+count) */
};

struct tile_result {
  bool written;
  bool reused;
  size_t bytes1, bytes2;
  uint8_t sig[TM_TILESIG_BYTES];
};

/* Everything needed to draw one zoom. */
struct zoom_plan {
  int z;
  const struct tm_pins *pins;
  const struct tm_style *st;
  const struct tm_cluster_zoom *cz;
  const struct tm_pin_sprites *sprites;
  struct item *items;          /* drawing order */
  size_t n_items;
  struct tile_job *tiles;      /* in (x, y) order */
  size_t n_tiles;
  size_t *refs;                /* item indices, grouped by tile */
};

struct run;

struct worker {
  struct run *run;
  struct tm_painter *painter;
  struct tm_encoder *enc;
  uint32_t *buf1, *buf2;       /* zeroed canvases, 256 and 512 px */
  struct tm_sprite cl1, cl2;   /* scratch cluster sprites */
  char *path;
  size_t path_cap;
  unsigned char *sigbuf;       /* the tile's items, serialised to sign */
  size_t sigbuf_cap;
  bool failed;
  size_t failed_at;            /* tile index of the failure */
  struct tm_error err;
  pthread_t thread;
};

struct run {
  const struct tm_tiles_opts *o;
  const char *outdir;
  uint8_t prefix[32];          /* signature prefix (tilecache.h) */
  struct tm_tilecache *cache;  /* NULL: draw every tile */
  struct tm_tilecache **shard_caches;  /* merge: shard k's is [k - 1] */
  struct zoom_plan *zp;
  struct tm_pin_sprites *drawing; /* set: the workers draw its phases
                                     draw_phases instead of zp's tiles */
  int draw_phases[TM_PIN_PHASES];
  int n_draw_phases;
  struct tile_result *res;
  int *owner;                  /* merge: the shard of each tile of zp */
  struct tm_pin_sprites *sprites[MAX_SCALES]; /* drawn so far, owned */
  int n_sprites;
  atomic_size_t next;
  atomic_bool stop;
};

struct order_key {
  double lat;
  const char *code;
  size_t idx;
};

/* For pins at the same latitude: code, then index. */
static int code_cmp(const void *a, const void *b)
{
  const struct order_key *x = a, *y = b;
  int c = strcmp(x->code, y->code);

  if(c)
    return c;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

/* North first (drawn first, so southern pins end up on top), then code,
 * then index. */
static int order_cmp(const void *a, const void *b)
{
  const struct order_key *x = a, *y = b;

  if(x->lat != y->lat)
    return x->lat > y->lat ? -1 : 1;
  return code_cmp(a, b);
}

/* A key that sorts latitudes north first: the bits of the double, made
 * to order as the numbers do, then reversed. */
static uint64_t north_first(double lat)
{
  uint64_t bits;

  if(lat == 0)
    lat = 0;            /* -0 is the same latitude as +0 */
  memcpy(&bits, &lat, sizeof(bits));
  bits = bits >> 63 ? ~bits : bits | (uint64_t)1 << 63;
  return ~bits;
}

/* Every drawable pin in drawing order (the same at every zoom), as
 * order_cmp() says: by latitude with tm_keysort() (a national dataset has
 * a million pins), then the few runs of equal latitude by code_cmp(). */
static size_t *pin_order(const struct tm_pins *pins, size_t *n)
{
  struct tm_keyed *kv = tm_xcalloc(pins->n ? pins->n : 1, sizeof(*kv));
  size_t *order;
  size_t i, j, k, m = 0;

  for(i = 0; i < pins->n; i++) {
    if(!tm_pin_placeable(&pins->v[i]))
      continue;
    kv[m].key = north_first(pins->v[i].lat);
    kv[m].val = i;
    m++;
  }
  tm_keysort(kv, m);
  for(i = 0; i < m; i = j) {
    struct order_key *run;

    for(j = i + 1; j < m && kv[j].key == kv[i].key; j++)
      ;
    if(j - i < 2)
      continue;
    run = tm_xcalloc(j - i, sizeof(*run));
    for(k = i; k < j; k++) {
      const char *code = pins->v[kv[k].val].code;

      run[k - i].code = code ? code : "";
      run[k - i].idx = kv[k].val;
    }
    qsort(run, j - i, sizeof(*run), code_cmp);
    for(k = i; k < j; k++)
      kv[k].val = run[k - i].idx;
    free(run);
  }
  order = tm_xcalloc(m ? m : 1, sizeof(*order));
  for(i = 0; i < m; i++)
    order[i] = kv[i].val;
  free(kv);
  *n = m;
  return order;
}

/* A byte per pin: 1 if it is in one of cz's clusters. Caller frees. */
static unsigned char *clustered_pins(const struct tm_pins *pins,
                                     const struct tm_cluster_zoom *cz)
{
  unsigned char *clustered = tm_xcalloc(pins->n ? pins->n : 1, 1);
  size_t i, k;

  for(i = 0; i < cz->n; i++)
    for(k = 0; k < cz->v[i].n; k++)
      clustered[cz->v[i].members[k]] = 1;
  return clustered;
}

_Static_assert(TM_PIN_PHASES <= 32, "phases_needed() keeps a bit per phase");

/* The sub-pixel steps the single pins of zoom z sit on, a bit per phase
 * (render.h): only their sprites need drawing. Where most pins are
 * clustered (low zooms) that is a few of the TM_PIN_PHASES. */
static uint32_t phases_needed(const struct tm_pins *pins,
                              const unsigned char *clustered,
                              const size_t *order, size_t n_order, int z)
{
  const uint32_t all = (uint32_t)((1ull << TM_PIN_PHASES) - 1);
  uint32_t need = 0;
  size_t i;

  for(i = 0; i < n_order && need != all; i++) {
    const struct tm_pin *p = &pins->v[order[i]];
    struct tm_anchor a;

    if(clustered[order[i]])
      continue;
    a = tm_tileplan_anchor(p->mx, p->my, z);
    need |= (uint32_t)1 << (a.fy * TM_SUBPIXEL + a.fx);
  }
  return need;
}

/* Step 2: items in drawing order with their boxes, and the tiles. When
 * with_tiles is false only the items are made (window rendering). The
 * sprites of every phase phases_needed() gives must be drawn: a pin whose
 * sprite is empty is left out. */
static void plan_zoom(struct zoom_plan *zp, const size_t *order,
                      size_t n_order, const unsigned char *clustered,
                      bool with_tiles)
{
  const struct tm_pins *pins = zp->pins;
  const struct tm_cluster_zoom *cz = zp->cz;
  struct order_key *ck;
  struct tm_keyed *pairs = NULL;  /* key: tile x << z | y; val: item */
  size_t npairs = 0, cap = 0, i;
  int64_t world = (int64_t)T1 << zp->z;

  zp->items = tm_xcalloc(n_order + cz->n + 1, sizeof(*zp->items));
  zp->n_items = 0;
  for(i = 0; i < n_order; i++) {
    const struct tm_pin *p = &pins->v[order[i]];
    struct item *it = &zp->items[zp->n_items];
    const struct tm_sprite *s;

    if(clustered[order[i]])
      continue;
    it->kind = ITEM_PIN;
    it->idx = order[i];
    it->a = tm_tileplan_anchor(p->mx, p->my, zp->z);
    s = tm_pin_sprite(zp->sprites, p->status, it->a.fx, it->a.fy, 1);
    if(s->bx0 >= s->bx1)
      continue;
    it->x0 = it->a.x + s->ox + s->bx0;
    it->y0 = it->a.y + s->oy + s->by0;
    it->x1 = it->a.x + s->ox + s->bx1;
    it->y1 = it->a.y + s->oy + s->by1;
    zp->n_items++;
  }

  ck = tm_xcalloc(cz->n ? cz->n : 1, sizeof(*ck));
  for(i = 0; i < cz->n; i++) {
    ck[i].lat = cz->v[i].lat;
    ck[i].code = "";
    ck[i].idx = i;
  }
  qsort(ck, cz->n, sizeof(*ck), order_cmp);
  for(i = 0; i < cz->n; i++) {
    const struct tm_cluster *cl = &cz->v[ck[i].idx];
    struct item *it = &zp->items[zp->n_items++];
    int half = tm_cluster_sprite_half(cl->radius);

    it->kind = ITEM_CLUSTER;
    it->idx = ck[i].idx;
    it->a = tm_tileplan_anchor(cl->mx, cl->my, zp->z);
    it->x0 = it->a.x - half;
    it->y0 = it->a.y - half;
    it->x1 = it->a.x + half + 1;
    it->y1 = it->a.y + half + 1;
  }
  free(ck);
  if(!with_tiles)
    return;

  for(i = 0; i < zp->n_items; i++) {
    const struct item *it = &zp->items[i];
    int64_t tx, ty, tx0, ty0, tx1, ty1;

    if(it->x1 <= 0 || it->y1 <= 0 || it->x0 >= world || it->y0 >= world)
      continue;
    tx0 = it->x0 < 0 ? 0 : it->x0 / T1;
    ty0 = it->y0 < 0 ? 0 : it->y0 / T1;
    tx1 = (it->x1 > world ? world : it->x1) - 1;
    ty1 = (it->y1 > world ? world : it->y1) - 1;
    tx1 /= T1;
    ty1 /= T1;
    for(tx = tx0; tx <= tx1; tx++) {
      for(ty = ty0; ty <= ty1; ty++) {
        tm_xgrow((void **)&pairs, &cap, npairs + 1, sizeof(*pairs));
        pairs[npairs].key = (uint64_t)tx << zp->z | (uint64_t)ty;
        pairs[npairs].val = i;
        npairs++;
      }
    }
  }
  /* By tile, then item (the pairs are made in item order). */
  tm_keysort(pairs, npairs);
  zp->refs = tm_xcalloc(npairs ? npairs : 1, sizeof(*zp->refs));
  zp->tiles = tm_xcalloc(npairs ? npairs : 1, sizeof(*zp->tiles));
  zp->n_tiles = 0;
  for(i = 0; i < npairs; i++) {
    struct tile_job *t = &zp->tiles[zp->n_tiles ? zp->n_tiles - 1 : 0];

    if(!zp->n_tiles || pairs[i].key != pairs[i - 1].key) {
      t = &zp->tiles[zp->n_tiles++];
      t->x = (int)(pairs[i].key >> zp->z);
      t->y = (int)(pairs[i].key & (((uint64_t)1 << zp->z) - 1));
      t->first = i;
      t->count = 0;
    }
    zp->refs[i] = pairs[i].val;
    t->count++;
  }
  free(pairs);
}

static void plan_free(struct zoom_plan *zp)
{
  TM_FREEF(free, zp->items);
  TM_FREEF(free, zp->tiles);
  TM_FREEF(free, zp->refs);
}

/* Step 3: copies the items refs[0..n) over c1 (1x) and c2 (@2x); either
 * canvas may be NULL. */
static void draw_items(const struct zoom_plan *zp, const size_t *refs,
                       size_t n, struct tm_painter *painter,
                       struct tm_sprite *cl1, struct tm_sprite *cl2,
                       struct tm_canvas *c1, struct tm_canvas *c2)
{
  size_t i;

  for(i = 0; i < n; i++) {
    const struct item *it = &zp->items[refs ? refs[i] : i];
    const struct tm_sprite *s1, *s2;

    if(it->kind == ITEM_PIN) {
      enum tm_status st = zp->pins->v[it->idx].status;

      s1 = tm_pin_sprite(zp->sprites, st, it->a.fx, it->a.fy, 1);
      s2 = tm_pin_sprite(zp->sprites, st, it->a.fx, it->a.fy, 2);
    }
    else {
      const struct tm_cluster *cl = &zp->cz->v[it->idx];

      tm_render_cluster(painter, zp->st, cl->counts, cl->radius, it->a.fx,
                        it->a.fy, cl1, cl2);
      s1 = cl1;
      s2 = cl2;
    }
    if(c1)
      tm_render_composite(c1, s1, it->a.x, it->a.y);
    if(c2)
      tm_render_composite(c2, s2, 2 * it->a.x, 2 * it->a.y);
  }
}

static const char *tile_path(struct worker *w, int z, int x, int y,
                             const char *suffix)
{
  size_t need = strlen(w->run->outdir) + 64;

  tm_xgrow((void **)&w->path, &w->path_cap, need, 1);
  snprintf(w->path, w->path_cap, "%s/tiles/%d/%d/%d%s.png", w->run->outdir,
           z, x, y, suffix);
  return w->path;
}

static enum tm_rc write_canvas(struct worker *w, const struct tm_canvas *c,
                               const char *path, size_t *bytes)
{
  struct tm_image img;

  img.px = c->px;
  img.width = c->w;
  img.height = c->h;
  img.stride = c->w;
  img.x0 = c->dx0;
  img.y0 = c->dy0;
  img.x1 = c->dx1;
  img.y1 = c->dy1;
  return tm_encode_write(w->enc, &img, path, bytes, &w->err);
}

/* What decides the tile's pixels, as bytes: each item's kind, sub-pixel
 * step, place from the tile's corner, and status or cluster counts, in
 * drawing order. A pin takes 12 bytes: a dense tile at 10^6 points holds
 * thousands, and all of it is hashed. */
static size_t serialise_items(struct worker *w, const struct zoom_plan *zp,
                              const struct tile_job *tj)
{
  int64_t left = (int64_t)tj->x * T1, top = (int64_t)tj->y * T1;
  size_t i, len = 0;

  for(i = 0; i < tj->count; i++) {
    const struct item *it = &zp->items[zp->refs[tj->first + i]];
    unsigned char rec[12 + 8 * (1 + TM_STATUS_COUNT)];
    /* An item touches the tile, so it is within a sprite of the corner. */
    int32_t dx = (int32_t)(it->a.x - left), dy = (int32_t)(it->a.y - top);
    uint32_t head = (uint32_t)it->kind | (uint32_t)it->a.fx << 1 |
                    (uint32_t)it->a.fy << 6;
    size_t n = 12;

    if(it->kind == ITEM_PIN)
      head |= (uint32_t)zp->pins->v[it->idx].status << 11;
    else {
      const struct tm_cluster *cl = &zp->cz->v[it->idx];
      int64_t v[1 + TM_STATUS_COUNT];
      int s;

      v[0] = (int64_t)(cl->radius * 1024);
      for(s = 0; s < TM_STATUS_COUNT; s++)
        v[1 + s] = (int64_t)cl->counts[s];
      memcpy(rec + n, v, sizeof(v));
      n += sizeof(v);
    }
    memcpy(rec, &head, 4);
    memcpy(rec + 4, &dx, 4);
    memcpy(rec + 8, &dy, 4);
    tm_xgrow((void **)&w->sigbuf, &w->sigbuf_cap, len + n, 1);
    memcpy(w->sigbuf + len, rec, n);
    len += n;
  }
  return len;
}

/* A merge draws nothing: a tile its shard does not have stops it. */
static enum tm_rc missing_from_shard(struct worker *w, size_t t)
{
  const struct run *run = w->run;
  const struct tile_job *tj = &run->zp->tiles[t];
  int k = run->owner[t];

  return tm_fail(&w->err, TM_SYSTEM, "tile %d/%d/%d is missing from %s, "
                 "shard %d/%d, which should have it: its tile-signatures.txt"
                 " does not list it with this build's signature, or its PNG "
                 "files are gone\n  (rebuild that shard with 'trustmap build "
                 "--shard %d/%d' and the same options, then merge again)",
                 run->zp->z, tj->x, tj->y, run->o->merge_dirs[k - 1], k,
                 run->o->shard_n, k, run->o->shard_n);
}

static enum tm_rc do_tile(struct worker *w, size_t t)
{
  const struct zoom_plan *zp = w->run->zp;
  const struct tile_job *tj = &zp->tiles[t];
  struct tile_result *res = &w->run->res[t];
  struct tm_tilecache *cache = w->run->owner
                               ? w->run->shard_caches[w->run->owner[t] - 1]
                               : w->run->cache;
  bool retina = w->run->o->retina;
  struct tm_canvas c1, c2;
  enum tm_rc rc = TM_OK;
  size_t len = serialise_items(w, zp, tj);

  tm_tilesig(w->run->prefix, zp->z, tj->x, tj->y, w->sigbuf, len,
             res->sig);
  switch(tm_tilecache_reuse(cache, zp->z, tj->x, tj->y, res->sig, retina,
                            w->run->outdir, &res->bytes1, &res->bytes2)) {
  case TM_REUSE_FILES:
    res->written = res->reused = true;
    return TM_OK;
  case TM_REUSE_BLANK:
    res->reused = true;
    return TM_OK;
  case TM_REUSE_NONE:
    break;
  }
  if(w->run->owner)
    return missing_from_shard(w, t);

  tm_canvas_init(&c1, w->buf1, T1, T1, (int64_t)tj->x * T1,
                 (int64_t)tj->y * T1);
  tm_canvas_init(&c2, w->buf2, T2, T2, (int64_t)tj->x * T2,
                 (int64_t)tj->y * T2);
  draw_items(zp, zp->refs + tj->first, tj->count, w->painter, &w->cl1,
             &w->cl2, &c1, retina ? &c2 : NULL);
  /* Blank tiles are not written; by render.h's trimming, 1x and @2x are
   * blank together. */
  if(c1.inked) {
    rc = write_canvas(w, &c1, tile_path(w, zp->z, tj->x, tj->y, ""),
                      &res->bytes1);
    res->written = !rc;
  }
  if(!rc && retina && c2.inked)
    rc = write_canvas(w, &c2, tile_path(w, zp->z, tj->x, tj->y, "@2x"),
                      &res->bytes2);
  tm_canvas_clear(&c1);
  tm_canvas_clear(&c2);
  return rc;
}

/* What the workers share out: sprite phases, or the zoom's tiles. */
static size_t run_tasks(const struct run *run)
{
  return run->drawing ? (size_t)run->n_draw_phases : run->zp->n_tiles;
}

static void *worker_main(void *arg)
{
  struct worker *w = arg;
  struct run *run = w->run;
  size_t n = run_tasks(run);

  while(!atomic_load(&run->stop)) {
    size_t t = atomic_fetch_add(&run->next, 1);

    if(t >= n)
      break;
    if(run->drawing) {
      tm_pin_sprites_draw(w->painter, run->drawing, run->draw_phases[t]);
      continue;
    }
    if(do_tile(w, t)) {
      w->failed = true;
      w->failed_at = t;
      atomic_store(&run->stop, true);
      break;
    }
  }
  return NULL;
}

static enum tm_rc workers_new(struct worker *ws, int n, struct run *run,
                              struct tm_error *err)
{
  int i;

  for(i = 0; i < n; i++) {
    struct worker *w = &ws[i];
    enum tm_rc rc;

    w->run = run;
    rc = tm_painter_new(&w->painter, err);
    if(rc)
      return rc;
    w->enc = tm_encoder_new();
    w->buf1 = tm_xcalloc((size_t)T1 * T1, sizeof(uint32_t));
    w->buf2 = tm_xcalloc((size_t)T2 * T2, sizeof(uint32_t));
  }
  return TM_OK;
}

static void workers_free(struct worker *ws, int n)
{
  int i;

  for(i = 0; i < n; i++) {
    tm_painter_free(ws[i].painter);
    tm_encoder_free(ws[i].enc);
    free(ws[i].buf1);
    free(ws[i].buf2);
    free(ws[i].path);
    free(ws[i].sigbuf);
    tm_sprite_release(&ws[i].cl1);
    tm_sprite_release(&ws[i].cl2);
  }
}

/* A batch of tasks (run_tasks) being run: the threads started for it. */
struct batch {
  int n;                       /* workers taking part, ws[0] included */
  int started;                 /* threads started: ws[1 .. started] */
};

/* Starts the workers but the first on every task (run_tasks); the caller
 * is ws[0], and joins in with batch_finish(). Until then it may do work
 * of its own that touches neither run's task state nor their workers. */
static struct batch batch_start(struct worker *ws, int n, struct run *run)
{
  struct batch b = { n, 0 };
  size_t tasks = run_tasks(run);
  int i;

  atomic_store(&run->next, 0);
  atomic_store(&run->stop, false);
  if((size_t)b.n > tasks)
    b.n = tasks ? (int)tasks : 1;
  for(i = 0; i < b.n; i++)
    ws[i].failed = false;
  for(i = 1; i < b.n; i++) {
    if(pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]))
      break;    /* fewer threads: the others take over its share */
    b.started++;
  }
  return b;
}

/* Runs ws[0] on what is left of the batch and waits for the rest. The
 * error reported is that of the first failed tile in tile order. */
static enum tm_rc batch_finish(struct worker *ws, const struct batch *b,
                               struct tm_error *err)
{
  struct worker *first = NULL;
  int i;

  worker_main(&ws[0]);
  for(i = 1; i <= b->started; i++)
    pthread_join(ws[i].thread, NULL);
  for(i = 0; i < b->n; i++) {
    if(ws[i].failed && (!first || ws[i].failed_at < first->failed_at))
      first = &ws[i];
  }
  if(first) {
    *err = first->err;
    return err->rc;
  }
  return TM_OK;
}

/* Runs every task on up to n workers. */
static enum tm_rc run_workers(struct worker *ws, int n, struct run *run,
                              struct tm_error *err)
{
  struct batch b = batch_start(ws, n, run);

  return batch_finish(ws, &b, err);
}

static enum tm_rc write_json(const char *outdir, const char *name,
                             char *text, struct tm_error *err)
{
  char *path = tm_xasprintf("%s/%s", outdir, name);
  enum tm_rc rc;

  if(!text)
    tm_oom();
  rc = tm_encode_save(path, text, strlen(text), err);
  free(path);
  free(text);
  return rc;
}

/* clusters.json, streamed: with a million pins it is tens of megabytes. */
static enum tm_rc write_clusters(const char *outdir,
                                 const struct tm_clusters *clusters,
                                 const struct tm_style *st,
                                 struct tm_error *err)
{
  char *path = tm_xasprintf("%s/clusters.json", outdir);
  struct tm_output *out;
  enum tm_rc rc = tm_output_open(path, &out, err);

  free(path);
  if(rc)
    return rc;
  tm_clusters_json_write(clusters, st, tm_output_stream(out));
  return tm_output_close(out, err);
}

/* Adds zoom z's written tiles to available.json's "tiles" object. */
static void available_add(cJSON *tiles, const struct zoom_plan *zp,
                          const struct tile_result *res)
{
  cJSON *arr;
  char key[8], xy[32];
  size_t i;

  snprintf(key, sizeof(key), "%d", zp->z);
  arr = cJSON_AddArrayToObject(tiles, key);
  if(!arr)
    tm_oom();
  for(i = 0; i < zp->n_tiles; i++) {
    cJSON *s;

    if(!res[i].written)
      continue;
    snprintf(xy, sizeof(xy), "%d/%d", zp->tiles[i].x, zp->tiles[i].y);
    s = cJSON_CreateString(xy);
    if(!s || !cJSON_AddItemToArray(arr, s))
      tm_oom();
  }
}

/* What planning a zoom takes, besides the zoom. */
struct planner {
  const struct tm_pins *pins;
  const struct tm_style *st;
  const struct tm_clusters *clusters;
  const size_t *order;         /* pin_order() */
  size_t n_order;
  struct run *run;
  struct worker *ws;
  int jobs;
};

/* The sprites for pin_scale with at least the phases in need drawn, from
 * the cache, the missing phases drawn now by all workers. There are only a
 * few scales (cluster.h), so each phase is drawn once. When ahead (the
 * other workers are drawing the zoom before), *out is NULL if phases are
 * missing: drawing them on one thread would keep the others waiting at
 * the low zooms, which have few tiles. */
static enum tm_rc sprites_for(const struct planner *pl, double scale,
                              uint32_t need, bool ahead,
                              const struct tm_pin_sprites **out,
                              struct tm_error *err)
{
  struct run *run = pl->run;
  struct tm_pin_sprites **cache = run->sprites;
  struct tm_pin_sprites *ps = NULL;
  enum tm_rc rc = TM_OK;
  int missing[TM_PIN_PHASES], n_missing = 0, i;

  for(i = 0; i < run->n_sprites && !ps; i++) {
    if(tm_pin_sprites_scale(cache[i]) == scale)
      ps = cache[i];
  }
  if(!ps) {
    if(run->n_sprites == MAX_SCALES) {
      /* The oldest, unless the zoom being drawn uses it. */
      i = run->zp && run->zp->sprites == cache[0];
      tm_pin_sprites_free(cache[i]);
      memmove(cache + i, cache + i + 1,
              (size_t)(MAX_SCALES - 1 - i) * sizeof(*cache));
      run->n_sprites--;
    }
    rc = tm_pin_sprites_alloc(pl->st, scale, &ps, err);
    if(rc)
      return rc;
    cache[run->n_sprites++] = ps;
  }
  for(i = 0; i < TM_PIN_PHASES; i++) {
    if((need >> i & 1) && !tm_pin_sprites_drawn(ps, i))
      missing[n_missing++] = i;
  }
  if(ahead && n_missing) {
    *out = NULL;
    return TM_OK;
  }
  if(n_missing) {
    memcpy(run->draw_phases, missing, sizeof(missing));
    run->n_draw_phases = n_missing;
    run->drawing = ps;
    rc = run_workers(pl->ws, pl->jobs, run, err);
    run->drawing = NULL;
  }
  *out = ps;
  return rc;
}

/* Plans zoom z into *zp; plan_free() releases it. ahead: while the
 * workers but ws[0] draw the zoom before; zp->sprites is then NULL if
 * the plan had to wait for sprites (see sprites_for), and zp holds
 * nothing to free. */
static enum tm_rc plan_at(struct zoom_plan *zp, int z,
                          const struct planner *pl, bool ahead,
                          struct tm_error *err)
{
  unsigned char *clustered;
  enum tm_rc rc;

  memset(zp, 0, sizeof(*zp));
  zp->z = z;
  zp->pins = pl->pins;
  zp->st = pl->st;
  zp->cz = tm_clusters_at(pl->clusters, z);
  clustered = clustered_pins(pl->pins, zp->cz);
  rc = sprites_for(pl, zp->cz->pin_scale,
                   phases_needed(pl->pins, clustered, pl->order,
                                 pl->n_order, z),
                   ahead, &zp->sprites, err);
  if(!rc && zp->sprites)
    plan_zoom(zp, pl->order, pl->n_order, clustered, true);
  free(clustered);
  return rc;
}

/* What tile tj costs to make, for the partition (shard.h). */
static uint64_t tile_cost(const struct zoom_plan *zp,
                          const struct tile_job *tj)
{
  size_t i, clusters = 0;

  for(i = 0; i < tj->count; i++)
    clusters += zp->items[zp->refs[tj->first + i]].kind == ITEM_CLUSTER;
  return tm_shard_tile_cost(tj->count - clusters, clusters);
}

/* The owner of each tile of zp, from the cost of all tiles before it
 * (*before, over every zoom so far; advanced past zp's tiles). A shard
 * build keeps only its own tiles, in plan order, and returns NULL; a
 * merge keeps every tile and gets their owners (a new array). */
static int *shard_tiles(struct zoom_plan *zp, const struct tm_tiles_opts *o,
                        uint64_t *before, uint64_t total)
{
  int *owner = tm_xcalloc(zp->n_tiles ? zp->n_tiles : 1, sizeof(*owner));
  size_t i, kept = 0;

  for(i = 0; i < zp->n_tiles; i++) {
    uint64_t c = tile_cost(zp, &zp->tiles[i]);

    owner[i] = tm_shard_owner(*before, c, total, o->shard_n);
    *before += c;
  }
  if(!o->shard_k)
    return owner;
  for(i = 0; i < zp->n_tiles; i++)
    if(owner[i] == o->shard_k)
      zp->tiles[kept++] = zp->tiles[i];
  zp->n_tiles = kept;
  free(owner);
  return NULL;
}

/* A merge takes every tile from the shard folders' signatures. */
static enum tm_rc load_shard_caches(const struct tm_tiles_opts *o,
                                    struct run *run, struct tm_error *err)
{
  enum tm_rc rc = TM_OK;
  int k;

  run->shard_caches = tm_xcalloc((size_t)o->shard_n,
                                 sizeof(*run->shard_caches));
  for(k = 1; k <= o->shard_n && !rc; k++) {
    rc = tm_tilecache_load(o->merge_dirs[k - 1], &run->shard_caches[k - 1],
                           err);
    if(!rc && !run->shard_caches[k - 1])
      rc = tm_fail(err, TM_SYSTEM, "%s/tile-signatures.txt is missing, so "
                   "shard %d/%d is incomplete\n  (rebuild it with "
                   "'trustmap build --shard %d/%d' and the same options, "
                   "then merge again)", o->merge_dirs[k - 1], k,
                   o->shard_n, k, o->shard_n);
  }
  return rc;
}

enum tm_rc tm_tiles_write(const struct tm_pins *pins, const struct tm_style *st,
                          const struct tm_tiles_opts *o, const char *outdir,
                          struct tm_tiles_summary *sum, struct tm_error *err)
{
  struct tm_clusters *clusters = NULL;
  struct worker *ws = NULL;
  struct run run;
  struct planner pl;
  struct zoom_plan plans[2] = { { 0 } }, *cur = &plans[0], *next = &plans[1];
  cJSON *avail = NULL, *atiles;
  size_t *order = NULL;
  size_t n_order, i;
  FILE *sigs = NULL;
  char *sigtext = NULL;
  size_t siglen = 0;
  uint64_t total = 0, before = 0;
  bool merge = o->merge_dirs != NULL;
  enum tm_rc rc;
  int jobs = o->jobs, z, k;

  if(o->minzoom < 0 || o->maxzoom > TM_ZOOM_MAX || o->minzoom > o->maxzoom)
    return tm_fail(err, TM_USAGE,
                   "tile zooms %d to %d are not within 0 to %d",
                   o->minzoom, o->maxzoom, TM_ZOOM_MAX);
  if(o->shard_n < 0 || o->shard_n > TM_SHARD_MAX || o->shard_k < 0 ||
     o->shard_k > o->shard_n ||
     (merge ? o->shard_k || !o->shard_n : o->shard_n && !o->shard_k))
    return tm_fail(err, TM_USAGE, "shard %d of %d is not a shard (1 to %d "
                   "of at most %d)", o->shard_k, o->shard_n, o->shard_n,
                   TM_SHARD_MAX);
  if(jobs <= 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    jobs = cpus > 0 ? (int)(cpus > 256 ? 256 : cpus) : 1;
  }
  memset(sum, 0, sizeof(*sum));
  memset(&run, 0, sizeof(run));
  run.o = o;
  run.outdir = outdir;

  ws = tm_xcalloc((size_t)jobs, sizeof(*ws));
  rc = workers_new(ws, jobs, &run, err);
  if(!rc)
    rc = tm_tilesig_prefix(st, o->retina, run.prefix, err);
  if(!rc && merge)
    rc = load_shard_caches(o, &run, err);
  else if(!rc && o->reuse_dir)
    rc = tm_tilecache_load(o->reuse_dir, &run.cache, err);
  if(rc)
    goto done;
  sigs = open_memstream(&sigtext, &siglen);
  if(!sigs)
    tm_oom();

  clusters = tm_clusters_build(pins, st, o->minzoom, o->maxzoom);
  rc = write_clusters(outdir, clusters, st, err);
  if(rc)
    goto done;

  avail = cJSON_CreateObject();
  if(!avail ||
     !cJSON_AddNumberToObject(avail, "minzoom", o->minzoom) ||
     !cJSON_AddNumberToObject(avail, "maxzoom", o->maxzoom))
    tm_oom();
  atiles = cJSON_AddObjectToObject(avail, "tiles");
  if(!atiles)
    tm_oom();

  order = pin_order(pins, &n_order);
  pl = (struct planner){ pins, st, clusters, order, n_order, &run, ws, jobs };
  /* Shards need the whole plan's cost before the first tile. */
  for(z = o->minzoom; o->shard_n && z <= o->maxzoom; z++) {
    rc = plan_at(cur, z, &pl, false, err);
    if(rc)
      goto done;
    for(i = 0; i < cur->n_tiles; i++)
      total += tile_cost(cur, &cur->tiles[i]);
    plan_free(cur);
  }
  rc = plan_at(cur, o->minzoom, &pl, false, err);
  for(z = o->minzoom; !rc && z <= o->maxzoom; z++) {
    struct zoom_plan *drawn = cur;
    struct tm_error ahead_err;
    enum tm_rc ahead = TM_OK;
    struct batch b;

    if(o->shard_n)
      run.owner = shard_tiles(cur, o, &before, total);
    run.zp = cur;
    run.res = tm_xcalloc(cur->n_tiles ? cur->n_tiles : 1, sizeof(*run.res));
    b = batch_start(ws, jobs, &run);
    /* The next zoom is planned while the other workers draw this one (at
     * 10^6 points planning takes a second or two on one thread), unless
     * it needs sprites drawn first. */
    if(z < o->maxzoom)
      ahead = plan_at(next, z + 1, &pl, true, &ahead_err);
    rc = batch_finish(ws, &b, err);
    if(!rc) {
      for(i = 0; i < cur->n_tiles; i++) {
        char line[96];

        /* A shard lists its blank tiles too, so a merge can tell them
         * from lost ones (tilecache.h). */
        if(!run.res[i].written && o->shard_k) {
          tm_tilesig_line(z, cur->tiles[i].x, cur->tiles[i].y,
                          run.res[i].sig, true, line, sizeof(line));
          fputs(line, sigs);
        }
        if(!run.res[i].written)
          continue;
        tm_tilesig_line(z, cur->tiles[i].x, cur->tiles[i].y, run.res[i].sig,
                        false, line, sizeof(line));
        fputs(line, sigs);
        if(run.res[i].reused)
          sum->reused++;
        else
          sum->rendered++;
        sum->tiles[z]++;
        sum->tiles_2x[z] += run.res[i].bytes2 > 0;
        sum->bytes += run.res[i].bytes1 + run.res[i].bytes2;
      }
      available_add(atiles, cur, run.res);
    }
    if(!rc && ahead) {
      *err = ahead_err;
      rc = ahead;
    }
    TM_FREEF(free, run.res);
    TM_FREEF(free, run.owner);
    run.zp = NULL;
    plan_free(drawn);
    if(!rc && z < o->maxzoom && !next->sprites)
      rc = plan_at(next, z + 1, &pl, false, err);
    cur = next;
    next = drawn;
  }
  if(rc)
    goto done;
  rc = write_json(outdir, "tiles/available.json",
                  cJSON_PrintUnformatted(avail), err);
  if(!rc) {
    if(fclose(sigs))
      tm_oom();
    sigs = NULL;
    rc = write_json(outdir, "tile-signatures.txt", sigtext, err);
    sigtext = NULL;
    sum->removed = tm_tilecache_unmatched(run.cache);
  }

done:
  if(sigs)
    fclose(sigs);
  free(sigtext);
  tm_tilecache_free(run.cache);
  for(k = 0; run.shard_caches && k < o->shard_n; k++)
    tm_tilecache_free(run.shard_caches[k]);
  free(run.shard_caches);
  cJSON_Delete(avail);
  plan_free(&plans[0]);
  plan_free(&plans[1]);
  free(order);
  while(run.n_sprites > 0)
    tm_pin_sprites_free(run.sprites[--run.n_sprites]);
  tm_clusters_free(clusters);
  if(ws)
    workers_free(ws, jobs);
  free(ws);
  return rc;
}

enum tm_rc tm_tiles_render_window(const struct tm_pins *pins,
                                  const struct tm_style *st, int z, int dpr,
                                  int64_t gx, int64_t gy, int w, int h,
                                  uint32_t *px, struct tm_error *err)
{
  struct tm_painter *painter = NULL;
  struct tm_pin_sprites *sprites = NULL;
  struct tm_clusters *clusters = NULL;
  struct tm_sprite cl1 = { 0 }, cl2 = { 0 };
  struct zoom_plan zp;
  struct tm_canvas c;
  size_t *order, n_order;
  enum tm_rc rc;

  if(z < 0 || z > TM_ZOOM_MAX || (dpr != 1 && dpr != 2))
    return tm_fail(err, TM_USAGE, "cannot draw zoom %d at scale %d", z, dpr);
  rc = tm_painter_new(&painter, err);
  if(rc)
    return rc;
  clusters = tm_clusters_build(pins, st, z, z);
  memset(&zp, 0, sizeof(zp));
  zp.z = z;
  zp.pins = pins;
  zp.st = st;
  zp.cz = tm_clusters_at(clusters, z);
  rc = tm_pin_sprites_new(painter, st, zp.cz->pin_scale, &sprites, err);
  if(!rc) {
    zp.sprites = sprites;
    unsigned char *clustered = clustered_pins(pins, zp.cz);

    order = pin_order(pins, &n_order);
    plan_zoom(&zp, order, n_order, clustered, false);
    free(order);
    free(clustered);
    tm_canvas_init(&c, px, w, h, gx, gy);
    draw_items(&zp, NULL, zp.n_items, painter, &cl1, &cl2,
               dpr == 1 ? &c : NULL, dpr == 2 ? &c : NULL);
    plan_free(&zp);
  }
  tm_sprite_release(&cl1);
  tm_sprite_release(&cl2);
  tm_pin_sprites_free(sprites);
  tm_clusters_free(clusters);
  tm_painter_free(painter);
  return rc;
}
