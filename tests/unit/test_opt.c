/*
** test_opt.c: the whole-horizon optimiser against optima worked out by
** hand: moving water to the month it is worth most, the value of water
** from the duals, a head-dependent release found by successive LP, loss
** curves against a flat penalty, an infeasible minimum explained, a model
** with a single feasible plan solved alike by simulator and optimiser, the
** optimum never worse than the simulated rules, and the trade-off curve.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "testutil.h"

/* Energy in GWh of one hm3 falling one metre at efficiency one. */
#define KAPPA (9810.0 * 1e6 / 3.6e12)

static naryn_result *optimise(const naryn_model *m, double tolerance) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_opt_opts o;
  naryn_opt_opts_init(&o);
  if (tolerance > 0) o.tolerance = tolerance;
  naryn_result *r = NULL;
  int rc = naryn_optimise(m, &o, &r, d);
  if (rc != NARYN_OK) print_error("optimise: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return r;
}

/* Two months, inflow only in January, energy worth 10 in January and 50
** in February, and the reservoir must end where it began: every drop of
** January's inflow waits for February. */
static const char shift_model[] =
    "currency: USD\n"
    "horizon: {start: 2001-01, end: 2001-02, step: monthly}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: [20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}\n"
    "  - {name: R, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 500,\n"
    "     initial_storage_hm3: 100}\n"
    "  - {name: P, type: hydropower, head_m: 100, max_turbine_flow_m3s: 1000,\n"
    "     capacity_mw: 100000, efficiency: 1}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: P}\n"
    "  - {from: P, to: Out}\n"
    "objectives:\n"
    "  - {name: energy, kind: energy, value_per_mwh: [10, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}\n"
    "  - {name: keep, kind: end_storage, penalty_per_hm3: 1000000}\n";

static void water_waits_for_the_better_price(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(shift_model);
  naryn_result *r = optimise(m, 0);
  double v = 20 * 31 * 0.0864; /* January's inflow, hm3 */
  tu_close_to(tu_q(m, r, NARYN_Q_TURBINED_HM3, "P", 0), 0, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_TURBINED_HM3, "P", 1), v, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", 0), 100 + v, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", 1), 100, 1e-9);
  double e = KAPPA * 100 * v;
  tu_close_to(tu_q(m, r, NARYN_Q_ENERGY_GWH, "P", 1), e, 1e-9);
  tu_close_to(naryn_result_term(r, 0, NULL), 50 * 1000 * e, 1e-9);
  tu_close_to(naryn_result_objective(r), 50 * 1000 * e, 1e-9);
  /* One more hm3 in January is worth February's price of its energy. */
  int res = naryn_model_node_index(m, "R");
  tu_close_to(naryn_result_water_value(r, res, 0), 50 * 1000 * KAPPA * 100, 1e-6);
  tu_close_to(naryn_result_water_value(r, res, 1), 50 * 1000 * KAPPA * 100, 1e-6);
  assert_true(isnan(naryn_result_water_value(r, naryn_model_node_index(m, "P"), 0)));
  /* A fixed head is linear: the linearisation is exact. */
  tu_close_to(naryn_result_linearised_energy_gwh(r, naryn_model_node_index(m, "P")), e, 1e-9);
  assert_true(naryn_result_converged(r));
  naryn_result_free(r);
  naryn_model_free(m);
}

/* One month, no inflow: releasing R hm3 from S0 = 500 at head
** 100 + 0.1 * (S0 - R / 2) makes kappa R (150 - 0.05 R) GWh, worth 50 per
** MWh, while every hm3 below the starting storage costs v. The exact
** optimum is R* = (150 - v / (50000 kappa)) / 0.1, here 100 hm3. */
static const char head_model[] =
    "currency: USD\n"
    "horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: 0}\n"
    "  - {name: R, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 1000,\n"
    "     initial_storage_hm3: 500,\n"
    "     level_table: {storage_hm3: [0, 1000], level_m: [100, 200]}}\n"
    "  - {name: P, type: hydropower, reservoir: R, tailwater_m: 0,\n"
    "     max_turbine_flow_m3s: 1000, capacity_mw: 100000, efficiency: 1}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: P}\n"
    "  - {from: P, to: Out}\n"
    "objectives:\n"
    "  - {name: energy, kind: energy, value_per_mwh: 50}\n"
    "  - {name: keep, kind: end_storage, penalty_per_hm3: %.10g}\n";

