/*
** test_sim.c: the priority simulation against answers worked out by hand:
** the single-reservoir example month by month, fixed-head energy with and
** without the capacity cap, priorities, release schedules and target
** storage, evaporation below dead storage, infeasible models explained,
** mass balance over the cascade, and bit-for-bit repeatability.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "testutil.h"

/* Relative closeness for analytic comparisons. */
/* Loads and runs model text; fails the test unless both succeed. */
static void run_text(const char *text, naryn_model **m, naryn_result **r) {
  naryn_diags *d = naryn_diags_new(0);
  int rc = tu_load_text(text, m, d);
  if (rc != NARYN_OK) print_error("load: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  rc = naryn_simulate(*m, NULL, r, d);
  if (rc != NARYN_OK) print_error("simulate: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
}

/* examples/single, month by month, against the closed-form solution:
** with area = 0.02 s km2, evaporation E = c * mean storage with
** c = depth_mm * 0.02e-3, and mean storage = s0 + (I - R - E) / 2, so
** E = c (s0 + (I - R) / 2) / (1 + c / 2). Head = level - 100 = 0.1 * mean
** storage. The demand gets at most 90 % of the 90 m3/s release. */
static void single_reservoir_matches_hand_solution(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r;
  assert_int_equal(naryn_model_load("examples/single/model.json", NULL, 0, &m, d), NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  static const double depth_mm[12] = {20, 20, 40, 60, 100, 140, 160, 150, 100, 60, 30, 20};
  static const double demand_m3s[12] = {20, 20, 20, 60, 120, 120, 120, 120, 60, 20, 20, 20};
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  double s0 = 500, energy = 0;
  for (int t = 0; t < 12; t++) {
    double k = days[t] * 86400e-6;
    double inflow = 100 * k, release = 90 * k;
    double c = depth_mm[t] * 0.02e-3;
    double evap = c * (s0 + (inflow - release) / 2) / (1 + c / 2);
    double s1 = s0 + inflow - release - evap, mean = (s0 + s1) / 2;
    double head = 0.1 * mean;
    double gwh = 9810 * 0.9 * release * 1e6 * head / 3.6e12;
    double want = demand_m3s[t] * k, got = fmin(want, 0.9 * release);
    double sea = release - got / 0.9 + 0.2 * got;
    tu_close_to(tu_q(m, r, NARYN_Q_EVAPORATION_HM3, "Lake", t), evap, 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "Lake", t), s1, 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_LEVEL_M, "Lake", t), 100 + 0.1 * s1, 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_HEAD_M, "Plant", t), head, 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_ENERGY_GWH, "Plant", t), gwh, 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_TURBINED_HM3, "Plant", t), release, 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "Farms", t), got, 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_SHORTAGE_HM3, "Farms", t), want - got, 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_INFLOW_HM3, "Sea", t), sea, 1e-9);
    assert_true(tu_q(m, r, NARYN_Q_SHORTAGE_HM3, "Eflow", t) < 1e-9);
    energy += gwh;
    s0 = s1;
  }
  naryn_summary sum;
  naryn_result_summary(r, "UP", NARYN_SEASON_ALL, &sum);
  tu_close_to(sum.energy_gwh, energy, 1e-9);
  tu_close_to(naryn_result_years(r), 1.0, 1e-12);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

static const char ror_model[] =
    "horizon: {start: 2001-01-01, end: 2001-01-03, step: daily}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: 100}\n"
    "  - {name: P, type: hydropower, head_m: 50, max_turbine_flow_m3s: 200,\n"
    "     capacity_mw: %s, efficiency: 0.8}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: P}\n"
    "  - {from: P, to: Out}\n";

/* A fixed-head plant passing 100 m3/s at 50 m with efficiency 0.8 makes
** 39.24 MW, 0.94176 GWh a day; capped at 30 MW it makes 0.72 GWh and
** spills what the turbines at 30 MW cannot take. */
static void fixed_head_energy_and_capacity_cap(void **state) {
  (void)state;
  char text[1024];
  naryn_model *m;
  naryn_result *r;
  snprintf(text, sizeof text, ror_model, "100");
  run_text(text, &m, &r);
  for (int t = 0; t < 3; t++) {
    tu_close_to(tu_q(m, r, NARYN_Q_ENERGY_GWH, "P", t), 0.94176, 1e-12);
    tu_close_to(tu_q(m, r, NARYN_Q_SPILL_HM3, "P", t), 0, 1e-12);
  }
  naryn_result_free(r);
  naryn_model_free(m);
  snprintf(text, sizeof text, ror_model, "30");
  run_text(text, &m, &r);
  double q = 30e6 / (9810 * 0.8 * 50);
  for (int t = 0; t < 3; t++) {
    tu_close_to(tu_q(m, r, NARYN_Q_ENERGY_GWH, "P", t), 0.72, 1e-12);
    tu_close_to(tu_q(m, r, NARYN_Q_TURBINED_HM3, "P", t), q * 0.0864, 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_SPILL_HM3, "P", t), (100 - q) * 0.0864, 1e-9);
  }
  naryn_result_free(r);
  naryn_model_free(m);
}

