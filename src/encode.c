/* encode.c - stage 5: premultiplied ARGB pixels -> PNG (see encode.h).
 *
 * Palette: the colours are collected with a small open-addressing hash
 * over the box that holds ink (the rest of the image is known to be
 * transparent). Palette order is fixed (by alpha, then colour), so it
 * depends only on the pixels, and translucent entries come first, which
 * keeps tRNS short.
 *
 * Compression: a tile is mostly empty, and zlib (like libdeflate) must
 * read every byte it is given: about 2.4 ms per MB of zeros on the build
 * machine, several times the cost of drawing the tile. So the image data
 * (IDAT) is compressed here by a small deflate encoder (RFC 1950/1951)
 * made for these images, whose cost follows the inked box, not the tile:
 *   - every row is written unfiltered (filter type None);
 *   - runs of transparent bytes outside the box become length-258 matches
 *     at distance 1, counted, never scanned;
 *   - bytes inside the box become the longest of three matches (distance
 *     1, one pixel, one row up) or a literal: flat colour and the rows of
 *     a pin that repeat the row above cost a few bits per run;
 *   - one block with its own Huffman codes, built from the symbol counts.
 * It is fully deterministic (fixed choices, no hashing heuristics), so
 * the same pixels always give the same bytes. libpng writes the signature
 * and the header chunks and frames the IDAT and IEND chunks (lengths and
 * CRCs).
 *
 * libpng reports errors by longjmp: the one setjmp is in encode_png(), and
 * the error callback writes the message with the file's path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>
#include <zlib.h>

#include "encode.h"

#define HASH_SIZE 1024          /* > 4 x 256 entries: short probes */
#define MAX_MATCH 258
#define MAX_DIST 32768
#define ADLER_MOD 65521u

/* One deflate symbol: a literal byte (dist 0) or a match. */
struct token {
  uint16_t len;                 /* literal value, or match length 3..258 */
  uint16_t dist;                /* 0 for a literal, else 1..32768 */
};

struct tm_encoder {
  unsigned char *out;           /* the whole PNG file */
  size_t len, cap;
  enum tm_png_kind kind;
  /* palette */
  uint32_t hkey[HASH_SIZE];     /* colour; 0 = empty slot */
  uint16_t hval[HASH_SIZE];     /* palette index */
  uint32_t colours[256];
  int ncolours;
  bool has_clear;               /* some pixel is fully transparent */
  /* deflate */
  unsigned char *rows;          /* two raw rows (filter byte + pixels) */
  size_t rows_cap;
  struct token *tok;
  size_t ntok, tok_cap;
  unsigned char *idat;          /* the zlib stream */
  size_t idat_len, idat_cap;
  uint64_t bitbuf;
  int bitcount;
};

struct png_job {
  const char *path;             /* for messages only */
  struct tm_error *err;
  char warning[128];            /* first libpng warning, kept quiet */
};

struct palette {
  png_color plte[256];
  png_byte trns[256];
  int n, ntrns;
};

/* ---- palette ---------------------------------------------------------- */

static inline unsigned hash_slot(uint32_t v)
{
  return (unsigned)((v * 2654435761u) >> 22) & (HASH_SIZE - 1);
}

/* Adds v (not 0) to the set; false once a 257th colour would be needed. */
static bool hash_add(struct tm_encoder *enc, uint32_t v)
{
  unsigned i = hash_slot(v);

  while(enc->hkey[i]) {
    if(enc->hkey[i] == v)
      return true;
    i = (i + 1) & (HASH_SIZE - 1);
  }
  if(enc->ncolours + enc->has_clear >= 256)
    return false;
  enc->hkey[i] = v;
  enc->colours[enc->ncolours++] = v;
  return true;
}

static inline unsigned hash_index(const struct tm_encoder *enc, uint32_t v)
{
  unsigned i = hash_slot(v);

  while(enc->hkey[i] != v)
    i = (i + 1) & (HASH_SIZE - 1);
  return enc->hval[i];
}

