/* test_encode.c - encode.c: palette, RGB or RGBA (exact, 256 colours is
 * the palette's limit, transparent counts; RGB only when every pixel is
 * opaque), pixels survive the round trip through
 * libpng, only the box is looked at, identical pixels give identical
 * bytes, no varying chunks (no tIME), pngcheck accepts the files (skipped
 * when pngcheck is not installed), and write errors name the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encode.h"
#include "support.h"

#define W 64
#define H 48

static char tmpdir[] = "/tmp/tm-test-encode-XXXXXX";

static int setup(void **state)
{
  (void)state;
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  return support_remove_tree(tmpdir);
}

static uint32_t premul(unsigned r, unsigned g, unsigned b, unsigned a)
{
  return (uint32_t)a << 24 | ((r * a + 127) / 255) << 16 |
         ((g * a + 127) / 255) << 8 | ((b * a + 127) / 255);
}

static bool have_pngcheck(void)
{
  return system("command -v pngcheck >/dev/null 2>&1") == 0;
}

static struct tm_image image_of(const uint32_t *px)
{
  struct tm_image img = { px, W, H, W, 0, 0, W, H };

  return img;
}

/* Decoded straight RGBA must be the input un-premultiplied: exactly for
 * opaque pixels, and for translucent ones within the rounding, so that it
 * re-premultiplies to exactly the input. */
static void assert_same_pixels(const uint32_t *px, const struct tm_rgba *d)
{
  int i;

  assert_int_equal(d->width, W);
  assert_int_equal(d->height, H);
  for(i = 0; i < W * H; i++) {
    const unsigned char *p = d->px + 4 * i;
    uint32_t v = premul(p[0], p[1], p[2], p[3]);

    if(p[3] != px[i] >> 24)
      fail_msg("pixel %d: alpha %u decoded as %u", i, px[i] >> 24, p[3]);
    if(p[3] == 255 && (p[0] != (px[i] >> 16 & 255) ||
                       p[1] != (px[i] >> 8 & 255) || p[2] != (px[i] & 255)))
      fail_msg("pixel %d: %08x decoded as %02x%02x%02x", i, px[i], p[0],
               p[1], p[2]);
    if(v != px[i])
      fail_msg("pixel %d: %08x decoded as %08x", i, px[i], v);
  }
}

static char *path_of(const char *name)
{
  static char buf[256];

  snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
  return buf;
}

static void encode_and_check(const uint32_t *px, const char *name,
                             enum tm_png_kind kind)
{
  struct tm_encoder *enc = tm_encoder_new();
  struct tm_image img = image_of(px);
  struct tm_error err = { 0 };
  struct tm_rgba d = { 0 };
  const unsigned char *bytes;
  size_t len, size = 0;
  char cmd[512];

  assert_int_equal(tm_encode_write(enc, &img, path_of(name), &size, &err),
                   TM_OK);
  assert_int_equal(tm_encoder_kind(enc), kind);
  bytes = tm_encoder_bytes(enc, &len);
  assert_int_equal(size, len);
  /* IHDR colour type: 3 = palette, 2 = RGB, 6 = RGBA */
  assert_int_equal(bytes[25], kind == TM_PNG_PALETTE ? 3
                              : kind == TM_PNG_RGB   ? 2
                                                     : 6);
  assert_int_equal(tm_png_read(path_of(name), &d, &err), TM_OK);
  assert_int_equal(d.palette, kind == TM_PNG_PALETTE);
  assert_same_pixels(px, &d);
  free(d.px);
  if(have_pngcheck()) {
    snprintf(cmd, sizeof(cmd), "pngcheck -q '%s'", path_of(name));
    assert_int_equal(system(cmd), 0);
  }
  tm_encoder_free(enc);
}

static void few_colours_should_give_an_exact_palette(void **state)
{
  uint32_t px[W * H] = { 0 };
  int i;

  (void)state;
  for(i = 0; i < W * H; i++) {
    if(i % 7 == 0)
      px[i] = premul(0, 90, 60, 255);
    else if(i % 5 == 0)
      px[i] = premul(255, 255, 255, 128);
    else if(i % 3 == 0)
      px[i] = premul(0, 0, 0, 20);
  }
  encode_and_check(px, "few.png", TM_PNG_PALETTE);
}

