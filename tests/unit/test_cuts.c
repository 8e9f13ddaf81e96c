/*
** test_cuts.c: the SDDP cut store and its file: cuts added and evaluated,
** level-1 dominance worked by hand, a file written and read back bit for
** bit with the trial states the selection keeps cuts at, a run's appended
** file cut short at every byte and resumed, a file of version 1 (no trial
** states) read and appended to, and the files refused: damaged in a
** middle block, of another model, of another version, not a cut file.
**
** The suite works in a temporary folder, under short relative names so
** that the messages read as a user would see them.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include "naryn_int.h"
#include "testutil.h"

static const char *const names1[] = {"toktogul_hm3"};
static const char *const names2[] = {"toktogul_hm3", "naryn_past_m3s"};
#define FP 0x1234abcd5678ef00ULL

/* A store of cuts of up to 'outcomes' outcomes. */
static naryn__cuts *store_of(int stages, int n, int outcomes, const char *const *names,
                             uint64_t fp) {
  naryn__cuts *c = NULL;
  assert_int_equal(naryn__cuts_new(stages, n, outcomes, names, fp, &c, NULL), NARYN_OK);
  return c;
}

/* A store of cuts of up to 3 outcomes. */
static naryn__cuts *store(int stages, int n, const char *const *names, uint64_t fp) {
  return store_of(stages, n, 3, names, fp);
}

static void add1(naryn__cuts *c, int stage, int outcome, double alpha, double beta) {
  assert_int_equal(naryn__cuts_add(c, stage, outcome, 1, alpha, &beta, NULL), NARYN_OK);
}

static long long file_size(const char *path) {
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  return (long long)st.st_size;
}

/* Copies the first n bytes of from into to. */
static void copy_prefix(const char *from, const char *to, long long n) {
  FILE *f = fopen(from, "rb"), *g = fopen(to, "wb");
  assert_non_null(f);
  assert_non_null(g);
  for (long long i = 0; i < n; i++) {
    int ch = fgetc(f);
    assert_true(ch != EOF);
    fputc(ch, g);
  }
  fclose(f);
  fclose(g);
}

/* Adds x to the byte at offset 'at' of path. */
static void poke(const char *path, long off, int x) {
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  fseek(f, off, SEEK_SET);
  int ch = fgetc(f);
  fseek(f, off, SEEK_SET);
  fputc((ch + x) & 0xff, f);
  fclose(f);
}

