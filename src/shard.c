/* shard.c - the tile partition, the build digest, and shard.json (see
 * shard.h).
 *
 * A merge checks its shard folders twice: here, before anything is read
 * or drawn (each folder is a shard, all of one split of one build, none
 * missing), and tile by tile in tiles.c (every tile of the plan is in the
 * shard that owns it, with this build's signature), so a mixture or a
 * damaged folder stops the merge instead of publishing a patchwork.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <nettle/sha2.h>

#include "publish.h"
#include "shard.h"
#include "tilecache.h"

/* A shard.json larger than this is not one of ours. */
#define MAX_SHARD_JSON 4096

/* What a tile costs to make, in units of one pin sprite copied over the
 * 1x and @2x canvases. Clearing the canvases and encoding two PNGs cost
 * about as much as a dozen or two pins; a cluster symbol is drawn with
 * cairo for each tile it is on. Only the balance between shards depends
 * on these weights, never which tiles are made or their bytes. */
#define COST_TILE 16
#define COST_PIN 1
#define COST_CLUSTER 8

uint64_t tm_shard_tile_cost(size_t pins, size_t clusters)
{
  return COST_TILE + COST_PIN * (uint64_t)pins +
         COST_CLUSTER * (uint64_t)clusters;
}

int tm_shard_owner(uint64_t before, uint64_t cost, uint64_t total, int n)
{
  /* Twice the tile's middle, so odd costs need no fractions. The shard is
   * floor(middle * n / total); with total < 2^50 and n <= TM_SHARD_MAX the
   * product stays below 2^61. */
  uint64_t mid2 = 2 * before + cost;
  uint64_t k;

  if(n <= 1 || !total)
    return 1;
  k = mid2 * (uint64_t)n / (2 * total);
  return k >= (uint64_t)n ? n : (int)k + 1;
}

static void hash_text(struct sha256_ctx *ctx, const char *s)
{
  /* With its NUL, so "ab" + "c" never hashes like "a" + "bc". */
  sha256_update(ctx, strlen(s) + 1, (const uint8_t *)s);
}

enum tm_rc tm_shard_digest(const struct tm_pins *pins,
                           const struct tm_style *st, int minzoom,
                           int maxzoom, bool retina, char hex[65],
                           struct tm_error *err)
{
  struct sha256_ctx ctx;
  uint8_t prefix[32], digest[SHA256_DIGEST_SIZE];
  char buf[160];
  size_t i;
  enum tm_rc rc;

  /* The tiles' signature prefix already covers the binary, the style's
   * drawing settings and @2x; the rest is what tiles.c plans from. */
  rc = tm_tilesig_prefix(st, retina, prefix, err);
  if(rc)
    return rc;
  sha256_init(&ctx);
  sha256_update(&ctx, sizeof(prefix), prefix);
  snprintf(buf, sizeof(buf), "trustmap shard plan 1 zooms %d %d pins %zu",
           minzoom, maxzoom, pins->n);
  hash_text(&ctx, buf);
  for(i = 0; i < pins->n; i++) {
    const struct tm_pin *p = &pins->v[i];

    /* %a is exact, so two positions that differ by one bit differ here. */
    snprintf(buf, sizeof(buf), "%a %a %a %d", p->mx, p->my, p->lat,
             (int)p->status);
    hash_text(&ctx, buf);
    hash_text(&ctx, p->code ? p->code : "");
  }
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
  for(i = 0; i < SHA256_DIGEST_SIZE; i++)
    snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return TM_OK;
}

enum tm_rc tm_shard_write(const char *dir, int k, int n, const char *build,
                          struct tm_error *err)
{
  char *path = tm_xasprintf("%s/" TM_SHARD_FILE, dir);
  char *text = tm_xasprintf("{\"generator\":\"trustmap\",\"shard\":%d,"
                            "\"shards\":%d,\"build\":\"%s\"}\n", k, n,
                            build);
  enum tm_rc rc = tm_write_file(path, text, strlen(text), err);

  free(text);
  free(path);
  return rc;
}

/* What one folder's shard.json says. */
struct shard_info {
  int k, n;
  char build[65];
};

static bool json_int(const cJSON *root, const char *key, int min, int max,
                     int *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

  if(!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max ||
     v->valuedouble != (double)(int)v->valuedouble)
    return false;
  *out = (int)v->valuedouble;
  return true;
}

static enum tm_rc not_a_shard(const char *dir, const char *why,
                              struct tm_error *err)
{
  return tm_fail(err, TM_USAGE, "trustmap: %s is not a shard folder: %s\n"
                 "  (give merge the --out folders of 'trustmap build "
                 "--shard K/N', one per shard)", dir, why);
}

static enum tm_rc read_info(const char *dir, struct shard_info *info,
                            struct tm_error *err)
{
  char *path = tm_xasprintf("%s/" TM_SHARD_FILE, dir);
  char buf[MAX_SHARD_JSON + 1];
  const cJSON *gen, *build;
  cJSON *root;
  size_t len;
  FILE *f;
  struct stat st;
  bool ok;

