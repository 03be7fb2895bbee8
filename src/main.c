/* main.c - the trustmap command: parse options, run the pipeline, print
 * problems and errors, exit with the status DESIGN.md gives.
 *
 * The one place that prints. Problems go to stderr in file order; a
 * summary follows unless --quiet. Progress shows only on a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "pipeline.h"

#ifndef TM_VERSION
#define TM_VERSION "0.1.0"
#endif

/* A build prints this many problems, then points to validate/the report,
 * so a broken million-row file does not flood a terminal. */
#define MAX_PRINTED 100

static void show_progress(void *data, const char *stage)
{
  (void)data;
  fprintf(stderr, "\r\033[K%s...", stage);
  fflush(stderr);
}

static void end_progress(const struct tm_run *run)
{
  if(run->progress)
    fputs("\r\033[K", stderr);
}

static void print_problems(const struct tm_opts *o, const struct tm_run *run)
{
  size_t i, limit = o->mode == TM_MODE_VALIDATE ? run->probs.n
                                                : MAX_PRINTED;

  for(i = 0; i < run->probs.n && i < limit; i++) {
    char *text = tm_problem_format(&run->probs.v[i]);

    fputs(text, stderr);
    free(text);
  }
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
            o->mode == TM_MODE_BUILD ? "nothing was published"
                                     : "the inputs are not valid");
    return;
  }
  if(rc || o->quiet)
    return;
  status_counts(run, counts, sizeof(counts));
  if(o->mode == TM_MODE_VALIDATE) {
    fprintf(stderr, "trustmap: valid: %zu trusts (%s), %zu pins; %zu "
            "warning%s\n", run->trusts->n, counts, run->pins->n, warnings,
            warnings == 1 ? "" : "s");
    return;
  }
  fprintf(stderr, "trustmap: built %s: %zu trusts (%s), %zu pins; %zu "
          "warning%s\n", o->out_dir, run->trusts->n, counts, run->pins->n,
          warnings, warnings == 1 ? "" : "s");
  fprintf(stderr, "trustmap: %zu files: %zu added, %zu changed, %zu "
          "removed (see %s/changes.txt)\n", run->publish.files,
          run->publish.added, run->publish.changed, run->publish.removed,
          o->out_dir);
  if(run->publish.leftover[0])
    fprintf(stderr, "trustmap: warning: the previous build could not be "
            "removed; delete %s by hand\n", run->publish.leftover);
}

int main(int argc, char **argv)
{
  struct tm_opts o;
  struct tm_error err = { TM_OK, "" };
  struct tm_run run;
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

  memset(&run, 0, sizeof(run));
  if(!o.quiet && isatty(STDERR_FILENO))
    run.progress = show_progress;
  rc = tm_pipeline_run(&o, &run, &err);
  end_progress(&run);
  print_problems(&o, &run);
  if(rc == TM_SYSTEM || rc == TM_USAGE)
    fprintf(stderr, "%s%s\n", strncmp(err.msg, "trustmap:", 9)
                                ? "trustmap: " : "", err.msg);
  print_summary(&o, &run, rc);
  tm_run_clear(&run);
  return rc;
}
