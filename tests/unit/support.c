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