/* Cuts kept, counted and evaluated: the max over a stage's active cuts of
** one outcome, -HUGE_VAL with none. */
static void test_add_and_value(void **state) {
  (void)state;
  naryn__cuts *c = store(3, 2, names2, FP);
  assert_int_equal(naryn__cuts_stages(c), 3);
  assert_int_equal(naryn__cuts_states(c), 2);
  assert_string_equal(naryn__cuts_state_name(c, 1), "naryn_past_m3s");
  double b0[2] = {-2.0, 0.5}, b1[2] = {-1.0, 0.0}, x[2] = {3.0, 10.0};
  assert_int_equal(naryn__cuts_add(c, 1, -1, 4, 100.0, b0, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_add(c, 1, -1, 5, 90.0, b1, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_add(c, 1, 2, 5, 50.0, b1, NULL), NARYN_OK);
  /* Misuse is refused without a message. */
  assert_int_equal(naryn__cuts_add(c, 3, -1, 5, 50.0, b1, NULL), NARYN_EARG);
  assert_int_equal(naryn__cuts_add(c, 0, -2, 5, 50.0, b1, NULL), NARYN_EARG);
  assert_int_equal(naryn__cuts_add(c, 0, 3, 5, 50.0, b1, NULL), NARYN_EARG);
  assert_int_equal(naryn__cuts_add(c, 0, -1, 5, NAN, b1, NULL), NARYN_EARG);
  assert_int_equal(naryn__cuts_count(c, 0), 0);
  assert_int_equal(naryn__cuts_count(c, 1), 3);
  assert_int_equal(naryn__cuts_active_count(c, 1), 3);
  naryn__cut k = naryn__cuts_get(c, 1, 0);
  assert_int_equal(k.iteration, 4);
  assert_int_equal(k.outcome, -1);
  assert_true(k.active);
  assert_true(k.alpha == 100.0 && k.beta[0] == -2.0 && k.beta[1] == 0.5);
  /* At (3, 10): 100 - 6 + 5 = 99 and 90 - 3 = 87; outcome 2 only 47. */
  int which;
  assert_near(naryn__cuts_value(c, 1, -1, x, &which), 99.0, 0);
  assert_int_equal(which, 0);
  assert_near(naryn__cuts_value(c, 1, 2, x, &which), 47.0, 0);
  assert_int_equal(which, 2);
  assert_true(naryn__cuts_value(c, 1, 0, x, &which) == -HUGE_VAL);
  assert_int_equal(which, -1);
  assert_true(naryn__cuts_value(c, 2, -1, x, NULL) == -HUGE_VAL);
  /* Many cuts: grown by doubling, the slopes kept in place. */
  for (int i = 0; i < 10000; i++) {
    double b[2] = {(double)i, -(double)i};
    assert_int_equal(naryn__cuts_add(c, 0, -1, i, (double)i, b, NULL), NARYN_OK);
  }
  assert_int_equal(naryn__cuts_count(c, 0), 10000);
  k = naryn__cuts_get(c, 0, 7777);
  assert_true(k.alpha == 7777 && k.beta[0] == 7777 && k.beta[1] == -7777);
  naryn__cuts_free(c);
  naryn__cuts_free(NULL);
}

/* Level-1 dominance worked by hand in one dimension:
**   cut 0: theta >= x,   cut 1: theta >= 4 - x,   cut 2: theta >= 2.5,
**   cut 3: theta >= 4 - x again (added later).
** At x = 0 the values are 0, 4, 2.5, 4: cut 1 is highest, and older than
** its equal cut 3. At x = 4 they are 4, 0, 2.5, 0: cut 0. So with the
** points 0 and 4, cuts 0 and 1 stay and cuts 2 and 3 go, although cut 2 is
** the highest for 1.5 < x < 2.5 (2.5 against 2 at x = 2): level-1
** dominance keeps what is highest at the points visited, no more. With
** the point 2 as well, cut 2 stays. */
static void test_selection_by_hand(void **state) {
  (void)state;
  naryn__cuts *c = store(2, 1, names1, FP);
  add1(c, 0, -1, 0.0, 1.0);
  add1(c, 0, -1, 4.0, -1.0);
  add1(c, 0, -1, 2.5, 0.0);
  add1(c, 0, -1, 4.0, -1.0);
  double x0 = 0, x4 = 4, x2 = 2, x1 = 1;
  int which, idx[4];
  /* Before any point, selection keeps every cut. */
  assert_int_equal(naryn__cuts_select(c, 0, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_active_count(c, 0), 4);
  assert_near(naryn__cuts_value(c, 0, -1, &x1, &which), 3.0, 0);
  assert_int_equal(which, 1);
  assert_int_equal(naryn__cuts_add_point(c, 0, &x0, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_add_point(c, 0, &x4, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_points(c, 0), 2);
  assert_true(naryn__cuts_point(c, 0, 1)[0] == 4.0);
  assert_int_equal(naryn__cuts_select(c, 0, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_active_count(c, 0), 2);
  assert_int_equal(naryn__cuts_active(c, 0, idx), 2);
  assert_int_equal(idx[0], 0);
  assert_int_equal(idx[1], 1);
  assert_false(naryn__cuts_get(c, 0, 2).active);
  assert_false(naryn__cuts_get(c, 0, 3).active);
  /* The value now comes from the active cuts only: at x = 2 cuts 0 and 1
  ** tie at 2 and the older is named. */
  assert_near(naryn__cuts_value(c, 0, -1, &x2, &which), 2.0, 0);
  assert_int_equal(which, 0);
  /* Selected again, the same set. */
  assert_int_equal(naryn__cuts_select(c, 0, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_active(c, 0, idx), 2);
  assert_true(idx[0] == 0 && idx[1] == 1);
  /* With x = 2 visited too, cut 2 comes back. */
  assert_int_equal(naryn__cuts_add_point(c, 0, &x2, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_select(c, 0, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_active(c, 0, idx), 3);
  assert_true(idx[0] == 0 && idx[1] == 1 && idx[2] == 2);
  assert_near(naryn__cuts_value(c, 0, -1, &x2, &which), 2.5, 0);
  assert_int_equal(which, 2);
  /* The other stage is untouched. */
  assert_int_equal(naryn__cuts_points(c, 1), 0);
  naryn__cuts_free(c);
}

/* Multi-cut: each outcome's cuts compete among themselves. At x = 0 and
** x = 4, outcome 0 keeps x (4 at x = 4) and 4 - x; outcome 1's cut 1 + 0x
** is its only cut and stays although lower than outcome 0's everywhere. */
static void test_selection_by_outcome(void **state) {
  (void)state;
  naryn__cuts *c = store(1, 1, names1, FP);
  add1(c, 0, 0, 0.0, 1.0);
  add1(c, 0, 1, 1.0, 0.0);
  add1(c, 0, 0, 4.0, -1.0);
  add1(c, 0, 0, 1.0, 0.0);
  add1(c, 0, 1, 0.5, 0.0);
  double x0 = 0, x4 = 4;
  naryn__cuts_add_point(c, 0, &x0, NULL);
  naryn__cuts_add_point(c, 0, &x4, NULL);
  assert_int_equal(naryn__cuts_select(c, 0, NULL), NARYN_OK);
  int idx[5];
  assert_int_equal(naryn__cuts_active(c, 0, idx), 3);
  assert_true(idx[0] == 0 && idx[1] == 1 && idx[2] == 2);
  assert_near(naryn__cuts_value(c, 0, 1, &x4, NULL), 1.0, 0);
  naryn__cuts_free(c);
}

/* Selections made as cuts and points come, and a new outcome group that
** appears late, give the active set of one selection at the end, with
** 300 cuts of 3 outcomes and 60 points in 2-D drawn from a fixed
** sequence. */
static void test_selection_incremental(void **state) {
  (void)state;
  naryn__cuts *a = store(1, 2, names2, FP), *b = store(1, 2, names2, FP);
  uint64_t seed = 7;
  for (int k = 0; k < 300; k++) {
    double v[5];
    for (int j = 0; j < 5; j++) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      v[j] = (double)(seed >> 11) * 0x1.0p-53;
    }
    int outcome = k < 150 ? (int)(v[0] * 2) - 1 : (int)(v[0] * 3) - 1;
    double beta[2] = {v[1] - 0.5, v[2] - 0.5}, x[2] = {10 * v[3], 10 * v[4]};
    assert_int_equal(naryn__cuts_add(a, 0, outcome, k, v[0], beta, NULL), NARYN_OK);
    assert_int_equal(naryn__cuts_add(b, 0, outcome, k, v[0], beta, NULL), NARYN_OK);
    if (k % 5 == 0) {
      naryn__cuts_add_point(a, 0, x, NULL);
      naryn__cuts_add_point(b, 0, x, NULL);
    }
    if (k % 7 == 3) assert_int_equal(naryn__cuts_select(a, 0, NULL), NARYN_OK);
  }
  assert_int_equal(naryn__cuts_select(a, 0, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_select(b, 0, NULL), NARYN_OK);
  int ia[300], ib[300];
  int na = naryn__cuts_active(a, 0, ia), nb = naryn__cuts_active(b, 0, ib);
  assert_int_equal(na, nb);
  assert_memory_equal(ia, ib, (size_t)na * sizeof *ia);
  assert_true(na > 3 && na < 300);
  /* At every point, the highest cut of each outcome group, found by
  ** comparing every cut there (the first of equals), is active. */
  for (int p = 0; p < naryn__cuts_points(a, 0); p++) {
    const double *x = naryn__cuts_point(a, 0, p);
    for (int g = 0; g < 4; g++) {
      int arg = -1;
      double best = 0.0;
      for (int i = 0; i < naryn__cuts_count(a, 0); i++) {
        naryn__cut c = naryn__cuts_get(a, 0, i);
        double v = c.alpha + c.beta[0] * x[0] + c.beta[1] * x[1];
        if (c.outcome + 1 == g && (arg < 0 || v > best)) best = v, arg = i;
      }
      if (arg >= 0) assert_true(naryn__cuts_get(a, 0, arg).active);
    }
  }
  naryn__cuts_free(a);
  naryn__cuts_free(b);
}

/* Numbers whose bits are easy to lose: -0, a subnormal, the largest size
** a file may hold, the smallest normal. */
static double tricky(int i) {
  /* 1e30 is the largest size a cut file may hold. */
  static const double v[] = {-0.0, 4.9406564584124654e-324, 1e30,
                             -2.2250738585072014e-308, 0.1, -1.0 / 3.0, 123456789.123456789};
  return v[i % 7] * (i % 3 ? 1.0 : -1.0);
}

static void same_cuts(const naryn__cuts *a, const naryn__cuts *b) {
  int n = naryn__cuts_states(a);
  for (int t = 0; t < naryn__cuts_stages(a); t++) {
    assert_int_equal(naryn__cuts_points(a, t), naryn__cuts_points(b, t));
    for (int k = 0; k < naryn__cuts_points(a, t); k++)
      assert_memory_equal(naryn__cuts_point(a, t, k), naryn__cuts_point(b, t, k),
                          (size_t)n * sizeof(double));
    assert_int_equal(naryn__cuts_count(a, t), naryn__cuts_count(b, t));
    for (int i = 0; i < naryn__cuts_count(a, t); i++) {
      naryn__cut x = naryn__cuts_get(a, t, i), y = naryn__cuts_get(b, t, i);
      assert_int_equal(x.outcome, y.outcome);
      assert_int_equal(x.iteration, y.iteration);
      assert_memory_equal(&x.alpha, &y.alpha, sizeof x.alpha);
      assert_memory_equal(x.beta, y.beta, (size_t)n * sizeof *x.beta);
    }
  }
}

/* A whole file read back bit for bit; with active_only, the active cuts. */
static void test_write_read(void **state) {
  (void)state;
  naryn__cuts *c = store(3, 2, names2, FP);
  for (int i = 0; i < 40; i++) {
    double b[2] = {tricky(i), tricky(i + 3)};
    assert_int_equal(naryn__cuts_add(c, i % 3, i % 4 - 1, i / 5, tricky(i + 1), b, NULL),
                     NARYN_OK);
  }
  naryn_diags *d = naryn_diags_new(0);
  naryn__cuts_set_problem(c, 0x8877665544332211ull);
  assert_int_equal(naryn__cutfile_write(c, "all.cuts", 0, d), NARYN_OK);
  /* The header: magic, version 3, 2 states, 3 stages, the fingerprint
  ** and the problems' hash little-endian, 28 bytes of names; 40 cuts of
  ** 36 bytes in one block (its head of 20 bytes counts no trial state). */
  char *text = tu_slurp("all.cuts");
  assert_memory_equal(text, "NARYNCUT\3\0\0\0\2\0\0\0\3\0\0\0\0\xef\x78\x56\xcd\xab\x34\x12"
                            "\x11\x22\x33\x44\x55\x66\x77\x88\x1c\0\0\0", 40);
  free(text);
  assert_int_equal(file_size("all.cuts"), 44 + 28 + 4 + 20 + 40 * 36 + 4);
  naryn__cuts *r = store(3, 2, names2, FP);
  long long good = -1;
  assert_int_equal(naryn__cutfile_read(r, "all.cuts", &good, d), NARYN_OK);
  assert_int_equal(naryn_diags_count(d), 0);
  assert_int_equal(good, file_size("all.cuts"));
  assert_true(naryn__cuts_problem_read(r) == 0x8877665544332211ull);
  same_cuts(c, r);
  /* Active cuts only: stage 0's cuts at x = (1, 1) after selection. */
  double x[2] = {1, 1};
  naryn__cuts_add_point(c, 0, x, NULL);
  naryn__cuts_select(c, 0, NULL);
  int active = naryn__cuts_active_count(c, 0);
  assert_true(active < naryn__cuts_count(c, 0));
  assert_int_equal(naryn__cutfile_write(c, "active.cuts", 1, d), NARYN_OK);
  naryn__cuts *s = store(3, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(s, "active.cuts", NULL, d), NARYN_OK);
  assert_int_equal(naryn__cuts_count(s, 0), active);
  assert_int_equal(naryn__cuts_count(s, 1), naryn__cuts_count(c, 1));
  /* The trial state goes with them: 20 bytes, its stage and x. */
  assert_int_equal(file_size("active.cuts"),
                   44 + 28 + 4 + 20 + (active + 2 * 13) * 36 + 20 + 4);
  assert_int_equal(naryn__cuts_points(s, 0), 1);
  assert_int_equal(naryn__cuts_points(s, 1), 0);
  assert_memory_equal(naryn__cuts_point(s, 0, 0), x, sizeof x);
  int idx[40];
  naryn__cuts_active(c, 0, idx);
  for (int i = 0; i < active; i++) {
    naryn__cut p = naryn__cuts_get(c, 0, idx[i]), q = naryn__cuts_get(s, 0, i);
    assert_memory_equal(&p.alpha, &q.alpha, sizeof p.alpha);
    assert_memory_equal(p.beta, q.beta, 2 * sizeof *p.beta);
  }
  naryn__cuts_free(c);
  naryn__cuts_free(r);
  naryn__cuts_free(s);
  naryn_diags_free(d);
}

/* A run's file: three iterations appended, then the file cut at every byte.
** Each complete block comes back; a cut inside the header is an error,
** anywhere after it a note at most. The log opened on a cut file carries
** on from its last complete block. */
static void test_resume_torn(void **state) {
  (void)state;
  naryn__cuts *c = store(2, 2, names2, FP);
  naryn__cutlog *l = NULL;
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn__cutlog_open(c, "run.cuts", &l, d), NARYN_OK);
  long long ends[4] = {file_size("run.cuts")};
  int counts[4] = {0};
  for (int it = 1; it <= 3; it++) {
    for (int k = 0; k < it + 1; k++) {
      double b[2] = {tricky(k + it), -tricky(k)};
      assert_int_equal(naryn__cuts_add(c, k % 2, -1, it, tricky(it * k), b, d), NARYN_OK);
    }
    double x[2] = {tricky(it + 4), tricky(it + 5)};
    assert_int_equal(naryn__cuts_add_point(c, it % 2, x, d), NARYN_OK);
    assert_int_equal(naryn__cutlog_append(l, c, it, d), NARYN_OK);
    ends[it] = file_size("run.cuts");
    counts[it] = naryn__cuts_count(c, 0) + naryn__cuts_count(c, 1);
  }
  naryn__cutlog_close(l);
  assert_int_equal(ends[0], 44 + 28 + 4);
  assert_int_equal(ends[1], ends[0] + 20 + 2 * 36 + 20 + 4);
  /* The whole file reads back as the store. */
  naryn__cuts *r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "run.cuts", NULL, d), NARYN_OK);
  assert_int_equal(naryn_diags_count(d), 0);
  same_cuts(c, r);
  naryn__cuts_free(r);
  for (long long len = 0; len < ends[3]; len++) {
    copy_prefix("run.cuts", "cut.cuts", len);
    naryn_diags_clear(d);
    r = store(2, 2, names2, FP);
    long long good = -1;
    int rc = naryn__cutfile_read(r, "cut.cuts", &good, d);
    if (len < ends[0]) {
      assert_int_equal(rc, NARYN_ESYNTAX);
      assert_non_null(strstr(tu_first_error(d), "cut.cuts: error: truncated header: the file "
                                                "ends at byte "));
    } else {
      assert_int_equal(rc, NARYN_OK);
      int blocks = 0;
      while (blocks < 3 && ends[blocks + 1] <= len) blocks++;
      assert_int_equal(good, ends[blocks]);
      assert_int_equal(naryn__cuts_count(r, 0) + naryn__cuts_count(r, 1), counts[blocks]);
      assert_int_equal(naryn__cuts_points(r, 0) + naryn__cuts_points(r, 1), blocks);
      assert_int_equal(naryn_diags_errors(d), 0);
      assert_int_equal(naryn_diags_count(d), len == ends[blocks] ? 0 : 1);
      if (len != ends[blocks]) {
        char want[200];
        snprintf(want, sizeof want, "cut.cuts: note: the last block, at byte %lld, is "
                 "incomplete (the file ends inside it) and was left out; the blocks before "
                 "it were read", ends[blocks]);
        assert_string_equal(tu_first_of(d, NARYN_SEV_NOTE), want);
      }
    }
    naryn__cuts_free(r);
  }
  /* Resumed from a file cut inside its third block: the third block's bytes
  ** go and the next iteration's block follows the second. */
  copy_prefix("run.cuts", "resume.cuts", ends[2] + 20);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutlog_open(r, "resume.cuts", &l, d), NARYN_OK);
  assert_int_equal(naryn__cuts_count(r, 0) + naryn__cuts_count(r, 1), counts[2]);
  assert_int_equal(file_size("resume.cuts"), ends[2]);
  double b[2] = {1.0, 2.0};
  naryn__cuts_add(r, 1, -1, 3, 3.0, b, d);
  assert_int_equal(naryn__cutlog_append(l, r, 3, d), NARYN_OK);
  naryn__cutlog_close(l);
  assert_int_equal(file_size("resume.cuts"), ends[2] + 20 + 36 + 4);
  naryn__cuts *s = store(2, 2, names2, FP);
  naryn_diags_clear(d);
  assert_int_equal(naryn__cutfile_read(s, "resume.cuts", NULL, d), NARYN_OK);
  assert_int_equal(naryn_diags_count(d), 0);
  same_cuts(r, s);
  /* A store that holds cuts cannot open a log. */
  assert_int_equal(naryn__cutlog_open(s, "other.cuts", &l, d), NARYN_EARG);
  naryn__cuts_free(s);
  naryn__cuts_free(r);
  naryn__cuts_free(c);
  naryn_diags_free(d);
}

/* Writes path afresh: a header and 3 blocks of 2 cuts; ends[k] is the
** length of the file up to block k (the header for k = 0). */
static void three_blocks(const char *path, long long *ends) {
  remove(path);
  naryn__cuts *c = store(2, 2, names2, FP);
  naryn__cutlog *l = NULL;
  assert_int_equal(naryn__cutlog_open(c, path, &l, NULL), NARYN_OK);
  ends[0] = file_size(path);
  for (int it = 1; it <= 3; it++) {
    double b[2] = {1.0 * it, 2.0};
    naryn__cuts_add(c, 0, -1, it, 10.0 * it, b, NULL);
    naryn__cuts_add(c, 1, -1, it, 20.0 * it, b, NULL);
    assert_int_equal(naryn__cutlog_append(l, c, it, NULL), NARYN_OK);
    ends[it] = file_size(path);
  }
  naryn__cutlog_close(l);
  naryn__cuts_free(c);
}

/* A damaged middle block is an error naming the byte and the CRC expected;
** a damaged last block is left out with a note; a damaged header is an
** error. */
static void test_corrupt(void **state) {
  (void)state;
  long long ends[4];
  naryn_diags *d = naryn_diags_new(0);
  three_blocks("bad.cuts", ends);
  assert_int_equal(ends[0], 76);
  assert_int_equal(ends[1], 76 + 20 + 72 + 4);
  /* A number in the first block: its closing CRC at byte 168 fails. */
  poke("bad.cuts", (long)ends[0] + 20 + 12, 1);
  naryn__cuts *r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "bad.cuts", NULL, d), NARYN_ESYNTAX);
  const char *e = tu_first_error(d);
  assert_non_null(strstr(e, "bad.cuts: error: corrupt at byte 168: expected the CRC-32 of the "
                            "bytes before it, "));
  naryn__cuts_free(r);
  /* The count of the second block: its header's CRC fails. */
  three_blocks("bad.cuts", ends);
  poke("bad.cuts", (long)ends[1] + 8, 1);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "bad.cuts", NULL, d), NARYN_ESYNTAX);
  char want[120];
  snprintf(want, sizeof want, "bad.cuts: error: corrupt at byte %lld: expected the CRC-32",
           ends[1] + 16);
  assert_non_null(strstr(tu_first_error(d), want));
  naryn__cuts_free(r);
  /* A block's tag. */
  three_blocks("bad.cuts", ends);
  poke("bad.cuts", (long)ends[1], 1);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "bad.cuts", NULL, d), NARYN_ESYNTAX);
  assert_string_equal(tu_first_error(d), "bad.cuts: error: corrupt at byte 172: expected "
                                         "\"CUTS\", the start of a block of cuts");
  naryn__cuts_free(r);
  /* The last block: left out with a note, the others read. */
  three_blocks("bad.cuts", ends);
  poke("bad.cuts", (long)ends[3] - 10, 1);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "bad.cuts", NULL, d), NARYN_OK);
  assert_int_equal(naryn__cuts_count(r, 0), 2);
  snprintf(want, sizeof want, "bad.cuts: note: the last block, at byte %lld, is incomplete "
           "(its CRC-32 does not match)", ends[2]);
  assert_non_null(strstr(tu_first_of(d, NARYN_SEV_NOTE), want));
  naryn__cuts_free(r);
  /* A state name in the header: the CRC at byte 72. */
  three_blocks("bad.cuts", ends);
  poke("bad.cuts", 48, 1);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "bad.cuts", NULL, d), NARYN_ESYNTAX);
  assert_non_null(strstr(tu_first_error(d), "bad.cuts: error: corrupt at byte 72: "));
  naryn__cuts_free(r);
  /* A cut of an outcome the model has not, its CRCs whole (it was written
  ** for a model of three outcomes and is read for one of two): an error,
  ** where the cut would otherwise have been taken as outcome 0's. */
  naryn__cuts *c = store(2, 2, names2, FP);
  double b[2] = {1.0, 2.0};
  assert_int_equal(naryn__cuts_add(c, 1, 2, 1, 10.0, b, NULL), NARYN_OK);
  assert_int_equal(naryn__cutfile_write(c, "bad.cuts", 0, d), NARYN_OK);
  naryn__cuts_free(c);
  naryn_diags_clear(d);
  r = store_of(2, 2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "bad.cuts", NULL, d), NARYN_ESYNTAX);
  assert_string_equal(tu_first_error(d), "bad.cuts: error: corrupt at byte 96: expected a "
                                         "stage from 0 to 1, an outcome from -1 to 1 and "
                                         "numbers of at most 1e+30 in size");
  assert_int_equal(naryn__cuts_count(r, 1), 0);
  naryn__cuts_free(r);
  /* A cut of an absurd size, which stopped CLP on an assertion when a
  ** replay solved the stage (found by fuzz/fuzz_cuts.c): an error. */
  c = store(2, 2, names2, FP);
  assert_int_equal(naryn__cuts_add(c, 0, -1, 1, 1e300, b, NULL), NARYN_OK);
  assert_int_equal(naryn__cutfile_write(c, "bad.cuts", 0, d), NARYN_OK);
  naryn__cuts_free(c);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "bad.cuts", NULL, d), NARYN_ESYNTAX);
  assert_non_null(strstr(tu_first_error(d), "bad.cuts: error: corrupt at byte 96: expected a "
                                            "stage from 0 to 1"));
  naryn__cuts_free(r);
  naryn_diags_free(d);
}

