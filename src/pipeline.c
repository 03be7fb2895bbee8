/* pipeline.c - read, validate, reproject, join, then write every output
 * into a staging folder and publish it in one swap.
 *
 * Reading goes on after a file fails, so one run reports the problems of
 * every input. Nothing is written until all inputs are clean (or only
 * warnings remain and --strict is off).
 *
 * A shard build (--shard K/N) is this same run making only its share of
 * the tiles, plus shard.json; a merge is this same run again, with every
 * tile taken from the shards' folders instead of drawn (shard.h), so all
 * its other outputs are made exactly as a one-machine build makes them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chart.h"
#include "csv.h"
#include "geojson.h"
#include "legend.h"
#include "page.h"
#include "page/assets.h"
#include "pipeline.h"
#include "read.h"
#include "report.h"
#include "shard.h"

static void progress(const struct tm_run *run, const char *stage)
{
  if(run->progress)
    run->progress(run->progress_data, stage);
}

/* The round label goes into every output, so it is made plain UTF-8
 * text whatever the file name (or --round) holds: a byte that is not
 * UTF-8 becomes U+FFFD, control characters (an ESC in a file name) are
 * dropped. Takes s; returns a new string. */
static char *clean_label(char *s)
{
  char *fixed;
  const char *v = tm_utf8_or_fixed(s, &fixed);
  size_t n = strlen(v), i = 0, o = 0;
  char *p = tm_xmalloc(n + 1);

  /* Valid UTF-8 from here on, so a C1 control is always 0xc2 0x80-0x9f. */
  while(i < n) {
    unsigned char c = (unsigned char)v[i];

    if(c < 0x20 || c == 0x7f)
      i++;
    else if(c == 0xc2 && (unsigned char)v[i + 1] <= 0x9f)
      i += 2;
    else
      p[o++] = v[i++];
  }
  p[o] = '\0';
  free(fixed);
  free(s);
  return p;
}

char *tm_round_from_path(const char *path)
{
  const char *base = strrchr(path, '/');
  const char *dot;
  size_t n;

  base = base ? base + 1 : path;
  dot = strrchr(base, '.');
  n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
  /* "foi-2025-09" and "FOI_2025-09" name the round "2025-09". */
  if(n > 4 && (base[0] == 'f' || base[0] == 'F') &&
     (base[1] == 'o' || base[1] == 'O') &&
     (base[2] == 'i' || base[2] == 'I') &&
     (base[3] == '-' || base[3] == '_' || base[3] == ' ')) {
    base += 4;
    n -= 4;
  }
  /* A file called just "foi.csv" names no round. */
  if(n == 3 && tm_ascii_lower(base[0]) == 'f' &&
     tm_ascii_lower(base[1]) == 'o' && tm_ascii_lower(base[2]) == 'i')
    n = 0;
  return tm_xstrndup(base, n);
}

/* Reads one input table; a file that cannot be used leaves a problem and
 * a NULL table, and the run goes on to the next file. */
static enum tm_rc read_input(const struct tm_opts *o, enum tm_file_role f,
                             struct tm_run *run, struct tm_error *err)
{
  struct tm_read_opts ro = { o->file[f].no_header, o->file[f].layer };
  enum tm_rc rc;

  rc = tm_read_table(o->file[f].path, &ro, &run->probs, err,
                     &run->table[f]);
  return rc == TM_INPUT ? TM_OK : rc;
}

/* Without --style: styles/default.json where the working folder has one
 * (the data team edits it in the project), else the copy compiled in, so
 * trustmap runs from any folder. */
static enum tm_rc load_style(const struct tm_opts *o, struct tm_run *run,
                             struct tm_error *err)
{
  const struct tm_page_asset *builtin;
  struct stat sb;

  if(o->style_path)
    return tm_style_load(o->style_path, &run->probs, err, &run->style);
  if(!stat(TM_DEFAULT_STYLE, &sb) || errno != ENOENT)
    return tm_style_load(TM_DEFAULT_STYLE, &run->probs, err, &run->style);
  builtin = tm_page_asset_find("builtin/default-style.json");
  if(!builtin)
    return tm_fail(err, TM_SYSTEM, "the built-in style is missing");
  return tm_style_parse((const char *)builtin->data, builtin->size,
                        "(built-in default style)", &run->probs,
                        &run->style);
}

static enum tm_rc load_inputs(const struct tm_opts *o, struct tm_run *run,
                              struct tm_error *err)
{
  enum tm_rc rc;

