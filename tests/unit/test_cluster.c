/* test_cluster.c - cluster.c: the clustering rule (merging, counts,
 * centres, nesting across zooms, independence from the zoom range asked
 * for, no two groups left within the radius, members are feature indices,
 * the same clusters whatever order the pins came in), pin scales, count
 * labels and the shape of clusters.json.
 *
 * Input order: the rule takes groups in feature-index order (cluster.h),
 * and feature indices are the tm_pins_sort() order, so shuffled input
 * gives the same clusters once sorted, as the pipeline always does. On
 * unsorted input, crowds wider than one radius may split differently
 * (that is the documented rule, not tested as a property).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cluster.h"
#include "style.h"
#include "support.h"
#include "tileplan.h"

#define STYLE_JSON(cluster) \
  "{\"pin\": {\"width\": 26, \"height\": 38, \"outline\": 2}," \
  " \"cluster\": " cluster "," \
  SUPPORT_STATUSES_JSON "}"

/* A style from json that parses without even a note. */
static struct tm_style *style_from(const char *json)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = support_style_from(json, &probs);

  assert_int_equal(probs.n, 0);
  tm_problems_clear(&probs);
  return st;
}

static struct tm_style *default_style(void)
{
  return style_from(STYLE_JSON(
    "{\"enabled\": true, \"radius\": 36, \"maxzoom\": 8}"));
}

static void two_pins_10px_apart_should_merge_at_z5_not_z14(void **state)
{
  struct tm_style *st = default_style();
  struct tm_pins *pins = tm_pins_new();
  struct tm_clusters *c;
  const struct tm_cluster_zoom *cz;

  (void)state;
  support_add_pin_px(pins, "A", 5, 4000, 2600, TM_STATUS_COLLECTING);
  support_add_pin_px(pins, "B", 5, 4010, 2600, TM_STATUS_PARTIAL);
  c = tm_clusters_build(pins, st, 0, 14);
  cz = tm_clusters_at(c, 5);
  assert_int_equal(cz->n, 1);
  assert_int_equal(cz->v[0].n, 2);
  assert_int_equal(cz->v[0].members[0], 0);
  assert_int_equal(cz->v[0].members[1], 1);
  assert_int_equal(cz->v[0].counts[TM_STATUS_COLLECTING], 1);
  assert_int_equal(cz->v[0].counts[TM_STATUS_PARTIAL], 1);
  assert_int_equal(cz->v[0].counts[TM_STATUS_NOT_COLLECTING], 0);
  /* 10 px at z5 is 10 * 2^9 px at z14; above cluster.maxzoom nothing
   * clusters anyway. */
  assert_int_equal(tm_clusters_at(c, 14)->n, 0);
  assert_int_equal(tm_clusters_at(c, 8)->n, 0);   /* 80 px apart */
  assert_int_equal(tm_clusters_at(c, 7)->n, 0);   /* 40 px apart */
  assert_int_equal(tm_clusters_at(c, 6)->n, 1);   /* 20 px apart */
  assert_null(tm_clusters_at(c, 15));
  tm_clusters_free(c);
  tm_style_free(st);
  /* clustering up to z14: then it is the distance that keeps them apart */
  st = style_from(STYLE_JSON(
    "{\"enabled\": true, \"radius\": 36, \"maxzoom\": 14}"));
  c = tm_clusters_build(pins, st, 0, 14);
  assert_int_equal(tm_clusters_at(c, 5)->n, 1);
  assert_int_equal(tm_clusters_at(c, 5)->v[0].n, 2);
  assert_int_equal(tm_clusters_at(c, 6)->n, 1);
  assert_int_equal(tm_clusters_at(c, 7)->n, 0);
  assert_int_equal(tm_clusters_at(c, 14)->n, 0);
  tm_clusters_free(c);
  tm_pins_free(pins);
  tm_style_free(st);
}

