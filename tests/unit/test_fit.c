/*
** test_fit.c: the fit of a run to observed series, each number worked by
** hand: RMSE, bias, NSE, KGE and the largest error with its step over a
** series with a gap, a constant observed series (NSE and KGE undefined),
** a series never observed, an observed series read with a missing row and
** an empty cell, and fit.csv of a simulation, streamed and from a full
** result alike, with the report drawn again from a folder that names the
** storage as older versions did. Tolerance 1e-12 for the statistics, 1e-6 for fit.csv
** (six decimals).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naryn_int.h"
#include "testutil.h"

/* a and b within tol, in doubles. */
#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* Pairs (2,1), (2,2), (5,3), (4,4) and a step not observed (100, NaN):
** errors 1, 0, 2, 0; mean sim 3.25, mean obs 2.5; sum of squared errors 5,
** of squared observed deviations 5; sim deviations -1.25, -1.25, 1.75,
** 0.75 (squares 6.75), covariance sum 4.5, so r = 4.5 / sqrt(6.75 * 5) =
** sqrt(0.6), alpha = sqrt(6.75 / 5) = sqrt(1.35), beta = 3.25 / 2.5. */
static void statistics_by_hand(void **state) {
  (void)state;
  const double sim[] = {2, 2, 100, 5, 4}, obs[] = {1, 2, NAN, 3, 4};
  naryn__fit f;
  naryn__fit_stats(sim, obs, 5, &f);
  assert_int_equal(f.observed_steps, 4);
  NEAR(f.rmse, sqrt(1.25), 1e-12);
  NEAR(f.bias, 0.75, 1e-12);
  NEAR(f.nse, 0.0, 1e-12);
  double kge = 1 - sqrt(pow(sqrt(0.6) - 1, 2) + pow(sqrt(1.35) - 1, 2) + pow(1.3 - 1, 2));
  NEAR(f.kge, kge, 1e-12);
  NEAR(f.max_abs_error, 2.0, 1e-12);
  assert_int_equal(f.max_error_step, 3);
}

/* The first of equal largest errors is the one told; a step the run has
** no value for is left out too. */
static void first_largest_error(void **state) {
  (void)state;
  const double sim[] = {NAN, 1, 5, 3}, obs[] = {0, 2, 6, 2};
  naryn__fit f;
  naryn__fit_stats(sim, obs, 4, &f);
  assert_int_equal(f.observed_steps, 3);
  assert_int_equal(f.max_error_step, 1);
  NEAR(f.bias, (9.0 - 10.0) / 3, 1e-12);
}

/* Observations that do not vary leave NSE and KGE undefined. */
static void constant_observed(void **state) {
  (void)state;
  const double sim[] = {2, 3, 4}, obs[] = {3, 3, 3};
  naryn__fit f;
  naryn__fit_stats(sim, obs, 3, &f);
  assert_int_equal(f.observed_steps, 3);
  NEAR(f.rmse, sqrt(2.0 / 3), 1e-12);
  NEAR(f.bias, 0.0, 1e-12);
  assert_true(isnan(f.nse));
  assert_true(isnan(f.kge));
  /* A run that does not vary against observations that do: NSE is
  ** defined, KGE is not. */
  const double flat[] = {3, 3, 3}, varied[] = {2, 3, 4};
  naryn__fit_stats(flat, varied, 3, &f);
  NEAR(f.nse, 1 - 2.0 / 2.0, 1e-12);
  assert_true(isnan(f.kge));
}

/* A series never observed has no statistics at all. */
static void never_observed(void **state) {
  (void)state;
  const double sim[] = {1, 2}, obs[] = {NAN, NAN};
  naryn__fit f;
  naryn__fit_stats(sim, obs, 2, &f);
  assert_int_equal(f.observed_steps, 0);
  assert_true(isnan(f.rmse) && isnan(f.bias) && isnan(f.nse) && isnan(f.kge));
  assert_int_equal(f.max_error_step, -1);
}

/* A reservoir filled by 1 hm3 a day from 100 hm3 (101 to 105 at the ends
** of five days) against observations 101, an empty cell, 104, no row,
** 103: errors 0, -1, 2, so RMSE sqrt(5/3), bias 1/3, observed mean 308/3
** with squared deviations 14/3, NSE 1 - 5 / (14/3) = -1/14; sim
** deviations -2, 0, 2 (squares 8), covariance sum 4, so r = 4 /
** sqrt(8 * 14/3), alpha = sqrt(8 / (14/3)), beta = 103 / (308/3). */
static const char fill_model[] =
    "horizon: {start: 2001-01-01, end: 2001-01-05, step: daily}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: 11.574074074074074}\n"
    "  - {name: R, type: reservoir, max_storage_hm3: 1000, initial_storage_hm3: 100,\n"
    "     observed_storage_hm3: {file: obs.csv, column: storage}}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: Out}\n";

/* Checks the row of fit.csv in FILE against the numbers above. */
static void check_fit_csv(const char *file) {
  char *text = tu_slurp(file);
  assert_non_null(text);
  const char *row = strchr(text, '\n');
  assert_non_null(row);
  assert_string_equal(strchr(row + 1, '\n') ? "" : "no second line", "");
  assert_memory_equal(row + 1, "R,node,storage_end_hm3,hm3,3,", 29);
  char *p = (char *)row + 30;
  double want[] = {sqrt(5.0 / 3), 1.0 / 3, -1.0 / 14, 0, 2};
  want[3] = 1 - sqrt(pow(4 / sqrt(8 * 14.0 / 3) - 1, 2) + pow(sqrt(8 / (14.0 / 3)) - 1, 2) +
                     pow(103 / (308.0 / 3) - 1, 2));
  for (int k = 0; k < 5; k++) {
    char *end;
    double x = strtod(p, &end);
    assert_true(end > p && *end == ',');
    NEAR(x, want[k], 1e-6);
    p = end + 1;
  }
  assert_memory_equal(p, "2001-01-05\n", 11);
  free(text);
}

