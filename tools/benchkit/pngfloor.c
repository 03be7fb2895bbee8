/* pngfloor.c - the libpng encode-only floor for tools/bench.
 *
 *   pngfloor LIST THREADS PASS REPS
 *
 * LIST names one PNG file per line (the tiles trustmap wrote). Every tile
 * is decoded into memory first, untimed, keeping its colour type (palette
 * with tRNS, or RGBA) and bit depth. Then all of them are encoded again
 * with libpng into memory buffers on THREADS threads, REPS times, with
 * the settings PASS names:
 *
 *   fast:    zlib level 1, PNG_FILTER_NONE (the cheapest sensible setting)
 *   default: libpng's own defaults (zlib level 6, its filter choice)
 *
 * Each repetition prints one line, "PASS: tiles N seconds S bytes B".
 * That is what any renderer must at least spend to write these PNGs with
 * libpng, without drawing a pixel or touching the disk. The decoded tiles
 * stay in memory (256 KiB per RGBA tile), so the process is large.
 *
 * Build: cc -O2 pngfloor.c $(pkg-config --cflags --libs libpng) -lpthread
 */
#define _POSIX_C_SOURCE 200809L  /* clock_gettime */

#include <png.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tile {
  png_uint_32 width, height;
  int bit_depth, color_type;
  png_color palette[256];
  int npalette;
  png_byte trans[256];
  int ntrans;
  size_t rowbytes;
  png_bytep pixels;             /* height rows of rowbytes */
};

struct membuf {
  png_bytep data;
  size_t len, cap;
};

struct pass {
  const char *name;
  int level;                    /* zlib level, or -1 for libpng's default */
  int filters;                  /* PNG_FILTER_* mask, or -1 for default */
};

struct shared {
  struct tile *tiles;
  size_t ntiles;
  const struct pass *pass;
  atomic_size_t next;           /* the next tile to take */
  atomic_size_t bytes;
};

static void die(const char *what, const char *detail)
{
  fprintf(stderr, "pngfloor: %s%s%s\n", what, detail ? ": " : "",
          detail ? detail : "");
  exit(1);
}

static void *xmalloc(size_t n)
{
  void *p = malloc(n);

  if(!p)
    die("out of memory", NULL);
  return p;
}

