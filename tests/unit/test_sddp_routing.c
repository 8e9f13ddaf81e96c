/*
** test_sddp_routing.c: SDDP on a network whose links route their water,
** with the water in transit carried from stage to stage as states.
**
** A hydro-thermal system on a horizon of 2-day steps: a river of 20 m3/s
** reaches a reservoir (5 hm3, 3 at the start) through a Muskingum reach
** (K 2 days, X 0.2, 30 m3/s in it before the horizon); the reservoir's
** plant (head 100 m) releases into a lag of 3 days (10 m3/s in it before
** the horizon, a fifth lost on the way), which delivers half of each
** step's water in the next step and half in the one after to a second
** plant (head 50 m) and on to the sea. A grid's demand is met by both
** plants, a cheap and a dear thermal plant and unserved energy. So what
** the upper plant releases in one step is sold by the lower plant in the
** next two, and the policy's states are the storage, the two rates the
** lag holds and the Muskingum reach's inflow and outflow.
**
** Checks: with one outcome, the lower bound reaches the optimiser's
** optimum of the whole horizon, and the policy replayed through the
** simulator (which routes by its own code) has that cost; with two
** outcomes a step (examples/sddp-routing), the lower bound reaches the
** extensive form built of the policy's stage LPs (testutil_ef.h, whose
** nodes tie every state, the rates in transit too, to their parents')
** and never passes it.
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

#include "naryn.h"
#include "naryn_int.h"
#include "testutil_ef.h"

static const char *const routed =
    "name: routed\n"
    "horizon: {start: 2001-01-01, end: 2001-01-10, step: \"2 days\"}\n"
    "countries: {A: Alpha}\n"
    "nodes:\n"
    "  - {name: River, type: inflow, inflow_m3s: 20, country: A}\n"
    "  - {name: Res, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 5,\n"
    "     initial_storage_hm3: 3, country: A}\n"
    "  - {name: Upper, type: hydropower, head_m: 100, efficiency: 0.9,\n"
    "     max_turbine_flow_m3s: 500, capacity_mw: 500, country: A}\n"
    "  - {name: Lower, type: hydropower, head_m: 50, efficiency: 0.9,\n"
    "     max_turbine_flow_m3s: 500, capacity_mw: 500, country: A}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: River, to: Res, routing: {muskingum_k_days: 2, muskingum_x: 0.2,\n"
    "     initial_flow_m3s: 30}}\n"
    "  - {from: Res, to: Upper}\n"
    "  - {from: Upper, to: Lower, loss_fraction: 0.2,\n"
    "     routing: {lag_days: 3, initial_flow_m3s: 10}}\n"
    "  - {from: Lower, to: Sea}\n"
    "grids:\n"
    "  - {name: G, country: A, demand_gwh: [2.0, 2.6, 1.8, 3.0, 2.2],\n"
    "     unserved: [{cost_per_mwh: 1000}]}\n"
    "thermal_plants:\n"
    "  - {name: Cheap, grid: G, capacity_mw: 20, cost_per_mwh: 30}\n"
    "  - {name: Dear, grid: G, capacity_mw: 40, cost_per_mwh: [60, 150, 90, 200, 50]}\n"
    "objectives: [{name: power, kind: grid}]\n"
    "uncertainty:\n"
    "  outcomes: %s\n";

static naryn_model *load(const char *outcomes) {
  char text[4096];
  snprintf(text, sizeof text, routed, outcomes);
  return tu_load_model(text);
}

/* The grid's cost over the horizon in result r. */
static double grid_cost(const naryn_model *m, const naryn_result *r) {
  double cost = 0.0;
  for (int t = 0; t < m->nsteps; t++) cost += naryn_result_grid(r, 0, t, NARYN_G_COST);
  return cost;
}

