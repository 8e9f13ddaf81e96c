/*
** test_grid.c: grids dispatched in the simulation, worked by hand.
**
** A hydro-thermal system over three days: the water of one reservoir
** makes 0.423792, 0.847584 and 1.2 GWh (a plant of 0.8829 MW per m3/s,
** capped at 50 MW), and two thermal plants, 20 MW at 30 per MWh and 40 MW
** at 80, meet the rest of a 1.5 GWh demand: the hydropower displaces the
** dear plant first. Two grids joined by a line: at its limit the prices
** differ by the tariff, the loss and the congestion; below it only by
** the tariff and the loss. Unserved energy in three tiers beside a
** market. Every figure is to 1e-9 relative (the LP is exact here).
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

#define TOL 1e-9

static naryn_result *run(const naryn_model *m) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  int rc = naryn_simulate(m, NULL, &r, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return r;
}

static double gq(const naryn_result *r, int g, int t, naryn_grid_quantity q) {
  return naryn_result_grid(r, g, t, q);
}

/* 1 + 2 + 3: a demand met by hydropower first, the cheap plant next, the
** dear one last. Per day the cheap plant makes at most 20 MW x 24 h =
** 0.48 GWh, the dear one 0.96 GWh. */
static void test_hydro_thermal(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(
      "horizon: {start: 2001-01-01, end: 2001-01-03, step: daily}\n"
      "countries: {A: Alpha}\n"
      "nodes:\n"
      "  - {name: In, type: inflow, inflow_m3s: [20, 40, 100], country: A}\n"
      "  - {name: Res, type: reservoir, min_storage_hm3: 5, max_storage_hm3: 5,"
      " initial_storage_hm3: 5, country: A}\n"
      "  - {name: Plant, type: hydropower, head_m: 100, efficiency: 0.9,"
      " max_turbine_flow_m3s: 200, capacity_mw: 50, country: A}\n"
      "  - {name: Sea, type: sink}\n"
      "links:\n"
      "  - {from: In, to: Res}\n"
      "  - {from: Res, to: Plant}\n"
      "  - {from: Plant, to: Sea}\n"
      "grids:\n"
      "  - {name: G, country: A, demand_gwh: [1.5, 1.5, 1.5],"
      " unserved: [{cost_per_mwh: 1000}]}\n"
      "thermal_plants:\n"
      "  - {name: Cheap, grid: G, capacity_mw: 20, cost_per_mwh: 30}\n"
      "  - {name: Dear, grid: G, capacity_mw: 40, cost_per_mwh: 80}\n");
  naryn_result *r = run(m);
  assert_int_equal(naryn_result_grid_count(r), 1);
  assert_string_equal(naryn_result_grid_name(r, 0), "G");
  assert_string_equal(naryn_result_grid_country(r, 0), "A");
  /* 9810 x 0.9 x 100 W per m3/s = 0.8829 MW: 20 m3/s give 17.658 MW, or
  ** 0.423792 GWh a day; 40 m3/s twice that; 100 m3/s is capped at 50 MW,
  ** 1.2 GWh. */
  const double hydro[3] = {0.423792, 0.847584, 1.2};
  /* Thermal is the rest; the dear plant runs while the cheap one is
  ** full: 1.076208 - 0.48 and 0.652416 - 0.48, and not at all on day 3. */
  const double dear[3] = {0.596208, 0.172416, 0.0};
  const double cheap[3] = {0.48, 0.48, 0.3};
  const double price[3] = {80, 80, 30};
  for (int t = 0; t < 3; t++) {
    tu_close_to(gq(r, 0, t, NARYN_G_DEMAND_GWH), 1.5, TOL);
    tu_close_to(gq(r, 0, t, NARYN_G_HYDRO_GWH), hydro[t], TOL);
    tu_close_to(gq(r, 0, t, NARYN_G_THERMAL_GWH), cheap[t] + dear[t], TOL);
    /* The cost tells the plants apart: 30 000 per GWh of the cheap one,
    ** 80 000 of the dear one (62 096.64, 28 193.28 and 9 000). */
    tu_close_to(gq(r, 0, t, NARYN_G_COST), 30000 * cheap[t] + 80000 * dear[t], TOL);
    tu_close_to(gq(r, 0, t, NARYN_G_PRICE_PER_MWH), price[t], TOL);
    assert_true(fabs(gq(r, 0, t, NARYN_G_UNSERVED_GWH)) < 1e-12);
    assert_true(fabs(gq(r, 0, t, NARYN_G_SURPLUS_GWH)) < 1e-12);
  }
  tu_close_to(NARYN__Q(r, 0, 2, NARYN_Q_ENERGY_GWH), hydro[0], TOL);
  double sum[NARYN_G_COUNT];
  naryn_result_grid_summary(r, 0, NARYN_SEASON_OCT_MAR, sum);
  tu_close_to(sum[NARYN_G_DEMAND_GWH], 4.5, TOL);
  tu_close_to(sum[NARYN_G_HYDRO_GWH], 2.471376, TOL);
  tu_close_to(sum[NARYN_G_THERMAL_GWH], 2.028624, TOL);
  assert_true(isnan(sum[NARYN_G_PRICE_PER_MWH]));
  naryn_result_grid_summary(r, 0, NARYN_SEASON_APR_SEP, sum);
  assert_true(sum[NARYN_G_DEMAND_GWH] == 0.0);
  assert_true(isnan(naryn_result_grid(r, 1, 0, NARYN_G_DEMAND_GWH)));
  assert_true(isnan(naryn_result_grid(r, 0, 3, NARYN_G_DEMAND_GWH)));
  assert_string_equal(naryn_grid_quantity_name(NARYN_G_PRICE_PER_MWH), "price_per_mwh");
  naryn_result_free(r);
  naryn_model_free(m);
}