/* A file written whole (a policy's cuts.bin) read as such: whole, every
** cut; its one block cut short, or failing its CRC, or the file ending
** after its header, an error naming the byte, where a log's reader takes
** what comes before with a note; a log of three blocks, whole, every cut. */
static void test_read_whole(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn__cuts *c = store(2, 2, names2, FP);
  double b[2] = {1.0, 2.0};
  assert_int_equal(naryn__cuts_add(c, 0, -1, 1, 10.0, b, NULL), NARYN_OK);
  assert_int_equal(naryn__cuts_add(c, 1, -1, 1, 20.0, b, NULL), NARYN_OK);
  assert_int_equal(naryn__cutfile_write(c, "whole.cuts", 0, d), NARYN_OK);
  naryn__cuts_free(c);
  naryn__cuts *r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read_whole(r, "whole.cuts", d), NARYN_OK);
  assert_int_equal(naryn__cuts_count(r, 0) + naryn__cuts_count(r, 1), 2);
  naryn__cuts_free(r);
  /* Its closing CRC: the log's reader leaves the block out, with a note. */
  long size = (long)file_size("whole.cuts");
  poke("whole.cuts", size - 1, 1);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "whole.cuts", NULL, d), NARYN_OK);
  assert_int_equal(naryn__cuts_count(r, 0) + naryn__cuts_count(r, 1), 0);
  naryn__cuts_free(r);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read_whole(r, "whole.cuts", d), NARYN_ESYNTAX);
  assert_string_equal(tu_first_error(d),
                      "whole.cuts: error: damaged at byte 76: expected a whole file, as a "
                      "policy's cuts are written, but the block there is incomplete (its "
                      "CRC-32 does not match): the file was cut short or changed after it "
                      "was written; train the policy again or copy its folder anew");
  naryn__cuts_free(r);
  /* Cut short inside the block, and just after the header. */
  assert_int_equal(truncate("whole.cuts", size - 8), 0);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read_whole(r, "whole.cuts", d), NARYN_ESYNTAX);
  assert_non_null(strstr(tu_first_error(d), "damaged at byte 76: expected a whole file, as a "
                                            "policy's cuts are written, but the block there "
                                            "is incomplete (the file ends inside it)"));
  naryn__cuts_free(r);
  assert_int_equal(truncate("whole.cuts", 76), 0);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read_whole(r, "whole.cuts", d), NARYN_ESYNTAX);
  assert_non_null(strstr(tu_first_error(d), "whole.cuts: error: damaged at byte 76: expected "
                                            "a block of cuts after the header"));
  naryn__cuts_free(r);
  /* A log's blocks, all whole, read as a whole file. */
  long long ends[4];
  three_blocks("whole.cuts", ends);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read_whole(r, "whole.cuts", d), NARYN_OK);
  assert_int_equal(naryn__cuts_count(r, 0), 3);
  naryn__cuts_free(r);
  remove("whole.cuts");
  naryn_diags_free(d);
}

