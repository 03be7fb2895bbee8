/* assets.h - the page's files, compiled into the binary by embed.py.
 *
 * Every asset is a static byte array followed by a NUL byte that size does
 * not count, so text assets can be used as C strings. Names are paths
 * under the output folder ("app.js", "vendor/leaflet/leaflet.js"), except
 * "template/..." which page.c fills in rather than copies, and
 * "builtin/...", inputs compiled in (the default style), never copied.
 * version is the first 10 hex digits of the asset's SHA-256, for
 * cache-busting URLs.
 * Everything here is static and read-only; nothing is freed.
 */
#ifndef TM_PAGE_ASSETS_H
#define TM_PAGE_ASSETS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct tm_page_asset {
  const char *name;
  const unsigned char *data;
  size_t size;
  const char *version;
};

/* The assets, sorted by name. */
extern const struct tm_page_asset tm_page_assets[];
extern const size_t tm_page_assets_count;

/* Whether the asset is copied into the output folder as it is. */
static inline bool tm_page_asset_is_copied(const struct tm_page_asset *a)
{
  return strncmp(a->name, "template/", 9) && strncmp(a->name, "builtin/", 8);
}

/* The asset called name, or NULL. */
const struct tm_page_asset *tm_page_asset_find(const char *name);

#endif /* TM_PAGE_ASSETS_H */