  progress(run, "reading inputs");
  rc = load_style(o, run, err);
  if(rc == TM_SYSTEM || rc == TM_USAGE)
    return rc;
  if(o->file[TM_FILE_POSTCODES].path) {
    rc = read_input(o, TM_FILE_POSTCODES, run, err);
    if(rc)
      return rc;
    if(run->table[TM_FILE_POSTCODES] &&
       tm_postcodes_from_table(run->table[TM_FILE_POSTCODES],
                               o->file[TM_FILE_POSTCODES].cols, o->crs,
                               &run->probs, &run->postcodes) == TM_INPUT)
      run->postcodes = NULL;
  }
  /* Each table is turned into records and freed before the next is
   * read (records borrow nothing from it): with a million rows, two
   * tables and their records at once would double the peak memory. */
  rc = read_input(o, TM_FILE_TRUSTS, run, err);
  if(rc)
    return rc;
  /* A postcode lookup that was asked for but failed would turn into a
   * misleading "rows are located only by postcode" error: skip the
   * trusts file's checks then, the lookup's problem says it all. */
  /* TM_INPUT from these leaves its problems and a NULL result; the run
   * goes on so the other file's problems are reported too. */
  if(run->table[TM_FILE_TRUSTS] &&
     (!o->file[TM_FILE_POSTCODES].path || run->postcodes))
    rc = tm_sites_from_table(run->table[TM_FILE_TRUSTS],
                             o->file[TM_FILE_TRUSTS].cols, run->postcodes,
                             o->crs, &run->probs, &run->sites);
  TM_FREEF(tm_table_free, run->table[TM_FILE_TRUSTS]);
  rc = read_input(o, TM_FILE_FOI, run, err);
  if(rc)
    return rc;
  if(run->table[TM_FILE_FOI] && run->style)
    rc = tm_fois_from_table(run->table[TM_FILE_FOI],
                            o->file[TM_FILE_FOI].cols, run->style,
                            &run->probs, &run->fois);
  TM_FREEF(tm_table_free, run->table[TM_FILE_FOI]);
  TM_FREEF(tm_table_free, run->table[TM_FILE_POSTCODES]);
  (void)rc;
  return TM_OK;
}

/* Command-line choices that override the style. */
static enum tm_rc apply_overrides(const struct tm_opts *o, struct tm_run *run,
                                  struct tm_error *err)
{
  struct tm_style *st = run->style;

  run->minzoom = o->minzoom >= 0 ? o->minzoom : st->minzoom;
  run->maxzoom = o->maxzoom >= 0 ? o->maxzoom : st->maxzoom;
  if(run->minzoom > run->maxzoom)
    return tm_fail(err, TM_USAGE, "trustmap: zoom range %d-%d is empty "
                   "(--minzoom/--maxzoom against the style's %d-%d); try "
                   "'trustmap --help'", run->minzoom, run->maxzoom,
                   st->minzoom, st->maxzoom);
  if(o->base_layer) {
    free(st->base.url);
    st->base.url = NULL;
    free(st->base.attribution);
    st->base.attribution = NULL;
    if(strcmp(o->base_layer, "none"))
      st->base.url = tm_xstrdup(o->base_layer);
  }
  return TM_OK;
}

static bool stops_build(const struct tm_opts *o, const struct tm_run *run)
{
  if(tm_problems_count(&run->probs, TM_ERROR))
    return true;
  return o->strict && tm_problems_count(&run->probs, TM_WARNING);
}

static void fill_report(const struct tm_opts *o, const struct tm_run *run,
                        struct tm_report *r)
{
  memset(r, 0, sizeof(*r));
  r->trusts_path = o->file[TM_FILE_TRUSTS].path;
  r->foi_path = o->file[TM_FILE_FOI].path;
  r->postcodes_path = o->file[TM_FILE_POSTCODES].path;
  r->round = run->round;
  r->style = run->style;
  r->sites = run->sites;
  r->fois = run->fois;
  r->trusts = run->trusts;
  r->pins = run->pins;
  r->transforms = &run->transforms;
  r->probs = &run->probs;
  r->tiles = run->tiles_written ? &run->tiles : NULL;
  r->previous = run->previous;
  r->changes = run->changes;
  r->minzoom = run->minzoom;
  r->maxzoom = run->maxzoom;
}

static enum tm_rc write_text(const char *dir, const char *name, char *text,
                             struct tm_error *err)
{
  char *path = tm_xasprintf("%s/%s", dir, name);
  enum tm_rc rc = tm_write_file(path, text, strlen(text), err);

