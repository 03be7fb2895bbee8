/* opts.c - argv -> struct tm_opts. Pure: nothing is opened or printed. */
#include <string.h>

#include "opts.h"

static const char usage_text[] =
  "usage: trustmap build    [options]   build the map into --out\n"
  "       trustmap validate [options]   check the inputs; writes nothing\n"
  "       trustmap merge    [options] SHARD_DIR...\n"
  "                                     build into --out with the tiles\n"
  "                                     each 'build --shard' made in its\n"
  "                                     SHARD_DIR (give the shards' inputs\n"
  "                                     and options)\n"
  "\n"
  "inputs (defaults: the sample in data/trusts/):\n"
  "  --trusts FILE        trust and hospital locations (any table GDAL "
  "reads)\n"
  "  --foi FILE           one FOI round: code, status, notes\n"
  "  --postcodes FILE     postcode lookup for rows located by postcode\n"
  "  --style FILE         style (default styles/default.json, else built in)\n"
  "  --round NAME         FOI round label (default: from the FOI file "
  "name)\n"
  "  --crs CRS            CRS of easting/northing columns (default "
  "EPSG:27700)\n"
  "  --col FILE.ROLE=COLUMN\n"
  "                       name a column, e.g. --col trusts.code=OrgCode or\n"
  "                       --col postcodes.easting=#2 (FILE: trusts, foi,\n"
  "                       postcodes; ROLE: code, name, site_code, "
  "site_name,\n"
  "                       parent_code, parent_name, nation, lat, lon,\n"
  "                       easting, northing, postcode, status, notes)\n"
  "  --no-header FILE     FILE has no header row; name columns as #N\n"
  "  --layer FILE=NAME    read sheet or layer NAME (default: the first)\n"
  "\n"
  "output:\n"
  "  --out DIR            output folder (default out)\n"
  "  --keep N             keep the N builds before this one as "
  "DIR.previous-1..N\n"
  "  --previous DIR       the build to report changes against (default: "
  "the\n"
  "                       output folder's current build)\n"
  "  --minzoom N, --maxzoom N\n"
  "                       tile zoom range (default: from the style)\n"
  "  --no-retina          do not write @2x tiles\n"
  "  --no-tiles           data only: GeoJSON, CSV, changes, chart, report\n"
  "  --timings            print each stage's wall time\n"
  "  --base-layer URL     base map tiles for the page, or \"none\"\n"
  "  --jobs N             rendering threads (default: all cores)\n"
  "  --shard K/N          make only shard K of N of the tiles, for one\n"
  "                       build spread over N machines; then merge\n"
  "  --strict             warnings stop the build too\n"
  "  --quiet              no progress or summary\n"
  "  --help, --version\n"
  "\n"
  "exit status: 0 built, 1 input problems (nothing published), 2 usage,\n"
  "3 system error\n";

const char *tm_opts_usage(void)
{
  return usage_text;
}

static enum tm_rc usage(struct tm_error *err, const char *what,
                        const char *arg)
{
  return tm_fail(err, TM_USAGE, "trustmap: %s \"%s\"; try 'trustmap "
                 "--help'", what, arg);
}

/* "FILE.ROLE=COLUMN" */
static enum tm_rc parse_col(struct tm_opts *o, const char *arg,
                            struct tm_error *err)
{
  const char *dot = strchr(arg, '.');
  const char *eq = strchr(arg, '=');
  enum tm_file_role f;
  enum tm_col c;
  char file[32], role[32];
  size_t nf, nr;

  if(!dot || !eq || eq < dot)
    return usage(err, "--col wants FILE.ROLE=COLUMN, not", arg);
  nf = (size_t)(dot - arg);
  nr = (size_t)(eq - dot - 1);
  if(nf >= sizeof(file) || nr >= sizeof(role))
    return usage(err, "unknown column role in --col", arg);
  memcpy(file, arg, nf);
  file[nf] = '\0';
  memcpy(role, dot + 1, nr);
  role[nr] = '\0';
  if(!tm_file_role_from_name(file, &f))
    return usage(err, "--col: unknown file (trusts, foi, postcodes) in",
                 arg);
  if(!tm_col_from_name(role, &c))
    return usage(err, "--col: unknown role in", arg);
  if(!eq[1])
    return usage(err, "--col: no column named in", arg);
  o->file[f].cols[c] = eq + 1;
  return TM_OK;
}

