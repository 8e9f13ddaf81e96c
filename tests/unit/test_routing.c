/*
** test_routing.c: routed links worked by hand, in the simulation and the
** optimisation: a lag delivering its initial flow and then what entered
** two days before, a Muskingum reach against its recurrence, the water
** the reaches hold counted in the system's balance, both step solvers
** alike, and the optimum releasing early for a demand below a lag.
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

/* Inflows of 10 to 60 m3/s over six days through a routed link into a
** junction and on to the sea; ROUTING is the link's routing. */
static naryn_model *load(const char *routing) {
  char text[1024];
  snprintf(text, sizeof text,
           "horizon: {start: 2001-01-01, end: 2001-01-06, step: daily}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: [10, 20, 30, 40, 50, 60]}\n"
           "  - {name: J, type: junction}\n"
           "  - {name: Sea, type: sink}\n"
           "links:\n"
           "  - {from: In, to: J, routing: %s}\n"
           "  - {from: J, to: Sea}\n",
           routing);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = tu_load_text(text, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return m;
}

/* The junction's inflow each day, m3/s, simulated (with the given step
** solver) or optimised. */
static void arrivals(const naryn_model *m, int optimise, int clp, double got[6]) {
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
  for (int t = 0; t < 6; t++) got[t] = naryn_result_node(r, NARYN_Q_INFLOW_HM3, 1, t) / 0.0864;
  /* What entered and never arrived is in the reach: the system balances
  ** with it (checked by the run) and it is what the six days leave. */
  double in = 0, out = 0;
  for (int t = 0; t < 6; t++) {
    in += naryn_result_link_flow_hm3(r, 0, t);
    out += naryn_result_node(r, NARYN_Q_INFLOW_HM3, 1, t);
  }
  assert_near(r->transit_hm3, in - out, 1e-9);
  naryn_result_free(r);
  naryn_diags_free(d);
}

/* A lag of two days with 5 m3/s in the reach before the horizon: 5, 5,
** then the inflows of two days before, 10, 20, 30, 40. */
static void lag_delivers_two_days_late(void **state) {
  (void)state;
  naryn_model *m = load("{lag_days: 2, initial_flow_m3s: 5}");
  static const double want[6] = {5, 5, 10, 20, 30, 40};
  double got[6];
  for (int mode = 0; mode < 3; mode++) {
    arrivals(m, mode == 2, mode == 1, got);
    for (int t = 0; t < 6; t++) assert_near(got[t], want[t], 1e-9);
  }
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
  double got[6];
  for (int mode = 0; mode < 3; mode++) {
    arrivals(m, mode == 2, mode == 1, got);
    for (int t = 0; t < 6; t++) assert_near(got[t], want[t], 1e-9);
  }
  naryn_model_free(m);
}

/* A demand of 10 m3/s on days 4 to 6 two days below a reservoir of 5 hm3:
** the optimum releases 0.864 hm3 on days 2 to 4, so that all of it is
** delivered. The simulation, which sees one day at a time, cannot call
** for water two days ahead: the demand goes short (model-format.md says
** so). */
static void optimum_releases_ahead_of_a_lag(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(tu_load_text("horizon: {start: 2001-01-01, end: 2001-01-06, step: daily}\n"
                                "nodes:\n"
                                "  - {name: R, type: reservoir, max_storage_hm3: 10,\n"
                                "     initial_storage_hm3: 5}\n"
                                "  - {name: J, type: junction}\n"
                                "  - {name: D, type: demand, demand_m3s: [0, 0, 0, 10, 10, 10],\n"
                                "     priority: 1}\n"
                                "links:\n"
                                "  - {from: R, to: J, routing: {lag_days: 2}}\n"
                                "  - {from: J, to: D}\n",
                                &m, d),
                   NARYN_OK);
  naryn_result *r = NULL;
  assert_int_equal(naryn_optimise(m, NULL, &r, d), NARYN_OK);
  for (int t = 3; t < 6; t++) {
    assert_near(naryn_result_node(r, NARYN_Q_DELIVERED_HM3, 2, t), 0.864, 1e-6);
    assert_near(naryn_result_node(r, NARYN_Q_RELEASE_HM3, 0, t - 2), 0.864, 1e-6);
  }
  naryn_result_free(r);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  assert_near(naryn_result_node(r, NARYN_Q_SHORTAGE_HM3, 2, 3), 0.864, 1e-6);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lag_delivers_two_days_late),
      cmocka_unit_test(muskingum_follows_its_recurrence),
      cmocka_unit_test(optimum_releases_ahead_of_a_lag),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