static const char priority_model[] =
    "horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: 50}\n"
    "  - {name: J, type: junction}\n"
    "  - {name: A, type: demand, demand_m3s: 40, priority: %d}\n"
    "  - {name: B, type: demand, demand_m3s: 30, priority: %d}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: J}\n"
    "  - {from: J, to: A}\n"
    "  - {from: J, to: B}\n"
    "  - {from: J, to: Out}\n";

/* 50 m3/s for demands of 40 and 30: the higher priority is served in
** full and the other gets the rest, whichever way round they are. */
static void higher_priority_is_served_first(void **state) {
  (void)state;
  char text[1024];
  naryn_model *m;
  naryn_result *r;
  double k = 31 * 0.0864;
  snprintf(text, sizeof text, priority_model, 1, 2);
  run_text(text, &m, &r);
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "A", 0), 40 * k, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "B", 0), 10 * k, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_SHORTAGE_HM3, "B", 0), 20 * k, 1e-9);
  naryn_result_free(r);
  naryn_model_free(m);
  snprintf(text, sizeof text, priority_model, 3, 2);
  run_text(text, &m, &r);
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "A", 0), 20 * k, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "B", 0), 30 * k, 1e-9);
  naryn_result_free(r);
  naryn_model_free(m);
}

static const char schedule_model[] =
    "horizon: {start: 2001-01, end: 2001-03, step: monthly}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: 10}\n"
    "  - {name: R, type: reservoir, min_storage_hm3: 100, max_storage_hm3: 1000,\n"
    "     initial_storage_hm3: 200, release_m3s: %s}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: Out}\n";

/* Two demands of the same priority share a shortage in proportion to what
** they ask: 20 m3/s for demands of 10 and 30 gives each half. */
static void equal_priorities_share_in_proportion(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run_text("horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 20}\n"
           "  - {name: J, type: junction}\n"
           "  - {name: A, type: demand, demand_m3s: 10, priority: 3, country: UZ}\n"
           "  - {name: B, type: demand, demand_m3s: 30, priority: 3, country: KZ}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: J}\n"
           "  - {from: J, to: A}\n"
           "  - {from: J, to: B}\n"
           "  - {from: J, to: Out}\n",
           &m, &r);
  double k = 31 * 0.0864;
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "A", 0), 5 * k, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "B", 0), 15 * k, 1e-9);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* A release schedule is followed while there is water above the dead
** storage, and then the release is what inflow allows. */
static void release_schedule_until_dead_storage(void **state) {
  (void)state;
  char text[1024];
  naryn_model *m;
  naryn_result *r;
  snprintf(text, sizeof text, schedule_model, "[40, 40, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0]");
  run_text(text, &m, &r);
  double jan = 31 * 0.0864, feb = 28 * 0.0864, mar = 31 * 0.0864;
  /* January: 200 + 10 - 40 (m3/s-months) = 200 - 30 * 2.6784 = 119.648. */
  tu_close_to(tu_q(m, r, NARYN_Q_RELEASE_HM3, "R", 0), 40 * jan, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", 0), 200 - 30 * jan, 1e-9);
  /* February: only 19.648 hm3 above dead storage plus the inflow. */
  tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", 1), 100, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_RELEASE_HM3, "R", 1), 200 - 30 * jan - 100 + 10 * feb, 1e-9);
  /* March: at dead storage, release equals inflow. */
  tu_close_to(tu_q(m, r, NARYN_Q_RELEASE_HM3, "R", 2), 10 * mar, 1e-9);
  naryn_result_free(r);
  naryn_model_free(m);
}

static const char target_model[] =
    "horizon: {start: 2001-01, end: 2001-02, step: monthly}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: 100}\n"
    "  - {name: R, type: reservoir, max_storage_hm3: 2000,\n"
    "     initial_storage_hm3: 500, target_storage_hm3: 400}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: Out, max_flow_m3s: %s}\n";

/* A target storage is reached when the outlet allows it, and approached
** as closely as the outlet allows when it does not. */
static void target_storage_reached_or_approached(void **state) {
  (void)state;
  char text[1024];
  naryn_model *m;
  naryn_result *r;
  double jan = 31 * 0.0864;
  snprintf(text, sizeof text, target_model, "1000");
  run_text(text, &m, &r);
  tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", 0), 400, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", 1), 400, 1e-9);
  naryn_result_free(r);
  naryn_model_free(m);
  snprintf(text, sizeof text, target_model, "120");
  run_text(text, &m, &r);
  tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", 0), 500 - 20 * jan, 1e-9);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* With no inflow and the reservoir at its dead storage, evaporation still