/* Two grids, N with a plant at 20 per MWh, S with one at 90, joined by a
** line N->S losing a tenth of what it sends and charging 5 per MWh.
** CAP is the line's capacity in MW. */
static naryn_model *two_grids(double cap_mw) {
  char text[2048];
  snprintf(text, sizeof text,
           "horizon: {start: 2001-01-01, end: 2001-01-01, step: daily}\n"
           "countries: {N: North, S: South}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 1}\n"
           "  - {name: Sea, type: sink}\n"
           "links:\n"
           "  - {from: In, to: Sea}\n"
           "grids:\n"
           "  - {name: N, country: N, demand_gwh: [0.5], unserved: [{cost_per_mwh: 1000}]}\n"
           "  - {name: S, country: S, demand_gwh: [1.0], unserved: [{cost_per_mwh: 1000}]}\n"
           "thermal_plants:\n"
           "  - {name: NT, grid: N, capacity_mw: 100, cost_per_mwh: 20}\n"
           "  - {name: ST, grid: S, capacity_mw: 100, cost_per_mwh: 90}\n"
           "interconnectors:\n"
           "  - {from: N, to: S, capacity_mw: %g, capacity_mw_back: 5,"
           " loss_fraction: 0.1, tariff_per_mwh: 5}\n",
           cap_mw);
  return tu_load_model(text);
}

static void test_line_at_limit(void **state) {
  (void)state;
  naryn_model *m = two_grids(10);
  naryn_result *r = run(m);
  assert_int_equal(naryn_result_line_count(r), 1);
  assert_string_equal(naryn_result_line_name(r, 0), "N->S");
  /* 10 MW for 24 h: 0.24 GWh sent, 0.216 received; N makes 0.74 GWh, S
  ** 0.784. */
  tu_close_to(naryn_result_line_gwh(r, 0, 0, 0), 0.24, TOL);
  assert_true(fabs(naryn_result_line_gwh(r, 0, 0, 1)) < 1e-12);
  tu_close_to(gq(r, 0, 0, NARYN_G_EXPORT_LINES_GWH), 0.24, TOL);
  tu_close_to(gq(r, 1, 0, NARYN_G_IMPORT_LINES_GWH), 0.216, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_THERMAL_GWH), 0.74, TOL);
  tu_close_to(gq(r, 1, 0, NARYN_G_THERMAL_GWH), 0.784, TOL);
  /* Each grid's own plant sets its price; the line, full, would carry
  ** energy at (20 + 5) / 0.9 = 27.78 to a grid paying 90: the congestion
  ** rent is 90 x 0.9 - 20 - 5 = 56 per MWh sent. */
  double pn = gq(r, 0, 0, NARYN_G_PRICE_PER_MWH), ps = gq(r, 1, 0, NARYN_G_PRICE_PER_MWH);
  tu_close_to(pn, 20, TOL);
  tu_close_to(ps, 90, TOL);
  tu_close_to(ps * 0.9 - pn - 5, 56, TOL);
  /* N pays the tariff on what it sends. */
  tu_close_to(gq(r, 0, 0, NARYN_G_COST), 0.74 * 20000 + 0.24 * 5000, TOL);
  naryn_result_free(r);
  naryn_model_free(m);

  /* A line of 100 MW is not full: S takes all it needs from N, 1 / 0.9
  ** GWh sent, and its price is N's plus the tariff, over what arrives. */
  m = two_grids(100);
  r = run(m);
  tu_close_to(naryn_result_line_gwh(r, 0, 0, 0), 1.0 / 0.9, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_THERMAL_GWH), 0.5 + 1.0 / 0.9, TOL);
  assert_true(fabs(gq(r, 1, 0, NARYN_G_THERMAL_GWH)) < 1e-12);
  tu_close_to(gq(r, 1, 0, NARYN_G_PRICE_PER_MWH), 25 / 0.9, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_PRICE_PER_MWH), 20, TOL);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* A grid with 20 MW of thermal (0.48 GWh a day at 50 per MWh), a market