static int colour_cmp(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  uint32_t ax = x >> 24, ay = y >> 24;

  if(ax != ay)
    return ax < ay ? -1 : 1;
  return (x > y) - (x < y);
}

/* Collects the image's colours. Returns false if there are more than 256
 * (counting transparent). */
static bool find_palette(struct tm_encoder *enc, const struct tm_image *img)
{
  uint32_t last = 0x00ffffffu;  /* not a premultiplied pixel: no match */
  int x, y, i;

  memset(enc->hkey, 0, sizeof(enc->hkey));
  enc->ncolours = 0;
  enc->has_clear = !(img->x0 == 0 && img->y0 == 0 &&
                     img->x1 == img->width && img->y1 == img->height);
  for(y = img->y0; y < img->y1; y++) {
    const uint32_t *row = img->px + (size_t)y * (size_t)img->stride;

    for(x = img->x0; x < img->x1; x++) {
      uint32_t v = row[x];

      if(v == last)
        continue;
      last = v;
      if(!v) {
        if(!enc->has_clear && enc->ncolours >= 256)
          return false;
        enc->has_clear = true;
      }
      else if(!hash_add(enc, v))
        return false;
    }
  }
  qsort(enc->colours, (size_t)enc->ncolours, sizeof(uint32_t), colour_cmp);
  for(i = 0; i < enc->ncolours; i++) {
    unsigned s = hash_slot(enc->colours[i]);

    while(enc->hkey[s] != enc->colours[i])
      s = (s + 1) & (HASH_SIZE - 1);
    enc->hval[s] = (uint16_t)(i + enc->has_clear);
  }
  return true;
}

/* Straight (un-premultiplied) 8-bit channel, rounded to nearest. */
static inline unsigned char unpremul(uint32_t c, uint32_t a)
{
  return (unsigned char)((c * 255 + a / 2) / a);
}

static void rgba_of(uint32_t v, unsigned char *o)
{
  uint32_t a = v >> 24;

  if(a == 255) {
    o[0] = (unsigned char)(v >> 16);
    o[1] = (unsigned char)(v >> 8);
    o[2] = (unsigned char)v;
  }
  else if(a) {
    o[0] = unpremul((v >> 16) & 255, a);
    o[1] = unpremul((v >> 8) & 255, a);
    o[2] = unpremul(v & 255, a);
  }
  else {
    o[0] = o[1] = o[2] = 0;
  }
  o[3] = (unsigned char)a;
}

/* PLTE and tRNS for the colours find_palette() collected. */
static void make_palette(const struct tm_encoder *enc, struct palette *pal)
{
  int i;

  pal->n = enc->ncolours + enc->has_clear;
  pal->ntrns = 0;
  if(enc->has_clear) {
    pal->plte[0].red = pal->plte[0].green = pal->plte[0].blue = 0;
    pal->trns[0] = 0;
    pal->ntrns = 1;
  }
  for(i = 0; i < enc->ncolours; i++) {
    unsigned char c[4];
    int k = i + enc->has_clear;

    rgba_of(enc->colours[i], c);
    pal->plte[k].red = c[0];
    pal->plte[k].green = c[1];
    pal->plte[k].blue = c[2];
    pal->trns[k] = c[3];
    if(c[3] < 255)
      pal->ntrns = k + 1;
  }
}

/* The box part of row y as PNG bytes, into o (o[0] is the first byte of
 * pixel x0). Transparent is palette entry 0 whenever it is present. */