static void colours_256_with_transparent_should_stay_palette(void **state)
{
  uint32_t px[W * H] = { 0 };
  int i;

  (void)state;
  /* 255 opaque colours and transparent: 256 entries */
  for(i = 0; i < 255; i++)
    px[i] = premul((unsigned)i, 3, 200, 255);
  encode_and_check(px, "256.png", TM_PNG_PALETTE);
  /* one more colour is too many */
  px[300] = premul(1, 2, 3, 255);
  encode_and_check(px, "257.png", TM_PNG_RGBA);
}

static void colours_256_filling_the_image_should_stay_palette(
  void **state)
{
  uint32_t px[W * H];
  int i;

  (void)state;
  /* every pixel inked, no transparent: exactly 256 palette entries */
  for(i = 0; i < W * H; i++)
    px[i] = premul((unsigned)(i % 64) * 4, (unsigned)(i % 256 / 64) * 80,
                   7, i % 256 < 128 ? 255 : 200);
  encode_and_check(px, "256-full.png", TM_PNG_PALETTE);
  px[W * H - 1] = premul(1, 1, 1, 1);
  encode_and_check(px, "257-full.png", TM_PNG_RGBA);
}

static void many_colours_should_give_exact_rgba(void **state)
{
  uint32_t px[W * H];
  int i;

  (void)state;
  for(i = 0; i < W * H; i++) {
    unsigned a = (unsigned)(i * 37 % 256);

    px[i] = premul((unsigned)(i * 13 % 256), (unsigned)(i / 256 * 20),
                   (unsigned)(i % 256), a);
  }
  encode_and_check(px, "many.png", TM_PNG_RGBA);
}

static void many_opaque_colours_should_give_exact_rgb(void **state)
{
  uint32_t px[W * H];
  struct tm_encoder *enc = tm_encoder_new();
  struct tm_image img = image_of(px);
  struct tm_error err = { 0 };
  int i;

  (void)state;
  for(i = 0; i < W * H; i++)
    px[i] = premul((unsigned)(i * 13 % 256), (unsigned)(i / 256 * 20),
                   (unsigned)(i % 256), 255);
  encode_and_check(px, "opaque.png", TM_PNG_RGB);
  /* One translucent or transparent pixel, anywhere, needs alpha. */
  px[W * H - 1] = premul(10, 20, 30, 254);
  encode_and_check(px, "translucent.png", TM_PNG_RGBA);
  px[W * H - 1] = 0;
  encode_and_check(px, "transparent.png", TM_PNG_RGBA);
  /* So does a box short of the image: outside it is transparent. */
  px[W * H - 1] = px[0];
  img.y1 = H - 1;
  assert_int_equal(tm_encode_png(enc, &img, path_of("box.png"), &err),
                   TM_OK);
  assert_int_equal(tm_encoder_kind(enc), TM_PNG_RGBA);
  tm_encoder_free(enc);
}

static void only_the_box_should_be_read(void **state)
{
  uint32_t px[W * H];
  struct tm_encoder *enc = tm_encoder_new();
  struct tm_image img = image_of(px);
  struct tm_error err = { 0 };
  struct tm_rgba d = { 0 };
  int x, y;

  (void)state;
  /* Garbage outside the box must not show: the box promises zeros. */
  for(x = 0; x < W * H; x++)
    px[x] = 0xff123456;
  for(y = 10; y < 20; y++)
    for(x = 5; x < 30; x++)
      px[y * W + x] = premul(200, 0, 0, 255);
  img.x0 = 5;
  img.y0 = 10;
  img.x1 = 30;
  img.y1 = 20;
  assert_int_equal(tm_encode_write(enc, &img, path_of("box.png"), NULL,
                                   &err), TM_OK);
  assert_int_equal(tm_encoder_kind(enc), TM_PNG_PALETTE);
  assert_int_equal(tm_png_read(path_of("box.png"), &d, &err), TM_OK);
  for(y = 0; y < H; y++) {
    for(x = 0; x < W; x++) {
      const unsigned char *p = d.px + 4 * (y * W + x);
      bool in = x >= 5 && x < 30 && y >= 10 && y < 20;

      assert_int_equal(p[3], in ? 255 : 0);
      if(in)
        assert_int_equal(p[0], 200);
    }
  }
  free(d.px);
  tm_encoder_free(enc);
}

