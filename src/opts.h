/* opts.h - the command line, parsed into struct tm_opts (pure: no I/O).
 *
 * Every string in struct tm_opts is borrowed from argv or is a static
 * default, so it lives as long as main() and is never freed. The shard
 * folders of a merge are kept in a fixed array for the same reason: there
 * is nothing to free.
 */
#ifndef TM_OPTS_H
#define TM_OPTS_H

#include <stdbool.h>

#include "columns.h"
#include "error.h"
#include "shard.h"

enum tm_mode {
  TM_MODE_BUILD,
  TM_MODE_VALIDATE,
  TM_MODE_MERGE,          /* build, taking every tile from shard folders */
  TM_MODE_HELP,
  TM_MODE_VERSION
};

struct tm_file_opts {
  const char *path;                    /* NULL: no such file given */
  bool no_header;                      /* --no-header FILE */
  const char *layer;                   /* --layer FILE=NAME */
  const char *cols[TM_COL_COUNT];      /* --col FILE.ROLE=COLUMN */
};

struct tm_opts {
  enum tm_mode mode;
  struct tm_file_opts file[TM_FILE_COUNT];  /* trusts, foi, postcodes */
  const char *style_path; /* NULL: styles/default.json, else built in */
  const char *out_dir;
  const char *crs;        /* CRS of easting/northing columns */
  const char *round;      /* FOI round label; NULL: from the FOI file name */
  int minzoom, maxzoom;   /* -1: from the style */
  bool retina;            /* write @2x tiles (default on) */
  bool no_tiles;          /* data outputs only: no tiles, key or page */
  int jobs;               /* 0: all cores */
  bool strict;            /* warnings stop the build */
  bool quiet;             /* no progress or summary */
  bool timings;           /* print each stage's wall time */
  const char *base_layer; /* overrides the style's: URL template or "none" */
  const char *previous;   /* baseline build; NULL: the output folder */
  int keep;               /* previous builds kept beside the output */
  int shard_k, shard_n;   /* --shard K/N: make only shard K of N of the
                             tiles; 0, 0: all of them */
  const char *shard_dirs[TM_SHARD_MAX];  /* merge: the shard folders */
  int n_shard_dirs;
};

/* Defaults: the sample in data/trusts/, styles/default.json (or the copy
 * compiled in when the working folder has none), out/. */
#define TM_DEFAULT_TRUSTS "data/trusts/trusts.csv"
#define TM_DEFAULT_FOI "data/trusts/foi-2025-09.csv"
#define TM_DEFAULT_STYLE "styles/default.json"
#define TM_DEFAULT_OUT "out"
#define TM_DEFAULT_GRID_CRS "EPSG:27700"

/* Parses argv. On a usage error returns TM_USAGE with the message in *err
 * (ending with "try 'trustmap --help'"). */
enum tm_rc tm_opts_parse(int argc, char **argv, struct tm_opts *o,
                         struct tm_error *err) TM_MUST_CHECK;

/* The --help text. */
const char *tm_opts_usage(void);

#endif /* TM_OPTS_H */
