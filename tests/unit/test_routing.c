/*
** test_routing.c: routed links worked by hand, in the simulation and the
** optimisation: a lag delivering its initial flow and then what entered
** two days before, a Muskingum reach against its recurrence, the water
** the reaches hold counted in the system's balance, both step solvers
** alike, and the optimum releasing early for a demand below a lag; then
** the same on weekly steps, with lags of whole and part steps, a
** Muskingum reach with a 7-day step and a shorter last step.
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

#define DAILY "{start: 2001-01-01, end: 2001-01-06, step: daily}"
#define WEEKLY "{start: 2001-01-01, end: 2001-02-11, step: weekly}"
#define SIX "[10, 20, 30, 40, 50, 60]"
#define MAX_STEPS 8

/* Inflows (m3/s, one a step) over HORIZON through a routed link into a
** junction and on to the sea; ROUTING is the link's routing. */
static naryn_model *load_on(const char *horizon, const char *inflows, const char *routing) {
  char text[1024];
  snprintf(text, sizeof text,
           "horizon: %s\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: %s}\n"
           "  - {name: J, type: junction}\n"
           "  - {name: Sea, type: sink}\n"
           "links:\n"
           "  - {from: In, to: J, routing: %s}\n"
           "  - {from: J, to: Sea}\n",
           horizon, inflows, routing);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = tu_load_text(text, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  assert_true(m->nsteps <= MAX_STEPS);
  naryn_diags_free(d);
  return m;
}

/* Inflows of 10 to 60 m3/s over six days. */
static naryn_model *load(const char *routing) {
  return load_on(DAILY, SIX, routing);
}

/* The junction's inflow each step, m3/s, simulated (with the given step
** solver) or optimised; the water left in the reach, hm3. */
static double arrivals(const naryn_model *m, int optimise, int clp, double *got) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  if (optimise) {
    assert_int_equal(naryn_optimise(m, NULL, &r, d), NARYN_OK);
  } else {
    naryn_sim_opts o;
    naryn_sim_opts_init(&o);
    if (clp) o.step_solver = NARYN_STEP_CLP;
    assert_int_equal(naryn_simulate(m, &o, &r, d), NARYN_OK);
  }
  for (int t = 0; t < m->nsteps; t++)
    got[t] = naryn_result_node(r, NARYN_Q_INFLOW_HM3, 1, t) / (m->step_s[t] * 1e-6);
  /* What entered and never arrived is in the reach: the system balances
  ** with it (checked by the run) and it is what the steps leave. */
  double in = 0, out = 0;
  for (int t = 0; t < m->nsteps; t++) {
    in += naryn_result_link_flow_hm3(r, 0, t);
    out += naryn_result_node(r, NARYN_Q_INFLOW_HM3, 1, t);
  }
  double transit = r->transit_hm3;
  assert_near(transit, in - out, 1e-9);
  naryn_result_free(r);
  naryn_diags_free(d);
  return transit;
}

/* Checks m's arrivals against want (m3/s, to 1e-9) and the change of the
** water in the reach against transit_hm3 (unless NaN) in the simulation
** with either step solver and in the optimisation, which has no choice to
** make. */
static void check_arrivals(const naryn_model *m, const double *want, double transit_hm3) {
  double got[MAX_STEPS];
  for (int mode = 0; mode < 3; mode++) {
    double transit = arrivals(m, mode == 2, mode == 1, got);
    for (int t = 0; t < m->nsteps; t++) assert_near(got[t], want[t], 1e-9);
    if (!isnan(transit_hm3)) assert_near(transit, transit_hm3, 1e-9);
  }
}

/* A lag of two days with 5 m3/s in the reach before the horizon: 5, 5,
** then the inflows of two days before, 10, 20, 30, 40. */
static void lag_delivers_two_days_late(void **state) {
  (void)state;
  naryn_model *m = load("{lag_days: 2, initial_flow_m3s: 5}");
  static const double want[6] = {5, 5, 10, 20, 30, 40};
  check_arrivals(m, want, NAN);
  naryn_model_free(m);
}

/* Muskingum, K = 2 days, X = 0.2, one-day steps: D = 2 K (1 - X) + 1 =
** 4.2, c0 = 0.2 / 4.2, c1 = 1.8 / 4.2, c2 = 2.2 / 4.2. From 10 m3/s in and
** out before the horizon: O1 = c0 10 + c1 10 + c2 10 = 10, then
** O_t = c0 I_t + c1 I_t-1 + c2 O_t-1. */
static void muskingum_follows_its_recurrence(void **state) {
  (void)state;
  naryn_model *m = load("{muskingum_k_days: 2, muskingum_x: 0.2, initial_flow_m3s: 10}");
  double c0 = 0.2 / 4.2, c1 = 1.8 / 4.2, c2 = 2.2 / 4.2, in[6] = {10, 20, 30, 40, 50, 60};
  double want[6], prev_in = 10, prev_out = 10;
  for (int t = 0; t < 6; t++) {
    want[t] = c0 * in[t] + c1 * prev_in + c2 * prev_out;
    prev_in = in[t], prev_out = want[t];
  }
  assert_near(want[1], 10.476190476, 1e-8);
  check_arrivals(m, want, NAN);
  naryn_model_free(m);
}

