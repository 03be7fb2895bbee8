/* read.c - stage 1: read any table GDAL/OGR opens into a struct tm_table.
 *
 * The only file that includes GDAL. Every cell is read as a string (CSV:
 * AUTODETECT_TYPE=NO; sheets: FIELD_TYPES=STRING), copied into the
 * table's pool and made valid UTF-8 before the feature is destroyed:
 * text that is not UTF-8 is read as Windows-1252 (one note per file);
 * bytes Windows-1252 leaves undefined are an error on their row.
 *
 * Before GDAL sees it, the file is checked with stat() (no directories,
 * pipes or devices, which could block or never end), and two kinds of
 * text GDAL 3.6 cannot read are copied into /vsimem/ as UTF-8 CSV with
 * the same lines: UTF-16 (Excel's "Unicode text") and the NHS website's
 * format, fields separated by the not sign without quoting.
 *
 * Row numbers (the rule is stated for users in read.h):
 *  - CSV: GDAL does not say which line a feature came from, so the file
 *    is scanned here too, mirroring how GDAL's CSV reader splits records
 *    (cpl_csv.cpp; the unit tests compare the two on random files): a
 *    record starts on a line that is not empty (after a UTF-8 BOM), and
 *    goes on over the following lines while it holds an odd number of
 *    double quotes, wherever they are. Empty lines between records are
 *    skipped by GDAL (no feature) but still counted here. Bytes after a
 *    NUL on a line are invisible to GDAL, so they are to the scan too;
 *    the first line with one is an error, since values were lost.
 *    A quote still open at the end of the file is reported where it
 *    opened: GDAL silently puts the rest of the file in that one value.
 *  - XLSX and ODS: GDAL's feature id is the sheet row (checked by the
 *    unit tests, including rows missing from the sheet); an id that does
 *    not increase falls back to the previous row + 1. Old XLS: header = 1,
 *    then one row per feature (not verified: GDAL cannot write XLS).
 *  - other drivers: the 1-based position of the feature.
 *
 * GDAL's messages go to a handler (pushed for the whole call, so nothing
 * is printed): warnings become notes at the row being read; failures
 * while opening explain a refused file, or become notes if it opens; a
 * failure that ends the reading early is an error, since rows are lost.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* GDAL's C headers declare enumerators past INT_MAX (wkbPoint25D...),
 * which -Wpedantic rejects; the rest of this file stays pedantic. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#endif
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "read.h"
#include "util.h"

#define READ_CHUNK 65536

static const char *const readable_kinds =
  "CSV, XLSX, ODS, GeoPackage, GeoJSON, Shapefile...";
static const char *const utf8_fix =
  "save the file as UTF-8 (CSV UTF-8 in Excel) to silence this";
static const char *const encoding_fix =
  "fix the value, and save the file as UTF-8 (CSV UTF-8 in Excel)";

/* ---- growable byte buffer ------------------------------------------ */

struct buf {
  char *p;
  size_t n, cap;
};

static void buf_put(struct buf *b, const void *s, size_t n)
{
  tm_xgrow((void **)&b->p, &b->cap, b->n + n + 1, 1);
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
}

static void buf_put_cp(struct buf *b, uint32_t cp)
{
  unsigned char u[4];
  size_t n;

  if(cp < 0x80) {
    u[0] = (unsigned char)cp;
    n = 1;
  }
  else if(cp < 0x800) {
    u[0] = (unsigned char)(0xc0 | (cp >> 6));
    u[1] = (unsigned char)(0x80 | (cp & 0x3f));
    n = 2;
  }
  else if(cp < 0x10000) {
    u[0] = (unsigned char)(0xe0 | (cp >> 12));
    u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    u[2] = (unsigned char)(0x80 | (cp & 0x3f));
    n = 3;
  }
  else {
    u[0] = (unsigned char)(0xf0 | (cp >> 18));
    u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    u[3] = (unsigned char)(0x80 | (cp & 0x3f));
    n = 4;
  }
  buf_put(b, u, n);
}

/* ---- text encodings ------------------------------------------------ */

/* Windows-1252 0x80-0x9F; 0 marks the five bytes it leaves undefined.
 * 0xA0-0xFF are Latin-1, i.e. the code point itself. */
static const uint16_t cp1252_80[32] = {
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
  0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178
};

/* Appends the n bytes at s decoded as Windows-1252 to b. Returns the first
 * byte that has no meaning in Windows-1252 (written as '?'), or 0. */
static unsigned cp1252_decode(struct buf *b, const char *s, size_t n)
{
  unsigned bad = 0;
  size_t i;

  for(i = 0; i < n; i++) {
    unsigned c = (unsigned char)s[i];
    uint32_t cp = c;

    if(c >= 0x80 && c < 0xa0) {
      cp = cp1252_80[c - 0x80];
      if(!cp) {
        if(!bad)
          bad = c;
        cp = '?';
      }
    }
    buf_put_cp(b, cp);
  }
  if(!b->p)
    buf_put(b, "", 0);
  return bad;
}

/* s as valid UTF-8, for messages and names: s itself when it already is,
 * else its Windows-1252 reading in *scratch. */
static const char *safe_text(struct buf *scratch, const char *s)
{
  if(tm_utf8_valid(s, strlen(s)))
    return s;
  scratch->n = 0;
  cp1252_decode(scratch, s, strlen(s));
  return scratch->p;
}

/* Converts UTF-16 text that starts with its byte order mark to UTF-8.
 * Returns how many code units were broken (written as U+FFFD). */
