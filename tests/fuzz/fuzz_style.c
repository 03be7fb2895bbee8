/* fuzz_style.c - fuzz target: bytes -> tm_style_parse().
 *
 * Checked, besides memory errors: a parse fails exactly when it adds an
 * error; a style that parses keeps the promises of style.h and the
 * README (text is UTF-8 with no control characters or markup, a base
 * layer URL is http(s), colours are #rrggbb in lower case, zooms in
 * 0..22 with minzoom <= maxzoom, a pin no shorter than it is wide, each
 * status has a label of at most 120 characters and matches its own key
 * and aliases), and every problem is one line of UTF-8 text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "style.h"

static bool plain_text(const char *s)
{
  const char *p;

  if(!s || !tm_utf8_valid(s, strlen(s)))
    return false;
  for(p = s; *p; p++) {
    if((unsigned char)*p < 0x20 || *p == 0x7f)
      return false;
    if(*p == '<' && (p[1] == '/' || p[1] == '!' || p[1] == '?' ||
                     (p[1] >= 'a' && p[1] <= 'z') ||
                     (p[1] >= 'A' && p[1] <= 'Z')))
      return false;
  }
  return true;
}

static bool safe_message(const char *s)
{
  const char *p;

  if(!tm_utf8_valid(s, strlen(s)))
    return false;
  for(p = s; *p; p++)
    if((unsigned char)*p < 0x20 || *p == 0x7f)
      return false;
  return true;
}

static size_t chars(const char *s)
{
  size_t n = 0;

  for(; *s; s++)
    if(((unsigned char)*s & 0xc0) != 0x80)
      n++;
  return n;
}

static bool colour_ok(const char *c)
{
  int i;

  if(c[0] != '#' || strlen(c) != 7)
    return false;
  for(i = 1; i < 7; i++)
    if(!strchr("0123456789abcdef", c[i]))
      return false;
  return true;
}

static void check_style(const struct tm_style *st)
{
  int s;

  FUZZ_CHECK(plain_text(st->title) && st->title[0]);
  FUZZ_CHECK(plain_text(st->description));
  FUZZ_CHECK(plain_text(st->attribution));
  FUZZ_CHECK(st->minzoom >= 0 && st->minzoom <= st->maxzoom &&
             st->maxzoom <= 22);
  FUZZ_CHECK(st->pin.width >= 8 && st->pin.width <= 128);
  FUZZ_CHECK(st->pin.height >= st->pin.width && st->pin.height <= 192);
  FUZZ_CHECK(st->pin.outline >= 0 && st->pin.outline <= 8);
  FUZZ_CHECK(st->cluster.radius >= 1 && st->cluster.radius <= 256);
  FUZZ_CHECK(st->cluster.maxzoom >= 0 && st->cluster.maxzoom <= 22);
  /* http:// is accepted with a note (browsers block it on an https://
   * page); nothing else, such as javascript:, is. */
  if(st->base.url)
    FUZZ_CHECK(!strncmp(st->base.url, "https://", 8) ||
               !strncmp(st->base.url, "http://", 7));
  if(st->base.attribution)
    FUZZ_CHECK(plain_text(st->base.attribution));
  for(s = 0; s < TM_STATUS_COUNT; s++) {
    const struct tm_status_style *ss = &st->status[s];
    enum tm_status got;
    size_t i;

    FUZZ_CHECK(plain_text(ss->label) && ss->label[0]);
    FUZZ_CHECK(chars(ss->label) <= 120);
    FUZZ_CHECK(colour_ok(ss->colour));
    FUZZ_CHECK((unsigned)ss->glyph < TM_GLYPH_COUNT);
    FUZZ_CHECK(tm_style_match_status(st, tm_status_key(s), &got) &&
               got == (enum tm_status)s);
    for(i = 0; i < ss->n_aliases; i++)
      FUZZ_CHECK(tm_style_match_status(st, ss->aliases[i], &got) &&
                 got == (enum tm_status)s);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct tm_problems probs = { 0 };
  struct tm_style *st = NULL;
  enum tm_rc rc;
  size_t i;

  if(size > FUZZ_MAX_INPUT)
    return 0;
  rc = tm_style_parse((const char *)data, size, "fuzz.json", &probs, &st);
  if(rc == TM_OK) {
    FUZZ_CHECK(st && !tm_problems_count(&probs, TM_ERROR));
    check_style(st);
  }
  else
    FUZZ_CHECK(rc == TM_INPUT && !st &&
               tm_problems_count(&probs, TM_ERROR) > 0);
  for(i = 0; i < probs.n; i++) {
    char *text = tm_problem_format(&probs.v[i]);

    /* Values are quoted with escapes, so a message is one line of
     * UTF-8 whatever the file holds. */
    FUZZ_CHECK(probs.v[i].where.row == 0);
    FUZZ_CHECK(safe_message(probs.v[i].what));
    FUZZ_CHECK(!probs.v[i].fix || safe_message(probs.v[i].fix));
    free(text);
  }
  tm_style_free(st);
  tm_problems_clear(&probs);
  return 0;
}
