/*
** test_by_month.c: the report's points of a long run of weekly or 10-day
** steps, drawn by calendar month (report/feed.c), each worked by hand: the
** month each step is counted in, the storage of each month's point and
** the sums of its inflow and release. Runs of steps of 29 days or more are
** drawn per step instead, as a calendar month may then have no step
** starting in it. Tolerance 1e-6 hm3 absolute: the feed keeps each value
** as nodes.csv writes it, to six decimals (these values have at most
** four); 5e-6 for a point's balance, of five such values.
**
** The model: a reservoir R filled by 10 m3/s and releasing 4 m3/s to a
** sink (release_m3s), so that it gains 6 m3/s, 0.5184 hm3 a day
** (6 * 0.0864), from 500 hm3. A step of d days adds 0.864 * d hm3 of
** inflow and 0.3456 * d of release.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "naryn_int.h"
#include "testutil.h"

#define TOL 1e-6

static const char model_fmt[] =
    "horizon: {start: 2001-01-01, end: %s, step: \"%d days\"}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: 10}\n"
    "  - {name: R, type: reservoir, max_storage_hm3: 10000, initial_storage_hm3: 500,\n"
    "     release_m3s: 4}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: Out}\n";

static naryn_model *load(const char *end, int days) {
  char text[1024];
  snprintf(text, sizeof text, model_fmt, end, days);
  naryn_model *m = NULL;
  naryn_diags *d = naryn_diags_new(0);
  int rc = tu_load_text(text, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return m;
}

/* The run of m, its nodes.csv written (into a folder dropped afterwards)
** as a run writes it, which fills the feed the report draws from; calls
** check with the feed, then drops it. */
static void with_feed(const naryn_model *m, void (*check)(const naryn__report_feed *)) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  char dir[64];
  tu_mkdtemp(dir);
  naryn__steps w;
  assert_int_equal(naryn__steps_open(&w, m, NULL, dir, d), NARYN_OK);
  assert_int_equal(naryn__steps_write_all(&w, r, d), NARYN_OK);
  assert_non_null(w.feed);
  check(w.feed);
  naryn__steps_abort(&w);
  tu_rmdir(dir);
  naryn_result_free(r);
  naryn_diags_free(d);
}

/* Point k of the series of quantity q of node i (R is node 1). */
static double pt(const naryn__report_feed *fd, naryn_quantity q, int i, int k) {
  const double *v = fd->series[(size_t)q * (size_t)fd->nnodes + (size_t)i];
  assert_non_null(v);
  assert_in_range(k, 0, fd->npts - 1);
  return v[k];
}

/* Every point balances: the storage of a month less that of the month
** before (500 before the first) is the month's inflow less its release,
** as the same steps make up the three. */
static void points_balance(const naryn__report_feed *fd) {
  double before = 500;
  for (int k = 0; k < fd->npts; k++) {
    double s = pt(fd, NARYN_Q_STORAGE_END_HM3, 1, k);
    double in = pt(fd, NARYN_Q_INFLOW_HM3, 1, k), out = pt(fd, NARYN_Q_RELEASE_HM3, 1, k);
    assert_near(s - before, in - out, 5 * TOL);
    before = s;
  }
}

/* The smallest run drawn by month has 1501 steps. */
static void smallest_run_by_month(void **state) {
  (void)state;
  assert_int_equal(NARYN__REPORT_STEP_POINTS, 1500);
  assert_false(NARYN__REPORT_BY_MONTH(7, 1500));
  assert_true(NARYN__REPORT_BY_MONTH(7, 1501));
  assert_true(NARYN__REPORT_BY_MONTH(1, 1501));
  assert_true(NARYN__REPORT_BY_MONTH(28, 1501));
  assert_false(NARYN__REPORT_BY_MONTH(29, 1501));
  assert_false(NARYN__REPORT_BY_MONTH(0, 2400)); /* monthly */
}