/* "FILE=NAME" */
static enum tm_rc parse_layer(struct tm_opts *o, const char *arg,
                              struct tm_error *err)
{
  const char *eq = strchr(arg, '=');
  enum tm_file_role f;
  char file[32];
  size_t n;

  if(!eq || !eq[1])
    return usage(err, "--layer wants FILE=NAME, not", arg);
  n = (size_t)(eq - arg);
  if(n >= sizeof(file))
    return usage(err, "--layer: unknown file in", arg);
  memcpy(file, arg, n);
  file[n] = '\0';
  if(!tm_file_role_from_name(file, &f))
    return usage(err, "--layer: unknown file (trusts, foi, postcodes) in",
                 arg);
  o->file[f].layer = eq + 1;
  return TM_OK;
}

static enum tm_rc parse_int(const char *opt, const char *arg, long min,
                            long max, int *out, struct tm_error *err)
{
  long v;

  if(!tm_parse_long(arg, min, max, &v))
    return tm_fail(err, TM_USAGE, "trustmap: %s wants a whole number from "
                   "%ld to %ld, not \"%s\"; try 'trustmap --help'", opt,
                   min, max, arg);
  *out = (int)v;
  return TM_OK;
}

/* "K/N" with 1 <= K <= N <= TM_SHARD_MAX. */
static enum tm_rc parse_shard(struct tm_opts *o, const char *arg,
                              struct tm_error *err)
{
  const char *slash = strchr(arg, '/');
  char k[16];
  long kv, nv;
  size_t n = slash ? (size_t)(slash - arg) : 0;

  if(!slash || n >= sizeof(k))
    return usage(err, "--shard wants K/N with 1 <= K <= N, not", arg);
  memcpy(k, arg, n);
  k[n] = '\0';
  /* Digits only: tm_parse_long would let " 2" or "+2" through. */
  if(!n || strspn(k, "0123456789") != n ||
     strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
     !tm_parse_long(k, 1, 1000000, &kv) ||
     !tm_parse_long(slash + 1, 1, 1000000, &nv) || kv > nv)
    return usage(err, "--shard wants K/N with 1 <= K <= N, not", arg);
  if(nv > TM_SHARD_MAX)
    return tm_fail(err, TM_USAGE, "trustmap: --shard: at most %d shards, "
                   "not \"%s\"; try 'trustmap --help'", TM_SHARD_MAX, arg);
  o->shard_k = (int)kv;
  o->shard_n = (int)nv;
  return TM_OK;
}

/* Options that take a value; "--opt=value" works as well as "--opt value".
 */
static const char *const valued[] = {
  "--trusts", "--foi", "--postcodes", "--style", "--round", "--crs",
  "--col", "--no-header", "--layer", "--out", "--minzoom", "--maxzoom",
  "--base-layer", "--jobs", "--previous", "--keep", "--shard"
};

static bool takes_value(const char *opt)
{
  size_t i;

  for(i = 0; i < TM_ARRAY_LEN(valued); i++)
    if(!strcmp(opt, valued[i]))
      return true;
  return false;
}

static enum tm_rc apply(struct tm_opts *o, const char *opt, const char *v,
                        struct tm_error *err)
{
  enum tm_file_role f;