** selling up to 10 MW (0.24 GWh) at 400, and unserved energy in tiers: a
** quarter of the demand at 100, 31 GWh a month (1 GWh a day in January)
** at 500, the rest at 3000. */
static void test_unserved_tiers(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(
      "horizon: {start: 2001-01-01, end: 2001-01-02, step: daily}\n"
      "countries: {A: Alpha}\n"
      "nodes:\n"
      "  - {name: In, type: inflow, inflow_m3s: 1, country: A}\n"
      "  - {name: Sea, type: sink}\n"
      "links:\n"
      "  - {from: In, to: Sea}\n"
      "grids:\n"
      "  - name: G\n"
      "    country: A\n"
      "    demand_gwh: [3, 1.2]\n"
      "    unserved:\n"
      "      - {share: 0.25, cost_per_mwh: 100}\n"
      "      - {gwh: 31, cost_per_mwh: 500}\n"
      "      - {cost_per_mwh: 3000}\n"
      "thermal_plants:\n"
      "  - {name: T, grid: G, capacity_mw: 20, cost_per_mwh: 50}\n"
      "markets:\n"
      "  - {grid: G, import_price_per_mwh: 400, import_limit_mw: 10}\n");
  naryn_result *r = run(m);
  /* Day 1: 3 - 0.48 = 2.52 short: 0.75 in the first tier, 0.24 bought,
  ** 1 in the second tier and 0.53 in the third, which sets the price. */
  tu_close_to(gq(r, 0, 0, NARYN_G_THERMAL_GWH), 0.48, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_IMPORT_MARKET_GWH), 0.24, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_UNSERVED_GWH), 0.75 + 1 + 0.53, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_PRICE_PER_MWH), 3000, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_COST),
              0.48 * 50e3 + 0.24 * 400e3 + 0.75 * 100e3 + 1 * 500e3 + 0.53 * 3000e3, TOL);
  /* Day 2: 1.2 - 0.48 = 0.72 short: 0.3 in the first tier, 0.24 bought,
  ** 0.18 in the second, which sets the price. */
  tu_close_to(gq(r, 0, 1, NARYN_G_UNSERVED_GWH), 0.48, TOL);
  tu_close_to(gq(r, 0, 1, NARYN_G_PRICE_PER_MWH), 500, TOL);
  tu_close_to(gq(r, 0, 1, NARYN_G_COST),
              0.48 * 50e3 + 0.24 * 400e3 + 0.3 * 100e3 + 0.18 * 500e3, TOL);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* Hydropower beyond the demand goes to a market that buys it, and what
** the market will not take is surplus, at a price of 0. */
static void test_surplus_and_export(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(
      "horizon: {start: 2001-01-01, end: 2001-01-01, step: daily}\n"
      "nodes:\n"
      "  - {name: In, type: inflow, inflow_m3s: 100, country: A}\n"
      "  - {name: Plant, type: hydropower, head_m: 100, efficiency: 0.9,"
      " max_turbine_flow_m3s: 200, capacity_mw: 50, country: A}\n"
      "  - {name: Sea, type: sink}\n"
      "links:\n"
      "  - {from: In, to: Plant}\n"
      "  - {from: Plant, to: Sea}\n"
      "grids:\n"
      "  - {name: G, country: A, demand_gwh: [0.5], unserved: [{cost_per_mwh: 1000}]}\n"
      "markets:\n"
      "  - {name: Out, grid: G, export_price_per_mwh: 40, export_limit_mw: 10}\n");
  naryn_result *r = run(m);
  /* 1.2 GWh made, 0.5 used, 0.24 sold, 0.46 left. */
  tu_close_to(gq(r, 0, 0, NARYN_G_HYDRO_GWH), 1.2, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_EXPORT_MARKET_GWH), 0.24, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_SURPLUS_GWH), 0.46, TOL);
  assert_true(fabs(gq(r, 0, 0, NARYN_G_PRICE_PER_MWH)) < 1e-9);
  tu_close_to(gq(r, 0, 0, NARYN_G_COST), -0.24 * 40e3, TOL);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* What reading fills in: a line's capacity back defaults to its capacity