static void successive_lp_finds_the_head_optimum(void **state) {
  (void)state;
  char text[2048];
  double v = 50000 * KAPPA * 140; /* makes R* = 100 */
  snprintf(text, sizeof text, head_model, v);
  naryn_model *m = tu_load_model(text);
  naryn_result *r = optimise(m, 1e-10);
  double rel = tu_q(m, r, NARYN_Q_TURBINED_HM3, "P", 0);
  tu_close_to(rel, 100, 1e-3);
  tu_close_to(tu_q(m, r, NARYN_Q_HEAD_M, "P", 0), 150 - 0.05 * rel, 1e-9);
  /* The objective is within a hair of the exact optimum's. */
  double best = 50000 * KAPPA * 100 * (150 - 5) - v * 100;
  tu_close_to(naryn_result_objective(r), best, 1e-6);
  /* Reported energy uses the exact head; at convergence the linearised
  ** energy is within a small fraction of it. */
  double e = tu_q(m, r, NARYN_Q_ENERGY_GWH, "P", 0);
  tu_close_to(e, KAPPA * rel * (150 - 0.05 * rel), 1e-12);
  double lin = naryn_result_linearised_energy_gwh(r, naryn_model_node_index(m, "P"));
  assert_true(fabs(lin - e) < 1e-3 * e);
  assert_true(naryn_result_passes(r) > 1);
  assert_true(naryn_result_converged(r));
  naryn_result_free(r);
  naryn_model_free(m);
}

/* 100 hm3 for two demands of 100 hm3: A's loss is 10 per hm3 for the
** first half of its shortage and 100 beyond; B's is 50 per hm3. A gets
** 50 (its dearer half), B the other 50; the loss is 10 * 50 + 50 * 50. */
static const char curve_model[] =
    "horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: %.12g}\n"
    "  - {name: J, type: junction}\n"
    "  - {name: A, type: demand, demand_hm3: 100, priority: 1}\n"
    "  - {name: B, type: demand, demand_hm3: 100, priority: 1}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: J}\n"
    "  - {from: J, to: A}\n"
    "  - {from: J, to: B}\n"
    "  - {from: J, to: Out}\n"
    "objectives:\n"
    "  - {name: a_loss, kind: shortage, nodes: [A],\n"
    "     loss_curve: {shortage_fraction: [0, 0.5, 1], penalty_per_hm3: [10, 100]}}\n"
    "  - {name: b_loss, kind: shortage, nodes: [B], penalty_per_hm3: 50}\n";

static void loss_curve_against_flat_penalty(void **state) {
  (void)state;
  char text[2048];
  snprintf(text, sizeof text, curve_model, 100 / (31 * 0.0864));
  naryn_model *m = tu_load_model(text);
  naryn_result *r = optimise(m, 0);
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "A", 0), 50, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "B", 0), 50, 1e-9);
  tu_close_to(naryn_result_term(r, 0, NULL), 500, 1e-9);
  tu_close_to(naryn_result_term(r, 1, NULL), 2500, 1e-9);
  tu_close_to(naryn_result_objective(r), -3000, 1e-9);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* The reservoir is empty and gets 100 m3/s; its outlet must pass 300. */
static const char infeasible_model[] =
    "horizon: {start: 2031-01, end: 2031-03, step: monthly}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: 100}\n"
    "  - {name: Shardara, type: reservoir, min_storage_hm3: 0,\n"
    "     max_storage_hm3: 5000, initial_storage_hm3: 0}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: Shardara}\n"
    "  - {from: Shardara, to: Out, min_flow_m3s: 300}\n";

