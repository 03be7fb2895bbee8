/* test_publish.c - publish.c: staging, manifest.json, changes.txt, the
 * atomic swap, refusing folders that are not trustmap builds, abort,
 * stale staging folders, tm_write_file, and readers never seeing half a
 * build while builds are published one after another.
 *
 * Each test works in its own folder under /tmp (mkdtemp) and removes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "publish.h"
#include "support.h"

#define SHA_ABC \
  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_HELLO \
  "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

struct fixture {
  char root[64];
  char *out;
};

/* ---- helpers -------------------------------------------------------- */

static char *read_in(const char *dir, const char *name)
{
  char *path = tm_xasprintf("%s/%s", dir, name);
  size_t len;
  char *text = (char *)support_slurp(path, &len);

  free(path);
  return text;
}

static void put(const char *dir, const char *name, const char *text)
{
  struct tm_error err = { TM_OK, "" };
  char *path = tm_xasprintf("%s/%s", dir, name);

  assert_int_equal(tm_write_file(path, text, strlen(text), &err), TM_OK);
  free(path);
}

static void assert_file(const char *dir, const char *name, const char *want)
{
  char *got = read_in(dir, name);

  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
}

static bool exists(const char *dir, const char *name)
{
  char *path = tm_xasprintf("%s/%s", dir, name);
  struct stat st;
  bool r = !lstat(path, &st);

  free(path);
  return r;
}

/* The names in dir, sorted, joined by spaces. */
static char *listing(const char *dir)
{
  struct dirent **names;
  char *text = tm_xstrdup("");
  int n, i;

  n = scandir(dir, &names, NULL, alphasort);
  assert_true(n >= 0);
  for(i = 0; i < n; i++) {
    if(strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
      char *t = tm_xasprintf("%s%s%s", text, *text ? " " : "",
                             names[i]->d_name);

      free(text);
      text = t;
    }
    free(names[i]);
  }
  free(names);
  return text;
}

static void assert_listing(const char *dir, const char *want)
{
  char *got = listing(dir);

  assert_string_equal(got, want);
  free(got);
}

/* One build: name=content pairs, NULL-terminated. */
static enum tm_rc publish(const char *out, const char *const *files,
                          struct tm_publish_summary *sum,
                          struct tm_error *err)
{
  struct tm_stage *s = NULL;
  enum tm_rc rc = tm_stage_open(out, &s, err);
  size_t i;

  if(rc)
    return rc;
  for(i = 0; files[i]; i += 2)
    put(tm_stage_dir(s), files[i], files[i + 1]);
  return tm_stage_commit(s, sum, err);
}

static int setup(void **state)
{
  struct fixture *fx = tm_xcalloc(1, sizeof(*fx));

  snprintf(fx->root, sizeof(fx->root), "/tmp/test_publish.XXXXXX");
  if(!mkdtemp(fx->root))
    return -1;
  fx->out = tm_xasprintf("%s/out", fx->root);
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;

  support_remove_tree(fx->root);
  free(fx->out);
  free(fx);
  return 0;
}

/* ---- tests ---------------------------------------------------------- */

static void sha256_of_abc_should_be_the_fips_180_value(void **state)
{
  char hex[65];

  (void)state;
  tm_sha256_hex("abc", 3, hex);
  assert_string_equal(hex, SHA_ABC);
  tm_sha256_hex("", 0, hex);
  assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                           "27ae41e4649b934ca495991b7852b855");
}