** takes water: storage falls below the minimum and nothing is released. */
static void evaporation_draws_below_dead_storage(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run_text("horizon: {start: 2001-07, end: 2001-08, step: monthly}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 0}\n"
           "  - {name: R, type: reservoir, min_storage_hm3: 100, max_storage_hm3: 1000,\n"
           "     initial_storage_hm3: 100, evaporation_mm: 200,\n"
           "     area_table: {storage_hm3: [0, 1000], area_km2: [10, 10]}}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: R}\n"
           "  - {from: R, to: Out}\n",
           &m, &r);
  /* 200 mm over 10 km2 is 2 hm3 a month. */
  tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", 0), 98, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", 1), 96, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_RELEASE_HM3, "R", 1), 0, 1e-9);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* A hard minimum flow the inflow cannot supply is reported at the link's
** field, with the step and the shortfall in m3/s. */
static void infeasible_minimum_flow_is_explained(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r = NULL;
  assert_int_equal(
      tu_load_text("horizon: {start: 2001-01, end: 2001-02, step: monthly}\n"
                   "nodes:\n"
                   "  - {name: In, type: inflow, inflow_m3s: [100, 60, 100, 100, 100,\n"
                   "     100, 100, 100, 100, 100, 100, 100]}\n"
                   "  - {name: J, type: junction}\n"
                   "  - {name: Out, type: sink}\n"
                   "links:\n"
                   "  - {from: In, to: J}\n"
                   "  - {from: J, to: Out, min_flow_m3s: 80}\n",
                   &m, d),
      NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_EINFEAS);
  assert_null(r);
  const char *e = tu_first_error(d);
  assert_non_null(strstr(e, "model.yaml:9:38: error: link \"J->Out\".min_flow_m3s: "));
  assert_string_equal(strstr(e, "error:"),
                      "error: link \"J->Out\".min_flow_m3s: expected a minimum the "
                      "network can meet in 2001-02, when at most 60 m3/s can leave "
                      "junction \"J\" this way, got 80 m3/s (20 m3/s or 48.384 hm3 short)");
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* Water that cannot leave a full reservoir is reported at the outlet's
** maximum. */
static void outlet_too_small_is_explained(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r = NULL;
  assert_int_equal(
      tu_load_text("horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
                   "nodes:\n"
                   "  - {name: In, type: inflow, inflow_m3s: 100}\n"
                   "  - {name: R, type: reservoir, max_storage_hm3: 10, initial_storage_hm3: 10}\n"
                   "  - {name: Out, type: sink}\n"
                   "links:\n"
                   "  - {from: In, to: R}\n"
                   "  - {from: R, to: Out, max_flow_m3s: 30}\n",
                   &m, d),
      NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_EINFEAS);
  const char *e = tu_first_error(d);
  assert_string_equal(strstr(e, "error:"),
                      "error: link \"R->Out\".max_flow_m3s: expected room in 2001-01 "
                      "for the 100 m3/s that must leave reservoir \"R\" (full) this "
                      "way, got a maximum of 30 m3/s (70 m3/s or 187.488 hm3 too little)");
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* Over the cascade example, outside inflow equals consumption, evaporation,
** losses, sink inflow and storage change, recomputed here from the public
** results; and every run-of-river plant's energy is rho g eta Q H dt. */
static void cascade_mass_balance_and_energy(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r;
  assert_int_equal(naryn_model_load("examples/cascade/model.yaml", NULL, 0, &m, d), NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  int n = naryn_model_node_count(m), T = naryn_model_steps(m);
  double in = 0, out = 0, flow = 0;
  for (int t = 0; t < T; t++) {
    for (int i = 0; i < n; i++) {
      naryn_node_type ty = naryn_model_node_type(m, i);
      const char *name = naryn_model_node_name(m, i);
      if (ty == NARYN_NODE_INFLOW) in += naryn_result_node(r, NARYN_Q_RELEASE_HM3, i, t);
      if (ty == NARYN_NODE_RESERVOIR) out += naryn_result_node(r, NARYN_Q_EVAPORATION_HM3, i, t);
      if (ty == NARYN_NODE_SINK) out += naryn_result_node(r, NARYN_Q_INFLOW_HM3, i, t);
      if (ty == NARYN_NODE_DEMAND) {
        double got = naryn_result_node(r, NARYN_Q_DELIVERED_HM3, i, t);
        out += strcmp(name, "CanalA") == 0 ? 0.85 * got : got;
      }
      if (ty == NARYN_NODE_HYDROPOWER && strncmp(name, "RoR", 3) == 0) {
        double head = name[3] == '1' ? 110 : name[3] == '2' ? 52 : 26;
        double v = naryn_result_node(r, NARYN_Q_TURBINED_HM3, i, t);
        double gwh = 9810 * 0.9 * v * 1e6 * head / 3.6e12;
        tu_close_to(naryn_result_node(r, NARYN_Q_ENERGY_GWH, i, t), gwh, 1e-12);
      }
    }
    for (int l = 0; l < naryn_model_link_count(m); l++) {
      out += naryn_result_link_loss_hm3(r, l, t);
      flow += naryn_result_link_flow_hm3(r, l, t);
    }
  }
  int store = naryn_model_node_index(m, "Store");
  out += naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, store, T - 1) - 12000;
  tu_close_to(in, out, 1e-12);
  assert_true(fabs(naryn_result_system_residual_hm3(r)) < 1e-9 * in);
  assert_true(naryn_result_max_residual_rel(r) < 1e-12);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* Two runs of the same model give the same numbers, bit for bit. */
static void same_input_same_output(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *a, *b;
  assert_int_equal(naryn_model_load("examples/cascade/model.yaml", NULL, 0, &m, d), NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &a, d), NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &b, d), NARYN_OK);
  for (int t = 0; t < naryn_model_steps(m); t++)
    for (int i = 0; i < naryn_model_node_count(m); i++)
      for (int q = 0; q < NARYN_Q_COUNT; q++) {
        double x = naryn_result_node(a, q, i, t), y = naryn_result_node(b, q, i, t);
        assert_memory_equal(&x, &y, sizeof x);
      }
  naryn_result_free(a);
  naryn_result_free(b);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* On a daily horizon a monthly demand volume is spread evenly over the
** month's days, and a monthly target storage is approached day by day. */
static void daily_steps_spread_monthly_values(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run_text("horizon: {start: 2001-02-01, end: 2001-03-31, step: daily}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 100}\n"
           "  - {name: D, type: demand, priority: 1,\n"
           "     demand_hm3: [0, 28, 62, 0, 0, 0, 0, 0, 0, 0, 0, 0]}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: D}\n"
           "  - {from: In, to: Out}\n",
           &m, &r);
  assert_int_equal(naryn_model_steps(m), 59);
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "D", 0), 1.0, 1e-12);
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "D", 27), 1.0, 1e-12);
  tu_close_to(tu_q(m, r, NARYN_Q_DELIVERED_HM3, "D", 28), 2.0, 1e-12);
  tu_close_to(tu_q(m, r, NARYN_Q_INFLOW_HM3, "Out", 0), 8.64 - 1.0, 1e-12);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* A scenario file changes the fields it names: here the release schedule
