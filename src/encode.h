/* encode.h - stage 5: premultiplied ARGB pixels -> PNG file (the only user
 * of libpng).
 *
 * An image with at most 256 distinct colours (alpha included) becomes an
 * 8-bit palette PNG with a tRNS chunk: exact, no dithering or quantising.
 * Any other becomes 8-bit RGB if every pixel is opaque (dense tiles of a
 * national dataset are), else 8-bit RGBA, un-premultiplied. Compression settings are
 * fixed and no tIME (or other varying) chunk is written, so the same
 * pixels always give the same bytes.
 *
 * A struct tm_encoder holds reusable scratch space (palette tables, rows,
 * the encoded bytes), so a thread encoding many tiles allocates nothing
 * per tile. One encoder per thread.
 */
#ifndef TM_ENCODE_H
#define TM_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Pixels to encode: cairo's ARGB32 (native-endian 0xAARRGGBB, colour
 * premultiplied by alpha). Every pixel outside the box x0..x1, y0..y1
 * (exclusive ends) must be 0; the encoder only looks inside it. */
struct tm_image {
  const uint32_t *px;    /* borrowed */
  int width, height;
  int stride;            /* pixels from one row to the next */
  int x0, y0, x1, y1;
};

enum tm_png_kind {
  TM_PNG_PALETTE,
  TM_PNG_RGB,
  TM_PNG_RGBA
};

/* A decoded PNG (for tests and checks): straight (not premultiplied)
 * 8-bit RGBA. */
struct tm_rgba {
  unsigned char *px;     /* owned; width * height * 4 bytes */
  int width, height;
  bool palette;          /* the file was a palette PNG */
};

struct tm_encoder;

struct tm_encoder *tm_encoder_new(void);
void tm_encoder_free(struct tm_encoder *enc);

/* Encodes img into the encoder's buffer; path is for messages only. */
enum tm_rc tm_encode_png(struct tm_encoder *enc, const struct tm_image *img,
                         const char *path, struct tm_error *err) TM_MUST_CHECK;

/* The bytes of the last successful tm_encode_png(); borrowed until the
 * next call. */
const unsigned char *tm_encoder_bytes(const struct tm_encoder *enc,
                                      size_t *len);
/* Which kind the last tm_encode_png() chose. */
enum tm_png_kind tm_encoder_kind(const struct tm_encoder *enc);

/* Encodes img and writes it to path, creating missing parent folders.
 * *bytes (if not NULL) gets the file's size. */
enum tm_rc tm_encode_write(struct tm_encoder *enc, const struct tm_image *img,
                           const char *path, size_t *bytes,
                           struct tm_error *err) TM_MUST_CHECK;

/* Writes len bytes to path (replacing it), creating missing parent
 * folders; a failure names the path ("...: write failed: No space left on
 * device"). */
enum tm_rc tm_encode_save(const char *path, const void *data, size_t len,
                          struct tm_error *err) TM_MUST_CHECK;

/* Reads any PNG as straight 8-bit RGBA. Free out->px with free(). */
enum tm_rc tm_png_read(const char *path, struct tm_rgba *out,
                       struct tm_error *err) TM_MUST_CHECK;

#endif /* TM_ENCODE_H */