  free(path);
  free(text);
  return rc;
}

/* The page and TileJSON; tile URLs carry a version of the tiles' content,
 * so browsers and CDNs never mix tiles of two builds. */
static enum tm_rc write_page(const struct tm_opts *o, struct tm_run *run,
                             const char *dir, struct tm_error *err)
{
  static const char *const tile_parts[] = {
    "tiles", "clusters.json"
  };
  struct tm_page_info info;
  char version[13];
  enum tm_rc rc;

  rc = tm_content_version(dir, tile_parts, TM_ARRAY_LEN(tile_parts),
                          version, err);
  if(rc)
    return rc;
  tm_page_info_init(&info, run->pins, run->style);
  info.version = version;
  info.minzoom = run->minzoom;
  info.maxzoom = run->maxzoom;
  info.has_retina = o->retina;
  progress(run, "writing the page");
  return tm_page_write(run->pins, run->style, &info, dir, err);
}

static enum tm_rc write_outputs(const struct tm_opts *o, struct tm_run *run,
                                const char *dir, struct tm_error *err)
{
  /* Unchanged tiles are taken from the build being replaced (or
   * --previous) instead of being drawn again; a merge takes them all from
   * the shards. */
  struct tm_tiles_opts to = {
    .minzoom = run->minzoom, .maxzoom = run->maxzoom, .retina = o->retina,
    .jobs = o->jobs, .reuse_dir = o->previous ? o->previous : o->out_dir,
    .shard_k = o->shard_k, .shard_n = o->shard_n
  };
  struct tm_report r;
  char *path;
  enum tm_rc rc;

  progress(run, "writing GeoJSON and CSV");
  path = tm_xasprintf("%s/trusts.geojson", dir);
  rc = tm_geojson_write(run->pins, run->style, path, err);
  free(path);
  if(rc)
    return rc;
  path = tm_xasprintf("%s/trusts.csv", dir);
  rc = tm_csv_write(run->pins, run->style, path, err);
  free(path);
  if(rc)
    return rc;

  if(run->changes) {
    rc = write_text(dir, "changes.geojson",
                    tm_changes_geojson_text(run->changes, run->round), err);
    if(!rc)
      rc = write_text(dir, "changes.csv",
                      tm_changes_csv_text(run->changes, run->round), err);
    if(rc)
      return rc;
  }

  if(run->shards) {
    to.shard_n = run->shards->n;
    to.merge_dirs = run->shards->dirs;
    to.reuse_dir = NULL;
  }
  if(!o->no_tiles) {
    progress(run, run->shards ? "taking tiles from the shards"
                              : "rendering tiles");
    rc = tm_tiles_write(run->pins, run->style, &to, dir, &run->tiles, err);
    if(!rc && o->shard_n)
      rc = tm_shard_write(dir, o->shard_k, o->shard_n, run->build, err);
    if(rc)
      return rc;
    run->tiles_written = true;
    rc = tm_legend_write(run->style, dir, err);
    if(rc)
      return rc;
    rc = write_page(o, run, dir, err);
    if(rc)
      return rc;
  }
  rc = tm_chart_write(run->trusts, run->previous, run->style, run->round,
                      dir, err);
  if(rc)
    return rc;

  progress(run, "writing the report");
  fill_report(o, run, &r);
  rc = write_text(dir, "report.json", tm_report_json(&r), err);
  if(!rc)
    rc = write_text(dir, "report.md", tm_report_markdown(&r), err);
  return rc;
}

static enum tm_rc publish(const struct tm_opts *o, struct tm_run *run,
                          struct tm_error *err)
{
  struct tm_stage *stage = NULL;
  enum tm_rc rc;

  rc = tm_stage_open(o->out_dir, &stage, err);
  if(rc)
    return rc;
  tm_stage_keep(stage, o->keep);
  rc = write_outputs(o, run, tm_stage_dir(stage), err);
  if(rc) {
    tm_stage_abort(stage);
    return rc;
  }
  progress(run, "publishing");
  rc = tm_stage_commit(stage, &run->publish, err);
  if(rc)
    return rc;
  run->published = true;
  return TM_OK;
}

/* Shards and merges: the digest of what the tiles are drawn from; a
 * merge checks its shards against it before anything is written. */
static enum tm_rc check_build(const struct tm_opts *o, struct tm_run *run,
                              struct tm_error *err)
{
  enum tm_rc rc;