static void same_pixels_should_give_same_bytes(void **state)
{
  uint32_t px[W * H], other[W * H];
  struct tm_encoder *a = tm_encoder_new(), *b = tm_encoder_new();
  struct tm_image img = image_of(px), img2 = image_of(other);
  struct tm_error err = { 0 };
  const unsigned char *ba, *bb;
  size_t la, lb;
  int i;

  (void)state;
  for(i = 0; i < W * H; i++) {
    px[i] = premul((unsigned)(i % 256), 0, 0, (unsigned)(i * 3 % 256));
    other[i] = premul(9, 9, 9, (unsigned)(i % 2 ? 255 : 0));
  }
  assert_int_equal(tm_encode_png(a, &img, "a", &err), TM_OK);
  /* b encodes something else first: no state may leak between images */
  assert_int_equal(tm_encode_png(b, &img2, "b", &err), TM_OK);
  assert_int_equal(tm_encode_png(b, &img, "b", &err), TM_OK);
  ba = tm_encoder_bytes(a, &la);
  bb = tm_encoder_bytes(b, &lb);
  assert_int_equal(la, lb);
  assert_memory_equal(ba, bb, la);
  tm_encoder_free(a);
  tm_encoder_free(b);
}

static void file_should_hold_only_fixed_chunks(void **state)
{
  uint32_t px[W * H] = { 0 };
  struct tm_encoder *enc = tm_encoder_new();
  struct tm_image img = image_of(px);
  struct tm_error err = { 0 };
  const unsigned char *b;
  size_t len, at = 8;

  (void)state;
  px[77] = premul(1, 2, 3, 100);
  assert_int_equal(tm_encode_png(enc, &img, "x", &err), TM_OK);
  b = tm_encoder_bytes(enc, &len);
  assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
  while(at + 8 <= len) {
    size_t n = (size_t)b[at] << 24 | (size_t)b[at + 1] << 16 |
               (size_t)b[at + 2] << 8 | b[at + 3];
    char type[5];

    memcpy(type, b + at + 4, 4);
    type[4] = '\0';
    if(strcmp(type, "IHDR") && strcmp(type, "PLTE") &&
       strcmp(type, "tRNS") && strcmp(type, "IDAT") && strcmp(type, "IEND"))
      fail_msg("unexpected chunk %s", type);
    at += 12 + n;
  }
  assert_int_equal(at, len);
  assert_null(memmem(b, len, "tIME", 4));
  /* and the RGBA kind too */
  px[78] = premul(1, 2, 4, 100);
  for(at = 0; at < 300; at++)
    px[100 + at] = premul((unsigned)at % 256, (unsigned)at / 256, 9, 255);
  assert_int_equal(tm_encode_png(enc, &img, "y", &err), TM_OK);
  assert_int_equal(tm_encoder_kind(enc), TM_PNG_RGBA);
  b = tm_encoder_bytes(enc, &len);
  assert_null(memmem(b, len, "tIME", 4));
  assert_null(memmem(b, len, "tEXt", 4));
  assert_null(memmem(b, len, "zTXt", 4));
  tm_encoder_free(enc);
}

static void written_file_should_pass_pngcheck(void **state)
{
  uint32_t px[W * H] = { 0 };
  struct tm_encoder *enc = tm_encoder_new();
  struct tm_image img = image_of(px);
  struct tm_error err = { 0 };
  char cmd[512];
  int i;

  (void)state;
  if(!have_pngcheck())
    skip();
  for(i = 0; i < 40; i++)
    px[i * 7] = premul((unsigned)i, 100, 200, (unsigned)(i * 6 + 10));
  assert_int_equal(tm_encode_write(enc, &img, path_of("check-pal.png"),
                                   NULL, &err), TM_OK);
  for(i = 0; i < W * H; i++)
    px[i] = premul((unsigned)(i % 251), (unsigned)(i % 13), 3,
                   (unsigned)(i % 256));
  assert_int_equal(tm_encode_write(enc, &img, path_of("check-rgba.png"),
                                   NULL, &err), TM_OK);
  snprintf(cmd, sizeof(cmd), "pngcheck -q '%s/check-pal.png' "
           "'%s/check-rgba.png'", tmpdir, tmpdir);
  assert_int_equal(system(cmd), 0);
  tm_encoder_free(enc);
}

