/* test_shard.c - shard.c and the shard paths of tiles.c: the partition
 * puts every tile in exactly one shard, in contiguous runs, each shard's
 * cost within one tile's cost of total / N, the same on every run; the
 * build digest follows what the tiles are drawn from and nothing else;
 * shard.json round-trips and a merge refuses missing, repeated, mixed
 * and foreign folders with the folder and the fix in the message. On 34
 * UK pins plus a cluster that leaves a blank tile, N shards written by
 * tm_tiles_write are disjoint, together hold every tile of a one-machine
 * run byte for byte (whatever the job count), and merging them gives that
 * run's files exactly; a merge missing a tile names it and its shard.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shard.h"
#include "style.h"
#include "support.h"
#include "tileplan.h"
#include "tiles.h"

#define MAXZ 9
#define NSHARDS 3

static char tmpdir[] = "/tmp/tm-test-shard-XXXXXX";
static struct tm_style *style;
static struct tm_pins *pins;

/* ---- helpers ---------------------------------------------------------- */

static char *sub(const char *name)
{
  return tm_xasprintf("%s/%s", tmpdir, name);
}

/* 22 towns over the UK, 12 hospitals in central London (a cluster up to
 * z8), and two pins 3 px apart at z6 whose cluster symbol's box reaches
 * into a tile its ring leaves blank (6/20/20). */
static struct tm_pins *test_pins(void)
{
  struct tm_pins *p = tm_pins_new();
  double mx, my;

  support_add_uk_pins(p);
  tm_px_to_merc(5100, 5100, 6, &mx, &my);
  support_add_pin(p, "BA", mx, my, TM_STATUS_COLLECTING);
  tm_px_to_merc(5103, 5100, 6, &mx, &my);
  support_add_pin(p, "BB", mx, my, TM_STATUS_PARTIAL);
  tm_pins_sort(p);
  return p;
}

static size_t count_lines(const char *path, const char *with)
{
  size_t len, n = 0;
  unsigned char *text = support_slurp(path, &len);
  char *line = (char *)text, *end;

  for(; *line; line = end + 1) {
    end = strchr(line, '\n');
    if(!end)
      break;
    *end = '\0';
    if(!with || strstr(line, with))
      n++;
  }
  free(text);
  return n;
}

static enum tm_rc write_tiles(const struct tm_tiles_opts *o, const char *dir,
                              struct tm_tiles_summary *sum,
                              struct tm_error *err)
{
  memset(err, 0, sizeof(*err));
  return tm_tiles_write(pins, style, o, dir, sum, err);
}

static void expect_usage(enum tm_rc rc, const struct tm_error *err,
                         const char *part1, const char *part2)
{
  assert_int_equal(rc, TM_USAGE);
  if(!strstr(err->msg, part1))
    fail_msg("message \"%s\" lacks \"%s\"", err->msg, part1);
  if(part2 && !strstr(err->msg, part2))
    fail_msg("message \"%s\" lacks \"%s\"", err->msg, part2);
}

/* ---- the partition ---------------------------------------------------- */

static void owner_should_cut_equal_costs_evenly(void **state)
{
  static const int four[8] = { 1, 1, 2, 2, 3, 3, 4, 4 };
  uint64_t before = 0;
  int i;

  (void)state;
  for(i = 0; i < 8; i++) {
    assert_int_equal(tm_shard_owner(before, 10, 80, 4), four[i]);
    before += 10;
  }
  /* Fewer tiles than shards: each tile goes where its middle is, and some
   * shards are empty (that is allowed: they hold no tile). */
  assert_int_equal(tm_shard_owner(0, 10, 30, 4), 1);
  assert_int_equal(tm_shard_owner(10, 10, 30, 4), 3);
  assert_int_equal(tm_shard_owner(20, 10, 30, 4), 4);
  assert_int_equal(tm_shard_owner(0, 0, 0, 4), 1);
  assert_int_equal(tm_shard_owner(5, 10, 80, 1), 1);
}