/* A lag of 14 days on weekly steps is two whole steps: as the lag of two
** days on daily steps, 5, 5, then the inflows of two steps before. The
** reach ends holding the last two weeks' inflows, 50 and 60 m3/s for 7
** days each, less the 5 m3/s it held for 14 days at the start:
** (110 - 10) 0.6048 = 60.48 hm3. */
static void lag_of_two_weeks_on_weekly_steps(void **state) {
  (void)state;
  naryn_model *m = load_on(WEEKLY, SIX, "{lag_days: 14, initial_flow_m3s: 5}");
  assert_int_equal(m->nsteps, 6);
  static const double want[6] = {5, 5, 10, 20, 30, 40};
  check_arrivals(m, want, 60.48);
  naryn_model_free(m);
}

/* A lag of 10 days on weekly steps: 10 / 7 = 1 + 3/7, so 4/7 of a week's
** inflow arrives one step later and 3/7 two steps later, and
** O_t = 4/7 I_t-1 + 3/7 I_t-2 with 5 m3/s before the horizon: 5,
** (40 + 15) / 7, (80 + 30) / 7, (120 + 60) / 7, (160 + 90) / 7,
** (200 + 120) / 7. The reach ends holding all of the last week's 60 m3/s
** and 3/7 of the week before's 50, for 7 days, less the 5 m3/s it held for
** 10 days at the start: (60 + 150 / 7) 0.6048 - 5 (0.864) = 44.928 hm3. */
static void lag_of_ten_days_splits_between_weeks(void **state) {
  (void)state;
  naryn_model *m = load_on(WEEKLY, SIX, "{lag_days: 10, initial_flow_m3s: 5}");
  static const double want[6] = {5, 55.0 / 7, 110.0 / 7, 180.0 / 7, 250.0 / 7, 320.0 / 7};
  assert_near(want[1], 7.857142857, 1e-8);
  check_arrivals(m, want, 44.928);
  naryn_model_free(m);
}

/* A lag of 3 days on weekly steps, shorter than a step: 4/7 of a week's
** inflow arrives in the same week and 3/7 in the next, O_t = 4/7 I_t +
** 3/7 I_t-1. The step LP is then no network; both solvers agree. */
static void lag_shorter_than_a_week(void **state) {
  (void)state;
  naryn_model *m = load_on(WEEKLY, SIX, "{lag_days: 3, initial_flow_m3s: 5}");
  static const double want[6] = {55.0 / 7, 110.0 / 7, 180.0 / 7, 250.0 / 7, 320.0 / 7,
                                 390.0 / 7};
  /* What stays in the reach: 3/7 of the last week's 60 m3/s, less 5 m3/s
  ** for 3 days: (180 / 7) 0.6048 - 15 (0.0864) = 14.256 hm3. */
  check_arrivals(m, want, 14.256);
  naryn_model_free(m);
}

/* Weekly steps whose last is 3 days long (2001-01-01 to 2001-02-14, 45
** days): the last step is routed as a whole one, at the rate
** 4/7 60 + 3/7 50 = 390 / 7 m3/s over its 3 days, and what would reach the
** tail after the horizon stays in the reach: in, 210 (0.6048) + 70 (0.2592)
** = 145.152 hm3; out, (5 + 915 / 7) 0.6048 + (390 / 7) 0.2592 =
** 96.521142857 hm3; 48.630857143 hm3 left. */
static void lag_over_a_shorter_last_week(void **state) {
  (void)state;
  naryn_model *m = load_on("{start: 2001-01-01, end: 2001-02-14, step: weekly}",
                           "[10, 20, 30, 40, 50, 60, 70]",
                           "{lag_days: 10, initial_flow_m3s: 5}");
  assert_int_equal(m->nsteps, 7);
  assert_near(m->step_s[6], 3 * 86400.0, 1e-9);
  static const double want[7] = {5,         55.0 / 7,  110.0 / 7, 180.0 / 7,
                                 250.0 / 7, 320.0 / 7, 390.0 / 7};
  check_arrivals(m, want, 145.152 - 96.521142857142857);
  naryn_model_free(m);
}