static void first_publish_should_create_out_with_manifest_and_all_added(
  void **state)
{
  struct fixture *fx = *state;
  const char *const files[] = { "sub/b.txt", "hello", "a.txt", "abc", NULL };
  struct tm_publish_summary sum;
  struct tm_error err = { TM_OK, "" };
  struct stat st;
  mode_t mask = umask(022);

  assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
  umask(mask);
  assert_file(fx->out, "a.txt", "abc");
  assert_file(fx->out, "sub/b.txt", "hello");
  assert_file(fx->out, "manifest.json",
              "{\"generator\":\"trustmap\",\"files\":[\n"
              "{\"path\":\"a.txt\",\"size\":3,\"sha256\":\"" SHA_ABC "\"},\n"
              "{\"path\":\"sub/b.txt\",\"size\":5,\"sha256\":\"" SHA_HELLO
              "\"}\n]}\n");
  assert_file(fx->out, "changes.txt", "added a.txt\nadded sub/b.txt\n");
  assert_int_equal(sum.files, 2);
  assert_int_equal(sum.added, 2);
  assert_int_equal(sum.changed, 0);
  assert_int_equal(sum.removed, 0);
  assert_string_equal(sum.leftover, "");
  /* nothing else beside out, and out is readable by the web server */
  assert_listing(fx->root, "out");
  assert_int_equal(stat(fx->out, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0755);
}

static void second_publish_should_list_changes_and_swap_the_folder(
  void **state)
{
  struct fixture *fx = *state;
  const char *const one[] = { "a.txt", "abc", "b.txt", "same",
                              "gone.txt", "x", NULL };
  const char *const two[] = { "a.txt", "abd", "b.txt", "same",
                              "new/n.txt", "n", NULL };
  struct tm_publish_summary sum;
  struct tm_error err = { TM_OK, "" };
  struct tm_stage *s = NULL;
  struct stat stage_st, out_st;
  size_t i;

  assert_int_equal(publish(fx->out, one, &sum, &err), TM_OK);
  assert_int_equal(tm_stage_open(fx->out, &s, &err), TM_OK);
  for(i = 0; two[i]; i += 2)
    put(tm_stage_dir(s), two[i], two[i + 1]);
  assert_int_equal(stat(tm_stage_dir(s), &stage_st), 0);
  assert_int_equal(tm_stage_commit(s, &sum, &err), TM_OK);

  /* out is now the staging folder itself: swapped, not copied */
  assert_int_equal(stat(fx->out, &out_st), 0);
  assert_true(out_st.st_ino == stage_st.st_ino);
  assert_file(fx->out, "changes.txt",
              "changed a.txt\nremoved gone.txt\nadded new/n.txt\n");
  assert_int_equal(sum.files, 3);
  assert_int_equal(sum.added, 1);
  assert_int_equal(sum.changed, 1);
  assert_int_equal(sum.removed, 1);
  assert_file(fx->out, "a.txt", "abd");
  assert_false(exists(fx->out, "gone.txt"));
  assert_listing(fx->out, "a.txt b.txt changes.txt manifest.json new");
  /* the previous build was removed */
  assert_listing(fx->root, "out");
}

static void rerun_with_the_same_files_should_list_no_changes(void **state)
{
  struct fixture *fx = *state;
  const char *const files[] = { "x", "changed later", "t/1.png", "png",
                                NULL };
  struct tm_publish_summary sum;
  struct tm_error err = { TM_OK, "" };
  char *manifest;

  assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
  manifest = read_in(fx->out, "manifest.json");
  assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
  assert_file(fx->out, "changes.txt", "");
  assert_file(fx->out, "manifest.json", manifest);
  assert_int_equal(sum.files, 2);
  assert_int_equal(sum.added + sum.changed + sum.removed, 0);
  free(manifest);
}

static void a_folder_that_is_not_a_build_should_be_refused_untouched(
  void **state)
{
  struct fixture *fx = *state;
  struct tm_stage *s = NULL;
  struct tm_error err = { TM_OK, "" };

  put(fx->out, "precious.txt", "my thesis");
  assert_int_equal(tm_stage_open(fx->out, &s, &err), TM_USAGE);
  assert_null(s);
  assert_int_equal(err.rc, TM_USAGE);
  assert_non_null(strstr(err.msg, fx->out));
  assert_non_null(strstr(err.msg, "not a trustmap build"));
  assert_non_null(strstr(err.msg, "\n  ("));     /* the fix, indented */
  assert_file(fx->out, "precious.txt", "my thesis");
  assert_listing(fx->root, "out");
}

static void a_manifest_trustmap_did_not_write_should_be_refused(
  void **state)
{
  struct fixture *fx = *state;
  struct tm_stage *s = NULL;
  struct tm_error err = { TM_OK, "" };

  /* a web app's manifest.json is not ours */
  put(fx->out, "manifest.json", "{\"name\":\"My app\",\"files\":[]}");
  put(fx->out, "index.html", "<p>site</p>");
  assert_int_equal(tm_stage_open(fx->out, &s, &err), TM_USAGE);
  assert_non_null(strstr(err.msg, "was not written by trustmap"));
  assert_file(fx->out, "index.html", "<p>site</p>");
  assert_listing(fx->root, "out");
}

static void a_damaged_manifest_should_be_refused(void **state)
{
  struct fixture *fx = *state;
  const char *const files[] = { "a.txt", "abc", NULL };
  struct tm_publish_summary sum;
  struct tm_stage *s = NULL;
  struct tm_error err = { TM_OK, "" };
  char *manifest;

  assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
  manifest = read_in(fx->out, "manifest.json");
  manifest[strlen(manifest) / 2] = '\0';
  put(fx->out, "manifest.json", manifest);
  assert_int_equal(tm_stage_open(fx->out, &s, &err), TM_USAGE);
  assert_non_null(strstr(err.msg, "remove that folder yourself"));
  assert_file(fx->out, "a.txt", "abc");
  assert_listing(fx->root, "out");
  free(manifest);
}

static void a_folder_appearing_before_commit_should_be_refused_untouched(
  void **state)
{
  struct fixture *fx = *state;
  struct tm_publish_summary sum;
  struct tm_stage *s = NULL;
  struct tm_error err = { TM_OK, "" };

  assert_int_equal(tm_stage_open(fx->out, &s, &err), TM_OK);
  put(tm_stage_dir(s), "a.txt", "abc");
  put(fx->out, "precious.txt", "my thesis");
  assert_int_equal(tm_stage_commit(s, &sum, &err), TM_USAGE);
  assert_file(fx->out, "precious.txt", "my thesis");
  assert_listing(fx->out, "precious.txt");
  assert_listing(fx->root, "out");              /* the stage is gone */
}

static void a_symlink_or_a_file_as_out_should_be_refused(void **state)
{
  struct fixture *fx = *state;
  const char *const files[] = { "a.txt", "abc", NULL };
  struct tm_publish_summary sum;
  struct tm_stage *s = NULL;
  struct tm_error err = { TM_OK, "" };
  char *real = tm_xasprintf("%s/real", fx->root);
  char *link = tm_xasprintf("%s/link", fx->root);
  char *file = tm_xasprintf("%s/file", fx->root);

  assert_int_equal(publish(real, files, &sum, &err), TM_OK);
  assert_int_equal(symlink("real", link), 0);
  assert_int_equal(tm_stage_open(link, &s, &err), TM_USAGE);
  assert_non_null(strstr(err.msg, "symbolic link"));
  put(fx->root, "file", "data");
  assert_int_equal(tm_stage_open(file, &s, &err), TM_USAGE);
  assert_non_null(strstr(err.msg, "is a file"));
  assert_null(s);
  assert_file(fx->root, "file", "data");
  assert_file(real, "a.txt", "abc");
  assert_listing(fx->root, "file link real");
  free(real);
  free(link);
  free(file);
}

static void out_naming_no_folder_of_its_own_should_be_refused(void **state)
{
  static const char *const bad[] = { "", "/", ".", "..", "x/..", "./" };
  struct tm_stage *s = NULL;
  struct tm_error err = { TM_OK, "" };
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_equal(tm_stage_open(bad[i], &s, &err), TM_USAGE);
    assert_null(s);
    assert_non_null(strstr(err.msg, "--out"));
  }
}