** of the single example, 90 m3/s becoming 80. */
static void scenario_overrides_release(void **state) {
  (void)state;
  char dir[64], path[128];
  tu_mkdtemp(dir);
  tu_write(dir, "slow.yaml", "scenario: slow\nnodes:\n  - {name: Lake, release_m3s: 80}\n");
  snprintf(path, sizeof path, "%s/slow.yaml", dir);
  const char *over[] = {path};
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r;
  assert_int_equal(naryn_model_load("examples/single/model.json", over, 1, &m, d), NARYN_OK);
  assert_string_equal(naryn_model_scenario(m), "slow");
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  tu_close_to(tu_q(m, r, NARYN_Q_RELEASE_HM3, "Lake", 0), 80 * 31 * 0.0864, 1e-9);
  tu_close_to(tu_q(m, r, NARYN_Q_TURBINED_HM3, "Plant", 5), 80 * 30 * 0.0864, 1e-9);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* The cascade's two operating-mode files: both follow their schedules
** exactly whenever the reservoir is above its dead storage; the irrigation
** mode then releases three quarters of its water in April-September (3240
** of 4320 m3/s-months), the energy mode at least 500 m3/s from October to
** March. After the dry year the energy mode empties Store to its dead
** storage in early 2003 and releases only what flows in. */
static void operating_mode_files_set_the_seasons(void **state) {
  (void)state;
  static const char *files[] = {"examples/cascade/irrigation-mode.yaml",
                                "examples/cascade/energy-mode.yaml"};
  static const double sched[2][12] = {
      {180, 180, 180, 340, 420, 660, 700, 680, 440, 180, 180, 180},
      {850, 750, 550, 120, 120, 150, 200, 200, 160, 500, 650, 800}};
  for (int k = 0; k < 2; k++) {
    naryn_diags *d = naryn_diags_new(0);
    naryn_model *m;
    naryn_result *r;
    assert_int_equal(naryn_model_load("examples/cascade/model.yaml", &files[k], 1, &m, d),
                     NARYN_OK);
    assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
    double summer = 0, total = 0;
    for (int t = 0; t < naryn_model_steps(m); t++) {
      int month = t % 12;
      double q = tu_q(m, r, NARYN_Q_RELEASE_HM3, "Store", t) * 1e6 /
                 naryn_model_step_seconds(m, t);
      double end = tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "Store", t);
      if (end > 5500 + 1e-6) {
        tu_close_to(q, sched[k][month], 1e-9);
        if (k == 1 && (month <= 2 || month >= 9)) assert_true(q >= 500);
      } else {
        assert_true(k == 1 && t >= 24);
        assert_true(q < sched[k][month]);
      }
      total += q;
      if (month >= 3 && month <= 8) summer += q;
    }
    if (k == 0) tu_close_to(summer / total, 3240.0 / 4320.0, 1e-12);
    naryn_result_free(r);
    naryn_model_free(m);
    naryn_diags_free(d);
  }
}

