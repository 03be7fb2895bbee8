/* pngdiff.c - compare two PNG files on their decoded pixels.
 *
 *   pngdiff A B MAXDIFF
 *
 * Both files are decoded to 8-bit RGBA with libpng, whatever their colour
 * type (palette, grey, RGB, 16-bit), so a palette tile and an RGBA tile
 * with the same pixels are the same, and a zlib or encoder change does not
 * break a golden. Colour counts in proportion to alpha (the channels are
 * compared premultiplied), so the colour of a transparent pixel never
 * matters. The images are the same when no channel of any pixel differs
 * by more than MAXDIFF (0..255).
 *
 * Exit status: 0 the same, 1 different (one line on stderr says how),
 * 2 usage or a file that cannot be read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

struct image {
  png_image info;
  unsigned char *px;
};

static int load(const char *path, struct image *img)
{
  memset(img, 0, sizeof(*img));
  img->info.version = PNG_IMAGE_VERSION;
  if(!png_image_begin_read_from_file(&img->info, path)) {
    fprintf(stderr, "pngdiff: %s: %s\n", path, img->info.message);
    return -1;
  }
  img->info.format = PNG_FORMAT_RGBA;
  img->px = malloc(PNG_IMAGE_SIZE(img->info));
  if(!img->px) {
    fprintf(stderr, "pngdiff: out of memory\n");
    png_image_free(&img->info);
    return -1;
  }
  if(!png_image_finish_read(&img->info, NULL, img->px, 0, NULL)) {
    fprintf(stderr, "pngdiff: %s: %s\n", path, img->info.message);
    free(img->px);
    img->px = NULL;
    return -1;
  }
  return 0;
}

/* A channel weighted by alpha, as the pixel shows over any background. */
static int weighted(const unsigned char *p, int k)
{
  return k == 3 ? p[3] : (p[k] * p[3] + 127) / 255;
}

int main(int argc, char **argv)
{
  struct image a, b;
  unsigned long n, i, off = 0, first = 0;
  int worst = 0, rc;
  long maxdiff;
  char *end;

  if(argc != 4) {
    fprintf(stderr, "usage: pngdiff A.png B.png MAXDIFF\n");
    return 2;
  }
  errno = 0;
  maxdiff = strtol(argv[3], &end, 10);
  if(errno || end == argv[3] || *end || maxdiff < 0 || maxdiff > 255) {
    fprintf(stderr, "pngdiff: MAXDIFF \"%s\" is not a number from 0 to "
            "255\n", argv[3]);
    return 2;
  }
  if(load(argv[1], &a))
    return 2;
  if(load(argv[2], &b)) {
    free(a.px);
    return 2;
  }
  if(a.info.width != b.info.width || a.info.height != b.info.height) {
    fprintf(stderr, "pngdiff: %s is %ux%u, %s is %ux%u\n", argv[1],
            a.info.width, a.info.height, argv[2], b.info.width,
            b.info.height);
    free(a.px);
    free(b.px);
    return 1;
  }
  n = (unsigned long)a.info.width * a.info.height;
  for(i = 0; i < n; i++) {
    const unsigned char *p = a.px + 4 * i, *q = b.px + 4 * i;
    int k, diff = 0;

    for(k = 0; k < 4; k++) {
      int d = abs(weighted(p, k) - weighted(q, k));

      if(d > diff)
        diff = d;
    }
    if(diff > maxdiff) {
      if(!off)
        first = i;
      off++;
    }
    if(diff > worst)
      worst = diff;
  }
  rc = off ? 1 : 0;
  if(off)
    fprintf(stderr, "pngdiff: %s and %s differ in %lu of %lu pixels, by up "
            "to %d (allowed %ld); first at %lu,%lu\n", argv[1], argv[2], off,
            n, worst, maxdiff, first % a.info.width, first / a.info.width);
  free(a.px);
  free(b.px);
  return rc;
}
