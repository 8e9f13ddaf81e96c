/*
** test_staging.c: a command's output folder put in place in one step.
**
** The suite works inside a temporary folder under short relative names,
** so that the expected messages read as a user would see them. It checks
** a new folder and a replaced one, with the swap and with the two-rename
** fallback; that nothing changes on abort, on interruption or when the
** folder holds something naryn did not write; that other commands'
** folders nested in the old one are kept; and that temporaries of dead
** processes are removed while a live process's are not.
*/
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "naryn_int.h"
#include "testutil.h"

/* Counts the entries of dir whose name holds naryn's temporary tag. */
static int count_temps(const char *dir) {
  DIR *dp = opendir(dir);
  assert_non_null(dp);
  int n = 0;
  for (struct dirent *e; (e = readdir(dp)) != NULL;)
    if (strstr(e->d_name, NARYN__TEMP_TAG)) n++;
  closedir(dp);
  return n;
}

/* Asserts that path holds exactly text. */
static void assert_file(const char *path, const char *text) {
  char *s = tu_slurp(path);
  assert_non_null(s);
  assert_string_equal(s, text);
  free(s);
}

static int exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

/* Makes a folder of a run's results: run.csv and nodes.csv saying tag. */
static void make_run(const char *dir, const char *tag) {
  assert_int_equal(naryn__mkdirs(dir, NULL), NARYN_OK);
  tu_write(dir, "run.csv", tag);
  tu_write(dir, "nodes.csv", tag);
}

/* Stages a run saying tag for dir and commits it. */
static int stage_run(const char *dir, const char *tag, naryn_diags *d) {
  naryn_staging *s = NULL;
  int rc = naryn_staging_open(dir, &s, d);
  if (rc != NARYN_OK) return rc;
  make_run(naryn_staging_path(s), tag);
  return naryn_staging_commit(s, d);
}