static void an_empty_folder_or_missing_parents_should_be_fine(void **state)
{
  struct fixture *fx = *state;
  const char *const files[] = { "a.txt", "abc", NULL };
  struct tm_publish_summary sum;
  struct tm_error err = { TM_OK, "" };
  char *deep = tm_xasprintf("%s/x/y/out/", fx->root);   /* trailing '/' */
  char *deepdir = tm_xasprintf("%s/x/y", fx->root);

  assert_int_equal(mkdir(fx->out, 0777), 0);
  assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
  assert_file(fx->out, "changes.txt", "added a.txt\n");
  assert_int_equal(publish(deep, files, &sum, &err), TM_OK);
  assert_file(deepdir, "out/a.txt", "abc");
  assert_listing(deepdir, "out");
  free(deep);
  free(deepdir);
}

/* Snapshot of a tree: "path=content;" for every file, sorted. */
static void snapshot_walk(const char *dir, const char *rel, char **acc)
{
  struct dirent **names;
  int n, i;
  char *path = *rel ? tm_xasprintf("%s/%s", dir, rel) : tm_xstrdup(dir);

  n = scandir(path, &names, NULL, alphasort);
  assert_true(n >= 0);
  for(i = 0; i < n; i++) {
    const char *name = names[i]->d_name;

    if(strcmp(name, ".") && strcmp(name, "..")) {
      char *sub = *rel ? tm_xasprintf("%s/%s", rel, name)
                       : tm_xstrdup(name);
      char *full = tm_xasprintf("%s/%s", dir, sub);
      struct stat st;

      assert_int_equal(lstat(full, &st), 0);
      if(S_ISDIR(st.st_mode))
        snapshot_walk(dir, sub, acc);
      else {
        size_t len;
        char *text = (char *)support_slurp(full, &len);
        char *t = tm_xasprintf("%s%s=%s;", *acc, sub, text);

        free(text);
        free(*acc);
        *acc = t;
      }
      free(full);
      free(sub);
    }
    free(names[i]);
  }
  free(names);
  free(path);
}

