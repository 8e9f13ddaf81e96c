/*
** test_grid_peak.c: grids with a peak, dispatched in simulation and in
** optimisation, worked by hand.
**
** Every case runs over January days, so that peak_hours of 124 a month
** are 4 hours a day (62 are 2): a day of a grid with a peak is a peak
** block of peak_mw for those hours and an off-peak block of the rest of
** the demand over the rest of the day. Each source's energy in a block is
** at most its power times the block's hours. Simulation figures are to
** 1e-9 relative (the LP is exact here), the optimiser's to 1e-6.
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

static naryn_result *run(const naryn_model *m, int optimise) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  int rc = optimise ? naryn_optimise(m, NULL, &r, d) : naryn_simulate(m, NULL, &r, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return r;
}

static double gq(const naryn_result *r, int g, int t, naryn_grid_quantity q) {
  return naryn_result_grid(r, g, t, q);
}

#define ZERO(v) assert_true(fabs(v) < 1e-9)

/* One day of a grid whose demand of 1.3 GWh has a peak of 150 MW for 4
** hours (0.6 GWh), the rest (0.7 GWh) over 20 hours. A thermal plant of
** 40 MW at 50 per MWh makes at most 0.16 GWh in the peak and 0.8 off it;
** a market sells up to 100 MW at 300. The river turns 20 m3/s through a
** plant of 0.8829 MW per m3/s: 0.423792 GWh, which may be shaped within
** the day up to the plant's capacity, PLANT_MW. 'peak' is the peak's
** fields, or "" for none. */
static naryn_model *hydro_peak(double plant_mw, const char *peak) {
  char text[2048];
  snprintf(text, sizeof text,
           "horizon: {start: 2001-01-01, end: 2001-01-01, step: daily}\n"
           "countries: {A: Alpha}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 20, country: A}\n"
           "  - {name: Plant, type: hydropower, head_m: 100, efficiency: 0.9,"
           " max_turbine_flow_m3s: 200, capacity_mw: %g, country: A}\n"
           "  - {name: Sea, type: sink}\n"
           "links:\n"
           "  - {from: In, to: Plant}\n"
           "  - {from: Plant, to: Sea}\n"
           "grids:\n"
           "  - {name: G, country: A, demand_gwh: [1.3], %s"
           " unserved: [{cost_per_mwh: 1000}]}\n"
           "thermal_plants:\n"
           "  - {name: T, grid: G, capacity_mw: 40, cost_per_mwh: 50}\n"
           "markets:\n"
           "  - {grid: G, import_price_per_mwh: 300, import_limit_mw: 100}\n",
           plant_mw, peak);
  return tu_load_model(text);
}

/* The thermal plant cannot cover the peak, so the hydropower goes to it
** and the thermal plant meets the rest off-peak. */
static void test_hydro_to_the_peak(void **state) {
  (void)state;
  const double hydro = 0.423792;
  /* Without a peak the day is one block: thermal makes the rest, 0.876208
  ** GWh (of 0.96), at a price of 50. */
  naryn_model *m = hydro_peak(120, "");
  naryn_result *r = run(m, 0);
  tu_close_to(gq(r, 0, 0, NARYN_G_THERMAL_GWH), 1.3 - hydro, TOL);
  ZERO(gq(r, 0, 0, NARYN_G_IMPORT_MARKET_GWH));
  tu_close_to(gq(r, 0, 0, NARYN_G_PRICE_PER_MWH), 50, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_PEAK_PRICE_PER_MWH), 50, TOL);
  naryn_result_free(r);
  naryn_model_free(m);

  /* With the peak and a plant of 120 MW (0.48 GWh in 4 hours): the peak
  ** takes all the hydropower and 0.16 GWh of thermal, and buys the
  ** 0.016208 GWh left at 300, which sets its price; off-peak the thermal
  ** plant makes the 0.7 GWh. */
  m = hydro_peak(120, "peak_mw: 150, peak_hours: 124,");
  r = run(m, 0);
  double bought = 0.6 - 0.16 - hydro;
  tu_close_to(gq(r, 0, 0, NARYN_G_DEMAND_GWH), 1.3, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_HYDRO_GWH), hydro, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_THERMAL_GWH), 0.86, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_IMPORT_MARKET_GWH), bought, TOL);
  ZERO(gq(r, 0, 0, NARYN_G_UNSERVED_GWH));
  ZERO(gq(r, 0, 0, NARYN_G_SURPLUS_GWH));
  tu_close_to(gq(r, 0, 0, NARYN_G_COST), 0.86 * 50e3 + bought * 300e3, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_PRICE_PER_MWH), 50, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_PEAK_PRICE_PER_MWH), 300, TOL);
  assert_string_equal(naryn_grid_quantity_name(NARYN_G_PEAK_PRICE_PER_MWH),
                      "peak_price_per_mwh");
  naryn_result_free(r);
  naryn_model_free(m);

  /* A plant of 50 MW puts at most 0.2 GWh into the peak: the market sells
  ** 0.24 GWh there, and the other 0.223792 GWh of hydropower displaces
  ** thermal off-peak (0.476208 GWh). */
  m = hydro_peak(50, "peak_mw: 150, peak_hours: 124,");
  r = run(m, 0);
  tu_close_to(gq(r, 0, 0, NARYN_G_HYDRO_GWH), hydro, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_IMPORT_MARKET_GWH), 0.24, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_THERMAL_GWH), 0.16 + 0.7 - (hydro - 0.2), TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_COST),
              (0.16 + 0.7 - (hydro - 0.2)) * 50e3 + 0.24 * 300e3, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_PEAK_PRICE_PER_MWH), 300, TOL);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* Grid N (thermal 100 MW at 20, a demand of 0.5 GWh) sends over a line of
