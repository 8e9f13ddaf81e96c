/*
** test_steps.c: horizons of weekly and "N days" steps, each case worked by
** hand: the steps and their lengths (a short last step), monthly values
** spread over a week that crosses a month's end (a rate's mean, a
** volume's sum of day shares, an end-of-month target at the week's last
** day), "1 day" the same as daily to the bit, daily and monthly CSV series
** on weekly steps, an observed series with gaps, and a weekly simulation whose storage matches the
** water added by hand.
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

/* A weekly horizon of 41 days: five weeks and a last step of 6 days
** (5 to 10 February). The fifth week runs from 29 January to 4 February. */
#define WEEKS "{start: 2001-01-01, end: 2001-02-10, step: weekly}"

/* A model with an inflow (a rate), a demand (a volume) and a target
** storage (an end-of-month target), given by the texts Q, V and S, over
** HORIZON. */
static const char model_fmt[] =
    "horizon: %s\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: %s}\n"
    "  - {name: R, type: reservoir, max_storage_hm3: 10000, initial_storage_hm3: 500,\n"
    "     release_m3s: 4, target_storage_hm3: %s}\n"
    "  - {name: D, type: demand, priority: 1, demand_hm3: %s}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: D}\n"
    "  - {from: R, to: Out}\n";

/* Loads the model in a folder with s.csv (when csv is not NULL). */
static naryn_model *load(const char *horizon, const char *q, const char *v, const char *s,
                         const char *csv) {
  char dir[64], path[128], text[4096];
  tu_mkdtemp(dir);
  snprintf(text, sizeof text, model_fmt, horizon, q, s, v);
  tu_write(dir, "model.yaml", text);
  if (csv) tu_write(dir, "s.csv", csv);
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = naryn_model_load(path, NULL, 0, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  tu_rmdir(dir);
  return m;
}

/* Twelve monthly values: January, February, then 'rest' to December. */
static const char *twelve(char *buf, size_t size, double jan, double feb, double rest,
                          double dec) {
  snprintf(buf, size, "[%g, %g, %g, %g, %g, %g, %g, %g, %g, %g, %g, %g]", jan, feb, rest,
           rest, rest, rest, rest, rest, rest, rest, rest, dec);
  return buf;
}

/* Rate: January 10, February 20 m3/s; the week of 29 January has 3 days
** of January and 4 of February: (3 * 10 + 4 * 20) / 7 = 110/7.
** Volume: January 62 hm3 (2 a day), February 28 (1 a day): that week
** 3 * 2 + 4 * 1 = 10, a whole January week 14, the 6-day last step 6.
** Target: end of December 400, of January 462, of February 490: at 7
** January 400 + 62 * 7/31 = 414, at 4 February 462 + 28 * 4/28 = 466, at
** 10 February 462 + 28 * 10/28 = 472. */
static void monthly_values_on_weekly_steps(void **state) {
  (void)state;
  char q[256], v[256], s[256];
  naryn_model *m = load(WEEKS, twelve(q, sizeof q, 10, 20, 5, 5),
                        twelve(v, sizeof v, 62, 28, 30, 31),
                        twelve(s, sizeof s, 462, 490, 500, 400), NULL);
  assert_int_equal(m->nsteps, 6);
  assert_int_equal(m->step_days, 7);
  assert_int_equal(naryn_model_step_days(m), 7);
  assert_int_equal(naryn_model_is_daily(m), 1);
  assert_string_equal(m->step_date[4], "2001-01-29");
  assert_string_equal(m->step_date[5], "2001-02-05");
  assert_int_equal(m->step_month[4], 1);
  for (int t = 0; t < 5; t++) assert_near(m->step_s[t], 7 * 86400.0, 0);
  assert_near(m->step_s[5], 6 * 86400.0, 0);
  const naryn__node *in = &m->nodes[0], *r = &m->nodes[1], *dm = &m->nodes[2];
  assert_true(in->inflow_m3s.v[0] == 10.0); /* a month's rate as given */
  assert_near(in->inflow_m3s.v[4], 110.0 / 7, 1e-12);
  assert_true(in->inflow_m3s.v[5] == 20.0);
  assert_near(dm->demand_hm3.v[0], 14.0, 1e-12);
  assert_near(dm->demand_hm3.v[4], 10.0, 1e-12);
  assert_near(dm->demand_hm3.v[5], 6.0, 1e-12);
  assert_near(r->target_storage_hm3.v[0], 414.0, 1e-12);
  assert_near(r->target_storage_hm3.v[4], 466.0, 1e-12);
  assert_near(r->target_storage_hm3.v[5], 472.0, 1e-12);
  naryn_model_free(m);
}

/* "1 day" is daily: the same steps and values to the bit; "10 days"
** over 41 days gives steps of 10, 10, 10, 10 and 1 days. */
static void one_day_is_daily(void **state) {
  (void)state;
  char q[256], v[256], s[256];
  twelve(q, sizeof q, 10, 20, 5, 5), twelve(v, sizeof v, 62, 28, 30, 31);
  twelve(s, sizeof s, 462, 490, 500, 400);
  naryn_model *a = load("{start: 2001-01-01, end: 2001-03-10, step: daily}", q, v, s, NULL);
  naryn_model *b = load("{start: 2001-01-01, end: 2001-03-10, step: \"1 day\"}", q, v, s, NULL);
  assert_int_equal(a->nsteps, b->nsteps);
  assert_int_equal(b->step_days, 1);
  size_t n = (size_t)a->nsteps * sizeof(double);
  assert_memory_equal(a->step_s, b->step_s, n);
  assert_memory_equal(a->nodes[0].inflow_m3s.v, b->nodes[0].inflow_m3s.v, n);
  assert_memory_equal(a->nodes[1].target_storage_hm3.v, b->nodes[1].target_storage_hm3.v, n);
  assert_memory_equal(a->nodes[2].demand_hm3.v, b->nodes[2].demand_hm3.v, n);
  naryn_model_free(a);
  naryn_model_free(b);
  naryn_model *c = load("{start: 2001-01-01, end: 2001-02-10, step: \"10 days\"}", q, v, s,
                        NULL);
  assert_int_equal(c->nsteps, 5);
  assert_near(c->step_s[3], 10 * 86400.0, 0);
  assert_near(c->step_s[4], 86400.0, 0);
  assert_string_equal(c->step_date[4], "2001-02-10");
  naryn_model_free(c);
}

/* Days of January and February 2001: on day d of the month, q = d,
** v = 0.5 and s = 100 + d. The week of 29 January: q the mean of 29, 30,
** 31, 1, 2, 3, 4 = 100/7, v 3.5, s on 4 February 104; the last step (5
** to 10 February): q 7.5, v 3, s 110. */
static void daily_csv_on_weekly_steps(void **state) {
  (void)state;
  static char csv[8192];
  size_t used = (size_t)snprintf(csv, sizeof csv, "date,q,v,s\n");
  for (int mo = 1; mo <= 2; mo++)
    for (int d = 1; d <= (mo == 1 ? 31 : 28); d++)
      used += (size_t)snprintf(csv + used, sizeof csv - used, "2001-%02d-%02d,%d,0.5,%d\n",
                               mo, d, d, 100 + d);
  naryn_model *m = load(WEEKS, "{file: s.csv, column: q}", "{file: s.csv, column: v}",
                        "{file: s.csv, column: s}", csv);
  assert_near(m->nodes[0].inflow_m3s.v[0], 4.0, 1e-12);
  assert_near(m->nodes[0].inflow_m3s.v[4], 100.0 / 7, 1e-12);
  assert_near(m->nodes[0].inflow_m3s.v[5], 7.5, 1e-12);
  assert_near(m->nodes[2].demand_hm3.v[4], 3.5, 1e-12);
  assert_near(m->nodes[2].demand_hm3.v[5], 3.0, 1e-12);
  assert_near(m->nodes[1].target_storage_hm3.v[4], 104.0, 1e-12);
  assert_near(m->nodes[1].target_storage_hm3.v[5], 110.0, 1e-12);
  naryn_model_free(m);
}

/* The monthly values of the first case as a monthly file (month ends, as
** pandas writes them): the same step values. */
static void monthly_csv_on_weekly_steps(void **state) {
  (void)state;
  const char *csv = "date,q,v,s\n"
                    "2000-12-31,5,31,400\n"
                    "2001-01-31,10,62,462\n"
                    "2001-02-28,20,28,490\n";
  naryn_model *m = load(WEEKS, "{file: s.csv, column: q}", "{file: s.csv, column: v}",
                        "{file: s.csv, column: s}", csv);
  assert_true(m->nodes[0].inflow_m3s.v[0] == 10.0);
  assert_near(m->nodes[0].inflow_m3s.v[4], 110.0 / 7, 1e-12);
  assert_near(m->nodes[2].demand_hm3.v[0], 14.0, 1e-12);
  assert_near(m->nodes[2].demand_hm3.v[4], 10.0, 1e-12);
  assert_near(m->nodes[2].demand_hm3.v[5], 6.0, 1e-12);
  assert_near(m->nodes[1].target_storage_hm3.v[0], 414.0, 1e-12);
  assert_near(m->nodes[1].target_storage_hm3.v[4], 466.0, 1e-12);
  assert_near(m->nodes[1].target_storage_hm3.v[5], 472.0, 1e-12);
  naryn_model_free(m);
}

/* An observed series with gaps on weekly steps: a step's flow is the mean
** of its days observed, its storage the value of its last day. Days of
** January 2001 observed on the 1st, 2nd and 9th (flows 1, 2 and 9,
** storages 101, 102 and 109) and from 15 to 31 January: the first week's
** flow (1 + 2) / 2 = 1.5 and storage not observed (7 January missing); the
** second week's flow 9 and storage not observed; the third week's flow the
** mean of 15..21 = 18 and storage 121. */
static void observed_gaps_on_weekly_steps(void **state) {
  (void)state;
  static char csv[4096];
  size_t used = (size_t)snprintf(csv, sizeof csv, "date,q,s\n");
  for (int d = 1; d <= 31; d++)
    if (d <= 2 || d == 9 || d >= 15)
      used += (size_t)snprintf(csv + used, sizeof csv - used, "2001-01-%02d,%d,%d\n", d, d,
                               100 + d);
  char dir[64], path[128];
  tu_mkdtemp(dir);
  tu_write(dir, "s.csv", csv);
  tu_write(dir, "model.yaml",
           "horizon: {start: 2001-01-01, end: 2001-01-28, step: weekly}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 10}\n"
           "  - {name: R, type: reservoir, max_storage_hm3: 1000, initial_storage_hm3: 500,\n"
           "     observed_flow_m3s: {file: s.csv, column: q},\n"
           "     observed_storage_hm3: {file: s.csv, column: s}}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: R}\n"
           "  - {from: R, to: Out}\n");
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = naryn_model_load(path, NULL, 0, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  tu_rmdir(dir);
  assert_int_equal(m->nobs, 2);
  const naryn__ts *q = NULL, *st = NULL;
  for (int k = 0; k < m->nobs; k++)
    *(m->obs[k].q == NARYN_Q_STORAGE_END_HM3 ? &st : &q) = &m->obs[k].ts;
  assert_near(q->v[0], 1.5, 1e-12);
  assert_near(q->v[1], 9.0, 1e-12);
  assert_near(q->v[2], 18.0, 1e-12);
  assert_true(isnan(st->v[0]) && isnan(st->v[1]));
  assert_near(st->v[2], 121.0, 1e-12);
  assert_near(st->v[3], 128.0, 1e-12);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* A weekly run: inflow 10 m3/s in January and 20 in February, release 4,
** no demand: the storage gains 6 m3/s through January and 16 through
** February, 0.0864 hm3 a day per m3/s. End of the first week 500 + 6 * 7 *
** 0.0864 = 503.6288; of the week to 4 February 500 + (6 * 31 + 16 * 4) *
** 0.0864 = 521.6; of the 6-day last step 521.6 + 16 * 6 * 0.0864 =
** 529.8944. The water balance closes in every step. */
static void weekly_run_balances(void **state) {
  (void)state;
  char q[256];
  naryn_model *m = load(WEEKS, twelve(q, sizeof q, 10, 20, 5, 5), "0", "0", NULL);
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  assert_near(naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, 1, 0), 503.6288, 1e-9);
  assert_near(naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, 1, 4), 521.6, 1e-9);
  assert_near(naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, 1, 5), 529.8944, 1e-9);
  assert_near(naryn_result_node(r, NARYN_Q_RELEASE_HM3, 1, 5), 4 * 6 * 0.0864, 1e-9);
  assert_true(naryn_result_max_residual_hm3(r, NULL, NULL) < 1e-9);
  assert_true(fabs(naryn_result_system_residual_hm3(r)) < 1e-9);
  /* 41 days of 2001. */
  assert_near(naryn_result_years(r), 41.0 / 365, 1e-12);
  naryn_result_free(r);
  naryn_diags_free(d);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(monthly_values_on_weekly_steps),
      cmocka_unit_test(one_day_is_daily),
      cmocka_unit_test(daily_csv_on_weekly_steps),
      cmocka_unit_test(monthly_csv_on_weekly_steps),
      cmocka_unit_test(observed_gaps_on_weekly_steps),
      cmocka_unit_test(weekly_run_balances),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