static void partition_should_be_complete_contiguous_and_balanced(void **st)
{
  static const size_t sizes[] = { 1, 2, 5, 37, 1000, 20000 };
  static const int shards[] = { 1, 2, 3, 4, 7, 16, 64, TM_SHARD_MAX };
  uint64_t seed = 42;
  size_t si, i;
  int ni;

  (void)st;
  for(si = 0; si < TM_ARRAY_LEN(sizes); si++) {
    size_t n = sizes[si];
    uint64_t *cost = tm_xcalloc(n, sizeof(*cost));
    int *owner = tm_xcalloc(n, sizeof(*owner));
    uint64_t total = 0, cmax = 0;

    /* Costs as tiles have them: mostly a few pins, some very busy. */
    for(i = 0; i < n; i++) {
      uint64_t pinsn = support_next_rand(&seed) % 8 == 0
                         ? support_next_rand(&seed) % 500
                         : support_next_rand(&seed) % 6;

      cost[i] = tm_shard_tile_cost(pinsn, support_next_rand(&seed) % 3);
      total += cost[i];
      if(cost[i] > cmax)
        cmax = cost[i];
    }
    for(ni = 0; ni < (int)TM_ARRAY_LEN(shards); ni++) {
      int nsh = shards[ni];
      uint64_t *sum = tm_xcalloc((size_t)nsh, sizeof(*sum));
      uint64_t before = 0;
      int k;

      for(i = 0; i < n; i++) {
        owner[i] = tm_shard_owner(before, cost[i], total, nsh);
        before += cost[i];
        /* Complete and disjoint: exactly one shard, 1..N, per tile. */
        assert_in_range(owner[i], 1, nsh);
        /* Contiguous: one run of tiles per shard, in plan order. */
        if(i)
          assert_true(owner[i] >= owner[i - 1]);
        sum[owner[i] - 1] += cost[i];
      }
      /* Balanced: |shard's cost - total / N| <= the costliest tile. */
      for(k = 0; k < nsh; k++) {
        uint64_t a = sum[k] * (uint64_t)nsh, b = total;
        uint64_t diff = a > b ? a - b : b - a;

        if(diff > cmax * (uint64_t)nsh)
          fail_msg("%zu tiles, %d shards: shard %d costs %llu, total / N "
                   "is %llu, the costliest tile %llu", n, nsh, k + 1,
                   (unsigned long long)sum[k],
                   (unsigned long long)(total / (uint64_t)nsh),
                   (unsigned long long)cmax);
      }
      /* Deterministic: the same answer when asked again, back to front. */
      for(i = n; i-- > 0;) {
        before -= cost[i];
        assert_int_equal(tm_shard_owner(before, cost[i], total, nsh),
                         owner[i]);
      }
      free(sum);
    }
    free(owner);
    free(cost);
  }
}

static void tile_cost_should_grow_with_what_is_drawn(void **state)
{
  (void)state;
  assert_true(tm_shard_tile_cost(0, 0) > 0);
  assert_true(tm_shard_tile_cost(1, 0) > tm_shard_tile_cost(0, 0));
  assert_true(tm_shard_tile_cost(0, 1) > tm_shard_tile_cost(1, 0));
  assert_true(tm_shard_tile_cost(100, 0) > tm_shard_tile_cost(10, 0));
}

/* ---- the build digest ------------------------------------------------- */

static void digest(const struct tm_pins *p, int minz, int maxz, bool retina,
                   char hex[65])
{
  struct tm_error err = { 0 };

  if(tm_shard_digest(p, style, minz, maxz, retina, hex, &err))
    fail_msg("%s", err.msg);
  assert_int_equal(strlen(hex), 64);
}

