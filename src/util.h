/* util.h - allocation that never returns NULL, string pools, number parsing,
 * a keyed sort.
 *
 * trustmap is a batch tool: running out of memory ends the run with a
 * message (tm_oom) instead of threading NULL checks through every stage.
 * Anything returned by tm_x* is owned by the caller and freed with free().
 */
#ifndef TM_UTIL_H
#define TM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define TM_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define TM_MUST_CHECK __attribute__((warn_unused_result))
#define TM_NORETURN __attribute__((noreturn))
#else
#define TM_PRINTF(fmt, args)
#define TM_MUST_CHECK
#define TM_NORETURN
#endif

#define TM_FREEF(fn, p) do { if(p) { fn(p); (p) = NULL; } } while(0)
#define TM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

TM_NORETURN void tm_oom(void);

void *tm_xmalloc(size_t size);
/* Checks n * size for overflow before allocating zeroed memory. */
void *tm_xcalloc(size_t n, size_t size);
/* Grows *v to hold at least need elements of size bytes; *cap is updated. */
void tm_xgrow(void **v, size_t *cap, size_t need, size_t size);
char *tm_xstrdup(const char *s);
char *tm_xstrndup(const char *s, size_t n);
char *tm_xasprintf(const char *fmt, ...) TM_PRINTF(1, 2);

/* A pool of strings freed together: tables of many small strings own one. */
struct tm_strpool;
struct tm_strpool *tm_strpool_new(void);
void tm_strpool_free(struct tm_strpool *pool);
/* Copies s (or n bytes of it) into the pool; the copy lives as long as it. */
const char *tm_strpool_add(struct tm_strpool *pool, const char *s);
const char *tm_strpool_addn(struct tm_strpool *pool, const char *s, size_t n);

/* Parses a whole string as a finite double in the C locale, allowing
 * surrounding spaces. Returns false for blank, partial, NaN or infinite. */
bool tm_parse_double(const char *s, double *out);
/* Parses a whole string as a long in [min, max]. */
bool tm_parse_long(const char *s, long min, long max, long *out);

/* ASCII-only case folding, so results never depend on the locale
 * (Turkish dotless i). */
char tm_ascii_lower(char c);
char tm_ascii_upper(char c);
bool tm_ascii_isspace(char c);
int tm_ascii_casecmp(const char *a, const char *b);

/* Organisation codes are compared trimmed and upper-cased: " rxh " is RXH.
 * Returns a new string. */
char *tm_code_normalise(const char *s);

/* True if the n bytes at s are well-formed UTF-8 (no overlongs, no
 * surrogates). */
bool tm_utf8_valid(const char *s, size_t n);

/* Whether s is exactly 64 lower-case hex digits (a SHA-256 as we print
 * it). */
bool tm_is_sha256_hex(const char *s);

/* s when it is valid UTF-8 (NULL gives ""); otherwise a new copy in
 * *owned, which the caller frees, with each byte that starts no valid
 * sequence replaced by U+FFFD. Writers use it so every output is UTF-8
 * whatever reached them. */
const char *tm_utf8_or_fixed(const char *s, char **owned);

/* A record for tm_keysort(): a key and what it stands for. */
struct tm_keyed {
  uint64_t key;
  size_t val;
};

/* Sorts v[0..n) by key, stably: records with equal keys keep their order.
 * A radix sort with no comparison callback, for the millions of records a
 * national dataset makes at each zoom. */
void tm_keysort(struct tm_keyed *v, size_t n);

#endif /* TM_UTIL_H */
