/* support.c - what several unit tests share (see support.h).
 *
 * nftw() passes no user data to its callback, so the folder listing is
 * built in file-level variables; support_list_files() hands the list over
 * and starts afresh on the next call. The tests run one at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "encode.h"
#include "support.h"
#include "tileplan.h"
#include "util.h"

/* In support_three_pins(): text that JSON and CSV must escape or quote,
 * and a hospital emoji with a right-to-left mark. */
#define RXH_NAME "Brighton \"Royal\" \\ Sussex\x01\t"
#define RXH_NOTES "=HYPERLINK(\"http://x\",\"click\")"
#define RXH01_NAME "Royal Sussex County \xf0\x9f\x8f\xa5\xe2\x80\x8f"

/* Arrays, not literals: a style's labels are not const. */
static char label0[] = "Hospital Trust is collecting data";
static char label1[] = "Hospital Trust is partially collecting data";
static char label2[] = "Hospital Trust is not collecting data";
static char label3[] = "No response received";

static char **found;
static size_t nfound, found_cap, root_len;

static int collect(const char *path, const struct stat *sb, int type,
                   struct FTW *ftw)
{
  (void)sb;
  (void)ftw;
  if(type == FTW_F) {
    tm_xgrow((void **)&found, &found_cap, nfound + 1, sizeof(*found));
    found[nfound++] = tm_xstrdup(path + root_len);
  }
  return 0;
}

struct tm_style *support_style_parse(const char *json)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;
  enum tm_rc rc;

  rc = tm_style_parse(json, strlen(json), "test.json", &probs, &st);
  tm_problems_clear(&probs);
  return rc == TM_OK ? st : NULL;
}

struct tm_style *support_style_from(const char *json,
                                    struct tm_problems *probs)
{
  struct tm_problems own = { 0 };
  struct tm_style *st = NULL;

  assert_int_equal(tm_style_parse(json, strlen(json), "test.json",
                                  probs ? probs : &own, &st), TM_OK);
  tm_problems_clear(&own);
  return st;
}

struct tm_style support_text_style(void)
{
  static const struct {
    enum tm_status status;
    char *label;
    const char *colour;
    enum tm_glyph glyph;
  } v[] = {
    { TM_STATUS_COLLECTING, label0, "#1a9641", TM_GLYPH_TICK },
    { TM_STATUS_PARTIAL, label1, "#fdae61", TM_GLYPH_HALF },
    { TM_STATUS_NOT_COLLECTING, label2, "#d7191c", TM_GLYPH_CROSS },
    { TM_STATUS_NO_RESPONSE, label3, "#808080", TM_GLYPH_QUESTION },
  };
  struct tm_style st;
  size_t i;

  memset(&st, 0, sizeof(st));
  for(i = 0; i < TM_ARRAY_LEN(v); i++) {
    struct tm_status_style *s = &st.status[v[i].status];

    s->label = v[i].label;
    strcpy(s->colour, v[i].colour);
    s->glyph = v[i].glyph;
  }
  return st;
}

struct tm_pin *support_add_named_pin(struct tm_pins *pins, const char *code,
                                     const char *name,
                                     const char *trust_code,
                                     const char *trust_name, double lon,
                                     double lat)
{
  struct tm_pin *p = tm_pins_add(pins);

  p->code = tm_strpool_add(pins->pool, code);
  p->name = tm_strpool_add(pins->pool, name);
  p->trust_code = tm_strpool_add(pins->pool, trust_code);
  p->trust_name = tm_strpool_add(pins->pool, trust_name);
  p->nation = TM_NATION_ENGLAND;
  p->status = TM_STATUS_COLLECTING;
  p->lon = lon;
  p->lat = lat;
  return p;
}

struct tm_pins *support_three_pins(void)
{
  struct tm_pins *pins = tm_pins_new();
  struct tm_pin *p;

  pins->round = tm_strpool_add(pins->pool, "2025-09");
  p = support_add_named_pin(pins, "7A1", "Ysbyty Gwynedd", "7A1",
                            "Betsi Cadwaladr University Health Board",
                            -4.16012549, 53.2090001);
  p->nation = TM_NATION_WALES;
  p->status = TM_STATUS_NO_RESPONSE;
  p = support_add_named_pin(pins, "RXH", RXH_NAME, "RXH",
                            "University Hospitals Sussex", -0.1278004,
                            51.5073509);
  p->notes = tm_strpool_add(pins->pool, RXH_NOTES);
  /* -0.0000004 rounds to -0, which must print as 0 */
  p = support_add_named_pin(pins, "RXH01", RXH01_NAME, "RXH",
                            "University Hospitals Sussex", -0.0000004, 50.8);
  p->is_site = true;
  p->status = TM_STATUS_PARTIAL;
  p->notes = tm_strpool_add(pins->pool, "line1\nline2");
  return pins;
}

