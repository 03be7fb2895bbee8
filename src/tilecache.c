/* tilecache.c - signatures of tiles and reuse of unchanged ones.
 *
 * The binary itself is part of every signature, so a trustmap built from
 * other code never reuses a tile it might draw differently: correctness
 * does not depend on anyone remembering to bump a version.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "tilecache.h"

struct entry {
  int z, x, y;
  uint8_t sig[TM_TILESIG_BYTES];
  bool blank;                 /* drawn blank by a shard: no files */
  bool matched;               /* a tile of this build has this z/x/y */
};

struct tm_tilecache {
  char *dir;                  /* the previous build */
  struct entry *v;            /* sorted by z, x, y */
  size_t n;
};

static void hash_file(struct sha256_ctx *ctx, const char *path, bool *ok)
{
  unsigned char buf[65536];
  ssize_t got;
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  *ok = fd >= 0;
  if(fd < 0)
    return;
  while((got = read(fd, buf, sizeof(buf))) > 0)
    sha256_update(ctx, (size_t)got, buf);
  if(got < 0)
    *ok = false;
  close(fd);
}

enum tm_rc tm_tilesig_prefix(const struct tm_style *st, bool retina,
                             uint8_t prefix[32], struct tm_error *err)
{
  struct sha256_ctx ctx;
  char buf[256];
  bool ok;
  int s;

  sha256_init(&ctx);
  hash_file(&ctx, "/proc/self/exe", &ok);
  if(!ok)
    return tm_fail_errno(err, "/proc/self/exe: cannot read this program "
                         "to sign its tiles");
  snprintf(buf, sizeof(buf), "pin %.17g %.17g %.17g %d cluster %d %.17g "
           "%d retina %d", st->pin.width, st->pin.height, st->pin.outline,
           st->pin.shadow, st->cluster.enabled, st->cluster.radius,
           st->cluster.maxzoom, retina);
  sha256_update(&ctx, strlen(buf), (const uint8_t *)buf);
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    snprintf(buf, sizeof(buf), "status %d %s %d", s, st->status[s].colour,
             (int)st->status[s].glyph);
    sha256_update(&ctx, strlen(buf), (const uint8_t *)buf);
  }
  sha256_digest(&ctx, 32, prefix);
  return TM_OK;
}

void tm_tilesig(const uint8_t prefix[32], int z, int x, int y,
                const void *items, size_t len,
                uint8_t sig[TM_TILESIG_BYTES])
{
  struct sha256_ctx ctx;
  int32_t zxy[3] = { z, x, y };

  sha256_init(&ctx);
  sha256_update(&ctx, 32, prefix);
  sha256_update(&ctx, sizeof(zxy), (const uint8_t *)zxy);
  sha256_update(&ctx, len, items);
  sha256_digest(&ctx, TM_TILESIG_BYTES, sig);
}

void tm_tilesig_line(int z, int x, int y,
                     const uint8_t sig[TM_TILESIG_BYTES], bool blank,
                     char *buf, size_t size)
{
  int n = snprintf(buf, size, "%d %d %d ", z, x, y);
  int i;

  for(i = 0; i < TM_TILESIG_BYTES && n > 0 && (size_t)n + 3 < size; i++)
    n += snprintf(buf + n, size - (size_t)n, "%02x", sig[i]);
  if(n > 0 && (size_t)n + 7 < size)
    snprintf(buf + n, size - (size_t)n, "%s\n", blank ? " blank" : "");
}

static int entry_cmp(const void *a, const void *b)
{
  const struct entry *p = a, *q = b;

  if(p->z != q->z)
    return p->z < q->z ? -1 : 1;
  if(p->x != q->x)
    return p->x < q->x ? -1 : 1;
  return (p->y > q->y) - (p->y < q->y);
}

static bool parse_hex(const char *s, uint8_t *out, size_t n)
{
  size_t i;

  for(i = 0; i < n; i++) {
    unsigned v;

    if(sscanf(s + 2 * i, "%2x", &v) != 1)
      return false;
    out[i] = (uint8_t)v;
  }
  return true;
}

enum tm_rc tm_tilecache_load(const char *dir, struct tm_tilecache **out,
                             struct tm_error *err)
{
  char *path = tm_xasprintf("%s/tile-signatures.txt", dir);
  FILE *f = fopen(path, "r");
  struct tm_tilecache *c;
  char line[256];
  size_t cap = 0;