static void decode(const char *path, struct tile *t)
{
  FILE *fp = fopen(path, "rb");
  png_structp png;
  png_infop info;
  png_colorp pal;
  png_bytep trans;
  png_uint_32 y;

  if(!fp)
    die("cannot open", path);
  png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  info = png ? png_create_info_struct(png) : NULL;
  if(!info)
    die("out of memory", NULL);
  if(setjmp(png_jmpbuf(png)))
    die("cannot decode", path);
  png_init_io(png, fp);
  png_read_info(png, info);
  png_get_IHDR(png, info, &t->width, &t->height, &t->bit_depth,
               &t->color_type, NULL, NULL, NULL);
  t->npalette = t->ntrans = 0;
  if(png_get_PLTE(png, info, &pal, &t->npalette) & PNG_INFO_PLTE)
    memcpy(t->palette, pal, (size_t)t->npalette * sizeof(*pal));
  if(png_get_tRNS(png, info, &trans, &t->ntrans, NULL) & PNG_INFO_tRNS &&
     t->color_type == PNG_COLOR_TYPE_PALETTE)
    memcpy(t->trans, trans, (size_t)t->ntrans);
  else
    t->ntrans = 0;
  t->rowbytes = png_get_rowbytes(png, info);
  t->pixels = xmalloc(t->rowbytes * t->height);
  for(y = 0; y < t->height; y++)
    png_read_row(png, t->pixels + y * t->rowbytes, NULL);
  png_read_end(png, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  fclose(fp);
}

static void on_write(png_structp png, png_bytep data, size_t len)
{
  struct membuf *m = png_get_io_ptr(png);

  if(m->len + len > m->cap) {
    while(m->len + len > m->cap)
      m->cap = m->cap ? 2 * m->cap : 65536;
    m->data = realloc(m->data, m->cap);
    if(!m->data)
      png_error(png, "out of memory");
  }
  memcpy(m->data + m->len, data, len);
  m->len += len;
}

static void on_flush(png_structp png)
{
  (void)png;
}

/* Encode one tile into m (which is reused, so its memory is only grown,
 * never freed, between tiles: the floor should not pay for malloc). */
static void encode(const struct tile *t, const struct pass *p,
                   struct membuf *m)
{
  png_structp png;
  png_infop info;
  png_uint_32 y;

  m->len = 0;
  png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  info = png ? png_create_info_struct(png) : NULL;
  if(!info)
    die("out of memory", NULL);
  if(setjmp(png_jmpbuf(png)))
    die("cannot encode", NULL);
  png_set_write_fn(png, m, on_write, on_flush);
  png_set_IHDR(png, info, t->width, t->height, t->bit_depth, t->color_type,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if(t->npalette)
    png_set_PLTE(png, info, t->palette, t->npalette);
  if(t->ntrans)
    png_set_tRNS(png, info, t->trans, t->ntrans, NULL);
  if(p->level >= 0)
    png_set_compression_level(png, p->level);
  if(p->filters >= 0)
    png_set_filter(png, PNG_FILTER_TYPE_BASE, p->filters);
  png_write_info(png, info);
  for(y = 0; y < t->height; y++)
    png_write_row(png, t->pixels + y * t->rowbytes);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
}

static void *encode_thread(void *arg)
{
  struct shared *s = arg;
  struct membuf m = { 0 };
  size_t i, bytes = 0;

  for(;;) {
    i = atomic_fetch_add(&s->next, 1);
    if(i >= s->ntiles)
      break;
    encode(&s->tiles[i], s->pass, &m);
    bytes += m.len;
  }
  atomic_fetch_add(&s->bytes, bytes);
  free(m.data);
  return NULL;
}

static double now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_pass(struct shared *s, int nthreads)
{
  pthread_t *th = xmalloc((size_t)nthreads * sizeof(*th));
  double t0;
  int i;

  atomic_store(&s->next, 0);
  atomic_store(&s->bytes, 0);
  t0 = now();
  for(i = 0; i < nthreads; i++)
    if(pthread_create(&th[i], NULL, encode_thread, s))
      die("cannot start a thread", NULL);
  for(i = 0; i < nthreads; i++)
    pthread_join(th[i], NULL);
  printf("%s: tiles %zu seconds %.6f bytes %zu\n", s->pass->name,
         s->ntiles, now() - t0, atomic_load(&s->bytes));
  free(th);
}

int main(int argc, char **argv)
{
  static const struct pass passes[] = {
    { "fast", 1, PNG_FILTER_NONE },
    { "default", -1, -1 },
  };
  struct shared s = { 0 };
  size_t cap = 0, n, i;
  char line[4096];
  FILE *list;
  int nthreads, reps, r;

  if(argc != 5)
    die("usage: pngfloor LIST THREADS fast|default REPS", NULL);
  nthreads = atoi(argv[2]);
  reps = atoi(argv[4]);
  for(i = 0; i < sizeof(passes) / sizeof(passes[0]); i++)
    if(!strcmp(argv[3], passes[i].name))
      s.pass = &passes[i];
  if(nthreads < 1 || reps < 1 || !s.pass)
    die("usage: pngfloor LIST THREADS fast|default REPS", NULL);
  list = fopen(argv[1], "r");
  if(!list)
    die("cannot open", argv[1]);
  while(fgets(line, sizeof(line), list)) {
    n = strcspn(line, "\r\n");
    line[n] = '\0';
    if(!n)
      continue;
    if(s.ntiles == cap) {
      cap = cap ? 2 * cap : 1024;
      s.tiles = realloc(s.tiles, cap * sizeof(*s.tiles));
      if(!s.tiles)
        die("out of memory", NULL);
    }
    decode(line, &s.tiles[s.ntiles++]);
  }
  fclose(list);

  for(r = 0; r < reps; r++)
    run_pass(&s, nthreads);
  for(i = 0; i < s.ntiles; i++)
    free(s.tiles[i].pixels);
  free(s.tiles);
  return 0;
}
