/* publish.c - staging folder, manifest (SHA-256), change list and the
 * atomic swap of the output folder.
 *
 * The staging folder is "<out>.staging-XXXXXX" (mkdtemp) in out's parent,
 * so the swap is a rename within one filesystem. The steps of a commit:
 *
 *   1. list and hash every file of the stage;
 *   2. lock the parent folder (flock), so two trustmap runs publishing
 *      beside each other take turns and each change list is against the
 *      build it really replaces;
 *   3. check again that out may be replaced and read its manifest.json;
 *   4. write changes.txt and manifest.json into the stage;
 *   5. syncfs() the stage, so no file of the new build can be lost to a
 *      crash after the swap makes it visible;
 *   6. renameat2(stage, out, RENAME_EXCHANGE): out is now the new build
 *      and the staging path holds the old one; fsync the parent;
 *   7. unlock, then remove the old tree.
 *
 * Where RENAME_EXCHANGE is not supported (EINVAL, ENOSYS: some network
 * and FUSE filesystems) the swap falls back to rename(out, out.old-XXXXXX)
 * then rename(stage, out). Between those two renames out does not exist:
 * readers may see it missing for that instant, never half a build. If the
 * run dies there, the previous build is left in out.old-XXXXXX and nothing
 * removes it while out is missing.
 *
 * Each live stage holds an exclusive flock() on its folder. A later run
 * removes "<out>.staging-XXXXXX" folders (and, when out exists,
 * "<out>.old-XXXXXX") of the same user whose lock it can take: their run
 * died (Ctrl-C during a long render). Creating a stage and removing stale
 * ones happen under the parent folder's lock, so a new stage is never
 * mistaken for a dead one. Where flock() does not work (some NFS setups)
 * nothing is removed as stale.
 *
 * Trees are removed with nftw(FTW_DEPTH | FTW_PHYS | FTW_MOUNT): symbolic
 * links are removed, never followed, and nothing on another filesystem
 * mounted inside is touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <nettle/sha2.h>

#include "publish.h"
#include "util.h"

#define MANIFEST "manifest.json"
#define CHANGES "changes.txt"
#define GENERATOR "trustmap"

struct tm_stage {
  char *out;      /* the output folder, without trailing slashes */
  char *parent;   /* its parent folder: "." for a bare name */
  char *base;     /* its last component */
  char *dir;      /* the staging folder */
  int fd;         /* open on dir, holding its flock while the stage lives */
  int keep;       /* previous builds to keep as <out>.previous-N */
};

/* One file of a build. */
struct entry {
  char *path;        /* owned; relative, '/'-separated */
  uint64_t size;
  char sha[65];      /* lower-case hex */
};

struct entries {
  struct entry *v;
  size_t n, cap;
};

enum out_state {
  OUT_MISSING,       /* nothing there: a first build */
  OUT_EMPTY,         /* an empty folder */
  OUT_BUILD          /* a folder with a trustmap manifest */
};

/* ---- small helpers -------------------------------------------------- */

static void entries_clear(struct entries *e)
{
  size_t i;

  for(i = 0; i < e->n; i++)
    free(e->v[i].path);
  free(e->v);
  memset(e, 0, sizeof(*e));
}

static struct entry *entries_add(struct entries *e, char *path)
{
  struct entry *en;

  tm_xgrow((void **)&e->v, &e->cap, e->n + 1, sizeof(e->v[0]));
  en = &e->v[e->n++];
  memset(en, 0, sizeof(*en));
  en->path = path;
  return en;
}

static int entry_cmp(const void *a, const void *b)
{
  const struct entry *x = a, *y = b;

  return strcmp(x->path, y->path);
}

static void entries_sort(struct entries *e)
{
  if(e->n > 1)
    qsort(e->v, e->n, sizeof(e->v[0]), entry_cmp);
}

/* Drops repeated paths from a sorted list (a hand-edited manifest). */
static void dedupe(struct entries *e)
{
  size_t i, n = 0;

  for(i = 0; i < e->n; i++) {
    if(n && !strcmp(e->v[n - 1].path, e->v[i].path)) {
      free(e->v[i].path);
      continue;
    }
    e->v[n++] = e->v[i];
  }
  e->n = n;
}