static void box_row(const struct tm_encoder *enc, const struct tm_image *img,
                    int y, unsigned char *o)
{
  const uint32_t *row = img->px + (size_t)y * (size_t)img->stride;
  int x;

  if(enc->kind == TM_PNG_PALETTE) {
    uint32_t last = 0;
    unsigned idx = 0;

    for(x = img->x0; x < img->x1; x++) {
      uint32_t v = row[x];

      if(v != last) {
        last = v;
        idx = v ? hash_index(enc, v) : 0;
      }
      *o++ = (unsigned char)idx;
    }
  }
  else {
    for(x = img->x0; x < img->x1; x++, o += 4) {
      if(row[x])
        rgba_of(row[x], o);
      else
        o[0] = o[1] = o[2] = o[3] = 0;
    }
  }
}

/* ---- deflate ---------------------------------------------------------- */

static const uint16_t len_base[29] = {
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
  67, 83, 99, 115, 131, 163, 195, 227, 258
};
static const uint8_t len_extra[29] = {
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
  5, 5, 5, 5, 0
};
static const uint16_t dist_base[30] = {
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
  769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577
};
static const uint8_t dist_extra[30] = {
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
  11, 11, 12, 12, 13, 13
};
/* Order of the code length code lengths in the block header. */
static const uint8_t cl_order[19] = {
  16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
};

static int len_code(unsigned len)
{
  int c = 28;

  while(len_base[c] > len)
    c--;
  return c;
}

static int dist_code(unsigned dist)
{
  int c = 29;

  while(dist_base[c] > dist)
    c--;
  return c;
}

static void put_token(struct tm_encoder *enc, unsigned len, unsigned dist)
{
  if(enc->ntok == enc->tok_cap)
    tm_xgrow((void **)&enc->tok, &enc->tok_cap, enc->ntok + 1,
             sizeof(*enc->tok));
  enc->tok[enc->ntok].len = (uint16_t)len;
  enc->tok[enc->ntok].dist = (uint16_t)dist;
  enc->ntok++;
}

/* n transparent bytes; *last is the byte before them (-1: none yet). */
static void put_zeros(struct tm_encoder *enc, size_t n, int *last)
{
  if(!n)
    return;
  if(*last != 0) {
    put_token(enc, 0, 0);
    n--;
    *last = 0;
  }
  while(n >= 3) {
    unsigned l = n > MAX_MATCH ? MAX_MATCH : (unsigned)n;

    /* Never leave 1 or 2 zeros that could have been in this match. */
    if(n - l > 0 && n - l < 3)
      l -= 3;
    put_token(enc, l, 1);
    n -= l;
  }
  while(n--)
    put_token(enc, 0, 0);
}

static unsigned match_len(const unsigned char *a, const unsigned char *b,
                          unsigned max)
{
  unsigned n = 0;

  while(n < max && a[n] == b[n])
    n++;
  return n;
}

/* Tokens for cur[from..to): matches against the same row (distances 1
 * and bpp, never before cur[0], the row's filter byte) and, when prev is
 * not NULL, the row above (distance stride). */
static void put_window(struct tm_encoder *enc, const unsigned char *cur,
                       const unsigned char *prev, size_t from, size_t to,
                       unsigned bpp, size_t stride)
{
  size_t j = from;

  while(j < to) {
    unsigned max = to - j > MAX_MATCH ? MAX_MATCH : (unsigned)(to - j);
    unsigned best = 0, dist = 0, n;

    if(prev) {
      n = match_len(cur + j, prev + j, max);
      if(n > best) {
        best = n;
        dist = (unsigned)stride;
      }
    }
    if(j >= bpp && best < max) {
      n = match_len(cur + j, cur + j - bpp, max);
      if(n > best) {
        best = n;
        dist = bpp;
      }
    }
    if(bpp > 1 && j >= 1 && best < max) {
      n = match_len(cur + j, cur + j - 1, max);
      if(n > best) {
        best = n;
        dist = 1;
      }
    }
    if(best >= 3) {
      put_token(enc, best, dist);
      j += best;
    }
    else {
      put_token(enc, cur[j], 0);
      j++;
    }
  }
}