static size_t utf16_to_utf8(const unsigned char *p, size_t n, struct buf *out)
{
  bool be = p[0] == 0xfe;
  size_t i, bad = 0;

  for(i = 2; i + 1 < n; i += 2) {
    uint32_t u = be ? (uint32_t)(p[i] << 8 | p[i + 1]) :
                      (uint32_t)(p[i + 1] << 8 | p[i]);

    if(u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
      uint32_t v = be ? (uint32_t)(p[i + 2] << 8 | p[i + 3]) :
                        (uint32_t)(p[i + 3] << 8 | p[i + 2]);

      if(v >= 0xdc00 && v <= 0xdfff) {
        buf_put_cp(out, 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00));
        i += 2;
        continue;
      }
    }
    if((u >= 0xd800 && u <= 0xdfff) || !u) {
      bad++;
      u = 0xfffd;
    }
    buf_put_cp(out, u);
  }
  if(n % 2)
    bad++;
  if(!out->p)
    buf_put(out, "", 0);
  return bad;
}

/* ---- GDAL's messages ------------------------------------------------ */

#define HELD_MAX 8
#define SAID_MAX 20

/* While GDAL opens the file, and during each call that reads a feature,
 * failures are held: the open's explain a refused file, and a read call
 * that gives up loses the rest of the rows. Held failures that lost
 * nothing become notes. At most SAID_MAX different GDAL messages become
 * notes per file, so a message on every row of a large file costs one
 * line in the report and no time. */
struct gdal_capture {
  struct tm_problems *probs;
  struct tm_where where;  /* the file, and the row being read (0: none) */
  bool holding;           /* hold failures instead of noting them */
  char *held[HELD_MAX];   /* owned */
  size_t nheld;
  struct {
    const char *kind;     /* static */
    char *text;           /* owned */
  } said[SAID_MAX];       /* the notes made so far */
  size_t nsaid;
  size_t unsaid;          /* messages dropped beyond those */
  struct buf scratch;
};

/* Adds a note with GDAL's message, unless the same one was made already
 * (GeoJSON reports a bad feature when it opens and again when read). */
static void note_once(struct gdal_capture *cap, const char *kind,
                      const char *fix, const char *text)
{
  size_t i;

  for(i = 0; i < cap->nsaid; i++)
    if(cap->said[i].kind == kind && !strcmp(cap->said[i].text, text))
      return;
  if(cap->nsaid == SAID_MAX) {
    cap->unsaid++;
    return;
  }
  cap->said[cap->nsaid].kind = kind;
  cap->said[cap->nsaid++].text = tm_xstrdup(text);
  tm_problem_note(cap->probs, &cap->where, kind, fix, "GDAL: %s", text);
}

static const char *const gdal_warning = "gdal-warning";
static const char *const gdal_error = "gdal-error";
static const char *const gdal_error_fix =
  "check the file in the program that made it";

static void CPL_STDCALL on_gdal_message(CPLErr cls, CPLErrorNum num,
                                        const char *msg)
{
  struct gdal_capture *cap = CPLGetErrorHandlerUserData();
  const char *text;

  (void)num;
  if(!cap || cls == CE_None || cls == CE_Debug)
    return;
  text = safe_text(&cap->scratch, msg ? msg : "");
  if(cls == CE_Warning)
    note_once(cap, gdal_warning, NULL, text);
  else if(!cap->holding)
    note_once(cap, gdal_error, gdal_error_fix, text);
  else if(cap->nheld < HELD_MAX)
    cap->held[cap->nheld++] = tm_xstrdup(text);
  else
    cap->unsaid++;
}

/* The last failure held, or NULL. */
static const char *held_last(const struct gdal_capture *cap)
{
  return cap->nheld ? cap->held[cap->nheld - 1] : NULL;
}

static void held_free(struct gdal_capture *cap)
{
  size_t i;

  for(i = 0; i < cap->nheld; i++)
    free(cap->held[i]);
  cap->nheld = 0;
}

/* Turns the held failures into notes at the current row. */
static void held_to_notes(struct gdal_capture *cap)
{
  size_t i;

  for(i = 0; i < cap->nheld; i++)
    note_once(cap, gdal_error, gdal_error_fix, cap->held[i]);
  held_free(cap);
}

/* Ends the capture: counts what was left out, frees the rest. */
static void capture_done(struct gdal_capture *cap)
{
  size_t i;

  if(cap->unsaid) {
    struct tm_where w = { cap->where.path, 0 };

    tm_problem_note(cap->probs, &w, gdal_warning, NULL,
                    "GDAL reported %zu more message%s, not listed",
                    cap->unsaid, cap->unsaid == 1 ? "" : "s");
  }
  held_free(cap);
  for(i = 0; i < cap->nsaid; i++)
    free(cap->said[i].text);
  free(cap->scratch.p);
}

static pthread_once_t register_once = PTHREAD_ONCE_INIT;

static void register_drivers(void)
{
  CPLPushErrorHandler(CPLQuietErrorHandler);
  GDALAllRegister();
  CPLPopErrorHandler();
}

/* ---- CSV record scan ------------------------------------------------ */

/* Finds the line on which each record starts, the way GDAL's CSV reader
 * splits records (see the top of this file). Fed in chunks, so a large
 * file costs one long per record. */
struct csv_scan {
  long *start;       /* line where each record starts */
  size_t n, cap;
  long line;         /* the line being scanned */
  long rec_line;     /* where the open record started */
  long open_line;    /* where the quote that keeps it open is */
  int bom;           /* UTF-8 BOM bytes matched at a record's start;
                        -1: past the start */
  bool in_record;    /* a record has begun and not ended */
  bool odd;          /* the record holds an odd number of quotes */
  bool nul;          /* a NUL hid the rest of this line */
  bool after_cr;     /* an LF now ends nothing (CRLF) */
  long nul_line;     /* the first line with a NUL, or 0 */
  size_t nul_lines;  /* lines with a NUL */
};

static const unsigned char utf8_bom[3] = { 0xef, 0xbb, 0xbf };

static void scan_init(struct csv_scan *s)
{
  memset(s, 0, sizeof(*s));
  s->line = 1;
}

static void scan_begin_record(struct csv_scan *s)
{
  s->in_record = true;
  s->rec_line = s->line;
  s->odd = false;
}