static void new_folder_appears_whole(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_staging *s = NULL;
  assert_int_equal(naryn_staging_open("new/out", &s, d), NARYN_OK);
  const char *p = naryn_staging_path(s);
  assert_non_null(strstr(p, "new/.out" NARYN__TEMP_TAG));
  make_run(p, "one");
  assert_false(exists("new/out"));
  assert_int_equal(naryn_staging_commit(s, d), NARYN_OK);
  assert_file("new/out/run.csv", "one");
  assert_int_equal(count_temps("new"), 0);
  /* An ordinary folder's mode, not mkdtemp's 0700. */
  struct stat st;
  mode_t mask = umask(022);
  umask(mask);
  assert_int_equal(stat("new/out", &st), 0);
  assert_int_equal(st.st_mode & 0777, 0777 & ~mask);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

/* Replaces a folder, then again with the two renames. */
static void existing_folder_is_swapped(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  make_run("sw", "old");
  tu_write("sw", "plants.csv", "old"); /* not in the new results */
  assert_int_equal(stage_run("sw", "new", d), NARYN_OK);
  assert_file("sw/run.csv", "new");
  assert_false(exists("sw/plants.csv"));
  naryn__staging_no_exchange = 1;
  assert_int_equal(stage_run("sw", "newer", d), NARYN_OK);
  naryn__staging_no_exchange = 0;
  assert_file("sw/nodes.csv", "newer");
  assert_int_equal(count_temps("."), 0);
  /* An empty folder is replaced too. */
  assert_int_equal(mkdir("emptied", 0777), 0);
  assert_int_equal(stage_run("emptied", "x", d), NARYN_OK);
  assert_file("emptied/run.csv", "x");
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

/* Abort and interruption leave the folder as it was. */
static void abort_and_interrupt_change_nothing(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  make_run("ab", "kept");
  naryn_staging *s = NULL;
  assert_int_equal(naryn_staging_open("ab", &s, d), NARYN_OK);
  make_run(naryn_staging_path(s), "lost");
  naryn_staging_abort(s);
  naryn_staging_abort(NULL);
  assert_file("ab/run.csv", "kept");
  assert_int_equal(count_temps("."), 0);
  assert_int_equal(naryn_staging_open("ab", &s, d), NARYN_OK);
  make_run(naryn_staging_path(s), "lost");
  naryn_interrupt();
  assert_int_equal(naryn_staging_commit(s, d), NARYN_EINTR);
  /* A run started while the request stands does not start to write. */
  assert_int_equal(naryn_staging_open("ab", &s, d), NARYN_EINTR);
  assert_null(s);
  naryn_interrupt_clear();
  assert_file("ab/run.csv", "kept");
  assert_int_equal(count_temps("."), 0);
  naryn_diags_free(d);
}

/* Formats the first diagnostic in d. */
static const char *first(naryn_diags *d, char *buf, size_t size) {
  assert_true(naryn_diags_count(d) >= 1);
  naryn_diag_format(naryn_diags_get(d, 0), buf, size);
  return buf;
}

static void foreign_folders_are_refused(void **state) {
  (void)state;
  char buf[1024];
  naryn_diags *d = naryn_diags_new(0);
  naryn_staging *s = NULL;
  assert_int_equal(mkdir("mine", 0777), 0);
  tu_write("mine", "thesis.txt", "mine");
  assert_int_equal(naryn_staging_open("mine", &s, d), NARYN_EIO);
  assert_null(s);
  assert_string_equal(first(d, buf, sizeof buf),
      "mine: error: cannot put the results in place: it holds \"thesis.txt\", "
      "which naryn did not write; expected a folder that does not exist, an "
      "empty folder, or one naryn wrote (its result files and folders only); "
      "choose another folder, or move that away");
  naryn_diags_clear(d);
  /* Result names alone are not enough: a run's index must be there. */
  assert_int_equal(mkdir("data", 0777), 0);
  tu_write("data", "nodes.csv", "my inflows");
  assert_int_equal(naryn_staging_check("data", d), NARYN_EIO);
  assert_non_null(strstr(first(d, buf, sizeof buf), "it holds result file names "
                         "but none of run.csv, compare.csv, pareto.csv, game.csv or ensemble.csv"));
  naryn_diags_clear(d);
  /* Deep inside a naryn folder too, named by its path in it. */
  make_run("deep/base", "r");
  tu_write("deep", "compare.csv", "run,folder\nbase,base\n");
  tu_write("deep/base", "notes.md", "mine");
  assert_int_equal(stage_run("deep", "x", d), NARYN_EIO);
  assert_non_null(strstr(first(d, buf, sizeof buf), "it holds \"base/notes.md\""));
  naryn_diags_clear(d);
  /* A file where the folder should be. */
  tu_write(".", "plain", "x");
  assert_int_equal(naryn_staging_check("plain", d), NARYN_EIO);
  assert_non_null(strstr(first(d, buf, sizeof buf), "plain: error: cannot put "
                         "the results in place: it is a file, not a folder"));
  naryn_diags_clear(d);
  /* Nothing was touched, and nothing left beside. */
  assert_file("mine/thesis.txt", "mine");
  assert_file("deep/base/notes.md", "mine");
  assert_int_equal(count_temps("."), 0);
  naryn_diags_free(d);
}

/* A comparison replaced keeps a game's folder nested in it but not the
** runs its own compare.csv listed. */
static void other_commands_folders_are_kept(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  make_run("cmp/base", "old");
  make_run("cmp/gone", "old");
  tu_write("cmp", "compare.csv", "run,folder\nbase,base\ngone,gone\n");
  assert_int_equal(naryn__mkdirs("cmp/share/grand", NULL), NARYN_OK);
  tu_write("cmp/share", "game.csv", "game");
  make_run("cmp/share/grand", "grand");
  naryn_staging *s = NULL;
  assert_int_equal(naryn_staging_open("cmp", &s, d), NARYN_OK);
  char sub[256];
  assert_true((size_t)snprintf(sub, sizeof sub, "%s/base", naryn_staging_path(s)) < 200);
  make_run(sub, "new");
  tu_write(naryn_staging_path(s), "compare.csv", "run,folder\nbase,base\n");
  assert_int_equal(naryn_staging_commit(s, d), NARYN_OK);
  assert_file("cmp/base/run.csv", "new");
  assert_false(exists("cmp/gone"));
  assert_file("cmp/share/game.csv", "game");
  assert_file("cmp/share/grand/nodes.csv", "grand");
  assert_int_equal(count_temps("."), 0);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

/* A process id that no longer runs: a child that has exited and been
** waited for. */
static long dead_pid(void) {
  pid_t p = fork();
  assert_true(p >= 0);
  if (p == 0) _exit(0);
  assert_int_equal(waitpid(p, NULL, 0), p);
  return (long)p;
}

static void stale_temporaries_of_dead_processes_go(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  char dead_dir[128], dead_file[128], live_dir[128], other[128];
  long dead = dead_pid();
  assert_int_equal(mkdir("st", 0777), 0);
  snprintf(dead_dir, sizeof dead_dir, "st/.o" NARYN__TEMP_TAG "%ld-AbCdEf", dead);
  snprintf(dead_file, sizeof dead_file, "st/.x.csv" NARYN__TEMP_TAG "%ld-GhIjKl", dead);
  snprintf(live_dir, sizeof live_dir, "st/.o" NARYN__TEMP_TAG "%ld-MnOpQr", (long)getppid());
  snprintf(other, sizeof other, "st/.o" NARYN__TEMP_TAG "%ld-short", dead);
  make_run(dead_dir, "killed");
  tu_write(".", dead_file, "killed");
  assert_int_equal(mkdir(live_dir, 0777), 0);
  assert_int_equal(mkdir(other, 0777), 0);
  assert_int_equal(stage_run("st/o", "new", d), NARYN_OK);
  assert_false(exists(dead_dir));
  assert_false(exists(dead_file));
  assert_true(exists(live_dir));
  assert_true(exists(other)); /* not a name naryn makes: left alone */
  /* A file's own stale temporaries go when it is written again. */
  tu_write(".", dead_file, "killed");
  naryn__outfile *f = naryn__outfile_open("st/x.csv", d);
  assert_non_null(f);
  assert_false(exists(dead_file));
  assert_int_equal(naryn__outfile_commit(f, d), NARYN_OK);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

static void temporary_names_are_parsed(void **state) {
  (void)state;
  assert_int_equal(naryn__temp_pid(".out" NARYN__TEMP_TAG "123-AbCdEf"), 123);
  assert_int_equal(naryn__temp_pid(".a.b" NARYN__TEMP_TAG "9" NARYN__TEMP_TAG "77-x1y2z3"), 77);
  assert_int_equal(naryn__temp_pid("out" NARYN__TEMP_TAG "123-AbCdEf"), 0);
  assert_int_equal(naryn__temp_pid(".out" NARYN__TEMP_TAG "-AbCdEf"), 0);
  assert_int_equal(naryn__temp_pid(".out" NARYN__TEMP_TAG "12-AbCdE"), 0);
  assert_int_equal(naryn__temp_pid(".out" NARYN__TEMP_TAG "0-AbCdEf"), 0);
  assert_int_equal(naryn__temp_pid(NARYN__TEMP_TAG "5-AbCdEf"), 0);
  assert_int_equal(naryn__temp_pid(".nodes.csv.tmp.AbCdEf"), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(new_folder_appears_whole),
      cmocka_unit_test(existing_folder_is_swapped),
      cmocka_unit_test(abort_and_interrupt_change_nothing),
      cmocka_unit_test(foreign_folders_are_refused),
      cmocka_unit_test(other_commands_folders_are_kept),
      cmocka_unit_test(stale_temporaries_of_dead_processes_go),
      cmocka_unit_test(temporary_names_are_parsed),
  };
  return cmocka_run_group_tests(tests, tu_enter_tmpdir, tu_leave_tmpdir);
}