static void adler_zeros(uint32_t *adler, size_t n)
{
  uint32_t a = *adler & 0xffff, b = *adler >> 16;

  b = (uint32_t)((b + (uint64_t)(n % ADLER_MOD) * a) % ADLER_MOD);
  *adler = (b << 16) | a;
}

/* Turns the image into tokens and returns the Adler-32 of the raw (PNG
 * filtered) data. */
static uint32_t tokenise(struct tm_encoder *enc, const struct tm_image *img)
{
  unsigned bpp = enc->kind == TM_PNG_PALETTE ? 1 : 4;
  size_t rb = (size_t)img->width * bpp, stride = rb + 1;
  size_t left = 1 + (size_t)img->x0 * bpp;      /* box start in a row */
  size_t right = 1 + (size_t)img->x1 * bpp;     /* box end in a row */
  unsigned char *cur, *prev;
  uint32_t adler = 1;
  size_t zeros = 0;
  int last = -1, y;
  bool above = false;

  enc->ntok = 0;
  tm_xgrow((void **)&enc->rows, &enc->rows_cap, 2 * stride, 1);
  cur = enc->rows;
  prev = enc->rows + stride;
  for(y = 0; y < img->height; y++) {
    unsigned char *t;

    if(y < img->y0 || y >= img->y1) {
      zeros += stride;
      continue;
    }
    box_row(enc, img, y, cur + left);
    cur[left - 1] = 0;      /* a zero before the box: dist 1/bpp never */
    if(left > bpp)          /* reach garbage from an earlier image */
      memset(cur + left - bpp, 0, bpp);
    cur[0] = 0;             /* filter type None */
    zeros += left;
    adler_zeros(&adler, zeros);
    put_zeros(enc, zeros, &last);
    put_window(enc, cur, above && stride <= MAX_DIST ? prev : NULL, left,
               right, bpp, stride);
    adler = (uint32_t)adler32(adler, cur + left, (uInt)(right - left));
    last = cur[right - 1];
    zeros = stride - right;
    above = true;
    t = cur;
    cur = prev;
    prev = t;
  }
  adler_zeros(&adler, zeros);
  put_zeros(enc, zeros, &last);
  return adler;
}

/* Huffman code lengths (at most maxbits) for freq[0..n). Symbols with a
 * zero count get length 0; at least two symbols get a code, so the code
 * is complete as every inflater wants. */
static void build_lengths(const uint32_t *freq, int n, int maxbits,
                          uint8_t *len)
{
  uint32_t f[320], weight[640];
  int parent[640], sym[320];
  int i, m, pass;

  for(i = 0; i < n; i++)
    f[i] = freq[i];
  for(pass = 0;; pass++) {
    int leaves = 0, nodes, a, b, qi, qn, maxlen = 0;

    for(i = 0; i < n; i++) {
      len[i] = 0;
      if(f[i])
        sym[leaves++] = i;
    }
    if(leaves < 2) {
      /* Pad with the first unused symbols, of length 1. */
      for(i = 0; i < n && leaves < 2; i++) {
        if(!f[i])
          sym[leaves++] = i;
      }
      for(i = 0; i < leaves; i++)
        len[sym[i]] = 1;
      return;
    }
    /* Leaves sorted by (count, symbol), then the usual two-queue merge. */
    for(i = 1; i < leaves; i++) {
      int s = sym[i], k = i;

      while(k > 0 && (f[sym[k - 1]] > f[s] ||
                      (f[sym[k - 1]] == f[s] && sym[k - 1] > s))) {
        sym[k] = sym[k - 1];
        k--;
      }
      sym[k] = s;
    }
    for(i = 0; i < leaves; i++)
      weight[i] = f[sym[i]];
    nodes = leaves;
    m = 0;          /* next leaf */
    qi = leaves;    /* next internal node */
    qn = leaves;
    while(qn - qi + (leaves - m) > 1) {
      int pick[2], k;

      for(k = 0; k < 2; k++) {
        if(m < leaves && (qi >= qn || weight[m] <= weight[qi]))
          pick[k] = m++;
        else
          pick[k] = qi++;
      }
      a = pick[0];
      b = pick[1];
      weight[qn] = weight[a] + weight[b];
      parent[a] = parent[b] = qn;
      qn++;
      nodes = qn;
    }
    /* Depths: the root is the last node. */
    {
      int depth[640];

      depth[nodes - 1] = 0;
      for(i = nodes - 2; i >= 0; i--)
        depth[i] = depth[parent[i]] + 1;
      for(i = 0; i < leaves; i++) {
        len[sym[i]] = (uint8_t)depth[i];
        if(depth[i] > maxlen)
          maxlen = depth[i];
      }
    }
    if(maxlen <= maxbits)
      return;
    /* Too deep: flatten the counts and try again. */
    for(i = 0; i < n; i++) {
      if(f[i])
        f[i] = (f[i] >> (pass + 1)) | 1;
    }
  }
}