static void scan_push(struct csv_scan *s)
{
  tm_xgrow((void **)&s->start, &s->cap, s->n + 1, sizeof(s->start[0]));
  s->start[s->n++] = s->rec_line;
  s->in_record = false;
}

static void scan_eol(struct csv_scan *s)
{
  /* Part of a BOM is text: "\xef\xbb" alone is a record to GDAL. */
  if(!s->in_record && s->bom > 0)
    scan_begin_record(s);
  if(s->in_record && !s->odd)
    scan_push(s);
  s->line++;
  s->nul = false;
  s->bom = s->in_record ? -1 : 0;
}

static void scan_bytes(struct csv_scan *s, const unsigned char *p, size_t n)
{
  size_t i;

  for(i = 0; i < n; i++) {
    unsigned char c = p[i];

    if(s->after_cr) {
      s->after_cr = false;
      if(c == '\n')
        continue;
    }
    if(c == '\r' || c == '\n') {
      scan_eol(s);
      s->after_cr = c == '\r';
      continue;
    }
    if(s->nul)
      continue;
    if(!c) {
      s->nul = true;
      if(!s->nul_lines++)
        s->nul_line = s->line;
      continue;
    }
    if(!s->in_record) {
      if(s->bom >= 0) {
        if(c == utf8_bom[s->bom]) {
          if(++s->bom == 3)
            s->bom = -1;
          continue;
        }
        s->bom = -1;
      }
      scan_begin_record(s);
    }
    if(c == '"') {
      s->odd = !s->odd;
      if(s->odd)
        s->open_line = s->line;
    }
  }
}

/* Ends the scan; returns the line of a quote that never closes, or 0. */
static long scan_finish(struct csv_scan *s)
{
  long open = 0;

  if(!s->in_record && s->bom > 0)
    scan_begin_record(s);
  if(s->in_record) {
    if(s->odd)
      open = s->open_line;
    scan_push(s);
  }
  return open;
}

/* The line where record idx starts; past the scan (which should not
 * happen), one line per record after the last known. */
static long scan_line(const struct csv_scan *s, size_t idx)
{
  if(idx < s->n)
    return s->start[idx];
  return (s->n ? s->start[s->n - 1] : 0) + (long)(idx - s->n) + 1;
}

/* Scans a file through GDAL's VSI layer. Returns false if it cannot be
 * read (GDAL then could not read it either). */
static bool scan_file(struct csv_scan *s, const char *path)
{
  VSILFILE *fp = VSIFOpenL(path, "rb");
  unsigned char *chunk;
  size_t got;

  if(!fp)
    return false;
  chunk = tm_xmalloc(READ_CHUNK);
  do {
    got = VSIFReadL(chunk, 1, READ_CHUNK, fp);
    scan_bytes(s, chunk, got);
  } while(got == READ_CHUNK);
  free(chunk);
  VSIFCloseL(fp);
  return true;
}

/* ---- opening -------------------------------------------------------- */

/* What is opened: the user's file, or its UTF-8 copy in /vsimem/. */
struct source {
  char *open_path;       /* owned: what GDAL opens */
  char *scan_path;       /* owned: the bytes a CSV scan reads */
  char *mem_path;        /* owned: /vsimem/ copy to unlink, or NULL */
  struct buf mem;        /* its bytes (GDAL does not own them) */
  bool starts_blank;     /* the first line is empty */
  bool one_column;       /* no comma, semicolon or tab on the first line */
};

/* Looks at the start of the text (whole: all of it) for the two CSV
 * shapes GDAL 3.6 refuses without saying why. */
static void look_at_start(struct source *src, const char *p, size_t n,
                          bool whole)
{
  size_t i;

  if(n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
    p += 3;
    n -= 3;
  }
  src->starts_blank = n && (p[0] == '\n' || p[0] == '\r');
  for(i = 0; i < n && p[i] != '\n' && p[i] != '\r'; i++)
    if(p[i] == ',' || p[i] == ';' || p[i] == '\t')
      return;
  src->one_column = i < n || whole;
}

/* Config options set around a read, restored afterwards. */
struct saved_config {
  const char *key;
  char *old;             /* owned copy of the old value, or NULL */
  bool set;
};

static void config_set(struct saved_config *c, const char *key,
                       const char *value)
{
  const char *old = CPLGetThreadLocalConfigOption(key, NULL);

  c->key = key;
  c->old = old ? tm_xstrdup(old) : NULL;
  c->set = true;
  CPLSetThreadLocalConfigOption(key, value);
}

static void config_restore(struct saved_config *c)
{
  if(!c->set)
    return;
  CPLSetThreadLocalConfigOption(c->key, c->old);
  TM_FREEF(free, c->old);
  c->set = false;
}

static bool has_ext(const char *path, const char *ext)
{
  const char *slash = strrchr(path, '/');
  const char *dot = strrchr(path, '.');

  return dot && (!slash || dot > slash) && !tm_ascii_casecmp(dot + 1, ext);
}

static const char *file_type_name(mode_t m)
{
  if(S_ISFIFO(m))
    return "a named pipe";
  if(S_ISCHR(m) || S_ISBLK(m))
    return "a device";
  if(S_ISSOCK(m))
    return "a socket";
  return "not a regular file";
}

static void input_error(struct tm_problems *probs, const char *path,
                        const char *kind, const char *fix, const char *what)
{
  struct tm_where w = { path, 0 };

  tm_problem_error(probs, &w, kind, fix, "%s", what);
}

/* A unique /vsimem/ name for the UTF-8 copy of path, keeping its base
 * name (the layer name) and a CSV extension GDAL knows. */
static char *mem_name(const char *path)
{
  static atomic_uint counter;
  unsigned id = atomic_fetch_add(&counter, 1);
  const char *base = strrchr(path, '/');
  const char *dot;
  size_t n;

  base = base ? base + 1 : path;
  dot = strrchr(base, '.');
  n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
  return tm_xasprintf("/vsimem/trustmap-read-%u/%.*s.%s", id, (int)n, base,
                      has_ext(path, "tsv") ? "tsv" : "csv");
}