/* A log is locked while a run writes it: a second run given the same
** file is refused, naming it, whether the file was just made or was
** there; once the first closes it, it opens. */
static void test_log_locked(void **state) {
  (void)state;
  long long ends[4];
  naryn_diags *d = naryn_diags_new(0);
  for (int existing = 0; existing < 2; existing++) {
    remove("lock.cuts");
    if (existing) three_blocks("lock.cuts", ends);
    naryn__cuts *a = store(2, 2, names2, FP), *b = store(2, 2, names2, FP);
    naryn__cutlog *la = NULL, *lb = NULL;
    assert_int_equal(naryn__cutlog_open(a, "lock.cuts", &la, d), NARYN_OK);
    naryn_diags_clear(d);
    assert_int_equal(naryn__cutlog_open(b, "lock.cuts", &lb, d), NARYN_EIO);
    assert_null(lb);
    assert_string_equal(tu_first_error(d), "lock.cuts: error: cannot write: another process is "
                                           "writing to it (a naryn sddp given the same "
                                           "--cut-log); wait for it to end or give another "
                                           "file");
    naryn__cutlog_close(la);
    naryn__cuts_free(b);
    b = store(2, 2, names2, FP);
    naryn_diags_clear(d);
    assert_int_equal(naryn__cutlog_open(b, "lock.cuts", &lb, d), NARYN_OK);
    assert_int_equal(naryn__cuts_count(b, 0), existing ? 3 : 0);
    naryn__cutlog_close(lb);
    naryn__cuts_free(a);
    naryn__cuts_free(b);
  }
  remove("lock.cuts");
  naryn_diags_free(d);
}