/* Canonical codes for the lengths (RFC 1951 3.2.2), bit-reversed because
 * deflate sends Huffman codes from their first bit. */
static void build_codes(const uint8_t *len, int n, uint16_t *code)
{
  uint16_t count[16] = { 0 }, next[16];
  int i, b;
  unsigned c = 0;

  for(i = 0; i < n; i++)
    count[len[i]]++;
  count[0] = 0;
  for(b = 1; b < 16; b++) {
    c = (c + count[b - 1]) << 1;
    next[b] = (uint16_t)c;
  }
  for(i = 0; i < n; i++) {
    unsigned v, r = 0;
    int k;

    if(!len[i]) {
      code[i] = 0;
      continue;
    }
    v = next[len[i]]++;
    for(k = 0; k < len[i]; k++)
      r |= ((v >> k) & 1u) << (len[i] - 1 - k);
    code[i] = (uint16_t)r;
  }
}

static void bits_put(struct tm_encoder *enc, uint32_t v, int n)
{
  enc->bitbuf |= (uint64_t)v << enc->bitcount;
  enc->bitcount += n;
  if(enc->bitcount >= 32) {
    tm_xgrow((void **)&enc->idat, &enc->idat_cap, enc->idat_len + 4, 1);
    enc->idat[enc->idat_len++] = (unsigned char)enc->bitbuf;
    enc->idat[enc->idat_len++] = (unsigned char)(enc->bitbuf >> 8);
    enc->idat[enc->idat_len++] = (unsigned char)(enc->bitbuf >> 16);
    enc->idat[enc->idat_len++] = (unsigned char)(enc->bitbuf >> 24);
    enc->bitbuf >>= 32;
    enc->bitcount -= 32;
  }
}

static void bits_flush(struct tm_encoder *enc)
{
  while(enc->bitcount > 0) {
    tm_xgrow((void **)&enc->idat, &enc->idat_cap, enc->idat_len + 1, 1);
    enc->idat[enc->idat_len++] = (unsigned char)enc->bitbuf;
    enc->bitbuf >>= 8;
    enc->bitcount -= 8;
  }
  enc->bitbuf = 0;
  enc->bitcount = 0;
}

static void byte_put(struct tm_encoder *enc, unsigned v)
{
  tm_xgrow((void **)&enc->idat, &enc->idat_cap, enc->idat_len + 1, 1);
  enc->idat[enc->idat_len++] = (unsigned char)v;
}

/* The run-length coded code lengths of the block header (RFC 1951
 * 3.2.7): symbols 0..18, with extra bits in the high byte. */