/* The separator of the first line, when it is the "not" sign the NHS
 * website's datasets use ("\xac" in Latin-1, "\xc2\xac" in UTF-8), and
 * no separator GDAL knows is there; else NULL. */
static const char *not_sign_separator(const char *p, size_t n)
{
  const char *sep = NULL;
  size_t i;

  if(n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
    p += 3;
    n -= 3;
  }
  for(i = 0; i < n && p[i] != '\n' && p[i] != '\r'; i++) {
    if(p[i] == ',' || p[i] == ';' || p[i] == '\t')
      return NULL;
    if(p[i] == '\xac' && !sep)
      sep = i && p[i - 1] == '\xc2' ? "\xc2\xac" : "\xac";
  }
  return sep;
}

/* Extensions of delimited text, the only files checked for the not
 * sign (a binary file may hold 0xAC anywhere). */
static bool text_ext(const char *path)
{
  return has_ext(path, "csv") || has_ext(path, "txt") ||
         has_ext(path, "tsv") || has_ext(path, "tab");
}

/* Rewrites unquoted sep-separated text as RFC 4180 CSV, line for line, so
 * line numbers do not change. */
static void reseparate(const char *p, size_t n, const char *sep,
                       struct buf *out)
{
  size_t seplen = strlen(sep), i = 0;
  bool in_field = false;

  while(i < n) {
    char c = p[i];

    if(c == '\r' || c == '\n') {
      if(in_field)
        buf_put(out, "\"", 1);
      in_field = false;
      buf_put(out, &c, 1);
      i++;
      continue;
    }
    if(!in_field) {
      buf_put(out, "\"", 1);
      in_field = true;
    }
    if(n - i >= seplen && !memcmp(p + i, sep, seplen)) {
      buf_put(out, "\",\"", 3);
      i += seplen;
      continue;
    }
    buf_put(out, c == '"' ? "\"\"" : &c, c == '"' ? 2 : 1);
    i++;
  }
  if(in_field)
    buf_put(out, "\"", 1);
  if(!out->p)
    buf_put(out, "", 0);
}

/* Reads a file that GDAL cannot read as it is (UTF-16, or separated by
 * the not sign) whole, and puts a UTF-8 / comma-separated copy with the
 * same lines in /vsimem/. */
static enum tm_rc memory_copy(const char *path, FILE *fp, bool utf16,
                              struct source *src, struct tm_problems *probs,
                              struct tm_error *err)
{
  struct buf raw = { 0 };
  unsigned char *chunk = tm_xmalloc(READ_CHUNK);
  struct tm_where w = { path, 0 };
  const char *sep;
  VSILFILE *mf;
  size_t got, bad = 0;

  rewind(fp);
  while((got = fread(chunk, 1, READ_CHUNK, fp)) > 0)
    buf_put(&raw, chunk, got);
  free(chunk);
  if(ferror(fp)) {
    free(raw.p);
    return tm_fail_errno(err, "%s: cannot read", path);
  }
  if(utf16) {
    struct buf text = { 0 };

    bad = utf16_to_utf8((const unsigned char *)raw.p, raw.n, &text);
    free(raw.p);
    raw = text;
  }
  sep = not_sign_separator(raw.p, raw.n);
  if(sep) {
    reseparate(raw.p, raw.n, sep, &src->mem);
    free(raw.p);
  }
  else
    src->mem = raw;

  src->mem_path = mem_name(path);
  mf = VSIFileFromMemBuffer(src->mem_path, (GByte *)src->mem.p,
                            (vsi_l_offset)src->mem.n, FALSE);
  if(!mf)
    return tm_fail(err, TM_SYSTEM, "%s: cannot make an in-memory copy",
                   path);
  VSIFCloseL(mf);
  src->open_path = tm_xstrdup(src->mem_path);
  src->scan_path = tm_xstrdup(src->mem_path);
  look_at_start(src, src->mem.p, src->mem.n, true);
  if(utf16)
    tm_problem_note(probs, &w, "converted-utf16",
                    "save the file as CSV UTF-8 to silence this",
                    "the file is UTF-16 text (Excel's \"Unicode text\"); "
                    "it was converted to UTF-8 to read it");
  if(bad)
    tm_problem_error(probs, &w, "bad-encoding",
                     "save the file again as CSV UTF-8",
                     "the UTF-16 text has %zu broken character%s (read "
                     "as \xef\xbf\xbd)", bad, bad == 1 ? "" : "s");
  return TM_OK;
}

/* Refuses what is not a readable regular file, without ever reading
 * from a pipe or device, and notices text GDAL cannot read as it is. */
static enum tm_rc check_file(const char *path, struct source *src,
                             struct tm_problems *probs,
                             struct tm_error *err)
{
  unsigned char head[4096];
  struct stat st;
  size_t got;
  FILE *fp;
  enum tm_rc rc = TM_OK;

