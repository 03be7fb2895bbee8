/* util.c - allocation, string pools, locale-independent parsing, and a
 * stable radix sort of keyed records.
 *
 * Owns nothing global. Number parsing uses strtod/strtol, which follow the
 * C locale because trustmap never calls setlocale().
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void tm_oom(void)
{
  fputs("trustmap: out of memory\n", stderr);
  abort();
}

void *tm_xmalloc(size_t size)
{
  void *p = malloc(size ? size : 1);

  if(!p)
    tm_oom();
  return p;
}

void *tm_xcalloc(size_t n, size_t size)
{
  void *p;

  if(size && n > SIZE_MAX / size)
    tm_oom();
  p = calloc(n ? n : 1, size ? size : 1);
  if(!p)
    tm_oom();
  return p;
}

void tm_xgrow(void **v, size_t *cap, size_t need, size_t size)
{
  size_t ncap = *cap ? *cap : 16;
  void *p;

  if(need <= *cap)
    return;
  while(ncap < need) {
    if(ncap > SIZE_MAX / 2)
      tm_oom();
    ncap *= 2;
  }
  if(size && ncap > SIZE_MAX / size)
    tm_oom();
  p = realloc(*v, ncap * size);
  if(!p)
    tm_oom();
  *v = p;
  *cap = ncap;
}

char *tm_xstrndup(const char *s, size_t n)
{
  char *p = tm_xmalloc(n + 1);

  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *tm_xstrdup(const char *s)
{
  return tm_xstrndup(s, strlen(s));
}

char *tm_xasprintf(const char *fmt, ...)
{
  va_list ap;
  int n;
  char *p;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if(n < 0)
    tm_oom();
  p = tm_xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

/* Strings are packed into large blocks so a million-row table costs a
 * handful of allocations, not millions. */
struct pool_block {
  struct pool_block *next;
  size_t used, size;
  char data[];
};

struct tm_strpool {
  struct pool_block *head;
};

struct tm_strpool *tm_strpool_new(void)
{
  return tm_xcalloc(1, sizeof(struct tm_strpool));
}

void tm_strpool_free(struct tm_strpool *pool)
{
  struct pool_block *b, *next;

  if(!pool)
    return;
  for(b = pool->head; b; b = next) {
    next = b->next;
    free(b);
  }
  free(pool);
}

const char *tm_strpool_addn(struct tm_strpool *pool, const char *s, size_t n)
{
  struct pool_block *b = pool->head;
  char *p;

  if(!b || b->size - b->used < n + 1) {
    size_t size = n + 1 > 65536 ? n + 1 : 65536;

    b = tm_xmalloc(sizeof(*b) + size);
    b->used = 0;
    b->size = size;
    b->next = pool->head;
    pool->head = b;
  }
  p = b->data + b->used;
  memcpy(p, s, n);
  p[n] = '\0';
  b->used += n + 1;
  return p;
}

const char *tm_strpool_add(struct tm_strpool *pool, const char *s)
{
  return tm_strpool_addn(pool, s, strlen(s));
}