static int rle_lengths(const uint8_t *lens, int n, uint16_t *out)
{
  int i = 0, k = 0;

  while(i < n) {
    int v = lens[i], run = 1;

    while(i + run < n && lens[i + run] == v)
      run++;
    i += run;
    if(v == 0) {
      while(run >= 11) {
        int r = run > 138 ? 138 : run;

        out[k++] = (uint16_t)(18 | (r - 11) << 8);
        run -= r;
      }
      if(run >= 3) {
        out[k++] = (uint16_t)(17 | (run - 3) << 8);
        run = 0;
      }
    }
    else {
      out[k++] = (uint16_t)v;
      run--;
      while(run >= 3) {
        int r = run > 6 ? 6 : run;

        out[k++] = (uint16_t)(16 | (r - 3) << 8);
        run -= r;
      }
    }
    while(run-- > 0)
      out[k++] = (uint16_t)v;
  }
  return k;
}

/* The zlib stream for the tokens: header, one dynamic block, Adler-32. */
static void write_zlib(struct tm_encoder *enc, uint32_t adler)
{
  uint32_t lfreq[286] = { 0 }, dfreq[30] = { 0 }, cfreq[19] = { 0 };
  uint8_t llen[286], dlen[30], clen[19], all[316];
  uint16_t lcode[286], dcode[30], ccode[19], rle[316];
  int hlit, hdist, hclen, nrle, i;
  size_t t;

  for(t = 0; t < enc->ntok; t++) {
    const struct token *k = &enc->tok[t];

    if(k->dist) {
      lfreq[257 + len_code(k->len)]++;
      dfreq[dist_code(k->dist)]++;
    }
    else {
      lfreq[k->len]++;
    }
  }
  lfreq[256] = 1;
  build_lengths(lfreq, 286, 15, llen);
  build_lengths(dfreq, 30, 15, dlen);
  build_codes(llen, 286, lcode);
  build_codes(dlen, 30, dcode);

  for(hlit = 286; hlit > 257 && !llen[hlit - 1]; hlit--)
    ;
  for(hdist = 30; hdist > 1 && !dlen[hdist - 1]; hdist--)
    ;
  memcpy(all, llen, (size_t)hlit);
  memcpy(all + hlit, dlen, (size_t)hdist);
  nrle = rle_lengths(all, hlit + hdist, rle);
  for(i = 0; i < nrle; i++)
    cfreq[rle[i] & 0xff]++;
  build_lengths(cfreq, 19, 7, clen);
  build_codes(clen, 19, ccode);
  for(hclen = 19; hclen > 4 && !clen[cl_order[hclen - 1]]; hclen--)
    ;

  enc->idat_len = 0;
  enc->bitbuf = 0;
  enc->bitcount = 0;
  byte_put(enc, 0x78);          /* deflate, 32K window */
  byte_put(enc, 0x01);          /* (0x7801 is a multiple of 31) */
  bits_put(enc, 1, 1);          /* BFINAL: the only block */
  bits_put(enc, 2, 2);          /* BTYPE: dynamic Huffman codes */
  bits_put(enc, (uint32_t)(hlit - 257), 5);
  bits_put(enc, (uint32_t)(hdist - 1), 5);
  bits_put(enc, (uint32_t)(hclen - 4), 4);
  for(i = 0; i < hclen; i++)
    bits_put(enc, clen[cl_order[i]], 3);
  for(i = 0; i < nrle; i++) {
    int s = rle[i] & 0xff, extra = rle[i] >> 8;

    bits_put(enc, ccode[s], clen[s]);
    if(s == 16)
      bits_put(enc, (uint32_t)extra, 2);
    else if(s == 17)
      bits_put(enc, (uint32_t)extra, 3);
    else if(s == 18)
      bits_put(enc, (uint32_t)extra, 7);
  }
  for(t = 0; t < enc->ntok; t++) {
    const struct token *k = &enc->tok[t];

    if(k->dist) {
      int lc = len_code(k->len), dc = dist_code(k->dist);

      bits_put(enc, lcode[257 + lc], llen[257 + lc]);
      if(len_extra[lc])
        bits_put(enc, k->len - len_base[lc], len_extra[lc]);
      bits_put(enc, dcode[dc], dlen[dc]);
      if(dist_extra[dc])
        bits_put(enc, k->dist - dist_base[dc], dist_extra[dc]);
    }
    else {
      bits_put(enc, lcode[k->len], llen[k->len]);
    }
  }
  bits_put(enc, lcode[256], llen[256]);
  bits_flush(enc);
  byte_put(enc, adler >> 24);
  byte_put(enc, (adler >> 16) & 0xff);
  byte_put(enc, (adler >> 8) & 0xff);
  byte_put(enc, adler & 0xff);
}