static void blank_image_should_still_encode(void **state)
{
  uint32_t px[W * H] = { 0 };
  struct tm_encoder *enc = tm_encoder_new();
  struct tm_image img = { px, W, H, W, 0, 0, 0, 0 };
  struct tm_error err = { 0 };

  (void)state;
  assert_int_equal(tm_encode_write(enc, &img, path_of("blank.png"), NULL,
                                   &err), TM_OK);
  assert_int_equal(tm_encoder_kind(enc), TM_PNG_PALETTE);
  encode_and_check(px, "blank2.png", TM_PNG_PALETTE);
  tm_encoder_free(enc);
}

static void full_disk_should_name_the_file(void **state)
{
  struct tm_error err = { 0 };
  char data[100] = { 0 };

  (void)state;
  if(access("/dev/full", W_OK))
    skip();
  assert_int_equal(tm_encode_save("/dev/full", data, sizeof(data), &err),
                   TM_SYSTEM);
  assert_string_equal(err.msg,
                      "/dev/full: write failed: No space left on device");
}

static void missing_folders_should_be_created(void **state)
{
  struct tm_error err = { 0 };
  char path[300];

  (void)state;
  snprintf(path, sizeof(path), "%s/tiles/9/250/170.png", tmpdir);
  assert_int_equal(tm_encode_save(path, "x", 1, &err), TM_OK);
  assert_int_equal(access(path, R_OK), 0);
}

static void unwritable_place_should_name_the_folder(void **state)
{
  struct tm_error err = { 0 };
  char path[300], want[400];

  (void)state;
  /* a folder where a file already is */
  snprintf(path, sizeof(path), "%s/afile", tmpdir);
  assert_int_equal(tm_encode_save(path, "x", 1, &err), TM_OK);
  snprintf(path, sizeof(path), "%s/afile/9/1.png", tmpdir);
  assert_int_equal(tm_encode_save(path, "x", 1, &err), TM_SYSTEM);
  snprintf(want, sizeof(want), "%s/afile/9/1.png: cannot create: ",
           tmpdir);
  assert_memory_equal(err.msg, want, strlen(want));
}

static void empty_path_should_fail_cleanly(void **state)
{
  struct tm_error err = { 0 };

  (void)state;
  /* open("") is ENOENT, so the missing folders are made first: that must
   * not read past the end of the empty path (valgrind sees it) */
  assert_int_equal(tm_encode_save("", "x", 1, &err), TM_SYSTEM);
  assert_string_equal(err.msg, ": cannot create: No such file or directory");
}

static void unreadable_png_should_name_the_file(void **state)
{
  struct tm_error err = { 0 };
  struct tm_rgba d = { 0 };
  char path[300];

  (void)state;
  snprintf(path, sizeof(path), "%s/not-a-png", tmpdir);
  assert_int_equal(tm_encode_save(path, "hello", 5, &err), TM_OK);
  assert_int_equal(tm_png_read(path, &d, &err), TM_SYSTEM);
  assert_non_null(strstr(err.msg, "not-a-png: cannot read PNG"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(few_colours_should_give_an_exact_palette),
    cmocka_unit_test(colours_256_with_transparent_should_stay_palette),
    cmocka_unit_test(colours_256_filling_the_image_should_stay_palette),
    cmocka_unit_test(many_colours_should_give_exact_rgba),
    cmocka_unit_test(many_opaque_colours_should_give_exact_rgb),
    cmocka_unit_test(only_the_box_should_be_read),
    cmocka_unit_test(same_pixels_should_give_same_bytes),
    cmocka_unit_test(file_should_hold_only_fixed_chunks),
    cmocka_unit_test(written_file_should_pass_pngcheck),
    cmocka_unit_test(blank_image_should_still_encode),
    cmocka_unit_test(full_disk_should_name_the_file),
    cmocka_unit_test(missing_folders_should_be_created),
    cmocka_unit_test(unwritable_place_should_name_the_folder),
    cmocka_unit_test(empty_path_should_fail_cleanly),
    cmocka_unit_test(unreadable_png_should_name_the_file),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