/* Weekly, 2001-01-01 to 2029-10-04: 1500 weeks (10500 days) and a last
** step of 4 days (1 to 4 October 2029), 1501 steps. A step counts in the
** month of its first day:
**   January 2001   steps 0-4, starting 1, 8, 15, 22, 29 January; step 4
**                  runs to 4 February. Storage at the end of step 4,
**                  35 days: 500 + 0.5184 * 35 = 518.144. Inflow
**                  5 * 6.048 = 30.24, release 5 * 2.4192 = 12.096.
**   February 2001  steps 5-8 (5, 12, 19, 26 February; step 8 runs to
**                  4 March): 63 days, 500 + 0.5184 * 63 = 532.6592.
**                  Inflow 4 * 6.048 = 24.192, release 9.6768.
**   March 2001     steps 9-12 (5 to 26 March; step 12 runs to 1 April):
**                  91 days, 547.1744; inflow 24.192.
**   September 2029 steps 1496-1499 (3 to 24 September; step 1499 ends on
**                  30 September): 10500 days, 500 + 0.5184 * 10500 =
**                  5943.2; inflow 24.192.
**   October 2029   step 1500 alone, 4 days: 5943.2 + 0.5184 * 4 =
**                  5945.2736; inflow 0.864 * 4 = 3.456, release 1.3824.
** January 2001 to October 2029 is 12 * 28 + 10 = 346 months, the points. */
static void check_weekly(const naryn__report_feed *fd) {
  assert_true(fd->by_month);
  assert_int_equal(fd->nsteps, 1501);
  assert_int_equal(fd->npts, 346);
  static const int first[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3};
  for (int t = 0; t < 14; t++) assert_int_equal(fd->step_pt[t], first[t]);
  assert_int_equal(fd->step_pt[1495], 343);
  for (int t = 1496; t < 1500; t++) assert_int_equal(fd->step_pt[t], 344);
  assert_int_equal(fd->step_pt[1500], 345);
  const naryn_quantity S = NARYN_Q_STORAGE_END_HM3, I = NARYN_Q_INFLOW_HM3,
                       O = NARYN_Q_RELEASE_HM3;
  assert_near(pt(fd, S, 1, 0), 518.144, TOL);
  assert_near(pt(fd, I, 1, 0), 30.24, TOL);
  assert_near(pt(fd, O, 1, 0), 12.096, TOL);
  assert_near(pt(fd, S, 1, 1), 532.6592, TOL);
  assert_near(pt(fd, I, 1, 1), 24.192, TOL);
  assert_near(pt(fd, O, 1, 1), 9.6768, TOL);
  assert_near(pt(fd, S, 1, 2), 547.1744, TOL);
  assert_near(pt(fd, I, 1, 2), 24.192, TOL);
  assert_near(pt(fd, S, 1, 344), 5943.2, TOL);
  assert_near(pt(fd, I, 1, 344), 24.192, TOL);
  assert_near(pt(fd, S, 1, 345), 5945.2736, TOL);
  assert_near(pt(fd, I, 1, 345), 3.456, TOL);
  assert_near(pt(fd, O, 1, 345), 1.3824, TOL);
  /* The sink's inflow is R's release, month by month. */
  assert_near(pt(fd, I, 2, 0), 12.096, TOL);
  assert_near(pt(fd, I, 2, 345), 1.3824, TOL);
  points_balance(fd);
}

static void weekly_by_month(void **state) {
  (void)state;
  naryn_model *m = load("2029-10-04", 7);
  with_feed(m, check_weekly);
  naryn_model_free(m);
}