static void radius_should_be_exclusive(void **state)
{
  struct tm_style *st = default_style();
  struct tm_pins *pins = tm_pins_new();
  struct tm_clusters *c;

  (void)state;
  support_add_pin_px(pins, "A", 8, 1000, 1000, TM_STATUS_COLLECTING);
  support_add_pin_px(pins, "B", 8, 1036.5, 1000, TM_STATUS_COLLECTING);
  support_add_pin_px(pins, "C", 8, 1000, 1035.5, TM_STATUS_COLLECTING);
  c = tm_clusters_build(pins, st, 8, 8);
  assert_int_equal(tm_clusters_at(c, 8)->n, 1);
  assert_int_equal(tm_clusters_at(c, 8)->v[0].n, 2);   /* A and C */
  assert_int_equal(tm_clusters_at(c, 8)->v[0].members[1], 2);
  tm_clusters_free(c);
  tm_pins_free(pins);
  tm_style_free(st);
}

static void centre_should_be_the_mean_of_the_members(void **state)
{
  struct tm_style *st = default_style();
  struct tm_pins *pins = tm_pins_new();
  struct tm_clusters *c;
  const struct tm_cluster *cl;
  double lon, lat;

  (void)state;
  support_add_pin_px(pins, "A", 8, 1000, 1000, TM_STATUS_COLLECTING);
  support_add_pin_px(pins, "B", 8, 1010, 1000, TM_STATUS_NO_RESPONSE);
  support_add_pin_px(pins, "C", 8, 1000, 1020, TM_STATUS_NO_RESPONSE);
  c = tm_clusters_build(pins, st, 8, 8);
  cl = &tm_clusters_at(c, 8)->v[0];
  assert_int_equal(cl->n, 3);
  assert_true(fabs(cl->mx - (pins->v[0].mx + pins->v[1].mx +
                             pins->v[2].mx) / 3) < 1e-6);
  assert_true(fabs(cl->my - (pins->v[0].my + pins->v[1].my +
                             pins->v[2].my) / 3) < 1e-6);
  tm_merc_to_lonlat(cl->mx, cl->my, &lon, &lat);
  assert_true(fabs(cl->lon - lon) < 1e-12 && fabs(cl->lat - lat) < 1e-12);
  assert_int_equal(cl->counts[TM_STATUS_NO_RESPONSE], 2);
  assert_int_equal(cl->counts[TM_STATUS_COLLECTING], 1);
  assert_true(fabs(cl->radius - tm_cluster_radius(&st->pin, 3)) < 1e-12);
  tm_clusters_free(c);
  tm_pins_free(pins);
  tm_style_free(st);
}

static void disabled_clustering_should_make_no_clusters(void **state)
{
  struct tm_style *st = style_from(STYLE_JSON(
    "{\"enabled\": false, \"radius\": 36, \"maxzoom\": 8}"));
  struct tm_pins *pins = tm_pins_new();
  struct tm_clusters *c;
  int z;

  (void)state;
  support_add_pin_px(pins, "A", 3, 1000, 1000, TM_STATUS_COLLECTING);
  support_add_pin_px(pins, "B", 3, 1001, 1000, TM_STATUS_COLLECTING);
  c = tm_clusters_build(pins, st, 0, 10);
  for(z = 0; z <= 10; z++) {
    assert_int_equal(tm_clusters_at(c, z)->n, 0);
    assert_true(tm_clusters_at(c, z)->pin_scale == tm_cluster_pin_scale(z));
  }
  tm_clusters_free(c);
  tm_pins_free(pins);
  tm_style_free(st);
}

/* A fixed pseudo-random cloud: a few dense towns and scattered pins. */
static struct tm_pins *cloud(size_t n)
{
  struct tm_pins *pins = tm_pins_new();
  uint64_t s = 0x9e3779b97f4a7c15u;
  size_t i;

  for(i = 0; i < n; i++) {
    char code[32];
    double px, py;

    /* 12 bits of each number, bits 40..51 of the generator's state */
    px = 8000 + (double)(support_next_rand(&s) >> 7 & 0xfff) / 4;
    py = 5000 + (double)(support_next_rand(&s) >> 7 & 0xfff) / 4;
    if(i % 3 == 0) {      /* a town */
      px = 8000 + (i % 7) * 150 + (px - 8000) / 40;
      py = 5000 + (i % 5) * 150 + (py - 5000) / 40;
    }
    snprintf(code, sizeof(code), "P%05zu", i);
    support_add_pin_px(pins, code, 8, px, py, (enum tm_status)(s >> 20 & 3));
  }
  return pins;
}