static void infeasible_minimum_is_explained(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(infeasible_model);
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  assert_int_equal(naryn_optimise(m, NULL, &r, d), NARYN_EINFEAS);
  assert_null(r);
  const char *e = tu_first_error(d);
  print_message("%s\n", e);
  assert_non_null(strstr(e, "link \"Shardara->Out\".min_flow_m3s"));
  assert_non_null(strstr(e, "Shardara, January 2031: the minimum of 300 m3/s "
                            "cannot be met; the inflow and storage of "
                            "reservoir \"Shardara\" allow at most 100 m3/s"));
  assert_non_null(strstr(e, "up to March 2031"));
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* Every flow is pinned by link bounds: there is one feasible plan, and
** the simulator and the optimiser must both find it. */
static const char pinned_model[] =
    "horizon: {start: 2001-01, end: 2001-06, step: monthly}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: [40, 50, 60, 80, 120, 90, 40, 40, 40, 40, 40, 40]}\n"
    "  - {name: R, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 3000,\n"
    "     initial_storage_hm3: 800,\n"
    "     level_table: {storage_hm3: [0, 3000], level_m: [500, 560]}}\n"
    "  - {name: P, type: hydropower, reservoir: R, tailwater_m: 480,\n"
    "     max_turbine_flow_m3s: 300, capacity_mw: 500, efficiency: 0.9}\n"
    "  - {name: D, type: demand, demand_m3s: 30, priority: 1}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: P, min_flow_m3s: 70, max_flow_m3s: 70}\n"
    "  - {from: P, to: D, min_flow_m3s: 30, max_flow_m3s: 30}\n"
    "  - {from: P, to: Out}\n";

static void single_plan_simulated_and_optimised_alike(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(pinned_model);
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *s = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &s, d), NARYN_OK);
  naryn_result *r = optimise(m, 1e-10);
  for (int t = 0; t < naryn_model_steps(m); t++) {
    tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", t), tu_q(m, s, NARYN_Q_STORAGE_END_HM3, "R", t), 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "D", t), tu_q(m, s, NARYN_Q_DELIVERED_HM3, "D", t), 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_ENERGY_GWH, "P", t), tu_q(m, s, NARYN_Q_ENERGY_GWH, "P", t), 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_HEAD_M, "P", t), tu_q(m, s, NARYN_Q_HEAD_M, "P", t), 1e-9);
  }
  tu_close_to(naryn_result_objective(r), naryn_result_objective(s), 1e-9);
  naryn_result_free(r);
  naryn_result_free(s);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* On the examples, the optimum is worth at least as much as every
** simulated rule of the same system, under the same objective. */
static void optimum_never_worse_than_rules(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"examples/single/model.json", NULL},
      {"examples/cascade/model.yaml", NULL},
      {"examples/cascade/model.yaml", "examples/cascade/irrigation-mode.yaml"},
      {"examples/cascade/model.yaml", "examples/cascade/energy-mode.yaml"}};
  naryn_result *opt[2] = {NULL, NULL};
  naryn_model *base[2] = {NULL, NULL};
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    naryn_diags *d = naryn_diags_new(0);
    naryn_model *m = NULL;
    const char *over[1] = {cases[c][1]};
    assert_int_equal(naryn_model_load(cases[c][0], over, cases[c][1] ? 1 : 0, &m, d), NARYN_OK);
    naryn_result *s = NULL;
    assert_int_equal(naryn_simulate(m, NULL, &s, d), NARYN_OK);
    int which = c == 0 ? 0 : 1;
    if (!opt[which]) {
      naryn_model *mb = NULL;
      assert_int_equal(naryn_model_load(cases[c][0], NULL, 0, &mb, d), NARYN_OK);
      base[which] = mb;
      opt[which] = optimise(mb, 0);
    }
    double js = naryn_result_objective(s), jo = naryn_result_objective(opt[which]);
    print_message("%s %s: rules %.6g, optimum %.6g\n", cases[c][0],
                  cases[c][1] ? cases[c][1] : "", js, jo);
    assert_true(jo >= js - 1e-9 * fabs(js));
    naryn_result_free(s);
    naryn_model_free(m);
    naryn_diags_free(d);
  }
  for (int k = 0; k < 2; k++) {
    naryn_result_free(opt[k]);
    naryn_model_free(base[k]);
  }
}

/* Same model, same numbers, bit for bit. */
static void optimisation_is_repeatable(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load("examples/cascade/model.yaml", NULL, 0, &m, d), NARYN_OK);
  naryn_result *a = optimise(m, 0), *b = optimise(m, 0);
  for (int t = 0; t < naryn_model_steps(m); t++)
    for (int i = 0; i < naryn_model_node_count(m); i++)
      for (int q = 0; q < NARYN_Q_COUNT; q++) {
        double x = naryn_result_node(a, (naryn_quantity)q, i, t);
        double y = naryn_result_node(b, (naryn_quantity)q, i, t);
        assert_true((isnan(x) && isnan(y)) || memcmp(&x, &y, sizeof x) == 0);
      }
  naryn_result_free(a);
  naryn_result_free(b);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* A trade-off between two demands served from one river: the more one