** 15 MW to grid S (thermal 100 MW at 90, a demand of 0.4 GWh with a peak
** of 50 MW for 4 hours: 0.2 GWh, and 0.2 GWh over 20 hours). NPEAK is N's
** peak, or "". */
static naryn_model *line_peak(const char *npeak) {
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
           "  - {name: N, country: N, demand_gwh: [0.5], %s"
           " unserved: [{cost_per_mwh: 1000}]}\n"
           "  - {name: S, country: S, demand_gwh: [0.4], peak_mw: 50, peak_hours: 124,"
           " unserved: [{cost_per_mwh: 1000}]}\n"
           "thermal_plants:\n"
           "  - {name: NT, grid: N, capacity_mw: 100, cost_per_mwh: 20}\n"
           "  - {name: ST, grid: S, capacity_mw: 100, cost_per_mwh: 90}\n"
           "interconnectors:\n"
           "  - {from: N, to: S, capacity_mw: 15, capacity_mw_back: 0}\n",
           npeak);
  return tu_load_model(text);
}

/* Over the day the line could carry 0.36 GWh, but only 0.06 GWh in S's
** peak: S makes 0.14 GWh there at 90, its peak price, and receives its
** whole off-peak demand at N's price. */
static void test_line_too_small_for_the_peak(void **state) {
  (void)state;
  /* N without a peak, then with one as long as S's and light enough to
  ** spare the line's power: the same dispatch. */
  const char *npeaks[2] = {"", "peak_mw: 30, peak_hours: 124,"};
  for (int i = 0; i < 2; i++) {
    naryn_model *m = line_peak(npeaks[i]);
    naryn_result *r = run(m, 0);
    tu_close_to(naryn_result_line_gwh(r, 0, 0, 0), 0.26, TOL);
    ZERO(naryn_result_line_gwh(r, 0, 0, 1));
    tu_close_to(gq(r, 1, 0, NARYN_G_IMPORT_LINES_GWH), 0.26, TOL);
    tu_close_to(gq(r, 1, 0, NARYN_G_THERMAL_GWH), 0.14, TOL);
    tu_close_to(gq(r, 0, 0, NARYN_G_THERMAL_GWH), 0.76, TOL);
    ZERO(gq(r, 1, 0, NARYN_G_UNSERVED_GWH));
    tu_close_to(gq(r, 1, 0, NARYN_G_PRICE_PER_MWH), 20, TOL);
    tu_close_to(gq(r, 1, 0, NARYN_G_PEAK_PRICE_PER_MWH), 90, TOL);
    tu_close_to(gq(r, 0, 0, NARYN_G_PRICE_PER_MWH), 20, TOL);
    tu_close_to(gq(r, 0, 0, NARYN_G_PEAK_PRICE_PER_MWH), 20, TOL);
    tu_close_to(gq(r, 1, 0, NARYN_G_COST), 0.14 * 90e3, TOL);
    naryn_result_free(r);
    naryn_model_free(m);
  }
  /* N's own peak of 95 MW for the first 2 hours (0.19 GWh) leaves 5 MW of
  ** its plant for the line then: in S's peak the line carries 0.01 GWh
  ** in N's peak hours and 0.03 GWh in the 2 hours after, S makes 0.16 GWh,
  ** and a MWh more of N's peak would cost S's plant, 90. N's plant runs
  ** flat out in its peak (0.2 GWh) and makes 0.54 GWh off it. */
  naryn_model *m = line_peak("peak_mw: 95, peak_hours: 62,");
  naryn_result *r = run(m, 0);
  tu_close_to(naryn_result_line_gwh(r, 0, 0, 0), 0.24, TOL);
  tu_close_to(gq(r, 1, 0, NARYN_G_THERMAL_GWH), 0.16, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_THERMAL_GWH), 0.74, TOL);
  tu_close_to(gq(r, 1, 0, NARYN_G_PEAK_PRICE_PER_MWH), 90, TOL);
  tu_close_to(gq(r, 1, 0, NARYN_G_PRICE_PER_MWH), 20, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_PEAK_PRICE_PER_MWH), 90, TOL);
  tu_close_to(gq(r, 0, 0, NARYN_G_PRICE_PER_MWH), 20, TOL);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* A grid of 1 GWh a day with a peak of 100 MW for 4 hours (0.4 GWh) and a