  *out = NULL;
  free(path);
  /* No signatures (a first build, or one from an older trustmap): every
   * tile is drawn. A damaged line only costs that tile's reuse. */
  if(!f)
    return TM_OK;
  c = tm_xcalloc(1, sizeof(*c));
  c->dir = tm_xstrdup(dir);
  while(fgets(line, sizeof(line), f)) {
    struct entry e = { 0 };
    char hex[2 * TM_TILESIG_BYTES + 1], mark[8];
    int got = sscanf(line, "%d %d %d %32s %7s", &e.z, &e.x, &e.y, hex,
                     mark);

    if(got < 4 || strlen(hex) != 2 * TM_TILESIG_BYTES ||
       !parse_hex(hex, e.sig, TM_TILESIG_BYTES))
      continue;
    if(got == 5) {
      if(strcmp(mark, "blank"))
        continue;
      e.blank = true;
    }
    tm_xgrow((void **)&c->v, &cap, c->n + 1, sizeof(c->v[0]));
    c->v[c->n++] = e;
  }
  if(ferror(f)) {
    fclose(f);
    tm_tilecache_free(c);
    return tm_fail_errno(err, "%s/tile-signatures.txt: cannot read", dir);
  }
  fclose(f);
  if(c->n > 1)
    qsort(c->v, c->n, sizeof(c->v[0]), entry_cmp);
  *out = c;
  return TM_OK;
}

/* Hard link, or a copy where links cannot be made (another filesystem). */
static bool link_or_copy(const char *from, const char *to, size_t *bytes)
{
  struct stat st;
  char buf[65536];
  ssize_t got;
  int in, outfd;
  bool ok = true;

  if(lstat(from, &st) || !S_ISREG(st.st_mode))
    return false;
  *bytes = (size_t)st.st_size;
  if(!link(from, to))
    return true;
  in = open(from, O_RDONLY | O_CLOEXEC);
  if(in < 0)
    return false;
  outfd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if(outfd < 0) {
    close(in);
    return false;
  }
  while(ok && (got = read(in, buf, sizeof(buf))) > 0)
    ok = write(outfd, buf, (size_t)got) == got;
  if(got < 0)
    ok = false;
  close(in);
  if(close(outfd))
    ok = false;
  if(!ok)
    unlink(to);
  return ok;
}

/* mkdir -p for the folders of a tile path under outdir. */
static bool make_tile_dirs(const char *outdir, int z, int x)
{
  char *d = tm_xasprintf("%s/tiles/%d/%d", outdir, z, x);
  char *s;
  bool ok = true;

  for(s = strchr(d + strlen(outdir) + 1, '/'); ok; s = strchr(s + 1, '/')) {
    if(s)
      *s = '\0';
    if(mkdir(d, 0777) && errno != EEXIST)
      ok = false;
    if(!s)
      break;
    *s = '/';
  }
  free(d);
  return ok;
}

enum tm_reuse tm_tilecache_reuse(struct tm_tilecache *c, int z, int x, int y,
                                 const uint8_t sig[TM_TILESIG_BYTES],
                                 bool retina, const char *outdir,
                                 size_t *bytes1, size_t *bytes2)
{
  struct entry key = { .z = z, .x = x, .y = y };
  struct entry *e;
  char *from, *to;
  bool ok;

  if(!c)
    return TM_REUSE_NONE;
  e = bsearch(&key, c->v, c->n, sizeof(c->v[0]), entry_cmp);
  if(!e)
    return TM_REUSE_NONE;
  e->matched = true;
  if(memcmp(e->sig, sig, TM_TILESIG_BYTES))
    return TM_REUSE_NONE;
  *bytes1 = *bytes2 = 0;
  if(e->blank)
    return TM_REUSE_BLANK;
  if(!make_tile_dirs(outdir, z, x))
    return TM_REUSE_NONE;
  from = tm_xasprintf("%s/tiles/%d/%d/%d.png", c->dir, z, x, y);
  to = tm_xasprintf("%s/tiles/%d/%d/%d.png", outdir, z, x, y);
  ok = link_or_copy(from, to, bytes1);
  free(from);
  free(to);
  if(ok && retina) {
    from = tm_xasprintf("%s/tiles/%d/%d/%d@2x.png", c->dir, z, x, y);
    to = tm_xasprintf("%s/tiles/%d/%d/%d@2x.png", outdir, z, x, y);
    ok = link_or_copy(from, to, bytes2);
    if(!ok) {
      /* Half a tile is no tile: draw both. */
      char *one = tm_xasprintf("%s/tiles/%d/%d/%d.png", outdir, z, x, y);

      unlink(one);
      free(one);
    }
    free(from);
    free(to);
  }
  return ok ? TM_REUSE_FILES : TM_REUSE_NONE;
}

size_t tm_tilecache_unmatched(const struct tm_tilecache *c)
{
  size_t i, n = 0;

  for(i = 0; c && i < c->n; i++)
    if(!c->v[i].matched)
      n++;
  return n;
}

void tm_tilecache_free(struct tm_tilecache *c)
{
  if(!c)
    return;
  free(c->v);
  free(c->dir);
  free(c);
}