** gets, the less the other; along the curve, x's cost falls and y's
** rises, and each point holds x to its level. */
static void pareto_curve_is_monotone(void **state) {
  (void)state;
  char text[2048];
  snprintf(text, sizeof text, curve_model, 120 / (31 * 0.0864));
  naryn_model *m = tu_load_model(text);
  naryn_diags *d = naryn_diags_new(0);
  naryn_result **pts = NULL;
  int n = 5;
  assert_int_equal(naryn_pareto(m, NULL, "b_loss", "a_loss", n, &pts, d), NARYN_OK);
  double prev_x = INFINITY, prev_y = -INFINITY;
  for (int i = 0; i < n; i++) {
    assert_non_null(pts[i]);
    double x = naryn_result_term(pts[i], 1, NULL), y = naryn_result_term(pts[i], 0, NULL);
    print_message("point %d: level %.4g, b_loss %.6g, a_loss %.6g\n", i + 1,
                  naryn_result_pareto_level(pts[i]), x, y);
    assert_true(x <= prev_x + 1e-6);
    assert_true(y >= prev_y - 1e-6);
    assert_true(x <= naryn_result_pareto_level(pts[i]) + 1e-6);
    prev_x = x, prev_y = y;
  }
  /* The ends: A served first leaves B 80 short; B served first, none. */
  tu_close_to(naryn_result_term(pts[0], 1, NULL), 50.0 * 80, 1e-9);
  tu_close_to(naryn_result_term(pts[n - 1], 1, NULL), 0.0, 1e-9);
  for (int i = 0; i < n; i++) naryn_result_free(pts[i]);
  free(pts);
  /* Unknown terms are named with a suggestion. */
  assert_int_equal(naryn_pareto(m, NULL, "b_los", "a_loss", n, &pts, d), NARYN_EARG);
  assert_non_null(strstr(tu_first_error(d), "did you mean \"b_loss\""));
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* Energy against shortage on examples/single, where energy depends on
** head: every level between the anchors is reached (held on the
** linearised energy, so the exact energy is within a hair of it), energy
** rises along the curve and so does the shortage it costs. */
static void pareto_on_head_dependent_energy(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load("examples/single/model.json", NULL, 0, &m, d), NARYN_OK);
  naryn_result **pts = NULL;
  int n = 5;
  assert_int_equal(naryn_pareto(m, NULL, "energy", "shortage", n, &pts, d), NARYN_OK);
  int ke = naryn_model_term_index(m, "energy"), ks = naryn_model_term_index(m, "shortage");
  for (int i = 0; i < n; i++) {
    assert_non_null(pts[i]);
    double e = naryn_result_term(pts[i], ke, NULL), level = naryn_result_pareto_level(pts[i]);
    print_message("point %d: level %.6g, energy %.6g, shortage %.6g\n", i + 1,
                  level, e, naryn_result_term(pts[i], ks, NULL));
    assert_true(e >= level * (1 - 1e-3));
    if (i > 0) {
      assert_true(e >= naryn_result_term(pts[i - 1], ke, NULL) - 1e-6);
      assert_true(naryn_result_term(pts[i], ks, NULL) >=
                  naryn_result_term(pts[i - 1], ks, NULL) - 1e-6);
    }
  }
  for (int i = 0; i < n; i++) naryn_result_free(pts[i]);
  free(pts);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(water_waits_for_the_better_price),
      cmocka_unit_test(successive_lp_finds_the_head_optimum),
      cmocka_unit_test(loss_curve_against_flat_penalty),
      cmocka_unit_test(infeasible_minimum_is_explained),
      cmocka_unit_test(single_plan_simulated_and_optimised_alike),
      cmocka_unit_test(optimum_never_worse_than_rules),
      cmocka_unit_test(optimisation_is_repeatable),
      cmocka_unit_test(pareto_curve_is_monotone),
      cmocka_unit_test(pareto_on_head_dependent_energy),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