  if(!strncmp(path, "/vsi", 4)) {
    VSIStatBufL vst;

    if(VSIStatExL(path, &vst, VSI_STAT_EXISTS_FLAG)) {
      input_error(probs, path, "cannot-open",
                  "check the path and the file name",
                  "cannot open: No such file or directory");
      return TM_INPUT;
    }
    src->open_path = tm_xstrdup(path);
    src->scan_path = tm_xstrdup(path);
    return TM_OK;
  }
  if(stat(path, &st)) {
    char *what = tm_xasprintf("cannot open: %s", strerror(errno));

    input_error(probs, path, "cannot-open",
                "check the path and the file name", what);
    free(what);
    return TM_INPUT;
  }
  if(S_ISDIR(st.st_mode)) {
    input_error(probs, path, "not-a-file",
                "give the path of a table file inside it",
                "is a directory, not a table file");
    return TM_INPUT;
  }
  if(!S_ISREG(st.st_mode)) {
    char *what = tm_xasprintf("is %s, not a table file",
                              file_type_name(st.st_mode));

    input_error(probs, path, "not-a-file",
                "give the path of a table file (CSV, XLSX...)", what);
    free(what);
    return TM_INPUT;
  }
  fp = fopen(path, "rb");
  if(!fp) {
    char *what = tm_xasprintf("cannot open: %s", strerror(errno));

    input_error(probs, path, "cannot-open",
                "check that the file can be read", what);
    free(what);
    return TM_INPUT;
  }
  got = fread(head, 1, sizeof(head), fp);
  if(!got) {
    if(ferror(fp))
      rc = tm_fail_errno(err, "%s: cannot read", path);
    else {
      input_error(probs, path, "empty-file",
                  "check that this is the file you meant",
                  "is empty");
      rc = TM_INPUT;
    }
  }
  else if(got >= 2 && ((head[0] == 0xff && head[1] == 0xfe) ||
                       (head[0] == 0xfe && head[1] == 0xff)))
    rc = memory_copy(path, fp, true, src, probs, err);
  else if(text_ext(path) && !memchr(head, 0, got) &&
          not_sign_separator((const char *)head, got))
    rc = memory_copy(path, fp, false, src, probs, err);
  else {
    src->open_path = tm_xstrdup(path);
    src->scan_path = tm_xstrdup(path);
    look_at_start(src, (const char *)head, got, got < sizeof(head));
  }
  fclose(fp);
  return rc;
}

static bool driver_has_open_option(GDALDriverH drv, const char *name)
{
  const char *list = GDALGetMetadataItem(drv, GDAL_DMD_OPENOPTIONLIST,
                                         NULL);
  char needle[64];

  snprintf(needle, sizeof(needle), "name=\"%s\"", name);
  return list && strstr(list, needle);
}

enum sheet_kind {
  SHEET_NONE,
  SHEET_XLSX,   /* and ODS: feature id = sheet row */
  SHEET_XLS     /* feature ids not verified: count rows */
};

/* What the open needs to know about one driver. */
struct open_plan {
  GDALDriverH drv;
  const char *name;        /* its short name */
  bool csv;
  enum sheet_kind sheet;
  const char *oo[8];       /* open options, NULL-terminated */
  char cfg_key[2][32];     /* config option names (cfg[] points here) */
  struct saved_config cfg[2];
};

static void plan_options(struct open_plan *p, const struct tm_read_opts *o)
{
  size_t k = 0;

  p->name = GDALGetDriverShortName(p->drv);
  p->csv = !strcmp(p->name, "CSV");
  if(p->csv) {
    p->oo[k++] = "AUTODETECT_TYPE=NO";
    p->oo[k++] = o->no_header ? "HEADERS=NO" : "HEADERS=YES";
  }
  else if(!strcmp(p->name, "XLSX") || !strcmp(p->name, "ODS") ||
          !strcmp(p->name, "XLS")) {
    p->sheet = strcmp(p->name, "XLS") ? SHEET_XLSX : SHEET_XLS;
    /* GDAL 3.6 takes these as config options (OGR_XLSX_HEADERS...);
     * from 3.8 also as open options. */
    snprintf(p->cfg_key[0], sizeof(p->cfg_key[0]), "OGR_%s_HEADERS",
             p->name);
    snprintf(p->cfg_key[1], sizeof(p->cfg_key[1]), "OGR_%s_FIELD_TYPES",
             p->name);
    config_set(&p->cfg[0], p->cfg_key[0],
               o->no_header ? "DISABLE" : "FORCE");
    config_set(&p->cfg[1], p->cfg_key[1], "STRING");
    if(driver_has_open_option(p->drv, "HEADERS"))
      p->oo[k++] = o->no_header ? "HEADERS=DISABLE" : "HEADERS=FORCE";
    if(driver_has_open_option(p->drv, "FIELD_TYPES"))
      p->oo[k++] = "FIELD_TYPES=STRING";
  }
  p->oo[k] = NULL;
}

static void plan_done(struct open_plan *p)
{
  config_restore(&p->cfg[1]);
  config_restore(&p->cfg[0]);
}

/* The message for a file GDAL will not open. */
static void not_a_table(const char *path, const struct source *src,
                        const struct open_plan *p,
                        const struct gdal_capture *cap,
                        struct tm_problems *probs)
{
  bool csv = p->csv || has_ext(src->open_path, "csv") ||
             has_ext(src->open_path, "tsv");
  char *what;

  if(csv && src->starts_blank) {
    input_error(probs, path, "not-a-table",
                "delete the blank lines above the header",
                "starts with a blank line, so GDAL cannot read the header");
    return;
  }
  if(csv && src->one_column) {
    input_error(probs, path, "not-a-table",
                "a table needs at least two columns; check the separator",
                "has a single column (no comma, semicolon or tab on line "
                "1), and GDAL cannot read a one-column CSV");
    return;
  }
  if(held_last(cap))
    what = tm_xasprintf("is not a table GDAL can read (%s): %s",
                        readable_kinds, held_last(cap));
  else
    what = tm_xasprintf("is not a table GDAL can read (%s)",
                        readable_kinds);
  input_error(probs, path, "not-a-table",
              "check the file type, or save it as CSV UTF-8", what);
  free(what);
}

/* Identifies the driver, then opens with that driver only, so the open
 * options meant for it are not offered to (and warned about by) others. */
static GDALDatasetH open_dataset(const char *path, struct source *src,
                                 const struct tm_read_opts *o,
                                 struct open_plan *p,
                                 struct gdal_capture *cap,
                                 struct tm_problems *probs)
{
  const char *allowed[2] = { NULL, NULL };
  GDALDatasetH ds;

