/* main.c - the trustmap command: parse options, run the pipeline, print
 * problems and errors, exit with the status DESIGN.md gives.
 *
 * The one place that prints. Problems go to stderr in file order; a
 * summary follows unless --quiet. Progress shows only on a terminal.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "opts.h"
#include "pipeline.h"

#ifndef TM_VERSION
#define TM_VERSION "0.1.0"
#endif

/* A build prints this many problems, then points to validate/the report,
 * so a broken million-row file does not flood a terminal. */
#define MAX_PRINTED 100

/* What the progress callback shows: the stage on a terminal, and with
 * --timings each stage's wall time (for tools/bench and for finding what
 * is slow on a big input). */
struct progress {
  bool on_tty;
  bool timings;
  const char *stage;            /* the stage running, or NULL */
  struct timespec stage_start, start;
};

static double seconds_since(const struct timespec *t0)
{
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) +
         (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show_progress(void *data, const char *stage)
{
  struct progress *p = data;

  if(p->timings && p->stage)
    fprintf(stderr, "%strustmap: timing: %s: %.3f s\n",
            p->on_tty ? "\r\033[K" : "", p->stage,
            seconds_since(&p->stage_start));
  p->stage = stage;
  clock_gettime(CLOCK_MONOTONIC, &p->stage_start);
  if(p->on_tty) {
    fprintf(stderr, "\r\033[K%s...", stage);
    fflush(stderr);
  }
}

static void end_progress(struct progress *p)
{
  if(p->on_tty)
    fputs("\r\033[K", stderr);
  if(p->timings && p->stage) {
    fprintf(stderr, "trustmap: timing: %s: %.3f s\n", p->stage,
            seconds_since(&p->stage_start));
    fprintf(stderr, "trustmap: timing: total: %.3f s\n",
            seconds_since(&p->start));
  }
}

/* Messages quote the inputs, and an input may hold what a terminal
 * obeys: an escape sequence (ESC [ 31m recolours it, ESC ] retitles it),
 * a line end that starts a fake message, or a bidi override that reorders
 * what is shown. Those are printed as escapes (\x1b, \n, \u202e);
 * everything else, UTF-8 included, as it is. keep_lines keeps line ends
 * (a system error's own "\n  (fix)"). Returns a new string. */
static char *printable(const char *s, bool keep_lines)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t size = strlen(s) * 6 + 1, n = 0;
  char *out = tm_xmalloc(size);

  for(; *p; p++) {
    if(*p == '\n' && keep_lines)
      out[n++] = '\n';
    else if(*p == '\n')
      n += (size_t)snprintf(out + n, size - n, "\\n");
    else if(*p < 0x20 || *p == 0x7f)
      n += (size_t)snprintf(out + n, size - n, "\\x%02x", *p);
    else if(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
      n += (size_t)snprintf(out + n, size - n, "\\u%04x", p[1]);
      p++;
    }
    else if(p[0] == 0xe2 &&
            ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
             (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9))) {
      n += (size_t)snprintf(out + n, size - n, "\\u%04x",
                            0x2000u + ((p[1] & 0x3fu) << 6) +
                            (p[2] & 0x3fu));
      p += 2;
    }
    else
      out[n++] = (char)*p;
  }
  out[n] = '\0';
  return out;
}

static void print_problem(const struct tm_problem *pr)
{
  struct tm_problem safe = *pr;
  char *path = pr->where.path ? printable(pr->where.path, false) : NULL;
  char *text;

  safe.where.path = path;
  safe.what = printable(pr->what, false);
  safe.fix = pr->fix ? printable(pr->fix, false) : NULL;
  text = tm_problem_format(&safe);
  fputs(text, stderr);
  free(text);
  free(safe.fix);
  free(safe.what);
  free(path);
}

static void print_problems(const struct tm_opts *o, const struct tm_run *run)
{
  size_t i, limit = o->mode == TM_MODE_VALIDATE ? run->probs.n
                                                : MAX_PRINTED;

  for(i = 0; i < run->probs.n && i < limit; i++)
    print_problem(&run->probs.v[i]);
  if(run->probs.n > limit)
    fprintf(stderr, "... and %zu more; 'trustmap validate' lists them "
            "all\n", run->probs.n - limit);
}

static void status_counts(const struct tm_run *run, char *buf, size_t size)
{
  size_t n[TM_STATUS_COUNT] = { 0 };
  size_t i;

  for(i = 0; i < run->trusts->n; i++)
    n[run->trusts->v[i].status]++;
  snprintf(buf, size, "%zu collecting, %zu partial, %zu not collecting, "
           "%zu no response", n[TM_STATUS_COLLECTING],
           n[TM_STATUS_PARTIAL], n[TM_STATUS_NOT_COLLECTING],
           n[TM_STATUS_NO_RESPONSE]);
}