static void digest_hex(const uint8_t *d, char hex[65])
{
  static const char digits[] = "0123456789abcdef";
  size_t i;

  for(i = 0; i < SHA256_DIGEST_SIZE; i++) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  hex[64] = '\0';
}

/* flock() that retries when a signal interrupts it. */
static int lock_fd(int fd, int how)
{
  int r;

  do
    r = flock(fd, how);
  while(r && errno == EINTR);
  return r;
}

static void close_fd(int *fd)
{
  if(*fd >= 0)
    close(*fd);
  *fd = -1;
}

/* mkdir -p: creates path and its missing parents. EEXIST is fine at every
 * step (another thread may have made the folder first); a file in the
 * way shows up as ENOTDIR on the next step or in the caller's open(). */
static int make_dirs(const char *path)
{
  char *p = tm_xstrdup(path);
  char *s;
  int rc = 0;

  for(s = p + 1; *s; s++) {
    if(*s != '/' || s[-1] == '/')
      continue;
    *s = '\0';
    if(mkdir(p, 0777) && errno != EEXIST)
      rc = -1;
    *s = '/';
    if(rc)
      break;
  }
  if(!rc && mkdir(p, 0777) && errno != EEXIST)
    rc = -1;
  free(p);
  return rc;
}

/* nftw() callback: with FTW_DEPTH a folder comes after its contents. */
static int remove_one(const char *path, const struct stat *sb, int type,
                      struct FTW *ftw)
{
  (void)sb;
  (void)type;
  (void)ftw;
  return remove(path) ? -1 : 0;
}

/* Removes path and everything under it. True when nothing is left. */
static bool remove_tree(const char *path)
{
  struct stat st;

  if(nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == 0)
    return true;
  return lstat(path, &st) && errno == ENOENT;
}

/* ---- hashing and listing -------------------------------------------- */

static enum tm_rc hash_fd(int fd, const char *path, struct entry *en,
                          struct tm_error *err)
{
  static const size_t bufsize = 1 << 16;
  unsigned char *buf = tm_xmalloc(bufsize);
  uint8_t digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx ctx;
  uint64_t size = 0;

  sha256_init(&ctx);
  for(;;) {
    ssize_t got = read(fd, buf, bufsize);

    if(got < 0 && errno == EINTR)
      continue;
    if(got < 0) {
      free(buf);
      return tm_fail_errno(err, "%s: cannot read", path);
    }
    if(!got)
      break;
    sha256_update(&ctx, (size_t)got, buf);
    size += (uint64_t)got;
  }
  free(buf);
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
  digest_hex(digest, en->sha);
  en->size = size;
  return TM_OK;
}

/* Adds every file under the folder open on dfd (which this takes over)
 * to *e. rel is the folder's path relative to the root ("" for the root
 * itself), root the root as given, for messages. At the root, manifest.json
 * and changes.txt are left out: they describe the build, see publish.h. */
static enum tm_rc walk(int dfd, const char *root, const char *rel,
                       struct entries *e, struct tm_error *err)
{
  DIR *d = fdopendir(dfd);
  struct dirent *de;
  enum tm_rc rc = TM_OK;