/* Puts v little-endian in the next 'bytes' bytes of b from *n on. */
static void put_le(unsigned char *b, size_t *n, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) b[(*n)++] = (unsigned char)(v >> (8 * i));
}

/* Puts the CRC-32 of b's first *n bytes after them. */
static void put_crc(unsigned char *b, size_t *n) {
  put_le(b, n, crc32(crc32(0L, Z_NULL, 0), b, (uInt)*n), 4);
}

/* Writes path as naryn wrote cut files of version 1 (no trial states)
** or 2 (no hash of the stage problems): its header for names2 and FP, and
** one block of iteration 1 holding a cut of each of 2 stages (and, in
** version 2, no trial state); returns its length. */
static long long old_version(const char *path, int version) {
  unsigned char b[256];
  size_t n = 8;
  memcpy(b, "NARYNCUT", 8);
  put_le(b, &n, (uint64_t)version, 4), put_le(b, &n, 2, 4), put_le(b, &n, 2, 4);
  put_le(b, &n, FP, 8), put_le(b, &n, 28, 4);
  put_crc(b, &n);
  memcpy(b + n, "toktogul_hm3\0naryn_past_m3s\0", 28), n += 28;
  put_crc(b, &n);
  memcpy(b + n, "CUTS", 4), n += 4;
  put_le(b, &n, 1, 4), put_le(b, &n, 2, 4);
  if (version >= 2) put_le(b, &n, 0, 4);
  put_crc(b, &n);
  for (int t = 0; t < 2; t++) {
    const double v[3] = {100.0 + t, -1.5, 0.25 * t};
    put_le(b, &n, (uint64_t)t, 4), put_le(b, &n, 0xffffffffu, 4), put_le(b, &n, 1, 4);
    for (int k = 0; k < 3; k++) {
      uint64_t u;
      memcpy(&u, &v[k], 8);
      put_le(b, &n, u, 8);
    }
  }
  put_crc(b, &n);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(b, 1, n, f), n);
  fclose(f);
  return (long long)n;
}