  if(stat(dir, &st) || !S_ISDIR(st.st_mode)) {
    free(path);
    return tm_fail(err, TM_USAGE, "trustmap: %s: no such folder\n  (give "
                   "merge the --out folders of 'trustmap build --shard "
                   "K/N', one per shard)", dir);
  }
  f = fopen(path, "r");
  if(!f) {
    enum tm_rc rc = errno == ENOENT
                    ? not_a_shard(dir, "it has no " TM_SHARD_FILE, err)
                    : tm_fail_errno(err, "%s: cannot open", path);

    free(path);
    return rc;
  }
  len = fread(buf, 1, sizeof(buf), f);
  ok = !ferror(f);
  fclose(f);
  free(path);
  if(!ok)
    return tm_fail_errno(err, "%s/" TM_SHARD_FILE ": cannot read", dir);
  if(len > MAX_SHARD_JSON)
    return not_a_shard(dir, "its " TM_SHARD_FILE " is not trustmap's",
                       err);
  root = cJSON_ParseWithLength(buf, len);
  gen = cJSON_GetObjectItemCaseSensitive(root, "generator");
  build = cJSON_GetObjectItemCaseSensitive(root, "build");
  ok = root && cJSON_IsString(gen) && !strcmp(gen->valuestring, "trustmap")
       && json_int(root, "shards", 1, TM_SHARD_MAX, &info->n) &&
       json_int(root, "shard", 1, info->n, &info->k) &&
       cJSON_IsString(build) && tm_is_sha256_hex(build->valuestring);
  if(ok)
    memcpy(info->build, build->valuestring, 65);
  cJSON_Delete(root);
  if(!ok)
    return not_a_shard(dir, "its " TM_SHARD_FILE " is damaged or not "
                       "trustmap's", err);
  return TM_OK;
}

static bool same_folder(const char *a, const char *b)
{
  struct stat sa, sb;

  return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

enum tm_rc tm_shard_set_load(const char *const *dirs, size_t n,
                             const char *out, struct tm_shard_set **set,
                             struct tm_error *err)
{
  struct shard_info *info = tm_xcalloc(n ? n : 1, sizeof(*info));
  struct tm_shard_set *s = NULL;
  enum tm_rc rc = TM_OK;
  size_t i;
  int k;

  *set = NULL;
  if(!n)
    rc = tm_fail(err, TM_USAGE, "trustmap: merge wants the shards' "
                 "folders; try 'trustmap --help'");
  for(i = 0; i < n && !rc; i++)
    rc = read_info(dirs[i], &info[i], err);
  for(i = 1; i < n && !rc; i++) {
    if(info[i].n != info[0].n)
      rc = tm_fail(err, TM_USAGE, "trustmap: %s is shard %d/%d but %s is "
                   "shard %d/%d: they come from two different splits\n  "
                   "(merge the %d folders of one split)", dirs[i],
                   info[i].k, info[i].n, dirs[0], info[0].k, info[0].n,
                   info[0].n);
    else if(strcmp(info[i].build, info[0].build))
      rc = tm_fail(err, TM_USAGE, "trustmap: %s (shard %d/%d) is a shard "
                   "of another build than %s (shard %d/%d): their inputs, "
                   "style, zooms, --no-retina or trustmap binary differ\n  "
                   "(rebuild the odd one with 'trustmap build --shard "
                   "%d/%d' and the same inputs, options and trustmap as "
                   "the others)", dirs[i], info[i].k, info[i].n, dirs[0],
                   info[0].k, info[0].n, info[i].k, info[i].n);
  }
  if(rc)
    goto done;
  s = tm_xcalloc(1, sizeof(*s));
  s->n = info[0].n;
  memcpy(s->build, info[0].build, sizeof(s->build));
  s->dirs = tm_xcalloc((size_t)s->n, sizeof(*s->dirs));
  for(i = 0; i < n && !rc; i++) {
    k = info[i].k;
    if(s->dirs[k - 1])
      rc = tm_fail(err, TM_USAGE, "trustmap: %s and %s are both shard "
                   "%d/%d\n  (give merge each shard's folder once)",
                   s->dirs[k - 1], dirs[i], k, s->n);
    else if(out && same_folder(dirs[i], out))
      rc = tm_fail(err, TM_USAGE, "trustmap: --out %s is shard %d/%d's "
                   "folder, which the merge reads\n  (merge into another "
                   "folder, e.g. --out out)", out, k, s->n);
    s->dirs[k - 1] = dirs[i];
  }
  for(k = 1; k <= s->n && !rc; k++) {
    if(!s->dirs[k - 1])
      rc = tm_fail(err, TM_USAGE, "trustmap: shard %d/%d is missing: none "
                   "of the %zu folder%s given is shard %d of this split\n  "
                   "(run 'trustmap build --shard %d/%d' with the same "
                   "inputs and options as the others, then merge all %d "
                   "folders)", k, s->n, n, n == 1 ? "" : "s", k, k, s->n,
                   s->n);
  }

done:
  free(info);
  if(rc) {
    tm_shard_set_free(s);
    return rc;
  }
  *set = s;
  return TM_OK;
}

enum tm_rc tm_shard_set_check(const struct tm_shard_set *set,
                              const char *build, struct tm_error *err)
{
  if(!strcmp(set->build, build))
    return TM_OK;
  return tm_fail(err, TM_USAGE, "trustmap: the shards (%s and the others) "
                 "were built from other inputs or options than this merge: "
                 "its inputs, style, --minzoom/--maxzoom, --no-retina or "
                 "trustmap binary differ\n  (give merge the same inputs and "
                 "options as the shards had, or rebuild the shards)",
                 set->dirs[0]);
}

void tm_shard_set_free(struct tm_shard_set *set)
{
  if(!set)
    return;
  free(set->dirs);
  free(set);
}
