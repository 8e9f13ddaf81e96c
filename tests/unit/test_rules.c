/*
** test_rules.c: a reservoir's operating rules and zones as read from a
** model file: every rule type's values per step (monthly values on a
** daily horizon, guide curves by date wrapping round the year, levels
** turned into storage, releases over storage with monthly rows), the zone
** of a storage through a drawdown, the release of a curve at a storage,
** and a scenario that changes one rule and one zone by name. Expected
** values are worked by hand from the model below.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "naryn_int.h"
#include "testutil.h"

/* A daily year. Lake's level is 100 m + storage / 10, so a level L m is
** the storage (L - 100) * 10 hm3. */
static const char *const model_text =
    "name: rules\n"
    "horizon: {start: 2001-01-01, end: 2001-12-31, step: daily}\n"
    "nodes:\n"
    "  - {name: River, type: inflow, inflow_m3s: 100}\n"
    "  - name: Lake\n"
    "    type: reservoir\n"
    "    min_storage_hm3: 100\n"
    "    max_storage_hm3: 1000\n"
    "    initial_storage_hm3: 800\n"
    "    level_table: {storage_hm3: [0, 1000], level_m: [100, 200]}\n"
    "    rules:\n"
    "      - {name: floor, type: min_release, priority: 2,\n"
    "         release_m3s: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]}\n"
    "      - {name: cap, type: max_release, release_m3s: 300}\n"
    "      - name: curve\n"
    "        type: release\n"
    "        priority: 3\n"
    "        by_storage:\n"
    "          storage_hm3: [200, 600, 900]\n"
    "          release_m3s: [30, [40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51], 200]\n"
    "      - {name: lvl, type: release, by_level: {level_m: [120, 180], release_m3s: [10, 90]}}\n"
    "      - {name: fill, type: storage,\n"
    "         level_m: [150, 164, 170, 170, 170, 170, 170, 170, 170, 170, 170, 160]}\n"
    "      - {name: steady, type: ramp, max_increase_m3s: 50, initial_release_m3s: 80}\n"
    "      - {name: both, type: ramp, max_change_m3s: 70}\n"
    "      - {name: hedge, type: hedging, demands: [Farms], cut: 0.5,\n"
    "         trigger_hm3: 500, full_cut_m: 130, priority: 1}\n"
    "      - {name: power, type: energy, plant: Plant, power_mw: 24}\n"
    "      - {name: winter, type: energy, plant: Plant,\n"
    "         energy_gwh: [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]}\n"
    "      - {name: delta, type: downstream, node: Sea, flow_m3s: 10}\n"
    "    zones:\n"
    "      - {name: flood, rules: [cap]}\n"
    "      - name: conservation\n"
    "        top_hm3: {date: [\"03-01\", \"07-15\", \"11-01\"], storage_hm3: [600, 900, 700]}\n"
    "        rules: [curve, floor, fill, steady, both, power, winter, delta, lvl]\n"
    "      - {name: buffer, top_m: 130, rules: [hedge, floor]}\n"
    "  - {name: Plant, type: hydropower, reservoir: Lake, tailwater_m: 100,\n"
    "     max_turbine_flow_m3s: 120, capacity_mw: 100, efficiency: 0.9}\n"
    "  - {name: Farms, type: demand, demand_m3s: 20, priority: 2}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: River, to: Lake}\n"
    "  - {from: Lake, to: Plant}\n"
    "  - {from: Plant, to: Farms}\n"
    "  - {from: Plant, to: Sea}\n";

/* Step index of a day of 2001. */
static int day(int month, int d) {
  return (int)(naryn__date_days(2001, month, d) - naryn__date_days(2001, 1, 1));
}

static const naryn__rule *rule(const naryn__node *res, const char *name) {
  for (int j = 0; j < res->nrules; j++)
    if (strcmp(res->rules[j].name, name) == 0) return &res->rules[j];
  fail_msg("no rule %s", name);
  return NULL;
}

static naryn_model *load(void) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = tu_load_text(model_text, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  /* Every rule is listed by a zone: no warning. */
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
  return m;
}

static const naryn__node *lake(const naryn_model *m) {
  return &m->nodes[naryn_model_node_index(m, "Lake")];
}