static void digest_should_follow_what_the_tiles_are_drawn_from(void **st)
{
  struct tm_pins *p = test_pins();
  char a[65], b[65];
  double mx;

  (void)st;
  digest(pins, 0, MAXZ, true, a);
  digest(p, 0, MAXZ, true, b);
  assert_string_equal(a, b);
  /* Names and notes are not drawn: the tiles and the digest stay. */
  p->v[0].name = "Another name";
  p->v[0].notes = "Some notes";
  digest(p, 0, MAXZ, true, b);
  assert_string_equal(a, b);
  /* Zooms, @2x, a status or the smallest move of a pin change tiles. */
  digest(p, 0, MAXZ - 1, true, b);
  assert_string_not_equal(a, b);
  digest(p, 0, MAXZ, false, b);
  assert_string_not_equal(a, b);
  p->v[3].status = (p->v[3].status + 1) % TM_STATUS_COUNT;
  digest(p, 0, MAXZ, true, b);
  assert_string_not_equal(a, b);
  p->v[3].status = pins->v[3].status;
  mx = p->v[5].mx;
  p->v[5].mx = mx + mx * 1e-15;
  assert_true(p->v[5].mx != mx);
  digest(p, 0, MAXZ, true, b);
  assert_string_not_equal(a, b);
  p->v[5].mx = mx;
  digest(p, 0, MAXZ, true, b);
  assert_string_equal(a, b);
  tm_pins_free(p);
}

/* ---- shard.json and the merge's checks -------------------------------- */

static char *shard_dir(const char *name, int k, int n, const char *build)
{
  char *dir = sub(name);
  struct tm_error err = { 0 };

  assert_int_equal(mkdir(dir, 0777), 0);
  if(tm_shard_write(dir, k, n, build, &err))
    fail_msg("%s", err.msg);
  return dir;
}

static void merge_should_check_its_shard_folders(void **state)
{
  char x[65], y[65];
  char *a1, *a2, *a3, *a2b, *c3, *b1, *empty, *bad;
  struct tm_shard_set *set = NULL;
  struct tm_error err = { 0 };
  const char *dirs[4];
  FILE *f;

  (void)state;
  memset(x, 'a', 64);
  x[64] = '\0';
  memset(y, 'b', 64);
  y[64] = '\0';
  a1 = shard_dir("a1", 1, 3, x);
  a2 = shard_dir("a2", 2, 3, x);
  a3 = shard_dir("a3", 3, 3, x);
  a2b = shard_dir("a2b", 2, 3, x);
  c3 = shard_dir("c3", 3, 3, y);
  b1 = shard_dir("b1", 1, 2, x);
  empty = sub("empty");
  assert_int_equal(mkdir(empty, 0777), 0);
  bad = sub("bad");
  assert_int_equal(mkdir(bad, 0777), 0);
  {
    char *path = tm_xasprintf("%s/shard.json", bad);

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"generator\":\"trustmap\",\"shard\":", f);
    fclose(f);
    free(path);
  }

  /* All three, in any order: shard k's folder is dirs[k - 1]. */
  dirs[0] = a3;
  dirs[1] = a1;
  dirs[2] = a2;
  assert_int_equal(tm_shard_set_load(dirs, 3, NULL, &set, &err), TM_OK);
  assert_int_equal(set->n, 3);
  assert_string_equal(set->dirs[0], a1);
  assert_string_equal(set->dirs[1], a2);
  assert_string_equal(set->dirs[2], a3);
  assert_string_equal(set->build, x);
  assert_int_equal(tm_shard_set_check(set, x, &err), TM_OK);
  expect_usage(tm_shard_set_check(set, y, &err), &err,
               "other inputs or options", a1);
  tm_shard_set_free(set);

  /* One missing: named, with the command that makes it. */
  dirs[0] = a1;
  dirs[1] = a3;
  expect_usage(tm_shard_set_load(dirs, 2, NULL, &set, &err), &err,
               "shard 2/3 is missing", "trustmap build --shard 2/3");
  assert_null(set);
  /* The same shard twice. */
  dirs[1] = a2;
  dirs[2] = a2b;
  dirs[3] = a3;
  expect_usage(tm_shard_set_load(dirs, 4, NULL, &set, &err), &err,
               "are both shard 2/3", a2b);
  /* A shard of another build. */
  dirs[2] = c3;
  expect_usage(tm_shard_set_load(dirs, 3, NULL, &set, &err), &err,
               c3, "--shard 3/3");
  assert_non_null(strstr(err.msg, "another build"));
  /* Shards of two splits. */
  dirs[2] = b1;
  expect_usage(tm_shard_set_load(dirs, 3, NULL, &set, &err), &err,
               "two different splits", b1);
  /* Folders that are not shards at all. */
  dirs[2] = empty;
  expect_usage(tm_shard_set_load(dirs, 3, NULL, &set, &err), &err,
               "is not a shard folder: it has no shard.json", empty);
  dirs[2] = bad;
  expect_usage(tm_shard_set_load(dirs, 3, NULL, &set, &err), &err,
               "damaged", bad);
  dirs[2] = "/nonexistent/shard";
  expect_usage(tm_shard_set_load(dirs, 3, NULL, &set, &err), &err,
               "/nonexistent/shard: no such folder", NULL);
  /* The merge must not write over one of its own shards. */
  dirs[2] = a3;
  expect_usage(tm_shard_set_load(dirs, 3, a2, &set, &err), &err,
               "--out", a2);
  assert_null(set);

  free(a1);
  free(a2);
  free(a3);
  free(a2b);
  free(c3);
  free(b1);
  free(empty);
  free(bad);
}

