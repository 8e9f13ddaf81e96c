/*
** test_grid_opt.c: the optimiser with grids, worked by hand.
**
** One reservoir of 6.116208 hm3 behind a plant of fixed head (0.24525 GWh
** per hm3, at most 50 MW or 1.2 GWh a day) meets, with a cheap plant of
** 20 MW at 30 per MWh and a dear one of 40 MW at 80, 120 and 100 per MWh on
** the three days, a demand of 1.5 GWh a day; what neither meets is
** unserved at 1000 per MWh. Without hydropower each day leaves 0.06 GWh
** unserved. The whole horizon's 1.5 GWh of water goes first where it
** saves most: the unserved energy of every day (0.18 GWh), then the dear
** plant on day 2 (0.96 GWh) and on day 3 (the 0.36 GWh left), so that
** the hydropower is 0.06, 1.02 and 0.42 GWh and saves 180,000 + 115,200 +
** 36,000 = 331,200. A second grid across a line of 10 MW with a tenth
** lost takes what the first cannot use. Every figure to 1e-6 relative.
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

#define TOL 1e-6

static naryn_result *optimise(const naryn_model *m) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  int rc = naryn_optimise(m, NULL, &r, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return r;
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) <= TOL * (1.0 + fabs(b)))

/* The model of the opening comment; 'grid' is added to its grids and
** 'more' to its text. */
static naryn_model *hydro_thermal(const char *grid, const char *more) {
  char text[4096];
  snprintf(text, sizeof text,
           "horizon: {start: 2001-01-01, end: 2001-01-03, step: daily}\n"
           "countries: {A: Alpha, B: Beta}\n"
           "nodes:\n"
           "  - {name: Res, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 10,"
           " initial_storage_hm3: %.12g, country: A}\n"
           "  - {name: Plant, type: hydropower, head_m: 100, efficiency: 0.9,"
           " max_turbine_flow_m3s: 200, capacity_mw: 50, country: A}\n"
           "  - {name: Sea, type: sink}\n"
           "links:\n"
           "  - {from: Res, to: Plant}\n"
           "  - {from: Plant, to: Sea}\n"
           "grids:\n"
           "  - {name: G, country: A, demand_gwh: [1.5, 1.5, 1.5],"
           " unserved: [{cost_per_mwh: 1000}]}\n"
           "%s"
           "thermal_plants:\n"
           "  - {name: Cheap, grid: G, capacity_mw: 20, cost_per_mwh: 30}\n"
           "  - {name: Dear, grid: G, capacity_mw: 40, cost_per_mwh: [80, 120, 100]}\n"
           "%s",
           1.5 / (NARYN__RHO_G * 1e6 / 3.6e12 * 90.0), grid, more);
  return tu_load_model(text);
}

