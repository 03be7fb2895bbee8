/* page.h - the embed kit: TileJSON, the Leaflet page and its assets.
 *
 * Borrows: the pins (for the table and the map's extent), the style
 *          (labels, colours, glyphs, pin geometry, base layer, title) and
 *          the tile facts in struct tm_page_info; none are changed.
 * Writes:  into outdir (the staging folder): tiles.json, index.html,
 *          embed.html, app.js, app.css and vendor/leaflet/..., creating
 *          the sub-folders it needs. The page reads trusts.geojson,
 *          clusters.json and tiles/available.json at run time; other
 *          stages write those.
 * Errors:  an I/O failure gives TM_SYSTEM with the path in *err.
 *
 * Untrusted text (title, description, labels, names) is escaped as HTML
 * text where it lands in HTML, and as JSON with <, >, &, U+2028 and U+2029
 * written as \uXXXX where it lands inside the page's <script> element.
 */
#ifndef TM_PAGE_H
#define TM_PAGE_H

#include <stdbool.h>

#include "error.h"
#include "model.h"
#include "style.h"

struct tm_page_info {
  /* Content version of the tiles: a short hash that changes only when
   * some tile (or tiles/available.json, clusters.json) changes. It is
   * appended to tile URLs as ?v=VERSION so browsers and CDNs never mix
   * old and new tiles. Borrowed; "" or NULL: no ?v= (not recommended). */
  const char *version;
  int minzoom, maxzoom;   /* the zooms tiles were rendered for */
  double bounds[4];       /* west, south, east, north (WGS84 degrees) */
  double center[3];       /* lon, lat, zoom: the initial view */
  bool has_retina;        /* tiles/{z}/{x}/{y}@2x.png were written */
};

/* Fills *info from the pins and the style: bounds around every pin (the
 * whole world when there is none), their centre at the largest zoom that
 * shows them all on a 1024x768 screen, the style's zooms, retina on and no
 * version. The caller then sets what the tile stage knows (version,
 * has_retina, zooms if overridden on the command line). */
void tm_page_info_init(struct tm_page_info *info, const struct tm_pins *pins,
                       const struct tm_style *st);

/* Writes the page and TileJSON into outdir (which must exist). */
enum tm_rc tm_page_write(const struct tm_pins *pins,
                         const struct tm_style *st,
                         const struct tm_page_info *info,
                         const char *outdir,
                         struct tm_error *err) TM_MUST_CHECK;

/* Escapes text for HTML text or a quoted attribute value: & < > " '.
 * Returns a new string. */
char *tm_page_html_escape(const char *text);

/* Makes JSON text safe inside a <script> element: <, >, &, U+2028 and
 * U+2029 become \u003c, \u003e, \u0026, \u2028, \u2029 (they can only
 * occur inside JSON strings, where the escapes mean the same). Returns a
 * new string. */
char *tm_page_script_json(const char *json);

#endif /* TM_PAGE_H */