/* ---- libpng ----------------------------------------------------------- */

static void on_png_warning(png_structp png, png_const_charp msg)
{
  struct png_job *job = png_get_error_ptr(png);

  if(!job->warning[0])
    snprintf(job->warning, sizeof(job->warning), "%s", msg);
}

static void on_png_error(png_structp png, png_const_charp msg)
{
  struct png_job *job = png_get_error_ptr(png);

  tm_fail(job->err, TM_SYSTEM, "%s: cannot encode PNG: %s", job->path, msg);
  png_longjmp(png, 1);
}

static void on_png_write(png_structp png, png_bytep data, size_t n)
{
  struct tm_encoder *enc = png_get_io_ptr(png);

  tm_xgrow((void **)&enc->out, &enc->cap, enc->len + n, 1);
  memcpy(enc->out + enc->len, data, n);
  enc->len += n;
}

static void on_png_flush(png_structp png)
{
  (void)png;
}

/* The only setjmp in trustmap. Nothing assigned after it is read after a
 * jump except through job. pal is NULL for RGBA; enc->idat holds the
 * compressed image data. */
static enum tm_rc encode_png(struct tm_encoder *enc,
                             const struct tm_image *img,
                             const struct palette *pal, struct png_job *job)
{
  static const png_byte idat[5] = "IDAT";
  static const png_byte iend[5] = "IEND";
  png_structp png;
  png_infop info;

  png = png_create_write_struct(PNG_LIBPNG_VER_STRING, job, on_png_error,
                                on_png_warning);
  if(!png)
    tm_oom();
  info = png_create_info_struct(png);
  if(!info)
    tm_oom();
  if(setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return job->err->rc;
  }
  png_set_write_fn(png, enc, on_png_write, on_png_flush);
  png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height,
               8, pal ? PNG_COLOR_TYPE_PALETTE : PNG_COLOR_TYPE_RGB_ALPHA,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if(pal) {
    png_set_PLTE(png, info, pal->plte, pal->n);
    if(pal->ntrns)
      png_set_tRNS(png, info, pal->trns, pal->ntrns, NULL);
  }
  png_write_info(png, info);
  /* The image data is compressed already: libpng frames it. */
  png_write_chunk(png, idat, enc->idat, enc->idat_len);
  png_write_chunk(png, iend, NULL, 0);
  png_destroy_write_struct(&png, &info);
  return TM_OK;
}

/* ---- files ------------------------------------------------------------ */

/* Creates the folders above path (like mkdir -p of its dirname). */
static enum tm_rc make_parents(const char *path, struct tm_error *err)
{
  char *dir = tm_xstrdup(path);
  char *s;

  for(s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
    *s = '\0';
    if(mkdir(dir, 0777) && errno != EEXIST) {
      enum tm_rc rc = tm_fail_errno(err, "%s: cannot create folder", dir);

      free(dir);
      return rc;
    }
    *s = '/';
  }
  free(dir);
  return TM_OK;
}

/* ---- public ----------------------------------------------------------- */

struct tm_encoder *tm_encoder_new(void)
{
  return tm_xcalloc(1, sizeof(struct tm_encoder));
}

void tm_encoder_free(struct tm_encoder *enc)
{
  if(!enc)
    return;
  free(enc->out);
  free(enc->rows);
  free(enc->tok);
  free(enc->idat);
  free(enc);
}

