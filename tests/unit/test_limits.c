/*
** test_limits.c: the physical limits on a model's numbers. A model with
** every number at its limit, or far below it, must simulate and optimise
** without a numerical failure; one step past a limit must be refused by
** the check, naming the field and the limit.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "naryn_int.h"

/* A model with its numbers at the limits; %s, %s and %s take the inflow,
** the shortage penalty and the weight of the energy term. */
static const char limit_model[] =
    "name: limits\n"
    "horizon: {start: 2001-01, end: 2001-12, step: monthly}\n"
    "nodes:\n"
    "  - {name: River, type: inflow, inflow_m3s: %s}\n"
    "  - {name: Lake, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 1e6,\n"
    "     initial_storage_hm3: 5e5, release_m3s: 1e6, evaporation_mm: 1e4,\n"
    "     level_table: {storage_hm3: [0, 1e6], level_m: [-1000, 2000]},\n"
    "     area_table: {storage_hm3: [0, 1e6], area_km2: [0, 1e4]}}\n"
    "  - {name: Plant, type: hydropower, reservoir: Lake, tailwater_m: -1000,\n"
    "     max_turbine_flow_m3s: 1e6, capacity_mw: 1e5, efficiency: 1}\n"
    "  - {name: Farms, type: demand, demand_hm3: 1e6, priority: 10,\n"
    "     return_fraction: 1, return_to: Sea}\n"
    "  - {name: E, type: min_flow, min_flow_m3s: 1e6, priority: 1}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: River, to: Lake, cost: 1e9}\n"
    "  - {from: Lake, to: Plant, max_flow_m3s: 1e6}\n"
    "  - {from: Plant, to: Farms}\n"
    "  - {from: Plant, to: E}\n"
    "  - {from: E, to: Sea}\n"
    "objectives:\n"
    "  - {name: energy, kind: energy, value_per_mwh: 1e9, weight: %s}\n"
    "  - {name: short, kind: shortage, penalty_per_hm3: %s}\n"
    "  - {name: mf, kind: min_flow, penalty_per_hm3: 1e9, weight: 1e6}\n"
    "  - {name: end, kind: end_storage, penalty_per_hm3: 1e9, target_hm3: 1e6}\n";

static void runs_at(const char *inflow, const char *weight, const char *penalty) {
  char text[4096];
  snprintf(text, sizeof text, limit_model, inflow, weight, penalty);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  naryn_result *r = NULL;
  int rc = tu_load_text(text, &m, d);
  if (rc != NARYN_OK) print_error("load: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  rc = naryn_simulate(m, NULL, &r, d);
  if (rc != NARYN_OK) print_error("simulate: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_result_free(r);
  rc = naryn_optimise(m, NULL, &r, d);
  if (rc != NARYN_OK) print_error("optimise: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

static void every_number_at_its_limit_simulates_and_optimises(void **state) {
  (void)state;
  runs_at("1e6", "1e6", "1e9");
}

/* The smallest inflow and penalty beside the largest storages: the water
** balance is judged against the storage that moves, not the inflow. */
static void tiny_numbers_beside_limits_simulate_and_optimise(void **state) {
  (void)state;
  runs_at("1e-6", "1e6", "1e-9");
}

/* Just past each limit, the check names the field and the limit. */
static void one_past_each_limit_is_refused(void **state) {
  (void)state;
  static const struct {
    const char *from, *to, *want;
  } cases[] = {
      {"inflow_m3s: %s", "inflow_m3s: 1.1e6",
       "inflow \"River\".inflow_m3s: expected at most 1e+06 m3/s"},
      {"max_storage_hm3: 1e6", "max_storage_hm3: 1.1e6",
       "reservoir \"Lake\".max_storage_hm3: expected at most 1e+06 hm3"},
      {"capacity_mw: 1e5", "capacity_mw: 1.1e5",
       "hydropower \"Plant\".capacity_mw: expected at most 100000 MW"},
      {"level_m: [-1000, 2000]", "level_m: [-1000, 2001]",
       "hydropower \"Plant\".reservoir: expected a head of at most 3000 m"},
      {"cost: 1e9", "cost: 1.1e9",
       "link \"River->Lake\".cost: expected at most 1e+09 per hm3"},
      {"weight: 1e6}", "weight: 1.1e6}",
       "term \"mf\".weight: expected a weight of at most 1e+06"},
      {"demand_hm3: 1e6", "demand_hm3: 1.1e6",
       "demand \"Farms\".demand_hm3: expected at most 1e+06 hm3"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char fmt[4096], text[4096];
    const char *at = strstr(limit_model, cases[k].from);
    assert_non_null(at);
    size_t pre = (size_t)(at - limit_model);
    snprintf(fmt, sizeof fmt, "%.*s%s%s", (int)pre, limit_model, cases[k].to,
             at + strlen(cases[k].from));
    /* The first case replaced the inflow's %s; give the rest the same
    ** arguments in order. */
    if (k == 0)
      snprintf(text, sizeof text, fmt, "1e6", "1e9");
    else
      snprintf(text, sizeof text, fmt, "1e6", "1e6", "1e9");
    naryn_diags *d = naryn_diags_new(0);
    naryn_model *m = NULL;
    assert_int_equal(tu_load_text(text, &m, d), NARYN_EMODEL);
    if (!strstr(tu_first_error(d), cases[k].want))
      fail_msg("case %zu: got \"%s\", expected \"%s\"", k, tu_first_error(d),
               cases[k].want);
    naryn_diags_free(d);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_number_at_its_limit_simulates_and_optimises),
      cmocka_unit_test(tiny_numbers_beside_limits_simulate_and_optimise),
      cmocka_unit_test(one_past_each_limit_is_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
