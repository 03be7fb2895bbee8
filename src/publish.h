/* publish.h - write every output into a staging folder beside the output
 * folder, then swap it in at once.
 *
 * At every instant the output folder holds the whole previous build or
 * the whole new one: writers only ever touch the staging folder
 * "<out>.staging-XXXXXX" (same parent, so the swap is one rename), and
 * tm_stage_commit() exchanges the two folders with
 * renameat2(RENAME_EXCHANGE), then removes the old tree.
 *
 * Ownership: tm_stage_open() returns a new struct tm_stage; exactly one of
 * tm_stage_commit() or tm_stage_abort() then frees it (commit frees it on
 * failure too, after removing the staging folder).
 *
 * trustmap never deletes a folder it did not write: an existing output
 * folder is replaced only when it is empty or holds a manifest.json (a
 * trustmap build); a symbolic link or a file in its place is refused.
 *
 * manifest.json lists every file of the build with its size and SHA-256,
 * sorted bytewise by '/'-separated relative path, one file per line:
 *
 *   {"generator":"trustmap","files":[
 *   {"path":"trusts.csv","size":123,"sha256":"ba78..."},
 *   ...
 *   ]}
 *
 * "generator" is how trustmap recognises its own builds: a manifest.json
 * without it (a web app's manifest, a damaged file) marks a folder that is
 * not ours, and it is refused.
 *
 * It does not list itself or changes.txt: those two describe the publish,
 * they are rewritten by every build, and leaving them out keeps a rerun
 * with the same inputs at an empty change list. A CDN purge should always
 * include them. changes.txt has one line per file that differs from the
 * previous build (compared by SHA-256), in path order: "added PATH",
 * "changed PATH" or "removed PATH".
 */
#ifndef TM_PUBLISH_H
#define TM_PUBLISH_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

struct tm_stage;

struct tm_publish_summary {
  size_t files;     /* files in the manifest (so not counting
                       manifest.json and changes.txt) */
  size_t added, changed, removed;
  /* The previous build's folder when it could not be removed after the
   * swap (the new build is published all the same); "" normally. */
  char leftover[1024];
};

/* Checks that outdir may be replaced, removes staging folders left by
 * runs that died, and creates a fresh staging folder (and outdir's parent
 * folders, when missing). TM_USAGE when outdir must not be replaced. */
enum tm_rc tm_stage_open(const char *outdir, struct tm_stage **out,
                         struct tm_error *err) TM_MUST_CHECK;

/* The folder to write outputs into; lives as long as the stage. */
const char *tm_stage_dir(const struct tm_stage *s);

/* Writes manifest.json and changes.txt into the stage, swaps it in for
 * outdir atomically and removes the previous build. Fills *sum. Frees s
 * whatever happens; on failure outdir is as it was before. */
enum tm_rc tm_stage_commit(struct tm_stage *s, struct tm_publish_summary *sum,
                           struct tm_error *err) TM_MUST_CHECK;

/* Removes the staging folder and frees s; NULL is fine. Used on any
 * failure before commit, so the previous outdir stays untouched. */
void tm_stage_abort(struct tm_stage *s);

/* A new file at path (made as tm_write_file makes it), written through
 * a stdio stream, for outputs too large to build in memory first.
 * tm_output_close() frees it and reports the first failed write with the
 * path ("out/.staging/trusts.csv: cannot write: No space left on
 * device"). */
struct tm_output;

enum tm_rc tm_output_open(const char *path, struct tm_output **out,
                          struct tm_error *err) TM_MUST_CHECK;
FILE *tm_output_stream(struct tm_output *o);
enum tm_rc tm_output_close(struct tm_output *o,
                           struct tm_error *err) TM_MUST_CHECK;

/* Writes len bytes to a new file at path (replacing any file there),
 * creating missing parent folders as mkdir -p does. Safe to call from
 * several threads at once. */
enum tm_rc tm_write_file(const char *path, const void *buf, size_t len,
                         struct tm_error *err) TM_MUST_CHECK;

/* Keep the keep builds before this one beside the output folder, as
 * <out>.previous-1 (the latest) to <out>.previous-<keep>, instead of
 * removing the one replaced. 0 (the default) keeps none. */
void tm_stage_keep(struct tm_stage *s, int keep);

/* The SHA-256 of len bytes as 64 lower-case hex digits and a NUL. */
void tm_sha256_hex(const void *buf, size_t len, char hex[65]);

/* A content version for the files under dir/sub (a folder, walked
 * recursively, or one file) for each of the n names: the first 12 hex
 * digits of a SHA-256 over every file's path and SHA-256, in path order.
 * It changes exactly when one of those files changes, appears or goes. */
enum tm_rc tm_content_version(const char *dir, const char *const *subs,
                              size_t n, char version[13],
                              struct tm_error *err) TM_MUST_CHECK;

#endif /* TM_PUBLISH_H */