/* The policy's states: the storage, then the lag's two rates and the
** Muskingum reach's inflow and outflow, in the links' order, from the
** flows in the reaches before the horizon. */
static void test_states(void **state) {
  (void)state;
  naryn_model *m = load("[{probability: 1, inflow_factor: 1}]");
  naryn_diags *d = naryn_diags_new(0);
  naryn_policy *p = NULL;
  assert_int_equal(naryn__policy_new(m, 0, 0, &p, d), NARYN_OK);
  const naryn__stage *st = p->stage[0];
  static const char *const names[] = {"Res", "River->Res.in1", "River->Res.out1",
                                      "Upper->Lower.lag1", "Upper->Lower.lag2"};
  static const double initial[] = {3, 30, 30, 10, 10};
  assert_int_equal(naryn__stage_state_count(st), 5);
  assert_int_equal(naryn__stage_route_count(st), 4);
  for (int k = 0; k < 5; k++) {
    assert_string_equal(naryn__stage_state_name(st, k), names[k]);
    assert_true(naryn__stage_state_initial(st, k) == initial[k]);
  }
  naryn_policy_free(p);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* One outcome: the lower bound reaches the optimiser's cost of the whole
** horizon, which the stage LPs' extensive form (a chain) finds too; the
** policy replayed through the simulator, whose reaches route by their own
** code, costs the same. */
static void test_deterministic(void **state) {
  (void)state;
  naryn_model *m = load("[{probability: 1, inflow_factor: 1}]");
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  assert_int_equal(naryn_optimise(m, NULL, &r, d), NARYN_OK);
  double best = grid_cost(m, r);
  naryn_result_free(r);
  double ef = tu_sddp_ef_of_stages(m, m->nsteps);
  print_message("optimiser %.6f, extensive form of the stages %.6f\n", best, ef);
  assert_true(fabs(ef - best) <= 1e-6 * fabs(best));
  naryn_policy *p = tu_sddp_reaches(m, best);
  naryn_sim_opts so;
  naryn_sim_opts_init(&so);
  so.policy = p;
  assert_int_equal(naryn_simulate(m, &so, &r, d), NARYN_OK);
  double replayed = grid_cost(m, r);
  print_message("lower bound %.6f, replayed %.6f\n", naryn_policy_lower_bound(p), replayed);
  assert_true(fabs(replayed - best) <= 1e-6 * fabs(best));
  naryn_result_free(r);
  naryn_policy_free(p);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* The routing matters: without it the same system costs less (the
** upper plant's water reaches the lower one in the same step), so a
** policy that ignored the water in transit would be found out above. */
static void test_routing_matters(void **state) {
  (void)state;
  naryn_model *m = load("[{probability: 1, inflow_factor: 1}]");
  char text[4096];
  snprintf(text, sizeof text, routed, "[{probability: 1, inflow_factor: 1}]");
  char *a = strstr(text, ",\n     routing: {lag_days: 3");
  assert_non_null(a);
  memmove(a, strstr(a, "}}") + 1, strlen(strstr(a, "}}") + 1) + 1);
  naryn_model *plain = tu_load_model(text);
  double routed_ef = tu_sddp_ef_of_stages(m, m->nsteps);
  double plain_ef = tu_sddp_ef_of_stages(plain, plain->nsteps);
  print_message("with the lag %.6f, without %.6f\n", routed_ef, plain_ef);
  assert_true(fabs(routed_ef - plain_ef) > 1e-3 * fabs(plain_ef));
  naryn_model_free(plain);
  naryn_model_free(m);
}

/* examples/sddp-routing: the same system over four steps, with two
** outcomes a step (2 + 4 + 8 + 16 nodes): the lower bound reaches the
** extensive form's optimum, 117,528.62 in the example's README, and never
** passes it, with a single cut and with a cut per outcome. */
static void test_against_the_extensive_form(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load("examples/sddp-routing/model.yaml", NULL, 0, &m, d),
                   NARYN_OK);
  assert_int_equal(m->nsteps, 4);
  double ef = tu_sddp_ef_of_stages(m, 4);
  print_message("extensive form %.6f\n", ef);
  assert_true(fabs(ef - 117528.62) <= 0.005);
  naryn_policy_free(tu_sddp_reaches(m, ef));
  naryn_policy_free(tu_sddp_reaches_with(m, ef, 1));
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* A lag of 300 days on daily steps: 300 states of water in transit, and
** every one in the policy's files; water_values.csv holds the reservoir's
** values at each of its 11 storages of each step. */
static void test_many_states(void **state) {
  (void)state;
  char text[4096];
  snprintf(text, sizeof text, routed, "[{probability: 1, inflow_factor: 1}]");
  char *lag = strstr(text, "lag_days: 3,");
  memmove(lag + 14, lag + 12, strlen(lag + 12) + 1);
  memcpy(lag, "lag_days: 300,", 14);
  char *step = strstr(text, "step: \"2 days\"");
  memmove(step + 11, step + 14, strlen(step + 14) + 1);
  memcpy(step, "step: daily", 11);
  char *end = strstr(text, "end: 2001-01-10");
  memcpy(end, "end: 2001-01-05", 15);
  naryn_model *m = tu_load_model(text);
  assert_int_equal(m->nsteps, 5);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 5;
  naryn_policy *p = tu_sddp_train(m, &o);
  assert_int_equal(p->nstate, 1 + 2 + 300);
  char dir[64], out[128], path[160];
  tu_mkdtemp(dir);
  snprintf(out, sizeof out, "%s/policy", dir);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_policy_write(p, out, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/water_values.csv", out);
  char *csv = tu_slurp(path);
  assert_non_null(csv);
  int lines = 0;
  for (const char *c = csv; *c; c++) lines += *c == '\n';
  assert_int_equal(lines, 1 + 5 * 11);
  free(csv);
  naryn_policy *back = NULL;
  assert_int_equal(naryn_policy_read(m, out, &back, d), NARYN_OK);
  assert_string_equal(naryn__cuts_state_name(back->cuts, 302), "Upper->Lower.lag300");
  naryn_policy_free(back);
  tu_rmdir(dir);
  naryn_diags_free(d);
  naryn_policy_free(p);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_states),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_routing_matters),
      cmocka_unit_test(test_against_the_extensive_form),
      cmocka_unit_test(test_many_states),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