  p->drv = GDALIdentifyDriverEx(src->open_path, GDAL_OF_VECTOR, NULL, NULL);
  /* Text files (Excel's "Text (Tab delimited)") need GDAL's CSV: prefix. */
  if(!p->drv && (has_ext(src->open_path, "txt") ||
                 has_ext(src->open_path, "tab"))) {
    char *prefixed = tm_xasprintf("CSV:%s", src->open_path);

    p->drv = GDALIdentifyDriverEx(prefixed, GDAL_OF_VECTOR, NULL, NULL);
    if(p->drv) {
      free(src->open_path);
      src->open_path = prefixed;
    }
    else
      free(prefixed);
  }
  if(!p->drv) {
    not_a_table(path, src, p, cap, probs);
    return NULL;
  }
  plan_options(p, o);
  allowed[0] = p->name;
  ds = GDALOpenEx(src->open_path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                  allowed, p->oo, NULL);
  if(!ds)
    not_a_table(path, src, p, cap, probs);
  return ds;
}

/* Lists the layer names for the "no layer named" message. */
static char *layer_list(GDALDatasetH ds, struct buf *scratch)
{
  struct buf b = { 0 };
  int i, n = GDALDatasetGetLayerCount(ds);

  for(i = 0; i < n && i < 20; i++) {
    const char *name = OGR_L_GetName(GDALDatasetGetLayer(ds, i));

    name = safe_text(scratch, name ? name : "");
    if(i)
      buf_put(&b, ", ", 2);
    buf_put(&b, name, strlen(name));
  }
  if(n > 20)
    buf_put(&b, ", ...", 5);
  if(!b.p)
    buf_put(&b, "", 0);
  return b.p;
}

static OGRLayerH pick_layer(const char *path, GDALDatasetH ds,
                            const struct tm_read_opts *o,
                            struct tm_problems *probs, struct buf *scratch)
{
  OGRLayerH lyr;

  if(GDALDatasetGetLayerCount(ds) < 1) {
    input_error(probs, path, "not-a-table",
                "check that this is the file you meant",
                "has no table in it (GDAL finds no layers)");
    return NULL;
  }
  if(!o->layer)
    return GDALDatasetGetLayer(ds, 0);
  lyr = GDALDatasetGetLayerByName(ds, o->layer);
  if(!lyr) {
    char *names = layer_list(ds, scratch);
    char *what = tm_xasprintf("has no layer named \"%s\" (layers: %s)",
                              o->layer, names);

    input_error(probs, path, "no-such-layer",
                "give one of the layer (sheet) names listed", what);
    free(what);
    free(names);
  }
  return lyr;
}

/* ---- geometry -------------------------------------------------------- */

static bool is_north_south(OGRAxisOrientation a)
{
  return a == OAO_North || a == OAO_South;
}

/* True when the layer's coordinates come northing (latitude) first, so
 * x and y must be swapped to give x = easting or longitude. Most drivers
 * already hand GIS order; this reads what the layer says it does. */
static bool data_is_yx(OGRSpatialReferenceH srs)
{
  OGRAxisOrientation a0 = OAO_Other, a1 = OAO_Other;
  const int *map;
  int count = 0;

  map = OSRGetDataAxisToSRSAxisMapping(srs, &count);
  if(!map || count < 2 || !map[0] || !map[1])
    return false;
  if(!OSRGetAxis(srs, NULL, abs(map[0]) - 1, &a0) ||
     !OSRGetAxis(srs, NULL, abs(map[1]) - 1, &a1))
    return false;
  return is_north_south(a0) && !is_north_south(a1);
}

/* "AUTH:CODE" when GDAL knows the authority, else WKT2; NULL on failure. */
static char *crs_name(OGRSpatialReferenceH srs)
{
  const char *const wkt_opts[] = { "FORMAT=WKT2_2019", NULL };
  OGRSpatialReferenceH clone;
  const char *auth, *code;
  char *name = NULL;
  char *wkt = NULL;

  auth = OSRGetAuthorityName(srs, NULL);
  code = OSRGetAuthorityCode(srs, NULL);
  if(auth && code)
    return tm_xasprintf("%s:%s", auth, code);
  clone = OSRClone(srs);
  if(!clone)
    tm_oom();
  if(OSRAutoIdentifyEPSG(clone) == OGRERR_NONE) {
    auth = OSRGetAuthorityName(clone, NULL);
    code = OSRGetAuthorityCode(clone, NULL);
    if(auth && code)
      name = tm_xasprintf("%s:%s", auth, code);
  }
  if(!name && OSRExportToWktEx(srs, &wkt, wkt_opts) == OGRERR_NONE && wkt)
    name = tm_xstrdup(wkt);
  CPLFree(wkt);
  OSRDestroySpatialReference(clone);
  return name;
}

/* ---- reading rows --------------------------------------------------- */

struct reader {
  const char *path;
  struct tm_table *t;
  struct tm_problems *probs;
  struct buf scratch;         /* one conversion at a time */
  size_t cells_cap, rows_cap, has_xy_cap, gx_cap, gy_cap;
};

/* Keeps a GDAL string as valid UTF-8 in the pool. Text that is not UTF-8
 * is read as Windows-1252 (and counted); text that is neither sets *bad
 * to its first undecodable byte and gives "". */
static const char *keep_text(struct reader *r, const char *s, long row,
                             unsigned *bad)
{
  size_t n = strlen(s);
  unsigned b;

  if(!n)
    return "";
  if(tm_utf8_valid(s, n))
    return tm_strpool_addn(r->t->pool, s, n);
  r->scratch.n = 0;
  b = cp1252_decode(&r->scratch, s, n);
  if(b) {
    *bad = b;
    return "";
  }
  if(!r->t->n_converted++)
    r->t->first_converted_row = row;
  return tm_strpool_addn(r->t->pool, r->scratch.p, r->scratch.n);
}

/* A UTF-8 byte order mark is not part of the first name or value. */
static const char *skip_bom(const char *s)
{
  return strncmp(s, "\xef\xbb\xbf", 3) ? s : s + 3;
}

