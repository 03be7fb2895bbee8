/* style.h - the style file (styles/default.json): labels, colours, glyphs
 * and spelling aliases per status, pin geometry, clustering, zoom range,
 * title, attribution and the page's base layer.
 *
 * tm_style_load/tm_style_parse return a new struct tm_style that the caller
 * frees with tm_style_free(); every string in it is owned by it.
 * A bad style file gives TM_INPUT with problems that name the key at fault
 * ("styles/x.json: error: statuses.partial.colour: ..."); the row of a
 * style problem is 0 (the whole file).
 */
#ifndef TM_STYLE_H
#define TM_STYLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "model.h"
#include "problems.h"

enum tm_glyph {
  TM_GLYPH_TICK,      /* "tick" */
  TM_GLYPH_HALF,      /* "half": a half-filled circle */
  TM_GLYPH_CROSS,     /* "cross" */
  TM_GLYPH_QUESTION,  /* "question": a question mark */
  TM_GLYPH_COUNT
};

struct tm_rgb {
  uint8_t r, g, b;
};

struct tm_status_style {
  char *label;          /* owned; text on the pin key */
  char colour[8];       /* "#rrggbb", lower case */
  struct tm_rgb rgb;    /* the same colour as numbers */
  enum tm_glyph glyph;
  char **aliases;       /* owned; normalised with tm_status_normalise() */
  size_t n_aliases;
};

/* Pin geometry in CSS pixels at 1x; @2x tiles double it. */
struct tm_pin_style {
  double width;         /* diameter of the round head */
  double height;        /* from the tip to the top of the head */
  double outline;       /* white outline width */
  bool shadow;          /* soft shadow under the pin */
};

/* Where pins crowd at low zoom they merge into a cluster symbol. */
struct tm_cluster_style {
  bool enabled;
  double radius;        /* CSS px: pins closer than this merge */
  int maxzoom;          /* clustering applies at zooms <= maxzoom */
};

struct tm_base_layer {
  char *url;            /* owned; XYZ URL template, or NULL for none */
  char *attribution;    /* owned; HTML-free text, or NULL */
  int maxzoom;
};

struct tm_style {
  char *path;           /* owned; as given, for messages */
  char *title;          /* owned */
  char *description;    /* owned */
  char *attribution;    /* owned; credit for the data, plain text */
  int minzoom, maxzoom; /* tile pyramid, 0..22 */
  struct tm_status_style status[TM_STATUS_COUNT];
  struct tm_pin_style pin;
  struct tm_cluster_style cluster;
  struct tm_base_layer base;
};

/* Parses len bytes of JSON (no NUL needed). path is used in messages. */
enum tm_rc tm_style_parse(const char *buf, size_t len, const char *path,
                          struct tm_problems *probs,
                          struct tm_style **out) TM_MUST_CHECK;

/* Reads and parses the file at path. I/O failures go to *err (TM_SYSTEM),
 * content problems to *probs (TM_INPUT). */
enum tm_rc tm_style_load(const char *path, struct tm_problems *probs,
                         struct tm_error *err,
                         struct tm_style **out) TM_MUST_CHECK;

/* Normalises a status spelling for alias lookup: trims, folds ASCII case,
 * and turns each run of spaces, '_' and '-' into one space.
 * "  Not_Collecting " -> "not collecting". Returns a new string. */
char *tm_status_normalise(const char *text);

/* Finds the status a spelling stands for: a status key or any alias,
 * compared after tm_status_normalise(). */
bool tm_style_match_status(const struct tm_style *st, const char *text,
                           enum tm_status *out);

/* "collecting, partial, not_collecting, no_response" for messages. */
const char *tm_style_known_statuses(void);

const char *tm_glyph_name(enum tm_glyph g);

void tm_style_free(struct tm_style *st);

#endif /* TM_STYLE_H */