/* The hydropower goes where it saves most; the plan's grids are
** dispatched and valued as the opening comment works out. */
static void test_water_where_it_saves_most(void **state) {
  (void)state;
  naryn_model *m = hydro_thermal("", "objectives: [{name: power, kind: grid}]\n");
  naryn_result *r = optimise(m);
  assert_int_equal(naryn_result_grid_count(r), 1);
  const double hydro[3] = {0.06, 1.02, 0.42};
  const double dear[3] = {0.96, 0.0, 0.6};
  const double cost[3] = {0.48 * 30e3 + 0.96 * 80e3, 0.48 * 30e3, 0.48 * 30e3 + 0.6 * 100e3};
  for (int t = 0; t < 3; t++) {
    NEAR(naryn_result_grid(r, 0, t, NARYN_G_HYDRO_GWH), hydro[t]);
    NEAR(naryn_result_grid(r, 0, t, NARYN_G_THERMAL_GWH), 0.48 + dear[t]);
    NEAR(naryn_result_grid(r, 0, t, NARYN_G_UNSERVED_GWH), 0.0);
    NEAR(naryn_result_grid(r, 0, t, NARYN_G_COST), cost[t]);
  }
  NEAR(naryn_result_term(r, 0, NULL), 331200.0);
  NEAR(naryn_result_term(r, 0, "A"), 331200.0);
  NEAR(naryn_result_objective(r), 331200.0);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* A grid term for the winter only values nothing here (January is
** winter, so all of it); a term over another country's grid values
** nothing, and energy terms leave out the plants a grid values. */
static void test_terms_and_defaults(void **state) {
  (void)state;
  naryn_model *m = hydro_thermal(
      "",
      "objectives:\n"
      "  - {name: flat, kind: energy, value_per_mwh: 1000000}\n"
      "  - {name: winter, kind: grid, season: oct-mar, countries: [A]}\n");
  assert_int_equal(naryn_model_term_count(m), 2);
  naryn_result *r = optimise(m);
  /* The flat price would pour everything out on day 1 up to the plant's
  ** limit; it values no plant, so the grid term decides. */
  NEAR(naryn_result_term(r, 0, NULL), 0.0);
  NEAR(naryn_result_term(r, 1, NULL), 331200.0);
  NEAR(naryn_result_grid(r, 0, 1, NARYN_G_HYDRO_GWH), 1.02);
  naryn_result_free(r);
  naryn_model_free(m);
  /* Without a grid term, one named "grids" over every grid is added. */
  m = hydro_thermal("", "objectives: [{name: flat, kind: energy, value_per_mwh: 10}]\n");
  assert_int_equal(naryn_model_term_count(m), 2);
  assert_string_equal(naryn_model_term_name(m, 1), "grids");
  assert_string_equal(naryn_model_term_kind(m, 1), "grid");
  assert_true(naryn_model_term_is_benefit(m, 1));
  naryn_model_free(m);
}

/* A second grid B with a demand of 0.2 GWh a day and nothing of its own
** but unserved energy at 500 per MWh, joined by a line of 10 MW (0.24
** GWh a day) losing a tenth: the line carries 0.2 / 0.9 GWh a day, which
** A's hydropower makes first (500 per MWh received is 450 per MWh sent,
** below A's unserved energy, above its dear plant); then the rest of the
** water goes as before: 1.5 - 3 x 0.2 / 0.9 GWh over the unserved energy
** of A's days and its dear plant on day 2, then day 3. */
static void test_line_to_a_neighbour(void **state) {
  (void)state;
  naryn_model *m = hydro_thermal(
      "  - {name: H, country: B, demand_gwh: [0.2, 0.2, 0.2], unserved: [{cost_per_mwh: 500}]}\n",
      "interconnectors:\n"
      "  - {from: G, to: H, capacity_mw: 10, loss_fraction: 0.1}\n"
      "objectives: [{name: power, kind: grid}]\n");
  naryn_result *r = optimise(m);
  assert_int_equal(naryn_result_grid_count(r), 2);
  double sent = 0.2 / 0.9, left = 1.5 - 3 * sent - 0.18;
  double day2 = fmin(left, 0.96), day3 = left - day2;
  for (int t = 0; t < 3; t++) {
    NEAR(naryn_result_line_gwh(r, 0, t, 0), sent);
    NEAR(naryn_result_grid(r, 1, t, NARYN_G_UNSERVED_GWH), 0.0);
    NEAR(naryn_result_grid(r, 1, t, NARYN_G_IMPORT_LINES_GWH), 0.2);
  }
  NEAR(naryn_result_grid(r, 0, 1, NARYN_G_HYDRO_GWH), sent + 0.06 + day2);
  NEAR(naryn_result_grid(r, 0, 2, NARYN_G_HYDRO_GWH), sent + 0.06 + day3);
  /* Saved: B's unserved energy, A's unserved and dear energy. */
  double saved = 3 * 0.2 * 500e3 + 0.18 * 1000e3 + day2 * 120e3 + day3 * 100e3;
  NEAR(naryn_result_term(r, 0, NULL), saved);
  NEAR(naryn_result_term(r, 0, "B"), 3 * 0.2 * 500e3);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* The same two grids as a game: Alpha owns the water, Beta a town below
** it that takes nothing. Alone (and in the baseline) the line carries
** nothing, Alpha's water saves 331,200 and Beta's grid nothing; together
** the line carries 0.2 / 0.9 GWh a day and the water saves 180,000 +
** 78,400 of Alpha's and 300,000 of Beta's (test_line_to_a_neighbour). */
static void test_trade_in_the_game(void **state) {
  (void)state;
  /* Beta's town draws on the plant's outflow. */
  naryn_diags *d = naryn_diags_new(0);
  char text[4096];
  snprintf(text, sizeof text,
           "horizon: {start: 2001-01-01, end: 2001-01-03, step: daily}\n"
           "countries: {A: Alpha, B: Beta}\n"
           "nodes:\n"
           "  - {name: Res, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 10,"
           " initial_storage_hm3: %.12g, country: A}\n"
           "  - {name: Plant, type: hydropower, head_m: 100, efficiency: 0.9,"
           " max_turbine_flow_m3s: 200, capacity_mw: 50, country: A}\n"
           "  - {name: Town, type: demand, demand_m3s: 0, priority: 1, country: B}\n"
           "  - {name: Sea, type: sink}\n"
           "links:\n"
           "  - {from: Res, to: Plant}\n"
           "  - {from: Plant, to: Town}\n"
           "  - {from: Plant, to: Sea}\n"
           "grids:\n"
           "  - {name: G, country: A, demand_gwh: [1.5, 1.5, 1.5],"
           " unserved: [{cost_per_mwh: 1000}]}\n"
           "  - {name: H, country: B, demand_gwh: [0.2, 0.2, 0.2], unserved: [{cost_per_mwh: 500}]}\n"
           "thermal_plants:\n"
           "  - {name: Cheap, grid: G, capacity_mw: 20, cost_per_mwh: 30}\n"
           "  - {name: Dear, grid: G, capacity_mw: 40, cost_per_mwh: [80, 120, 100]}\n"
           "interconnectors:\n"
           "  - {from: G, to: H, capacity_mw: 10, loss_fraction: 0.1}\n"
           "objectives: [{name: power, kind: grid}]\n",
           1.5 / (NARYN__RHO_G * 1e6 / 3.6e12 * 90.0));
  naryn_model *m = tu_load_model(text);
  naryn_share_opts o;
  naryn_share_opts_init(&o);
  naryn_game *g = NULL;
  int rc = naryn_share(m, &o, &g, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  assert_string_equal(naryn_game_player(g, 0), "A");
  double a = naryn_game_value(g, 1u), b = naryn_game_value(g, 2u), ab = naryn_game_value(g, 3u);
  /* Values are per year: compare them as ratios of Alpha's alone. */
  NEAR(b / a, 0.0);
  double sent = 0.2 / 0.9, day2 = 1.5 - 3 * sent - 0.18;
  NEAR(ab / a, (180000.0 + day2 * 120e3 + 300000.0) / 331200.0);
  const naryn_result *base = naryn_game_baseline_plan(g), *grand = naryn_game_grand_plan(g);
  for (int t = 0; t < 3; t++) {
    NEAR(naryn_result_line_gwh(base, 0, t, 0), 0.0);
    NEAR(naryn_result_line_gwh(grand, 0, t, 0), sent);
  }
  naryn_game_free(g);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_water_where_it_saves_most),
      cmocka_unit_test(test_terms_and_defaults),
      cmocka_unit_test(test_line_to_a_neighbour),
      cmocka_unit_test(test_trade_in_the_game),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