** and its name to FROM->TO, a market's name to "GRID market"; a grid's
** country may be one a node names when there is no countries list; a
** plant feeds its country's grid, and a disabled plant in a country
** without one is no error. */
static void test_read_defaults(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(
      "horizon: {start: 2001-01, end: 2001-02, step: monthly}\n"
      "nodes:\n"
      "  - {name: In, type: inflow, inflow_m3s: 100, country: A}\n"
      "  - {name: P, type: hydropower, head_m: 100, efficiency: 0.9,"
      " max_turbine_flow_m3s: 200, capacity_mw: 100, country: A}\n"
      "  - {name: Off, type: hydropower, head_m: 10, efficiency: 0.9,"
      " max_turbine_flow_m3s: 20, capacity_mw: 5, country: B, enabled: false}\n"
      "  - {name: Sea, type: sink, country: C}\n"
      "links:\n"
      "  - {from: In, to: P}\n"
      "  - {from: P, to: Off}\n"
      "  - {from: Off, to: Sea}\n"
      "grids:\n"
      "  - {name: GA, country: A, demand_gwh: [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],"
      " unserved: [{cost_per_mwh: 100}]}\n"
      "  - {name: GC, country: C, demand_gwh: 0, unserved: [{cost_per_mwh: 100}]}\n"
      "interconnectors:\n"
      "  - {from: GA, to: GC, capacity_mw: 7}\n"
      "markets:\n"
      "  - {grid: GC, export_price_per_mwh: 1}\n");
  assert_int_equal(m->ngrids, 2);
  assert_string_equal(m->lines[0].name, "GA->GC");
  assert_true(m->lines[0].capacity_mw_back == 7);
  assert_true(m->lines[0].loss_fraction == 0 && m->lines[0].tariff_per_mwh == 0);
  assert_string_equal(m->markets[0].name, "GC market");
  assert_true(isinf(m->markets[0].export_limit_mw));
  assert_true(m->markets[0].import_limit_mw == 0);
  assert_null(m->markets[0].import_price_per_mwh.v);
  assert_int_equal(m->plant_grid[1], 0);
  assert_int_equal(m->plant_grid[2], -1);
  tu_close_to(m->grids[0].demand_gwh.v[1], 28, TOL);
  /* A's plant (88.29 MW, 65.68776 GWh in January) meets A's 31 GWh and
  ** sends what the line carries, 7 MW x 744 h = 5.208 GWh, to C, whose
  ** market buys it at 1; the rest is surplus, and A's price 0. */
  naryn_result *r = run(m);
  double e = gq(r, 0, 0, NARYN_G_HYDRO_GWH);
  tu_close_to(e, 88.29 * 744 / 1000, TOL);
  tu_close_to(gq(r, 1, 0, NARYN_G_EXPORT_MARKET_GWH), 5.208, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_SURPLUS_GWH), e - 31 - 5.208, TOL);
  tu_close_to(gq(r, 1, 0, NARYN_G_PRICE_PER_MWH), 1, TOL);
  assert_true(fabs(gq(r, 0, 0, NARYN_G_PRICE_PER_MWH)) < 1e-9);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* A model without grids has none in its result. */
static void test_no_grids(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(
      "horizon: {start: 2001-01-01, end: 2001-01-01, step: daily}\n"
      "nodes:\n"
      "  - {name: In, type: inflow, inflow_m3s: 1}\n"
      "  - {name: Sea, type: sink}\n"
      "links:\n"
      "  - {from: In, to: Sea}\n");
  naryn_result *r = run(m);
  assert_int_equal(naryn_result_grid_count(r), 0);
  assert_int_equal(naryn_result_line_count(r), 0);
  assert_null(naryn_result_grid_name(r, 0));
  assert_true(isnan(naryn_result_grid(r, 0, 0, NARYN_G_DEMAND_GWH)));
  naryn_result_free(r);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hydro_thermal),
      cmocka_unit_test(test_line_at_limit),
      cmocka_unit_test(test_unserved_tiers),
      cmocka_unit_test(test_surplus_and_export),
      cmocka_unit_test(test_read_defaults),
      cmocka_unit_test(test_no_grids),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