static char *snapshot(const char *dir)
{
  char *acc = tm_xstrdup("");

  snapshot_walk(dir, "", &acc);
  return acc;
}

static void abort_should_leave_the_previous_out_byte_identical(
  void **state)
{
  struct fixture *fx = *state;
  const char *const files[] = { "a.txt", "abc", "t/0/0/0.png", "tile",
                                NULL };
  struct tm_publish_summary sum;
  struct tm_stage *s = NULL;
  struct tm_error err = { TM_OK, "" };
  char *before, *after;

  assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
  before = snapshot(fx->out);
  assert_int_equal(tm_stage_open(fx->out, &s, &err), TM_OK);
  put(tm_stage_dir(s), "a.txt", "half-written");
  put(tm_stage_dir(s), "t/9/9/9.png", "new tile");
  tm_stage_abort(s);
  tm_stage_abort(NULL);
  after = snapshot(fx->out);
  assert_string_equal(after, before);
  assert_listing(fx->root, "out");
  free(before);
  free(after);
}

static void a_failed_commit_should_leave_out_untouched_and_no_stage(
  void **state)
{
  struct fixture *fx = *state;
  const char *const files[] = { "a.txt", "abc", NULL };
  struct tm_publish_summary sum;
  struct tm_stage *s = NULL;
  struct tm_error err = { TM_OK, "" };
  char *before, *after, *link;

  assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
  before = snapshot(fx->out);
  assert_int_equal(tm_stage_open(fx->out, &s, &err), TM_OK);
  put(tm_stage_dir(s), "a.txt", "new");
  /* a symbolic link cannot be published */
  link = tm_xasprintf("%s/evil", tm_stage_dir(s));
  assert_int_equal(symlink("/etc/passwd", link), 0);
  free(link);
  assert_int_equal(tm_stage_commit(s, &sum, &err), TM_SYSTEM);
  assert_non_null(strstr(err.msg, "evil: is a symbolic link"));
  after = snapshot(fx->out);
  assert_string_equal(after, before);
  assert_listing(fx->root, "out");
  free(before);
  free(after);
}

static void stale_staging_folders_of_dead_runs_should_be_removed(
  void **state)
{
  struct fixture *fx = *state;
  const char *const files[] = { "a.txt", "abc", NULL };
  struct tm_publish_summary sum;
  struct tm_error err = { TM_OK, "" };
  char *live = tm_xasprintf("%s/out.staging-Live01", fx->root);
  int fd;

  assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
  /* dead runs: nobody holds their lock */
  put(fx->root, "out.staging-Dead01/tiles/0/0/0.png", "x");
  put(fx->root, "out.old-Dead02/a.txt", "old");
  /* a live run: we hold its lock */
  put(live, "a.txt", "being written");
  fd = open(live, O_RDONLY | O_DIRECTORY);
  assert_true(fd >= 0);
  assert_int_equal(flock(fd, LOCK_EX), 0);
  /* not ours: other names, other builds' stages */
  put(fx->root, "out.staging-notes/keep.txt", "k");
  put(fx->root, "other.staging-Dead03/keep.txt", "k");

  assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
  assert_listing(fx->root, "other.staging-Dead03 out out.staging-Live01 "
                 "out.staging-notes");
  assert_file(live, "a.txt", "being written");
  close(fd);
  free(live);
}

static void write_file_should_make_folders_and_report_failures(
  void **state)
{
  struct fixture *fx = *state;
  struct tm_error err = { TM_OK, "" };
  char *path = tm_xasprintf("%s/a/b/c/d.bin", fx->root);
  char *bad = tm_xasprintf("%s/a/b/c/d.bin/e.bin", fx->root);
  static const char bytes[] = { 'x', '\0', 'y' };
  struct stat st;

  assert_int_equal(tm_write_file(path, bytes, 3, &err), TM_OK);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_size, 3);
  /* a second write replaces the file */
  assert_int_equal(tm_write_file(path, "z", 1, &err), TM_OK);
  assert_file(fx->root, "a/b/c/d.bin", "z");
  assert_int_equal(tm_write_file(bad, "z", 1, &err), TM_SYSTEM);
  assert_int_equal(err.rc, TM_SYSTEM);
  assert_non_null(strstr(err.msg, bad));
  assert_non_null(strstr(err.msg, "Not a directory"));
  free(path);
  free(bad);
}

