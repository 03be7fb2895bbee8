/* faultinject.c - an LD_PRELOAD library that makes one I/O call fail, for
 * the io-faults case: a disk that fills up, or a rename the file system
 * refuses, at any one moment of writing and publishing a build.
 *
 * Only calls on paths under TM_FAULT_DIR (the output folder's parent),
 * and on the file descriptors opened there, are counted; inputs, PROJ's
 * database and the fonts are left alone.
 *
 *   TM_FAULT=write:3      the 3rd counted write() fails (ENOSPC; EIO for
 *                         renames and removals)
 *   TM_FAULT_COUNT=FILE   at exit, append "NAME COUNT" lines to FILE, so
 *                         a run without a fault tells how many calls of
 *                         each kind there are to fail one by one.
 *
 * Functions: open, openat, write, close, fsync, syncfs, mkdir, rename,
 * renameat2, remove. (Calls glibc makes internally, such as mkdtemp's
 * mkdir or stdio's writes, are not seen; publish.c makes its own.)
 */
/* Both open and open64 are defined here: the headers must not turn one
 * into the other. */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum fn {
  FN_OPEN, FN_WRITE, FN_CLOSE, FN_FSYNC, FN_SYNCFS, FN_MKDIR, FN_RENAME,
  FN_REMOVE, FN_COUNT
};

static const char *const fn_names[FN_COUNT] = {
  "open", "write", "close", "fsync", "syncfs", "mkdir", "rename", "remove"
};

#define MAX_FD 4096

static long counts[FN_COUNT];
static int fault_fn = -1;
static long fault_at;
static const char *dir;
static size_t dir_len;
static bool tracked[MAX_FD];

static void setup(void)
{
  static bool done;
  const char *f;
  int i;

  if(done)
    return;
  done = true;
  dir = getenv("TM_FAULT_DIR");
  dir_len = dir ? strlen(dir) : 0;
  f = getenv("TM_FAULT");
  if(!f)
    return;
  for(i = 0; i < FN_COUNT; i++) {
    size_t n = strlen(fn_names[i]);

    if(!strncmp(f, fn_names[i], n) && f[n] == ':') {
      fault_fn = i;
      fault_at = strtol(f + n + 1, NULL, 10);
    }
  }
}

static bool under_dir(const char *path)
{
  setup();
  return dir && path && !strncmp(path, dir, dir_len);
}

static bool fd_tracked(int fd)
{
  return fd >= 0 && fd < MAX_FD && tracked[fd];
}

/* Counts a call; true when this one is to fail (errno is set). */
static bool fails(enum fn f)
{
  setup();
  counts[f]++;
  if((int)f != fault_fn || counts[f] != fault_at)
    return false;
  errno = f == FN_RENAME || f == FN_REMOVE ? EIO : ENOSPC;
  return true;
}

__attribute__((destructor)) static void report(void)
{
  const char *path = getenv("TM_FAULT_COUNT");
  FILE *fp;
  int i;

  if(!path)
    return;
  fp = fopen(path, "a");
  if(!fp)
    return;
  for(i = 0; i < FN_COUNT; i++)
    fprintf(fp, "%s %ld\n", fn_names[i], counts[i]);
  fclose(fp);
}

#define NEXT(type, name, args) \
  static type (*next) args; \
  if(!next) \
    *(void **)&next = dlsym(RTLD_NEXT, name)

static int track(int fd)
{
  if(fd >= 0 && fd < MAX_FD)
    tracked[fd] = true;
  return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
         ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
  NEXT(int, "open", (const char *, int, ...));
  va_list ap;
  mode_t mode;

  va_start(ap, flags);
  mode = mode_arg(flags, ap);
  va_end(ap);
  if(!under_dir(path))
    return next(path, flags, mode);
  if(fails(FN_OPEN))
    return -1;
  return track(next(path, flags, mode));
}

int open64(const char *path, int flags, ...)
{
  NEXT(int, "open64", (const char *, int, ...));
  va_list ap;
  mode_t mode;

  va_start(ap, flags);
  mode = mode_arg(flags, ap);
  va_end(ap);
  if(!under_dir(path))
    return next(path, flags, mode);
  if(fails(FN_OPEN))
    return -1;
  return track(next(path, flags, mode));
}

int openat(int dfd, const char *path, int flags, ...)
{
  NEXT(int, "openat", (int, const char *, int, ...));
  va_list ap;
  mode_t mode;

  va_start(ap, flags);
  mode = mode_arg(flags, ap);
  va_end(ap);
  if(!under_dir(path) && !(path[0] != '/' && fd_tracked(dfd)))
    return next(dfd, path, flags, mode);
  if(fails(FN_OPEN))
    return -1;
  return track(next(dfd, path, flags, mode));
}

int openat64(int dfd, const char *path, int flags, ...)
{
  NEXT(int, "openat64", (int, const char *, int, ...));
  va_list ap;
  mode_t mode;

  va_start(ap, flags);
  mode = mode_arg(flags, ap);
  va_end(ap);
  if(!under_dir(path) && !(path[0] != '/' && fd_tracked(dfd)))
    return next(dfd, path, flags, mode);
  if(fails(FN_OPEN))
    return -1;
  return track(next(dfd, path, flags, mode));
}

ssize_t write(int fd, const void *buf, size_t n)
{
  NEXT(ssize_t, "write", (int, const void *, size_t));

  if(fd_tracked(fd) && fails(FN_WRITE))
    return -1;
  return next(fd, buf, n);
}

int close(int fd)
{
  NEXT(int, "close", (int));
  bool t = fd_tracked(fd);

  if(t)
    tracked[fd] = false;
  if(t && fails(FN_CLOSE)) {
    next(fd);          /* Linux frees the descriptor even on failure */
    errno = EIO;
    return -1;
  }
  return next(fd);
}

int fsync(int fd)
{
  NEXT(int, "fsync", (int));

  if(fd_tracked(fd) && fails(FN_FSYNC))
    return -1;
  return next(fd);
}

int syncfs(int fd)
{
  NEXT(int, "syncfs", (int));

  if(fd_tracked(fd) && fails(FN_SYNCFS))
    return -1;
  return next(fd);
}

int mkdir(const char *path, mode_t mode)
{
  NEXT(int, "mkdir", (const char *, mode_t));

  if(under_dir(path) && fails(FN_MKDIR))
    return -1;
  return next(path, mode);
}

int rename(const char *from, const char *to)
{
  NEXT(int, "rename", (const char *, const char *));

  if(under_dir(from) && fails(FN_RENAME))
    return -1;
  return next(from, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to,
              unsigned int flags)
{
  NEXT(int, "renameat2", (int, const char *, int, const char *,
                          unsigned int));

  if((under_dir(from) || fd_tracked(fd1)) && fails(FN_RENAME))
    return -1;
  return next(fd1, from, fd2, to, flags);
}

int remove(const char *path)
{
  NEXT(int, "remove", (const char *));

  if(under_dir(path) && fails(FN_REMOVE))
    return -1;
  return next(path);
}