/* cluster index of each pin at zoom z, or -1 */
static void cluster_of(const struct tm_clusters *c, int z, size_t n,
                       long *out)
{
  const struct tm_cluster_zoom *cz = tm_clusters_at(c, z);
  size_t i, k;

  for(i = 0; i < n; i++)
    out[i] = -1;
  for(i = 0; i < cz->n; i++)
    for(k = 0; k < cz->v[i].n; k++)
      out[cz->v[i].members[k]] = (long)i;
}

static void clusters_should_only_grow_when_zooming_out(void **state)
{
  struct tm_style *st = default_style();
  struct tm_pins *pins = cloud(600);
  struct tm_clusters *c = tm_clusters_build(pins, st, 0, 9);
  long *hi = calloc(pins->n, sizeof(long));
  long *lo = calloc(pins->n, sizeof(long));
  size_t i, j;
  int z;

  (void)state;
  for(z = 8; z > 0; z--) {
    cluster_of(c, z, pins->n, hi);
    cluster_of(c, z - 1, pins->n, lo);
    for(i = 0; i < pins->n; i++) {
      if(hi[i] < 0)
        continue;
      assert_true(lo[i] >= 0);
      for(j = 0; j < pins->n; j++) {
        if(hi[j] == hi[i])
          assert_int_equal(lo[j], lo[i]);
      }
    }
  }
  free(hi);
  free(lo);
  tm_clusters_free(c);
  tm_pins_free(pins);
  tm_style_free(st);
}

static void no_two_groups_should_stay_closer_than_the_radius(void **state)
{
  struct tm_style *st = default_style();
  struct tm_pins *pins = cloud(600);
  struct tm_clusters *c = tm_clusters_build(pins, st, 4, 8);
  long *of = calloc(pins->n, sizeof(long));
  double *gx = calloc(pins->n, sizeof(double));
  double *gy = calloc(pins->n, sizeof(double));
  size_t i, j, ng;
  int z;

  (void)state;
  for(z = 4; z <= 8; z++) {
    const struct tm_cluster_zoom *cz = tm_clusters_at(c, z);
    size_t members = 0;

    cluster_of(c, z, pins->n, of);
    ng = 0;
    for(i = 0; i < cz->n; i++) {
      tm_merc_to_px(cz->v[i].mx, cz->v[i].my, z, &gx[ng], &gy[ng]);
      members += cz->v[i].n;
      ng++;
    }
    for(i = 0; i < pins->n; i++) {
      if(of[i] < 0) {
        tm_merc_to_px(pins->v[i].mx, pins->v[i].my, z, &gx[ng], &gy[ng]);
        ng++;
      }
    }
    assert_int_equal(members + (ng - cz->n), pins->n);
    for(i = 0; i < ng; i++) {
      for(j = i + 1; j < ng; j++) {
        double dx = gx[i] - gx[j], dy = gy[i] - gy[j];

        assert_true(dx * dx + dy * dy >= 36.0 * 36.0);
      }
    }
  }
  free(of);
  free(gx);
  free(gy);
  tm_clusters_free(c);
  tm_pins_free(pins);
  tm_style_free(st);
}

static void zoom_range_asked_for_should_not_change_a_zoom(void **state)
{
  struct tm_style *st = default_style();
  struct tm_pins *pins = cloud(300);
  struct tm_clusters *all = tm_clusters_build(pins, st, 0, 14);
  struct tm_clusters *one = tm_clusters_build(pins, st, 5, 5);
  const struct tm_cluster_zoom *a = tm_clusters_at(all, 5);
  const struct tm_cluster_zoom *b = tm_clusters_at(one, 5);
  size_t i;

  (void)state;
  assert_true(a->n > 0);
  assert_int_equal(a->n, b->n);
  for(i = 0; i < a->n; i++) {
    assert_int_equal(a->v[i].n, b->v[i].n);
    assert_memory_equal(a->v[i].members, b->v[i].members,
                        a->v[i].n * sizeof(size_t));
    assert_true(a->v[i].mx == b->v[i].mx && a->v[i].my == b->v[i].my);
  }
  tm_clusters_free(all);
  tm_clusters_free(one);
  tm_pins_free(pins);
  tm_style_free(st);
}