struct tm_table *support_table_new(const char *path, size_t ncols,
                                   const char *const *v, size_t nv)
{
  struct tm_table *t = tm_xcalloc(1, sizeof(*t));
  size_t i;

  assert_int_equal(nv % ncols, 0);
  t->path = path;
  t->pool = tm_strpool_new();
  t->ncols = ncols;
  t->nrows = nv / ncols - 1;
  t->colnames = tm_xcalloc(ncols, sizeof(*t->colnames));
  for(i = 0; i < ncols; i++)
    t->colnames[i] = tm_strpool_add(t->pool, v[i]);
  t->cells = tm_xcalloc(t->nrows * ncols + 1, sizeof(*t->cells));
  for(i = 0; i < t->nrows * ncols; i++)
    t->cells[i] = tm_strpool_add(t->pool, v[ncols + i]);
  t->rownum = tm_xcalloc(t->nrows + 1, sizeof(*t->rownum));
  for(i = 0; i < t->nrows; i++)
    t->rownum[i] = (long)i + 2;
  return t;
}

void support_print_problems(const struct tm_problems *probs)
{
  size_t i;

  for(i = 0; i < probs->n; i++) {
    char *s = tm_problem_format(&probs->v[i]);

    print_message("  [%s] %s", probs->v[i].kind, s);
    free(s);
  }
}

void support_expect_problems(const struct tm_problems *probs, size_t n)
{
  if(probs->n != n) {
    support_print_problems(probs);
    fail_msg("%zu problems, expected %zu", probs->n, n);
  }
}

const struct tm_problem *support_problem_on(const struct tm_problems *probs,
                                            const char *path, long row)
{
  const struct tm_problem *hit = NULL;
  size_t i;

  for(i = 0; i < probs->n; i++) {
    if(probs->v[i].where.row != row || strcmp(probs->v[i].where.path, path))
      continue;
    if(hit) {
      support_print_problems(probs);
      fail_msg("more than one problem on %s:%ld", path, row);
    }
    hit = &probs->v[i];
  }
  if(!hit) {
    support_print_problems(probs);
    fail_msg("no problem on %s:%ld", path, row);
  }
  return hit;
}

int support_remove_tree(const char *dir)
{
  char *cmd = tm_xasprintf("rm -rf '%s'", dir);
  int rc = system(cmd);

  free(cmd);
  return rc == 0 ? 0 : -1;
}

void support_add_pin(struct tm_pins *pins, const char *code, double mx,
                     double my, enum tm_status s)
{
  struct tm_pin *p = tm_pins_add(pins);

  p->code = p->trust_code = p->name = tm_strpool_add(pins->pool, code);
  p->trust_name = p->nation = p->notes = "";
  p->status = s;
  p->mx = mx;
  p->my = my;
  tm_merc_to_lonlat(mx, my, &p->lon, &p->lat);
}

void support_add_pin_px(struct tm_pins *pins, const char *code, int z,
                        double px, double py, enum tm_status s)
{
  double mx, my;

  tm_px_to_merc(px, py, z, &mx, &my);
  support_add_pin(pins, code, mx, my, s);
}

void support_add_pin_ll(struct tm_pins *pins, const char *code, double lon,
                        double lat, enum tm_status s)
{
  double mx, my;

  tm_merc_from_lonlat(lon, lat, &mx, &my);
  support_add_pin(pins, code, mx, my, s);
}

