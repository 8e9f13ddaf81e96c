/*
** test_outfile.c: files written whole or not at all, and directories made
** on the way.
**
** The suite works in a temporary directory made with mkdtemp under /tmp,
** under short relative names so that the expected messages read as they
** would for a user; the directory tree is removed at the end. The tests
** run as root, where permissions do not stop anything, so failures are
** provoked with a regular file used as a directory, a directory in the
** way of a rename, and a file-size limit.
*/
#define _XOPEN_SOURCE 700 /* nftw, setrlimit */
#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "naryn_int.h"
#include "testutil.h"

/* Counts the temporary files (".NAME.naryn-tmp-PID-XXXXXX") left in dir. */
static int count_temps(const char *dir) {
  DIR *dp = opendir(dir);
  assert_non_null(dp);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dp)) != NULL)
    if (e->d_name[0] == '.' && strstr(e->d_name, NARYN__TEMP_TAG)) n++;
  closedir(dp);
  return n;
}

/* Returns the whole content of a file in a heap string (free it). */
static char *slurp(const char *path) {
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  size_t cap = 1024, n = 0;
  char *s = malloc(cap);
  assert_non_null(s);
  for (;;) {
    n += fread(s + n, 1, cap - n - 1, fp);
    if (n + 1 < cap) break;
    cap *= 2;
    s = realloc(s, cap);
    assert_non_null(s);
  }
  fclose(fp);
  s[n] = '\0';
  return s;
}

/* Writes text to path through an outfile and commits it. */
static void put(const char *path, const char *text) {
  naryn_diags *d = naryn_diags_new(0);
  naryn__outfile *f = naryn__outfile_open(path, d);
  assert_non_null(f);
  naryn__outfile_write(f, text, strlen(text));
  assert_int_equal(naryn__outfile_commit(f, d), NARYN_OK);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

/* Formats the only diagnostic in d into buf. */
static const char *only_diag(naryn_diags *d, char *buf, size_t size) {
  assert_int_equal(naryn_diags_count(d), 1);
  assert_int_equal(naryn_diags_errors(d), 1);
  naryn_diag_format(naryn_diags_get(d, 0), buf, size);
  return buf;
}

static void commit_writes_whole_file_and_leaves_no_temporary(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn__outfile *f = naryn__outfile_open("nodes.csv", d);
  assert_non_null(f);
  assert_int_equal(count_temps("."), 1);
  /* More than the stdio buffer, so that some is written before commit. */
  const int n = 40000;
  size_t cap = (size_t)n * 48 + 64, len = 0;
  char *want = malloc(cap);
  assert_non_null(want);
  naryn__outfile_printf(f, "%s\n", "date,node,storage_hm3");
  len += (size_t)snprintf(want, cap, "date,node,storage_hm3\n");
  for (int i = 0; i < n; i++) {
    naryn__outfile_printf(f, "2020-%02d-01,Toktogul,%d.5\n", i % 12 + 1, i);
    len += (size_t)snprintf(want + len, cap - len,
                            "2020-%02d-01,Toktogul,%d.5\n", i % 12 + 1, i);
  }
  naryn__outfile_write(f, "end\n", 4);
  naryn__outfile_write(f, "", 0);
  memcpy(want + len, "end\n", 5);
  /* Nothing appears under the final name before commit. */
  assert_int_equal(access("nodes.csv", F_OK), -1);
  assert_int_equal(naryn__outfile_commit(f, d), NARYN_OK);
  assert_int_equal(naryn_diags_count(d), 0);
  char *got = slurp("nodes.csv");
  assert_string_equal(got, want);
  free(got);
  free(want);
  assert_int_equal(count_temps("."), 0);
  naryn_diags_free(d);
}

static void commit_replaces_previous_file(void **state) {
  (void)state;
  assert_int_equal(mkdir("sub", 0777), 0);
  put("sub/run.csv", "old\n");
  put("sub/run.csv", "new\n");
  char *got = slurp("sub/run.csv");
  assert_string_equal(got, "new\n");
  free(got);
  assert_int_equal(count_temps("sub"), 0);
}

static void abort_keeps_previous_file(void **state) {
  (void)state;
  put("summary.csv", "old\n");
  naryn_diags *d = naryn_diags_new(0);
  naryn__outfile *f = naryn__outfile_open("summary.csv", d);
  assert_non_null(f);
  naryn__outfile_printf(f, "half of a new %s", "file");
  assert_int_equal(count_temps("."), 1);
  naryn__outfile_abort(f);
  naryn__outfile_abort(NULL);
  char *got = slurp("summary.csv");
  assert_string_equal(got, "old\n");
  free(got);
  assert_int_equal(count_temps("."), 0);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

static void open_fails_where_no_directory_is(void **state) {
  (void)state;
  char buf[1024];
  naryn_diags *d = naryn_diags_new(0);
  assert_null(naryn__outfile_open("missing/links.csv", d));
  assert_string_equal(only_diag(d, buf, sizeof buf),
                      "missing/links.csv: error: cannot write: No such file "
                      "or directory");
  assert_int_equal(naryn_diags_get(d, 0)->code, NARYN_EIO);
  naryn_diags_clear(d);
  put("plain", "a regular file\n");
  assert_null(naryn__outfile_open("plain/links.csv", d));
  assert_string_equal(only_diag(d, buf, sizeof buf),
                      "plain/links.csv: error: cannot write: Not a directory");
  naryn_diags_clear(d);
  assert_null(naryn__outfile_open("dir/", d));
  assert_string_equal(only_diag(d, buf, sizeof buf),
                      "dir/: error: cannot write: Is a directory");
  naryn_diags_free(d);
}

static void failed_rename_keeps_target_and_removes_temporary(void **state) {
  (void)state;
  char buf[1024];
  assert_int_equal(mkdir("target", 0777), 0);
  put("target/inside", "kept\n");
  naryn_diags *d = naryn_diags_new(0);
  naryn__outfile *f = naryn__outfile_open("target", d);
  assert_non_null(f);
  naryn__outfile_printf(f, "x\n");
  assert_int_equal(naryn__outfile_commit(f, d), NARYN_EIO);
  assert_string_equal(only_diag(d, buf, sizeof buf),
                      "target: error: cannot write: Is a directory");
  char *got = slurp("target/inside");
  assert_string_equal(got, "kept\n");
  free(got);
  assert_int_equal(count_temps("."), 0);
  assert_int_equal(naryn__outfile_commit(NULL, d), NARYN_EIO);
  naryn_diags_free(d);
}

static void write_errors_are_reported_at_commit(void **state) {
  (void)state;
  char buf[1024], block[4096];
  memset(block, 'x', sizeof block);
  put("big.csv", "previous\n");
  naryn_diags *d = naryn_diags_new(0);
  naryn__outfile *f = naryn__outfile_open("big.csv", d);
  assert_non_null(f);
  /* A file-size limit makes write() fail with EFBIG once the buffer is
  ** flushed; the limit is lifted again before anything is checked, since
  ** cmocka's own output may go to a file. */
  struct rlimit old, small;
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  small = old;
  small.rlim_cur = 100000;
  void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
  int set = setrlimit(RLIMIT_FSIZE, &small);
  for (int i = 0; i < 200; i++) naryn__outfile_write(f, block, sizeof block);
  naryn__outfile_printf(f, "ignored after the error\n");
  int rc = naryn__outfile_commit(f, d);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, oldsig);
  assert_int_equal(set, 0);
  assert_int_equal(rc, NARYN_EIO);
  assert_string_equal(only_diag(d, buf, sizeof buf),
                      "big.csv: error: cannot write: File too large");
  char *got = slurp("big.csv");
  assert_string_equal(got, "previous\n");
  free(got);
  assert_int_equal(count_temps("."), 0);
  naryn_diags_free(d);
}

static void committed_mode_follows_umask(void **state) {
  (void)state;
  const mode_t masks[] = {022, 027, 077, 0, 002};
  mode_t saved = umask(022);
  for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
    umask(masks[i]);
    put("mode.csv", "m\n");
    struct stat st;
    assert_int_equal(stat("mode.csv", &st), 0);
    assert_int_equal(st.st_mode & 0777, 0666 & ~masks[i]);
  }
  umask(saved);
}