  if(!strcmp(opt, "--trusts"))
    o->file[TM_FILE_TRUSTS].path = v;
  else if(!strcmp(opt, "--foi"))
    o->file[TM_FILE_FOI].path = v;
  else if(!strcmp(opt, "--postcodes"))
    o->file[TM_FILE_POSTCODES].path = v;
  else if(!strcmp(opt, "--style"))
    o->style_path = v;
  else if(!strcmp(opt, "--round"))
    o->round = v;
  else if(!strcmp(opt, "--crs"))
    o->crs = v;
  else if(!strcmp(opt, "--col"))
    return parse_col(o, v, err);
  else if(!strcmp(opt, "--no-header")) {
    if(!tm_file_role_from_name(v, &f))
      return usage(err, "--no-header: unknown file (trusts, foi, "
                   "postcodes)", v);
    o->file[f].no_header = true;
  }
  else if(!strcmp(opt, "--layer"))
    return parse_layer(o, v, err);
  else if(!strcmp(opt, "--out"))
    o->out_dir = v;
  else if(!strcmp(opt, "--minzoom"))
    return parse_int(opt, v, 0, 22, &o->minzoom, err);
  else if(!strcmp(opt, "--maxzoom"))
    return parse_int(opt, v, 0, 22, &o->maxzoom, err);
  else if(!strcmp(opt, "--base-layer"))
    o->base_layer = v;
  else if(!strcmp(opt, "--previous"))
    o->previous = v;
  else if(!strcmp(opt, "--keep"))
    return parse_int(opt, v, 0, 100, &o->keep, err);
  else if(!strcmp(opt, "--jobs"))
    return parse_int(opt, v, 1, 1024, &o->jobs, err);
  else if(!strcmp(opt, "--shard"))
    return parse_shard(o, v, err);
  if(!v[0] && strcmp(opt, "--round"))
    return usage(err, "empty value for", opt);
  return TM_OK;
}

static enum tm_rc add_shard_dir(struct tm_opts *o, const char *dir,
                                struct tm_error *err)
{
  if(o->n_shard_dirs == TM_SHARD_MAX)
    return tm_fail(err, TM_USAGE, "trustmap: merge takes at most %d shard "
                   "folders; try 'trustmap --help'", TM_SHARD_MAX);
  o->shard_dirs[o->n_shard_dirs++] = dir;
  return TM_OK;
}

/* --shard and merge: only where there are tiles to split or join. */
static enum tm_rc check_shards(const struct tm_opts *o,
                               struct tm_error *err)
{
  if(o->shard_n && o->mode == TM_MODE_VALIDATE)
    return tm_fail(err, TM_USAGE, "trustmap: --shard splits a build's "
                   "tiles; validate draws none, so drop --shard; try "
                   "'trustmap --help'");
  if(o->shard_n && o->mode == TM_MODE_MERGE)
    return tm_fail(err, TM_USAGE, "trustmap: merge takes the shards' "
                   "folders, not --shard: trustmap merge [options] "
                   "SHARD_DIR...; try 'trustmap --help'");
  if(o->no_tiles && (o->shard_n || o->mode == TM_MODE_MERGE))
    return tm_fail(err, TM_USAGE, "trustmap: --no-tiles makes no tiles, "
                   "so there are none to %s; drop one of them; try "
                   "'trustmap --help'", o->shard_n ? "shard" : "merge");
  if(o->mode == TM_MODE_MERGE && !o->n_shard_dirs)
    return tm_fail(err, TM_USAGE, "trustmap: merge wants the shards' "
                   "folders: trustmap merge [options] SHARD_DIR...; try "
                   "'trustmap --help'");
  return TM_OK;
}

enum tm_rc tm_opts_parse(int argc, char **argv, struct tm_opts *o,
                         struct tm_error *err)
{
  int i = 1;
  enum tm_rc rc;

  memset(o, 0, sizeof(*o));
  o->mode = TM_MODE_BUILD;
  o->minzoom = -1;
  o->maxzoom = -1;
  o->retina = true;
  o->out_dir = TM_DEFAULT_OUT;
  o->crs = TM_DEFAULT_GRID_CRS;