/* A reader that opens out, then two files through that folder: they
 * must come from the same build, and out must always be there. Exits 0
 * after it has seen at least one build, 1 when out is missing, 2 when the
 * two files disagree. */
static int reader(const char *out, const char *stop)
{
  char a[32], b[32];
  int seen = 0;

  while(access(stop, F_OK)) {
    int d = open(out, O_RDONLY | O_DIRECTORY);
    int fa, fb;
    ssize_t na, nb;

    if(d < 0)
      return 1;
    fa = openat(d, "a.txt", O_RDONLY);
    fb = openat(d, "dir/b.txt", O_RDONLY);
    if(fa >= 0 && fb >= 0) {
      na = read(fa, a, sizeof(a));
      nb = read(fb, b, sizeof(b));
      /* an old tree may be removed while we read it: only compare what
       * both reads returned */
      if(na > 0 && nb > 0) {
        if(na != nb || memcmp(a, b, (size_t)na))
          return 2;
        seen++;
      }
    }
    else if(errno != ENOENT)
      return 3;
    if(fa >= 0)
      close(fa);
    if(fb >= 0)
      close(fb);
    close(d);
  }
  return seen ? 0 : 4;
}

static void out_should_always_hold_one_whole_build_while_publishing(
  void **state)
{
  struct fixture *fx = *state;
  struct tm_publish_summary sum;
  struct tm_error err = { TM_OK, "" };
  char *stop = tm_xasprintf("%s/stop", fx->root);
  char n[16];
  const char *files[] = { "a.txt", n, "dir/b.txt", n, NULL };
  pid_t pid;
  int status, i;

  snprintf(n, sizeof(n), "build 0");
  assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
  pid = fork();
  assert_true(pid >= 0);
  if(!pid)
    _exit(reader(fx->out, stop));
  for(i = 1; i <= 40; i++) {
    snprintf(n, sizeof(n), "build %d", i);
    assert_int_equal(publish(fx->out, files, &sum, &err), TM_OK);
    assert_int_equal(sum.changed, 2);
  }
  put(fx->root, "stop", "");
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_file(fx->out, "a.txt", "build 40");
  free(stop);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(sha256_of_abc_should_be_the_fips_180_value),
    cmocka_unit_test_setup_teardown(
      first_publish_should_create_out_with_manifest_and_all_added,
      setup, teardown),
    cmocka_unit_test_setup_teardown(
      second_publish_should_list_changes_and_swap_the_folder,
      setup, teardown),
    cmocka_unit_test_setup_teardown(
      rerun_with_the_same_files_should_list_no_changes, setup, teardown),
    cmocka_unit_test_setup_teardown(
      a_folder_that_is_not_a_build_should_be_refused_untouched,
      setup, teardown),
    cmocka_unit_test_setup_teardown(
      a_manifest_trustmap_did_not_write_should_be_refused,
      setup, teardown),
    cmocka_unit_test_setup_teardown(
      a_damaged_manifest_should_be_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(
      a_folder_appearing_before_commit_should_be_refused_untouched,
      setup, teardown),
    cmocka_unit_test_setup_teardown(
      a_symlink_or_a_file_as_out_should_be_refused, setup, teardown),
    cmocka_unit_test(out_naming_no_folder_of_its_own_should_be_refused),
    cmocka_unit_test_setup_teardown(
      an_empty_folder_or_missing_parents_should_be_fine, setup, teardown),
    cmocka_unit_test_setup_teardown(
      abort_should_leave_the_previous_out_byte_identical, setup, teardown),
    cmocka_unit_test_setup_teardown(
      a_failed_commit_should_leave_out_untouched_and_no_stage,
      setup, teardown),
    cmocka_unit_test_setup_teardown(
      stale_staging_folders_of_dead_runs_should_be_removed,
      setup, teardown),
    cmocka_unit_test_setup_teardown(
      write_file_should_make_folders_and_report_failures, setup, teardown),
    cmocka_unit_test_setup_teardown(
      out_should_always_hold_one_whole_build_while_publishing,
      setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