/* Muskingum, K = 5 days, X = 0.2, on 7-day steps (dt = 7 days): 2 K X = 2
** and 2 K (1 - X) = 8, so 2 <= 7 <= 8 holds; D = 8 + 7 = 15, c0 =
** (7 - 2) / 15 = 1/3, c1 = (7 + 2) / 15 = 3/5, c2 = (8 - 7) / 15 = 1/15.
** From 10 m3/s in and out before the horizon: O1 = 10 (1/3 + 3/5 + 1/15)
** = 10, O2 = 20/3 + 6 + 2/3 = 40/3, O3 = 10 + 12 + 8/9 = 206/9. */
static void muskingum_on_weekly_steps(void **state) {
  (void)state;
  naryn_model *m = load_on(WEEKLY, SIX,
                           "{muskingum_k_days: 5, muskingum_x: 0.2, initial_flow_m3s: 10}");
  const naryn__route *rt = &m->links[0].route;
  assert_near(rt->c0, 1.0 / 3, 1e-12);
  assert_near(rt->c1, 3.0 / 5, 1e-12);
  assert_near(rt->c2, 1.0 / 15, 1e-12);
  double in[6] = {10, 20, 30, 40, 50, 60}, want[6], prev_in = 10, prev_out = 10;
  for (int t = 0; t < 6; t++) {
    want[t] = in[t] / 3 + 0.6 * prev_in + prev_out / 15;
    prev_in = in[t], prev_out = want[t];
  }
  assert_near(want[0], 10, 1e-12);
  assert_near(want[1], 40.0 / 3, 1e-12);
  assert_near(want[2], 206.0 / 9, 1e-12);
  check_arrivals(m, want, NAN);
  naryn_model_free(m);
  /* A last step of 3 days is routed as a whole one: the same recurrence of
  ** rates, over its 3 days, in the simulation and the optimisation. */
  m = load_on("{start: 2001-01-01, end: 2001-02-14, step: weekly}",
              "[10, 20, 30, 40, 50, 60, 70]",
              "{muskingum_k_days: 5, muskingum_x: 0.2, initial_flow_m3s: 10}");
  double want7[7];
  memcpy(want7, want, sizeof want);
  want7[6] = 70.0 / 3 + 0.6 * 60 + want[5] / 15;
  check_arrivals(m, want7, NAN);
  naryn_model_free(m);
}

/* A demand of 10 m3/s in steps 4 to 6 two steps below a reservoir
** (HORIZON, LAG, STORAGE the reservoir's initial storage, half its
** capacity; STEP_HM3 is 10 m3/s over a step): the optimum releases
** STEP_HM3 in steps 2 to 4, so that all of it is delivered. The
** simulation, which sees one step at a time, cannot call for water two
** steps ahead: the demand goes short (model-format.md says so). */
static void releases_ahead(const char *horizon, const char *lag, double storage,
                           double step_hm3) {
  char text[1024];
  snprintf(text, sizeof text,
           "horizon: %s\n"
           "nodes:\n"
           "  - {name: R, type: reservoir, max_storage_hm3: %g,\n"
           "     initial_storage_hm3: %g}\n"
           "  - {name: J, type: junction}\n"
           "  - {name: D, type: demand, demand_m3s: [0, 0, 0, 10, 10, 10],\n"
           "     priority: 1}\n"
           "links:\n"
           "  - {from: R, to: J, routing: {lag_days: %s}}\n"
           "  - {from: J, to: D}\n",
           horizon, 2 * storage, storage, lag);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(tu_load_text(text, &m, d), NARYN_OK);
  naryn_result *r = NULL;
  assert_int_equal(naryn_optimise(m, NULL, &r, d), NARYN_OK);
  for (int t = 3; t < 6; t++) {
    assert_near(naryn_result_node(r, NARYN_Q_DELIVERED_HM3, 2, t), step_hm3, 1e-6);
    assert_near(naryn_result_node(r, NARYN_Q_RELEASE_HM3, 0, t - 2), step_hm3, 1e-6);
  }
  naryn_result_free(r);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  assert_near(naryn_result_node(r, NARYN_Q_SHORTAGE_HM3, 2, 3), step_hm3, 1e-6);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

static void optimum_releases_ahead_of_a_lag(void **state) {
  (void)state;
  releases_ahead(DAILY, "2", 5, 0.864);
  releases_ahead(WEEKLY, "14", 35, 6.048);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lag_delivers_two_days_late),
      cmocka_unit_test(muskingum_follows_its_recurrence),
      cmocka_unit_test(optimum_releases_ahead_of_a_lag),
      cmocka_unit_test(lag_of_two_weeks_on_weekly_steps),
      cmocka_unit_test(lag_of_ten_days_splits_between_weeks),
      cmocka_unit_test(lag_shorter_than_a_week),
      cmocka_unit_test(lag_over_a_shorter_last_week),
      cmocka_unit_test(muskingum_on_weekly_steps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