  if(!o->shard_n && !run->shards)
    return TM_OK;
  rc = tm_shard_digest(run->pins, run->style, run->minzoom, run->maxzoom,
                       o->retina, run->build, err);
  if(!rc && run->shards)
    rc = tm_shard_set_check(run->shards, run->build, err);
  return rc;
}

enum tm_rc tm_pipeline_run(const struct tm_opts *o, struct tm_run *run,
                           struct tm_error *err)
{
  enum tm_rc rc;

  /* A merge's folders are checked first: a missing or odd shard is found
   * in a moment, before the inputs are read. */
  if(o->mode == TM_MODE_MERGE) {
    rc = tm_shard_set_load(o->shard_dirs, (size_t)o->n_shard_dirs,
                           o->out_dir, &run->shards, err);
    if(rc)
      return rc;
  }
  run->round = clean_label(o->round ? tm_xstrdup(o->round)
                                    : tm_round_from_path(
                                        o->file[TM_FILE_FOI].path));
  rc = load_inputs(o, run, err);
  if(rc)
    return rc;
  if(run->style) {
    rc = apply_overrides(o, run, err);
    if(rc)
      return rc;
  }
  if(run->sites) {
    progress(run, "reprojecting");
    rc = tm_reproject_sites(run->sites, &run->probs, &run->transforms, err);
    if(rc && rc != TM_INPUT)
      return rc;
  }
  if(run->sites && run->fois) {
    rc = tm_join(run->sites, run->fois, run->round, &run->probs,
                 &run->trusts, &run->pins);
    if(rc)
      return rc;
  }
  if(run->pins) {
    /* The baseline for "what changed": --previous, or the build about to
     * be replaced. */
    rc = tm_previous_load(o->previous ? o->previous : o->out_dir,
                          o->previous != NULL, &run->probs, err,
                          &run->previous);
    if(rc && rc != TM_INPUT)
      return rc;
    if(run->previous && !tm_previous_rebase(run->previous, run->round))
      TM_FREEF(tm_previous_free, run->previous);
    run->changes = tm_changes_compute(run->previous, run->trusts,
                                      run->pins);
  }
  /* A file with nothing below its header is the wrong file (or a
   * truncated one): said always, as nothing else would point at it. An
   * FOI round without a single answer would publish a map of "no
   * response" pins, so it stops the build too. */
  if(run->sites && run->sites->rows == run->sites->blank_rows) {
    struct tm_where w = { o->file[TM_FILE_TRUSTS].path, 0 };

    tm_problem_error(&run->probs, &w, "nothing-to-map",
                     "add a row for each trust or hospital below the "
                     "header, or check that this is the file you meant",
                     "has no rows below the header, so there is nothing "
                     "to map");
  }
  /* With errors already listed, "nothing to map" would only repeat them. */
  else if(run->pins && !run->pins->n &&
          !tm_problems_count(&run->probs, TM_ERROR)) {
    struct tm_where w = { o->file[TM_FILE_TRUSTS].path, 0 };

    tm_problem_error(&run->probs, &w, "nothing-to-map",
                     "fix the rows of this file listed below, or check "
                     "the file",
                     "no row of the file could be placed on the map");
  }
  if(run->fois && run->fois->rows == run->fois->blank_rows) {
    struct tm_where w = { o->file[TM_FILE_FOI].path, 0 };

    tm_problem_error(&run->probs, &w, "no-answers",
                     "add a row for each trust's answer below the header, "
                     "or check that this is the file you meant",
                     "has no rows below the header, so no trust has an "
                     "answer");
  }
  tm_problems_sort(&run->probs);
  if(!run->pins || stops_build(o, run))
    return TM_INPUT;
  if(o->mode == TM_MODE_VALIDATE)
    return TM_OK;
  rc = check_build(o, run, err);
  if(rc)
    return rc;
  return publish(o, run, err);
}

void tm_run_clear(struct tm_run *run)
{
  int f;

  tm_shard_set_free(run->shards);
  tm_changes_free(run->changes);
  tm_previous_free(run->previous);
  tm_pins_free(run->pins);
  tm_trusts_free(run->trusts);
  tm_fois_free(run->fois);
  tm_sites_free(run->sites);
  tm_postcodes_free(run->postcodes);
  for(f = 0; f < TM_FILE_COUNT; f++)
    tm_table_free(run->table[f]);
  tm_style_free(run->style);
  tm_transforms_clear(&run->transforms);
  tm_problems_clear(&run->probs);
  free(run->round);
  memset(run, 0, sizeof(*run));
}
