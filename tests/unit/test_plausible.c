/*
** test_plausible.c: the warnings of implausible magnitudes
** (naryn_model_plausible) against numbers worked by hand: a demand and a
** minimum flow against all the water that can reach them, at the edge and
** past it, with return flows as a way for water; an inflow against the
** median of the others at 999 and 1001 times and a thousandth; CSV columns
** named for the other unit; and none on the built-in model and its
** scenarios or on the examples.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

/* Loads 'text' (with an optional CSV file beside it) and counts the
** warnings; the first one's message goes into msg. */
static int warnings_of(const char *text, const char *csv_name, const char *csv,
                       char *msg, size_t size) {
  char dir[64], path[128];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml", text);
  if (csv_name) tu_write(dir, csv_name, csv);
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = naryn_model_load(path, NULL, 0, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_clear(d);
  int n = -1;
  assert_int_equal(naryn_model_plausible(m, d, &n), NARYN_OK);
  assert_int_equal(naryn_diags_warnings(d), n);
  if (msg) msg[0] = '\0';
  if (n > 0 && msg) snprintf(msg, size, "%s", naryn_diags_get(d, 0)->msg);
  naryn_model_free(m);
  naryn_diags_free(d);
  tu_rmdir(dir);
  return n;
}

/* A river of 10 m3/s through a reservoir holding 50 hm3 above its dead
** storage: 315.36 hm3 in a year of 365 days, 365.36 hm3 in all. */
static const char demand_model[] =
    "horizon: {start: 2001-01, end: 2001-12, step: monthly}\n"
    "nodes:\n"
    "  - {name: Q, type: inflow, inflow_m3s: 10}\n"
    "  - {name: R, type: reservoir, min_storage_hm3: 10, max_storage_hm3: 100,\n"
    "     initial_storage_hm3: 60}\n"
    "  - {name: Farms, type: demand, priority: 1, demand_hm3: %s}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: Q, to: R}\n"
    "  - {from: R, to: Farms}\n"
    "  - {from: R, to: Sea}\n";

static void demand_against_the_water_that_reaches_it(void **state) {
  (void)state;
  char text[1024], msg[512];
  /* 12 months of 30.4466... hm3 make exactly 365.36 hm3. */
  snprintf(text, sizeof text, demand_model, "30.44666666666667");
  assert_int_equal(warnings_of(text, NULL, NULL, msg, sizeof msg), 0);
  snprintf(text, sizeof text, demand_model, "30.5");
  assert_int_equal(warnings_of(text, NULL, NULL, msg, sizeof msg), 1);
  assert_non_null(strstr(msg, "got 366 hm3 wanted over the horizon against 315.36 hm3 of "
                              "inflow from the 1 inflow node upstream and 50 hm3 stored"));
}

/* A minimum flow of 40 m3/s under a river of 5 to 20 m3/s; a second
** demand below a first one's return flow counts the river above the first
** as its own. */
static void min_flow_and_return_flows(void **state) {
  (void)state;
  char msg[512];
  assert_int_equal(warnings_of(
      "horizon: {start: 2001-01, end: 2001-12, step: monthly}\n"
      "nodes:\n"
      "  - {name: Q, type: inflow, inflow_m3s: [5, 5, 6, 9, 14, 20, 18, 12, 8, 6, 5, 5]}\n"
      "  - {name: Eflow, type: min_flow, min_flow_m3s: 40, priority: 1}\n"
      "  - {name: Sea, type: sink}\n"
      "links:\n"
      "  - {from: Q, to: Eflow}\n"
      "  - {from: Eflow, to: Sea}\n",
      NULL, NULL, msg, sizeof msg), 1);
  /* 40 m3/s over 365 days is 1261.44 hm3. */
  assert_non_null(strstr(msg, "got 1261.44 hm3 wanted"));
  /* Q feeds only the canal A, whose return flow is the only way to B: B
  ** is counted as reached by Q's 315.36 hm3 a year, and its 360 hm3 a year
  ** are more than that. (A node that no inflow reaches is left alone.) */
  assert_int_equal(warnings_of(
      "horizon: {start: 2001-01, end: 2001-12, step: monthly}\n"
      "nodes:\n"
      "  - {name: Q, type: inflow, inflow_m3s: 10}\n"
      "  - {name: A, type: demand, priority: 1, demand_hm3: 20, return_fraction: 0.5,\n"
      "     return_to: J}\n"
      "  - {name: J, type: junction}\n"
      "  - {name: B, type: demand, priority: 1, demand_hm3: 30}\n"
      "links:\n"
      "  - {from: Q, to: A}\n"
      "  - {from: J, to: B}\n",
      NULL, NULL, msg, sizeof msg), 1);
  assert_non_null(strstr(msg, "got 360 hm3 wanted over the horizon against 315.36 hm3 of "
                              "inflow from the 1 inflow node upstream"));
}

static const char three_inflows[] =
    "horizon: {start: 2001-01, end: 2001-12, step: monthly}\n"
    "nodes:\n"
    "  - {name: A, type: inflow, inflow_m3s: 10}\n"
    "  - {name: B, type: inflow, inflow_m3s: 14}\n"
    "  - {name: C, type: inflow, inflow_m3s: %s}\n"
    "  - {name: J, type: junction}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: A, to: J}\n"
    "  - {from: B, to: J}\n"
    "  - {from: C, to: J}\n"
    "  - {from: J, to: Sea}\n";

/* The median of 10 and 14 m3/s is 12: 11,988 m3/s is 999 times it,
** 12,012 is 1,001 times, 0.011988 a thousandth less a little. */
static void inflow_against_the_others(void **state) {
  (void)state;
  char text[1024], msg[512];
  snprintf(text, sizeof text, three_inflows, "11988");
  assert_int_equal(warnings_of(text, NULL, NULL, msg, sizeof msg), 0);
  snprintf(text, sizeof text, three_inflows, "12012");
  assert_int_equal(warnings_of(text, NULL, NULL, msg, sizeof msg), 1);
  assert_non_null(strstr(msg, "got a mean of 12012 m3/s over the horizon, 1001 times the "
                              "median of the other 2 inflows' means (12 m3/s)"));
  snprintf(text, sizeof text, three_inflows, "0.011988");
  assert_int_equal(warnings_of(text, NULL, NULL, msg, sizeof msg), 1);
  assert_non_null(strstr(msg, "0.000999 times the median"));
}

static void columns_named_for_the_other_unit(void **state) {
  (void)state;
  char msg[512];
  const char *inflow =
      "horizon: {start: 2001-01, end: 2001-02, step: monthly}\n"
      "nodes:\n"
      "  - {name: Q, type: inflow, inflow_m3s: {file: f.csv, column: %s}}\n"
      "  - {name: D, type: demand, priority: 1, %s: {file: f.csv, column: %s}}\n"
      "  - {name: Sea, type: sink}\n"
      "links:\n"
      "  - {from: Q, to: D}\n"
      "  - {from: Q, to: Sea}\n";
  const char *csv = "date,q_m3s,q_hm3,d_hm3,d_rate\n2001-01,10,26,1,0.5\n2001-02,10,24,1,0.5\n";
  char text[1024];
  snprintf(text, sizeof text, inflow, "q_m3s", "demand_hm3", "d_hm3");
  assert_int_equal(warnings_of(text, "f.csv", csv, msg, sizeof msg), 0);
  snprintf(text, sizeof text, inflow, "q_hm3", "demand_hm3", "d_hm3");
  assert_int_equal(warnings_of(text, "f.csv", csv, msg, sizeof msg), 1);
  assert_non_null(strstr(msg, "got column \"q_hm3\" of "));
  assert_non_null(strstr(msg, "whose name says it holds volumes"));
  snprintf(text, sizeof text, inflow, "q_m3s", "demand_hm3", "d_rate");
  assert_int_equal(warnings_of(text, "f.csv", csv, msg, sizeof msg), 1);
  assert_non_null(strstr(msg, "expected a column of volumes"));
  snprintf(text, sizeof text, inflow, "q_m3s", "demand_m3s", "d_rate");
  assert_int_equal(warnings_of(text, "f.csv", csv, msg, sizeof msg), 0);
  snprintf(text, sizeof text, inflow, "q_m3s", "demand_m3s", "d_hm3");
  assert_int_equal(warnings_of(text, "f.csv", csv, msg, sizeof msg), 1);
}

/* No warning on the models the project ships. */
static void none_on_the_shipped_models(void **state) {
  (void)state;
  static const char *const scenarios[] = {
      NULL, "models/naryn/scenarios/irrigation-mode.yaml",
      "models/naryn/scenarios/energy-mode.yaml", "models/naryn/scenarios/kambarata.yaml",
      "models/naryn/scenarios/modernised.yaml", "models/naryn/scenarios/replay-2022-2024.yaml",
      "models/naryn/scenarios/replay-base-rule.yaml", "models/naryn/scenarios/follow-grid.yaml",
      "models/naryn/scenarios/barter-2021.yaml", "models/naryn/scenarios/barter-2025.yaml"};
  static const char *const examples[] = {
      "examples/single/model.json", "examples/cascade/model.yaml",
      "examples/replay/model.yaml", "examples/ensemble/model.yaml",
      "examples/two-countries/model.yaml"};
  for (size_t k = 0; k < sizeof scenarios / sizeof *scenarios + sizeof examples / sizeof *examples; k++) {
    int is_scenario = k < sizeof scenarios / sizeof *scenarios;
    const char *path = is_scenario ? "models/naryn/model.yaml"
                                   : examples[k - sizeof scenarios / sizeof *scenarios];
    const char *over = is_scenario ? scenarios[k] : NULL;
    naryn_diags *d = naryn_diags_new(0);
    naryn_model *m = NULL;
    assert_int_equal(naryn_model_load(path, over ? &over : NULL, over ? 1 : 0, &m, d), NARYN_OK);
    naryn_diags_clear(d);
    int n = -1;
    assert_int_equal(naryn_model_plausible(m, d, &n), NARYN_OK);
    if (n) print_error("%s %s: %s\n", path, over ? over : "", naryn_diags_get(d, 0)->msg);
    assert_int_equal(n, 0);
    naryn_model_free(m);
    naryn_diags_free(d);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(demand_against_the_water_that_reaches_it),
      cmocka_unit_test(min_flow_and_return_flows),
      cmocka_unit_test(inflow_against_the_others),
      cmocka_unit_test(columns_named_for_the_other_unit),
      cmocka_unit_test(none_on_the_shipped_models),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
