/* standalone_main.c - replays inputs through a fuzz target without
 * libFuzzer, so corpora and crashers run as ordinary meson tests.
 *
 *   fuzz_row FILE|DIR...
 *
 * Each FILE is one input; a DIR runs every regular file in it, in name
 * order. Exit status 0 when every input ran; a finding aborts, so the test
 * fails with the signal. (After libspng's fuzz_main.c and libvips's
 * StandaloneFuzzTargetMain.c.)
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
  FILE *fp = fopen(path, "rb");
  unsigned char *buf = NULL;
  size_t n = 0, cap = 0;

  if(!fp) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return 1;
  }
  for(;;) {
    size_t got;

    if(n == cap) {
      unsigned char *p;

      cap = cap ? cap * 2 : 65536;
      p = realloc(buf, cap);
      if(!p) {
        fprintf(stderr, "%s: out of memory\n", path);
        free(buf);
        fclose(fp);
        return 1;
      }
      buf = p;
    }
    got = fread(buf + n, 1, cap - n, fp);
    n += got;
    if(!got)
      break;
  }
  if(ferror(fp)) {
    fprintf(stderr, "%s: read error\n", path);
    free(buf);
    fclose(fp);
    return 1;
  }
  fclose(fp);
  LLVMFuzzerTestOneInput(buf, n);
  free(buf);
  return 0;
}

static int name_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file in dir, in name order; returns the failures. */
static int run_dir(const char *dir, size_t *ran)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char **names = NULL;
  size_t n = 0, cap = 0, i, len;
  int bad = 0;

  if(!d) {
    fprintf(stderr, "%s: %s\n", dir, strerror(errno));
    return 1;
  }
  while((e = readdir(d))) {
    if(e->d_name[0] == '.')
      continue;
    if(n == cap) {
      char **p;

      cap = cap ? cap * 2 : 64;
      p = realloc(names, cap * sizeof(*names));
      if(!p)
        abort();
      names = p;
    }
    len = strlen(dir) + strlen(e->d_name) + 2;
    names[n] = malloc(len);
    if(!names[n])
      abort();
    snprintf(names[n], len, "%s/%s", dir, e->d_name);
    n++;
  }
  closedir(d);
  if(n)
    qsort(names, n, sizeof(*names), name_cmp);
  for(i = 0; i < n; i++) {
    struct stat st;

    if(!stat(names[i], &st) && S_ISREG(st.st_mode)) {
      bad += run_file(names[i]);
      (*ran)++;
    }
    free(names[i]);
  }
  free(names);
  return bad;
}

int main(int argc, char **argv)
{
  size_t ran = 0;
  int i, bad = 0;

  if(argc < 2) {
    fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  for(i = 1; i < argc; i++) {
    struct stat st;

    if(!stat(argv[i], &st) && S_ISDIR(st.st_mode))
      bad += run_dir(argv[i], &ran);
    else {
      bad += run_file(argv[i]);
      ran++;
    }
  }
  printf("%zu input%s run, %d unreadable\n", ran, ran == 1 ? "" : "s", bad);
  return bad ? 1 : 0;
}