/* Fisher-Yates with a fixed generator. */
static void shuffle(size_t *v, size_t n, uint64_t seed)
{
  size_t i;

  for(i = n; i-- > 1;) {
    size_t j, t;

    j = (size_t)support_next_rand(&seed) % (i + 1);
    t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
}

/* A copy of pins in the order perm gives. */
static struct tm_pins *reordered(const struct tm_pins *pins,
                                 const size_t *perm)
{
  struct tm_pins *out = tm_pins_new();
  size_t i;

  for(i = 0; i < pins->n; i++) {
    const struct tm_pin *src = &pins->v[perm[i]];
    struct tm_pin *p = tm_pins_add(out);

    *p = *src;
    p->code = tm_strpool_add(out->pool, src->code);
    p->trust_code = tm_strpool_add(out->pool, src->trust_code);
    p->name = tm_strpool_add(out->pool, src->name);
  }
  return out;
}

/* The clusters of a and b at zoom z are the same pins (matched by code),
 * centres, radii and counts. */
static void assert_same_clusters(const struct tm_pins *pa,
                                 const struct tm_clusters *ca,
                                 const struct tm_pins *pb,
                                 const struct tm_clusters *cb, int z)
{
  const struct tm_cluster_zoom *a = tm_clusters_at(ca, z);
  const struct tm_cluster_zoom *b = tm_clusters_at(cb, z);
  size_t i, k;

  assert_int_equal(a->n, b->n);
  for(i = 0; i < a->n; i++) {
    const struct tm_cluster *x = &a->v[i], *y = NULL;
    size_t j;

    /* find b's cluster holding x's first member */
    for(j = 0; j < b->n && !y; j++)
      for(k = 0; k < b->v[j].n; k++)
        if(!strcmp(pb->v[b->v[j].members[k]].code,
                   pa->v[x->members[0]].code))
          y = &b->v[j];
    assert_non_null(y);
    assert_int_equal(x->n, y->n);
    for(k = 0; k < x->n; k++) {
      const char *code = pa->v[x->members[k]].code;
      size_t m;
      bool found = false;

      for(m = 0; m < y->n; m++)
        found = found || !strcmp(pb->v[y->members[m]].code, code);
      if(!found)
        fail_msg("z%d: %s is in a cluster in one order only", z, code);
    }
    assert_memory_equal(x->counts, y->counts, sizeof(x->counts));
    assert_true(fabs(x->mx - y->mx) < 1e-6 && fabs(x->my - y->my) < 1e-6);
    assert_true(x->radius == y->radius);
  }
}

static void members_should_be_feature_indices(void **state)
{
  struct tm_style *st = default_style();
  struct tm_pins *pins = cloud(300);
  struct tm_clusters *c = tm_clusters_build(pins, st, 5, 8);
  int z;

  (void)state;
  for(z = 5; z <= 8; z++) {
    const struct tm_cluster_zoom *cz = tm_clusters_at(c, z);
    size_t i, k;

    assert_true(cz->n > 0);
    for(i = 0; i < cz->n; i++) {
      size_t counts[TM_STATUS_COUNT] = { 0 };
      double sx = 0, sy = 0;

      for(k = 0; k < cz->v[i].n; k++) {
        size_t m = cz->v[i].members[k];

        assert_true(m < pins->n);
        if(k)
          assert_true(m > cz->v[i].members[k - 1]);
        counts[pins->v[m].status]++;
        sx += pins->v[m].mx;
        sy += pins->v[m].my;
      }
      /* the counts and centre are those of the pins the indices name */
      assert_memory_equal(counts, cz->v[i].counts, sizeof(counts));
      assert_true(fabs(sx / (double)cz->v[i].n - cz->v[i].mx) < 1e-6);
      assert_true(fabs(sy / (double)cz->v[i].n - cz->v[i].my) < 1e-6);
      /* clusters come in order of their smallest member */
      if(i)
        assert_true(cz->v[i].members[0] > cz->v[i - 1].members[0]);
    }
  }
  tm_clusters_free(c);
  tm_pins_free(pins);
  tm_style_free(st);
}

static void shuffled_pins_should_give_the_same_clusters(void **state)
{
  struct tm_style *st = default_style();
  struct tm_pins *pins = cloud(400), *mixed;
  struct tm_clusters *a, *b;
  size_t *perm = calloc(400, sizeof(size_t));
  size_t i;
  int round, z;

  (void)state;
  tm_pins_sort(pins);
  a = tm_clusters_build(pins, st, 0, 9);
  for(round = 0; round < 3; round++) {
    for(i = 0; i < pins->n; i++)
      perm[i] = i;
    shuffle(perm, pins->n, 77 + (uint64_t)round);
    mixed = reordered(pins, perm);
    tm_pins_sort(mixed);        /* as the pipeline does */
    b = tm_clusters_build(mixed, st, 0, 9);
    for(z = 0; z <= 9; z++)
      assert_same_clusters(pins, a, mixed, b, z);
    tm_clusters_free(b);
    tm_pins_free(mixed);
  }
  free(perm);
  tm_clusters_free(a);
  tm_pins_free(pins);
  tm_style_free(st);
}

static void tight_crowds_should_merge_whatever_the_order(void **state)
{
  struct tm_style *st = default_style();
  struct tm_pins *pins = tm_pins_new(), *mixed;
  struct tm_clusters *a, *b;
  size_t perm[12], i;
  int round;

  (void)state;
  /* three crowds, each narrower than the radius (36 px at z8), far apart;
   * unsorted: here the order cannot matter */
  for(i = 0; i < 12; i++) {
    char code[32];

    snprintf(code, sizeof(code), "T%02zu", 11 - i);
    support_add_pin_px(pins, code, 8,
                       1000 + 200 * (double)(i % 3) + (double)i,
                       1000 + 150 * (double)(i % 3) - 2 * (double)i,
                       (enum tm_status)(i % TM_STATUS_COUNT));
  }
  a = tm_clusters_build(pins, st, 6, 8);
  assert_int_equal(tm_clusters_at(a, 8)->n, 3);
  for(round = 0; round < 5; round++) {
    for(i = 0; i < 12; i++)
      perm[i] = i;
    shuffle(perm, 12, 1000 + (uint64_t)round);
    mixed = reordered(pins, perm);
    b = tm_clusters_build(mixed, st, 6, 8);
    assert_same_clusters(pins, a, mixed, b, 8);
    assert_same_clusters(pins, a, mixed, b, 6);
    tm_clusters_free(b);
    tm_pins_free(mixed);
  }
  tm_clusters_free(a);
  tm_pins_free(pins);
  tm_style_free(st);
}

static void pin_scale_should_grow_to_full_size_at_z8(void **state)
{
  (void)state;
  assert_true(tm_cluster_pin_scale(0) == 0.6);
  assert_true(tm_cluster_pin_scale(4) == 0.6);
  assert_true(tm_cluster_pin_scale(5) == 0.7);
  assert_true(tm_cluster_pin_scale(7) == 0.9);
  assert_true(tm_cluster_pin_scale(8) == 1.0);
  assert_true(tm_cluster_pin_scale(22) == 1.0);
}

static void labels_should_round_down_and_stay_short(void **state)
{
  char b[16];

  (void)state;
  tm_cluster_label(7, b);
  assert_string_equal(b, "7");
  tm_cluster_label(999, b);
  assert_string_equal(b, "999");
  tm_cluster_label(1000, b);
  assert_string_equal(b, "1.0k");
  tm_cluster_label(1299, b);
  assert_string_equal(b, "1.2k");
  tm_cluster_label(12999, b);
  assert_string_equal(b, "12k");
  tm_cluster_label(3456789, b);
  assert_string_equal(b, "3.4M");
  tm_cluster_label(123456789, b);
  assert_string_equal(b, "123M");
}

static void radius_should_grow_with_the_label(void **state)
{
  struct tm_pin_style ps = { 26, 38, 2, true };

  (void)state;
  assert_true(fabs(tm_cluster_radius(&ps, 5) - (13 * 1.25 + 2)) < 1e-12);
  assert_true(tm_cluster_radius(&ps, 42) > tm_cluster_radius(&ps, 5));
  assert_true(tm_cluster_radius(&ps, 420) > tm_cluster_radius(&ps, 42));
}

static void json_should_have_the_contract_shape(void **state)
{
  struct tm_style *st = default_style();
  struct tm_pins *pins = tm_pins_new();
  struct tm_clusters *c;
  cJSON *root, *z5, *cl, *counts;
  char *text;

  (void)state;
  support_add_pin_px(pins, "A", 5, 4000, 2600, TM_STATUS_COLLECTING);
  support_add_pin_px(pins, "B", 5, 4010, 2600, TM_STATUS_NOT_COLLECTING);
  support_add_pin_px(pins, "C", 5, 100, 100, TM_STATUS_NOT_COLLECTING);
  c = tm_clusters_build(pins, st, 4, 9);
  text = tm_clusters_json(c, st);
  root = cJSON_Parse(text);
  assert_non_null(root);
  assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "pin"),
                                  "width")->valuedouble == 26);
  assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "pin"),
                                  "height")->valuedouble == 38);
  assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "pin"),
                                  "outline")->valuedouble == 2);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "zooms")),
                   6);
  z5 = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "zooms"), "5");
  assert_true(cJSON_GetObjectItem(z5, "pin_scale")->valuedouble == 0.7);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(z5, "clusters")),
                   1);
  cl = cJSON_GetArrayItem(cJSON_GetObjectItem(z5, "clusters"), 0);
  assert_true(fabs(cJSON_GetObjectItem(cl, "lon")->valuedouble -
                   round(tm_clusters_at(c, 5)->v[0].lon * 1e6) / 1e6) <
              1e-12);
  assert_true(cJSON_GetObjectItem(cl, "radius")->valuedouble > 0);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cl, "pins")), 2);
  assert_int_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(cl, "pins"),
                                      1)->valueint, 1);
  counts = cJSON_GetObjectItem(cl, "counts");
  assert_int_equal(cJSON_GetObjectItem(counts, "collecting")->valueint, 1);
  assert_int_equal(cJSON_GetObjectItem(counts, "partial")->valueint, 0);
  assert_int_equal(cJSON_GetObjectItem(counts, "not_collecting")->valueint,
                   1);
  assert_int_equal(cJSON_GetObjectItem(counts, "no_response")->valueint, 0);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
    cJSON_GetObjectItem(cJSON_GetObjectItem(root, "zooms"), "9"),
    "clusters")), 0);
  cJSON_Delete(root);
  free(text);
  tm_clusters_free(c);
  tm_pins_free(pins);
  tm_style_free(st);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(two_pins_10px_apart_should_merge_at_z5_not_z14),
    cmocka_unit_test(radius_should_be_exclusive),
    cmocka_unit_test(centre_should_be_the_mean_of_the_members),
    cmocka_unit_test(disabled_clustering_should_make_no_clusters),
    cmocka_unit_test(clusters_should_only_grow_when_zooming_out),
    cmocka_unit_test(no_two_groups_should_stay_closer_than_the_radius),
    cmocka_unit_test(zoom_range_asked_for_should_not_change_a_zoom),
    cmocka_unit_test(members_should_be_feature_indices),
    cmocka_unit_test(shuffled_pins_should_give_the_same_clusters),
    cmocka_unit_test(tight_crowds_should_merge_whatever_the_order),
    cmocka_unit_test(pin_scale_should_grow_to_full_size_at_z8),
    cmocka_unit_test(labels_should_round_down_and_stay_short),
    cmocka_unit_test(radius_should_grow_with_the_label),
    cmocka_unit_test(json_should_have_the_contract_shape),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