/* Rewrites dir/name as an older version wrote it: every storage_end_hm3
** (the column of nodes.csv, the quantity of observed.csv) is storage_hm3. */
static void old_storage_name(const char *dir, const char *name) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *text = tu_slurp(path), *at;
  assert_non_null(strstr(text, "storage_end_hm3"));
  while ((at = strstr(text, "storage_end_hm3")) != NULL)
    memmove(at + 8, at + 12, strlen(at + 12) + 1); /* drops "end_" */
  tu_write(dir, name, text);
  free(text);
}

static void fit_csv_of_a_run(void **state) {
  (void)state;
  char dir[64], path[256], out[160];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml", fill_model);
  tu_write(dir, "obs.csv", "date,storage\n2001-01-01,101\n2001-01-02,\n"
                           "2001-01-03,104\n2001-01-05,103\n");
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  naryn_diags *d = naryn_diags_new(10);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load(path, NULL, 0, &m, d), NARYN_OK);
  assert_int_equal(m->nobs, 1);
  assert_true(isnan(m->obs[0].ts.v[1]) && isnan(m->obs[0].ts.v[3]));
  /* Streamed as it runs. */
  snprintf(out, sizeof out, "%s/run", dir);
  assert_int_equal(naryn_simulate_to(m, NULL, NULL, out, NULL, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/fit.csv", out);
  check_fit_csv(path);
  snprintf(path, sizeof path, "%s/observed.csv", out);
  char *obs = tu_slurp(path);
  assert_string_equal(obs, "date,element,kind,quantity,observed,simulated\n"
                           "2001-01-01,R,node,storage_end_hm3,101.000000,101.000000\n"
                           "2001-01-03,R,node,storage_end_hm3,104.000000,103.000000\n"
                           "2001-01-05,R,node,storage_end_hm3,103.000000,105.000000\n");
  free(obs);
  /* The report draws the observed storage on the storage chart. */
  snprintf(path, sizeof path, "%s/report.html", out);
  char *html = tu_slurp(path);
  assert_non_null(strstr(html, ">observed</text>"));
  /* A folder of an older version, whose nodes.csv and observed.csv name
  ** the storage storage_hm3, draws the same page. */
  old_storage_name(out, "nodes.csv");
  old_storage_name(out, "observed.csv");
  assert_int_equal(naryn_report_write(out, d), NARYN_OK);
  char *again = tu_slurp(path);
  assert_string_equal(html, again);
  free(again);
  free(html);
  /* From a full result. */
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  snprintf(out, sizeof out, "%s/full", dir);
  assert_int_equal(naryn_result_write(r, out, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/fit.csv", out);
  check_fit_csv(path);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* A daily observed flow on a monthly horizon: a month is the mean of its
** days observed, and a month without any is not observed. */
static void daily_gauge_on_a_monthly_horizon(void **state) {
  (void)state;
  char dir[64], path[256];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml",
           "horizon: {start: 2001-01, end: 2001-03, step: monthly}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 10}\n"
           "  - {name: Gauge, type: junction, observed_flow_m3s: {file: q.csv, column: q}}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: Gauge}\n"
           "  - {from: Gauge, to: Out}\n");
  tu_write(dir, "q.csv", "date,q\n2001-01-01,4\n2001-01-02,\n2001-01-17,8\n"
                         "2001-03-31,5\n");
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  naryn_diags *d = naryn_diags_new(10);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load(path, NULL, 0, &m, d), NARYN_OK);
  assert_int_equal(m->nobs, 1);
  assert_string_equal(m->obs[0].quantity, "inflow_m3s");
  NEAR(m->obs[0].ts.v[0], 6.0, 1e-12);
  assert_true(isnan(m->obs[0].ts.v[1]));
  NEAR(m->obs[0].ts.v[2], 5.0, 1e-12);
  /* The report draws the gauge in "Observed and simulated", the run's page
  ** and the folder's alike. */
  char out[160], *first, *again;
  snprintf(out, sizeof out, "%s/run", dir);
  assert_int_equal(naryn_simulate_to(m, NULL, NULL, out, NULL, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/report.html", out);
  first = tu_slurp(path);
  assert_non_null(strstr(first, "<h2 id=\"s-observed\">Observed and simulated</h2>"));
  assert_non_null(strstr(first, "Gauge: inflow, m3/s, observed and simulated"));
  assert_non_null(strstr(first, "href=\"#s-observed\""));
  assert_int_equal(naryn_report_write(out, d), NARYN_OK);
  again = tu_slurp(path);
  assert_string_equal(first, again);
  free(first);
  free(again);
  naryn_model_free(m);
  naryn_diags_free(d);
  tu_rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(statistics_by_hand),
      cmocka_unit_test(first_largest_error),
      cmocka_unit_test(constant_observed),
      cmocka_unit_test(never_observed),
      cmocka_unit_test(fit_csv_of_a_run),
      cmocka_unit_test(daily_gauge_on_a_monthly_horizon),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