/* ---- shards of real tiles --------------------------------------------- */

static void shards_should_split_and_merge_to_the_one_machine_tiles(void **st)
{
  struct tm_tiles_opts o = { .minzoom = 0, .maxzoom = MAXZ, .retina = true,
                            .jobs = 2 };
  struct tm_tiles_summary sum, one_sum;
  struct tm_error err;
  char *one = sub("one"), *merged = sub("merged"), *again = sub("again");
  char *dirs[NSHARDS];
  const char *cdirs[NSHARDS];
  char **all, **mine, **got = NULL;
  size_t nall, nmine, i, j, ngot = 0, got_cap = 0, blank = 0, sig_lines = 0;
  int k;

  (void)st;
  assert_int_equal(write_tiles(&o, one, &one_sum, &err), TM_OK);
  all = support_list_files(one, "/tiles", &nall);
  assert_true(nall > 0);

  for(k = 1; k <= NSHARDS; k++) {
    char name[16], *path;

    snprintf(name, sizeof(name), "s%d", k);
    dirs[k - 1] = sub(name);
    cdirs[k - 1] = dirs[k - 1];
    o.shard_k = k;
    o.shard_n = NSHARDS;
    o.jobs = 1;
    assert_int_equal(write_tiles(&o, dirs[k - 1], &sum, &err), TM_OK);
    assert_int_equal(sum.reused, 0);

    /* Each tile of the shard is the one-machine run's, byte for byte. */
    mine = support_list_files(dirs[k - 1], "/tiles", &nmine);
    for(i = 0; i < nmine; i++) {
      char *a, *b;

      if(strstr(mine[i], "available.json"))
        continue;
      a = tm_xasprintf("%s%s", one, mine[i]);
      b = tm_xasprintf("%s%s", dirs[k - 1], mine[i]);
      support_assert_same_file(a, b);
      free(a);
      free(b);
      tm_xgrow((void **)&got, &got_cap, ngot + 1, sizeof(*got));
      got[ngot++] = tm_xstrdup(mine[i]);
    }
    support_free_list(mine, nmine);
    path = tm_xasprintf("%s/tile-signatures.txt", dirs[k - 1]);
    blank += count_lines(path, " blank");
    sig_lines += count_lines(path, NULL) - count_lines(path, " blank");
    free(path);
  }
  /* Disjoint, and together every tile (available.json aside). */
  qsort(got, ngot, sizeof(*got), support_str_cmp);
  for(i = j = 0; i < nall; i++) {
    if(strstr(all[i], "available.json"))
      continue;
    if(j >= ngot || strcmp(all[i], got[j]))
      fail_msg("%s is in no shard", all[i]);
    if(j + 1 < ngot && !strcmp(got[j], got[j + 1]))
      fail_msg("%s is in two shards", got[j]);
    j++;
  }
  assert_int_equal(j, ngot);
  support_free_list(got, ngot);
  {
    char *path = tm_xasprintf("%s/tile-signatures.txt", one);

    assert_int_equal(sig_lines, count_lines(path, NULL));
    free(path);
  }
  /* The test's blank tile is listed, so a merge knows it is not lost. */
  assert_true(blank >= 1);

  /* The job count changes nothing. */
  o.shard_k = 2;
  o.jobs = 3;
  assert_int_equal(write_tiles(&o, again, &sum, &err), TM_OK);
  support_assert_same_trees(dirs[1], again);

  /* The merge equals the one-machine run, and draws nothing. */
  o.shard_k = 0;
  o.merge_dirs = cdirs;
  assert_int_equal(write_tiles(&o, merged, &sum, &err), TM_OK);
  support_assert_same_trees(one, merged);
  assert_int_equal(sum.rendered, 0);
  assert_int_equal(sum.reused, one_sum.rendered);
  assert_int_equal(sum.bytes, one_sum.bytes);

  /* A tile lost from shard 2: the merge stops, naming it and the shard. */
  mine = support_list_files(dirs[1], "/tiles", &nmine);
  for(i = 0; i < nmine && strstr(mine[i], "available.json"); i++)
    ;
  assert_true(i < nmine);
  {
    char *lost = tm_xasprintf("%s%s", dirs[1], mine[i]);
    char *bad = sub("bad-merge");
    int z, x, y;
    char tile[48];

    assert_int_equal(sscanf(mine[i], "/tiles/%d/%d/%d", &z, &x, &y), 3);
    snprintf(tile, sizeof(tile), "tile %d/%d/%d is missing", z, x, y);
    assert_int_equal(unlink(lost), 0);
    assert_int_equal(write_tiles(&o, bad, &sum, &err), TM_SYSTEM);
    if(!strstr(err.msg, tile) || !strstr(err.msg, dirs[1]) ||
       !strstr(err.msg, "shard 2/3") ||
       !strstr(err.msg, "trustmap build --shard 2/3"))
      fail_msg("unexpected message: %s", err.msg);
    free(lost);

    /* A shard without its signatures is incomplete. */
    lost = tm_xasprintf("%s/tile-signatures.txt", dirs[2]);
    assert_int_equal(unlink(lost), 0);
    assert_int_equal(write_tiles(&o, bad, &sum, &err), TM_SYSTEM);
    if(!strstr(err.msg, lost) || !strstr(err.msg, "shard 3/3"))
      fail_msg("unexpected message: %s", err.msg);
    free(lost);
    free(bad);
  }
  support_free_list(mine, nmine);

  /* Shards outside 1..N are refused. */
  o.merge_dirs = NULL;
  o.shard_k = 4;
  assert_int_equal(write_tiles(&o, merged, &sum, &err), TM_USAGE);
  o.shard_k = 0;
  assert_int_equal(write_tiles(&o, merged, &sum, &err), TM_USAGE);

  for(k = 0; k < NSHARDS; k++)
    free(dirs[k]);
  support_free_list(all, nall);
  free(one);
  free(merged);
  free(again);
}

/* ---- setup ------------------------------------------------------------ */

static int setup(void **state)
{
  (void)state;
  if(!mkdtemp(tmpdir))
    return -1;
  style = support_style_parse(SUPPORT_STYLE_JSON);
  if(!style)
    return -1;
  pins = test_pins();
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  tm_style_free(style);
  tm_pins_free(pins);
  return support_remove_tree(tmpdir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(owner_should_cut_equal_costs_evenly),
    cmocka_unit_test(partition_should_be_complete_contiguous_and_balanced),
    cmocka_unit_test(tile_cost_should_grow_with_what_is_drawn),
    cmocka_unit_test(digest_should_follow_what_the_tiles_are_drawn_from),
    cmocka_unit_test(merge_should_check_its_shard_folders),
    cmocka_unit_test(shards_should_split_and_merge_to_the_one_machine_tiles),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