static void bad_encoding(struct reader *r, long row, const char *col,
                         unsigned byte, size_t more)
{
  struct tm_where w = { r->path, row };
  char extra[64] = "";

  if(more)
    snprintf(extra, sizeof(extra), " (and %zu more in this row)", more);
  tm_problem_error(r->probs, &w, "bad-encoding", encoding_fix,
                   "column \"%s\" is neither UTF-8 nor Windows-1252 text "
                   "(byte 0x%02X), so it was read as empty%s", col, byte,
                   extra);
}

static void read_names(struct reader *r, OGRFeatureDefnH defn,
                       long header_row)
{
  struct tm_table *t = r->t;
  unsigned first_bad = 0;
  size_t i, nbad = 0;
  char pos[32] = "";

  t->colnames = tm_xcalloc(t->ncols, sizeof(t->colnames[0]));
  for(i = 0; i < t->ncols; i++) {
    OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, (int)i);
    const char *name = OGR_Fld_GetNameRef(fd);
    unsigned bad = 0;

    name = name ? name : "";
    if(!i)
      name = skip_bom(name);
    t->colnames[i] = keep_text(r, name, header_row, &bad);
    if(bad && !nbad++) {
      first_bad = bad;
      snprintf(pos, sizeof(pos), "#%zu", i + 1);
    }
  }
  if(nbad) {
    struct tm_where w = { r->path, header_row };

    tm_problem_error(r->probs, &w, "bad-encoding", encoding_fix,
                     "column name %s is neither UTF-8 nor Windows-1252 "
                     "text (byte 0x%02X), so it was read as empty%s",
                     pos, first_bad, nbad > 1 ? " (and more)" : "");
  }
}

/* Appends one feature as a row. */
static void add_row(struct reader *r, OGRFeatureH f, long row, bool swap_xy)
{
  struct tm_table *t = r->t;
  const char **cells;
  size_t i, k = t->nrows;
  unsigned first_bad = 0;
  size_t nbad = 0, bad_col = 0;

  if(t->ncols && k + 1 > SIZE_MAX / t->ncols)
    tm_oom();
  tm_xgrow((void **)&t->cells, &r->cells_cap, (k + 1) * t->ncols,
           sizeof(t->cells[0]));
  tm_xgrow((void **)&t->rownum, &r->rows_cap, k + 1, sizeof(t->rownum[0]));
  cells = t->cells + k * t->ncols;
  for(i = 0; i < t->ncols; i++) {
    const char *s = "";
    unsigned bad = 0;

    if(OGR_F_IsFieldSetAndNotNull(f, (int)i))
      s = OGR_F_GetFieldAsString(f, (int)i);
    if(!s)
      s = "";
    if(!k && !i)
      s = skip_bom(s);
    cells[i] = keep_text(r, s, row, &bad);
    if(bad && !nbad++) {
      first_bad = bad;
      bad_col = i;
    }
  }
  if(nbad)
    bad_encoding(r, row, t->colnames[bad_col][0] ? t->colnames[bad_col] :
                 "(unnamed)", first_bad, nbad - 1);
  t->rownum[k] = row;

  if(t->has_geometry) {
    OGRGeometryH g = OGR_F_GetGeometryRef(f);

    tm_xgrow((void **)&t->has_xy, &r->has_xy_cap, k + 1,
             sizeof(t->has_xy[0]));
    tm_xgrow((void **)&t->gx, &r->gx_cap, k + 1, sizeof(t->gx[0]));
    tm_xgrow((void **)&t->gy, &r->gy_cap, k + 1, sizeof(t->gy[0]));
    t->has_xy[k] = false;
    t->gx[k] = t->gy[k] = 0;
    if(g && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint &&
       !OGR_G_IsEmpty(g)) {
      double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0);

      if(isfinite(x) && isfinite(y)) {
        t->gx[k] = swap_xy ? y : x;
        t->gy[k] = swap_xy ? x : y;
        t->has_xy[k] = true;
      }
    }
  }
  t->nrows = k + 1;
}

/* True when every column has the name GDAL gives a sheet column whose
 * header cell is empty: then row 1 was not the header. */
static bool all_auto_named(const struct tm_table *t)
{
  size_t i;

  for(i = 0; i < t->ncols; i++) {
    char want[32];

    snprintf(want, sizeof(want), "Field%zu", i + 1);
    if(strcmp(t->colnames[i], want))
      return false;
  }
  return t->ncols > 0;
}

/* Numbers rows as read.h says; see the top of this file for why. */
struct row_counter {
  const struct csv_scan *scan;   /* CSV: record start lines */
  enum sheet_kind sheet;
  bool header;
  size_t index;                  /* features read so far */
  long last;                     /* the last row given */
};

/* The row the next feature will most likely be, for GDAL's messages. */
static long rows_predict(const struct row_counter *rc)
{
  if(rc->scan)
    return scan_line(rc->scan, rc->index + (rc->header ? 1 : 0));
  return rc->last + 1;
}

static long rows_next(struct row_counter *rc, OGRFeatureH f)
{
  long row = rows_predict(rc);

  if(rc->sheet == SHEET_XLSX) {
    GIntBig fid = OGR_F_GetFID(f);

    if(fid != OGRNullFID && fid > rc->last && fid <= LONG_MAX)
      row = (long)fid;
  }
  rc->index++;
  rc->last = row;
  return row;
}

static void read_rows(struct reader *r, OGRLayerH lyr,
                      struct row_counter *rc, struct gdal_capture *cap,
                      bool swap_xy)
{
  OGRFeatureH f;

  OGR_L_ResetReading(lyr);
  for(;;) {
    long row;

    cap->where.row = rows_predict(rc);
    cap->holding = true;
    f = OGR_L_GetNextFeature(lyr);
    cap->holding = false;
    if(!f)
      break;
    row = rows_next(rc, f);
    cap->where.row = row;
    held_to_notes(cap);
    add_row(r, f, row, swap_xy);
    OGR_F_Destroy(f);
  }
  /* A failure in the call that ended the layer means GDAL gave up. */
  if(held_last(cap))
    tm_problem_error(cap->probs, &cap->where, "read-failed",
                     "open the file in the program that made it and save "
                     "it again",
                     "GDAL stopped reading here, so the rows after this "
                     "one are missing: %s", held_last(cap));
  held_free(cap);
  cap->where.row = 0;
}