static void values_per_step(void **state) {
  (void)state;
  naryn_model *m = load();
  const naryn__node *res = lake(m);
  assert_int_equal(res->nrules, 11);
  assert_int_equal(res->nzones, 3);
  /* A monthly release holds on each of the month's days. */
  const naryn__rule *floor_ = rule(res, "floor");
  assert_int_equal(floor_->type, NARYN__RULE_MIN_RELEASE);
  assert_int_equal(floor_->priority, 2);
  assert_near(floor_->release.ts.v[day(1, 1)], 10, 0);
  assert_near(floor_->release.ts.v[day(2, 15)], 20, 0);
  assert_near(floor_->release.ts.v[day(12, 31)], 120, 0);
  assert_int_equal(rule(res, "cap")->priority, 5);
  /* A storage target in levels, reached at each month's end and
  ** interpolated day by day: 31 January 150 m (500 hm3); 14 February
  ** halfway to 164 m, 157 m (570 hm3); 28 February 164 m (640 hm3). */
  const naryn__rule *fill = rule(res, "fill");
  tu_close_to(fill->storage_hm3.v[day(1, 31)], 500, 1e-12);
  tu_close_to(fill->storage_hm3.v[day(2, 14)], 570, 1e-12);
  tu_close_to(fill->storage_hm3.v[day(2, 28)], 640, 1e-12);
  /* Ramps: one way only, or both ways. */
  const naryn__rule *steady = rule(res, "steady"), *both = rule(res, "both");
  assert_near(steady->max_up_m3s, 50, 0);
  assert_true(isinf(steady->max_down_m3s));
  assert_near(steady->initial_release_m3s, 80, 0);
  assert_near(both->max_up_m3s, 70, 0);
  assert_near(both->max_down_m3s, 70, 0);
  assert_true(isnan(both->initial_release_m3s));
  /* Hedging: the demand by index, the trigger in hm3, the full cut at
  ** 130 m, which is 300 hm3. */
  const naryn__rule *hedge = rule(res, "hedge");
  assert_int_equal(hedge->ndemands, 1);
  assert_int_equal(hedge->demands[0], naryn_model_node_index(m, "Farms"));
  assert_near(hedge->cut, 0.5, 0);
  assert_near(hedge->trigger_hm3.v[day(6, 1)], 500, 0);
  tu_close_to(hedge->full_cut_hm3.v[day(6, 1)], 300, 1e-12);
  /* Energy: 24 MW over a day is 0.576 GWh; 31 GWh in January is 1 GWh a
  ** day, 28 GWh in February too. */
  const naryn__rule *power = rule(res, "power"), *winter = rule(res, "winter");
  assert_int_equal(power->node, naryn_model_node_index(m, "Plant"));
  tu_close_to(power->energy_gwh.v[day(7, 4)], 0.576, 1e-12);
  tu_close_to(winter->energy_gwh.v[day(1, 20)], 1, 1e-12);
  tu_close_to(winter->energy_gwh.v[day(2, 20)], 1, 1e-12);
  const naryn__rule *delta = rule(res, "delta");
  assert_int_equal(delta->node, naryn_model_node_index(m, "Sea"));
  assert_near(delta->flow_m3s.v[day(9, 9)], 10, 0);
  /* Zones: the first has no top; the buffer's top is 130 m, 300 hm3. */
  assert_null(res->zones[0].top_hm3);
  tu_close_to(res->zones[2].top_hm3[day(8, 8)], 300, 1e-12);
  naryn_model_free(m);
}

static void guide_curve_by_date(void **state) {
  (void)state;
  naryn_model *m = load();
  const double *top = lake(m)->zones[1].top_hm3;
  /* On its dates the curve has its values. */
  tu_close_to(top[day(3, 1)], 600, 1e-12);
  tu_close_to(top[day(7, 15)], 900, 1e-12);
  tu_close_to(top[day(11, 1)], 700, 1e-12);
  /* Between 1 March (day 60 of a leap year) and 15 July (day 196): 1 May
  ** is day 121. */
  tu_close_to(top[day(5, 1)], 600 + 300.0 * 61 / 136, 1e-12);
  /* Round the year's end from 1 November (day 305) to 1 March (day 426
  ** of the year after): 1 January is day 366. */
  tu_close_to(top[day(1, 1)], 700 - 100.0 * 61 / 121, 1e-12);
  tu_close_to(top[day(12, 31)], 700 - 100.0 * 60 / 121, 1e-12);
  naryn_model_free(m);
}