/* Appends r's new cut of iteration 2 to the old log l at path and closes
** it (freeing r): the file must then be 'size' bytes, and read back give
** stage 1 its two cuts and 'points' trial states. */
static void append_and_read(naryn__cutlog *l, naryn__cuts *r, const char *path,
                            long long size, int points, naryn_diags *d) {
  assert_int_equal(naryn__cutlog_append(l, r, 2, d), NARYN_OK);
  naryn__cutlog_close(l);
  assert_int_equal(file_size(path), size);
  naryn__cuts *s = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(s, path, NULL, d), NARYN_OK);
  assert_int_equal(naryn_diags_count(d), 0);
  assert_int_equal(naryn__cuts_count(s, 1), 2);
  assert_int_equal(naryn__cuts_points(s, 1), points);
  naryn__cuts_free(s);
  naryn__cuts_free(r);
}

/* A file of version 1 is read as it is, its cuts without trial states (a
** selection keeps them all); a run resuming from it appends blocks of
** version 1, its trial states left out. */
static void test_version1(void **state) {
  (void)state;
  long long len = old_version("old.cuts", 1);
  assert_int_equal(len, 36 + 28 + 4 + 16 + 2 * 36 + 4);
  naryn_diags *d = naryn_diags_new(0);
  naryn__cuts *r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "old.cuts", NULL, d), NARYN_OK);
  assert_int_equal(naryn_diags_count(d), 0);
  for (int t = 0; t < 2; t++) {
    assert_int_equal(naryn__cuts_count(r, t), 1);
    assert_int_equal(naryn__cuts_points(r, t), 0);
    naryn__cut c = naryn__cuts_get(r, t, 0);
    assert_true(c.alpha == 100.0 + t && c.beta[0] == -1.5 && c.beta[1] == 0.25 * t);
    assert_int_equal(c.outcome, -1);
    assert_int_equal(c.iteration, 1);
    assert_int_equal(naryn__cuts_select(r, t, d), NARYN_OK);
    assert_int_equal(naryn__cuts_active_count(r, t), 1);
  }
  naryn__cuts_free(r);
  r = store(2, 2, names2, FP);
  naryn__cutlog *l = NULL;
  assert_int_equal(naryn__cutlog_open(r, "old.cuts", &l, d), NARYN_OK);
  double b[2] = {1.0, 2.0}, x[2] = {3.0, 4.0};
  naryn__cuts_add(r, 1, -1, 2, 3.0, b, d);
  naryn__cuts_add_point(r, 1, x, d);
  append_and_read(l, r, "old.cuts", len + 16 + 36 + 4, 0, d);
  naryn_diags_free(d);
}