/* 10-day steps, 2001-01-01 to 2042-02-04: 1501 steps of 10 days (15010
** days, no short step). A step counts in the month of its first day, so
** months have 2, 3 or 4 steps:
**   January 2001   steps 0-3 (1, 11, 21, 31 January; step 3 runs to
**                  9 February): 40 days, 500 + 0.5184 * 40 = 520.736.
**                  Inflow 4 * 8.64 = 34.56, release 4 * 3.456 = 13.824.
**   February 2001  steps 4-5 (10 and 20 February; step 5 runs to
**                  1 March): 60 days, 531.104. Inflow 2 * 8.64 = 17.28.
**   March 2001     steps 6-8 (2, 12, 22 March, to 31 March): 90 days,
**                  546.656. Inflow 25.92.
**   December 2041  steps 1495-1497 (7, 17, 27 December; step 1497 runs to
**                  5 January): 14980 days, 500 + 0.5184 * 14980 =
**                  8265.632. Inflow 25.92.
**   January 2042   steps 1498-1500 (6, 16, 26 January, to 4 February):
**                  15010 days, 8281.184. Inflow 25.92, release 10.368.
** January 2001 to January 2042 is 12 * 41 + 1 = 493 months, the points. */
static void check_ten_days(const naryn__report_feed *fd) {
  assert_true(fd->by_month);
  assert_int_equal(fd->nsteps, 1501);
  assert_int_equal(fd->npts, 493);
  static const int first[] = {0, 0, 0, 0, 1, 1, 2, 2, 2, 3};
  for (int t = 0; t < 10; t++) assert_int_equal(fd->step_pt[t], first[t]);
  assert_int_equal(fd->step_pt[1494], 490);
  for (int t = 1495; t < 1498; t++) assert_int_equal(fd->step_pt[t], 491);
  for (int t = 1498; t < 1501; t++) assert_int_equal(fd->step_pt[t], 492);
  const naryn_quantity S = NARYN_Q_STORAGE_END_HM3, I = NARYN_Q_INFLOW_HM3,
                       O = NARYN_Q_RELEASE_HM3;
  assert_near(pt(fd, S, 1, 0), 520.736, TOL);
  assert_near(pt(fd, I, 1, 0), 34.56, TOL);
  assert_near(pt(fd, O, 1, 0), 13.824, TOL);
  assert_near(pt(fd, S, 1, 1), 531.104, TOL);
  assert_near(pt(fd, I, 1, 1), 17.28, TOL);
  assert_near(pt(fd, S, 1, 2), 546.656, TOL);
  assert_near(pt(fd, I, 1, 2), 25.92, TOL);
  assert_near(pt(fd, S, 1, 491), 8265.632, TOL);
  assert_near(pt(fd, I, 1, 491), 25.92, TOL);
  assert_near(pt(fd, S, 1, 492), 8281.184, TOL);
  assert_near(pt(fd, I, 1, 492), 25.92, TOL);
  assert_near(pt(fd, O, 1, 492), 10.368, TOL);
  points_balance(fd);
}

static void ten_days_by_month(void **state) {
  (void)state;
  naryn_model *m = load("2042-02-04", 10);
  with_feed(m, check_ten_days);
  naryn_model_free(m);
}

/* 29-day steps, 2001-01-01 to 2120-03-06: 1501 steps. By month February
** 2006 would have no step: step 64 runs from 31 January to 28 February
** 2006 and step 65 starts on 1 March. Such a run used to fail as it wrote
** its report (a month's mean flow over no step was not a number); it is
** drawn per step, as a monthly run is. */
static void check_per_step(const naryn__report_feed *fd) {
  assert_false(fd->by_month);
  assert_int_equal(fd->npts, 1501);
  assert_near(pt(fd, NARYN_Q_STORAGE_END_HM3, 1, 0), 500 + 0.5184 * 29, TOL);
  assert_near(pt(fd, NARYN_Q_INFLOW_HM3, 1, 64), 0.864 * 29, TOL);
}

static void long_steps_per_step(void **state) {
  (void)state;
  naryn_model *m = load("2120-03-06", 29);
  assert_int_equal(naryn_model_steps(m), 1501);
  assert_string_equal(m->step_date[64], "2006-01-31");
  assert_string_equal(m->step_date[65], "2006-03-01");
  with_feed(m, check_per_step);
  char dir[64], out[128], path[192];
  tu_mkdtemp(dir);
  snprintf(out, sizeof out, "%s/run", dir);
  naryn_diags *d = naryn_diags_new(0);
  int rc = naryn_simulate_to(m, NULL, NULL, out, NULL, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  snprintf(path, sizeof path, "%s/report.html", out);
  char *page = tu_slurp(path);
  assert_non_null(strstr(page, "R: storage at the end of each step"));
  assert_null(strstr(page, "by-month"));
  /* The same page from the folder. */
  assert_int_equal(naryn_report_write(out, d), NARYN_OK);
  char *again = tu_slurp(path);
  assert_string_equal(page, again);
  free(page);
  free(again);
  naryn_diags_free(d);
  naryn_model_free(m);
  tu_rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(smallest_run_by_month),
      cmocka_unit_test(weekly_by_month),
      cmocka_unit_test(ten_days_by_month),
      cmocka_unit_test(long_steps_per_step),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