/* Fills a new table from the layer. */
static struct tm_table *read_layer(const char *path, OGRLayerH lyr,
                                   const struct open_plan *p,
                                   const struct csv_scan *scan,
                                   const struct tm_read_opts *o,
                                   struct gdal_capture *cap,
                                   struct tm_problems *probs)
{
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
  struct reader r = { 0 };
  struct row_counter rc = { 0 };
  struct tm_table *t;
  bool swap_xy = false;
  const char *name;
  long header_row = 0;

  t = tm_xcalloc(1, sizeof(*t));
  t->path = path;
  t->pool = tm_strpool_new();
  t->driver = tm_xstrdup(p->name);
  name = OGR_L_GetName(lyr);
  t->layer = tm_xstrdup(safe_text(&r.scratch, name ? name : ""));
  r.path = path;
  r.t = t;
  r.probs = probs;

  rc.scan = scan;
  rc.sheet = p->sheet;
  rc.header = !o->no_header && (p->csv || p->sheet != SHEET_NONE);
  if(rc.header) {
    header_row = scan ? scan_line(scan, 0) : 1;
    rc.last = header_row;
  }

  t->ncols = (size_t)OGR_FD_GetFieldCount(defn);
  read_names(&r, defn, header_row);
  if(rc.header && p->sheet != SHEET_NONE && all_auto_named(t)) {
    struct tm_where w = { path, 1 };

    tm_problem_note(probs, &w, "no-header-row",
                    "delete the rows above the header, or read the sheet "
                    "with --no-header and name columns by number (#1...)",
                    "row 1 of the sheet has no column names (GDAL calls "
                    "them Field1, Field2...): the header must be on row 1");
  }

  if(OGR_FD_GetGeomFieldCount(defn) > 0) {
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);

    t->has_geometry = true;
    if(srs) {
      t->geometry_crs = crs_name(srs);
      swap_xy = data_is_yx(srs);
    }
  }

  read_rows(&r, lyr, &rc, cap, swap_xy);
  if(t->n_converted) {
    struct tm_where w = { path, t->first_converted_row };

    tm_problem_note(probs, &w, "converted-cp1252", utf8_fix,
                    "%zu value%s not UTF-8 and %s read as Windows-1252 "
                    "(first at row %ld)", t->n_converted,
                    t->n_converted == 1 ? " was" : "s were",
                    t->n_converted == 1 ? "was" : "were",
                    t->first_converted_row);
  }
  free(r.scratch.p);
  return t;
}

/* ---- public --------------------------------------------------------- */

enum tm_rc tm_read_table(const char *path, const struct tm_read_opts *o,
                         struct tm_problems *probs, struct tm_error *err,
                         struct tm_table **out)
{
  static const struct tm_read_opts defaults = { false, NULL };
  struct gdal_capture cap = { 0 };
  struct source src = { 0 };
  struct open_plan plan = { 0 };
  struct csv_scan scan;
  bool scanned = false;
  GDALDatasetH ds = NULL;
  OGRLayerH lyr;
  enum tm_rc rc;

  if(!o)
    o = &defaults;
  scan_init(&scan);
  cap.probs = probs;
  cap.where.path = path;
  CPLPushErrorHandlerEx(on_gdal_message, &cap);
  pthread_once(&register_once, register_drivers);

  cap.holding = true;
  rc = check_file(path, &src, probs, err);
  if(rc)
    goto done;
  ds = open_dataset(path, &src, o, &plan, &cap, probs);
  if(!ds) {
    rc = TM_INPUT;
    goto done;
  }
  cap.holding = false;
  held_to_notes(&cap);
  lyr = pick_layer(path, ds, o, probs, &cap.scratch);
  if(!lyr) {
    rc = TM_INPUT;
    goto done;
  }
  if(plan.csv) {
    long open;

    if(!scan_file(&scan, src.scan_path)) {
      rc = tm_fail(err, TM_SYSTEM, "%s: cannot read it again to count "
                   "lines", path);
      goto done;
    }
    scanned = true;
    open = scan_finish(&scan);
    if(scan.nul_line) {
      struct tm_where w = { path, scan.nul_line };
      char more[64] = "";

      if(scan.nul_lines > 1)
        snprintf(more, sizeof(more), " (and on %zu more line%s)",
                 scan.nul_lines - 1, scan.nul_lines == 2 ? "" : "s");
      tm_problem_error(probs, &w, "nul-byte",
                       "delete the NUL character, or save the file again "
                       "as CSV UTF-8 (NULs mean it is not plain text)",
                       "a NUL byte (character 0) hides the rest of the "
                       "line from GDAL, so values after it were lost%s",
                       more);
    }
    if(open) {
      struct tm_where w = { path, open };

      tm_problem_error(probs, &w, "unterminated-quote",
                       "close the quote, or double any quote inside a "
                       "quoted field",
                       "unterminated quote: a field opened with \" at "
                       "line %ld never closes, so every row after it "
                       "would be lost", open);
    }
  }
  *out = read_layer(path, lyr, &plan, scanned ? &scan : NULL, o, &cap,
                    probs);
  rc = TM_OK;

done:
  if(ds)
    GDALClose(ds);
  plan_done(&plan);
  if(src.mem_path)
    VSIUnlink(src.mem_path);
  free(src.mem.p);
  free(src.mem_path);
  free(src.open_path);
  free(src.scan_path);
  free(scan.start);
  capture_done(&cap);
  CPLPopErrorHandler();
  CPLErrorReset();
  return rc;
}