/* A file of version 2 is read as it is, with no hash of the stage
** problems; a run resuming from it appends blocks of version 2 (which are
** version 3's), its trial states in them. */
static void test_version2(void **state) {
  (void)state;
  long long len = old_version("old2.cuts", 2);
  assert_int_equal(len, 36 + 28 + 4 + 20 + 2 * 36 + 4);
  naryn_diags *d = naryn_diags_new(0);
  naryn__cuts *r = store(2, 2, names2, FP);
  naryn__cuts_set_problem(r, 42);
  naryn__cutlog *l = NULL;
  assert_int_equal(naryn__cutlog_open(r, "old2.cuts", &l, d), NARYN_OK);
  assert_int_equal(naryn_diags_count(d), 0);
  assert_true(naryn__cuts_problem_read(r) == 0);
  assert_int_equal(naryn__cuts_count(r, 0) + naryn__cuts_count(r, 1), 2);
  double b[2] = {1.0, 2.0}, x[2] = {3.0, 4.0};
  naryn__cuts_add(r, 1, -1, 2, 3.0, b, d);
  naryn__cuts_add_point(r, 1, x, d);
  append_and_read(l, r, "old2.cuts", len + 20 + 36 + 20 + 4, 1, d);
  remove("old2.cuts");
  naryn_diags_free(d);
}

/* A trial state of a stage the model does not have, its block's CRC
** mended: an error naming its byte. */
static void test_bad_trial_state(void **state) {
  (void)state;
  naryn__cuts *c = store(2, 2, names2, FP);
  double b[2] = {1.0, 2.0}, x[2] = {3.0, 4.0};
  naryn__cuts_add(c, 0, -1, 1, 3.0, b, NULL);
  naryn__cuts_add_point(c, 0, x, NULL);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn__cutfile_write(c, "state.cuts", 0, d), NARYN_OK);
  long long len = file_size("state.cuts"), at = len - 4 - 20;
  assert_int_equal(at, 76 + 20 + 36);
  unsigned char *text = (unsigned char *)tu_slurp("state.cuts");
  text[at] = 2;
  size_t n = (size_t)len - 4;
  put_crc(text, &n);
  FILE *f = fopen("state.cuts", "wb");
  assert_non_null(f);
  fwrite(text, 1, (size_t)len, f);
  fclose(f);
  free(text);
  naryn__cuts *r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "state.cuts", NULL, d), NARYN_ESYNTAX);
  assert_string_equal(tu_first_error(d), "state.cuts: error: corrupt at byte 132: expected a "
                                         "trial state of a stage from 0 to 1, of numbers "
                                         "of at most 1e+30 in size");
  assert_int_equal(naryn__cuts_count(r, 0) + naryn__cuts_points(r, 0), 0);
  naryn__cuts_free(r);
  naryn__cuts_free(c);
  naryn_diags_free(d);
}