  if(!d) {
    close(dfd);
    return tm_fail_errno(err, "%s/%s: cannot list", root, rel);
  }
  for(;;) {
    char *path;
    struct stat st;
    int fd;

    errno = 0;
    de = readdir(d);
    if(!de) {
      if(errno)
        rc = tm_fail_errno(err, "%s/%s: cannot list", root, rel);
      break;
    }
    if(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    if(!*rel && (!strcmp(de->d_name, MANIFEST) ||
                 !strcmp(de->d_name, CHANGES)))
      continue;
    path = *rel ? tm_xasprintf("%s/%s", rel, de->d_name)
                : tm_xstrdup(de->d_name);
    /* O_NOFOLLOW: a symbolic link fails with ELOOP instead of being
     * followed; O_NONBLOCK: a FIFO cannot hang the run. */
    fd = openat(dirfd(d), de->d_name,
                O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if(fd < 0) {
      rc = errno == ELOOP
           ? tm_fail(err, TM_SYSTEM, "%s/%s: is a symbolic link; only "
                     "files and folders can be published", root, path)
           : tm_fail_errno(err, "%s/%s: cannot open", root, path);
      free(path);
      break;
    }
    if(fstat(fd, &st)) {
      rc = tm_fail_errno(err, "%s/%s: cannot stat", root, path);
      close(fd);
      free(path);
      break;
    }
    if(S_ISDIR(st.st_mode)) {
      rc = walk(fd, root, path, e, err);   /* takes fd */
      free(path);
    }
    else if(S_ISREG(st.st_mode)) {
      char *full = tm_xasprintf("%s/%s", root, path);
      struct entry *en = entries_add(e, path);

      rc = hash_fd(fd, full, en, err);
      free(full);
      close(fd);
    }
    else {
      rc = tm_fail(err, TM_SYSTEM, "%s/%s: is not a regular file or a "
                   "folder; only those can be published", root, path);
      close(fd);
      free(path);
    }
    if(rc)
      break;
  }
  closedir(d);
  return rc;
}

/* Every file under root, hashed, sorted by path. */
static enum tm_rc list_tree(const char *root, struct entries *e,
                            struct tm_error *err)
{
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  enum tm_rc rc;

  if(fd < 0)
    return tm_fail_errno(err, "%s: cannot open", root);
  rc = walk(fd, root, "", e, err);
  if(!rc)
    entries_sort(e);
  return rc;
}

/* ---- manifest.json -------------------------------------------------- */

static char *manifest_text(const struct entries *e)
{
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  size_t i;

  if(!m)
    tm_oom();
  fputs("{\"generator\":\"" GENERATOR "\",\"files\":[", m);
  for(i = 0; i < e->n; i++) {
    cJSON *o = cJSON_CreateObject();
    char *line;

    if(!o || !cJSON_AddStringToObject(o, "path", e->v[i].path) ||
       !cJSON_AddNumberToObject(o, "size", (double)e->v[i].size) ||
       !cJSON_AddStringToObject(o, "sha256", e->v[i].sha))
      tm_oom();
    line = cJSON_PrintUnformatted(o);
    if(!line)
      tm_oom();
    fprintf(m, "%s\n%s", i ? "," : "", line);
    cJSON_free(line);
    cJSON_Delete(o);
  }
  fputs(e->n ? "\n]}\n" : "]}\n", m);
  if(fclose(m))
    tm_oom();
  return text;
}

static bool is_plain_path(const char *s)
{
  if(!*s || *s == '/')
    return false;
  for(; *s; s++)
    if((unsigned char)*s < 0x20)
      return false;
  return true;
}

/* Parses a manifest; false when it is not one trustmap wrote. */
static bool parse_manifest(const char *buf, size_t len, struct entries *e)
{
  cJSON *root = cJSON_ParseWithLength(buf, len);
  const cJSON *gen = cJSON_GetObjectItemCaseSensitive(root, "generator");
  const cJSON *files = cJSON_GetObjectItemCaseSensitive(root, "files");
  const cJSON *f;
  bool ok = cJSON_IsObject(root) && cJSON_IsString(gen) &&
            !strcmp(gen->valuestring, GENERATOR) && cJSON_IsArray(files);

  cJSON_ArrayForEach(f, (ok ? files : NULL)) {
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(f, "path");
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(f, "size");
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(f, "sha256");
    struct entry *en;

    if(!cJSON_IsString(path) || !is_plain_path(path->valuestring) ||
       !cJSON_IsNumber(size) || !(size->valuedouble >= 0 &&
                                  size->valuedouble < 1e18) ||
       !cJSON_IsString(sha) || !tm_is_sha256_hex(sha->valuestring)) {
      ok = false;
      break;
    }
    en = entries_add(e, tm_xstrdup(path->valuestring));
    en->size = (uint64_t)size->valuedouble;
    memcpy(en->sha, sha->valuestring, 65);
  }
  cJSON_Delete(root);
  if(!ok)
    entries_clear(e);
  entries_sort(e);
  dedupe(e);
  return ok;
}

/* Reads out/manifest.json. *found is false when there is none; a
 * manifest.json that trustmap did not write (a web app's manifest, a
 * damaged file) is a usage error: that folder is not ours to replace. */
static enum tm_rc read_manifest(const char *out, bool *found,
                                struct entries *e, struct tm_error *err)
{
  char *path = tm_xasprintf("%s/" MANIFEST, out);
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  char *buf = NULL;
  size_t len = 0;
  enum tm_rc rc = TM_OK;

  *found = false;
  if(fd < 0 && errno == ENOENT)
    goto done;
  if(fd < 0 && errno != ELOOP) {
    rc = tm_fail_errno(err, "%s: cannot open", path);
    goto done;
  }
  if(fd >= 0 && fstat(fd, &st)) {
    rc = tm_fail_errno(err, "%s: cannot stat", path);
    goto done;
  }
  if(fd >= 0 && S_ISREG(st.st_mode)) {
    buf = tm_xmalloc((size_t)st.st_size + 1);
    while(len < (size_t)st.st_size) {
      ssize_t got = read(fd, buf + len, (size_t)st.st_size - len);

      if(got < 0 && errno == EINTR)
        continue;
      if(got < 0) {
        rc = tm_fail_errno(err, "%s: cannot read", path);
        goto done;
      }
      if(!got)
        break;
      len += (size_t)got;
    }
    *found = parse_manifest(buf, len, e);
  }
  if(!*found)
    rc = tm_fail(err, TM_USAGE, "trustmap: refusing to replace %s: its "
                 MANIFEST " was not written by trustmap\n  (choose another "
                 "--out; if %s is a trustmap build whose manifest was "
                 "damaged, remove that folder yourself)", out, out);

done:
  free(buf);
  close_fd(&fd);
  free(path);
  return rc;
}

static bool dir_is_empty(const char *path, bool *empty)
{
  DIR *d = opendir(path);
  struct dirent *de;
  int saved;

  if(!d)
    return false;
  *empty = true;
  for(;;) {
    errno = 0;
    de = readdir(d);
    if(!de)
      break;
    if(strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
      *empty = false;
      break;
    }
  }
  saved = errno;
  closedir(d);
  errno = saved;
  return !saved;
}

/* May out be replaced? When it holds a build and before is not NULL,
 * *before gets its manifest. */
static enum tm_rc check_out(const char *out, enum out_state *state,
                            struct entries *before, struct tm_error *err)
{
  struct entries scratch = { 0 };
  struct stat st;
  bool found, empty;
  enum tm_rc rc;

  if(lstat(out, &st)) {
    if(errno != ENOENT)
      return tm_fail_errno(err, "%s: cannot check the output folder", out);
    *state = OUT_MISSING;
    return TM_OK;
  }
  if(S_ISLNK(st.st_mode))
    return tm_fail(err, TM_USAGE, "trustmap: refusing to replace %s: it is "
                   "a symbolic link\n  (give --out the folder it points to, "
                   "or another folder)", out);
  if(!S_ISDIR(st.st_mode))
    return tm_fail(err, TM_USAGE, "trustmap: refusing to replace %s: it is "
                   "a file, not a folder\n  (choose another --out, or move "
                   "the file away)", out);
  if(!dir_is_empty(out, &empty))
    return tm_fail_errno(err, "%s: cannot list the output folder", out);
  if(empty) {
    *state = OUT_EMPTY;
    return TM_OK;
  }
  rc = read_manifest(out, &found, before ? before : &scratch, err);
  entries_clear(&scratch);
  if(rc)
    return rc;
  if(!found)
    return tm_fail(err, TM_USAGE, "trustmap: refusing to replace %s: the "
                   "folder is not empty and has no " MANIFEST ", so it is "
                   "not a trustmap build\n  (choose another --out, or empty "
                   "that folder yourself)", out);
  *state = OUT_BUILD;
  return TM_OK;
}

/* ---- changes.txt ---------------------------------------------------- */

static char *changes_text(const struct entries *now,
                          const struct entries *before,
                          struct tm_publish_summary *sum)
{
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  size_t i = 0, j = 0;

  if(!m)
    tm_oom();
  while(i < now->n || j < before->n) {
    int c = i == now->n ? 1 : j == before->n ? -1
            : strcmp(now->v[i].path, before->v[j].path);

    if(c < 0) {
      fprintf(m, "added %s\n", now->v[i++].path);
      sum->added++;
    }
    else if(c > 0) {
      fprintf(m, "removed %s\n", before->v[j++].path);
      sum->removed++;
    }
    else {
      if(strcmp(now->v[i].sha, before->v[j].sha)) {
        fprintf(m, "changed %s\n", now->v[i].path);
        sum->changed++;
      }
      i++;
      j++;
    }
  }
  if(fclose(m))
    tm_oom();
  return text;
}

static enum tm_rc write_text(const char *dir, const char *name, char *text,
                             struct tm_error *err)
{
  char *path = tm_xasprintf("%s/%s", dir, name);
  enum tm_rc rc = tm_write_file(path, text, strlen(text), err);

  free(path);
  free(text);
  return rc;
}

/* ---- the stage ------------------------------------------------------ */

static void stage_free(struct tm_stage *s)
{
  close_fd(&s->fd);
  free(s->out);
  free(s->parent);
  free(s->base);
  free(s->dir);
  free(s);
}

/* Splits outdir into out, parent and base. */
static enum tm_rc split_out(const char *outdir, struct tm_stage *s,
                            struct tm_error *err)
{
  size_t n = strlen(outdir);
  const char *slash;
  const char *base;

  while(n > 1 && outdir[n - 1] == '/')
    n--;
  s->out = tm_xstrndup(outdir, n);
  slash = strrchr(s->out, '/');
  base = slash ? slash + 1 : s->out;
  if(!*base || !strcmp(base, ".") || !strcmp(base, ".."))
    return tm_fail(err, TM_USAGE, "trustmap: --out \"%s\" must name the "
                   "output folder itself, not \".\", \"..\" or \"/\"\n  "
                   "(for example --out out)", outdir);
  s->base = tm_xstrdup(base);
  if(!slash)
    s->parent = tm_xstrdup(".");
  else if(slash == s->out)
    s->parent = tm_xstrdup("/");
  else
    s->parent = tm_xstrndup(s->out, (size_t)(slash - s->out));
  return TM_OK;
}

/* "<base><tag>XXXXXX" with six characters mkdtemp() could have made. */
static bool is_temp_name(const char *name, const char *base, const char *tag)
{
  size_t nb = strlen(base), nt = strlen(tag);
  const char *x;

  if(strncmp(name, base, nb) || strncmp(name + nb, tag, nt))
    return false;
  x = name + nb + nt;
  if(strlen(x) != 6)
    return false;
  for(; *x; x++)
    if(!((*x >= 'a' && *x <= 'z') || (*x >= 'A' && *x <= 'Z') ||
         (*x >= '0' && *x <= '9')))
      return false;
  return true;
}

/* Removes the staging (and old) folders of runs that died. Best effort:
 * whatever cannot be removed is left alone. Called under the parent's
 * lock. */
static void remove_stale(const struct tm_stage *s, enum out_state state)
{
  DIR *d = opendir(s->parent);
  struct dirent *de;

  if(!d)
    return;
  for(;;) {
    struct stat st;
    char *path;
    int fd;

    de = readdir(d);
    if(!de)
      break;
    if(!is_temp_name(de->d_name, s->base, ".staging-") &&
       !(state != OUT_MISSING &&
         is_temp_name(de->d_name, s->base, ".old-")))
      continue;
    if(fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
       !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
      continue;
    fd = openat(dirfd(d), de->d_name,
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if(fd < 0)
      continue;
    if(!lock_fd(fd, LOCK_EX | LOCK_NB)) {
      path = tm_xasprintf("%s/%s", s->parent, de->d_name);
      (void)remove_tree(path);
      free(path);
    }
    close(fd);
  }
  closedir(d);
}

/* Opens and locks the parent folder; -1 with *err set on failure. A lock
 * that the filesystem does not support is skipped (see the top). */
static int lock_parent(const struct tm_stage *s, struct tm_error *err)
{
  int fd = open(s->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if(fd < 0) {
    (void)tm_fail_errno(err, "%s: cannot open", s->parent);
    return -1;
  }
  (void)lock_fd(fd, LOCK_EX);
  return fd;
}

/* The fallback swap, where RENAME_EXCHANGE is not supported. */
static enum tm_rc swap_two_renames(struct tm_stage *s, char **old,
                                   struct tm_error *err)
{
  char *tmp = tm_xasprintf("%s.old-XXXXXX", s->out);

  if(!mkdtemp(tmp)) {
    enum tm_rc rc = tm_fail_errno(err, "%s: cannot create", tmp);

    free(tmp);
    return rc;
  }
  /* rename() replaces the empty placeholder in one step. */
  if(rename(s->out, tmp)) {
    enum tm_rc rc = tm_fail_errno(err, "cannot move %s to %s", s->out, tmp);

    rmdir(tmp);
    free(tmp);
    return rc;
  }
  /* Until the next rename succeeds out does not exist: the one window of
   * this fallback. */
  if(rename(s->dir, s->out)) {
    enum tm_rc rc = tm_fail_errno(err, "cannot move %s to %s", s->dir,
                                  s->out);

    if(rename(tmp, s->out))
      (void)tm_fail_errno(err, "cannot move %s to %s, and cannot move the "
                          "previous build back from %s", s->dir, s->out, tmp);
    free(tmp);
    return rc;
  }
  *old = tmp;
  return TM_OK;
}

/* Puts the stage in out's place. *old is where the previous build now
 * is, or NULL when there was none. */
static enum tm_rc swap(struct tm_stage *s, enum out_state state, char **old,
                       struct tm_error *err)
{
  *old = NULL;
  if(state == OUT_MISSING) {
    if(!renameat2(AT_FDCWD, s->dir, AT_FDCWD, s->out, RENAME_NOREPLACE))
      return TM_OK;
    if(errno == EEXIST)
      return tm_fail(err, TM_SYSTEM, "%s appeared while trustmap was "
                     "publishing; nothing was replaced", s->out);
    if(errno != EINVAL && errno != ENOSYS)
      return tm_fail_errno(err, "cannot move %s to %s", s->dir, s->out);
    if(rename(s->dir, s->out))
      return tm_fail_errno(err, "cannot move %s to %s", s->dir, s->out);
    return TM_OK;
  }
  if(!renameat2(AT_FDCWD, s->dir, AT_FDCWD, s->out, RENAME_EXCHANGE)) {
    *old = tm_xstrdup(s->dir);
    return TM_OK;
  }
  if(errno == EXDEV || errno == EBUSY)
    return tm_fail(err, TM_SYSTEM, "cannot swap %s in for %s: %s\n  (is %s "
                   "a mount point? then give --out a folder inside it)",
                   s->dir, s->out, strerror(errno), s->out);
  if(errno != EINVAL && errno != ENOSYS)
    return tm_fail_errno(err, "cannot swap %s in for %s", s->dir, s->out);
  return swap_two_renames(s, old, err);
}

/* ---- public --------------------------------------------------------- */

enum tm_rc tm_stage_open(const char *outdir, struct tm_stage **out,
                         struct tm_error *err)
{
  struct tm_stage *s = tm_xcalloc(1, sizeof(*s));
  enum out_state state;
  int pfd = -1;
  mode_t mask;
  enum tm_rc rc;

  s->fd = -1;
  rc = split_out(outdir, s, err);
  if(rc)
    goto fail;
  if(make_dirs(s->parent)) {
    rc = tm_fail_errno(err, "%s: cannot create the output's parent folder",
                       s->parent);
    goto fail;
  }
  rc = check_out(s->out, &state, NULL, err);
  if(rc)
    goto fail;

  pfd = lock_parent(s, err);
  if(pfd < 0) {
    rc = err->rc;
    goto fail;
  }
  remove_stale(s, state);
  s->dir = tm_xasprintf("%s.staging-XXXXXX", s->out);
  if(!mkdtemp(s->dir)) {
    rc = tm_fail_errno(err, "%s: cannot create the staging folder", s->dir);
    goto fail;
  }
  s->fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(s->fd < 0) {
    rc = tm_fail_errno(err, "%s: cannot open", s->dir);
    rmdir(s->dir);
    goto fail;
  }
  (void)lock_fd(s->fd, LOCK_EX | LOCK_NB);
  close_fd(&pfd);

  /* mkdtemp() makes the folder 0700; the build gets the mode mkdir()
   * would give it. No other thread runs yet, so reading the umask (which
   * means setting it) is safe here. */
  mask = umask(0);
  umask(mask);
  if(fchmod(s->fd, 0777 & ~mask)) {
    rc = tm_fail_errno(err, "%s: cannot set permissions", s->dir);
    tm_stage_abort(s);
    return rc;
  }
  *out = s;
  return TM_OK;

fail:
  close_fd(&pfd);
  stage_free(s);
  return rc;
}

const char *tm_stage_dir(const struct tm_stage *s)
{
  return s->dir;
}

/* Keeps the build just replaced as <out>.previous-1, shifting older ones
 * up and removing the one beyond s->keep. Each step is one rename, so an
 * interruption leaves whole builds, at worst one too many. */
static void keep_previous(const struct tm_stage *s, const char *old,
                          struct tm_publish_summary *sum)
{
  char *last = tm_xasprintf("%s.previous-%d", s->out, s->keep);
  int k;

  if(!access(last, F_OK) && !remove_tree(last))
    snprintf(sum->leftover, sizeof(sum->leftover), "%s", last);
  free(last);
  for(k = s->keep - 1; k >= 1; k--) {
    char *from = tm_xasprintf("%s.previous-%d", s->out, k);
    char *to = tm_xasprintf("%s.previous-%d", s->out, k + 1);

    (void)rename(from, to);
    free(from);
    free(to);
  }
  {
    char *to = tm_xasprintf("%s.previous-1", s->out);

    if(rename(old, to) && !remove_tree(old))
      snprintf(sum->leftover, sizeof(sum->leftover), "%s", old);
    free(to);
  }
}

void tm_stage_keep(struct tm_stage *s, int keep)
{
  s->keep = keep;
}

enum tm_rc tm_stage_commit(struct tm_stage *s, struct tm_publish_summary *sum,
                           struct tm_error *err)
{
  struct entries now = { 0 }, before = { 0 };
  enum out_state state;
  int pfd = -1, ofd = -1;
  char *old = NULL;
  enum tm_rc rc;

  memset(sum, 0, sizeof(*sum));
  rc = list_tree(s->dir, &now, err);
  if(rc)
    goto fail;

  pfd = lock_parent(s, err);
  if(pfd < 0) {
    rc = err->rc;
    goto fail;
  }
  rc = check_out(s->out, &state, &before, err);
  if(rc)
    goto fail;
  sum->files = now.n;
  rc = write_text(s->dir, CHANGES, changes_text(&now, &before, sum), err);
  if(!rc)
    rc = write_text(s->dir, MANIFEST, manifest_text(&now), err);
  if(rc)
    goto fail;
  if(syncfs(s->fd)) {
    rc = tm_fail_errno(err, "%s: cannot flush to disk", s->dir);
    goto fail;
  }
  if(state != OUT_MISSING) {
    /* Lock the previous build, so no later run takes it for a dead stage
     * while it is being removed below. Best effort: if the lock is taken
     * (a child process still holding the previous run's stage lock), two
     * runs may both remove that old tree, which is harmless. */
    ofd = open(s->out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if(ofd < 0) {
      rc = tm_fail_errno(err, "%s: cannot open", s->out);
      goto fail;
    }
    (void)lock_fd(ofd, LOCK_EX | LOCK_NB);
  }
  rc = swap(s, state, &old, err);
  if(rc)
    goto fail;
  if(fsync(pfd)) {
    /* Only durability is at stake: the swap itself is done. */
  }
  close_fd(&s->fd);
  close_fd(&pfd);
  if(old && s->keep > 0)
    keep_previous(s, old, sum);
  else if(old && !remove_tree(old))
    snprintf(sum->leftover, sizeof(sum->leftover), "%s", old);
  close_fd(&ofd);
  free(old);
  entries_clear(&now);
  entries_clear(&before);
  stage_free(s);
  return TM_OK;

fail:
  close_fd(&ofd);
  close_fd(&pfd);
  entries_clear(&now);
  entries_clear(&before);
  tm_stage_abort(s);
  return rc;
}

void tm_stage_abort(struct tm_stage *s)
{
  if(!s)
    return;
  if(s->dir)
    (void)remove_tree(s->dir);
  stage_free(s);
}

/* Opens a new file at path for writing (replacing any file there),
 * creating missing parent folders as mkdir -p does. */
static enum tm_rc create_file(const char *path, int *fd, struct tm_error *err)
{
  const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;

  *fd = open(path, flags, 0666);
  if(*fd < 0 && errno == ENOENT) {
    const char *slash = strrchr(path, '/');

    if(slash && slash != path) {
      char *dir = tm_xstrndup(path, (size_t)(slash - path));

      if(make_dirs(dir)) {
        enum tm_rc rc = tm_fail_errno(err, "%s: cannot create folder",
                                      dir);

        free(dir);
        return rc;
      }
      free(dir);
      *fd = open(path, flags, 0666);
    }
  }
  if(*fd < 0)
    return tm_fail_errno(err, "%s: cannot create", path);
  return TM_OK;
}

enum tm_rc tm_write_file(const char *path, const void *buf, size_t len,
                         struct tm_error *err)
{
  const char *p = buf;
  enum tm_rc rc;
  int fd;

  rc = create_file(path, &fd, err);
  if(rc)
    return rc;
  while(len) {
    ssize_t n = write(fd, p, len);

    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0) {
      rc = tm_fail_errno(err, "%s: cannot write", path);
      close(fd);
      return rc;
    }
    p += n;
    len -= (size_t)n;
  }
  if(close(fd))
    return tm_fail_errno(err, "%s: cannot write", path);
  return TM_OK;
}

/* The first write error is kept, so the message says "No space left on
 * device" rather than whatever errno fclose() leaves behind. */
struct tm_output {
  FILE *fp;
  int fd;
  int first_errno;
  char *path;
};

static ssize_t output_write(void *cookie, const char *buf, size_t len)
{
  struct tm_output *o = cookie;
  size_t done = 0;

  while(done < len) {
    ssize_t n = write(o->fd, buf + done, len - done);

    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0) {
      if(!o->first_errno)
        o->first_errno = errno;
      return -1;
    }
    done += (size_t)n;
  }
  return (ssize_t)done;
}

static int output_close(void *cookie)
{
  struct tm_output *o = cookie;
  int rc = close(o->fd);

  if(rc && !o->first_errno)
    o->first_errno = errno;
  return rc;
}

enum tm_rc tm_output_open(const char *path, struct tm_output **out,
                          struct tm_error *err)
{
  static const cookie_io_functions_t io = {
    .write = output_write, .close = output_close
  };
  struct tm_output *o;
  enum tm_rc rc;
  int fd;

  *out = NULL;
  rc = create_file(path, &fd, err);
  if(rc)
    return rc;
  o = tm_xcalloc(1, sizeof(*o));
  o->fd = fd;
  o->fp = fopencookie(o, "w", io);
  if(!o->fp)
    tm_oom();
  o->path = tm_xstrdup(path);
  *out = o;
  return TM_OK;
}

FILE *tm_output_stream(struct tm_output *o)
{
  return o->fp;
}

enum tm_rc tm_output_close(struct tm_output *o, struct tm_error *err)
{
  enum tm_rc rc = TM_OK;
  bool failed = ferror(o->fp) != 0;

  if(fclose(o->fp) || failed || o->first_errno) {
    errno = o->first_errno ? o->first_errno : EIO;
    rc = tm_fail_errno(err, "%s: cannot write", o->path);
  }
  free(o->path);
  free(o);
  return rc;
}

void tm_sha256_hex(const void *buf, size_t len, char hex[65])
{
  uint8_t digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx ctx;

  sha256_init(&ctx);
  sha256_update(&ctx, len, buf);
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
  digest_hex(digest, hex);
}

enum tm_rc tm_content_version(const char *dir, const char *const *subs,
                              size_t n, char version[13],
                              struct tm_error *err)
{
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  char hex[65];
  size_t i, k;

  sha256_init(&ctx);
  for(i = 0; i < n; i++) {
    char *root = tm_xasprintf("%s/%s", dir, subs[i]);
    struct entries e = { 0 };
    struct stat st;
    enum tm_rc rc = TM_OK;

    if(stat(root, &st)) {
      /* A missing part is part of the version too. */
      sha256_update(&ctx, strlen(subs[i]) + 1, (const uint8_t *)subs[i]);
      free(root);
      continue;
    }
    if(S_ISDIR(st.st_mode))
      rc = list_tree(root, &e, err);
    else {
      int fd = open(root, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      struct entry *en = entries_add(&e, tm_xstrdup(""));

      if(fd < 0)
        rc = tm_fail_errno(err, "%s: cannot open", root);
      else {
        rc = hash_fd(fd, root, en, err);
        close(fd);
      }
    }
    for(k = 0; !rc && k < e.n; k++) {
      sha256_update(&ctx, strlen(subs[i]) + 1, (const uint8_t *)subs[i]);
      sha256_update(&ctx, strlen(e.v[k].path) + 1,
                    (const uint8_t *)e.v[k].path);
      sha256_update(&ctx, 64, (const uint8_t *)e.v[k].sha);
    }
    entries_clear(&e);
    free(root);
    if(rc)
      return rc;
  }
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
  digest_hex(digest, hex);
  memcpy(version, hex, 12);
  version[12] = '\0';
  return TM_OK;
}
