/* model.c - status keys and the pin table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static const char *const status_keys[TM_STATUS_COUNT] = {
  "collecting", "partial", "not_collecting", "no_response"
};

const char *tm_status_key(enum tm_status s)
{
  return (unsigned)s < TM_STATUS_COUNT ? status_keys[s] : "?";
}

bool tm_status_from_key(const char *key, enum tm_status *out)
{
  int i;

  for(i = 0; i < TM_STATUS_COUNT; i++) {
    if(!strcmp(key, status_keys[i])) {
      *out = (enum tm_status)i;
      return true;
    }
  }
  return false;
}

bool tm_pin_placeable(const struct tm_pin *p)
{
  return isfinite(p->mx) && isfinite(p->my) &&
         (unsigned)p->status < TM_STATUS_COUNT;
}

struct tm_pins *tm_pins_new(void)
{
  struct tm_pins *pins = tm_xcalloc(1, sizeof(*pins));

  pins->pool = tm_strpool_new();
  pins->round = "";
  return pins;
}

struct tm_pin *tm_pins_add(struct tm_pins *pins)
{
  struct tm_pin *p;

  tm_xgrow((void **)&pins->v, &pins->cap, pins->n + 1, sizeof(pins->v[0]));
  p = &pins->v[pins->n++];
  memset(p, 0, sizeof(*p));
  p->notes = "";
  p->previous_status = -1;
  return p;
}

static int pin_cmp(const void *a, const void *b)
{
  const struct tm_pin *x = a, *y = b;
  int c = strcmp(x->trust_code, y->trust_code);

  if(c)
    return c;
  if(x->is_site != y->is_site)
    return x->is_site ? 1 : -1;
  c = strcmp(x->code, y->code);
  if(c)
    return c;
  c = strcmp(x->name, y->name);
  if(c)
    return c;
  /* Same code and name: keep the file order so the sort is total. */
  return (x->where.row > y->where.row) - (x->where.row < y->where.row);
}

void tm_pins_sort(struct tm_pins *pins)
{
  if(pins->n > 1)
    qsort(pins->v, pins->n, sizeof(pins->v[0]), pin_cmp);
}

void tm_pins_free(struct tm_pins *pins)
{
  if(!pins)
    return;
  tm_strpool_free(pins->pool);
  free(pins->v);
  free(pins);
}