/* A link whose cost is far above the elastic weight still carries water
** within its bounds; it is not reported as infeasible. */
static void costly_link_is_not_infeasible(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run_text("horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 10}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: Out, cost: 2000000, max_flow_m3s: 100}\n",
           &m, &r);
  tu_close_to(tu_q(m, r, NARYN_Q_INFLOW_HM3, "Out", 0), 10 * 31 * 0.0864, 1e-12);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* A disabled reservoir passes its inflow straight through. */
static void disabled_reservoir_passes_water(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run_text("horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 100}\n"
           "  - {name: R, type: reservoir, enabled: false, max_storage_hm3: 1000,\n"
           "     initial_storage_hm3: 500, target_storage_hm3: 900}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: R}\n"
           "  - {from: R, to: Out}\n",
           &m, &r);
  tu_close_to(tu_q(m, r, NARYN_Q_INFLOW_HM3, "Out", 0), 100 * 31 * 0.0864, 1e-12);
  assert_true(isnan(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "R", 0)));
  naryn_result_free(r);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(single_reservoir_matches_hand_solution),
      cmocka_unit_test(fixed_head_energy_and_capacity_cap),
      cmocka_unit_test(higher_priority_is_served_first),
      cmocka_unit_test(equal_priorities_share_in_proportion),
      cmocka_unit_test(release_schedule_until_dead_storage),
      cmocka_unit_test(target_storage_reached_or_approached),
      cmocka_unit_test(evaporation_draws_below_dead_storage),
      cmocka_unit_test(infeasible_minimum_flow_is_explained),
      cmocka_unit_test(outlet_too_small_is_explained),
      cmocka_unit_test(cascade_mass_balance_and_energy),
      cmocka_unit_test(same_input_same_output),
      cmocka_unit_test(daily_steps_spread_monthly_values),
      cmocka_unit_test(scenario_overrides_release),
      cmocka_unit_test(operating_mode_files_set_the_seasons),
      cmocka_unit_test(costly_link_is_not_infeasible),
      cmocka_unit_test(disabled_reservoir_passes_water),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