void support_add_uk_pins(struct tm_pins *pins)
{
  static const double towns[][2] = {
    { -2.2426, 53.4808 }, { -1.8904, 52.4862 }, { -4.2518, 55.8642 },
    { -3.1883, 55.9533 }, { -5.9301, 54.5973 }, { -2.5879, 51.4545 },
    { 1.2974, 52.6309 }, { -1.5491, 53.8008 }, { -1.6178, 54.9783 },
    { -3.1791, 51.4816 }, { -4.1427, 50.3755 }, { -2.0943, 57.1497 },
    { -4.2247, 57.4778 }, { -1.4701, 53.3811 }, { -1.1581, 52.9548 },
    { 0.1218, 52.2053 }, { -1.2577, 51.7520 }, { -0.3963, 51.6565 },
    /* west of London, in the golden tile 8/127/85 */
    { -0.9781, 51.4543 }, { -0.5950, 51.5105 }, { -1.3230, 51.4014 },
    { -1.2406, 51.6080 },
  };
  static const double london[][2] = {
    { -0.1278, 51.5074 }, { -0.1180, 51.4980 }, { -0.0950, 51.5180 },
    { -0.1400, 51.5240 }, { -0.1550, 51.5010 }, { -0.1010, 51.4960 },
    { -0.1330, 51.5170 }, { -0.0890, 51.5050 }, { -0.1120, 51.5200 },
    { -0.1460, 51.4930 }, { -0.1050, 51.5110 }, { -0.1240, 51.4900 },
  };
  char code[32];
  size_t i;

  for(i = 0; i < TM_ARRAY_LEN(towns); i++) {
    snprintf(code, sizeof(code), "T%02zu", i);
    support_add_pin_ll(pins, code, towns[i][0], towns[i][1],
                       (enum tm_status)(i % TM_STATUS_COUNT));
  }
  for(i = 0; i < TM_ARRAY_LEN(london); i++) {
    snprintf(code, sizeof(code), "L%02zu", i);
    support_add_pin_ll(pins, code, london[i][0], london[i][1],
                       (enum tm_status)(i * 3 % TM_STATUS_COUNT));
  }
}

uint64_t support_next_rand(uint64_t *s)
{
  *s = *s * 6364136223846793005u + 1442695040888963407u;
  return *s >> 33;
}

int support_str_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

char **support_list_files(const char *dir, const char *under, size_t *n)
{
  char *root = tm_xasprintf("%s%s", dir, under);

  found = NULL;
  nfound = found_cap = 0;
  root_len = strlen(dir);
  assert_int_equal(nftw(root, collect, 16, FTW_PHYS), 0);
  free(root);
  if(nfound > 1)
    qsort(found, nfound, sizeof(*found), support_str_cmp);
  *n = nfound;
  return found;
}

void support_free_list(char **v, size_t n)
{
  while(n)
    free(v[--n]);
  free(v);
}

unsigned char *support_slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  unsigned char *buf;
  long n;

  if(!f)
    fail_msg("cannot open %s", path);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = tm_xmalloc((size_t)n + 1);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return buf;
}

void support_assert_same_file(const char *a, const char *b)
{
  size_t sa, sb;
  unsigned char *da = support_slurp(a, &sa);
  unsigned char *db = support_slurp(b, &sb);

  if(sa != sb || memcmp(da, db, sa))
    fail_msg("%s and %s differ", a, b);
  free(da);
  free(db);
}

void support_assert_same_trees(const char *a, const char *b)
{
  size_t na, nb, i;
  char **la = support_list_files(a, "", &na);
  char **lb = support_list_files(b, "", &nb);

  assert_int_equal(na, nb);
  for(i = 0; i < na; i++) {
    char *pa = tm_xasprintf("%s%s", a, la[i]);
    char *pb = tm_xasprintf("%s%s", b, lb[i]);

    assert_string_equal(la[i], lb[i]);
    support_assert_same_file(pa, pb);
    free(pa);
    free(pb);
  }
  support_free_list(la, na);
  support_free_list(lb, nb);
}

void support_check_golden(const char *made, const char *name)
{
  char *path = tm_xasprintf("fixtures/tiles-golden-%s", name);
  const char *update = getenv("TM_UPDATE_GOLDENS");
  struct tm_error err = { 0 };
  struct tm_rgba a, b;
  int i, off = 0, worst = 0;

  if(update && *update) {
    size_t len;
    unsigned char *bytes = support_slurp(made, &len);

    if(tm_encode_save(path, bytes, len, &err))
      fail_msg("%s", err.msg);
    free(bytes);
    print_message("wrote %s: look at it before committing it\n", path);
  }
  if(tm_png_read(made, &a, &err) || tm_png_read(path, &b, &err))
    fail_msg("%s", err.msg);
  assert_int_equal(a.width, b.width);
  assert_int_equal(a.height, b.height);
  for(i = 0; i < a.width * a.height; i++) {
    const unsigned char *p = a.px + 4 * i, *q = b.px + 4 * i;
    int k, diff = 0;

    for(k = 0; k < 4; k++) {
      int x = k < 3 ? (p[k] * p[3] + 127) / 255 : p[3];
      int y = k < 3 ? (q[k] * q[3] + 127) / 255 : q[3];

      if(abs(x - y) > diff)
        diff = abs(x - y);
    }
    if(diff > worst)
      worst = diff;
    if(diff)
      off++;
  }
  if(worst > 2 || off > a.width * a.height / 1000)
    fail_msg("%s: %d pixels differ, by up to %d", path, off, worst);
  free(a.px);
  free(b.px);
  free(path);
}