  if(argc < 2)
    return tm_fail(err, TM_USAGE, "trustmap: no command (build or "
                   "validate); try 'trustmap --help'");
  if(!strcmp(argv[1], "build"))
    o->mode = TM_MODE_BUILD;
  else if(!strcmp(argv[1], "validate"))
    o->mode = TM_MODE_VALIDATE;
  else if(!strcmp(argv[1], "merge"))
    o->mode = TM_MODE_MERGE;
  else if(!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
          !strcmp(argv[1], "help")) {
    o->mode = TM_MODE_HELP;
    return TM_OK;
  }
  else if(!strcmp(argv[1], "--version")) {
    o->mode = TM_MODE_VERSION;
    return TM_OK;
  }
  else
    return usage(err, "unknown command", argv[1]);

  for(i = 2; i < argc; i++) {
    const char *arg = argv[i];
    const char *eq = strchr(arg, '=');
    char opt[32];
    const char *value = NULL;

    if(!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
      o->mode = TM_MODE_HELP;
      return TM_OK;
    }
    if(!strcmp(arg, "--strict")) {
      o->strict = true;
      continue;
    }
    if(!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
      o->quiet = true;
      continue;
    }
    if(!strcmp(arg, "--no-retina")) {
      o->retina = false;
      continue;
    }
    if(!strcmp(arg, "--no-tiles")) {
      o->no_tiles = true;
      continue;
    }
    if(!strcmp(arg, "--timings")) {
      o->timings = true;
      continue;
    }
    /* A merge's shard folders, anywhere among the options; after "--"
     * everything is one (a folder whose name starts with "--"). */
    if(o->mode == TM_MODE_MERGE && !strcmp(arg, "--")) {
      while(++i < argc) {
        rc = add_shard_dir(o, argv[i], err);
        if(rc)
          return rc;
      }
      break;
    }
    if(o->mode == TM_MODE_MERGE && strncmp(arg, "--", 2)) {
      rc = add_shard_dir(o, arg, err);
      if(rc)
        return rc;
      continue;
    }
    if(strncmp(arg, "--", 2))
      return usage(err, "unexpected argument", arg);
    if(eq && (size_t)(eq - arg) < sizeof(opt)) {
      memcpy(opt, arg, (size_t)(eq - arg));
      opt[eq - arg] = '\0';
      value = eq + 1;
    }
    else if(strlen(arg) < sizeof(opt)) {
      memcpy(opt, arg, strlen(arg) + 1);
      if(takes_value(opt)) {
        if(i + 1 >= argc)
          return usage(err, "missing value after", arg);
        value = argv[++i];
      }
    }
    else
      return usage(err, "unknown option", arg);
    if(!takes_value(opt))
      return usage(err, "unknown option", opt);
    rc = apply(o, opt, value, err);
    if(rc)
      return rc;
  }

  /* The sample is the default only as a whole: naming one input and
   * silently taking the other from the sample would mix two data sets. */
  if(!o->file[TM_FILE_TRUSTS].path && !o->file[TM_FILE_FOI].path) {
    o->file[TM_FILE_TRUSTS].path = TM_DEFAULT_TRUSTS;
    o->file[TM_FILE_FOI].path = TM_DEFAULT_FOI;
  }
  else if(!o->file[TM_FILE_TRUSTS].path)
    return tm_fail(err, TM_USAGE, "trustmap: --foi given without --trusts;"
                   " name both files, or neither for the sample; try "
                   "'trustmap --help'");
  else if(!o->file[TM_FILE_FOI].path)
    return tm_fail(err, TM_USAGE, "trustmap: --trusts given without --foi;"
                   " name both files, or neither for the sample; try "
                   "'trustmap --help'");
  if(o->minzoom >= 0 && o->maxzoom >= 0 && o->minzoom > o->maxzoom)
    return tm_fail(err, TM_USAGE, "trustmap: --minzoom %d is above "
                   "--maxzoom %d; try 'trustmap --help'", o->minzoom,
                   o->maxzoom);
  return check_shards(o, err);
}