enum tm_rc tm_encode_png(struct tm_encoder *enc, const struct tm_image *img,
                         const char *path, struct tm_error *err)
{
  struct png_job job;
  struct palette pal;
  struct tm_image box = *img;
  uint32_t adler;

  if(img->width <= 0 || img->height <= 0 || img->width > 8000 ||
     img->height > 65536)
    return tm_fail(err, TM_SYSTEM, "%s: cannot encode a %dx%d image", path,
                   img->width, img->height);
  /* An empty or out-of-range box means "nothing inside": clamp it. */
  if(box.x0 < 0)
    box.x0 = 0;
  if(box.y0 < 0)
    box.y0 = 0;
  if(box.x1 > box.width)
    box.x1 = box.width;
  if(box.y1 > box.height)
    box.y1 = box.height;
  if(box.x0 >= box.x1 || box.y0 >= box.y1)
    box.x0 = box.y0 = box.x1 = box.y1 = 0;

  enc->len = 0;
  enc->kind = find_palette(enc, &box) ? TM_PNG_PALETTE : TM_PNG_RGBA;
  if(enc->kind == TM_PNG_PALETTE)
    make_palette(enc, &pal);
  adler = tokenise(enc, &box);
  write_zlib(enc, adler);
  job.path = path;
  job.err = err;
  job.warning[0] = '\0';
  return encode_png(enc, &box, enc->kind == TM_PNG_PALETTE ? &pal : NULL,
                    &job);
}

const unsigned char *tm_encoder_bytes(const struct tm_encoder *enc,
                                      size_t *len)
{
  *len = enc->len;
  return enc->out;
}

enum tm_png_kind tm_encoder_kind(const struct tm_encoder *enc)
{
  return enc->kind;
}

enum tm_rc tm_encode_write(struct tm_encoder *enc, const struct tm_image *img,
                           const char *path, size_t *bytes,
                           struct tm_error *err)
{
  enum tm_rc rc = tm_encode_png(enc, img, path, err);

  if(!rc)
    rc = tm_encode_save(path, enc->out, enc->len, err);
  if(!rc && bytes)
    *bytes = enc->len;
  return rc;
}

enum tm_rc tm_encode_save(const char *path, const void *data, size_t len,
                          struct tm_error *err)
{
  const unsigned char *p = data;
  int fd;

  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if(fd < 0 && errno == ENOENT) {
    enum tm_rc rc = make_parents(path, err);

    if(rc)
      return rc;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  }
  if(fd < 0)
    return tm_fail_errno(err, "%s: cannot create", path);
  while(len) {
    ssize_t n = write(fd, p, len);

    if(n < 0 && errno == EINTR)
      continue;
    if(n <= 0) {
      if(n == 0)
        errno = ENOSPC;
      tm_fail_errno(err, "%s: write failed", path);
      close(fd);
      return TM_SYSTEM;
    }
    p += n;
    len -= (size_t)n;
  }
  if(close(fd))
    return tm_fail_errno(err, "%s: write failed", path);
  return TM_OK;
}

enum tm_rc tm_png_read(const char *path, struct tm_rgba *out,
                       struct tm_error *err)
{
  png_image img;
  unsigned char *buf;

  memset(&img, 0, sizeof(img));
  img.version = PNG_IMAGE_VERSION;
  if(!png_image_begin_read_from_file(&img, path))
    return tm_fail(err, TM_SYSTEM, "%s: cannot read PNG: %s", path,
                   img.message);
  out->palette = (img.format & PNG_FORMAT_FLAG_COLORMAP) != 0;
  img.format = PNG_FORMAT_RGBA;
  buf = tm_xmalloc(PNG_IMAGE_SIZE(img));
  if(!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
    free(buf);
    png_image_free(&img);
    return tm_fail(err, TM_SYSTEM, "%s: cannot read PNG: %s", path,
                   img.message);
  }
  out->px = buf;
  out->width = (int)img.width;
  out->height = (int)img.height;
  return TM_OK;
}