static void print_summary(const struct tm_opts *o, const struct tm_run *run,
                          enum tm_rc rc)
{
  size_t errors = tm_problems_count(&run->probs, TM_ERROR);
  size_t warnings = tm_problems_count(&run->probs, TM_WARNING);
  char counts[160];

  if(rc == TM_INPUT) {
    fprintf(stderr, "trustmap: %zu error%s, %zu warning%s%s; %s\n", errors,
            errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s",
            o->strict && !errors ? " (--strict)" : "",
            o->mode != TM_MODE_VALIDATE ? "nothing was published"
                                        : "the inputs are not valid");
    return;
  }
  /* Something left for the user to do: said even with --quiet. */
  if(!rc && run->publish.leftover[0])
    fprintf(stderr, "trustmap: warning: the previous build could not be "
            "removed; delete %s by hand\n", run->publish.leftover);
  if(rc || o->quiet)
    return;
  status_counts(run, counts, sizeof(counts));
  if(o->mode == TM_MODE_VALIDATE) {
    fprintf(stderr, "trustmap: valid: %zu trusts (%s), %zu pins; %zu "
            "warning%s\n", run->trusts->n, counts, run->pins->n, warnings,
            warnings == 1 ? "" : "s");
    return;
  }
  if(o->mode == TM_MODE_MERGE)
    fprintf(stderr, "trustmap: merged %d shards into %s: ",
            run->shards->n, o->out_dir);
  else if(o->shard_n)
    fprintf(stderr, "trustmap: built shard %d/%d into %s: ", o->shard_k,
            o->shard_n, o->out_dir);
  else
    fprintf(stderr, "trustmap: built %s: ", o->out_dir);
  fprintf(stderr, "%zu trusts (%s), %zu pins; %zu warning%s\n",
          run->trusts->n, counts, run->pins->n, warnings,
          warnings == 1 ? "" : "s");
  if(run->tiles_written && o->mode == TM_MODE_MERGE)
    fprintf(stderr, "trustmap: tiles: %zu taken from the shards\n",
            run->tiles.reused);
  else if(run->tiles_written)
    fprintf(stderr, "trustmap: tiles: %zu drawn, %zu reused from the "
            "previous build, %zu removed\n", run->tiles.rendered,
            run->tiles.reused, run->tiles.removed);
  fprintf(stderr, "trustmap: %zu files: %zu added, %zu changed, %zu "
          "removed (see %s/changes.txt)\n", run->publish.files,
          run->publish.added, run->publish.changed, run->publish.removed,
          o->out_dir);
}

int main(int argc, char **argv)
{
  struct tm_opts o;
  struct tm_error err = { TM_OK, "" };
  struct tm_run run;
  struct progress prog;
  enum tm_rc rc;

  rc = tm_opts_parse(argc, argv, &o, &err);
  if(rc) {
    fprintf(stderr, "%s\n", err.msg);
    return rc;
  }
  if(o.mode == TM_MODE_HELP) {
    fputs(tm_opts_usage(), stdout);
    return 0;
  }
  if(o.mode == TM_MODE_VERSION) {
    printf("trustmap %s\n", TM_VERSION);
    return 0;
  }

  /* Past a file size limit (ulimit -f) a write then fails with EFBIG,
   * which is reported and cleaned up like a full disk, instead of the
   * signal killing the run with a staging folder left behind. */
  signal(SIGXFSZ, SIG_IGN);
  memset(&run, 0, sizeof(run));
  memset(&prog, 0, sizeof(prog));
  prog.on_tty = !o.quiet && isatty(STDERR_FILENO);
  prog.timings = o.timings;
  clock_gettime(CLOCK_MONOTONIC, &prog.start);
  if(prog.on_tty || prog.timings) {
    run.progress = show_progress;
    run.progress_data = &prog;
  }
  rc = tm_pipeline_run(&o, &run, &err);
  end_progress(&prog);
  print_problems(&o, &run);
  if(rc == TM_SYSTEM || rc == TM_USAGE) {
    char *msg = printable(err.msg, true);

    fprintf(stderr, "%s%s\n", strncmp(msg, "trustmap:", 9)
                                 ? "trustmap: " : "", msg);
    free(msg);
  }
  print_summary(&o, &run, rc);
  tm_run_clear(&run);
  return rc;
}