static void zone_through_a_drawdown(void **state) {
  (void)state;
  naryn_model *m = load();
  const naryn__node *res = lake(m);
  /* 1 January: the conservation zone's top is 649.6 hm3, the buffer's
  ** 300 hm3. A storage at a top belongs to the zone below that top. */
  int t = day(1, 1);
  assert_int_equal(naryn__zone_of(res, t, 1000), 0);
  assert_int_equal(naryn__zone_of(res, t, 650), 0);
  assert_int_equal(naryn__zone_of(res, t, 649), 1);
  assert_int_equal(naryn__zone_of(res, t, 300.001), 1);
  assert_int_equal(naryn__zone_of(res, t, 300), 2);
  assert_int_equal(naryn__zone_of(res, t, 50), 2);
  /* A drawdown of 3 hm3 a day from 800 hm3 on 1 March, while the top of
  ** the conservation zone rises from 600 hm3 by 300 / 136 hm3 a day
  ** to 900 hm3 on 15 July (day 136 of the drawdown), then falls by 200 /
  ** 109 hm3 a day towards 700 hm3 on 1 November: the storage falls to the
  ** curve after 200 / (3 + 300 / 136) = 38.4 days, entering the
  ** conservation zone on day 39, and reaches the buffer's 300 hm3 on day
  ** 167 (299 hm3). */
  int start = day(3, 1), to_conservation = -1, to_buffer = -1;
  for (int k = 0; k <= 180; k++) {
    double s = 800 - 3.0 * k;
    double top = k <= 136 ? 600 + 300.0 * k / 136 : 900 - 200.0 * (k - 136) / 109;
    int z = naryn__zone_of(res, start + k, s);
    assert_int_equal(z, s > top ? 0 : s > 300 ? 1 : 2);
    if (z == 1 && to_conservation < 0) to_conservation = k;
    if (z == 2 && to_buffer < 0) to_buffer = k;
  }
  assert_int_equal(to_conservation, 39);
  assert_int_equal(to_buffer, 167);
  /* Which rules apply in which zone. */
  int cap = (int)(rule(res, "cap") - res->rules);
  int hedge = (int)(rule(res, "hedge") - res->rules);
  int floor_ = (int)(rule(res, "floor") - res->rules);
  assert_true(naryn__rule_applies(res, cap, 0));
  assert_false(naryn__rule_applies(res, cap, 1));
  assert_false(naryn__rule_applies(res, hedge, 1));
  assert_true(naryn__rule_applies(res, hedge, 2));
  assert_true(naryn__rule_applies(res, floor_, 1));
  assert_true(naryn__rule_applies(res, floor_, 2));
  assert_false(naryn__rule_applies(res, floor_, 0));
  naryn_model_free(m);
}

static void release_from_storage(void **state) {
  (void)state;
  naryn_model *m = load();
  const naryn__node *res = lake(m);
  const naryn__rule_curve *c = &rule(res, "curve")->release;
  int feb = day(2, 10), jul = day(7, 20);
  /* Held at the ends. */
  assert_near(naryn__rule_release_m3s(m, res, c, feb, 100), 30, 0);
  assert_near(naryn__rule_release_m3s(m, res, c, feb, 1000), 200, 0);
  /* Between 200 hm3 (30) and 600 hm3 (41 in February, 46 in July). */
  tu_close_to(naryn__rule_release_m3s(m, res, c, feb, 400), 35.5, 1e-12);
  tu_close_to(naryn__rule_release_m3s(m, res, c, jul, 400), 38, 1e-12);
  /* Between 600 hm3 and 900 hm3 (200). */
  tu_close_to(naryn__rule_release_m3s(m, res, c, jul, 750), 123, 1e-12);
  /* By level: 500 hm3 is 150 m, halfway from 120 m (10) to 180 m (90). */
  const naryn__rule_curve *lv = &rule(res, "lvl")->release;
  assert_int_equal(lv->by_level, 1);
  tu_close_to(naryn__rule_release_m3s(m, res, lv, feb, 500), 50, 1e-12);
  assert_near(naryn__rule_release_m3s(m, res, lv, feb, 100), 10, 0);
  /* A schedule gives its step's value whatever the storage. */
  const naryn__rule_curve *fl = &rule(res, "floor")->release;
  assert_near(naryn__rule_release_m3s(m, res, fl, jul, 123), 70, 0);
  naryn_model_free(m);
}