** thermal plant of 50 MW at 40 per MWh (1.2 GWh a day, enough for the
** day's energy but only 0.2 GWh in the peak). The first tier of unserved
** energy, a tenth of the demand, is a tenth of each block: 0.04 GWh of
** the peak at 200; the rest of the peak's 0.2 GWh shortfall costs 1000.
** A tier of 3.1 GWh a month (0.1 GWh a day) splits the same way. */
static void test_unserved_in_the_peak(void **state) {
  (void)state;
  const char *tiers[2] = {"{share: 0.1, cost_per_mwh: 200}", "{gwh: 3.1, cost_per_mwh: 200}"};
  for (int i = 0; i < 2; i++) {
    char text[2048];
    snprintf(text, sizeof text,
             "horizon: {start: 2001-01-01, end: 2001-01-01, step: daily}\n"
             "countries: {A: Alpha}\n"
             "nodes:\n"
             "  - {name: In, type: inflow, inflow_m3s: 1, country: A}\n"
             "  - {name: Sea, type: sink}\n"
             "links:\n"
             "  - {from: In, to: Sea}\n"
             "grids:\n"
             "  - {name: G, country: A, demand_gwh: [1], peak_mw: 100, peak_hours: 124,"
             " unserved: [%s, {cost_per_mwh: 1000}]}\n"
             "thermal_plants:\n"
             "  - {name: T, grid: G, capacity_mw: 50, cost_per_mwh: 40}\n",
             tiers[i]);
    naryn_model *m = tu_load_model(text);
    naryn_result *r = run(m, 0);
    tu_close_to(gq(r, 0, 0, NARYN_G_THERMAL_GWH), 0.8, TOL);
    tu_close_to(gq(r, 0, 0, NARYN_G_UNSERVED_GWH), 0.2, TOL);
    tu_close_to(gq(r, 0, 0, NARYN_G_COST), 0.8 * 40e3 + 0.04 * 200e3 + 0.16 * 1000e3, TOL);
    tu_close_to(gq(r, 0, 0, NARYN_G_PEAK_PRICE_PER_MWH), 1000, TOL);
    tu_close_to(gq(r, 0, 0, NARYN_G_PRICE_PER_MWH), 40, TOL);
    naryn_result_free(r);
    naryn_model_free(m);
  }
}

/* A peak as long as January (and above its demand: the peak block is the
** whole demand) and one of no hours in February leave one block of no
** hours each month, where an unlimited market and an unbounded plant
** give no energy; the other block is the whole month. A thermal plant of
** 10 MW at 50 makes 7.44 GWh in January and 6.72 in February, and the
** market sells the rest of the 10 GWh. */
static void test_blocks_of_no_hours(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(
      "horizon: {start: 2001-01, end: 2001-02, step: monthly}\n"
      "countries: {A: Alpha}\n"
      "nodes:\n"
      "  - {name: In, type: inflow, inflow_m3s: 1, country: A}\n"
      "  - {name: Sea, type: sink}\n"
      "links:\n"
      "  - {from: In, to: Sea}\n"
      "grids:\n"
      "  - {name: G, country: A, demand_gwh: 10, peak_mw: 100,"
      " peak_hours: [744, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],"
      " unserved: [{cost_per_mwh: 1000}]}\n"
      "thermal_plants:\n"
      "  - {name: T, grid: G, capacity_mw: 10, cost_per_mwh: 50}\n"
      "markets:\n"
      "  - {grid: G, import_price_per_mwh: 100}\n");
  naryn_result *r = run(m, 0);
  const double thermal[2] = {7.44, 6.72};
  for (int t = 0; t < 2; t++) {
    tu_close_to(gq(r, 0, t, NARYN_G_THERMAL_GWH), thermal[t], TOL);
    tu_close_to(gq(r, 0, t, NARYN_G_IMPORT_MARKET_GWH), 10 - thermal[t], TOL);
    ZERO(gq(r, 0, t, NARYN_G_UNSERVED_GWH));
  }
  tu_close_to(gq(r, 0, 0, NARYN_G_PEAK_PRICE_PER_MWH), 100, TOL);
  tu_close_to(gq(r, 0, 1, NARYN_G_PRICE_PER_MWH), 100, TOL);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* test_grid_opt's hydro-thermal case (1.5 GWh of water over three days, a
** plant of 50 MW, thermal plants of 20 MW at 30 and 40 MW at 80, 120 and
** 100 per MWh, 1.5 GWh a day, unserved energy at 1000) with a peak of
** 100 MW for 4 hours a day: 0.4 GWh, of which the thermal plants make at
** most 0.24 and the hydropower 0.2. Without hydropower each day leaves
** the peak 0.16 GWh short; off-peak the thermal plants make its 1.1 GWh
** (0.4 cheap and 0.7 dear). The water goes first to the peaks' unserved
** energy (0.48 GWh), then to the dear plant: on day 2 0.04 GWh in the
** peak (up to the plant's 0.2 GWh there) and 0.7 off it, then the 0.28
** GWh left on day 3. Without the peak the plan was 0.06, 1.02 and 0.42
** GWh; now it is 0.16, 0.9 and 0.44, and saves 480,000 + 0.74 x 120,000 +
** 0.28 x 100,000 = 596,800. */
static void test_peak_changes_the_optimum(void **state) {
  (void)state;
  char text[4096];
  snprintf(text, sizeof text,
           "horizon: {start: 2001-01-01, end: 2001-01-03, step: daily}\n"
           "countries: {A: Alpha}\n"
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
           "  - {name: G, country: A, demand_gwh: [1.5, 1.5, 1.5], peak_mw: 100,"
           " peak_hours: 124, unserved: [{cost_per_mwh: 1000}]}\n"
           "thermal_plants:\n"
           "  - {name: Cheap, grid: G, capacity_mw: 20, cost_per_mwh: 30}\n"
           "  - {name: Dear, grid: G, capacity_mw: 40, cost_per_mwh: [80, 120, 100]}\n"
           "objectives: [{name: power, kind: grid}]\n",
           1.5 / (NARYN__RHO_G * 1e6 / 3.6e12 * 90.0));
  naryn_model *m = tu_load_model(text);
  naryn_result *r = run(m, 1);
  const double hydro[3] = {0.16, 0.9, 0.44};
  const double dear[3] = {0.86, 0.12, 0.58};
  for (int t = 0; t < 3; t++) {
    tu_close_to(gq(r, 0, t, NARYN_G_HYDRO_GWH), hydro[t], 1e-6);
    tu_close_to(gq(r, 0, t, NARYN_G_THERMAL_GWH), 0.48 + dear[t], 1e-6);
    assert_true(fabs(gq(r, 0, t, NARYN_G_UNSERVED_GWH)) < 1e-6);
  }
  tu_close_to(gq(r, 0, 1, NARYN_G_COST), 0.48 * 30e3 + 0.12 * 120e3, 1e-6);
  tu_close_to(naryn_result_term(r, 0, NULL), 596800.0, 1e-6);
  tu_close_to(naryn_result_objective(r), 596800.0, 1e-6);
  naryn_result_free(r);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hydro_to_the_peak),
      cmocka_unit_test(test_line_too_small_for_the_peak),
      cmocka_unit_test(test_unserved_in_the_peak),
      cmocka_unit_test(test_blocks_of_no_hours),
      cmocka_unit_test(test_peak_changes_the_optimum),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