bool tm_ascii_isspace(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

char tm_ascii_lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

char tm_ascii_upper(char c)
{
  return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

int tm_ascii_casecmp(const char *a, const char *b)
{
  for(;; a++, b++) {
    int ca = (unsigned char)tm_ascii_lower(*a);
    int cb = (unsigned char)tm_ascii_lower(*b);

    if(ca != cb || !ca)
      return ca - cb;
  }
}

bool tm_parse_double(const char *s, double *out)
{
  char *end;
  double v;

  while(tm_ascii_isspace(*s))
    s++;
  if(!*s)
    return false;
  /* strtod also reads hex ("0x1A"), "inf" and "nan"; a spreadsheet cell
   * holding those is a mistake, not a coordinate. */
  for(end = (char *)s; *end && !tm_ascii_isspace(*end); end++)
    if(!strchr("0123456789+-.eE", *end))
      return false;
  errno = 0;
  v = strtod(s, &end);
  if(end == s || errno == ERANGE || !isfinite(v))
    return false;
  while(tm_ascii_isspace(*end))
    end++;
  if(*end)
    return false;
  *out = v;
  return true;
}

bool tm_parse_long(const char *s, long min, long max, long *out)
{
  char *end;
  long v;

  while(tm_ascii_isspace(*s))
    s++;
  if(!*s)
    return false;
  errno = 0;
  v = strtol(s, &end, 10);
  if(end == s || errno == ERANGE)
    return false;
  while(tm_ascii_isspace(*end))
    end++;
  if(*end || v < min || v > max)
    return false;
  *out = v;
  return true;
}

char *tm_code_normalise(const char *s)
{
  size_t n;
  char *p;
  size_t i;

  while(tm_ascii_isspace(*s))
    s++;
  n = strlen(s);
  while(n && tm_ascii_isspace(s[n - 1]))
    n--;
  p = tm_xstrndup(s, n);
  for(i = 0; i < n; i++)
    p[i] = tm_ascii_upper(p[i]);
  return p;
}

bool tm_utf8_valid(const char *str, size_t n)
{
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;

  while(i < n) {
    unsigned c = s[i];
    size_t len;
    uint32_t cp;

    if(c < 0x80) {
      i++;
      continue;
    }
    if(c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    }
    else if(c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    }
    else if(c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    }
    else
      return false;
    if(i + len > n)
      return false;
    for(size_t k = 1; k < len; k++) {
      if((s[i + k] & 0xc0) != 0x80)
        return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
       cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

/* s when it is valid UTF-8; otherwise a copy in *owned with each byte that
 * starts no valid sequence replaced by U+FFFD. */
const char *tm_utf8_or_fixed(const char *s, char **owned)
{
  size_t n = s ? strlen(s) : 0;
  size_t i = 0, o = 0;
  char *p;

  *owned = NULL;
  if(!s)
    return "";
  if(tm_utf8_valid(s, n))
    return s;
  p = tm_xcalloc(n + 1, 3);
  while(i < n) {
    unsigned char c = (unsigned char)s[i];
    size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2
                 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4
                 : 0;

    if(len && i + len <= n && tm_utf8_valid(s + i, len)) {
      memcpy(p + o, s + i, len);
      o += len;
      i += len;
    }
    else {
      memcpy(p + o, "\xef\xbf\xbd", 3);
      o += 3;
      i++;
    }
  }
  p[o] = '\0';
  *owned = p;
  return p;
}

bool tm_is_sha256_hex(const char *s)
{
  size_t i;

  for(i = 0; i < 64; i++)
    if(!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return !s[64];
}

/* Least significant digit first, RADIX_BITS at a time, only over the bits
 * some key has; a pass where every record has the same digit is skipped.
 * Each pass is a stable counting sort, so the whole sort is stable. */
#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)

void tm_keysort(struct tm_keyed *v, size_t n)
{
  struct tm_keyed *tmp, *src = v, *dst;
  uint64_t any = 0;
  size_t *count, i;
  int shift;

  if(n < 2)
    return;
  for(i = 0; i < n; i++)
    any |= v[i].key;
  tmp = tm_xcalloc(n, sizeof(*tmp));
  count = tm_xcalloc(RADIX_SIZE, sizeof(*count));
  dst = tmp;
  for(shift = 0; shift < 64 && (any >> shift); shift += RADIX_BITS) {
    size_t sum = 0, b;

    memset(count, 0, RADIX_SIZE * sizeof(*count));
    for(i = 0; i < n; i++)
      count[(src[i].key >> shift) & (RADIX_SIZE - 1)]++;
    if(count[(src[0].key >> shift) & (RADIX_SIZE - 1)] == n)
      continue;
    for(b = 0; b < RADIX_SIZE; b++) {
      size_t c = count[b];

      count[b] = sum;
      sum += c;
    }
    for(i = 0; i < n; i++)
      dst[count[(src[i].key >> shift) & (RADIX_SIZE - 1)]++] = src[i];
    dst = src;
    src = src == v ? tmp : v;
  }
  if(src != v)
    memcpy(v, src, n * sizeof(*v));
  free(count);
  free(tmp);
}