static void level_to_storage_inverts_the_table(void **state) {
  (void)state;
  double x[] = {0, 100, 200, 400}, y[] = {10, 20, 20, 30};
  naryn__node res = {0};
  res.level = (naryn__table){4, x, y, NULL};
  tu_close_to(naryn__hyd_storage_hm3(&res, 15), 50, 1e-12);
  /* A flat stretch: the lowest storage at that level. */
  tu_close_to(naryn__hyd_storage_hm3(&res, 20), 100, 1e-12);
  tu_close_to(naryn__hyd_storage_hm3(&res, 25), 300, 1e-12);
  /* Outside, the end segments go on. */
  tu_close_to(naryn__hyd_storage_hm3(&res, 5), -50, 1e-12);
  tu_close_to(naryn__hyd_storage_hm3(&res, 35), 500, 1e-12);
  /* Every level maps back to itself. */
  for (double l = 10; l <= 30; l += 0.5)
    if (l != 20)
      tu_close_to(naryn__table_eval(&res.level, naryn__hyd_storage_hm3(&res, l)), l, 1e-12);
}

static void scenario_changes_a_rule_and_a_zone(void **state) {
  (void)state;
  char dir[64], path[128], scen[128];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml", model_text);
  /* The rule "cap" becomes a storage rule: its release is set to null,
  ** which counts as absent. */
  tu_write(dir, "scen.yaml",
           "nodes:\n"
           "  - name: Lake\n"
           "    rules:\n"
           "      - {name: floor, release_m3s: 99}\n"
           "      - {name: cap, type: storage, release_m3s: null, storage_hm3: 260}\n"
           "    zones:\n"
           "      - {name: buffer, top_m: null, top_hm3: 250}\n");
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  snprintf(scen, sizeof scen, "%s/scen.yaml", dir);
  const char *overlays[] = {scen};
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = naryn_model_load(path, overlays, 1, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  const naryn__node *res = lake(m);
  assert_int_equal(res->nrules, 11);
  assert_int_equal(res->nzones, 3);
  const naryn__rule *floor_ = rule(res, "floor");
  assert_int_equal(floor_->type, NARYN__RULE_MIN_RELEASE);
  assert_int_equal(floor_->priority, 2);
  assert_near(floor_->release.ts.v[day(2, 15)], 99, 0);
  assert_near(res->zones[2].top_hm3[day(8, 8)], 250, 0);
  assert_int_equal(rule(res, "cap")->type, NARYN__RULE_STORAGE);
  assert_near(rule(res, "cap")->storage_hm3.v[0], 260, 0);
  /* The rest is as the model gives it. */
  assert_int_equal(res->zones[2].nrules, 2);
  assert_int_equal(naryn__zone_of(res, day(8, 8), 280), 1);
  naryn_model_free(m);
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* A downstream rule on a reservoir in a loop of two: the search for the
** nodes below it meets the reservoir itself again, which once wrote past
** its queue (caught by AddressSanitizer); the model reads and runs. */
static void downstream_rule_in_a_loop(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(tu_load_text("horizon: {start: 2001-01-01, end: 2001-01-03, step: daily}\n"
                                "nodes:\n"
                                "  - name: A\n"
                                "    type: reservoir\n"
                                "    max_storage_hm3: 10\n"
                                "    initial_storage_hm3: 5\n"
                                "    rules: [{name: down, type: downstream, node: B, flow_m3s: 3}]\n"
                                "  - {name: B, type: reservoir, max_storage_hm3: 10,\n"
                                "     initial_storage_hm3: 5}\n"
                                "links:\n"
                                "  - {from: A, to: B}\n"
                                "  - {from: B, to: A}\n",
                                &m, d),
                   NARYN_OK);
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(downstream_rule_in_a_loop),
      cmocka_unit_test(values_per_step),
      cmocka_unit_test(guide_curve_by_date),
      cmocka_unit_test(zone_through_a_drawdown),
      cmocka_unit_test(release_from_storage),
      cmocka_unit_test(level_to_storage_inverts_the_table),
      cmocka_unit_test(scenario_changes_a_rule_and_a_zone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