/* Files refused: of another model (its fingerprint, its stages, its
** states), of another version, not a cut file, missing. */
static void test_refused(void **state) {
  (void)state;
  long long ends[4];
  naryn_diags *d = naryn_diags_new(0);
  three_blocks("run.cuts", ends);
  naryn__cuts *r = store(2, 2, names2, FP + 1);
  assert_int_equal(naryn__cutfile_read(r, "run.cuts", NULL, d), NARYN_EMODEL);
  assert_string_equal(tu_first_error(d),
                      "run.cuts: error: expected the cuts of this model (fingerprint "
                      "1234abcd5678ef01), got those of another (1234abcd5678ef00)");
  naryn__cuts_free(r);
  naryn_diags_clear(d);
  r = store(3, 1, names1, FP);
  assert_int_equal(naryn__cutfile_read(r, "run.cuts", NULL, d), NARYN_EMODEL);
  assert_int_equal(naryn_diags_errors(d), 2);
  assert_string_equal(tu_first_error(d),
                      "run.cuts: error: expected cuts of 1 state variables, got 2");
  char line[200];
  naryn_diag_format(naryn_diags_get(d, 1), line, sizeof line);
  assert_string_equal(line, "run.cuts: error: expected cuts of 3 stages, got 2");
  naryn__cuts_free(r);
  naryn_diags_clear(d);
  static const char *const other[] = {"toktogul_hm3", "naryn_past2_m3s"};
  r = store(2, 2, other, FP);
  assert_int_equal(naryn__cutfile_read(r, "run.cuts", NULL, d), NARYN_EMODEL);
  assert_string_equal(tu_first_error(d), "run.cuts: error: state 2 at byte 57: expected "
                                         "\"naryn_past2_m3s\", got \"naryn_past_m3s\"");
  naryn__cuts_free(r);
  /* Version 4. */
  poke("run.cuts", 8, 1);
  naryn_diags_clear(d);
  r = store(2, 2, names2, FP);
  assert_int_equal(naryn__cutfile_read(r, "run.cuts", NULL, d), NARYN_ESYNTAX);
  assert_string_equal(tu_first_error(d),
                      "run.cuts: error: expected a cut file of version 1 to 3, got version 4");
  /* Not a cut file; an empty one; none. */
  tu_write(".", "text.cuts", "NARYN CUTS\n");
  naryn_diags_clear(d);
  assert_int_equal(naryn__cutfile_read(r, "text.cuts", NULL, d), NARYN_ESYNTAX);
  assert_string_equal(tu_first_error(d),
                      "text.cuts: error: not a cut file: expected \"NARYNCUT\" at its start");
  tu_write(".", "empty.cuts", "");
  naryn_diags_clear(d);
  assert_int_equal(naryn__cutfile_read(r, "empty.cuts", NULL, d), NARYN_ESYNTAX);
  assert_string_equal(tu_first_error(d),
                      "empty.cuts: error: truncated header: the file ends at byte 0");
  naryn_diags_clear(d);
  assert_int_equal(naryn__cutfile_read(r, "none.cuts", NULL, d), NARYN_EIO);
  assert_string_equal(tu_first_error(d),
                      "none.cuts: error: cannot read: No such file or directory");
  naryn_diags_clear(d);
  assert_int_equal(naryn__cutfile_read(r, ".", NULL, d), NARYN_EIO);
  assert_string_equal(tu_first_error(d), ".: error: cannot read: Is a directory");
  /* A pipe no one writes to, which opening would wait on for ever: as a
  ** file read and as a log. */
  remove("pipe.cuts");
  assert_int_equal(mkfifo("pipe.cuts", 0600), 0);
  naryn_diags_clear(d);
  assert_int_equal(naryn__cutfile_read(r, "pipe.cuts", NULL, d), NARYN_EIO);
  assert_string_equal(tu_first_error(d), "pipe.cuts: error: cannot read: expected a regular "
                                         "file of cuts, got a pipe or a device");
  naryn__cutlog *lp = NULL;
  naryn_diags_clear(d);
  assert_int_equal(naryn__cutlog_open(r, "pipe.cuts", &lp, d), NARYN_EIO);
  assert_null(lp);
  remove("pipe.cuts");
  /* Nothing read from any of them. */
  assert_int_equal(naryn__cuts_count(r, 0) + naryn__cuts_count(r, 1), 0);
  /* A log where no file can be made. */
  naryn__cutlog *l = NULL;
  naryn_diags_clear(d);
  assert_int_equal(naryn__cutlog_open(r, "no-such-folder/run.cuts", &l, d), NARYN_EIO);
  assert_null(l);
  assert_string_equal(tu_first_error(d), "no-such-folder/run.cuts: error: cannot write: No "
                                         "such file or directory");
  naryn_diags_clear(d);
  assert_int_equal(naryn__cutfile_write(r, "no-such-folder/all.cuts", 0, d), NARYN_EIO);
  naryn__cuts_free(r);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_add_and_value),
      cmocka_unit_test(test_selection_by_hand),
      cmocka_unit_test(test_version1),
      cmocka_unit_test(test_version2),
      cmocka_unit_test(test_bad_trial_state),
      cmocka_unit_test(test_selection_by_outcome),
      cmocka_unit_test(test_selection_incremental),
      cmocka_unit_test(test_write_read),
      cmocka_unit_test(test_resume_torn),
      cmocka_unit_test(test_corrupt),
      cmocka_unit_test(test_read_whole),
      cmocka_unit_test(test_log_locked),
      cmocka_unit_test(test_refused),
  };
  return cmocka_run_group_tests(tests, tu_enter_tmpdir, tu_leave_tmpdir);
}
