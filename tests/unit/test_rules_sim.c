/*
** test_rules_sim.c: the operating rules in the simulation, each worked by
** hand on a daily model where 1 m3/s over a day is 0.0864 hm3: a zone
** switch during a drawdown, two-point hedging, an energy target whose
** release changes with head, an energy target that follows a grid's
** residual demand, downstream control with a tributary joining
** on the way, a ramp, a release that follows storage, a storage rule with
** a minimum release, and the same models
** solved by the network simplex and by CLP.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "naryn_int.h"
#include "testutil.h"

#define DAY_HM3 0.0864 /* 1 m3/s over a day */

static naryn_result *run(const naryn_model *m, naryn_step_solver how) {
  naryn_sim_opts o;
  naryn_sim_opts_init(&o);
  o.step_solver = how;
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  int rc = naryn_simulate(m, &o, &r, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return r;
}

static double q(const naryn_model *m, const naryn_result *r, naryn_quantity k,
                const char *node, int t) {
  return tu_q(m, r, k, node, t);
}

static double release_m3s(const naryn_model *m, const naryn_result *r,
                          const char *node, int t) {
  return q(m, r, NARYN_Q_RELEASE_HM3, node, t) / DAY_HM3;
}

/* A reservoir of 50 hm3 with no inflow serves a demand of 10 m3/s
** (0.864 hm3 a day) until its storage at the start of a day is at or below
** the buffer zone's top, 45 hm3: after six days (50 - 6 x 0.864 =
** 44.816). From the seventh day the buffer's rule holds the release to
** 5 m3/s, above the demand's priority. */
static const char zone_switch[] =
    "name: zone-switch\n"
    "horizon: {start: 2001-01-01, end: 2001-01-12, step: daily}\n"
    "nodes:\n"
    "  - name: R\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 50\n"
    "    rules:\n"
    "      - {name: roomy, type: max_release, release_m3s: 100, priority: 9}\n"
    "      - {name: cut, type: max_release, release_m3s: 5, priority: 2}\n"
    "    zones:\n"
    "      - {name: normal, rules: [roomy]}\n"
    "      - {name: buffer, top_hm3: 45, rules: [cut]}\n"
    "  - {name: D, type: demand, demand_m3s: 10, priority: 5}\n"
    "links:\n"
    "  - {from: R, to: D}\n";

static void zone_switch_in_drawdown(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(zone_switch);
  naryn_result *r = run(m, NARYN_STEP_AUTO);
  int res = naryn_model_node_index(m, "R");
  double storage = 50.0;
  for (int t = 0; t < naryn_model_steps(m); t++) {
    int buffer = storage <= 45.0;
    double want = buffer ? 5.0 : 10.0;
    assert_near(release_m3s(m, r, "R", t), want, 1e-9);
    assert_string_equal(naryn_result_zone(r, res, t), buffer ? "buffer" : "normal");
    assert_string_equal(naryn_result_rule(r, res, t), buffer ? "cut" : "allocation");
    storage -= want * DAY_HM3;
    assert_near(q(m, r, NARYN_Q_STORAGE_END_HM3, "R", t), storage, 1e-9);
    if (t == 6) assert_true(buffer);
    if (t == 5) assert_false(buffer);
  }
  naryn_result_free(r);
  naryn_model_free(m);
}

/* Two-point hedging: the demand's cut grows from nothing at 60 hm3 to a
** half at 40 hm3 and below, decided by the storage at the start of each
** day; the demand wants 100 m3/s (8.64 hm3 a day). */
static const char hedging[] =
    "name: hedging\n"
    "horizon: {start: 2001-01-01, end: 2001-01-15, step: daily}\n"
    "nodes:\n"
    "  - name: R\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 70\n"
    "    rules:\n"
    "      - {name: hedge, type: hedging, demands: [D], cut: 0.5, trigger_hm3: 60,\n"
    "         full_cut_hm3: 40, priority: 1}\n"
    "  - {name: D, type: demand, demand_m3s: 100, priority: 3}\n"
    "links:\n"
    "  - {from: R, to: D}\n";

static void two_point_hedging(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(hedging);
  naryn_result *r = run(m, NARYN_STEP_AUTO);
  int res = naryn_model_node_index(m, "R");
  double storage = 70.0, want = 100 * DAY_HM3;
  int cut_days = 0, full_days = 0;
  for (int t = 0; t < naryn_model_steps(m); t++) {
    double cut = storage >= 60 ? 0.0 : storage <= 40 ? 0.5 : 0.5 * (60 - storage) / 20;
    double got = (1 - cut) * want;
    if (got > storage) got = storage;
    assert_near(q(m, r, NARYN_Q_DELIVERED_HM3, "D", t), got, 1e-9);
    if (cut > 0 && got < storage) {
      assert_string_equal(naryn_result_rule(r, res, t), "hedge");
      cut_days++;
    }
    if (cut == 0.5) full_days++;
    storage -= got;
  }
  /* The run passes through the ramp of the cut and onto its full value. */
  assert_true(cut_days >= 3);
  assert_true(full_days >= 1);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* An energy target of 0.5 GWh a day (20.833 MW) from a plant whose head is
** the reservoir's level (100 m plus one metre per hm3) over a tailwater at
** 0 m: the release that makes it, q = P / (rho g eta h), grows as the
** level falls, with h from the mean storage over the day. */
static const char energy[] =
    "name: energy\n"
    "horizon: {start: 2001-01-01, end: 2001-01-20, step: daily}\n"
    "nodes:\n"
    "  - name: R\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 80\n"
    "    level_table: {storage_hm3: [0, 100], level_m: [100, 200]}\n"
    "    rules:\n"
    "      - {name: power, type: energy, plant: P, energy_gwh: 15.5, priority: 3}\n"
    "  - {name: P, type: hydropower, reservoir: R, tailwater_m: 0,\n"
    "     max_turbine_flow_m3s: 500, capacity_mw: 1000, efficiency: 0.9}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: R, to: P}\n"
    "  - {from: P, to: Sea}\n";

static void energy_target_with_head(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(energy);
  naryn_result *r = run(m, NARYN_STEP_AUTO);
  int res = naryn_model_node_index(m, "R");
  /* 15.5 GWh in January is 0.5 GWh a day. */
  double mw = 0.5e3 / 24.0, storage = 80.0, first = 0.0, last = 0.0;
  for (int t = 0; t < naryn_model_steps(m); t++) {
    /* The head from the mean storage, which depends on the release: the
    ** fixed point, found by iterating as naryn settles head. */
    double rel = 0.0;
    for (int it = 0; it < 100; it++) {
      double h = 100.0 + (storage - 0.5 * rel);
      rel = mw * 1e6 / (9810.0 * 0.9 * h) * DAY_HM3;
    }
    assert_near(q(m, r, NARYN_Q_TURBINED_HM3, "P", t), rel, 1e-6);
    assert_near(q(m, r, NARYN_Q_ENERGY_GWH, "P", t), 0.5, 1e-6);
    assert_string_equal(naryn_result_rule(r, res, t), "power");
    if (t == 0) first = rel;
    last = rel;
    storage -= rel;
  }
  /* The level fell, so the same energy needed more water. */
  assert_true(last > first * 1.01);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* An energy target that follows the residual demand of grid KG, over four
** days: the demand (1.5, 2, 1 and 0.3 GWh), less the thermal plants of KG
** up to 50 per MWh (T1: 20 MW at half availability, 0.24 GWh a day; T2
** costs 80, and KZ's plant is another grid's), less what the grid's other
** plant, the run-of-river Q (100 m head, efficiency 0.9), made the day
** before: nothing before the first day, then 0.211896 GWh for every
** 10 m3/s of the previous day's inflow (10, 20 and 5 m3/s). The rule asks
** for half of it:
**   day 1: 0.5 x (1.5 - 0.24)            = 0.63
**   day 2: 0.5 x (2.0 - 0.24 - 0.211896) = 0.774052
**   day 3: 0.5 x (1.0 - 0.24 - 0.423792) = 0.168104
**   day 4: 0.3 - 0.24 - 0.105948 < 0, so nothing.
** P has a fixed head of 100 m, so a target of E GWh a day takes
** E / 24 x 1e9 / (9810 x 0.9 x 100) m3/s. */
static const char residual[] =
    "name: residual\n"
    "horizon: {start: 2001-01-01, end: 2001-01-04, step: daily}\n"
    "countries: {KG: Kyrgyzstan, KZ: Kazakhstan}\n"
    "nodes:\n"
    "  - name: R\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 50\n"
    "    country: KG\n"
    "    rules:\n"
    "      - {name: follow, type: energy, plant: P, residual_of: KG, share: 0.5,\n"
    "         thermal_up_to_per_mwh: 50, priority: 3}\n"
    "  - {name: P, type: hydropower, head_m: 100, efficiency: 0.9,\n"
    "     max_turbine_flow_m3s: 500, capacity_mw: 1000, country: KG}\n"
    "  - {name: I, type: inflow, inflow_m3s: [10, 20, 5, 10], country: KG}\n"
    "  - {name: Q, type: hydropower, head_m: 100, efficiency: 0.9,\n"
    "     max_turbine_flow_m3s: 200, capacity_mw: 1000, country: KG}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: R, to: P}\n"
    "  - {from: P, to: Sea}\n"
    "  - {from: I, to: Q}\n"
    "  - {from: Q, to: Sea}\n"
    "grids:\n"
    "  - {name: KG, country: KG, demand_gwh: [1.5, 2.0, 1.0, 0.3],\n"
    "     unserved: [{cost_per_mwh: 500}]}\n"
    "  - {name: KZ, country: KZ, demand_gwh: 0, unserved: [{cost_per_mwh: 500}]}\n"
    "thermal_plants:\n"
    "  - {name: T1, grid: KG, capacity_mw: 20, availability: 0.5, cost_per_mwh: 20}\n"
    "  - {name: T2, grid: KG, capacity_mw: 50, cost_per_mwh: 80}\n"
    "  - {name: T3, grid: KZ, capacity_mw: 500, cost_per_mwh: 5}\n";

static void energy_following_residual_demand(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(residual);
  naryn_result *r = run(m, NARYN_STEP_AUTO);
  int res = naryn_model_node_index(m, "R");
  const double want_gwh[4] = {0.63, 0.774052, 0.168104, 0.0};
  const double q_gwh[4] = {0.211896, 0.423792, 0.105948, 0.211896};
  double storage = 50.0;
  for (int t = 0; t < 4; t++) {
    double rel = want_gwh[t] / 24.0 * 1e9 / (9810.0 * 0.9 * 100.0) * DAY_HM3;
    assert_near(q(m, r, NARYN_Q_ENERGY_GWH, "Q", t), q_gwh[t], 1e-9);
    assert_near(q(m, r, NARYN_Q_ENERGY_GWH, "P", t), want_gwh[t], 1e-6);
    assert_near(q(m, r, NARYN_Q_TURBINED_HM3, "P", t), rel, 1e-6);
    assert_near(q(m, r, NARYN_Q_RELEASE_HM3, "R", t), rel, 1e-6);
    storage -= rel;
    assert_near(q(m, r, NARYN_Q_STORAGE_END_HM3, "R", t), storage, 1e-6);
    if (t < 3) assert_string_equal(naryn_result_rule(r, res, t), "follow");
  }
  naryn_result_free(r);
  naryn_model_free(m);
}

/* The same rule over a cascade: P2, below P with half its head, passes
** P's water again. The cascade is asked for the whole residual, 1.26,
** 1.76, 0.76 and 0.06 GWh (no plant outside it), P for its part of the
** cascade's energy per m3, 0.9 x 100 / (0.9 x 100 + 0.9 x 50) = 2/3, and
** P2 makes the third left with the same water: together they meet the
** residual every day, with no lag. */
static const char cascade[] =
    "name: cascade\n"
    "horizon: {start: 2001-01-01, end: 2001-01-04, step: daily}\n"
    "countries: {KG: Kyrgyzstan}\n"
    "nodes:\n"
    "  - name: R\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 50\n"
    "    country: KG\n"
    "    rules:\n"
    "      - {name: follow, type: energy, plant: P, residual_of: KG,\n"
    "         thermal_up_to_per_mwh: 50, priority: 3}\n"
    "  - {name: P, type: hydropower, head_m: 100, efficiency: 0.9,\n"
    "     max_turbine_flow_m3s: 500, capacity_mw: 1000, country: KG}\n"
    "  - {name: P2, type: hydropower, head_m: 50, efficiency: 0.9,\n"
    "     max_turbine_flow_m3s: 500, capacity_mw: 1000, country: KG}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: R, to: P}\n"
    "  - {from: P, to: P2}\n"
    "  - {from: P2, to: Sea}\n"
    "grids:\n"
    "  - {name: KG, country: KG, demand_gwh: [1.5, 2.0, 1.0, 0.3],\n"
    "     unserved: [{cost_per_mwh: 500}]}\n"
    "thermal_plants:\n"
    "  - {name: T1, grid: KG, capacity_mw: 20, availability: 0.5, cost_per_mwh: 20}\n";

static void energy_following_residual_over_a_cascade(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(cascade);
  naryn_result *r = run(m, NARYN_STEP_AUTO);
  const double residual_gwh[4] = {1.26, 1.76, 0.76, 0.06};
  for (int t = 0; t < 4; t++) {
    assert_near(q(m, r, NARYN_Q_ENERGY_GWH, "P", t), residual_gwh[t] * 2.0 / 3.0, 1e-6);
    assert_near(q(m, r, NARYN_Q_ENERGY_GWH, "P2", t), residual_gwh[t] / 3.0, 1e-6);
  }
  naryn_result_free(r);
  naryn_model_free(m);
}

/* Downstream control: 10 m3/s wanted past C, below the confluence of the
** reservoir's river with a tributary of 3 m3/s: the reservoir releases
** the 7 m3/s the tributary does not bring. */
static const char downstream[] =
    "name: downstream\n"
    "horizon: {start: 2001-01-01, end: 2001-01-10, step: daily}\n"
    "nodes:\n"
    "  - name: R\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 80\n"
    "    rules:\n"
    "      - {name: control, type: downstream, node: C, flow_m3s: 10, priority: 4}\n"
    "  - {name: T, type: inflow, inflow_m3s: 3}\n"
    "  - {name: J, type: junction}\n"
    "  - {name: C, type: junction}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: R, to: J}\n"
    "  - {from: T, to: J}\n"
    "  - {from: J, to: C}\n"
    "  - {from: C, to: Sea}\n";

static void downstream_control(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(downstream);
  naryn_result *r = run(m, NARYN_STEP_AUTO);
  int res = naryn_model_node_index(m, "R");
  for (int t = 0; t < naryn_model_steps(m); t++) {
    assert_near(release_m3s(m, r, "R", t), 7.0, 1e-9);
    assert_near(q(m, r, NARYN_Q_RELEASE_HM3, "C", t), 10 * DAY_HM3, 1e-9);
    assert_string_equal(naryn_result_rule(r, res, t), "control");
  }
  naryn_result_free(r);
  naryn_model_free(m);
}

/* A ramp: the release wanted is nothing (priority 6), but it may fall by
** at most 5 m3/s a day (priority 2) from 20 m3/s before the first day:
** 15, 10, 5, then nothing. A release that follows storage is held at the
** table's ends and interpolated between its points. */
static const char ramp[] =
    "name: ramp\n"
    "horizon: {start: 2001-01-01, end: 2001-01-06, step: daily}\n"
    "nodes:\n"
    "  - name: R\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 80\n"
    "    rules:\n"
    "      - {name: shut, type: release, release_m3s: 0, priority: 6}\n"
    "      - {name: steady, type: ramp, max_change_m3s: 5, initial_release_m3s: 20, priority: 2}\n"
    "  - name: S\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 60\n"
    "    rules:\n"
    "      - name: curve\n"
    "        type: release\n"
    "        by_storage: {storage_hm3: [20, 40, 70], release_m3s: [0, 10, 40]}\n"
    "        priority: 4\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: R, to: Sea}\n"
    "  - {from: S, to: Sea}\n";

static void ramp_and_storage_curve(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(ramp);
  naryn_result *r = run(m, NARYN_STEP_AUTO);
  int res = naryn_model_node_index(m, "R");
  static const double want[] = {15, 10, 5, 0, 0, 0};
  double s_hm3 = 60.0;
  for (int t = 0; t < 6; t++) {
    assert_near(release_m3s(m, r, "R", t), want[t], 1e-9);
    assert_string_equal(naryn_result_rule(r, res, t), t < 3 ? "steady" : "shut");
    /* S: 10 m3/s at 40 hm3, 40 at 70: 30 m3/s at 60 hm3, and so on. */
    double rel = s_hm3 >= 70 ? 40 : s_hm3 <= 20 ? 0
                 : s_hm3 <= 40 ? 10 * (s_hm3 - 20) / 20 : 10 + 30 * (s_hm3 - 40) / 30;
    assert_near(release_m3s(m, r, "S", t), rel, 1e-9);
    s_hm3 -= rel * DAY_HM3;
  }
  naryn_result_free(r);
  naryn_model_free(m);
}

/* A storage rule and a minimum release: 5 m3/s flow in; the release is
** held at its 1 m3/s floor while the reservoir fills by 0.3456 hm3 a day
** towards its wanted 52 hm3, then everything that comes in goes out. */
static const char storage_rule[] =
    "name: storage-rule\n"
    "horizon: {start: 2001-01-01, end: 2001-01-12, step: daily}\n"
    "nodes:\n"
    "  - {name: I, type: inflow, inflow_m3s: 5}\n"
    "  - name: R\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 50\n"
    "    rules:\n"
    "      - {name: fill, type: storage, storage_hm3: 52, priority: 4}\n"
    "      - {name: floor, type: min_release, release_m3s: 1, priority: 2}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: I, to: R}\n"
    "  - {from: R, to: Sea}\n";

static void storage_rule_and_floor(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(storage_rule);
  naryn_result *r = run(m, NARYN_STEP_AUTO);
  int res = naryn_model_node_index(m, "R");
  double storage = 50.0;
  int held = 0;
  for (int t = 0; t < naryn_model_steps(m); t++) {
    double rel = 1.0;
    if (storage + 4 * DAY_HM3 > 52.0) rel = 5.0 - (52.0 - storage) / DAY_HM3;
    storage += (5.0 - rel) * DAY_HM3;
    assert_near(release_m3s(m, r, "R", t), rel, 1e-9);
    assert_near(q(m, r, NARYN_Q_STORAGE_END_HM3, "R", t), storage, 1e-9);
    assert_string_equal(naryn_result_rule(r, res, t), rel > 1.0 ? "fill" : "floor");
    held += rel > 1.0;
  }
  assert_true(held >= 4);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* Every model above is a network: solved by the network simplex and by
** CLP, it gives the same results. */
static void same_either_way(void **state) {
  (void)state;
  const char *models[] = {zone_switch, hedging, energy, residual, downstream, ramp,
                          storage_rule};
  for (size_t k = 0; k < sizeof models / sizeof *models; k++) {
    naryn_model *m = tu_load_model(models[k]);
    naryn_result *a = run(m, NARYN_STEP_AUTO), *b = run(m, NARYN_STEP_CLP);
    assert_true(a->net_solves > 0);
    assert_int_equal(a->net_fallbacks, 0);
    for (int t = 0; t < naryn_model_steps(m); t++)
      for (int i = 0; i < naryn_model_node_count(m); i++) {
        double u = naryn_result_node(a, NARYN_Q_STORAGE_END_HM3, i, t);
        double v = naryn_result_node(b, NARYN_Q_STORAGE_END_HM3, i, t);
        if (!isnan(v)) assert_near(u, v, 1e-9);
        const char *ra = naryn_result_rule(a, i, t), *rb = naryn_result_rule(b, i, t);
        if (ra || rb) assert_string_equal(ra, rb);
      }
    naryn_result_free(a);
    naryn_result_free(b);
    naryn_model_free(m);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(zone_switch_in_drawdown),
      cmocka_unit_test(two_point_hedging),
      cmocka_unit_test(energy_target_with_head),
      cmocka_unit_test(energy_following_residual_demand),
      cmocka_unit_test(energy_following_residual_over_a_cascade),
      cmocka_unit_test(downstream_control),
      cmocka_unit_test(ramp_and_storage_curve),
      cmocka_unit_test(storage_rule_and_floor),
      cmocka_unit_test(same_either_way),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