static void mkdirs_creates_nested_directories(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn__mkdirs("out/run1//monthly/", d), NARYN_OK);
  struct stat st;
  assert_int_equal(stat("out/run1/monthly", &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  assert_int_equal(naryn__mkdirs("out/run1/monthly", d), NARYN_OK);
  assert_int_equal(naryn__mkdirs("out", d), NARYN_OK);
  char abs[4200];
  snprintf(abs, sizeof abs, "%s/out/abs/x", tu_group_dir);
  assert_int_equal(naryn__mkdirs(abs, d), NARYN_OK);
  assert_int_equal(stat("out/abs/x", &st), 0);
  assert_int_equal(naryn__mkdirs(".", d), NARYN_OK);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

static void mkdirs_fails_on_a_file_component(void **state) {
  (void)state;
  char buf[1024];
  put("afile", "not a directory\n");
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn__mkdirs("afile/sub/deeper", d), NARYN_EIO);
  assert_string_equal(only_diag(d, buf, sizeof buf),
                      "afile/sub/deeper: error: cannot create directory: Not "
                      "a directory");
  naryn_diags_clear(d);
  assert_int_equal(naryn__mkdirs("afile", d), NARYN_EIO);
  assert_string_equal(only_diag(d, buf, sizeof buf),
                      "afile: error: cannot create directory: Not a "
                      "directory");
  naryn_diags_clear(d);
  assert_int_equal(naryn__mkdirs("", d), NARYN_EIO);
  assert_string_equal(only_diag(d, buf, sizeof buf),
                      "error: cannot create directory: No such file or "
                      "directory");
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(commit_writes_whole_file_and_leaves_no_temporary),
      cmocka_unit_test(commit_replaces_previous_file),
      cmocka_unit_test(abort_keeps_previous_file),
      cmocka_unit_test(open_fails_where_no_directory_is),
      cmocka_unit_test(failed_rename_keeps_target_and_removes_temporary),
      cmocka_unit_test(write_errors_are_reported_at_commit),
      cmocka_unit_test(committed_mode_follows_umask),
      cmocka_unit_test(mkdirs_creates_nested_directories),
      cmocka_unit_test(mkdirs_fails_on_a_file_component),
  };
  return cmocka_run_group_tests(tests, tu_enter_tmpdir, tu_leave_tmpdir);
}
